/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wrapper: pw_deny_ptrace COMMAND [ARG...] runs COMMAND where every ptrace
 * call fails with EPERM, as in a container without CAP_SYS_PTRACE or under
 * Yama, so the tests can reach procwatch's "ptrace not permitted" path even
 * as root.  It installs a seccomp filter on itself (inherited by everything
 * it runs, and kept across exec) and execvp's its arguments.  The filter is
 * hand-written classic BPF so that the test does not rest on libseccomp,
 * which procwatch's own filter is built with.  A wrapper that cannot set
 * itself up says why and exits 99, which the tests read as "skip".
 */
#include <errno.h>
#include <stddef.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pw_helper.h"

/* x32 calls share AUDIT_ARCH_X86_64 and set this bit in the number. */
#define X32_SYSCALL_BIT 0x40000000u

#define DENY (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))

static void
deny_ptrace(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		/* Another ABI numbers its calls otherwise: deny it all. */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, DENY),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		/* x32 has a ptrace of its own: deny those calls too. */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ptrace, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, DENY),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]),
		.filter = insns,
	};

	/* Needed to install a filter without CAP_SYS_ADMIN. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("prctl(PR_SET_NO_NEW_PRIVS)");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		die("seccomp(SECCOMP_SET_MODE_FILTER)");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		errno = EINVAL;
		die("usage: pw_deny_ptrace COMMAND [ARG...]");
	}
	deny_ptrace();
	execvp(argv[1], argv + 1);
	die(argv[1]);
}
