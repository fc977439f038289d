# shellcheck shell=bash
# namespaces: config-linux.md "Namespaces" and "User namespace mappings". A
# namespace is compared by the inode of /proc/PID/ns/TYPE: the container's init
# (from the state's pid) against this script's own and against a holder process
# made with unshare(1) for joining by path.

# shellcheck source=../lib-b.sh
. "$SPEC_DIR/lib-b.sh"

# proc ns file names by spec type
ns_file() {
	case $1 in network) echo net ;; mount) echo mnt ;; *) echo "$1" ;; esac
}

# new_ns TYPE: the config lists TYPE without a path; the container's namespace
# differs from the runtime's (this script's).
new_ns() {
	local f; f=$(ns_file "$1")
	cfg --arg t "$1" '.linux.namespaces |= (map(select(.type != $t)) + [{"type": $t}])'
	with_created new_ns_check "$f"
}
new_ns_check() {
	local in host; in=$(ns_ino "$1" "$pid") host=$(ns_ino "$1")
	[ -n "$in" ] && [ "$in" != "$host" ] || fail "$1 namespace of the container $in, of the runtime $host"
}

spec_test ns_new_pid MUST "a pid entry without path creates a new pid namespace; the process is pid 1 in it (config-linux.md#namespaces)"
t_ns_new_pid() {
	new_ns pid || return 1
	in_ct 'echo $$' && eq "$OUT" 1 "the container process's pid inside"
}
spec_test ns_new_network MUST "a network entry without path creates a new network namespace with only lo (config-linux.md#namespaces)"
t_ns_new_network() {
	new_ns network || return 1
	in_ct 'ls /sys/class/net' && eq "$OUT" lo "network interfaces inside"
}
spec_test ns_new_mount MUST "a mount entry without path creates a new mount namespace (config-linux.md#namespaces)"
t_ns_new_mount() { new_ns mount; }
spec_test ns_new_ipc MUST "an ipc entry without path creates a new IPC namespace (config-linux.md#namespaces)"
t_ns_new_ipc() { new_ns ipc; }
spec_test ns_new_uts MUST "a uts entry without path creates a new UTS namespace (config-linux.md#namespaces)"
t_ns_new_uts() {
	cfg '.hostname = "cb-uts"'
	new_ns uts || return 1
	in_ct 'hostname' && eq "$OUT" cb-uts "hostname inside" && hasnt "$(hostname)" cb-uts "the host's hostname"
}
spec_test ns_new_cgroup MUST "a cgroup entry without path creates a new cgroup namespace rooted at the container's cgroup (config-linux.md#namespaces)"
t_ns_new_cgroup() {
	new_ns cgroup || return 1
	# every hierarchy's root is where the process was when the namespace was made
	in_ct 'grep -v ":/$" /proc/self/cgroup; true' || return 1
	eq "$OUT" "" "lines of /proc/self/cgroup inside whose path is not /"
}
spec_test ns_new_user MUST "a user entry without path creates a new user namespace (config-linux.md#namespaces)"
t_ns_new_user() {
	userns_cfg
	new_ns user
}
spec_test ns_new_time SHOULD "a time entry without path creates a new time namespace (config-linux.md#namespaces)"
t_ns_new_time() {
	[ -e /proc/self/ns/time ] || { skip "the kernel has no time namespaces"; return; }
	new_ns time
}

spec_test ns_inherit MUST "a namespace type not listed is inherited from the runtime (config-linux.md#namespaces)"
t_ns_inherit() {
	cfg '.linux.namespaces = [{"type": "mount"}] | del(.hostname)
		| .mounts |= map(select(.destination != "/sys" and .destination != "/sys/fs/cgroup"))'
	with_created inherit_check
}
inherit_check() {
	local t
	for t in pid net ipc uts cgroup user; do
		[ "$(ns_ino $t "$pid")" = "$(ns_ino $t)" ] || fail "$t namespace differs from the runtime's"
	done
}

