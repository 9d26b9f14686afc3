/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integration tests that procwatch is invisible to what it traces: the
 * command inherits the signal mask and ignored signals it would have had
 * without procwatch (execve(2): blocked and ignored signals are kept), reads
 * the same stdin, and procwatch's exit status is the command's.  The
 * signal-state case blocks SIGUSR1 and ignores SIGUSR2 in the process that
 * execs procwatch (or the helper), through pw_run_opts.child_setup: the
 * harness otherwise resets signals for its child.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "procwatch/base.h"
#include "run_trace.h"

#define STDIN_SIZE (200 * 1024)

/* ---- signal mask and dispositions ---- */

/* What a shell user's odd setup leaves behind: SIGUSR1 blocked, SIGUSR2 ignored. */
static int
odd_signal_state(void)
{
	sigset_t set;

	if (signal(SIGUSR2, SIG_IGN) == SIG_ERR)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	return sigprocmask(SIG_SETMASK, &set, NULL);
}

static void
run_masked(bool traced, struct pw_run *r)
{
	struct pw_run_opts o = {
		.untraced = !traced,
		.child_setup = odd_signal_state,
	};

	pw_run("pw_sigmask", NULL, &o, r);
}

Test(transparency, signal_mask_and_ignored_set)
{
	struct pw_run t, u;

	pw_require_ptrace();
	run_masked(false, &u);
	cr_assert(WIFEXITED(u.status) && WEXITSTATUS(u.status) == 0);
	/* The setup took effect: else the comparison below proves nothing. */
	cr_assert(strstr(u.out, "SIGUSR1 DFL blocked\n") &&
		  strstr(u.out, "SIGUSR2 IGN\n"), "untraced setup not seen:\n%s",
		  u.out);
	run_masked(true, &t);
	pw_check_trace_wellformed(&t);
	cr_assert(WIFEXITED(t.status) && WEXITSTATUS(t.status) == 0,
		  "status 0x%x", t.status);
	cr_assert_str_eq(t.out, u.out, "the signal state under procwatch differs "
			 "from the untraced run:\n--- traced ---\n%s--- untraced "
			 "---\n%s", t.out, u.out);
	pw_run_free(&t);
	pw_run_free(&u);
}

/* ---- stdin ---- */

/* Lines of varied text, no NUL (pw_run_opts.stdin_data is a C string). */
static char *
stdin_data(void)
{
	char *s = malloc(STDIN_SIZE + 1);
	size_t i;

	cr_assert(s);
	for (i = 0; i < STDIN_SIZE; i++)
		s[i] = i % 61 == 60 ? '\n' : (char)(' ' + (i * 7) % 95);
	s[STDIN_SIZE] = '\0';
	return s;
}

Test(transparency, stdin_reaches_the_command)
{
	struct pw_run_opts to = { 0 }, uo = { .untraced = true };
	struct pw_run t, u;

	pw_require_ptrace();
	to.stdin_data = uo.stdin_data = stdin_data();
	pw_run("/bin/cat", NULL, &to, &t);
	pw_check_trace_wellformed(&t);
	pw_run("/bin/cat", NULL, &uo, &u);
	cr_assert(WIFEXITED(t.status) && WEXITSTATUS(t.status) == 0,
		  "status 0x%x, stderr: %s", t.status, t.err);
	cr_assert(u.out_len == STDIN_SIZE && memcmp(u.out, to.stdin_data,
		  STDIN_SIZE) == 0, "untraced cat did not copy stdin");
	cr_assert(t.out_len == u.out_len && memcmp(t.out, u.out, u.out_len) == 0,
		  "cat under procwatch wrote %zu bytes, not its %zu bytes of stdin",
		  t.out_len, u.out_len);
	free((char *)to.stdin_data);
	pw_run_free(&t);
	pw_run_free(&u);
}

/* ---- exit status ---- */

static void
check_status_passed(const char *const *args)
{
	struct pw_run r;

	/* Same status (exit code, or death by the same signal) as untraced. */
	pw_run_checked("pw_exit_code", args, &r);
	pw_run_free(&r);
}

Test(transparency, exit_status_is_the_commands)
{
	static const char *const codes[] = { "0", "1", "42", "255" };
	const char *args[3] = { NULL };
	size_t i;

	pw_require_ptrace();
	for (i = 0; i < PW_ARRAY_SIZE(codes); i++) {
		args[0] = codes[i];
		check_status_passed(args);
	}
	args[0] = "signal";
	args[1] = "SIGSEGV";
	check_status_passed(args);
}
