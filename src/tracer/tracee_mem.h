/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to src/tracer/ (and its unit test): the one service that reads a
 * stopped tracee's registers and memory, for the decoders (struct pw_mem)
 * and for the unwinder (struct pw_unwind_tracee) alike.
 *
 * Memory is read in whole pages into a fixed set of slots, allocated once,
 * and each page is read at most once per stop: on a miss, one
 * process_vm_readv brings a run of consecutive pages, so a big argv costs
 * a syscall per run of pages instead of one per string.  What was read is
 * valid for one stop only: the tracer calls tracee_mem_begin() at the start
 * of handling every stop, which forgets everything read before.
 */
#ifndef PROCWATCH_TRACEE_MEM_H
#define PROCWATCH_TRACEE_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>

#include "procwatch/decode.h"
#include "procwatch/unwind.h"

#define TRACEE_PAGE 4096u	/* x86-64 base pages: every mapping starts and ends on one */
#define TRACEE_SLOTS 64u	/* pages kept per stop: 256 KiB, allocated once */
#define TRACEE_RUN_MAX 16u	/* pages one process_vm_readv brings at most */

/*
 * The raw reads, one call to the kernel each.  tracee_io_kernel is the real
 * one; unit tests pass a fake tracee instead.
 */
struct tracee_io {
	/*
	 * Copies the n pages at addr (page-aligned) into pages[0..n), one
	 * page each, and returns the bytes copied: fewer than asked when it
	 * stopped at a page it cannot read, -errno when it read nothing.
	 */
	ssize_t (*read_pages)(pid_t tid, uint64_t addr, const struct iovec *pages,
			      size_t n);
	/* One word at addr (any alignment), read even where the program cannot read: 0 or -errno. */
	int (*peek)(pid_t tid, uint64_t addr, uint64_t *word);
	int (*get_regs)(pid_t tid, struct user_regs_struct *regs);	/* 0 or -errno */
};

extern const struct tracee_io tracee_io_kernel;

/* One cached page; valid only while generation is the service's. */
struct tracee_page {
	uint64_t addr;
	unsigned long generation;
	int err;		/* 0: bytes hold the page; EFAULT: it cannot be read */
	unsigned run;		/* pages in the read that brought it */
};

/* Kernel calls made, for PROCWATCH_STATS. */
struct tracee_mem_stats {
	unsigned long reads;	/* process_vm_readv calls */
	unsigned long pages;	/* pages they copied */
	unsigned long peeks;	/* PTRACE_PEEKDATA calls */
};

struct tracee_mem {
	struct pw_mem mem;		/* the decoders' view */
	struct pw_unwind_tracee unwind;	/* the unwinder's view */
	const struct tracee_io *io;
	pid_t tid;			/* the task of the current stop */
	unsigned long generation;	/* bumped at every stop */
	bool no_readv;			/* ENOSYS: this kernel has no process_vm_readv */
	unsigned long refused_in;	/* EPERM at this generation: peek until the next stop */
	unsigned next;			/* slot the next miss fills first (oldest first) */
	unsigned last;			/* slot of the last hit */
	struct tracee_page slots[TRACEE_SLOTS];
	unsigned char (*bytes)[TRACEE_PAGE];	/* TRACEE_SLOTS pages */
	struct tracee_mem_stats stats;
};

/* 0, or -ENOMEM.  io is &tracee_io_kernel outside tests. */
int tracee_mem_init(struct tracee_mem *m, const struct tracee_io *io);
void tracee_mem_free(struct tracee_mem *m);

/*
 * A new stop of tid is being handled: whatever was read before (of any
 * task) is forgotten, since the task may have run since.
 */
void tracee_mem_begin(struct tracee_mem *m, pid_t tid);

/*
 * The views of tid, which must be the task of the current stop; asked for
 * another, they start afresh for it (never another task's pages).
 */
struct pw_mem *tracee_mem_decoder(struct tracee_mem *m, pid_t tid);
struct pw_unwind_tracee *tracee_mem_unwinder(struct tracee_mem *m, pid_t tid);

#endif
