/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of `procwatch diff`'s comparison (src/diff/) on process models
 * built from hand-made events: normalisation (pids, temporary names, the
 * checkout directory, and --exact), alignment (repeated commands in order
 * whatever the start order, the numbers and program passes, a parent that
 * did not match), each kind of difference and its thresholds, and the
 * order of the list.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/diff.h"
#include "procwatch/model.h"
#include "diff_runs.h"

TestSuite(diff, .init = diff_runs_setup, .fini = diff_runs_teardown);

static struct pw_diff *
compare(void)
{
	struct pw_diff *d = pw_diff_new(&run[0], &run[1], &opts);

	cr_assert_not_null(d);
	return d;
}

/* "kind command; kind command" for every entry, in the list's order. */
static char *
entries(const struct pw_diff *d)
{
	char *buf = NULL;
	size_t len = 0, i;
	uint32_t k;
	FILE *f = open_memstream(&buf, &len);
	const struct pw_argv *a;

	cr_assert_not_null(f);
	for (i = 0; i < d->nentries; i++) {
		a = d->entries[i].node->command;
		fprintf(f, "%s%s", i ? "; " : "", pw_diff_kind_name(d->entries[i].kind));
		for (k = 0; k < a->n; k++)
			fprintf(f, " %s", a->v[k]);
	}
	fclose(f);
	return buf;
}

static void
expect_entries(const char *want)
{
	struct pw_diff *d = compare();
	char *got = entries(d);

	cr_assert_str_eq(got, want);
	free(got);
	pw_diff_free(d);
}

/* Run r: sh (pid base) runs words as base + 1, which ends with code. */
static void
sh_running(int r, pid_t base, const char *cwd, const char *const *words, int code)
{
	root(r, 0, base, cwd, W("sh", "-c", "x"));
	child(r, 10, base, base + 1, words);
	ends(r, 20, base, base + 1, code);
	ends(r, 30, 0, base, 0);
}

Test(diff, the_same_run_but_for_pids_temporary_names_and_checkout)
{
	sh_running(0, 100, "/w/one", W("cc", "-o", "/tmp/ccAbC123.s", "/w/one/src/a.c",
					"--pid=101"), 0);
	sh_running(1, 700, "/w/two", W("cc", "-o", "/tmp/ccXyz987.s", "/w/two/src/a.c",
					"--pid=701"), 0);
	expect_entries("");
	opts.exact = true;
	expect_entries("exec cc -o /tmp/ccAbC123.s /w/one/src/a.c --pid=101");
}

Test(diff, normalised_command_boundaries)
{
	root(0, 0, 100, "/w", W("sh"));
	feed(0, ev_spawn(5, 100, 100, PW_SPAWN_THREAD, 102));
	child(0, 10, 100, 101, W("tool", "/proc/101/fd", "x101", "1.101", "101.5", "0101",
				 "-o/tmp/ccAbC123.s", "/tmp/tmp.Zx9Qw8Er7T/dir/file_name_long",
				 "/var/tmp/short/x", "@/tmp/rsp123456", "/dev/shm/sem.abcdefgh",
				 "102", "/x/tmp/abcdefgh", "/w", "/wx/a", "/w/a"));
	root(1, 0, 100, "/v", W("sh"));
	expect_entries("only_a tool /proc/%PID%/fd x101 1.101 101.5 0101 -o/tmp/XXXXXX.s "
		       "/tmp/tmp.XXXXXX/dir/file_name_long /var/tmp/short/x @/tmp/XXXXXX "
		       "/dev/shm/sem.XXXXXX %PID% /x/tmp/abcdefgh %CWD% /wx/a %CWD%/a");
}

/*
 * A number is a pid only while that pid's task lived (to its reap): 101
 * was reaped and 104 not started yet when tool ran; 102, a zombie, and
 * 103, tool itself, and its parent 100 were alive.
 */
Test(diff, only_the_ids_of_tasks_alive_at_the_exec_are_pids)
{
	root(0, 0, 100, "/w", W("sh"));
	child(0, 1, 100, 101, W("true"));
	ends(0, 2, 100, 101, 0);
	child(0, 3, 100, 102, W("false"));
	feed(0, ev_exited(4, 102, 102, 1));
	child(0, 5, 100, 103, W("tool", "101", "102", "103", "104", "100"));
	child(0, 6, 100, 104, W("x"));
	root(1, 0, 100, "/w", W("sh"));
	expect_entries("only_a true; only_a false; only_a tool 101 %PID% %PID% 104 %PID%; only_a x");
}

