/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names for kernel constants: signals, errno values, CLONE_* flags, wait
 * options and waitid id types.  The tables live in src/event/xlat/ as
 * X-macro .def files, one constant per line with its uapi source noted.
 */
#ifndef PROCWATCH_XLAT_H
#define PROCWATCH_XLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pw_xlat {
	uint64_t val;
	const char *name;
};

/* "SIGSEGV"; NULL for a number without a name (real-time signals too). */
const char *pw_signal_name(int sig);
/* Fills buf with the name, "SIGRTMIN+3", or "SIG65"; returns buf. */
const char *pw_signal_format(int sig, char *buf, size_t size);
/*
 * The number pw_signal_format() wrote name for ("SIGTERM", "SIGRTMIN+3",
 * "SIG-3"); false for anything else.
 */
bool pw_signal_from_name(const char *name, int *sig);

/* "ENOENT"; NULL if unknown. */
const char *pw_errno_name(int err);
/* Number for "ENOENT"; 0 if unknown. */
int pw_errno_from_name(const char *name);
/* "ENOENT", or "E<n>" for a number without a name; returns buf or a constant. */
const char *pw_errno_format(int err, char *buf, size_t size);

/*
 * Flag sets: calls fn once per named bit that is set, in table order, then
 * once with name NULL and the remaining unknown bits if any are left.
 */
typedef void (*pw_flag_fn)(void *data, const char *name, uint64_t bits);
void pw_clone_flags_each(uint64_t flags, pw_flag_fn fn, void *data);
void pw_wait_options_each(uint64_t options, pw_flag_fn fn, void *data);
void pw_at_flags_each(uint64_t flags, pw_flag_fn fn, void *data);
/* Inverse for the replay reader: bit for "CLONE_VM"; 0 if unknown. */
uint64_t pw_clone_flag_from_name(const char *name);
uint64_t pw_wait_option_from_name(const char *name);
uint64_t pw_at_flag_from_name(const char *name);

/* "P_ALL", "P_PID", "P_PGID", "P_PIDFD"; NULL if unknown. */
const char *pw_idtype_name(int idtype);
int pw_idtype_from_name(const char *name);	/* -1 if unknown */

#endif
