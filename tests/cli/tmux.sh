#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# procwatch on a real terminal: tmux gives it an 80-column pane, and
# `tmux capture-pane` shows what a person would see.  Checks that the
# default width is the terminal's (no line wrapped by the terminal, long
# ones folded under their guides), that COLUMNS wins over it, that the
# default colours are there, and that output to a file keeps whole lines
# even from a terminal.  Prints TAP; skips, with the reason, when tmux is
# missing (scripts/setup installs it) or ptrace is not permitted.
#   PROCWATCH=build/procwatch tests/cli/tmux.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${PROCWATCH:?set PROCWATCH to the procwatch binary}"
PROCWATCH=$(realpath "$PROCWATCH")
enter_scratch_dir
export LC_ALL=C.UTF-8

if ! command -v tmux >/dev/null; then
	plan 1
	skip "tmux is not installed (scripts/setup installs it)"
	exit 0
fi
if ! timeout -k 5 30 "$PROCWATCH" -o /dev/null true 2>"$tmp/probe"; then
	plan 1
	skip "ptrace is not permitted here: $(head -n1 "$tmp/probe")"
	exit 0
fi

# A server of this script's own, with no user configuration.
sock=pw-tmux-$$
tm() {
	tmux -L "$sock" -f /dev/null "$@"
}
trap 'tm kill-server 2>/dev/null || true; [[ -n ${PW_KEEP:-} ]] || rm -rf "$tmp"' EXIT

# A command with a line longer than 80 columns (its exec), a warning
# (descriptor 5 leaked to /bin/true) and a failure (exit 3).
long=$(printf 'argument%02d ' {1..9})
traced=(sh -c "exec 5</dev/null; /bin/true $long; exit 3")

# pane NAME ENV... -- PROCWATCH-ARGS...: runs procwatch in a fresh
# 80x60 pane with ENV, waits until it is done (tmux wait-for: no sleep),
# and leaves the pane as shown in $tmp/NAME (text) and $tmp/NAME.e (with
# its colours, -e) and with terminal-wrapped lines joined in $tmp/NAME.j.
pane() {
	local name=$1 envs=() cmd
	shift
	while [[ $1 != -- ]]; do
		envs+=("$1")
		shift
	done
	shift
	printf -v cmd '%q ' env -u COLUMNS "${envs[@]}" TERM=xterm-256color \
		"$PROCWATCH" --time=none "$@" -- "${traced[@]}"
	tm new-session -d -s "$name" -x 80 -y 60 \
		"$cmd 2>&1 >/dev/null; tmux -L $sock wait-for -S $name-done; sleep 600"
	if ! timeout -k 5 60 tmux -L "$sock" -f /dev/null wait-for "$name-done"; then
		echo "# $name: procwatch did not finish in the pane"
	fi
	tm capture-pane -t "$name" -p >"$tmp/$name"
	tm capture-pane -t "$name" -p -e >"$tmp/$name.e"
	tm capture-pane -t "$name" -p -J >"$tmp/$name.j"
	tm kill-session -t "$name"
}

# The widest line of FILE, in characters (the pane shows no escapes here).
widest() {
	perl -CSD -ne 'chomp; $m = length if length > $m; END { print $m // 0 }' "$1"
}

plan 8
pane tty --
if grep -q 'argument09' "$tmp/tty" && grep -q '^end: exited 3' "$tmp/tty"; then
	ok "the trace is on the terminal"
else
	not_ok "the trace is on the terminal" "$(show_file pane "$tmp/tty")"
fi
# A line the terminal wrapped would be joined again by -J.
if cmp -s "$tmp/tty" "$tmp/tty.j"; then
	ok "no line is wrapped by the terminal: procwatch folds to its 80 columns"
else
	not_ok "no line is wrapped by the terminal" "$(diff "$tmp/tty" "$tmp/tty.j")"
fi
# The exec line folds, its continuation under the guide of its process.
if grep -q '^│      .*argument0[0-9]' "$tmp/tty"; then
	ok "a folded line continues under its guides"
else
	not_ok "a folded line continues under its guides" "$(show_file pane "$tmp/tty")"
fi
# tmux writes the attributes its own way: bold, yellow (33) and red (31)
# may come as one SGR or several.
if grep -q $'\e\\[[0-9;]*33m.*⚠' "$tmp/tty.e" || grep -q $'\e\\[1m\e\\[33m⚠' "$tmp/tty.e"; then
	ok "warnings are yellow on a terminal"
else
	not_ok "warnings are yellow on a terminal" "$(show_file pane "$tmp/tty.e")"
fi
if grep -q $'\e\\[[0-9;]*31mexited 3' "$tmp/tty.e"; then
	ok "a failure is red on a terminal"
else
	not_ok "a failure is red on a terminal" "$(show_file pane "$tmp/tty.e")"
fi

pane cols COLUMNS=50 --
if [[ $(widest "$tmp/cols") -le 50 ]] && cmp -s "$tmp/cols" "$tmp/cols.j" &&
	grep -q 'argument09' "$tmp/cols"; then
	ok "COLUMNS=50 on a terminal folds to 50 columns"
else
	not_ok "COLUMNS=50 on a terminal folds to 50 columns" "$(show_file pane "$tmp/cols")"
fi

pane nocolor NO_COLOR=1 --
if ! grep -q $'\e\\[' "$tmp/nocolor.e" && grep -q '⚠' "$tmp/nocolor"; then
	ok "NO_COLOR=1: no colour, even on a terminal"
else
	not_ok "NO_COLOR=1: no colour, even on a terminal" "$(show_file pane "$tmp/nocolor.e")"
fi

# From the terminal, but into a file: whole lines, for grep and diff.
pane file -- -o "$tmp/file.out"
if [[ $(widest "$tmp/file.out") -gt 80 ]] && ! grep -q $'\e\\[' "$tmp/file.out"; then
	ok "output to a file keeps whole lines and no colour"
else
	not_ok "output to a file keeps whole lines and no colour" \
		"$(show_file file "$tmp/file.out")"
fi
