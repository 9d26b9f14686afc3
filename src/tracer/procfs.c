/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What /proc tells about a stopped tracee: the links behind its working
 * directory and descriptors, and what a successful exec left the new
 * program with, read at PTRACE_EVENT_EXEC: the file the kernel actually runs (for a #! script,
 * the interpreter: fs/binfmt_script.c re-opens the interpreter and
 * /proc/PID/exe names it), and the descriptors above 2 that survived the
 * exec because close-on-exec was not set (fs/exec.c closes the others
 * before the event is reported).  A leaked descriptor is a classic bug the
 * timeline warns about.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/kcmp.h>

#include "procwatch/model.h"
#include "procwatch/shquote.h"
#include "tracer_internal.h"

static int
by_fd(const void *a, const void *b)
{
	const struct pw_fd *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

/*
 * Reads the symlink name (relative to dirfd, or absolute with AT_FDCWD)
 * into out, replacing what it held; false, out untouched, if unreadable.
 */
bool
procfs_read_link(int dirfd, const char *name, struct pw_bytes *out)
{
	char target[4096];
	ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
	char *copy;

	if (n <= 0 || !(copy = malloc((size_t)n + 1)))
		return false;
	memcpy(copy, target, (size_t)n);
	copy[n] = '\0';
	pw_bytes_clear(out);
	out->data = copy;
	out->len = (size_t)n;
	return true;
}

/* The number after "Name:" in /proc/TID/status, or -1. */
long
procfs_status_field(pid_t tid, const char *name)
{
	char path[64], line[256];
	size_t len = strlen(name);
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':') {
			value = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return value;
}

/* /proc/TID/status as text, its first size - 1 bytes; false when it is gone. */
bool
procfs_status_text(pid_t tid, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	return procfs_read_small(path, buf, size) > 0;
}

/* The number after "Name:" at the start of a line of status text, in base. */
bool
procfs_status_number(const char *text, const char *name, int base,
		     unsigned long long *out)
{
	size_t len = strlen(name);
	const char *p;
	char *end;

	for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, name, len) != 0 || p[len] != ':')
			continue;
		*out = strtoull(p + len + 1, &end, base);
		return end != p + len + 1;
	}
	return false;
}

/*
 * The numbers after "Name:" in /proc/TID/status (NSpid lists a task's id in
 * every pid namespace from /proc's down to its own, fs/proc/array.c), at
 * most max of them.  Returns how many, or -1 when unreadable.
 */
int
procfs_status_ids(pid_t tid, const char *name, pid_t *ids, int max)
{
	char path[64], line[512], *p, *end;
	size_t len = strlen(name);
	int n = -1;
	long v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (n < 0 && fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, len) != 0 || line[len] != ':')
			continue;
		for (n = 0, p = line + len + 1; n < max; n++, p = end) {
			v = strtol(p, &end, 10);
			if (end == p || v <= 0 || v > INT_MAX)
				break;
			ids[n] = (pid_t)v;
		}
	}
	fclose(f);
	return n;
}

/*
 * A small file procfs generates whole at the first read (stat, comm, a
 * sysctl): one read, NUL-terminated.  The bytes read, or -1 when there
 * were none (the process is gone, or the file absent).
 */
ssize_t
procfs_read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* The command name of tid (/proc/TID/comm, without the newline). */
bool
procfs_task_comm(pid_t tid, struct pw_bytes *out)
{
	char path[64], name[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)tid);
	n = procfs_read_small(path, name, sizeof(name));
	if (n <= 0)
		return false;
	if (name[n - 1] == '\n')
		n--;
	pw_bytes_clear(out);
	out->data = strndup(name, (size_t)n);
	out->len = out->data ? strlen(out->data) : 0;
	return out->data != NULL;
}

/* Splits the NUL-separated buf[0..len) into argv elements. */
static void
split_args(const char *buf, size_t len, const struct pw_exec_limits *lim,
	   struct pw_bytes **argv, size_t *argc, bool *truncated)
{
	const char *p = buf, *end = buf + len;
	struct pw_bytes *v;

	for (; p < end && *argc < lim->max_args; p += strlen(p) + 1) {
		v = realloc(*argv, (*argc + 1) * sizeof(*v));
		if (!v)
			break;
		*argv = v;
		v[*argc] = (struct pw_bytes){ .data = strdup(p), .len = strlen(p) };
		if (!v[*argc].data)
			break;
		++*argc;
	}
	if (p < end)
		*truncated = true;
}

/*
 * /proc/PID/cmdline: the arguments as the process's argument area holds
 * them now, NUL-separated (fs/proc/base.c, get_mm_cmdline), within lim.
 */
void
procfs_cmdline(pid_t pid, const struct pw_exec_limits *lim, struct pw_bytes **argv,
	       size_t *argc, bool *truncated)
{
	char path[64], *buf = NULL, *grown;
	size_t len = 0, cap = 0;
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > lim->max_bytes + 1 || !(grown = realloc(buf, cap + 1))) {
				*truncated = true;
				break;
			}
			buf = grown;
		}
		n = read(fd, buf + len, cap - len);
		len += n > 0 ? (size_t)n : 0;
	} while (n > 0);
	close(fd);
	if (buf) {
		buf[len] = '\0';
		split_args(buf, len, lim, argv, argc, truncated);
	}
	free(buf);
}

/*
 * " (comm)" for a message naming process pid, escaped for a terminal, or
 * "" when it is gone.  Returns buf.
 */