Test(diff, repeated_commands_pair_in_order_whatever_the_start_order)
{
	root(0, 0, 100, "/w", W("make", "-j2"));
	child(0, 1, 100, 101, W("cc", "-c", "x.c"));
	child(0, 2, 100, 102, W("cc", "-c", "x.c"));
	child(0, 3, 100, 103, W("cc", "-c", "y.c"));
	child(0, 4, 100, 104, W("cc", "-c", "x.c"));
	root(1, 0, 200, "/w", W("make", "-j2"));
	child(1, 1, 200, 201, W("cc", "-c", "y.c"));
	child(1, 2, 200, 202, W("cc", "-c", "x.c"));
	child(1, 3, 200, 203, W("cc", "-c", "x.c"));
	child(1, 4, 200, 204, W("cc", "-c", "x.c"));
	/* Each x.c compile ends as the one of its rank in the other run. */
	ends(0, 10, 100, 101, 0);
	ends(0, 10, 100, 102, 1);
	ends(0, 10, 100, 104, 2);
	ends(1, 10, 200, 202, 0);
	ends(1, 10, 200, 203, 1);
	ends(1, 10, 200, 204, 3);
	expect_entries("status cc -c x.c");
}

Test(diff, a_process_whose_parent_did_not_match_is_not_matched)
{
	root(0, 0, 100, "/w", W("make"));
	child(0, 1, 100, 101, W("bash", "-c", "cc a.c; cc b.c"));
	child(0, 2, 101, 102, W("cc", "a.c"));
	child(0, 3, 101, 103, W("cc", "b.c"));
	root(1, 0, 200, "/w", W("make"));
	child(1, 1, 200, 201, W("dash", "-c", "cc a.c; cc b.c"));
	child(1, 2, 201, 202, W("cc", "a.c"));

	struct pw_diff *d = compare();
	char *got = entries(d);

	cr_assert_str_eq(got, "only_a bash -c cc a.c; cc b.c; only_b dash -c cc a.c; cc b.c");
	cr_assert_eq(d->entries[0].node->below, 2);
	cr_assert_eq(d->entries[1].node->below, 1);
	cr_assert_eq(d->matched, 1);
	free(got);
	pw_diff_free(d);
}

Test(diff, other_numbers_or_arguments_pair_as_another_exec)
{
	root(0, 0, 100, "/w", W("make"));
	child(0, 1, 100, 101, W("sleep", "1"));
	child(0, 2, 100, 102, W("gcc", "-c", "a.c"));
	child(0, 3, 100, 103, W("ld", "a.o"));
	root(1, 0, 200, "/w", W("make"));
	child(1, 1, 200, 201, W("gcc", "-c", "b.c"));
	child(1, 2, 200, 202, W("sleep", "25"));
	child(1, 3, 200, 203, W("lld", "a.o"));

	struct pw_diff *d = compare();
	char *got = entries(d);

	cr_assert_str_eq(got, "only_a ld a.o; only_b lld a.o; exec sleep 1; exec gcc -c a.c");
	cr_assert_eq(d->entries[2].node->match, PW_DIFF_MATCH_NUMBERS);
	cr_assert_eq(d->entries[3].node->match, PW_DIFF_MATCH_PROGRAM);
	cr_assert_str_eq(d->entries[2].node->chain[1][0].argv.v[1], "25");
	free(got);
	pw_diff_free(d);
}

/* Run r: sh (pid base) runs a, b, c and d, as base + 1 to 4. */
static void
sh_running_four(int r, pid_t base)
{
	static const char *const names[] = { "a", "b", "c", "d" };
	pid_t k;

	root(r, 0, base, "/w", W("sh"));
	for (k = 0; k < 4; k++)
		child(r, 1, base, base + 1 + k, W(names[k]));
}

