/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The timeline, procwatch's default view: one line per event as it happens,
 * flushed at once because people read it while the command runs, indented
 * under the process that created it, e.g.
 *
 *    0.000812 [4212] sh exec sh -c 'sort | wc -l'
 *    0.001544 ├─ [4212] sh fork → 4213  clone(CLONE_CHILD_SETTID|...|SIGCHLD)
 *    0.001902 │  [4213] sh exec sort  (path /usr/bin/sort)
 *
 * A process procwatch attached to (-p) gets a line of its own, "attached",
 * with the command line it was found running with.
 *
 * It reads the process model (include/procwatch/model.h) for each
 * process's depth, name, start and exit and the warnings an event gave
 * rise to, and prints the tree when the trace ends.  A
 * PATH search (execvp trying one argv in directory after directory) is held
 * back per task and folded into one line when that task does anything else.
 * With -k, a spawn's or exec's line is followed by the caller's stack, one
 * dim "at" note per frame.  With filters (procwatch/filter.h) only the
 * events of the processes shown by then are, and a "from" line names the
 * ancestors a --match shows as it happens.  Under the exit of a process
 * that failed, in a trace recorded with --env, a command line that runs it
 * again (reproduce.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "procwatch/explain.h"
#include "procwatch/filter.h"
#include "procwatch/pidmap.h"
#include "procwatch/model.h"
#include "procwatch/shquote.h"
#include "procwatch/sink.h"
#include "procwatch/xlat.h"
#include "view.h"

/*
 * Failed execs of one argv by one task, not yet shown: the one copy of an
 * event a view keeps, since the line that shows it waits for the search's
 * outcome.
 */
struct fold {
	struct pw_event first;	/* a deep copy of the first failed attempt */
	const char *name;	/* the process's name then (interned: it lives on) */
	bool cwd_moved;		/* its "(in DIR)" note */
	const struct pw_proc *proc, *from;	/* its "from" line (struct exec_notes) */
	unsigned tries;
	int last_err;
};

struct timeline {
	FILE *out;			/* line: where each line is built */
	FILE *real;			/* where lines go, folded to the width */
	struct pw_line line, cont;	/* the line, and its continuations' prefix */
	unsigned guide_max;		/* levels of guides drawn (pw_view_guide_max) */
	struct pw_view_opts opts;
	const struct pw_model *m;	/* the model of the events so far */
	struct pw_pidmap folds;		/* tid -> struct fold */
	const struct pw_event *note_ev;	/* the event notes are being written under */
	struct timeval t0;		/* wall clock at trace time 0 */
	bool have_t0;
	uint64_t repro_written;		/* bytes of environments reproduce lines printed */
};

static void
put_time(struct timeline *tl, uint64_t t_us)
{
	FILE *out = tl->out;
	struct timeval tv, add;
	struct tm tm;

	switch (tl->opts.time) {
	case PW_TIME_NONE:
		return;
	case PW_TIME_RELATIVE:
		fprintf(out, "%4" PRIu64 ".%06" PRIu64 " ", t_us / 1000000, t_us % 1000000);
		return;
	case PW_TIME_ABSOLUTE:
		if (!tl->have_t0) {
			gettimeofday(&tl->t0, NULL);
			tl->have_t0 = true;
		}
		add.tv_sec = (time_t)(t_us / 1000000);
		add.tv_usec = (suseconds_t)(t_us % 1000000);
		timeradd(&tl->t0, &add, &tv);
		localtime_r(&tv.tv_sec, &tm);
		fprintf(out, "%02d:%02d:%02d.%06ld ", tm.tm_hour, tm.tm_min, tm.tm_sec,
			(long)tv.tv_usec);
		return;
	}
}

/* The tree guides of a line at depth, then last (a spawn's "├─ ") if any. */
static void
put_guides(struct timeline *tl, FILE *out, unsigned depth, const char *last)
{
	unsigned d;

	if (!depth && !last)
		return;
	pw_view_color(out, &tl->opts, PW_COLOR_DIM);
	for (d = 1; d <= depth;)
		d = pw_view_guide(out, tl->guide_max, depth, d, "│  ");
	if (last)
		fputs(last, out);
	pw_view_reset(out, &tl->opts);
}

/* The width of the time column: what a line without a time leaves blank. */
static int
time_width(const struct timeline *tl)
{
	static const int width[] = {
		[PW_TIME_RELATIVE] = 12, [PW_TIME_ABSOLUTE] = 16, [PW_TIME_NONE] = 0,
	};

	return width[tl->opts.time];
}

/*
 * What a folded line's continuations start with: no time, the guides of
 * the line (a spawn's "├─ " becomes the "│  " of its child's lines), then
 * indent columns, so that the text stays under its line, right of its
 * guides.
 */
static void
set_cont(struct timeline *tl, unsigned depth, bool spawn, int indent)
{
	pw_line_clear(&tl->cont);
	if (!tl->opts.width)
		return;
	fprintf(tl->cont.f, "%*s", time_width(tl), "");
	put_guides(tl, tl->cont.f, depth, spawn ? "│  " : NULL);
	fprintf(tl->cont.f, "%*s", indent, "");
}

/* Ends the line being built: written out, folded to the width. */
static void
end_line(struct timeline *tl)
{
	size_t n, cn;
	const char *text = pw_line_text(&tl->line, &n);
	const char *cont = pw_line_text(&tl->cont, &cn);

	pw_view_wrap(tl->real, text, n, tl->opts.width, cont, cn);
	pw_line_clear(&tl->line);
	pw_line_clear(&tl->cont);
}

/* The depth a process's lines are drawn at: below the top of what is shown. */
static unsigned
depth_of(const struct timeline *tl, pid_t pid)
{
	const struct pw_proc *p = pw_model_get(tl->m, pid);

	return p ? pw_proc_shown_depth(p) : 0;
}

/*
 * Time, tree guides, [pid] or [pid/tid], and the process's name as it was
 * when the event happened (an exec renames it: its line says what ran it).
 */
static void
put_head(struct timeline *tl, const struct pw_event *ev, bool spawn, const char *name)
{
	FILE *out = tl->out;

	put_time(tl, ev->time_us);
	put_guides(tl, out, depth_of(tl, ev->pid), spawn ? "├─ " : NULL);
	set_cont(tl, depth_of(tl, ev->pid), spawn, 4);
	if (ev->tid != ev->pid)
		fprintf(out, "[%d/%d] ", (int)ev->pid, (int)ev->tid);
	else
		fprintf(out, "[%d] ", (int)ev->pid);
	if (name && name[0]) {
		pw_view_name(out, name);
		putc(' ', out);
	}
}

/* Where a line that is not an event's has no time: as wide, blank. */
static void
put_no_time(struct timeline *tl)
{
	fprintf(tl->out, "%*s", time_width(tl), "");
}

/*
 * A note (warning, --explain or stack line) under tl->note_ev's line: the
 * time column left blank, the same guides, indented one step, then mark
 * and text in colour c.  note_begin() writes up to the mark, for a text
 * the caller writes itself; note_end() closes the line.
 */
static void
note_begin(struct timeline *tl, enum pw_color c, const char *mark)
{
	const struct pw_event *ev = tl->note_ev;
	FILE *out = tl->out;

	put_no_time(tl);
	put_guides(tl, out, depth_of(tl, ev->pid), ev->kind == PW_EV_SPAWN ? "│  " : NULL);
	/* Continuations under the note's text, clear of its mark. */
	set_cont(tl, depth_of(tl, ev->pid), ev->kind == PW_EV_SPAWN,
		 3 + (int)pw_view_columns(mark, strlen(mark)) + 1);
	fputs("   ", out);
	pw_view_color(out, &tl->opts, c);
	fprintf(out, "%s ", mark);
}

static void
note_end(struct timeline *tl)
{
	pw_view_reset(tl->out, &tl->opts);
	end_line(tl);
}

static void
put_note(struct timeline *tl, enum pw_color c, const char *mark, const char *text)
{
	note_begin(tl, c, mark);
	fputs(text, tl->out);
	note_end(tl);
}

/*
 * -k: the caller's stack under its spawn or exec, "at f2+0x1a (pw_stack)"
 * a frame, innermost first, then why it stops short if it does.  Dim like
 * --explain: it is context for the event, not an event.
 */
static void
put_stack(struct timeline *tl, const struct pw_stack *st)
{
	size_t i;

	if (!st->requested)
		return;
	for (i = 0; i < st->nframes; i++) {
		note_begin(tl, PW_COLOR_DIM, "at");
		pw_view_frame(tl->out, &st->frames[i], false);
		note_end(tl);
	}
	if (st->note) {
		note_begin(tl, PW_COLOR_DIM, "at");
		pw_view_stack_note(tl->out, st, false);
		note_end(tl);
	}
}

static void
put_event_stack(struct timeline *tl, const struct pw_event *ev)
{
	if (ev->kind == PW_EV_SPAWN)
		put_stack(tl, &ev->u.spawn.stack);
	else if (pw_event_is_exec_like(ev))
		put_stack(tl, &ev->u.exec.stack);
}

/* pw_warning_fn: "⚠ text" under the event that gave rise to it. */
static void
put_warning(void *data, const struct pw_warning *w)
{
	put_note(data, PW_COLOR_WARN, "⚠", w->text);
}

/*
 * Descriptors the command got from procwatch's caller: said once, dim, as
 * a fact about where it runs; the traced programs are not to blame.
 */
static void
put_caller_fds(struct timeline *tl, const char *list)
{
	char text[512];

	snprintf(text, sizeof(text), "open when procwatch started, not close-on-exec: %s", list);
	put_note(tl, PW_COLOR_DIM, "#", text);
}

/*
 * What stands where a failure's errno would: the call never returned, so
 * there is no result to show, only why.
 */
static void
put_unfinished(struct timeline *tl)
{
	pw_view_color(tl->out, &tl->opts, PW_COLOR_FAIL);
	fputs("unfinished: the task died in the call", tl->out);
	pw_view_reset(tl->out, &tl->opts);
}

static void
put_spawn(struct timeline *tl, const struct pw_event *ev, const char *name)
{
	const struct pw_spawn *sp = &ev->u.spawn;
	FILE *out = tl->out;
	const char *kind = pw_spawn_kind_name(sp->kind);

	put_head(tl, ev, true, name);
	if (sp->result == PW_RESULT_UNFINISHED) {
		fprintf(out, "%s ", kind ? kind : "spawn");
		put_unfinished(tl);
	} else if (sp->result < 0) {
		pw_view_color(out, &tl->opts, PW_COLOR_FAIL);
		fprintf(out, "%s failed: ", kind ? kind : "spawn");
		pw_view_errno(out, (int)-sp->result);
		pw_view_reset(out, &tl->opts);
	} else {
		fprintf(out, "%s → %ld", kind ? kind : "spawn",
			sp->child ? (long)sp->child : sp->result);
		if (pw_spawn_untraced(sp))
			fputs(" not followed (CLONE_UNTRACED)", out);
	}
	/* The kind says the usual flags; -v and --explain, which names each, show them all. */
	if (tl->opts.verbose || tl->opts.explain) {
		fputs("  ", out);
		pw_view_spawn_call(out, sp);
	} else {
		pw_view_spawn_unusual(out, sp);
	}
	if (sp->parent && sp->parent != ev->pid && !sp->thread)
		fprintf(out, "  (parent %d)", (int)sp->parent);
}

/* pw_flag_fn for execveat's AT_* flags: ", AT_EMPTY_PATH". */
static void
put_at_flag(void *data, const char *name, uint64_t bits)
{
	FILE *out = data;

	if (name)
		fprintf(out, ", %s", name);
	else
		fprintf(out, ", 0x%" PRIx64, bits);
}

/*
 * The path when argv[0] does not already say it (or always, with -v);
 * for execveat also the directory descriptor and flags, which decide what
 * the path means.
 */
static void
put_exec_path(FILE *out, const struct pw_exec *ex, bool verbose)
{
	bool at = ex->call == PW_CALL_EXECVEAT;

	if (!ex->path.data && !at) {
		fputs("  (path unreadable)", out);
		return;
	}
	if (!at && !verbose && ex->argc > 0 && ex->argv[0].data &&
	    strcmp(ex->argv[0].data, ex->path.data) == 0)
		return;
	fputs("  (path ", out);
	if (ex->path.data)
		pw_shquote(out, ex->path.data, ex->path.len);
	else
		fputs("<unreadable>", out);
	if (at) {
		if (ex->dirfd == AT_FDCWD)
			fputs(", AT_FDCWD", out);
		else
			fprintf(out, ", fd %d", ex->dirfd);
		pw_at_flags_each((unsigned int)ex->at_flags, put_at_flag, out);
	}
	putc(')', out);
}

/*
 * --match: the process whose line follows became shown, and with it
 * ancestors whose lines were not: one dim line at its depth names them,
 * nearest first, down from the shown one they hang from, if any:
 * "[4213] from 4212 make ← 4211 sh".  Each process is named in one such
 * line at most, so they cost no more than the records.
 */
static void
put_shown_from(struct timeline *tl, const struct pw_proc *p, const struct pw_proc *from)
{
	const struct pw_proc *last = pw_shown_up(from) ? pw_shown_up(from) : from, *q;
	FILE *out = tl->out;

	put_no_time(tl);
	put_guides(tl, out, pw_proc_shown_depth(p), NULL);
	set_cont(tl, pw_proc_shown_depth(p), false, 4);
	pw_view_color(out, &tl->opts, PW_COLOR_DIM);
	fprintf(out, "[%d] from", (int)p->pid);
	for (q = p->up; q; q = q == last ? NULL : q->up) {
		fprintf(out, "%s%d", q == p->up ? " " : " ← ", (int)q->pid);
		if (q->name[0]) {
			putc(' ', out);
			pw_view_name(out, q->name);
		}
	}
	pw_view_reset(out, &tl->opts);
	end_line(tl);
}

/*
 * What the model noted of an exec: where it ran, whether it was a script,
 * and whether it matched --match and showed ancestors with it (from: the
 * outermost; NULL when none), named in a line before the exec's.
 */
struct exec_notes {
	const char *name;	/* the process's before it */
	bool cwd_moved;
	bool script;
	const struct pw_proc *proc, *from;
};

/* "(in /dir)" when the directory moved, "(script, run by /bin/dash)". */
static void
put_exec_notes(struct timeline *tl, const struct pw_event *ev, const struct exec_notes *n)
{
	const struct pw_exec *ex = &ev->u.exec;
	FILE *out = tl->out;

	if (n->cwd_moved) {
		fputs("  (in ", out);
		pw_shquote(out, ex->cwd.data, ex->cwd.len);
		putc(')', out);
	}
	if (n->script) {
		fputs("  (script, run by ", out);
		pw_shquote(out, ex->exe.data, ex->exe.len);
		putc(')', out);
	}
}

/* One exec line; tries > 1 folds a PATH search ending in ev's outcome. */
static void
put_exec(struct timeline *tl, const struct pw_event *ev, const struct exec_notes *n,
	 unsigned tries, int fold_err)
{
	const struct pw_exec *ex = &ev->u.exec;
	FILE *out = tl->out;

	if (n->from)
		put_shown_from(tl, n->proc, n->from);
	put_head(tl, ev, false, n->name);
	fputs(ex->call == PW_CALL_EXECVEAT ? "execveat " : "exec ", out);
	pw_view_event_argv(out, &tl->opts, ex);
	put_exec_path(out, ex, tl->opts.verbose);
	put_exec_notes(tl, ev, n);
	if (ex->result == PW_RESULT_UNFINISHED) {
		fputs("  ", out);
		put_unfinished(tl);
	} else if (ex->result < 0) {
		fputs("  ", out);
		pw_view_color(out, &tl->opts, PW_COLOR_FAIL);
		if (tries > 1)
			fprintf(out, "failed in %u paths: ", tries);
		else
			fputs("failed: ", out);
		pw_view_errno(out, (int)-ex->result);
		pw_view_reset(out, &tl->opts);
	} else if (tries > 1) {
		fprintf(out, "  found after %u failed path%s (", tries - 1, tries == 2 ? "" : "s");
		pw_view_errno(out, fold_err);
		putc(')', out);
	}
	if (ex->old_tid)
		fprintf(out, "  (by thread %d, now the leader)", (int)ex->old_tid);
}

/* An execveat with AT_EXECVE_CHECK: the answer, not a new program. */
static void
put_exec_check(struct timeline *tl, const struct pw_event *ev, const char *name)
{
	const struct pw_exec *ex = &ev->u.exec;
	FILE *out = tl->out;

	put_head(tl, ev, false, name);
	fputs("exec check ", out);
	pw_view_event_argv(out, &tl->opts, ex);
	put_exec_path(out, ex, tl->opts.verbose);
	if (ex->result == PW_RESULT_UNFINISHED) {
		fputs("  ", out);
		put_unfinished(tl);
	} else if (ex->result < 0) {
		fputs("  failed: ", out);
		pw_view_errno(out, (int)-ex->result);
	} else {
		fputs("  executable, not executed", out);
	}
}

/*
 * A process found running: "[4321] make attached  make -j2 all  (running
 * for 3.21s, 4 threads)", at its own depth as a spawned child's lines are.
 * Its exe is named only when there is no command line to name it.
 */
static void
put_attach(struct timeline *tl, const struct pw_event *ev, const struct pw_proc *p)
{
	const struct pw_attach *at = &ev->u.attach;
	FILE *out = tl->out;

	put_head(tl, ev, false, p ? p->name : NULL);
	fputs("attached  ", out);
	if (p && p->images)
		pw_view_model_argv(out, &tl->opts, &p->images->argv);
	else
		fputs("(empty argv)", out);
	if (at->argc == 0 && at->exe.data) {
		fputs("  (exe ", out);
		pw_shquote(out, at->exe.data, at->exe.len);
		putc(')', out);
	}
	fputs("  (running for ", out);
	pw_view_dur(out, at->age_us);
	if (at->ntids > 1)
		fprintf(out, ", %zu threads", at->ntids);
	putc(')', out);
}

/* Frees what exec_copy() made (path, argv, stack: the rest is not copied). */
static void
exec_copy_free(struct pw_exec *ex)
{
	size_t i;

	pw_stack_clear(&ex->stack);
	free(ex->path.data);
	for (i = 0; ex->argv && i < ex->argc; i++)
		free(ex->argv[i].data);
	free(ex->argv);
	memset(ex, 0, sizeof(*ex));
}

/* What a folded line needs of an exec event: the scalars, path, argv, stack. */
static int
exec_copy(struct pw_event *dst, const struct pw_event *ev)
{
	const struct pw_exec *src = &ev->u.exec;
	struct pw_exec *ex = &dst->u.exec;
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->kind = ev->kind;
	dst->time_us = ev->time_us;
	dst->pid = ev->pid;
	dst->tid = ev->tid;
	ex->call = src->call;
	ex->dirfd = src->dirfd;
	ex->at_flags = src->at_flags;
	ex->argv_truncated = src->argv_truncated;
	ex->argv_err = src->argv_err;
	ex->result = src->result;
	ex->argv = calloc(src->argc ? src->argc : 1, sizeof(*ex->argv));
	if (!ex->argv || pw_bytes_dup(&ex->path, &src->path) < 0 ||
	    pw_stack_copy(&ex->stack, &src->stack) < 0)
		goto fail;
	for (i = 0; i < src->argc; i++) {
		ex->argc = i + 1;
		if (pw_bytes_dup(&ex->argv[i], &src->argv[i]) < 0)
			goto fail;
	}
	return 0;
fail:
	exec_copy_free(ex);
	return -ENOMEM;
}

/* Shows a held-back run of failed execs (one or many) and forgets it. */
static void
fold_flush(struct timeline *tl, pid_t tid)
{
	struct fold *f = pw_pidmap_remove(&tl->folds, tid);
	const struct pw_event *note_ev;

	struct exec_notes n;

	if (!f)
		return;
	n = (struct exec_notes){ .name = f->name, .cwd_moved = f->cwd_moved,
				 .proc = f->proc, .from = f->from };
	f->first.u.exec.result = -f->last_err;
	put_exec(tl, &f->first, &n, f->tries, f->last_err);
	end_line(tl);
	note_ev = tl->note_ev;
	tl->note_ev = &f->first;
	put_stack(tl, &f->first.u.exec.stack);
	tl->note_ev = note_ev;
	exec_copy_free(&f->first.u.exec);
	free(f);
}

static bool
is_failed_exec(const struct pw_event *ev)
{
	return ev->kind == PW_EV_EXEC && pw_result_failed(ev->u.exec.result);
}

enum fold_result {
	FOLD_NONE,	/* not part of a search: print it */
	FOLD_HELD,	/* a failed attempt, held back */
	FOLD_SHOWN,	/* the success ending a search, printed here folded */
};

/* Holds back failed execs of one argv; prints the success that ends them. */
static enum fold_result
fold_event(struct timeline *tl, const struct pw_event *ev, const struct exec_notes *n)
{
	struct exec_notes shown;
	pid_t tid = ev->tid;
	struct fold *f;

	/* A non-leader thread's exec succeeds under the leader's tid. */
	if (ev->kind == PW_EV_EXEC && ev->u.exec.old_tid)
		tid = ev->u.exec.old_tid;
	f = pw_pidmap_get(&tl->folds, tid);
	/*
	 * An attempt the task died in did not end the search, nor fail in it:
	 * the failures so far are shown, then it on a line of its own.
	 */
	if (f && ev->kind == PW_EV_EXEC && ev->u.exec.result != PW_RESULT_UNFINISHED &&
	    pw_view_argv_equal(&f->first.u.exec, &ev->u.exec)) {
		if (ev->u.exec.result < 0) {
			f->tries++;
			f->last_err = (int)-ev->u.exec.result;
			/* The line names the last path tried, the one that decided. */
			free(f->first.u.exec.path.data);
			if (pw_bytes_dup(&f->first.u.exec.path, &ev->u.exec.path) < 0)
				f->first.u.exec.path.data = NULL;
			/* Its stack too: the line is that attempt's. */
			pw_stack_clear(&f->first.u.exec.stack);
			if (pw_stack_copy(&f->first.u.exec.stack, &ev->u.exec.stack) < 0)
				pw_stack_clear(&f->first.u.exec.stack);
			return FOLD_HELD;
		}
		/* The search's first attempt is the one that matched, if any did. */
		shown = *n;
		shown.proc = f->proc;
		shown.from = f->from;
		put_exec(tl, ev, &shown, f->tries + 1, f->last_err);
		end_line(tl);
		pw_pidmap_remove(&tl->folds, tid);
		exec_copy_free(&f->first.u.exec);
		free(f);
		return FOLD_SHOWN;
	}
	fold_flush(tl, tid);
	if (!is_failed_exec(ev))
		return FOLD_NONE;
	f = calloc(1, sizeof(*f));
	if (!f || exec_copy(&f->first, ev) < 0 || pw_pidmap_put(&tl->folds, ev->tid, f) < 0) {
		if (f)
			exec_copy_free(&f->first.u.exec);
		free(f);
		return FOLD_NONE;	/* no memory to hold it back: show it now */
	}
	f->name = n->name;
	f->cwd_moved = n->cwd_moved;
	f->proc = n->proc;
	f->from = n->from;
	f->tries = 1;
	f->last_err = (int)-ev->u.exec.result;
	return FOLD_HELD;
}

struct tid_list {
	pid_t *v;
	size_t n;
};

static void
collect_tid(pid_t key, void *value, void *data)
{
	struct tid_list *l = data;

	(void)value;
	l->v[l->n++] = key;
}

static int
cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* At the end every held-back search is shown: nothing more will finish it. */
static void
fold_flush_all(struct timeline *tl)
{
	struct tid_list l = { NULL, 0 };
	size_t i;

	if (tl->folds.count == 0)
		return;
	l.v = calloc(tl->folds.count, sizeof(*l.v));
	if (!l.v)
		return;
	pw_pidmap_each(&tl->folds, collect_tid, &l);
	qsort(l.v, l.n, sizeof(*l.v), cmp_pid);
	for (i = 0; i < l.n; i++)
		fold_flush(tl, l.v[i]);
	free(l.v);
}

/* "wait4(-1, WNOHANG)", "waitid(P_PID, 4213, WEXITED|WNOWAIT)": the call as made. */
static void
put_wait_call(FILE *out, const struct pw_wait *wt)
{
	struct pw_view_flags oc = { out, ", ", false };
	const char *idtype;

	if (wt->call == PW_CALL_WAITID) {
		idtype = pw_idtype_name(wt->idtype);
		if (idtype)
			fprintf(out, "waitid(%s, ", idtype);
		else
			fprintf(out, "waitid(%d, ", wt->idtype);
	} else {
		fputs("wait4(", out);
	}
	pw_view_pid_ns(out, wt->target, wt->target_ns);
	pw_wait_options_each((unsigned int)wt->options, pw_view_put_flag, &oc);
	putc(')', out);
}

static void
put_wait(struct timeline *tl, const struct pw_event *ev, const char *name)
{
	const struct pw_wait *wt = &ev->u.wait;
	const struct pw_proc *c = pw_wait_reaps(wt) ? pw_model_get(tl->m, (pid_t)wt->result) : NULL;
	FILE *out = tl->out;

	put_head(tl, ev, false, name);
	put_wait_call(out, wt);
	if (wt->result < 0) {
		fputs(" failed: ", out);
		pw_view_errno(out, (int)-wt->result);
		return;
	}
	if ((wt->result == 0 && !wt->result_ns) || wt->status.kind == PW_STATUS_NONE) {
		fputs(": nothing to report", out);
		return;
	}
	fprintf(out, " %s ", pw_wait_reaps(wt) ? "reaped" : "reported");
	pw_view_pid_ns(out, wt->result, wt->result_ns);
	if (c) {
		putc(' ', out);
		pw_view_name(out, c->name);
	}
	fputs(": ", out);
	pw_view_status(out, &tl->opts, &wt->status);
	/* A zombie's time: from its end to this reap. */
	if (c && c->exited && ev->time_us >= c->exit_us) {
		fputs(", zombie for ", out);
		pw_view_dur(out, ev->time_us - c->exit_us);
	}
}

static void
put_exit(struct timeline *tl, const struct pw_event *ev, const char *name)
{
	const struct pw_exit *ex = &ev->u.exit;
	const struct pw_proc *p = pw_model_get(tl->m, ev->pid);
	const struct pw_thread_rec *t = p && ex->thread ? pw_model_thread(tl->m, p, ev->tid)
							 : NULL;

	put_head(tl, ev, false, name);
	if (ex->thread)
		fputs("thread ", tl->out);
	pw_view_status(tl->out, &tl->opts, &ex->status);
	if (t) {
		pw_view_thread_life(tl->out, t, ev->time_us);
	} else if (p) {
		/*
		 * The exit is "now", whatever the model made of an exit seen
		 * twice.  A thread whose spawn is not in the trace is timed
		 * from its process's start here, not from before an attach.
		 */
		fputs(" after ", tl->out);
		pw_view_span(tl->out, p->start_us, ev->time_us, ex->thread ? 0 : p->age_us);
	}
	/* As the tree says it: the end is when a long job's cost is worth seeing. */
	if (!ex->thread && ex->usage.known) {
		fputs(", ", tl->out);
		pw_view_usage(tl->out, &ex->usage, false);
	}
	/* -v: the call that ended it, when one did (not a signal). */
	if (tl->opts.verbose && ex->call != PW_CALL_NONE && ex->status.kind == PW_STATUS_EXITED)
		fprintf(tl->out, "  %s(%d)", pw_call_name(ex->call), ex->status.code);
}

static void
put_signal_ev(struct timeline *tl, const struct pw_event *ev, const char *name)
{
	char buf[32];

	put_head(tl, ev, false, name);
	pw_view_color(tl->out, &tl->opts, PW_COLOR_SIGNAL);
	fprintf(tl->out, "signal %s",
		pw_signal_format(ev->u.signal.signal, buf, sizeof(buf)));
	pw_view_reset(tl->out, &tl->opts);
	if (ev->u.signal.sender || ev->u.signal.sender_ns) {
		fputs(" from ", tl->out);
		pw_view_pid_ns(tl->out, ev->u.signal.sender, ev->u.signal.sender_ns);
	}
}

/*
 * Attached, procwatch ran no command: no status to give, but whether it let
 * go of processes still running (the model counted them at the end event)
 * or saw every one end.
 */
static void
put_attach_end(struct timeline *tl, const struct pw_event *ev)
{
	unsigned long n = tl->m->counts.detached;

	if (ev->u.end.detached)
		fprintf(tl->out, "detached from %lu process%s still running", n,
			n == 1 ? "" : "es");
	else
		fputs("every attached process ended", tl->out);
}

static void
put_end(struct timeline *tl, const struct pw_event *ev)
{
	FILE *out = tl->out;

	put_time(tl, ev->time_us);
	fputs("end: ", out);
	if (tl->m->attach)
		put_attach_end(tl, ev);
	else if (ev->u.end.status.kind == PW_STATUS_NONE)
		fputs("status unknown", out);
	else
		pw_view_status(out, &tl->opts, &ev->u.end.status);
	if (ev->u.end.lost)
		fprintf(out, " (%lu events lost)", ev->u.end.lost);
	end_line(tl);
	putc('\n', tl->real);
}

/* The start line would repeat the root's exec: it is not shown. */
static bool
put_event(struct timeline *tl, const struct pw_event *ev,
	  const struct pw_model_notes *notes, const struct exec_notes *xn)
{
	const char *name = notes->name_before;

	switch (ev->kind) {
	case PW_EV_SPAWN:
		put_spawn(tl, ev, name);
		return true;
	case PW_EV_EXEC:
		put_exec(tl, ev, xn, 1, 0);
		return true;
	case PW_EV_EXEC_CHECK:
		put_exec_check(tl, ev, name);
		return true;
	case PW_EV_WAIT:
		put_wait(tl, ev, name);
		return true;
	case PW_EV_EXIT:
		put_exit(tl, ev, name);
		return true;
	case PW_EV_SIGNAL:
		put_signal_ev(tl, ev, name);
		return true;
	case PW_EV_ATTACH:
		put_attach(tl, ev, notes->proc);
		return true;
	case PW_EV_TRACE:
	case PW_EV_START:
	case PW_EV_END:
		return false;
	}
	return false;
}

/* pw_flag_fn: "CLONE_VM: shares the parent's memory: ..." per named flag. */
static void
explain_flag(void *data, const char *name, uint64_t bits)
{
	const char *text = pw_explain_clone_flag(name);
	char line[512];

	(void)bits;
	if (!name || !text)
		return;
	snprintf(line, sizeof(line), "%s: %s", name, text);
	put_note(data, PW_COLOR_DIM, "#", line);
}

/*
 * --explain: what the event just shown did, in plain words.  Only what
 * happened is explained: a failed or unfinished spawn or exec changed
 * nothing.
 */
static void
put_explain(struct timeline *tl, const struct pw_event *ev)
{
	const char *const *lines;
	char buf[256];

	switch (ev->kind) {
	case PW_EV_SPAWN:
		if (ev->u.spawn.result <= 0)
			return;
		put_note(tl, PW_COLOR_DIM, "#", pw_explain_spawn_kind(ev->u.spawn.kind));
		pw_clone_flags_each(ev->u.spawn.flags, explain_flag, tl);
		if (pw_explain_exit_signal(&ev->u.spawn, buf, sizeof(buf)))
			put_note(tl, PW_COLOR_DIM, "#", buf);
		return;
	case PW_EV_EXEC:
		if (ev->u.exec.result < 0)
			return;
		for (lines = pw_explain_exec(); *lines; lines++)
			put_note(tl, PW_COLOR_DIM, "#", *lines);
		return;
	case PW_EV_EXEC_CHECK:
		put_note(tl, PW_COLOR_DIM, "#", pw_explain_exec_check());
		return;
	case PW_EV_WAIT:
		if (ev->u.wait.result <= 0 || ev->u.wait.status.kind == PW_STATUS_NONE)
			return;
		put_note(tl, PW_COLOR_DIM, "#",
			 pw_explain_status(&ev->u.wait.status, buf, sizeof(buf)));
		return;
	case PW_EV_EXIT:
		put_note(tl, PW_COLOR_DIM, "#",
			 pw_explain_status(&ev->u.exit.status, buf, sizeof(buf)));
		return;
	case PW_EV_ATTACH:
		put_note(tl, PW_COLOR_DIM, "#", pw_explain_attach());
		return;
	case PW_EV_TRACE:
	case PW_EV_START:
	case PW_EV_SIGNAL:
	case PW_EV_END:
		return;
	}
}

static void
repro_begin(void *ctx, const char *label)
{
	struct timeline *tl = ctx;

	note_begin(tl, PW_COLOR_DIM, label);
	pw_view_reset(tl->out, &tl->opts);
}

static void
repro_end(void *ctx)
{
	note_end(ctx);
}

/* A process that exited non-zero or was killed: how to run it again. */
static void
put_reproduce(struct timeline *tl, const struct pw_event *ev)
{
	const struct pw_status *st = &ev->u.exit.status;
	const struct pw_proc *p = pw_model_get(tl->m, ev->pid);
	const struct pw_repro_lines lines = { repro_begin, repro_end, tl };

	if (!p || ev->u.exit.thread || !(st->kind == PW_STATUS_KILLED ||
					 (st->kind == PW_STATUS_EXITED && st->code != 0)))
		return;
	pw_view_reproduce(tl->out, tl->m, p, &tl->repro_written, &lines);
}

/*
 * Trace time 0 on the wall clock: what the header recorded, so that a
 * replay shows the times of the recording; for a trace without one, now,
 * less what has passed.
 */
static void
set_t0(struct timeline *tl, const struct pw_event *ev)
{
	if (tl->have_t0)
		return;
	if (ev->kind == PW_EV_TRACE) {
		if (!ev->u.trace.wall_us)
			return;
		tl->t0.tv_sec = (time_t)(ev->u.trace.wall_us / 1000000);
		tl->t0.tv_usec = (suseconds_t)(ev->u.trace.wall_us % 1000000);
		tl->have_t0 = true;
		return;
	}
	gettimeofday(&tl->t0, NULL);
	tl->t0.tv_sec -= (time_t)(ev->time_us / 1000000);
	tl->t0.tv_usec -= (suseconds_t)(ev->time_us % 1000000);
	if (tl->t0.tv_usec < 0) {
		tl->t0.tv_sec--;
		tl->t0.tv_usec += 1000000;
	}
	tl->have_t0 = true;
}

static int
timeline_event(void *view, const struct pw_model *m, const struct pw_event *ev,
	       const struct pw_model_notes *notes)
{
	struct timeline *tl = view;
	const struct pw_proc *from = notes->shown_from != notes->proc ? notes->shown_from : NULL;
	struct exec_notes xn = { notes->name_before, notes->cwd_moved, notes->script,
				 notes->proc, from };
	enum fold_result fold;
	bool shown;
	size_t i;

	tl->m = m;
	if ((ev->kind == PW_EV_TRACE || ev->kind == PW_EV_START) &&
	    tl->opts.time == PW_TIME_ABSOLUTE)
		set_t0(tl, ev);
	/* Filtered out (procwatch/filter.h): nothing of it, not even its notes. */
	if (!pw_model_event_shown(ev, notes))
		return 0;
	/* An exec's goes with its line, which a PATH search may hold back. */
	if (from && ev->kind != PW_EV_EXEC)
		put_shown_from(tl, notes->proc, from);
	if (ev->kind == PW_EV_END)
		fold_flush_all(tl);
	fold = fold_event(tl, ev, &xn);
	shown = fold == FOLD_SHOWN;
	if (fold == FOLD_NONE && put_event(tl, ev, notes, &xn)) {
		end_line(tl);
		shown = true;
	}
	tl->note_ev = ev;
	if (shown)
		put_event_stack(tl, ev);
	if (shown && tl->opts.explain)
		put_explain(tl, ev);
	if (shown && notes->caller_fds[0])
		put_caller_fds(tl, notes->caller_fds);
	for (i = 0; i < notes->nwarnings; i++)
		put_warning(tl, &notes->warnings[i]);
	if (ev->kind == PW_EV_EXIT)
		put_reproduce(tl, ev);
	if (ev->kind == PW_EV_END)
		put_end(tl, ev);
	/* Read live: the line must be visible before the tracee runs on. */
	return pw_view_flush(tl->real);
}

/*
 * The tree, and the summary if asked for, under the end line; a trace
 * without an end event (procwatch failed, or a replayed trace of a killed
 * job) gets them too, after a blank line, when it had any process.
 */
static int
timeline_end(void *view, const struct pw_model *m)
{
	struct timeline *tl = view;

	tl->m = m;
	fold_flush_all(tl);
	if (!m->ended && m->root)
		putc('\n', tl->real);
	if (m->ended || m->root)
		pw_view_print_end(tl->real, &tl->opts, m);
	return pw_view_flush(tl->real);
}

static void
free_fold(pid_t key, void *value, void *data)
{
	struct fold *f = value;

	(void)key;
	(void)data;
	exec_copy_free(&f->first.u.exec);
	free(f);
}

static void
timeline_destroy(void *view)
{
	struct timeline *tl = view;

	pw_pidmap_each(&tl->folds, free_fold, NULL);
	pw_pidmap_destroy(&tl->folds);
	pw_line_close(&tl->line);
	pw_line_close(&tl->cont);
	free(tl);
}

/* The tree at the end prints argv elided as the lines do: no more is kept. */
static void
timeline_needs(const struct pw_view_opts *o, struct pw_model_opts *mo)
{
	mo->argv_keep = o->argv_max;
	mo->env = true;
	mo->scripts = true;	/* "(script, run by ...)" */
}

static void *
timeline_create(FILE *out, const struct pw_view_opts *o, void *data)
{
	struct timeline *tl = calloc(1, sizeof(*tl));

	(void)data;
	if (!tl)
		return NULL;
	if (pw_line_open(&tl->line) < 0 || pw_line_open(&tl->cont) < 0) {
		pw_line_close(&tl->line);
		free(tl);
		return NULL;
	}
	tl->real = out;
	tl->out = tl->line.f;
	tl->opts = *o;
	tl->guide_max = pw_view_guide_max(o, (unsigned)time_width(tl));
	pw_pidmap_init(&tl->folds);
	return tl;
}

const struct pw_view pw_view_timeline = {
	.needs = timeline_needs,
	.create = timeline_create,
	.event = timeline_event,
	.end = timeline_end,
	.destroy = timeline_destroy,
};
