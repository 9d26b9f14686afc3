/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exec annotations for the timeline.  The working directory is shown only
 * when it moved, since a build that runs everything in one directory would
 * otherwise repeat it on every line; what it is compared with is the last
 * exec of the process or of its nearest ancestor, as that is the directory
 * the reader last saw.  A script is recognised by comparing the file the
 * kernel ended up running (/proc/PID/exe, recorded in the event) with the
 * exec'd path resolved through its symbolic links: /bin/sh running
 * /usr/bin/dash is the same file, a ./build.sh running /usr/bin/dash is not.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_notes.h"

void
pw_exec_notes_init(struct pw_exec_notes *n)
{
	pw_pidmap_init(&n->cwd);
}

static void
free_cwd(pid_t key, void *value, void *data)
{
	(void)key;
	(void)data;
	free(value);
}

void
pw_exec_notes_destroy(struct pw_exec_notes *n)
{
	pw_pidmap_each(&n->cwd, free_cwd, NULL);
	pw_pidmap_destroy(&n->cwd);
}

/* Far enough for any real tree; bounded so a long fork chain stays cheap. */
#define ANCESTORS_MAX 16

static const char *
previous_cwd(const struct pw_exec_notes *n, const struct pw_proctab *tab, pid_t pid)
{
	const struct pw_proc *p = pw_proctab_get(tab, pid);
	const char *cwd = pw_pidmap_get(&n->cwd, pid);
	unsigned i;

	for (i = 0; !cwd && p && p->up && i < ANCESTORS_MAX; i++) {
		p = p->up;
		/* A dead ancestor's pid may now name another process. */
		if (pw_proctab_get(tab, p->pid) != p)
			return NULL;
		cwd = pw_pidmap_get(&n->cwd, p->pid);
	}
	return cwd;
}

/*
 * A directory is stored only where it differs from what the process would
 * otherwise be compared with: 20 000 execs in one directory keep one copy,
 * not 20 000.  The price: should the ancestor holding that copy exec
 * elsewhere later, the process is compared with the ancestor's new one.
 */
void
pw_exec_notes_event(struct pw_exec_notes *n, const struct pw_proctab *tab,
		    const struct pw_event *ev)
{
	const char *prev;
	char *cwd;

	/* A new process may reuse a pid: what the old one ran says nothing. */
	if (ev->kind == PW_EV_SPAWN && ev->u.spawn.child && !ev->u.spawn.thread)
		free(pw_pidmap_remove(&n->cwd, ev->u.spawn.child));
	if (ev->kind != PW_EV_EXEC || ev->u.exec.result != 0 || !ev->u.exec.cwd.data)
		return;
	prev = previous_cwd(n, tab, ev->pid);
	if (prev && strcmp(prev, ev->u.exec.cwd.data) == 0)
		return;
	cwd = strdup(ev->u.exec.cwd.data);
	if (!cwd)
		return;
	free(pw_pidmap_remove(&n->cwd, ev->pid));
	if (pw_pidmap_put(&n->cwd, ev->pid, cwd) < 0)
		free(cwd);	/* no memory: the next exec shows its directory */
}

bool
pw_exec_notes_cwd_moved(const struct pw_exec_notes *n, const struct pw_proctab *tab,
			const struct pw_event *ev)
{
	const char *prev;

	if (ev->kind != PW_EV_EXEC || !ev->u.exec.cwd.data)
		return false;
	prev = previous_cwd(n, tab, ev->pid);
	return prev && strcmp(prev, ev->u.exec.cwd.data) != 0;
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

/*
 * The path is resolved here, in procwatch, while the traced program runs:
 * right for a live trace.  A file that is gone or unreachable from here
 * (another mount namespace, a relative execveat) gives no answer rather
 * than a wrong one.
 */
bool
pw_exec_is_script(const struct pw_exec *ex)
{
	char joined[PATH_MAX];
	const char *path = ex->path.data;
	char *real;
	bool script;

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
	real = realpath(path, NULL);
	if (!real)
		return false;
	script = strcmp(real, ex->exe.data) != 0;
	free(real);
	return script;
}
