/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --env against the real kernel, with tests/helpers/pw_env.c: a lineage of
 * execs whose envp is crafted from the one before (changed, removed and
 * added variables, values with spaces, quotes, a newline and bytes that are
 * not UTF-8, a PATH search's failed attempt, a name twice and an entry
 * without '=').  The trace must carry each as the documented change from
 * the exec before it in its lineage, and the process model, reading the
 * trace back as `procwatch show` does, must rebuild exactly the envp each
 * stage reports it received.  Without --env, no exec carries one.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "env_model.h"
#include "run_trace.h"

static char *
hex_of(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(s), i;
	char *out = malloc(2 * n + 1);

	cr_assert_not_null(out);
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[(unsigned char)s[i] >> 4];
		out[2 * i + 1] = hex[(unsigned char)s[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

/* A byte string of the trace (plain, or {"text","hex"}) is s. */
static bool
bytes_is(const json_t *v, const char *s)
{
	const char *hex;
	char *want;
	bool same;

	if (json_is_string(v))
		return json_string_length(v) == strlen(s) && !strcmp(json_string_value(v), s);
	if (!json_is_object(v) || !json_is_string(json_object_get(v, "hex")))
		return false;
	hex = json_string_value(json_object_get(v, "hex"));
	want = hex_of(s);
	same = !strcmp(hex, want);
	free(want);
	return same;
}

/* An array of byte strings is exactly want (NULL-terminated). */
static void
assert_bytes_array(const json_t *env, const char *key, const char *const *want)
{
	const json_t *a = json_object_get(env, key);
	size_t i;

	for (i = 0; want[i]; i++)
		;
	cr_assert(json_is_array(a) && json_array_size(a) == i, "%s: %s", key,
		  pw_ev_dump(env));
	for (i = 0; want[i]; i++)
		cr_assert(bytes_is(json_array_get(a, i), want[i]), "%s[%zu] is not [%s]: %s",
			  key, i, want[i], pw_ev_dump(env));
}

static bool
array_has(const json_t *env, const char *key, const char *s)
{
	const json_t *a = json_object_get(env, key);
	size_t i;

	for (i = 0; i < json_array_size(a); i++)
		if (bytes_is(json_array_get(a, i), s))
			return true;
	return false;
}

static const json_t *
env_of(const json_t *ev)
{
	const json_t *env = json_object_get(ev, "env");

	cr_assert(json_is_object(env), "no env: %s", pw_ev_dump(ev));
	return env;
}

/* The first exec event of pid with result result. */
static json_t *
exec_of(const struct pw_run *r, pid_t pid, long long result)
{
	json_t *ev;

	for (size_t i = 0; (ev = pw_event_next(r, "exec", &i));)
		if (pw_ev_int(ev, "pid") == pid && pw_ev_int(ev, "result") == result)
			return ev;
	cr_assert_fail("no exec of %d with result %lld", (int)pid, result);
	return NULL;
}

static void
assert_rebuilt(const struct pw_run *r, const char *stage, pid_t pid, unsigned image)
{
	char key[32], *want, *got;

	snprintf(key, sizeof(key), "env.%s", stage);
	want = pw_facts_get_str(r, key);
	got = env_model_hex(r->events, r->nevents, pid, image);
	cr_assert_not_null(got, "%s: the model rebuilt no environment", stage);
	cr_assert_str_eq(got, want, "%s: the model rebuilt another environment", stage);
	free(want);
	free(got);
}

static const char weird[] = "PW_WEIRD=a b 'q' \"dq\" $x `y` \\ \nnl \xff\xfe end";

Test(env, lineage_changes_and_what_the_model_rebuilds)
{
	static const char *const opts_env[] = { "--env", NULL };
	static const char *const one_set[] = { "PW_CHANGE=new", "PW_ADDED=1", weird,
					       "PW_TILDE=~/x:~", NULL };
	static const char *const one_unset[] = { "PW_REMOVE", NULL };
	static const char *const two_set[] = { "PW_TWO=2", NULL };
	static const char *const two_unset[] = { "PW_ADDED", NULL };
	struct pw_run_opts o = { .procwatch_args = opts_env };
	const json_t *env, *attempt;
	struct pw_run r;
	pid_t root, one, three;

	pw_require_ptrace();
	pw_run("pw_env", NULL, &o, &r);
	pw_check_trace_wellformed(&r);
	pw_run_compare("pw_env", NULL, &r);
	root = (pid_t)pw_facts_get_int(&r, "pid.base");
	one = (pid_t)pw_facts_get_int(&r, "pid.one");
	three = (pid_t)pw_facts_get_int(&r, "pid.three");
	cr_assert_eq(pw_facts_get_int(&r, "pid.two"), one, "two is one's exec");

	env = env_of(pw_exec_ok_nth(&r, root, 0));
	cr_assert(json_is_true(json_object_get(env, "whole")), "the root's first exec is whole");

	/* one: its creator's lineage environment (base's), changed. */
	env = env_of(pw_exec_ok_nth(&r, one, 0));
	cr_assert(!json_object_get(env, "whole"), "%s", pw_ev_dump(env));
	assert_bytes_array(env, "set", one_set);
	assert_bytes_array(env, "unset", one_unset);
	cr_assert(!json_object_get(env, "order"), "changed in place, added at the end");
	cr_assert(json_is_string(json_object_get(env, "check")));

	/* two: the PATH search's failed attempt, against one; reversed. */
	attempt = env_of(exec_of(&r, one, -ENOENT));
	assert_bytes_array(attempt, "set", two_set);
	assert_bytes_array(attempt, "unset", two_unset);
	cr_assert_eq(json_array_size(json_object_get(attempt, "order")), 9);
	/* ... and the exec that succeeded, against the attempt: no change. */
	env = env_of(pw_exec_ok_nth(&r, one, 1));
	cr_assert_eq(json_object_size(env), 1, "only the check: %s", pw_ev_dump(env));
	cr_assert(json_equal(json_object_get(env, "check"), json_object_get(attempt, "check")));

	/* three: a name twice and an entry without '=': whole, every entry. */
	env = env_of(pw_exec_ok_nth(&r, three, 0));
	cr_assert(json_is_true(json_object_get(env, "whole")));
	cr_assert(array_has(env, "set", "BAREWORD"));
	cr_assert(array_has(env, "set", "PW_TWO=2") && array_has(env, "set", "PW_TWO=dup"));

	assert_rebuilt(&r, "base", root, 1);
	assert_rebuilt(&r, "one", one, 0);
	assert_rebuilt(&r, "two", one, 1);
	assert_rebuilt(&r, "three", three, 0);
	pw_run_free(&r);
}

/* --env is off by default: no exec carries an environment. */
Test(env, off_by_default)
{
	json_t *ev;
	struct pw_run r;

	pw_require_ptrace();
	pw_run("pw_env", NULL, NULL, &r);
	pw_check_trace_wellformed(&r);
	cr_assert_geq(pw_event_count(&r, "exec"), 5);
	for (size_t i = 0; (ev = pw_event_next(&r, "exec", &i));)
		cr_assert(!json_object_get(ev, "env"), "%s", pw_ev_dump(ev));
	pw_run_free(&r);
}
