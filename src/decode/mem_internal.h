/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the decoders that read tracee memory (mem.c, exec.c,
 * clone.c); not part of the public decode.h contract.
 */
#ifndef PW_DECODE_MEM_INTERNAL_H
#define PW_DECODE_MEM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "procwatch/decode.h"

/*
 * x86-64 base pages are 4 KiB and every mapping starts and ends on one, so
 * the boundary between readable and unreadable memory is a multiple of it.
 */
#define PW_PAGE_SIZE 4096u

size_t pw_mem_page_left(uint64_t addr);

/*
 * Strings end to end in one block: data[0..len), with room for cap bytes.
 * An argv's strings sit end to end in the tracee too: the bytes that
 * follow the last string are copied along with it, ahead of them, so that
 * the next string, if it starts there, is found in place.
 */
struct pw_str_pool {
	char *data;
	size_t len;
	size_t cap;
	size_t ahead;		/* bytes copied past len: the tracee's from ahead_addr on */
	uint64_t ahead_addr;
	size_t window;		/* how far ahead the next copy reaches */
};

/*
 * pw_mem_read_string, but the string and its NUL are added at the end of
 * pool, whose block grows (and may move); *len is the string's length.
 */
int pw_mem_pool_string(struct pw_mem *mem, uint64_t addr, size_t max,
		       struct pw_str_pool *pool, size_t *len);

#endif
