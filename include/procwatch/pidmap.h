/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A hash map from pid/tid to a pointer, with O(1) insert, lookup and
 * removal, so that the tracer's per-event cost does not grow with the
 * number of live tasks: 10 000 live tasks cost no more per event than
 * 10.  Open addressing with linear probing and backward-shift
 * deletion: no tombstones, so lookups stay short after many removals.
 */
#ifndef PROCWATCH_PIDMAP_H
#define PROCWATCH_PIDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct pw_pidmap_slot {
	pid_t key;		/* 0: empty (key 0 is kept in has_zero) */
	void *value;
};

struct pw_pidmap {
	struct pw_pidmap_slot *slots;
	size_t mask;		/* capacity - 1; capacity is a power of two */
	size_t count;		/* keys in slots (key 0 not counted) */
	bool has_zero;		/* key 0 is in the map, with zero_value */
	void *zero_value;
};

void pw_pidmap_init(struct pw_pidmap *map);
void pw_pidmap_destroy(struct pw_pidmap *map);
void *pw_pidmap_get(const struct pw_pidmap *map, pid_t key);
/* Inserts or replaces; returns 0, or -ENOMEM.  Any key, 0 and negative too. */
int pw_pidmap_put(struct pw_pidmap *map, pid_t key, void *value);
/* Removes key; returns its value, or NULL if it was not there. */
void *pw_pidmap_remove(struct pw_pidmap *map, pid_t key);

/* Calls fn for every entry; fn must not modify the map. */
void pw_pidmap_each(const struct pw_pidmap *map,
		    void (*fn)(pid_t key, void *value, void *data), void *data);

#endif
