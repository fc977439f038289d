# shellcheck shell=bash
# The runtime-spec conformance suite's machinery: sourced by runtime-spec.sh (to
# list the tests) and run as a program by it, once per runtime column
# (`lib.sh worker ...`) and once per test (`lib.sh one ...`, under `timeout`).
# Tests live in tests/*.sh: see conformance/README.md for how to write one.

SPEC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ---------------------------------------------------------------- registry

SPEC_IDS=()
declare -A SPEC_LEVEL=() SPEC_REQ=()

# spec_test ID LEVEL "requirement (file#section)": registers the test whose
# body is the function t_ID. LEVEL is MUST or SHOULD.
spec_test() {
	local id=$1 level=$2 req=$3
	[[ $id =~ ^[a-z][a-z0-9_]*$ ]] || { echo "spec_test: bad id '$id' (want [a-z][a-z0-9_]*)" >&2; exit 2; }
	[[ $level = MUST || $level = SHOULD ]] || { echo "spec_test $id: level '$level' is not MUST or SHOULD" >&2; exit 2; }
	[ -z "${SPEC_LEVEL[$id]:-}" ] || { echo "spec_test: $id registered twice" >&2; exit 2; }
	SPEC_IDS+=("$id")
	SPEC_LEVEL[$id]=$level
	SPEC_REQ[$id]=$req
}

