/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the command-line parser (src/cli.c): argument vectors in,
 * struct pw_options or an exit action plus the exact messages out.  Help,
 * version and error text are captured with open_memstream, so nothing here
 * runs a command or needs the kernel.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "procwatch/cli.h"
#include "procwatch/filter.h"
#include "cli_parse.h"

#define HINT "Try 'procwatch --help' for more information.\n"

static void
parse(struct parse *p, char **argv)
{
	parse_with(pw_cli_parse, p, argv);
}

static void
expect_usage_error(char **argv, const char *message)
{
	expect_usage_error_with(pw_cli_parse, argv, message, HINT);
}

/* A successful parse: no output at all, and the command as expected. */
static void
expect_run(struct parse *p, char **argv, char **command)
{
	int n = 0;

	parse(p, argv);
	cr_assert_eq(p->action, PW_CLI_RUN, "stderr: %s", p->err);
	cr_assert_str_empty(p->out);
	cr_assert_str_empty(p->err);
	while (command[n]) {
		cr_assert_not_null(p->opts.command[n]);
		cr_assert_str_eq(p->opts.command[n], command[n]);
		n++;
	}
	cr_assert_null(p->opts.command[n], "the command has extra arguments");
	cr_assert_eq(p->opts.command_argc, n);
}

#define V(...) ((char *[]){ "procwatch", __VA_ARGS__, NULL })
#define CMD(...) ((char *[]){ __VA_ARGS__, NULL })

Test(cli, defaults)
{
	struct parse p;

	expect_run(&p, V("true"), CMD("true"));
	cr_assert_eq(p.opts.format, pw_format_find("timeline"));
	cr_assert_null(p.opts.output);
	cr_assert(p.opts.seccomp);
	parse_free(&p);
}

Test(cli, options_stop_at_the_command)
{
	struct parse p;

	/* -l belongs to ls: procwatch has no -l and must not see it. */
	expect_run(&p, V("ls", "-l"), CMD("ls", "-l"));
	parse_free(&p);
	/* Not even procwatch's own options are taken after the command. */
	expect_run(&p, V("ls", "--json", "-o", "x"), CMD("ls", "--json", "-o", "x"));
	cr_assert_eq(p.opts.format, pw_format_find("timeline"));
	cr_assert_null(p.opts.output);
	parse_free(&p);
}

Test(cli, double_dash_ends_options)
{
	struct parse p;

	expect_run(&p, V("--json", "--", "-o", "x"), CMD("-o", "x"));
	cr_assert_eq(p.opts.format, pw_format_find("json"));
	cr_assert_null(p.opts.output);
	parse_free(&p);
	/* A -- after the command is the command's own argument. */
	expect_run(&p, V("--", "ls", "--", "-l"), CMD("ls", "--", "-l"));
	parse_free(&p);
}

Test(cli, output_spellings)
{
	struct parse p;

	expect_run(&p, V("-o", "t.txt", "true"), CMD("true"));
	cr_assert_str_eq(p.opts.output, "t.txt");
	parse_free(&p);
	expect_run(&p, V("-ot.txt", "true"), CMD("true"));
	cr_assert_str_eq(p.opts.output, "t.txt");
	parse_free(&p);
	expect_run(&p, V("--output=t.txt", "true"), CMD("true"));
	cr_assert_str_eq(p.opts.output, "t.txt");
	parse_free(&p);
	expect_run(&p, V("--output", "t.txt", "true"), CMD("true"));
	cr_assert_str_eq(p.opts.output, "t.txt");
	parse_free(&p);
}

Test(cli, formats)
{
	struct parse p;

	expect_run(&p, V("--format=json", "true"), CMD("true"));
	cr_assert_eq(p.opts.format, pw_format_find("json"));
	parse_free(&p);
	expect_run(&p, V("--json", "true"), CMD("true"));
	cr_assert_eq(p.opts.format, pw_format_find("json"));
	parse_free(&p);
	expect_run(&p, V("--format", "timeline", "true"), CMD("true"));
	cr_assert_eq(p.opts.format, pw_format_find("timeline"));
	parse_free(&p);
	expect_run(&p, V("--format=perfetto", "true"), CMD("true"));
	cr_assert_eq(p.opts.format, pw_format_find("perfetto"));
	parse_free(&p);
	/* The last one given wins, as with most tools. */
	expect_run(&p, V("--json", "--format=timeline", "true"), CMD("true"));
	cr_assert_eq(p.opts.format, pw_format_find("timeline"));
	parse_free(&p);
	/* Without --format, a file named for a browser gets the HTML report. */
	expect_run(&p, V("-o", "report.html", "true"), CMD("true"));
	cr_assert_eq(p.opts.format, pw_format_find("html"));
	parse_free(&p);
	expect_run(&p, V("-o", "report.htm", "true"), CMD("true"));
	cr_assert_eq(p.opts.format, pw_format_find("html"));
	parse_free(&p);
	expect_run(&p, V("--format=tree", "-o", "report.html", "true"), CMD("true"));
	cr_assert_eq(p.opts.format, pw_format_find("tree"));
	parse_free(&p);
	expect_run(&p, V("-o", "html", "true"), CMD("true"));
	cr_assert_eq(p.opts.format, pw_format_default());
	parse_free(&p);
	expect_usage_error(V("-o", "report.html", "--threads", "true"),
			   "--threads has no effect on the html format");
}

