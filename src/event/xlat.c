/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names for kernel constants (signals, errno values, CLONE_* flags, wait
 * options, execveat flags, waitid id types), built from the X-macro tables in the xlat
 * directory's .def files.  Lookups by number index small arrays; lookups
 * by name (only the replay reader needs them) scan the tables.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/xlat.h"
#include "procwatch/linux_compat.h"

/* Kernel numbering, not glibc's SIGRTMIN (34: glibc keeps two for itself). */
#define PW_SIGRTMIN 32
#define PW_SIGRTMAX 64

#define PW_XLAT(name) [name] = #name,
static const char *const signal_names[PW_SIGRTMIN] = {
#include "xlat/signals.def"
};

static const char *const errno_names[ERESTART_RESTARTBLOCK + 1] = {
#include "xlat/errnos.def"
};
#undef PW_XLAT

#define PW_XLAT(name) { (uint64_t)(name), #name },
static const struct pw_xlat clone_flags[] = {
#include "xlat/clone_flags.def"
};

static const struct pw_xlat wait_options[] = {
#include "xlat/wait_options.def"
};

static const struct pw_xlat at_flags[] = {
#include "xlat/at_flags.def"
};
#undef PW_XLAT

#define PW_XLAT_V(name, value) { value, #name },
static const struct pw_xlat idtypes[] = {
#include "xlat/idtypes.def"
};
#undef PW_XLAT_V

static int
index_of_name(const char *const *names, size_t n, const char *name)
{
	if (!name)
		return 0;
	for (size_t i = 1; i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return 0;
}

static const struct pw_xlat *
xlat_by_name(const struct pw_xlat *x, size_t n, const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(x[i].name, name) == 0)
			return &x[i];
	return NULL;
}

/*
 * Calls fn for each named bit of flags in table order, then once for the
 * bits no entry names.
 */
static void
flags_each(const struct pw_xlat *x, size_t n, uint64_t flags,
	   pw_flag_fn fn, void *data)
{
	for (size_t i = 0; i < n; i++) {
		if (!(flags & x[i].val))
			continue;
		fn(data, x[i].name, x[i].val);
		flags &= ~x[i].val;
	}
	if (flags)
		fn(data, NULL, flags);
}

const char *
pw_signal_name(int sig)
{
	if (sig <= 0 || sig >= (int)PW_ARRAY_SIZE(signal_names))
		return NULL;
	return signal_names[sig];
}

const char *
pw_signal_format(int sig, char *buf, size_t size)
{
	const char *name = pw_signal_name(sig);

	if (!buf || size == 0)
		return buf;
	if (name)
		snprintf(buf, size, "%s", name);
	else if (sig == PW_SIGRTMIN)
		snprintf(buf, size, "SIGRTMIN");
	else if (sig > PW_SIGRTMIN && sig <= PW_SIGRTMAX)
		snprintf(buf, size, "SIGRTMIN+%d", sig - PW_SIGRTMIN);
	else
		snprintf(buf, size, "SIG%d", sig);
	return buf;
}

/* The decimal int at s, all of s, as strtol takes it: callers check the spelling. */
static bool
parse_int(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return end != s && !*end && !errno && *out >= INT_MIN && *out <= INT_MAX;
}

/*
 * Accepts exactly what pw_signal_format() writes, for any int: a trace may
 * hold any signal number a tracee's memory held (a waitid siginfo, a
 * clone3 exit signal), and a replay must write back the very bytes it
 * read, so other spellings ("SIG9", "SIG+65", "SIGRTMIN+0") are refused.
 */
bool
pw_signal_from_name(const char *name, int *sig)
{
	const char *digits = name ? name + 3 : NULL;
	long v, base = 0;
	char buf[32];

	*sig = index_of_name(signal_names, PW_ARRAY_SIZE(signal_names), name);
	if (*sig)
		return true;
	if (!name || strncmp(name, "SIG", 3) != 0)
		return false;
	if (strncmp(name, "SIGRTMIN", 8) == 0) {
		base = PW_SIGRTMIN;
		digits = name[8] == '+' ? name + 9 : "0";
	}
	if (!parse_int(digits, &v) || v > INT_MAX - base)
		return false;
	*sig = (int)(base + v);
	return strcmp(pw_signal_format(*sig, buf, sizeof(buf)), name) == 0;
}

const char *
pw_errno_name(int err)
{
	if (err <= 0 || err >= (int)PW_ARRAY_SIZE(errno_names))
		return NULL;
	return errno_names[err];
}

int
pw_errno_from_name(const char *name)
{
	return index_of_name(errno_names, PW_ARRAY_SIZE(errno_names), name);
}

const char *
pw_errno_format(int err, char *buf, size_t size)
{
	const char *name = pw_errno_name(err);

	if (name)
		return name;
	snprintf(buf, size, "E%d", err);
	return buf;
}

void
pw_clone_flags_each(uint64_t flags, pw_flag_fn fn, void *data)
{
	flags_each(clone_flags, PW_ARRAY_SIZE(clone_flags), flags, fn, data);
}

/*
 * The kernel takes options as an int, so bits above 31 are not options:
 * they only appear when a caller sign-extends __WCLONE (bit 31).
 */
void
pw_wait_options_each(uint64_t options, pw_flag_fn fn, void *data)
{
	flags_each(wait_options, PW_ARRAY_SIZE(wait_options),
		   options & 0xffffffffu, fn, data);
}

uint64_t
pw_clone_flag_from_name(const char *name)
{
	const struct pw_xlat *x;

	x = xlat_by_name(clone_flags, PW_ARRAY_SIZE(clone_flags), name);

	return x ? x->val : 0;
}

void
pw_at_flags_each(uint64_t flags, pw_flag_fn fn, void *data)
{
	flags_each(at_flags, PW_ARRAY_SIZE(at_flags), flags, fn, data);
}

uint64_t
pw_at_flag_from_name(const char *name)
{
	const struct pw_xlat *x = xlat_by_name(at_flags, PW_ARRAY_SIZE(at_flags), name);

	return x ? x->val : 0;
}

uint64_t
pw_wait_option_from_name(const char *name)
{
	const struct pw_xlat *x;

	x = xlat_by_name(wait_options, PW_ARRAY_SIZE(wait_options), name);

	if (!x && name && strcmp(name, "WSTOPPED") == 0)
		return WSTOPPED;
	return x ? x->val : 0;
}

const char *
pw_idtype_name(int idtype)
{
	for (size_t i = 0; i < PW_ARRAY_SIZE(idtypes); i++)
		if (idtypes[i].val == (uint64_t)idtype)
			return idtypes[i].name;
	return NULL;
}

int
pw_idtype_from_name(const char *name)
{
	const struct pw_xlat *x = xlat_by_name(idtypes, PW_ARRAY_SIZE(idtypes),
					       name);

	return x ? (int)x->val : -1;
}
