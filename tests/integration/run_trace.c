/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The integration-test harness (see run_trace.h): spawns procwatch on a
 * helper with stdout on a pipe, stderr and the facts fd (3) on unlinked
 * temporary files and the JSON Lines trace in a temporary file, then parses
 * every trace line with jansson and offers queries and the checks that
 * every traced run must pass.  A run can be split (pw_run_start, then
 * pw_run_finish) for a test that acts while it goes on.  Nothing here
 * sleeps or depends on timing: the harness reads stdout to EOF, then waits
 * for procwatch.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "run_trace.h"

/* Harness fds live at or above this number so dup2 onto 0..3 never aliases. */
#define HIGH_FD 10

/* ---- small utilities ---- */

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	cr_assert(p, "out of memory");
	return p;
}

static void *
xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	cr_assert(p, "out of memory");
	return p;
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	cr_assert(p, "out of memory");
	return p;
}

/* Moves fd to a close-on-exec descriptor >= HIGH_FD. */
static int
high_fd(int fd)
{
	int nfd;

	cr_assert(fd >= 0, "harness: %s", strerror(errno));
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, HIGH_FD);
	cr_assert(nfd >= 0, "harness: F_DUPFD_CLOEXEC: %s", strerror(errno));
	close(fd);
	return nfd;
}

static const char *
tmpdir(void)
{
	const char *d = getenv("TMPDIR");

	return d && *d ? d : "/tmp";
}

/* An unlinked temporary file, open read-write, close-on-exec. */
static int
anon_tmpfile(void)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/pw-itest-XXXXXX", tmpdir());
	fd = mkostemp(path, O_CLOEXEC);
	cr_assert(fd >= 0, "harness: mkostemp %s: %s", path, strerror(errno));
	unlink(path);
	return high_fd(fd);
}

/*
 * Reads fd to EOF after the n bytes already in buf (malloc'd, or NULL with
 * n 0) into a NUL-terminated malloc'd buffer.  A file is read with pread
 * from offset n (the offset the child left does not matter); a pipe as it
 * comes, to EOF, so a chatty helper never blocks on a full pipe.
 */
