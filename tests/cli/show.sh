#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Whole-program tests of 'procwatch show': a recorded run shown in each
# format, read from a file and from standard input, and damaged traces:
# each gives its FILE:LINE message and exit status and shows what it can;
# a hand-written attach-mode trace in every view.
# (That the replayed timeline and tree equal the live ones is checked on
# every golden scenario by golden.sh.)  Prints TAP.  Run by meson (suite
# cli); by hand:  PROCWATCH=build/procwatch tests/cli/show.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${PROCWATCH:?set PROCWATCH to the procwatch binary}"
PROCWATCH=$(realpath "$PROCWATCH")

enter_scratch_dir
export LC_ALL=C.UTF-8

# ---- without a recorded run ----

run "$PROCWATCH" show
check "no trace file: 125 and a usage error" \
	eval '[[ $rc -eq 125 ]] && grep -q "^procwatch: show: no trace file given" "$tmp/err"'
run "$PROCWATCH" show a.jsonl b.jsonl
check "two trace files: 125 and a usage error" \
	eval '[[ $rc -eq 125 ]] && grep -q "is extra" "$tmp/err"'
run "$PROCWATCH" show --no-seccomp a.jsonl
check "a tracing option is not a show option: 125" \
	eval '[[ $rc -eq 125 ]] && grep -q "unknown option .--no-seccomp." "$tmp/err"'
run "$PROCWATCH" show --env a.jsonl
check "--env is a tracing option: show prints what the trace has, 125" \
	eval '[[ $rc -eq 125 ]] && grep -q "unknown option .--env." "$tmp/err"'
run "$PROCWATCH" show --help
check "show --help: its own usage on stdout, exit 0" \
	eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && grep -q "^Usage: procwatch show" "$tmp/out"'
run "$PROCWATCH" show no-such.jsonl
check "a missing file: 125 and a message naming it" \
	eval '[[ $rc -eq 125 ]] && grep -qx "procwatch: cannot read no-such.jsonl: No such file or directory" "$tmp/err"'
: >empty.jsonl
run "$PROCWATCH" show empty.jsonl
check "an empty file: 125, no view" \
	eval '[[ $rc -eq 125 && ! -s $tmp/out ]] && [[ $(cat "$tmp/err") == "procwatch: empty.jsonl: empty file, not a procwatch trace"$'"'"'\n'"'"'"$not_trace_hint" ]]'
printf 'all: x\n' >Makefile
run "$PROCWATCH" show Makefile
check "not a trace: 125, FILE:1, no view" \
	eval '[[ $rc -eq 125 && ! -s $tmp/out ]] && [[ $(cat "$tmp/err") == "procwatch: Makefile:1: not a procwatch trace (the first line is not a JSON object)"$'"'"'\n'"'"'"$not_trace_hint" ]]'
printf '{"v":2,"t":0.0,"event":"start","pid":1,"tid":1}\n' >future.jsonl
run "$PROCWATCH" show future.jsonl
check "a newer format version: 125 and a message saying so" \
	eval '[[ $rc -eq 125 ]] && grep -q "^procwatch: future.jsonl:1: trace format version 2 was written by a newer procwatch" "$tmp/err"'

# ---- calls the task died in ("result": null), no ptrace needed ----

cat >unfinished.jsonl <<'EOF_TRACE'
{"v":1,"t":0.000100,"event":"start","pid":500,"tid":500,"argv":["sh","-c","sleep 9"],"mode":"launch","seccomp":true,"version":"0.1.0"}
{"t":0.000200,"event":"exec","pid":500,"tid":500,"call":"execve","path":"/bin/sh","argv":["sh","-c","sleep 9"],"cwd":"/w","result":0}
{"t":0.000300,"event":"spawn","pid":500,"tid":500,"call":"vfork","flags":["CLONE_VM","CLONE_VFORK"],"exit_signal":"SIGCHLD","kind":"vfork","thread":false,"parent":500,"result":501,"child":501}
{"t":0.000400,"event":"exec","pid":501,"tid":501,"call":"execve","path":"/bin/sleep","argv":["sleep","9"],"cwd":"/w","result":null,"stack":[{"fn":"execve","off":7,"obj":"/usr/lib/libc.so.6","ip":"0x7f0f1bf1bad7"}],"stack_note":"the task died while its stack was read"}
{"t":0.000500,"event":"exit","pid":501,"tid":501,"thread":false,"signal":"SIGKILL","core":false}
{"t":0.000600,"event":"wait","pid":500,"tid":500,"call":"wait4","target":-1,"options":[],"result":501,"status":{"kind":"killed","signal":"SIGKILL","core":false}}
{"t":0.000700,"event":"spawn","pid":500,"tid":500,"call":"clone3","flags":["CLONE_VM","CLONE_VFORK"],"exit_signal":"SIGCHLD","kind":"posix_spawn","thread":false,"result":null,"size":88}
{"t":0.000800,"event":"exit","pid":500,"tid":500,"thread":false,"signal":"SIGKILL","core":false}
{"t":0.000900,"event":"end","pid":500,"tid":500,"status":{"kind":"killed","signal":"SIGKILL","core":false},"lost":0}
EOF_TRACE
run "$PROCWATCH" show --json -o unfinished-again.jsonl unfinished.jsonl
check "unfinished calls: show --json reproduces \"result\":null byte for byte" \
	eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && cmp -s unfinished.jsonl unfinished-again.jsonl'
