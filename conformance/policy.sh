#!/usr/bin/env bash
# policy.sh RUNTIME: a container under a jsyd sandbox policy, given as the
# annotation org.jsyd.policy, run by podman (4.3; `podman run --annotation`) and
# by containerd 1.6 through its runc v2 shim (`ctr run --annotation`). Both go
# through create/start, so the runtime's per-root supervisor daemon confines the
# container; the container reads a denied file (the notify supervisor) and runs
# a program from its world-writable /tmp under trusted path execution (the ptrace
# layer, which the daemon hosts by seizing the init), and the scenario passes when
# both fail inside and both decisions are in the container's sandbox log
# (ROOT/ID/sandbox.log under the --root the caller gave the runtime).
# Same setup as podman.sh and containerd.sh (private storage, state and socket,
# busybox image made here); everything is removed at the end. Only jsyd-oci has
# sandbox policies: for another RUNTIME it prints SKIP.
set -u
. "$(dirname "$0")/lib/containerd.bash"
rt=${1:?usage: policy.sh RUNTIME}
case "$(basename "$rt")" in
jsyd-oci*) ;;
*) echo "SKIP policy: $(basename "$rt") has no jsyd sandbox policy"; exit 0 ;;
esac
[ "$(id -u)" = 0 ] || { echo "SKIP policy: needs root"; exit 0; }
[ -x /bin/busybox ] || { echo "SKIP policy: needs busybox-static at /bin/busybox"; exit 0; }
command -v podman >/dev/null || { echo "SKIP policy: podman not installed"; exit 0; }

tmp=$(mktemp -d /tmp/jsyd-policy.XXXXXX)
P=(podman --root "$tmp/storage" --runroot "$tmp/run" --tmpdir "$tmp/tmp" --cgroup-manager=cgroupfs
   --events-backend=file --storage-driver vfs --runtime "$rt")
img=localhost/jsyd-busybox:policy
C=(ctr --address "$tmp/containerd.sock")
cpid=
# unique per run: containerd's shim keeps its runtime state under a host-wide root
ctask=jsyd-policy-$$
policy=$(printf '%s\n' 'sandbox/read:on' 'allow/read+/***' 'deny/read+/etc/secret' 'sandbox/tpe:on')
# podman's --annotation is a list flag read as CSV: a value with newlines must be one quoted field
script='cat /etc/secret >/dev/null 2>&1; echo "read=$?"; /tmp/bb true 2>/dev/null; echo "tpe=$?"; exec sleep 1000'

