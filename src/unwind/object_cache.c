/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Object files by identity (device and inode, as /proc/PID/maps gives
 * them), each opened and read at most once for the whole trace: every
 * process of a build maps the same libc, and a fork+exec loop runs the
 * same program again and again.  Keyed by identity, not path, so that a
 * file rebuilt under the same name is read again.
 *
 * The path comes from the tracee: /proc/TID/maps shows whatever name the
 * mapped file has now, and a tracee may rename, unlink (" (deleted)") or
 * replace it with a FIFO, a symlink to a device, anything, before it
 * forks.  procwatch often runs as root, so nothing here may block or open
 * what the tracee chose: /proc/TID/map_files/START-END names exactly the
 * file mapped (deleted ones too) and is used first, where procwatch may
 * follow it (proc(5): CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN, so root);
 * otherwise the path, through /proc/TID/root (a process in another mount
 * namespace gets its own file), without following any symlink (openat2(2)
 * RESOLVE_NO_SYMLINKS), checked to be a regular file with the identity
 * the maps line gives before it is opened, and opened with O_NONBLOCK so
 * that a FIFO swapped in meanwhile cannot hang procwatch, then checked
 * again.
 *
 * Debian strips its libraries down to the exported symbols; when the
 * separate debug file is installed (libc6-dbg, *-dbgsym packages), found
 * by build ID as gdb finds it, its full symbol table names the internal
 * functions too (__libc_start_call_main, do_system, __spawni).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "unwind_internal.h"

/* Enough for the objects of a large build; past it the cache starts over. */
#define OBJECT_CACHE_MAX 1024

/* Never blocks on a FIFO, never makes a terminal ours (open(2)). */
#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)

static bool
same_file(const struct stat *st, const struct pw_code_map *map)
{
	return S_ISREG(st->st_mode) && st->st_ino == map->inode &&
	       major(st->st_dev) == map->dev_major && minor(st->st_dev) == map->dev_minor;
}

/* fd, if it is a regular file (and, with map, that one); else closed, -1. */
static int
keep_if(int fd, const struct pw_code_map *map)
{
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && (map ? same_file(&st, map) : S_ISREG(st.st_mode)))
		return fd;
	close(fd);
	return -1;
}

/*
 * The mapped file itself.  stat() follows the magic link without opening
 * anything, so a mapped device (a tracee may map one it can open) is
 * turned down before its open routine runs.  Its identity is not checked:
 * it is the mapped file by definition (on overlayfs /proc/TID/maps may
 * give the underlying inode).  EPERM without the capability.
 */
static int
open_map_files(pid_t tid, const struct pw_code_map *map)
{
	char path[96];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", (int)tid,
		 (unsigned long long)map->start, (unsigned long long)map->end);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	return keep_if(open(path, OPEN_FLAGS), NULL);
}

/* openat2(2) (Linux 5.6); before it, O_NOFOLLOW guards the last name only. */
static int
open_no_symlinks(int root, const char *rel)
{
	struct open_how how = {
		.flags = OPEN_FLAGS,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, root, rel, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS)
		fd = openat(root, rel, OPEN_FLAGS | O_NOFOLLOW);
	return (int)fd;
}

