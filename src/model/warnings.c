/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The checks behind each warning, run per event against the process model.
 * Each needs only the event and the records of the processes it names, so
 * the cost per event stays O(1) but for a process's exit, which looks at its
 * own children once.  Texts are short and say why the thing matters.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/warnings.h"
#include "model_internal.h"
#include "procwatch/xlat.h"

static const char *const kind_names[PW_WARN_KINDS] = {
	[PW_WARN_FORK_THREADED] = "fork-threaded",
	[PW_WARN_FD_LEAK] = "fd-leak",
	[PW_WARN_ZOMBIE] = "zombie",
	[PW_WARN_UNREAPED] = "unreaped",
	[PW_WARN_KILLED] = "killed",
};

const char *
pw_warning_kind_name(enum pw_warning_kind kind)
{
	return (unsigned)kind < PW_WARN_KINDS ? kind_names[kind] : NULL;
}

/*
 * fork(2) copies only the calling thread: a mutex another thread held (in
 * malloc, stdio, a logger) stays locked forever in the child, which is why
 * POSIX allows only async-signal-safe calls there.  vfork and posix_spawn
 * exec at once and are the safe way.
 */
static void
check_spawn(const struct pw_model *m, const struct pw_event *ev,
	    struct pw_warning *w)
{
	const struct pw_spawn *sp = &ev->u.spawn;
	const struct pw_proc *p = pw_model_get(m, ev->pid);
	unsigned n;

	if (sp->result <= 0 || (sp->kind != PW_SPAWN_FORK && sp->kind != PW_SPAWN_CLONE) || !p)
		return;
	n = pw_model_live_threads(m, p);
	if (n < 2)
		return;
	w->kind = PW_WARN_FORK_THREADED;
	snprintf(w->text, sizeof(w->text),
		 "fork from a process with %u threads: only the calling thread is "
		 "copied, so a lock another thread held stays locked in child %d",
		 n, (int)sp->child);
}

/* Appends "fd → target" items, escaping what a terminal would act on. */
static void
append_fd(char *buf, size_t size, const struct pw_fd *fd)
{
	size_t len = strlen(buf), i;
	const unsigned char *t = (const unsigned char *)fd->target.data;

	len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%d → ",
				buf[0] ? ", " : "", fd->fd);
	for (i = 0; t && i < fd->target.len && len + 5 < size; i++) {
		if (t[i] >= 0x20 && t[i] < 0x7f)
			buf[len++] = (char)t[i];
		else
			len += (size_t)snprintf(buf + len, size - len, "\\x%02x", t[i]);
	}
	if (len < size)
		buf[len] = '\0';
}

/*
 * A descriptor without close-on-exec reaches every program exec'd later:
 * a pipe's write end kept open this way is why a reader never sees EOF.
 */
static void
check_exec(const struct pw_event *ev, struct pw_warning *w)
{
	const struct pw_exec *ex = &ev->u.exec;
	char list[400] = "";
	size_t i;

	if (ex->result != 0 || ex->nfds == 0)
		return;
	for (i = 0; i < ex->nfds; i++)
		append_fd(list, sizeof(list), &ex->fds[i]);
	w->kind = PW_WARN_FD_LEAK;
	snprintf(w->text, sizeof(w->text),
		 "inherited %zu descriptor%s without close-on-exec%s: %s",
		 ex->nfds, ex->nfds == 1 ? "" : "s", ex->fds_truncated ? " (and more)" : "",
		 list);
}

static void
format_seconds(char *buf, size_t size, uint64_t us)
{
	snprintf(buf, size, "%llu.%03llu s", (unsigned long long)(us / 1000000),
		 (unsigned long long)(us % 1000000 / 1000));
}

/* A zombie holds a pid and a process-table slot until its parent waits. */
static void
check_wait(const struct pw_model *m, const struct pw_event *ev,
	   uint64_t threshold, struct pw_warning *w)
{
	const struct pw_proc *c;
	char dur[32];

	if (ev->u.wait.result <= 0)
		return;
	c = pw_model_get(m, (pid_t)ev->u.wait.result);
	if (!c || !c->exited || !c->reaped || c->reap_us < c->exit_us ||
	    c->reap_us - c->exit_us <= threshold)
		return;
	format_seconds(dur, sizeof(dur), c->reap_us - c->exit_us);
	w->kind = PW_WARN_ZOMBIE;
	w->pid = c->pid;
	snprintf(w->text, sizeof(w->text),
		 "%d was a zombie for %s before %d reaped it", (int)c->pid, dur,
		 (int)ev->pid);
}

static void
describe_kill(const struct pw_status *st, struct pw_warning *w)
{
	char sig[32];

	pw_signal_format(st->signal, sig, sizeof(sig));
	w->kind = PW_WARN_KILLED;
	snprintf(w->text, sizeof(w->text), "killed by %s%s", sig,
		 st->core ? " (core dumped)" : "");
}

/*
 * A process that ends with dead children it never waited for leaves them
 * to be reaped by init or a subreaper: usually a missing wait.
 */
static void
describe_unreaped(const struct pw_proc *p, struct pw_warning *w)
{
	const struct pw_proc *c;
	char list[300] = "";
	size_t len = 0;
	unsigned n = 0;

	for (c = p->first_child; c; c = c->next_sibling) {
		if (c->ppid != p->pid || !c->exited || c->reaped)
			continue;
		if (n++ < 8 && len < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%d",
						len ? ", " : "", (int)c->pid);
	}
	if (!n)
		return;
	w->kind = PW_WARN_UNREAPED;
	snprintf(w->text, sizeof(w->text),
		 "exited without reaping %u dead child%s (%s%s): init or a "
		 "subreaper has to", n, n == 1 ? "" : "ren", list, n > 8 ? ", ..." : "");
}

