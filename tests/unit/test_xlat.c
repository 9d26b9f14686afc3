/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the constant tables (src/event/xlat.c and its .def files)
 * and of the small name tables in event.c and syscalls.c.  The .def files
 * are included here with our own macros so the tables themselves can be
 * checked: no duplicate names or values, clone flags single bits.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/decode.h"
#include "procwatch/event.h"
#include "procwatch/xlat.h"
#include "procwatch/linux_compat.h"


#define PW_XLAT(name) { (uint64_t)(name), #name },
#define PW_XLAT_V(name, value) { value, #name },
static const struct pw_xlat t_signals[] = {
#include "src/event/xlat/signals.def"
};
static const struct pw_xlat t_errnos[] = {
#include "src/event/xlat/errnos.def"
};
static const struct pw_xlat t_clone[] = {
#include "src/event/xlat/clone_flags.def"
};
static const struct pw_xlat t_wait[] = {
#include "src/event/xlat/wait_options.def"
};
static const struct pw_xlat t_idtypes[] = {
#include "src/event/xlat/idtypes.def"
};
#undef PW_XLAT
#undef PW_XLAT_V

static void
assert_unique(const struct pw_xlat *x, size_t n, const char *table)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			cr_assert_neq(x[i].val, x[j].val, "%s: %s and %s share %#llx",
				      table, x[i].name, x[j].name,
				      (unsigned long long)x[i].val);
			cr_assert_str_neq(x[i].name, x[j].name, "%s: %s twice",
					  table, x[i].name);
		}
}

Test(xlat, tables_have_no_duplicates)
{
	assert_unique(t_signals, PW_ARRAY_SIZE(t_signals), "signals");
	assert_unique(t_errnos, PW_ARRAY_SIZE(t_errnos), "errnos");
	assert_unique(t_clone, PW_ARRAY_SIZE(t_clone), "clone flags");
	assert_unique(t_wait, PW_ARRAY_SIZE(t_wait), "wait options");
	assert_unique(t_idtypes, PW_ARRAY_SIZE(t_idtypes), "idtypes");
}

Test(xlat, flags_are_single_bits)
{
	for (size_t i = 0; i < PW_ARRAY_SIZE(t_clone); i++)
		cr_assert_eq(__builtin_popcountll(t_clone[i].val), 1, "%s",
			     t_clone[i].name);
	for (size_t i = 0; i < PW_ARRAY_SIZE(t_wait); i++)
		cr_assert_eq(__builtin_popcountll(t_wait[i].val), 1, "%s",
			     t_wait[i].name);
}

Test(xlat, newest_clone_flags_present)
{
	cr_assert_eq(pw_clone_flag_from_name("CLONE_NEWTIME"), 0x80);
	cr_assert_eq(pw_clone_flag_from_name("CLONE_CLEAR_SIGHAND"), 1ULL << 32);
	cr_assert_eq(pw_clone_flag_from_name("CLONE_INTO_CGROUP"), 1ULL << 33);
	cr_assert_eq(pw_clone_flag_from_name("CLONE_PIDFD"), 0x1000);
	cr_assert_eq(pw_clone_flag_from_name("CLONE_BOGUS"), 0);
	cr_assert_eq(pw_clone_flag_from_name(NULL), 0);
}

/* Collects what a *_each call reports, as "NAME|NAME|0xBITS". */
struct collect {
	char buf[512];
	int calls;
};

static void
collect_fn(void *data, const char *name, uint64_t bits)
{
	struct collect *c = data;
	size_t len = strlen(c->buf);

	if (c->calls++)
		snprintf(c->buf + len, sizeof(c->buf) - len, "|");
	len = strlen(c->buf);
	if (name)
		snprintf(c->buf + len, sizeof(c->buf) - len, "%s", name);
	else
		snprintf(c->buf + len, sizeof(c->buf) - len, "%#llx",
			 (unsigned long long)bits);
}

