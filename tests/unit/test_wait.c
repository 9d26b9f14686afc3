/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the wait decoders (src/decode/wait.c): status words built
 * with the W_EXITCODE/W_STOPCODE arithmetic and produced by real children
 * of the test process, ptrace-style stop statuses, waitid siginfo codes,
 * the registers of wait4/waitid at entry and exit, and exit codes.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pw_fake_mem.h"
#include "procwatch/linux_compat.h"

#define NR_WAIT4 61
#define NR_WAITID 247
#define NR_EXIT 60
#define NR_EXIT_GROUP 231

#define BASE 0x70000u
#define SIZE FAKE_PAGE
#define STATUS (BASE + 0x10)
#define INFO (BASE + 0x100)

FAKE_MEM_FIXTURE(BASE, SIZE)

TestSuite(status);
TestSuite(wait, .init = fake_mem_setup, .fini = fake_mem_teardown);

static struct pw_status
from_wait(int status)
{
	struct pw_status st;

	memset(&st, 0xa5, sizeof(st));
	pw_status_from_wait(status, &st);
	return st;
}

Test(status, exited)
{
	struct pw_status st = from_wait(W_EXITCODE(3, 0));

	cr_assert_eq(st.kind, PW_STATUS_EXITED);
	cr_assert_eq(st.code, 3);
	cr_assert_eq(st.signal, 0);
	cr_assert_not(st.core);
	st = from_wait(W_EXITCODE(255, 0));
	cr_assert_eq(st.code, 255);
	st = from_wait(0);
	cr_assert_eq(st.kind, PW_STATUS_EXITED);
	cr_assert_eq(st.code, 0);
}

Test(status, killed_with_and_without_core)
{
	struct pw_status st = from_wait(W_EXITCODE(0, SIGKILL));

	cr_assert_eq(st.kind, PW_STATUS_KILLED);
	cr_assert_eq(st.signal, SIGKILL);
	cr_assert_not(st.core);
	st = from_wait(W_EXITCODE(0, SIGSEGV) | 0x80);	/* WCOREFLAG */
	cr_assert_eq(st.kind, PW_STATUS_KILLED);
	cr_assert_eq(st.signal, SIGSEGV);
	cr_assert(st.core);
	st = from_wait(W_EXITCODE(0, 64));	/* real-time signal */
	cr_assert_eq(st.signal, 64);
}

Test(status, stopped_and_continued)
{
	struct pw_status st = from_wait(W_STOPCODE(SIGSTOP));

	cr_assert_eq(st.kind, PW_STATUS_STOPPED);
	cr_assert_eq(st.signal, SIGSTOP);
	cr_assert_eq(st.code, 0);
	st = from_wait(W_STOPCODE(SIGTTIN));
	cr_assert_eq(st.signal, SIGTTIN);
	st = from_wait(0xffff);		/* __W_CONTINUED */
	cr_assert_eq(st.kind, PW_STATUS_CONTINUED);
	cr_assert_eq(st.signal, 0);
}

Test(status, ptrace_stops)
{
	/* PTRACE_O_TRACESYSGOOD syscall stop: SIGTRAP | 0x80 */
	struct pw_status st = from_wait(W_STOPCODE(SIGTRAP | 0x80));

	cr_assert_eq(st.kind, PW_STATUS_STOPPED);
	cr_assert_eq(st.signal, SIGTRAP);
	cr_assert_eq(st.code, 0x80);
	/* PTRACE_EVENT_FORK (1): status >> 16 == 1 */
	st = from_wait(W_STOPCODE(SIGTRAP) | (1 << 16));
	cr_assert_eq(st.signal, SIGTRAP);
	cr_assert_eq(st.code, 1 << 8);
	/* PTRACE_EVENT_STOP (128) group-stop under PTRACE_SEIZE */
	st = from_wait(W_STOPCODE(SIGSTOP) | (128 << 16));
	cr_assert_eq(st.signal, SIGSTOP);
	cr_assert_eq(st.code >> 8, 128);
}

