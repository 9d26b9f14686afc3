#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `meson install` with DESTDIR, as a package build does it: the binary,
# the manual page (built by scdoc) and the three shell completions land
# where the build's prefix, bindir, mandir and datadir say, and work from
# there.  Prints TAP.  Run by meson (suite cli) with PW_BUILD_ROOT=<build
# directory> and PW_MAN_BUILT=1 when scdoc was found.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${PW_BUILD_ROOT:?set PW_BUILD_ROOT to the meson build directory}"
build=$(realpath "$PW_BUILD_ROOT")
enter_scratch_dir

# A build option's value, as meson recorded it.
option() {
	meson introspect "$build" --buildoptions | python3 -c '
import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == sys.argv[1]))
' "$1"
}

# Options given relative are relative to the prefix (meson's rule).
under_prefix() {
	local v
	v=$(option "$1")
	[[ $v == /* ]] && echo "$v" || echo "$prefix/$v"
}

prefix=$(option prefix)
root=$tmp/destdir
bin=$root$(under_prefix bindir)/procwatch
man=$root$(under_prefix mandir)/man1/procwatch.1
data=$root$(under_prefix datadir)

run env DESTDIR="$root" meson install -C "$build" --no-rebuild --quiet
check "DESTDIR=... meson install succeeds" test "$rc" -eq 0

installed_ok() {
	[[ -x $bin ]] && "$bin" --version | grep '^procwatch [0-9]' >/dev/null
}
check "the binary is in DESTDIR's bindir and runs" installed_ok

if [[ ${PW_MAN_BUILT:-0} == 1 ]]; then
	man_ok() {
		[[ -f $man ]] && head -n 20 "$man" | grep '^\.TH "procwatch" "1"' >/dev/null
	}
	check "the manual page is scdoc's roff, in mandir/man1" man_ok
else
	skip "scdoc was not found when this build was configured: no manual page"
fi

check "bash completion in datadir/bash-completion/completions" \
	test -f "$data/bash-completion/completions/procwatch"
check "zsh completion in datadir/zsh/site-functions" \
	test -f "$data/zsh/site-functions/_procwatch"
check "fish completion in datadir/fish/vendor_completions.d" \
	test -f "$data/fish/vendor_completions.d/procwatch.fish"

# The installed bash completion, run by bash with the installed binary
# first on PATH, offers the formats that binary lists.
formats_ok() {
	local got
	got=$(PATH=$(dirname "$bin"):$PATH bash --norc --noprofile -c '
		source "$1"
		COMP_WORDS=(procwatch --format = ""); COMP_CWORD=3
		_procwatch
		printf "%s\n" "${COMPREPLY[@]}"' bash \
		"$data/bash-completion/completions/procwatch" | sort)
	[[ $got == "$( ("$bin" --format=help | cut -f1; echo help) | sort)" ]]
}
check "the installed bash completion completes --format= from the installed binary" formats_ok

nothing_else() {
	local extra
	extra=$(cd "$root" && find . -type f | grep -v -e '/bin/procwatch$' \
		-e '/man1/procwatch\.1$' -e '/completions/procwatch$' \
		-e '/_procwatch$' -e '/procwatch\.fish$' || true)
	[[ -z $extra ]] || { echo "# also installed: $extra"; false; }
}
check "nothing else is installed (no test helpers, no static libraries)" nothing_else
plan
