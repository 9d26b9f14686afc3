#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The filters (--pid, --match, --depth) as a user meets them: the usage
# errors, and real programs nobody here wrote, filtered live and replayed:
# a make -j2 -k build with a compile that fails, and a Python
# multiprocessing pool whose workers run shells.  Prints TAP.  Run by meson
# (suite cli); by hand:  PROCWATCH=build/procwatch tests/cli/filter.sh
#
# The goldens of tests/cli/golden.sh hold the exact output of each filter
# on a helper scenario, live and replayed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${PROCWATCH:?set PROCWATCH to the procwatch binary}"
PROCWATCH=$(realpath "$PROCWATCH")

enter_scratch_dir
export LC_ALL=C.UTF-8

pw() {
	run "$PROCWATCH" "$@"
}

# A usage error: 125, nothing on stdout, the message naming $1, then the hint $2.
is_usage_error() {
	[[ $rc -eq 125 ]] && [[ ! -s $tmp/out ]] && [[ $(wc -l <"$tmp/err") -eq 2 ]] &&
		head -n1 "$tmp/err" | grep -q -- "^procwatch: $1" &&
		[[ $(tail -n1 "$tmp/err") == "Try '$2 --help' for more information." ]]
}

# ---- usage errors: before anything runs ----

pw --match '(' sh -c 'touch ran'
check "a regex that does not compile: 125, the C library's reason, the hint" \
	eval 'is_usage_error "invalid --match .(.: ." procwatch && [[ ! -e ran ]]'
pw --depth=-1 true
check "--depth=-1: 125, what is expected, the hint" \
	is_usage_error "invalid --depth '-1' (a number from 0 to 1000000)" procwatch
pw --json --pid 1 sh -c 'touch ran'
check "--json with a filter: 125, the trace is always complete, nothing run" \
	eval 'is_usage_error "--pid does not apply to the json format: a trace always records every process" procwatch && [[ ! -e ran ]]'
printf '{"t":0,"event":"start","pid":1,"tid":1,"argv":["x"],"v":1}\n' >t.jsonl
pw show --match=x --json t.jsonl
check "show --json with a filter: 125, the trace is written back whole" \
	is_usage_error "--match does not apply to the json format: show --json writes the trace back whole" \
	"procwatch show"
pw show --match='[' t.jsonl
check "show: a regex that does not compile: 125 and show's hint" \
	is_usage_error "invalid --match '\[': " "procwatch show"

# ---- real programs: need ptrace ----

if ! timeout -k 5 30 "$PROCWATCH" -o /dev/null true 2>"$tmp/probe"; then
	skip "ptrace is not permitted here: $(head -n1 "$tmp/probe")"
	plan
	exit 0
fi

# The tree: what follows the blank line after the timeline's end line.
tree_part() {
	sed '1,/^$/d' "$1"
}

