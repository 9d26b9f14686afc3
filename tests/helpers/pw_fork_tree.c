/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: the plainest tree.  The root forks a child that execs /bin/true
 * and reaps it with waitpid(), then forks a child that _exit(7)s and reaps
 * it with wait(NULL): the status pointer is NULL, so a tracer cannot read
 * the status from the tracee and must know it from the child's own exit.
 * Facts: root, child1, child1_code, child2, child2_waited (wait's return).
 */
#include <sys/wait.h>

#include "pw_helper.h"

int
main(void)
{
	pid_t c1, c2, got;
	int st;

	fact("root=%d", (int)getpid());
	c1 = fork();
	if (c1 < 0)
		die("fork");
	if (c1 == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (waitpid(c1, &st, 0) != c1)
		die("waitpid");
	fact("child1=%d", (int)c1);
	fact("child1_code=%d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

	c2 = fork();
	if (c2 < 0)
		die("fork");
	if (c2 == 0)
		_exit(7);
	got = wait(NULL);
	fact("child2=%d", (int)c2);
	fact("child2_waited=%d", (int)got);
	say("fork_tree: two children reaped\n");
	return 0;
}
