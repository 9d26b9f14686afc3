/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What makes two runs of one job differ when nothing really changed:
 * process ids, the random names of temporary files, and, for two
 * checkouts of a project, the directory it is in.  Each argument and path
 * of a run is rewritten before the two runs are compared (unless --exact):
 *
 *  - the directory of the run's first command, when the two runs had
 *    different ones, becomes %CWD% where a path may begin (below);
 *  - below /tmp, /var/tmp and /dev/shm, where a path may begin, each run
 *    of 6 or more letters, digits and underscores of the name right below
 *    becomes XXXXXX (gcc's /tmp/ccNRovE6.s, mktemp's tmp.Ab3dEf9hIj);
 *  - a whole number (no letter, digit or '.' on either side) that is the
 *    id of a process or thread of the run alive when the command was run
 *    (a zombie not yet reaped included), or procwatch's, becomes %PID%.
 *    Alive, because a command names a process it can reach (kill 4211,
 *    /proc/4211/fd, a shell's $$); in a pid namespace, where a run's ids
 *    are small and dense, "sleep 2" must not become "sleep %PID%" because
 *    process 2 ran at some other time.
 *
 * A path may begin at the start of an argument, after '=', ':', ',' or
 * '@' (--out=/tmp/x, -Wl,/tmp/x, @/tmp/ccX response files), or after a
 * short option's letter (-o/tmp/x).  Every string is then interned in the
 * comparison's one set, so equal strings of either run are one pointer.
 * A key is a whole argv as one string: elements joined by \1, a \1 or \2
 * inside one escaped by \2, an unreadable element \2\3, a cut vector ended
 * by \2\4, a fork that never exec'd \2\5 and its name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diff_internal.h"

#define TEMP_RUN_MIN 6		/* shorter runs are words a program chose */
#define PID_DIGITS_MAX 10

static const char *const temp_roots[] = { "/tmp/", "/var/tmp/", "/dev/shm/" };

/* Bytes written into a growing buffer; oom once it could not grow. */
struct out {
	char **buf;
	size_t *cap;
	size_t len;
	bool oom;
};

static void
put(struct out *o, const char *s, size_t n)
{
	size_t cap = *o->cap ? *o->cap : 256;
	char *b;

	if (o->oom)
		return;
	if (o->len + n > *o->cap) {
		while (cap < o->len + n)
			cap *= 2;
		b = realloc(*o->buf, cap);
		if (!b) {
			o->oom = true;
			return;
		}
		*o->buf = b;
		*o->cap = cap;
	}
	memcpy(*o->buf + o->len, s, n);
	o->len += n;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_word(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_';
}

/* Whether a path may begin at s[i] (see the top of the file). */
static bool
path_may_start(const char *s, size_t i)
{
	if (i == 0)
		return true;
	if (strchr("=:,@", s[i - 1]))
		return true;
	return i == 2 && s[0] == '-' && is_alpha(s[1]);
}

static bool
starts_with(const char *s, size_t len, const char *prefix, size_t n)
{
	return len >= n && memcmp(s, prefix, n) == 0;
}

/* The name right below a temporary directory, its long runs as XXXXXX. */
static size_t
put_temp_name(struct out *o, const char *s, size_t len)
{
	size_t i = 0, run;

	while (i < len && s[i] != '/') {
		for (run = 0; i + run < len && is_word(s[i + run]); run++)
			;
		if (run >= TEMP_RUN_MIN)
			put(o, "XXXXXX", 6);
		else
			put(o, s + i, run ? run : 1);
		i += run ? run : 1;
	}
	return i;
}

/* At s[i], a path that may begin there: 0, or how much of s it replaced. */
static size_t
put_path_start(const struct diff_side *side, struct out *o, const char *s, size_t len)
{
	size_t k, n;

	if (side->cwd && starts_with(s, len, side->cwd, side->cwd_len) &&
	    (len == side->cwd_len || s[side->cwd_len] == '/')) {
		put(o, "%CWD%", 5);
		return side->cwd_len;
	}
	for (k = 0; k < sizeof(temp_roots) / sizeof(temp_roots[0]); k++) {
		n = strlen(temp_roots[k]);
		if (starts_with(s, len, temp_roots[k], n)) {
			put(o, temp_roots[k], n);
			return n + put_temp_name(o, s + n, len - n);
		}
	}
	return 0;
}

/* Whether c, next to a number, makes it part of a word or a decimal. */
static bool
joins_number(char c)
{
	return is_alpha(c) || is_digit(c) || c == '.';
}

/* When one task of the run had an id: from its start to its reap (or the end). */
struct pid_life {
	uint64_t from, to;
	struct pid_life *next;	/* the id's other tasks: ids are reused */
};

/* The digits at s[0..n) as the id of a task of the run alive at t. */
static bool
is_run_pid(const struct diff_side *side, const char *s, size_t n, uint64_t t)
{
	const struct pid_life *l;
	long v = 0;
	size_t i;

	if (n > PID_DIGITS_MAX || s[0] == '0')
		return false;
	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	if (v > INT32_MAX)
		return false;
	for (l = pw_pidmap_get(&side->pids, (pid_t)v); l; l = l->next)
		if (l->from <= t && t <= l->to)
			return true;
	return false;
}

/* s[i] is a digit after a boundary: the whole number, as %PID% if it is one. */
static size_t
put_number(const struct diff_side *side, struct out *o, const char *s, size_t len,
	   size_t i, uint64_t t)
{
	size_t j = i;

	while (j < len && is_digit(s[j]))
		j++;
	if ((j == len || !joins_number(s[j])) && is_run_pid(side, s + i, j - i, t))
		put(o, "%PID%", 5);
	else
		put(o, s + i, j - i);
	return j - i;
}

static void
normalize(const struct diff_side *side, struct out *o, const char *s, size_t len, uint64_t t)
{
	size_t i = 0, n;

	while (i < len) {
		if (path_may_start(s, i) && (n = put_path_start(side, o, s + i, len - i))) {
			i += n;
			continue;
		}
		if (is_digit(s[i]) && (i == 0 || !joins_number(s[i - 1]))) {
			i += put_number(side, o, s, len, i, t);
			continue;
		}
		put(o, s + i, 1);
		i++;
	}
}

const char *
diff_norm(struct diff_priv *dp, int i, const char *str, uint64_t t, bool *oom)
{
	struct out o = { &dp->buf, &dp->cap, 0, false };
	const char *s;

	if (!str)
		return NULL;
	if (dp->exact)
		s = pw_intern_cstr(&dp->strings, str);
	else {
		normalize(&dp->side[i], &o, str, strlen(str), t);
		s = o.oom ? NULL : pw_intern(&dp->strings, o.len ? dp->buf : "", o.len);
	}
	if (!s)
		*oom = true;
	return s;
}

/* One element of a key (see the top of the file); digits as one with coarse. */
static void
put_key_element(struct out *o, const char *s, bool coarse)
{
	size_t i;

	if (!s) {
		put(o, "\2\3\1", 3);
		return;
	}
	for (i = 0; s[i]; i++) {
		if (s[i] == '\1' || s[i] == '\2')
			put(o, "\2", 1);
		if (coarse && is_digit(s[i]) && i > 0 && is_digit(s[i - 1]))
			continue;
		put(o, coarse && is_digit(s[i]) ? "0" : s + i, 1);
	}
	put(o, "\1", 1);
}

/* The key of argv a, from its normalised elements; NULL when out of memory. */
static const char *
argv_key(struct diff_priv *dp, const struct pw_argv *a, bool coarse)
{
	struct out o = { &dp->buf, &dp->cap, 0, false };
	uint32_t k;

	for (k = 0; k < a->n - a->elided; k++)
		put_key_element(&o, a->v[k], coarse);
	if (a->truncated || a->elided)
		put(&o, "\2\4", 2);
	return o.oom ? NULL : pw_intern(&dp->strings, o.len ? dp->buf : "", o.len);
}

int
diff_norm_argv(struct diff_priv *dp, int i, const struct pw_argv *raw, uint64_t t,
	       struct pw_argv *out, const char **key)
{
	uint32_t kept = raw->n - raw->elided, k;
	bool oom = false;

	*out = *raw;
	out->v = kept ? pw_arena_alloc(&dp->arena, kept * sizeof(*out->v)) : NULL;
	if (kept && !out->v)
		return -ENOMEM;
	for (k = 0; k < kept; k++)
		out->v[k] = diff_norm(dp, i, raw->v[k], t, &oom);
	*key = oom ? NULL : argv_key(dp, out, false);
	return *key ? 0 : -ENOMEM;
}

/* A fork that never exec'd goes by its name (its creator's program). */
static const char *
fork_key(struct diff_priv *dp, const char *name)
{
	struct out o = { &dp->buf, &dp->cap, 0, false };

	put(&o, "\2\5", 2);
	put(&o, name, strlen(name));
	return o.oom ? NULL : pw_intern(&dp->strings, dp->buf, o.len);
}

/* The argv a process is known by, and its time: its first program's, or its last failed exec's. */
static const struct pw_argv *
first_argv(const struct pw_proc *p, uint64_t *t)
{
	if (p->images) {
		*t = p->images->t;
		return &p->images->argv;
	}
	*t = p->attempt ? p->attempt->t : 0;
	return p->attempt ? &p->attempt->argv : NULL;
}

static int
proc_keys(struct diff_priv *dp, int i, struct diff_proc *x)
{
	uint64_t t;
	const struct pw_argv *raw = first_argv(x->p, &t);
	const char *argv0;

	if (!raw) {
		x->key = x->coarse = fork_key(dp, x->p->name);
		return x->key ? 0 : -ENOMEM;
	}
	if (diff_norm_argv(dp, i, raw, t, &x->cmd, &x->key) < 0)
		return -ENOMEM;
	x->coarse = argv_key(dp, &x->cmd, true);
	if (!x->coarse)
		return -ENOMEM;
	argv0 = raw->n > raw->elided && raw->v[0] ? raw->v[0] : NULL;
	if (argv0 && argv0[0] && !(x->program = pw_intern_cstr(&dp->strings, pw_basename(argv0))))
		return -ENOMEM;
	return 0;
}

int
diff_side_keys(struct diff_priv *dp, int i)
{
	struct diff_side *s = &dp->side[i];
	size_t id;

	for (id = 1; id <= s->n; id++)
		if (proc_keys(dp, i, &s->v[id]) < 0)
			return -ENOMEM;
	return 0;
}

/* Where the run's first command ran: its directory, else the header's. */
static const char *
run_cwd(const struct pw_model *m)
{
	if (m->root && m->root->images && m->root->images->cwd)
		return m->root->images->cwd;
	return m->trace.cwd;
}

static int
add_life(struct diff_priv *dp, struct diff_side *s, pid_t id, uint64_t from, uint64_t to)
{
	struct pid_life *l;

	if (id <= 0)
		return 0;
	if (!(l = pw_arena_alloc(&dp->arena, sizeof(*l))))
		return -ENOMEM;
	*l = (struct pid_life){ from, to, pw_pidmap_get(&s->pids, id) };
	return pw_pidmap_put(&s->pids, id, l);
}

/* Until its reap frees its id: a zombie keeps it, one never reaped to the end. */
static uint64_t
proc_gone(const struct pw_proc *p)
{
	if (!p->exited || !p->reaped)
		return UINT64_MAX;
	return p->reap_us > p->exit_us ? p->reap_us : p->exit_us;
}

/* Every id the run's arguments may name, and when: its processes, threads and procwatch. */
static int
collect_pids(struct diff_priv *dp, struct diff_side *s)
{
	const struct pw_thread_rec *th;
	const struct pw_proc *p;
	uint32_t k;

	if (add_life(dp, s, s->m->tracer, 0, UINT64_MAX) < 0)
		return -ENOMEM;
	for (p = s->m->all; p; p = p->next_all) {
		/* One found running (-p) had its id before the trace began. */
		if (add_life(dp, s, p->pid, p->attached ? 0 : p->start_us, proc_gone(p)) < 0)
			return -ENOMEM;
		for (k = 0; k < p->nthread_recs; k++) {
			th = &p->thread_recs[k];
			if (add_life(dp, s, th->tid, th->attached ? 0 : th->start_us,
				     th->exited ? th->exit_us : proc_gone(p)) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

int
diff_side_init(struct diff_priv *dp, int i, const struct pw_model *m,
	       const struct pw_model *other)
{
	struct diff_side *s = &dp->side[i];
	const char *cwd = run_cwd(m), *other_cwd = run_cwd(other);
	const struct pw_proc *p;

	s->m = m;
	pw_pidmap_init(&s->pids);
	s->n = m->counts.processes;
	s->v = calloc(s->n + 1, sizeof(*s->v));
	if (!s->v)
		return -ENOMEM;
	for (p = m->all; p; p = p->next_all)
		if (p->id >= 1 && p->id <= s->n)
			s->v[p->id].p = p;
	/* Two checkouts: one directory each, neither the root of everything. */
	if (!dp->exact && cwd && other_cwd && strcmp(cwd, other_cwd) != 0 &&
	    strcmp(cwd, "/") != 0 && strcmp(other_cwd, "/") != 0) {
		s->cwd = cwd;
		s->cwd_len = strlen(cwd);
	}
	return collect_pids(dp, s);
}

void
diff_side_destroy(struct diff_side *s)
{
	free(s->v);
	pw_pidmap_destroy(&s->pids);
}
