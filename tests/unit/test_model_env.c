/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --env from end to end without ptrace: events with whole environments go
 * through the writer the tracer uses (pw_env_writer_event), the JSON sink
 * and the replay reader into the process model, which must rebuild every
 * exec's environment exactly (pw_model_env), byte for byte and in envp
 * order.  A property test draws process trees, PATH searches, failed and
 * successful execs, thread execs, exits and attaches from fixed seeds; the
 * fixed cases check what a lost line of the trace gives (unknown, never a
 * wrong environment), and chains longer than the model keeps as changes.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/envdiff.h"
#include "procwatch/model.h"
#include "procwatch/replay.h"
#include "procwatch/sink.h"
#include "event_builder.h"
#include "test_rng.h"

/* An environment the test owns: n strings. */
struct envp {
	char **v;
	size_t n;
};

static struct envp
envp_copy(const struct envp *e)
{
	struct envp c = { calloc(e->n + 1, sizeof(char *)), e->n };

	for (size_t i = 0; i < e->n; i++)
		c.v[i] = strdup(e->v[i]);
	return c;
}

static void
envp_free(struct envp *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
	*e = (struct envp){ 0 };
}

static void
envp_put(struct envp *e, size_t i, const char *s)
{
	if (i == e->n) {
		e->v = realloc(e->v, (e->n + 2) * sizeof(char *));
		e->v[e->n++] = NULL;
	}
	free(e->v[i]);
	e->v[i] = strdup(s);
}

/* The event's whole environment, as the decoder leaves it: copies. */
static struct pw_env
env_whole(const struct envp *e)
{
	struct pw_env env = { .recorded = true, .whole = true, .nset = e->n };

	env.set = calloc(e->n + 1, sizeof(*env.set));
	for (size_t i = 0; i < e->n; i++)
		env.set[i] = (struct pw_bytes){ strdup(e->v[i]), strlen(e->v[i]), 0 };
	return env;
}

/* An exec event that owns its memory, as the tracer's do. */
static struct pw_event
exec_owned(uint64_t t, pid_t pid, pid_t tid, long result, const struct envp *e)
{
	struct pw_event ev = ev_new(PW_EV_EXEC, t, pid, tid);

	ev.u.exec.call = PW_CALL_EXECVE;
	ev.u.exec.path = (struct pw_bytes){ strdup("/bin/prog"), 9, 0 };
	ev.u.exec.argv = calloc(1, sizeof(*ev.u.exec.argv));
	ev.u.exec.argv[0] = (struct pw_bytes){ strdup("prog"), 4, 0 };
	ev.u.exec.argc = 1;
	ev.u.exec.cwd = (struct pw_bytes){ strdup("/"), 1, 0 };
	ev.u.exec.result = result;
	if (tid != pid && result == 0) {
		ev.u.exec.old_tid = tid;
		ev.tid = pid;
	}
	ev.u.exec.env = env_whole(e);
	return ev;
}

/* Writes events through the writer and the JSON sink, as a live --env run. */
struct trace {
	struct pw_env_lineage writer;
	struct pw_sink *json;
	char *buf;
	size_t len;
	FILE *mem;
	struct envp *expected;	/* each exec-like event's environment, in order */
	size_t nexpected;
};

static void
trace_open(struct trace *tr)
{
	char *argv[] = { "prog" };
	struct pw_event start = ev_start(0, 100, argv, 1);

	*tr = (struct trace){ 0 };
	pw_env_writer_init(&tr->writer);
	tr->mem = open_memstream(&tr->buf, &tr->len);
	tr->json = pw_sink_json_new(tr->mem);
	cr_assert_not_null(tr->json);
	cr_assert_eq(pw_sink_event(tr->json, &start), 0);
}

static void
trace_write(struct trace *tr, struct pw_event ev, const struct envp *e)
{
	if (pw_event_is_exec_like(&ev)) {
		tr->expected = realloc(tr->expected, (tr->nexpected + 1) * sizeof(*tr->expected));
		tr->expected[tr->nexpected++] = envp_copy(e);
	}
	pw_env_writer_event(&tr->writer, &ev);
	cr_assert_eq(pw_sink_event(tr->json, &ev), 0);
	if (pw_event_is_exec_like(&ev))
		pw_event_clear(&ev);
}

