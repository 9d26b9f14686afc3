/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON Lines sink: each event becomes one JSON object on one line,
 * flushed at once, with exactly the keys of trace format version 1 (see
 * the man page, "JSON LINES TRACE") in a fixed order: "v" (start only), "t",
 * "event", "pid", "tid", then the keys of the kind.  Optional keys are left
 * out rather than written as null or false, so that adding keys later never
 * changes what an old reader sees; null is for a value that does not
 * exist, such as the result of a call the task died in.  It writes
 * through the streaming writer in json_writer.c and allocates nothing per
 * event; it draws no tree and keeps no state between events (that is the
 * model's and the other sinks' business).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "procwatch/json_writer.h"
#include "procwatch/linux_compat.h"
#include "procwatch/sink.h"
#include "procwatch/xlat.h"
#include "json_values.h"

struct json_sink {
	struct pw_sink base;	/* first: the ops get a struct pw_sink * */
	struct pw_json w;	/* reused for every line */
};

/* Names from the xlat tables are NULL for values they do not know. */
static void
put_key_name(struct pw_json *w, const char *key, const char *name)
{
	pw_json_key(w, key);
	if (name)
		pw_json_string(w, name);
	else
		pw_json_null(w);
}

/*
 * A u64 the kernel takes or we compute (clone_args fields, a frame's
 * offset), as a signed 64-bit number: jansson, and most readers, hold no
 * integer above 2^63 - 1, and would refuse the whole line.  Values that
 * high come only from a bogus clone3 argument or a crafted ELF file; they
 * come out negative, the same 64 bits.
 */
static void
put_u64_bits(struct pw_json *w, uint64_t v)
{
	pw_json_int(w, (int64_t)v);
}

/*
 * "errno" for a call that returned -errno; nothing for a success.  A call
 * the task died in has no result at all: null, which no number can be
 * mistaken for.
 */
static void
put_result(struct pw_json *w, long result)
{
	pw_json_key(w, "result");
	if (result == PW_RESULT_UNFINISHED) {
		pw_json_null(w);
		return;
	}
	pw_json_int(w, result);
	if (result < 0)
		pw_json_key_errno(w, "errno", (int)-result);
}

static void
put_pids(struct pw_json *w, const char *key, const pid_t *pids, size_t n)
{
	pw_json_key(w, key);
	pw_json_array_begin(w);
	for (size_t i = 0; i < n; i++)
		pw_json_int(w, pids[i]);
	pw_json_array_end(w);
}

static void
put_start(struct pw_json *w, const struct pw_start *st)
{
	size_t i;

	pw_json_key(w, "argv");
	pw_json_array_begin(w);
	for (i = 0; i < st->argc; i++) {
		/* procwatch's own argv: the user's bytes, just as arbitrary */
		if (st->argv[i])
			pw_json_bytes_len(w, st->argv[i], strlen(st->argv[i]));
		else
			pw_json_null(w);
	}
	pw_json_array_end(w);
	pw_json_key_string(w, "mode", st->attach ? "attach" : "launch");
	pw_json_key_bool(w, "seccomp", st->seccomp);
	put_key_name(w, "version", st->version);
	if (st->tracer)
		pw_json_key_int(w, "tracer", st->tracer);
	if (st->attach && st->npids)
		put_pids(w, "pids", st->pids, st->npids);
}

/* "2026-12-03T08:40:01.123456Z": the wall clock at time 0, for people. */
static void
put_wall_clock(struct pw_json *w, uint64_t us)
{
	time_t secs = (time_t)(us / 1000000);
	char buf[64];
	struct tm tm;

	if (!gmtime_r(&secs, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm))
		return;
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%06uZ",
		 (unsigned)(us % 1000000));
	pw_json_key_string(w, "wall_clock", buf);
}

