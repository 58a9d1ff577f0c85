/*
 * libFuzzer target for the slab allocator and kmalloc: each input is a
 * sequence of operations on the reference model (slab_model.h), three
 * bytes each -- op, slot, size/fill.  After each input everything is freed
 * and the buddy must be whole again; any disagreement aborts.
 */
#include "tests/host/slab_model.h"

#define FRAMES 2048 /* 8 MiB */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	static bool ready;

	if (!ready) {
		host_set_quiet(true);
		model_machine(FRAMES, true);
		ready = true;
	}
	model_init(&m);
	for (size_t i = 0; i + 3 <= size; i += 3) {
		unsigned op = data[i] % 8, slot = data[i + 1];
		size_t n = (size_t)data[i + 2] * ((op & 1) ? 1 : 97);
		if (op < 3)
			model_alloc(&m, slot, -1, n, data[i + 2]);
		else if (op == 3)
			model_alloc(&m, slot, data[i + 2] % MODEL_CACHES, 0, data[i]);
		else if (op < 6)
			model_free(&m, slot);
		else if (op == 6)
			model_realloc(&m, slot, n);
		else
			model_shrink(&m);
	}
	model_finish(&m);
	for (int c = 0; c < MODEL_CACHES; c++)
		kmem_cache_destroy(m.caches[c]);
	if (m.failures || report_total())
		abort();
	return 0;
}
