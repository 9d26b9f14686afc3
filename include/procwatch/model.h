/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process model: everything the views for people show, built once
 * from the events, live or from a recorded trace alike.  Who created whom
 * and how (the call, flags, stack), every image a process ran (argv, path,
 * working directory, the file run, stack), its failed exec attempts, its
 * threads, how and when it ended, who reaped it, and the warnings about it.
 * A view is a renderer of this model (src/sink/view_*.c); the JSON sink
 * needs none of it and streams.
 *
 * Every process ever seen is kept until the model is freed, because the
 * tree at the end shows them all; a pid the kernel reuses gets a new
 * record, and the old one stays in its creator's list.  Strings (argv,
 * paths, directories, names) are interned: a build that runs the same
 * compiler in the same directory 20 000 times keeps them once.  What else
 * is kept depends on what the view needs (struct pw_model_opts), so that
 * the tree does not pay for what only the Perfetto export shows.
 *
 * Each event costs O(1) whatever the number of processes, but for a
 * process's exit, which looks at its own children once.
 */
#ifndef PROCWATCH_MODEL_H
#define PROCWATCH_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "procwatch/arena.h"
#include "procwatch/envdiff.h"
#include "procwatch/event.h"
#include "procwatch/intern.h"
#include "procwatch/pidmap.h"
#include "procwatch/warnings.h"

/*
 * An argument vector, interned.  When the model keeps only argv_keep
 * elements (struct pw_model_opts), a longer vector keeps its first head and
 * last n - head - elided, the split the views print (pw_view_argv), and
 * elided counts the ones left out.  An unreadable element is NULL.
 */
struct pw_argv {
	const char **v;
	uint32_t n;		/* elements the program was given (that were read) */
	uint32_t head;		/* v[0..head) are the first; the rest the last */
	uint32_t elided;	/* left out of v between them */
	bool truncated;		/* the vector was longer than what was read */
};

/*
 * An exec's environment (--env, kept with opts.env): the change the trace
 * holds, its strings interned, over the node of its base, so that an image
 * costs what its change costs; pw_model_env() rebuilds it whole.  A node
 * more than PW_ENV_CHAIN_MAX changes away from a whole one is kept whole,
 * which bounds a rebuild; an exec that passed its base's environment
 * unchanged shares its base's node, and one that made the same change
 * as the exec before it over that base shares that one's.
 */
struct pw_env_node {
	const struct pw_env_node *base;	/* NULL: set is the whole environment */
	const char **set, **unset;	/* interned; an unreadable entry is NULL */
	uint32_t *order;
	uint32_t nset, nunset, norder;
	uint32_t check;		/* pw_env_check() of the environment, whole ones too */
	uint32_t depth;		/* changes between it and the nearest whole node */
	bool truncated;		/* envp was longer than what was read */
	int err;		/* the envp array itself was unreadable */
	struct pw_env_node *derived;	/* the node last made over this one */
};

#define PW_ENV_CHAIN_MAX 8

/* A descriptor above 2 that an exec let through (not close-on-exec). */
struct pw_image_fd {
	int fd;
	const char *target;	/* "/path", "pipe:[123]"; NULL if unreadable */
};

/* One program a process ran: an exec, or what it ran when procwatch attached. */
struct pw_image {
	struct pw_image *next;	/* the one it exec'd next */
	uint64_t t;		/* the exec, or the attach */
	struct pw_argv argv;
	const char *path;	/* as exec'd (the file -p found); NULL if unknown */
	const char *cwd;	/* NULL if unknown */
	const char *exe;	/* the file the kernel runs: a #! script's interpreter */
	bool attached;		/* found running by -p, not exec'd in the trace */
	bool script;		/* exe is not path: path was a script */
	bool fds_truncated;	/* it had more than PW_EXEC_MAX_FDS */
	uint16_t nfds;
	struct pw_image_fd *fds;	/* by number, with opts.fds; none for an attached image */
	struct pw_stack *stack;	/* -k, when the model keeps stacks; else NULL */
	const struct pw_env_node *env;	/* --env, with opts.env; NULL if unknown */
};

