# shellcheck shell=bash
# The container process: config.md#process, #posix-process, #linux-process,
# #user; runtime-linux.md#file-descriptors.

# cap_mask NAME...: the capability bit mask of the names, as a decimal number.
cap_mask() {
	local mask=0 name bit
	for name in "$@"; do
		case $name in
		CAP_CHOWN) bit=0 ;; CAP_DAC_OVERRIDE) bit=1 ;; CAP_FOWNER) bit=3 ;; CAP_KILL) bit=5 ;;
		CAP_SETGID) bit=6 ;; CAP_SETUID) bit=7 ;; CAP_SETPCAP) bit=8 ;; CAP_NET_BIND_SERVICE) bit=10 ;;
		CAP_NET_RAW) bit=13 ;; CAP_SYS_CHROOT) bit=18 ;; CAP_SYS_ADMIN) bit=21 ;; CAP_MKNOD) bit=27 ;;
		CAP_AUDIT_WRITE) bit=29 ;; CAP_SETFCAP) bit=31 ;;
		*) fail "cap_mask: no bit known for $name" ;;
		esac
		mask=$((mask | (1 << bit)))
	done
	echo "$mask"
}

# status_caps FIELD STATUS_TEXT: the field (CapBnd, CapEff, ...) as a decimal number.
status_caps() {
	local hex
	hex=$(proc_field "$1" "$2")
	[ -n "$hex" ] || fail "no $1 in /proc/self/status"
	echo $((16#$hex))
}

# The sets a capability test configures: each set differs from the others, so
# a runtime that fills one set from another is caught.
caps_config() { # [uid]
	cfg --argjson uid "${1:-0}" '.process.user = {uid: $uid, gid: $uid}
		| .process.capabilities = {
			bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID", "CAP_AUDIT_WRITE"],
			permitted: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
			effective: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
			inheritable: ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"],
			ambient: ["CAP_KILL", "CAP_NET_BIND_SERVICE"]}'
}

spec_test proc_args MUST "process.args are passed as argv, args[0] resolved like execvp's file through PATH (config.md#process)"
t_proc_args() {
	args sh -c 'printf "<%s>" "$0" "$@"' zero "a b" "" 'q"uote' '$HOME'
	run_ctr
	assert_ok "run"
	assert_eq "$OUT" '<zero><a b><><q"uote><$HOME>' "argv seen by the process"
}

spec_test proc_env MUST "process.env is the process's environment, and nothing of the runtime caller's leaks in (config.md#process)"
t_proc_env() {
	cfg '.process.env = ["PATH=/bin:/sbin", "SPEC_A=one two", "SPEC_EMPTY=", "SPEC_EQ=a=b"]'
	export SPEC_LEAK=caller
	run_capture 'env'
	grep -qxF 'SPEC_A=one two' <<<"$OUT" || fail "SPEC_A missing: $OUT"
	grep -qxF 'SPEC_EMPTY=' <<<"$OUT" || fail "SPEC_EMPTY missing: $OUT"
	grep -qxF 'SPEC_EQ=a=b' <<<"$OUT" || fail "SPEC_EQ missing: $OUT"
	grep -qxF 'PATH=/bin:/sbin' <<<"$OUT" || fail "PATH not the configured one: $OUT"
	grep -q SPEC_LEAK <<<"$OUT" && fail "the caller's environment leaked in: $OUT"
	return 0
}

spec_test proc_cwd MUST "process.cwd is the working directory of the process (config.md#process)"
t_proc_cwd() {
	mkdir -p "$(in_rootfs /srv/work)"
	cfg '.process.cwd = "/srv/work"'
	run_capture 'pwd; echo x >here'
	assert_eq "$OUT" /srv/work "pwd"
	[ -f "$(in_rootfs /srv/work/here)" ] || fail "relative path not resolved in cwd"
}

spec_test proc_cwd_relative_error MUST "a process.cwd that is not absolute is an error (config.md#process, config.md#valid-values)"
t_proc_cwd_relative_error() {
	mkdir -p "$(in_rootfs /tmp/sub)"
	cfg '.process.cwd = "tmp/sub"'
	sh_c 'echo ran >/ran'
	run_ctr
	assert_failed "run with cwd tmp/sub"
	[ -e "$(in_rootfs /ran)" ] && fail "the process ran"
	return 0
}

spec_test proc_terminal_false MUST "with terminal false the process's standard streams are not a terminal (config.md#process)"
t_proc_terminal_false() {
	cfg '.process.terminal = false'
	run_capture 'for fd in 0 1 2; do if [ -t $fd ]; then echo "tty $fd"; fi; done; readlink /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2; echo end'
	grep -q '^tty' <<<"$OUT" && fail "a standard stream is a terminal: $OUT"
	grep -q '/dev/pts\|/dev/tty\|/dev/console' <<<"$OUT" && fail "a standard stream is a terminal device: $OUT"
	return 0
}

spec_test proc_user_uid_gid MUST "process.user uid and gid are the process's real, effective, saved and fs ids (config.md#user)"
t_proc_user_uid_gid() {
	cfg '.process.user = {uid: 1000, gid: 1000}'
	run_capture 'cat /proc/self/status'
	assert_eq "$(proc_field Uid "$OUT" | tr -s ' \t' ' ')" "1000 1000 1000 1000" "Uid"
	assert_eq "$(proc_field Gid "$OUT" | tr -s ' \t' ' ')" "1000 1000 1000 1000" "Gid"
}

spec_test proc_user_additional_gids MUST "process.user.additionalGids are the process's supplementary groups (config.md#user)"
t_proc_user_additional_gids() {
	cfg '.process.user = {uid: 1000, gid: 1000, additionalGids: [2000, 3000]}'
	run_capture 'cat /proc/self/status'
	local groups g
	groups=$(proc_field Groups "$OUT")
	for g in 2000 3000; do
		grep -qw "$g" <<<"$groups" || fail "group $g missing from Groups: '$groups'"
	done
	for g in $groups; do
		case $g in 1000 | 2000 | 3000) ;; *) fail "unexpected supplementary group $g in '$groups'" ;; esac
	done
}

