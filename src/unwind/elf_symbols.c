/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Function symbols of one ELF object file, read once and kept sorted, so
 * that naming a frame is a binary search.  (libunwind can name frames too,
 * but its _UPT_get_proc_name re-reads /proc/PID/maps and re-maps the whole
 * file on every call, and takes the nearest preceding symbol even when the
 * address lies past its end: in a stripped program that names frames
 * after whatever exported function happens to come before them.)
 *
 * The file is untrusted input: a program can map anything.  Every offset
 * and size is checked against the file before use.  The parts needed are
 * read with pread into buffers of their own, never mapped: a mapped file
 * that another process truncates meanwhile (cp over a library in a build)
 * raises SIGBUS on access, which would kill procwatch and, through
 * PTRACE_O_EXITKILL, everything it traces.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unwind_internal.h"

#define MAX_SEGMENTS 16
#define MAX_BUILD_ID 64
#define NESTED_LOOKBACK 8	/* symbols looked back at for one that encloses */
#define MAX_PIECES 64		/* parts of a file read for one load */
#define MAX_PIECE (256u << 20)	/* bytes in one part: a huge symbol table, or damage */
#define MAX_NOTES (64u << 10)	/* bytes in a PT_NOTE segment looked through */

struct segment {
	uint64_t offset, vaddr, filesz;
};

struct symbol {
	uint64_t start, size;
	uint32_t name;		/* offset into names */
	uint32_t rank;		/* lower is the better name for an address */
};

struct pw_elf_symbols {
	struct segment segs[MAX_SEGMENTS];
	size_t nsegs;
	unsigned char build_id[MAX_BUILD_ID];
	size_t build_id_len;
	uint64_t eh_frame_hdr;	/* PT_GNU_EH_FRAME's address; 0: none */
	bool full;		/* from .symtab, not only .dynsym */
	struct symbol *syms;
	size_t nsyms;
	char *names;
};

/* The file being read, and the parts of it read so far (freed at the end). */
struct image {
	int fd;
	uint64_t size;
	void *pieces[MAX_PIECES];
	size_t npieces;
};

/* Reads len bytes at off whole, retrying short reads; false if it cannot. */
static bool
read_fully(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;	/* an error, or the file shrank under us */
		done += (size_t)n;
	}
	return true;
}

/*
 * len bytes at off, read into a buffer kept until the load ends; NULL if
 * they are not all in the file (as it was, or as it is now).  A fresh
 * malloc'd buffer is aligned for any ELF structure.
 */
static const void *
image_at(struct image *im, uint64_t off, uint64_t len)
{
	void *buf;

	if (off > im->size || len > im->size - off || len > MAX_PIECE ||
	    im->npieces == MAX_PIECES)
		return NULL;
	if (!(buf = malloc(len ? (size_t)len : 1)))
		return NULL;
	if (!read_fully(im->fd, buf, (size_t)len, off)) {
		free(buf);
		return NULL;
	}
	im->pieces[im->npieces++] = buf;
	return buf;
}

/*
 * A table of len bytes of structs at off, or NULL if it is not all in the
 * file or is not aligned for them.  The ELF specification aligns every
 * header and symbol table; a misaligned one is damage.
 */
static const void *
table_at(struct image *im, uint64_t off, uint64_t len, size_t align)
{
	return off % align ? NULL : image_at(im, off, len);
}

static const Elf64_Ehdr *
read_header(struct image *im)
{
	const Elf64_Ehdr *eh = image_at(im, 0, sizeof(*eh));

	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return NULL;
	return eh;
}

/* The GNU build ID among the notes of a PT_NOTE segment, if there. */
static void
read_build_id(struct image *im, const Elf64_Phdr *ph, struct pw_elf_symbols *s)
{
	const unsigned char *p = ph->p_filesz <= MAX_NOTES ?
		image_at(im, ph->p_offset, ph->p_filesz) : NULL;
	uint64_t at = 0;

	while (p && ph->p_filesz - at >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t name_len, desc_len;

		memcpy(&nh, p + at, sizeof(nh));
		at += sizeof(nh);
		name_len = ((uint64_t)nh.n_namesz + 3) & ~3ULL;
		desc_len = ((uint64_t)nh.n_descsz + 3) & ~3ULL;
		if (name_len > ph->p_filesz - at || desc_len > ph->p_filesz - at - name_len)
			return;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp(p + at, "GNU", 4) && nh.n_descsz <= MAX_BUILD_ID) {
			memcpy(s->build_id, p + at + name_len, nh.n_descsz);
			s->build_id_len = nh.n_descsz;
			return;
		}
		at += name_len + desc_len;
	}
}

