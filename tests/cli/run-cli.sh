#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Whole-program tests of the command line, as a user sees it: exit statuses,
# error messages, where output goes, and that tracing leaves the command's
# own behaviour alone.  Prints TAP.  Run by meson (suite cli) with
# PROCWATCH=<binary>; by hand:  PROCWATCH=build/procwatch tests/cli/run-cli.sh
#
# Cases that need ptrace are skipped, never passed, when a probe run shows
# ptrace is not permitted here (containers without CAP_SYS_PTRACE, Yama).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${PROCWATCH:?set PROCWATCH to the procwatch binary}"
PROCWATCH=$(realpath "$PROCWATCH")
# Optional (the tracee helpers, for the ptrace-refused cases); made absolute
# like PROCWATCH because the cases run in another directory.
PW_HELPER_DIR=${PW_HELPER_DIR:+$(realpath "$PW_HELPER_DIR")}

enter_scratch_dir

ptrace_skip=""

pw() {
	run "$PROCWATCH" "$@"
}

lines() {
	wc -l <"$1"
}

# A usage error: status 125, nothing on stdout, the message line naming
# $1 and the hint, and nothing else.
is_usage_error() {
	[[ $rc -eq 125 ]] &&
		[[ ! -s $tmp/out ]] &&
		[[ $(lines "$tmp/err") -eq 2 ]] &&
		head -n1 "$tmp/err" | grep -q -- "^procwatch: .*$1" &&
		[[ $(tail -n1 "$tmp/err") == "Try 'procwatch --help' for more information." ]]
}

# ---- options, without tracing anything ----

pw --frobnicate true
check "unknown option: 125, one error line naming it, one hint line" \
	is_usage_error "--frobnicate"

pw -o
check "missing option argument: 125, error and hint" is_usage_error "-o"

pw --format=xml true
check "unknown format: 125, error names the valid formats" \
	is_usage_error "xml.*timeline.*json"

pw
check "no command: 125, error and hint" is_usage_error "command"

pw --json
check "options but no command: 125, error and hint" is_usage_error "command"

pw --env=yes true
check "--env takes no argument: 125, error and hint" is_usage_error "--env.*doesn't allow an argument"

help_ok() {
	[[ $rc -eq 0 && ! -s $tmp/err ]] && grep -q -- "--json" "$tmp/out"
}
pw --help
check "--help exits 0, lists --json on stdout, nothing on stderr" help_ok

version_ok() {
	[[ $rc -eq 0 && $(lines "$tmp/out") -eq 1 ]] &&
		grep -qE '^procwatch [0-9]+\.[0-9]+\.[0-9]+' "$tmp/out"
}
pw --version
check "--version prints 'procwatch VERSION' and exits 0" version_ok

unwritable_ok() {
	[[ $rc -eq 125 && ! -s $tmp/out ]] &&
		grep -q '^procwatch: .*/nonexistent-dir/x' "$tmp/err"
}
pw -o /nonexistent-dir/x true
check "unwritable -o: 125 and a message naming the path" unwritable_ok

# A file that exists but cannot be opened for writing.  Not a read-only
# file: root may write those.  A directory: nobody may.
mkdir "$tmp/dir"
unwritable_dir_ok() {
	[[ $rc -eq 125 && ! -s $tmp/out && $(lines "$tmp/err") -eq 1 ]] &&
		grep -qF -- "$tmp/dir" "$tmp/err" && grep -q '^procwatch: ' "$tmp/err"
}
pw -o "$tmp/dir" true
check "-o naming a directory: 125 and one message line naming it" \
	unwritable_dir_ok

# ---- -k in a procwatch built without libunwind ----

