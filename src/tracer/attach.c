/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Attaching to processes already running (-p): every thread of each, and
 * every process below it, each written as an attach event with what /proc
 * shows of it.
 *
 * Nothing that happens while procwatch attaches may be lost.  A thread
 * seized with PTRACE_O_TRACEFORK/CLONE reports every later fork and clone
 * itself, and the kernel attaches their children to us (kernel/fork.c,
 * kernel_clone); what needs care is what a thread did before we seized it:
 *  - threads: /proc/PID/task is read again until a pass finds no new one;
 *  - children: /proc/PID/task/TID/children of every thread (fs/proc/
 *    array.c) lists the process's children, read once all threads are
 *    seized: those not ours already are attached in turn;
 *  - a fork or clone under way while a thread was seized completes
 *    without us (the kernel decided whether to trace its child when the
 *    call began).  Each seized thread is interrupted, and its first stop
 *    comes only after it has left any call: once every thread of a
 *    process has stopped once, its threads and children are read again
 *    (attach_first_stop), which finds whatever such calls made.
 * A process whose id /proc lists as a child but which already has us as
 * its tracer was attached by the kernel: its fork event will say where it
 * came from, as for any process created under trace.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tracer_internal.h"

#define PF_KTHREAD 0x00200000	/* include/linux/sched.h: a kernel thread */

/* A growable list of pids. */
struct pids {
	pid_t *v;
	size_t n, cap;
};

static int
pids_add(struct pids *l, pid_t pid)
{
	pid_t *grown;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		grown = realloc(l->v, l->cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		l->v = grown;
	}
	l->v[l->n++] = pid;
	return 0;
}

/* ---- what /proc says of a process ---- */

/*
 * Fields 3 (state) to 22 (starttime) of /proc/PID/stat, after the comm in
 * parentheses, which may itself hold spaces and ')' (fs/proc/array.c,
 * do_task_stat).  false when the process is gone.
 */
struct proc_stat {
	char state;
	unsigned long flags;
	unsigned long long starttime;	/* clock ticks after boot */
};

static bool
read_stat(pid_t pid, struct proc_stat *ps)
{
	char path[64], buf[1024], *p;
	unsigned long long v;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (procfs_read_small(path, buf, sizeof(buf)) < 0)
		return false;
	/* comm may hold ')' and spaces: the state follows the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return false;
	ps->state = p[2];
	p += 3;
	for (field = 4; field <= 22; field++) {
		v = strtoull(p, &p, 10);
		if (field == 9)
			ps->flags = (unsigned long)v;
		else if (field == 22)
			ps->starttime = v;
	}
	return true;
}

/* How long pid has been running, from its start time after boot. */
static uint64_t
age_of(const struct proc_stat *ps)
{
	struct timespec now;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t now_us, start_us;

	if (hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &now) < 0)
		return 0;
	now_us = (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000;
	start_us = ps->starttime / (unsigned long long)hz * 1000000u +
		   ps->starttime % (unsigned long long)hz * 1000000u / (unsigned long long)hz;
	return now_us > start_us ? now_us - start_us : 0;
}

/* ---- refusals ---- */

static bool
is_procwatch_or_ancestor(pid_t pid)
{
	pid_t p = getpid();
	int depth;

	for (depth = 0; p > 0 && depth < 4096; depth++) {
		if (p == pid)
			return true;
		p = (pid_t)procfs_status_field(p, "PPid");
	}
	return false;
}

/* "procwatch: -p PID: why": one line, and procwatch's failure status. */
static int __attribute__((format(printf, 2, 3)))
refuse(pid_t pid, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return pw_fail("-p %d: %s", (int)pid, why);
}

/*
 * A zombie leader whose other threads still run: the leader of a process
 * stays a zombie until its last thread exits (kernel/exit.c,
 * delay_group_leader), so "Z" alone does not mean the process ended.
 */
static bool
has_live_threads(pid_t pid)
{
	char path[64];
	struct dirent *d;
	struct proc_stat ps;
	bool live = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!live && (d = readdir(dir))) {
		long tid = strtol(d->d_name, NULL, 10);

		if (tid > 0 && tid != pid && read_stat((pid_t)tid, &ps))
			live = ps.state != 'Z' && ps.state != 'X';
	}
	closedir(dir);
	return live;
}

