# shellcheck shell=bash
# linux: config-linux.md masked and read-only paths, config.md root.readonly,
# rootfsPropagation, sysctl and intelRdt (personality is in misc.sh).

# shellcheck source=../lib-b.sh
. "$SPEC_DIR/lib-b.sh"

spec_test masked_file MUST "a masked file cannot be read: it reads empty (config-linux.md#masked-paths)"
t_masked_file() {
	echo secret >"$B/rootfs/etc/cbsecret"
	cfg '.linux.maskedPaths += ["/etc/cbsecret"]'
	in_ct 'cat /etc/cbsecret; echo "[$(wc -c </etc/cbsecret)]"' || return 1
	eq "$OUT" "[0]" "contents of the masked /etc/cbsecret" &&
		eq "$(cat "$B/rootfs/etc/cbsecret")" secret "the file on the host after the container"
}

spec_test masked_dir MUST "a masked directory shows none of its entries (config-linux.md#masked-paths)"
t_masked_dir() {
	mkdir -p "$B/rootfs/cbdir" && echo secret >"$B/rootfs/cbdir/f"
	cfg '.linux.maskedPaths += ["/cbdir"]'
	in_ct 'ls -A /cbdir; cat /cbdir/f 2>/dev/null; touch /cbdir/g 2>/dev/null && echo WROTE; true' || return 1
	eq "$OUT" "" "listing and reading the masked /cbdir"
}

spec_test masked_proc MUST "masked /proc entries (kcore, keys) cannot be read (config-linux.md#masked-paths)"
t_masked_proc() {
	cfg '.linux.maskedPaths = ["/proc/kcore", "/proc/keys"]'
	in_ct 'echo "$(wc -c </proc/keys) $(head -c 16 /proc/kcore 2>/dev/null | wc -c)"' || return 1
	eq "$OUT" "0 0" "bytes read from /proc/keys and /proc/kcore"
}

spec_test readonly_path MUST "a readonly path cannot be written, the rest of the rootfs can (config-linux.md#readonly-paths)"
t_readonly_path() {
	mkdir -p "$B/rootfs/cbro" "$B/rootfs/cbrw"
	cfg '.root.readonly = false | .linux.readonlyPaths += ["/cbro"]'
	in_ct 'touch /cbro/x 2>/dev/null && echo RO-WROTE; touch /cbrw/x && echo RW-WROTE; true' || return 1
	eq "$OUT" RW-WROTE "writes" && eq "$(ls -A "$B/rootfs/cbro")" "" "/cbro on the host"
}

spec_test readonly_proc_sys MUST "a readonly /proc/sys cannot be written (config-linux.md#readonly-paths)"
t_readonly_proc_sys() {
	cfg '.linux.readonlyPaths = ["/proc/sys"]'
	in_ct 'echo 1 >/proc/sys/kernel/domainname 2>/dev/null && echo WROTE; grep " /proc/sys " /proc/self/mountinfo' || return 1
	hasnt "$OUT" WROTE "write to /proc/sys" && has "$OUT" " ro," "mount options of /proc/sys"
}

spec_test root_readonly MUST "root.readonly true: the root filesystem is read-only in the container (config.md#root)"
t_root_readonly() {
	cfg '.root.readonly = true'
	in_ct 'touch /cbx 2>/dev/null && echo WROTE; awk "\$5 == \"/\" { print \$6 }" /proc/self/mountinfo' || return 1
	hasnt "$OUT" WROTE "touch /cbx" && has ",$(printf '%s\n' "$OUT" | tail -1)," ",ro," "options of /" &&
		eq "$(ls "$B/rootfs/cbx" 2>/dev/null)" "" "/cbx on the host"
}

spec_test root_writable MUST "root.readonly false (the default): the root filesystem is writable (config.md#root)"
t_root_writable() {
	cfg 'del(.root.readonly)'
	in_ct 'echo made >/cbx' || return 1
	eq "$(cat "$B/rootfs/cbx" 2>&1)" made "/cbx on the host after the container"
}

