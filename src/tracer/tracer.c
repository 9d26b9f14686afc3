/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tracer's public face (include/procwatch/tracer.h): make one, launch a
 * command or attach to processes, run the loop, free it.  The two modes
 * differ only in what mode_policy says; everything after the first stop is
 * the same code.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "config.h"
#include "tracer_internal.h"

/* What both modes follow: every fork, vfork, clone and exec. */
#define FOLLOW_OPTIONS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | \
			PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | \
			PTRACE_O_TRACEEXEC)

static const struct mode_policy launch_policy = {
	.attach = false,
	.seize_options = FOLLOW_OPTIONS | PTRACE_O_EXITKILL,
	.filter = true,
	.detach_on_stop = false,
};

static const struct mode_policy attach_policy = {
	.attach = true,
	.seize_options = FOLLOW_OPTIONS,
	/* The filter cannot be put into a running process (seccomp(2)). */
	.filter = false,
	.detach_on_stop = true,
};

static bool
env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

/* -k: refused before anything runs if this procwatch cannot take stacks. */
static int
start_unwinder(struct tracer *t)
{
	const char *why = NULL, *kill_at = getenv("PROCWATCH_TEST_KILL_UNWOUND");

	t->test_kill_unwound = kill_at && *kill_at ? atol(kill_at) : -1;
	if (!t->opts.stack_depth)
		return 0;
	t->unwinder = pw_unwinder_new(t->opts.stack_depth, &why);
	if (t->unwinder)
		return 0;
	return pw_fail("-k: stack traces are unavailable: %s", why);
}

/*
 * Each exec's argv is a few hundred KiB allocated, filled and freed (the
 * element array and the strings' block).  glibc hands blocks that big
 * back to the kernel when they are freed (mmap'ed, or trimmed off the
 * heap's top), and the next exec then takes a page fault per page again:
 * a tenth of procwatch's time on argvs of 20000 strings (perf, the
 * big-argv bench workload).  Kept in the
 * heap instead: the peak is what it was, it is only not given back
 * between execs.
 */
static void
keep_freed_memory(void)
{
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 8 << 20);
}

int
pw_tracer_new(const struct pw_tracer_opts *opts, struct pw_sink *sink,
	      struct pw_tracer **out)
{
	struct tracer *t = calloc(1, sizeof(*t));
	int status;

	*out = NULL;
	if (!t)
		return pw_fail("%s", strerror(ENOMEM));
	keep_freed_memory();
	t->opts = *opts;
	t->sink = sink;
	t->policy = &launch_policy;
	t->filter_data = seccomp_filter_data();
	t->child_error_fd = -1;
	t->usage_score = 1;	/* until the first end says (usage.c) */
	t->limits.max_args = PW_EXEC_MAX_ARGS_DEFAULT;
	t->limits.max_bytes = PW_EXEC_MAX_BYTES_DEFAULT;
	pw_pidmap_init(&t->tasks);
	pw_pidmap_init(&t->zombies);
	pw_pidmap_init(&t->early_deaths);
	pw_pidmap_init(&t->parked);
	pw_pidmap_init(&t->deferred);
	pidns_init(t);
	if (t->opts.env)
		pw_env_writer_init(&t->envs);
	t->defer_spawn_events = env_flag("PROCWATCH_TEST_DEFER_SPAWN");
	clock_gettime(CLOCK_MONOTONIC, &t->start);
	status = start_unwinder(t);
	if (!status && tracee_mem_init(&t->mem, &tracee_io_kernel) < 0)
		status = pw_fail("%s", strerror(ENOMEM));
	if (status) {
		pw_tracer_free((struct pw_tracer *)t);
		return status;
	}
	*out = (struct pw_tracer *)t;
	return 0;
}

void
pw_tracer_free(struct pw_tracer *pt)
{
	struct tracer *t = (struct tracer *)pt;

	if (!t)
		return;
	tasks_destroy(t);
	if (t->opts.env)
		pw_env_lineage_destroy(&t->envs);
	tracee_mem_free(&t->mem);
	pw_unwinder_free(t->unwinder);
	if (t->child_error_fd >= 0)
		close(t->child_error_fd);
	free(t);
}

/*
 * A tracee that attaches to procwatch (ptrace(2), or reads its memory with
 * process_vm_readv) would deadlock the two: it stops procwatch, procwatch
 * no longer resumes it.  Tracees usually run as procwatch's user, whom the
 * kernel lets attach unless the target is not dumpable (ptrace(2),
 * "Ptrace access mode checking": a non-dumpable target needs
 * CAP_SYS_PTRACE; Yama, when present, is stricter still).  Set once the
 * command has been forked and seized: a child forked later would inherit
 * it until its exec, and could not be seized by an unprivileged
 * procwatch.  A tracee with CAP_SYS_PTRACE can still attach.
 */
