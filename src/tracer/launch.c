/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Starting the traced command: find it on PATH as execvp(3) would, fork,
 * seize the child with ptrace before it runs anything of its own, and only
 * then let it load the seccomp filter and exec.  The order matters: a
 * SECCOMP_RET_TRACE filter without a tracer that set PTRACE_O_TRACESECCOMP
 * makes every traced syscall fail with ENOSYS (seccomp(2)), so the filter
 * must not exist before the seize.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracer_internal.h"

extern char **environ;

enum launch_stage {
	STAGE_FILTER = 1,	/* the seccomp filter could not be loaded */
	STAGE_EXEC = 2,		/* execve failed */
};

struct launch_error {
	int stage;
	int err;
};

/*
 * Whether execve(2) could run path, and if not, the errno it would give:
 * ENOENT for a missing file or a dangling symlink, EISDIR for a directory
 * (execve says EACCES; env(1) and the shells say "Is a directory"), EACCES
 * for anything not executable.  *err keeps an earlier EACCES, as execvp(3)
 * remembers it while it searches on.
 */
static bool
is_executable_file(const char *path, int *err)
{
	struct stat st;
	int e = 0;

	if (stat(path, &st) < 0)
		e = errno == EACCES ? EACCES : ENOENT;
	else if (S_ISDIR(st.st_mode))
		e = EISDIR;
	else if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0)
		e = EACCES;
	if (!e)
		return true;
	if (!*err || *err == ENOENT)
		*err = e;
	return false;
}

/*
 * execvp(3)'s search: names with a slash are used as they are; otherwise
 * every PATH element in turn (an empty one is the current directory), with
 * glibc's default path when PATH is unset.  A candidate that exists but is
 * not executable turns "not found" into "permission denied", as in execvp.
 */
static char *
find_command(const char *name, int *err)
{
	const char *path = getenv("PATH");
	const char *p, *end;
	char *candidate;

	*err = 0;
	/* A path is checked before anything runs: its error is the first line, not a trace. */
	if (strchr(name, '/'))
		return is_executable_file(name, err) ? strdup(name) : NULL;
	if (!path)
		path = "/bin:/usr/bin";
	for (p = path;; p = end + 1) {
		int len;

		end = strchrnul(p, ':');
		len = (int)(end - p);
		if (asprintf(&candidate, "%.*s%s%s", len, p, len ? "/" : "", name) < 0)
			return NULL;
		if (is_executable_file(candidate, err))
			return candidate;
		/* A directory on the way is no candidate (the shells pass it by). */
		if (*err == EISDIR)
			*err = 0;
		free(candidate);
		if (!*end)
			break;
	}
	if (!*err)
		*err = ENOENT;
	return NULL;
}

static _Noreturn void
child_fail(int fd, int stage, int err, int status)
{
	struct launch_error e = { stage, err };

	if (write(fd, &e, sizeof(e)) < 0) {
		/* Nothing left to tell anyone; the exit status still says it. */
	}
	_exit(status);
}

/* In the child: async-signal-safe calls only, then exec or _exit. */
static _Noreturn void
run_child(int go_fd, int err_fd, const struct sock_fprog *prog,
	  const char *path, char *const argv[], char *const sh_argv[])
{
	char go;
	int err;

	if (read(go_fd, &go, 1) != 1)
		_exit(PW_EXIT_FAILURE);	/* the parent could not seize us */
	if (prog) {
		err = seccomp_filter_load(prog);
		if (err)
			child_fail(err_fd, STAGE_FILTER, -err, PW_EXIT_FAILURE);
	}
	execve(path, argv, environ);
	/* Like execvp(3): a file the kernel cannot run is a shell script. */
	if (errno == ENOEXEC)
		execve("/bin/sh", sh_argv, environ);
	err = errno;
	child_fail(err_fd, STAGE_EXEC, err,
		   err == ENOENT ? PW_EXIT_NOT_FOUND : PW_EXIT_CANNOT_EXEC);
}

static char **
shell_argv(const char *path, char *const argv[])
{
	size_t n = 0, i;
	char **sh;

	while (argv[n])
		n++;
	sh = calloc(n + 2, sizeof(*sh));
	if (!sh)
		return NULL;
	sh[0] = (char *)"sh";
	sh[1] = (char *)path;
	for (i = 1; i <= n; i++)
		sh[i + 1] = argv[i];
	return sh;
}

/*
 * A task has one tracer at a time: PTRACE_SEIZE fails with EPERM when
 * another one got there first (kernel/ptrace.c, ptrace_attach), which is
 * what happens when procwatch itself runs under a tracer that follows
 * forks (gdb, strace -f, another procwatch): our child is its tracee
 * before we can seize it.  /proc/PID/status names that tracer.
 */
