#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tracees that turn on procwatch, and output paths another user controls:
# procwatch often runs as root over a build it does not trust.
# Each case runs a helper of tests/helpers/ under procwatch for real, or
# procwatch -o into a directory set up as an attacker would.  Prints TAP.
# Run by meson (suite cli) with PROCWATCH and PW_HELPER_DIR; by hand:
#   PROCWATCH=build/procwatch PW_HELPER_DIR=build/tests tests/cli/hostile-tracee.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${PROCWATCH:?set PROCWATCH to the procwatch binary}"
: "${PW_HELPER_DIR:?set PW_HELPER_DIR to the directory of the helpers}"
PROCWATCH=$(realpath "$PROCWATCH")
PW_HELPER_DIR=$(realpath "$PW_HELPER_DIR")
H=$PW_HELPER_DIR

enter_scratch_dir

pw() {
	run "$PROCWATCH" "$@"
}

# Cases that trace need ptrace: skipped, with the reason, when not permitted.
ptrace_why=""
pw -o /dev/null true
if [[ $rc -ne 0 ]]; then
	ptrace_why="procwatch cannot trace here: $(head -n1 "$tmp/err")"
fi

# ---- item 10: signals a tracee sends to procwatch ----

ended_with_7() {
	[[ $rc -eq 7 ]] && grep -q '"event":"end"' "$tmp/trace" &&
		[[ $(grep -c '"kind":"fork"' "$tmp/trace") -eq 1 ]]
}
for sig in USR1 USR2 ALRM VTALRM PROF IO PWR XCPU SYS SEGV BUS ABRT TRAP RTMIN RTMAX; do
	if [[ -n $ptrace_why ]]; then
		skip "$ptrace_why"
		continue
	fi
	num=$(kill -l "$sig")
	pw --json -o "$tmp/trace" "$H/pw_hostile_signal" kill "$num"
	check "a tracee sends SIG$sig to procwatch: ignored, the command ends with its own status" \
		ended_with_7
done

# The tracee runs as procwatch's user; as root, both become nobody.
as_user=()
if [[ $(id -u) -eq 0 ]]; then
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
attach_refused() {
	[[ $rc -eq 0 ]] && grep -qx 'attach: refused' "$tmp/out" &&
		grep -qx 'proc owner: root' "$tmp/out"
}
if [[ -n $ptrace_why ]]; then
	skip "$ptrace_why"
