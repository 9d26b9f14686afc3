/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The data of the HTML report: the run as one JSON object, which the
 * report's script reads (src/sink/html/report.js says what it does with
 * each key).  A process has the keys of --format=processes where they mean
 * the same (id, pid, name, argv, cwd, execs, failed_execs, status, start,
 * end, usage, warnings...), but a key is left out where it has its usual value
 * (no failed execs, not orphaned): a report of 20 000 processes stays a
 * file one can mail.  Strings are the trace's bytes, written as the trace
 * writes them (valid UTF-8 as a string, other bytes as {"text","hex"});
 * the HTML mode of the writer html.c gives makes them safe inside the
 * document.  Output is linear in the model: each record, image, mark and
 * warning once.
 */
#include <signal.h>
#include <stdlib.h>

#include "procwatch/filter.h"
#include "procwatch/json_writer.h"
#include "procwatch/model.h"
#include "procwatch/warnings.h"
#include "procwatch/xlat.h"
#include "html.h"
#include "json_values.h"
#include "view.h"

static void
put_key_true(struct pw_json *w, const char *key, bool set)
{
	if (set)
		pw_json_key_bool(w, key, true);
}

/* Descriptors it inherited, [[fd, "target"], ...]: what an fd-leak is about. */
static void
put_fds(struct pw_json *w, const struct pw_image *im)
{
	uint16_t i;

	if (!im->nfds)
		return;
	pw_json_key(w, "fds");
	pw_json_array_begin(w);
	for (i = 0; i < im->nfds; i++) {
		pw_json_array_begin(w);
		pw_json_int(w, im->fds[i].fd);
		pw_json_bytes_cstr(w, im->fds[i].target);
		pw_json_array_end(w);
	}
	pw_json_array_end(w);
	put_key_true(w, "fds_truncated", im->fds_truncated);
}

static void
put_image(struct pw_json *w, const struct pw_image *im)
{
	pw_json_object_begin(w);
	pw_json_image_keys(w, im);
	put_fds(w, im);
	pw_json_key_stack_text(w, "stack", "stack_note", im->stack);
	pw_json_object_end(w);
}

/* The last exec when it ran nothing: what the process tried to become. */
static void
put_attempt(struct pw_json *w, const struct pw_attempt *a)
{
	pw_json_key(w, "attempt");
	pw_json_object_begin(w);
	pw_json_key_time(w, "t", a->t);
	pw_json_key_text(w, "path", a->path);
	pw_json_key_argv(w, &a->argv);
	pw_json_key_text(w, "cwd", a->cwd);
	if (a->result == PW_RESULT_UNFINISHED)
		pw_json_key_bool(w, "unfinished", true);
	else
		pw_json_key_errno(w, "errno", (int)-a->result);
	pw_json_key_stack_text(w, "stack", "stack_note", a->stack);
	pw_json_object_end(w);
}

static void
put_images(struct pw_json *w, const struct pw_proc *p)
{
	const struct pw_image *im;

	if (p->images) {
		pw_json_key(w, "execs");
		pw_json_array_begin(w);
		for (im = p->images; im; im = im->next)
			put_image(w, im);
		pw_json_array_end(w);
	}
	if (p->attempt)
		put_attempt(w, p->attempt);
}

static void
put_mark(struct pw_json *w, const struct pw_mark *mk)
{
	pw_json_object_begin(w);
	pw_json_key_time(w, "t", mk->t);
	pw_json_key_int(w, "tid", mk->tid);
	if (mk->kind == PW_MARK_SIGNAL) {
		pw_json_key_signal(w, "signal", mk->num);
		if (mk->sender)
			pw_json_key_int(w, "sender", mk->sender);
	} else {
		pw_json_key_text(w, "path", mk->path);
		if (mk->kind == PW_MARK_EXEC_FAILED)
			pw_json_key_errno(w, "errno", mk->num);
		else
			pw_json_key_bool(w, "unfinished", true);
		pw_json_key_stack_text(w, "stack", "stack_note", mk->stack);
	}
	pw_json_object_end(w);
}

/*
 * The markers on its bar: "failed_execs" (failed, or died in; not the
 * misses of a PATH search that found its program, counted in
 * "path_misses") and "signals" delivered.
 */
static void
put_marks(struct pw_json *w, const struct pw_proc *p, bool signals)
{
	const struct pw_mark *mk;
	bool any = false;
	size_t i;

	for (i = 0; p->marks && i < p->marks->n; i++) {
		mk = &p->marks->v[i];
		if ((mk->kind == PW_MARK_SIGNAL) != signals || mk->path_miss)
			continue;
		if (!any) {
			pw_json_key(w, signals ? "signals" : "failed_execs");
			pw_json_array_begin(w);
			any = true;
		}
		put_mark(w, mk);
	}
	if (any)
		pw_json_array_end(w);
}

