/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper for --env: a lineage of execs, each with an envp crafted
 * from the one before.  Every stage writes what it received, its envp and
 * argv in lowercase hex (each entry followed by "00"), as a fact on fd 3
 * and as a line on stdout ("two env=... argv=..."), so that a test can
 * compare what a trace rebuilds, or what a paste-back line runs, with what
 * the kernel really handed over.
 *
 *   start    re-executes itself as "base" with BASE, a fixed environment
 *            whose PATH starts with the helper's own directory
 *   base     forks; the child execs "one" with BASE changed: PW_CHANGE
 *            changed in place, PW_REMOVE removed, PW_ADDED and values with
 *            spaces, quotes, a newline, bytes that are not UTF-8, and
 *            tildes added; waits, exits 0
 *   one      execs "two" the way execvp does, by name through PATH: first
 *            in a directory that does not exist (ENOENT), then in its own;
 *            with ONE's entries reversed, PW_ADDED removed, PW_TWO added
 *   two      forks; the child execs "three" under another argv[0], with
 *            PW_TWO a second time and an entry without '='; waits for it,
 *            exits 3
 *   three    exits 4
 *
 * Facts: pid.STAGE and env.STAGE, argv.STAGE for every stage.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw_helper.h"

extern char **environ;

#define MAX_ENV 64

static char self[PATH_MAX], dir[PATH_MAX], path_var[PATH_MAX + 32];

static void
find_self(void)
{
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		die("readlink /proc/self/exe");
	self[n] = '\0';
	snprintf(dir, sizeof(dir), "%s", self);
	slash = strrchr(dir, '/');
	if (!slash)
		die("no directory in /proc/self/exe");
	*slash = '\0';
	snprintf(path_var, sizeof(path_var), "PATH=%s:/usr/bin:/bin", dir);
}

/* v (NULL-terminated) as hex, each string followed by "00", into out. */
static char *
hex_of(char *const *v)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = 1, i, k = 0;
	const unsigned char *p;
	char *out;

	for (i = 0; v[i]; i++)
		len += 2 * strlen(v[i]) + 2;
	out = malloc(len);
	if (!out)
		die("malloc");
	for (i = 0; v[i]; i++) {
		for (p = (const unsigned char *)v[i]; *p; p++) {
			out[k++] = hex[*p >> 4];
			out[k++] = hex[*p & 15];
		}
		out[k++] = '0';
		out[k++] = '0';
	}
	out[k] = '\0';
	return out;
}

/* What this stage received, as facts and on stdout. */
static void
report(const char *stage, char **argv)
{
	char *env = hex_of(environ), *args = hex_of(argv), *line;
	size_t len = strlen(stage) + strlen(env) + strlen(args) + 64;

	line = malloc(len);
	if (!line)
		die("malloc");
	if (fcntl(PW_FACTS_FD, F_GETFD) != -1) {
		snprintf(line, len, "pid.%s=%d\nenv.%s=%s\nargv.%s=%s\n", stage, (int)getpid(),
			 stage, env, stage, args);
		pw_write_all(PW_FACTS_FD, line, strlen(line));
	}
	snprintf(line, len, "%s env=%s argv=%s\n", stage, env, args);
	pw_write_all(1, line, strlen(line));
	free(line);
	free(env);
	free(args);
}

static const char *const base_env[] = {
	"HOME=/nonexistent-home", "LANG=C", "PW_KEEP=kept", "PW_CHANGE=old",
	"PW_REMOVE=gone", "TERM=dumb", NULL,	/* then PATH */
};

/* BASE: base_env and PATH. */
static size_t
make_base(char **env)
{
	size_t n = 0;

	for (; base_env[n]; n++)
		env[n] = (char *)base_env[n];
	env[n++] = path_var;
	env[n] = NULL;
	return n;
}

/* Forks a child that execs this helper with argv and env; waits for it. */
static void
run_child(char **argv, char **env)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execve(self, argv, env);
		die("execve");
	}
	reap(pid, 0);
}

static void
start(void)
{
	char *env[MAX_ENV], *argv[] = { "pw_env", "base", NULL };

	make_base(env);
	execve(self, argv, env);
	die("execve base");
}

static void
base(void)
{
	char *env[MAX_ENV], *argv[] = { "pw_env", "one", "two words", "it's \"quoted\"",
					"new\nline", "\xff\xfe", "", NULL };
	size_t n = make_base(env), i, k = 0;

	for (i = 0; i < n; i++) {
		if (!strcmp(env[i], "PW_REMOVE=gone"))
			continue;
		env[k++] = !strcmp(env[i], "PW_CHANGE=old") ? "PW_CHANGE=new" : env[i];
	}
	env[k++] = "PW_ADDED=1";
	env[k++] = "PW_WEIRD=a b 'q' \"dq\" $x `y` \\ \nnl \xff\xfe end";
	env[k++] = "PW_TILDE=~/x:~";
	env[k] = NULL;
	run_child(argv, env);
	exit(0);
}

/* "two"'s envp: ONE reversed, PW_ADDED out, PW_TWO in. */
static void
one(char **argv)
{
	char *env[MAX_ENV], missing[PATH_MAX + 16];
	size_t n = 0, k = 0;

	(void)argv;
	while (environ[n])
		n++;
	if (n + 2 > MAX_ENV)
		die("too many variables");
	while (n--)
		if (strcmp(environ[n], "PW_ADDED=1") != 0)
			env[k++] = environ[n];
	env[k++] = "PW_TWO=2";
	env[k] = NULL;
	argv[1] = "two";
	snprintf(missing, sizeof(missing), "/nonexistent-dir/%s", "pw_env");
	execve(missing, argv, env);
	execve(self, argv, env);
	die("execve two");
}

static void
two(void)
{
	char *env[MAX_ENV], *argv[] = { "other-name", "three", NULL };
	size_t n = 0;

	while (environ[n] && n + 3 < MAX_ENV) {
		env[n] = environ[n];
		n++;
	}
	env[n++] = "PW_TWO=dup";
	env[n++] = "BAREWORD";
	env[n] = NULL;
	run_child(argv, env);
	exit(3);
}

int
main(int argc, char **argv)
{
	const char *stage = argc > 1 ? argv[1] : "start";

	find_self();
	if (strcmp(stage, "start") != 0)
		report(stage, argv);
	if (!strcmp(stage, "start"))
		start();
	else if (!strcmp(stage, "base"))
		base();
	else if (!strcmp(stage, "one"))
		one(argv);
	else if (!strcmp(stage, "two"))
		two();
	else if (!strcmp(stage, "three"))
		return 4;
	return 99;
}
