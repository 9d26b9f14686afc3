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
root=$(realpath "${PW_SOURCE_ROOT:-$(dirname "${BASH_SOURCE[0]}")/../..}")
# The fuzz corpus's traces, some of them crafted, and the generator of big ones.
corpus=$root/tests/fuzz/corpus/replay
gen=$root/scripts/hostile-traces

enter_scratch_dir
export LC_ALL=C.UTF-8

START='{"v":1,"t":0.000001,"event":"start","pid":1,"tid":1,"argv":["x"],"mode":"launch","seccomp":true,"version":"0.1.0"}'
END='{"t":9.0,"event":"end","pid":1,"tid":1,"status":{"kind":"exited","code":0},"lost":0}'
printf '%s\n%s\n' "$START" "$END" >t.jsonl
# Every format --format=help lists, so that a new one is tested too.
formats=$("$PROCWATCH" --format=help | cut -f1)

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

# ---- what reaches the terminal ----

# ESC, BEL, C1 CSI, and the invisible and direction-changing characters:
# none may reach the output or the messages raw, in any view.
hidden=$'[\x1b\x07]|\u009b|[\u200b-\u200f]|[\u2028-\u202e]|[\u2066-\u2069]|\ufeff'
raw_free() {
	! grep -qP "$hidden" "$tmp/out" "$tmp/err"
}
for f in $formats; do
	extra=()
	case $f in
	timeline) extra=(--summary --explain --threads) ;;
	tree) extra=(--summary --threads) ;;
	esac
	run "$PROCWATCH" show --format="$f" "${extra[@]}" "$corpus/crafted-terminal-escapes.jsonl"
	check "show --format=$f of a crafted trace: nothing raw reaches the terminal" \
		eval '[[ $rc -eq 125 ]] && raw_free && grep -q "line skipped" "$tmp/err"'
done
run "$PROCWATCH" show --failed "$corpus/crafted-terminal-escapes.jsonl"
check "show --failed of a crafted trace: nothing raw reaches the terminal" \
	eval '[[ $rc -eq 1 ]] && raw_free && grep -q "failed process" "$tmp/out"'

# ---- impossible durations ----

run "$PROCWATCH" show --time=none --color=never "$corpus/crafted-exit-before-spawn.jsonl"
check "an exit recorded before its spawn: the duration is flagged, not wrapped or 0" \
	eval '[[ $rc -eq 0 ]] && grep -qx "│  \[2\] x exited 0 after ? (its end is recorded before its start)" "$tmp/out" &&
	      grep -q "^└─ 2 (x)  exited 0 after ? (its end is recorded before its start)" "$tmp/out" &&
	      ! grep -q "after 0µs" "$tmp/out"'
printf '%s\n%s\n' "$START" '{"t":4294967296,"event":"exit","pid":1,"tid":1,"thread":false,"code":0}' >absurd.jsonl
run "$PROCWATCH" show --time=none absurd.jsonl
check "a time of 2^32 seconds (136 years) is damage" \
	eval '[[ $rc -eq 125 ]] && grep -qx "procwatch: absurd.jsonl:2: line skipped: key \"t\" is out of range" "$tmp/err"'

# ---- "(script, run by ...)" comes from the trace, not this machine's files ----

exec_of() { # PATH EXE [EXTRA-KEYS]
	printf '{"t":0.1,"event":"exec","pid":1,"tid":1,"call":"execve","path":"%s","argv":["x"],"cwd":"/","result":0,"exe":"%s"%s}\n' "$@"
}
{
	echo "$START"
	exec_of /bin/true /usr/bin/python3 ""
	exec_of /nonexistent/build.sh /bin/sh ',"script":true'
	echo "$END"
} >script.jsonl
run "$PROCWATCH" show --time=none --color=never script.jsonl
check "the script note is what the trace recorded, whatever this machine's /bin/true is" \
	eval '[[ $rc -eq 0 && $(grep -c "(script, run by" "$tmp/out") -eq 1 ]] &&
	      grep -q "exec x  (path /nonexistent/build.sh)  (script, run by /bin/sh)" "$tmp/out"'

# ---- show --failed: output bounded by a small multiple of the trace ----

