/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One-line, plain-English explanations for --explain, written for a
 * classroom: what each clone flag shares or changes, what a kind of spawn
 * amounts to, what an exec keeps and resets, what a wait status means.
 * Pure data and formatting; the timeline decides where they go.
 */
#ifndef PROCWATCH_EXPLAIN_H
#define PROCWATCH_EXPLAIN_H

#include <stddef.h>

#include "procwatch/event.h"

/* "CLONE_VM" -> "CLONE_VM: shares the parent's memory; ..."; NULL if unknown. */
const char *pw_explain_clone_flag(const char *name);
/* What fork, vfork, posix_spawn, thread, clone amount to. */
const char *pw_explain_spawn_kind(enum pw_spawn_kind kind);
/*
 * What a spawn's exit signal (the "|SIGCHLD" in its flags) means, into buf;
 * returns buf, or NULL for a thread, which sends none and needs no line.
 */
const char *pw_explain_exit_signal(const struct pw_spawn *sp, char *buf, size_t size);
/* What every successful exec keeps and what it resets (several lines). */
const char *const *pw_explain_exec(void);
/* What attaching to a running process (-p) means for what is seen. */
const char *pw_explain_attach(void);
/* What execveat's AT_EXECVE_CHECK asks. */
const char *pw_explain_exec_check(void);
/* What a wait or exit status means, into buf; returns buf. */
const char *pw_explain_status(const struct pw_status *st, char *buf, size_t size);

#endif
