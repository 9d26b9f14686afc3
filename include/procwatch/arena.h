/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An arena: many small allocations that live and die together, carved out
 * of large blocks.  The process model keeps every record until the end, so
 * it needs no free() per record, and not paying malloc's header and
 * rounding on every small record is what keeps a 20 000-process run small.
 * src/base/arena.c.
 */
#ifndef PROCWATCH_ARENA_H
#define PROCWATCH_ARENA_H

#include <stddef.h>

struct pw_arena_block;

struct pw_arena {
	struct pw_arena_block *blocks;	/* the newest first */
	size_t used;			/* bytes used of the newest */
	size_t bytes;			/* handed out in all */
};

void pw_arena_init(struct pw_arena *a);
void pw_arena_destroy(struct pw_arena *a);
/* size bytes, zeroed, 8-byte aligned; NULL when out of memory. */
void *pw_arena_alloc(struct pw_arena *a, size_t size);

#endif