Test(diff, status_kinds)
{
	sh_running_four(0, 100);
	ends(0, 5, 100, 101, 0);
	ends(0, 5, 100, 102, 0);
	feed(0, ev_killed(5, 103, 103, SIGSEGV));
	feed(0, ev_killed(5, 104, 104, SIGKILL));
	sh_running_four(1, 200);
	ends(1, 5, 200, 201, 2);
	feed(1, ev_killed(5, 202, 202, SIGTERM));
	/* The same signal: a core file or not depends on ulimit, not the run. */
	feed(1, ev_exit(5, 203, 203, (struct pw_status){ .kind = PW_STATUS_KILLED,
							 .signal = SIGSEGV, .core = true }));
	/* 204 still ran where B's trace was cut. */
	expect_entries("status a; status b; status d");
}

Test(diff, exec_chains_path_and_wrappers)
{
	root(0, 0, 100, "/w", W("make"));
	feed(0, ev_fork(1, 100, 101));
	exec_in(0, 2, 101, "/usr/bin/cc", NULL, 0, W("cc", "a.c"));
	child(0, 3, 100, 102, W("ccache", "cc", "b.c"));
	exec_in(0, 4, 102, "/usr/bin/cc", NULL, 0, W("cc", "b.c"));
	root(1, 0, 200, "/w", W("make"));
	feed(1, ev_fork(1, 200, 201));
	exec_in(1, 2, 201, "/usr/local/bin/cc", NULL, 0, W("cc", "a.c"));
	child(1, 3, 200, 202, W("ccache", "cc", "b.c"));
	exec_in(1, 4, 202, "/usr/bin/clang", NULL, 0, W("clang", "b.c"));

	struct pw_diff *d = compare();
	char *got = entries(d);

	cr_assert_str_eq(got, "exec cc a.c; exec ccache cc b.c");
	cr_assert_str_eq(d->entries[0].node->chain[0][0].path, "/usr/bin/cc");
	cr_assert_str_eq(d->entries[0].node->chain[1][0].path, "/usr/local/bin/cc");
	cr_assert_eq(d->entries[1].node->nchain[1], 2);
	free(got);
	pw_diff_free(d);
}

Test(diff, failed_execs_that_appeared_but_not_path_misses)
{
	root(0, 0, 100, "/w", W("make"));
	feed(0, ev_fork(1, 100, 101));
	exec_in(0, 2, 101, "/opt/bin/cc", NULL, -ENOENT, W("cc", "a.c"));
	exec_in(0, 3, 101, "/usr/bin/cc", NULL, 0, W("cc", "a.c"));
	child(0, 4, 100, 102, W("tool"));
	root(1, 0, 200, "/w", W("make"));
	feed(1, ev_fork(1, 200, 201));
	exec_in(1, 3, 201, "/usr/bin/cc", NULL, 0, W("cc", "a.c"));
	child(1, 4, 200, 202, W("tool"));
	exec_in(1, 5, 202, "/w/helper", NULL, -EACCES, W("helper"));

	struct pw_diff *d = compare();
	char *got = entries(d);

	cr_assert_str_eq(got, "failed_exec tool");
	cr_assert_eq(d->entries[0].node->nfailures[0], 0);
	cr_assert_eq(d->entries[0].node->nfailures[1], 1);
	cr_assert_eq(d->entries[0].node->failures[1][0].err, EACCES);
	free(got);
	pw_diff_free(d);
}

/* Run r: sh runs a, b and c, which live da, db and dc microseconds. */
static void
durations(int r, pid_t base, uint64_t da, uint64_t db, uint64_t dc)
{
	root(r, 0, base, "/w", W("sh"));
	child(r, 0, base, base + 1, W("a"));
	child(r, 0, base, base + 2, W("b"));
	child(r, 0, base, base + 3, W("c"));
	ends(r, da, base, base + 1, 0);
	ends(r, db, base, base + 2, 0);
	ends(r, dc, base, base + 3, 0);
}

Test(diff, slower_and_faster_past_both_thresholds)
{
	/* a: +60% and +0.6s; b: +40%; c: 1ms to 10ms, under the minimum. */
	durations(0, 100, 1000000, 1000000, 1000);
	durations(1, 200, 1600000, 1400000, 10000);
	opts.slower_min_us = 500000;
	expect_entries("slower a");
	/* The other way round it is as far: faster. */
	diff_runs_teardown();
	diff_runs_setup();
	durations(0, 100, 1600000, 1400000, 10000);
	durations(1, 200, 1000000, 1000000, 1000);
	opts.slower_min_us = 500000;
	expect_entries("faster a");
	opts.slower_min_us = 0;
	opts.slower_pct = 0;
	expect_entries("faster a; faster b; faster c");
}