static void
refuse_tracers(void)
{
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* The header, then the start event: what procwatch was asked to trace. */
static void
emit_start(struct tracer *t, char *const argv[], const pid_t *pids, size_t npids)
{
	struct pw_event ev;
	struct task tmp = { .tid = t->root, .tgid = t->root };
	size_t argc = 0;

	tracer_emit_header(t, argv, pids, npids);
	while (argv && argv[argc])
		argc++;
	tracer_event_init(t, &ev, PW_EV_START, t->root ? &tmp : NULL);
	if (!t->root && npids)
		ev.pid = ev.tid = pids[0];
	ev.u.start.argv = (char **)argv;
	ev.u.start.argc = argc;
	ev.u.start.attach = t->policy->attach;
	ev.u.start.pids = pids;
	ev.u.start.npids = npids;
	ev.u.start.seccomp = t->seccomp;
	ev.u.start.version = PW_VERSION;
	ev.u.start.tracer = getpid();
	tracer_emit(t, &ev);
}

int
pw_tracer_launch(struct pw_tracer *pt, char *const argv[])
{
	struct tracer *t = (struct tracer *)pt;
	struct task *root;
	int status;

	t->policy = &launch_policy;
	t->seccomp = t->opts.seccomp && t->policy->filter;
	status = launch_command(t, argv);
	if (status)
		return status;
	root = task_add(t, t->root);
	if (root) {
		root->tgid = t->root;
		root->parent = getpid();
		cwd_launched(root);
	}
	refuse_tracers();
	signals_setup(t);
	emit_start(t, argv, NULL, 0);
	t->launch_argv = argv;
	return 0;
}

int
pw_tracer_attach(struct pw_tracer *pt, const pid_t *pids, size_t npids)
{
	struct tracer *t = (struct tracer *)pt;

	int status;

	t->policy = &attach_policy;
	t->seccomp = false;
	status = attach_check(pids, npids);
	if (!status)
		status = attach_seize_roots(t, pids, npids);
	if (status)
		return status;
	refuse_tracers();
	signals_setup(t);
	t->first_pid = pids[0];
	emit_start(t, NULL, pids, npids);
	attach_processes(t, pids, npids);
	return 0;
}

static void
emit_end(struct tracer *t)
{
	pid_t pid = t->root ? t->root : t->first_pid;
	struct task tmp = { .tid = pid, .tgid = pid };
	struct pw_event ev;

	tracer_event_init(t, &ev, PW_EV_END, &tmp);
	ev.u.end.status = t->root_status;
	ev.u.end.lost = t->lost;
	ev.u.end.detached = t->detached_any;
	/* The end event itself cannot be counted as lost any more. */
	tracer_emit(t, &ev);
}

/* PROCWATCH_STATS=1: how often and why the tracees stopped, on stderr. */
static void
print_stats(const struct tracer *t)
{
	static const char *const names[STOP_CLASSES] = {
		[STOP_SECCOMP] = "seccomp",
		[STOP_SYSCALL_ENTRY] = "syscall-entry",
		[STOP_SYSCALL_EXIT] = "syscall-exit",
		[STOP_SPAWN_EVENT] = "spawn-event",
		[STOP_EXEC_EVENT] = "exec-event",
		[STOP_TASK_START] = "task-start",
		[STOP_GROUP] = "group-stop",
		[STOP_SIGNAL] = "signal",
		[STOP_DEATH] = "deaths",
		[STOP_OTHER] = "other",
	};
	unsigned long total = 0;
	int i;

	if (!env_flag("PROCWATCH_STATS"))
		return;
	for (i = 0; i < STOP_CLASSES; i++)
		if (i != STOP_DEATH)
			total += t->stats.stops[i];
	fprintf(stderr, "procwatch: stats: stops=%lu", total);
	for (i = 0; i < STOP_CLASSES; i++)
		fprintf(stderr, " %s=%lu", names[i], t->stats.stops[i]);
	fprintf(stderr, " early-children=%lu", t->stats.early_children);
	fprintf(stderr, " cwd-reads=%lu fd-lists=%lu", t->stats.cwd_reads, t->stats.fd_lists);
	fprintf(stderr, " usage-clock-reads=%lu usage-status-reads=%lu", t->stats.usage_clocks,
		t->stats.usage_status);
	fprintf(stderr, " mem-reads=%lu mem-pages=%lu mem-peeks=%lu",
		t->mem.stats.reads, t->mem.stats.pages, t->mem.stats.peeks);
	fprintf(stderr, " zombies-peak=%zu zombies-dropped=%lu", t->zombies_peak,
		t->zombies_dropped);
	if (t->unwinder)
		fprintf(stderr, " stacks=%lu stack-us=%llu", t->stats.stacks,
			(unsigned long long)(t->stats.stack_ns / 1000));
	putc('\n', stderr);
}

/* The command's end as an exit status, as a shell would see it. */
static int
command_status(const struct tracer *t, int *killed_by)
{
	const struct pw_status *st = &t->root_status;

	if (st->kind == PW_STATUS_KILLED) {
		*killed_by = st->signal;
		return 128 + st->signal;
	}
	return st->kind == PW_STATUS_EXITED ? st->code : PW_EXIT_FAILURE;
}

int
pw_tracer_run(struct pw_tracer *pt, int *killed_by)
{
	struct tracer *t = (struct tracer *)pt;
	int status;

	*killed_by = 0;
	tracer_loop(t);
	emit_end(t);
	print_stats(t);
	if (t->policy->attach)
		return 0;
	status = launch_failure_status(t, t->launch_argv);
	return status >= 0 ? status : command_status(t, killed_by);
}
