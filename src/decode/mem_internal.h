/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the decoders that read tracee memory (mem.c, exec.c,
 * clone.c); not part of the public decode.h contract.
 */
#ifndef PW_DECODE_MEM_INTERNAL_H
#define PW_DECODE_MEM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/*
 * x86-64 base pages are 4 KiB and every mapping starts and ends on one, so
 * the boundary between readable and unreadable memory is a multiple of it.
 */
#define PW_PAGE_SIZE 4096u

size_t pw_mem_page_left(uint64_t addr);

#endif
