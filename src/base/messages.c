/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages for the user (include/procwatch/base.h): every part of procwatch
 * says what went wrong in the same form, "procwatch: ..." on one line, so
 * that a user or a script can tell procwatch's words from the traced
 * program's.  Nothing here exits: the caller decides how to end.
 */
#include "procwatch/base.h"

void
pw_vmessage(FILE *to, const char *hint, const char *fmt, va_list ap)
{
	fputs("procwatch: ", to);
	vfprintf(to, fmt, ap);
	putc('\n', to);
	if (hint)
		fprintf(to, "%s\n", hint);
	fflush(to);
}

void
pw_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pw_vmessage(stderr, NULL, fmt, ap);
	va_end(ap);
}

void
pw_warn_to(FILE *to, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pw_vmessage(to, NULL, fmt, ap);
	va_end(ap);
}

void
pw_warn_hint_to(FILE *to, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pw_vmessage(to, hint, fmt, ap);
	va_end(ap);
}

int
pw_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pw_vmessage(stderr, NULL, fmt, ap);
	va_end(ap);
	return PW_EXIT_FAILURE;
}

int
pw_fail_hint(const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pw_vmessage(stderr, hint, fmt, ap);
	va_end(ap);
	return PW_EXIT_FAILURE;
}
