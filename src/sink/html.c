/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --format=html: one self-contained HTML file, the report of a run for a
 * person with a browser (opened from a CI artifact or a mail attachment,
 * from file://, without network): the process tree with failures first
 * and expanded, a bar per process on a time axis with the programs it
 * exec'd, a search over argv, and the details of a process.  The document
 * is the template of src/sink/html/ (report.html, .css, .js, compiled in
 * by meson as html_template.c) with the run inserted as JSON in a
 * <script type="application/json"> element (html_data.c).  Trace bytes
 * appear nowhere else in the document, are made safe there (the JSON
 * writer's HTML mode, pw_json_init_html(), escapes every '<', '>', '&',
 * U+2028 and U+2029), and the script puts them on the page as text only;
 * the template's Content-Security-Policy lets no other script run and
 * nothing be fetched.
 *
 * Written at the end, since how each process ended is known only then,
 * straight to the output.  A file that is not a trace at all gives no
 * document, as it gives no tree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/filter.h"
#include "procwatch/json_writer.h"
#include "procwatch/model.h"
#include "procwatch/sink.h"
#include "html.h"
#include "view.h"

struct html_view {
	FILE *out;
	struct pw_view_opts o;
	struct html_run run;
};

/* Every argument, exec, marker and stack, the descriptors an fd-leak is about. */
static void
html_needs(const struct pw_view_opts *o, struct pw_model_opts *mo)
{
	mo->argv_keep = 0;
	mo->stacks = true;
	mo->marks = true;
	mo->fds = true;
	mo->warnings = o->warnings;
	mo->scripts = true;	/* "interpreter": the details' "script run by" */
}

static void *
html_create(FILE *out, const struct pw_view_opts *o, void *data)
{
	struct html_view *hv = calloc(1, sizeof(*hv));

	(void)data;
	if (!hv)
		return NULL;
	hv->out = out;
	hv->o = *o;
	hv->run.o = &hv->o;
	return hv;
}

/* The command (or the pids) from the trace header, for the report's title. */
static int
keep_header(struct html_run *run, const struct pw_trace *tr)
{
	size_t i;

	run->header = true;
	run->attach = tr->attach;
	run->seccomp = tr->seccomp;
	run->stack_depth = tr->stack_depth;
	if (tr->argc && !(run->argv = calloc(tr->argc, sizeof(*run->argv))))
		return -ENOMEM;
	/* Counted first: a copy that failed half way is freed with the rest. */
	for (i = 0; i < tr->argc; i++) {
		run->argc++;
		if (pw_bytes_dup(&run->argv[i], &tr->argv[i]) < 0)
			return -ENOMEM;
	}
	if (tr->npids && !(run->pids = calloc(tr->npids, sizeof(*run->pids))))
		return -ENOMEM;
	if (tr->npids)
		memcpy(run->pids, tr->pids, tr->npids * sizeof(*run->pids));
	run->npids = tr->npids;
	return 0;
}

/* A warning's line, for the process it is about, as the timeline shows it. */
static void
keep_warning(struct html_run *run, const struct pw_model *m, const struct pw_warning *w)
{
	const struct pw_proc *p = pw_model_get(m, w->pid);
	struct html_warning *grown;
	size_t cap;

	if (!p)
		return;
	if (run->nwarnings == run->cap) {
		cap = run->cap ? run->cap * 2 : 16;
		grown = realloc(run->warnings, cap * sizeof(*grown));
		if (!grown)
			return;
		run->warnings = grown;
		run->cap = cap;
	}
	run->warnings[run->nwarnings] = (struct html_warning){
		.p = p, .kind = w->kind, .seq = run->nwarnings, .text = strdup(w->text),
	};
	if (run->warnings[run->nwarnings].text)
		run->nwarnings++;
}

/*
 * Only what the model does not keep: the header's command and the lines
 * of the warnings.  Out of memory drops them (the report says less, and
 * nothing failed to be written).
 */
static int
html_event(void *view, const struct pw_model *m, const struct pw_event *ev,
	   const struct pw_model_notes *notes)
{
	struct html_view *hv = view;
	size_t i;

	if (ev->kind == PW_EV_TRACE && !hv->run.header)
		(void)keep_header(&hv->run, &ev->u.trace);
	for (i = 0; i < notes->nwarnings; i++)
		keep_warning(&hv->run, m, &notes->warnings[i]);
	return 0;
}

/* The document: the template around the data, written as it is made. */
static int
html_end(void *view, const struct pw_model *m)
{
	struct html_view *hv = view;
	struct pw_json w;
	int err;

	if (!m->trace.known && !m->all)
		return 0;
	pw_json_init_html(&w, hv->out);
	pw_json_raw(&w, pw_html_head, pw_html_head_len);
	pw_html_put_data(&w, m, &hv->run);
	pw_json_raw(&w, pw_html_tail, pw_html_tail_len);
	err = pw_json_error(&w);
	return err ? err : pw_view_flush(hv->out);
}

static void
html_destroy(void *view)
{
	struct html_view *hv = view;
	size_t i;

	for (i = 0; i < hv->run.argc; i++)
		pw_bytes_clear(&hv->run.argv[i]);
	free(hv->run.argv);
	free(hv->run.pids);
	for (i = 0; i < hv->run.nwarnings; i++)
		free(hv->run.warnings[i].text);
	free(hv->run.warnings);
	free(hv);
}

const struct pw_view pw_view_html = {
	.needs = html_needs,
	.create = html_create,
	.event = html_event,
	.end = html_end,
	.end_at_close = true,
	.destroy = html_destroy,
};
