/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bench check: wl_big_child MIB: fork one child that touches MIB MiB
 * (default 128) and reap it.  Under procwatch, pw_peak_rss's wait4 figure
 * (and /usr/bin/time's %M) then shows this child's peak, while its VmHWM
 * figure still shows procwatch's own: the proof of what each one measures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)atol(argv[1]) : 128;
	char *p;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		p = malloc(mib << 20);
		if (!p)
			_exit(1);
		memset(p, 1, mib << 20);
		_exit(p[mib] == 1 ? 0 : 1);
	}
	if (waitpid(pid, NULL, 0) != pid) {
		perror("waitpid");
		return 1;
	}
	return 0;
}
