/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An exec whose argv another thread rewrites while the call runs:
 *
 *   pw_exec_race N
 *
 * execs itself N times in a chain.  Before each exec a second thread
 * starts flipping the bytes of argv[3] between "AAAAAAAA" and "BBBBBBBB"
 * and never stops (the exec ends it), so what a tracer copies at the
 * call's entry and what the kernel copies a moment later differ about
 * half the time.  Each new image prints "got ARG" on stdout: what it
 * really received, to be compared with the trace.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARG_LEN 8

static char arg[ARG_LEN + 1] = "AAAAAAAA";

static void *
flip(void *unused)
{
	(void)unused;
	for (unsigned long i = 0;; i++) {
		/* volatile: every store happens, in this order. */
		volatile char *p = arg;
		char c = (i & 1) ? 'B' : 'A';

		for (int j = 0; j < ARG_LEN; j++)
			p[j] = c;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	char count[16];
	pthread_t th;
	int n;

	if (argc < 2)
		return 2;
	if (argc >= 4)
		printf("got %s\n", argv[3]);
	fflush(stdout);
	n = atoi(argv[1]);
	if (n <= 0)
		return 0;
	snprintf(count, sizeof(count), "%d", n - 1);
	if (pthread_create(&th, NULL, flip, NULL) != 0)
		return 1;
	execl("/proc/self/exe", "pw_exec_race", count, "race", arg, (char *)NULL);
	return 1;
}
