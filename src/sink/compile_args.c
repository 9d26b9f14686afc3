/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compiler command lines as a compilation database sees them
 * (compile_args.h): whether an exec'd program is a compiler driver, and
 * which of its arguments are the files it compiles, its output, and the
 * options every entry keeps.  GCC's and Clang's drivers share the option
 * syntax this reads (gcc(1) "Overall Options"): -c and -S stop before the
 * link, -E, -M and -MM only preprocess, -fsyntax-only only checks, -x
 * sets the language of the inputs after it, and a few options take their
 * value as the next argument, which must not be taken for an input.
 */
#include <stddef.h>
#include <string.h>

#include "procwatch/base.h"
#include "compile_args.h"

static const char *const drivers[] = { "cc", "c++", "gcc", "g++", "clang", "clang++" };
/* Run as "ccache gcc -c a.c"; they run the compiler below them, or (a cache hit) none. */
static const char *const wrappers[] = { "ccache", "distcc", "sccache" };

/*
 * Extensions of the files a C-family compiler compiles and a consumer
 * (clangd, clang-tidy) can read: C, C++, Objective-C and Objective-C++,
 * CUDA, and their preprocessed forms.  Not assembly (.s, .S): clang
 * tooling refuses it, so one such entry fails a whole clang-check run.
 */
static const char *const source_exts[] = {
	"c", "i",
	"cc", "cp", "cxx", "cpp", "CPP", "c++", "C", "ii",
	"m", "mi", "mm", "M", "mii",
	"cu",
};

/* -x languages whose inputs are such sources whatever their names. */
static const char *const source_langs[] = {
	"c", "c++", "objective-c", "objective-c++", "cuda",
	"cpp-output", "c++-cpp-output", "objective-c-cpp-output",
	"objective-c++-cpp-output", "objc-cpp-output", "objc++-cpp-output",
};

/* Options whose value is the next argument (when not joined to them). */
static const char *const with_value[] = {
	"-I", "-D", "-U", "-L", "-l", "-A", "-B", "-F", "-T", "-e", "-u", "-z",
	"-include", "-imacros", "-isystem", "-idirafter", "-iquote", "-iprefix",
	"-iwithprefix", "-iwithprefixbefore", "-isysroot", "-imultilib",
	"-iframework", "-cxx-isystem", "-isystem-after", "-ivfsoverlay",
	"-MF", "-MT", "-MQ", "-MJ", "-Xlinker", "-Xassembler", "-Xpreprocessor",
	"-Xclang", "-mllvm", "-target", "-arch", "-aux-info", "--param",
	"-dumpbase", "-dumpbase-ext", "-dumpdir", "-resource-dir", "--sysroot",
	"-wrapper",
};

/* Options after which nothing is compiled: preprocessing, checking, a dry run. */
static const char *const no_compile[] = { "-E", "-M", "-MM", "-fsyntax-only", "-###" };

static bool
in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

#define IN(s, list) in_list((s), (list), PW_ARRAY_SIZE(list))

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The length of name n long without a version suffix: "gcc-12", "clang-16.0". */
static size_t
unversioned_len(const char *s, size_t n)
{
	size_t i = n;

	while (i > 0 && (is_digit(s[i - 1]) || s[i - 1] == '.'))
		i--;
	if (i < n && i > 0 && s[i - 1] == '-' && is_digit(s[i]))
		return i - 1;
	return n;
}

/* [TARGET-]DRIVER[-VERSION]: x86_64-linux-gnu-gcc-12, arm-none-eabi-g++, clang++-16. */
bool
pw_compile_driver_name(const char *base)
{
	size_t n = unversioned_len(base, strlen(base)), i, dl;

	for (i = 0; i < PW_ARRAY_SIZE(drivers); i++) {
		dl = strlen(drivers[i]);
		if (n >= dl && memcmp(base + n - dl, drivers[i], dl) == 0 &&
		    (n == dl || base[n - dl - 1] == '-'))
			return true;
	}
	return false;
}

/* Whether the program is name (a driver or a wrapper), by path or by argv[0]. */
static bool
named(const char *path, const char *argv0, bool (*is)(const char *))
{
	return (path && is(pw_basename(path))) || (argv0 && is(pw_basename(argv0)));
}

static bool
wrapper_name(const char *base)
{
	return IN(base, wrappers);
}

