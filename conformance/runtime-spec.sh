#!/usr/bin/env bash
# runtime-spec.sh RUNTIME [options]: the project's own runtime-spec conformance
# suite (conformance/spec/tests/*.sh, one test per requirement a black box can
# observe), run against RUNTIME and, in the same run for comparison, against
# runc and crun. Prints a table (test, level, requirement, one column per
# runtime) and exits 1 when RUNTIME fails a test that runc or crun passes.
#
# Options:
#   --only NAME     run one column: jsyd-oci (RUNTIME), runc or crun; exits 1
#                   when any test of that column fails
#   --tests ERE     run only the tests whose id matches ERE
#   --markdown FILE also write the table as markdown to FILE
#   --timeout SECS  per test (default 120)
#   --jobs N        workers per runtime column (default 2); the tests are dealt
#                   out round-robin, each worker runs its share one at a time
#   -v, --verbose   print every result with its time (failures and skips are
#                   always listed with their reasons)
# Environment: SPEC_RUNC (default /usr/sbin/runc), SPEC_CRUN (default crun on PATH).
#
# crun 1.8.1 refuses this host's hybrid cgroups (v1 controllers, cgroup2 at
# /sys/fs/cgroup/unified). Its column runs crun through a wrapper that starts
# every crun call in a private mount namespace with the host's cgroup2
# hierarchy mounted at /sys/fs/cgroup, so crun sees a unified host; the
# hierarchy is the same one every call sees, so create, kill and delete agree.
set -u
here=$(cd "$(dirname "$0")" && pwd)

runtime=
only=
filter=
markdown=
tmo=120
jobs=2
verbose=0
while [ $# -gt 0 ]; do
	case $1 in
	--only) only=${2:?--only NAME}; shift 2 ;;
	--tests) filter=${2:?--tests ERE}; shift 2 ;;
	--markdown) markdown=${2:?--markdown FILE}; shift 2 ;;
	--timeout) tmo=${2:?--timeout SECS}; shift 2 ;;
	--jobs) jobs=${2:?--jobs N}; shift 2 ;;
	-v | --verbose) verbose=1; shift ;;
	-h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
	-*) echo "runtime-spec.sh: unknown option $1" >&2; exit 2 ;;
	*) [ -z "$runtime" ] || { echo "runtime-spec.sh: one RUNTIME only" >&2; exit 2; }
		runtime=$1; shift ;;
	esac
done
[ -n "$runtime" ] || { echo "usage: runtime-spec.sh RUNTIME [--only NAME] [--tests ERE] [--markdown FILE] [-v]" >&2; exit 2; }
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "runtime-spec.sh: --jobs takes a positive number" >&2; exit 2; }
case $only in '' | jsyd-oci | runc | crun) ;; *) echo "runtime-spec.sh: --only takes jsyd-oci, runc or crun" >&2; exit 2 ;; esac

[ "$(id -u)" = 0 ] || { echo "SKIP runtime-spec: needs root"; exit 0; }
for tool in jq gcc timeout unshare; do
	command -v $tool >/dev/null || { echo "SKIP runtime-spec: needs $tool"; exit 0; }