static void
trace_close(struct trace *tr)
{
	struct pw_event end = ev_end(tr->nexpected + 1000000, 100, 0);

	cr_assert_eq(pw_sink_event(tr->json, &end), 0);
	cr_assert_eq(pw_sink_close(tr->json), 0);
	fclose(tr->mem);
	pw_env_lineage_destroy(&tr->writer);
}

static void
trace_free(struct trace *tr)
{
	for (size_t i = 0; i < tr->nexpected; i++)
		envp_free(&tr->expected[i]);
	free(tr->expected);
	free(tr->buf);
}

static bool
same_env(const char **v, size_t n, const struct envp *e)
{
	if (n != e->n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!v[i] || strcmp(v[i], e->v[i]) != 0)
			return false;
	return true;
}

/* The node the model gave exec ev: its image's, or its attempt's. */
static const struct pw_env_node *
node_of(const struct pw_model *m, const struct pw_event *ev)
{
	const struct pw_proc *p = pw_model_get(m, ev->pid);

	cr_assert_not_null(p);
	if (ev->u.exec.result == 0)
		return p->last_image->env;
	return p->attempt->env;
}

/*
 * Replays the trace in buf into a model with opts.env and checks every
 * exec's environment; returns how many rebuilt (exec checks not counted).
 */
static size_t
replay_check(const char *buf, size_t len, const struct envp *expected, size_t nexp)
{
	struct pw_model_opts mo = { .env = true };
	FILE *in = fmemopen((void *)buf, len, "r");
	struct pw_replay *r = pw_replay_new(in, "trace", stderr);
	struct pw_model m;
	struct pw_event ev;
	size_t k = 0, ok = 0, n;
	const char **v;

	pw_model_init(&m, &mo);
	while (pw_replay_next(r, &ev) == PW_REPLAY_EVENT) {
		cr_assert_eq(pw_model_event(&m, &ev, NULL), 0);
		if (ev.kind == PW_EV_EXEC) {
			cr_assert_lt(k, nexp);
			cr_assert_eq(pw_model_env(node_of(&m, &ev), &v, &n), 0,
				     "exec %zu does not rebuild", k);
			cr_assert(same_env(v, n, &expected[k]),
				  "exec %zu rebuilds another environment", k);
			free(v);
			ok++;
		}
		if (pw_event_is_exec_like(&ev))
			k++;
		pw_event_clear(&ev);
	}
	cr_assert_eq(k, nexp);
	cr_assert_eq(pw_replay_damaged(r), 0);
	pw_replay_free(r);
	fclose(in);
	pw_model_destroy(&m);
	return ok;
}

/* ---- the property test ---- */

static void
random_entry(struct gen *g, char *buf, size_t size)
{
	static const char *const values[] = { "1", "", "a b", "x=y", "l1\nl2", "\xff\xfe",
					      "'\"$`\\" };
	unsigned name = (unsigned)(rnd(g) % 1000);

	if (rnd(g) % 50 == 0)
		snprintf(buf, size, "BARE%u", name);
	else
		snprintf(buf, size, "V%u=%s%u", name, values[rnd(g) % 7],
			 (unsigned)(rnd(g) % 4));
}

/* A few edits, mostly small, sometimes a shuffle (a shell's hash order). */
static struct envp
edited(struct gen *g, const struct envp *from)
{
	struct envp e = envp_copy(from);
	size_t edits = rnd(g) % 4, i, j;
	char buf[48], *tmp;

	while (edits--) {
		switch (rnd(g) % 5) {
		case 0:
		case 1:
			random_entry(g, buf, sizeof(buf));
			envp_put(&e, e.n ? rnd(g) % (e.n + 1) : 0, buf);
			break;
		case 2:
			if (e.n > 6) {
				i = rnd(g) % e.n;
				free(e.v[i]);
				memmove(&e.v[i], &e.v[i + 1], (e.n - i - 1) * sizeof(char *));
				e.n--;
			}
			break;
		default:
			for (i = 0; e.n > 1 && i < e.n; i++) {
				j = rnd(g) % e.n;
				tmp = e.v[i];
				e.v[i] = e.v[j];
				e.v[j] = tmp;
			}
			break;
		}
	}
	return e;
}

#define MAX_LIVE 16

