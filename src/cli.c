/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line: the getopt_long table, the usage text and the parser
 * that fills struct pw_options.  Usage errors are reported here, as one
 * line naming the problem plus a hint, so that every caller reports them
 * the same way; this file never exits and never touches the traced command.
 * A new option goes into the table, into the usage text, into the man page,
 * into the three shell completions (completions/) and into NEWS.md
 * together (tests, scripts/check-help-man and scripts/check-completions
 * hold them in step).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/cli.h"
#include "procwatch/filter.h"

#define PW_ARGV_MAX_MAX 1000000	/* --argv-max */
#define PW_DEPTH_MAX 1000000	/* --depth */
#define PW_WIDTH_MAX 100000	/* --width */

/* Long-only options get values outside the range of any short option char. */
enum {
	OPT_FORMAT = 0x100,
	OPT_JSON,
	OPT_NO_SECCOMP,
	OPT_TIME,
	OPT_COLOR,
	OPT_ARGV_MAX,
	OPT_FULL_ARGV,
	OPT_THREADS,
	OPT_SUMMARY,
	OPT_NO_WARNINGS,
	OPT_EXPLAIN,
	OPT_FAILED,
	OPT_STACK,
	OPT_PID,
	OPT_MATCH,
	OPT_DEPTH,
	OPT_ENV,
	OPT_NO_FOLD,
	OPT_WIDTH,
	OPT_EXACT,
	OPT_SLOWER,
	OPT_SLOWER_MIN,
};

/*
 * "+" stops parsing at the first non-option so that "procwatch ls -l" traces
 * "ls -l"; ":" makes getopt report a missing argument as ':' so that it can
 * be told apart from an unknown option.
 */
static const char short_options[] = "+:o:k::p:vhV";

const struct option pw_cli_longopts[] = {
	{ "output",	required_argument,	NULL,	'o' },
	{ "format",	required_argument,	NULL,	OPT_FORMAT },
	{ "json",	no_argument,		NULL,	OPT_JSON },
	{ "no-seccomp",	no_argument,		NULL,	OPT_NO_SECCOMP },
	{ "stack",	optional_argument,	NULL,	OPT_STACK },
	{ "env",	no_argument,		NULL,	OPT_ENV },
	{ "attach",	required_argument,	NULL,	'p' },
	{ "time",	required_argument,	NULL,	OPT_TIME },
	{ "color",	required_argument,	NULL,	OPT_COLOR },
	{ "argv-max",	required_argument,	NULL,	OPT_ARGV_MAX },
	{ "full-argv",	no_argument,		NULL,	OPT_FULL_ARGV },
	{ "threads",	no_argument,		NULL,	OPT_THREADS },
	{ "summary",	no_argument,		NULL,	OPT_SUMMARY },
	{ "no-warnings", no_argument,		NULL,	OPT_NO_WARNINGS },
	{ "explain",	no_argument,		NULL,	OPT_EXPLAIN },
	{ "verbose",	no_argument,		NULL,	'v' },
	{ "no-fold",	no_argument,		NULL,	OPT_NO_FOLD },
	{ "width",	required_argument,	NULL,	OPT_WIDTH },
	{ "pid",	required_argument,	NULL,	OPT_PID },
	{ "match",	required_argument,	NULL,	OPT_MATCH },
	{ "depth",	required_argument,	NULL,	OPT_DEPTH },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'V' },
	{ NULL,		0,			NULL,	0 },
};

static const char usage_head[] =
	"Usage: procwatch [OPTIONS] [--] COMMAND [ARG...]\n"
	"       procwatch [OPTIONS] -p PID[,PID...]\n"
	"       procwatch show [OPTIONS] TRACE.jsonl\n"
	"       procwatch diff [OPTIONS] A.jsonl B.jsonl\n"
	"\n"
	"Run COMMAND and trace it and every process and thread it creates:\n"
	"who forked whom, what each one executed, who reaped whom and how each\n"
	"one ended.  The trace goes to standard error unless -o is given; the\n"
	"command's own output is left alone.  With -p, trace processes that\n"
	"are already running instead, with all their threads and every process\n"
	"below them, until they end or procwatch is interrupted (Ctrl-C,\n"
	"SIGTERM, SIGHUP), when it lets go of them, unchanged.\n"
	"\n"
	"Output:\n"
	"  -o, --output=FILE     write the trace to FILE instead of standard error\n"
	"                        ('-': standard output; without --format,\n"
	"                        FILE.jsonl or FILE.json: the JSON Lines trace,\n"
	"                        FILE.html: the HTML report)\n"
	"      --format=FORMAT   one of these (the first is the default;\n"
	"                        --format=help lists them alone):\n";

