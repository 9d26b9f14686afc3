/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Attaching to processes already running (-p): see attach_processes(). */
#include <stdio.h>

#include "tracer_internal.h"

int
attach_processes(struct tracer *t, const pid_t *pids, size_t npids)
{
	(void)t;
	(void)pids;
	(void)npids;
	fprintf(stderr, "procwatch: -p: not yet\n");
	return PW_EXIT_FAILURE;
}
