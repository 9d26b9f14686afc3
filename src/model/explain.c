/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The texts behind --explain.  Each is one short, accurate line; they cite
 * the behaviour of clone(2), execve(2) and wait(2) as the man pages state it.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/explain.h"
#include "procwatch/xlat.h"

static const struct {
	const char *name;
	const char *text;
} clone_flag_texts[] = {
	{ "CLONE_VM", "shares the parent's memory: writes by one are seen by the other" },
	{ "CLONE_FS", "shares the working directory, root and umask: a chdir in one moves both" },
	{ "CLONE_FILES", "shares the file descriptor table: an open or close in one is seen by both" },
	{ "CLONE_SIGHAND", "shares signal handlers: a sigaction in one changes both" },
	{ "CLONE_PIDFD", "returns a pidfd for the child, a descriptor that names it without pid reuse races" },
	{ "CLONE_PTRACE", "the child is traced by the parent's tracer too" },
	{ "CLONE_VFORK", "the parent is suspended until the child execs or exits" },
	{ "CLONE_PARENT", "the child gets the caller's parent as its parent: the caller cannot wait for it" },
	{ "CLONE_THREAD", "the child is a thread in the caller's process: same pid, its own tid" },
	{ "CLONE_NEWNS", "the child gets its own copy of the mount table" },
	{ "CLONE_SYSVSEM", "shares System V semaphore undo values" },
	{ "CLONE_SETTLS", "the child starts with its own thread-local storage area" },
	{ "CLONE_PARENT_SETTID", "the kernel writes the child's tid into the parent's memory" },
	{ "CLONE_CHILD_CLEARTID", "when the child exits, the kernel clears its tid in memory and wakes waiters: how pthread_join learns a thread ended" },
	{ "CLONE_DETACHED", "ignored since Linux 2.6.2" },
	{ "CLONE_UNTRACED", "a tracer cannot force tracing on the child" },
	{ "CLONE_CHILD_SETTID", "the kernel writes the child's tid into the child's memory (glibc's fork caches it this way)" },
	{ "CLONE_NEWCGROUP", "the child gets its own cgroup namespace" },
	{ "CLONE_NEWUTS", "the child gets its own hostname and domain name" },
	{ "CLONE_NEWIPC", "the child gets its own System V IPC and POSIX message queues" },
	{ "CLONE_NEWUSER", "the child gets its own user namespace, where it can be root" },
	{ "CLONE_NEWPID", "the child is pid 1 of a new pid namespace" },
	{ "CLONE_NEWNET", "the child gets its own network stack" },
	{ "CLONE_IO", "shares the I/O scheduling context" },
	{ "CLONE_NEWTIME", "the child gets its own time namespace (clone3 only)" },
	{ "CLONE_CLEAR_SIGHAND", "the child starts with every handled signal reset to its default" },
	{ "CLONE_INTO_CGROUP", "the child starts in the cgroup the given descriptor names" },
};

const char *
pw_explain_clone_flag(const char *name)
{
	size_t i;

	for (i = 0; name && i < PW_ARRAY_SIZE(clone_flag_texts); i++)
		if (!strcmp(clone_flag_texts[i].name, name))
			return clone_flag_texts[i].text;
	return NULL;
}

const char *
pw_explain_spawn_kind(enum pw_spawn_kind kind)
{
	switch (kind) {
	case PW_SPAWN_FORK:
		return "fork: a copy of the process, memory copied on write; both continue from the call";
	case PW_SPAWN_VFORK:
		return "vfork: the child borrows the parent's memory, and the parent waits until the child execs or exits";
	case PW_SPAWN_POSIX_SPAWN:
		return "posix_spawn: like vfork (shared memory, parent waits), used to start a program without copying the parent";
	case PW_SPAWN_THREAD:
		return "thread: a new thread of the same process, sharing its memory, files and signal handlers";
	case PW_SPAWN_CLONE:
	default:
		return "clone: a new task sharing exactly what the flags say";
	}
}

