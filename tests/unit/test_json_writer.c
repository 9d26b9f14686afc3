/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the streaming JSON writer: string escaping (every control
 * character, DEL, quotes, backslash), UTF-8 validation (multibyte kept,
 * overlongs, surrogates and out-of-range code points rejected), the
 * {"text","hex"} form for bytes that are not UTF-8, the HTML mode's
 * escapes, nesting and commas, integers and the fixed-point time.  Output goes to open_memstream and is
 * compared byte for byte, and parsed back with jansson where that proves
 * the output is valid JSON and loses nothing.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/json_writer.h"
#include "procwatch/utf8.h"

static char *buf;
static size_t buf_len;
static FILE *mem;
static struct pw_json w;

static void
setup(void)
{
	mem = open_memstream(&buf, &buf_len);
	cr_assert_not_null(mem);
	pw_json_init(&w, mem);
}

static void
teardown(void)
{
	fclose(mem);
	free(buf);
}

TestSuite(json_writer, .init = setup, .fini = teardown);

static const char *
output(void)
{
	fflush(mem);
	return buf;
}

/* What pw_json_bytes_len() writes for len bytes at s, as a top-level value. */
static const char *
bytes_out(const char *s, size_t len)
{
	pw_json_bytes_len(&w, s, len);
	cr_assert_eq(pw_json_error(&w), 0);
	return output();
}

#define BYTES_OUT(lit) bytes_out(lit, sizeof(lit) - 1)

Test(json_writer, quotes_and_backslash)
{
	cr_assert_str_eq(BYTES_OUT("a\"b\\c/d"), "\"a\\\"b\\\\c/d\"");
}

Test(json_writer, every_control_char_and_del)
{
	static const char *const short_forms[0x20] = {
		['\b'] = "\\b", ['\t'] = "\\t", ['\n'] = "\\n",
		['\f'] = "\\f", ['\r'] = "\\r",
	};
	char expect[16], in[1];
	int c;

	for (c = 0; c <= 0x7f; c++) {
		if (c >= 0x20 && c < 0x7f)
			continue;
		fseeko(mem, 0, SEEK_SET);
		pw_json_init(&w, mem);
		in[0] = (char)c;
		pw_json_bytes_len(&w, in, 1);
		fputc('\0', mem);	/* ends the string after a shorter rewrite */
		if (c < 0x20 && short_forms[c])
			snprintf(expect, sizeof(expect), "\"%s\"", short_forms[c]);
		else
			snprintf(expect, sizeof(expect), "\"\\u%04x\"", c);
		cr_assert_str_eq(output(), expect, "byte 0x%02x", c);
	}
}

/*
 * Each printable ASCII byte, at each place in an 8-byte word (the scan
 * for bytes to escape goes a word at a time), after a plain prefix and
 * before a multibyte character, in both modes: raw, but the quote, the
 * backslash and, for HTML, the markup bytes.
 */
Test(json_writer, every_printable_byte_in_both_modes)
{
	static const char text[] = "abcdefghijklmnopqrstuvwx";
	char expect[64], in[40], mid[8];
	int c, html;
	size_t pre, len;

	for (html = 0; html <= 1; html++) {
		for (pre = 0; pre < 17; pre++) {
			for (c = 0x20; c < 0x7f; c++) {
				fseeko(mem, 0, SEEK_SET);
				if (html)
					pw_json_init_html(&w, mem);
				else
					pw_json_init(&w, mem);
				len = (size_t)snprintf(in, sizeof(in), "%.*s%c%s\xc3\xa9", (int)pre,
						       text, c, text + pre);
				pw_json_bytes_len(&w, in, len);
				fputc('\0', mem);
				if (c == '"' || c == '\\')
					snprintf(mid, sizeof(mid), "\\%c", c);
				else if (html && strchr("<>&", c))
					snprintf(mid, sizeof(mid), "\\u%04x", c);
				else
					snprintf(mid, sizeof(mid), "%c", c);
				snprintf(expect, sizeof(expect), "\"%.*s%s%s\xc3\xa9\"", (int)pre, text,
					 mid, text + pre);
				cr_assert_str_eq(output(), expect, "byte 0x%02x after %zu, html %d",
						 c, pre, html);
			}
		}
	}
}

/*
 * pw_json_bytes_array gathers short plain values into batches: the same
 * bytes as one pw_json_bytes per element, across batch ends, with every
 * other kind of value in between, in both modes.
 */
