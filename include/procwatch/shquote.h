/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shell quoting for what the timeline and tree show of argv: a word that
 * pastes back into bash or zsh as the same bytes, and never puts a control
 * byte, an invalid UTF-8 sequence or a bidirectional override on the
 * terminal.
 */
#ifndef PROCWATCH_SHQUOTE_H
#define PROCWATCH_SHQUOTE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Writes s as one shell word: bare when every byte is safe unquoted,
 * 'single-quoted' when it is printable, else $'...' with \xNN escapes.
 */
void pw_shquote(FILE *out, const char *s, size_t len);
/*
 * Writes s as plain text for a line of the views: printable characters as
 * they are, a backslash as \\, anything else (controls, invalid UTF-8,
 * bidirectional overrides) as \xNN.
 */
void pw_text_escaped(FILE *out, const char *s, size_t len);
/* pw_text_escaped into buf (cut to size), for a name inside a message. */
const char *pw_text_escape(char *buf, size_t size, const char *s, size_t len);

#endif
