/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the helper tracees: "facts" (what a helper really did, with real
 * pids) go to fd 3 as key=value lines when the harness opened fd 3, and
 * nowhere otherwise; stdout carries only deterministic text.  Every write is
 * one write(2) so lines from different processes never interleave (the
 * harness opens fd 3 with O_APPEND).  Header-only so each helper stays a
 * single translation unit; safe to call in a fork child, not a vfork child.
 */
#ifndef PW_HELPER_H
#define PW_HELPER_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PW_FACTS_FD 3

static inline void
pw_write_all(int fd, const char *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

static inline void __attribute__((format(printf, 1, 2)))
fact(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n, saved = errno;

	if (fcntl(PW_FACTS_FD, F_GETFD) == -1) {
		errno = saved;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf) - 1)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	pw_write_all(PW_FACTS_FD, buf, (size_t)n);
	errno = saved;
}

/* One key=value fact, for helpers that report value by value. */
static inline void
fact_long(const char *key, long value)
{
	fact("%s=%ld", key, value);
}

static inline void
fact_str(const char *key, const char *value)
{
	fact("%s=%s", key, value);
}

/* Deterministic text on stdout, unbuffered so forks never duplicate it. */
static inline void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		pw_write_all(1, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* A helper that cannot do its scenario says why and exits 99. */
static inline void __attribute__((noreturn))
die(const char *what)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "helper: %s: %s\n", what, strerror(errno));

	if (n > 0)
		pw_write_all(2, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	_exit(99);
}

/* Waits for pid (waitpid options); its exit code, -1 if a signal ended it. */
static inline int
reap(pid_t pid, int options)
{
	int st;

	if (waitpid(pid, &st, options) != pid)
		die("waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The start of a small file (a /proc one) as a string; false if empty or unreadable. */
static inline bool
read_text(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

/*
 * The state letter of a /proc stat file (path), the field after "(comm)",
 * which may itself hold spaces and ')'; '?' when unreadable.
 */
static inline char
proc_state_at(const char *path)
{
	char buf[512], *p;

	if (!read_text(path, buf, sizeof(buf)))
		return '?';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* TracerPid of /proc/self/status: who traces this process, 0 for none. */
static inline long
tracer_pid(void)
{
	char buf[2048], *p;

	if (!read_text("/proc/self/status", buf, sizeof(buf)))
		return 0;
	p = strstr(buf, "\nTracerPid:");
	return p ? strtol(p + 11, NULL, 10) : 0;
}

/* argv[i] as a positive number, or def when absent. */
static inline long
arg_long(int argc, char **argv, int i, long def)
{
	char *end;
	long v;

	if (argc <= i)
		return def;
	v = strtol(argv[i], &end, 10);
	if (*end || v <= 0) {
		errno = EINVAL;
		die("bad number argument");
	}
	return v;
}

#endif
