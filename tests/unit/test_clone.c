/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the spawn decoders (src/decode/clone.c): clone's flags and
 * exit signal split, fork/vfork, the classification into fork, vfork,
 * posix_spawn, thread and clone, and clone3's struct clone_args at every
 * published size, oversized, undersized and unreadable.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stddef.h>

#include "pw_fake_mem.h"
#include "procwatch/base.h"
#include "procwatch/linux_compat.h"

#define NR_CLONE 56
#define NR_FORK 57
#define NR_VFORK 58
#define NR_CLONE3 435

#define BASE 0x40000u
#define SIZE (2 * FAKE_PAGE)
#define ARGS (BASE + 0x100)	/* where the tests put struct clone_args */
#define TIDS (BASE + 0x800)	/* and the set_tid array */

/* Field offsets of struct clone_args (include/uapi/linux/sched.h). */
enum {
	OFF_FLAGS = 0, OFF_PIDFD = 8, OFF_CHILD_TID = 16, OFF_PARENT_TID = 24,
	OFF_EXIT_SIGNAL = 32, OFF_STACK = 40, OFF_STACK_SIZE = 48, OFF_TLS = 56,
	OFF_SET_TID = 64, OFF_SET_TID_SIZE = 72, OFF_CGROUP = 80,
};

FAKE_MEM_FIXTURE(BASE, SIZE)

TestSuite(clone, .init = fake_mem_setup, .fini = fake_mem_teardown);
TestSuite(clone3, .init = fake_mem_setup, .fini = fake_mem_teardown);

static struct pw_spawn
decode(long nr, uint64_t a0, uint64_t a1)
{
	struct pw_syscall sc = { .nr = nr, .args = { a0, a1 } };
	struct pw_spawn sp;

	memset(&sp, 0xa5, sizeof(sp));	/* the decoder must not keep garbage */
	pw_decode_spawn_entry(&sc, &fm.mem, &sp);
	return sp;
}

Test(clone, flags_and_exit_signal_split)
{
	struct pw_spawn sp = decode(NR_CLONE, CLONE_VM | CLONE_FS | SIGUSR1, 0);

	cr_assert_eq(sp.call, PW_CALL_CLONE);
	cr_assert_eq(sp.flags, CLONE_VM | CLONE_FS);
	cr_assert_eq(sp.exit_signal, SIGUSR1);
	cr_assert_eq(sp.kind, PW_SPAWN_CLONE);
	cr_assert_not(sp.thread);
	cr_assert_eq(sp.args_size, 0);
	cr_assert_not(sp.args_unreadable);
	cr_assert_eq(sp.set_tid_size, 0);
}

Test(clone, upper_register_bits_ignored)
{
	/* kernel/fork.c uses lower_32_bits(clone_flags) */
	struct pw_spawn sp = decode(NR_CLONE,
				    0xdead00000000ULL | CLONE_PARENT | SIGCHLD, 0);

	cr_assert_eq(sp.flags, CLONE_PARENT);
	cr_assert_eq(sp.exit_signal, SIGCHLD);
}

Test(clone, glibc_fork_is_fork)
{
	struct pw_spawn sp = decode(NR_CLONE, CLONE_CHILD_SETTID |
				    CLONE_CHILD_CLEARTID | SIGCHLD, 0);

	cr_assert_eq(sp.kind, PW_SPAWN_FORK);
	cr_assert_eq(sp.flags, CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID);
}

Test(clone, pthread_create_is_thread)
{
	const uint64_t f = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			   CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
			   CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	struct pw_spawn sp = decode(NR_CLONE, f, 0);

	cr_assert_eq(sp.kind, PW_SPAWN_THREAD);
	cr_assert(sp.thread);
	cr_assert_eq(sp.exit_signal, 0);
	cr_assert_eq(sp.flags, f);
}

Test(clone, fork_and_vfork)
{
	struct pw_spawn sp = decode(NR_FORK, 0xffff, 0xffff);

	cr_assert_eq(sp.call, PW_CALL_FORK);
	cr_assert_eq(sp.flags, 0, "fork ignores its registers");
	cr_assert_eq(sp.exit_signal, SIGCHLD);
	cr_assert_eq(sp.kind, PW_SPAWN_FORK);
	sp = decode(NR_VFORK, 0, 0);
	cr_assert_eq(sp.call, PW_CALL_VFORK);
	cr_assert_eq(sp.flags, CLONE_VM | CLONE_VFORK);
	cr_assert_eq(sp.exit_signal, SIGCHLD);
	cr_assert_eq(sp.kind, PW_SPAWN_VFORK);
	cr_assert_not(sp.thread);
}

Test(clone, glibc_posix_spawn)
{
	struct pw_spawn sp = decode(NR_CLONE, CLONE_VM | CLONE_VFORK | SIGCHLD, 0);

	cr_assert_eq(sp.kind, PW_SPAWN_POSIX_SPAWN);
}

