/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper: signals must reach the traced program as if nobody were
 * watching.  A tracer sees each signal first (signal-delivery-stop) and has
 * to re-inject it; it must not turn an ignored signal into a fatal one nor
 * swallow one that has a handler.  Modes (argv[1]):
 *
 *   handler  raise(SIGUSR1) with a handler installed: prints "handled"
 *   kill     a child killed by SIGKILL, another by SIGTERM, both reaped
 *   ignore   a child that ignores SIGTERM gets one and exits 0 afterwards
 *   term     waits for SIGTERM or SIGHUP (handled), then exits 0
 *   int      waits for SIGINT (handled), then forks a child, reaps it, exit 0
 *   block    blocks forever (the test kills procwatch under it)
 *
 * The last three print "ready <pid>" on stdout once their handlers are in
 * place, so a test can send the signal without racing the setup.  Facts go
 * to fd 3 as key=value lines.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pw_helper.h"

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static int
install(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static int
mode_handler(void)
{
	if (install(SIGUSR1, on_signal) < 0)
		return 2;
	raise(SIGUSR1);
	/* raise() returns after the handler ran (POSIX), unless it was lost. */
	if (got_signal != SIGUSR1) {
		printf("not handled\n");
		return 1;
	}
	printf("handled\n");
	fact_long("handled", 1);
	return 0;
}

/*
 * Forks a child that says "ready" (one byte on *ready_fd) once set up, then
 * blocks in read() until the parent writes to *go_fd, answers with another
 * byte and exits 0.
 */
static pid_t
spawn_waiter(int ignore_term, int *ready_fd, int *go_fd)
{
	int ready[2], go[2];
	char c = 'r';
	pid_t pid;

	if (pipe(ready) < 0 || pipe(go) < 0)
		return -1;
	pid = fork();
	if (pid != 0) {
		close(ready[1]);
		close(go[0]);
		*ready_fd = ready[0];
		*go_fd = go[1];
		return pid;
	}
	close(ready[0]);
	close(go[1]);
	if (ignore_term && signal(SIGTERM, SIG_IGN) == SIG_ERR)
		_exit(2);
	if (write(ready[1], &c, 1) != 1)
		_exit(2);
	/* Blocks until the parent writes (or closes): a signal may come first. */
	while (read(go[0], &c, 1) < 0 && errno == EINTR)
		;
	c = 'a';
	if (write(ready[1], &c, 1) != 1)
		_exit(2);
	_exit(0);
}

static int
wait_ready(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

/* A blocked child killed by sig: report what waitpid() said. */
static int
kill_one(int sig, const char *prefix)
{
	int ready, go, status;
	char key[64];
	pid_t pid = spawn_waiter(0, &ready, &go);

	if (pid < 0 || wait_ready(ready) < 0)
		return 2;
	if (kill(pid, sig) < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	close(ready);
	close(go);
	snprintf(key, sizeof(key), "%s_child", prefix);
	fact_long(key, (long)pid);
	snprintf(key, sizeof(key), "%s_signal", prefix);
	fact_long(key, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	snprintf(key, sizeof(key), "%s_core", prefix);
	fact_long(key, WIFSIGNALED(status) && WCOREDUMP(status));
	return WIFSIGNALED(status) && WTERMSIG(status) == sig ? 0 : 1;
}

static int
mode_kill(void)
{
	return kill_one(SIGKILL, "sigkill") | kill_one(SIGTERM, "sigterm");
}

/*
 * The SIGTERM is queued before "go" is written, so the child meets it when
 * its read() is interrupted, before it can see "go": if it survives to
 * answer, the ignore survived the trip through the tracer.
 */
static int
mode_ignore(void)
{
	int ready, go, status;
	char c = 'g';
	pid_t pid = spawn_waiter(1, &ready, &go);

	if (pid < 0 || wait_ready(ready) < 0)
		return 2;
	if (kill(pid, SIGTERM) < 0 || write(go, &c, 1) != 1)
		return 2;
	fact_long("ignore_child", (long)pid);
	fact_long("ignore_answered", wait_ready(ready) == 0);
	if (waitpid(pid, &status, 0) != pid)
		return 2;
	fact_long("ignore_exited", WIFEXITED(status));
	fact_long("ignore_code", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return 1;
	printf("survived\n");
	return 0;
}

/* Handlers for sigs, which stay blocked outside sigsuspend(): no lost wake-up. */
static int
arm(const int *sigs, size_t n, sigset_t *wait_mask)
{
	sigset_t block;
	size_t i;

	sigemptyset(&block);
	for (i = 0; i < n; i++) {
		sigaddset(&block, sigs[i]);
		if (install(sigs[i], on_signal) < 0)
			return -1;
	}
	if (sigprocmask(SIG_BLOCK, &block, wait_mask) < 0)
		return -1;
	for (i = 0; i < n; i++)
		sigdelset(wait_mask, sigs[i]);
	fact_long("pid", (long)getpid());
	printf("ready %ld\n", (long)getpid());
	return fflush(stdout) == 0 ? 0 : -1;
}

static void
await_signal(const sigset_t *wait_mask)
{
	while (!got_signal)
		sigsuspend(wait_mask);
	fact_str("got", sigabbrev_np(got_signal));
	fact_long("got_signo", got_signal);
}

static int
mode_term(void)
{
	static const int sigs[] = { SIGTERM, SIGHUP };
	sigset_t wait_mask;

	if (arm(sigs, 2, &wait_mask) < 0)
		return 2;
	await_signal(&wait_mask);
	printf("got SIG%s\n", sigabbrev_np(got_signal));
	return 0;
}

static int
mode_int(void)
{
	static const int sigs[] = { SIGINT };
	sigset_t wait_mask;
	int status;
	pid_t pid;

	if (arm(sigs, 1, &wait_mask) < 0)
		return 2;
	await_signal(&wait_mask);
	pid = fork();
	if (pid == 0)
		_exit(7);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	fact_long("child", (long)pid);
	fact_long("child_code", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	printf("got SIGINT, child exited %d\n", WEXITSTATUS(status));
	return 0;
}

static int
mode_block(void)
{
	fact_long("pid", (long)getpid());
	printf("ready %ld\n", (long)getpid());
	fflush(stdout);
	/* pause() only ever returns -1 (EINTR): block until killed. */
	while (pause() == -1)
		;
	return 2;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (strcmp(mode, "handler") == 0)
		return mode_handler();
	if (strcmp(mode, "kill") == 0)
		return mode_kill();
	if (strcmp(mode, "ignore") == 0)
		return mode_ignore();
	if (strcmp(mode, "term") == 0)
		return mode_term();
	if (strcmp(mode, "int") == 0)
		return mode_int();
	if (strcmp(mode, "block") == 0)
		return mode_block();
	fprintf(stderr, "usage: pw_signals handler|kill|ignore|term|int|block\n");
	return 2;
}
