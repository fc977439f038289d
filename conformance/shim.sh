#!/usr/bin/env bash
# shim.sh RUNTIME: a private containerd 1.6 (its own root, state, sockets and
# config) with containerd-shim-jsyd-v2 on its PATH runs tasks with
# `--runtime io.containerd.jsyd.v2`: the shim hosts the containers itself (no
# runc binary involved). RUNTIME is the jsyd-oci launcher; the shim's launcher is
# found beside it (installed) or in the build tree's shim/target/jsyd-shim. Other
# runtimes have no such shim: SKIP. One PASS/FAIL line per scenario; exits 1 when
# one fails. Stops containerd and removes everything at the end.
set -u
. "$(dirname "$0")/lib/containerd.bash"
rt=${1:?usage: shim.sh RUNTIME}
[ "$(basename "$rt")" = jsyd-oci ] || { echo "SKIP shim: $rt is not jsyd-oci (the shim is jsyd-oci's own)"; exit 0; }
rtdir=$(cd "$(dirname "$rt")" && pwd)
shim=$rtdir/containerd-shim-jsyd-v2
[ -x "$shim" ] || shim=$rtdir/../../../../shim/target/jsyd-shim/bin/containerd-shim-jsyd-v2
[ -x "$shim" ] || { echo "SKIP shim: no containerd-shim-jsyd-v2 beside $rt or in the build tree"; exit 0; }
for tool in containerd ctr podman; do
	command -v $tool >/dev/null || { echo "SKIP shim: $tool not installed"; exit 0; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP shim: needs root"; exit 0; }
[ -x /bin/busybox ] || { echo "SKIP shim: needs busybox-static at /bin/busybox"; exit 0; }

tmp=$(mktemp -d /tmp/jsyd-shim.XXXXXX)
P=(podman --root "$tmp/podman" --runroot "$tmp/podman-run" --tmpdir "$tmp/tmp" --storage-driver vfs)
C=(ctr --address "$tmp/containerd.sock")
R=(--runtime io.containerd.jsyd.v2 --snapshotter native)
img=localhost/jsyd-busybox:shim
cpid=
cleanup() {
	for t in $("${C[@]}" task ls -q 2>/dev/null); do "${C[@]}" task kill -s KILL "$t" >/dev/null 2>&1; done
	sleep 0.2
	for t in $("${C[@]}" task ls -q 2>/dev/null); do "${C[@]}" task delete -f "$t" >/dev/null 2>&1; done
	for c in $("${C[@]}" container ls -q 2>/dev/null); do "${C[@]}" container rm "$c" >/dev/null 2>&1; done
	[ -n "$cpid" ] && kill "$cpid" 2>/dev/null && wait "$cpid" 2>/dev/null
	# shims still serving (a failed scenario) were started for this containerd only
	for s in $(pgrep -f "jsyd.shim.launcher=.*-address $tmp/containerd.sock" 2>/dev/null); do kill -9 "$s" 2>/dev/null; done
	# the shims' state root for this containerd (ShimPaths.stateRoot: a hash of its address)
	rm -rf "/run/jsyd-oci-shim/$(printf %s "$tmp/containerd.sock" | sha256sum | cut -c1-16)"
	"${P[@]}" system reset -f >/dev/null 2>&1
	grep -q " $tmp/" /proc/self/mountinfo && awk -v t="$tmp/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/rootfs"/{bin,etc,proc,sys,dev,tmp,root} "$tmp/bin"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$tmp/rootfs/bin/$a"; done
cp /bin/busybox "$tmp/rootfs/bin/busybox"
echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/rootfs/etc/passwd"
echo 'not for the container' >"$tmp/rootfs/etc/secret"
tar -C "$tmp/rootfs" -cf "$tmp/rootfs.tar" .
"${P[@]}" import "$tmp/rootfs.tar" "$img" >/dev/null 2>&1 &&
	"${P[@]}" save --format oci-archive -o "$tmp/image.tar" "$img" >/dev/null 2>&1 || { echo "FAIL image"; exit 1; }

# containerd looks the shim up on its PATH by the runtime's name
ln -s "$(cd "$(dirname "$shim")" && pwd)/containerd-shim-jsyd-v2" "$tmp/bin/containerd-shim-jsyd-v2"
start_containerd "$tmp" "$tmp/root" "$tmp/state" "$tmp/image.tar" "$tmp/bin"

pass=0 fail=0
# SHIM_ONLY=PATTERN runs only the scenarios whose name matches (while working on one)
check() {
	local name=$1; shift
	[ -n "${SHIM_ONLY:-}" ] && ! [[ $name =~ $SHIM_ONLY ]] && return 0
	if out=$("$@" 2>&1); then
		pass=$((pass + 1)); echo "PASS $name"
	else
		fail=$((fail + 1)); printf 'FAIL %s\n%s\n' "$name" "$out" | head -20
	fi
}
task_status() { "${C[@]}" task ls | awk -v t="$1" '$1 == t { print $3 }'; }
await_status() {
	for _ in $(seq 100); do [ "$(task_status "$1")" = "$2" ] && return 0; sleep 0.1; done
	echo "$1 is $(task_status "$1"), not $2"; return 1
}

run_output_and_status() {
	out=$("${C[@]}" run --rm "${R[@]}" "$img" s1 sh -c 'echo hello $$; echo oops >&2; exit 3' 2>"$tmp/s1.err"); rc=$?
	[ $rc = 3 ] || { echo "status $rc: $out $(cat "$tmp/s1.err")"; return 1; }
	[ "$out" = "hello 1" ] || { echo "output: $out"; return 1; }
	[ "$(cat "$tmp/s1.err")" = oops ] || { echo "stderr: $(cat "$tmp/s1.err")"; return 1; }
	[ -z "$("${C[@]}" container ls -q | grep -x s1)" ] || { echo "--rm left the container"; return 1; }
}
run_stdin() {
	out=$(printf 'one\ntwo\n' | "${C[@]}" run --rm "${R[@]}" "$img" s2 sh -c 'wc -l'); rc=$?
	[ $rc = 0 ] && [ "$(echo $out)" = 2 ] || { echo "status $rc, output: $out"; return 1; }
}
detached_exec_kill_delete() {
	"${C[@]}" run -d "${R[@]}" "$img" s3 sleep 1000 >/dev/null || return 1
	await_status s3 RUNNING || return 1
	# in the container's pid namespace: its pid 1 is the sleep
	out=$("${C[@]}" task exec --exec-id e1 s3 sh -c 'echo in $(cat /proc/1/comm); exit 5'); rc=$?
	[ $rc = 5 ] || { echo "exec status $rc"; return 1; }
	[ "$out" = "in sleep" ] || { echo "exec output: $out"; return 1; }
	pid=$("${C[@]}" task ls | awk '$1 == "s3" { print $2 }')
	"${C[@]}" task ps s3 | grep -q "^$pid " || { echo "task ps misses $pid: $("${C[@]}" task ps s3)"; return 1; }
	"${C[@]}" task kill -s KILL s3 || return 1
	await_status s3 STOPPED || return 1
	"${C[@]}" task delete s3 >/dev/null || return 1
	"${C[@]}" container rm s3 && [ -z "$(task_status s3)" ]
}
pause_resume() {
	"${C[@]}" run -d "${R[@]}" "$img" s4 sleep 1000 >/dev/null || return 1
	await_status s4 RUNNING || return 1
	out=$("${C[@]}" task metrics s4) || { echo "metrics: $out"; return 1; }
	echo "$out" | grep -Eq '^pids.current +1 ' || { echo "metrics without pids.current 1: $out"; return 1; }
	echo "$out" | grep -Eq '^memory.usage_in_bytes +[1-9]' || { echo "metrics without memory usage: $out"; return 1; }
	"${C[@]}" task pause s4 && await_status s4 PAUSED || return 1
	"${C[@]}" task resume s4 && await_status s4 RUNNING || return 1
	"${C[@]}" task kill -s KILL s4 || return 1
	await_status s4 STOPPED || return 1
	"${C[@]}" task delete s4 >/dev/null && "${C[@]}" container rm s4
}
# ctr -t wants a terminal of its own: script(1) gives it one
terminal() {
	command -v script >/dev/null || { echo "no script(1) to give ctr a terminal"; return 1; }
	out=$(timeout 60 script -qec "${C[*]} run -t --rm ${R[*]} $img s5 sh -c 'tty; exit 4'" /dev/null); rc=$?
	[ $rc = 4 ] || { echo "status $rc: $out"; return 1; }
	case $out in *"/dev/pts/0"*) ;; *) echo "no pty in: $out"; return 1 ;; esac
	"${C[@]}" run -d "${R[@]}" "$img" s6 sleep 1000 >/dev/null || return 1
	await_status s6 RUNNING || return 1
	out=$(timeout 60 script -qec "${C[*]} task exec -t --exec-id e1 s6 sh -c 'tty; exit 6'" /dev/null); rc=$?
	[ $rc = 6 ] || { echo "exec -t status $rc: $out"; return 1; }
	case $out in *"/dev/pts/"*) ;; *) echo "exec -t has no pty: $out"; return 1 ;; esac
	"${C[@]}" task kill -s KILL s6 && await_status s6 STOPPED && "${C[@]}" task delete s6 >/dev/null &&
		"${C[@]}" container rm s6
}
# the shim's events reach containerd (which decodes them for ctr events), the OOM one included
events_and_oom() {
	"${C[@]}" events >"$tmp/events.log" 2>&1 &
	local epid=$!
	sleep 0.5
	"${C[@]}" run --rm "${R[@]}" --memory-limit 16777216 "$img" s7 sh -c 'x=a; while true; do x=$x$x; done'; rc=$?
	sleep 1
	kill $epid 2>/dev/null; wait $epid 2>/dev/null
	[ $rc = 137 ] || { echo "status $rc, not 137 (OOM-killed)"; return 1; }
	for topic in /tasks/create /tasks/start /tasks/oom /tasks/exit /tasks/delete; do
		grep "$topic" "$tmp/events.log" | grep -q '"s7"' || { echo "no $topic event for s7:"; cat "$tmp/events.log"; return 1; }
	done
	grep /tasks/exit "$tmp/events.log" | grep -q '"exit_status":137' || { echo "exit event without 137"; return 1; }
}
# containers with one sandbox id (as CRI labels a pod's) share one shim: their inits have one parent
one_shim_per_pod() {
	local a=(--annotation io.kubernetes.cri.sandbox-id=pod1)
	"${C[@]}" run -d "${R[@]}" "${a[@]}" "$img" s9 sleep 1000 >/dev/null || return 1
	"${C[@]}" run -d "${R[@]}" "${a[@]}" "$img" s10 sleep 1000 >/dev/null || return 1
	"${C[@]}" run -d "${R[@]}" "$img" s11 sleep 1000 >/dev/null || return 1
	await_status s9 RUNNING && await_status s10 RUNNING && await_status s11 RUNNING || return 1
	ppid() { awk '/^PPid:/ { print $2 }' "/proc/$("${C[@]}" task ls | awk -v t="$1" '$1 == t { print $2 }')/status"; }
	[ "$(ppid s9)" = "$(ppid s10)" ] || { echo "s9 and s10 have different shims: $(ppid s9) $(ppid s10)"; return 1; }
	[ "$(ppid s9)" != "$(ppid s11)" ] || { echo "s11 (no pod) shares the pod's shim"; return 1; }
	local shim9; shim9=$(ppid s9)
	for t in s9 s10 s11; do "${C[@]}" task kill -s KILL $t; done
	for t in s9 s10 s11; do await_status $t STOPPED || return 1; done
	"${C[@]}" task delete s9 >/dev/null && "${C[@]}" container rm s9 || return 1
	# the pod's shim serves on while one of its containers is left
	kill -0 "$shim9" 2>/dev/null || { echo "the pod's shim left with a container still there"; return 1; }
	"${C[@]}" task delete s10 >/dev/null && "${C[@]}" task delete s11 >/dev/null && "${C[@]}" container rm s10 s11 || return 1
	for _ in $(seq 50); do kill -0 "$shim9" 2>/dev/null || return 0; sleep 0.1; done
	echo "the pod's shim $shim9 is still there after its last container"; return 1
}
missing_program() {
	out=$("${C[@]}" run --rm "${R[@]}" "$img" s8 /no/such/program 2>&1) && { echo "it ran: $out"; return 1; }
	echo "$out" | grep -q "exec /no/such/program: ENOENT" || { echo "error without the path: $out"; return 1; }
	"${C[@]}" container rm s8 >/dev/null 2>&1
	true
}
twenty_in_a_row() {
	for i in $(seq 20); do
		out=$("${C[@]}" run --rm "${R[@]}" "$img" "r$i" sh -c "echo run $i") || { echo "run $i failed: $out"; return 1; }
		[ "$out" = "run $i" ] || { echo "run $i printed: $out"; return 1; }
	done
	[ -z "$("${C[@]}" container ls -q)" ] || { echo "left: $("${C[@]}" container ls -q)"; return 1; }
}

