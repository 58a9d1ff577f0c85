/* Suite string: the freestanding C library functions. */
#include "tests/ktest.h"
#include "lib/string.h"
#include "lib/errno.h"

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

KTEST(string, "strstr finds the first occurrence, or NULL")
{
	static const char s[] = "allocated by f+0x1, freed by g+0x2";

	EXPECT_PTR_EQ(s + 13, strstr(s, "f+0x"));
	EXPECT_PTR_EQ(s + 20, strstr(s, "freed"));
	EXPECT_PTR_EQ(s, strstr(s, ""));
	EXPECT_NULL(strstr(s, "h+0x"));
	EXPECT_NULL(strstr("", "a"));
	EXPECT_NULL(strstr(s, "0x2!"));
}

KTEST(string, "split_words splits on spaces and tabs, in place, up to its limit")
{
	char line[] = "  alloc\t 3  extra more";
	char *w[3];

	ASSERT_EQ(3, split_words(line, w, 3));
	EXPECT_STREQ("alloc", w[0]);
	EXPECT_STREQ("3", w[1]);
	EXPECT_STREQ("extra more", w[2]); /* the last word keeps the rest */
	EXPECT_EQ(0, split_words(line + 8 + 1, w, 0)); /* no room: no words */
	char blank[] = " \t ";
	EXPECT_EQ(0, split_words(blank, w, 3));
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
	EXPECT_EQ(ERR_RANGE, parse_u64("18446744073709551616", &v));
	EXPECT_EQ(ERR_RANGE, parse_u64("0x10000000000000000", &v));
	EXPECT_EQ(ERR_INVALID_ARGS, parse_u64("18446744073709551616x", &v));
	EXPECT_EQ(ERR_INVALID_ARGS, parse_u64("", &v));
	EXPECT_EQ(ERR_INVALID_ARGS, parse_u64("0x", &v));
	EXPECT_EQ(ERR_INVALID_ARGS, parse_u64("12a", &v));
}

KTEST(string, "parse_u32 takes what parse_u64 takes up to 2^32 - 1, and refuses more")
{
	uint32_t v = 7;

	EXPECT_EQ(0, parse_u32("0xFFFFFFFF", &v));
	EXPECT_EQ(0xFFFFFFFFu, v);
	EXPECT_EQ(0, parse_u32("0", &v));
	EXPECT_EQ(0, v);
	v = 7;
	EXPECT_EQ(ERR_RANGE, parse_u32("4294967296", &v));
	EXPECT_EQ(ERR_RANGE, parse_u32("18446744073709551616", &v));
	EXPECT_EQ(ERR_INVALID_ARGS, parse_u32("12a", &v));
	EXPECT_EQ(ERR_INVALID_ARGS, parse_u32("", &v));
	EXPECT_EQ(7, v); /* untouched when refused */
}

KTEST(string, "glob_match: '*' matches any run, '?' one character, the rest itself")
{
	EXPECT_TRUE(glob_match("buddy.coalesce*", "buddy.coalesce_with_both"));
	EXPECT_TRUE(glob_match("*", ""));
	EXPECT_TRUE(glob_match("a*b*c", "a-b-b-c"));
	EXPECT_TRUE(glob_match("s?ab", "slab"));
	EXPECT_TRUE(glob_match("*_free_*", "slab.a_free_object"));
	EXPECT_FALSE(glob_match("*.free_*", "slab.a_free_object"));
	EXPECT_FALSE(glob_match("buddy", "buddy2"));
	EXPECT_FALSE(glob_match("a*b", "a-b-c"));
	EXPECT_FALSE(glob_match("?", ""));
	EXPECT_FALSE(glob_match("slb", "slab"));
}

/*
 * kernel/div64.c: gcc's 64-bit division helpers, built for -mregparm=3.
 * Known quotients, then the defining property q * d + r == n, r < d over
 * divisors below and above 2^32 (volatile, so gcc cannot fold them).
 */
KTEST(string, "64-bit division: known quotients, and q * d + r == n with r < d")
{
	static const uint64_t ns[] = {
		0, 1, 9, 0xFFFFFFFFull, 0x100000000ull, 0x123456789ABCDEF0ull,
		0x8000000000000000ull, 0xFFFFFFFFFFFFFFFFull,
	};
	static const uint64_t ds[] = {
		1, 3, 10, 4096, 0xFFFFFFFFull, 0x100000000ull, 0x100000001ull,
		0x123456789ull, 0x8000000000000000ull, 0xFFFFFFFFFFFFFFFFull,
	};
	volatile uint64_t n = 0xFFFFFFFFFFFFFFFFull, d = 10;

	EXPECT_EQ(1844674407370955161ull, n / d);
	EXPECT_EQ(5, n % d);
	n = 0x123456789ABCDEF0ull;
	d = 0x100000001ull;
	EXPECT_EQ(0x12345678ull, n / d);
	EXPECT_EQ(0x88888878ull, n % d);
	for (unsigned i = 0; i < ARRAY_SIZE(ns); i++) {
		for (unsigned j = 0; j < ARRAY_SIZE(ds); j++) {
			n = ns[i];
			d = ds[j];
			uint64_t q = n / d, r = n % d;
			ktest_check(q * ds[j] + r == ns[i] && r < ds[j], __FILE__, __LINE__,
				    "%#llx / %#llx gave %#llx remainder %#llx",
				    (unsigned long long)ns[i], (unsigned long long)ds[j],
				    (unsigned long long)q, (unsigned long long)r);
		}
	}
}