/*
 * How it was made: the kind, and the call with its flags as the timeline
 * shows it (fork and vfork take none, SIGCHLD is the usual exit signal);
 * the creator's pid only when it is not the shown parent's.
 */
static void
put_spawn(struct pw_json *w, const struct pw_proc *p, const struct pw_proc *up)
{
	bool plain = p->origin.call == PW_CALL_FORK || p->origin.call == PW_CALL_VFORK;

	if (!p->up)
		return;
	if (!up || up->pid != pw_proc_creator(p))
		pw_json_key_int(w, "creator", pw_proc_creator(p));
	pw_json_key_string(w, "spawn", pw_spawn_kind_name(p->origin.kind));
	if (pw_call_name(p->origin.call))
		pw_json_key_string(w, "call", pw_call_name(p->origin.call));
	if (p->origin.flags && !plain) {
		pw_json_key(w, "flags");
		pw_json_array_begin(w);
		pw_clone_flags_each(p->origin.flags, pw_json_flag, w);
		pw_json_array_end(w);
	}
	if (p->origin.exit_signal && (!plain || p->origin.exit_signal != SIGCHLD))
		pw_json_key_signal(w, "exit_signal", p->origin.exit_signal);
	pw_json_key_stack_text(w, "spawn_stack", "spawn_stack_note", p->origin.stack);
}

/* When and how it ended; "end" is left out while it was still running. */
static void
put_life(struct pw_json *w, const struct pw_model *m, const struct pw_proc *p)
{
	pw_json_key_time(w, "start", p->start_us);
	if (p->exited) {
		pw_json_key_time(w, "end", p->exit_us);
		pw_json_key(w, "status");
		pw_json_status(w, &p->status);
	}
	put_key_true(w, "failed", pw_view_is_failure(m, p));
	put_key_true(w, "cut", pw_view_cut_running(m, p));
	put_key_true(w, "untraced", p->untraced);
	put_key_true(w, "detached", p->detached);
	if (p->attached) {
		pw_json_key_bool(w, "attached", true);
		pw_json_key_time(w, "age", p->age_us);
	}
	put_key_true(w, "orphaned", p->orphaned);
	/* Reaped by its parent, as a rule; by another (a subreaper) is news. */
	if (p->reaped && !p->reaped_by_tracer && p->reaper != p->ppid)
		pw_json_key_int(w, "reaped_by", p->reaper);
	if (p->threads)
		pw_json_key_int(w, "threads", p->threads);
	if (p->path_misses)
		pw_json_key_int(w, "path_misses", p->path_misses);
	if (p->marks && p->marks->dropped)
		pw_json_key_int(w, "marks_dropped", (int64_t)p->marks->dropped);
}

/*
 * Its warnings, each kind with the lines given about it; *next walks
 * run->warnings, sorted by process in the order of m->all.
 */
static void
put_warnings(struct pw_json *w, const struct pw_proc *p, const struct html_run *run,
	     size_t *next)
{
	const struct html_warning *hw;

	while (*next < run->nwarnings && run->warnings[*next].p->id < p->id)
		++*next;
	if (!p->warned)
		return;
	pw_json_key(w, "warnings");
	pw_json_array_begin(w);
	for (; *next < run->nwarnings && (hw = &run->warnings[*next])->p == p; ++*next) {
		pw_json_object_begin(w);
		pw_json_key_string(w, "kind", pw_warning_kind_name(hw->kind));
		pw_json_key_string(w, "text", hw->text);
		pw_json_object_end(w);
	}
	pw_json_array_end(w);
}

static void
put_process(struct pw_json *w, const struct pw_model *m, const struct pw_proc *p,
	    const struct html_run *run, size_t *next_warning)
{
	const struct pw_proc *up = pw_shown_up(p);

	pw_json_object_begin(w);
	pw_json_key_int(w, "id", (int64_t)p->id);
	pw_json_key_int(w, "pid", p->pid);
	pw_json_key_text(w, "name", p->name);
	if (up)
		pw_json_key_int(w, "up", (int64_t)up->id);
	put_spawn(w, p, up);
	put_life(w, m, p);
	put_images(w, p);
	put_marks(w, p, false);
	put_marks(w, p, true);
	put_warnings(w, p, run, next_warning);
	pw_json_usage(w, &p->usage);
	pw_json_object_end(w);
}

