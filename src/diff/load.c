/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A recorded trace read into a process model for `procwatch diff`, through
 * the same reader as `procwatch show` (src/replay/).  The model keeps every
 * argument (normalisation and the output need them whole) and the failed
 * exec attempts; nothing is filtered.
 *
 * Only a whole trace is compared.  Whatever the reader would say about a
 * trace refuses it: a file that is empty, no trace or a newer one, damaged
 * lines (a comparison with lines missing would report what the damage
 * did), and a trace cut short (every process still running at the cut
 * would differ, every one not started yet would be only in the other run:
 * the comparison would report the cut).  The refusal is one line, the
 * reader's first, and a hint saying what to do instead, not one line per
 * damaged line as `show` gives.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/diff.h"
#include "procwatch/replay.h"
#include "procwatch/shquote.h"

#define NEWER_HINT "Compare the traces with the procwatch that recorded them, or a newer one."
#define DAMAGED_HINT "procwatch diff compares whole traces only; 'procwatch show FILE' " \
	"shows what is left of this one."
#define CUT_HINT "procwatch diff compares whole runs only; 'procwatch show --failed FILE' " \
	"shows what still ran when this one was cut."

/* The reader's first problem with a hint for diff; 0 when it had none. */
static int
refuse(struct pw_replay *r, enum pw_replay_status st, const struct pw_model *m, FILE *err)
{
	const char *hint, *problem = pw_replay_problem(r, &hint);

	if (!problem)
		return 0;
	if (st == PW_REPLAY_NOT_TRACE)
		hint = hint ? hint : NEWER_HINT;	/* the reader's "what a trace is" */
	else if (pw_replay_damaged(r) > 0 || m->ended)
		hint = DAMAGED_HINT;
	else
		hint = CUT_HINT;
	pw_warn_hint_to(err, hint, "%s", problem);
	return PW_EXIT_FAILURE;
}

/* name is the reader's (it escapes it); shown, the same escaped for our own words. */
static int
read_events(struct pw_model *m, FILE *in, const char *name, const char *shown, FILE *err)
{
	struct pw_replay *r = pw_replay_new(in, name, NULL);
	enum pw_replay_status st;
	struct pw_event ev;
	int status;

	if (!r) {
		pw_warn_to(err, "%s", strerror(ENOMEM));
		return PW_EXIT_FAILURE;
	}
	while ((st = pw_replay_next(r, &ev)) == PW_REPLAY_EVENT) {
		(void)pw_model_event(m, &ev, NULL);
		pw_event_clear(&ev);
	}
	status = refuse(r, st, m, err);
	pw_replay_free(r);
	if (!status && m->failed) {
		pw_warn_to(err, "%s: out of memory reading the trace", shown);
		status = PW_EXIT_FAILURE;
	}
	return status;
}

int
pw_diff_load(struct pw_model *m, const char *path, FILE *err)
{
	const struct pw_model_opts mo = { .argv_keep = 0, .marks = true };
	bool is_stdin = strcmp(path, "-") == 0;
	char name[512];
	FILE *in;
	int status;

	pw_model_init(m, &mo);
	pw_text_escape(name, sizeof(name), path, strlen(path));
	in = is_stdin ? stdin : fopen(path, "re");
	if (!in) {
		pw_warn_to(err, "cannot read %s: %s", name, strerror(errno));
		return PW_EXIT_FAILURE;
	}
	status = read_events(m, in, is_stdin ? "(stdin)" : path, is_stdin ? "(stdin)" : name, err);
	if (!is_stdin)
		fclose(in);
	return status;
}