Test(xlat, clone_flags_each_round_trip)
{
	for (size_t i = 0; i < PW_ARRAY_SIZE(t_clone); i++) {
		struct collect c = { 0 };

		pw_clone_flags_each(t_clone[i].val, collect_fn, &c);
		cr_assert_eq(c.calls, 1);
		cr_assert_str_eq(c.buf, t_clone[i].name);
		cr_assert_eq(pw_clone_flag_from_name(c.buf), t_clone[i].val);
	}
}

Test(xlat, clone_flags_each_order_and_leftover)
{
	struct collect c = { 0 };

	pw_clone_flags_each(CLONE_THREAD | CLONE_VM | CLONE_NEWTIME |
			    CLONE_INTO_CGROUP | (1ULL << 40) | (1ULL << 34),
			    collect_fn, &c);
	cr_assert_str_eq(c.buf, "CLONE_NEWTIME|CLONE_VM|CLONE_THREAD|"
			 "CLONE_INTO_CGROUP|0x10400000000");
	memset(&c, 0, sizeof(c));
	pw_clone_flags_each(0, collect_fn, &c);
	cr_assert_eq(c.calls, 0);
	pw_clone_flags_each(0x7f, collect_fn, &c);
	cr_assert_str_eq(c.buf, "0x7f", "CSIGNAL bits other than NEWTIME");
}

Test(xlat, wait_options)
{
	struct collect c = { 0 };

	pw_wait_options_each(WNOHANG | __WALL, collect_fn, &c);
	cr_assert_str_eq(c.buf, "WNOHANG|__WALL");
	memset(&c, 0, sizeof(c));
	/* an int option word sign-extended: bit 31 only, no high garbage */
	pw_wait_options_each((uint64_t)(int64_t)(int)__WCLONE, collect_fn, &c);
	cr_assert_str_eq(c.buf, "__WCLONE");
	memset(&c, 0, sizeof(c));
	pw_wait_options_each(WUNTRACED | WCONTINUED | WNOWAIT | __WNOTHREAD |
			     WEXITED | 0x100, collect_fn, &c);
	cr_assert_str_eq(c.buf, "WUNTRACED|WEXITED|WCONTINUED|WNOWAIT|"
			 "__WNOTHREAD|0x100");
	for (size_t i = 0; i < PW_ARRAY_SIZE(t_wait); i++)
		cr_assert_eq(pw_wait_option_from_name(t_wait[i].name),
			     t_wait[i].val);
	cr_assert_eq(pw_wait_option_from_name("WSTOPPED"), WUNTRACED);
	cr_assert_eq(pw_wait_option_from_name("WNOPE"), 0);
}

Test(xlat, signals)
{
	cr_assert_str_eq(pw_signal_name(SIGSEGV), "SIGSEGV");
	cr_assert_str_eq(pw_signal_name(SIGKILL), "SIGKILL");
	cr_assert_str_eq(pw_signal_name(SIGCHLD), "SIGCHLD");
	cr_assert_str_eq(pw_signal_name(29), "SIGIO");
	cr_assert_str_eq(pw_signal_name(SIGSYS), "SIGSYS");
	cr_assert_null(pw_signal_name(0));
	cr_assert_null(pw_signal_name(-1));
	cr_assert_null(pw_signal_name(32));
	cr_assert_null(pw_signal_name(SIGRTMIN));
	for (int s = 1; s < 32; s++) {
		int back = 0;

		cr_assert_not_null(pw_signal_name(s), "signal %d", s);
		cr_assert(pw_signal_from_name(pw_signal_name(s), &back));
		cr_assert_eq(back, s);
	}
	for (size_t i = 0; i < 3; i++) {
		static const char *const bad[] = { "SIGNOPE", "TERM", NULL };
		int sig;

		cr_assert_not(pw_signal_from_name(bad[i], &sig), "%s", bad[i]);
	}
}

