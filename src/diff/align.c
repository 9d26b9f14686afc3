/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which process of run B is which process of run A.  The tops of the two
 * runs are matched first, then the children of each matched pair, and
 * nothing else: a process whose parent has no partner has none either, and
 * is counted below the unmatched process that heads its subtree.  Among
 * the children of a pair, three passes, each over the children still
 * unmatched (include/procwatch/diff.h): the same command, the same command
 * but for its numbers, the same program.  Within a key the children pair
 * in the order they were created, so a -j build whose compiles started in
 * another order still pairs each compile with its own, and the 3rd of
 * three identical commands with the 3rd.
 *
 * Each pass sorts the pair's unmatched children of both runs by key and
 * walks the two lists together: O(k log k) for k children, each process is
 * a child once, so O(n log n) in all; the walk over the pairs keeps its
 * own stack, so a fork chain thousands deep cannot exhaust the C stack.
 * The nodes of the comparison are made here too: one per pair, and one
 * per process heading a subtree only in its run.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "diff_internal.h"

/* A child waiting for a partner, and its place among its siblings. */
struct cand {
	struct diff_proc *x;
	const char *key;
	size_t order;
};

/* A growing array of elements of size elem. */
struct vec {
	void *v;
	size_t n, cap;
};

static void *
vec_push(struct vec *vec, size_t elem)
{
	size_t cap = vec->cap ? vec->cap * 2 : 64;
	void *v;

	if (vec->n == vec->cap) {
		v = realloc(vec->v, cap * elem);
		if (!v)
			return NULL;
		vec->v = v;
		vec->cap = cap;
	}
	return (char *)vec->v + vec->n++ * elem;
}

struct align {
	struct vec kids[2];	/* struct diff_proc *: the pair's children in each run */
	struct vec cands[2];	/* struct cand */
	struct vec pairs;	/* struct diff_proc *[2]: pairs whose children are next */
};

typedef const char *(*key_fn)(const struct diff_proc *x);

static const char *
key_command(const struct diff_proc *x)
{
	return x->key;
}

static const char *
key_numbers(const struct diff_proc *x)
{
	return x->coarse;
}

static const char *
key_program(const struct diff_proc *x)
{
	return x->program;
}

static int
cmp_cand(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	int c = diff_cmp((uintptr_t)a->key, (uintptr_t)b->key);

	return c ? c : diff_cmp(a->order, b->order);
}

/* The children of run i still unmatched that have a key, sorted by it. */
static int
candidates(struct align *al, int i, key_fn key)
{
	struct diff_proc **kids = al->kids[i].v;
	struct vec *c = &al->cands[i];
	struct cand *cd;
	size_t k;

	c->n = 0;
	for (k = 0; k < al->kids[i].n; k++) {
		if (kids[k]->partner || !key(kids[k]))
			continue;
		if (!(cd = vec_push(c, sizeof(*cd))))
			return -ENOMEM;
		*cd = (struct cand){ kids[k], key(kids[k]), k };
	}
	if (c->n > 1)
		qsort(c->v, c->n, sizeof(*cd), cmp_cand);
	return 0;
}

static int
pair(struct align *al, struct diff_proc *a, struct diff_proc *b, enum pw_diff_match how)
{
	struct diff_proc **p = vec_push(&al->pairs, sizeof(struct diff_proc *[2]));

	if (!p)
		return -ENOMEM;
	a->partner = b;
	b->partner = a;
	a->how = b->how = how;
	p[0] = a;
	p[1] = b;
	return 0;
}