static void
read_segments(struct image *im, const Elf64_Ehdr *eh, struct pw_elf_symbols *s)
{
	const Elf64_Phdr *ph;

	if (eh->e_phentsize != sizeof(*ph))
		return;
	ph = table_at(im, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(*ph),
		      _Alignof(Elf64_Phdr));
	for (size_t i = 0; ph && i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && s->nsegs < MAX_SEGMENTS)
			s->segs[s->nsegs++] = (struct segment){
				ph[i].p_offset, ph[i].p_vaddr, ph[i].p_filesz };
		else if (ph[i].p_type == PT_NOTE && !s->build_id_len)
			read_build_id(im, &ph[i], s);
		else if (ph[i].p_type == PT_GNU_EH_FRAME)
			s->eh_frame_hdr = ph[i].p_vaddr;
	}
}

/*
 * Among aliases (fork, __fork and __libc_fork share an address), the name
 * a program calls: fewest leading underscores, then global before weak
 * before local, then the shortest (__clone_internal, not glibc's hidden
 * alias __GI___clone_internal).
 */
static uint32_t
rank_of(const char *name, size_t len, unsigned char bind)
{
	uint32_t underscores = (uint32_t)strspn(name, "_");
	uint32_t b = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;

	if (underscores > 255)
		underscores = 255;
	return (underscores * 4 + b) << 16 | (uint32_t)(len < 0xffff ? len : 0xffff);
}

/*
 * A name's length without a symbol version: a debug file's .symtab says
 * "posix_spawn@@GLIBC_2.15" where .dynsym keeps the version apart.
 */
static size_t
name_len(const char *name)
{
	size_t len = strcspn(name, "@");

	return len ? len : strlen(name);
}

static bool
is_function(const Elf64_Sym *sym)
{
	unsigned char type = ELF64_ST_TYPE(sym->st_info);

	return (type == STT_FUNC || type == STT_GNU_IFUNC) &&
	       sym->st_shndx != SHN_UNDEF && sym->st_value != 0;
}

/* The symbol table to use: .symtab when not stripped, else .dynsym. */
static const Elf64_Shdr *
find_symtab(struct image *im, const Elf64_Ehdr *eh, const Elf64_Shdr **strtab)
{
	const Elf64_Shdr *sh, *best = NULL;

	if (eh->e_shentsize != sizeof(*sh))
		return NULL;
	sh = table_at(im, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(*sh),
		      _Alignof(Elf64_Shdr));
	for (size_t i = 0; sh && i < eh->e_shnum; i++) {
		if (sh[i].sh_type == SHT_SYMTAB ||
		    (sh[i].sh_type == SHT_DYNSYM && !best))
			best = &sh[i];
	}
	if (!best || best->sh_link >= eh->e_shnum ||
	    best->sh_entsize != sizeof(Elf64_Sym))
		return NULL;
	*strtab = &sh[best->sh_link];
	return best;
}

static int
by_start_then_rank(const void *a, const void *b)
{
	const struct symbol *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

/* Keeps the best-ranked symbol at each address (the first after sorting). */
static void
drop_aliases(struct pw_elf_symbols *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nsyms; i++)
		if (n == 0 || s->syms[n - 1].start != s->syms[i].start)
			s->syms[n++] = s->syms[i];
	s->nsyms = n;
}

static const char *
function_name(const Elf64_Sym *sym, const char *str, uint64_t str_size)
{
	if (!is_function(sym) || sym->st_name >= str_size || !str[sym->st_name])
		return NULL;
	return str + sym->st_name;	/* NUL-terminated: the table's last byte is */
}

/*
 * Copies the function symbols and their names out of the image.  Names
 * are measured first: a string table shares tails ("fork" inside
 * "__libc_fork"), so the copies can be longer than the table.
 */