/*
 * What can be told before trying: a process that is not there, procwatch
 * itself or one it runs under (tracing them would deadlock: the tracer
 * would wait for itself), a kernel thread, a zombie, a process another
 * tracer has.  Permission is what PTRACE_SEIZE itself says (seize_one).
 */
static int
check_attachable(pid_t pid)
{
	struct proc_stat ps;
	char name[64];
	long tracer;

	if (pid <= 0 || !read_stat(pid, &ps))
		return refuse(pid, "no such process");
	if (is_procwatch_or_ancestor(pid))
		return refuse(pid, "that is procwatch itself or a process it runs "
			      "under; tracing it would make procwatch wait for itself");
	if (ps.flags & PF_KTHREAD)
		return refuse(pid, "a kernel thread, which runs no program to trace");
	if ((ps.state == 'Z' || ps.state == 'X') && has_live_threads(pid))
		return refuse(pid, "its main thread has exited while its other "
			      "threads run on (pthread_exit in main); ptrace(2) cannot "
			      "attach to an exited thread, and procwatch does not yet "
			      "follow a process without its main thread");
	if (ps.state == 'Z' || ps.state == 'X')
		return refuse(pid, "a zombie: it has exited and only waits to be "
			      "reaped, there is nothing left to trace");
	tracer = procfs_status_field(pid, "TracerPid");
	if (tracer > 0)
		return refuse(pid, "already traced by process %ld%s, and a process can "
			      "have only one tracer (ptrace(2)); stop that tracer first",
			      tracer, procfs_comm_note((pid_t)tracer, name, sizeof(name)));
	return 0;
}

/*
 * /proc/sys/kernel/yama/ptrace_scope (Documentation/admin-guide/LSM/Yama.rst),
 * or -1.  PROCWATCH_TEST_YAMA_SCOPE stands in for it, so that the tests can
 * check on a machine without Yama that a refusal is blamed on the right rule.
 */