# Refused before anything runs: 125, one line saying why, the command
# never started; without -k the same binary traces as usual.
nounwind_refused_ok() {
	[[ $rc -eq 125 && ! -s $tmp/out && $(lines "$tmp/err") -eq 1 ]] &&
		grep -q '^procwatch: -k: stack traces are unavailable: .*without libunwind' "$tmp/err" &&
		[[ ! -e $tmp/cwd/ran ]]
}
nounwind_traces_ok() {
	[[ $rc -eq 3 ]] && grep -q 'exited 3' "$tmp/err"
}
if [[ -z ${PROCWATCH_NOUNWIND:-} ]]; then
	skip "PROCWATCH_NOUNWIND is not set (run by meson)"
else
	run "$PROCWATCH_NOUNWIND" -k touch "$tmp/cwd/ran"
	check "-k without libunwind: 125, one line saying why, command not run" \
		nounwind_refused_ok
fi
case_nounwind_traces() {
	if [[ -z ${PROCWATCH_NOUNWIND:-} ]]; then
		skip "PROCWATCH_NOUNWIND is not set (run by meson)"
		return
	fi
	run "$PROCWATCH_NOUNWIND" sh -c 'exit 3'
	check "without libunwind, tracing without -k works" nounwind_traces_ok
}

# ---- ptrace refused: pw_deny_ptrace makes every ptrace call fail ----

# Whether a running process has the argument $1 (read from /proc).
runs_with_arg() {
	local f arg
	for f in /proc/[0-9]*/cmdline; do
		while IFS= read -r -d '' arg; do
			[[ $arg == "$1" ]] && return 0
		done 2>/dev/null <"$f"
	done
	return 1
}

ptrace_denied_ok() {
	[[ $rc -eq 125 && ! -s $tmp/out && $(lines "$tmp/err") -eq 1 ]] &&
		grep -q '^procwatch: ptrace not permitted' "$tmp/err" &&
		grep -q 'CAP_SYS_PTRACE' "$tmp/err"
}
# The command would create $tmp/ran; procwatch must give up before it runs
# and must not leave the child it forked behind.
never_ran() {
	[[ ! -e $tmp/ran ]] && ! runs_with_arg "$tmp/ran"
}
case_ptrace_denied() {
	local deny=${PW_HELPER_DIR:-}/pw_deny_ptrace why=""
	if [[ -z ${PW_HELPER_DIR:-} || ! -x $deny ]]; then
		why="no pw_deny_ptrace: set PW_HELPER_DIR (meson test does)"
	else
		# LeakSanitizer stops the world with ptrace, which this case denies.
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
			run "$deny" "$PROCWATCH" -o /dev/null touch "$tmp/ran"
		# The wrapper exits 99 when it cannot install its filter here.
		if [[ $rc -eq 99 ]] && grep -q '^helper: ' "$tmp/err"; then
			why="cannot deny ptrace here: $(head -n1 "$tmp/err")"
		fi
	fi
	if [[ -n $why ]]; then
		skip "$why"
		skip "$why"
		return
	fi
	check "ptrace not permitted: 125, one line on stderr naming CAP_SYS_PTRACE, nothing on stdout" \
		ptrace_denied_ok
	check "ptrace not permitted: the command never runs, no child left behind" \
		never_ran
}
case_ptrace_denied

# ---- tracing: needs ptrace ----

pw -o /dev/null true
if [[ $rc -eq 125 ]] && grep -qi ptrace "$tmp/err"; then
	ptrace_skip="ptrace not permitted: $(head -n1 "$tmp/err")"
fi

# Runs a ptrace-dependent case, or skips it when ptrace is not permitted.
traced() {
	if [[ -n $ptrace_skip ]]; then
		skip "$ptrace_skip"
		return
	fi
	"$@"
}

exit_is() {
	[[ $rc -eq $1 ]]
}

# Runs Python code on the JSON Lines trace in $tmp/trace (sys.argv[1]).
json_check() {
	python3 -c "$1" "$tmp/trace"
}

not_found_ok() {
	[[ $rc -eq 127 && $(lines "$tmp/err") -eq 1 ]] &&
		grep -qx 'procwatch: no-such-command-pw: command not found' "$tmp/err"
}
case_not_found() {
	pw -o "$tmp/trace" no-such-command-pw
	check "command not found: 127, one line 'procwatch: CMD: command not found'" \
		not_found_ok
}

