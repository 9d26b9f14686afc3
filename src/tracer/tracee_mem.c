/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a stopped tracee's registers and memory (tracee_mem.h): for the
 * decoders through struct pw_mem, for the unwinder through struct
 * pw_unwind_tracee, both from one page cache that lives for one stop.
 *
 * Two ways of reading, kept apart:
 *  - The decoders must see what the kernel's own copy of the syscall's
 *    arguments sees (copy_from_user, strncpy_from_user for execve's
 *    strings).  process_vm_readv pins the pages without FOLL_FORCE
 *    (mm/process_vm_access.c), so like that copy it fails on a page the
 *    program cannot read, and a string that runs into one is EFAULT.
 *    PTRACE_PEEKDATA reads with FOLL_FORCE (kernel/ptrace.c,
 *    ptrace_access_vm), pages without PROT_READ included, so the decoders
 *    use it only where process_vm_readv is unavailable: ENOSYS (a kernel
 *    without CONFIG_CROSS_MEMORY_ATTACH), or EPERM when mm_access()
 *    (kernel/fork.c) refuses the task.
 *  - The unwinder reads as a debugger does: code mapped execute-only has
 *    unwind tables and return addresses to follow, so a page that
 *    process_vm_readv cannot read (EFAULT) is read with PTRACE_PEEKDATA.
 *    Those forced reads are never cached, so the decoders cannot see them.
 *
 * Only ever called on a task in a ptrace-stop.  Before Linux 5.7,
 * mm_access() took cred_guard_mutex, which an exec in another thread of
 * the process holds while de_thread() (fs/exec.c) waits for its siblings,
 * who may be waiting for us.  Other threads of the process may still run
 * and write to the memory we read: what a tracer reads during a stop is a
 * snapshot either way, and the kernel copies the arguments only after the
 * stop ends.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "tracee_mem.h"

#define PAGE_MASK_OF(addr) ((addr) & ~(uint64_t)(TRACEE_PAGE - 1))

/* --- the kernel's side --------------------------------------------------- */

static ssize_t
kernel_read_pages(pid_t tid, uint64_t addr, const struct iovec *pages, size_t n)
{
	struct iovec remote = { (void *)(uintptr_t)addr, n * TRACEE_PAGE };
	ssize_t got = process_vm_readv(tid, pages, n, &remote, 1, 0);

	return got < 0 ? -errno : got;
}

static int
kernel_peek(pid_t tid, uint64_t addr, uint64_t *word)
{
	long w;

	errno = 0;
	w = ptrace(PTRACE_PEEKDATA, tid, (void *)(uintptr_t)addr, NULL);
	if (errno)
		return -errno;
	*word = (uint64_t)w;
	return 0;
}

static int
kernel_get_regs(pid_t tid, struct user_regs_struct *regs)
{
	return ptrace(PTRACE_GETREGS, tid, NULL, regs) < 0 ? -errno : 0;
}

const struct tracee_io tracee_io_kernel = {
	.read_pages = kernel_read_pages,
	.peek = kernel_peek,
	.get_regs = kernel_get_regs,
};

/* --- the page cache -------------------------------------------------------- */

static bool
readv_usable(const struct tracee_mem *m)
{
	return !m->no_readv && m->refused_in != m->generation;
}

/* The slot holding page in this stop, or -1. */
static int
slot_find(const struct tracee_mem *m, uint64_t page)
{
	const struct tracee_page *p = &m->slots[m->last];

	if (p->generation == m->generation && p->addr == page)
		return (int)m->last;
	for (unsigned i = 0; i < TRACEE_SLOTS; i++) {
		p = &m->slots[i];
		if (p->generation == m->generation && p->addr == page)
			return (int)i;
	}
	return -1;
}

/*
 * How many pages to read from page on: one for a lone read, then, while
 * the reads walk forward (the page before was read in this stop), twice
 * the run that brought that page, up to TRACEE_RUN_MAX, as the kernel's
 * readahead grows its window (mm/readahead.c).  A small exec costs no more
 * than before and a big argv costs a read per 16 pages.  The run stops
 * before a page already cached (no page is held twice) and at the end of
 * the address space.
 */
static unsigned
run_length(const struct tracee_mem *m, uint64_t page)
{
	int prev = page >= TRACEE_PAGE ? slot_find(m, page - TRACEE_PAGE) : -1;
	unsigned run = 1, i;

	if (prev >= 0 && !m->slots[prev].err) {
		run = 2 * m->slots[prev].run;
		if (run > TRACEE_RUN_MAX)
			run = TRACEE_RUN_MAX;
	}
	for (i = 1; i < run; i++) {
		uint64_t next = page + (uint64_t)i * TRACEE_PAGE;

		if (next < page || slot_find(m, next) >= 0)
			break;
	}
	return i;
}

