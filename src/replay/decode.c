/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One line of a JSON Lines trace (already parsed by jansson) back into the
 * struct pw_event the JSON sink wrote it from: names back to numbers with
 * the xlat inverses, byte strings (plain or {"text","hex"}) back to their
 * exact bytes, null back to "unreadable".  It is the inverse of
 * src/sink/json.c key by key, and is lenient the way the format asks:
 * unknown keys are ignored, optional keys default to what the writer leaves
 * out.  A missing or mistyped required key fails the line with a reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/replay.h"
#include "procwatch/xlat.h"

struct ctx {
	char *why;
	size_t why_size;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, c->why_size, fmt, ap);
	va_end(ap);
	return -1;
}

/* The member key; NULL (after a reason) when a required one is missing. */
static json_t *
member(struct ctx *c, json_t *obj, const char *key, bool required)
{
	json_t *v = json_object_get(obj, key);

	if (!v && required)
		fail(c, "missing key \"%s\"", key);
	return v;
}

static int
get_int(struct ctx *c, json_t *obj, const char *key, bool required,
	long long *out)
{
	json_t *v = member(c, obj, key, required);

	if (!v)
		return required ? -1 : 0;
	if (!json_is_integer(v))
		return fail(c, "key \"%s\" is not an integer", key);
	*out = json_integer_value(v);
	return 0;
}

/* An int-sized field: values that do not fit are damage, not wrap-around. */
static int
get_small(struct ctx *c, json_t *obj, const char *key, bool required, int *out)
{
	long long v = *out;

	if (get_int(c, obj, key, required, &v) < 0)
		return -1;
	if (v < -2147483648LL || v > 2147483647LL)
		return fail(c, "key \"%s\" is out of range", key);
	*out = (int)v;
	return 0;
}

static int
get_long(struct ctx *c, json_t *obj, const char *key, bool required, long *out)
{
	long long v = *out;

	if (get_int(c, obj, key, required, &v) < 0)
		return -1;
	*out = (long)v;
	return 0;
}

/*
 * "result": a number; null only where unfinished is allowed (a spawn or
 * exec the task died in).  The sentinel's value as a number is damage: the
 * writer never writes it, and readers would negate it.
 */
static int
get_result(struct ctx *c, json_t *obj, bool unfinished_ok, long *out)
{
	json_t *v = member(c, obj, "result", true);

	if (!v)
		return -1;
	if (unfinished_ok && json_is_null(v)) {
		*out = PW_RESULT_UNFINISHED;
		return 0;
	}
	if (get_long(c, obj, "result", true, out) < 0)
		return -1;
	if (*out == PW_RESULT_UNFINISHED)
		return fail(c, "key \"result\" is out of range");
	return 0;
}

/*
 * A process id in procwatch's pid namespace and, as key_ns, the tracee's
 * own value when it differs: null for the first then means no process
 * procwatch knew had that id (struct pw_wait).  A key_ns of 0 is damage:
 * the writer leaves the key out instead.
 */
static int
get_pid_ns(struct ctx *c, json_t *obj, const char *key, const char *key_ns,
	   bool required, long *id, long *id_ns)
{
	json_t *v = json_object_get(obj, key);

	if (get_long(c, obj, key_ns, false, id_ns) < 0)
		return -1;
	if (json_object_get(obj, key_ns) && *id_ns == 0)
		return fail(c, "key \"%s\" is 0", key_ns);
	if (json_is_null(v) && *id_ns) {
		*id = 0;
		return 0;
	}
	return get_long(c, obj, key, required, id);
}

static int
get_bool(struct ctx *c, json_t *obj, const char *key, bool required, bool *out)
{
	json_t *v = member(c, obj, key, required);

	if (!v)
		return required ? -1 : 0;
	if (!json_is_boolean(v))
		return fail(c, "key \"%s\" is not true or false", key);
	*out = json_is_true(v);
	return 0;
}

static const char *
get_str(struct ctx *c, json_t *obj, const char *key)
{
	json_t *v = member(c, obj, key, true);

	if (!v)
		return NULL;
	if (!json_is_string(v)) {
		fail(c, "key \"%s\" is not a string", key);
		return NULL;
	}
	return json_string_value(v);
}

static int
hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* {"text","hex"}: the hex digits are the bytes; the text is for display. */
static int
bytes_from_hex(struct ctx *c, json_t *v, struct pw_bytes *out)
{
	json_t *hex = json_object_get(v, "hex");
	const char *s;
	size_t n, i;
	int hi, lo;

	if (!json_is_string(hex))
		return fail(c, "byte string object without a \"hex\" string");
	s = json_string_value(hex);
	n = json_string_length(hex);
	if (n % 2)
		return fail(c, "odd number of hex digits in a byte string");
	out->data = malloc(n / 2 + 1);
	if (!out->data)
		return fail(c, "out of memory");
	for (i = 0; i < n / 2; i++) {
		hi = hex_digit(s[2 * i]);
		lo = hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			pw_bytes_clear(out);
			return fail(c, "bad hex digits in a byte string");
		}
		out->data[i] = (char)(hi << 4 | lo);
	}
	out->data[n / 2] = '\0';
	out->len = n / 2;
	return 0;
}