cannot_execute_ok() {
	[[ $rc -eq 126 ]] && grep -q '^procwatch: .*noexec' "$tmp/err"
}
case_cannot_execute() {
	printf '#!/bin/sh\nexit 0\n' >"$tmp/noexec"
	chmod 644 "$tmp/noexec"
	pw -o "$tmp/trace" "$tmp/noexec"
	check "file without execute permission: 126, message names it" \
		cannot_execute_ok
}

# A command given by a path that cannot run is said in one line, with
# env(1)'s status, before anything is traced: no trace line at all.
bad_path_ok() { # STATUS MESSAGE
	[[ $rc -eq $1 && $(lines "$tmp/err") -eq 1 && ! -s $tmp/out && ! -s $tmp/trace ]] &&
		grep -qx "procwatch: $2" "$tmp/err"
}
case_bad_command_paths() {
	mkdir -p "$tmp/dir"
	printf 'data\n' >"$tmp/plain"
	ln -sf "$tmp/no-such-target" "$tmp/dangling"
	pw -o "$tmp/trace" "$tmp/dir"
	check "a directory as the command: 126, one line, no trace" \
		bad_path_ok 126 "$tmp/dir: Is a directory"
	pw -o "$tmp/trace" "$tmp/plain"
	check "a file that is not executable: 126, one line, no trace" \
		bad_path_ok 126 "$tmp/plain: Permission denied"
	pw -o "$tmp/trace" "$tmp/dangling"
	check "a dangling symlink as the command: 127, one line, no trace" \
		bad_path_ok 127 "$tmp/dangling: No such file or directory"
}
case_bad_command_paths

# After the command has ended, a signal to procwatch stops it: the processes
# the command left behind are killed (they cannot run on untraced under the
# filter) and recorded, and procwatch ends with the command's status.  The
# command exits only when told to (a line on a FIFO); SIGTERM is then sent
# until procwatch is gone.  The ones that land before procwatch has taken in
# the command's death are passed on to the command, which ignores them (its
# trap is set before it opens the FIFO, and writing "go" waits for that).
# Gone, or a zombie its new parent has yet to reap (kill -0 succeeds on those).
not_running() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
	[[ -z $state || $state == Z ]]
}
leftovers_stopped_ok() {
	[[ $rc -eq 7 ]] && grep -q '^procwatch: stopping' "$tmp/err" &&
		not_running "$(cat "$tmp/bgpid")" &&
		json_check '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
bg = int(open(sys.argv[1].rsplit("/", 1)[0] + "/bgpid").read())
killed = [e for e in ev if e["event"] == "exit" and e["pid"] == bg]
assert killed and killed[0].get("signal") == "SIGKILL", killed
assert ev[-1]["event"] == "end" and ev[-1]["status"]["code"] == 7'
}
case_leftovers_stopped() {
	local pwpid i
	rm -f "$tmp/go" "$tmp/bgpid"
	mkfifo "$tmp/go"
	# --foreground: timeout must pass SIGTERM to procwatch alone, not to
	# its whole process group (which would kill the leftover directly).
	timeout --foreground -k 5 60 "$PROCWATCH" --json -o "$tmp/trace" sh -c \
		'sleep 1000 >/dev/null 2>&1 </dev/null & echo $! >"$1"; trap "" TERM; read -r x <"$2"; exit 7' \
		sh "$tmp/bgpid" "$tmp/go" >"$tmp/out" 2>"$tmp/err" </dev/null &
	pwpid=$!
	echo go >"$tmp/go"
	for ((i = 0; i < 300; i++)); do
		kill -TERM "$pwpid" 2>/dev/null || break
		sleep 0.05
	done
	rc=0
	wait "$pwpid" || rc=$?
	check "after the command ended, SIGTERM kills what it left and ends procwatch" \
		leftovers_stopped_ok
}

