/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The filters (include/procwatch/filter.h): which records the views show,
 * decided as the records are made and as execs come in, so that a view
 * asks each record rather than working it out.  A record is placed in the
 * window (--pid, --depth) when it is made, from its creator's record
 * alone; --match then shows a record whose command line matched, and its
 * ancestors in the window.  Shown records stay shown: the timeline cannot
 * take back a line.
 *
 * The regex sees the bytes the tracee passed, as they are: procwatch never
 * calls setlocale(3), so it matches in the C locale, a byte a character,
 * and the same trace and regex select the same processes on any machine.
 */
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/filter.h"
#include "model_internal.h"

struct pw_filter {
	pid_t pids[PW_FILTER_PIDS_MAX];
	size_t npids;
	bool depth_set;
	unsigned depth;
	bool has_match;
	regex_t re;
	char *buf;		/* the subject being matched, reused */
	size_t cap;
};

/* What no filter is: every record shown. */
static const struct pw_filter no_filter;

bool
pw_filter_spec_active(const struct pw_filter_spec *spec)
{
	return spec->npids > 0 || spec->match || spec->depth_set;
}

int
pw_filter_check_match(const char *re, char *err, size_t size)
{
	regex_t r;
	int rc = regcomp(&r, re, REG_EXTENDED | REG_NOSUB);

	if (rc == 0) {
		regfree(&r);
		return 0;
	}
	regerror(rc, &r, err, size);
	return -1;
}

int
pw_model_set_filter(struct pw_model *m, const struct pw_filter_spec *spec)
{
	struct pw_filter *f;
	int rc;

	if (!pw_filter_spec_active(spec))
		return 0;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->npids = spec->npids < PW_FILTER_PIDS_MAX ? spec->npids : PW_FILTER_PIDS_MAX;
	memcpy(f->pids, spec->pids, f->npids * sizeof(*f->pids));
	f->depth_set = spec->depth_set;
	f->depth = spec->depth;
	if (spec->match) {
		rc = regcomp(&f->re, spec->match, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			free(f);
			return rc == REG_ESPACE ? -ENOMEM : -EINVAL;
		}
		f->has_match = true;
	}
	m->filter = f;
	return 0;
}

void
model_filter_free(struct pw_model *m)
{
	struct pw_filter *f = m->filter;

	if (!f)
		return;
	if (f->has_match)
		regfree(&f->re);
	free(f->buf);
	free(f);
	m->filter = NULL;
}

static bool
pid_named(const struct pw_filter *f, pid_t pid)
{
	size_t i;

	for (i = 0; i < f->npids; i++)
		if (f->pids[i] == pid)
			return true;
	return false;
}

/*
 * A new record's place, from its creator's alone: under --pid when its
 * creator is (one level deeper) or when it is named (a top, level 0).
 */
void
model_filter_new_proc(const struct pw_model *m, struct pw_proc *p)
{
	const struct pw_filter *f = m->filter ? m->filter : &no_filter;

	if (p->up && p->up->in_subtree) {
		p->in_subtree = true;
		p->shown_depth = p->up->shown_depth + 1;
	} else {
		p->in_subtree = f->npids == 0 || pid_named(f, p->pid);
		p->shown_depth = 0;
	}
	p->in_window = p->in_subtree && (!f->depth_set || p->shown_depth <= f->depth);
	p->shown = p->in_window && !f->has_match;
}

#define SUBJECT_KEEP 65536	/* the subject buffer kept between matches */

/* Appends n bytes to the subject; false when out of memory. */
static bool
put_bytes(struct pw_filter *f, size_t *len, const char *data, size_t n)
{
	size_t cap = f->cap ? f->cap : 256;
	char *grown;

	while (cap - *len <= n) {
		if (cap > SIZE_MAX / 2)
			return false;
		cap *= 2;
	}
	if (cap != f->cap) {
		grown = realloc(f->buf, cap);
		if (!grown)
			return false;
		f->buf = grown;
		f->cap = cap;
	}
	memcpy(f->buf + *len, data, n);
	*len += n;
	f->buf[*len] = '\0';
	return true;
}

/*
 * Whether the regex matches the strings joined by single spaces (an
 * unreadable one is empty).  REG_STARTEND: the bytes after a NUL (which
 * only a hand-made trace can hold) are seen too.  -ENOMEM when the subject
 * cannot be made.
 */