/* After the list of formats. */
static const char usage_tail[] =
	"      --json            same as --format=json\n"
	"\n"
	"Timeline and tree:\n"
	"      --time=WHEN       relative (default: seconds since the start),\n"
	"                        absolute (time of day) or none\n"
	"      --color=WHEN      auto (default: on a terminal, unless NO_COLOR is\n"
	"                        set), always or never\n"
	"      --argv-max=N      show at most N arguments of a command line, eliding\n"
	"                        the middle (default 12; 0 shows all)\n"
	"      --full-argv       show every argument (same as --argv-max=0)\n"
	"      --threads         list threads in the tree instead of counting them\n"
	"      --summary         print counts after the tree: processes, threads,\n"
	"                        execs, failed execs, non-zero exits, signals,\n"
	"                        warnings; and the slowest processes (by wall\n"
	"                        time and by CPU time), the biggest by peak\n"
	"                        memory and the programs run most often\n"
	"      --no-warnings     do not show or count warnings (a fork from a\n"
	"                        threaded process, leaked descriptors, zombies,\n"
	"                        unreaped children, deaths by signal)\n"
	"      --explain         under each event of the timeline, say in plain\n"
	"                        words what it did: each clone flag, what an exec\n"
	"                        keeps and resets, what a status means\n"
	"  -v, --verbose         show every call with its raw decoded arguments\n"
	"                        (a spawn's every clone flag, an exec's path)\n"
	"      --no-fold         list like siblings one by one in the tree instead\n"
	"                        of as one line (\"×200 sleep 1  exited 0 ...\")\n"
	"      --width=N         fold lines to fit N columns (0: never); default:\n"
	"                        the terminal's width (COLUMNS, else the tty's)\n"
	"                        when writing to one, else no limit\n"
	"\n"
	"Filters (every format but json, which always records everything):\n"
	"      --pid=PID[,PID...]\n"
	"                        show only these processes and every process they\n"
	"                        and their descendants create (repeatable)\n"
	"      --match=REGEX     show only processes whose argv (joined by spaces)\n"
	"                        or exec'd path matches the POSIX extended REGEX,\n"
	"                        with their ancestors\n"
	"      --depth=N         show only processes at most N levels below the\n"
	"                        top (the root, or the --pid process, is level 0)\n"
	"\n"
	"Tracing:\n"
	"  -p, --attach=PID[,PID...]\n"
	"                        attach to running processes (repeatable) and to\n"
	"                        everything below them, instead of running a\n"
	"                        command; stops at every system call, since a\n"
	"                        running process cannot be given the filter\n"
	"      --no-seccomp      stop the command at every system call instead of\n"
	"                        only the traced ones (slower, same trace)\n"
	"  -k[DEPTH], --stack[=DEPTH]\n"
	"                        record the calling thread's stack (function+offset\n"
	"                        and object file, innermost first, at most DEPTH\n"
	"                        frames, default 16) at each spawn and exec\n"
	"      --env             record the environment of each exec (as the\n"
	"                        change from the one before it), so that 'show\n"
	"                        --failed' and the timeline print a command line\n"
	"                        that reproduces each failed process\n"
	"\n"
	"Miscellaneous:\n"
	"  -h, --help            show this help and exit\n"
	"  -V, --version         show the version and exit\n"
	"\n"
	"Options end at the first argument that is not an option, or after --,\n"
	"so 'procwatch ls -l' traces 'ls -l'.  'procwatch show' reads a trace\n"
	"written with --json back and shows it in any format ('procwatch show\n"
	"--help'; with --failed, only what failed); 'procwatch diff' compares\n"
	"two such traces ('procwatch diff --help'); 'procwatch -- show' traces\n"
	"a command named show, 'procwatch -- diff' one named diff.\n"
	"\n"
	"Exit status: the command's own; if the command was killed by a signal,\n"
	"procwatch ends itself by the same signal.  With -p, 0.  125 if\n"
	"procwatch itself failed, 126 if COMMAND could not be executed, 127 if it\n"
	"was not found.\n";

static const char *const time_names[] = {
	[PW_TIME_RELATIVE] = "relative",
	[PW_TIME_ABSOLUTE] = "absolute",
	[PW_TIME_NONE] = "none",
};

static const char *const color_names[] = {
	[PW_COLOR_AUTO] = "auto",
	[PW_COLOR_ALWAYS] = "always",
	[PW_COLOR_NEVER] = "never",
};

/* Where the hint sends the user: show has its own --help. */
static const char *hint_command = "procwatch";

/* Every usage error is one line naming the problem, then the same hint. */
static enum pw_cli_action __attribute__((format(printf, 2, 3)))
usage_error(FILE *err, const char *fmt, ...)
{
	va_list ap;

	char hint[64];

	snprintf(hint, sizeof(hint), "Try '%s --help' for more information.", hint_command);
	va_start(ap, fmt);
	pw_vmessage(err, hint, fmt, ap);
	va_end(ap);
	return PW_CLI_EXIT_FAILURE;
}

/*
 * "                          timeline  a line per event ..." for each
 * format; a name too long for the column gets its line under it, as the
 * options do.
 */
