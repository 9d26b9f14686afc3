/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Round-trip property test of the JSON sink and the replay reader: every
 * event the tracer can produce, written as a JSON Lines trace and read back
 * with pw_replay_next(), is the very same struct pw_event, field by field;
 * and writing the events read back gives the very same bytes, which is
 * what `procwatch show --json` promises.
 *
 * The events are drawn by a small deterministic PRNG from fixed seeds, so
 * a failure names its seed and reproduces.  Each field is drawn over the
 * whole range the tracer can put in it (read off src/decode/ and
 * src/tracer/, noted at each draw), with its boundaries drawn often:
 * register-sized values such as an exec's result are any long, because a
 * seccomp user-notification supervisor can make a call return any value
 * (kernel/seccomp.c, seccomp_do_user_notification).
 * PW_ROUNDTRIP_SEEDS=N runs seeds 1..N instead of the default.
 *
 * One thing is not compared: why a string was unreadable.  The trace
 * writes such a string as null and keeps no errno for it (procwatch(1),
 * SHOW), so only that it was unreadable must come back.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "procwatch/base.h"
#include "procwatch/decode.h"
#include "procwatch/replay.h"
#include "procwatch/sink.h"
#include "test_rng.h"

#define CLONE_INTO_CGROUP_BIT (1ULL << 33)
#define PID_MAX 4194304		/* include/linux/threads.h: PID_MAX_LIMIT, 64-bit */
#define MAX_ERRNO 4095		/* include/linux/err.h */
/* Microseconds a double still holds exactly as "t" (seconds): 2^32 s. */
#define TIME_MAX (4294967296ULL * 1000000 - 1)

#define DEFAULT_SEEDS 64
#define EVENTS_PER_SEED 64

static bool
one_in(struct gen *g, uint64_t n)
{
	return rnd(g) % n == 0;
}

static bool
coin(struct gen *g)
{
	return one_in(g, 2);
}

/* Random bits of a random width, so that small values come up often. */
static uint64_t
rnd_bits(struct gen *g)
{
	return rnd(g) >> (rnd(g) % 64);
}

/*
 * A value of [lo, hi]: often a bound or a neighbour of one, or 0 and its
 * neighbours, otherwise random of a random width and sign.  Arithmetic is
 * unsigned so that no bound can overflow it.
 */
static int64_t
draw(struct gen *g, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)hi - (uint64_t)lo, r = rnd_bits(g);
	int64_t v;

	switch (rnd(g) % 8) {
	case 0:
		return lo;
	case 1:
		return hi;
	case 2:
		return (int64_t)((uint64_t)lo + (span ? 1 : 0));
	case 3:
		return (int64_t)((uint64_t)hi - (span ? 1 : 0));
	case 4:
		v = (int64_t)(rnd(g) % 3) - 1;
		break;
	default:
		v = coin(g) ? (int64_t)r : (int64_t)(0 - r);
		break;
	}
	if (v >= lo && v <= hi)
		return v;
	return (int64_t)((uint64_t)lo + (span == UINT64_MAX ? r : r % (span + 1)));
}

static uint64_t
draw_u(struct gen *g, uint64_t lo, uint64_t hi)
{
	uint64_t span = hi - lo, r = rnd_bits(g);

	switch (rnd(g) % 6) {
	case 0:
		return lo;
	case 1:
		return hi;
	case 2:
		return lo + (span ? 1 : 0);
	case 3:
		return hi - (span ? 1 : 0);
	default:
		return lo + (span == UINT64_MAX ? r : r % (span + 1));
	}
}

static int
draw_int(struct gen *g)
{
	return (int)draw(g, INT_MIN, INT_MAX);
}

static pid_t
draw_pid(struct gen *g)
{
	return (pid_t)draw(g, 1, PID_MAX);
}

/* -errno, or anything else a register may hold; never the sentinel. */
static long
draw_result(struct gen *g)
{
	if (coin(g))
		return -(long)draw(g, 1, MAX_ERRNO);
	return (long)draw(g, LONG_MIN + 1, LONG_MAX);
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = n ? calloc(n, size) : NULL;

	cr_assert(p || !n, "out of memory");
	return p;
}

/* Pieces of byte strings: what UTF-8 validation and JSON escaping must get right. */
static const char *const pieces[] = {
	"/", "a", "Z", " ", "\"", "\\", "\t", "\n", "\r", "\b", "\f", "\x01",
	"\x1b[31m", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
	"\xef\xbf\xbd", "\xe2\x80\xae", "\xf4\x8f\xbf\xbf",
	"\x80", "\xbf", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80",
	"\xed\xbf\xbf", "\xf0\x80\x80\xaf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
	"\xfe", "\xff", "\xe2\x82", "\xf0\x9f\x98",
};

/*
 * Any bytes but NUL (event.h): pieces and random bytes, mostly short, now
 * and then long enough to need more than one buffer of hex digits.
 */
static char *
draw_text(struct gen *g, size_t *len_out)
{
	size_t max = one_in(g, 16) ? 300 : 24, len = 0, n;
	char *s = malloc(max + 5);
	const char *p;

	cr_assert_not_null(s);
	n = (size_t)draw_u(g, 0, max);
	while (len < n) {
		if (coin(g)) {
			s[len++] = (char)draw_u(g, 1, 255);
			continue;
		}
		p = pieces[rnd(g) % (PW_ARRAY_SIZE(pieces))];
		memcpy(s + len, p, strlen(p));
		len += strlen(p);
	}
	s[len] = '\0';
	if (len_out)
		*len_out = len;
	return s;
}

/* A C string (symbols, object paths, notes, procwatch's own argv). */
static char *
draw_cstr(struct gen *g, bool nullable)
{
	if (nullable && one_in(g, 4))
		return NULL;
	return draw_text(g, NULL);
}

