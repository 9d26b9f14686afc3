/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A code address of a stopped process as a frame: the object file it is
 * in and, when the object has symbols, the function and the offset into
 * it; otherwise the address as objdump and addr2line count it, so that
 * `addr2line -f -e OBJ ADDR` can still name a stripped program's frames
 * from a debug file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unwind_internal.h"

int
pw_symbolize(struct pw_object_cache *c, const struct pw_code_maps *maps,
	     pid_t tid, uint64_t ip, bool return_address, struct pw_frame *out)
{
	uint64_t look = return_address ? ip - 1 : ip;
	struct pw_code_map *map = pw_code_maps_find(maps, look);
	const struct pw_elf_symbols *syms;
	uint64_t vaddr, start;
	const char *name;

	memset(out, 0, sizeof(*out));
	out->ip = ip;
	if (!map || !map->path)
		return 0;	/* JIT or other anonymous code: the address is all */
	if (!(out->obj = strdup(map->path)))
		return -ENOMEM;
	out->off = ip - map->start + map->offset;
	/* [vdso] and the like, or no ELF headers: the file offset will do. */
	syms = pw_code_map_symbols(c, tid, map);
	if (!syms || !pw_elf_symbols_vaddr(syms, look - map->start + map->offset, &vaddr))
		return 0;
	name = pw_elf_symbols_lookup(syms, vaddr, &start);
	vaddr += ip - look;
	out->off = name ? vaddr - start : vaddr;
	if (name && !(out->fn = strdup(name)))
		return -ENOMEM;
	/* Kept beside fn: the trace keeps the symbol as nm and gdb take it. */
	if (name)
		out->demangled = pw_demangle(name);
	return 0;
}