static void
put_formats(FILE *out)
{
	const struct pw_format *f;
	size_t n, i;

	f = pw_formats(&n);
	for (i = 0; i < n; i++)
		fprintf(out, "                          %-9s%s%s\n", f[i].name,
			strlen(f[i].name) > 9 ? "\n                                    " : " ",
			f[i].help);
}

void
pw_cli_usage(FILE *out)
{
	fputs(usage_head, out);
	put_formats(out);
	fputs(usage_tail, out);
}

/*
 * Sets opts->format from its name; an unknown name lists the valid ones.
 * "help" lists them, one a line, for scripts and shell completions.
 */
static enum pw_cli_action
parse_format(const char *name, struct pw_options *opts, FILE *out, FILE *err)
{
	const struct pw_format *f;
	char valid[128] = "";
	size_t i, n, used = 0;

	if (strcmp(name, "help") == 0) {
		for (f = pw_formats(&n), i = 0; i < n; i++)
			fprintf(out, "%s\t%s\n", f[i].name, f[i].help);
		return PW_CLI_EXIT_SUCCESS;
	}
	opts->format = pw_format_find(name);
	if (opts->format)
		return PW_CLI_RUN;
	for (f = pw_formats(&n), i = 0; i < n; i++) {
		/* snprintf truncates rather than overflows if the list grows. */
		used += (size_t)snprintf(valid + used, sizeof(valid) - used, "%s%s",
					 i > 0 ? ", " : "", f[i].name);
		if (used >= sizeof(valid))
			used = sizeof(valid) - 1;
	}
	return usage_error(err, "unknown format '%s' (valid formats: %s)",
			   name, valid);
}

/* Index of name in names[n], or -1 after a usage error naming the valid ones. */
static int
parse_choice(const char *opt, const char *name, const char *const *names,
	     size_t n, FILE *err)
{
	char valid[128] = "";
	size_t i, used = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(name, names[i]) == 0)
			return (int)i;
		used += (size_t)snprintf(valid + used, sizeof(valid) - used, "%s%s",
					 i > 0 ? ", " : "", names[i]);
		if (used >= sizeof(valid))
			used = sizeof(valid) - 1;
	}
	usage_error(err, "invalid %s '%s' (valid: %s)", opt, name, valid);
	return -1;
}

/* A count for opt (--argv-max, --depth): digits only, no sign, no overflow. */
static enum pw_cli_action
parse_count(const char *opt, const char *arg, unsigned long max, size_t *out, FILE *err)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || v > max)
		return usage_error(err, "invalid %s '%s' (a number from 0 to %lu)", opt, arg, max);
	*out = (size_t)v;
	return PW_CLI_RUN;
}

/*
 * PID[,PID...] for opt (-p, --pid): process ids, each once, at most max
 * in all, added to v[*n].
 */
static enum pw_cli_action
parse_pids(const char *opt, const char *arg, pid_t *v, size_t *n, size_t max, FILE *err)
{
	const char *p = arg;
	unsigned long id;
	char *end;
	size_t i;

	for (;;) {
		errno = 0;
		id = *p >= '0' && *p <= '9' ? strtoul(p, &end, 10) : 0;
		if (errno || id < 1 || id > INT_MAX || (*end && *end != ','))
			return usage_error(err, "invalid %s '%s' (process ids, as in %s 123 "
					   "or %s 123,456)", opt, arg, opt, opt);
		for (i = 0; i < *n && v[i] != (pid_t)id; i++)
			;
		if (i == *n) {
			if (*n == max)
				return usage_error(err, "%s: at most %zu processes", opt, max);
			v[(*n)++] = (pid_t)id;
		}
		if (!*end)
			return PW_CLI_RUN;
		p = end + 1;
	}
}

/* --match: a regex that does not compile is a usage error, saying why. */
static enum pw_cli_action
parse_match(const char *arg, struct pw_options *opts, FILE *err)
{
	char why[128];

	if (pw_filter_check_match(arg, why, sizeof(why)) < 0)
		return usage_error(err, "invalid --match '%s': %s", arg, why);
	opts->view.filter.match = arg;
	return PW_CLI_RUN;
}

/* --depth=N: levels below the top. */
static enum pw_cli_action
parse_depth(const char *arg, struct pw_options *opts, FILE *err)
{
	size_t v = 0;	/* gcc -O3 cannot see parse_count set it */

	if (parse_count("--depth", arg, PW_DEPTH_MAX, &v, err) != PW_CLI_RUN)
		return PW_CLI_EXIT_FAILURE;
	opts->view.filter.depth_set = true;
	opts->view.filter.depth = (unsigned)v;
	return PW_CLI_RUN;
}

/* --width=N: columns to fit, 0 for none; the terminal's when not given. */
static enum pw_cli_action
parse_width(const char *arg, struct pw_options *opts, FILE *err)
{
	size_t v;

	if (parse_count("--width", arg, PW_WIDTH_MAX, &v, err) != PW_CLI_RUN)
		return PW_CLI_EXIT_FAILURE;
	opts->width_set = true;
	opts->view.width = (unsigned)v;
	return PW_CLI_RUN;
}

