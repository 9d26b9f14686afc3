/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shape of a run for --summary: the slowest processes and the programs
 * run most often, so that where a build's time went and what it ran over
 * and over can be seen at a glance, after the counts.  Reads the finished
 * model only, the processes shown (procwatch/filter.h); sorting happens
 * once, at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "procwatch/filter.h"
#include "procwatch/model.h"
#include "view.h"

#define SHAPE_TOP 5

/* Only ended processes are listed: their lifetime is known. */
static uint64_t
lifetime(const struct pw_proc *p)
{
	return pw_proc_lifetime(p, p->exit_us);
}

/* Longest first; the earlier start first among equals, for a stable order. */
static int
cmp_slow(const void *a, const void *b)
{
	const struct pw_proc *p = *(const struct pw_proc *const *)a;
	const struct pw_proc *q = *(const struct pw_proc *const *)b;

	if (lifetime(p) != lifetime(q))
		return lifetime(p) > lifetime(q) ? -1 : 1;
	return p->start_us < q->start_us ? -1 : p->start_us > q->start_us;
}

static void
put_slowest(FILE *out, const struct pw_model *m, size_t n)
{
	const struct pw_proc **list = calloc(n, sizeof(*list));
	const struct pw_proc *p;
	size_t k = 0, i;

	if (!list)
		return;
	for (p = m->all; p; p = p->next_all)
		if (p->exited && pw_proc_shown(p))
			list[k++] = p;
	qsort(list, k, sizeof(*list), cmp_slow);
	fputs("slowest:", out);
	for (i = 0; i < k && i < SHAPE_TOP; i++) {
		fprintf(out, "%s ", i ? "," : "");
		if (list[i]->name[0])
			pw_view_name(out, list[i]->name);
		else
			putc('?', out);	/* the tree says "(name unknown)" */
		fprintf(out, " (%d) ", (int)list[i]->pid);
		pw_view_dur(out, lifetime(list[i]));
	}
	putc('\n', out);
	free(list);
}

struct run_count {
	const char *name;
	unsigned long n;
};

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Most runs first; by name among equals, so the line is the same every run. */
static int
cmp_count(const void *a, const void *b)
{
	const struct run_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The names of every successful exec, sorted, counted by runs of equals. */
static void
put_most_run(FILE *out, const struct pw_model *m, size_t nexecs)
{
	const char **names = calloc(nexecs, sizeof(*names));
	struct run_count *counts = calloc(nexecs, sizeof(*counts));
	const struct pw_image *im;
	const struct pw_proc *p;
	size_t k = 0, nc = 0, i;

	if (!names || !counts)
		goto out;
	for (p = m->all; p; p = p->next_all) {
		if (!pw_proc_shown(p))
			continue;
		for (im = p->images; im && k < nexecs; im = im->next)
			if (!im->attached && im->argv.n > 0 && im->argv.v[0])
				names[k++] = pw_basename(im->argv.v[0]);
	}
	qsort(names, k, sizeof(*names), cmp_name);
	for (i = 0; i < k; i++) {
		if (nc == 0 || strcmp(counts[nc - 1].name, names[i]) != 0)
			counts[nc++] = (struct run_count){ .name = names[i] };
		counts[nc - 1].n++;
	}
	qsort(counts, nc, sizeof(*counts), cmp_count);
	fputs("most run:", out);
	for (i = 0; i < nc && i < SHAPE_TOP; i++) {
		fprintf(out, "%s ", i ? "," : "");
		pw_view_name(out, counts[i].name);
		fprintf(out, " ×%lu", counts[i].n);
	}
	putc('\n', out);
out:
	free(names);
	free(counts);
}

void
pw_view_summary_shape(FILE *out, const struct pw_model *m)
{
	const struct pw_proc *p;
	size_t ended = 0, nexecs = 0;

	for (p = m->all; p; p = p->next_all) {
		if (!pw_proc_shown(p))
			continue;
		ended += p->exited;
		nexecs += p->execs;
	}
	if (ended)
		put_slowest(out, m, ended);
	if (nexecs)
		put_most_run(out, m, nexecs);
}
