#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Ctrl-Z while procwatch traces a command at a terminal, then fg: the
# command's SIGTSTP is stamped when the keys were pressed, not when
# procwatch was continued, and the command goes on to the end.  The
# terminal and the job control are tests/cli/jobctl.py's; it keeps the job
# stopped for MARGIN seconds before fg.  Deterministic: procwatch notes
# the time of its own stop before it stops, the job is seen stopped only
# after that, and the command exits only after fg, so the exit comes at
# least MARGIN after the SIGTSTP's stamp however slow the machine; before
# the fix the two were microseconds apart.  Prints TAP.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${PROCWATCH:?set PROCWATCH to the procwatch binary}"
PROCWATCH=$(realpath "$PROCWATCH")
jobctl=$(realpath "$(dirname "${BASH_SOURCE[0]}")/jobctl.py")
enter_scratch_dir
margin=0.5

run "$PROCWATCH" -o /dev/null true
if [[ $rc -eq 125 ]] && grep -qi ptrace "$tmp/err"; then
	skip "ptrace not permitted: $(head -n1 "$tmp/err")"
	plan
	exit 0
fi

run python3 "$jobctl" "$margin" "$PROCWATCH" --json -o "$tmp/trace.jsonl" \
	-- sh -c 'echo READY; read x; exit 7'
jobctl_ok() {
	[[ $rc -eq 0 ]] && grep -qx "jobctl: stopped $(kill -l TSTP)" "$tmp/out" &&
		grep -qx "jobctl: exit 7" "$tmp/out"
}
check "Ctrl-Z stops procwatch and the command; fg lets them end (exit 7)" jobctl_ok

# The command's SIGTSTP (from the terminal: SI_KERNEL, 128) and its exit.
stamps_ok() {
	local why
	why=$(python3 - "$tmp/trace.jsonl" "$margin" 2>&1 <<'PY'
import json, sys
path, margin = sys.argv[1], float(sys.argv[2])
tstp = end = None
for line in open(path):
    e = json.loads(line)
    if e["event"] == "signal" and e["signal"] == "SIGTSTP" and e.get("code") == 128:
        tstp = tstp if tstp is not None else e["t"]
    if e["event"] == "exit" and e["pid"] == e["tid"]:
        end = e["t"]
if tstp is None or end is None:
    sys.exit("no SIGTSTP from the terminal, or no exit, in the trace")
if end - tstp < margin:
    sys.exit("SIGTSTP at %.6f, exit at %.6f: less than %.1f s apart" % (tstp, end, margin))
PY
) || { echo "# $why"; false; }
}
check "the SIGTSTP is stamped at the stop, at least $margin s before the exit" stamps_ok
plan
