/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procwatch's entry point: parse the command line, open the output, trace
 * the command, and end with the command's own status.
 */
#include <errno.h>
#include <fcntl.h>
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
	sink = opts.format == PW_FORMAT_JSON ? pw_sink_json_new(out)
					     : pw_sink_text_new(out);
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
