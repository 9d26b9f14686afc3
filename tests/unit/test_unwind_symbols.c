/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the parts of -k that need no libunwind (src/unwind/):
 * the code mappings of /proc/PID/maps, the ELF symbol tables of the files
 * they map, the object cache and pw_symbolize.  The test process is its
 * own subject: its maps, its program file (which has a .symtab), the libc
 * it runs on (.dynsym only on Debian), and its own functions' addresses,
 * as the dynamic linker (dl_iterate_phdr, dladdr) sees them.  ELF files
 * are untrusted input, so damaged copies of the test program must load
 * safely (the ASan/UBSan build of this test checks memory safety).
 */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Private to src/unwind: tested here. */
#include "config.h"
#include "procwatch/base.h"
#include "src/unwind/unwind_internal.h"

/*
 * Functions whose addresses the tests take.  Global (with prototypes), so
 * that the compiler keeps their names as they are, and long enough that
 * +3 and +5 lie inside them at any optimization level.
 */
int pw_test_target(int n);
int pw_test_other(int n);

static volatile int sink;

__attribute__((noinline)) int
pw_test_target(int n)
{
	int s = 0;

	for (int i = 0; i < n; i++)
		s += i ^ sink;
	sink = s;
	return s;
}

__attribute__((noinline)) int
pw_test_other(int n)
{
	int s = 1;

	for (int i = 0; i < n; i++)
		s *= i + sink;
	sink = s;
	return s;
}

/* Data, not code: no function symbol covers it. */
static const char rodata_marker[] = "procwatch test_unwind_symbols rodata marker";

#define ADDR(f) ((uint64_t)(uintptr_t)(f))

/* ---- helpers ---------------------------------------------------------- */

/* Parses text into m, which owns a copy of it (paths point into it). */
static void
parse_text(struct pw_code_maps *m, const char *text)
{
	memset(m, 0, sizeof(*m));
	m->text = strdup(text);
	cr_assert_not_null(m->text);
	m->text_cap = strlen(text) + 1;
	cr_assert_eq(pw_code_maps_parse(m, m->text, strlen(text)), 0);
}

static uint64_t
layout_of(const char *text)
{
	struct pw_code_maps m;
	uint64_t layout;

	parse_text(&m, text);
	layout = m.layout;
	pw_code_maps_free(&m);
	return layout;
}

static void
expect_map(const struct pw_code_maps *m, size_t i, uint64_t start, uint64_t end,
	   uint64_t offset, unsigned major, unsigned minor, uint64_t inode,
	   const char *path)
{
	const struct pw_code_map *map;

	cr_assert_lt(i, m->count, "mapping %zu missing (%zu parsed)", i, m->count);
	map = &m->maps[i];
	cr_expect_eq(map->start, start, "[%zu] start %#" PRIx64 ", want %#" PRIx64,
		     i, map->start, start);
	cr_expect_eq(map->end, end, "[%zu] end %#" PRIx64 ", want %#" PRIx64,
		     i, map->end, end);
	cr_expect_eq(map->offset, offset, "[%zu] offset %#" PRIx64 ", want %#" PRIx64,
		     i, map->offset, offset);
	cr_expect_eq(map->dev_major, major, "[%zu] major %x, want %x", i, map->dev_major, major);
	cr_expect_eq(map->dev_minor, minor, "[%zu] minor %x, want %x", i, map->dev_minor, minor);
	cr_expect_eq(map->inode, inode, "[%zu] inode %" PRIu64 ", want %" PRIu64,
		     i, map->inode, inode);
	if (path) {
		cr_assert_not_null(map->path, "[%zu] no path, want \"%s\"", i, path);
		cr_expect_str_eq(map->path, path, "[%zu] path \"%s\", want \"%s\"",
				 i, map->path, path);
	} else {
		cr_expect_null(map->path, "[%zu] path \"%s\", want none", i,
			       map->path ? map->path : "");
	}
	cr_expect_null(map->object);
}

/* The test program's path, as /proc/self/exe (and so /proc/self/maps) names it. */
static void
self_exe(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	cr_assert_gt(n, 0, "readlink /proc/self/exe: %s", strerror(errno));
	buf[n] = '\0';
}

/* The dl_iterate_phdr entry whose loaded segments contain addr. */
struct find_object {
	uint64_t addr;
	bool first_only;
	bool found;
	uint64_t bias;		/* dlpi_addr */
	const ElfW(Phdr) *phdr;
	size_t phnum;
};

static int
find_object_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct find_object *f = data;

	(void)size;
	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD &&
		    f->addr - info->dlpi_addr - ph->p_vaddr < ph->p_memsz) {
			f->found = true;
			break;
		}
	}
	if (f->found || f->first_only) {
		f->bias = info->dlpi_addr;
		f->phdr = info->dlpi_phdr;
		f->phnum = info->dlpi_phnum;
		return 1;
	}
	return 0;
}

/* The load bias of the program: dl_iterate_phdr's first entry is it. */
static uint64_t
program_bias(void)
{
	struct find_object f = { .addr = ADDR(pw_test_target), .first_only = true };

	cr_assert_eq(dl_iterate_phdr(find_object_cb, &f), 1);
	cr_assert(f.found, "dl_iterate_phdr's first entry does not hold pw_test_target");
	return f.bias;
}

static struct pw_elf_symbols *
load_path(const char *path)
{
	struct pw_elf_symbols *s;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	s = pw_elf_symbols_load(fd);
	close(fd);
	return s;
}

/* The whole test program file. */
static unsigned char *
read_self(size_t *size)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	unsigned char *data;
	struct stat st;
	size_t n = 0;

	cr_assert_geq(fd, 0);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert_gt(st.st_size, 4096);
	data = malloc((size_t)st.st_size);
	cr_assert_not_null(data);
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, data + n, (size_t)st.st_size - n);

		cr_assert_gt(r, 0);
		n += (size_t)r;
	}
	close(fd);
	*size = n;
	return data;
}

/* ---- 1. pw_code_maps_parse -------------------------------------------- */

static const char maps_text[] =
	"55d0c0a00000-55d0c0a02000 r--p 00000000 fd:01 1311                       /usr/bin/prog\n"
	"garbage\n"
	"55d0c0a02000-55d0c0a05000 r-xp 00002000 fd:01 1311                       /usr/bin/prog\n"
	"\n"
	"55d0c0a05000-55d0c0a06000 rw-p 00005000 fd:01 1311                       /usr/bin/prog\n"
	"55d0c1000000-55d0c1021000 rw-p 00000000 00:00 0                          [heap]\n"
	"7f0000000000-7f0000001000 rwxp 00000000 00:00 0 \n"
	"7f0000001000-7f0000002000 r-xp 00000000 00:00 0\n"
	"7f0000002000-7f0000003000 r-xp\n"				/* no offset, dev, inode */
	"7f0000003000-7f0000003800 r-xp 00000000 fd:01\n"		/* no inode */
	"7f0000004000-7f0000004000 r-xp 00000000 00:00 0\n"		/* start == end */
	"7f0000006000-7f0000005000 r-xp 00000000 fd:01 5 /backwards\n"	/* start > end */
	"7f0000007000 r-xp 00000000 00:00 0\n"				/* no end */
	"zz-7f0000008000 r-xp 00000000 00:00 0\n"
	"7f0000009000-7f000000a000 r-x\n"				/* short permissions */
	"7f000000b000-7f000000c000 r-xp 0000zz00 fd:01 5 /bad/offset\n"
	"7f000000d000-7f000000e000 r-xp 00000000 fd01 5 /bad/dev\n"
	"7f000000f000-7f0000010000 r-xp 00000000 fd:01 x /bad/inode\n"
	"1ffffffffffffffffff-2ffffffffffffffffff r-xp 00000000 00:00 0\n"	/* overflows */
	"7f3c1a228000-7f3c1a3bd000 r-xp 00028000 fd:01 1835                       /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7f3c1a3bd000-7f3c1a415000 r--p 001bd000 fd:01 1835                       /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7f3c1a500000-7f3c1a501000 r-xp 00001000 103:02 99                        /home/u/My Programs/lib two.so\n"
	"7f3c1a600000-7f3c1a601000 r-xp 00000000 fd:01 77                         /tmp/old lib.so (deleted)\n"
	"7f3c1a700000-7f3c1a710000 r-xp 00000000 00:01 4242                       /memfd:jit code (deleted)\n"
	"7ffd5e1c0000-7ffd5e1e1000 rw-p 00000000 00:00 0                          [stack]\n"
	"7ffd5e1ec000-7ffd5e1f0000 r--p 00000000 00:00 0                          [vvar]\n"
	"7ffd5e1f0000-7ffd5e1f2000 r-xp 00000000 00:00 0                          [vdso]\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]";	/* no final newline */