Test(cli, no_seccomp)
{
	struct parse p;

	expect_run(&p, V("--no-seccomp", "true"), CMD("true"));
	cr_assert_not(p.opts.seccomp);
	parse_free(&p);
}

Test(cli, help_goes_to_out_and_exits_successfully)
{
	struct parse p;

	parse(&p, V("--help"));
	cr_assert_eq(p.action, PW_CLI_EXIT_SUCCESS);
	cr_assert_str_eq(p.out, usage_text());
	cr_assert_str_empty(p.err);
	parse_free(&p);
	/* -h wins even before a command: the user asked for help. */
	parse(&p, V("-h", "ls"));
	cr_assert_eq(p.action, PW_CLI_EXIT_SUCCESS);
	cr_assert_str_eq(p.out, usage_text());
	parse_free(&p);
}

Test(cli, format_help_lists_every_format_a_line_each)
{
	const struct pw_format *f;
	char line[256];
	struct parse p;
	size_t n, i, at = 0;

	/* Before a command or without one: it is a question, not a trace. */
	parse(&p, V("--format=help", "true"));
	cr_assert_eq(p.action, PW_CLI_EXIT_SUCCESS);
	cr_assert_str_empty(p.err);
	f = pw_formats(&n);
	cr_assert_geq(n, 4);
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s\t%s\n", f[i].name, f[i].help);
		cr_assert_eq(strncmp(p.out + at, line, strlen(line)), 0,
			     "line %zu is not \"%s\"", i + 1, f[i].name);
		at += strlen(line);
		/* --help lists the same names (a long one with its line under it). */
		snprintf(line, sizeof(line), " %s%s", f[i].name, strlen(f[i].name) > 9 ? "\n" : " ");
		cr_assert_not_null(strstr(usage_text(), line), "--help lacks %s", f[i].name);
	}
	cr_assert_eq(p.out[at], '\0', "more than one line per format");
	parse_free(&p);
}

Test(cli, version)
{
	struct parse p;

	parse(&p, V("--version"));
	cr_assert_eq(p.action, PW_CLI_EXIT_SUCCESS);
	cr_assert_str_eq(p.out, "procwatch " PW_VERSION "\n");
	cr_assert_str_empty(p.err);
	parse_free(&p);
	parse(&p, V("-V"));
	cr_assert_eq(p.action, PW_CLI_EXIT_SUCCESS);
	cr_assert_str_eq(p.out, "procwatch " PW_VERSION "\n");
	parse_free(&p);
}

Test(cli, unknown_options)
{
	expect_usage_error(V("--frobnicate", "true"), "unknown option '--frobnicate'");
	expect_usage_error(V("--frobnicate=3", "true"), "unknown option '--frobnicate'");
	expect_usage_error(V("-x", "true"), "unknown option '-x'");
	/* The bad letter is named even inside a cluster after a long option. */
	expect_usage_error(V("--output=f", "-xV", "true"), "unknown option '-x'");
}

Test(cli, missing_arguments)
{
	expect_usage_error(V("-o"), "option '-o' requires an argument");
	expect_usage_error(V("--output"), "option '--output' requires an argument");
	expect_usage_error(V("--format"), "option '--format' requires an argument");
}

Test(cli, argument_not_allowed)
{
	expect_usage_error(V("--json=yes", "true"),
			   "option '--json' doesn't allow an argument");
	expect_usage_error(V("--help=me"), "option '--help' doesn't allow an argument");
}

Test(cli, unknown_format_names_the_valid_ones)
{
	expect_usage_error(V("--format=xml", "true"),
			   "unknown format 'xml' (valid formats: timeline, tree, json, perfetto, processes, "
			   "compile-commands, html)");
	expect_usage_error(V("--format=", "true"),
			   "unknown format '' (valid formats: timeline, tree, json, perfetto, processes, "
			   "compile-commands, html)");
}

Test(cli, empty_output_name)
{
	expect_usage_error(V("-o", "", "true"), "the output file name is empty");
}

Test(cli, no_command)
{
	expect_usage_error((char *[]){ "procwatch", NULL }, "no command given");
	expect_usage_error(V("--json"), "no command given");
	expect_usage_error(V("-o", "x", "--"), "no command given");
}