struct sim_proc {
	pid_t pid;
	struct envp env;	/* what its latest exec passed (its lineage's) */
	bool thread;		/* it has a thread 1000 + pid */
};

struct sim {
	struct gen g;
	struct trace tr;
	struct sim_proc live[MAX_LIVE];
	size_t nlive;
	pid_t next_pid;
	uint64_t t;
};

static void
sim_exec(struct sim *s, struct sim_proc *p)
{
	struct envp e = rnd(&s->g) % 8 ? edited(&s->g, &p->env) : envp_copy(&p->env);
	pid_t tid = p->thread && rnd(&s->g) % 2 ? 1000 + p->pid : p->pid;
	unsigned tries = (unsigned)(rnd(&s->g) % 3), i;
	bool ok = rnd(&s->g) % 4 != 0;

	/* A PATH search: the same envp for every attempt. */
	for (i = 0; i < tries; i++)
		trace_write(&s->tr, exec_owned(++s->t, p->pid, tid, -ENOENT, &e), &e);
	if (rnd(&s->g) % 10 == 0) {
		struct pw_event ck = exec_owned(++s->t, p->pid, tid, 0, &e);

		ck.kind = PW_EV_EXEC_CHECK;
		trace_write(&s->tr, ck, &e);
	}
	if (ok) {
		trace_write(&s->tr, exec_owned(++s->t, p->pid, tid, 0, &e), &e);
		envp_free(&p->env);
		p->env = e;
		p->thread = false;
	} else {
		envp_free(&e);
	}
}

static void
sim_spawn(struct sim *s, struct sim_proc *p)
{
	struct sim_proc *c;

	if (rnd(&s->g) % 4 == 0 && !p->thread) {
		trace_write(&s->tr, ev_spawn(++s->t, p->pid, p->pid, PW_SPAWN_THREAD,
					     1000 + p->pid), NULL);
		p->thread = true;
		return;
	}
	if (s->nlive == MAX_LIVE)
		return;
	c = &s->live[s->nlive++];
	*c = (struct sim_proc){ .pid = s->next_pid++, .env = envp_copy(&p->env) };
	trace_write(&s->tr, ev_fork(++s->t, p->pid, c->pid), NULL);
}

static void
sim_exit(struct sim *s, size_t i)
{
	trace_write(&s->tr, ev_exited(++s->t, s->live[i].pid, s->live[i].pid, 0), NULL);
	envp_free(&s->live[i].env);
	s->live[i] = s->live[--s->nlive];
}

static struct envp random_envp(struct gen *g);

/* A process found running: its first exec has no base. */
static void
sim_attach(struct sim *s)
{
	struct sim_proc *c;
	pid_t tids[1];

	if (s->nlive == MAX_LIVE)
		return;
	c = &s->live[s->nlive++];
	*c = (struct sim_proc){ .pid = s->next_pid++, .env = random_envp(&s->g) };
	tids[0] = c->pid;
	trace_write(&s->tr, ev_attach(++s->t, c->pid, 0, NULL, 0, tids, 1, 5), NULL);
}

static struct envp
random_envp(struct gen *g)
{
	struct envp e = { 0 };
	char buf[48];

	for (unsigned i = 0; i < 8; i++) {
		random_entry(g, buf, sizeof(buf));
		envp_put(&e, e.n, buf);
	}
	return e;
}

static void
sim_run(struct sim *s, unsigned steps)
{
	struct envp root = random_envp(&s->g);
	s->live[0] = (struct sim_proc){ .pid = 100 };
	s->nlive = 1;
	s->next_pid = 101;
	trace_write(&s->tr, exec_owned(++s->t, 100, 100, 0, &root), &root);
	s->live[0].env = root;
	while (steps--) {
		size_t i = rnd(&s->g) % s->nlive;

		switch (rnd(&s->g) % 8) {
		case 0:
		case 1:
		case 2:
			sim_spawn(s, &s->live[i]);
			break;
		case 3:
		case 4:
		case 5:
			sim_exec(s, &s->live[i]);
			break;
		case 6:
			if (i)
				sim_exit(s, i);
			break;
		default:
			if (rnd(&s->g) % 4 == 0)
				sim_attach(s);
			break;
		}
	}
	while (s->nlive)
		envp_free(&s->live[--s->nlive].env);
}

