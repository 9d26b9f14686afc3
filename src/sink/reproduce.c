/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The paste-back command line of a failed process, for a trace recorded
 * with --env: "cd DIR && env -i NAME=VALUE... COMMAND ARG...", which runs
 * its last exec again with the same working directory, environment (in
 * envp order) and argv.  Every word goes through pw_shquote(), so the line
 * pastes back into bash or zsh as the very bytes, and puts nothing raw on
 * a terminal.
 *
 * env(1) runs COMMAND with execvp(3), as argv[0]: the line names argv[0]
 * when a PATH search with the recorded PATH finds the file that was run,
 * else the file, and then says that argv[0] differs.  What env(1) cannot
 * pass is left out and named on a second line: an entry without '=' (env
 * would take it for the command), a name's later duplicates (getenv(3)
 * sees the first).  A line that would run something else is not printed
 * at all: the environment or argv not read whole, a command whose name
 * has a '='.
 *
 * Output stays bounded by the trace: a whole environment is written once
 * in the trace but could be printed for every failure, so once the lines
 * have printed more than PW_REPRO_SLACK plus PW_REPRO_FACTOR times the
 * environment bytes the trace held, the rest are left out with a note.
 */
#include <stdlib.h>
#include <string.h>

#include "procwatch/shquote.h"
#include "view.h"

#define PW_REPRO_SLACK (4u << 20)
#define PW_REPRO_FACTOR 16
#define CAVEAT_NAMES 4		/* names listed in the second line, at most */
/* glibc's execvp without PATH: confstr(_CS_PATH) (posix/execvpe.c). */
#define DEFAULT_PATH "/bin:/usr/bin"

/* What is reproduced: the process's last exec, failed or not. */
struct target {
	const struct pw_argv *argv;
	const char *path, *cwd;
	const struct pw_env_node *env;
	const char **envv;	/* rebuilt */
	size_t envn;
};

static bool
last_exec(const struct pw_proc *p, struct target *t)
{
	const struct pw_image *im = pw_proc_image(p);

	if (p->attempt) {
		*t = (struct target){ &p->attempt->argv, p->attempt->path, p->attempt->cwd,
				      p->attempt->env, NULL, 0 };
		return true;
	}
	if (!im || im->attached)
		return false;
	*t = (struct target){ &im->argv, im->path, im->cwd, im->env, NULL, 0 };
	return true;
}

static size_t
name_len(const char *entry)
{
	return strcspn(entry, "=");
}

/* Entry i is passed: it has a '=' and no earlier entry has its name. */
static bool
passed(const struct target *t, size_t i)
{
	size_t len = name_len(t->envv[i]), j;

	if (!t->envv[i][len])
		return false;
	for (j = 0; j < i; j++)
		if (name_len(t->envv[j]) == len && !strncmp(t->envv[j], t->envv[i], len))
			return false;
	return true;
}

/* The value of PATH that env(1)'s execvp will search. */
static const char *
search_path(const struct target *t)
{
	for (size_t i = 0; i < t->envn; i++)
		if (!strncmp(t->envv[i], "PATH=", 5))
			return t->envv[i] + 5;
	return DEFAULT_PATH;
}

/* A PATH search for name finds path: one of its directories holds it. */
static bool
path_finds(const char *dirs, const char *name, const char *path)
{
	size_t n = strlen(name), len;
	const char *d = dirs;

	for (;;) {
		len = strcspn(d, ":");
		/* An empty element is the working directory: name alone. */
		if (len == 0 ? !strcmp(path, name)
			     : (!strncmp(path, d, len) && path[len] == '/' &&
				!strcmp(path + len + 1, name) && strlen(path) == len + 1 + n))
			return true;
		if (!d[len])
			return false;
		d += len + 1;
	}
}

/*
 * The word env(1) runs: argv[0] when that runs the same file (a path, or a
 * name a directory of the recorded PATH holds the file under), else the
 * path, and argv[0] differs.
 */
static const char *
command_word(const struct target *t, bool *argv0_differs)
{
	const char *argv0 = t->argv->n ? t->argv->v[0] : NULL;

	*argv0_differs = false;
	if (argv0 && strchr(argv0, '/') ? !strcmp(argv0, t->path)
					: argv0 && path_finds(search_path(t), argv0, t->path))
		return argv0;
	*argv0_differs = true;
	return t->path;
}

/* Why no line can run the same exec again; NULL when one can. */
static const char *
why_not(const struct target *t)
{
	size_t i;

	if (!t->env)
		return "the trace has no environment for this exec";
	if (t->env->truncated || t->env->err)
		return "the environment was not read whole";
	if (t->argv->truncated || t->argv->elided)
		return "argv was not read whole";
	if (!t->path)
		return "the path was unreadable";
	for (i = 0; i < t->argv->n; i++)
		if (!t->argv->v[i])
			return "an argument was unreadable";
	return NULL;
}

static void
put_word(FILE *out, const char *s)
{
	putc(' ', out);
	pw_shquote(out, s, strlen(s));
}

/*
 * The command itself.  "--" ends env's options when the first word after
 * them starts with '-'; a path without '/' gets "./", or execvp would
 * search PATH for it.
 */
