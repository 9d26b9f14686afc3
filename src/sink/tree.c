/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process tree: after the last event, every process once, in spawn
 * order under the process that created it, with what it ran (the exec chain
 * joined by →), how it ended, how long it lived and what it used (CPU
 * time, peak memory) when that was read.  A process procwatch
 * attached to (-p) starts its chain with the command line it was found
 * running with, and its lifetime counts what it had run before.  An orphan stays under
 * its creator, where a reader looks for it, and says who reaped it instead.
 * With filters (procwatch/filter.h) only the processes shown, from the top
 * of what is shown.
 * Printed at the end of the timeline, or alone with --format=tree.  The walk
 * is iterative so that a fork chain thousands deep cannot exhaust the stack.
 */
#include <stdlib.h>

#include "procwatch/filter.h"
#include "procwatch/model.h"
#include "procwatch/sink.h"
#include "view.h"

/* last[d]: the ancestor at depth d was the last of its siblings. */
struct guides {
	bool *last;
	size_t size;
};

static bool
guides_set(struct guides *g, unsigned depth, bool last)
{
	bool *grown;
	size_t size;

	if (depth >= g->size) {
		size = (depth + 1) * 2;
		grown = realloc(g->last, size * sizeof(*grown));
		if (!grown)
			return false;
		g->last = grown;
		g->size = size;
	}
	g->last[depth] = last;
	return true;
}

static void
put_prefix(FILE *out, const struct pw_view_opts *o, const struct guides *g,
	   unsigned depth)
{
	unsigned d;

	if (depth == 0)
		return;
	pw_view_color(out, o, PW_COLOR_DIM);
	for (d = 1; d < depth; d++) {
		if (pw_view_guide_shown(depth, d))
			fputs(g->last[d] ? "   " : "│  ", out);
		else if (d == PW_VIEW_GUIDES_KEEP + 1)
			pw_view_guide_mark(out, depth);
	}
	fputs(g->last[depth] ? "└─ " : "├─ ", out);
	pw_view_reset(out, o);
}

/*
 * What p ran: the command line it was found running with when attached,
 * then each exec's, joined by arrows; its name when there is neither.
 */
static void
put_what_ran(FILE *out, const struct pw_view_opts *o, const struct pw_proc *p)
{
	const struct pw_image *im;
	bool any = false;

	for (im = p->images; im; im = im->next) {
		if (!pw_view_image_shown(im))
			continue;
		if (any)
			fputs(" → ", out);
		pw_view_model_argv(out, o, &im->argv);
		any = true;
	}
	if (any)
		return;
	putc('(', out);
	if (p->name[0])
		pw_view_name(out, p->name);
	else
		fputs("name unknown", out);
	putc(')', out);
}

/* Orphaned, reaped by someone else, never reaped: what a reader must notice. */
static void
put_marks(FILE *out, const struct pw_view_opts *o, const struct pw_proc *p)
{
	if (p->failed_execs)
		fprintf(out, ", %u failed exec%s", p->failed_execs,
			p->failed_execs == 1 ? "" : "s");
	if (p->threads && !o->threads)
		fprintf(out, ", +%u thread%s", p->threads, p->threads == 1 ? "" : "s");
	if (!p->up)
		return;
	if (p->orphaned)
		fputs(", orphaned", out);
	if (p->reaped_by_tracer)
		fputs(", reaped by procwatch (its parent)", out);
	else if (p->reaped && p->reaped_by_other)
		fprintf(out, ", reaped by %d instead of %d", (int)p->reaper, (int)p->ppid);
	else if (p->exited && !p->reaped && !p->orphaned && p->up->detached &&
		 p->up->pid == p->ppid)
		fputs(", not reaped yet when procwatch detached", out);	/* its parent may still */
	else if (p->exited && !p->reaped)
		fputs(p->orphaned ? ", not reaped by a traced process"
				  : ", not reaped by its parent", out);
}

/*
 * The warnings given about p, by name, for a reader of the tree alone.  A
 * kill is not repeated: the status already says it.
 */
static void
put_warned(FILE *out, const struct pw_view_opts *o, unsigned kinds)
{
	int k;

	for (k = 0; k < PW_WARN_KINDS; k++) {
		if (!(kinds & 1u << k) || k == PW_WARN_KILLED)
			continue;
		fputs(", ", out);
		pw_view_color(out, o, PW_COLOR_WARN);
		fprintf(out, "⚠ %s", pw_warning_kind_name((enum pw_warning_kind)k));
		pw_view_reset(out, o);
	}
}

/*
 * A child made with CLONE_UNTRACED: procwatch saw only its creation, and
 * what a wait that reaped it said, if one did and asked for the status.
 */
static void
put_untraced(FILE *out, const struct pw_view_opts *o, const struct pw_model *m,
	     const struct pw_proc *p)
{
	pw_view_not_ended(out, m, p);
	if (p->exited && p->status.kind != PW_STATUS_NONE) {
		fputs(", reaped: ", out);
		pw_view_status(out, o, &p->status);
	}
}

static void
put_proc(FILE *out, const struct pw_view_opts *o, const struct pw_model *m,
	 const struct pw_proc *p)
{
	fprintf(out, "%d ", (int)p->pid);
	put_what_ran(out, o, p);
	fputs("  ", out);
	if (p->attached) {
		fputs("attached (had run ", out);
		pw_view_dur(out, p->age_us);
		fputs("), ", out);
	}
	if (p->untraced) {
		put_untraced(out, o, m, p);
	} else if (p->exited) {
		pw_view_status(out, o, &p->status);
		fputs(" after ", out);
		pw_view_dur(out, pw_proc_lifetime(p, p->exit_us));
		if (p->usage.known) {
			fputs(", ", out);
			pw_view_usage(out, &p->usage, false);
		}
	} else {
		pw_view_not_ended(out, m, p);
	}
	put_marks(out, o, p);
	put_warned(out, o, p->warned);
	putc('\n', out);
}

