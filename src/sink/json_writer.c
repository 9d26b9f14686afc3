/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The streaming JSON writer behind the JSON Lines sink: containers, keys,
 * strings, integers, booleans, null and the fixed-point trace time, written
 * straight to a FILE * with commas placed from a small nesting stack.  The
 * byte-string scheme (plain string if valid UTF-8, else {"text","hex"}) is
 * described in procwatch/json_writer.h.  It does not allocate, does not
 * buffer beyond stdio, does not pretty-print and does not read JSON: the
 * replay reader uses jansson for that.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "procwatch/json_writer.h"
#include "procwatch/utf8.h"

enum {
	CT_OBJECT = 1,		/* else an array */
	CT_NONEMPTY = 2,	/* a member was written: the next needs a comma */
};

/* U+FFFD REPLACEMENT CHARACTER in UTF-8, for bytes that are not UTF-8. */
static const char replacement[] = "\xef\xbf\xbd";
static const char hexdigits[] = "0123456789abcdef";

/* Keeps the first error only: later ones are usually its consequences. */
static void
note_error(struct pw_json *w, int err)
{
	if (!w->err)
		w->err = err > 0 ? err : EIO;
}

/*
 * The unlocked stdio calls: a writer's FILE is written by one thread, and
 * an argv of 20000 strings is 60000 calls here.
 */
static void
put_raw(struct pw_json *w, const void *s, size_t len)
{
	if (len && fwrite_unlocked(s, 1, len, w->out) != len)
		note_error(w, errno);
}

static void
put_char(struct pw_json *w, char c)
{
	if (putc_unlocked(c, w->out) == EOF)
		note_error(w, errno);
}

