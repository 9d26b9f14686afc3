/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stamping events with the time and the task they happened in, and handing
 * them to the sink.  A sink that fails (disk full, reader gone) is given no
 * more events; the sink itself reports the failure (main.c wraps every
 * sink in src/sink/checked.c).  Tracing goes on, because stopping would
 * change what the traced command does, and the lost events are counted in
 * the end event.
 */
#include <string.h>

#include "tracer_internal.h"

/* A CLOCK_MONOTONIC time as an event's: microseconds since the start. */
uint64_t
tracer_time_at(const struct tracer *t, const struct timespec *at)
{
	return (uint64_t)(at->tv_sec - t->start.tv_sec) * 1000000u +
	       (uint64_t)((at->tv_nsec - t->start.tv_nsec) / 1000);
}

uint64_t
tracer_now(const struct tracer *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return tracer_time_at(t, &now);
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
	/* --env: an exec's environment as the change from its lineage's. */
	if (t->opts.env)
		pw_env_writer_event(&t->envs, ev);
	if (t->sink_failed) {
		t->lost++;
	} else if (pw_sink_event(t->sink, ev) < 0) {
		t->sink_failed = true;
		t->lost++;
	}
	pw_event_clear(ev);
}
