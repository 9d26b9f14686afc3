/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: raw clone(2) with the flags that change who the parent is and
 * how it is told.
 *  (a) A middle child M clones G with CLONE_PARENT: G's parent is the
 *      root, not M (kernel copy_process: real_parent = current->real_parent),
 *      so the root reaps G; M passes G's pid up through a pipe.
 *  (b) Exit signal SIGUSR1, then exit signal 0: the parent is not sent
 *      SIGCHLD, and only waitpid(__WALL) (or __WCLONE) finds such a child.
 *      SIGUSR1 is blocked so its default action cannot kill the root.
 *  (c) CLONE_VM|CLONE_VFORK|SIGCHLD on a separate stack, the child execs
 *      /bin/true: what posix_spawn does.  The syscall is issued from inline
 *      assembly because with CLONE_VM the child must not return through
 *      the parent's stack frame.
 * Facts: root, middle, middle_code, grandchild, grandchild_ppid,
 * grandchild_code, usr1_child, usr1_code, nosig_child, nosig_code,
 * vm_child, vm_code.
 */
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "pw_helper.h"

extern char **environ;

static long
raw_clone(unsigned long flags)
{
	/* NULL stack: the child runs on a copy of ours, like fork. */
	return syscall(SYS_clone, flags, NULL, NULL, NULL, 0UL);
}

static void
middle(int wfd)
{
	long g = raw_clone(CLONE_PARENT | SIGCHLD);

	if (g < 0)
		die("clone(CLONE_PARENT)");
	if (g == 0) {
		fact("grandchild_ppid=%d", (int)getppid());
		_exit(4);
	}
	if (write(wfd, &g, sizeof(g)) != sizeof(g))
		die("write");
	_exit(0);
}

static void
clone_parent(void)
{
	int p[2];
	pid_t m;
	long g;

	if (pipe(p) != 0)
		die("pipe");
	m = fork();
	if (m < 0)
		die("fork");
	if (m == 0) {
		close(p[0]);
		middle(p[1]);
	}
	close(p[1]);
	if (read(p[0], &g, sizeof(g)) != sizeof(g))
		die("read");
	close(p[0]);
	fact("middle=%d", (int)m);
	fact("middle_code=%d", reap(m, 0));
	fact("grandchild=%ld", g);
	fact("grandchild_code=%d", reap((pid_t)g, 0));
}

static void
exit_signals(void)
{
	sigset_t set;
	long c;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	c = raw_clone(SIGUSR1);
	if (c < 0)
		die("clone(SIGUSR1)");
	if (c == 0)
		_exit(5);
	fact("usr1_child=%ld", c);
	fact("usr1_code=%d", reap((pid_t)c, __WALL));
	c = raw_clone(0);
	if (c < 0)
		die("clone(0)");
	if (c == 0)
		_exit(6);
	fact("nosig_child=%ld", c);
	fact("nosig_code=%d", reap((pid_t)c, __WALL));
}

static void __attribute__((noreturn, used))
vm_child(void)
{
	char *argv[] = { "true", NULL };

	execve("/bin/true", argv, environ);
	_exit(127);
}

/*
 * clone(flags, stack_top): the child starts with rsp = stack_top (16-byte
 * aligned) and calls fn, which never returns; the parent gets the pid.
 */
static long
clone_on_stack(unsigned long flags, void *stack_top, void (*fn)(void))
{
	register long r10 __asm__("r10") = 0;
	register long r8 __asm__("r8") = 0;
	long ret;

	__asm__ volatile(
		"syscall\n\t"
		"test %%rax, %%rax\n\t"
		"jnz 1f\n\t"
		"xor %%ebp, %%ebp\n\t"
		"call *%%rbx\n\t"
		"ud2\n"
		"1:"
		: "=a"(ret)
		: "a"((long)SYS_clone), "D"(flags), "S"(stack_top), "d"(0L),
		  "r"(r10), "r"(r8), "b"(fn)
		: "rcx", "r11", "memory");
	return ret;
}

static void
vm_vfork(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	long c;

	c = clone_on_stack(CLONE_VM | CLONE_VFORK | SIGCHLD, stack + sizeof(stack),
			   vm_child);
	if (c < 0) {
		errno = (int)-c;
		die("clone(CLONE_VM|CLONE_VFORK)");
	}
	fact("vm_child=%ld", c);
	fact("vm_code=%d", reap((pid_t)c, 0));
}

int
main(void)
{
	fact("root=%d", (int)getpid());
	clone_parent();
	exit_signals();
	vm_vfork();
	say("clone_flags: done\n");
	return 0;
}
