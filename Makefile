# Strata build.  `make help` lists the targets.
#
# The kernel is built with the GNU cross toolchain for i686 (Debian's
# gcc-i686-linux-gnu by default; CROSS=i686-elf- or another prefix overrides
# it) and NASM.  Missing tools are installed by tools/ensure-deps.sh.

CROSS ?= i686-linux-gnu-
CC := $(CROSS)gcc
LD := $(CROSS)ld
NM := $(CROSS)nm
OBJDUMP := $(CROSS)objdump
NASM ?= nasm
QEMU ?= qemu-system-i386
BOCHS ?= bochs
PYTHON ?= python3
GDB ?= gdb
export CROSS

B := build
MEM ?= 128M
SMP ?= 1
CMDLINE ?=
QEMU_FLAGS := -display none -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
# QEMU with its exit status in make's terms: 33 (the kernel passed) is 0.
QEMU_RUN := sh tools/qemu-run.sh $(QEMU)

# Quiet by default: one short line a step.  V=1 shows every command.
ifeq ($(V),1)
Q :=
say := @true
else
Q := @
say := @printf '  %-7s %s\n'
endif

# DEBUG=1: -Og, so that GDB steps line by line and sees every variable
# (objects are rebuilt when the flags change).  The default is -O2.
OPT := $(if $(filter 1,$(DEBUG)),-Og,-O2)

# GDB's port: one per user (25000 + uid % 5000), so that people sharing a
# machine do not attach to each other's QEMU.  GDBPORT=1234 overrides it.
GDBPORT ?= $(shell expr `id -u` % 5000 + 25000)

CFLAGS := -std=gnu11 -m32 -march=i686 $(OPT) -g -ffreestanding -fno-builtin \
	-fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -mgeneral-regs-only -mno-sse -mno-mmx \
	-mno-80387 -mregparm=3 -freg-struct-return -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -I. -MMD -MP
NASMFLAGS := -f elf32 -g -F dwarf -I $(B)/gen/ -w+all
LDFLAGS := -m elf_i386 -nostdlib -z noexecstack -z max-page-size=4096 \
	-L $(B)/gen -T linker.ld

