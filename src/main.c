/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procwatch's entry point: parse the command line, open the output, trace
 * the command, and end with the command's own status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procwatch/cli.h"
#include "procwatch/sink.h"
#include "procwatch/tracer.h"

/*
 * The output file is opened close-on-exec so that the traced command never
 * inherits it (a leaked descriptor would change what the command sees).
 */
static FILE *
open_output(const char *path)
{
	int fd;
	FILE *f;

	if (!path)
		return stderr;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		fprintf(stderr, "procwatch: cannot write %s: %s (check the path and its permissions)\n",
			path, strerror(errno));
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

/*
 * Colour only where a person sees it: --color=always forces it, auto wants
 * a terminal and no NO_COLOR (https://no-color.org: set and not empty).
 */
static bool
want_color(enum pw_color_mode mode, FILE *out)
{
	const char *no_color = getenv("NO_COLOR");

	if (mode != PW_COLOR_AUTO)
		return mode == PW_COLOR_ALWAYS;
	if (no_color && no_color[0])
		return false;
	return isatty(fileno(out)) == 1;
}

static struct pw_sink *
new_sink(struct pw_options *opts, FILE *out)
{
	opts->view.color = want_color(opts->color, out);
	switch (opts->format) {
	case PW_FORMAT_JSON:
		return pw_sink_json_new(out);
	case PW_FORMAT_TREE:
		return pw_sink_tree_new(out, &opts->view);
	case PW_FORMAT_PERFETTO:
		return pw_sink_perfetto_new(out, &opts->view);
	case PW_FORMAT_TIMELINE:
		break;
	}
	return pw_sink_timeline_new(out, &opts->view);
}

int
main(int argc, char **argv)
{
	struct pw_options opts;
	struct pw_sink *sink;
	FILE *out;
	int status, killed_by = 0;

	switch (pw_cli_parse(argc, argv, &opts, stdout, stderr)) {
	case PW_CLI_RUN:
		break;
	case PW_CLI_EXIT_SUCCESS:
		return fflush(stdout) == 0 ? EXIT_SUCCESS : PW_EXIT_FAILURE;
	case PW_CLI_EXIT_FAILURE:
	default:
		return PW_EXIT_FAILURE;
	}

	out = open_output(opts.output);
	if (!out)
		return PW_EXIT_FAILURE;
	sink = new_sink(&opts, out);
	if (!sink) {
		fputs("procwatch: out of memory\n", stderr);
		return PW_EXIT_FAILURE;
	}
	status = pw_trace_command(&opts, sink, &killed_by);
	/*
	 * A write error was reported when it happened, and tracing went on.
	 * An incomplete trace is procwatch's failure, but a failing command's
	 * own status says more, so it wins.
	 */
	if (pw_sink_close(sink) < 0 && status == 0)
		status = PW_EXIT_FAILURE;
	if (out != stderr && fclose(out) != 0 && status == 0) {
		fprintf(stderr, "procwatch: writing %s failed: %s\n", opts.output,
			strerror(errno));
		status = PW_EXIT_FAILURE;
	}
	if (killed_by)
		pw_die_by_signal(killed_by);
	return status;
}
