/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --format=processes: one JSON object per process, a line each, in the
 * order the processes ended (those still running at the end last, in the
 * order they started), with what a question about a run needs and no join
 * by pid: a number unique in the trace (pids are reused), its parent and
 * creator, how it was made, every program it ran with argv, path and
 * directory, its failed exec attempts, when it started and ended, how, and
 * the warnings about it.  Written when the trace ends, because who reaped
 * a process, and some warnings, are known only after it ended.  Output is
 * linear in the model: each record once, each image and mark once.
 */
#include <errno.h>
#include <stdlib.h>

#include "procwatch/filter.h"
#include "procwatch/json_writer.h"
#include "procwatch/model.h"
#include "procwatch/sink.h"
#include "procwatch/warnings.h"
#include "procwatch/xlat.h"
#include "json_values.h"
#include "view.h"

struct processes_view {
	FILE *out;
	struct pw_view_opts o;
	struct pw_json w;
};

static void
put_image(struct pw_json *w, const struct pw_image *im)
{
	pw_json_object_begin(w);
	pw_json_image_keys(w, im);
	pw_json_object_end(w);
}

/* Every program it ran: the one it was found running (-p), then each exec. */
static void
put_images(struct pw_json *w, const struct pw_proc *p)
{
	const struct pw_image *im;

	pw_json_key(w, "execs");
	pw_json_array_begin(w);
	for (im = p->images; im; im = im->next)
		put_image(w, im);
	pw_json_array_end(w);
	im = pw_proc_image(p);
	if (im) {
		pw_json_key_argv(w, &im->argv);
		pw_json_key_text(w, "cwd", im->cwd);
	} else {
		pw_json_key(w, "argv");
		pw_json_null(w);
		pw_json_key_text(w, "cwd", NULL);
	}
}

/*
 * Exec attempts that failed, with errno: the misses of a PATH search that
 * found its program are no failures (they are counted as path_misses).
 */
static void
put_failed_execs(struct pw_json *w, const struct pw_proc *p)
{
	const struct pw_mark *mk;
	size_t i;

	pw_json_key(w, "failed_execs");
	pw_json_array_begin(w);
	for (i = 0; p->marks && i < p->marks->n; i++) {
		mk = &p->marks->v[i];
		if (mk->kind != PW_MARK_EXEC_FAILED || mk->path_miss)
			continue;
		pw_json_object_begin(w);
		pw_json_key_time(w, "t", mk->t);
		pw_json_key_int(w, "tid", mk->tid);
		pw_json_key_text(w, "path", mk->path);
		pw_json_key_errno(w, "errno", mk->num);
		pw_json_object_end(w);
	}
	pw_json_array_end(w);
	pw_json_key_int(w, "path_misses", p->path_misses);
	if (p->marks && p->marks->dropped)
		pw_json_key_int(w, "marks_dropped", (int64_t)p->marks->dropped);
}

/* A process's number and pid, or null: the id tells reused pids apart. */
static void
put_ref(struct pw_json *w, const char *id_key, const char *pid_key,
	const struct pw_proc *p, pid_t pid)
{
	pw_json_key(w, id_key);
	if (p)
		pw_json_int(w, (int64_t)p->id);
	else
		pw_json_null(w);
	pw_json_key(w, pid_key);
	if (pid > 0)
		pw_json_int(w, pid);
	else
		pw_json_null(w);
}

/*
 * The parent the kernel reports its end to: its creator, or with
 * CLONE_PARENT the creator's own parent (kernel/fork.c copy_process); the
 * record is named only when it is in the trace.
 */
static const struct pw_proc *
parent_of(const struct pw_proc *p)
{
	if (p->up && p->up->pid == p->ppid)
		return p->up;
	if (p->up && p->up->up && p->up->up->pid == p->ppid)
		return p->up->up;
	return NULL;
}

/* The command procwatch launched: its parent is procwatch, which reaps it. */
static bool
launched_root(const struct pw_model *m, const struct pw_proc *p)
{
	return !p->up && !p->attached && !m->attach && m->tracer;
}

static void
put_origin(struct pw_json *w, const struct pw_model *m, const struct pw_proc *p)
{
	put_ref(w, "parent_id", "ppid", parent_of(p),
		launched_root(m, p) ? m->tracer : p->ppid);
	put_ref(w, "creator_id", "creator_pid", p->up, pw_proc_creator(p));
	pw_json_key(w, "spawn");
	if (p->up) {
		pw_json_string(w, pw_spawn_kind_name(p->origin.kind));
		pw_json_key(w, "call");
		if (pw_call_name(p->origin.call))
			pw_json_string(w, pw_call_name(p->origin.call));
		else
			pw_json_null(w);
		pw_json_key(w, "flags");
		pw_json_array_begin(w);
		pw_clone_flags_each(p->origin.flags, pw_json_flag, w);
		pw_json_array_end(w);
		if (p->origin.exit_signal)
			pw_json_key_signal(w, "exit_signal", p->origin.exit_signal);
	} else {
		pw_json_null(w);
	}
	if (p->attached) {
		pw_json_key_bool(w, "attached", true);
		pw_json_key_time(w, "age", p->age_us);
	}
}

