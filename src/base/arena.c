/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The arena (include/procwatch/arena.h): blocks of BLOCK_SIZE bytes, each
 * handed out front to back; a request larger than a quarter block gets a
 * block of its own, so that the space left in the current one is not
 * wasted.  Nothing is freed before the arena.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/arena.h"

#define BLOCK_SIZE (64u * 1024)
/*
 * 8, not max_align_t's 16: what the model allocates holds pointers and
 * 64-bit integers at most, and most of it is small.
 */
#define ALIGN 8u

struct pw_arena_block {
	struct pw_arena_block *next;
	size_t size;		/* usable bytes after the header */
	unsigned char data[];
};

void
pw_arena_init(struct pw_arena *a)
{
	memset(a, 0, sizeof(*a));
}

void
pw_arena_destroy(struct pw_arena *a)
{
	struct pw_arena_block *b, *next;

	for (b = a->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	memset(a, 0, sizeof(*a));
}

static struct pw_arena_block *
block_new(size_t size)
{
	struct pw_arena_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	b = malloc(sizeof(*b) + size);
	if (b)
		b->size = size;
	return b;
}

void *
pw_arena_alloc(struct pw_arena *a, size_t size)
{
	struct pw_arena_block *b;
	void *p;

	size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (size == 0)
		size = ALIGN;
	if (size > BLOCK_SIZE / 4) {
		/* Its own block, behind the current one: that one stays in use. */
		if (!(b = block_new(size)))
			return NULL;
		if (a->blocks) {
			b->next = a->blocks->next;
			a->blocks->next = b;
		} else {
			b->next = NULL;
			a->blocks = b;
			a->used = size;
		}
		a->bytes += size;
		return memset(b->data, 0, size);
	}
	if (!a->blocks || a->blocks->size - a->used < size) {
		if (!(b = block_new(BLOCK_SIZE)))
			return NULL;
		b->next = a->blocks;
		a->blocks = b;
		a->used = 0;
	}
	p = a->blocks->data + a->used;
	a->used += size;
	a->bytes += size;
	return memset(p, 0, size);
}