static bool
explain_already_traced(pid_t pid)
{
	long tracer = procfs_status_field(pid, "TracerPid");
	char name[64];

	if (tracer <= 0 || tracer == getpid())
		return false;
	pw_warn("cannot trace the command: it is already traced by process %ld%s, "
		"and a process can have only one tracer (ptrace(2)); run procwatch "
		"outside that tracer", tracer, procfs_comm_note((pid_t)tracer, name,
								sizeof(name)));
	return true;
}

void
explain_seize_failure(pid_t pid, int err)
{
	if ((err == EPERM || err == EACCES) && pid > 0 && explain_already_traced(pid))
		return;
	if (err == EPERM || err == EACCES)
		pw_warn("ptrace not permitted: %s (is this a container without "
			"CAP_SYS_PTRACE? see /proc/sys/kernel/yama/ptrace_scope)",
			strerror(err));
	else
		pw_warn("cannot trace the command: PTRACE_SEIZE: %s", strerror(err));
}

static int
seize(struct tracer *t, pid_t pid)
{
	long options = t->policy->seize_options;

	if (t->seccomp)
		options |= PTRACE_O_TRACESECCOMP;
	if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)options) < 0)
		return -errno;
	/*
	 * Without the filter nothing would stop the child before its execve:
	 * make it stop now (PTRACE_EVENT_STOP), before we let it go on, so the
	 * loop resumes it with PTRACE_SYSCALL and sees the exec's entry.
	 */
	if (!t->seccomp && ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0)
		return -errno;
	return 0;
}

static int
fork_and_seize(struct tracer *t, const struct sock_fprog *prog,
	       const char *path, char *const argv[], char *const sh_argv[])
{
	int go[2], errp[2], err;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		err = -errno;
		close(go[0]);
		close(go[1]);
		return err;
	}
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		close(errp[0]);
		run_child(go[0], errp[1], prog, path, argv, sh_argv);
	}
	err = pid < 0 ? -errno : 0;
	close(go[0]);
	close(errp[1]);
	if (!err) {
		err = seize(t, pid);
		if (err) {
			/* Asked before the kill: afterwards /proc has no tracer to name. */
			explain_seize_failure(pid, -err);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, __WALL);
			err = -EALREADY;
		}
	}
	if (!err && write(go[1], "g", 1) != 1)
		err = -errno;
	close(go[1]);
	if (err) {
		close(errp[0]);
		return err;
	}
	t->root = pid;
	t->child_error_fd = errp[0];
	return 0;
}

/*
 * Returns 0 once the command runs under ptrace, or the exit status for
 * procwatch after printing why it could not be started.
 */
int
launch_command(struct tracer *t, char *const argv[])
{
	struct sock_fprog prog = { 0, NULL };
	char *path, **sh_argv;
	int err = 0, status = 0;

	path = find_command(argv[0], &err);
	if (!path) {
		if (err == ENOENT && !strchr(argv[0], '/')) {
			pw_warn("%s: command not found", argv[0]);
			return PW_EXIT_NOT_FOUND;
		}
		pw_warn("%s: %s", argv[0], err ? strerror(err) : strerror(ENOMEM));
		return err == ENOENT ? PW_EXIT_NOT_FOUND : PW_EXIT_CANNOT_EXEC;
	}
	sh_argv = shell_argv(path, argv);
	if (t->seccomp && (err = seccomp_filter_build(&prog, t->filter_data)) < 0) {
		status = pw_fail("cannot build the seccomp filter: %s (try --no-seccomp)",
				 strerror(-err));
	}
	if (!status && sh_argv) {
		err = fork_and_seize(t, t->seccomp ? &prog : NULL, path, argv, sh_argv);
		if (err && err != -EALREADY)
			explain_seize_failure(0, -err);
		if (err)
			status = PW_EXIT_FAILURE;
	}
	if (!sh_argv)
		status = PW_EXIT_FAILURE;
	free(prog.filter);
	free(sh_argv);
	free(path);
	return status;
}

/*
 * After the command is gone: if it never got as far as its own code, the
 * child left a record in the error pipe.  Returns the status procwatch must
 * end with for it (after a one-line message), or -1 if the command ran.
 */
int
launch_failure_status(struct tracer *t, char *const argv[])
{
	struct launch_error e;
	ssize_t n;

	if (t->child_error_fd < 0)
		return -1;
	n = read(t->child_error_fd, &e, sizeof(e));
	close(t->child_error_fd);
	t->child_error_fd = -1;
	if (n != (ssize_t)sizeof(e))
		return -1;
	if (e.stage == STAGE_FILTER) {
		return pw_fail("cannot load the seccomp filter: %s (try --no-seccomp)",
			       strerror(e.err));
	}
	pw_warn("%s: %s", argv[0], strerror(e.err));
	return e.err == ENOENT ? PW_EXIT_NOT_FOUND : PW_EXIT_CANNOT_EXEC;
}