run "$PROCWATCH" show --time=none --summary --color=never unfinished.jsonl
check "unfinished calls: the timeline says so, with the stack, and counts no failed exec" \
	eval '[[ $rc -eq 0 ]] && grep -qx "│  \[501\] sh exec sleep 9  (path /bin/sleep)  unfinished: the task died in the call" "$tmp/out" && grep -qx "│     at … stack cut short: the task died while its stack was read" "$tmp/out" && grep -qx "├─ \[500\] sh posix_spawn unfinished: the task died in the call" "$tmp/out" && grep -q " 0 failed execs, .* 2 killed by a signal$" "$tmp/out"'
run "$PROCWATCH" show --failed --color=never unfinished.jsonl
check "unfinished calls: --failed lists the killed child, its exec unfinished" \
	eval '[[ $rc -eq 1 ]] && grep -qx "    exec:  /bin/sleep: sleep 9 unfinished: the task died in the call" "$tmp/out" && grep -qx "2 failed processes" "$tmp/out"'
run "$PROCWATCH" show --format=perfetto -o unfinished.json unfinished.jsonl
check "unfinished calls: perfetto marks the exec \"exec unfinished\", without errno" \
	eval '[[ $rc -eq 0 ]] && python3 -c "import json,sys; d=json.load(open(\"unfinished.json\")); m=[e for e in d[\"traceEvents\"] if e[\"name\"]==\"exec unfinished\"]; sys.exit(not (len(m)==1 and m[0][\"pid\"]==501 and \"errno\" not in m[0][\"args\"]))"'

# ---- the header: --time=absolute shows when the trace was recorded ----

cat >header.jsonl <<'EOF_TRACE'
{"v":1,"t":0.000001,"event":"trace","pid":0,"tid":0,"procwatch":"0.1.0","wall_clock":"2023-11-14T22:13:20.000000Z","wall_clock_us":1700000000000000,"hostname":"ci-7","kernel":"6.1.0","cwd":"/w","mode":"launch","argv":["true"],"options":{"seccomp":true,"stack":0}}
{"v":1,"t":0.000100,"event":"start","pid":600,"tid":600,"argv":["true"],"mode":"launch","seccomp":true,"version":"0.1.0","tracer":599}
{"t":0.500000,"event":"exec","pid":600,"tid":600,"call":"execve","path":"/bin/true","argv":["true"],"cwd":"/w","result":0}
{"t":0.750000,"event":"exit","pid":600,"tid":600,"thread":false,"code":0,"call":"exit_group"}
{"t":0.800000,"event":"end","pid":600,"tid":600,"status":{"kind":"exited","code":0},"lost":0}
EOF_TRACE
run env TZ=UTC "$PROCWATCH" show --time=absolute --color=never header.jsonl
check "the header: show --time=absolute gives the recording's time of day" \
	eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && grep -qx "22:13:20.500000 \[600\] true exec true  (path /bin/true)" "$tmp/out"'
run "$PROCWATCH" show --json -o header-again.jsonl header.jsonl
check "the header: show --json writes it back byte for byte" \
	eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && cmp -s header.jsonl header-again.jsonl'

# ---- a trace cut by a CI timeout: what still ran is what hung ----

