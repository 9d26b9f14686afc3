/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tracer: follows a set of processes and everything they create with
 * ptrace and hands every decoded event to a sink.  It either launches a
 * command (and ends what is left of it when stopped) or attaches to
 * processes already running (and lets go of them, unchanged, when
 * stopped).  The only part of procwatch that calls ptrace; it knows
 * nothing of the command line.
 *
 *	pw_tracer_new -> pw_tracer_launch or pw_tracer_attach -> pw_tracer_run
 *	-> pw_tracer_free
 *
 * Functions returning int give 0, or the exit status procwatch should end
 * with (PW_EXIT_*, include/procwatch/base.h) after a one-line message on
 * standard error saying why.
 */
#ifndef PROCWATCH_TRACER_H
#define PROCWATCH_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "procwatch/sink.h"

struct pw_tracer_opts {
	bool seccomp;		/* launch: stop only at the calls recorded (the filter) */
	unsigned stack_depth;	/* -k: frames per stack; 0 for no stacks */
	bool env;		/* --env: record each exec's environment */
	/*
	 * What to read of each new program at its exec event, from /proc:
	 * the file it runs and the descriptors it inherited
	 * (pw_format_exec_needs says which an output shows).
	 */
	bool exe;
	bool fds;
};

struct pw_tracer;

int pw_tracer_new(const struct pw_tracer_opts *opts, struct pw_sink *sink,
		  struct pw_tracer **out);
/*
 * Starts argv[0] (found on PATH like execvp(3)) under the tracer.  Exit
 * statuses 126 and 127 for a command that cannot be run or found.
 */
int pw_tracer_launch(struct pw_tracer *t, char *const argv[]);
/*
 * Attaches to each process of pids, every thread of it and every process
 * below it.  Refuses, before attaching anything, what cannot or must not
 * be traced (procwatch itself or an ancestor, a kernel thread, a zombie,
 * a process traced by another tracer, no permission).
 */
int pw_tracer_attach(struct pw_tracer *t, const pid_t *pids, size_t npids);
/*
 * Traces until no traced task is left, then writes the end event.  Returns
 * the status procwatch should end with: after a launch, the command's exit
 * code, or 128 + signal with *killed_by set to the signal that killed it
 * (the caller should then die by it: pw_die_by_signal); after an attach,
 * 0.  procwatch's own failures give PW_EXIT_FAILURE.
 */
int pw_tracer_run(struct pw_tracer *t, int *killed_by);
void pw_tracer_free(struct pw_tracer *t);

/* Ends procwatch by sig the way the command ended (core dumps off). */
_Noreturn void pw_die_by_signal(int sig);

#endif
