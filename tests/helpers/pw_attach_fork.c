/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper for attach mode (-p): a fork+exec loop, as a shell runs
 * commands, to be attached to while it forks.  Child i execs this program
 * again ("child CODE"), which blocks reading its stdin, a pipe whose write
 * end only the parent keeps, and exits CODE (i % 100) at end of file.  The
 * parent closes child i's pipe only once child i+1 has been forked, so a
 * child is alive at every moment: whenever procwatch attaches, one is
 * there to be found.  The parent reaps every child and checks its code.
 *
 *   chain K   fork until K children were forked after the parent saw
 *             itself traced (TracerPid in /proc/self/status), then stop;
 *             exit 3 if it sees no tracer within 60 seconds
 *   loop      fork until SIGUSR1
 *   churn     fork children that exit at once, reaping those that ended
 *             after each fork, until SIGUSR1: children keep ending
 *             whenever procwatch attaches (no exec, no facts)
 *
 * stdout: "ready PID" first; at the end "forked N children, all reaped
 * with their codes" and exit 0, or which child went wrong and exit 1.
 * Facts: root; child (every child, in fork order); traced_at (chain: the
 * index of the first child forked after the parent saw itself traced);
 * children (how many).
 */
#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "pw_helper.h"

static volatile sig_atomic_t stop;

static void
on_usr1(int sig)
{
	(void)sig;
	stop = 1;
}

static int __attribute__((noreturn))
child_main(const char *code)
{
	ssize_t n;
	char c;

	do
		n = read(0, &c, 1);
	while (n > 0 || (n < 0 && errno == EINTR));
	_exit(atoi(code));
}

/* Child i, reading the pipe whose write end is *wfd. */
static pid_t
spawn(long i, int *wfd)
{
	char code[16];
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe2");
	snprintf(code, sizeof(code), "%ld", i % 100);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (dup2(p[0], 0) < 0)
			_exit(98);
		execl("/proc/self/exe", "pw_attach_fork", "child", code, (char *)NULL);
		_exit(97);
	}
	close(p[0]);
	*wfd = p[1];
	fact("child=%d", (int)pid);
	return pid;
}

/* Lets child i go and checks how it ended; false if not with i % 100. */
static bool
finish(pid_t pid, long i, int wfd)
{
	int got;

	close(wfd);
	got = reap(pid, 0);
	if (got == i % 100)
		return true;
	say("child %ld (%d) ended with %d, not %ld\n", i, (int)pid, got, i % 100);
	return false;
}

static bool
seconds_since(const struct timespec *t0, long secs)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - t0->tv_sec >= secs;
}

static int
churn(void)
{
	long n;
	pid_t pid;

	for (n = 0; !stop; n++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(0);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	while (wait(NULL) > 0)
		;
	say("forked %ld children, all reaped with their codes\n", n);
	return 0;
}

int
main(int argc, char **argv)
{
	bool chain = argc > 1 && strcmp(argv[1], "chain") == 0, ok = true;
	long after = chain ? arg_long(argc, argv, 2, 50) : 0, i, traced_at = -1;
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	struct timespec t0;
	pid_t prev = 0, pid;
	int prev_w = -1, w;

	if (argc > 2 && strcmp(argv[1], "child") == 0)
		child_main(argv[2]);
	if (!chain && (argc < 2 || (strcmp(argv[1], "loop") != 0 &&
				    strcmp(argv[1], "churn") != 0))) {
		errno = EINVAL;
		die("usage: pw_attach_fork chain K | loop | churn");
	}
	sigaction(SIGUSR1, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fact("root=%d", (int)getpid());
	say("ready %d\n", (int)getpid());
	if (strcmp(argv[1], "churn") == 0)
		return churn();
	for (i = 0; !stop; i++) {
		if (chain && traced_at < 0) {
			if (tracer_pid() != 0) {
				traced_at = i;
				fact("traced_at=%ld", i);
			} else if (seconds_since(&t0, 60)) {
				say("never traced\n");
				return 3;
			}
		}
		if (chain && traced_at >= 0 && i - traced_at >= after)
			break;
		pid = spawn(i, &w);
		if (prev_w >= 0)
			ok &= finish(prev, i - 1, prev_w);
		prev = pid;
		prev_w = w;
	}
	if (prev_w >= 0)
		ok &= finish(prev, i - 1, prev_w);
	fact("children=%ld", i);
	if (!ok)
		return 1;
	say("forked %ld children, all reaped with their codes\n", i);
	return 0;
}
