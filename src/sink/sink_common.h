/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers shared by the sinks in src/sink/ only: naming errno values
 * that xlat does not know and wait status kinds.
 */
#ifndef PROCWATCH_SINK_COMMON_H
#define PROCWATCH_SINK_COMMON_H

#include <stddef.h>

#include "procwatch/event.h"
#include "procwatch/xlat.h"

/* "ENOENT", or "E<n>" for a number xlat has no name for; returns buf or a constant. */
const char *pw_sink_errno_str(int err, char *buf, size_t size);
/* "exited", "killed", "stopped", "continued", "trapped"; NULL for NONE. */
const char *pw_sink_status_kind_name(enum pw_status_kind kind);

#endif
