/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to src/tracer/: the tracer's state, the per-task record, and the
 * functions the tracer's files share.  Nothing outside src/tracer/ includes
 * this header, except the unit test of the seccomp filter.
 */
#ifndef PROCWATCH_TRACER_INTERNAL_H
#define PROCWATCH_TRACER_INTERNAL_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "procwatch/cli.h"
#include "procwatch/decode.h"
#include "procwatch/event.h"
#include "procwatch/pidmap.h"
#include "procwatch/sink.h"
#include "procwatch/unwind.h"
#include "tracee_mem.h"

struct pidns;

/*
 * One traced thread.  A process is the set of tasks with the same tgid; the
 * leader (tid == tgid) stands for the process: its death report is the
 * process's end, since the kernel reports a leader only after every other
 * thread is gone (ptrace(2), "execve(2) under ptrace" and zombie leaders).
 */
struct task {
	pid_t tid;
	bool started;		/* its first stop was seen */
	pid_t tgid;		/* 0 until known (first stop before the parent's event) */
	pid_t parent;		/* process that will reap this one; 0 if unknown */

	/*
	 * The syscall entered and not yet finished, whose exit stop we asked
	 * for with PTRACE_SYSCALL; PW_CALL_NONE otherwise.  pending holds its
	 * decoded entry until the outcome is known.
	 */
	enum pw_call in_call;
	struct pw_syscall entry;
	struct pw_event pending;
	/*
	 * A wait that ended in -ERESTART* at its exit stop, held until we know
	 * whether the kernel restarts it or the program sees EINTR.  Until
	 * then the task runs under PTRACE_SYSCALL so that we see the exit of
	 * rt_sigreturn, whose result is what the interrupted call returns.
	 */
	bool interrupted;
	struct pw_event suspended;
	struct pw_syscall suspended_entry;
	long last_nr;		/* syscall of the last entry stop seen */

	int spawn_event;	/* the PTRACE_EVENT_FORK/VFORK/CLONE being handled */
	enum pw_call exit_call;	/* exit/exit_group entered: how it chose to end */
	bool exit_written;	/* its exit event went out at that entry */
	/*
	 * --no-seccomp only: the task may run under a seccomp filter of its
	 * own (it, or a task it descends from, called seccomp() or
	 * prctl(PR_SET_SECCOMP) to install one).  That filter may still fail
	 * an exit or exit_group it has entered, so its exit is written from
	 * the death report rather than at the entry.
	 */
	bool own_filter;

	/*
	 * Pid namespaces (pidns.c).  ns: the one the task lives in, NULL when
	 * it is ours; ns_ids: a process's id at each level below ours
	 * (ns_ids[0] one level down), NULL for threads and in ours.  ns_moved:
	 * its later children may go to another namespace (unshare, setns).
	 */
	struct pidns *ns;
	pid_t *ns_ids;
	bool ns_moved;
};

/*
 * Why a tracee stopped, counted when PROCWATCH_STATS is set: every stop
 * costs two context switches, so each kind must earn its place (README,
 * "Performance").
 */
enum stop_kind {
	STOP_SECCOMP,		/* a traced call's entry (filter) */
	STOP_SYSCALL_ENTRY,	/* PTRACE_SYSCALL: without the filter, or watching a restart */
	STOP_SYSCALL_EXIT,	/* a result we need: failures, wait statuses */
	STOP_SPAWN_EVENT,	/* PTRACE_EVENT_FORK/VFORK/CLONE */
	STOP_EXEC_EVENT,	/* PTRACE_EVENT_EXEC */
	STOP_CHILD_START,	/* a new task's first stop */
	STOP_GROUP,		/* group-stop (SIGSTOP and friends) */
	STOP_SIGNAL,		/* signal-delivery stop */
	STOP_OTHER,
	STOP_KINDS
};

struct tracer_stats {
	unsigned long stops[STOP_KINDS];
	unsigned long early_children;	/* first stop before the creator's event */
	unsigned long deaths;
	unsigned long stacks;		/* -k: stacks taken */
	uint64_t stack_ns;		/* and the time spent taking them */
};

/* A process that died and whose parent may still reap it with a NULL status pointer. */
struct zombie {
	struct pw_status status;
};

