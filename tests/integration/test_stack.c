/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integration tests of -k: tests/helpers/pw_stack.c calls main -> f0 ->
 * f1 -> f2 -> a way of starting a program, and the stack recorded at the
 * spawn (and at the child's exec) must name f2, f1, f0 and main in that
 * order, through glibc's fork, vfork, posix_spawn, system, popen and
 * pthread_create, in a PIE and a non-PIE build; a stripped copy must
 * still place its frames at the functions' addresses.  Also: --stack=N
 * cuts at N frames with a note, no stack keys without -k, and a tracee
 * killed while being unwound costs a note, not a crash.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "run_trace.h"

TestSuite(stack, .init = pw_require_ptrace, .timeout = 120);

static const char *const k_args[] = { "-k", NULL };

static const char *
frame_fn(const json_t *frame)
{
	const json_t *fn = json_object_get(frame, "fn");

	return json_is_string(fn) ? json_string_value(fn) : NULL;
}

static const char *
frame_obj(const json_t *frame)
{
	const json_t *obj = json_object_get(frame, "obj");

	return json_is_string(obj) ? json_string_value(obj) : NULL;
}

static json_t *
stack_of(const json_t *ev)
{
	json_t *st = json_object_get(ev, "stack");

	cr_assert(json_is_array(st), "no stack: %s", pw_ev_dump(ev));
	return st;
}

/* Index of the frame named fn, or -1. */
static long
find_frame(const json_t *st, const char *fn)
{
	for (size_t i = 0; i < json_array_size(st); i++) {
		const char *name = frame_fn(json_array_get(st, i));

		if (name && !strcmp(name, fn))
			return (long)i;
	}
	return -1;
}

/* f2, f1, f0, main in consecutive frames of ev's stack; returns f2's index. */
static long
assert_f_chain(const json_t *ev, const char *obj_suffix)
{
	static const char *const chain[] = { "f2", "f1", "f0", "main" };
	const json_t *st = stack_of(ev);
	long at = find_frame(st, "f2");

	cr_assert(at >= 0, "no f2 frame: %s", pw_ev_dump(ev));
	for (size_t i = 0; i < 4; i++) {
		const json_t *fr = json_array_get(st, (size_t)at + i);
		const char *obj = fr ? frame_obj(fr) : NULL;

		cr_assert(fr && frame_fn(fr) && !strcmp(frame_fn(fr), chain[i]),
			  "frame %ld is not %s: %s", at + (long)i, chain[i], pw_ev_dump(ev));
		cr_assert(obj && strlen(obj) >= strlen(obj_suffix) &&
			  !strcmp(obj + strlen(obj) - strlen(obj_suffix), obj_suffix),
			  "%s is not in %s: %s", chain[i], obj_suffix, pw_ev_dump(ev));
	}
	return at;
}

/* The first spawn by the root process (the helper itself). */
static json_t *
root_spawn(const struct pw_run *r)
{
	pid_t root = (pid_t)pw_facts_get_int(r, "root");
	json_t *ev = pw_event_find(r, "spawn", root);

	cr_assert(ev, "no spawn by the helper");
	return ev;
}

static void
run_k(const char *helper, const char *mode, const char *const *pw_args, struct pw_run *r)
{
	const char *const args[] = { mode, NULL };
	struct pw_run_opts o = { .procwatch_args = pw_args ? pw_args : k_args };

	pw_run(helper, args, &o, r);
	pw_check_trace_wellformed(r);
}

/* -k through glibc wrapper mode: the spawn's stack names the chain. */
static void
check_spawn_chain(const char *mode, const char *libc_fn)
{
	const char *const args[] = { mode, NULL };
	struct pw_run r;
	json_t *sp;
	long at;

	run_k("pw_stack", mode, NULL, &r);
	pw_run_compare("pw_stack", args, &r);
	sp = root_spawn(&r);
	at = assert_f_chain(sp, "/pw_stack");
	cr_assert(strstr(frame_obj(json_array_get(stack_of(sp), 0)), "libc.so"),
		  "innermost frame not in libc: %s", pw_ev_dump(sp));
	if (libc_fn) {
		long w = find_frame(stack_of(sp), libc_fn);

		cr_assert(w >= 0 && w < at, "no %s frame inside f2: %s", libc_fn,
			  pw_ev_dump(sp));
	}
	pw_run_free(&r);
}

Test(stack, fork) { check_spawn_chain("fork", "fork"); }
Test(stack, vfork) { check_spawn_chain("vfork", "vfork"); }
Test(stack, posix_spawn) { check_spawn_chain("posix_spawn", "posix_spawn"); }
/* glibc's system() tail-calls its internal do_system: no "system" frame. */
Test(stack, system) { check_spawn_chain("system", NULL); }
Test(stack, popen) { check_spawn_chain("popen", "popen"); }
Test(stack, pthread_create) { check_spawn_chain("thread", "pthread_create"); }

/* The child's exec, taken before the image is gone: still the parent's code. */
Test(stack, exec_in_fork_child)
{
	struct pw_run r;
	json_t *sp;

	run_k("pw_stack", "fork", NULL, &r);
	sp = root_spawn(&r);
	assert_f_chain(pw_exec_ok_nth(&r, (pid_t)pw_ev_int(sp, "child"), 0), "/pw_stack");
	pw_run_free(&r);
}

/* An exec by the root process itself; procwatch's own launch has no stack. */
Test(stack, exec_by_root)
{
	struct pw_run r;
	pid_t root;

	run_k("pw_stack", "exec", NULL, &r);
	root = (pid_t)pw_facts_get_int(&r, "root");
	cr_assert(!pw_ev_has(pw_exec_ok_nth(&r, root, 0), "stack"),
		  "the launch exec has a stack: %s", pw_ev_dump(pw_exec_ok_nth(&r, root, 0)));
	assert_f_chain(pw_exec_ok_nth(&r, root, 1), "/pw_stack");
	pw_run_free(&r);
}

/*
 * A non-leader thread execs: its stack is taken under its own tid, then
 * it becomes the leader (de_thread); the new program's spawn, made under
 * the leader's tid, must unwind with a handle made for that tid.
 */
Test(stack, non_leader_exec)
{
	const char *const args[] = { "thread_exec", NULL };
	struct pw_run r;
	json_t *ex, *sp;
	const json_t *st;
	pid_t root;

	run_k("pw_stack", "thread_exec", NULL, &r);
	pw_run_compare("pw_stack", args, &r);
	root = (pid_t)pw_facts_get_int(&r, "root");
	ex = pw_exec_ok_nth(&r, root, 1);
	cr_assert(ex && pw_ev_int(ex, "old_tid") != root, "no non-leader exec");
	cr_assert(find_frame(stack_of(ex), "exec_from_thread") >= 0, "%s", pw_ev_dump(ex));
	sp = pw_event_next(&r, "spawn", &(size_t){ pw_event_index(&r, ex) });
	cr_assert(sp && pw_ev_int(sp, "pid") == root, "the shell did not spawn");
	st = stack_of(sp);
	cr_assert(json_array_size(st) >= 2 && !pw_ev_has(sp, "stack_note"), "%s",
		  pw_ev_dump(sp));
	cr_assert(strstr(frame_obj(json_array_get(st, 0)), "libc.so"), "%s", pw_ev_dump(sp));
	pw_run_free(&r);
}

/* A non-PIE program runs at its link-time addresses: ip is f2 + off. */
Test(stack, non_pie)
{
	struct pw_run r;
	const json_t *fr;
	long at;

	run_k("pw_stack_nopie", "fork", NULL, &r);
	at = assert_f_chain(root_spawn(&r), "/pw_stack_nopie");
	fr = json_array_get(stack_of(root_spawn(&r)), (size_t)at);
	cr_assert_eq(strtoull(pw_ev_str(fr, "ip"), NULL, 16),
		     (unsigned long long)(pw_facts_get_int(&r, "f2") + pw_ev_int(fr, "off")),
		     "%s", pw_ev_dump(fr));
	pw_run_free(&r);
}

/*
 * Stripped of its symbols, the helper's frames have no names, and off is
 * the address objdump shows: just past the start of f2, then f1, f0.
 */
Test(stack, stripped)
{
	static const char *const fns[] = { "f2", "f1", "f0", "main" };
	struct pw_run r;
	const json_t *st;
	size_t i, at;

	run_k("pw_stack_stripped", "fork", NULL, &r);
	st = stack_of(root_spawn(&r));
	for (at = 0; at < json_array_size(st); at++) {
		const char *obj = frame_obj(json_array_get(st, at));

		if (obj && strstr(obj, "pw_stack_stripped"))
			break;
	}
	/* start_child comes first; then the chain. */
	at++;
	for (i = 0; i < 4; i++) {
		const json_t *fr = json_array_get(st, at + i);
		long long start = pw_facts_get_int(&r, fns[i]);
		long long off;

		cr_assert(fr, "stack too short: %s", pw_ev_dump(root_spawn(&r)));
		off = pw_ev_int(fr, "off");
		cr_assert(!frame_fn(fr), "a stripped frame has a name: %s", pw_ev_dump(fr));
		cr_assert(strstr(frame_obj(fr), "pw_stack_stripped"), "%s", pw_ev_dump(fr));
		cr_assert(off > start && off - start < 0x200,
			  "frame %zu at %#llx is not in %s at %#llx", at + i,
			  off, fns[i], start);
	}
	pw_run_free(&r);
}

Test(stack, depth_and_note)
{
	static const char *const args[] = { "--stack=3", NULL };
	struct pw_run r;
	json_t *sp;

	run_k("pw_stack", "fork", args, &r);
	sp = root_spawn(&r);
	cr_assert_eq(json_array_size(stack_of(sp)), 3, "%s", pw_ev_dump(sp));
	cr_assert(strstr(pw_ev_str(sp, "stack_note"), "deeper than 3 frames"),
		  "%s", pw_ev_dump(sp));
	pw_run_free(&r);
}

Test(stack, none_without_k)
{
	static const char *const none[] = { NULL };
	struct pw_run r;
	json_t *ev;

	run_k("pw_stack", "fork", none, &r);
	for (size_t i = 0; (ev = pw_event_next(&r, NULL, &i));)
		cr_assert(!pw_ev_has(ev, "stack") && !pw_ev_has(ev, "stack_note"),
			  "%s", pw_ev_dump(ev));
	pw_run_free(&r);
}

/*
 * The child is killed (PROCWATCH_TEST_KILL_UNWOUND) after two frames of
 * its exec's stack were read: the exec is written, unfinished, with the
 * frames read so far and a note; the kill is recorded; procwatch goes on.
 * Its argv past argv[0] was to be read from the image the outcome left,
 * and there is none: argv[0] alone, marked cut short.
 */
Test(stack, tracee_dies_while_unwound)
{
	struct pw_run r;
	json_t *sp, *ex, *st;
	pid_t child;
	size_t i = 0;

	setenv("PROCWATCH_TEST_KILL_UNWOUND", "2", 1);
	run_k("pw_stack", "fork", NULL, &r);
	sp = root_spawn(&r);
	child = (pid_t)pw_ev_int(sp, "child");
	while ((ex = pw_event_next(&r, "exec", &i)) && pw_ev_int(ex, "pid") != child)
		;
	cr_assert(ex, "the killed child's exec was not written");
	cr_assert(json_is_null(json_object_get(ex, "result")), "%s", pw_ev_dump(ex));
	pw_assert_argv(ex, (const char *const[]){ "true", NULL });
	cr_assert(pw_ev_bool(ex, "argv_truncated"), "%s", pw_ev_dump(ex));
	st = stack_of(ex);
	cr_assert(json_array_size(st) >= 1 && json_array_size(st) <= 3, "%s", pw_ev_dump(ex));
	cr_assert(strstr(pw_ev_str(ex, "stack_note"), "died"), "%s", pw_ev_dump(ex));
	cr_assert(pw_exit_of(&r, child), "no exit of the killed child");
	cr_assert_str_eq(pw_ev_str(pw_exit_of(&r, child), "signal"), "SIGKILL", "%s",
			 pw_ev_dump(pw_exit_of(&r, child)));
	pw_run_free(&r);
}
