/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --env's change of environment and its lineage rule (src/event/envdiff.c,
 * src/event/envlineage.c): what the writer makes of typical changes (set,
 * unset, order), that every environment it is handed rebuilds exactly
 * (a property test over random environments and edits, duplicates and
 * entries without '=' included), that a change that does not fit its base
 * is refused rather than rebuilt wrong, and which base the lineage gives
 * each exec.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/envdiff.h"
#include "event_builder.h"
#include "test_rng.h"

#define LIST(a) ((struct pw_env_list){ (a), sizeof(a) / sizeof((a)[0]) })

static struct pw_bytes base_v[] = {
	EV_BYTES("HOME=/root"), EV_BYTES("PATH=/usr/bin:/bin"), EV_BYTES("TERM=xterm"),
	EV_BYTES("LANG=C.UTF-8"),
};

static bool
list_equal(const struct pw_bytes *a, size_t na, const struct pw_env_list *b)
{
	size_t i;

	if (na != b->n)
		return false;
	for (i = 0; i < na; i++) {
		if (!a[i].data != !b->v[i].data)
			return false;
		if (a[i].data && (a[i].len != b->v[i].len ||
				  memcmp(a[i].data, b->v[i].data, a[i].len) != 0))
			return false;
	}
	return true;
}

/* Encodes cur against base and checks that applying it gives cur back. */
static void
roundtrip(const struct pw_env_list *base, const struct pw_env_list *cur,
	  struct pw_env *change)
{
	struct pw_bytes *v;
	size_t n;

	cr_assert_eq(pw_env_encode(base, cur, change), 0);
	cr_assert_eq(pw_env_apply(base, change, &v, &n), 0);
	cr_assert(list_equal(v, n, cur), "the change does not give the environment back");
	free(v);
}

static bool
has(const struct pw_bytes *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].data && strlen(s) == v[i].len && !memcmp(v[i].data, s, v[i].len))
			return true;
	return false;
}

Test(envdiff, no_base_is_whole)
{
	struct pw_env c = { 0 };

	roundtrip(NULL, &LIST(base_v), &c);
	cr_assert(c.whole);
	cr_assert_eq(c.nset, 4);
	cr_assert_eq(c.nunset + c.norder, 0);
	pw_env_clear(&c);
}

Test(envdiff, same_is_empty)
{
	struct pw_env c = { 0 };

	roundtrip(&LIST(base_v), &LIST(base_v), &c);
	cr_assert(!c.whole);
	cr_assert_eq(c.nset + c.nunset + c.norder, 0);
	cr_assert_eq(c.check, pw_env_check(&LIST(base_v)));
	pw_env_clear(&c);
}

Test(envdiff, set_changed_and_added_unset_removed)
{
	struct pw_bytes cur_v[] = {
		EV_BYTES("HOME=/root"), EV_BYTES("PATH=/opt/bin:/usr/bin:/bin"),
		EV_BYTES("LANG=C.UTF-8"), EV_BYTES("CC=gcc"),
	};
	struct pw_env c = { 0 };

	roundtrip(&LIST(base_v), &LIST(cur_v), &c);
	cr_assert(!c.whole);
	cr_assert_eq(c.nset, 2);
	cr_assert(has(c.set, c.nset, "PATH=/opt/bin:/usr/bin:/bin"));
	cr_assert(has(c.set, c.nset, "CC=gcc"));
	cr_assert_eq(c.nunset, 1);
	cr_assert(has(c.unset, c.nunset, "TERM"));
	cr_assert_eq(c.norder, 0, "changed in place and appended: the rule's order");
	pw_env_clear(&c);
}

/* A shell or make writes its variables in its hash table's order. */
Test(envdiff, reordered_gets_an_order)
{
	struct pw_bytes cur_v[] = {
		EV_BYTES("LANG=C.UTF-8"), EV_BYTES("HOME=/root"), EV_BYTES("X=1"),
		EV_BYTES("TERM=xterm"), EV_BYTES("PATH=/usr/bin:/bin"),
	};
	struct pw_env c = { 0 };

	roundtrip(&LIST(base_v), &LIST(cur_v), &c);
	cr_assert(!c.whole);
	cr_assert_eq(c.nset, 1);
	cr_assert_eq(c.norder, 5);
	/* The rule's list: HOME PATH TERM LANG X. */
	cr_assert_eq(c.order[0], 3);
	cr_assert_eq(c.order[2], 4);
	pw_env_clear(&c);
}