Test(code_maps, keeps_executable_mappings_in_order)
{
	struct pw_code_maps m;

	parse_text(&m, maps_text);
	cr_expect_eq(m.count, 9, "%zu executable mappings, want 9", m.count);
	expect_map(&m, 0, 0x55d0c0a02000, 0x55d0c0a05000, 0x2000, 0xfd, 1, 1311, "/usr/bin/prog");
	expect_map(&m, 1, 0x7f0000000000, 0x7f0000001000, 0, 0, 0, 0, NULL);
	expect_map(&m, 2, 0x7f0000001000, 0x7f0000002000, 0, 0, 0, 0, NULL);
	expect_map(&m, 3, 0x7f3c1a228000, 0x7f3c1a3bd000, 0x28000, 0xfd, 1, 1835,
		   "/usr/lib/x86_64-linux-gnu/libc.so.6");
	expect_map(&m, 4, 0x7f3c1a500000, 0x7f3c1a501000, 0x1000, 0x103, 2, 99,
		   "/home/u/My Programs/lib two.so");
	expect_map(&m, 5, 0x7f3c1a600000, 0x7f3c1a601000, 0, 0xfd, 1, 77,
		   "/tmp/old lib.so (deleted)");
	expect_map(&m, 6, 0x7f3c1a700000, 0x7f3c1a710000, 0, 0, 1, 4242,
		   "/memfd:jit code (deleted)");
	expect_map(&m, 7, 0x7ffd5e1f0000, 0x7ffd5e1f2000, 0, 0, 0, 0, "[vdso]");
	expect_map(&m, 8, 0xffffffffff600000, 0xffffffffff601000, 0, 0, 0, 0, "[vsyscall]");
	pw_code_maps_free(&m);
	cr_expect_null(m.maps);
	cr_expect_null(m.text);
	cr_expect_eq(m.count, 0);
}

Test(code_maps, empty_and_garbage_text)
{
	static const char *const texts[] = {
		"", "\n", "\n\n\n", "garbage", "garbage\nmore garbage\n",
		"-", "0-", "0-1", "0-1 ", "0-1 r-xp", "0-1 r-xp 0", "0-1 r-xp 0 0", "0-1 r-xp 0 0:",
		"0-1 r-xp 0 0:0", "0-1 r-xp 0 0:0 ", "1-0 r-xp 0 0:0 0", "0-0 r-xp 0 0:0 0",
		"55d0c0a00000-55d0c0a02000 r--p 00000000 fd:01 1311 /usr/bin/prog\n",
	};
	uint64_t empty = layout_of("");

	for (size_t i = 0; i < PW_ARRAY_SIZE(texts); i++) {
		struct pw_code_maps m;

		parse_text(&m, texts[i]);
		cr_expect_eq(m.count, 0, "\"%s\": %zu mappings", texts[i], m.count);
		cr_expect_eq(m.layout, empty, "\"%s\": layout differs from no mappings", texts[i]);
		cr_expect_null(pw_code_maps_find(&m, 0));
		cr_expect_null(pw_code_maps_find(&m, 0x55d0c0a01000));
		pw_code_maps_free(&m);
	}
	/* A minimal line is accepted: the checks above are not too strict. */
	{
		struct pw_code_maps m;

		parse_text(&m, "0-1 r-xp 0 0:0 0");
		cr_expect_eq(m.count, 1);
		cr_expect_neq(m.layout, empty);
		pw_code_maps_free(&m);
	}
}

/* Parsing again into the same struct starts over. */
Test(code_maps, parse_again_starts_over)
{
	struct pw_code_maps m;
	char second[] = "1000-2000 r-xp 00000000 fd:01 7 /bin/x\n";

	parse_text(&m, maps_text);
	cr_assert_gt(m.count, 1);
	cr_assert_eq(pw_code_maps_parse(&m, second, strlen(second)), 0);
	cr_expect_eq(m.count, 1);
	expect_map(&m, 0, 0x1000, 0x2000, 0, 0xfd, 1, 7, "/bin/x");
	cr_expect_eq(m.layout, layout_of("1000-2000 r-xp 00000000 fd:01 7 /bin/x\n"));
	pw_code_maps_free(&m);
}

#define PROG_R "55d0c0a00000-55d0c0a02000 r--p 00000000 fd:01 1311 /usr/bin/prog\n"
#define PROG_X "55d0c0a02000-55d0c0a05000 r-xp 00002000 fd:01 1311 /usr/bin/prog\n"
#define PROG_W "55d0c0a05000-55d0c0a06000 rw-p 00005000 fd:01 1311 /usr/bin/prog\n"
#define HEAP "55d0c1000000-55d0c1021000 rw-p 00000000 00:00 0 [heap]\n"
#define LIBC_X "7f3c1a228000-7f3c1a3bd000 r-xp 00028000 fd:01 1835 /usr/lib/libc.so.6\n"
#define VDSO "7ffd5e1f0000-7ffd5e1f2000 r-xp 00000000 00:00 0 [vdso]\n"

Test(code_maps, layout_follows_executable_mappings_only)
{
	uint64_t base = layout_of(PROG_R PROG_X PROG_W HEAP LIBC_X VDSO);

	/* The heap grew, an anonymous mapping and a data file came and went. */
	cr_expect_eq(base, layout_of(
		PROG_R PROG_X PROG_W
		"55d0c1000000-55d0c1042000 rw-p 00000000 00:00 0 [heap]\n"
		"7f0000000000-7f0000100000 rw-p 00000000 00:00 0\n"
		"7f1000000000-7f1000001000 r--p 00000000 fd:01 555 /usr/share/locale/x.mo\n"
		LIBC_X VDSO));
	cr_expect_eq(base, layout_of(PROG_X LIBC_X VDSO));
	/* The same text parsed twice. */
	cr_expect_eq(base, layout_of(PROG_R PROG_X PROG_W HEAP LIBC_X VDSO));

	/* libc moved (another exec, ASLR). */
	cr_expect_neq(base, layout_of(PROG_R PROG_X PROG_W HEAP
		"7f3c1a229000-7f3c1a3be000 r-xp 00028000 fd:01 1835 /usr/lib/libc.so.6\n" VDSO));
	/* Only its end changed. */
	cr_expect_neq(base, layout_of(PROG_R PROG_X PROG_W HEAP
		"7f3c1a228000-7f3c1a3be000 r-xp 00028000 fd:01 1835 /usr/lib/libc.so.6\n" VDSO));
	/* Another file at the same place (libc upgraded: new inode). */
	cr_expect_neq(base, layout_of(PROG_R PROG_X PROG_W HEAP
		"7f3c1a228000-7f3c1a3bd000 r-xp 00028000 fd:01 1836 /usr/lib/libc.so.6\n" VDSO));
	/* Same inode number on another device. */
	cr_expect_neq(base, layout_of(PROG_R PROG_X PROG_W HEAP
		"7f3c1a228000-7f3c1a3bd000 r-xp 00028000 fd:02 1835 /usr/lib/libc.so.6\n" VDSO));
	/* Another part of the file mapped there. */
	cr_expect_neq(base, layout_of(PROG_R PROG_X PROG_W HEAP
		"7f3c1a228000-7f3c1a3bd000 r-xp 00029000 fd:01 1835 /usr/lib/libc.so.6\n" VDSO));
	/* dlclose: an executable mapping gone; dlopen: one more. */
	cr_expect_neq(base, layout_of(PROG_R PROG_X PROG_W HEAP VDSO));
	cr_expect_neq(base, layout_of(PROG_R PROG_X PROG_W HEAP LIBC_X
		"7f3c1a500000-7f3c1a501000 r-xp 00001000 fd:01 99 /usr/lib/libm.so.6\n" VDSO));
	/* mprotect: the program's text no longer executable. */
	cr_expect_neq(base, layout_of(PROG_R
		"55d0c0a02000-55d0c0a05000 r--p 00002000 fd:01 1311 /usr/bin/prog\n"
		PROG_W HEAP LIBC_X VDSO));
}

Test(code_maps, find)
{
	struct pw_code_maps m;
	const struct pw_code_map *hit;

	parse_text(&m, maps_text);
	cr_assert_eq(m.count, 9);
	for (size_t i = 0; i < m.count; i++) {
		const struct pw_code_map *map = &m.maps[i];

		cr_expect_eq(pw_code_maps_find(&m, map->start), map, "[%zu] start", i);
		cr_expect_eq(pw_code_maps_find(&m, map->end - 1), map, "[%zu] end - 1", i);
		cr_expect_eq(pw_code_maps_find(&m, map->start + (map->end - map->start) / 2),
			     map, "[%zu] middle", i);
		hit = pw_code_maps_find(&m, map->end);
		if (i + 1 < m.count && m.maps[i + 1].start == map->end)
			cr_expect_eq(hit, &m.maps[i + 1], "[%zu] end is the next one's start", i);
		else
			cr_expect_null(hit, "[%zu] end", i);
		if (i > 0 && m.maps[i - 1].end < map->start)
			cr_expect_null(pw_code_maps_find(&m, map->start - 1), "[%zu] start - 1", i);
	}
	/* Between mappings, below the first, in non-executable ones. */
	cr_expect_null(pw_code_maps_find(&m, 0));
	cr_expect_null(pw_code_maps_find(&m, 0x55d0c0a01fff));	/* prog r--p */
	cr_expect_null(pw_code_maps_find(&m, 0x55d0c0a05000));	/* prog rw-p */
	cr_expect_null(pw_code_maps_find(&m, 0x55d0c1000100));	/* heap */
	cr_expect_null(pw_code_maps_find(&m, 0x7f3c1a3bd000));	/* libc r--p */
	cr_expect_null(pw_code_maps_find(&m, 0x7f3c1a4fffff));
	cr_expect_null(pw_code_maps_find(&m, 0x7f0000004000));	/* a rejected line's */
	cr_expect_null(pw_code_maps_find(&m, UINT64_MAX));
	pw_code_maps_free(&m);

	/* No mappings at all. */
	parse_text(&m, "");
	cr_expect_null(pw_code_maps_find(&m, 0));
	cr_expect_null(pw_code_maps_find(&m, ADDR(pw_test_target)));
	pw_code_maps_free(&m);
}