Test(json_writer, bytes_array_same_as_one_by_one)
{
	static const char *const kinds[] = {
		"plain", "", "q\"b", "<&>", "\xff", "a\xe2\x80\x8b" "b", "\xc3\xa9", NULL,
	};
	struct pw_bytes v[2000];
	char *one = NULL, *long_arg = malloc(300);
	size_t n = sizeof(v) / sizeof(v[0]), one_len = 0;
	FILE *f;
	int html;

	cr_assert(long_arg);
	memset(long_arg, 'x', 300);
	for (size_t i = 0; i < n; i++) {
		const char *k = kinds[i % 8];

		v[i] = (struct pw_bytes){ .data = (char *)k, .len = k ? strlen(k) : 0 };
		if (i % 97 == 0)
			v[i] = (struct pw_bytes){ .data = long_arg, .len = 250 + i % 3 * 5 };
	}
	for (html = 0; html <= 1; html++) {
		f = open_memstream(&one, &one_len);
		cr_assert(f);
		if (html)
			pw_json_init_html(&w, f);
		else
			pw_json_init(&w, f);
		pw_json_array_begin(&w);
		for (size_t i = 0; i < n; i++)
			pw_json_bytes(&w, &v[i]);
		pw_json_array_end(&w);
		fclose(f);
		fseeko(mem, 0, SEEK_SET);
		if (html)
			pw_json_init_html(&w, mem);
		else
			pw_json_init(&w, mem);
		pw_json_bytes_array(&w, v, n);
		fputc('\0', mem);
		cr_assert_eq(pw_json_error(&w), 0);
		cr_assert_str_eq(output(), one, "html %d", html);
		free(one);
	}
	free(long_arg);
}

Test(json_writer, control_chars_round_trip_through_jansson)
{
	char in[0x21];
	json_error_t err;
	json_t *v;
	int c;

	for (c = 0; c < 0x20; c++)
		in[c] = (char)c;
	in[0x20] = 0x7f;
	pw_json_bytes_len(&w, in, sizeof(in));
	v = json_loads(output(), JSON_ALLOW_NUL | JSON_DECODE_ANY, &err);
	cr_assert_not_null(v, "%s", err.text);
	cr_assert(json_is_string(v));
	cr_assert_eq(json_string_length(v), sizeof(in));
	cr_assert_eq(memcmp(json_string_value(v), in, sizeof(in)), 0);
	json_decref(v);
}

Test(json_writer, valid_multibyte_kept_as_is)
{
	static const char *const ok[] = {
		"caf\xc3\xa9",			/* U+00E9 */
		"\xc2\xa0",			/* U+00A0, first 2-byte past the C1 controls */
		"\xe2\x82\xac",			/* U+20AC */
		"\xe0\xa0\x80",			/* U+0800, smallest 3-byte */
		"\xed\x9f\xbf",			/* U+D7FF, just below surrogates */
		"\xee\x80\x80",			/* U+E000, just above */
		"\xef\xbf\xbf",			/* U+FFFF */
		"\xf0\x90\x80\x80",		/* U+10000, smallest 4-byte */
		"\xf0\x9f\x98\x80",		/* U+1F600 */
		"\xf4\x8f\xbf\xbf",		/* U+10FFFF, the last */
	};
	char expect[32];
	size_t i;

	for (i = 0; i < PW_ARRAY_SIZE(ok); i++) {
		fseeko(mem, 0, SEEK_SET);
		pw_json_init(&w, mem);
		cr_assert(pw_utf8_valid(ok[i], strlen(ok[i])), "case %zu", i);
		pw_json_bytes_len(&w, ok[i], strlen(ok[i]));
		fputc('\0', mem);
		snprintf(expect, sizeof(expect), "\"%s\"", ok[i]);
		cr_assert_str_eq(output(), expect, "case %zu", i);
	}
}

/*
 * What a terminal would act on or hide (C1 controls, zero-width and
 * direction-changing characters) is written as \uXXXX: the same string to
 * a JSON reader, harmless to cat and a terminal.
 */
