/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of `procwatch diff`'s output (src/sink/diff_text.c,
 * diff_json.c) on two hand-built runs of a make-like job: the text tree
 * whole (guides, context, each kind's line, the counts), bytes from the
 * traces escaped, and the JSON document's keys read back with jansson.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/diff.h"
#include "diff_runs.h"
#include "fits.h"

TestSuite(diff_output, .init = diff_runs_setup, .fini = diff_runs_teardown);

/*
 * A: make runs cc (whose cc1 and as end well), sh and ar.  B: the cc1
 * fails, so cc fails, as and ar never run; sh takes 2s instead of 10ms and
 * runs a sleep; make fails.
 */
static void
make_runs(void)
{
	int r;

	for (r = 0; r < 2; r++) {
		pid_t b = r ? 200 : 100;

		root(r, 0, b, "/w", W("make", "-k"));
		child(r, 10, b, b + 1, W("cc", "-c", "a.c"));
		child(r, 20, b + 1, b + 2, W("cc1", "a.c", "-o", r ? "/tmp/ccB2c3D4.s" : "/tmp/ccA1b2C3.s"));
		ends(r, 100, b + 1, b + 2, r);
		if (!r) {
			child(r, 110, b + 1, b + 3, W("as", "/tmp/ccA1b2C3.s"));
			ends(r, 120, b + 1, b + 3, 0);
		}
		ends(r, 130, b, b + 1, r);
		child(r, 140, b, b + 4, W("sh", "slow.sh"));
		if (r) {
			child(r, 150, b + 4, b + 5, W("sleep", "2"));
			ends(r, 2000150, b + 4, b + 5, 0);
		}
		ends(r, r ? 2000200 : 10140, b, b + 4, 0);
		if (!r) {
			child(r, 10200, b, b + 6, W("ar", "rc", "lib.a", "a.o"));
			ends(r, 10300, b, b + 6, 0);
		}
		ends(r, 3000000, 0, b, r ? 2 : 0);
		feed(r, ev_end(3000100, b, r ? 2 : 0));
	}
}

/* The comparison of run[0] with run[1], written as text (fit to width) or JSON. */
static char *
diffed_in(bool json, size_t argv_max, unsigned width)
{
	const struct pw_view_opts vo = { .argv_max = argv_max, .width = width };
	struct pw_diff *d = pw_diff_new(&run[0], &run[1], &opts);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(d);
	cr_assert_not_null(f);
	if (json)
		cr_assert_eq(pw_diff_write_json(f, d, "a.jsonl", "b.jsonl"), 0);
	else
		cr_assert_eq(pw_diff_write_text(f, d, &vo, "a.jsonl", "b.jsonl"), 0);
	fclose(f);
	pw_diff_free(d);
	return buf;
}

static char *
diffed(bool json, size_t argv_max)
{
	return diffed_in(json, argv_max, 0);
}

Test(diff_output, text_tree)
{
	char *out;

	make_runs();
	out = diffed(false, 12);
	cr_assert_str_eq(out,
		"A: a.jsonl (6 processes, exited 0 after 3.00s)\n"
		"B: b.jsonl (5 processes, exited 2 after 3.00s)\n"
		"make -k  [100 → 200]\n"
		"│  status: exited 0 → exited 2\n"
		"├─ cc -c a.c  [101 → 201]\n"
		"│  │  status: exited 0 → exited 1\n"
		"│  ├─ cc1 a.c -o /tmp/XXXXXX.s  [102 → 202]\n"
		"│  │     status: exited 0 → exited 1\n"
		"│  └─ as /tmp/XXXXXX.s  [103 → -]\n"
		"│        only in A\n"
		"├─ ar rc lib.a a.o  [106 → -]\n"
		"│     only in A\n"
		"└─ sh slow.sh  [104 → 204]\n"
		"   │  slower: 10.0ms → 2.00s (+1.99s)\n"
		"   └─ sleep 2  [- → 205]\n"
		"         only in B\n"
		"7 differences: 3 status, 2 only in A, 1 only in B, 1 slower; 4 processes matched\n");
	free(out);
}

/* On a terminal 40 wide, no line is longer; a folded one goes on under its guides. */
Test(diff_output, text_folds_to_the_width)
{
	char *out;

	make_runs();
	out = diffed_in(false, 12, 40);
	assert_fits(out, 40);
	cr_assert_not_null(strstr(out, "│  ├─ cc1 a.c -o /tmp/XXXXXX.s\n"
				       "│  │       [102 → 202]\n"
				       "│  │     status: exited 0 → exited 1\n"), "%s", out);
	cr_assert_not_null(strstr(out, "7 differences: 3 status, 2 only in A,\n"
				       "    1 only in B, 1 slower; 4 processes\n"
				       "    matched\n"), "%s", out);
	free(out);
}

Test(diff_output, text_exec_failed_exec_and_elision)
{
	char *out;

	root(0, 0, 100, "/w", W("sh"));
	child(0, 1, 100, 101, W("tool", "1", "2", "3", "4", "5", "6"));
	root(1, 0, 200, "/w", W("sh"));
	child(1, 1, 200, 201, W("tool", "1", "2", "3", "4", "5", "6"));
	exec_in(1, 2, 201, "/opt/x", NULL, -2, W("x"));
	exec_in(1, 3, 201, "/usr/bin/y", NULL, 0, W("y"));
	out = diffed(false, 3);
	cr_assert_str_eq(out,
		"A: a.jsonl (2 processes, still running when the trace was cut)\n"
		"B: b.jsonl (2 processes, still running when the trace was cut)\n"
		"sh  [100 → 200]\n"
		"└─ tool 1 …4 more… 6  [101 → 201]\n"
		"      failed execs: none → /opt/x (ENOENT)\n"
		"      execs: A ran tool 1 …4 more… 6\n"
		"      execs: B ran tool 1 …4 more… 6 → y (path /usr/bin/y)\n"
		"2 differences: 1 failed exec, 1 exec; 2 processes matched\n");
	free(out);
}

Test(diff_output, trace_bytes_are_escaped)
{
	char *out;

	root(0, 0, 100, "/w", W("sh"));
	child(0, 1, 100, 101, W("printf", "\033[31mred\n"));
	root(1, 0, 200, "/w", W("sh"));
	out = diffed(false, 12);
	cr_assert_not_null(strstr(out, "└─ printf $'\\x1b[31mred\\n'  [101 → -]\n"), "%s", out);
	cr_assert_null(strchr(out, '\033'));
	free(out);
	out = diffed(true, 12);
	cr_assert_not_null(strstr(out, "\"command\":[\"printf\",\"\\u001b[31mred\\n\"]"), "%s", out);
	free(out);
}

static json_t *
member(json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		path = dot + 1;
	}
	return json_object_get(o, path);
}

