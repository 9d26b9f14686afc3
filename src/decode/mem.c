/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the tracee's memory through struct pw_mem: exact-length reads
 * for structures and NUL-terminated strings of unknown length.  Strings are
 * read one page-bounded chunk at a time: a read that spans an unmapped page
 * fails (or comes back short) even when the NUL lies before that page, so
 * never asking past a page boundary is what lets a string that ends right
 * before an unmapped page be read whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/decode.h"
#include "mem_internal.h"

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

static int
fail_string(struct pw_bytes *out, char *buf, int err)
{
	free(buf);
	out->data = NULL;
	out->len = 0;
	out->err = err;
	return -err;
}

/* Makes room for at least need bytes; 0 or -ENOMEM. */
static int
grow(char **buf, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : 256;
	char *nbuf;

	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap == *cap)
		return 0;
	nbuf = realloc(*buf, ncap);
	if (!nbuf)
		return -ENOMEM;
	*buf = nbuf;
	*cap = ncap;
	return 0;
}

/*
 * The string is buf[0..len): NUL-terminate it and hand it to out.  The
 * buffer grew by whole pages; shrink it, since an exec event may hold tens
 * of thousands of short argv strings.
 */
static int
finish_string(struct pw_bytes *out, char *buf, size_t len, int rc)
{
	char *small;

	buf[len] = '\0';
	small = realloc(buf, len + 1);
	if (small)
		buf = small;
	out->data = buf;
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
	size_t len = 0, cap = 0;
	char *buf = NULL;

	while (len < want) {
		size_t chunk = pw_mem_page_left(addr + len);
		ssize_t n;
		char *nul;

		if (chunk > want - len)
			chunk = want - len;
		if (grow(&buf, &cap, len + chunk + 1) < 0)
			return fail_string(out, buf, ENOMEM);
		n = mem->read(mem, addr + len, buf + len, chunk);
		/*
		 * Unreadable before the NUL: the kernel's strncpy_from_user
		 * would fail the syscall with EFAULT the same way.
		 */
		if (n <= 0)
			return fail_string(out, buf, n < 0 ? (int)-n : EFAULT);
		if ((size_t)n > chunk)
			n = (ssize_t)chunk;	/* a read() that overran */
		nul = memchr(buf + len, '\0', (size_t)n);
		if (nul)
			return finish_string(out, buf, (size_t)(nul - buf), 0);
		len += (size_t)n;
	}
	return finish_string(out, buf, max, 1);
}
