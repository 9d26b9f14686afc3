/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process records: each event folded into per-process records (parent,
 * creator, children in spawn order, images, attempts, threads, exit, reap)
 * kept in a pid hash map, so each event costs O(1) however many processes
 * there are.  It reads nothing but the events, so a replayed trace builds
 * the same model as a live one.  Records are never freed before the model:
 * the tree printed at the end shows every process that ever lived.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "model_internal.h"

struct pw_proc *
pw_model_get(const struct pw_model *m, pid_t pid)
{
	return pid > 0 ? pw_pidmap_get(&m->by_pid, pid) : NULL;
}

const char *
pw_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

static void
stack_free(struct pw_stack *st)
{
	if (st) {
		pw_stack_clear(st);
		free(st);
	}
}

static void
attempt_free(struct pw_attempt *a)
{
	if (a) {
		free((void *)a->argv.v);
		stack_free(a->stack);
		free(a);
	}
}

/* What p holds outside the arena; the record itself goes with the arena. */
void
model_proc_free(struct pw_proc *p)
{
	struct pw_image *im;
	size_t i;

	for (im = p->images; im; im = im->next)
		stack_free(im->stack);
	attempt_free(p->attempt);
	for (i = 0; p->marks && i < p->marks->n; i++)
		stack_free(p->marks->v[i].stack);
	if (p->marks)
		free(p->marks->v);
	free(p->marks);
	for (i = 0; i < p->nthread_recs; i++)
		stack_free(p->thread_recs[i].origin.stack);
	free(p->thread_recs);
	free(p->nwarnings);
	stack_free(p->origin.stack);
}

/* A copy of an event's stack, when the model keeps them; NULL otherwise. */
static struct pw_stack *
stack_keep(struct pw_model *m, const struct pw_stack *src)
{
	struct pw_stack *st;

	if (!m->opts.stacks || !src->requested)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (st && pw_stack_copy(st, src) < 0) {
		stack_free(st);
		st = NULL;
	}
	if (!st)
		m->failed = true;
	return st;
}

static const char *
intern_bytes(struct pw_model *m, const struct pw_bytes *b)
{
	const char *s;

	if (!b->data)
		return NULL;
	s = pw_intern(&m->strings, b->data, b->len);
	if (!s)
		m->failed = true;
	return s;
}

/*
 * argv, interned; beyond opts.argv_keep elements only the first and last
 * the views print (the same split as pw_view_model_argv's), but whole for
 * an exec whose environment is kept (env): a command line to reproduce
 * it is printed whole.  The array comes from arena when one is given (an
 * image, kept to the end), else from malloc (an attempt, replaced by the
 * next).  0 or -ENOMEM.
 */
static int
argv_keep(struct pw_model *m, struct pw_arena *arena, struct pw_argv *dst,
	  const struct pw_bytes *argv, size_t argc, bool truncated,
	  const struct pw_env_node *env)
{
	size_t keep = env ? 0 : m->opts.argv_keep, head, tail = 0, i;

	if (argc > UINT32_MAX)
		argc = UINT32_MAX;
	head = argc;
	if (keep && argc > keep) {
		tail = keep / 3;
		head = keep - tail;
	}
	*dst = (struct pw_argv){ .n = (uint32_t)argc, .head = (uint32_t)head,
				 .elided = (uint32_t)(argc - head - tail),
				 .truncated = truncated };
	if (!head && !tail)
		return 0;
	dst->v = arena ? pw_arena_alloc(arena, (head + tail) * sizeof(*dst->v))
		       : calloc(head + tail, sizeof(*dst->v));
	if (!dst->v)
		return -ENOMEM;
	for (i = 0; i < head; i++)
		dst->v[i] = intern_bytes(m, &argv[i]);
	for (i = 0; i < tail; i++)
		dst->v[head + i] = intern_bytes(m, &argv[argc - tail + i]);
	return 0;
}

/* Appends p under up, or as another top-level record, in O(1). */
static void
link_child(struct pw_model *m, struct pw_proc *up, struct pw_proc *p)
{
	p->up = up;
	if (up) {
		p->depth = up->depth + 1;
		if (up->last_child)
			up->last_child->next_sibling = p;
		else
			up->first_child = p;
		up->last_child = p;
		return;
	}
	if (m->last_root)
		m->last_root->next_sibling = p;
	else
		m->root = p;
	m->last_root = p;
}

