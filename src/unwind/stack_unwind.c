/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stack traces with libunwind's remote interface (libunwind(3),
 * unw_create_addr_space): libunwind walks the stack and reads the tracee
 * only through accessors, which are all ours here:
 *  - registers and memory come from the tracer (struct pw_unwind_tracee,
 *    src/tracer/tracee_mem.c): one PTRACE_GETREGS per stack, and memory
 *    in pages from the page cache of the stop, shared with the decoders
 *    (the stack's saved registers, the .eh_frame_hdr index and the
 *    .eh_frame entries sit close together), so nothing here calls ptrace;
 *  - the unwind tables are found from the ELF headers procwatch reads
 *    (with pread) anyway, and searched in the tracee's own memory as a
 *    "remote table".  libunwind-ptrace's _UPT_find_proc_info would instead
 *    re-read /proc/PID/maps and mmap the object file at every switch
 *    between objects; and a mapped file that someone truncates raises
 *    SIGBUS on access, inside libunwind, with every signal blocked by its
 *    locks: procwatch would die and take the traced command with it
 *    (EXITKILL).
 * libunwind's accessors get no pointer of ours, so the unwinder of the
 * stack being taken is reached through a file-scope pointer: procwatch is
 * single-threaded and takes one stack at a time.
 *
 * Caches.  An address space (unw_addr_space_t) caches the register rules
 * libunwind derived from .eh_frame, keyed by code address.  Those rules
 * hold for any process with the same executable mappings, so address
 * spaces are kept per layout (struct pw_code_maps.layout), not per pid:
 * a fork child shares its parent's warm cache, and an exec, dlopen or
 * dlclose gives a new layout and so never meets stale rules.  Nothing is
 * kept per thread: the tracee is the stop's, and the layout is read
 * afresh at every stack.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>
#include <unistd.h>

#include <libunwind.h>

/*
 * libunwind's search of a binary-search table such as .eh_frame_hdr's,
 * exported by libunwind-x86_64 though declared only in its internal
 * headers (perf's unwinder declares it the same way).
 */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as, unw_word_t ip,
					      unw_dyn_info_t *di, unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

#include "procwatch/base.h"
#include "procwatch/unwind.h"
#include "unwind_internal.h"

#define ADDRESS_SPACES 32	/* layouts kept; the least recently used goes */
#define ENTRY_SLOTS 32		/* syscall sites whose unwind info was looked up */

/* Whether the code at a syscall site has unwind info (an FDE) at all. */
struct syscall_site {
	uint64_t ip;		/* 0: empty */
	bool has_info;
};

struct address_space {
	uint64_t layout;
	unw_addr_space_t as;	/* NULL: free entry */
	uint64_t last_used;
	struct syscall_site sites[ENTRY_SLOTS];
};

struct pw_unwinder {
	unsigned depth;
	unw_accessors_t accessors;
	struct address_space spaces[ADDRESS_SPACES];
	uint64_t clock;
	struct pw_code_maps maps;
	struct pw_object_cache objects;

	/* The stack being taken. */
	struct pw_unwind_tracee *tracee;
	pid_t tid;
	struct user_regs_struct regs;
	bool regs_read;
	int read_errno;		/* first failed read: ESRCH means the task is gone */
	int test_kill_after;	/* frames before the test kill; -1: none */
};

static struct pw_unwinder *current;

static void
note_errno(struct pw_unwinder *u, int err)
{
	if (!u->read_errno)
		u->read_errno = err;
}

/* One word, through the tracer (which reads execute-only code too). */
static int
read_word(struct pw_unwinder *u, uint64_t addr, uint64_t *val)
{
	int rc = u->tracee->read(u->tracee, addr, val, sizeof(*val));

	if (rc < 0) {
		note_errno(u, -rc);
		return -1;
	}
	return 0;
}

static int
access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write, void *arg)
{
	(void)as;
	(void)arg;
	if (write || !current)
		return -UNW_EINVAL;
	return read_word(current, addr, (uint64_t *)val) < 0 ? -UNW_EINVAL : 0;
}

