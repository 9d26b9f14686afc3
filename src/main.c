/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procwatch's entry point: parse the command line, open the output, trace
 * the command, and end with the command's own status.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procwatch/cli.h"
#include "procwatch/diff.h"
#include "procwatch/replay.h"
#include "procwatch/sink.h"
#include "procwatch/tracer.h"

/* "-" is standard output, as for most tools; in messages it is named so. */
static bool
is_stdout_name(const char *path)
{
	return path && strcmp(path, "-") == 0;
}

/*
 * True when fd is the very file the trace is read from (same device and
 * inode: the same path, a symlink or a hard link to it).  Writing there
 * would empty or grow the trace while it is read.  Only a regular file:
 * a terminal may well be both what show reads and where it writes.
 */
static bool
same_file(int fd, const struct stat *input)
{
	struct stat st;

	return input && S_ISREG(input->st_mode) && fstat(fd, &st) == 0 &&
	       st.st_dev == input->st_dev && st.st_ino == input->st_ino;
}

/*
 * The output file is opened close-on-exec so that the traced command never
 * inherits it (a leaked descriptor would change what the command sees),
 * and not through another user's symlink or into another user's file in
 * a shared sticky directory such as /tmp (pw_open_output_file).
 * No -o: dflt, standard error while tracing (where the trace cannot mix
 * with the command's own output), standard output for show.  input, for
 * show, is the trace: the file is opened without O_TRUNC and compared
 * with it first, and only then truncated, so that -o naming the trace
 * refuses instead of emptying it.
 */