Test(envdiff, duplicates_and_no_equals_are_whole)
{
	struct pw_bytes dup_v[] = {
		EV_BYTES("HOME=/root"), EV_BYTES("PATH=/usr/bin:/bin"), EV_BYTES("TERM=xterm"),
		EV_BYTES("LANG=C.UTF-8"), EV_BYTES("HOME=/tmp"),
	};
	struct pw_bytes bare_v[] = {
		EV_BYTES("HOME=/root"), EV_BYTES("PATH=/usr/bin:/bin"), EV_BYTES("TERM=xterm"),
		EV_BYTES("LANG=C.UTF-8"), EV_BYTES("NOEQUALS"), EV_BYTES("NOEQUALS="),
	};
	struct pw_env c = { 0 };

	roundtrip(&LIST(base_v), &LIST(dup_v), &c);
	cr_assert(c.whole, "a name twice cannot be a change");
	roundtrip(&LIST(dup_v), &LIST(base_v), &c);
	cr_assert(c.whole, "nor be a base");
	roundtrip(&LIST(base_v), &LIST(bare_v), &c);
	cr_assert(c.whole, "\"NOEQUALS\" and \"NOEQUALS=\" have one name");
	cr_assert(has(c.set, c.nset, "NOEQUALS"));
	pw_env_clear(&c);
}

Test(envdiff, unreadable_entry_is_whole)
{
	struct pw_bytes cur_v[] = { EV_BYTES("HOME=/root"), { .data = NULL, .err = EFAULT } };
	struct pw_env c = { 0 };

	roundtrip(&LIST(base_v), &LIST(cur_v), &c);
	cr_assert(c.whole);
	cr_assert_null(c.set[1].data);
	pw_env_clear(&c);
}

Test(envdiff, a_change_bigger_than_whole_is_whole)
{
	struct pw_bytes cur_v[] = { EV_BYTES("A=1") };
	struct pw_env c = { 0 };

	roundtrip(&LIST(base_v), &LIST(cur_v), &c);
	cr_assert(c.whole);
	pw_env_clear(&c);
}

/* The caller's flags survive an encode; the change's arrays are its own. */
Test(envdiff, flags_kept_and_copies_owned)
{
	struct pw_bytes cur_v[] = { EV_BYTES("HOME=/root"), EV_BYTES("PATH=/usr/bin:/bin"),
				    EV_BYTES("TERM=xterm"), EV_BYTES("LANG=C"),
				    EV_BYTES("NEW=1") };
	struct pw_env c = { .recorded = true, .truncated = true, .err = EFAULT };

	roundtrip(&LIST(base_v), &LIST(cur_v), &c);
	cr_assert(c.recorded && c.truncated && c.err == EFAULT);
	cr_assert_neq(c.set[0].data, cur_v[3].data);
	pw_env_clear(&c);
}

/* A change read from a damaged trace is refused, never rebuilt wrong. */
Test(envdiff, damaged_changes_refused)
{
	struct pw_bytes cur_v[] = { EV_BYTES("HOME=/root"), EV_BYTES("TERM=xterm"),
				    EV_BYTES("PATH=/usr/bin:/bin"), EV_BYTES("LANG=C.UTF-8") };
	struct pw_bytes nope = EV_BYTES("NOPE"), twice[] = { EV_BYTES("A=1"), EV_BYTES("A=2") };
	struct pw_bytes with_eq = EV_BYTES("HOME=/root");
	uint32_t bad_order[] = { 0, 0, 1, 2 }, short_order[] = { 0, 1 };
	struct pw_bytes *v;
	struct pw_env c = { 0 }, d;
	size_t n;

	cr_assert_eq(pw_env_encode(&LIST(base_v), &LIST(cur_v), &c), 0);
	cr_assert_eq(c.norder, 4);
	d = c;
	d.check ^= 1;
	cr_assert_eq(pw_env_apply(&LIST(base_v), &d, &v, &n), -EINVAL, "check");
	d = c;
	d.order = bad_order;
	cr_assert_eq(pw_env_apply(&LIST(base_v), &d, &v, &n), -EINVAL, "not a permutation");
	d.order = short_order;
	d.norder = 2;
	cr_assert_eq(pw_env_apply(&LIST(base_v), &d, &v, &n), -EINVAL, "too short");
	d = c;
	d.unset = &nope;
	d.nunset = 1;
	cr_assert_eq(pw_env_apply(&LIST(base_v), &d, &v, &n), -EINVAL, "unsets a name base lacks");
	d.unset = &with_eq;
	cr_assert_eq(pw_env_apply(&LIST(base_v), &d, &v, &n), -EINVAL, "a name has no '='");
	d = c;
	d.set = twice;
	d.nset = 2;
	cr_assert_eq(pw_env_apply(&LIST(base_v), &d, &v, &n), -EINVAL, "sets a name twice");
	cr_assert_eq(pw_env_apply(NULL, &c, &v, &n), -EINVAL, "no base");
	cr_assert_null(v);
	pw_env_clear(&c);
}