/* An exec that ran no program: it failed, or the task died in it. */
struct pw_attempt {
	uint64_t t;
	pid_t tid;
	long result;		/* -errno, or PW_RESULT_UNFINISHED */
	unsigned run;		/* failed attempts in a row with this argv, in this task */
	struct pw_argv argv;
	const char *path;
	const char *cwd;
	struct pw_stack *stack;
	const struct pw_env_node *env;
};

enum pw_mark_kind {
	PW_MARK_EXEC_FAILED,
	PW_MARK_EXEC_UNFINISHED,	/* the task died in the exec */
	PW_MARK_SIGNAL,
};

/* A moment worth a marker on a time axis (kept with opts.marks). */
struct pw_mark {
	enum pw_mark_kind kind;
	uint64_t t;
	pid_t tid;
	int num;		/* errno of a failed exec, or the signal */
	pid_t sender;		/* signal only; 0 when not known */
	int code;		/* signal only: si_code */
	const char *path;	/* exec only */
	bool path_miss;		/* exec only: a miss of a PATH search that found its program */
	struct pw_stack *stack;	/* exec only, with opts.stacks */
};

#define PW_MODEL_MARKS_MAX 256	/* per process: a signal loop must not grow memory without end */

struct pw_marks {
	struct pw_mark *v;
	size_t n;
	unsigned long dropped;	/* past PW_MODEL_MARKS_MAX */
};

/* How a process or thread came to be: the spawn that made it, at its start. */
struct pw_origin {
	pid_t creator_tid;	/* the thread that made the call; 0 for roots */
	enum pw_call call;
	uint64_t flags;
	int exit_signal;
	enum pw_spawn_kind kind;
	struct pw_stack *stack;	/* -k, with opts.stacks */
};

struct pw_thread_rec {
	pid_t tid;
	uint64_t start_us;	/* its spawn, or the attach for an attached thread */
	bool attached;		/* running when procwatch attached: its real start is unknown */
	bool exited;
	uint64_t exit_us;
	struct pw_status status;
	struct pw_origin origin;	/* for a spawned thread */
};

struct pw_proc {
	/*
	 * Its number in the trace, from 1 in the order records were made: the
	 * same live and replayed, and unique where a pid is reused.
	 */
	uint32_t id;
	pid_t pid;
	pid_t ppid;		/* the process the kernel reports its end to */
	pid_t reaper;
	unsigned threads;	/* threads created in it (CLONE_THREAD spawns) */
	unsigned depth;		/* 0 for the root, creator's depth + 1 */
	struct pw_origin origin;	/* the spawn that made it (origin.kind); zero for roots */
	const char *name;	/* basename of argv[0] of its latest image, or inherited; "" if unknown */
	struct pw_image *images, *last_image;	/* attached one first, then execs, in order */
	unsigned nimages;	/* pw_proc_execs(): those that are execs */
	/*
	 * Exec attempts that failed, but for the misses of a PATH search that
	 * found its program (execvp(3) trying the same argv in directory after
	 * directory until one runs): those are path_misses, no failure.
	 */
	unsigned failed_execs;
	unsigned path_misses;
	uint32_t nthread_recs;	/* of thread_recs */
	struct pw_attempt *attempt;	/* the last exec, when it ran nothing; else NULL */
	struct pw_marks *marks;	/* with opts.marks; NULL until the first */
	uint64_t start_us;
	uint64_t exit_us;
	uint64_t reap_us;
	uint64_t age_us;	/* attached (-p): how long it had run before start_us */
	struct pw_status status;	/* EXITED or KILLED once exited */
	struct pw_usage usage;	/* its exit event's: CPU time, peak memory; known 0 if none */
	struct pw_thread_rec *thread_recs;	/* attached ones first, then created ones */
	/* How many warnings of each kind; NULL until the first (most get none). */
	unsigned *nwarnings;
	/* What the filters make of it (include/procwatch/filter.h). */
	unsigned shown_depth;	/* levels below the top of what is shown */
	uint8_t warned;		/* the kinds of warning about it: 1 << enum pw_warning_kind */
	bool in_subtree;	/* under a process --pid names (all are, without --pid) */
	bool in_window;		/* in_subtree, and within --depth */
	bool matched;		/* --match: a command line of its own matched */
	bool shown;		/* views show it (by now, while events come) */
	bool exited;
	bool reaped;
	bool orphaned;		/* its parent exited while it was alive */
	bool reaped_by_other;	/* reaped, but not by ppid */
	bool reaped_by_tracer;	/* its parent is procwatch, which reaped it at its death */
	bool attached;		/* already running when procwatch attached (-p) */
	bool detached;		/* still running when procwatch let go of it (end's detached) */
	bool untraced;		/* made with CLONE_UNTRACED: not followed (pw_spawn_untraced) */
	/* Tree links: children in spawn order under their creator. */
	struct pw_proc *up;
	struct pw_proc *first_child, *last_child, *next_sibling;
	struct pw_proc *next_all;	/* every record, in creation order */
};

