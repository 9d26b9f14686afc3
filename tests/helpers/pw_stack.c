/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper for -k: main -> f0 -> f1 -> f2 -> one way of starting a program,
 * chosen by argv[1]:
 *   fork         fork(), the child execs /bin/true from inside f2, with
 *                an argument (argv "true from-f2")
 *   vfork        vfork() (glibc's vfork pops its return address into a
 *                register before the syscall), the child execs /bin/true
 *   posix_spawn  posix_spawn() of /bin/true
 *   system       system("exit 0")
 *   popen        popen("true", "r")
 *   thread       pthread_create(), joined
 *   exec         f2 execs /bin/true itself (the stack is the helper's)
 *   thread_exec  a thread created in f2 execs sh -c '/bin/true; exit 0':
 *                the thread takes the leader's tid (de_thread), and the
 *                shell's own spawn must unwind under that tid
 * The f* functions are noinline and call through a volatile pointer after
 * the call, so that none becomes a tail call and each keeps its frame.
 * Built with symbols (PIE and non-PIE) and as a stripped copy.
 * Facts: root, and f0/f1/f2/main as link-time addresses (what objdump
 * shows: run-time address minus the load bias), so that a test can place
 * a stripped copy's frames.
 */
#include <link.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/wait.h>

#include "pw_helper.h"

extern char **environ;

/* Global, so that they are named in .symtab; not exported (no -rdynamic). */
int f0(void);
int f1(void);
int f2(void);

static const char *mode;
static int (*volatile keep_frame)(int) = NULL;

static int
after(int r)
{
	return keep_frame ? keep_frame(r) : r;
}

static void *
thread_main(void *arg)
{
	return arg;
}

static void *
exec_from_thread(void *arg)
{
	char *const argv[] = { "sh", "-c", "/bin/true; exit 0", NULL };

	(void)arg;
	execve("/bin/sh", argv, environ);
	die("execve");
}

static int
start_child(void)
{
	char *const argv[] = { "true", NULL };
	char *const fork_argv[] = { "true", "from-f2", NULL };
	pthread_t th;
	pid_t pid;
	FILE *f;

	if (!strcmp(mode, "fork") || !strcmp(mode, "vfork")) {
		pid = !strcmp(mode, "fork") ? fork() : vfork();
		if (pid == 0) {
			execve("/bin/true", fork_argv, environ);
			_exit(127);
		}
		return pid < 0 ? -1 : reap(pid, 0);
	}
	if (!strcmp(mode, "posix_spawn"))
		return posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) ? -1 : reap(pid, 0);
	if (!strcmp(mode, "system"))
		return system("exit 0");
	if (!strcmp(mode, "popen"))
		return (f = popen("true", "r")) ? pclose(f) : -1;
	if (!strcmp(mode, "thread"))
		return pthread_create(&th, NULL, thread_main, NULL) || pthread_join(th, NULL);
	if (!strcmp(mode, "exec"))
		return execve("/bin/true", argv, environ);
	if (!strcmp(mode, "thread_exec")) {
		/* The exec ends this thread (de_thread): the join never returns. */
		if (pthread_create(&th, NULL, exec_from_thread, NULL))
			return -1;
		pthread_join(th, NULL);
	}
	return -1;
}

__attribute__((noinline)) int
f2(void)
{
	return after(start_child());
}

__attribute__((noinline)) int
f1(void)
{
	return after(f2());
}

__attribute__((noinline)) int
f0(void)
{
	return after(f1());
}

/* The load bias of the main program: 0 unless it is a PIE. */
static int
main_bias(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uintptr_t *)data = info->dlpi_addr;
	return 1;	/* the first object is the program itself */
}

int
main(int argc, char **argv)
{
	uintptr_t bias = 0;

	if (argc != 2)
		die("usage: pw_stack fork|vfork|posix_spawn|system|popen|thread|exec|thread_exec");
	mode = argv[1];
	dl_iterate_phdr(main_bias, &bias);
	fact("root=%d", (int)getpid());
	fact("main=%#lx", (unsigned long)((uintptr_t)main - bias));
	fact("f0=%#lx", (unsigned long)((uintptr_t)f0 - bias));
	fact("f1=%#lx", (unsigned long)((uintptr_t)f1 - bias));
	fact("f2=%#lx", (unsigned long)((uintptr_t)f2 - bias));
	if (f0() != 0)
		die(mode);
	say("stack: %s done\n", mode);
	return 0;
}