/*
 * The index of the compiler's name in argv: 0 for a driver, the word
 * after a wrapper and its KEY=VALUE settings (ccache's syntax) when that
 * names a driver; -1 for anything else.
 */
static long
compiler_index(const char *path, const struct pw_argv *a)
{
	const char *argv0 = a->n ? a->v[0] : NULL;
	uint32_t i;

	if (named(path, argv0, wrapper_name)) {
		for (i = 1; i < a->n && a->v[i] && a->v[i][0] != '-' &&
			    strchr(a->v[i], '='); i++)
			;
		if (i < a->n && a->v[i] && pw_compile_driver_name(pw_basename(a->v[i])))
			return i;
		return -1;
	}
	return named(path, argv0, pw_compile_driver_name) ? 0 : -1;
}

enum lang { LANG_BY_NAME, LANG_SOURCE, LANG_OTHER };

static enum lang
lang_of(const char *x)
{
	if (!x || strcmp(x, "none") == 0)
		return LANG_BY_NAME;
	return IN(x, source_langs) ? LANG_SOURCE : LANG_OTHER;
}

static bool
source_name(const char *s)
{
	const char *base = pw_basename(s), *dot = strrchr(base, '.');

	return dot && IN(dot + 1, source_exts);
}

/* Where the parse of the options stands. */
struct parse {
	struct pw_compile *c;
	const struct pw_argv *a;
	enum lang lang;
	bool stops;		/* -c or -S: no link */
	bool checks_only;	/* -E, -M, -fsyntax-only: nothing compiled */
};

/* An operand: a file to compile, or another input (an object, a library). */
static void
operand(struct parse *ps, uint32_t i)
{
	const char *s = ps->a->v[i];
	bool src = strcmp(s, "-") != 0 && s[0] != '@' &&
		   (ps->lang == LANG_SOURCE || (ps->lang == LANG_BY_NAME && source_name(s)));

	ps->c->roles[i] = src ? PW_CARG_SOURCE : PW_CARG_FLAG;
	ps->c->nsources += src;
}

/* The option at i (and its value); returns the index of its last element. */
static uint32_t
option(struct parse *ps, uint32_t i)
{
	const char *s = ps->a->v[i], *next = i + 1 < ps->a->n ? ps->a->v[i + 1] : NULL;
	bool separate = i + 1 < ps->a->n;

	if (strcmp(s, "-c") == 0 || strcmp(s, "-S") == 0) {
		ps->stops = true;
	} else if (IN(s, no_compile)) {
		ps->checks_only = true;
	} else if (strncmp(s, "-o", 2) == 0) {
		ps->c->roles[i] = PW_CARG_OUTPUT;
		if (s[2]) {
			ps->c->output = s + 2;
			return i;
		}
		ps->c->output = next;
		if (separate)
			ps->c->roles[i + 1] = PW_CARG_OUTPUT;
		return separate ? i + 1 : i;
	} else if (strncmp(s, "-x", 2) == 0) {
		ps->lang = lang_of(s[2] ? s + 2 : next);
		return s[2] || !separate ? i : i + 1;
	} else if (IN(s, with_value) && separate) {
		return i + 1;
	}
	return i;
}

bool
pw_compile_parse(const char *path, const struct pw_argv *a, struct pw_compile *c)
{
	struct parse ps = { .c = c, .a = a, .lang = LANG_BY_NAME };
	long first = compiler_index(path, a);
	const char *s;
	uint32_t i;

	if (first < 0)
		return false;
	*c = (struct pw_compile){ .roles = c->roles, .compiler = (uint32_t)first,
				  .unreadable = a->truncated };
	for (i = 0; i < a->n; i++)
		c->roles[i] = i < c->compiler ? PW_CARG_SKIP : PW_CARG_FLAG;
	/* clang -cc1 is the compiler proper, run by a driver: not a driver call. */
	if (first + 1 < a->n && a->v[first + 1] && strncmp(a->v[first + 1], "-cc1", 4) == 0)
		return false;
	for (i = c->compiler + 1; i < a->n; i++) {
		s = a->v[i];
		if (s && s[0] == '-' && s[1]) {
			i = option(&ps, i);
			s = a->v[i];	/* its value, when it takes one */
		} else if (s) {
			operand(&ps, i);
		}
		if (!s)
			c->unreadable = true;
	}
	c->links = !ps.stops;
	return c->nsources > 0 && !ps.checks_only;
}
