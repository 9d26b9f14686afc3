/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the tracer's tracee-memory service (src/tracer/tracee_mem.c)
 * against a fake tracee put in place of process_vm_readv, PTRACE_PEEKDATA
 * and PTRACE_GETREGS: strings across page boundaries and up to unreadable
 * pages, a run of pages cut short by an unreadable one, more pages than
 * the cache holds, nothing kept from one stop to the next, a big argv
 * costing a read per run of pages, forced reads for the unwinder only,
 * and the PTRACE_PEEKDATA fallbacks.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "src/tracer/tracee_mem.h"

#define PAGE TRACEE_PAGE
#define NPAGES 256u
#define BASE 0x7f1200000000ull
#define PAGE_AT(i) (BASE + (uint64_t)(i) * PAGE)
#define TID 4242

enum fake_prot { FAKE_UNMAPPED, FAKE_READ, FAKE_EXEC_ONLY };

/* The fake tracee: NPAGES pages from BASE, and what was asked of it. */
static struct {
	unsigned char *bytes;
	enum fake_prot prot[NPAGES];
	int fail;		/* every read_pages fails with it; 0: none */
	size_t reads, peeks, max_run;
	size_t last_asked, last_got;	/* pages of the last read_pages */
	bool outside_slots;	/* a page was copied outside the service's slots */
	pid_t tid_seen;
} fake;

static struct tracee_mem m;

static int
page_index(uint64_t addr)
{
	if (addr < BASE || addr >= PAGE_AT(NPAGES))
		return -1;
	return (int)((addr - BASE) / PAGE);
}

static bool
in_slots(const void *p)
{
	const unsigned char *c = p, *lo = m.bytes[0];

	return c >= lo && c + PAGE <= lo + (size_t)TRACEE_SLOTS * PAGE;
}

/* Like process_vm_readv: page by page, stopping at the first unreadable one. */
static ssize_t
fake_read_pages(pid_t tid, uint64_t addr, const struct iovec *pages, size_t n)
{
	size_t got = 0;

	fake.reads++;
	fake.tid_seen = tid;
	fake.last_asked = n;
	if (n > fake.max_run)
		fake.max_run = n;
	if (fake.fail)
		return -fake.fail;
	for (; got < n; got++) {
		int i = page_index(addr + got * PAGE);

		if (i < 0 || fake.prot[i] != FAKE_READ)
			break;
		if (pages[got].iov_len != PAGE || !in_slots(pages[got].iov_base))
			fake.outside_slots = true;
		memcpy(pages[got].iov_base, fake.bytes + (size_t)i * PAGE, PAGE);
	}
	fake.last_got = got;
	return got ? (ssize_t)(got * PAGE) : -EFAULT;
}

/* Like PTRACE_PEEKDATA: reads execute-only pages too (FOLL_FORCE). */
static int
fake_peek(pid_t tid, uint64_t addr, uint64_t *word)
{
	int i = page_index(addr), j = page_index(addr + 7);

	fake.peeks++;
	fake.tid_seen = tid;
	if (fake.fail == ESRCH)
		return -ESRCH;
	if (i < 0 || j < 0 || fake.prot[i] == FAKE_UNMAPPED || fake.prot[j] == FAKE_UNMAPPED)
		return -EIO;
	memcpy(word, fake.bytes + (addr - BASE), 8);
	return 0;
}

static int
fake_get_regs(pid_t tid, struct user_regs_struct *regs)
{
	fake.tid_seen = tid;
	memset(regs, 0, sizeof(*regs));
	regs->rip = 0x401000;
	regs->rsp = PAGE_AT(8);
	return 0;
}

static const struct tracee_io fake_io = {
	.read_pages = fake_read_pages,
	.peek = fake_peek,
	.get_regs = fake_get_regs,
};

static void
setup(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.bytes = calloc(NPAGES, PAGE);
	cr_assert(fake.bytes);
	for (unsigned i = 0; i < NPAGES; i++)
		fake.prot[i] = FAKE_READ;
	cr_assert_eq(tracee_mem_init(&m, &fake_io), 0);
	tracee_mem_begin(&m, TID);
}

static void
teardown(void)
{
	tracee_mem_free(&m);
	free(fake.bytes);
}

TestSuite(tracee_mem, .init = setup, .fini = teardown);

