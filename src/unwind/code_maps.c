/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The executable mappings of a process, from /proc/TID/maps: which object
 * file a code address lies in, and at which file offset.  Read afresh for
 * every stack: procwatch does not stop at mmap, munmap or dlopen, so a
 * copy kept from an earlier stop could name the wrong file.  Lines look
 * like (fs/proc/task_mmu.c, show_map_vma):
 *
 *   7f3c1a228000-7f3c1a3bd000 r-xp 00028000 fd:01 1835 /usr/lib/x86_64-linux-gnu/libc.so.6
 *
 * and the path, when there is one, runs to the end of the line (a newline
 * in a file name is shown as \012, so lines never break inside one).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unwind_internal.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t
hash_u64(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= FNV_PRIME;
	}
	return h;
}

/* Parses a hex field ending at sep; advances *p past sep. */
static bool
hex_field(char **p, char sep, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(*p, &end, 16);
	if (end == *p || *end != sep || errno)
		return false;
	*p = end + 1;
	return true;
}

/* One line, NUL-terminated; false if it is not a maps line. */
static bool
parse_line(char *line, struct pw_code_map *m, bool *exec)
{
	uint64_t major, minor;
	char *p = line, *end;

	if (!hex_field(&p, '-', &m->start) || !hex_field(&p, ' ', &m->end) ||
	    strlen(p) < 5 || p[4] != ' ')
		return false;
	*exec = p[2] == 'x';
	p += 5;
	if (!hex_field(&p, ' ', &m->offset) || !hex_field(&p, ':', &major) ||
	    !hex_field(&p, ' ', &minor))
		return false;
	errno = 0;
	m->inode = strtoull(p, &end, 10);
	if (end == p || errno)
		return false;
	m->dev_major = (unsigned)major;
	m->dev_minor = (unsigned)minor;
	p = end + strspn(end, " ");
	m->path = *p ? p : NULL;
	m->object = NULL;
	return m->start < m->end;
}

static int
add_map(struct pw_code_maps *m, const struct pw_code_map *map)
{
	if (m->count == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 32;
		struct pw_code_map *v = realloc(m->maps, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		m->maps = v;
		m->cap = cap;
	}
	m->maps[m->count++] = *map;
	return 0;
}

static uint64_t
hash_map(uint64_t h, const struct pw_code_map *map)
{
	h = hash_u64(h, map->start);
	h = hash_u64(h, map->end);
	h = hash_u64(h, map->offset);
	h = hash_u64(h, ((uint64_t)map->dev_major << 32) | map->dev_minor);
	return hash_u64(h, map->inode);
}

int
pw_code_maps_parse(struct pw_code_maps *m, char *text, size_t len)
{
	char *line = text, *nl;

	m->count = 0;
	m->layout = FNV_OFFSET;
	while (line < text + len && *line) {
		struct pw_code_map map;
		bool exec;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (parse_line(line, &map, &exec) && exec) {
			if (add_map(m, &map) < 0)
				return -ENOMEM;
			m->layout = hash_map(m->layout, &map);
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return 0;
}

/* Reads the whole file into m->text; procfs files have no size to stat. */
static int
slurp(struct pw_code_maps *m, int fd, size_t *len)
{
	size_t n = 0;

	for (;;) {
		ssize_t r;

		if (m->text_cap - n < 4096) {
			size_t cap = m->text_cap ? m->text_cap * 2 : 16384;
			char *t = realloc(m->text, cap);

			if (!t)
				return -ENOMEM;
			m->text = t;
			m->text_cap = cap;
		}
		r = read(fd, m->text + n, m->text_cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	m->text[n] = '\0';
	*len = n;
	return 0;
}

int
pw_code_maps_read(struct pw_code_maps *m, pid_t tid)
{
	char path[64];
	size_t len = 0;
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = slurp(m, fd, &len);
	close(fd);
	if (err < 0)
		return err;
	return pw_code_maps_parse(m, m->text, len);
}

struct pw_code_map *
pw_code_maps_find(const struct pw_code_maps *m, uint64_t addr)
{
	size_t lo = 0, hi = m->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct pw_code_map *map = &m->maps[mid];

		if (addr < map->start)
			hi = mid;
		else if (addr >= map->end)
			lo = mid + 1;
		else
			return map;
	}
	return NULL;
}

void
pw_code_maps_free(struct pw_code_maps *m)
{
	free(m->text);
	free(m->maps);
	memset(m, 0, sizeof(*m));
}
