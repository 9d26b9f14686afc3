/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bench workload: wl_big_argv N ARGS [LEN]: N times (default 50), fork and
 * exec /bin/true with ARGS arguments (default 20000) of LEN bytes each
 * (default 7, so 8 with the NUL), then reap it.  The strings sit end to end
 * in one buffer and the pointers in another, as xargs(1) lays out a command
 * line it built: "seq 1000000 | xargs true" is about 60 such execs.  A
 * tracer that records argv reads every string of every exec.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void __attribute__((noreturn))
die(const char *what)
{
	perror(what);
	exit(1);
}

/* argv[0] is "true", then nargs strings "0000001", "0000002", ... */
static char **
make_argv(long nargs, long len)
{
	char **argv = calloc((size_t)nargs + 2, sizeof(*argv));
	char *strings = malloc((size_t)nargs * ((size_t)len + 1));
	char *p = strings;

	if (!argv || !strings)
		die("malloc");
	argv[0] = "true";
	for (long i = 0; i < nargs; i++) {
		snprintf(p, (size_t)len + 1, "%0*ld", (int)len, i + 1);
		argv[i + 1] = p;
		p += len + 1;
	}
	return argv;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 50;
	long nargs = argc > 2 ? atol(argv[2]) : 20000;
	long len = argc > 3 ? atol(argv[3]) : 7;
	char **child_argv;
	int status;
	pid_t pid;

	if (n < 0 || nargs < 0 || len < 1 || len > 64) {
		fprintf(stderr, "usage: wl_big_argv [N [ARGS [LEN]]] (LEN 1..64)\n");
		return 2;
	}
	child_argv = make_argv(nargs, len);
	for (long i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execv("/bin/true", child_argv);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "wl_big_argv: /bin/true failed (status %#x)\n", status);
			return 1;
		}
	}
	return 0;
}
