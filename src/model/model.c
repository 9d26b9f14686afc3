/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model's front (include/procwatch/model.h): one event in, the records
 * (records.c) and the warnings (warnings.c) brought up to date, and notes
 * on what the event did for a view that shows it as it happens.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model_internal.h"

void
pw_model_init(struct pw_model *m, const struct pw_model_opts *opts)
{
	memset(m, 0, sizeof(*m));
	m->opts = *opts;
	pw_pidmap_init(&m->by_pid);
	pw_intern_init(&m->strings);
	pw_arena_init(&m->records);
	pw_env_lineage_init(&m->env_lineage, NULL, NULL);
	m->all_tail = &m->all;
	pw_pidmap_init(&m->adoptions);
}

void
pw_model_destroy(struct pw_model *m)
{
	struct pw_proc *p, *next;

	for (p = m->all; p; p = next) {
		next = p->next_all;
		model_proc_free(p);
	}
	pw_pidmap_destroy(&m->by_pid);
	model_adoptions_free(m);
	free(m->ends.v);
	pw_env_lineage_destroy(&m->env_lineage);
	pw_intern_destroy(&m->strings);
	pw_arena_destroy(&m->records);
	free(m->fds_seen);
	model_filter_free(m);
	memset(m, 0, sizeof(*m));
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

/*
 * A script is recognised by comparing the file the kernel ended up
 * running (/proc/PID/exe, recorded in the event) with the file the exec'd
 * path names, symbolic links followed: /bin/sh running /usr/bin/dash is
 * the same file, a ./build.sh running /usr/bin/dash is not.  Same file
 * means same device and inode (two stat calls, where resolving the path
 * name by name took a readlink per component), so a bind mount or a hard
 * link is the file too.  The path is looked at here, in procwatch, while
 * the traced program runs: right for a live trace.  A file that is gone
 * or unreachable from here (another mount namespace, a relative
 * execveat) gives no answer rather than a wrong one.
 */
bool
pw_exec_is_script(const struct pw_exec *ex)
{
	char joined[PATH_MAX];
	const char *path = ex->path.data;
	struct stat named, ran;

	if (ex->result != 0 || !ex->exe.data || !path || ends_with(ex->exe.data, " (deleted)"))
		return false;
	if (path[0] != '/') {
		if (!ex->cwd.data || (ex->call == PW_CALL_EXECVEAT && ex->dirfd != AT_FDCWD))
			return false;
		if (snprintf(joined, sizeof(joined), "%s/%s", ex->cwd.data, path) >=
		    (int)sizeof(joined))
			return false;
		path = joined;
	}
	if (strcmp(path, ex->exe.data) == 0 || stat(path, &named) < 0 ||
	    stat(ex->exe.data, &ran) < 0)
		return false;
	return named.st_dev != ran.st_dev || named.st_ino != ran.st_ino;
}

/*
 * An exec's directory is worth showing when it moved: a build that runs
 * everything in one directory would otherwise repeat it on every line.
 * It is compared with the last one the reader saw in that line of
 * descent (model_prev_cwd), failed attempts included.
 */
bool
pw_model_cwd_moved(const struct pw_model *m, const struct pw_event *ev)
{
	const struct pw_proc *p = pw_model_get(m, ev->pid);
	const char *prev = p ? model_prev_cwd(p) : NULL;

	return ev->kind == PW_EV_EXEC && ev->u.exec.cwd.data && prev &&
	       strcmp(prev, ev->u.exec.cwd.data) != 0;
}

static void
collect_warning(void *data, const struct pw_warning *w)
{
	struct pw_model_notes *n = data;

	if (n->nwarnings < PW_MODEL_EVENT_WARNINGS)
		n->warnings[n->nwarnings++] = *w;
}

/* The launched command's first program: what it inherited came from outside. */
static bool
first_exec_of_command(const struct pw_model *m, const struct pw_proc *p,
		      const struct pw_event *ev)
{
	return ev->kind == PW_EV_EXEC && ev->u.exec.result == 0 && ev->u.exec.nfds &&
	       p && p == m->root && !m->attach && !p->attached && pw_proc_execs(p) == 1;
}

int
pw_model_event(struct pw_model *m, const struct pw_event *ev,
	       struct pw_model_notes *notes)
{
	struct pw_model_notes own;
	const struct pw_env_node *env;
	struct pw_proc *p;
	int err;

	if (!notes)
		notes = &own;
	memset(notes, 0, sizeof(*notes));
	if (ev->time_us > m->end_us)
		m->end_us = ev->time_us;
	p = model_proc_of(m, ev);
	if (!p && ev->pid > 0 && ev->kind != PW_EV_END && ev->kind != PW_EV_TRACE &&
	    !(ev->kind == PW_EV_START && ev->u.start.attach)) {
		m->failed = true;
		return -ENOMEM;
	}
	notes->proc = p;
	notes->name_before = p ? p->name : NULL;
	if (ev->kind == PW_EV_EXEC) {
		notes->cwd_moved = pw_model_cwd_moved(m, ev);
		notes->script = m->opts.scripts && pw_exec_is_script(&ev->u.exec);
	}
	env = model_env_node(m, ev);
	err = model_apply(m, p, ev, notes->script, env);
	model_env_track(m, ev, env);
	if (err)
		m->failed = true;
	if (m->opts.warnings && first_exec_of_command(m, p, ev))
		model_caller_fds(m, ev, notes->caller_fds, sizeof(notes->caller_fds));
	model_filter_event(m, ev, notes);
	if (m->opts.warnings)
		model_warnings_check(m, ev, PW_ZOMBIE_THRESHOLD_US_DEFAULT,
				     collect_warning, notes);
	return err;
}