static long
yama_scope(void)
{
	const char *test = getenv("PROCWATCH_TEST_YAMA_SCOPE");
	char buf[16];

	if (test && *test)
		return strtol(test, NULL, 10);
	if (procfs_read_small("/proc/sys/kernel/yama/ptrace_scope", buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/* Whether procwatch has CAP_SYS_PTRACE (bit 19 of CapEff, capabilities(7)). */
static bool
has_cap_sys_ptrace(void)
{
	char text[2048];
	unsigned long long caps;

	return procfs_status_text(getpid(), text, sizeof(text)) &&
	       procfs_status_number(text, "CapEff", 16, &caps) && (caps >> 19 & 1);
}

/*
 * Whether the kernel's own rule lets procwatch trace pid without
 * CAP_SYS_PTRACE (kernel/ptrace.c, __ptrace_may_access): our real uid and
 * gid equal the target's real, effective and saved ones, and the target
 * is dumpable, which /proc shows by owning /proc/PID as the target's
 * effective uid (proc(5); a non-dumpable process's entries belong to root).
 */
static bool
ids_are(const char *text, const char *name, unsigned long long want)
{
	char key[16];
	const char *p;
	char *end;
	int i;

	snprintf(key, sizeof(key), "\n%s:", name);
	p = strstr(text, key);
	if (!p)
		return false;
	p += strlen(key);
	/* Real, effective, saved (and filesystem, which ptrace ignores). */
	for (i = 0; i < 3; i++, p = end)
		if (strtoull(p, &end, 10) != want || end == p)
			return false;
	return true;
}

static bool
same_credentials(pid_t pid)
{
	char text[2048], path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return procfs_status_text(pid, text, sizeof(text)) &&
	       ids_are(text, "Uid", getuid()) && ids_are(text, "Gid", getgid()) &&
	       stat(path, &st) == 0 && st.st_uid == getuid();
}

/*
 * PTRACE_SEIZE said EPERM.  The credential check comes before any LSM
 * (__ptrace_may_access, then security_ptrace_access_check), so Yama is
 * named only when the credentials would have passed.
 */
static int
explain_eperm(pid_t pid)
{
	bool cap = has_cap_sys_ptrace();
	long scope = yama_scope();

	if (!cap && !same_credentials(pid))
		return refuse(pid, "not permitted: it runs as another user or changed "
			      "its credentials (setuid, capabilities), and procwatch "
			      "lacks CAP_SYS_PTRACE; run procwatch as root");
	if (scope >= 3)
		return refuse(pid, "ptrace refused by Yama (kernel.yama.ptrace_scope = %ld: "
			      "no process may be traced until the next boot)", scope);
	if (scope == 2 && !cap)
		return refuse(pid, "ptrace refused by Yama (kernel.yama.ptrace_scope = 2: "
			      "only CAP_SYS_PTRACE may trace); run procwatch as root");
	if (scope == 1 && !cap)
		return refuse(pid, "ptrace refused by Yama (kernel.yama.ptrace_scope = 1: "
			      "only a process's ancestors may trace it); run procwatch "
			      "as root or with CAP_SYS_PTRACE, or set it to 0");
	return refuse(pid, "not permitted: the kernel's security module (SELinux, "
		      "AppArmor, Landlock) or a container's seccomp policy refused "
		      "ptrace; see the audit log");
}

/* ---- seizing ---- */

/*
 * PTRACE_SEIZE says EPERM for a task that has begun to exit, as well as
 * for one we may not trace (kernel/ptrace.c, ptrace_attach: exit_state):
 * one that ended while we attached is gone, not refused.
 */
static bool
has_ended(pid_t tid)
{
	struct proc_stat ps;

	return !read_stat(tid, &ps) || ps.state == 'Z' || ps.state == 'X';
}

/*
 * Seizes tid (no stop; PTRACE_INTERRUPT asks for one) and records it.
 * 0; 1 when it is ours already (the kernel attached it) or gone, -ESRCH
 * when it is the leader and its process is ending; -errno.
 */
static int
seize_one(struct tracer *t, pid_t tid, pid_t tgid, pid_t parent)
{
	struct task *task;

	if (task_find(t, tid))
		return 1;
	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)t->policy->seize_options) < 0) {
		if (errno == ESRCH)
			return 1;
		if (errno == EPERM && procfs_status_field(tid, "TracerPid") == getpid())
			return 1;
		if (errno == EPERM && has_ended(tid))
			return tid == tgid ? -ESRCH : 1;
		return -errno;
	}
	ptrace(PTRACE_INTERRUPT, tid, NULL, NULL);
	task = task_add(t, tid);
	if (!task)
		return -ENOMEM;
	task->tgid = tgid;
	task->parent = parent;
	task->attach_pending = true;
	/* What it did before is unknown (usage.c). */
	task->reaped_child = true;
	task->exec_seen = true;
	usage_count_thread(t, task, tid != tgid);
	/*
	 * Until its first stop it runs without syscall stops: a fork it
	 * makes then is reported by its fork event alone, perhaps after the
	 * child's first stop, which must be parked meanwhile (ptrace_event.c,
	 * on_task_start): count it as a spawn in flight.
	 */
	t->spawns_in_flight++;
	return 0;
}

/*
 * Seizes every thread of pid, reading /proc/PID/task again until a pass
 * finds no new one; the new tids are added to tids.
 */
static int
seize_threads(struct tracer *t, pid_t pid, pid_t parent, struct pids *tids)
{
	char path[64];
	struct dirent *d;
	bool found;
	int err = 0, rc;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	do {
		found = false;
		dir = opendir(path);
		if (!dir)
			return tids->n ? 0 : -ESRCH;
		while (!err && (d = readdir(dir))) {
			pid_t tid = (pid_t)strtol(d->d_name, NULL, 10);

			if (tid <= 0)
				continue;
			rc = seize_one(t, tid, pid, parent);
			if (rc < 0 && tid == pid)
				err = rc;	/* only the leader's refusal is the process's */
			if (rc == 0) {
				found = true;
				if (pids_add(tids, tid) < 0)
					err = -ENOMEM;
			}
		}
		closedir(dir);
	} while (found && !err);
	return err;
}