# in_holder_mount_ns: the runtime runs from here on in the mount namespace of a
# holder process (a private copy of this one): what a runtime makes in its own
# mount namespace (runc even makes "/" a slave there) never reaches the host's.
in_holder_mount_ns() {
	hold --mount --propagation private || return 1
	printf '#!/bin/sh\nexec nsenter -t %s -m -- %s "$@"\n' "$holder" "$RT" >"$T/rt-in-holder"
	chmod 755 "$T/rt-in-holder"
	RT=$T/rt-in-holder
}
# mounts_below DIR PID: the mount points of PID's mount namespace at or below DIR.
mounts_below() { awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' "/proc/$2/mountinfo"; }

spec_test ns_inherit_mount MUST "without a mount entry the container shares the runtime's mount namespace, its process runs in root.path, and delete removes the mounts create made there (config-linux.md#namespaces, runtime.md#delete)"
t_ns_inherit_mount() {
	in_holder_mount_ns || return 1
	# masked and read-only paths need a mount namespace of the container's own (runc refuses them too)
	cfg '.linux.namespaces |= map(select(.type != "mount")) | del(.linux.maskedPaths, .linux.readonlyPaths)'
	echo inherit >"$(in_rootfs /etc/spec-marker)"
	with_created inherit_mount_check
	assert_ok "delete --force"
	eq "$(mounts_below "$B/rootfs" "$holder")" "" "mounts at the rootfs in the runtime's namespace after delete"
}
inherit_mount_check() {
	eq "$(ns_ino mnt "$pid")" "$(ns_ino mnt "$holder")" "mount namespace of the container and of the runtime"
	eq "$(nsenter -t "$holder" -m readlink "/proc/$pid/root")" "$B/rootfs" "root directory of the container's process"
	has "$(mounts_below "$B/rootfs" "$holder")" "$B/rootfs/proc" "mounts at the rootfs in the runtime's namespace"
	rt exec "$CID" sh -c 'cat /etc/spec-marker; pwd'
	assert_ok exec
	eq "$OUT" "inherit
/" "an exec'd process's view (the rootfs's /etc/spec-marker, its cwd)"
}

spec_test ns_join_mount MUST "a mount entry with a path joins that namespace, and the container gets its root.path and mounts there (config-linux.md#namespaces)"
t_ns_join_mount() {
	hold --mount --propagation private || return 1
	cfg --arg p "/proc/$holder/ns/mnt" '.linux.namespaces |= (map(select(.type != "mount")) + [{"type": "mount", "path": $p}])'
	local s=0
	with_created join_mount_check || s=$?
	unhold
	return $s
}
join_mount_check() {
	join_check mnt
	has "$(awk '{ print $5 }' "/proc/$pid/mountinfo")" "/proc" "mounts the container sees"
	hasnt "$(awk '{ print $5 }' /proc/self/mountinfo)" "$B/rootfs/proc" "mounts of the runtime's namespace"
}

# join_ns TYPE UNSHARE-FLAG: the config names the namespace of a holder process
# by path; the container's namespace is the holder's.
join_ns() {
	local f; f=$(ns_file "$1")
	hold "$2" || return 1
	cfg --arg t "$1" --arg p "/proc/$holder/ns/$f" \
		'.linux.namespaces |= (map(select(.type != $t)) + [{"type": $t, "path": $p}])'
	local s=0
	with_created join_check "$f" || s=$?
	unhold
	return $s
}
join_check() {
	local in want; in=$(ns_ino "$1" "$pid") want=$(ns_ino "$1" "$holder")
	[ -n "$in" ] && [ "$in" = "$want" ] || fail "$1 namespace of the container $in, of the path's process $want"
}
spec_test ns_join_network MUST "a network entry with a path joins that namespace (config-linux.md#namespaces)"
t_ns_join_network() { join_ns network --net; }
spec_test ns_join_ipc MUST "an ipc entry with a path joins that namespace (config-linux.md#namespaces)"
t_ns_join_ipc() { join_ns ipc --ipc; }
spec_test ns_join_uts MUST "a uts entry with a path joins that namespace (config-linux.md#namespaces)"
t_ns_join_uts() { cfg 'del(.hostname)'; join_ns uts --uts; }
spec_test ns_join_pid MUST "a pid entry with a path joins that namespace (config-linux.md#namespaces)"
t_ns_join_pid() { join_ns pid --pid; }
spec_test ns_join_cgroup MUST "a cgroup entry with a path joins that namespace (config-linux.md#namespaces)"
t_ns_join_cgroup() { join_ns cgroup --cgroup; }
spec_test ns_join_time SHOULD "a time entry with a path joins that namespace (config-linux.md#namespaces)"
t_ns_join_time() {
	[ -e /proc/self/ns/time ] || { skip "the kernel has no time namespaces"; return; }
	join_ns time --time
}

spec_test ns_path_wrong_type MUST "a path to a namespace of another type is an error (config-linux.md#namespaces)"
t_ns_path_wrong_type() {
	hold --net || return 1
	cfg --arg p "/proc/$holder/ns/net" '.linux.namespaces |= (map(select(.type != "ipc")) + [{"type": "ipc", "path": $p}])'
	local s=0
	refuses_bundle || s=$?
	unhold
	return $s
}

spec_test ns_duplicate MUST "two entries of the same namespace type are an error (config-linux.md#namespaces)"
t_ns_duplicate() {
	cfg '.linux.namespaces += [{"type": "ipc"}, {"type": "ipc"}]'
	refuses_bundle
}

spec_test userns_uid_map MUST "uidMappings are the container's uid map; its root is the mapped host uid (config-linux.md#user-namespace-mappings)"
t_userns_uid_map() {
	userns_cfg
	in_ct 'cat /proc/self/uid_map; id -u' || return 1
	eq "$(printf '%s\n' "$OUT" | awk '{ $1 = $1; print }')" "0 100000 65536
0" "uid_map and id -u inside"
}

spec_test userns_gid_map MUST "gidMappings are the container's gid map (config-linux.md#user-namespace-mappings)"
t_userns_gid_map() {
	userns_cfg
	cfg '.linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 1000}]'
	in_ct 'cat /proc/self/gid_map; id -g' || return 1
	eq "$(printf '%s\n' "$OUT" | awk '{ $1 = $1; print }')" "0 200000 1000
0" "gid_map and id -g inside"
}

spec_test userns_host_ids MUST "a file the container's root creates is owned by the mapped host ids (config-linux.md#user-namespace-mappings)"
t_userns_host_ids() {
	local h; h=$(host_dir) || return 1
	# the rootfs belongs to the unmapped host root: the mount point must exist
	mkdir "$B/rootfs/b"
	userns_cfg
	add_mount "$(jq -n --arg s "$h" '{destination: "/b", type: "bind", source: $s, options: ["rbind"]}')"
	in_ct 'touch /b/f' || return 1
	eq "$(stat -c %u:%g "$h/f")" 100000:100000 "owner of the file on the host"
}

spec_test userns_no_chown SHOULD "the runtime does not change the ownership of the rootfs to realise the mapping (config-linux.md#user-namespace-mappings)"
t_userns_no_chown() {
	userns_cfg
	in_ct 'stat -c %u /bin/busybox' || return 1
	eq "$OUT" 65534 "owner of /bin/busybox inside (host root is unmapped)" &&
		eq "$(stat -c %u:%g "$B/rootfs/bin/busybox" "$B/rootfs")" "0:0
0:0" "owners in the rootfs on the host after the container"
}

spec_test time_offsets SHOULD "timeOffsets shift the boottime clock in a new time namespace (config-linux.md#offset-for-time-namespace)"
t_time_offsets() {
	[ -e /proc/self/ns/time ] || { skip "the kernel has no time namespaces"; return; }
	cfg '.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"boottime": {"secs": 864000000, "nanosecs": 0}}'
	in_ct 'cut -d. -f1 /proc/uptime' || return 1
	local host; host=$(cut -d. -f1 /proc/uptime)
	[ "$OUT" -ge $((host + 864000000 - 60)) ] 2>/dev/null || fail "uptime inside $OUT, on the host $host"
}

spec_test ns_join_user MUST "a user entry with a path joins that user namespace (config-linux.md#namespaces)"
t_ns_join_user() {
	# the holder's user namespace maps its root to the host's root: the joined
	# container needs no mappings of its own
	hold --user --map-root-user || return 1
	cfg --arg p "/proc/$holder/ns/user" '.linux.namespaces += [{"type": "user", "path": $p}]'
	with_created join_check user
	unhold
}
