# shellcheck shell=bash
# Hooks: config.md#posix-platform-hooks, runtime.md#lifecycle.
#
# Every hook is one small script, `hook NAME [fail|sleep]`: it saves the state
# it reads on stdin, its network namespace, environment and arguments under a
# log directory, and appends NAME to the log's `order` file. The log directory
# is /hooklog in the rootfs, so that the copy of the script inside the rootfs
# (for startContainer, whose path resolves in the container) writes to the
# same place as the host's copy.

# hooks_setup: writes the two copies of the script; sets HOOK (host path) and
# LOG (host path of the log directory).
hooks_setup() {
	LOG=$B/rootfs/hooklog
	HOOK=$T/hook.sh
	mkdir -p "$LOG"
	_hook_script "$LOG" >"$HOOK"
	_hook_script /hooklog >"$B/rootfs/hook.sh"
	chmod 755 "$HOOK" "$B/rootfs/hook.sh"
}

_hook_script() {
	cat <<-EOF
		#!/bin/sh
		d=$1
		n=\$1
		/bin/cat >"\$d/\$n.state"
		echo "\$n" >>"\$d/order"
		/bin/readlink /proc/self/ns/net >"\$d/\$n.netns"
		/bin/env >"\$d/\$n.env"
		echo "\$*" >"\$d/\$n.args"
		pid=\$(/bin/sed -n 's/.*"pid": *\([0-9][0-9]*\).*/\1/p' "\$d/\$n.state")
		if [ -n "\$pid" ] && [ -r /proc/\$pid/cmdline ]; then
			/bin/tr '\0' ' ' </proc/\$pid/cmdline >"\$d/\$n.cmdline"
			/bin/readlink /proc/\$pid/ns/net >"\$d/\$n.pidnetns"
		fi
		case \${2:-} in
		fail) exit 1 ;;
		sleep) /bin/sleep 30 ;;
		esac
		exit 0
	EOF
}

# hook_json NAME [MODE] [PATH]: a hook entry running the script as NAME.
hook_json() {
	jq -n --arg p "${3:-$HOOK}" --arg n "$1" --arg m "${2:-}" \
		'{path: $p, args: (["hook", $n] + (if $m == "" then [] else [$m] end))}'
}

# set_hooks KIND ENTRY_JSON...: config.json's hooks.KIND becomes the entries.
set_hooks() {
	local kind=$1
	shift
	cfg --arg k "$kind" --argjson e "$(jq -s . <<<"$*")" '.hooks[$k] = $e'
}

hook_order() { tr '\n' ' ' <"$LOG/order" 2>/dev/null | sed 's/ $//'; }

host_netns() { readlink /proc/self/ns/net; }

# container_netns: the container process's network namespace (after create).
container_netns() {
	local pid
	pid=$(jq -r .pid <<<"$("$RT" --root "$T/root" state "$CID" 2>/dev/null)")
	readlink "/proc/$pid/ns/net"
}

