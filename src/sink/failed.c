/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The failures view (`procwatch show --failed`): after the last event, only
 * the processes that exited non-zero, were killed by a signal, or whose
 * last exec failed, each with its full argv, the working directory of its
 * latest exec, how it ended and what it used (CPU time, peak memory, when
 * they were read), and the chain of processes that started it: the
 * nearest CHAIN_MAX, an ancestor's long argv and an inherited long working
 * directory printed in full only the first time, so that the output stays
 * a small multiple of the trace however deep the chains and however many
 * failures share them.
 * The deepest failures come first: in a build, the compiler that failed
 * says more than the make that failed because of it.  A failed exec that a
 * later exec of the same process made good (a PATH search) is no failure.
 * With -k, the stack of its last exec says which code path started it.
 * A process procwatch attached to (-p) has no exec that started it: it is
 * shown with the command line it was found running and says it was attached.
 * An exec the process died in (unfinished) is named the same way, but only
 * the death makes the process a failure.  With filters (procwatch/filter.h)
 * only the failures shown are listed, each still with its whole chain.  For
 * a trace recorded with --env, a command line that runs its last exec again
 * (reproduce.c).
 */
#include <stdlib.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/filter.h"
#include "procwatch/model.h"
#include "procwatch/shquote.h"
#include "procwatch/sink.h"
#include "view.h"

/*
 * A "from:" chain names at most this many ancestors, nearest first: in a
 * build the make that ran the compiler says what is needed, and a chain
 * 100 000 processes deep (a crafted trace, a runaway recursion) must not
 * be printed whole under each of its failures.
 */
#define CHAIN_MAX 8

struct failed_view {
	FILE *out;
	struct pw_view_opts o;
	bool *found;
	uint64_t repro_written;	/* bytes of environments the reproduce lines printed */
	/*
	 * By record id (pw_proc.id), for the listing at the end: whether
	 * the process was printed in full already (later it is named by pid
	 * and name, so that many failures under one ancestor with a huge
	 * argv print it once), whether its cwd was, and whose exec's cwd
	 * each process has (its own, or the nearest ancestor's; NULL: none).
	 */
	bool *printed;
	bool *cwd_printed;
	const struct pw_proc **cwd_from;
	bool *cwd_known;
};

/* Deepest first, then in the order they started. */
static int
cmp_failure(const void *a, const void *b)
{
	const struct pw_proc *p = *(const struct pw_proc *const *)a;
	const struct pw_proc *q = *(const struct pw_proc *const *)b;

	if (p->depth != q->depth)
		return p->depth > q->depth ? -1 : 1;
	if (p->start_us != q->start_us)
		return p->start_us < q->start_us ? -1 : 1;
	return 0;
}

/* An argv short enough to print again each time: a few short words. */
static bool
argv_short(const struct pw_argv *a)
{
	uint32_t i;

	if (a->n > 8 || a->elided || a->truncated)
		return false;
	for (i = 0; i < a->n; i++)
		if (!a->v[i] || strlen(a->v[i]) > 64)
			return false;
	return true;
}

/*
 * "PID ARGV" with the latest program's full argv (for an attached process
 * that did not exec, the one it was found running), or "PID (name)".  An
 * ancestor printed before with a long argv is named "PID name (as above)"
 * (unless whole): its argv once, however many failures it has below it.
 */
static void
put_proc(FILE *out, struct failed_view *fv, const struct pw_proc *p, bool whole)
{
	const struct pw_image *im = pw_proc_image(p);
	bool shown = im && pw_view_image_shown(im);

	fprintf(out, "%d ", (int)p->pid);
	if (shown && !whole && fv->printed[p->id] && !argv_short(&im->argv)) {
		pw_view_name(out, p->name[0] ? p->name : "name unknown");
		fputs(" (as above)", out);
		return;
	}
	fv->printed[p->id] = true;
	if (shown) {
		pw_view_model_argv(out, &fv->o, &im->argv);
		return;
	}
	putc('(', out);
	pw_view_name(out, p->name[0] ? p->name : "name unknown");
	putc(')', out);
}

/* The working directory of p's own latest exec, attempts included. */
static const char *
own_cwd(const struct pw_proc *p)
{
	const struct pw_image *im;

	if (p->attempt && p->attempt->cwd)
		return p->attempt->cwd;
	if ((im = pw_proc_image(p)) && im->cwd)
		return im->cwd;
	return NULL;
}

