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
