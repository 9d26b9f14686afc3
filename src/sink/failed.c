/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The failures view (`procwatch show --failed`): after the last event, only
 * the processes that exited non-zero, were killed by a signal, or whose
 * last exec failed, each with its full argv, the working directory of its
 * latest exec, how it ended, and the chain of processes that started it.
 * The deepest failures come first: in a build, the compiler that failed
 * says more than the make that failed because of it.  A failed exec that a
 * later exec of the same process made good (a PATH search) is no failure.
 * With -k, the stack of its last exec says which code path started it.
 * A process procwatch attached to (-p) has no exec that started it: it is
 * shown with the command line it was found running and says it was attached.
 * An exec the process died in (unfinished) is named the same way, but only
 * the death makes the process a failure.
 */
#include <stdlib.h>
#include <string.h>

#include "procwatch/pidmap.h"
#include "procwatch/proctab.h"
#include "procwatch/shquote.h"
#include "procwatch/sink.h"
#include "view.h"

/*
 * What the model does not keep: a process's cwd, and its last exec when
 * that did not succeed.  An exec the task died in is shown but is no
 * failure of its own: the death that ended it is.
 */
struct proc_extra {
	struct pw_proc *p;	/* the record this is about: pids are reused */
	char *cwd;
	size_t cwd_len;
	char *last_exec;	/* "PATH: ARGV... failed: ENOENT" or "... unfinished: ...", or NULL */
	bool exec_failed;	/* last_exec failed (-errno), rather than unfinished */
	char *stack;		/* its last exec's stack (-k), as "at ..." lines, or NULL */
};

struct failed_sink {
	struct pw_sink base;
	struct pw_view_opts o;
	struct pw_proctab tab;
	struct pw_pidmap extra;	/* pid -> struct proc_extra */
	bool *found;
};

static struct proc_extra *
extra_of(struct failed_sink *fs, struct pw_proc *p)
{
	struct proc_extra *x = pw_pidmap_get(&fs->extra, p->pid);

	if (x && x->p == p)
		return x;
	if (!x) {
		x = calloc(1, sizeof(*x));
		if (!x || pw_pidmap_put(&fs->extra, p->pid, x) < 0) {
			free(x);
			return NULL;
		}
	}
	/* A reused pid: the old record's extras are of no more use. */
	free(x->cwd);
	free(x->last_exec);
	free(x->stack);
	*x = (struct proc_extra){ .p = p };
	return x;
}