/*
 * A new record for pid, replacing any earlier one in the map (a pid reused
 * after its reap): the old record stays in the tree and the list of all.
 */
static struct pw_proc *
proc_new(struct pw_model *m, pid_t pid, struct pw_proc *up, const char *name,
	 uint64_t t)
{
	struct pw_proc *p = pw_arena_alloc(&m->records, sizeof(*p));

	if (!p || pw_pidmap_put(&m->by_pid, pid, p) < 0)
		return NULL;
	p->name = name ? name : "";
	p->id = m->counts.processes + 1;
	p->pid = pid;
	p->start_us = t;
	*m->all_tail = p;
	m->all_tail = &p->next_all;
	link_child(m, up, p);
	model_filter_new_proc(m, p);
	m->counts.processes++;
	return p;
}

/*
 * A new thread record.  The array doubles when its count reaches a power
 * of two (the capacity is implied by the count, keeping the record small),
 * and m->thread_index finds it by tid: a process with 100 000 threads must
 * not cost each thread's end a search of them all.
 */
static struct pw_thread_rec *
thread_add(struct pw_model *m, struct pw_proc *p, pid_t tid, uint64_t t)
{
	struct pw_thread_rec *recs = p->thread_recs;
	uint32_t n = p->nthread_recs;

	if ((n & (n - 1)) == 0) {
		recs = realloc(recs, (n ? 2 * (size_t)n : 1) * sizeof(*recs));
		if (!recs)
			return NULL;
		p->thread_recs = recs;
	}
	if (pw_pidmap_put(&m->thread_index, tid, (void *)(uintptr_t)(n + 1)) < 0)
		return NULL;
	recs[n] = (struct pw_thread_rec){ .tid = tid, .start_us = t };
	p->nthread_recs++;
	return &recs[n];
}

const struct pw_thread_rec *
pw_model_thread(const struct pw_model *m, const struct pw_proc *p, pid_t tid)
{
	uintptr_t i = (uintptr_t)pw_pidmap_get(&m->thread_index, tid);

	/*
	 * The index names the latest thread with that tid, which may be in
	 * another process (a tid reused): then p has none of that tid alive.
	 */
	if (i && i <= p->nthread_recs && p->thread_recs[i - 1].tid == tid)
		return &p->thread_recs[i - 1];
	return NULL;
}

/* A parent's CLONE_PARENT children (struct pw_model's adoptions). */
struct adoptions {
	struct pw_proc *parent;	/* the record they are for: a pid is reused */
	struct pw_proc **v;
	size_t n, cap;
};

