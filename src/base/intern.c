/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A set of strings kept once each (include/procwatch/intern.h).  A build
 * runs the same few programs in the same few directories thousands of
 * times: the process model keeps each path, directory, name and argument
 * once, however many processes share it.  The strings live in an arena,
 * each after a small header with its length and hash, so that a slot of
 * the table is one pointer; open addressing with linear probing over a
 * power-of-two table at most three quarters full.  Strings are never
 * removed, only freed with the set.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/intern.h"

#define INITIAL_CAPACITY 256

struct header {
	uint32_t len;
	uint32_t hash;
};

static const struct header *
header_of(const char *s)
{
	return (const struct header *)s - 1;
}

/* FNV-1a: fast on short strings, and spreads them well enough. */
static uint32_t
hash_of(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

void
pw_intern_init(struct pw_intern *set)
{
	memset(set, 0, sizeof(*set));
	pw_arena_init(&set->strings);
}

void
pw_intern_destroy(struct pw_intern *set)
{
	free(set->slots);
	pw_arena_destroy(&set->strings);
	memset(set, 0, sizeof(*set));
}

/* The slot of s (len bytes, hash h): where it is, or where it would go. */
static const char **
slot_for(const struct pw_intern *set, const char *s, size_t len, uint32_t h)
{
	size_t i = h & set->mask;
	const struct header *hd;

	for (; set->slots[i]; i = (i + 1) & set->mask) {
		hd = header_of(set->slots[i]);
		if (hd->hash == h && hd->len == len && memcmp(set->slots[i], s, len) == 0)
			break;
	}
	return &set->slots[i];
}

static int
grow(struct pw_intern *set)
{
	const char **old = set->slots;
	size_t old_cap = old ? set->mask + 1 : 0, cap, i;
	const struct header *hd;

	cap = old ? old_cap * 2 : INITIAL_CAPACITY;
	set->slots = calloc(cap, sizeof(*set->slots));
	if (!set->slots) {
		set->slots = old;
		return -ENOMEM;
	}
	set->mask = cap - 1;
	for (i = 0; i < old_cap; i++) {
		if (!old[i])
			continue;
		hd = header_of(old[i]);
		*slot_for(set, old[i], hd->len, hd->hash) = old[i];
	}
	free(old);
	return 0;
}

const char *
pw_intern(struct pw_intern *set, const char *s, size_t len)
{
	uint32_t h = hash_of(s, len);
	struct header *hd;
	const char **slot;
	char *copy;

	if (len > UINT32_MAX)
		return NULL;
	if ((!set->slots || (set->count + 1) * 4 > (set->mask + 1) * 3) && grow(set) < 0)
		return NULL;
	slot = slot_for(set, s, len, h);
	if (*slot)
		return *slot;
	hd = pw_arena_alloc(&set->strings, sizeof(*hd) + len + 1);
	if (!hd)
		return NULL;
	hd->len = (uint32_t)len;
	hd->hash = h;
	copy = (char *)(hd + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	*slot = copy;
	set->count++;
	return copy;
}

const char *
pw_intern_cstr(struct pw_intern *set, const char *s)
{
	return s ? pw_intern(set, s, strlen(s)) : NULL;
}
