/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper: a program that sandboxes itself with a seccomp filter of
 * its own whose action is SECCOMP_RET_TRACE, for execve (data 0),
 * exit_group (data 0) and getppid (data 7).  With no tracer asking for
 * those stops, the kernel fails each such call with ENOSYS (seccomp(2)),
 * and so must it under procwatch: the sandbox forbids execve, so the exec of
 * /bin/true fails and the helper exits 1; had the call run, it would have
 * exited 0.
 *
 * Then a fork child (which inherits the filter) ends with exit_group(3),
 * which fails, and falls back to exit(3), as glibc's _exit does; the
 * parent reaps it.  The parent ends the same way with exit(1).
 *
 * stdout: what each call did.  Facts on fd 3: pid, child, and the errno of
 * each failed call.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pw_helper.h"

extern char **environ;

#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define TRACE(data) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | (data))
/* If the syscall number is nr, return action, else go on. */
#define ON(nr, action) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), action

static void
install_filter(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		ALLOW,
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		ON(SYS_execve, TRACE(0)),
		ON(SYS_exit_group, TRACE(0)),
		ON(SYS_getppid, TRACE(7)),
		ALLOW,
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("PR_SET_NO_NEW_PRIVS");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		die("seccomp");
}

/* Says what a call that the filter must fail did; records its errno. */
static void
report(const char *what, long ret)
{
	if (ret != -1) {
		say("%s: ran\n", what);
		return;
	}
	say("%s: %s\n", what, strerrorname_np(errno));
	fact("%s_errno=%d", what, errno);
}

/* exit_group fails under the filter; exit (one thread) still ends us. */
static void __attribute__((noreturn))
end(int code)
{
	report("exit_group", syscall(SYS_exit_group, code));
	for (;;)
		syscall(SYS_exit, code);
}

int
main(void)
{
	char *argv[] = { "true", NULL };
	pid_t pid;
	int code;

	fact("pid=%d", (int)getpid());
	install_filter();
	report("getppid", syscall(SYS_getppid));
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		end(3);
	fact("child=%d", (int)pid);
	code = reap(pid, 0);
	say("child exited %d\n", code);
	report("execve", execve("/bin/true", argv, environ));
	end(1);
}