/*
 * The process whose latest exec's working directory p has: p itself, or
 * the nearest ancestor with one; NULL if none.  Remembered for every
 * process on the way up, so that many failures deep in one chain cost a
 * walk of the chain once, not once each.
 */
static const struct pw_proc *
cwd_from(struct failed_view *fv, const struct pw_proc *p)
{
	const struct pw_proc *q, *top = p, *from = NULL;

	for (; top && !fv->cwd_known[top->id]; top = top->up)
		if (own_cwd(top))
			break;
	if (top)
		from = own_cwd(top) ? top : fv->cwd_from[top->id];
	for (q = p; q != top; q = q->up) {
		fv->cwd_known[q->id] = true;
		fv->cwd_from[q->id] = from;
	}
	return from;
}

/*
 * "    cwd:   DIR".  One inherited from an ancestor and long is printed
 * once, then named by whose it is: a crafted trace's 1 MB directory under
 * 100 000 failures would otherwise be printed 100 000 times.
 */
static void
put_cwd(FILE *out, struct failed_view *fv, const struct pw_proc *p)
{
	const struct pw_proc *from = cwd_from(fv, p);
	const char *cwd = from ? own_cwd(from) : NULL;

	if (!cwd)
		return;
	fputs("    cwd:   ", out);
	if (from != p && fv->cwd_printed[from->id] && strlen(cwd) > 64) {
		fprintf(out, "that of %d, as above\n", (int)from->pid);
		return;
	}
	fv->cwd_printed[from->id] = true;
	pw_shquote(out, cwd, strlen(cwd));
	putc('\n', out);
}

/*
 * "    from:  PID ARGV ← PID ARGV ← … 12 more": the nearest CHAIN_MAX
 * ancestors, each printed in full only the first time (put_proc).
 */
static void
put_chain(FILE *out, struct failed_view *fv, const struct pw_proc *p)
{
	const struct pw_proc *up;
	unsigned n = 0;

	if (!p->up)
		return;
	fputs("    from:  ", out);
	for (up = p->up; up && n < CHAIN_MAX; up = up->up, n++) {
		if (n)
			fputs(" ← ", out);
		put_proc(out, fv, up, false);
	}
	/* depth counts the levels above p: those not named are the rest. */
	if (up)
		fprintf(out, " ← … %u more", p->depth > n ? p->depth - n : 1);
	putc('\n', out);
}

/*
 * An attached process has no exec that started it to show: say it was
 * found running, after how long, and how long it lived in all.
 */
static void
put_attached(FILE *out, const struct pw_proc *p)
{
	if (!p->attached)
		return;
	fputs("  (attached after it had run ", out);
	pw_view_dur(out, p->age_us);
	if (p->exited) {
		fputs("; lived ", out);
		pw_view_lifetime(out, p, p->exit_us);
	}
	putc(')', out);
}

/* "    exec:  PATH: ARGV... failed: ENOENT" (or unfinished) for its last exec. */
static void
put_attempt(FILE *out, const struct failed_view *fv, const struct pw_attempt *a)
{
	fputs("    exec:  ", out);
	if (a->path)
		pw_shquote(out, a->path, strlen(a->path));
	else
		fputs("(unreadable path)", out);
	fputs(": ", out);
	pw_view_model_argv(out, &fv->o, &a->argv);
	if (a->result == PW_RESULT_UNFINISHED) {
		fputs(" unfinished: the task died in the call", out);
	} else {
		fputs(" failed: ", out);
		pw_view_errno(out, (int)-a->result);
	}
	putc('\n', out);
}

/* With -k, the stack of its last exec, as the timeline writes it. */
static void
put_started_from(FILE *out, const struct pw_proc *p)
{
	const struct pw_image *im = pw_proc_image(p);
	const struct pw_stack *st = p->attempt ? p->attempt->stack
					       : im ? im->stack : NULL;
	size_t i;

	if (!st || !st->requested || (!st->nframes && !st->note))
		return;
	fputs("    started from:\n", out);
	for (i = 0; i < st->nframes; i++) {
		fputs("      at ", out);
		pw_view_frame(out, &st->frames[i], false);
		putc('\n', out);
	}
	if (st->note) {
		fputs("      at ", out);
		pw_view_stack_note(out, st, false);
		putc('\n', out);
	}
}

