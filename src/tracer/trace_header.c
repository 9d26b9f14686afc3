/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The trace header, every trace's first line: where, when and how it was
 * recorded, for whoever reads the trace later on another machine (a CI
 * job's artifact).  The wall clock is taken against the tracer's time 0,
 * so that a replay can show each event's time of day as it was.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "tracer_internal.h"

/* A copy of s into *out; left empty (unknown) when s is NULL or memory is short. */
static void
bytes_of(struct pw_bytes *out, const char *s)
{
	if (s && (out->data = strdup(s)))
		out->len = strlen(s);
}

/* CLOCK_REALTIME at trace time 0, in µs since 1970; 0 if the clock fails. */
static uint64_t
wall_clock_at_zero(const struct tracer *t)
{
	struct timespec now;
	uint64_t now_us, since;

	since = tracer_now(t);
	if (clock_gettime(CLOCK_REALTIME, &now) != 0 || now.tv_sec < 0)
		return 0;
	now_us = (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000;
	return now_us > since ? now_us - since : 0;
}

static void
copy_command(struct pw_trace *tr, char *const argv[], const pid_t *pids, size_t npids)
{
	size_t argc = 0, i;

	while (argv && argv[argc])
		argc++;
	if (argc && (tr->argv = calloc(argc, sizeof(*tr->argv)))) {
		for (i = 0; i < argc; i++)
			bytes_of(&tr->argv[i], argv[i]);
		tr->argc = argc;
	}
	if (npids && (tr->pids = calloc(npids, sizeof(*tr->pids)))) {
		memcpy(tr->pids, pids, npids * sizeof(*pids));
		tr->npids = npids;
	}
}

void
tracer_emit_header(struct tracer *t, char *const argv[], const pid_t *pids, size_t npids)
{
	struct pw_event ev;
	struct pw_trace *tr = &ev.u.trace;
	struct utsname un;
	char *cwd;

	tracer_event_init(t, &ev, PW_EV_TRACE, NULL);
	tr->wall_us = wall_clock_at_zero(t);
	bytes_of(&tr->version, PW_VERSION);
	if (uname(&un) == 0) {
		bytes_of(&tr->hostname, un.nodename);
		bytes_of(&tr->kernel, un.release);
	}
	/* glibc allocates it to size; NULL when the directory is gone. */
	cwd = getcwd(NULL, 0);
	bytes_of(&tr->cwd, cwd);
	free(cwd);
	copy_command(tr, argv, pids, npids);
	tr->attach = t->policy->attach;
	tr->seccomp = t->seccomp;
	tr->stack_depth = t->unwinder ? t->opts.stack_depth : 0;
	tracer_emit(t, &ev);
}
