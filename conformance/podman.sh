#!/usr/bin/env bash
# podman.sh RUNTIME: podman (4.3, Debian's) drives RUNTIME as its OCI runtime on a
# busybox image made here from busybox-static (no registry needed). Private
# storage, run root and state, cgroupfs manager, no network; everything is removed
# at the end. Prints one line per scenario and a summary; exits 1 when one fails.
set -u
rt=${1:?usage: podman.sh RUNTIME}
command -v podman >/dev/null || { echo "SKIP podman: not installed"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "SKIP podman: needs root"; exit 0; }
[ -x /bin/busybox ] || { echo "SKIP podman: needs busybox-static at /bin/busybox"; exit 0; }

tmp=$(mktemp -d /tmp/jsyd-podman.XXXXXX)
P=(podman --root "$tmp/storage" --runroot "$tmp/run" --tmpdir "$tmp/tmp" --cgroup-manager=cgroupfs
   --events-backend=file --storage-driver vfs --runtime "$rt")
# this host denies raising limits (no CAP_SYS_RESOURCE): ask for what it allows
R=(--rm --network none --ulimit nofile=1024:4096 --ulimit nproc=1000:2000)
img=localhost/jsyd-busybox:conformance
cleanup() {
	"${P[@]}" rm -a -f -t 0 >/dev/null 2>&1
	"${P[@]}" rmi -a -f >/dev/null 2>&1
	# vfs layers may hold read-only files; podman's own storage reset clears them
	"${P[@]}" system reset -f >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/rootfs"/{bin,etc,proc,sys,dev,tmp,root}
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$tmp/rootfs/bin/$a"; done
cp /bin/busybox "$tmp/rootfs/bin/busybox"
echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/rootfs/etc/passwd"
echo 'root:x:0:' >"$tmp/rootfs/etc/group"
tar -C "$tmp/rootfs" -cf "$tmp/rootfs.tar" .
"${P[@]}" import "$tmp/rootfs.tar" "$img" >/dev/null 2>&1 || { echo "FAIL podman import"; exit 1; }

pass=0 fail=0
check() { # name, then a command that succeeds when the scenario passes
	local name=$1; shift
	local start=$(date +%s.%N)
	if out=$("$@" 2>&1); then
		pass=$((pass + 1)); printf 'PASS %-36s %5.1fs\n' "$name" "$(echo "$(date +%s.%N) - $start" | bc)"
	else
		fail=$((fail + 1)); printf 'FAIL %-36s\n%s\n' "$name" "$out" | head -20
	fi
}

run_echo() { [ "$("${P[@]}" run "${R[@]}" "$img" echo hello)" = hello ]; }
run_exit() { "${P[@]}" run "${R[@]}" "$img" sh -c 'exit 7'; [ $? = 7 ]; }
run_env() { [ "$("${P[@]}" run "${R[@]}" -e FOO=bar -w /tmp "$img" sh -c 'echo $FOO $(pwd) $$')" = "bar /tmp 1" ]; }
run_missing() {
	out=$("${P[@]}" run "${R[@]}" "$img" /no/such/binary 2>&1); rc=$?
	[ $rc = 127 ] || [ $rc = 126 ] || { echo "status $rc: $out"; return 1; }
	echo "$out" | grep -q "no/such/binary" || { echo "no path in: $out"; return 1; }
}
detach_stop_rm() {
	id=$("${P[@]}" run -d --network none --ulimit nofile=1024:4096 --ulimit nproc=1000:2000 "$img" sleep 1000) || return 1
	[ "$("${P[@]}" inspect -f '{{.State.Status}}' "$id")" = running ] || { echo "not running"; return 1; }
	"${P[@]}" stop -t 1 "$id" >/dev/null || return 1
	[ "$("${P[@]}" inspect -f '{{.State.Status}}' "$id")" = exited ] || { echo "not exited"; return 1; }
	"${P[@]}" rm "$id" >/dev/null
}
detach_kill() {
	id=$("${P[@]}" run -d --network none --ulimit nofile=1024:4096 --ulimit nproc=1000:2000 "$img" sleep 1000) || return 1
	"${P[@]}" kill -s KILL "$id" >/dev/null || return 1
	"${P[@]}" wait "$id" >/dev/null
	[ "$("${P[@]}" inspect -f '{{.State.ExitCode}}' "$id")" = 137 ] || { echo "exit code not 137"; return 1; }
	"${P[@]}" rm "$id" >/dev/null
}
pause_unpause() {
	id=$("${P[@]}" run -d --network none --ulimit nofile=1024:4096 --ulimit nproc=1000:2000 "$img" sleep 1000) || return 1
	"${P[@]}" pause "$id" >/dev/null || return 1
	[ "$("${P[@]}" inspect -f '{{.State.Status}}' "$id")" = paused ] || { echo "not paused"; return 1; }
	"${P[@]}" unpause "$id" >/dev/null || return 1
	"${P[@]}" rm -f -t 0 "$id" >/dev/null
}
exec_in() {
	id=$("${P[@]}" run -d --network none --ulimit nofile=1024:4096 --ulimit nproc=1000:2000 "$img" sleep 1000) || return 1
	out=$("${P[@]}" exec -e FOO=bar -w /tmp "$id" sh -c 'echo $FOO $(pwd) $(readlink /proc/1/exe)') || return 1
	[ "$out" = "bar /tmp /bin/busybox" ] || { echo "exec said: $out"; return 1; }
	"${P[@]}" exec "$id" sh -c 'exit 3'; rc=$?
	[ $rc = 3 ] || { echo "exec status $rc"; return 1; }
	"${P[@]}" exec -d "$id" sleep 1000 || return 1
	[ "$("${P[@]}" top "$id" args 2>/dev/null | grep -c 'sleep 1000')" = 2 ] || { "${P[@]}" top "$id"; return 1; }
	"${P[@]}" rm -f -t 0 "$id" >/dev/null
}

run_tty() {
	command -v script >/dev/null || { echo "no script(1)"; return 1; }
	local line="" a
	for a in "${P[@]}" run "${R[@]}" -t "$img" sh -c 'tty; exit 5'; do line="$line '${a//\'/\'\\\'\'}'"; done
	out=$(timeout 60 script -qec "$line" /dev/null); rc=$?
	[ $rc = 5 ] || { echo "status $rc: $out"; return 1; }
	case "$out" in /dev/pts/*) ;; *) echo "no terminal: $out"; return 1 ;; esac
}

exec_tty() {
	command -v script >/dev/null || { echo "no script(1)"; return 1; }
	id=$("${P[@]}" run -d --network none --ulimit nofile=1024:4096 --ulimit nproc=1000:2000 "$img" sleep 1000) || return 1
	local line="" a
	for a in "${P[@]}" exec -t "$id" sh -c 'tty; exit 4'; do line="$line '${a//\'/\'\\\'\'}'"; done
	out=$(timeout 60 script -qec "$line" /dev/null); rc=$?
	"${P[@]}" rm -f -t 0 "$id" >/dev/null
	[ $rc = 4 ] || { echo "status $rc: $out"; return 1; }
	case "$out" in /dev/pts/*) ;; *) echo "no terminal: $out"; return 1 ;; esac
}

check "run --rm echo" run_echo
check "run -t (console socket, pty)" run_tty
check "run exit status 7" run_exit
check "run -e -w (env, cwd, pid 1)" run_env
check "run missing binary: error, 126/127" run_missing
check "run -d, stop, rm" detach_stop_rm
check "run -d, kill -s KILL, wait, rm" detach_kill
check "pause, unpause, rm -f" pause_unpause
check "exec (env, cwd, pid ns, status, -d)" exec_in
check "exec -t (console socket, pty)" exec_tty
echo "podman: $pass passed, $fail failed"
[ $fail = 0 ]
