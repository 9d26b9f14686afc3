/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * execve/execveat at syscall entry: the path, argv and (with --env) envp
 * copied out of the tracee while its old image still exists.  Tracee data
 * is never trusted: unreadable pointers become per-element errors, and the
 * count and total size of each vector are capped by struct pw_exec_limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/decode.h"
#include "mem_internal.h"

#define PW_ARGV_CHUNK 64	/* pointers fetched per read() */

/* Where a vector (argv or envp) goes. */
struct vec_out {
	struct pw_bytes **v;
	size_t *n;
	bool *truncated;
	int *err;		/* positive errno: the array itself was unreadable */
};

struct argv_reader {
	struct pw_mem *mem;
	struct pw_exec_limits lim;
	struct vec_out out;
	size_t cap;		/* elements allocated in *out.v */
	size_t bytes;		/* sum of the lengths read so far */
	bool done;
	/* An exec's argv: the strings go into one block (pool_bind); else one each. */
	struct pw_str_pool *pool;
};

/*
 * Fetches up to max pointers at addr without crossing a page boundary, so
 * the NULL ending an array that ends just before an unmapped page is seen.
 * Returns how many, or -errno.  A pointer straddling a boundary needs both
 * pages anyway, so it is read across.
 */
static ssize_t
read_ptrs(struct pw_mem *mem, uint64_t addr, uint64_t *ptrs, size_t max)
{
	size_t len = pw_mem_page_left(addr) & ~(size_t)7;
	ssize_t n;

	if (len == 0)
		len = sizeof(uint64_t);
	if (len > max * sizeof(uint64_t))
		len = max * sizeof(uint64_t);
	n = mem->read(mem, addr, ptrs, len);
	if (n < 0)
		return n;
	if ((size_t)n < sizeof(uint64_t))
		return -EFAULT;
	if ((size_t)n > len)
		n = (ssize_t)len;
	return n / (ssize_t)sizeof(uint64_t);
}

/*
 * Room for n elements at once, when their number is known: one allocation
 * instead of a doubling series.  A hint: out of memory, reserve_one
 * says so later.
 */
static void
reserve(struct argv_reader *r, size_t n)
{
	struct pw_bytes *nv;

	if (n > r->lim.max_args)
		n = r->lim.max_args;
	if (n <= r->cap || !(nv = realloc(*r->out.v, n * sizeof(*nv))))
		return;
	*r->out.v = nv;
	r->cap = n;
}

/* Room for one more element; false (and the error) when out of memory. */
static bool
reserve_one(struct argv_reader *r)
{
	struct vec_out *out = &r->out;
	size_t ncap;
	struct pw_bytes *nv;

	if (*out->n < r->cap)
		return true;
	ncap = r->cap ? r->cap * 2 : 16;
	nv = realloc(*out->v, ncap * sizeof(*nv));
	if (!nv) {
		*out->err = ENOMEM;
		return false;
	}
	*out->v = nv;
	r->cap = ncap;
	return true;
}

/* The string at ptr, into el: a buffer of its own, or the end of the pool. */
static int
read_arg(struct argv_reader *r, uint64_t ptr, size_t max, struct pw_bytes *el)
{
	int rc;

	if (!r->pool)
		return pw_mem_read_string(r->mem, ptr, max, el);
	rc = pw_mem_pool_string(r->mem, ptr, max, r->pool, &el->len);
	if (rc < 0) {
		el->len = 0;
		el->err = -rc;
	}
	return rc;
}

/*
 * One element at ptr.  An unreadable string is kept as an element with
 * data NULL and err set (the kernel would fail the exec with EFAULT);
 * reaching a limit sets truncated and ends the walk.
 */
static void
add_arg(struct argv_reader *r, uint64_t ptr)
{
	struct vec_out *out = &r->out;
	struct pw_bytes el = { 0 };
	int rc;

	if (*out->n >= r->lim.max_args) {
		*out->truncated = true;
		r->done = true;
		return;
	}
	if (!reserve_one(r)) {
		r->done = true;
		return;
	}
	rc = read_arg(r, ptr, r->lim.max_bytes - r->bytes, &el);
	if (rc == 1) {
		*out->truncated = true;
		r->done = true;
		if (el.len == 0) {
			if (r->pool)
				r->pool->len--;		/* its NUL */
			pw_bytes_clear(&el);
			return;
		}
	}
	(*out->v)[(*out->n)++] = el;
	r->bytes += el.len;
}

/*
 * fs/exec.c: a NULL argv or envp counts as an empty one (count() returns
 * 0; since Linux 5.18 the kernel adds an empty argv[0], not an envp entry).
 */
static void
read_vector(struct argv_reader *r, uint64_t addr)
{
	uint64_t ptrs[PW_ARGV_CHUNK];

	while (addr && !r->done) {
		ssize_t n = read_ptrs(r->mem, addr, ptrs, PW_ARGV_CHUNK);

		if (n < 0) {
			*r->out.err = (int)-n;
			return;
		}
		for (ssize_t i = 0; i < n && !r->done; i++) {
			if (ptrs[i] == 0)
				return;
			add_arg(r, ptrs[i]);
		}
		addr += (uint64_t)n * sizeof(uint64_t);
	}
}

