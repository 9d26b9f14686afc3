/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to src/tracer/: the tracer's state, the per-task record, and the
 * functions the tracer's files share.  Nothing outside src/tracer/ includes
 * this header, except its unit tests.
 *
 * How a stop flows (doc/INTERNALS.md has the picture): loop.c waits for it,
 * classifies it (enum stop_class) and hands it to exactly one handler
 * (syscall_stop.c for syscall and seccomp stops, ptrace_event.c for fork,
 * exec and first stops, loop.c itself for signals, group-stops and
 * deaths).  A handler records what happened and returns how the task is to
 * go on (struct resume); only loop.c's resume() then calls ptrace to let it
 * go.  A handler that must let go of another task it held (a parked child,
 * a creator whose fork event was held) asks for it with task_release(),
 * which loop.c honours after the handler returns.  So the calls go one
 * way: loop.c -> handlers -> tasks.c, pidns.c, procfs.c, emit.c.
 */
#ifndef PROCWATCH_TRACER_INTERNAL_H
#define PROCWATCH_TRACER_INTERNAL_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>

#include "procwatch/base.h"
#include "procwatch/decode.h"
#include "procwatch/envdiff.h"
#include "procwatch/event.h"
#include "procwatch/pidmap.h"
#include "procwatch/sink.h"
#include "procwatch/tracer.h"
#include "procwatch/unwind.h"
#include "tracee_mem.h"

struct pidns;
struct fs_state;

/*
 * One traced thread.  A process is the set of tasks with the same tgid; the
 * leader (tid == tgid) stands for the process: its death report is the
 * process's end, since the kernel reports a leader only after every other
 * thread is gone (ptrace(2), "execve(2) under ptrace" and zombie leaders).
 */
struct task {
	pid_t tid;
	bool started;		/* its first stop was seen */
	bool held;		/* kept stopped (RESUME_HOLD) until task_release() */
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
	 * An exec in pending whose argv is read once its outcome is known
	 * (pw_decode_exec_entry_head): the element count at the entry; 0
	 * when pending holds all of argv there is.
	 */
	size_t exec_argc;
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
	 * A leader's: its process's resource use, read at a stop before the
	 * end (usage.c), for the exit event; usage_end says which end it was
	 * read for: USAGE_END_EXIT, the signal that will kill it, or none.
	 */
	struct pw_usage usage;
	int usage_end;
	/*
	 * A leader's: what makes the getrusage(RUSAGE_BOTH) that a wait4
	 * report carries (loop.c) more than this process's own use since its
	 * last exec (usage.c): a child it reaped (its times and peak go to
	 * cutime and cmaxrss), an exec (the earlier program's peak stays in
	 * signal->maxrss).  Both set when its past is unknown (attached).
	 */
	bool reaped_child;
	bool exec_seen;
	bool counted_thread;	/* counted in tracer.threads_live */
	/*
	 * --no-seccomp only: the task may run under a seccomp filter of its
	 * own (it, or a task it descends from, called seccomp() or
	 * prctl(PR_SET_SECCOMP) to install one).  That filter may still fail
	 * an exit or exit_group it has entered, so its exit is written from
	 * the death report rather than at the entry.
	 */
	bool own_filter;

	/*
	 * Its working directory as last read (cwd.c): the kernel's fs_struct,
	 * shared by CLONE_FS; NULL when procwatch cannot follow it.  cwd_call:
	 * a call that may change it (chdir...), entered and not yet exited.
	 */
	struct fs_state *fs;
	long cwd_call;

	/*
	 * Pid namespaces (pidns.c).  ns: the one the task lives in, NULL when
	 * it is ours; ns_ids: a process's id at each level below ours
	 * (ns_ids[0] one level down), NULL for threads and in ours.  ns_moved:
	 * its later children may go to another namespace (unshare, setns).
	 */
	struct pidns *ns;
	pid_t *ns_ids;
	bool ns_moved;

	/*
	 * Attach mode (attach.c): seized, its first stop not seen yet; for a
	 * leader, how many of its threads are so.
	 */
	bool attach_pending;
	size_t attach_waiting;

	/* signals_self_stops() when it was last let run (loop.c's resume). */
	unsigned self_stops_at_resume;
};

/*
 * What a stop is, from its wait status (ptrace(2), "Stopped states"):
 * loop.c's classify() decides, and each class has one handler.  Counted
 * when PROCWATCH_STATS is set: every stop costs two context switches, so
 * each kind must earn its place (README, "Performance").
 */
