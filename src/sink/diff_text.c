/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `procwatch diff`'s text: the two runs, then the tree of the processes
 * that differ, each under the chain of matched processes that started it
 * (drawn with the tree view's guides), siblings most important first, and
 * under each process a line per difference; then a line of counts.  A
 * process is named by its normalised command, so the reader sees what was
 * compared, and by its pid in each run, [A → B], for `procwatch show --pid`.
 * Each node is written once: linear in the differences.  Lines are built
 * in a buffer, a node's at a time, and folded to the terminal's width
 * (wrap.c), each continuation under the node's own guides, as the tree's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/diff.h"
#include "procwatch/shquote.h"
#include "view.h"

#define FAILURES_SHOWN 4	/* per side: the rest are counted */

struct text {
	FILE *out;		/* the lines being built: line.f */
	FILE *dest;
	const struct pw_view_opts *o;
	const struct pw_diff *d;
	struct pw_view_guides g;
	struct pw_line line, cont;	/* the lines, and their continuations' prefix */
};

/* Writes the lines built, each folded to the width after cont's prefix. */
static void
flush_lines(struct text *t)
{
	size_t n, cn;
	const char *text = pw_line_text(&t->line, &n);
	const char *cont = pw_line_text(&t->cont, &cn);

	if (n && text[n - 1] == '\n')
		n--;	/* pw_view_wrap() ends the last line itself */
	if (n)
		pw_view_wrap(t->dest, text, n, t->o->width, cont, cn);
	pw_line_clear(&t->line);
}

/*
 * What a folded line of nd's continues after: the guides of the lines
 * under it, and two more columns; for lines outside the tree, four.
 */
static void
set_cont(struct text *t, const struct pw_diff_node *nd)
{
	pw_line_clear(&t->cont);
	if (!nd) {
		fputs("    ", t->cont.f);
		return;
	}
	pw_view_guides_put(t->cont.f, t->o, &t->g, nd->depth,
			   t->g.last[nd->depth] ? "   " : "│  ");
	pw_view_color(t->cont.f, t->o, PW_COLOR_DIM);
	fputs(nd->first_child ? "│  " : "   ", t->cont.f);
	pw_view_reset(t->cont.f, t->o);
	fputs("  ", t->cont.f);
}

/*
 * Each kind's words: what a line under a process starts with, and the
 * same in the line of counts ("3 status, 1 exec, 2 only in A").
 */
static const struct {
	const char *line, *count;
} words[PW_DIFF_KINDS] = {
	[PW_DIFF_STATUS] = { "status", "status" },
	[PW_DIFF_FAILED_EXEC] = { "failed execs", "failed exec" },
	[PW_DIFF_ONLY_A] = { "only in A", "only in A" },
	[PW_DIFF_ONLY_B] = { "only in B", "only in B" },
	[PW_DIFF_EXEC] = { "execs", "exec" },
	[PW_DIFF_SLOWER] = { "slower", "slower" },
	[PW_DIFF_FASTER] = { "faster", "faster" },
};

static const struct pw_proc *
node_proc(const struct pw_diff_node *nd)
{
	return nd->a ? nd->a : nd->b;
}

/* "(16 processes, exited 0 after 1.52s)": the run and how its command ended. */
static void
put_run(struct text *t, const char *side, const char *name, const struct pw_model *m,
	const char *cwd)
{
	const struct pw_proc *root = m->root;

	fprintf(t->out, "%s: ", side);
	pw_text_escaped(t->out, name, strlen(name));
	fprintf(t->out, " (%lu process%s", m->counts.processes,
		m->counts.processes == 1 ? "" : "es");
	if (m->attach) {
		fputs(", attached", t->out);
	} else if (root && root->exited) {
		fputs(", ", t->out);
		pw_view_status(t->out, t->o, &root->status);
		fputs(" after ", t->out);
		pw_view_dur(t->out, pw_proc_lifetime(root, root->exit_us));
	} else if (root) {
		fputs(", ", t->out);
		pw_view_not_ended(t->out, m, root);
	}
	if (cwd) {
		fputs(", %CWD% is ", t->out);
		pw_shquote(t->out, cwd, strlen(cwd));
	}
	fputs(")\n", t->out);
}

/* The normalised command, or "(name)" for a fork that never exec'd. */
static void
put_command(struct text *t, const struct pw_diff_node *nd)
{
	const struct pw_proc *p = node_proc(nd);

	if (p->images || p->attempt) {
		pw_view_model_argv(t->out, t->o, nd->command);
		return;
	}
	putc('(', t->out);
	pw_view_name(t->out, p->name[0] ? p->name : "name unknown");
	putc(')', t->out);
}

static void
put_pid(FILE *out, const struct pw_proc *p)
{
	if (p)
		fprintf(out, "%d", (int)p->pid);
	else
		putc('-', out);
}

static void
put_process(struct text *t, const struct pw_diff_node *nd)
{
	pw_view_guides_put(t->out, t->o, &t->g, nd->depth,
			   t->g.last[nd->depth] ? "└─ " : "├─ ");
	put_command(t, nd);
	fputs("  ", t->out);
	pw_view_color(t->out, t->o, PW_COLOR_DIM);
	putc('[', t->out);
	put_pid(t->out, nd->a);
	fputs(" → ", t->out);
	put_pid(t->out, nd->b);
	putc(']', t->out);
	pw_view_reset(t->out, t->o);
	putc('\n', t->out);
}

/* The start of a line under nd, its guides and its children's: "KIND" and sep. */
static void
put_under(struct text *t, const struct pw_diff_node *nd, enum pw_diff_kind k,
	  const char *sep)
{
	pw_view_guides_put(t->out, t->o, &t->g, nd->depth,
			   t->g.last[nd->depth] ? "   " : "│  ");
	pw_view_color(t->out, t->o, PW_COLOR_DIM);
	fputs(nd->first_child ? "│  " : "   ", t->out);
	pw_view_reset(t->out, t->o);
	fprintf(t->out, "%s%s", words[k].line, sep);
}

static void
put_status(struct text *t, const struct pw_model *m, const struct pw_proc *p)
{
	if (p->exited)
		pw_view_status(t->out, t->o, &p->status);
	else
		pw_view_not_ended(t->out, m, p);
}

static void
put_failures(FILE *out, const struct pw_diff_failure *f, size_t n)
{
	size_t i;

	if (!n)
		fputs("none", out);
	for (i = 0; i < n && i < FAILURES_SHOWN; i++) {
		if (i)
			fputs(", ", out);
		if (f[i].path)
			pw_shquote(out, f[i].path, strlen(f[i].path));
		else
			fputs("(unreadable path)", out);
		fputs(" (", out);
		pw_view_errno(out, f[i].err);
		putc(')', out);
	}
	if (n > FAILURES_SHOWN)
		fprintf(out, ", …%zu more", n - FAILURES_SHOWN);
}

/* Each program as the tree shows it, with its path when argv[0] is not it. */
static void
put_chain(struct text *t, const struct pw_diff_image *im, size_t n)
{
	const char *argv0;
	size_t i;

	if (!n)
		fputs("none", t->out);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(" → ", t->out);
		pw_view_model_argv(t->out, t->o, &im[i].argv);
		argv0 = im[i].argv.n > im[i].argv.elided ? im[i].argv.v[0] : NULL;
		if (im[i].path && (!argv0 || strcmp(argv0, im[i].path) != 0)) {
			fputs(" (path ", t->out);
			pw_shquote(t->out, im[i].path, strlen(im[i].path));
			putc(')', t->out);
		}
	}
}

