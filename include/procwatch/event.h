/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct pw_event: the one plain value that flows from the tracer (or the
 * replay reader) to the sinks.  Read this header first: every other part of
 * procwatch either produces these values or consumes them.
 *
 * An event owns the heap memory it points to (exec path and argv, stacks);
 * release it with pw_event_clear().  Nothing here refers to ptrace: sinks
 * and unit tests build events by hand.
 */
#ifndef PROCWATCH_EVENT_H
#define PROCWATCH_EVENT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PW_TRACE_FORMAT_VERSION 1

enum pw_event_kind {
	/*
	 * The trace's header, its first line (traces written before it have
	 * none): where, when and how the trace was recorded.
	 */
	PW_EV_TRACE,
	PW_EV_START,
	PW_EV_ATTACH,	/* a process already running when procwatch attached (-p) */
	PW_EV_SPAWN,
	PW_EV_EXEC,
	/*
	 * execveat with AT_EXECVE_CHECK (Linux 6.14): the kernel checked
	 * whether the file could be executed and executed nothing.  Same
	 * payload as an exec (u.exec), but no new program: kept apart so that
	 * nothing mistakes it for one.
	 */
	PW_EV_EXEC_CHECK,
	PW_EV_WAIT,
	PW_EV_EXIT,
	PW_EV_SIGNAL,
	PW_EV_END,
};

/* The system calls procwatch decodes (x86-64 numbering in src/event/syscalls.c). */
enum pw_call {
	PW_CALL_NONE,
	PW_CALL_CLONE,
	PW_CALL_CLONE3,
	PW_CALL_FORK,
	PW_CALL_VFORK,
	PW_CALL_EXECVE,
	PW_CALL_EXECVEAT,
	PW_CALL_WAIT4,
	PW_CALL_WAITID,
	PW_CALL_EXIT,
	PW_CALL_EXIT_GROUP,
};

/*
 * Bytes copied out of the tracee (a path, one argv element).  They may hold
 * any byte but NUL; sinks decide how to show bytes that are not UTF-8.
 * data is NUL-terminated for convenience.  When the tracee pointer could not
 * be read, data is NULL and err holds the positive errno (EFAULT, ESRCH...).
 */
struct pw_bytes {
	char *data;
	size_t len;
	int err;
};

/* What a spawn amounts to, judged from the call and its flags. */
enum pw_spawn_kind {
	PW_SPAWN_FORK,
	PW_SPAWN_VFORK,
	PW_SPAWN_POSIX_SPAWN,	/* CLONE_VM|CLONE_VFORK from clone/clone3 */
	PW_SPAWN_THREAD,	/* CLONE_THREAD */
	PW_SPAWN_CLONE,		/* anything else */
};

#define PW_SET_TID_MAX 32	/* kernel MAX_PID_NS_LEVEL */
/*
 * The largest pid or tid the kernel can hand out: pid_max is at most
 * PID_MAX_LIMIT (2^22 on 64 bits, include/linux/threads.h), and ids are
 * below pid_max.  A trace naming any other id (0, negative) is damaged.
 */
#define PW_PID_LIMIT (4194304 - 1)

/*
 * The result of a spawn or exec that never returned: the task died in the
 * call (SIGKILL, or another thread's exit_group or exec).  The attempt is
 * still written, since what a program tried to run is worth knowing.
 */
#define PW_RESULT_UNFINISHED LONG_MIN

/*
 * A spawn's or exec's result is -errno when it failed.  The sentinel is
 * negative too but no errno: negating it overflows, so every reader that
 * names an errno asks this first.
 */
static inline bool
pw_result_failed(long result)
{
	return result < 0 && result != PW_RESULT_UNFINISHED;
}

/*
 * One frame of a user-space stack (-k).  fn is the function's symbol and off
 * the distance of ip from its start; without a symbol (a stripped object)
 * fn is NULL and off is ip's address within obj, as objdump and addr2line
 * count it.  obj (the mapped file) is NULL for code in no file: JIT code,
 * anonymous memory.
 */
struct pw_frame {
	uint64_t ip;
	uint64_t off;
	char *fn;		/* the symbol, as the object's symbol table has it */
	char *demangled;	/* fn demangled (C++, Rust); NULL if not mangled */
	char *obj;
};

#define PW_STACK_DEPTH_DEFAULT 16
#define PW_STACK_DEPTH_MAX 256