cleanup() {
	"${P[@]}" rm -a -f -t 0 >/dev/null 2>&1
	if [ -n "$cpid" ]; then
		"${C[@]}" task kill -s KILL "$ctask" >/dev/null 2>&1
		for _ in $(seq 50); do
			"${C[@]}" task ls 2>/dev/null | awk -v t="$ctask" '$1 == t { print $3 }' | grep -q RUNNING || break
			sleep 0.1
		done
		"${C[@]}" task delete -f "$ctask" >/dev/null 2>&1
		"${C[@]}" container rm "$ctask" >/dev/null 2>&1
		kill "$cpid" 2>/dev/null && wait "$cpid" 2>/dev/null
	fi
	"${P[@]}" rmi -a -f >/dev/null 2>&1
	"${P[@]}" system reset -f >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/rootfs"/{bin,etc,proc,sys,dev,tmp,root}
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$tmp/rootfs/bin/$a"; done
cp /bin/busybox "$tmp/rootfs/bin/busybox"
echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/rootfs/etc/passwd"
echo 'root:x:0:' >"$tmp/rootfs/etc/group"
echo 'not for the container' >"$tmp/rootfs/etc/secret"
# a program where anyone may write: trusted path execution refuses it
cp /bin/busybox "$tmp/rootfs/tmp/bb"
chmod 1777 "$tmp/rootfs/tmp"
tar -C "$tmp/rootfs" -cf "$tmp/rootfs.tar" .
"${P[@]}" import "$tmp/rootfs.tar" "$img" >/dev/null 2>&1 || { echo "FAIL podman import"; exit 1; }

pass=0 fail=0
check() {
	local name=$1; shift
	if out=$("$@" 2>&1); then
		pass=$((pass + 1)); echo "PASS $name"
	else
		fail=$((fail + 1)); printf 'FAIL %s\n%s\n' "$name" "$out" | head -20
	fi
}

# The --root the caller gave the runtime: look where the sandbox log of the id
# appears under the roots callers use (podman 4.3 passes /run/<runtime name>'s
# default, /run/jsyd-oci; the runc v2 shim /run/containerd/runc/NAMESPACE).
find_log() { # id, then the directories to search
	local id=$1; shift
	for _ in $(seq 100); do
		for d in "$@"; do
			[ -f "$d/$id/sandbox.log" ] && { echo "$d/$id/sandbox.log"; return 0; }
		done
		sleep 0.1
	done
	return 1
}
denied_in() { # log file: the decision for /etc/secret is there, a deny with the rule's origin
	for _ in $(seq 50); do
		grep -q '"path":"/etc/secret".*"action":"deny".*"rule":"deny/read+/etc/secret"' "$1" && return 0
		sleep 0.1
	done
	echo "no decision in $1:"; cat "$1"; return 1
}
tpe_in() { # log file: the ptrace layer's refusal of /tmp/bb is there
	for _ in $(seq 50); do
		grep -q '"syscall":"execve".*"category":"tpe".*"path":"/tmp/bb".*"action":"deny"' "$1" && return 0
		sleep 0.1
	done
	echo "no tpe refusal in $1:"; cat "$1"; return 1
}

podman_policy() {
	id=$("${P[@]}" run -d --network none --ulimit nofile=1024:4096 --ulimit nproc=1000:2000 \
		--annotation "\"org.jsyd.policy=$policy\"" "$img" sh -c "$script") || return 1
	for _ in $(seq 100); do "${P[@]}" logs "$id" 2>/dev/null | grep -q tpe= && break; sleep 0.1; done
	[ "$("${P[@]}" logs "$id" 2>&1)" = "$(printf 'read=1\ntpe=126')" ] ||
		{ echo "the container said: $("${P[@]}" logs "$id" 2>&1)"; return 1; }
	roots=("$tmp/run/runtime" "$tmp/run" /run/jsyd-oci /run/runc)
	[ -n "${XDG_RUNTIME_DIR:-}" ] && roots+=("$XDG_RUNTIME_DIR/jsyd-oci")
	log=$(find_log "$id" "${roots[@]}") || log=$(find / -xdev -path "*/$id/sandbox.log" 2>/dev/null | head -1)
	[ -n "$log" ] || { echo "no sandbox log for $id"; return 1; }
	denied_in "$log" || return 1
	tpe_in "$log" || return 1
	"${P[@]}" rm -f -t 0 "$id" >/dev/null
}

containerd_policy() {
	[ -n "$cpid" ] || { echo "SKIP: $ctr_missing"; return 0; }
	"${C[@]}" run -d --runc-binary "$rt" --snapshotter native --annotation "org.jsyd.policy=$policy" \
		"$img" "$ctask" sh -c "$script" >/dev/null || return 1
	# the runc v2 shim's --root: /run/containerd/runc/NAMESPACE
	log=$(find_log "$ctask" /run/containerd/runc/default) || { echo "no sandbox log for $ctask"; return 1; }
	denied_in "$log" && tpe_in "$log"
}

# containerd (when installed) from the top level: cleanup must see its pid
ctr_missing=
for tool in containerd ctr containerd-shim-runc-v2; do
	command -v $tool >/dev/null || ctr_missing="$tool not installed"
done
if [ -z "$ctr_missing" ]; then
	"${P[@]}" save --format oci-archive -o "$tmp/image.tar" "$img" >/dev/null 2>&1 || { echo "FAIL podman save"; exit 1; }
	start_containerd "$tmp" "$tmp/croot" "$tmp/cstate" "$tmp/image.tar"
fi

check "podman: a denied read and an untrusted exec fail and are logged" podman_policy
check "containerd: a denied read and an untrusted exec fail and are logged" containerd_policy
echo "policy: $pass passed, $fail failed"
[ $fail = 0 ]
