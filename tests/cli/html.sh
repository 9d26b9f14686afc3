#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --format=html as a user runs it: the report of a live run and the one
# 'procwatch show' makes of the same run recorded hold the same data in
# the same document; an empty, foreign, damaged or cut trace, and a full
# disk, give their message and exit status; filters and -k reach the data;
# the template has no way to turn a trace string into markup and loads
# nothing.  How the report looks and behaves in a browser is
# html_browser.sh's.  Prints TAP.  Run by meson (suite cli); by hand:
#   PROCWATCH=build/procwatch PW_SOURCE_ROOT=. tests/cli/html.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

need_paths PROCWATCH PW_SOURCE_ROOT
PW_HELPER_DIR=${PW_HELPER_DIR:+$(realpath "$PW_HELPER_DIR")}

enter_scratch_dir
export LC_ALL=C.UTF-8

# report.py FILE [data|page|norm]: the report's data block as JSON; the
# page around it; or the data with what differs between two runs of the
# same command left out (pids, times, CPU and memory, pipe inodes).
cat >report.py <<'EOF'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
opening = '<script type="application/json" id="procwatch-data">'
start = text.index(opening) + len(opening)
end = text.index("</script>", start)
what = sys.argv[2] if len(sys.argv) > 2 else "data"
if what == "page":
    sys.stdout.write(text[:start] + text[end:])
    sys.exit(0)
data = json.loads(text[start:end])
if what == "norm":
    for key in ("wall_clock_us",):
        data["trace"].pop(key, None)
    data["end"].pop("t")
    for p in data["processes"]:
        for key in ("pid", "creator", "reaped_by", "start", "end", "age", "usage"):
            p.pop(key, None)
        for e in p.get("execs", []) + p.get("failed_execs", []) + p.get("signals", []):
            e.pop("t", None)
            e.pop("fds", None)
        p["warnings"] = [w["kind"] for w in p.get("warnings", [])]
print(json.dumps(data, sort_keys=True))
EOF
report() {
	python3 report.py "$@"
}

# ---- traces that are not one, or not whole: no ptrace needed ----

: >empty.jsonl
run "$PROCWATCH" show --format=html -o empty.html empty.jsonl
check "an empty trace: 125, the message and its hint, an empty file" \
	eval '[[ $rc -eq 125 && ! -s empty.html ]] && [[ $(cat "$tmp/err") == "procwatch: empty.jsonl: empty file, not a procwatch trace"$'"'"'\n'"'"'"$not_trace_hint" ]]'
printf 'all: x\n' >Makefile
run "$PROCWATCH" show --format=html -o foreign.html Makefile
check "a file that is not a trace: 125, FILE:1 and the hint, an empty file" \
	eval '[[ $rc -eq 125 && ! -s foreign.html ]] && [[ $(cat "$tmp/err") == "procwatch: Makefile:1: not a procwatch trace (the first line is not a JSON object)"$'"'"'\n'"'"'"$not_trace_hint" ]]'