static void
put(uint64_t addr, const void *data, size_t len)
{
	memcpy(fake.bytes + (addr - BASE), data, len);
}

static struct pw_mem *
dec(void)
{
	return tracee_mem_decoder(&m, TID);
}

Test(tracee_mem, string_across_page_boundary)
{
	struct pw_bytes b = { 0 };

	put(PAGE_AT(1) - 3, "abcdef", 7);
	cr_assert_eq(pw_mem_read_string(dec(), PAGE_AT(1) - 3, 4096, &b), 0);
	cr_assert_str_eq(b.data, "abcdef");
	cr_assert_eq(fake.tid_seen, TID);
	pw_bytes_clear(&b);
}

Test(tracee_mem, string_ending_right_before_unreadable_page)
{
	struct pw_bytes b = { 0 };

	fake.prot[1] = FAKE_UNMAPPED;
	put(PAGE_AT(1) - 6, "hello", 6);
	cr_assert_eq(pw_mem_read_string(dec(), PAGE_AT(1) - 6, 4096, &b), 0);
	cr_assert_str_eq(b.data, "hello");
	pw_bytes_clear(&b);
}

Test(tracee_mem, string_running_into_unreadable_page_is_efault)
{
	struct pw_bytes b = { 0 };

	fake.prot[1] = FAKE_UNMAPPED;
	memset(fake.bytes + PAGE - 10, 'x', 10);
	cr_assert_eq(pw_mem_read_string(dec(), PAGE_AT(1) - 10, 4096, &b), -EFAULT);
	cr_assert_null(b.data);
	cr_assert_eq(b.err, EFAULT);
}

/*
 * One read over pages 0..7 with page 5 unreadable: the run of pages 3..6
 * comes back with 3 and 4 only, the read stops short before page 5, page
 * 6 is still readable, and page 5 is known unreadable without asking again.
 */
Test(tracee_mem, run_cut_short_by_an_unreadable_middle_page)
{
	static unsigned char buf[8 * PAGE];
	unsigned char c;
	size_t reads;

	for (unsigned i = 0; i < 8; i++)
		memset(fake.bytes + (size_t)i * PAGE, 'a' + (int)i, PAGE);
	fake.prot[5] = FAKE_UNMAPPED;
	cr_assert_eq(dec()->read(dec(), PAGE_AT(0), buf, sizeof(buf)), 5 * PAGE);
	for (unsigned i = 0; i < 5; i++)
		cr_assert_eq(buf[i * PAGE + 17], 'a' + i, "page %u", i);
	cr_assert_eq(dec()->read(dec(), PAGE_AT(6), &c, 1), 1);
	cr_assert_eq(c, 'g');
	reads = fake.reads;
	cr_assert_eq(dec()->read(dec(), PAGE_AT(5) + 8, &c, 1), -EFAULT);
	cr_assert_eq(fake.reads, reads, "page 5 was asked for again in the same stop");
}

Test(tracee_mem, walking_forward_reads_longer_runs)
{
	unsigned char c;

	/* Walking forward from page 0 makes the run at page 1 two pages long. */
	cr_assert_eq(dec()->read(dec(), PAGE_AT(0), &c, 1), 1);
	cr_assert_eq(dec()->read(dec(), PAGE_AT(1), &c, 1), 1);
	cr_assert_eq(fake.last_asked, 2);
	cr_assert_eq(dec()->read(dec(), PAGE_AT(2), &c, 1), 1);
	cr_assert_eq(fake.reads, 2, "page 2 came with page 1");
}

/* 200 pages through 64 slots: every byte right, memory never beyond the slots. */
Test(tracee_mem, more_pages_than_slots)
{
	size_t len = 200 * PAGE, reads;
	unsigned char *buf = malloc(len), c;

	cr_assert(buf);
	for (size_t i = 0; i < len; i++)
		fake.bytes[i] = (unsigned char)(i * 7 + i / PAGE);
	cr_assert_eq(pw_mem_read_exact(dec(), PAGE_AT(0), buf, len), 0);
	cr_assert(memcmp(buf, fake.bytes, len) == 0);
	cr_assert_not(fake.outside_slots);
	cr_assert_leq(fake.max_run, TRACEE_RUN_MAX);
	cr_assert_leq(fake.reads, 200 / TRACEE_RUN_MAX + 5, "%zu reads", fake.reads);
	reads = fake.reads;
	cr_assert_eq(dec()->read(dec(), PAGE_AT(0) + 5, &c, 1), 1);
	cr_assert_eq(c, fake.bytes[5]);
	cr_assert_gt(fake.reads, reads, "page 0 was still cached after 199 more");
	free(buf);
}