const char *
pw_explain_exit_signal(const struct pw_spawn *sp, char *buf, size_t size)
{
	char sig[32];

	if (sp->thread || sp->kind == PW_SPAWN_THREAD)
		return NULL;
	if (sp->exit_signal == 0) {
		snprintf(buf, size, "no exit signal: the parent is not told when the child "
			 "ends, and only a wait with __WALL or __WCLONE finds it");
		return buf;
	}
	pw_signal_format(sp->exit_signal, sig, sizeof(sig));
	if (sp->exit_signal == SIGCHLD)
		snprintf(buf, size, "SIGCHLD: the signal the parent gets when the child ends, "
			 "as wait expects");
	else
		snprintf(buf, size, "%s: sent to the parent instead of SIGCHLD when the child "
			 "ends; only a wait with __WALL or __WCLONE finds it", sig);
	return buf;
}

static const char *const exec_texts[] = {
	"exec replaces the program: same pid, parent, children and working directory",
	"kept: descriptors without close-on-exec, signal mask, ignored signals, resource limits",
	"reset: caught signals go back to their default action; memory, other threads and close-on-exec descriptors are gone",
	NULL,
};

const char *const *
pw_explain_exec(void)
{
	return exec_texts;
}

/* Why a signal usually kills: the commonest causes, in a word or two. */
static const char *
signal_cause(int sig)
{
	switch (sig) {
	case SIGSEGV: return "an invalid memory access";
	case SIGABRT: return "abort(), often a failed assertion";
	case SIGBUS: return "a bad memory access (e.g. a truncated mapped file)";
	case SIGFPE: return "an arithmetic error such as division by zero";
	case SIGILL: return "an illegal instruction";
	case SIGKILL: return "SIGKILL, which cannot be caught";
	case SIGTERM: return "a polite request to terminate";
	case SIGINT: return "an interrupt, e.g. Ctrl-C";
	case SIGPIPE: return "writing to a pipe nobody reads";
	case SIGHUP: return "a hangup of its terminal";
	default: return NULL;
	}
}

const char *
pw_explain_status(const struct pw_status *st, char *buf, size_t size)
{
	const char *cause;
	char sig[32];

	pw_signal_format(st->signal, sig, sizeof(sig));
	switch (st->kind) {
	case PW_STATUS_EXITED:
		snprintf(buf, size, st->code == 0 ? "exited normally with code 0 (success)"
			 : "exited with code %d: by convention, a failure", st->code);
		break;
	case PW_STATUS_KILLED:
		cause = signal_cause(st->signal);
		snprintf(buf, size, "killed by %s%s%s%s", sig, cause ? ": " : "",
			 cause ? cause : "", st->core ? "; a core file was written" : "");
		break;
	case PW_STATUS_STOPPED:
		snprintf(buf, size, "stopped by %s: suspended until SIGCONT (job control)", sig);
		break;
	case PW_STATUS_CONTINUED:
		snprintf(buf, size, "continued by SIGCONT after a stop");
		break;
	case PW_STATUS_TRAPPED:
		snprintf(buf, size, "stopped by its tracer (%s)", sig);
		break;
	case PW_STATUS_NONE:
	default:
		snprintf(buf, size, "nothing to report yet (WNOHANG)");
		break;
	}
	return buf;
}

/* include/uapi/linux/fcntl.h, Documentation/userspace-api/check_exec.rst */
const char *
pw_explain_exec_check(void)
{
	return "execveat with AT_EXECVE_CHECK only asks whether the file could be "
	       "executed (as an interpreter does before running a script); nothing "
	       "is executed and the process is unchanged";
}

/* ptrace(2), PTRACE_SEIZE: a tracer sees a task's events from the seize on. */
const char *
pw_explain_attach(void)
{
	return "attached: the process was already running; procwatch sees only what "
	       "it does from now on, not how it started or what it ran before";
}