spec_test proc_user_no_caller_groups SHOULD "without additionalGids the process has none of the runtime caller's supplementary groups (config.md#user)"
t_proc_user_no_caller_groups() {
	cfg '.process.user = {uid: 1000, gid: 1000}'
	run_capture 'cat /proc/self/status'
	local g
	for g in $(proc_field Groups "$OUT"); do
		[ "$g" = 1000 ] || fail "supplementary group $g in '$(proc_field Groups "$OUT")'"
	done
}

spec_test proc_user_umask MUST "process.user.umask is the process's umask (config.md#user)"
t_proc_user_umask() {
	cfg '.process.user.umask = 63'
	run_capture 'umask; cat /proc/self/status'
	assert_eq "$(proc_field Umask "$OUT")" 0077 "Umask"
}

spec_test proc_caps_bounding MUST "process.capabilities.bounding is the bounding set (config.md#linux-process)"
t_proc_caps_bounding() {
	caps_config
	run_capture 'cat /proc/self/status'
	assert_eq "$(status_caps CapBnd "$OUT")" \
		"$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID CAP_AUDIT_WRITE)" "CapBnd"
}

spec_test proc_caps_inheritable MUST "process.capabilities.inheritable is the inheritable set (config.md#linux-process)"
t_proc_caps_inheritable() {
	caps_config
	run_capture 'cat /proc/self/status'
	assert_eq "$(status_caps CapInh "$OUT")" "$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE)" "CapInh"
}

spec_test proc_caps_ambient MUST "process.capabilities.ambient is the ambient set of a non-root process (config.md#linux-process)"
t_proc_caps_ambient() {
	caps_config 1000
	run_capture 'cat /proc/self/status'
	assert_eq "$(status_caps CapAmb "$OUT")" "$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE)" "CapAmb"
}

# After execve a non-root process without file capabilities keeps exactly its
# ambient set as permitted and effective: a runtime that granted effective or
# permitted capabilities beyond the configuration (or lost them before exec)
# shows here.
spec_test proc_caps_effective MUST "process.capabilities.effective: a non-root process keeps its ambient capabilities effective and permitted across exec, no more (config.md#linux-process)"
t_proc_caps_effective() {
	caps_config 1000
	run_capture 'cat /proc/self/status'
	local want
	want=$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE)
	assert_eq "$(status_caps CapPrm "$OUT")" "$want" "CapPrm"
	assert_eq "$(status_caps CapEff "$OUT")" "$want" "CapEff"
}

# With no_new_privs set, execve cannot give a root process more permitted
# capabilities than it had: the configured permitted set is what shows.
spec_test proc_caps_permitted MUST "process.capabilities.permitted is the permitted set (root, noNewPrivileges) (config.md#linux-process)"
t_proc_caps_permitted() {
	caps_config 0
	cfg '.process.noNewPrivileges = true'
	run_capture 'cat /proc/self/status'
	assert_eq "$(status_caps CapPrm "$OUT")" "$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_SETUID)" "CapPrm"
}

spec_test proc_caps_unknown_no_fail SHOULD "an unknown capability name is a warning, not a failure (config.md#linux-process)"
t_proc_caps_unknown_no_fail() {
	cfg '.process.capabilities.bounding += ["CAP_SPEC_NO_SUCH_THING"]'
	run_ctr
	assert_ok "run with an unknown capability"
}

