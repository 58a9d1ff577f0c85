/*
 * Reading a libFuzzer input as a stream of big-endian numbers; past the
 * end every byte reads as zero, so any input decodes to something.
 */
#ifndef TESTS_HOST_FUZZ_INPUT_H
#define TESTS_HOST_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct input {
	const uint8_t *p;
	size_t left;
};

/* The next `bytes` bytes (at most 4) as one number. */
static inline uint32_t take(struct input *in, unsigned bytes)
{
	uint32_t v = 0;

	while (bytes--) {
		v = (v << 8) | (in->left ? *in->p : 0);
		if (in->left) {
			in->p++;
			in->left--;
		}
	}
	return v;
}

/* Quiet output and one arena of `pfns` frames, direct-mapped below
 * `direct_end`, for all inputs (machine_init re-uses it). */
#define FUZZ_INIT_ARENA(pfns, direct_end)                                    \
	int LLVMFuzzerInitialize(int *argc, char ***argv);                    \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                     \
	{                                                                     \
		(void)argc;                                                   \
		(void)argv;                                                   \
		host_set_quiet(true);                                         \
		host_phys_init((size_t)(pfns) * MM_PAGE_SIZE,                 \
			       (paddr_t)(direct_end) * MM_PAGE_SIZE);         \
		return 0;                                                     \
	}

#endif
