/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper: one execve with an argv that stresses the argv decoder and
 * the trace's byte-string scheme.  Without arguments it re-executes itself
 * (through /proc/self/exe) with PW_EXEC_ARGS_ARGC arguments: "--print", a
 * fixed list of awkward strings (newline, quotes, backslash, a terminal
 * escape, the empty string, invalid UTF-8), one PW_EXEC_ARGS_BIG-byte string
 * and numbered fillers.  In "--print" mode it writes every argument it
 * received as one line of lowercase hex (an empty line for the empty
 * string), so the test learns exactly what the kernel handed over and
 * stdout is the same traced and untraced.  Facts on fd 3: path and argc of
 * the exec, and the index of the big argument.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw_helper.h"

#define PW_EXEC_ARGS_ARGC 5000
#define PW_EXEC_ARGS_BIG (100 * 1024)

/* Kept in the same order as the list the test checks by index. */
static const char *const awkward[] = {
	"--print",
	"line one\nline two",
	"double \" quote",
	"single ' quote",
	"back\\slash",
	"\x1b[31mred\x1b[0m",
	"",
	"\xff\xfe",
	"lone \x80 continuation",
	"truncated \xe2\x82",
	"caf\xc3\xa9 \xe2\x82\xac ok",
	"tab\there",
};

static char *
big_arg(void)
{
	char *s = malloc(PW_EXEC_ARGS_BIG + 1);
	size_t i;

	if (!s)
		return NULL;
	/* A repeating printable pattern: a truncation shows as a short string. */
	for (i = 0; i < PW_EXEC_ARGS_BIG; i++)
		s[i] = (char)('a' + i % 26);
	s[PW_EXEC_ARGS_BIG] = '\0';
	return s;
}

static int
print_argv(int argc, char **argv)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	int i;

	for (i = 0; i < argc; i++) {
		for (p = (const unsigned char *)argv[i]; *p; p++) {
			putchar(hex[*p >> 4]);
			putchar(hex[*p & 0xf]);
		}
		putchar('\n');
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
exec_self(void)
{
	size_t nawk = sizeof(awkward) / sizeof(awkward[0]);
	char **argv = calloc(PW_EXEC_ARGS_ARGC + 1, sizeof(*argv));
	char *big = big_arg();
	size_t i, big_index = PW_EXEC_ARGS_ARGC / 2;
	char buf[32];

	if (!argv || !big)
		return 2;
	argv[0] = "pw_exec_args";
	for (i = 0; i < nawk; i++)
		argv[1 + i] = (char *)awkward[i];
	for (i = 1 + nawk; i < PW_EXEC_ARGS_ARGC; i++) {
		if (i == big_index) {
			argv[i] = big;
			continue;
		}
		snprintf(buf, sizeof(buf), "filler-%zu", i);
		argv[i] = strdup(buf);
		if (!argv[i])
			return 2;
	}
	fact_long("argc", PW_EXEC_ARGS_ARGC);
	fact_long("big_index", (long)big_index);
	fact_long("big_len", PW_EXEC_ARGS_BIG);
	fact_long("pid", (long)getpid());
	execv("/proc/self/exe", argv);
	perror("pw_exec_args: execv /proc/self/exe");
	return 2;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--print") == 0)
		return print_argv(argc, argv);
	return exec_self();
}
