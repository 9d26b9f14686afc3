/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The unwinder of a procwatch built without libunwind (meson -Dunwind=
 * disabled, or libunwind-dev missing with the default "auto"): -k is
 * refused with the reason, and nothing else changes.
 */
#include "procwatch/unwind.h"

struct pw_unwinder *
pw_unwinder_new(unsigned depth, const char **why)
{
	(void)depth;
	*why = "this procwatch was built without libunwind (install libunwind-dev "
	       "and rebuild with meson setup -Dunwind=enabled)";
	return NULL;
}

void
pw_unwinder_free(struct pw_unwinder *u)
{
	(void)u;
}

void
pw_unwind_stack(struct pw_unwinder *u, struct pw_unwind_tracee *tracee,
		struct pw_stack *out)
{
	(void)u;
	(void)tracee;
	*out = (struct pw_stack){ .requested = false };
}

void
pw_unwinder_test_kill(struct pw_unwinder *u, unsigned after_frames)
{
	(void)u;
	(void)after_frames;
}