if command -v python3 >/dev/null; then
	"$gen" spawn-chain 3000 chain.jsonl
	run "$PROCWATCH" show --failed --color=never -o chain.txt chain.jsonl
	check "--failed of a 3000-deep chain of failures: at most the trace's size, chains cut" \
		eval '[[ $rc -eq 1 && $(stat -c %s chain.txt) -le $(stat -c %s chain.jsonl) ]] &&
		      grep -qx "    from:  2999 (sh) ← 2998 (sh) ← 2997 (sh) ← 2996 (sh) ← 2995 (sh) ← 2994 (sh) ← 2993 (sh) ← 2992 (sh) ← … 2991 more" chain.txt &&
		      grep -qx "3000 failed processes" chain.txt'
	"$gen" wide-failures 3000 wide.jsonl
	run "$PROCWATCH" show --failed --color=never -o wide.txt wide.jsonl
	check "--failed of 3000 failures under one long command line and directory: each printed once" \
		eval '[[ $rc -eq 1 && $(stat -c %s wide.txt) -le $(stat -c %s wide.jsonl) ]] &&
		      [[ $(grep -c "^    from:  1 make arg0 arg1 " wide.txt) -eq 1 &&
			 $(grep -cx "    from:  1 make (as above)" wide.txt) -eq 2999 &&
			 $(grep -c "^    cwd:   /w/ddd" wide.txt) -eq 1 &&
			 $(grep -cx "    cwd:   that of 1, as above" wide.txt) -eq 2999 ]]'
else
	skip "python3 is not installed (scripts/hostile-traces needs it)"
	skip "python3 is not installed (scripts/hostile-traces needs it)"
fi

# ---- write failures: one line, 125, in every format, live and replayed ----

# OUTPUT ERROR: one line "procwatch: writing OUTPUT failed: ERROR; ...", 125.
write_failed_ok() {
	[[ $rc -eq 125 && $(wc -l <"$tmp/err") -eq 1 ]] &&
		grep -q "^procwatch: writing $1 failed: $2; the .* is incomplete" "$tmp/err"
}
full='No space left on device'
cp "$corpus/seed-failed-exec.jsonl" failed.jsonl
for f in $formats; do
	run "$PROCWATCH" show --format="$f" -o /dev/full failed.jsonl
	check "show --format=$f -o /dev/full: one line, 125" write_failed_ok /dev/full "$full"
	rc=0
	timeout -k 5 60 "$PROCWATCH" show --format="$f" failed.jsonl >/dev/full 2>"$tmp/err" || rc=$?
	check "show --format=$f >/dev/full: one line, 125" write_failed_ok "standard output" "$full"
done
run "$PROCWATCH" show --failed -o /dev/full failed.jsonl
check "show --failed -o /dev/full: one line, 125 (not 1 for the failures)" \
	write_failed_ok /dev/full "$full"
rc=0
timeout -k 5 60 "$PROCWATCH" show --failed failed.jsonl >/dev/full 2>"$tmp/err" || rc=$?
check "show --failed >/dev/full: one line, 125" write_failed_ok "standard output" "$full"

# Tracing needs ptrace, which a container may refuse: then skipped.
if timeout -k 5 60 "$PROCWATCH" -o /dev/null true 2>/dev/null; then
	for f in $formats; do
		run "$PROCWATCH" --format="$f" -o /dev/full true
		check "procwatch --format=$f -o /dev/full true: one line, 125" \
			write_failed_ok /dev/full "$full"
		rc=0
		timeout -k 5 60 "$PROCWATCH" --format="$f" -o - true >/dev/full 2>"$tmp/err" || rc=$?
		check "procwatch --format=$f -o - true >/dev/full: one line, 125" \
			write_failed_ok "standard output" "$full"
	done
else
	for f in $formats; do
		skip "ptrace is not permitted here"
		skip "ptrace is not permitted here"
	done
fi
for args in --help --version --format=help "show --help"; do
	rc=0
	# shellcheck disable=SC2086 # show --help is two words
	timeout -k 5 60 "$PROCWATCH" $args >/dev/full 2>"$tmp/err" || rc=$?
	check "procwatch $args >/dev/full: one line, 125" \
		eval '[[ $rc -eq 125 && $(cat "$tmp/err") == "procwatch: writing standard output failed: $full" ]]'
done

plan
