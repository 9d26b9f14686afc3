/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A program that execs itself with a big argument vector:
 *
 *   pw_big_selfexec N
 *
 * execs itself N times in a chain, each time with 20000 arguments of 50
 * bytes that differ from one exec to the next (1 MB of argv an exec, so
 * that nothing is shared between them).  A view that kept every exec's
 * argv whole would grow by that much per exec.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define NARGS 20000
#define LEN 50

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	char **v, count[16], *strings;

	if (n <= 0)
		return 0;
	v = calloc(NARGS + 3, sizeof(*v));
	strings = malloc((size_t)NARGS * (LEN + 1));
	if (!v || !strings)
		return 1;
	snprintf(count, sizeof(count), "%d", n - 1);
	v[0] = "pw_big_selfexec";
	v[1] = count;
	for (int i = 0; i < NARGS; i++) {
		v[i + 2] = strings + (size_t)i * (LEN + 1);
		/* 42 digits, a dash, the exec's number: 50 bytes. */
		snprintf(v[i + 2], LEN + 1, "%042d-%07d", i, n % 10000000);
	}
	execv("/proc/self/exe", v);
	perror("execv");
	return 1;
}
