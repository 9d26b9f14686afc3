/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for 'procwatch show': any bytes as a trace file, read
 * by the replay reader and then shown in every view and format the format
 * table lists, and --failed, with every view option on and then with the
 * filters, since traces come from other machines and may be crafted.
 * Nothing may crash, leak or read out of bounds, whatever the file holds;
 * output and messages go to /dev/null.  scripts/fuzz-replay builds it with
 * clang and runs it; tests/fuzz/run_corpus.c runs the kept corpus (the
 * inputs that once crashed, and seeds) in every meson test run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "procwatch/replay.h"
#include "procwatch/sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct events {
	struct pw_event *v;
	size_t n, cap;
};

/* Reads the whole trace first, so that each view gets the same events. */
static void
read_all(struct pw_replay *r, struct events *evs)
{
	struct pw_event ev, *v;

	while (pw_replay_next(r, &ev) == PW_REPLAY_EVENT) {
		if (evs->n == evs->cap) {
			evs->cap = evs->cap ? 2 * evs->cap : 64;
			v = realloc(evs->v, evs->cap * sizeof(*v));
			if (!v) {
				pw_event_clear(&ev);
				return;
			}
			evs->v = v;
		}
		evs->v[evs->n++] = ev;
	}
}

static void
feed(struct pw_sink *sink, const struct events *evs)
{
	size_t i;

	if (!sink)
		return;
	for (i = 0; i < evs->n; i++)
		pw_sink_event(sink, &evs->v[i]);
	pw_sink_close(sink);
}

/* Every format, and --failed, with the options o. */
static void
show_all(const struct events *evs, FILE *out, const struct pw_view_opts *o)
{
	const struct pw_format *f;
	size_t nf, i;
	bool found;

	f = pw_formats(&nf);
	for (i = 0; i < nf; i++)
		feed(pw_format_sink(&f[i], out, o), evs);
	feed(pw_sink_failed_new(out, o, &found), evs);
}

static void
show_views(const struct events *evs, FILE *out)
{
	struct pw_view_opts o = {
		.time = PW_TIME_RELATIVE, .color = true, .argv_max = 3, .threads = true,
		.summary = true, .warnings = true, .explain = true,
	};

	show_all(evs, out, &o);
	/* The filters decide what each view shows: --pid, --match, --depth. */
	o.filter.pids[0] = 2;
	o.filter.npids = 1;
	o.filter.match = "sh|cc";
	o.filter.depth_set = true;
	o.filter.depth = 1;
	o.color = false;
	o.threads = false;
	show_all(evs, out, &o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct events evs = { NULL, 0, 0 };
	struct pw_replay *r;
	FILE *in;
	size_t i;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	/* fmemopen refuses size 0; an empty file is /dev/null. */
	in = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (!in || !devnull)
		return 0;
	r = pw_replay_new(in, "fuzz.jsonl", devnull);
	if (r)
		read_all(r, &evs);
	show_views(&evs, devnull);
	/* The sinks may keep pointers into the start event, which r owns. */
	for (i = 0; i < evs.n; i++)
		pw_event_clear(&evs.v[i]);
	free(evs.v);
	pw_replay_free(r);
	fclose(in);
	return 0;
}