static int
adopt(struct pw_model *m, struct pw_proc *parent, struct pw_proc *c)
{
	struct adoptions *a = pw_pidmap_get(&m->adoptions, parent->pid);
	struct pw_proc **v;

	if (a && a->parent != parent)
		a->n = 0;	/* an earlier process with that pid, ended unseen */
	if (!a) {
		if (!(a = calloc(1, sizeof(*a))))
			return -ENOMEM;
		if (pw_pidmap_put(&m->adoptions, parent->pid, a) < 0) {
			free(a);
			return -ENOMEM;
		}
	}
	a->parent = parent;
	if (a->n == a->cap) {
		v = realloc(a->v, (a->cap ? a->cap * 2 : 4) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = a->cap ? a->cap * 2 : 4;
	}
	a->v[a->n++] = c;
	return 0;
}

static void
adoptions_free_one(pid_t pid, void *value, void *data)
{
	struct adoptions *a = value;

	(void)pid;
	(void)data;
	free(a->v);
	free(a);
}

void
model_adoptions_free(struct pw_model *m)
{
	pw_pidmap_each(&m->adoptions, adoptions_free_one, NULL);
	pw_pidmap_destroy(&m->adoptions);
}

static struct pw_origin
origin_of(struct pw_model *m, const struct pw_event *ev)
{
	const struct pw_spawn *sp = &ev->u.spawn;

	return (struct pw_origin){
		.creator_tid = ev->tid,
		.call = sp->call,
		.flags = sp->flags,
		.exit_signal = sp->exit_signal,
		.kind = sp->kind,
		.stack = stack_keep(m, &sp->stack),
	};
}

/*
 * A child the tracer does not follow (CLONE_UNTRACED): a record all the
 * same, so that every view shows it was made, marked as not followed.
 * Its end is known only if a traced process reaps it (on_wait).
 */
static int
on_untraced_spawn(struct pw_model *m, struct pw_proc *p, const struct pw_event *ev)
{
	const struct pw_spawn *sp = &ev->u.spawn;
	struct pw_proc *c = proc_new(m, (pid_t)sp->result, p, p->name, ev->time_us);

	if (!c)
		return -ENOMEM;
	c->ppid = sp->parent ? sp->parent : p->pid;
	c->origin = origin_of(m, ev);
	c->untraced = true;
	return 0;
}

static int
on_spawn(struct pw_model *m, struct pw_proc *p, const struct pw_event *ev)
{
	const struct pw_spawn *sp = &ev->u.spawn;
	struct pw_thread_rec *rec;
	struct pw_proc *c, *up;

	if (pw_spawn_untraced(sp) && !sp->thread && !sp->result_ns)
		return on_untraced_spawn(m, p, ev);
	/* Failed or unfinished (the caller died in it): no child came of it. */
	if (sp->result < 0 || sp->child <= 0)
		return 0;
	if (sp->thread) {
		p->threads++;
		m->counts.threads++;
		if (!(rec = thread_add(m, p, sp->child, ev->time_us)))
			return -ENOMEM;
		rec->origin = origin_of(m, ev);
		return 0;
	}
	c = proc_new(m, sp->child, p, p->name, ev->time_us);
	if (!c)
		return -ENOMEM;
	c->ppid = sp->parent ? sp->parent : p->pid;
	c->origin = origin_of(m, ev);
	if (c->ppid != p->pid && (up = pw_model_get(m, c->ppid)) && adopt(m, up, c) < 0)
		return -ENOMEM;
	return 0;
}

/* The name a program goes by: argv[0]'s basename, else the file's. */
static const char *
name_of(struct pw_model *m, const struct pw_bytes *argv, size_t argc,
	const struct pw_bytes *file)
{
	const char *src = NULL;

	if (argc > 0 && argv[0].data && argv[0].data[0])
		src = argv[0].data;
	else if (file->data && file->data[0])
		src = file->data;
	return src ? pw_intern_cstr(&m->strings, pw_basename(src)) : NULL;
}

_Static_assert(PW_EXEC_MAX_FDS <= UINT16_MAX, "pw_image.nfds is 16 bits");

/* The descriptors the exec let through, targets interned. 0 or -ENOMEM. */
static int
fds_keep(struct pw_model *m, struct pw_image *im, const struct pw_exec *ex)
{
	size_t n = ex->nfds < PW_EXEC_MAX_FDS ? ex->nfds : PW_EXEC_MAX_FDS, i;

	if (!m->opts.fds)
		return 0;
	im->fds_truncated = ex->fds_truncated || ex->nfds > n;
	if (!n)
		return 0;
	im->fds = pw_arena_alloc(&m->records, n * sizeof(*im->fds));
	if (!im->fds)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		im->fds[i].fd = ex->fds[i].fd;
		im->fds[i].target = intern_bytes(m, &ex->fds[i].target);
	}
	im->nfds = (uint16_t)n;
	return 0;
}

static struct pw_image *
image_add(struct pw_model *m, struct pw_proc *p, uint64_t t)
{
	struct pw_image *im = pw_arena_alloc(&m->records, sizeof(*im));

	if (!im) {
		m->failed = true;
		return NULL;
	}
	im->t = t;
	if (p->last_image)
		p->last_image->next = im;
	else
		p->images = im;
	p->last_image = im;
	p->nimages++;
	return im;
}

/*
 * Its threads but the leader were there before procwatch: live threads for
 * the fork-from-threads check, not threads it was seen to create.
 */