# NO_NEW_PRIVS only when loading the filter needs it (seccomp(2): without
# CAP_SYS_ADMIN).  A root procwatch must leave it off, so setuid programs in
# the traced tree keep working; an unprivileged one must set it, or the
# filter would not load and nothing could be traced.
nnp_is() {
	[[ $rc -eq 0 ]] && grep -qx "NoNewPrivs:	$1" "$tmp/out"
}
case_no_new_privs() {
	local nnp_cmd="grep NoNewPrivs /proc/self/status"
	if [[ $(id -u) -ne 0 ]]; then
		pw -o /dev/null sh -c "$nnp_cmd"
		check "as an ordinary user the filter needs NO_NEW_PRIVS: set" nnp_is 1
		skip "not root: cannot check that a root procwatch leaves NO_NEW_PRIVS off"
		return
	fi
	pw -o /dev/null sh -c "$nnp_cmd"
	check "as root NO_NEW_PRIVS stays off (setuid programs keep working)" nnp_is 0
	if ! command -v setpriv >/dev/null ||
	   ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$PROCWATCH"; then
		skip "cannot run procwatch as uid 65534 here (setpriv, or a build dir it cannot reach)"
		return
	fi
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$PROCWATCH" -o /dev/null sh -c "$nnp_cmd"
	check "as uid 65534 the filter needs NO_NEW_PRIVS: set, and the command runs" nnp_is 1
}

# The timeline is written while the command runs, not at its end: read
# through a FIFO, the shell's exec line must arrive while the shell is still
# blocked waiting for the test to let it go.
case_timeline_is_live() {
	local pwpid line seen=no
	rm -f "$tmp/tl" "$tmp/go3"
	mkfifo "$tmp/tl" "$tmp/go3"
	timeout --foreground -k 5 60 "$PROCWATCH" --color=never -o "$tmp/tl" \
		sh -c 'read -r x <"$1"' sh "$tmp/go3" >"$tmp/out" 2>"$tmp/err" </dev/null &
	pwpid=$!
	exec {tl}<"$tmp/tl"
	while IFS= read -r -t 20 line <&"$tl"; do
		if [[ $line == *" exec sh -c "* ]]; then
			seen=yes
			break
		fi
	done
	echo go >"$tmp/go3"
	cat <&"$tl" >/dev/null
	exec {tl}<&-
	rc=0
	wait "$pwpid" || rc=$?
	check "the timeline shows the exec while the command still runs" \
		test "$seen/$rc" = yes/0
}

# 2000 children alive at once: every spawn, exit and reap in the timeline,
# every process once in the tree after it.  Reap lines only: on a loaded
# machine a child can be a zombie for over a second, and that warning
# ("... before 2801 reaped it") says reaped too.
many_timeline_ok() {
	[[ $rc -eq 0 ]] &&
		[[ $(grep -c 'fork → ' "$tmp/tl2") -eq 2000 ]] &&
		[[ $(grep -c 'wait4(.*) reaped ' "$tmp/tl2") -eq 2000 ]] &&
		[[ $(awk 'tree; /^$/ { tree = 1 }' "$tmp/tl2" | grep -c ' exited ') -eq 2001 ]]
}
case_many_children_timeline() {
	pw --color=never -o "$tmp/tl2" "$PW_HELPER_DIR/pw_many_children" 2000
	check "a 2000-child run: 2000 forks, 2000 reaps, 2001 processes in the tree" \
		many_timeline_ok
}

case_exit_status() {
	pw -o /dev/null sh -c 'exit 3'
	check "the command's exit status passes through (3)" exit_is 3
}