/* A user reading --help must find every option the parser accepts. */
Test(cli, usage_lists_every_long_option)
{
	const struct option *o;
	char name[64];
	int n = 0;

	for (o = pw_cli_longopts; o->name; o++, n++) {
		snprintf(name, sizeof(name), "--%s", o->name);
		cr_expect(strstr(usage_text(), name), "%s is not in the usage text", name);
	}
	cr_assert_geq(n, 6);
}

/* Parsing twice in one process must not carry getopt state over. */
Test(cli, parser_can_be_called_again)
{
	struct parse p;

	expect_usage_error(V("-xh"), "unknown option '-x'");
	expect_run(&p, V("-o", "a", "ls", "-l"), CMD("ls", "-l"));
	cr_assert_str_eq(p.opts.output, "a");
	parse_free(&p);
}

Test(cli, view_options)
{
	struct parse p;

	expect_run(&p, V("true"), CMD("true"));
	cr_assert_eq(p.opts.view.time, PW_TIME_RELATIVE);
	cr_assert_eq(p.opts.color, PW_COLOR_AUTO);
	cr_assert_eq(p.opts.view.argv_max, PW_ARGV_MAX_DEFAULT);
	cr_assert_not(p.opts.view.threads || p.opts.view.summary);
	cr_assert(p.opts.view.warnings);
	parse_free(&p);
	cr_assert_not(p.opts.view.explain);
	expect_run(&p, V("--no-warnings", "--explain", "true"), CMD("true"));
	cr_assert_not(p.opts.view.warnings);
	cr_assert(p.opts.view.explain);
	parse_free(&p);
	expect_run(&p, V("--format=tree", "--time=none", "--color=never", "--argv-max=3",
			 "--threads", "--summary", "true"), CMD("true"));
	cr_assert_eq(p.opts.format, pw_format_find("tree"));
	cr_assert_eq(p.opts.view.time, PW_TIME_NONE);
	cr_assert_eq(p.opts.color, PW_COLOR_NEVER);
	cr_assert_eq(p.opts.view.argv_max, 3);
	cr_assert(p.opts.view.threads && p.opts.view.summary);
	parse_free(&p);
	expect_run(&p, V("--time", "absolute", "--color=always", "--full-argv", "true"),
		   CMD("true"));
	cr_assert_eq(p.opts.view.time, PW_TIME_ABSOLUTE);
	cr_assert_eq(p.opts.color, PW_COLOR_ALWAYS);
	cr_assert_eq(p.opts.view.argv_max, 0);
	parse_free(&p);
	expect_usage_error(V("--time=soon", "true"),
			   "invalid --time 'soon' (valid: relative, absolute, none)");
	expect_usage_error(V("--color=yes", "true"),
			   "invalid --color 'yes' (valid: auto, always, never)");
	expect_usage_error(V("--argv-max=-1", "true"),
			   "invalid --argv-max '-1' (a number from 0 to 1000000)");
	expect_usage_error(V("--argv-max=3x", "true"),
			   "invalid --argv-max '3x' (a number from 0 to 1000000)");
}

/* --pid, --match, --depth: what the views show; refused with json. */
Test(cli, filters)
{
	struct parse p;

	expect_run(&p, V("true"), CMD("true"));
	cr_assert_not(pw_filter_spec_active(&p.opts.view.filter));
	parse_free(&p);
	expect_run(&p, V("--pid=7,9", "--pid", "8", "--match", "^cc ", "--depth=0",
			 "--format=tree", "true"), CMD("true"));
	cr_assert_eq(p.opts.view.filter.npids, 3);
	cr_assert_eq(p.opts.view.filter.pids[0], 7);
	cr_assert_eq(p.opts.view.filter.pids[2], 8);
	cr_assert_str_eq(p.opts.view.filter.match, "^cc ");
	cr_assert(p.opts.view.filter.depth_set);
	cr_assert_eq(p.opts.view.filter.depth, 0);
	parse_free(&p);
	expect_run(&p, V("--match=a", "--match=b", "true"), CMD("true"));
	cr_assert_str_eq(p.opts.view.filter.match, "b", "the last one counts");
	parse_free(&p);
	expect_usage_error(V("--match=(", "true"), bad_match_message("("));
	expect_usage_error(V("--depth=-1", "true"),
			   "invalid --depth '-1' (a number from 0 to 1000000)");
	expect_usage_error(V("--depth=", "true"),
			   "invalid --depth '' (a number from 0 to 1000000)");
	expect_usage_error(V("--pid=0", "true"),
			   "invalid --pid '0' (process ids, as in --pid 123 or --pid 123,456)");
	expect_usage_error(V("--pid=1,x", "true"),
			   "invalid --pid '1,x' (process ids, as in --pid 123 or --pid 123,456)");
	expect_usage_error(V("--json", "--match=cc", "true"),
			   "--match does not apply to the json format: a trace always records "
			   "every process (record it whole, then filter what 'procwatch show' "
			   "shows of it)");
	expect_usage_error(V("--depth=2", "--format=json", "true"),
			   "--depth does not apply to the json format: a trace always records "
			   "every process (record it whole, then filter what 'procwatch show' "
			   "shows of it)");
}

