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
 * The string being read: in head, on the stack, while it fits (most
 * arguments do, and then get a heap copy of their exact size), then in a
 * heap buffer that grows.
 */
struct str_buf {
	char *data;
	size_t cap;
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
	size_t ncap = sb->cap;
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
 * The string is sb->data[0..len): NUL-terminate it and hand it to out in
 * a buffer of its size, since an exec event may hold tens of thousands of
 * short argv strings.
 */
static int
finish_string(struct pw_bytes *out, struct str_buf *sb, size_t len, int rc)
{
	char *exact;

	sb->data[len] = '\0';
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

/*
 * want is max + 1: one byte past the cap tells a string of exactly max
 * bytes (NUL found) from a longer one (cut, returns 1).
 */
int
pw_mem_read_string(struct pw_mem *mem, uint64_t addr, size_t max,
		   struct pw_bytes *out)
{
	size_t want = max == SIZE_MAX ? max : max + 1;
	size_t len = 0, step = PW_STRING_CHUNK_MIN;
	struct str_buf sb;

	sb.data = sb.head;
	sb.cap = sizeof(sb.head);
	while (len < want) {
		size_t chunk = pw_mem_page_left(addr + len);
		ssize_t n;
		char *nul;

		if (chunk > step)
			chunk = step;
		step *= 2;
		if (chunk > want - len)
			chunk = want - len;
		if (grow(&sb, len + chunk + 1) < 0)
			return fail_string(out, &sb, ENOMEM);
		n = mem->read(mem, addr + len, sb.data + len, chunk);
		/*
		 * Unreadable before the NUL: the kernel's strncpy_from_user
		 * would fail the syscall with EFAULT the same way.
		 */
		if (n <= 0)
			return fail_string(out, &sb, n < 0 ? (int)-n : EFAULT);
		if ((size_t)n > chunk)
			n = (ssize_t)chunk;	/* a read() that overran */
		nul = memchr(sb.data + len, '\0', (size_t)n);
		if (nul)
			return finish_string(out, &sb, (size_t)(nul - sb.data), 0);
		len += (size_t)n;
	}
	return finish_string(out, &sb, max, 1);
}