/* A byte string as the writer's scheme has it; null is "unreadable". */
static int
get_bytes_value(struct ctx *c, json_t *v, struct pw_bytes *out)
{
	size_t n;

	*out = (struct pw_bytes){ 0 };
	if (json_is_null(v)) {
		/* The trace keeps no errno for it; EFAULT is what it usually is. */
		out->err = EFAULT;
		return 0;
	}
	if (json_is_object(v))
		return bytes_from_hex(c, v, out);
	if (!json_is_string(v))
		return fail(c, "a byte string is neither a string, an object nor null");
	n = json_string_length(v);
	if (memchr(json_string_value(v), '\0', n))
		return fail(c, "a byte string holds a NUL");
	out->data = malloc(n + 1);
	if (!out->data)
		return fail(c, "out of memory");
	memcpy(out->data, json_string_value(v), n + 1);
	out->len = n;
	return 0;
}

static int
get_bytes(struct ctx *c, json_t *obj, const char *key, bool required,
	  struct pw_bytes *out)
{
	json_t *v = member(c, obj, key, required);
	char inner[128];

	if (!v)
		return required ? -1 : 0;
	if (get_bytes_value(c, v, out) < 0) {
		snprintf(inner, sizeof(inner), "%s", c->why);
		return fail(c, "key \"%s\": %s", key, inner);
	}
	return 0;
}

/*
 * "SIGSEGV", "SIGRTMIN+3", "SIG65": what pw_signal_format() writes, for
 * any int (a status read from a tracee's siginfo may hold any).  Where
 * nullable, 0 is written null, and a number below is no exit signal
 * (decode/clone.c never makes one).
 */
static int
get_signal(struct ctx *c, json_t *obj, const char *key, bool required,
	   bool nullable, int *out)
{
	json_t *v = member(c, obj, key, required);
	int sig;

	if (!v)
		return required ? -1 : 0;
	if (nullable && json_is_null(v)) {
		*out = 0;
		return 0;
	}
	if (!json_is_string(v))
		return fail(c, "key \"%s\" is not a signal name", key);
	if (!pw_signal_from_name(json_string_value(v), &sig) || (nullable && sig <= 0))
		return fail(c, "key \"%s\": unknown signal \"%s\"", key,
			    json_string_value(v));
	*out = sig;
	return 0;
}

/* "ENOENT", or "E<n>" for a number without a name (pw_errno_format). */
static int
get_errno(struct ctx *c, json_t *obj, const char *key, int *out)
{
	json_t *v = member(c, obj, key, false);
	const char *s;
	char *end;
	long n;

	if (!v)
		return 0;
	s = json_is_string(v) ? json_string_value(v) : "";
	*out = pw_errno_from_name(s);
	if (*out > 0)
		return 0;
	if (s[0] == 'E' && s[1] >= '1' && s[1] <= '9') {
		n = strtol(s + 1, &end, 10);
		if (!*end && n > 0 && n < 100000) {
			*out = (int)n;
			return 0;
		}
	}
	return fail(c, "key \"%s\" is not an errno name", key);
}

/* An array of flag names; bits without a name come as one "0x..." string. */
static int
get_flags(struct ctx *c, json_t *obj, const char *key, bool required,
	  uint64_t (*from_name)(const char *), uint64_t *out)
{
	json_t *v = member(c, obj, key, required), *el;
	const char *s;
	uint64_t bit;
	size_t i;
	char *end;

	if (!v)
		return required ? -1 : 0;
	if (!json_is_array(v))
		return fail(c, "key \"%s\" is not an array", key);
	*out = 0;
	json_array_foreach(v, i, el) {
		s = json_is_string(el) ? json_string_value(el) : "";
		bit = from_name(s);
		if (!bit && strncmp(s, "0x", 2) == 0 && s[2]) {
			errno = 0;
			bit = strtoull(s + 2, &end, 16);
			if (*end || errno)
				bit = 0;
		}
		if (!bit)
			return fail(c, "key \"%s\": unknown flag \"%s\"", key, s);
		*out |= bit;
	}
	return 0;
}

/*
 * A stop's signal, and the bits of a ptrace stop above it (decode/wait.c,
 * set_stop): written only when not 0, and never in the signal's 7 bits.
 */
static int
get_stop(struct ctx *c, json_t *v, struct pw_status *st)
{
	if (get_signal(c, v, "signal", true, false, &st->signal) < 0 ||
	    get_small(c, v, "ptrace_bits", false, &st->code) < 0)
		return -1;
	if (json_object_get(v, "ptrace_bits") && (!st->code || (st->code & 0x7f)))
		return fail(c, "key \"ptrace_bits\" holds the signal's bits or none");
	return 0;
}

