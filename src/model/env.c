/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --env in the process model: each exec's environment kept as the trace
 * has it, the change from its base's (include/procwatch/envdiff.h), with
 * the base found by the same lineage rule the tracer wrote it with, and
 * rebuilt only when a view asks (pw_model_env): the failures view and
 * the timeline, for a failed process's command line.  Nodes live in the
 * model's arena like the other records; their strings are interned.
 *
 * A change is not checked when it is taken in, which would cost a rebuild
 * per exec: a damaged trace shows when it is rebuilt (its check differs),
 * and the environment is then unknown rather than wrong.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

/* Interned copies of v[0..n) (malloc'ed); NULL entries stay NULL. */
static const char **
intern_all(struct pw_model *m, const struct pw_bytes *v, size_t n)
{
	const char **out = calloc(n ? n : 1, sizeof(*out));
	size_t i;

	for (i = 0; out && i < n; i++) {
		if (v[i].data && !(out[i] = pw_intern(&m->strings, v[i].data, v[i].len))) {
			free(out);
			return NULL;
		}
	}
	return out;
}

static size_t
bytes_of(const struct pw_bytes *v, size_t n)
{
	size_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += v[i].len;
	return sum;
}

/* The environment is the base's own: its exec shares the base's node. */
static bool
unchanged(const struct pw_env *env, const struct pw_env_node *base)
{
	return !env->whole && !env->nset && !env->nunset && !env->norder &&
	       env->check == base->check && env->truncated == base->truncated &&
	       env->err == base->err;
}

/* A node rebuilt whole, for one too far from the last whole one. */
static const struct pw_env_node *
whole_of(struct pw_model *m, const struct pw_env_node *node)
{
	struct pw_env_node *w;
	const char **v;
	size_t n;

	if (pw_model_env(node, &v, &n) < 0)
		return NULL;
	w = pw_arena_alloc(&m->records, sizeof(*w));
	if (w && n)
		w->set = pw_arena_alloc(&m->records, n * sizeof(*w->set));
	if (w && (w->set || !n)) {
		if (n)
			memcpy(w->set, v, n * sizeof(*v));
		w->nset = (uint32_t)n;
		w->check = node->check;
		w->truncated = node->truncated;
		w->err = node->err;
	}
	free(v);
	return w && (w->set || !n) ? w : NULL;
}

/*
 * The node env would make over base, in *c, its arrays malloc'ed (strings
 * interned, so two changes compare by pointer).  false when out of memory.
 */
static bool
candidate(struct pw_model *m, const struct pw_env *env, const struct pw_env_node *base,
	  struct pw_env_node *c)
{
	if (env->nset > UINT32_MAX || env->nunset > UINT32_MAX || env->norder > UINT32_MAX)
		return false;
	*c = (struct pw_env_node){
		.base = env->whole ? NULL : base,
		.set = intern_all(m, env->set, env->nset),
		.unset = intern_all(m, env->unset, env->nunset),
		.order = env->order,
		.nset = (uint32_t)env->nset, .nunset = (uint32_t)env->nunset,
		.norder = (uint32_t)env->norder,
		.check = env->whole ? pw_env_check(&(struct pw_env_list){ env->set, env->nset })
				    : env->check,
		.depth = env->whole ? 0 : base->depth + 1,
		.truncated = env->truncated, .err = env->err,
	};
	return c->set && c->unset;
}

/* memcmp(3) wants valid pointers even for no bytes, and an empty list is NULL. */
static bool
same_array(const void *a, const void *b, size_t n, size_t size)
{
	return n == 0 || !memcmp(a, b, n * size);
}

static bool
same_change(const struct pw_env_node *a, const struct pw_env_node *b)
{
	return a->base == b->base && a->check == b->check && a->nset == b->nset &&
	       a->nunset == b->nunset && a->norder == b->norder &&
	       a->truncated == b->truncated && a->err == b->err &&
	       same_array(a->set, b->set, a->nset, sizeof(*a->set)) &&
	       same_array(a->unset, b->unset, a->nunset, sizeof(*a->unset)) &&
	       same_array(a->order, b->order, a->norder, sizeof(*a->order));
}

/* Copies n elements of size from src into the arena; NULL for none. */
static void *
arena_copy(struct pw_model *m, const void *src, size_t n, size_t size, bool *ok)
{
	void *dst = n ? pw_arena_alloc(&m->records, n * size) : NULL;

	if (n && !dst)
		*ok = false;
	else if (n)
		memcpy(dst, src, n * size);
	return dst;
}

