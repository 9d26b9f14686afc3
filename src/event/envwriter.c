/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --env's writer: an exec's envp, read whole at the call's entry, becomes
 * the change from the environment of the exec before it in its lineage
 * (include/procwatch/envdiff.h), just before the event is written.  The
 * whole list is kept, shared by reference, for as long as a live process
 * may still need it as a base: the lineage rule drops it at the process's
 * exit.  The tracer runs every event it writes through here; the unit
 * tests do the same to check what the reader rebuilds.
 */
#include <stdlib.h>

#include "procwatch/envdiff.h"

/* An environment read whole, shared by the processes whose base it is. */
struct env_snapshot {
	unsigned long refs;
	struct pw_bytes *v;
	size_t n;
};

static void
snapshot_hold(void *env)
{
	((struct env_snapshot *)env)->refs++;
}

static void
snapshot_drop(void *env)
{
	struct env_snapshot *s = env;

	if (!s || --s->refs > 0)
		return;
	for (size_t i = 0; i < s->n; i++)
		pw_bytes_clear(&s->v[i]);
	free(s->v);
	free(s);
}

void
pw_env_writer_init(struct pw_env_lineage *w)
{
	pw_env_lineage_init(w, snapshot_hold, snapshot_drop);
}

/*
 * The exec's whole envp moves into a snapshot, and the event gets the
 * change from its base.  Out of memory, the event goes without an
 * environment, which the lineage rule reads as unknown: the next exec of
 * the process is then written whole, for the writer and any reader alike.
 */
static struct env_snapshot *
encode(struct pw_env_lineage *w, struct pw_event *ev)
{
	struct pw_env *env = &ev->u.exec.env;
	struct env_snapshot *base = pw_env_lineage_base(w, ev);
	struct env_snapshot *s = calloc(1, sizeof(*s));

	if (!s) {
		pw_env_clear(env);
		return NULL;
	}
	*s = (struct env_snapshot){ .refs = 1, .v = env->set, .n = env->nset };
	env->set = NULL;
	env->nset = 0;
	if (pw_env_encode(base ? &(struct pw_env_list){ base->v, base->n } : NULL,
			  &(struct pw_env_list){ s->v, s->n }, env) < 0) {
		pw_env_clear(env);
		snapshot_drop(s);
		return NULL;
	}
	return s;
}

void
pw_env_writer_event(struct pw_env_lineage *w, struct pw_event *ev)
{
	struct env_snapshot *s = NULL;

	if (pw_event_is_exec_like(ev) && ev->u.exec.env.recorded && ev->u.exec.env.whole)
		s = encode(w, ev);
	/* Out of memory the process's environments are forgotten: see there. */
	(void)pw_env_lineage_event(w, ev, s);
	snapshot_drop(s);
}
