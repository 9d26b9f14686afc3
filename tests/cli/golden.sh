#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Golden tests of the timeline and tree: runs procwatch --time=none
# --color=never on helper scenarios and compares what it wrote with
# tests/cli/golden/NAME.txt after normalising what varies from run to run:
# pids become P1, P2, ... in order of appearance, durations become <dur>,
# the helper directory becomes $HELPERS.  Prints TAP.  Run by meson (suite
# cli); by hand, PW_GOLDEN_UPDATE=1 rewrites the golden files:
#   PROCWATCH=build/procwatch PW_HELPER_DIR=build/tests tests/cli/golden.sh
#
# Scenarios are chosen so that the kernel cannot reorder their events:
# each process waits for its child before doing anything else traced, and
# where children run at once (a pipeline, threads) only the tree, which is
# in spawn order, is compared.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${PROCWATCH:?set PROCWATCH to the procwatch binary}"
: "${PW_HELPER_DIR:?set PW_HELPER_DIR to the directory of the test helpers}"
PROCWATCH=$(realpath "$PROCWATCH")
PW_HELPER_DIR=$(realpath "$PW_HELPER_DIR")
golden_dir=$(dirname "$(realpath "$0")")/golden

enter_scratch_dir
export LC_ALL=C.UTF-8
# A fixed PATH: the paths an exec search tries are part of the output.
export PATH=/usr/local/bin:/usr/bin:/bin

