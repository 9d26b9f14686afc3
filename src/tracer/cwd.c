/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Each exec's working directory without a /proc read per exec.  Reading
 * /proc/PID/cwd costs little for a process /proc has seen, but an exec is
 * most often a child just forked, for whose pid /proc must first build its
 * entries (README, Performance): that first read costs 20 µs and more.  So
 * the directory is kept per fs_struct, the kernel's record of a task's
 * root and working directory (clone(2): CLONE_FS shares it, a fork
 * copies it), and read again only after a call that can change it:
 *
 *   chdir, fchdir         the working directory of every task sharing it
 *   setns                 a mount namespace moves the caller to its root
 *                         (fs/namespace.c, mntns_install)
 *   pivot_root            moves every process whose directory was the old
 *                         root (fs/namespace.c, chroot_fs_refs): all of them
 *
 * The seccomp filter stops at these (seccomp_filter.c), and the call's
 * syscall-exit stop marks the directory unknown once it has run, so that
 * the next exec (or fork, see cwd_spawned) reads it.  While such a call is
 * in flight, between its entry and its exit stop, nothing is trusted: a
 * read then may come before or after the change.  A task that dies in the
 * call leaves it unknown.
 *
 * What is shared is decided at the spawn: CLONE_FS shares the record
 * (pthread_create sets it), a fork copies it, CLONE_NEWNS gives the child
 * a directory in a new mount namespace.  A record shared by tasks that
 * the kernel has in fact separated would give one the directory read for
 * the other, and one split from tasks that still share would miss their
 * chdir: so whatever procwatch cannot follow makes a record untracked,
 * read at every exec as before.  That is: tasks whose creation was not
 * seen (attach mode, a child released unlinked); unshare(CLONE_FS), and
 * CLONE_NEWNS, which implies it (unshare(2)), whether or not it succeeds;
 * a record shared by CLONE_FS between processes (each may exec a program
 * whose calls procwatch cannot see); a process that made a 32-bit call,
 * which the filter lets through unseen (an int $0x80 spawn or exec says
 * so; its chdir would not).
 *
 * Not followed: a directory renamed, moved or removed while a process is
 * in it keeps the name it was last read under (/proc would say the new
 * name, or add " (deleted)"), until the next change of directory.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "tracer_internal.h"

/* A task's fs_struct, as far as procwatch knows it. */
struct fs_state {
	unsigned refs;		/* tasks pointing here */
	unsigned changing;	/* calls that may change it, entered and not yet exited */
	bool known;		/* cwd holds what /proc said, and nothing changed since */
	bool untracked;		/* read at every exec: see above */
	unsigned long epoch;	/* t->cwd_epoch when read (pivot_root bumps it) */
	struct pw_bytes cwd;
};

static struct fs_state *
fs_new(void)
{
	struct fs_state *fs = calloc(1, sizeof(*fs));

	if (fs)
		fs->refs = 1;
	return fs;
}

static void
fs_put(struct fs_state *fs)
{
	if (!fs || --fs->refs)
		return;
	pw_bytes_clear(&fs->cwd);
	free(fs);
}

static bool
fs_trusted(const struct tracer *t, const struct fs_state *fs)
{
	return fs && fs->known && !fs->untracked && !fs->changing &&
	       !t->cwd_changing_all && fs->epoch == t->cwd_epoch;
}

static bool
bytes_dup(struct pw_bytes *dst, const struct pw_bytes *src)
{
	char *copy = malloc(src->len + 1);

	if (!copy)
		return false;
	memcpy(copy, src->data, src->len);
	copy[src->len] = '\0';
	pw_bytes_clear(dst);
	dst->data = copy;
	dst->len = src->len;
	return true;
}

/* The command procwatch launches: its directory is read at its first exec. */
void
cwd_launched(struct task *root)
{
	root->fs = fs_new();
}

