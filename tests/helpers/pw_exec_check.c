/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper: execveat(fd, "", argv, envp, AT_EMPTY_PATH |
 * AT_EXECVE_CHECK) (Linux 6.14) on /bin/true, which returns 0 and executes
 * nothing, then the same check of a file without execute permission
 * (EACCES), then a real exec of /bin/true.  stdout says what each check
 * returned; a kernel without the flag (EINVAL) makes it exit 77 with the
 * fact skip=REASON.  Facts: pid, check_errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pw_helper.h"

#ifndef AT_EXECVE_CHECK
#define AT_EXECVE_CHECK 0x10000
#endif

extern char **environ;

static long
check(int fd, const char *arg0)
{
	char *argv[] = { (char *)arg0, "x", NULL };

	return syscall(SYS_execveat, fd, "", argv, environ,
		       AT_EMPTY_PATH | AT_EXECVE_CHECK);
}

int
main(void)
{
	char *argv[] = { "true", NULL };
	int fd;

	fact("pid=%d", (int)getpid());
	fd = open("/bin/true", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open /bin/true");
	if (check(fd, "pw-check-ok") != 0) {
		if (errno == EINVAL) {
			fact("skip=the kernel has no AT_EXECVE_CHECK (Linux 6.14)");
			return 77;
		}
		die("execveat(AT_EXECVE_CHECK) of /bin/true");
	}
	say("check of /bin/true: 0\n");
	close(fd);
	/* Not executable: /etc/passwd has no x bit, which even root needs (may_open). */
	fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open /etc/passwd");
	if (check(fd, "pw-check-no") == 0)
		die("a file without x bits passed the check");
	say("check of /etc/passwd: %s\n", strerrorname_np(errno));
	fact("check_errno=%d", errno);
	close(fd);
	execve("/bin/true", argv, environ);
	die("execve /bin/true");
}