/*
 * A trace always records every process: filters are for the views, and a
 * format that is not one (json) refuses them, naming one that was given.
 */
static enum pw_cli_action
check_filter_format(const struct pw_options *opts, const char *instead, FILE *err)
{
	const struct pw_filter_spec *f = &opts->view.filter;
	const char *opt = f->npids ? "--pid" : f->match ? "--match" : "--depth";

	if (!pw_filter_spec_active(f) || opts->failed || !opts->format->stream)
		return PW_CLI_RUN;
	return usage_error(err, "%s does not apply to the %s format: %s", opt,
			   opts->format->name, instead);
}

/* --stack=DEPTH: a frame count from 1 to PW_STACK_DEPTH_MAX. */
static enum pw_cli_action
parse_stack_depth(const char *arg, struct pw_options *opts, FILE *err)
{
	unsigned long v;
	char *end;

	if (!arg) {
		opts->stack_depth = PW_STACK_DEPTH_DEFAULT;
		return PW_CLI_RUN;
	}
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || v < 1 ||
	    v > PW_STACK_DEPTH_MAX)
		return usage_error(err, "invalid stack depth '%s' (-kDEPTH or --stack=DEPTH: "
				   "a number from 1 to %d)", arg, PW_STACK_DEPTH_MAX);
	opts->stack_depth = (unsigned)v;
	return PW_CLI_RUN;
}

/*
 * getopt_long keeps no record of which argument failed, so the caller
 * passes the one being parsed ("--form=x", "-x", "-Vx").  A long option is
 * named as typed, without its "=value"; a short one by its letter.
 */
static enum pw_cli_action
report_getopt_error(int c, const char *arg, FILE *err)
{
	int len;

	if (strncmp(arg, "--", 2) != 0) {
		if (c == ':')
			return usage_error(err, "option '-%c' requires an argument", optopt);
		return usage_error(err, "unknown option '-%c'", optopt);
	}
	len = (int)strcspn(arg, "=");
	if (c == ':')
		return usage_error(err, "option '%.*s' requires an argument", len, arg);
	/* A known long option given "=value" that it does not take. */
	if (optopt != 0 && arg[len] == '=')
		return usage_error(err, "option '%.*s' doesn't allow an argument", len, arg);
	return usage_error(err, "unknown option '%.*s'", len, arg);
}

static void
set_defaults(struct pw_options *opts)
{
	*opts = (struct pw_options){
		.format = NULL,		/* chosen by choose_format() */
		.output = NULL,
		.seccomp = true,
		.color = PW_COLOR_AUTO,
		.view = {
			.time = PW_TIME_RELATIVE,
			.argv_max = PW_ARGV_MAX_DEFAULT,
			.warnings = true,
		},
		.command = NULL,
		.command_argc = 0,
		.diff = {
			.slower_pct = PW_DIFF_SLOWER_PCT_DEFAULT,
			.slower_min_us = PW_DIFF_SLOWER_MIN_US_DEFAULT,
		},
	};
}

/* The options a format may make no use of (enum pw_view_option), by name. */
static const struct {
	int opt;
	unsigned bit;
	const char *name;
} view_options[] = {
	{ OPT_ARGV_MAX, PW_VOPT_ARGV, "--argv-max" },
	{ OPT_FULL_ARGV, PW_VOPT_ARGV, "--full-argv" },
	{ OPT_THREADS, PW_VOPT_THREADS, "--threads" },
	{ OPT_SUMMARY, PW_VOPT_SUMMARY, "--summary" },
	{ OPT_NO_WARNINGS, PW_VOPT_WARNINGS, "--no-warnings" },
	{ OPT_EXPLAIN, PW_VOPT_EXPLAIN, "--explain" },
	{ 'v', PW_VOPT_VERBOSE, "--verbose" },
	{ OPT_NO_FOLD, PW_VOPT_FOLD, "--no-fold" },
};

/* The bit of option c in pw_options.view_given: its index in view_options. */
static unsigned
view_option_of(int c)
{
	for (size_t i = 0; i < PW_ARRAY_SIZE(view_options); i++)
		if (view_options[i].opt == c)
			return 1u << i;
	return 0;
}

/*
 * A view option the chosen output shows nothing of is refused, not
 * silently ignored: "--json --explain" suggests the trace will hold
 * explanations, which it never does.  --color and --time are only
 * ignored where there is no colour or no time of day: they are settings
 * for how times and colours look, not requests for more, and scripts give
 * them to every format.
 */
static enum pw_cli_action
refuse_view_options(const struct pw_options *opts, unsigned honoured, const char *what,
		    FILE *err)
{
	size_t i;

	for (i = 0; i < PW_ARRAY_SIZE(view_options); i++)
		if ((opts->view_given & (1u << i)) && !(honoured & view_options[i].bit))
			return usage_error(err, "%s has no effect on %s", view_options[i].name, what);
	return PW_CLI_RUN;
}