Test(xlat, signal_format)
{
	char buf[32];

	cr_assert_str_eq(pw_signal_format(SIGTERM, buf, sizeof(buf)), "SIGTERM");
	cr_assert_str_eq(pw_signal_format(32, buf, sizeof(buf)), "SIGRTMIN");
	cr_assert_str_eq(pw_signal_format(34, buf, sizeof(buf)), "SIGRTMIN+2");
	cr_assert_str_eq(pw_signal_format(64, buf, sizeof(buf)), "SIGRTMIN+32");
	cr_assert_str_eq(pw_signal_format(65, buf, sizeof(buf)), "SIG65");
	cr_assert_str_eq(pw_signal_format(0, buf, sizeof(buf)), "SIG0");
	cr_assert_str_eq(pw_signal_format(-3, buf, sizeof(buf)), "SIG-3");
	cr_assert_str_eq(pw_signal_format(SIGTERM, buf, 5), "SIGT");
}

/* Every int's spelling reads back, and no other spelling does. */
Test(xlat, signal_from_name_inverts_format_over_every_int)
{
	static const int edges[] = { INT_MIN, INT_MIN + 1, -65, -1, 0, 31, 32,
				     33, 64, 65, 4096, 4097, INT_MAX - 1, INT_MAX };
	static const char *const bad[] = {
		"SIG9", "SIG32", "SIG42", "SIG64", "SIG065", "SIG+65", "SIG 65",
		"SIG-0", "SIG", "SIG12x", "SIG2147483648", "SIG-2147483649",
		"SIG99999999999999999999", "SIGRTMIN+0", "SIGRTMIN+33",
		"SIGRTMIN+", "SIGRTMIN+-1", "SIGRTMIN+03", "SIGRTMINX", "SIGrtmin",
		"sigterm", " SIGTERM",
	};
	char buf[32];
	int sig;

	for (int s = -300; s <= 300; s++) {
		cr_assert(pw_signal_from_name(pw_signal_format(s, buf, sizeof(buf)), &sig),
			  "%s", buf);
		cr_assert_eq(sig, s, "%s", buf);
	}
	for (size_t i = 0; i < PW_ARRAY_SIZE(edges); i++) {
		cr_assert(pw_signal_from_name(pw_signal_format(edges[i], buf, sizeof(buf)),
					      &sig), "%s", buf);
		cr_assert_eq(sig, edges[i], "%s", buf);
	}
	for (size_t i = 0; i < PW_ARRAY_SIZE(bad); i++)
		cr_assert_not(pw_signal_from_name(bad[i], &sig), "%s", bad[i]);
}

Test(xlat, errnos)
{
	cr_assert_str_eq(pw_errno_name(EPERM), "EPERM");
	cr_assert_str_eq(pw_errno_name(ENOENT), "ENOENT");
	cr_assert_str_eq(pw_errno_name(EAGAIN), "EAGAIN");
	cr_assert_str_eq(pw_errno_name(ECHILD), "ECHILD");
	cr_assert_str_eq(pw_errno_name(E2BIG), "E2BIG");
	cr_assert_str_eq(pw_errno_name(EHWPOISON), "EHWPOISON");
	cr_assert_str_eq(pw_errno_name(512), "ERESTARTSYS");
	cr_assert_str_eq(pw_errno_name(513), "ERESTARTNOINTR");
	cr_assert_str_eq(pw_errno_name(514), "ERESTARTNOHAND");
	cr_assert_str_eq(pw_errno_name(516), "ERESTART_RESTARTBLOCK");
	cr_assert_null(pw_errno_name(0));
	cr_assert_null(pw_errno_name(-2));
	cr_assert_null(pw_errno_name(515));
	cr_assert_null(pw_errno_name(4095));
	for (int e = 1; e <= 133; e++) {
		if (e == 41 || e == 58)	/* unused numbers */
			continue;
		cr_assert_not_null(pw_errno_name(e), "errno %d", e);
		cr_assert_eq(pw_errno_from_name(pw_errno_name(e)), e);
	}
	for (size_t i = 0; i < PW_ARRAY_SIZE(t_errnos); i++)
		cr_assert_eq(pw_errno_from_name(t_errnos[i].name),
			     (int)t_errnos[i].val);
	cr_assert_eq(pw_errno_from_name("ENOPE"), 0);
	cr_assert_eq(pw_errno_from_name(NULL), 0);
}

