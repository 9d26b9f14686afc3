/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the exec decoder (src/decode/exec.c): execve and execveat
 * registers, argv arrays that cross chunk and page boundaries or end right
 * before an unmapped page, NULL and unreadable argv, unreadable elements,
 * the count and byte limits, and argument bytes that are not text; and
 * envp (--env), read the same way from execve's and execveat's registers.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>

#include "pw_fake_mem.h"

#define NR_EXECVE 59
#define NR_EXECVEAT 322

#define BASE 0x200000u
#define SIZE (8 * FAKE_PAGE)
#define END (BASE + SIZE)
#define STRS (BASE + 4 * FAKE_PAGE)	/* strings go from here on */

FAKE_MEM_FIXTURE(BASE, SIZE)
static uint64_t next_str;

static void
setup(void)
{
	fake_mem_setup();
	next_str = STRS;
}

TestSuite(exec, .init = setup, .fini = fake_mem_teardown);

static uint64_t
put_str(const char *s)
{
	uint64_t at = next_str;

	next_str = fake_put_str(&fm, at, s);
	return at;
}

/* Writes an argv array of n strings plus its NULL at addr. */
static void
put_argv(uint64_t addr, const char *const *args, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fake_put_u64(&fm, addr + 8 * i, put_str(args[i]));
	fake_put_u64(&fm, addr + 8 * n, 0);
}

static struct pw_exec
decode(long nr, const uint64_t *args, const struct pw_exec_limits *lim)
{
	struct pw_syscall sc = { .nr = nr };
	struct pw_exec ex;

	memcpy(sc.args, args, sizeof(sc.args));
	memset(&ex, 0xa5, sizeof(ex));	/* the decoder must not keep garbage */
	pw_decode_exec_entry(&sc, &fm.mem, lim, &ex);
	return ex;
}

static void
clear(struct pw_exec *ex)
{
	struct pw_event ev = { .kind = PW_EV_EXEC };

	ev.u.exec = *ex;
	pw_event_clear(&ev);
	cr_assert_null(ev.u.exec.argv);
	cr_assert_null(ev.u.exec.path.data);
}

Test(exec, execve)
{
	const char *argv[] = { "echo", "hello world", "" };
	uint64_t args[6] = { put_str("/bin/echo"), BASE };
	struct pw_exec ex;

	put_argv(BASE, argv, 3);
	ex = decode(NR_EXECVE, args, NULL);
	cr_assert_eq(ex.call, PW_CALL_EXECVE);
	cr_assert_str_eq(ex.path.data, "/bin/echo");
	cr_assert_eq(ex.path.len, 9);
	cr_assert_eq(ex.argc, 3);
	cr_assert_str_eq(ex.argv[0].data, "echo");
	cr_assert_str_eq(ex.argv[1].data, "hello world");
	cr_assert_str_eq(ex.argv[2].data, "");
	cr_assert_eq(ex.argv[2].len, 0);
	cr_assert_not(ex.argv_truncated);
	cr_assert_eq(ex.argv_err, 0);
	cr_assert_eq(ex.dirfd, AT_FDCWD);
	cr_assert_eq(ex.at_flags, 0);
	cr_assert_eq(ex.result, 0);
	cr_assert_eq(ex.old_tid, 0);
	clear(&ex);
}

Test(exec, execveat)
{
	const char *argv[] = { "prog", "-x" };
	/* dirfd, path, argv, envp, flags; dirfd 3 with junk in the high half */
	uint64_t args[6] = { 0xffffffff00000003ULL, put_str(""), BASE, 0,
			     AT_EMPTY_PATH };
	struct pw_exec ex;

	put_argv(BASE, argv, 2);
	ex = decode(NR_EXECVEAT, args, NULL);
	cr_assert_eq(ex.call, PW_CALL_EXECVEAT);
	cr_assert_eq(ex.dirfd, 3);
	cr_assert_eq(ex.at_flags, AT_EMPTY_PATH);
	cr_assert_str_eq(ex.path.data, "");
	cr_assert_eq(ex.argc, 2);
	cr_assert_str_eq(ex.argv[1].data, "-x");
	clear(&ex);
	args[0] = (uint32_t)AT_FDCWD;
	args[1] = put_str("./rel");
	args[4] = AT_SYMLINK_NOFOLLOW;
	ex = decode(NR_EXECVEAT, args, NULL);
	cr_assert_eq(ex.dirfd, AT_FDCWD);
	cr_assert_eq(ex.at_flags, AT_SYMLINK_NOFOLLOW);
	cr_assert_str_eq(ex.path.data, "./rel");
	clear(&ex);
}