/* The process that called clone or fork to make p; 0 for a root or one found running. */
static inline pid_t
pw_proc_creator(const struct pw_proc *p)
{
	return p->up && !p->attached ? p->up->pid : 0;
}

/* The images of p that are execs (not the one it was found running with). */
static inline unsigned
pw_proc_execs(const struct pw_proc *p)
{
	return p->nimages - (p->images && p->images->attached);
}

/* The processes in the order they ended (with opts.end_order). */
struct pw_ended {
	struct pw_proc **v;
	size_t n, cap;
};

struct pw_model_counts {
	unsigned long processes, threads, execs, failed_execs, nonzero_exits, signals;
	unsigned long path_misses;	/* not in failed_execs (struct pw_proc) */
	/* Of those processes and threads, how many were found running (-p). */
	unsigned long attached, attached_threads;
	unsigned long detached;	/* processes still running when procwatch let go */
	unsigned long warnings[PW_WARN_KINDS];
};

/* What a view needs kept beyond the tree; what it does not need costs nothing. */
/* What the trace header said (struct pw_trace); all zero for a trace without one. */
struct pw_model_trace {
	bool known;
	uint64_t wall_us;	/* the wall clock at trace time 0; 0 if unknown */
	const char *version, *hostname, *kernel, *cwd;
};

struct pw_model_opts {
	size_t argv_keep;	/* argv elements kept per image (elided as views do); 0: all */
	bool stacks;		/* -k stacks of spawns, images and marks */
	bool marks;		/* failed execs and signals, for a time axis */
	bool fds;		/* each image's inherited descriptors (struct pw_image_fd) */
	bool end_order;		/* the order processes ended in (struct pw_ended) */
	bool warnings;		/* the checks behind the warnings (include/procwatch/warnings.h) */
	/*
	 * Tell an exec of a #! script from the program it names (struct
	 * pw_model_notes.script, pw_image.script): needs each exec's exe,
	 * which a live run then reads from /proc at every exec.
	 */
	bool scripts;
	/*
	 * --env: each exec's environment, and the whole argv of an exec
	 * that has one (a command line to reproduce it is printed whole).
	 */
	bool env;
};

/* The warnings an event gave rise to, for a view that shows them under it. */
#define PW_MODEL_EVENT_WARNINGS 4

/*
 * What the last event did, beyond what the records now say: for a view
 * that shows each event as it happens (the timeline).
 */
struct pw_model_notes {
	struct pw_proc *proc;	/* the record it happened in; NULL for none */
	const char *name_before;	/* the process's name before it (an exec renames) */
	bool cwd_moved;		/* an exec, in another directory than the last one seen */
	bool script;		/* an exec of a #! script (see struct pw_image) */
	struct pw_warning warnings[PW_MODEL_EVENT_WARNINGS];
	size_t nwarnings;
	/*
	 * The launched command's first exec: the descriptors above 2 it got
	 * from procwatch's own caller ("10 → /dev/null, 251 → pipe:[7]"), no
	 * warning (they were open before anything traced ran) but worth a
	 * note once; "" for any other event.
	 */
	char caller_fds[400];
	/*
	 * --match: proc became shown with this event (its exec or attach
	 * matched), and with it its ancestors up to shown_from, the outermost
	 * that did (proc itself when none did).  NULL when nothing became shown.
	 */
	struct pw_proc *shown_from;
};

struct pw_filter;

