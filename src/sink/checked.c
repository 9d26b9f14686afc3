/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one place where a failed write of the output is reported.  main.c
 * puts every sink (each format, and show --failed) behind this wrapper, so
 * the message reads the same for all of them and comes once, wherever the
 * failure shows: at an event for the sinks that write as they go (timeline,
 * json), at the end event or the close for those that write at the end
 * (tree; perfetto, failed), or only at fclose(3), when stdio writes its
 * last buffer.
 *
 * After a failure the wrapped sink gets no more events: its output is
 * broken, and whatever it wrote next would follow a hole.  Its close still
 * goes through, to free it; what that writes is past the hole too, which
 * the message has already said.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/sink.h"

struct checked {
	struct pw_sink base;
	struct pw_sink *inner;
	const char *name;	/* NULL: named after the stream */
	enum pw_output_use use;
	FILE *err;		/* where the report goes */
	bool ended;		/* the end event came: nothing is traced any more */
	int failed;		/* the first -errno; 0 while every write succeeded */
};

/* What the failure means where it happened, said after the errno text. */
static const char *
consequence(const struct checked *c)
{
	if (c->use == PW_OUTPUT_SHOW)
		return "the output is incomplete";
	/*
	 * Tracing goes on after a failure (src/tracer/emit.c): stopping it
	 * would change what the traced command does.
	 */
	if (!c->ended)
		return "the trace is incomplete; tracing goes on and the command is not affected";
	return "the trace is incomplete";
}

static const char *
output_name(const struct checked *c)
{
	if (c->name)
		return c->name;
	return c->base.out == stdout ? "standard output" : "standard error";
}

static void
note_result(struct checked *c, int err)
{
	if (err >= 0 || c->failed)
		return;
	c->failed = err;
	pw_warn_to(c->err, "writing %s failed: %s; %s", output_name(c),
		   strerror(-err), consequence(c));
}

static int
checked_event(struct pw_sink *sink, const struct pw_event *ev)
{
	struct checked *c = (struct checked *)sink;

	/* The tree and perfetto sinks write at the end event. */
	if (ev->kind == PW_EV_END)
		c->ended = true;
	if (!c->failed)
		note_result(c, pw_sink_event(c->inner, ev));
	return c->failed;
}

/*
 * Closes the stream too (unless it is standard error or output): its last
 * buffer is written only then, and a failure there is a failure like any.
 */
static int
checked_close(struct pw_sink *sink)
{
	struct checked *c = (struct checked *)sink;
	FILE *out = sink->out;
	int failed;

	c->ended = true;
	note_result(c, pw_sink_close(c->inner));
	errno = 0;
	if (out != stderr && out != stdout) {
		if (fclose(out) != 0)
			note_result(c, errno ? -errno : -EIO);
	} else if (fflush(out) != 0 || ferror(out)) {
		note_result(c, errno ? -errno : -EIO);
	}
	failed = c->failed;
	free(c);
	return failed;
}

static const struct pw_sink_ops checked_ops = {
	.name = "checked",
	.event = checked_event,
	.close = checked_close,
};

struct pw_sink *
pw_sink_checked_new(struct pw_sink *inner, const char *name,
		    enum pw_output_use use, FILE *err)
{
	struct checked *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->base.ops = &checked_ops;
	c->base.out = inner->out;
	c->inner = inner;
	c->name = name;
	c->use = use;
	c->err = err;
	return &c->base;
}