static void
slot_store(struct tracee_mem *m, unsigned slot, uint64_t page, int err, unsigned run)
{
	m->slots[slot] = (struct tracee_page){
		.addr = page, .generation = m->generation, .err = err, .run = run,
	};
}

/*
 * Reads a run of pages from page on into the oldest slots, one iovec per
 * slot, in one call.  process_vm_readv stops at the first page it cannot
 * read and returns what it copied (mm/process_vm_access.c,
 * process_vm_rw_core); the page it stopped at is not marked, the next
 * read that needs it starts there and learns why.  Returns the slot of
 * page, or -1 with *err set (not cached: the task is gone, ENOSYS, EPERM).
 */
static int
slot_fill(struct tracee_mem *m, uint64_t page, int *err)
{
	struct iovec iov[TRACEE_RUN_MAX];
	unsigned run = run_length(m, page), first = m->next, got, i;
	ssize_t n;

	for (i = 0; i < run; i++) {
		unsigned slot = (first + i) % TRACEE_SLOTS;

		m->slots[slot].generation = 0;	/* whatever happens, not what it was */
		iov[i].iov_base = m->bytes[slot];
		iov[i].iov_len = TRACEE_PAGE;
	}
	m->stats.reads++;
	n = m->io->read_pages(m->tid, page, iov, run);
	if (n < 0) {
		*err = (int)-n;
		if (*err != EFAULT)
			return -1;
		slot_store(m, first, page, EFAULT, 1);
		m->next = (first + 1) % TRACEE_SLOTS;
		return (int)first;
	}
	got = (unsigned)((size_t)n / TRACEE_PAGE);
	if (got > run)
		got = run;
	if (got == 0) {
		*err = EFAULT;	/* less than a page: keep nothing */
		return -1;
	}
	m->stats.pages += got;
	for (i = 0; i < got; i++)
		slot_store(m, (first + i) % TRACEE_SLOTS,
			   page + (uint64_t)i * TRACEE_PAGE, 0, run);
	m->next = (first + got) % TRACEE_SLOTS;
	return (int)first;
}

/*
 * The slot of page (cached, or read now), or -1 with *err set.  ENOSYS
 * turns process_vm_readv off for good, EPERM for the rest of this stop
 * (mm_access() judges each task on its own).
 */
static int
page_slot(struct tracee_mem *m, uint64_t page, int *err)
{
	int slot = slot_find(m, page);

	if (slot < 0)
		slot = slot_fill(m, page, err);
	if (slot >= 0) {
		m->last = (unsigned)slot;
		return slot;
	}
	if (*err == ENOSYS)
		m->no_readv = true;
	else if (*err == EPERM)
		m->refused_in = m->generation;
	return -1;
}

/*
 * PTRACE_PEEKDATA, a word at a time (never cached: a page costs 512
 * calls, more than any exec's strings need): the bytes read, fewer than
 * len when a word could not be read, or -errno when none could.
 */
static ssize_t
peek_bytes(struct tracee_mem *m, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t aligned = (addr + done) & ~(uint64_t)7, word;
		size_t skip = (size_t)(addr + done - aligned);
		size_t n = 8 - skip < len - done ? 8 - skip : len - done;
		int rc;

		m->stats.peeks++;
		rc = m->io->peek(m->tid, aligned, &word);
		if (rc < 0)
			return done ? (ssize_t)done : rc;
		memcpy((char *)buf + done, (char *)&word + skip, n);
		done += n;
	}
	return (ssize_t)done;
}

/* --- the decoders' view ---------------------------------------------------- */

/* Bytes from at to the end of its page, at most left. */
static size_t
chunk_len(uint64_t at, size_t left)
{
	size_t room = TRACEE_PAGE - (size_t)(at - PAGE_MASK_OF(at));

	return room < left ? room : left;
}

/*
 * The bytes of at's page from at on, from the page cache (read now if need
 * be); NULL and why not: the page's errno, or ENOSYS when
 * process_vm_readv is not (or no longer) usable and the caller must peek.
 */
static const unsigned char *
cache_at(struct tracee_mem *m, uint64_t at, int *err)
{
	uint64_t page = PAGE_MASK_OF(at);
	int slot;

	*err = ENOSYS;
	if (!readv_usable(m))
		return NULL;
	*err = EFAULT;
	slot = page_slot(m, page, err);
	if (slot < 0) {
		if (!readv_usable(m))
			*err = ENOSYS;
		return NULL;
	}
	if (m->slots[slot].err) {
		*err = m->slots[slot].err;
		return NULL;
	}
	return m->bytes[slot] + (at - page);
}

