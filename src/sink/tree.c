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
 * Each line is built in a buffer and folded to the width (wrap.c); a run
 * of like siblings (the same command, the same outcome, nothing below
 * them) is folded into one line, "×200 sleep 1  exited 0 after ...",
 * unless --no-fold.
 */
#include <stdlib.h>
#include <string.h>

#include "procwatch/filter.h"
#include "procwatch/model.h"
#include "procwatch/sink.h"
#include "view.h"

/*
 * Siblings folded into one line when at least this many in a row ran the
 * same and ended the same: fewer read as well one by one, with their pids.
 */
#define TREE_FOLD_MIN 4

/* The tree being written: lines built in line, then folded onto out. */
struct tree_out {
	FILE *out;
	const struct pw_view_opts *o;
	const struct pw_model *m;
	struct pw_view_guides g;
	struct pw_line line, cont;	/* a line, and its continuations' prefix */
	struct pw_line key, next_key;	/* what siblings are folded by */
};

/*
 * A line at depth: its guides into the line, and into cont what its
 * continuations start with, the same guides with the line's own "├─ "
 * carried on down as "│  ", then the "│" of its children if it has any,
 * so that the text of a folded line stays right of every guide.
 */
static void
put_prefix(struct tree_out *t, unsigned depth, bool kids)
{
	bool last = t->g.last[depth];

	if (depth > 0)
		pw_view_guides_put(t->line.f, t->o, &t->g, depth, last ? "└─ " : "├─ ");
	if (!t->o->width)
		return;
	if (depth > 0)
		pw_view_guides_put(t->cont.f, t->o, &t->g, depth, last ? "   " : "│  ");
	if (!kids) {
		fputs("    ", t->cont.f);
		return;
	}
	pw_view_color(t->cont.f, t->o, PW_COLOR_DIM);
	fputs("│   ", t->cont.f);
	pw_view_reset(t->cont.f, t->o);
}

/* Writes the line built, folded to the width. */
static void
end_line(struct tree_out *t)
{
	size_t n, cn;
	const char *text = pw_line_text(&t->line, &n);
	const char *cont = pw_line_text(&t->cont, &cn);

	pw_view_wrap(t->out, text, n, t->o->width, cont, cn);
	pw_line_clear(&t->line);
	pw_line_clear(&t->cont);
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
		pw_view_lifetime(out, p, p->exit_us);
		if (p->usage.known) {
			fputs(", ", out);
			pw_view_usage(out, &p->usage, false);
		}
	} else {
		pw_view_not_ended(out, m, p);
	}
	put_marks(out, o, p);
	put_warned(out, o, p->warned);
}

static void
put_thread(FILE *out, const struct pw_view_opts *o, const struct pw_proc *p,
	   const struct pw_thread_rec *t)
{
	fprintf(out, "thread %d  ", (int)t->tid);
	if (!t->exited) {
		if (p->detached)
			fputs("still running when procwatch detached", out);
		else
			fputs(p->exited ? "ended with its process" : "still running", out);
		return;
	}
	if (t->status.kind != PW_STATUS_NONE)
		pw_view_status(out, o, &t->status);
	else
		fputs("ended", out);
	pw_view_thread_life(out, t, t->exit_us);
}

/* p's thread lines (with --threads), drawn as its first children. */
static bool
put_threads(struct tree_out *t, const struct pw_proc *p)
{
	unsigned depth = pw_proc_shown_depth(p) + 1;
	size_t i;

	if (!t->o->threads)
		return true;
	for (i = 0; i < p->nthread_recs; i++) {
		if (!pw_view_guides_set(&t->g, depth,
				i + 1 == p->nthread_recs && !pw_shown_first_child(p)))
			return false;
		put_prefix(t, depth, false);
		put_thread(t->line.f, t->o, p, &p->thread_recs[i]);
		end_line(t);
	}
	return true;
}

static bool
has_kids(const struct tree_out *t, const struct pw_proc *p)
{
	return pw_shown_first_child(p) || (t->o->threads && p->nthread_recs);
}

/* A process a fold may take in: one that ended, with nothing under it. */
static bool
foldable(const struct tree_out *t, const struct pw_proc *p)
{
	return p->exited && !p->attached && !has_kids(t, p);
}

/*
 * What like siblings have in common, their pids, times and use aside:
 * what they ran, how they ended, the marks and warnings.
 */
static void
put_key(FILE *out, const struct tree_out *t, const struct pw_proc *p)
{
	put_what_ran(out, t->o, p);
	putc('\n', out);	/* never in what ran: shell-quoted */
	pw_view_status(out, t->o, &p->status);
	put_marks(out, t->o, p);
	put_warned(out, t->o, p->warned);
}

/* The like siblings from p on: how many, the last one and their lifetimes. */
struct run {
	size_t n;
	const struct pw_proc *last;
	uint64_t min_us, max_us;
};

/*
 * Each sibling's key is made at most TREE_FOLD_MIN times (a short run is
 * looked at again from each of its members), so the tree stays linear.
 */