# A shell that runs sleep, which is killed, and true.
cat >run.jsonl <<'EOF_TRACE'
{"v":1,"t":0.000100,"event":"start","pid":500,"tid":500,"argv":["sh","-c","sleep 9; true"],"mode":"launch","seccomp":true,"version":"0.1.0"}
{"t":0.000200,"event":"exec","pid":500,"tid":500,"call":"execve","path":"/bin/sh","argv":["sh","-c","sleep 9; true"],"cwd":"/w","result":0}
{"t":0.000300,"event":"spawn","pid":500,"tid":500,"call":"vfork","flags":["CLONE_VM","CLONE_VFORK"],"exit_signal":"SIGCHLD","kind":"vfork","thread":false,"parent":500,"result":501,"child":501}
{"t":0.000400,"event":"exec","pid":501,"tid":501,"call":"execve","path":"/bin/sleep","argv":["sleep","9"],"cwd":"/w","result":0}
{"t":0.000500,"event":"exit","pid":501,"tid":501,"thread":false,"signal":"SIGKILL","core":false}
{"t":0.000600,"event":"wait","pid":500,"tid":500,"call":"wait4","target":-1,"options":[],"result":501,"status":{"kind":"killed","signal":"SIGKILL","core":false}}
{"t":0.000700,"event":"spawn","pid":500,"tid":500,"call":"vfork","flags":["CLONE_VM","CLONE_VFORK"],"exit_signal":"SIGCHLD","kind":"vfork","thread":false,"parent":500,"result":502,"child":502}
{"t":0.000800,"event":"exec","pid":502,"tid":502,"call":"execve","path":"/bin/true","argv":["true"],"cwd":"/w","result":0}
{"t":0.000900,"event":"exit","pid":502,"tid":502,"thread":false,"code":0,"call":"exit_group"}
{"t":0.001000,"event":"exit","pid":500,"tid":500,"thread":false,"code":0,"call":"exit_group"}
{"t":0.001100,"event":"end","pid":500,"tid":500,"status":{"kind":"exited","code":0}}
EOF_TRACE
run "$PROCWATCH" show --format=html -o run.html run.jsonl
check "a whole trace: exit 0, one HTML document with the three processes" \
	eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && head -n1 run.html | grep -qx "<!DOCTYPE html>" && tail -n1 run.html | grep -qx "</html>" &&
		[[ $(report run.html | jq ".processes | length") -eq 3 ]]'
check "the killed sleep is a failure; the shell, which exited 0, and true are not" \
	eval '[[ $(report run.html | jq -c "[.processes[] | [.pid, .failed // false, .status.kind]]") == "[[500,false,\"exited\"],[501,true,\"killed\"],[502,false,\"exited\"]]" ]]'
run "$PROCWATCH" show --format=html run.jsonl
check "without -o, to standard output: the same document" \
	eval '[[ $rc -eq 0 ]] && cmp -s "$tmp/out" run.html'
run "$PROCWATCH" show -o named.html run.jsonl
check "-o FILE.html without --format: the same document" \
	eval '[[ $rc -eq 0 ]] && cmp -s named.html run.html'

sed '4s/"result":0}$/"result":/' run.jsonl >damaged.jsonl
run "$PROCWATCH" show --format=html -o damaged.html damaged.jsonl
check "a damaged line: FILE:LINE, 125, and the report of the rest" \
	eval '[[ $rc -eq 125 ]] && grep -q "^procwatch: damaged.jsonl:4: " "$tmp/err" && [[ $(report damaged.html | jq ".processes | length") -eq 3 ]]'
head -c 60 run.jsonl >cut-first.jsonl
run "$PROCWATCH" show --format=html -o cut-first.html cut-first.jsonl
check "a trace cut inside its first line: 125, FILE:1, no document" \
	eval '[[ $rc -eq 125 && ! -s cut-first.html ]] && grep -q "^procwatch: cut-first.jsonl:1: not a procwatch trace" "$tmp/err"'
head -c "$(($(head -n 4 run.jsonl | wc -c) + 40))" run.jsonl >cut-line.jsonl
run "$PROCWATCH" show --format=html -o cut-line.html cut-line.jsonl
check "a trace cut inside a later line (a killed job): a warning each, exit 0, the report" \
	eval '[[ $rc -eq 0 && $(wc -l <"$tmp/err") -eq 2 ]] && grep -q "^procwatch: cut-line.jsonl:5: the last line is cut off" "$tmp/err" &&
		[[ $(report cut-line.html | jq -c "[.end.ended, (.processes | length)]") == "[false,2]" ]]'
head -n 4 run.jsonl >cut.jsonl
run "$PROCWATCH" show --format=html -o cut.html cut.jsonl
check "a trace cut short: its warning, exit 0, the end missing and sleep still running" \
	eval '[[ $rc -eq 0 ]] && grep -q "^procwatch: cut.jsonl:4: the trace stops without an end event" "$tmp/err" &&
		[[ $(report cut.html | jq -c "[.end.ended, .processes[1].cut, .processes[1].end]") == "[false,true,null]" ]]'