/* n bytes at at, all in one page, from the page cache: 0, or why not (cache_at). */
static int
cache_copy(struct tracee_mem *m, uint64_t at, void *dst, size_t n)
{
	int err;
	const unsigned char *src = cache_at(m, at, &err);

	if (!src)
		return err;
	memcpy(dst, src, n);
	return 0;
}

static struct tracee_mem *
of_decoder(struct pw_mem *mem)
{
	return (struct tracee_mem *)((char *)mem - offsetof(struct tracee_mem, mem));
}

/* struct pw_mem's map: the cached page, or NULL (read() says why). */
static const void *
decoder_map(struct pw_mem *mem, uint64_t addr, size_t *len)
{
	int err;
	const unsigned char *src = cache_at(of_decoder(mem), addr, &err);

	if (src)
		*len = chunk_len(addr, TRACEE_PAGE);
	return src;
}

/* struct pw_mem's read: up to len bytes, short at the first unreadable page. */
static ssize_t
decoder_read(struct pw_mem *mem, uint64_t addr, void *buf, size_t len)
{
	struct tracee_mem *m = of_decoder(mem);
	size_t done = 0;

	while (done < len) {
		uint64_t at = addr + done;
		size_t n = chunk_len(at, len - done);
		int err;

		if (at < addr)
			break;	/* wrapped around: nothing is mapped there */
		err = cache_copy(m, at, (char *)buf + done, n);
		if (err == ENOSYS) {
			ssize_t got = peek_bytes(m, at, (char *)buf + done, len - done);

			if (got < 0)
				return done ? (ssize_t)done : got;
			return (ssize_t)(done + (size_t)got);
		}
		if (err)
			return done ? (ssize_t)done : -err;
		done += n;
	}
	return done ? (ssize_t)done : (len ? -EFAULT : 0);
}

/* --- the unwinder's view --------------------------------------------------- */

static struct tracee_mem *
of_unwind(struct pw_unwind_tracee *t)
{
	return (struct tracee_mem *)((char *)t - offsetof(struct tracee_mem, unwind));
}

/* Exactly len bytes; pages the program cannot read are peeked. */
static int
unwind_read(struct pw_unwind_tracee *t, uint64_t addr, void *buf, size_t len)
{
	struct tracee_mem *m = of_unwind(t);
	size_t done = 0;

	while (done < len) {
		uint64_t at = addr + done;
		size_t n = chunk_len(at, len - done);
		ssize_t got;
		int err;

		if (at < addr)
			return -EFAULT;
		err = cache_copy(m, at, (char *)buf + done, n);
		if (err && err != EFAULT && err != ENOSYS && err != EPERM)
			return -err;	/* ESRCH: the task is gone */
		if (err) {
			got = peek_bytes(m, at, (char *)buf + done, n);
			if (got < (ssize_t)n)
				return got < 0 ? (int)got : -EFAULT;
		}
		done += n;
	}
	return 0;
}

static int
unwind_get_regs(struct pw_unwind_tracee *t, struct user_regs_struct *regs)
{
	struct tracee_mem *m = of_unwind(t);

	return m->io->get_regs(m->tid, regs);
}

static void
unwind_forget(struct pw_unwind_tracee *t)
{
	of_unwind(t)->generation++;
}

/* --- the service ----------------------------------------------------------- */

int
tracee_mem_init(struct tracee_mem *m, const struct tracee_io *io)
{
	memset(m, 0, sizeof(*m));
	m->bytes = malloc((size_t)TRACEE_SLOTS * TRACEE_PAGE);
	if (!m->bytes)
		return -ENOMEM;
	m->io = io;
	m->mem.read = decoder_read;
	m->mem.map = decoder_map;
	m->unwind.get_regs = unwind_get_regs;
	m->unwind.read = unwind_read;
	m->unwind.forget = unwind_forget;
	m->generation = 1;	/* slots of generation 0 hold nothing */
	return 0;
}

void
tracee_mem_free(struct tracee_mem *m)
{
	free(m->bytes);
	m->bytes = NULL;
}

void
tracee_mem_begin(struct tracee_mem *m, pid_t tid)
{
	m->tid = tid;
	m->unwind.tid = tid;
	m->generation++;
}

struct pw_mem *
tracee_mem_decoder(struct tracee_mem *m, pid_t tid)
{
	if (tid != m->tid)
		tracee_mem_begin(m, tid);
	return &m->mem;
}

struct pw_unwind_tracee *
tracee_mem_unwinder(struct tracee_mem *m, pid_t tid)
{
	if (tid != m->tid)
		tracee_mem_begin(m, tid);
	return &m->unwind;
}
