# shellcheck shell=bash
# mounts: config.md "Mounts" and config-linux.md "Default Filesystems", observed
# in the container's /proc/self/mountinfo and by using the mounts, and on the
# host after the container for bind mounts.

# shellcheck source=../lib-b.sh
. "$SPEC_DIR/lib-b.sh"

MI='cat /proc/self/mountinfo'

spec_test mnt_order MUST "the runtime mounts entries in the listed order (config.md#mounts)"
t_mnt_order() {
	add_mount '{"destination": "/ord", "type": "tmpfs", "source": "first", "options": ["size=1m"]}'
	add_mount '{"destination": "/ord", "type": "tmpfs", "source": "second", "options": ["size=2m"]}'
	add_mount '{"destination": "/nest", "type": "tmpfs", "source": "outer"}'
	add_mount '{"destination": "/nest/inner", "type": "tmpfs", "source": "inner"}'
	in_ct "$MI" || return 1
	eq "$(mi_count /ord)" 2 "mounts on /ord" &&
		eq "$(mi_source /ord)" second "topmost mount on /ord" &&
		eq "$(mi_source /nest/inner)" inner "the later mount inside the earlier one"
}

spec_test mnt_destination_created MUST "a destination missing in the rootfs is created (config.md#mounts destination)"
t_mnt_destination_created() {
	add_mount '{"destination": "/not/yet/there", "type": "tmpfs", "source": "tmpfs"}'
	in_ct "$MI; test -d /not/yet/there && echo DIR" || return 1
	eq "$(mi_fstype /not/yet/there)" tmpfs "fstype at /not/yet/there" && has "$OUT" DIR "a directory"
}

spec_test mnt_destination_relative MUST "a relative destination is interpreted relative to / (config.md#mounts destination)"
t_mnt_destination_relative() {
	add_mount '{"destination": "rel/dir", "type": "tmpfs", "source": "reltmp"}'
	in_ct "$MI" || return 1
	eq "$(mi_source /rel/dir)" reltmp "mount at /rel/dir"
}

spec_test mnt_type MUST "type names the filesystem mounted (config.md#mounts type)"
t_mnt_type() {
	add_mount '{"destination": "/t1", "type": "tmpfs", "source": "tmpfs"}'
	add_mount '{"destination": "/t2", "type": "mqueue", "source": "mqueue"}'
	in_ct "$MI" || return 1
	eq "$(mi_fstype /t1)" tmpfs "fstype at /t1" && eq "$(mi_fstype /t2)" mqueue "fstype at /t2"
}

spec_test mnt_bind_source MUST "a bind mount shows its source: reads and writes reach the host (config.md#mounts source, bind)"
t_mnt_bind_source() {
	local h; h=$(host_dir) || return 1
	echo from-host >"$h/in"
	add_mount "$(jq -n --arg s "$h" '{destination: "/b", type: "bind", source: $s, options: ["bind"]}')"
	in_ct 'cat /b/in; echo from-ct >/b/out' || return 1
	eq "$OUT" from-host "read in the container" && eq "$(cat "$h/out" 2>&1)" from-ct "written file seen on the host"
}

spec_test mnt_bind_relative_source SHOULD "a relative bind source is relative to the bundle (config.md#mounts source)"
t_mnt_bind_relative_source() {
	mkdir -p "$B/relsrc" && echo rel >"$B/relsrc/f"
	add_mount '{"destination": "/b", "type": "bind", "source": "relsrc", "options": ["bind"]}'
	in_ct 'cat /b/f' || return 1
	eq "$OUT" rel "file read through the bind mount"
}

spec_test mnt_bind_ro MUST "option ro on a bind mount: writes fail (config.md#mounts options)"
t_mnt_bind_ro() {
	local h; h=$(host_dir) || return 1
	add_mount "$(jq -n --arg s "$h" '{destination: "/b", type: "bind", source: $s, options: ["bind", "ro"]}')"
	in_ct "$MI; touch /b/x 2>/dev/null && echo WROTE; true" || return 1
	has "$(mi_opts /b)" ",ro," "options of /b" && hasnt "$OUT" WROTE "touch on a ro mount" &&
		eq "$(ls -A "$h")" "" "files on the host"
}

# a host directory with a tmpfs on its subdirectory sub/ holding a file
submount_dir() {
	sub_host=$(host_dir) || return 1
	mkdir "$sub_host/sub"
	mount -t tmpfs -o size=1m cb-sub "$sub_host/sub" || fail "mount tmpfs on the host failed"
	echo in-sub >"$sub_host/sub/f"
}
unsubmount() { umount -l "$sub_host/sub" 2>/dev/null; }

