/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper for attach mode (-p): a process tree built before
 * procwatch attaches, ended on request.
 *
 *   deep N   a chain: the root forks level 1, which forks level 2, and so
 *            on down to level N; level d exits d % 100
 *   wide N   the root forks N children; child i (from 0) exits i % 100
 *
 * Every process but the root blocks reading a pipe whose write end only
 * the root keeps.  Once the tree is built (the last level, or each child,
 * writes a byte on a second pipe and the root reads them all) the root
 * says "ready PID" and waits for SIGUSR1, then closes the pipe: every
 * process reaps its child, if it has one, and exits with its code (101 if
 * its child's code was wrong), and the root says how it went and exits 0,
 * or 1 when a child's code was wrong.
 * Facts: root; proc (deep: each level from 1 down, written by itself;
 * wide: each child in fork order).
 */
#include <signal.h>
#include <stdbool.h>

#include "pw_helper.h"

static int hold[2], built[2];

static void
wait_hold(void)
{
	ssize_t n;
	char c;

	close(hold[1]);
	do
		n = read(hold[0], &c, 1);
	while (n > 0 || (n < 0 && errno == EINTR));
}

static void
say_built(void)
{
	if (write(built[1], "x", 1) != 1)
		die("write");
}

/* Level d of the chain, d >= 1: fork d + 1 unless last, wait, exit d % 100. */
static void __attribute__((noreturn))
deep_level(long d, long n)
{
	pid_t child = 0;
	int code = (int)(d % 100);

	fact("proc=%d", (int)getpid());
	if (d < n) {
		child = fork();
		if (child < 0)
			die("fork");
		if (child == 0)
			deep_level(d + 1, n);
	} else {
		say_built();
	}
	wait_hold();
	if (child && reap(child, 0) != (d + 1) % 100)
		code = 101;
	_exit(code);
}

static pid_t
deep(long n)
{
	pid_t child = fork();

	if (child < 0)
		die("fork");
	if (child == 0)
		deep_level(1, n);
	return child;
}

static pid_t *
wide(long n)
{
	pid_t *pids = calloc((size_t)n, sizeof(*pids));
	long i;

	if (!pids)
		die("calloc");
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0) {
			say_built();
			wait_hold();
			_exit((int)(i % 100));
		}
		fact("proc=%d", (int)pids[i]);
	}
	return pids;
}

static void
read_built(long count)
{
	char buf[256];
	ssize_t got;

	while (count > 0) {
		got = read(built[0], buf, (size_t)count < sizeof(buf) ? (size_t)count
								    : sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			die("read");
		count -= got;
	}
}

int
main(int argc, char **argv)
{
	bool is_deep = argc > 1 && strcmp(argv[1], "deep") == 0, ok = true;
	long n = arg_long(argc, argv, 2, 10), i;
	pid_t first = 0, *children = NULL;
	sigset_t usr1;
	int sig;

	if (!is_deep && (argc < 2 || strcmp(argv[1], "wide") != 0)) {
		errno = EINVAL;
		die("usage: pw_attach_tree deep|wide N");
	}
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	if (pipe2(hold, O_CLOEXEC) < 0 || pipe2(built, O_CLOEXEC) < 0)
		die("pipe2");
	fact("root=%d", (int)getpid());
	if (is_deep)
		first = deep(n);
	else
		children = wide(n);
	read_built(is_deep ? 1 : n);
	say("ready %d\n", (int)getpid());
	if (sigwait(&usr1, &sig) != 0)
		die("sigwait");
	close(hold[1]);
	if (is_deep)
		ok = reap(first, 0) == 1;
	for (i = 0; !is_deep && i < n; i++)
		ok &= reap(children[i], 0) == i % 100;
	free(children);
	say("%s %ld: %s\n", argv[1], n, ok ? "every process exited with its code"
					  : "a process exited with a wrong code");
	return ok ? 0 : 1;
}
