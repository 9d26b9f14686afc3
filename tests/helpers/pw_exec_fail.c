/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper: three execve calls that fail, then one that succeeds.
 * ENOENT from a path that does not exist, EACCES from a regular file with no
 * execute bit (the kernel refuses it even to root: may_open() needs some x
 * bit for MAY_EXEC), EFAULT from a path pointer that is not mapped.  Each
 * failing call has its own argv[0] ("pw-enoent", "pw-eacces", "pw-efault")
 * so the test can tell them apart in the trace.  Facts on fd 3: the errno of
 * each failure and the pid; the EACCES file lives in a fresh temporary
 * directory that is removed before the final exec of /bin/true.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pw_helper.h"

#define ENOENT_PATH "/nonexistent-procwatch-dir/no-such-program"

extern char **environ;

/* Runs one execve that must fail and records its errno under key. */
static int
exec_must_fail(const char *key, const char *path, const char *arg0)
{
	char *argv[] = { (char *)arg0, "x", NULL };

	errno = 0;
	execve(path, argv, environ);
	if (errno == 0)
		return -1;
	fact_long(key, errno);
	return 0;
}

/* A file that exists but has mode 0644: execve says EACCES. */
static int
make_noexec(char *dir, size_t size, char *file, size_t fsize)
{
	int fd;

	snprintf(dir, size, "/tmp/pw_exec_fail.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(file, fsize, "%s/not-executable", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, "#!/bin/sh\nexit 0\n", 17) != 17) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int
main(void)
{
	char dir[64], file[128];
	char *ok_argv[] = { "true", NULL };
	int rc = 0;

	fact_long("pid", (long)getpid());
	if (make_noexec(dir, sizeof(dir), file, sizeof(file)) < 0) {
		perror("pw_exec_fail: temporary file");
		return 2;
	}
	fact_str("enoent_path", ENOENT_PATH);
	fact_str("eacces_path", file);
	rc |= exec_must_fail("enoent", ENOENT_PATH, "pw-enoent");
	rc |= exec_must_fail("eacces", file, "pw-eacces");
	/* (char *)1 is never mapped: the kernel's getname() faults. */
	rc |= exec_must_fail("efault", (const char *)1, "pw-efault");
	unlink(file);
	rmdir(dir);
	if (rc) {
		fprintf(stderr, "pw_exec_fail: an execve did not fail\n");
		return 2;
	}
	execve("/bin/true", ok_argv, environ);
	perror("pw_exec_fail: execve /bin/true");
	return 2;
}