/*
 * The calling thread's user-space stack at a spawn or exec entry, innermost
 * frame first.  requested is false when no stack was asked for (no -k):
 * sinks then say nothing about stacks.  note says why a requested stack is
 * missing or cut short ("the task died while being unwound", "deeper than
 * 16 frames"); NULL when the walk reached the outermost frame.
 */
struct pw_stack {
	bool requested;
	struct pw_frame *frames;
	size_t nframes;
	char *note;
};

struct pw_spawn {
	enum pw_call call;
	uint64_t flags;		/* CLONE_* bits; the exit signal is not in here */
	int exit_signal;	/* 0 when the child sends none */
	enum pw_spawn_kind kind;
	pid_t child;		/* new tid (tracer's pid namespace); 0 on failure */
	bool thread;		/* joined the caller's thread group */
	pid_t parent;		/* the process that will reap the child */
	long result;		/* new pid, -errno, or PW_RESULT_UNFINISHED */
	long result_ns;		/* the new pid as the caller saw it, if not result; else 0 */
	/* clone3 only (call == PW_CALL_CLONE3) */
	uint64_t args_size;	/* the size argument as passed */
	bool args_unreadable;	/* struct clone_args could not be read / size < 64 */
	bool args_tail_nonzero;	/* size > what we know and the tail is not zero */
	uint64_t cgroup;	/* cgroup fd, meaningful with CLONE_INTO_CGROUP */
	size_t set_tid_size;
	pid_t set_tid[PW_SET_TID_MAX];
	struct pw_stack stack;	/* the caller's, at the entry (-k) */
};

/*
 * A spawn that made a process procwatch does not follow: it succeeded (its
 * result is a pid) but the kernel reported no fork event for it, which is
 * what CLONE_UNTRACED asks for (ptrace(2): the tracer cannot force
 * tracing on such a child).  Nothing it or its descendants do is traced.
 */
static inline bool
pw_spawn_untraced(const struct pw_spawn *sp)
{
	return sp->result > 0 && sp->child == 0;
}

/* A file descriptor a new program inherited, and what it refers to. */
struct pw_fd {
	int fd;
	struct pw_bytes target;	/* /proc/PID/fd/N: "/path", "pipe:[123]", "socket:[45]" */
};

#define PW_EXEC_MAX_FDS 256	/* inherited descriptors recorded per exec */

/*
 * --env: the environment an exec call passed (envp), as the trace carries
 * it.  At the call's entry the tracer reads it whole (whole, set in envp
 * order); before the event is written it becomes the change from the
 * environment of the exec before it in the same lineage
 * (include/procwatch/envdiff.h: which exec that is, what a change means).
 * An entry is "NAME=VALUE", or any bytes without '=' (they occur).
 */
struct pw_env {
	bool recorded;		/* the exec carries an environment (--env) */
	bool whole;		/* set is the whole environment; else a change */
	bool truncated;		/* the count or byte limit cut envp short */
	int err;		/* positive errno: the envp array itself was unreadable */
	uint32_t check;		/* a change: pw_env_check() of the environment it gives */
	struct pw_bytes *set;	/* entries: the whole, or new and changed ones, in envp order */
	size_t nset;
	struct pw_bytes *unset;	/* a change: the names it removes */
	size_t nunset;
	uint32_t *order;	/* a change: its entries' order, when not the rule's */
	size_t norder;
};

struct pw_exec {
	enum pw_call call;
	int dirfd;		/* execveat only */
	int at_flags;		/* execveat only: AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW */
	struct pw_bytes path;	/* as passed; for AT_EMPTY_PATH the file the fd names */
	struct pw_bytes *argv;	/* argc elements */
	size_t argc;
	/*
	 * NULL, or one block holding the bytes of every argv element whose
	 * data is not NULL, end to end with their NULs: the tracer reads an
	 * argv of tens of thousands of strings into one allocation.  Freed
	 * whole (pw_exec_argv_clear), never element by element.
	 */
	char *argv_strings;
	/*
	 * argv was cut short: by the count or byte limit, or (result
	 * PW_RESULT_UNFINISHED) by the task's death inside the exec, which
	 * left argv[0] alone read (the rest is read from the image the
	 * outcome leaves: src/tracer/ptrace_event.c, take_image_argv).
	 */
	bool argv_truncated;
	int argv_err;		/* positive errno: the argv array itself was unreadable */
	long result;		/* 0, -errno, or PW_RESULT_UNFINISHED */
	pid_t old_tid;		/* a non-leader thread exec'd: its former tid; else 0 */
	struct pw_bytes cwd;	/* the working directory at the call; data NULL if unknown */
	/* After a successful exec only (read at PTRACE_EVENT_EXEC): */
	struct pw_bytes exe;	/* the file the kernel runs: a #! script's interpreter */
	/*
	 * exe is not the file path names, but its #! interpreter: judged by
	 * the tracer, on the traced machine (pw_exec_is_script), and recorded,
	 * since the files of the machine a trace is shown on say nothing.
	 */
	bool script;
	struct pw_fd *fds;	/* descriptors above 2 that survived the exec, by number */
	size_t nfds;
	bool fds_truncated;	/* more than PW_EXEC_MAX_FDS */
	struct pw_stack stack;	/* the caller's, at the entry (-k) */
	struct pw_env env;	/* --env */
};