done
[ -x /bin/busybox ] || { echo "SKIP runtime-spec: needs busybox-static at /bin/busybox"; exit 0; }
case $runtime in /*) ;; *) runtime=$(cd "$(dirname "$runtime")" && pwd)/$(basename "$runtime") ;; esac
[ -x "$runtime" ] || { echo "runtime-spec.sh: $runtime is not executable" >&2; exit 2; }

# shellcheck source=spec/lib.sh
. "$here/spec/lib.sh"
spec_load_tests
ids=()
for id in "${SPEC_IDS[@]}"; do
	[ -z "$filter" ] || [[ $id =~ $filter ]] || continue
	ids+=("$id")
done
[ ${#ids[@]} -gt 0 ] || { echo "runtime-spec.sh: no test matches '$filter'" >&2; exit 2; }

work=$(mktemp -d /tmp/jsyd-spec.XXXXXX)
chmod 755 "$work"
pids=()
# crun 1.8.1 was seen (a watcher on /dev/null, 2026-11-26) to leave the host's
# /dev/null owned by the user namespace's root while it ran dev_defaults_userns:
# the host's node is put back and the change reported, never left behind.
devnull_owner=$(stat -c %u:%g /dev/null)
cleanup() {
	local p
	# the workers stop their running test and delete its containers first
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	grep -F " $work/" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$work"
	if [ "$(stat -c %u:%g /dev/null)" != "$devnull_owner" ]; then
		echo "runtime-spec.sh: a runtime changed the owner of the host's /dev/null to $(stat -c %u:%g /dev/null); put back to $devnull_owner" >&2
		chown "$devnull_owner" /dev/null
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

gcc -O2 -o "$work/subreaper" "$here/spec/subreaper.c" || { echo "runtime-spec.sh: building the subreaper failed" >&2; exit 2; }
spec_make_rootfs "$work/rootfs"

# The columns: name and the path each test calls.
names=() paths=()
add_column() { [ -z "$only" ] || [ "$only" = "$1" ] || return 0; names+=("$1"); paths+=("$2"); }
add_column jsyd-oci "$runtime"
runc=${SPEC_RUNC:-/usr/sbin/runc}
if [ -x "$runc" ]; then add_column runc "$runc"; else missing_runc=1; fi
crun=${SPEC_CRUN:-$(command -v crun || true)}
if [ -n "$crun" ] && [ -x "$crun" ]; then
	cat >"$work/crun" <<-EOF
		#!/bin/sh
		# crun in a private mount namespace that shows the host's cgroup2 at /sys/fs/cgroup
		exec unshare --mount --propagation private sh -c 'mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "\$0" "\$@"' "$crun" "\$@"
	EOF
	chmod 755 "$work/crun"
	add_column crun "$work/crun"
fi
[ ${#names[@]} -gt 0 ] || { echo "runtime-spec.sh: no runtime to run (--only $only)" >&2; exit 2; }

started=$(date +%s)
for i in "${!names[@]}"; do
	for ((k = 0; k < jobs; k++)); do
		share=()
		for ((n = k; n < ${#ids[@]}; n += jobs)); do share+=("${ids[$n]}"); done
		[ ${#share[@]} -gt 0 ] || continue
		"$work/subreaper" bash "$here/spec/lib.sh" worker "${names[$i]}" "${paths[$i]}" "$work" \
			"$work/result.${names[$i]}.$k" "$tmo" "${share[@]}" &
		pids+=($!)
	done
done
for p in "${pids[@]}"; do wait "$p"; done
pids=()
elapsed=$(($(date +%s) - started))

declare -A res=() why=() took=()
for name in "${names[@]}"; do
	while IFS=$'\t' read -r id r secs reason; do
		res[$name.$id]=$r why[$name.$id]=$reason took[$name.$id]=$secs
	done < <(cat "$work/result.$name".*)
done

# ---------------------------------------------------------------- the table
cell() { printf '%s' "${res[$1.$2]:-n/a}"; }
notes_for() {
	local id=$1
	local j=${res[jsyd-oci.$id]:-} r=${res[runc.$id]:-} c=${res[crun.$id]:-}
	if [ -z "$only" ] && [ "${SPEC_LEVEL[$id]}" = MUST ] && [ "$j" = PASS ] && [ "$r" = FAIL ] && [ "$c" = FAIL ]; then
		printf 'jsyd-oci stricter'
	fi
}

regress=0 failed=0
declare -A count=()
for id in "${ids[@]}"; do
	for name in "${names[@]}"; do
		count[$name.$(cell "$name" "$id")]=$((${count[$name.$(cell "$name" "$id")]:-0} + 1))
	done
	j=${res[jsyd-oci.$id]:-}
	if [ "$j" = FAIL ]; then
		failed=$((failed + 1))
		if [ "${res[runc.$id]:-}" = PASS ] || [ "${res[crun.$id]:-}" = PASS ]; then regress=$((regress + 1)); fi
	fi
done

{
	printf '%-34s %-6s' TEST LEVEL
	for name in "${names[@]}"; do printf ' %-8s' "$name"; done
	printf '  %s\n' REQUIREMENT
	for id in "${ids[@]}"; do
		printf '%-34s %-6s' "$id" "${SPEC_LEVEL[$id]}"
		for name in "${names[@]}"; do printf ' %-8s' "$(cell "$name" "$id")"; done
		n=$(notes_for "$id")
		printf '  %s%s\n' "${SPEC_REQ[$id]}" "${n:+  [$n]}"
	done
	printf '%d tests in %ds:' "${#ids[@]}" "$elapsed"
	for name in "${names[@]}"; do
		printf ' %s %d pass, %d fail, %d skip;' "$name" "${count[$name.PASS]:-0}" "${count[$name.FAIL]:-0}" "${count[$name.SKIP]:-0}"
	done
	printf '\n'
	[ -z "${missing_runc:-}" ] || printf 'runc not found at %s: no runc column\n' "$runc"
}

# why each test failed or was skipped, in every column (with -v: every result)
for id in "${ids[@]}"; do
	for name in "${names[@]}"; do
		r=${res[$name.$id]:-}
		[ "$r" != PASS ] || [ "$verbose" = 1 ] || continue
		printf '  %-8s %-34s %s %ss: %s\n' "$name" "$id" "$r" "${took[$name.$id]:-}" "${why[$name.$id]:-}"
	done
done

if [ -n "$markdown" ]; then
	{
		printf '| Test | Level | Requirement |'
		for name in "${names[@]}"; do printf ' %s |' "$name"; done
		printf ' Note |\n|---|---|---|'
		for name in "${names[@]}"; do printf -- '---|'; done
		printf -- '---|\n'
		for id in "${ids[@]}"; do
			req=${SPEC_REQ[$id]//|/\\|}
			printf '| `%s` | %s | %s |' "$id" "${SPEC_LEVEL[$id]}" "$req"
			for name in "${names[@]}"; do printf ' %s |' "$(cell "$name" "$id")"; done
			printf ' %s |\n' "$(notes_for "$id")"
		done
		printf '\n%d tests;' "${#ids[@]}"
		for name in "${names[@]}"; do
			printf ' %s: %d pass, %d fail, %d skip;' "$name" "${count[$name.PASS]:-0}" "${count[$name.FAIL]:-0}" "${count[$name.SKIP]:-0}"
		done
		printf '\n'
	} >"$markdown"
fi

if [ -n "$only" ]; then
	[ "$failed" = 0 ] || [ "$only" != jsyd-oci ] || exit 1
	for name in "${names[@]}"; do [ "${count[$name.FAIL]:-0}" = 0 ] || exit 1; done
	exit 0
fi
if [ "$regress" -gt 0 ]; then
	echo "runtime-spec: jsyd-oci fails $regress test(s) that runc or crun passes"
	exit 1
fi
exit 0