# A trace that cannot be written is said once, in one line naming the
# output and the error, whenever the format writes (as it goes, at the end
# event, at close); the command runs on untouched, and procwatch fails only
# if the command did not.
write_failed_ok() { # STATUS OUTPUT ERROR
	[[ $rc -eq $1 && $(lines "$tmp/err") -eq 1 ]] &&
		grep -qx 'still here' "$tmp/out" &&
		grep -q "^procwatch: writing $2 failed: $3; the trace is incomplete" "$tmp/err"
}
case_trace_write_fails() {
	local f
	for f in timeline tree json perfetto; do
		pw --format=$f -o /dev/full sh -c 'echo still here'
		check "$f to a full disk: one message naming it, the command runs, 125" \
			write_failed_ok 125 /dev/full 'No space left on device'
		pw --format=$f -o /dev/full sh -c 'echo still here; exit 4'
		check "$f to a full disk: the message, and a failing command keeps its status (4)" \
			write_failed_ok 4 /dev/full 'No space left on device'
	done
}

# A write that fails part-way: the file reaches RLIMIT_FSIZE (SIGXFSZ,
# which must not kill procwatch and with it the command), written up to
# the limit.  ulimit -f counts 1024-byte blocks in bash; the run's trace is
# several times that.
case_trace_file_too_large() {
	local f many='for i in 1 2 3 4 5 6 7 8 9 10; do /bin/true; done; echo still here'
	for f in json perfetto; do
		rm -f "$tmp/big"
		run bash -c 'ulimit -f 1 && exec "$@"' sh "$PROCWATCH" --format=$f \
			-o "$tmp/big" sh -c "$many"
		check "$f past RLIMIT_FSIZE: one message, 125, the command unharmed" \
			write_failed_ok 125 "$tmp/big" 'File too large'
		check "$f past RLIMIT_FSIZE: the file holds the trace up to the limit" \
			test "$(stat -c %s "$tmp/big")" -eq 1024
	done
	run bash -c 'ulimit -f 1 && exec "$@"' sh "$PROCWATCH" --json \
		-o "$tmp/big" sh -c "$many; exit 4"
	check "json past RLIMIT_FSIZE: a failing command keeps its status (4)" \
		write_failed_ok 4 "$tmp/big" 'File too large'
}

# The reader of the trace goes away mid-run: EPIPE, not a SIGPIPE death.
# The command waits (on the FIFO go) until the reader has read a byte and
# exited, then runs /bin/true, whose events find nobody to read them.
case_trace_reader_gone() {
	local f
	for f in json timeline; do
		rm -f "$tmp/pipe" "$tmp/go"
		mkfifo "$tmp/pipe" "$tmp/go"
		# Bounded: if procwatch failed early, nobody would open either FIFO.
		timeout -k 5 60 sh -c 'head -c1 <"$1" >/dev/null; echo go >"$2"' \
			sh "$tmp/pipe" "$tmp/go" &
		pw --format=$f -o "$tmp/pipe" sh -c 'read -r x <"$1"; /bin/true; echo still here' sh "$tmp/go"
		wait $! || true
		check "$f to a pipe whose reader left: one message (Broken pipe), 125" \
			write_failed_ok 125 "$tmp/pipe" 'Broken pipe'
	done
}

cwd_empty() {
	[[ -z $(ls -A) ]]
}
# procwatch must die by the command's signal, as a shell would see it, and
# not dump core itself.  The traced shell turns its own core dumps off, and
# procwatch is given a limit that would allow one, so a core file in the
# (empty) current directory can only be procwatch's.
case_killed_by() {
	local sig=$1 num
	num=$(kill -l "$sig")
	rc=0
	(
		ulimit -c unlimited 2>/dev/null || true
		exec timeout -k 5 60 "$PROCWATCH" -o /dev/null \
			sh -c "ulimit -c 0; kill -$sig \$\$"
	) >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
	check "command killed by SIG$sig: procwatch dies by it too (\$? = $((128 + num)))" \
		exit_is $((128 + num))
	check "no core file left in the current directory after SIG$sig" cwd_empty
	rm -f -- core*
}

