/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: four pthreads that each end with pthread_exit() (glibc ends a
 * thread with the exit syscall, not exit_group), joined by the main thread,
 * which then returns from main (exit_group).  Each thread writes its tid.
 * Facts: root, thread (4 times).
 */
#include <pthread.h>

#include "pw_helper.h"

#define NTHREADS 4

static void *
worker(void *arg)
{
	(void)arg;
	fact("thread=%d", (int)gettid());
	pthread_exit(NULL);
}

int
main(void)
{
	pthread_t th[NTHREADS];
	int i, err;

	fact("root=%d", (int)getpid());
	for (i = 0; i < NTHREADS; i++) {
		err = pthread_create(&th[i], NULL, worker, NULL);
		if (err) {
			errno = err;
			die("pthread_create");
		}
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	say("threads: %d joined\n", NTHREADS);
	return 0;
}