mkdir proj
printf 'int a(void) { return 1; }\n' >proj/a.c
printf 'int b(void) { return 2; }\n' >proj/b.c
printf 'int bad(void) { return }\n' >proj/bad.c
printf 'lib.a: a.o b.o bad.o\n\tar rc $@ $^\n%%.o: %%.c\n\tcc -c -o $@ $<\n' >proj/Makefile
if command -v make >/dev/null && command -v cc >/dev/null; then
	# Live: only the compiler of bad.c, under the make that ran it; make's
	# own output and status as without procwatch.
	pw --match 'bad\.c' --time=none --color=never -o live.txt make -B -j2 -k -C proj
	check "make: --match live: exit 2 as make's, the from line, then bad.c's compile only" \
		eval '[[ $rc -eq 2 ]] && grep -q "bad.c" "$tmp/out" &&
			grep -B1 "exec cc -c -o bad.o bad.c" live.txt | head -n1 |
				grep -q "^│  \[[0-9]*\] from [0-9]* make$" &&
			! grep -q "[ab]\.[co]" live.txt &&
			tree_part live.txt | head -n1 | grep -q "^[0-9]* make -B -j2 -k -C proj  exited 2"'
	timeout -k 5 120 "$PROCWATCH" --json -o build.jsonl -- make -B -j2 -k -C proj \
		>/dev/null 2>&1 </dev/null || true
	run "$PROCWATCH" show --match 'bad\.c' --color=never -o timeline.txt build.jsonl
	run "$PROCWATCH" show --format=tree --match 'bad\.c' --color=never build.jsonl
	check "make: show --match: the same tree under the timeline and alone, make, cc, cc1" \
		eval '[[ $rc -eq 0 ]] && tree_part timeline.txt | cmp -s - "$tmp/out" &&
			[[ $(wc -l <"$tmp/out") -eq 3 ]] && sed -n 2p "$tmp/out" | grep -q "^└─ [0-9]* cc -c -o bad.o bad.c  exited 1"'
	run "$PROCWATCH" show --failed --match 'bad\.c' --color=never build.jsonl
	check "make: show --failed --match: cc1, cc and make failed, nothing of a.c, exit 1" \
		eval '[[ $rc -eq 1 ]] && [[ $(tail -n1 "$tmp/out") == "3 failed processes" ]] &&
			head -n1 "$tmp/out" | grep -q "cc1 .*bad.c" && ! grep -q " a\.c" "$tmp/out"'
	run "$PROCWATCH" show --failed --match '(^| )a\.c( |$)' --color=never build.jsonl
	check "make: show --failed --match a.c: only make, the ancestor that failed, exit 1" \
		eval '[[ $rc -eq 1 ]] && head -n1 "$tmp/out" | grep -q "^[0-9]* make -B -j2 -k -C proj  exited 2$" &&
			[[ $(tail -n1 "$tmp/out") == "1 failed process" ]]'
	cc_pid=$(pid_of build.jsonl '^cc -c -o bad.o bad.c$')
	run "$PROCWATCH" show --format=tree --pid "$cc_pid" --color=never build.jsonl
	check "make: show --pid: that compiler's subtree, at the top" \
		eval '[[ $rc -eq 0 ]] && head -n1 "$tmp/out" | grep -q "^$cc_pid cc -c -o bad.o bad.c  exited 1" &&
			[[ $(wc -l <"$tmp/out") -eq 2 ]] && sed -n 2p "$tmp/out" | grep -q "^└─ [0-9]* .*cc1 "'
	run "$PROCWATCH" show --format=tree --summary --depth=0 --no-warnings --color=never build.jsonl
	check "make: show --depth=0 --summary: make alone, and the counts of make alone" \
		eval '[[ $rc -eq 0 ]] && head -n1 "$tmp/out" | grep -q "^[0-9]* make " &&
			sed -n 2p "$tmp/out" | grep -q "^1 process, 0 threads, 1 exec, 0 failed execs, 1 non-zero exit, 0 killed by a signal$"'
else
	for _ in 1 2 3 4 5 6; do skip "make or cc is not installed"; done
fi

# A pool of two workers runs four tasks, each a shell that exits with the
# task's number modulo 3; which worker runs which is up to the pool.
cat >pool.py <<'EOF'
import multiprocessing, subprocess

def work(n):
    return subprocess.run(["sh", "-c", "exit %d" % (n % 3)]).returncode

if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print(pool.map(work, range(4)))
EOF
if command -v python3 >/dev/null && python3 -c 'import multiprocessing' 2>/dev/null; then
	pw --match '^sh -c exit [12]$' --time=none --color=never --summary -o pool.txt python3 pool.py
	check "python pool: --match live: the output untouched, two shells under their workers" \
		eval '[[ $rc -eq 0 && $(cat "$tmp/out") == "[0, 1, 2, 0]" ]] &&
			[[ $(tree_part pool.txt | grep -c "sh -c .exit [12].  exited [12] ") -eq 2 ]] &&
			! grep -q "exit 0" pool.txt &&
			tree_part pool.txt | grep -q "^[│ ]*[├└]─ [0-9]* (python3)  " &&
			tree_part pool.txt | grep -Eq "^[45] processes, "'
	check "python pool: the chain a match showed is named once, right before its exec" \
		eval 'n=$(grep -c "\] from " pool.txt); [[ $n -ge 1 && $n -le 2 ]] &&
			! grep "\] from " pool.txt | grep -v "^│  │  \[[0-9]*\] from [0-9]* python3 ← [0-9]* python3$" &&
			[[ $(grep -A1 "\] from " pool.txt | grep -c "exec sh -c .exit [12].") -eq $n ]]'
else
	skip "python3 with multiprocessing is not installed"
	skip "python3 with multiprocessing is not installed"
fi

plan