stdout_untouched_ok() {
	[[ $rc -eq 0 ]] && cmp -s "$tmp/expected" "$tmp/out"
}
case_stdout_untouched() {
	env printf 'a\nb' >"$tmp/expected"
	pw -o /dev/null -- printf 'a\nb'
	check "the command's stdout is byte-identical, procwatch adds nothing to it" \
		stdout_untouched_ok
}

default_output_ok() {
	[[ $rc -eq 0 && ! -s $tmp/out && -s $tmp/err ]] && grep -q true "$tmp/err"
}
case_default_output_is_stderr() {
	pw true
	check "without -o the trace goes to stderr, stdout stays empty" \
		default_output_ok
}

output_dash_ok() {
	[[ $rc -eq 0 && ! -s $tmp/err && ! -e ./- ]] && grep -q "true exited 0" "$tmp/out"
}
case_output_dash() {
	pw -o - true
	check "-o -: the trace on standard output, no file named -" output_dash_ok
}

# A name that says JSON gets JSON: "-o t.jsonl" once held a timeline that
# show could not read back.  An explicit format wins.
jsonl_name_ok() {
	[[ $rc -eq 0 ]] && python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
assert evs[-1]["event"] == "end", evs[-1]
' "$tmp/t.jsonl" && grep -q "true exited 0" "$tmp/t.json"
}
case_jsonl_name() {
	pw -o "$tmp/t.jsonl" true &&
		pw --format=timeline -o "$tmp/t.json" true
	check "-o FILE.jsonl without --format: JSON Lines; --format=timeline -o FILE.json: a timeline" \
		jsonl_name_ok
}

command_options_ok() {
	[[ $rc -eq 0 && -s $tmp/out ]] && json_check '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
want = ["ls", "-l", "/"]
assert evs[0]["event"] == "trace" and evs[0]["argv"] == want, evs[0]
assert evs[1]["event"] == "start" and evs[1]["argv"] == want, evs[1]
assert any(e["event"] == "exec" and e.get("argv") == want for e in evs), evs
'
}
case_command_options() {
	pw --json -o "$tmp/trace" ls -l /
	check "'procwatch ls -l /' runs ls with its own -l" command_options_ok
}

json_lines_ok() {
	[[ $rc -eq 0 && -s $tmp/trace && ! -s $tmp/out ]] && json_check '
import json, sys
[json.loads(l) for l in open(sys.argv[1])]
'
}
case_json_lines() {
	pw --json -o "$tmp/trace" sh -c 'true; /bin/true'
	check "--json -o FILE: a non-empty file, every line parses as JSON" \
		json_lines_ok
}

# --format=perfetto: one JSON document (not JSON Lines), written at the
# end, whose process tracks are named "PID COMMAND".
perfetto_ok() {
	[[ $rc -eq 0 ]] && json_check '
import json, sys
doc = json.load(open(sys.argv[1]))
names = {e["args"]["name"].split(" ", 1)[1] for e in doc["traceEvents"]
         if e["ph"] == "M" and e["name"] == "process_name"}
sys.exit(not {"sh", "ls", "wc"} <= names)
'
}
case_perfetto() {
	pw --format=perfetto -o "$tmp/trace" sh -c 'ls / | wc -l'
	check "--format=perfetto -o FILE: one JSON document naming sh, ls and wc" \
		perfetto_ok
}

# Warnings are on by default and counted by --summary; --no-warnings
# removes both.  Descriptor 5 leaks into /bin/true on purpose.
warnings_ok() {
	[[ $rc -eq 0 ]] &&
		grep -q '⚠ inherited .*5 → /dev/null' "$tmp/trace" &&
		grep -q '^warnings: .*fd-leak' "$tmp/trace" &&
		pw --summary --no-warnings -o "$tmp/trace2" sh -c 'exec 5</dev/null; /bin/true' &&
		[[ $rc -eq 0 ]] &&
		! grep -q '⚠\|^warnings:' "$tmp/trace2"
}
case_warnings() {
	pw --summary -o "$tmp/trace" sh -c 'exec 5</dev/null; /bin/true'
	check "a leaked descriptor gives a warning and a count; --no-warnings neither" \
		warnings_ok
}

