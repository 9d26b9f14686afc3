/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procwatch's values in JSON, the same in every JSON the sinks write (the
 * trace, the processes view, diff's document, the HTML report's data):
 * tracee strings, signal and errno names, wait statuses, times, a model's
 * argv and images; stacks as text for the views read in a viewer
 * (perfetto, html).  Internal to src/sink/.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "procwatch/xlat.h"
#include "json_values.h"
#include "view.h"

void
pw_json_key_text(struct pw_json *w, const char *key, const char *s)
{
	pw_json_key(w, key);
	pw_json_bytes_cstr(w, s);
}

void
pw_json_key_argv(struct pw_json *w, const struct pw_argv *a)
{
	pw_json_key(w, "argv");
	pw_json_argv(w, a);
	if (a->truncated)
		pw_json_key_bool(w, "argv_truncated", true);
}

void
pw_json_image_keys(struct pw_json *w, const struct pw_image *im)
{
	pw_json_key_time(w, "t", im->t);
	pw_json_key_text(w, "path", im->path);
	pw_json_key_argv(w, &im->argv);
	pw_json_key_text(w, "cwd", im->cwd);
	if (im->script)
		pw_json_key_text(w, "interpreter", im->exe);
	if (im->attached)
		pw_json_key_bool(w, "attached", true);
}

void
pw_json_key_signal(struct pw_json *w, const char *key, int sig)
{
	char buf[32];

	pw_json_key_string(w, key, pw_signal_format(sig, buf, sizeof(buf)));
}

void
pw_json_key_errno(struct pw_json *w, const char *key, int err)
{
	char buf[24];

	pw_json_key_string(w, key, pw_errno_format(err, buf, sizeof(buf)));
}

void
pw_json_key_time(struct pw_json *w, const char *key, uint64_t us)
{
	pw_json_key(w, key);
	pw_json_time_us(w, us);
}

void
pw_json_argv(struct pw_json *w, const struct pw_argv *a)
{
	uint32_t i;

	pw_json_array_begin(w);
	for (i = 0; i < a->n - a->elided; i++)
		pw_json_bytes_cstr(w, a->v[i]);
	pw_json_array_end(w);
}

void
pw_json_proc_ending(struct pw_json *w, const struct pw_proc *p)
{
	pw_json_key(w, "duration");
	if (p->exited)
		pw_json_time_us(w, pw_proc_lifetime(p, p->exit_us));
	else
		pw_json_null(w);
	pw_json_key(w, "status");
	if (p->exited)
		pw_json_status(w, &p->status);
	else
		pw_json_null(w);
	/* CLONE_UNTRACED: nothing is known of it but its creation. */
	pw_json_key_bool(w, "running", !p->exited && !p->untraced);
	if (p->untraced)
		pw_json_key_bool(w, "followed", false);
}

/* The status object shared by wait and end; null when nothing was reported. */
void
pw_json_status(struct pw_json *w, const struct pw_status *st)
{
	const char *kind = pw_status_kind_name(st->kind);

	if (!kind) {
		pw_json_null(w);
		return;
	}
	pw_json_object_begin(w);
	pw_json_key_string(w, "kind", kind);
	switch (st->kind) {
	case PW_STATUS_EXITED:
		pw_json_key_int(w, "code", st->code);
		break;
	case PW_STATUS_KILLED:
		pw_json_key_signal(w, "signal", st->signal);
		pw_json_key_bool(w, "core", st->core);
		break;
	case PW_STATUS_STOPPED:
	case PW_STATUS_TRAPPED:
		pw_json_key_signal(w, "signal", st->signal);
		/* A ptrace stop's event bits (decode/wait.c, set_stop), else 0. */
		if (st->code)
			pw_json_key_int(w, "ptrace_bits", st->code);
		break;
	case PW_STATUS_NONE:
	case PW_STATUS_CONTINUED:
		break;
	}
	pw_json_object_end(w);
}

void
pw_json_flag(void *data, const char *name, uint64_t bits)
{
	struct pw_json *w = data;
	char buf[24];

	if (!name) {
		snprintf(buf, sizeof(buf), "0x%" PRIx64, bits);
		name = buf;
	}
	pw_json_string(w, name);
}

/* One frame as text: "fn+0x1a (/path/obj)"; NULL when out of memory. */
static char *
frame_text(const struct pw_frame *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return NULL;
	pw_view_frame(m, f, true);
	if (fclose(m) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

void
pw_json_key_stack_text(struct pw_json *w, const char *key, const char *note_key,
		       const struct pw_stack *st)
{
	size_t i;
	char *text;

	if (!st || !st->requested)
		return;
	pw_json_key(w, key);
	pw_json_array_begin(w);
	for (i = 0; i < st->nframes; i++) {
		text = frame_text(&st->frames[i]);
		if (text)
			pw_json_string(w, text);
		else
			pw_json_null(w);
		free(text);
	}
	pw_json_array_end(w);
	if (st->note)
		pw_json_key_string(w, note_key, st->note);
}

/* A count of the kernel's, or null when it was not read. */
static void
put_key_known_uint(struct pw_json *w, const char *key, bool known, uint64_t v)
{
	pw_json_key(w, key);
	/* Above 2^63 - 1 no reader holds it; the kernel never counts that high. */
	if (known && v <= INT64_MAX)
		pw_json_uint(w, v);
	else
		pw_json_null(w);
}

void
pw_json_usage(struct pw_json *w, const struct pw_usage *u)
{
	if (!u->known)
		return;
	pw_json_key(w, "usage");
	pw_json_object_begin(w);
	put_key_known_uint(w, "user_us", u->known & PW_USAGE_USER, u->user_us);
	put_key_known_uint(w, "system_us", u->known & PW_USAGE_SYSTEM, u->system_us);
	put_key_known_uint(w, "peak_rss_kib", u->known & PW_USAGE_PEAK_RSS, u->peak_rss_kib);
	pw_json_object_end(w);
}
