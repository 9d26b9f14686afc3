/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The output formats procwatch writes, live and in `procwatch show`: the
 * one list of them.  Adding a format is a row here and a file of its own:
 * a stream (its own struct pw_sink) or a view of the process model (a
 * struct pw_view, fed by model_sink.c).
 */
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/model.h"
#include "procwatch/sink.h"
#include "view.h"

#define VIEW_ALL (PW_VOPT_ARGV | PW_VOPT_THREADS | PW_VOPT_SUMMARY | PW_VOPT_WARNINGS | \
		  PW_VOPT_EXPLAIN | PW_VOPT_VERBOSE | PW_VOPT_FOLD)

static const struct pw_format formats[] = {
	{ "timeline", "a line per event as it happens, then the process tree",
	  VIEW_ALL, .view = &pw_view_timeline },
	{ "tree", "only the process tree, at the end",
	  PW_VOPT_ARGV | PW_VOPT_THREADS | PW_VOPT_SUMMARY | PW_VOPT_WARNINGS | PW_VOPT_FOLD,
	  .view = &pw_view_tree },
	{ "json", "the JSON Lines trace (procwatch(1))", 0, .stream = pw_sink_json_new },
	{ "perfetto", "a Chrome trace event file for ui.perfetto.dev, at the end", 0,
	  .view = &pw_view_perfetto },
	{ "processes", "one JSON object per process, at the end, for jq",
	  PW_VOPT_WARNINGS, .view = &pw_view_processes },
	{ "compile-commands", "a compile_commands.json of the compilers run, at the end", 0,
	  .view = &pw_view_compile_commands },
	{ "html", "a self-contained HTML report for a browser, at the end",
	  PW_VOPT_WARNINGS, .view = &pw_view_html },
};

const struct pw_format *
pw_formats(size_t *n)
{
	*n = PW_ARRAY_SIZE(formats);
	return formats;
}

const struct pw_format *
pw_format_find(const char *name)
{
	size_t i;

	for (i = 0; i < PW_ARRAY_SIZE(formats); i++)
		if (strcmp(formats[i].name, name) == 0)
			return &formats[i];
	return NULL;
}

const struct pw_format *
pw_format_default(void)
{
	return &formats[0];
}

/*
 * The JSON trace is a recording, for every view procwatch show may give
 * of it later: it keeps both, as its format (version 1) always has.  A
 * view needs what it asks the model for: the inherited descriptors for
 * the fd-leak warnings (none with --no-warnings), the exe for telling a
 * script from the program it names (pw_model_opts.scripts).
 */
void
pw_format_exec_needs(const struct pw_format *f, const struct pw_view_opts *opts,
		     bool *exe, bool *fds)
{
	struct pw_model_opts mo = { .warnings = opts->warnings };

	*exe = *fds = true;
	if (f->stream)
		return;
	f->view->needs(opts, &mo);
	*exe = mo.scripts;
	*fds = mo.warnings || mo.fds;
}

struct pw_sink *
pw_format_sink(const struct pw_format *f, FILE *out, const struct pw_view_opts *opts)
{
	if (f->stream)
		return f->stream(out);
	return pw_model_sink_new(out, opts, f->view, NULL);
}
