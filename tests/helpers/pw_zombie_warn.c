/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: the two zombie warnings.  "zombie": a child _exit(0)s and the
 * parent reaps it only 1.2 s later, past procwatch's 1 s threshold.
 * "unreaped": the parent exits while its dead child was never reaped.
 * In both, waitid(WNOWAIT) first makes sure the child is dead without
 * reaping it, so the events always come in the same order.
 * Facts: root, child.
 */
#include <sys/wait.h>
#include <string.h>
#include <time.h>

#include "pw_helper.h"

int
main(int argc, char **argv)
{
	struct timespec pause = { 1, 200000000 };
	siginfo_t si;
	pid_t c;

	if (argc != 2 || (strcmp(argv[1], "zombie") && strcmp(argv[1], "unreaped")))
		die("usage: pw_zombie_warn zombie|unreaped");
	fact("root=%d", (int)getpid());
	c = fork();
	if (c < 0)
		die("fork");
	if (c == 0)
		_exit(0);
	fact("child=%d", (int)c);
	if (waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT) < 0)
		die("waitid");
	if (strcmp(argv[1], "unreaped") == 0)
		return 0;
	while (nanosleep(&pause, &pause) < 0)
		;
	if (waitpid(c, NULL, 0) != c)
		die("waitpid");
	return 0;
}