static int
matches(struct pw_filter *f, const struct pw_bytes *v, size_t n)
{
	regmatch_t span;
	size_t len = 0, i;
	int rc;

	if (!put_bytes(f, &len, "", 0))
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if ((i > 0 && !put_bytes(f, &len, " ", 1)) ||
		    (v[i].data && !put_bytes(f, &len, v[i].data, v[i].len)))
			return -ENOMEM;
	span.rm_so = 0;
	/* regoff_t is an int: past 2 GiB (a hand-made trace), the start is matched. */
	span.rm_eo = len > INT_MAX ? INT_MAX : (regoff_t)len;
	rc = regexec(&f->re, f->buf, 1, &span, REG_STARTEND) == 0;
	/* A huge argv (xargs) is matched once: its copy is not kept. */
	if (f->cap > SUBJECT_KEEP) {
		free(f->buf);
		f->buf = NULL;
		f->cap = 0;
	}
	return rc;
}

/* An exec, failed or not, or what an attach found: its argv, or its path. */
static int
event_matches(struct pw_filter *f, const struct pw_event *ev)
{
	const struct pw_bytes *argv, *path;
	size_t argc;
	int rc;

	if (ev->kind == PW_EV_EXEC) {
		argv = ev->u.exec.argv;
		argc = ev->u.exec.argc;
		path = &ev->u.exec.path;
	} else if (ev->kind == PW_EV_ATTACH) {
		argv = ev->u.attach.argv;
		argc = ev->u.attach.argc;
		path = &ev->u.attach.exe;
	} else {
		return 0;
	}
	rc = matches(f, argv, argc);
	if (rc == 0 && path->data)
		rc = matches(f, path, 1);
	return rc;
}

/*
 * --match: a record of the window whose exec matched is shown, and so is
 * every ancestor up to the first one shown already or the window's top.
 */
void
model_filter_event(struct pw_model *m, const struct pw_event *ev,
		   struct pw_model_notes *notes)
{
	struct pw_filter *f = m->filter;
	struct pw_proc *p = notes->proc, *q;
	int rc;

	if (!f || !f->has_match || !p || p->matched || !p->in_window)
		return;
	rc = event_matches(f, ev);
	if (rc < 0)
		m->failed = true;
	if (rc <= 0)
		return;
	p->matched = true;
	for (q = p; q && q->in_window && !q->shown; q = q->up) {
		q->shown = true;
		notes->shown_from = q;
	}
}

const struct pw_proc *
pw_shown_up(const struct pw_proc *p)
{
	return p->up && p->up->shown ? p->up : NULL;
}

/* The first top from p on, in creation order. */
static const struct pw_proc *
top_from(const struct pw_proc *p)
{
	for (; p; p = p->next_all)
		if (p->shown && !pw_shown_up(p))
			return p;
	return NULL;
}

const struct pw_proc *
pw_shown_first(const struct pw_model *m)
{
	return top_from(m->all);
}

static const struct pw_proc *
shown_from(const struct pw_proc *p)
{
	for (; p; p = p->next_sibling)
		if (p->shown)
			return p;
	return NULL;
}

const struct pw_proc *
pw_shown_first_child(const struct pw_proc *p)
{
	return shown_from(p->first_child);
}

const struct pw_proc *
pw_shown_next(const struct pw_proc *p)
{
	return pw_shown_up(p) ? shown_from(p->next_sibling) : top_from(p->next_all);
}

bool
pw_model_event_shown(const struct pw_event *ev, const struct pw_model_notes *notes)
{
	return ev->kind == PW_EV_START || ev->kind == PW_EV_END || !notes->proc ||
	       notes->proc->shown;
}

/* What p adds to the counts: the model's own, made per record. */
static void
count_proc(struct pw_model_counts *c, const struct pw_proc *p)
{
	size_t i;
	int k;

	c->processes++;
	c->attached += p->attached;
	c->detached += p->detached;
	c->threads += p->threads;
	for (i = 0; i < p->nthread_recs; i++) {
		c->threads += p->thread_recs[i].attached;
		c->attached_threads += p->thread_recs[i].attached;
	}
	c->execs += pw_proc_execs(p);
	c->failed_execs += p->failed_execs;
	if (p->exited && p->status.kind == PW_STATUS_KILLED)
		c->signals++;
	else if (p->exited && p->status.kind == PW_STATUS_EXITED && p->status.code != 0)
		c->nonzero_exits++;
	for (k = 0; p->nwarnings && k < PW_WARN_KINDS; k++)
		c->warnings[k] += p->nwarnings[k];
}

void
pw_model_shown_counts(const struct pw_model *m, struct pw_model_counts *c)
{
	const struct pw_proc *p;

	if (!m->filter) {
		*c = m->counts;
		return;
	}
	memset(c, 0, sizeof(*c));
	for (p = m->all; p; p = p->next_all)
		if (p->shown)
			count_proc(c, p);
}
