# Host-side tests of the portable mm code, included by the top Makefile.
#
# The portable allocators (mm/*.c that include only mm/ headers and
# mm/platform.h) are compiled for the host with AddressSanitizer and
# UndefinedBehaviorSanitizer, together with tests/host/platform_host.c.
# Each test program prints TAP; tests/runner.py runs them (HOST_TEST_ARGS)
# along with the libFuzzer targets, which clang builds.
#
# To add a host test: list its program in HOST_TESTS with a rule below.

HB := $(B)/host
comma := ,
HOST_CC ?= gcc
FUZZ_CC ?= clang
HOST_CFLAGS := -std=gnu11 -g -O1 -DSTRATA_HOST -I. -MMD -MP -Wall -Wextra -Werror \
	-Wno-unused-function -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=gnu11 -g -O1 -DSTRATA_HOST -I. -MMD -MP -Wall -Wextra \
	-Wno-unused-function -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all

# The portable mm sources every host program links against; each portable
# allocator adds its file to HOST_MM_FILES.
HOST_MM_FILES := report.c failinject.c percpu.c
# Test-side helpers (reference models) every host program links against.
HOST_HELPERS := tests/host/platform_host.c
HOST_MM_SRCS = $(HOST_HELPERS) $(addprefix mm/,$(HOST_MM_FILES))

HOST_TESTS :=
FUZZ_TARGETS :=

# mm/freelist: the free-list heap (tests/host/test_freelist.c, fuzz_freelist.c).
# Listed before the rules below, whose prerequisites make expands on reading.
HOST_MM_FILES += freelist.c freelist_heap.c freelist_check.c
HOST_TESTS += $(HB)/test_freelist
FUZZ_TARGETS += $(HB)/fuzz_freelist
$(HB)/test_freelist $(HB)/fuzz_freelist: mm/freelist.h mm/freelist_internal.h

# --- the buddy allocator and the memory map ----------------------------------
HOST_MM_FILES += page.c buddy.c buddy_slow.c buddy_init.c buddy_pcp.c buddy_info.c buddy_zone.c buddy_oom.c buddy_args.c memmap.c
HOST_HELPERS += tests/host/buddy_model.c tests/host/memmap_model.c
HOST_TESTS += $(HB)/test_buddy $(HB)/test_memmap
FUZZ_TARGETS += $(HB)/fuzz_buddy_ops $(HB)/fuzz_memmap

# --- slab caches and kmalloc (they sit on the buddy allocator) ---------------
HOST_MM_FILES += slab.c slab_free.c slab_harden.c slab_cache.c slab_cpu.c slab_cpu_check.c slab_debug.c slab_info.c slab_handle.c kmalloc.c kmalloc_args.c
HOST_TESTS += $(HB)/test_slab
FUZZ_TARGETS += $(HB)/fuzz_slab

# --- kernel/multiboot.c: the boot information parser --------------------
# Kernel code, built for the host with a small shim (kernel_host.c) for
# the kernel library functions it uses; a fuzz target only.
MB_HOST_SRCS := kernel/multiboot.c tests/host/kernel_host.c
FUZZ_TARGETS += $(HB)/fuzz_multiboot
$(HB)/fuzz_multiboot: FUZZ_EXTRA_OBJS = $(MB_HOST_SRCS:%.c=$(HB)/obj-fuzz/%.o)
$(HB)/fuzz_multiboot: $(MB_HOST_SRCS:%.c=$(HB)/obj-fuzz/%.o)

# The shared sources are compiled once per flag set (AddressSanitizer and
# UBSan with gcc; the same plus libFuzzer's coverage with clang), each with
# its own dependency file, and every program links them.
HOST_MM_OBJS = $(HOST_MM_SRCS:%.c=$(HB)/obj-asan/%.o)
FUZZ_MM_OBJS = $(HOST_MM_SRCS:%.c=$(HB)/obj-fuzz/%.o)
# kept between runs (make would delete them as intermediates of a chain)
.SECONDARY: $(HOST_MM_OBJS) $(FUZZ_MM_OBJS) $(MB_HOST_SRCS:%.c=$(HB)/obj-fuzz/%.o)
$(HB)/obj-asan/%.o: %.c | deps-test
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@
$(HB)/obj-fuzz/%.o: %.c | deps-test
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(subst fuzzer$(comma),fuzzer-no-link$(comma),$(FUZZ_CFLAGS)) -c $< -o $@