enum stop_class {
	STOP_SECCOMP,		/* PTRACE_EVENT_SECCOMP: a traced call's entry (filter) */
	STOP_SYSCALL_ENTRY,	/* PTRACE_SYSCALL: without the filter, or watching a restart */
	STOP_SYSCALL_EXIT,	/* a result we need: failures, wait statuses */
	STOP_SPAWN_EVENT,	/* PTRACE_EVENT_FORK/VFORK/CLONE */
	STOP_EXEC_EVENT,	/* PTRACE_EVENT_EXEC */
	STOP_TASK_START,	/* PTRACE_EVENT_STOP, SIGTRAP: a new task's first stop, or ours (PTRACE_INTERRUPT) */
	STOP_GROUP,		/* PTRACE_EVENT_STOP with a stop signal: group-stop */
	STOP_SIGNAL,		/* signal-delivery stop */
	STOP_DEATH,		/* not a stop: the task exited or was killed */
	STOP_OTHER,		/* a stop we cannot read (it died since) or did not ask for */
	STOP_CLASSES
};

/* A stop as loop.c's classify() read it. */
struct stop_info {
	enum stop_class class;
	int status;		/* as waitpid gave it */
	int sig;		/* WSTOPSIG: the signal, or SIGTRAP | 0x80 for a syscall stop */
	/* The syscall classes, from PTRACE_GET_SYSCALL_INFO: */
	struct pw_syscall sc;	/* entry: nr and args; exit: rval */
	uint32_t seccomp_data;	/* STOP_SECCOMP: the filter's SECCOMP_RET_DATA */
	unsigned long msg;	/* event stops: PTRACE_GETEVENTMSG */
	/* The stopped process's getrusage(RUSAGE_BOTH) with the report, or NULL (usage.c). */
	const struct rusage *ru;
};

/* How a stop ends: what loop.c's resume() does once its handler returns. */
enum resume_op {
	RESUME_RUN,	/* PTRACE_SYSCALL or PTRACE_CONT, as the task's state asks */
	RESUME_LISTEN,	/* group-stop: stay stopped, but report SIGCONT (PTRACE_LISTEN) */
	RESUME_HOLD,	/* stay stopped until task_release() */
	RESUME_DETACH,	/* let go of it for good (attach mode's end) */
	RESUME_GONE,	/* it died, or was forgotten: nothing to resume */
};

struct resume {
	enum resume_op op;
	int sig;		/* RESUME_RUN, RESUME_DETACH: the signal to deliver */
};

static inline struct resume
resume_run(int sig)
{
	return (struct resume){ RESUME_RUN, sig };
}

static inline struct resume
resume_as(enum resume_op op)
{
	return (struct resume){ op, 0 };
}

struct tracer_stats {
	unsigned long stops[STOP_CLASSES];
	unsigned long early_children;	/* first stop before the creator's event */
	unsigned long deaths;
	unsigned long stacks;		/* -k: stacks taken */
	uint64_t stack_ns;		/* and the time spent taking them */
	unsigned long cwd_reads;	/* /proc/PID/cwd read (cwd.c) */
	unsigned long usage_clocks;	/* usage.c: CPU times read, not reported */
	unsigned long usage_status;	/* and peaks read from /proc/PID/status */
	unsigned long fd_lists;		/* /proc/PID/fd listed at an exec */
};

/* A process that died and whose parent may still reap it with a NULL status pointer. */
struct zombie {
	struct pw_status status;
	pid_t parent;		/* the process that may reap it */
};

/*
 * Launch or attach: the one place where the two modes differ in how tasks
 * are seized and in what happens when procwatch is asked to stop.
 */
struct mode_policy {
	bool attach;
	/*
	 * PTRACE_SEIZE options.  Launch kills every tracee if procwatch dies
	 * (PTRACE_O_EXITKILL): under the seccomp filter they could not run
	 * on untraced, their traced calls failing with ENOSYS.  Attach must
	 * leave the processes it found running, so it never sets it.
	 */
	long seize_options;
	bool filter;		/* the seccomp filter can be used (launch only) */
	/*
	 * Stopped by SIGINT, SIGTERM, SIGHUP or SIGQUIT: launch passes them
	 * on to the command while it runs, and kills what it left behind
	 * once it has ended; attach detaches from everything (signals.c).
	 */
	bool detach_on_stop;
};