/* The children of every thread of pid (fs/proc/array.c, children_seq_ops). */
static void
list_children(pid_t pid, struct pids *out)
{
	char path[96];
	struct dirent *d;
	DIR *dir;
	FILE *f;
	long child;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/children", (int)pid,
			 d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fscanf(f, "%ld", &child) == 1)
			if (child > 0 && child <= INT_MAX)
				(void)pids_add(out, (pid_t)child);
		fclose(f);
	}
	closedir(dir);
}

/* The attach event: what /proc shows of pid now. */
static void
emit_attach(struct tracer *t, pid_t pid, pid_t parent, const struct pids *tids,
	    const struct proc_stat *ps)
{
	struct task tmp = { .tid = pid, .tgid = pid };
	struct pw_event ev;
	struct pw_attach *at = &ev.u.attach;

	tracer_event_init(t, &ev, PW_EV_ATTACH, &tmp);
	at->parent = parent;
	at->tids = malloc(tids->n * sizeof(*at->tids));
	if (at->tids) {
		/* The leader first: /proc lists it first, but say so. */
		at->tids[0] = pid;
		at->ntids = 1;
		for (size_t i = 0; i < tids->n; i++)
			if (tids->v[i] != pid)
				at->tids[at->ntids++] = tids->v[i];
	}
	procfs_cmdline(pid, &t->limits, &at->argv, &at->argc, &at->argv_truncated);
	procfs_task_link(pid, "exe", &at->exe);
	procfs_task_link(pid, "cwd", &at->cwd);
	at->age_us = age_of(ps);
	tracer_emit(t, &ev);
}

/* Every thread of leader's process seized: count them, place them. */
static void
process_seized(struct tracer *t, struct task *leader, const struct pids *tids)
{
	struct task *task;
	size_t i;

	leader->attach_waiting = tids->n;
	pidns_attach(t, leader);
	for (i = 0; i < tids->n; i++)
		if ((task = task_find(t, tids->v[i])))
			pidns_join(task, leader);
}

/*
 * One process seized (every thread) and written as an attach event; its
 * children are added to queue.  1 when it is gone (it may end while we
 * read /proc or seize it: -ESRCH from seize_threads), or ours already;
 * -errno when it cannot be traced.
 */
static int
attach_one(struct tracer *t, pid_t p, struct pids *queue)
{
	struct pids tids = { 0 };
	struct proc_stat ps;
	pid_t parent;
	int rc;

	if (task_find(t, p) || !read_stat(p, &ps) || ps.state == 'Z')
		return 1;
	parent = (pid_t)procfs_status_field(p, "PPid");
	if (parent < 0)
		parent = 0;
	rc = seize_threads(t, p, parent, &tids);
	if (rc == 0 && tids.n) {
		process_seized(t, task_find(t, p), &tids);
		emit_attach(t, p, parent, &tids, &ps);
		list_children(p, queue);
	}
	free(tids.v);
	if (rc == -ESRCH)
		return 1;
	return rc < 0 ? rc : tids.n ? 0 : 1;
}

/*
 * Every process in queue from next on, and below, breadth first, so that
 * each attach event follows its parent's.  One that cannot be traced (a
 * setuid program started by the one asked for) runs on untraced: said once.
 */
static void
attach_below(struct tracer *t, struct pids *queue, size_t next)
{
	int rc;

	for (; next < queue->n; next++) {
		rc = attach_one(t, queue->v[next], queue);
		if (rc < 0 && !t->attach_refused) {
			t->attach_refused = true;
			pw_warn("-p: cannot attach to process %d, which runs on "
				"untraced: %s", (int)queue->v[next], strerror(-rc));
		}
	}
}