# Pattern: a host test program from one tests/host/test_*.c file.
$(HB)/test_%: tests/host/test_%.c $(HOST_MM_OBJS) | deps-test
	@mkdir -p $(dir $@)
	@echo "  HOSTLD  $@"
	@$(HOST_CC) $(HOST_CFLAGS) -o $@ $< $(HOST_MM_OBJS)

# Pattern: a libFuzzer target from one tests/host/fuzz_*.c file.
$(HB)/fuzz_%: tests/host/fuzz_%.c $(FUZZ_MM_OBJS) | deps-test
	@mkdir -p $(dir $@)
	@echo "  FUZZLD  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_MM_OBJS) $(FUZZ_EXTRA_OBJS)

# --- several CPUs under ThreadSanitizer ---------------------------------------
# tests/host/test_concurrent.c drives the portable allocators from several
# threads at once (each a CPU of the host platform); clang's ThreadSanitizer
# instruments every access, of the program and of the allocators, and ends
# the run with status 66 at the first data race or lock-order inversion.
# Its own flag set and object directory; the same portable sources (listed
# here, after every allocator has added its files).  The runner runs it as
# any host test.
TSAN_CC ?= clang
TSAN_CFLAGS := -std=gnu11 -g -O1 -DSTRATA_HOST -I. -MMD -MP -Wall -Wextra -Werror \
	-Wno-unused-function -fno-omit-frame-pointer -fsanitize=thread
TSAN_MM_SRCS := tests/host/platform_host.c $(addprefix mm/,$(HOST_MM_FILES))
TSAN_MM_OBJS := $(TSAN_MM_SRCS:%.c=$(HB)/obj-tsan/%.o)
HOST_TESTS += $(HB)/test_concurrent
.SECONDARY: $(TSAN_MM_OBJS)
$(HB)/obj-tsan/%.o: %.c | deps-test
	@mkdir -p $(dir $@)
	@echo "  TSANCC  $<"
	@$(TSAN_CC) $(TSAN_CFLAGS) -c $< -o $@
# (an explicit rule: it takes precedence over the ASan pattern for test_%)
$(HB)/test_concurrent: tests/host/test_concurrent.c $(TSAN_MM_OBJS) | deps-test
	@mkdir -p $(dir $@)
	@echo "  TSANLD  $@"
	@$(TSAN_CC) $(TSAN_CFLAGS) -o $@ $< $(TSAN_MM_OBJS) -lpthread

# `make test` runs each fuzz target a fixed number of times from seed 1, so
# every machine tries the same inputs; FUZZ_RUNS_<target> sets the count
# (10 to 20 s of one core each here).  `make fuzz` searches for longer.
FUZZ_RUNS_fuzz_memmap ?= 20000
FUZZ_RUNS_fuzz_buddy_ops ?= 15000
FUZZ_RUNS_fuzz_slab ?= 50000
FUZZ_RUNS_fuzz_freelist ?= 200000
FUZZ_RUNS_fuzz_multiboot ?= 300000
HOST_TEST_ARGS = $(foreach t,$(HOST_TESTS),--host-test $(t)) \
	$(foreach t,$(FUZZ_TARGETS),--fuzz $(t):$(FUZZ_RUNS_$(notdir $(t))))

host-tests: $(HOST_TESTS) $(FUZZ_TARGETS)


# --- host benchmarks: instruction counts under callgrind ---------------------
# Built without sanitizers; tests/host/bench_host.sh runs each benchmark under
# valgrind (installed by ensure-deps' test group) and prints BENCH lines.
HOST_BENCH_CFLAGS := -std=gnu11 -O2 -g -DSTRATA_HOST -I. -MMD -MP -Wall -Wextra -Werror \
	-Wno-unused-function
HOST_BENCH_SRCS = tests/host/platform_host.c $(addprefix mm/,$(HOST_MM_FILES))

.PHONY: bench-host
# (one compiler call for all sources: its dependency file covers only one
# of them, so a benchmark depends on every header it could include)
HOST_HEADERS := $(wildcard mm/*.h lib/*.h kernel/*.h boot/*.h tests/host/*.h)
$(HB)/bench_%: tests/host/bench_%.c $(HOST_BENCH_SRCS) $(HOST_HEADERS) | deps-test
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOST_CC) $(HOST_BENCH_CFLAGS) -o $@ $< $(HOST_BENCH_SRCS)

bench-host: $(HB)/bench_buddy | deps-test
	@sh tests/host/bench_host.sh $(HB)/bench_buddy $(HB)/bench

# Each program's header dependencies (-MMD writes build/host/NAME.d).
-include $(wildcard $(HB)/*.d $(HB)/obj-*/*/*.d $(HB)/obj-*/*/*/*.d)
