/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: clone3(2) with every size case the kernel distinguishes
 * (kernel/fork.c copy_clone_args_from_user):
 *  size 64 (CLONE_ARGS_SIZE_VER0), a plain fork-like clone: child _exit(0);
 *  size 80 (VER1) with set_tid unset: child _exit(1);
 *  size 63: below VER0, EINVAL;
 *  size 128 with a non-zero byte past every known field: E2BIG
 *      (copy_struct_from_user refuses a non-zero tail it does not know);
 *  a pointer to an unmapped page: EFAULT.
 * The successful children are reaped with waitpid().  The struct is spelled
 * out here so the test does not depend on the installed uapi headers.
 * Facts: root, c64, c64_code, c80, c80_code, e63, e2big, efault (errnos).
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "pw_helper.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

struct clone_args_big {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls;	/* 64: VER0 */
	uint64_t set_tid, set_tid_size;		/* 80: VER1 */
	uint64_t cgroup;			/* 88: VER2 */
	uint64_t future[5];			/* up to 128 */
};

static long
clone3(void *args, size_t size)
{
	return syscall(SYS_clone3, args, size);
}

static void
fork_like(size_t size, int code, const char *name)
{
	struct clone_args_big a = { .exit_signal = SIGCHLD };
	long c = clone3(&a, size);
	int st;

	if (c < 0)
		die("clone3");
	if (c == 0)
		_exit(code);
	if (waitpid((pid_t)c, &st, 0) != c)
		die("waitpid");
	fact("%s=%ld", name, c);
	fact("%s_code=%d", name, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* The call must fail; records its errno. */
static void
must_fail(void *args, size_t size, const char *name)
{
	long c = clone3(args, size);

	if (c == 0)
		_exit(98);
	if (c > 0) {
		fact("%s_unexpected_child=%ld", name, c);
		waitpid((pid_t)c, NULL, __WALL);
		errno = 0;
		die("clone3 should have failed");
	}
	fact("%s=%d", name, errno);
}

int
main(void)
{
	struct clone_args_big a = { .exit_signal = SIGCHLD };
	void *gone;

	fact("root=%d", (int)getpid());
	fork_like(64, 0, "c64");
	fork_like(80, 1, "c80");
	must_fail(&a, 63, "e63");
	a.future[4] = 1;
	must_fail(&a, sizeof(a), "e2big");
	gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (gone == MAP_FAILED || munmap(gone, 4096) != 0)
		die("mmap");
	must_fail(gone, 64, "efault");
	say("clone3: done\n");
	return 0;
}