elif [[ ${#as_user[@]} -gt 0 ]] && ! command -v setpriv >/dev/null; then
	skip "running as root and no setpriv(1) to become another user"
else
	run "${as_user[@]}" "$PROCWATCH" -o /dev/null "$H/pw_hostile_signal" attach
	check "a tracee cannot ptrace procwatch: not dumpable, /proc/PID/environ is root's" \
		attach_refused
fi

# ---- item 7: -k opens the files a tracee maps ----

# The trace of pw_hostile_maps: it ended, and the fork has a stack.  As
# root (/proc/PID/map_files may be followed) its frames are named.
maps_ok() {
	[[ $rc -eq 0 ]] && grep -qx forked "$tmp/out" &&
		grep -q '"event":"end"' "$tmp/trace" &&
		grep '"kind":"fork"' "$tmp/trace" | grep -q '"stack":\[{' || return 1
	[[ $(id -u) -ne 0 ]] ||
		grep '"kind":"fork"' "$tmp/trace" | grep -q '"fn":"stage2"'
}
for trap in fifo link; do
	if [[ -n $ptrace_why ]]; then
		skip "$ptrace_why"
		continue
	fi
	if ! "$PROCWATCH" -k -o /dev/null true 2>/dev/null; then
		skip "this procwatch has no -k (built without libunwind)"
		continue
	fi
	rm -rf "$tmp/maps"
	mkdir "$tmp/maps"
	# The timeout of run() only detects a hang; nothing waits for it.
	pw -k --json -o "$tmp/trace" "$H/pw_hostile_maps" "$trap" "$tmp/maps"
	check "-k: code mapped from a deleted file whose name is now a $trap: no hang, stack taken" \
		maps_ok
done

# ---- item 8: a child made with CLONE_UNTRACED ----

# Every view says the child was made, and that it was not followed.
untraced_ok() {
	local child
	child=$(sed -n 's/^untraced \([0-9]*\)$/\1/p' "$tmp/out")
	[[ $rc -eq 3 && -n $child ]] || return 1
	"$PROCWATCH" show --color=never "$tmp/trace" >"$tmp/views"
	"$PROCWATCH" show --format=processes "$tmp/trace" >"$tmp/procs"
	"$PROCWATCH" show --format=perfetto "$tmp/trace" >"$tmp/perfetto"
	# It exits 1: the child was killed, a failure.
	"$PROCWATCH" show --failed "$tmp/trace" >"$tmp/failed" || true
	# jq 1.6's -e looks at the last input only: grep says whether any matched.
	jq -c --argjson c "$child" 'select(.event == "spawn" and .result == $c and
		.followed == false)' "$tmp/trace" | grep -q . &&
		grep -q "clone → $child not followed (CLONE_UNTRACED)" "$tmp/views" &&
		grep -q "└─ $child (pw_untraced)  not followed (CLONE_UNTRACED), reaped: killed by SIGTERM" "$tmp/views" &&
		jq -c --argjson c "$child" 'select(.pid == $c and .followed == false)' \
			"$tmp/procs" | grep -q . &&
		grep -q '"followed":"no (CLONE_UNTRACED)"' "$tmp/perfetto" &&
		grep -q "^$child .*(not followed: CLONE_UNTRACED)" "$tmp/failed"
}
for mode in "" --no-seccomp; do
	if [[ -n $ptrace_why ]]; then
		skip "$ptrace_why"
		continue
	fi
	pw $mode --json -o "$tmp/trace" "$H/pw_untraced"
	check "a CLONE_UNTRACED child${mode:+ ($mode)}: recorded, marked not followed in every view" \
		untraced_ok
done

# ---- item 9: argv rewritten by another thread while execve runs ----

# What each new image printed it got, against what the trace says it got.
race_ok() {
	local recorded
	recorded=$(jq -r 'select(.event == "exec" and .result == 0 and
		(.argv | length) == 4) | "got \(.argv[3])"' "$tmp/trace")
	[[ $rc -eq 0 && $(grep -c '^got ' "$tmp/out") -eq 20 &&
		$recorded == "$(cat "$tmp/out")" ]]
}
if [[ -n $ptrace_why ]]; then
	skip "$ptrace_why"
else
	pw --json -o "$tmp/trace" "$H/pw_exec_race" 20
	check "exec racing a thread that rewrites argv: the trace has the argv each new image got" \
		race_ok
fi

# ---- item 11: children nobody in the trace reaps ----

# PROCWATCH_STATS says how big the table of dead, unreaped children grew.
stat_of() {
	sed -n "s/.* $1=\([0-9]*\).*/\1/p" "$tmp/err"
}
zombies_bounded() {
	local peak dropped
	peak=$(stat_of zombies-peak)
	dropped=$(stat_of zombies-dropped)
	[[ $rc -eq 0 && -n $peak && -n $dropped ]] &&
		((peak <= 1024 && dropped >= 3000 - 1024))
}
if [[ -n $ptrace_why ]]; then
	skip "$ptrace_why"
else
	PROCWATCH_STATS=1 pw --json -o /dev/null "$H/pw_nocldwait" 3000
	check "3000 children of a parent ignoring SIGCHLD: at most 1024 kept for a wait that never comes" \
		zombies_bounded
fi

# ---- item 12: what the views keep of big command lines ----

# procwatch's own peak RSS (tests/bench/pw_peak_rss.c), in KiB.
peak_kib() {
	"$H/bench/pw_peak_rss" "$PROCWATCH" "$@" 2>&1 >/dev/null |
		sed -n 's/.*vmhwm_kib=\([0-9]*\).*/\1/p'
}
# 50 execs with 1 MB of argv each: what the timeline and tree keep of
# them is the elided argv they print, not 50 MB.
argv_bounded() {
	[[ -n $json && -n $kib ]] && ((kib < json + 16 * 1024))
}
peak_why=$ptrace_why
if [[ -z $peak_why && ! -x $H/bench/pw_peak_rss ]]; then
	peak_why="no $H/bench/pw_peak_rss"
elif [[ -z $peak_why ]] && ldd "$PROCWATCH" | grep -q libasan; then
	peak_why="peak RSS under AddressSanitizer measures its quarantine"
fi
for fmt in timeline tree; do
	if [[ -n $peak_why ]]; then
		skip "$peak_why"
		continue
	fi
	json=$(peak_kib --json -o /dev/null "$H/pw_big_selfexec" 50)
	kib=$(peak_kib --format=$fmt -o /dev/null "$H/pw_big_selfexec" 50)
	rc=0
	echo "peak RSS: --json $json KiB, --format=$fmt $kib KiB" >"$tmp/err"
	check "--format=$fmt over 50 execs of 1 MB of argv: peak RSS within 16 MiB of --json's" \
		argv_bounded
done

# ---- item 13: -o into a sticky directory others can write to ----

# Only root can give a file to another user; CI runs as root.
sticky_case() {
	local what=$1 check_fn=$2
	shift 2
	if [[ $(id -u) -ne 0 ]]; then
		skip "needs root, to give files to nobody"
		return
	fi
	rm -rf "$tmp/sticky" "$tmp/real"
	mkdir -m 1777 "$tmp/sticky"
	mkdir "$tmp/real"
	printf 'root only\n' >"$tmp/secret"
	chmod 600 "$tmp/secret"
	"$@"
	check "$what" "$check_fn"
}
refused_unchanged() {
	[[ $rc -eq 125 && $(wc -l <"$tmp/err") -eq 1 ]] &&
		grep -q '^procwatch: refusing to write .*sticky' "$tmp/err" &&
		[[ $(cat "$tmp/secret") == "root only" ]] &&
		[[ ! -e $tmp/real/out ]] &&
		! grep -q . "$tmp/sticky/planted" 2>/dev/null
}
written() {
	[[ $rc -eq 0 ]] && grep -q '^.*end: exited 0' "$tmp/sticky/$1"
}
plant_link() {
	ln -s "$tmp/secret" "$tmp/sticky/link"
	chown -h nobody "$tmp/sticky/link"
	pw -o "$tmp/sticky/link" true
}
sticky_case "-o through another user's symlink in a sticky dir: refused, target unchanged" \
	refused_unchanged plant_link
plant_dir_link() {
	ln -s "$tmp/real" "$tmp/sticky/dir"
	chown -h nobody "$tmp/sticky/dir"
	pw -o "$tmp/sticky/dir/out" true
}
sticky_case "-o through another user's symlink to a directory: refused" \
	refused_unchanged plant_dir_link
plant_file() {
	: >"$tmp/sticky/planted"
	chown nobody "$tmp/sticky/planted"
	pw -o "$tmp/sticky/planted" true
}
sticky_case "-o into a file another user created in a sticky dir: refused, left empty" \
	refused_unchanged plant_file
own_file() {
	printf 'old\n' >"$tmp/sticky/mine"
	ln -s mine "$tmp/sticky/mylink"
	pw --color=never -o "$tmp/sticky/mylink" true
}
written_mine() {
	written mine && ! grep -q '^old' "$tmp/sticky/mine"
}
sticky_case "-o through our own symlink to our own file in a sticky dir: written, truncated" \
	written_mine own_file
new_file() {
	pw --color=never -o "$tmp/sticky/new" true
}
written_new() {
	written new
}
sticky_case "-o to a new file in a sticky dir: written" written_new new_file

plan