spec_load_tests() {
	local f
	for f in "$SPEC_DIR"/tests/*.sh; do
		# shellcheck disable=SC1090
		. "$f"
	done
}

# ---------------------------------------------------------------- outcomes

# fail "why": the test fails (the reason goes into the verbose output).
fail() {
	printf '%s\n' "$*" >>"$T/reason"
	exit 1
}

# skip "why": the test cannot run here (not a failure of the runtime).
skip() {
	printf '%s\n' "$*" >>"$T/reason"
	exit 77
}

# note "text": adds a line to the verbose output without failing.
note() {
	printf '%s\n' "$*" >>"$T/notes"
}

assert_eq() { # GOT WANT WHAT
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

assert_ne() { # GOT UNWANTED WHAT
	[ "$1" != "$2" ] || fail "$3: got '$1'"
}

assert_match() { # GOT ERE WHAT
	[[ $1 =~ $2 ]] || fail "$3: got '$1', want a match of /$2/"
}

assert_rc() { # WANT WHAT: the last runtime call's exit status
	[ "$RC" = "$1" ] || fail "$2: exit status $RC, want $1 (stderr: $(tail -c 400 <<<"$ERR"))"
}

assert_ok() { # WHAT: the last runtime call succeeded
	[ "$RC" = 0 ] || fail "$1: exit status $RC (stderr: $(tail -c 400 <<<"$ERR"))"
}

assert_failed() { # WHAT: the last runtime call failed
	[ "$RC" != 0 ] || fail "$1: exit status 0, want non-zero"
}

# ---------------------------------------------------------------- bundle and config

# cfg 'JQ FILTER' [jq options...]: edits the bundle's config.json in place.
# Options go before the filter: cfg --arg s "$x" '.process.args = [$s]'.
cfg() {
	jq "$@" <"$B/config.json" >"$B/config.json.new" || fail "cfg: jq $* failed"
	mv "$B/config.json.new" "$B/config.json"
}

# args ARG...: the container process's args.
args() {
	cfg --argjson a "$(json_array "$@")" '.process.args = $a'
}

# json_array WORD...: prints the words as a JSON array of strings.
json_array() {
	local w out=
	for w in "$@"; do
		out+=${out:+,}$(jq -n --arg w "$w" '$w')
	done
	printf '[%s]' "$out"
}

# sh_c 'SCRIPT': the container process runs /bin/sh -c SCRIPT.
sh_c() {
	args /bin/sh -c "$1"
}

# in_rootfs PATH: the host path of PATH inside the bundle's rootfs.
in_rootfs() {
	printf '%s/rootfs%s' "$B" "$1"
}

# The base config: a runc-spec-like container (no terminal, pid, ipc, uts, mount
# and network namespaces, the usual mounts, masked and read-only paths) running
# /bin/true as root. Tests change what they exercise with cfg. Unlike runc
# spec's, it has no linux.resources: crun enforces a device rule on cgroup2 with
# an eBPF program and first raises RLIMIT_MEMLOCK, which this host (no
# CAP_SYS_RESOURCE) refuses; every runtime denies devices by default anyway.
spec_base_config() {
	cat <<'EOF'
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["/bin/true"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": false},
  "hostname": "spec",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
    "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
      "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
EOF
}

# spec_make_rootfs DIR: a busybox-static root with an applet link for every
# command, /etc/passwd and /etc/group with a few users, and empty mount points.
spec_make_rootfs() {
	local dir=$1 a
	mkdir -p "$dir"/{bin,etc,proc,sys,dev,tmp,root,home/user,var,run}
	chmod 1777 "$dir/tmp"
	cp /bin/busybox "$dir/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$dir/bin/$a"
	done
	cat >"$dir/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		user:x:1000:1000:user:/home/user:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$dir/etc/group" <<-'EOF'
		root:x:0:
		user:x:1000:
		extra:x:2000:user
		nogroup:x:65534:
	EOF
	chown 1000:1000 "$dir/home/user"
}

# ---------------------------------------------------------------- runtime calls

# Every call sets OUT, ERR and RC. Container ids a test creates are written to
# $T/ids so that the worker deletes them (--force) even after a timeout.

# rt ARG...: the runtime with this test's private --root.
rt() {
	"$RT" --root "$T/root" "$@" </dev/null >"$T/rt.out" 2>"$T/rt.err"
	RC=$?
	OUT=$(cat "$T/rt.out")
	ERR=$(cat "$T/rt.err")
	return 0
}

_track() {
	grep -qxF -- "$1" "$T/ids" 2>/dev/null || printf '%s\n' "$1" >>"$T/ids"
}

# new_id: a fresh container id (unique across runs and runtimes).
new_id() {
	SPEC_SEQ=$((${SPEC_SEQ:-0} + 1))
	printf '%s-%s' "$CID" "$SPEC_SEQ"
}

# run_ctr [ID] [extra run options...]: `run` in the foreground. The container's
# stdout and stderr are OUT and ERR (with the runtime's own messages), RC is
# its exit status.
run_ctr() {
	local id=${1:-$CID}
	shift || true
	_track "$id"
	"$RT" --root "$T/root" run "$@" --bundle "$B" "$id" </dev/null >"$T/run.out" 2>"$T/run.err"
	RC=$?
	OUT=$(cat "$T/run.out")
	ERR=$(cat "$T/run.err")
	return 0
}

# create [ID] [extra create options...]: `create`; the container's stdout and
# stderr go to $T/ctr.out and $T/ctr.err (read them with ctr_out, ctr_err).
create() {
	local id=${1:-$CID}
	shift || true
	_track "$id"
	"$RT" --root "$T/root" create "$@" --bundle "$B" "$id" </dev/null >"$T/ctr.out" 2>"$T/ctr.err"
	RC=$?
	OUT=$(cat "$T/ctr.out")
	ERR=$(cat "$T/ctr.err")
	return 0
}

ctr_out() { cat "$T/ctr.out"; }
ctr_err() { cat "$T/ctr.err"; }

start() { rt start "${1:-$CID}"; }
delete() { rt delete "$@"; }

# kill_ctr [ID] [SIGNAL]
kill_ctr() { rt kill "${1:-$CID}" ${2:+"$2"}; }

# state [ID]: `state`; OUT is the JSON document.
state() { rt state "${1:-$CID}"; }

# status_of [ID]: prints the status `state` reports, or "none" when state fails.
status_of() {
	local out
	out=$("$RT" --root "$T/root" state "${1:-$CID}" 2>/dev/null </dev/null) || { echo none; return 0; }
	jq -r '.status // "none"' <<<"$out" 2>/dev/null || echo none
}

# wait_status WANT [ID] [SECONDS]: polls state until status is WANT; fails the
# test when it is not within SECONDS (default 10).
wait_status() {
	local want=$1 id=${2:-$CID} secs=${3:-10} got
	local end=$((SECONDS + secs))
	while :; do
		got=$(status_of "$id")
		[ "$got" = "$want" ] && return 0
		[ $SECONDS -ge $end ] && fail "status of $id stayed '$got', want '$want' within ${secs}s"
		sleep 0.1
	done
}

# wait_file PATH [SECONDS]: waits until PATH exists (e.g. a file the container
# writes in its rootfs); fails the test otherwise.
wait_file() {
	local path=$1 secs=${2:-10}
	local end=$((SECONDS + secs))
	until [ -e "$path" ]; do
		[ $SECONDS -ge $end ] && fail "no $path within ${secs}s"
		sleep 0.05
	done
}

# run_capture 'SCRIPT': runs SCRIPT in the container (`run`) and fails the
# test unless it exits 0; OUT is its stdout.
run_capture() {
	sh_c "$1"
	run_ctr
	[ "$RC" = 0 ] || fail "run of '$1': exit status $RC (output: $(tail -c 400 <<<"$OUT$ERR"))"
}

# proc_field NAME TEXT: the value of "NAME:" in a /proc/PID/status text.
proc_field() {
	awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ +/, ""); print; exit }' <<<"$2"
}

# no_leftovers ID [PID]: after delete, the runtime no longer knows ID and its
# init process (PID, when given) is gone.
no_leftovers() {
	local id=$1 pid=${2:-} saved_rc=$RC saved_out=$OUT saved_err=$ERR
	rt state "$id"
	[ "$RC" != 0 ] || fail "state $id still succeeds after delete: $OUT"
	rt list -q
	grep -qxF -- "$id" <<<"$OUT" && fail "list still shows $id after delete"
	if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
		local st
		st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
		[ "$st" = Z ] || [ -z "$st" ] || fail "init pid $pid still alive (state $st) after delete"
	fi
	RC=$saved_rc OUT=$saved_out ERR=$saved_err
}

# ---------------------------------------------------------------- programs

# lib.sh one RT_NAME RT ID TDIR ROOTFS CID: runs test ID in a fresh bundle
# under TDIR; exit 0 pass, 1 fail, 77 skip.
spec_one() {
	RT_NAME=$1 RT=$2 T=$4 ROOTFS_TEMPLATE=$5 CID=$6
	local id=$3
	B=$T/bundle
	mkdir -p "$T/root" "$B"
	cp -a "$ROOTFS_TEMPLATE" "$B/rootfs" || fail "copying the rootfs failed"
	spec_base_config >"$B/config.json"
	: >"$T/ids"
	cd "$T" || exit 1
	"t_$id"
	exit 0
}

# spec_cleanup_test RT TDIR: deletes every container the test made (--force),
# then its directory.
spec_cleanup_test() {
	local rt=$1 tdir=$2 id
	if [ -f "$tdir/ids" ]; then
		while read -r id; do
			[ -n "$id" ] || continue
			# every runtime here keeps a directory per container under --root
			# (made before anything else): none means nothing to delete, and
			# saves a runtime start
			[ -e "$tdir/root/$id" ] || continue
			timeout -k 2 30 "$rt" --root "$tdir/root" delete --force "$id" </dev/null >/dev/null 2>&1
		done <"$tdir/ids"
	fi
	# a read-only bind or a runtime that died mid-create may leave mounts in the bundle
	grep -F " $tdir/" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$tdir"
}

# spec_worker_stop RT: the worker was asked to stop: ends the running test and
# removes what it made.
spec_worker_stop() {
	if [ -n "${SPEC_RUNNING:-}" ]; then
		kill -TERM "$SPEC_RUNNING" 2>/dev/null
		wait "$SPEC_RUNNING" 2>/dev/null
		spec_cleanup_test "$1" "$SPEC_TDIR"
	fi
	exit 143
}

# lib.sh worker RT_NAME RT WORK OUTFILE TIMEOUT ID...: runs the tests one after
# the other, each in its own process under a timeout, and writes one line per
# test to OUTFILE: ID <tab> PASS|FAIL|SKIP <tab> seconds <tab> reason.
spec_worker() {
	local name=$1 rt=$2 work=$3 outfile=$4 tmo=$5
	shift 5
	local id n=0 rc result reason tdir t0 t1 secs
	local rootfs=$work/rootfs
	local tag
	tag=$(basename "$work")
	tag=${tag##*.}
	# short names: runtimes put unix sockets under --root/ID (108 bytes at most)
	local shard=${outfile##*.}
	: >"$outfile"
	SPEC_RUNNING=
	# shellcheck disable=SC2064
	trap "spec_worker_stop '$rt'" TERM INT HUP
	for id in "$@"; do
		n=$((n + 1))
		tdir=$(mktemp -d "$work/$name.$shard.$n.XXXXXX")
		t0=$(date +%s%N)
		# in the background, so that a TERM to the worker is handled at once:
		# the test is stopped and its containers deleted before the worker exits
		timeout -k 5 "$tmo" bash "$SPEC_DIR/lib.sh" one "$name" "$rt" "$id" "$tdir" "$rootfs" \
			"spec-$tag-$name-$shard-$n" >"$tdir.log" 2>&1 &
		SPEC_RUNNING=$! SPEC_TDIR=$tdir
		wait "$SPEC_RUNNING"
		rc=$?
		SPEC_RUNNING=
		t1=$(date +%s%N)
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
		reason=$(cat "$tdir/reason" "$tdir/notes" 2>/dev/null | head -4 | tr '\n\t' '  ')
		case $rc in
		0) result=PASS ;;
		77) result=SKIP ;;
		124 | 137) result=FAIL reason="timed out after ${tmo}s; $reason" ;;
		*) result=FAIL ;;
		esac
		if [ "$result" = FAIL ] && [ -z "$reason" ]; then
			reason="exit $rc: $(tail -c 300 "$tdir.log" | tr '\n\t' '  ')"
		fi
		printf '%s\t%s\t%s\t%s\n' "$id" "$result" "$secs" "$reason" >>"$outfile"
		spec_cleanup_test "$rt" "$tdir"
		rm -f "$tdir.log"
	done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	spec_load_tests
	case ${1:-} in
	one) shift; spec_one "$@" ;;
	worker) shift; spec_worker "$@" ;;
	*) echo "usage: lib.sh one|worker ... (run by conformance/runtime-spec.sh)" >&2; exit 2 ;;
	esac
fi
