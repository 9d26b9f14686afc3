#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --format=compile-commands on a real 'make -j2' build of a small C project
# (two directories, one built by a sub-make, code that needs its -I and -D
# to compile): live as the README shows it, and from a recorded trace with
# 'procwatch show', which must give the same database, and under ccache,
# missing and hitting its cache; then a real consumer
# (clang-check, from Debian's clang-tools) compiles every entry, and Bear,
# when installed, must find the same compiles.  Damaged traces give one
# message line and 125.  Prints TAP.  Run by meson (suite cli); by hand:
#   PROCWATCH=build/procwatch tests/cli/compile-commands.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${PROCWATCH:?set PROCWATCH to the procwatch binary}"
PROCWATCH=$(realpath "$PROCWATCH")

enter_scratch_dir
export LC_ALL=C.UTF-8

# ---- damaged traces: no ptrace needed ----

: >empty.jsonl
run "$PROCWATCH" show --format=compile-commands empty.jsonl
check "an empty trace: the message and its hint, 125, no database" \
	eval '[[ $rc -eq 125 && ! -s $tmp/out ]] && [[ $(cat "$tmp/err") == "procwatch: empty.jsonl: empty file, not a procwatch trace"$'"'"'\n'"'"'"$not_trace_hint" ]]'
printf 'all:\n\tcc -c a.c\n' >Makefile
run "$PROCWATCH" show --format=compile-commands Makefile
check "a file that is no trace: FILE:1 and the hint, 125, no database" \
	eval '[[ $rc -eq 125 && ! -s $tmp/out ]] && [[ $(cat "$tmp/err") == "procwatch: Makefile:1: not a procwatch trace (the first line is not a JSON object)"$'"'"'\n'"'"'"$not_trace_hint" ]]'
printf '{"v":1,"t":0.0,"event":"start","pid":1' >first-cut.jsonl
run "$PROCWATCH" show --format=compile-commands first-cut.jsonl
check "a trace cut off in its first line: 125, no database" \
	eval '[[ $rc -eq 125 && ! -s $tmp/out ]] && grep -q "^procwatch: first-cut.jsonl:1: not a procwatch trace" "$tmp/err"'
printf '{"v":2,"t":0.0,"event":"start","pid":1,"tid":1}\n' >future.jsonl
run "$PROCWATCH" show --format=compile-commands future.jsonl
check "a trace from a newer procwatch: one line, 125, no database" \
	eval '[[ $rc -eq 125 && ! -s $tmp/out && $(wc -l <"$tmp/err") -eq 1 ]]'

# ---- a real build ----

# skip_rest REASON: the cases below, all skipped for one reason.
skip_rest() {
	local i
	for ((i = 0; i < 11; i++)); do
		skip "$1"
	done
	plan
	exit 0
}
command -v make >/dev/null && command -v cc >/dev/null || skip_rest "make or cc is not installed"

# src/ is compiled from proj/ by make, lib/ from proj/lib/ by a sub-make;
# util.h is found only with -I, and util.c does not compile without -DSCALE.
mkdir -p proj/include proj/src proj/lib
printf '#ifndef UTIL_H\n#define UTIL_H\nint util_twice(int x);\n#endif\n' >proj/include/util.h
printf '#include "util.h"\n#ifndef SCALE\n#error "SCALE must be defined"\n#endif\nint util_twice(int x) { return x * SCALE; }\n' >proj/lib/util.c
printf '#include "util.h"\nint more(int x) { return util_twice(x) + SCALE; }\n' >proj/lib/more.c
printf '#include <stdio.h>\n#include "util.h"\nint main(void) { printf("%%d\\n", util_twice(SCALE)); return 0; }\n' >proj/src/main.c
printf '#include "util.h"\nint other(void) { return util_twice(1); }\n' >proj/src/other.c
cat >proj/lib/Makefile <<'EOF'
CC = cc
CFLAGS = -O2 -I../include -DSCALE=2
libutil.a: util.o more.o
	ar rc $@ util.o more.o