# procwatch under a tracer that follows forks (here another procwatch):
# the inner one's child is the outer one's tracee before it can be seized,
# and the message must say so, naming the tracer, not blame Yama.
already_traced_ok() {
	[[ $rc -eq 125 ]] && [[ $(lines "$tmp/err") -eq 1 ]] &&
		grep -Eq '^procwatch: cannot trace the command: it is already traced by process [0-9]+ \(procwatch\)' "$tmp/err" &&
		! grep -qi 'yama\|container' "$tmp/err"
}

case_already_traced() {
	# LeakSanitizer stops the world with ptrace, which a tracee cannot.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		pw -o /dev/null "$PROCWATCH" -o /dev/null true
	check "under another tracer: 125, one line naming the tracer" already_traced_ok
}

# -p on another user's process without CAP_SYS_PTRACE: the kernel's own
# credential rule refused it, whatever Yama says (here said to be 1, the
# default of many distributions), and the line says so.
other_user_ok() {
	[[ $rc -eq 125 && $(wc -l <"$tmp/err") -eq 1 ]] &&
		grep -q "^procwatch: -p [0-9]*: not permitted: it runs as another user" "$tmp/err"
}
case_attach_other_user() {
	local victim
	if [[ $(id -u) -ne 0 ]] || ! command -v setpriv >/dev/null ||
	   ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$PROCWATCH"; then
		skip "needs root and setpriv to run procwatch as uid 65534 against root's process"
		return
	fi
	sleep 600 </dev/null >/dev/null 2>&1 &
	victim=$!
	run env PROCWATCH_TEST_YAMA_SCOPE=1 \
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$PROCWATCH" --json -o /dev/null -p "$victim"
	kill "$victim"
	wait "$victim" 2>/dev/null || true
	check "-p on another user's process: 125, the credentials named, not Yama" other_user_ok
}

# Reaps inside a pid namespace are matched (tests/helpers/pw_pidns.c): no
# "unreaped" warning, and the exit codes counted are the five children's
# (11 to 15), not those of processes whose ids were taken for theirs.
pidns_ok() {
	[[ $rc -eq 0 ]] && grep -q '^warnings: ' "$tmp/trace" &&
		! grep -Eq 'unreaped|not reaped|[ (]ns:[0-9]' "$tmp/trace" &&
		grep -q ' 5 non-zero exits' "$tmp/trace"
}

case_pidns() {
	[[ -n $PW_HELPER_DIR ]] || { skip "PW_HELPER_DIR not set"; return; }
	"$PW_HELPER_DIR/pw_pidns" 3>/dev/null >/dev/null 2>&1 && local can=1 || local can=0
	if [[ $can == 0 ]]; then
		skip "this machine cannot make a pid namespace"
		return
	fi
	pw --summary -o "$tmp/trace" "$PW_HELPER_DIR/pw_pidns"
	check "a pid namespace's reaps are matched: no false warnings" pidns_ok
}

# --env records each exec's environment and changes nothing the command sees.
env_ok() {
	[[ $rc -eq 5 && $(cat "$tmp/out") == hi ]] && json_check '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
execs = [e for e in evs if e["event"] == "exec"]
sys.exit(not (len(execs) == 2 and execs[0]["env"]["whole"] and "check" in execs[1]["env"]
              and "PW_CLI_VAR=x y" in execs[1]["env"]["set"]))
'
}
case_env() {
	pw --env --json -o "$tmp/trace" sh -c 'echo hi; PW_CLI_VAR="x y" /bin/sh -c "exit 5"'
	check "--env: the same output and status, each exec with its environment" env_ok
}

