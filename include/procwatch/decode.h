/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoders: pure functions from a syscall's raw x86-64 register values (and
 * reads of the tracee's memory through struct pw_mem) to the fields of a
 * struct pw_event.  They never call ptrace and never print, so unit tests
 * feed them hand-made registers and a fake memory.
 */
#ifndef PROCWATCH_DECODE_H
#define PROCWATCH_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "procwatch/event.h"

/* A syscall as the tracer saw it at a stop (x86-64 personality). */
struct pw_syscall {
	long nr;		/* orig_rax */
	uint64_t args[6];	/* rdi, rsi, rdx, r10, r8, r9 */
	long rval;		/* at exit: rax (-errno on failure) */
};

/*
 * Access to the tracee's memory.  read() copies up to len bytes from addr
 * and returns how many it copied: fewer than len when the range runs into
 * an unreadable page, -errno (EFAULT, ESRCH, ...) when nothing could be
 * read.  It sees what the kernel's own copy of the syscall's arguments
 * would (copy_from_user): a page the program cannot read is unreadable
 * here too.  The tracer's implementation (src/tracer/tracee_mem.c) serves
 * it from a page cache that lasts one stop.
 */
struct pw_mem {
	ssize_t (*read)(struct pw_mem *mem, uint64_t addr, void *buf, size_t len);
	/*
	 * Optional (NULL: read() only): the bytes from addr to the end of its
	 * page, where the implementation holds them readable already; *len
	 * says how many.  Valid until the next call.  NULL when it does not
	 * (read() then copies them, or says why not).  Saves a copy for the
	 * strings of an argv, which are found by their NUL.
	 */
	const void *(*map)(struct pw_mem *mem, uint64_t addr, size_t *len);
};

/* Reads exactly len bytes: 0, or -errno (-EFAULT for a short read). */
int pw_mem_read_exact(struct pw_mem *mem, uint64_t addr, void *buf, size_t len);

/*
 * Reads the NUL-terminated string at addr, at most max bytes (without the
 * NUL), chunk by chunk so that a string ending just before an unmapped page
 * is still read whole.  Returns 0 and fills out (out->data malloc'ed, NUL
 * terminated), 1 when the string was cut at max bytes, or -errno with
 * out->data NULL and out->err set.
 */
int pw_mem_read_string(struct pw_mem *mem, uint64_t addr, size_t max,
		       struct pw_bytes *out);

/* Limits for argv (and envp): beyond them argv_truncated is set. */
struct pw_exec_limits {
	size_t max_args;
	size_t max_bytes;	/* sum of the argument lengths */
};
#define PW_EXEC_MAX_ARGS_DEFAULT 65536
#define PW_EXEC_MAX_BYTES_DEFAULT (16u << 20)

/*
 * Spawn calls, decoded at syscall entry: call, flags, exit_signal, kind,
 * thread and the clone3 fields.  child/parent/result are the tracer's to
 * fill in once the outcome is known.
 */
void pw_decode_spawn_entry(const struct pw_syscall *sc, struct pw_mem *mem,
			   struct pw_spawn *out);
enum pw_spawn_kind pw_spawn_kind_of(enum pw_call call, uint64_t flags,
				    int exit_signal);

/*
 * execve/execveat at entry: path and argv are copied from the tracee (the
 * image is gone after a successful exec).  The AT_EMPTY_PATH case is left
 * with the path as passed (usually ""); the tracer replaces it with the file
 * /proc/PID/fd/DIRFD names.  Release with pw_event_clear().
 */
void pw_decode_exec_entry(const struct pw_syscall *sc, struct pw_mem *mem,
			  const struct pw_exec_limits *limits, struct pw_exec *out);

/*
 * An exec's argv is read once: from the new image after a success, from
 * the old one after a failure.  At the entry, this reads the path and
 * argv[0] only (what the new image cannot give back: a #! script's has
 * the interpreter in its place) and returns how many elements argv has,
 * to be read later with pw_decode_exec_image or pw_decode_exec_argv.  It
 * returns 0 when out holds argv as pw_decode_exec_entry reads it, all
 * that will be known: an empty or unreadable array, more elements than
 * limits->max_args, argv[0] alone past limits->max_bytes.
 */
size_t pw_decode_exec_entry_head(const struct pw_syscall *sc, struct pw_mem *mem,
				 const struct pw_exec_limits *limits, struct pw_exec *out);

/*
 * At the exit of a failed exec, whose caller still has its old image:
 * out's argv, replaced by the whole of it, read as pw_decode_exec_entry
 * reads it from the arguments of sc (the call's entry).
 */
void pw_decode_exec_argv(const struct pw_syscall *sc, struct pw_mem *mem,
			 const struct pw_exec_limits *limits, struct pw_exec *out);

/*
 * At PTRACE_EVENT_EXEC, out's argv (argv[0] from
 * pw_decode_exec_entry_head, entry_argc elements at the entry) replaced
 * by what the new program received, read from its initial stack, sp
 * being its stack pointer then: argc, the argv pointers and a NULL
 * (fs/binfmt_elf.c, create_elf_tables), pointing into the argument area
 * the kernel copied at the call.  Unlike the entry's, no other thread of
 * the old program can have changed it meanwhile.  Where the kernel put an
 * interpreter, its argument and the path in place of argv[0]
 * (fs/binfmt_script.c, load_script; fs/binfmt_misc.c), the entry's
 * argv[0] stays and the rest follows the path.  Within limits, counted
 * as at the entry.  0; -EINVAL when argc does not count the pointers (a
 * 32-bit program's stack, whose words are 4 bytes), -EFAULT when the
 * stack cannot be read: out's argv is then partial, to be replaced.
 */
int pw_decode_exec_image(uint64_t sp, struct pw_mem *mem, const struct pw_exec_limits *limits,
			 size_t entry_argc, struct pw_exec *out);

/*
 * --env: envp of an execve/execveat at entry, whole, in out (cleared
 * first), within the same kind of limits as argv (the count, and the sum
 * of the entries' lengths).  Release with pw_env_clear().
 */
void pw_decode_exec_env(const struct pw_syscall *sc, struct pw_mem *mem,
			const struct pw_exec_limits *limits, struct pw_env *out);

/* wait4/waitid: arguments at entry, result and status at exit. */
void pw_decode_wait_entry(const struct pw_syscall *sc, struct pw_wait *out);
void pw_decode_wait_exit(const struct pw_syscall *sc, struct pw_mem *mem,
			 struct pw_wait *out);

/* exit/exit_group at entry: the code the task asks for (low 8 bits kept). */
int pw_decode_exit_code(const struct pw_syscall *sc);

/* A wait(2)-style status word; a waitid siginfo (si_code, si_status). */
void pw_status_from_wait(int status, struct pw_status *out);
void pw_status_from_siginfo(int code, int status, struct pw_status *out);

#endif