Test(diff_output, json_document)
{
	json_error_t jerr;
	json_t *doc, *diffs, *e;
	char *out;

	make_runs();
	out = diffed(true, 12);
	doc = json_loads(out, 0, &jerr);
	cr_assert_not_null(doc, "%s: %s", jerr.text, out);
	cr_assert(json_is_false(member(doc, "same")));
	cr_assert_str_eq(json_string_value(member(doc, "a.file")), "a.jsonl");
	cr_assert_eq(json_integer_value(member(doc, "b.status.code")), 2);
	cr_assert_eq(json_integer_value(member(doc, "b.processes")), 5);
	cr_assert(json_is_null(member(doc, "a.cwd")));	/* both ran in /w */
	cr_assert_eq(json_integer_value(member(doc, "options.slower")), 50);
	cr_assert(json_real_value(member(doc, "options.slower_min")) == 1.0);
	cr_assert_eq(json_integer_value(member(doc, "counts.status")), 3);
	cr_assert_eq(json_integer_value(member(doc, "counts.only_a")), 2);
	cr_assert_eq(json_integer_value(member(doc, "matched")), 4);
	diffs = member(doc, "differences");
	cr_assert_eq(json_array_size(diffs), 7);
	/* The deepest failure first, with its chain, and each side's process. */
	e = json_array_get(diffs, 0);
	cr_assert_str_eq(json_string_value(member(e, "kind")), "status");
	cr_assert_str_eq(json_string_value(json_array_get(member(e, "command"), 2)), "-o");
	cr_assert_str_eq(json_string_value(json_array_get(member(e, "command"), 3)),
			 "/tmp/XXXXXX.s");
	cr_assert_str_eq(json_string_value(member(e, "match")), "command");
	cr_assert_eq(json_array_size(member(e, "ancestors")), 2);
	cr_assert_str_eq(json_string_value(json_array_get(json_array_get(member(e, "ancestors"), 0), 0)),
			 "make");
	cr_assert_eq(json_integer_value(member(e, "a.pid")), 102);
	cr_assert_str_eq(json_string_value(json_array_get(member(e, "b.argv"), 3)),
			 "/tmp/ccB2c3D4.s");
	cr_assert_eq(json_integer_value(member(e, "b.status.code")), 1);
	/* Only in one run: the other side null, and what was below it. */
	e = json_array_get(diffs, 3);
	cr_assert_str_eq(json_string_value(member(e, "kind")), "only_a");
	cr_assert(json_is_null(member(e, "b")));
	cr_assert_eq(json_integer_value(member(e, "below")), 0);
	e = json_array_get(diffs, 6);
	cr_assert_str_eq(json_string_value(member(e, "kind")), "slower");
	cr_assert(json_real_value(member(e, "by")) == 1.99006);
	cr_assert(json_real_value(member(e, "b.duration")) == 2.00006);
	json_decref(doc);
	free(out);
}

