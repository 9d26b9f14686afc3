/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pieces of the timeline and tree views that must read the same in both:
 * how long something took, how a process ended, a spawn's call and flags,
 * and argv as shell words with long vectors cut in the middle (the start
 * says what runs, the end usually names the files).  Colour is ANSI SGR,
 * written only when the caller decided the output is a terminal.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/linux_compat.h"
#include "procwatch/model.h"
#include "procwatch/shquote.h"
#include "procwatch/xlat.h"
#include "view.h"

void
pw_view_color(FILE *out, const struct pw_view_opts *o, enum pw_color c)
{
	static const char *const sgr[] = {
		[PW_COLOR_FAIL] = "\033[31m",
		[PW_COLOR_SIGNAL] = "\033[1;35m",
		[PW_COLOR_DIM] = "\033[2m",
		[PW_COLOR_WARN] = "\033[1;33m",
	};

	if (o->color)
		fputs(sgr[c], out);
}

void
pw_view_reset(FILE *out, const struct pw_view_opts *o)
{
	if (o->color)
		fputs("\033[0m", out);
}

unsigned
pw_view_guide_max(const struct pw_view_opts *o, unsigned lead)
{
	unsigned max;

	if (!o->width)
		return PW_VIEW_GUIDES_MAX;
	max = o->width > lead ? (o->width - lead) / 6 : 0;
	return max < 6 ? 6 : max;
}

/*
 * The mark takes as many columns at every depth up to 99999, so that the
 * guides after it stay in line from one line to the next.  The levels it
 * stands for are skipped, not visited: a line costs the levels drawn.
 */
unsigned
pw_view_guide(FILE *out, unsigned max, unsigned depth, unsigned d, const char *piece)
{
	unsigned keep = max / 4 ? max / 4 : 1;
	char mark[32];
	int n;

	if (depth <= max || d <= keep || d > depth - keep) {
		fputs(piece, out);
		return d + 1;
	}
	n = snprintf(mark, sizeof(mark), "[depth %u]", depth);
	fprintf(out, "…%s…%*s", mark, n < 14 ? 14 - n : 1, "");
	return depth - keep + 1;
}

bool
pw_view_guides_set(struct pw_view_guides *g, unsigned depth, bool last)
{
	bool *grown;
	size_t size;

	if (depth >= g->size) {
		size = (depth + 1) * 2;
		grown = realloc(g->last, size * sizeof(*grown));
		if (!grown)
			return false;
		g->last = grown;
		g->size = size;
	}
	g->last[depth] = last;
	return true;
}

void
pw_view_guides_put(FILE *out, const struct pw_view_opts *o,
		   const struct pw_view_guides *g, unsigned depth, const char *piece)
{
	unsigned d;

	if (depth == 0)
		return;
	pw_view_color(out, o, PW_COLOR_DIM);
	for (d = 1; d < depth;)
		d = pw_view_guide(out, g->max, depth, d, g->last[d] ? "   " : "│  ");
	if (piece)
		fputs(piece, out);	/* the innermost level is always drawn */
	pw_view_reset(out, o);
}

void
pw_view_dur(FILE *out, uint64_t us)
{
	if (us < 1000)
		fprintf(out, "%" PRIu64 "µs", us);
	else if (us < 1000000)
		fprintf(out, "%.1fms", (double)us / 1e3);
	else if (us < 60000000)
		fprintf(out, "%.2fs", (double)us / 1e6);
	else
		fprintf(out, "%" PRIu64 "m%02" PRIu64 "s", us / 60000000,
			us / 1000000 % 60);
}

