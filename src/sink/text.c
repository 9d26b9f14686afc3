/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plain text sink: one human-readable line per event, flushed at once
 * because people read it live, e.g.
 *
 *        0.000123 [1234] exec /bin/sh ["sh", "-c", "ls"] = 0
 *        0.000456 [1234] fork → 1235 clone(CLONE_CHILD_SETTID|SIGCHLD)
 *        0.001000 [1234] wait4(-1) reaped 1235: exited 0
 *
 * Bytes from the tracee never reach the terminal raw: control characters,
 * DEL, C1 controls, bidirectional overrides and invalid UTF-8 are shown as
 * \xNN (or \n, \t, \r), so a hostile argv cannot move the cursor, change
 * colours or reorder what is shown.  This sink shows each event on its own;
 * the annotated timeline (notes, tree drawing, colour) is another sink.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "procwatch/json_writer.h"
#include "procwatch/sink.h"
#include "procwatch/xlat.h"
#include "sink_common.h"

/*
 * Valid UTF-8 characters that a terminal would still act on: C1 controls
 * (U+0080..U+009F, e.g. CSI U+009B) and the bidirectional embeddings,
 * overrides and isolates (U+202A..U+202E, U+2066..U+2069).
 */
static bool
unsafe_char(const unsigned char *s, size_t n)
{
	if (n == 2)
		return s[0] == 0xc2 && s[1] < 0xa0;
	if (n == 3 && s[0] == 0xe2)
		return (s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae) ||
		       (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9);
	return false;
}

/* Length of a character shown as it is at s, or 0 if it must be escaped. */
static size_t
plain_len(const unsigned char *s, size_t len, bool quoted)
{
	size_t n;

	if (s[0] < 0x80) {
		if (s[0] < 0x20 || s[0] == 0x7f || s[0] == '\\')
			return 0;
		/* Unquoted text stays one word: no quotes, no spaces. */
		if (s[0] == '"' || (!quoted && s[0] == ' '))
			return 0;
		return 1;
	}
	n = pw_utf8_seq_len(s, len);
	return n && !unsafe_char(s, n) ? n : 0;
}

static void
put_escaped_byte(FILE *out, unsigned char c)
{
	switch (c) {
	case '\n': fputs("\\n", out); return;
	case '\t': fputs("\\t", out); return;
	case '\r': fputs("\\r", out); return;
	case '\\': fputs("\\\\", out); return;
	case '"':  fputs("\\\"", out); return;
	default:   fprintf(out, "\\x%02x", c); return;
	}
}

/*
 * Bytes shown safely.  Unquoted when every byte is plain and there is at
 * least one (a path like /bin/sh reads better bare), else in quotes.
 */
static void
put_bytes(FILE *out, const char *str, size_t len, bool force_quotes)
{
	const unsigned char *s = (const unsigned char *)str;
	bool quoted = force_quotes || len == 0;
	size_t i, n;

	for (i = 0; !quoted && i < len; i += n)
		if ((n = plain_len(s + i, len - i, false)) == 0)
			quoted = true;
	if (quoted)
		putc('"', out);
	for (i = 0; i < len; i += n) {
		n = plain_len(s + i, len - i, quoted);
		if (n == 0) {
			put_escaped_byte(out, s[i]);
			n = 1;
		} else {
			fwrite(s + i, 1, n, out);
		}
	}
	if (quoted)
		putc('"', out);
}

static void
put_errno(FILE *out, int err)
{
	char buf[24];

	fputs(pw_sink_errno_str(err, buf, sizeof(buf)), out);
}

static void
put_pw_bytes(FILE *out, const struct pw_bytes *b, bool force_quotes)
{
	if (b->data) {
		put_bytes(out, b->data, b->len, force_quotes);
		return;
	}
	fputs("<unreadable: ", out);
	put_errno(out, b->err);
	putc('>', out);
}

static void
put_signal(FILE *out, int sig)
{
	char buf[32];

	fputs(pw_signal_format(sig, buf, sizeof(buf)), out);
}

/* " = 0", " = 1235", or " = -1 ENOENT" as strace shows a failed call. */
static void
put_result(FILE *out, long result)
{
	if (result < 0) {
		fputs(" = -1 ", out);
		put_errno(out, (int)-result);
	} else {
		fprintf(out, " = %ld", result);
	}
}

struct flag_ctx {
	FILE *out;
	bool any;
};

/* pw_flag_fn: NAME|NAME|0x..., as in C source. */
static void
put_flag(void *data, const char *name, uint64_t bits)
{
	struct flag_ctx *fc = data;

	if (fc->any)
		putc('|', fc->out);
	fc->any = true;
	if (name)
		fputs(name, fc->out);
	else
		fprintf(fc->out, "0x%" PRIx64, bits);
}