Test(exec, argv_across_chunks_and_pages)
{
	enum { N = 300 };	/* several 64-pointer chunks */
	char names[N][8];
	const char *argv[N];
	/* 2400 bytes of pointers from 40 bytes before a page boundary */
	uint64_t arr = BASE + FAKE_PAGE - 40;
	uint64_t args[6] = { put_str("/bin/x"), arr };
	struct pw_exec ex;

	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "a%d", i);
		argv[i] = names[i];
	}
	put_argv(arr, argv, N);
	fm.watch_lo = arr;
	fm.watch_hi = arr + 8 * (N + 1);
	ex = decode(NR_EXECVE, args, NULL);
	cr_assert_eq(ex.argc, N);
	for (int i = 0; i < N; i++)
		cr_assert_str_eq(ex.argv[i].data, names[i]);
	cr_assert_leq(fm.watch_reads, 8, "argv pointers read one by one (%zu)",
		      fm.watch_reads);
	cr_assert_not(fm.crossed_page);
	clear(&ex);
}

Test(exec, argv_ending_right_before_unmapped_page)
{
	const char *argv[] = { "a", "b" };
	uint64_t arr = END - 24;	/* two pointers and the NULL */
	uint64_t args[6] = { put_str("/bin/x"), arr };
	struct pw_exec ex;

	put_argv(arr, argv, 2);
	ex = decode(NR_EXECVE, args, NULL);
	cr_assert_eq(ex.argv_err, 0);
	cr_assert_eq(ex.argc, 2);
	cr_assert_str_eq(ex.argv[1].data, "b");
	clear(&ex);
}

Test(exec, argv_null_is_empty)
{
	uint64_t args[6] = { put_str("/bin/true"), 0 };
	struct pw_exec ex = decode(NR_EXECVE, args, NULL);

	cr_assert_eq(ex.argc, 0);
	cr_assert_eq(ex.argv_err, 0);
	cr_assert_not(ex.argv_truncated);
	cr_assert_str_eq(ex.path.data, "/bin/true");
	clear(&ex);
}

Test(exec, argv_array_unreadable)
{
	uint64_t args[6] = { put_str("/bin/x"), 0x1000 };
	struct pw_exec ex = decode(NR_EXECVE, args, NULL);

	cr_assert_eq(ex.argv_err, EFAULT);
	cr_assert_eq(ex.argc, 0);
	cr_assert_str_eq(ex.path.data, "/bin/x");
	clear(&ex);
}

Test(exec, argv_array_runs_into_unmapped_page)
{
	const char *argv[] = { "a", "b", "c" };
	uint64_t arr = END - 24;	/* three pointers, no room for NULL */
	uint64_t args[6] = { put_str("/bin/x"), arr };
	struct pw_exec ex;

	for (int i = 0; i < 3; i++)
		fake_put_u64(&fm, arr + 8 * i, put_str(argv[i]));
	ex = decode(NR_EXECVE, args, NULL);
	cr_assert_eq(ex.argv_err, EFAULT);
	cr_assert_eq(ex.argc, 3, "what was read is kept");
	cr_assert_str_eq(ex.argv[2].data, "c");
	clear(&ex);
}

