/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper for attach mode (-p): the small scenarios.  Each says
 * "ready PID" once it is in the state to attach to.
 *
 *   stopped    a child stops itself with raise(SIGSTOP); once the parent
 *              has seen it stopped (waitpid WUNTRACED) it says ready and
 *              waits for the child, which exits 5 once continued; then
 *              says "child exited 5" and exits 0
 *   zombie     a child exits 0 at once and stays unreaped (waitid WNOWAIT
 *              says it is dead) until SIGUSR1; then it is reaped, exit 0
 *   wait       waits for SIGUSR1, exit 0
 *   leaderless the main thread starts a thread and ends with pthread_exit;
 *              the thread says ready once the leader is a zombie, waits
 *              for SIGUSR1 and exits 0
 *   ends CODE  waits until it is traced (TracerPid in /proc/self/status),
 *              forks a child that exits 3, reaps it, says "child exited 3"
 *              and exits CODE; exit 2 if no tracer came within 60 seconds
 *
 * Facts: root; child (stopped, zombie, ends).
 */
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "pw_helper.h"

static pid_t
fork_or_die(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	return pid;
}

static void
ready(void)
{
	say("ready %d\n", (int)getpid());
}

/* SIGUSR1 was blocked from the start: it waits here, whenever it came. */
static void
wait_usr1(void)
{
	sigset_t usr1;
	int sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigwait(&usr1, &sig) != 0)
		die("sigwait");
}

static int
stopped(void)
{
	pid_t child = fork_or_die();
	int st;

	if (child == 0) {
		raise(SIGSTOP);
		_exit(5);
	}
	fact("child=%d", (int)child);
	if (waitpid(child, &st, WUNTRACED) != child || !WIFSTOPPED(st))
		die("waitpid WUNTRACED");
	ready();
	st = reap(child, 0);
	say("child exited %d\n", st);
	return 0;
}

static int
zombie(void)
{
	pid_t child = fork_or_die();
	siginfo_t si;

	if (child == 0)
		_exit(0);
	fact("child=%d", (int)child);
	if (waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT) != 0)
		die("waitid WNOWAIT");
	ready();
	wait_usr1();
	return reap(child, 0);
}

/* The state letter of the main thread, as /proc/self/task/PID/stat says it. */
static char
leader_state(pid_t leader)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)leader);
	return proc_state_at(path);
}

static void *
leaderless_thread(void *arg)
{
	struct timespec tick = { 0, 1000 * 1000 };
	pid_t leader = (pid_t)(long)arg;

	/* Waits for the leader's pthread_exit to make it a zombie. */
	while (leader_state(leader) != 'Z')
		nanosleep(&tick, NULL);
	ready();
	wait_usr1();
	exit(0);
}

static int
leaderless(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, leaderless_thread, (void *)(long)getpid()) != 0)
		die("pthread_create");
	pthread_exit(NULL);
}

static int
ends(int code)
{
	struct timespec tick = { 0, 1000 * 1000 };
	pid_t child;
	long i;

	ready();
	for (i = 0; tracer_pid() == 0; i++) {
		if (i > 60L * 1000) {
			say("never traced\n");
			return 2;
		}
		nanosleep(&tick, NULL);
	}
	child = fork_or_die();
	if (child == 0)
		_exit(3);
	fact("child=%d", (int)child);
	say("child exited %d\n", reap(child, 0));
	return code;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	fact("root=%d", (int)getpid());
	if (strcmp(mode, "stopped") == 0)
		return stopped();
	if (strcmp(mode, "zombie") == 0)
		return zombie();
	if (strcmp(mode, "ends") == 0)
		return ends((int)arg_long(argc, argv, 2, 7));
	if (strcmp(mode, "leaderless") == 0)
		return leaderless();
	if (strcmp(mode, "wait") == 0) {
		ready();
		wait_usr1();
		return 0;
	}
	errno = EINVAL;
	die("usage: pw_attach_misc stopped|zombie|leaderless|wait|ends CODE");
}
