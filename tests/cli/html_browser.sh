#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The HTML report in a real browser: Debian's headless Chromium, driven by
# playwright-core from npm (scripts/setup installs both, the npm package
# into a cache outside the tree), one launch for every check of
# html_browser.js: the report of a failing 'make -j2 -k' (with -k when
# this procwatch has libunwind) loads without a console or page error, its
# tree has the trace's processes, the failed compile is shown first with
# its stacks, search finds a command, a click shows a process's argv,
# directory and status; the report of a build of 20 001 processes is drawn
# within LIMIT_MS and still scrolls and searches; the failure at the end
# of a chain of 3000 forks is shown; argv made to inject markup or script
# shows as text.  Skips, saying why, when the browser,
# node or playwright-core is missing (scripts/setup could not reach the
# npm registry), and the build's checks when ptrace or make is not there.
# Prints TAP.  Run by meson (suite cli); by hand:
#   PROCWATCH=build/procwatch PW_SOURCE_ROOT=. tests/cli/html_browser.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

need_paths PROCWATCH PW_SOURCE_ROOT

# Processes in the big report (make and 5000 compiles of 4 processes,
# 14 MB of HTML), and how long it may take to draw its first rows: on this
# project's 2-core machine 0.5 to 1.5 s (median 0.9 s) at a load average
# of 6 to 20, and 3.4 s at worst beside the whole test suite (load 35;
# README, "The HTML report").
# LIMIT_MS leaves room for a CI machine as loaded as that, and fails a
# page several times slower, as one that made a row per process would be.
big=20001
limit_ms=6000
build_checks=9
other_checks=9

npm_cache=${PW_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/procwatch-npm}
playwright=$npm_cache/node_modules/playwright-core
chromium=${PW_CHROMIUM:-/usr/bin/chromium}

enter_scratch_dir
export LC_ALL=C.UTF-8

skip_n() { # N REASON
	local i
	for ((i = 0; i < $1; i++)); do
		skip "$2"
	done
}
skip_all() {
	skip_n $((build_checks + other_checks)) "$1"
	plan
	exit 0
}
[[ -x $chromium ]] || skip_all "no $chromium (scripts/setup installs Debian's chromium)"
command -v node >/dev/null || skip_all "no node (scripts/setup installs nodejs)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || skip_all "node $node_major is older than playwright-core needs (20)"
[[ -f $playwright/package.json ]] ||
	skip_all "playwright-core is not in $npm_cache: scripts/setup installs it from the npm registry, which it could not reach"

# A failing build, recorded and shown (as processes.sh and the README's
# picture), with -k when this procwatch has libunwind.
build_skip=""
if ! command -v make >/dev/null || ! command -v cc >/dev/null; then
	build_skip="make or cc is not installed"
else
	stack=()
	if "$PROCWATCH" -k --json -o /dev/null true >/dev/null 2>&1 </dev/null; then
		stack=(-k)
	fi
	mkdir proj
	printf 'int a(void) { return 1; }\n' >proj/a.c
	printf 'int b(void) { return 2; }\n' >proj/b.c
	printf 'int bad(void) { return }\n' >proj/bad.c
	printf 'lib.a: a.o b.o bad.o\n\tar rc $@ $^\n%%.o: %%.c\n\tcc -c -o $@ $<\n' >proj/Makefile
	(cd proj && timeout -k 5 120 "$PROCWATCH" "${stack[@]}" --json -o ../build.jsonl -- make -j2 -k \
		>/dev/null 2>"$tmp/probe" </dev/null) || true
	if [[ ! -s build.jsonl ]]; then
		build_skip="ptrace is not permitted here: $(head -n1 "$tmp/probe")"
	else
		"$PROCWATCH" show --format=html -o build.html build.jsonl
	fi
fi

# A build of $big processes as procwatch records one (no ptrace needed,
# and seconds instead of minutes of tracing): make runs sh -c 'cc ...' per
# file, and cc runs cc1 and as, with command lines as long as a real
# project's (40 flags); the one compile that fails is half way through.
python3 - "$big" >big.jsonl <<'EOF'
import json, sys
n = int(sys.argv[1])
t = 0.0
def event(name, pid, **keys):
    global t
    t += 0.00005
    head = {"v": 1} if name == "trace" else {}
    print(json.dumps({**head, "t": round(t, 6), "event": name, "pid": pid, "tid": pid, **keys},
                     separators=(",", ":")))
def spawn(parent, child):
    event("spawn", parent, call="vfork", flags=["CLONE_VM", "CLONE_VFORK"], exit_signal="SIGCHLD",
          kind="vfork", thread=False, parent=parent, result=child, child=child)
def run(pid, argv):
    event("exec", pid, call="execve", path=argv[0], argv=argv, cwd="/src/big", result=0)
def end(parent, child, code):
    event("exit", child, thread=False, code=code, call="exit_group")
    event("wait", parent, call="wait4", target=-1, options=[], result=child,
          status={"kind": "exited", "code": code})
flags = (["-O2", "-g", "-Wall", "-Wextra", "-fPIC"] + ["-Iinclude/m%d" % k for k in range(16)] +
         ["-DFEATURE_%d=1" % k for k in range(19)])