/* Undoes the seizes of a refused attach: every task so far lets go. */
static void
detach_all_now(struct tracer *t)
{
	struct pids all = { 0 };
	size_t i, j;
	int status;

	for (i = 0; t->tasks.slots && i <= t->tasks.mask; i++)
		if (t->tasks.slots[i].key)
			(void)pids_add(&all, t->tasks.slots[i].key);
	for (i = 0; i < all.n; i++) {
		/*
		 * PTRACE_DETACH needs a stopped tracee: wait for the stop the
		 * seize's PTRACE_INTERRUPT asked for (or any other first stop).
		 */
		for (j = 0; j < 16; j++) {
			if (waitpid(all.v[i], &status, __WALL) < 0 || !WIFSTOPPED(status))
				break;
			if (ptrace(PTRACE_DETACH, all.v[i], NULL,
				   (void *)(long)(((unsigned)status >> 16) ? 0 :
						  WSTOPSIG(status))) == 0)
				break;
		}
		task_forget(t, task_find(t, all.v[i]));
	}
	free(all.v);
}

int
attach_check(const pid_t *pids, size_t npids)
{
	size_t i;
	int status;

	for (i = 0; i < npids; i++)
		if ((status = check_attachable(pids[i])))
			return status;
	return 0;
}

/*
 * The processes -p names, seized before anything is written, so that a
 * refusal (EPERM) leaves no trace behind and every process as it was.
 */
int
attach_seize_roots(struct tracer *t, const pid_t *pids, size_t npids)
{
	struct pids tids = { 0 };
	size_t i;
	int err = 0;

	for (i = 0; i < npids && !err; i++) {
		pid_t parent = (pid_t)procfs_status_field(pids[i], "PPid");

		tids.n = 0;
		if (!task_find(t, pids[i]))
			err = seize_threads(t, pids[i], parent > 0 ? parent : 0, &tids);
		if (!err && !tids.n && !task_find(t, pids[i]))
			err = -ESRCH;
	}
	free(tids.v);
	if (!err)
		return 0;
	detach_all_now(t);
	i--;
	if (err == -EPERM || err == -EACCES)
		return explain_eperm(pids[i]);
	if (err == -ESRCH)
		return refuse(pids[i], "no such process (it ended meanwhile)");
	return refuse(pids[i], "cannot attach: %s", strerror(-err));
}

/* How many parents are above pid, up to the top of the pid namespace. */
static unsigned
depth_of(pid_t pid)
{
	unsigned depth = 0;

	while (pid > 0 && depth < 4096) {
		pid = (pid_t)procfs_status_field(pid, "PPid");
		depth++;
	}
	return depth;
}

/*
 * The roots in the order to write them: fewer parents above first, so
 * that a root below another one is written after it (and after its own
 * parent, found below that one), whatever the order of -p.  The order
 * given, if there is no memory to sort.
 */
static const pid_t *
roots_in_order(const pid_t *pids, size_t npids, pid_t **sorted)
{
	unsigned *depth = calloc(npids, sizeof(*depth)), d;
	size_t i, j;
	pid_t p;

	*sorted = malloc(npids * sizeof(**sorted));
	if (!depth || !*sorted) {
		free(depth);
		return pids;
	}
	for (i = 0; i < npids; i++) {
		p = pids[i];
		d = depth_of(p);
		for (j = i; j > 0 && depth[j - 1] > d; j--) {
			depth[j] = depth[j - 1];
			(*sorted)[j] = (*sorted)[j - 1];
		}
		depth[j] = d;
		(*sorted)[j] = p;
	}
	free(depth);
	return *sorted;
}

/*
 * Writes an attach event for each seized root, then attaches to whatever
 * runs below it.  A root seized twice over (below another one) is written
 * once.
 */
