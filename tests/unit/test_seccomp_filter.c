/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of procwatch's seccomp filter (src/tracer/seccomp_filter.c),
 * by what it does rather than by its bytes: a forked probe process loads
 * it and makes each call.  With SECCOMP_RET_TRACE and no tracer, the
 * kernel skips the call and fails it with ENOSYS (seccomp(2)), so every
 * call the filter traces comes back ENOSYS and every other one runs.  The
 * probe passes arguments the kernel would reject (or, for fork and exit,
 * whose effect the test would notice), so that a call the filter let
 * through cannot be mistaken for a trapped one.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* seccomp_filter_build and _load are private to src/tracer: tested here. */
#include "src/tracer/tracer_internal.h"

#define PROBE_NOT_RUN (-1000)

struct probe {
	const char *name;
	long nr;
	long args[4];
	long ret;	/* what the call returned in the probe */
	int err;	/* and errno */
};

/*
 * The calls procwatch records.  exit and exit_group last: if the filter
 * let one through, the probe ends there and the rest report nothing.
 */
static struct probe traced[] = {
	/* CLONE_THREAD without CLONE_SIGHAND: EINVAL if it ran. */
	{ "clone", SYS_clone, { CLONE_THREAD } },
	{ "clone3", SYS_clone3, { 0, 0 } },	/* NULL, size 0: EINVAL */
	{ "fork", SYS_fork, { 0 } },
	{ "vfork", SYS_vfork, { 0 } },
	{ "execve", SYS_execve, { 0, 0, 0 } },	/* NULL path: EFAULT */
	{ "execveat", SYS_execveat, { -1, 0, 0, 0 } },
	{ "wait4", SYS_wait4, { -1, 0, 0, 0 } },	/* no children: ECHILD */
	{ "waitid", SYS_waitid, { -1, 0, 0, 0 } },	/* bad idtype: EINVAL */
	/* They may move children into another pid namespace. */
	{ "unshare", SYS_unshare, { 0 } },	/* no flags: 0 if it ran */
	{ "setns", SYS_setns, { -1, 0 } },	/* bad fd: EBADF */
	{ "exit", SYS_exit, { 0 } },
	{ "exit_group", SYS_exit_group, { 0 } },
};

static struct probe untraced[] = {
	{ "getppid", SYS_getppid, { 0 } },
	{ "kill(0)", SYS_kill, { 0, 0 } },	/* signal 0 to our group: a check */
	{ "uname(NULL)", SYS_uname, { 0 } },	/* EFAULT, not ENOSYS */
};

#define NPROBES(a) PW_ARRAY_SIZE(a)

struct result {
	long ret;
	int err;
};

/*
 * Under the filter exit and exit_group fail, and glibc's _exit then
 * faults: a probe ends itself with SIGKILL, which the filter lets through.
 */
static void __attribute__((noreturn))
end_probe(void)
{
	kill(getpid(), SIGKILL);
	_exit(2);
}

/* In the probe: one result per call, written as soon as it is known. */
static void __attribute__((noreturn))
run_probes(const struct probe *p, size_t n, int fd)
{
	struct result r;
	size_t i;

	for (i = 0; i < n; i++) {
		errno = 0;
		r.ret = syscall(p[i].nr, p[i].args[0], p[i].args[1], p[i].args[2],
				p[i].args[3]);
		r.err = errno;
		if (r.ret == 0 && (p[i].nr == SYS_fork || p[i].nr == SYS_vfork))
			end_probe();	/* the filter let it fork: end the copy */
		if (write(fd, &r, sizeof(r)) != sizeof(r))
			break;
	}
	end_probe();
}

/* Forks a probe that loads the filter and runs the calls of p. */
static void
probe(struct probe *p, size_t n)
{
	struct sock_fprog prog;
	struct result r;
	int fds[2], status, err;
	size_t i;
	pid_t pid;

	cr_assert_eq(seccomp_filter_build(&prog, 1), 0);
	cr_assert(pipe(fds) == 0);
	pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		err = seccomp_filter_load(&prog);
		if (err)
			_exit(100 + -err % 100);
		run_probes(p, n, fds[1]);
	}
	close(fds[1]);
	for (i = 0; i < n; i++) {
		p[i].ret = PROBE_NOT_RUN;
		if (read(fds[0], &r, sizeof(r)) == sizeof(r)) {
			p[i].ret = r.ret;
			p[i].err = r.err;
		}
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		cr_assert(errno == EINTR, "waitpid: %s", strerror(errno));
	free(prog.filter);
	cr_assert(!(WIFEXITED(status) && WEXITSTATUS(status) >= 100),
		  "the probe could not load the filter: %s",
		  strerror(WEXITSTATUS(status) - 100));
}

Test(seccomp_filter, builds_a_program)
{
	struct sock_fprog prog;

	cr_assert_eq(seccomp_filter_build(&prog, 1), 0);
	cr_assert_gt(prog.len, 0);
	cr_assert_not_null(prog.filter);
	free(prog.filter);
}

Test(seccomp_filter, traced_calls_stop)
{
	size_t i;

	probe(traced, NPROBES(traced));
	for (i = 0; i < NPROBES(traced); i++) {
		const struct probe *p = &traced[i];

		cr_assert(p->ret != PROBE_NOT_RUN, "%s: the probe ended before it "
			  "(a call before it was not trapped)", p->name);
		cr_assert(p->ret == -1 && p->err == ENOSYS, "%s is not traced: it "
			  "returned %ld (%s), not ENOSYS", p->name, p->ret,
			  strerror(p->err));
	}
}

Test(seccomp_filter, other_calls_run)
{
	size_t i;

	probe(untraced, NPROBES(untraced));
	for (i = 0; i < NPROBES(untraced); i++) {
		const struct probe *p = &untraced[i];

		cr_assert(p->ret != PROBE_NOT_RUN, "%s: no result", p->name);
		cr_assert(!(p->ret == -1 && p->err == ENOSYS), "%s was stopped by "
			  "the filter (ENOSYS)", p->name);
	}
	cr_assert_eq(untraced[0].ret, (long)getpid(), "getppid in the probe");
	cr_assert_eq(untraced[1].ret, 0, "kill(0, 0): %s",
		     strerror(untraced[1].err));
	cr_assert(untraced[2].ret == -1 && untraced[2].err == EFAULT,
		  "uname(NULL): %ld (%s)", untraced[2].ret,
		  strerror(untraced[2].err));
}