Test(tracee_mem, nothing_kept_from_one_stop_to_the_next)
{
	unsigned char c;

	fake.bytes[100] = 'a';
	cr_assert_eq(dec()->read(dec(), PAGE_AT(0) + 100, &c, 1), 1);
	cr_assert_eq(c, 'a');
	fake.bytes[100] = 'b';		/* the task ran */
	cr_assert_eq(dec()->read(dec(), PAGE_AT(0) + 100, &c, 1), 1);
	cr_assert_eq(c, 'a', "read twice in one stop");
	tracee_mem_begin(&m, TID);
	cr_assert_eq(dec()->read(dec(), PAGE_AT(0) + 100, &c, 1), 1);
	cr_assert_eq(c, 'b', "stale byte after tracee_mem_begin");
}

Test(tracee_mem, unreadable_page_forgotten_at_the_next_stop)
{
	unsigned char c;

	fake.prot[0] = FAKE_UNMAPPED;
	cr_assert_eq(dec()->read(dec(), PAGE_AT(0), &c, 1), -EFAULT);
	fake.prot[0] = FAKE_READ;	/* mmap'ed meanwhile */
	fake.bytes[0] = 'm';
	tracee_mem_begin(&m, TID);
	cr_assert_eq(dec()->read(dec(), PAGE_AT(0), &c, 1), 1);
	cr_assert_eq(c, 'm');
}

Test(tracee_mem, another_task_never_sees_the_pages)
{
	unsigned char c;
	size_t reads;

	fake.bytes[0] = 'p';
	cr_assert_eq(dec()->read(dec(), PAGE_AT(0), &c, 1), 1);
	reads = fake.reads;
	fake.bytes[0] = 'q';
	cr_assert_eq(tracee_mem_decoder(&m, TID + 1)->read(&m.mem, PAGE_AT(0), &c, 1), 1);
	cr_assert_eq(c, 'q');
	cr_assert_eq(fake.reads, reads + 1);
	cr_assert_eq(fake.tid_seen, TID + 1);
}

Test(tracee_mem, unwinder_forget_drops_the_pages)
{
	struct pw_unwind_tracee *t = tracee_mem_unwinder(&m, TID);
	uint64_t w = 1, got;

	put(PAGE_AT(2), &w, 8);
	cr_assert_eq(t->read(t, PAGE_AT(2), &got, 8), 0);
	cr_assert_eq(got, 1);
	w = 2;
	put(PAGE_AT(2), &w, 8);
	t->forget(t);
	cr_assert_eq(t->read(t, PAGE_AT(2), &got, 8), 0);
	cr_assert_eq(got, 2);
}

/* 5000 arguments of 7 bytes: a read per run of pages, not per string. */
Test(tracee_mem, big_argv_costs_a_read_per_run_of_pages)
{
	enum { N = 5000 };
	uint64_t argv = PAGE_AT(0), str = PAGE_AT(16), ptr;
	struct pw_syscall sc = { .nr = 59, .args = { PAGE_AT(200), argv } };
	struct pw_exec ex;
	struct pw_event ev = { .kind = PW_EV_EXEC };
	char s[16];

	put(PAGE_AT(200), "/bin/true", 10);
	for (int i = 0; i < N; i++) {
		snprintf(s, sizeof(s), "%07d", i);
		put(str, s, 8);
		ptr = str;
		put(argv + 8 * (uint64_t)i, &ptr, 8);
		str += 8;
	}
	ptr = 0;
	put(argv + 8 * N, &ptr, 8);
	pw_decode_exec_entry(&sc, dec(), NULL, &ex);
	cr_assert_eq(ex.argc, N);
	cr_assert_str_eq(ex.path.data, "/bin/true");
	cr_assert_str_eq(ex.argv[0].data, "0000000");
	cr_assert_str_eq(ex.argv[N - 1].data, "0004999");
	/* 40 KiB of pointers and 40 KiB of strings: 20 pages. */
	cr_assert_leq(fake.reads, 12, "%zu process_vm_readv calls", fake.reads);
	ev.u.exec = ex;
	pw_event_clear(&ev);
}