/* ---- 2. pw_code_maps_read on the test process ------------------------- */

Test(code_maps, read_own_process)
{
	struct pw_code_maps m = { 0 };
	const struct pw_code_map *map;
	char exe[PATH_MAX];
	struct stat st;
	uint64_t layout;

	self_exe(exe, sizeof(exe));
	cr_assert_eq(stat("/proc/self/exe", &st), 0);
	cr_assert_eq(pw_code_maps_read(&m, getpid()), 0);
	cr_assert_gt(m.count, 1);
	for (size_t i = 0; i < m.count; i++) {
		cr_expect_lt(m.maps[i].start, m.maps[i].end);
		if (i > 0)
			cr_expect_leq(m.maps[i - 1].end, m.maps[i].start, "[%zu] not sorted", i);
	}
	map = pw_code_maps_find(&m, ADDR(pw_test_target));
	cr_assert_not_null(map, "no executable mapping holds pw_test_target");
	cr_assert_not_null(map->path);
	cr_expect_str_eq(map->path, exe);
	cr_expect_eq(map->inode, (uint64_t)st.st_ino);
	cr_expect_eq(map->dev_major, major(st.st_dev));
	cr_expect_eq(map->dev_minor, minor(st.st_dev));
	cr_expect_eq(pw_code_maps_find(&m, ADDR(pw_test_other)), map);
	/* Data is not code. */
	cr_expect_null(pw_code_maps_find(&m, ADDR(rodata_marker)));
	cr_expect_null(pw_code_maps_find(&m, ADDR(&m)));

	/* Read again into the same struct: the same layout. */
	layout = m.layout;
	cr_assert_eq(pw_code_maps_read(&m, getpid()), 0);
	cr_expect_eq(m.layout, layout);
	map = pw_code_maps_find(&m, ADDR(pw_test_target));
	cr_assert_not_null(map);
	cr_assert_not_null(map->path);
	cr_expect_str_eq(map->path, exe);
	pw_code_maps_free(&m);
}

Test(code_maps, read_missing_process)
{
	struct pw_code_maps m = { 0 };
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	long pid_max = 0;

	cr_assert_not_null(f);
	cr_assert_eq(fscanf(f, "%ld", &pid_max), 1);
	fclose(f);
	/* No process has a pid above pid_max. */
	cr_expect_eq(pw_code_maps_read(&m, (pid_t)(pid_max + 1)), -ENOENT);
	cr_expect_eq(m.count, 0);
	pw_code_maps_free(&m);
}

/* A mapping made after a read shows up in the next one, and moves the layout. */
Test(code_maps, read_sees_new_mapping)
{
	struct pw_code_maps m = { 0 };
	long page = sysconf(_SC_PAGESIZE);
	const struct pw_code_map *map;
	uint64_t before;
	void *p;

	cr_assert_eq(pw_code_maps_read(&m, getpid()), 0);
	before = m.layout;
	p = mmap(NULL, (size_t)page, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(p, MAP_FAILED);
	cr_expect_null(pw_code_maps_find(&m, ADDR(p)));
	cr_assert_eq(pw_code_maps_read(&m, getpid()), 0);
	cr_expect_neq(m.layout, before);
	map = pw_code_maps_find(&m, ADDR(p));
	cr_assert_not_null(map);
	cr_expect_null(map->path);
	cr_expect_eq(map->inode, 0);
	munmap(p, (size_t)page);
	pw_code_maps_free(&m);
}

/* ---- 3. pw_elf_symbols on the test program ---------------------------- */

/* The program's GNU build ID as loaded in memory, from its PT_NOTE segments. */
static size_t
loaded_build_id(const unsigned char **id)
{
	struct find_object f = { .addr = ADDR(pw_test_target), .first_only = true };

	cr_assert_eq(dl_iterate_phdr(find_object_cb, &f), 1);
	for (size_t i = 0; i < f.phnum; i++) {
		const ElfW(Phdr) *ph = &f.phdr[i];
		uint64_t align = ph->p_align == 8 ? 8 : 4, at = 0;
		const unsigned char *p = (const unsigned char *)(uintptr_t)(f.bias + ph->p_vaddr);

		if (ph->p_type != PT_NOTE)
			continue;
		while (at + sizeof(ElfW(Nhdr)) <= ph->p_filesz) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)(p + at);
			uint64_t name = (nh->n_namesz + align - 1) & ~(align - 1);
			uint64_t desc = (nh->n_descsz + align - 1) & ~(align - 1);

			at += sizeof(*nh);
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(p + at, "GNU", 4)) {
				*id = p + at + name;
				return nh->n_descsz;
			}
			at += name + desc;
		}
	}
	return 0;
}

Test(elf_symbols, own_program)
{
	uint64_t bias = program_bias(), addr = ADDR(pw_test_target);
	uint64_t vaddr = addr - bias, other = ADDR(pw_test_other) - bias, v, start;
	struct pw_code_maps m = { 0 };
	const struct pw_code_map *map;
	const unsigned char *id = NULL, *want_id = NULL;	/* set on success; gcc -O2 cannot tell */
	struct pw_elf_symbols *s;
	const char *name;
	size_t id_len, want_len;
	struct stat st;

	cr_assert_eq(pw_code_maps_read(&m, getpid()), 0);
	map = pw_code_maps_find(&m, addr);
	cr_assert_not_null(map);
	s = load_path("/proc/self/exe");
	cr_assert_not_null(s, "the test program's symbols did not load");

	/* The file offset of the function, as the mapping places it. */
	cr_assert(pw_elf_symbols_vaddr(s, addr - map->start + map->offset, &v));
	cr_expect_eq(v, vaddr, "vaddr %#" PRIx64 ", want %#" PRIx64 " (bias %#" PRIx64 ")",
		     v, vaddr, bias);
	cr_assert(pw_elf_symbols_vaddr(s, addr + 3 - map->start + map->offset, &v));
	cr_expect_eq(v, vaddr + 3);
	/* Not in any loaded segment: past the end of the file. */
	cr_assert_eq(stat("/proc/self/exe", &st), 0);
	v = 12345;
	cr_expect_not(pw_elf_symbols_vaddr(s, (uint64_t)st.st_size + 0x100000, &v));
	cr_expect_not(pw_elf_symbols_vaddr(s, UINT64_MAX, &v));

	start = 0;
	name = pw_elf_symbols_lookup(s, vaddr + 3, &start);
	cr_assert_not_null(name, "no symbol at %#" PRIx64, vaddr + 3);
	cr_expect_str_eq(name, "pw_test_target");
	cr_expect_eq(start, vaddr);
	name = pw_elf_symbols_lookup(s, vaddr, &start);
	cr_assert_not_null(name);
	cr_expect_str_eq(name, "pw_test_target");
	name = pw_elf_symbols_lookup(s, other + 5, &start);
	cr_assert_not_null(name);
	cr_expect_str_eq(name, "pw_test_other");
	cr_expect_eq(start, other);
	/* The byte before the function belongs to another one, or none. */
	name = pw_elf_symbols_lookup(s, vaddr - 1, &start);
	if (name)
		cr_expect_str_neq(name, "pw_test_target");

	/* Data lies past the end of every function: no name. */
	cr_expect_null(pw_elf_symbols_lookup(s, ADDR(rodata_marker) - bias, &start));
	cr_expect_null(pw_elf_symbols_lookup(s, ADDR(rodata_marker) + 8 - bias, &start));
	cr_expect_null(pw_elf_symbols_lookup(s, 0, &start));
	cr_expect_null(pw_elf_symbols_lookup(s, UINT64_MAX, &start));

	/* The build ID is the one the loaded program carries. */
	id_len = pw_elf_symbols_build_id(s, &id);
	cr_expect_eq(id_len, 20, "build ID of %zu bytes", id_len);
	want_len = loaded_build_id(&want_id);
	cr_assert_eq(id_len, want_len);
	cr_expect_eq(memcmp(id, want_id, id_len), 0, "build ID differs from the loaded one");
	cr_expect(pw_elf_symbols_full(s), "the test program has a .symtab");

	pw_elf_symbols_free(s);
	pw_code_maps_free(&m);
}

