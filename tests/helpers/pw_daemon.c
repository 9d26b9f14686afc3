/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: the classic double fork.  The root forks A, A forks B and exits,
 * the root reaps A and exits.  B is orphaned (reparented to the nearest
 * subreaper or init, kernel find_new_reaper) and outlives the root: it
 * blocks reading a pipe whose write end only the root holds, so its read
 * returns EOF exactly when the root's files are closed in do_exit.  B then
 * writes its facts and exits 0.  Nobody in the traced tree reaps B.
 * Facts: root, a, a_code, b (from A), b_self and b_eof (from B).
 */
#include <sys/wait.h>

#include "pw_helper.h"

static void __attribute__((noreturn))
run_b(int rfd)
{
	char c;
	ssize_t n;

	while ((n = read(rfd, &c, 1)) < 0 && errno == EINTR)
		;
	fact("b_self=%d", (int)getpid());
	fact("b_eof=%d", n == 0);
	_exit(0);
}

static void __attribute__((noreturn))
run_a(int rfd)
{
	pid_t b = fork();

	if (b < 0)
		die("fork B");
	if (b == 0)
		run_b(rfd);
	fact("b=%d", (int)b);
	_exit(0);
}

int
main(void)
{
	int p[2], st;
	pid_t a;

	fact("root=%d", (int)getpid());
	if (pipe(p) != 0)
		die("pipe");
	a = fork();
	if (a < 0)
		die("fork A");
	if (a == 0) {
		close(p[1]);
		run_a(p[0]);
	}
	close(p[0]);
	if (waitpid(a, &st, 0) != a)
		die("waitpid");
	fact("a=%d", (int)a);
	fact("a_code=%d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	say("daemon: root exits, B still running\n");
	return 0;
}
