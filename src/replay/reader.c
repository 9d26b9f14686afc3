/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reads a JSON Lines trace line by line and hands back its events, deciding
 * what damage means.  A file that is empty, not JSON, does not begin with a
 * start event or was written by a newer format version is not a trace:
 * nothing is returned.  Anything later is damage to a real trace: the line
 * is reported by file and line number and skipped, so that the rest can
 * still be shown.  A cut-off last line and a missing end event are what a
 * killed job leaves behind; they get a warning and are not counted as damage.
 * Unknown event kinds and keys are skipped silently, as the format promises.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/replay.h"
#include "procwatch/shquote.h"

struct pw_replay {
	FILE *in;
	const char *name;
	FILE *err;
	char *line;
	size_t line_cap;
	unsigned long lineno;
	unsigned long damaged;
	bool started;		/* the first line (the header or start) was read */
	bool had_start;		/* a start event was read */
	bool ended;		/* an end event was read */
	bool done;		/* EOF reached and reported */
	struct pw_start start;	/* owned: the sinks may keep pointers into it */
	/* The first thing said, for pw_replay_problem(); "" while none. */
	char problem[1700];
	const char *problem_hint;
};

/*
 * "procwatch: FILE:LINE: what".  What may quote the trace's own bytes (an
 * unknown name, a bad value), and the file's name is the user's: both are
 * escaped, so that a crafted trace cannot act on the terminal.  The first
 * is kept for a caller that says it in its own words (pw_replay_problem).
 */
static void __attribute__((format(printf, 4, 5)))
say(struct pw_replay *r, bool line, const char *hint, const char *fmt, ...)
{
	char what[512], what_esc[1024], name_esc[512], where[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	pw_text_escape(what_esc, sizeof(what_esc), what, strlen(what));
	pw_text_escape(name_esc, sizeof(name_esc), r->name, strlen(r->name));
	if (line)
		snprintf(where, sizeof(where), "%s:%lu", name_esc, r->lineno);
	else
		snprintf(where, sizeof(where), "%s", name_esc);
	if (!r->problem[0]) {
		snprintf(r->problem, sizeof(r->problem), "%s: %s", where, what_esc);
		r->problem_hint = hint;
	}
	if (r->err)
		pw_warn_hint_to(r->err, hint, "%s: %s", where, what_esc);
}

#define report(r, ...) say((r), true, NULL, __VA_ARGS__)

/* What to do about a file that is no trace: most often, a view was saved. */
#define NOT_TRACE_HINT "A trace is what 'procwatch --json -o FILE.jsonl COMMAND' records."
#define not_trace(r, ...) say((r), true, NOT_TRACE_HINT, __VA_ARGS__)

struct pw_replay *
pw_replay_new(FILE *in, const char *name, FILE *err)
{
	struct pw_replay *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->in = in;
	r->name = name;
	r->err = err;
	return r;
}

unsigned long
pw_replay_damaged(const struct pw_replay *r)
{
	return r->damaged;
}

const char *
pw_replay_problem(const struct pw_replay *r, const char **hint)
{
	*hint = r->problem_hint;
	return r->problem[0] ? r->problem : NULL;
}

void
pw_replay_free(struct pw_replay *r)
{
	if (!r)
		return;
	pw_replay_start_clear(&r->start);
	free(r->line);
	free(r);
}

/*
 * The first line decides whether this is a trace at all, and which
 * version: the header, or the start event of a trace written before
 * traces had one.
 */
static enum pw_replay_status
check_first(struct pw_replay *r, json_t *obj)
{
	json_t *v = json_object_get(obj, "v");
	const char *kind = json_string_value(json_object_get(obj, "event"));

	if (!kind || (strcmp(kind, "trace") != 0 && strcmp(kind, "start") != 0) ||
	    !json_is_integer(v)) {
		not_trace(r, "not a procwatch trace (the first line is not a trace header or start event)");
		return PW_REPLAY_NOT_TRACE;
	}
	if (json_integer_value(v) > PW_TRACE_FORMAT_VERSION) {
		report(r, "trace format version %lld was written by a newer procwatch (this one reads version %d)",
		       json_integer_value(v), PW_TRACE_FORMAT_VERSION);
		return PW_REPLAY_NOT_TRACE;
	}
	return PW_REPLAY_EVENT;
}

/* At end of file: an empty file is no trace; a trace without end was cut. */
static enum pw_replay_status
at_eof(struct pw_replay *r)
{
	r->done = true;
	if (ferror(r->in)) {
		say(r, false, NULL, "read error: %s", strerror(errno));
		r->damaged++;
	}
	if (!r->started) {
		say(r, false, NOT_TRACE_HINT, "empty file, not a procwatch trace");
		return PW_REPLAY_NOT_TRACE;
	}
	if (!r->ended)
		report(r, "the trace stops without an end event (was the traced job killed?)");
	return PW_REPLAY_EOF;
}

/*
 * One line into *ev: 1 for an event, 0 to go on to the next line, -1 when
 * the file is no trace.
 */
static int
read_line(struct pw_replay *r, char *line, size_t len, struct pw_event *ev)
{
	bool cut = line[len - 1] != '\n';
	char why[160];
	json_error_t jerr;
	json_t *obj;
	int rc;

	obj = json_loadb(line, len, 0, &jerr);
	if (!obj || !json_is_object(obj)) {
		json_decref(obj);
		if (!r->started) {
			not_trace(r, "not a procwatch trace (the first line is not a JSON object)");
			return -1;
		}
		if (cut) {
			report(r, "the last line is cut off (was the traced job killed?)");
			return 0;
		}
		r->damaged++;
		report(r, "not valid JSON, line skipped (%s)", obj ? "not an object" : jerr.text);
		return 0;
	}
	if (!r->started && check_first(r, obj) != PW_REPLAY_EVENT) {
		json_decref(obj);
		return -1;
	}
	rc = pw_replay_decode(obj, ev, why, sizeof(why));
	json_decref(obj);
	if (rc < 0 && !r->started) {
		not_trace(r, "not a procwatch trace (%s)", why);
		return -1;
	}
	if (rc < 0) {
		r->damaged++;
		report(r, "line skipped: %s", why);
		return 0;
	}
	if (rc > 0)
		return 0;
	if (ev->kind == PW_EV_TRACE && r->started) {
		pw_event_clear(ev);
		r->damaged++;
		report(r, "line skipped: a trace header after the first line");
		return 0;
	}
	if (ev->kind == PW_EV_START && r->had_start) {
		pw_replay_start_clear(&ev->u.start);
		r->damaged++;
		report(r, "line skipped: a second start event");
		return 0;
	}
	if (ev->kind == PW_EV_START) {
		r->start = ev->u.start;
		r->had_start = true;
	}
	r->started = true;
	if (ev->kind == PW_EV_END)
		r->ended = true;
	return 1;
}

enum pw_replay_status
pw_replay_next(struct pw_replay *r, struct pw_event *ev)
{
	ssize_t len;
	int rc;

	while (!r->done) {
		len = getline(&r->line, &r->line_cap, r->in);
		if (len <= 0)
			return at_eof(r);
		r->lineno++;
		/* Blank lines carry nothing; a trace written by hand may have one. */
		if (strspn(r->line, " \t\r\n") == (size_t)len)
			continue;
		rc = read_line(r, r->line, (size_t)len, ev);
		if (rc < 0) {
			r->done = true;
			return PW_REPLAY_NOT_TRACE;
		}
		if (rc > 0)
			return PW_REPLAY_EVENT;
	}
	return PW_REPLAY_EOF;
}