/* ---- 4. alias ranking on libc's .dynsym ------------------------------- */

struct libc_fn {
	const char *name;	/* asked of dlsym */
	const char *want;	/* the name among its aliases */
};

/*
 * A function with a smaller function symbol inside it (as hand-written
 * assembly has): past the inner one's end, the outer one still names the
 * code.  Defined in assembly so that the layout is exactly this.
 */
__asm__(".text\n"
	".globl pw_test_outer\n.type pw_test_outer, @function\n"
	"pw_test_outer:\n\tnop\n\tnop\n"
	".globl pw_test_inner\n.type pw_test_inner, @function\n"
	"pw_test_inner:\n\tnop\n.size pw_test_inner, 1\n"
	"\tnop\n\tnop\n\tret\n"
	".size pw_test_outer, .-pw_test_outer\n");
void pw_test_outer(void);

Test(elf_symbols, nested_symbols)
{
	uint64_t vaddr = ADDR(pw_test_outer) - program_bias(), start = 0;
	struct pw_elf_symbols *s = load_path("/proc/self/exe");
	const char *name;

	cr_assert_not_null(s);
	name = pw_elf_symbols_lookup(s, vaddr + 2, &start);
	cr_assert(name && !strcmp(name, "pw_test_inner") && start == vaddr + 2,
		  "inside the inner symbol: %s", name ? name : "(none)");
	name = pw_elf_symbols_lookup(s, vaddr + 4, &start);
	cr_assert(name && !strcmp(name, "pw_test_outer") && start == vaddr,
		  "past the inner symbol: %s", name ? name : "(none)");
	pw_elf_symbols_free(s);
}

/* The unwind tables' index, where the loaded program says it is. */
Test(elf_symbols, eh_frame_hdr)
{
	struct find_object f = { .addr = ADDR(pw_test_target), .first_only = true };
	struct pw_elf_symbols *s = load_path("/proc/self/exe");
	uint64_t want = 0, got = 0;

	cr_assert_eq(dl_iterate_phdr(find_object_cb, &f), 1);
	for (size_t i = 0; i < f.phnum; i++)
		if (f.phdr[i].p_type == PT_GNU_EH_FRAME)
			want = f.phdr[i].p_vaddr;
	cr_assert_neq(want, 0, "the test program has no PT_GNU_EH_FRAME");
	cr_assert_not_null(s);
	cr_assert(pw_elf_symbols_eh_frame_hdr(s, &got));
	cr_assert_eq(got, want, "%#" PRIx64 " != %#" PRIx64, got, want);
	pw_elf_symbols_free(s);
}

Test(elf_symbols, libc_aliases)
{
	static const struct libc_fn fns[] = {
		{ "fork", "fork" },		/* __fork, __libc_fork: fewest underscores */
		{ "execve", "execve" },
		{ "vfork", "vfork" },		/* __vfork */
		{ "waitpid", "waitpid" },	/* __waitpid */
		{ "_exit", "_exit" },		/* _Exit: global before weak */
		{ "ntohl", "htonl" },		/* a weak alias of htonl, listed first */
		{ "statvfs64", "statvfs" },	/* both weak: the shorter */
	};
	struct pw_code_maps m = { 0 };
	struct pw_elf_symbols *s = NULL;
	const struct pw_code_map *libc = NULL;
	void *h = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);

	cr_assert_not_null(h, "libc.so.6 not loaded: %s", dlerror());
	cr_assert_eq(pw_code_maps_read(&m, getpid()), 0);
	for (size_t i = 0; i < PW_ARRAY_SIZE(fns); i++) {
		/* libc's own, not a sanitizer's interceptor of the same name. */
		void *fn = dlsym(h, fns[i].name);
		struct find_object f = { 0 };
		const struct pw_code_map *map;
		uint64_t addr = ADDR(fn), vaddr, v, start = 0;
		const char *name;
		struct stat st;
		Dl_info info;

		cr_assert_not_null(fn, "dlsym %s", fns[i].name);
		cr_assert_neq(dladdr(fn, &info), 0);
		f.addr = addr;
		cr_assert_eq(dl_iterate_phdr(find_object_cb, &f), 1);
		/* libc's first PT_LOAD is at 0: its base is its load bias. */
		cr_assert_eq(ADDR(info.dli_fbase), f.bias);
		vaddr = addr - ADDR(info.dli_fbase);

		map = pw_code_maps_find(&m, addr);
		cr_assert_not_null(map);
		cr_assert_not_null(map->path);
		cr_assert_eq(stat(info.dli_fname, &st), 0);
		cr_expect_eq(map->inode, (uint64_t)st.st_ino, "%s: %s is not %s",
			     fns[i].name, map->path, info.dli_fname);
		if (!s) {
			libc = map;
			s = load_path(map->path);
			cr_assert_not_null(s, "%s did not load", map->path);
		}
		cr_assert_eq(map, libc, "%s is not in libc's text", fns[i].name);

		cr_assert(pw_elf_symbols_vaddr(s, addr - map->start + map->offset, &v));
		cr_expect_eq(v, vaddr);
		name = pw_elf_symbols_lookup(s, vaddr, &start);
		cr_assert_not_null(name, "%s: no symbol", fns[i].name);
		cr_expect_str_eq(name, fns[i].want);
		cr_expect_eq(start, vaddr);
		name = pw_elf_symbols_lookup(s, vaddr + 1, &start);
		cr_assert_not_null(name);
		cr_expect_str_eq(name, fns[i].want);
	}
	pw_elf_symbols_free(s);
	pw_code_maps_free(&m);
	dlclose(h);
}

/* ---- 5. hostile files ------------------------------------------------- */

static unsigned char *self_image;
static size_t self_size;
static uint64_t target_vaddr, target_off;

/* Addresses and offsets worth looking up in whatever loaded. */
static void
exercise(const struct pw_elf_symbols *s, const char *what)
{
	const uint64_t probes[] = {
		0, 1, 0x1000, 0x400000, target_vaddr, target_vaddr + 3, target_off,
		self_size, self_size - 1, UINT64_MAX / 2, UINT64_MAX - 1, UINT64_MAX,
	};
	const unsigned char *id = NULL;
	size_t n = pw_elf_symbols_build_id(s, &id);
	unsigned sum = 0;

	cr_assert_leq(n, 64, "%s: build ID of %zu bytes", what, n);
	for (size_t i = 0; i < n; i++)
		sum += id[i];
	(void)sum;
	(void)pw_elf_symbols_full(s);
	for (size_t i = 0; i < PW_ARRAY_SIZE(probes); i++) {
		uint64_t v = 0, start = 0;
		const char *name;

		(void)pw_elf_symbols_vaddr(s, probes[i], &v);
		name = pw_elf_symbols_lookup(s, probes[i], &start);
		if (name) {
			cr_expect_gt(strlen(name), 0, "%s: empty name", what);
			cr_expect_leq(start, probes[i], "%s: start past the address", what);
		}
	}
	for (uint64_t off = 0; off < self_size; off += 61) {
		uint64_t v, start;
		const char *name;

		if (pw_elf_symbols_vaddr(s, off, &v) &&
		    (name = pw_elf_symbols_lookup(s, v, &start)))
			cr_expect_leq(start, v, "%s", what);
	}
}

static int
temp_file(void)
{
	char path[] = "/tmp/pw_unwind_symbols.XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	unlink(path);
	return fd;
}

static void
write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;

	cr_assert_eq(ftruncate(fd, 0), 0);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	while (len) {
		ssize_t r = write(fd, p, len);

		cr_assert_gt(r, 0);
		p += r;
		len -= (size_t)r;
	}
}

/* Loads len bytes of data as a file; NULL, or a table all lookups are safe on. */
static struct pw_elf_symbols *
load_bytes(const void *data, size_t len, const char *what)
{
	int fd = temp_file();
	struct pw_elf_symbols *s;

	write_all(fd, data, len);
	s = pw_elf_symbols_load(fd);
	close(fd);
	if (s)
		exercise(s, what);
	return s;
}

/* As load_bytes; also that the test function is not named from a damaged table. */
static void
expect_unnamed(const void *data, size_t len, const char *what)
{
	struct pw_elf_symbols *s = load_bytes(data, len, what);
	uint64_t start;

	if (s)
		cr_expect_null(pw_elf_symbols_lookup(s, target_vaddr + 3, &start),
			       "%s: named from a damaged table", what);
	pw_elf_symbols_free(s);
}

/* The whole .symtab unreadable: no names, and a debug file may stand in. */
static void
expect_no_table(const void *data, size_t len, const char *what)
{
	struct pw_elf_symbols *s = load_bytes(data, len, what);
	uint64_t start;

	if (s) {
		cr_expect_null(pw_elf_symbols_lookup(s, target_vaddr + 3, &start),
			       "%s: named from a damaged table", what);
		cr_expect_not(pw_elf_symbols_full(s), "%s: counts as a full table", what);
	}
	pw_elf_symbols_free(s);
}

