/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A process's resource use at its end (struct pw_usage): CPU time and peak
 * resident memory, read while the process can still be read, and kept on
 * its leader's task until its exit event is written.
 *
 * When.  At a ptrace stop of a process that is about to end: the entry of
 * the exit_group, or of the exit of its last thread, that ends it; and
 * the delivery stop of a signal that will kill it.  The process is alive
 * there and cannot be reaped, so its pid still names it.  Not at its death
 * report: by then its memory is gone (kernel/exit.c, do_exit: exit_mm),
 * and once procwatch's waitpid has taken the report, a zombie whose parent
 * is another process goes to that parent, which may reap it at any moment
 * (kernel/exit.c, wait_task_zombie: EXIT_TRACE, then do_notify_parent):
 * whatever /proc then shows under its pid may be another process's.  So a
 * process killed by SIGKILL, whose kill no delivery stop announces
 * (kernel/signal.c: complete_signal kills at once, get_signal never asks
 * the tracer about it), has no usage, nor has one killed without a signal
 * delivery (a seccomp filter's SECCOMP_RET_KILL_PROCESS).
 *
 * From the stop's own report, at no system call of ours.  The wait4 that
 * reported the stop can carry the process's getrusage(RUSAGE_BOTH) taken
 * at that moment (kernel/exit.c, wait_task_stopped; loop.c asks for it):
 * its user and system times are split from the exact run time of every
 * thread as below, and its ru_maxrss is the larger of the memory's
 * high-water mark and signal->maxrss (kernel/sys.c, getrusage).  What it
 * counts beyond the process's own use since its last exec: the times and
 * peak of every child it reaped (cutime, cmaxrss: kernel/exit.c,
 * wait_task_zombie), and the peak of each program it ran before an exec
 * (fs/exec.c, exec_mmap keeps the old memory's mark in signal->maxrss).  So
 * the report's times are taken for a process that has reaped no child in a
 * wait procwatch saw, and its peak for one that has not exec'd either:
 * most processes of a fork-only program, none of a shell's commands (whose
 * peak is read as below).  It is asked for only while it pays
 * (usage_wanted_with_stops).  Its ru_maxrss sums the per-CPU memory
 * counters without the changes not yet folded in (get_mm_hiwater_rss), so
 * a peak that is the resident set at the end may read a few hundred KiB
 * below VmHWM, which sums them exactly; the high-water mark itself is kept
 * from the same counters.  A reap procwatch does not see (io_uring's
 * IORING_OP_WAITID) would add the child's times; SIGCHLD ignored reaps
 * without adding them.
 *
 * CPU time, when the report does not say it: the process CPU-time
 * clocks, which any process may read for any other (kernel/time/
 * posix-cpu-timers.c, pid_for_clock checks no permission;
 * clock_getcpuclockid(3)): three clock_gettime calls, where a
 * read of /proc/PID/stat costs several times as much.  CPUCLOCK_SCHED is
 * the exact run time of every thread, the dead ones included
 * (kernel/sched/cputime.c, thread_group_cputime); CPUCLOCK_VIRT and
 * CPUCLOCK_PROF are the user and user + system times as the ticks sampled
 * them, whose ratio splits the exact total, as getrusage(2) and
 * /proc/PID/stat do (cputime_adjust).  A process's children are not
 * counted: a reaped child's times go to its parent's cutime, which no
 * clock includes.
 *
 * Memory, when the report does not say it: VmHWM of /proc/TID/status,
 * TID being the thread that stopped: the high-water mark of the resident
 * set of its memory (fs/proc/task_mmu.c, task_mem), which after a fork
 * starts from what the child's copy maps of the parent's pages (kernel/
 * fork.c, dup_mmap), and at an exec afresh with the new program (fs/
 * exec.c, exec_mmap keeps the old mark only in signal->maxrss, which no
 * file shows).  So it is the peak of the
 * program the process ran last, from its exec (or its fork) to its end.
 * The same read gives SigIgn and SigCgt, which say whether a signal will
 * kill.  A tracee cannot make that read block or lie: the kernel writes
 * the file, under a path procwatch builds from the tid; only its first
 * 4 KiB are read, so a process with thousands of supplementary groups
 * (Groups comes first) has no peak, nor any usage at a fatal signal.
 * The read costs about 20 µs at each process's end, the clocks 1 µs
 * (README, Performance).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tracer_internal.h"

/* include/linux/posix-timers_types.h: a process's CPU-time clock, by pid. */
#define CPUCLOCK_PROF 0
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_SCHED 2
#define PROCESS_CPUCLOCK(pid, which) ((clockid_t)(~(unsigned)(pid) << 3) | (which))

static bool
cpu_clock(pid_t pid, int which, uint64_t *ns)
{
	struct timespec ts;

	if (clock_gettime(PROCESS_CPUCLOCK(pid, which), &ts) < 0)
		return false;
	*ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return true;
}

/*
 * The exact total split in the ratio of the sampled times: with no sample
 * of either, all of it is user time (kernel/sched/cputime.c, cputime_adjust).
 */
static void
read_cpu(pid_t pid, struct pw_usage *u)
{
	uint64_t virt, prof, sched, sys;

	if (!cpu_clock(pid, CPUCLOCK_VIRT, &virt) || !cpu_clock(pid, CPUCLOCK_PROF, &prof) ||
	    !cpu_clock(pid, CPUCLOCK_SCHED, &sched))
		return;
	/* Three reads, not one: other threads may have run between them. */
	sys = prof > virt ? prof - virt : 0;
	if (sys && virt)
		sys = (uint64_t)((unsigned __int128)sched * sys / (sys + virt));
	else if (sys)
		sys = sched;
	u->system_us = sys / 1000;
	u->user_us = (sched - sys) / 1000;
	u->known |= PW_USAGE_USER | PW_USAGE_SYSTEM;
}

static void
read_peak_rss(const char *status, struct pw_usage *u)
{
	unsigned long long kib;

	if (procfs_status_number(status, "VmHWM", 10, &kib) && kib <= UINT32_MAX) {
		u->peak_rss_kib = (uint32_t)kib;
		u->known |= PW_USAGE_PEAK_RSS;
	}
}

/*
 * Whether the next reports should carry the rusage.  It is not free: the
 * kernel walks the stopped process's threads at every stop, about 2 µs a
 * stop in all on the fork+exec loop (pinned to one CPU to time it), more
 * than the CPU-clock reads it saves at each end, but far less than the
 * status file (about 20 µs) it saves at the end of a process whose peak
 * it gives too: one that neither exec'd nor reaped.  So it is asked for
 * while most of the last processes to end were such (a fork-only
 * program's children: 2000 of them cost 1.06 × the decoding floor with
 * it, 1.16 × without), not while they ran programs (a shell's commands,
 * a build), and never while procwatch follows more than 64 threads
 * besides the leaders, which would make each stop's walk long.  Either
 * way the figures are the same; only their cost differs.
 */
#define USAGE_WITH_STOPS_MAX_THREADS 64
#define USAGE_SCORE_MAX 8

bool
usage_wanted_with_stops(const struct tracer *t)
{
	return t->usage_score > 0 && t->threads_live <= USAGE_WITH_STOPS_MAX_THREADS;
}

/* A process's end: would the report have given all of its usage? */
static void
score_end(struct tracer *t, const struct task *leader)
{
	if (leader && !leader->reaped_child && !leader->exec_seen) {
		if (t->usage_score < USAGE_SCORE_MAX)
			t->usage_score++;
	} else if (t->usage_score > -USAGE_SCORE_MAX) {
		t->usage_score--;
	}
}

/* thread: the task is a non-leader thread now (a spawn), or no longer is. */
void
usage_count_thread(struct tracer *t, struct task *task, bool thread)
{
	if (thread == task->counted_thread)
		return;
	task->counted_thread = thread;
	if (thread)
		t->threads_live++;
	else
		t->threads_live--;
}

/* One of its threads' waits returned a child: cutime may hold its times now. */
void
usage_note_reap(struct tracer *t, struct task *task)
{
	struct task *leader = task_find(t, task_tgid(task));

	if (leader)
		leader->reaped_child = true;
}

static uint64_t
timeval_us(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000u + (uint64_t)tv->tv_usec;
}

/* What the stop's report says of the process's own use (see the top). */
static void
from_rusage(const struct task *leader, const struct rusage *ru, struct pw_usage *u)
{
	if (!ru || !leader || leader->reaped_child)
		return;
	u->user_us = timeval_us(&ru->ru_utime);
	u->system_us = timeval_us(&ru->ru_stime);
	u->known |= PW_USAGE_USER | PW_USAGE_SYSTEM;
	if (!leader->exec_seen && ru->ru_maxrss > 0 && ru->ru_maxrss <= UINT32_MAX) {
		u->peak_rss_kib = (uint32_t)ru->ru_maxrss;
		u->known |= PW_USAGE_PEAK_RSS;
	}
}

/*
 * A process's end: its times, and its peak where the report has it (see
 * the top), from the stop's report, else its times from the clocks; the
 * caller reads the peak when it is not known.
 */
static struct pw_usage
times_at_end(struct tracer *t, struct task *task, const struct task *leader,
	     const struct rusage *ru)
{
	struct pw_usage u = { 0 };

	score_end(t, leader);
	from_rusage(leader, ru, &u);
	if (!(u.known & PW_USAGE_USER)) {
		t->stats.usage_clocks++;
		read_cpu(task_tgid(task), &u);
	}
	return u;
}

/* Kept on the leader, whose death report writes the exit when the entry did not. */
static void
keep(struct task *leader, const struct pw_usage *u, int end)
{
	if (!leader)
		return;
	leader->usage = *u;
	leader->usage_end = end;
}

/*
 * The entry of an exit or exit_group that ends the process (the caller
 * knows): read now, while every thread's times and the memory are there.
 * ru: the stop's report's, or NULL; status is /proc/TID/status when the
 * caller read it already, else NULL.  Returns what was read, for an exit
 * written at this entry.
 */
struct pw_usage
usage_at_exit(struct tracer *t, struct task *task, const struct rusage *ru, const char *status)
{
	struct task *leader = task_find(t, task_tgid(task));
	char buf[4096];
	struct pw_usage u = times_at_end(t, task, leader, ru);

	if (!(u.known & PW_USAGE_PEAK_RSS)) {
		if (!status && procfs_status_text(task->tid, buf, sizeof(buf))) {
			t->stats.usage_status++;
			status = buf;
		}
		if (status)
			read_peak_rss(status, &u);
	}
	keep(leader, &u, USAGE_END_EXIT);
	return u;
}

/* Stop and ignore are the only default actions that do not end the process (signal(7)). */
static bool
kills_by_default(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return false;
	default:
		return sig > 0 && sig <= 64;
	}
}