static char *
slurp(int fd, bool file, char *buf, size_t n, size_t *len)
{
	size_t cap = n + 4096;
	ssize_t got;

	buf = xrealloc(buf, cap);
	for (;;) {
		if (cap - n < 2048) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		got = file ? pread(fd, buf + n, cap - n - 1, (off_t)n)
			   : read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		cr_assert(got >= 0, "harness: read: %s", strerror(errno));
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* ---- ptrace availability ---- */

void
pw_require_ptrace(void)
{
	int p[2], err = 0;
	pid_t pid;
	char c;

	cr_assert(pipe2(p, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) != 0)
		err = errno;
	/* SIGKILL ends a seized tracee as well; __WALL reaps it either way. */
	kill(pid, SIGKILL);
	close(p[1]);
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	if (err == EPERM || err == EACCES)
		cr_skip_test("ptrace not permitted: PTRACE_SEIZE: %s "
			     "(check /proc/sys/kernel/yama/ptrace_scope, seccomp "
			     "or container policy)", strerror(err));
	cr_assert(err == 0, "PTRACE_SEIZE failed: %s", strerror(err));
}

/* ---- running ---- */

static const char *
env_or_fail(const char *name)
{
	const char *v = getenv(name);

	cr_assert(v && *v, "environment variable %s is not set "
		  "(run the integration tests through meson test)", name);
	return v;
}

static size_t
strv_len(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static char *
helper_path(const char *helper)
{
	const char *dir;
	char *p;

	if (helper[0] == '/')
		return xstrdup(helper);
	dir = env_or_fail("PW_HELPER_DIR");
	cr_assert(asprintf(&p, "%s/%s", dir, helper) > 0, "out of memory");
	return p;
}

/* argv for the run: procwatch's options then the command, or the command. */
static char **
build_argv(const char *prog, const char *const *args,
	   const struct pw_run_opts *opts, const char *trace_path)
{
	size_t nextra = strv_len(opts->procwatch_args), nargs = strv_len(args);
	char **argv = xcalloc(nextra + nargs + 8, sizeof(*argv));
	const char *ns = getenv("PW_TEST_NO_SECCOMP");
	size_t i, k = 0;

	if (!opts->untraced) {
		argv[k++] = (char *)env_or_fail("PROCWATCH");
		argv[k++] = "--json";
		argv[k++] = "-o";
		argv[k++] = (char *)trace_path;
		if (ns && strcmp(ns, "1") == 0)
			argv[k++] = "--no-seccomp";
		for (i = 0; i < nextra; i++)
			argv[k++] = (char *)opts->procwatch_args[i];
		argv[k++] = "--";
	}
	argv[k++] = (char *)prog;
	for (i = 0; i < nargs; i++)
		argv[k++] = (char *)args[i];
	argv[k] = NULL;
	return argv;
}

/* The command procwatch runs (what start.argv must show), owned copy. */
static char **
command_argv(const char *prog, const char *const *args)
{
	size_t nargs = strv_len(args), i;
	char **v = xcalloc(nargs + 2, sizeof(*v));

	v[0] = xstrdup(prog);
	for (i = 0; i < nargs; i++)
		v[i + 1] = xstrdup(args[i]);
	return v;
}

struct child_fds {
	int in, out, err, facts;
};

/*
 * In the forked child: stdio and fd 3 in place, everything else closed,
 * signals as a shell would leave them (exec keeps ignored dispositions and
 * the mask, and Criterion's may differ), then exec.
 */
static void __attribute__((noreturn))
exec_child(char **argv, char **envp, const struct child_fds *f,
	   int (*setup)(void), pid_t parent)
{
	sigset_t all;
	int sig;

	if (dup2(f->in, 0) < 0 || dup2(f->out, 1) < 0 || dup2(f->err, 2) < 0 ||
	    dup2(f->facts, 3) < 0)
		_exit(126);
	close_range(4, ~0U, 0);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (setup && setup() < 0) {
		dprintf(2, "harness: child setup: %s\n", strerror(errno));
		_exit(126);
	}
	/*
	 * A test killed by its timeout must not leave procwatch (and, through
	 * PTRACE_O_EXITKILL, its tracees) running on a CI machine: die with
	 * the test.  PR_SET_PDEATHSIG survives exec (prctl(2)); if the test is
	 * already gone, the parent is no longer the one that forked us.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(126);
	if (envp)
		execve(argv[0], argv, envp);
	else
		execv(argv[0], argv);
	dprintf(2, "harness: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int
stdin_fd(const char *data)
{
	size_t len, off = 0;
	ssize_t w;
	int fd;

	if (!data)
		return high_fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
	fd = anon_tmpfile();
	len = strlen(data);
	while (off < len) {
		w = write(fd, data + off, len - off);
		cr_assert(w > 0, "harness: write stdin: %s", strerror(errno));
		off += (size_t)w;
	}
	cr_assert(lseek(fd, 0, SEEK_SET) == 0, "harness: lseek");
	return fd;
}

/* An empty file for the trace, named so procwatch can open it with -o. */
static void
trace_file(char *path, size_t size)
{
	int fd;

	snprintf(path, size, "%s/pw-trace-XXXXXX", tmpdir());
	fd = mkostemp(path, O_CLOEXEC);
	cr_assert(fd >= 0, "harness: mkostemp: %s", strerror(errno));
	close(fd);
}

pid_t
pw_run_start(const char *helper, const char *const *args,
	     const struct pw_run_opts *opts, struct pw_run_handle *h)
{
	static const struct pw_run_opts none;
	struct child_fds f;
	char **argv, *prog;
	pid_t parent;
	int p[2];

	if (!opts)
		opts = &none;
	memset(h, 0, sizeof(*h));
	h->untraced = opts->untraced;
	prog = helper_path(helper);
	trace_file(h->trace_path, sizeof(h->trace_path));
	argv = build_argv(prog, args, opts, h->trace_path);
	h->argv = command_argv(prog, args);

	cr_assert(pipe2(p, O_CLOEXEC) == 0, "harness: pipe: %s", strerror(errno));
	p[0] = high_fd(p[0]);
	p[1] = high_fd(p[1]);
	f.in = stdin_fd(opts->stdin_data);
	f.out = p[1];
	f.err = h->err = anon_tmpfile();
	f.facts = h->facts = anon_tmpfile();
	/* O_APPEND: helpers' processes share the description; lines never overlap. */
	fcntl(f.facts, F_SETFL, O_APPEND);

	parent = getpid();
	h->pid = fork();
	cr_assert(h->pid >= 0, "harness: fork: %s", strerror(errno));
	if (h->pid == 0)
		exec_child(argv, NULL, &f, opts->child_setup, parent);
	close(p[1]);
	close(f.in);
	h->out = p[0];
	free(argv);
	free(prog);
	return h->pid;
}

/* Keeps room for one more byte and the NUL in h->head. */
static void
head_reserve(struct pw_run_handle *h)
{
	if (h->head_len + 2 <= h->head_cap)
		return;
	h->head_cap = h->head_cap ? 2 * h->head_cap : 128;
	h->head = xrealloc(h->head, h->head_cap);
}

/* Byte by byte: whatever follows the line must stay in the pipe. */
const char *
pw_run_read_line(struct pw_run_handle *h)
{
	size_t start = h->head_len;
	ssize_t n;
	char c;

	head_reserve(h);
	for (;;) {
		n = read(h->out, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		cr_assert(n >= 0, "harness: read stdout: %s", strerror(errno));
		if (n == 0)
			break;
		head_reserve(h);
		h->head[h->head_len++] = c;
		if (c == '\n')
			break;
	}
	h->head[h->head_len] = '\0';
	return h->head + start;
}

static void parse_trace(struct pw_run *r, const char *path);

int
pw_run_finish(struct pw_run_handle *h, struct pw_run *out)
{
	memset(out, 0, sizeof(*out));
	out->untraced = h->untraced;
	out->argv = h->argv;
	/* stdout to EOF first: the command may block on a full pipe till then. */
	out->out = slurp(h->out, false, h->head, h->head_len, &out->out_len);
	close(h->out);
	while (waitpid(h->pid, &out->status, 0) < 0)
		cr_assert(errno == EINTR, "harness: waitpid: %s", strerror(errno));
	out->err = slurp(h->err, true, NULL, 0, &out->err_len);
	out->facts = slurp(h->facts, true, NULL, 0, &out->facts_len);
	close(h->err);
	close(h->facts);
	if (!h->untraced)
		parse_trace(out, h->trace_path);
	unlink(h->trace_path);
	memset(h, 0, sizeof(*h));
	return out->status;
}

int
pw_run(const char *helper, const char *const *args,
       const struct pw_run_opts *opts, struct pw_run *out)
{
	struct pw_run_handle h;

	pw_run_start(helper, args, opts, &h);
	return pw_run_finish(&h, out);
}

/*
 * Every line must be one JSON object (procwatch(1): "always valid JSON"); a
 * final line without its newline means procwatch did not flush a whole
 * line.  Duplicate keys are rejected: a reader could pick either value.
 */
/* Appends one trace line (without its newline) to r->events. */
static void
parse_line(struct pw_run *r, const char *line)
{
	json_error_t jerr;
	json_t *ev;

	ev = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	cr_assert(ev, "trace line %zu is not valid JSON (%s at column %d): %s",
		  r->nevents + 1, jerr.text, jerr.column, line);
	cr_assert(json_is_object(ev), "trace line %zu is not an object: %s",
		  r->nevents + 1, line);
	/* Grown in powers of two from 64. */
	if (r->nevents >= 64 && (r->nevents & (r->nevents - 1)) == 0)
		r->events = xrealloc(r->events, 2 * r->nevents * sizeof(*r->events));
	else if (!r->events)
		r->events = xcalloc(64, sizeof(*r->events));
	r->events[r->nevents++] = ev;
}

static void
parse_trace(struct pw_run *r, const char *path)
{
	size_t len;
	char *buf, *line, *nl;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	cr_assert(fd >= 0, "trace file %s: %s", path, strerror(errno));
	buf = slurp(fd, true, NULL, 0, &len);
	close(fd);
	/* For debugging a failure: PW_TEST_SHOW_TRACE=1 prints the raw trace. */
	if (getenv("PW_TEST_SHOW_TRACE"))
		fprintf(stderr, "--- trace of %s ---\n%s--- end of trace ---\n",
			r->argv ? r->argv[0] : "procwatch -p", buf);
	r->events = xcalloc(64, sizeof(*r->events));
	for (line = buf; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		cr_assert(nl, "trace line %zu has no newline (truncated?): %s",
			  r->nevents + 1, line);
		*nl = '\0';
		parse_line(r, line);
	}
	free(buf);
}

/* ---- attach mode ---- */

long long
pw_run_fact_now(struct pw_run_handle *h, const char *key)
{
	struct pw_run r = { 0 };
	long long v;

	r.facts = slurp(h->facts, true, NULL, 0, &r.facts_len);
	v = pw_facts_get_int(&r, key);
	free(r.facts);
	return v;
}

size_t
pw_run_facts_now(struct pw_run_handle *h, const char *key, long long *vals,
		 size_t max)
{
	struct pw_run r = { 0 };
	size_t n;

	r.facts = slurp(h->facts, true, NULL, 0, &r.facts_len);
	n = pw_facts_get_all(&r, key, vals, max);
	free(r.facts);
	return n;
}

pid_t
pw_attach_helper(const char *helper, const char *const *args,
		 struct pw_run_handle *h)
{
	struct pw_run_opts o = { .untraced = true };
	const char *line;
	char *end;
	long pid;

	pw_run_start(helper, args, &o, h);
	line = pw_run_read_line(h);
	cr_assert(strchr(line, '\n'), "%s ended before saying ready (got \"%s\")",
		  helper, line);
	cr_assert(strncmp(line, "ready ", 6) == 0, "%s is not ready: %s", helper,
		  line);
	pid = strtol(line + 6, &end, 10);
	cr_assert(pid == h->pid && *end == '\n', "bad ready line: %s", line);
	return (pid_t)pid;
}

static int
pidfd_of(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	cr_assert(fd >= 0, "harness: pidfd_open(%d): %s", (int)pid, strerror(errno));
	return high_fd(fd);
}

/* Milliseconds left before deadline (CLOCK_MONOTONIC), at least 0. */
static int
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000LL +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

static void
deadline_in(struct timespec *d, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, d);
	d->tv_sec += ms / 1000;
	d->tv_nsec += (long)(ms % 1000) * 1000000;
	if (d->tv_nsec >= 1000000000) {
		d->tv_sec++;
		d->tv_nsec -= 1000000000;
	}
}

/* Whether fd (a pidfd) says its process ended, waiting at most ms. */
static bool
pidfd_ended(int pidfd, int ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int n;

	while ((n = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	return n == 1;
}

/*
 * hold_exit's stderr: a pipe shrunk to one page (fcntl(2), F_SETPIPE_SZ)
 * and filled up, so that procwatch's first write to it blocks until the
 * test reads.  Returns the read end; *wfd is the write end for procwatch.
 */
static int
held_stderr(int *wfd, size_t *filler)
{
	static const char junk[512] = { 0 };
	size_t chunk = sizeof(junk);
	int p[2];
	ssize_t w;

	cr_assert(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0, "harness: pipe: %s",
		  strerror(errno));
	(void)fcntl(p[1], F_SETPIPE_SZ, 4096);
	*filler = 0;
	/* Whole chunks, then bytes: a write of up to PIPE_BUF is all or nothing. */
	while (chunk) {
		w = write(p[1], junk, chunk);
		if (w > 0)
			*filler += (size_t)w;
		else if (w < 0 && errno == EAGAIN)
			chunk = chunk > 1 ? 1 : 0;
		else
			cr_assert_fail("harness: filling a pipe: %s", strerror(errno));
	}
	/* procwatch must block on it, not fail with EAGAIN. */
	cr_assert(fcntl(p[1], F_SETFL, 0) == 0 && fcntl(p[0], F_SETFL, 0) == 0,
		  "harness: fcntl: %s", strerror(errno));
	*wfd = high_fd(p[1]);
	return high_fd(p[0]);
}

/* The environment with PROCWATCH_STATS=1 added (the pointers are shared). */
static char **
env_with_stats(void)
{
	extern char **environ;
	size_t n = 0, i, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = xcalloc(n + 2, sizeof(*env));
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "PROCWATCH_STATS=", 16) != 0)
			env[k++] = environ[i];
	env[k++] = "PROCWATCH_STATS=1";
	env[k] = NULL;
	return env;
}

/* "-p" and "PID,PID,..." after procwatch's usual options and opts's. */
static char **
attach_argv(const pid_t *pids, size_t npids, const struct pw_attach_opts *opts,
	    const char *trace_path, char **list)
{
	size_t nextra = strv_len(opts->procwatch_args), i, k = 0, len = 0;
	char **argv = xcalloc(nextra + 8, sizeof(*argv));
	const char *ns = getenv("PW_TEST_NO_SECCOMP");

	*list = xcalloc(npids, 12);
	for (i = 0; i < npids; i++)
		len += (size_t)sprintf(*list + len, "%s%d", i ? "," : "", (int)pids[i]);
	argv[k++] = (char *)env_or_fail("PROCWATCH");
	argv[k++] = "--json";
	argv[k++] = "-o";
	argv[k++] = (char *)trace_path;
	/* It changes nothing with -p (no filter in a running process): check. */
	if (ns && strcmp(ns, "1") == 0)
		argv[k++] = "--no-seccomp";
	for (i = 0; i < nextra; i++)
		argv[k++] = (char *)opts->procwatch_args[i];
	argv[k++] = "-p";
	argv[k++] = *list;
	argv[k] = NULL;
	return argv;
}

pid_t
pw_attach_start(const pid_t *pids, size_t npids,
		const struct pw_attach_opts *opts, struct pw_attach *a)
{
	static const struct pw_attach_opts none;
	struct child_fds f;
	char **argv, **envp = NULL, *list;
	pid_t parent;

	if (!opts)
		opts = &none;
	memset(a, 0, sizeof(*a));
	a->pids = xcalloc(npids, sizeof(*a->pids));
	memcpy(a->pids, pids, npids * sizeof(*pids));
	a->npids = npids;
	trace_file(a->trace_path, sizeof(a->trace_path));
	if (opts->trace_for_anyone)
		cr_assert(chmod(a->trace_path, 0666) == 0, "harness: chmod: %s",
			  strerror(errno));
	argv = attach_argv(pids, npids, opts, a->trace_path, &list);
	f.in = f.out = f.facts = high_fd(open("/dev/null", O_RDWR | O_CLOEXEC));
	if (opts->hold_exit) {
		a->err = held_stderr(&f.err, &a->err_filler);
		envp = env_with_stats();
	} else {
		a->err = f.err = anon_tmpfile();
	}
	parent = getpid();
	a->pid = fork();
	cr_assert(a->pid >= 0, "harness: fork: %s", strerror(errno));
	if (a->pid == 0)
		exec_child(argv, envp, &f, opts->child_setup, parent);
	close(f.in);
	if (opts->hold_exit)
		close(f.err);
	a->pidfd = pidfd_of(a->pid);
	free(argv);
	free(envp);
	free(list);
	return a->pid;
}

/* Parses the whole lines procwatch has added to the trace since last time. */
static void
read_live(struct pw_attach *a)
{
	char buf[65536], *line, *nl;
	size_t used;
	ssize_t n;
	int fd = open(a->trace_path, O_RDONLY | O_CLOEXEC);

	cr_assert(fd >= 0, "trace file %s: %s", a->trace_path, strerror(errno));
	while ((n = pread(fd, buf, sizeof(buf), a->read_off)) > 0) {
		a->read_off += n;
		a->pending = xrealloc(a->pending, a->pending_len + (size_t)n + 1);
		memcpy(a->pending + a->pending_len, buf, (size_t)n);
		a->pending_len += (size_t)n;
	}
	close(fd);
	if (!a->pending)
		return;
	a->pending[a->pending_len] = '\0';
	for (line = a->pending; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		parse_line(&a->live, line);
	}
	used = (size_t)(line - a->pending);
	memmove(a->pending, line, a->pending_len - used + 1);
	a->pending_len -= used;
}

/* pid is in write(2) on fd 2 (/proc/PID/syscall: the number, then the arguments). */
static bool
writing_stderr(pid_t pid)
{
	char path[64], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strncmp(buf, "1 0x2 ", 6) == 0;
}

/*
 * hold_exit: procwatch writes on its stderr, a full pipe, so it blocks
 * there.  Only the stats line after the end event is expected: anything
 * earlier fails the test, saying what it was (read for up to a second).
 */
static void
check_held_stderr(struct pw_attach *a)
{
	size_t cap = a->err_filler + 4096, len = 0;
	struct pollfd p = { .fd = a->err, .events = POLLIN };
	char *buf;
	ssize_t got;

	if (!a->err_filler || !writing_stderr(a->pid))
		return;
	/* The trace is written first: an end event means it is the stats line. */
	read_live(a);
	if (pw_trace_has_end(&a->live, NULL))
		return;
	buf = xcalloc(1, cap);
	while (len + 1 < cap && poll(&p, 1, 1000) == 1 &&
	       (got = read(a->err, buf + len, cap - len - 1)) > 0) {
		len += (size_t)got;
		buf[len] = '\0';
		if (len > a->err_filler && strchr(buf + a->err_filler, '\n'))
			break;
	}
	cr_assert_fail("procwatch wrote on stderr while attached: %s",
		       len > a->err_filler ? buf + a->err_filler : "");
}

bool
pw_attach_wait_trace(struct pw_attach *a,
		     bool (*cond)(const struct pw_run *trace, void *data),
		     void *data)
{
	struct timespec deadline;
	struct pollfd p[2];
	char events[4096];
	int ino, n, wait_ms;

	deadline_in(&deadline, PW_ATTACH_TIMEOUT_MS);
	ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	cr_assert(ino >= 0, "harness: inotify_init1: %s", strerror(errno));
	/* Watched before each read, so that no write goes unnoticed. */
	cr_assert(inotify_add_watch(ino, a->trace_path, IN_MODIFY) >= 0,
		  "harness: inotify_add_watch: %s", strerror(errno));
	for (;;) {
		read_live(a);
		if (cond(&a->live, data))
			break;
		p[0] = (struct pollfd){ .fd = ino, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = a->pidfd, .events = POLLIN };
		/* A held stderr is looked at every 50 ms: procwatch may block on it. */
		wait_ms = ms_left(&deadline);
		if (a->err_filler && wait_ms > 50)
			wait_ms = 50;
		n = poll(p, 2, wait_ms);
		if (n < 0 && errno == EINTR)
			continue;
		cr_assert(n >= 0, "harness: poll: %s", strerror(errno));
		check_held_stderr(a);
		if (n == 0 && ms_left(&deadline) > 0)
			continue;
		if (n == 0 || (p[1].revents & POLLIN)) {
			/* Timed out, or procwatch ended: what it wrote is all. */
			read_live(a);
			close(ino);
			return cond(&a->live, data);
		}
		while (read(ino, events, sizeof(events)) > 0)
			;
	}
	close(ino);
	return true;
}

bool
pw_trace_has_attaches(const struct pw_run *trace, void *data)
{
	return pw_event_count(trace, "attach") >= *(size_t *)data;
}

bool
pw_trace_has_spawns(const struct pw_run *trace, void *data)
{
	return pw_event_count(trace, "spawn") >= *(size_t *)data;
}

bool
pw_trace_has_end(const struct pw_run *trace, void *data)
{
	(void)data;
	return pw_event_count(trace, "end") > 0;
}

/* hold_exit: reads stderr to EOF, killing procwatch at the deadline. */
static void
drain_held_stderr(struct pw_attach *a, const struct timespec *deadline,
		  bool *killed)
{
	struct pollfd p = { .fd = a->err, .events = POLLIN };
	size_t cap = a->err_filler + 4096, len = 0;
	char *buf = xcalloc(1, cap);
	ssize_t got;
	int n;

	for (;;) {
		n = poll(&p, 1, *killed ? -1 : ms_left(deadline));
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			kill(a->pid, SIGKILL);
			*killed = true;
			continue;
		}
		if (len + 1024 > cap)
			buf = xrealloc(buf, cap *= 2);
		got = read(a->err, buf + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	cr_assert(len >= a->err_filler, "harness: the held stderr lost bytes");
	a->err_len = len - a->err_filler;
	memmove(buf, buf + a->err_filler, a->err_len);
	buf[a->err_len] = '\0';
	a->err_text = buf;
}

int
pw_attach_wait_exit(struct pw_attach *a)
{
	struct timespec deadline;
	bool killed = false;

	if (a->ended)
		return a->status;
	deadline_in(&deadline, PW_ATTACH_TIMEOUT_MS);
	if (a->err_filler)
		drain_held_stderr(a, &deadline, &killed);
	else if (!pidfd_ended(a->pidfd, PW_ATTACH_TIMEOUT_MS)) {
		kill(a->pid, SIGKILL);
		killed = true;
	}
	while (waitpid(a->pid, &a->status, 0) < 0)
		cr_assert(errno == EINTR, "harness: waitpid: %s", strerror(errno));
	a->ended = true;
	close(a->pidfd);
	cr_assert(!killed, "procwatch was still running %d ms after it should "
		  "have ended, and was killed", PW_ATTACH_TIMEOUT_MS);
	return a->status;
}

/* The stats line hold_exit asked for is the harness's, not procwatch's word. */
static void
drop_stats_line(char *err, size_t *len)
{
	char *line = strstr(err, "procwatch: stats:"), *nl;

	if (!line || (line != err && line[-1] != '\n'))
		return;
	nl = strchr(line, '\n');
	nl = nl ? nl + 1 : line + strlen(line);
	memmove(line, nl, strlen(nl) + 1);
	*len = strlen(err);
}

/* The helper must end by itself now; if not, both are killed and the test fails. */
static void
helper_must_end(struct pw_attach *a, struct pw_run_handle *helper)
{
	int pidfd = pidfd_of(helper->pid);
	bool ended = pidfd_ended(pidfd, PW_ATTACH_TIMEOUT_MS);

	close(pidfd);
	if (ended)
		return;
	kill(helper->pid, SIGKILL);
	if (!a->ended)
		kill(a->pid, SIGKILL);
	cr_assert_fail("the helper %d was still running %d ms after it should "
		       "have ended, and was killed", (int)helper->pid,
		       PW_ATTACH_TIMEOUT_MS);
}

void
pw_attach_finish(struct pw_attach *a, struct pw_run_handle *helper,
		 struct pw_run *out)
{
	cr_assert(!a->err_filler || a->ended, "harness: with hold_exit, "
		  "pw_attach_wait_exit comes before pw_attach_finish");
	if (helper) {
		helper_must_end(a, helper);
		pw_run_finish(helper, out);
		out->helper_status = out->status;
		out->helper_err = out->err;
	} else {
		memset(out, 0, sizeof(*out));
	}
	out->status = pw_attach_wait_exit(a);
	out->untraced = false;
	if (a->err_filler) {
		out->err = a->err_text;
		out->err_len = a->err_len;
		drop_stats_line(out->err, &out->err_len);
	} else {
		out->err = slurp(a->err, true, NULL, 0, &out->err_len);
	}
	close(a->err);
	out->tracer = a->pid;
	out->attach_pids = a->pids;
	out->nattach = a->npids;
	parse_trace(out, a->trace_path);
	unlink(a->trace_path);
	for (size_t i = 0; i < a->live.nevents; i++)
		json_decref(a->live.events[i]);
	free(a->live.events);
	free(a->pending);
	memset(a, 0, sizeof(*a));
}

long
pw_tracer_of(pid_t tid)
{
	char path[64], buf[2048], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nTracerPid:");
	cr_assert(p, "no TracerPid in %s", path);
	return strtol(p + 11, NULL, 10);
}

char
pw_proc_state(pid_t pid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The state follows the comm in parentheses, which may hold ')'. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

void
pw_run_free(struct pw_run *r)
{
	size_t i;

	for (i = 0; i < r->nevents; i++)
		json_decref(r->events[i]);
	for (i = 0; r->argv && r->argv[i]; i++)
		free(r->argv[i]);
	free(r->argv);
	free(r->events);
	free(r->out);
	free(r->err);
	free(r->facts);
	free(r->attach_pids);
	free(r->helper_err);
	memset(r, 0, sizeof(*r));
}

/* "exited 3" / "killed 9": wait statuses compared without the core bit. */
static void
describe_status(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "raw status 0x%x", status);
}

void
pw_run_compare(const char *helper, const char *const *args,
	       struct pw_run *traced)
{
	struct pw_run_opts o = { .untraced = true };
	struct pw_run u;
	char st[64], su[64];

	pw_run(helper, args, &o, &u);
	describe_status(traced->status, st, sizeof(st));
	describe_status(u.status, su, sizeof(su));
	cr_assert_str_eq(st, su, "%s: status under procwatch (%s) differs from "
			 "untraced (%s); procwatch stderr: %s", helper, st, su,
			 traced->err);
	cr_assert(traced->out_len == u.out_len &&
		  memcmp(traced->out, u.out, u.out_len) == 0,
		  "%s: stdout under procwatch differs from untraced:\n"
		  "--- traced ---\n%s\n--- untraced ---\n%s", helper,
		  traced->out, u.out);
	pw_run_free(&u);
}

/* ---- event accessors ---- */

const char *
pw_ev_dump(const json_t *ev)
{
	static char bufs[4][2048];
	static unsigned next;
	char *b = bufs[next++ % 4];
	char *s = ev ? json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) : NULL;

	snprintf(b, sizeof(bufs[0]), "%s", s ? s : "(null)");
	free(s);
	return b;
}

const char *
pw_ev_kind(const json_t *ev)
{
	const json_t *k = json_object_get(ev, "event");

	return json_is_string(k) ? json_string_value(k) : "";
}

bool
pw_ev_has(const json_t *ev, const char *key)
{
	return json_object_get(ev, key) != NULL;
}

long long
pw_ev_int(const json_t *ev, const char *key)
{
	const json_t *v = json_object_get(ev, key);

	cr_assert(json_is_integer(v), "event has no integer \"%s\": %s", key,
		  pw_ev_dump(ev));
	return json_integer_value(v);
}

bool
pw_ev_bool(const json_t *ev, const char *key)
{
	const json_t *v = json_object_get(ev, key);

	cr_assert(!v || json_is_boolean(v), "\"%s\" is not a boolean: %s", key,
		  pw_ev_dump(ev));
	return json_is_true(v);
}

const char *
pw_ev_str(const json_t *ev, const char *key)
{
	const json_t *v = json_object_get(ev, key);

	cr_assert(json_is_string(v), "event has no string \"%s\": %s", key,
		  pw_ev_dump(ev));
	return json_string_value(v);
}

static bool
ev_matches(const json_t *ev, const char *kind, pid_t pid)
{
	const json_t *p;

	if (kind && strcmp(pw_ev_kind(ev), kind) != 0)
		return false;
	if (pid < 0)
		return true;
	p = json_object_get(ev, "pid");
	return json_is_integer(p) && json_integer_value(p) == pid;
}

json_t *
pw_event_next(const struct pw_run *r, const char *kind, size_t *i)
{
	while (*i < r->nevents) {
		json_t *ev = r->events[(*i)++];

		if (ev_matches(ev, kind, -1))
			return ev;
	}
	return NULL;
}

json_t *
pw_event_find(const struct pw_run *r, const char *kind, pid_t pid)
{
	size_t i;

	for (i = 0; i < r->nevents; i++)
		if (ev_matches(r->events[i], kind, pid))
			return r->events[i];
	return NULL;
}

size_t
pw_event_count(const struct pw_run *r, const char *kind)
{
	size_t i, n = 0;

	for (i = 0; i < r->nevents; i++)
		n += ev_matches(r->events[i], kind, -1);
	return n;
}

size_t
pw_event_index(const struct pw_run *r, const json_t *ev)
{
	size_t i;

	for (i = 0; i < r->nevents; i++)
		if (r->events[i] == ev)
			return i;
	cr_assert_fail("event not in the trace: %s", pw_ev_dump(ev));
	return 0;
}

/* The integer member key of ev, or def when absent or not an integer. */
static long long
int_or(const json_t *ev, const char *key, long long def)
{
	const json_t *v = json_object_get(ev, key);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

json_t *
pw_spawn_of(const struct pw_run *r, pid_t tid)
{
	size_t i = 0;
	json_t *ev;

	while ((ev = pw_event_next(r, "spawn", &i)))
		if (int_or(ev, "child", -1) == tid)
			return ev;
	return NULL;
}

json_t *
pw_exit_of(const struct pw_run *r, pid_t tid)
{
	size_t i = 0;
	json_t *ev;

	while ((ev = pw_event_next(r, "exit", &i)))
		if (int_or(ev, "tid", -1) == tid)
			return ev;
	return NULL;
}

size_t
pw_exit_count(const struct pw_run *r, pid_t tid)
{
	size_t i = 0, n = 0;
	json_t *ev;

	while ((ev = pw_event_next(r, "exit", &i)))
		n += int_or(ev, "tid", -1) == tid;
	return n;
}

/* A wait event that reported pid as exited or killed (it was reaped). */
static bool
is_reap_of(const json_t *ev, pid_t pid)
{
	const json_t *st = json_object_get(ev, "status"), *k;

	if (int_or(ev, "result", -1) != pid || !json_is_object(st))
		return false;
	k = json_object_get(st, "kind");
	if (!json_is_string(k))
		return false;
	if (strcmp(json_string_value(k), "exited") != 0 &&
	    strcmp(json_string_value(k), "killed") != 0)
		return false;
	/* WNOWAIT leaves the child waitable: that is a peek, not a reap. */
	return !pw_ev_array_has(ev, "options", "WNOWAIT");
}

json_t *
pw_reap_of(const struct pw_run *r, pid_t pid)
{
	size_t i = 0;
	json_t *ev;

	while ((ev = pw_event_next(r, "wait", &i)))
		if (is_reap_of(ev, pid))
			return ev;
	return NULL;
}

size_t
pw_reap_count(const struct pw_run *r, pid_t pid)
{
	size_t i = 0, n = 0;
	json_t *ev;

	while ((ev = pw_event_next(r, "wait", &i)))
		n += is_reap_of(ev, pid);
	return n;
}

json_t *
pw_exec_ok_nth(const struct pw_run *r, pid_t pid, size_t n)
{
	size_t i = 0;
	json_t *ev;

	while ((ev = pw_event_next(r, "exec", &i)))
		if (int_or(ev, "pid", -1) == pid && int_or(ev, "result", -1) == 0 &&
		    n-- == 0)
			return ev;
	return NULL;
}

size_t
pw_exec_ok_count(const struct pw_run *r, pid_t pid)
{
	size_t n = 0;

	while (pw_exec_ok_nth(r, pid, n))
		n++;
	return n;
}

void
pw_assert_argv(const json_t *ev, const char *const *argv)
{
	const json_t *a = json_object_get(ev, "argv");
	size_t n = strv_len(argv), i;

	cr_assert(json_is_array(a), "no argv array: %s", pw_ev_dump(ev));
	cr_assert(json_array_size(a) == n, "argv has %zu elements, expected %zu: %s",
		  json_array_size(a), n, pw_ev_dump(ev));
	for (i = 0; i < n; i++) {
		const json_t *s = json_array_get(a, i);

		cr_assert(json_is_string(s) && strcmp(json_string_value(s), argv[i]) == 0,
			  "argv[%zu] is not \"%s\": %s", i, argv[i], pw_ev_dump(ev));
	}
}

bool
pw_ev_array_has(const json_t *ev, const char *key, const char *s)
{
	const json_t *a = json_object_get(ev, key), *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

void
pw_assert_status_exited(const json_t *status, int code)
{
	const json_t *k = json_object_get(status, "kind");

	cr_assert(json_is_string(k) && strcmp(json_string_value(k), "exited") == 0 &&
		  int_or(status, "code", -1) == code,
		  "status is not {\"kind\":\"exited\",\"code\":%d}: %s", code,
		  pw_ev_dump(status));
}

void
pw_assert_exit_code(const struct pw_run *r, pid_t p, int code)
{
	json_t *ex = pw_exit_of(r, p);

	cr_assert(ex, "no exit event for %d", (int)p);
	cr_assert(int_or(ex, "code", -1) == code && !pw_ev_has(ex, "signal"),
		  "exit of %d: expected code %d: %s", (int)p, code, pw_ev_dump(ex));
}

/* ---- facts ---- */

/* Calls fn on the value of every "key=value" line whose key is key. */
static size_t
facts_each(const struct pw_run *r, const char *key,
	   void (*fn)(const char *val, size_t len, size_t idx, void *data),
	   void *data)
{
	size_t klen = strlen(key), n = 0;
	const char *line = r->facts, *nl;

	while (line && *line) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		if ((size_t)(nl - line) > klen && strncmp(line, key, klen) == 0 &&
		    line[klen] == '=') {
			if (fn)
				fn(line + klen + 1, (size_t)(nl - line) - klen - 1, n,
				   data);
			n++;
		}
		line = *nl ? nl + 1 : nl;
	}
	return n;
}

bool
pw_facts_has(const struct pw_run *r, const char *key)
{
	return facts_each(r, key, NULL, NULL) > 0;
}

struct ints {
	long long *vals;
	size_t max;
	const char *key;
};

static void
collect_int(const char *val, size_t len, size_t idx, void *data)
{
	struct ints *c = data;
	char buf[64], *end;
	long long v;

	cr_assert(len > 0 && len < sizeof(buf), "fact %s has a bad value", c->key);
	memcpy(buf, val, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 0);
	cr_assert(errno == 0 && *end == '\0', "fact %s=%s is not an integer",
		  c->key, buf);
	if (idx < c->max)
		c->vals[idx] = v;
}

size_t
pw_facts_get_all(const struct pw_run *r, const char *key, long long *vals,
		 size_t max)
{
	struct ints c = { vals, max, key };

	return facts_each(r, key, collect_int, &c);
}

long long
pw_facts_get_int(const struct pw_run *r, const char *key)
{
	long long v = 0;
	size_t n = pw_facts_get_all(r, key, &v, 1);

	cr_assert(n == 1, "fact \"%s\" appears %zu times (expected once); facts:\n%s",
		  key, n, r->facts);
	return v;
}

static void
collect_str(const char *val, size_t len, size_t idx, void *data)
{
	char **out = data;

	if (idx == 0)
		*out = strndup(val, len);
}

char *
pw_facts_get_str(const struct pw_run *r, const char *key)
{
	char *s = NULL;

	facts_each(r, key, collect_str, &s);
	cr_assert(s, "fact \"%s\" is missing; facts:\n%s", key, r->facts);
	return s;
}

/* ---- the process tree ---- */

/*
 * Lookups by tid go through a sorted array so that a 2000-child trace is
 * checked in O(n log n), not O(n^2).
 */
struct pw_tree_idx {
	pid_t tid;
	size_t proc;
};

static int
idx_cmp(const void *a, const void *b)
{
	const struct pw_tree_idx *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

static struct pw_proc *
tree_lookup(const struct pw_tree *t, pid_t tid)
{
	struct pw_tree_idx key = { .tid = tid }, *hit;

	hit = bsearch(&key, t->idx, t->n, sizeof(key), idx_cmp);
	return hit ? &t->procs[hit->proc] : NULL;
}

static void
tree_index(struct pw_tree *t)
{
	size_t i;

	free(t->idx);
	t->idx = xcalloc(t->n, sizeof(*t->idx));
	for (i = 0; i < t->n; i++)
		t->idx[i] = (struct pw_tree_idx){ t->procs[i].tid, i };
	qsort(t->idx, t->n, sizeof(*t->idx), idx_cmp);
	/* pid reuse inside one short test run would make the tree ambiguous. */
	for (i = 1; i < t->n; i++)
		cr_assert(t->idx[i].tid != t->idx[i - 1].tid,
			  "tid %d spawned twice (or spawned and root)",
			  (int)t->idx[i].tid);
}

static void
proc_from_spawn(struct pw_proc *p, json_t *sp, size_t at)
{
	p->spawn = sp;
	p->spawn_at = at;
	p->tid = (pid_t)pw_ev_int(sp, "child");
	p->creator_pid = (pid_t)pw_ev_int(sp, "pid");
	p->creator_tid = (pid_t)pw_ev_int(sp, "tid");
	p->parent = (pid_t)pw_ev_int(sp, "parent");
	p->thread = pw_ev_bool(sp, "thread");
	p->kind = pw_ev_str(sp, "kind");
	p->tgid = p->thread ? p->creator_pid : p->tid;
}

/* The tasks an attach event found: its process, then its other threads. */
static void
procs_from_attach(struct pw_tree *t, json_t *ev, size_t at)
{
	pid_t pid = (pid_t)pw_ev_int(ev, "pid"), tid;
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(ev, "threads"), i, v) {
		tid = (pid_t)json_integer_value(v);
		t->procs[t->n++] = (struct pw_proc){
			.tid = tid, .attach = ev, .attach_at = at, .tgid = pid,
			/* A thread's "parent" is its process, as for a spawn. */
			.parent = tid == pid ? (pid_t)int_or(ev, "parent", 0) : pid,
			.thread = tid != pid, .kind = "attach",
		};
	}
}

/*
 * One proc per successful spawn, and in attach mode per task of each
 * attach event, in trace order; after a launch procs[0] is left for the
 * root.
 */
static void
tree_add_tasks(const struct pw_run *r, struct pw_tree *t, bool attach)
{
	size_t i, cap = pw_event_count(r, "spawn") + 1;

	for (i = 0; attach && i < r->nevents; i++)
		if (strcmp(pw_ev_kind(r->events[i]), "attach") == 0)
			cap += json_array_size(json_object_get(r->events[i], "threads"));
	t->procs = xcalloc(cap, sizeof(*t->procs));
	t->n = attach ? 0 : 1;
	for (i = 0; i < r->nevents; i++) {
		json_t *ev = r->events[i];
		const char *k = pw_ev_kind(ev);

		if (strcmp(k, "spawn") == 0 && pw_ev_has(ev, "child"))
			proc_from_spawn(&t->procs[t->n++], ev, i);
		else if (attach && strcmp(k, "attach") == 0)
			procs_from_attach(t, ev, i);
	}
}

/*
 * The root is the one process id that appears on events but was never a
 * spawn's child.  The start and end lines are skipped: what pid they carry
 * is procwatch's choice, not the tree's.
 */
static pid_t
find_root(const struct pw_run *r, const struct pw_tree *t)
{
	pid_t root = 0, pid;
	size_t i;

	for (i = 0; i < r->nevents; i++) {
		const char *k = pw_ev_kind(r->events[i]);

		if (strcmp(k, "trace") == 0 || strcmp(k, "start") == 0 ||
		    strcmp(k, "end") == 0)
			continue;
		pid = (pid_t)int_or(r->events[i], "pid", 0);
		if (pid <= 0 || pid == root || tree_lookup(t, pid))
			continue;
		cr_assert(root == 0, "two processes without a spawn event: %d and %d "
			  "(the second first seen here: %s)", (int)root, (int)pid,
			  pw_ev_dump(r->events[i]));
		root = pid;
	}
	cr_assert(root > 0, "no root process found in the trace");
	return root;
}

/* One pass: exits, reaps and exec takeovers attached to their tasks. */
static void
tree_add_lifetimes(const struct pw_run *r, struct pw_tree *t)
{
	struct pw_proc *p;
	size_t i;

	for (i = 0; i < r->nevents; i++) {
		json_t *ev = r->events[i];
		const char *k = pw_ev_kind(ev);

		if (strcmp(k, "exit") == 0 &&
		    (p = tree_lookup(t, (pid_t)int_or(ev, "tid", 0)))) {
			if (p->nexits++ == 0) {
				p->exit = ev;
				p->exit_at = i;
			}
		} else if (strcmp(k, "wait") == 0 &&
			   (p = tree_lookup(t, (pid_t)int_or(ev, "result", 0))) &&
			   !p->thread && is_reap_of(ev, p->tid)) {
			if (p->nreaps++ == 0) {
				p->reap = ev;
				p->reap_at = i;
			}
		} else if (strcmp(k, "exec") == 0 &&
			   (p = tree_lookup(t, (pid_t)int_or(ev, "old_tid", 0)))) {
			p->superseded = true;
		}
	}
}

void
pw_tree_build(const struct pw_run *r, struct pw_tree *t)
{
	memset(t, 0, sizeof(*t));
	tree_add_tasks(r, t, r->nattach > 0);
	if (r->nattach) {
		/* Written before procwatch waits for anything: before any spawn. */
		cr_assert(t->n && t->procs[0].attach, "attach mode, but the first "
			  "task of the trace was not attached");
		t->root = t->procs[0].tid;
		tree_index(t);
		tree_add_lifetimes(r, t);
		return;
	}
	/* Index the spawned children first: find_root looks them up. */
	t->procs[0].tid = 0;
	tree_index(t);
	t->root = find_root(r, t);
	t->procs[0] = (struct pw_proc){
		.tid = t->root, .tgid = t->root, .creator_pid = 0, .kind = "root",
	};
	tree_index(t);
	tree_add_lifetimes(r, t);
}

void
pw_tree_free(struct pw_tree *t)
{
	free(t->procs);
	free(t->idx);
	memset(t, 0, sizeof(*t));
}

const struct pw_proc *
pw_tree_find(const struct pw_tree *t, pid_t tid)
{
	return tree_lookup(t, tid);
}

size_t
pw_tree_children(const struct pw_tree *t, pid_t creator, pid_t *out, size_t max)
{
	size_t i, n = 0;

	for (i = 1; i < t->n; i++) {
		if (t->procs[i].thread || t->procs[i].creator_pid != creator)
			continue;
		if (n < max)
			out[n] = t->procs[i].tid;
		n++;
	}
	return n;
}

pid_t
pw_assert_root(const struct pw_run *r, const struct pw_tree *t)
{
	pid_t root = (pid_t)pw_facts_get_int(r, "root");

	cr_assert(t->root == root, "the trace's root is %d, the helper's pid is %d",
		  (int)t->root, (int)root);
	return root;
}

const struct pw_proc *
pw_assert_spawned(const struct pw_tree *t, pid_t tid, pid_t creator,
		  pid_t parent, const char *kind)
{
	const struct pw_proc *p = tree_lookup(t, tid);

	cr_assert(p && p->spawn, "no spawn event created %d", (int)tid);
	cr_assert(p->creator_pid == creator, "%d should be spawned by %d: %s",
		  (int)tid, (int)creator, pw_ev_dump(p->spawn));
	cr_assert(p->parent == parent, "%d should have parent %d: %s", (int)tid,
		  (int)parent, pw_ev_dump(p->spawn));
	if (kind) {
		cr_assert_str_eq(p->kind, kind, "%d should be kind %s: %s", (int)tid,
				 kind, pw_ev_dump(p->spawn));
		cr_assert(p->thread == (strcmp(kind, "thread") == 0),
			  "spawn.thread does not match kind %s: %s", kind,
			  pw_ev_dump(p->spawn));
	}
	return p;
}

static void
check_proc_exit(const struct pw_proc *p, bool detached)
{
	if (p->superseded) {
		/* The kernel gives the exec'ing thread the leader's tid (de_thread). */
		cr_assert(p->nexits == 0, "thread %d became the leader by exec but has "
			  "an exit event of its own: %s", (int)p->tid,
			  pw_ev_dump(p->exit));
		return;
	}
	/* A task procwatch let go of ran on; it may have ended before. */
	if (detached && p->nexits == 0)
		return;
	cr_assert(p->nexits == 1, "%s %d has %zu exit events (expected 1)%s%s",
		  p->thread ? "thread" : "process", (int)p->tid, p->nexits,
		  p->exit ? "; first: " : "", p->exit ? pw_ev_dump(p->exit) : "");
	cr_assert(pw_ev_bool(p->exit, "thread") == p->thread,
		  "exit.thread should be %s: %s", p->thread ? "true" : "false",
		  pw_ev_dump(p->exit));
	cr_assert(pw_ev_has(p->exit, "code") != pw_ev_has(p->exit, "signal"),
		  "exit needs exactly one of code and signal: %s", pw_ev_dump(p->exit));
	if (p->spawn)
		cr_assert(p->exit_at > p->spawn_at, "exit of %d comes before its "
			  "spawn: %s", (int)p->tid, pw_ev_dump(p->exit));
	if (p->attach)
		cr_assert(p->exit_at > p->attach_at, "exit of %d comes before its "
			  "attach: %s", (int)p->tid, pw_ev_dump(p->exit));
}

/* The end event says procwatch let go of processes still running. */
static bool
trace_detached(const struct pw_run *r)
{
	const json_t *end = r->nevents ? r->events[r->nevents - 1] : NULL;

	return end && strcmp(pw_ev_kind(end), "end") == 0 &&
	       pw_ev_bool(end, "detached");
}

void
pw_check_tree_exits(const struct pw_run *r, const struct pw_tree *t)
{
	bool detached = trace_detached(r);
	size_t i;

	for (i = 0; i < t->n; i++)
		check_proc_exit(&t->procs[i], detached);
}

static bool
pid_listed(pid_t pid, const pid_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

/* The reaped status must be what the exit event said. */
static void
check_reap_status(const struct pw_proc *p)
{
	const json_t *st = json_object_get(p->reap, "status");

	if (pw_ev_has(p->exit, "code"))
		pw_assert_status_exited(st, (int)pw_ev_int(p->exit, "code"));
	else
		cr_assert(json_equal(json_object_get(st, "signal"),
				     json_object_get(p->exit, "signal")),
			  "reap status %s does not match exit %s", pw_ev_dump(p->reap),
			  pw_ev_dump(p->exit));
}

void
pw_check_tree_reaped(const struct pw_run *r, const struct pw_tree *t,
		     const pid_t *not_reaped, size_t nn)
{
	size_t i;

	(void)r;
	for (i = 1; i < t->n; i++) {
		const struct pw_proc *p = &t->procs[i];

		if (p->thread)
			continue;
		if (pid_listed(p->tid, not_reaped, nn)) {
			cr_assert(p->nreaps == 0, "%d was reaped outside the trace, yet: %s",
				  (int)p->tid, pw_ev_dump(p->reap));
			continue;
		}
		cr_assert(p->nreaps == 1, "process %d (spawned by %d, parent %d) has "
			  "%zu reaping wait events (expected 1)", (int)p->tid,
			  (int)p->creator_pid, (int)p->parent, p->nreaps);
		cr_assert(int_or(p->reap, "pid", -1) == p->parent,
			  "%d should be reaped by its parent %d: %s", (int)p->tid,
			  (int)p->parent, pw_ev_dump(p->reap));
		cr_assert(p->exit && p->reap_at > p->exit_at,
			  "reap of %d is not after its exit: %s", (int)p->tid,
			  pw_ev_dump(p->reap));
		check_reap_status(p);
	}
}

/* "SIGSEGV" for a signal number (glibc's abbreviation plus SIG). */
static void
signame(int sig, char *buf, size_t size)
{
	const char *a = sigabbrev_np(sig);

	if (a)
		snprintf(buf, size, "SIG%s", a);
	else
		snprintf(buf, size, "%d", sig);
}

/* Asserts a status object describes the raw wait status (core bit aside). */
static void
assert_status_matches(const json_t *st, int status, const char *what)
{
	char name[32];

	if (WIFEXITED(status)) {
		pw_assert_status_exited(st, WEXITSTATUS(status));
		return;
	}
	cr_assert(WIFSIGNALED(status), "%s: procwatch neither exited nor was killed "
		  "(0x%x)", what, status);
	signame(WTERMSIG(status), name, sizeof(name));
	cr_assert(json_is_string(json_object_get(st, "kind")) &&
		  strcmp(json_string_value(json_object_get(st, "kind")), "killed") == 0 &&
		  json_is_string(json_object_get(st, "signal")) &&
		  strcmp(json_string_value(json_object_get(st, "signal")), name) == 0,
		  "%s: procwatch was killed by %s but the status is %s", what, name,
		  pw_ev_dump(st));
}

static void
assert_have_events(const struct pw_run *r)
{
	cr_assert(!r->untraced, "checking the trace of an untraced run");
	cr_assert(r->nevents >= 2, "the trace has %zu events; procwatch status 0x%x, "
		  "stderr:\n%s", r->nevents, r->status, r->err);
}

void
pw_check_end_status(const struct pw_run *r)
{
	const json_t *first, *last;
	size_t i;

	assert_have_events(r);
	cr_assert(r->nevents >= 3, "the trace has %zu events", r->nevents);
	first = r->events[0];
	last = r->events[r->nevents - 1];
	cr_assert_str_eq(pw_ev_kind(first), "trace", "first event is not the header: %s",
			 pw_ev_dump(first));
	cr_assert_str_eq(pw_ev_kind(r->events[1]), "start", "second event is not start: %s",
			 pw_ev_dump(r->events[1]));
	cr_assert_str_eq(pw_ev_kind(last), "end", "last event is not end: %s",
			 pw_ev_dump(last));
	for (i = 2; i + 1 < r->nevents; i++) {
		const char *k = pw_ev_kind(r->events[i]);

		cr_assert(strcmp(k, "trace") && strcmp(k, "start") && strcmp(k, "end"),
			  "trace/start/end in the middle (line %zu): %s", i + 1,
			  pw_ev_dump(r->events[i]));
	}
	if (r->nattach) {
		/* No command of procwatch's own: nothing to pass on. */
		cr_assert(json_is_null(json_object_get(last, "status")),
			  "end.status is not null after an attach: %s", pw_ev_dump(last));
		cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
			  "procwatch -p should exit 0 after a whole trace; status "
			  "0x%x, stderr: %s", r->status, r->err);
	} else {
		assert_status_matches(json_object_get(last, "status"), r->status,
				      "end.status");
		cr_assert(!pw_ev_bool(last, "detached"), "a launch detached: %s",
			  pw_ev_dump(last));
	}
	cr_assert(int_or(last, "lost", -1) == 0, "end.lost is not 0: %s",
		  pw_ev_dump(last));
}

/* ---- well-formedness ---- */

static bool
str_in(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static void
check_common_keys(const json_t *ev, size_t line, const struct pw_run *r)
{
	static const char *const kinds[] = {
		"trace", "start", "spawn", "exec", "exec_check", "wait", "exit", "signal",
		"end", NULL,
	};
	const json_t *t = json_object_get(ev, "t");
	const char *k = pw_ev_str(ev, "event");

	cr_assert(json_is_number(t) && json_number_value(t) >= 0,
		  "line %zu: no t >= 0: %s", line, pw_ev_dump(ev));
	cr_assert(str_in(k, kinds) || (r->nattach && strcmp(k, "attach") == 0),
		  "line %zu: unknown event kind: %s", line, pw_ev_dump(ev));
	if (strcmp(pw_ev_str(ev, "event"), "trace") == 0)
		cr_assert(pw_ev_int(ev, "pid") == 0 && pw_ev_int(ev, "tid") == 0,
			  "line %zu: the header is no task's: %s", line, pw_ev_dump(ev));
	else
		cr_assert(pw_ev_int(ev, "pid") > 0 && pw_ev_int(ev, "tid") > 0,
			  "line %zu: pid/tid must be positive: %s", line, pw_ev_dump(ev));
}

/*
 * -ERESTARTSYS..-ERESTART_RESTARTBLOCK (512..516) are kernel-internal: the
 * syscall is restarted (or fails with EINTR) and userspace never sees them.
 */
static void
check_not_restart(const json_t *ev)
{
	long long res = int_or(ev, "result", 0);

	cr_assert(res > -512 || res < -516, "a restart code reached the trace: %s",
		  pw_ev_dump(ev));
}

/* A spawn or exec the task died in: "result": null, no errno. */
static bool
is_unfinished(const json_t *ev)
{
	return json_is_null(json_object_get(ev, "result"));
}

/*
 * A failed call has errno (a name) and result < 0; a successful one
 * neither, nor has an unfinished one.
 */
static void
check_result_errno(const json_t *ev)
{
	long long res;

	if (is_unfinished(ev)) {
		cr_assert(!pw_ev_has(ev, "errno"), "errno on an unfinished call: %s",
			  pw_ev_dump(ev));
		return;
	}
	res = pw_ev_int(ev, "result");

	check_not_restart(ev);
	if (res < 0)
		cr_assert(strncmp(pw_ev_str(ev, "errno"), "E", 1) == 0,
			  "errno is not a name: %s", pw_ev_dump(ev));
	else
		cr_assert(!pw_ev_has(ev, "errno"), "errno on success: %s",
			  pw_ev_dump(ev));
}

static void
check_spawn_keys(const json_t *ev)
{
	static const char *const calls[] = { "clone", "clone3", "fork", "vfork", NULL };
	static const char *const kinds[] = {
		"fork", "vfork", "posix_spawn", "thread", "clone", NULL,
	};
	long long res;

	/* null: a 32-bit int $0x80 call, seen only through its fork event. */
	cr_assert(json_is_null(json_object_get(ev, "call")) ||
		  str_in(pw_ev_str(ev, "call"), calls), "spawn.call: %s",
		  pw_ev_dump(ev));
	cr_assert(str_in(pw_ev_str(ev, "kind"), kinds), "spawn.kind: %s",
		  pw_ev_dump(ev));
	cr_assert(json_is_array(json_object_get(ev, "flags")), "spawn.flags: %s",
		  pw_ev_dump(ev));
	cr_assert(json_is_boolean(json_object_get(ev, "thread")), "spawn.thread: %s",
		  pw_ev_dump(ev));
	cr_assert(pw_ev_has(ev, "exit_signal"), "spawn.exit_signal: %s",
		  pw_ev_dump(ev));
	check_result_errno(ev);
	res = is_unfinished(ev) ? -1 : pw_ev_int(ev, "result");
	if (res < 0) {
		cr_assert(!pw_ev_has(ev, "child"), "failed spawn with a child: %s",
			  pw_ev_dump(ev));
		return;
	}
	pw_ev_int(ev, "parent");
	/* Same pid namespace as procwatch: the caller's view is the child's tid. */
	cr_assert(pw_ev_int(ev, "child") == res, "spawn.child != result: %s",
		  pw_ev_dump(ev));
}

static void
check_exec_keys(const json_t *ev, const struct pw_run *r)
{
	static const char *const calls[] = { "execve", "execveat", NULL };

	/* null: its entry came before the attach (check_unseen_execs). */
	cr_assert((r->nattach && json_is_null(json_object_get(ev, "call"))) ||
		  str_in(pw_ev_str(ev, "call"), calls), "exec.call: %s",
		  pw_ev_dump(ev));
	cr_assert(pw_ev_has(ev, "path"), "exec.path: %s", pw_ev_dump(ev));
	cr_assert(json_is_array(json_object_get(ev, "argv")), "exec.argv: %s",
		  pw_ev_dump(ev));
	check_result_errno(ev);
}

static void
check_wait_keys(const json_t *ev)
{
	static const char *const calls[] = { "wait4", "waitid", NULL };
	const json_t *st = json_object_get(ev, "status");

	cr_assert(str_in(pw_ev_str(ev, "call"), calls), "wait.call: %s",
		  pw_ev_dump(ev));
	cr_assert(pw_ev_has(ev, "target"), "wait.target: %s", pw_ev_dump(ev));
	cr_assert(json_is_array(json_object_get(ev, "options")), "wait.options: %s",
		  pw_ev_dump(ev));
	check_result_errno(ev);
	if (st)
		cr_assert(json_is_object(st) && json_is_string(json_object_get(st, "kind")),
			  "wait.status: %s", pw_ev_dump(ev));
}

/*
 * A process's resource use: three counts, each a number or null, never all
 * null (the key is left out then), and never for a thread.
 */
static void
check_exit_keys(const json_t *ev)
{
	static const char *const keys[] = { "user_us", "system_us", "peak_rss_kib" };
	const json_t *u = json_object_get(ev, "usage"), *v;
	size_t i, known = 0;

	cr_assert(json_is_boolean(json_object_get(ev, "thread")), "exit.thread: %s",
		  pw_ev_dump(ev));
	if (!u)
		return;
	cr_assert(!pw_ev_bool(ev, "thread"), "a thread's exit with usage: %s", pw_ev_dump(ev));
	cr_assert(json_is_object(u) && json_object_size(u) == 3, "exit.usage: %s",
		  pw_ev_dump(ev));
	for (i = 0; i < 3; i++) {
		v = json_object_get(u, keys[i]);
		cr_assert(json_is_null(v) || (json_is_integer(v) && json_integer_value(v) >= 0),
			  "exit.usage.%s: %s", keys[i], pw_ev_dump(ev));
		known += !json_is_null(v);
	}
	cr_assert(known > 0, "exit.usage with nothing known: %s", pw_ev_dump(ev));
}

/* What /proc showed: the leader first in threads, every id a pid. */
static void
check_attach_keys(const json_t *ev)
{
	const json_t *threads = json_object_get(ev, "threads"), *age, *v;
	size_t i;

	cr_assert(pw_ev_int(ev, "tid") == pw_ev_int(ev, "pid"),
		  "attach.tid is not its pid: %s", pw_ev_dump(ev));
	cr_assert(json_is_array(threads) && json_array_size(threads) > 0 &&
		  json_integer_value(json_array_get(threads, 0)) == pw_ev_int(ev, "pid"),
		  "attach.threads does not start with the process: %s", pw_ev_dump(ev));
	json_array_foreach(threads, i, v)
		cr_assert(json_is_integer(v) && json_integer_value(v) > 0,
			  "attach.threads[%zu]: %s", i, pw_ev_dump(ev));
	cr_assert(json_is_array(json_object_get(ev, "argv")), "attach.argv: %s",
		  pw_ev_dump(ev));
	age = json_object_get(ev, "age");
	cr_assert(json_is_number(age) && json_number_value(age) >= 0,
		  "attach.age: %s", pw_ev_dump(ev));
	if (pw_ev_has(ev, "parent"))
		cr_assert(pw_ev_int(ev, "parent") > 0, "attach.parent: %s",
			  pw_ev_dump(ev));
}

static void
check_kind_keys(const json_t *ev, size_t line, const struct pw_run *r)
{
	const char *k = pw_ev_kind(ev);

	check_common_keys(ev, line, r);
	if (strcmp(k, "attach") == 0)
		check_attach_keys(ev);
	else if (strcmp(k, "spawn") == 0)
		check_spawn_keys(ev);
	else if (strcmp(k, "exec") == 0 || strcmp(k, "exec_check") == 0)
		check_exec_keys(ev, r);
	else if (strcmp(k, "wait") == 0)
		check_wait_keys(ev);
	else if (strcmp(k, "exit") == 0)
		check_exit_keys(ev);
}

/*
 * The header says where and when: this machine, this directory (the
 * harness runs procwatch in its own), a wall clock around now, and the
 * command and options of the run.
 */
static void
check_header(const struct pw_run *r, bool want_seccomp)
{
	const json_t *tr = r->events[0], *opt = json_object_get(tr, "options");
	struct utsname un;
	char cwd[4096];
	long long wall = int_or(tr, "wall_clock_us", 0), now;
	struct timespec ts;

	cr_assert(int_or(tr, "v", 0) == 1, "trace.v is not 1: %s", pw_ev_dump(tr));
	/* Not time(2): glibc reads the coarse clock, a tick behind this one. */
	cr_assert(clock_gettime(CLOCK_REALTIME, &ts) == 0);
	now = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	cr_assert(uname(&un) == 0 && getcwd(cwd, sizeof(cwd)));
	cr_assert_str_eq(pw_ev_str(tr, "procwatch"), pw_ev_str(r->events[1], "version"));
	cr_assert_str_eq(pw_ev_str(tr, "hostname"), un.nodename);
	cr_assert_str_eq(pw_ev_str(tr, "kernel"), un.release);
	cr_assert_str_eq(pw_ev_str(tr, "cwd"), cwd);
	/* The run took less than an hour, and the clock did not jump by one. */
	cr_assert(wall > now - 3600LL * 1000000 && wall <= now + 1000000,
		  "trace.wall_clock_us %lld is not about now (%lld)", wall, now);
	cr_assert(json_is_object(opt) && json_is_true(json_object_get(opt, "seccomp")) == want_seccomp,
		  "trace.options: %s", pw_ev_dump(tr));
	if (r->nattach) {
		cr_assert_str_eq(pw_ev_str(tr, "mode"), "attach");
		cr_assert(json_equal(json_object_get(tr, "pids"),
				     json_object_get(r->events[1], "pids")),
			  "trace.pids differ from start.pids: %s", pw_ev_dump(tr));
		cr_assert(json_array_size(json_object_get(tr, "argv")) == 0,
			  "trace.argv after an attach: %s", pw_ev_dump(tr));
		return;
	}
	cr_assert_str_eq(pw_ev_str(tr, "mode"), "launch");
	pw_assert_argv(tr, (const char *const *)r->argv);
}

/*
 * An attach: no command, the pids asked for, procwatch's own pid, and
 * never the filter, which a running process cannot be given.
 */
static void
check_start_attach(const struct pw_run *r, const json_t *st)
{
	const json_t *pids = json_object_get(st, "pids"), *argv;
	size_t i;

	cr_assert_str_eq(pw_ev_str(st, "mode"), "attach", "start.mode: %s",
			 pw_ev_dump(st));
	cr_assert(json_is_false(json_object_get(st, "seccomp")),
		  "start.seccomp should be false: %s", pw_ev_dump(st));
	argv = json_object_get(st, "argv");
	cr_assert(json_is_array(argv) && json_array_size(argv) == 0,
		  "start.argv should be [] after an attach: %s", pw_ev_dump(st));
	cr_assert(json_is_array(pids) && json_array_size(pids) == r->nattach,
		  "start.pids should have the %zu pids of -p: %s", r->nattach,
		  pw_ev_dump(st));
	for (i = 0; i < r->nattach; i++)
		cr_assert(json_integer_value(json_array_get(pids, i)) == r->attach_pids[i],
			  "start.pids[%zu] should be %d: %s", i, (int)r->attach_pids[i],
			  pw_ev_dump(st));
	cr_assert(int_or(st, "tracer", -1) == r->tracer, "start.tracer should "
		  "be procwatch's pid %d: %s", (int)r->tracer, pw_ev_dump(st));
}

static void
check_start(const struct pw_run *r)
{
	const json_t *st = r->events[1], *a;
	const char *ns = getenv("PW_TEST_NO_SECCOMP");
	bool want_seccomp = !(ns && strcmp(ns, "1") == 0);

	cr_assert(int_or(st, "v", 0) == 1, "start.v is not 1: %s", pw_ev_dump(st));
	pw_ev_str(st, "version");
	if (r->nattach) {
		check_start_attach(r, st);
		/* No filter in a running process: the header says so. */
		check_header(r, false);
		return;
	}
	cr_assert_str_eq(pw_ev_str(st, "mode"), "launch", "start.mode: %s",
			 pw_ev_dump(st));
	a = json_object_get(st, "seccomp");
	cr_assert(json_is_boolean(a) && json_is_true(a) == want_seccomp,
		  "start.seccomp should be %s: %s", want_seccomp ? "true" : "false",
		  pw_ev_dump(st));
	pw_assert_argv(st, (const char *const *)r->argv);
	check_header(r, want_seccomp);
}

/*
 * Every event is of a task the trace introduced, the root of a launch or
 * one that a spawn or (attach mode) an attach event made known, and comes
 * after that event: a reader must be able to place it.
 */
static void
check_events_after_intro(const struct pw_run *r, const struct pw_tree *t)
{
	const struct pw_proc *p;
	const json_t *ev;
	const char *k;
	size_t i;

	for (i = 0; i < r->nevents; i++) {
		ev = r->events[i];
		k = pw_ev_kind(ev);
		if (strcmp(k, "trace") == 0 || strcmp(k, "start") == 0 ||
		    strcmp(k, "end") == 0)
			continue;
		p = tree_lookup(t, (pid_t)int_or(ev, "tid", 0));
		cr_assert(p, "line %zu is of task %d, which no %s introduced: %s",
			  i + 1, (int)int_or(ev, "tid", 0),
			  r->nattach ? "attach or spawn event" : "spawn event",
			  pw_ev_dump(ev));
		if (p->spawn)
			cr_assert(i > p->spawn_at, "event of %d (line %zu) before the "
				  "spawn that created it (line %zu): %s", (int)p->tid,
				  i + 1, p->spawn_at + 1, pw_ev_dump(ev));
		if (p->attach)
			cr_assert(i > p->attach_at || ev == p->attach, "event of %d "
				  "(line %zu) before the attach that found it (line %zu): "
				  "%s", (int)p->tid, i + 1, p->attach_at + 1,
				  pw_ev_dump(ev));
	}
}

/*
 * An exec with "call": null, whose entry procwatch did not see, can only
 * be the first exec of a task attached in the middle of it.
 */
static void
check_unseen_execs(const struct pw_run *r, const struct pw_tree *t)
{
	const struct pw_proc *p;
	const json_t *ev;
	size_t i = 0;

	while ((ev = pw_event_next(r, "exec", &i))) {
		if (!json_is_null(json_object_get(ev, "call")))
			continue;
		p = tree_lookup(t, (pid_t)int_or(ev, "pid", 0));
		cr_assert(p && p->attach && pw_exec_ok_nth(r, p->tid, 0) == ev,
			  "an exec whose call is unknown, not the first exec of a "
			  "task found at attach time: %s", pw_ev_dump(ev));
	}
}

/* Breadth first: a process's attach event after its parent's, if it has one. */
static void
check_attach_order(const struct pw_tree *t)
{
	const struct pw_proc *p, *parent;
	size_t i;

	for (i = 0; i < t->n; i++) {
		p = &t->procs[i];
		if (!p->attach || p->thread)
			continue;
		parent = tree_lookup(t, p->parent);
		if (parent && parent->attach)
			cr_assert(parent->attach_at < p->attach_at, "attach of %d (line "
				  "%zu) before its parent's (line %zu): %s", (int)p->tid,
				  p->attach_at + 1, parent->attach_at + 1,
				  pw_ev_dump(p->attach));
	}
}

/* The command's first exec is the one procwatch made: argv as given. */
static void
check_root_exec(const struct pw_run *r, pid_t root)
{
	json_t *ex = pw_event_find(r, "exec", root);

	cr_assert(ex, "no exec event for the root %d", (int)root);
	cr_assert(int_or(ex, "result", -1) == 0, "root's exec failed: %s",
		  pw_ev_dump(ex));
	cr_assert_str_eq(pw_ev_str(ex, "path"), r->argv[0], "root exec path: %s",
			 pw_ev_dump(ex));
	pw_assert_argv(ex, (const char *const *)r->argv);
}

/* The root's own exit is what procwatch passes on (core bit aside). */
static void
check_root_exit(const json_t *ex, int status)
{
	char name[32];

	if (WIFEXITED(status)) {
		cr_assert(int_or(ex, "code", -1) == WEXITSTATUS(status),
			  "procwatch exited %d but the root's exit is %s",
			  WEXITSTATUS(status), pw_ev_dump(ex));
		return;
	}
	signame(WTERMSIG(status), name, sizeof(name));
	cr_assert(json_is_string(json_object_get(ex, "signal")) &&
		  strcmp(pw_ev_str(ex, "signal"), name) == 0,
		  "procwatch died of %s but the root's exit is %s", name,
		  pw_ev_dump(ex));
}

/*
 * What every traced run must satisfy, launched or attached (r->nattach).
 * Not required: t non-decreasing from line to line.  t is taken when
 * procwatch observes a stop, but lines are written in causal order (a
 * spawn line must precede its child's events even when the kernel reported
 * the child's first stop before the parent's PTRACE_EVENT_FORK, which
 * kernel/fork.c allows: the child is woken before its creator reports),
 * so a later line may carry an earlier t.
 */
void
pw_check_trace_wellformed(const struct pw_run *r)
{
	struct pw_tree t;
	size_t i;

	pw_check_end_status(r);
	check_start(r);
	for (i = 0; i < r->nevents; i++)
		check_kind_keys(r->events[i], i + 1, r);
	pw_tree_build(r, &t);
	check_events_after_intro(r, &t);
	pw_check_tree_exits(r, &t);
	if (r->nattach) {
		check_attach_order(&t);
		check_unseen_execs(r, &t);
	} else {
		check_root_exec(r, t.root);
		check_root_exit(t.procs[0].exit, r->status);
	}
	pw_tree_free(&t);
}

/* ---- the usual start of a scenario ---- */

void
pw_run_checked(const char *helper, const char *const *args, struct pw_run *r)
{
	pw_run(helper, args, NULL, r);
	pw_check_trace_wellformed(r);
	pw_run_compare(helper, args, r);
}

void
pw_run_checked_tree(const char *helper, const char *const *args,
		    struct pw_run *r, struct pw_tree *t)
{
	pw_run_checked(helper, args, r);
	pw_tree_build(r, t);
}