static void
expect_safe(const void *data, size_t len, const char *what)
{
	pw_elf_symbols_free(load_bytes(data, len, what));
}

static Elf64_Ehdr *
ehdr(unsigned char *d)
{
	return (Elf64_Ehdr *)d;
}

static Elf64_Shdr *
shdr(unsigned char *d, size_t i)
{
	return (Elf64_Shdr *)(d + ehdr(d)->e_shoff) + i;
}

static Elf64_Phdr *
phdr(unsigned char *d, size_t i)
{
	return (Elf64_Phdr *)(d + ehdr(d)->e_phoff) + i;
}

static size_t
section_of_type(unsigned char *d, uint32_t type)
{
	for (size_t i = 0; i < ehdr(d)->e_shnum; i++)
		if (shdr(d, i)->sh_type == type)
			return i;
	cr_assert_fail("no section of type %u", type);
	return 0;
}

static size_t
segment_of_type(unsigned char *d, uint32_t type)
{
	for (size_t i = 0; i < ehdr(d)->e_phnum; i++)
		if (phdr(d, i)->p_type == type)
			return i;
	cr_assert_fail("no segment of type %u", type);
	return 0;
}

/* The .symtab entry of pw_test_target. */
static Elf64_Sym *
target_sym(unsigned char *d)
{
	Elf64_Shdr *sym = shdr(d, section_of_type(d, SHT_SYMTAB));
	Elf64_Shdr *str = shdr(d, sym->sh_link);

	for (size_t i = 0; i < sym->sh_size / sizeof(Elf64_Sym); i++) {
		Elf64_Sym *e = (Elf64_Sym *)(d + sym->sh_offset) + i;

		if (e->st_name < str->sh_size &&
		    !strcmp((char *)d + str->sh_offset + e->st_name, "pw_test_target"))
			return e;
	}
	cr_assert_fail("pw_test_target not in .symtab");
	return NULL;
}

static void
hostile_init(void)
{
	struct pw_code_maps m = { 0 };
	const struct pw_code_map *map;
	struct pw_elf_symbols *s;
	uint64_t start;

	self_image = read_self(&self_size);
	target_vaddr = ADDR(pw_test_target) - program_bias();
	cr_assert_eq(pw_code_maps_read(&m, getpid()), 0);
	map = pw_code_maps_find(&m, ADDR(pw_test_target));
	cr_assert_not_null(map);
	target_off = ADDR(pw_test_target) - map->start + map->offset;
	pw_code_maps_free(&m);
	/* The undamaged copy names the function: the checks below can fail. */
	s = load_bytes(self_image, self_size, "intact copy");
	cr_assert_not_null(s);
	cr_assert_not_null(pw_elf_symbols_lookup(s, target_vaddr + 3, &start));
	pw_elf_symbols_free(s);
}

static void
hostile_fini(void)
{
	free(self_image);
}

static unsigned char *
copy_self(void)
{
	unsigned char *d = malloc(self_size);

	cr_assert_not_null(d);
	memcpy(d, self_image, self_size);
	return d;
}

/* Runs stmt on a fresh copy d of the program, then checks what loads. */
#define DAMAGED(check, what, stmt) do {					\
		unsigned char *d = copy_self();				\
		stmt;							\
		check(d, self_size, what);				\
		free(d);						\
	} while (0)

TestSuite(hostile, .init = hostile_init, .fini = hostile_fini);

Test(hostile, not_elf)
{
	static const char text[] = "#!/bin/sh\necho this is not an ELF file\n";
	unsigned char zeros[4096] = { 0 }, hdr[64] = { 0 };
	struct pw_elf_symbols *s;
	uint64_t start;
	int fd;

	cr_expect_null(load_bytes(text, sizeof(text) - 1, "script"));
	cr_expect_null(load_bytes(zeros, sizeof(zeros), "zeros"));
	cr_expect_null(load_bytes(ELFMAG, SELFMAG, "magic alone"));
	/* The magic, but 32-bit or big-endian. */
	memcpy(hdr, self_image, sizeof(hdr));
	hdr[EI_CLASS] = ELFCLASS32;
	cr_expect_null(load_bytes(hdr, sizeof(hdr), "ELFCLASS32"));
	memcpy(hdr, self_image, sizeof(hdr));
	hdr[EI_DATA] = ELFDATA2MSB;
	cr_expect_null(load_bytes(hdr, sizeof(hdr), "ELFDATA2MSB"));
	/* A valid ELF identification and nothing else: no segments, no symbols. */
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, self_image, EI_NIDENT);
	s = load_bytes(hdr, sizeof(hdr), "bare identification");
	if (s) {
		const unsigned char *id;

		cr_expect_null(pw_elf_symbols_lookup(s, target_vaddr, &start));
		cr_expect_eq(pw_elf_symbols_build_id(s, &id), 0);
		cr_expect_not(pw_elf_symbols_full(s));
		pw_elf_symbols_free(s);
	}

	/* Not regular files. */
	cr_expect_null(pw_elf_symbols_load(-1));
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_expect_null(pw_elf_symbols_load(fd));
	close(fd);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_expect_null(pw_elf_symbols_load(fd));
	close(fd);
}

Test(hostile, empty_file)
{
	cr_expect_null(load_bytes("", 0, "empty"));
}

Test(hostile, truncated)
{
	const size_t sizes[] = {
		1, 4, 16, 63, 64, 65, 100, 4096, 8192, self_size / 2,
		self_size - 4096, self_size - 64, self_size - 1,
	};

	for (size_t i = 0; i < PW_ARRAY_SIZE(sizes); i++) {
		char what[64];
		struct pw_elf_symbols *s;
		uint64_t start;

		snprintf(what, sizeof(what), "first %zu bytes", sizes[i]);
		s = load_bytes(self_image, sizes[i], what);
		if (sizes[i] < sizeof(Elf64_Ehdr))
			cr_expect_null(s, "%s: loaded", what);
		/* The section headers come last: without them, no symbols. */
		if (s)
			cr_expect_null(pw_elf_symbols_lookup(s, target_vaddr + 3, &start),
				       "%s: named", what);
		pw_elf_symbols_free(s);
	}
}

Test(hostile, header_tables)
{
	const uint64_t offsets[] = {
		self_size, self_size - 1, self_size - 8, self_size + 4096,
		UINT64_MAX, UINT64_MAX - 63, UINT64_MAX - 4095, 1ULL << 63,
	};

	for (size_t i = 0; i < PW_ARRAY_SIZE(offsets); i++) {
		DAMAGED(expect_unnamed, "e_shoff", ehdr(d)->e_shoff = offsets[i]);
		DAMAGED(expect_safe, "e_phoff", ehdr(d)->e_phoff = offsets[i]);
	}
	DAMAGED(expect_safe, "e_shoff 0", ehdr(d)->e_shoff = 0);
	DAMAGED(expect_safe, "e_phoff 0", ehdr(d)->e_phoff = 0);
	DAMAGED(expect_safe, "e_shnum 0xffff", ehdr(d)->e_shnum = 0xffff);
	DAMAGED(expect_safe, "e_phnum 0xffff", ehdr(d)->e_phnum = 0xffff);
	DAMAGED(expect_unnamed, "e_shnum 0", ehdr(d)->e_shnum = 0);
	DAMAGED(expect_safe, "e_phnum 0", ehdr(d)->e_phnum = 0);
	DAMAGED(expect_unnamed, "e_shentsize 0", ehdr(d)->e_shentsize = 0);
	DAMAGED(expect_unnamed, "e_shentsize 32", ehdr(d)->e_shentsize = 32);
	DAMAGED(expect_unnamed, "e_shentsize 0xffff", ehdr(d)->e_shentsize = 0xffff);
	DAMAGED(expect_safe, "e_phentsize 0", ehdr(d)->e_phentsize = 0);
	DAMAGED(expect_safe, "e_phentsize 0xffff", ehdr(d)->e_phentsize = 0xffff);
	/* The section and program header tables moved off their alignment. */
	DAMAGED(expect_safe, "e_shoff + 1", ehdr(d)->e_shoff += 1);
	DAMAGED(expect_safe, "e_shoff - 4", ehdr(d)->e_shoff -= 4);
	DAMAGED(expect_safe, "e_phoff + 1", ehdr(d)->e_phoff += 1);
	DAMAGED(expect_safe, "e_phoff + 4", ehdr(d)->e_phoff += 4);
}