struct kind_case {
	enum pw_call call;
	uint64_t flags;
	int sig;
	enum pw_spawn_kind want;
};

ParameterizedTestParameters(clone, kind_of)
{
	static struct kind_case cases[] = {
		{ PW_CALL_FORK, 0, SIGCHLD, PW_SPAWN_FORK },
		{ PW_CALL_VFORK, CLONE_VM | CLONE_VFORK, SIGCHLD, PW_SPAWN_VFORK },
		{ PW_CALL_CLONE, 0, SIGCHLD, PW_SPAWN_FORK },
		{ PW_CALL_CLONE3, CLONE_PIDFD, SIGCHLD, PW_SPAWN_FORK },
		{ PW_CALL_CLONE, CLONE_SETTLS | CLONE_PARENT_SETTID, SIGCHLD,
		  PW_SPAWN_FORK },
		{ PW_CALL_CLONE, 0, 0, PW_SPAWN_CLONE },
		{ PW_CALL_CLONE, 0, SIGUSR1, PW_SPAWN_CLONE },
		{ PW_CALL_CLONE, CLONE_NEWPID, SIGCHLD, PW_SPAWN_CLONE },
		{ PW_CALL_CLONE, CLONE_PARENT, SIGCHLD, PW_SPAWN_CLONE },
		{ PW_CALL_CLONE, CLONE_VM, SIGCHLD, PW_SPAWN_CLONE },
		{ PW_CALL_CLONE, CLONE_VFORK, SIGCHLD, PW_SPAWN_CLONE },
		{ PW_CALL_CLONE, CLONE_VM | CLONE_VFORK, SIGCHLD,
		  PW_SPAWN_POSIX_SPAWN },
		{ PW_CALL_CLONE3, CLONE_VM | CLONE_VFORK | CLONE_PIDFD, 0,
		  PW_SPAWN_POSIX_SPAWN },
		{ PW_CALL_CLONE, CLONE_VM | CLONE_SIGHAND | CLONE_THREAD, 0,
		  PW_SPAWN_THREAD },
		{ PW_CALL_CLONE3, CLONE_THREAD | CLONE_VM | CLONE_VFORK |
		  CLONE_SIGHAND, 0, PW_SPAWN_THREAD },
		{ PW_CALL_CLONE3, CLONE_INTO_CGROUP, SIGCHLD, PW_SPAWN_CLONE },
		{ PW_CALL_CLONE3, CLONE_NEWTIME, SIGCHLD, PW_SPAWN_CLONE },
	};

	return cr_make_param_array(struct kind_case, cases,
				   PW_ARRAY_SIZE(cases));
}

ParameterizedTest(struct kind_case *c, clone, kind_of)
{
	cr_assert_eq(pw_spawn_kind_of(c->call, c->flags, c->sig), c->want,
		     "call %d flags %#llx sig %d", c->call,
		     (unsigned long long)c->flags, c->sig);
}

/* A clone_args with recognisable values in every field. */
static void
put_args(uint64_t flags, uint64_t exit_signal)
{
	fake_put_u64(&fm, ARGS + OFF_FLAGS, flags);
	fake_put_u64(&fm, ARGS + OFF_PIDFD, 0x1111);
	fake_put_u64(&fm, ARGS + OFF_CHILD_TID, 0x2222);
	fake_put_u64(&fm, ARGS + OFF_PARENT_TID, 0x3333);
	fake_put_u64(&fm, ARGS + OFF_EXIT_SIGNAL, exit_signal);
	fake_put_u64(&fm, ARGS + OFF_STACK, 0x4444);
	fake_put_u64(&fm, ARGS + OFF_STACK_SIZE, 0x5555);
	fake_put_u64(&fm, ARGS + OFF_TLS, 0x6666);
}

static void
put_set_tid(const int32_t *tids, uint64_t n, uint64_t size_field)
{
	fake_put(&fm, TIDS, tids, n * sizeof(*tids));
	fake_put_u64(&fm, ARGS + OFF_SET_TID, TIDS);
	fake_put_u64(&fm, ARGS + OFF_SET_TID_SIZE, size_field);
}

Test(clone3, size_below_ver0_is_unreadable)
{
	struct pw_spawn sp;

	put_args(CLONE_VM, SIGCHLD);
	sp = decode(NR_CLONE3, ARGS, 63);
	cr_assert_eq(sp.call, PW_CALL_CLONE3);
	cr_assert(sp.args_unreadable);
	cr_assert_eq(sp.args_size, 63);
	cr_assert_eq(sp.flags, 0);
	cr_assert_eq(sp.exit_signal, 0);
	sp = decode(NR_CLONE3, ARGS, 0);
	cr_assert(sp.args_unreadable);
}