/* Bytes from the tracee; unreadable ones have data NULL and an errno. */
static void
draw_bytes(struct gen *g, struct pw_bytes *b, bool nullable)
{
	static const int errs[] = { EFAULT, ESRCH, EIO, ENOMEM, ENAMETOOLONG };

	*b = (struct pw_bytes){ 0 };
	if (nullable && one_in(g, 6)) {
		b->err = errs[rnd(g) % (PW_ARRAY_SIZE(errs))];
		return;
	}
	b->data = draw_text(g, &b->len);
}

/*
 * -k: frames as pw_symbolize() fills them (src/unwind/symbolize.c): no
 * object means no symbol and off 0; off is u64 arithmetic on addresses
 * and an ELF file's p_vaddr, any value for a crafted object.
 */
static void
draw_stack(struct gen *g, struct pw_stack *st)
{
	size_t i, n;

	*st = (struct pw_stack){ .requested = !one_in(g, 3) };
	if (!st->requested)
		return;
	n = one_in(g, 32) ? PW_STACK_DEPTH_MAX : (size_t)draw_u(g, 0, 4);
	st->frames = xcalloc(n, sizeof(*st->frames));
	for (i = 0; i < n; i++) {
		struct pw_frame *f = &st->frames[i];

		st->nframes = i + 1;
		f->ip = draw_u(g, 0, UINT64_MAX);
		f->obj = draw_cstr(g, true);
		if (!f->obj)
			continue;
		f->fn = draw_cstr(g, true);
		if (f->fn)
			f->demangled = draw_cstr(g, true);
		f->off = draw_u(g, 0, UINT64_MAX);
	}
	st->note = draw_cstr(g, true);
}

/*
 * A status word as wait4 writes it, read back by pw_status_from_wait():
 * built for each kind, since random words are nearly all "killed".  The
 * word comes from tracee memory, so every bit may be set.
 */
static void
draw_wait4_status(struct gen *g, struct pw_status *st)
{
	int w = draw_int(g);

	switch (rnd(g) % 5) {
	case 0:
		w &= ~0x7f;				/* exited */
		break;
	case 1:
		w = (w & ~0x7f) | (int)draw(g, 1, 126);	/* killed */
		break;
	case 2:
		w = (w & ~0xff) | 0x7f;			/* stopped */
		break;
	case 3:
		w = 0xffff;				/* continued */
		break;
	default:
		break;
	}
	pw_status_from_wait(w, st);
}

/* waitid's siginfo, also from tracee memory: any si_code, any si_status. */
static void
draw_siginfo_status(struct gen *g, struct pw_status *st)
{
	static const int codes[] = {
		CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_TRAPPED, CLD_STOPPED, CLD_CONTINUED,
	};
	int code = one_in(g, 8) ? draw_int(g) : codes[rnd(g) % 6];

	pw_status_from_siginfo(code, draw_int(g), st);
}

/* A death report of the tracer's own waitpid (__WALL): exited or killed. */
static void
draw_death_status(struct gen *g, struct pw_status *st)
{
	if (coin(g))
		pw_status_from_wait((int)draw(g, 0, 255) << 8, st);
	else
		pw_status_from_wait((int)draw(g, 1, 126) | (coin(g) ? 0x80 : 0), st);
}

/*
 * The scalar fields of each kind, one line each: how the tracer's value is
 * drawn, read by the generator, and the list the comparison walks.  A
 * draw may use fields listed before it (g is the generator, x the struct
 * being filled).  A new field is one more line here.
 */
#define SPAWN_FIELDS(X) \
	X(call,			draw_spawn_call(g)) \
	X(args_size,		x->call == PW_CALL_CLONE3 ? draw_u(g, 0, UINT64_MAX) : 0) \
	X(args_unreadable,	x->call == PW_CALL_CLONE3 && (x->args_size < 64 || one_in(g, 8))) \
	X(flags,		draw_spawn_flags(g, x)) \
	X(exit_signal,		draw_exit_signal(g, x)) \
	X(thread,		(x->flags & CLONE_THREAD) != 0) \
	X(kind,			draw_spawn_kind(x)) \
	X(cgroup,		x->flags & CLONE_INTO_CGROUP_BIT ? draw_u(g, 0, UINT64_MAX) : 0) \
	X(set_tid_size,		clone3_read(x) ? (size_t)draw_set_tid_size(g) : 0) \
	X(args_tail_nonzero,	clone3_read(x) && !x->args_unreadable && x->args_size > 88 && coin(g)) \
	X(result,		draw_spawn_result(g, x)) \
	X(child,		draw_spawn_child(g, x)) \
	X(result_ns,		x->result > 0 && coin(g) ? draw_pid(g) : 0) \
	X(parent,		x->result == PW_RESULT_UNFINISHED ? 0 : draw_pid(g))

#define EXEC_FIELDS(X) \
	X(call,			draw_exec_call(g)) \
	X(dirfd,		x->call == PW_CALL_EXECVEAT ? draw_int(g) : x->call ? AT_FDCWD : 0) \
	X(at_flags,		x->call == PW_CALL_EXECVEAT ? draw_int(g) : 0) \
	X(argv_truncated,	x->call && one_in(g, 4)) \
	X(argv_err,		x->call && one_in(g, 4) ? (int)draw(g, 1, MAX_ERRNO) : 0) \
	X(result,		draw_exec_result(g, x)) \
	X(old_tid,		x->result == 0 && coin(g) ? draw_pid(g) : 0) \
	X(fds_truncated,	x->result == 0 && one_in(g, 32))

#define WAIT_FIELDS(X) \
	X(call,			coin(g) ? PW_CALL_WAIT4 : PW_CALL_WAITID) \
	X(idtype,		x->call == PW_CALL_WAITID ? draw_int(g) : 0) \
	X(target,		draw_int(g)) \
	X(target_ns,		draw_id_ns(g, &x->target)) \
	X(options,		draw_int(g)) \
	X(result,		draw_wait_result(g, x)) \
	X(result_ns,		x->result > 0 ? draw_id_ns(g, &x->result) : 0)