/*
 * -k takes its depth only attached, as getopt takes optional arguments:
 * "-k 32" traces a command named 32, and "-k0" is a depth out of range,
 * not an unknown option "-0".
 */
Test(cli, stack_depth_attached_only)
{
	struct parse p;

	expect_run(&p, V("-k", "true"), CMD("true"));
	cr_assert_eq(p.opts.stack_depth, 16);
	parse_free(&p);
	expect_run(&p, V("-k32", "true"), CMD("true"));
	cr_assert_eq(p.opts.stack_depth, 32);
	parse_free(&p);
	expect_run(&p, V("-k", "32"), CMD("32"));
	cr_assert_eq(p.opts.stack_depth, 16);
	parse_free(&p);
	expect_run(&p, V("--stack=3", "true"), CMD("true"));
	cr_assert_eq(p.opts.stack_depth, 3);
	parse_free(&p);
	expect_usage_error(V("-k0", "true"),
			   "invalid stack depth '0' (-kDEPTH or --stack=DEPTH: a number from 1 to 256)");
	expect_usage_error(V("--stack=257", "true"),
			   "invalid stack depth '257' (-kDEPTH or --stack=DEPTH: a number from 1 to 256)");
}

/* -v, --no-fold and --width: the timeline's, the tree's, and any output's. */
Test(cli, terminal_options)
{
	struct parse p;

	expect_run(&p, V("true"), CMD("true"));
	cr_assert_not(p.opts.view.verbose || p.opts.view.no_fold || p.opts.width_set);
	parse_free(&p);
	expect_run(&p, V("-v", "--no-fold", "--width=80", "true"), CMD("true"));
	cr_assert(p.opts.view.verbose && p.opts.view.no_fold && p.opts.width_set);
	cr_assert_eq(p.opts.view.width, 80);
	parse_free(&p);
	/* 0 never folds, and is given: the terminal's width is not asked for. */
	expect_run(&p, V("--format=tree", "--no-fold", "--width=0", "true"), CMD("true"));
	cr_assert(p.opts.width_set);
	cr_assert_eq(p.opts.view.width, 0);
	parse_free(&p);
	/* Like --color, a setting of how lines look: json has none, and ignores it. */
	expect_run(&p, V("--json", "--width=80", "true"), CMD("true"));
	parse_free(&p);
	expect_usage_error(V("--width=wide", "true"),
			   "invalid --width 'wide' (a number from 0 to 100000)");
	expect_usage_error(V("--format=tree", "-v", "true"),
			   "--verbose has no effect on the tree format");
	expect_usage_error(V("--json", "--no-fold", "true"),
			   "--no-fold has no effect on the json format");
}

/* Tracing too: --json with an option only views use is refused. */
Test(cli, view_options_json_does_not_use)
{
	expect_usage_error(V("--json", "--explain", "true"),
			   "--explain has no effect on the json format");
	/* A name that says JSON chose the format: the option then contradicts it. */
	expect_usage_error(V("-o", "t.jsonl", "--summary", "true"),
			   "--summary has no effect on the json format");
	expect_usage_error(V("--format=processes", "--threads", "true"),
			   "--threads has no effect on the processes format");
}

/*
 * compile-commands: a name in .json with the format given writes the
 * database, not the trace; the filters narrow it; the options of the
 * views for people change nothing in it, and are refused.
 */
Test(cli, compile_commands_options)
{
	struct parse p;

	expect_run(&p, V("--format=compile-commands", "-o", "compile_commands.json",
			 "--match", "\\.c$", "--time=none", "--color=never", "make"), CMD("make"));
	cr_assert_eq(p.opts.format, pw_format_find("compile-commands"));
	cr_assert_str_eq(p.opts.output, "compile_commands.json");
	cr_assert_str_eq(p.opts.view.filter.match, "\\.c$");
	parse_free(&p);
	expect_usage_error(V("--format=compile-commands", "--no-warnings", "make"),
			   "--no-warnings has no effect on the compile-commands format");
	expect_usage_error(V("--format=compile-commands", "--full-argv", "make"),
			   "--full-argv has no effect on the compile-commands format");
	expect_usage_error(V("--format=compile-commands", "--summary", "make"),
			   "--summary has no effect on the compile-commands format");
}