static size_t
count(const char *buf, const char *s)
{
	size_t n = 0;

	for (; (buf = strstr(buf, s)); buf++)
		n++;
	return n;
}

Test(model_env, property_every_exec_rebuilds)
{
	size_t rebuilt = 0, changes = 0, wholes = 0;

	for (uint64_t seed = 1; seed <= 64; seed++) {
		struct sim s = { .g = { seed } };

		trace_open(&s.tr);
		sim_run(&s, 300);
		trace_close(&s.tr);
		rebuilt += replay_check(s.tr.buf, s.tr.len, s.tr.expected, s.tr.nexpected);
		changes += count(s.tr.buf, "\"check\":");
		wholes += count(s.tr.buf, "\"whole\":true");
		trace_free(&s.tr);
	}
	cr_assert_gt(rebuilt, 3000, "only %zu execs", rebuilt);
	cr_assert_gt(changes, 4 * wholes, "%zu changes, %zu whole", changes, wholes);
}

/* ---- fixed cases ---- */

static struct envp
envp_of(const char *const *v)
{
	struct envp e = { 0 };

	while (*v)
		envp_put(&e, e.n, *v++);
	return e;
}

/* A chain deeper than PW_ENV_CHAIN_MAX, one change per level. */
Test(model_env, long_chain_rebuilds)
{
	static const char *const base[] = { "HOME=/root", "PATH=/bin", "TERM=xterm", "LANG=C",
					    "USER=root", NULL };
	struct trace tr;
	struct envp e = envp_of(base), next;
	char buf[32];
	pid_t pid;

	trace_open(&tr);
	trace_write(&tr, exec_owned(1, 100, 100, 0, &e), &e);
	for (pid = 101; pid < 131; pid++) {
		trace_write(&tr, ev_fork((uint64_t)pid, pid - 1, pid), NULL);
		next = envp_copy(&e);
		snprintf(buf, sizeof(buf), "LEVEL=%d", (int)pid);
		envp_put(&next, pid == 101 ? next.n : next.n - 1, buf);
		trace_write(&tr, exec_owned((uint64_t)pid, pid, pid, 0, &next), &next);
		envp_free(&e);
		e = next;
	}
	trace_close(&tr);
	cr_assert(strstr(tr.buf, "\"set\":[\"LEVEL=130\"]"), "written as changes");
	cr_assert_eq(replay_check(tr.buf, tr.len, tr.expected, tr.nexpected), 31);
	envp_free(&e);
	trace_free(&tr);
}

/* Drops line n (from 0) of buf, in place. */
static size_t
drop_line(char *buf, size_t len, unsigned n)
{
	char *at = buf, *end;

	while (n--)
		at = strchr(at, '\n') + 1;
	end = strchr(at, '\n') + 1;
	memmove(at, end, len - (size_t)(end - buf));
	return len - (size_t)(end - at);
}

/*
 * A trace that lost the line of the exec a change is based on: the model
 * rebuilds nothing for it rather than something wrong.
 */
Test(model_env, lost_line_gives_unknown_not_wrong)
{
	static const char *const e0[] = { "A=1", "B=2", "C=3", "D=4", "E=5", NULL };
	static const char *const e1[] = { "A=1", "B=2", "C=changed", "D=4", "E=5", NULL };
	static const char *const e2[] = { "A=1", "B=2", "C=changed", "D=4", "E=5", "F=6", NULL };
	struct envp v0 = envp_of(e0), v1 = envp_of(e1), v2 = envp_of(e2);
	struct pw_model_opts mo = { .env = true };
	struct pw_model m;
	struct pw_event ev;
	struct pw_replay *r;
	struct trace tr;
	const char **v;
	size_t n;
	FILE *in;

	trace_open(&tr);
	trace_write(&tr, exec_owned(1, 100, 100, 0, &v0), &v0);	/* line 1 */
	trace_write(&tr, ev_fork(2, 100, 101), NULL);
	trace_write(&tr, exec_owned(3, 101, 101, 0, &v1), &v1);	/* line 3 */
	trace_write(&tr, ev_fork(4, 101, 102), NULL);
	trace_write(&tr, exec_owned(5, 102, 102, 0, &v2), &v2);	/* line 5 */
	trace_close(&tr);
	tr.len = drop_line(tr.buf, tr.len, 3);
	in = fmemopen(tr.buf, tr.len, "r");
	r = pw_replay_new(in, "trace", stderr);
	pw_model_init(&m, &mo);
	while (pw_replay_next(r, &ev) == PW_REPLAY_EVENT) {
		pw_model_event(&m, &ev, NULL);
		pw_event_clear(&ev);
	}
	cr_assert_eq(pw_model_env(pw_model_get(&m, 100)->last_image->env, &v, &n), 0);
	free(v);
	/* 102's base is now 100's environment, which its change does not fit. */
	cr_assert_eq(pw_model_env(pw_model_get(&m, 102)->last_image->env, &v, &n), -EINVAL);
	pw_model_destroy(&m);
	pw_replay_free(r);
	fclose(in);
	envp_free(&v0);
	envp_free(&v1);
	envp_free(&v2);
	trace_free(&tr);
}