Test(exec, unreadable_element)
{
	uint64_t args[6] = { put_str("/bin/x"), BASE };
	struct pw_exec ex;

	fake_put_u64(&fm, BASE, put_str("first"));
	fake_put_u64(&fm, BASE + 8, 0xdead0000);
	fake_put_u64(&fm, BASE + 16, put_str("third"));
	fake_put_u64(&fm, BASE + 24, 0);
	ex = decode(NR_EXECVE, args, NULL);
	cr_assert_eq(ex.argc, 3);
	cr_assert_eq(ex.argv_err, 0);
	cr_assert_str_eq(ex.argv[0].data, "first");
	cr_assert_null(ex.argv[1].data);
	cr_assert_eq(ex.argv[1].err, EFAULT);
	cr_assert_str_eq(ex.argv[2].data, "third");
	clear(&ex);
}

Test(exec, path_unreadable)
{
	const char *argv[] = { "x" };
	uint64_t args[6] = { 0xdead0000, BASE };
	struct pw_exec ex;

	put_argv(BASE, argv, 1);
	ex = decode(NR_EXECVE, args, NULL);
	cr_assert_null(ex.path.data);
	cr_assert_eq(ex.path.err, EFAULT);
	cr_assert_eq(ex.argc, 1);
	clear(&ex);
	args[0] = 0;
	ex = decode(NR_EXECVE, args, NULL);
	cr_assert_null(ex.path.data);
	cr_assert_eq(ex.path.err, EFAULT);
	clear(&ex);
}

Test(exec, max_args_limit)
{
	const char *argv[] = { "a", "b", "c", "d", "e" };
	const struct pw_exec_limits lim = { .max_args = 2, .max_bytes = 1000 };
	uint64_t args[6] = { put_str("/bin/x"), BASE };
	struct pw_exec ex;

	put_argv(BASE, argv, 5);
	ex = decode(NR_EXECVE, args, &lim);
	cr_assert_eq(ex.argc, 2);
	cr_assert(ex.argv_truncated);
	cr_assert_str_eq(ex.argv[1].data, "b");
	clear(&ex);
	put_argv(BASE, argv, 2);	/* exactly at the limit */
	ex = decode(NR_EXECVE, args, &lim);
	cr_assert_eq(ex.argc, 2);
	cr_assert_not(ex.argv_truncated);
	clear(&ex);
}

Test(exec, max_bytes_limit)
{
	const char *argv[] = { "abc", "defg", "hi" };
	struct pw_exec_limits lim = { .max_args = 100, .max_bytes = 5 };
	uint64_t args[6] = { put_str("/bin/x"), BASE };
	struct pw_exec ex;

	put_argv(BASE, argv, 3);
	ex = decode(NR_EXECVE, args, &lim);
	cr_assert(ex.argv_truncated);
	cr_assert_eq(ex.argc, 2);
	cr_assert_str_eq(ex.argv[0].data, "abc");
	cr_assert_str_eq(ex.argv[1].data, "de", "cut at the byte budget");
	clear(&ex);

	lim.max_bytes = 9;	/* exactly the total */
	ex = decode(NR_EXECVE, args, &lim);
	cr_assert_not(ex.argv_truncated);
	cr_assert_eq(ex.argc, 3);
	clear(&ex);

	lim.max_bytes = 7;	/* budget used up right before "hi" */
	ex = decode(NR_EXECVE, args, &lim);
	cr_assert(ex.argv_truncated);
	cr_assert_eq(ex.argc, 2, "no empty stub for the cut element");
	clear(&ex);
}

Test(exec, arbitrary_bytes)
{
	const char weird[] = "\xff\xfe line1\nline2\t\x01\x7f";
	const char *argv[] = { weird, "\xc3\xa9t\xc3\xa9" };
	uint64_t args[6] = { put_str("/tmp/\xff\n"), BASE };
	struct pw_exec ex;

	put_argv(BASE, argv, 2);
	ex = decode(NR_EXECVE, args, NULL);
	cr_assert_eq(ex.argc, 2);
	cr_assert_eq(ex.argv[0].len, sizeof(weird) - 1);
	cr_assert(memcmp(ex.argv[0].data, weird, sizeof(weird)) == 0);
	cr_assert_str_eq(ex.argv[1].data, "\xc3\xa9t\xc3\xa9");
	cr_assert_str_eq(ex.path.data, "/tmp/\xff\n");
	clear(&ex);
}

