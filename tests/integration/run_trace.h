/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The integration-test harness: run a helper program (tests/helpers) under
 * the real procwatch binary ($PROCWATCH) with --json, capture its stdout,
 * the "facts" it writes on fd 3 (what it really did, with real pids, one
 * key=value per line) and the JSON Lines trace parsed with jansson, then
 * query and check that trace.  Every assertion uses Criterion, so these
 * functions may only be called from inside a Criterion test.
 */
#ifndef PW_RUN_TRACE_H
#define PW_RUN_TRACE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/* Skips the calling test (never passes it) when ptrace is not permitted. */
void pw_require_ptrace(void);

struct pw_run_opts {
	const char *const *procwatch_args;	/* extra options, NULL-terminated, or NULL */
	bool untraced;		/* run the helper directly, for comparisons */
	const char *stdin_data;	/* the helper's stdin; NULL: /dev/null */
	/*
	 * NULL, or run in the child just before exec, after the harness has
	 * set every signal back to SIG_DFL and unblocked all: for a test that
	 * starts the command in another state (a signal blocked or ignored,
	 * its own process group).  Returns 0, or -1 with errno to fail the
	 * run (status 126).  Only async-signal-safe calls: it runs after fork.
	 */
	int (*child_setup)(void);
};

struct pw_run {
	int status;		/* raw wait status of procwatch (or the helper if untraced) */
	char *out;		/* stdout, NUL-terminated */
	size_t out_len;
	char *err;		/* stderr (procwatch's messages), NUL-terminated */
	size_t err_len;
	char *facts;		/* what the helper wrote on fd 3, NUL-terminated */
	size_t facts_len;
	json_t **events;	/* one parsed object per trace line (none if untraced) */
	size_t nevents;
	bool untraced;
	char **argv;		/* the command procwatch ran (helper path and args) */
	/*
	 * Attach mode (pw_attach_finish): the pids given to -p (nattach 0
	 * after a launch), procwatch's own pid, and the helper's wait status
	 * and stderr; status, err and the trace are procwatch's, out and
	 * facts the helper's.
	 */
	pid_t *attach_pids;
	size_t nattach;
	pid_t tracer;
	int helper_status;
	char *helper_err;
};

/*
 * Runs $PROCWATCH --json -o TMP [--no-seccomp] [extra] -- PROG ARGS...
 * where PROG is $PW_HELPER_DIR/<helper>, or helper itself when it starts
 * with '/' (e.g. /bin/sh).  args is NULL-terminated (or NULL) and does not
 * include argv[0].  opts may be NULL.  Fails the test on harness errors and
 * on any trace line that is not valid JSON.  Returns out->status.
 */
int pw_run(const char *helper, const char *const *args,
	   const struct pw_run_opts *opts, struct pw_run *out);
void pw_run_free(struct pw_run *r);

/*
 * pw_run in two halves, for a test that acts while the command runs (waits
 * for a line it prints, then sends a signal): pw_run_start starts the run
 * as pw_run would and returns at once; pw_run_finish must follow, once.
 */
struct pw_run_handle {
	pid_t pid;		/* procwatch, or the helper if untraced */
	int out;		/* read end of the command's stdout */
	/* The rest belongs to the harness. */
	int err, facts;		/* unlinked temporary files */
	char trace_path[PATH_MAX];
	char **argv;		/* becomes pw_run.argv */
	bool untraced;
	char *head;		/* stdout read by pw_run_read_line */
	size_t head_len, head_cap;
};

/* Returns h->pid. */
pid_t pw_run_start(const char *helper, const char *const *args,
		   const struct pw_run_opts *opts, struct pw_run_handle *h);
/*
 * Reads the command's stdout up to and including the next newline, or to
 * EOF (then the line has no newline).  What it reads stays the start of
 * out->out.  The line is NUL-terminated and valid until the next call.
 */
const char *pw_run_read_line(struct pw_run_handle *h);
/* Reads stdout to EOF, waits for the run and fills out as pw_run does. */
int pw_run_finish(struct pw_run_handle *h, struct pw_run *out);

