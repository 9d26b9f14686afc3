/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seccomp filter that makes the tracee stop only where procwatch records
 * something: SECCOMP_RET_TRACE for the spawn, exec, wait and exit calls (and
 * unshare and setns, which may move the children of a task into another pid
 * namespace; those and chdir, fchdir and pivot_root, after which the
 * working directory is read again: cwd.c), ALLOW for everything else.  The only file that includes
 * <seccomp.h>.
 *
 * Every SECCOMP_RET_TRACE carries a data value chosen at random per run.  A
 * traced program may install a filter of its own that also returns
 * SECCOMP_RET_TRACE; the kernel then reports the data of the most recently
 * installed filter among those with the same action (kernel/seccomp.c,
 * seccomp_run_filters), so a seccomp stop whose data is not ours is the
 * program's, and the tracer must treat it as no tracer would.
 *
 * The filter is built with libseccomp in the parent and exported to plain
 * BPF, because the child loads it between fork and exec, where calling into
 * libseccomp (which allocates) is not safe; Debian 12's libseccomp 2.5.4 has
 * no seccomp_precompute().  Loading is one seccomp(2) call.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tracer_internal.h"

/*
 * Besides the calls procwatch decodes (enum pw_call): where pid namespaces
 * change, and where the working directory does (cwd.c).
 */
static const int also_traced[] = {
	SYS_unshare, SYS_setns, SYS_chdir, SYS_fchdir, SYS_pivot_root,
};

static int
add_rules(scmp_filter_ctx ctx, uint16_t data)
{
	enum pw_call call;
	size_t i;
	int err;

	/*
	 * A 32-bit (int 0x80) or x32 syscall from a process whose arch the
	 * filter does not list would hit the default bad-arch action, KILL.
	 * procwatch decodes x86-64 only; let the others run untouched.
	 */
	err = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	for (call = PW_CALL_NONE + 1; !err && pw_call_nr(call) >= 0; call++)
		err = seccomp_rule_add(ctx, SCMP_ACT_TRACE(data), (int)pw_call_nr(call), 0);
	for (i = 0; !err && i < PW_ARRAY_SIZE(also_traced); i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_TRACE(data), also_traced[i], 0);
	return err;
}

/* Exports the BPF program through a memfd: the only export in libseccomp 2.5. */
static int
export_program(scmp_filter_ctx ctx, struct sock_fprog *prog)
{
	struct stat st;
	int fd, err;
	void *buf;

	fd = memfd_create("procwatch-filter", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = seccomp_export_bpf(ctx, fd);
	if (!err && fstat(fd, &st) < 0)
		err = -errno;
	if (!err && (st.st_size == 0 || st.st_size % sizeof(struct sock_filter)))
		err = -EINVAL;
	buf = err ? NULL : malloc((size_t)st.st_size);
	if (!err && !buf)
		err = -ENOMEM;
	if (!err && pread(fd, buf, (size_t)st.st_size, 0) != st.st_size)
		err = -EIO;
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	prog->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	prog->filter = buf;
	return 0;
}

int
seccomp_filter_build(struct sock_fprog *prog, uint16_t data)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int err;

	if (!ctx)
		return -ENOMEM;
	err = add_rules(ctx, data);
	if (!err)
		err = export_program(ctx, prog);
	seccomp_release(ctx);
	return err;
}

/*
 * Called in the child between fork and exec: async-signal-safe calls only.
 * Loading a filter needs CAP_SYS_ADMIN or no_new_privs (seccomp(2)).  A root
 * procwatch's child still has CAP_SYS_ADMIN, so NO_NEW_PRIVS is set only
 * when the kernel refuses without it: setuid programs keep working under a
 * root procwatch (strace learnt this the hard way: strace/strace#126).
 */
int
seccomp_filter_load(const struct sock_fprog *prog)
{
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) == 0)
		return 0;
	if (errno != EACCES)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) == 0)
		return 0;
	return -errno;
}

/*
 * The data value of this run's SECCOMP_RET_TRACE (16 bits, SECCOMP_RET_DATA).
 * Random, so that a program cannot make its own filter's stops pass for
 * ours; never 0, the value a program's filter most likely uses.
 */
uint16_t
seccomp_filter_data(void)
{
	uint16_t data = 0;

	if (getrandom(&data, sizeof(data), GRND_NONBLOCK) != sizeof(data))
		data = (uint16_t)(getpid() ^ time(NULL));
	return data ? data : 0x7077;
}