# The sandbox policy in the shim (no supervisor daemon): its decisions go to the
# container's sandbox log under the shim's state root (ShimPaths.stateRoot:
# /run/jsyd-oci-shim/<hash of containerd's address>/<namespace>/ID/sandbox.log).
sroot=/run/jsyd-oci-shim/$(printf %s "$tmp/containerd.sock" | sha256sum | cut -c1-16)/default
read_policy=$(printf '%s\n' 'sandbox/read:on' 'allow/read+/***' 'deny/read+/etc/secret')
logged() { # log file, pattern: the line shows up
	for _ in $(seq 50); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	echo "no line like $2 in $1:"; cat "$1" 2>&1; return 1
}
confined() {
	"${C[@]}" run -d "${R[@]}" --annotation "org.jsyd.policy=$read_policy" "$img" p1 \
		sh -c 'cat /etc/secret >/dev/null 2>/tmp/err; echo "read=$? $(cat /tmp/err)" >/tmp/out; exec sleep 1000' >/dev/null || return 1
	await_status p1 RUNNING || return 1
	for _ in $(seq 50); do "${C[@]}" task exec --exec-id w p1 cat /tmp/out >/dev/null 2>&1 && break; sleep 0.1; done
	out=$("${C[@]}" task exec --exec-id r1 p1 cat /tmp/out)
	case $out in "read=1 "*"Permission denied"*) ;; *) echo "the denied read gave: $out"; return 1 ;; esac
	logged "$sroot/p1/sandbox.log" '"path":"/etc/secret".*"action":"deny".*"rule":"deny/read+/etc/secret"' || return 1
	# an allowed read works; an exec'd process is under the same policy
	out=$("${C[@]}" task exec --exec-id r2 p1 cat /etc/passwd) || { echo "allowed read: $out"; return 1; }
	case $out in root:*) ;; *) echo "allowed read gave: $out"; return 1 ;; esac
	"${C[@]}" task exec --exec-id r3 p1 cat /etc/secret >/dev/null 2>&1 && { echo "exec read the secret"; return 1; }
	[ "$(grep -c '"path":"/etc/secret"' "$sroot/p1/sandbox.log")" -ge 2 ] || { echo "the exec's denial is not logged"; cat "$sroot/p1/sandbox.log"; return 1; }
	# no supervisor daemon serves the shim's root: the shim itself supervises
	[ ! -e "$sroot/@supervisor/daemon.sock" ] || { echo "a supervisor daemon runs for the shim's root"; return 1; }
	"${C[@]}" task kill -s KILL p1 && await_status p1 STOPPED && "${C[@]}" task delete p1 >/dev/null &&
		"${C[@]}" container rm p1
}
timeout_124() {
	"${C[@]}" run --rm "${R[@]}" --annotation org.jsyd.timeout=1s "$img" p2 sleep 1000; rc=$?
	[ $rc = 124 ] || { echo "status $rc, not 124"; return 1; }
}
bad_policy() {
	out=$("${C[@]}" run --rm "${R[@]}" --annotation 'org.jsyd.policy=sandbox/read:maybe' "$img" p3 true 2>&1) &&
		{ echo "it ran: $out"; return 1; }
	echo "$out" | grep -q 'org.jsyd.policy' || { echo "error without the annotation: $out"; return 1; }
	"${C[@]}" container rm p3 >/dev/null 2>&1
	true
}
# ptrace checks hosted by the shim: TPE refuses a program in a directory others may write
ptrace_tpe() {
	"${C[@]}" run --rm "${R[@]}" --annotation 'org.jsyd.policy=sandbox/tpe:on' "$img" p4 \
		sh -c 'cp /bin/busybox /tmp/bb && chmod 1777 /tmp && /bin/true && { /tmp/bb true; exit $?; }' >"$tmp/p4.out" 2>&1; rc=$?
	[ $rc = 126 ] || { echo "status $rc, not 126: $(cat "$tmp/p4.out")"; return 1; }
}
ptrace_tpe_logged() {
	"${C[@]}" run -d "${R[@]}" --annotation 'org.jsyd.policy=sandbox/tpe:on' "$img" p5 \
		sh -c 'cp /bin/busybox /tmp/bb; chmod 1777 /tmp; /tmp/bb true; echo "rc=$?" >/out; exec sleep 1000' >/dev/null || return 1
	await_status p5 RUNNING || return 1
	logged "$sroot/p5/sandbox.log" '"category":"tpe".*"action":"deny"' || return 1
	out=$("${C[@]}" task exec --exec-id e p5 cat /out) && [ "$out" = rc=126 ] || { echo "exec'd program: $out"; return 1; }
	# a traced init's exit still reaches containerd (its tracer reaps it)
	"${C[@]}" task kill -s KILL p5 && await_status p5 STOPPED || return 1
	st=$("${C[@]}" task delete p5 2>&1) || { echo "delete: $st"; return 1; }
	"${C[@]}" container rm p5
}
# Stats as containerd-shim-runc-v2 sends them (cgroups v1 Metrics here, v2 on a
# unified host): ctr decodes both shims' answers into the same rows
metrics_like_runc() {
	command -v containerd-shim-runc-v2 >/dev/null && command -v runc >/dev/null ||
		{ echo "no containerd-shim-runc-v2 + runc to compare with"; return 1; }
	"${C[@]}" run -d "${R[@]}" "$img" m1 sleep 1000 >/dev/null || return 1
	"${C[@]}" run -d --snapshotter native "$img" m2 sleep 1000 >/dev/null || { metrics_gone; return 1; }
	compare_metrics; local rc=$?
	metrics_gone
	return $rc
}
metrics_gone() { # the two tasks go whatever the comparison said (the next scenarios count containers)
	for t in m1 m2; do "${C[@]}" task kill -s KILL $t >/dev/null 2>&1; done
	for t in m1 m2; do
		await_status $t STOPPED >/dev/null; "${C[@]}" task delete $t >/dev/null 2>&1; "${C[@]}" container rm $t >/dev/null 2>&1
	done
}
compare_metrics() {
	await_status m1 RUNNING && await_status m2 RUNNING || return 1
	keys() { echo "$1" | awk 'NR > 3 && NF >= 2 { print $1 }' | sort; }
	# the JSON form shows every sub-message a shim fills ({} when all its counters are 0;
	# scalars only when not 0, so they depend on what the process did): the same ones
	jkeys() { jq -r '[paths(type == "object") | map(tostring) | join(".")] | map(gsub("\\.[0-9]+"; "")) | unique | .[]'; }
	for _ in $(seq 20); do
		ours=$("${C[@]}" task metrics m1) || { echo "jsyd: $ours"; return 1; }
		theirs=$("${C[@]}" task metrics m2) || { echo "runc: $theirs"; return 1; }
		oj=$("${C[@]}" task metrics --format json m1 | jkeys) || return 1
		tj=$("${C[@]}" task metrics --format json m2 | jkeys) || return 1
		missing=$(comm -13 <(echo "$oj") <(echo "$tj"))
		[ -z "$missing" ] && break
		sleep 0.25
	done
	[ -n "$(keys "$ours")" ] && [ "$(keys "$ours")" = "$(keys "$theirs")" ] ||
		{ printf 'rows differ:\n--- jsyd\n%s\n--- runc\n%s\n' "$ours" "$theirs"; return 1; }
	[ -n "$tj" ] && [ -n "$oj" ] || { echo "no JSON fields from ctr task metrics --format json"; return 1; }
	[ -z "$missing" ] || { echo "messages runc's shim sends and ours lacks: $missing"; return 1; }
	# plausible: one process, some memory, some CPU time, in both
	val() { echo "$1" | awk -v k="$2" '$1 == k { print $2 }'; }
	for out in "$ours" "$theirs"; do
		[ "$(val "$out" pids.current)" = 1 ] || { echo "pids.current is not 1: $out"; return 1; }
		[ "$(val "$out" memory.usage_in_bytes)$(val "$out" memory.usage)" -gt 0 ] 2>/dev/null || { echo "no memory usage: $out"; return 1; }
		[ "$(val "$out" cpuacct.usage)$(val "$out" cpu.usage_usec)" -gt 0 ] 2>/dev/null || { echo "no CPU time: $out"; return 1; }
	done
}

check "run --rm: stdout, stderr, status 3, pid 1" run_output_and_status
check "run --rm: stdin to the end" run_stdin
check "run -d, exec (status, output), ps, kill, delete" detached_exec_kill_delete
check "metrics, pause, resume" pause_resume
check "metrics: the rows and fields of containerd-shim-runc-v2's" metrics_like_runc
check "terminal: run -t, exec -t (pty, status)" terminal
check "events: create, start, oom, exit 137, delete" events_and_oom
check "one shim per pod (CRI sandbox id), gone after its last container" one_shim_per_pod
check "missing program: the error names it" missing_program
check "20 tasks in a row" twenty_in_a_row
check "policy in the shim: denied read EACCES + logged, allowed read, exec confined" confined
check "policy in the shim: timeout gives 124" timeout_124
check "policy in the shim: a bad policy fails create, naming the annotation" bad_policy
check "policy in the shim: ptrace TPE refusal (status 126)" ptrace_tpe
check "policy in the shim: ptrace TPE logged, traced init's exit reaches containerd" ptrace_tpe_logged
if [ $fail != 0 ]; then
	echo "--- containerd log (tail)"; tail -30 "$tmp/containerd.log"
fi
echo "shim: $pass passed, $fail failed"
[ $fail = 0 ]