/*
 * The one integer value of key that the running helper has written on
 * fd 3 so far (fails if absent or repeated): for a fact written before a
 * line the test has read.
 */
long long pw_run_fact_now(struct pw_run_handle *h, const char *key);
/* All its values so far, in the order written; how many (may exceed max). */
size_t pw_run_facts_now(struct pw_run_handle *h, const char *key,
			long long *vals, size_t max);

/* Runs the helper traced and untraced; asserts equal stdout and status. */
void pw_run_compare(const char *helper, const char *const *args,
		    struct pw_run *traced);

/* ---- attach mode (-p) ---- */

/*
 * How long a test waits for something procwatch or a helper should do at
 * once (a line in the trace, an exit): only a failure waits that long.
 */
#define PW_ATTACH_TIMEOUT_MS 30000

/*
 * A helper is started untraced (pw_attach_helper), then procwatch attaches
 * to it (pw_attach_start): $PROCWATCH --json -o TMP [--no-seccomp] [extra]
 * -p PID[,PID...].  The test acts in between (pw_attach_wait_trace,
 * signals), and pw_attach_finish collects both runs into one struct
 * pw_run.
 */
struct pw_attach_opts {
	const char *const *procwatch_args;	/* extra options, NULL-terminated, or NULL */
	/*
	 * Keep procwatch alive once it has written its end event, until
	 * pw_attach_wait_exit, so that what it left behind can be checked
	 * while it still exists: once it has exited, the kernel lets go of
	 * whatever it still traced by itself (kernel/ptrace.c, exit_ptrace),
	 * so only then does "not traced any more" prove nothing.  Done with
	 * PROCWATCH_STATS=1 and procwatch's stderr on a full pipe: the stats
	 * line is written after the end event and blocks until then.  An
	 * earlier message blocks too, and shows up when the wait times out.
	 */
	bool hold_exit;
	/* As in struct pw_run_opts, for procwatch (e.g. to drop privileges). */
	int (*child_setup)(void);
	/* The trace file may be opened by another user (after child_setup). */
	bool trace_for_anyone;
};

struct pw_attach {
	pid_t pid;		/* procwatch */
	/* The rest belongs to the harness. */
	int pidfd;
	int err;		/* stderr: a temporary file, or the held pipe */
	size_t err_filler;	/* hold_exit: bytes put in the pipe before procwatch ran */
	char *err_text;		/* hold_exit: stderr read while draining */
	size_t err_len;
	bool ended;
	int status;
	pid_t *pids;
	size_t npids;
	char trace_path[PATH_MAX];
	struct pw_run live;	/* the trace read so far (pw_attach_wait_trace) */
	char *pending;		/* bytes of a line not complete yet */
	size_t pending_len;
	off_t read_off;
};

/*
 * Starts helper untraced (stdout on a pipe, facts on fd 3) and reads its
 * first line, which must be "ready PID"; returns that pid.
 */
pid_t pw_attach_helper(const char *helper, const char *const *args,
		       struct pw_run_handle *h);
/* Starts procwatch attaching to pids; returns its pid.  opts may be NULL. */
pid_t pw_attach_start(const pid_t *pids, size_t npids,
		      const struct pw_attach_opts *opts, struct pw_attach *a);
/*
 * Reads the trace as procwatch writes it (whole lines) until cond(trace so
 * far, data) is true: true then; false when procwatch ended first or after
 * PW_ATTACH_TIMEOUT_MS.
 */
bool pw_attach_wait_trace(struct pw_attach *a,
			  bool (*cond)(const struct pw_run *trace, void *data),
			  void *data);
/* Conditions for pw_attach_wait_trace.  data: a size_t *, the count. */
bool pw_trace_has_attaches(const struct pw_run *trace, void *data);
bool pw_trace_has_spawns(const struct pw_run *trace, void *data);
bool pw_trace_has_end(const struct pw_run *trace, void *data);
/*
 * Waits for procwatch to end (reading a held stderr) and returns its wait
 * status; after PW_ATTACH_TIMEOUT_MS it is killed and the test fails.
 */