static int
read_symbols(struct image *im, const Elf64_Ehdr *eh, struct pw_elf_symbols *s)
{
	const Elf64_Shdr *strsec, *symsec = find_symtab(im, eh, &strsec);
	const Elf64_Sym *sym;
	const char *str, *name;
	size_t n, names_len = 0;

	if (!symsec)
		return 0;
	n = symsec->sh_size / sizeof(*sym);
	sym = table_at(im, symsec->sh_offset, n * sizeof(*sym), _Alignof(Elf64_Sym));
	str = image_at(im, strsec->sh_offset, strsec->sh_size);
	if (!sym || !str || strsec->sh_size == 0 || str[strsec->sh_size - 1] != '\0')
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((name = function_name(&sym[i], str, strsec->sh_size)))
			names_len += name_len(name) + 1;
	if (names_len > UINT32_MAX)
		return 0;
	s->syms = malloc((n ? n : 1) * sizeof(*s->syms));
	s->names = malloc(names_len ? names_len : 1);
	if (!s->syms || !s->names)
		return -ENOMEM;
	names_len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len;

		if (!(name = function_name(&sym[i], str, strsec->sh_size)))
			continue;
		len = name_len(name);
		memcpy(s->names + names_len, name, len);
		s->names[names_len + len] = '\0';
		s->syms[s->nsyms++] = (struct symbol){
			sym[i].st_value, sym[i].st_size, (uint32_t)names_len,
			rank_of(name, len, ELF64_ST_BIND(sym[i].st_info)) };
		names_len += len + 1;
	}
	qsort(s->syms, s->nsyms, sizeof(*s->syms), by_start_then_rank);
	drop_aliases(s);
	/*
	 * Only a .symtab actually read, with functions in it, counts: a
	 * damaged or empty one lets a debug file in.
	 */
	s->full = symsec->sh_type == SHT_SYMTAB && s->nsyms > 0;
	return 0;
}

struct pw_elf_symbols *
pw_elf_symbols_load(int fd)
{
	struct pw_elf_symbols *s = NULL;
	struct image im = { .fd = fd };
	const Elf64_Ehdr *eh;
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return NULL;
	im.size = (uint64_t)st.st_size;
	eh = read_header(&im);
	if (eh && (s = calloc(1, sizeof(*s)))) {
		read_segments(&im, eh, s);
		if (read_symbols(&im, eh, s) < 0) {
			pw_elf_symbols_free(s);
			s = NULL;
		}
	}
	for (size_t i = 0; i < im.npieces; i++)
		free(im.pieces[i]);
	return s;
}

void
pw_elf_symbols_free(struct pw_elf_symbols *s)
{
	if (!s)
		return;
	free(s->syms);
	free(s->names);
	free(s);
}

size_t
pw_elf_symbols_build_id(const struct pw_elf_symbols *s, const unsigned char **id)
{
	*id = s->build_id;
	return s->build_id_len;
}

bool
pw_elf_symbols_eh_frame_hdr(const struct pw_elf_symbols *s, uint64_t *vaddr)
{
	*vaddr = s->eh_frame_hdr;
	return s->eh_frame_hdr != 0;
}

bool
pw_elf_symbols_full(const struct pw_elf_symbols *s)
{
	return s->full;
}

void
pw_elf_symbols_adopt(struct pw_elf_symbols *s, struct pw_elf_symbols *from)
{
	free(s->syms);
	free(s->names);
	s->syms = from->syms;
	s->nsyms = from->nsyms;
	s->names = from->names;
	s->full = from->full;
	from->syms = NULL;
	from->names = NULL;
	from->nsyms = 0;
	pw_elf_symbols_free(from);
}

bool
pw_elf_symbols_vaddr(const struct pw_elf_symbols *s, uint64_t file_off, uint64_t *vaddr)
{
	for (size_t i = 0; i < s->nsegs; i++) {
		const struct segment *seg = &s->segs[i];

		if (file_off >= seg->offset && file_off - seg->offset < seg->filesz) {
			*vaddr = seg->vaddr + (file_off - seg->offset);
			return true;
		}
	}
	return false;
}

const char *
pw_elf_symbols_lookup(const struct pw_elf_symbols *s, uint64_t vaddr, uint64_t *start)
{
	size_t lo = 0, hi = s->nsyms;
	const struct symbol *sym;

	/* The last symbol starting at or before vaddr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->syms[mid].start <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/*
	 * Past its end, the symbol may still sit inside a bigger one that
	 * covers vaddr (a local symbol inside a function): look back a few.
	 * None covering it: code no symbol names (a stripped static function).
	 */
	for (size_t k = lo; k > 0 && lo - k < NESTED_LOOKBACK; k--) {
		sym = &s->syms[k - 1];
		if (vaddr - sym->start < (sym->size ? sym->size : 1)) {
			*start = sym->start;
			return s->names + sym->name;
		}
	}
	return NULL;
}
