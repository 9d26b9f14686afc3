/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers the sinks share so that the JSON and text output name things the
 * same way: errno names with a numeric fallback, execveat's AT_* flags (a
 * two-entry table not worth an xlat .def file), wait status kinds.  Nothing
 * here writes output.
 */
#include <fcntl.h>
#include <stdio.h>

#include "sink_common.h"

const char *
pw_sink_errno_str(int err, char *buf, size_t size)
{
	const char *name = pw_errno_name(err);

	if (name)
		return name;
	snprintf(buf, size, "E%d", err);
	return buf;
}

static const struct pw_xlat at_flags[] = {
	{ AT_EMPTY_PATH, "AT_EMPTY_PATH" },
	{ AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW" },
};

void
pw_sink_at_flags_each(int flags, pw_flag_fn fn, void *data)
{
	uint64_t left = (uint64_t)(unsigned int)flags;
	size_t i;

	for (i = 0; i < sizeof(at_flags) / sizeof(at_flags[0]); i++) {
		if (left & at_flags[i].val) {
			fn(data, at_flags[i].name, at_flags[i].val);
			left &= ~at_flags[i].val;
		}
	}
	if (left)
		fn(data, NULL, left);
}

const char *
pw_sink_status_kind_name(enum pw_status_kind kind)
{
	switch (kind) {
	case PW_STATUS_NONE:
		return NULL;
	case PW_STATUS_EXITED:
		return "exited";
	case PW_STATUS_KILLED:
		return "killed";
	case PW_STATUS_STOPPED:
		return "stopped";
	case PW_STATUS_CONTINUED:
		return "continued";
	case PW_STATUS_TRAPPED:
		return "trapped";
	}
	return NULL;
}