/* The status object of wait and end; null (or absent) is "none". */
static int
get_status(struct ctx *c, json_t *obj, const char *key, struct pw_status *st)
{
	json_t *v = member(c, obj, key, false);
	const char *kind;

	*st = (struct pw_status){ .kind = PW_STATUS_NONE };
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return fail(c, "key \"%s\" is not an object", key);
	kind = get_str(c, v, "kind");
	if (!kind)
		return -1;
	st->kind = pw_status_kind_from_name(kind);
	switch (st->kind) {
	case PW_STATUS_EXITED:
		return get_small(c, v, "code", true, &st->code);
	case PW_STATUS_KILLED:
		if (get_bool(c, v, "core", false, &st->core) < 0)
			return -1;
		return get_signal(c, v, "signal", true, false, &st->signal);
	case PW_STATUS_STOPPED:
	case PW_STATUS_TRAPPED:
		return get_stop(c, v, st);
	case PW_STATUS_CONTINUED:
		return 0;
	case PW_STATUS_NONE:
		break;
	}
	return fail(c, "unknown status kind \"%s\"", kind);
}

/*
 * "call": a name from pw_call_name(), one of those the kind allows; or,
 * where unknown_ok, null: a spawn or exec seen only by its ptrace event
 * (a 32-bit int $0x80 call), whose call procwatch does not know.
 */
static int
get_call(struct ctx *c, json_t *obj, enum pw_call first, enum pw_call last,
	 bool required, bool unknown_ok, enum pw_call *out)
{
	json_t *v = member(c, obj, "call", required);
	const char *name;
	int i;

	*out = PW_CALL_NONE;
	if (!v)
		return required ? -1 : 0;
	if (unknown_ok && json_is_null(v))
		return 0;
	name = json_is_string(v) ? json_string_value(v) : "";
	for (i = (int)first; i <= (int)last; i++) {
		if (strcmp(name, pw_call_name((enum pw_call)i)) == 0) {
			*out = (enum pw_call)i;
			return 0;
		}
	}
	return fail(c, "unknown call \"%s\"", name);
}

static int
get_spawn_kind(struct ctx *c, json_t *obj, enum pw_spawn_kind *out)
{
	const char *name = get_str(c, obj, "kind");
	int i;

	if (!name)
		return -1;
	for (i = PW_SPAWN_FORK; i <= PW_SPAWN_CLONE; i++) {
		if (strcmp(name, pw_spawn_kind_name((enum pw_spawn_kind)i)) == 0) {
			*out = (enum pw_spawn_kind)i;
			return 0;
		}
	}
	return fail(c, "unknown spawn kind \"%s\"", name);
}

/*
 * "set_tid": the pids asked for, 1 to PW_SET_TID_MAX of them; with
 * "set_tid_size", more were asked for than the kernel takes (decode/
 * clone.c reads none of them then), and set_tid holds PW_SET_TID_MAX.
 */
static int
get_set_tid(struct ctx *c, json_t *obj, struct pw_spawn *sp)
{
	json_t *tids = json_object_get(obj, "set_tid"), *el;
	bool more = json_object_get(obj, "set_tid_size") != NULL;
	long long asked = 0;
	json_int_t pid;
	size_t i;

	if (!tids && !more)
		return 0;
	if (!json_is_array(tids) || json_array_size(tids) == 0 ||
	    json_array_size(tids) > PW_SET_TID_MAX)
		return fail(c, "key \"set_tid\" is not an array of 1 to %d pids",
			    PW_SET_TID_MAX);
	json_array_foreach(tids, i, el) {
		pid = json_is_integer(el) ? json_integer_value(el) : INT64_MAX;
		if (pid < INT_MIN || pid > INT_MAX)
			return fail(c, "key \"set_tid\" holds a non-pid");
		sp->set_tid[i] = (pid_t)pid;
	}
	sp->set_tid_size = json_array_size(tids);
	if (!more)
		return 0;
	if (get_int(c, obj, "set_tid_size", true, &asked) < 0)
		return -1;
	/* A u64 written as signed 64 bits: negative is 2^63 and above. */
	if ((uint64_t)asked <= PW_SET_TID_MAX || sp->set_tid_size != PW_SET_TID_MAX)
		return fail(c, "key \"set_tid_size\" is not above the %d pids of \"set_tid\"",
			    PW_SET_TID_MAX);
	sp->set_tid_size = (size_t)(uint64_t)asked;
	return 0;
}

/*
 * The keys only a clone3 spawn has (put_clone3_args() in the sink); size
 * and cgroup are u64s written as signed 64 bits.
 */
static int
get_clone3_args(struct ctx *c, json_t *obj, struct pw_spawn *sp)
{
	long long size = 0, cgroup = 0;

	if (get_int(c, obj, "size", false, &size) < 0 ||
	    get_bool(c, obj, "args_unreadable", false, &sp->args_unreadable) < 0 ||
	    get_bool(c, obj, "tail_nonzero", false, &sp->args_tail_nonzero) < 0 ||
	    get_int(c, obj, "cgroup", false, &cgroup) < 0)
		return -1;
	sp->args_size = (uint64_t)size;
	sp->cgroup = (uint64_t)cgroup;
	return get_set_tid(c, obj, sp);
}

/* "0x7f12...": the writer's lowercase hex, at most 64 bits of it. */
static int
get_ip(struct ctx *c, json_t *frame, uint64_t *ip)
{
	json_t *v = json_object_get(frame, "ip");
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	size_t i, n = json_is_string(v) ? json_string_length(v) : 0;
	int d;

	if (n < 3 || n > 18 || s[0] != '0' || s[1] != 'x')
		return fail(c, "key \"stack\": a frame's \"ip\" is not a hex string");
	*ip = 0;
	for (i = 2; i < n; i++) {
		d = hex_digit(s[i]);
		if (d < 0)
			return fail(c, "key \"stack\": a frame's \"ip\" is not a hex string");
		*ip = *ip << 4 | (uint64_t)d;
	}
	return 0;
}

