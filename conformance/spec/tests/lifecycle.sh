# shellcheck shell=bash
# Lifecycle and state: runtime.md#state, #lifecycle, #operations.

spec_test lc_create_state_created MUST "after create the state's status is created (runtime.md#lifecycle, step 6)"
t_lc_create_state_created() {
	args /bin/sleep 100
	create
	assert_ok create
	state
	assert_ok state
	assert_eq "$(jq -r .status <<<"$OUT")" created "status after create"
}

spec_test lc_state_fields MUST "state has ociVersion, id, status, pid of the container process and the absolute bundle path (runtime.md#state)"
t_lc_state_fields() {
	args /bin/sleep 100
	create
	assert_ok create
	state
	assert_ok state
	jq -e . >/dev/null <<<"$OUT" || fail "state is not JSON: $OUT"
	assert_match "$(jq -r '.ociVersion // empty' <<<"$OUT")" '^[0-9]+\.[0-9]+\.[0-9]+' "ociVersion"
	assert_eq "$(jq -r .id <<<"$OUT")" "$CID" "id"
	assert_eq "$(jq -r .bundle <<<"$OUT")" "$B" "bundle"
	local pid
	pid=$(jq -r .pid <<<"$OUT")
	assert_match "$pid" '^[1-9][0-9]*$' "pid"
	[ -d "/proc/$pid" ] || fail "pid $pid is not a live process"
}

spec_test lc_create_no_args_until_start MUST "create does not run process.args until start (runtime.md#create)"
t_lc_create_no_args_until_start() {
	sh_c 'touch /ran; sleep 100'
	create
	assert_ok create
	sleep 0.5
	[ -e "$(in_rootfs /ran)" ] && fail "process.args ran before start"
	start
	assert_ok start
	wait_file "$(in_rootfs /ran)"
	assert_eq "$(status_of)" running "status after start"
}

spec_test lc_start_twice MUST "start of a container that is not created errors and has no effect (runtime.md#start)"
t_lc_start_twice() {
	sh_c 'echo x >>/count; sleep 100'
	create
	assert_ok create
	start
	assert_ok start
	wait_file "$(in_rootfs /count)"
	start
	assert_failed "second start"
	sleep 0.3
	assert_eq "$(wc -l <"$(in_rootfs /count)" | tr -d ' ')" 1 "runs of process.args"
	assert_eq "$(status_of)" running "status after the second start"
}

spec_test lc_exit_stopped MUST "when the container process exits the status is stopped (runtime.md#lifecycle, step 8)"
t_lc_exit_stopped() {
	args /bin/true
	create
	assert_ok create
	start
	assert_ok start
	wait_status stopped
}

spec_test lc_state_running_pid MUST "after start the status is running and pid is the process running process.args (runtime.md#state)"
t_lc_state_running_pid() {
	args /bin/sleep 321
	create
	assert_ok create
	start
	assert_ok start
	wait_status running
	state
	local pid
	pid=$(jq -r .pid <<<"$OUT")
	assert_match "$pid" '^[1-9][0-9]*$' "pid"
	assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" "/bin/sleep 321 " "cmdline of pid $pid"
}

spec_test lc_state_annotations MUST "state's annotations are the config's annotations (runtime.md#state)"
t_lc_state_annotations() {
	cfg '.annotations = {"org.example.spec.one": "1", "org.example.spec.empty": ""}'
	args /bin/sleep 100
	create
	assert_ok create
	state
	assert_ok state
	assert_eq "$(jq -cS '.annotations' <<<"$OUT")" '{"org.example.spec.empty":"","org.example.spec.one":"1"}' "annotations"
}

spec_test lc_state_unknown_id MUST "state of a container that does not exist is an error (runtime.md#query-state)"
t_lc_state_unknown_id() {
	state "$CID-missing"
	assert_failed "state of an unknown id"
}

spec_test lc_state_no_id MUST "state without a container id is an error (runtime.md#query-state)"
t_lc_state_no_id() {
	rt state
	assert_failed "state without an id"
}

spec_test lc_create_no_id MUST "create without a container id is an error and creates nothing (runtime.md#create)"
t_lc_create_no_id() {
	sh_c 'echo ran >/ran; sleep 100'
	rt create --bundle "$B"
	assert_failed "create without an id"
	rt list -q
	assert_eq "$OUT" "" "containers listed"
	[ -e "$(in_rootfs /ran)" ] && fail "the process ran"
	return 0
}