/*
 * The strings of out's argv, end to end in pool in the order of the
 * elements (each readable one's bytes and NUL), become out's block: the
 * elements point into it now that it no longer moves.
 */
static void
pool_bind(struct pw_exec *out, struct pw_str_pool *pool)
{
	char *exact = pool->len ? realloc(pool->data, pool->len) : NULL;
	size_t off = 0;

	if (!pool->len)
		free(pool->data);
	else if (!exact)
		exact = pool->data;	/* keeps the slack */
	for (size_t i = 0; i < out->argc; i++) {
		if (out->argv[i].err)
			continue;
		out->argv[i].data = exact + off;
		off += out->argv[i].len + 1;
	}
	out->argv_strings = exact;
}

/*
 * A pool whose block starts with the bytes of out's argv[0], which alone
 * stays (then pool_bind), however it was held.
 */
static void
pool_seed(struct pw_str_pool *pool, struct pw_exec *out)
{
	struct pw_bytes *a0 = &out->argv[0];

	if (!a0->err && (pool->data = malloc(a0->len + 1))) {
		memcpy(pool->data, a0->data, a0->len + 1);
		pool->len = pool->cap = a0->len + 1;
	} else if (!a0->err) {
		a0->err = ENOMEM;
		a0->len = 0;
	}
	if (out->argv_strings)
		free(out->argv_strings);
	else
		for (size_t i = 0; i < out->argc; i++)
			free(out->argv[i].data);
	out->argv_strings = NULL;
	a0->data = NULL;
	out->argc = 1;
}

/* r reads into out's argv, its strings into pool (then pool_bind). */
static void
reader_for_argv(struct argv_reader *r, struct pw_exec *out, struct pw_str_pool *pool)
{
	r->out = (struct vec_out){ &out->argv, &out->argc, &out->argv_truncated,
				   &out->argv_err };
	r->pool = pool;
}

/*
 * fs/namei.c getname(): a NULL path faults; longer than PATH_MAX is
 * ENAMETOOLONG, so reading PATH_MAX bytes shows everything the kernel uses.
 */
static void
read_path(struct pw_mem *mem, uint64_t addr, struct pw_bytes *path)
{
	if (addr == 0) {
		path->err = EFAULT;
		return;
	}
	pw_mem_read_string(mem, addr, PATH_MAX, path);
}

static void
reader_init(struct argv_reader *r, struct pw_mem *mem, const struct pw_exec_limits *limits)
{
	*r = (struct argv_reader){ .mem = mem };
	if (limits) {
		r->lim = *limits;
	} else {
		r->lim.max_args = PW_EXEC_MAX_ARGS_DEFAULT;
		r->lim.max_bytes = PW_EXEC_MAX_BYTES_DEFAULT;
	}
}

/*
 * Which argument argv is: execve(path, argv, envp), execveat(dirfd, path,
 * argv, envp, flags); the path comes before it and envp after it.
 */
static int
argv_arg(const struct pw_syscall *sc)
{
	return pw_call_from_nr(sc->nr) == PW_CALL_EXECVEAT ? 2 : 1;
}

/* The path and the argv pointer of an execve or execveat, into out. */
static uint64_t
decode_call(const struct pw_syscall *sc, struct pw_mem *mem, struct pw_exec *out)
{
	int argv = argv_arg(sc);

	memset(out, 0, sizeof(*out));
	out->call = pw_call_from_nr(sc->nr);
	if (out->call == PW_CALL_EXECVEAT) {
		out->dirfd = (int)sc->args[0];
		out->at_flags = (int)sc->args[4];
	} else {
		/* fs/exec.c: execve is execveat(AT_FDCWD, ...) */
		out->dirfd = AT_FDCWD;
	}
	read_path(mem, sc->args[argv - 1], &out->path);
	return sc->args[argv];
}

static void
read_argv(struct pw_mem *mem, const struct pw_exec_limits *limits, uint64_t argv,
	  struct pw_exec *out)
{
	struct pw_str_pool pool = { 0 };
	struct argv_reader r;

	reader_init(&r, mem, limits);
	reader_for_argv(&r, out, &pool);
	read_vector(&r, argv);
	pool_bind(out, &pool);
}

void
pw_decode_exec_entry(const struct pw_syscall *sc, struct pw_mem *mem,
		     const struct pw_exec_limits *limits, struct pw_exec *out)
{
	read_argv(mem, limits, decode_call(sc, mem, out), out);
}

/*
 * The pointers of the array at addr before its NULL, counted up to max
 * (the count then is max + 1, more than asked); -errno when the array
 * cannot be read up to there.
 */
static ssize_t
count_vector(struct pw_mem *mem, uint64_t addr, size_t max)
{
	uint64_t ptrs[PW_ARGV_CHUNK];
	size_t count = 0;

	while (addr && count <= max) {
		ssize_t n = read_ptrs(mem, addr, ptrs, PW_ARGV_CHUNK);

		if (n < 0)
			return n;
		for (ssize_t i = 0; i < n; i++)
			if (ptrs[i] == 0 || ++count > max)
				return (ssize_t)count;
		addr += (uint64_t)n * sizeof(uint64_t);
	}
	return (ssize_t)count;
}

