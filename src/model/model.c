/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process table: folds each event into per-process records (parent,
 * creator, children in spawn order, exec chain, exit, reap, threads) kept in
 * a pid hash map, so each event costs O(1) however many processes there
 * are.  It reads nothing but the events, so a replayed trace builds the same
 * model as a live one.  Records are never freed before the table: the tree
 * printed at the end shows every process that ever lived.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "procwatch/proctab.h"

void
pw_proctab_init(struct pw_proctab *tab)
{
	memset(tab, 0, sizeof(*tab));
	pw_pidmap_init(&tab->by_pid);
	tab->all_tail = &tab->all;
}

static void
argv_free(struct pw_argv *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
}

static void
proc_free(struct pw_proc *p)
{
	size_t i;

	for (i = 0; i < p->nexecs; i++)
		argv_free(&p->execs[i]);
	free(p->execs);
	argv_free(&p->attach_argv);
	free(p->thread_recs);
	free(p->name);
	free(p);
}

void
pw_proctab_destroy(struct pw_proctab *tab)
{
	struct pw_proc *p, *next;

	for (p = tab->all; p; p = next) {
		next = p->next_all;
		proc_free(p);
	}
	pw_pidmap_destroy(&tab->by_pid);
	memset(tab, 0, sizeof(*tab));
}

struct pw_proc *
pw_proctab_get(const struct pw_proctab *tab, pid_t pid)
{
	return pid > 0 ? pw_pidmap_get(&tab->by_pid, pid) : NULL;
}

const char *
pw_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/* Appends p under up (or as another top-level record when up is NULL). */
static void
link_child(struct pw_proctab *tab, struct pw_proc *up, struct pw_proc *p)
{
	struct pw_proc *last;

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
	if (!tab->root) {
		tab->root = p;
		return;
	}
	for (last = tab->root; last->next_sibling; last = last->next_sibling)
		;
	last->next_sibling = p;
}

/*
 * A new record for pid, replacing any earlier one in the map (a pid reused
 * after its reap): the old record stays in the tree and the free list.
 */
static struct pw_proc *
proc_new(struct pw_proctab *tab, pid_t pid, struct pw_proc *up,
	 const char *name, uint64_t t)
{
	struct pw_proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->name = strdup(name ? name : "");
	if (!p->name || pw_pidmap_put(&tab->by_pid, pid, p) < 0) {
		free(p->name);
		free(p);
		return NULL;
	}
	p->pid = pid;
	p->start_us = t;
	*tab->all_tail = p;
	tab->all_tail = &p->next_all;
	link_child(tab, up, p);
	tab->counts.processes++;
	return p;
}

static int
thread_add(struct pw_proc *p, pid_t tid, uint64_t t)
{
	struct pw_thread_rec *recs;

	recs = realloc(p->thread_recs, (p->nthread_recs + 1) * sizeof(*recs));
	if (!recs)
		return -ENOMEM;
	p->thread_recs = recs;
	recs[p->nthread_recs++] = (struct pw_thread_rec){ .tid = tid, .start_us = t };
	return 0;
}

static int
on_spawn(struct pw_proctab *tab, struct pw_proc *p, const struct pw_event *ev)
{
	const struct pw_spawn *sp = &ev->u.spawn;
	struct pw_proc *c, *up;

	/* Failed or unfinished (the caller died in it): no child came of it. */
	if (sp->result < 0 || sp->child <= 0)
		return 0;
	if (sp->thread) {
		p->threads++;
		tab->counts.threads++;
		return thread_add(p, sp->child, ev->time_us);
	}
	c = proc_new(tab, sp->child, p, p->name, ev->time_us);
	if (!c)
		return -ENOMEM;
	c->creator = p->pid;
	c->ppid = sp->parent ? sp->parent : p->pid;
	c->kind = sp->kind;
	if (c->ppid != p->pid) {
		up = pw_proctab_get(tab, c->ppid);
		if (up) {
			c->next_adopted = up->adopted;
			up->adopted = c;
		}
	}
	return 0;
}

/* On failure dst is left empty. */
static int
argv_copy(struct pw_argv *dst, const struct pw_bytes *argv, size_t argc, bool truncated)
{
	size_t i;

	dst->v = calloc(argc ? argc : 1, sizeof(*dst->v));
	if (!dst->v)
		return -ENOMEM;
	dst->n = argc;
	dst->truncated = truncated;
	for (i = 0; i < argc; i++) {
		if (!argv[i].data)
			continue;
		dst->v[i] = strdup(argv[i].data);
		if (!dst->v[i]) {
			argv_free(dst);
			*dst = (struct pw_argv){ 0 };
			return -ENOMEM;
		}
	}
	return 0;
}

