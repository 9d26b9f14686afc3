/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: N children (argv[1], default 2000) alive at once.  Each child
 * blocks reading a shared pipe; the parent closes its write end only after
 * the last fork, so every child is still alive when the last one is
 * created, then all see EOF and exit with i % 100, or with 0 when argv[2]
 * is "same" (siblings alike, which the tree folds into one line).  The
 * parent reaps them all with wait() and counts.
 * Facts: root, child (N times, in fork order), reaped.
 */
#include <stdbool.h>
#include <sys/wait.h>

#include "pw_helper.h"

static void __attribute__((noreturn))
child(int rfd, int wfd, long i, bool same)
{
	char c;

	close(wfd);
	while (read(rfd, &c, 1) < 0 && errno == EINTR)
		;
	_exit(same ? 0 : (int)(i % 100));
}

int
main(int argc, char **argv)
{
	long n = arg_long(argc, argv, 1, 2000), i, reaped = 0;
	bool same = argc > 2 && strcmp(argv[2], "same") == 0;
	int p[2];
	pid_t pid;

	fact("root=%d", (int)getpid());
	if (pipe(p) != 0)
		die("pipe");
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0)
			child(p[0], p[1], i, same);
		fact("child=%d", (int)pid);
	}
	close(p[1]);
	while (wait(NULL) > 0)
		reaped++;
	if (errno != ECHILD)
		die("wait");
	fact("reaped=%ld", reaped);
	say("many_children: %ld forked, %ld reaped\n", n, reaped);
	return reaped == n ? 0 : 1;
}
