/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper: a wait4 interrupted by a signal handler.  The kernel ends
 * the interrupted wait4 with -ERESTARTSYS, which only a tracer sees; at
 * signal delivery it becomes a restart (SA_RESTART: the same wait4 runs
 * again, the program never notices) or -EINTR (no SA_RESTART).  The trace
 * must show what the program saw, never the internal restart code.
 *
 *   pw_restart restart   SIGALRM handler with SA_RESTART: one wait4 reaps
 *   pw_restart eintr     without SA_RESTART: wait4 fails with EINTR, the
 *                        parent waits again and reaps
 *
 * The child sends SIGALRM to its parent only once it sees the parent asleep
 * inside wait4 (/proc/<ppid>/syscall names syscall 61 and /proc/<ppid>/stat
 * says 'S'), polling with sched_yield() a bounded number of times; then it
 * waits for EOF on a pipe whose only write end the handler closes, so the
 * child cannot exit before the signal was handled.  Facts on fd 3.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pw_helper.h"

#define POLL_LIMIT 2000000

static volatile sig_atomic_t handler_ran;
static int release_fd = -1;

static void
on_alarm(int sig)
{
	(void)sig;
	handler_ran = 1;
	close(release_fd);	/* async-signal-safe: lets the child exit */
}

/* Reads a small /proc file into buf; -1 with errno on failure. */
static ssize_t
read_proc(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/*
 * True when pid sleeps inside wait4.  /proc/<pid>/syscall needs ptrace
 * access to the parent (PTRACE_MODE_ATTACH_FSCREDS); without it, state 'S'
 * alone has to do: between fork() and wait4() the parent does not sleep.
 */
static int
in_wait4(pid_t pid, int *used_syscall)
{
	char buf[512], *p;
	long nr;

	if (read_proc(pid, "stat", buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] != 'S')
		return 0;
	if (read_proc(pid, "syscall", buf, sizeof(buf)) <= 0) {
		*used_syscall = 0;
		return 1;
	}
	*used_syscall = 1;
	nr = strtol(buf, &p, 10);
	return p != buf && nr == SYS_wait4;
}

static void
child(int release)
{
	pid_t parent = getppid();
	int seen = 0, used_syscall = 1;
	long i;
	char c;

	for (i = 0; i < POLL_LIMIT && !seen; i++) {
		seen = in_wait4(parent, &used_syscall);
		if (!seen)
			sched_yield();
	}
	fact_long("seen_waiting", seen);
	fact_long("detect_by_syscall", used_syscall);
	fact_long("polls", i);
	/* Sent even when not seen: a failure shows in the facts, not as a hang. */
	kill(parent, SIGALRM);
	/* Nobody writes: read() returns 0 once the handler closed the end. */
	while (read(release, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static int
install(int restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGALRM, &sa, NULL);
}

int
main(int argc, char **argv)
{
	int restart, status, release[2];
	pid_t pid, r;

	if (argc != 2 || (strcmp(argv[1], "restart") && strcmp(argv[1], "eintr"))) {
		fprintf(stderr, "usage: pw_restart restart|eintr\n");
		return 2;
	}
	restart = strcmp(argv[1], "restart") == 0;
	if (install(restart) < 0 || pipe(release) < 0 || (pid = fork()) < 0)
		return 2;
	if (pid == 0) {
		close(release[1]);
		child(release[0]);
	}
	close(release[0]);
	release_fd = release[1];
	fact_long("pid", (long)getpid());
	fact_long("child", (long)pid);
	r = wait4(pid, &status, 0, NULL);
	fact_long("first_result", r);
	fact_long("first_errno", r < 0 ? errno : 0);
	if (r < 0 && errno == EINTR)
		r = wait4(pid, &status, 0, NULL);
	fact_long("final_result", r);
	fact_long("handler_ran", handler_ran);
	if (r != pid || !WIFEXITED(status))
		return 1;
	fact_long("exit_code", WEXITSTATUS(status));
	printf("%s: handler %s, child exited %d\n", argv[1],
	       handler_ran ? "ran" : "did not run", WEXITSTATUS(status));
	return 0;
}