#define EXIT_FIELDS(X) \
	X(thread,		coin(g)) \
	X(call,			draw_exit_call(g))

#define SIGNAL_FIELDS(X) \
	X(signal,		(int)draw(g, 1, 255)) \
	X(code,			draw_int(g)) \
	X(sender,		x->code <= 0 && coin(g) ? draw_int(g) : 0) \
	X(sender_ns,		x->sender ? draw_sender_ns(g, x) : 0)

#define END_FIELDS(X) \
	X(lost,			(unsigned long)draw_u(g, 0, INT64_MAX)) \
	X(detached,		coin(g))

#define ATTACH_FIELDS(X) \
	X(parent,		coin(g) ? draw_pid(g) : 0) \
	X(argv_truncated,	one_in(g, 4)) \
	X(age_us,		draw_u(g, 0, TIME_MAX))

#define START_FIELDS(X) \
	X(attach,		coin(g)) \
	X(seccomp,		coin(g)) \
	X(tracer,		coin(g) ? draw_pid(g) : 0)

#define TRACE_FIELDS(X) \
	X(wall_us,		coin(g) ? draw_u(g, 0, INT64_MAX) : 0) \
	X(attach,		coin(g)) \
	X(seccomp,		coin(g)) \
	X(stack_depth,		coin(g) ? (unsigned)draw_u(g, 1, 256) : 0)

#define DRAW_FIELD(field, how) x->field = (how);

/* int $0x80 calls are seen only through their ptrace event: call NONE. */
static enum pw_call
draw_spawn_call(struct gen *g)
{
	static const enum pw_call calls[] = {
		PW_CALL_NONE, PW_CALL_CLONE, PW_CALL_CLONE3, PW_CALL_FORK, PW_CALL_VFORK,
	};

	return calls[rnd(g) % 5];
}

/*
 * clone3's struct was read (src/decode/clone.c, decode_clone3): it is
 * unreadable below VER0's 64 bytes; above VER2's 88 an unreadable tail
 * makes it args_unreadable after the struct was read.
 */
static bool
clone3_read(const struct pw_spawn *x)
{
	return x->call == PW_CALL_CLONE3 && x->args_size >= 64 &&
	       (!x->args_unreadable || x->args_size > 88);
}

/*
 * clone: the low 32 bits without CSIGNAL; clone3: any u64; fork none;
 * vfork CLONE_VM|CLONE_VFORK; unseen: what describe_unseen_spawn() sets.
 */
static uint64_t
draw_spawn_flags(struct gen *g, const struct pw_spawn *x)
{
	static const uint64_t unseen[] = { 0, CLONE_THREAD, CLONE_VFORK };

	if (x->call == PW_CALL_CLONE)
		return draw_u(g, 0, UINT32_MAX) & ~(uint64_t)0xff;
	if (x->call == PW_CALL_CLONE3)
		return clone3_read(x) ? draw_u(g, 0, UINT64_MAX) : 0;
	if (x->call == PW_CALL_VFORK)
		return CLONE_VM | CLONE_VFORK;
	if (x->call == PW_CALL_NONE)
		return unseen[rnd(g) % 3];
	return 0;
}

/* clone: CSIGNAL, 0..255; clone3: clamp_signal(), 0..INT_MAX. */
static int
draw_exit_signal(struct gen *g, const struct pw_spawn *x)
{
	if (x->call == PW_CALL_CLONE)
		return (int)draw(g, 0, 255);
	if (x->call == PW_CALL_CLONE3)
		return clone3_read(x) ? (int)draw(g, 0, INT_MAX) : 0;
	if (x->call == PW_CALL_NONE)
		return x->flags == CLONE_THREAD || (x->flags == 0 && coin(g)) ? 0 : SIGCHLD;
	return SIGCHLD;
}

static enum pw_spawn_kind
draw_spawn_kind(const struct pw_spawn *x)
{
	if (x->call != PW_CALL_NONE)
		return pw_spawn_kind_of(x->call, x->flags, x->exit_signal);
	if (x->flags == CLONE_THREAD)
		return PW_SPAWN_THREAD;
	if (x->flags == CLONE_VFORK)
		return PW_SPAWN_VFORK;
	return x->exit_signal ? PW_SPAWN_FORK : PW_SPAWN_CLONE;
}

/* clone_args.set_tid_size is a u64, recorded even past MAX_PID_NS_LEVEL. */
static uint64_t
draw_set_tid_size(struct gen *g)
{
	if (coin(g))
		return draw_u(g, 0, PW_SET_TID_MAX + 1);
	return draw_u(g, 0, UINT64_MAX);
}

/* An unseen spawn is known only from its fork event, with the child. */
static long
draw_spawn_result(struct gen *g, const struct pw_spawn *x)
{
	if (x->call == PW_CALL_NONE)
		return draw_pid(g);
	return one_in(g, 8) ? PW_RESULT_UNFINISHED : draw_result(g);
}

/* The fork event's child, or none: failed, or CLONE_UNTRACED, or faked. */
static pid_t
draw_spawn_child(struct gen *g, const struct pw_spawn *x)
{
	if (x->result <= 0 || x->result > PID_MAX)
		return 0;
	return x->call == PW_CALL_NONE || coin(g) ? (pid_t)x->result : 0;
}

static enum pw_call
draw_exec_call(struct gen *g)
{
	static const enum pw_call calls[] = {
		PW_CALL_NONE, PW_CALL_EXECVE, PW_CALL_EXECVEAT,
	};

	return calls[rnd(g) % 3];
}

/* An exec seen only by its event (int $0x80) succeeded. */
static long
draw_exec_result(struct gen *g, const struct pw_exec *x)
{
	if (x->call == PW_CALL_NONE || coin(g))
		return 0;
	return one_in(g, 4) ? PW_RESULT_UNFINISHED : draw_result(g);
}

/*
 * A tracee's own value of an id translated into procwatch's pid namespace
 * (src/tracer/pidns.c), or 0 when it needed none; now and then the id had
 * no translation, and the translated value becomes 0.
 */
