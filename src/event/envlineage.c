/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lineage rule of --env (include/procwatch/envdiff.h): per process, the
 * environment its children start from and the one its next exec is
 * written against, followed from the events alone.  The tracer and the
 * reader both run this file over the same events in the same order, so
 * they agree on every base without writing it down.  O(1) per event: a
 * pid map, two handles per live process, forgotten at its exit.
 */
#include <errno.h>
#include <stdlib.h>

#include "procwatch/envdiff.h"

struct lineage_state {
	void *lineage;		/* what its creator's children start from */
	void *last;		/* what its latest exec call passed */
};

void
pw_env_lineage_init(struct pw_env_lineage *l, void (*hold)(void *env),
		    void (*drop)(void *env))
{
	pw_pidmap_init(&l->procs);
	l->hold = hold;
	l->drop = drop;
}

static void
hold(const struct pw_env_lineage *l, void *env)
{
	if (env && l->hold)
		l->hold(env);
}

static void
drop(const struct pw_env_lineage *l, void *env)
{
	if (env && l->drop)
		l->drop(env);
}

static void
state_free(const struct pw_env_lineage *l, struct lineage_state *s)
{
	if (!s)
		return;
	drop(l, s->lineage);
	drop(l, s->last);
	free(s);
}

static void
free_entry(pid_t pid, void *value, void *data)
{
	(void)pid;
	state_free(data, value);
}

void
pw_env_lineage_destroy(struct pw_env_lineage *l)
{
	pw_pidmap_each(&l->procs, free_entry, l);
	pw_pidmap_destroy(&l->procs);
}

void *
pw_env_lineage_base(const struct pw_env_lineage *l, const struct pw_event *ev)
{
	struct lineage_state *s = pw_pidmap_get(&l->procs, ev->pid);

	return s ? s->last : NULL;
}

static void
forget(struct pw_env_lineage *l, pid_t pid)
{
	if (pid > 0)
		state_free(l, pw_pidmap_remove(&l->procs, pid));
}

/*
 * pid's state from now on; an unknown one is no state at all.  The new
 * handles are held before the old ones are dropped: they may be the same.
 */
static int
set_state(struct pw_env_lineage *l, pid_t pid, void *lineage, void *last)
{
	struct lineage_state *s = pid > 0 ? pw_pidmap_get(&l->procs, pid) : NULL;

	if (pid <= 0)
		return 0;
	if (!lineage && !last) {
		forget(l, pid);
		return 0;
	}
	hold(l, lineage);
	hold(l, last);
	if (s) {
		drop(l, s->lineage);
		drop(l, s->last);
	} else if (!(s = malloc(sizeof(*s))) || pw_pidmap_put(&l->procs, pid, s) < 0) {
		free(s);
		drop(l, lineage);
		drop(l, last);
		return -ENOMEM;
	}
	*s = (struct lineage_state){ lineage, last };
	return 0;
}

/* A new process starts from its creator's lineage environment, for both. */
static int
on_spawn(struct pw_env_lineage *l, const struct pw_event *ev)
{
	const struct pw_spawn *sp = &ev->u.spawn;
	struct lineage_state *creator;

	if (sp->thread || sp->result <= 0 || sp->child <= 0)
		return 0;
	creator = pw_pidmap_get(&l->procs, ev->pid);
	return set_state(l, sp->child, creator ? creator->lineage : NULL,
			 creator ? creator->lineage : NULL);
}

/*
 * Any exec call sets the last environment; only a new program sets the
 * lineage one (a failed attempt, a check, one the task died in run none).
 */
static int
on_exec(struct pw_env_lineage *l, const struct pw_event *ev, void *env)
{
	struct lineage_state *s = pw_pidmap_get(&l->procs, ev->pid);
	bool ran = ev->kind == PW_EV_EXEC && ev->u.exec.result == 0;
	void *lineage = ran ? env : s ? s->lineage : NULL;

	return set_state(l, ev->pid, lineage, env);
}

int
pw_env_lineage_event(struct pw_env_lineage *l, const struct pw_event *ev, void *env)
{
	switch (ev->kind) {
	case PW_EV_SPAWN:
		return on_spawn(l, ev);
	case PW_EV_EXEC:
	case PW_EV_EXEC_CHECK:
		return on_exec(l, ev, env);
	case PW_EV_EXIT:
		if (!ev->u.exit.thread)
			forget(l, ev->pid);
		return 0;
	case PW_EV_ATTACH:
		/* Found running: what it was started with is not known. */
		forget(l, ev->pid);
		return 0;
	case PW_EV_TRACE:
	case PW_EV_START:
	case PW_EV_WAIT:
	case PW_EV_SIGNAL:
	case PW_EV_END:
		return 0;
	}
	return 0;
}
