/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to src/unwind/ (and its unit tests): the code mappings of a
 * process, the symbol tables of the object files they map, and turning a
 * code address into a frame.  None of this needs libunwind; only
 * stack_unwind.c does.
 */
#ifndef PROCWATCH_UNWIND_INTERNAL_H
#define PROCWATCH_UNWIND_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "procwatch/event.h"

/* code_maps.c: the executable mappings of /proc/TID/maps. */

struct pw_code_map {
	uint64_t start, end;	/* [start, end) */
	uint64_t offset;	/* file offset mapped at start */
	unsigned dev_major, dev_minor;
	uint64_t inode;		/* 0: not a file (anonymous, [vdso]) */
	const char *path;	/* NULL: anonymous; "[vdso]"; points into the text */
	struct pw_object *object;	/* set on first use, for one stack */
};

struct pw_code_maps {
	char *text;		/* the file, NUL-terminated; paths point into it */
	size_t text_cap;
	struct pw_code_map *maps;	/* sorted by start, as the kernel lists them */
	size_t count, cap;
	/*
	 * A hash of every executable mapping: processes with the same
	 * layout run the same code at the same addresses, so unwinding
	 * caches keyed by it can be shared (a fork child with its parent)
	 * and never outlive an exec, dlopen or dlclose, which change it.
	 */
	uint64_t layout;
};

/*
 * Parses maps text of len bytes, NUL-terminated at text[len] (modified in
 * place; paths point into it); 0 or -errno.
 */
int pw_code_maps_parse(struct pw_code_maps *m, char *text, size_t len);
/* Reads and parses /proc/TID/maps; 0 or -errno. */
int pw_code_maps_read(struct pw_code_maps *m, pid_t tid);
struct pw_code_map *pw_code_maps_find(const struct pw_code_maps *m, uint64_t addr);
void pw_code_maps_free(struct pw_code_maps *m);

/* elf_symbols.c: one object file's function symbols, read once. */

struct pw_elf_symbols;

/* Reads fd's ELF headers and symbols; NULL if it is not a usable ELF file. */
struct pw_elf_symbols *pw_elf_symbols_load(int fd);
void pw_elf_symbols_free(struct pw_elf_symbols *syms);
/* The GNU build ID (the bytes of NT_GNU_BUILD_ID); its length, 0 if none. */
size_t pw_elf_symbols_build_id(const struct pw_elf_symbols *syms,
			       const unsigned char **id);
/* The address of .eh_frame_hdr (PT_GNU_EH_FRAME), the unwind tables' index. */
bool pw_elf_symbols_eh_frame_hdr(const struct pw_elf_symbols *syms, uint64_t *vaddr);
/* Whether the symbols came from .symtab, not only the exported .dynsym. */
bool pw_elf_symbols_full(const struct pw_elf_symbols *syms);
/* Takes from's symbols (a separate debug file's) in place of syms' own. */
void pw_elf_symbols_adopt(struct pw_elf_symbols *syms, struct pw_elf_symbols *from);
/* The ELF address (as objdump shows it) of a file offset in a loaded segment. */
bool pw_elf_symbols_vaddr(const struct pw_elf_symbols *syms, uint64_t file_off,
			  uint64_t *vaddr);
/* The function containing vaddr and its start, or NULL. */
const char *pw_elf_symbols_lookup(const struct pw_elf_symbols *syms,
				  uint64_t vaddr, uint64_t *start);

/* object_cache.c: object files by identity, each read at most once. */

struct pw_object {
	unsigned dev_major, dev_minor;
	uint64_t inode;
	char *path;
	struct pw_elf_symbols *syms;	/* NULL: unreadable, stripped of all symbols, ... */
};

struct pw_object_cache {
	struct pw_object **slots;	/* open addressing on (dev, inode) */
	size_t mask, count;
};

void pw_object_cache_init(struct pw_object_cache *c);
void pw_object_cache_free(struct pw_object_cache *c);
/* Between two stacks: starts over when the cache has grown too large. */
void pw_object_cache_trim(struct pw_object_cache *c);
/* The object a file mapping of tid maps; NULL when out of memory. */
struct pw_object *pw_object_cache_get(struct pw_object_cache *c, pid_t tid,
				      const struct pw_code_map *map);
/*
 * The symbols and headers of the file map maps, its object looked up once
 * per stack (kept in map->object); NULL for anonymous code, [vdso] and the
 * like, or a file that could not be read as ELF.
 */
const struct pw_elf_symbols *pw_code_map_symbols(struct pw_object_cache *c, pid_t tid,
						 struct pw_code_map *map);

/* symbolize.c */

/*
 * Describes the code address ip of tid as a frame: object, function and
 * offset.  A return address (every frame but the innermost) is looked up
 * at ip - 1, inside the call instruction, so that a call ending a function
 * is not taken for the start of the next one.  0 or -ENOMEM.
 */
/*
 * name demangled (demangle.c), malloc'd; NULL when it is not a C++ or Rust
 * mangled name, or procwatch was built without libiberty.
 */
char *pw_demangle(const char *name);

int pw_symbolize(struct pw_object_cache *c, const struct pw_code_maps *maps,
		 pid_t tid, uint64_t ip, bool return_address,
		 struct pw_frame *out);

#endif