static long
draw_id_ns(struct gen *g, long *id)
{
	long own;

	if (*id == 0 || *id == -1 || !coin(g))
		return 0;
	own = *id < 0 ? -(long)draw_pid(g) : draw_pid(g);
	if (one_in(g, 8))
		*id = 0;
	return own;
}

static pid_t
draw_sender_ns(struct gen *g, struct pw_signal *x)
{
	long sender = x->sender, own = draw_id_ns(g, &sender);

	x->sender = (pid_t)sender;
	return (pid_t)own;
}

/* waitid's result is the syscall's when not 0, else si_pid (any int). */
static long
draw_wait_result(struct gen *g, const struct pw_wait *x)
{
	if (x->call == PW_CALL_WAITID && coin(g))
		return draw_int(g);
	return draw_result(g);
}

static enum pw_call
draw_exit_call(struct gen *g)
{
	switch (rnd(g) % 3) {
	case 0:
		return PW_CALL_EXIT;
	case 1:
		return PW_CALL_EXIT_GROUP;
	default:
		return PW_CALL_NONE;
	}
}

static void
draw_spawn(struct gen *g, struct pw_spawn *x)
{
	SPAWN_FIELDS(DRAW_FIELD)
	/* Read only up to MAX_PID_NS_LEVEL pids, zeros when unreadable. */
	for (size_t i = 0; x->set_tid_size <= PW_SET_TID_MAX && i < x->set_tid_size; i++)
		x->set_tid[i] = coin(g) ? draw_int(g) : 0;
	if (x->call == PW_CALL_NONE && coin(g))
		x->stack = (struct pw_stack){ .requested = true,
					      .note = draw_cstr(g, false) };
	else if (x->call != PW_CALL_NONE)
		draw_stack(g, &x->stack);
}

/*
 * --env (src/decode/exec.c read it, src/event/envwriter.c made it a change):
 * whole, or a change with its check; entries any bytes, unreadable ones
 * in a whole list; an order any u32s, the reader leaves checking them to
 * the model.
 */
static void
draw_env(struct gen *g, struct pw_env *x)
{
	size_t i;

	*x = (struct pw_env){ .recorded = !one_in(g, 3) };
	if (!x->recorded)
		return;
	x->whole = coin(g);
	x->truncated = one_in(g, 8);
	x->err = one_in(g, 8) ? (int)draw(g, 1, MAX_ERRNO) : 0;
	x->nset = (size_t)draw_u(g, 0, 5);
	x->set = xcalloc(x->nset, sizeof(*x->set));
	for (i = 0; i < x->nset; i++)
		draw_bytes(g, &x->set[i], x->whole);
	if (x->whole)
		return;
	x->check = (uint32_t)rnd(g);
	x->nunset = (size_t)draw_u(g, 0, 3);
	x->unset = xcalloc(x->nunset, sizeof(*x->unset));
	for (i = 0; i < x->nunset; i++)
		draw_bytes(g, &x->unset[i], false);
	x->norder = one_in(g, 3) ? (size_t)draw_u(g, 1, 6) : 0;
	x->order = xcalloc(x->norder, sizeof(*x->order));
	for (i = 0; i < x->norder; i++)
		x->order[i] = (uint32_t)draw_u(g, 0, UINT32_MAX);
}

static void
draw_exec(struct gen *g, struct pw_exec *x)
{
	size_t i;

	EXEC_FIELDS(DRAW_FIELD)
	if (x->call == PW_CALL_NONE) {
		/* Never decoded: no path, no argv (on_exec_event). */
		if (coin(g))
			x->stack = (struct pw_stack){ .requested = true,
						      .note = draw_cstr(g, false) };
	} else {
		draw_bytes(g, &x->path, true);
		x->argc = one_in(g, 8) ? 0 : (size_t)draw_u(g, 1, 6);
		x->argv = xcalloc(x->argc, sizeof(*x->argv));
		for (i = 0; i < x->argc; i++)
			draw_bytes(g, &x->argv[i], true);
		if (!one_in(g, 4))
			draw_bytes(g, &x->cwd, false);
		draw_stack(g, &x->stack);
		draw_env(g, &x->env);
	}
	if (x->result != 0)
		return;
	/* What exec_image_read() finds at PTRACE_EVENT_EXEC. */
	if (!one_in(g, 4))
		draw_bytes(g, &x->exe, false);
	x->nfds = x->fds_truncated ? PW_EXEC_MAX_FDS : (size_t)draw_u(g, 0, 4);
	x->fds = xcalloc(x->nfds, sizeof(*x->fds));
	for (i = 0; i < x->nfds; i++) {
		x->fds[i].fd = (int)draw(g, 3, INT_MAX);
		draw_bytes(g, &x->fds[i].target, false);
		if (!x->fds[i].target.len) {	/* readlink gave at least a byte */
			x->fds[i].target.data[x->fds[i].target.len++] = '/';
			x->fds[i].target.data[1] = '\0';
		}
	}
}

/*
 * A child was reported, so there may be a status: wait4 returned its pid
 * (wait4_exit); waitid's si_pid was not 0, an int from tracee memory,
 * negative too (waitid_exit).
 */
static bool
reported(const struct pw_wait *x)
{
	if (x->call == PW_CALL_WAITID)
		return x->result != 0 && x->result >= INT_MIN && x->result <= INT_MAX;
	return x->result > 0;
}

static void
draw_wait(struct gen *g, struct pw_wait *x)
{
	WAIT_FIELDS(DRAW_FIELD)
	x->status.kind = PW_STATUS_NONE;
	if (!reported(x))
		return;
	if (x->call == PW_CALL_WAITID)
		draw_siginfo_status(g, &x->status);
	else
		draw_wait4_status(g, &x->status);
	/* wait(NULL): the death report the tracer kept (zombie_take). */
	if (x->status.kind == PW_STATUS_NONE && coin(g))
		draw_death_status(g, &x->status);
}

