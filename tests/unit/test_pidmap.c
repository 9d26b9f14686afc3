/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the pid -> pointer map behind the tracer's task table
 * (src/model/pidmap.c): the empty map, insert and replace, growth past
 * many rehashes, iteration, and removal checked against a plain array
 * through a long deterministic mix of operations on a small key range, so
 * that probe runs collide, wrap around the end of the table and are
 * shifted back by deletions.  Also that a stream of short-lived pids does
 * not grow the table: deletion leaves no tombstones behind.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "procwatch/pidmap.h"

#define MANY 10000
#define KEYS 300		/* small range: the mixed test keeps colliding */

/* A distinct non-NULL value per key that the map never dereferences. */
static void *
val(pid_t key)
{
	return (void *)(uintptr_t)(0x1000u + (unsigned)key);
}

Test(pidmap, empty)
{
	struct pw_pidmap m;

	pw_pidmap_init(&m);
	cr_assert_null(pw_pidmap_get(&m, 1));
	cr_assert_null(pw_pidmap_remove(&m, 1));
	cr_assert_eq(m.count, 0);
	pw_pidmap_destroy(&m);
}

Test(pidmap, put_get_replace)
{
	struct pw_pidmap m;

	pw_pidmap_init(&m);
	cr_assert_eq(pw_pidmap_put(&m, 42, val(42)), 0);
	cr_assert_eq(pw_pidmap_get(&m, 42), val(42));
	cr_assert_null(pw_pidmap_get(&m, 43));
	cr_assert_eq(pw_pidmap_put(&m, 42, val(7)), 0);
	cr_assert_eq(pw_pidmap_get(&m, 42), val(7), "put must replace");
	cr_assert_eq(m.count, 1);
	cr_assert_eq(pw_pidmap_remove(&m, 42), val(7));
	cr_assert_null(pw_pidmap_get(&m, 42));
	cr_assert_eq(m.count, 0);
	pw_pidmap_destroy(&m);
}

Test(pidmap, many_keys_survive_growth)
{
	struct pw_pidmap m;
	pid_t k;

	pw_pidmap_init(&m);
	for (k = 1; k <= MANY; k++)
		cr_assert_eq(pw_pidmap_put(&m, k, val(k)), 0);
	cr_assert_eq(m.count, MANY);
	for (k = 1; k <= MANY; k++)
		cr_assert_eq(pw_pidmap_get(&m, k), val(k), "key %d lost", (int)k);
	for (k = 1; k <= MANY; k += 2)
		cr_assert_eq(pw_pidmap_remove(&m, k), val(k));
	for (k = 1; k <= MANY; k++)
		cr_assert_eq(pw_pidmap_get(&m, k), k % 2 ? NULL : val(k),
			     "key %d after removing the odd keys", (int)k);
	cr_assert_eq(m.count, MANY / 2);
	pw_pidmap_destroy(&m);
}

struct seen {
	unsigned char times[KEYS + 1];
	size_t calls;
	bool wrong_value;
};

static void
note(pid_t key, void *value, void *data)
{
	struct seen *s = data;

	s->calls++;
	if (key > 0 && key <= KEYS)
		s->times[key]++;
	if (value != val(key))
		s->wrong_value = true;
}

Test(pidmap, each_visits_every_entry_once)
{
	struct pw_pidmap m;
	struct seen s = { 0 };
	pid_t k;

	pw_pidmap_init(&m);
	pw_pidmap_each(&m, note, &s);
	cr_assert_eq(s.calls, 0, "each on an empty map");
	for (k = 1; k <= KEYS; k += 3)
		pw_pidmap_put(&m, k, val(k));
	pw_pidmap_each(&m, note, &s);
	cr_assert_eq(s.calls, m.count);
	cr_assert_not(s.wrong_value);
	for (k = 1; k <= KEYS; k++)
		cr_assert_eq(s.times[k], k % 3 == 1, "key %d seen %d times", (int)k,
			     s.times[k]);
	pw_pidmap_destroy(&m);
}

/* Deterministic: a failure replays the same operations. */
static uint32_t
next_rand(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state >> 8;
}

/* Every key of the range: in the map exactly when the model says so. */
static void
assert_matches(const struct pw_pidmap *m, void *const *model, size_t live,
	       int step)
{
	pid_t k;

	cr_assert_eq(m->count, live, "step %d: count", step);
	for (k = 1; k <= KEYS; k++)
		cr_assert_eq(pw_pidmap_get(m, k), model[k], "step %d: key %d",
			     step, (int)k);
}