enum pw_status_kind {
	PW_STATUS_NONE,		/* nothing was reported (WNOHANG, failure) */
	PW_STATUS_EXITED,
	PW_STATUS_KILLED,
	PW_STATUS_STOPPED,
	PW_STATUS_CONTINUED,
	PW_STATUS_TRAPPED,	/* CLD_TRAPPED from waitid: a tracer's wait */
};

struct pw_status {
	enum pw_status_kind kind;
	int code;		/* EXITED: exit code */
	int signal;		/* KILLED, STOPPED, TRAPPED */
	bool core;		/* KILLED: a core was dumped */
};

/*
 * Process ids a tracee in another pid namespace saw or passed are given in
 * procwatch's namespace; the *_ns fields keep the tracee's own value when
 * it differs (else 0).  A translated value of 0 beside a non-zero *_ns one
 * means no process procwatch knows has that id (written as null).
 */
struct pw_wait {
	enum pw_call call;
	long target;		/* wait4: pid argument; waitid: id */
	long target_ns;
	int idtype;		/* waitid: P_ALL, P_PID, P_PGID, P_PIDFD */
	int options;		/* WNOHANG, WUNTRACED, __WALL, ... */
	long result;		/* pid reaped (waitid: si_pid), 0, or -errno */
	long result_ns;
	struct pw_status status;
};

/* Which members of struct pw_usage were read. */
enum {
	PW_USAGE_USER = 1 << 0,
	PW_USAGE_SYSTEM = 1 << 1,
	PW_USAGE_PEAK_RSS = 1 << 2,
};

/*
 * A process's resource use at its end, read while it could still be read
 * (src/tracer/usage.c says where and why).  known says which members hold
 * a value; 0, what a zeroed event has, is "nothing was read".
 */
struct pw_usage {
	uint64_t user_us;	/* CPU time in user mode: every thread, its whole life */
	uint64_t system_us;	/* and in the kernel */
	/*
	 * VmHWM: peak resident memory of its last program, in KiB; 32 bits
	 * hold 4 TiB, and the model keeps one per process.
	 */
	uint32_t peak_rss_kib;
	uint8_t known;		/* PW_USAGE_* bits */
};

struct pw_exit {
	bool thread;		/* a thread other than the leader ended */
	struct pw_status status;	/* EXITED or KILLED */
	enum pw_call call;	/* EXIT, EXIT_GROUP or NONE (signal, or another thread's exit_group/exec) */
	struct pw_usage usage;	/* a process's only (not a thread's); known 0 when unknown */
};

struct pw_signal {
	int signal;
	pid_t sender;		/* 0 when not known (kernel-generated) */
	pid_t sender_ns;	/* as the receiver's namespace numbers it, if not sender */
	int code;		/* si_code */
};

struct pw_start {
	char **argv;		/* procwatch's traced command; not owned (none with attach) */
	size_t argc;
	bool attach;		/* mode: launch or attach */
	const pid_t *pids;	/* attach: the processes asked for (-p); not owned */
	size_t npids;
	bool seccomp;
	const char *version;
	pid_t tracer;		/* procwatch's own pid: the parent of the root, and of its CLONE_PARENT children */
};

/*
 * The trace header: what a reader of a trace from another machine needs
 * to know of where, when and how it was recorded.  pid and tid are 0: it
 * is no task's.  Owns its memory.
 */
