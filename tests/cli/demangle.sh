#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# -k on a C++ program (tests/helpers/pw_stack_cxx.cpp), whose fork happens
# in pw_test::Spawner<int>::run(int): the timeline and `show` print the
# demangled name, the JSON trace keeps the symbol in "fn" and adds
# "demangled", and a trace without "demangled" (written before it
# existed) still reads, with the symbol as it is.  Prints TAP.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${PROCWATCH:?set PROCWATCH to the procwatch binary}"
PROCWATCH=$(realpath "$PROCWATCH")
helper=${PW_HELPER_DIR:+$(realpath "$PW_HELPER_DIR")}/pw_stack_cxx
enter_scratch_dir

mangled=_ZN7pw_test7SpawnerIiE3runEi
demangled='pw_test::Spawner<int>::run(int)'

why=
if [[ ${PW_HAVE_UNWIND:-0} != 1 ]]; then
	why="procwatch was built without libunwind: no -k"
elif [[ ${PW_HAVE_DEMANGLE:-0} != 1 ]]; then
	why="procwatch was built without libiberty: names stay mangled"
elif [[ ! -x $helper ]]; then
	why="no C++ compiler when this build was configured: no pw_stack_cxx"
else
	run "$PROCWATCH" -o /dev/null true
	if [[ $rc -eq 125 ]] && grep -qi ptrace "$tmp/err"; then
		why="ptrace not permitted: $(head -n1 "$tmp/err")"
	fi
fi
if [[ -n $why ]]; then
	skip "$why"
	plan
	exit 0
fi

run "$PROCWATCH" -k --json -o trace.jsonl "$helper"
check "the C++ helper runs under -k and exits 0" test "$rc" -eq 0

# The fork's spawn event has a frame whose fn is the symbol and whose
# demangled is its C++ name; C frames (libc's fork, main) have none.
json_ok() {
	python3 - trace.jsonl "$mangled" "$demangled" <<'PY'
import json, sys
path, mangled, demangled = sys.argv[1:]
for line in open(path):
    e = json.loads(line)
    if e["event"] != "spawn":
        continue
    frames = e["stack"]
    mine = [f for f in frames if f.get("fn") == mangled]
    assert mine and mine[0].get("demangled") == demangled, frames
    for f in frames:
        fn = f.get("fn") or ""
        assert ("demangled" in f) == fn.startswith("_Z"), f
    sys.exit(0)
sys.exit("no spawn event")
PY
}
check "JSON: fn keeps $mangled, demangled is $demangled" json_ok

timeline_ok() {
	grep -qF "at $demangled+0x" "$tmp/err" && ! grep -qF "$mangled" "$tmp/err"
}
run "$PROCWATCH" -k --time=none "$helper"
check "the timeline prints $demangled, not the symbol" timeline_ok

show_ok() {
	grep -qF "at $demangled+0x" "$tmp/out" && ! grep -qF "$mangled" "$tmp/out"
}
run "$PROCWATCH" show --time=none trace.jsonl
check "show prints the demangled name from the trace" show_ok

# A trace from before "demangled": the same lines without it.
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    for f in e.get("stack") or []:
        f.pop("demangled", None)
    print(json.dumps(e, separators=(",", ":")))
' trace.jsonl >old.jsonl
old_ok() {
	[[ $rc -eq 0 ]] && grep -qF "at $mangled+0x" "$tmp/out"
}
run "$PROCWATCH" show --time=none old.jsonl
check "a trace without \"demangled\" reads, showing the symbol" old_ok
plan