spec_test proc_rlimits MUST "each process.rlimits entry sets rlim_cur to soft and rlim_max to hard (config.md#posix-process)"
t_proc_rlimits() {
	# at most the caller's hard limits: this host denies raising them
	local nproc_hard
	nproc_hard=$(awk '/^Max processes/ {print $4}' /proc/self/limits)
	[ "$nproc_hard" = unlimited ] && nproc_hard=4096
	[ "$nproc_hard" -gt 2000 ] || skip "the caller's nproc hard limit ($nproc_hard) is too low"
	cfg '.process.rlimits = [
		{type: "RLIMIT_NOFILE", soft: 300, hard: 600},
		{type: "RLIMIT_NPROC", soft: 1000, hard: 2000},
		{type: "RLIMIT_CORE", soft: 0, hard: 4096},
		{type: "RLIMIT_MSGQUEUE", soft: 1000, hard: 2000}]'
	run_capture 'cat /proc/self/limits'
	local line
	line=$(grep '^Max open files' <<<"$OUT" | awk '{print $4, $5}')
	assert_eq "$line" "300 600" "nofile soft hard"
	line=$(grep '^Max processes' <<<"$OUT" | awk '{print $3, $4}')
	assert_eq "$line" "1000 2000" "nproc soft hard"
	line=$(grep '^Max core file size' <<<"$OUT" | awk '{print $5, $6}')
	assert_eq "$line" "0 4096" "core soft hard"
	line=$(grep '^Max msgqueue size' <<<"$OUT" | awk '{print $4, $5}')
	assert_eq "$line" "1000 2000" "msgqueue soft hard"
}

spec_test proc_rlimit_unknown_type MUST "an rlimit type that maps to no kernel resource is an error (config.md#posix-process)"
t_proc_rlimit_unknown_type() {
	cfg '.process.rlimits = [{type: "RLIMIT_SPEC_NO_SUCH", soft: 1, hard: 1}]'
	sh_c 'echo ran >/ran'
	run_ctr
	assert_failed "run with RLIMIT_SPEC_NO_SUCH"
	[ -e "$(in_rootfs /ran)" ] && fail "the process ran"
	return 0
}

spec_test proc_rlimit_duplicate MUST "duplicated rlimits entries of one type are an error (config.md#posix-process)"
t_proc_rlimit_duplicate() {
	cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 100, hard: 200}, {type: "RLIMIT_NOFILE", soft: 300, hard: 400}]'
	sh_c 'echo ran >/ran'
	run_ctr
	assert_failed "run with RLIMIT_NOFILE twice"
	[ -e "$(in_rootfs /ran)" ] && fail "the process ran"
	return 0
}

spec_test proc_rlimit_unapplicable MUST "an rlimit the runtime cannot set (soft above hard) is an error, and no container is created (runtime.md#create)"
t_proc_rlimit_unapplicable() {
	cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 600, hard: 300}]'
	sh_c 'echo ran >/ran'
	create
	assert_failed "create with nofile soft 600 > hard 300"
	[ -e "$(in_rootfs /ran)" ] && fail "the process ran"
	assert_eq "$(status_of)" none "state after the failed create"
}

spec_test proc_no_new_privileges MUST "noNewPrivileges true sets the process's no_new_privs (config.md#linux-process)"
t_proc_no_new_privileges() {
	cfg '.process.noNewPrivileges = true'
	run_capture 'cat /proc/self/status'
	assert_eq "$(proc_field NoNewPrivs "$OUT")" 1 "NoNewPrivs"
}

spec_test proc_no_new_privileges_unset SHOULD "without noNewPrivileges the process may gain privileges (no_new_privs is 0) (config.md#linux-process)"
t_proc_no_new_privileges_unset() {
	cfg 'del(.process.noNewPrivileges)'
	run_capture 'cat /proc/self/status'
	assert_eq "$(proc_field NoNewPrivs "$OUT")" 0 "NoNewPrivs"
}

spec_test proc_oom_score_adj MUST "oomScoreAdj is written to the process's oom_score_adj (config.md#linux-process)"
t_proc_oom_score_adj() {
	cfg '.process.oomScoreAdj = 345'
	run_capture 'cat /proc/self/oom_score_adj'
	assert_eq "$OUT" 345 "oom_score_adj"
}

spec_test proc_oom_score_adj_unset MUST "without oomScoreAdj the runtime does not change oom_score_adj: the caller's value is kept (config.md#linux-process)"
t_proc_oom_score_adj_unset() {
	cfg 'del(.process.oomScoreAdj)'
	echo 123 >/proc/self/oom_score_adj || skip "cannot set this test's oom_score_adj"
	run_capture 'cat /proc/self/oom_score_adj'
	assert_eq "$OUT" 123 "oom_score_adj"
}

