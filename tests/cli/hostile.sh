#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 'procwatch show' on traces from elsewhere, which may be crafted: an -o
# that is the trace itself, terminal escapes and invisible characters,
# impossible durations, ancestor chains that would multiply the output,
# and write failures in every format, live and replayed.  Prints TAP.
# Run by meson (suite cli); by hand:
#   PROCWATCH=build/procwatch tests/cli/hostile.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${PROCWATCH:?set PROCWATCH to the procwatch binary}"
PROCWATCH=$(realpath "$PROCWATCH")

enter_scratch_dir
export LC_ALL=C.UTF-8

START='{"v":1,"t":0.000001,"event":"start","pid":1,"tid":1,"argv":["x"],"mode":"launch","seccomp":true,"version":"0.1.0"}'
END='{"t":9.0,"event":"end","pid":1,"tid":1,"status":{"kind":"exited","code":0},"lost":0}'
printf '%s\n%s\n' "$START" "$END" >t.jsonl

# ---- -o that is the trace being read ----

ln -s t.jsonl link.jsonl
ln t.jsonl hard.jsonl
for o in t.jsonl ./t.jsonl link.jsonl hard.jsonl; do
	cp t.jsonl want.jsonl
	run "$PROCWATCH" show -o "$o" t.jsonl
	check "show -o $o t.jsonl: refused in one line, 125, the trace untouched" \
		eval '[[ $rc -eq 125 && ! -s $tmp/out && $(wc -l <"$tmp/err") -eq 1 ]] &&
		      grep -qx "procwatch: not writing $o: it is the trace being read" "$tmp/err" &&
		      cmp -s t.jsonl want.jsonl'
done
rc=0
timeout -k 5 60 "$PROCWATCH" show t.jsonl >>t.jsonl 2>"$tmp/err" || rc=$?
check "show t.jsonl >>t.jsonl: refused, 125, the trace untouched" \
	eval '[[ $rc -eq 125 ]] && cmp -s t.jsonl want.jsonl &&
	      grep -qx "procwatch: not writing standard output: it is the trace being read" "$tmp/err"'
echo stale >other.txt
run "$PROCWATCH" show -o other.txt t.jsonl
check "show -o another file still truncates it first" \
	eval '[[ $rc -eq 0 ]] && ! grep -q stale other.txt && grep -q "end: exited 0" other.txt'

plan
