/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `procwatch diff`'s output as a sink that writes at its close, so that
 * main.c puts it behind the checked sink (checked.c) like every other
 * output, and a failed write is reported the one way.  It takes no events:
 * the comparison is made before, from two models.
 */
#include <stdlib.h>

#include "procwatch/diff.h"
#include "procwatch/sink.h"

struct diff_sink {
	struct pw_sink base;
	const struct pw_diff *d;
	struct pw_view_opts o;
	const char *name_a, *name_b;
};

static int
diff_sink_event(struct pw_sink *sink, const struct pw_event *ev)
{
	(void)sink;
	(void)ev;
	return 0;
}

static int
diff_sink_close(struct pw_sink *sink)
{
	struct diff_sink *ds = (struct diff_sink *)sink;
	int err;

	if (ds->d->opts.json)
		err = pw_diff_write_json(sink->out, ds->d, ds->name_a, ds->name_b);
	else
		err = pw_diff_write_text(sink->out, ds->d, &ds->o, ds->name_a, ds->name_b);
	free(ds);
	return err;
}

static const struct pw_sink_ops diff_sink_ops = {
	.name = "diff",
	.event = diff_sink_event,
	.close = diff_sink_close,
};

struct pw_sink *
pw_sink_diff_new(FILE *out, const struct pw_diff *d, const struct pw_view_opts *vo,
		 const char *name_a, const char *name_b)
{
	struct diff_sink *ds = calloc(1, sizeof(*ds));

	if (!ds)
		return NULL;
	ds->base.ops = &diff_sink_ops;
	ds->base.out = out;
	ds->d = d;
	ds->o = *vo;
	ds->name_a = name_a;
	ds->name_b = name_b;
	return &ds->base;
}