/* When and how it ended, or that it had not. */
static void
put_life(struct pw_json *w, const struct pw_model *m, const struct pw_proc *p)
{
	pw_json_key_time(w, "start", p->start_us);
	pw_json_key(w, "end");
	if (p->exited)
		pw_json_time_us(w, p->exit_us);
	else
		pw_json_null(w);
	pw_json_proc_ending(w, p);
	if (p->detached)
		pw_json_key_bool(w, "detached", true);
	pw_json_key_bool(w, "failed", pw_view_is_failure(m, p));
	pw_json_usage(w, &p->usage);
}

static void
put_reap(struct pw_json *w, const struct pw_model *m, const struct pw_proc *p)
{
	const struct pw_proc *r = NULL;
	bool by_tracer = p->reaped_by_tracer || (launched_root(m, p) && p->exited);

	if (p->reaped && !p->reaped_by_tracer)
		r = p->reaper == p->ppid ? parent_of(p) : pw_model_get(m, p->reaper);
	pw_json_key(w, "reaped_by");
	if (p->reaped && !p->reaped_by_tracer)
		pw_json_int(w, p->reaper);
	else
		pw_json_null(w);
	pw_json_key(w, "reaped_by_id");
	if (r && r->pid == p->reaper)
		pw_json_int(w, (int64_t)r->id);
	else
		pw_json_null(w);
	if (by_tracer)
		pw_json_key_bool(w, "reaped_by_procwatch", true);
	pw_json_key_bool(w, "orphaned", p->orphaned);
}

static void
put_warnings(struct pw_json *w, const struct pw_proc *p)
{
	unsigned k;

	pw_json_key(w, "warnings");
	pw_json_array_begin(w);
	for (k = 0; k < PW_WARN_KINDS; k++)
		if (p->warned & (1u << k))
			pw_json_string(w, pw_warning_kind_name((enum pw_warning_kind)k));
	pw_json_array_end(w);
}

static void
put_process(struct pw_json *w, const struct pw_model *m, const struct pw_proc *p)
{
	pw_json_init(w, w->out);
	pw_json_object_begin(w);
	pw_json_key_int(w, "id", (int64_t)p->id);
	pw_json_key_int(w, "pid", p->pid);
	pw_json_key_text(w, "name", p->name);
	pw_json_key_int(w, "depth", p->depth);
	put_origin(w, m, p);
	put_images(w, p);
	put_failed_execs(w, p);
	put_life(w, m, p);
	put_reap(w, m, p);
	pw_json_key_int(w, "threads", p->threads);
	put_warnings(w, p);
	pw_json_object_end(w);
	pw_json_newline(w);
}

/* Every exec and attempt whole, with marks for the attempts; no stacks. */
static void
processes_needs(const struct pw_view_opts *o, struct pw_model_opts *mo)
{
	mo->argv_keep = 0;
	mo->marks = true;
	mo->end_order = true;
	mo->warnings = o->warnings;
	mo->scripts = true;	/* "interpreter" */
}

static void *
processes_create(FILE *out, const struct pw_view_opts *o, void *data)
{
	struct processes_view *pv = calloc(1, sizeof(*pv));

	(void)data;
	if (pv) {
		pv->out = out;
		pv->o = *o;
	}
	return pv;
}

static int
processes_end(void *view, const struct pw_model *m)
{
	struct processes_view *pv = view;
	const struct pw_proc *p;
	int err, flushed;
	size_t i;

	pv->w.out = pv->out;
	for (i = 0; i < m->ends.n; i++)
		if (pw_proc_shown(m->ends.v[i]))
			put_process(&pv->w, m, m->ends.v[i]);
	for (p = m->all; p; p = p->next_all)
		if (!p->exited && pw_proc_shown(p))
			put_process(&pv->w, m, p);
	err = pw_json_error(&pv->w);
	flushed = pw_view_flush(pv->out);
	return err ? err : flushed;
}

const struct pw_view pw_view_processes = {
	.needs = processes_needs,
	.create = processes_create,
	.end = processes_end,
	.destroy = free,
};
