/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A recorded trace read into a process model for `procwatch diff`, through
 * the same reader as `procwatch show` (src/replay/), so a damaged, foreign
 * or empty file gets the same messages.  The model keeps every argument
 * (normalisation and the output need them whole) and the failed exec
 * attempts; nothing is filtered.
 *
 * What is refused: a file that cannot be opened or read, one that is no
 * trace, one with damaged lines (a comparison with lines missing would
 * report what the damage did).  What is read with the reader's warning: a
 * trace cut short, as a CI timeout leaves it, since what still ran at the
 * cut is what a comparison with a good run should show.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/diff.h"
#include "procwatch/replay.h"
#include "procwatch/shquote.h"

/* name is the reader's (it escapes it); shown, the same escaped for our own words. */
static int
read_events(struct pw_model *m, FILE *in, const char *name, const char *shown, FILE *err)
{
	struct pw_replay *r = pw_replay_new(in, name, err);
	enum pw_replay_status st;
	struct pw_event ev;
	int status = 0;

	if (!r) {
		pw_warn_to(err, "%s", strerror(ENOMEM));
		return PW_EXIT_FAILURE;
	}
	while ((st = pw_replay_next(r, &ev)) == PW_REPLAY_EVENT) {
		(void)pw_model_event(m, &ev, NULL);
		pw_event_clear(&ev);
	}
	if (st == PW_REPLAY_NOT_TRACE || pw_replay_damaged(r) > 0)
		status = PW_EXIT_FAILURE;
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
