/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UTF-8 (RFC 3629): valid sequences only, no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF.  src/base/utf8.c.
 */
#ifndef PROCWATCH_UTF8_H
#define PROCWATCH_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True if len bytes at s are valid UTF-8. */
bool pw_utf8_valid(const char *s, size_t len);
/*
 * Length of the valid UTF-8 sequence starting at s (1..4), or 0 if the byte
 * at s does not start one within len bytes.  len must be at least 1.
 */
size_t pw_utf8_seq_len(const unsigned char *s, size_t len);
/* The code point of the valid n-byte sequence at s (n from pw_utf8_seq_len). */
uint32_t pw_utf8_code_point(const unsigned char *s, size_t n);
/*
 * True for a code point that must not reach a terminal raw: a C1 control,
 * or an invisible or direction-changing format character.  Every view
 * escapes them, on a terminal or not (procwatch(1), Traces from elsewhere).
 */
bool pw_utf8_hidden(uint32_t cp);

#endif
