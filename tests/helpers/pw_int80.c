/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A 64-bit program that forks through the 32-bit int $0x80 interface (i386
 * fork is 2).  procwatch's filter lets such calls through undecoded, so
 * the spawn is seen only through PTRACE_EVENT_FORK: the child must still be
 * followed, exit and be reaped.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pw_helper.h"

int
main(void)
{
	long child;
	int status;

	fact("root=%d", (int)getpid());
	__asm__ volatile ("int $0x80" : "=a"(child) : "a"(2L) : "memory");
	if (child == 0)
		_exit(5);
	if (child < 0 || waitpid((pid_t)child, &status, 0) != child)
		return 2;
	fact("child=%ld", child);
	puts("forked through int 0x80");
	return WIFEXITED(status) && WEXITSTATUS(status) == 5 ? 0 : 3;
}