spec_test lc_create_duplicate_id MUST "create with the id of an existing container is an error and leaves that container as it was (runtime.md#create)"
t_lc_create_duplicate_id() {
	args /bin/sleep 100
	create
	assert_ok "first create"
	state
	local pid
	pid=$(jq -r .pid <<<"$OUT")
	# a second bundle whose process would show if it ever ran
	local b2=$T/bundle2
	mkdir -p "$b2" && cp -a "$B/rootfs" "$b2/rootfs"
	jq '.process.args = ["/bin/sh", "-c", "echo ran >/ran"]' "$B/config.json" >"$b2/config.json"
	"$RT" --root "$T/root" create --bundle "$b2" "$CID" </dev/null >"$T/dup.out" 2>"$T/dup.err"
	RC=$? ERR=$(cat "$T/dup.err")
	assert_failed "second create with the same id"
	state
	assert_ok "state after the failed create"
	assert_eq "$(jq -r .status <<<"$OUT")" created "status"
	assert_eq "$(jq -r .pid <<<"$OUT")" "$pid" "pid"
	assert_eq "$(jq -r .bundle <<<"$OUT")" "$B" "bundle"
	[ -e "$b2/rootfs/ran" ] && fail "the second container's process ran"
	return 0
}

spec_test lc_create_invalid_id MUST "create with an id that is not valid (a path) is an error and creates nothing (runtime.md#create)"
t_lc_create_invalid_id() {
	sh_c 'echo ran >/ran; sleep 100'
	local bad="../spec-$RT_NAME-escape"
	_track "$bad"
	create "$bad"
	assert_failed "create with id $bad"
	[ -e "$T/spec-$RT_NAME-escape" ] && fail "the id made a path outside the root"
	rt list -q
	assert_eq "$OUT" "" "containers listed"
	return 0
}

spec_test lc_create_missing_bundle MUST "create with a bundle path that does not exist is an error and creates nothing (runtime.md#create)"
t_lc_create_missing_bundle() {
	_track "$CID"
	"$RT" --root "$T/root" create --bundle "$T/no-such-bundle" "$CID" </dev/null >"$T/c.out" 2>"$T/c.err"
	RC=$? ERR=$(cat "$T/c.err")
	assert_failed "create with a missing bundle"
	assert_eq "$(status_of)" none "state after the failed create"
}

spec_test lc_config_change_after_create MUST "changes to config.json after create do not affect the container (runtime.md#lifecycle, step 2)"
t_lc_config_change_after_create() {
	sh_c 'echo first >/which; sleep 100'
	create
	assert_ok create
	cfg '.process.args = ["/bin/sh", "-c", "echo second >/which; sleep 100"] | .hostname = "changed"'
	start
	assert_ok start
	wait_file "$(in_rootfs /which)"
	sleep 0.2
	assert_eq "$(cat "$(in_rootfs /which)")" first "what the process ran"
}

spec_test lc_start_no_id MUST "start without a container id is an error (runtime.md#start)"
t_lc_start_no_id() {
	rt start
	assert_failed "start without an id"
}

spec_test lc_start_stopped MUST "start of a stopped container is an error and does not run the process again (runtime.md#start)"
t_lc_start_stopped() {
	sh_c 'echo x >>/count'
	create
	assert_ok create
	start
	assert_ok start
	wait_status stopped
	start
	assert_failed "start of a stopped container"
	sleep 0.3
	assert_eq "$(wc -l <"$(in_rootfs /count)" | tr -d ' ')" 1 "runs of process.args"
	assert_eq "$(status_of)" stopped "status"
}

spec_test lc_start_unknown_id MUST "start of a container that does not exist is an error (runtime.md#start)"
t_lc_start_unknown_id() {
	start "$CID-missing"
	assert_failed "start of an unknown id"
}

spec_test lc_start_no_process MUST "start is an error when the config has no process (runtime.md#start)"
t_lc_start_no_process() {
	cfg 'del(.process)'
	create
	# an error at create is an error too; a created container must refuse start
	[ "$RC" = 0 ] || return 0
	start
	assert_failed "start without process"
}

spec_test lc_kill_signal MUST "kill sends the given signal to the container process (runtime.md#kill)"
t_lc_kill_signal() {
	sh_c 'trap "echo usr1 >/got; exit 0" USR1; touch /ready; while :; do sleep 0.1; done'
	create
	assert_ok create
	start
	assert_ok start
	wait_file "$(in_rootfs /ready)"
	kill_ctr "$CID" USR1
	assert_ok "kill USR1"
	wait_file "$(in_rootfs /got)"
	wait_status stopped
}

spec_test lc_kill_numeric SHOULD "kill takes a signal number as well as a name, as runc does (runtime.md#kill)"
t_lc_kill_numeric() {
	sh_c 'trap "echo usr2 >/got; exit 0" USR2; touch /ready; while :; do sleep 0.1; done'
	create
	assert_ok create
	start
	assert_ok start
	wait_file "$(in_rootfs /ready)"
	kill_ctr "$CID" 12
	assert_ok "kill 12"
	wait_file "$(in_rootfs /got)"
}

