/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integration tests of exec events against the real kernel: an argv of 5000
 * elements with a 100 KiB one and every awkward byte sequence, decoded back
 * from the trace's byte-string scheme (valid UTF-8 is a JSON string, anything
 * else {"text": lossy, "hex": every byte}) and compared element by element
 * with what the exec'd program really received; execve failures (ENOENT,
 * EACCES, EFAULT with an unreadable path) followed by a success; and
 * fexecve as execveat(fd, "", AT_EMPTY_PATH), whose path must be the file
 * the fd names.  Each traced run is also compared with an untraced one.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <linux/kcmp.h>

#include "run_trace.h"

struct bytes {
	unsigned char *data;
	size_t len;
};

/* ---- an independent reading of the documented byte-string scheme ---- */

/*
 * Length of the valid UTF-8 sequence at s (1..4) or 0: RFC 3629, so no
 * overlong forms, no surrogates (U+D800..U+DFFF), nothing past U+10FFFF.
 */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	unsigned long cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static bool
utf8_valid(const struct bytes *b)
{
	size_t i = 0, n;

	while (i < b->len) {
		n = utf8_seq(b->data + i, b->len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

/* The "text" the scheme promises: each stray byte becomes U+FFFD. */
static char *
lossy(const struct bytes *b)
{
	char *out = malloc(b->len * 3 + 1), *o = out;
	size_t i = 0, n;

	cr_assert(out);
	while (i < b->len) {
		n = utf8_seq(b->data + i, b->len - i);
		if (n) {
			memcpy(o, b->data + i, n);
			o += n;
			i += n;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	*o = '\0';
	return out;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;	/* upper case is not what the scheme writes */
}

/* Lowercase hex to bytes; false if s is not that. */
static bool
unhex(const char *s, size_t len, struct bytes *out)
{
	size_t i;
	int hi, lo;

	if (len % 2)
		return false;
	out->len = len / 2;
	out->data = malloc(out->len + 1);
	cr_assert(out->data);
	for (i = 0; i < out->len; i++) {
		hi = hexval(s[2 * i]);
		lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out->data[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

/*
 * Asserts that the JSON value v encodes exactly the bytes want, in the form
 * the scheme requires for them (string iff valid UTF-8).
 */
static void
assert_bytes_value(const json_t *v, const struct bytes *want, size_t idx,
		   const json_t *ev)
{
	const json_t *text, *hex;
	struct bytes got = { 0 };
	char *expect_text;

	if (utf8_valid(want)) {
		cr_assert(json_is_string(v), "argv[%zu] is valid UTF-8 and must be a "
			  "plain string: %.300s", idx, pw_ev_dump(v));
		cr_assert(json_string_length(v) == want->len &&
			  memcmp(json_string_value(v), want->data, want->len) == 0,
			  "argv[%zu] (%zu bytes) differs from what was passed: "
			  "%.300s", idx, want->len, pw_ev_dump(v));
		return;
	}
	cr_assert(json_is_object(v) && json_object_size(v) == 2,
		  "argv[%zu] is not UTF-8 and must be {\"text\",\"hex\"}: %.300s "
		  "(exec %.200s)", idx, pw_ev_dump(v), pw_ev_dump(ev));
	text = json_object_get(v, "text");
	hex = json_object_get(v, "hex");
	cr_assert(json_is_string(text) && json_is_string(hex),
		  "argv[%zu]: text and hex must be strings: %s", idx, pw_ev_dump(v));
	cr_assert(unhex(json_string_value(hex), json_string_length(hex), &got),
		  "argv[%zu]: hex is not lowercase hex: %s", idx, pw_ev_dump(v));
	cr_assert(got.len == want->len && memcmp(got.data, want->data, got.len) == 0,
		  "argv[%zu]: hex does not give back the bytes passed: %s", idx,
		  pw_ev_dump(v));
	expect_text = lossy(want);
	cr_assert_str_eq(json_string_value(text), expect_text,
			 "argv[%zu]: text is not the bytes with U+FFFD for each "
			 "stray byte: %s", idx, pw_ev_dump(v));
	free(expect_text);
	free(got.data);
}

/* ---- pw_exec_args ---- */

/* pw_exec_args --print writes each argument it got as a line of hex. */
static size_t
parse_printed_argv(const char *out, struct bytes **argv)
{
	size_t n = 0, cap = 1024, len;
	const char *line = out, *nl;

	*argv = calloc(cap, sizeof(**argv));
	cr_assert(*argv);
	while (*line) {
		nl = strchr(line, '\n');
		cr_assert(nl, "pw_exec_args output does not end with a newline");
		len = (size_t)(nl - line);
		if (n == cap) {
			cap *= 2;
			*argv = realloc(*argv, cap * sizeof(**argv));
			cr_assert(*argv);
		}
		cr_assert(unhex(line, len, &(*argv)[n]), "bad hex line %zu", n);
		n++;
		line = nl + 1;
	}
	return n;
}

static void
free_argv_bytes(struct bytes *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].data);
	free(v);
}

static bool
bytes_is(const struct bytes *b, const char *s, size_t len)
{
	return b->len == len && memcmp(b->data, s, len) == 0;
}

#define BYTES_IS(b, lit) bytes_is((b), (lit), sizeof(lit) - 1)

/*
 * The helper's argv really holds the awkward cases (else this test would
 * prove little): checked on what the exec'd program printed.
 */
static void
assert_awkward_cases(const struct bytes *v, size_t n, const struct pw_run *r)
{
	long long big = pw_facts_get_int(r, "big_index");

	cr_assert(n == (size_t)pw_facts_get_int(r, "argc"),
		  "the exec'd helper printed %zu arguments", n);
	cr_assert(BYTES_IS(&v[1], "--print"));
	cr_assert(BYTES_IS(&v[2], "line one\nline two"));
	cr_assert(BYTES_IS(&v[3], "double \" quote"));
	cr_assert(BYTES_IS(&v[4], "single ' quote"));
	cr_assert(BYTES_IS(&v[5], "back\\slash"));
	cr_assert(BYTES_IS(&v[6], "\x1b[31mred\x1b[0m"));
	cr_assert(v[7].len == 0, "argv[7] should be the empty string");
	cr_assert(BYTES_IS(&v[8], "\xff\xfe") && !utf8_valid(&v[8]));
	cr_assert(BYTES_IS(&v[9], "lone \x80 continuation") && !utf8_valid(&v[9]));
	cr_assert(BYTES_IS(&v[10], "truncated \xe2\x82") && !utf8_valid(&v[10]));
	cr_assert(v[big].len == (size_t)pw_facts_get_int(r, "big_len"));
}

/* The re-exec: the second successful exec of the helper's process. */
static json_t *
self_exec(const struct pw_run *r)
{
	pid_t pid = (pid_t)pw_facts_get_int(r, "pid");
	json_t *ev;

	cr_assert(pw_exec_ok_count(r, pid) == 2, "expected 2 successful execs of "
		  "%d (the launch and the re-exec), got %zu", (int)pid,
		  pw_exec_ok_count(r, pid));
	ev = pw_exec_ok_nth(r, pid, 1);
	cr_assert_str_eq(pw_ev_str(ev, "call"), "execve", "%.300s", pw_ev_dump(ev));
	cr_assert_str_eq(pw_ev_str(ev, "path"), "/proc/self/exe", "%.300s",
			 pw_ev_dump(ev));
	cr_assert(!pw_ev_bool(ev, "argv_truncated"),
		  "argv was cut short although the kernel took all of it: "
		  "%.300s", pw_ev_dump(ev));
	return ev;
}

Test(exec_live, argv_bytes_exact)
{
	struct pw_run r;
	struct bytes *want;
	const json_t *argv;
	json_t *ev;
	size_t n, i;

	pw_require_ptrace();
	pw_run_checked("pw_exec_args", NULL, &r);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
		  "status 0x%x, stderr: %s", r.status, r.err);
	n = parse_printed_argv(r.out, &want);
	assert_awkward_cases(want, n, &r);

	ev = self_exec(&r);
	argv = json_object_get(ev, "argv");
	cr_assert(json_array_size(argv) == n, "the trace has %zu argv elements, "
		  "the program got %zu", json_array_size(argv), n);
	for (i = 0; i < n; i++)
		assert_bytes_value(json_array_get(argv, i), &want[i], i, ev);
	free_argv_bytes(want, n);
	pw_run_free(&r);
}

/* ---- pw_exec_fail ---- */

/* "ENOENT" for the errno the helper saw (glibc's name for it). */
static const char *
errno_name(long long e)
{
	const char *s = strerrorname_np((int)e);

	cr_assert(s, "no name for errno %lld", e);
	return s;
}

static void
assert_failed_exec(const json_t *ev, const struct pw_run *r, const char *key,
		   const char *arg0)
{
	long long e = pw_facts_get_int(r, key);
	const char *argv[] = { arg0, "x", NULL };

	cr_assert(ev, "no exec event for the %s failure", key);
	cr_assert_str_eq(pw_ev_str(ev, "call"), "execve", "%s", pw_ev_dump(ev));
	cr_assert(pw_ev_int(ev, "result") == -e, "%s: result should be %lld: %s",
		  key, -e, pw_ev_dump(ev));
	cr_assert_str_eq(pw_ev_str(ev, "errno"), errno_name(e), "%s",
			 pw_ev_dump(ev));
	pw_assert_argv(ev, argv);
}

static void
assert_exec_path(const json_t *ev, const struct pw_run *r, const char *key)
{
	char *want = pw_facts_get_str(r, key);

	cr_assert_str_eq(pw_ev_str(ev, "path"), want, "%s", pw_ev_dump(ev));
	free(want);
}

Test(exec_live, failures_then_success)
{
	const char *true_argv[] = { "true", NULL };
	json_t *ev[5] = { NULL };
	struct pw_run r;
	size_t i = 0, n = 0;
	pid_t pid;
	json_t *e;

	pw_require_ptrace();
	pw_run_checked("pw_exec_fail", NULL, &r);
	pid = (pid_t)pw_facts_get_int(&r, "pid");
	while ((e = pw_event_next(&r, "exec", &i))) {
		if (pw_ev_int(e, "pid") != pid)
			continue;
		cr_assert(n < 5, "more than 5 exec events for %d: %s", (int)pid,
			  pw_ev_dump(e));
		ev[n++] = e;
	}
	cr_assert(n == 5, "expected 5 exec events (launch, 3 failures, /bin/true), "
		  "got %zu", n);
	assert_failed_exec(ev[1], &r, "enoent", "pw-enoent");
	assert_exec_path(ev[1], &r, "enoent_path");
	assert_failed_exec(ev[2], &r, "eacces", "pw-eacces");
	assert_exec_path(ev[2], &r, "eacces_path");
	assert_failed_exec(ev[3], &r, "efault", "pw-efault");
	cr_assert(json_is_null(json_object_get(ev[3], "path")),
		  "an unreadable path must be null: %s", pw_ev_dump(ev[3]));
	cr_assert(pw_ev_int(ev[4], "result") == 0, "%s", pw_ev_dump(ev[4]));
	cr_assert_str_eq(pw_ev_str(ev[4], "path"), "/bin/true", "%s",
			 pw_ev_dump(ev[4]));
	pw_assert_argv(ev[4], true_argv);
	pw_assert_exit_code(&r, pid, 0);
	pw_run_free(&r);
}

/* ---- pw_fexecve ---- */

static void
check_fexecve(const char *mode)
{
	const char *args[] = { mode, NULL };
	const char *argv[] = { "true", "from-fd", NULL };
	struct pw_run r;
	char *real;
	json_t *ev;
	pid_t pid;

	pw_require_ptrace();
	pw_run_checked("pw_fexecve", args, &r);
	pid = (pid_t)pw_facts_get_int(&r, "pid");
	cr_assert(pw_exec_ok_count(&r, pid) == 2, "expected the launch and the "
		  "execveat, got %zu successful execs", pw_exec_ok_count(&r, pid));
	ev = pw_exec_ok_nth(&r, pid, 1);
	cr_assert_str_eq(pw_ev_str(ev, "call"), "execveat", "%s", pw_ev_dump(ev));
	/* Compared with realpath(): /bin/true may be a symlink or merged /usr. */
	real = pw_facts_get_str(&r, "realpath");
	cr_assert_str_eq(pw_ev_str(ev, "path"), real,
			 "AT_EMPTY_PATH: path must be the file the fd names: %s",
			 pw_ev_dump(ev));
	cr_assert(pw_ev_array_has(ev, "at_flags", "AT_EMPTY_PATH"),
		  "at_flags lacks AT_EMPTY_PATH: %s", pw_ev_dump(ev));
	cr_assert(pw_ev_int(ev, "dirfd") == pw_facts_get_int(&r, "fd"),
		  "dirfd is not the fd the helper opened: %s", pw_ev_dump(ev));
	pw_assert_argv(ev, argv);
	free(real);
	pw_run_free(&r);
}

Test(exec_live, fexecve_rdonly)
{
	check_fexecve("rdonly");
}

Test(exec_live, fexecve_opath)
{
	check_fexecve("path");
}

/*
 * Each exec records the directory it was called from: the shell starts in
 * the test's own directory, and the program it runs after `cd /` in "/".
 */
Test(exec_live, cwd_at_exec)
{
	static const char *const args[] = { "-c", "cd / && /bin/true", NULL };
	char here[4096];
	struct pw_run r;
	json_t *sh, *child;
	size_t i = 0;

	cr_assert(getcwd(here, sizeof(here)));
	pw_run_checked("/bin/sh", args, &r);
	sh = pw_event_next(&r, "exec", &i);
	cr_assert(sh, "no exec of the shell");
	cr_assert_str_eq(json_string_value(json_object_get(sh, "cwd")), here);
	child = pw_event_next(&r, "exec", &i);
	cr_assert(child, "no exec of /bin/true");
	cr_assert_str_eq(json_string_value(json_object_get(child, "path")), "/bin/true");
	cr_assert_str_eq(json_string_value(json_object_get(child, "cwd")), "/");
	pw_run_free(&r);
}

/* The exec of "/bin/true label" (pw_cwd's steps); fails when not exactly one. */
static json_t *
exec_labelled(const struct pw_run *r, const char *label)
{
	json_t *ev, *found = NULL, *arg;
	size_t i = 0;

	while ((ev = pw_event_next(r, "exec", &i))) {
		arg = json_array_get(json_object_get(ev, "argv"), 1);
		if (json_is_string(arg) && strcmp(json_string_value(arg), label) == 0) {
			cr_assert_null(found, "two execs labelled %s", label);
			found = ev;
		}
	}
	cr_assert(found, "no exec labelled %s", label);
	return found;
}

/*
 * procwatch follows the working directory (chdir, fchdir) instead of
 * reading it at every exec, so each way of moving it must give the
 * directory /proc would have said (tests/helpers/pw_cwd.c has the steps):
 * a thread sharing it, a child with its own, a process sharing it by
 * CLONE_FS, a posix_spawn chdir, a child that copied it before a thread
 * moved its parent, a thread that unshared it.
 */
Test(exec_live, cwd_followed)
{
	static const struct {
		const char *label, *dir;
	} steps[] = {
		{ "thread", "/usr" }, { "own", "/tmp" }, { "parent", "/usr" },
		{ "shared", "/usr" }, { "fchdir", "/usr/bin" }, { "spawn", "/tmp" },
		{ "copied", "/usr/bin" }, { "after", "/" }, { "unshared", "/" },
	};
	struct pw_run r;
	size_t i;

	pw_run_checked("pw_cwd", NULL, &r);
	cr_assert_str_eq(r.out, "cwd: done\n");
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		cr_assert_str_eq(pw_ev_str(exec_labelled(&r, steps[i].label), "cwd"),
				 steps[i].dir, "step %s", steps[i].label);
	pw_run_free(&r);
}

/* The fds entry for fd in an exec event, or NULL. */
static json_t *
inherited_fd(json_t *exec, int fd)
{
	json_t *fds = json_object_get(exec, "fds"), *f;
	size_t i;

	json_array_foreach(fds, i, f)
		if (json_integer_value(json_object_get(f, "fd")) == fd)
			return f;
	return NULL;
}

/*
 * A descriptor opened without close-on-exec reaches the next program and
 * is recorded with what it points to; a #! script runs its interpreter,
 * which "exe" names.
 */
Test(exec_live, inherited_fds_and_interpreter)
{
	char dir[] = "/tmp/pw-exec-XXXXXX", script[64], shell[4096];
	const char *args[] = { "-c", "exec 5</dev/null; /bin/true; ./s", NULL };
	struct pw_run r;
	json_t *ev, *f, *true_ev = NULL, *script_ev = NULL;
	size_t i = 0;
	FILE *fp;

	cr_assert(mkdtemp(dir) && realpath("/bin/sh", shell));
	snprintf(script, sizeof(script), "%s/s", dir);
	cr_assert((fp = fopen(script, "w")));
	fputs("#!/bin/sh\nexit 0\n", fp);
	cr_assert(fclose(fp) == 0 && chmod(script, 0755) == 0 && chdir(dir) == 0);
	pw_run_checked("/bin/sh", args, &r);
	while ((ev = pw_event_next(&r, "exec", &i))) {
		const char *path = json_string_value(json_object_get(ev, "path"));

		if (path && !strcmp(path, "/bin/true"))
			true_ev = ev;
		if (path && !strcmp(path, "./s"))
			script_ev = ev;
	}
	cr_assert(true_ev && script_ev, "execs of /bin/true and ./s recorded");
	f = inherited_fd(true_ev, 5);
	cr_assert(f, "fd 5 (no close-on-exec) not recorded as inherited");
	cr_assert_str_eq(json_string_value(json_object_get(f, "target")), "/dev/null");
	cr_assert_str_eq(json_string_value(json_object_get(script_ev, "exe")), shell);
	pw_run_free(&r);
	unlink(script);
	rmdir(dir);
}

/* The descriptors an exec event lists, as "5 7", or "" for none. */
static void
listed_fds(json_t *exec, char *buf, size_t size)
{
	json_t *f;
	size_t i, len = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(exec, "fds"), i, f)
		len += (size_t)snprintf(buf + len, size - len, "%s%lld", len ? " " : "",
					json_integer_value(json_object_get(f, "fd")));
}

/*
 * Whether this kernel lets procwatch see that a process has exactly 0, 1
 * and 2 without listing them: /proc/PID/fd's size counts them (Linux 6.2)
 * and kcmp(2) is there (only_standard_fds in src/tracer/procfs.c).
 */
static bool
fds_countable(void)
{
	struct stat st;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	bool kcmp = fd >= 0 && syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, fd, fd) == 0;

	if (fd >= 0)
		close(fd);
	return kcmp && stat("/proc/self/fd", &st) == 0 && st.st_size > 0;
}

/*
 * procwatch lists a program's descriptors only when they are not exactly
 * 0, 1 and 2, which it can tell without listing them: three descriptors
 * with one of 0-2 missing must still be listed (tests/helpers/pw_fds.c
 * has the layouts), and PROCWATCH_STATS's fd-lists counts every exec but
 * the one given 0-2 (the helper itself has the harness's fd 3), or every
 * exec where the kernel cannot count them.
 */
Test(exec_live, inherited_fds_listed_unless_standard)
{
	static const struct {
		const char *label, *fds;
	} want[] = {
		{ "std", "" }, { "extra", "5" }, { "no-stderr", "5" },
		{ "no-stdin", "7" }, { "no-stdout", "9" }, { "two", "" },
	};
	const char *stats;
	char got[64];
	struct pw_run r;
	json_t *ev;
	size_t i = 0, execs = 0;
	unsigned long lists;

	cr_assert(setenv("PROCWATCH_STATS", "1", 1) == 0);
	pw_run_checked("pw_fds", NULL, &r);
	cr_assert_str_eq(r.out, "fds: done\n");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		listed_fds(exec_labelled(&r, want[i].label), got, sizeof(got));
		cr_assert_str_eq(got, want[i].fds, "layout %s", want[i].label);
	}
	i = 0;
	while ((ev = pw_event_next(&r, "exec", &i)))
		execs += pw_ev_int(ev, "result") == 0;
	stats = strstr(r.err, " fd-lists=");
	cr_assert(stats && sscanf(stats, " fd-lists=%lu", &lists) == 1, "stats: %s", r.err);
	cr_assert_eq(lists, fds_countable() ? execs - 1 : execs, "%zu execs: %s", execs, stats);
	pw_run_free(&r);
}

/* ---- pw_own_seccomp: a program's own SECCOMP_RET_TRACE filter ---- */

/*
 * The helper's filter says SECCOMP_RET_TRACE for execve, exit_group and
 * getppid: each must fail with ENOSYS as it does untraced (pw_run_checked
 * compares stdout and status: 1, where a bypassed sandbox gives 0).  The
 * exec attempt is still in the trace, failed with ENOSYS; the exit_group
 * calls the filter failed are not exits: each process ends with exit.
 */
Test(exec_live, own_seccomp_filter_obeyed)
{
	const char *true_argv[] = { "true", NULL };
	long long errs[4];
	json_t *ev, *ex;
	struct pw_run r;
	pid_t pid, child;
	size_t i = 0, n = 0;

	pw_require_ptrace();
	pw_run_checked("pw_own_seccomp", NULL, &r);
	cr_assert_eq(WEXITSTATUS(r.status), 1, "the sandbox was bypassed: %s", r.out);
	pid = (pid_t)pw_facts_get_int(&r, "pid");
	child = (pid_t)pw_facts_get_int(&r, "child");
	cr_assert_eq(pw_facts_get_int(&r, "getppid_errno"), ENOSYS);
	cr_assert_eq(pw_facts_get_int(&r, "execve_errno"), ENOSYS);
	cr_assert_eq(pw_facts_get_all(&r, "exit_group_errno", errs, 4), 2);
	cr_assert(errs[0] == ENOSYS && errs[1] == ENOSYS);
	while ((ev = pw_event_next(&r, "exec", &i))) {
		cr_assert_eq(pw_ev_int(ev, "pid"), pid, "%s", pw_ev_dump(ev));
		if (n++ == 0)
			continue;	/* procwatch's exec of the helper */
		cr_assert(pw_ev_int(ev, "result") == -ENOSYS, "%s", pw_ev_dump(ev));
		cr_assert_str_eq(pw_ev_str(ev, "errno"), "ENOSYS");
		cr_assert_str_eq(pw_ev_str(ev, "path"), "/bin/true");
		pw_assert_argv(ev, true_argv);
	}
	cr_assert_eq(n, 2, "expected the launch and one failed exec, got %zu", n);
	cr_assert_eq(pw_exit_count(&r, pid), 1);
	cr_assert_eq(pw_exit_count(&r, child), 1);
	ex = pw_exit_of(&r, child);
	cr_assert_eq(pw_ev_int(ex, "code"), 3, "%s", pw_ev_dump(ex));
	cr_assert_str_eq(pw_ev_str(ex, "call"), "exit", "%s", pw_ev_dump(ex));
	ex = pw_exit_of(&r, pid);
	cr_assert_eq(pw_ev_int(ex, "code"), 1, "%s", pw_ev_dump(ex));
	cr_assert_str_eq(pw_ev_str(ex, "call"), "exit", "%s", pw_ev_dump(ex));
	pw_assert_status_exited(json_object_get(pw_reap_of(&r, child), "status"), 3);
	pw_run_free(&r);
}

/* ---- pw_exec_check: execveat with AT_EXECVE_CHECK (Linux 6.14) ---- */

/* An array member (at_flags) holds name. */
static bool
flags_have(const json_t *ev, const char *key, const char *name)
{
	return pw_ev_array_has(ev, key, name);
}

/*
 * A check executes nothing: it must be an exec_check event, never an exec
 * (the process keeps its name and image; only the real exec of /bin/true
 * after the two checks is one).
 */
Test(exec_live, exec_check_is_no_exec)
{
	json_t *ev, *checks[3] = { NULL };
	struct pw_run r;
	size_t i = 0, n = 0;
	pid_t pid;

	pw_require_ptrace();
	pw_run_checked("pw_exec_check", NULL, &r);
	if (pw_facts_has(&r, "skip")) {
		pw_run_free(&r);
		cr_skip_test("this kernel has no AT_EXECVE_CHECK (Linux 6.14)");
	}
	pid = (pid_t)pw_facts_get_int(&r, "pid");
	while ((ev = pw_event_next(&r, "exec_check", &i))) {
		cr_assert(n < 2, "a third check: %s", pw_ev_dump(ev));
		checks[n++] = ev;
		cr_assert_eq(pw_ev_int(ev, "pid"), pid, "%s", pw_ev_dump(ev));
		cr_assert_str_eq(pw_ev_str(ev, "call"), "execveat");
		cr_assert(flags_have(ev, "at_flags", "AT_EXECVE_CHECK"), "%s", pw_ev_dump(ev));
	}
	cr_assert_eq(n, 2, "expected two exec_check events, got %zu", n);
	cr_assert_eq(pw_ev_int(checks[0], "result"), 0, "%s", pw_ev_dump(checks[0]));
	cr_assert_str_eq(pw_ev_str(checks[0], "path"), "/usr/bin/true");
	cr_assert_eq(pw_ev_int(checks[1], "result"), -pw_facts_get_int(&r, "check_errno"));
	cr_assert_str_eq(pw_ev_str(checks[1], "errno"), "EACCES");
	/* The launch and /bin/true: the checks are not execs. */
	cr_assert_eq(pw_event_count(&r, "exec"), 2);
	cr_assert_str_eq(pw_ev_str(pw_exec_ok_nth(&r, pid, 1), "path"), "/bin/true");
	pw_run_free(&r);
}