/* An argv of n pointers at PAGE_AT(0), decoded whole within lim. */
static struct pw_exec
decode_argv(const uint64_t *ptrs, size_t n, const struct pw_exec_limits *lim)
{
	struct pw_syscall sc = { .nr = 59, .args = { PAGE_AT(200), PAGE_AT(0) } };
	struct pw_exec ex;
	uint64_t zero = 0;

	put(PAGE_AT(200), "/bin/x", 7);
	put(PAGE_AT(0), ptrs, n * 8);
	put(PAGE_AT(0) + n * 8, &zero, 8);
	pw_decode_exec_entry(&sc, dec(), lim, &ex);
	return ex;
}

/*
 * Strings read in place from the cached pages (struct pw_mem's map): end
 * to end across page ends, out of order, one inside another, one ending
 * right before an unreadable page and one running into it (EFAULT, as
 * the kernel's copy would), each the bytes it is, in one block.
 */
Test(tracee_mem, argv_strings_read_in_place)
{
	enum { N = 600 };
	uint64_t ptrs[N + 3], at = PAGE_AT(20) - 5;
	char s[32];
	struct pw_exec ex;
	struct pw_event ev = { .kind = PW_EV_EXEC };

	for (int i = 0; i < N; i++) {
		int len = snprintf(s, sizeof(s), "%.*s%d", i % 17, "abcdefghijklmnopq", i);

		put(at, s, (size_t)len + 1);
		ptrs[i % 2 ? i : N - 2 - i] = at;	/* the even ones reversed */
		at += (uint64_t)len + 1;
	}
	put(PAGE_AT(31) - 4, "end", 4);		/* its NUL is the page's last byte */
	put(PAGE_AT(31) + PAGE - 3, "cut", 3);	/* no NUL before page 32 */
	fake.prot[32] = FAKE_UNMAPPED;
	ptrs[N] = PAGE_AT(31) - 4;
	ptrs[N + 1] = ptrs[3] + 2;		/* a suffix of another */
	ptrs[N + 2] = PAGE_AT(31) + PAGE - 3;
	ex = decode_argv(ptrs, N + 3, NULL);
	cr_assert_eq(ex.argc, N + 3);
	cr_assert_not_null(ex.argv_strings);
	for (int i = 0; i < N + 2; i++) {
		const char *want = (const char *)fake.bytes + (ptrs[i] - BASE);

		cr_assert_eq(ex.argv[i].err, 0, "argv[%d]", i);
		cr_assert_eq(ex.argv[i].len, strlen(want), "argv[%d]", i);
		cr_assert_str_eq(ex.argv[i].data, want, "argv[%d]", i);
	}
	cr_assert_eq(ex.argv[N + 2].err, EFAULT);
	cr_assert_null(ex.argv[N + 2].data);
	ev.u.exec = ex;
	pw_event_clear(&ev);
}

/* The byte limit cuts a string found in place as it cuts one read whole. */
Test(tracee_mem, argv_byte_limit_in_place)
{
	struct pw_exec_limits lim = { .max_args = 100, .max_bytes = 8 };
	uint64_t ptrs[3] = { PAGE_AT(5), PAGE_AT(5) + 6, PAGE_AT(5) + 13 };
	struct pw_event ev = { .kind = PW_EV_EXEC };
	struct pw_exec ex;

	put(PAGE_AT(5), "first\0second\0third", 19);
	ex = decode_argv(ptrs, 3, &lim);
	cr_assert(ex.argv_truncated);
	cr_assert_eq(ex.argc, 2);
	cr_assert_str_eq(ex.argv[0].data, "first");
	cr_assert_str_eq(ex.argv[1].data, "sec");
	cr_assert_eq(ex.argv[1].len, 3);
	ev.u.exec = ex;
	pw_event_clear(&ev);
}

/*
 * An execute-only page: the decoders get EFAULT, as the syscall would;
 * the unwinder reads it (PTRACE_PEEKDATA), and that read is not cached
 * for the decoders.
 */