Test(exec, tracee_gone)
{
	const char *argv[] = { "a" };
	uint64_t args[6] = { put_str("/bin/x"), BASE };
	struct pw_exec ex;

	put_argv(BASE, argv, 1);
	fm.size = 0;		/* every read fails */
	fm.err = ESRCH;
	ex = decode(NR_EXECVE, args, NULL);
	cr_assert_eq(ex.path.err, ESRCH);
	cr_assert_eq(ex.argv_err, ESRCH);
	cr_assert_eq(ex.argc, 0);
	clear(&ex);
}

Test(exec, event_clear_is_idempotent)
{
	struct pw_event ev = { .kind = PW_EV_EXEC };

	pw_event_clear(&ev);
	pw_event_clear(&ev);
	pw_event_clear(NULL);
	pw_bytes_clear(NULL);
}

static struct pw_env
decode_env(long nr, const uint64_t *args, const struct pw_exec_limits *lim)
{
	struct pw_syscall sc = { .nr = nr };
	struct pw_env env = { 0 };

	memcpy(sc.args, args, sizeof(sc.args));
	pw_decode_exec_env(&sc, &fm.mem, lim, &env);
	return env;
}

Test(exec, envp_execve_and_execveat)
{
	const char *envp[] = { "A=1", "B=two words", "NOEQUALS", "A=dup", "" };
	uint64_t args[6] = { put_str("/bin/x"), 0, BASE };
	struct pw_env env;

	put_argv(BASE, envp, 5);
	env = decode_env(NR_EXECVE, args, NULL);
	cr_assert(env.recorded && env.whole);
	cr_assert_eq(env.nset, 5, "every entry, duplicates and all");
	cr_assert_str_eq(env.set[2].data, "NOEQUALS");
	cr_assert_str_eq(env.set[3].data, "A=dup");
	cr_assert_eq(env.set[4].len, 0);
	cr_assert_not(env.truncated);
	pw_env_clear(&env);
	/* execveat: dirfd, path, argv, envp, flags */
	args[0] = (uint32_t)AT_FDCWD;
	args[1] = put_str("/bin/x");
	args[2] = 0;
	args[3] = BASE;
	env = decode_env(NR_EXECVEAT, args, NULL);
	cr_assert_eq(env.nset, 5);
	pw_env_clear(&env);
	args[3] = 0;
	env = decode_env(NR_EXECVEAT, args, NULL);
	cr_assert(env.recorded);
	cr_assert_eq(env.nset, 0, "a NULL envp is an empty one");
	cr_assert_eq(env.err, 0);
	pw_env_clear(&env);
}

Test(exec, envp_limits_and_faults)
{
	const char *envp[] = { "A=1", "B=2", "C=3" };
	const struct pw_exec_limits lim = { .max_args = 2, .max_bytes = 1000 };
	uint64_t args[6] = { put_str("/bin/x"), 0, BASE };
	struct pw_env env;

	put_argv(BASE, envp, 3);
	env = decode_env(NR_EXECVE, args, &lim);
	cr_assert(env.truncated);
	cr_assert_eq(env.nset, 2);
	pw_env_clear(&env);
	fake_put_u64(&fm, BASE + 8, END + FAKE_PAGE);	/* an entry pointing nowhere */
	env = decode_env(NR_EXECVE, args, NULL);
	cr_assert_eq(env.nset, 3);
	cr_assert_null(env.set[1].data);
	cr_assert_eq(env.set[1].err, EFAULT);
	pw_env_clear(&env);
	args[2] = END + FAKE_PAGE;	/* the array itself */
	env = decode_env(NR_EXECVE, args, NULL);
	cr_assert_eq(env.err, EFAULT);
	cr_assert_eq(env.nset, 0);
	pw_env_clear(&env);
}

/* What pw_decode_exec_image made of a stack. */
struct image_argv {
	struct pw_exec ex;	/* owns v */
	struct pw_bytes *v;
	size_t n;
	bool truncated;
	int err;
};

static struct pw_bytes
bytes_of(const char *s)
{
	struct pw_bytes b = { .data = strdup(s), .len = strlen(s) };

	cr_assert(b.data);
	return b;
}