Test(xlat, idtypes)
{
	cr_assert_str_eq(pw_idtype_name(P_ALL), "P_ALL");
	cr_assert_str_eq(pw_idtype_name(P_PID), "P_PID");
	cr_assert_str_eq(pw_idtype_name(P_PGID), "P_PGID");
	cr_assert_str_eq(pw_idtype_name(3), "P_PIDFD");
	cr_assert_null(pw_idtype_name(4));
	cr_assert_null(pw_idtype_name(-1));
	for (size_t i = 0; i < PW_ARRAY_SIZE(t_idtypes); i++)
		cr_assert_eq(pw_idtype_from_name(t_idtypes[i].name),
			     (int)t_idtypes[i].val);
	cr_assert_eq(pw_idtype_from_name("P_NOPE"), -1);
	cr_assert_eq(pw_idtype_from_name(NULL), -1);
}

Test(event, names)
{
	cr_assert_str_eq(pw_event_kind_name(PW_EV_START), "start");
	cr_assert_str_eq(pw_event_kind_name(PW_EV_WAIT), "wait");
	cr_assert_str_eq(pw_event_kind_name(PW_EV_END), "end");
	cr_assert_null(pw_event_kind_name((enum pw_event_kind)99));
	cr_assert_null(pw_call_name(PW_CALL_NONE));
	cr_assert_str_eq(pw_call_name(PW_CALL_CLONE3), "clone3");
	cr_assert_str_eq(pw_call_name(PW_CALL_EXIT_GROUP), "exit_group");
	cr_assert_null(pw_call_name((enum pw_call)99));
	cr_assert_str_eq(pw_spawn_kind_name(PW_SPAWN_POSIX_SPAWN),
			 "posix_spawn");
	cr_assert_str_eq(pw_spawn_kind_name(PW_SPAWN_THREAD), "thread");
	cr_assert_null(pw_spawn_kind_name((enum pw_spawn_kind)99));
}

/*
 * Criterion copies parameters into a worker process that may have a
 * different address layout, so the name is stored inline, not as a
 * pointer.
 */
struct nr_case {
	enum pw_call call;
	long nr;
	char name[16];
};

ParameterizedTestParameters(syscalls, numbers)
{
	static struct nr_case cases[] = {
		{ PW_CALL_CLONE, 56, "clone" },
		{ PW_CALL_FORK, 57, "fork" },
		{ PW_CALL_VFORK, 58, "vfork" },
		{ PW_CALL_EXECVE, 59, "execve" },
		{ PW_CALL_EXIT, 60, "exit" },
		{ PW_CALL_WAIT4, 61, "wait4" },
		{ PW_CALL_EXIT_GROUP, 231, "exit_group" },
		{ PW_CALL_WAITID, 247, "waitid" },
		{ PW_CALL_EXECVEAT, 322, "execveat" },
		{ PW_CALL_CLONE3, 435, "clone3" },
	};

	return cr_make_param_array(struct nr_case, cases,
				   PW_ARRAY_SIZE(cases));
}

ParameterizedTest(struct nr_case *c, syscalls, numbers)
{
	cr_assert_eq(pw_call_from_nr(c->nr), c->call);
	cr_assert_eq(pw_call_nr(c->call), c->nr);
	cr_assert_str_eq(pw_call_name(c->call), c->name);
}

Test(syscalls, unknown_numbers)
{
	cr_assert_eq(pw_call_from_nr(0), PW_CALL_NONE);
	cr_assert_eq(pw_call_from_nr(-1), PW_CALL_NONE);
	cr_assert_eq(pw_call_from_nr(219), PW_CALL_NONE);
	cr_assert_eq(pw_call_from_nr(100000), PW_CALL_NONE);
	cr_assert_eq(pw_call_nr(PW_CALL_NONE), -1);
}
