/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Processes that use a known least amount of CPU time and memory, for the
 * resource use in exit events.  Each "burner" spins until getrusage says
 * it has used BURN_MS of CPU (not a sleep: the time must be its own), and
 * touches MEM_MIB of memory, which it gives back before it ends, so that
 * only a peak can show it.  Facts: each burner's pid, and the CPU time and
 * VmHWM it saw itself last, which the trace, read later, cannot be below.
 *
 *   exit         the process itself burns and returns from main (exit_group)
 *   threads      a second thread burns too and calls exit(3) (exit_group
 *                from a thread that is not the leader), after the main
 *                thread has left with pthread_exit (exit of the leader)
 *   kill SIG     children burn, then wait to be killed by SIG
 *   caught       a SIGTERM handler runs; the process then burns and exits
 *   forked       a forked child that never execs burns and exits; the
 *                parent ("reaper", which burns nothing) reaps it, then exits
 *   crowd        as forked, while 70 threads of the parent wait: more
 *                than procwatch asks the stops' reports for (usage.c)
 *   exec-small   the parent touches the memory and keeps it, then a child
 *                it forks execs "pw_usage small", which touches nothing
 *                ("small")
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pw_helper.h"

#define BURN_MS 200
#define MEM_MIB 64

static long
cpu_us(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* VmHWM in KiB, or -1; thread-self: a leader gone with pthread_exit has no memory left. */
static long
peak_rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/thread-self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Spins until this thread (or process) has used ms of CPU since it began. */
static void
burn(int who, long ms)
{
	long start = cpu_us(who);
	volatile unsigned long x = 0;

	while (cpu_us(who) - start < ms * 1000)
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
}

/* Touches MEM_MIB; unless kept, unmaps it: the resident set falls, the peak stays. */
static void
touch_memory_then(bool keep)
{
	size_t len = (size_t)MEM_MIB << 20;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(1);
	memset(p, 1, len);
	if (!keep)
		munmap(p, len);
}

static void
touch_memory(void)
{
	touch_memory_then(false);
}

/* What this process saw of itself last: the trace reads later. */
static void
report(const char *name)
{
	fact("%s=%d", name, (int)getpid());
	fact("%s_cpu_us=%ld", name, cpu_us(RUSAGE_SELF));
	fact("%s_peak_kib=%ld", name, peak_rss_kib());
}

static int
run_exit(void)
{
	touch_memory();
	burn(RUSAGE_SELF, BURN_MS);
	report("burner");
	puts("done");
	return 0;
}

static void *
second_thread(void *arg)
{
	(void)arg;
	burn(RUSAGE_THREAD, BURN_MS);
	report("burner");
	fflush(stdout);
	exit(0);
}

/* The leader burns, leaves; the last thread burns and ends the process. */
static int
run_threads(void)
{
	pthread_t th;

	touch_memory();
	burn(RUSAGE_THREAD, BURN_MS);
	puts("done");
	fflush(stdout);
	if (pthread_create(&th, NULL, second_thread, NULL) != 0)
		return 1;
	pthread_exit(NULL);
}

/* A child that burns, says so, and waits for the signal that kills it. */
static int
run_kill(int sig)
{
	int fds[2], status;
	char c;
	pid_t pid;

	if (pipe(fds) < 0 || (pid = fork()) < 0)
		return 1;
	if (pid == 0) {
		close(fds[0]);
		touch_memory();
		burn(RUSAGE_SELF, BURN_MS);
		report("victim");
		if (write(fds[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1 || kill(pid, sig) < 0 ||
	    waitpid(pid, &status, 0) != pid)
		return 1;
	printf("killed by %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return 0;
}

static volatile sig_atomic_t handled;

static void
on_term(int sig)
{
	(void)sig;
	handled = 1;
}

/* SIGTERM is caught: its delivery ends nothing, the exit that follows does. */
static int
run_caught(void)
{
	signal(SIGTERM, on_term);
	raise(SIGTERM);
	if (!handled)
		return 1;
	return run_exit();
}

/* The burner is a forked child; its reaper reports after the reap. */
static int
run_forked(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (pid == 0) {
		touch_memory();
		burn(RUSAGE_SELF, BURN_MS);
		report("burner");
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	report("reaper");
	puts("done");
	return 0;
}

static int crowd_pipe[2];

static void *
crowd_thread(void *arg)
{
	char c;

	(void)arg;
	if (read(crowd_pipe[0], &c, 1) < 0)
		return NULL;
	return NULL;
}

/* run_forked with 70 more threads alive; they end when the pipe closes. */
static int
run_crowd(void)
{
	pthread_t th[70];
	int rc;

	if (pipe(crowd_pipe) < 0)
		return 1;
	for (int i = 0; i < 70; i++)
		if (pthread_create(&th[i], NULL, crowd_thread, NULL) != 0)
			return 1;
	rc = run_forked();
	close(crowd_pipe[1]);
	for (int i = 0; i < 70; i++)
		pthread_join(th[i], NULL);
	return rc;
}

/*
 * The forked child's memory maps the parent's 64 MiB, resident (kernel/
 * fork.c, dup_mmap copies the page tables), and its exec keeps that mark
 * as the process's signal->maxrss (fs/exec.c, exec_mmap): the new
 * program's own peak is far below it.
 */
static int
run_exec_small(const char *self)
{
	int status;
	pid_t pid;

	touch_memory_then(true);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		execl(self, self, "small", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	puts("done");
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "forked") == 0)
		return run_forked();
	if (argc == 2 && strcmp(argv[1], "crowd") == 0)
		return run_crowd();
	if (argc == 2 && strcmp(argv[1], "exec-small") == 0)
		return run_exec_small(argv[0]);
	if (argc == 2 && strcmp(argv[1], "small") == 0) {
		report("small");
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "exit") == 0)
		return run_exit();
	if (argc == 2 && strcmp(argv[1], "threads") == 0)
		return run_threads();
	if (argc == 3 && strcmp(argv[1], "kill") == 0)
		return run_kill(atoi(argv[2]));
	if (argc == 2 && strcmp(argv[1], "caught") == 0)
		return run_caught();
	fprintf(stderr, "usage: pw_usage exit|threads|kill SIG|caught|forked|crowd|exec-small\n");
	return 2;
}
