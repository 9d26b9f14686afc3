# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for procwatch(1).  Installed by meson as
# $datadir/bash-completion/completions/procwatch, where bash-completion
# loads it on first use; it needs nothing from bash-completion itself.
#
# The option lists below are checked against each subcommand's --help by
# scripts/check-completions (test "completions"), so an option added to
# src/cli.c without being added here fails the tests.  Format names are
# not listed: they come from `procwatch --format=help`, the one table in
# src/sink/formats.c.

_procwatch_opts=(--output= --format= --json --no-seccomp --stack --stack=
	--env --attach= --time= --color= --argv-max= --full-argv --threads
	--summary --no-warnings --explain --verbose --no-fold --width= --pid=
	--match= --depth= --help --version)
_procwatch_show_opts=(--output= --format= --json --time= --color=
	--argv-max= --full-argv --threads --summary --no-warnings --explain
	--verbose --no-fold --width= --pid= --match= --depth= --failed --help)
_procwatch_diff_opts=(--output= --json --exact --slower= --slower-min=
	--color= --argv-max= --full-argv --width= --help)
_procwatch_subcommands=(show diff)

# File names starting with $1, spaces and all.
_procwatch_files() {
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

# Values of the option $2 (long, without "=") matching $3; $1 is procwatch.
_procwatch_values() {
	case $2 in
	--format)
		COMPREPLY=($(compgen -W "$("$1" --format=help 2>/dev/null |
			cut -f1) help" -- "$3")) ;;
	--time)
		COMPREPLY=($(compgen -W 'relative absolute none' -- "$3")) ;;
	--color)
		COMPREPLY=($(compgen -W 'auto always never' -- "$3")) ;;
	--output | -o)
		_procwatch_files "$3" ;;
	--attach | -p | --pid)
		COMPREPLY=($(compgen -W "$(command ps -e -o pid= 2>/dev/null)" -- "$3")) ;;
	*)
		COMPREPLY=() ;;
	esac
}

# True when option $1 takes its value from the next word.
_procwatch_takes_arg() {
	case $1 in
	-o | -p | --output | --format | --attach | --time | --color | --argv-max | \
		--width | --pid | --match | --depth | --slower | --slower-min) return 0 ;;
	esac
	return 1
}

_procwatch() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local -a opts=("${_procwatch_opts[@]}")
	local i=1 step word sub='' operand=''

	if [[ $COMP_CWORD -gt 1 ]]; then
		case ${COMP_WORDS[1]} in
		show) sub=show opts=("${_procwatch_show_opts[@]}") i=2 ;;
		diff) sub=diff opts=("${_procwatch_diff_opts[@]}") i=2 ;;
		esac
	fi
	# Skip the options before the word being completed: from the first
	# operand (or --) on, the words are the traced command's (or the
	# trace files of show and diff).
	while ((i < COMP_CWORD)); do
		word=${COMP_WORDS[i]}
		if [[ ${COMP_WORDS[i + 1]} == = ]]; then
			step=3	# "--opt" "=" "value", as COMP_WORDBREAKS splits it
		elif _procwatch_takes_arg "$word"; then
			step=2
		elif [[ $word == -- || $word != -* ]]; then
			operand=$i
			break
		else
			step=1
		fi
		((i += step))
	done
	if [[ -n $operand ]]; then
		if [[ -z $sub ]]; then
			[[ ${COMP_WORDS[operand]} == -- ]] && ((operand++))
			_procwatch_command "$operand"
		else
			_procwatch_files "$cur"
		fi
		return
	fi
	# --opt=value: split at '=' by COMP_WORDBREAKS ("--opt" "=" "value"),
	# or whole when '=' is not a word break.
	if [[ $cur == = ]]; then
		_procwatch_values "${COMP_WORDS[0]}" "$prev" ""
	elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
		_procwatch_values "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
	elif [[ $cur == --*=* ]]; then
		_procwatch_values "${COMP_WORDS[0]}" "${cur%%=*}" "${cur#*=}"
		COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
	elif _procwatch_takes_arg "$prev"; then
		_procwatch_values "${COMP_WORDS[0]}" "$prev" "$cur"
	elif [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "${opts[*]}" -- "$cur"))
		# "--format=" waits for its value rather than ending in a space.
		[[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
	elif [[ -n $sub ]]; then
		_procwatch_files "$cur"
	else
		# The first operand: a subcommand, or the command to trace.
		_procwatch_command "$COMP_CWORD"
		[[ $COMP_CWORD -eq 1 ]] &&
			COMPREPLY+=($(compgen -W "${_procwatch_subcommands[*]}" -- "$cur"))
	fi
}

# The traced command from word $1 on: bash-completion's own completion of
# that command when it is there (as for sudo), else commands and files.
_procwatch_command() {
	if [[ $1 -lt $COMP_CWORD ]] && declare -F _command_offset >/dev/null; then
		_command_offset "$1"
	elif [[ $1 -eq $COMP_CWORD ]]; then
		COMPREPLY=($(compgen -c -- "${COMP_WORDS[COMP_CWORD]}"))
	else
		_procwatch_files "${COMP_WORDS[COMP_CWORD]}"
	fi
}

complete -F _procwatch procwatch
