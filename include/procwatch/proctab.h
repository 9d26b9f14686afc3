/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process model: who created whom, what each process exec'd, how and
 * when it ended and who reaped it, built from events alone so that it works
 * the same live and on a replayed trace.  The timeline and tree sinks read
 * it; the JSON sink does not need it (its memory stays bounded by the
 * tracer's live tasks).  Every process ever seen is kept until the table is
 * freed, because the tree at the end shows them all; a pid the kernel
 * reuses gets a new record and the old one stays in its parent's list.
 */
#ifndef PROCWATCH_PROCTAB_H
#define PROCWATCH_PROCTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "procwatch/event.h"
#include "procwatch/pidmap.h"

/* One successful exec's argument vector.  An unreadable element is NULL. */
struct pw_argv {
	char **v;
	size_t n;
	bool truncated;
};

struct pw_thread_rec {
	pid_t tid;
	uint64_t start_us;
	bool exited;
	uint64_t exit_us;
	struct pw_status status;
};

struct pw_proc {
	pid_t pid;
	pid_t ppid;		/* the process the kernel reports its end to */
	pid_t creator;		/* the process that called clone/fork; 0 for the root */
	enum pw_spawn_kind kind;	/* how it was created (meaningless for the root) */
	char *name;		/* basename of argv[0] of its latest exec, or inherited; "" if unknown */
	struct pw_argv *execs;	/* successful execs in order */
	size_t nexecs;
	unsigned failed_execs;
	uint64_t start_us;
	bool exited;
	uint64_t exit_us;
	struct pw_status status;	/* EXITED or KILLED once exited */
	bool reaped;
	pid_t reaper;
	uint64_t reap_us;
	bool orphaned;		/* its parent exited while it was alive */
	bool reaped_by_other;	/* reaped, but not by ppid */
	bool reaped_by_tracer;	/* its parent is procwatch, which reaped it at its death */
	unsigned threads;	/* threads created in it (CLONE_THREAD spawns) */
	struct pw_thread_rec *thread_recs;
	size_t nthread_recs;
	unsigned depth;		/* 0 for the root, creator's depth + 1 */
	/* Tree links: children in spawn order under their creator. */
	struct pw_proc *up;
	struct pw_proc *first_child, *last_child, *next_sibling;
	struct pw_proc *next_all;	/* every record, for freeing */
	/*
	 * Children created by another process with CLONE_PARENT, whose end is
	 * reported here: they live in their creator's list, and this one lets
	 * this process's exit mark them orphans too.
	 */
	struct pw_proc *adopted, *next_adopted;
};

struct pw_proctab_counts {
	unsigned long processes, threads, execs, failed_execs, nonzero_exits, signals;
};

struct pw_proctab {
	struct pw_pidmap by_pid;	/* the current record of each pid */
	struct pw_proc *root;
	struct pw_proc *all, **all_tail;
	struct pw_proctab_counts counts;
	pid_t tracer;		/* procwatch's pid, from the start event; 0 if unknown */
	bool failed;		/* out of memory once: the model is incomplete */
};

void pw_proctab_init(struct pw_proctab *tab);
void pw_proctab_destroy(struct pw_proctab *tab);
/* Updates the model with one event; -ENOMEM leaves it consistent but incomplete. */
int pw_proctab_event(struct pw_proctab *tab, const struct pw_event *ev);
/*
 * The record ev happens in, made (as a top-level process) when its pid is
 * new; NULL when out of memory or for an event without a pid.  Views call
 * it before showing an event, so that even the first one has a name.
 */
struct pw_proc *pw_proctab_of_event(struct pw_proctab *tab, const struct pw_event *ev);
/* The current record of pid, or NULL. */
struct pw_proc *pw_proctab_get(const struct pw_proctab *tab, pid_t pid);
/* "sh" for "/bin/sh"; the whole string when it ends in '/'. */
const char *pw_basename(const char *path);

#endif
