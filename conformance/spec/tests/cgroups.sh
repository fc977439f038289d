# shellcheck shell=bash
# cgroups: config-linux.md "Control groups", read from the host's cgroup files
# of the container's init after create (its cgroup from /proc/PID/cgroup: a v1
# controller's hierarchy under /sys/fs/cgroup/CONTROLLER, or cgroup2 under
# /sys/fs/cgroup/unified when the runtime put it there), and by what the limits
# do in the container.

# shellcheck source=../lib-b.sh
. "$SPEC_DIR/lib-b.sh"

# cg_rel PID CONTROLLER: PID's cgroup path in the v1 hierarchy of CONTROLLER,
# or in cgroup2 (the "0::" line) when CONTROLLER is empty.
cg_rel() {
	awk -F: -v c="$2" '
		c == "" && $1 == "0" { print $3 }
		c != "" { n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup"
}

# cg_file PID V1-CONTROLLER V1-FILE V2-FILE: the host path of the container's
# cgroup file that holds a limit: the cgroup2 one when the runtime put the
# process in a cgroup2 group with that file, else the v1 one.
cg_file() {
	local v2 v1
	v2=/sys/fs/cgroup/unified$(cg_rel "$1" "")
	if [ -n "$4" ] && [ -f "$v2/$4" ] && [ "$v2" != /sys/fs/cgroup/unified/ ]; then
		printf '%s' "$v2/$4"
		return
	fi
	v1=/sys/fs/cgroup/$2$(cg_rel "$1" "$2")
	printf '%s' "$v1/$3"
}

# limit RESOURCES-JSON V1-CONTROLLER V1-FILE V2-FILE WANT-V1 WANT-V2: with
# linux.resources RESOURCES, the container's cgroup file holds the wanted value.
limit() {
	cfg --argjson r "$1" '.linux.resources = ((.linux.resources // {}) + $r)'
	with_created limit_check "${@:2}"
}
limit_check() {
	local f; f=$(cg_file "$pid" "$1" "$2" "$3")
	[ -f "$f" ] || fail "no cgroup file $f for the container's init"
	case $f in
	/sys/fs/cgroup/unified/*) eq "$(cat "$f")" "$5" "$f" ;;
	*) eq "$(cat "$f")" "$4" "$f" ;;
	esac
}

spec_test cg_path_absolute MUST "an absolute cgroupsPath is taken relative to the cgroups mount point (config-linux.md#cgroups-path)"
t_cg_path_absolute() {
	cfg --arg p "/jsyd-spec-$CID" '.linux.cgroupsPath = $p'
	with_created path_check "/jsyd-spec-$CID"
}
path_check() {
	local v1 v2; v1=$(cg_rel "$pid" memory) v2=$(cg_rel "$pid" "")
	[ "$v1" = "$1" ] || [ "$v2" = "$1" ] || fail "cgroup of the init: memory [$v1], cgroup2 [$v2], want $1"
}

spec_test cg_path_consistent MUST "the same cgroupsPath attaches to the same place each time (config-linux.md#cgroups-path)"
t_cg_path_consistent() {
	cfg --arg p "jsyd-spec/$CID" '.linux.cgroupsPath = $p'
	with_created consistent_record
	local first=$where
	with_created consistent_record
	eq "$where" "$first" "the cgroups of the second container (the first's: $first)"
	has "$where" "jsyd-spec/$CID" "the cgroup path"
}
consistent_record() { where="$(cg_rel "$pid" memory) $(cg_rel "$pid" "")"; }

spec_test cg_removed_on_delete MUST "delete removes the cgroup that create made (runtime.md#delete, config-linux.md#cgroups-path)"
t_cg_removed_on_delete() {
	cfg --arg p "/jsyd-spec-$CID" '.linux.cgroupsPath = $p'
	with_created true
	local d
	for d in /sys/fs/cgroup/*/"jsyd-spec-$CID"; do
		[ -e "$d" ] && fail "$d is left after delete"
	done
	return 0
}

spec_test cg_memory_limit MUST "memory.limit is the cgroup's memory limit (config-linux.md#memory)"
t_cg_memory_limit() { limit '{"memory": {"limit": 67108864}}' memory memory.limit_in_bytes memory.max 67108864 67108864; }

spec_test cg_memory_reservation MUST "memory.reservation is the cgroup's soft limit (config-linux.md#memory)"
t_cg_memory_reservation() {
	limit '{"memory": {"limit": 134217728, "reservation": 33554432}}' memory memory.soft_limit_in_bytes memory.low 33554432 33554432
}

spec_test cg_memory_swap MUST "memory.swap is the cgroup's memory+swap limit (config-linux.md#memory)"
t_cg_memory_swap() {
	# cgroup v1 holds memory+swap; cgroup2 holds the swap alone (swap - limit)
	limit '{"memory": {"limit": 33554432, "swap": 67108864}}' memory memory.memsw.limit_in_bytes memory.swap.max 67108864 33554432
}

spec_test cg_memory_enforced MUST "a process over memory.limit is OOM-killed (config-linux.md#memory)"
t_cg_memory_enforced() {
	cfg '.linux.resources = {"memory": {"limit": 16777216, "swap": 16777216}}'
	# a 64 MiB shell string in a 16 MiB cgroup; the subshell dies of SIGKILL
	in_ct '( x=$(head -c 67108864 /dev/zero | tr "\0" x); echo ${#x} ); echo "status $?"'
	eq "$OUT" "status 137" "the memory hog"
}

spec_test cg_pids_limit MUST "pids.limit is the cgroup's pids.max and fork fails beyond it (config-linux.md#pids)"
t_cg_pids_limit() {
	cfg '.linux.resources = {"pids": {"limit": 8}}'
	with_created limit_check pids pids.max pids.max 8 8
	# sh is one task; each sleep another, until fork fails and sh gives up
	in_ct_status 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 30 & echo started; done'
	local n; n=$(grep -c started <<<"$OUT")
	[ "$n" -ge 1 ] && [ "$n" -le 7 ] || fail "$n sleeps started in the container, the limit of 8 tasks allows 7"
}

spec_test cg_cpu_shares MUST "cpu.shares is the cgroup's cpu.shares (cpu.weight on cgroup2) (config-linux.md#cpu)"
t_cg_cpu_shares() { limit '{"cpu": {"shares": 512}}' cpu cpu.shares cpu.weight 512 20; }

spec_test cg_cpu_quota MUST "cpu.quota and cpu.period are the cgroup's CFS bandwidth (config-linux.md#cpu)"
t_cg_cpu_quota() {
	cfg '.linux.resources = {"cpu": {"quota": 20000, "period": 50000}}'
	with_created quota_check
}
quota_check() {
	local f; f=$(cg_file "$pid" cpu cpu.cfs_quota_us cpu.max)
	case $f in
	/sys/fs/cgroup/unified/*) eq "$(cat "$f")" "20000 50000" "$f" ;;
	*) eq "$(cat "$f") $(cat "${f%/*}/cpu.cfs_period_us")" "20000 50000" "cfs quota and period" ;;
	esac
}

spec_test cg_cpuset MUST "cpu.cpus and cpu.mems are the cgroup's cpuset (config-linux.md#cpu)"
t_cg_cpuset() { limit '{"cpu": {"cpus": "0", "mems": "0"}}' cpuset cpuset.cpus cpuset.cpus 0 0; }

spec_test cg_blkio_throttle MUST "blockIO.throttleReadBpsDevice is the cgroup's read limit for the device (config-linux.md#block-io)"
t_cg_blkio_throttle() {
	local dev; dev=$(stat -c '%d' /)
	local maj=$((dev >> 8)) min=$((dev & 255))
	[ -e "/sys/dev/block/$maj:$min" ] || skip "/ is not on a block device ($maj:$min)"
	cfg --argjson ma "$maj" --argjson mi "$min" \
		'.linux.resources = {"blockIO": {"throttleReadBpsDevice": [{"major": $ma, "minor": $mi, "rate": 1048576}]}}'
	with_created blkio_check "$maj:$min"
}
blkio_check() {
	local f; f=$(cg_file "$pid" blkio blkio.throttle.read_bps_device io.max)
	[ -f "$f" ] || fail "no cgroup file $f"
	has "$(cat "$f")" "$1" "$f" && has "$(cat "$f")" 1048576 "$f"
}

# a device node the container may open without capabilities and that no
# runtime allows by default (runc allows tun, 10:200): /dev/fuse, 10:229
fuse_device() {
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	cfg '.linux.devices = [{"path": "/dev/cbfuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
}

spec_test cg_devices_allow MUST "a devices rule allowing c 10:229 rw makes the node usable (config-linux.md#allowed-device-list)"
t_cg_devices_allow() {
	fuse_device
	cfg '.linux.resources = {"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]}'
	in_ct 'exec 3<>/dev/cbfuse && echo OPENED'
	eq "$OUT" OPENED "opening /dev/cbfuse"
}

spec_test cg_devices_deny MUST "devices rules apply in order: a later deny wins over an earlier allow (config-linux.md#allowed-device-list)"
t_cg_devices_deny() {
	fuse_device
	cfg '.linux.resources = {"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"},
		{"allow": false, "type": "c", "major": 10, "minor": 229, "access": "rwm"}]}'
	in_ct '( exec 3<>/dev/cbfuse ) 2>/dev/null && echo OPENED; true'
	eq "$OUT" "" "opening /dev/cbfuse"
}

spec_test cg_unified_unknown MUST "a unified key for a controller that is not present is an error (config-linux.md#unified)"
t_cg_unified_unknown() {
	cfg '.linux.resources = {"unified": {"jsydnosuch.max": "1"}}'
	refuses_bundle
}
