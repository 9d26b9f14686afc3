/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tracee that turns on its tracer (procwatch, its parent when procwatch
 * launched it):
 *
 *   pw_hostile_signal kill SIG...  sends each signal number to getppid(),
 *                                  then forks a child that exits 0, reaps
 *                                  it, and exits 7: procwatch must still
 *                                  be there to follow the fork, and must
 *                                  end with 7.
 *   pw_hostile_signal attach       PTRACE_SEIZE on getppid(); prints
 *                                  "attach: refused" (EPERM) or
 *                                  "attach: allowed", and whether
 *                                  /proc/PPID/environ is root's, as the
 *                                  kernel makes it for a process that is
 *                                  not dumpable (proc(5)).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int
send_all(int argc, char **argv)
{
	pid_t tracer = getppid(), child;
	int st;

	for (int i = 2; i < argc; i++)
		if (kill(tracer, atoi(argv[i])) < 0) {
			perror("kill");
			return 1;
		}
	child = fork();
	if (child == 0)
		_exit(0);
	if (child < 0 || waitpid(child, &st, 0) != child || st != 0) {
		fprintf(stderr, "helper: fork or wait failed\n");
		return 1;
	}
	return 7;
}

static int
attach(void)
{
	pid_t tracer = getppid();
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)tracer);
	if (stat(path, &st) == 0)
		printf("proc owner: %s\n", st.st_uid == 0 ? "root" : "user");
	if (ptrace(PTRACE_SEIZE, tracer, NULL, NULL) == 0) {
		/* Our exit lets go of it (ptrace(2): a tracer's exit detaches). */
		printf("attach: allowed\n");
		return 0;
	}
	printf("attach: %s\n", errno == EPERM ? "refused" : strerror(errno));
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc >= 2 && strcmp(argv[1], "kill") == 0)
		return send_all(argc, argv);
	if (argc == 2 && strcmp(argv[1], "attach") == 0)
		return attach();
	fprintf(stderr, "usage: pw_hostile_signal kill SIG... | attach\n");
	return 2;
}
