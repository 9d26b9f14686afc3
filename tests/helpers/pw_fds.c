/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: the descriptor layouts an exec may hand the next program, for
 * procwatch's list of inherited descriptors and its shortcut for a
 * program given exactly 0, 1 and 2 (src/tracer/procfs.c,
 * only_standard_fds).  Each step is a fork whose child closes everything
 * above 2, arranges its layout with /dev/null and execs "/bin/true
 * LABEL"; the parent waits for it before the next.
 *
 *   std        0 1 2       nothing to list
 *   extra      0 1 2 5     5
 *   no-stderr  0 1 5       5: three descriptors, not 0-2
 *   no-stdin   1 2 7       7: the same, with 0 missing
 *   no-stdout  0 2 9       9: the same, with 1 missing
 *   two        0 1         nothing to list, but not 0-2 either
 *
 * stdout: "fds: done".
 */
#include <fcntl.h>
#include <sys/wait.h>

#include "pw_helper.h"

struct layout {
	const char *label;
	int extra;		/* a descriptor on /dev/null, or -1 */
	int closed;		/* one of 0-2 closed, or -1 */
};

static const struct layout layouts[] = {
	{ "std", -1, -1 },
	{ "extra", 5, -1 },
	{ "no-stderr", 5, 2 },
	{ "no-stdin", 7, 0 },
	{ "no-stdout", 9, 1 },
	{ "two", -1, 2 },
};

static void
run_layout(const struct layout *l)
{
	int null;

	if (close_range(3, ~0U, 0) < 0)
		die("close_range");
	if (l->extra >= 0) {
		null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, l->extra) < 0)
			die("/dev/null");
		if (null != l->extra)
			close(null);
	}
	if (l->closed >= 0)
		close(l->closed);
	execl("/bin/true", "true", l->label, (char *)NULL);
	_exit(127);
}

int
main(void)
{
	size_t i;
	int status;
	pid_t c;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		c = fork();
		if (c < 0)
			die("fork");
		if (c == 0)
			run_layout(&layouts[i]);
		if (waitpid(c, &status, 0) != c || !WIFEXITED(status) || WEXITSTATUS(status))
			die(layouts[i].label);
	}
	say("fds: done\n");
	return 0;
}
