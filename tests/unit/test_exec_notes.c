/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the exec annotations the model gives the timeline
 * (src/model/model.c):
 * a script is told from a symbolic link by resolving the exec'd path, and
 * the working directory counts as moved against the last exec of the
 * process or its ancestors.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "procwatch/model.h"
#include "event_builder.h"

/* An exec in cwd of path, for which the kernel ran exe. */
static struct pw_event
ran_in(pid_t pid, const char *path, const char *exe, const char *cwd)
{
	struct pw_event ev = ev_exec(0, pid, path, NULL, 0, cwd, 0);

	ev.u.exec.exe = ev_bytes(exe);
	return ev;
}

static struct pw_exec
ran(const char *path, const char *exe, const char *cwd)
{
	return ran_in(0, path, exe, cwd).u.exec;
}

Test(exec_notes, script_is_told_from_symlink)
{
	char dir[] = "/tmp/pw_notes.XXXXXX", file[64], link[64], hard[64], *real;
	struct pw_exec ex;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/prog", dir);
	snprintf(link, sizeof(link), "%s/alias", dir);
	snprintf(hard, sizeof(hard), "%s/hard", dir);
	f = fopen(file, "w");
	cr_assert_not_null(f);
	fclose(f);
	cr_assert_eq(symlink("prog", link), 0);
	cr_assert_eq(linkat(AT_FDCWD, file, AT_FDCWD, hard, 0), 0);
	real = realpath(file, NULL);
	cr_assert_not_null(real);
	/* The file itself, or a link to it: what the kernel ran is what was named. */
	ex = ran(file, real, NULL);
	cr_assert_not(pw_exec_is_script(&ex));
	ex = ran(link, real, NULL);
	cr_assert_not(pw_exec_is_script(&ex));
	ex = ran("alias", real, dir);
	cr_assert_not(pw_exec_is_script(&ex));
	/* The same file under another name (a hard link, a bind mount). */
	ex = ran(hard, real, NULL);
	cr_assert_not(pw_exec_is_script(&ex));
	/* Another program ran it: an interpreter. */
	ex = ran("prog", "/usr/bin/dash", dir);
	cr_assert(pw_exec_is_script(&ex));
	/* No answer rather than a wrong one. */
	ex = ran("prog", "/usr/bin/dash", NULL);
	cr_assert_not(pw_exec_is_script(&ex));
	ex = ran(file, "/usr/bin/dash (deleted)", NULL);
	cr_assert_not(pw_exec_is_script(&ex));
	ex = ran(file, "/usr/bin/dash", NULL);
	ex.result = -2;
	cr_assert_not(pw_exec_is_script(&ex));
	unlink(link);
	unlink(hard);
	unlink(file);
	rmdir(dir);
	free(real);
}

static struct pw_event
exec_in(pid_t pid, const char *cwd)
{
	return ran_in(pid, "/bin/true", "/usr/bin/true", cwd);
}

static void
take(struct pw_model *m, const struct pw_event *ev)
{
	cr_assert_eq(pw_model_event(m, ev, NULL), 0);
}

Test(exec_notes, cwd_moved_against_own_or_ancestor_exec)
{
	struct pw_model_opts mo = { 0 };
	struct pw_model m;
	struct pw_event sp = ev_fork(0, 10, 11);
	struct pw_event ev;

	pw_model_init(&m, &mo);
	ev = exec_in(10, "/a");
	cr_assert_not(pw_model_cwd_moved(&m, &ev), "the root has nothing to differ from");
	take(&m, &ev);
	take(&m, &sp);
	ev = exec_in(11, "/a");
	cr_assert_not(pw_model_cwd_moved(&m, &ev));
	ev = exec_in(11, "/b");
	cr_assert(pw_model_cwd_moved(&m, &ev));
	take(&m, &ev);
	ev = exec_in(11, "/b");
	cr_assert_not(pw_model_cwd_moved(&m, &ev), "same as its own last exec");
	ev = exec_in(11, NULL);
	cr_assert_not(pw_model_cwd_moved(&m, &ev));
	/* Back in its parent's directory: compared with its own last, /b. */
	ev = exec_in(11, "/a");
	cr_assert(pw_model_cwd_moved(&m, &ev));
	take(&m, &ev);
	ev = exec_in(11, "/b");
	cr_assert(pw_model_cwd_moved(&m, &ev));
	ev = exec_in(11, "/a");
	cr_assert_not(pw_model_cwd_moved(&m, &ev));
	pw_model_destroy(&m);
}
