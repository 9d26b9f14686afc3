/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A child hidden from the tracer: clone(CLONE_UNTRACED | SIGCHLD), which
 * the kernel does not auto-attach whatever the tracer asked (ptrace(2)).
 * The child prints "untraced PID" and kills itself with SIGTERM (kill is
 * not a call the seccomp filter stops at: under it, with no tracer to
 * answer, its exit_group would fail with ENOSYS).  The parent reaps it
 * with waitpid and exits 3.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(void)
{
	long pid;
	int st;

	setvbuf(stdout, NULL, _IONBF, 0);
	/* x86-64 raw clone: flags, stack, parent_tid, child_tid, tls. */
	pid = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		printf("untraced %d\n", (int)getpid());
		kill(getpid(), SIGTERM);
		for (;;)
			pause();
	}
	if (pid < 0 || waitpid((pid_t)pid, &st, 0) != pid ||
	    !WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM) {
		fprintf(stderr, "helper: clone or waitpid failed\n");
		return 1;
	}
	return 3;
}
