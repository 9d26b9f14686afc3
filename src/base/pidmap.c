/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pid -> pointer hash map behind the tracer's task table.  Linear
 * probing over a power-of-two array kept at most 1/2 full; deletion shifts
 * later entries of the same probe run back instead of leaving tombstones,
 * so a long trace with millions of short-lived pids never degrades.
 * Key 0 marks an empty slot, so it lives beside the array (has_zero):
 * pid 0 is never a task, but a trace from elsewhere can say anything,
 * and a key 0 stored in the array would look empty and never be found.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "procwatch/pidmap.h"

#define INITIAL_CAPACITY 64

/* Fibonacci hashing: pids are sequential, so spread them over the table. */
static size_t
slot_of(const struct pw_pidmap *map, pid_t key)
{
	return (size_t)(((uint32_t)key * 2654435769u) >> 7) & map->mask;
}

void
pw_pidmap_init(struct pw_pidmap *map)
{
	map->slots = NULL;
	map->mask = 0;
	map->count = 0;
	map->has_zero = false;
	map->zero_value = NULL;
}

void
pw_pidmap_destroy(struct pw_pidmap *map)
{
	free(map->slots);
	pw_pidmap_init(map);
}

void *
pw_pidmap_get(const struct pw_pidmap *map, pid_t key)
{
	size_t i;

	if (key == 0)
		return map->has_zero ? map->zero_value : NULL;
	if (!map->slots)
		return NULL;
	for (i = slot_of(map, key); map->slots[i].key; i = (i + 1) & map->mask)
		if (map->slots[i].key == key)
			return map->slots[i].value;
	return NULL;
}

static void
insert_slot(struct pw_pidmap *map, pid_t key, void *value)
{
	size_t i = slot_of(map, key);

	while (map->slots[i].key && map->slots[i].key != key)
		i = (i + 1) & map->mask;
	if (!map->slots[i].key)
		map->count++;
	map->slots[i].key = key;
	map->slots[i].value = value;
}

static int
grow(struct pw_pidmap *map)
{
	struct pw_pidmap_slot *old = map->slots;
	size_t old_cap = old ? map->mask + 1 : 0;
	size_t cap = old ? old_cap * 2 : INITIAL_CAPACITY;
	size_t i;

	map->slots = calloc(cap, sizeof(*map->slots));
	if (!map->slots) {
		map->slots = old;
		return -ENOMEM;
	}
	map->mask = cap - 1;
	map->count = 0;
	for (i = 0; i < old_cap; i++)
		if (old[i].key)
			insert_slot(map, old[i].key, old[i].value);
	free(old);
	return 0;
}

int
pw_pidmap_put(struct pw_pidmap *map, pid_t key, void *value)
{
	if (key == 0) {
		map->has_zero = true;
		map->zero_value = value;
		return 0;
	}
	if (!map->slots || (map->count + 1) * 2 > map->mask + 1) {
		int err = grow(map);

		if (err)
			return err;
	}
	insert_slot(map, key, value);
	return 0;
}

/* True when slot j lies cyclically in (i, k]: the entry at j may move to i. */
static int
between(size_t i, size_t k, size_t j)
{
	return i <= j ? (i < k && k <= j) : (i < k || k <= j);
}

void *
pw_pidmap_remove(struct pw_pidmap *map, pid_t key)
{
	size_t i, j;
	void *value;

	if (key == 0) {
		value = map->has_zero ? map->zero_value : NULL;
		map->has_zero = false;
		map->zero_value = NULL;
		return value;
	}
	if (!map->slots)
		return NULL;
	for (i = slot_of(map, key); map->slots[i].key != key; i = (i + 1) & map->mask)
		if (!map->slots[i].key)
			return NULL;
	value = map->slots[i].value;
	/* Backward-shift: pull later entries of the run into the hole. */
	for (j = (i + 1) & map->mask; map->slots[j].key; j = (j + 1) & map->mask) {
		size_t home = slot_of(map, map->slots[j].key);

		if (between(i, home, j))
			continue;
		map->slots[i] = map->slots[j];
		i = j;
	}
	map->slots[i].key = 0;
	map->slots[i].value = NULL;
	map->count--;
	return value;
}

void
pw_pidmap_each(const struct pw_pidmap *map,
	       void (*fn)(pid_t key, void *value, void *data), void *data)
{
	size_t i;

	if (map->has_zero)
		fn(0, map->zero_value, data);
	if (!map->slots)
		return;
	for (i = 0; i <= map->mask; i++)
		if (map->slots[i].key)
			fn(map->slots[i].key, map->slots[i].value, data);
}
