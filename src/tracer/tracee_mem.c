/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a stopped tracee's memory for the decoders (struct pw_mem).
 * process_vm_readv copies a whole range in one syscall; where it is not
 * available (kernels built without CONFIG_CROSS_MEMORY_ATTACH, or an LSM
 * that refuses it) PTRACE_PEEKDATA copies one word per syscall.  Only ever
 * called on a task in a ptrace-stop (research note §6.15: reading a task
 * that is exec'ing from another thread can deadlock on cred_guard_mutex).
 */
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "tracer_internal.h"

static ssize_t
read_peek(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t aligned = (addr + done) & ~(uint64_t)7;
		size_t skip = (size_t)(addr + done - aligned);
		size_t n = 8 - skip < len - done ? 8 - skip : len - done;
		long word;

		errno = 0;
		word = ptrace(PTRACE_PEEKDATA, tid, (void *)aligned, NULL);
		if (errno)
			return done ? (ssize_t)done : -errno;
		memcpy((char *)buf + done, (char *)&word + skip, n);
		done += n;
	}
	return (ssize_t)done;
}

static ssize_t
tracee_read(struct pw_mem *mem, uint64_t addr, void *buf, size_t len)
{
	struct tracee_mem *m = (struct tracee_mem *)mem;
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	if (len == 0)
		return 0;
	if (!m->use_peek) {
		n = process_vm_readv(m->tid, &local, 1, &remote, 1, 0);
		if (n >= 0)
			return n;
		if (errno != ENOSYS && errno != EPERM)
			return -errno;
		m->use_peek = true;
	}
	return read_peek(m->tid, addr, buf, len);
}

void
tracee_mem_init(struct tracee_mem *m, pid_t tid)
{
	m->mem.read = tracee_read;
	m->tid = tid;
	m->use_peek = false;
}
