/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The views for people, internal to src/sink/: struct pw_view, what a
 * view of the process model is (at the end of this file), and what the
 * views write the same way (view.c): colours, durations, statuses, clone
 * flags, and argv shell-quoted with the middle elided.
 */
#ifndef PROCWATCH_SINK_VIEW_H
#define PROCWATCH_SINK_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "procwatch/event.h"
#include "procwatch/pidmap.h"
#include "procwatch/model.h"
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
 * screen: past max levels only the outer and inner max/4 levels are
 * drawn, the ones between as one mark, "…[depth 57]…   ".  max is
 * PW_VIEW_GUIDES_MAX without a width, else what leaves half of the
 * width after lead columns (the timeline's time) to the text.
 */
#define PW_VIEW_GUIDES_MAX 24
unsigned pw_view_guide_max(const struct pw_view_opts *o, unsigned lead);
/*
 * Level d (1-based) of a line at depth: piece, or the mark for the levels
 * elided from d on.  Returns the next level to draw.
 */
unsigned pw_view_guide(FILE *out, unsigned max, unsigned depth, unsigned d, const char *piece);

/*
 * The guides of a tree (the tree view, the diff's): last[d] says whether
 * the line's ancestor at depth d was the last of its siblings; max is
 * pw_view_guide_max()'s for the tree.
 */
struct pw_view_guides {
	bool *last;
	size_t size;
	unsigned max;
};
/* Records whether the line at depth is the last of its siblings; false when out of memory. */
bool pw_view_guides_set(struct pw_view_guides *g, unsigned depth, bool last);
/* The guides of the levels above depth, dim, then piece at depth (if any, and depth > 0). */
void pw_view_guides_put(FILE *out, const struct pw_view_opts *o,
			const struct pw_view_guides *g, unsigned depth, const char *piece);

/*
 * A line built before it is written (wrap.c), so that it can be folded
 * to the width: f is an open_memstream.
 */
struct pw_line {
	FILE *f;
	char *buf;
	size_t size;
};
int pw_line_open(struct pw_line *l);
/* What was written since the last clear, and its length. */
const char *pw_line_text(struct pw_line *l, size_t *len);
void pw_line_clear(struct pw_line *l);
void pw_line_close(struct pw_line *l);
/* The columns a terminal gives len bytes of s (colours none, wide characters two). */
unsigned pw_view_columns(const char *s, size_t len);
/*
 * Writes text, lines split by '\n' (the last one without), each ended by
 * a newline; with a width, a line longer than it is folded at spaces,
 * each continuation after cont (cont_len bytes: the line's own guides).
 */
void pw_view_wrap(FILE *out, const char *text, size_t len, unsigned width, const char *cont,
		  size_t cont_len);

/* "850µs", "12.3ms", "4.21s", "3m07s". */
void pw_view_dur(FILE *out, uint64_t us);
/* "812 KiB", "4.5 MiB", "45 MiB", "1.2 GiB". */
void pw_view_kib(FILE *out, uint64_t kib);
/*
 * What a process used, as far as it is known: "cpu 912ms, peak 45 MiB",
 * with split "cpu 912ms (user 900ms, system 12ms), peak 45 MiB"; nothing
 * when nothing is (u->known 0).
 */
void pw_view_usage(FILE *out, const struct pw_usage *u, bool split);
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
/*
 * What sets sp apart from the usual spawn of its kind (glibc's fork,
 * pthread_create, posix_spawn): "  with CLONE_PIDFD, exit signal 0";
 * nothing when nothing does.  A "clone", which has no usual set, gets the
 * whole call.
 */
void pw_view_spawn_unusual(FILE *out, const struct pw_spawn *sp);
/* argv of an event, shell-quoted and elided past o->argv_max. */
void pw_view_event_argv(FILE *out, const struct pw_view_opts *o, const struct pw_exec *ex);
/* argv kept by the model, the same way. */
void pw_view_model_argv(FILE *out, const struct pw_view_opts *o, const struct pw_argv *a);
/*
 * Whether an image is shown as something the process ran: not the one an
 * attached process was found with when /proc showed no command line.
 */
bool pw_view_image_shown(const struct pw_image *im);
/*
 * How long thread t lived, if it ended at end_us: " after 1.2ms"; for one
 * already running at an attach, whose start is unknown, ", 1.2s after
 * procwatch attached".
 */
void pw_view_thread_life(FILE *out, const struct pw_thread_rec *t, uint64_t end_us);
/*
 * A process that had not ended when the trace did: "still running when
 * procwatch detached" (-p), "still running when the trace was cut" (no end
 * event: the job or procwatch was killed, as a CI timeout does), or
 * "still running".
 */
void pw_view_not_ended(FILE *out, const struct pw_model *m, const struct pw_proc *p);
/* A process still running where a cut trace stops: worth a look, as a failure is. */
bool pw_view_cut_running(const struct pw_model *m, const struct pw_proc *p);
/*
 * What show --failed lists: a process that exited non-zero, was killed,
 * whose last exec failed (not a PATH search that found its program), or
 * that was still running where a cut trace stops.
 */
bool pw_view_is_failure(const struct pw_model *m, const struct pw_proc *p);
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
 * How a view writes the lines of pw_view_reproduce(): begin() writes its
 * start (indentation, then label and a space), end() its end.
 */
struct pw_repro_lines {
	void (*begin)(void *ctx, const char *label);
	void (*end)(void *ctx);
	void *ctx;
};
/*
 * For a trace recorded with --env, the command line that runs failed
 * process p's last exec again, "reproduce: cd DIR && env -i ... CMD ARG...",
 * then "differs: ..." when it cannot be exact; or why there is none.
 * Nothing for a trace without environments or a process that did not
 * exec.  *written counts what the lines printed, per view (reproduce.c).
 */
void pw_view_reproduce(FILE *out, const struct pw_model *m, const struct pw_proc *p,
		       uint64_t *written, const struct pw_repro_lines *l);

/* fflush and ferror as one result: 0 or -errno. */
int pw_view_flush(FILE *out);

/* tree.c: every process once under its creator, then the counts if asked. */
void pw_tree_print(FILE *out, const struct pw_view_opts *o, const struct pw_model *m);
/* --summary: "slowest: ..." and "most run: ..." lines (shape.c). */
void pw_view_summary_shape(FILE *out, const struct pw_model *m);
/* The tree, then the summary when o->summary (warning counts when o->warnings). */
void pw_view_print_end(FILE *out, const struct pw_view_opts *o, const struct pw_model *m);

/*
 * A view of the model: one file of src/sink/ renders it, registered by
 * name in formats.c.  The model sink (model_sink.c) feeds each event to
 * the model, then to event(), and calls end() once the trace is over (an
 * end event, or the close of a trace cut short).
 */
struct pw_view {
	/* What the model must keep for this view with these options. */
	void (*needs)(const struct pw_view_opts *o, struct pw_model_opts *mo);
	/* data: what the caller passed to pw_model_sink_new(), for the view's own use. */
	void *(*create)(FILE *out, const struct pw_view_opts *o, void *data);
	/* After the model took ev in; NULL for a view written at the end. 0 or -errno. */
	int (*event)(void *view, const struct pw_model *m, const struct pw_event *ev,
		     const struct pw_model_notes *notes);
	/* The model is finished: write what is written at the end.  0 or -errno. */
	int (*end)(void *view, const struct pw_model *m);
	/*
	 * end() is called when the sink closes rather than at the end event:
	 * for a file that is one document, written once nothing can follow.
	 */
	bool end_at_close;
	void (*destroy)(void *view);
};

extern const struct pw_view pw_view_timeline, pw_view_tree, pw_view_perfetto,
	pw_view_failed, pw_view_processes, pw_view_compile_commands, pw_view_html;

/* A sink that feeds one model and renders it with view (model_sink.c). */
struct pw_sink *pw_model_sink_new(FILE *out, const struct pw_view_opts *o,
				  const struct pw_view *view, void *data);

#endif