static void
put_durations(struct text *t, const struct pw_diff_node *nd)
{
	uint64_t da = pw_proc_lifetime(nd->a, nd->a->exit_us);
	uint64_t db = pw_proc_lifetime(nd->b, nd->b->exit_us);

	pw_view_dur(t->out, da);
	fputs(" → ", t->out);
	pw_view_dur(t->out, db);
	fputs(db > da ? " (+" : " (-", t->out);
	pw_view_dur(t->out, db > da ? db - da : da - db);
	putc(')', t->out);
}

static void
put_kind(struct text *t, const struct pw_diff_node *nd, enum pw_diff_kind k)
{
	FILE *out = t->out;

	put_under(t, nd, k, k == PW_DIFF_ONLY_A || k == PW_DIFF_ONLY_B ? "" : ": ");
	switch (k) {
	case PW_DIFF_STATUS:
		put_status(t, t->d->a, nd->a);
		fputs(" → ", out);
		put_status(t, t->d->b, nd->b);
		break;
	case PW_DIFF_FAILED_EXEC:
		put_failures(out, nd->failures[0], nd->nfailures[0]);
		fputs(" → ", out);
		put_failures(out, nd->failures[1], nd->nfailures[1]);
		break;
	case PW_DIFF_ONLY_A:
	case PW_DIFF_ONLY_B:
		if (nd->below)
			fprintf(out, ", with %u process%s below it", nd->below,
				nd->below == 1 ? "" : "es");
		break;
	case PW_DIFF_EXEC:
		fputs("A ran ", out);
		put_chain(t, nd->chain[0], nd->nchain[0]);
		putc('\n', out);
		put_under(t, nd, k, ": ");
		fputs("B ran ", out);
		put_chain(t, nd->chain[1], nd->nchain[1]);
		break;
	case PW_DIFF_SLOWER:
	case PW_DIFF_FASTER:
		put_durations(t, nd);
		break;
	case PW_DIFF_KINDS:
		break;
	}
	putc('\n', out);
}

