/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper: processes inside a new pid namespace, waiting for each
 * other in every way wait4 and waitid can name a child, and signalling.
 * The helper unshares a pid namespace (CLONE_NEWPID as root, else with a
 * user namespace as well) and forks its init, pid 1 there, which:
 *  - forks "a" and reaps it with wait4(pid);
 *  - forks "b" in a process group of its own and reaps it with wait4(-pgid);
 *  - forks "c" and reaps it with wait4(-1);
 *  - forks "d" and reaps it with waitid(P_PID, pid);
 *  - forks "e" and reaps it with waitid(P_PIDFD, pidfd);
 *  - forks "f", which sends init SIGUSR1 (caught), and reaps it.
 * Child "x" exits with a code of its own; the outer helper reaps init.
 *
 * Facts on fd 3: outer=PID, init=PID (as the outer helper sees it),
 * x_ns=ID (as init sees it: its namespace's ids), x_code=N, signal_from=ID;
 * skip=REASON and exit 77 when no pid namespace can be made here.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pw_helper.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static volatile sig_atomic_t got_signal;
static volatile sig_atomic_t signal_from;

static void
on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_signal = 1;
	signal_from = si->si_pid;
}

/* The uid and gid maps for a user namespace made by an ordinary user. */
static int
map_ids(void)
{
	char buf[64];
	int fd, n, ok;

	fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		ok = write(fd, "deny", 4) == 4;
		close(fd);
		if (!ok)
			return -1;
	}
	n = snprintf(buf, sizeof(buf), "0 %d 1", (int)getuid());
	fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		return -1;
	close(fd);
	n = snprintf(buf, sizeof(buf), "0 %d 1", (int)getgid());
	fd = open("/proc/self/gid_map", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		return -1;
	return close(fd);
}

static void
new_pid_namespace(void)
{
	if (unshare(CLONE_NEWPID) == 0)
		return;
	if (errno == EPERM && unshare(CLONE_NEWUSER | CLONE_NEWPID) == 0 &&
	    map_ids() == 0)
		return;
	fact("skip=cannot make a pid namespace: %s", strerror(errno));
	_exit(77);
}

/* Forks a child that exits with code; held by a pipe until released. */
static pid_t
spawn(const char *name, int code, bool own_group, int *release)
{
	int p[2];
	char c;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(p[1]);
		if (own_group)
			setpgid(0, 0);
		if (read(p[0], &c, 1) < 0)
			_exit(98);
		if (code == 0 && kill(getppid(), SIGUSR1) < 0)
			_exit(97);
		_exit(code);
	}
	close(p[0]);
	if (own_group)
		setpgid(pid, pid);	/* both sides, so neither order races */
	fact("%s_ns=%d", name, (int)pid);
	*release = p[1];
	return pid;
}

static void
release(int fd)
{
	close(fd);
}

static void
check(const char *name, long got, long want)
{
	if (got != want) {
		say("init: %s returned %ld, expected %ld\n", name, got, want);
		_exit(90);
	}
}

static int
code_of(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
wait_by_pid(void)
{
	int fd, st;
	pid_t pid = spawn("a", 11, false, &fd);

	release(fd);
	check("wait4(pid)", waitpid(pid, &st, 0), pid);
	check("a's code", code_of(st), 11);
}

static void
wait_by_group(void)
{
	int fd, st;
	pid_t pid = spawn("b", 12, true, &fd);

	release(fd);
	check("wait4(-pgid)", wait4(-pid, &st, 0, NULL), pid);
	check("b's code", code_of(st), 12);
}

static void
wait_any(void)
{
	int fd, st;
	pid_t pid = spawn("c", 13, false, &fd);

	release(fd);
	check("wait4(-1)", wait4(-1, &st, 0, NULL), pid);
	check("c's code", code_of(st), 13);
}

static void
waitid_by_pid(void)
{
	siginfo_t si;
	int fd;
	pid_t pid = spawn("d", 14, false, &fd);

	release(fd);
	memset(&si, 0, sizeof(si));
	check("waitid(P_PID)", waitid(P_PID, (id_t)pid, &si, WEXITED), 0);
	check("d's si_pid", si.si_pid, pid);
	check("d's code", si.si_status, 14);
}

static void
waitid_by_pidfd(void)
{
	siginfo_t si;
	int fd, pidfd;
	pid_t pid = spawn("e", 15, false, &fd);

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		die("pidfd_open");
	release(fd);
	memset(&si, 0, sizeof(si));
	check("waitid(P_PIDFD)", waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED), 0);
	check("e's si_pid", si.si_pid, pid);
	check("e's code", si.si_status, 15);
	close(pidfd);
}

static void
signalled(void)
{
	struct sigaction sa;
	sigset_t usr1, old;
	int fd, st;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		die("sigaction");
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	pid = spawn("f", 0, false, &fd);
	release(fd);
	while (!got_signal)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	check("signal's si_pid", signal_from, pid);
	fact("signal_from=%d", (int)signal_from);
	check("wait4(f)", waitpid(pid, &st, 0), pid);
}

static int
run_init(void)
{
	check("init's pid", getpid(), 1);
	wait_by_pid();
	wait_by_group();
	wait_any();
	waitid_by_pid();
	waitid_by_pidfd();
	signalled();
	say("init: all reaped\n");
	return 0;
}

int
main(void)
{
	pid_t init;

	fact("outer=%d", (int)getpid());
	new_pid_namespace();
	init = fork();
	if (init < 0)
		die("fork");
	if (init == 0)
		_exit(run_init());
	fact("init=%d", (int)init);
	return reap(init, 0);
}
