/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `procwatch diff A.jsonl B.jsonl`: what changed between two runs of the
 * same job, compared as two process models (include/procwatch/model.h),
 * never by re-reading JSON.
 *
 * Alignment.  Every process gets a command: the argv of its first program
 * (the first exec, or what an attached process was found running), else
 * of its last failed exec, else none (a fork that never exec'd, known by
 * its name), normalised (see below).  The tops of the two runs are matched,
 * then the children of each matched pair, never anything else: a process
 * is matched only if its parent was.  Children are matched in three passes,
 * each among those still unmatched, repeated commands in the order they
 * were created (the 3rd `cc -c x.c` of A with the 3rd of B):
 *   1. the same normalised command;
 *   2. the same command once every run of digits is read as one digit
 *      (sleep 1 and sleep 2, -j2 and -j4);
 *   3. the same program (argv[0]'s base name).
 * A process left unmatched is only in its run, with everything below it.
 * Each pass sorts a pair's children by key: O(n log n) in all.
 *
 * Normalisation (unless exact): in every argument and path, the working
 * directory of each run's first command is written %CWD% when the two runs
 * had different ones (two checkouts of one project); below /tmp, /var/tmp
 * and /dev/shm, every run of 6 or more letters, digits and underscores of
 * the name right below is written XXXXXX (gcc's /tmp/ccXXXXXX.s, mktemp);
 * a whole number that is the id of a process or thread of that run alive
 * when the command ran is written %PID%.  See the manual page's DIFF
 * section.
 *
 * The loader is src/diff/load.c, the normalisation src/diff/normalize.c,
 * the alignment src/diff/align.c, the comparison of matched pairs
 * src/diff/compare.c; the output src/sink/diff_text.c,
 * src/sink/diff_json.c and src/sink/diff_sink.c.
 */
#ifndef PROCWATCH_DIFF_H
#define PROCWATCH_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "procwatch/model.h"
#include "procwatch/sink.h"

#define PW_DIFF_SLOWER_PCT_DEFAULT 50
#define PW_DIFF_SLOWER_PCT_MAX 1000000
#define PW_DIFF_SLOWER_MIN_US_DEFAULT 1000000	/* 1 s */

struct pw_diff_opts {
	bool exact;		/* --exact: commands compared as their bytes are */
	bool json;		/* --json: one JSON document instead of the text tree */
	unsigned slower_pct;	/* --slower=PCT */
	uint64_t slower_min_us;	/* --slower-min: the least change in duration reported */
};

/* What differs, most important first (the order of the output). */
enum pw_diff_kind {
	PW_DIFF_STATUS,		/* another exit code or signal, or one of them still ran */
	PW_DIFF_FAILED_EXEC,	/* other failed exec attempts (PATH misses aside) */
	PW_DIFF_ONLY_A,		/* a process, with what is below it, only in A */
	PW_DIFF_ONLY_B,
	PW_DIFF_EXEC,		/* another chain of programs (argv or path) */
	PW_DIFF_SLOWER,		/* lived longer in B, past --slower and --slower-min */
	PW_DIFF_FASTER,
	PW_DIFF_KINDS
};

/* "status", "only_a", ...: the JSON names, also used in the text. */
const char *pw_diff_kind_name(enum pw_diff_kind k);

/* How the two processes of a pair were matched (the passes above). */
enum pw_diff_match {
	PW_DIFF_MATCH_COMMAND,
	PW_DIFF_MATCH_NUMBERS,
	PW_DIFF_MATCH_PROGRAM,
};

/* One program of an exec chain, normalised. */
struct pw_diff_image {
	const char *path;	/* NULL when unknown */
	struct pw_argv argv;
};

/* A failed exec attempt (not a PATH search's miss), its path normalised. */
struct pw_diff_failure {
	const char *path;
	int err;
};

/*
 * One process of the comparison: a matched pair (a and b), or a process
 * of one run alone (the other NULL), with what is below it.  Only nodes
 * with a difference in their subtree are linked into the shown tree.
 */
struct pw_diff_node {
	const struct pw_proc *a, *b;
	const struct pw_argv *command;	/* normalised; A's for a pair; n == 0: never exec'd */
	unsigned kinds;		/* 1 << enum pw_diff_kind */
	enum pw_diff_match match;
	unsigned below;		/* only in one run: the processes below it */
	unsigned depth;		/* in the shown tree, 0 for a top */
	unsigned rank;		/* the most important kind in its subtree; PW_DIFF_KINDS: none */
	struct pw_diff_node *up, *first_child, *next_sibling;	/* the shown tree */
	/*
	 * Its ancestor at depth PW_DIFF_OUTER - 1 (itself above that): a long
	 * chain of ancestors is listed by its ends in constant time.
	 */
	const struct pw_diff_node *outer;
	/* With PW_DIFF_EXEC: each side's programs; with FAILED_EXEC, its failures. */
	struct pw_diff_image *chain[2];
	size_t nchain[2];
	struct pw_diff_failure *failures[2];
	size_t nfailures[2];
};

/* Ancestors listed at each end of a chain deeper than 3 times this (the views' guides). */
#define PW_DIFF_OUTER 8

/* One difference: a kind of one node; the list is most important first. */
struct pw_diff_entry {
	enum pw_diff_kind kind;
	const struct pw_diff_node *node;
};

struct pw_diff {
	const struct pw_model *a, *b;
	struct pw_diff_opts opts;
	const char *cwd[2];	/* each run's directory written %CWD%; NULL: none */
	struct pw_diff_node *top;	/* the shown tree's first top */
	struct pw_diff_entry *entries;
	size_t nentries;
	unsigned long counts[PW_DIFF_KINDS];
	unsigned long matched;	/* pairs */
	void *priv;		/* the comparison's own memory (src/diff/) */
};

/*
 * Reads the trace at path ("-": standard input, named "(stdin)") into m,
 * made here with what a diff needs.  0; or PW_EXIT_FAILURE after saying
 * why on err, one line and a hint: unreadable, empty, not a trace (or a
 * newer one), damaged lines, cut short (no end event): only whole runs
 * are compared.  m must be destroyed either way.
 */
int pw_diff_load(struct pw_model *m, const char *path, FILE *err);

/* Compares a with b; NULL when out of memory.  The models must outlive it. */
struct pw_diff *pw_diff_new(const struct pw_model *a, const struct pw_model *b,
			    const struct pw_diff_opts *opts);
void pw_diff_free(struct pw_diff *d);

/* The tree of differences (src/sink/diff_text.c).  0 or -errno. */
int pw_diff_write_text(FILE *out, const struct pw_diff *d, const struct pw_view_opts *vo,
		       const char *name_a, const char *name_b);
/* The same as one JSON document (src/sink/diff_json.c).  0 or -errno. */
int pw_diff_write_json(FILE *out, const struct pw_diff *d, const char *name_a,
		       const char *name_b);
/*
 * A sink that takes no events and writes d (text, or JSON with opts.json)
 * at its close, for pw_sink_checked_new() (src/sink/diff_sink.c).  d must
 * outlive it; NULL when out of memory.
 */
struct pw_sink *pw_sink_diff_new(FILE *out, const struct pw_diff *d,
				 const struct pw_view_opts *vo, const char *name_a,
				 const char *name_b);

#endif
