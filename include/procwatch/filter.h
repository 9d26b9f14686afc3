/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Filters: which processes the views for people show (--pid, --match,
 * --depth), the same in every view, live and replayed.  The filter is a
 * property of the process model: each record says whether it is shown and
 * at which depth, kept up to date as the events come in
 * (src/model/filter.c), so that a view asks instead of deciding.  The JSON
 * trace is never filtered: a trace always records every process.
 *
 * A process is shown when
 *  - --pid: it is one of the processes named (every record that had the
 *    pid, when it was reused) or was created by one of them or by their
 *    descendants;
 *  - --depth N: it is at most N levels below the top of what is shown: the
 *    processes named by --pid, or else the run's roots, each at level 0;
 *  - --match RE: of the processes the other two leave, it exec'd or tried
 *    to exec a command line (argv joined by single spaces) or a path that
 *    the POSIX extended regex RE matches, or was found running with one
 *    at an attach; or it is an ancestor of such a process.  Its
 *    descendants are not shown for it.
 * So what is shown is a forest: the parent of a shown process is shown,
 * but for the tops.
 *
 * Cost: O(1) per event, but for the exec or attach of a process that has
 * not matched yet, whose argv is matched once (O(its bytes)), and for a
 * match, which marks the ancestors up to the first one already shown:
 * each record becomes shown once.
 */
#ifndef PROCWATCH_FILTER_H
#define PROCWATCH_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "procwatch/model.h"

#define PW_FILTER_PIDS_MAX 64	/* processes --pid may name */

/* What the command line asked for. */
struct pw_filter_spec {
	pid_t pids[PW_FILTER_PIDS_MAX];	/* --pid; npids 0: every process */
	size_t npids;
	const char *match;	/* --match: a POSIX extended regex; NULL: none */
	bool depth_set;		/* --depth was given */
	unsigned depth;		/* --depth: levels below the top, which is 0 */
};

/* Whether spec leaves anything out (else every process is shown). */
bool pw_filter_spec_active(const struct pw_filter_spec *spec);
/*
 * Compiles re as --match does (REG_EXTENDED | REG_NOSUB): 0, or -1 with
 * regerror()'s text in err.
 */
int pw_filter_check_match(const char *re, char *err, size_t size);

/*
 * Makes the model filter by spec; before its first event.  0, -EINVAL for
 * a regex that does not compile, -ENOMEM.
 */
int pw_model_set_filter(struct pw_model *m, const struct pw_filter_spec *spec);

/* Whether views show p (by now, while the events still come). */
static inline bool
pw_proc_shown(const struct pw_proc *p)
{
	return p->shown;
}

/* The level a view draws shown process p at: 0 for a top. */
static inline unsigned
pw_proc_shown_depth(const struct pw_proc *p)
{
	return p->shown_depth;
}

/* The parent of shown process p in what is shown; NULL for a top. */
const struct pw_proc *pw_shown_up(const struct pw_proc *p);
/* The first top, in the order the processes were created; NULL for none. */
const struct pw_proc *pw_shown_first(const struct pw_model *m);
/* p's first shown child, in spawn order; NULL for none. */
const struct pw_proc *pw_shown_first_child(const struct pw_proc *p);
/*
 * The shown process after p among its shown siblings (after a top, the
 * next top); NULL for none.  Walking the shown tree with these costs
 * O(every record) in all, since they skip those not shown.
 */
const struct pw_proc *pw_shown_next(const struct pw_proc *p);

/*
 * Whether a view of events as they happen (the timeline) shows ev, given
 * the notes pw_model_event() gave for it: an event of a process shown by
 * now, or one about the whole run (start, end).
 */
bool pw_model_event_shown(const struct pw_event *ev, const struct pw_model_notes *notes);

/*
 * The counts of --summary over the processes shown: the model's own
 * counts when nothing is filtered.
 */
void pw_model_shown_counts(const struct pw_model *m, struct pw_model_counts *c);

#endif