struct tracer {
	struct pw_tracer_opts opts;
	const struct mode_policy *policy;
	struct pw_sink *sink;
	bool seccomp;		/* the filter is installed: stops only at traced calls */
	uint16_t filter_data;	/* SECCOMP_RET_DATA of our filter's stops */
	struct pw_pidmap tasks;	/* tid -> struct task */
	struct pw_pidmap zombies;	/* pid -> struct zombie, until reaped */
	size_t zombies_sweep_at;	/* the table's size that calls for zombies_sweep() */
	size_t zombies_peak;		/* PROCWATCH_STATS */
	unsigned long zombies_dropped;	/* reaped by the kernel, not by a wait we saw */
	struct pw_pidmap early_deaths;	/* tids that died before their creator's event */
	struct pidns *namespaces;	/* pid namespaces other than ours, with tasks in them */
	unsigned our_ns_level;	/* our depth below the namespace /proc shows */
	/*
	 * New tasks whose first stop came before their creator's fork event:
	 * kept stopped until the event links them, so that nothing they do is
	 * written before the spawn that created them.  Released when no spawn
	 * is in flight any more (a creator killed before its event).  In
	 * flight: a spawn whose entry we saw, and (attach) a task seized whose
	 * first stop has not come, which may fork unseen until then.
	 */
	struct pw_pidmap parked;
	unsigned long spawns_in_flight;
	unsigned long execs_in_flight;	/* tasks inside an exec whose entry we saw */
	size_t threads_live;		/* tasks known as non-leader threads (usage.c) */
	int usage_score;		/* usage.c: whether the reports' rusage pays */
	/* PROCWATCH_TEST_DEFER_SPAWN: hold fork events until the child's first stop. */
	bool defer_spawn_events;
	struct pw_pidmap deferred;	/* child tid -> creator tid */
	/* Held tasks a handler let go of (task_release), resumed by loop.c. */
	pid_t *released;
	size_t nreleased, released_cap;
	struct timespec start;
	struct pw_exec_limits limits;
	struct pw_env_lineage envs;	/* --env: the writer's lineage (envdiff.h) */
	struct tracee_mem mem;	/* the stopped task's memory, for one stop */
	/* cwd.c: bumped by a pivot_root; pivot_roots in flight. */
	unsigned long cwd_epoch;
	unsigned cwd_changing_all;
	struct pw_unwinder *unwinder;	/* -k; NULL without */
	/* PROCWATCH_TEST_KILL_UNWOUND=N: kill the first exec of a child after N frames. */
	long test_kill_unwound;

	pid_t root;		/* launch: the command procwatch started */
	char *const *launch_argv;	/* and its argv, for launch_failure_status() */
	pid_t first_pid;	/* attach: the first process -p named, for start and end events */
	bool root_launched;	/* the root's first exec succeeded: the command runs */
	bool root_ended;
	struct pw_status root_status;
	int child_error_fd;	/* read end of the launch error pipe (CLOEXEC in the child) */

	bool detaching;		/* attach: letting go of every task (loop.c) */
	bool attach_refused;	/* attach: a process below could not be traced: said once */
	bool detached_any;	/* some task was let go of while still running */
	bool resume_failed;	/* a resume failed other than with ESRCH: said once */
	bool sink_failed;
	unsigned long lost;
	struct tracer_stats stats;
};

/* tasks.c: the task table, calls in flight, held tasks, dead children. */
struct task *task_find(struct tracer *t, pid_t tid);
struct task *task_add(struct tracer *t, pid_t tid);
void task_forget(struct tracer *t, struct task *task);
void tasks_destroy(struct tracer *t);
int task_rekey(struct tracer *t, struct task *task, pid_t new_tid);
pid_t task_tgid(struct task *task);
void tasks_mark_own_filter(struct tracer *t, pid_t tgid);
void task_enter_call(struct tracer *t, struct task *task, enum pw_call call);
void task_leave_call(struct tracer *t, struct task *task);
void task_release(struct tracer *t, struct task *task);
pid_t task_spawn_parent(struct tracer *t, struct task *task, const struct pw_spawn *sp);
void zombie_remember(struct tracer *t, pid_t pid, pid_t parent, const struct pw_status *st);
bool zombie_take(struct tracer *t, pid_t pid, struct pw_status *st);

/* emit.c */
uint64_t tracer_now(const struct tracer *t);
uint64_t tracer_time_at(const struct tracer *t, const struct timespec *at);
void tracer_event_init(struct tracer *t, struct pw_event *ev,
		       enum pw_event_kind kind, struct task *task);
void tracer_emit(struct tracer *t, struct pw_event *ev);
/* trace_header.c: the trace's first line. */
void tracer_emit_header(struct tracer *t, char *const argv[], const pid_t *pids,
			size_t npids);

/* syscall_stop.c: a syscall's entry (seccomp or PTRACE_SYSCALL) and exit. */
struct resume on_syscall_entry(struct tracer *t, struct task *task,
			       const struct stop_info *st);
struct resume on_syscall_exit(struct tracer *t, struct task *task,
			      const struct stop_info *st);

/* ptrace_event.c: fork and exec events, first stops, deaths. */
struct resume on_spawn_event(struct tracer *t, struct task *task,
			     const struct stop_info *st);
struct resume on_exec_event(struct tracer *t, struct task **task,
			    const struct stop_info *st);
struct resume on_task_start(struct tracer *t, struct task *task);
struct resume on_death(struct tracer *t, struct task *task, pid_t pid,
		       const struct stop_info *st);
