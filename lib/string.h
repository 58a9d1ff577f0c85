/* The freestanding string and memory functions the kernel needs. */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include "lib/compiler.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* The first occurrence of needle in haystack, or NULL. */
char *strstr(const char *haystack, const char *needle);
/* Copies at most size-1 characters and always terminates (if size > 0);
 * returns strlen(src), so truncation shows as a result >= size. */
size_t strlcpy(char *dst, const char *src, size_t size);

/*
 * Parses an unsigned number in base 10, or base 16 with a 0x prefix, from
 * the whole of s.  Returns 0 and sets *out; ERR_INVALID_ARGS for an empty
 * string or a stray character; ERR_RANGE for digits whose value does not
 * fit in 64 bits.
 */
int parse_u64(const char *s, uint64_t *out);
/* The same for a value that must fit in 32 bits (ERR_RANGE if not). */
int parse_u32(const char *s, uint32_t *out);

/* Splits s in place into at most max words separated by spaces or tabs
 * (the separators become NULs); returns how many, pointers in words.  With
 * more than max, the last word keeps the rest of s. */
int split_words(char *s, char **words, int max);

/* Whether s matches the shell-style pattern: '*' matches any run of
 * characters (none included), '?' any one character. */
bool glob_match(const char *pattern, const char *s);

/* Removes the spaces and tabs at the end of s. */
void strip_trailing_spaces(char *s);

#endif
