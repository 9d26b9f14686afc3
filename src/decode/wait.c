/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wait4/waitid: the arguments at syscall entry, the reaped pid and the
 * decoded status at syscall exit, status words and waitid siginfo turned
 * into struct pw_status, and the code exit/exit_group ask for.
 */
#include <signal.h>
#include <stddef.h>
#include <string.h>

#include "procwatch/decode.h"
#include "procwatch/linux_compat.h"

/*
 * The kernel writes only si_signo, si_errno, si_code, si_pid, si_uid and
 * si_status (kernel/exit.c, SYSCALL_DEFINE5(waitid)); reading no further
 * than si_status avoids faulting on a siginfo_t placed at a mapping's end.
 */
#define PW_SIGINFO_CHLD_LEN (offsetof(siginfo_t, si_status) + sizeof(int))

/*
 * kernel/exit.c: both calls take pid_t/int arguments, so only the low 32
 * bits of each register count; the pid is sign-extended (-1, -pgid).
 */
void
pw_decode_wait_entry(const struct pw_syscall *sc, struct pw_wait *out)
{
	memset(out, 0, sizeof(*out));
	out->call = pw_call_from_nr(sc->nr);
	if (out->call == PW_CALL_WAITID) {
		out->idtype = (int)sc->args[0];
		out->target = (int)sc->args[1];
		out->options = (int)sc->args[3];
	} else {
		out->target = (int)sc->args[0];
		out->options = (int)sc->args[2];
	}
	out->status.kind = PW_STATUS_NONE;
}

/* The status word is written only when a child was reported (rval > 0). */
static void
wait4_exit(const struct pw_syscall *sc, struct pw_mem *mem,
	   struct pw_wait *out)
{
	int status;

	if (sc->rval <= 0 || sc->args[1] == 0 || !mem)
		return;
	if (pw_mem_read_exact(mem, sc->args[1], &status, sizeof(status)) < 0)
		return;
	pw_status_from_wait(status, &out->status);
}

/*
 * waitid returns 0 whether or not a child was reported: with WNOHANG and
 * nothing ready the kernel zeroes si_pid (kernel/exit.c), so si_pid == 0
 * means nothing happened.
 */
static void
waitid_exit(const struct pw_syscall *sc, struct pw_mem *mem,
	    struct pw_wait *out)
{
	siginfo_t si;

	if (sc->rval != 0 || sc->args[2] == 0 || !mem)
		return;
	memset(&si, 0, sizeof(si));
	if (pw_mem_read_exact(mem, sc->args[2], &si, PW_SIGINFO_CHLD_LEN) < 0)
		return;
	if (si.si_pid == 0)
		return;
	out->result = si.si_pid;
	pw_status_from_siginfo(si.si_code, si.si_status, &out->status);
}

void
pw_decode_wait_exit(const struct pw_syscall *sc, struct pw_mem *mem,
		    struct pw_wait *out)
{
	enum pw_call call = pw_call_from_nr(sc->nr);

	if (call == PW_CALL_NONE)
		call = out->call;
	out->call = call;
	out->result = sc->rval;
	memset(&out->status, 0, sizeof(out->status));
	out->status.kind = PW_STATUS_NONE;
	if (call == PW_CALL_WAITID)
		waitid_exit(sc, mem, out);
	else
		wait4_exit(sc, mem, out);
}

/* kernel/exit.c: exit(code) is do_exit((code & 0xff) << 8). */
int
pw_decode_exit_code(const struct pw_syscall *sc)
{
	return (int)(sc->args[0] & 0xff);
}

/*
 * Stops carry a ptrace "exit code" (the kernel's p->exit_code): the stop
 * signal in bits 0-6, 0x80 for a PTRACE_O_TRACESYSGOOD syscall stop, and
 * the PTRACE_EVENT_* number from bit 8.  signal keeps the real signal;
 * code keeps the rest as it was, so signal | code is that exit code again.
 */
static void
set_stop(struct pw_status *out, enum pw_status_kind kind, int exit_code)
{
	out->kind = kind;
	out->signal = exit_code & 0x7f;
	out->code = exit_code & ~0x7f;
}

/* The encoding of include/uapi/linux/wait.h users: see wait(2) W* macros. */
void
pw_status_from_wait(int status, struct pw_status *out)
{
	memset(out, 0, sizeof(*out));
	if (WIFEXITED(status)) {
		out->kind = PW_STATUS_EXITED;
		out->code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		out->kind = PW_STATUS_KILLED;
		out->signal = WTERMSIG(status);
		out->core = WCOREDUMP(status) != 0;
	} else if (WIFCONTINUED(status)) {
		out->kind = PW_STATUS_CONTINUED;
	} else if (WIFSTOPPED(status)) {
		set_stop(out, PW_STATUS_STOPPED, (status >> 8) & 0xffff);
	} else {
		out->kind = PW_STATUS_NONE;
	}
}

/*
 * kernel/exit.c fills si_status with the exit code for CLD_EXITED, the
 * signal otherwise, and for CLD_TRAPPED the whole ptrace exit code.
 */
void
pw_status_from_siginfo(int code, int status, struct pw_status *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = PW_STATUS_NONE;
	if (code == CLD_EXITED) {
		out->kind = PW_STATUS_EXITED;
		out->code = status;
	} else if (code == CLD_KILLED || code == CLD_DUMPED) {
		out->kind = PW_STATUS_KILLED;
		out->signal = status;
		out->core = code == CLD_DUMPED;
	} else if (code == CLD_STOPPED) {
		set_stop(out, PW_STATUS_STOPPED, status);
	} else if (code == CLD_TRAPPED) {
		set_stop(out, PW_STATUS_TRAPPED, status);
	} else if (code == CLD_CONTINUED) {
		out->kind = PW_STATUS_CONTINUED;	/* si_status: SIGCONT */
	}
}
