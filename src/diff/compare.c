/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What differs between the two processes of each pair (status, exec chain,
 * failed execs, duration), the entry point pw_diff_new(), and what the
 * output needs: the tree of the nodes with a difference in their subtree,
 * siblings most important first, and the flat list of differences, most
 * important first.  Sorting makes it O(n log n) in the processes.
 *
 * A new comparison of a pair goes into compare_pair(): a kind in enum
 * pw_diff_kind, its check here, and its words in the two writers
 * (src/sink/diff_text.c, src/sink/diff_json.c).  What a process used
 * (CPU time, peak RSS) is not compared, only shown in the JSON: the
 * durations are what a slowed step shows in, and these would need
 * thresholds of their own.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diff_internal.h"

const char *
pw_diff_kind_name(enum pw_diff_kind k)
{
	static const char *const names[] = {
		[PW_DIFF_STATUS] = "status",
		[PW_DIFF_FAILED_EXEC] = "failed_exec",
		[PW_DIFF_ONLY_A] = "only_a",
		[PW_DIFF_ONLY_B] = "only_b",
		[PW_DIFF_EXEC] = "exec",
		[PW_DIFF_SLOWER] = "slower",
		[PW_DIFF_FASTER] = "faster",
	};

	return (unsigned)k < PW_DIFF_KINDS ? names[k] : NULL;
}

/* Another way of ending: exit code, signal, or one ended and the other not. */
static bool
status_differs(const struct pw_proc *a, const struct pw_proc *b)
{
	if (a->exited != b->exited)
		return true;
	if (!a->exited || a->status.kind != b->status.kind)
		return a->exited;
	if (a->status.kind == PW_STATUS_EXITED)
		return a->status.code != b->status.code;
	if (a->status.kind == PW_STATUS_KILLED)
		return a->status.signal != b->status.signal;	/* a core depends on ulimit */
	return false;
}

/* One image normalised; with out NULL, only its path and key. 0 or -ENOMEM. */
static int
image_norm(struct diff_priv *dp, int i, const struct pw_image *im,
	   struct pw_diff_image *out, const char **path, const char **key)
{
	struct pw_diff_image tmp;
	bool oom = false;

	if (!out)
		out = &tmp;
	out->path = diff_norm(dp, i, im->path, im->t, &oom);
	if (oom || diff_norm_argv(dp, i, &im->argv, im->t, &out->argv, key) < 0)
		return -ENOMEM;
	*path = out->path;
	return 0;
}

/* Whether the two chains of programs differ: how many, and each path and argv. */
static int
chains_differ(struct diff_priv *dp, const struct pw_proc *a, const struct pw_proc *b,
	      bool *differ)
{
	const struct pw_image *ia, *ib;
	const char *pa, *pb, *ka, *kb;
	struct pw_diff_image tmp;

	*differ = a->nimages != b->nimages;
	for (ia = a->images, ib = b->images; ia && ib && !*differ;
	     ia = ia->next, ib = ib->next) {
		if (image_norm(dp, 0, ia, &tmp, &pa, &ka) < 0 ||
		    image_norm(dp, 1, ib, &tmp, &pb, &kb) < 0)
			return -ENOMEM;
		*differ = pa != pb || ka != kb;
	}
	return 0;
}

static int
keep_chain(struct diff_priv *dp, struct pw_diff_node *nd, int i, const struct pw_proc *p)
{
	const struct pw_image *im;
	const char *path, *key;
	size_t k = 0;

	nd->nchain[i] = p->nimages;
	if (!p->nimages)
		return 0;
	nd->chain[i] = pw_arena_alloc(&dp->arena, p->nimages * sizeof(*nd->chain[i]));
	if (!nd->chain[i])
		return -ENOMEM;
	for (im = p->images; im; im = im->next)
		if (image_norm(dp, i, im, &nd->chain[i][k++], &path, &key) < 0)
			return -ENOMEM;
	return 0;
}

/* The failed execs of p (not a PATH search's misses), in the order they came. */
static int
keep_failures(struct diff_priv *dp, struct pw_diff_node *nd, int i, const struct pw_proc *p)
{
	const struct pw_mark *mk;
	bool oom = false;
	size_t k, n = 0;

	for (k = 0; p->marks && k < p->marks->n; k++)
		n += p->marks->v[k].kind == PW_MARK_EXEC_FAILED && !p->marks->v[k].path_miss;
	nd->nfailures[i] = 0;
	if (!n)
		return 0;
	nd->failures[i] = pw_arena_alloc(&dp->arena, n * sizeof(*nd->failures[i]));
	if (!nd->failures[i])
		return -ENOMEM;
	for (k = 0; k < p->marks->n; k++) {
		mk = &p->marks->v[k];
		if (mk->kind != PW_MARK_EXEC_FAILED || mk->path_miss)
			continue;
		nd->failures[i][nd->nfailures[i]++] =
			(struct pw_diff_failure){ diff_norm(dp, i, mk->path, mk->t, &oom), mk->num };
	}
	return oom ? -ENOMEM : 0;
}

