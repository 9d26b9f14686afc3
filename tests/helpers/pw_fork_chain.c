/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: a chain of N nested forks (argv[1], default 200): level 0 (the
 * root) forks level 1, which forks level 2, ... level N exits 1 and every
 * level above waits for its child and exits with the child's exit code,
 * so the 1 travels up to the root.
 * Facts: root, level<d>=<pid> for d = 0..N.
 */
#include <sys/wait.h>

#include "pw_helper.h"

static int
level(long d, long n)
{
	pid_t c;
	int st;

	fact("level%ld=%d", d, (int)getpid());
	if (d == n)
		return 1;
	c = fork();
	if (c < 0)
		die("fork");
	if (c == 0)
		_exit(level(d + 1, n));
	if (waitpid(c, &st, 0) != c)
		die("waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

int
main(int argc, char **argv)
{
	long n = arg_long(argc, argv, 1, 200);
	int code;

	fact("root=%d", (int)getpid());
	code = level(0, n);

	say("fork_chain: depth %ld, code %d\n", n, code);
	return code;
}
