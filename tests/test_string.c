/* Suite string: the freestanding C library functions. */
#include "tests/ktest.h"
#include "kernel/string.h"
#include "kernel/errno.h"

KTEST(string, "memcpy, memset and memcmp")
{
	char a[16], b[16];

	memset(a, 'x', sizeof(a));
	EXPECT_EQ('x', a[15]);
	memcpy(b, a, sizeof(b));
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
	b[7] = 'y';
	EXPECT_LT(memcmp(a, b, sizeof(a)), 0);
	EXPECT_GT(memcmp(b, a, sizeof(a)), 0);
}

KTEST(string, "memmove handles overlap in both directions")
{
	char s[] = "abcdefgh";

	memmove(s + 2, s, 5);
	EXPECT_STREQ("ababcdeh", s);
	memmove(s, s + 3, 5);
	EXPECT_STREQ("bcdehdeh", s);
}

KTEST(string, "strlen, strcmp, strncmp, strchr")
{
	EXPECT_EQ(0, strlen(""));
	EXPECT_EQ(5, strlen("hello"));
	EXPECT_EQ(3, strnlen("hello", 3));
	EXPECT_EQ(0, strcmp("abc", "abc"));
	EXPECT_LT(strcmp("abc", "abd"), 0);
	EXPECT_GT(strcmp("abcd", "abc"), 0);
	EXPECT_EQ(0, strncmp("abcX", "abcY", 3));
	EXPECT_PTR_EQ(NULL, strchr("abc", 'z'));
	EXPECT_STREQ("c", strchr("abc", 'c'));
}

KTEST(string, "strlcpy truncates and terminates")
{
	char d[4];

	EXPECT_EQ(6, strlcpy(d, "abcdef", sizeof(d)));
	EXPECT_STREQ("abc", d);
	EXPECT_EQ(2, strlcpy(d, "ab", sizeof(d)));
	EXPECT_STREQ("ab", d);
}

KTEST(string, "parse_u64 accepts decimal and hex, rejects junk and overflow")
{
	uint64_t v = 0;

	EXPECT_EQ(0, parse_u64("1234", &v));
	EXPECT_EQ(1234, v);
	EXPECT_EQ(0, parse_u64("0xC0100000", &v));
	EXPECT_EQ(0xC0100000ULL, v);
	EXPECT_EQ(0, parse_u64("18446744073709551615", &v));
	EXPECT_EQ(ERR_INVALID_ARGS, parse_u64("18446744073709551616", &v));
	EXPECT_EQ(ERR_INVALID_ARGS, parse_u64("", &v));
	EXPECT_EQ(ERR_INVALID_ARGS, parse_u64("0x", &v));
	EXPECT_EQ(ERR_INVALID_ARGS, parse_u64("12a", &v));
}