/*
 * An exec whose entry read path and argv[0] (pw_decode_exec_entry_head),
 * entry_argc elements in all, read from the stack at sp.
 */
static struct image_argv
image_of(const char *path, const char *argv0, size_t entry_argc, uint64_t sp,
	 const struct pw_exec_limits *lim)
{
	struct image_argv a = { .ex = { 0 } };

	if (path)
		a.ex.path = bytes_of(path);
	a.ex.argv = calloc(1, sizeof(*a.ex.argv));
	cr_assert(a.ex.argv);
	a.ex.argc = 1;
	a.ex.argv[0] = bytes_of(argv0);
	a.err = -pw_decode_exec_image(sp, &fm.mem, lim, entry_argc, &a.ex);
	a.v = a.ex.argv;
	a.n = a.ex.argc;
	a.truncated = a.ex.argv_truncated;
	pw_bytes_clear(&a.ex.path);
	return a;
}

/* A stack at BASE: argc, then args[0..nargs) and their NULL. */
static struct image_argv
image_argv(uint64_t argc, const char *const *args, size_t nargs, uint64_t sp)
{
	fake_put_u64(&fm, BASE, argc);
	put_argv(BASE + 8, args, nargs);
	return image_of(NULL, "entry", nargs, sp, NULL);
}

static void
image_argv_free(struct image_argv *a)
{
	pw_exec_argv_clear(&a->ex);
}

/* The argv a new image got: argc at the stack pointer, then the pointers. */
Test(exec, image_argv_from_initial_stack)
{
	const char *argv[] = { "prog", "a b", "" };
	struct image_argv a = image_argv(3, argv, 3, BASE);

	cr_assert_eq(a.err, 0);
	cr_assert_not(a.truncated);
	cr_assert_eq(a.n, 3);
	cr_assert_str_eq(a.v[0].data, "prog");
	cr_assert_str_eq(a.v[1].data, "a b");
	cr_assert_eq(a.v[2].len, 0);
	image_argv_free(&a);
}

/* A 32-bit program's stack read as 64-bit words: argc does not count them. */
Test(exec, image_argv_argc_mismatch_is_an_error)
{
	const char *argv[] = { "prog", "x" };
	struct image_argv a = image_argv(5, argv, 2, BASE);

	cr_assert_eq(a.err, EINVAL);
	image_argv_free(&a);
	a = image_argv(2, argv, 2, END);
	cr_assert_eq(a.err, EFAULT);
	image_argv_free(&a);
	/* argc and argv[0]'s pointer in one 64-bit word: past any argc. */
	a = image_argv((uint64_t)BASE << 32 | 2, argv, 2, BASE);
	cr_assert_eq(a.err, EINVAL);
	image_argv_free(&a);
}

/*
 * fs/binfmt_script.c: "./s a b" of a script "#!/bin/sh -e" gave the image
 * "/bin/sh -e ./s a b": argv[0] stays the entry's, the rest follows the
 * path; without the optional argument, one element fewer stands for it.
 */
Test(exec, image_argv_of_script)
{
	const char *with_arg[] = { "/bin/sh", "-e", "./s", "a", "b" };
	const char *without[] = { "/bin/sh", "./s", "a", "b" };
	struct image_argv a;

	fake_put_u64(&fm, BASE, 5);
	put_argv(BASE + 8, with_arg, 5);
	a = image_of("./s", "s0", 3, BASE, NULL);
	cr_assert_eq(a.err, 0);
	cr_assert_eq(a.n, 3);
	cr_assert_str_eq(a.v[0].data, "s0");
	cr_assert_str_eq(a.v[1].data, "a");
	cr_assert_str_eq(a.v[2].data, "b");
	image_argv_free(&a);
	fake_put_u64(&fm, BASE, 4);
	put_argv(BASE + 8, without, 4);
	a = image_of("./s", "s0", 3, BASE, NULL);
	cr_assert_eq(a.n, 3);
	cr_assert_str_eq(a.v[0].data, "s0");
	cr_assert_str_eq(a.v[1].data, "a");
	image_argv_free(&a);
}