head -n 3 header.jsonl >cut-running.jsonl
run "$PROCWATCH" show --failed --color=never cut-running.jsonl
check "a cut trace: --failed lists the process still running at the cut, exit 1" \
	eval '[[ $rc -eq 1 ]] && grep -qx "600 true  still running when the trace was cut" "$tmp/out" && grep -qx "1 failed process" "$tmp/out"'
run "$PROCWATCH" show --format=tree --color=never cut-running.jsonl
check "a cut trace: the tree says it was still running when the trace was cut" \
	eval '[[ $rc -eq 0 ]] && grep -qx "600 true  still running when the trace was cut" "$tmp/out"'

# ---- an attach-mode trace (-p), written by hand, no ptrace needed ----

# make (4321, a second thread 4323) and its sh (4322) found running; make
# forks and execs cc after the attach, sh exits 1, the thread ends, and
# procwatch detaches from make, still running.
cat >attach.jsonl <<'EOF_TRACE'
{"v":1,"t":0.000000,"event":"start","pid":4321,"tid":4321,"argv":[],"mode":"attach","seccomp":true,"version":"0.1.0","tracer":4300,"pids":[4321]}
{"t":0.000100,"event":"attach","pid":4321,"tid":4321,"parent":4000,"threads":[4321,4323],"argv":["make","-j2","all"],"exe":"/usr/bin/make","cwd":"/src","age":3.210000}
{"t":0.000200,"event":"attach","pid":4322,"tid":4322,"parent":4321,"threads":[4322],"argv":["sh","-c","cc -c bad.c"],"exe":"/usr/bin/dash","cwd":"/src/sub","age":0.500000}
{"t":0.010000,"event":"spawn","pid":4321,"tid":4321,"call":"clone","flags":["CLONE_CHILD_CLEARTID","CLONE_CHILD_SETTID"],"exit_signal":"SIGCHLD","kind":"fork","thread":false,"parent":4321,"result":4325,"child":4325}
{"t":0.011000,"event":"exec","pid":4325,"tid":4325,"call":"execve","path":"/usr/bin/cc","argv":["cc","-c","ok.c"],"cwd":"/src","result":0}
{"t":0.200000,"event":"exit","pid":4325,"tid":4325,"thread":false,"code":0,"call":"exit_group"}
{"t":0.201000,"event":"wait","pid":4321,"tid":4321,"call":"wait4","target":-1,"options":[],"result":4325,"status":{"kind":"exited","code":0}}
{"t":0.300000,"event":"exit","pid":4322,"tid":4322,"thread":false,"code":1,"call":"exit_group"}
{"t":0.310000,"event":"wait","pid":4321,"tid":4321,"call":"wait4","target":-1,"options":[],"result":4322,"status":{"kind":"exited","code":1}}
{"t":0.400000,"event":"exit","pid":4321,"tid":4323,"thread":true,"code":0,"call":"exit"}
{"t":1.000000,"event":"end","pid":4321,"tid":4321,"status":null,"lost":0,"detached":true}
EOF_TRACE
# same_as FILE: the output (standard output) is FILE's text exactly.
same_as() {
	diff -u "$1" "$tmp/out" | sed 's/^/# /'
	cmp -s "$1" "$tmp/out"
}
cat >attach-tree.txt <<'EOF_TEXT'
4321 make -j2 all  attached (had run 3.21s), still running when procwatch detached, ⚠ fork-threaded
├─ 4322 sh -c 'cc -c bad.c'  attached (had run 500.0ms), exited 1 after 799.8ms
└─ 4325 cc -c ok.c  exited 0 after 190.0ms
3 processes (2 attached), 1 thread (1 attached), 1 exec, 0 failed execs, 1 non-zero exit, 0 killed by a signal
slowest: sh (4322) 799.8ms, cc (4325) 190.0ms
most run: cc ×1
warnings: 1 fork-threaded
EOF_TEXT
{
	cat <<'EOF_TEXT'
[4321] make attached  make -j2 all  (running for 3.21s, 2 threads)
│  [4322] sh attached  sh -c 'cc -c bad.c'  (running for 500.0ms)
├─ [4321] make fork → 4325
│     ⚠ fork from a process with 2 threads: only the calling thread is copied, so a lock another thread held stays locked in child 4325
│  [4325] make exec cc -c ok.c  (path /usr/bin/cc)
│  [4325] cc exited 0 after 190.0ms
[4321] make wait4(-1) reaped 4325 cc: exited 0, zombie for 1.0ms
│  [4322] sh exited 1 after 799.8ms
[4321] make wait4(-1) reaped 4322 sh: exited 1, zombie for 10.0ms
[4321/4323] make thread exited 0, 399.9ms after procwatch attached
end: detached from 1 process still running

EOF_TEXT
	cat attach-tree.txt
} >attach-timeline.txt
run "$PROCWATCH" show --json -o attach-again.jsonl attach.jsonl
check "attach mode: show --json writes the trace back byte for byte" \
	eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && cmp -s attach.jsonl attach-again.jsonl'
