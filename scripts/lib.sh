# shellcheck shell=bash
# Shared by the scripts in scripts/, bench/ and examples/: sourced, never run.
# Sets the paths every script agrees on and finds the JDK 25 the project builds
# and runs on.

JSYD_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# What `mvn package` lays out: lib/ (jars + libjnidispatch.so), jvm.args,
# bin/jsyd-oci and the AOT cache, all pointing into the build tree.
JSYD_DIST=$JSYD_REPO/oci/target/jsyd-oci
# Where scripts/install puts the same layout, and the launcher on PATH.
JSYD_PREFIX=${JSYD_PREFIX:-/usr/local}
JSYD_HOME=$JSYD_PREFIX/lib/jsyd-oci
JSYD_LAUNCHER=$JSYD_PREFIX/bin/jsyd-oci
# The containerd shim: its build layout, install directory, and launcher on the
# PATH, by the name containerd derives from the runtime type io.containerd.jsyd.v2.
JSYD_SHIM_DIST=$JSYD_REPO/shim/target/jsyd-shim
JSYD_SHIM_HOME=$JSYD_PREFIX/lib/jsyd-oci-shim
JSYD_SHIM_LAUNCHER=$JSYD_PREFIX/bin/containerd-shim-jsyd-v2

# Globs sort the same way everywhere (the class path order comes from one).
export LC_ALL=C

say() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

die() {
	say "$*"
	exit 1
}

require_root() {
	[ "$(id -u)" = 0 ] || die "run this as root: $1"
}

# is_jdk25 DIR: DIR holds a JDK whose release file says version 25 (read, not
# run, so no JVM starts just to ask).
is_jdk25() {
	[ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] &&
		grep -Eq '^JAVA_VERSION="25([."]|$)' "$1/release" 2>/dev/null
}

# find_java: exports JAVA_HOME for the JDK 25 to use, or stops. A JAVA_HOME that
# already names a JDK 25 wins; else Temurin's package path; else any
# /usr/lib/jvm/*25*. The machine's default java is 17, which cannot build this.
find_java() {
	local candidate
	local looked=()
	for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
		[ -n "$candidate" ] || continue
		looked+=("$candidate")
		if is_jdk25 "$candidate"; then
			JAVA_HOME=$(cd "$candidate" && pwd -P)
			export JAVA_HOME
			return 0
		fi
	done
	die "no JDK 25 found (looked at: ${looked[*]:-/usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*});" \
		"jsyd-oci builds and runs on the Temurin JDK 25 that this machine kind keeps under /usr/lib/jvm"
}

# dist_is_stale: true when the build tree's layout is missing or older than any
# source, pom, template or layout script it is made from.
dist_is_stale() {
	local stamp=$JSYD_DIST/jsyd-oci.aot
	[ -f "$stamp" ] || return 0
	[ -f "$JSYD_SHIM_DIST/containerd-shim-jsyd-v2.aot" ] || return 0
	[ -n "$(find "$JSYD_REPO" -path "$JSYD_REPO/.git" -prune -o -name target -prune -o \
		-type f -newer "$stamp" \( -path '*/src/*' -o -name pom.xml -o -path "$JSYD_REPO/bin/*" \
		-o -path "$JSYD_REPO/scripts/lay-out" -o -path "$JSYD_REPO/.mvn/*" \) -print -quit)" ]
}

# build: `mvn package` without tests (scripts/test runs those), which also lays
# out $JSYD_DIST and trains its AOT cache. Needs find_java first.
build() {
	say "building with Maven (JAVA_HOME=$JAVA_HOME)"
	(cd "$JSYD_REPO" && mvn -q -B -ntp package -DskipTests </dev/null) ||
		die "the Maven build failed (see above)"
}
