/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper: fexecve done as the kernel sees it, execveat(fd, "", argv,
 * envp, AT_EMPTY_PATH), on /bin/true opened with O_RDONLY (default, or
 * argv[1] "rdonly") or O_PATH (argv[1] "path").  The raw system call is used
 * rather than glibc's fexecve() so that the call is execveat for certain
 * (glibc falls back to execve of /proc/self/fd/N where execveat is missing).
 * The trace must name the file the fd refers to; facts on fd 3 give its
 * realpath() and the fd number.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pw_helper.h"

#define TARGET "/bin/true"

extern char **environ;

int
main(int argc, char **argv)
{
	char resolved[PATH_MAX];
	char *exec_argv[] = { "true", "from-fd", NULL };
	int flags = O_RDONLY | O_CLOEXEC;
	int fd;

	if (argc > 1 && strcmp(argv[1], "path") == 0)
		flags = O_PATH | O_CLOEXEC;
	fd = open(TARGET, flags);
	if (fd < 0 || !realpath(TARGET, resolved)) {
		perror("pw_fexecve: " TARGET);
		return 2;
	}
	fact_long("pid", (long)getpid());
	fact_str("realpath", resolved);
	fact_long("fd", fd);
	fact_long("at_flags", AT_EMPTY_PATH);
	/* O_CLOEXEC is fine for an ELF file: only scripts need the fd after exec. */
	syscall(SYS_execveat, fd, "", exec_argv, environ, AT_EMPTY_PATH);
	perror("pw_fexecve: execveat");
	return 2;
}
