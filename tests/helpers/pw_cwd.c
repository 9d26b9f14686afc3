/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: every way a working directory changes before an exec, for
 * procwatch's tracking of it (src/tracer/cwd.c).  Each step ends in an
 * exec of "/bin/true LABEL" from a process whose directory the step set;
 * the test checks each exec's "cwd" against the directory named here.
 *
 *   thread    a thread (CLONE_FS: shares the directory) chdirs to /usr;
 *             then a fork's child execs in /usr
 *   own       a fork's child chdirs to /tmp and execs there
 *   parent    the parent, untouched by that child, forks again: /usr
 *   fchdir    fchdir to /usr/bin, then a fork's child: /usr/bin
 *   spawn     posix_spawn with a chdir action (a vfork-like child with
 *             its own directory): /tmp
 *   copied    a child forked while a thread runs; the thread then chdirs
 *             the parent to /, and the child, which copied the directory
 *             at the fork, execs in /usr/bin
 *   after     the parent, moved by that thread: /
 *   unshared  a thread leaves the shared directory (unshare(CLONE_FS)),
 *             moves to /tmp and fails an exec there (procwatch reads its
 *             directory at the attempt); while it still runs, the parent's
 *             next child execs in /
 *   shared    a process made with clone(CLONE_FS), not a thread, chdirs
 *             to /usr and exits; the parent's next child execs in /usr
 *             (last: procwatch reads such a directory at every exec since)
 *
 * Steps run one after the other (every wait is for an event, none sleeps).
 * stdout: "cwd: done".  Facts: root.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "pw_helper.h"

extern char **environ;

static void
run_true(const char *label)
{
	execl("/bin/true", "true", label, (char *)NULL);
	die("execl /bin/true");
}

/* fork; the child execs "/bin/true label" in dir (NULL: where it is). */
static void
fork_exec(const char *dir, const char *label)
{
	pid_t c = fork();

	if (c < 0)
		die("fork");
	if (c == 0) {
		if (dir && chdir(dir) < 0)
			die("chdir");
		run_true(label);
	}
	if (reap(c, 0) != 0)
		die("child failed");
}

static void *
chdir_thread(void *dir)
{
	if (chdir(dir) < 0)
		die("chdir in thread");
	return NULL;
}

static void
thread_chdir(const char *dir)
{
	pthread_t th;

	if (pthread_create(&th, NULL, chdir_thread, (void *)dir) != 0)
		die("pthread_create");
	if (pthread_join(th, NULL) != 0)
		die("pthread_join");
}

static char stack[64 * 1024] __attribute__((aligned(16)));

static int
shared_fs_child(void *dir)
{
	return chdir(dir) < 0 ? 1 : 0;
}

/* A process sharing our directory (clone(2) CLONE_FS) moves it. */
static void
clone_fs_chdir(const char *dir)
{
	pid_t c = clone(shared_fs_child, stack + sizeof(stack), CLONE_FS | SIGCHLD,
			(void *)dir);

	if (c < 0)
		die("clone");
	if (reap(c, 0) != 0)
		die("clone child failed");
}

static void
spawn_in(const char *dir, const char *label)
{
	char *argv[] = { "true", (char *)label, NULL };
	posix_spawn_file_actions_t fa;
	pid_t c;

	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addchdir_np(&fa, dir) != 0 ||
	    posix_spawn(&c, "/bin/true", &fa, NULL, argv, environ) != 0)
		die("posix_spawn");
	posix_spawn_file_actions_destroy(&fa);
	if (reap(c, 0) != 0)
		die("spawned child failed");
}

/*
 * A child forked in /usr/bin waits on a pipe while a thread moves the
 * parent to /: the child's copy must not move with it.
 */
static void
copied_then_moved(void)
{
	int go[2];
	pid_t c;
	char x;

	if (pipe(go) < 0)
		die("pipe");
	c = fork();
	if (c < 0)
		die("fork");
	if (c == 0) {
		close(go[1]);
		if (read(go[0], &x, 1) != 1)
			die("read");
		run_true("copied");
	}
	close(go[0]);
	thread_chdir("/");
	if (write(go[1], "g", 1) != 1)
		die("write");
	close(go[1]);
	if (reap(c, 0) != 0)
		die("copied child failed");
}

/* The thread of step "unshared": its own directory, and an exec attempt in it. */
static void *
unshare_thread(void *arg)
{
	int *go = arg;
	char x;

	if (unshare(CLONE_FS) < 0 || chdir("/tmp") < 0)
		die("unshare, chdir");
	execl("/nonexistent/pw_cwd", "pw_cwd", (char *)NULL);
	if (write(go[1], "d", 1) != 1 || read(go[0], &x, 1) != 1)
		die("thread pipe");
	return NULL;
}

static void
unshared_thread(void)
{
	int to_main[2], to_thread[2], pair[2];
	pthread_t th;
	char x;

	if (pipe(to_main) < 0 || pipe(to_thread) < 0)
		die("pipe");
	pair[0] = to_thread[0];
	pair[1] = to_main[1];
	if (pthread_create(&th, NULL, unshare_thread, pair) != 0)
		die("pthread_create");
	if (read(to_main[0], &x, 1) != 1)
		die("read");
	fork_exec(NULL, "unshared");
	if (write(to_thread[1], "g", 1) != 1 || pthread_join(th, NULL) != 0)
		die("release thread");
}

int
main(void)
{
	int fd;

	fact("root=%d", (int)getpid());
	thread_chdir("/usr");
	fork_exec(NULL, "thread");
	fork_exec("/tmp", "own");
	fork_exec(NULL, "parent");
	fd = open("/usr/bin", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fchdir(fd) < 0)
		die("fchdir");
	close(fd);
	fork_exec(NULL, "fchdir");
	spawn_in("/tmp", "spawn");
	copied_then_moved();
	fork_exec(NULL, "after");
	unshared_thread();
	clone_fs_chdir("/usr");
	fork_exec(NULL, "shared");
	say("cwd: done\n");
	return 0;
}