Test(tracee_mem, forced_reads_for_the_unwinder_only)
{
	struct pw_unwind_tracee *t = tracee_mem_unwinder(&m, TID);
	uint64_t w = 0x0f05c3, got = 0;
	unsigned char c;

	fake.prot[3] = FAKE_EXEC_ONLY;
	put(PAGE_AT(3) + 16, &w, 8);
	cr_assert_eq(dec()->read(dec(), PAGE_AT(3) + 16, &c, 1), -EFAULT);
	cr_assert_eq(t->read(t, PAGE_AT(3) + 16, &got, 8), 0);
	cr_assert_eq(got, w);
	cr_assert_gt(fake.peeks, 0);
	cr_assert_eq(dec()->read(dec(), PAGE_AT(3) + 16, &c, 1), -EFAULT);
	fake.prot[4] = FAKE_UNMAPPED;
	cr_assert_eq(t->read(t, PAGE_AT(4), &got, 8), -EIO);
}

Test(tracee_mem, unwinder_reads_across_pages_and_registers)
{
	struct pw_unwind_tracee *t = tracee_mem_unwinder(&m, TID);
	struct user_regs_struct regs;
	uint64_t w = 0x1122334455667788ull, got = 0;

	put(PAGE_AT(1) - 4, &w, 8);
	cr_assert_eq(t->read(t, PAGE_AT(1) - 4, &got, 8), 0);
	cr_assert_eq(got, w);
	cr_assert_eq(t->tid, TID);
	cr_assert_eq(t->get_regs(t, &regs), 0);
	cr_assert_eq(regs.rip, 0x401000);
	cr_assert_eq(fake.tid_seen, TID);
}

/* No process_vm_readv in this kernel: words through PTRACE_PEEKDATA, asked once. */
Test(tracee_mem, enosys_falls_back_to_peek_for_good)
{
	struct pw_bytes b = { 0 };

	fake.fail = ENOSYS;
	put(PAGE_AT(0), "fallback", 9);
	cr_assert_eq(pw_mem_read_string(dec(), PAGE_AT(0), 64, &b), 0);
	cr_assert_str_eq(b.data, "fallback");
	pw_bytes_clear(&b);
	tracee_mem_begin(&m, TID + 1);
	cr_assert_eq(pw_mem_read_string(tracee_mem_decoder(&m, TID + 1), PAGE_AT(0), 64, &b), 0);
	cr_assert_eq(fake.reads, 1, "process_vm_readv asked again after ENOSYS");
	cr_assert_gt(fake.peeks, 0);
	pw_bytes_clear(&b);
}

/* EPERM (mm_access refused this task): peek for this stop, try again at the next. */
Test(tracee_mem, eperm_falls_back_for_the_stop)
{
	struct pw_bytes b = { 0 };

	fake.fail = EPERM;
	put(PAGE_AT(0), "refused", 8);
	cr_assert_eq(pw_mem_read_string(dec(), PAGE_AT(0), 64, &b), 0);
	cr_assert_str_eq(b.data, "refused");
	pw_bytes_clear(&b);
	cr_assert_eq(pw_mem_read_string(dec(), PAGE_AT(0), 64, &b), 0);
	pw_bytes_clear(&b);
	cr_assert_eq(fake.reads, 1);
	fake.fail = 0;
	tracee_mem_begin(&m, TID);
	cr_assert_eq(pw_mem_read_string(dec(), PAGE_AT(0), 64, &b), 0);
	cr_assert_eq(fake.reads, 2, "process_vm_readv not tried again at the next stop");
	pw_bytes_clear(&b);
}

Test(tracee_mem, task_gone_is_esrch_and_not_cached)
{
	struct pw_unwind_tracee *t = tracee_mem_unwinder(&m, TID);
	unsigned char c;
	uint64_t w;

	fake.fail = ESRCH;
	cr_assert_eq(dec()->read(dec(), PAGE_AT(0), &c, 1), -ESRCH);
	cr_assert_eq(t->read(t, PAGE_AT(0), &w, 8), -ESRCH);
	cr_assert_eq(fake.reads, 2);
	cr_assert_eq(fake.peeks, 0, "a dead task's memory was peeked");
}

Test(tracee_mem, wrapping_range_is_efault)
{
	unsigned char buf[16];

	cr_assert_eq(dec()->read(dec(), UINT64_MAX - 3, buf, sizeof(buf)), -EFAULT);
}