static enum pw_cli_action
check_view_options(const struct pw_options *opts, FILE *err)
{
	char what[64];

	if (opts->failed)
		return refuse_view_options(opts, 0, "--failed", err);
	snprintf(what, sizeof(what), "the %s format", opts->format->name);
	return refuse_view_options(opts, opts->format->options, what, err);
}

/* The options of the timeline and tree views, and --help and --version. */
static enum pw_cli_action
apply_view_option(int c, struct pw_options *opts, FILE *out, FILE *err)
{
	int i;

	opts->view_given |= view_option_of(c);
	switch (c) {
	case OPT_TIME:
		i = parse_choice("--time", optarg, time_names, 3, err);
		if (i < 0)
			return PW_CLI_EXIT_FAILURE;
		opts->view.time = (enum pw_time_mode)i;
		return PW_CLI_RUN;
	case OPT_COLOR:
		i = parse_choice("--color", optarg, color_names, 3, err);
		if (i < 0)
			return PW_CLI_EXIT_FAILURE;
		opts->color = (enum pw_color_mode)i;
		return PW_CLI_RUN;
	case OPT_ARGV_MAX:
		return parse_count("--argv-max", optarg, PW_ARGV_MAX_MAX, &opts->view.argv_max, err);
	case OPT_PID:
		return parse_pids("--pid", optarg, opts->view.filter.pids,
				  &opts->view.filter.npids, PW_FILTER_PIDS_MAX, err);
	case OPT_MATCH:
		return parse_match(optarg, opts, err);
	case OPT_DEPTH:
		return parse_depth(optarg, opts, err);
	case OPT_FULL_ARGV:
		opts->view.argv_max = 0;
		return PW_CLI_RUN;
	case OPT_THREADS:
		opts->view.threads = true;
		return PW_CLI_RUN;
	case OPT_SUMMARY:
		opts->view.summary = true;
		return PW_CLI_RUN;
	case OPT_NO_WARNINGS:
		opts->view.warnings = false;
		return PW_CLI_RUN;
	case OPT_EXPLAIN:
		opts->view.explain = true;
		return PW_CLI_RUN;
	case 'v':
		opts->view.verbose = true;
		return PW_CLI_RUN;
	case OPT_NO_FOLD:
		opts->view.no_fold = true;
		return PW_CLI_RUN;
	case OPT_WIDTH:
		return parse_width(optarg, opts, err);
	case 'h':
		pw_cli_usage(out);
		return PW_CLI_EXIT_SUCCESS;
	case 'V':
		fputs("procwatch " PW_VERSION "\n", out);
		return PW_CLI_EXIT_SUCCESS;
	default:
		/* Only reachable if the table and this switch disagree. */
		return usage_error(err, "option %d is in the table but not handled", c);
	}
}

/* Handles one option; PW_CLI_RUN means "keep parsing". */
static enum pw_cli_action
apply_option(int c, struct pw_options *opts, FILE *out, FILE *err)
{
	switch (c) {
	case 'o':
		if (optarg[0] == '\0')
			return usage_error(err, "the output file name is empty");
		opts->output = optarg;
		return PW_CLI_RUN;
	case OPT_FORMAT:
		return parse_format(optarg, opts, out, err);
	case OPT_JSON:
		opts->format = pw_format_find("json");
		return PW_CLI_RUN;
	case OPT_NO_SECCOMP:
		opts->seccomp = false;
		return PW_CLI_RUN;
	case 'k':
		/* Only attached (-k32), as getopt takes optional arguments: "-k 32" traces 32. */
		return parse_stack_depth(optarg, opts, err);
	case 'p':
		return parse_pids("-p", optarg, opts->attach, &opts->nattach, PW_ATTACH_MAX, err);
	case OPT_STACK:
		return parse_stack_depth(optarg, opts, err);
	case OPT_ENV:
		opts->env = true;
		return PW_CLI_RUN;
	default:
		return apply_view_option(c, opts, out, err);
	}
}

typedef enum pw_cli_action (*option_fn)(int c, struct pw_options *opts,
					FILE *out, FILE *err);

/*
 * The getopt loop both command lines share: PW_CLI_RUN once the options
 * are done (the operands start at optind), anything else to end.
 */
static enum pw_cli_action
parse_options(int argc, char **argv, const char *short_opts,
	      const struct option *long_opts, option_fn apply,
	      struct pw_options *opts, FILE *out, FILE *err)
{
	enum pw_cli_action action;
	int c, at;

	set_defaults(opts);
	/*
	 * optind = 0 makes glibc reinitialise getopt completely (including the
	 * "+" ordering it caches), so the parser can be called more than once,
	 * as the unit tests do.  Messages are ours, not getopt's.
	 */
	optind = 0;
	opterr = 0;
	for (;;) {
		/* The argument getopt is about to look at, for error messages. */
		at = optind > 0 ? optind : 1;
		c = getopt_long(argc, argv, short_opts, long_opts, NULL);
		if (c == -1)
			return PW_CLI_RUN;
		if (c == '?' || c == ':')
			return report_getopt_error(c, at < argc ? argv[at] : "", err);
		action = apply(c, opts, out, err);
		if (action != PW_CLI_RUN)
			return action;
	}
}

