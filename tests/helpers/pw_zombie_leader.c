/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: the main thread starts a thread and then ends itself with the
 * raw exit syscall.  The process lives on with a zombie leader (the kernel
 * delays the leader's exit notification until the whole group is gone,
 * delay_group_leader).  The thread waits until the leader has really
 * exited: set_tid_address() pointed the leader's clear_child_tid at
 * leader_word, which the kernel zeroes and futex-wakes in mm_release() on
 * the leader's exit.  Then the thread writes its facts and calls
 * exit_group(5), so the process's status is 5.
 * Facts: root (= leader), thread, leader_gone.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "pw_helper.h"

static volatile int32_t leader_word;

static void *
worker(void *arg)
{
	int32_t v;

	(void)arg;
	while ((v = __atomic_load_n(&leader_word, __ATOMIC_ACQUIRE)) != 0)
		syscall(SYS_futex, &leader_word, FUTEX_WAIT, v, NULL, NULL, 0);
	fact("thread=%d", (int)gettid());
	fact("leader_gone=1");
	say("zombie_leader: thread outlived the leader\n");
	syscall(SYS_exit_group, 5);
	return NULL;
}

int
main(void)
{
	pthread_t th;
	int err;

	fact("root=%d", (int)getpid());
	leader_word = (int32_t)gettid();
	syscall(SYS_set_tid_address, &leader_word);
	err = pthread_create(&th, NULL, worker, NULL);
	if (err) {
		errno = err;
		die("pthread_create");
	}
	syscall(SYS_exit, 0);
	return 99;
}