static int
attach_threads(struct pw_model *m, struct pw_proc *p, const struct pw_event *ev)
{
	const struct pw_attach *at = &ev->u.attach;
	struct pw_thread_rec *rec;
	size_t i;

	for (i = 0; i < at->ntids; i++) {
		if (at->tids[i] == ev->pid)
			continue;
		if (!(rec = thread_add(m, p, at->tids[i], ev->time_us)))
			return -ENOMEM;
		rec->attached = true;
		m->counts.threads++;
		m->counts.attached_threads++;
	}
	return 0;
}

/*
 * A process found running: under its parent when the parent was attached
 * before it (the tracer sends parents first), else top-level like a
 * launched command's root, its parent being outside the trace.  Its start
 * is the attach; what it had run before is its age; what /proc showed it
 * run is its first image, not an exec.
 */
static struct pw_proc *
attach_new(struct pw_model *m, const struct pw_event *ev)
{
	const struct pw_attach *at = &ev->u.attach;
	struct pw_proc *up = NULL, *p;
	struct pw_image *im;

	if (at->parent > 0 && at->parent != ev->pid)
		up = pw_model_get(m, at->parent);
	p = proc_new(m, ev->pid, up, name_of(m, at->argv, at->argc, &at->exe),
		     ev->time_us);
	if (!p)
		return NULL;
	p->attached = true;
	p->age_us = at->age_us;
	p->ppid = at->parent;
	m->counts.attached++;
	/* Without memory for these the record still stands, less complete. */
	im = image_add(m, p, ev->time_us);
	if (im) {
		im->attached = true;
		im->path = intern_bytes(m, &at->exe);
		im->exe = im->path;
		im->cwd = intern_bytes(m, &at->cwd);
		if (argv_keep(m, &m->records, &im->argv, at->argv, at->argc,
			      at->argv_truncated, NULL) < 0)
			m->failed = true;
	}
	if (attach_threads(m, p, ev) < 0)
		m->failed = true;
	return p;
}

struct pw_proc *
model_proc_of(struct pw_model *m, const struct pw_event *ev)
{
	struct pw_proc *p = pw_model_get(m, ev->pid);
	const char *name = NULL;

	if (ev->pid <= 0 || ev->kind == PW_EV_END || ev->kind == PW_EV_TRACE)
		return ev->kind == PW_EV_TRACE ? NULL : p;
	/* A pid whose record is not an attached one was reused (as at a spawn). */
	if (ev->kind == PW_EV_ATTACH)
		return p && p->attached && p->start_us == ev->time_us ? p : attach_new(m, ev);
	if (p)
		return p;
	if (ev->kind == PW_EV_START && ev->u.start.attach)
		return NULL;
	if (ev->kind == PW_EV_START && ev->u.start.argc > 0 && ev->u.start.argv[0])
		name = pw_intern_cstr(&m->strings, pw_basename(ev->u.start.argv[0]));
	return proc_new(m, ev->pid, NULL, name, ev->time_us);
}

uint64_t
pw_proc_lifetime(const struct pw_proc *p, uint64_t now_us)
{
	uint64_t end = p->exited ? p->exit_us : now_us;

	return (end > p->start_us ? end - p->start_us : 0) + p->age_us;
}

const struct pw_image *
pw_proc_image(const struct pw_proc *p)
{
	return p->last_image;
}

/* Far enough for any real tree; bounded so a long fork chain stays cheap. */
#define ANCESTORS_MAX 16

/*
 * The directory a reader last saw for p's line of descent: its latest
 * image's, or its nearest ancestor's (a fork keeps the directory).
 */
const char *
model_prev_cwd(const struct pw_proc *p)
{
	unsigned i;

	for (i = 0; p && i <= ANCESTORS_MAX; i++, p = p->up)
		if (p->last_image && p->last_image->cwd)
			return p->last_image->cwd;
	return NULL;
}

const char *
pw_proc_cwd(const struct pw_proc *p)
{
	for (; p; p = p->up)
		if (p->last_image && p->last_image->cwd)
			return p->last_image->cwd;
	return NULL;
}

static void
thread_gone(struct pw_model *m, struct pw_proc *p, pid_t tid, uint64_t t,
	    const struct pw_status *st)
{
	struct pw_thread_rec *rec = (struct pw_thread_rec *)pw_model_thread(m, p, tid);

	uintptr_t ended = (uintptr_t)pw_pidmap_get(&m->threads_ended, (pid_t)p->id);

	if (!rec || rec->exited)
		return;
	rec->exited = true;
	rec->exit_us = t;
	if (st)
		rec->status = *st;
	if (pw_pidmap_put(&m->threads_ended, (pid_t)p->id, (void *)(ended + 1)) < 0)
		m->failed = true;
}

