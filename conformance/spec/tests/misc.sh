# shellcheck shell=bash
# Hostname and domainname (config.md), personality (config-linux.md), the
# root path, and invalid configurations (config.md#valid-values,
# runtime.md#errors): each refused config must leave nothing behind.

# refused 'WHAT': create failed, nothing exists under the id, process.args
# (which write /ran) never ran.
refused() {
	assert_failed "$1"
	assert_eq "$(status_of)" none "state after the refused create ($1)"
	rt list -q
	assert_eq "$OUT" "" "containers listed after the refused create ($1)"
	[ -e "$(in_rootfs /ran)" ] && fail "$1: the process ran"
	return 0
}

spec_test misc_hostname MUST "hostname is the container's hostname in its UTS namespace; the host's is unchanged (config.md#hostname)"
t_misc_hostname() {
	local before
	before=$(cat /proc/sys/kernel/hostname)
	cfg '.hostname = "spec-host"'
	run_capture 'hostname; cat /proc/sys/kernel/hostname'
	assert_eq "$(tr '\n' ' ' <<<"$OUT")" "spec-host spec-host " "hostname inside"
	assert_eq "$(cat /proc/sys/kernel/hostname)" "$before" "the host's hostname"
}

spec_test misc_domainname MUST "domainname is the container's NIS domain name in its UTS namespace; the host's is unchanged (config.md#domainname)"
t_misc_domainname() {
	local before
	before=$(cat /proc/sys/kernel/domainname)
	cfg '.domainname = "spec.example"'
	run_capture 'cat /proc/sys/kernel/domainname'
	assert_eq "$OUT" spec.example "domainname inside"
	assert_eq "$(cat /proc/sys/kernel/domainname)" "$before" "the host's domainname"
}

spec_test misc_personality_linux32 MUST "personality domain LINUX32 makes uname report a 32-bit machine (config-linux.md#personality)"
t_misc_personality_linux32() {
	[ "$(uname -m)" = x86_64 ] || skip "the check knows x86_64 hosts only"
	cfg '.linux.personality = {domain: "LINUX32"}'
	run_capture 'uname -m'
	assert_match "$OUT" '^i[3-6]86$' "uname -m"
}

spec_test misc_personality_linux MUST "personality domain LINUX keeps the native machine (config-linux.md#personality)"
t_misc_personality_linux() {
	cfg '.linux.personality = {domain: "LINUX"}'
	run_capture 'uname -m'
	assert_eq "$OUT" "$(uname -m)" "uname -m"
}

spec_test misc_personality_invalid MUST "an unknown personality domain is an error (config-linux.md#personality, config.md#valid-values)"
t_misc_personality_invalid() {
	cfg '.linux.personality = {domain: "SPEC_NO_SUCH_DOMAIN"}'
	sh_c 'echo ran >/ran'
	create
	refused "create with personality SPEC_NO_SUCH_DOMAIN"
}

spec_test misc_root_absolute_path MUST "root.path may be an absolute path outside the bundle (config.md#root)"
t_misc_root_absolute_path() {
	mv "$B/rootfs" "$T/elsewhere"
	cfg --arg p "$T/elsewhere" '.root.path = $p'
	run_capture 'echo ok >/marker; echo ok'
	assert_eq "$OUT" ok "output"
	[ -f "$T/elsewhere/marker" ] || fail "the process did not run in $T/elsewhere"
}

spec_test misc_root_relative_to_bundle MUST "a relative root.path is relative to the bundle, not to the caller's directory (config.md#root)"
t_misc_root_relative_to_bundle() {
	# a decoy rootfs in the caller's directory
	mkdir -p "$T/cwd/rootfs"
	sh_c 'echo ok >/marker'
	_track "$CID"
	(cd "$T/cwd" && "$RT" --root "$T/root" run --bundle "$B" "$CID" </dev/null >"$T/r.out" 2>"$T/r.err")
	RC=$? ERR=$(cat "$T/r.err")
	assert_ok "run from another directory"
	[ -f "$(in_rootfs /marker)" ] || fail "the process did not run in the bundle's rootfs"
}