run "$PROCWATCH" show --format=html -o /dev/full run.jsonl
check "a full disk: one line naming the output, 125" \
	eval '[[ $rc -eq 125 && $(wc -l <"$tmp/err") -eq 1 ]] && grep -qx "procwatch: writing /dev/full failed: No space left on device; the output is incomplete" "$tmp/err"'
run "$PROCWATCH" show --format=html --match '^true' -o match.html run.jsonl
check "--match: true and the shell that ran it, and the filter said" \
	eval '[[ $rc -eq 0 ]] && [[ $(report match.html | jq -c "[[.processes[].pid], .filter.match, .counts.processes]") == "[[500,502],\"^true\",2]" ]]'

# ---- the template ----

js=$PW_SOURCE_ROOT/src/sink/html/report.js
check "report.js makes no markup from strings (textContent only) and runs no strings" \
	eval '! grep -nE "innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\(.(style|on)|\.srcdoc" "$js"'
report run.html page >page.html
check "the page loads nothing: a policy with default-src none, no URL but data:" \
	eval 'grep -q "http-equiv=\"Content-Security-Policy\" content=\"default-src '"'"'none'"'"';" page.html &&
		! grep -q "://" page.html && ! grep -qiE "(src|href)=\"[^d]" page.html'

# ---- a live run: needs ptrace ----

probe_ok=1
if ! "$PROCWATCH" --json -o probe.jsonl true >/dev/null 2>"$tmp/probe" </dev/null || [[ ! -s probe.jsonl ]]; then
	probe_ok=0
fi
# A #! script among them: live, its interpreter is read only when the
# view asks for it, as the HTML report's details show it.
printf '#!/bin/sh\nexit 0\n' >script.sh
chmod +x script.sh
cmd=(sh -c '/bin/true; /bin/false; sh -c "exit 3"; ./script.sh; ls / >/dev/null; exit 2')
if [[ $probe_ok -eq 1 ]]; then
	run "$PROCWATCH" --format=html -o live.html -- "${cmd[@]}"
	live_rc=$rc
	run "$PROCWATCH" --json -o live.jsonl -- "${cmd[@]}"
	run "$PROCWATCH" show --format=html -o shown.html live.jsonl
	check "live: the command's exit status, a report of its six processes, the script's interpreter" \
		eval '[[ $live_rc -eq 2 ]] && [[ $(report live.html | jq ".processes | length") -eq 6 ]] &&
			[[ $(report live.html | jq -c "[.processes[].execs[]? | select(.interpreter | strings | endswith(\"sh\")) | .path]") == "[\"./script.sh\"]" ]]'
	check "live and shown from the recording: the same data, but pids and times" \
		eval '[[ $(report live.html norm) == "$(report shown.html norm)" ]]'
	check "live and shown: the same page around the data" \
		eval 'cmp -s <(report live.html page) <(report shown.html page)'
	check "the failures: the shell, false and the inner sh; the rest not" \
		eval '[[ $(report live.html | jq -c "[.processes[] | select(.failed) | .execs[-1].argv[0]]") == "[\"sh\",\"/bin/false\",\"sh\"]" ]]'
else
	for i in 1 2 3 4; do
		skip "ptrace is not permitted here: $(head -n1 "$tmp/probe")"
	done
fi

# -k: stacks as lines of text, when this procwatch has libunwind.
if [[ $probe_ok -eq 0 ]]; then
	skip "ptrace is not permitted here"
elif [[ -z $PW_HELPER_DIR ]] || ! "$PROCWATCH" -k --json -o /dev/null true 2>/dev/null; then
	skip "-k is unavailable in this build (no libunwind) or no helpers"
else
	run "$PROCWATCH" -k --format=html -o stack.html -- "$PW_HELPER_DIR/pw_stack" popen
	check "-k: the spawn's stack names the helper's functions, innermost first" \
		eval '[[ $rc -eq 0 ]] && report stack.html | jq -e "[.processes[].spawn_stack // empty | map(select(. != null and test(\"^f2[+]0x\")))] | flatten | length > 0" >/dev/null'
fi

plan
