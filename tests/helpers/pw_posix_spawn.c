/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: posix_spawn of /bin/true and posix_spawnp of "true" (a PATH
 * search: the child may try several directories before one exec works),
 * both reaped with waitpid().  glibc creates the child with
 * CLONE_VM|CLONE_VFORK through clone3 or clone, whichever it uses here.
 * Facts: root, spawn1, spawn1_code, spawn2, spawn2_code.
 */
#include <spawn.h>
#include <sys/wait.h>

#include "pw_helper.h"

extern char **environ;

int
main(void)
{
	char *argv[] = { "true", NULL };
	pid_t p1, p2;
	int err;

	fact("root=%d", (int)getpid());
	err = posix_spawn(&p1, "/bin/true", NULL, NULL, argv, environ);
	if (err) {
		errno = err;
		die("posix_spawn");
	}
	err = posix_spawnp(&p2, "true", NULL, NULL, argv, environ);
	if (err) {
		errno = err;
		die("posix_spawnp");
	}
	fact("spawn1=%d", (int)p1);
	fact("spawn1_code=%d", reap(p1, 0));
	fact("spawn2=%d", (int)p2);
	fact("spawn2_code=%d", reap(p2, 0));
	say("posix_spawn: done\n");
	return 0;
}
