#!/usr/bin/env bash
# runtime-tools.sh RUNTIME: the OCI runtime-tools validation suite
# (github.com/opencontainers/runtime-tools, validation/NAME/NAME.t: one TAP
# program per test, run against $RUNTIME) against RUNTIME and, for comparison,
# runc. It needs RUNTIME_TOOLS, a runtime-tools work tree with the executables
# built (`make runtimetest validation-executables`, Go >= 1.21) and its
# rootfs-amd64.tar.gz; without it the script prints SKIP (nothing here builds
# Go). Prints one line per test (RUNTIME's result, runc's, RUNTIME's first
# `not ok`) and exits 1 when RUNTIME fails a test that runc passes.
#
# A test passes when it exits 0 with no `not ok` line and, if it planned no
# test at all (hooks, prestart: they report their finding as YAML), no YAML.
# Each test runs as a child subreaper (create leaves orphans; PID 1 here reaps
# none) in a private mount namespace: a runtime that makes mounts in its own
# namespace (runc without a mount namespace in the config) leaves nothing on
# the host. Environment: RT_TESTS=ERE runs the matching tests only,
# RT_TIMEOUT=SECS per test (default 180), SPEC_RUNC (default /usr/sbin/runc).
set -u
here=$(cd "$(dirname "$0")" && pwd)
runtime=${1:?usage: runtime-tools.sh RUNTIME}
tools=${RUNTIME_TOOLS:-}
[ -n "$tools" ] || { echo "SKIP runtime-tools: RUNTIME_TOOLS (a built runtime-tools tree) is not set"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "SKIP runtime-tools: needs root"; exit 0; }
if [ ! -x "$tools/runtimetest" ] || [ ! -f "$tools/rootfs-amd64.tar.gz" ]; then
	echo "runtime-tools.sh: $tools has no runtimetest or rootfs-amd64.tar.gz (make runtimetest validation-executables)" >&2
	exit 2
fi
case $runtime in /*) ;; *) runtime=$(cd "$(dirname "$runtime")" && pwd)/$(basename "$runtime") ;; esac
[ -x "$runtime" ] || { echo "runtime-tools.sh: $runtime is not executable" >&2; exit 2; }
runc=${SPEC_RUNC:-/usr/sbin/runc}

work=$(mktemp -d /tmp/jsyd-rtools.XXXXXX)
trap 'rm -rf "$work"' EXIT
gcc -O2 -o "$work/subreaper" "$here/spec/subreaper.c" || { echo "runtime-tools.sh: building the subreaper failed" >&2; exit 2; }

# one RT NAME: PASS or FAIL, the TAP in $work/NAME.RTNAME.tap
one() {
	local rt=$1 name=$2 out tmp rc
	out=$work/$name.$(basename "$rt")
	tmp=$(mktemp -d "$work/tmp.XXXXXX")
	(cd "$tools" && TMPDIR=$tmp RUNTIME=$rt timeout -k 5 "${RT_TIMEOUT:-180}" \
		unshare --mount --propagation private "$work/subreaper" "./validation/$name/$name.t") \
		>"$out.tap" 2>"$out.err"
	rc=$?
	rm -rf "$tmp"
	if [ $rc != 0 ] || grep -q '^not ok' "$out.tap" || { grep -qx '1\.\.0' "$out.tap" && grep -q '^  ---' "$out.tap"; }; then
		echo FAIL
	else
		echo PASS
	fi
}

regress=0 n=0
printf '%-34s %-8s %-8s %s\n' TEST jsyd-oci runc "FIRST FAILURE (jsyd-oci)"
for t in "$tools"/validation/*/*.t; do
	name=$(basename "$t" .t)
	[ -z "${RT_TESTS:-}" ] || [[ $name =~ $RT_TESTS ]] || continue
	n=$((n + 1))
	mine=$(one "$runtime" "$name")
	theirs=n/a
	[ -x "$runc" ] && theirs=$(one "$runc" "$name")
	why=
	if [ "$mine" = FAIL ]; then
		f=$work/$name.$(basename "$runtime")
		why=$(grep -m1 '^not ok' "$f.tap" || grep -m1 -v '^failed to' "$f.err" || true)
		[ "$theirs" != PASS ] || regress=$((regress + 1))
	fi
	printf '%-34s %-8s %-8s %s\n' "$name" "$mine" "$theirs" "${why:0:100}"
done
echo "$n tests; jsyd-oci fails $regress that runc passes"
[ $regress = 0 ]
