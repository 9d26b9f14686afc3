/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tracer: launches the command under ptrace, runs the wait loop and
 * hands every decoded event to the sink.  The only part of procwatch that
 * calls ptrace.
 */
#ifndef PROCWATCH_TRACER_H
#define PROCWATCH_TRACER_H

#include "procwatch/cli.h"
#include "procwatch/sink.h"

/*
 * Traces opts->command until every traced task is gone.  Returns the exit
 * status procwatch should end with: the command's exit code, 128 + signal
 * after calling pw_tracer_die_like() fails, or PW_EXIT_* for procwatch's own
 * failures (a one-line message was printed to stderr).  *killed_by is set to
 * the signal that killed the command, 0 otherwise.
 */
int pw_trace_command(const struct pw_options *opts, struct pw_sink *sink,
		     int *killed_by);

/* Ends procwatch by sig the way the command ended (core dumps off). */
_Noreturn void pw_die_by_signal(int sig);

#endif