/* One pass: equal keys pair up, in the order the children were created. */
static int
pass(struct align *al, key_fn key, enum pw_diff_match how)
{
	struct cand *a, *b;
	size_t i = 0, j = 0;
	uintptr_t ka, kb;

	if (candidates(al, 0, key) < 0 || candidates(al, 1, key) < 0)
		return -ENOMEM;
	a = al->cands[0].v;
	b = al->cands[1].v;
	while (i < al->cands[0].n && j < al->cands[1].n) {
		ka = (uintptr_t)a[i].key;
		kb = (uintptr_t)b[j].key;
		if (ka < kb)
			i++;
		else if (ka > kb)
			j++;
		else if (pair(al, a[i++].x, b[j++].x, how) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The processes below p in run i (its children; the tops for p NULL). */
static int
gather(struct diff_priv *dp, struct align *al, int i, const struct diff_proc *p)
{
	const struct diff_side *s = &dp->side[i];
	const struct pw_proc *c = p ? p->p->first_child : s->m->root;
	struct diff_proc **slot;

	al->kids[i].n = 0;
	for (; c; c = c->next_sibling) {
		if (!(slot = vec_push(&al->kids[i], sizeof(*slot))))
			return -ENOMEM;
		*slot = &s->v[c->id];
	}
	return 0;
}

static int
align_children(struct diff_priv *dp, struct align *al, struct diff_proc *a,
	       struct diff_proc *b)
{
	if (gather(dp, al, 0, a) < 0 || gather(dp, al, 1, b) < 0)
		return -ENOMEM;
	if (!al->kids[0].n || !al->kids[1].n)
		return 0;
	if (pass(al, key_command, PW_DIFF_MATCH_COMMAND) < 0 ||
	    pass(al, key_numbers, PW_DIFF_MATCH_NUMBERS) < 0 ||
	    pass(al, key_program, PW_DIFF_MATCH_PROGRAM) < 0)
		return -ENOMEM;
	return 0;
}

/* Every pair, from the tops down; pairs are taken from the end of the list. */
static int
match_all(struct diff_priv *dp, struct align *al)
{
	struct diff_proc **p, *a, *b;

	if (align_children(dp, al, NULL, NULL) < 0)
		return -ENOMEM;
	while (al->pairs.n) {
		p = (struct diff_proc **)al->pairs.v + 2 * --al->pairs.n;
		a = p[0];
		b = p[1];
		if (align_children(dp, al, a, b) < 0)
			return -ENOMEM;
	}
	return 0;
}

static struct pw_diff_node *
node_new(struct diff_priv *dp, struct diff_proc *a, struct diff_proc *b,
	 struct pw_diff_node *up)
{
	struct pw_diff_node *nd = pw_arena_alloc(&dp->arena, sizeof(*nd));
	struct diff_proc *x = a ? a : b;

	if (!nd)
		return NULL;
	nd->a = a ? a->p : NULL;
	nd->b = b ? b->p : NULL;
	nd->command = &x->cmd;
	nd->match = x->how;
	nd->below = a && b ? 0 : x->below;
	nd->up = up;
	nd->depth = up ? up->depth + 1 : 0;
	nd->outer = nd->depth < PW_DIFF_OUTER ? nd : up->outer;
	x->node = nd;
	if (a && b)
		b->node = nd;
	dp->nodes[dp->nnodes++] = nd;
	return nd;
}

/* The partner-less process heading x's subtree counts x, and what is below it. */
static void
count_below(struct diff_side *s)
{
	struct diff_proc *x, *up;
	size_t id;

	/* A child's id is always greater than its creator's: children first. */
	for (id = s->n; id >= 1; id--) {
		x = &s->v[id];
		up = x->p->up ? &s->v[x->p->up->id] : NULL;
		if (!x->partner && up && !up->partner)
			up->below += x->below + 1;
	}
}

/*
 * One node per pair and per unmatched process whose parent is matched (or
 * that is a top), parents before children: A's pairs and processes in
 * A's order, then B's unmatched ones, whose parents are pairs.
 */
static int
make_nodes(struct diff_priv *dp)
{
	struct diff_proc *x, *up;
	size_t id;
	int i;

	dp->nodes = calloc(dp->side[0].n + dp->side[1].n + 1, sizeof(*dp->nodes));
	if (!dp->nodes)
		return -ENOMEM;
	for (i = 0; i < 2; i++) {
		count_below(&dp->side[i]);
		for (id = 1; id <= dp->side[i].n; id++) {
			x = &dp->side[i].v[id];
			up = x->p->up ? &dp->side[i].v[x->p->up->id] : NULL;
			if ((x->partner && i == 1) || (up && !up->partner))
				continue;
			if (!node_new(dp, i == 0 ? x : x->partner, i == 0 ? x->partner : x,
				      up ? up->node : NULL))
				return -ENOMEM;
		}
	}
	return 0;
}

int
diff_align(struct diff_priv *dp)
{
	struct align al = { 0 };
	int err, i;

	err = match_all(dp, &al);
	for (i = 0; i < 2; i++) {
		free(al.kids[i].v);
		free(al.cands[i].v);
	}
	free(al.pairs.v);
	return err ? err : make_nodes(dp);
}
