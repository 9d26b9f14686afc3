/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Busy tracees: threads that stop without pause (each failing waitid is a
 * seccomp stop and an exit stop) while a child forks and reaps 200
 * grandchildren, so the tracer always has several stops waiting at once.
 * Nothing may be lost or misattributed, and the child must get through
 * (a tracer serving only the spinners would hit the suite's timeout).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pw_helper.h"

#define GRANDCHILDREN 200
#define SPINNERS 4

static atomic_int child_done;

static void *
spin(void *arg)
{
	static atomic_long spins;
	siginfo_t si;

	/* No such child: ECHILD at once, after two stops under procwatch. */
	while (!atomic_load(&child_done)) {
		waitid(P_PID, 0x3ffffff0, &si, WEXITED | WNOHANG);
		atomic_fetch_add(&spins, 1);
	}
	if (arg)
		fact("spins=%ld", atomic_load(&spins));
	return NULL;
}

static void
fork_grandchildren(int go_fd)
{
	char go;
	int i;

	if (read(go_fd, &go, 1) != 1)
		_exit(1);
	for (i = 0; i < GRANDCHILDREN; i++) {
		pid_t g = fork();

		if (g == 0)
			_exit(0);
		if (g < 0 || waitpid(g, NULL, 0) != g)
			_exit(1);
	}
	_exit(0);
}

/*
 * The kernel puts each new tracee at the head of the tracer's list
 * (kernel/ptrace.c, __ptrace_link: list_add), and waitpid(-1) takes the
 * first ready one: the child is made first and the spinning threads after
 * it, so they stand in front of it.  (On a 2-core machine this did not
 * starve the child even in a tracer that never drains: a spinner needs CPU
 * time to reach its next stop, and then waitpid finds the child.)
 */
int
main(void)
{
	pthread_t threads[SPINNERS];
	int status, i, go[2];
	pid_t child;

	fact("root=%d", (int)getpid());
	if (pipe(go) < 0)
		return 2;
	child = fork();
	if (child == 0)
		fork_grandchildren(go[0]);
	for (i = 0; i < SPINNERS; i++)
		if (pthread_create(&threads[i], NULL, spin, i ? NULL : (void *)1) != 0)
			return 2;
	if (child < 0 || write(go[1], "g", 1) != 1 ||
	    waitpid(child, &status, 0) != child)
		return 3;
	atomic_store(&child_done, 1);
	for (i = 0; i < SPINNERS; i++)
		pthread_join(threads[i], NULL);
	fact("child=%d", (int)child);
	puts("done");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 4;
}