static void
put_status(FILE *out, const struct pw_status *st)
{
	switch (st->kind) {
	case PW_STATUS_NONE:
		fputs("no status", out);
		return;
	case PW_STATUS_EXITED:
		fprintf(out, "exited %d", st->code);
		return;
	case PW_STATUS_KILLED:
		fputs("killed by ", out);
		put_signal(out, st->signal);
		if (st->core)
			fputs(" (core dumped)", out);
		return;
	case PW_STATUS_STOPPED:
		fputs("stopped by ", out);
		put_signal(out, st->signal);
		return;
	case PW_STATUS_CONTINUED:
		fputs("continued", out);
		return;
	case PW_STATUS_TRAPPED:
		fputs("trapped by ", out);
		put_signal(out, st->signal);
		return;
	}
	fputs("unknown status", out);
}

static const char *
name_or(const char *name, const char *fallback)
{
	return name ? name : fallback;
}

static void
text_start(FILE *out, const struct pw_start *st)
{
	size_t i;

	fprintf(out, "start %s [", st->attach ? "attach" : "launch");
	for (i = 0; i < st->argc; i++) {
		if (i)
			fputs(", ", out);
		if (st->argv[i])
			put_bytes(out, st->argv[i], strlen(st->argv[i]), true);
		else
			fputs("NULL", out);
	}
	fprintf(out, "] (seccomp %s, procwatch %s)", st->seccomp ? "on" : "off",
		name_or(st->version, "?"));
}

/* clone3's struct clone_args beyond the flags, strace-like: ", size=88". */
static void
text_clone3_args(FILE *out, const struct pw_spawn *sp)
{
	size_t i, n;

	fprintf(out, ", size=%" PRIu64, sp->args_size);
	if (sp->set_tid_size > 0) {
		n = sp->set_tid_size < PW_SET_TID_MAX ? sp->set_tid_size : PW_SET_TID_MAX;
		fputs(", set_tid=[", out);
		for (i = 0; i < n; i++)
			fprintf(out, "%s%d", i ? ", " : "", (int)sp->set_tid[i]);
		putc(']', out);
	}
	if (sp->flags & (1ULL << 33))	/* CLONE_INTO_CGROUP */
		fprintf(out, ", cgroup=%" PRIu64, sp->cgroup);
	if (sp->args_unreadable)
		fputs(", args unreadable", out);
	if (sp->args_tail_nonzero)
		fputs(", nonzero tail", out);
}

static void
text_spawn(FILE *out, const struct pw_event *ev)
{
	const struct pw_spawn *sp = &ev->u.spawn;
	struct flag_ctx fc = { out, false };

	fputs(name_or(pw_spawn_kind_name(sp->kind), "spawn"), out);
	if (sp->child)
		fprintf(out, " → %d", (int)sp->child);
	fprintf(out, " %s(", name_or(pw_call_name(sp->call), "?"));
	/* fork() and vfork() take no flags: what they imply is their name. */
	if (sp->call != PW_CALL_FORK && sp->call != PW_CALL_VFORK) {
		pw_clone_flags_each(sp->flags, put_flag, &fc);
		if (sp->exit_signal) {
			if (fc.any)
				putc('|', out);
			put_signal(out, sp->exit_signal);
		} else if (!fc.any) {
			putc('0', out);
		}
	}
	if (sp->call == PW_CALL_CLONE3)
		text_clone3_args(out, sp);
	putc(')', out);
	/* The caller's view differs from the child's tid only across pid namespaces. */
	if (sp->result != sp->child)
		put_result(out, sp->result);
	if (sp->parent && sp->parent != ev->pid && !sp->thread)
		fprintf(out, " (parent %d)", (int)sp->parent);
}

static void
text_argv(FILE *out, const struct pw_exec *ex)
{
	size_t i;

	putc('[', out);
	for (i = 0; i < ex->argc; i++) {
		if (i)
			fputs(", ", out);
		put_pw_bytes(out, &ex->argv[i], true);
	}
	if (ex->argv_truncated)
		fputs(ex->argc ? ", ..." : "...", out);
	if (ex->argv_err) {
		fputs(ex->argc || ex->argv_truncated ? ", <unreadable: " : "<unreadable: ", out);
		put_errno(out, ex->argv_err);
		putc('>', out);
	}
	putc(']', out);
}

static void
text_exec(FILE *out, const struct pw_exec *ex)
{
	struct flag_ctx fc = { out, false };

	if (ex->call == PW_CALL_EXECVEAT) {
		if (ex->dirfd == AT_FDCWD)
			fputs("execveat(AT_FDCWD, ", out);
		else
			fprintf(out, "execveat(%d, ", ex->dirfd);
		pw_sink_at_flags_each(ex->at_flags, put_flag, &fc);
		fputs(fc.any ? ") " : "0) ", out);
	} else {
		fputs("exec ", out);
	}
	put_pw_bytes(out, &ex->path, false);
	putc(' ', out);
	text_argv(out, ex);
	put_result(out, ex->result);
	if (ex->old_tid)
		fprintf(out, " (by thread %d, now the leader)", (int)ex->old_tid);
}

