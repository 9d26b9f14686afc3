/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helper: a fork that fails with EAGAIN.  RLIMIT_NPROC is 1 and this user
 * already has a process, so copy_process refuses the new one; root (or
 * CAP_SYS_RESOURCE/CAP_SYS_ADMIN) is exempt from that check, hence the
 * switch to uid/gid 65534 first when run as root.  Exits 0 when fork
 * failed with EAGAIN, 2 otherwise, 77 if privileges could not be dropped.
 * Facts: root, errno (number), errno_name.
 */
#include <grp.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "pw_helper.h"

static void
drop_privileges(void)
{
	if (geteuid() != 0)
		return;
	if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
	    setresuid(65534, 65534, 65534) != 0) {
		say("fork_bomb: cannot switch to uid 65534\n");
		_exit(77);
	}
}

int
main(void)
{
	struct rlimit rl = { 1, 1 };
	pid_t pid;

	fact("root=%d", (int)getpid());
	drop_privileges();
	if (setrlimit(RLIMIT_NPROC, &rl) != 0)
		die("setrlimit");
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		say("fork_bomb: fork succeeded despite RLIMIT_NPROC=1\n");
		return 2;
	}
	fact("errno=%d", errno);
	fact("errno_name=%s", strerrorname_np(errno));
	say("fork_bomb: fork failed with %s\n", strerrorname_np(errno));
	return errno == EAGAIN ? 0 : 2;
}
