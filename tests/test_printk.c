/* Suite printk: the formatter behind every line the kernel prints. */
#include "tests/ktest.h"
#include "lib/printk.h"
#include "lib/string.h"

static char buf[128];

#define FMT(...) (snprintf(buf, sizeof(buf), __VA_ARGS__), buf)

KTEST(printk, "signed and unsigned decimal, including the extremes")
{
	EXPECT_STREQ("42 -7 0", FMT("%d %i %u", 42, -7, 0u));
	EXPECT_STREQ("-2147483648", FMT("%d", (int)0x80000000));
	EXPECT_STREQ("4294967295", FMT("%u", 0xFFFFFFFFu));
}

KTEST(printk, "hex, upper-case hex, octal and the # flag")
{
	EXPECT_STREQ("ff FF 17 0xbeef", FMT("%x %X %o %#x", 255, 255, 15, 0xbeef));
}

KTEST(printk, "64-bit values with ll")
{
	EXPECT_STREQ("18446744073709551615", FMT("%llu", ~0ULL));
	EXPECT_STREQ("-9223372036854775808", FMT("%lld", (long long)(1ULL << 63)));
	EXPECT_STREQ("123456789abcdef0", FMT("%llx", 0x123456789abcdef0ULL));
}

KTEST(printk, "field widths, zero padding and left adjustment")
{
	EXPECT_STREQ("   42|00042|42   |", FMT("%5d|%05d|%-5d|", 42, 42, 42));
	EXPECT_STREQ("0000beef", FMT("%08x", 0xbeef));
	EXPECT_STREQ("-0042", FMT("%05d", -42));
	EXPECT_STREQ("  abc|abc  |ab", FMT("%5s|%-5s|%.2s", "abc", "abc", "abc"));
	EXPECT_STREQ("   7", FMT("%*d", 4, 7));
}

KTEST(printk, "%p, %c, %% and NULL strings")
{
	const char *volatile none = NULL; /* hidden from gcc's format check */

	EXPECT_STREQ("0xc0100000", FMT("%p", (void *)0xc0100000));
	EXPECT_STREQ("0x00000000", FMT("%p", NULL));
	EXPECT_STREQ("x%y", FMT("%c%%%c", 'x', 'y'));
	EXPECT_STREQ("(null)", FMT("%s", none));
}

KTEST(printk, "truncation keeps the NUL and returns the full length")
{
	char small[6];
	int n = snprintf(small, sizeof(small), "%s", "abcdefghij");

	EXPECT_EQ(10, n);
	EXPECT_STREQ("abcde", small);
	EXPECT_EQ(3, snprintf(NULL, 0, "%d", 123));
}
