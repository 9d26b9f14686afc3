/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Process ids across pid namespaces.  The tracer learns every task's pid
 * in its own namespace (waitpid, PTRACE_GETEVENTMSG), but a tracee inside
 * a nested pid namespace (unshare --pid, bwrap, podman) sees and passes
 * ids of its own namespace: wait4's result and pid argument, waitid's id
 * and si_pid, a signal's si_pid (kernel/signal.c fills it in the
 * receiver's namespace).  The trace gives every id in procwatch's
 * namespace, so those are translated here, with the tracee's own value
 * kept beside it.
 *
 * How: a task created in a namespace other than ours is registered when
 * its creator's fork event is seen, from the NSpid line of
 * /proc/PID/status (its id in every namespace from /proc's down to its
 * own, fs/proc/array.c), in one map per namespace from the id there to
 * ours, so a translation is one hash lookup.  Which tasks can be in
 * another namespace is known without reading /proc: the children of a
 * task in one, or of a task whose children go elsewhere (CLONE_NEWPID, or
 * unshare(CLONE_NEWPID) or setns earlier, which the seccomp filter stops
 * at).  Tracing a program that uses no namespace costs nothing here.
 *
 * An entry stays until the process is reaped by a traced process that
 * translated its id, or, at its death, when nobody traced will: the one
 * entry its reaper may still need is the one kept.  A namespace is
 * forgotten with the last task procwatch knows in it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tracer_internal.h"

struct pidns {
	ino_t ino;		/* its nsfs inode: /proc/PID/ns/pid */
	unsigned level;		/* 1 for a namespace made in ours, 2 below that... */
	struct pidns *parent;	/* NULL when the parent is ours */
	unsigned long refs;	/* tasks in it, and namespaces below it */
	struct pw_pidmap ids;	/* id in this namespace -> pid in ours */
	struct pidns *next;
};

/* Our own depth below the namespace of the /proc we read (usually 0). */
void
pidns_init(struct tracer *t)
{
	pid_t ids[PW_SET_TID_MAX + 1];
	int n = procfs_status_ids(getpid(), "NSpid", ids, PW_SET_TID_MAX + 1);

	t->our_ns_level = n > 0 ? (unsigned)n - 1 : 0;
	t->namespaces = NULL;
}

static struct pidns *
ns_ref(struct pidns *ns)
{
	if (ns)
		ns->refs++;
	return ns;
}

static void
ns_unref(struct tracer *t, struct pidns *ns)
{
	struct pidns **pp;

	while (ns && --ns->refs == 0) {
		struct pidns *parent = ns->parent;

		for (pp = &t->namespaces; *pp != ns; pp = &(*pp)->next)
			;
		*pp = ns->next;
		pw_pidmap_destroy(&ns->ids);
		free(ns);
		ns = parent;
	}
}

void
pidns_destroy(struct tracer *t)
{
	struct pidns *ns, *next;

	for (ns = t->namespaces; ns; ns = next) {
		next = ns->next;
		pw_pidmap_destroy(&ns->ids);
		free(ns);
	}
	t->namespaces = NULL;
}

static struct pidns *
ns_find(struct tracer *t, ino_t ino)
{
	struct pidns *ns;

	for (ns = t->namespaces; ns; ns = ns->next)
		if (ns->ino == ino)
			return ns;
	return NULL;
}

/*
 * The namespace fd refers to, level levels below ours, with its ancestors:
 * NS_GET_PARENT (Linux 4.9, ioctl_ns(2)) climbs from it.  Takes fd.
 */
static struct pidns *
ns_from_fd(struct tracer *t, int fd, unsigned level)
{
	struct pidns *ns, *parent = NULL;
	struct stat st = { 0 };
	int pfd;

	ns = fstat(fd, &st) == 0 ? ns_find(t, st.st_ino) : NULL;
	if (ns || st.st_ino == 0) {
		close(fd);
		return ns;
	}
	if (level > 1) {
		pfd = ioctl(fd, NS_GET_PARENT);
		parent = pfd >= 0 ? ns_from_fd(t, pfd, level - 1) : NULL;
	}
	close(fd);
	/* An ancestor we cannot place (EPERM: outside our scope) or no memory. */
	if ((level > 1 && !parent) || !(ns = calloc(1, sizeof(*ns))))
		return NULL;
	ns->ino = st.st_ino;
	ns->level = level;
	ns->parent = ns_ref(parent);
	pw_pidmap_init(&ns->ids);
	ns->next = t->namespaces;
	t->namespaces = ns;
	return ns;
}

static struct pidns *
ns_of_task(struct tracer *t, pid_t tid, unsigned level)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? NULL : ns_from_fd(t, fd, level);
}

/*
 * Reads c's ids; its namespace is its creator's unless the creator's
 * children go elsewhere (known from the same flags as in pidns_enter).
 */
