/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bench workload: wl_threads N: create N threads (default 1000), each of
 * which returns at once, then join them all.  Small stacks keep the memory
 * of N threads that may be alive together modest.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
thread_main(void *arg)
{
	return arg;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000, i;
	pthread_t *threads = calloc((size_t)n, sizeof(*threads));
	pthread_attr_t attr;
	int err;

	if (!threads)
		return 1;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < n; i++) {
		err = pthread_create(&threads[i], &attr, thread_main, NULL);
		if (err != 0) {
			fprintf(stderr, "pthread_create: %s\n", strerror(err));
			return 1;
		}
	}
	for (i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	pthread_attr_destroy(&attr);
	free(threads);
	return 0;
}