Test(json_writer, hidden_characters_are_escaped)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "\xc2\x80", "\"\\u0080\"" },
		{ "\xc2\x9b" "2J", "\"\\u009b2J\"" },
		{ "a\xe2\x80\x8b" "b", "\"a\\u200bb\"" },
		{ "\xe2\x80\x8f", "\"\\u200f\"" },
		{ "\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"" },
		{ "\xe2\x80\xae" "cba", "\"\\u202ecba\"" },
		{ "\xe2\x81\xa6\xe2\x81\xa9", "\"\\u2066\\u2069\"" },
		{ "\xef\xbb\xbf" "x", "\"\\ufeffx\"" },
		/* Neighbours are shown as they are. */
		{ "\xe2\x80\x8a\xe2\x80\x90\xe2\x80\xaf\xe2\x81\xaa\xef\xbb\xbe",
		  "\"\xe2\x80\x8a\xe2\x80\x90\xe2\x80\xaf\xe2\x81\xaa\xef\xbb\xbe\"" },
	};
	size_t i;

	for (i = 0; i < PW_ARRAY_SIZE(cases); i++) {
		fseeko(mem, 0, SEEK_SET);
		pw_json_init(&w, mem);
		pw_json_bytes_len(&w, cases[i].in, strlen(cases[i].in));
		fputc('\0', mem);
		cr_assert_str_eq(output(), cases[i].out, "case %zu", i);
	}
}

Test(json_writer, invalid_utf8_becomes_text_and_hex)
{
	cr_assert_str_eq(BYTES_OUT("a\xff" "b\xfe"),
			 "{\"text\":\"a\xef\xbf\xbd" "b\xef\xbf\xbd\",\"hex\":\"61ff62fe\"}");
}

Test(json_writer, invalid_bytes_escaped_in_text_too)
{
	cr_assert_str_eq(BYTES_OUT("\"\n\x80"),
			 "{\"text\":\"\\\"\\n\xef\xbf\xbd\",\"hex\":\"220a80\"}");
}

Test(json_writer, overlong_surrogate_and_out_of_range_are_invalid)
{
	static const char *const bad[] = {
		"\xc0\xaf",			/* overlong '/' */
		"\xc1\xbf",			/* overlong 0x7f */
		"\xe0\x80\xaf",			/* overlong '/', 3 bytes */
		"\xe0\x9f\xbf",			/* overlong U+07FF */
		"\xf0\x80\x80\xaf",		/* overlong '/', 4 bytes */
		"\xf0\x8f\xbf\xbf",		/* overlong U+FFFF */
		"\xed\xa0\x80",			/* U+D800 */
		"\xed\xbf\xbf",			/* U+DFFF */
		"\xed\xa0\xbd\xed\xb8\x80",	/* CESU-8 surrogate pair */
		"\xf4\x90\x80\x80",		/* U+110000 */
		"\xf5\x80\x80\x80",		/* lead byte beyond range */
		"\xff",
		"\x80",				/* lone continuation */
		"\xe2\x82",			/* truncated */
		"\xe2\x82" "a",			/* continuation missing */
	};
	size_t i;

	for (i = 0; i < PW_ARRAY_SIZE(bad); i++)
		cr_assert_not(pw_utf8_valid(bad[i], strlen(bad[i])), "case %zu", i);
	/* Each invalid byte is replaced on its own: three bytes, three U+FFFD. */
	cr_assert_str_eq(BYTES_OUT("\xed\xa0\x80"),
			 "{\"text\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\",\"hex\":\"eda080\"}");
}

Test(json_writer, overlong_written_as_object)
{
	cr_assert_str_eq(BYTES_OUT("/\xc0\xaf"),
			 "{\"text\":\"/\xef\xbf\xbd\xef\xbf\xbd\",\"hex\":\"2fc0af\"}");
}

/* Decodes lowercase hex; returns the byte count or -1. */
static ssize_t
unhex(const char *hex, char *out, size_t size)
{
	size_t n = strlen(hex), i;
	unsigned int byte;

	if (n % 2 || n / 2 > size)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return -1;
		out[i] = (char)byte;
	}
	return (ssize_t)(n / 2);
}

