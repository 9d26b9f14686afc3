/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: a fork from a multi-threaded process, the case procwatch warns
 * about.  A second thread blocks reading a pipe, so that it is certainly
 * alive when the main thread forks; the child only _exit(0)s (all a child
 * of a threaded process may safely do before exec), the parent reaps it,
 * then releases the thread through the pipe and joins it.  Every traced
 * event happens in one order, so the timeline can be compared exactly.
 * Facts: root, child.
 */
#include <pthread.h>
#include <sys/wait.h>

#include "pw_helper.h"

static int pipefd[2];

static void *
blocker(void *arg)
{
	char c;

	(void)arg;
	while (read(pipefd[0], &c, 1) < 0)
		;
	return NULL;
}

int
main(void)
{
	pthread_t th;
	pid_t c;
	int st;

	fact("root=%d", (int)getpid());
	if (pipe(pipefd) < 0)
		die("pipe");
	if (pthread_create(&th, NULL, blocker, NULL) != 0)
		die("pthread_create");
	c = fork();
	if (c < 0)
		die("fork");
	if (c == 0)
		_exit(0);
	if (waitpid(c, &st, 0) != c)
		die("waitpid");
	fact("child=%d", (int)c);
	if (write(pipefd[1], "x", 1) != 1)
		die("write");
	if (pthread_join(th, NULL) != 0)
		die("pthread_join");
	say("thread_fork: forked with a second thread running\n");
	return 0;
}