int pw_attach_wait_exit(struct pw_attach *a);
/*
 * Collects the helper (stdout to EOF, its status, facts, stderr; none if
 * helper is NULL), then procwatch (waiting for it if need be: status,
 * stderr without a hold's stats line, the trace parsed as pw_run does)
 * into out.
 */
void pw_attach_finish(struct pw_attach *a, struct pw_run_handle *helper,
		      struct pw_run *out);
/*
 * How a task is traced now: /proc/TID/status's TracerPid; -1 when the
 * task is gone.
 */
long pw_tracer_of(pid_t tid);
/* The state letter of /proc/PID/stat ('R', 'S', 'T', 't', 'Z'...); 0 if gone. */
char pw_proc_state(pid_t pid);

/* ---- events ---- */

const char *pw_ev_kind(const json_t *ev);
/* Integer member; fails the test (showing the event) when absent. */
long long pw_ev_int(const json_t *ev, const char *key);
bool pw_ev_has(const json_t *ev, const char *key);
/* Boolean member; false when absent (the writer may omit false flags). */
bool pw_ev_bool(const json_t *ev, const char *key);
/* String member; fails the test when absent or not a string. */
const char *pw_ev_str(const json_t *ev, const char *key);
/* The event as one line of JSON, for messages (static buffer). */
const char *pw_ev_dump(const json_t *ev);

/* First event of kind (NULL: any) whose pid is pid (-1: any); NULL if none. */
json_t *pw_event_find(const struct pw_run *r, const char *kind, pid_t pid);
/*
 * Iteration: for (size_t i = 0; (ev = pw_event_next(r, "spawn", &i));)
 * i is the index to look at next and is advanced past the returned event.
 */
json_t *pw_event_next(const struct pw_run *r, const char *kind, size_t *i);
size_t pw_event_count(const struct pw_run *r, const char *kind);
/* Position of ev in the trace (fails if it is not there). */
size_t pw_event_index(const struct pw_run *r, const json_t *ev);

/* The spawn event whose child is tid; NULL if none. */
json_t *pw_spawn_of(const struct pw_run *r, pid_t tid);
/* The n-th exit event of tid (n from 0); NULL if none. */
json_t *pw_exit_of(const struct pw_run *r, pid_t tid);
size_t pw_exit_count(const struct pw_run *r, pid_t tid);
/* The wait event that returned pid with an exited/killed status; NULL if none. */
json_t *pw_reap_of(const struct pw_run *r, pid_t pid);
size_t pw_reap_count(const struct pw_run *r, pid_t pid);
/* The n-th (from 0) successful exec event of process pid; NULL if none. */
json_t *pw_exec_ok_nth(const struct pw_run *r, pid_t pid, size_t n);
size_t pw_exec_ok_count(const struct pw_run *r, pid_t pid);

/* Asserts that a JSON array of strings equals argv (NULL-terminated). */
void pw_assert_argv(const json_t *ev, const char *const *argv);
/* Whether an array member (e.g. "flags") contains the string. */
bool pw_ev_array_has(const json_t *ev, const char *key, const char *s);
/* Asserts ev's "status" member is {"kind":"exited","code":code}. */
void pw_assert_status_exited(const json_t *status, int code);

/* ---- facts (key=value lines written by the helper on fd 3) ---- */

bool pw_facts_has(const struct pw_run *r, const char *key);
/* The one value of key (fails if absent, repeated or not an integer). */
long long pw_facts_get_int(const struct pw_run *r, const char *key);
/* All values of key in the order written; returns how many (may exceed max). */
size_t pw_facts_get_all(const struct pw_run *r, const char *key,
			long long *vals, size_t max);
/* The one value of key as a string (malloc'd; fails if absent). */
char *pw_facts_get_str(const struct pw_run *r, const char *key);

/* ---- the process tree, from the spawn events ---- */

