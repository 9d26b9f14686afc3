/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HTML report (--format=html), internal to src/sink/: html.c is the
 * view and writes the document, html_data.c the run as JSON for the
 * report's script, and the template around it (src/sink/html/) is
 * compiled in by meson as html_template.c.
 */
#ifndef PROCWATCH_SINK_HTML_H
#define PROCWATCH_SINK_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "procwatch/event.h"
#include "procwatch/json_writer.h"
#include "procwatch/model.h"
#include "procwatch/sink.h"
#include "procwatch/warnings.h"

/* A warning's line, kept for the process it is about (the model keeps only kinds). */
struct html_warning {
	const struct pw_proc *p;
	enum pw_warning_kind kind;
	size_t seq;		/* its place among all the warnings */
	char *text;
};

/* What the view keeps of the run beyond the model. */
struct html_run {
	const struct pw_view_opts *o;
	/* From the trace header: the command, or the pids attached to. */
	bool header;
	bool attach;
	bool seccomp;
	unsigned stack_depth;
	struct pw_bytes *argv;
	size_t argc;
	pid_t *pids;
	size_t npids;
	/* Every warning given, in the order the events came. */
	struct html_warning *warnings;
	size_t nwarnings, cap;
};

/*
 * The run as one JSON object: the trace header, the counts, the filter,
 * and every process shown with all the report displays of it.  Sorts
 * run->warnings by process.
 */
void pw_html_put_data(struct pw_json *w, const struct pw_model *m, struct html_run *run);

/* The template, from html_template.c: the document before and after the data. */
extern const char pw_html_head[], pw_html_tail[];
extern const size_t pw_html_head_len, pw_html_tail_len;

#endif