static struct run
fold_run(struct tree_out *t, const struct pw_proc *p)
{
	struct run r = { 1, p, 0, 0 };
	const struct pw_proc *q;
	const char *key, *other;
	size_t len, olen;
	uint64_t life;

	if (t->o->no_fold || !foldable(t, p))
		return r;
	r.min_us = r.max_us = pw_proc_lifetime(p, p->exit_us);
	pw_line_clear(&t->key);
	put_key(t->key.f, t, p);
	key = pw_line_text(&t->key, &len);
	for (q = pw_shown_next(p); q && foldable(t, q); q = pw_shown_next(q)) {
		pw_line_clear(&t->next_key);
		put_key(t->next_key.f, t, q);
		other = pw_line_text(&t->next_key, &olen);
		if (olen != len || memcmp(key, other, len) != 0)
			break;
		life = pw_proc_lifetime(q, q->exit_us);
		r.min_us = life < r.min_us ? life : r.min_us;
		r.max_us = life > r.max_us ? life : r.max_us;
		r.last = q;
		r.n++;
	}
	if (r.n < TREE_FOLD_MIN)
		r = (struct run){ 1, p, 0, 0 };
	return r;
}

/* "×200 sleep 1  exited 0 after 1.00s–1.02s, pids 4213…4412". */
static void
put_folded(FILE *out, const struct tree_out *t, const struct pw_proc *p, const struct run *r)
{
	fprintf(out, "×%zu ", r->n);
	put_what_ran(out, t->o, p);
	fputs("  ", out);
	pw_view_status(out, t->o, &p->status);
	fputs(" after ", out);
	pw_view_dur(out, r->min_us);
	if (r->max_us != r->min_us) {
		fputs("–", out);
		pw_view_dur(out, r->max_us);
	}
	put_marks(out, t->o, p);
	put_warned(out, t->o, p->warned);
	fprintf(out, ", pids %d…%d", (int)p->pid, (int)r->last->pid);
}

static int
tree_open(struct tree_out *t)
{
	if (pw_line_open(&t->line) < 0 || pw_line_open(&t->cont) < 0 ||
	    pw_line_open(&t->key) < 0 || pw_line_open(&t->next_key) < 0)
		return -1;
	return 0;
}

static void
tree_close(struct tree_out *t)
{
	pw_line_close(&t->line);
	pw_line_close(&t->cont);
	pw_line_close(&t->key);
	pw_line_close(&t->next_key);
	free(t->g.last);
}

/* One process's line, or a run of like siblings' one line. */
static void
put_entry(struct tree_out *t, const struct pw_proc *p, const struct run *r)
{
	if (r->n > 1)
		put_folded(t->line.f, t, p, r);
	else
		put_proc(t->line.f, t->o, t->m, p);
	end_line(t);
}

/*
 * The processes shown (procwatch/filter.h: all of them, unless filtered),
 * each under its shown parent, at its shown depth.
 */
void
pw_tree_print(FILE *out, const struct pw_view_opts *o, const struct pw_model *m)
{
	struct tree_out t = { .out = out, .o = o, .m = m, .g.max = pw_view_guide_max(o, 0) };
	const struct pw_proc *p = pw_shown_first(m), *next;
	bool cut = tree_open(&t) < 0;
	unsigned depth;
	struct run r;

	if (!p && m->filter && m->root)
		fputs("(no process to show: the filters select none)\n", out);
	while (p && !cut) {
		depth = pw_proc_shown_depth(p);
		r = fold_run(&t, p);
		/* A top's guides are never drawn: whether it is the last does not matter. */
		cut = !pw_view_guides_set(&t.g, depth, depth == 0 || !pw_shown_next(r.last));
		if (cut)
			break;
		put_prefix(&t, depth, r.n == 1 && has_kids(&t, p));
		put_entry(&t, p, &r);
		cut = !put_threads(&t, p);
		if (r.n == 1 && (next = pw_shown_first_child(p))) {
			p = next;
			continue;
		}
		p = r.last;
		while (p && !(next = pw_shown_next(p)))
			p = pw_shown_up(p);
		p = p ? next : NULL;
	}
	tree_close(&t);
	if (m->failed || cut)
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

	struct pw_line l;
	const char *text;
	size_t n;

	pw_tree_print(out, o, m);
	if (!o->summary)
		return;
	/* Built first, to be folded to the width like the tree's lines. */
	if (pw_line_open(&l) < 0) {
		fputs("(out of memory: no summary)\n", out);
		return;
	}
	pw_model_shown_counts(m, &counts);
	put_summary(l.f, &counts);
	pw_view_summary_shape(l.f, m);
	if (o->warnings)
		put_warning_counts(l.f, &counts);
	text = pw_line_text(&l, &n);
	/* Every line ends in a newline: the last one is pw_view_wrap()'s to write. */
	if (n > 0)
		pw_view_wrap(out, text, text[n - 1] == '\n' ? n - 1 : n, o->width, "    ", 4);
	pw_line_close(&l);
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
