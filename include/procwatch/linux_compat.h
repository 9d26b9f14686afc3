/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fallbacks for kernel constants that older libc or uapi headers lack.
 * Values are ABI and never change; each block names the header that
 * defines it in a current kernel tree.  Include this after the system
 * headers (<sched.h>, <sys/wait.h>, <errno.h>, <signal.h>) so that a
 * definition they provide wins.
 */
#ifndef PROCWATCH_LINUX_COMPAT_H
#define PROCWATCH_LINUX_COMPAT_H

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

/* include/uapi/linux/sched.h */
#ifndef CSIGNAL
#define CSIGNAL			0x000000ff
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME		0x00000080	/* Linux 5.6; clone3, unshare */
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD		0x00001000	/* Linux 5.2 */
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP		0x02000000
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND	0x100000000ULL	/* Linux 5.5, clone3 only */
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP	0x200000000ULL	/* Linux 5.7, clone3 only */
#endif
#ifndef CLONE_ARGS_SIZE_VER0
#define CLONE_ARGS_SIZE_VER0	64	/* up to and including tls */
#endif
#ifndef CLONE_ARGS_SIZE_VER1
#define CLONE_ARGS_SIZE_VER1	80	/* adds set_tid, set_tid_size */
#endif
#ifndef CLONE_ARGS_SIZE_VER2
#define CLONE_ARGS_SIZE_VER2	88	/* adds cgroup */
#endif

/* include/uapi/linux/fcntl.h */
#ifndef AT_EXECVE_CHECK
#define AT_EXECVE_CHECK		0x10000	/* Linux 6.14: check, do not execute */
#endif

/* include/uapi/linux/wait.h */
#ifndef WNOWAIT
#define WNOWAIT			0x01000000
#endif
#ifndef __WNOTHREAD
#define __WNOTHREAD		0x20000000
#endif
#ifndef __WALL
#define __WALL			0x40000000
#endif
#ifndef __WCLONE
#define __WCLONE		0x80000000
#endif

/* include/uapi/asm-generic/siginfo.h: si_code values for SIGCHLD */
#ifndef CLD_TRAPPED
#define CLD_TRAPPED		4
#endif

/* include/uapi/asm-generic/errno.h (glibc has them since 2.x, just in case) */
#ifndef ERFKILL
#define ERFKILL			132
#endif
#ifndef EHWPOISON
#define EHWPOISON		133
#endif

/*
 * include/linux/errno.h: kernel-internal codes.  Userspace never sees them
 * as errno, but a tracer does: an interrupted wait4 shows -ERESTARTSYS in
 * rax at its syscall-exit stop, before signal delivery turns it into EINTR
 * or a restart.
 */
#ifndef ERESTARTSYS
#define ERESTARTSYS		512
#endif
#ifndef ERESTARTNOINTR
#define ERESTARTNOINTR		513
#endif
#ifndef ERESTARTNOHAND
#define ERESTARTNOHAND		514
#endif
#ifndef ERESTART_RESTARTBLOCK
#define ERESTART_RESTARTBLOCK	516
#endif

#endif
