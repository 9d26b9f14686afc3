/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of src/diff/ share: each run's processes as the comparison
 * sees them (normalised command, keys, partner), and the comparison's own
 * memory.  Internal to src/diff/.
 */
#ifndef PROCWATCH_DIFF_INTERNAL_H
#define PROCWATCH_DIFF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procwatch/arena.h"
#include "procwatch/diff.h"
#include "procwatch/intern.h"
#include "procwatch/model.h"
#include "procwatch/pidmap.h"

/* One process of one run. */
struct diff_proc {
	const struct pw_proc *p;
	struct pw_argv cmd;	/* normalised command; n == 0 and no key: never exec'd */
	/* Interned in the comparison's set, so equal keys are the same pointer. */
	const char *key;	/* pass 1: the normalised command (or the name of a fork) */
	const char *coarse;	/* pass 2: with every run of digits as one digit */
	const char *program;	/* pass 3: argv[0]'s base name; NULL: none */
	struct diff_proc *partner;
	struct pw_diff_node *node;	/* its pair's node, or its own when only in its run */
	enum pw_diff_match how;
	unsigned below;		/* unmatched: the processes below it */
};

/* One run, with what its normalisation needs. */
struct diff_side {
	const struct pw_model *m;
	struct diff_proc *v;	/* by pw_proc id: v[1..n] */
	size_t n;
	const char *cwd;	/* written %CWD%; NULL: not replaced */
	size_t cwd_len;
	struct pw_pidmap pids;	/* the ids of its processes, threads and procwatch: when (normalize.c) */
};

/* struct pw_diff's priv. */
struct diff_priv {
	struct diff_side side[2];
	struct pw_intern strings;	/* keys and normalised strings of both runs */
	struct pw_arena arena;		/* nodes, argv arrays, chains */
	struct pw_diff_node **nodes;	/* in the order made: a parent before its children */
	size_t nnodes;
	char *buf;			/* scratch for one normalised string */
	size_t cap;
	bool exact;
};

/* -1, 0 or 1 as a is below, at or above b: one step of the sorts' orders. */
static inline int
diff_cmp(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* normalize.c */
int diff_side_init(struct diff_priv *dp, int i, const struct pw_model *m,
		   const struct pw_model *other);
void diff_side_destroy(struct diff_side *s);
/*
 * str, from a command run at t, normalised for run i, interned; NULL for
 * NULL (and out of memory: *oom).
 */
const char *diff_norm(struct diff_priv *dp, int i, const char *str, uint64_t t, bool *oom);
/* raw's elements (run at t) normalised for run i into out (arena), and its key. 0 or -ENOMEM. */
int diff_norm_argv(struct diff_priv *dp, int i, const struct pw_argv *raw, uint64_t t,
		   struct pw_argv *out, const char **key);
/* Every process of run i: its command and the keys of the three passes. */
int diff_side_keys(struct diff_priv *dp, int i);

/* align.c: partners of the processes of both runs.  0 or -ENOMEM. */
int diff_align(struct diff_priv *dp);

/* compare.c: the kinds of every node, the shown tree, the entries. */
int diff_compare(struct pw_diff *d);

#endif