/* Pseudo-random byte strings: every output parses and gives back the bytes. */
Test(json_writer, random_bytes_round_trip)
{
	uint32_t seed = 12345;
	char in[24], back[24];
	json_error_t err;
	json_t *v;
	size_t len, i;
	int round;

	for (round = 0; round < 2000; round++) {
		len = (size_t)(round % (int)sizeof(in));
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			/* Mostly text with some high and control bytes. */
			if ((seed >> 16) % 5 == 0)
				in[i] = (char)((seed >> 8) & 0xff);
			else
				in[i] = (char)('a' + (seed >> 20) % 26);
		}
		fseeko(mem, 0, SEEK_SET);
		pw_json_init(&w, mem);
		pw_json_bytes_len(&w, in, len);
		fputc('\0', mem);
		v = json_loads(output(), JSON_ALLOW_NUL | JSON_DECODE_ANY |
			       JSON_REJECT_DUPLICATES, &err);
		cr_assert_not_null(v, "round %d: %s: %s", round, err.text, buf);
		if (json_is_string(v)) {
			cr_assert(pw_utf8_valid(in, len));
			cr_assert_eq(json_string_length(v), len);
			cr_assert_eq(memcmp(json_string_value(v), in, len), 0);
		} else {
			cr_assert_not(pw_utf8_valid(in, len));
			cr_assert_eq(json_object_size(v), 2);
			cr_assert(json_is_string(json_object_get(v, "text")));
			cr_assert_eq(unhex(json_string_value(json_object_get(v, "hex")),
					   back, sizeof(back)), (ssize_t)len);
			cr_assert_eq(memcmp(back, in, len), 0);
		}
		json_decref(v);
	}
}

/*
 * pw_json_init_html(): what could end an HTML <script> element, open a
 * comment or a tag, or end a line in old JavaScript is escaped in strings
 * and keys alike, and the JSON reads back the same; a plain writer leaves
 * the markup (the line separators are hidden characters, escaped by both).
 */
Test(json_writer, html_mode_escapes_markup_and_separators)
{
	static const char in[] = "</script><!--&\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9";
	json_error_t err;
	json_t *v;

	pw_json_init_html(&w, mem);
	pw_json_object_begin(&w);
	pw_json_key(&w, "<k>");
	pw_json_string(&w, in);
	pw_json_key(&w, "b");
	pw_json_bytes_len(&w, "<\xff>", 3);
	pw_json_object_end(&w);
	cr_assert_eq(pw_json_error(&w), 0);
	cr_assert_str_eq(output(),
		"{\"\\u003ck\\u003e\":\"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\\u2029\xc3\xa9\","
		"\"b\":{\"text\":\"\\u003c\xef\xbf\xbd\\u003e\",\"hex\":\"3cff3e\"}}");
	v = json_loads(buf, JSON_REJECT_DUPLICATES, &err);
	cr_assert_not_null(v, "%s", err.text);
	cr_assert_str_eq(json_string_value(json_object_get(v, "<k>")), in);
	json_decref(v);

	fseeko(mem, 0, SEEK_SET);
	pw_json_init(&w, mem);
	pw_json_string(&w, "<&>\xe2\x80\xa8");
	fputc('\0', mem);
	/* Markup stays; U+2028 is escaped anyway, as every hidden character is. */
	cr_assert_str_eq(output(), "\"<&>\\u2028\"");
}

/* In HTML mode no byte string, however made, leaves one of them raw. */
Test(json_writer, html_mode_leaves_no_markup_byte)
{
	uint32_t seed = 777;
	char in[16];
	size_t i;
	int round;

	for (round = 0; round < 4000; round++) {
		for (i = 0; i < sizeof(in); i++) {
			seed = seed * 1103515245u + 12345u;
			/* Often the bytes that matter, and pieces of U+2028. */
			in[i] = "<>&\xe2\x80\xa8\xa9" "a"[(seed >> 16) % 8];
			if ((seed >> 8) % 7 == 0)
				in[i] = (char)(seed >> 20);
		}
		fseeko(mem, 0, SEEK_SET);
		pw_json_init_html(&w, mem);
		pw_json_bytes_len(&w, in, sizeof(in));
		fputc('\0', mem);
		output();
		cr_assert_eq(strpbrk(buf, "<>&"), NULL, "round %d: %s", round, buf);
		cr_assert_null(strstr(buf, "\xe2\x80\xa8"), "round %d", round);
		cr_assert_null(strstr(buf, "\xe2\x80\xa9"), "round %d", round);
	}
}

Test(json_writer, unreadable_bytes_are_null)
{
	struct pw_bytes b = { .data = NULL, .err = EFAULT };

	pw_json_bytes(&w, &b);
	cr_assert_str_eq(output(), "null");
}

Test(json_writer, pw_bytes_uses_len)
{
	char data[] = "ab\0cd";
	struct pw_bytes b = { .data = data, .len = 5 };

	pw_json_bytes(&w, &b);
	cr_assert_eq(pw_json_error(&w), 0);
	cr_assert_str_eq(output(), "\"ab\\u0000cd\"");
}