run "$PROCWATCH" show --time=none --color=never --summary attach.jsonl
check "attach mode: the timeline has attach lines, lifetimes with the age, no command status" \
	eval '[[ $rc -eq 0 ]] && same_as attach-timeline.txt'
run "$PROCWATCH" show --format=tree --time=none --color=never --summary attach.jsonl
check "attach mode: the tree marks attached and detached processes, the summary counts them" \
	eval '[[ $rc -eq 0 ]] && same_as attach-tree.txt'
run "$PROCWATCH" show --format=tree --threads --color=never attach.jsonl
check "attach mode: --threads lists the thread found running, timed from the attach" \
	eval '[[ $rc -eq 0 ]] && grep -qx "├─ thread 4323  exited 0, 399.9ms after procwatch attached" "$tmp/out"'
run "$PROCWATCH" show --time=none --color=never --explain attach.jsonl
check "attach mode: --explain says what attaching means, under each attach line" \
	eval '[[ $rc -eq 0 ]] && [[ $(grep -c "# attached: the process was already running; procwatch sees only what it does from now on" "$tmp/out") -eq 2 ]]'
cat >attach-failed.txt <<'EOF_TEXT'
4322 sh -c 'cc -c bad.c'  exited 1  (attached after it had run 500.0ms; lived 799.8ms)
    cwd:   /src/sub
    from:  4321 make -j2 all
1 failed process
EOF_TEXT
run "$PROCWATCH" show --failed --color=never attach.jsonl
check "attach mode: --failed names the attached sh by its argv and says it was attached, exit 1" \
	eval '[[ $rc -eq 1 ]] && same_as attach-failed.txt'
# Every slice starts at or after its process's attach and has a length;
# the attached ones say so, with their age; make says it was detached.
cat >check-attach-perfetto.py <<'EOF_PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert "otherData" not in d, d.get("otherData")
ev = d["traceEvents"]
for e in ev:
    assert e["ts"] >= 0 and e.get("dur", 0) >= 0, e
procs = {e["pid"]: e for e in ev if e["ph"] == "X" and e["cat"] == "process"}
make, sh, cc = procs[4321], procs[4322], procs[4325]
assert (make["ts"], make["dur"]) == (100, 999900), make
assert make["args"]["attached"] is True and make["args"]["age_us"] == 3210000, make
assert make["args"]["detached"] is True and make["args"]["status"] == "running", make
assert make["args"]["ppid"] == 4000 and "spawn" not in make["args"], make
assert (sh["ts"], sh["dur"]) == (200, 299800), sh
assert sh["args"]["attached"] is True and sh["args"]["age_us"] == 500000, sh
assert sh["args"]["exit_code"] == 1 and "detached" not in sh["args"], sh
assert "attached" not in cc["args"] and cc["args"]["spawn"] == "fork", cc
img = [e for e in ev if e["ph"] == "X" and e["cat"] == "exec" and e["pid"] == 4322]
assert len(img) == 1 and img[0]["args"]["argv"] == ["sh", "-c", "cc -c bad.c"], img
assert img[0]["args"]["attached"] is True and img[0]["args"]["cwd"] == "/src/sub", img
th = [e for e in ev if e["ph"] == "X" and e["cat"] == "thread" and e["tid"] == 4323]
assert len(th) == 1 and th[0]["ts"] == 100 and th[0]["args"]["attached"] is True, th
EOF_PY
run "$PROCWATCH" show --format=perfetto -o attach.json attach.jsonl
check "attach mode: perfetto slices start at the attach, args say attached, age and detached" \
	eval '[[ $rc -eq 0 ]] && python3 check-attach-perfetto.py attach.json 2>"$tmp/err"'
