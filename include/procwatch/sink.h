/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sinks turn events into output.  Each sink writes to the FILE * it is given
 * and never looks at the tracer: everything it shows is in the events.
 * Tests hand sinks an open_memstream() stream.
 */
#ifndef PROCWATCH_SINK_H
#define PROCWATCH_SINK_H

#include <stdio.h>

#include "procwatch/event.h"

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

/* JSON Lines, format version 1 (see the man page): one flush per line. */
struct pw_sink *pw_sink_json_new(FILE *out);
/* Plain text, one line per event (the timeline until the annotated one lands). */
struct pw_sink *pw_sink_text_new(FILE *out);

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