static int
cmp_warning(const void *a, const void *b)
{
	const struct html_warning *x = a, *y = b;

	if (x->p->id != y->p->id)
		return x->p->id < y->p->id ? -1 : 1;
	/* qsort is not stable: keep the order they were given in. */
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
put_processes(struct pw_json *w, const struct pw_model *m, struct html_run *run)
{
	const struct pw_proc *p;
	size_t next = 0;

	if (run->nwarnings)
		qsort(run->warnings, run->nwarnings, sizeof(*run->warnings), cmp_warning);
	pw_json_key(w, "processes");
	pw_json_array_begin(w);
	for (p = m->all; p; p = p->next_all)
		if (pw_proc_shown(p))
			put_process(w, m, p, run, &next);
	pw_json_array_end(w);
}

/* Where, when and how the run was recorded; null for a trace without a header. */
static void
put_trace(struct pw_json *w, const struct pw_model *m, const struct html_run *run)
{
	size_t i;

	pw_json_key(w, "trace");
	if (!m->trace.known || !run->header) {
		pw_json_null(w);
		return;
	}
	pw_json_object_begin(w);
	pw_json_key_text(w, "procwatch", m->trace.version);
	pw_json_key_text(w, "hostname", m->trace.hostname);
	pw_json_key_text(w, "kernel", m->trace.kernel);
	pw_json_key_text(w, "cwd", m->trace.cwd);
	if (m->trace.wall_us) {
		pw_json_key(w, "wall_clock_us");
		pw_json_uint(w, m->trace.wall_us);
	}
	pw_json_key_string(w, "mode", run->attach ? "attach" : "launch");
	if (!run->attach) {
		pw_json_key(w, "argv");
		pw_json_bytes_array(w, run->argv, run->argc);
	}
	if (run->npids) {
		pw_json_key(w, "pids");
		pw_json_array_begin(w);
		for (i = 0; i < run->npids; i++)
			pw_json_int(w, run->pids[i]);
		pw_json_array_end(w);
	}
	pw_json_key_bool(w, "seccomp", run->seccomp);
	pw_json_key_int(w, "stack", run->stack_depth);
	pw_json_object_end(w);
}

/*
 * How the trace ended: at "t" (the last event's time), "ended" false for
 * one cut short (no end event); the command's status.
 */
static void
put_end(struct pw_json *w, const struct pw_model *m)
{
	pw_json_key(w, "end");
	pw_json_object_begin(w);
	pw_json_key_time(w, "t", m->end_us);
	pw_json_key_bool(w, "ended", m->ended);
	if (m->ended && !m->attach) {
		pw_json_key(w, "status");
		pw_json_status(w, &m->end.status);
	}
	if (m->ended && m->end.lost)
		pw_json_key_int(w, "lost", (int64_t)m->end.lost);
	put_key_true(w, "detached", m->ended && m->end.detached);
	pw_json_object_end(w);
	/* Out of memory while reading: the report shows less than happened. */
	put_key_true(w, "incomplete", m->failed);
}

/* --summary's counts, over the processes shown. */
static void
put_counts(struct pw_json *w, const struct pw_model *m)
{
	struct pw_model_counts c;
	unsigned k;

	pw_model_shown_counts(m, &c);
	pw_json_key(w, "counts");
	pw_json_object_begin(w);
	pw_json_key_int(w, "processes", (int64_t)c.processes);
	pw_json_key_int(w, "threads", (int64_t)c.threads);
	pw_json_key_int(w, "execs", (int64_t)c.execs);
	pw_json_key_int(w, "failed_execs", (int64_t)c.failed_execs);
	pw_json_key_int(w, "nonzero_exits", (int64_t)c.nonzero_exits);
	pw_json_key_int(w, "signals", (int64_t)c.signals);
	pw_json_key(w, "warnings");
	pw_json_object_begin(w);
	for (k = 0; k < PW_WARN_KINDS; k++)
		if (c.warnings[k])
			pw_json_key_int(w, pw_warning_kind_name((enum pw_warning_kind)k),
					(int64_t)c.warnings[k]);
	pw_json_object_end(w);
	pw_json_object_end(w);
}

/* What --pid, --match and --depth asked for; nothing without them. */
static void
put_filter(struct pw_json *w, const struct pw_filter_spec *f)
{
	size_t i;

	if (!pw_filter_spec_active(f))
		return;
	pw_json_key(w, "filter");
	pw_json_object_begin(w);
	if (f->npids) {
		pw_json_key(w, "pids");
		pw_json_array_begin(w);
		for (i = 0; i < f->npids; i++)
			pw_json_int(w, f->pids[i]);
		pw_json_array_end(w);
	}
	if (f->match)
		pw_json_key_string(w, "match", f->match);
	if (f->depth_set)
		pw_json_key_int(w, "depth", f->depth);
	pw_json_object_end(w);
}

void
pw_html_put_data(struct pw_json *w, const struct pw_model *m, struct html_run *run)
{
	pw_json_object_begin(w);
	/* The version of this object, for a reader that scrapes reports. */
	pw_json_key_int(w, "report", 1);
	put_trace(w, m, run);
	put_end(w, m);
	put_counts(w, m);
	put_filter(w, &run->o->filter);
	put_processes(w, m, run);
	pw_json_object_end(w);
	pw_json_newline(w);
}
