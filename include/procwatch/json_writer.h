/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small streaming JSON writer onto a FILE *.  It keeps a fixed nesting
 * stack inside struct pw_json and places commas and colons itself, so the
 * caller only says what comes next.  It never allocates and builds no tree:
 * the JSON Lines sink calls it for every event on the tracer's hot path.
 *
 * Byte strings (argv elements, paths: any byte but NUL may occur) are
 * written with pw_json_bytes(), which uses this scheme (the trace format's
 * documented one; the man page repeats it):
 *
 *  - If the bytes are valid UTF-8 (no overlong forms, no surrogates
 *    U+D800..U+DFFF, nothing above U+10FFFF) they are written as a plain
 *    JSON string.  '"' and '\' are escaped, and so is every control
 *    character below 0x20 and 0x7f: as \b \t \n \f \r where JSON has a
 *    short form, as \u00XX (lowercase hex, e.g. \u001b, \u007f) otherwise.
 *    All other characters, multibyte ones included, are copied as they are.
 *
 *  - Otherwise they are written as an object
 *        {"text": "<...>", "hex": "<...>"}
 *    where "text" is the string with each byte that is not part of a valid
 *    UTF-8 sequence replaced by U+FFFD (escaped as above), for display, and
 *    "hex" is every byte of the original as two lowercase hex digits, so
 *    the exact bytes can always be recovered.
 *
 *  - Bytes that could not be read from the tracee (struct pw_bytes with
 *    data == NULL) are written as null.
 *
 * Either way the output is valid JSON and valid UTF-8.
 *
 * A writer started with pw_json_init_html() also escapes, in every string
 * and key, '<', '>' and '&' as \u003c, \u003e and \u0026, and U+2028 and
 * U+2029 as \u2028 and \u2029: the same JSON, which can then sit inside an
 * HTML <script> element, since no string can hold "</script" or "<!--"
 * (the HTML report's data; such characters occur only inside strings).
 *
 * Errors: the first failed write is remembered (pw_json_error() returns
 * -errno); a misuse such as a value without a key inside an object, an
 * unbalanced end or nesting deeper than PW_JSON_MAX_DEPTH is remembered as
 * -EINVAL.  Writing goes on after an error, so callers check once per line.
 */
#ifndef PROCWATCH_JSON_WRITER_H
#define PROCWATCH_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "procwatch/event.h"

#define PW_JSON_MAX_DEPTH 16

struct pw_json {
	FILE *out;
	int err;		/* first positive errno from a write, or EINVAL on misuse */
	unsigned depth;		/* containers open */
	bool key_pending;	/* a key was written; its value comes next */
	bool html;		/* pw_json_init_html(): escape for an HTML <script> */
	/* Per open container: object or array, and whether it has members yet. */
	uint8_t stack[PW_JSON_MAX_DEPTH];
};

/* Starts a writer on out; also resets one for the next line. */
void pw_json_init(struct pw_json *w, FILE *out);
/* Starts a writer whose JSON can sit inside an HTML <script> element (above). */
void pw_json_init_html(struct pw_json *w, FILE *out);
/* Writes len bytes of s as they are, around the JSON (a document it is in). */
void pw_json_raw(struct pw_json *w, const char *s, size_t len);
/* 0, or -errno for the first failure since pw_json_init(). */
int pw_json_error(const struct pw_json *w);

void pw_json_object_begin(struct pw_json *w);
void pw_json_object_end(struct pw_json *w);
void pw_json_array_begin(struct pw_json *w);
void pw_json_array_end(struct pw_json *w);
/* Ends a top-level value with "\n" (JSON Lines); all containers must be closed. */
void pw_json_newline(struct pw_json *w);

/* A member name; key is trusted, NUL-terminated UTF-8 (escaped all the same). */
void pw_json_key(struct pw_json *w, const char *key);

/*
 * A JSON string from NUL-terminated text of our own (names, versions).
 * Bytes that are not valid UTF-8 become U+FFFD: it is always one string.
 */
void pw_json_string(struct pw_json *w, const char *s);
void pw_json_string_len(struct pw_json *w, const char *s, size_t len);
/* Any bytes, with the scheme above: a string, or {"text","hex"}. */
void pw_json_bytes_len(struct pw_json *w, const char *s, size_t len);
/* A struct pw_bytes: as pw_json_bytes_len(), or null when data is NULL. */
void pw_json_bytes(struct pw_json *w, const struct pw_bytes *b);
/* An array of n of them (an argv, an environment): as many pw_json_bytes(). */
void pw_json_bytes_array(struct pw_json *w, const struct pw_bytes *v, size_t n);
/* A C string of such bytes (a symbol, an interned path), or null for NULL. */
void pw_json_bytes_cstr(struct pw_json *w, const char *s);

void pw_json_int(struct pw_json *w, int64_t v);
/* A key and its value in one call: the common case of an object member. */
void pw_json_key_string(struct pw_json *w, const char *key, const char *s);
void pw_json_key_int(struct pw_json *w, const char *key, int64_t v);
void pw_json_key_bool(struct pw_json *w, const char *key, bool v);
void pw_json_uint(struct pw_json *w, uint64_t v);
void pw_json_bool(struct pw_json *w, bool v);
void pw_json_null(struct pw_json *w);
/* Seconds with exactly six decimals from microseconds: 12000345 -> 12.000345 */
void pw_json_time_us(struct pw_json *w, uint64_t us);

#endif
