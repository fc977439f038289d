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
# the runtime by an absolute path: the scenarios run from $tmp, because conmon
# 2.1.6 writes its "oom" marker file into its working directory, not the bundle
case $rt in */*) rt=$(cd "$(dirname "$rt")" && pwd)/$(basename "$rt") ;; esac
cd "$tmp" || exit 1
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
# sysprobe: the errno of a few calls podman's seccomp profile filters (0: it worked)
cat >"$tmp/sysprobe.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
static void probe(const char *name, long r) { printf("%s %d\n", name, r < 0 ? errno : 0); }
int main(void)
{
	probe("add_key", syscall(SYS_add_key, NULL, NULL, NULL, 0, -2));
	probe("request_key", syscall(SYS_request_key, NULL, NULL, NULL, 0));
	probe("personality", syscall(SYS_personality, 0x0040000UL)); /* ADDR_NO_RANDOMIZE */
	return 0;
}
C
gcc -static -O -o "$tmp/rootfs/bin/sysprobe" "$tmp/sysprobe.c" || { echo "FAIL gcc sysprobe"; exit 1; }
tar -C "$tmp/rootfs" -cf "$tmp/rootfs.tar" .
"${P[@]}" import "$tmp/rootfs.tar" "$img" >/dev/null 2>&1 || { echo "FAIL podman import"; exit 1; }

