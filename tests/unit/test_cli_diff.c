/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the `procwatch diff` parser (pw_cli_parse_diff): its
 * defaults, its own options (--exact, --json, --slower, --slower-min with
 * its units), the output ones it shares, exactly two trace operands, and
 * usage errors with diff's own hint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "procwatch/cli.h"
#include "procwatch/diff.h"
#include "cli_parse.h"

#define V(...) ((char *[]){ "diff", __VA_ARGS__, NULL })
#define HINT "Try 'procwatch diff --help' for more information.\n"

static void
parse(struct parse *p, char **argv)
{
	parse_with(pw_cli_parse_diff, p, argv);
}

static void
expect_usage_error(char **argv, const char *message)
{
	expect_usage_error_with(pw_cli_parse_diff, argv, message, HINT);
}

Test(cli_diff, defaults_and_the_two_traces)
{
	struct parse p;

	parse(&p, V("a.jsonl", "b.jsonl"));
	cr_assert_eq(p.action, PW_CLI_RUN, "%s", p.err);
	cr_assert_str_eq(p.opts.command[0], "a.jsonl");
	cr_assert_str_eq(p.opts.command[1], "b.jsonl");
	cr_assert_eq(p.opts.command_argc, 2);
	cr_assert_not(p.opts.diff.exact || p.opts.diff.json);
	cr_assert_eq(p.opts.diff.slower_pct, 50);
	cr_assert_eq(p.opts.diff.slower_min_us, 1000000);
	cr_assert_eq(p.opts.view.argv_max, 12);
	cr_assert_null(p.opts.output);
	parse_free(&p);
}

Test(cli_diff, its_options_before_and_after_the_traces)
{
	struct parse p;

	parse(&p, V("--exact", "a", "--slower=20%", "-", "--slower-min=250ms",
		    "-o", "out.txt", "--color=never", "--full-argv", "--width=60"));
	cr_assert_eq(p.action, PW_CLI_RUN, "%s", p.err);
	cr_assert(p.opts.diff.exact && !p.opts.diff.json);
	cr_assert_eq(p.opts.diff.slower_pct, 20);
	cr_assert_eq(p.opts.diff.slower_min_us, 250000);
	cr_assert_str_eq(p.opts.output, "out.txt");
	cr_assert_eq(p.opts.color, PW_COLOR_NEVER);
	cr_assert_eq(p.opts.view.argv_max, 0);
	cr_assert(p.opts.width_set && p.opts.view.width == 60);
	cr_assert_str_eq(p.opts.command[1], "-");
	parse_free(&p);
	parse(&p, V("a", "--json", "b"));
	cr_assert(p.opts.diff.json);
	parse_free(&p);
	/* A file named for JSON gets JSON, as for show. */
	parse(&p, V("-o", "d.json", "a", "b"));
	cr_assert(p.opts.diff.json);
	parse_free(&p);
}

/* --slower-min=VALUE gives microseconds (0 for a usage error). */
static uint64_t
slower_min(const char *value)
{
	char arg[64];
	struct parse p;
	uint64_t us;

	snprintf(arg, sizeof(arg), "--slower-min=%s", value);
	parse(&p, V(arg, "a", "b"));
	us = p.action == PW_CLI_RUN ? p.opts.diff.slower_min_us : 0;
	parse_free(&p);
	return us;
}

Test(cli_diff, durations)
{
	cr_assert_eq(slower_min("2"), 2000000);
	cr_assert_eq(slower_min(".5"), 500000);
	cr_assert_eq(slower_min("1.5m"), 90000000);
	cr_assert_eq(slower_min("250us"), 250);
	cr_assert_eq(slower_min("3s"), 3000000);
	cr_assert_eq(slower_min("2400h"), 2400ULL * 3600 * 1000000);
	cr_assert_eq(slower_min("0ms"), 0);
}

Test(cli_diff, bad_durations)
{
	static const char *const bad[] = { "2401h", "", ".", "1e3", "-1s", "1 s", "2x" };
	char arg[64], message[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(arg, sizeof(arg), "--slower-min=%s", bad[i]);
		snprintf(message, sizeof(message), "invalid --slower-min '%s' (a duration such "
			 "as 500ms, 2s or 1.5m, at most 100 days)", bad[i]);
		expect_usage_error(V(arg, "a", "b"), message);
	}
}

Test(cli_diff, usage_errors)
{
	expect_usage_error(V("--slower=x", "a", "b"),
			   "invalid --slower 'x' (a percentage from 0 to 1000000)");
	expect_usage_error(V("--slower=%", "a", "b"),
			   "invalid --slower '%' (a percentage from 0 to 1000000)");
	expect_usage_error(V("--slower=5%%", "a", "b"),
			   "invalid --slower '5%%' (a percentage from 0 to 1000000)");
	expect_usage_error(V("--slower=1000001", "a", "b"),
			   "invalid --slower '1000001' (a percentage from 0 to 1000000)");
	expect_usage_error(V("--format=tree", "a", "b"), "unknown option '--format'");
	expect_usage_error(V("--failed", "a", "b"), "unknown option '--failed'");
	/* The JSON document has every argument: asking for fewer asks for nothing. */
	expect_usage_error(V("--json", "--argv-max=3", "a", "b"),
			   "--argv-max has no effect on diff's JSON document");
	expect_usage_error(V("-o", "d.json", "--full-argv", "a", "b"),
			   "--full-argv has no effect on diff's JSON document");
	expect_usage_error(((char *[]){ "diff", NULL }),
			   "diff: two trace files are needed (A.jsonl B.jsonl)");
	expect_usage_error(V("a"), "diff: two trace files are needed (A.jsonl B.jsonl)");
	expect_usage_error(V("a", "b", "c"), "diff: two trace files at a time ('c' is extra)");
	expect_usage_error(V("-", "-"), "diff: only one of the traces can be standard input");
}

Test(cli_diff, help_is_its_own_and_names_every_option)
{
	const struct option *o;
	char name[64];
	struct parse p;

	parse(&p, V("--help"));
	cr_assert_eq(p.action, PW_CLI_EXIT_SUCCESS);
	cr_assert_str_eq(p.out, diff_usage_text());
	cr_assert_str_empty(p.err);
	parse_free(&p);
	for (o = pw_cli_diff_longopts; o->name; o++) {
		snprintf(name, sizeof(name), "--%s", o->name);
		cr_expect(strstr(diff_usage_text(), name), "%s is not in the diff usage", name);
	}
	cr_assert(strstr(usage_text(), "procwatch diff [OPTIONS] A.jsonl B.jsonl"));
}
