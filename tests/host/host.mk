# Host-side tests of the portable mm code, included by the top Makefile.
#
# The portable allocators (mm/*.c that include only mm/ headers and
# mm/platform.h) are compiled for the host with AddressSanitizer and
# UndefinedBehaviorSanitizer, together with tests/host/platform_host.c.
# Each test program prints TAP; tests/runner.py runs them (HOST_TEST_ARGS)
# along with the libFuzzer targets (FUZZ_ARGS), which clang builds.
#
# To add a host test: list its program in HOST_TESTS with a rule below.

HB := $(B)/host
HOST_CC ?= gcc
FUZZ_CC ?= clang
HOST_CFLAGS := -std=gnu11 -g -O1 -DSTRATA_HOST -I. -Wall -Wextra -Werror \
	-Wno-unused-function -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=gnu11 -g -O1 -DSTRATA_HOST -I. -Wall -Wextra \
	-Wno-unused-function -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all

# The portable mm sources every host program links against; each portable
# allocator adds its file to HOST_MM_FILES.
HOST_MM_FILES := report.c
HOST_MM_SRCS = tests/host/platform_host.c $(addprefix mm/,$(HOST_MM_FILES))

HOST_TESTS :=
FUZZ_TARGETS :=

# Pattern: a host test program from one tests/host/test_*.c file.
$(HB)/test_%: tests/host/test_%.c $(HOST_MM_SRCS) | deps-test
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOST_CC) $(HOST_CFLAGS) -o $@ $< $(HOST_MM_SRCS)

# Pattern: a libFuzzer target from one tests/host/fuzz_*.c file.
$(HB)/fuzz_%: tests/host/fuzz_%.c $(HOST_MM_SRCS) | deps-test
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(HOST_MM_SRCS)

HOST_TEST_ARGS = $(foreach t,$(HOST_TESTS),--host-test $(t)) \
	$(foreach t,$(FUZZ_TARGETS),--fuzz $(t))

host-tests: $(HOST_TESTS) $(FUZZ_TARGETS)

# Slab caches and kmalloc (they sit on the buddy allocator).
HOST_MM_FILES += $(filter-out $(HOST_MM_FILES),page.c buddy.c buddy_info.c)
HOST_MM_FILES += slab.c slab_debug.c slab_info.c kmalloc.c
HOST_TESTS += $(HB)/test_slab
FUZZ_TARGETS += $(HB)/fuzz_slab
host-tests: $(HB)/test_slab $(HB)/fuzz_slab
