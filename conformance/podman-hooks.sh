#!/usr/bin/env bash
# podman-hooks.sh RUNTIME: podman (4.3, Debian's) with an OCI hooks directory
# (`podman --hooks-dir DIR`, hooks.d JSON files of the hooks schema 1.0.0) drives
# RUNTIME on a busybox image made here from busybox-static. podman puts the hooks
# into config.json; the runtime must run each stage at its point. Private storage,
# run root and state, cgroupfs manager, no network; everything is removed at the
# end. Prints one line per scenario and a summary; exits 1 when one fails.
set -u
rt=${1:?usage: podman-hooks.sh RUNTIME}
command -v podman >/dev/null || { echo "SKIP podman-hooks: podman not installed"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "SKIP podman-hooks: needs root"; exit 0; }
[ -x /bin/busybox ] || { echo "SKIP podman-hooks: needs busybox-static at /bin/busybox"; exit 0; }

tmp=$(mktemp -d /tmp/jsyd-podman-hooks.XXXXXX)
chmod 755 "$tmp"
P=(podman --root "$tmp/storage" --runroot "$tmp/run" --tmpdir "$tmp/tmp" --cgroup-manager=cgroupfs
   --events-backend=file --storage-driver vfs --runtime "$rt")
# this host denies raising limits (no CAP_SYS_RESOURCE): ask for what it allows
R=(--network none --ulimit nofile=1024:4096 --ulimit nproc=1000:2000)
img=localhost/jsyd-busybox:hooks
cleanup() {
	"${P[@]}" rm -a -f -t 0 >/dev/null 2>&1
	"${P[@]}" rmi -a -f >/dev/null 2>&1
	# vfs layers may hold read-only files; podman's own storage reset clears them
	"${P[@]}" system reset -f >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# the image, as podman.sh makes it
mkdir -p "$tmp/rootfs"/{bin,etc,proc,sys,dev,tmp,root}
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$tmp/rootfs/bin/$a"; done
cp /bin/busybox "$tmp/rootfs/bin/busybox"
echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/rootfs/etc/passwd"
echo 'root:x:0:' >"$tmp/rootfs/etc/group"
tar -C "$tmp/rootfs" -cf "$tmp/rootfs.tar" .
"${P[@]}" import "$tmp/rootfs.tar" "$img" >/dev/null 2>&1 || { echo "FAIL podman import"; exit 1; }

pass=0 fail=0
check() { # name, then a command that succeeds when the scenario passes
	local name=$1; shift
	local start=$(date +%s.%N)
	if out=$("$@" 2>&1); then
		pass=$((pass + 1)); printf 'PASS %-44s %5.1fs\n' "$name" "$(echo "$(date +%s.%N) - $start" | bc)"
	else
		fail=$((fail + 1)); printf 'FAIL %-44s\n%s\n' "$name" "$out" | head -20
	fi
}

# A host-side hook: appends "STAGE STATUS PID-OR-none" (from the state on stdin) to LOG.
mkdir -p "$tmp/log"
cat >"$tmp/hook.sh" <<'HOOK'
#!/bin/sh
stage=$1 log=$2
state=$(cat)
status=$(printf '%s' "$state" | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p')
pid=$(printf '%s' "$state" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
echo "$stage ${status:-?} ${pid:-none}" >>"$log"
HOOK
chmod 755 "$tmp/hook.sh"

# hooks.d: one file per stage in the runtime namespace (podman gives every stage of
# a file the same argv, so the stage goes in the argv here), and one for
# startContainer, which runs in the container: its path and log resolve there.
hooks_dir() { # DIR LOG
	local d=$1 log=$2 stage
	mkdir -p "$d"
	for stage in prestart createRuntime createContainer poststart poststop; do
		cat >"$d/10-$stage.json" <<JSON
{"version": "1.0.0",
 "hook": {"path": "$tmp/hook.sh", "args": ["hook.sh", "$stage", "$log"], "timeout": 10},
 "when": {"always": true},
 "stages": ["$stage"]}
JSON
	done
	cat >"$d/20-startContainer.json" <<JSON
{"version": "1.0.0",
 "hook": {"path": "/bin/sh", "args": ["sh", "-c", "echo startContainer in-container >>/hooklog/$(basename "$log")"]},
 "when": {"always": true},
 "stages": ["startContainer"]}
JSON
}

every_stage() {
	local log=$tmp/log/every
	hooks_dir "$tmp/hooks-every" "$log"
	out=$("${P[@]}" --hooks-dir "$tmp/hooks-every" run --rm "${R[@]}" -v "$tmp/log:/hooklog" "$img" echo ran) || return 1
	[ "$out" = ran ] || { echo "container said: $out"; return 1; }
	cat "$log"
	# once each
	for stage in prestart createRuntime createContainer startContainer poststart poststop; do
		[ "$(grep -c "^$stage " "$log")" = 1 ] || { echo "$stage did not run once"; return 1; }
	done
	# the create stages in the spec's order, poststop last (runc 1.1 runs poststart at
	# create, before startContainer; runtime-spec 1.3 after the process started)
	[ "$(head -3 "$log" | cut -d' ' -f1 | tr '\n' ' ')" = "prestart createRuntime createContainer " ] ||
		{ echo "create stages out of order"; return 1; }
	[ "$(tail -1 "$log" | cut -d' ' -f1)" = poststop ] || { echo "poststop is not last"; return 1; }
	# the state each saw: creating with the init's pid during create, stopped without a process after
	grep -q '^createRuntime creating [1-9]' "$log" || { echo "createRuntime state"; return 1; }
	grep -q '^poststop stopped' "$log" || { echo "poststop state"; return 1; }
	# startContainer ran in the container: /hooklog is the container's mount, not the host's
	grep -q '^startContainer in-container' "$log" || { echo "startContainer context"; return 1; }
}

detached_poststop_at_rm() {
	local log=$tmp/log/detached
	hooks_dir "$tmp/hooks-detached" "$log"
	id=$("${P[@]}" --hooks-dir "$tmp/hooks-detached" run -d "${R[@]}" -v "$tmp/log:/hooklog" "$img" sleep 1000) ||
		return 1
	grep -q '^poststop' "$log" && { echo "poststop ran before the container stopped"; return 1; }
	grep -q '^startContainer' "$log" || { echo "no startContainer"; return 1; }
	"${P[@]}" --hooks-dir "$tmp/hooks-detached" rm -f -t 0 "$id" >/dev/null || return 1
	[ "$(tail -1 "$log" | cut -d' ' -f1)" = poststop ] || { cat "$log"; echo "no poststop at rm"; return 1; }
}

failing_create_runtime() {
	local d=$tmp/hooks-fail
	mkdir -p "$d"
	cat >"$d/10-fail.json" <<JSON
{"version": "1.0.0",
 "hook": {"path": "/bin/sh", "args": ["sh", "-c", "echo hook-broke-here >&2; exit 3"]},
 "when": {"always": true},
 "stages": ["createRuntime"]}
JSON
	out=$("${P[@]}" --hooks-dir "$d" run --name hookfail "${R[@]}" "$img" echo ran 2>&1); rc=$?
	[ $rc != 0 ] || { echo "run succeeded: $out"; return 1; }
	case "$out" in *ran*) echo "the process ran: $out"; return 1 ;; esac
	# podman shows the runtime's error, with the hook's stderr in it
	echo "$out" | grep -q 'hook-broke-here' || { echo "no hook stderr in: $out"; return 1; }
	cid=$("${P[@]}" inspect -f '{{.Id}}' hookfail) || return 1
	# nothing of it is left in the runtime's state (podman's own directories aside), nor running
	left=$(ls -d "$tmp"/run/*/"$cid" 2>/dev/null | grep -v -- '-containers/')
	[ -z "$left" ] || { echo "runtime state left: $left"; return 1; }
	! grep -qs "$cid" /proc/[0-9]*/cgroup || { echo "a process in the container's cgroup"; return 1; }
	"${P[@]}" rm -f hookfail >/dev/null 2>&1
}

check "hooks.d: every stage once, in order, with state" every_stage
check "hooks.d: run -d, poststop only at rm" detached_poststop_at_rm
check "hooks.d: failing createRuntime fails run" failing_create_runtime
echo "podman-hooks: $pass passed, $fail failed"
[ $fail = 0 ]