/* libunwind's x86-64 register numbers (UNW_X86_64_*) in struct user_regs_struct. */
static const size_t reg_offsets[] = {
	[UNW_X86_64_RAX] = offsetof(struct user_regs_struct, rax),
	[UNW_X86_64_RDX] = offsetof(struct user_regs_struct, rdx),
	[UNW_X86_64_RCX] = offsetof(struct user_regs_struct, rcx),
	[UNW_X86_64_RBX] = offsetof(struct user_regs_struct, rbx),
	[UNW_X86_64_RSI] = offsetof(struct user_regs_struct, rsi),
	[UNW_X86_64_RDI] = offsetof(struct user_regs_struct, rdi),
	[UNW_X86_64_RBP] = offsetof(struct user_regs_struct, rbp),
	[UNW_X86_64_RSP] = offsetof(struct user_regs_struct, rsp),
	[UNW_X86_64_R8] = offsetof(struct user_regs_struct, r8),
	[UNW_X86_64_R9] = offsetof(struct user_regs_struct, r9),
	[UNW_X86_64_R10] = offsetof(struct user_regs_struct, r10),
	[UNW_X86_64_R11] = offsetof(struct user_regs_struct, r11),
	[UNW_X86_64_R12] = offsetof(struct user_regs_struct, r12),
	[UNW_X86_64_R13] = offsetof(struct user_regs_struct, r13),
	[UNW_X86_64_R14] = offsetof(struct user_regs_struct, r14),
	[UNW_X86_64_R15] = offsetof(struct user_regs_struct, r15),
	[UNW_X86_64_RIP] = offsetof(struct user_regs_struct, rip),
};

static int
access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write, void *arg)
{
	struct pw_unwinder *u = current;

	(void)as;
	(void)arg;
	if (write)
		return -UNW_EREADONLYREG;
	if (!u || reg < 0 || (size_t)reg >= PW_ARRAY_SIZE(reg_offsets))
		return -UNW_EBADREG;
	if (!u->regs_read) {
		int rc = u->tracee->get_regs(u->tracee, &u->regs);

		if (rc < 0) {
			note_errno(u, -rc);
			return -UNW_EUNSPEC;
		}
		u->regs_read = true;
	}
	memcpy(val, (char *)&u->regs + reg_offsets[reg], sizeof(*val));
	return 0;
}

/*
 * Where the unwind table of the object mapped at ip lies in the tracee:
 * .eh_frame_hdr (PT_GNU_EH_FRAME) starts with version 1, the encodings of
 * the .eh_frame pointer, of the entry count and of the table, then those
 * two values and the sorted table of (start, FDE) pairs (LSB 5.0, "Linux
 * Standard Base Core Specification", .eh_frame_hdr).  Only the layout
 * every x86-64 toolchain writes is taken: 4-byte values, datarel table.
 */
static int
describe_table(struct pw_unwinder *u, uint64_t ip, unw_dyn_info_t *di)
{
	struct pw_code_map *map = pw_code_maps_find(&u->maps, ip);
	const struct pw_elf_symbols *syms;
	uint64_t text_vaddr, hdr_vaddr, hdr, head, count;

	if (!map || !(syms = pw_code_map_symbols(&u->objects, u->tid, map)) ||
	    !pw_elf_symbols_vaddr(syms, map->offset, &text_vaddr) ||
	    !pw_elf_symbols_eh_frame_hdr(syms, &hdr_vaddr))
		return -1;
	hdr = map->start - text_vaddr + hdr_vaddr;
	if (read_word(u, hdr, &head) < 0 || read_word(u, hdr + 8, &count) < 0)
		return -1;
	if ((head & 0xff) != 1 || ((head >> 8) & 0x07) != 0x03 ||
	    ((head >> 16) & 0xff) != 0x03 || ((head >> 24) & 0xff) != 0x3b)
		return -1;	/* not version 1, or not 4-byte values and a datarel sdata4 table */
	memset(di, 0, sizeof(*di));
	di->start_ip = map->start;
	di->end_ip = map->end;
	di->format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di->u.rti.segbase = hdr;	/* the table's entries are relative to it */
	di->u.rti.table_data = hdr + 12;
	di->u.rti.table_len = (count & 0xffffffff) * 8 / sizeof(unw_word_t);
	return 0;
}

static int
find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
	       int need_unwind_info, void *arg)
{
	unw_dyn_info_t di;

	if (!current || describe_table(current, ip, &di) < 0)
		return -UNW_ENOINFO;
	return UNW_OBJ(dwarf_search_unwind_table)(as, ip, &di, pi, need_unwind_info, arg);
}

