/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hand-built events for the unit tests of the model and the sinks: one
 * constructor per event the tracer writes, filled as the tracer fills it
 * for the usual libc call, so that a test names only what it is about and
 * overrides the odd field (a failed result, a stack, another call).
 *
 * Events come back by value.  Strings, argv, tids and pids are borrowed,
 * never copied: they must outlive every use of the event (string literals,
 * or the test's own arrays), and no test frees anything or calls
 * pw_event_clear() on these.
 *
 * Static inline functions in a header, like cli_parse.h and pw_fake_mem.h:
 * each unit test stays one .c file in tests/meson.build, and a test that
 * needs only some of these gets no unused-function warning for the rest.
 */
#ifndef PW_TEST_EVENT_BUILDER_H
#define PW_TEST_EVENT_BUILDER_H

#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "procwatch/event.h"

/* Tracee bytes for a static initializer: s must be a string literal. */
#define EV_BYTES(s) { .data = (char *)(s), .len = sizeof(s) - 1 }

/* Tracee bytes borrowed from s; NULL is what the tracer could not read. */
static inline struct pw_bytes
ev_bytes(const char *s)
{
	return (struct pw_bytes){ .data = (char *)s, .len = s ? strlen(s) : 0 };
}

static inline struct pw_event
ev_new(enum pw_event_kind kind, uint64_t t, pid_t pid, pid_t tid)
{
	return (struct pw_event){ .kind = kind, .time_us = t, .pid = pid, .tid = tid };
}

/* val is the exit code of PW_STATUS_EXITED, the signal of any other kind. */
static inline struct pw_status
ev_status(enum pw_status_kind kind, int val)
{
	if (kind == PW_STATUS_EXITED)
		return (struct pw_status){ .kind = kind, .code = val };
	return (struct pw_status){ .kind = kind, .signal = val };
}

/* procwatch launched argv (argc elements) as pid. */
static inline struct pw_event
ev_start(uint64_t t, pid_t pid, char **argv, size_t argc)
{
	struct pw_event ev = ev_new(PW_EV_START, t, pid, pid);

	ev.u.start.argv = argv;
	ev.u.start.argc = argc;
	return ev;
}

/* procwatch attached to pids (-p): the tracer names the first in pid. */
static inline struct pw_event
ev_attach_start(uint64_t t, const pid_t *pids, size_t npids)
{
	struct pw_event ev = ev_new(PW_EV_START, t, pids[0], pids[0]);

	ev.u.start.attach = true;
	ev.u.start.pids = pids;
	ev.u.start.npids = npids;
	return ev;
}

/* A process found running at an attach; no exe or cwd (set them if wanted). */
static inline struct pw_event
ev_attach(uint64_t t, pid_t pid, pid_t parent, struct pw_bytes *argv, size_t argc,
	  pid_t *tids, size_t ntids, uint64_t age_us)
{
	struct pw_event ev = ev_new(PW_EV_ATTACH, t, pid, pid);

	ev.u.attach.parent = parent;
	ev.u.attach.argv = argv;
	ev.u.attach.argc = argc;
	ev.u.attach.tids = tids;
	ev.u.attach.ntids = ntids;
	ev.u.attach.age_us = age_us;
	return ev;
}

/* The flags glibc's pthread_create passes to clone. */
#define EV_THREAD_FLAGS \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
	 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/*
 * Thread tid of pid made child, the way libc makes a spawn of that kind:
 * fork() is clone(CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD),
 * vfork() its own call, posix_spawn clone(CLONE_VM|CLONE_VFORK|SIGCHLD),
 * pthread_create clone(EV_THREAD_FLAGS) with no exit signal.  A failed
 * spawn passes child 0 and sets result.
 */
static inline struct pw_event
ev_spawn(uint64_t t, pid_t pid, pid_t tid, enum pw_spawn_kind kind, pid_t child)
{
	struct pw_event ev = ev_new(PW_EV_SPAWN, t, pid, tid);
	struct pw_spawn *sp = &ev.u.spawn;

	sp->call = PW_CALL_CLONE;
	sp->exit_signal = SIGCHLD;
	sp->kind = kind;
	sp->child = child;
	sp->thread = kind == PW_SPAWN_THREAD;
	sp->parent = pid;
	sp->result = child;
	switch (kind) {
	case PW_SPAWN_FORK:
		sp->flags = CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
		break;
	case PW_SPAWN_VFORK:
		sp->call = PW_CALL_VFORK;
		sp->flags = CLONE_VM | CLONE_VFORK;
		break;
	case PW_SPAWN_POSIX_SPAWN:
		sp->flags = CLONE_VM | CLONE_VFORK;
		break;
	case PW_SPAWN_THREAD:
		sp->flags = EV_THREAD_FLAGS;
		sp->exit_signal = 0;
		break;
	case PW_SPAWN_CLONE:
		break;
	}
	return ev;
}

/* The spawn most tests want: pid's main thread forks child. */
static inline struct pw_event
ev_fork(uint64_t t, pid_t pid, pid_t child)
{
	return ev_spawn(t, pid, pid, PW_SPAWN_FORK, child);
}

/*
 * pid execve'd path with argv (argc elements) in cwd (NULL: not read) and
 * got result (0, -errno or PW_RESULT_UNFINISHED).
 */
static inline struct pw_event
ev_exec(uint64_t t, pid_t pid, const char *path, struct pw_bytes *argv, size_t argc,
	const char *cwd, long result)
{
	struct pw_event ev = ev_new(PW_EV_EXEC, t, pid, pid);

	ev.u.exec.call = PW_CALL_EXECVE;
	ev.u.exec.path = ev_bytes(path);
	ev.u.exec.argv = argv;
	ev.u.exec.argc = argc;
	ev.u.exec.cwd = ev_bytes(cwd);
	ev.u.exec.result = result;
	return ev;
}

/* Thread tid of pid ended; a thread other than the leader is a thread exit. */
static inline struct pw_event
ev_exit(uint64_t t, pid_t pid, pid_t tid, struct pw_status status)
{
	struct pw_event ev = ev_new(PW_EV_EXIT, t, pid, tid);

	ev.u.exit.thread = pid != tid;
	ev.u.exit.status = status;
	return ev;
}

/* tid called exit (a thread) or exit_group (the leader) with code. */
static inline struct pw_event
ev_exited(uint64_t t, pid_t pid, pid_t tid, int code)
{
	struct pw_event ev = ev_exit(t, pid, tid, ev_status(PW_STATUS_EXITED, code));

	ev.u.exit.call = pid != tid ? PW_CALL_EXIT : PW_CALL_EXIT_GROUP;
	return ev;
}

/* ev, the exit of a process, with what it used (every member read). */
static inline struct pw_event
ev_with_usage(struct pw_event ev, uint64_t user_us, uint64_t system_us, uint64_t peak_kib)
{
	ev.u.exit.usage = (struct pw_usage){
		.known = PW_USAGE_USER | PW_USAGE_SYSTEM | PW_USAGE_PEAK_RSS,
		.user_us = user_us, .system_us = system_us, .peak_rss_kib = peak_kib,
	};
	return ev;
}

/* A signal killed tid: no call. */
static inline struct pw_event
ev_killed(uint64_t t, pid_t pid, pid_t tid, int sig)
{
	return ev_exit(t, pid, tid, ev_status(PW_STATUS_KILLED, sig));
}

/* pid's wait4(-1, ..., 0) reaped child, which had ended with status. */
static inline struct pw_event
ev_reap(uint64_t t, pid_t pid, pid_t child, struct pw_status status)
{
	struct pw_event ev = ev_new(PW_EV_WAIT, t, pid, pid);

	ev.u.wait.call = PW_CALL_WAIT4;
	ev.u.wait.target = -1;
	ev.u.wait.result = child;
	ev.u.wait.status = status;
	return ev;
}

/* pid received sig from sender (0: the kernel). */
static inline struct pw_event
ev_signal(uint64_t t, pid_t pid, int sig, pid_t sender)
{
	struct pw_event ev = ev_new(PW_EV_SIGNAL, t, pid, pid);

	ev.u.signal.signal = sig;
	ev.u.signal.sender = sender;
	return ev;
}

/* The launched command pid exited with code: the trace is over. */
static inline struct pw_event
ev_end(uint64_t t, pid_t pid, int code)
{
	struct pw_event ev = ev_new(PW_EV_END, t, pid, pid);

	ev.u.end.status = ev_status(PW_STATUS_EXITED, code);
	return ev;
}

/* The end of an attach: no command status; detached if some still ran. */
static inline struct pw_event
ev_end_attach(uint64_t t, bool detached)
{
	struct pw_event ev = ev_new(PW_EV_END, t, 0, 0);

	ev.u.end.detached = detached;
	return ev;
}

#endif