/* The path the maps line gives, inside the process's root. */
static int
open_by_path(pid_t tid, const struct pw_code_map *map)
{
	char root_path[64];
	const char *rel = map->path + strspn(map->path, "/");
	struct stat st;
	int root, fd = -1;

	if (map->path[0] != '/' || !*rel)
		return -1;
	snprintf(root_path, sizeof(root_path), "/proc/%d/root", (int)tid);
	root = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -1;
	if (fstatat(root, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && same_file(&st, map))
		fd = keep_if(open_no_symlinks(root, rel), map);
	close(root);
	return fd;
}

static int
open_mapped_file(pid_t tid, const struct pw_code_map *map)
{
	int fd = open_map_files(tid, map);

	return fd >= 0 ? fd : open_by_path(tid, map);
}

static size_t
slot_of(const struct pw_object_cache *c, const struct pw_code_map *map)
{
	uint64_t h = map->inode * 0x9e3779b97f4a7c15ULL;

	h ^= ((uint64_t)map->dev_major << 20 | map->dev_minor) * 0xbf58476d1ce4e5b9ULL;
	return (size_t)(h >> 32) & c->mask;
}

static bool
is_object(const struct pw_object *o, const struct pw_code_map *map)
{
	return o->inode == map->inode && o->dev_major == map->dev_major &&
	       o->dev_minor == map->dev_minor;
}

static void
object_free(struct pw_object *o)
{
	pw_elf_symbols_free(o->syms);
	free(o->path);
	free(o);
}

void
pw_object_cache_init(struct pw_object_cache *c)
{
	memset(c, 0, sizeof(*c));
}

void
pw_object_cache_free(struct pw_object_cache *c)
{
	for (size_t i = 0; c->slots && i <= c->mask; i++)
		if (c->slots[i])
			object_free(c->slots[i]);
	free(c->slots);
	memset(c, 0, sizeof(*c));
}

/*
 * Twice the maximum, so that probes stay short; allocated on first use.
 * The cache is trimmed only between stacks (pw_object_cache_trim), since
 * a stack's frames point into it while it is taken.
 */
static int
ensure_table(struct pw_object_cache *c)
{
	if (c->slots)
		return c->count < c->mask ? 0 : -ENOSPC;
	c->slots = calloc(2 * OBJECT_CACHE_MAX, sizeof(*c->slots));
	if (!c->slots)
		return -ENOMEM;
	c->mask = 2 * OBJECT_CACHE_MAX - 1;
	return 0;
}

void
pw_object_cache_trim(struct pw_object_cache *c)
{
	if (c->count >= OBJECT_CACHE_MAX)
		pw_object_cache_free(c);
}

#define DEBUG_DIR "/usr/lib/debug/.build-id/"

/* The full symbol table from /usr/lib/debug/.build-id/xx/yyyy.debug, if there. */
static void
adopt_debug_symbols(struct pw_elf_symbols *syms)
{
	char path[sizeof(DEBUG_DIR) + 2 * 64 + 16] = DEBUG_DIR;
	const unsigned char *id;
	size_t len = pw_elf_symbols_build_id(syms, &id), at = strlen(path);
	struct pw_elf_symbols *debug;
	int fd;

	if (len < 2 || pw_elf_symbols_full(syms))
		return;
	for (size_t i = 0; i < len; i++)
		at += (size_t)sprintf(path + at, i == 0 ? "%02x/" : "%02x", id[i]);
	strcpy(path + at, ".debug");
	/* Root's directory, but the build ID is the tracee's: a regular file only. */
	if ((fd = keep_if(open(path, OPEN_FLAGS), NULL)) < 0)
		return;
	debug = pw_elf_symbols_load(fd);
	close(fd);
	if (debug && pw_elf_symbols_full(debug))
		pw_elf_symbols_adopt(syms, debug);
	else
		pw_elf_symbols_free(debug);
}

static struct pw_object *
object_read(pid_t tid, const struct pw_code_map *map)
{
	struct pw_object *o = calloc(1, sizeof(*o));
	int fd;

	if (!o || !(o->path = strdup(map->path))) {
		free(o);
		return NULL;
	}
	o->dev_major = map->dev_major;
	o->dev_minor = map->dev_minor;
	o->inode = map->inode;
	fd = open_mapped_file(tid, map);
	if (fd >= 0) {
		o->syms = pw_elf_symbols_load(fd);
		close(fd);
		if (o->syms)
			adopt_debug_symbols(o->syms);
	}
	return o;
}

const struct pw_elf_symbols *
pw_code_map_symbols(struct pw_object_cache *c, pid_t tid, struct pw_code_map *map)
{
	if (!map->path || map->inode == 0)
		return NULL;
	if (!map->object)
		map->object = pw_object_cache_get(c, tid, map);
	return map->object ? map->object->syms : NULL;
}

struct pw_object *
pw_object_cache_get(struct pw_object_cache *c, pid_t tid, const struct pw_code_map *map)
{
	size_t i;

	if (ensure_table(c) < 0)
		return NULL;
	for (i = slot_of(c, map); c->slots[i]; i = (i + 1) & c->mask)
		if (is_object(c->slots[i], map))
			return c->slots[i];
	c->slots[i] = object_read(tid, map);
	if (c->slots[i])
		c->count++;
	return c->slots[i];
}
