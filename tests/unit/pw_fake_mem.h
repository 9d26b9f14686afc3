/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake tracee memory for the decoder unit tests: struct pw_mem embedded
 * first in a struct that maps the virtual range [base, base + size) onto
 * a heap buffer, with holes that read like unmapped pages.  A read that
 * runs into a hole or the end comes back short, like process_vm_readv; a
 * read that starts in one fails with -err.  Reads are counted, and any read
 * spanning a 4096-byte page boundary is noted so tests can check that the
 * decoders never ask for one when reading strings.
 */
#ifndef PW_FAKE_MEM_H
#define PW_FAKE_MEM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/decode.h"

#define FAKE_PAGE 4096u
#define FAKE_MAX_HOLES 8

struct fake_mem {
	struct pw_mem mem;	/* first: the decoders get &fm->mem */
	uint64_t base;
	unsigned char *buf;
	size_t size;
	struct { uint64_t lo, hi; } holes[FAKE_MAX_HOLES];
	size_t nholes;
	int err;		/* errno of a failed read; EFAULT by default */
	size_t reads;
	bool crossed_page;
	uint64_t watch_lo, watch_hi;	/* reads starting here are counted */
	size_t watch_reads;
};

static inline bool
fake_in_hole(const struct fake_mem *fm, uint64_t addr)
{
	for (size_t i = 0; i < fm->nholes; i++)
		if (addr >= fm->holes[i].lo && addr < fm->holes[i].hi)
			return true;
	return false;
}

/* End of the readable run that starts at addr. */
static inline uint64_t
fake_run_end(const struct fake_mem *fm, uint64_t addr)
{
	uint64_t end = fm->base + fm->size;

	for (size_t i = 0; i < fm->nholes; i++)
		if (fm->holes[i].lo > addr && fm->holes[i].lo < end)
			end = fm->holes[i].lo;
	return end;
}

static inline ssize_t
fake_read(struct pw_mem *mem, uint64_t addr, void *buf, size_t len)
{
	struct fake_mem *fm = (struct fake_mem *)mem;
	uint64_t end;
	size_t n;

	fm->reads++;
	if (addr >= fm->watch_lo && addr < fm->watch_hi)
		fm->watch_reads++;
	if (len && addr / FAKE_PAGE != (addr + len - 1) / FAKE_PAGE)
		fm->crossed_page = true;
	if (addr < fm->base || addr >= fm->base + fm->size ||
	    fake_in_hole(fm, addr))
		return -fm->err;
	end = fake_run_end(fm, addr);
	n = end - addr < len ? (size_t)(end - addr) : len;
	memcpy(buf, fm->buf + (addr - fm->base), n);
	return (ssize_t)n;
}

static inline void
fake_init(struct fake_mem *fm, uint64_t base, size_t size)
{
	memset(fm, 0, sizeof(*fm));
	fm->mem.read = fake_read;
	fm->base = base;
	fm->size = size;
	fm->buf = calloc(1, size);
	fm->err = EFAULT;
}

static inline void
fake_free(struct fake_mem *fm)
{
	free(fm->buf);
	fm->buf = NULL;
}

static inline void
fake_hole(struct fake_mem *fm, uint64_t lo, uint64_t hi)
{
	if (fm->nholes < FAKE_MAX_HOLES) {
		fm->holes[fm->nholes].lo = lo;
		fm->holes[fm->nholes].hi = hi;
		fm->nholes++;
	}
}

static inline void
fake_put(struct fake_mem *fm, uint64_t addr, const void *data, size_t len)
{
	if (addr >= fm->base && addr - fm->base + len <= fm->size)
		memcpy(fm->buf + (addr - fm->base), data, len);
}

/* Stores s with its NUL; returns the address just past it. */
static inline uint64_t
fake_put_str(struct fake_mem *fm, uint64_t addr, const char *s)
{
	fake_put(fm, addr, s, strlen(s) + 1);
	return addr + strlen(s) + 1;
}

static inline void
fake_put_u64(struct fake_mem *fm, uint64_t addr, uint64_t v)
{
	fake_put(fm, addr, &v, sizeof(v));
}

static inline void
fake_fill(struct fake_mem *fm, uint64_t addr, int c, size_t len)
{
	if (addr >= fm->base && addr - fm->base + len <= fm->size)
		memset(fm->buf + (addr - fm->base), c, len);
}

/*
 * The fixture of a decoder test file: a fake memory fm over
 * [base, base + size), fresh for each test of the suites whose .init is
 * fake_mem_setup and .fini fake_mem_teardown.  A macro because each file
 * maps its own range and Criterion's hooks take no argument.
 */
#define FAKE_MEM_FIXTURE(base, size)			\
	static struct fake_mem fm;			\
							\
	static void					\
	fake_mem_setup(void)				\
	{						\
		fake_init(&fm, (base), (size));		\
	}						\
							\
	static void					\
	fake_mem_teardown(void)				\
	{						\
		fake_free(&fm);				\
	}

#endif