KERNEL_DIRS := lib arch/x86 kernel mm tests
C_SRCS := $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.c))
ASM_SRCS := $(wildcard boot/*.asm arch/x86/*.asm)
OBJS := $(C_SRCS:%.c=$(B)/%.o) $(ASM_SRCS:%.asm=$(B)/%.o)
GEN_INC := $(B)/gen/layout.inc $(B)/gen/mmu.inc $(B)/gen/multiboot.inc \
	$(B)/gen/segments.inc $(B)/gen/cpuid.inc $(B)/gen/uart.inc \
	$(B)/gen/qemu_exit.inc $(B)/gen/vectors.inc $(B)/gen/trampoline.inc \
	$(B)/gen/layout.ld

# Host-only sources, for compile_commands.json (their rules: tests/host/host.mk).
TSAN_ONLY_SRCS := tests/host/test_concurrent.c
HOST_ONLY_SRCS := $(filter-out tests/host/fuzz_%.c $(TSAN_ONLY_SRCS),$(wildcard tests/host/*.c))
FUZZ_ONLY_SRCS := $(wildcard tests/host/fuzz_*.c)

KERNEL := $(B)/kernel.elf
ISO := $(B)/strata.iso

.DELETE_ON_ERROR:
.PHONY: FORCE all run iso run-iso test test-list faultsweep soak small-sweep debug gdb clean help deps-build deps-run \
	deps-iso deps-test deps-gdb deps-bochs host-tests fuzz bench memmap run-bochs \
	mutants slab-model
.DEFAULT_GOAL := all

# `make help` prints the lines that start with "##" below, and the boot
# options from the table in kernel/bootopts.c (tools/make_help.py).
## Variables: MEM=128M (QEMU's memory), SMP=1 (its CPUs), CMDLINE= (boot options, below),
##   CROSS=i686-linux-gnu- (or i686-elf-), DEBUG=1 (-Og), V=1 (every command),
##   GDBPORT=$(GDBPORT), BENCH=a,b, MEMMAP_MEM=1G, FUZZ_SECONDS=300
##
## Building
##   make             build/kernel.elf, build/kernel.asm (source-interleaved
##                    disassembly), build/kernel.sym (symbols by address),
##                    compile_commands.json (kernel and host sources, for
##                    clangd) and .gdbinit
##   make DEBUG=1     the same with -Og, for stepping line by line in GDB
##   make V=1         show every command instead of one line a step
##   make clean       remove build/
##   make help        this list
all: $(KERNEL) $(B)/kernel.asm $(B)/kernel.sym compile_commands.json .gdbinit

help:
	@$(PYTHON) tools/make_help.py Makefile kernel/bootopts.c GDBPORT=$(GDBPORT)

deps-build:
	@tools/ensure-deps.sh build
deps-run:
	@tools/ensure-deps.sh build run
deps-iso:
	@tools/ensure-deps.sh build iso
deps-test:
	@tools/ensure-deps.sh build run iso test fuzz bochs
deps-bochs:
	@tools/ensure-deps.sh build iso bochs
deps-gdb:
	@tools/ensure-deps.sh build gdb

$(B)/gen/%.inc: arch/x86/%.h tools/gen_asm_include.sh | deps-build
	@mkdir -p $(dir $@)
	$(say) GEN $@
	$(Q)sh tools/gen_asm_include.sh nasm $< > $@
$(B)/gen/multiboot.inc: boot/multiboot.h tools/gen_asm_include.sh | deps-build
	@mkdir -p $(dir $@)
	$(say) GEN $@
	$(Q)sh tools/gen_asm_include.sh nasm $< > $@
$(B)/gen/layout.ld: arch/x86/layout.h tools/gen_asm_include.sh | deps-build
	@mkdir -p $(dir $@)
	$(say) GEN $@
	$(Q)sh tools/gen_asm_include.sh ld $< > $@

# Objects are rebuilt when the flags change (a -mregparm change, say, must
# not leave objects of both conventions linked together).
FLAGS_STAMP := $(B)/flags.stamp
FLAGS_NOW := $(CC) $(CFLAGS) | $(NASM) $(NASMFLAGS) | $(LD) $(LDFLAGS)
$(FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(FLAGS_NOW)' | cmp -s - $@ || echo '$(FLAGS_NOW)' > $@
FORCE:

$(B)/%.o: %.c $(FLAGS_STAMP) | deps-build
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# Tests run in the order they are written in their file.
$(B)/tests/%.o: CFLAGS += -fno-toplevel-reorder

$(B)/gen/%.o: $(B)/gen/%.c $(FLAGS_STAMP)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(B)/%.o: %.asm $(GEN_INC) $(FLAGS_STAMP) | deps-build
	@mkdir -p $(dir $@)
	$(say) NASM $<
	$(Q)$(NASM) $(NASMFLAGS) $< -o $@

# Two links: the first has an empty symbol table; its text symbols become
# the table of the second.  .ksyms lies after everything else, so the
# addresses must come out the same; the build checks that they do.
$(B)/gen/ksyms_empty.c: tools/gen_ksyms.py | deps-build
	@mkdir -p $(dir $@)
	$(say) KSYMS $@
	$(Q): > $(B)/gen/empty.nm
	$(Q)$(PYTHON) tools/gen_ksyms.py $(B)/gen/empty.nm $@

$(B)/kernel.pass1.elf: $(OBJS) $(B)/gen/ksyms_empty.o linker.ld $(GEN_INC)
	$(say) LD $@
	$(Q)$(LD) $(LDFLAGS) -o $@ $(OBJS) $(B)/gen/ksyms_empty.o

$(B)/gen/ksyms.c: $(B)/kernel.pass1.elf tools/gen_ksyms.py
	$(say) KSYMS $@
	$(Q)$(NM) -n $< > $(B)/gen/pass1.nm
	$(Q)$(PYTHON) tools/gen_ksyms.py $(B)/gen/pass1.nm $@

$(KERNEL): $(B)/kernel.pass1.elf $(B)/gen/ksyms.o
	$(say) LD $@
	$(Q)$(LD) $(LDFLAGS) -o $@ $(OBJS) $(B)/gen/ksyms.o
	@$(NM) -n $@ | grep -i ' t ' > $(B)/gen/pass2.text.nm
	@grep -i ' t ' $(B)/gen/pass1.nm | cmp -s - $(B)/gen/pass2.text.nm || \
		{ echo "ksyms: text moved between the two links" >&2; rm -f $@; exit 1; }

# As xv6 makes them: the disassembly with the source between the lines,
# and the symbols sorted by address (for reading a backtrace by hand).
$(B)/kernel.asm: $(KERNEL)
	$(say) OBJDUMP $@
	$(Q)$(OBJDUMP) -S -M intel --no-show-raw-insn $< > $@
$(B)/kernel.sym: $(KERNEL)
	$(say) NM $@
	$(Q)$(NM) -n $< > $@

# For clangd and other editors: the kernel's sources with the cross
# compiler's flags, the host tests' with the host compilers' (host.mk).
compile_commands.json: $(C_SRCS) Makefile tests/host/host.mk tools/gen_compile_commands.py
	$(say) GEN $@
	$(Q)$(PYTHON) tools/gen_compile_commands.py \
		"$(CC)" "$(CFLAGS)" "$(C_SRCS)" \
		"$(HOST_CC)" "$(HOST_CFLAGS)" "$(HOST_ONLY_SRCS)" \
		"$(FUZZ_CC)" "$(FUZZ_CFLAGS)" "$(FUZZ_ONLY_SRCS)" \
		"$(TSAN_CC)" "$(TSAN_CFLAGS)" "$(TSAN_ONLY_SRCS)" > $@.tmp
	$(Q)mv $@.tmp $@

# --- running -----------------------------------------------------------------
##
## Running (MEM=128M, SMP=4 and CMDLINE='...' choose the memory, the CPUs and the boot options)
##   make run         boot with -kernel in QEMU; the shell on this terminal
##                    (Ctrl-A X quits; `poweroff` too).  A passing
##                    CMDLINE=ktest run ends with status 0, a failing one 1
##   make iso         build/strata.iso, a GRUB image (Multiboot 1 and 2)
##   make run-iso     boot the ISO through GRUB (its menu is on serial too)
run: $(KERNEL) | deps-run
	$(say) QEMU "$(KERNEL) -m $(MEM) -append '$(CMDLINE)'"
	$(Q)$(QEMU_RUN) $(QEMU_FLAGS) -m $(MEM) -smp $(SMP) -serial mon:stdio -kernel $(KERNEL) -append "$(CMDLINE)"

$(ISO): $(KERNEL) iso/grub.cfg | deps-iso
	@rm -rf $(B)/isodir && mkdir -p $(B)/isodir/boot/grub
	$(say) ISO $@
	$(Q)cp $(KERNEL) $(B)/isodir/boot/kernel.elf
	$(Q)cp iso/grub.cfg $(B)/isodir/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(B)/isodir 2> $(B)/grub-mkrescue.log || \
		{ cat $(B)/grub-mkrescue.log; exit 1; }

iso: $(ISO)

run-iso: $(ISO) | deps-run
	$(say) QEMU "$(ISO) -m $(MEM)"
	$(Q)$(QEMU_RUN) $(QEMU_FLAGS) -m $(MEM) -smp $(SMP) -serial mon:stdio -cdrom $(ISO)

##   make run-bochs   boot the ISO under Bochs, the second x86 model (the shell
##                    on this terminal)
# Bochs, configured by tests/testrun/bochs.py (the runner's Bochs job uses
# the same generator); COM1 is this terminal, GRUB's menu included.  Bochs
# leaves the terminal raw, so its settings are put back afterwards.
run-bochs: $(ISO) | deps-bochs
	$(Q)$(PYTHON) tests/testrun/bochs.py --iso $(ISO) --dir $(B)/bochs-run --mem $(MEM) --tty "$$(tty)"
	@saved=$$(stty -g); $(BOCHS) -q -f $(B)/bochs-run/bochsrc -rc $(B)/bochs-run/continue.rc; \
		status=$$?; stty "$$saved" 2>/dev/null || stty sane; exit $$status

##
## Debugging (GDBPORT is 25000 + your uid % 5000; GDBPORT=1234 overrides it)
##   make debug       QEMU paused before the first instruction, its gdbstub
##                    on localhost:$(GDBPORT); then, in another terminal,
##   make gdb         GDB attached, with the helpers (`help strata`); plain
##                    `gdb` in the tree does the same through .gdbinit
debug: $(KERNEL) .gdbinit | deps-run
	@echo "QEMU is paused with its gdbstub on localhost:$(GDBPORT); run 'make gdb' (or gdb) in another terminal."
	$(Q)$(QEMU_RUN) $(QEMU_FLAGS) -m $(MEM) -smp $(SMP) -serial mon:stdio -S -gdb tcp:localhost:$(GDBPORT) \
		-kernel $(KERNEL) -append "$(CMDLINE)"

gdb: $(KERNEL) .gdbinit | deps-gdb
	$(Q)$(GDB) -q -nx -x .gdbinit

# GDB reads .gdbinit from the current directory only where it is allowed
# to (auto-load safe-path); `make gdb` passes it explicitly.  It is made
# again when the port or the kernel's path changes (the stamp).
GDBINIT_NOW := $(GDBPORT) $(KERNEL)
$(B)/gdbinit.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(GDBINIT_NOW)' | cmp -s - $@ || echo '$(GDBINIT_NOW)' > $@
.gdbinit: tools/gdb/gdbinit.in $(B)/gdbinit.stamp
	$(say) GEN $@
	$(Q)sed -e 's|@GDBPORT@|$(GDBPORT)|g' -e 's|@KERNEL@|$(KERNEL)|g' $< > $@

# --- testing -----------------------------------------------------------------
##
## Testing
##   make test        everything below, then the grand total
##                    "N passed, M failed, K skipped" (JUnit XML in
##                    build/test-results.xml, logs in build/test-logs/)
##   make test-list   the id of every in-kernel test (run one with
##                    make run CMDLINE=ktest=ID, or a glob: ktest=buddy.free_*)
##   make host-tests  build the host test programs and fuzz targets
##   make fuzz        fuzz every host target for FUZZ_SECONDS=300 each
##   make bench       benchmarks: instruction counts under -icount shift=0
##                    (BENCH=a,b for some); build/frag.svg, the fragmentation chart
##   make slab-model  slab_waste's trace against a model of kmalloc's slabs: the
##                    designs tried, in a second (tools/slab_waste_model.py)
##   make bench-host  the buddy benchmarks on the host under callgrind
##   make memmap      a picture of physical memory, build/memmap.svg (MEMMAP_MEM=1G)
##   make faultsweep  every self-test rerun with each of its allocations
##                    failing in turn (make test fails a sample of them)
##   make soak        10^6 seeded random operations per allocator, checked
##                    every 10^4, at 16 MiB to 4 GiB (3 to 5 minutes)
##   make small-sweep every self-test at each 64 KiB from the smallest -m
##                    that boots to 4 MiB, on one CPU and on two: each passes
##                    or skips, saying how much memory it needs (2 minutes)
##   make mutants     each small allocator bug of tests/mutants.txt put into a
##                    scratch copy of the tree: a fast subset of the tests
##                    must fail on every one (not part of make test)
##

-include tests/host/host.mk

# Paging's 4 KiB fallback, on an i686 without PSE and PGE (QEMU's -cpu 486
# cannot run a -march=i686 kernel: it has no CMOV).
NO_PSE_ARGS := --extra-kernel "kernel -m 1G, no PSE/PGE:1G:-cpu pentium2,-pse,-pge:ktest"

test: $(KERNEL) $(ISO) host-tests | deps-test
	$(Q)$(PYTHON) tests/runner.py --kernel $(KERNEL)\
		--build $(B) $(HOST_TEST_ARGS) $(NO_PSE_ARGS)

test-list: $(KERNEL) | deps-run
	@$(QEMU_RUN) $(QEMU_FLAGS) -m $(MEM) -serial stdio -monitor none -kernel $(KERNEL) \
		-append "ktest=list" > $(B)/test-list.log; status=$$?; \
		tr -d '\r' < $(B)/test-list.log | sed -n '/^[a-z0-9_]*\.[a-z0-9_]*$$/p; /^# [0-9]* tests/p'; \
		exit $$status

# The full fault-injection sweep (tests/ktest_sweep.c); make test runs the
# sampled one.
SWEEP_TIMEOUT ?= 3600
faultsweep: $(KERNEL) | deps-test
	$(Q)$(PYTHON) tests/runner.py --kernel $(KERNEL) --build $(B) --only faultsweep \
		--sweep-every --timeout $(SWEEP_TIMEOUT)

# Small machines, every 64 KiB of them (tests/testrun/small_runs.py);
# make test runs the smallest that boots, 2800K and 3 MiB.
small-sweep: $(KERNEL) | deps-test
	$(Q)$(PYTHON) tests/runner.py --kernel $(KERNEL) --build $(B) --only smallsweep

# The soak (tests/soak.h): long seeded operation mixes over every
# allocator, at several memory sizes (tests/testrun/soak.py).
SOAK_TIMEOUT ?= 1200
soak: $(KERNEL) | deps-test
	$(Q)$(PYTHON) tests/runner.py --kernel $(KERNEL) --build $(B) --only soak \
		--timeout $(SOAK_TIMEOUT)

# Mutation testing (tests/mutate.py, the list in tests/mutants.txt): each
# mutant is a small bug put into a scratch copy of the tree, which must fail
# a fast subset of `make test` (kernel at MUTANT_MEM, host tests, a short
# fuzz run).  Not part of `make test`: it rebuilds once a mutant.
MUTANT_MEM ?= 4M,1G
mutants: | deps-test
	$(say) MUTANTS "tests/mutants.txt -m $(MUTANT_MEM)"
	$(Q)$(PYTHON) tests/mutate.py --build $(B) --mem $(MUTANT_MEM) $(HOST_TEST_ARGS) $(MUTANT_ARGS)

# Open-ended fuzzing (make test runs each target a fixed, seeded number of
# times instead): FUZZ_SECONDS per target from a random seed, keeping the
# corpus in $(B)/fuzz-corpus-explore.  A crashing input lands in
# $(B)/fuzz-artifacts/<target>/; once fixed, add it to
# tests/host/corpus/<target>/ so every `make test` replays it.
FUZZ_SECONDS ?= 300
fuzz: host-tests | deps-test
	$(Q)$(PYTHON) tests/runner.py --kernel $(KERNEL) --build $(B) --only fuzz \
		--fuzz-seconds $(FUZZ_SECONDS) $(foreach t,$(FUZZ_TARGETS),--fuzz $(t))

# Benchmarks: instruction counts under -icount shift=0 (see tests/kbench.h).
QEMU_TIMEOUT ?= 300
BENCH_MEM ?= 128M
# One boot of the benchmarks: QEMU options, the command line, the log.
define bench_boot
	@timeout $(QEMU_TIMEOUT) $(QEMU_RUN) $(QEMU_FLAGS) -m $(BENCH_MEM) $(1) -serial stdio \
		-kernel $(KERNEL) -append "$(2)" > $(B)/$(3); \
		status=$$?; grep '^BENCH \|^error\|no figure' $(B)/$(3); \
		if [ $$status -ne 0 ]; then echo "bench: QEMU exit status $$status, see $(B)/$(3)" >&2; exit 1; fi
endef

# Without BENCH=, two more boots: the hot paths on each of 4 CPUs (-icount:
# instruction counts), the mix's scaling on 2 (one host thread a CPU).
bench: $(KERNEL) | deps-run
	$(call bench_boot,-icount shift=0,bench$(if $(BENCH),=$(BENCH)),bench.log)
	$(if $(BENCH),,$(call bench_boot,-smp 4 -icount shift=0,bench=smp_hot_paths,bench-smp4.log))
	$(if $(BENCH),,$(call bench_boot,-smp 2 -accel tcg$(comma)thread=multi,bench=smp_mix_scaling,bench-smp2.log))
	@$(PYTHON) tools/frag_render.py $(B)/bench.log $(B)/frag.svg
	@$(PYTHON) tools/slab_waste_model.py --check $(B)/bench.log || true

# The slab_waste trace against a model of the kmalloc slabs' policies.
slab-model:
	@$(PYTHON) tools/slab_waste_model.py

# A picture of physical memory: every frame's state, drawn as SVG.
MEMMAP_MEM ?= 1G
memmap: $(KERNEL) | deps-run
	@timeout $(QEMU_TIMEOUT) $(QEMU_RUN) $(QEMU_FLAGS) -m $(MEMMAP_MEM) -serial stdio \
		-kernel $(KERNEL) -append "memdump" > $(B)/memmap.log; \
		status=$$?; if [ $$status -ne 0 ]; then \
		echo "memmap: QEMU exit status $$status, see $(B)/memmap.log" >&2; exit 1; fi
	@$(PYTHON) tools/memmap_render.py $(B)/memmap.log $(B)/memmap.svg

clean:
	rm -rf $(B) compile_commands.json .gdbinit

-include $(OBJS:.o=.d)
