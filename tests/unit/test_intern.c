/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The arena and the interned-string set the process model is built on
 * (src/base/arena.c, src/base/intern.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "procwatch/arena.h"
#include "procwatch/intern.h"

Test(arena, hands_out_zeroed_aligned_disjoint_memory)
{
	struct pw_arena a;
	unsigned char *prev = NULL;
	size_t i;

	pw_arena_init(&a);
	for (i = 1; i < 5000; i++) {
		unsigned char *p = pw_arena_alloc(&a, i % 97 + 1);

		cr_assert_not_null(p);
		cr_assert_eq((uintptr_t)p % 8, 0, "allocation %zu is not 8-byte aligned", i);
		for (size_t k = 0; k < i % 97 + 1; k++)
			cr_assert_eq(p[k], 0, "allocation %zu is not zeroed", i);
		memset(p, 0xa5, i % 97 + 1);
		if (prev)
			cr_assert_eq(prev[0], 0xa5, "a later allocation overwrote an earlier one");
		prev = p;
	}
	pw_arena_destroy(&a);
}

Test(arena, takes_allocations_larger_than_a_block)
{
	struct pw_arena a;
	unsigned char *big, *small;

	pw_arena_init(&a);
	small = pw_arena_alloc(&a, 16);
	big = pw_arena_alloc(&a, 4u << 20);
	cr_assert_not_null(small);
	cr_assert_not_null(big);
	memset(big, 1, 4u << 20);
	cr_assert_eq(small[0], 0);
	cr_assert_eq(big[(4u << 20) - 1], 1);
	pw_arena_destroy(&a);
}

Test(intern, same_bytes_give_the_same_pointer)
{
	struct pw_intern set;
	const char *a, *b, *c;

	pw_intern_init(&set);
	a = pw_intern_cstr(&set, "/usr/bin/cc");
	b = pw_intern(&set, "/usr/bin/cc -c", 11);
	c = pw_intern_cstr(&set, "/usr/bin/c");
	cr_assert_str_eq(a, "/usr/bin/cc");
	cr_assert_eq(a, b);
	cr_assert_neq(a, c);
	cr_assert_str_eq(c, "/usr/bin/c");
	cr_assert_null(pw_intern_cstr(&set, NULL));
	cr_assert_eq(set.count, 2);
	pw_intern_destroy(&set);
}

Test(intern, survives_growth_and_keeps_every_string)
{
	struct pw_intern set;
	static const char *first[20000];
	char buf[32];
	size_t i;

	pw_intern_init(&set);
	for (i = 0; i < 20000; i++) {
		snprintf(buf, sizeof(buf), "arg-%zu", i);
		first[i] = pw_intern_cstr(&set, buf);
		cr_assert_not_null(first[i]);
	}
	cr_assert_eq(set.count, 20000);
	for (i = 0; i < 20000; i++) {
		snprintf(buf, sizeof(buf), "arg-%zu", i);
		cr_assert_eq(pw_intern_cstr(&set, buf), first[i], "string %zu was copied twice", i);
		cr_assert_str_eq(first[i], buf);
	}
	cr_assert_eq(set.count, 20000);
	pw_intern_destroy(&set);
}

Test(intern, the_empty_string_is_a_string)
{
	struct pw_intern set;
	const char *e;

	pw_intern_init(&set);
	e = pw_intern(&set, "", 0);
	cr_assert_not_null(e);
	cr_assert_str_eq(e, "");
	cr_assert_eq(pw_intern_cstr(&set, ""), e);
	pw_intern_destroy(&set);
}