/*
 * A process's resource use (src/tracer/usage.c): any of the three read or
 * not, counts of up to 2^63 - 1 (the most the writer writes as a number).
 * An unread member stays 0, as the reader leaves it.
 */
static void
draw_usage(struct gen *g, struct pw_usage *u)
{
	u->known = (unsigned)draw_u(g, 0, PW_USAGE_USER | PW_USAGE_SYSTEM | PW_USAGE_PEAK_RSS);
	if (u->known & PW_USAGE_USER)
		u->user_us = draw_u(g, 0, INT64_MAX);
	if (u->known & PW_USAGE_SYSTEM)
		u->system_us = draw_u(g, 0, INT64_MAX);
	if (u->known & PW_USAGE_PEAK_RSS)
		u->peak_rss_kib = (uint32_t)draw_u(g, 0, UINT32_MAX);
}

static void
draw_exit(struct gen *g, struct pw_exit *x)
{
	EXIT_FIELDS(DRAW_FIELD)
	draw_death_status(g, &x->status);
	if (x->status.kind != PW_STATUS_EXITED)
		x->call = PW_CALL_NONE;
	/* A process's, not a thread's. */
	if (!x->thread)
		draw_usage(g, &x->usage);
}

static void
draw_signal(struct gen *g, struct pw_signal *x)
{
	SIGNAL_FIELDS(DRAW_FIELD)
}

static void
draw_end(struct gen *g, struct pw_end *x)
{
	END_FIELDS(DRAW_FIELD)
	if (!one_in(g, 8))
		draw_death_status(g, &x->status);
}

/* procwatch's own argv and version: no NULL elements, an ASCII version. */
static void
draw_start(struct gen *g, struct pw_start *x)
{
	size_t i, n;
	char *v;

	START_FIELDS(DRAW_FIELD)
	x->argc = (size_t)draw_u(g, 0, 4);
	x->argv = xcalloc(x->argc + 1, sizeof(*x->argv));
	for (i = 0; i < x->argc; i++)
		x->argv[i] = draw_cstr(g, false);
	if (x->attach && !one_in(g, 8)) {
		pid_t *pids;

		x->npids = (size_t)draw_u(g, 1, 4);
		pids = xcalloc(x->npids, sizeof(*pids));
		for (i = 0; i < x->npids; i++)
			pids[i] = draw_pid(g);
		x->pids = pids;
	}
	if (one_in(g, 8))
		return;
	n = (size_t)draw_u(g, 0, 12);
	v = malloc(n + 1);
	cr_assert_not_null(v);
	for (i = 0; i < n; i++)
		v[i] = (char)draw_u(g, 0x20, 0x7e);
	v[n] = '\0';
	x->version = v;
}

/* execveat with AT_EXECVE_CHECK: an exec's keys, but no new image. */
static void
draw_exec_check(struct gen *g, struct pw_exec *x)
{
	size_t i;

	x->call = PW_CALL_EXECVEAT;
	x->dirfd = draw_int(g);
	x->at_flags = draw_int(g) | 0x10000;	/* AT_EXECVE_CHECK */
	x->argv_truncated = one_in(g, 4);
	x->result = one_in(g, 4) ? PW_RESULT_UNFINISHED : coin(g) ? 0 : draw_result(g);
	draw_bytes(g, &x->path, true);
	x->argc = (size_t)draw_u(g, 0, 4);
	x->argv = xcalloc(x->argc, sizeof(*x->argv));
	for (i = 0; i < x->argc; i++)
		draw_bytes(g, &x->argv[i], true);
	if (coin(g))
		draw_bytes(g, &x->cwd, false);
	draw_stack(g, &x->stack);
	draw_env(g, &x->env);
}

/* The header (src/tracer/trace_header.c): any bytes in its strings. */
static void
draw_trace_header(struct gen *g, struct pw_trace *x)
{
	size_t i;

	TRACE_FIELDS(DRAW_FIELD)
	draw_bytes(g, &x->version, true);
	draw_bytes(g, &x->hostname, true);
	draw_bytes(g, &x->kernel, true);
	draw_bytes(g, &x->cwd, true);
	x->argc = (size_t)draw_u(g, 0, 4);
	x->argv = xcalloc(x->argc, sizeof(*x->argv));
	for (i = 0; i < x->argc; i++)
		draw_bytes(g, &x->argv[i], true);
	if (x->attach) {
		x->npids = (size_t)draw_u(g, 1, 4);
		x->pids = xcalloc(x->npids, sizeof(*x->pids));
		for (i = 0; i < x->npids; i++)
			x->pids[i] = draw_pid(g);
	}
}

/* What /proc showed of a process at attach time (src/tracer/attach.c). */
static void
draw_attach(struct gen *g, struct pw_attach *x)
{
	size_t i;

	ATTACH_FIELDS(DRAW_FIELD)
	x->ntids = (size_t)draw_u(g, 1, 5);
	x->tids = xcalloc(x->ntids, sizeof(*x->tids));
	for (i = 0; i < x->ntids; i++)
		x->tids[i] = draw_pid(g);
	x->argc = (size_t)draw_u(g, 0, 4);
	x->argv = xcalloc(x->argc, sizeof(*x->argv));
	for (i = 0; i < x->argc; i++)
		draw_bytes(g, &x->argv[i], false);
	if (coin(g))
		draw_bytes(g, &x->exe, false);
	if (coin(g))
		draw_bytes(g, &x->cwd, false);
}

