/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stack traces of stopped tracees (-k): who called clone or execve.  The
 * tracer asks for a thread's stack at a syscall-entry stop and gets frames
 * (function+offset, object file, address) in a struct pw_stack.  Built on
 * libunwind's remote interface when procwatch was built with it (meson
 * feature "unwind"); without it pw_unwinder_new() says why stacks are
 * unavailable.  Everything that needs libunwind lives in src/unwind/.
 */
#ifndef PROCWATCH_UNWIND_H
#define PROCWATCH_UNWIND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "procwatch/event.h"

/*
 * The stopped thread whose stack is taken, as the tracer lends it: the
 * unwinder reads its registers and memory only through these, so that
 * every ptrace call stays in src/tracer/ (tracee_mem.c), where the pages
 * read in one stop are shared with the decoders.
 */
struct pw_unwind_tracee {
	pid_t tid;
	/* Its general registers: 0, or -errno (-ESRCH: it is gone). */
	int (*get_regs)(struct pw_unwind_tracee *t, struct user_regs_struct *regs);
	/*
	 * Exactly len bytes at addr, read as a debugger reads: code the
	 * program may only execute (no PROT_READ) is read all the same.
	 * 0, or -errno (-ESRCH: it is gone).
	 */
	int (*read)(struct pw_unwind_tracee *t, uint64_t addr, void *buf, size_t len);
	/* It may have run, or died, since: forget what was read of it. */
	void (*forget)(struct pw_unwind_tracee *t);
};

struct pw_unwinder;		/* caches shared by every traced process */

/*
 * An unwinder taking at most depth frames per stack; NULL with *why set
 * (a sentence for the user) when stacks cannot be taken.
 */
struct pw_unwinder *pw_unwinder_new(unsigned depth, const char **why);
void pw_unwinder_free(struct pw_unwinder *u);

/*
 * Fills out (requested, frames, note) with the stack of tracee, which must
 * be in a ptrace-stop.  Nothing is kept per thread or process: the code
 * layout is read afresh each time, so an exec, a non-leader exec's new tid
 * or a dlopen needs no call here.  Never fails: what went wrong is in
 * out->note.
 */
void pw_unwind_stack(struct pw_unwinder *u, struct pw_unwind_tracee *tracee,
		     struct pw_stack *out);

/*
 * For tests only (PROCWATCH_TEST_KILL_UNWOUND): the next stack taken gets
 * its thread killed with SIGKILL once after_frames frames are read, to
 * show that a tracee dying under the unwinder costs a note, not a crash.
 */
void pw_unwinder_test_kill(struct pw_unwinder *u, unsigned after_frames);

#endif
