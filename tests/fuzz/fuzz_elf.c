/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for -k's ELF reader (src/unwind/elf_symbols.c): any
 * bytes as a file a tracee mapped.  Loading must never crash, leak or read
 * out of bounds, and whatever table it returns must answer every lookup
 * safely.  scripts/fuzz-elf builds it with clang and runs it;
 * tests/fuzz/run_corpus.c runs the kept corpus (tests/fuzz/corpus/elf/:
 * small gcc-built programs, objects and libraries, intact, stripped and
 * cut short, hand-damaged headers, and inputs that once crashed) in every
 * meson test run.
 *
 * The input goes into a memfd, as pw_elf_symbols_load takes a descriptor;
 * it reads the parts it needs with pread into buffers of their exact size,
 * so AddressSanitizer sees a read past any of them.
 */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "procwatch/base.h"
#include "src/unwind/unwind_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The memfd that holds each input in turn. */
static int cur_fd = -1;

/* A broken promise of the lookup functions: a crash for libFuzzer to keep. */
static void
fail(const char *what, uint64_t addr)
{
	fprintf(stderr, "fuzz_elf: %s (address 0x%llx)\n", what, (unsigned long long)addr);
	abort();
}

static uint64_t
le64(const uint8_t *data, size_t size, uint64_t off)
{
	uint64_t v = 0;

	if (off <= size && size - off >= sizeof(v))
		memcpy(&v, data + off, sizeof(v));	/* x86-64: little-endian */
	return v;
}

/* Looks addr up; when named, also the bytes either side of the function's start. */
static void
probe(const struct pw_elf_symbols *s, uint64_t addr)
{
	uint64_t start = UINT64_MAX;
	const char *name = pw_elf_symbols_lookup(s, addr, &start);

	if (!name)
		return;
	if (!name[0])
		fail("empty name", addr);
	if (start > addr)
		fail("function starts past the address", addr);
	if (!pw_elf_symbols_lookup(s, start, &start))
		fail("a function's own start is not named", addr);
	(void)pw_elf_symbols_lookup(s, start - 1, &start);
}

/* A file offset's address, then what is there and at the next byte. */
static void
probe_offset(const struct pw_elf_symbols *s, uint64_t off)
{
	uint64_t vaddr;

	if (pw_elf_symbols_vaddr(s, off, &vaddr)) {
		probe(s, vaddr);
		probe(s, vaddr + 1);
	}
}

/*
 * Addresses taken from the input itself, wherever a well-formed file would
 * keep them: the entry point and each PT_LOAD segment's bounds, in the
 * file and in memory (the reader's own copy of them is private).
 */
static void
probe_segments(const struct pw_elf_symbols *s, const uint8_t *data, size_t size)
{
	uint64_t phoff = le64(data, size, offsetof(Elf64_Ehdr, e_phoff));
	uint16_t phnum = 0;

	if (size >= sizeof(Elf64_Ehdr))
		memcpy(&phnum, data + offsetof(Elf64_Ehdr, e_phnum), sizeof(phnum));
	probe(s, le64(data, size, offsetof(Elf64_Ehdr, e_entry)));
	/* Not all 65535: the reader keeps 16 segments, and each probe costs. */
	for (uint64_t i = 0; i < phnum && i < 32; i++) {
		uint64_t ph = phoff + i * sizeof(Elf64_Phdr);
		uint64_t offset = le64(data, size, ph + offsetof(Elf64_Phdr, p_offset));
		uint64_t vaddr = le64(data, size, ph + offsetof(Elf64_Phdr, p_vaddr));
		uint64_t filesz = le64(data, size, ph + offsetof(Elf64_Phdr, p_filesz));
		uint64_t memsz = le64(data, size, ph + offsetof(Elf64_Phdr, p_memsz));

		if (ph < phoff || ph > size)
			break;
		probe_offset(s, offset);
		probe_offset(s, offset + filesz - 1);
		probe_offset(s, offset + filesz);
		probe(s, vaddr);
		probe(s, vaddr - 1);
		probe(s, vaddr + filesz - 1);
		probe(s, vaddr + filesz);
		probe(s, vaddr + memsz);
	}
}

static int
write_all(int fd, const uint8_t *data, size_t size)
{
	if (ftruncate(fd, 0) < 0)
		return -1;
	for (size_t done = 0; done < size;) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);

		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t fixed[] = {
		0, 1, 0x1000, 0x400000, INT64_MAX, (uint64_t)INT64_MAX + 1,
		UINT64_MAX - 1, UINT64_MAX,
	};
	struct pw_elf_symbols *s, *from;
	const unsigned char *id = NULL;
	size_t id_len;
	unsigned sum = 0;
	uint64_t eh;

	/* One memfd for the whole run, emptied for each input: no file system. */
	if (cur_fd < 0)
		cur_fd = memfd_create("fuzz_elf", MFD_CLOEXEC);
	if (cur_fd < 0 || write_all(cur_fd, data, size) < 0) {
		perror("fuzz_elf: memfd");
		abort();
	}
	s = pw_elf_symbols_load(cur_fd);
	if (!s)
		return 0;

	id_len = pw_elf_symbols_build_id(s, &id);
	if (id_len > 64)
		fail("build ID longer than its buffer", id_len);
	for (size_t i = 0; i < id_len; i++)
		sum += id[i];	/* each byte read: ASan checks them */
	(void)sum;
	(void)pw_elf_symbols_full(s);
	(void)pw_elf_symbols_eh_frame_hdr(s, &eh);
	for (size_t i = 0; i < PW_ARRAY_SIZE(fixed); i++) {
		probe(s, fixed[i]);
		probe_offset(s, fixed[i]);
	}
	probe_offset(s, size - 1);
	probe_offset(s, size);
	probe_segments(s, data, size);
	/* Every 64th byte of the file, for inputs where the segments lie. */
	for (uint64_t off = 0; off < size; off += 64)
		probe_offset(s, off);
	/*
	 * As when a debug file is found: another table's symbols taken over
	 * (here the same file's, read again), then looked up through the
	 * first one's segments.
	 */
	if ((from = pw_elf_symbols_load(cur_fd)))
		pw_elf_symbols_adopt(s, from);
	probe_segments(s, data, size);
	pw_elf_symbols_free(s);
	return 0;
}