unsigned
pw_model_live_threads(const struct pw_model *m, const struct pw_proc *p)
{
	uintptr_t ended = (uintptr_t)pw_pidmap_get(&m->threads_ended, (pid_t)p->id);

	return 1 + p->nthread_recs - (unsigned)ended;
}

/*
 * The same argument vector, as the model keeps them: the strings are
 * interned, so equal elements are the same pointer.
 */
static bool
argv_same(const struct pw_argv *a, const struct pw_argv *b)
{
	uint32_t i, kept = a->n - a->elided;

	if (a->n != b->n || a->head != b->head || a->elided != b->elided)
		return false;
	for (i = 0; i < kept; i++)
		if (a->v[i] != b->v[i])
			return false;
	return true;
}

/*
 * Another failed attempt with the argv of the one before, in the same
 * task, continues a run (a PATH search, if an exec of that argv ends it).
 */
static void
attempt_count(const struct pw_attempt *prev, struct pw_attempt *a)
{
	if (a->result == PW_RESULT_UNFINISHED)
		a->run = 0;
	else if (prev && prev->result != PW_RESULT_UNFINISHED &&
		 prev->tid == a->tid && argv_same(&prev->argv, &a->argv))
		a->run = prev->run + 1;
	else
		a->run = 1;
}

/* The last run marks of failed execs by tid were a PATH search's misses. */
static void
marks_path_misses(struct pw_proc *p, pid_t tid, unsigned run)
{
	size_t i = p->marks ? p->marks->n : 0;

	while (run && i-- > 0) {
		struct pw_mark *mk = &p->marks->v[i];

		if (mk->kind == PW_MARK_EXEC_FAILED && mk->tid == tid) {
			mk->path_miss = true;
			run--;
		}
	}
}

/*
 * A successful exec of the argv its task just failed to exec, attempt
 * after attempt: that run was a PATH search that found its program, and
 * its misses are no failures.  The exec's task is the attempts' task, or
 * it was when a non-leader thread made them (old_tid).
 */
static void
path_search_found(struct pw_model *m, struct pw_proc *p, const struct pw_event *ev,
		  const struct pw_image *im)
{
	const struct pw_attempt *a = p->attempt;
	unsigned run = a ? a->run : 0;

	if (!a || !run || (a->tid != ev->tid && a->tid != ev->u.exec.old_tid) ||
	    !argv_same(&a->argv, &im->argv))
		return;
	p->failed_execs -= run;
	p->path_misses += run;
	m->counts.failed_execs -= run;
	m->counts.path_misses += run;
	marks_path_misses(p, a->tid, run);
}

/* A failed or unfinished exec: the process's last attempt, and a mark. */
static int
on_attempt(struct pw_model *m, struct pw_proc *p, const struct pw_event *ev,
	   const struct pw_env_node *env)
{
	const struct pw_exec *ex = &ev->u.exec;
	struct pw_attempt *a = calloc(1, sizeof(*a));
	struct pw_mark *mk;

	if (!a)
		return -ENOMEM;
	*a = (struct pw_attempt){ .t = ev->time_us, .tid = ev->tid, .result = ex->result,
				  .path = intern_bytes(m, &ex->path),
				  .cwd = intern_bytes(m, &ex->cwd),
				  .stack = stack_keep(m, &ex->stack), .env = env };
	if (argv_keep(m, NULL, &a->argv, ex->argv, ex->argc,
		      ex->argv_truncated || ex->argv_err, env) < 0) {
		attempt_free(a);
		return -ENOMEM;
	}
	attempt_count(p->attempt, a);
	attempt_free(p->attempt);
	p->attempt = a;
	if (ex->result != PW_RESULT_UNFINISHED) {
		p->failed_execs++;
		m->counts.failed_execs++;
	}
	if (!m->opts.marks || !(mk = model_mark_add(m, p, ev)))
		return 0;
	mk->kind = ex->result == PW_RESULT_UNFINISHED ? PW_MARK_EXEC_UNFINISHED
						      : PW_MARK_EXEC_FAILED;
	mk->num = ex->result == PW_RESULT_UNFINISHED ? 0 : (int)-ex->result;
	mk->path = a->path;
	mk->stack = stack_keep(m, &ex->stack);
	return 0;
}

