/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procwatch's values as the JSON sinks write them (json_values.c), so
 * that the trace and the views that are JSON agree.  Internal to src/sink/.
 */
#ifndef PROCWATCH_SINK_JSON_VALUES_H
#define PROCWATCH_SINK_JSON_VALUES_H

#include "procwatch/event.h"
#include "procwatch/json_writer.h"
#include "procwatch/model.h"

/* A C string of tracee bytes (an interned path), null when unread. */
void pw_json_key_text(struct pw_json *w, const char *key, const char *s);
/*
 * "argv": the model's vector as pw_json_argv() writes it; then
 * "argv_truncated": true when the vector was longer than what was read.
 */
void pw_json_key_argv(struct pw_json *w, const struct pw_argv *a);
/*
 * The keys of a program a process ran: "t", "path", "argv", "cwd", and
 * "interpreter" for a #! script, "attached" for one found running.
 */
void pw_json_image_keys(struct pw_json *w, const struct pw_image *im);

/* "SIGSEGV", "SIGRTMIN+3", "SIG65". */
void pw_json_key_signal(struct pw_json *w, const char *key, int sig);
/* "ENOENT", "E4095". */
void pw_json_key_errno(struct pw_json *w, const char *key, int err);
/* "key": seconds, as every time the JSON outputs write. */
void pw_json_key_time(struct pw_json *w, const char *key, uint64_t us);
/* A model's argv as an array of byte strings, as kept; an unread element is null. */
void pw_json_argv(struct pw_json *w, const struct pw_argv *a);
/*
 * How a model's process ended: "duration", "status" (null while it ran)
 * and "running", as the processes view and diff's document give them.
 */
void pw_json_proc_ending(struct pw_json *w, const struct pw_proc *p);
/* {"kind":"exited","code":0}, {"kind":"killed","signal":...,"core":...}; null for none. */
void pw_json_status(struct pw_json *w, const struct pw_status *st);

/*
 * -k: a stack as lines of text under key, "fn+0x1a (/path/obj)" innermost
 * first (null for a frame that could not be formatted), and why it was cut
 * short under note_key; nothing when no stack was requested.  For viewers
 * that show a stack as it is, not for scripts (the trace has the fields).
 */
void pw_json_key_stack_text(struct pw_json *w, const char *key, const char *note_key,
			    const struct pw_stack *st);

/*
 * "usage": {"user_us", "system_us", "peak_rss_kib"}, each a number or null
 * when it was not read; the key is absent when none was.
 */
void pw_json_usage(struct pw_json *w, const struct pw_usage *u);

/* pw_flag_fn (procwatch/xlat.h) for a struct pw_json *: "CLONE_VM", unknown bits "0x...". */
void pw_json_flag(void *data, const char *name, uint64_t bits);

#endif