/* True when name ends in suffix. */
static bool
has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	return n > k && strcmp(name + n - k, suffix) == 0;
}

/*
 * Without --format or --json, a file named for JSON gets the JSON Lines
 * trace: "-o trace.jsonl" that quietly held a timeline could not be read
 * back.  One named for HTML gets the HTML report, which a browser opens.
 * Otherwise the default, the timeline.  (--failed is no format: its list
 * goes wherever -o says.)
 */
static void
choose_format(struct pw_options *opts)
{
	const char *o = opts->output;

	if (opts->format)
		return;
	opts->format = pw_format_default();
	if (!o || opts->failed)
		return;
	if (has_suffix(o, ".jsonl") || has_suffix(o, ".json"))
		opts->format = pw_format_find("json");
	else if (has_suffix(o, ".html") || has_suffix(o, ".htm"))
		opts->format = pw_format_find("html");
}

enum pw_cli_action
pw_cli_parse(int argc, char **argv, struct pw_options *opts, FILE *out,
	     FILE *err)
{
	enum pw_cli_action action;

	hint_command = "procwatch";
	action = parse_options(argc, argv, short_options, pw_cli_longopts,
			       apply_option, opts, out, err);
	if (action != PW_CLI_RUN)
		return action;
	choose_format(opts);
	if (check_view_options(opts, err) != PW_CLI_RUN)
		return PW_CLI_EXIT_FAILURE;
	if (check_filter_format(opts, "a trace always records every process (record it "
				"whole, then filter what 'procwatch show' shows of it)",
				err) != PW_CLI_RUN)
		return PW_CLI_EXIT_FAILURE;
	if (opts->nattach) {
		if (optind < argc)
			return usage_error(err, "-p and a command cannot be combined "
					   "('%s'): attach, or run a command", argv[optind]);
		return PW_CLI_RUN;
	}
	if (optind >= argc)
		return usage_error(err, "no command given");
	/* argv[argc] is NULL (C11 5.1.2.2.1), so the tail is a valid argv. */
	opts->command = argv + optind;
	opts->command_argc = argc - optind;
	return PW_CLI_RUN;
}

/* `procwatch show`: the output and view options, no tracing ones. */
const struct option pw_cli_show_longopts[] = {
	{ "output",	required_argument,	NULL,	'o' },
	{ "format",	required_argument,	NULL,	OPT_FORMAT },
	{ "json",	no_argument,		NULL,	OPT_JSON },
	{ "time",	required_argument,	NULL,	OPT_TIME },
	{ "color",	required_argument,	NULL,	OPT_COLOR },
	{ "argv-max",	required_argument,	NULL,	OPT_ARGV_MAX },
	{ "full-argv",	no_argument,		NULL,	OPT_FULL_ARGV },
	{ "threads",	no_argument,		NULL,	OPT_THREADS },
	{ "summary",	no_argument,		NULL,	OPT_SUMMARY },
	{ "no-warnings", no_argument,		NULL,	OPT_NO_WARNINGS },
	{ "explain",	no_argument,		NULL,	OPT_EXPLAIN },
	{ "verbose",	no_argument,		NULL,	'v' },
	{ "no-fold",	no_argument,		NULL,	OPT_NO_FOLD },
	{ "width",	required_argument,	NULL,	OPT_WIDTH },
	{ "pid",	required_argument,	NULL,	OPT_PID },
	{ "match",	required_argument,	NULL,	OPT_MATCH },
	{ "depth",	required_argument,	NULL,	OPT_DEPTH },
	{ "failed",	no_argument,		NULL,	OPT_FAILED },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 },
};

