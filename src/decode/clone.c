/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Spawn calls at syscall entry: clone, clone3, fork and vfork decoded into
 * flags, exit signal and the clone3 extras, and classified into what the
 * call amounts to (fork, vfork, posix_spawn, thread, other clone).
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "procwatch/decode.h"
#include "procwatch/linux_compat.h"
#include "mem_internal.h"

/*
 * struct clone_args of include/uapi/linux/sched.h, under our own name so
 * that it has every field whatever the installed headers know, and so it
 * never clashes with theirs.  All fields are __aligned_u64.
 */
struct pw_clone_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;	/* VER1 */
	uint64_t set_tid_size;	/* VER1 */
	uint64_t cgroup;	/* VER2 */
};

_Static_assert(offsetof(struct pw_clone_args, set_tid) == CLONE_ARGS_SIZE_VER0,
	       "clone_args VER0 layout");
_Static_assert(offsetof(struct pw_clone_args, cgroup) == CLONE_ARGS_SIZE_VER1,
	       "clone_args VER1 layout");
_Static_assert(sizeof(struct pw_clone_args) == CLONE_ARGS_SIZE_VER2,
	       "clone_args VER2 layout");

/*
 * Flags that only say where to store tids, pidfds and TLS: they do not
 * change what kind of process is made, so glibc's fork() (which passes
 * CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID) still counts as a fork.
 */
#define PW_CLONE_BOOKKEEPING (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | \
			      CLONE_PARENT_SETTID | CLONE_PIDFD | CLONE_SETTLS)

enum pw_spawn_kind
pw_spawn_kind_of(enum pw_call call, uint64_t flags, int exit_signal)
{
	const uint64_t vm_vfork = CLONE_VM | CLONE_VFORK;
	bool is_clone = call == PW_CALL_CLONE || call == PW_CALL_CLONE3;

	if (flags & CLONE_THREAD)
		return PW_SPAWN_THREAD;
	if (call == PW_CALL_VFORK)
		return PW_SPAWN_VFORK;
	if (is_clone && (flags & vm_vfork) == vm_vfork)
		return PW_SPAWN_POSIX_SPAWN;
	if (call == PW_CALL_FORK)
		return PW_SPAWN_FORK;
	if (is_clone && (flags & ~(uint64_t)PW_CLONE_BOOKKEEPING) == 0 &&
	    exit_signal == SIGCHLD)
		return PW_SPAWN_FORK;
	return PW_SPAWN_CLONE;
}

/*
 * Reads the set_tid array.  The kernel (kernel/fork.c,
 * copy_clone_args_from_user) rejects set_tid_size > MAX_PID_NS_LEVEL with
 * EINVAL before reading it, so a larger size is recorded but not read.  An
 * unreadable array leaves zeros: that call fails with EFAULT and its
 * result says so.
 */
static void
read_set_tid(struct pw_mem *mem, const struct pw_clone_args *ca,
	     struct pw_spawn *out)
{
	int32_t tids[PW_SET_TID_MAX];

	out->set_tid_size = (size_t)ca->set_tid_size;	/* both 64-bit */
	if (ca->set_tid_size == 0 || ca->set_tid_size > PW_SET_TID_MAX ||
	    ca->set_tid == 0)
		return;
	if (pw_mem_read_exact(mem, ca->set_tid, tids,
			      (size_t)ca->set_tid_size * sizeof(tids[0])) < 0)
		return;
	for (size_t i = 0; i < ca->set_tid_size; i++)
		out->set_tid[i] = tids[i];
}

/*
 * Bytes past the struct we know.  The kernel (copy_struct_from_user)
 * fails with E2BIG when any is non-zero and never looks past PAGE_SIZE
 * (larger sizes are E2BIG outright).  -errno when the tail is unreadable.
 */
