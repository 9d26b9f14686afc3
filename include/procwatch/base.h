/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The foundation every part of procwatch may use: small macros and
 * procwatch's own exit statuses.  Nothing here knows about ptrace, events
 * or output formats.
 */
#ifndef PROCWATCH_BASE_H
#define PROCWATCH_BASE_H

#include <stdarg.h>
#include <stdio.h>

#define PW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* env(1)/timeout(1) convention for a wrapper's own failures. */
enum {
	PW_EXIT_FAILURE = 125,		/* procwatch itself failed (bad option, no ptrace, ...) */
	PW_EXIT_CANNOT_EXEC = 126,	/* the command was found but could not be executed */
	PW_EXIT_NOT_FOUND = 127,	/* the command was not found */
};

/*
 * Messages for the user, all in one form (src/base/messages.c): one line
 * "procwatch: MESSAGE" on standard error, and under it, when hint is not
 * NULL, one line of what to do.  Tracee bytes in a message must be escaped
 * first (pw_text_escape).
 */
void pw_vmessage(FILE *to, const char *hint, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
void pw_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pw_warn_to(FILE *to, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pw_warn_hint_to(FILE *to, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* pw_warn, then the status of procwatch's own failures: return pw_fail(...). */
int pw_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int pw_fail_hint(const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Opens (creates) the file -o names, for writing, close-on-exec, without
 * truncating it (the caller does, once it knows it is no file it reads),
 * refusing what the kernel's protected_symlinks and protected_regular
 * rules refuse in a sticky directory others can write to, whatever the
 * machine's settings (src/base/output_file.c).  The descriptor, or
 * -errno; *why says what was refused (then -EPERM), NULL otherwise.
 */
int pw_open_output_file(const char *path, const char **why);

#endif