/* The new name: argv[0]'s basename, else the path's (argv may be empty). */
static int
rename_after_exec(struct pw_proc *p, const struct pw_exec *ex)
{
	const char *src = NULL;
	char *name;

	if (ex->argc > 0 && ex->argv[0].data && ex->argv[0].data[0])
		src = ex->argv[0].data;
	else if (ex->path.data)
		src = ex->path.data;
	if (!src)
		return 0;
	name = strdup(pw_basename(src));
	if (!name)
		return -ENOMEM;
	free(p->name);
	p->name = name;
	return 0;
}

/*
 * The name of an attached process: argv[0]'s basename as after an exec,
 * else the file it runs (a process may empty its command line, and a
 * kernel thread has none).
 */
static const char *
attach_name(const struct pw_attach *at)
{
	if (at->argc > 0 && at->argv[0].data && at->argv[0].data[0])
		return pw_basename(at->argv[0].data);
	if (at->exe.data && at->exe.data[0])
		return pw_basename(at->exe.data);
	return NULL;
}

/*
 * Its threads but the leader were there before procwatch: live threads for
 * the fork-from-threads check, not threads it was seen to create.
 */
static int
attach_threads(struct pw_proctab *tab, struct pw_proc *p, const struct pw_event *ev)
{
	const struct pw_attach *at = &ev->u.attach;
	size_t i;

	for (i = 0; i < at->ntids; i++) {
		if (at->tids[i] == ev->pid)
			continue;
		if (thread_add(p, at->tids[i], ev->time_us) < 0)
			return -ENOMEM;
		p->thread_recs[p->nthread_recs - 1].attached = true;
		tab->counts.threads++;
		tab->counts.attached_threads++;
	}
	return 0;
}

/*
 * A process found running: under its parent when the parent was attached
 * before it (the tracer sends parents first), else top-level like a
 * launched command's root, its parent being outside the trace.  Its start
 * is the attach; what it had run before is its age.
 */
static struct pw_proc *
attach_new(struct pw_proctab *tab, const struct pw_event *ev)
{
	const struct pw_attach *at = &ev->u.attach;
	struct pw_proc *up = NULL, *p;

	if (at->parent > 0 && at->parent != ev->pid)
		up = pw_proctab_get(tab, at->parent);
	p = proc_new(tab, ev->pid, up, attach_name(at), ev->time_us);
	if (!p)
		return NULL;
	p->attached = true;
	p->age_us = at->age_us;
	p->ppid = at->parent;
	tab->counts.attached++;
	/* Without memory for these the record still stands, less complete. */
	if (argv_copy(&p->attach_argv, at->argv, at->argc, at->argv_truncated) < 0 ||
	    attach_threads(tab, p, ev) < 0)
		tab->failed = true;
	return p;
}

struct pw_proc *
pw_proctab_of_event(struct pw_proctab *tab, const struct pw_event *ev)
{
	struct pw_proc *p = pw_proctab_get(tab, ev->pid);
	const char *name = NULL;

	if (ev->pid <= 0 || ev->kind == PW_EV_END)
		return p;
	/*
	 * A pid whose record is not an attached one was reused (as at a
	 * spawn); one that is needs nothing more: a view made it just now.
	 */
	if (ev->kind == PW_EV_ATTACH)
		return p && p->attached ? p : attach_new(tab, ev);
	if (p)
		return p;
	if (ev->kind == PW_EV_START && ev->u.start.attach)
		return NULL;
	if (ev->kind == PW_EV_START && ev->u.start.argc > 0 && ev->u.start.argv[0])
		name = pw_basename(ev->u.start.argv[0]);
	return proc_new(tab, ev->pid, NULL, name, ev->time_us);
}

uint64_t
pw_proc_lifetime(const struct pw_proc *p, uint64_t now_us)
{
	uint64_t end = p->exited ? p->exit_us : now_us;

	return (end > p->start_us ? end - p->start_us : 0) + p->age_us;
}

static void
thread_gone(struct pw_proc *p, pid_t tid, uint64_t t, const struct pw_status *st)
{
	size_t i;

	for (i = 0; i < p->nthread_recs; i++) {
		if (p->thread_recs[i].tid == tid && !p->thread_recs[i].exited) {
			p->thread_recs[i].exited = true;
			p->thread_recs[i].exit_us = t;
			if (st)
				p->thread_recs[i].status = *st;
			return;
		}
	}
}