make = ["/usr/bin/make", "-j8", "-k"]
event("trace", 0, procwatch="0.1.0", wall_clock="2026-01-05T10:00:00.000000Z",
      wall_clock_us=1767607200000000, hostname="ci", kernel="6.1.0", cwd="/src/big",
      mode="launch", argv=make, options={"seccomp": True, "stack": 0})
event("start", 1000, argv=make, mode="launch", seccomp=True, version="0.1.0", tracer=999)
run(1000, make)
files = (n - 1) // 4
for i in range(files):
    sh, cc, cc1, as_ = (2000 + 4 * i + k for k in range(4))
    code = 1 if i == files // 2 else 0
    src, obj, asm = "src/m%d/f%05d.c" % (i % 16, i), "obj/f%05d.o" % i, "/tmp/cc%05d.s" % i
    cmd = ["/usr/bin/cc"] + flags + ["-c", "-o", obj, src]
    spawn(1000, sh)
    run(sh, ["/bin/sh", "-c", " ".join(cmd)])
    spawn(sh, cc)
    run(cc, cmd)
    spawn(cc, cc1)
    run(cc1, ["/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "-quiet"] + flags + [src, "-o", asm])
    end(cc, cc1, code)
    spawn(cc, as_)
    if not code:
        run(as_, ["/usr/bin/as", "--64", "-o", obj, asm])
    end(cc, as_, 0)
    end(sh, cc, code)
    end(1000, sh, code)
event("exit", 1000, thread=False, code=2, call="exit_group")
event("end", 1000, status={"kind": "exited", "code": 2})
EOF
"$PROCWATCH" show --format=html -o big.html big.jsonl

# A chain of 3000 nested forks whose deepest process fails: the tree must
# reveal it without a recursion limit, and its details stay short.
python3 - 3000 >chain.jsonl <<'EOF'
import json, sys
n = int(sys.argv[1])
def event(t, name, pid, **keys):
    head = {"v": 1} if name == "start" else {}
    print(json.dumps({**head, "t": t / 1e6, "event": name, "pid": pid, "tid": pid, **keys},
                     separators=(",", ":")))
event(1, "start", 1000, argv=["chain"], mode="launch", seccomp=True, version="0.1.0")
event(2, "exec", 1000, call="execve", path="/bin/chain", argv=["chain"], cwd="/w", result=0)
for k in range(1, n):
    event(2 + k, "spawn", 999 + k, call="fork", flags=[], exit_signal="SIGCHLD", kind="fork",
          thread=False, parent=999 + k, result=1000 + k, child=1000 + k)
for k in reversed(range(n)):
    event(2 * n + 2 - k, "exit", 1000 + k, thread=False, code=1 if k == n - 1 else 0, call="exit_group")
event(2 * n + 3, "end", 1000, status={"kind": "exited", "code": 0})
EOF
"$PROCWATCH" show --format=html -o chain.html chain.jsonl

# Command lines made to end the data block, open a comment or become markup.
cat >hostile.jsonl <<'EOF_TRACE'
{"v":1,"t":0.000100,"event":"start","pid":500,"tid":500,"argv":["sh","-c","</script><script>alert(1)</script>","<!--"],"mode":"launch","seccomp":true,"version":"0.1.0"}
{"t":0.000200,"event":"exec","pid":500,"tid":500,"call":"execve","path":"/bin/sh","argv":["sh","-c","</script><script>alert(1)</script>","<!--"],"cwd":"/w<!--","result":0}
{"t":0.000300,"event":"spawn","pid":500,"tid":500,"call":"vfork","flags":["CLONE_VM","CLONE_VFORK"],"exit_signal":"SIGCHLD","kind":"vfork","thread":false,"parent":500,"result":501,"child":501}
{"t":0.000400,"event":"exec","pid":501,"tid":501,"call":"execve","path":"/bin/echo","argv":["<img src=x onerror=alert(2)>","<!--<script>","\u2028\u2029","]]>","-->"],"cwd":"/w","result":0}
{"t":0.000500,"event":"exit","pid":501,"tid":501,"thread":false,"code":0,"call":"exit_group"}
{"t":0.000600,"event":"exit","pid":500,"tid":500,"thread":false,"code":0,"call":"exit_group"}
{"t":0.000700,"event":"end","pid":500,"tid":500,"status":{"kind":"exited","code":0}}
EOF_TRACE
"$PROCWATCH" show --format=html -o hostile.html hostile.jsonl

rc=0
PLAYWRIGHT=$playwright CHROMIUM=$chromium timeout -k 5 300 \
	node "$PW_SOURCE_ROOT/tests/cli/html_browser.js" check . "$limit_ms" \
	>"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?

[[ -z $build_skip ]] || skip_n "$build_checks" "$build_skip"
results=0
while IFS=$'\t' read -r tag status what diag; do
	if [[ $tag == RESULT ]]; then
		results=$((results + 1))
		if [[ $status == ok ]]; then
			ok "$what"
		else
			not_ok "$what" "$diag"
		fi
	elif [[ $tag == \#* ]]; then
		echo "$tag"
	fi
done <"$tmp/out"
want=$((other_checks + (${#build_skip} ? 0 : build_checks)))
if [[ $rc -ne 0 || $results -ne $want ]]; then
	not_ok "the browser run gave all its $want results (exit status $rc, $results results)" \
		"$(show_file stderr "$tmp/err")"
fi
plan
