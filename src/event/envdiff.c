/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An exec's environment as the change from its base and back
 * (include/procwatch/envdiff.h has the rule).  Entries are found by name
 * in a small hash index built per call, so writing or rebuilding an
 * environment of n entries costs O(n), whatever the change.  Every
 * change carries the check of the environment it was made from, and
 * pw_env_apply() refuses one whose result has another: a change that
 * does not give back exactly what was encoded (a bug, a damaged trace)
 * is never rebuilt into a wrong environment.  tests/unit/test_envdiff.c
 * and test_model_env.c check that it always does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/envdiff.h"

/* Entries by name: slot values are an entry's index + 1, 0 is empty. */
struct name_index {
	uint32_t *slots;
	size_t mask;
	const struct pw_bytes *v;
};

size_t
pw_env_name_len(const struct pw_bytes *entry)
{
	const char *eq = entry->data ? memchr(entry->data, '=', entry->len) : NULL;

	return eq ? (size_t)(eq - entry->data) : entry->len;
}

static uint32_t
fnv1a(uint32_t h, const char *s, size_t len)
{
	while (len--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

uint32_t
pw_env_check(const struct pw_env_list *l)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].data)
			h = fnv1a(h, l->v[i].data, l->v[i].len);
		h = fnv1a(h, "", 1);
	}
	return h;
}

static bool
same_bytes(const struct pw_bytes *a, const struct pw_bytes *b)
{
	return a->data && b->data && a->len == b->len &&
	       memcmp(a->data, b->data, a->len) == 0;
}

/*
 * Entry a is named name (len bytes, no '=' in them): it starts with name,
 * and ends or has its first '=' right after.  No search for a's '='.
 */
static bool
same_name(const struct pw_bytes *a, const char *name, size_t len)
{
	return a->len >= len && memcmp(a->data, name, len) == 0 &&
	       (a->len == len || a->data[len] == '=');
}

/* The index of the entry named name, or -1. */
static long
index_find(const struct name_index *ix, const char *name, size_t len)
{
	size_t i = fnv1a(2166136261u, name, len) & ix->mask;
	uint32_t s;

	while ((s = ix->slots[i]) != 0) {
		if (same_name(&ix->v[s - 1], name, len))
			return (long)s - 1;
		i = (i + 1) & ix->mask;
	}
	return -1;
}

static long
index_find_entry(const struct name_index *ix, const struct pw_bytes *entry)
{
	return index_find(ix, entry->data, pw_env_name_len(entry));
}

/*
 * Indexes v[0..n) by name, at most half full.  Returns 1 when it is keyed
 * (every entry readable, no name twice: a later one is not indexed), 0
 * when not, -ENOMEM.
 */
static int
index_build(struct name_index *ix, const struct pw_bytes *v, size_t n)
{
	size_t cap = 16, i, len, slot;
	bool keyed = n <= UINT32_MAX - 1;

	while (cap < 2 * n)
		cap *= 2;
	*ix = (struct name_index){ .slots = calloc(cap, sizeof(*ix->slots)),
				   .mask = cap - 1, .v = v };
	if (!ix->slots)
		return -ENOMEM;
	for (i = 0; keyed && i < n; i++) {
		if (!v[i].data) {
			keyed = false;
			break;
		}
		len = pw_env_name_len(&v[i]);
		if (index_find(ix, v[i].data, len) >= 0) {
			keyed = false;
			break;
		}
		slot = fnv1a(2166136261u, v[i].data, len) & ix->mask;
		while (ix->slots[slot])
			slot = (slot + 1) & ix->mask;
		ix->slots[slot] = (uint32_t)i + 1;
	}
	return keyed;
}

static void
index_free(struct name_index *ix)
{
	free(ix->slots);
	ix->slots = NULL;
}

bool
pw_env_keyed(const struct pw_env_list *l)
{
	struct name_index ix;
	int keyed = index_build(&ix, l->v, l->n);

	index_free(&ix);
	return keyed == 1;
}

/* What becomes of each base entry while a change is applied. */
#define KEEP (-1L)
#define REMOVED (-2L)

/* Steps 1 and 2 of the rule: each base entry kept, removed or replaced. */
static int
mark_base(const struct name_index *ib, const struct pw_env *change, long *fate)
{
	size_t j;
	long k;

	for (j = 0; j < change->nunset; j++) {
		if (!change->unset[j].data ||
		    memchr(change->unset[j].data, '=', change->unset[j].len))
			return -EINVAL;
		k = index_find(ib, change->unset[j].data, change->unset[j].len);
		if (k < 0)
			return -EINVAL;
		fate[k] = REMOVED;
	}
	for (j = 0; j < change->nset; j++) {
		k = index_find_entry(ib, &change->set[j]);
		if (k >= 0 && fate[k] == REMOVED)
			return -EINVAL;
		if (k >= 0)
			fate[k] = (long)j;
	}
	return 0;
}

