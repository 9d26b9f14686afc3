/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --format=perfetto: the run as a Chrome Trace Event Format file
 * ({"traceEvents":[...]}) for ui.perfetto.dev and chrome://tracing.  Each
 * process is a track (pid, with a tid per thread) named "PID COMMAND"; its
 * life is a complete slice ("X") with a nested one per exec image; each
 * spawn is a flow arrow from the spawning thread to the child's first
 * slice; failed execs, execs the task died in and signals are instant
 * markers.  A process procwatch attached to (-p) starts at the attach, its
 * first image the command line it was found running with.  A slice's
 * duration is known only when the process ends, so nothing is written
 * until close; everything comes from the process model (its images,
 * spawns and at most PW_MODEL_MARKS_MAX marks per process), which this
 * view asks to keep marks and, with -k, stacks.  Memory therefore grows
 * with the number of processes, threads and execs of the run, and is freed
 * at close.  With -k, stacks become slice args: an exec's on its slice or
 * its "exec failed" or "exec unfinished" marker, a spawn's on the slice of
 * the process or thread it created (the flow's end), where selecting it
 * shows how it was started.  With filters (procwatch/filter.h) only the
 * processes shown get tracks, and arrows only between them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/filter.h"
#include "procwatch/json_writer.h"
#include "procwatch/model.h"
#include "procwatch/sink.h"
#include "procwatch/xlat.h"
#include "json_values.h"
#include "view.h"

struct perfetto {
	FILE *out;
	struct pw_json w;
};

/* Writing: one trace event per line, in passes so that slices come first. */

/* Opens an event's object with the keys every event has. */
static void
event_begin(struct pw_json *w, const char *ph, const char *name, pid_t pid,
	    pid_t tid, uint64_t ts)
{
	/* One event a line; the writer puts the comma at the next line's start. */
	fputc('\n', w->out);
	pw_json_object_begin(w);
	pw_json_key_string(w, "ph", ph);
	pw_json_key_string(w, "name", name);
	pw_json_key_int(w, "pid", pid);
	pw_json_key_int(w, "tid", tid);
	pw_json_key(w, "ts");
	pw_json_uint(w, ts);
}

/* "1234 make": tracee bytes, so made lossy (U+FFFD) by pw_json_string(). */
static void
put_metadata(struct pw_json *w, const char *what, pid_t pid, pid_t tid,
	     const char *label)
{
	event_begin(w, "M", what, pid, tid, 0);
	pw_json_key(w, "args");
	pw_json_object_begin(w);
	pw_json_key_string(w, "name", label);
	pw_json_object_end(w);
	pw_json_object_end(w);
}

static void
put_names(struct pw_json *w, const struct pw_proc *p, unsigned long order)
{
	size_t i, len = strlen(p->name) + 16;
	char *label = malloc(len);

	if (label)
		snprintf(label, len, "%d %s", (int)p->pid, p->name);
	put_metadata(w, "process_name", p->pid, p->pid, label ? label : p->name);
	free(label);
	/* Tracks in the order the processes appeared, as in the tree. */
	event_begin(w, "M", "process_sort_index", p->pid, p->pid, 0);
	pw_json_key(w, "args");
	pw_json_object_begin(w);
	pw_json_key(w, "sort_index");
	pw_json_uint(w, order);
	pw_json_object_end(w);
	pw_json_object_end(w);
	put_metadata(w, "thread_name", p->pid, p->pid, p->name);
	for (i = 0; i < p->nthread_recs; i++)
		put_metadata(w, "thread_name", p->pid, p->thread_recs[i].tid, p->name);
}

/*
 * The end of p's life, or of the trace for a process still running then;
 * never before its start.  An attached process's slice starts at the
 * attach (the trace has nothing earlier): its age is not on the time axis.
 */
static uint64_t
proc_end(const struct pw_model *m, const struct pw_proc *p)
{
	return p->start_us + (pw_proc_lifetime(p, m->end_us) - p->age_us);
}

/* Keys of a status: "status", then "exit_code" or "signal" and "core". */
static void
put_status_args(struct pw_json *w, const struct pw_status *st, bool exited)
{
	char buf[32];

	if (!exited) {
		pw_json_key_string(w, "status", "running");
		return;
	}
	pw_json_key_string(w, "status", pw_status_kind_name(st->kind) ?
			 pw_status_kind_name(st->kind) : "unknown");
	if (st->kind == PW_STATUS_EXITED) {
		pw_json_key_int(w, "exit_code", st->code);
	} else if (st->kind == PW_STATUS_KILLED) {
		pw_json_key_string(w, "signal", pw_signal_format(st->signal, buf, sizeof(buf)));
		pw_json_key(w, "core");
		pw_json_bool(w, st->core);
	}
}

/* What the process used, as the JSON trace names it: "user_us", "system_us", "peak_rss_kib". */
static void
put_usage_args(struct pw_json *w, const struct pw_usage *u)
{
	if (u->known & PW_USAGE_USER) {
		pw_json_key(w, "user_us");
		pw_json_uint(w, u->user_us);
	}
	if (u->known & PW_USAGE_SYSTEM) {
		pw_json_key(w, "system_us");
		pw_json_uint(w, u->system_us);
	}
	if (u->known & PW_USAGE_PEAK_RSS) {
		pw_json_key(w, "peak_rss_kib");
		pw_json_uint(w, u->peak_rss_kib);
	}
}

static void
put_slice_times(struct pw_json *w, uint64_t start, uint64_t end)
{
	pw_json_key(w, "dur");
	pw_json_uint(w, end > start ? end - start : 0);
}

/* "attached": true and "age_us", what it had run before; "detached": true. */
static void
put_attach_args(struct pw_json *w, const struct pw_proc *p)
{
	if (p->attached) {
		pw_json_key(w, "attached");
		pw_json_bool(w, true);
		pw_json_key(w, "age_us");
		pw_json_uint(w, p->age_us);
	}
	if (p->detached) {
		pw_json_key(w, "detached");
		pw_json_bool(w, true);
	}
}

static void
put_proc_slice(struct pw_json *w, const struct pw_model *m, const struct pw_proc *p)
{
	event_begin(w, "X", p->name, p->pid, p->pid, p->start_us);
	pw_json_key_string(w, "cat", "process");
	put_slice_times(w, p->start_us, proc_end(m, p));
	pw_json_key(w, "args");
	pw_json_object_begin(w);
	pw_json_key_int(w, "pid", p->pid);
	if (p->up || (p->attached && p->ppid))
		pw_json_key_int(w, "ppid", p->ppid);
	if (p->up && !p->attached)
		pw_json_key_string(w, "spawn", pw_spawn_kind_name(p->origin.kind));
	put_attach_args(w, p);
	if (p->untraced)
		pw_json_key_string(w, "followed", "no (CLONE_UNTRACED)");
	put_status_args(w, &p->status, p->exited);
	put_usage_args(w, &p->usage);
	if (p->failed_execs)
		pw_json_key_int(w, "failed_execs", p->failed_execs);
	if (p->threads)
		pw_json_key_int(w, "threads", p->threads);
	if (p->orphaned)
		pw_json_key_string(w, "orphaned", "yes");
	if (p->marks && p->marks->dropped)
		pw_json_key_int(w, "markers_dropped", (int64_t)p->marks->dropped);
	pw_json_key_stack_text(w, "spawn_stack", "spawn_stack_note", p->origin.stack);
	pw_json_object_end(w);
	pw_json_object_end(w);
}

/* The program an image runs: argv[0]'s basename, as the model names it. */
static const char *
image_name(const struct pw_image *im)
{
	if (im->argv.n > 0 && im->argv.v[0] && im->argv.v[0][0])
		return pw_basename(im->argv.v[0]);
	if (im->path && im->path[0])
		return pw_basename(im->path);
	return "exec";
}

static void
put_image_args(struct pw_json *w, const struct pw_image *im)
{
	size_t i;

	pw_json_key(w, "path");
	pw_json_bytes_cstr(w, im->path);
	pw_json_key(w, "argv");
	pw_json_array_begin(w);
	for (i = 0; i < im->argv.n - im->argv.elided; i++)
		pw_json_bytes_cstr(w, im->argv.v[i]);
	pw_json_array_end(w);
	if (im->argv.truncated)
		pw_json_key_string(w, "argv_truncated", "yes");
	if (im->attached) {
		pw_json_key(w, "attached");
		pw_json_bool(w, true);
	}
	if (im->cwd) {
		pw_json_key(w, "cwd");
		pw_json_bytes_cstr(w, im->cwd);
	}
}

/*
 * Image i runs from its exec to the next exec or the process's end; both
 * ends are clamped into the process slice so that the slices nest even
 * when events disagree by a microsecond.
 */
static void
put_image_slice(struct pw_json *w, const struct pw_model *m, const struct pw_proc *p,
		const struct pw_image *im)
{
	uint64_t end = proc_end(m, p), start = im->t;
	bool last = !im->next;

	if (!last && im->next->t < end)
		end = im->next->t;
	if (start < p->start_us)
		start = p->start_us;
	if (start > end)
		start = end;
	event_begin(w, "X", image_name(im), p->pid, p->pid, start);
	pw_json_key_string(w, "cat", "exec");
	put_slice_times(w, start, end);
	pw_json_key(w, "args");
	pw_json_object_begin(w);
	put_image_args(w, im);
	if (last)
		put_status_args(w, &p->status, p->exited);
	else
		pw_json_key_string(w, "status", "replaced by exec");
	pw_json_key_stack_text(w, "stack", "stack_note", im->stack);
	pw_json_object_end(w);
	pw_json_object_end(w);
}

static void
put_thread_slice(struct pw_json *w, const struct pw_model *m, const struct pw_proc *p,
		 const struct pw_thread_rec *t)
{
	uint64_t end = t->exited ? t->exit_us : proc_end(m, p);

	event_begin(w, "X", "thread", p->pid, t->tid, t->start_us);
	pw_json_key_string(w, "cat", "thread");
	put_slice_times(w, t->start_us, end);
	pw_json_key(w, "args");
	pw_json_object_begin(w);
	pw_json_key_int(w, "tid", t->tid);
	if (t->attached) {
		pw_json_key(w, "attached");
		pw_json_bool(w, true);
	}
	if (t->exited && t->status.kind != PW_STATUS_NONE)
		put_status_args(w, &t->status, true);
	pw_json_key_stack_text(w, "spawn_stack", "spawn_stack_note", t->origin.stack);
	pw_json_object_end(w);
	pw_json_object_end(w);
}

static void
put_slices(struct pw_json *w, const struct pw_model *m, const struct pw_proc *p)
{
	const struct pw_image *im;
	size_t i;

	put_proc_slice(w, m, p);
	for (im = p->images; im; im = im->next)
		put_image_slice(w, m, p, im);
	for (i = 0; i < p->nthread_recs; i++)
		put_thread_slice(w, m, p, &p->thread_recs[i]);
}

/*
 * An arrow: "s" inside the spawning thread's slice, "f" bound ("bp":"e")
 * to the slice enclosing the child's start, which is the child's first.
 */
static void
put_flow(struct pw_json *w, pid_t from_pid, const struct pw_origin *o, uint64_t t,
	 pid_t to_pid, pid_t to_tid, uint64_t id)
{
	event_begin(w, "s", "spawn", from_pid, o->creator_tid, t);
	pw_json_key_string(w, "cat", "spawn");
	pw_json_key(w, "id");
	pw_json_uint(w, id);
	pw_json_object_end(w);
	event_begin(w, "f", "spawn", to_pid, to_tid, t);
	pw_json_key_string(w, "cat", "spawn");
	pw_json_key(w, "id");
	pw_json_uint(w, id);
	pw_json_key_string(w, "bp", "e");
	pw_json_object_end(w);
}

/* The arrows to p and to the threads it was seen to create. */
static void
put_flows(struct pw_json *w, const struct pw_proc *p, uint64_t *id)
{
	size_t i;

	/* An arrow needs both tracks: from a creator filtered out, none. */
	if (pw_shown_up(p) && !p->attached)
		put_flow(w, pw_proc_creator(p), &p->origin, p->start_us, p->pid, p->pid, ++*id);
	for (i = 0; i < p->nthread_recs; i++)
		if (!p->thread_recs[i].attached)
			put_flow(w, p->pid, &p->thread_recs[i].origin,
				 p->thread_recs[i].start_us, p->pid,
				 p->thread_recs[i].tid, ++*id);
}

/*
 * A signal delivered, or an exec that failed or that the task died in;
 * the latter has no errno: the process's end (a "killed by" marker, as a
 * rule) says what happened.
 */
static void
put_mark(struct pw_json *w, pid_t pid, const struct pw_mark *m)
{
	bool is_exec = m->kind != PW_MARK_SIGNAL;
	char buf[32];
	const char *name;

	if (m->kind == PW_MARK_EXEC_FAILED)
		name = "exec failed";
	else if (m->kind == PW_MARK_EXEC_UNFINISHED)
		name = "exec unfinished";
	else
		name = pw_signal_format(m->num, buf, sizeof(buf));
	event_begin(w, "i", name, pid, m->tid, m->t);
	pw_json_key_string(w, "cat", is_exec ? "exec" : "signal");
	pw_json_key_string(w, "s", "t");
	pw_json_key(w, "args");
	pw_json_object_begin(w);
	if (is_exec) {
		pw_json_key(w, "path");
		pw_json_bytes_cstr(w, m->path);
		if (m->kind == PW_MARK_EXEC_FAILED)
			pw_json_key_string(w, "errno", pw_errno_format(m->num, buf, sizeof(buf)));
		pw_json_key_stack_text(w, "stack", "stack_note", m->stack);
	} else {
		pw_json_key_string(w, "signal", name);
		if (m->sender)
			pw_json_key_int(w, "sender", m->sender);
		pw_json_key_int(w, "code", m->code);
	}
	pw_json_object_end(w);
	pw_json_object_end(w);
}

/*
 * A death by signal, at the end of the process slice: SIGKILL never shows
 * as a delivered signal, and a kill is what a reader of a failed run looks
 * for first.
 */
static void
put_killed(struct pw_json *w, const struct pw_proc *p)
{
	char sig[32], name[48];

	pw_signal_format(p->status.signal, sig, sizeof(sig));
	snprintf(name, sizeof(name), "killed by %s", sig);
	event_begin(w, "i", name, p->pid, p->pid, p->exit_us);
	pw_json_key_string(w, "cat", "signal");
	pw_json_key_string(w, "s", "t");
	pw_json_key(w, "args");
	pw_json_object_begin(w);
	pw_json_key_string(w, "signal", sig);
	pw_json_key(w, "core");
	pw_json_bool(w, p->status.core);
	pw_json_object_end(w);
	pw_json_object_end(w);
}

/*
 * Names first, then every slice, then the arrows and markers that bind to
 * slices: a viewer that reads events at one timestamp in file order finds
 * the slice already open.
 */
static void
put_trace(struct pw_json *w, const struct pw_model *m)
{
	const struct pw_proc *p;
	unsigned long order = 0;
	uint64_t id = 0;
	size_t i;

	pw_json_object_begin(w);
	pw_json_key(w, "traceEvents");
	pw_json_array_begin(w);
	for (p = m->all; p; p = p->next_all)
		if (pw_proc_shown(p))
			put_names(w, p, order++);
	for (p = m->all; p; p = p->next_all)
		if (pw_proc_shown(p))
			put_slices(w, m, p);
	for (p = m->all; p; p = p->next_all) {
		if (!pw_proc_shown(p))
			continue;
		put_flows(w, p, &id);
		for (i = 0; p->marks && i < p->marks->n; i++)
			put_mark(w, p->pid, &p->marks->v[i]);
		if (p->exited && p->status.kind == PW_STATUS_KILLED)
			put_killed(w, p);
	}
	fputc('\n', w->out);
	pw_json_array_end(w);
	/*
	 * No "displayTimeUnit": ms is the format's default already, and older
	 * Perfetto UI builds given the key read ts as milliseconds, making
	 * every slice 1000 times too long (google/perfetto #141, #274).
	 */
	if (m->failed) {
		pw_json_key(w, "otherData");
		pw_json_object_begin(w);
		pw_json_key_string(w, "procwatch", "out of memory: the trace is incomplete");
		pw_json_object_end(w);
	}
	pw_json_object_end(w);
	pw_json_newline(w);
}

/* Every argument, stack and marker; no warnings: nothing here shows them. */
static void
perfetto_needs(const struct pw_view_opts *o, struct pw_model_opts *mo)
{
	(void)o;
	mo->argv_keep = 0;
	mo->stacks = true;
	mo->marks = true;
	mo->warnings = false;
}

static void *
perfetto_create(FILE *out, const struct pw_view_opts *o, void *data)
{
	struct perfetto *pt = calloc(1, sizeof(*pt));

	(void)o;	/* nothing of the text views applies */
	(void)data;
	if (!pt)
		return NULL;
	pt->out = out;
	pw_json_init(&pt->w, out);
	return pt;
}

static int
perfetto_end(void *view, const struct pw_model *m)
{
	struct perfetto *pt = view;
	int err, flushed;

	put_trace(&pt->w, m);
	err = pw_json_error(&pt->w);
	flushed = pw_view_flush(pt->out);
	return err ? err : flushed;
}

const struct pw_view pw_view_perfetto = {
	.needs = perfetto_needs,
	.create = perfetto_create,
	.end = perfetto_end,
	.end_at_close = true,
	.destroy = free,
};