/* The task's working directory into out (data NULL when unreadable). */
void
cwd_read(struct tracer *t, struct task *task, struct pw_bytes *out)
{
	struct fs_state *fs = task->fs;

	if (fs_trusted(t, fs) && bytes_dup(out, &fs->cwd))
		return;
	t->stats.cwd_reads++;
	if (!procfs_task_link(task->tid, "cwd", out))
		return;
	if (!fs || fs->untracked || fs->changing || t->cwd_changing_all ||
	    !bytes_dup(&fs->cwd, out))
		return;
	fs->known = true;
	fs->epoch = t->cwd_epoch;
}

/* Reads the creator's directory now, while it is stopped and /proc knows it. */
static void
refresh(struct tracer *t, struct task *creator)
{
	struct pw_bytes cwd = { 0 };

	cwd_read(t, creator, &cwd);
	pw_bytes_clear(&cwd);
}

/*
 * A fork copies the creator's record.  With nothing else sharing it, the
 * creator, stopped at its fork event, has the directory the child was
 * given: an unknown one is read now, once, rather than at the exec of
 * each child (a shell that ran cd, then a loop).  With sharers, another
 * thread may have moved it since the copy: the child reads its own.
 */
static struct fs_state *
fs_copy(struct tracer *t, struct task *creator, const struct pw_spawn *sp)
{
	struct fs_state *fs = creator->fs, *copy;

	if (!fs_trusted(t, fs) && fs->refs == 1 && !fs->untracked && !fs->changing)
		refresh(t, creator);
	copy = fs_new();
	if (!copy)
		return NULL;
	copy->untracked = fs->untracked;
	if (fs_trusted(t, fs) && !(sp->flags & CLONE_NEWNS) && bytes_dup(&copy->cwd, &fs->cwd)) {
		copy->known = true;
		copy->epoch = fs->epoch;
	}
	return copy;
}

/*
 * child was created by creator's spawn sp; seen: its entry was decoded (a
 * 64-bit call), so sp's flags are the real ones.
 */
void
cwd_spawned(struct tracer *t, struct task *creator, struct task *child,
	    const struct pw_spawn *sp, bool seen)
{
	struct fs_state *fs = creator->fs;

	if (!fs || child->fs)
		return;
	if (!seen) {
		fs->untracked = true;	/* it runs code whose calls we do not see */
		return;
	}
	if (!(sp->flags & CLONE_FS)) {
		child->fs = fs_copy(t, creator, sp);
		return;
	}
	if (!sp->thread)
		fs->untracked = true;
	fs->refs++;
	child->fs = fs;
}

/* An exec whose entry was not seen: the old program made 32-bit calls. */
void
cwd_unseen_exec(struct task *task)
{
	if (task->fs)
		task->fs->untracked = true;
}

static bool
changes_cwd(const struct pw_syscall *sc)
{
	return sc->nr == SYS_chdir || sc->nr == SYS_fchdir || sc->nr == SYS_setns ||
	       sc->nr == SYS_pivot_root;
}

/*
 * The entry of a call the filter lets through to us: one that may change
 * the directory is followed to its exit stop (loop.c, wants_syscall_stops).
 */
void
cwd_note_call(struct tracer *t, struct task *task, const struct pw_syscall *sc)
{
	if (sc->nr == SYS_unshare && (sc->args[0] & (CLONE_FS | CLONE_NEWNS)) && task->fs)
		task->fs->untracked = true;
	if (!changes_cwd(sc) || task->cwd_call)
		return;
	task->cwd_call = sc->nr;
	if (sc->nr == SYS_pivot_root)
		t->cwd_changing_all++;
	else if (task->fs)
		task->fs->changing++;
}

/* Its exit stop, with what it returned (0 when the task died in it). */
void
cwd_call_done(struct tracer *t, struct task *task, long rval)
{
	long nr = task->cwd_call;

	if (!nr)
		return;
	task->cwd_call = 0;
	if (nr == SYS_pivot_root) {
		t->cwd_changing_all--;
		if (rval == 0)
			t->cwd_epoch++;
		return;
	}
	if (!task->fs)
		return;
	task->fs->changing--;
	if (rval == 0)
		task->fs->known = false;
}

void
cwd_task_free(struct tracer *t, struct task *task)
{
	if (task->cwd_call)
		cwd_call_done(t, task, 0);	/* died in it: it may have run */
	fs_put(task->fs);
	task->fs = NULL;
}
