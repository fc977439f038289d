#!/usr/bin/env bash
# containerd.sh RUNTIME: a private containerd 1.6 (its own root, state and socket)
# runs tasks through its io.containerd.runc.v2 shim with RUNTIME as the runc
# binary (ctr --runc-binary), on a busybox image made here from busybox-static
# (imported with podman, saved as an OCI archive). Stops containerd and removes
# everything at the end. One PASS/FAIL line per scenario; exits 1 when one fails.
set -u
. "$(dirname "$0")/lib/containerd.bash"
rt=${1:?usage: containerd.sh RUNTIME}
for tool in containerd ctr containerd-shim-runc-v2 podman; do
	command -v $tool >/dev/null || { echo "SKIP containerd: $tool not installed"; exit 0; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP containerd: needs root"; exit 0; }
[ -x /bin/busybox ] || { echo "SKIP containerd: needs busybox-static at /bin/busybox"; exit 0; }

tmp=$(mktemp -d /tmp/jsyd-containerd.XXXXXX)
# the runtime by an absolute path: the scenarios run from $tmp, because conmon
# 2.1.6 writes its "oom" marker file into its working directory, not the bundle
case $rt in */*) rt=$(cd "$(dirname "$rt")" && pwd)/$(basename "$rt") ;; esac
cd "$tmp" || exit 1
P=(podman --root "$tmp/podman" --runroot "$tmp/podman-run" --tmpdir "$tmp/tmp" --storage-driver vfs)
C=(ctr --address "$tmp/containerd.sock")
# the runtime's state in a root of its own (the shim's default is shared by every
# containerd), and ids unique to this run (the cgroup /default/ID is shared too)
R=(--runc-binary "$rt" --runc-root "$tmp/runc-root" --snapshotter native)
u=$(basename "$tmp" | tr -dc 'a-zA-Z0-9')
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

start_containerd "$tmp" "$tmp/root" "$tmp/state" "$tmp/image.tar"

pass=0 fail=0
check() {
	local name=$1; shift
	# ONLY=REGEX runs the scenarios whose names match, and skips the rest
	if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then return 0; fi
	local start=$(date +%s.%N)
	if out=$("$@" 2>&1); then
		pass=$((pass + 1)); printf 'PASS %-52s %5.1fs\n' "$name" "$(echo "$(date +%s.%N) - $start" | bc)"
	else
		fail=$((fail + 1)); printf 'FAIL %s\n%s\n' "$name" "$out" | head -20
	fi
}
task_status() { "${C[@]}" task ls | awk -v t="$1" '$1 == t { print $3 }'; }

run_output_and_status() {
	out=$("${C[@]}" run --rm "${R[@]}" "$img" t1-$u sh -c 'echo hello $$; exit 3'); rc=$?
	[ $rc = 3 ] || { echo "status $rc"; return 1; }
	[ "$out" = "hello 1" ] || { echo "output: $out"; return 1; }
}
detached_lifecycle() {
	"${C[@]}" run -d "${R[@]}" "$img" t2-$u sleep 1000 >/dev/null || return 1
	[ "$(task_status t2-$u)" = RUNNING ] || { echo "not running"; return 1; }
	pid=$("${C[@]}" task ls | awk -v t=t2-$u '$1 == t { print $2 }')
	"${C[@]}" task ps t2-$u | grep -q "^$pid " || { echo "task ps misses $pid"; return 1; }
	"${C[@]}" task pause t2-$u && [ "$(task_status t2-$u)" = PAUSED ] || { echo "not paused"; return 1; }
	"${C[@]}" task resume t2-$u && [ "$(task_status t2-$u)" = RUNNING ] || { echo "not resumed"; return 1; }
	"${C[@]}" task kill -s KILL t2-$u || return 1
	for _ in $(seq 100); do [ "$(task_status t2-$u)" = STOPPED ] && break; sleep 0.1; done
	[ "$(task_status t2-$u)" = STOPPED ] || { echo "not stopped"; return 1; }
	"${C[@]}" task delete t2-$u >/dev/null 2>&1
	"${C[@]}" container rm t2-$u && [ -z "$(task_status t2-$u)" ]
}
missing_program() {
	out=$("${C[@]}" run --rm "${R[@]}" "$img" t3-$u /no/such/program 2>&1) && { echo "it ran: $out"; return 1; }
	echo "$out" | grep -q "no/such/program" || { echo "error without the path: $out"; return 1; }
	"${C[@]}" container rm t3-$u >/dev/null 2>&1
	true
}

detached_exec() {
	local t=t4-$u
	"${C[@]}" run -d "${R[@]}" "$img" $t sleep 1000 >/dev/null || return 1
	out=$("${C[@]}" task exec --exec-id e1 $t sh -c 'echo $$ $(tr "\0" " " < /proc/1/cmdline)') || return 1
	set -- $out
	[ "$1" != 1 ] && [ "$2 $3" = "sleep 1000" ] || { echo "exec said: $out"; return 1; }
	"${C[@]}" task exec --exec-id e2 $t sh -c 'exit 5'; rc=$?
	[ $rc = 5 ] || { echo "exec status $rc"; return 1; }
	"${C[@]}" task exec -d --exec-id e3 $t sleep 1000 || return 1
	[ "$("${C[@]}" task ps $t | awk 'NR > 1' | wc -l)" = 2 ] || { "${C[@]}" task ps $t; echo "no second process"; return 1; }
	"${C[@]}" task pause $t && [ "$(task_status $t)" = PAUSED ] || { echo "not paused"; return 1; }
	"${C[@]}" task exec --exec-id e4 $t true 2>/dev/null && { echo "exec ran in a paused task"; return 1; }
	"${C[@]}" task resume $t && [ "$(task_status $t)" = RUNNING ] || { echo "not resumed"; return 1; }
	# kill's default is SIGTERM, which a pid 1 without a handler ignores: KILL, then every process
	"${C[@]}" task kill -a -s KILL $t || return 1
	for _ in $(seq 100); do [ "$(task_status $t)" = STOPPED ] && break; sleep 0.1; done
	[ "$(task_status $t)" = STOPPED ] || { echo "not stopped: $(task_status $t)"; return 1; }
	"${C[@]}" task delete $t >/dev/null || return 1
	"${C[@]}" container rm $t || return 1
	[ ! -e "$tmp/runc-root/$t" ] || { echo "state left in $tmp/runc-root/$t"; return 1; }
}
seccomp_default() {
	# containerd's default profile lets unshare through only with CAP_SYS_ADMIN:
	# EPERM here, while without a profile a user namespace is made
	out=$("${C[@]}" run --rm "${R[@]}" --seccomp "$img" s1-$u sh -c \
		'grep Seccomp: /proc/self/status; unshare -U true 2>/dev/null; echo unshare $?') || return 1
	[ "$out" = "$(printf 'Seccomp:\t2\nunshare 1')" ] || { echo "with --seccomp: $out"; return 1; }
	out=$("${C[@]}" run --rm "${R[@]}" "$img" s2-$u sh -c 'grep Seccomp: /proc/self/status; unshare -U true; echo unshare $?') ||
		return 1
	[ "$out" = "$(printf 'Seccomp:\t0\nunshare 0')" ] || { echo "without: $out"; return 1; }
}
oom_event() {
	# the shim watches the task's memory cgroup itself and publishes /tasks/oom; the
	# hog is a child, so the shell lives on to report its status
	local t=t5-$u
	"${C[@]}" events >"$tmp/events" 2>&1 &
	local epid=$!
	out=$("${C[@]}" run --rm "${R[@]}" --memory-limit 33554432 "$img" $t sh -c \
		'dd if=/dev/zero of=/dev/null bs=128M count=1; echo status $?'); rc=$?
	# the event stream may lag behind the task's end on a loaded machine
	for _ in $(seq 50); do grep "/tasks/oom" "$tmp/events" | grep -q "$t" && break; sleep 0.1; done
	kill $epid; wait $epid 2>/dev/null
	[ $rc = 0 ] && [ "$out" = "status 137" ] || { echo "status $rc: $out"; return 1; }
	grep "/tasks/oom" "$tmp/events" | grep -q "$t" || { echo "no /tasks/oom event for $t:"; cat "$tmp/events"; return 1; }
}
twenty_in_a_row() {
	local i t before after
	before=$(grep -c " $tmp" /proc/self/mountinfo)
	for i in $(seq 20); do
		t=r$i-$u
		out=$("${C[@]}" run --rm "${R[@]}" "$img" $t echo n$i) || { echo "run $i: $out"; return 1; }
		[ "$out" = "n$i" ] || { echo "run $i said: $out"; return 1; }
		left=$(ls -d "$tmp/runc-root/$t" /sys/fs/cgroup/*/default/$t /sys/fs/cgroup/unified/default/$t 2>/dev/null)
		[ -z "$left" ] || { echo "left behind by $t: $left"; return 1; }
	done
	after=$(grep -c " $tmp" /proc/self/mountinfo)
	[ "$before" = "$after" ] || { echo "mounts under $tmp: $before before, $after after"; return 1; }
	[ -z "$("${C[@]}" task ls -q)$("${C[@]}" container ls -q)" ] || { echo "left: $("${C[@]}" container ls)"; return 1; }
}

check "run --rm: output, status 3, pid 1" run_output_and_status
check "run -d, ps, pause, resume, kill, delete" detached_lifecycle
check "missing program: error names it" missing_program
check "run -d, exec (status, -d), pause, kill -a, delete" detached_exec
check "--seccomp: containerd's default profile" seccomp_default
check "OOM kill: the shim's /tasks/oom event" oom_event
check "20 containers in a row, nothing left" twenty_in_a_row
echo "containerd: $pass passed, $fail failed"
[ $fail = 0 ]
