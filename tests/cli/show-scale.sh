#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every view of 'procwatch show' is linear in the trace: each one's CPU
# time on the shapes that were once quadratic (scripts/hostile-traces: a
# deep spawn chain, a process with many threads, events of processes
# never spawned, many failures under one command line) stays within a
# generous factor of --json's, which only copies the events through.  At
# these sizes a quadratic view takes 20 to 100 times as long as --json,
# a linear one at most 3 times; CPU time, not wall time, so that a loaded
# machine does not make it flaky.  Prints TAP.  Run by meson (suite cli);
# by hand:  PROCWATCH=build/procwatch tests/cli/show-scale.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${PROCWATCH:?set PROCWATCH to the procwatch binary}"
PROCWATCH=$(realpath "$PROCWATCH")
gen=$(realpath "${PW_SOURCE_ROOT:-$(dirname "${BASH_SOURCE[0]}")/../..}")/scripts/hostile-traces

enter_scratch_dir
export LC_ALL=C.UTF-8

if ! command -v python3 >/dev/null; then
	skip "python3 is not installed (scripts/hostile-traces needs it)"
	plan
	exit 0
fi

# cpu_ms ARGS...: the CPU time (user + system) of procwatch show ARGS, in ms.
cpu_ms() {
	local TIMEFORMAT=%3U+%3S t
	t=$({ time timeout -k 5 600 "$PROCWATCH" show "$@" >/dev/null 2>&1; } 2>&1) || true
	python3 -c "print(round(($t) * 1000))"
}

views="--format=timeline --format=tree --format=perfetto --format=processes --failed"
# And any format added since, which this must then hold for too.
for f in $("$PROCWATCH" --format=help | cut -f1); do
	[[ " $views --format=json " == *" --format=$f "* ]] || views+=" --format=$f"
done
for shape in spawn-chain:100000 threads:200000 unknown-pids:200000 wide-failures:50000; do
	"$gen" "${shape%:*}" "${shape#*:}" "${shape%:*}.jsonl"
	json=$(cpu_ms --json -o /dev/null "${shape%:*}.jsonl")
	for view in $views; do
		ms=$(cpu_ms "$view" -o /dev/null "${shape%:*}.jsonl")
		check "show $view of ${shape%:*} (${shape#*:}): linear (${ms} ms of CPU, --json ${json} ms)" \
			test "$ms" -le $((10 * json + 1000))
	done
done

plan
