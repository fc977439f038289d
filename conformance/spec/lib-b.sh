# shellcheck shell=bash
# lib-b.sh: helpers shared by the mounts, devices, namespaces, linux, seccomp and
# cgroups tests, on top of lib.sh (sourced after it, never run). They read what a
# test's container saw (mountinfo lines, namespace inodes, cgroup files) so each
# test states its expectation in one or two lines.

# in_ct SCRIPT: the container's process is /bin/sh -c SCRIPT, run in the
# foreground; OUT, ERR and RC are set by run_ctr. Fails the test, with the
# container's output, when its status is not 0.
in_ct() {
	sh_c "$1"
	run_ctr
	[ "$RC" = 0 ] || fail "container exited $RC: $(tail -c 400 <<<"$ERR $OUT")"
}

# in_ct_status SCRIPT: as in_ct but any status is fine (the caller checks RC).
in_ct_status() {
	sh_c "$1"
	run_ctr
}

# refuses_bundle: the runtime must refuse the bundle: create fails, the process
# (which would make /ran) never runs, and no container is left behind.
refuses_bundle() {
	sh_c 'touch /ran'
	create
	assert_failed "create"
	assert_eq "$(status_of)" none "state after the refused create"
	[ -e "$(in_rootfs /ran)" ] && fail "the process ran"
	return 0
}

# eq GOT WANT WHAT, has HAYSTACK NEEDLE WHAT, hasnt ...: assertions that fail
# the test (long haystacks, such as mountinfo, are cut in the message).
eq() {
	[ "$1" = "$2" ] || fail "$3: got [$1], want [$2]"
}
has() {
	case $1 in *"$2"*) return 0 ;; esac
	fail "$3: [${1:0:300}] lacks [$2]"
}
hasnt() {
	case $1 in *"$2"*) fail "$3: [${1:0:300}] has [$2]" ;; esac
	return 0
}

# Mountinfo (from `cat /proc/self/mountinfo` in the container, in $OUT): the
# topmost line whose mount point is DEST, and its fields.
mi_line() { printf '%s\n' "$OUT" | awk -v d="$1" '$5 == d { l = $0 } END { print l }'; }
mi_count() { printf '%s\n' "$OUT" | awk -v d="$1" '$5 == d { n++ } END { print n + 0 }'; }
mi_opts() { mi_line "$1" | awk '{ print "," $6 "," }'; }
mi_fstype() { mi_line "$1" | awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1); exit } }'; }
mi_source() { mi_line "$1" | awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 2); exit } }'; }
mi_super() { mi_line "$1" | awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print "," $(i + 3) ","; exit } }'; }
# the optional fields (shared:N, master:N, unbindable) between field 7 and "-"
mi_tags() { mi_line "$1" | awk '{ s = ""; for (i = 7; i <= NF && $i != "-"; i++) s = s " " $i; print s }'; }

# add_mount JSON: appends one mounts entry.
add_mount() { cfg --argjson m "$1" '.mounts += [$m]'; }

# host_dir: a fresh directory under the test's scratch space, world-writable
# so that a container's root mapped to another uid can write in it.
host_dir() {
	local d
	d=$(mktemp -d "$B/host.XXXXXX") && chmod 0777 "$d" && printf '%s' "$d"
}

# ns_ino TYPE [PID]: the inode of a namespace of this process (or PID).
ns_ino() { stat -L -c %i "/proc/${2:-self}/ns/$1"; }

# userns_cfg: a new user namespace mapping container ids 0..65535 to host ids
# 100000.., without the cgroup mount (a v1 cgroupfs cannot be remounted from a
# user namespace that does not own the cgroup namespace). The mapped root must
# be able to reach the rootfs: the scratch directories above it (mktemp's 0700)
# get search permission for others.
userns_cfg() {
	local d=$B
	while [ "$d" != / ] && [ "$d" != /tmp ]; do chmod o+x "$d"; d=$(dirname "$d"); done
	cfg '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
}

# Holders: a process in new namespaces for a container to join by path. It is
# the child of an unshare(1) forked here; its pid is in $holder, unshare's in
# $holder_parent. unhold (also on the test's exit) kills both: they are ours.
hold() { # unshare flags...
	unshare "$@" --fork sleep 300 &
	holder_parent=$!
	trap unhold EXIT
	local i
	for i in $(seq 100); do
		holder=$(cat "/proc/$holder_parent/task/$holder_parent/children" 2>/dev/null | awk '{ print $1 }')
		[ -n "$holder" ] && [ "$(readlink "/proc/$holder/exe" 2>/dev/null)" != "$(readlink /proc/$holder_parent/exe)" ] && return 0
		sleep 0.1
	done
	fail "no holder process under unshare $*"
}
unhold() {
	[ -n "${holder:-}" ] && kill -KILL "$holder" 2>/dev/null
	[ -n "${holder_parent:-}" ] && { kill -KILL "$holder_parent" 2>/dev/null; wait "$holder_parent" 2>/dev/null; }
	holder="" holder_parent=""
}

# with_created FN ARGS...: creates the container (process: sleep 300), runs FN
# ARGS with $pid set to the container's init pid as the host sees it, then
# deletes the container.
with_created() {
	args sleep 300
	create
	assert_ok create
	state
	pid=$(jq -r .pid <<<"$OUT")
	[ -n "$pid" ] && [ "$pid" != 0 ] && [ "$pid" != null ] || fail "no pid in the state: $OUT"
	"$@"
	delete --force "$CID"
}
