/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Object files by identity (device and inode, as /proc/PID/maps gives
 * them), each opened and read at most once for the whole trace: every
 * process of a build maps the same libc, and a fork+exec loop runs the
 * same program again and again.  Keyed by identity, not path, so that a
 * file rebuilt under the same name is read again.
 *
 * The file is opened through /proc/TID/root, so that a process in another
 * mount namespace (a container) gets its own file, and its identity is
 * checked: a path may name a different file by now.  Failing that,
 * /proc/TID/map_files/START-END opens exactly what is mapped (deleted
 * files too), but needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN.
 *
 * Debian strips its libraries down to the exported symbols; when the
 * separate debug file is installed (libc6-dbg, *-dbgsym packages), found
 * by build ID as gdb finds it, its full symbol table names the internal
 * functions too (__libc_start_call_main, do_system, __spawni).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "unwind_internal.h"

/* Enough for the objects of a large build; past it the cache starts over. */
#define OBJECT_CACHE_MAX 1024

static bool
same_file(int fd, const struct pw_code_map *map)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_ino == map->inode &&
	       major(st.st_dev) == map->dev_major && minor(st.st_dev) == map->dev_minor;
}

static int
open_mapped_file(pid_t tid, const struct pw_code_map *map)
{
	char path[4200];
	int fd;

	if (strlen(map->path) < 4096) {
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)tid, map->path);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && same_file(fd, map))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", (int)tid,
		 (unsigned long long)map->start, (unsigned long long)map->end);
	return open(path, O_RDONLY | O_CLOEXEC);
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
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
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
