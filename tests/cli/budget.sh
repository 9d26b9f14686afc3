#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# procwatch's own system calls per traced fork+exec, so that the per-exec
# cost cannot grow unnoticed (README, Performance, says what each call is
# for).  Counted with strace -c on procwatch alone: without -f, strace
# does not follow procwatch's children, which procwatch itself traces.
# One run of a shell loop of N fork+exec of /bin/true, one of the same loop
# of none; the difference over N is the cost of one fork+exec.  Left out:
# the calls that manage memory (mmap, munmap, mprotect, brk, madvise),
# which the allocator, and a sanitized build's, makes as it likes; and
# waitpid's wait4, budgeted apart, since the periodic drain of ready stops
# (src/tracer/loop.c) may take one call more or fewer.  Only descriptors
# 0-2 are open and PATH is fixed, as in scripts/bench.  LeakSanitizer
# cannot run under ptrace: a sanitized build is counted without it (the
# other suites check leaks).  Prints TAP.  Run by
# meson (suite cli); by hand:
#   PROCWATCH=build/procwatch tests/cli/budget.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${PROCWATCH:?set PROCWATCH to the procwatch binary}"
PROCWATCH=$(realpath "$PROCWATCH")
enter_scratch_dir

n=100
# The budgets: stops (waitpid, PTRACE_GET_SYSCALL_INFO, the resume), one
# line written per event, the exit's usage (three CPU clocks, the status
# file: a /bin/true exec'd, so its wait4 reports do not carry it, see
# src/tracer/usage.c), the argv read, the exe and the descriptor scan,
# and the argv the new image received (its registers and stack: 2.6; see
# README).
json_budget=38
timeline_budget=38
wait_budget=13		# 11 stops, the death, the drain

# count N OUT [OPTION...]: strace -c of procwatch tracing the loop.
count() {
	local k=$1 out=$2
	shift 2
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			[[ $fd -gt 2 ]] && eval "exec $fd>&-"
		done
		exec env -i PATH=/usr/bin:/bin ASAN_OPTIONS=detect_leaks=0 \
			strace -c -o "$out" "$PROCWATCH" "$@" -- \
			sh -c "i=0; while [ \$i -lt $k ]; do /bin/true; i=\$((i+1)); done"
	) >/dev/null 2>"$tmp/err" </dev/null
}

# per_exec OPTION...: "CALLS WAITS" per fork+exec, to two decimals.
per_exec() {
	count 0 "$tmp/c0" "$@" && count "$n" "$tmp/cn" "$@" || return 1
	python3 - "$tmp/c0" "$tmp/cn" "$n" <<'EOF'
import sys

MEMORY = {"mmap", "munmap", "mprotect", "brk", "madvise"}

def load(path):
    calls = {}
    for line in open(path):
        f = line.split()
        if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
            calls[f[-1]] = int(f[3])
    return calls

a, b, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
per = {k: (b[k] - a.get(k, 0)) / n for k in b if k not in MEMORY}
waits = per.pop("wait4", 0.0)
print(f"{sum(per.values()):.2f} {waits:.2f}")
print(" ".join(f"{k}={v:.2f}" for k, v in sorted(per.items()) if v))
EOF
}

# check_budget FORMAT BUDGET OPTION...
check_budget() {
	local what=$1 budget=$2 out calls waits
	shift 2
	if ! out=$(per_exec "$@"); then
		not_ok "$what: counted" "$(show_file stderr "$tmp/err")"
		return
	fi
	read -r calls waits <<<"${out%%$'\n'*}"
	# Half a call of slack: a stray call in 100 loops is no regression; one more per exec is.
	if python3 -c "import sys; sys.exit(not ($calls < $budget + 0.5 and $waits < $wait_budget + 0.5))"; then
		ok "$what: $calls system calls and $waits waits per fork+exec (budget $budget and $wait_budget)"
	else
		not_ok "$what: $calls system calls and $waits waits per fork+exec, over the budget of $budget and $wait_budget" \
			"${out#*$'\n'}"
	fi
}

if ! command -v strace >/dev/null; then
	skip "strace not installed (scripts/setup installs it)"
	skip "strace not installed (scripts/setup installs it)"
	plan
	exit 0
fi
if ! "$PROCWATCH" --json -o /dev/null -- true 2>"$tmp/err" ||
	! ASAN_OPTIONS=detect_leaks=0 strace -o /dev/null "$PROCWATCH" --json -o /dev/null -- true \
		2>"$tmp/err"; then
	skip "ptrace not permitted here: $(head -1 "$tmp/err")"
	skip "ptrace not permitted here"
	plan
	exit 0
fi
check_budget "--json" "$json_budget" --json -o /dev/null
check_budget "timeline" "$timeline_budget" -o /dev/null
plan