/*
 * Steps 1 to 3 of the rule, without the order: into out, which has room
 * for base->n + change->nset entries.  0 or -EINVAL.
 */
static int
rebuild(const struct name_index *ib, const struct pw_env_list *base,
	const struct pw_env *change, struct pw_bytes *out, size_t *n)
{
	struct name_index is;
	long *fate;
	size_t i, j;
	int rc;

	fate = malloc((base->n ? base->n : 1) * sizeof(*fate));
	if (!fate)
		return -ENOMEM;
	for (i = 0; i < base->n; i++)
		fate[i] = KEEP;
	rc = index_build(&is, change->set, change->nset);
	if (rc == 1)
		rc = mark_base(ib, change, fate);
	else if (rc == 0)
		rc = -EINVAL;	/* a set naming one entry twice, or unreadable */
	*n = 0;
	for (i = 0; rc == 0 && i < base->n; i++) {
		if (fate[i] == KEEP)
			out[(*n)++] = base->v[i];
		else if (fate[i] != REMOVED)
			out[(*n)++] = change->set[fate[i]];
	}
	for (j = 0; rc == 0 && j < change->nset; j++)
		if (index_find_entry(ib, &change->set[j]) < 0)
			out[(*n)++] = change->set[j];
	index_free(&is);
	free(fate);
	return rc;
}

/* Step 4: list in order's order, into out.  -EINVAL unless a permutation. */
static int
reorder(const struct pw_bytes *list, size_t n, const struct pw_env *change,
	struct pw_bytes *out)
{
	bool *seen;
	size_t i;
	int rc = 0;

	if (change->norder != n)
		return -EINVAL;
	seen = calloc(n ? n : 1, sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	for (i = 0; i < n && rc == 0; i++) {
		if (change->order[i] >= n || seen[change->order[i]])
			rc = -EINVAL;
		else
			out[i] = list[change->order[i]];
		if (rc == 0)
			seen[change->order[i]] = true;
	}
	free(seen);
	return rc;
}

static int
apply_change(const struct pw_env_list *base, const struct pw_env *change,
	     struct pw_bytes *list, struct pw_bytes *out, size_t *n)
{
	struct name_index ib;
	int rc = index_build(&ib, base->v, base->n);

	if (rc == 1)
		rc = rebuild(&ib, base, change, change->norder ? list : out, n);
	else if (rc == 0)
		rc = -EINVAL;	/* a change is never written against such a base */
	index_free(&ib);
	if (rc == 0 && change->norder)
		rc = reorder(list, *n, change, out);
	if (rc == 0 && pw_env_check(&(struct pw_env_list){ out, *n }) != change->check)
		rc = -EINVAL;
	return rc;
}

int
pw_env_apply(const struct pw_env_list *base, const struct pw_env *change,
	     struct pw_bytes **out, size_t *n)
{
	struct pw_bytes *list = NULL, *res;
	size_t room;
	int rc;