Test(clone3, ver0)
{
	const int32_t tids[] = { 7, 8 };
	struct pw_spawn sp;

	put_args(CLONE_VM | CLONE_NEWTIME | CLONE_PIDFD, SIGCHLD);
	/* VER1/VER2 fields set in memory must be ignored at size 64 */
	put_set_tid(tids, 2, 2);
	fake_put_u64(&fm, ARGS + OFF_CGROUP, 9);
	sp = decode(NR_CLONE3, ARGS, CLONE_ARGS_SIZE_VER0);
	cr_assert_not(sp.args_unreadable);
	cr_assert_eq(sp.args_size, 64);
	cr_assert_eq(sp.flags, CLONE_VM | CLONE_NEWTIME | CLONE_PIDFD,
		     "clone3 flags keep bit 0x80 (CLONE_NEWTIME)");
	cr_assert_eq(sp.exit_signal, SIGCHLD);
	cr_assert_eq(sp.set_tid_size, 0);
	cr_assert_eq(sp.set_tid[0], 0);
	cr_assert_eq(sp.cgroup, 0);
	cr_assert_not(sp.args_tail_nonzero);
	cr_assert_eq(sp.kind, PW_SPAWN_CLONE);
}

Test(clone3, ver1_reads_set_tid)
{
	const int32_t tids[] = { 1234, 1, 42 };
	struct pw_spawn sp;

	put_args(0, SIGCHLD);
	put_set_tid(tids, 3, 3);
	fake_put_u64(&fm, ARGS + OFF_CGROUP, 9);
	sp = decode(NR_CLONE3, ARGS, CLONE_ARGS_SIZE_VER1);
	cr_assert_eq(sp.set_tid_size, 3);
	cr_assert_eq(sp.set_tid[0], 1234);
	cr_assert_eq(sp.set_tid[1], 1);
	cr_assert_eq(sp.set_tid[2], 42);
	cr_assert_eq(sp.set_tid[3], 0);
	cr_assert_eq(sp.cgroup, 0, "cgroup is beyond VER1");
	cr_assert_eq(sp.kind, PW_SPAWN_FORK);
}

Test(clone3, set_tid_max_levels)
{
	int32_t tids[PW_SET_TID_MAX + 1];
	struct pw_spawn sp;

	for (int i = 0; i <= PW_SET_TID_MAX; i++)
		tids[i] = 100 + i;
	put_args(0, SIGCHLD);
	put_set_tid(tids, PW_SET_TID_MAX + 1, PW_SET_TID_MAX);
	sp = decode(NR_CLONE3, ARGS, CLONE_ARGS_SIZE_VER1);
	cr_assert_eq(sp.set_tid_size, PW_SET_TID_MAX);
	cr_assert_eq(sp.set_tid[PW_SET_TID_MAX - 1], 100 + PW_SET_TID_MAX - 1);

	/* 33 is more than MAX_PID_NS_LEVEL: the kernel rejects it unread */
	put_set_tid(tids, PW_SET_TID_MAX + 1, PW_SET_TID_MAX + 1);
	fm.watch_lo = TIDS;
	fm.watch_hi = TIDS + sizeof(tids);
	sp = decode(NR_CLONE3, ARGS, CLONE_ARGS_SIZE_VER1);
	cr_assert_eq(sp.set_tid_size, PW_SET_TID_MAX + 1);
	cr_assert_eq(sp.set_tid[0], 0);
	cr_assert_eq(fm.watch_reads, 0, "set_tid array was read");
}

Test(clone3, set_tid_unreadable)
{
	struct pw_spawn sp;

	put_args(0, SIGCHLD);
	fake_put_u64(&fm, ARGS + OFF_SET_TID, 0x999000);
	fake_put_u64(&fm, ARGS + OFF_SET_TID_SIZE, 2);
	sp = decode(NR_CLONE3, ARGS, CLONE_ARGS_SIZE_VER1);
	cr_assert_not(sp.args_unreadable);
	cr_assert_eq(sp.set_tid_size, 2);
	cr_assert_eq(sp.set_tid[0], 0);
}

Test(clone3, ver2_cgroup)
{
	struct pw_spawn sp;

	put_args(CLONE_INTO_CGROUP | CLONE_CLEAR_SIGHAND, SIGCHLD);
	fake_put_u64(&fm, ARGS + OFF_CGROUP, 9);
	sp = decode(NR_CLONE3, ARGS, CLONE_ARGS_SIZE_VER2);
	cr_assert_eq(sp.flags, CLONE_INTO_CGROUP | CLONE_CLEAR_SIGHAND);
	cr_assert_eq(sp.cgroup, 9);
	cr_assert_not(sp.args_tail_nonzero);
	cr_assert_not(sp.args_unreadable);
	cr_assert_eq(sp.kind, PW_SPAWN_CLONE);
}

