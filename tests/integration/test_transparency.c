/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integration tests that procwatch is invisible to what it traces: the
 * command inherits the signal mask and ignored signals it would have had
 * without procwatch (research note item 23, strace's sigblock.test), reads
 * the same stdin, and procwatch's exit status is the command's.  The
 * signal-state case blocks SIGUSR1 and ignores SIGUSR2 in the process that
 * execs procwatch (or the helper), which pw_run() cannot do since it resets
 * signals for its child, so it forks its own runner.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "run_trace.h"

#define STDIN_SIZE (200 * 1024)

/* ---- signal mask and dispositions ---- */

static char *
read_all(int fd, bool from_start, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ssize_t got;

	cr_assert(buf);
	for (;;) {
		if (cap - n < 1024)
			cr_assert((buf = realloc(buf, cap *= 2)));
		got = from_start ? pread(fd, buf + n, cap - n - 1, (off_t)n)
				 : read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		cr_assert(got >= 0, "read: %s", strerror(errno));
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void
parse_lines(struct pw_run *r, const char *path)
{
	char *buf, *line, *nl;
	json_error_t jerr;
	size_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	cr_assert(fd >= 0, "trace %s: %s", path, strerror(errno));
	buf = read_all(fd, true, &len);
	close(fd);
	r->events = calloc(len / 16 + 2, sizeof(*r->events));
	cr_assert(r->events);
	for (line = buf; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		cr_assert(nl, "trace line %zu is cut short: %s", r->nevents + 1, line);
		*nl = '\0';
		r->events[r->nevents] = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
		cr_assert(json_is_object(r->events[r->nevents]),
			  "trace line %zu is not a JSON object (%s): %s",
			  r->nevents + 1, jerr.text, line);
		r->nevents++;
	}
	free(buf);
}

/* What a shell user's odd setup leaves behind: SIGUSR1 blocked, SIGUSR2 ignored. */
static void __attribute__((noreturn))
exec_masked(char **argv, int out, int facts)
{
	sigset_t set;
	int sig, in = open("/dev/null", O_RDONLY);

	if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(facts, 3) < 0)
		_exit(125);
	close_range(4, ~0U, 0);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	signal(SIGUSR2, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_SETMASK, &set, NULL);
	execv(argv[0], argv);
	_exit(127);
}

static int
tmp_file(char *path, size_t size)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, size, "%s/pw-tr-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkostemp(path, O_CLOEXEC);
	cr_assert(fd >= 0, "mkostemp: %s", strerror(errno));
	return fd;
}

static void
run_masked(bool traced, struct pw_run *r)
{
	const char *dir = getenv("PW_HELPER_DIR"), *ns = getenv("PW_TEST_NO_SECCOMP");
	char trace[PATH_MAX], factp[PATH_MAX], *helper, *argv[10];
	int p[2], k = 0, facts;
	pid_t pid;

	cr_assert(dir && getenv("PROCWATCH"), "run through meson test");
	cr_assert(asprintf(&helper, "%s/pw_sigmask", dir) > 0);
	close(tmp_file(trace, sizeof(trace)));
	facts = tmp_file(factp, sizeof(factp));
	unlink(factp);
	if (traced) {
		argv[k++] = getenv("PROCWATCH");
		argv[k++] = "--json";
		argv[k++] = "-o";
		argv[k++] = trace;
		if (ns && strcmp(ns, "1") == 0)
			argv[k++] = "--no-seccomp";
		argv[k++] = "--";
	}
	argv[k++] = helper;
	argv[k] = NULL;
	cr_assert(pipe2(p, O_CLOEXEC) == 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0)
		exec_masked(argv, p[1], facts);
	close(p[1]);
	memset(r, 0, sizeof(*r));
	r->out = read_all(p[0], false, &r->out_len);
	close(p[0]);
	while (waitpid(pid, &r->status, 0) < 0)
		cr_assert(errno == EINTR);
	r->facts = read_all(facts, true, &r->facts_len);
	close(facts);
	r->err = strdup("(stderr not captured)");
	r->untraced = !traced;
	r->argv = calloc(2, sizeof(*r->argv));
	cr_assert(r->argv);
	r->argv[0] = helper;
	if (traced)
		parse_lines(r, trace);
	unlink(trace);
}

Test(transparency, signal_mask_and_ignored_set)
{
	struct pw_run t, u;

	pw_require_ptrace();
	run_masked(false, &u);
	cr_assert(WIFEXITED(u.status) && WEXITSTATUS(u.status) == 0);
	/* The setup took effect: else the comparison below proves nothing. */
	cr_assert(strstr(u.out, "SIGUSR1 DFL blocked\n") &&
		  strstr(u.out, "SIGUSR2 IGN\n"), "untraced setup not seen:\n%s",
		  u.out);
	run_masked(true, &t);
	pw_check_trace_wellformed(&t);
	cr_assert(WIFEXITED(t.status) && WEXITSTATUS(t.status) == 0,
		  "status 0x%x", t.status);
	cr_assert_str_eq(t.out, u.out, "the signal state under procwatch differs "
			 "from the untraced run:\n--- traced ---\n%s--- untraced "
			 "---\n%s", t.out, u.out);
	pw_run_free(&t);
	pw_run_free(&u);
}

/* ---- stdin ---- */

/* Lines of varied text, no NUL (pw_run_opts.stdin_data is a C string). */
static char *
stdin_data(void)
{
	char *s = malloc(STDIN_SIZE + 1);
	size_t i;

	cr_assert(s);
	for (i = 0; i < STDIN_SIZE; i++)
		s[i] = i % 61 == 60 ? '\n' : (char)(' ' + (i * 7) % 95);
	s[STDIN_SIZE] = '\0';
	return s;
}

Test(transparency, stdin_reaches_the_command)
{
	struct pw_run_opts to = { 0 }, uo = { .untraced = true };
	struct pw_run t, u;

	pw_require_ptrace();
	to.stdin_data = uo.stdin_data = stdin_data();
	pw_run("/bin/cat", NULL, &to, &t);
	pw_check_trace_wellformed(&t);
	pw_run("/bin/cat", NULL, &uo, &u);
	cr_assert(WIFEXITED(t.status) && WEXITSTATUS(t.status) == 0,
		  "status 0x%x, stderr: %s", t.status, t.err);
	cr_assert(u.out_len == STDIN_SIZE && memcmp(u.out, to.stdin_data,
		  STDIN_SIZE) == 0, "untraced cat did not copy stdin");
	cr_assert(t.out_len == u.out_len && memcmp(t.out, u.out, u.out_len) == 0,
		  "cat under procwatch wrote %zu bytes, not its %zu bytes of stdin",
		  t.out_len, u.out_len);
	free((char *)to.stdin_data);
	pw_run_free(&t);
	pw_run_free(&u);
}

/* ---- exit status ---- */

static void
check_status_passed(const char *const *args)
{
	struct pw_run r;

	pw_run("pw_exit_code", args, NULL, &r);
	pw_check_trace_wellformed(&r);
	/* Same status (exit code, or death by the same signal) as untraced. */
	pw_run_compare("pw_exit_code", args, &r);
	pw_run_free(&r);
}

Test(transparency, exit_status_is_the_commands)
{
	static const char *const codes[] = { "0", "1", "42", "255" };
	const char *args[3] = { NULL };
	size_t i;

	pw_require_ptrace();
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		args[0] = codes[i];
		check_status_passed(args);
	}
	args[0] = "signal";
	args[1] = "SIGSEGV";
	check_status_passed(args);
}