/* Caught or ignored, or the status does not say: it may not kill. */
static bool
handled(const char *status, int sig)
{
	unsigned long long caught, ignored;

	if (!procfs_status_number(status, "SigCgt", 16, &caught) ||
	    !procfs_status_number(status, "SigIgn", 16, &ignored))
		return true;
	return (caught | ignored) >> (sig - 1) & 1;
}

/*
 * A signal-delivery stop: delivered as it is (loop.c resumes with it), a
 * signal nobody catches or ignores whose default action ends the process
 * kills it before it runs another instruction of its own (kernel/signal.c,
 * get_signal: do_coredump, do_group_exit).  A pid namespace's init ignores
 * such signals (SIGNAL_UNKILLABLE), which is why the usage is kept for
 * this signal only: a death by another one does not take it.  A status that
 * cannot be read says nothing: no usage then.
 */
void
usage_at_signal(struct tracer *t, struct task *task, const struct rusage *ru, int sig)
{
	struct task *leader;
	char status[4096];
	struct pw_usage u;

	if (!kills_by_default(sig) || !procfs_status_text(task->tid, status, sizeof(status)) ||
	    handled(status, sig))
		return;
	leader = task_find(t, task_tgid(task));
	u = times_at_end(t, task, leader, ru);
	if (!(u.known & PW_USAGE_PEAK_RSS))
		read_peak_rss(status, &u);
	keep(leader, &u, sig);
}

/* An exit or exit_group that failed (a seccomp filter's): no end after all. */
void
usage_forget(struct tracer *t, struct task *task)
{
	struct task *leader = task_find(t, task_tgid(task));

	if (leader && leader->usage_end == USAGE_END_EXIT)
		leader->usage_end = USAGE_END_NONE;
}

/* What was kept for the leader's end as its death report tells it, if anything. */
struct pw_usage
usage_for_death(const struct task *leader, const struct pw_status *st)
{
	struct pw_usage none = { 0 };

	if (st->kind == PW_STATUS_EXITED && leader->usage_end == USAGE_END_EXIT)
		return leader->usage;
	if (st->kind == PW_STATUS_KILLED && leader->usage_end == st->signal)
		return leader->usage;
	return none;
}
