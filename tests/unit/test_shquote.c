/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of shell quoting (src/sink/shquote.c): bare words, single
 * quotes, $'...' for bytes that must not reach a terminal, and a round trip
 * through bash for every byte value, so that what the timeline shows pastes
 * back as the same argument.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/shquote.h"

static char *
quote(const char *s, size_t len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);

	cr_assert_not_null(mem);
	pw_shquote(mem, s, len);
	fclose(mem);
	return buf;
}

static void
expect(const char *s, const char *want)
{
	char *got = quote(s, strlen(s));

	cr_expect_str_eq(got, want, "quoting [%s]", s);
	free(got);
}

Test(shquote, forms)
{
	expect("/usr/bin/sort", "/usr/bin/sort");
	expect("--format=json", "--format=json");
	expect("", "''");
	expect("a b", "'a b'");
	expect("it's", "'it'\\''s'");
	expect("$HOME", "'$HOME'");
	expect("~", "'~'");
	expect("a~b", "a~b");
	/* bash expands these even as arguments: NAME=~ and after a ':'. */
	expect("HOME=~/x", "'HOME=~/x'");
	expect("PATH=/bin:~/bin", "'PATH=/bin:~/bin'");
	expect("A=1", "A=1");
	expect("=x", "'=x'");
	expect("a\nb\n", "$'a\\nb\\n'");
	expect("\x1b[31m'\\", "$'\\x1b[31m\\'\\\\'");
	expect("caf\xc3\xa9", "'caf\xc3\xa9'");
	expect("\xc2\x9b", "$'\\xc2\\x9b'");
	expect("\xe2\x80\xae", "$'\\xe2\\x80\\xae'");
	expect("\xff", "$'\\xff'");
}

/* What bash makes of `printf %s QUOTED`: into out, its length. */
static size_t
bash_printf(const char *in, size_t len, char *out, size_t cap)
{
	char path[] = "/tmp/pw_shquote_XXXXXX", cmd[64];
	int fd;
	char *q;
	FILE *p;
	size_t n;

	q = quote(in, len);
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	p = fdopen(fd, "w");
	cr_assert_not_null(p);
	fprintf(p, "printf %%s %s\n", q);
	fclose(p);
	free(q);
	snprintf(cmd, sizeof(cmd), "bash %s", path);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(out, 1, cap, p);
	pclose(p);
	remove(path);
	return n;
}

/* Every byte 1..255 survives `printf %s QUOTED` in bash unchanged. */
Test(shquote, bash_round_trip)
{
	static const char *const words[] = {
		"HOME=~/x", "PATH=/bin:~/bin", "a~b", "=~", "x=~", "--prefix=~/p",
	};
	char in[255], out[512];
	size_t i, n;

	if (system("command -v bash >/dev/null 2>&1") != 0)
		cr_skip_test("bash is not installed");
	for (i = 0; i < sizeof(in); i++)
		in[i] = (char)(i + 1);
	n = bash_printf(in, sizeof(in), out, sizeof(out));
	cr_assert_eq(n, sizeof(in));
	cr_assert_eq(memcmp(in, out, n), 0);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n = bash_printf(words[i], strlen(words[i]), out, sizeof(out));
		cr_assert(n == strlen(words[i]) && !memcmp(out, words[i], n),
			  "bash changed [%s] into [%.*s]", words[i], (int)n, out);
	}
}

static void
expect_text(const char *s, const char *want)
{
	char *got = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&got, &size);

	cr_assert_not_null(mem);
	pw_text_escaped(mem, s, strlen(s));
	fclose(mem);
	cr_expect_str_eq(got, want, "escaping [%s]", s);
	free(got);
}

/* Text in a line (a symbol): printable as is, the rest as \xNN, \ doubled. */
Test(shquote, text_escaped)
{
	expect_text("main", "main");
	expect_text("std::map<int, char>::at(int const&) const",
		    "std::map<int, char>::at(int const&) const");
	expect_text("it's $x", "it's $x");
	expect_text("caf\xc3\xa9", "caf\xc3\xa9");
	expect_text("a\nb\tc", "a\\x0ab\\x09c");
	expect_text("\x1b[31m\\", "\\x1b[31m\\\\");
	expect_text("\xe2\x80\xae\xff", "\\xe2\\x80\\xae\\xff");
}

/*
 * Invisible and direction-changing characters (a crafted trace's argv)
 * are escaped like controls, so the word shown is the word run.
 */
Test(shquote, hidden_characters)
{
	expect("a\xe2\x80\x8b" "b", "$'a\\xe2\\x80\\x8bb'");		/* U+200B */
	expect("\xe2\x80\x8f", "$'\\xe2\\x80\\x8f'");			/* U+200F */
	expect("\xe2\x80\xa8", "$'\\xe2\\x80\\xa8'");			/* U+2028 */
	expect("\xe2\x80\xa9", "$'\\xe2\\x80\\xa9'");			/* U+2029 */
	expect("\xe2\x81\xa9", "$'\\xe2\\x81\\xa9'");			/* U+2069 */
	expect("\xef\xbb\xbf" "ls", "$'\\xef\\xbb\\xbfls'");		/* U+FEFF */
	expect("\xe2\x80\x90", "'\xe2\x80\x90'");			/* U+2010, shown */
	expect_text("\xe2\x80\x8c" "x", "\\xe2\\x80\\x8cx");		/* U+200C */
	expect_text("\xef\xbb\xbf", "\\xef\\xbb\\xbf");
}