void
pw_json_init(struct pw_json *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

void
pw_json_init_html(struct pw_json *w, FILE *out)
{
	pw_json_init(w, out);
	w->html = true;
}

void
pw_json_raw(struct pw_json *w, const char *s, size_t len)
{
	put_raw(w, s, len);
}

int
pw_json_error(const struct pw_json *w)
{
	if (w->err)
		return -w->err;
	return ferror(w->out) ? -EIO : 0;
}

/*
 * Every value goes through here first: inside an object it must follow a
 * key (which already wrote the comma); inside an array it needs a comma
 * unless it is the first element.
 */
static bool
value_needs_comma(struct pw_json *w)
{
	uint8_t *top;
	bool comma;

	if (w->depth == 0)
		return false;
	top = &w->stack[w->depth - 1];
	if (*top & CT_OBJECT) {
		if (!w->key_pending)
			note_error(w, EINVAL);
		w->key_pending = false;
		return false;
	}
	comma = *top & CT_NONEMPTY;
	*top |= CT_NONEMPTY;
	return comma;
}

static void
begin_value(struct pw_json *w)
{
	if (value_needs_comma(w))
		put_char(w, ',');
}

static void
container_begin(struct pw_json *w, uint8_t type, char open)
{
	begin_value(w);
	if (w->depth == PW_JSON_MAX_DEPTH) {
		note_error(w, EINVAL);
		return;
	}
	w->stack[w->depth++] = type;
	put_char(w, open);
}

static void
container_end(struct pw_json *w, uint8_t type, char close)
{
	if (w->depth == 0 || (w->stack[w->depth - 1] & CT_OBJECT) != type ||
	    w->key_pending) {
		note_error(w, EINVAL);
		return;
	}
	w->depth--;
	put_char(w, close);
}

void
pw_json_object_begin(struct pw_json *w)
{
	container_begin(w, CT_OBJECT, '{');
}

void
pw_json_object_end(struct pw_json *w)
{
	container_end(w, CT_OBJECT, '}');
}

void
pw_json_array_begin(struct pw_json *w)
{
	container_begin(w, 0, '[');
}

void
pw_json_array_end(struct pw_json *w)
{
	container_end(w, 0, ']');
}

void
pw_json_newline(struct pw_json *w)
{
	if (w->depth != 0 || w->key_pending)
		note_error(w, EINVAL);
	put_char(w, '\n');
}

/* The escape for one ASCII byte that JSON (or we) will not take raw. */
static void
put_escape(struct pw_json *w, unsigned char c)
{
	char buf[6] = { '\\', 'u', '0', '0', 0, 0 };

	switch (c) {
	case '"':  put_raw(w, "\\\"", 2); return;
	case '\\': put_raw(w, "\\\\", 2); return;
	case '\b': put_raw(w, "\\b", 2); return;
	case '\t': put_raw(w, "\\t", 2); return;
	case '\n': put_raw(w, "\\n", 2); return;
	case '\f': put_raw(w, "\\f", 2); return;
	case '\r': put_raw(w, "\\r", 2); return;
	default:
		break;
	}
	buf[4] = hexdigits[c >> 4];
	buf[5] = hexdigits[c & 0xf];
	put_raw(w, buf, sizeof(buf));
}

/*
 * The bytes written as they are: printable ASCII but the quote and the
 * backslash, and for pw_json_init_html() the ASCII that could start
 * markup.  A table, since most strings are nothing else.
 */
#define PLAIN_JSON 1
#define PLAIN_HTML 2
#define PLAIN_BOTH (PLAIN_JSON | PLAIN_HTML)

static const uint8_t plain[256] = {
	[' '] = PLAIN_BOTH, ['!'] = PLAIN_BOTH,		/* '"' is not */
	['#' ... '%'] = PLAIN_BOTH, ['&'] = PLAIN_JSON,
	['\'' ... ';'] = PLAIN_BOTH, ['<'] = PLAIN_JSON,
	['='] = PLAIN_BOTH, ['>'] = PLAIN_JSON,
	['?' ... '['] = PLAIN_BOTH,			/* '\\' is not */
	[']' ... '~'] = PLAIN_BOTH,
};

/*
 * Whether the 8 bytes in v may hold one that is not PLAIN_JSON: below
 * 0x20 (subtracting 0x20 borrows into a clear top bit), 0x7f or above
 * (adding 1 sets a top bit), a quote or a backslash (a zero byte once
 * xor'ed with it).  Never false for such a word; the table decides.
 */
static bool
word_maybe_special(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ull, tops = 0x8080808080808080ull;
	uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');

	return (((v - ones * 0x20) & ~v) | ((v + ones) | v) |
		((q - ones) & ~q) | ((b - ones) & ~b)) & tops;
}

/* How many bytes from s on are written as they are. */
static size_t
plain_run(const struct pw_json *w, const unsigned char *s, size_t len)
{
	const uint8_t want = w->html ? PLAIN_HTML : PLAIN_JSON;
	size_t i = 0;
	uint64_t v;

	for (; !w->html && i + 8 <= len; i += 8) {
		memcpy(&v, s + i, 8);
		if (word_maybe_special(v))
			break;
	}
	if (!w->html && i + 8 > len && i < len) {
		/* The last bytes, in a word of plain ones: most arguments end here. */
		v = 0x2020202020202020ull;
		memcpy(&v, s + i, len - i);
		if (!word_maybe_special(v))
			return len;
	}
	while (i < len && (plain[s[i]] & want))
		i++;
	return i;
}

/*
 * \uXXXX for a code point of the Basic Multilingual Plane.  The hidden
 * characters include U+2028 and U+2029, which end a line in JavaScript:
 * pw_json_init_html() needs them escaped too.
 */
static void
put_code_point(struct pw_json *w, uint32_t cp)
{
	char buf[6] = { '\\', 'u', hexdigits[cp >> 12 & 0xf], hexdigits[cp >> 8 & 0xf],
			hexdigits[cp >> 4 & 0xf], hexdigits[cp & 0xf] };

	put_raw(w, buf, sizeof(buf));
}

/*
 * The quoted string, escaped, with each byte that is not part of a valid
 * UTF-8 sequence replaced by U+FFFD and each hidden character (invisible
 * or direction-changing: pw_utf8_hidden) written as a \uXXXX escape.  Runs
 * of bytes that need nothing are written with one fwrite: most argv
 * strings are a single run.
 */
static void
put_string_after(struct pw_json *w, const char *str, size_t len, size_t run)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = run, start = 0, n;
	unsigned char c;

	put_char(w, '"');
	while (i < len) {
		c = s[i];
		n = 0;
		if (plain[c] & (w->html ? PLAIN_HTML : PLAIN_JSON)) {
			i++;
			continue;
		}
		if (c >= 0x80 && (n = pw_utf8_seq_len(s + i, len - i)) != 0 &&
		    !pw_utf8_hidden(pw_utf8_code_point(s + i, n))) {
			i += n;
			continue;
		}
		put_raw(w, s + start, i - start);
		if (c >= 0x80 && n) {
			/* The same character, as \uXXXX: jq or cat shows it harmless. */
			put_code_point(w, pw_utf8_code_point(s + i, n));
			i += n - 1;
		} else if (c >= 0x80) {
			put_raw(w, replacement, sizeof(replacement) - 1);
		} else {
			put_escape(w, c);
		}
		start = ++i;
	}
	put_raw(w, s + start, i - start);
	put_char(w, '"');
}

