# shellcheck shell=bash
# seccomp: config-linux.md "Seccomp", checked by what a syscall does in the
# container: mkdir(2) for actions and errno values (busybox mkdir prints
# strerror), kill(2) with harmless signals for the argument operators.

# shellcheck source=../lib-b.sh
. "$SPEC_DIR/lib-b.sh"

# seccomp JSON: sets linux.seccomp.
seccomp() { cfg --argjson s "$1" '.linux.seccomp = $s'; }

# a rule for mkdir and mkdirat with ACTION (and more fields as JSON)
mkdir_rule() { # action [extra-json]
	jq -n --arg a "$1" --argjson x "${2:-{\}}" '{names: ["mkdir", "mkdirat"], action: $a} + $x'
}

# try_mkdir: the container's sh runs mkdir in a subshell and prints its status
# and message; the container itself must survive.
TRY_MKDIR='( mkdir /cbdir ) 2>&1; echo "status $?"'

spec_test seccomp_errno_eperm MUST "SCMP_ACT_ERRNO without errnoRet returns EPERM (config-linux.md#seccomp)"
t_seccomp_errno_eperm() {
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [$(mkdir_rule SCMP_ACT_ERRNO)]}"
	in_ct "$TRY_MKDIR" || return 1
	has "$OUT" "Operation not permitted" "mkdir" && has "$OUT" "status 1" "mkdir"
}

spec_test seccomp_errno_ret MUST "errnoRet is the errno an SCMP_ACT_ERRNO rule returns (config-linux.md#seccomp)"
t_seccomp_errno_ret() {
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [$(mkdir_rule SCMP_ACT_ERRNO '{"errnoRet": 28}')]}"
	in_ct "$TRY_MKDIR" || return 1
	has "$OUT" "No space left on device" "mkdir (errnoRet 28, ENOSPC)"
}

