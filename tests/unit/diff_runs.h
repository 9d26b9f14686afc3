/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Two runs for the unit tests of `procwatch diff` (test_diff.c,
 * test_diff_output.c): run[0] is A and run[1] is B, process models fed
 * hand-built events (event_builder.h) through a few helpers that say a run
 * the way a test reads it: the root command, a child that execs, an end
 * and its reap.  opts starts as the command line's defaults.
 */
#ifndef PW_TEST_DIFF_RUNS_H
#define PW_TEST_DIFF_RUNS_H

#include <criterion/criterion.h>

#include "procwatch/diff.h"
#include "procwatch/model.h"
#include "event_builder.h"

#define W(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define MAX_WORDS 32

static struct pw_model run[2];
static struct pw_diff_opts opts;

static inline void
diff_runs_setup(void)
{
	const struct pw_model_opts mo = { .marks = true };

	pw_model_init(&run[0], &mo);
	pw_model_init(&run[1], &mo);
	opts = (struct pw_diff_opts){ .slower_pct = PW_DIFF_SLOWER_PCT_DEFAULT,
				      .slower_min_us = PW_DIFF_SLOWER_MIN_US_DEFAULT };
}

static inline void
diff_runs_teardown(void)
{
	pw_model_destroy(&run[0]);
	pw_model_destroy(&run[1]);
}

static inline void
feed(int r, struct pw_event ev)
{
	cr_assert_eq(pw_model_event(&run[r], &ev, NULL), 0);
}

/* pid execs words (path: words[0], unless given) in cwd, with result. */
static inline void
exec_in(int r, uint64_t t, pid_t pid, const char *path, const char *cwd, long result,
	const char *const *words)
{
	struct pw_bytes argv[MAX_WORDS];
	size_t n = 0;

	for (; words[n]; n++)
		argv[n] = ev_bytes(words[n]);
	feed(r, ev_exec(t, pid, path ? path : words[0], argv, n, cwd, result));
}

/* The command procwatch ran, as pid, in cwd. */
static inline void
root(int r, uint64_t t, pid_t pid, const char *cwd, const char *const *words)
{
	char *argv[] = { (char *)words[0], NULL };

	feed(r, ev_start(t, pid, argv, 1));
	exec_in(r, t, pid, NULL, cwd, 0, words);
}

/* parent forks pid, which execs words. */
static inline void
child(int r, uint64_t t, pid_t parent, pid_t pid, const char *const *words)
{
	feed(r, ev_fork(t, parent, pid));
	exec_in(r, t, pid, NULL, NULL, 0, words);
}

/* pid exits with code at t, and its parent reaps it. */
static inline void
ends(int r, uint64_t t, pid_t parent, pid_t pid, int code)
{
	feed(r, ev_exited(t, pid, pid, code));
	if (parent)
		feed(r, ev_reap(t, parent, pid, ev_status(PW_STATUS_EXITED, code)));
}

#endif