static int
on_exec(struct pw_model *m, struct pw_proc *p, const struct pw_event *ev,
	bool script, const struct pw_env_node *env)
{
	const struct pw_exec *ex = &ev->u.exec;
	struct pw_image *im;
	const char *name;

	/*
	 * A failed exec changed nothing; one the task died in neither failed
	 * nor ran a new program: the old one is still its name, and its death
	 * says the rest.
	 */
	if (ex->result != 0)
		return on_attempt(m, p, ev, env);
	/* A non-leader's exec ends every other thread; the old tid is one of them. */
	if (ex->old_tid)
		thread_gone(m, p, ex->old_tid, ev->time_us, NULL);
	im = image_add(m, p, ev->time_us);
	if (!im)
		return -ENOMEM;
	im->path = intern_bytes(m, &ex->path);
	im->cwd = intern_bytes(m, &ex->cwd);
	im->exe = intern_bytes(m, &ex->exe);
	im->script = script;
	im->stack = stack_keep(m, &ex->stack);
	im->env = env;
	if (fds_keep(m, im, ex) < 0)
		return -ENOMEM;
	if (argv_keep(m, &m->records, &im->argv, ex->argv, ex->argc,
		      ex->argv_truncated || ex->argv_err, env) < 0)
		return -ENOMEM;
	path_search_found(m, p, ev, im);
	attempt_free(p->attempt);
	p->attempt = NULL;
	m->counts.execs++;
	name = name_of(m, ex->argv, ex->argc, &ex->path);
	if (name)
		p->name = name;
	return 0;
}

/* Live children of a process that just exited are orphans from now on. */
static void
mark_orphans(struct pw_model *m, struct pw_proc *p)
{
	struct adoptions *a = pw_pidmap_get(&m->adoptions, p->pid);
	struct pw_proc *c;
	size_t i;

	for (c = p->first_child; c; c = c->next_sibling)
		if (!c->exited && c->ppid == p->pid)
			c->orphaned = true;
	if (!a || a->parent != p)
		return;
	for (i = 0; i < a->n; i++)
		if (!a->v[i]->exited)
			a->v[i]->orphaned = true;
	pw_pidmap_remove(&m->adoptions, p->pid);
	free(a->v);
	free(a);
}

/* p ended at t; with opts.end_order, the order of ends is kept for the views that list by it. */
static void
proc_ended(struct pw_model *m, struct pw_proc *p, uint64_t t, const struct pw_status *st)
{
	struct pw_ended *e = &m->ends;
	struct pw_proc **v;

	p->exited = true;
	p->exit_us = t;
	p->status = *st;
	if (!m->opts.end_order)
		return;
	if (e->n == e->cap) {
		v = realloc(e->v, (e->cap ? e->cap * 2 : 256) * sizeof(*v));
		if (!v) {
			m->failed = true;
			return;
		}
		e->v = v;
		e->cap = e->cap ? e->cap * 2 : 256;
	}
	e->v[e->n++] = p;
}

static void
on_exit_event(struct pw_model *m, struct pw_proc *p, const struct pw_event *ev)
{
	const struct pw_exit *ex = &ev->u.exit;

	if (ex->thread || ev->tid != ev->pid) {
		thread_gone(m, p, ev->tid, ev->time_us, &ex->status);
		if (ex->thread)
			return;
	}
	if (p->exited)
		return;
	proc_ended(m, p, ev->time_us, &ex->status);
	p->usage = ex->usage;
	/*
	 * procwatch is the parent of the root's CLONE_PARENT children (the
	 * root's parent, kernel/fork.c copy_process), and its wait for the
	 * death report reaps them: nobody in the trace will.
	 */
	if (m->tracer && p->up && p->ppid == m->tracer) {
		p->reaped = true;
		p->reaped_by_tracer = true;
		p->reaper = m->tracer;
		p->reap_us = ev->time_us;
	}
	if (ex->status.kind == PW_STATUS_KILLED)
		m->counts.signals++;
	else if (ex->status.kind == PW_STATUS_EXITED && ex->status.code != 0)
		m->counts.nonzero_exits++;
	mark_orphans(m, p);
}

