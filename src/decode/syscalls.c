/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x86-64 system call numbers of the calls procwatch decodes
 * (arch/x86/entry/syscalls/syscall_64.tbl), both ways.  The tracer only
 * sees the 64-bit personality here; i386 and x32 numbers are not mapped.
 */
#include "procwatch/decode.h"

#define PW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const long call_nrs[] = {
	[PW_CALL_NONE] = -1,
	[PW_CALL_CLONE] = 56,
	[PW_CALL_CLONE3] = 435,
	[PW_CALL_FORK] = 57,
	[PW_CALL_VFORK] = 58,
	[PW_CALL_EXECVE] = 59,
	[PW_CALL_EXECVEAT] = 322,
	[PW_CALL_WAIT4] = 61,
	[PW_CALL_WAITID] = 247,
	[PW_CALL_EXIT] = 60,
	[PW_CALL_EXIT_GROUP] = 231,
};

enum pw_call
pw_call_from_nr(long nr)
{
	if (nr < 0)
		return PW_CALL_NONE;
	for (size_t i = 1; i < PW_ARRAY_SIZE(call_nrs); i++)
		if (call_nrs[i] == nr)
			return (enum pw_call)i;
	return PW_CALL_NONE;
}

long
pw_call_nr(enum pw_call call)
{
	if ((unsigned)call >= PW_ARRAY_SIZE(call_nrs))
		return -1;
	return call_nrs[call];
}
