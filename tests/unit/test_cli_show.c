/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the `procwatch show` parser (pw_cli_parse_show): the view
 * options it shares with tracing, --failed, the one trace operand (options
 * may follow it), and usage errors with show's own hint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "procwatch/cli.h"
#include "procwatch/filter.h"
#include "cli_parse.h"

#define V(...) ((char *[]){ "show", __VA_ARGS__, NULL })
#define HINT "Try 'procwatch show --help' for more information.\n"

static void
parse(struct parse *p, char **argv)
{
	parse_with(pw_cli_parse_show, p, argv);
}

static void
expect_usage_error(char **argv, const char *message)
{
	expect_usage_error_with(pw_cli_parse_show, argv, message, HINT);
}

/* A parse that runs, saying nothing. */
static void
expect_run_show(char **argv)
{
	struct parse p;

	parse(&p, argv);
	cr_assert_eq(p.action, PW_CLI_RUN, "%s", p.err);
	cr_assert_str_empty(p.err);
	parse_free(&p);
}

Test(cli_show, view_options_and_the_trace)
{
	struct parse p;

	parse(&p, V("--format=timeline", "--time=none", "--summary", "--threads",
		    "--no-warnings", "--explain", "--full-argv", "-o", "x.txt",
		    "t.jsonl"));
	cr_assert_eq(p.action, PW_CLI_RUN, "%s", p.err);
	cr_assert_eq(p.opts.format, pw_format_find("timeline"));
	cr_assert_eq(p.opts.view.time, PW_TIME_NONE);
	cr_assert(p.opts.view.summary && p.opts.view.threads && p.opts.view.explain);
	cr_assert_not(p.opts.view.warnings);
	cr_assert_eq(p.opts.view.argv_max, 0);
	cr_assert_str_eq(p.opts.output, "x.txt");
	cr_assert_str_eq(p.opts.command[0], "t.jsonl");
	cr_assert_eq(p.opts.command_argc, 1);
	cr_assert_not(p.opts.failed);
	parse_free(&p);
}

/* An option the output shows nothing of is refused, not silently ignored. */
Test(cli_show, view_options_the_output_does_not_use)
{
	expect_usage_error(V("--format=tree", "--explain", "t.jsonl"),
			   "--explain has no effect on the tree format");
	expect_usage_error(V("--json", "--summary", "t.jsonl"),
			   "--summary has no effect on the json format");
	expect_usage_error(V("--failed", "--threads", "t.jsonl"),
			   "--threads has no effect on --failed");
	expect_usage_error(V("--format=perfetto", "--full-argv", "t.jsonl"),
			   "--full-argv has no effect on the perfetto format");
	/* Settings of how things look are ignored where nothing looks so. */
	expect_run_show(V("--json", "--time=none", "--color=never", "t.jsonl"));
	/* A file named for a browser gets the HTML report, which has no tree. */
	expect_usage_error(V("-o", "r.html", "--threads", "t.jsonl"),
			   "--threads has no effect on the html format");
}

/* Unlike tracing, nothing follows the trace but options: they may come last. */
Test(cli_show, options_after_the_trace_and_failed)
{
	struct parse p;

	parse(&p, V("-", "--failed", "--json"));
	cr_assert_eq(p.action, PW_CLI_RUN, "%s", p.err);
	cr_assert_str_eq(p.opts.command[0], "-");
	cr_assert(p.opts.failed);
	cr_assert_eq(p.opts.format, pw_format_find("json"));
	parse_free(&p);
}

Test(cli_show, help_is_its_own)
{
	struct parse p;

	parse(&p, V("--help"));
	cr_assert_eq(p.action, PW_CLI_EXIT_SUCCESS);
	cr_assert_str_eq(p.out, show_usage_text());
	cr_assert_str_empty(p.err);
	parse_free(&p);
}

Test(cli_show, usage_errors)
{
	expect_usage_error(V("--no-seccomp", "t.jsonl"), "unknown option '--no-seccomp'");
	expect_usage_error(V("--format=xml", "t.jsonl"),
			   "unknown format 'xml' (valid formats: timeline, tree, json, perfetto, processes, "
			   "compile-commands, html)");
	expect_usage_error(V("--time"), "option '--time' requires an argument");
	expect_usage_error(((char *[]){ "show", NULL }), "show: no trace file given");
	expect_usage_error(V("a", "b"), "show: one trace file at a time ('b' is extra)");
}

/* Every show option is in show's usage text, and the tracing parser is unchanged. */
Test(cli_show, usage_lists_every_option_and_tracing_hint_is_back)
{
	const struct option *o;
	char name[64];
	struct parse p;
	char *argv[] = { "procwatch", "--frob", NULL };
	size_t out_len, err_len;
	FILE *out, *err;

	for (o = pw_cli_show_longopts; o->name; o++) {
		snprintf(name, sizeof(name), "--%s", o->name);
		cr_expect(strstr(show_usage_text(), name), "%s is not in the show usage", name);
	}
	expect_usage_error(V("--frob", "t"), "unknown option '--frob'");
	out = open_memstream(&p.out, &out_len);
	err = open_memstream(&p.err, &err_len);
	cr_assert_eq(pw_cli_parse(2, argv, &p.opts, out, err), PW_CLI_EXIT_FAILURE);
	fclose(out);
	fclose(err);
	cr_assert_str_eq(p.err, "procwatch: unknown option '--frob'\n"
				"Try 'procwatch --help' for more information.\n");
	parse_free(&p);
}

/* The filters as for tracing; json writes the trace back whole, unfiltered. */
Test(cli_show, filters)
{
	struct parse p;

	parse(&p, V("--pid=12", "--match=make", "--depth=3", "--failed", "--json", "t.jsonl"));
	cr_assert_eq(p.action, PW_CLI_RUN, "%s", p.err);
	cr_assert_eq(p.opts.view.filter.npids, 1);
	cr_assert_str_eq(p.opts.view.filter.match, "make");
	cr_assert_eq(p.opts.view.filter.depth, 3);
	cr_assert(p.opts.failed, "--failed is no format: the filters apply");
	parse_free(&p);
	expect_usage_error(V("--pid=12", "--json", "t.jsonl"),
			   "--pid does not apply to the json format: show --json writes the "
			   "trace back whole");
	expect_usage_error(V("--match=[", "t.jsonl"), bad_match_message("["));
}
