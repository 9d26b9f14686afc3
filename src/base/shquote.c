/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shell quoting of argv elements.  Three forms, the plainest that is both
 * exact and safe: bare words for the common case (paths, options), single
 * quotes for printable text with spaces or shell syntax in it, and bash's
 * $'...' when a byte must be escaped.  $'...' is not POSIX sh, but it is the
 * only form that can carry a newline or an invalid UTF-8 byte on one line
 * without putting it on the terminal, and bash, zsh and ksh all read it.
 */
#include <stdbool.h>
#include <string.h>

#include "procwatch/shquote.h"
#include "procwatch/utf8.h"

/*
 * Bytes that need no quoting where they are in a word; prev is the byte
 * before c, 0 at the start.  '=' matters only at the start (an
 * assignment); '~' at the start, and after '=' or ':', where bash expands
 * it in a word that looks like an assignment even as a command's argument
 * (bash(1), Tilde Expansion: "NAME=~/x" becomes "NAME=/home/.../x").
 */
static bool
bare_byte(unsigned char c, unsigned char prev)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	if (c == '=')
		return prev != 0;
	if (c == '~')
		return prev != 0 && prev != '=' && prev != ':';
	return c != 0 && strchr("_@%+:,./-", c) != NULL;
}

/*
 * Length of the printable character at s, or 0 when it must be escaped:
 * ASCII controls, DEL, invalid UTF-8, and what pw_utf8_hidden() names (C1
 * controls, invisible and direction-changing characters).
 */
static size_t
printable_len(const unsigned char *s, size_t len)
{
	size_t n;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;
	n = pw_utf8_seq_len(s, len);
	if (n && pw_utf8_hidden(pw_utf8_code_point(s, n)))
		return 0;
	return n;
}

static void
put_dollar_quoted(FILE *out, const unsigned char *s, size_t len)
{
	size_t i, n;

	fputs("$'", out);
	for (i = 0; i < len; i += n) {
		n = printable_len(s + i, len - i);
		if (n == 0) {
			n = 1;
			switch (s[i]) {
			case '\n': fputs("\\n", out); break;
			case '\t': fputs("\\t", out); break;
			case '\r': fputs("\\r", out); break;
			default: fprintf(out, "\\x%02x", s[i]); break;
			}
		} else if (s[i] == '\'' || s[i] == '\\') {
			putc('\\', out);
			putc(s[i], out);
		} else {
			fwrite(s + i, 1, n, out);
		}
	}
	putc('\'', out);
}

void
pw_shquote(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	bool bare = len > 0, printable = true;
	size_t i, n;

	for (i = 0; i < len; i += n) {
		n = printable_len(s + i, len - i);
		if (n == 0) {
			printable = false;
			break;
		}
		if (n > 1 || !bare_byte(s[i], i ? s[i - 1] : 0))
			bare = false;
	}
	if (!printable) {
		put_dollar_quoted(out, s, len);
		return;
	}
	if (bare) {
		fwrite(s, 1, len, out);
		return;
	}
	putc('\'', out);
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			fputs("'\\''", out);
		else
			putc(s[i], out);
	}
	putc('\'', out);
}

/*
 * Not a shell word but text inside a line (a symbol, an object's name): a
 * demangled C++ name is full of what a shell would quote, so printable
 * characters go out as they are and only what must not reach the terminal
 * raw becomes \xNN; a backslash is doubled so that an escape is never
 * ambiguous.
 */
void
pw_text_escaped(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i, n;

	for (i = 0; i < len; i += n) {
		n = printable_len(s + i, len - i);
		if (n == 0) {
			n = 1;
			fprintf(out, "\\x%02x", s[i]);
		} else if (s[i] == '\\') {
			fputs("\\\\", out);
		} else {
			fwrite(s + i, 1, n, out);
		}
	}
}

const char *
pw_text_escape(char *buf, size_t size, const char *s, size_t len)
{
	FILE *f = fmemopen(buf, size, "w");

	if (!f) {
		snprintf(buf, size, "?");
		return buf;
	}
	pw_text_escaped(f, s, len);
	fclose(f);
	buf[size - 1] = '\0';
	return buf;
}
