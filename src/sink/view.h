/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the two views for people (timeline.c, tree.c) write the same way:
 * colours, durations, statuses, clone flags, and argv shell-quoted with the
 * middle elided.  Internal to src/sink/.
 */
#ifndef PROCWATCH_SINK_VIEW_H
#define PROCWATCH_SINK_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "procwatch/event.h"
#include "procwatch/pidmap.h"
#include "procwatch/proctab.h"
#include "procwatch/sink.h"
#include "procwatch/warnings.h"

enum pw_color {
	PW_COLOR_FAIL,		/* a call that failed, a non-zero exit */
	PW_COLOR_SIGNAL,	/* a signal delivered or a kill */
	PW_COLOR_DIM,		/* tree guides and marks, --explain lines */
	PW_COLOR_WARN,		/* a warning line */
};

/* Starts or ends a coloured span; nothing when colour is off. */
void pw_view_color(FILE *out, const struct pw_view_opts *o, enum pw_color c);
void pw_view_reset(FILE *out, const struct pw_view_opts *o);
/*
 * Deep trees (a fork chain thousands long) would push every line off the
 * screen: past PW_VIEW_GUIDES_MAX levels only the outer and inner
 * PW_VIEW_GUIDES_KEEP levels are drawn, the ones between as one mark.
 */
#define PW_VIEW_GUIDES_MAX 24
#define PW_VIEW_GUIDES_KEEP 8
/* True when level d (1-based) is drawn for a line at depth; else it is elided. */
bool pw_view_guide_shown(unsigned depth, unsigned d);
/* The mark standing for the elided levels of a line at depth, "⋯+9⋯ ". */
void pw_view_guide_mark(FILE *out, unsigned depth);
/* "850µs", "12.3ms", "4.21s", "3m07s". */
void pw_view_dur(FILE *out, uint64_t us);
/* "exited 3", "killed by SIGSEGV (core dumped)", coloured when it failed. */
void pw_view_status(FILE *out, const struct pw_view_opts *o, const struct pw_status *st);
/*
 * pw_flag_fn writing a flag set as "A|B|0x40", with before ahead of the
 * first flag ("" in a call's arguments, ", " after another argument).
 */
struct pw_view_flags {
	FILE *out;
	const char *before;
	bool any;
};
void pw_view_put_flag(void *data, const char *name, uint64_t bits);
/* "clone(CLONE_VM|SIGCHLD)", "fork()": the call as made. */
void pw_view_spawn_call(FILE *out, const struct pw_spawn *sp);
/* argv of an event, shell-quoted and elided past o->argv_max. */
void pw_view_event_argv(FILE *out, const struct pw_view_opts *o, const struct pw_exec *ex);
/* argv kept by the model, the same way. */
void pw_view_model_argv(FILE *out, const struct pw_view_opts *o, const struct pw_argv *a);
/* argv found at an attach, the same way. */
void pw_view_attach_argv(FILE *out, const struct pw_view_opts *o, const struct pw_attach *at);
/*
 * The command line p was found running with at an attach, NULL when it
 * was not attached or /proc showed none (a kernel thread, an emptied one).
 */
const struct pw_argv *pw_view_attach_image(const struct pw_proc *p);
/*
 * How long thread t lived, if it ended at end_us: " after 1.2ms"; for one
 * already running at an attach, whose start is unknown, ", 1.2s after
 * procwatch attached".
 */
void pw_view_thread_life(FILE *out, const struct pw_thread_rec *t, uint64_t end_us);
/* A process name from the model: tracee bytes, so shell-quoted like argv. */
void pw_view_name(FILE *out, const char *name);
/*
 * A process id in procwatch's pid namespace; "ns:5" when only the
 * tracee's own id is known (struct pw_wait).
 */
void pw_view_pid_ns(FILE *out, long id, long id_ns);
/* "ENOENT" or "E<n>". */
void pw_view_errno(FILE *out, int err);
/* True when two argv are the same bytes (a PATH search retries one argv). */
bool pw_view_argv_equal(const struct pw_exec *a, const struct pw_exec *b);
/*
 * One stack frame (-k): "f2+0x1a (pw_stack)"; without a symbol the address
 * in the object, "0x1139 (pw_stack.stripped)"; in no object the ip,
 * "0x7f0012345678".  raw: the full object path and the bytes unescaped,
 * for a JSON string; else the object's base name, escaped for a terminal.
 */
void pw_view_frame(FILE *out, const struct pw_frame *f, bool raw);
/* Why the stack is missing or cut short: "… stack cut short: NOTE", or nothing. */
void pw_view_stack_note(FILE *out, const struct pw_stack *st, bool raw);

/*
 * Warnings given so far, by kind, for the summary, and by process (a bit
 * per kind), for the tree's marks.  All zeroes is empty.
 */
struct pw_view_warnings {
	unsigned long count[PW_WARN_KINDS];
	struct pw_pidmap by_pid;	/* pid -> kinds, as (void *)(uintptr_t) */
	char **fds_seen;		/* "fd target" of each leak reported */
	size_t nfds_seen;
};

/* Leaked descriptors remembered to be reported once; past this, every time. */
#define PW_VIEW_FDS_SEEN_MAX 512

void pw_view_warnings_destroy(struct pw_view_warnings *w);
/* The kinds of warning about p (bit 1 << kind); 0 when none. */
unsigned pw_view_warnings_of(const struct pw_view_warnings *w, const struct pw_proctab *tab,
			     const struct pw_proc *p);

/*
 * Runs the warning checks on ev (after pw_proctab_event() took it in) when
 * o->warnings is set, counts each warning and passes it to fn (may be NULL).
 */
void pw_view_warnings_check(const struct pw_view_opts *o, const struct pw_proctab *tab,
			    const struct pw_event *ev, struct pw_view_warnings *counts,
			    pw_warning_fn fn, void *data);
/* fflush and ferror as one result: 0 or -errno. */
int pw_view_flush(FILE *out);

/* tree.c: every process once under its creator, then the counts if asked. */
void pw_tree_print(FILE *out, const struct pw_view_opts *o, const struct pw_proctab *tab,
		   const struct pw_view_warnings *warnings);
/* The tree, then the summary when o->summary (warning counts when o->warnings). */
/* --summary: "slowest: ..." and "most run: ..." lines (shape.c). */
void pw_view_summary_shape(FILE *out, const struct pw_proctab *tab);
void pw_view_print_end(FILE *out, const struct pw_view_opts *o, const struct pw_proctab *tab,
		       const struct pw_view_warnings *counts);

#endif