/* Runs a child that does what `how` says and returns its wait status. */
static int
child_status(int how, int options)
{
	int status = 0;
	pid_t pid = fork();

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core);
		if (how == 0)
			_exit(42);
		raise(how);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, options), pid);
	return status;
}

Test(status, real_children)
{
	struct pw_status st;
	int status, go[2];
	char c;
	pid_t pid;

	st = from_wait(child_status(0, 0));
	cr_assert_eq(st.kind, PW_STATUS_EXITED);
	cr_assert_eq(st.code, 42);
	st = from_wait(child_status(SIGKILL, 0));
	cr_assert_eq(st.kind, PW_STATUS_KILLED);
	cr_assert_eq(st.signal, SIGKILL);
	cr_assert_not(st.core);
	st = from_wait(child_status(SIGABRT, 0));
	cr_assert_eq(st.signal, SIGABRT);
	cr_assert_not(st.core, "RLIMIT_CORE 0 dumps no core");

	/*
	 * Once continued, the child waits for the pipe to close before it
	 * exits: a child that exited first would be reported by the
	 * WCONTINUED wait as exited (a zombie is reported before a continue).
	 */
	cr_assert_eq(pipe(go), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		close(go[1]);
		raise(SIGSTOP);
		while (read(go[0], &c, 1) > 0)
			;
		_exit(7);
	}
	close(go[0]);
	cr_assert_eq(waitpid(pid, &status, WUNTRACED), pid);
	st = from_wait(status);
	cr_assert_eq(st.kind, PW_STATUS_STOPPED);
	cr_assert_eq(st.signal, SIGSTOP);
	kill(pid, SIGCONT);
	cr_assert_eq(waitpid(pid, &status, WCONTINUED), pid);
	st = from_wait(status);
	cr_assert_eq(st.kind, PW_STATUS_CONTINUED);
	close(go[1]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	st = from_wait(status);
	cr_assert_eq(st.kind, PW_STATUS_EXITED);
	cr_assert_eq(st.code, 7);
}

Test(status, siginfo_codes)
{
	struct pw_status st;

	pw_status_from_siginfo(CLD_EXITED, 5, &st);
	cr_assert_eq(st.kind, PW_STATUS_EXITED);
	cr_assert_eq(st.code, 5);
	pw_status_from_siginfo(CLD_KILLED, SIGTERM, &st);
	cr_assert_eq(st.kind, PW_STATUS_KILLED);
	cr_assert_eq(st.signal, SIGTERM);
	cr_assert_not(st.core);
	pw_status_from_siginfo(CLD_DUMPED, SIGSEGV, &st);
	cr_assert_eq(st.kind, PW_STATUS_KILLED);
	cr_assert_eq(st.signal, SIGSEGV);
	cr_assert(st.core);
	pw_status_from_siginfo(CLD_STOPPED, SIGTSTP, &st);
	cr_assert_eq(st.kind, PW_STATUS_STOPPED);
	cr_assert_eq(st.signal, SIGTSTP);
	pw_status_from_siginfo(CLD_CONTINUED, SIGCONT, &st);
	cr_assert_eq(st.kind, PW_STATUS_CONTINUED);
	pw_status_from_siginfo(CLD_TRAPPED, SIGTRAP | 0x80, &st);
	cr_assert_eq(st.kind, PW_STATUS_TRAPPED);
	cr_assert_eq(st.signal, SIGTRAP);
	cr_assert_eq(st.code, 0x80);
	pw_status_from_siginfo(0, 0, &st);
	cr_assert_eq(st.kind, PW_STATUS_NONE);
	pw_status_from_siginfo(99, 1, &st);
	cr_assert_eq(st.kind, PW_STATUS_NONE);
}

static struct pw_wait
entry(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct pw_syscall sc = { .nr = nr, .args = { a0, a1, a2, a3 } };
	struct pw_wait w;

	memset(&w, 0xa5, sizeof(w));
	pw_decode_wait_entry(&sc, &w);
	return w;
}

static void
exit_with(struct pw_wait *w, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
	  long rval)
{
	struct pw_syscall sc = { .nr = nr, .args = { a0, a1, a2 },
				 .rval = rval };

	pw_decode_wait_exit(&sc, &fm.mem, w);
}

Test(wait, wait4_entry)
{
	/* pid -1 as a 32-bit int in a 64-bit register */
	struct pw_wait w = entry(NR_WAIT4, 0xffffffffu, STATUS,
				 WNOHANG | __WALL, 0);

	cr_assert_eq(w.call, PW_CALL_WAIT4);
	cr_assert_eq(w.target, -1);
	cr_assert_eq(w.options, WNOHANG | __WALL);
	cr_assert_eq(w.status.kind, PW_STATUS_NONE);
	w = entry(NR_WAIT4, (uint64_t)-1234, 0, __WCLONE, 0);
	cr_assert_eq(w.target, -1234, "-pgid");
	cr_assert_eq(w.options, (int)__WCLONE);
	w = entry(NR_WAIT4, 77, 0, 0, 0);
	cr_assert_eq(w.target, 77);
}

Test(wait, waitid_entry)
{
	struct pw_wait w = entry(NR_WAITID, P_PID, 1234, INFO,
				 WEXITED | WNOHANG);

	cr_assert_eq(w.call, PW_CALL_WAITID);
	cr_assert_eq(w.idtype, P_PID);
	cr_assert_eq(w.target, 1234);
	cr_assert_eq(w.options, WEXITED | WNOHANG);
	w = entry(NR_WAITID, P_ALL, 0, INFO, WEXITED | WSTOPPED);
	cr_assert_eq(w.idtype, P_ALL);
	cr_assert_eq(w.options, WEXITED | WSTOPPED);
}

Test(wait, wait4_exit_reads_status)
{
	int status = W_EXITCODE(0, SIGSEGV) | 0x80;
	struct pw_wait w = entry(NR_WAIT4, 0xffffffffu, STATUS, 0, 0);

	fake_put(&fm, STATUS, &status, sizeof(status));
	exit_with(&w, NR_WAIT4, 0xffffffffu, STATUS, 0, 4321);
	cr_assert_eq(w.result, 4321);
	cr_assert_eq(w.status.kind, PW_STATUS_KILLED);
	cr_assert_eq(w.status.signal, SIGSEGV);
	cr_assert(w.status.core);
	cr_assert_eq(w.target, -1, "entry fields kept");
}

Test(wait, wait4_wnohang_nothing)
{
	struct pw_wait w = entry(NR_WAIT4, 0xffffffffu, STATUS, WNOHANG, 0);

	fm.watch_lo = STATUS;
	fm.watch_hi = STATUS + 4;
	exit_with(&w, NR_WAIT4, 0xffffffffu, STATUS, WNOHANG, 0);
	cr_assert_eq(w.result, 0);
	cr_assert_eq(w.status.kind, PW_STATUS_NONE);
	cr_assert_eq(fm.watch_reads, 0, "status is not written when rval 0");
}

Test(wait, wait4_errors_and_null_status)
{
	struct pw_wait w = entry(NR_WAIT4, 0xffffffffu, STATUS, 0, 0);

	exit_with(&w, NR_WAIT4, 0xffffffffu, STATUS, 0, -ECHILD);
	cr_assert_eq(w.result, -ECHILD);
	cr_assert_eq(w.status.kind, PW_STATUS_NONE);
	exit_with(&w, NR_WAIT4, 0xffffffffu, STATUS, 0, -ERESTARTSYS);
	cr_assert_eq(w.result, -512);
	exit_with(&w, NR_WAIT4, 0xffffffffu, 0, 0, 99);
	cr_assert_eq(w.result, 99);
	cr_assert_eq(w.status.kind, PW_STATUS_NONE);
	exit_with(&w, NR_WAIT4, 0xffffffffu, 0xdead000, 0, 99);
	cr_assert_eq(w.result, 99, "unreadable status pointer");
	cr_assert_eq(w.status.kind, PW_STATUS_NONE);
}

static void
put_siginfo(pid_t pid, int code, int status)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCHLD;
	si.si_code = code;
	si.si_pid = pid;
	si.si_status = status;
	fake_put(&fm, INFO, &si, sizeof(si));
}