static void
draw_event(struct gen *g, enum pw_event_kind kind, struct pw_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->time_us = draw_u(g, 0, TIME_MAX);
	ev->pid = draw_pid(g);
	ev->tid = coin(g) ? ev->pid : draw_pid(g);
	switch (kind) {
	case PW_EV_TRACE:
		draw_trace_header(g, &ev->u.trace);
		break;
	case PW_EV_START:
		draw_start(g, &ev->u.start);
		break;
	case PW_EV_ATTACH:
		draw_attach(g, &ev->u.attach);
		break;
	case PW_EV_SPAWN:
		draw_spawn(g, &ev->u.spawn);
		break;
	case PW_EV_EXEC:
		draw_exec(g, &ev->u.exec);
		break;
	case PW_EV_EXEC_CHECK:
		draw_exec_check(g, &ev->u.exec);
		break;
	case PW_EV_WAIT:
		draw_wait(g, &ev->u.wait);
		break;
	case PW_EV_EXIT:
		draw_exit(g, &ev->u.exit);
		break;
	case PW_EV_SIGNAL:
		draw_signal(g, &ev->u.signal);
		break;
	case PW_EV_END:
		draw_end(g, &ev->u.end);
		break;
	}
}

/* Our start event's argv and version are ours to free; the rest pw_event_clear's. */
static void
free_drawn(struct pw_event *ev)
{
	if (ev->kind == PW_EV_START) {
		for (size_t i = 0; i < ev->u.start.argc; i++)
			free(ev->u.start.argv[i]);
		free(ev->u.start.argv);
		free((char *)ev->u.start.version);
		free((pid_t *)ev->u.start.pids);
	}
	pw_event_clear(ev);
}

/* The first difference found, as "field: wrote X, read back Y". */
struct diff {
	char what[256];
};

static bool
same_num(struct diff *d, const char *field, int64_t want, int64_t got)
{
	if (want == got)
		return true;
	if (!d->what[0])
		snprintf(d->what, sizeof(d->what),
			 "%s: wrote %" PRId64 " (%#" PRIx64 "), read back %" PRId64 " (%#" PRIx64 ")",
			 field, want, (uint64_t)want, got, (uint64_t)got);
	return false;
}

static bool
same_cstr(struct diff *d, const char *field, const char *want, const char *got)
{
	if (!want || !got ? want == got : strcmp(want, got) == 0)
		return true;
	if (!d->what[0])
		snprintf(d->what, sizeof(d->what), "%s: wrote %s\"%.60s\", read back %s\"%.60s\"",
			 field, want ? "" : "NULL ", want ? want : "",
			 got ? "" : "NULL ", got ? got : "");
	return false;
}

/* The exact bytes, or both unreadable (the errno is not in the trace). */
static bool
same_bytes(struct diff *d, const char *field, const struct pw_bytes *want,
	   const struct pw_bytes *got)
{
	if (!want->data || !got->data)
		return same_cstr(d, field, want->data, got->data);
	if (!same_num(d, field, (int64_t)want->len, (int64_t)got->len))
		return false;
	if (memcmp(want->data, got->data, want->len) != 0)
		return same_cstr(d, field, want->data, got->data);
	/* NUL-terminated for convenience, and no errno beside the data. */
	return same_num(d, field, 0, got->data[got->len]) &&
	       same_num(d, field, 0, got->err);
}

static bool
same_status(struct diff *d, const char *field, const struct pw_status *want,
	    const struct pw_status *got)
{
	char name[64];

	snprintf(name, sizeof(name), "%s.kind", field);
	if (!same_num(d, name, want->kind, got->kind))
		return false;
	snprintf(name, sizeof(name), "%s.code", field);
	if (!same_num(d, name, want->code, got->code))
		return false;
	snprintf(name, sizeof(name), "%s.signal", field);
	if (!same_num(d, name, want->signal, got->signal))
		return false;
	snprintf(name, sizeof(name), "%s.core", field);
	return same_num(d, name, want->core, got->core);
}

static bool
same_stack(struct diff *d, const struct pw_stack *want, const struct pw_stack *got)
{
	char name[64];
	size_t i;

	if (!same_num(d, "stack.requested", want->requested, got->requested) ||
	    !same_num(d, "stack.nframes", (int64_t)want->nframes, (int64_t)got->nframes))
		return false;
	for (i = 0; i < want->nframes; i++) {
		const struct pw_frame *w = &want->frames[i], *o = &got->frames[i];

		snprintf(name, sizeof(name), "stack.frames[%zu]", i);
		if (!same_num(d, name, (int64_t)w->ip, (int64_t)o->ip) ||
		    !same_num(d, name, (int64_t)w->off, (int64_t)o->off) ||
		    !same_cstr(d, name, w->fn, o->fn) ||
		    !same_cstr(d, name, w->demangled, o->demangled) ||
		    !same_cstr(d, name, w->obj, o->obj))
			return false;
	}
	return same_cstr(d, "stack.note", want->note, got->note);
}

