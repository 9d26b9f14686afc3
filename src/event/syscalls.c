/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x86-64 system call numbers of the calls procwatch decodes
 * (arch/x86/entry/syscalls/syscall_64.tbl), both ways.  The tracer only
 * sees the 64-bit personality here; i386 and x32 numbers are not mapped.
 */
#include <sys/syscall.h>

#include "procwatch/base.h"
#include "procwatch/event.h"

static const long call_nrs[] = {
	[PW_CALL_NONE] = -1,
	[PW_CALL_CLONE] = SYS_clone,
	[PW_CALL_CLONE3] = SYS_clone3,
	[PW_CALL_FORK] = SYS_fork,
	[PW_CALL_VFORK] = SYS_vfork,
	[PW_CALL_EXECVE] = SYS_execve,
	[PW_CALL_EXECVEAT] = SYS_execveat,
	[PW_CALL_WAIT4] = SYS_wait4,
	[PW_CALL_WAITID] = SYS_waitid,
	[PW_CALL_EXIT] = SYS_exit,
	[PW_CALL_EXIT_GROUP] = SYS_exit_group,
};

_Static_assert(SYS_clone == 56 && SYS_clone3 == 435 && SYS_execveat == 322,
	       "x86-64 numbering (arch/x86/entry/syscalls/syscall_64.tbl)");

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