# The same run, but make exits by itself before the end: nothing detached.
sed '$s/,"detached":true//; $i {"t":0.900000,"event":"exit","pid":4321,"tid":4321,"thread":false,"code":0,"call":"exit_group"}' \
	attach.jsonl >attach-ended.jsonl
run "$PROCWATCH" show --time=none --color=never attach-ended.jsonl
check "attach mode, every process ended: the end says so, make lived its age and more" \
	eval '[[ $rc -eq 0 ]] && grep -qx "end: every attached process ended" "$tmp/out" && grep -q "^4321 make -j2 all  attached (had run 3.21s), exited 0 after 4.11s, " "$tmp/out"'

# ---- an output that cannot be written (unfinished.jsonl has failures) ----

# One line naming the output and the error, and 125 whatever the view:
# --failed too, which would otherwise exit 1 for the failures it found.
show_write_failed_ok() { # OUTPUT ERROR
	[[ $rc -eq 125 && ! -s $tmp/out && $(wc -l <"$tmp/err") -eq 1 ]] &&
		grep -qx "procwatch: writing $1 failed: $2; the output is incomplete" "$tmp/err"
}
for view in --format=timeline --format=tree --format=json --format=perfetto --failed; do
	run "$PROCWATCH" show $view -o /dev/full unfinished.jsonl
	check "show $view to a full disk: one line naming it, 125" \
		show_write_failed_ok /dev/full 'No space left on device'
done
# Part-way: the copy stops at RLIMIT_FSIZE (1024-byte blocks in bash), and
# SIGXFSZ must not kill procwatch before it says so.
run bash -c 'ulimit -f 1 && exec "$@"' sh "$PROCWATCH" show --json -o cut-copy.jsonl unfinished.jsonl
check "show --json past RLIMIT_FSIZE: one line (File too large), 125, 1024 bytes written" \
	eval 'show_write_failed_ok cut-copy.jsonl "File too large" && [[ $(stat -c %s cut-copy.jsonl) -eq 1024 ]]'
# Standard output is a pipe whose reader is gone (show | head that
# ended): EPIPE, not a SIGPIPE death (141), and one line saying so.
rc=0
python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
sys.exit(subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=w, timeout=60).returncode)
' "$PROCWATCH" show unfinished.jsonl >"$tmp/out" 2>"$tmp/err" || rc=$?
check "show to a pipe nobody reads: 125, not killed by SIGPIPE" \
	eval '[[ $rc -eq 125 ]] && grep -qx "procwatch: writing standard output failed: Broken pipe; the output is incomplete" "$tmp/err"'

# ---- a recorded run ----

if ! timeout -k 5 30 "$PROCWATCH" --json -o t.jsonl -- sh -c 'ls / >/dev/null; ls /no-such-pw; exit 3' \
	>/dev/null 2>"$tmp/probe" </dev/null && [[ ! -s t.jsonl ]]; then
	for _ in $(seq 20); do skip "ptrace is not permitted here: $(head -n1 "$tmp/probe")"; done
	plan
	exit 0
fi

run "$PROCWATCH" show --json -o again.jsonl t.jsonl
check "show --json reproduces the trace byte for byte" \
	eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && cmp -s t.jsonl again.jsonl'
run "$PROCWATCH" show --format=tree --time=none t.jsonl
check "show --format=tree: the tree on stdout, exit 0" \
	eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && grep -q "ls /no-such-pw  exited 2" "$tmp/out" && grep -q "exit 3.*exited 3" "$tmp/out"'
run "$PROCWATCH" show --time=none -o timeline.txt t.jsonl
check "show: the timeline by default, to -o FILE" \
	eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && grep -q "exec ls /no-such-pw" timeline.txt && grep -q "^end: exited 3" timeline.txt'
rc=0
timeout -k 5 60 "$PROCWATCH" show --time=none -o stdin.txt - <t.jsonl >"$tmp/out" 2>"$tmp/err" || rc=$?
check "show - reads standard input" \
	eval '[[ $rc -eq 0 ]] && cmp -s timeline.txt stdin.txt'
run "$PROCWATCH" show --time=none -o - t.jsonl
check "show -o -: standard output, like no -o" \
	eval '[[ $rc -eq 0 && ! -s $tmp/err && ! -e ./- ]] && cmp -s timeline.txt "$tmp/out"'