	*out = NULL;
	*n = 0;
	if (change->whole) {
		if (change->nunset || change->norder)
			return -EINVAL;
		res = malloc((change->nset ? change->nset : 1) * sizeof(*res));
		if (!res)
			return -ENOMEM;
		if (change->nset)
			memcpy(res, change->set, change->nset * sizeof(*res));
		*out = res;
		*n = change->nset;
		return 0;
	}
	if (!base)
		return -EINVAL;
	room = base->n + change->nset;
	res = malloc((room ? room : 1) * sizeof(*res));
	if (change->norder)
		list = malloc((room ? room : 1) * sizeof(*list));
	rc = !res || (change->norder && !list) ? -ENOMEM
					      : apply_change(base, change, list, res, n);
	free(list);
	if (rc < 0) {
		free(res);
		*n = 0;
		return rc;
	}
	*out = res;
	return 0;
}

/* Empties what a change holds; the caller's flags stay. */
static void
change_empty(struct pw_env *c)
{
	struct pw_env keep = { .recorded = c->recorded, .truncated = c->truncated,
			       .err = c->err };

	pw_env_clear(c);
	*c = keep;
}

static int
encode_whole(const struct pw_env_list *cur, struct pw_env *c)
{
	size_t i;

	c->whole = true;
	if (!cur->n)
		return 0;
	c->set = calloc(cur->n, sizeof(*c->set));
	if (!c->set)
		return -ENOMEM;
	for (i = 0; i < cur->n; i++) {
		c->nset = i + 1;
		if (pw_bytes_dup(&c->set[i], &cur->v[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Appends a copy of the len bytes at s to v[*n]. */
static int
push_copy(struct pw_bytes *v, size_t *n, const char *s, size_t len)
{
	struct pw_bytes src = { .data = (char *)s, .len = len };

	if (pw_bytes_dup(&v[*n], &src) < 0)
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* Steps 1 to 3 backwards: the names base loses, the entries cur adds or changes. */
static int
encode_entries(const struct name_index *ib, const struct name_index *ic,
	       const struct pw_env_list *base, const struct pw_env_list *cur,
	       struct pw_env *c)
{
	size_t i;
	long k;

	c->unset = calloc(base->n ? base->n : 1, sizeof(*c->unset));
	c->set = calloc(cur->n ? cur->n : 1, sizeof(*c->set));
	if (!c->unset || !c->set)
		return -ENOMEM;
	for (i = 0; i < base->n; i++)
		if (index_find_entry(ic, &base->v[i]) < 0 &&
		    push_copy(c->unset, &c->nunset, base->v[i].data,
			      pw_env_name_len(&base->v[i])) < 0)
			return -ENOMEM;
	for (i = 0; i < cur->n; i++) {
		k = index_find_entry(ib, &cur->v[i]);
		if ((k < 0 || !same_bytes(&base->v[k], &cur->v[i])) &&
		    push_copy(c->set, &c->nset, cur->v[i].data, cur->v[i].len) < 0)
			return -ENOMEM;
	}
	return 0;
}

/*
 * Step 4 backwards: the order, when the list steps 1 to 3 give is not in
 * cur's.  1 when there is one now or none is needed, 0 when the rule
 * cannot give cur at all, -ENOMEM.
 */
static int
encode_order(const struct name_index *ib, const struct pw_env_list *base,
	     const struct pw_env_list *cur, struct pw_env *c)
{
	struct pw_bytes *list = malloc((base->n + c->nset + 1) * sizeof(*list));
	struct name_index il = { 0 };
	size_t n = 0, i;
	int rc;

	if (!list)
		return -ENOMEM;
	rc = rebuild(ib, base, c, list, &n);
	if (rc == -EINVAL || (rc == 0 && n != cur->n))
		rc = 0;
	else if (rc == 0)
		rc = 1;
	for (i = 0; rc == 1 && i < n && same_bytes(&list[i], &cur->v[i]); i++)
		;
	if (rc == 1 && i < n) {
		c->order = malloc(n * sizeof(*c->order));
		rc = c->order ? index_build(&il, list, n) : -ENOMEM;
		for (i = 0; rc == 1 && i < n; i++)
			c->order[i] = (uint32_t)index_find_entry(&il, &cur->v[i]);
		c->norder = rc == 1 ? n : 0;
		index_free(&il);
	}
	free(list);
	return rc;
}

/* Roughly what each form costs in the trace: the bytes, the numbers. */
static size_t
bytes_cost(const struct pw_bytes *v, size_t n)
{
	size_t cost = 0, i;

	for (i = 0; i < n; i++)
		cost += v[i].len + 3;
	return cost;
}

static size_t
change_cost(const struct pw_env *c)
{
	return bytes_cost(c->set, c->nset) + bytes_cost(c->unset, c->nunset) +
	       c->norder * 3 + 20;
}

/* 1: c is the change from base to cur; 0: write cur whole; -ENOMEM. */
static int
encode_change(const struct pw_env_list *base, const struct pw_env_list *cur,
	      struct pw_env *c)
{
	struct name_index ib, ic = { 0 };
	int rc = index_build(&ib, base->v, base->n);

	if (rc == 1)
		rc = index_build(&ic, cur->v, cur->n);
	if (rc == 1)
		rc = encode_entries(&ib, &ic, base, cur, c) < 0 ? -ENOMEM : 1;
	if (rc == 1) {
		c->check = pw_env_check(cur);
		rc = encode_order(&ib, base, cur, c);
	}
	index_free(&ib);
	index_free(&ic);
	if (rc == 1 && change_cost(c) >= bytes_cost(cur->v, cur->n))
		rc = 0;
	return rc;
}

/* The same entries in the same order: the change is empty. */
static bool
unchanged(const struct pw_env_list *base, const struct pw_env_list *cur)
{
	size_t i;

	if (base->n != cur->n)
		return false;
	for (i = 0; i < cur->n && same_bytes(&base->v[i], &cur->v[i]); i++)
		;
	return i == cur->n;
}

int
pw_env_encode(const struct pw_env_list *base, const struct pw_env_list *cur,
	      struct pw_env *change)
{
	int rc = 0;

	change_empty(change);
	/* A PATH search's attempts after the first, a shell's exec: common. */
	if (base && unchanged(base, cur) && pw_env_keyed(cur)) {
		change->check = pw_env_check(cur);
		return 0;
	}
	if (base)
		rc = encode_change(base, cur, change);
	if (rc == 1)
		return 0;
	change_empty(change);
	if (rc == 0)
		rc = encode_whole(cur, change);
	if (rc < 0)
		change_empty(change);
	return rc;
}