static void
put_string(struct pw_json *w, const char *str, size_t len)
{
	put_string_after(w, str, len, plain_run(w, (const unsigned char *)str, len));
}

static void
put_hex(struct pw_json *w, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	char buf[128];
	size_t i, n = 0;

	put_char(w, '"');
	for (i = 0; i < len; i++) {
		buf[n++] = hexdigits[s[i] >> 4];
		buf[n++] = hexdigits[s[i] & 0xf];
		if (n == sizeof(buf)) {
			put_raw(w, buf, n);
			n = 0;
		}
	}
	put_raw(w, buf, n);
	put_char(w, '"');
}

void
pw_json_key(struct pw_json *w, const char *key)
{
	uint8_t *top;

	if (w->depth == 0 || !(w->stack[w->depth - 1] & CT_OBJECT) ||
	    w->key_pending) {
		note_error(w, EINVAL);
		return;
	}
	top = &w->stack[w->depth - 1];
	if (*top & CT_NONEMPTY)
		put_char(w, ',');
	*top |= CT_NONEMPTY;
	put_string(w, key, strlen(key));
	put_char(w, ':');
	w->key_pending = true;
}

void
pw_json_string(struct pw_json *w, const char *s)
{
	pw_json_string_len(w, s, strlen(s));
}

void
pw_json_string_len(struct pw_json *w, const char *s, size_t len)
{
	begin_value(w);
	put_string(w, s, len);
}

/*
 * A short string that needs no escape, with its comma and quotes, in one
 * write: most arguments, tens of thousands in an argv.
 */
#define PLAIN_SHORT 256

/* Puts such a value, with its comma, at out (len + 3 bytes at most); returns its length. */
static size_t
plain_value_at(struct pw_json *w, char *out, const char *s, size_t len)
{
	size_t n = 0;

	if (value_needs_comma(w))
		out[n++] = ',';
	out[n++] = '"';
	memcpy(out + n, s, len);
	n += len;
	out[n++] = '"';
	return n;
}

static void
put_plain_value(struct pw_json *w, const char *s, size_t len)
{
	char buf[PLAIN_SHORT + 3];

	put_raw(w, buf, plain_value_at(w, buf, s, len));
}

/*
 * An ASCII prefix ends on a character boundary, so the bytes are UTF-8
 * when what follows it is: the common argument is checked once, by the
 * scan that finds it needs no escape.
 */
void
pw_json_bytes_len(struct pw_json *w, const char *s, size_t len)
{
	size_t run = plain_run(w, (const unsigned char *)s, len);

	if (run == len && len <= PLAIN_SHORT) {
		put_plain_value(w, s, len);
		return;
	}
	if (run == len || pw_utf8_valid(s + run, len - run)) {
		begin_value(w);
		put_string_after(w, s, len, run);
		return;
	}
	pw_json_object_begin(w);
	pw_json_key(w, "text");
	pw_json_string_len(w, s, len);
	pw_json_key(w, "hex");
	begin_value(w);
	put_hex(w, s, len);
	pw_json_object_end(w);
}

