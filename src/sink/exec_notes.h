/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the timeline adds to an exec line beyond the call itself: the
 * working directory when it moved since the last exec in that line of
 * descent, and the interpreter when the file exec'd was a script.
 * Internal to src/sink/.
 */
#ifndef PROCWATCH_SINK_EXEC_NOTES_H
#define PROCWATCH_SINK_EXEC_NOTES_H

#include <stdbool.h>

#include "procwatch/event.h"
#include "procwatch/pidmap.h"
#include "procwatch/proctab.h"

/* The working directory of each process's latest successful exec. */
struct pw_exec_notes {
	struct pw_pidmap cwd;	/* pid -> malloc'd string */
};

void pw_exec_notes_init(struct pw_exec_notes *n);
void pw_exec_notes_destroy(struct pw_exec_notes *n);
/* After the model took ev in: a successful exec's cwd is remembered. */
void pw_exec_notes_event(struct pw_exec_notes *n, const struct pw_proctab *tab,
			 const struct pw_event *ev);
/*
 * True when exec ev ran in another directory than the previous exec of
 * the same process or, for its first, of its nearest ancestor that exec'd.
 * Call before pw_exec_notes_event() for ev.
 */
bool pw_exec_notes_cwd_moved(const struct pw_exec_notes *n, const struct pw_proctab *tab,
			     const struct pw_event *ev);
/* True when ex ran a script: the kernel ran ex->exe, not the file named. */
bool pw_exec_is_script(const struct pw_exec *ex);

#endif