/* ---- property: random environments and edits rebuild exactly ---- */

/*
 * Entries from a pool of names small enough that an edit sometimes makes a
 * name twice, and one in sixteen without '=' or with an empty name.
 */
static void
random_entry(struct gen *g, char *buf, size_t size)
{
	static const char *const values[] = { "1", "", "a b", "x=y", "\n", "\xff\xfe" };
	unsigned name = (unsigned)(rnd(g) % 200);

	switch (rnd(g) % 16) {
	case 0:
		snprintf(buf, size, "N%u", name);	/* no '=' */
		break;
	case 1:
		snprintf(buf, size, "=%s", values[rnd(g) % 6]);	/* empty name */
		break;
	default:
		snprintf(buf, size, "N%u=%s%u", name, values[rnd(g) % 6],
			 (unsigned)(rnd(g) % 3));
		break;
	}
}

#define POOL 40

struct env_buf {
	char s[POOL][32];
	struct pw_bytes v[POOL];
	size_t n;
};

/*
 * s may be e->s[i] itself (edit_env re-points every entry after a
 * removal): memmove, as snprintf's source and destination must not
 * overlap (C11 7.21.6.5), which gcc -O2 reports.
 */
static void
env_set(struct env_buf *e, size_t i, const char *s)
{
	size_t len = strnlen(s, sizeof(e->s[i]) - 1);

	memmove(e->s[i], s, len);
	e->s[i][len] = '\0';
	e->v[i] = (struct pw_bytes){ .data = e->s[i], .len = strlen(e->s[i]) };
}

static void
random_env(struct gen *g, struct env_buf *e)
{
	char buf[32];

	e->n = rnd(g) % 16;
	for (size_t i = 0; i < e->n; i++) {
		random_entry(g, buf, sizeof(buf));
		env_set(e, i, buf);
	}
}

/* A few edits of e: set, remove, swap, add; mostly small, as between execs. */
static void
edit_env(struct gen *g, const struct env_buf *from, struct env_buf *to)
{
	char buf[32];
	size_t edits = rnd(g) % 4, i, j;

	to->n = from->n;
	for (i = 0; i < from->n; i++)
		env_set(to, i, from->s[i]);
	while (edits--) {
		i = to->n ? rnd(g) % to->n : 0;
		switch (rnd(g) % 4) {
		case 0:
			if (to->n < POOL) {
				random_entry(g, buf, sizeof(buf));
				env_set(to, to->n++, buf);
			}
			break;
		case 1:
			if (to->n) {
				memmove(&to->s[i], &to->s[i + 1], (to->n - i - 1) * sizeof(to->s[0]));
				to->n--;
				for (j = 0; j < to->n; j++)
					env_set(to, j, to->s[j]);
			}
			break;
		case 2:
			if (to->n) {
				random_entry(g, buf, sizeof(buf));
				env_set(to, i, buf);
			}
			break;
		default:
			if (to->n) {
				j = rnd(g) % to->n;
				snprintf(buf, sizeof(buf), "%s", to->s[i]);
				env_set(to, i, to->s[j]);
				env_set(to, j, buf);
			}
			break;
		}
	}
}

Test(envdiff, property_every_environment_rebuilds)
{
	struct env_buf a, b;
	struct pw_env c = { 0 };
	unsigned changes = 0;

	for (uint64_t seed = 1; seed <= 4000; seed++) {
		struct gen g = { seed };

		random_env(&g, &a);
		edit_env(&g, &a, &b);
		roundtrip(&(struct pw_env_list){ a.v, a.n }, &(struct pw_env_list){ b.v, b.n }, &c);
		changes += !c.whole;
		if (!c.whole && pw_env_keyed(&(struct pw_env_list){ b.v, b.n }))
			cr_assert(pw_env_keyed(&(struct pw_env_list){ a.v, a.n }));
	}
	pw_env_clear(&c);
	cr_assert_gt(changes, 1000, "most small edits are written as changes (%u)", changes);
}