/* The limits count the entry's argv[0] in place of the interpreter's elements. */
Test(exec, image_argv_of_script_within_limits)
{
	const char *image[] = { "/bin/sh", "./s", "1234", "5678" };
	struct pw_exec_limits lim = { .max_args = 2, .max_bytes = 1000 };
	struct image_argv a;

	fake_put_u64(&fm, BASE, 4);
	put_argv(BASE + 8, image, 4);
	a = image_of("./s", "s0", 3, BASE, &lim);
	cr_assert_eq(a.err, 0);
	cr_assert(a.truncated);
	cr_assert_eq(a.n, 2);
	cr_assert_str_eq(a.v[0].data, "s0");
	cr_assert_str_eq(a.v[1].data, "1234");
	image_argv_free(&a);
	lim = (struct pw_exec_limits){ .max_args = 10, .max_bytes = 8 };
	a = image_of("./s", "s0", 3, BASE, &lim);
	cr_assert(a.truncated);
	cr_assert_eq(a.n, 3);
	cr_assert_str_eq(a.v[2].data, "56");
	image_argv_free(&a);
}

static size_t
decode_head(const uint64_t *args, const struct pw_exec_limits *lim, struct pw_exec *ex)
{
	struct pw_syscall sc = { .nr = NR_EXECVE };

	memcpy(sc.args, args, sizeof(sc.args));
	memset(ex, 0xa5, sizeof(*ex));
	return pw_decode_exec_entry_head(&sc, &fm.mem, lim, ex);
}

/* The entry reads the path, argv[0] and the count; the rest comes later. */
Test(exec, entry_head_then_argv)
{
	const char *argv[] = { "echo", "a", "b" };
	uint64_t args[6] = { put_str("/bin/echo"), BASE };
	struct pw_syscall sc = { .nr = NR_EXECVE };
	struct pw_exec ex;

	put_argv(BASE, argv, 3);
	cr_assert_eq(decode_head(args, NULL, &ex), 3);
	cr_assert_str_eq(ex.path.data, "/bin/echo");
	cr_assert_eq(ex.argc, 1);
	cr_assert_str_eq(ex.argv[0].data, "echo");
	memcpy(sc.args, args, sizeof(sc.args));
	pw_decode_exec_argv(&sc, &fm.mem, NULL, &ex);
	cr_assert_eq(ex.argc, 3);
	cr_assert_str_eq(ex.argv[2].data, "b");
	cr_assert_not(ex.argv_truncated);
	clear(&ex);
}

/*
 * Read whole at the entry, all that will be known (0): no argv, an empty
 * or unreadable one, more elements than the limit, argv[0] past the byte
 * limit.
 */
Test(exec, entry_head_reads_all_when_that_is_all)
{
	const char *argv[] = { "echo", "a", "b" };
	uint64_t args[6] = { put_str("/bin/echo"), 0 };
	struct pw_exec_limits lim = { .max_args = 2, .max_bytes = 100 };
	struct pw_exec ex;

	cr_assert_eq(decode_head(args, NULL, &ex), 0);
	cr_assert_eq(ex.argc, 0);
	clear(&ex);
	fake_put_u64(&fm, BASE, 0);
	args[1] = BASE;
	cr_assert_eq(decode_head(args, NULL, &ex), 0);
	cr_assert_eq(ex.argc, 0);
	clear(&ex);
	args[1] = END;
	cr_assert_eq(decode_head(args, NULL, &ex), 0);
	cr_assert_eq(ex.argv_err, EFAULT);
	clear(&ex);
	args[1] = BASE;
	put_argv(BASE, argv, 3);
	cr_assert_eq(decode_head(args, &lim, &ex), 0);
	cr_assert_eq(ex.argc, 2);
	cr_assert(ex.argv_truncated);
	clear(&ex);
	lim = (struct pw_exec_limits){ .max_args = 10, .max_bytes = 2 };
	cr_assert_eq(decode_head(args, &lim, &ex), 0);
	cr_assert_eq(ex.argc, 1);
	cr_assert_str_eq(ex.argv[0].data, "ec");
	cr_assert(ex.argv_truncated);
	clear(&ex);
}
