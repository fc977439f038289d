# shellcheck shell=bash
# devices: config-linux.md "Devices" and "Default Devices", checked with stat(1)
# in the container (type, major:minor, mode, owner) and by using the nodes.

# shellcheck source=../lib-b.sh
. "$SPEC_DIR/lib-b.sh"

# add_device JSON: appends one linux.devices entry (stat needs no cgroup access
# to the node, so the default deny-all device rule stays).
add_device() {
	cfg --argjson d "$1" '.linux.devices += [$d]'
}

# stat format: file type, major:minor in hex (busybox stat has no decimal), octal
# mode, uid:gid
DSTAT='stat -c "%F %t:%T %a %u:%g"'

spec_test dev_char MUST "a c entry in linux.devices is a character device with its major:minor (config-linux.md#devices)"
t_dev_char() {
	add_device '{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}'
	in_ct "$DSTAT /dev/fuse" || return 1
	has "$OUT" "character special file a:e5 " "/dev/fuse (10:229)"
}

spec_test dev_block MUST "a b entry in linux.devices is a block device with its major:minor (config-linux.md#devices)"
t_dev_block() {
	add_device '{"path": "/dev/cbloop", "type": "b", "major": 7, "minor": 200}'
	in_ct "$DSTAT /dev/cbloop" || return 1
	has "$OUT" "block special file 7:c8 " "/dev/cbloop (7:200)"
}

spec_test dev_unbuffered MUST "a u entry in linux.devices is a character (unbuffered) device (config-linux.md#devices)"
t_dev_unbuffered() {
	add_device '{"path": "/dev/cbu", "type": "u", "major": 1, "minor": 3}'
	in_ct "$DSTAT /dev/cbu" || return 1
	has "$OUT" "character special file 1:3 " "/dev/cbu"
}

spec_test dev_fifo MUST "a p entry in linux.devices is a fifo (config-linux.md#devices)"
t_dev_fifo() {
	add_device '{"path": "/dev/cbfifo", "type": "p"}'
	in_ct "$DSTAT /dev/cbfifo" || return 1
	has "$OUT" "fifo" "/dev/cbfifo"
}

spec_test dev_file_mode MUST "fileMode (decimal) sets the device node's permissions (config-linux.md#devices)"
t_dev_file_mode() {
	add_device '{"path": "/dev/cbmode", "type": "c", "major": 1, "minor": 3, "fileMode": 416}'
	in_ct "$DSTAT /dev/cbmode" || return 1
	has "$OUT" " 640 " "/dev/cbmode (416 = 0640)"
}

spec_test dev_uid_gid MUST "uid and gid set the device node's owner (config-linux.md#devices)"
t_dev_uid_gid() {
	add_device '{"path": "/dev/cbown", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 1234, "gid": 4321}'
	in_ct "$DSTAT /dev/cbown" || return 1
	has "$OUT" " 1234:4321" "/dev/cbown"
}

spec_test dev_outside_dev MUST "a device path may be outside /dev (config-linux.md#devices path)"
t_dev_outside_dev() {
	add_device '{"path": "/opt/cbdev/null2", "type": "c", "major": 1, "minor": 3, "fileMode": 438}'
	in_ct "$DSTAT /opt/cbdev/null2" || return 1
	has "$OUT" "character special file 1:3 " "/opt/cbdev/null2"
}

spec_test dev_existing_mismatch MUST "a file already at a device path that does not match is an error (config-linux.md#devices path)"
t_dev_existing_mismatch() {
	mkdir -p "$B/rootfs/opt" && echo plain >"$B/rootfs/opt/notadev"
	add_device '{"path": "/opt/notadev", "type": "c", "major": 1, "minor": 3}'
	refuses_bundle
}

spec_test dev_defaults MUST "/dev/null, zero, full, random, urandom and tty are supplied (config-linux.md#default-devices)"
t_dev_defaults() {
	in_ct 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done' || return 1
	eq "$OUT" "/dev/null character special file 1:3
/dev/zero character special file 1:5
/dev/full character special file 1:7
/dev/random character special file 1:8
/dev/urandom character special file 1:9
/dev/tty character special file 5:0" "default devices"
}

spec_test dev_defaults_usable MUST "the default devices work (config-linux.md#default-devices)"
t_dev_defaults_usable() {
	in_ct 'echo x >/dev/null && echo NULL-OK
head -c 4 /dev/zero | od -An -tx1
echo x >/dev/full 2>/dev/null || echo FULL-ENOSPC
[ "$(head -c 16 /dev/urandom | wc -c)" = 16 ] && echo URANDOM-OK
[ "$(head -c 16 /dev/random | wc -c)" = 16 ] && echo RANDOM-OK' || return 1
	eq "$OUT" "NULL-OK
 00 00 00 00
FULL-ENOSPC
URANDOM-OK
RANDOM-OK" "using the default devices"
}

spec_test dev_ptmx MUST "/dev/ptmx is a symlink to or bind mount of /dev/pts/ptmx (config-linux.md#default-devices)"
t_dev_ptmx() {
	in_ct 'readlink /dev/ptmx; stat -L -c "%d:%i" /dev/ptmx /dev/pts/ptmx' || return 1
	local first rest
	first=$(printf '%s\n' "$OUT" | head -1)
	rest=$(printf '%s\n' "$OUT" | tail -2 | uniq | wc -l)
	case $first in pts/ptmx | /dev/pts/ptmx) return 0 ;; esac
	eq "$rest" 1 "/dev/ptmx and /dev/pts/ptmx are one file (readlink said [$first])"
}

spec_test dev_pty_works MUST "a pseudoterminal can be opened through /dev/ptmx in the container's devpts (config-linux.md#default-devices)"
t_dev_pty_works() {
	# script(1) is not in busybox: opening /dev/ptmx read-write and listing
	# /dev/pts while it is open shows a new pty node
	in_ct 'exec 3<>/dev/ptmx && ls /dev/pts | grep -c "^[0-9]"' || return 1
	eq "$OUT" 1 "pty nodes in the container's devpts while one is open"
}

spec_test dev_defaults_userns MUST "the default devices are supplied and usable in a user namespace too (config-linux.md#default-devices)"
t_dev_defaults_userns() {
	userns_cfg
	in_ct 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done
echo x >/dev/null && head -c 4 /dev/zero | wc -c' || return 1
	eq "$OUT" "/dev/null character special file 1:3
/dev/zero character special file 1:5
/dev/full character special file 1:7
/dev/random character special file 1:8
/dev/urandom character special file 1:9
/dev/tty character special file 5:0
4" "default devices in a user namespace"
}
