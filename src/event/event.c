/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lifetime and names of struct pw_event: freeing (and, for sinks that
 * keep them, copying) the bytes and stacks an event holds, and the
 * lower-case names the JSON trace and the timeline use for event kinds,
 * calls and spawn kinds.  Names are looked up in arrays indexed by the
 * enum; a value outside the enum yields NULL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>

#include "procwatch/base.h"
#include "procwatch/event.h"

static const char *const event_kind_names[] = {
	[PW_EV_TRACE] = "trace",
	[PW_EV_START] = "start",
	[PW_EV_ATTACH] = "attach",
	[PW_EV_SPAWN] = "spawn",
	[PW_EV_EXEC] = "exec",
	[PW_EV_EXEC_CHECK] = "exec_check",
	[PW_EV_WAIT] = "wait",
	[PW_EV_EXIT] = "exit",
	[PW_EV_SIGNAL] = "signal",
	[PW_EV_END] = "end",
};

static const char *const call_names[] = {
	[PW_CALL_NONE] = NULL,
	[PW_CALL_CLONE] = "clone",
	[PW_CALL_CLONE3] = "clone3",
	[PW_CALL_FORK] = "fork",
	[PW_CALL_VFORK] = "vfork",
	[PW_CALL_EXECVE] = "execve",
	[PW_CALL_EXECVEAT] = "execveat",
	[PW_CALL_WAIT4] = "wait4",
	[PW_CALL_WAITID] = "waitid",
	[PW_CALL_EXIT] = "exit",
	[PW_CALL_EXIT_GROUP] = "exit_group",
};

static const char *const spawn_kind_names[] = {
	[PW_SPAWN_FORK] = "fork",
	[PW_SPAWN_VFORK] = "vfork",
	[PW_SPAWN_POSIX_SPAWN] = "posix_spawn",
	[PW_SPAWN_THREAD] = "thread",
	[PW_SPAWN_CLONE] = "clone",
};

void
pw_bytes_clear(struct pw_bytes *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->err = 0;
}

int
pw_bytes_dup(struct pw_bytes *dst, const struct pw_bytes *src)
{
	*dst = (struct pw_bytes){ .len = src->len, .err = src->err };
	if (!src->data)
		return 0;
	dst->data = malloc(src->len + 1);
	if (!dst->data)
		return -ENOMEM;
	memcpy(dst->data, src->data, src->len);
	dst->data[src->len] = '\0';
	return 0;
}

static int
str_dup(char **dst, const char *src)
{
	*dst = NULL;
	if (src && !(*dst = strdup(src)))
		return -ENOMEM;
	return 0;
}

int
pw_stack_copy(struct pw_stack *dst, const struct pw_stack *src)
{
	size_t i;

	*dst = (struct pw_stack){ .requested = src->requested };
	if (str_dup(&dst->note, src->note) < 0)
		return -ENOMEM;
	if (!src->nframes)
		return 0;
	dst->frames = calloc(src->nframes, sizeof(*dst->frames));
	if (!dst->frames)
		return -ENOMEM;
	for (i = 0; i < src->nframes; i++) {
		dst->nframes = i + 1;
		dst->frames[i].ip = src->frames[i].ip;
		dst->frames[i].off = src->frames[i].off;
		if (str_dup(&dst->frames[i].fn, src->frames[i].fn) < 0 ||
		    str_dup(&dst->frames[i].demangled, src->frames[i].demangled) < 0 ||
		    str_dup(&dst->frames[i].obj, src->frames[i].obj) < 0)
			return -ENOMEM;
	}
	return 0;
}

void
pw_stack_clear(struct pw_stack *st)
{
	for (size_t i = 0; st->frames && i < st->nframes; i++) {
		free(st->frames[i].fn);
		free(st->frames[i].demangled);
		free(st->frames[i].obj);
	}
	free(st->frames);
	free(st->note);
	memset(st, 0, sizeof(*st));
}

static void
bytes_array_free(struct pw_bytes *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		pw_bytes_clear(&v[i]);
	free(v);
}

void
pw_env_clear(struct pw_env *env)
{
	bytes_array_free(env->set, env->nset);
	bytes_array_free(env->unset, env->nunset);
	free(env->order);
	memset(env, 0, sizeof(*env));
}