%.o: %.c ../include/util.h
	$(CC) $(CFLAGS) -c -o $@ $<
clean:
	rm -f libutil.a *.o
EOF
cat >proj/Makefile <<'EOF'
CC = cc
CFLAGS = -O2 -Wall -Iinclude -DSCALE=2
prog: src/main.o src/other.o lib/libutil.a
	cc -o $@ src/main.o src/other.o lib/libutil.a
lib/libutil.a: FORCE
	$(MAKE) -C lib
src/%.o: src/%.c include/util.h
	$(CC) $(CFLAGS) -c -o $@ $<
clean:
	rm -f prog src/*.o
	$(MAKE) -C lib clean
FORCE:
.PHONY: clean FORCE
EOF
clean() {
	make -s -C proj clean >/dev/null
}

# The README's example: -o NAME.json with --format given writes the database.
if ! timeout -k 5 120 "$PROCWATCH" --format=compile-commands -o compile_commands.json \
	make -j2 -C proj >/dev/null 2>"$tmp/probe" </dev/null && [[ ! -s compile_commands.json ]]; then
	skip_rest "ptrace is not permitted here: $(head -n1 "$tmp/probe")"
fi
cp compile_commands.json live.json
rc=0
[[ -x proj/prog && $(proj/prog) == 4 ]] || rc=1
check "the build under procwatch built the program" eval '[[ $rc -eq 0 ]]'

# entries DB [by-name]: one line per entry, sorted: directory, file,
# output, arguments; with by-name, the compiler by its name only (Bear
# writes its full path).
entries() {
	python3 -c '
import json, os, sys
for e in json.load(open(sys.argv[1])):
    a = e["arguments"]
    if len(sys.argv) > 2:
        a = [os.path.basename(a[0])] + a[1:]
    print(json.dumps([e["directory"], e["file"], e.get("output"), a]))
' "$@" | sort
}
P=$PWD/proj
expected() {
	cat <<EOF
["$P", "$P/src/main.c", "$P/src/main.o", ["cc", "-O2", "-Wall", "-Iinclude", "-DSCALE=2", "-c", "-o", "src/main.o", "src/main.c"]]
["$P", "$P/src/other.c", "$P/src/other.o", ["cc", "-O2", "-Wall", "-Iinclude", "-DSCALE=2", "-c", "-o", "src/other.o", "src/other.c"]]
["$P/lib", "$P/lib/more.c", "$P/lib/more.o", ["cc", "-O2", "-I../include", "-DSCALE=2", "-c", "-o", "more.o", "more.c"]]
["$P/lib", "$P/lib/util.c", "$P/lib/util.o", ["cc", "-O2", "-I../include", "-DSCALE=2", "-c", "-o", "util.o", "util.c"]]
EOF
}
rc=0
entries live.json >"$tmp/out" 2>"$tmp/err" || rc=$?
check "live: an entry for each of the four compiles (none for make, ar, the link, cc1), with its directory, argv, file and output" \
	eval '[[ $rc -eq 0 ]] && diff <(expected | sort) "$tmp/out" >"$tmp/err"'

clean
timeout -k 5 120 "$PROCWATCH" --json -o build.jsonl -- make -j2 -C proj >/dev/null 2>&1 </dev/null || true
run "$PROCWATCH" show --format=compile-commands -o shown.json build.jsonl
check "show: exit 0, nothing on standard error" eval '[[ $rc -eq 0 && ! -s $tmp/err ]]'
entries live.json >live.entries
check "show of a recorded build: the same entries as live" \
	eval 'entries shown.json >shown.entries && diff live.entries shown.entries >"$tmp/err"'
run "$PROCWATCH" show --format=compile-commands --match 'util\.c' build.jsonl
check "show --match: only the compile of util.c" \
	eval '[[ $rc -eq 0 ]] && [[ $(entries "$tmp/out" | cut -d, -f2) == " \"$P/lib/util.c\"" ]]'
head -n "$(($(wc -l <build.jsonl) / 2))" build.jsonl >cut.jsonl
run "$PROCWATCH" show --format=compile-commands cut.jsonl
check "a trace cut short: a warning, exit 0, the compiles it has" \
	eval '[[ $rc -eq 0 ]] && grep -q "cut.jsonl:.*without an end event" "$tmp/err" && entries "$tmp/out" >cut.entries && [[ -z $(comm -23 cut.entries live.entries) ]]'

# ---- ccache: its command is the entry, what it runs below it is not ----

if command -v ccache >/dev/null; then
	export CCACHE_DIR=$tmp/ccache
	# The first build runs the real compilers below ccache (cc1 runs), the
	# second finds every object in the cache and runs none.
	for pass in miss hit; do
		clean
		timeout -k 5 120 "$PROCWATCH" --json -o "ccache-$pass.jsonl" \
			make -j2 -C proj CC="ccache cc" >/dev/null 2>&1 </dev/null || true
		run "$PROCWATCH" show --format=compile-commands -o "ccache-$pass.json" "ccache-$pass.jsonl"
		ran_cc1=no
		grep -q '"path":"[^"]*/cc1"' "ccache-$pass.jsonl" && ran_cc1=yes
		entries "ccache-$pass.json" >"$tmp/out" 2>"$tmp/err" || rc=$?
		check "ccache cc, cache $pass (cc1 ran: $ran_cc1): the same four entries, without ccache" \
			eval '[[ $rc -eq 0 && $ran_cc1 == $([[ $pass == miss ]] && echo yes || echo no) ]] &&
				diff <(expected | sort) "$tmp/out" >"$tmp/err"'
	done
	unset CCACHE_DIR
