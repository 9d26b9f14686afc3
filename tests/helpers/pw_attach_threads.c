/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper for attach mode (-p): threads created while procwatch
 * attaches.  The main thread starts NCREATORS creator threads and says
 * "ready PID".  Until the process is traced (TracerPid in /proc/self/
 * status, set once procwatch has seized the leader), each creator creates
 * short-lived threads back to back, so that procwatch seizes creators in
 * the middle of clone(); then each creates K keepers (argv[1], default
 * 50).  Keepers and creators then block reading a pipe until main closes
 * it, once every creator is done: all of them, and main, are alive until
 * the attach is long over.  main joins them and returns 0.  A creator
 * that sees no tracer within 60 seconds makes the process exit 3.
 * Facts: root; thread (each creator and keeper, written by itself; the
 * short-lived threads write nothing).
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "pw_helper.h"

#define NCREATORS 4
#define MAX_THREADS (NCREATORS * 1000)

static int hold[2];
static sem_t creators_done;
static pthread_t threads[MAX_THREADS];	/* the joinable ones */
static atomic_int nthreads;
static long per_creator;

static void
wait_hold(void)
{
	ssize_t n;
	char c;

	do
		n = read(hold[0], &c, 1);
	while (n > 0 || (n < 0 && errno == EINTR));
}

static void *
keeper(void *arg)
{
	(void)arg;
	fact("thread=%d", (int)gettid());
	wait_hold();
	return NULL;
}

static void *
short_lived(void *arg)
{
	return arg;
}

/* A joinable thread (kept in threads[]), or a detached one. */
static void
start(void *(*fn)(void *), bool joinable)
{
	pthread_attr_t attr;
	pthread_t th, *where = &th;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (joinable) {
		int i = atomic_fetch_add(&nthreads, 1);

		if (i >= MAX_THREADS) {
			errno = ENOSPC;
			die("too many threads");
		}
		where = &threads[i];
	} else {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	}
	err = pthread_create(where, &attr, fn, NULL);
	pthread_attr_destroy(&attr);
	if (err) {
		errno = err;
		die("pthread_create");
	}
}

static void *
creator(void *arg)
{
	struct timespec t0, now;
	long i;

	(void)arg;
	fact("thread=%d", (int)gettid());
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* /proc is read every 8th thread only: clone() is what must be busy. */
	for (i = 0; i % 8 || tracer_pid() == 0; i++) {
		start(short_lived, false);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 60) {
			say("never traced\n");
			_exit(3);
		}
	}
	for (i = 0; i < per_creator; i++)
		start(keeper, true);
	sem_post(&creators_done);
	wait_hold();
	return NULL;
}

int
main(int argc, char **argv)
{
	int i, n;

	per_creator = arg_long(argc, argv, 1, 50);
	if (pipe2(hold, O_CLOEXEC) < 0 || sem_init(&creators_done, 0, 0) < 0)
		die("pipe2, sem_init");
	fact("root=%d", (int)getpid());
	for (i = 0; i < NCREATORS; i++)
		start(creator, true);
	say("ready %d\n", (int)getpid());
	for (i = 0; i < NCREATORS; i++)
		while (sem_wait(&creators_done) < 0 && errno == EINTR)
			;
	close(hold[1]);
	n = atomic_load(&nthreads);
	for (i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	say("threads: %d keepers joined\n", n - NCREATORS);
	return 0;
}