/* The header: where, when and how the trace was recorded. */
static void
put_trace(struct pw_json *w, const struct pw_trace *tr)
{
	pw_json_key(w, "procwatch");
	pw_json_bytes(w, &tr->version);
	if (tr->wall_us) {
		put_wall_clock(w, tr->wall_us);
		pw_json_key_int(w, "wall_clock_us", (int64_t)tr->wall_us);
	}
	pw_json_key(w, "hostname");
	pw_json_bytes(w, &tr->hostname);
	pw_json_key(w, "kernel");
	pw_json_bytes(w, &tr->kernel);
	pw_json_key(w, "cwd");
	pw_json_bytes(w, &tr->cwd);
	pw_json_key_string(w, "mode", tr->attach ? "attach" : "launch");
	pw_json_key(w, "argv");
	pw_json_bytes_array(w, tr->argv, tr->argc);
	if (tr->attach)
		put_pids(w, "pids", tr->pids, tr->npids);
	pw_json_key(w, "options");
	pw_json_object_begin(w);
	pw_json_key_bool(w, "seccomp", tr->seccomp);
	pw_json_key_int(w, "stack", tr->stack_depth);
	pw_json_object_end(w);
}

/* key: an array of byte strings (an argv, an environment's entries). */
static void
put_bytes_array(struct pw_json *w, const char *key, const struct pw_bytes *v, size_t n)
{
	pw_json_key(w, key);
	pw_json_bytes_array(w, v, n);
}

/* A process found running at attach time, as /proc showed it. */
static void
put_attach(struct pw_json *w, const struct pw_attach *at)
{
	size_t i;

	if (at->parent)
		pw_json_key_int(w, "parent", at->parent);
	pw_json_key(w, "threads");
	pw_json_array_begin(w);
	for (i = 0; i < at->ntids; i++)
		pw_json_int(w, at->tids[i]);
	pw_json_array_end(w);
	put_bytes_array(w, "argv", at->argv, at->argc);
	if (at->argv_truncated)
		pw_json_key_bool(w, "argv_truncated", true);
	if (at->exe.data) {
		pw_json_key(w, "exe");
		pw_json_bytes(w, &at->exe);
	}
	if (at->cwd.data) {
		pw_json_key(w, "cwd");
		pw_json_bytes(w, &at->cwd);
	}
	pw_json_key(w, "age");
	pw_json_time_us(w, at->age_us);
}

/* The clone3-only keys: what the struct clone_args said beyond the flags. */
static void
put_clone3_args(struct pw_json *w, const struct pw_spawn *sp)
{
	size_t i, n;

	pw_json_key(w, "size");
	put_u64_bits(w, sp->args_size);
	if (sp->args_unreadable)
		pw_json_key_bool(w, "args_unreadable", true);
	if (sp->args_tail_nonzero)
		pw_json_key_bool(w, "tail_nonzero", true);
	if (sp->set_tid_size > 0) {
		n = sp->set_tid_size < PW_SET_TID_MAX ? sp->set_tid_size : PW_SET_TID_MAX;
		pw_json_key(w, "set_tid");
		pw_json_array_begin(w);
		for (i = 0; i < n; i++)
			pw_json_int(w, sp->set_tid[i]);
		pw_json_array_end(w);
	}
	/* More than the kernel takes: that call fails, none were read. */
	if (sp->set_tid_size > PW_SET_TID_MAX) {
		pw_json_key(w, "set_tid_size");
		put_u64_bits(w, sp->set_tid_size);
	}
	if (sp->flags & CLONE_INTO_CGROUP) {
		pw_json_key(w, "cgroup");
		put_u64_bits(w, sp->cgroup);
	}
}

/*
 * -k: "stack" and "stack_note", last so that the keys before them read as
 * without -k.  ip is a hex string because JSON numbers above 2^53 lose
 * digits in many readers; off stays a number, being small but for a
 * crafted object file's addresses.
 */
