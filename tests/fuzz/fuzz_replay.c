/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the replay reader: any bytes as a trace file.  The
 * reader must never crash, leak or read out of bounds, whatever the file
 * holds; messages go to /dev/null.  scripts/fuzz-replay builds it with
 * clang and runs it; tests/fuzz/run_corpus.c runs the kept corpus (the
 * inputs that once crashed, and seeds) in every meson test run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "procwatch/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct pw_replay *r;
	struct pw_event ev;
	FILE *in;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	/* fmemopen refuses size 0; an empty file is /dev/null. */
	in = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (!in || !devnull)
		return 0;
	r = pw_replay_new(in, "fuzz.jsonl", devnull);
	while (r && pw_replay_next(r, &ev) == PW_REPLAY_EVENT)
		pw_event_clear(&ev);
	pw_replay_free(r);
	fclose(in);
	return 0;
}