# an allow list: the ALLOW names of podman's default profile that need no
# argument check and no capability (x86-64 ones too), less mkdir and mkdirat
allow_list() {
	local p=/usr/share/containers/seccomp.json
	[ -r "$p" ] || return 1
	jq -c '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW" and (.args // []) == []
		and (.includes.caps // []) == [] and (.excludes // {}) == {}
		and ((.includes.arches // ["amd64"]) | index("amd64"))) | .names[]]
		| unique - ["mkdir", "mkdirat"]' "$p"
}

spec_test seccomp_default_action MUST "defaultAction SCMP_ACT_ERRNO applies to every syscall no rule allows, EPERM by default (config-linux.md#seccomp)"
t_seccomp_default_action() {
	local names; names=$(allow_list) || { skip "no /usr/share/containers/seccomp.json to take an allow list from"; return; }
	seccomp "$(jq -n --argjson n "$names" '{defaultAction: "SCMP_ACT_ERRNO", syscalls: [{names: $n, action: "SCMP_ACT_ALLOW"}]}')"
	in_ct "echo allowed; $TRY_MKDIR" || return 1
	has "$OUT" allowed "allowed syscalls" && has "$OUT" "Operation not permitted" "mkdir under the default action"
}

spec_test seccomp_default_errno_ret MUST "defaultErrnoRet is the errno of defaultAction SCMP_ACT_ERRNO (config-linux.md#seccomp)"
t_seccomp_default_errno_ret() {
	local names; names=$(allow_list) || { skip "no /usr/share/containers/seccomp.json to take an allow list from"; return; }
	seccomp "$(jq -n --argjson n "$names" '{defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 38, syscalls: [{names: $n, action: "SCMP_ACT_ALLOW"}]}')"
	in_ct "$TRY_MKDIR" || return 1
	has "$OUT" "Function not implemented" "mkdir (defaultErrnoRet 38, ENOSYS)"
}

# the action kills: the subshell that calls mkdir dies of SIGSYS (128 + 31)
killed_by() {
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [$(mkdir_rule "$1")]}"
	in_ct "$TRY_MKDIR; test -d /cbdir && echo MADE; true" || return 1
	has "$OUT" "status 159" "status of the subshell that called mkdir" && hasnt "$OUT" MADE "/cbdir"
}
spec_test seccomp_kill MUST "SCMP_ACT_KILL kills the caller with SIGSYS (config-linux.md#seccomp)"
t_seccomp_kill() { killed_by SCMP_ACT_KILL; }
spec_test seccomp_kill_process MUST "SCMP_ACT_KILL_PROCESS kills the calling process with SIGSYS (config-linux.md#seccomp)"
t_seccomp_kill_process() { killed_by SCMP_ACT_KILL_PROCESS; }
spec_test seccomp_kill_thread MUST "SCMP_ACT_KILL_THREAD kills the calling thread (config-linux.md#seccomp)"
t_seccomp_kill_thread() { killed_by SCMP_ACT_KILL_THREAD; }
spec_test seccomp_trap MUST "SCMP_ACT_TRAP sends SIGSYS to the caller (config-linux.md#seccomp)"
t_seccomp_trap() { killed_by SCMP_ACT_TRAP; }

spec_test seccomp_kill_init MUST "a killed container process gives the runtime's status 128+SIGSYS (config-linux.md#seccomp)"
t_seccomp_kill_init() {
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [$(mkdir_rule SCMP_ACT_KILL_PROCESS)]}"
	cfg '.process.args = ["mkdir", "/cbdir"]'
	run_ctr
	eq "$RC" 159 "status of run" && eq "$(ls -d "$B/rootfs/cbdir" 2>/dev/null)" "" "/cbdir on the host"
}

spec_test seccomp_log MUST "SCMP_ACT_LOG lets the syscall run (config-linux.md#seccomp)"
t_seccomp_log() {
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [$(mkdir_rule SCMP_ACT_LOG)]}"
	in_ct "$TRY_MKDIR" || return 1
	has "$OUT" "status 0" "mkdir under SCMP_ACT_LOG" && [ -d "$B/rootfs/cbdir" ] || fail "no /cbdir on the host"
}

spec_test seccomp_trace MUST "SCMP_ACT_TRACE with no tracer attached fails the syscall with ENOSYS (config-linux.md#seccomp)"
t_seccomp_trace() {
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [$(mkdir_rule SCMP_ACT_TRACE)]}"
	in_ct "$TRY_MKDIR" || return 1
	has "$OUT" "Function not implemented" "mkdir under SCMP_ACT_TRACE, no tracer"
}