static int
tail_nonzero(struct pw_mem *mem, uint64_t addr, uint64_t size, bool *nonzero)
{
	unsigned char tail[PW_PAGE_SIZE - CLONE_ARGS_SIZE_VER2];
	size_t len;
	int rc;

	*nonzero = false;
	if (size > PW_PAGE_SIZE)
		size = PW_PAGE_SIZE;
	len = (size_t)size - CLONE_ARGS_SIZE_VER2;
	rc = pw_mem_read_exact(mem, addr + CLONE_ARGS_SIZE_VER2, tail, len);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < len; i++)
		if (tail[i])
			*nonzero = true;
	return 0;
}

/* The exit signal is a u64 in clone_args; keep a bogus one visible. */
static int
clamp_signal(uint64_t sig)
{
	return sig > INT_MAX ? INT_MAX : (int)sig;
}

/*
 * kernel/fork.c: copy_clone_args_from_user rejects size < VER0 with
 * EINVAL, so such a struct is not read at all.  Smaller published
 * versions leave the later fields zero, as the kernel does.
 */
static void
decode_clone3(const struct pw_syscall *sc, struct pw_mem *mem,
	      struct pw_spawn *out)
{
	struct pw_clone_args ca;
	uint64_t addr = sc->args[0], size = sc->args[1];
	size_t fetch = size < sizeof(ca) ? (size_t)size : sizeof(ca);
	bool nonzero;

	memset(&ca, 0, sizeof(ca));
	out->args_size = size;
	if (size < CLONE_ARGS_SIZE_VER0 || addr == 0 || !mem ||
	    pw_mem_read_exact(mem, addr, &ca, fetch) < 0) {
		out->args_unreadable = true;
		return;
	}
	out->flags = ca.flags;
	out->exit_signal = clamp_signal(ca.exit_signal);
	/*
	 * kernel/fork.c looks at cgroup only with CLONE_INTO_CGROUP; without
	 * it the field is whatever the caller left there, and the event
	 * (event.h) and every sink mean it only with the flag.
	 */
	if (ca.flags & CLONE_INTO_CGROUP)
		out->cgroup = ca.cgroup;
	read_set_tid(mem, &ca, out);
	if (size <= sizeof(ca))
		return;
	/* An unreadable tail fails the call with EFAULT like the head would. */
	if (tail_nonzero(mem, addr, size, &nonzero) < 0)
		out->args_unreadable = true;
	out->args_tail_nonzero = nonzero;
}

/*
 * kernel/fork.c, SYSCALL_DEFINE5(clone): only the low 32 bits of the flags
 * count, and their low byte (CSIGNAL) is the exit signal, not a flag.
 */
static void
decode_clone(const struct pw_syscall *sc, struct pw_spawn *out)
{
	uint32_t raw = (uint32_t)sc->args[0];

	out->flags = raw & ~(uint32_t)CSIGNAL;
	out->exit_signal = (int)(raw & CSIGNAL);
}

void
pw_decode_spawn_entry(const struct pw_syscall *sc, struct pw_mem *mem,
		      struct pw_spawn *out)
{
	memset(out, 0, sizeof(*out));
	out->call = pw_call_from_nr(sc->nr);
	if (out->call == PW_CALL_CLONE) {
		decode_clone(sc, out);
	} else if (out->call == PW_CALL_CLONE3) {
		decode_clone3(sc, mem, out);
	} else if (out->call == PW_CALL_VFORK) {
		/* kernel/fork.c: vfork is CLONE_VM|CLONE_VFORK, SIGCHLD */
		out->flags = CLONE_VM | CLONE_VFORK;
		out->exit_signal = SIGCHLD;
	} else if (out->call == PW_CALL_FORK) {
		out->exit_signal = SIGCHLD;	/* kernel/fork.c: no flags */
	}
	out->thread = (out->flags & CLONE_THREAD) != 0;
	out->kind = pw_spawn_kind_of(out->call, out->flags, out->exit_signal);
}
