# SPDX-License-Identifier: GPL-2.0-or-later
#
# The TAP that the cli test scripts (run-cli.sh, golden.sh, show.sh) print,
# and the captured runs they check, in one place.  Bash, like the scripts;
# each sources it from its own directory before it changes directory:
#   . "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
# Sourcing defines functions and three variables and runs nothing.
#
# Results are numbered in the order given.  A script that knows its count
# prints the plan first (plan N); one whose cases depend on the machine
# (libunwind, make, ptrace) prints it last (plan).  Diagnostics go after a
# result as "# " lines, which meson shows with the failure.

tap_count=0
# The second line of every "not a procwatch trace" message of show.
not_trace_hint="A trace is what 'procwatch --json -o FILE.jsonl COMMAND' records."

ok() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $1"
}

# not_ok DESCRIPTION [TEXT...]: every line of each TEXT becomes a "# " line.
not_ok() {
	local text
	tap_count=$((tap_count + 1))
	echo "not ok $tap_count - $1"
	shift
	for text in "$@"; do
		printf '%s\n' "$text" | sed 's/^/# /'
	done
}

# skip REASON: counted as a pass, so a reason is all a reader gets: say why.
skip() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count # SKIP $1"
}

# plan [N]: "1..N", by default the results given so far.
plan() {
	echo "1..${1:-$tap_count}"
}

# need_paths VAR...: each names a file or directory meson test gives the
# script (PROCWATCH, PW_SOURCE_ROOT...); one that is unset stops the
# script, and each is made absolute, since the scripts change directory.
need_paths() {
	local var
	for var in "$@"; do
		if [[ -z ${!var:-} ]]; then
			echo "$0: set $var (meson test does)" >&2
			exit 2
		fi
		printf -v "$var" '%s' "$(realpath "${!var}")"
	done
}

# Makes $tmp, removed at exit, and moves into the empty $tmp/cwd: core
# files and the files cases write land in the current directory.  Paths
# given relative to where the script started must be made absolute first.
enter_scratch_dir() {
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir "$tmp/cwd"
	cd "$tmp/cwd" || exit 1
}

# show_file LABEL FILE: a captured file for a diagnostic, indented.
show_file() {
	echo "$1:"
	sed 's/^/    /' "$2"
}

# run COMMAND...: stdout and stderr captured in $tmp/out and $tmp/err, the
# exit status left in $rc.  A hung tracer must not hang the suite.
rc=0
run() {
	rc=0
	timeout -k 5 60 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
}

# check DESCRIPTION PREDICATE [ARG...]: ok if the predicate succeeds, else
# not ok with the exit status and the output of the last run.
check() {
	local what=$1
	shift
	if "$@"; then
		ok "$what"
	else
		not_ok "$what" "exit status $rc" "$(show_file stdout "$tmp/out")" \
			"$(show_file stderr "$tmp/err")"
	fi
}

# pid_of TRACE REGEX: the pid of the first exec in the JSON Lines trace
# whose argv, joined by spaces, the Python regex matches; nothing if none.
pid_of() {
	python3 -c '
import json, re, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    argv = [a if isinstance(a, str) else a["text"] for a in e.get("argv") or []]
    if e["event"] == "exec" and re.search(sys.argv[2], " ".join(argv)):
        print(e["pid"])
        break
' "$1" "$2"
}
