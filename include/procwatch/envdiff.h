/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --env: each exec's environment is written as the change from a base
 * environment, so that a build's trace does not grow by the whole
 * environment per command, and read back by applying that change.  The
 * tracer writes (pw_env_encode), the process model reads (pw_env_apply);
 * both follow the one rule below, and both pick the base with the one
 * lineage rule (struct pw_env_lineage, src/event/envlineage.c).
 *
 * An entry's name is its bytes before the first '=', or the whole entry
 * when it has no '='.  A change (struct pw_env, not whole) is applied to
 * its base by:
 *
 *  1. removing the entries whose names are in unset;
 *  2. replacing each entry whose name an entry of set has by that entry,
 *     where it stands;
 *  3. appending the entries of set whose names the base does not have, in
 *     the order of set;
 *  4. when order is given (n numbers, a permutation of 0..n-1), putting
 *     the entries of that list in its order: entry i of the environment is
 *     entry order[i] of the list.
 *
 * check is pw_env_check() of the result: a reader that lost a line of the
 * lineage (a damaged trace) notices instead of rebuilding a wrong
 * environment.  A change is written only between two environments that
 * are "keyed" (every entry readable, no name twice), since only then does
 * the rule give back exactly the list; any other environment, and one
 * without a known base, is written whole.
 *
 * Pure functions of their arguments: no ptrace, no I/O.
 */
#ifndef PROCWATCH_ENVDIFF_H
#define PROCWATCH_ENVDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procwatch/event.h"
#include "procwatch/pidmap.h"

/* An environment: its entries in envp order, borrowed. */
struct pw_env_list {
	const struct pw_bytes *v;
	size_t n;
};

/* Every entry readable and no name twice: it can be a base, or a change. */
bool pw_env_keyed(const struct pw_env_list *l);

/* The length of entry's name (up to its first '=', or all of it). */
size_t pw_env_name_len(const struct pw_bytes *entry);

/*
 * FNV-1a (32 bits) over the entries, each followed by a NUL byte, as the
 * kernel lays envp out; an unreadable entry counts as an empty one.
 */
uint32_t pw_env_check(const struct pw_env_list *l);

/*
 * The environment change gives when applied to base (NULL when there is
 * none; change->whole: its set alone).  *out (malloc'ed, *n entries)
 * borrows the bytes of base and change.  0; -EINVAL when change does not
 * fit base (no base, a name it unsets that base lacks, an order that is
 * not a permutation, a check that differs); -ENOMEM.
 */
int pw_env_apply(const struct pw_env_list *base, const struct pw_env *change,
		 struct pw_bytes **out, size_t *n);

/*
 * Fills change with cur (recorded, truncated and err are the caller's and
 * left alone): as the change from base when both are keyed and the change
 * is smaller, else whole.  change's set, unset and order are emptied first
 * and then hold copies of their own.  0 or -ENOMEM.
 */
int pw_env_encode(const struct pw_env_list *base, const struct pw_env_list *cur,
		  struct pw_env *change);

/*
 * The lineage rule: which environment an exec's change is written
 * against, the same for the tracer and for the reader, since both take in
 * the same events in the same order.  Each process has two:
 *
 *  - its lineage environment, which the processes it creates start from:
 *    what its latest successful exec passed; before it has exec'd, its
 *    creator's lineage environment at the spawn (recursively);
 *  - its last one: what its latest exec call passed, whether the call
 *    succeeded or not; before it has made one, its lineage environment.
 *
 * An exec's change is written against the process's last environment.  A
 * failed exec changes nothing of the process (it keeps its program, and
 * its lineage environment), but every attempt of a PATH search passes the
 * same envp: against the last one, the attempts after the first, and the
 * exec that succeeds, are written as empty changes.  The root command's
 * first exec, a process procwatch attached to, a process whose creator's
 * environment is unknown and an exec that follows one without an
 * environment have no base: they are written whole.
 *
 * The caller's environments are opaque handles (the tracer's full lists,
 * the model's nodes); hold and drop count the references the lineage keeps
 * (NULL for handles that live as long as the caller anyway).
 */
struct pw_env_lineage {
	struct pw_pidmap procs;	/* pid -> its two environments */
	void (*hold)(void *env);
	void (*drop)(void *env);
};

void pw_env_lineage_init(struct pw_env_lineage *l, void (*hold)(void *env),
			 void (*drop)(void *env));
void pw_env_lineage_destroy(struct pw_env_lineage *l);
/* The base of exec-like ev's environment: NULL when it has none (whole). */
void *pw_env_lineage_base(const struct pw_env_lineage *l, const struct pw_event *ev);
/*
 * Takes in any event, in trace order; for an exec-like one, env is the
 * handle of the environment it passed (NULL: not known).  0, or -ENOMEM:
 * the process's environments are then forgotten (its next exec whole).
 */
int pw_env_lineage_event(struct pw_env_lineage *l, const struct pw_event *ev,
			 void *env);

/*
 * The writer's side (src/event/envwriter.c): a lineage whose handles are
 * the whole environments, for as long as a live process may need one as
 * a base.  pw_env_writer_event() takes in every event about to be written,
 * in order, and turns an exec-like one's whole environment (as the decoder
 * read it) into the change the trace carries.  Destroy with
 * pw_env_lineage_destroy().
 */
void pw_env_writer_init(struct pw_env_lineage *w);
void pw_env_writer_event(struct pw_env_lineage *w, struct pw_event *ev);

#endif
