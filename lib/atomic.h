/*
 * Atomic operations and memory barriers, on the compiler's __atomic
 * built-ins (a lock-prefixed instruction each on x86; the same source
 * builds for the host, where ThreadSanitizer understands them).
 *
 * x86 keeps stores in order with stores and loads in order with loads
 * (SDM Vol. 3A, 8.2.2), so acquire and release cost nothing but a compiler
 * barrier; only a store followed by a load of another location needs a
 * full barrier (smp_mb).  Every read-modify-write below is a full barrier.
 */
#ifndef LIB_ATOMIC_H
#define LIB_ATOMIC_H

#include "lib/compiler.h"

/*
 * One access of exactly this size, not torn, merged or repeated.  A
 * READ_ONCE of data that another CPU may be writing is a racy look by
 * design (a count for statistics, a hint re-checked under the lock): the
 * value may be stale, never torn.  Under ThreadSanitizer (the host's
 * concurrency test, tests/host/test_concurrent.c) it is therefore not
 * counted as a race, as the kernel's KCSAN treats a marked read against a
 * plain aligned write; every other access still is.
 */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LIB_TSAN 1
#endif
#endif
#ifdef LIB_TSAN
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
#define READ_ONCE(x) ({						\
	AnnotateIgnoreReadsBegin(__FILE__, __LINE__);			\
	__auto_type read_once_ = *(const volatile __typeof__(x) *)&(x);	\
	AnnotateIgnoreReadsEnd(__FILE__, __LINE__);			\
	read_once_; })
#else
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#endif
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

/* The compiler may move no memory access across this. */
#define barrier() __asm__ volatile("" : : : "memory")

/* Neither the compiler nor the CPU may move a memory access across this. */
static inline void smp_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* A spin-wait hint (PAUSE): saves power and, on a hyper-threaded core,
 * gives the other thread the pipeline.  Decodes as NOP on older CPUs. */
static inline void cpu_relax(void)
{
#if defined(__i386__) || defined(__x86_64__)
	__asm__ volatile("rep; nop" : : : "memory");
#else
	barrier();
#endif
}

typedef struct {
	int counter;
} atomic_t;

#define ATOMIC_INIT(v) { (v) }

static inline int atomic_read(const atomic_t *a)
{
	return __atomic_load_n(&a->counter, __ATOMIC_RELAXED);
}

static inline void atomic_set(atomic_t *a, int v)
{
	__atomic_store_n(&a->counter, v, __ATOMIC_RELAXED);
}

/* Adds v; returns the new value. */
static inline int atomic_add_return(atomic_t *a, int v)
{
	return __atomic_add_fetch(&a->counter, v, __ATOMIC_SEQ_CST);
}

static inline void atomic_inc(atomic_t *a)
{
	__atomic_add_fetch(&a->counter, 1, __ATOMIC_SEQ_CST);
}

static inline void atomic_dec(atomic_t *a)
{
	__atomic_sub_fetch(&a->counter, 1, __ATOMIC_SEQ_CST);
}

/* Decrements; true when that made it zero. */
static inline bool atomic_dec_and_test(atomic_t *a)
{
	return __atomic_sub_fetch(&a->counter, 1, __ATOMIC_SEQ_CST) == 0;
}

/* Stores v; returns the old value. */
static inline int atomic_xchg(atomic_t *a, int v)
{
	return __atomic_exchange_n(&a->counter, v, __ATOMIC_SEQ_CST);
}

/* Stores new if the value is old; returns the value found (old on success). */
static inline int atomic_cmpxchg(atomic_t *a, int old, int new)
{
	__atomic_compare_exchange_n(&a->counter, &old, new, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return old;
}

/* Bit operations on a 32-bit word shared between CPUs. */
static inline void atomic_or32(uint32_t *w, uint32_t bits)
{
	__atomic_or_fetch(w, bits, __ATOMIC_SEQ_CST);
}

static inline void atomic_andnot32(uint32_t *w, uint32_t bits)
{
	__atomic_and_fetch(w, ~bits, __ATOMIC_SEQ_CST);
}

/* Clears bits; returns the word as it was before. */
static inline uint32_t atomic_fetch_andnot32(uint32_t *w, uint32_t bits)
{
	return __atomic_fetch_and(w, ~bits, __ATOMIC_SEQ_CST);
}

#endif