static const char show_usage[] =
	"Usage: procwatch show [OPTIONS] TRACE.jsonl\n"
	"\n"
	"Show a trace recorded with 'procwatch --json -o TRACE.jsonl' as if it\n"
	"were being traced now, in any output format; '-' reads standard input.\n"
	"\n"
	"Options (as for tracing, see 'procwatch --help'):\n"
	"  -o, --output=FILE     write to FILE instead of standard output ('-'\n"
	"                        too; without --format, FILE.jsonl or FILE.json:\n"
	"                        the JSON Lines trace, FILE.html: the HTML report)\n"
	"      --format=FORMAT   timeline (default) or another format, as for\n"
	"                        tracing (--format=help lists them)\n"
	"      --json            same as --format=json\n"
	"      --time=WHEN       relative (default), absolute or none\n"
	"      --color=WHEN      auto (default), always or never\n"
	"      --argv-max=N      show at most N arguments of a command line\n"
	"      --full-argv       show every argument\n"
	"      --threads         list threads in the tree\n"
	"      --summary         print counts, the slowest, the biggest and the\n"
	"                        most run after the tree\n"
	"      --no-warnings     do not show or count warnings\n"
	"      --explain         explain each event in plain words\n"
	"  -v, --verbose         show every call with its raw decoded arguments\n"
	"      --no-fold         list like siblings one by one in the tree\n"
	"      --width=N         fold lines to fit N columns (0: never; default:\n"
	"                        the terminal's width on one, else no limit)\n"
	"      --pid=PID[,PID...]\n"
	"                        show only the subtrees of these processes\n"
	"      --match=REGEX     show only processes whose argv or exec'd path\n"
	"                        matches REGEX (POSIX extended), with their\n"
	"                        ancestors\n"
	"      --depth=N         show only processes at most N levels below the\n"
	"                        top (level 0)\n"
	"      --failed          instead of a format, only the processes that\n"
	"                        exited non-zero, were killed or failed to exec,\n"
	"                        deepest first, each with its full argv, cwd,\n"
	"                        status, CPU time and peak memory, and the chain\n"
	"                        that started it; exit 1 when there were any, 0\n"
	"                        when none\n"
	"  -h, --help            show this help and exit\n"
	"\n"
	"Damaged lines are reported as FILE:LINE and skipped.  Exit status: 0\n"
	"when the trace was read whole (a trace cut off by a killed job only\n"
	"warns), 125 when FILE is not a trace or had damaged lines.\n";

void
pw_cli_show_usage(FILE *out)
{
	fputs(show_usage, out);
}

/* show's own options (its --help, --failed), then the shared ones. */
static enum pw_cli_action
apply_show_option(int c, struct pw_options *opts, FILE *out, FILE *err)
{
	switch (c) {
	case 'h':
		pw_cli_show_usage(out);
		return PW_CLI_EXIT_SUCCESS;
	case OPT_FAILED:
		opts->failed = true;
		return PW_CLI_RUN;
	default:
		return apply_option(c, opts, out, err);
	}
}

enum pw_cli_action
pw_cli_parse_show(int argc, char **argv, struct pw_options *opts, FILE *out,
		  FILE *err)
{
	enum pw_cli_action action;

	hint_command = "procwatch show";
	action = parse_options(argc, argv, ":o:vh", pw_cli_show_longopts,
			       apply_show_option, opts, out, err);
	if (action != PW_CLI_RUN)
		return action;
	choose_format(opts);
	if (check_view_options(opts, err) != PW_CLI_RUN)
		return PW_CLI_EXIT_FAILURE;
	if (check_filter_format(opts, "show --json writes the trace back whole", err) !=
	    PW_CLI_RUN)
		return PW_CLI_EXIT_FAILURE;
	if (optind >= argc)
		return usage_error(err, "show: no trace file given");
	if (argc - optind > 1)
		return usage_error(err, "show: one trace file at a time ('%s' is extra)",
				   argv[optind + 1]);
	opts->command = argv + optind;
	opts->command_argc = 1;
	return PW_CLI_RUN;
}

/* `procwatch diff`: its own options, and the output ones it shares. */
const struct option pw_cli_diff_longopts[] = {
	{ "output",	required_argument,	NULL,	'o' },
	{ "json",	no_argument,		NULL,	OPT_JSON },
	{ "exact",	no_argument,		NULL,	OPT_EXACT },
	{ "slower",	required_argument,	NULL,	OPT_SLOWER },
	{ "slower-min",	required_argument,	NULL,	OPT_SLOWER_MIN },
	{ "color",	required_argument,	NULL,	OPT_COLOR },
	{ "argv-max",	required_argument,	NULL,	OPT_ARGV_MAX },
	{ "full-argv",	no_argument,		NULL,	OPT_FULL_ARGV },
	{ "width",	required_argument,	NULL,	OPT_WIDTH },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 },
};

static const char diff_usage[] =
	"Usage: procwatch diff [OPTIONS] A.jsonl B.jsonl\n"
	"\n"
	"Compare two traces recorded with 'procwatch --json -o TRACE.jsonl' from\n"
	"two runs of one job (a passing and a failing one): processes are matched\n"
	"by command under matched parents, and what differs is shown as a tree:\n"
	"processes only in A or only in B, another exit status or signal, another\n"
	"chain of execs, other failed execs, a duration that changed past\n"
	"--slower.  Pids, temporary file names and the directory of each run are\n"
	"normalised first (procwatch(1), DIFF).  '-' reads one of them from\n"
	"standard input.\n"
	"\n"
	"Options:\n"
	"  -o, --output=FILE     write to FILE instead of standard output ('-'\n"
	"                        too; FILE.json or FILE.jsonl: as with --json)\n"
	"      --json            one JSON document instead of the text tree\n"
	"      --exact           compare arguments and paths byte for byte, without\n"
	"                        normalising pids, temporary names and directories\n"
	"      --slower=PCT      report a duration that grew, or shrank, by PCT\n"
	"                        percent or more (default 50) ...\n"
	"      --slower-min=DURATION\n"
	"                        ... and by DURATION or more (default 1s; as 500ms,\n"
	"                        2s or 1.5m; a plain number is seconds)\n"
	"      --color=WHEN      auto (default), always or never\n"
	"      --argv-max=N      show at most N arguments of a command line\n"
	"      --full-argv       show every argument\n"
	"      --width=N         fold lines to fit N columns (0: never; default:\n"
	"                        the terminal's width on one, else no limit)\n"
	"  -h, --help            show this help and exit\n"
	"\n"
	"Only whole traces are compared.  Exit status: 0 when the runs match, 1\n"
	"when they differ, 125 for a bad option or a trace that cannot be read,\n"
	"is empty, damaged, cut short (no end event) or no trace.\n";