static void
text_wait(FILE *out, const struct pw_wait *wt)
{
	struct flag_ctx fc = { out, false };
	const char *idtype;

	if (wt->call == PW_CALL_WAITID) {
		idtype = pw_idtype_name(wt->idtype);
		if (idtype)
			fprintf(out, "waitid(%s, %ld", idtype, wt->target);
		else
			fprintf(out, "waitid(%d, %ld", wt->idtype, wt->target);
	} else {
		fprintf(out, "%s(%ld", name_or(pw_call_name(wt->call), "wait"), wt->target);
	}
	if (wt->options) {
		fputs(", ", out);
		pw_wait_options_each((unsigned int)wt->options, put_flag, &fc);
	}
	putc(')', out);
	if (wt->result <= 0 || wt->status.kind == PW_STATUS_NONE) {
		put_result(out, wt->result);
		return;
	}
	/* Only an exit or a kill, without WNOWAIT, frees the child's pid. */
	if ((wt->status.kind == PW_STATUS_EXITED || wt->status.kind == PW_STATUS_KILLED) &&
	    !(wt->options & WNOWAIT))
		fprintf(out, " reaped %ld: ", wt->result);
	else
		fprintf(out, " reported %ld: ", wt->result);
	put_status(out, &wt->status);
}

static void
text_exit(FILE *out, const struct pw_exit *ex)
{
	const char *call = pw_call_name(ex->call);

	if (ex->thread)
		fputs("thread ", out);
	if (ex->status.kind == PW_STATUS_EXITED)
		fprintf(out, "exit %d", ex->status.code);
	else
		put_status(out, &ex->status);
	if (ex->call != PW_CALL_NONE && call)
		fprintf(out, " (%s)", call);
}

static void
text_signal(FILE *out, const struct pw_signal *sg)
{
	fputs("signal ", out);
	put_signal(out, sg->signal);
	if (sg->sender)
		fprintf(out, " from %d", (int)sg->sender);
	fprintf(out, " (code %d)", sg->code);
}

static void
text_end(FILE *out, const struct pw_end *en)
{
	fputs("end: ", out);
	put_status(out, &en->status);
	if (en->lost)
		fprintf(out, " (%lu events lost)", en->lost);
}

static void
text_kind(FILE *out, const struct pw_event *ev)
{
	switch (ev->kind) {
	case PW_EV_START:
		text_start(out, &ev->u.start);
		break;
	case PW_EV_SPAWN:
		text_spawn(out, ev);
		break;
	case PW_EV_EXEC:
		text_exec(out, &ev->u.exec);
		break;
	case PW_EV_WAIT:
		text_wait(out, &ev->u.wait);
		break;
	case PW_EV_EXIT:
		text_exit(out, &ev->u.exit);
		break;
	case PW_EV_SIGNAL:
		text_signal(out, &ev->u.signal);
		break;
	case PW_EV_END:
		text_end(out, &ev->u.end);
		break;
	default:
		fprintf(out, "event %d", (int)ev->kind);
		break;
	}
}

static int
text_event(struct pw_sink *sink, const struct pw_event *ev)
{
	FILE *out = sink->out;

	errno = 0;
	fprintf(out, "%4" PRIu64 ".%06" PRIu64 " ", ev->time_us / 1000000,
		ev->time_us % 1000000);
	if (ev->tid != ev->pid)
		fprintf(out, "[%d/%d] ", (int)ev->pid, (int)ev->tid);
	else
		fprintf(out, "[%d] ", (int)ev->pid);
	text_kind(out, ev);
	putc('\n', out);
	/* Read live: the line must be visible before the tracee runs on. */
	if (fflush(out) == EOF || ferror(out))
		return errno ? -errno : -EIO;
	return 0;
}

static int
text_close(struct pw_sink *sink)
{
	int err = 0;

	errno = 0;
	if (fflush(sink->out) == EOF || ferror(sink->out))
		err = errno ? -errno : -EIO;
	free(sink);
	return err;
}

static const struct pw_sink_ops text_ops = {
	.name = "text",
	.event = text_event,
	.close = text_close,
};

struct pw_sink *
pw_sink_text_new(FILE *out)
{
	struct pw_sink *sink = calloc(1, sizeof(*sink));

	if (!sink)
		return NULL;
	sink->ops = &text_ops;
	sink->out = out;
	return sink;
}
