/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A parent that never waits, because it need not:
 *
 *   pw_nocldwait N
 *
 * ignores SIGCHLD, so that the kernel reaps its children as they die
 * (wait(2), NOTES), forks N children that exit at once, and exits 0
 * without a wait.  No traced process ever reaps them: procwatch must not
 * keep them all.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;

	signal(SIGCHLD, SIG_IGN);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			perror("fork");
			return 1;
		}
	}
	return 0;
}