# rootfsPropagation: the host's / here is private, so each test first gives the
# bundle's rootfs a master on the host, as container storage often has: A, a
# shared bind of the rootfs at $B/cbmaster, and the rootfs itself a slave
# bind of A. After create, the host mounts a tmpfs on A's /cbprop;
# /proc/PID/mountinfo of the container's init shows the optional fields of its
# / and whether that mount reached it.
rprop() { # value, pattern for the optional fields of /, seen|unseen|any
	mkdir -p "$B/rootfs/cbprop" "$B/cbmaster"
	mount --bind "$B/rootfs" "$B/cbmaster" && mount --make-shared "$B/cbmaster" &&
		mount --bind "$B/cbmaster" "$B/rootfs" && mount --make-slave "$B/rootfs" ||
		fail "cannot give the rootfs a master mount on the host"
	cfg --arg p "$1" '.linux.rootfsPropagation = $p'
	local s=0
	with_created rprop_check "$@" || s=$?
	umount -l "$B/cbmaster/cbprop" 2>/dev/null
	umount -l "$B/rootfs"
	umount -l "$B/cbmaster"
	return $s
}
rprop_check() {
	mount -t tmpfs cbprop "$B/cbmaster/cbprop" || fail "host mount on the rootfs failed"
	OUT=$(cat "/proc/$pid/mountinfo") || return 1
	local tags; tags=$(mi_tags /)
	case $tags in $2) ;; *) fail "optional fields of / with rootfsPropagation $1: [$tags]" ;; esac
	case $3:$(mi_count /cbprop) in seen:0) fail "the host's mount on /cbprop did not reach the container" ;;
	unseen:0) ;; unseen:*) fail "the host's mount on /cbprop reached the container" ;; esac
}
spec_test rootfs_propagation_shared MUST "rootfsPropagation shared: the rootfs is in a peer group (config-linux.md#rootfs-mount-propagation)"
t_rootfs_propagation_shared() { rprop shared '*shared:*' any; }
spec_test rootfs_propagation_slave MUST "rootfsPropagation slave: the rootfs receives mounts from the host (config-linux.md#rootfs-mount-propagation)"
t_rootfs_propagation_slave() { rprop slave '*master:*' seen; }
spec_test rootfs_propagation_private MUST "rootfsPropagation private: the rootfs receives nothing from the host (config-linux.md#rootfs-mount-propagation)"
t_rootfs_propagation_private() { rprop private '' unseen; }
spec_test rootfs_propagation_unbindable MUST "rootfsPropagation unbindable: a private rootfs that cannot be bind-mounted (config-linux.md#rootfs-mount-propagation)"
t_rootfs_propagation_unbindable() { rprop unbindable '*unbindable*' unseen; }

spec_test sysctl_net MUST "linux.sysctl sets a network sysctl in the container's network namespace only (config-linux.md#sysctl)"
t_sysctl_net() {
	local before; before=$(cat /proc/sys/net/ipv4/ip_forward)
	local want=1; [ "$before" = 1 ] && want=0
	cfg --arg v "$want" '.linux.sysctl = {"net.ipv4.ip_forward": $v}'
	in_ct 'cat /proc/sys/net/ipv4/ip_forward' || return 1
	eq "$OUT" "$want" "net.ipv4.ip_forward in the container" &&
		eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$before" "net.ipv4.ip_forward on the host"
}

spec_test sysctl_ipc MUST "linux.sysctl sets an IPC sysctl in the container's IPC namespace only (config-linux.md#sysctl)"
t_sysctl_ipc() {
	local before; before=$(cat /proc/sys/kernel/msgmax)
	cfg '.linux.sysctl = {"kernel.msgmax": "4321"}'
	in_ct 'cat /proc/sys/kernel/msgmax' || return 1
	eq "$OUT" 4321 "kernel.msgmax in the container" && eq "$(cat /proc/sys/kernel/msgmax)" "$before" "kernel.msgmax on the host"
}

spec_test intelrdt_no_resctrl MUST "intelRdt with no resctrl filesystem mounted is an error (config-linux.md#intelrdt)"
t_intelrdt_no_resctrl() {
	grep -q ' resctrl ' /proc/mounts && { skip "resctrl is mounted on this host"; return; }
	cfg --arg c "cb-$$" '.linux.intelRdt = {"closID": $c}'
	refuses_bundle
}