static void
put_stack(struct pw_json *w, const struct pw_stack *st)
{
	char ip[24];
	size_t i;

	if (!st->requested)
		return;
	pw_json_key(w, "stack");
	pw_json_array_begin(w);
	for (i = 0; i < st->nframes; i++) {
		pw_json_object_begin(w);
		pw_json_key(w, "fn");
		pw_json_bytes_cstr(w, st->frames[i].fn);
		/* Only when there is one: traces from before it read the same. */
		if (st->frames[i].demangled) {
			pw_json_key(w, "demangled");
			pw_json_bytes_cstr(w, st->frames[i].demangled);
		}
		pw_json_key(w, "off");
		put_u64_bits(w, st->frames[i].off);
		pw_json_key(w, "obj");
		pw_json_bytes_cstr(w, st->frames[i].obj);
		snprintf(ip, sizeof(ip), "0x%" PRIx64, st->frames[i].ip);
		pw_json_key_string(w, "ip", ip);
		pw_json_object_end(w);
	}
	pw_json_array_end(w);
	if (st->note) {
		pw_json_key(w, "stack_note");
		pw_json_bytes_cstr(w, st->note);
	}
}

static void
put_spawn(struct pw_json *w, const struct pw_spawn *sp)
{
	const char *call = pw_call_name(sp->call);
	const char *kind = pw_spawn_kind_name(sp->kind);

	put_key_name(w, "call", call);
	pw_json_key(w, "flags");
	pw_json_array_begin(w);
	pw_clone_flags_each(sp->flags, pw_json_flag, w);
	pw_json_array_end(w);
	if (sp->exit_signal)
		pw_json_key_signal(w, "exit_signal", sp->exit_signal);
	else
		put_key_name(w, "exit_signal", NULL);
	put_key_name(w, "kind", kind);
	pw_json_key_bool(w, "thread", sp->thread);
	/* Unfinished: no child was made, so none has a parent either. */
	if (sp->result == PW_RESULT_UNFINISHED) {
		put_result(w, sp->result);
	} else {
		pw_json_key_int(w, "parent", sp->parent);
		pw_json_key_int(w, "result", sp->result);
		if (sp->result_ns)
			pw_json_key_int(w, "result_ns", sp->result_ns);
		if (sp->child != 0)
			pw_json_key_int(w, "child", sp->child);
		if (pw_spawn_untraced(sp))
			pw_json_key_bool(w, "followed", false);
		if (sp->result < 0)
			pw_json_key_errno(w, "errno", (int)-sp->result);
	}
	if (sp->call == PW_CALL_CLONE3)
		put_clone3_args(w, sp);
	put_stack(w, &sp->stack);
}

/* What a successful exec left: the file run, the descriptors inherited. */
static void
put_exec_image(struct pw_json *w, const struct pw_exec *ex)
{
	size_t i;

	if (ex->exe.data) {
		pw_json_key(w, "exe");
		pw_json_bytes(w, &ex->exe);
	}
	if (ex->script)
		pw_json_key_bool(w, "script", true);
	if (ex->nfds) {
		pw_json_key(w, "fds");
		pw_json_array_begin(w);
		for (i = 0; i < ex->nfds; i++) {
			pw_json_object_begin(w);
			pw_json_key_int(w, "fd", ex->fds[i].fd);
			pw_json_key(w, "target");
			pw_json_bytes(w, &ex->fds[i].target);
			pw_json_object_end(w);
		}
		pw_json_array_end(w);
	}
	if (ex->fds_truncated)
		pw_json_key_bool(w, "fds_truncated", true);
}

/*
 * --env: the environment the call passed, whole or as the change from
 * the one before it in its lineage (include/procwatch/envdiff.h); check
 * as eight hex digits, since it is a hash and not a quantity.
 */
