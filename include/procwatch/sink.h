/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sinks turn events into output.  Each sink writes to the FILE * it is given
 * and never looks at the tracer: everything it shows is in the events.
 * Tests hand sinks an open_memstream() stream.
 */
#ifndef PROCWATCH_SINK_H
#define PROCWATCH_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "procwatch/event.h"
#include "procwatch/filter.h"

struct pw_sink;

struct pw_sink_ops {
	const char *name;
	/* Writes one event; returns 0 or -errno (a write error). */
	int (*event)(struct pw_sink *sink, const struct pw_event *ev);
	/* Flushes; frees the sink but not the stream.  0 or -errno. */
	int (*close)(struct pw_sink *sink);
};

struct pw_sink {
	const struct pw_sink_ops *ops;
	FILE *out;
};

enum pw_time_mode {
	PW_TIME_RELATIVE,	/* seconds since the trace started */
	PW_TIME_ABSOLUTE,	/* wall-clock time of day */
	PW_TIME_NONE,
};

/* How the views for people (timeline, tree) look; JSON ignores these. */
struct pw_view_opts {
	enum pw_time_mode time;
	bool color;		/* ANSI colours: decided by the caller (tty, NO_COLOR) */
	size_t argv_max;	/* argv elements shown before eliding; 0: all */
	bool threads;		/* the tree lists threads instead of counting them */
	bool summary;		/* counts after the tree */
	bool warnings;		/* a line per warning (procwatch/warnings.h), counted */
	bool explain;		/* --explain: plain-English lines under events */
	bool verbose;		/* -v: every call with its raw decoded arguments */
	bool no_fold;		/* --no-fold: the tree lists like siblings one by one */
	/*
	 * Columns the lines must fit (a terminal's width): longer ones are
	 * folded under their own guides.  0: no limit (files and pipes).
	 */
	unsigned width;
	struct pw_filter_spec filter;	/* which processes to show (procwatch/filter.h) */
};

/* JSON Lines, format version 1 (see the man page): one flush per line. */
struct pw_sink *pw_sink_json_new(FILE *out);
/*
 * Only the failures (show --failed), after the last event; *found is set
 * at close to whether there were any.
 */
struct pw_sink *pw_sink_failed_new(FILE *out, const struct pw_view_opts *opts,
				   bool *found);

/*
 * The output formats, by name (src/sink/formats.c): a new format is one
 * row there and one file.  --help, the manual page check and the shell
 * completions read this list.
 */
/*
 * The view options a format makes use of: given with a format that shows
 * nothing of them, an option is a usage error, not silently ignored.
 */
enum pw_view_option {
	PW_VOPT_ARGV = 1 << 1,		/* --argv-max, --full-argv */
	PW_VOPT_THREADS = 1 << 2,	/* --threads */
	PW_VOPT_SUMMARY = 1 << 3,	/* --summary */
	PW_VOPT_WARNINGS = 1 << 4,	/* --no-warnings */
	PW_VOPT_EXPLAIN = 1 << 5,	/* --explain */
	PW_VOPT_VERBOSE = 1 << 6,	/* -v, --verbose */
	PW_VOPT_FOLD = 1 << 7,		/* --no-fold */
};

struct pw_format {
	const char *name;
	const char *help;	/* what it is, in a few words for --help */
	unsigned options;	/* enum pw_view_option: those it makes use of */
	/* A stream that needs no process model (JSON), or else a view of it. */
	struct pw_sink *(*stream)(FILE *out);
	const struct pw_view *view;
};

/* The formats in the order --help lists them; *n is set to how many. */
const struct pw_format *pw_formats(size_t *n);
/* The format named name; NULL when there is none. */
const struct pw_format *pw_format_find(const char *name);
/* The default, when --format is not given: the timeline. */
const struct pw_format *pw_format_default(void);
/*
 * What format f shows of each successful exec that costs a /proc read per
 * exec while tracing: the file the kernel runs (exe: a #! script's
 * interpreter) and the descriptors the program inherited.
 */
void pw_format_exec_needs(const struct pw_format *f, const struct pw_view_opts *opts,
			  bool *exe, bool *fds);
/* A sink writing format f to out; NULL when out of memory. */
struct pw_sink *pw_format_sink(const struct pw_format *f, FILE *out,
			       const struct pw_view_opts *opts);

/* What the output holds, for the words of a write failure's message. */
enum pw_output_use {
	PW_OUTPUT_TRACE,	/* a live run's trace */
	PW_OUTPUT_SHOW,		/* procwatch show: a view of a recorded trace */
};

/*
 * Wraps inner so that the first write failure of its output (an event, its
 * close, or closing the stream) is reported once, in one line on err naming
 * the output and the errno text; after it, events go no further.  name
 * NULL: "standard output" if the stream is stdout, else "standard error".
 * Its close also closes inner's stream unless that is stdout or stderr, and
 * returns the first -errno, or 0 if every write succeeded.  NULL when out
 * of memory (inner is then left to the caller).
 */
struct pw_sink *pw_sink_checked_new(struct pw_sink *inner, const char *name,
				    enum pw_output_use use, FILE *err);

static inline int
pw_sink_event(struct pw_sink *sink, const struct pw_event *ev)
{
	return sink->ops->event(sink, ev);
}

static inline int
pw_sink_close(struct pw_sink *sink)
{
	return sink->ops->close(sink);
}

#endif