Test(pidmap, random_mix_matches_a_plain_array)
{
	void *model[KEYS + 1] = { 0 };
	struct pw_pidmap m;
	uint32_t rng = 12345;
	size_t live = 0;
	int step;

	pw_pidmap_init(&m);
	for (step = 0; step < 20000; step++) {
		pid_t k = (pid_t)(next_rand(&rng) % KEYS) + 1;

		/* Twice as many removals once half the keys are in. */
		if (next_rand(&rng) % 3 == 0 || (live > KEYS / 2 && next_rand(&rng) % 2)) {
			cr_assert_eq(pw_pidmap_remove(&m, k), model[k], "step %d", step);
			live -= model[k] != NULL;
			model[k] = NULL;
		} else {
			cr_assert_eq(pw_pidmap_put(&m, k, val(k)), 0);
			live += model[k] == NULL;
			model[k] = val(k);
		}
		if (step % 97 == 0)
			assert_matches(&m, model, live, step);
	}
	assert_matches(&m, model, live, step);
	pw_pidmap_destroy(&m);
}

/* A long trace: a million pids, a few alive at a time. */
Test(pidmap, short_lived_pids_do_not_grow_the_table)
{
	struct pw_pidmap m;
	size_t first_cap;
	pid_t k;

	pw_pidmap_init(&m);
	for (k = 1; k <= 4; k++)
		pw_pidmap_put(&m, k, val(k));
	first_cap = m.mask + 1;
	for (k = 5; k <= 1000000; k++) {
		pw_pidmap_put(&m, k, val(k));
		cr_assert_eq(pw_pidmap_remove(&m, k - 4), val(k - 4));
	}
	cr_assert_eq(m.count, 4);
	cr_assert_eq(m.mask + 1, first_cap, "the table grew from %zu to %zu "
		     "slots with 4 live keys", first_cap, m.mask + 1);
	for (k = 1000000 - 3; k <= 1000000; k++)
		cr_assert_eq(pw_pidmap_get(&m, k), val(k));
	pw_pidmap_destroy(&m);
}

static void
count_entry(pid_t key, void *value, void *data)
{
	size_t *seen = data;

	cr_assert_eq(value, val(key), "key %d", (int)key);
	seen[key == 0]++;
}

/*
 * A trace from elsewhere can name pid 0: it once filled the table with
 * entries that looked empty, doubling it every few lines.  Key 0 is kept
 * like any other, once, and never grows the table.
 */
Test(pidmap, key_zero_is_a_key_like_any)
{
	struct pw_pidmap m;
	size_t seen[2] = { 0, 0 }, cap;
	int i;

	pw_pidmap_init(&m);
	cr_assert_null(pw_pidmap_get(&m, 0));
	cr_assert_null(pw_pidmap_remove(&m, 0));
	cr_assert_eq(pw_pidmap_put(&m, 7, val(7)), 0);
	cap = m.mask + 1;
	for (i = 0; i < 1000; i++)
		cr_assert_eq(pw_pidmap_put(&m, 0, val(0)), 0);
	cr_assert_eq(m.mask + 1, cap, "key 0 grew the table to %zu slots", m.mask + 1);
	cr_assert_eq(pw_pidmap_get(&m, 0), val(0));
	cr_assert_eq(pw_pidmap_get(&m, 7), val(7));
	pw_pidmap_each(&m, count_entry, seen);
	cr_assert_eq(seen[1], 1, "key 0 visited %zu times", seen[1]);
	cr_assert_eq(seen[0], 1);
	cr_assert_eq(pw_pidmap_remove(&m, 0), val(0));
	cr_assert_null(pw_pidmap_get(&m, 0));
	cr_assert_eq(pw_pidmap_get(&m, 7), val(7));
	pw_pidmap_destroy(&m);
}

/* The extremes of pid_t hash, collide and shift back like the rest. */
Test(pidmap, extreme_keys)
{
	static const pid_t keys[] = { INT32_MIN, INT32_MIN + 1, -1, 1, 4194304,
				      4194305, INT32_MAX - 1, INT32_MAX };
	struct pw_pidmap m;
	size_t n = sizeof(keys) / sizeof(keys[0]), i, j;

	pw_pidmap_init(&m);
	for (i = 0; i < n; i++)
		cr_assert_eq(pw_pidmap_put(&m, keys[i], val(keys[i])), 0);
	cr_assert_eq(m.count, n);
	for (i = 0; i < n; i++) {
		cr_assert_eq(pw_pidmap_remove(&m, keys[i]), val(keys[i]), "key %d", (int)keys[i]);
		for (j = i + 1; j < n; j++)
			cr_assert_eq(pw_pidmap_get(&m, keys[j]), val(keys[j]),
				     "key %d lost after removing %d", (int)keys[j], (int)keys[i]);
	}
	cr_assert_eq(m.count, 0);
	pw_pidmap_destroy(&m);
}