/* An exec that did not succeed, as the "exec:" line shows it. */
static char *
render_exec_outcome(const struct pw_view_opts *o, const struct pw_exec *ex)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	if (ex->path.data)
		pw_shquote(f, ex->path.data, ex->path.len);
	else
		fputs("(unreadable path)", f);
	fputs(": ", f);
	pw_view_event_argv(f, o, ex);
	if (ex->result == PW_RESULT_UNFINISHED) {
		fputs(" unfinished: the task died in the call", f);
	} else {
		fputs(" failed: ", f);
		pw_view_errno(f, (int)-ex->result);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/*
 * The lines the timeline writes under the exec, indented under "started
 * from:"; NULL when there is nothing to show.  Rendered at the event: the
 * event's frames are gone by the time the list is printed.
 */
static char *
render_stack(const struct pw_stack *st)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	if (!st->requested || (!st->nframes && !st->note))
		return NULL;
	if (!(f = open_memstream(&text, &len)))
		return NULL;
	for (i = 0; i < st->nframes; i++) {
		fputs("      at ", f);
		pw_view_frame(f, &st->frames[i], false);
		putc('\n', f);
	}
	if (st->note) {
		fputs("      at ", f);
		pw_view_stack_note(f, st, false);
		putc('\n', f);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void
note_exec(struct failed_sink *fs, const struct pw_event *ev)
{
	const struct pw_exec *ex = &ev->u.exec;
	struct pw_proc *p = pw_proctab_get(&fs->tab, ev->pid);
	struct proc_extra *x = p ? extra_of(fs, p) : NULL;

	if (!x)
		return;
	if (ex->cwd.data) {
		free(x->cwd);
		x->cwd = strndup(ex->cwd.data, ex->cwd.len);
		x->cwd_len = x->cwd ? ex->cwd.len : 0;
	}
	free(x->last_exec);
	x->last_exec = ex->result < 0 ? render_exec_outcome(&fs->o, ex) : NULL;
	x->exec_failed = pw_result_failed(ex->result);
	free(x->stack);
	x->stack = render_stack(&ex->stack);
}

/* An attached process's working directory, until an exec tells a newer one. */
static void
note_attach(struct failed_sink *fs, const struct pw_event *ev)
{
	const struct pw_bytes *cwd = &ev->u.attach.cwd;
	struct pw_proc *p = pw_proctab_get(&fs->tab, ev->pid);
	struct proc_extra *x = p && cwd->data ? extra_of(fs, p) : NULL;

	if (!x || x->cwd)
		return;
	x->cwd = strndup(cwd->data, cwd->len);
	x->cwd_len = x->cwd ? cwd->len : 0;
}

static int
failed_event(struct pw_sink *sink, const struct pw_event *ev)
{
	struct failed_sink *fs = (struct failed_sink *)sink;

	if (ev->kind != PW_EV_END)
		(void)pw_proctab_of_event(&fs->tab, ev);
	(void)pw_proctab_event(&fs->tab, ev);
	if (ev->kind == PW_EV_EXEC)
		note_exec(fs, ev);
	else if (ev->kind == PW_EV_ATTACH)
		note_attach(fs, ev);
	return 0;
}

/* The extras of p, or NULL: only for the record they were made for. */
static struct proc_extra *
extra_get(const struct failed_sink *fs, const struct pw_proc *p)
{
	struct proc_extra *x = pw_pidmap_get(&fs->extra, p->pid);

	return x && x->p == p ? x : NULL;
}

static bool
is_failure(const struct failed_sink *fs, const struct pw_proc *p)
{
	const struct proc_extra *x = extra_get(fs, p);

	if (x && x->exec_failed)
		return true;
	if (!p->exited)
		return false;
	return p->status.kind == PW_STATUS_KILLED ||
	       (p->status.kind == PW_STATUS_EXITED && p->status.code != 0);
}

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

/*
 * "PID ARGV" with the latest program's full argv (for an attached process
 * that did not exec, the one it was found running), or "PID (name)".
 */
static void
put_proc(FILE *out, const struct failed_sink *fs, const struct pw_proc *p)
{
	const struct pw_argv *image = pw_view_attach_image(p);

	fprintf(out, "%d ", (int)p->pid);
	if (p->nexecs) {
		pw_view_model_argv(out, &fs->o, &p->execs[p->nexecs - 1]);
		return;
	}
	if (image) {
		pw_view_model_argv(out, &fs->o, image);
		return;
	}
	putc('(', out);
	pw_view_name(out, p->name[0] ? p->name : "name unknown");
	putc(')', out);
}

/* The working directory of p's latest exec, or the nearest ancestor's. */
static const struct proc_extra *
cwd_of(const struct failed_sink *fs, const struct pw_proc *p)
{
	const struct proc_extra *x;

	for (; p; p = p->up) {
		x = extra_get(fs, p);
		if (x && x->cwd)
			return x;
	}
	return NULL;
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
		pw_view_dur(out, pw_proc_lifetime(p, p->exit_us));
	}
	putc(')', out);
}

static void
put_failure(FILE *out, const struct failed_sink *fs, const struct pw_proc *p)
{
	const struct proc_extra *x = extra_get(fs, p);
	const struct proc_extra *cwd = cwd_of(fs, p);
	const struct pw_proc *up;

	put_proc(out, fs, p);
	fputs("  ", out);
	if (p->exited)
		pw_view_status(out, &fs->o, &p->status);
	else
		fputs(p->detached ? "still running when procwatch detached" : "still running", out);
	pw_view_reset(out, &fs->o);
	put_attached(out, p);
	putc('\n', out);
	if (x && x->last_exec)
		fprintf(out, "    exec:  %s\n", x->last_exec);
	if (cwd) {
		fputs("    cwd:   ", out);
		pw_shquote(out, cwd->cwd, cwd->cwd_len);
		putc('\n', out);
	}
	if (p->up) {
		fputs("    from:  ", out);
		for (up = p->up; up; up = up->up) {
			put_proc(out, fs, up);
			if (up->up)
				fputs(" ← ", out);
		}
		putc('\n', out);
	}
	if (x && x->stack)
		fprintf(out, "    started from:\n%s", x->stack);
}

static void
print_failures(FILE *out, struct failed_sink *fs)
{
	struct pw_proc *p, **list;
	size_t n = 0, i;

	for (p = fs->tab.all; p; p = p->next_all)
		n += is_failure(fs, p);
	*fs->found = n > 0;
	if (n == 0) {
		fputs("no failures\n", out);
		return;
	}
	list = calloc(n, sizeof(*list));
	if (!list) {
		fputs("procwatch: out of memory listing the failures\n", out);
		return;
	}
	n = 0;
	for (p = fs->tab.all; p; p = p->next_all)
		if (is_failure(fs, p))
			list[n++] = p;
	qsort(list, n, sizeof(*list), cmp_failure);
	for (i = 0; i < n; i++)
		put_failure(out, fs, list[i]);
	fprintf(out, "%zu failed process%s\n", n, n == 1 ? "" : "es");
	free(list);
}

static void
free_extra(pid_t pid, void *value, void *data)
{
	struct proc_extra *x = value;

	(void)pid;
	(void)data;
	free(x->cwd);
	free(x->last_exec);
	free(x->stack);
	free(x);
}

static int
failed_close(struct pw_sink *sink)
{
	struct failed_sink *fs = (struct failed_sink *)sink;
	int err;

	print_failures(sink->out, fs);
	err = pw_view_flush(sink->out);
	pw_pidmap_each(&fs->extra, free_extra, NULL);
	pw_pidmap_destroy(&fs->extra);
	pw_proctab_destroy(&fs->tab);
	free(fs);
	return err;
}

static const struct pw_sink_ops failed_ops = {
	.name = "failed",
	.event = failed_event,
	.close = failed_close,
};

struct pw_sink *
pw_sink_failed_new(FILE *out, const struct pw_view_opts *opts, bool *found)
{
	struct failed_sink *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	fs->base.ops = &failed_ops;
	fs->base.out = out;
	fs->o = *opts;
	fs->o.argv_max = 0;	/* a failure is shown whole: it is what gets pasted */
	fs->found = found;
	*found = false;
	pw_proctab_init(&fs->tab);
	pw_pidmap_init(&fs->extra);
	return &fs->base;
}