/* ---- the lineage rule ---- */

static void
hold_count(void *env)
{
	(*(int *)env)++;
}

static void
drop_count(void *env)
{
	(*(int *)env)--;
}

static struct pw_event
exec_ev(pid_t pid, long result)
{
	return ev_exec(0, pid, "/bin/x", NULL, 0, "/", result);
}

Test(envlineage, spawn_exec_attempt_exit)
{
	struct pw_env_lineage l;
	int e1 = 0, e2 = 0, e3 = 0;
	struct pw_event ev;

	pw_env_lineage_init(&l, hold_count, drop_count);
	ev = exec_ev(10, 0);
	cr_assert_null(pw_env_lineage_base(&l, &ev), "the root's first exec has no base");
	pw_env_lineage_event(&l, &ev, &e1);
	cr_assert_eq(e1, 2, "its lineage and last environment");
	ev = ev_fork(0, 10, 11);
	pw_env_lineage_event(&l, &ev, NULL);
	ev = exec_ev(11, -ENOENT);
	cr_assert_eq(pw_env_lineage_base(&l, &ev), &e1, "a child starts from its creator's");
	pw_env_lineage_event(&l, &ev, &e2);
	ev = exec_ev(11, 0);
	cr_assert_eq(pw_env_lineage_base(&l, &ev), &e2, "after an attempt: the attempt's");
	ev = ev_fork(0, 11, 12);
	pw_env_lineage_event(&l, &ev, NULL);
	ev = exec_ev(12, 0);
	cr_assert_eq(pw_env_lineage_base(&l, &ev), &e1, "a failed attempt changes no lineage");
	ev = exec_ev(11, 0);
	pw_env_lineage_event(&l, &ev, &e3);
	ev = ev_fork(0, 11, 13);
	pw_env_lineage_event(&l, &ev, NULL);
	ev = exec_ev(13, 0);
	cr_assert_eq(pw_env_lineage_base(&l, &ev), &e3, "a new program's does");
	ev = exec_ev(12, 0);
	cr_assert_eq(pw_env_lineage_base(&l, &ev), &e1, "a spawn keeps what it was given");
	ev = ev_exited(0, 11, 11, 0);
	pw_env_lineage_event(&l, &ev, NULL);
	ev = exec_ev(11, 0);
	cr_assert_null(pw_env_lineage_base(&l, &ev), "an exit forgets the process");
	pw_env_lineage_destroy(&l);
	cr_assert_eq(e1 + e2 + e3, 0, "every hold is dropped");
}

Test(envlineage, threads_attach_and_unknown)
{
	struct pw_env_lineage l;
	int e1 = 0;
	struct pw_event ev;
	pid_t tids[] = { 20 };

	pw_env_lineage_init(&l, hold_count, drop_count);
	ev = exec_ev(20, 0);
	pw_env_lineage_event(&l, &ev, &e1);
	ev = ev_spawn(0, 20, 20, PW_SPAWN_THREAD, 21);
	pw_env_lineage_event(&l, &ev, NULL);
	ev = ev_exited(0, 20, 21, 0);
	pw_env_lineage_event(&l, &ev, NULL);
	ev = exec_ev(20, 0);
	ev.tid = 21;
	cr_assert_eq(pw_env_lineage_base(&l, &ev), &e1, "a thread's exec is its process's");
	pw_env_lineage_event(&l, &ev, NULL);
	cr_assert_null(pw_env_lineage_base(&l, &ev), "an exec without one leaves none");
	ev = exec_ev(20, 0);
	pw_env_lineage_event(&l, &ev, &e1);
	ev = ev_attach(0, 20, 1, NULL, 0, tids, 1, 0);
	pw_env_lineage_event(&l, &ev, NULL);
	ev = exec_ev(20, 0);
	cr_assert_null(pw_env_lineage_base(&l, &ev), "found running: unknown");
	pw_env_lineage_destroy(&l);
	cr_assert_eq(e1, 0);
}