static void
register_task(struct tracer *t, struct task *creator, struct task *c,
	      bool elsewhere)
{
	pid_t ids[PW_SET_TID_MAX + 1];
	int n = procfs_status_ids(c->tid, "NSpid", ids, PW_SET_TID_MAX + 1);
	unsigned level, k;
	struct pidns *ns;

	if (n <= (int)t->our_ns_level + 1 || ids[t->our_ns_level] != c->tid)
		return;		/* in ours, or gone, or a /proc we cannot read */
	level = (unsigned)n - 1 - t->our_ns_level;
	if (!elsewhere && creator->ns && creator->ns->level == level)
		ns = creator->ns;
	else
		ns = ns_of_task(t, c->tid, level);
	if (!ns || ns->level != level || !(c->ns_ids = malloc(level * sizeof(pid_t))))
		return;
	memcpy(c->ns_ids, ids + t->our_ns_level + 1, level * sizeof(pid_t));
	c->ns = ns_ref(ns);
	for (k = level; ns; ns = ns->parent, k--)
		(void)pw_pidmap_put(&ns->ids, c->ns_ids[k - 1], (void *)(long)c->tid);
}

void
pidns_enter(struct tracer *t, struct task *creator, struct task *c,
	    const struct pw_spawn *sp)
{
	bool elsewhere = (sp->flags & CLONE_NEWPID) || creator->ns_moved;

	if (c->ns || c->ns_ids)
		return;		/* linked already (a parked child) */
	if (sp->thread)
		c->ns = ns_ref(creator->ns);
	else if (creator->ns || elsewhere)
		register_task(t, creator, c, elsewhere);
}

/*
 * A process found running by -p: its own namespace may be any, so its
 * ids are read like those of a child of a task whose children go
 * elsewhere.
 */
void
pidns_attach(struct tracer *t, struct task *leader)
{
	if (leader && !leader->ns && !leader->ns_ids)
		register_task(t, leader, leader, true);
}

/* A thread lives in its process's namespace. */
void
pidns_join(struct task *thread, const struct task *leader)
{
	if (!thread->ns && thread != leader)
		thread->ns = ns_ref(leader->ns);
}

/*
 * unshare(CLONE_NEWPID) and setns() with a pid namespace (or any type,
 * nstype 0) change where the task's later children go, not the task
 * itself (pid_namespaces(7)).  Noted at the entry: if the call fails, the
 * next fork only reads /proc once more.
 */
void
pidns_note_call(struct task *task, const struct pw_syscall *sc)
{
	if ((sc->nr == SYS_unshare && (sc->args[0] & CLONE_NEWPID)) ||
	    (sc->nr == SYS_setns && ((int)sc->args[1] == 0 ||
				     (sc->args[1] & CLONE_NEWPID))))
		task->ns_moved = true;
}

/* id as task sees it, in our namespace; 0 when no task we know has it. */
pid_t
pidns_to_ours(const struct task *task, pid_t id)
{
	if (!task->ns || id <= 0)
		return id;
	return (pid_t)(long)pw_pidmap_get(&task->ns->ids, id);
}

/* c's id as seen from task's namespace (c being in it or below it). */
pid_t
pidns_id_seen_by(const struct task *task, const struct task *c)
{
	unsigned level = task->ns ? task->ns->level : 0;

	if (!level)
		return c->tid;
	if (!c->ns || c->ns->level < level || !c->ns_ids)
		return 0;
	return c->ns_ids[level - 1];
}

/* Removes ns's entry for id if it still names pid (an id may be reused). */
static void
forget_id(struct pidns *ns, pid_t id, pid_t pid)
{
	if ((pid_t)(long)pw_pidmap_get(&ns->ids, id) == pid)
		(void)pw_pidmap_remove(&ns->ids, id);
}

/* waiter reaped the process it knows as id: its entry there is done. */
void
pidns_reaped(const struct task *waiter, pid_t id, pid_t pid)
{
	if (waiter->ns)
		forget_id(waiter->ns, id, pid);
}

/*
 * A process died; reaper_ns is the namespace of the traced process that
 * will reap it (and translate its id), or NULL.  Every other entry goes.
 */
void
pidns_died(struct task *task, const struct pidns *reaper_ns, bool reaper_traced)
{
	struct pidns *ns = task->ns;
	unsigned k;

	if (!task->ns_ids)
		return;
	for (k = ns->level; ns; ns = ns->parent, k--)
		if (!reaper_traced || ns != reaper_ns)
			forget_id(ns, task->ns_ids[k - 1], task->tid);
}

/* The task is forgotten: its share of its namespace goes with it. */
void
pidns_task_free(struct tracer *t, struct task *task)
{
	free(task->ns_ids);
	task->ns_ids = NULL;
	ns_unref(t, task->ns);
	task->ns = NULL;
}