spec_test lc_kill_created MUST "kill of a created container signals its process: KILL stops it (runtime.md#kill)"
t_lc_kill_created() {
	sh_c 'echo ran >/ran'
	create
	assert_ok create
	kill_ctr "$CID" KILL
	assert_ok "kill KILL of a created container"
	wait_status stopped
	[ -e "$(in_rootfs /ran)" ] && fail "process.args ran"
	return 0
}

spec_test lc_kill_stopped MUST "kill of a stopped container is an error (runtime.md#kill)"
t_lc_kill_stopped() {
	args /bin/true
	create
	assert_ok create
	start
	assert_ok start
	wait_status stopped
	kill_ctr "$CID" KILL
	assert_failed "kill of a stopped container"
	assert_eq "$(status_of)" stopped "status"
}

spec_test lc_kill_no_id MUST "kill without a container id is an error (runtime.md#kill)"
t_lc_kill_no_id() {
	rt kill
	assert_failed "kill without an id"
}

spec_test lc_delete_running MUST "delete of a running container is an error and leaves it running (runtime.md#delete)"
t_lc_delete_running() {
	args /bin/sleep 100
	create
	assert_ok create
	start
	assert_ok start
	wait_status running
	local pid
	state
	pid=$(jq -r .pid <<<"$OUT")
	delete "$CID"
	assert_failed "delete of a running container"
	assert_eq "$(status_of)" running "status after the refused delete"
	[ -d "/proc/$pid" ] || fail "the container process $pid is gone"
}

spec_test lc_delete_created MUST "delete of a created (not stopped) container is an error and has no effect (runtime.md#delete)"
t_lc_delete_created() {
	args /bin/sleep 100
	create
	assert_ok create
	delete "$CID"
	assert_failed "delete of a created container"
	assert_eq "$(status_of)" created "status after the refused delete"
}

spec_test lc_delete_no_id MUST "delete without a container id is an error (runtime.md#delete)"
t_lc_delete_no_id() {
	rt delete
	assert_failed "delete without an id"
}

# cgroup_dirs PID: the cgroup directories of PID on the host, one a line,
# leaving out the ones the runtime caller is in (not the container's own).
cgroup_dirs() {
	local line path ctrls mine
	mine=$(cat /proc/self/cgroup)
	while IFS= read -r line; do
		grep -qxF -- "$line" <<<"$mine" && continue
		ctrls=$(cut -d: -f2 <<<"$line")
		path=$(cut -d: -f3- <<<"$line")
		[ "$path" = / ] && continue
		if [ -z "$ctrls" ]; then
			echo "/sys/fs/cgroup/unified$path"
		else
			ctrls=${ctrls%%,*}
			echo "/sys/fs/cgroup/${ctrls#name=}$path"
		fi
	done <"/proc/$1/cgroup"
}

spec_test lc_delete_removes_everything MUST "delete of a stopped container removes what create made: state, process, cgroups (runtime.md#delete)"
t_lc_delete_removes_everything() {
	args /bin/sleep 100
	create
	assert_ok create
	state
	local pid dirs d
	pid=$(jq -r .pid <<<"$OUT")
	dirs=$(cgroup_dirs "$pid")
	for d in $dirs; do [ -d "$d" ] || dirs=$(grep -vxF "$d" <<<"$dirs"); done
	[ -n "$dirs" ] || note "no cgroup of its own found for pid $pid"
	kill_ctr "$CID" KILL
	assert_ok "kill KILL"
	wait_status stopped
	delete "$CID"
	assert_ok delete
	no_leftovers "$CID" "$pid"
	for d in $dirs; do
		[ -d "$d" ] && fail "cgroup $d is still there"
	done
	return 0
}

spec_test lc_delete_keeps_bundle MUST "delete does not remove what create did not make: the bundle stays (runtime.md#delete)"
t_lc_delete_keeps_bundle() {
	args /bin/true
	run_ctr
	assert_ok run
	rt delete --force "$CID"
	[ -f "$B/config.json" ] || fail "config.json is gone"
	[ -x "$B/rootfs/bin/busybox" ] || fail "the rootfs is gone"
	return 0
}

spec_test lc_create_applies_config MUST "create applies the config except process: before start the container has its hostname and its root (runtime.md#create)"
t_lc_create_applies_config() {
	command -v nsenter >/dev/null || skip "needs nsenter from util-linux"
	cfg '.hostname = "spec-created"'
	touch "$(in_rootfs /spec-marker)"
	args /bin/sleep 100
	create
	assert_ok create
	state
	local pid
	pid=$(jq -r .pid <<<"$OUT")
	assert_eq "$(nsenter -t "$pid" -u cat /proc/sys/kernel/hostname)" spec-created "hostname in the container's UTS namespace"
	# after pivot_root the link reads "/": look through it for a file only the rootfs has
	[ -e "/proc/$pid/root/spec-marker" ] || fail "the container process's root is not the bundle's rootfs"
}