Test(diff, most_important_first_and_deepest_first)
{
	root(0, 0, 100, "/w", W("make"));
	child(0, 1, 100, 101, W("cc", "a.c"));
	child(0, 2, 101, 102, W("cc1", "a.c"));
	child(0, 3, 100, 103, W("ar"));
	ends(0, 4, 101, 102, 0);
	ends(0, 5, 100, 101, 0);
	ends(0, 6, 100, 103, 0);
	ends(0, 7, 0, 100, 0);
	root(1, 0, 200, "/w", W("make"));
	child(1, 1, 200, 201, W("cc", "a.c"));
	child(1, 2, 201, 202, W("cc1", "a.c"));
	child(1, 3, 200, 203, W("sleep", "9"));
	ends(1, 4, 201, 202, 1);
	ends(1, 5, 200, 201, 1);
	ends(1, 6, 200, 203, 0);
	ends(1, 7, 0, 200, 2);

	struct pw_diff *d = compare();
	char *got = entries(d);

	cr_assert_str_eq(got, "status cc1 a.c; status cc a.c; status make; only_a ar; "
			 "only_b sleep 9");
	/* The shown tree: make, then its children most important first. */
	cr_assert_eq(d->top->a->pid, 100);
	cr_assert_null(d->top->next_sibling);
	cr_assert_eq(d->top->first_child->a->pid, 101);
	cr_assert_eq(d->top->first_child->next_sibling->a->pid, 103);
	cr_assert_eq(d->top->first_child->next_sibling->next_sibling->b->pid, 203);
	free(got);
	pw_diff_free(d);
}

Test(diff, a_run_against_itself_has_no_difference)
{
	root(0, 0, 100, "/w", W("make"));
	child(0, 1, 100, 101, W("cc", "a.c"));
	ends(0, 3000000, 100, 101, 1);
	ends(0, 4000000, 0, 100, 2);

	struct pw_diff *d = pw_diff_new(&run[0], &run[0], &opts);

	cr_assert_not_null(d);
	cr_assert_eq(d->nentries, 0);
	cr_assert_null(d->top);
	cr_assert_eq(d->matched, 2);
	pw_diff_free(d);
}

/* A fork chain of n processes under sh, the deepest one failing in B only. */
static void
chain(int r, pid_t base, unsigned n, int last_code)
{
	unsigned i;

	root(r, 0, base, "/w", W("sh"));
	for (i = 1; i <= n; i++)
		feed(r, ev_fork(i, base + (pid_t)i - 1, base + (pid_t)i));
	feed(r, ev_exited(n + 1, base + (pid_t)n, base + (pid_t)n, last_code));
}

Test(diff, a_deep_chain_needs_no_recursion)
{
	chain(0, 1000, 50000, 0);
	chain(1, 100000, 50000, 1);

	struct pw_diff *d = compare();

	cr_assert_eq(d->nentries, 1);
	cr_assert_eq(d->entries[0].kind, PW_DIFF_STATUS);
	cr_assert_eq(d->entries[0].node->depth, 50000);
	cr_assert_eq(d->entries[0].node->outer->depth, PW_DIFF_OUTER - 1);
	cr_assert_eq(d->matched, 50001);
	pw_diff_free(d);
}

Test(diff, twenty_thousand_siblings_pair_up)
{
	char name[32];
	pid_t i;

	root(0, 0, 100, "/w", W("make"));
	root(1, 0, 100, "/w", W("make"));
	for (i = 0; i < 20000; i++) {
		/* B starts them in the other order. */
		snprintf(name, sizeof(name), "f%d.c", i % 5000);
		child(0, 1, 100, 1000 + i, W("cc", "-c", name));
		snprintf(name, sizeof(name), "f%d.c", (19999 - i) % 5000);
		child(1, 1, 100, 1000 + i, W("cc", "-c", name));
	}

	struct pw_diff *d = compare();

	cr_assert_eq(d->nentries, 0);
	cr_assert_eq(d->matched, 20001);
	pw_diff_free(d);
}
