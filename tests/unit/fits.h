/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the unit tests of the views that fold lines to a width
 * (test_sink_timeline.c, test_diff_output.c): whether every line of an
 * output fits, counted as a terminal counts: SGR colours take no column,
 * a UTF-8 character one.
 */
#ifndef PW_TEST_FITS_H
#define PW_TEST_FITS_H

#include <criterion/criterion.h>
#include <string.h>

/* The columns of a line as a terminal shows it: no SGR, a character each. */
static inline unsigned
columns(const char *s, size_t len)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\033') {
			while (i < len && s[i] != 'm')
				i++;
			continue;
		}
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	}
	return n;
}

static inline void
assert_fits(const char *out, unsigned width)
{
	const char *line = out, *nl;

	for (; (nl = strchr(line, '\n')); line = nl + 1)
		cr_assert_leq(columns(line, (size_t)(nl - line)), width, "%.*s\n(in)\n%s",
			      (int)(nl - line), line, out);
}

#endif
