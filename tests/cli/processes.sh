#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --format=processes on a real 'make -j2' build with a failing compile,
# and every jq recipe of the manual page's PROCESSES section run on it:
# the recipes are read from man/procwatch.1.scd, so a recipe that the page
# shows is a recipe that works, and one added without a check here fails.
# Prints TAP.  Run by meson (suite cli); by hand:
#   PROCWATCH=build/procwatch PW_SOURCE_ROOT=. tests/cli/processes.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${PROCWATCH:?set PROCWATCH to the procwatch binary}"
: "${PW_SOURCE_ROOT:?set PW_SOURCE_ROOT to the source tree}"
PROCWATCH=$(realpath "$PROCWATCH")
PW_MAN_SCD=$(realpath "$PW_SOURCE_ROOT/man/procwatch.1.scd")

enter_scratch_dir
export LC_ALL=C.UTF-8

# The recipes: the jq lines of the code blocks under "## Recipes".
mapfile -t recipes < <(awk '
	/^## Recipes/ { on = 1; next }
	on && /^#/ { exit }
	on && /^jq / { print }
' "$PW_MAN_SCD")
if [[ ${#recipes[@]} -ne 8 ]]; then
	plan 1
	not_ok "the manual page has 8 jq recipes" "found ${#recipes[@]}: ${recipes[*]}"
	exit 0
fi

skip_all() {
	local i
	for ((i = 0; i < 15; i++)); do
		skip "$1"
	done
	plan
	exit 0
}
command -v jq >/dev/null || skip_all "jq is not installed (scripts/setup installs it)"
command -v make >/dev/null && command -v cc >/dev/null || skip_all "make or cc is not installed"

mkdir proj
printf 'int a(void) { return 1; }\n' >proj/a.c
printf 'int b(void) { return 2; }\n' >proj/b.c
printf 'int bad(void) { return }\n' >proj/bad.c
printf 'lib.a: a.o b.o bad.o\n\tar rc $@ $^\n%%.o: %%.c\n\tcc -c -o $@ $<\n' >proj/Makefile
if ! timeout -k 5 120 "$PROCWATCH" --json -o build.jsonl -- make -j2 -C proj \
	>/dev/null 2>"$tmp/probe" </dev/null && [[ ! -s build.jsonl ]]; then
	skip_all "ptrace is not permitted here: $(head -n1 "$tmp/probe")"
fi

run "$PROCWATCH" show --format=processes -o p.jsonl build.jsonl
check "show --format=processes: one JSON object per process, exit 0" \
	eval '[[ $rc -eq 0 && ! -s $tmp/err ]] && [[ $(jq -s length p.jsonl) -eq $(wc -l <p.jsonl) ]]'
# make, three cc drivers, three cc1, and as for the two files that compiled.
check "every process once, with ids 1..N" \
	eval '[[ $(jq -s "[.[].id] | sort == [range(1; length + 1)]" p.jsonl) == true ]]'
check "in the order they ended: the end times never go back, make last" \
	eval '[[ $(jq -s "[.[].end] | . == sort" p.jsonl) == true && $(jq -s -r ".[-1].argv | join(\" \")" p.jsonl) == "make -j2 -C proj" ]]'
# The command lines of a processes file, sorted, but for those naming a
# compiler's temporary file, which differs from run to run.
commands() {
	jq -c -s '[.[] | .argv | select(. != null) | join(" ") | select(test("/tmp/") | not)] | sort' "$1"
}
# The live view of another run of the same build has the same shape.
rm -f proj/*.o
run "$PROCWATCH" --format=processes -o live.jsonl -- make -j2 -C proj
check "--format=processes live: the same processes as shown from a trace" \
	eval '[[ $(commands live.jsonl) == "$(commands p.jsonl)" ]]'

# recipe N: runs the Nth recipe of the page (from 1) in this directory,
# its example directory /src/proj made this build's.
recipe() {
	local r=${recipes[$1 - 1]}
	r=${r//\/src\/proj/$PWD/proj}
	rc=0
	eval "$r" >"$tmp/out" 2>"$tmp/err" || rc=$?
}

recipe 1
check "recipe 1, failed commands: cc and cc1 of bad.c and make, with argv and cwd" \
	eval '[[ $rc -eq 0 && $(wc -l <"$tmp/out") -eq 3 ]] &&
		grep -q "\"argv\":\[\"cc\",\"-c\",\"-o\",\"bad.o\",\"bad.c\"\],\"cwd\":\"$PWD/proj\",\"status\":{\"kind\":\"exited\",\"code\":1}" "$tmp/out" &&
		grep -q "\"argv\":\[\"make\",\"-j2\",\"-C\",\"proj\"\],\"cwd\":\"$PWD\",\"status\":{\"kind\":\"exited\",\"code\":2}" "$tmp/out"'
recipe 2
check "recipe 2, ancestor chains: cc bad.c, then make" \
	eval '[[ $rc -eq 0 ]] && grep -qx "\[\"cc -c -o bad.o bad.c\",\"make -j2 -C proj\"\]" "$tmp/out" && grep -q "^\[\"/.*cc1 .*bad.c.*\",\"cc -c -o bad.o bad.c\",\"make -j2 -C proj\"\]$" "$tmp/out"'
recipe 3
check "recipe 3, the slowest: at most ten, slowest first, make first" \
	eval '[[ $rc -eq 0 && $(wc -l <"$tmp/out") -le 10 ]] && head -n1 "$tmp/out" | grep -q "	make -j2 -C proj$" && cut -f1 "$tmp/out" | sort -g -r -c'
recipe 4
check "recipe 4, execs per program: cc and cc1 three times each" \
	eval '[[ $rc -eq 0 ]] && jq -e "(map(select(.program == \"/usr/bin/cc\"))[0].execs == 3) and (map(select(.program | endswith(\"/cc1\")))[0].execs == 3)" "$tmp/out" >/dev/null'
recipe 5
check "recipe 5, the number of processes: the tree's count" \
	eval '[[ $rc -eq 0 ]] && [[ $(cat "$tmp/out") -eq $("$PROCWATCH" show --format=tree --summary build.jsonl | sed -n "s/^\([0-9]*\) processes.*/\1/p") ]]'
recipe 6
check "recipe 6, commands run in proj: the three cc, not make" \
	eval '[[ $rc -eq 0 && $(grep -c "^\[\"cc\"," "$tmp/out") -eq 3 ]] && ! grep -q "\"make\"" "$tmp/out"'
recipe 7
check "recipe 7, the biggest by memory: at most five, biggest first, each with its size" \
	eval '[[ $rc -eq 0 && $(wc -l <"$tmp/out") -ge 1 && $(wc -l <"$tmp/out") -le 5 ]] && cut -f1 "$tmp/out" | sort -n -r -c && ! cut -f1 "$tmp/out" | grep -qv "^[0-9][0-9]*$"'
# A command killed by a signal in the build, for recipe 8.
mv p.jsonl build-p.jsonl
printf 'all:\n\tsh -c '"'"'kill -SEGV $$$$'"'"'\n' >proj/Makefile.kill
timeout -k 5 60 "$PROCWATCH" --format=processes -o p.jsonl -- make -f Makefile.kill -C proj \
	>/dev/null 2>&1 </dev/null || true
recipe 8
check "recipe 8, killed by a signal: the sh, by SIGSEGV" \
	eval '[[ $rc -eq 0 && $(wc -l <"$tmp/out") -eq 1 ]] && grep -q "\"signal\":\"SIGSEGV\"" "$tmp/out"'

# Filters apply as to every view: a match and its ancestors.
run "$PROCWATCH" show --format=processes --match 'bad\.c' build.jsonl
check "--match: the compiler of bad.c, its cc1 and make, nothing else" \
	eval '[[ $rc -eq 0 && $(wc -l <"$tmp/out") -eq 3 ]] && ! grep -q "a\.c" "$tmp/out" && grep -q "\"argv\":\[\"make\"" "$tmp/out"'

# A trace cut short: what still ran is there, running and failed.
head -n 6 build.jsonl >cut.jsonl
run "$PROCWATCH" show --format=processes cut.jsonl
check "a cut trace: processes still running are listed, running and failed" \
	eval '[[ $rc -eq 0 ]] && [[ $(jq -s "map(select(.running and .failed and .end == null)) | length > 0" "$tmp/out") == true ]]'
run "$PROCWATCH" show --format=processes --time=none --color=always build.jsonl
check "--time and --color are settings for other views, and change nothing" \
	eval '[[ $rc -eq 0 ]] && cmp -s "$tmp/out" build-p.jsonl'

plan
