/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper: prints the signal state it was started with, so a test can
 * run it traced and untraced and require the same output.  The blocked mask
 * and the ignored set survive execve (handled signals are reset to SIG_DFL,
 * ignored ones stay ignored: fs/exec.c flush_signal_handlers()), so anything
 * procwatch blocks or ignores for itself and forgets to undo in the child
 * before exec shows up here.  Output: the SigBlk and SigIgn lines of
 * /proc/self/status, then "SIGNAME DFL|IGN|handler" for a few signals as
 * sigaction() reports them, and "SIGNAME blocked" per sigprocmask().
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const int probes[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM,
	SIGTERM, SIGCHLD, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH,
};

static int
print_status_lines(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "SigBlk:", 7) == 0 ||
		    strncmp(line, "SigIgn:", 7) == 0)
			fputs(line, stdout);
	}
	fclose(f);
	return 0;
}

static void
print_dispositions(void)
{
	struct sigaction sa;
	sigset_t mask;
	size_t i;
	int sig;

	sigprocmask(SIG_BLOCK, NULL, &mask);
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		sig = probes[i];
		if (sigaction(sig, NULL, &sa) < 0)
			continue;
		printf("SIG%s %s%s\n", sigabbrev_np(sig),
		       sa.sa_handler == SIG_DFL ? "DFL" :
		       sa.sa_handler == SIG_IGN ? "IGN" : "handler",
		       sigismember(&mask, sig) ? " blocked" : "");
	}
}

int
main(void)
{
	if (print_status_lines() < 0) {
		perror("pw_sigmask: /proc/self/status");
		return 2;
	}
	print_dispositions();
	return fflush(stdout) == 0 ? 0 : 1;
}
