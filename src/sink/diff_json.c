/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `procwatch diff --json`: one JSON document, for jq: the two runs, the
 * options, the counts by kind and every difference, most important first,
 * each with the normalised command it was matched by, the commands of the
 * matched processes above it, and the process in each run (its raw argv,
 * start, duration, status).  Strings from the traces use the trace's
 * byte-string scheme (json_writer.h).  The keys are in the manual page's
 * DIFF section.  Each entry costs constant time but for its own lists: a
 * chain of ancestors deeper than 3 * PW_DIFF_OUTER is given by its ends.
 */
#include <stdlib.h>
#include <string.h>

#include "procwatch/diff.h"
#include "procwatch/json_writer.h"
#include "json_values.h"
#include "view.h"

#define DIFF_JSON_VERSION 1

static const char *const match_names[] = {
	[PW_DIFF_MATCH_COMMAND] = "command",
	[PW_DIFF_MATCH_NUMBERS] = "numbers",
	[PW_DIFF_MATCH_PROGRAM] = "program",
};

/* A node's command, or null for a fork that never exec'd. */
static void
put_command(struct pw_json *w, const struct pw_diff_node *nd)
{
	const struct pw_proc *p = nd->a ? nd->a : nd->b;

	if (p->images || p->attempt)
		pw_json_argv(w, nd->command);
	else
		pw_json_null(w);
}

static void
put_run(struct pw_json *w, const char *key, const char *name, const struct pw_model *m,
	const char *cwd)
{
	const struct pw_proc *root = m->root;

	pw_json_key(w, key);
	pw_json_object_begin(w);
	pw_json_key(w, "file");
	pw_json_bytes_cstr(w, name);
	pw_json_key_int(w, "processes", (int64_t)m->counts.processes);
	pw_json_key(w, "status");
	if (root && root->exited && !m->attach)
		pw_json_status(w, &root->status);
	else
		pw_json_null(w);
	pw_json_key(w, "duration");
	if (root && root->exited && !m->attach)
		pw_json_time_us(w, pw_proc_lifetime(root, root->exit_us));
	else
		pw_json_null(w);
	pw_json_key(w, "cwd");
	pw_json_bytes_cstr(w, cwd);
	pw_json_object_end(w);
}

/* One run's process, as it ran (not normalised), with what it used (not compared). */
static void
put_side(struct pw_json *w, const char *key, const struct pw_proc *p)
{
	const struct pw_image *im;

	pw_json_key(w, key);
	if (!p) {
		pw_json_null(w);
		return;
	}
	im = pw_proc_image(p);
	pw_json_object_begin(w);
	pw_json_key_int(w, "id", p->id);
	pw_json_key_int(w, "pid", p->pid);
	pw_json_key(w, "name");
	pw_json_bytes_cstr(w, p->name);
	pw_json_key(w, "argv");
	if (im)
		pw_json_argv(w, &im->argv);
	else if (p->attempt)
		pw_json_argv(w, &p->attempt->argv);
	else
		pw_json_null(w);
	pw_json_key_time(w, "start", p->start_us);
	pw_json_proc_ending(w, p);
	pw_json_usage(w, &p->usage);
	pw_json_object_end(w);
}

/* The commands of the matched processes above nd, from the top. */
static void
put_ancestors(struct pw_json *w, const struct pw_diff_node *nd)
{
	const struct pw_diff_node *list[3 * PW_DIFF_OUTER], *x;
	size_t n = 0, outer = 0;

	if (nd->depth > 3 * PW_DIFF_OUTER) {
		for (x = nd->up->outer; x; x = x->up)
			list[outer++] = x;
		for (x = nd->up; n < PW_DIFF_OUTER; x = x->up)
			list[outer + n++] = x;
	} else {
		for (x = nd->up; x; x = x->up)
			list[n++] = x;
	}
	pw_json_key(w, "ancestors");
	pw_json_array_begin(w);
	while (outer > 0)
		put_command(w, list[--outer]);
	while (n > 0)
		put_command(w, list[--n]);
	pw_json_array_end(w);
	if (nd->depth > 3 * PW_DIFF_OUTER)
		pw_json_key_int(w, "ancestors_elided", nd->depth - 2 * PW_DIFF_OUTER);
}