static int
cmp_failure(const void *pa, const void *pb)
{
	const struct pw_diff_failure *a = pa, *b = pb;
	int c = diff_cmp((uintptr_t)a->path, (uintptr_t)b->path);

	return c ? c : (a->err > b->err) - (a->err < b->err);
}

/* The same failures in any order: a -j build fails its attempts in any order. */
static int
failures_differ(const struct pw_diff_node *nd, bool *differ)
{
	size_t n = nd->nfailures[0], k;
	struct pw_diff_failure *s[2];
	int i;

	*differ = n != nd->nfailures[1];
	if (*differ || !n)
		return 0;
	for (i = 0; i < 2; i++) {
		s[i] = malloc(n * sizeof(*s[i]));
		if (s[i])
			memcpy(s[i], nd->failures[i], n * sizeof(*s[i]));
		if (s[i] && n > 1)
			qsort(s[i], n, sizeof(*s[i]), cmp_failure);
	}
	for (k = 0; s[0] && s[1] && k < n && !*differ; k++)
		*differ = cmp_failure(&s[0][k], &s[1][k]) != 0;
	i = s[0] && s[1] ? 0 : -ENOMEM;
	free(s[0]);
	free(s[1]);
	return i;
}

/* slow took longer than fast by both thresholds. */
static bool
beyond(uint64_t slow, uint64_t fast, const struct pw_diff_opts *o)
{
	return slow - fast >= o->slower_min_us &&
	       (double)slow * 100.0 >= (double)fast * (100.0 + o->slower_pct);
}

static unsigned
duration_kind(const struct pw_proc *a, const struct pw_proc *b, const struct pw_diff_opts *o)
{
	uint64_t da, db;

	if (!a->exited || !b->exited)
		return 0;	/* the status says it */
	da = pw_proc_lifetime(a, a->exit_us);
	db = pw_proc_lifetime(b, b->exit_us);
	if (db > da && beyond(db, da, o))
		return 1u << PW_DIFF_SLOWER;
	if (da > db && beyond(da, db, o))
		return 1u << PW_DIFF_FASTER;
	return 0;
}

static int
compare_pair(struct pw_diff *d, struct pw_diff_node *nd)
{
	struct diff_priv *dp = d->priv;
	bool differ;

	if (status_differs(nd->a, nd->b))
		nd->kinds |= 1u << PW_DIFF_STATUS;
	if (chains_differ(dp, nd->a, nd->b, &differ) < 0)
		return -ENOMEM;
	if (differ) {
		nd->kinds |= 1u << PW_DIFF_EXEC;
		if (keep_chain(dp, nd, 0, nd->a) < 0 || keep_chain(dp, nd, 1, nd->b) < 0)
			return -ENOMEM;
	}
	if (keep_failures(dp, nd, 0, nd->a) < 0 || keep_failures(dp, nd, 1, nd->b) < 0 ||
	    failures_differ(nd, &differ) < 0)
		return -ENOMEM;
	if (differ)
		nd->kinds |= 1u << PW_DIFF_FAILED_EXEC;
	nd->kinds |= duration_kind(nd->a, nd->b, &d->opts);
	return 0;
}

/* The most important kind of a set: the lowest bit; PW_DIFF_KINDS for none. */
static unsigned
first_kind(unsigned kinds)
{
	return kinds ? (unsigned)__builtin_ctz(kinds) : PW_DIFF_KINDS;
}

static uint64_t
node_start(const struct pw_diff_node *nd)
{
	return nd->a ? nd->a->start_us : nd->b->start_us;
}

/* A shown node, sorted among its siblings: most important first, then started first. */
struct shown {
	struct pw_diff_node *nd;
	uintptr_t parent;	/* its parent node; 0 for a top */
	size_t index;		/* among all nodes: ties keep the order they were made in */
};

static int
cmp_shown(const void *pa, const void *pb)
{
	const struct shown *a = pa, *b = pb;
	int c;

	if ((c = diff_cmp(a->parent, b->parent)) || (c = diff_cmp(a->nd->rank, b->nd->rank)) ||
	    (c = diff_cmp(node_start(a->nd), node_start(b->nd))))
		return c;
	return diff_cmp(a->index, b->index);
}

