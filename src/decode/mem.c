/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the tracee's memory through struct pw_mem: exact-length reads
 * for structures and NUL-terminated strings of unknown length.  Strings are
 * read one page-bounded chunk at a time: a read that spans an unmapped page
 * fails (or comes back short) even when the NUL lies before that page, so
 * never asking past a page boundary is what lets a string that ends right
 * before an unmapped page be read whole.  The first chunk is small and each
 * next one twice as big: most arguments are a few bytes long, and a chunk
 * copied past the NUL is wasted (the tracer's reads come from its page
 * cache, so a chunk costs a copy, not a system call).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/decode.h"
#include "mem_internal.h"

#define PW_STRING_CHUNK_MIN 64	/* bytes: the first read of a string */

/* Bytes from addr to the end of its page. */
size_t
pw_mem_page_left(uint64_t addr)
{
	return PW_PAGE_SIZE - (size_t)(addr & (PW_PAGE_SIZE - 1));
}

int
pw_mem_read_exact(struct pw_mem *mem, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	if (addr + len < addr)
		return -EFAULT;
	while (done < len) {
		ssize_t n = mem->read(mem, addr + done, (char *)buf + done,
				      len - done);

		if (n < 0)
			return done ? -EFAULT : (int)n;
		if (n == 0)
			return -EFAULT;	/* no progress: treat as a hole */
		done += (size_t)n;
	}
	return 0;
}

/*
 * The string being read, from at on in data: in head, on the stack, while
 * it fits (most arguments do, and then get a heap copy of their exact
 * size), then in a heap buffer that grows; or at the end of a pool's
 * block (pw_mem_pool_string), which grows the same way.
 */
struct str_buf {
	char *data;
	size_t cap;
	size_t at;
	char head[PW_STRING_CHUNK_MIN + 1];
};

static int
fail_string(struct pw_bytes *out, struct str_buf *sb, int err)
{
	if (sb->data != sb->head)
		free(sb->data);
	out->data = NULL;
	out->len = 0;
	out->err = err;
	return -err;
}

/* Makes room for at least need bytes; 0 or -ENOMEM. */
static int
grow(struct str_buf *sb, size_t need)
{
	size_t ncap = sb->cap ? sb->cap : PW_PAGE_SIZE;
	char *nbuf;

	if (need <= sb->cap)
		return 0;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (sb->data == sb->head) {
		nbuf = malloc(ncap);
		if (nbuf)
			memcpy(nbuf, sb->head, sb->cap);
	} else {
		nbuf = realloc(sb->data, ncap);
	}
	if (!nbuf)
		return -ENOMEM;
	sb->data = nbuf;
	sb->cap = ncap;
	return 0;
}

/*
 * The first NUL of n bytes at s.  Most arguments are a few bytes long: a
 * word at a time (a word has a zero byte when subtracting 1 from each
 * byte borrows into a top bit that was clear; x86-64 is little-endian, so
 * the lowest such byte comes first) finds their NUL sooner than a call to
 * memchr, used past the first 64 bytes.
 */
static const char *
find_nul(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, tops = 0x8080808080808080ull;
	size_t i = 0, head = n < 64 ? n : 64;
	uint64_t v;

	for (; i + 8 <= head; i += 8) {
		memcpy(&v, s + i, 8);
		v = (v - ones) & ~v & tops;
		/* The lowest byte flagged is a zero (a borrow only flags above one). */
		if (v)
			return s + i + (size_t)__builtin_ctzll(v) / 8;
	}
	for (; i < head; i++)
		if (s[i] == '\0')
			return s + i;
	return n > head ? memchr(s + head, '\0', n - head) : NULL;
}

/*
 * Copies the next piece of a string, at addr, into sb at off: at most
 * chunk bytes through read(), or, where mem->map holds the page, the
 * bytes up to the NUL or the page's end, at most max.  How many, *nul
 * saying whether a NUL ends them; or -errno.
 */
static ssize_t
copy_piece(struct pw_mem *mem, uint64_t addr, size_t max, size_t chunk,
	   struct str_buf *sb, size_t off, bool *nul)
{
	const char *src, *end;
	size_t avail;
	ssize_t n;

	if (mem->map && (src = mem->map(mem, addr, &avail))) {
		if (avail > max)
			avail = max;
		end = find_nul(src, avail);
		if ((*nul = end != NULL))
			avail = (size_t)(end - src) + 1;
		if (grow(sb, off + avail + 1) < 0)
			return -ENOMEM;
		memcpy(sb->data + off, src, avail);
		return (ssize_t)avail;
	}
	if (grow(sb, off + chunk + 1) < 0)
		return -ENOMEM;
	n = mem->read(mem, addr, sb->data + off, chunk);
	/*
	 * Unreadable before the NUL: the kernel's strncpy_from_user would
	 * fail the syscall with EFAULT the same way.
	 */
	if (n <= 0)
		return n < 0 ? n : -EFAULT;
	if ((size_t)n > chunk)
		n = (ssize_t)chunk;	/* a read() that overran */
	end = find_nul(sb->data + off, (size_t)n);
	if ((*nul = end != NULL))
		n = end - (sb->data + off) + 1;
	return n;
}