void
pw_cli_diff_usage(FILE *out)
{
	fputs(diff_usage, out);
}

/* --slower=PCT: a whole percentage, a '%' after it allowed. */
static enum pw_cli_action
parse_slower(const char *arg, struct pw_options *opts, FILE *err)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || errno || v > PW_DIFF_SLOWER_PCT_MAX ||
	    (*end && strcmp(end, "%") != 0))
		return usage_error(err, "invalid --slower '%s' (a percentage from 0 to %d)",
				   arg, PW_DIFF_SLOWER_PCT_MAX);
	opts->diff.slower_pct = (unsigned)v;
	return PW_CLI_RUN;
}

#define PW_DIFF_SLOWER_MIN_MAX_US (100ULL * 24 * 3600 * 1000000)	/* 100 days */

/* Microseconds per unit of a duration: us, ms, s, m, h; seconds without one. */
static double
duration_unit(const char *unit)
{
	static const struct { const char *name; double us; } units[] = {
		{ "", 1e6 }, { "us", 1 }, { "ms", 1e3 }, { "s", 1e6 },
		{ "m", 60e6 }, { "h", 3600e6 },
	};
	size_t i;

	for (i = 0; i < PW_ARRAY_SIZE(units); i++)
		if (strcmp(unit, units[i].name) == 0)
			return units[i].us;
	return 0;
}

/* --slower-min=DURATION: digits, maybe a fraction, then a unit. */
static enum pw_cli_action
parse_slower_min(const char *arg, struct pw_options *opts, FILE *err)
{
	size_t ints = strspn(arg, "0123456789"), frac = 0;
	double v = -1, unit;

	if (arg[ints] == '.')
		frac = strspn(arg + ints + 1, "0123456789");
	unit = duration_unit(arg + ints + (arg[ints] == '.') + frac);
	if (unit > 0 && ints + frac > 0)
		v = strtod(arg, NULL) * unit;
	if (v < 0 || v > (double)PW_DIFF_SLOWER_MIN_MAX_US)
		return usage_error(err, "invalid --slower-min '%s' (a duration such as 500ms, "
				   "2s or 1.5m, at most 100 days)", arg);
	opts->diff.slower_min_us = (uint64_t)(v + 0.5);
	return PW_CLI_RUN;
}

/* diff's own options (its --help, --json), then the shared ones. */
static enum pw_cli_action
apply_diff_option(int c, struct pw_options *opts, FILE *out, FILE *err)
{
	switch (c) {
	case 'h':
		pw_cli_diff_usage(out);
		return PW_CLI_EXIT_SUCCESS;
	case OPT_JSON:
		opts->diff.json = true;
		return PW_CLI_RUN;
	case OPT_EXACT:
		opts->diff.exact = true;
		return PW_CLI_RUN;
	case OPT_SLOWER:
		return parse_slower(optarg, opts, err);
	case OPT_SLOWER_MIN:
		return parse_slower_min(optarg, opts, err);
	default:
		return apply_option(c, opts, out, err);
	}
}

enum pw_cli_action
pw_cli_parse_diff(int argc, char **argv, struct pw_options *opts, FILE *out,
		  FILE *err)
{
	enum pw_cli_action action;
	const char *o;

	hint_command = "procwatch diff";
	action = parse_options(argc, argv, ":o:h", pw_cli_diff_longopts,
			       apply_diff_option, opts, out, err);
	if (action != PW_CLI_RUN)
		return action;
	/* As for show: a file named for JSON gets JSON. */
	o = opts->output;
	if (o && (has_suffix(o, ".jsonl") || has_suffix(o, ".json")))
		opts->diff.json = true;
	/* The JSON document always has every argument, as the trace does. */
	if (refuse_view_options(opts, opts->diff.json ? 0 : PW_VOPT_ARGV, "diff's JSON document",
				err) != PW_CLI_RUN)
		return PW_CLI_EXIT_FAILURE;
	if (argc - optind < 2)
		return usage_error(err, "diff: two trace files are needed (A.jsonl B.jsonl)");
	if (argc - optind > 2)
		return usage_error(err, "diff: two trace files at a time ('%s' is extra)",
				   argv[optind + 2]);
	if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0)
		return usage_error(err, "diff: only one of the traces can be standard input");
	opts->command = argv + optind;
	opts->command_argc = 2;
	return PW_CLI_RUN;
}
