/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opening -o's file as the kernel's protected_symlinks and
 * protected_regular/protected_fifos rules would (proc_sys_fs(5),
 * fs/namei.c may_follow_link and may_create_in_sticky), whatever the
 * machine has them set to.  procwatch often runs as root, and "-o
 * /tmp/trace.txt" must not follow a symlink another user planted in /tmp
 * to a root-only file, nor write into a file another user created there
 * first (to read the trace, or to make root append to its own file).
 *
 * The rules, in a sticky directory that others may write to (S_ISVTX,
 * and writable by all, or by the group for regular files and FIFOs): a
 * symlink is followed only if it belongs to us or to the directory's
 * owner, and an existing file is written only if it does.  Outside such
 * directories the path is opened as given.  The sticky bit is what makes
 * a check before the open hold: only an entry's owner, the directory's
 * or root may rename or remove it (inode(7), S_ISVTX).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procwatch/base.h"

static bool
is_shared_sticky(const struct stat *dir)
{
	return S_ISDIR(dir->st_mode) && (dir->st_mode & S_ISVTX) &&
	       (dir->st_mode & (S_IWOTH | S_IWGRP));
}

/* Ours, or the directory owner's: what the kernel's rules accept. */
static bool
owner_trusted(const struct stat *st, const struct stat *dir)
{
	return st->st_uid == geteuid() || st->st_uid == dir->st_uid;
}

/* The directory holding path[0..end): "/" or "." when there is none. */
static int
stat_parent(const char *path, size_t end, struct stat *dir)
{
	char buf[PATH_MAX];

	while (end > 0 && path[end - 1] == '/')
		end--;
	while (end > 0 && path[end - 1] != '/')
		end--;
	if (end == 0)
		return stat(path[0] == '/' ? "/" : ".", dir);
	if (end >= sizeof(buf))
		return -1;
	memcpy(buf, path, end);
	buf[end] = '\0';
	return stat(buf, dir);
}

/*
 * Each symlink on the way, in a shared sticky directory, must belong to
 * us or to the directory's owner (protected_symlinks).  The links they
 * point to are not walked again: the kernel's rule is per link too, but
 * a link we or the directory's owner made is trusted as the kernel
 * trusts it.
 */
static int
check_links(const char *path, const char **why)
{
	char prefix[PATH_MAX];
	size_t len = strlen(path), end;
	struct stat st, dir;

	if (len >= sizeof(prefix))
		return -ENAMETOOLONG;
	for (end = 1; end <= len; end++) {
		if (end < len && path[end] != '/')
			continue;
		if (path[end - 1] == '/')
			continue;
		memcpy(prefix, path, end);
		prefix[end] = '\0';
		if (lstat(prefix, &st) < 0 || !S_ISLNK(st.st_mode))
			continue;
		if (stat_parent(path, end, &dir) == 0 && is_shared_sticky(&dir) &&
		    !owner_trusted(&st, &dir)) {
			*why = "it is a symlink another user owns in a sticky "
			       "directory others can write to";
			return -EPERM;
		}
	}
	return 0;
}

/*
 * The file itself, in a shared sticky directory: opened without
 * following a last symlink (check_links vetted one), without blocking on
 * a FIFO nobody reads; the caller truncates it once it is accepted.
 */
static int
open_in_sticky(const char *path, const struct stat *dir, const char **why)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
	struct stat st;
	int fd = open(path, flags | O_NOFOLLOW, 0666);

	if (fd < 0 && errno == ELOOP)
		fd = open(path, flags, 0666);	/* a link check_links accepted */
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !owner_trusted(&st, dir)) {
		close(fd);
		*why = "another user owns it, in a sticky directory others can "
		       "write to";
		return -EPERM;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int
pw_open_output_file(const char *path, const char **why)
{
	struct stat dir;
	int err, fd;

	*why = NULL;
	if ((err = check_links(path, why)) < 0)
		return err;
	if (stat_parent(path, strlen(path), &dir) == 0 && is_shared_sticky(&dir))
		return open_in_sticky(path, &dir, why);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	return fd < 0 ? -errno : fd;
}