Test(hostile, symbol_table_section)
{
	const uint64_t values[] = {
		self_size, self_size - 1, self_size + 1, UINT64_MAX, UINT64_MAX - 23,
		UINT64_MAX / 24 * 24, 1ULL << 63,
	};

	for (size_t i = 0; i < PW_ARRAY_SIZE(values); i++) {
		DAMAGED(expect_no_table, "symtab sh_offset",
			shdr(d, section_of_type(d, SHT_SYMTAB))->sh_offset = values[i]);
		DAMAGED(expect_no_table, "symtab sh_size",
			shdr(d, section_of_type(d, SHT_SYMTAB))->sh_size = values[i]);
	}
	DAMAGED(expect_safe, "symtab sh_offset + 1",
		shdr(d, section_of_type(d, SHT_SYMTAB))->sh_offset += 1);
	DAMAGED(expect_safe, "symtab sh_offset + 4",
		shdr(d, section_of_type(d, SHT_SYMTAB))->sh_offset += 4);
	DAMAGED(expect_safe, "symtab sh_offset to the end",
		Elf64_Shdr *sh = shdr(d, section_of_type(d, SHT_SYMTAB));
		sh->sh_offset = self_size - sh->sh_size / 2 / 24 * 24);
	DAMAGED(expect_safe, "symtab sh_size 25",
		shdr(d, section_of_type(d, SHT_SYMTAB))->sh_size = 25);
	DAMAGED(expect_safe, "symtab sh_size + 7",
		shdr(d, section_of_type(d, SHT_SYMTAB))->sh_size += 7);
	DAMAGED(expect_no_table, "symtab sh_size 0",
		shdr(d, section_of_type(d, SHT_SYMTAB))->sh_size = 0);
	DAMAGED(expect_no_table, "symtab sh_entsize 0",
		shdr(d, section_of_type(d, SHT_SYMTAB))->sh_entsize = 0);
	DAMAGED(expect_no_table, "symtab sh_entsize 16",
		shdr(d, section_of_type(d, SHT_SYMTAB))->sh_entsize = 16);
	/* The string table link: out of range, the null section, itself, another table. */
	DAMAGED(expect_no_table, "sh_link e_shnum",
		shdr(d, section_of_type(d, SHT_SYMTAB))->sh_link = ehdr(d)->e_shnum);
	DAMAGED(expect_no_table, "sh_link 0xffffffff",
		shdr(d, section_of_type(d, SHT_SYMTAB))->sh_link = 0xffffffff);
	DAMAGED(expect_no_table, "sh_link 0", shdr(d, section_of_type(d, SHT_SYMTAB))->sh_link = 0);
	DAMAGED(expect_safe, "sh_link itself",
		size_t i = section_of_type(d, SHT_SYMTAB); shdr(d, i)->sh_link = (uint32_t)i);
	DAMAGED(expect_safe, "sh_link .shstrtab",
		shdr(d, section_of_type(d, SHT_SYMTAB))->sh_link = ehdr(d)->e_shstrndx);
	/* No .symtab: .dynsym, which a PIE program has, is used instead. */
	DAMAGED(expect_safe, "symtab as SHT_NULL",
		shdr(d, section_of_type(d, SHT_SYMTAB))->sh_type = SHT_NULL);
}

Test(hostile, string_table)
{
	const uint64_t values[] = { self_size, self_size + 1, UINT64_MAX, UINT64_MAX - 1, 1ULL << 63 };

#define STRTAB(d) shdr(d, shdr(d, section_of_type(d, SHT_SYMTAB))->sh_link)
	for (size_t i = 0; i < PW_ARRAY_SIZE(values); i++) {
		DAMAGED(expect_unnamed, "strtab sh_offset", STRTAB(d)->sh_offset = values[i]);
		DAMAGED(expect_unnamed, "strtab sh_size", STRTAB(d)->sh_size = values[i]);
	}
	DAMAGED(expect_unnamed, "strtab sh_size 0", STRTAB(d)->sh_size = 0);
	DAMAGED(expect_safe, "strtab sh_size 1", STRTAB(d)->sh_size = 1);
	DAMAGED(expect_safe, "strtab sh_offset + 1", STRTAB(d)->sh_offset += 1);
	/* The table's last byte is not a NUL: a name could run off its end. */
	DAMAGED(expect_unnamed, "strtab unterminated",
		Elf64_Shdr *sh = STRTAB(d); d[sh->sh_offset + sh->sh_size - 1] = 'x');
	DAMAGED(expect_unnamed, "strtab cut short of its last NUL", STRTAB(d)->sh_size -= 1);
	/* The whole file as the string table: ends in a NUL or not, either way safe. */
	DAMAGED(expect_safe, "strtab the whole file",
		Elf64_Shdr *sh = STRTAB(d); sh->sh_offset = 0; sh->sh_size = self_size);
#undef STRTAB
}

Test(hostile, symbols)
{
	Elf64_Shdr *str;

	/*
	 * The function's name just past the string table (where a name is
	 * made to start: an off-by-one would read it), at its end, at its NUL.
	 */
	DAMAGED(expect_unnamed, "st_name past the table",
		str = shdr(d, shdr(d, section_of_type(d, SHT_SYMTAB))->sh_link);
		cr_assert_lt(str->sh_offset + str->sh_size, self_size);
		d[str->sh_offset + str->sh_size] = 'X';
		target_sym(d)->st_name = (uint32_t)str->sh_size);
	DAMAGED(expect_unnamed, "st_name 0xffffffff", target_sym(d)->st_name = 0xffffffff);
	DAMAGED(expect_unnamed, "st_name empty",
		str = shdr(d, shdr(d, section_of_type(d, SHT_SYMTAB))->sh_link);
		target_sym(d)->st_name = (uint32_t)str->sh_size - 1);
	/* Every symbol's name past the table. */
	DAMAGED(expect_unnamed, "every st_name past the table",
		Elf64_Shdr *sh = shdr(d, section_of_type(d, SHT_SYMTAB));
		str = shdr(d, sh->sh_link);
		for (size_t i = 0; i < sh->sh_size / sizeof(Elf64_Sym); i++)
			((Elf64_Sym *)(d + sh->sh_offset))[i].st_name =
				(uint32_t)str->sh_size + (uint32_t)i);
	/* Not a function any more, or undefined. */
	DAMAGED(expect_unnamed, "STT_OBJECT",
		Elf64_Sym *e = target_sym(d);
		e->st_info = ELF64_ST_INFO(ELF64_ST_BIND(e->st_info), STT_OBJECT));
	DAMAGED(expect_unnamed, "SHN_UNDEF", target_sym(d)->st_shndx = SHN_UNDEF);
	/* Huge addresses and sizes. */
	DAMAGED(expect_safe, "st_value and st_size huge",
		Elf64_Sym *e = target_sym(d); e->st_value = UINT64_MAX; e->st_size = UINT64_MAX);
	DAMAGED(expect_safe, "st_size huge", target_sym(d)->st_size = UINT64_MAX);
	DAMAGED(expect_safe, "every symbol a function at the top",
		Elf64_Shdr *sh = shdr(d, section_of_type(d, SHT_SYMTAB));
		for (size_t i = 0; i < sh->sh_size / sizeof(Elf64_Sym); i++) {
			Elf64_Sym *e = (Elf64_Sym *)(d + sh->sh_offset) + i;

			e->st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
			e->st_shndx = 1;
			e->st_value = UINT64_MAX - i;
			e->st_size = UINT64_MAX;
		});
}

Test(hostile, notes_and_segments)
{
	const uint64_t values[] = { self_size, self_size + 1, UINT64_MAX, UINT64_MAX - 3, 1ULL << 63 };
	const unsigned char *id;

	for (size_t i = 0; i < PW_ARRAY_SIZE(values); i++) {
		DAMAGED(expect_safe, "PT_NOTE p_offset",
			phdr(d, segment_of_type(d, PT_NOTE))->p_offset = values[i]);
		DAMAGED(expect_safe, "PT_NOTE p_filesz",
			phdr(d, segment_of_type(d, PT_NOTE))->p_filesz = values[i]);
		DAMAGED(expect_safe, "PT_LOAD p_offset",
			phdr(d, segment_of_type(d, PT_LOAD))->p_offset = values[i]);
		DAMAGED(expect_safe, "PT_LOAD p_filesz",
			phdr(d, segment_of_type(d, PT_LOAD))->p_filesz = values[i]);
		DAMAGED(expect_safe, "PT_LOAD p_vaddr",
			phdr(d, segment_of_type(d, PT_LOAD))->p_vaddr = values[i]);
	}
	/* Every note's sizes huge, or a build ID longer than any real one. */
	for (size_t i = 0; i < 3; i++) {
		DAMAGED(expect_safe, "note sizes",
			for (size_t p = 0; p < ehdr(d)->e_phnum; p++) {
				Elf64_Phdr *ph = phdr(d, p);
				Elf64_Nhdr *nh = (Elf64_Nhdr *)(d + ph->p_offset);

				if (ph->p_type != PT_NOTE)
					continue;
				nh->n_namesz = i == 0 ? 0xffffffff : 4;
				nh->n_descsz = i == 1 ? 0xffffffff : i == 2 ? 0xfffffffd : 100;
				nh->n_type = NT_GNU_BUILD_ID;
				memcpy(nh + 1, "GNU", 4);
			});
	}
	/* A build ID longer than any real one, in a note that fits its segment. */
	DAMAGED(expect_safe, "build ID of 200 bytes",
		Elf64_Phdr *ph = phdr(d, segment_of_type(d, PT_NOTE));
		Elf64_Nhdr *nh = (Elf64_Nhdr *)(d + ph->p_offset);

		ph->p_filesz = self_size - ph->p_offset;
		nh->n_namesz = 4;
		nh->n_descsz = 200;
		nh->n_type = NT_GNU_BUILD_ID;
		memcpy(nh + 1, "GNU", 4));
	/* Every segment a note: a build ID, if any, still fits its buffer. */
	DAMAGED(expect_safe, "every segment a note",
		for (size_t p = 0; p < ehdr(d)->e_phnum; p++)
			phdr(d, p)->p_type = PT_NOTE);
	/* Sixteen and more PT_LOADs. */
	DAMAGED(expect_safe, "every segment a load",
		for (size_t p = 0; p < ehdr(d)->e_phnum; p++)
			phdr(d, p)->p_type = PT_LOAD);

	/* The intact copy's build ID is the file's: the checks above could see a wrong one. */
	{
		struct pw_elf_symbols *s = load_bytes(self_image, self_size, "intact");

		cr_assert_not_null(s);
		cr_expect_eq(pw_elf_symbols_build_id(s, &id), 20);
		pw_elf_symbols_free(s);
	}
}