static void
on_wait(struct pw_model *m, struct pw_proc *p, const struct pw_event *ev)
{
	struct pw_proc *c;

	if (!pw_wait_reaps(&ev->u.wait))
		return;
	c = pw_model_get(m, (pid_t)ev->u.wait.result);
	if (!c || c->reaped)
		return;
	c->reaped = true;
	c->reaper = p->pid;
	c->reap_us = ev->time_us;
	if (p->pid != c->ppid)
		c->reaped_by_other = true;
	/* The exit event may be missing (a replay cut short): the wait says it. */
	if (!c->exited)
		proc_ended(m, c, ev->time_us, &ev->u.wait.status);
}

static void
on_signal(struct pw_model *m, struct pw_proc *p, const struct pw_event *ev)
{
	struct pw_mark *mk;

	if (!m->opts.marks || !(mk = model_mark_add(m, p, ev)))
		return;
	mk->kind = PW_MARK_SIGNAL;
	mk->num = ev->u.signal.signal;
	mk->sender = ev->u.signal.sender;
	mk->code = ev->u.signal.code;
}

/*
 * procwatch let go of the processes still running (-p, then Ctrl-C): they
 * run on untraced, which is not the same as a trace cut short.
 */
static void
on_end(struct pw_model *m, const struct pw_end *en)
{
	struct pw_proc *p;

	m->ended = true;
	m->end = *en;
	if (!en->detached)
		return;
	for (p = m->all; p; p = p->next_all) {
		if (p->exited || p->detached)
			continue;
		p->detached = true;
		m->counts.detached++;
	}
}

/* The header: kept for views that say where and when the run was recorded. */
static void
on_trace(struct pw_model *m, const struct pw_trace *tr)
{
	m->trace = (struct pw_model_trace){
		.known = true,
		.wall_us = tr->wall_us,
		.version = intern_bytes(m, &tr->version),
		.hostname = intern_bytes(m, &tr->hostname),
		.kernel = intern_bytes(m, &tr->kernel),
		.cwd = intern_bytes(m, &tr->cwd),
	};
}

int
model_apply(struct pw_model *m, struct pw_proc *p, const struct pw_event *ev,
	    bool script, const struct pw_env_node *env)
{
	switch (ev->kind) {
	case PW_EV_TRACE:
		on_trace(m, &ev->u.trace);
		return 0;
	case PW_EV_END:
		on_end(m, &ev->u.end);
		return 0;
	case PW_EV_START:
		m->tracer = ev->u.start.tracer;
		m->attach = ev->u.start.attach;
		return 0;
	case PW_EV_SPAWN:
		return on_spawn(m, p, ev);
	case PW_EV_EXEC:
		return on_exec(m, p, ev, script, env);
	case PW_EV_WAIT:
		on_wait(m, p, ev);
		return 0;
	case PW_EV_EXIT:
		on_exit_event(m, p, ev);
		return 0;
	case PW_EV_SIGNAL:
		on_signal(m, p, ev);
		return 0;
	case PW_EV_ATTACH:	/* model_proc_of() made its record whole */
	case PW_EV_EXEC_CHECK:	/* no new program: nothing changes */
		return 0;
	}
	return 0;
}

/* A new marker for p, unless it has PW_MODEL_MARKS_MAX already. */
struct pw_mark *
model_mark_add(struct pw_model *m, struct pw_proc *p, const struct pw_event *ev)
{
	struct pw_marks *mk = p->marks;
	struct pw_mark *v;

	if (!mk && !(mk = p->marks = calloc(1, sizeof(*mk)))) {
		m->failed = true;
		return NULL;
	}
	if (mk->n >= PW_MODEL_MARKS_MAX) {
		mk->dropped++;
		return NULL;
	}
	v = realloc(mk->v, (mk->n + 1) * sizeof(*v));
	if (!v) {
		m->failed = true;
		return NULL;
	}
	mk->v = v;
	v[mk->n] = (struct pw_mark){ .t = ev->time_us, .tid = ev->tid };
	return &v[mk->n++];
}
