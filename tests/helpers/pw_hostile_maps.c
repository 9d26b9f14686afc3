/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tracee that leaves a trap where -k reads its code from:
 *
 *   pw_hostile_maps fifo|link DIR
 *
 * copies itself to DIR/prog and executes the copy, which then unlinks
 * DIR/prog, so that /proc/PID/maps names its code "DIR/prog (deleted)",
 * and puts at that very name a FIFO nobody writes to (fifo) or a symlink
 * to one (link).  Then it forks a child that exits 0, reaps it and exits
 * 0.  procwatch -k, taking the stack of that fork, must neither block
 * opening the FIFO nor follow the link; run as root it still names the
 * frames, from /proc/PID/map_files.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static void
copy_self(const char *to)
{
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	struct stat st;
	off_t off = 0;

	if (in < 0 || out < 0 || fstat(in, &st) < 0)
		die("copy");
	while (off < st.st_size)
		if (sendfile(out, in, &off, (size_t)(st.st_size - off)) <= 0)
			die("sendfile");
	close(in);
	close(out);
}

/*
 * Runs from the copy: the trap, then the fork whose stack -k takes, which
 * must name this function (never inlined, whatever the optimisation).
 */
static __attribute__((noinline)) int
stage2(const char *mode, const char *dir)
{
	char prog[4096], trap[4200], fifo[4200];
	pid_t child;
	int st;

	snprintf(prog, sizeof(prog), "%s/prog", dir);
	snprintf(trap, sizeof(trap), "%s (deleted)", prog);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	if (unlink(prog) < 0)
		die("unlink");
	if (strcmp(mode, "fifo") == 0 ? mkfifo(trap, 0644) < 0
				      : mkfifo(fifo, 0644) < 0 || symlink(fifo, trap) < 0)
		die("trap");
	child = fork();
	if (child == 0)
		_exit(0);
	if (child < 0 || waitpid(child, &st, 0) != child || st != 0)
		die("fork");
	printf("forked\n");
	return 0;
}

int
main(int argc, char **argv)
{
	char prog[4096];

	if (argc == 4 && strcmp(argv[1], "stage2") == 0)
		return stage2(argv[2], argv[3]);
	if (argc != 3 || (strcmp(argv[1], "fifo") && strcmp(argv[1], "link"))) {
		fprintf(stderr, "usage: pw_hostile_maps fifo|link DIR\n");
		return 2;
	}
	snprintf(prog, sizeof(prog), "%s/prog", argv[2]);
	copy_self(prog);
	execl(prog, prog, "stage2", argv[1], argv[2], (char *)NULL);
	die("execl");
}