static void
put_command(FILE *out, const struct target *t, const char *word)
{
	const char *first = word;
	size_t i;

	if (t->cwd) {
		fputs(t->cwd[0] == '-' ? "cd -- " : "cd ", out);
		pw_shquote(out, t->cwd, strlen(t->cwd));
		fputs(" && ", out);
	}
	fputs("env -i", out);
	for (i = 0; i < t->envn; i++)
		if (passed(t, i)) {
			first = t->envv[i];
			break;
		}
	if (first[0] == '-')
		fputs(" --", out);
	for (i = 0; i < t->envn; i++)
		if (passed(t, i))
			put_word(out, t->envv[i]);
	if (!strchr(word, '/') && word == t->path) {
		fputs(" ./", out);
		pw_shquote(out, word, strlen(word));
	} else {
		put_word(out, word);
	}
	for (i = 1; i < t->argv->n; i++)
		put_word(out, t->argv->v[i]);
}

/* What the line does not pass: "'FOO' (no '='), a second 'HOME', ...". */
static void
put_left_out(FILE *out, const struct target *t)
{
	size_t i, listed = 0, more = 0;

	for (i = 0; i < t->envn; i++) {
		if (passed(t, i))
			continue;
		if (listed == CAVEAT_NAMES) {
			more++;
			continue;
		}
		fputs(listed ? ", " : "left out ", out);
		if (strchr(t->envv[i], '=')) {
			fputs("a second ", out);
			pw_shquote(out, t->envv[i], name_len(t->envv[i]));
		} else {
			pw_shquote(out, t->envv[i], strlen(t->envv[i]));
			fputs(" (no '=')", out);
		}
		listed++;
	}
	if (more)
		fprintf(out, " and %zu more", more);
}

static bool
any_left_out(const struct target *t)
{
	for (size_t i = 0; i < t->envn; i++)
		if (!passed(t, i))
			return true;
	return false;
}

static size_t
env_size(const struct target *t)
{
	size_t sum = 0;

	for (size_t i = 0; i < t->envn; i++)
		sum += strlen(t->envv[i]) + 1;
	return sum;
}

static void
line(const struct pw_repro_lines *l, FILE *out, const char *label, const char *text)
{
	l->begin(l->ctx, label);
	if (text)
		fputs(text, out);
	l->end(l->ctx);
}

/*
 * "differs: argv[0] was 'cc1'; the working directory is unknown; left out
 * 'FOO' (no '=')", when the line is not the exec exactly.
 */
static void
put_differs(FILE *out, const struct target *t, bool argv0_differs,
	    const struct pw_repro_lines *l)
{
	const char *sep = "";

	if (!argv0_differs && t->cwd && !any_left_out(t))
		return;
	l->begin(l->ctx, "differs:");
	if (argv0_differs) {
		fputs("argv[0] was ", out);
		if (t->argv->n)
			pw_shquote(out, t->argv->v[0], strlen(t->argv->v[0]));
		else
			fputs("missing (an empty argv)", out);
		sep = "; ";
	}
	if (!t->cwd) {
		fprintf(out, "%sthe working directory is unknown", sep);
		sep = "; ";
	}
	if (any_left_out(t)) {
		fputs(sep, out);
		put_left_out(out, t);
	}
	l->end(l->ctx);
}

/* The lines, once the environment is rebuilt and the budget allows. */
static void
put_lines(FILE *out, const struct target *t, const struct pw_repro_lines *l)
{
	bool argv0_differs;
	const char *word = command_word(t, &argv0_differs);

	if (strchr(word, '=')) {
		line(l, out, "reproduce:", "none: the command's name has a '=', which "
		     "env(1) would take for a variable");
		return;
	}
	l->begin(l->ctx, "reproduce:");
	put_command(out, t, word);
	l->end(l->ctx);
	put_differs(out, t, argv0_differs, l);
}

void
pw_view_reproduce(FILE *out, const struct pw_model *m, const struct pw_proc *p,
		  uint64_t *written, const struct pw_repro_lines *l)
{
	struct target t;
	const char *why;

	if (!m->env_seen || !last_exec(p, &t))
		return;
	why = why_not(&t);
	if (why) {
		l->begin(l->ctx, "reproduce:");
		fprintf(out, "none: %s", why);
		l->end(l->ctx);
		return;
	}
	if (*written > PW_REPRO_SLACK + PW_REPRO_FACTOR * m->env_bytes) {
		line(l, out, "reproduce:", "left out: the lines above printed more "
		     "environments than this trace holds");
		return;
	}
	if (pw_model_env(t.env, &t.envv, &t.envn) < 0) {
		line(l, out, "reproduce:", "none: the trace's changes of environment "
		     "do not rebuild it (a damaged trace)");
		return;
	}
	for (size_t i = 0; i < t.envn; i++)
		if (!t.envv[i]) {
			free(t.envv);
			line(l, out, "reproduce:", "none: an entry of the environment "
			     "was unreadable");
			return;
		}
	*written += env_size(&t);
	put_lines(out, &t, l);
	free(t.envv);
}
