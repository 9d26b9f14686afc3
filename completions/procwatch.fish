# SPDX-License-Identifier: GPL-2.0-or-later
# fish completion for procwatch(1).  Installed by meson as
# $datadir/fish/vendor_completions.d/procwatch.fish.
#
# The options below are checked against each subcommand's --help by
# scripts/check-completions (test "completions"), so an option added to
# src/cli.c without being added here fails the tests.  Format names come
# from `procwatch --format=help` (name TAB description, as fish wants),
# the one table in src/sink/formats.c.

# True when the words so far are procwatch's own options: no operand yet.
function __fish_procwatch_options
    set -l words (commandline -opc)
    set -e words[1]
    if contains -- "$words[1]" show diff
        set -e words[1]
    end
    while set -q words[1]
        switch $words[1]
            case -- '[!-]*'
                return 1
            case -o -p --output --format --attach --time --color --argv-max --width --pid --match --depth --slower --slower-min
                set -e words[1]
        end
        set -e words[1]
    end
    return 0
end

# True when the subcommand is $argv[1] (or, without an argument, any).
function __fish_procwatch_sub
    set -l words (commandline -opc)
    test (count $words) -ge 2; or return 1
    if set -q argv[1]
        test "$words[2]" = $argv[1]
    else
        contains -- "$words[2]" show diff
    end
end

function __fish_procwatch_formats
    set -l cmd (commandline -opc)[1]
    $cmd --format=help 2>/dev/null
    printf '%s\t%s\n' help 'list the formats'
end

set -l main '__fish_procwatch_options; and not __fish_procwatch_sub'
set -l show '__fish_procwatch_options; and __fish_procwatch_sub show'
set -l diff '__fish_procwatch_options; and __fish_procwatch_sub diff'
# Tracing and show share the view options; diff only some of them.
set -l views '__fish_procwatch_options; and not __fish_procwatch_sub diff'
set -l any '__fish_procwatch_options'

# The first operand: a subcommand, or the command to trace.
complete -c procwatch -n "$main; and test (count (commandline -opc)) -eq 1" -a show -d 'show a recorded trace'
complete -c procwatch -n "$main; and test (count (commandline -opc)) -eq 1" -a diff -d 'compare two recorded traces'
complete -c procwatch -n $main -a '(__fish_complete_command)'
complete -c procwatch -n 'not __fish_procwatch_options; and not __fish_procwatch_sub' -a '(__fish_complete_subcommand)'

# Shared by tracing, show and diff.
complete -c procwatch -n $any -s o -l output -r -F -d 'write the output to FILE'
complete -c procwatch -n $any -l json -d 'JSON output'
complete -c procwatch -n $any -l color -x -a 'auto always never' -d 'use colour'
complete -c procwatch -n $any -l argv-max -x -d 'show at most N arguments'
complete -c procwatch -n $any -l full-argv -d 'show every argument'
complete -c procwatch -n $any -l width -x -d 'fold lines to fit N columns (0: never)'
complete -c procwatch -n $any -s h -l help -d 'show the options and exit'

# Shared by tracing and show.
complete -c procwatch -n $views -l format -x -a '(__fish_procwatch_formats)' -d 'output format'
complete -c procwatch -n $views -l time -x -a 'relative absolute none' -d 'timeline timestamps'
complete -c procwatch -n $views -l threads -d 'list threads in the tree'
complete -c procwatch -n $views -l summary -d 'counts, slowest, biggest after the tree'
complete -c procwatch -n $views -l no-warnings -d 'do not show or count warnings'
complete -c procwatch -n $views -l explain -d 'explain each event in plain words'
complete -c procwatch -n $views -s v -l verbose -d 'every call with its raw decoded arguments'
complete -c procwatch -n $views -l no-fold -d 'list like siblings one by one'
complete -c procwatch -n $views -l pid -x -a '(__fish_complete_pids)' -d 'show only these subtrees'
complete -c procwatch -n $views -l match -x -d 'show only processes matching REGEX'
complete -c procwatch -n $views -l depth -x -d 'show only N levels below the top'

# Tracing only.
complete -c procwatch -n $main -l no-seccomp -d 'stop at every system call'
complete -c procwatch -n $main -s k -l stack -d 'record the stack at each spawn and exec'
complete -c procwatch -n $main -l env -d 'record the environment of each exec'
complete -c procwatch -n $main -s p -l attach -x -a '(__fish_complete_pids)' -d 'trace running processes'
complete -c procwatch -n $main -s V -l version -d 'show the version and exit'

# show only: --failed.  diff only: how the runs are compared.
complete -c procwatch -n $show -l failed -d 'only what failed, and who ran it'
complete -c procwatch -n $diff -l exact -d 'compare arguments and paths byte for byte'
complete -c procwatch -n $diff -l slower -x -d 'report a duration changed by PCT percent'
complete -c procwatch -n $diff -l slower-min -x -d '... and by DURATION or more'
# The trace files of show and diff.
complete -c procwatch -n '__fish_procwatch_sub' -F
