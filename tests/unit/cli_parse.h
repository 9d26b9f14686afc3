/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the command-line unit tests (test_cli.c, test_cli_show.c,
 * test_cli_diff.c): run
 * one of the parsers on a vector as main() would receive it, capturing what
 * it prints, and check a usage error's exact two lines.
 */
#ifndef PW_TEST_CLI_PARSE_H
#define PW_TEST_CLI_PARSE_H

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "procwatch/cli.h"
#include "procwatch/sink.h"

typedef enum pw_cli_action (*cli_parser)(int argc, char **argv,
					 struct pw_options *opts,
					 FILE *out, FILE *err);

/* One parse with its captured output; argv stays owned by the test. */
struct parse {
	enum pw_cli_action action;
	struct pw_options opts;
	char *out;
	char *err;
};

/*
 * Parses a NULL-terminated vector.  The caller's array must outlive the
 * result: opts.command points into it.
 */
static inline void
parse_with(cli_parser parser, struct parse *p, char **argv)
{
	size_t out_len, err_len;
	FILE *out, *err;
	int argc = 0;

	while (argv[argc])
		argc++;
	out = open_memstream(&p->out, &out_len);
	err = open_memstream(&p->err, &err_len);
	cr_assert(out && err);
	p->action = parser(argc, argv, &p->opts, out, err);
	cr_assert_eq(fclose(out), 0);
	cr_assert_eq(fclose(err), 0);
}

/* What a usage printer writes, in a buffer that lives until the test ends. */
static inline const char *
usage_of(void (*print)(FILE *out))
{
	static char *text[2];
	static unsigned next;
	char **slot = &text[next++ % 2];
	size_t len;
	FILE *f;

	free(*slot);
	*slot = NULL;
	f = open_memstream(slot, &len);
	cr_assert(f);
	print(f);
	cr_assert_eq(fclose(f), 0);
	return *slot;
}

static inline const char *
usage_text(void)
{
	return usage_of(pw_cli_usage);
}

static inline const char *
show_usage_text(void)
{
	return usage_of(pw_cli_show_usage);
}

static inline const char *
diff_usage_text(void)
{
	return usage_of(pw_cli_diff_usage);
}

static inline void
parse_free(struct parse *p)
{
	free(p->out);
	free(p->err);
}

/* A usage error: nothing on out, exactly the message line and the hint on err. */
static inline void
expect_usage_error_with(cli_parser parser, char **argv, const char *message,
			const char *hint)
{
	struct parse p;
	char *want;

	parse_with(parser, &p, argv);
	cr_assert_eq(p.action, PW_CLI_EXIT_FAILURE);
	cr_assert_str_empty(p.out);
	cr_assert(asprintf(&want, "procwatch: %s\n%s", message, hint) > 0);
	cr_assert_str_eq(p.err, want);
	free(want);
	parse_free(&p);
}

/* "invalid --match 'RE': " and the C library's own words for what is wrong. */
static inline const char *
bad_match_message(const char *re)
{
	static char msg[256];
	char why[128];
	regex_t r;
	int rc = regcomp(&r, re, REG_EXTENDED | REG_NOSUB);

	cr_assert_neq(rc, 0, "'%s' compiles", re);
	regerror(rc, &r, why, sizeof(why));
	snprintf(msg, sizeof(msg), "invalid --match '%s': %s", re, why);
	return msg;
}

#endif