# The filter only decides where the tracee stops; the trace must not change.
case_no_seccomp_same_trace() {
	local kinds='
import collections, json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
print(sorted(collections.Counter(e["event"] for e in evs).items()))
'
	local with without what
	what="--no-seccomp gives the same event kinds and counts as the filter"
	pw --json -o "$tmp/trace" sh -c 'true; /bin/true'
	with=$(json_check "$kinds" 2>&1) || with="unreadable trace (exit $rc): $with"
	pw --json --no-seccomp -o "$tmp/trace" sh -c 'true; /bin/true'
	without=$(json_check "$kinds" 2>&1) || without="unreadable trace (exit $rc): $without"
	if [[ $rc -eq 0 && $with == "$without" && $with == *exec* ]]; then
		ok "$what"
	else
		not_ok "$what" "with the filter: $with" "with --no-seccomp: $without"
	fi
}

# Colour only where a person sees it: a terminal without NO_COLOR, or when
# asked.  script(1) gives procwatch a terminal as its stderr.
has_esc() {
	grep -q $'\033' "$1"
}
case_color() {
	pw -o "$tmp/trace" sh -c 'exit 2'
	if [[ $rc -eq 2 ]] && ! has_esc "$tmp/trace"; then
		ok "no colour in a file by default"
	else
		not_ok "no colour in a file by default" "$(show_file trace "$tmp/trace")"
	fi
	pw --color=always -o "$tmp/trace" sh -c 'exit 2'
	if [[ $rc -eq 2 ]] && has_esc "$tmp/trace"; then
		ok "--color=always colours a file"
	else
		not_ok "--color=always colours a file" "$(show_file trace "$tmp/trace")"
	fi
	if ! command -v script >/dev/null; then
		skip "script(1) is not installed: no terminal to test colour on"
		skip "script(1) is not installed: no terminal to test colour on"
		skip "script(1) is not installed: no terminal to test colour on"
		return
	fi
	env -u NO_COLOR TERM=xterm script -qec "'$PROCWATCH' sh -c 'exit 2'" /dev/null >"$tmp/tty" </dev/null || true
	if has_esc "$tmp/tty"; then
		ok "colour on a terminal by default"
	else
		not_ok "colour on a terminal by default" "$(show_file output "$tmp/tty")"
	fi
	NO_COLOR=1 script -qec "'$PROCWATCH' sh -c 'exit 2'" /dev/null >"$tmp/tty" </dev/null || true
	if grep -q 'exited 2' "$tmp/tty" && ! has_esc "$tmp/tty"; then
		ok "no colour on a terminal with NO_COLOR set"
	else
		not_ok "no colour on a terminal with NO_COLOR set" "$(show_file output "$tmp/tty")"
	fi
	env -u NO_COLOR TERM=dumb script -qec "'$PROCWATCH' sh -c 'exit 2'" /dev/null >"$tmp/tty" </dev/null || true
	if grep -q 'exited 2' "$tmp/tty" && ! has_esc "$tmp/tty"; then
		ok "no colour on a terminal that says TERM=dumb"
	else
		not_ok "no colour on a terminal that says TERM=dumb" "$(show_file output "$tmp/tty")"
	fi
}

traced case_not_found
traced case_cannot_execute
traced case_exit_status
traced case_nounwind_traces
traced case_timeline_is_live
traced case_many_children_timeline
traced case_no_new_privs
traced case_trace_write_fails
traced case_trace_file_too_large
traced case_trace_reader_gone
traced case_leftovers_stopped
for sig in SEGV TERM; do
	if [[ -n $ptrace_skip ]]; then
		skip "$ptrace_skip"
		skip "$ptrace_skip"
	else
		case_killed_by "$sig"
	fi
done
traced case_stdout_untouched
traced case_default_output_is_stderr
traced case_output_dash
traced case_jsonl_name
traced case_command_options
traced case_json_lines
traced case_perfetto
traced case_no_seccomp_same_trace
traced case_env
traced case_warnings
traced case_pidns
traced case_already_traced
traced case_attach_other_user
if [[ -n $ptrace_skip ]]; then
	for _ in 1 2 3 4 5; do skip "$ptrace_skip"; done
else
	case_color
fi

plan