Test(wait, waitid_exit)
{
	struct pw_wait w = entry(NR_WAITID, P_ALL, 0, INFO, WEXITED);

	put_siginfo(555, CLD_EXITED, 3);
	exit_with(&w, NR_WAITID, P_ALL, 0, INFO, 0);
	cr_assert_eq(w.result, 555);
	cr_assert_eq(w.status.kind, PW_STATUS_EXITED);
	cr_assert_eq(w.status.code, 3);
	put_siginfo(556, CLD_DUMPED, SIGBUS);
	exit_with(&w, NR_WAITID, P_ALL, 0, INFO, 0);
	cr_assert_eq(w.result, 556);
	cr_assert_eq(w.status.kind, PW_STATUS_KILLED);
	cr_assert(w.status.core);
}

Test(wait, waitid_wnohang_nothing)
{
	struct pw_wait w = entry(NR_WAITID, P_ALL, 0, INFO, WEXITED | WNOHANG);

	put_siginfo(0, 0, 0);
	exit_with(&w, NR_WAITID, P_ALL, 0, INFO, 0);
	cr_assert_eq(w.result, 0);
	cr_assert_eq(w.status.kind, PW_STATUS_NONE);
}

Test(wait, waitid_errors_and_null_infop)
{
	struct pw_wait w = entry(NR_WAITID, P_PID, 9, INFO, WEXITED);

	put_siginfo(9, CLD_EXITED, 0);
	exit_with(&w, NR_WAITID, P_PID, 9, INFO, -ECHILD);
	cr_assert_eq(w.result, -ECHILD);
	cr_assert_eq(w.status.kind, PW_STATUS_NONE);
	exit_with(&w, NR_WAITID, P_PID, 9, 0, 0);
	cr_assert_eq(w.result, 0);
	cr_assert_eq(w.status.kind, PW_STATUS_NONE);
	exit_with(&w, NR_WAITID, P_PID, 9, 0xdead000, 0);
	cr_assert_eq(w.status.kind, PW_STATUS_NONE);
}