static void
repro_begin(void *ctx, const char *label)
{
	fprintf(((struct failed_view *)ctx)->out, "    %s ", label);
}

static void
repro_end(void *ctx)
{
	putc('\n', ((struct failed_view *)ctx)->out);
}

static void
put_failure(FILE *out, struct failed_view *fv, const struct pw_model *m,
	    const struct pw_proc *p)
{
	const struct pw_repro_lines repro = { repro_begin, repro_end, fv };

	put_proc(out, fv, p, true);
	fputs("  ", out);
	if (p->exited)
		pw_view_status(out, &fv->o, &p->status);
	else
		pw_view_not_ended(out, m, p);
	pw_view_reset(out, &fv->o);
	if (p->untraced && p->exited)
		fputs("  (not followed: CLONE_UNTRACED)", out);
	put_attached(out, p);
	putc('\n', out);
	if (p->attempt)
		put_attempt(out, fv, p->attempt);
	/* A test killed by a timeout: was it spinning, or waiting?  Out of memory? */
	if (p->usage.known) {
		fputs("    used:  ", out);
		pw_view_usage(out, &p->usage, true);
		putc('\n', out);
	}
	put_cwd(out, fv, p);
	put_chain(out, fv, p);
	pw_view_reproduce(out, m, p, &fv->repro_written, &repro);
	put_started_from(out, p);
}

/* The per-process marks of struct failed_view, one per record id. */
static int
marks_alloc(struct failed_view *fv, const struct pw_model *m)
{
	size_t n = (size_t)m->counts.processes + 1;

	fv->printed = calloc(n, sizeof(*fv->printed));
	fv->cwd_printed = calloc(n, sizeof(*fv->cwd_printed));
	fv->cwd_from = calloc(n, sizeof(*fv->cwd_from));
	fv->cwd_known = calloc(n, sizeof(*fv->cwd_known));
	return fv->printed && fv->cwd_printed && fv->cwd_from && fv->cwd_known ? 0 : -1;
}

static void
print_failures(FILE *out, struct failed_view *fv, const struct pw_model *m)
{
	struct pw_proc *p, **list;
	size_t n = 0, i;

	for (p = m->all; p; p = p->next_all)
		n += pw_proc_shown(p) && pw_view_is_failure(m, p);
	*fv->found = n > 0;
	if (n == 0) {
		fputs("no failures\n", out);
		return;
	}
	list = calloc(n, sizeof(*list));
	if (!list || marks_alloc(fv, m) < 0) {
		pw_warn("out of memory listing the failures");
		free(list);
		return;
	}
	n = 0;
	for (p = m->all; p; p = p->next_all)
		if (pw_proc_shown(p) && pw_view_is_failure(m, p))
			list[n++] = p;
	qsort(list, n, sizeof(*list), cmp_failure);
	for (i = 0; i < n; i++)
		put_failure(out, fv, m, list[i]);
	fprintf(out, "%zu failed process%s\n", n, n == 1 ? "" : "es");
	free(list);
}

/* A failure is shown whole, with its stack and environment: it is what gets pasted. */
static void
failed_needs(const struct pw_view_opts *o, struct pw_model_opts *mo)
{
	(void)o;
	mo->argv_keep = 0;
	mo->stacks = true;
	mo->env = true;
}

static void *
failed_create(FILE *out, const struct pw_view_opts *o, void *found)
{
	struct failed_view *fv = calloc(1, sizeof(*fv));

	if (!fv)
		return NULL;
	fv->out = out;
	fv->o = *o;
	fv->o.argv_max = 0;
	fv->found = found;
	*fv->found = false;
	return fv;
}

static int
failed_end(void *view, const struct pw_model *m)
{
	struct failed_view *fv = view;

	print_failures(fv->out, fv, m);
	return pw_view_flush(fv->out);
}

static void
failed_destroy(void *view)
{
	struct failed_view *fv = view;

	free(fv->printed);
	free(fv->cwd_printed);
	free(fv->cwd_from);
	free(fv->cwd_known);
	free(fv);
}

const struct pw_view pw_view_failed = {
	.needs = failed_needs,
	.create = failed_create,
	.end = failed_end,
	.end_at_close = true,
	.destroy = failed_destroy,
};

struct pw_sink *
pw_sink_failed_new(FILE *out, const struct pw_view_opts *opts, bool *found)
{
	return pw_model_sink_new(out, opts, &pw_view_failed, found);
}