spec_test seccomp_allow MUST "an SCMP_ACT_ALLOW rule overrides an SCMP_ACT_ERRNO default for its syscalls (config-linux.md#seccomp)"
t_seccomp_allow() {
	local names; names=$(allow_list) || { skip "no /usr/share/containers/seccomp.json to take an allow list from"; return; }
	seccomp "$(jq -n --argjson n "$names" '{defaultAction: "SCMP_ACT_ERRNO",
		syscalls: [{names: $n, action: "SCMP_ACT_ALLOW"}, {names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ALLOW"}]}')"
	in_ct "$TRY_MKDIR" || return 1
	has "$OUT" "status 0" "mkdir allowed by its rule"
}

# argument operators on kill(2)'s signal (index 1): the container sends
# signals 0, 17 (CHLD), 18 (CONT), 23 (URG) and 28 (WINCH), all harmless to a
# sleep, and prints which were refuses_bundle (ERRNO) as "-N". The sleep goes with the
# pid namespace when sh, its init, exits.
KILLS='sleep 30 & p=$!; for s in 0 17 18 23 28; do kill -$s $p 2>/dev/null && printf "+%s " $s || printf -- "-%s " $s; done'
kill_op() { # op value [valueTwo], then the expected line
	local rule
	rule=$(jq -n --arg op "$1" --argjson v "$2" --argjson v2 "${3:-null}" \
		'{names: ["kill"], action: "SCMP_ACT_ERRNO", args: [{index: 1, value: $v, op: $op} + (if $v2 == null then {} else {valueTwo: $v2} end)]}')
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [$rule]}"
	in_ct "$KILLS" || return 1
	eq "$(printf '%s' "$OUT" | sed 's/ *$//')" "$4" "signals sent (+) and refuses_bundle (-) under $1 $2 ${3:-}"
}
spec_test seccomp_op_eq MUST "args operator SCMP_CMP_EQ (config-linux.md#seccomp)"
t_seccomp_op_eq() { kill_op SCMP_CMP_EQ 18 '' "+0 +17 -18 +23 +28"; }
spec_test seccomp_op_ne MUST "args operator SCMP_CMP_NE (config-linux.md#seccomp)"
t_seccomp_op_ne() { kill_op SCMP_CMP_NE 18 '' "-0 -17 +18 -23 -28"; }
spec_test seccomp_op_lt MUST "args operator SCMP_CMP_LT (config-linux.md#seccomp)"
t_seccomp_op_lt() { kill_op SCMP_CMP_LT 18 '' "-0 -17 +18 +23 +28"; }
spec_test seccomp_op_le MUST "args operator SCMP_CMP_LE (config-linux.md#seccomp)"
t_seccomp_op_le() { kill_op SCMP_CMP_LE 18 '' "-0 -17 -18 +23 +28"; }
spec_test seccomp_op_gt MUST "args operator SCMP_CMP_GT (config-linux.md#seccomp)"
t_seccomp_op_gt() { kill_op SCMP_CMP_GT 18 '' "+0 +17 +18 -23 -28"; }
spec_test seccomp_op_ge MUST "args operator SCMP_CMP_GE (config-linux.md#seccomp)"
t_seccomp_op_ge() { kill_op SCMP_CMP_GE 18 '' "+0 +17 -18 -23 -28"; }
spec_test seccomp_op_masked_eq MUST "args operator SCMP_CMP_MASKED_EQ: (arg & value) == valueTwo (config-linux.md#seccomp)"
t_seccomp_op_masked_eq() { kill_op SCMP_CMP_MASKED_EQ 1 1 "+0 -17 +18 -23 +28"; }

spec_test seccomp_args_and MUST "the args of one rule must all match (config-linux.md#seccomp)"
t_seccomp_args_and() {
	# kill(pid > 0, 18) is refused; kill(0, 18) (the container's own process
	# group, which ignores SIGCONT) and kill(pid, 28) are not
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 0, "value": 0, "op": "SCMP_CMP_GT"}, {"index": 1, "value": 18, "op": "SCMP_CMP_EQ"}]}]}'
	in_ct 'sleep 30 & p=$!; for t in "-18 $p" "-18 0" "-28 $p"; do kill $t 2>/dev/null && printf "+ " || printf -- "- "; done'
	eq "$(printf '%s' "$OUT" | sed 's/ *$//')" "- + +" "kill -18 PID, kill -18 0, kill -28 PID (- refused)"
}

spec_test seccomp_rules_or MUST "several rules for one syscall each apply (config-linux.md#seccomp)"
t_seccomp_rules_or() {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 17, "op": "SCMP_CMP_EQ"}]},
		{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 28, "op": "SCMP_CMP_EQ"}]}]}'
	in_ct "$KILLS" || return 1
	eq "$(printf '%s' "$OUT" | sed 's/ *$//')" "+0 -17 +18 +23 -28" "signals sent (+) and refuses_bundle (-)"
}

spec_test seccomp_architectures MUST "architectures adds the listed ABIs; rules still hold for the native one (config-linux.md#seccomp)"
t_seccomp_architectures() {
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],
		\"syscalls\": [$(mkdir_rule SCMP_ACT_ERRNO '{"errnoRet": 28}')]}"
	in_ct "$TRY_MKDIR" || return 1
	has "$OUT" "No space left on device" "mkdir"
}