Test(wait, waitid_siginfo_at_end_of_mapping)
{
	/* Only up to si_status is read: a siginfo_t whose padding would lie
	 * in an unmapped page still decodes. */
	uint64_t at = BASE + SIZE - 28;
	struct pw_wait w = entry(NR_WAITID, P_ALL, 0, at, WEXITED);
	int fields[7] = { SIGCHLD, 0, CLD_KILLED, 0, 777, 0, SIGTERM };

	fake_put(&fm, at, fields, sizeof(fields));
	exit_with(&w, NR_WAITID, P_ALL, 0, at, 0);
	cr_assert_eq(w.result, 777);
	cr_assert_eq(w.status.kind, PW_STATUS_KILLED);
	cr_assert_eq(w.status.signal, SIGTERM);
}

Test(wait, real_waitid_siginfo)
{
	siginfo_t si;
	struct pw_status st;
	pid_t pid = fork();

	cr_assert_neq(pid, -1);
	if (pid == 0)
		_exit(9);
	memset(&si, 0, sizeof(si));
	cr_assert_eq(waitid(P_PID, (id_t)pid, &si, WEXITED), 0);
	cr_assert_eq(si.si_pid, pid);
	pw_status_from_siginfo(si.si_code, si.si_status, &st);
	cr_assert_eq(st.kind, PW_STATUS_EXITED);
	cr_assert_eq(st.code, 9);
}

Test(wait, exit_code)
{
	struct pw_syscall sc = { .nr = NR_EXIT, .args = { 3 } };

	cr_assert_eq(pw_decode_exit_code(&sc), 3);
	sc.nr = NR_EXIT_GROUP;
	sc.args[0] = 0x1ff;
	cr_assert_eq(pw_decode_exit_code(&sc), 0xff);
	sc.args[0] = 256;
	cr_assert_eq(pw_decode_exit_code(&sc), 0);
	sc.args[0] = (uint64_t)-1;
	cr_assert_eq(pw_decode_exit_code(&sc), 255);
}
