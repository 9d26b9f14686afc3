/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: the traced command itself clones a child with CLONE_PARENT, so
 * the child's parent is the command's parent (kernel/fork.c,
 * copy_process): procwatch, which reaps it when it dies; nobody in the
 * trace can.  The child exits 5 once the command has seen it start (the
 * pipe), and the command waits for its end (EOF on the pipe the child
 * held) before it exits 0.
 */
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>

#include "pw_helper.h"

int
main(void)
{
	int p[2];
	char c;
	long child;

	if (pipe(p) != 0)
		die("pipe");
	/* NULL stack: the child runs on a copy of ours, like fork. */
	child = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0UL);
	if (child < 0)
		die("clone(CLONE_PARENT)");
	if (child == 0) {
		close(p[0]);
		if (write(p[1], "x", 1) != 1)
			_exit(98);
		_exit(5);
	}
	close(p[1]);
	fact("child=%ld", child);
	while (read(p[0], &c, 1) > 0)
		;
	return 0;
}