run "$PROCWATCH" show -o copy.jsonl t.jsonl
check "show -o FILE.jsonl without --format: the JSON trace, which reads back" \
	eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && cmp -s t.jsonl copy.jsonl'
run "$PROCWATCH" show --format=tree -o tree.json t.jsonl
check "show --format=tree -o FILE.json: the format given wins over the name" \
	eval '[[ $rc -eq 0 ]] && grep -q "ls /no-such-pw  exited 2" tree.json'
run "$PROCWATCH" show --format=perfetto -o p.json t.jsonl
check "show --format=perfetto: one JSON document with trace events" \
	eval '[[ $rc -eq 0 ]] && python3 -c "import json,sys; sys.exit(not json.load(open(\"p.json\"))[\"traceEvents\"])"'
run "$PROCWATCH" show --time=none --summary --explain --full-argv --threads --no-warnings --color=always t.jsonl
check "every view option is accepted by show" \
	eval '[[ $rc -eq 0 ]] && grep -q $'"'"'\033'"'"' "$tmp/out"'

# ---- a recorded -k run: stacks survive the round trip ----

if [[ -n ${PW_HELPER_DIR:-} && -x $PW_HELPER_DIR/pw_stack ]] &&
	timeout -k 5 30 "$PROCWATCH" -k --json -o k.jsonl -- "$PW_HELPER_DIR/pw_stack" fork \
		>/dev/null 2>"$tmp/probe" </dev/null; then
	run "$PROCWATCH" show --json -o k-again.jsonl k.jsonl
	check "-k: show --json reproduces a trace with stacks byte for byte" \
		eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && grep -q "\"stack\":\[" k.jsonl && cmp -s k.jsonl k-again.jsonl'
	run "$PROCWATCH" show --time=none --color=never k.jsonl
	check "-k: the replayed timeline shows f2, f1, f0 under the fork" \
		eval '[[ $rc -eq 0 ]] && grep -A12 " fork → " "$tmp/out" | grep -q "at f2+0x.* (pw_stack)" && grep -A12 " fork → " "$tmp/out" | grep -q "at f0+0x.* (pw_stack)"'
else
	for _ in 1 2; do skip "no -k run here (no libunwind, or pw_stack not built): $(head -n1 "$tmp/probe" 2>/dev/null)"; done
fi

# ---- a fork through int $0x80: its call is unknown, written null ----

if [[ -n ${PW_HELPER_DIR:-} && -x $PW_HELPER_DIR/pw_int80 ]]; then
	timeout -k 5 30 "$PROCWATCH" --json -o int80.jsonl -- "$PW_HELPER_DIR/pw_int80" \
		>/dev/null 2>&1 </dev/null || true
	run "$PROCWATCH" show --json -o int80-again.jsonl int80.jsonl
	check "int \$0x80 fork: show reads \"call\":null and writes it back byte for byte" \
		eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && grep -q "\"call\":null" int80.jsonl && cmp -s int80.jsonl int80-again.jsonl'
else
	skip "pw_int80 is not built here"
fi

# ---- damaged recordings ----

head -c "$(($(stat -c %s t.jsonl) - 30))" t.jsonl >cut.jsonl
last=$(wc -l <t.jsonl)
run "$PROCWATCH" show --format=tree --time=none cut.jsonl
check "a trace cut off mid-line: a warning naming the line, the tree, exit 0" \
	eval '[[ $rc -eq 0 ]] && grep -qx "procwatch: cut.jsonl:$last: the last line is cut off (was the traced job killed?)" "$tmp/err" && grep -q "ls /no-such-pw  exited 2" "$tmp/out"'
run "$PROCWATCH" show --summary --time=none cut.jsonl
check "a trace cut off: the timeline still ends with the tree and the summary" \
	eval '[[ $rc -eq 0 ]] && grep -q "^[0-9]* processes, " "$tmp/out" && grep -q "^slowest: sh " "$tmp/out"'
sed '4s/.*/{"t":1.0,"event":"exec",/' t.jsonl >bad.jsonl
run "$PROCWATCH" show --format=tree --time=none bad.jsonl
check "a broken line in the middle: FILE:4 named, the rest shown, exit 125" \
	eval '[[ $rc -eq 125 ]] && grep -q "^procwatch: bad.jsonl:4: not valid JSON, line skipped" "$tmp/err" && grep -q "exit 3.*exited 3" "$tmp/out"'