spec_test misc_console_size_ignored MUST "consoleSize is ignored when terminal is false (config.md#process)"
t_misc_console_size_ignored() {
	cfg '.process.terminal = false | .process.consoleSize = {height: 40, width: 100}'
	run_capture 'if [ -t 1 ]; then echo tty; else echo notty; fi'
	assert_eq "$OUT" notty "stdout"
}

spec_test err_missing_config MUST "a bundle without config.json is an error; nothing is created (runtime.md#create)"
t_err_missing_config() {
	rm "$B/config.json"
	create
	refused "create without config.json"
}

spec_test err_config_not_json MUST "a config.json that is not JSON is an error; nothing is created (runtime.md#create)"
t_err_config_not_json() {
	printf '{"ociVersion": "1.0.2", "process": ' >"$B/config.json"
	create
	refused "create with a truncated config.json"
}

spec_test err_oci_version_missing MUST "a config without the REQUIRED ociVersion is an error (config.md#specification-version)"
t_err_oci_version_missing() {
	cfg 'del(.ociVersion)'
	sh_c 'echo ran >/ran'
	create
	refused "create without ociVersion"
}

spec_test err_oci_version_not_semver MUST "an ociVersion that is not SemVer 2.0.0 is an error (config.md#specification-version)"
t_err_oci_version_not_semver() {
	cfg '.ociVersion = "one-point-oh"'
	sh_c 'echo ran >/ran'
	create
	refused "create with ociVersion one-point-oh"
}

spec_test err_root_missing MUST "a root.path where no directory exists is an error (config.md#root)"
t_err_root_missing() {
	cfg '.root.path = "no-such-rootfs"'
	create
	refused "create with a missing rootfs"
}

spec_test err_args_empty MUST "process.args without an entry is an error (config.md#process)"
t_err_args_empty() {
	cfg '.process.args = []'
	create
	refused "create with empty process.args"
}

spec_test err_args_not_found MUST "a process.args[0] that does not exist is an error of create or start; nothing runs (runtime.md#start)"
t_err_args_not_found() {
	args /no/such/program
	create
	if [ "$RC" = 0 ]; then
		start
		assert_failed "start of /no/such/program"
	fi
	local st
	st=$(status_of)
	case $st in none | stopped) ;; *) fail "the container is $st" ;; esac
}

spec_test err_unknown_namespace MUST "an unknown namespace type is an error (config-linux.md#namespaces, config.md#valid-values)"
t_err_unknown_namespace() {
	cfg '.linux.namespaces += [{type: "spec-no-such-namespace"}]'
	sh_c 'echo ran >/ran'
	create
	refused "create with namespace type spec-no-such-namespace"
}

spec_test err_unknown_properties_ignored MUST "unknown properties are ignored, not an error (config.md#extensibility)"
t_err_unknown_properties_ignored() {
	cfg '.specUnknownTop = {a: 1} | .process.specUnknown = "x" | .linux.specUnknown = [1, 2] | .root.specUnknown = true'
	run_capture 'echo ok'
	assert_eq "$OUT" ok "output"
}

spec_test err_annotation_empty_key MUST "an annotation with an empty key is an error (config.md#annotations)"
t_err_annotation_empty_key() {
	cfg '.annotations = {"": "x"}'
	sh_c 'echo ran >/ran'
	create
	refused "create with an empty annotation key"
}

spec_test err_annotation_value_not_string MUST "an annotation value that is not a string is an error (config.md#annotations)"
t_err_annotation_value_not_string() {
	cfg '.annotations = {"org.example.spec": 1}'
	sh_c 'echo ran >/ran'
	create
	refused "create with a number as annotation value"
}
