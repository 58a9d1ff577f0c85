# Host-side tests of the portable mm code, included by the top Makefile.
# Each program prints TAP; tests/runner.py runs them (HOST_TEST_ARGS) along
# with the libFuzzer targets (FUZZ_ARGS).

HOST_TESTS :=
FUZZ_TARGETS :=

host-tests: $(HOST_TESTS) $(FUZZ_TARGETS)

HOST_TEST_ARGS = $(foreach t,$(HOST_TESTS),--host-test $(t)) \
	$(foreach t,$(FUZZ_TARGETS),--fuzz $(t))