sed '2s/"event":"exec"/"event":"exec","zzz":[1]/; 3a {"t":0.5,"event":"mmap","pid":1,"tid":1}' t.jsonl >extra.jsonl
run "$PROCWATCH" show --json -o extra-again.jsonl extra.jsonl
check "unknown keys and event kinds are skipped silently" \
	eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && cmp -s t.jsonl extra-again.jsonl'

# ---- --failed ----

run "$PROCWATCH" show --failed --color=never t.jsonl
check "--failed: the failed ls with its argv, cwd and the chain that ran it, exit 1" \
	eval '[[ $rc -eq 1 ]] && grep -q "^[0-9]* ls /no-such-pw  exited 2$" "$tmp/out" && grep -q "^    cwd:   $PWD$" "$tmp/out" && grep -q "^    from:  [0-9]* sh -c " "$tmp/out"'
timeout -k 5 30 "$PROCWATCH" --json -o nested.jsonl -- sh -c 'sh -c "cd /; env no-such-cmd-pw x; exit 4"; true' >/dev/null 2>&1 </dev/null || true
run "$PROCWATCH" show --failed --color=never -o failed.txt nested.jsonl
check "--failed: deepest first, a failed exec named, what it used, the ancestors most specific first" \
	eval '[[ $rc -eq 1 ]] && sed -n "1p;2p;3p;4p;6p" failed.txt | tr "\n" "|" | grep -qx "[0-9]* env no-such-cmd-pw x  exited 127|    exec:  .*no-such-cmd-pw: no-such-cmd-pw x failed: ENOENT|    used:  cpu [0-9.]*[µm]*s (user [0-9.]*[µm]*s, system [0-9.]*[µm]*s), peak [0-9.]* [KMG]iB|    cwd:   /|[0-9]* sh -c .cd /; env no-such-cmd-pw x; exit 4.  exited 4|" && grep -qx "2 failed processes" failed.txt && grep -q "from:  [0-9]* sh -c .cd /.* ← [0-9]* sh -c " failed.txt'
timeout -k 5 30 "$PROCWATCH" --json -o fine.jsonl -- sh -c 'ls / >/dev/null; true' >/dev/null 2>&1 </dev/null || true
run "$PROCWATCH" show --failed fine.jsonl
check "--failed on a run without failures: 'no failures', exit 0" \
	eval '[[ $rc -eq 0 ]] && [[ $(cat "$tmp/out") == "no failures" && ! -s $tmp/err ]]'

# ---- a real parallel build with one broken file (issue 6's case) ----

mkdir proj
printf 'int a(void) { return 1; }\n' >proj/a.c
printf 'int b(void) { return 2; }\n' >proj/b.c
printf 'int bad(void) { return }\n' >proj/bad.c
printf 'lib.a: a.o b.o bad.o\n\tar rc $@ $^\n%%.o: %%.c\n\tcc -c -o $@ $<\n' >proj/Makefile
if command -v make >/dev/null && command -v cc >/dev/null; then
	timeout -k 5 120 "$PROCWATCH" --json -o build.jsonl -- make -j2 -C proj >/dev/null 2>&1 </dev/null || true
	run "$PROCWATCH" show --failed --color=never build.jsonl
	check "make -j2: --failed puts the compiler of bad.c first, with its chain up to make, exit 1" \
		eval '[[ $rc -eq 1 ]] && head -n1 "$tmp/out" | grep -q "bad.c.*exited 1" && grep -q "^    from:  .*← [0-9]* make -j2 -C proj$" "$tmp/out" && ! grep -q " a\.c " "$tmp/out"'
	run "$PROCWATCH" show --format=tree --summary --color=never build.jsonl
	check "make -j2: the summary counts the three compilers as the most run" \
		eval '[[ $rc -eq 0 ]] && grep -q "^most run: cc ×3" "$tmp/out" && grep -q "^slowest: make " "$tmp/out"'
	check "make -j2: the summary ranks by CPU time and by peak memory too" \
		eval 'grep -q "^slowest by CPU: [^ ]* ([0-9]*) [0-9.]*[µm]*s" "$tmp/out" && grep -q "^biggest by memory: [^ ]* ([0-9]*) [0-9.]* [KMG]iB" "$tmp/out"'
	run "$PROCWATCH" show --format=perfetto -o build.json build.jsonl
	check "make -j2: the perfetto view names make and every cc" \
		eval '[[ $rc -eq 0 ]] && python3 -c "import json,sys; d=json.load(open(\"build.json\")); n=[e[\"args\"][\"name\"] for e in d[\"traceEvents\"] if e.get(\"name\")==\"process_name\"]; sys.exit(not (any(\" make\" in x for x in n) and sum(x.endswith(\" cc\") for x in n)==3))"'
	run "$PROCWATCH" show --json -o build-again.jsonl build.jsonl
	check "make -j2: the trace round-trips byte for byte" \
		eval '[[ $rc -eq 0 ]] && cmp -s build.jsonl build-again.jsonl'