/*
 * The string at addr, into sb->data from sb->at on, NUL-terminated; its
 * length in *len.  want is max + 1: one byte past the cap tells a string
 * of exactly max bytes (NUL found, 0) from a longer one (cut, 1).  -errno
 * when it cannot be read whole.
 */
static int
read_into(struct pw_mem *mem, uint64_t addr, size_t max, struct str_buf *sb, size_t *len)
{
	size_t want = max == SIZE_MAX ? max : max + 1;
	size_t step = PW_STRING_CHUNK_MIN;

	for (*len = 0; *len < want;) {
		size_t chunk = pw_mem_page_left(addr + *len);
		ssize_t n;
		bool nul;

		if (chunk > step)
			chunk = step;
		step *= 2;
		if (chunk > want - *len)
			chunk = want - *len;
		n = copy_piece(mem, addr + *len, want - *len, chunk, sb, sb->at + *len, &nul);
		if (n < 0)
			return (int)n;
		if (nul) {
			*len += (size_t)n - 1;
			return 0;
		}
		*len += (size_t)n;
	}
	*len = max;
	sb->data[sb->at + max] = '\0';
	return 1;
}

/*
 * The string is sb->data[0..len): hand it to out in a buffer of its size,
 * since an exec event may hold tens of thousands of short strings.
 */
static int
finish_string(struct pw_bytes *out, struct str_buf *sb, size_t len, int rc)
{
	char *exact;

	if (sb->data == sb->head) {
		exact = malloc(len + 1);
		if (!exact)
			return fail_string(out, sb, ENOMEM);
		memcpy(exact, sb->head, len + 1);
	} else {
		exact = realloc(sb->data, len + 1);
		if (!exact)
			exact = sb->data;
	}
	out->data = exact;
	out->len = len;
	out->err = 0;
	return rc;
}

int
pw_mem_read_string(struct pw_mem *mem, uint64_t addr, size_t max,
		   struct pw_bytes *out)
{
	struct str_buf sb = { .data = sb.head, .cap = sizeof(sb.head) };
	size_t len;
	int rc = read_into(mem, addr, max, &sb, &len);

	if (rc < 0)
		return fail_string(out, &sb, -rc);
	return finish_string(out, &sb, len, rc);
}

/* The string at ahead_addr found among the bytes copied ahead: *len set. */
static bool
pool_from_ahead(uint64_t addr, size_t max, struct pw_str_pool *pool, size_t *len)
{
	const char *nul;

	if (!pool->ahead || addr != pool->ahead_addr)
		return false;
	nul = find_nul(pool->data + pool->len, pool->ahead);
	if (!nul || (size_t)(nul - (pool->data + pool->len)) > max)
		return false;
	*len = (size_t)(nul - (pool->data + pool->len));
	return true;
}

/*
 * The string at addr when it ends in the page mem->map holds, at most max
 * bytes: copied with the bytes after it, up to pool->window of them (twice
 * as many each time the strings run on end to end, up to the page's end).
 */
static bool
pool_from_map(struct pw_mem *mem, uint64_t addr, size_t max, struct pw_str_pool *pool,
	      size_t *len)
{
	struct str_buf sb = { .data = pool->data, .cap = pool->cap };
	const char *src, *nul;
	size_t avail, copy;

	if (addr != pool->ahead_addr || !pool->window)
		pool->window = PW_STRING_CHUNK_MIN;
	else if (pool->window < PW_PAGE_SIZE)
		pool->window *= 2;
	if (!mem->map || !(src = mem->map(mem, addr, &avail)))
		return false;
	nul = find_nul(src, avail);
	if (!nul || (size_t)(nul - src) > max)
		return false;
	*len = (size_t)(nul - src);
	copy = *len + 1 + pool->window < avail ? *len + 1 + pool->window : avail;
	if (grow(&sb, pool->len + copy) < 0)
		return false;
	memcpy(sb.data + pool->len, src, copy);
	pool->data = sb.data;
	pool->cap = sb.cap;
	pool->ahead = copy;
	return true;
}

int
pw_mem_pool_string(struct pw_mem *mem, uint64_t addr, size_t max,
		   struct pw_str_pool *pool, size_t *len)
{
	struct str_buf sb;
	int rc;

	if (pool_from_ahead(addr, max, pool, len) || pool_from_map(mem, addr, max, pool, len)) {
		/* The string and its NUL are the pool's; what follows stays ahead. */
		pool->len += *len + 1;
		pool->ahead -= *len + 1;
		pool->ahead_addr = addr + *len + 1;
		return 0;
	}
	pool->ahead = 0;
	sb = (struct str_buf){ .data = pool->data, .cap = pool->cap, .at = pool->len };
	rc = read_into(mem, addr, max, &sb, len);
	pool->data = sb.data;
	pool->cap = sb.cap;
	if (rc >= 0)
		pool->len += *len + 1;
	return rc;
}