/* No JIT registration list (_U_dyn_register) is read from tracees. */
static int
no_dyn_info_list(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
	(void)as;
	(void)addr;
	(void)arg;
	return -UNW_ENOINFO;
}

/*
 * libunwind calls this only for unwind info that came from a dynamic (JIT)
 * registration, and no_dyn_info_list reports none; what
 * dwarf_search_unwind_table allocates, libunwind frees itself.
 */
static void
put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	(void)as;
	(void)pi;
	(void)arg;
}

/* Floating-point registers (unw_get_fpreg) are never asked for. */
static int
no_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val, int write, void *arg)
{
	(void)as;
	(void)reg;
	(void)val;
	(void)write;
	(void)arg;
	return -UNW_EBADREG;
}

/* unw_resume would make the tracee jump to a frame: never. */
static int
no_resume(unw_addr_space_t as, unw_cursor_t *cursor, void *arg)
{
	(void)as;
	(void)cursor;
	(void)arg;
	return -UNW_EINVAL;
}

/* The address space for a layout: kept, or made (evicting the oldest). */
static struct address_space *
address_space_for(struct pw_unwinder *u, uint64_t layout)
{
	struct address_space *oldest = &u->spaces[0];

	u->clock++;
	for (size_t i = 0; i < ADDRESS_SPACES; i++) {
		struct address_space *s = &u->spaces[i];

		if (s->as && s->layout == layout) {
			s->last_used = u->clock;
			return s;
		}
		if (!s->as || (oldest->as && s->last_used < oldest->last_used))
			oldest = s;
	}
	if (oldest->as)
		unw_destroy_addr_space(oldest->as);
	memset(oldest, 0, sizeof(*oldest));
	oldest->as = unw_create_addr_space(&u->accessors, 0);
	if (!oldest->as)
		return NULL;
	unw_set_caching_policy(oldest->as, UNW_CACHE_GLOBAL);
	oldest->layout = layout;
	oldest->last_used = u->clock;
	return oldest;
}

/* Whether libunwind has an FDE for the syscall site ip; remembered per layout. */
static bool
site_has_info(struct pw_unwinder *u, struct address_space *s, uint64_t ip)
{
	struct syscall_site *site = &s->sites[(ip >> 2) % ENTRY_SLOTS];
	unw_proc_info_t pi;

	if (site->ip != ip) {
		site->ip = ip;
		site->has_info = u->accessors.find_proc_info(s->as, ip, &pi, 0, NULL) >= 0;
	}
	return site->has_info;
}

/*
 * glibc's clone and clone3 wrappers end their unwind info just before the
 * syscall instruction ("in the child the unwind info will be wrong",
 * sysdeps/unix/sysv/linux/x86_64/clone3.S), so at their entry libunwind
 * has nothing to go on and its frame-pointer guess yields garbage.  Both
 * are leaf stubs that have not touched the stack by then: the return
 * address is at [rsp].  The walk then restarts from the caller.  Only
 * taken when that address lies in code.
 */
static bool
step_out_of_leaf_stub(struct pw_unwinder *u, struct address_space *s,
		      unw_cursor_t *cursor, uint64_t ip)
{
	uint64_t ra;

	if (!u->regs_read || site_has_info(u, s, ip) ||
	    read_word(u, u->regs.rsp, &ra) < 0 || !pw_code_maps_find(&u->maps, ra - 1))
		return false;
	u->regs.rip = ra;
	u->regs.rsp += 8;
	return unw_init_remote(cursor, s->as, NULL) >= 0;
}

static void __attribute__((format(printf, 2, 3)))
set_note(struct pw_stack *out, const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(out->note);
	out->note = strdup(buf);
}

/* Why the walk ended early, from the first failed read or libunwind's code. */
static void
note_failure(struct pw_unwinder *u, struct pw_stack *out, int unw_err)
{
	if (u->read_errno == ESRCH)
		set_note(out, "the task died while its stack was read");
	else if (u->read_errno)
		set_note(out, "reading the task failed: %s", strerror(u->read_errno));
	else
		set_note(out, "unwinding stopped: %s", unw_strerror(unw_err));
}