void
pw_view_kib(FILE *out, uint64_t kib)
{
	static const char *const units[] = { "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)kib / 1024;
	size_t u = 0;

	if (kib < 1024) {
		fprintf(out, "%" PRIu64 " KiB", kib);
		return;
	}
	while (v >= 1024 && u + 1 < PW_ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	fprintf(out, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

/*
 * CPU time is shown as one figure, user plus system: what a reader
 * compares between processes; split only says how it divides.
 */
void
pw_view_usage(FILE *out, const struct pw_usage *u, bool split)
{
	bool user = u->known & PW_USAGE_USER, sys = u->known & PW_USAGE_SYSTEM;

	if (user && sys) {
		fputs("cpu ", out);
		pw_view_dur(out, u->user_us + u->system_us);
		if (split) {
			fputs(" (user ", out);
			pw_view_dur(out, u->user_us);
			fputs(", system ", out);
			pw_view_dur(out, u->system_us);
			putc(')', out);
		}
	} else if (user || sys) {
		fputs(user ? "user " : "system ", out);
		pw_view_dur(out, user ? u->user_us : u->system_us);
	}
	if (u->known & PW_USAGE_PEAK_RSS) {
		fputs(user || sys ? ", peak " : "peak ", out);
		pw_view_kib(out, u->peak_rss_kib);
	}
}

void
pw_view_name(FILE *out, const char *name)
{
	pw_shquote(out, name, strlen(name));
}

void
pw_view_pid_ns(FILE *out, long id, long id_ns)
{
	if (id == 0 && id_ns != 0)
		fprintf(out, "ns:%ld", id_ns);
	else
		fprintf(out, "%ld", id);
}

void
pw_view_errno(FILE *out, int err)
{
	char buf[24];

	fputs(pw_errno_format(err, buf, sizeof(buf)), out);
}

static void
put_signal(FILE *out, int sig)
{
	char buf[32];

	fputs(pw_signal_format(sig, buf, sizeof(buf)), out);
}

void
pw_view_status(FILE *out, const struct pw_view_opts *o, const struct pw_status *st)
{
	switch (st->kind) {
	case PW_STATUS_EXITED:
		if (st->code)
			pw_view_color(out, o, PW_COLOR_FAIL);
		fprintf(out, "exited %d", st->code);
		break;
	case PW_STATUS_KILLED:
		pw_view_color(out, o, PW_COLOR_SIGNAL);
		fputs("killed by ", out);
		put_signal(out, st->signal);
		if (st->core)
			fputs(" (core dumped)", out);
		break;
	case PW_STATUS_STOPPED:
		pw_view_color(out, o, PW_COLOR_SIGNAL);
		fputs("stopped by ", out);
		put_signal(out, st->signal);
		break;
	case PW_STATUS_TRAPPED:
		fputs("trapped by ", out);
		put_signal(out, st->signal);
		return;
	case PW_STATUS_CONTINUED:
		fputs("continued", out);
		return;
	case PW_STATUS_NONE:
		fputs("no status", out);
		return;
	}
	pw_view_reset(out, o);
}

void
pw_view_put_flag(void *data, const char *name, uint64_t bits)
{
	struct pw_view_flags *fl = data;

	fputs(fl->any ? "|" : fl->before, fl->out);
	fl->any = true;
	if (name)
		fputs(name, fl->out);
	else
		fprintf(fl->out, "0x%" PRIx64, bits);
}

/* clone3's struct clone_args beyond the flags, when it says something. */
static void
put_clone3_extra(FILE *out, const struct pw_spawn *sp)
{
	size_t i, n;

	/* More than the kernel takes (EINVAL): none of them was read. */
	if (sp->set_tid_size > PW_SET_TID_MAX)
		fprintf(out, ", set_tid_size=%zu (over %d)", (size_t)sp->set_tid_size,
			PW_SET_TID_MAX);
	else if (sp->set_tid_size > 0) {
		n = sp->set_tid_size;
		fputs(", set_tid=[", out);
		for (i = 0; i < n; i++)
			fprintf(out, "%s%d", i ? ", " : "", (int)sp->set_tid[i]);
		putc(']', out);
	}
	if (sp->flags & CLONE_INTO_CGROUP)
		fprintf(out, ", cgroup=%" PRIu64, sp->cgroup);
	if (sp->args_unreadable)
		fprintf(out, ", args unreadable (size %" PRIu64 ")", sp->args_size);
	if (sp->args_tail_nonzero)
		fprintf(out, ", nonzero tail (size %" PRIu64 ")", sp->args_size);
}

void
pw_view_spawn_call(FILE *out, const struct pw_spawn *sp)
{
	struct pw_view_flags fc = { out, "", false };
	const char *call = pw_call_name(sp->call);

	fprintf(out, "%s(", call ? call : "?");
	/* fork() and vfork() take no flags: what they imply is their name. */
	if (sp->call != PW_CALL_FORK && sp->call != PW_CALL_VFORK) {
		pw_clone_flags_each(sp->flags, pw_view_put_flag, &fc);
		if (sp->exit_signal) {
			if (fc.any)
				putc('|', out);
			put_signal(out, sp->exit_signal);
		} else if (!fc.any) {
			putc('0', out);
		}
	}
	if (sp->call == PW_CALL_CLONE3)
		put_clone3_extra(out, sp);
	putc(')', out);
}

/*
 * The flags each kind of spawn usually has, as glibc makes it: fork()
 * passes CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID, pthread_create() the
 * thread set, posix_spawn() CLONE_VM|CLONE_VFORK; all but the thread end
 * with SIGCHLD.  A spawn of a kind is judged by its flags
 * (decode/clone.c), so only extra flags can set one apart, not missing
 * ones.
 */
static const struct {
	uint64_t flags;
	int exit_signal;
} usual_spawn[] = {
	[PW_SPAWN_FORK] = { CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID, SIGCHLD },
	[PW_SPAWN_VFORK] = { CLONE_VM | CLONE_VFORK, SIGCHLD },
	[PW_SPAWN_POSIX_SPAWN] = { CLONE_VM | CLONE_VFORK, SIGCHLD },
	[PW_SPAWN_THREAD] = { CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			      CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
			      CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID, 0 },
};

void
pw_view_spawn_unusual(FILE *out, const struct pw_spawn *sp)
{
	struct pw_view_flags fc = { out, "  with ", false };
	uint64_t extra;

	if ((size_t)sp->kind >= PW_ARRAY_SIZE(usual_spawn)) {
		fputs("  ", out);
		pw_view_spawn_call(out, sp);
		return;
	}
	/* fork() and vfork() take no flags: what they imply is their name. */
	extra = sp->call == PW_CALL_FORK || sp->call == PW_CALL_VFORK
		? 0 : sp->flags & ~usual_spawn[sp->kind].flags;
	pw_clone_flags_each(extra, pw_view_put_flag, &fc);
	if (sp->call != PW_CALL_FORK && sp->call != PW_CALL_VFORK &&
	    sp->exit_signal != usual_spawn[sp->kind].exit_signal) {
		fputs(fc.any ? ", exit signal " : "  with exit signal ", out);
		if (sp->exit_signal)
			put_signal(out, sp->exit_signal);
		else
			putc('0', out);
		fc.any = true;
	}
	if (sp->call != PW_CALL_CLONE3)
		return;
	if (!fc.any && (sp->set_tid_size || (sp->flags & CLONE_INTO_CGROUP) ||
			sp->args_unreadable || sp->args_tail_nonzero))
		fputs("  with clone3 args", out);
	put_clone3_extra(out, sp);
}

/* Which elements to show of n: the first head and the last tail. */
static void
elide_split(size_t n, size_t max, size_t *head, size_t *tail)
{
	if (max == 0 || n <= max) {
		*head = n;
		*tail = 0;
		return;
	}
	*tail = max / 3;
	*head = max - *tail;
}

static void
put_word(FILE *out, const char *s, size_t len, bool ok, bool first)
{
	if (!first)
		putc(' ', out);
	if (ok)
		pw_shquote(out, s, len);
	else
		fputs("<unreadable>", out);
}

static void
put_elided(FILE *out, const struct pw_view_opts *o, size_t count)
{
	putc(' ', out);
	pw_view_color(out, o, PW_COLOR_DIM);
	fprintf(out, "…%zu more…", count);
	pw_view_reset(out, o);
}

/* Element i of an argv as bytes; false when it could not be read. */
typedef bool (*argv_get_fn)(const void *argv, size_t i, const char **s, size_t *len);

/*
 * n elements, elided in the middle past o->argv_max; cut: the vector was
 * longer than what was read.  An empty argv is legal: say so rather than
 * show nothing.
 */
static void
put_argv(FILE *out, const struct pw_view_opts *o, const void *argv, size_t n, bool cut,
	 argv_get_fn get)
{
	size_t i, head, tail, len;
	const char *s;
	bool ok;

	if (n == 0 && !cut) {
		fputs("(empty argv)", out);
		return;
	}
	elide_split(n, o->argv_max, &head, &tail);
	for (i = 0; i < n; i++) {
		if (i == head && tail) {
			put_elided(out, o, n - head - tail);
			i = n - tail;
		}
		ok = get(argv, i, &s, &len);
		put_word(out, s, len, ok, i == 0);
	}
	if (cut)
		fputs(n ? " …" : "…", out);
}

static bool
event_arg(const void *argv, size_t i, const char **s, size_t *len)
{
	const struct pw_bytes *b = &((const struct pw_exec *)argv)->argv[i];

	*s = b->data;
	*len = b->len;
	return b->data != NULL;
}

static bool
model_arg(const void *argv, size_t i, const char **s, size_t *len)
{
	const char *v = ((const struct pw_argv *)argv)->v[i];

	*s = v;
	*len = v ? strlen(v) : 0;
	return v != NULL;
}

void
pw_view_event_argv(FILE *out, const struct pw_view_opts *o, const struct pw_exec *ex)
{
	put_argv(out, o, ex, ex->argc, ex->argv_truncated || ex->argv_err, event_arg);
}

/*
 * The model keeps an elided vector's first head and last elements only,
 * in the split put_argv() would make of the whole (struct pw_argv).
 */
void
pw_view_model_argv(FILE *out, const struct pw_view_opts *o, const struct pw_argv *a)
{
	size_t kept = a->n - a->elided, i, len;
	const char *s;

	if (!a->elided) {
		put_argv(out, o, a, a->n, a->truncated, model_arg);
		return;
	}
	for (i = 0; i < kept; i++) {
		if (i == a->head)
			put_elided(out, o, a->elided);
		model_arg(a, i, &s, &len);
		put_word(out, s, len, s != NULL, i == 0);
	}
	if (a->truncated)
		fputs(" …", out);
}

/*
 * The images of p a view shows as what it ran: an attached process's
 * first one only when /proc showed a command line (a kernel thread, or
 * one that emptied it, has none).
 */
bool
pw_view_image_shown(const struct pw_image *im)
{
	return !im->attached || im->argv.n > 0 || im->argv.truncated;
}

/*
 * A duration from start_us to end_us, plus extra_us (what it had run before
 * an attach).  An end recorded before the start can only come from a
 * damaged or crafted trace: said so, rather than a wrapped-around number
 * or a plausible 0.
 */
void
pw_view_span(FILE *out, uint64_t start_us, uint64_t end_us, uint64_t extra_us)
{
	if (end_us < start_us)
		fputs("? (its end is recorded before its start)", out);
	else
		pw_view_dur(out, end_us - start_us + extra_us);
}

void
pw_view_lifetime(FILE *out, const struct pw_proc *p, uint64_t end_us)
{
	pw_view_span(out, p->start_us, p->exited ? p->exit_us : end_us, p->age_us);
}

void
pw_view_thread_life(FILE *out, const struct pw_thread_rec *t, uint64_t end_us)
{
	fputs(t->attached ? ", " : " after ", out);
	pw_view_span(out, t->start_us, end_us, 0);
	if (t->attached)
		fputs(" after procwatch attached", out);
}

static bool
bytes_equal(const struct pw_bytes *a, const struct pw_bytes *b)
{
	if (!a->data || !b->data)
		return !a->data && !b->data;
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

bool
pw_view_argv_equal(const struct pw_exec *a, const struct pw_exec *b)
{
	size_t i;

	if (a->argc != b->argc)
		return false;
	for (i = 0; i < a->argc; i++)
		if (!bytes_equal(&a->argv[i], &b->argv[i]))
			return false;
	return true;
}

/* Tracee bytes as they are (raw) or escaped for a terminal. */
static void
put_text(FILE *out, const char *s, bool raw)
{
	if (raw)
		fputs(s, out);
	else
		pw_text_escaped(out, s, strlen(s));
}

/*
 * The object by its base name on a terminal, where the line must stay
 * short; the full path in the perfetto args, where it is clicked on.
 */
void
pw_view_frame(FILE *out, const struct pw_frame *f, bool raw)
{
	if (f->fn) {
		/* People read the demangled name; the JSON trace keeps both. */
		put_text(out, f->demangled ? f->demangled : f->fn, raw);
		fprintf(out, "+0x%" PRIx64, f->off);
	} else if (f->obj) {
		fprintf(out, "0x%" PRIx64, f->off);
	} else {
		fprintf(out, "0x%" PRIx64, f->ip);
	}
	if (!f->obj)
		return;
	fputs(" (", out);
	put_text(out, raw ? f->obj : pw_basename(f->obj), raw);
	putc(')', out);
}

void
pw_view_stack_note(FILE *out, const struct pw_stack *st, bool raw)
{
	if (!st->note)
		return;
	fputs(st->nframes ? "… stack cut short: " : "… no stack: ", out);
	put_text(out, st->note, raw);
}

int
pw_view_flush(FILE *out)
{
	errno = 0;
	if (fflush(out) == EOF || ferror(out))
		return errno ? -errno : -EIO;
	return 0;
}

bool
pw_view_cut_running(const struct pw_model *m, const struct pw_proc *p)
{
	return !p->exited && !p->detached && !p->untraced && !m->ended;
}

void
pw_view_not_ended(FILE *out, const struct pw_model *m, const struct pw_proc *p)
{
	if (p->untraced)
		fputs("not followed (CLONE_UNTRACED)", out);
	else if (p->detached)
		fputs("still running when procwatch detached", out);
	else if (pw_view_cut_running(m, p))
		fputs("still running when the trace was cut", out);
	else
		fputs("still running", out);
}

/* The last exec failed (not merely unfinished): a failure of its own. */
static bool
exec_failed(const struct pw_proc *p)
{
	return p->attempt && pw_result_failed(p->attempt->result);
}

bool
pw_view_is_failure(const struct pw_model *m, const struct pw_proc *p)
{
	if (exec_failed(p) || pw_view_cut_running(m, p))
		return true;
	if (!p->exited)
		return false;
	return p->status.kind == PW_STATUS_KILLED ||
	       (p->status.kind == PW_STATUS_EXITED && p->status.code != 0);
}
