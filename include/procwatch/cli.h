/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line: options parsed into struct pw_options, the usage text,
 * and procwatch's exit statuses.  src/cli.c holds the getopt_long table.
 */
#ifndef PROCWATCH_CLI_H
#define PROCWATCH_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "procwatch/base.h"
#include "procwatch/diff.h"
#include "procwatch/event.h"
#include "procwatch/sink.h"

enum pw_color_mode {
	PW_COLOR_AUTO,		/* on a terminal, unless NO_COLOR is set */
	PW_COLOR_ALWAYS,
	PW_COLOR_NEVER,
};

#define PW_ARGV_MAX_DEFAULT 12
#define PW_ATTACH_MAX 1024	/* processes -p may name */

struct pw_options {
	const struct pw_format *format;	/* --format (src/sink/formats.c) */
	/* -o FILE; NULL: standard error when tracing, standard output for show; "-": standard output */
	const char *output;
	bool seccomp;		/* false with --no-seccomp */
	unsigned stack_depth;	/* -k/--stack: frames per stack; 0: no stacks */
	bool env;		/* --env: record each exec's environment */
	enum pw_color_mode color;
	struct pw_view_opts view;	/* view.color is decided by main from color */
	bool width_set;		/* --width given: else main decides view.width */
	unsigned view_given;	/* the view options given (src/cli.c, view_options) */
	bool failed;		/* show --failed: only the failures */
	char **command;		/* NULL-terminated argv of the traced command */
	int command_argc;
	pid_t attach[PW_ATTACH_MAX];	/* -p: processes to attach to, instead of a command */
	size_t nattach;
	struct pw_diff_opts diff;	/* procwatch diff: its own options */
};

enum pw_cli_action {
	PW_CLI_RUN,		/* trace opts->command */
	PW_CLI_EXIT_SUCCESS,	/* --help or --version was printed */
	PW_CLI_EXIT_FAILURE,	/* a usage error was printed: exit PW_EXIT_FAILURE */
};

/* Parses argv; help and version go to out, errors (one line + hint) to err. */
enum pw_cli_action pw_cli_parse(int argc, char **argv, struct pw_options *opts,
				FILE *out, FILE *err);

/*
 * `procwatch show [OPTIONS] TRACE`: argv[0] is "show"; the trace file name
 * becomes opts->command[0].
 */
enum pw_cli_action pw_cli_parse_show(int argc, char **argv,
				     struct pw_options *opts, FILE *out,
				     FILE *err);

/*
 * `procwatch diff [OPTIONS] A B`: argv[0] is "diff"; the two trace file
 * names become opts->command[0] and [1], the options opts->diff (and
 * -o, --color, --argv-max as for show).
 */
enum pw_cli_action pw_cli_parse_diff(int argc, char **argv,
				     struct pw_options *opts, FILE *out,
				     FILE *err);

/* The --help texts; the list of formats comes from src/sink/formats.c. */
void pw_cli_usage(FILE *out);
void pw_cli_show_usage(FILE *out);
void pw_cli_diff_usage(FILE *out);
extern const struct option pw_cli_show_longopts[];
extern const struct option pw_cli_diff_longopts[];
/* The getopt_long table, ended by a zeroed entry; tests check it against pw_cli_usage. */
extern const struct option pw_cli_longopts[];

#endif
