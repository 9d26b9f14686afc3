/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the tracee-memory helpers (src/decode/mem.c) against a
 * fake memory: strings that end right at an unmapped page, strings that
 * run into one, the max-byte cap, and errors passed through.
 */
#include <criterion/criterion.h>

#include "pw_fake_mem.h"

#define BASE 0x10000u
#define SIZE (2 * FAKE_PAGE)	/* readable: [BASE, BASE + 2 pages) */
#define END (BASE + SIZE)

FAKE_MEM_FIXTURE(BASE, SIZE)

TestSuite(mem, .init = fake_mem_setup, .fini = fake_mem_teardown);

Test(mem, string_ending_right_before_unmapped_page)
{
	struct pw_bytes b = { 0 };

	/* "hello" and its NUL fill the last 6 bytes before END. */
	fake_put_str(&fm, END - 6, "hello");
	cr_assert_eq(pw_mem_read_string(&fm.mem, END - 6, 4096, &b), 0);
	cr_assert_str_eq(b.data, "hello");
	cr_assert_eq(b.len, 5);
	cr_assert_eq(b.err, 0);
	cr_assert_not(fm.crossed_page, "a string read asked across a page");
	pw_bytes_clear(&b);
}

Test(mem, string_running_into_unmapped_page_is_efault)
{
	struct pw_bytes b = { 0 };

	fake_fill(&fm, END - 10, 'x', 10);	/* no NUL before END */
	cr_assert_eq(pw_mem_read_string(&fm.mem, END - 10, 4096, &b), -EFAULT);
	cr_assert_null(b.data);
	cr_assert_eq(b.err, EFAULT);
	cr_assert_eq(b.len, 0);
}

Test(mem, string_running_into_hole_between_pages)
{
	struct pw_bytes b = { 0 };

	fake_hole(&fm, BASE + FAKE_PAGE, END);
	fake_fill(&fm, BASE + FAKE_PAGE - 3, 'y', 3);
	cr_assert_eq(pw_mem_read_string(&fm.mem, BASE + FAKE_PAGE - 3, 100, &b),
		     -EFAULT);
	cr_assert_null(b.data);
}

Test(mem, string_across_readable_page_boundary)
{
	struct pw_bytes b = { 0 };

	fake_put_str(&fm, BASE + FAKE_PAGE - 3, "abcdef");
	cr_assert_eq(pw_mem_read_string(&fm.mem, BASE + FAKE_PAGE - 3, 4096, &b),
		     0);
	cr_assert_str_eq(b.data, "abcdef");
	cr_assert_not(fm.crossed_page);
	pw_bytes_clear(&b);
}

Test(mem, long_string_spanning_pages)
{
	struct pw_bytes b = { 0 };

	fake_fill(&fm, BASE + 1, 'z', SIZE - 2);	/* NUL in the last byte */
	cr_assert_eq(pw_mem_read_string(&fm.mem, BASE + 1, SIZE, &b), 0);
	cr_assert_eq(b.len, SIZE - 2);
	cr_assert_eq(b.data[0], 'z');
	cr_assert_eq(b.data[b.len - 1], 'z');
	cr_assert_eq(b.data[b.len], '\0');
	cr_assert_not(fm.crossed_page);
	pw_bytes_clear(&b);
}

Test(mem, max_cap_truncates_and_returns_one)
{
	struct pw_bytes b = { 0 };

	fake_put_str(&fm, BASE, "abcdef");
	cr_assert_eq(pw_mem_read_string(&fm.mem, BASE, 3, &b), 1);
	cr_assert_str_eq(b.data, "abc");
	cr_assert_eq(b.len, 3);
	cr_assert_eq(b.err, 0);
	pw_bytes_clear(&b);
}

Test(mem, string_of_exactly_max_bytes_is_whole)
{
	struct pw_bytes b = { 0 };

	fake_put_str(&fm, BASE, "abcdef");
	cr_assert_eq(pw_mem_read_string(&fm.mem, BASE, 6, &b), 0);
	cr_assert_str_eq(b.data, "abcdef");
	pw_bytes_clear(&b);
}

