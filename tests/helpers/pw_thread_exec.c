/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: a non-leader thread execs /bin/echo while the leader blocks in
 * read() on a pipe nobody writes.  The kernel (de_thread) kills the leader,
 * gives the exec'ing thread the leader's pid as its tid, and reports
 * PTRACE_EVENT_EXEC under the leader's pid with the old tid as the event
 * message.  The pipe is close-on-exec, so echo does not inherit it.
 * Facts: root (= leader), old_tid.
 */
#include <pthread.h>

#include "pw_helper.h"

static void *
worker(void *arg)
{
	(void)arg;
	fact("old_tid=%d", (int)gettid());
	execl("/bin/echo", "echo", "thread exec", (char *)NULL);
	die("execl");
}

int
main(void)
{
	pthread_t th;
	int p[2], err;
	char c;

	fact("root=%d", (int)getpid());
	if (pipe2(p, O_CLOEXEC) != 0)
		die("pipe");
	err = pthread_create(&th, NULL, worker, NULL);
	if (err) {
		errno = err;
		die("pthread_create");
	}
	/* Blocks until the exec ends this thread: p[1] is never written. */
	while (read(p[0], &c, 1) < 0 && errno == EINTR)
		;
	die("read returned");
}