spec_test seccomp_flag_log MUST "flags SECCOMP_FILTER_FLAG_LOG is accepted and the filter applies (config-linux.md#seccomp)"
t_seccomp_flag_log() {
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"], \"syscalls\": [$(mkdir_rule SCMP_ACT_ERRNO)]}"
	in_ct "$TRY_MKDIR" || return 1
	has "$OUT" "Operation not permitted" "mkdir"
}

spec_test seccomp_flag_spec_allow MUST "flags SECCOMP_FILTER_FLAG_SPEC_ALLOW: the filter applies and does not force the speculative store bypass mitigation (config-linux.md#seccomp)"
t_seccomp_flag_spec_allow() {
	# without the flag, a kernel booted with spec_store_bypass_disable=seccomp
	# shows "thread force mitigated" for any filtered process; with it, never
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"], \"syscalls\": [$(mkdir_rule SCMP_ACT_ERRNO)]}"
	in_ct "grep Speculation_Store_Bypass /proc/self/status; $TRY_MKDIR" || return 1
	has "$OUT" "Operation not permitted" "mkdir" && hasnt "$OUT" "force mitigated" "with SPEC_ALLOW"
}

spec_test seccomp_errno_ret_bad_action MUST "errnoRet on an action that takes no errno is an error (config-linux.md#seccomp)"
t_seccomp_errno_ret_bad_action() {
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [$(mkdir_rule SCMP_ACT_KILL '{"errnoRet": 28}')]}"
	refuses_bundle
}

spec_test seccomp_listener_unreachable MUST "SCMP_ACT_NOTIFY with a listenerPath nobody listens on is an error (config-linux.md#seccomp)"
t_seccomp_listener_unreachable() {
	seccomp "$(jq -n --arg p "$B/no-listener.sock" --argjson r "$(mkdir_rule SCMP_ACT_NOTIFY)" \
		'{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p, syscalls: [$r]}')"
	refuses_bundle
}

spec_test seccomp_listener_state MUST "SCMP_ACT_NOTIFY: the listener gets the container process state and the seccomp fd by SCM_RIGHTS (config-linux.md#container-process-state)"
t_seccomp_listener_state() {
	command -v python3 >/dev/null || { skip "no python3 for the listener"; return; }
	local sock=$B/listener.sock got=$B/listener.json
	python3 - "$sock" "$got" <<'PY' &
import json, socket, sys
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1]); srv.listen(1); srv.settimeout(30)
conn, _ = srv.accept()
data, fds, _, _ = socket.recv_fds(conn, 65536, 8)
while True:  # the state may come in several writes; fds only in the first
    try:
        msg = json.loads(data); break
    except ValueError:
        more = conn.recv(65536)
        if not more: raise
        data += more
msg["_nfds"] = len(fds)
open(sys.argv[2], "w").write(json.dumps(msg))
for fd in fds: __import__("os").close(fd)  # closing the notify fd fails the syscall
PY
	local lp=$!
	local i; for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	seccomp "$(jq -n --arg p "$sock" --argjson r "$(mkdir_rule SCMP_ACT_NOTIFY)" \
		'{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p, listenerMetadata: "cb-meta", syscalls: [$r]}')"
	in_ct_status "$TRY_MKDIR"
	kill "$lp" 2>/dev/null
	wait "$lp" 2>/dev/null
	[ -s "$got" ] || fail "the listener got nothing (run status $RC: $ERR)"
	eq "$(jq -c '[.fds, .metadata, .state.id, ._nfds, (.pid > 0), .ociVersion != null]' "$got")" \
		"[[\"seccompFd\"],\"cb-meta\",\"$CID\",1,true,true]" "fds, metadata, state.id, fds received, pid, ociVersion"
}
