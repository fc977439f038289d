# conformance/lib/containerd.bash: sourced by the scripts that drive a private
# containerd 1.6 (containerd.sh, shim.sh, policy.sh). Not a scenario script
# itself (scripts/test runs conformance/*.sh only).
# shellcheck shell=bash

# start_containerd TMP ROOT STATE IMAGE_TAR [PATH_PREFIX]: writes TMP/config.toml
# (sockets TMP/containerd.sock, .ttrpc and TMP/debug.sock; no CRI TCP port),
# starts containerd with it (PATH_PREFIX first on its PATH: where it looks up
# shims), sets cpid for the caller's cleanup, waits until `ctr version` answers
# and imports IMAGE_TAR as localhost/jsyd-busybox. The caller's C array is its
# ctr command line. Exits the script with a FAIL line when the import fails.
start_containerd() {
	local tmp=$1 root=$2 state=$3 image=$4 prefix=${5:-}
	cat >"$tmp/config.toml" <<TOML
version = 2
root = "$root"
state = "$state"
[grpc]
  address = "$tmp/containerd.sock"
[ttrpc]
  address = "$tmp/containerd.sock.ttrpc"
[debug]
  address = "$tmp/debug.sock"
[plugins."io.containerd.grpc.v1.cri"]
  disable_tcp_service = true
TOML
	PATH="${prefix:+$prefix:}$PATH" containerd --config "$tmp/config.toml" >"$tmp/containerd.log" 2>&1 &
	cpid=$!
	for _ in $(seq 100); do "${C[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
	"${C[@]}" images import --base-name localhost/jsyd-busybox "$image" >/dev/null 2>&1 ||
		{ echo "FAIL ctr images import"; exit 1; }
}