/* One side's programs, {"path", "argv"}, or with im NULL its failures, {"path", "errno"}. */
static void
put_paths(struct pw_json *w, const char *key, const struct pw_diff_image *im,
	  const struct pw_diff_failure *f, size_t n)
{
	size_t i;

	pw_json_key(w, key);
	pw_json_array_begin(w);
	for (i = 0; i < n; i++) {
		pw_json_object_begin(w);
		pw_json_key(w, "path");
		pw_json_bytes_cstr(w, im ? im[i].path : f[i].path);
		if (im) {
			pw_json_key(w, "argv");
			pw_json_argv(w, &im[i].argv);
		} else {
			pw_json_key_errno(w, "errno", f[i].err);
		}
		pw_json_object_end(w);
	}
	pw_json_array_end(w);
}

/* What the kind compared, normalised: the lists, or by how much the duration moved. */
static void
put_kind_details(struct pw_json *w, const struct pw_diff_entry *e)
{
	const struct pw_diff_node *nd = e->node;
	uint64_t da, db;

	switch (e->kind) {
	case PW_DIFF_ONLY_A:
	case PW_DIFF_ONLY_B:
		pw_json_key_int(w, "below", nd->below);
		break;
	case PW_DIFF_EXEC:
		put_paths(w, "a_execs", nd->chain[0], NULL, nd->nchain[0]);
		put_paths(w, "b_execs", nd->chain[1], NULL, nd->nchain[1]);
		break;
	case PW_DIFF_FAILED_EXEC:
		put_paths(w, "a_failed", NULL, nd->failures[0], nd->nfailures[0]);
		put_paths(w, "b_failed", NULL, nd->failures[1], nd->nfailures[1]);
		break;
	case PW_DIFF_SLOWER:
	case PW_DIFF_FASTER:
		/* How much longer B took (slower) or A took (faster): the kind says which. */
		da = pw_proc_lifetime(nd->a, nd->a->exit_us);
		db = pw_proc_lifetime(nd->b, nd->b->exit_us);
		pw_json_key_time(w, "by", db > da ? db - da : da - db);
		break;
	case PW_DIFF_STATUS:
	case PW_DIFF_KINDS:
		break;
	}
}

static void
put_entry(struct pw_json *w, const struct pw_diff_entry *e)
{
	const struct pw_diff_node *nd = e->node;
	const struct pw_proc *p = nd->a ? nd->a : nd->b;

	pw_json_object_begin(w);
	pw_json_key_string(w, "kind", pw_diff_kind_name(e->kind));
	pw_json_key(w, "command");
	put_command(w, nd);
	pw_json_key(w, "name");
	pw_json_bytes_cstr(w, p->name);
	if (nd->a && nd->b)
		pw_json_key_string(w, "match", match_names[nd->match]);
	pw_json_key_int(w, "depth", nd->depth);
	put_ancestors(w, nd);
	put_side(w, "a", nd->a);
	put_side(w, "b", nd->b);
	put_kind_details(w, e);
	pw_json_object_end(w);
}

static void
put_options(struct pw_json *w, const struct pw_diff_opts *o)
{
	pw_json_key(w, "options");
	pw_json_object_begin(w);
	pw_json_key_bool(w, "exact", o->exact);
	pw_json_key_int(w, "slower", o->slower_pct);
	pw_json_key_time(w, "slower_min", o->slower_min_us);
	pw_json_object_end(w);
}

static void
put_counts(struct pw_json *w, const struct pw_diff *d)
{
	unsigned k;

	pw_json_key_int(w, "matched", (int64_t)d->matched);
	pw_json_key(w, "counts");
	pw_json_object_begin(w);
	for (k = 0; k < PW_DIFF_KINDS; k++)
		pw_json_key_int(w, pw_diff_kind_name((enum pw_diff_kind)k), (int64_t)d->counts[k]);
	pw_json_object_end(w);
}

int
pw_diff_write_json(FILE *out, const struct pw_diff *d, const char *name_a,
		   const char *name_b)
{
	struct pw_json w;
	size_t i;
	int err;

	pw_json_init(&w, out);
	pw_json_object_begin(&w);
	pw_json_key_int(&w, "v", DIFF_JSON_VERSION);
	pw_json_key_bool(&w, "same", d->nentries == 0);
	put_run(&w, "a", name_a, d->a, d->cwd[0]);
	put_run(&w, "b", name_b, d->b, d->cwd[1]);
	put_options(&w, &d->opts);
	put_counts(&w, d);
	pw_json_key(&w, "differences");
	pw_json_array_begin(&w);
	for (i = 0; i < d->nentries; i++)
		put_entry(&w, &d->entries[i]);
	pw_json_array_end(&w);
	pw_json_object_end(&w);
	pw_json_newline(&w);
	err = pw_json_error(&w);
	return err ? err : pw_view_flush(out);
}