/*
 * Deterministic byte damage in the headers and tables the loader reads:
 * the ELF header, program and section headers, the notes, the start of
 * the symbol table.  Each case must load safely.
 */
Test(hostile, scattered_damage)
{
	unsigned char *d = copy_self();
	const Elf64_Shdr *sym = shdr(d, section_of_type(d, SHT_SYMTAB));
	const Elf64_Phdr *note = phdr(d, segment_of_type(d, PT_NOTE));
	struct { uint64_t off, len; } regions[] = {
		{ 0, sizeof(Elf64_Ehdr) },
		{ ehdr(d)->e_phoff, (uint64_t)ehdr(d)->e_phnum * sizeof(Elf64_Phdr) },
		{ ehdr(d)->e_shoff, (uint64_t)ehdr(d)->e_shnum * sizeof(Elf64_Shdr) },
		{ note->p_offset, note->p_filesz },
		{ sym->sh_offset, sym->sh_size < 4096 ? sym->sh_size : 4096 },
	};
	static const uint64_t values[] = {
		0, 1, 3, 4, 0x18, 0x40, 0xff, 0x7fffffff, 0xffffffff, UINT64_MAX,
	};
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int fd = temp_file();

	write_all(fd, d, self_size);
	for (int round = 0; round < 2000; round++) {
		size_t r, at, width;
		uint64_t value, saved = 0;
		struct pw_elf_symbols *s;
		char what[64];

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		r = (size_t)(x % (PW_ARRAY_SIZE(regions)));
		if (regions[r].len < 8)
			continue;
		width = (x >> 8) & 1 ? 8 : 4;
		at = regions[r].off + (size_t)((x >> 16) % (regions[r].len - width + 1));
		at &= ~(width - 1);
		value = (x >> 40) & 1 ? values[(x >> 41) % (PW_ARRAY_SIZE(values))]
				      : (x >> 42) % (2 * self_size);
		memcpy(&saved, d + at, width);
		cr_assert_eq(pwrite(fd, &value, width, (off_t)at), (ssize_t)width);
		snprintf(what, sizeof(what), "round %d: %zu bytes at %#zx = %#" PRIx64,
			 round, width, at, value);
		s = pw_elf_symbols_load(fd);
		if (s)
			exercise(s, what);
		pw_elf_symbols_free(s);
		cr_assert_eq(pwrite(fd, &saved, width, (off_t)at), (ssize_t)width);
	}
	close(fd);
	free(d);
}

/* ---- 6. pw_symbolize and the object cache ----------------------------- */

static void
frame_free(struct pw_frame *f)
{
	free(f->fn);
	free(f->obj);
	memset(f, 0, sizeof(*f));
}

Test(symbolize, own_function)
{
	struct pw_code_maps m = { 0 };
	struct pw_object_cache c;
	struct pw_code_map *map;
	struct pw_frame f;
	uint64_t addr = ADDR(pw_test_target), vaddr = addr - program_bias();
	uint64_t pstart = 0;
	const char *prev;
	char exe[PATH_MAX];

	self_exe(exe, sizeof(exe));
	pw_object_cache_init(&c);
	cr_assert_eq(pw_code_maps_read(&m, getpid()), 0);
	map = pw_code_maps_find(&m, addr);
	cr_assert_not_null(map);

	/* The innermost frame: the address itself. */
	cr_assert_eq(pw_symbolize(&c, &m, getpid(), addr + 5, false, &f), 0);
	cr_expect_eq(f.ip, addr + 5);
	cr_assert_not_null(f.fn);
	cr_expect_str_eq(f.fn, "pw_test_target");
	cr_expect_eq(f.off, 5);
	cr_assert_not_null(f.obj);
	cr_expect_str_eq(f.obj, exe);
	frame_free(&f);
	cr_assert_not_null(map->object, "the mapping's object is not kept");
	cr_assert_not_null(map->object->syms);

	/* A return address inside the function: the same frame. */
	cr_assert_eq(pw_symbolize(&c, &m, getpid(), addr + 5, true, &f), 0);
	cr_expect_eq(f.ip, addr + 5);
	cr_assert_not_null(f.fn);
	cr_expect_str_eq(f.fn, "pw_test_target");
	cr_expect_eq(f.off, 5);
	frame_free(&f);

	/*
	 * A return address at the function's start: the call that made it
	 * ended the code before, which is not this function.  The offset is
	 * still the return address's.
	 */
	cr_assert_eq(pw_symbolize(&c, &m, getpid(), addr, true, &f), 0);
	cr_expect_eq(f.ip, addr);
	cr_assert_not_null(f.obj);
	cr_expect_str_eq(f.obj, exe);
	prev = pw_elf_symbols_lookup(map->object->syms, vaddr - 1, &pstart);
	if (prev) {
		cr_assert_not_null(f.fn);
		cr_expect_str_eq(f.fn, prev);
		cr_expect_str_neq(f.fn, "pw_test_target");
		cr_expect_eq(f.off, vaddr - pstart, "off %#" PRIx64 ", want %s+%#" PRIx64,
			     f.off, prev, vaddr - pstart);
	} else {
		cr_expect_null(f.fn, "named %s", f.fn ? f.fn : "");
		cr_expect_eq(f.off, vaddr, "off %#" PRIx64 ", want the address %#" PRIx64,
			     f.off, vaddr);
	}
	frame_free(&f);

	/* Not a return address: the start names the function, at offset 0. */
	cr_assert_eq(pw_symbolize(&c, &m, getpid(), addr, false, &f), 0);
	cr_assert_not_null(f.fn);
	cr_expect_str_eq(f.fn, "pw_test_target");
	cr_expect_eq(f.off, 0);
	frame_free(&f);

	/* The program was read once for all of these. */
	cr_expect_eq(c.count, 1);
	pw_object_cache_free(&c);
	pw_code_maps_free(&m);
}

Test(symbolize, libc_function)
{
	struct pw_code_maps m = { 0 };
	struct pw_object_cache c;
	struct pw_frame f;
	void *h = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	uint64_t addr;
	const struct pw_code_map *map;

	cr_assert_not_null(h);
	addr = ADDR(dlsym(h, "execve"));
	cr_assert_neq(addr, 0);
	pw_object_cache_init(&c);
	cr_assert_eq(pw_code_maps_read(&m, getpid()), 0);
	map = pw_code_maps_find(&m, addr);
	cr_assert_not_null(map);
	cr_assert_eq(pw_symbolize(&c, &m, getpid(), addr + 1, true, &f), 0);
	cr_assert_not_null(f.fn);
	cr_expect_str_eq(f.fn, "execve");
	cr_expect_eq(f.off, 1);
	cr_assert_not_null(f.obj);
	cr_expect_str_eq(f.obj, map->path);
	frame_free(&f);
	pw_object_cache_free(&c);
	pw_code_maps_free(&m);
	dlclose(h);
}