const char *
procfs_comm_note(pid_t pid, char *buf, size_t size)
{
	struct pw_bytes comm = { 0 };
	char name[48];

	buf[0] = '\0';
	if (procfs_task_comm(pid, &comm))
		snprintf(buf, size, " (%s)", pw_text_escape(name, sizeof(name),
							    comm.data, comm.len));
	pw_bytes_clear(&comm);
	return buf;
}

/* procfs_read_link of /proc/TID/NAME. */
bool
procfs_task_link(pid_t tid, const char *name, struct pw_bytes *out)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)tid, name);
	return procfs_read_link(AT_FDCWD, path, out);
}

static bool
add_fd(struct pw_exec *ex, int dirfd, const char *name, size_t *cap)
{
	struct pw_fd *grown;
	char *end;
	long fd = strtol(name, &end, 10);

	if (*end || end == name || fd <= 2)
		return true;
	if (ex->nfds == PW_EXEC_MAX_FDS) {
		ex->fds_truncated = true;
		return false;
	}
	if (ex->nfds == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		grown = realloc(ex->fds, *cap * sizeof(*grown));
		if (!grown)
			return false;
		ex->fds = grown;
	}
	ex->fds[ex->nfds].fd = (int)fd;
	ex->fds[ex->nfds].target = (struct pw_bytes){ 0 };
	if (!procfs_read_link(dirfd, name, &ex->fds[ex->nfds].target))
		return true;	/* closed meanwhile by another thread? skip it */
	ex->nfds++;
	return true;
}

/* Room for the largest entry: its header, a 255-byte name and its NUL, aligned. */
#define DIRENT64_MAX (offsetof(struct dirent64, d_name) + 256 + 8)

/* The entries of one getdents64 buffer; false once add_fd says stop. */
static bool
add_entries(struct pw_exec *ex, int dirfd, const char *buf, long n, size_t *cap)
{
	const struct dirent64 *d;
	long off;

	for (off = 0; off < n; off += d->d_reclen) {
		d = (const struct dirent64 *)(buf + off);
		if (!add_fd(ex, dirfd, d->d_name, cap))
			return false;
	}
	return true;
}

/*
 * The descriptors of a process stopped after its exec, which no other
 * task can change meanwhile (fs/exec.c gives it its own table,
 * unshare_files, and ends its other threads).  getdents64 itself, not
 * readdir(3), which adds an fstat and a last call that returns 0: procfs
 * fills the buffer with every descriptor that fits (fs/proc/fd.c,
 * proc_readfd_common stops only when one does not), so a read that left
 * room for another entry was the last.  Three system calls for a program
 * with none to list.
 */
static void
read_inherited_fds(pid_t pid, struct pw_exec *ex)
{
	char path[64], buf[16384] __attribute__((aligned(8)));
	size_t cap = 0;
	long n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	while ((n = getdents64(fd, buf, sizeof(buf))) > 0 &&
	       add_entries(ex, fd, buf, n, &cap) && (size_t)n > sizeof(buf) - DIRENT64_MAX)
		;
	close(fd);
	if (ex->nfds > 1)
		qsort(ex->fds, ex->nfds, sizeof(*ex->fds), by_fd);
}

/*
 * Whether this kernel can answer only_standard_fds: asked once, of
 * procwatch's own descriptors, so that where it cannot (before Linux 6.2,
 * or without kcmp) an exec costs the three system calls of the listing
 * and not a fourth that says nothing.
 */
static bool
fds_countable(void)
{
	static int countable = -1;
	struct stat st;
	int fd;

	if (countable >= 0)
		return countable;
	fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	countable = fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0 &&
		    syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, fd, fd) == 0;
	if (fd >= 0)
		close(fd);
	return countable;
}

/*
 * Whether the process has exactly descriptors 0, 1 and 2, which most
 * programs are given, and so nothing to list, asked without listing: the
 * listing builds a /proc entry for every descriptor (fs/proc/fd.c,
 * proc_readfd_common, proc_fill_cache), about 20 µs for a new pid where
 * this costs half.  Since Linux 6.2 the size of /proc/PID/fd is the
 * number of open descriptors (proc_fd_getattr, proc_readfd_count); with
 * three, kcmp(2) KCMP_FILE says which: comparing 0 with 1 fails with
 * EBADF unless both are open, comparing 2 with itself unless it is.  The
 * table cannot change meanwhile (see read_inherited_fds).  An older
 * kernel gives the size 0, a kernel without kcmp (CONFIG_KCMP) ENOSYS
 * (fds_countable), a refused kcmp EPERM: false, and the caller lists them.
 */
static bool
only_standard_fds(pid_t pid)
{
	char path[64];
	struct stat st;

	if (!fds_countable())
		return false;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	return stat(path, &st) == 0 && st.st_size == 3 &&
	       syscall(SYS_kcmp, pid, pid, KCMP_FILE, 0, 1) >= 0 &&
	       syscall(SYS_kcmp, pid, pid, KCMP_FILE, 2, 2) >= 0;
}

/*
 * Each costs about 20 µs and more for a process /proc has not built the
 * entries of yet (an exec is most often a child just forked), the
 * descriptors the most: read only what the output shows (opts).  Returns
 * whether the descriptors were listed (PROCWATCH_STATS counts them).
 */
bool
exec_image_read(const struct pw_tracer_opts *opts, pid_t pid, struct pw_exec *ex)
{
	if (opts->exe) {
		procfs_task_link(pid, "exe", &ex->exe);
		ex->script = pw_exec_is_script(ex);
	}
	if (!opts->fds || only_standard_fds(pid))
		return false;
	read_inherited_fds(pid, ex);
	return true;
}