static FILE *
open_output(const char *path, FILE *dflt, const struct stat *input)
{
	const char *why;
	int fd;
	FILE *f;

	if (!path)
		return dflt;
	if (is_stdout_name(path))
		return stdout;
	fd = pw_open_output_file(path, &why);
	if (fd < 0 && why) {
		pw_warn("refusing to write %s: %s", path, why);
		return NULL;
	}
	if (fd < 0) {
		pw_warn("cannot write %s: %s (check the path and its permissions)",
			path, strerror(-fd));
		return NULL;
	}
	if (same_file(fd, input)) {
		pw_warn("not writing %s: it is the trace being read", path);
		close(fd);
		return NULL;
	}
	if (ftruncate(fd, 0) < 0 && errno != EINVAL) {
		pw_warn("cannot write %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

/* show's output, anywhere but onto the trace it reads (in). */
static FILE *
open_show_output(const char *path, FILE *in)
{
	struct stat input;

	if (fstat(fileno(in), &input) < 0)
		input.st_mode = 0;
	if ((!path || is_stdout_name(path)) && same_file(STDOUT_FILENO, &input)) {
		pw_warn("not writing standard output: it is the trace being read");
		return NULL;
	}
	return open_output(path, stdout, &input);
}

/* The name a write failure is reported under: NULL for the standard streams. */
static const char *
output_name(const char *path)
{
	return is_stdout_name(path) ? NULL : path;
}

/*
 * Colour only where a person sees it: --color=always forces it, auto wants
 * a terminal that is not TERM=dumb (terminfo's name for one that knows no
 * escape sequences) and no NO_COLOR (https://no-color.org: set and not
 * empty).
 */
static bool
want_color(enum pw_color_mode mode, FILE *out)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (mode != PW_COLOR_AUTO)
		return mode == PW_COLOR_ALWAYS;
	if ((no_color && no_color[0]) || (term && strcmp(term, "dumb") == 0))
		return false;
	return isatty(fileno(out)) == 1;
}

/*
 * The width lines are folded to: --width if given; on a terminal, COLUMNS
 * when it holds a number (as ls(1) reads it; a shell sets it after a
 * resize), else the terminal's own size; a file or pipe gets whole lines,
 * for grep and diff, whatever COLUMNS says.
 */
static unsigned
want_width(const struct pw_options *opts, FILE *out)
{
	const char *columns = getenv("COLUMNS");
	struct winsize ws;
	unsigned long v;
	char *end;

	if (opts->width_set)
		return opts->view.width;
	if (isatty(fileno(out)) != 1)
		return 0;
	if (columns && columns[0] >= '1' && columns[0] <= '9') {
		errno = 0;
		v = strtoul(columns, &end, 10);
		if (!*end && !errno && v <= 100000)
			return (unsigned)v;
	}
	if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

static struct pw_sink *
new_sink(struct pw_options *opts, FILE *out)
{
	opts->view.color = want_color(opts->color, out);
	opts->view.width = want_width(opts, out);
	return pw_format_sink(opts->format, out, &opts->view);
}

static struct pw_sink *
new_failed_sink(struct pw_options *opts, FILE *out, bool *found)
{
	opts->view.color = want_color(opts->color, out);
	return pw_sink_failed_new(out, &opts->view, found);
}

/*
 * Every output goes through the checked sink (src/sink/checked.c), the one
 * place a failed write is reported.  Out of memory: 125 and a message.
 */
static struct pw_sink *
checked(struct pw_sink *inner, const char *name, enum pw_output_use use)
{
	struct pw_sink *sink = inner ? pw_sink_checked_new(inner, name, use, stderr)
				     : NULL;

	if (!sink) {
		if (inner)
			(void)pw_sink_close(inner);
		pw_warn("%s", strerror(ENOMEM));
	}
	return sink;
}

/*
 * A full file (RLIMIT_FSIZE: SIGXFSZ, whose default action is to die) or a
 * reader that went away (SIGPIPE) must end in a failed write that is
 * reported, not in a silent death (signal(7), setrlimit(2)).  Only where
 * no command is started after it: an ignored signal stays ignored across
 * execve(2), and the command must get the dispositions procwatch got.
 */
static void
ignore_write_signals(void)
{
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
}

/* Feeds every event of the trace to the sink; 125 if it was not read whole. */
static int
replay_into(struct pw_replay *r, struct pw_sink *sink)
{
	enum pw_replay_status st;
	struct pw_event ev;
	int status = 0;

	while ((st = pw_replay_next(r, &ev)) == PW_REPLAY_EVENT) {
		if (pw_sink_event(sink, &ev) < 0)
			status = PW_EXIT_FAILURE;
		pw_event_clear(&ev);
	}
	if (st == PW_REPLAY_NOT_TRACE || pw_replay_damaged(r) > 0)
		status = PW_EXIT_FAILURE;
	return status;
}

/*
 * `procwatch show TRACE`: the recorded events go through the same sinks as
 * live ones, so each view of a replayed run is the view of the live run.
 * A file that is not a trace at all shows nothing (not even an empty tree).
 */
/* pw_cli_parse, pw_cli_parse_show or pw_cli_parse_diff. */
typedef enum pw_cli_action (*cli_parser)(int argc, char **argv, struct pw_options *opts,
					  FILE *out, FILE *err);

/*
 * Parses the command line with parse: a status to end with, or -1 to go
 * on and run.  What the options print (--help, --version, --format=help)
 * is gathered in memory and written at once, so that a failed write is
 * seen, with its errno, and reported like any.
 */
static int
parse_cli(cli_parser parse, int argc, char **argv, struct pw_options *opts)
{
	enum pw_cli_action action;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int status = PW_EXIT_FAILURE;

	if (!mem)
		return pw_fail("%s", strerror(errno));
	action = parse(argc, argv, opts, mem, stderr);
	if (fclose(mem) != 0) {
		free(text);
		return pw_fail("%s", strerror(ENOMEM));
	}
	if (action == PW_CLI_RUN) {
		status = -1;
	} else if (action == PW_CLI_EXIT_SUCCESS) {
		errno = 0;
		if (fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0)
			status = EXIT_SUCCESS;
		else
			pw_warn("writing standard output failed: %s",
				strerror(errno ? errno : EIO));
	}
	free(text);
	return status;
}

static int
show_main(int argc, char **argv)
{
	struct pw_options opts;
	struct pw_replay *r;
	struct pw_sink *sink = NULL;
	const char *path;
	FILE *in, *out = NULL;
	bool failures = false;
	int status;

	status = parse_cli(pw_cli_parse_show, argc, argv, &opts);
	if (status >= 0)
		return status;
	status = PW_EXIT_FAILURE;
	path = opts.command[0];
	in = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	if (!in) {
		return pw_fail("cannot read %s: %s", path, strerror(errno));
	}
	ignore_write_signals();
	r = pw_replay_new(in, strcmp(path, "-") == 0 ? "(stdin)" : path, stderr);
	if (r && (out = open_show_output(opts.output, in)))
		sink = checked(opts.failed ? new_failed_sink(&opts, out, &failures)
					   : new_sink(&opts, out),
			       output_name(opts.output), PW_OUTPUT_SHOW);
	if (sink) {
		status = replay_into(r, sink);
		/*
		 * --failed is for CI: failures found say more than damage, but
		 * a list that could not be written says nothing: that wins.
		 */
		if (pw_sink_close(sink) < 0)
			status = PW_EXIT_FAILURE;
		else if (failures)
			status = 1;
	} else if (out && out != stderr && out != stdout) {
		fclose(out);
	}
	pw_replay_free(r);
	if (in != stdin)
		fclose(in);
	return status;
}

/* The comparison written where -o says, behind the checked sink. */
static int
write_diff(struct pw_options *opts, const struct pw_diff *d, const char *const names[2])
{
	struct pw_sink *sink;
	/* Both traces were read whole: an -o naming one replaces it, as asked. */
	FILE *out = open_output(opts->output, stdout, NULL);

	if (!out)
		return PW_EXIT_FAILURE;
	opts->view.color = !opts->diff.json && want_color(opts->color, out);
	opts->view.width = opts->diff.json ? 0 : want_width(opts, out);
	sink = checked(pw_sink_diff_new(out, d, &opts->view, names[0], names[1]),
		       output_name(opts->output), PW_OUTPUT_SHOW);
	if (!sink) {
		if (out != stdout)
			fclose(out);
		return PW_EXIT_FAILURE;
	}
	if (pw_sink_close(sink) < 0)
		return PW_EXIT_FAILURE;
	return d->nentries ? 1 : 0;
}

/*
 * `procwatch diff A B`: both traces into models, compared, written.  0
 * when they match, 1 when they differ, 125 when a trace could not be read
 * (the first bad one is named, in one line and a hint) or the output
 * written.
 */
static int
diff_main(int argc, char **argv)
{
	struct pw_options opts;
	struct pw_model m[2];
	struct pw_diff *d = NULL;
	const char *names[2];
	int status, loaded, i;

	status = parse_cli(pw_cli_parse_diff, argc, argv, &opts);
	if (status >= 0)
		return status;
	ignore_write_signals();
	status = 0;
	for (loaded = 0; loaded < 2 && !status; loaded++) {
		names[loaded] = strcmp(opts.command[loaded], "-") == 0 ? "(stdin)"
								      : opts.command[loaded];
		status = pw_diff_load(&m[loaded], opts.command[loaded], stderr);
	}
	if (!status && !(d = pw_diff_new(&m[0], &m[1], &opts.diff)))
		status = pw_fail("%s", strerror(ENOMEM));
	if (d)
		status = write_diff(&opts, d, names);
	pw_diff_free(d);
	for (i = 0; i < loaded; i++)
		pw_model_destroy(&m[i]);
	return status;
}

/* The CLI's options onto the tracer's own, then launch or attach, and run. */
static int
trace(const struct pw_options *opts, struct pw_sink *sink, int *killed_by)
{
	struct pw_tracer_opts topts = {
		.seccomp = opts->seccomp,
		.stack_depth = opts->stack_depth,
		.env = opts->env,
	};
	struct pw_tracer *t;
	int status;

	pw_format_exec_needs(opts->format, &opts->view, &topts.exe, &topts.fds);
	*killed_by = 0;
	status = pw_tracer_new(&topts, sink, &t);
	if (!status && opts->nattach)
		status = pw_tracer_attach(t, opts->attach, opts->nattach);
	else if (!status)
		status = pw_tracer_launch(t, opts->command);
	if (!status)
		status = pw_tracer_run(t, killed_by);
	pw_tracer_free(t);
	return status;
}

int
main(int argc, char **argv)
{
	struct pw_options opts;
	struct pw_sink *sink;
	FILE *out;
	int status, killed_by = 0;

	/* Only as the first word: 'procwatch -- show' traces a command named show. */
	if (argc > 1 && strcmp(argv[1], "show") == 0)
		return show_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "diff") == 0)
		return diff_main(argc - 1, argv + 1);
	status = parse_cli(pw_cli_parse, argc, argv, &opts);
	if (status >= 0)
		return status;

	out = open_output(opts.output, stderr, NULL);
	if (!out)
		return PW_EXIT_FAILURE;
	sink = checked(new_sink(&opts, out), output_name(opts.output), PW_OUTPUT_TRACE);
	if (!sink)
		return PW_EXIT_FAILURE;
	status = trace(&opts, sink, &killed_by);
	/*
	 * The tracer ignores them once the command runs; a launch that failed
	 * never got there, and the close may still write (tree, perfetto).
	 */
	ignore_write_signals();
	/*
	 * A write error was reported once, when it happened, and tracing went
	 * on.  An incomplete trace is procwatch's failure, but a failing
	 * command's own status says more, so it wins.
	 */
	if (pw_sink_close(sink) < 0 && status == 0)
		status = PW_EXIT_FAILURE;
	if (killed_by)
		pw_die_by_signal(killed_by);
	return status;
}
