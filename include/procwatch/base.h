/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The foundation every part of procwatch may use: small macros and
 * procwatch's own exit statuses.  Nothing here knows about ptrace, events
 * or output formats.
 */
#ifndef PROCWATCH_BASE_H
#define PROCWATCH_BASE_H

#define PW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* env(1)/timeout(1) convention for a wrapper's own failures. */
enum {
	PW_EXIT_FAILURE = 125,		/* procwatch itself failed (bad option, no ptrace, ...) */
	PW_EXIT_CANNOT_EXEC = 126,	/* the command was found but could not be executed */
	PW_EXIT_NOT_FOUND = 127,	/* the command was not found */
};

#endif
