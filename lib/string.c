/*
 * String and memory functions.  gcc may emit calls to memcpy, memset,
 * memmove and memcmp itself even in freestanding code, so these four must
 * exist under exactly these names.
 */
#include "lib/string.h"
#include "lib/errno.h"

void *memcpy(void *dst, const void *src, size_t n)
{
	void *ret = dst;

	__asm__ volatile("rep movsb"
			 : "+D"(dst), "+S"(src), "+c"(n)
			 :
			 : "memory");
	return ret;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

/* Bytes up to a word boundary, then words (a page is 1024 stores, not
 * 4096), then the bytes left. */
void *memset(void *dst, int c, size_t n)
{
	void *ret = dst;
	uint32_t word = (uint8_t)c * 0x01010101u;
	size_t head = MIN(n, (size_t)(-(uintptr_t)dst & 3));
	size_t words = (n - head) / 4, tail = (n - head) % 4;

	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(head) : "a"(word) : "memory");
	__asm__ volatile("rep stosl" : "+D"(dst), "+c"(words) : "a"(word) : "memory");
	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(tail) : "a"(word) : "memory");
	return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (size_t i = 0; i < n; i++)
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++)
		if (!strncmp(haystack, needle, n))
			return (char *)haystack;
	return n ? NULL : (char *)haystack;
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* A number too big for 64 bits is still a number: say so, unless a stray
 * character follows (then it is not a number at all). */
static int too_big(const char *rest, unsigned base)
{
	for (; *rest; rest++)
		if ((unsigned)digit_value(*rest) >= base)
			return ERR_INVALID_ARGS;
	return ERR_RANGE;
}

int parse_u64(const char *s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return ERR_INVALID_ARGS;
	for (; *s; s++) {
		unsigned d = (unsigned)digit_value(*s);
		if (d >= base)
			return ERR_INVALID_ARGS;
		if (v > (UINT64_MAX - d) / base)
			return too_big(s + 1, base);
		v = v * base + d;
	}
	*out = v;
	return 0;
}

int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int err = parse_u64(s, &v);

	if (err)
		return err;
	if (v > UINT32_MAX)
		return ERR_RANGE;
	*out = (uint32_t)v;
	return 0;
}

int split_words(char *s, char **words, int max)
{
	int n = 0;

	while (*s && n < max) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			break;
		words[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return n;
}

bool glob_match(const char *pattern, const char *s)
{
	const char *star = NULL, *resume = NULL;

	/* Greedy with one backtrack point: on a mismatch, let the last '*'
	 * swallow one more character and try again from there. */
	while (*s) {
		if (*pattern == '*') {
			star = ++pattern;
			resume = s;
		} else if (*pattern == '?' || *pattern == *s) {
			pattern++;
			s++;
		} else if (star) {
			pattern = star;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

void strip_trailing_spaces(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}