static void
attach_clear(struct pw_attach *at)
{
	for (size_t i = 0; at->argv && i < at->argc; i++)
		pw_bytes_clear(&at->argv[i]);
	free(at->argv);
	free(at->tids);
	pw_bytes_clear(&at->exe);
	pw_bytes_clear(&at->cwd);
	memset(at, 0, sizeof(*at));
}

static void
trace_clear(struct pw_trace *tr)
{
	for (size_t i = 0; tr->argv && i < tr->argc; i++)
		pw_bytes_clear(&tr->argv[i]);
	free(tr->argv);
	free(tr->pids);
	pw_bytes_clear(&tr->version);
	pw_bytes_clear(&tr->hostname);
	pw_bytes_clear(&tr->kernel);
	pw_bytes_clear(&tr->cwd);
	memset(tr, 0, sizeof(*tr));
}

/*
 * Trace, spawn, exec and attach events own memory: start's argv belongs
 * to the caller.
 */
void
pw_event_clear(struct pw_event *ev)
{
	struct pw_exec *ex;

	if (ev && ev->kind == PW_EV_TRACE)
		trace_clear(&ev->u.trace);
	if (ev && ev->kind == PW_EV_SPAWN)
		pw_stack_clear(&ev->u.spawn.stack);
	if (ev && ev->kind == PW_EV_ATTACH)
		attach_clear(&ev->u.attach);
	if (!ev || !pw_event_is_exec_like(ev))
		return;
	ex = &ev->u.exec;
	pw_stack_clear(&ex->stack);
	pw_env_clear(&ex->env);
	pw_bytes_clear(&ex->path);
	pw_bytes_clear(&ex->cwd);
	pw_bytes_clear(&ex->exe);
	for (size_t i = 0; ex->fds && i < ex->nfds; i++)
		pw_bytes_clear(&ex->fds[i].target);
	free(ex->fds);
	ex->fds = NULL;
	ex->nfds = 0;
	pw_exec_argv_clear(ex);
}

void
pw_exec_argv_clear(struct pw_exec *ex)
{
	if (ex->argv_strings)
		free(ex->argv_strings);
	else
		for (size_t i = 0; ex->argv && i < ex->argc; i++)
			pw_bytes_clear(&ex->argv[i]);
	free(ex->argv);
	ex->argv = NULL;
	ex->argc = 0;
	ex->argv_strings = NULL;
	ex->argv_truncated = false;
	ex->argv_err = 0;
}

const char *
pw_event_kind_name(enum pw_event_kind kind)
{
	if ((unsigned)kind >= PW_ARRAY_SIZE(event_kind_names))
		return NULL;
	return event_kind_names[kind];
}

static const char *const status_kind_names[] = {
	[PW_STATUS_NONE] = NULL,
	[PW_STATUS_EXITED] = "exited",
	[PW_STATUS_KILLED] = "killed",
	[PW_STATUS_STOPPED] = "stopped",
	[PW_STATUS_CONTINUED] = "continued",
	[PW_STATUS_TRAPPED] = "trapped",
};

const char *
pw_status_kind_name(enum pw_status_kind kind)
{
	if ((unsigned)kind >= PW_ARRAY_SIZE(status_kind_names))
		return NULL;
	return status_kind_names[kind];
}

enum pw_status_kind
pw_status_kind_from_name(const char *name)
{
	size_t i;

	for (i = 1; name && i < PW_ARRAY_SIZE(status_kind_names); i++)
		if (strcmp(name, status_kind_names[i]) == 0)
			return (enum pw_status_kind)i;
	return PW_STATUS_NONE;
}

const char *
pw_call_name(enum pw_call call)
{
	if ((unsigned)call >= PW_ARRAY_SIZE(call_names))
		return NULL;
	return call_names[call];
}

const char *
pw_spawn_kind_name(enum pw_spawn_kind kind)
{
	if ((unsigned)kind >= PW_ARRAY_SIZE(spawn_kind_names))
		return NULL;
	return spawn_kind_names[kind];
}

/* Only an exit or a kill, without WNOWAIT, frees the child's pid (wait(2)). */
bool
pw_wait_reaps(const struct pw_wait *wt)
{
	return wt->result > 0 && !(wt->options & WNOWAIT) &&
	       (wt->status.kind == PW_STATUS_EXITED || wt->status.kind == PW_STATUS_KILLED);
}
