/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bench workload for attach mode (-p, issue 12): N fork+exec of /bin/true
 * (each reaped before the next, as a shell runs commands) in a process
 * that a tracer attaches to while it runs.
 *
 *   wl_attach N                    the loop alone, started at once
 *   wl_attach N TRACER ARG...      the loop in a child that waits until
 *                                  it is traced; TRACER ARG... runs beside
 *                                  it, every "%p" in them replaced by the
 *                                  child's pid (procwatch -p %p, strace
 *                                  -p %p); both are waited for
 *
 * The child polls its TracerPid (proc(5), /proc/self/status) every 100 µs,
 * so the time measured includes the tracer's start and attach, as a user
 * of -p pays them.  Exit 0 when the loop and the tracer both succeeded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long
tracer_pid(void)
{
	char buf[2048], *p;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "\nTracerPid:");
	return p ? strtol(p + 11, NULL, 10) : 0;
}

/* Waits for a tracer, 10 seconds at most. */
static int
wait_traced(void)
{
	struct timespec tick = { 0, 100 * 1000 };
	long i;

	for (i = 0; tracer_pid() == 0; i++) {
		if (i > 10L * 10000) {
			fprintf(stderr, "wl_attach: no tracer came\n");
			return -1;
		}
		nanosleep(&tick, NULL);
	}
	return 0;
}

static int
fork_exec_loop(long n)
{
	char *const argv[] = { "true", NULL };
	int status;
	pid_t pid;
	long i;

	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0) {
			perror("wl_attach: fork");
			return 1;
		}
		if (pid == 0) {
			execv("/bin/true", argv);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || status != 0) {
			fprintf(stderr, "wl_attach: /bin/true failed (0x%x)\n", status);
			return 1;
		}
	}
	return 0;
}

/* Runs argv with every "%p" replaced by pid; its wait status. */
static int
run_tracer(char **argv, pid_t pid)
{
	char pidstr[16];
	int status, i;
	pid_t tracer;

	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	for (i = 0; argv[i]; i++)
		if (strcmp(argv[i], "%p") == 0)
			argv[i] = pidstr;
	tracer = fork();
	if (tracer < 0)
		return -1;
	if (tracer == 0) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	while (waitpid(tracer, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	int status, tracer_status;
	pid_t loop;

	if (argc <= 2)
		return fork_exec_loop(n);
	loop = fork();
	if (loop < 0) {
		perror("wl_attach: fork");
		return 1;
	}
	if (loop == 0)
		_exit(wait_traced() < 0 ? 2 : fork_exec_loop(n));
	tracer_status = run_tracer(argv + 2, loop);
	if (waitpid(loop, &status, 0) != loop)
		return 1;
	return status == 0 && tracer_status == 0 ? 0 : 1;
}