/* c, kept: a node in the arena. */
static struct pw_env_node *
node_keep(struct pw_model *m, const struct pw_env_node *c)
{
	struct pw_env_node *node = pw_arena_alloc(&m->records, sizeof(*node));
	bool ok = node != NULL;

	if (!ok)
		return NULL;
	*node = *c;
	node->set = arena_copy(m, c->set, c->nset, sizeof(*c->set), &ok);
	node->unset = arena_copy(m, c->unset, c->nunset, sizeof(*c->unset), &ok);
	node->order = arena_copy(m, c->order, c->norder, sizeof(*c->order), &ok);
	return ok ? node : NULL;
}

/*
 * The node of env over base: the one base last gave when the change is the
 * same (the children of one shell or make mostly pass the same
 * environment, so a loop of 20 000 execs keeps one node), else a new one.
 */
static const struct pw_env_node *
node_of(struct pw_model *m, const struct pw_env *env, struct pw_env_node *base)
{
	struct pw_env_node c, *node = NULL;

	if (candidate(m, env, base, &c)) {
		if (base && base->derived && same_change(base->derived, &c))
			node = base->derived;
		else
			node = node_keep(m, &c);
	}
	free((void *)c.set);
	free((void *)c.unset);
	if (!node) {
		m->failed = true;
		return NULL;
	}
	/* NULL too when the chain does not rebuild: unknown, not out of memory. */
	if (node->depth > PW_ENV_CHAIN_MAX)
		return whole_of(m, node);
	if (base)
		base->derived = node;
	return node;
}

const struct pw_env_node *
model_env_node(struct pw_model *m, const struct pw_event *ev)
{
	const struct pw_env *env = &ev->u.exec.env;
	struct pw_env_node *base;

	if (!pw_event_is_exec_like(ev) || !env->recorded)
		return NULL;
	m->env_seen = true;
	if (!m->opts.env)
		return NULL;
	m->env_bytes += bytes_of(env->set, env->nset) + bytes_of(env->unset, env->nunset);
	base = pw_env_lineage_base(&m->env_lineage, ev);
	/* A change without its base: the trace lost a line of the lineage. */
	if (!env->whole && !base)
		return NULL;
	if (!env->whole && unchanged(env, base))
		return base;
	return node_of(m, env, env->whole ? NULL : base);
}

void
model_env_track(struct pw_model *m, const struct pw_event *ev,
		const struct pw_env_node *node)
{
	if (m->opts.env && pw_env_lineage_event(&m->env_lineage, ev, (void *)node) < 0)
		m->failed = true;
}

/* A node's strings as the byte strings the rule works on. */
static struct pw_bytes *
as_bytes(const char *const *v, size_t n)
{
	struct pw_bytes *b = calloc(n ? n : 1, sizeof(*b));

	for (size_t i = 0; b && i < n; i++)
		if (v[i])
			b[i] = (struct pw_bytes){ .data = (char *)v[i], .len = strlen(v[i]) };
	return b;
}

/* base (*cur, *n) with node's change applied, in place. */
static int
apply_node(const struct pw_env_node *node, struct pw_bytes **cur, size_t *n)
{
	struct pw_env change = { .check = node->check, .order = node->order,
				 .norder = node->norder };
	struct pw_bytes *next = NULL;
	size_t nn = 0;
	int rc = -ENOMEM;

	change.set = as_bytes(node->set, node->nset);
	change.unset = as_bytes(node->unset, node->nunset);
	change.nset = node->nset;
	change.nunset = node->nunset;
	if (change.set && change.unset)
		rc = pw_env_apply(&(struct pw_env_list){ *cur, *n }, &change, &next, &nn);
	free(change.set);
	free(change.unset);
	if (rc < 0)
		return rc;
	free(*cur);
	*cur = next;
	*n = nn;
	return 0;
}

int
pw_model_env(const struct pw_env_node *node, const char ***v, size_t *n)
{
	const struct pw_env_node *chain[PW_ENV_CHAIN_MAX + 1], *w = node;
	struct pw_bytes *cur;
	size_t depth = 0, i;
	int rc = 0;

	*v = NULL;
	*n = 0;
	for (; w && w->base; w = w->base) {
		if (depth == PW_ENV_CHAIN_MAX + 1)
			return -EINVAL;
		chain[depth++] = w;
	}
	if (!w)
		return -EINVAL;
	cur = as_bytes(w->set, w->nset);
	*n = w->nset;
	while (cur && rc == 0 && depth > 0)
		rc = apply_node(chain[--depth], &cur, n);
	if (!cur)
		rc = -ENOMEM;
	if (rc == 0 && !(*v = calloc(*n ? *n : 1, sizeof(**v))))
		rc = -ENOMEM;
	for (i = 0; rc == 0 && i < *n; i++)
		(*v)[i] = cur[i].data;
	free(cur);
	if (rc < 0)
		*n = 0;
	return rc;
}