Test(mem, max_zero)
{
	struct pw_bytes b = { 0 };

	fake_put_str(&fm, BASE, "a");
	cr_assert_eq(pw_mem_read_string(&fm.mem, BASE, 0, &b), 1);
	cr_assert_str_eq(b.data, "");
	pw_bytes_clear(&b);
	fake_put_str(&fm, BASE + 100, "");
	cr_assert_eq(pw_mem_read_string(&fm.mem, BASE + 100, 0, &b), 0);
	cr_assert_str_eq(b.data, "");
	pw_bytes_clear(&b);
}

Test(mem, max_cap_at_unmapped_page_end)
{
	struct pw_bytes b = { 0 };

	/* The cap is reached exactly at END: the byte past it is unmapped. */
	fake_fill(&fm, END - 4, 'q', 4);
	cr_assert_eq(pw_mem_read_string(&fm.mem, END - 4, 4, &b), -EFAULT);
	cr_assert_eq(pw_mem_read_string(&fm.mem, END - 4, 3, &b), 1);
	cr_assert_str_eq(b.data, "qqq");
	pw_bytes_clear(&b);
}

Test(mem, arbitrary_bytes_kept)
{
	struct pw_bytes b = { 0 };
	const char raw[] = "\xff\n\x01\x7f\xc3(";

	fake_put(&fm, BASE + 8, raw, sizeof(raw));
	cr_assert_eq(pw_mem_read_string(&fm.mem, BASE + 8, 64, &b), 0);
	cr_assert_eq(b.len, sizeof(raw) - 1);
	cr_assert(memcmp(b.data, raw, sizeof(raw)) == 0);
	pw_bytes_clear(&b);
}

Test(mem, unreadable_address_and_errno_passthrough)
{
	struct pw_bytes b = { 0 };

	cr_assert_eq(pw_mem_read_string(&fm.mem, 0x1000, 64, &b), -EFAULT);
	cr_assert_eq(b.err, EFAULT);
	fm.err = ESRCH;		/* the tracee died */
	cr_assert_eq(pw_mem_read_string(&fm.mem, 0x1000, 64, &b), -ESRCH);
	cr_assert_eq(b.err, ESRCH);
	cr_assert_null(b.data);
}

Test(mem, read_exact)
{
	unsigned char buf[16];
	uint64_t v = 0x1122334455667788u;

	fake_put_u64(&fm, END - 8, v);
	cr_assert_eq(pw_mem_read_exact(&fm.mem, END - 8, buf, 8), 0);
	cr_assert(memcmp(buf, &v, 8) == 0);
	cr_assert_eq(pw_mem_read_exact(&fm.mem, END - 8, buf, 16), -EFAULT,
		     "a short read is -EFAULT");
	cr_assert_eq(pw_mem_read_exact(&fm.mem, END, buf, 1), -EFAULT);
	cr_assert_eq(pw_mem_read_exact(&fm.mem, END, buf, 0), 0);
	fm.err = ESRCH;
	cr_assert_eq(pw_mem_read_exact(&fm.mem, END, buf, 4), -ESRCH);
	cr_assert_eq(pw_mem_read_exact(&fm.mem, UINT64_MAX - 2, buf, 8),
		     -EFAULT, "a range that wraps around");
}

Test(mem, read_exact_across_readable_pages)
{
	unsigned char buf[32], want[32];

	for (size_t i = 0; i < sizeof(want); i++)
		want[i] = (unsigned char)i;
	fake_put(&fm, BASE + FAKE_PAGE - 16, want, sizeof(want));
	cr_assert_eq(pw_mem_read_exact(&fm.mem, BASE + FAKE_PAGE - 16, buf,
				       sizeof(buf)), 0);
	cr_assert(memcmp(buf, want, sizeof(buf)) == 0);
}
