/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pw_peak_rss CMD [ARG...]: runs CMD (procwatch, in scripts/bench) and
 * prints, on stderr, the peak resident memory of CMD's own process, not of
 * its descendants:
 *
 *   pw_peak_rss: vmhwm_kib=N wait4_maxrss_kib=M status=S
 *
 * vmhwm_kib is CMD's VmHWM from /proc/PID/status, read at the
 * PTRACE_EVENT_EXIT stop, when CMD is exiting but still has its memory.
 * wait4_maxrss_kib is ru_maxrss from wait4 on CMD, which is what
 * "/usr/bin/time -f %M" reports: Linux gives there the larger of CMD's own
 * peak and the peak of every descendant reaped below it (signal->cmaxrss),
 * so under procwatch it is the maximum over procwatch and the whole traced
 * tree.  Only vmhwm_kib isolates procwatch.
 *
 * CMD is seized with PTRACE_O_TRACEEXIT alone (its children are not
 * followed; CMD may itself be a tracer).  Signals CMD receives, such as the
 * SIGCHLD of every tracee stop, each cost a stop here: CMD runs slower,
 * its memory is the same.  Exits with CMD's status (128 + the signal).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_launch.h"

/* VmHWM of a task, in KiB, or -1 if /proc does not say. */
static long
read_vmhwm(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmHWM:", 6) == 0) {
			kib = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kib;
}

static int
is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

int
main(int argc, char **argv)
{
	int status, sig, event, exit_code;
	long vmhwm = -1, r;
	struct rusage ru;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: pw_peak_rss CMD [ARG...]\n");
		return 125;
	}
	pid = launch_seized(argv + 1, (long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL));
	for (;;) {
		if (wait4(pid, &status, __WALL, &ru) < 0) {
			if (errno == EINTR)
				continue;
			die("wait4");
		}
		if (!WIFSTOPPED(status))
			break;
		sig = WSTOPSIG(status);
		event = status >> 16;
		if (event == PTRACE_EVENT_EXIT) {
			vmhwm = read_vmhwm(pid);
			r = ptrace(PTRACE_CONT, pid, 0L, 0L);
		} else if (event == PTRACE_EVENT_STOP && is_stop_signal(sig)) {
			r = ptrace(PTRACE_LISTEN, pid, 0L, 0L);
		} else if (event != 0) {
			r = ptrace(PTRACE_CONT, pid, 0L, 0L);
		} else {
			r = ptrace(PTRACE_CONT, pid, 0L, (long)sig);
		}
		if (r != 0 && errno != ESRCH)
			die("ptrace resume");
	}
	exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
				      : 128 + WTERMSIG(status);
	fprintf(stderr, "pw_peak_rss: vmhwm_kib=%ld wait4_maxrss_kib=%ld "
		"status=%d\n", vmhwm, ru.ru_maxrss, exit_code);
	return exit_code;
}
