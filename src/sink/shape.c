/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shape of a run for --summary: the slowest processes, by wall time and
 * by CPU time, the biggest by memory, and the programs run most often, so
 * that where a build's time went and what it ran over and over can be seen
 * at a glance, after the counts.  Reads the finished model only, the
 * processes shown (procwatch/filter.h); sorting happens once, at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "procwatch/filter.h"
#include "procwatch/model.h"
#include "view.h"

#define SHAPE_TOP 5

/* A process and the figure it is ranked by. */
struct ranked {
	const struct pw_proc *p;
	uint64_t v;
};

/* Largest first; the earlier start first among equals, for a stable order. */
static int
cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->v != y->v)
		return x->v > y->v ? -1 : 1;
	return x->p->start_us < y->p->start_us ? -1 : x->p->start_us > y->p->start_us;
}

/* "LABEL: NAME (PID) FIGURE, ..." for the SHAPE_TOP largest of list[0..k). */
static void
put_top(FILE *out, const char *label, struct ranked *list, size_t k,
	void (*put)(FILE *, uint64_t))
{
	size_t i;

	qsort(list, k, sizeof(*list), cmp_ranked);
	fprintf(out, "%s:", label);
	for (i = 0; i < k && i < SHAPE_TOP; i++) {
		fprintf(out, "%s ", i ? "," : "");
		if (list[i].p->name[0])
			pw_view_name(out, list[i].p->name);
		else
			putc('?', out);	/* the tree says "(name unknown)" */
		fprintf(out, " (%d) ", (int)list[i].p->pid);
		put(out, list[i].v);
	}
	putc('\n', out);
}

/*
 * The ended processes that lived longest (their lifetime is known), that
 * used the most CPU time and the most memory (when that was read): where a
 * build's time went is not always where its CPU went.  Each line only when
 * some process has its figure.
 */
static void
put_largest(FILE *out, const struct pw_model *m, size_t n)
{
	struct ranked *life = calloc(n, sizeof(*life)), *cpu = calloc(n, sizeof(*cpu)),
		      *mem = calloc(n, sizeof(*mem));
	const unsigned both = PW_USAGE_USER | PW_USAGE_SYSTEM;
	size_t nl = 0, nc = 0, nm = 0;
	const struct pw_proc *p;

	if (!life || !cpu || !mem)
		goto out;
	for (p = m->all; p; p = p->next_all) {
		if (!p->exited || !pw_proc_shown(p))
			continue;
		life[nl++] = (struct ranked){ p, pw_proc_lifetime(p, p->exit_us) };
		if ((p->usage.known & both) == both)
			cpu[nc++] = (struct ranked){ p, p->usage.user_us + p->usage.system_us };
		if (p->usage.known & PW_USAGE_PEAK_RSS)
			mem[nm++] = (struct ranked){ p, p->usage.peak_rss_kib };
	}
	put_top(out, "slowest", life, nl, pw_view_dur);
	if (nc)
		put_top(out, "slowest by CPU", cpu, nc, pw_view_dur);
	if (nm)
		put_top(out, "biggest by memory", mem, nm, pw_view_kib);
out:
	free(life);
	free(cpu);
	free(mem);
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
		nexecs += pw_proc_execs(p);
	}
	if (ended)
		put_largest(out, m, ended);
	if (nexecs)
		put_most_run(out, m, nexecs);
}
