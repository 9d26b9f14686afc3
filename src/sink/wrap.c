/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lines that fit a terminal.  A terminal wraps a line longer than its
 * width back to column 0, through the tree guides of the lines around
 * it; the views instead build each line in a buffer (struct pw_line) and
 * write it with pw_view_wrap(), which folds it at spaces into lines that
 * fit, each continuation after a prefix the view gives (its own guides).
 * Columns are counted as a terminal counts them: SGR colour sequences
 * take none, a wide (East Asian) character two, a combining mark none.
 * The views escape every byte a terminal would act on before it gets
 * here (shquote.c), so the only escape sequences are their colours.
 */
#include <stdlib.h>
#include <string.h>

#include "procwatch/utf8.h"
#include "view.h"

/*
 * What a continuation keeps at the least, however deep its guides: a
 * few words a line rather than one character.
 */
#define WRAP_ROOM_MIN 20

int
pw_line_open(struct pw_line *l)
{
	l->buf = NULL;
	l->size = 0;
	l->f = open_memstream(&l->buf, &l->size);
	return l->f ? 0 : -1;
}

const char *
pw_line_text(struct pw_line *l, size_t *len)
{
	long at;

	if (fflush(l->f) != 0 || (at = ftell(l->f)) < 0 || !l->buf) {
		*len = 0;
		return "";
	}
	*len = (size_t)at;
	return l->buf;
}

void
pw_line_clear(struct pw_line *l)
{
	rewind(l->f);
}

void
pw_line_close(struct pw_line *l)
{
	if (l->f)
		fclose(l->f);
	free(l->buf);
	l->f = NULL;
	l->buf = NULL;
}

/*
 * The ranges wcwidth() gives 2 (Unicode's East Asian Wide and Fullwidth,
 * the common emoji blocks), by code point: not wcwidth() itself, which
 * needs a UTF-8 locale procwatch does not set.
 */
