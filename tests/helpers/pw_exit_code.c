/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper: ends in a chosen way so the test can compare procwatch's
 * exit status, wait and exit events with what the kernel reported.
 *
 *   pw_exit_code N            exit(N)
 *   pw_exit_code signal SIG   die by SIG (a name such as SIGSEGV) with
 *                             RLIMIT_CORE 0, so no core is written
 *   pw_exit_code core SIG     fork a child that dies by SIG with RLIMIT_CORE
 *                             unlimited in a fresh temporary cwd; wait for it
 *                             and report the status the kernel gave (core
 *                             or not depends on core_pattern and limits),
 *                             then remove the core file and the directory
 *
 * Facts on fd 3: pid; in "core" mode child, signal, core (WCOREDUMP) and
 * core_files (entries found in the temporary directory).
 */
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pw_helper.h"

/* "SIGSEGV" (or "SEGV") to its number via glibc's table; 0 if unknown. */
static int
signal_by_name(const char *name)
{
	const char *abbrev;
	int sig;

	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	for (sig = 1; sig < NSIG; sig++) {
		abbrev = sigabbrev_np(sig);
		if (abbrev && strcmp(abbrev, name) == 0)
			return sig;
	}
	return 0;
}

/*
 * RLIMIT_CORE 0, or as high as we may: unlimited when privileged, else the
 * hard limit (an unprivileged process may raise its soft limit that far).
 */
static void
set_core_limit(bool unlimited)
{
	struct rlimit rl = { 0, 0 };

	if (unlimited) {
		rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
		if (setrlimit(RLIMIT_CORE, &rl) == 0 ||
		    getrlimit(RLIMIT_CORE, &rl) < 0)
			return;
		rl.rlim_cur = rl.rlim_max;
	}
	if (setrlimit(RLIMIT_CORE, &rl) < 0)
		perror("pw_exit_code: setrlimit");
}

/* Dies by sig for certain: default action, not blocked, sent to ourselves. */
static void
die_by(int sig, bool core)
{
	sigset_t set;

	set_core_limit(core);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(getpid(), sig);
	_exit(3);
}

/* Removes every entry of dir (the core file), then dir; returns the count. */
static long
clean_dir(const char *dir)
{
	char path[512];
	struct dirent *de;
	long n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
		n++;
	}
	closedir(d);
	rmdir(dir);
	return n;
}

static int
core_child(int sig)
{
	char dir[] = "/tmp/pw_exit_code.XXXXXX";
	int status;
	pid_t pid;

	if (!mkdtemp(dir))
		return 2;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		/* core_pattern "core" (the default) writes into the cwd. */
		if (chdir(dir) < 0)
			_exit(2);
		die_by(sig, true);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status))
		return 2;
	fact_long("child", (long)pid);
	fact_long("signal", WTERMSIG(status));
	fact_long("core", WCOREDUMP(status) ? 1 : 0);
	fact_long("core_files", clean_dir(dir));
	return 0;
}

int
main(int argc, char **argv)
{
	int sig;

	fact_long("pid", (long)getpid());
	if (argc == 2)
		return (int)strtol(argv[1], NULL, 0);
	if (argc != 3 || (sig = signal_by_name(argv[2])) == 0) {
		fprintf(stderr, "usage: pw_exit_code N | signal SIG | core SIG\n");
		return 2;
	}
	if (strcmp(argv[1], "signal") == 0)
		die_by(sig, false);
	if (strcmp(argv[1], "core") == 0)
		return core_child(sig);
	fprintf(stderr, "pw_exit_code: unknown mode %s\n", argv[1]);
	return 2;
}
