/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Warnings about what a traced program did that is usually a bug: a fork
 * from a multi-threaded process, descriptors leaked into an exec'd program,
 * zombies left waiting, children never reaped, deaths by signal.  Pure
 * logic over the process model: the timeline shows them and counts them in
 * its summary, live or from a recorded trace alike.
 */
#ifndef PROCWATCH_WARNINGS_H
#define PROCWATCH_WARNINGS_H

#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include "procwatch/event.h"

enum pw_warning_kind {
	PW_WARN_FORK_THREADED,	/* fork from a process with other threads running */
	PW_WARN_FD_LEAK,	/* an exec'd program inherited descriptors above 2 */
	PW_WARN_ZOMBIE,		/* a child stayed a zombie longer than the threshold */
	PW_WARN_UNREAPED,	/* a process exited leaving dead children unreaped */
	PW_WARN_KILLED,		/* a process was killed by a signal */
	PW_WARN_KINDS
};

#define PW_ZOMBIE_THRESHOLD_US_DEFAULT 1000000u

struct pw_warning {
	enum pw_warning_kind kind;
	pid_t pid;		/* the process the warning is about */
	char text[512];		/* one line, no newline, no raw tracee bytes */
};

typedef void (*pw_warning_fn)(void *data, const struct pw_warning *w);

/* The checks themselves run in the model (src/model/warnings.c). */

/* "fork-threaded", "fd-leak", "zombie", "unreaped", "killed". */
const char *pw_warning_kind_name(enum pw_warning_kind kind);

#endif