static void
put_env(struct pw_json *w, const struct pw_env *env)
{
	char check[16];
	size_t i;

	if (!env->recorded)
		return;
	pw_json_key(w, "env");
	pw_json_object_begin(w);
	if (env->whole)
		pw_json_key_bool(w, "whole", true);
	if (env->nset)
		put_bytes_array(w, "set", env->set, env->nset);
	if (env->nunset)
		put_bytes_array(w, "unset", env->unset, env->nunset);
	if (env->norder) {
		pw_json_key(w, "order");
		pw_json_array_begin(w);
		for (i = 0; i < env->norder; i++)
			pw_json_uint(w, env->order[i]);
		pw_json_array_end(w);
	}
	if (!env->whole) {
		snprintf(check, sizeof(check), "%08" PRIx32, env->check);
		pw_json_key_string(w, "check", check);
	}
	if (env->truncated)
		pw_json_key_bool(w, "truncated", true);
	if (env->err)
		pw_json_key_errno(w, "error", env->err);
	pw_json_object_end(w);
}

static void
put_exec(struct pw_json *w, const struct pw_exec *ex)
{
	const char *call = pw_call_name(ex->call);

	put_key_name(w, "call", call);
	if (ex->call == PW_CALL_EXECVEAT) {
		pw_json_key_int(w, "dirfd", ex->dirfd);
		pw_json_key(w, "at_flags");
		pw_json_array_begin(w);
		pw_at_flags_each((unsigned int)ex->at_flags, pw_json_flag, w);
		pw_json_array_end(w);
	}
	pw_json_key(w, "path");
	pw_json_bytes(w, &ex->path);
	put_bytes_array(w, "argv", ex->argv, ex->argc);
	if (ex->argv_truncated)
		pw_json_key_bool(w, "argv_truncated", true);
	if (ex->argv_err)
		pw_json_key_errno(w, "argv_error", ex->argv_err);
	if (ex->cwd.data) {
		pw_json_key(w, "cwd");
		pw_json_bytes(w, &ex->cwd);
	}
	put_result(w, ex->result);
	if (ex->old_tid)
		pw_json_key_int(w, "old_tid", ex->old_tid);
	put_exec_image(w, ex);
	put_env(w, &ex->env);
	put_stack(w, &ex->stack);
}

/*
 * A process id translated into procwatch's pid namespace, then the
 * tracee's own value as key_ns when it differs; null when no process
 * procwatch knows has that id there (see struct pw_wait).
 */
static void
put_key_pid_ns(struct pw_json *w, const char *key, const char *key_ns,
	       long id, long id_ns)
{
	pw_json_key(w, key);
	if (id == 0 && id_ns != 0)
		pw_json_null(w);
	else
		pw_json_int(w, id);
	if (id_ns)
		pw_json_key_int(w, key_ns, id_ns);
}

/* waitid's target is a pair; the name keeps "P_PID" readable in the trace. */
static void
put_wait_target(struct pw_json *w, const struct pw_wait *wt)
{
	const char *idtype;

	if (wt->call != PW_CALL_WAITID) {
		put_key_pid_ns(w, "target", "target_ns", wt->target, wt->target_ns);
		return;
	}
	pw_json_key(w, "target");
	idtype = pw_idtype_name(wt->idtype);
	pw_json_object_begin(w);
	pw_json_key(w, "idtype");
	if (idtype)
		pw_json_string(w, idtype);
	else
		pw_json_int(w, wt->idtype);
	put_key_pid_ns(w, "id", "id_ns", wt->target, wt->target_ns);
	pw_json_object_end(w);
}

static void
put_wait(struct pw_json *w, const struct pw_wait *wt)
{
	const char *call = pw_call_name(wt->call);

	put_key_name(w, "call", call);
	put_wait_target(w, wt);
	pw_json_key(w, "options");
	pw_json_array_begin(w);
	pw_wait_options_each((unsigned int)wt->options, pw_json_flag, w);
	pw_json_array_end(w);
	if (wt->result_ns)
		put_key_pid_ns(w, "result", "result_ns", wt->result, wt->result_ns);
	else
		put_result(w, wt->result);
	if (wt->status.kind != PW_STATUS_NONE) {
		pw_json_key(w, "status");
		pw_json_status(w, &wt->status);
	}
}