static int
on_exec(struct pw_proctab *tab, struct pw_proc *p, const struct pw_event *ev)
{
	const struct pw_exec *ex = &ev->u.exec;
	struct pw_argv *execs;
	int err;

	/*
	 * An exec the task died in neither failed nor ran a new program: the
	 * old one is still its name, and its death says the rest.
	 */
	if (ex->result == PW_RESULT_UNFINISHED)
		return 0;
	if (ex->result < 0) {
		p->failed_execs++;
		tab->counts.failed_execs++;
		return 0;
	}
	/* A non-leader's exec ends every other thread; the old tid is one of them. */
	if (ex->old_tid)
		thread_gone(p, ex->old_tid, ev->time_us, NULL);
	execs = realloc(p->execs, (p->nexecs + 1) * sizeof(*execs));
	if (!execs)
		return -ENOMEM;
	p->execs = execs;
	err = argv_copy(&execs[p->nexecs], ex->argv, ex->argc,
			ex->argv_truncated || ex->argv_err);
	if (err)
		return err;
	p->nexecs++;
	tab->counts.execs++;
	return rename_after_exec(p, ex);
}

/* Live children of a process that just exited are orphans from now on. */
static void
mark_orphans(struct pw_proc *p)
{
	struct pw_proc *c;

	for (c = p->first_child; c; c = c->next_sibling)
		if (!c->exited && c->ppid == p->pid)
			c->orphaned = true;
	for (c = p->adopted; c; c = c->next_adopted)
		if (!c->exited)
			c->orphaned = true;
}

static void
on_exit_event(struct pw_proctab *tab, struct pw_proc *p, const struct pw_event *ev)
{
	const struct pw_exit *ex = &ev->u.exit;

	if (ex->thread || ev->tid != ev->pid) {
		thread_gone(p, ev->tid, ev->time_us, &ex->status);
		if (ex->thread)
			return;
	}
	if (p->exited)
		return;
	p->exited = true;
	p->exit_us = ev->time_us;
	p->status = ex->status;
	/*
	 * procwatch is the parent of the root's CLONE_PARENT children (the
	 * root's parent, kernel/fork.c copy_process), and its wait for the
	 * death report reaps them: nobody in the trace will.
	 */
	if (tab->tracer && p->up && p->ppid == tab->tracer) {
		p->reaped = true;
		p->reaped_by_tracer = true;
		p->reaper = tab->tracer;
		p->reap_us = ev->time_us;
	}
	if (ex->status.kind == PW_STATUS_KILLED)
		tab->counts.signals++;
	else if (ex->status.kind == PW_STATUS_EXITED && ex->status.code != 0)
		tab->counts.nonzero_exits++;
	mark_orphans(p);
}

static void
on_wait(struct pw_proctab *tab, struct pw_proc *p, const struct pw_event *ev)
{
	struct pw_proc *c;

	if (!pw_wait_reaps(&ev->u.wait))
		return;
	c = pw_proctab_get(tab, (pid_t)ev->u.wait.result);
	if (!c || c->reaped)
		return;
	c->reaped = true;
	c->reaper = p->pid;
	c->reap_us = ev->time_us;
	if (p->pid != c->ppid)
		c->reaped_by_other = true;
	/* The exit event may be missing (a replay cut short): the wait says it. */
	if (!c->exited) {
		c->exited = true;
		c->exit_us = ev->time_us;
		c->status = ev->u.wait.status;
	}
}

/*
 * procwatch let go of the processes still running (-p, then Ctrl-C): they
 * run on untraced, which is not the same as a trace cut short.
 */
static void
on_end(struct pw_proctab *tab, const struct pw_end *en)
{
	struct pw_proc *p;

	if (!en->detached)
		return;
	for (p = tab->all; p; p = p->next_all) {
		if (p->exited || p->detached)
			continue;
		p->detached = true;
		tab->counts.detached++;
	}
}

int
pw_proctab_event(struct pw_proctab *tab, const struct pw_event *ev)
{
	struct pw_proc *p;
	int err = 0;

	if (ev->kind == PW_EV_END) {
		on_end(tab, &ev->u.end);
		return 0;
	}
	if (ev->kind == PW_EV_START) {
		tab->tracer = ev->u.start.tracer;
		tab->attach = ev->u.start.attach;
		/* Attached processes come with their attach events. */
		if (tab->attach)
			return 0;
	}
	if (ev->pid <= 0)
		return 0;
	p = pw_proctab_of_event(tab, ev);
	if (!p) {
		tab->failed = true;
		return -ENOMEM;
	}
	switch (ev->kind) {
	case PW_EV_SPAWN:
		err = on_spawn(tab, p, ev);
		break;
	case PW_EV_EXEC:
		err = on_exec(tab, p, ev);
		break;
	case PW_EV_WAIT:
		on_wait(tab, p, ev);
		break;
	case PW_EV_EXIT:
		on_exit_event(tab, p, ev);
		break;
	case PW_EV_ATTACH:	/* pw_proctab_of_event() made its record whole */
	case PW_EV_START:	/* taken in above */
	case PW_EV_EXEC_CHECK:	/* no new program: nothing changes */
	case PW_EV_SIGNAL:
	case PW_EV_END:
		break;
	}
	if (err)
		tab->failed = true;
	return err;
}