spec_test proc_apparmor_unsupported MUST "an apparmorProfile on a host without AppArmor is an unsupported value: an error (config.md#linux-process, config.md#valid-values)"
t_proc_apparmor_unsupported() {
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] && skip "AppArmor is enabled on this host"
	cfg '.process.apparmorProfile = "spec-no-such-profile"'
	sh_c 'echo ran >/ran'
	run_ctr
	assert_failed "run with an AppArmor profile"
	[ -e "$(in_rootfs /ran)" ] && fail "the process ran unconfined"
	return 0
}

spec_test proc_selinux_unsupported MUST "a selinuxLabel on a host without SELinux is an unsupported value: an error (config.md#linux-process, config.md#valid-values)"
t_proc_selinux_unsupported() {
	[ -d /sys/fs/selinux ] && skip "SELinux is enabled on this host"
	cfg '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
	sh_c 'echo ran >/ran'
	run_ctr
	assert_failed "run with an SELinux label"
	[ -e "$(in_rootfs /ran)" ] && fail "the process ran unlabelled"
	return 0
}

spec_test proc_fds_only_stdio MUST "only stdin, stdout and stderr are open in the process by default (runtime-linux.md#file-descriptors)"
t_proc_fds_only_stdio() {
	sh_c 'cd /proc/self/fd && for f in *; do echo $f; done'
	# descriptors the caller has open must not reach the container
	exec 7>"$T/extra-fd" 8<"$B/config.json"
	run_ctr
	exec 7>&- 8<&-
	assert_ok run
	local fds
	# the shell's glob opens the directory itself: at most one descriptor beyond 0-2
	fds=$(grep -vxE '0|1|2' <<<"$OUT" | wc -l)
	[ "$fds" -le 1 ] || fail "open descriptors: $(tr '\n' ' ' <<<"$OUT")"
}

spec_test proc_dev_symlinks MUST "/dev/fd, /dev/stdin, /dev/stdout and /dev/stderr are symlinks to /proc/self/fd[/0-2] (runtime-linux.md#dev-symbolic-links)"
t_proc_dev_symlinks() {
	run_capture 'for l in fd stdin stdout stderr; do echo "$l $(readlink /dev/$l)"; done'
	assert_eq "$(tr '\n' ';' <<<"$OUT")" "fd /proc/self/fd;stdin /proc/self/fd/0;stdout /proc/self/fd/1;stderr /proc/self/fd/2;" "links"
}

spec_test proc_scheduler MUST "process.scheduler sets the process's scheduling policy and nice value (config.md#linux-process)"
t_proc_scheduler() {
	cfg '.process.scheduler = {policy: "SCHED_BATCH", nice: 7}'
	# /proc/PID/stat fields 19 (nice) and 41 (policy); SCHED_BATCH is 3
	run_capture 'cat /proc/self/stat'
	local nice policy
	nice=$(sed 's/^.*) //' <<<"$OUT" | awk '{print $17}')
	policy=$(sed 's/^.*) //' <<<"$OUT" | awk '{print $39}')
	assert_eq "$policy" 3 "scheduling policy"
	assert_eq "$nice" 7 "nice"
}

spec_test proc_io_priority MUST "process.ioPriority sets the process's I/O scheduling class and priority (config.md#linux-process)"
t_proc_io_priority() {
	cfg '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 6}'
	run_capture 'ionice -p $$'
	assert_match "$OUT" '^best-effort: prio 6$' "ionice"
}

# runc and crun connect a terminal container to their own terminal when run in
# the foreground: the runtime runs under script(1), which gives it one. The
# container's streams must be on a pseudoterminal of the container's own
# devpts (not the caller's terminal passed through).
spec_test proc_terminal_true MUST "with terminal true the process's standard streams are a pseudoterminal allocated for it (config.md#process)"
t_proc_terminal_true() {
	command -v script >/dev/null || skip "needs script(1) from util-linux"
	cfg '.process.terminal = true'
	sh_c 'for fd in 0 1 2; do if [ -t $fd ]; then echo "tty $fd"; fi; done
		if [ "$(stat -L -c %d /proc/self/fd/0)" = "$(stat -c %d /dev/pts)" ]; then echo "own devpts"; fi
		readlink /proc/self/fd/0'
	_track "$CID"
	local cmd
	cmd=$(printf '%q ' "$RT" --root "$T/root" run --bundle "$B" "$CID")
	timeout 60 script -q -e -c "$cmd" /dev/null </dev/null >"$T/tty.out" 2>"$T/tty.err"
	RC=$? ERR=$(cat "$T/tty.err")
	OUT=$(tr -d '\r' <"$T/tty.out")
	assert_ok "run with a terminal"
	assert_eq "$(grep -cE 'tty [012]$' <<<"$OUT")" 3 "standard streams on a terminal ($(tr '\n' ' ' <<<"$OUT"))"
	grep -q 'own devpts$' <<<"$OUT" || fail "stdin is not on the container's devpts: $(tr '\n' ' ' <<<"$OUT")"
}