spec_test mnt_rbind MUST "option rbind binds recursively: submounts of the source are visible (config.md#mounts options)"
t_mnt_rbind() {
	submount_dir || return 1
	add_mount "$(jq -n --arg s "$sub_host" '{destination: "/b", type: "bind", source: $s, options: ["rbind"]}')"
	in_ct 'cat /b/sub/f'; local s=$?
	unsubmount
	[ $s = 0 ] && eq "$OUT" in-sub "file on the submount"
}

spec_test mnt_bind_not_recursive MUST "option bind without rbind does not carry submounts (config.md#mounts options)"
t_mnt_bind_not_recursive() {
	submount_dir || return 1
	add_mount "$(jq -n --arg s "$sub_host" '{destination: "/b", type: "bind", source: $s, options: ["bind"]}')"
	in_ct 'test -d /b/sub && echo DIR; cat /b/sub/f 2>/dev/null || echo NOFILE'; local s=$?
	unsubmount
	[ $s = 0 ] && eq "$OUT" "DIR
NOFILE" "sub/ through a non-recursive bind"
}

spec_test mnt_nosuid_nodev MUST "options nosuid and nodev set the mount flags (config.md#mounts options)"
t_mnt_nosuid_nodev() {
	add_mount '{"destination": "/m1", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]}'
	add_mount '{"destination": "/m2", "type": "tmpfs", "source": "tmpfs", "options": ["nodev"]}'
	add_mount '{"destination": "/m3", "type": "tmpfs", "source": "tmpfs", "options": ["suid", "dev"]}'
	in_ct "$MI" || return 1
	has "$(mi_opts /m1)" ",nosuid," "/m1" && hasnt "$(mi_opts /m1)" ",nodev," "/m1" &&
		has "$(mi_opts /m2)" ",nodev," "/m2" && hasnt "$(mi_opts /m2)" ",nosuid," "/m2" &&
		hasnt "$(mi_opts /m3)" ",nosuid," "/m3" && hasnt "$(mi_opts /m3)" ",nodev," "/m3"
}

spec_test mnt_noexec MUST "option noexec: a program on the mount cannot be executed (config.md#mounts options)"
t_mnt_noexec() {
	add_mount '{"destination": "/nx", "type": "tmpfs", "source": "tmpfs", "options": ["noexec"]}'
	add_mount '{"destination": "/ex", "type": "tmpfs", "source": "tmpfs", "options": ["exec"]}'
	in_ct "$MI; cp /bin/busybox /nx/true; cp /bin/busybox /ex/true; /ex/true && echo EXEC-OK; /nx/true 2>/dev/null || echo NOEXEC-REFUSED" || return 1
	has "$(mi_opts /nx)" ",noexec," "/nx" && has "$OUT" EXEC-OK "exec on /ex" && has "$OUT" NOEXEC-REFUSED "exec on /nx"
}

spec_test mnt_ro_rw MUST "options ro and rw on a filesystem mount (config.md#mounts options)"
t_mnt_ro_rw() {
	add_mount '{"destination": "/ro", "type": "tmpfs", "source": "tmpfs", "options": ["ro"]}'
	add_mount '{"destination": "/rw", "type": "tmpfs", "source": "tmpfs", "options": ["rw"]}'
	in_ct "$MI; touch /ro/x 2>/dev/null && echo RO-WROTE; touch /rw/x && echo RW-WROTE" || return 1
	has "$(mi_opts /ro)" ",ro," "/ro" && hasnt "$OUT" RO-WROTE "touch in /ro" && has "$OUT" RW-WROTE "touch in /rw"
}

spec_test mnt_atime MUST "options noatime, strictatime, relatime, nodiratime set the atime flags (config.md#mounts options)"
t_mnt_atime() {
	add_mount '{"destination": "/a1", "type": "tmpfs", "source": "tmpfs", "options": ["noatime"]}'
	add_mount '{"destination": "/a2", "type": "tmpfs", "source": "tmpfs", "options": ["strictatime"]}'
	add_mount '{"destination": "/a3", "type": "tmpfs", "source": "tmpfs", "options": ["relatime", "nodiratime"]}'
	in_ct "$MI" || return 1
	has "$(mi_opts /a1)" ",noatime," "/a1" &&
		hasnt "$(mi_opts /a2)" "atime," "/a2 (strictatime shows neither relatime nor noatime)" &&
		has "$(mi_opts /a3)" ",relatime," "/a3" && has "$(mi_opts /a3)" ",nodiratime," "/a3"
}