# assert_nothing_running WHAT: a failed create or start left no running
# container and did not run process.args. The container's init is the pid the
# hooks saw in the state, still in the network namespace they saw it in (a
# recycled pid is not).
assert_nothing_running() {
	local st f pid ns
	st=$(status_of)
	case $st in none | stopped) ;; *) fail "$1: the container is $st" ;; esac
	[ -e "$B/rootfs/ran" ] && fail "$1: process.args ran"
	for f in "$LOG"/*.state; do
		[ -f "$f" ] || continue
		pid=$(jq -r '.pid // empty' "$f" 2>/dev/null)
		ns=$(cat "${f%.state}.pidnetns" 2>/dev/null)
		[ -n "$pid" ] && [ -n "$ns" ] || continue
		[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && continue
		[ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$ns" ] &&
			fail "$1: the container's init $pid is still alive"
	done
	return 0
}

spec_test hook_prestart MUST "prestart hooks run during create, in the runtime namespace (config.md#prestart)"
t_hook_prestart() {
	hooks_setup
	set_hooks prestart "$(hook_json prestart)"
	args /bin/sleep 100
	create
	assert_ok create
	assert_eq "$(hook_order)" prestart "hooks run by create"
	assert_eq "$(cat "$LOG/prestart.netns")" "$(host_netns)" "the hook's network namespace"
}

spec_test hook_create_runtime MUST "createRuntime hooks run during create, in the runtime namespace (config.md#createRuntime-hooks)"
t_hook_create_runtime() {
	hooks_setup
	set_hooks createRuntime "$(hook_json createRuntime)"
	args /bin/sleep 100
	create
	assert_ok create
	assert_eq "$(hook_order)" createRuntime "hooks run by create"
	assert_eq "$(cat "$LOG/createRuntime.netns")" "$(host_netns)" "the hook's network namespace"
}

spec_test hook_create_container MUST "createContainer hooks run during create, in the container namespace, their path resolved in the runtime namespace (config.md#createContainer-hooks)"
t_hook_create_container() {
	hooks_setup
	set_hooks createContainer "$(hook_json createContainer)"
	args /bin/sleep 100
	create
	assert_ok create
	assert_eq "$(hook_order)" createContainer "hooks run by create"
	assert_eq "$(cat "$LOG/createContainer.netns")" "$(container_netns)" "the hook's network namespace"
	assert_ne "$(cat "$LOG/createContainer.netns")" "$(host_netns)" "the hook's network namespace (the runtime's)"
}

spec_test hook_start_container MUST "startContainer hooks run during start before process.args, in the container namespace, their path resolved in the container (config.md#startContainer-hooks)"
t_hook_start_container() {
	hooks_setup
	set_hooks startContainer "$(hook_json startContainer "" /hook.sh)"
	sh_c 'if [ -e /hooklog/startContainer.state ]; then echo yes; else echo no; fi >/seen; sleep 100'
	create
	assert_ok create
	assert_eq "$(hook_order)" "" "hooks run by create"
	local netns
	netns=$(container_netns)
	start
	assert_ok start
	wait_file "$B/rootfs/seen"
	assert_eq "$(hook_order)" startContainer "hooks run by start"
	assert_eq "$(cat "$B/rootfs/seen")" yes "the hook ran before process.args"
	assert_eq "$(cat "$LOG/startContainer.netns")" "$netns" "the hook's network namespace"
}

spec_test hook_poststart MUST "poststart hooks run during start, before it returns, in the runtime namespace (config.md#poststart)"
t_hook_poststart() {
	hooks_setup
	set_hooks poststart "$(hook_json poststart)"
	args /bin/sleep 123
	create
	assert_ok create
	assert_eq "$(hook_order)" "" "hooks run by create"
	start
	assert_ok start
	assert_eq "$(hook_order)" poststart "hooks run when start returned"
	assert_eq "$(cat "$LOG/poststart.netns")" "$(host_netns)" "the hook's network namespace"
}

# A runtime that runs poststart as soon as it has told the init to go on, not
# after the exec, races here: the hook may see the runtime's init instead.
spec_test hook_poststart_after_exec MUST "poststart hooks run after the user-specified program was executed (config.md#poststart)"
t_hook_poststart_after_exec() {
	hooks_setup
	set_hooks poststart "$(hook_json poststart)"
	args /bin/sleep 123
	create
	assert_ok create
	start
	assert_ok start
	assert_eq "$(cat "$LOG/poststart.cmdline" 2>/dev/null)" "/bin/sleep 123 " "the container process when poststart ran"
}

spec_test hook_poststop MUST "poststop hooks run during delete, before it returns, in the runtime namespace (config.md#poststop)"
t_hook_poststop() {
	hooks_setup
	set_hooks poststop "$(hook_json poststop)"
	args /bin/true
	create
	assert_ok create
	start
	assert_ok start
	wait_status stopped
	assert_eq "$(hook_order)" "" "hooks run before delete"
	delete "$CID"
	assert_ok delete
	assert_eq "$(hook_order)" poststop "hooks run when delete returned"
	assert_eq "$(cat "$LOG/poststop.netns")" "$(host_netns)" "the hook's network namespace"
}

spec_test hook_order MUST "hooks are called in the listed order, each kind at its step of the lifecycle (config.md#posix-platform-hooks)"
t_hook_order() {
	hooks_setup
	set_hooks prestart "$(hook_json prestart-a)" "$(hook_json prestart-b)"
	set_hooks createRuntime "$(hook_json createRuntime-a)" "$(hook_json createRuntime-b)"
	set_hooks createContainer "$(hook_json createContainer)"
	set_hooks startContainer "$(hook_json startContainer "" /hook.sh)"
	set_hooks poststart "$(hook_json poststart-a)" "$(hook_json poststart-b)"
	set_hooks poststop "$(hook_json poststop-a)" "$(hook_json poststop-b)"
	args /bin/true
	create
	assert_ok create
	assert_eq "$(hook_order)" "prestart-a prestart-b createRuntime-a createRuntime-b createContainer" "hooks after create"
	start
	assert_ok start
	wait_status stopped
	assert_eq "$(hook_order)" "prestart-a prestart-b createRuntime-a createRuntime-b createContainer startContainer poststart-a poststart-b" "hooks after start"
	delete "$CID"
	assert_ok delete
	assert_eq "$(hook_order)" "prestart-a prestart-b createRuntime-a createRuntime-b createContainer startContainer poststart-a poststart-b poststop-a poststop-b" "hooks after delete"
}

spec_test hook_state_stdin MUST "hooks get the container's state on stdin: ociVersion, id, status, pid as the runtime sees it, bundle, annotations (config.md#posix-platform-hooks)"
t_hook_state_stdin() {
	hooks_setup
	cfg '.annotations = {"org.example.spec.hook": "yes"}'
	set_hooks createRuntime "$(hook_json createRuntime)"
	set_hooks poststart "$(hook_json poststart)"
	args /bin/sleep 100
	create
	assert_ok create
	state
	local pid s
	pid=$(jq -r .pid <<<"$OUT")
	start
	assert_ok start
	for s in createRuntime poststart; do
		jq -e . "$LOG/$s.state" >/dev/null 2>&1 || fail "$s: stdin was not a JSON state: $(head -c 300 "$LOG/$s.state")"
		assert_eq "$(jq -r .id "$LOG/$s.state")" "$CID" "$s: id"
		assert_eq "$(jq -r .pid "$LOG/$s.state")" "$pid" "$s: pid"
		assert_eq "$(jq -r .bundle "$LOG/$s.state")" "$B" "$s: bundle"
		assert_match "$(jq -r '.ociVersion // empty' "$LOG/$s.state")" '^[0-9]+\.[0-9]+\.[0-9]+' "$s: ociVersion"
		assert_match "$(jq -r '.status // empty' "$LOG/$s.state")" '^(creating|created|running)$' "$s: status"
		assert_eq "$(jq -r '.annotations["org.example.spec.hook"]' "$LOG/$s.state")" yes "$s: annotations"
	done
}

spec_test hook_args_env MUST "a hook runs with its configured args and env, nothing else in its environment (config.md#posix-platform-hooks)"
t_hook_args_env() {
	hooks_setup
	set_hooks createRuntime "$(jq -n --arg p "$HOOK" '{path: $p, args: ["hook", "createRuntime", "x y", ""], env: ["SPEC_HOOK=a b", "PATH=/bin"]}')"
	export SPEC_LEAK=caller
	args /bin/sleep 100
	create
	assert_ok create
	assert_eq "$(cat "$LOG/createRuntime.args")" "createRuntime x y " "args after args[0]"
	grep -qxF 'SPEC_HOOK=a b' "$LOG/createRuntime.env" || fail "SPEC_HOOK missing: $(tr '\n' ' ' <"$LOG/createRuntime.env")"
	grep -q SPEC_LEAK "$LOG/createRuntime.env" && fail "the caller's environment leaked in: $(tr '\n' ' ' <"$LOG/createRuntime.env")"
	return 0
}

# hook_fails_create KIND: a failing KIND hook makes create fail and leaves no
# running container, process.args never ran.
hook_fails_create() {
	hooks_setup
	set_hooks "$1" "$(hook_json "$1" fail)"
	sh_c 'echo ran >/ran; sleep 100'
	create
	assert_failed "create with a failing $1 hook"
	assert_eq "$(hook_order)" "$1" "hooks run"
	# whatever create left must not run the process
	start
	sleep 0.3
	assert_nothing_running "after the failed create"
}

spec_test hook_prestart_fails MUST "a failing prestart hook is an error of create; the container is stopped (runtime.md#lifecycle, step 3)"
t_hook_prestart_fails() { hook_fails_create prestart; }

spec_test hook_create_runtime_fails MUST "a failing createRuntime hook is an error of create; the container is stopped (runtime.md#lifecycle, step 4)"
t_hook_create_runtime_fails() { hook_fails_create createRuntime; }

spec_test hook_create_container_fails MUST "a failing createContainer hook is an error of create; the container is stopped (runtime.md#lifecycle, step 5)"
t_hook_create_container_fails() { hook_fails_create createContainer; }

spec_test hook_start_container_fails MUST "a failing startContainer hook is an error of start; process.args does not run (runtime.md#lifecycle, step 7)"
t_hook_start_container_fails() {
	hooks_setup
	set_hooks startContainer "$(hook_json startContainer fail /hook.sh)"
	sh_c 'echo ran >/ran; sleep 100'
	create
	assert_ok create
	start
	assert_failed "start with a failing startContainer hook"
	sleep 0.3
	assert_nothing_running "after the failed start"
}

spec_test hook_poststart_fails MUST "a failing poststart hook is an error of start, and the container is stopped (runtime.md#lifecycle, step 9)"
t_hook_poststart_fails() {
	hooks_setup
	set_hooks poststart "$(hook_json poststart fail)"
	args /bin/sleep 100
	create
	assert_ok create
	start
	assert_failed "start with a failing poststart hook"
	wait_status stopped "$CID" 10 2>/dev/null || true
	local st
	st=$(status_of)
	case $st in none | stopped) ;; *) fail "the container is $st after the failed poststart" ;; esac
}

spec_test hook_poststop_fails_warns MUST "a failing poststop hook is a warning: delete succeeds and the next poststop hooks run (runtime.md#lifecycle, step 13)"
t_hook_poststop_fails_warns() {
	hooks_setup
	set_hooks poststop "$(hook_json poststop-a fail)" "$(hook_json poststop-b)"
	args /bin/true
	create
	assert_ok create
	start
	assert_ok start
	wait_status stopped
	delete "$CID"
	assert_ok "delete with a failing poststop hook"
	assert_eq "$(hook_order)" "poststop-a poststop-b" "poststop hooks run"
	no_leftovers "$CID"
}

spec_test hook_failed_create_runs_poststop MUST "after a failing createRuntime hook the container is destroyed and the poststop hooks run (runtime.md#lifecycle, steps 4, 12, 13)"
t_hook_failed_create_runs_poststop() {
	hooks_setup
	set_hooks createRuntime "$(hook_json createRuntime fail)"
	set_hooks poststop "$(hook_json poststop)"
	args /bin/sleep 100
	create
	assert_failed "create with a failing createRuntime hook"
	assert_eq "$(hook_order)" "createRuntime poststop" "hooks run"
}

spec_test hook_timeout MUST "a hook that outlives its timeout is aborted and create fails (config.md#posix-platform-hooks)"
t_hook_timeout() {
	hooks_setup
	set_hooks createRuntime "$(jq -n --arg p "$HOOK" '{path: $p, args: ["hook", "createRuntime", "sleep"], timeout: 1}')"
	args /bin/sleep 100
	local t0=$SECONDS
	create
	assert_failed "create with a hook that sleeps past its timeout"
	assert_eq "$(hook_order)" createRuntime "hooks started"
	[ $((SECONDS - t0)) -lt 20 ] || fail "create took $((SECONDS - t0))s: the hook's 1s timeout was not applied"
	assert_nothing_running "after the hook timed out"
}

spec_test hook_path_relative MUST "a hook path that is not absolute is an error (config.md#posix-platform-hooks)"
t_hook_path_relative() {
	hooks_setup
	cp "$HOOK" "$B/hook-rel.sh"
	set_hooks createRuntime "$(hook_json createRuntime "" hook-rel.sh)"
	sh_c 'echo ran >/ran; sleep 100'
	create
	assert_failed "create with a relative hook path"
	start
	sleep 0.3
	assert_nothing_running "after the refused create"
}

spec_test hook_timeout_zero MUST "a hook timeout that is not greater than zero is an error (config.md#posix-platform-hooks)"
t_hook_timeout_zero() {
	hooks_setup
	set_hooks createRuntime "$(jq -n --arg p "$HOOK" '{path: $p, args: ["hook", "createRuntime"], timeout: 0}')"
	sh_c 'echo ran >/ran; sleep 100'
	create
	assert_failed "create with a hook timeout of 0"
	start
	sleep 0.3
	assert_nothing_running "after the refused create"
}