struct pw_model {
	struct pw_model_opts opts;
	struct pw_pidmap by_pid;	/* the current record of each pid */
	struct pw_proc *root;		/* the first top-level record; others follow as siblings */
	struct pw_proc *last_root;
	struct pw_proc *all, **all_tail;	/* every record, in creation order */
	struct pw_ended ends;		/* with opts.end_order */
	/*
	 * Children made with CLONE_PARENT, by the pid of the parent their end
	 * is reported to (kernel/fork.c copy_process): they live in their
	 * creator's list, and this lets that parent's exit mark them orphans
	 * too.  Rare, so kept apart from the records.
	 */
	struct pw_pidmap adoptions;
	/* tid -> 1 + its index in its process's thread_recs: the latest one. */
	struct pw_pidmap thread_index;
	/*
	 * Record id -> how many of its thread_recs ended (pw_model_live_threads),
	 * kept here for the few processes with threads, not in every record.
	 */
	struct pw_pidmap threads_ended;
	struct pw_model_counts counts;
	struct pw_intern strings;
	struct pw_arena records;	/* processes, images and their argv */
	uint64_t end_us;	/* the latest time any event had */
	struct pw_model_trace trace;
	pid_t tracer;		/* procwatch's pid, from the start event; 0 if unknown */
	bool attach;		/* the start event's mode: procwatch attached (-p), ran no command */
	bool ended;		/* an end event came */
	struct pw_end end;	/* what it said */
	bool failed;		/* out of memory once: the model is incomplete */
	struct pw_filter *filter;	/* --pid, --match, --depth; NULL: none */
	/* Descriptors reported leaking once: each is reported at the first exec only. */
	const char **fds_seen;
	size_t nfds_seen;
	/* --env (opts.env): the lineage of each live process's environment. */
	struct pw_env_lineage env_lineage;
	bool env_seen;		/* an exec carried an environment: the trace has them */
	uint64_t env_bytes;	/* bytes of environment entries the trace held */
};

void pw_model_init(struct pw_model *m, const struct pw_model_opts *opts);
void pw_model_destroy(struct pw_model *m);
/*
 * Takes in one event; notes (may be NULL) says what it did.  -ENOMEM
 * leaves the model consistent but incomplete (m->failed).
 */
int pw_model_event(struct pw_model *m, const struct pw_event *ev,
		   struct pw_model_notes *notes);
/* The current record of pid, or NULL. */
struct pw_proc *pw_model_get(const struct pw_model *m, pid_t pid);
/*
 * Whether exec ev runs in another directory than the last one the model
 * saw in that line of descent (the process's latest image, or its nearest
 * ancestor's): worth an "(in DIR)" note.  Asked before ev is taken in.
 */
bool pw_model_cwd_moved(const struct pw_model *m, const struct pw_event *ev);
/*
 * Whether a successful exec ran a #! script: the kernel ran ex->exe, not
 * the file named (resolved here, so right only while the trace is live:
 * the tracer records the answer in the event, pw_exec.script).
 */
bool pw_exec_is_script(const struct pw_exec *ex);
/*
 * How long p lived, or has lived by now_us while it is still running:
 * its time in the trace plus, for an attached process, how long it had
 * run before.  Never negative or wrapped when the times disagree.
 */
uint64_t pw_proc_lifetime(const struct pw_proc *p, uint64_t now_us);
/* p's latest image; NULL when it never exec'd nor was attached. */
const struct pw_image *pw_proc_image(const struct pw_proc *p);
/* The threads of p alive now, its main one included, in constant time. */
unsigned pw_model_live_threads(const struct pw_model *m, const struct pw_proc *p);
/* p's latest thread record of tid, in constant time; NULL if it has none. */
const struct pw_thread_rec *pw_model_thread(const struct pw_model *m, const struct pw_proc *p,
					    pid_t tid);
/*
 * The environment node stands for, rebuilt: *v (malloc'ed; interned
 * strings, NULL for an unreadable entry), *n entries, in envp order.  0;
 * -EINVAL when the trace's changes do not give it back (a damaged trace);
 * -ENOMEM.
 */
int pw_model_env(const struct pw_env_node *node, const char ***v, size_t *n);
/* The working directory of p's latest image, or its nearest ancestor's. */
const char *pw_proc_cwd(const struct pw_proc *p);
/* "sh" for "/bin/sh"; the whole string when it ends in '/'. */
const char *pw_basename(const char *path);

#endif