spec_test mnt_tmpfs_size_mode MUST "filesystem options (size, mode) are passed as mount data (config.md#mounts options)"
t_mnt_tmpfs_size_mode() {
	add_mount '{"destination": "/sz", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=1733", "nr_inodes=99"]}'
	in_ct "$MI; stat -c %a /sz" || return 1
	has "$(mi_super /sz)" ",size=1024k," "superblock options of /sz" &&
		has "$(mi_super /sz)" ",nr_inodes=99," "superblock options of /sz" &&
		eq "$(printf '%s\n' "$OUT" | tail -1)" 1733 "mode of /sz"
}

spec_test mnt_bind_propagation MUST "options rshared and runbindable set the bind mount's propagation (config.md#mounts options)"
t_mnt_bind_propagation() {
	local h1 h2; h1=$(host_dir) && h2=$(host_dir) || return 1
	add_mount "$(jq -n --arg s "$h1" '{destination: "/sh", type: "bind", source: $s, options: ["rbind", "rshared"]}')"
	add_mount "$(jq -n --arg s "$h2" '{destination: "/ub", type: "bind", source: $s, options: ["rbind", "runbindable"]}')"
	in_ct "$MI" || return 1
	has "$(mi_tags /sh)" "shared:" "propagation of /sh" && has "$(mi_tags /ub)" unbindable "propagation of /ub"
}

spec_test mnt_bind_slave MUST "option rslave: a mount made on the host under the source later appears in the container (config.md#mounts options)"
t_mnt_bind_slave() {
	# the source is a shared mount on the host (this host's / is private)
	local h; h=$(host_dir) || return 1
	mkdir "$h/later"
	mount --bind "$h" "$h" && mount --make-shared "$h" || fail "cannot make $h a shared mount on the host"
	add_mount "$(jq -n --arg s "$h" '{destination: "/sl", type: "bind", source: $s, options: ["rbind", "rslave"]}')"
	with_created slave_check "$h"
}
slave_check() {
	mount -t tmpfs cblater "$1/later" || fail "host mount under the source failed"
	OUT=$(cat "/proc/$pid/mountinfo") || return 1
	has "$(mi_tags /sl)" "master:" "propagation of /sl" && eq "$(mi_source /sl/later)" cblater "the host's later mount in the container"
}

spec_test mnt_nosymfollow SHOULD "option nosymfollow: symlinks on the mount are not followed (config.md#mounts options)"
t_mnt_nosymfollow() {
	add_mount '{"destination": "/ns", "type": "tmpfs", "source": "tmpfs", "options": ["nosymfollow"]}'
	in_ct "$MI; echo x >/ns/f; ln -s /ns/f /ns/l; cat /ns/l 2>/dev/null || echo NOFOLLOW" || return 1
	has "$(mi_opts /ns)" ",nosymfollow," "/ns" && has "$OUT" NOFOLLOW "cat through a symlink"
}

spec_test mnt_rro SHOULD "option rro makes every submount of an rbind read-only (config.md#mounts options)"
t_mnt_rro() {
	submount_dir || return 1
	add_mount "$(jq -n --arg s "$sub_host" '{destination: "/b", type: "bind", source: $s, options: ["rbind", "rro"]}')"
	in_ct "$MI; touch /b/sub/x 2>/dev/null && echo WROTE; true"; local s=$?
	unsubmount
	[ $s = 0 ] && has "$(mi_opts /b/sub)" ",ro," "submount /b/sub" && hasnt "$OUT" WROTE "touch on the submount"
}

# config-linux.md "Default Filesystems": the bundle's default mounts provide them
default_fs() { # path fstype
	in_ct "$MI" || return 1
	eq "$(mi_fstype "$1")" "$2" "filesystem at $1"
}
spec_test mnt_fs_proc SHOULD "/proc is a proc filesystem (config-linux.md#default-filesystems)"
t_mnt_fs_proc() { default_fs /proc proc; }
spec_test mnt_fs_sys SHOULD "/sys is a sysfs (config-linux.md#default-filesystems)"
t_mnt_fs_sys() { default_fs /sys sysfs; }
spec_test mnt_fs_devpts SHOULD "/dev/pts is a devpts (config-linux.md#default-filesystems)"
t_mnt_fs_devpts() { default_fs /dev/pts devpts; }
spec_test mnt_fs_shm SHOULD "/dev/shm is a tmpfs (config-linux.md#default-filesystems)"
t_mnt_fs_shm() { default_fs /dev/shm tmpfs; }
