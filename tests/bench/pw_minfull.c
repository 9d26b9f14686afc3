/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pw_minfull CMD [ARG...]: the cheapest tracer that could decode what
 * procwatch records, for scripts/bench alone.  It makes exactly the stops
 * a full decoding tracer needs and nothing else: a seccomp filter returns
 * SECCOMP_RET_TRACE at clone, clone3, fork, vfork, execve, execveat, wait4
 * and waitid (their arguments are readable only at the entry), each is
 * followed to its syscall-exit stop (the result, the only place a failure
 * shows), and the fork, vfork, clone and exec events follow the children.
 * No decoding, no /proc, no output.  pw_floor is the floor for following
 * a process tree; this is the floor for recording it, and procwatch's cost
 * is measured against both.  Exits with CMD's status (128 + the signal).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_launch.h"

#define OPTIONS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | \
		 PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESECCOMP | \
		 PTRACE_O_EXITKILL)

/* PID_MAX_LIMIT on 64-bit (include/linux/threads.h): one bit per tid. */
#define TID_LIMIT (1u << 22)

/* Tasks inside a traced call, whose syscall-exit stop is still to come. */
static uint64_t in_call[TID_LIMIT / 64];

static void
set_in_call(pid_t tid, int on)
{
	uint64_t bit = 1ull << (tid % 64);

	if ((unsigned)tid >= TID_LIMIT)
		return;
	if (on)
		in_call[tid / 64] |= bit;
	else
		in_call[tid / 64] &= ~bit;
}

static int
is_in_call(pid_t tid)
{
	return (unsigned)tid < TID_LIMIT && (in_call[tid / 64] >> (tid % 64)) & 1;
}

#define TRACE_IF(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE)

/* x86-64 calls only; 32-bit and x32 ones (numbers above 2^30) run untouched. */
static const struct sock_filter filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	TRACE_IF(SYS_clone),
	TRACE_IF(SYS_clone3),
	TRACE_IF(SYS_fork),
	TRACE_IF(SYS_vfork),
	TRACE_IF(SYS_execve),
	TRACE_IF(SYS_execveat),
	TRACE_IF(SYS_wait4),
	TRACE_IF(SYS_waitid),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

/* In the seized child, before its exec: the filter. */
static void
load_filter(void)
{
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = (struct sock_filter *)filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
		perror("seccomp");
		_exit(125);
	}
}

static int
is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/*
 * One stop, one resume.  A seccomp stop is a traced call's entry: go on
 * with PTRACE_SYSCALL to its exit stop, and keep PTRACE_SYSCALL through the
 * fork and exec events that come before it.  A new task's first stop
 * starts outside any call.  ESRCH: killed under us, its death follows.
 */
static void
resume(pid_t pid, int status)
{
	int sig = WSTOPSIG(status), event = status >> 16, deliver = 0;
	long r, op;

	if (event == PTRACE_EVENT_SECCOMP)
		set_in_call(pid, 1);
	else if (sig == (SIGTRAP | 0x80))
		set_in_call(pid, 0);
	else if (event == PTRACE_EVENT_STOP && !is_stop_signal(sig))
		set_in_call(pid, 0);
	else if (event == 0)
		deliver = sig;
	op = is_in_call(pid) ? PTRACE_SYSCALL : PTRACE_CONT;
	if (event == PTRACE_EVENT_STOP && is_stop_signal(sig))
		r = ptrace(PTRACE_LISTEN, pid, 0L, 0L);
	else
		r = ptrace((enum __ptrace_request)op, pid, 0L, (long)deliver);
	if (r != 0 && errno != ESRCH)
		die("ptrace resume");
}

static void
forget(pid_t pid)
{
	set_in_call(pid, 0);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: pw_minfull CMD [ARG...]\n");
		return 125;
	}
	return follow_all(launch_seized_then(argv + 1, (long)OPTIONS, load_filter), resume,
			  forget);
}