else
	skip "ccache is not installed (scripts/setup installs it)"
	skip "ccache is not installed (scripts/setup installs it)"
fi

# ---- a real consumer compiles every entry ----

if command -v clang-check >/dev/null; then
	# A file a run: clang-check 14 keeps relative include paths from one
	# file's directory to the next (Bear's database fails the same way).
	failed=()
	for f in proj/src/main.c proj/src/other.c proj/lib/util.c proj/lib/more.c; do
		run clang-check -p . "$f"
		if [[ $rc -ne 0 ]] || grep -qi "error" "$tmp/out" "$tmp/err"; then
			failed+=("$f: $(cat "$tmp/out" "$tmp/err")")
		fi
	done
	check "clang-check -p: every entry compiles, no error" \
		eval '[[ ${#failed[@]} -eq 0 ]] || { printf "%s\n" "${failed[@]}" >"$tmp/err"; false; }'
	# The control: without util.c's -D, the same consumer fails.
	mkdir broken
	sed 's/"-DSCALE=2",\("-c","-o","util.o"\)/\1/' live.json >broken/compile_commands.json
	run clang-check -p broken proj/lib/util.c
	check "clang-check -p: util.c's entry without its -D fails (the check can fail)" \
		eval '[[ $rc -ne 0 ]] && grep -q "SCALE must be defined" "$tmp/out" "$tmp/err"'
else
	skip "clang-check is not installed (scripts/setup installs clang-tools)"
	skip "clang-check is not installed (scripts/setup installs clang-tools)"
fi

# ---- Bear, the usual tool, on the same build ----

if command -v bear >/dev/null; then
	clean
	if timeout -k 5 120 bear --output bear.json -- make -j2 -C proj >/dev/null 2>"$tmp/bear" </dev/null &&
		[[ -s bear.json ]]; then
		check "Bear finds the same compiles, directories, files, outputs and arguments" \
			eval 'entries bear.json by-name >bear.n && entries live.json by-name >live.n && diff bear.n live.n >"$tmp/err"'
	else
		skip "bear failed here: $(head -n1 "$tmp/bear")"
	fi
else
	skip "bear is not installed (scripts/setup installs it)"
fi

plan