void
attach_processes(struct tracer *t, const pid_t *given, size_t npids)
{
	struct pids queue = { 0 }, tids = { 0 };
	struct proc_stat ps;
	struct task *leader;
	pid_t *sorted = NULL;
	const pid_t *pids = roots_in_order(given, npids, &sorted);
	size_t i;

	for (i = 0; i < npids; i++) {
		leader = task_find(t, pids[i]);
		if (!leader || leader->attach_waiting || !read_stat(pids[i], &ps))
			continue;
		tids.n = 0;
		for (size_t k = 0; t->tasks.slots && k <= t->tasks.mask; k++) {
			struct task *task = t->tasks.slots[k].value;

			if (t->tasks.slots[k].key && task->tgid == pids[i])
				(void)pids_add(&tids, task->tid);
		}
		process_seized(t, leader, &tids);
		emit_attach(t, pids[i], leader->parent, &tids, &ps);
		list_children(pids[i], &queue);
		attach_below(t, &queue, 0);
		queue.n = 0;
	}
	free(queue.v);
	free(tids.v);
	free(sorted);
}

/*
 * A clone under way when its caller was seized made its thread without
 * us: whether to trace the child is decided as the call begins
 * (kernel/fork.c, kernel_clone).  The caller's first stop then comes as
 * it returns from that call, with the call in orig_rax, its result in
 * rax and its arguments still in place (a task stopped in user code shows
 * orig_rax -1, one back from another call that call).  Such a thread is
 * seized and written as the spawn it was, so that an event introduces it;
 * a process made so is found by the re-read of the children instead.
 */
static void
adopt_unseen_thread(struct tracer *t, struct task *creator, struct task *leader)
{
	struct user_regs_struct regs;
	struct pw_syscall sc = { 0 };
	enum pw_call call;
	struct pw_event ev;
	char path[64];
	pid_t child;

	if (ptrace(PTRACE_GETREGS, creator->tid, NULL, &regs) < 0)
		return;
	call = pw_call_from_nr((long)regs.orig_rax);
	if ((call != PW_CALL_CLONE && call != PW_CALL_CLONE3) || (long)regs.rax <= 0)
		return;
	/* Ours already (seized from /proc), gone, or not a thread of it. */
	child = pidns_to_ours(creator, (pid_t)regs.rax);
	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)creator->tgid, (int)child);
	if (child <= 0 || task_find(t, child) || access(path, F_OK) != 0)
		return;
	sc.nr = (long)regs.orig_rax;
	sc.args[0] = regs.rdi, sc.args[1] = regs.rsi, sc.args[2] = regs.rdx;
	sc.args[3] = regs.r10, sc.args[4] = regs.r8, sc.args[5] = regs.r9;
	tracer_event_init(t, &ev, PW_EV_SPAWN, creator);
	pw_decode_spawn_entry(&sc, tracee_mem_decoder(&t->mem, creator->tid), &ev.u.spawn);
	ev.u.spawn.parent = task_spawn_parent(t, creator, &ev.u.spawn);
	if (!ev.u.spawn.thread ||
	    seize_one(t, child, creator->tgid, ev.u.spawn.parent) != 0) {
		pw_event_clear(&ev);
		return;
	}
	leader->attach_waiting++;	/* it may have been in a clone too */
	pidns_join(task_find(t, child), leader);
	stack_not_taken(t, &ev.u.spawn.stack);
	ev.u.spawn.child = child;
	ev.u.spawn.result = child;
	if (child != (pid_t)regs.rax)
		ev.u.spawn.result_ns = (long)regs.rax;
	tracer_emit(t, &ev);
}

/*
 * The first stop of a task seized at attach time: it has left whatever
 * call it was in.  Once every thread of its process has, the process's
 * threads and children are read again for what a call under way when we
 * seized made (see the top of this file).
 */
void
attach_first_stop(struct tracer *t, struct task *task)
{
	struct task *leader = task_find(t, task->tgid);
	struct pids tids = { 0 }, children = { 0 };

	task->attach_pending = false;
	t->spawns_in_flight--;
	/*
	 * Once procwatch lets go of everything, a re-read would only find
	 * the processes already let go of and seize them again.
	 */
	if (t->detaching || !leader || !leader->attach_waiting)
		return;
	adopt_unseen_thread(t, task, leader);
	if (--leader->attach_waiting)
		return;
	if (seize_threads(t, leader->tid, leader->parent, &tids) == 0)
		leader->attach_waiting = tids.n;
	list_children(leader->tid, &children);
	attach_below(t, &children, 0);
	free(tids.v);
	free(children.v);
}
