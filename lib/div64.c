/*
 * 64-bit unsigned division for a 32-bit kernel.
 *
 * gcc turns `a / b` and `a % b` on 64-bit operands into calls to
 * __udivdi3 and __umoddi3.  libgcc has them, but compiled for the stack
 * calling convention, and the kernel is built with -mregparm=3, which
 * applies to these calls too; so the kernel brings its own, built with
 * the kernel's flags, and does not link libgcc at all (a new helper gcc
 * wants shows up as an undefined symbol at link time, not as a wrong
 * answer at run time).
 *
 * A 32-bit divisor takes two `divl` steps, the way long division on paper
 * takes one digit at a time: the high word first, then the remainder with
 * the low word.  A wider divisor leaves a quotient below 2^32, found a bit
 * at a time by shift and subtract.
 */
#include "lib/compiler.h"

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);

/* (hi:lo) / d with hi < d, so the quotient fits in 32 bits. */
static inline uint32_t divl(uint32_t hi, uint32_t lo, uint32_t d, uint32_t *rem)
{
	uint32_t q;

	__asm__("divl %4" : "=a"(q), "=d"(*rem) : "0"(lo), "1"(hi), "rm"(d));
	return q;
}

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint32_t nh = (uint32_t)(n >> 32), nl = (uint32_t)n, r;
	uint64_t q = 0;

	if (d >> 32 == 0) {
		uint32_t d32 = (uint32_t)d;
		if (!d32) /* the same trap as a 32-bit division by zero */
			return (uint64_t)divl(0, 0, 0, &r);
		q = (uint64_t)divl(0, nh, d32, &r) << 32; /* high word */
		q |= divl(r, nl, d32, &r);		   /* low word */
		if (rem)
			*rem = r;
		return q;
	}
	for (int bit = __builtin_clzll(d) - __builtin_clzll(n | 1); bit >= 0; bit--) {
		if (n >= d << bit) {
			n -= d << bit;
			q |= 1ull << bit;
		}
	}
	if (rem)
		*rem = n;
	return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	return __udivmoddi4(n, d, NULL);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r = 0;

	__udivmoddi4(n, d, &r);
	return r;
}