Test(json_writer, string_replaces_invalid_bytes)
{
	pw_json_string(&w, "x\xffy");
	cr_assert_str_eq(output(), "\"x\xef\xbf\xbdy\"");
}

Test(json_writer, nesting_and_commas)
{
	pw_json_object_begin(&w);
	pw_json_key(&w, "a");
	pw_json_array_begin(&w);
	pw_json_int(&w, 1);
	pw_json_int(&w, 2);
	pw_json_object_begin(&w);
	pw_json_key(&w, "b");
	pw_json_null(&w);
	pw_json_object_end(&w);
	pw_json_array_begin(&w);
	pw_json_array_end(&w);
	pw_json_array_end(&w);
	pw_json_key(&w, "c");
	pw_json_bool(&w, true);
	pw_json_key(&w, "d");
	pw_json_object_begin(&w);
	pw_json_object_end(&w);
	pw_json_key(&w, "e\"");
	pw_json_bool(&w, false);
	pw_json_object_end(&w);
	pw_json_newline(&w);
	cr_assert_eq(pw_json_error(&w), 0);
	cr_assert_str_eq(output(),
			 "{\"a\":[1,2,{\"b\":null},[]],\"c\":true,\"d\":{},\"e\\\"\":false}\n");
}

Test(json_writer, lines_restart_after_init)
{
	int i;

	for (i = 0; i < 2; i++) {
		pw_json_init(&w, mem);
		pw_json_object_begin(&w);
		pw_json_key(&w, "i");
		pw_json_int(&w, i);
		pw_json_object_end(&w);
		pw_json_newline(&w);
	}
	cr_assert_str_eq(output(), "{\"i\":0}\n{\"i\":1}\n");
}

Test(json_writer, integers)
{
	pw_json_array_begin(&w);
	pw_json_int(&w, 0);
	pw_json_int(&w, -1);
	pw_json_int(&w, 42);
	pw_json_int(&w, INT64_MAX);
	pw_json_int(&w, INT64_MIN);
	pw_json_uint(&w, 0);
	pw_json_uint(&w, UINT64_MAX);
	pw_json_array_end(&w);
	cr_assert_str_eq(output(),
			 "[0,-1,42,9223372036854775807,-9223372036854775808,"
			 "0,18446744073709551615]");
}

Test(json_writer, time_has_six_decimals)
{
	pw_json_array_begin(&w);
	pw_json_time_us(&w, 0);
	pw_json_time_us(&w, 1);
	pw_json_time_us(&w, 345);
	pw_json_time_us(&w, 999999);
	pw_json_time_us(&w, 1000000);
	pw_json_time_us(&w, 12000345);
	pw_json_time_us(&w, 86400123456);
	pw_json_time_us(&w, UINT64_MAX);
	pw_json_array_end(&w);
	cr_assert_str_eq(output(),
			 "[0.000000,0.000001,0.000345,0.999999,1.000000,12.000345,"
			 "86400.123456,18446744073709.551615]");
}

Test(json_writer, value_without_key_is_misuse)
{
	pw_json_object_begin(&w);
	pw_json_int(&w, 1);
	cr_assert_eq(pw_json_error(&w), -EINVAL);
}

Test(json_writer, key_outside_object_is_misuse)
{
	pw_json_array_begin(&w);
	pw_json_key(&w, "k");
	cr_assert_eq(pw_json_error(&w), -EINVAL);
}

Test(json_writer, unbalanced_end_is_misuse)
{
	pw_json_array_begin(&w);
	pw_json_object_end(&w);
	cr_assert_eq(pw_json_error(&w), -EINVAL);
}

Test(json_writer, newline_inside_container_is_misuse)
{
	pw_json_object_begin(&w);
	pw_json_newline(&w);
	cr_assert_eq(pw_json_error(&w), -EINVAL);
}

Test(json_writer, depth_limit)
{
	int i;

	for (i = 0; i < PW_JSON_MAX_DEPTH; i++)
		pw_json_array_begin(&w);
	cr_assert_eq(pw_json_error(&w), 0);
	pw_json_array_begin(&w);
	cr_assert_eq(pw_json_error(&w), -EINVAL);
}

Test(json_writer, write_error_is_reported)
{
	FILE *ro = fopen("/dev/null", "r");
	struct pw_json rw;

	cr_assert_not_null(ro);
	pw_json_init(&rw, ro);
	pw_json_string(&rw, "x");
	fflush(ro);
	cr_assert_lt(pw_json_error(&rw), 0);
	fclose(ro);
}