/* fn, demangled (absent before it was written) and obj: a byte string (no NUL can be in a C string) or null. */
static int
get_frame_str(struct ctx *c, json_t *frame, const char *key, char **out)
{
	json_t *v = json_object_get(frame, key);
	struct pw_bytes b;
	char inner[128];

	if (!v || json_is_null(v))
		return 0;
	if (get_bytes_value(c, v, &b) < 0) {
		snprintf(inner, sizeof(inner), "%s", c->why);
		return fail(c, "key \"stack\": \"%s\": %s", key, inner);
	}
	*out = b.data;
	return 0;
}

static int
get_frame(struct ctx *c, json_t *v, struct pw_frame *f)
{
	json_t *off;

	if (!json_is_object(v))
		return fail(c, "key \"stack\" holds a non-object");
	/* A u64 written as signed 64 bits: negative is 2^63 and above. */
	off = json_object_get(v, "off");
	if (!json_is_integer(off))
		return fail(c, "key \"stack\": a frame's \"off\" is not an integer");
	f->off = (uint64_t)json_integer_value(off);
	if (get_ip(c, v, &f->ip) < 0 ||
	    get_frame_str(c, v, "fn", &f->fn) < 0 ||
	    get_frame_str(c, v, "demangled", &f->demangled) < 0 ||
	    get_frame_str(c, v, "obj", &f->obj) < 0)
		return -1;
	return 0;
}

/*
 * -k's "stack" and "stack_note" (put_stack() in the sink).  "stack" present
 * means a stack was asked for, even when it is empty; frames are counted
 * in as they are filled, so that pw_stack_clear() frees a half-read one.
 */
static int
get_stack(struct ctx *c, json_t *obj, struct pw_stack *st)
{
	json_t *v = json_object_get(obj, "stack"), *note, *el;
	struct pw_bytes b;
	size_t i;

	note = json_object_get(obj, "stack_note");
	if (!v)
		return note ? fail(c, "key \"stack_note\" without \"stack\"") : 0;
	if (!json_is_array(v) || json_array_size(v) > PW_STACK_DEPTH_MAX)
		return fail(c, "key \"stack\" is not an array of at most %d frames",
			    PW_STACK_DEPTH_MAX);
	st->requested = true;
	if (json_array_size(v) > 0 &&
	    !(st->frames = calloc(json_array_size(v), sizeof(*st->frames))))
		return fail(c, "out of memory");
	json_array_foreach(v, i, el) {
		st->nframes = i + 1;
		if (get_frame(c, el, &st->frames[i]) < 0)
			return -1;
	}
	if (!note)
		return 0;
	if (json_is_null(note) || get_bytes_value(c, note, &b) < 0)
		return fail(c, "key \"stack_note\" is not a string");
	st->note = b.data;
	return 0;
}

static int
get_spawn(struct ctx *c, json_t *obj, struct pw_spawn *sp)
{
	int child = 0, parent = 0;

	if (get_call(c, obj, PW_CALL_CLONE, PW_CALL_VFORK, true, true, &sp->call) < 0 ||
	    get_flags(c, obj, "flags", true, pw_clone_flag_from_name, &sp->flags) < 0 ||
	    get_signal(c, obj, "exit_signal", true, true, &sp->exit_signal) < 0 ||
	    get_spawn_kind(c, obj, &sp->kind) < 0 ||
	    get_bool(c, obj, "thread", true, &sp->thread) < 0 ||
	    get_result(c, obj, true, &sp->result) < 0 ||
	    /* An unfinished spawn made no child, so names no parent. */
	    get_small(c, obj, "parent", sp->result != PW_RESULT_UNFINISHED, &parent) < 0 ||
	    get_small(c, obj, "child", false, &child) < 0 ||
	    get_long(c, obj, "result_ns", false, &sp->result_ns) < 0)
		return -1;
	sp->child = child;
	sp->parent = parent;
	if (sp->call == PW_CALL_CLONE3 && get_clone3_args(c, obj, sp) < 0)
		return -1;
	return get_stack(c, obj, &sp->stack);
}

/* An array of byte strings (an argv): *out has *n elements, NULL if none. */
static int
get_bytes_array(struct ctx *c, json_t *obj, const char *key, struct pw_bytes **out,
		size_t *n)
{
	json_t *v = member(c, obj, key, true), *el;
	size_t i;

	if (!v)
		return -1;
	if (!json_is_array(v))
		return fail(c, "key \"%s\" is not an array", key);
	if (json_array_size(v) == 0)
		return 0;
	*out = calloc(json_array_size(v), sizeof(**out));
	if (!*out)
		return fail(c, "out of memory");
	json_array_foreach(v, i, el) {
		if (get_bytes_value(c, el, &(*out)[i]) < 0)
			return -1;
		*n = i + 1;
	}
	return 0;
}

static int
get_argv(struct ctx *c, json_t *obj, struct pw_exec *ex)
{
	return get_bytes_array(c, obj, "argv", &ex->argv, &ex->argc);
}

