# bench/timing.sh: the interleaved timing table shared by the benchmarks.
# Sourced; the caller sets $work (a scratch directory with samples/ in it),
# $rounds and $warmup. Each command of a table runs ROUNDS+WARMUP times,
# round-robin with the order rotating each round, so a busy moment on this shared
# machine hits every command alike; the warm-up rounds are dropped. A run is
# timed with bash's `time` keyword (no extra fork in the measured span).
# shellcheck shell=bash

seq_id=0
next_id() { seq_id=$((seq_id + 1)); }

names=()   # one entry per command of the current table
cmds=()    # the command line, shell-quoted, for eval
pres=()    # run before each timed run, outside the timing

add() { # add NAME PRE CMD...
	names+=("$1")
	pres+=("$2")
	shift 2
	cmds+=("$(printf '%q ' "$@")")
}

clear_table() {
	names=() cmds=() pres=()
	rm -f "$work"/samples/*
}

# run_table: every command ROUNDS+warmup times, round-robin, rotating the start.
# A command line may name $id: a fresh container id for each run.
run_table() {
	local n=${#names[@]} round i k rc wall user sys id
	local TIMEFORMAT='%3R %3U %3S'
	for ((round = 0; round < rounds + warmup; round++)); do
		for ((k = 0; k < n; k++)); do
			i=$(((k + round) % n))
			eval "${pres[i]}"
			next_id
			id=bench-$$-$seq_id
			{ time eval "${cmds[i]//\\\$id/$id}" >/dev/null 2>&1 </dev/null; } 2>"$work/time"
			rc=$?
			if ((round >= warmup)); then
				read -r wall user sys <"$work/time"
				echo "$((10#${wall/./})) $((10#${user/./} + 10#${sys/./}))" >>"$work/samples/$i"
				echo "$rc" >"$work/samples/$i.rc"
			fi
		done
		printf '.' >&2
	done
	printf '\n' >&2
}

# median_ms I [COLUMN]: the median of command I's samples in ms; column 1 is
# wall-clock time, 2 is CPU time (user + sys, all threads).
median_ms() {
	awk -v c="${2:-1}" '{ print $c }' "$work/samples/$1" | sort -n | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.0f", m }'
}

index_of() {
	local i
	for i in "${!names[@]}"; do
		[ "${names[i]}" = "$1" ] && { echo "$i"; return; }
	done
}

ratio() { # ratio NAME_A NAME_B: wall-clock and CPU-time ratios of the medians
	local i j
	i=$(index_of "$1") j=$(index_of "$2")
	[ -n "$i" ] && [ -n "$j" ] || return 0
	if [ "$(cat "$work/samples/$j.rc")" != 0 ]; then
		printf '  %-26s / %-16s  n/a: %s fails here (exit %s)\n' "$1" "$2" "$2" "$(cat "$work/samples/$j.rc")"
		return
	fi
	awk -v a="$(median_ms "$i")" -v b="$(median_ms "$j")" -v ca="$(median_ms "$i" 2)" \
		-v cb="$(median_ms "$j" 2)" -v na="$1" -v nb="$2" 'BEGIN {
		printf "  %-26s / %-16s  wall %5.1fx   cpu %5.1fx\n", na, nb, a / b, (cb > 0 ? ca / cb : 0) }'
}

print_table() { # print_table BASELINE_NAME (deltas against it; empty for none)
	local i m c base=
	[ -n "$1" ] && base=$(median_ms "$(index_of "$1")")
	[ -n "$base" ] && echo "  (delta: wall-clock median against \"$1\")"
	printf '  %-44s %8s %8s %8s %4s\n' "command" "wall" "${base:+delta}" "cpu" "exit"
	for i in "${!names[@]}"; do
		m=$(median_ms "$i") c=$(median_ms "$i" 2)
		printf '  %-44s %5s ms %8s %5s ms %4s\n' "${names[i]}" "$m" \
			"${base:+$(printf '%+d ms' $((m - base)))}" "$c" "$(cat "$work/samples/$i.rc")"
	done
}