else
	for _ in 1 2 3 4 5; do skip "make or cc is not installed"; done
fi

# ---- --env: the reproduce line pastes back ----

# The command line of the first "reproduce:" line under the failure whose
# first line matches $1, in --failed output $2.
reproduce_of() {
	awk -v head="$1" '
		/^[0-9]/ { mine = $0 ~ head }
		mine && /^    reproduce: / { sub(/^    reproduce: /, ""); print; exit }
	' "$2"
}

if [[ -n ${PW_HELPER_DIR:-} && -x $PW_HELPER_DIR/pw_env ]]; then
	# pw_env's stage "two" exits 3 after reporting the envp and argv it got.
	timeout -k 5 60 "$PROCWATCH" --env --json -o env.jsonl -- "$PW_HELPER_DIR/pw_env" \
		>env-traced.out 2>/dev/null </dev/null || true
	run "$PROCWATCH" show --json -o env-again.jsonl env.jsonl
	check "--env: show --json writes a trace with environments back byte for byte" \
		eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && grep -q "\"env\":{\"whole\":true" env.jsonl && cmp -s env.jsonl env-again.jsonl'
	run "$PROCWATCH" show --failed --color=never -o env-failed.txt env.jsonl
	line=$(reproduce_of " pw_env two " env-failed.txt)
	mkdir elsewhere
	(cd elsewhere && bash -c "$line" >../env-reproduced.out 2>&1 </dev/null) || true
	check "--env: the reproduce line, run by bash elsewhere, gives stage two the same envp and argv" \
		eval '[[ $rc -eq 1 && -n $line ]] && grep "^two " env-traced.out >want && grep "^two " env-reproduced.out >got && [[ -s want ]] && cmp -s want got'
	check "--env: what env(1) cannot pass is named under the line" \
		eval 'grep -qx "    differs: argv\[0\] was other-name; left out a second PW_TWO, BAREWORD (no .=.)" env-failed.txt'
else
	for _ in 1 2 3; do skip "pw_env is not built here"; done
fi
if command -v make >/dev/null && command -v cc >/dev/null &&
	timeout -k 5 120 "$PROCWATCH" --env --json -o envbuild.jsonl -- make -j2 -C proj \
		>/dev/null 2>envbuild.err </dev/null; [[ -s envbuild.jsonl ]]; then
	run "$PROCWATCH" show --failed --color=never -o envbuild-failed.txt envbuild.jsonl
	line=$(reproduce_of "^[0-9]* cc -c -o bad\.o bad\.c  exited 1$" envbuild-failed.txt)
	rc=0
	(cd / && bash -c "$line" >"$tmp/out" 2>"$tmp/err" </dev/null) || rc=$?
	check "make -j2 --env: the failed compile's reproduce line fails the same way, from anywhere" \
		eval '[[ $rc -eq 1 && $line == "cd $PWD/proj && env -i "*" cc -c -o bad.o bad.c" ]] && grep -q "bad.c:1:.*error" "$tmp/err"'
	run "$PROCWATCH" show --time=none --color=never envbuild.jsonl
	check "make -j2 --env: the timeline prints the line under the failed compile's exit" \
		eval '[[ $rc -eq 0 ]] && grep -A1 " cc exited 1 after " "$tmp/out" | grep -qF "reproduce: $line"'
else
	for _ in 1 2; do skip "make or cc is not installed"; done
fi

# ---- 'show' is a subcommand only as the first word ----

mkdir bin
printf '#!/bin/sh\nexit 7\n' >bin/show
chmod +x bin/show
rc=0
PATH=$PWD/bin:$PATH timeout -k 5 60 "$PROCWATCH" -o /dev/null -- show >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
check "procwatch -- show traces a command named show" eval '[[ $rc -eq 7 ]]'

plan