/* An array of process ids (threads, pids): positive ints, at least one. */
static int
get_pids(struct ctx *c, json_t *obj, const char *key, pid_t **out, size_t *n)
{
	json_t *v = member(c, obj, key, true), *el;
	size_t i;

	if (!v)
		return -1;
	if (!json_is_array(v) || json_array_size(v) == 0)
		return fail(c, "key \"%s\" is not an array of pids", key);
	*out = calloc(json_array_size(v), sizeof(**out));
	if (!*out)
		return fail(c, "out of memory");
	json_array_foreach(v, i, el) {
		if (!json_is_integer(el) || json_integer_value(el) <= 0 ||
		    json_integer_value(el) > INT_MAX)
			return fail(c, "key \"%s\" holds something other than a pid", key);
		(*out)[i] = (pid_t)json_integer_value(el);
		*n = i + 1;
	}
	return 0;
}

static int
get_fds(struct ctx *c, json_t *obj, struct pw_exec *ex)
{
	json_t *v = member(c, obj, "fds", false), *el;
	size_t i;

	if (!v)
		return 0;
	if (!json_is_array(v) || json_array_size(v) > PW_EXEC_MAX_FDS)
		return fail(c, "key \"fds\" is not an array of at most %d descriptors",
			    PW_EXEC_MAX_FDS);
	if (json_array_size(v) == 0)
		return 0;
	ex->fds = calloc(json_array_size(v), sizeof(*ex->fds));
	if (!ex->fds)
		return fail(c, "out of memory");
	json_array_foreach(v, i, el) {
		ex->nfds = i + 1;
		if (!json_is_object(el))
			return fail(c, "key \"fds\" holds a non-object");
		if (get_small(c, el, "fd", true, &ex->fds[i].fd) < 0 ||
		    get_bytes(c, el, "target", true, &ex->fds[i].target) < 0)
			return -1;
	}
	return 0;
}

/*
 * The call, and execveat's dirfd and at_flags.  fs/exec.c runs execve as
 * execveat(AT_FDCWD, ..., 0), and the decoder records it so; the trace
 * leaves that out.  An exec whose call is unknown was never decoded.
 */
static int
get_exec_call(struct ctx *c, json_t *obj, struct pw_exec *ex)
{
	uint64_t at_flags = 0;

	if (get_call(c, obj, PW_CALL_EXECVE, PW_CALL_EXECVEAT, true, true, &ex->call) < 0)
		return -1;
	if (ex->call == PW_CALL_EXECVE)
		ex->dirfd = AT_FDCWD;
	if (ex->call != PW_CALL_EXECVEAT)
		return 0;
	if (get_small(c, obj, "dirfd", true, &ex->dirfd) < 0 ||
	    get_flags(c, obj, "at_flags", false, pw_at_flag_from_name, &at_flags) < 0)
		return -1;
	ex->at_flags = (int)at_flags;
	return 0;
}

/* "order": numbers that fit an entry's index; apply checks the rest. */
static int
get_env_order(struct ctx *c, json_t *v, struct pw_env *env)
{
	json_t *el;
	size_t i;

	if (!json_is_array(v))
		return fail(c, "key \"env\": \"order\" is not an array");
	if (json_array_size(v) == 0)
		return 0;
	env->order = calloc(json_array_size(v), sizeof(*env->order));
	if (!env->order)
		return fail(c, "out of memory");
	json_array_foreach(v, i, el) {
		if (!json_is_integer(el) || json_integer_value(el) < 0 ||
		    json_integer_value(el) > UINT32_MAX)
			return fail(c, "key \"env\": \"order\" holds a non-index");
		env->order[i] = (uint32_t)json_integer_value(el);
		env->norder = i + 1;
	}
	return 0;
}

/* "check": the eight hex digits put_env() writes. */
static int
get_env_check(struct ctx *c, json_t *v, struct pw_env *env)
{
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	size_t i, n = json_is_string(v) ? json_string_length(v) : 0;
	int d;

	if (n != 8)
		return fail(c, "key \"env\": \"check\" is not 8 hex digits");
	for (i = 0; i < n; i++) {
		d = hex_digit(s[i]);
		if (d < 0)
			return fail(c, "key \"env\": \"check\" is not 8 hex digits");
		env->check = env->check << 4 | (uint32_t)d;
	}
	return 0;
}

/*
 * --env's "env" (put_env() in the sink): absent in a trace recorded
 * without it.  A change without "check" cannot be told from damage.
 */
static int
get_env(struct ctx *c, json_t *obj, struct pw_env *env)
{
	json_t *v = json_object_get(obj, "env"), *order, *check;
	char inner[128];

	if (!v)
		return 0;
	if (!json_is_object(v))
		return fail(c, "key \"env\" is not an object");
	env->recorded = true;
	if (get_bool(c, v, "whole", false, &env->whole) < 0 ||
	    get_bool(c, v, "truncated", false, &env->truncated) < 0 ||
	    get_errno(c, v, "error", &env->err) < 0 ||
	    (json_object_get(v, "set") &&
	     get_bytes_array(c, v, "set", &env->set, &env->nset) < 0) ||
	    (json_object_get(v, "unset") &&
	     get_bytes_array(c, v, "unset", &env->unset, &env->nunset) < 0)) {
		snprintf(inner, sizeof(inner), "%s", c->why);
		return fail(c, "key \"env\": %s", inner);
	}
	order = json_object_get(v, "order");
	if (order && get_env_order(c, order, env) < 0)
		return -1;
	check = json_object_get(v, "check");
	if (!env->whole && !check)
		return fail(c, "key \"env\": a change without \"check\"");
	return check && !env->whole ? get_env_check(c, check, env) : 0;
}

