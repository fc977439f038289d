# shellcheck shell=bash
# lib-b.sh: helpers shared by the mounts, devices, namespaces, linux, seccomp and
# cgroups tests, on top of lib.sh (sourced after it, never run). They read what a
# test's container saw (mountinfo lines, namespace inodes, cgroup files) so each
# test states its expectation in one or two lines.

# in_ct SCRIPT: runs SCRIPT with the bundle's sh as the container's process
# (foreground, no terminal); $out, $err and $rc are set as by run. Fails the
# test, showing stderr, when the container's status is not 0.
in_ct() {
	cfg --arg s "$1" '.process.args = ["sh", "-c", $s]'
	b_run
	[ "$rc" = 0 ] || { echo "container exited $rc: $err $out"; return 1; }
}

# in_ct_status SCRIPT: as in_ct but any status is fine (the caller checks $rc).
in_ct_status() {
	cfg --arg s "$1" '.process.args = ["sh", "-c", $s]'
	b_run
}

# refused: the runtime must refuse the bundle (create fails, nothing runs, no
# container left behind under the state root).
refused() {
	cfg '.process.args = ["sh", "-c", "echo RAN"]'
	b_run
	[ "$rc" != 0 ] || { echo "accepted (status 0): $out"; return 1; }
	case $out in *RAN*) echo "the process ran: $out"; return 1 ;; esac
	return 0
}

# eq GOT WANT WHAT: the assertion every test ends with.
eq() {
	[ "$1" = "$2" ] || { printf '%s: got [%s], want [%s]\n' "$3" "$1" "$2"; return 1; }
}

# has HAYSTACK NEEDLE WHAT / hasnt ...: substring assertions.
has() {
	case $1 in *"$2"*) return 0 ;; esac
	printf '%s: [%.300s] lacks [%s]\n' "$3" "$1" "$2"; return 1
}
hasnt() {
	case $1 in *"$2"*) printf '%s: [%.300s] has [%s]\n' "$3" "$1" "$2"; return 1 ;; esac
	return 0
}

# Mountinfo (from `cat /proc/self/mountinfo` in the container, in $out): the
# topmost line whose mount point is DEST, and its fields.
mi_line() { printf '%s\n' "$out" | awk -v d="$1" '$5 == d { l = $0 } END { print l }'; }
mi_count() { printf '%s\n' "$out" | awk -v d="$1" '$5 == d { n++ } END { print n + 0 }'; }
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
	d=$(mktemp -d "$bundle/host.XXXXXX") && chmod 0777 "$d" && printf '%s' "$d"
}

# ns_ino TYPE [PID]: the inode of a namespace of this process (or PID).
ns_ino() { stat -L -c %i "/proc/${2:-self}/ns/$1"; }

# userns_cfg: a new user namespace mapping container ids 0..65535 to host ids
# 100000.., without the cgroup mount (a v1 cgroupfs cannot be remounted from a
# user namespace that does not own the cgroup namespace). The mapped root must
# be able to reach the rootfs: the scratch directories above it (mktemp's 0700)
# get search permission for others.
userns_cfg() {
	local d=$bundle
	while [ "$d" != / ] && [ "$d" != /tmp ]; do chmod o+x "$d"; d=$(dirname "$d"); done
	cfg '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
}

# Holders: a process in new namespaces for a container to join by path. It is
# the child of an unshare(1) forked here; its pid is in $holder, unshare's in
# $holder_parent. unhold kills both (they are ours).
hold() { # unshare flags...
	unshare "$@" --fork sleep 300 &
	holder_parent=$!
	local i
	for i in $(seq 50); do
		holder=$(cat "/proc/$holder_parent/task/$holder_parent/children" 2>/dev/null | awk '{ print $1 }')
		[ -n "$holder" ] && [ "$(readlink "/proc/$holder/exe" 2>/dev/null)" != "$(readlink /proc/$holder_parent/exe)" ] && return 0
		sleep 0.1
	done
	echo "no holder process under unshare $*"; return 1
}
unhold() {
	[ -n "${holder:-}" ] && kill -KILL "$holder" 2>/dev/null
	[ -n "${holder_parent:-}" ] && { kill -KILL "$holder_parent" 2>/dev/null; wait "$holder_parent" 2>/dev/null; }
	holder="" holder_parent=""
}

# cg_v1 PID CONTROLLER: the cgroup directory of PID in a v1 hierarchy on the host.
cg_v1() {
	local rel
	rel=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup")
	[ -n "$rel" ] && printf '/sys/fs/cgroup/%s%s' "$2" "$rel"
}

# with_created SETUP-FN: creates the container (process: sleep), runs SETUP-FN
# with $pid set to the container's init pid as the host sees it, then deletes
# the container; the test's status is SETUP-FN's.
with_created() {
	cfg '.process.args = ["sleep", "300"]'
	b_create || { echo "create failed ($rc): $err"; return 1; }
	pid=$(b_pid)
	[ -n "$pid" ] && [ "$pid" != 0 ] || { echo "no pid in state"; b_delete; return 1; }
	local s=0
	"$@" || s=$?
	b_delete
	return $s
}
