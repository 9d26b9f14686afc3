/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the exec annotations the model gives the timeline
 * (src/model/model.c):
 * a script is told from a symbolic link by resolving the exec'd path, and
 * the working directory counts as moved against the last exec of the
 * process or its ancestors.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procwatch/model.h"

static struct pw_bytes
bytes(const char *s)
{
	return (struct pw_bytes){ .data = (char *)s, .len = s ? strlen(s) : 0 };
}

static struct pw_exec
ran(const char *path, const char *exe, const char *cwd)
{
	return (struct pw_exec){
		.call = PW_CALL_EXECVE, .path = bytes(path), .exe = bytes(exe), .cwd = bytes(cwd),
	};
}

Test(exec_notes, script_is_told_from_symlink)
{
	char dir[] = "/tmp/pw_notes.XXXXXX", file[64], link[64], *real;
	struct pw_exec ex;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/prog", dir);
	snprintf(link, sizeof(link), "%s/alias", dir);
	f = fopen(file, "w");
	cr_assert_not_null(f);
	fclose(f);
	cr_assert_eq(symlink("prog", link), 0);
	real = realpath(file, NULL);
	cr_assert_not_null(real);
	/* The file itself, or a link to it: what the kernel ran is what was named. */
	ex = ran(file, real, NULL);
	cr_assert_not(pw_exec_is_script(&ex));
	ex = ran(link, real, NULL);
	cr_assert_not(pw_exec_is_script(&ex));
	ex = ran("alias", real, dir);
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
	unlink(file);
	rmdir(dir);
	free(real);
}

static struct pw_event
exec_in(pid_t pid, const char *cwd)
{
	struct pw_event ev = { .kind = PW_EV_EXEC, .pid = pid, .tid = pid };

	ev.u.exec = ran("/bin/true", "/usr/bin/true", cwd);
	return ev;
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
	struct pw_event sp = { .kind = PW_EV_SPAWN, .pid = 10, .tid = 10 };
	struct pw_event ev;

	pw_model_init(&m, &mo);
	sp.u.spawn.kind = PW_SPAWN_FORK;
	sp.u.spawn.child = 11;
	sp.u.spawn.parent = 10;
	sp.u.spawn.result = 11;
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