/* An entry of kind in the document doc, the first. */
static json_t *
entry_of(json_t *doc, const char *kind)
{
	json_t *e;
	size_t i;

	json_array_foreach(member(doc, "differences"), i, e)
		if (strcmp(json_string_value(member(e, "kind")), kind) == 0)
			return e;
	cr_assert_fail("no %s entry", kind);
	return NULL;
}

Test(diff_output, json_exec_chains_and_failed_execs)
{
	json_t *doc, *e;
	char *out;

	root(0, 0, 100, "/w", W("sh"));
	child(0, 1, 100, 101, W("tool", "/tmp/ccAbC123.s"));
	root(1, 0, 200, "/w", W("sh"));
	child(1, 1, 200, 201, W("tool", "/tmp/ccXyZ987.s"));
	exec_in(1, 2, 201, "/opt/x", NULL, -2, W("x"));
	exec_in(1, 3, 201, "/usr/bin/y", NULL, 0, W("y"));
	out = diffed(true, 12);
	doc = json_loads(out, 0, NULL);
	cr_assert_not_null(doc, "%s", out);
	e = entry_of(doc, "exec");
	cr_assert_eq(json_array_size(member(e, "a_execs")), 1);
	cr_assert_str_eq(json_string_value(member(json_array_get(member(e, "a_execs"), 0), "path")),
			 "tool");
	cr_assert_str_eq(json_string_value(json_array_get(member(json_array_get(member(e, "a_execs"), 0), "argv"), 1)),
			 "/tmp/XXXXXX.s");
	cr_assert_str_eq(json_string_value(member(json_array_get(member(e, "b_execs"), 1), "path")),
			 "/usr/bin/y");
	e = entry_of(doc, "failed_exec");
	cr_assert_eq(json_array_size(member(e, "a_failed")), 0);
	cr_assert_str_eq(json_string_value(member(json_array_get(member(e, "b_failed"), 0), "path")),
			 "/opt/x");
	cr_assert_str_eq(json_string_value(member(json_array_get(member(e, "b_failed"), 0), "errno")),
			 "ENOENT");
	json_decref(doc);
	free(out);
}

Test(diff_output, json_deep_ancestors_are_given_by_their_ends)
{
	json_t *doc, *e, *anc;
	char *out;
	pid_t i;

	for (int r = 0; r < 2; r++) {
		root(r, 0, 1000, "/w", W("sh"));
		for (i = 1; i <= 40; i++)
			feed(r, ev_fork((uint64_t)i, 1000 + i - 1, 1000 + i));
		ends(r, 50, 1039, 1040, r);
	}
	out = diffed(true, 12);
	doc = json_loads(out, 0, NULL);
	cr_assert_not_null(doc, "%s", out);
	e = json_array_get(member(doc, "differences"), 0);
	anc = member(e, "ancestors");
	cr_assert_eq(json_integer_value(member(e, "depth")), 40);
	cr_assert_eq(json_array_size(anc), 2 * PW_DIFF_OUTER);
	cr_assert_eq(json_integer_value(member(e, "ancestors_elided")), 40 - 2 * PW_DIFF_OUTER);
	/* A fork that never exec'd has no command, only its name. */
	cr_assert(json_is_null(member(e, "command")));
	cr_assert_str_eq(json_string_value(json_array_get(json_array_get(anc, 0), 0)), "sh");
	cr_assert(json_is_null(json_array_get(anc, 1)));
	cr_assert_str_eq(json_string_value(member(e, "name")), "sh");
	json_decref(doc);
	free(out);
}

/*
 * A fork chain 50 000 deep whose deepest process ends otherwise in B: every
 * level is drawn, each line with the outer and inner guides and one mark
 * for the levels between, in time linear in the depth.
 */
Test(diff_output, text_deep_chain_elides_its_guides)
{
	const unsigned n = 50000;
	char *out, *last;
	char want[64];
	unsigned i;

	for (int r = 0; r < 2; r++) {
		root(r, 0, 1000, "/w", W("sh"));
		for (i = 1; i <= n; i++)
			feed(r, ev_fork(i, 1000 + (pid_t)i - 1, 1000 + (pid_t)i));
		feed(r, ev_exited(n + 1, 1000 + (pid_t)n, 1000 + (pid_t)n, r));
	}
	out = diffed(false, 12);
	snprintf(want, sizeof(want), "…[depth %u]…", n);
	last = strstr(out, "(sh)  [51000 → 51000]\n");
	cr_assert_not_null(last);
	cr_assert_not_null(strstr(last, want));
	cr_assert_not_null(strstr(last, "status: exited 0 → exited 1\n"), "%s", last);
	free(out);
}