pass=0 fail=0
check() { # name, then a command that succeeds when the scenario passes
	local name=$1; shift
	# ONLY=REGEX runs the scenarios whose names match, and skips the rest
	if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then return 0; fi
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

# ---- the options podman turns into config fields; each checked from inside ----
D=(--network none --ulimit nofile=1024:4096 --ulimit nproc=1000:2000)
# the v1 hierarchy of a controller, or the v2 root, as the container sees it
cg() { echo "f=/sys/fs/cgroup/$1/$2; [ -e \$f ] || f=/sys/fs/cgroup/$3; cat \$f"; }

run_user() {
	out=$("${P[@]}" run "${R[@]}" --user 1000:1001 --group-add 1002 "$img" sh -c \
		'echo $(id -u) $(id -g) $(id -G); touch /root/x 2>/dev/null && echo wrote-root-home; true') || return 1
	[ "$out" = "1000 1001 1001 1002" ] || { echo "ids: $out"; return 1; }
}
run_read_only() {
	out=$("${P[@]}" run "${R[@]}" --read-only "$img" sh -c \
		'touch /x 2>/dev/null && echo wrote-root; touch /tmp/y && echo tmp-ok; grep " / " /proc/mounts') || return 1
	case "$out" in *wrote-root*) echo "/ is writable: $out"; return 1 ;; esac
	echo "$out" | grep -q '^tmp-ok$' || { echo "/tmp not writable: $out"; return 1; }
	echo "$out" | grep -q ' / [^ ]* ro[, ]' || { echo "/ not mounted ro: $out"; return 1; }
}
run_tmpfs() {
	out=$("${P[@]}" run "${R[@]}" --tmpfs /scratch:size=2m,mode=1770 "$img" sh -c \
		'grep " /scratch " /proc/mounts; stat -c %a /scratch; echo x > /scratch/f && cat /scratch/f') || return 1
	echo "$out" | grep -q '^tmpfs /scratch tmpfs .*size=2048k' || { echo "no 2m tmpfs: $out"; return 1; }
	echo "$out" | grep -q '^1770$' || { echo "mode not 1770: $out"; return 1; }
	echo "$out" | grep -q '^x$' || { echo "not writable: $out"; return 1; }
}
run_volumes() {
	local v=$tmp/vol-rw w=$tmp/vol-ro
	mkdir -p "$v" "$w" && echo in >"$v/in" && echo ro >"$w/file"
	out=$("${P[@]}" run "${R[@]}" -v "$v:/data" -v "$w:/ro:ro" "$img" sh -c \
		'cat /data/in /ro/file; echo out > /data/out; touch /ro/x 2>/dev/null && echo ro-written; true') || return 1
	[ "$out" = "$(printf 'in\nro')" ] || { echo "inside: $out"; return 1; }
	[ "$(cat "$v/out" 2>/dev/null)" = out ] || { echo "write through -v did not reach the host"; return 1; }
	[ ! -e "$w/x" ] || { echo ":ro volume was written"; return 1; }
}
detach_logs() {
	id=$("${P[@]}" run -d "${D[@]}" "$img" sh -c 'echo to-stdout; echo to-stderr >&2') || return 1
	"${P[@]}" wait "$id" >/dev/null || return 1
	out=$("${P[@]}" logs "$id" 2>&1)
	"${P[@]}" rm "$id" >/dev/null
	[ "$out" = "$(printf 'to-stdout\nto-stderr')" ] || { echo "logs: $out"; return 1; }
}
cap_drop() {
	out=$("${P[@]}" run "${R[@]}" --cap-drop CHOWN "$img" sh -c \
		'grep CapEff /proc/self/status; chown 1 /tmp 2>/dev/null && echo chowned; true') || return 1
	case "$out" in *chowned*) echo "chown worked: $out"; return 1 ;; esac
	eff=$(echo "$out" | awk '/CapEff/ { print $2 }')
	[ -n "$eff" ] && [ $((0x$eff & 1)) = 0 ] && [ $((0x$eff & 0x20)) != 0 ] ||
		{ echo "CapEff $eff: CAP_CHOWN (bit 0) should be gone, CAP_KILL (bit 5) kept"; return 1; }
}
no_new_privs() {
	out=$("${P[@]}" run "${R[@]}" --security-opt no-new-privileges "$img" grep NoNewPrivs /proc/self/status) || return 1
	[ "$(echo "$out" | awk '{ print $2 }')" = 1 ] || { echo "$out"; return 1; }
}
seccomp_default() {
	# podman's default profile (containers-common's seccomp.json): add_key and
	# request_key are not on its list (ENOSYS, its defaultErrnoRet 38), personality
	# only with the listed personas; without a profile the same calls get EFAULT / 0
	out=$("${P[@]}" run "${R[@]}" "$img" sh -c 'grep Seccomp: /proc/self/status; sysprobe; echo busybox-works') || return 1
	[ "$out" = "$(printf 'Seccomp:\t2\nadd_key 38\nrequest_key 38\npersonality 38\nbusybox-works')" ] ||
		{ echo "with the default profile: $out"; return 1; }
	out=$("${P[@]}" run "${R[@]}" --security-opt seccomp=unconfined "$img" sh -c 'grep Seccomp: /proc/self/status; sysprobe') ||
		return 1
	[ "$out" = "$(printf 'Seccomp:\t0\nadd_key 14\nrequest_key 14\npersonality 0')" ] ||
		{ echo "unconfined: $out"; return 1; }
}
pids_limit() {
	out=$("${P[@]}" run "${R[@]}" --pids-limit 12 "$img" sh -c "$(cg pids pids.max pids.max);"'
		i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i+1)); done; echo started $i' 2>&1)
	echo "$out" | grep -q '^12$' || { echo "no pids.max 12: $out"; return 1; }
	case "$out" in *"started 40"*) echo "40 forks under a limit of 12: $out"; return 1 ;; esac
	echo "$out" | grep -qi "fork" || { echo "no fork failure: $out"; return 1; }
}
memory_limit() {
	# the hog is a child, so the shell lives on to read the cgroup's OOM kill count
	# (podman's OOMKilled stays false here even with runc: conmon 2.1.6 sees the OOM but
	# writes its "oom" marker into its working directory, where podman does not look)
	out=$("${P[@]}" run "${R[@]}" --memory 32m --memory-swap 32m "$img" sh -c \
		"$(cg memory memory.limit_in_bytes memory.max)"'; dd if=/dev/zero of=/dev/null bs=128M count=1; echo status $?
		 f=/sys/fs/cgroup/memory/memory.oom_control; [ -e $f ] || f=/sys/fs/cgroup/memory.events; grep -w oom_kill $f') ||
		return 1
	[ "$(echo "$out" | head -1)" = 33554432 ] || { echo "limit: $out"; return 1; }
	echo "$out" | grep -q '^status 137$' || { echo "the hog was not killed: $out"; return 1; }
	echo "$out" | grep -q '^oom_kill [1-9]' || { echo "no OOM kill counted: $out"; return 1; }
}
cpus_limit() {
	out=$("${P[@]}" run "${R[@]}" --cpus 0.5 "$img" sh -c \
		'f=/sys/fs/cgroup/cpu,cpuacct; [ -d $f ] || f=/sys/fs/cgroup/cpu; [ -d $f ] || { cat /sys/fs/cgroup/cpu.max; exit; }
		 echo $(cat $f/cpu.cfs_quota_us) $(cat $f/cpu.cfs_period_us)') || return 1
	[ "$out" = "50000 100000" ] || { echo "quota period: $out"; return 1; }
}
run_init() {
	out=$("${P[@]}" run "${R[@]}" --init "$img" sh -c 'echo $$; tr "\0" " " < /proc/1/cmdline') || return 1
	[ "$(echo "$out" | head -1)" != 1 ] || { echo "the shell is pid 1: $out"; return 1; }
	echo "$out" | tail -1 | grep -q '^/run/podman-init -- sh' || { echo "pid 1 is not podman's init: $out"; return 1; }
}
rm_running() {
	id=$("${P[@]}" run -d "${D[@]}" "$img" sleep 1000) || return 1
	pid=$("${P[@]}" inspect -f '{{.State.Pid}}' "$id")
	"${P[@]}" rm -f -t 0 "$id" >/dev/null || return 1
	"${P[@]}" container exists "$id" && { echo "still there"; return 1; }
	[ ! -e "/proc/$pid" ] || [ "$(cat /proc/$pid/stat 2>/dev/null | awk '{ print $3 }')" = Z ] ||
		{ echo "pid $pid still runs"; return 1; }
}
twenty_in_a_row() {
	# podman passes no --root: the runtime keeps its state in its default, /run/NAME
	local i ids=() before after rtroot=/run/$(basename "$rt")
	before=$(grep -c " $tmp" /proc/self/mountinfo)
	for i in $(seq 20); do
		out=$("${P[@]}" run "${R[@]}" --cidfile "$tmp/cid$i" "$img" echo "n$i") || { echo "run $i: $out"; return 1; }
		[ "$out" = "n$i" ] || { echo "run $i said: $out"; return 1; }
		ids+=("$(cat "$tmp/cid$i")")
	done
	after=$(grep -c " $tmp" /proc/self/mountinfo)
	[ "$before" = "$after" ] || { echo "mounts under $tmp: $before before, $after after"; return 1; }
	[ -z "$("${P[@]}" ps -aq)" ] || { echo "containers left: $("${P[@]}" ps -a)"; return 1; }
	for id in "${ids[@]}"; do
		left=$(find /sys/fs/cgroup -maxdepth 3 -name "*$id*" 2>/dev/null; ls -d "$rtroot/$id" 2>/dev/null)
		[ -z "$left" ] || { echo "left behind: $left"; return 1; }
	done
}
bad_config() {
	# this host denies raising the hard nofile limit: every runtime fails create, and
	# podman must show the runtime's own reason
	out=$("${P[@]}" run --rm --network none --ulimit nproc=1000:2000 --ulimit nofile=1024:1048577 "$img" echo ran 2>&1); rc=$?
	[ $rc != 0 ] || { echo "it ran: $out"; return 1; }
	case "$out" in *"$rt"*) ;; *) echo "no runtime message: $out"; return 1 ;; esac
	echo "$out" | grep -Eqi "rlimit.*(7|nofile).*(operation not permitted|EPERM)" ||
		{ echo "podman shows no rlimit reason: $out"; return 1; }
	[ -z "$("${P[@]}" ps -aq)" ] || { echo "containers left: $("${P[@]}" ps -a)"; return 1; }
	# jsyd-oci's own: a sandbox policy it cannot parse, given the way a podman user
	# gives one (--annotation); another runtime ignores the annotation and runs
	out=$("${P[@]}" run "${R[@]}" --annotation org.jsyd.policy='allow/rread+/etc/**' "$img" echo ran 2>&1); rc=$?
	if "$rt" --version 2>/dev/null | grep -q '^jsyd-oci'; then
		[ $rc != 0 ] || { echo "a bad policy ran: $out"; return 1; }
		echo "$out" | grep -q "annotation org.jsyd.policy in .*config.json:1: unknown category 'rread'" ||
			{ echo "podman shows no policy error: $out"; return 1; }
	else
		[ $rc = 0 ] && [ "$out" = ran ] || { echo "status $rc: $out"; return 1; }
	fi
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
check "run --user 1000:1001 --group-add" run_user
check "run --read-only" run_read_only
check "run --tmpfs (size, mode)" run_tmpfs
check "run -v rw and :ro volumes" run_volumes
check "run -d, wait, logs (stdout, stderr)" detach_logs
check "--cap-drop CHOWN" cap_drop
check "--security-opt no-new-privileges" no_new_privs
check "default seccomp profile" seccomp_default
check "--pids-limit (fork refused)" pids_limit
check "--memory (limit, OOM kill 137)" memory_limit
check "--cpus 0.5 (cfs quota, period)" cpus_limit
check "--init (podman's catatonit is pid 1)" run_init
check "rm -f of a running container" rm_running
check "20 containers in a row, nothing left" twenty_in_a_row
check "bad config: the runtime's reason shown" bad_config
echo "podman: $pass passed, $fail failed"
[ $fail = 0 ]