static void
put_exit(struct pw_json *w, const struct pw_exit *ex)
{
	const char *call = pw_call_name(ex->call);

	pw_json_key_bool(w, "thread", ex->thread);
	if (ex->status.kind == PW_STATUS_EXITED) {
		pw_json_key_int(w, "code", ex->status.code);
	} else if (ex->status.kind == PW_STATUS_KILLED) {
		pw_json_key_signal(w, "signal", ex->status.signal);
		pw_json_key_bool(w, "core", ex->status.core);
	}
	if (ex->call != PW_CALL_NONE && call)
		pw_json_key_string(w, "call", call);
	pw_json_usage(w, &ex->usage);
}

static void
put_signal(struct pw_json *w, const struct pw_signal *sg)
{
	pw_json_key_signal(w, "signal", sg->signal);
	if (sg->sender || sg->sender_ns)
		put_key_pid_ns(w, "sender", "sender_ns", sg->sender, sg->sender_ns);
	pw_json_key_int(w, "code", sg->code);
}

static void
put_end(struct pw_json *w, const struct pw_end *en)
{
	pw_json_key(w, "status");
	pw_json_status(w, &en->status);
	pw_json_key(w, "lost");
	pw_json_uint(w, en->lost);
	if (en->detached)
		pw_json_key_bool(w, "detached", true);
}

static void
put_kind_keys(struct pw_json *w, const struct pw_event *ev)
{
	switch (ev->kind) {
	case PW_EV_TRACE:
		put_trace(w, &ev->u.trace);
		break;
	case PW_EV_START:
		put_start(w, &ev->u.start);
		break;
	case PW_EV_ATTACH:
		put_attach(w, &ev->u.attach);
		break;
	case PW_EV_SPAWN:
		put_spawn(w, &ev->u.spawn);
		break;
	case PW_EV_EXEC:
	case PW_EV_EXEC_CHECK:
		put_exec(w, &ev->u.exec);
		break;
	case PW_EV_WAIT:
		put_wait(w, &ev->u.wait);
		break;
	case PW_EV_EXIT:
		put_exit(w, &ev->u.exit);
		break;
	case PW_EV_SIGNAL:
		put_signal(w, &ev->u.signal);
		break;
	case PW_EV_END:
		put_end(w, &ev->u.end);
		break;
	}
}

static int
json_event(struct pw_sink *sink, const struct pw_event *ev)
{
	struct json_sink *js = (struct json_sink *)sink;
	struct pw_json *w = &js->w;
	const char *kind = pw_event_kind_name(ev->kind);
	int err;

	/* An event we cannot name would make a line readers cannot place. */
	if (!kind)
		return -EINVAL;
	errno = 0;
	pw_json_init(w, sink->out);
	pw_json_object_begin(w);
	if (ev->kind == PW_EV_TRACE || ev->kind == PW_EV_START)
		pw_json_key_int(w, "v", PW_TRACE_FORMAT_VERSION);
	pw_json_key(w, "t");
	pw_json_time_us(w, ev->time_us);
	pw_json_key_string(w, "event", kind);
	pw_json_key_int(w, "pid", ev->pid);
	pw_json_key_int(w, "tid", ev->tid);
	put_kind_keys(w, ev);
	pw_json_object_end(w);
	pw_json_newline(w);
	err = pw_json_error(w);
	/* Flushed per line: a trace cut short by a crash still parses. */
	if (fflush(sink->out) == EOF && !err)
		err = errno ? -errno : -EIO;
	return err;
}

static int
json_close(struct pw_sink *sink)
{
	int err = 0;

	errno = 0;
	if (fflush(sink->out) == EOF || ferror(sink->out))
		err = errno ? -errno : -EIO;
	free(sink);
	return err;
}

static const struct pw_sink_ops json_ops = {
	.name = "json",
	.event = json_event,
	.close = json_close,
};

struct pw_sink *
pw_sink_json_new(FILE *out)
{
	struct json_sink *js = calloc(1, sizeof(*js));

	if (!js)
		return NULL;
	js->base.ops = &json_ops;
	js->base.out = out;
	pw_json_init(&js->w, out);
	return &js->base;
}
