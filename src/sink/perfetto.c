/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --format=perfetto: the run as a Chrome Trace Event Format file
 * ({"traceEvents":[...]}) for ui.perfetto.dev and chrome://tracing.  Each
 * process is a track (pid, with a tid per thread) named "PID COMMAND"; its
 * life is a complete slice ("X") with a nested one per exec image; each
 * spawn is a flow arrow from the spawning thread to the child's first
 * slice; failed execs, execs the task died in and signals are instant
 * markers.  A process procwatch attached to (-p) starts at the attach,
 * its first image the command line it was found running with.  A slice's duration is known only when the process ends, so
 * nothing is written until close: the process model (src/model/proctab.c)
 * keeps names, start and exit times and statuses, and this sink keeps, per
 * process record, its exec images (path, argv, cwd), the spawns it made
 * and at most PF_MARKS_MAX markers.  Memory therefore grows with the
 * number of processes, threads and execs of the run, and is freed at
 * close.  With -k, stacks become slice args: an exec's on its slice or its
 * "exec failed" or "exec unfinished" marker, a spawn's on the slice of the
 * process or thread it created (the flow's end), where selecting it shows
 * how it was started.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/json_writer.h"
#include "procwatch/pidmap.h"
#include "procwatch/proctab.h"
#include "procwatch/sink.h"
#include "procwatch/xlat.h"
#include "sink_common.h"
#include "view.h"

/* Markers kept per process: a signal loop must not grow memory without end. */
#define PF_MARKS_MAX 256

/* A -k stack as the args show it: one "fn+0x1a (/path/obj)" per frame. */
struct pf_stack {
	bool requested;
	char **frames;
	size_t n;
	char *note;
};

/*
 * One successful exec, or the program a process was found running at an
 * attach: the image a nested slice stands for.
 */
struct pf_image {
	uint64_t t;
	bool attached;		/* found at the attach: path is /proc/PID/exe */
	struct pw_bytes path;
	struct pw_bytes cwd;
	struct pw_bytes *argv;
	size_t argc;
	bool argv_truncated;
	struct pf_stack stack;
};

enum pf_mark_kind {
	PF_MARK_EXEC_FAILED,
	PF_MARK_EXEC_UNFINISHED,	/* the task died in the exec */
	PF_MARK_SIGNAL,
};

struct pf_mark {
	enum pf_mark_kind kind;
	uint64_t t;
	pid_t tid;
	int num;		/* errno of a failed exec, or the signal */
	pid_t sender;		/* signal only; 0 when not known */
	int code;		/* signal only: si_code */
	struct pw_bytes path;	/* exec only */
	struct pf_stack stack;	/* exec only */
};

/* A spawn by this process: an arrow from (pid, from_tid) to (to_pid, to_tid). */
struct pf_flow {
	uint64_t t;
	pid_t from_tid;
	pid_t to_pid, to_tid;
};

/* The stack of the spawn that made thread record rec of a process. */
struct pf_tstack {
	size_t rec;
	struct pf_stack stack;
};

/* What the model does not keep about one pw_proc, which it points to. */
struct pf_proc {
	const struct pw_proc *proc;
	struct pf_stack spawn_stack;	/* of the spawn that created it */
	struct pf_tstack *tstacks;	/* of the spawns of its threads */
	size_t ntstacks;
	struct pf_image *images;
	size_t nimages;
	struct pf_mark *marks;
	size_t nmarks;
	unsigned long marks_dropped;
	struct pf_flow *flows;
	size_t nflows;
	struct pf_proc *next;
};

struct perfetto {
	struct pw_sink base;
	struct pw_proctab tab;
	struct pw_pidmap by_pid;	/* pid -> its current struct pf_proc */
	struct pf_proc *all, **all_tail;	/* in creation order */
	uint64_t end_us;	/* the latest time seen: where running slices end */
	bool incomplete;	/* out of memory once */
	struct pw_json w;
};

static void
stack_free(struct pf_stack *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		free(st->frames[i]);
	free(st->frames);
	free(st->note);
	*st = (struct pf_stack){ 0 };
}

static void
image_free(struct pf_image *im)
{
	size_t i;

	stack_free(&im->stack);
	pw_bytes_clear(&im->path);
	pw_bytes_clear(&im->cwd);
	for (i = 0; i < im->argc; i++)
		pw_bytes_clear(&im->argv[i]);
	free(im->argv);
}

static void
pf_free(struct pf_proc *pf)
{
	size_t i;

	for (i = 0; i < pf->nimages; i++)
		image_free(&pf->images[i]);
	free(pf->images);
	for (i = 0; i < pf->nmarks; i++) {
		pw_bytes_clear(&pf->marks[i].path);
		stack_free(&pf->marks[i].stack);
	}
	free(pf->marks);
	free(pf->flows);
	stack_free(&pf->spawn_stack);
	for (i = 0; i < pf->ntstacks; i++)
		stack_free(&pf->tstacks[i].stack);
	free(pf->tstacks);
	free(pf);
}

/* A copy of tracee bytes, NUL-terminated; data stays NULL when it was unread. */
/* One frame as text: the sink keeps strings, not the event's frames. */
static char *
frame_text(const struct pw_frame *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return NULL;
	pw_view_frame(m, f, true);
	if (fclose(m) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* dst from an event's stack; on failure dst holds what was made, to free. */
static int
stack_render(struct pf_stack *dst, const struct pw_stack *src)
{
	*dst = (struct pf_stack){ .requested = src->requested };
	if (!src->requested)
		return 0;
	if (src->note && !(dst->note = strdup(src->note)))
		return -ENOMEM;
	if (!src->nframes)
		return 0;
	dst->frames = calloc(src->nframes, sizeof(*dst->frames));
	if (!dst->frames)
		return -ENOMEM;
	for (; dst->n < src->nframes; dst->n++) {
		dst->frames[dst->n] = frame_text(&src->frames[dst->n]);
		if (!dst->frames[dst->n])
			return -ENOMEM;
	}
	return 0;
}

/*
 * The record for the model's current record of pid, made when the model
 * has a new one (a new process, or a pid the kernel reused).
 */
static struct pf_proc *
pf_of(struct perfetto *pt, pid_t pid)
{
	const struct pw_proc *p = pw_proctab_get(&pt->tab, pid);
	struct pf_proc *pf;

	if (!p)
		return NULL;
	pf = pw_pidmap_get(&pt->by_pid, pid);
	if (pf && pf->proc == p)
		return pf;
	pf = calloc(1, sizeof(*pf));
	if (!pf)
		return NULL;
	if (pw_pidmap_put(&pt->by_pid, pid, pf) < 0) {
		free(pf);
		return NULL;
	}
	pf->proc = p;
	*pt->all_tail = pf;
	pt->all_tail = &pf->next;
	return pf;
}

/* Grows an array of n elements of size by one; the new one is zeroed. */
static void *
grow(void *array, size_t n, size_t size)
{
	char *a = realloc(array, (n + 1) * size);

	if (a)
		memset(a + n * size, 0, size);
	return a;
}

/* A thread's spawn stack, for the record the model just made for it. */
static int
add_thread_stack(struct pf_proc *pf, const struct pw_event *ev)
{
	const struct pw_proc *p = pf->proc;
	struct pf_tstack *ts;
	int err;

	if (!ev->u.spawn.stack.requested || p->nthread_recs == 0 ||
	    p->thread_recs[p->nthread_recs - 1].tid != ev->u.spawn.child)
		return 0;
	ts = grow(pf->tstacks, pf->ntstacks, sizeof(*ts));
	if (!ts)
		return -ENOMEM;
	pf->tstacks = ts;
	ts[pf->ntstacks].rec = p->nthread_recs - 1;
	err = stack_render(&ts[pf->ntstacks].stack, &ev->u.spawn.stack);
	pf->ntstacks++;
	return err;
}

/* Where the spawn's stack goes: the new process's record, or its thread's. */
static int
add_spawn_stack(struct perfetto *pt, struct pf_proc *pf, const struct pw_event *ev)
{
	struct pf_proc *child;

	if (ev->u.spawn.thread)
		return add_thread_stack(pf, ev);
	/* The child's record, made by the model just now, gets its own pf. */
	child = pf_of(pt, ev->u.spawn.child);
	if (!child)
		return -ENOMEM;
	stack_free(&child->spawn_stack);
	return stack_render(&child->spawn_stack, &ev->u.spawn.stack);
}

static int
add_flow(struct perfetto *pt, struct pf_proc *pf, const struct pw_event *ev)
{
	const struct pw_spawn *sp = &ev->u.spawn;
	struct pf_flow *flows;

	/*
	 * A failed or unfinished spawn made nothing: no arrow, and no slice
	 * for its stack to go on.  Unlike an exec it changed nothing to mark.
	 */
	if (sp->result < 0 || sp->child <= 0)
		return 0;
	if (add_spawn_stack(pt, pf, ev) < 0)
		return -ENOMEM;
	flows = grow(pf->flows, pf->nflows, sizeof(*flows));
	if (!flows)
		return -ENOMEM;
	pf->flows = flows;
	flows[pf->nflows++] = (struct pf_flow){
		.t = ev->time_us,
		.from_tid = ev->tid,
		.to_pid = sp->thread ? ev->pid : sp->child,
		.to_tid = sp->child,
	};
	return 0;
}

static int
image_copy(struct pf_image *im, const struct pw_event *ev)
{
	const struct pw_exec *ex = &ev->u.exec;
	int err;

	im->t = ev->time_us;
	im->argv_truncated = ex->argv_truncated || ex->argv_err;
	err = pw_bytes_dup(&im->path, &ex->path);
	if (!err)
		err = pw_bytes_dup(&im->cwd, &ex->cwd);
	if (!err)
		err = stack_render(&im->stack, &ex->stack);
	if (err || ex->argc == 0)
		return err;
	im->argv = calloc(ex->argc, sizeof(*im->argv));
	if (!im->argv)
		return -ENOMEM;
	for (; im->argc < ex->argc; im->argc++) {
		err = pw_bytes_dup(&im->argv[im->argc], &ex->argv[im->argc]);
		if (err)
			return err;
	}
	return 0;
}

/* What /proc showed at the attach, as an image from then on. */
static int
image_copy_attach(struct pf_image *im, const struct pw_event *ev)
{
	const struct pw_attach *at = &ev->u.attach;
	int err;

	im->t = ev->time_us;
	im->attached = true;
	im->argv_truncated = at->argv_truncated;
	err = pw_bytes_dup(&im->path, &at->exe);
	if (!err)
		err = pw_bytes_dup(&im->cwd, &at->cwd);
	if (err || at->argc == 0)
		return err;
	im->argv = calloc(at->argc, sizeof(*im->argv));
	if (!im->argv)
		return -ENOMEM;
	for (; im->argc < at->argc; im->argc++) {
		err = pw_bytes_dup(&im->argv[im->argc], &at->argv[im->argc]);
		if (err)
			return err;
	}
	return 0;
}

static int
add_image(struct pf_proc *pf, const struct pw_event *ev)
{
	struct pf_image *images = grow(pf->images, pf->nimages, sizeof(*images));
	int err;

	if (!images)
		return -ENOMEM;
	pf->images = images;
	if (ev->kind == PW_EV_ATTACH)
		err = image_copy_attach(&images[pf->nimages], ev);
	else
		err = image_copy(&images[pf->nimages], ev);
	if (err) {
		image_free(&images[pf->nimages]);
		return err;
	}
	pf->nimages++;
	return 0;
}

static int
add_mark(struct pf_proc *pf, const struct pw_event *ev)
{
	struct pf_mark *m, *marks;

	if (pf->nmarks >= PF_MARKS_MAX) {
		pf->marks_dropped++;
		return 0;
	}
	marks = grow(pf->marks, pf->nmarks, sizeof(*marks));
	if (!marks)
		return -ENOMEM;
	pf->marks = marks;
	/* Counted before the copies are made, so that pf_free() frees them. */
	m = &marks[pf->nmarks++];
	m->t = ev->time_us;
	m->tid = ev->tid;
	if (ev->kind != PW_EV_EXEC) {
		m->kind = PF_MARK_SIGNAL;
		m->num = ev->u.signal.signal;
		m->sender = ev->u.signal.sender;
		m->code = ev->u.signal.code;
		return 0;
	}
	if (ev->u.exec.result == PW_RESULT_UNFINISHED) {
		m->kind = PF_MARK_EXEC_UNFINISHED;
	} else {
		m->kind = PF_MARK_EXEC_FAILED;
		m->num = (int)-ev->u.exec.result;
	}
	if (pw_bytes_dup(&m->path, &ev->u.exec.path) < 0 ||
	    stack_render(&m->stack, &ev->u.exec.stack) < 0)
		return -ENOMEM;
	return 0;
}

static int
perfetto_event(struct pw_sink *sink, const struct pw_event *ev)
{
	struct perfetto *pt = (struct perfetto *)sink;
	struct pf_proc *pf;
	int err = 0;

	if (ev->time_us > pt->end_us)
		pt->end_us = ev->time_us;
	if (pw_proctab_event(&pt->tab, ev) < 0)
		pt->incomplete = true;
	/*
	 * No record: an attach-mode start, which has no process of its own,
	 * or the model out of memory, which it says itself.
	 */
	if (ev->kind == PW_EV_END || !pw_proctab_get(&pt->tab, ev->pid))
		return 0;
	pf = pf_of(pt, ev->pid);
	if (!pf) {
		pt->incomplete = true;
		return 0;
	}
	if (ev->kind == PW_EV_SPAWN)
		err = add_flow(pt, pf, ev);
	else if ((ev->kind == PW_EV_EXEC && ev->u.exec.result >= 0) ||
		 (ev->kind == PW_EV_ATTACH && pf->nimages == 0))
		err = add_image(pf, ev);
	else if (ev->kind == PW_EV_EXEC || ev->kind == PW_EV_SIGNAL)
		err = add_mark(pf, ev);
	/* Like the tree, the file is written all the same, and says it is incomplete. */
	if (err)
		pt->incomplete = true;
	return 0;
}

/* Writing: one trace event per line, in passes so that slices come first. */

static void
put_key_string(struct pw_json *w, const char *key, const char *s)
{
	pw_json_key(w, key);
	pw_json_string(w, s);
}

static void
put_key_int(struct pw_json *w, const char *key, int64_t v)
{
	pw_json_key(w, key);
	pw_json_int(w, v);
}

/* Opens an event's object with the keys every event has. */
static void
event_begin(struct pw_json *w, const char *ph, const char *name, pid_t pid,
	    pid_t tid, uint64_t ts)
{
	/* One event a line; the writer puts the comma at the next line's start. */
	fputc('\n', w->out);
	pw_json_object_begin(w);
	put_key_string(w, "ph", ph);
	put_key_string(w, "name", name);
	put_key_int(w, "pid", pid);
	put_key_int(w, "tid", tid);
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
	put_key_string(w, "name", label);
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
proc_end(const struct perfetto *pt, const struct pw_proc *p)
{
	return p->start_us + (pw_proc_lifetime(p, pt->end_us) - p->age_us);
}

/* Keys of a status: "status", then "exit_code" or "signal" and "core". */
static void
put_status_args(struct pw_json *w, const struct pw_status *st, bool exited)
{
	char buf[32];

	if (!exited) {
		put_key_string(w, "status", "running");
		return;
	}
	put_key_string(w, "status", pw_sink_status_kind_name(st->kind) ?
			 pw_sink_status_kind_name(st->kind) : "unknown");
	if (st->kind == PW_STATUS_EXITED) {
		put_key_int(w, "exit_code", st->code);
	} else if (st->kind == PW_STATUS_KILLED) {
		put_key_string(w, "signal", pw_signal_format(st->signal, buf, sizeof(buf)));
		pw_json_key(w, "core");
		pw_json_bool(w, st->core);
	}
}

/* "stack": ["fn+0x1a (/path/obj)", ...] and "stack_note", under these keys. */
static void
put_stack_args(struct pw_json *w, const char *key, const char *note_key,
	       const struct pf_stack *st)
{
	size_t i;

	if (!st->requested)
		return;
	pw_json_key(w, key);
	pw_json_array_begin(w);
	for (i = 0; i < st->n; i++)
		pw_json_string(w, st->frames[i]);
	pw_json_array_end(w);
	if (st->note)
		put_key_string(w, note_key, st->note);
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
put_proc_slice(struct perfetto *pt, const struct pf_proc *pf)
{
	struct pw_json *w = &pt->w;
	const struct pw_proc *p = pf->proc;

	event_begin(w, "X", p->name, p->pid, p->pid, p->start_us);
	put_key_string(w, "cat", "process");
	put_slice_times(w, p->start_us, proc_end(pt, p));
	pw_json_key(w, "args");
	pw_json_object_begin(w);
	put_key_int(w, "pid", p->pid);
	if (p->up || (p->attached && p->ppid))
		put_key_int(w, "ppid", p->ppid);
	if (p->up && !p->attached)
		put_key_string(w, "spawn", pw_spawn_kind_name(p->kind));
	put_attach_args(w, p);
	put_status_args(w, &p->status, p->exited);
	if (p->failed_execs)
		put_key_int(w, "failed_execs", p->failed_execs);
	if (p->threads)
		put_key_int(w, "threads", p->threads);
	if (p->orphaned)
		put_key_string(w, "orphaned", "yes");
	if (pf->marks_dropped)
		put_key_int(w, "markers_dropped", (int64_t)pf->marks_dropped);
	put_stack_args(w, "spawn_stack", "spawn_stack_note", &pf->spawn_stack);
	pw_json_object_end(w);
	pw_json_object_end(w);
}

/* The program an image runs: argv[0]'s basename, as the model names it. */
static const char *
image_name(const struct pf_image *im)
{
	if (im->argc > 0 && im->argv[0].data && im->argv[0].data[0])
		return pw_basename(im->argv[0].data);
	if (im->path.data && im->path.data[0])
		return pw_basename(im->path.data);
	return "exec";
}

static void
put_image_args(struct pw_json *w, const struct pf_image *im)
{
	size_t i;

	pw_json_key(w, "path");
	pw_json_bytes(w, &im->path);
	pw_json_key(w, "argv");
	pw_json_array_begin(w);
	for (i = 0; i < im->argc; i++)
		pw_json_bytes(w, &im->argv[i]);
	pw_json_array_end(w);
	if (im->argv_truncated)
		put_key_string(w, "argv_truncated", "yes");
	if (im->attached) {
		pw_json_key(w, "attached");
		pw_json_bool(w, true);
	}
	if (im->cwd.data) {
		pw_json_key(w, "cwd");
		pw_json_bytes(w, &im->cwd);
	}
}

/*
 * Image i runs from its exec to the next exec or the process's end; both
 * ends are clamped into the process slice so that the slices nest even
 * when events disagree by a microsecond.
 */
static void
put_image_slice(struct perfetto *pt, const struct pf_proc *pf, size_t i)
{
	struct pw_json *w = &pt->w;
	const struct pw_proc *p = pf->proc;
	const struct pf_image *im = &pf->images[i];
	uint64_t end = proc_end(pt, p), start = im->t;
	bool last = i + 1 == pf->nimages;

	if (!last && pf->images[i + 1].t < end)
		end = pf->images[i + 1].t;
	if (start < p->start_us)
		start = p->start_us;
	if (start > end)
		start = end;
	event_begin(w, "X", image_name(im), p->pid, p->pid, start);
	put_key_string(w, "cat", "exec");
	put_slice_times(w, start, end);
	pw_json_key(w, "args");
	pw_json_object_begin(w);
	put_image_args(w, im);
	if (last)
		put_status_args(w, &p->status, p->exited);
	else
		put_key_string(w, "status", "replaced by exec");
	put_stack_args(w, "stack", "stack_note", &im->stack);
	pw_json_object_end(w);
	pw_json_object_end(w);
}

/* The spawn stack of thread record rec, if -k took one. */
static const struct pf_stack *
thread_stack(const struct pf_proc *pf, size_t rec)
{
	size_t i;

	for (i = 0; i < pf->ntstacks; i++)
		if (pf->tstacks[i].rec == rec)
			return &pf->tstacks[i].stack;
	return NULL;
}

static void
put_thread_slice(struct perfetto *pt, const struct pf_proc *pf, size_t rec)
{
	struct pw_json *w = &pt->w;
	const struct pw_proc *p = pf->proc;
	const struct pw_thread_rec *t = &p->thread_recs[rec];
	const struct pf_stack *st = thread_stack(pf, rec);
	uint64_t end = t->exited ? t->exit_us : proc_end(pt, p);

	event_begin(w, "X", "thread", p->pid, t->tid, t->start_us);
	put_key_string(w, "cat", "thread");
	put_slice_times(w, t->start_us, end);
	pw_json_key(w, "args");
	pw_json_object_begin(w);
	put_key_int(w, "tid", t->tid);
	if (t->attached) {
		pw_json_key(w, "attached");
		pw_json_bool(w, true);
	}
	if (t->exited && t->status.kind != PW_STATUS_NONE)
		put_status_args(w, &t->status, true);
	if (st)
		put_stack_args(w, "spawn_stack", "spawn_stack_note", st);
	pw_json_object_end(w);
	pw_json_object_end(w);
}

static void
put_slices(struct perfetto *pt, const struct pf_proc *pf)
{
	size_t i;

	put_proc_slice(pt, pf);
	for (i = 0; i < pf->nimages; i++)
		put_image_slice(pt, pf, i);
	for (i = 0; i < pf->proc->nthread_recs; i++)
		put_thread_slice(pt, pf, i);
}

/*
 * An arrow: "s" inside the spawning thread's slice, "f" bound ("bp":"e")
 * to the slice enclosing the child's start, which is the child's first.
 */
static void
put_flow(struct pw_json *w, pid_t pid, const struct pf_flow *f, uint64_t id)
{
	event_begin(w, "s", "spawn", pid, f->from_tid, f->t);
	put_key_string(w, "cat", "spawn");
	pw_json_key(w, "id");
	pw_json_uint(w, id);
	pw_json_object_end(w);
	event_begin(w, "f", "spawn", f->to_pid, f->to_tid, f->t);
	put_key_string(w, "cat", "spawn");
	pw_json_key(w, "id");
	pw_json_uint(w, id);
	put_key_string(w, "bp", "e");
	pw_json_object_end(w);
}

/*
 * A signal delivered, or an exec that failed or that the task died in;
 * the latter has no errno: the process's end (a "killed by" marker, as a
 * rule) says what happened.
 */
static void
put_mark(struct pw_json *w, pid_t pid, const struct pf_mark *m)
{
	bool is_exec = m->kind != PF_MARK_SIGNAL;
	char buf[32];
	const char *name;

	if (m->kind == PF_MARK_EXEC_FAILED)
		name = "exec failed";
	else if (m->kind == PF_MARK_EXEC_UNFINISHED)
		name = "exec unfinished";
	else
		name = pw_signal_format(m->num, buf, sizeof(buf));
	event_begin(w, "i", name, pid, m->tid, m->t);
	put_key_string(w, "cat", is_exec ? "exec" : "signal");
	put_key_string(w, "s", "t");
	pw_json_key(w, "args");
	pw_json_object_begin(w);
	if (is_exec) {
		pw_json_key(w, "path");
		pw_json_bytes(w, &m->path);
		if (m->kind == PF_MARK_EXEC_FAILED)
			put_key_string(w, "errno", pw_sink_errno_str(m->num, buf, sizeof(buf)));
		put_stack_args(w, "stack", "stack_note", &m->stack);
	} else {
		put_key_string(w, "signal", name);
		if (m->sender)
			put_key_int(w, "sender", m->sender);
		put_key_int(w, "code", m->code);
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
	put_key_string(w, "cat", "signal");
	put_key_string(w, "s", "t");
	pw_json_key(w, "args");
	pw_json_object_begin(w);
	put_key_string(w, "signal", sig);
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
put_trace(struct perfetto *pt)
{
	struct pw_json *w = &pt->w;
	const struct pf_proc *pf;
	unsigned long order = 0;
	uint64_t id = 0;
	size_t i;

	pw_json_object_begin(w);
	pw_json_key(w, "traceEvents");
	pw_json_array_begin(w);
	for (pf = pt->all; pf; pf = pf->next)
		put_names(w, pf->proc, order++);
	for (pf = pt->all; pf; pf = pf->next)
		put_slices(pt, pf);
	for (pf = pt->all; pf; pf = pf->next) {
		for (i = 0; i < pf->nflows; i++)
			put_flow(w, pf->proc->pid, &pf->flows[i], ++id);
		for (i = 0; i < pf->nmarks; i++)
			put_mark(w, pf->proc->pid, &pf->marks[i]);
		if (pf->proc->exited && pf->proc->status.kind == PW_STATUS_KILLED)
			put_killed(w, pf->proc);
	}
	fputc('\n', w->out);
	pw_json_array_end(w);
	/*
	 * No "displayTimeUnit": ms is the format's default already, and older
	 * Perfetto UI builds given the key read ts as milliseconds, making
	 * every slice 1000 times too long (google/perfetto #141, #274).
	 */
	if (pt->incomplete || pt->tab.failed) {
		pw_json_key(w, "otherData");
		pw_json_object_begin(w);
		put_key_string(w, "procwatch", "out of memory: the trace is incomplete");
		pw_json_object_end(w);
	}
	pw_json_object_end(w);
	pw_json_newline(w);
}

static int
perfetto_close(struct pw_sink *sink)
{
	struct perfetto *pt = (struct perfetto *)sink;
	struct pf_proc *pf, *next;
	int err, flushed;

	put_trace(pt);
	err = pw_json_error(&pt->w);
	flushed = pw_view_flush(sink->out);
	if (!err)
		err = flushed;
	for (pf = pt->all; pf; pf = next) {
		next = pf->next;
		pf_free(pf);
	}
	pw_pidmap_destroy(&pt->by_pid);
	pw_proctab_destroy(&pt->tab);
	free(pt);
	return err;
}

static const struct pw_sink_ops perfetto_ops = {
	.name = "perfetto",
	.event = perfetto_event,
	.close = perfetto_close,
};

struct pw_sink *
pw_sink_perfetto_new(FILE *out, const struct pw_view_opts *opts)
{
	struct perfetto *pt = calloc(1, sizeof(*pt));

	(void)opts;	/* nothing of the text views applies; kept for a uniform call */
	if (!pt)
		return NULL;
	pt->base.ops = &perfetto_ops;
	pt->base.out = out;
	pw_proctab_init(&pt->tab);
	pw_pidmap_init(&pt->by_pid);
	pt->all_tail = &pt->all;
	pw_json_init(&pt->w, out);
	return &pt->base;
}