void release_parked(struct tracer *t);
/* -k: the stack of a call whose entry was not seen, with a note saying so. */
void stack_not_taken(struct tracer *t, struct pw_stack *out);

/* pidns.c: ids seen inside other pid namespaces, in ours */
void pidns_init(struct tracer *t);
void pidns_destroy(struct tracer *t);
void pidns_enter(struct tracer *t, struct task *creator, struct task *c,
		 const struct pw_spawn *sp);
void pidns_attach(struct tracer *t, struct task *leader);
void pidns_join(struct task *thread, const struct task *leader);
void pidns_note_call(struct task *task, const struct pw_syscall *sc);
pid_t pidns_to_ours(const struct task *task, pid_t id);
pid_t pidns_id_seen_by(const struct task *task, const struct task *c);
void pidns_reaped(const struct task *waiter, pid_t id, pid_t pid);
void pidns_died(struct task *task, const struct pidns *reaper_ns, bool reaper_traced);
void pidns_task_free(struct tracer *t, struct task *task);

/* procfs.c */
ssize_t procfs_read_small(const char *path, char *buf, size_t size);
bool procfs_read_link(int dirfd, const char *name, struct pw_bytes *out);
bool procfs_task_link(pid_t tid, const char *name, struct pw_bytes *out);
long procfs_status_field(pid_t tid, const char *name);
bool procfs_status_text(pid_t tid, char *buf, size_t size);
bool procfs_status_number(const char *text, const char *name, int base,
			  unsigned long long *out);
int procfs_status_ids(pid_t tid, const char *name, pid_t *ids, int max);
bool procfs_task_comm(pid_t tid, struct pw_bytes *out);
const char *procfs_comm_note(pid_t pid, char *buf, size_t size);
void procfs_cmdline(pid_t pid, const struct pw_exec_limits *lim, struct pw_bytes **argv,
		    size_t *argc, bool *truncated);
/* exe and inherited descriptors, after a successful exec; true: fds listed. */
bool exec_image_read(const struct pw_tracer_opts *opts, pid_t pid, struct pw_exec *ex);

/* cwd.c: each task's working directory, read only after it may have changed */
void cwd_launched(struct task *root);
void cwd_read(struct tracer *t, struct task *task, struct pw_bytes *out);
void cwd_spawned(struct tracer *t, struct task *creator, struct task *child,
		 const struct pw_spawn *sp, bool seen);
void cwd_unseen_exec(struct task *task);
void cwd_note_call(struct tracer *t, struct task *task, const struct pw_syscall *sc);
void cwd_call_done(struct tracer *t, struct task *task, long rval);
void cwd_task_free(struct tracer *t, struct task *task);

/* usage.c: a process's resource use, read before its end, for its exit event */
enum { USAGE_END_NONE = 0, USAGE_END_EXIT = -1 };	/* else: the signal */
struct pw_usage usage_at_exit(struct tracer *t, struct task *task, const struct rusage *ru,
			      const char *status);
void usage_at_signal(struct tracer *t, struct task *task, const struct rusage *ru, int sig);
bool usage_wanted_with_stops(const struct tracer *t);
void usage_count_thread(struct tracer *t, struct task *task, bool thread);
void usage_note_reap(struct tracer *t, struct task *task);
void usage_forget(struct tracer *t, struct task *task);
struct pw_usage usage_for_death(const struct task *leader, const struct pw_status *st);

/* seccomp_filter.c */
int seccomp_filter_build(struct sock_fprog *prog, uint16_t data);
uint16_t seccomp_filter_data(void);
int seccomp_filter_load(const struct sock_fprog *prog);

/* launch.c */
int launch_command(struct tracer *t, char *const argv[]);
int launch_failure_status(struct tracer *t, char *const argv[]);
void explain_seize_failure(pid_t pid, int err);

/* attach.c */
int attach_check(const pid_t *pids, size_t npids);
int attach_seize_roots(struct tracer *t, const pid_t *pids, size_t npids);
void attach_processes(struct tracer *t, const pid_t *pids, size_t npids);
void attach_first_stop(struct tracer *t, struct task *task);

/* loop.c */
void tracer_loop(struct tracer *t);

/*
 * signals.c: SIGINT, SIGTERM, SIGHUP, SIGQUIT sent to procwatch itself,
 * and its own job-control stops (SIGTSTP, SIGTTIN, SIGTTOU): how many so
 * far, and when the last one came (CLOCK_MONOTONIC).
 */
void signals_setup(struct tracer *t);
unsigned signals_self_stops(void);
struct timespec signals_last_self_stop(void);
void signals_root_gone(struct tracer *t);
bool signals_stop_requested(void);
void signals_hold(void);
void signals_allow(void);

#endif