/* The shown tree, depth first, without recursion (a fork chain may be deep). */
static bool
put_tree(struct text *t)
{
	const struct pw_diff_node *nd = t->d->top;
	unsigned k;

	while (nd) {
		if (!pw_view_guides_set(&t->g, nd->depth, !nd->next_sibling))
			return false;
		set_cont(t, nd);
		put_process(t, nd);
		for (k = 0; k < PW_DIFF_KINDS; k++)
			if (nd->kinds & 1u << k)
				put_kind(t, nd, (enum pw_diff_kind)k);
		flush_lines(t);
		if (nd->first_child) {
			nd = nd->first_child;
			continue;
		}
		while (nd && !nd->next_sibling)
			nd = nd->up;
		nd = nd ? nd->next_sibling : NULL;
	}
	return true;
}

/* "5 differences: 3 status, 1 exec, 1 only in A; 12 processes matched". */
static void
put_counts(struct text *t)
{
	const struct pw_diff *d = t->d;
	bool any = false;
	unsigned k;

	if (!d->nentries) {
		fprintf(t->out, "no differences; %lu process%s matched\n", d->matched,
			d->matched == 1 ? "" : "es");
		return;
	}
	fprintf(t->out, "%zu difference%s:", d->nentries, d->nentries == 1 ? "" : "s");
	for (k = 0; k < PW_DIFF_KINDS; k++) {
		if (!d->counts[k])
			continue;
		fprintf(t->out, "%s %lu %s", any ? "," : "", d->counts[k], words[k].count);
		any = true;
	}
	fprintf(t->out, "; %lu process%s matched\n", d->matched, d->matched == 1 ? "" : "es");
}

int
pw_diff_write_text(FILE *out, const struct pw_diff *d, const struct pw_view_opts *vo,
		   const char *name_a, const char *name_b)
{
	struct text t = { .dest = out, .o = vo, .d = d, .g.max = pw_view_guide_max(vo, 0) };
	bool ok = false;

	if (pw_line_open(&t.line) == 0 && pw_line_open(&t.cont) == 0) {
		t.out = t.line.f;
		set_cont(&t, NULL);
		put_run(&t, "A", name_a, d->a, d->cwd[0]);
		put_run(&t, "B", name_b, d->b, d->cwd[1]);
		flush_lines(&t);
		ok = put_tree(&t);
		set_cont(&t, NULL);
		if (!ok)
			fputs("(out of memory: the tree is incomplete)\n", t.out);
		put_counts(&t);
		flush_lines(&t);
	}
	free(t.g.last);
	pw_line_close(&t.line);
	pw_line_close(&t.cont);
	return t.out ? pw_view_flush(out) : -ENOMEM;
}
