/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interned strings: each distinct string kept once, its copies shared.
 * What pw_intern() returns lives as long as the set; compare interned
 * strings by pointer.  src/base/intern.c.
 */
#ifndef PROCWATCH_INTERN_H
#define PROCWATCH_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "procwatch/arena.h"

struct pw_intern {
	const char **slots;	/* NULL: empty */
	size_t mask;		/* capacity - 1; capacity is a power of two */
	size_t count;
	struct pw_arena strings;	/* each string after its length and hash */
};

void pw_intern_init(struct pw_intern *set);
void pw_intern_destroy(struct pw_intern *set);
/*
 * The set's copy of the len bytes at s (NUL-free), made on first sight and
 * NUL-terminated; NULL when out of memory.
 */
const char *pw_intern(struct pw_intern *set, const char *s, size_t len);
/* The same for a C string; NULL for NULL. */
const char *pw_intern_cstr(struct pw_intern *set, const char *s);

#endif