static int
get_exec(struct ctx *c, json_t *obj, struct pw_exec *ex)
{
	int old_tid = 0;

	if (get_exec_call(c, obj, ex) < 0 ||
	    get_bytes(c, obj, "path", true, &ex->path) < 0 ||
	    get_argv(c, obj, ex) < 0 ||
	    get_bool(c, obj, "argv_truncated", false, &ex->argv_truncated) < 0 ||
	    get_errno(c, obj, "argv_error", &ex->argv_err) < 0 ||
	    get_bytes(c, obj, "cwd", false, &ex->cwd) < 0 ||
	    get_result(c, obj, true, &ex->result) < 0 ||
	    get_small(c, obj, "old_tid", false, &old_tid) < 0 ||
	    get_bytes(c, obj, "exe", false, &ex->exe) < 0 ||
	    get_fds(c, obj, ex) < 0 ||
	    get_bool(c, obj, "fds_truncated", false, &ex->fds_truncated) < 0 ||
	    get_env(c, obj, &ex->env) < 0 ||
	    get_stack(c, obj, &ex->stack) < 0)
		return -1;
	ex->old_tid = old_tid;
	return 0;
}

/*
 * waitid's idtype: a name, or the number of one without a name.  The
 * decoder takes the register's low 32 bits, so any int, negative too.
 */
static int
get_idtype(struct ctx *c, json_t *target, int *out)
{
	json_t *v = json_object_get(target, "idtype");
	json_int_t n;

	if (json_is_string(v)) {
		*out = pw_idtype_from_name(json_string_value(v));
		if (*out < 0)
			return fail(c, "unknown idtype \"%s\"", json_string_value(v));
		return 0;
	}
	if (!json_is_integer(v))
		return fail(c, "waitid's \"target\" has no \"idtype\"");
	n = json_integer_value(v);
	if (n < INT_MIN || n > INT_MAX)
		return fail(c, "idtype %lld is out of range", (long long)n);
	if (pw_idtype_name((int)n))
		return fail(c, "idtype %lld is written as its name", (long long)n);
	*out = (int)n;
	return 0;
}

/* wait4's target is a number, waitid's an object {"idtype","id"}. */
static int
get_wait_target(struct ctx *c, json_t *obj, struct pw_wait *wt)
{
	json_t *v = member(c, obj, "target", true);

	if (!v)
		return -1;
	if (wt->call != PW_CALL_WAITID)
		return get_pid_ns(c, obj, "target", "target_ns", true, &wt->target,
				  &wt->target_ns);
	if (!json_is_object(v))
		return fail(c, "waitid's \"target\" is not an object");
	if (get_idtype(c, v, &wt->idtype) < 0)
		return -1;
	return get_pid_ns(c, v, "id", "id_ns", true, &wt->target, &wt->target_ns);
}

static int
get_wait(struct ctx *c, json_t *obj, struct pw_wait *wt)
{
	uint64_t options = 0;

	if (get_call(c, obj, PW_CALL_WAIT4, PW_CALL_WAITID, true, false, &wt->call) < 0 ||
	    get_wait_target(c, obj, wt) < 0 ||
	    get_flags(c, obj, "options", true, pw_wait_option_from_name, &options) < 0 ||
	    (json_object_get(obj, "result_ns") ?
	     get_pid_ns(c, obj, "result", "result_ns", true, &wt->result, &wt->result_ns) :
	     get_result(c, obj, false, &wt->result)) < 0 ||
	    get_status(c, obj, "status", &wt->status) < 0)
		return -1;
	wt->options = (int)(unsigned int)options;
	return 0;
}

