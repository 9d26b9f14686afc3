/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers the sinks share so that the JSON and text output name things the
 * same way: errno names with a numeric fallback, wait status kinds.
 * Nothing here writes output.
 */
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
