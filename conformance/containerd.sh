#!/usr/bin/env bash
# containerd.sh RUNTIME: a private containerd 1.6 (its own root, state and socket)
# runs tasks through its io.containerd.runc.v2 shim with RUNTIME as the runc
# binary (ctr --runc-binary), on a busybox image made here from busybox-static
# (imported with podman, saved as an OCI archive). Stops containerd and removes
# everything at the end. One PASS/FAIL line per scenario; exits 1 when one fails.
set -u
rt=${1:?usage: containerd.sh RUNTIME}
for tool in containerd ctr containerd-shim-runc-v2 podman; do
	command -v $tool >/dev/null || { echo "SKIP containerd: $tool not installed"; exit 0; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP containerd: needs root"; exit 0; }
[ -x /bin/busybox ] || { echo "SKIP containerd: needs busybox-static at /bin/busybox"; exit 0; }

tmp=$(mktemp -d /tmp/jsyd-containerd.XXXXXX)
P=(podman --root "$tmp/podman" --runroot "$tmp/podman-run" --tmpdir "$tmp/tmp" --storage-driver vfs)
C=(ctr --address "$tmp/containerd.sock")
R=(--runc-binary "$rt" --snapshotter native)
img=localhost/jsyd-busybox:conformance
cpid=
cleanup() {
	for t in $("${C[@]}" task ls -q 2>/dev/null); do "${C[@]}" task kill -s KILL "$t" >/dev/null 2>&1; done
	sleep 0.2
	for t in $("${C[@]}" task ls -q 2>/dev/null); do "${C[@]}" task delete -f "$t" >/dev/null 2>&1; done
	for c in $("${C[@]}" container ls -q 2>/dev/null); do "${C[@]}" container rm "$c" >/dev/null 2>&1; done
	[ -n "$cpid" ] && kill "$cpid" 2>/dev/null && wait "$cpid" 2>/dev/null
	"${P[@]}" system reset -f >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/rootfs"/{bin,etc,proc,sys,dev,tmp,root}
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$tmp/rootfs/bin/$a"; done
cp /bin/busybox "$tmp/rootfs/bin/busybox"
echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/rootfs/etc/passwd"
tar -C "$tmp/rootfs" -cf "$tmp/rootfs.tar" .
"${P[@]}" import "$tmp/rootfs.tar" "$img" >/dev/null 2>&1 &&
	"${P[@]}" save --format oci-archive -o "$tmp/image.tar" "$img" >/dev/null 2>&1 || { echo "FAIL image"; exit 1; }

cat >"$tmp/config.toml" <<TOML
version = 2
root = "$tmp/root"
state = "$tmp/state"
[grpc]
  address = "$tmp/containerd.sock"
[ttrpc]
  address = "$tmp/containerd.sock.ttrpc"
[debug]
  address = "$tmp/debug.sock"
[plugins."io.containerd.grpc.v1.cri"]
  disable_tcp_service = true
TOML
containerd --config "$tmp/config.toml" >"$tmp/containerd.log" 2>&1 &
cpid=$!
for _ in $(seq 100); do "${C[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
"${C[@]}" images import --base-name localhost/jsyd-busybox "$tmp/image.tar" >/dev/null 2>&1 ||
	{ echo "FAIL ctr images import"; exit 1; }

pass=0 fail=0
check() {
	local name=$1; shift
	if out=$("$@" 2>&1); then
		pass=$((pass + 1)); echo "PASS $name"
	else
		fail=$((fail + 1)); printf 'FAIL %s\n%s\n' "$name" "$out" | head -20
	fi
}
task_status() { "${C[@]}" task ls | awk -v t="$1" '$1 == t { print $3 }'; }

run_output_and_status() {
	out=$("${C[@]}" run --rm "${R[@]}" "$img" t1 sh -c 'echo hello $$; exit 3'); rc=$?
	[ $rc = 3 ] || { echo "status $rc"; return 1; }
	[ "$out" = "hello 1" ] || { echo "output: $out"; return 1; }
}
detached_lifecycle() {
	"${C[@]}" run -d "${R[@]}" "$img" t2 sleep 1000 >/dev/null || return 1
	[ "$(task_status t2)" = RUNNING ] || { echo "not running"; return 1; }
	pid=$("${C[@]}" task ls | awk '$1 == "t2" { print $2 }')
	"${C[@]}" task ps t2 | grep -q "^$pid " || { echo "task ps misses $pid"; return 1; }
	"${C[@]}" task pause t2 && [ "$(task_status t2)" = PAUSED ] || { echo "not paused"; return 1; }
	"${C[@]}" task resume t2 && [ "$(task_status t2)" = RUNNING ] || { echo "not resumed"; return 1; }
	"${C[@]}" task kill -s KILL t2 || return 1
	for _ in $(seq 50); do [ "$(task_status t2)" = STOPPED ] && break; sleep 0.1; done
	[ "$(task_status t2)" = STOPPED ] || { echo "not stopped"; return 1; }
	"${C[@]}" task delete t2 >/dev/null 2>&1
	"${C[@]}" container rm t2 && [ -z "$(task_status t2)" ]
}
missing_program() {
	out=$("${C[@]}" run --rm "${R[@]}" "$img" t3 /no/such/program 2>&1) && { echo "it ran: $out"; return 1; }
	echo "$out" | grep -q "no/such/program" || { echo "error without the path: $out"; return 1; }
	"${C[@]}" container rm t3 >/dev/null 2>&1
	true
}

check "run --rm: output, status 3, pid 1" run_output_and_status
check "run -d, ps, pause, resume, kill, delete" detached_lifecycle
check "missing program: error names it" missing_program
echo "containerd: $pass passed, $fail failed"
[ $fail = 0 ]