struct tracer {
	const struct pw_options *opts;
	struct pw_sink *sink;
	bool seccomp;		/* the filter is installed: stops only at traced calls */
	uint16_t filter_data;	/* SECCOMP_RET_DATA of our filter's stops */
	struct pw_pidmap tasks;	/* tid -> struct task */
	struct pw_pidmap zombies;	/* pid -> struct zombie, until reaped */
	struct pw_pidmap early_deaths;	/* tids that died before their creator's event */
	struct pidns *namespaces;	/* pid namespaces other than ours, with tasks in them */
	unsigned our_ns_level;	/* our depth below the namespace /proc shows */
	/*
	 * New tasks whose first stop came before their creator's fork event:
	 * kept stopped until the event links them, so that nothing they do is
	 * written before the spawn that created them.  Released when no spawn
	 * is in flight any more (a creator killed before its event).
	 */
	struct pw_pidmap parked;
	unsigned long spawns_in_flight;
	/* PROCWATCH_TEST_DEFER_SPAWN: hold fork events until the child's first stop. */
	bool defer_spawn_events;
	struct pw_pidmap deferred;	/* child tid -> creator tid */
	struct timespec start;
	struct pw_exec_limits limits;
	struct tracee_mem mem;	/* the stopped task's memory, for one stop */
	struct pw_unwinder *unwinder;	/* -k; NULL without */
	/* PROCWATCH_TEST_KILL_UNWOUND=N: kill the first exec of a child after N frames. */
	long test_kill_unwound;

	pid_t root;		/* the command procwatch launched */
	bool root_launched;	/* the root's first exec succeeded: the command runs */
	bool root_ended;
	struct pw_status root_status;
	int child_error_fd;	/* read end of the launch error pipe (CLOEXEC in the child) */

	bool sink_failed;
	unsigned long lost;
	struct tracer_stats stats;
};

/* tasks.c */
struct task *task_find(struct tracer *t, pid_t tid);
struct task *task_add(struct tracer *t, pid_t tid);
void task_forget(struct tracer *t, struct task *task);
void tasks_destroy(struct tracer *t);
int task_rekey(struct tracer *t, struct task *task, pid_t new_tid);
pid_t task_tgid(struct task *task);
void tasks_mark_own_filter(struct tracer *t, pid_t tgid);
void zombie_remember(struct tracer *t, pid_t pid, const struct pw_status *st);
bool zombie_take(struct tracer *t, pid_t pid, struct pw_status *st);

/* loop.c */
void tracer_resume(struct tracer *t, struct task *task, int sig);

/* emit.c */
uint64_t tracer_now(const struct tracer *t);
void tracer_event_init(struct tracer *t, struct pw_event *ev,
		       enum pw_event_kind kind, struct task *task);
void tracer_emit(struct tracer *t, struct pw_event *ev);

/* syscall_stop.c: a traced syscall's entry and exit, and the fork/exec events. */
void on_syscall_entry(struct tracer *t, struct task *task,
		      const struct pw_syscall *sc);
void on_syscall_exit(struct tracer *t, struct task *task, long rval);
void on_foreign_seccomp(struct tracer *t, struct task *task,
			const struct pw_syscall *sc);
void on_spawn_event(struct tracer *t, struct task *task, pid_t child);
void leave_call(struct tracer *t, struct task *task);
struct task *on_exec_event(struct tracer *t, pid_t pid, pid_t old_tid);

/* pidns.c: ids seen inside other pid namespaces, in ours */
struct pidns;
void pidns_init(struct tracer *t);
void pidns_destroy(struct tracer *t);
void pidns_enter(struct tracer *t, struct task *creator, struct task *c,
		 const struct pw_spawn *sp);
void pidns_note_call(struct task *task, const struct pw_syscall *sc);
pid_t pidns_to_ours(const struct task *task, pid_t id);
pid_t pidns_id_seen_by(const struct task *task, const struct task *c);
void pidns_reaped(const struct task *waiter, pid_t id, pid_t pid);
void pidns_died(struct task *task, const struct pidns *reaper_ns, bool reaper_traced);
void pidns_task_free(struct tracer *t, struct task *task);

/* procfs.c */
bool procfs_read_link(int dirfd, const char *name, struct pw_bytes *out);
bool procfs_task_link(pid_t tid, const char *name, struct pw_bytes *out);
long procfs_status_field(pid_t tid, const char *name);
int procfs_status_ids(pid_t tid, const char *name, pid_t *ids, int max);
bool procfs_task_comm(pid_t tid, struct pw_bytes *out);
/* exe and inherited descriptors, after a successful exec. */
void exec_image_read(pid_t pid, struct pw_exec *ex);

/* seccomp_filter.c */
int seccomp_filter_build(struct sock_fprog *prog, uint16_t data);
uint16_t seccomp_filter_data(void);
int seccomp_filter_load(const struct sock_fprog *prog);

/* launch.c */
int launch_command(struct tracer *t, char *const argv[]);
int launch_failure_status(struct tracer *t, char *const argv[]);

/* signals.c */
void signals_setup_tracer(pid_t root);
void signals_root_gone(const struct pw_pidmap *tasks);
void signals_hold(void);
void signals_allow(void);

#endif
