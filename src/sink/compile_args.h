/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which command lines compile C-family source files, and what each of
 * their arguments is to a compilation database (compile_args.c), for
 * --format=compile-commands (compile_commands.c).  Pure: argv in, roles
 * out, in O(argc).
 */
#ifndef PROCWATCH_SINK_COMPILE_ARGS_H
#define PROCWATCH_SINK_COMPILE_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "procwatch/model.h"

/* What one element of a compile's argv is to its database entries. */
enum pw_carg {
	PW_CARG_SKIP,		/* the wrapper (ccache) and its settings: in no entry */
	PW_CARG_FLAG,		/* the compiler, options, other inputs: in every entry */
	PW_CARG_SOURCE,		/* a file it compiles: in that file's entry only */
	PW_CARG_OUTPUT,		/* -o and its file: left out when the compile links */
};

struct pw_compile {
	uint8_t *roles;		/* enum pw_carg per argv element: the caller's, argv->n long */
	uint32_t compiler;	/* index of the compiler's name: 1 after ccache, else 0 */
	uint32_t nsources;
	const char *output;	/* the file -o names (the last -o); NULL without one */
	bool links;		/* neither -c nor -S: it compiles and links */
	bool unreadable;	/* an element could not be read, or argv was cut short */
};

/*
 * Whether argv a, exec'd as path (NULL if unknown), runs a compiler driver
 * (cc, gcc, clang, ... with a target prefix and a version suffix, or one
 * under ccache, distcc or sccache) that compiles at least one source file
 * into an object, assembly or a program.  Fills c when it does.
 */
bool pw_compile_parse(const char *path, const struct pw_argv *a, struct pw_compile *c);

/* Whether base (a file name without directory) names a compiler driver. */
bool pw_compile_driver_name(const char *base);

#endif