struct pw_proc {
	pid_t tid;		/* spawn.child; for the root, its pid */
	/*
	 * Attach mode: the attach event that found it (its process's, for a
	 * thread), and where; NULL for a task spawned under the trace.  Such
	 * a task has kind "attach", no creator, and its parent from /proc.
	 */
	json_t *attach;
	size_t attach_at;
	pid_t creator_pid;	/* spawn.pid: the process that called clone */
	pid_t creator_tid;	/* spawn.tid */
	pid_t parent;		/* spawn.parent: who reaps it */
	pid_t tgid;		/* its process: creator_pid for threads, else tid */
	const char *kind;	/* spawn.kind; "root" for the root */
	bool thread;
	bool superseded;	/* an exec's old_tid: this thread became the leader */
	json_t *spawn;		/* NULL for the root */
	size_t spawn_at;	/* index of spawn in r->events */
	size_t nexits;
	json_t *exit;		/* the first exit event of tid */
	size_t exit_at;
	size_t nreaps;
	json_t *reap;		/* the first wait event reaping it (not for threads) */
	size_t reap_at;
};

struct pw_tree_idx;

struct pw_tree {
	/*
	 * procs[0] is the root, then spawn order.  Attach mode: the tasks of
	 * the attach events and the spawns, in trace order; the root is the
	 * first attached process.
	 */
	struct pw_proc *procs;
	size_t n;
	pid_t root;
	struct pw_tree_idx *idx;	/* private: lookup by tid */
};

/*
 * Builds the tree; the root is the one process with events but no spawn
 * (attach mode: every task is in an attach or a spawn event).
 */
void pw_tree_build(const struct pw_run *r, struct pw_tree *t);
void pw_tree_free(struct pw_tree *t);
const struct pw_proc *pw_tree_find(const struct pw_tree *t, pid_t tid);
/* Non-thread processes spawned by pid (creator), in trace order. */
size_t pw_tree_children(const struct pw_tree *t, pid_t creator,
			pid_t *out, size_t max);

/* Asserts the tree's root is the helper's own pid (its fact "root"). */
pid_t pw_assert_root(const struct pw_run *r, const struct pw_tree *t);
/*
 * Asserts tid was spawned by process creator, will be reaped by parent, is
 * a thread or not as kind says, and has that kind (NULL: any); returns it.
 */
const struct pw_proc *pw_assert_spawned(const struct pw_tree *t, pid_t tid,
					pid_t creator, pid_t parent,
					const char *kind);

/*
 * Every spawned child and the root: exactly one exit event, after its spawn
 * (except a thread whose tid an exec took over: none).  Attach mode: every
 * task, after its attach or spawn event; at most one when procwatch
 * detached (end.detached), since the tasks it let go of ran on.
 */
void pw_check_tree_exits(const struct pw_run *r, const struct pw_tree *t);
/*
 * Every non-thread process except the root and those in not_reaped (nn of
 * them: reparented and reaped outside the trace, e.g. by init) has exactly
 * one wait event reaping it, made by its spawn.parent, after its exit.
 */
void pw_check_tree_reaped(const struct pw_run *r, const struct pw_tree *t,
			  const pid_t *not_reaped, size_t nn);
/*
 * start first, end last, end.status equal to procwatch's own exit; attach
 * mode: end.status null and procwatch exited 0.
 */
void pw_check_end_status(const struct pw_run *r);

/*
 * The checks every test runs on a traced run: see run_trace.c.  Includes
 * pw_check_end_status and the exit part of the tree checks.
 */
void pw_check_trace_wellformed(const struct pw_run *r);

/* Asserts the process with pid p ended with exit code code in the trace. */
void pw_assert_exit_code(const struct pw_run *r, pid_t p, int code);

/* ---- the usual start of a scenario ---- */

/*
 * How most scenarios start: pw_run without options, then
 * pw_check_trace_wellformed and pw_run_compare (same stdout and status
 * untraced).
 */
void pw_run_checked(const char *helper, const char *const *args,
		    struct pw_run *r);
/* pw_run_checked, then pw_tree_build into t. */
void pw_run_checked_tree(const char *helper, const char *const *args,
			 struct pw_run *r, struct pw_tree *t);

#endif
