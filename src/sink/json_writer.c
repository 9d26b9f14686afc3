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

static void
put_raw(struct pw_json *w, const void *s, size_t len)
{
	if (len && fwrite(s, 1, len, w->out) != len)
		note_error(w, errno);
}

static void
put_char(struct pw_json *w, char c)
{
	if (putc(c, w->out) == EOF)
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
static void
begin_value(struct pw_json *w)
{
	uint8_t *top;

	if (w->depth == 0)
		return;
	top = &w->stack[w->depth - 1];
	if (*top & CT_OBJECT) {
		if (!w->key_pending)
			note_error(w, EINVAL);
		w->key_pending = false;
		return;
	}
	if (*top & CT_NONEMPTY)
		put_char(w, ',');
	*top |= CT_NONEMPTY;
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

/* For pw_json_init_html(): an ASCII byte that could start markup. */
static bool
html_special(unsigned char c)
{
	return c == '<' || c == '>' || c == '&';
}

/* For pw_json_init_html(): U+2028 or U+2029 (E2 80 A8, E2 80 A9) at s. */
static bool
html_separator(const unsigned char *s, size_t n)
{
	return n == 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9);
}

/*
 * The quoted string, escaped, with each byte that is not part of a valid
 * UTF-8 sequence replaced by U+FFFD.  Runs of bytes that need nothing are
 * written with one fwrite: most argv strings are a single run.
 */
static void
put_string(struct pw_json *w, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	const bool html = w->html;
	size_t i = 0, start = 0, n;
	unsigned char c;

	put_char(w, '"');
	while (i < len) {
		c = s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && !(html && html_special(c))) {
			i++;
			continue;
		}
		if (c >= 0x80 && (n = pw_utf8_seq_len(s + i, len - i)) != 0) {
			if (!html || !html_separator(s + i, n)) {
				i += n;
				continue;
			}
			put_raw(w, s + start, i - start);
			put_raw(w, s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
			start = i += n;
			continue;
		}
		put_raw(w, s + start, i - start);
		if (c >= 0x80)
			put_raw(w, replacement, sizeof(replacement) - 1);
		else
			put_escape(w, c);
		start = ++i;
	}
	put_raw(w, s + start, i - start);
	put_char(w, '"');
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

void
pw_json_bytes_len(struct pw_json *w, const char *s, size_t len)
{
	if (pw_utf8_valid(s, len)) {
		pw_json_string_len(w, s, len);
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