# Pids (numbers of 300 and up: the kernel hands out smaller ones only at
# boot) to P1, P2, ...; durations (a warning's "1.203 s" too, and CPU
# times) to <dur>; memory sizes ("peak 1.8 MiB") to <mem>; the helper
# directory to $HELPERS; the scratch directory the commands run in to
# $CWD; mkdtemp's six random characters to XXXXXX; the --summary lists of
# the slowest and biggest sorted.
normalise() {
	perl -CSD -pe '
		use utf8;
		BEGIN { $dir = shift @ARGV; $cwd = shift @ARGV; }
		s/\Q$dir\E/\$HELPERS/g;
		s/\Q$cwd\E/\$CWD/g;
		s{(/tmp/[\w-]+\.)[A-Za-z0-9]{6}\b}{${1}XXXXXX}g;
		# Seconds with microseconds, CPU and memory: --format=processes.
		s/\b\d+\.\d{6}\b/<t>/g;
		s/"(user_us|system_us|peak_rss_kib)":(?:\d+|null)/"$1":<n>/g;
		s/\b\d+m\d\ds\b/<dur>/g;
		s/\b\d+\.\d{3} s\b/<dur>/g;
		s/\b\d+(?:\.\d+)?(?:µs|ms|s)\b/<dur>/g;
		s/\b\d+(?:\.\d+)? [KMGTPE]iB\b/<mem>/g;
		s{\b(\d{3,})\b}{$1 >= 300 ? ($p{$1} //= "P" . ++$n) : $1}ge;
		# Lifetimes, CPU times and sizes vary, so the order of the lists does too.
		$_ = "$1: " . join(", ", sort split /, /, $2) . "\n"
			if /^(slowest|slowest by CPU|biggest by memory): (.*)$/;
	' "$PW_HELPER_DIR" "$PWD"
}

# The timeline of a scenario whose processes run at the same time: each
# process's lines in their own order (stable sort by the first [Pn]), the
# tree after the blank line as it is.  A note line (a warning, an --explain
# line) stays glued under the event line it belongs to.  With PW_SORT_ALL=1 each process's
# lines are sorted too: a shell reaps its pipeline in the order the
# commands happen to end.
by_process() {
	perl -CSD -e '
		my (@tl, $tree);
		while (<STDIN>) {
			if (!defined $tree && /^$/) { $tree = $_; next; }
			if (defined $tree) { $tree .= $_; }
			elsif (@tl && /^[│ ]*(?:⚠|#) /) { $tl[-1] .= $_; }
			# A folded line'"'"'s continuation (--width): guides, then no pid.
			elsif (@tl && /^(?>[│ ]+)(?!├─|\[)/) { $tl[-1] .= $_; }
			else { push @tl, $_; }
		}
		my %key = map { $_ => (/\[P(\d+)/ ? $1 : 0) } @tl;
		my $all = $ENV{PW_SORT_ALL};
		print sort { $key{$a} <=> $key{$b} || ($all ? $a cmp $b : 0) } @tl;
		print $tree if defined $tree;
	'
}

# Runs a command with no descriptor above 2 open: whatever started this
# script (a terminal, meson, CI) may have left some open, and procwatch
# reports descriptors the traced command inherits (fd-leak warnings).
run_closed() {
	(
		local f fd
		for f in /proc/$BASHPID/fd/*; do
			fd=${f##*/}
			if ((fd > 2)); then
				eval "exec $fd>&-"
			fi
		done
		exec "$@"
	)
}

# A probe: without ptrace every case would fail for the same reason.
if ! timeout -k 5 30 "$PROCWATCH" -o /dev/null true 2>"$tmp/probe"; then
	plan 1
	skip "ptrace is not permitted here: $(head -n1 "$tmp/probe")"
	exit 0
fi

# Tracing options for the next scenarios, live and recorded alike.
trace_opts=()

# golden [--by-process|--sorted] NAME PROCWATCH-ARGS... -- COMMAND...
golden() {
	local order=cat
	export PW_SORT_ALL=0
	if [[ $1 == --by-process ]]; then
		order=by_process
		shift
	elif [[ $1 == --sorted ]]; then
		order=by_process
		PW_SORT_ALL=1
		shift
	fi
	local name=$1 want=$golden_dir/$1.txt
	shift
	run_closed timeout -k 5 60 "$PROCWATCH" "${trace_opts[@]}" --time=none --color=never \
		-o "$tmp/raw" "$@" \
		>/dev/null 2>&1 </dev/null || true
	normalise <"$tmp/raw" | $order >"$tmp/got"
	compare "$name" "$want"
	replayed "$name" "$want" "$order" "$@"
}

# steady_trace: $tmp/trace with what varies from run to run made fixed,
# in place: each event 100µs after the one before, pids from 1001 up in
# order of appearance (4 digits each), CPU times and peak memory fixed
# numbers, the helper directory /h and the scratch directory /cwd.
steady_trace() {
	perl -pi -e '
		BEGIN { $dir = shift @ARGV; $cwd = shift @ARGV; }
		s/\Q$dir\E/\/h/g;
		s/\Q$cwd\E/\/cwd/g;
		s/"t":[\d.]+/sprintf(q{"t":%.6f}, $. \/ 10000)/e;
		s/"(wall_clock_us)":\d+/"$1":1700000000000000/;
		s/"(user_us|system_us)":\d+/"$1":600/g;
		s/"peak_rss_kib":\d+/"peak_rss_kib":1800/g;
		s/\b(\d{3,})\b/$1 >= 300 ? ($p{$1} \/\/= 1000 + ++$n) : $1/ge;
	' "$PW_HELPER_DIR" "$PWD" "$tmp/trace"
}

# golden_80 [--sorted] NAME VIEW-ARGS... -- COMMAND...: the view of the
# command's steady trace at --width=80, normalised as golden's, and every
# line of it within 80 columns.
golden_80() {
	local order=cat
	export PW_SORT_ALL=0
	if [[ $1 == --sorted ]]; then
		order=by_process
		PW_SORT_ALL=1
		shift
	fi
	local name=$1
	shift
	split_view "$@"
	record "${cmd[@]}"
	steady_trace
	show_recorded "$order" --width=80 "${view[@]}"
	compare "$name" "$golden_dir/$name.txt"
	fits "$name" 80
}

# fits NAME COLUMNS: every line procwatch wrote ($tmp/raw, not normalised:
# a pid is longer than P1) is at most COLUMNS characters wide.
fits() {
	local long
	long=$(perl -CSD -ne 'chomp; print "$.: ", length, ": $_\n" if length > '"$2" "$tmp/raw")
	if [[ -z $long ]]; then
		ok "$1 (every line within $2 columns)"
	else
		not_ok "$1 (every line within $2 columns)" "$long"
	fi
}

# split_view VIEW-ARGS... -- COMMAND...: sets view and cmd to the two parts.
split_view() {
	view=()
	while [[ $1 != -- ]]; do
		view+=("$1")
		shift
	done
	shift
	cmd=("$@")
}

# record COMMAND...: its JSON Lines trace in $tmp/trace.
record() {
	run_closed timeout -k 5 60 "$PROCWATCH" "${trace_opts[@]}" --json -o "$tmp/trace" -- "$@" \
		>/dev/null 2>&1 </dev/null || true
}

# show_recorded ORDER SHOW-ARGS...: 'procwatch show SHOW-ARGS' of
# $tmp/trace into $tmp/got, normalised and put in ORDER, its messages after.
show_recorded() {
	local order=$1
	shift
	timeout -k 5 60 "$PROCWATCH" show --time=none --color=never -o "$tmp/raw" \
		"$@" "$tmp/trace" >/dev/null 2>"$tmp/show-err" </dev/null || true
	normalise <"$tmp/raw" | $order >"$tmp/got"
	cat "$tmp/show-err" >>"$tmp/got"
}

# The same scenario recorded with --json and shown by 'procwatch show' with
# the same view options must give the same golden file: the replayed view of
# a run is the live one.
replayed() {
	local name=$1 want=$2 order=$3
	shift 3
	split_view "$@"
	record "${cmd[@]}"
	show_recorded "$order" "${view[@]}"
	PW_GOLDEN_UPDATE=0 compare "$name (replayed by procwatch show)" "$want"
}

# golden_pid NAME ARGV-REGEX VIEW-ARGS... -- COMMAND...: --pid cannot name
# a pid before the run, so it is checked replayed: the command is recorded,
# and 'procwatch show --pid' gets the pid of the first exec whose argv,
# joined by spaces, the Python regex ARGV-REGEX matches (pid_of, tap.sh).
golden_pid() {
	local name=$1 regex=$2
	shift 2
	split_view "$@"
	record "${cmd[@]}"
	show_recorded cat --pid="$(pid_of "$tmp/trace" "$regex")" "${view[@]}"
	compare "$name (replayed with --pid)" "$golden_dir/$name.txt"
}

# compare NAME WANT: $tmp/got against the golden file (or into it).
compare() {
	local name=$1 want=$2
	if [[ ${PW_GOLDEN_UPDATE:-0} == 1 ]]; then
		cp "$tmp/got" "$want"
		ok "$name (golden file written)"
	elif [[ ! -f $want ]]; then
		not_ok "$name" "no golden file $want"
	elif diff -u "$want" "$tmp/got" >"$tmp/diff"; then
		ok "$name"
	else
		not_ok "$name" "$(cat "$tmp/diff")"
	fi
}

h=$PW_HELPER_DIR
plan 71
golden pipeline-tree --format=tree --summary -- sh -c 'printf "a\nb\n" | sort | wc -l'
golden --sorted pipeline -- sh -c 'printf "a\nb\n" | sort | wc -l'
golden fork-tree -- "$h/pw_fork_tree"
golden fork-tree-explain --explain -- "$h/pw_fork_tree"
golden --by-process vfork -- "$h/pw_vfork"
golden --by-process posix-spawn -- "$h/pw_posix_spawn"
golden threads-tree --format=tree --threads --summary -- "$h/pw_threads"
golden thread-exec -- "$h/pw_thread_exec"
golden daemon --format=tree -- "$h/pw_daemon"
golden --by-process daemon-timeline -- "$h/pw_daemon"
golden exec-fail -- "$h/pw_exec_fail"
golden shell-loop -- sh -c 'for i in 1 2 3; do /bin/true "$i"; done'
golden segv -- sh -c "$h/pw_exit_code signal SIGSEGV; echo \$?"
# A script, run by its #! interpreter; an exec in another directory.
printf '#!/bin/sh\nexit 0\n' >script.sh
chmod +x script.sh
golden exec-notes -- sh -c 'cd /; /bin/true; cd "$OLDPWD"; ./script.sh'
golden fd-leak -- sh -c 'exec 5</dev/null; /bin/true; /bin/true 2'
golden thread-fork -- "$h/pw_thread_fork"
golden zombie -- "$h/pw_zombie_warn" zombie
golden unreaped -- "$h/pw_zombie_warn" unreaped
# The command's own CLONE_PARENT child: procwatch is its parent and reaps it.
golden clone-parent --format=tree -- "$h/pw_clone_parent"
# execveat(AT_EXECVE_CHECK) checks and executes nothing (Linux 6.14).
if "$h/pw_exec_check" >/dev/null 2>&1 3>&-; then
	golden exec-check -- "$h/pw_exec_check"
else
	skip "exec-check: the kernel has no AT_EXECVE_CHECK (Linux 6.14)"
	skip "exec-check (replayed): the kernel has no AT_EXECVE_CHECK"
fi
golden path-search --argv-max=4 -- env PATH=/nonexistent:/usr/bin sh -c 'exec true 1 2 3 4 5 6'
# One JSON object per process, in the order they end.
golden processes-fork-tree --format=processes -- "$h/pw_fork_tree"
golden processes-exec-fail --format=processes -- "$h/pw_exec_fail"
golden processes-path-search --format=processes -- env PATH=/nonexistent:/usr/bin sh -c 'exec true 1 2'
golden processes-segv --format=processes -- sh -c "$h/pw_exit_code signal SIGSEGV; echo \$?"
# Filters: a shell that runs two shells, each running /bin/true, one after
# the other.  --match shows a process and its ancestors (and, live, a line
# naming those whose lines were held back), --depth the top levels, and
# together they meet; --pid a subtree, with the counts of what is shown.
nested=(sh -c 'sh -c "/bin/true one; /bin/true two"; sh -c "/bin/true three; exit 3"; /bin/true four')
golden filter-match --match '^/bin/true three$' -- "${nested[@]}"
golden filter-depth --depth=1 -- "${nested[@]}"
golden filter-match-depth --format=tree --summary --match 'true t' --depth=1 -- "${nested[@]}"
golden_pid filter-pid '^sh -c /bin/true three' --summary -- "${nested[@]}"
# At 80 columns, as on a terminal that wide: long lines folded under their
# guides.  Where a line folds depends on how wide its pids and times are,
# so these run replayed, from a trace whose pids, times, CPU and memory
# are made the same on every run (steady_trace); every line written must
# fit in 80 columns.  The README's first example, a warning, --explain,
# a fork chain 100 deep (the guides collapse around a depth mark) and 200
# like children (one tree line).
golden_80 --sorted pipeline-80 -- sh -c 'printf "a\nb\n" | sort | wc -l; exit 3'
golden_80 fd-leak-80 -- sh -c 'exec 5</dev/null; /bin/true; /bin/true 2'
golden_80 fork-tree-explain-80 --explain -- "$h/pw_fork_tree"
golden_80 deep-chain-80 -- "$h/pw_fork_chain" 100
golden_80 fan-out-80 --format=tree -- "$h/pw_many_children" 200 same
# -v: every flag of every spawn, every exec's path.
golden fork-tree-verbose --verbose -- "$h/pw_fork_tree"
# --env: a failure's command line to run it again, under its exit.
trace_opts=(--env)
golden env -- "$h/pw_env"
trace_opts=()