Test(symbolize, anonymous_code_and_vdso)
{
	struct pw_code_maps m = { 0 };
	struct pw_object_cache c;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t vdso = (uint64_t)getauxval(AT_SYSINFO_EHDR);
	const struct pw_code_map *map;
	struct pw_frame f;
	void *p;

	pw_object_cache_init(&c);
	p = mmap(NULL, (size_t)page, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(p, MAP_FAILED);
	cr_assert_eq(pw_code_maps_read(&m, getpid()), 0);
	map = pw_code_maps_find(&m, ADDR(p));
	cr_assert_not_null(map, "the anonymous executable page is not in the maps");
	cr_expect_null(map->path);
	for (int ret = 0; ret < 2; ret++) {
		cr_assert_eq(pw_symbolize(&c, &m, getpid(), ADDR(p) + 16, ret, &f), 0);
		cr_expect_eq(f.ip, ADDR(p) + 16);
		cr_expect_null(f.obj);
		cr_expect_null(f.fn);
		cr_expect_eq(f.off, 0);
		frame_free(&f);
	}

	/* No mapping at all. */
	cr_assert_eq(pw_symbolize(&c, &m, getpid(), 0, true, &f), 0);
	cr_expect_eq(f.ip, 0);
	cr_expect_null(f.obj);
	cr_expect_null(f.fn);
	frame_free(&f);

	/* [vdso]: named, not read (no file), the offset into it. */
	if (vdso) {
		map = pw_code_maps_find(&m, vdso);
		cr_assert_not_null(map);
		cr_assert_not_null(map->path);
		cr_expect_str_eq(map->path, "[vdso]");
		cr_assert_eq(pw_symbolize(&c, &m, getpid(), vdso + 0x10, false, &f), 0);
		cr_assert_not_null(f.obj);
		cr_expect_str_eq(f.obj, "[vdso]");
		cr_expect_null(f.fn);
		cr_expect_eq(f.off, vdso + 0x10 - map->start + map->offset);
		frame_free(&f);
	}
	cr_expect_eq(c.count, 0, "an object was read for code without a file");
	munmap(p, (size_t)page);
	pw_object_cache_free(&c);
	pw_code_maps_free(&m);
}

/* A mapped file that is not ELF: the object, then the file offset. */
Test(symbolize, mapped_file_not_elf)
{
	char path[] = "/tmp/pw_unwind_symbols.XXXXXX";
	unsigned char junk[8192];
	struct pw_code_maps m = { 0 };
	struct pw_object_cache c;
	struct pw_code_map *map;
	struct pw_frame f;
	int fd = mkstemp(path);
	void *p;

	cr_assert_geq(fd, 0);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 7 + 1);
	write_all(fd, junk, sizeof(junk));
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 4096);
	close(fd);
	if (p == MAP_FAILED) {
		unlink(path);
		cr_skip_test("cannot map %s executable: %s", path, strerror(errno));
	}
	pw_object_cache_init(&c);
	cr_assert_eq(pw_code_maps_read(&m, getpid()), 0);
	map = pw_code_maps_find(&m, ADDR(p));
	cr_assert_not_null(map);
	cr_assert_not_null(map->path);
	cr_expect_str_eq(map->path, path);
	cr_expect_eq(map->offset, 4096);
	cr_assert_eq(pw_symbolize(&c, &m, getpid(), ADDR(p) + 100, false, &f), 0);
	cr_assert_not_null(f.obj);
	cr_expect_str_eq(f.obj, path);
	cr_expect_null(f.fn);
	cr_expect_eq(f.off, 4096 + 100);
	frame_free(&f);
	cr_assert_not_null(map->object);
	cr_expect_null(map->object->syms);
	cr_expect_eq(c.count, 1);
	munmap(p, 4096);
	unlink(path);
	pw_object_cache_free(&c);
	pw_code_maps_free(&m);
}

Test(object_cache, one_object_per_file)
{
	struct pw_code_maps m = { 0 };
	struct pw_object_cache c;
	const struct pw_code_map *map, *libc;
	struct pw_code_map elsewhere;
	struct pw_object *o, *o2, *ol;
	void *h = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);

	cr_assert_not_null(h);
	pw_object_cache_init(&c);
	cr_assert_eq(pw_code_maps_read(&m, getpid()), 0);
	map = pw_code_maps_find(&m, ADDR(pw_test_target));
	cr_assert_not_null(map);
	o = pw_object_cache_get(&c, getpid(), map);
	cr_assert_not_null(o);
	cr_assert_not_null(o->path);
	cr_expect_str_eq(o->path, map->path);
	cr_expect_eq(o->inode, map->inode);
	cr_expect_eq(o->dev_major, map->dev_major);
	cr_expect_eq(o->dev_minor, map->dev_minor);
	cr_expect_not_null(o->syms);
	cr_expect_eq(c.count, 1);

	o2 = pw_object_cache_get(&c, getpid(), map);
	cr_expect_eq(o2, o, "the same mapping read twice");
	cr_expect_eq(c.count, 1);
	/* Another mapping of the same file (by identity, not by path). */
	elsewhere = *map;
	elsewhere.start += 0x10000000;
	elsewhere.end += 0x10000000;
	elsewhere.path = "/nonexistent/elsewhere";
	cr_expect_eq(pw_object_cache_get(&c, getpid(), &elsewhere), o);
	cr_expect_eq(c.count, 1);

	libc = pw_code_maps_find(&m, ADDR(dlsym(h, "fork")));
	cr_assert_not_null(libc);
	ol = pw_object_cache_get(&c, getpid(), libc);
	cr_assert_not_null(ol);
	cr_expect_neq(ol, o);
	cr_expect_not_null(ol->syms);
	cr_expect_eq(c.count, 2);
	cr_expect_eq(pw_object_cache_get(&c, getpid(), libc), ol);

	/* Small: trimming keeps it. */
	pw_object_cache_trim(&c);
	cr_expect_eq(c.count, 2);
	cr_expect_eq(pw_object_cache_get(&c, getpid(), map), o);

	pw_object_cache_free(&c);
	cr_expect_eq(c.count, 0);
	pw_code_maps_free(&m);
	dlclose(h);
}

/* Many files (none readable): each kept once, until a trim starts over. */
Test(object_cache, many_objects_then_trim)
{
	enum { N = 1100 };
	static struct pw_object *got[N];
	struct pw_object_cache c;
	size_t trimmed_at = 0;

	pw_object_cache_init(&c);
	for (size_t i = 0; i < N; i++) {
		/* Kernel addresses: no mapping of this process is there. */
		struct pw_code_map map = {
			.start = 0xffff900000000000ULL + i * 0x1000,
			.end = 0xffff900000000000ULL + i * 0x1000 + 0x1000,
			.dev_major = 0xfd, .dev_minor = (unsigned)(i % 3),
			.inode = 1000000 + i / 3, .path = "/nonexistent/pw_unwind_symbols",
		};

		got[i] = pw_object_cache_get(&c, getpid(), &map);
		cr_assert_not_null(got[i]);
		cr_expect_null(got[i]->syms);
		cr_expect_eq(got[i]->inode, map.inode);
		cr_expect_eq(got[i]->dev_minor, map.dev_minor);
		cr_assert_eq(pw_object_cache_get(&c, getpid(), &map), got[i]);
		cr_assert_eq(c.count, i + 1 - trimmed_at);
		if (c.count >= 1024 && !trimmed_at) {
			/* Every one still there, then gone. */
			for (size_t j = 0; j <= i; j++) {
				struct pw_code_map again = map;

				again.dev_minor = (unsigned)(j % 3);
				again.inode = 1000000 + j / 3;
				cr_assert_eq(pw_object_cache_get(&c, getpid(), &again), got[j]);
			}
			cr_assert_eq(c.count, i + 1);
			pw_object_cache_trim(&c);
			cr_assert_eq(c.count, 0);
			trimmed_at = i + 1;
		}
	}
	cr_expect_eq(trimmed_at, 1024);
	pw_object_cache_free(&c);
}

/* demangle.c: C++ and Rust names, and what it leaves alone. */
Test(demangle, cxx_rust_and_the_rest)
{
	static const struct {
		const char *in, *want;	/* want NULL: left as it is */
	} cases[] = {
		{ "_ZN7pw_test7SpawnerIiE3runEi", "pw_test::Spawner<int>::run(int)" },
		{ "_ZN2ns5startEv", "ns::start()" },
		{ "_RNvCs1234_7mycrate3foo", "mycrate::foo" },	/* Rust v0, crate hash left out */
		{ "main", NULL },
		{ "__libc_start_main", NULL },
		{ "_Z", NULL },			/* a prefix and nothing */
		{ "_ZN3foo", NULL },		/* cut short */
		{ "", NULL },
	};
	char *got;

	if (!PW_HAVE_DEMANGLE)
		cr_skip_test("procwatch was built without libiberty: nothing is demangled");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = pw_demangle(cases[i].in);
		if (cases[i].want)
			cr_expect(got && strcmp(got, cases[i].want) == 0, "%s: got %s, want %s",
				  cases[i].in, got ? got : "NULL", cases[i].want);
		else
			cr_expect_null(got, "%s: got %s", cases[i].in, got ? got : "");
		free(got);
	}
	cr_expect_null(pw_demangle(NULL));
}

/* A name past the limit stays mangled: its stack use grows with its length. */
Test(demangle, long_name_left_alone)
{
	size_t n = 10000;
	char *name = malloc(n + 1);
	char *got;

	cr_assert_not_null(name);
	/* _Z3fooPPPP...c: valid, and longer than DEMANGLE_MAX. */
	memcpy(name, "_Z3foo", 6);
	memset(name + 6, 'P', n - 7);
	name[n - 1] = 'c';
	name[n] = '\0';
	got = pw_demangle(name);
	cr_expect_null(got, "a %zu-byte name was demangled", n);
	free(got);
	name[200] = 'c';
	name[201] = '\0';
	got = pw_demangle(name);
	if (PW_HAVE_DEMANGLE)
		cr_expect(got && strncmp(got, "foo(char", 8) == 0, "got %s", got ? got : "NULL");
	free(got);
	free(name);
}