/* Without opts.env the model keeps no environment, and the argv elided. */
Test(model_env, not_kept_unless_asked)
{
	static const char *const e0[] = { "A=1", NULL };
	struct envp v0 = envp_of(e0);
	struct pw_model_opts mo = { .argv_keep = 1 };
	struct pw_model m;
	struct pw_event ev = exec_owned(1, 100, 100, 0, &v0);

	pw_model_init(&m, &mo);
	cr_assert_eq(pw_model_event(&m, &ev, NULL), 0);
	cr_assert_null(pw_model_get(&m, 100)->last_image->env);
	cr_assert(m.env_seen, "the trace has environments all the same");
	pw_event_clear(&ev);
	pw_model_destroy(&m);
	envp_free(&v0);
}

/*
 * Siblings that make the same change over the same base share one node:
 * a shell loop of 20 000 execs keeps one, not 20 000.  Another change
 * gets its own, and both still rebuild.
 */
Test(model_env, same_change_shares_a_node)
{
#define LONG "=a value long enough that a change is shorter than the whole"
	static const char *const e0[] = { "A" LONG, "B" LONG, "C" LONG, "D" LONG, NULL };
	static const char *const e1[] = { "D" LONG, "A" LONG, "B" LONG, "C" LONG, "X=1", NULL };
	static const char *const e2[] = { "A" LONG, "B" LONG, "C" LONG, "D" LONG, "Y=2", NULL };
	struct envp v0 = envp_of(e0), v1 = envp_of(e1), v2 = envp_of(e2);
	struct pw_model_opts mo = { .env = true };
	const struct pw_env_node *nodes[4];
	struct pw_model m;
	struct pw_event ev;
	struct pw_replay *r;
	struct trace tr;
	FILE *in;

	trace_open(&tr);
	trace_write(&tr, exec_owned(1, 100, 100, 0, &v0), &v0);
	for (pid_t pid = 101; pid <= 104; pid++) {
		const struct envp *e = pid == 103 ? &v2 : &v1;

		trace_write(&tr, ev_fork((uint64_t)pid, 100, pid), NULL);
		trace_write(&tr, exec_owned((uint64_t)pid, pid, pid, 0, e), e);
	}
	trace_close(&tr);
	cr_assert_eq(replay_check(tr.buf, tr.len, tr.expected, tr.nexpected), 5);
	cr_assert_eq(count(tr.buf, "\"whole\""), 1, "only the root's is whole: %s", tr.buf);
	in = fmemopen(tr.buf, tr.len, "r");
	r = pw_replay_new(in, "trace", stderr);
	pw_model_init(&m, &mo);
	while (pw_replay_next(r, &ev) == PW_REPLAY_EVENT) {
		pw_model_event(&m, &ev, NULL);
		pw_event_clear(&ev);
	}
	for (pid_t pid = 101; pid <= 104; pid++)
		nodes[pid - 101] = pw_model_get(&m, pid)->last_image->env;
	cr_assert_eq(nodes[0], nodes[1], "the same change: one node");
	cr_assert_neq(nodes[1], nodes[2], "another change: its own");
	cr_assert_neq(nodes[2], nodes[3], "the last one base gave is the one shared");
	cr_assert_not_null(nodes[3]);
	pw_model_destroy(&m);
	pw_replay_free(r);
	fclose(in);
	envp_free(&v0);
	envp_free(&v1);
	envp_free(&v2);
	trace_free(&tr);
}
