/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sink behind every view for people: each event goes into one process
 * model (include/procwatch/model.h), once, then to the view, which renders
 * the model; when the trace ends the view writes what it writes at the
 * end.  A live run and `procwatch show` feed it the same way.
 */
#include <errno.h>
#include <stdlib.h>

#include "procwatch/filter.h"
#include "procwatch/model.h"
#include "procwatch/sink.h"
#include "view.h"

struct model_sink {
	struct pw_sink base;
	struct pw_model model;
	const struct pw_view *view;
	void *v;
	bool ended;		/* the view's end() was called */
};

static int
model_sink_event(struct pw_sink *sink, const struct pw_event *ev)
{
	struct model_sink *ms = (struct model_sink *)sink;
	struct pw_model_notes notes;
	int err = 0, end_err;

	/* Out of memory leaves the model consistent but incomplete; views say so. */
	(void)pw_model_event(&ms->model, ev, &notes);
	if (ms->view->event)
		err = ms->view->event(ms->v, &ms->model, ev, &notes);
	if (ev->kind == PW_EV_END && !ms->ended && !ms->view->end_at_close) {
		ms->ended = true;
		end_err = ms->view->end(ms->v, &ms->model);
		if (!err)
			err = end_err;
	}
	return err;
}

/*
 * A trace without an end event (procwatch failed, or a replayed trace of a
 * killed job) still gets what is written at the end, if it had anything.
 */
static int
model_sink_close(struct pw_sink *sink)
{
	struct model_sink *ms = (struct model_sink *)sink;
	int err = 0;

	if (!ms->ended)
		err = ms->view->end(ms->v, &ms->model);
	ms->view->destroy(ms->v);
	pw_model_destroy(&ms->model);
	free(ms);
	return err;
}

static const struct pw_sink_ops model_sink_ops = {
	.name = "model",
	.event = model_sink_event,
	.close = model_sink_close,
};

struct pw_sink *
pw_model_sink_new(FILE *out, const struct pw_view_opts *o, const struct pw_view *view,
		  void *data)
{
	struct model_sink *ms = calloc(1, sizeof(*ms));
	struct pw_model_opts mo = { .warnings = o->warnings };

	if (!ms)
		return NULL;
	view->needs(o, &mo);
	ms->v = view->create(out, o, data);
	if (!ms->v) {
		free(ms);
		return NULL;
	}
	ms->base.ops = &model_sink_ops;
	ms->base.out = out;
	ms->view = view;
	pw_model_init(&ms->model, &mo);
	if (pw_model_set_filter(&ms->model, &o->filter) < 0) {
		view->destroy(ms->v);
		pw_model_destroy(&ms->model);
		free(ms);
		return NULL;
	}
	return &ms->base;
}