#define SAME_FIELD(field, how) \
	if (!same_num(d, #field, (int64_t)want->field, (int64_t)got->field)) \
		return false;

static bool
same_spawn(struct diff *d, const struct pw_spawn *want, const struct pw_spawn *got)
{
	char name[32];

	SPAWN_FIELDS(SAME_FIELD)
	for (size_t i = 0; i < PW_SET_TID_MAX; i++) {
		snprintf(name, sizeof(name), "set_tid[%zu]", i);
		if (!same_num(d, name, want->set_tid[i], got->set_tid[i]))
			return false;
	}
	return same_stack(d, &want->stack, &got->stack);
}

static bool
same_bytes_array(struct diff *d, const char *field, const struct pw_bytes *want,
		 size_t nwant, const struct pw_bytes *got, size_t ngot)
{
	char name[32];
	size_t i;

	snprintf(name, sizeof(name), "%s.n", field);
	if (!same_num(d, name, (int64_t)nwant, (int64_t)ngot))
		return false;
	for (i = 0; i < nwant; i++) {
		snprintf(name, sizeof(name), "%s[%zu]", field, i);
		if (!same_bytes(d, name, &want[i], &got[i]))
			return false;
	}
	return true;
}

static bool
same_env(struct diff *d, const struct pw_env *want, const struct pw_env *got)
{
	char name[32];
	size_t i;

	if (!same_num(d, "env.recorded", want->recorded, got->recorded) ||
	    !same_num(d, "env.whole", want->whole, got->whole) ||
	    !same_num(d, "env.truncated", want->truncated, got->truncated) ||
	    !same_num(d, "env.err", want->err, got->err) ||
	    !same_num(d, "env.check", want->check, got->check) ||
	    !same_bytes_array(d, "env.set", want->set, want->nset, got->set, got->nset) ||
	    !same_bytes_array(d, "env.unset", want->unset, want->nunset, got->unset,
			      got->nunset) ||
	    !same_num(d, "env.norder", (int64_t)want->norder, (int64_t)got->norder))
		return false;
	for (i = 0; i < want->norder; i++) {
		snprintf(name, sizeof(name), "env.order[%zu]", i);
		if (!same_num(d, name, want->order[i], got->order[i]))
			return false;
	}
	return true;
}

static bool
same_exec(struct diff *d, const struct pw_exec *want, const struct pw_exec *got)
{
	char name[32];
	size_t i;

	EXEC_FIELDS(SAME_FIELD)
	if (!same_bytes(d, "path", &want->path, &got->path) ||
	    !same_bytes_array(d, "argv", want->argv, want->argc, got->argv, got->argc))
		return false;
	if (!same_bytes(d, "cwd", &want->cwd, &got->cwd) ||
	    !same_bytes(d, "exe", &want->exe, &got->exe) ||
	    !same_num(d, "nfds", (int64_t)want->nfds, (int64_t)got->nfds))
		return false;
	for (i = 0; i < want->nfds; i++) {
		snprintf(name, sizeof(name), "fds[%zu]", i);
		if (!same_num(d, name, want->fds[i].fd, got->fds[i].fd) ||
		    !same_bytes(d, name, &want->fds[i].target, &got->fds[i].target))
			return false;
	}
	return same_env(d, &want->env, &got->env) &&
	       same_stack(d, &want->stack, &got->stack);
}

static bool
same_wait(struct diff *d, const struct pw_wait *want, const struct pw_wait *got)
{
	WAIT_FIELDS(SAME_FIELD)
	return same_status(d, "status", &want->status, &got->status);
}

static bool
same_exit(struct diff *d, const struct pw_exit *want, const struct pw_exit *got)
{
	EXIT_FIELDS(SAME_FIELD)
	return same_status(d, "status", &want->status, &got->status) &&
	       same_num(d, "usage.known", want->usage.known, got->usage.known) &&
	       same_num(d, "usage.user_us", (int64_t)want->usage.user_us,
			(int64_t)got->usage.user_us) &&
	       same_num(d, "usage.system_us", (int64_t)want->usage.system_us,
			(int64_t)got->usage.system_us) &&
	       same_num(d, "usage.peak_rss_kib", (int64_t)want->usage.peak_rss_kib,
			(int64_t)got->usage.peak_rss_kib);
}

static bool
same_signal(struct diff *d, const struct pw_signal *want, const struct pw_signal *got)
{
	SIGNAL_FIELDS(SAME_FIELD)
	return true;
}

static bool
same_end(struct diff *d, const struct pw_end *want, const struct pw_end *got)
{
	END_FIELDS(SAME_FIELD)
	return same_status(d, "status", &want->status, &got->status);
}

static bool
same_attach(struct diff *d, const struct pw_attach *want, const struct pw_attach *got)
{
	char name[32];
	size_t i;

	ATTACH_FIELDS(SAME_FIELD)
	if (!same_num(d, "ntids", (int64_t)want->ntids, (int64_t)got->ntids) ||
	    !same_num(d, "argc", (int64_t)want->argc, (int64_t)got->argc))
		return false;
	for (i = 0; i < want->ntids; i++) {
		snprintf(name, sizeof(name), "tids[%zu]", i);
		if (!same_num(d, name, want->tids[i], got->tids[i]))
			return false;
	}
	for (i = 0; i < want->argc; i++) {
		snprintf(name, sizeof(name), "argv[%zu]", i);
		if (!same_bytes(d, name, &want->argv[i], &got->argv[i]))
			return false;
	}
	return same_bytes(d, "exe", &want->exe, &got->exe) &&
	       same_bytes(d, "cwd", &want->cwd, &got->cwd);
}

static bool
same_trace(struct diff *d, const struct pw_trace *want, const struct pw_trace *got)
{
	char name[32];
	size_t i;

	TRACE_FIELDS(SAME_FIELD)
	if (!same_bytes(d, "version", &want->version, &got->version) ||
	    !same_bytes(d, "hostname", &want->hostname, &got->hostname) ||
	    !same_bytes(d, "kernel", &want->kernel, &got->kernel) ||
	    !same_bytes(d, "cwd", &want->cwd, &got->cwd) ||
	    !same_num(d, "argc", (int64_t)want->argc, (int64_t)got->argc) ||
	    !same_num(d, "npids", (int64_t)want->npids, (int64_t)got->npids))
		return false;
	for (i = 0; i < want->argc; i++) {
		snprintf(name, sizeof(name), "argv[%zu]", i);
		if (!same_bytes(d, name, &want->argv[i], &got->argv[i]))
			return false;
	}
	for (i = 0; i < want->npids; i++) {
		snprintf(name, sizeof(name), "pids[%zu]", i);
		if (!same_num(d, name, want->pids[i], got->pids[i]))
			return false;
	}
	return true;
}

static bool
same_start(struct diff *d, const struct pw_start *want, const struct pw_start *got)
{
	char name[32];

	START_FIELDS(SAME_FIELD)
	if (!same_num(d, "argc", (int64_t)want->argc, (int64_t)got->argc))
		return false;
	for (size_t i = 0; i < want->argc; i++) {
		snprintf(name, sizeof(name), "argv[%zu]", i);
		if (!same_cstr(d, name, want->argv[i], got->argv[i]))
			return false;
	}
	if (!same_num(d, "npids", (int64_t)want->npids, (int64_t)got->npids))
		return false;
	for (size_t i = 0; i < want->npids; i++) {
		snprintf(name, sizeof(name), "pids[%zu]", i);
		if (!same_num(d, name, want->pids[i], got->pids[i]))
			return false;
	}
	return same_cstr(d, "version", want->version, got->version);
}

#define SAME_COMMON(field) SAME_FIELD(field, -)

static bool
same_event(struct diff *d, const struct pw_event *want, const struct pw_event *got)
{
	SAME_COMMON(kind)
	SAME_COMMON(time_us)
	SAME_COMMON(pid)
	SAME_COMMON(tid)
	switch (want->kind) {
	case PW_EV_TRACE:
		return same_trace(d, &want->u.trace, &got->u.trace);
	case PW_EV_START:
		return same_start(d, &want->u.start, &got->u.start);
	case PW_EV_ATTACH:
		return same_attach(d, &want->u.attach, &got->u.attach);
	case PW_EV_SPAWN:
		return same_spawn(d, &want->u.spawn, &got->u.spawn);
	case PW_EV_EXEC:
	case PW_EV_EXEC_CHECK:
		return same_exec(d, &want->u.exec, &got->u.exec);
	case PW_EV_WAIT:
		return same_wait(d, &want->u.wait, &got->u.wait);
	case PW_EV_EXIT:
		return same_exit(d, &want->u.exit, &got->u.exit);
	case PW_EV_SIGNAL:
		return same_signal(d, &want->u.signal, &got->u.signal);
	case PW_EV_END:
		return same_end(d, &want->u.end, &got->u.end);
	}
	return true;
}

/* The events through the JSON sink, as one string. */
static char *
write_trace(const struct pw_event *evs, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct pw_sink *s;

	cr_assert_not_null(f);
	s = pw_sink_json_new(f);
	cr_assert_not_null(s);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(pw_sink_event(s, &evs[i]), 0, "event %zu not written", i);
	cr_assert_eq(pw_sink_close(s), 0);
	fclose(f);
	return buf;
}

/* Line i (from 0) of text, without its newline, for messages. */
static int
line_len(const char *text, size_t i, const char **start)
{
	const char *p = text, *nl;

	while (i-- && (nl = strchr(p, '\n')))
		p = nl + 1;
	*start = p;
	nl = strchr(p, '\n');
	return (int)(nl ? (size_t)(nl - p) : strlen(p));
}

/*
 * A header (or none, as traces written before headers had), a start, n
 * random events of the other kinds, an end: one trace.
 */
static void
draw_trace(uint64_t seed, struct pw_event *evs, size_t n)
{
	struct gen g = { .state = seed };
	size_t first = 1;

	if (coin(&g)) {
		draw_event(&g, PW_EV_TRACE, &evs[0]);
		first = 2;
	}
	draw_event(&g, PW_EV_START, &evs[first - 1]);
	for (size_t i = first; i + 1 < n; i++)
		draw_event(&g, (enum pw_event_kind)draw_u(&g, PW_EV_ATTACH, PW_EV_END), &evs[i]);
	draw_event(&g, PW_EV_END, &evs[n - 1]);
}

/*
 * Reads the trace back event by event: each must come back without a
 * message and equal to what was written; then the events read must write
 * the same bytes again.
 */
static void
check_seed(uint64_t seed)
{
	struct pw_event want[EVENTS_PER_SEED], got[EVENTS_PER_SEED], extra;
	char *json, *again, *errbuf = NULL;
	size_t errlen = 0, i;
	struct pw_replay *r;
	const char *ln;
	FILE *in, *err;
	struct diff d;

	draw_trace(seed, want, EVENTS_PER_SEED);
	json = write_trace(want, EVENTS_PER_SEED);
	in = fmemopen(json, strlen(json), "r");
	err = open_memstream(&errbuf, &errlen);
	cr_assert(in && err);
	r = pw_replay_new(in, "roundtrip.jsonl", err);
	cr_assert_not_null(r);
	for (i = 0; i < EVENTS_PER_SEED; i++) {
		int n = line_len(json, i, &ln);
		enum pw_replay_status st = pw_replay_next(r, &got[i]);

		fflush(err);
		cr_assert(st == PW_REPLAY_EVENT && errlen == 0,
			  "seed %" PRIu64 ", event %zu not read back: %s\n  written: %.*s",
			  seed, i, errbuf, n, ln);
		memset(&d, 0, sizeof(d));
		cr_assert(same_event(&d, &want[i], &got[i]),
			  "seed %" PRIu64 ", event %zu: %s\n  written: %.*s", seed, i, d.what, n, ln);
	}
	cr_assert_eq(pw_replay_next(r, &extra), PW_REPLAY_EOF, "seed %" PRIu64, seed);
	fflush(err);
	cr_assert_eq(errlen, 0, "seed %" PRIu64 ": %s", seed, errbuf);
	again = write_trace(got, EVENTS_PER_SEED);
	for (i = 0; strcmp(again, json) != 0 && i < EVENTS_PER_SEED; i++) {
		const char *ln2;
		int n = line_len(json, i, &ln), n2 = line_len(again, i, &ln2);

		cr_assert(n == n2 && memcmp(ln, ln2, (size_t)n) == 0,
			  "seed %" PRIu64 ", event %zu written again differs:\n  first: %.*s\n  again: %.*s",
			  seed, i, n, ln, n2, ln2);
	}
	cr_assert_str_eq(again, json, "seed %" PRIu64, seed);
	for (i = 0; i < EVENTS_PER_SEED; i++) {
		free_drawn(&want[i]);
		if (got[i].kind != PW_EV_START)
			pw_event_clear(&got[i]);
	}
	pw_replay_free(r);
	fclose(in);
	fclose(err);
	free(errbuf);
	free(json);
	free(again);
}

Test(roundtrip, every_event_reads_back_as_written)
{
	const char *env = getenv("PW_ROUNDTRIP_SEEDS");
	uint64_t seeds = env && *env ? strtoull(env, NULL, 10) : DEFAULT_SEEDS;

	for (uint64_t seed = 1; seed <= seeds; seed++)
		check_seed(seed);
}