/*
 * PROCWATCH_TEST_KILL_UNWOUND: kill the thread and wait until it is a
 * zombie (its memory is gone then), so that every read after this one
 * fails as it would had the task died on its own at this moment.
 */
static void
test_kill(struct pw_unwinder *u)
{
	char path[64], stat[512];

	u->test_kill_after = -1;
	kill(u->tid, SIGKILL);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)u->tid);
	for (long tries = 0; tries < 10000000; tries++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, stat, sizeof(stat) - 1);
		char *paren;

		if (fd >= 0)
			close(fd);
		if (n <= 0)
			break;
		stat[n] = '\0';
		paren = strrchr(stat, ')');
		if (!paren || paren[2] == 'Z' || paren[2] == 'X')
			break;
		sched_yield();
	}
	u->tracee->forget(u->tracee);	/* the pages read before are gone */
}

static void
walk(struct pw_unwinder *u, struct address_space *s, struct pw_stack *out)
{
	unw_cursor_t cursor;
	unw_word_t ip;
	int r;

	if ((r = unw_init_remote(&cursor, s->as, NULL)) < 0) {
		note_failure(u, out, r);
		return;
	}
	for (;;) {
		if (u->test_kill_after == (int)out->nframes)
			test_kill(u);
		if ((r = unw_get_reg(&cursor, UNW_REG_IP, &ip)) < 0 || ip == 0)
			break;
		if (out->nframes == u->depth) {
			set_note(out, "deeper than %u frames", u->depth);
			return;
		}
		if (pw_symbolize(&u->objects, &u->maps, u->tid, ip, out->nframes > 0,
				 &out->frames[out->nframes]) < 0) {
			set_note(out, "%s", strerror(ENOMEM));
			return;
		}
		out->nframes++;
		if (out->nframes == 1 && step_out_of_leaf_stub(u, s, &cursor, ip))
			continue;
		if ((r = unw_step(&cursor)) <= 0)
			break;
	}
	if (r < 0)
		note_failure(u, out, r);
}

void
pw_unwind_stack(struct pw_unwinder *u, struct pw_unwind_tracee *tracee,
		struct pw_stack *out)
{
	struct address_space *space;
	int err;

	memset(out, 0, sizeof(*out));
	out->requested = true;
	pw_object_cache_trim(&u->objects);
	u->tracee = tracee;
	u->tid = tracee->tid;
	u->regs_read = false;
	u->read_errno = 0;
	if ((err = pw_code_maps_read(&u->maps, u->tid)) < 0) {
		u->read_errno = err == -ENOENT ? ESRCH : -err;
		note_failure(u, out, 0);
		return;
	}
	out->frames = calloc(u->depth, sizeof(*out->frames));
	space = address_space_for(u, u->maps.layout);
	if (!out->frames || !space) {
		set_note(out, "%s", strerror(ENOMEM));
		return;
	}
	current = u;
	walk(u, space, out);
	current = NULL;
	if (out->nframes == 0) {
		free(out->frames);
		out->frames = NULL;
	}
}

struct pw_unwinder *
pw_unwinder_new(unsigned depth, const char **why)
{
	struct pw_unwinder *u = calloc(1, sizeof(*u));

	if (!u) {
		*why = "out of memory";
		return NULL;
	}
	u->depth = depth;
	/* get_proc_name stays NULL: frames are named by pw_symbolize. */
	u->accessors = (unw_accessors_t){
		.find_proc_info = find_proc_info,
		.put_unwind_info = put_unwind_info,
		.get_dyn_info_list_addr = no_dyn_info_list,
		.access_mem = access_mem,
		.access_reg = access_reg,
		.access_fpreg = no_fpreg,
		.resume = no_resume,
	};
	u->test_kill_after = -1;
	pw_object_cache_init(&u->objects);
	return u;
}

void
pw_unwinder_free(struct pw_unwinder *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < ADDRESS_SPACES; i++)
		if (u->spaces[i].as)
			unw_destroy_addr_space(u->spaces[i].as);
	pw_code_maps_free(&u->maps);
	pw_object_cache_free(&u->objects);
	free(u);
}

void
pw_unwinder_test_kill(struct pw_unwinder *u, unsigned after_frames)
{
	u->test_kill_after = (int)after_frames;
}
