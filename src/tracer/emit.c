/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stamping events with the time and the task they happened in, and handing
 * them to the sink.  A sink that fails (disk full, reader gone) is reported
 * once; tracing goes on, because stopping would change what the traced
 * command does, and the lost events are counted in the end event.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tracer_internal.h"

uint64_t
tracer_now(const struct tracer *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - t->start.tv_sec) * 1000000u +
	       (uint64_t)((now.tv_nsec - t->start.tv_nsec) / 1000);
}

void
tracer_event_init(struct tracer *t, struct pw_event *ev,
		  enum pw_event_kind kind, struct task *task)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->time_us = tracer_now(t);
	if (task) {
		ev->tid = task->tid;
		ev->pid = task_tgid(task);
	}
}

void
tracer_emit(struct tracer *t, struct pw_event *ev)
{
	int err;

	if (t->sink_failed) {
		t->lost++;
	} else if ((err = pw_sink_event(t->sink, ev)) < 0) {
		t->sink_failed = true;
		t->lost++;
		fprintf(stderr, "procwatch: writing the trace failed: %s; the "
			"command runs on, untouched, and procwatch will exit 125 "
			"if it succeeds\n", strerror(-err));
	}
	pw_event_clear(ev);
}