void
pw_json_bytes(struct pw_json *w, const struct pw_bytes *b)
{
	if (!b->data)
		pw_json_null(w);
	else
		pw_json_bytes_len(w, b->data, b->len);
}

/* Short values that need no escape, gathered to be written at once. */
struct plain_batch {
	char buf[4096];
	size_t used;
};

static void
batch_flush(struct pw_json *w, struct plain_batch *b)
{
	put_raw(w, b->buf, b->used);
	b->used = 0;
}

/* Adds el to the batch if it is such a value; false otherwise. */
static bool
batch_add(struct pw_json *w, struct plain_batch *b, const struct pw_bytes *el)
{
	if (!el->data || el->len > PLAIN_SHORT ||
	    plain_run(w, (const unsigned char *)el->data, el->len) != el->len)
		return false;
	if (b->used + el->len + 3 > sizeof(b->buf))
		batch_flush(w, b);
	b->used += plain_value_at(w, b->buf + b->used, el->data, el->len);
	return true;
}

/*
 * An argv of 20000 arguments is 20000 values: most are written a batch
 * at a time, the rest one by one in their place.
 */
void
pw_json_bytes_array(struct pw_json *w, const struct pw_bytes *v, size_t n)
{
	struct plain_batch b;

	b.used = 0;
	pw_json_array_begin(w);
	for (size_t i = 0; i < n; i++) {
		if (batch_add(w, &b, &v[i]))
			continue;
		batch_flush(w, &b);
		pw_json_bytes(w, &v[i]);
	}
	batch_flush(w, &b);
	pw_json_array_end(w);
}

void
pw_json_bytes_cstr(struct pw_json *w, const char *s)
{
	if (!s)
		pw_json_null(w);
	else
		pw_json_bytes_len(w, s, strlen(s));
}

/* Decimal digits of v, written backwards ending at end; returns the start. */
static char *
format_u64(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void
pw_json_uint(struct pw_json *w, uint64_t v)
{
	char buf[24];
	char *p = format_u64(buf + sizeof(buf), v);

	begin_value(w);
	put_raw(w, p, (size_t)(buf + sizeof(buf) - p));
}

void
pw_json_int(struct pw_json *w, int64_t v)
{
	char buf[24];
	/* Negating in uint64_t is defined for INT64_MIN too. */
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char *p = format_u64(buf + sizeof(buf), mag);

	if (v < 0)
		*--p = '-';
	begin_value(w);
	put_raw(w, p, (size_t)(buf + sizeof(buf) - p));
}

void
pw_json_time_us(struct pw_json *w, uint64_t us)
{
	char buf[32];
	char *end = buf + sizeof(buf);
	char *p = format_u64(end, us % 1000000);

	/* Pad the fraction to exactly six digits, then the whole seconds. */
	while (p > end - 6)
		*--p = '0';
	*--p = '.';
	p = format_u64(p, us / 1000000);
	begin_value(w);
	put_raw(w, p, (size_t)(end - p));
}

void
pw_json_bool(struct pw_json *w, bool v)
{
	begin_value(w);
	if (v)
		put_raw(w, "true", 4);
	else
		put_raw(w, "false", 5);
}

void
pw_json_null(struct pw_json *w)
{
	begin_value(w);
	put_raw(w, "null", 4);
}

void
pw_json_key_string(struct pw_json *w, const char *key, const char *s)
{
	pw_json_key(w, key);
	pw_json_string(w, s);
}

void
pw_json_key_int(struct pw_json *w, const char *key, int64_t v)
{
	pw_json_key(w, key);
	pw_json_int(w, v);
}

void
pw_json_key_bool(struct pw_json *w, const char *key, bool v)
{
	pw_json_key(w, key);
	pw_json_bool(w, v);
}