/* The nodes with a difference below them, linked under their parents. */
static int
link_shown(struct pw_diff *d)
{
	struct diff_priv *dp = d->priv;
	struct pw_diff_node **last = &d->top, *nd;
	struct shown *v;
	size_t i, n = 0;

	for (i = 0; i < dp->nnodes; i++)
		n += dp->nodes[i]->rank < PW_DIFF_KINDS;
	if (!n)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	n = 0;
	for (i = 0; i < dp->nnodes; i++) {
		nd = dp->nodes[i];
		if (nd->rank < PW_DIFF_KINDS)
			v[n++] = (struct shown){ nd, (uintptr_t)nd->up, i };
	}
	qsort(v, n, sizeof(*v), cmp_shown);
	for (i = 0; i < n; i++) {
		if (i == 0 || v[i].parent != v[i - 1].parent)
			last = v[i].nd->up ? &v[i].nd->up->first_child : &d->top;
		*last = v[i].nd;
		last = &v[i].nd->next_sibling;
	}
	free(v);
	return 0;
}

/* Where a node was made: A's processes, then B's alone, each in its run's order. */
static uint64_t
node_order(const struct pw_diff_node *nd)
{
	return nd->a ? nd->a->id : ((uint64_t)1 << 32) + nd->b->id;
}

static int
cmp_entry(const void *pa, const void *pb)
{
	const struct pw_diff_entry *a = pa, *b = pb;
	int c;

	/* The deepest first: b's depth against a's. */
	if ((c = diff_cmp(a->kind, b->kind)) || (c = diff_cmp(b->node->depth, a->node->depth)) ||
	    (c = diff_cmp(node_start(a->node), node_start(b->node))))
		return c;
	return diff_cmp(node_order(a->node), node_order(b->node));
}

/* Every kind of every node as one entry, most important first. */
static int
list_entries(struct pw_diff *d)
{
	struct diff_priv *dp = d->priv;
	size_t i, n = 0;
	unsigned k;

	for (k = 0; k < PW_DIFF_KINDS; k++)
		n += d->counts[k];
	if (!n)
		return 0;
	d->entries = malloc(n * sizeof(*d->entries));
	if (!d->entries)
		return -ENOMEM;
	for (i = 0; i < dp->nnodes; i++)
		for (k = 0; k < PW_DIFF_KINDS; k++)
			if (dp->nodes[i]->kinds & 1u << k)
				d->entries[d->nentries++] =
					(struct pw_diff_entry){ (enum pw_diff_kind)k, dp->nodes[i] };
	qsort(d->entries, d->nentries, sizeof(*d->entries), cmp_entry);
	return 0;
}

int
diff_compare(struct pw_diff *d)
{
	struct diff_priv *dp = d->priv;
	struct pw_diff_node *nd;
	size_t i;
	unsigned k;

	for (i = 0; i < dp->nnodes; i++) {
		nd = dp->nodes[i];
		if (nd->a && nd->b) {
			d->matched++;
			if (compare_pair(d, nd) < 0)
				return -ENOMEM;
		} else {
			nd->kinds = 1u << (nd->a ? PW_DIFF_ONLY_A : PW_DIFF_ONLY_B);
		}
		nd->rank = first_kind(nd->kinds);
		for (k = 0; k < PW_DIFF_KINDS; k++)
			d->counts[k] += !!(nd->kinds & 1u << k);
	}
	/* Children come after their parents: the rank of a subtree flows up. */
	for (i = dp->nnodes; i-- > 0;) {
		nd = dp->nodes[i];
		if (nd->up && nd->rank < nd->up->rank)
			nd->up->rank = nd->rank;
	}
	if (link_shown(d) < 0)
		return -ENOMEM;
	return list_entries(d);
}

void
pw_diff_free(struct pw_diff *d)
{
	struct diff_priv *dp;
	int i;

	if (!d)
		return;
	dp = d->priv;
	if (dp) {
		for (i = 0; i < 2; i++)
			diff_side_destroy(&dp->side[i]);
		pw_intern_destroy(&dp->strings);
		pw_arena_destroy(&dp->arena);
		free(dp->nodes);
		free(dp->buf);
		free(dp);
	}
	free(d->entries);
	free(d);
}

struct pw_diff *
pw_diff_new(const struct pw_model *a, const struct pw_model *b,
	    const struct pw_diff_opts *opts)
{
	struct pw_diff *d = calloc(1, sizeof(*d));
	struct diff_priv *dp = calloc(1, sizeof(*dp));
	int err = 0, i;

	if (!d || !dp) {
		free(d);
		free(dp);
		return NULL;
	}
	d->a = a;
	d->b = b;
	d->opts = *opts;
	d->priv = dp;
	dp->exact = opts->exact;
	pw_intern_init(&dp->strings);
	pw_arena_init(&dp->arena);
	for (i = 0; i < 2 && !err; i++)
		err = diff_side_init(dp, i, i ? b : a, i ? a : b);
	for (i = 0; i < 2 && !err; i++) {
		err = diff_side_keys(dp, i);
		d->cwd[i] = dp->side[i].cwd;
	}
	if (!err)
		err = diff_align(dp);
	if (!err)
		err = diff_compare(d);
	if (err) {
		pw_diff_free(d);
		return NULL;
	}
	return d;
}
