/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --format=compile-commands: a compile_commands.json (Clang's JSON
 * Compilation Database) of the compilers the run executed, for clangd,
 * clang-tidy and the like: one entry per file compiled, in the order the
 * compiling processes were created, written when the trace ends.
 *
 *   [
 *   {"directory":"/src/p","arguments":["cc","-Iinc","-c","-o","a.o","a.c"],"file":"/src/p/a.c","output":"/src/p/a.o"},
 *   ...
 *   ]
 *
 * Which command lines are compiles, and which argument is which, is
 * compile_args.c's to say.  Here: each entry's directory is the working
 * directory of the exec; its arguments are argv from the compiler's name
 * on (a wrapper such as ccache left out), without the other files of the
 * same command, and for a command that also links, with -c after the
 * compiler and without -o (the program is not this file's output); file
 * and output are made absolute against the directory, so that consumers
 * that compare paths find them.  Only programs that ran count (failed
 * exec attempts do not); a compile that failed still does.
 *
 * A compile is left out when it ran below another one (the real compiler
 * under ccache, anything gcc runs), or after one in the same process (a
 * wrapper that exec'd it): the outermost is the command the build ran,
 * and a cache hit runs nothing below it.  An entry is left out when JSON
 * text cannot carry it exactly (bytes that are not UTF-8: a lossy name
 * would name another file), when a part of its command could not be read,
 * or its directory is unknown; each reason is counted and said once, on
 * standard error, at the end.
 *
 * Cost: each image's argv is read twice, and each entry writes its
 * command; a command with many files writes its options once per file,
 * which the format requires, so a command whose entries would be more
 * than FANOUT_MAX times its own size (only a hostile trace has one) is
 * left out, keeping the output linear in the trace.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/filter.h"
#include "procwatch/json_writer.h"
#include "procwatch/model.h"
#include "procwatch/utf8.h"
#include "compile_args.h"
#include "view.h"

#define FANOUT_MAX 64

enum left_out { LEFT_NOT_UTF8, LEFT_UNREADABLE, LEFT_NO_DIR, LEFT_FANOUT, LEFT_KINDS };

static const char *const left_out_why[LEFT_KINDS] = {
	[LEFT_NOT_UTF8] = "whose compile command or directory has bytes that are not UTF-8 "
			  "(JSON text cannot hold them)",
	[LEFT_UNREADABLE] = "whose compile command procwatch could not read whole",
	[LEFT_NO_DIR] = "compiled in a working directory procwatch does not know",
	[LEFT_FANOUT] = "of a command with too many files and options to repeat "
			"in an entry for each",
};

struct ccdb {
	FILE *out;
	struct pw_json w;
	size_t entries;
	int err;		/* the first error: -errno */
	unsigned long left[LEFT_KINDS];
	/* Scratch, grown as needed. */
	struct pw_compile c;	/* c.roles: one argv's */
	size_t nroles;
	uint32_t *kept;		/* the indices of the arguments every entry has: as many */
	size_t nkept, kept_cap;
	char *path;		/* file or output made absolute */
	size_t path_cap;
};

/* p with room for n elements of size (*cap now); NULL when out of memory, p kept. */
static void *
grow(void *p, size_t *cap, size_t n, size_t size)
{
	void *np;

	if (n <= *cap)
		return p;
	np = realloc(p, n * size);
	if (np)
		*cap = n;
	return np;
}

static void
fail(struct ccdb *v, int err)
{
	if (!v->err)
		v->err = err;
}

/* Whether im is a compile; v->c says how.  Makes room for its entries' arguments. */
static bool
parse(struct ccdb *v, const struct pw_image *im)
{
	uint8_t *roles;
	uint32_t *kept;

	if (!pw_view_image_shown(im) || im->argv.n == 0)
		return false;
	roles = grow(v->c.roles, &v->nroles, im->argv.n, 1);
	if (roles)
		v->c.roles = roles;
	kept = grow(v->kept, &v->kept_cap, im->argv.n, sizeof(*kept));
	if (kept)
		v->kept = kept;
	if (!roles || !kept) {
		fail(v, -ENOMEM);
		return false;
	}
	return pw_compile_parse(im->path, &im->argv, &v->c);
}

/*
 * name against dir ("/" first), without "." components and empty ones
 * (a doubled slash); ".." stays: after a symbolic link it is not the
 * directory above.  In v->path; NULL when out of memory.
 */
static const char *
absolute(struct ccdb *v, const char *dir, const char *name, size_t *len)
{
	const char *s = name, *e;
	size_t n = 0;
	char *buf = grow(v->path, &v->path_cap, strlen(dir) + strlen(name) + 2, 1);

	if (!buf) {
		fail(v, -ENOMEM);
		return NULL;
	}
	v->path = buf;
	if (name[0] != '/') {
		n = strlen(dir);
		memcpy(v->path, dir, n);
		while (n > 0 && v->path[n - 1] == '/')
			n--;
	}
	for (; *s; s = *e ? e + 1 : e) {
		e = strchrnul(s, '/');
		if (e == s || (e - s == 1 && s[0] == '.'))
			continue;
		v->path[n++] = '/';
		memcpy(v->path + n, s, (size_t)(e - s));
		n += (size_t)(e - s);
	}
	if (n == 0)
		v->path[n++] = '/';
	v->path[n] = '\0';
	*len = n;
	return v->path;
}

static void
put_path(struct ccdb *v, const char *key, const char *dir, const char *name)
{
	size_t len;
	const char *p = absolute(v, dir, name, &len);

	pw_json_key(&v->w, key);
	if (p)
		pw_json_string_len(&v->w, p, len);
	else
		pw_json_null(&v->w);
}

/* The arguments of source src's entry: the kept ones, src in its place. */
static void
put_arguments(struct ccdb *v, const struct pw_argv *a, uint32_t src)
{
	bool placed = false;
	size_t k;

	pw_json_key(&v->w, "arguments");
	pw_json_array_begin(&v->w);
	for (k = 0; k < v->nkept; k++) {
		if (!placed && v->kept[k] > src) {
			pw_json_string(&v->w, a->v[src]);
			placed = true;
		}
		pw_json_string(&v->w, a->v[v->kept[k]]);
		if (v->kept[k] == v->c.compiler && v->c.links)
			pw_json_string(&v->w, "-c");
	}
	if (!placed)
		pw_json_string(&v->w, a->v[src]);
	pw_json_array_end(&v->w);
}

static void
put_entry(struct ccdb *v, const char *dir, const struct pw_argv *a, uint32_t src)
{
	int err;

	if (fputs(v->entries++ ? ",\n" : "[\n", v->out) == EOF)
		fail(v, -errno);
	pw_json_init(&v->w, v->out);
	pw_json_object_begin(&v->w);
	pw_json_key_string(&v->w, "directory", dir);
	put_arguments(v, a, src);
	put_path(v, "file", dir, a->v[src]);
	if (v->c.output && !v->c.links)
		put_path(v, "output", dir, v->c.output);
	pw_json_object_end(&v->w);
	err = pw_json_error(&v->w);
	if (err)
		fail(v, err);
}

static bool
utf8(const char *s)
{
	return pw_utf8_valid(s, strlen(s));
}

/*
 * Lists the arguments every entry keeps (the output too, unless the
 * command links); false when one is not UTF-8.  *total: argv's size.
 */
static bool
keep_arguments(struct ccdb *v, const struct pw_argv *a, size_t *kept, size_t *total)
{
	enum pw_carg r;
	bool ok = true;
	size_t len;
	uint32_t i;

	v->nkept = 0;
	*kept = *total = 0;
	for (i = 0; i < a->n; i++) {
		len = strlen(a->v[i]) + 1;
		*total += len;
		r = (enum pw_carg)v->c.roles[i];
		if (r == PW_CARG_FLAG || (r == PW_CARG_OUTPUT && !v->c.links)) {
			v->kept[v->nkept++] = i;
			*kept += len;
			ok = ok && pw_utf8_valid(a->v[i], len - 1);
		}
	}
	return ok;
}

/* The entries of compile image im (parsed into v->c): one per source. */
static void
put_compile(struct ccdb *v, const struct pw_image *im)
{
	const struct pw_argv *a = &im->argv;
	size_t kept, total;
	uint32_t i;

	if (v->c.unreadable) {
		v->left[LEFT_UNREADABLE] += v->c.nsources;
		return;
	}
	if (!im->cwd || im->cwd[0] != '/') {
		v->left[LEFT_NO_DIR] += v->c.nsources;
		return;
	}
	if (!keep_arguments(v, a, &kept, &total) || !utf8(im->cwd)) {
		v->left[LEFT_NOT_UTF8] += v->c.nsources;
		return;
	}
	if ((v->c.nsources - 1) * kept > FANOUT_MAX * total) {
		v->left[LEFT_FANOUT] += v->c.nsources;
		return;
	}
	for (i = 0; i < a->n; i++) {
		if (v->c.roles[i] != PW_CARG_SOURCE)
			continue;
		if (utf8(a->v[i]))
			put_entry(v, im->cwd, a, i);
		else
			v->left[LEFT_NOT_UTF8]++;
	}
}

/*
 * Which compile of each record counts: by record id (from 1, in creation
 * order), its first compile image, or NULL when it ran none or runs below
 * a compile: it was created, directly or not, by a process after that
 * process's first compile began.  One pass in creation order, where a
 * creator comes before what it created.
 */
static const struct pw_image **
outer_compiles(struct ccdb *v, const struct pw_model *m)
{
	const struct pw_image **first = calloc(m->counts.processes + 1, sizeof(*first));
	bool *below = calloc(m->counts.processes + 1, sizeof(*below));
	const struct pw_image *im;
	const struct pw_proc *p, *up;

	if (!first || !below) {
		free(below);
		free(first);
		fail(v, -ENOMEM);
		return NULL;
	}
	for (p = m->all; p; p = p->next_all) {
		up = p->up;
		below[p->id] = up && (below[up->id] ||
				      (first[up->id] && first[up->id]->t <= p->start_us));
		for (im = p->images; im && !below[p->id] && !first[p->id]; im = im->next)
			if (parse(v, im))
				first[p->id] = im;
	}
	free(below);
	return first;
}

/* One line on standard error for each reason entries were left out. */
static void
say_left_out(const struct ccdb *v, const struct pw_model *m)
{
	int k;

	for (k = 0; k < LEFT_KINDS; k++)
		if (v->left[k])
			pw_warn("compile-commands: left out %lu file%s %s",
				v->left[k], v->left[k] == 1 ? "" : "s", left_out_why[k]);
	if (m->failed)
		pw_warn("compile-commands: procwatch ran out of memory while reading "
			"the trace; the database is incomplete");
}

/* Every argument: an entry needs the whole command. */
static void
ccdb_needs(const struct pw_view_opts *o, struct pw_model_opts *mo)
{
	(void)o;
	mo->argv_keep = 0;
	mo->warnings = false;
}

static void *
ccdb_create(FILE *out, const struct pw_view_opts *o, void *data)
{
	struct ccdb *v = calloc(1, sizeof(*v));

	(void)o;	/* nothing of the text views applies */
	(void)data;
	if (v)
		v->out = out;
	return v;
}

static int
ccdb_end(void *view, const struct pw_model *m)
{
	struct ccdb *v = view;
	const struct pw_image **first;
	const struct pw_proc *p;
	int flushed;

	/* A file that is no trace gives no database, not an empty one. */
	if (!m->trace.known && !m->root && !m->ended)
		return pw_view_flush(v->out);
	first = outer_compiles(v, m);
	for (p = m->all; first && p; p = p->next_all)
		if (pw_proc_shown(p) && first[p->id] && parse(v, first[p->id]))
			put_compile(v, first[p->id]);
	free(first);
	if (fputs(v->entries ? "\n]\n" : "[]\n", v->out) == EOF)
		fail(v, -errno);
	say_left_out(v, m);
	flushed = pw_view_flush(v->out);
	return v->err ? v->err : flushed;
}

static void
ccdb_destroy(void *view)
{
	struct ccdb *v = view;

	free(v->c.roles);
	free(v->kept);
	free(v->path);
	free(v);
}

const struct pw_view pw_view_compile_commands = {
	.needs = ccdb_needs,
	.create = ccdb_create,
	.end = ccdb_end,
	.end_at_close = true,
	.destroy = ccdb_destroy,
};