struct pw_trace {
	uint64_t wall_us;	/* CLOCK_REALTIME at trace time 0, in µs since 1970; 0 if unknown */
	struct pw_bytes version;	/* of procwatch */
	struct pw_bytes hostname;	/* uname(2) nodename */
	struct pw_bytes kernel;		/* uname(2) release */
	struct pw_bytes cwd;		/* procwatch's working directory; data NULL if unknown */
	struct pw_bytes *argv;		/* the command procwatch ran; none with -p */
	size_t argc;
	pid_t *pids;			/* -p: the processes asked for */
	size_t npids;
	bool attach;			/* mode: launch or attach */
	/* The options that change what is recorded: */
	bool seccomp;			/* false with --no-seccomp (the same events, more stops) */
	unsigned stack_depth;		/* -k: frames per stack; 0 without */
};

struct pw_end {
	struct pw_status status;	/* of the traced command (NONE with attach) */
	unsigned long lost;		/* events procwatch knows it missed */
	bool detached;			/* attach: procwatch let go of processes still running */
};

/*
 * A process that was already running when procwatch attached to it (-p),
 * as /proc showed it then; one event per process, each after its parent's
 * when the parent was attached too.  Owns its memory.
 */
struct pw_attach {
	pid_t parent;		/* its parent (/proc/PID/status PPid); 0 if unknown */
	pid_t *tids;		/* its threads when attached, the leader first */
	size_t ntids;
	struct pw_bytes *argv;	/* /proc/PID/cmdline, as the process left it */
	size_t argc;
	bool argv_truncated;
	struct pw_bytes exe;	/* /proc/PID/exe; data NULL if unknown */
	struct pw_bytes cwd;	/* /proc/PID/cwd; data NULL if unknown */
	uint64_t age_us;	/* how long it had been running (/proc/PID/stat starttime) */
};

struct pw_event {
	enum pw_event_kind kind;
	uint64_t time_us;	/* microseconds since the trace started */
	pid_t pid;		/* thread group id */
	pid_t tid;
	union {
		struct pw_trace trace;
		struct pw_start start;
		struct pw_attach attach;
		struct pw_spawn spawn;
		struct pw_exec exec;
		struct pw_wait wait;
		struct pw_exit exit;
		struct pw_signal signal;
		struct pw_end end;
	} u;
};

static inline bool
pw_call_is_spawn(enum pw_call call)
{
	return call == PW_CALL_CLONE || call == PW_CALL_CLONE3 ||
	       call == PW_CALL_FORK || call == PW_CALL_VFORK;
}

static inline bool
pw_call_is_exec(enum pw_call call)
{
	return call == PW_CALL_EXECVE || call == PW_CALL_EXECVEAT;
}

static inline bool
pw_call_is_wait(enum pw_call call)
{
	return call == PW_CALL_WAIT4 || call == PW_CALL_WAITID;
}

/* An exec or an exec check: the events whose payload is u.exec. */
static inline bool
pw_event_is_exec_like(const struct pw_event *ev)
{
	return ev->kind == PW_EV_EXEC || ev->kind == PW_EV_EXEC_CHECK;
}

/* Frees what the event owns (exec path, argv, stacks) and zeroes those fields. */
void pw_event_clear(struct pw_event *ev);
void pw_bytes_clear(struct pw_bytes *b);
void pw_stack_clear(struct pw_stack *st);
void pw_env_clear(struct pw_env *env);
/* Frees ex's argv (either way it is held) and empties it: argc, argv_truncated, argv_err too. */
void pw_exec_argv_clear(struct pw_exec *ex);
/*
 * Deep copies, for a sink that keeps part of an event past its call.  On
 * failure (-ENOMEM) dst holds what was copied so far: clear it.
 */
int pw_bytes_dup(struct pw_bytes *dst, const struct pw_bytes *src);
int pw_stack_copy(struct pw_stack *dst, const struct pw_stack *src);

/* The wait freed the child's pid: it reported an exit or a kill, without WNOWAIT. */
bool pw_wait_reaps(const struct pw_wait *wt);

const char *pw_event_kind_name(enum pw_event_kind kind);
/* "exited", "killed", "stopped", "continued", "trapped"; NULL for NONE. */
const char *pw_status_kind_name(enum pw_status_kind kind);
/* The kind named name; PW_STATUS_NONE when there is none. */
enum pw_status_kind pw_status_kind_from_name(const char *name);
/* Syscall numbers (x86-64) -> enum pw_call, and back: -1 for PW_CALL_NONE. */
enum pw_call pw_call_from_nr(long nr);
long pw_call_nr(enum pw_call call);
const char *pw_call_name(enum pw_call call);	/* "clone", ...; NULL for NONE */
const char *pw_spawn_kind_name(enum pw_spawn_kind kind);

#endif