/*
 * argv[0] alone, read as read_vector reads it.  False when it is not
 * enough: a NULL or unreadable array, or argv[0] past the byte limit.
 */
static bool
read_argv0(struct pw_mem *mem, const struct pw_exec_limits *limits, uint64_t argv,
	   struct pw_exec *out)
{
	struct pw_str_pool pool = { 0 };
	struct argv_reader r;
	uint64_t ptr;

	reader_init(&r, mem, limits);
	if (read_ptrs(mem, argv, &ptr, 1) != 1 || ptr == 0)
		return false;
	reader_for_argv(&r, out, &pool);
	add_arg(&r, ptr);
	pool_bind(out, &pool);
	return out->argc == 1 && !out->argv_truncated;
}

size_t
pw_decode_exec_entry_head(const struct pw_syscall *sc, struct pw_mem *mem,
			  const struct pw_exec_limits *limits, struct pw_exec *out)
{
	uint64_t argv = decode_call(sc, mem, out);
	struct argv_reader r;
	ssize_t n;

	reader_init(&r, mem, limits);
	n = count_vector(mem, argv, r.lim.max_args);
	if (n > 0 && (size_t)n <= r.lim.max_args && read_argv0(mem, limits, argv, out))
		return (size_t)n;
	pw_exec_argv_clear(out);
	read_argv(mem, limits, argv, out);
	return 0;
}

void
pw_decode_exec_argv(const struct pw_syscall *sc, struct pw_mem *mem,
		    const struct pw_exec_limits *limits, struct pw_exec *out)
{
	pw_exec_argv_clear(out);
	read_argv(mem, limits, sc->args[argv_arg(sc)], out);
}

/*
 * fs/binfmt_script.c (load_script) and fs/binfmt_misc.c put the
 * interpreter, its argument and the path where argv[0] was: the path is
 * then element n - entry_argc of the new image's n.  Returns how many
 * elements stand for argv[0] (0: none, the image's argv[0] is its own).
 */
static size_t
interpreter_args(struct pw_mem *mem, uint64_t sp, uint64_t n, size_t entry_argc,
		 const struct pw_bytes *path)
{
	struct pw_bytes el = { 0 };
	uint64_t ptr, at = n - entry_argc;
	bool same;

	if (n <= entry_argc || !path->data || path->err ||
	    read_ptrs(mem, sp + (1 + at) * sizeof(uint64_t), &ptr, 1) != 1 || !ptr)
		return 0;
	same = pw_mem_read_string(mem, ptr, path->len, &el) == 0 && el.len == path->len &&
	       !memcmp(el.data, path->data, path->len);
	pw_bytes_clear(&el);
	return same ? (size_t)at + 1 : 0;
}

/* The kernel's bound on argc (fs/exec.c, count: MAX_ARG_STRINGS). */
#define PW_MAX_ARG_STRINGS 0x7fffffffu

int
pw_decode_exec_image(uint64_t sp, struct pw_mem *mem, const struct pw_exec_limits *limits,
		     size_t entry_argc, struct pw_exec *out)
{
	struct pw_str_pool pool = { 0 };
	struct argv_reader r;
	size_t skip, want;
	uint64_t n;

	if (mem->read(mem, sp, &n, sizeof(n)) < (ssize_t)sizeof(n))
		return -EFAULT;
	/* Not this layout (a 32-bit program's words are 4 bytes): unusable. */
	if (n > PW_MAX_ARG_STRINGS)
		return -EINVAL;
	skip = interpreter_args(mem, sp, n, entry_argc, &out->path);
	reader_init(&r, mem, limits);
	if (skip) {
		/* argv[0] stays the entry's, and counts against the limits. */
		pool_seed(&pool, out);
		r.cap = out->argc;
		r.bytes = out->argv[0].len;
	} else {
		pw_exec_argv_clear(out);
	}
	reader_for_argv(&r, out, &pool);
	/* As many as the entry counted, if nothing rewrote argv meanwhile. */
	reserve(&r, entry_argc);
	read_vector(&r, sp + (1 + skip) * sizeof(uint64_t));
	pool_bind(out, &pool);
	want = (size_t)n - (skip ? skip - 1 : 0);
	if (out->argv_err)
		return -out->argv_err;
	return out->argv_truncated || out->argc == want ? 0 : -EINVAL;
}

/* envp follows argv among the arguments (argv_arg). */
void
pw_decode_exec_env(const struct pw_syscall *sc, struct pw_mem *mem,
		   const struct pw_exec_limits *limits, struct pw_env *out)
{
	struct argv_reader r;

	pw_env_clear(out);
	reader_init(&r, mem, limits);
	r.out = (struct vec_out){ &out->set, &out->nset, &out->truncated, &out->err };
	out->recorded = true;
	out->whole = true;
	read_vector(&r, sc->args[argv_arg(sc) + 1]);
}
