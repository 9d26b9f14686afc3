/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the --explain texts: every clone flag procwatch can name
 * has an explanation (so a flag added to the table without one fails here),
 * and statuses read as a person would say them.
 */
#include <signal.h>
#include <string.h>

#include <criterion/criterion.h>

#include "procwatch/explain.h"
#include "procwatch/xlat.h"

static void
check_flag(void *data, const char *name, uint64_t bits)
{
	unsigned *named = data;

	if (!name)
		return;		/* bits no table names */
	cr_assert(pw_explain_clone_flag(name), "%s (0x%llx) has no explanation",
		  name, (unsigned long long)bits);
	(*named)++;
}

Test(explain, every_named_clone_flag_is_explained)
{
	unsigned named = 0;

	pw_clone_flags_each(~(uint64_t)0xff, check_flag, &named);
	pw_clone_flags_each(0x80, check_flag, &named);	/* CLONE_NEWTIME overlaps CSIGNAL */
	cr_assert_geq(named, 25, "only %u flags named", named);
	cr_assert_null(pw_explain_clone_flag("CLONE_NOPE"));
	cr_assert(strstr(pw_explain_clone_flag("CLONE_VM"), "memory"));
}

Test(explain, spawn_kinds_and_exec)
{
	const char *const *lines = pw_explain_exec();

	cr_assert(strstr(pw_explain_spawn_kind(PW_SPAWN_VFORK), "waits"));
	cr_assert(strstr(pw_explain_spawn_kind(PW_SPAWN_THREAD), "thread"));
	cr_assert(lines[0] && lines[1] && lines[2] && !lines[3]);
	cr_assert(strstr(lines[1], "close-on-exec"));
}

Test(explain, statuses)
{
	char buf[160];
	struct pw_status st = { .kind = PW_STATUS_EXITED, .code = 0 };

	cr_assert_str_eq(pw_explain_status(&st, buf, sizeof(buf)),
			 "exited normally with code 0 (success)");
	st.code = 2;
	cr_assert_str_eq(pw_explain_status(&st, buf, sizeof(buf)),
			 "exited with code 2: by convention, a failure");
	st = (struct pw_status){ .kind = PW_STATUS_KILLED, .signal = SIGSEGV, .core = true };
	cr_assert_str_eq(pw_explain_status(&st, buf, sizeof(buf)),
			 "killed by SIGSEGV: an invalid memory access; a core file was written");
	st = (struct pw_status){ .kind = PW_STATUS_KILLED, .signal = SIGUSR1 };
	cr_assert_str_eq(pw_explain_status(&st, buf, sizeof(buf)), "killed by SIGUSR1");
	st = (struct pw_status){ .kind = PW_STATUS_STOPPED, .signal = SIGTSTP };
	cr_assert(strstr(pw_explain_status(&st, buf, sizeof(buf)), "SIGCONT"));
}

Test(explain, exit_signals)
{
	char buf[200];
	struct pw_spawn sp = { .kind = PW_SPAWN_FORK, .exit_signal = SIGCHLD };

	cr_assert(strstr(pw_explain_exit_signal(&sp, buf, sizeof(buf)), "SIGCHLD: the signal"));
	sp.exit_signal = SIGUSR1;
	cr_assert(strstr(pw_explain_exit_signal(&sp, buf, sizeof(buf)), "SIGUSR1: sent"));
	sp.exit_signal = 0;
	cr_assert(strstr(pw_explain_exit_signal(&sp, buf, sizeof(buf)), "__WALL"));
	sp.kind = PW_SPAWN_THREAD;
	sp.thread = true;
	cr_assert_null(pw_explain_exit_signal(&sp, buf, sizeof(buf)));
}