/* One member of "usage": a count, or null (or absent) when it was not read. */
static int
get_usage_member(struct ctx *c, json_t *usage, const char *key, unsigned bit,
		 uint64_t max, struct pw_usage *u, uint64_t *out)
{
	json_t *v = json_object_get(usage, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return fail(c, "key \"%s\" is not an integer", key);
	if (json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
		return fail(c, "key \"%s\" is out of range", key);
	*out = (uint64_t)json_integer_value(v);
	u->known |= (uint8_t)bit;
	return 0;
}

/* "usage", written only since procwatch read it: absent or null is unknown. */
static int
get_usage(struct ctx *c, json_t *obj, struct pw_usage *u)
{
	json_t *v = json_object_get(obj, "usage");
	uint64_t peak = 0;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return fail(c, "key \"usage\" is not an object");
	if (get_usage_member(c, v, "user_us", PW_USAGE_USER, INT64_MAX, u, &u->user_us) < 0 ||
	    get_usage_member(c, v, "system_us", PW_USAGE_SYSTEM, INT64_MAX, u,
			     &u->system_us) < 0 ||
	    get_usage_member(c, v, "peak_rss_kib", PW_USAGE_PEAK_RSS, UINT32_MAX, u, &peak) < 0)
		return -1;
	u->peak_rss_kib = (uint32_t)peak;
	return 0;
}

static int
get_exit(struct ctx *c, json_t *obj, struct pw_exit *ex)
{
	struct pw_status *st = &ex->status;

	if (get_bool(c, obj, "thread", true, &ex->thread) < 0 ||
	    get_call(c, obj, PW_CALL_EXIT, PW_CALL_EXIT_GROUP, false, false, &ex->call) < 0 ||
	    get_usage(c, obj, &ex->usage) < 0)
		return -1;
	if (json_object_get(obj, "code")) {
		st->kind = PW_STATUS_EXITED;
		return get_small(c, obj, "code", true, &st->code);
	}
	if (json_object_get(obj, "signal")) {
		st->kind = PW_STATUS_KILLED;
		if (get_bool(c, obj, "core", false, &st->core) < 0)
			return -1;
		return get_signal(c, obj, "signal", true, false, &st->signal);
	}
	return 0;
}

static int
get_signal_event(struct ctx *c, json_t *obj, struct pw_signal *sg)
{
	long sender = 0, sender_ns = 0;

	if (get_signal(c, obj, "signal", true, false, &sg->signal) < 0 ||
	    get_pid_ns(c, obj, "sender", "sender_ns", false, &sender, &sender_ns) < 0 ||
	    get_small(c, obj, "code", false, &sg->code) < 0)
		return -1;
	if (sender < INT_MIN || sender > INT_MAX || sender_ns < INT_MIN || sender_ns > INT_MAX)
		return fail(c, "key \"sender\" is out of range");
	sg->sender = (pid_t)sender;
	sg->sender_ns = (pid_t)sender_ns;
	return 0;
}

static int
get_end(struct ctx *c, json_t *obj, struct pw_end *en)
{
	long long lost = 0;

	if (!member(c, obj, "status", true) ||
	    get_status(c, obj, "status", &en->status) < 0 ||
	    get_int(c, obj, "lost", false, &lost) < 0)
		return -1;
	/* A count, written unsigned: read as 0 it would be written back 0. */
	if (lost < 0)
		return fail(c, "key \"lost\" is out of range");
	en->lost = (unsigned long)lost;
	return get_bool(c, obj, "detached", false, &en->detached);
}

void
pw_replay_start_clear(struct pw_start *st)
{
	size_t i;

	for (i = 0; st->argv && i < st->argc; i++)
		free(st->argv[i]);
	free(st->argv);
	free((char *)st->version);
	free((pid_t *)st->pids);
	*st = (struct pw_start){ 0 };
}

/* procwatch's own argv: strings without NUL, so C strings again. */
static int
get_start(struct ctx *c, json_t *obj, struct pw_start *st)
{
	json_t *argv = member(c, obj, "argv", true), *el, *version;
	long long tracer = 0;
	struct pw_bytes b;
	const char *mode;
	size_t i;

	if (!argv || !(mode = get_str(c, obj, "mode")) ||
	    get_bool(c, obj, "seccomp", false, &st->seccomp) < 0)
		return -1;
	if (!json_is_array(argv))
		return fail(c, "key \"argv\" is not an array");
	st->attach = strcmp(mode, "attach") == 0;
	st->argv = calloc(json_array_size(argv) + 1, sizeof(*st->argv));
	if (!st->argv)
		return fail(c, "out of memory");
	json_array_foreach(argv, i, el) {
		if (get_bytes_value(c, el, &b) < 0)
			return -1;
		st->argv[i] = b.data;
		st->argc = i + 1;
	}
	if (get_int(c, obj, "tracer", false, &tracer) < 0)
		return -1;
	if (tracer < 0 || tracer > INT_MAX)
		return fail(c, "key \"tracer\" is out of range");
	st->tracer = (pid_t)tracer;
	if (st->attach && json_object_get(obj, "pids")) {
		pid_t *pids = NULL;

		if (get_pids(c, obj, "pids", &pids, &st->npids) < 0) {
			free(pids);
			return -1;
		}
		st->pids = pids;
	}
	version = json_object_get(obj, "version");
	if (json_is_string(version) &&
	    !(st->version = strdup(json_string_value(version))))
		return fail(c, "out of memory");
	return 0;
}

/* The header's "options": what changed what was recorded. */
static int
get_trace_options(struct ctx *c, json_t *obj, struct pw_trace *tr)
{
	json_t *o = json_object_get(obj, "options");
	long long stack = 0;

	tr->seccomp = true;
	if (!o)
		return 0;
	if (!json_is_object(o))
		return fail(c, "key \"options\" is not an object");
	if (get_bool(c, o, "seccomp", false, &tr->seccomp) < 0 ||
	    get_int(c, o, "stack", false, &stack) < 0)
		return -1;
	if (stack < 0 || stack > UINT16_MAX)
		return fail(c, "key \"stack\" is out of range");
	tr->stack_depth = (unsigned)stack;
	return 0;
}

/*
 * The header.  Every key is optional: a reader learns what it can of
 * where the trace comes from, and nothing here changes what the events
 * mean.
 */
static int
get_trace(struct ctx *c, json_t *obj, struct pw_trace *tr)
{
	long long wall = 0;
	const char *mode;

	if (get_bytes(c, obj, "procwatch", false, &tr->version) < 0 ||
	    get_int(c, obj, "wall_clock_us", false, &wall) < 0 ||
	    get_bytes(c, obj, "hostname", false, &tr->hostname) < 0 ||
	    get_bytes(c, obj, "kernel", false, &tr->kernel) < 0 ||
	    get_bytes(c, obj, "cwd", false, &tr->cwd) < 0 ||
	    get_trace_options(c, obj, tr) < 0)
		return -1;
	if (wall < 0)
		return fail(c, "key \"wall_clock_us\" is out of range");
	tr->wall_us = (uint64_t)wall;
	mode = json_string_value(json_object_get(obj, "mode"));
	tr->attach = mode && strcmp(mode, "attach") == 0;
	if (json_object_get(obj, "argv") &&
	    get_bytes_array(c, obj, "argv", &tr->argv, &tr->argc) < 0)
		return -1;
	if (tr->attach && json_object_get(obj, "pids") &&
	    get_pids(c, obj, "pids", &tr->pids, &tr->npids) < 0)
		return -1;
	return 0;
}

/* A time in seconds with microsecond precision ("t", "age"). */
static int
get_seconds(struct ctx *c, json_t *obj, const char *key, uint64_t *us)
{
	json_t *t = member(c, obj, key, true);
	double secs;

	if (!t)
		return -1;
	if (!json_is_number(t))
		return fail(c, "key \"%s\" is not a number", key);
	secs = json_number_value(t);
	if (!(secs >= 0 && secs < 1e12))
		return fail(c, "key \"%s\" is out of range", key);
	*us = (uint64_t)(secs * 1e6 + 0.5);	/* round: 0.000001 is not exact */
	return 0;
}

static int
get_time(struct ctx *c, json_t *obj, uint64_t *us)
{
	return get_seconds(c, obj, "t", us);
}

static int
get_attach(struct ctx *c, json_t *obj, struct pw_attach *at)
{
	int parent = 0;

	if (get_small(c, obj, "parent", false, &parent) < 0 ||
	    get_pids(c, obj, "threads", &at->tids, &at->ntids) < 0 ||
	    get_bytes_array(c, obj, "argv", &at->argv, &at->argc) < 0 ||
	    get_bool(c, obj, "argv_truncated", false, &at->argv_truncated) < 0 ||
	    get_bytes(c, obj, "exe", false, &at->exe) < 0 ||
	    get_bytes(c, obj, "cwd", false, &at->cwd) < 0 ||
	    get_seconds(c, obj, "age", &at->age_us) < 0)
		return -1;
	if (parent < 0)
		return fail(c, "key \"parent\" is out of range");
	at->parent = parent;
	return 0;
}

static int
get_kind_keys(struct ctx *c, json_t *obj, struct pw_event *ev)
{
	switch (ev->kind) {
	case PW_EV_TRACE:
		return get_trace(c, obj, &ev->u.trace);
	case PW_EV_START:
		return get_start(c, obj, &ev->u.start);
	case PW_EV_ATTACH:
		return get_attach(c, obj, &ev->u.attach);
	case PW_EV_SPAWN:
		return get_spawn(c, obj, &ev->u.spawn);
	case PW_EV_EXEC:
	case PW_EV_EXEC_CHECK:
		return get_exec(c, obj, &ev->u.exec);
	case PW_EV_WAIT:
		return get_wait(c, obj, &ev->u.wait);
	case PW_EV_EXIT:
		return get_exit(c, obj, &ev->u.exit);
	case PW_EV_SIGNAL:
		return get_signal_event(c, obj, &ev->u.signal);
	case PW_EV_END:
		return get_end(c, obj, &ev->u.end);
	}
	return fail(c, "unknown event kind");
}

/* "t": seconds with six decimals, back to whole microseconds. */
int
pw_replay_decode(json_t *obj, struct pw_event *ev, char *why, size_t why_size)
{
	struct ctx c = { .why = why, .why_size = why_size };
	const char *kind;
	int pid = 0, tid = 0, k;

	memset(ev, 0, sizeof(*ev));
	if (!json_is_object(obj))
		return fail(&c, "not a JSON object");
	if (!(kind = get_str(&c, obj, "event")))
		return -1;
	for (k = PW_EV_TRACE; k <= PW_EV_END; k++)
		if (strcmp(kind, pw_event_kind_name((enum pw_event_kind)k)) == 0)
			break;
	if (k > PW_EV_END)
		return 1;	/* a kind from a later version: readers skip it */
	ev->kind = (enum pw_event_kind)k;
	if (get_time(&c, obj, &ev->time_us) < 0 ||
	    get_small(&c, obj, "pid", true, &pid) < 0 ||
	    get_small(&c, obj, "tid", true, &tid) < 0)
		return -1;
	ev->pid = pid;
	ev->tid = tid;
	if (get_kind_keys(&c, obj, ev) == 0)
		return 0;
	if (ev->kind == PW_EV_START)
		pw_replay_start_clear(&ev->u.start);
	else
		pw_event_clear(ev);
	return -1;
}
