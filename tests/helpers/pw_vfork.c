/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: vfork twice.  The first child execs /bin/echo (the parent stays
 * blocked in vfork until the exec releases the borrowed memory, kernel
 * CLONE_VFORK completion), the second _exit(3)s.  The parent then reaps
 * both with waitpid().  The vfork children only exec or _exit: anything
 * else would write into the parent's memory.
 * Facts: root, vfork1, vfork1_code, vfork2, vfork2_code.
 */
#include <sys/wait.h>

#include "pw_helper.h"

int
main(void)
{
	pid_t c1, c2;

	fact("root=%d", (int)getpid());
	c1 = vfork();
	if (c1 < 0)
		die("vfork");
	if (c1 == 0) {
		execl("/bin/echo", "echo", "vfork child", (char *)NULL);
		_exit(127);
	}
	c2 = vfork();
	if (c2 < 0)
		die("vfork");
	if (c2 == 0)
		_exit(3);
	fact("vfork1=%d", (int)c1);
	fact("vfork1_code=%d", reap(c1, 0));
	fact("vfork2=%d", (int)c2);
	fact("vfork2_code=%d", reap(c2, 0));
	say("vfork: done\n");
	return 0;
}
