/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The replay reader: a recorded JSON Lines trace (format version 1, see the
 * man page) read back into the struct pw_event values the tracer produced,
 * so that `procwatch show` feeds them to the same model and sinks.  Damage
 * in the trace is reported as "procwatch: FILE:LINE: what" on the error
 * stream given to pw_replay_new() and never stops the reader unless the
 * file is not a trace at all.
 */
#ifndef PROCWATCH_REPLAY_H
#define PROCWATCH_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "procwatch/event.h"

struct pw_replay;

enum pw_replay_status {
	PW_REPLAY_EVENT,	/* *ev holds the next event */
	PW_REPLAY_EOF,		/* the whole file was read */
	PW_REPLAY_NOT_TRACE,	/* empty, not JSON, no start event, newer version */
};

/* Reads from in (not closed); name is used in messages only; err NULL says nothing. */
struct pw_replay *pw_replay_new(FILE *in, const char *name, FILE *err);
/*
 * The next event.  The caller releases it with pw_event_clear(); a start
 * event's argv and version stay owned by the reader until pw_replay_free().
 */
enum pw_replay_status pw_replay_next(struct pw_replay *r, struct pw_event *ev);
/* Lines that were reported and skipped (not counting a cut-off last line). */
unsigned long pw_replay_damaged(const struct pw_replay *r);
/*
 * The first thing the reader said ("FILE:LINE: what", escaped, without
 * "procwatch: ") and in *hint its hint line (NULL for none); NULL when it
 * said nothing: a whole trace.  For a caller that refuses a trace with
 * one message of its own instead of all of them (procwatch diff).
 */
const char *pw_replay_problem(const struct pw_replay *r, const char **hint);
void pw_replay_free(struct pw_replay *r);

/*
 * One line's JSON object into *ev (src/replay/decode.c).  Returns 0, 1 for a
 * kind this version does not know (ignored), or -1 with a reason in why.
 * A start event's argv and version are malloc'd: pw_replay_start_clear().
 */
struct json_t;
int pw_replay_decode(struct json_t *obj, struct pw_event *ev, char *why,
		     size_t why_size);
void pw_replay_start_clear(struct pw_start *st);

#endif