static unsigned
cp_columns(unsigned cp)
{
	static const unsigned wide[][2] = {
		{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
		{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf },
		{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe30, 0xfe4f },
		{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f },
		{ 0x1f900, 0x1f9ff }, { 0x20000, 0x3fffd },
	};
	size_t i;

	if ((cp >= 0x300 && cp <= 0x36f) || cp == 0x200b || (cp >= 0xfe00 && cp <= 0xfe0f))
		return 0;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	return 1;
}

/* The code point of the n-byte valid UTF-8 sequence at s. */
static unsigned
cp_of(const unsigned char *s, size_t n)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	unsigned cp = s[0] & lead_mask[n];
	size_t i;

	for (i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

/*
 * The bytes at s[i] that make one thing on the screen: an SGR sequence
 * ("\033[...m", *cols 0), a character, or a stray byte (counted as one).
 */
static size_t
unit_len(const char *s, size_t len, size_t i, unsigned *cols)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t j, n;

	if (u[i] == 0x1b && i + 1 < len && u[i + 1] == '[') {
		for (j = i + 2; j < len && u[j] != 'm'; j++)
			;
		*cols = 0;
		return j < len ? j + 1 - i : len - i;
	}
	n = pw_utf8_seq_len(u + i, len - i);
	if (n == 0) {
		*cols = 1;
		return 1;
	}
	*cols = n == 1 ? 1 : cp_columns(cp_of(u + i, n));
	return n;
}

unsigned
pw_view_columns(const char *s, size_t len)
{
	unsigned total = 0, cols;
	size_t i, n;

	for (i = 0; i < len; i += n) {
		n = unit_len(s, len, i, &cols);
		total += cols;
	}
	return total;
}

/* Where one output line of a folded line ends, and the colour open there. */
struct cut {
	size_t end;		/* bytes of this piece */
	size_t next;		/* where the next piece starts (spaces skipped) */
	const char *sgr;	/* the colour open at end, to reopen after the fold */
	size_t sgr_len;
};

static bool
is_reset(const char *s, size_t n)
{
	return n == 4 && memcmp(s, "\033[0m", 4) == 0;
}

/*
 * Where a line is best folded, best first: between two fields ("  "),
 * after a comma (", "), at any space.  "cpu 965µs, peak 780 KiB" is
 * folded at the comma, not between 780 and KiB.  A better kind wins when
 * it fills enough of the line: half for a field, two thirds for a comma.
 */
enum { SPACE_FIELD, SPACE_COMMA, SPACE_ANY, SPACE_KINDS };

static int
space_kind(const char *s, size_t from, size_t i, size_t len)
{
	if (i + 1 < len && s[i + 1] == ' ')
		return SPACE_FIELD;
	if (i > from && s[i - 1] == ',')
		return SPACE_COMMA;
	return SPACE_ANY;
}

/* "5 → /etc/passwd", "fork → 4213": an arrow stays with both its ends. */
static bool
by_arrow(const char *s, size_t i, size_t len)
{
	static const char arrow[] = "→";
	size_t n = sizeof(arrow) - 1;

	return (i >= n && memcmp(s + i - n, arrow, n) == 0) ||
	       (i + 1 + n <= len && memcmp(s + i + 1, arrow, n) == 0);
}

/*
 * The longest piece of s[from..len) that fits room columns, cut at the
 * best kind of space that fills enough of room (else at the last space);
 * with none (one long word), cut at room.  *sgr is the
 * colour open at from, updated.
 */
static struct cut
find_cut(const char *s, size_t len, size_t from, unsigned room, const char **sgr,
	 size_t *sgr_len)
{
	struct cut c = { len, len, *sgr, *sgr_len }, at[SPACE_KINDS] = { { 0, 0, NULL, 0 } };
	unsigned col = 0, cols, at_col[SPACE_KINDS] = { 0 };
	size_t i = from, n;
	int k, best = -1;

	while (i < len) {
		n = unit_len(s, len, i, &cols);
		if (cols == 0 && n > 1) {
			*sgr = is_reset(s + i, n) ? NULL : s + i;
			*sgr_len = *sgr ? n : 0;
		} else if (col + cols > room) {
			break;
		} else if (s[i] == ' ' && i > from && s[i - 1] != ' ' && !by_arrow(s, i, len)) {
			k = space_kind(s, from, i, len);
			at[k] = (struct cut){ i, i, *sgr, *sgr_len };
			at_col[k] = col;
			if (best < 0 || at[best].end < i)
				best = k;
		}
		col += cols;
		i += n;
	}
	if (i >= len) {
		c.sgr = *sgr;
		c.sgr_len = *sgr_len;
		return c;
	}
	/* A comma's fold must fill more: "same pid, parent," is an early end. */
	for (k = 0; k < SPACE_KINDS; k++)
		if (at[k].end && at_col[k] >= (k == SPACE_FIELD ? room / 2 : room * 2 / 3)) {
			best = k;
			break;
		}
	/* Something on every line, so that the fold ends, however narrow. */
	if (i == from)
		i += unit_len(s, len, i, &cols);
	c = best < 0 ? (struct cut){ i, i, *sgr, *sgr_len } : at[best];
	while (c.next < len && s[c.next] == ' ')
		c.next++;
	return c;
}

/* One line (no newline in it) folded to width. */
static void
wrap_line(FILE *out, const char *s, size_t len, unsigned width, const char *cont,
	  size_t cont_len)
{
	unsigned cont_cols = pw_view_columns(cont, cont_len), room = width;
	const char *sgr = NULL;
	size_t from = 0, sgr_len = 0;
	struct cut c;

	for (;;) {
		c = find_cut(s, len, from, room, &sgr, &sgr_len);
		fwrite(s + from, 1, c.end - from, out);
		if (c.next >= len)
			break;
		/* The colour open at the fold would colour the guides: closed, then reopened. */
		if (c.sgr)
			fputs("\033[0m", out);
		putc('\n', out);
		fwrite(cont, 1, cont_len, out);
		if (c.sgr)
			fwrite(c.sgr, 1, c.sgr_len, out);
		sgr = c.sgr;
		sgr_len = c.sgr_len;
		from = c.next;
		room = width > cont_cols + WRAP_ROOM_MIN ? width - cont_cols : WRAP_ROOM_MIN;
	}
	putc('\n', out);
}

void
pw_view_wrap(FILE *out, const char *text, size_t len, unsigned width, const char *cont,
	     size_t cont_len)
{
	const char *nl;
	size_t n;

	for (;;) {
		nl = memchr(text, '\n', len);
		n = nl ? (size_t)(nl - text) : len;
		if (width == 0) {
			fwrite(text, 1, n, out);
			putc('\n', out);
		} else {
			wrap_line(out, text, n, width < WRAP_ROOM_MIN ? WRAP_ROOM_MIN : width,
				  cont, cont_len);
		}
		if (!nl)
			break;
		text += n + 1;
		len -= n + 1;
	}
}