static void
put_thread(FILE *out, const struct pw_view_opts *o, const struct pw_proc *p,
	   const struct pw_thread_rec *t)
{
	fprintf(out, "thread %d  ", (int)t->tid);
	if (!t->exited) {
		if (p->detached)
			fputs("still running when procwatch detached\n", out);
		else
			fputs(p->exited ? "ended with its process\n" : "still running\n", out);
		return;
	}
	if (t->status.kind != PW_STATUS_NONE)
		pw_view_status(out, o, &t->status);
	else
		fputs("ended", out);
	pw_view_thread_life(out, t, t->exit_us);
	putc('\n', out);
}

/* p's thread lines (with --threads), drawn as its first children. */
static bool
put_threads(FILE *out, const struct pw_view_opts *o, struct guides *g,
	    const struct pw_proc *p)
{
	unsigned depth = pw_proc_shown_depth(p) + 1;
	size_t i;

	if (!o->threads)
		return true;
	for (i = 0; i < p->nthread_recs; i++) {
		if (!guides_set(g, depth,
				i + 1 == p->nthread_recs && !pw_shown_first_child(p)))
			return false;
		put_prefix(out, o, g, depth);
		put_thread(out, o, p, &p->thread_recs[i]);
	}
	return true;
}

/*
 * The processes shown (procwatch/filter.h: all of them, unless filtered),
 * each under its shown parent, at its shown depth.
 */
void
pw_tree_print(FILE *out, const struct pw_view_opts *o, const struct pw_model *m)
{
	struct guides g = { NULL, 0 };
	const struct pw_proc *p = pw_shown_first(m), *next;
	unsigned depth;

	if (!p && m->filter && m->root)
		fputs("(no process to show: the filters select none)\n", out);
	while (p) {
		depth = pw_proc_shown_depth(p);
		/* A top's guides are never drawn: whether it is the last does not matter. */
		if (!guides_set(&g, depth, depth == 0 || !pw_shown_next(p)))
			break;
		put_prefix(out, o, &g, depth);
		put_proc(out, o, m, p);
		if (!put_threads(out, o, &g, p))
			break;
		if ((next = pw_shown_first_child(p))) {
			p = next;
			continue;
		}
		while (p && !(next = pw_shown_next(p)))
			p = pw_shown_up(p);
		p = p ? next : NULL;
	}
	free(g.last);
	if (m->failed)
		fputs("(out of memory: the tree is incomplete)\n", out);
}

/* "warnings: 1 fd-leak, 2 killed", or "warnings: none". */
static void
put_warning_counts(FILE *out, const struct pw_model_counts *counts)
{
	bool any = false;
	int k;

	fputs("warnings:", out);
	for (k = 0; k < PW_WARN_KINDS; k++) {
		if (!counts->warnings[k])
			continue;
		fprintf(out, "%s %lu %s", any ? "," : "", counts->warnings[k],
			pw_warning_kind_name((enum pw_warning_kind)k));
		any = true;
	}
	fputs(any ? "\n" : " none\n", out);
}

static void
put_summary(FILE *out, const struct pw_model_counts *c)
{

	fprintf(out, "%lu process%s", c->processes, c->processes == 1 ? "" : "es");
	if (c->attached)
		fprintf(out, " (%lu attached)", c->attached);
	fprintf(out, ", %lu thread%s", c->threads, c->threads == 1 ? "" : "s");
	if (c->attached_threads)
		fprintf(out, " (%lu attached)", c->attached_threads);
	fprintf(out, ", %lu exec%s, %lu failed exec%s, "
		"%lu non-zero exit%s, %lu killed by a signal\n",
		c->execs, c->execs == 1 ? "" : "s",
		c->failed_execs, c->failed_execs == 1 ? "" : "s",
		c->nonzero_exits, c->nonzero_exits == 1 ? "" : "s",
		c->signals);
}

/* The counts are of the processes shown, as the tree above them. */
void
pw_view_print_end(FILE *out, const struct pw_view_opts *o, const struct pw_model *m)
{
	struct pw_model_counts counts;

	pw_tree_print(out, o, m);
	if (!o->summary)
		return;
	pw_model_shown_counts(m, &counts);
	put_summary(out, &counts);
	pw_view_summary_shape(out, m);
	if (o->warnings)
		put_warning_counts(out, &counts);
}

/* --format=tree: nothing as events come, the tree once the trace ends. */
struct tree_view {
	FILE *out;
	struct pw_view_opts opts;
};

static void
tree_needs(const struct pw_view_opts *o, struct pw_model_opts *mo)
{
	mo->argv_keep = o->argv_max;
}

static void *
tree_create(FILE *out, const struct pw_view_opts *o, void *data)
{
	struct tree_view *tv = calloc(1, sizeof(*tv));

	(void)data;
	if (tv) {
		tv->out = out;
		tv->opts = *o;
	}
	return tv;
}

/*
 * A trace without an end event (procwatch failed, or a replayed trace of
 * a killed job) still gets its tree, and the summary if asked for, when it
 * had any process.
 */
static int
tree_end(void *view, const struct pw_model *m)
{
	struct tree_view *tv = view;

	if (m->ended || m->root)
		pw_view_print_end(tv->out, &tv->opts, m);
	return pw_view_flush(tv->out);
}

const struct pw_view pw_view_tree = {
	.needs = tree_needs,
	.create = tree_create,
	.end = tree_end,
	.destroy = free,
};
