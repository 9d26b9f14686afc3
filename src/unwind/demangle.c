/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -k's function names as people read them: C++ "_ZN2ns3runIiEEvT_"
 * becomes "void ns::run<int>(int)"-style text, "ns::run<int>(int)" here
 * (what c++filt prints without the return type).
 *
 * libiberty's cplus_demangle (Debian's libiberty-dev, a static library)
 * rather than libstdc++'s __cxa_demangle: it is plain C, so procwatch
 * needs no C++ compiler to build and links no C++ runtime, and DMGL_AUTO
 * also reads Rust's manglings, both the legacy one (_ZN...17h<hash>E) and
 * v0 (_R...).  The two are the same code (libiberty's cp-demangle.c,
 * which libstdc++ builds __cxa_demangle from), so the output is what
 * c++filt, gdb and __cxa_demangle print.  Built without libiberty
 * (meson feature "demangle"), names stay as the symbol table has them.
 *
 * The names come from whatever object a traced program maps.
 * cp-demangle.c puts arrays sized by the name's length on the stack (in
 * d_demangle_callback, some 50 bytes a character), so a name longer than
 * DEMANGLE_MAX is left as it is rather than risk procwatch's stack; its
 * recursion is bounded by DEMANGLE_RECURSION_LIMIT (demangle.h), which
 * DMGL_NO_RECURSE_LIMIT would lift and is not passed.
 */
#include "config.h"

#include <string.h>

#include "unwind_internal.h"

#if PW_HAVE_DEMANGLE
#include <libiberty/demangle.h>
#endif

#define DEMANGLE_MAX 8192

char *
pw_demangle(const char *name)
{
#if PW_HAVE_DEMANGLE
	/* Itanium C++ and Rust legacy (_Z), Rust v0 (_R): nothing else. */
	if (!name || name[0] != '_' || (name[1] != 'Z' && name[1] != 'R') ||
	    strnlen(name, DEMANGLE_MAX + 1) > DEMANGLE_MAX)
		return NULL;
	return cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
#else
	(void)name;
	return NULL;
#endif
}
