/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process model: who created whom, what each process exec'd, how and
 * when it ended and who reaped it, built from events alone so that it works
 * the same live and on a replayed trace.  The timeline and tree sinks read
 * it; the JSON sink does not need it (its memory stays bounded by the
 * tracer's live tasks).  Every process ever seen is kept until the table is
 * freed, because the tree at the end shows them all; a pid the kernel
 * reuses gets a new record and the old one stays in its parent's list.
 * Processes procwatch attached to (-p) are records too, flagged attached,
 * under their parent when it was attached as well, else top-level like
 * the root of a launched command.
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
	uint64_t start_us;	/* its spawn, or the attach for an attached thread */
	bool attached;		/* running when procwatch attached: its real start is unknown */
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
	struct pw_thread_rec *thread_recs;	/* attached ones first, then created ones */
	size_t nthread_recs;
	/*
	 * Attached (-p): already running when procwatch attached to it at
	 * start_us, after it had run for age_us.  attach_argv is the command
	 * line /proc showed then: its program until an exec, which is not one
	 * of execs (procwatch did not see it exec'd).
	 */
	bool attached;
	uint64_t age_us;
	struct pw_argv attach_argv;
	bool detached;		/* still running when procwatch let go of it (end's detached) */
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
	/* Of those processes and threads, how many were found running (-p). */
	unsigned long attached, attached_threads;
	unsigned long detached;	/* processes still running when procwatch let go */
};

struct pw_proctab {
	struct pw_pidmap by_pid;	/* the current record of each pid */
	struct pw_proc *root;
	struct pw_proc *all, **all_tail;
	struct pw_proctab_counts counts;
	pid_t tracer;		/* procwatch's pid, from the start event; 0 if unknown */
	bool attach;		/* the start event's mode: procwatch attached (-p), ran no command */
	bool failed;		/* out of memory once: the model is incomplete */
};

void pw_proctab_init(struct pw_proctab *tab);
void pw_proctab_destroy(struct pw_proctab *tab);
/* Updates the model with one event; -ENOMEM leaves it consistent but incomplete. */
int pw_proctab_event(struct pw_proctab *tab, const struct pw_event *ev);
/*
 * The record ev happens in, made (as a top-level process) when its pid is
 * new; NULL when out of memory or for an event without a pid.  Views call
 * it before showing an event, so that even the first one has a name.  An
 * attach event's record is made whole here (parent, name, threads), and
 * an attach-mode start event has none: its processes come with their
 * attach events.
 */
struct pw_proc *pw_proctab_of_event(struct pw_proctab *tab, const struct pw_event *ev);
/*
 * How long p lived, or has lived by now_us while it is still running:
 * its time in the trace plus, for an attached process, how long it had
 * run before.  Never negative or wrapped when the times disagree.
 */
uint64_t pw_proc_lifetime(const struct pw_proc *p, uint64_t now_us);
/* The current record of pid, or NULL. */
struct pw_proc *pw_proctab_get(const struct pw_proctab *tab, pid_t pid);
/* "sh" for "/bin/sh"; the whole string when it ends in '/'. */
const char *pw_basename(const char *path);

#endif