/*
 * Without CLONE_INTO_CGROUP the kernel ignores cgroup, and the trace has
 * no key for it: a value left there must not make the event differ from
 * the one read back from the trace.
 */
Test(clone3, cgroup_without_its_flag_is_not_recorded)
{
	struct pw_spawn sp;

	put_args(CLONE_CLEAR_SIGHAND, SIGCHLD);
	fake_put_u64(&fm, ARGS + OFF_CGROUP, 9);
	sp = decode(NR_CLONE3, ARGS, CLONE_ARGS_SIZE_VER2);
	cr_assert_eq(sp.flags, CLONE_CLEAR_SIGHAND);
	cr_assert_eq(sp.cgroup, 0);
}

Test(clone3, thread_and_exit_signal_from_struct)
{
	struct pw_spawn sp;

	put_args(CLONE_VM | CLONE_THREAD | CLONE_SIGHAND, 0);
	sp = decode(NR_CLONE3, ARGS, CLONE_ARGS_SIZE_VER2);
	cr_assert(sp.thread);
	cr_assert_eq(sp.kind, PW_SPAWN_THREAD);
	put_args(0, SIGUSR2);
	sp = decode(NR_CLONE3, ARGS, CLONE_ARGS_SIZE_VER2);
	cr_assert_eq(sp.exit_signal, SIGUSR2);
	put_args(0, 1ULL << 40);	/* EINVAL for the kernel; stays visible */
	sp = decode(NR_CLONE3, ARGS, CLONE_ARGS_SIZE_VER2);
	cr_assert_gt(sp.exit_signal, 255);
}

Test(clone3, oversized_with_zero_tail)
{
	struct pw_spawn sp;

	put_args(CLONE_VM | CLONE_VFORK, SIGCHLD);
	sp = decode(NR_CLONE3, ARGS, 128);
	cr_assert_eq(sp.args_size, 128);
	cr_assert_not(sp.args_tail_nonzero);
	cr_assert_not(sp.args_unreadable);
	cr_assert_eq(sp.kind, PW_SPAWN_POSIX_SPAWN);
}

Test(clone3, oversized_with_nonzero_tail)
{
	struct pw_spawn sp;

	put_args(0, SIGCHLD);
	fake_fill(&fm, ARGS + 127, 1, 1);	/* last byte of a 128-byte struct */
	sp = decode(NR_CLONE3, ARGS, 128);
	cr_assert(sp.args_tail_nonzero);
	cr_assert_not(sp.args_unreadable);
	sp = decode(NR_CLONE3, ARGS, 127);
	cr_assert_not(sp.args_tail_nonzero, "the byte is past size");
	cr_assert_eq(sp.flags, 0);
}

Test(clone3, tail_capped_at_page_size)
{
	struct pw_spawn sp;

	/* Readable up to ARGS + 4096 only; the byte after is non-zero but
	 * beyond PAGE_SIZE, which the kernel never reads (E2BIG outright). */
	fake_hole(&fm, ARGS + FAKE_PAGE + 1, BASE + SIZE);
	fake_fill(&fm, ARGS + FAKE_PAGE, 1, 1);
	put_args(0, SIGCHLD);
	sp = decode(NR_CLONE3, ARGS, 1 << 20);
	cr_assert_eq(sp.args_size, 1 << 20);
	cr_assert_not(sp.args_unreadable);
	cr_assert_not(sp.args_tail_nonzero);
	fake_fill(&fm, ARGS + FAKE_PAGE - 1, 1, 1);
	sp = decode(NR_CLONE3, ARGS, 1 << 20);
	cr_assert(sp.args_tail_nonzero);
}

Test(clone3, unreadable_pointer)
{
	struct pw_spawn sp = decode(NR_CLONE3, 0x1000, CLONE_ARGS_SIZE_VER2);

	cr_assert(sp.args_unreadable);
	cr_assert_eq(sp.flags, 0);
	cr_assert_eq(sp.kind, PW_SPAWN_CLONE);
	sp = decode(NR_CLONE3, 0, CLONE_ARGS_SIZE_VER0);
	cr_assert(sp.args_unreadable);
	/* the struct runs into an unmapped page */
	sp = decode(NR_CLONE3, BASE + SIZE - 32, CLONE_ARGS_SIZE_VER0);
	cr_assert(sp.args_unreadable);
}

Test(clone3, unreadable_tail)
{
	struct pw_spawn sp;

	put_args(CLONE_VM, SIGCHLD);
	fake_hole(&fm, ARGS + 96, BASE + SIZE);
	sp = decode(NR_CLONE3, ARGS, 128);
	cr_assert(sp.args_unreadable);
	cr_assert_eq(sp.flags, CLONE_VM, "the readable head is kept");
}