static void
check_exit(const struct pw_model *m, const struct pw_event *ev,
	   pw_warning_fn fn, void *data)
{
	const struct pw_proc *p = pw_model_get(m, ev->pid);
	struct pw_warning w = { .pid = ev->pid };

	if (ev->u.exit.thread || !p)
		return;
	if (ev->u.exit.status.kind == PW_STATUS_KILLED) {
		describe_kill(&ev->u.exit.status, &w);
		fn(data, &w);
	}
	w.text[0] = '\0';
	describe_unreaped(p, &w);
	if (w.text[0])
		fn(data, &w);
}

static void
check(const struct pw_model *m, const struct pw_event *ev,
		  uint64_t zombie_threshold_us, pw_warning_fn fn, void *data)
{
	struct pw_warning w = { .pid = ev->pid };

	switch (ev->kind) {
	case PW_EV_SPAWN:
		check_spawn(m, ev, &w);
		break;
	case PW_EV_EXEC:
		check_exec(ev, &w);
		break;
	case PW_EV_WAIT:
		check_wait(m, ev, zombie_threshold_us, &w);
		break;
	case PW_EV_EXIT:
		check_exit(m, ev, fn, data);
		return;
	case PW_EV_ATTACH:
	case PW_EV_EXEC_CHECK:	/* no new program: nothing changes */
	case PW_EV_TRACE:
	case PW_EV_START:
	case PW_EV_SIGNAL:
	case PW_EV_END:
	default:
		return;
	}
	if (w.text[0])
		fn(data, &w);
}

/* Leaked descriptors remembered to be reported once; past this, every time. */
#define FDS_SEEN_MAX 512

/* True when this descriptor's leak was reported before; else remembers it. */
static bool
fd_seen(struct pw_model *m, const struct pw_fd *fd)
{
	char key[PATH_MAX + 32];
	const char *k;
	size_t i;

	snprintf(key, sizeof(key), "%d %s", fd->fd, fd->target.data ? fd->target.data : "?");
	k = pw_intern_cstr(&m->strings, key);
	for (i = 0; k && i < m->nfds_seen; i++)
		if (m->fds_seen[i] == k)
			return true;
	if (!m->fds_seen && !(m->fds_seen = calloc(FDS_SEEN_MAX, sizeof(*m->fds_seen))))
		return false;
	if (k && m->nfds_seen < FDS_SEEN_MAX)
		m->fds_seen[m->nfds_seen++] = k;
	return false;
}

/*
 * The launched command's first program got these descriptors from whoever
 * started procwatch (a make jobserver pipe, a CI runner's files): nothing
 * traced opened them, so no exec below is warned about them.  list gets
 * them as the warning would name them.
 */
void
model_caller_fds(struct pw_model *m, const struct pw_event *ev, char *list, size_t size)
{
	const struct pw_exec *ex = &ev->u.exec;
	size_t i;

	list[0] = '\0';
	for (i = 0; i < ex->nfds; i++) {
		(void)fd_seen(m, &ex->fds[i]);
		append_fd(list, size, &ex->fds[i]);
	}
	if (ex->fds_truncated && strlen(list) + 16 < size)
		strcat(list, " (and more)");
}

struct count_ctx {
	struct pw_model *m;
	pw_warning_fn fn;
	void *data;
};

/* Every warning is counted and marked on the record it is about. */
static void
count_warning(void *data, const struct pw_warning *w)
{
	struct count_ctx *c = data;
	struct pw_proc *p;

	if ((unsigned)w->kind >= PW_WARN_KINDS)
		return;
	c->m->counts.warnings[w->kind]++;
	p = pw_model_get(c->m, w->pid);
	if (p) {
		p->warned |= (uint8_t)(1u << w->kind);
		if (!p->nwarnings)
			p->nwarnings = calloc(PW_WARN_KINDS, sizeof(*p->nwarnings));
		if (p->nwarnings)
			p->nwarnings[w->kind]++;
		else
			c->m->failed = true;
	}
	c->fn(c->data, w);
}

/*
 * A descriptor leaked once reaches every program exec'd below: make's
 * jobserver pipe, or one the shell that started procwatch left open,
 * would repeat the same warning at every exec.  Each is reported at the
 * first program that inherited it only: the checks see the exec with the
 * descriptors reported before left out.
 */
void
model_warnings_check(struct pw_model *m, const struct pw_event *ev,
		     uint64_t zombie_threshold_us, pw_warning_fn fn, void *data)
{
	struct count_ctx c = { m, fn, data };
	struct pw_event fresh;
	struct pw_fd *fds;
	size_t i, n = 0;

	if (ev->kind != PW_EV_EXEC || !ev->u.exec.nfds) {
		check(m, ev, zombie_threshold_us, count_warning, &c);
		return;
	}
	fds = malloc(ev->u.exec.nfds * sizeof(*fds));
	if (!fds) {
		check(m, ev, zombie_threshold_us, count_warning, &c);
		return;
	}
	for (i = 0; i < ev->u.exec.nfds; i++)
		if (!fd_seen(m, &ev->u.exec.fds[i]))
			fds[n++] = ev->u.exec.fds[i];
	fresh = *ev;
	fresh.u.exec.fds = fds;
	fresh.u.exec.nfds = n;
	check(m, &fresh, zombie_threshold_us, count_warning, &c);
	free(fds);
}
