# Strata build.  `make help` lists the targets.
#
# The kernel is built with the GNU cross toolchain for i686 (Debian's
# gcc-i686-linux-gnu by default; CROSS=i686-elf- or another prefix overrides
# it) and NASM.  Missing tools are installed by tools/ensure-deps.sh.

CROSS ?= i686-linux-gnu-
CC := $(CROSS)gcc
LD := $(CROSS)ld
NM := $(CROSS)nm
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

CFLAGS := -std=gnu11 -m32 -march=i686 -O2 -g -ffreestanding -fno-builtin \
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

KERNEL := $(B)/kernel.elf
ISO := $(B)/strata.iso

.DELETE_ON_ERROR:
.PHONY: FORCE all run iso run-iso test debug gdb clean help deps-build deps-run \
	deps-iso deps-test deps-gdb deps-bochs host-tests fuzz bench memmap run-bochs \
	mutants
.DEFAULT_GOAL := all

all: $(KERNEL) compile_commands.json

help:
	@echo "make            build $(KERNEL) (and compile_commands.json)"
	@echo "make run        boot it in QEMU, console on this terminal (Ctrl-A X quits)"
	@echo "make iso        build $(ISO), a GRUB rescue image"
	@echo "make run-iso    boot the ISO through GRUB"
	@echo "make run-bochs  boot the ISO under Bochs, the second x86 model (shell on this terminal)"
	@echo "make test       host tests, kernel self-tests at 4M..4G, GRUB ISO, GDB session"
	@echo "make bench      benchmarks (instruction counts under -icount shift=0)"
	@echo "make fuzz       fuzz each host target FUZZ_SECONDS=300 from a random seed"
	@echo "make mutants    put each mutant of tests/mutants.txt in a scratch copy: the tests must fail"
	@echo "make memmap     draw physical memory into $(B)/memmap.svg (MEMMAP_MEM=1G)"
	@echo "make debug      start QEMU paused with its gdbstub on :1234"
	@echo "make gdb        attach GDB to 'make debug', symbols loaded"
	@echo "make clean      remove $(B)/"
	@echo "Variables: MEM=128M, SMP=4 (CPUs), CMDLINE='ktest=printk', CROSS=i686-elf-"

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
	sh tools/gen_asm_include.sh nasm $< > $@
$(B)/gen/multiboot.inc: boot/multiboot.h tools/gen_asm_include.sh | deps-build
	@mkdir -p $(dir $@)
	sh tools/gen_asm_include.sh nasm $< > $@
$(B)/gen/layout.ld: arch/x86/layout.h tools/gen_asm_include.sh | deps-build
	@mkdir -p $(dir $@)
	sh tools/gen_asm_include.sh ld $< > $@

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
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

# Tests run in the order they are written in their file.
$(B)/tests/%.o: CFLAGS += -fno-toplevel-reorder

$(B)/gen/%.o: $(B)/gen/%.c $(FLAGS_STAMP)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(B)/%.o: %.asm $(GEN_INC) $(FLAGS_STAMP) | deps-build
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) $(NASMFLAGS) $< -o $@

# Two links: the first has an empty symbol table; its text symbols become
# the table of the second.  .ksyms lies after everything else, so the
# addresses must come out the same; the build checks that they do.
$(B)/gen/ksyms_empty.c: tools/gen_ksyms.py | deps-build
	@mkdir -p $(dir $@)
	: > $(B)/gen/empty.nm
	$(PYTHON) tools/gen_ksyms.py $(B)/gen/empty.nm $@

$(B)/kernel.pass1.elf: $(OBJS) $(B)/gen/ksyms_empty.o linker.ld $(GEN_INC)
	$(LD) $(LDFLAGS) -o $@ $(OBJS) $(B)/gen/ksyms_empty.o

$(B)/gen/ksyms.c: $(B)/kernel.pass1.elf tools/gen_ksyms.py
	$(NM) -n $< > $(B)/gen/pass1.nm
	$(PYTHON) tools/gen_ksyms.py $(B)/gen/pass1.nm $@

$(KERNEL): $(B)/kernel.pass1.elf $(B)/gen/ksyms.o
	$(LD) $(LDFLAGS) -o $@ $(OBJS) $(B)/gen/ksyms.o
	@$(NM) -n $@ | grep -i ' t ' > $(B)/gen/pass2.text.nm
	@grep -i ' t ' $(B)/gen/pass1.nm | cmp -s - $(B)/gen/pass2.text.nm || \
		{ echo "ksyms: text moved between the two links" >&2; rm -f $@; exit 1; }

compile_commands.json: $(C_SRCS) Makefile tools/gen_compile_commands.py
	@$(PYTHON) tools/gen_compile_commands.py "$(CC)" "$(CFLAGS)" $(C_SRCS) > $@.tmp
	@mv $@.tmp $@

# --- running -----------------------------------------------------------------

run: $(KERNEL) | deps-run
	$(QEMU) $(QEMU_FLAGS) -m $(MEM) -smp $(SMP) -serial mon:stdio -kernel $(KERNEL) -append "$(CMDLINE)"

$(ISO): $(KERNEL) iso/grub.cfg | deps-iso
	@rm -rf $(B)/isodir && mkdir -p $(B)/isodir/boot/grub
	cp $(KERNEL) $(B)/isodir/boot/kernel.elf
	cp iso/grub.cfg $(B)/isodir/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(B)/isodir 2> $(B)/grub-mkrescue.log || \
		{ cat $(B)/grub-mkrescue.log; exit 1; }

iso: $(ISO)

run-iso: $(ISO) | deps-run
	$(QEMU) $(QEMU_FLAGS) -m $(MEM) -smp $(SMP) -serial mon:stdio -cdrom $(ISO)

# Bochs, configured by tests/testrun/bochs.py (the runner's Bochs job uses
# the same generator); COM1 is this terminal, GRUB's menu included.  Bochs
# leaves the terminal raw, so its settings are put back afterwards.
run-bochs: $(ISO) | deps-bochs
	$(PYTHON) tests/testrun/bochs.py --iso $(ISO) --dir $(B)/bochs-run --mem $(MEM) --tty "$$(tty)"
	@saved=$$(stty -g); $(BOCHS) -q -f $(B)/bochs-run/bochsrc -rc $(B)/bochs-run/continue.rc; \
		status=$$?; stty "$$saved" 2>/dev/null || stty sane; exit $$status

debug: $(KERNEL) | deps-run
	@echo "QEMU is paused with its gdbstub on localhost:1234; run 'make gdb' in another terminal."
	$(QEMU) $(QEMU_FLAGS) -m $(MEM) -smp $(SMP) -serial mon:stdio -s -S -kernel $(KERNEL) -append "$(CMDLINE)"

gdb: $(KERNEL) | deps-gdb
	$(GDB) -q -x tools/gdb/strata.gdb $(KERNEL)

# --- testing -----------------------------------------------------------------

-include tests/host/host.mk

# Paging's 4 KiB fallback, on an i686 without PSE and PGE (QEMU's -cpu 486
# cannot run a -march=i686 kernel: it has no CMOV).
NO_PSE_ARGS := --extra-kernel "kernel -m 1G, no PSE/PGE:1G:-cpu pentium2,-pse,-pge:ktest"

test: $(KERNEL) $(ISO) host-tests | deps-test
	$(PYTHON) tests/runner.py --kernel $(KERNEL)\
		--build $(B) $(HOST_TEST_ARGS) $(NO_PSE_ARGS)

# Mutation testing (tests/mutate.py, the list in tests/mutants.txt): each
# mutant is a small bug put into a scratch copy of the tree, which must fail
# a fast subset of `make test` (kernel at MUTANT_MEM, host tests, a short
# fuzz run).  Not part of `make test`: it rebuilds once a mutant.
MUTANT_MEM ?= 4M,1G
mutants: | deps-test
	$(PYTHON) tests/mutate.py --build $(B) --mem $(MUTANT_MEM) $(HOST_TEST_ARGS) $(MUTANT_ARGS)

# Open-ended fuzzing (make test runs each target a fixed, seeded number of
# times instead): FUZZ_SECONDS per target from a random seed, keeping the
# corpus in $(B)/fuzz-corpus-explore.  A crashing input lands in
# $(B)/fuzz-artifacts/<target>/; once fixed, add it to
# tests/host/corpus/<target>/ so every `make test` replays it.
FUZZ_SECONDS ?= 300
fuzz: host-tests | deps-test
	$(PYTHON) tests/runner.py --kernel $(KERNEL) --build $(B) --only fuzz \
		--fuzz-seconds $(FUZZ_SECONDS) $(foreach t,$(FUZZ_TARGETS),--fuzz $(t))

# Benchmarks: instruction counts under -icount shift=0 (see tests/kbench.h).
QEMU_TIMEOUT ?= 300
BENCH_MEM ?= 128M
bench: $(KERNEL) | deps-run
	@timeout $(QEMU_TIMEOUT) $(QEMU) $(QEMU_FLAGS) -m $(BENCH_MEM) -icount shift=0 -serial stdio \
		-kernel $(KERNEL) -append "bench$(if $(BENCH),=$(BENCH))" > $(B)/bench.log; \
		status=$$?; grep '^BENCH ' $(B)/bench.log; \
		if [ $$status -ne 33 ]; then echo "bench: QEMU exit status $$status, see $(B)/bench.log" >&2; exit 1; fi
	@$(PYTHON) tools/frag_render.py $(B)/bench.log $(B)/frag.svg

# A picture of physical memory: every frame's state, drawn as SVG.
MEMMAP_MEM ?= 1G
memmap: $(KERNEL) | deps-run
	@timeout $(QEMU_TIMEOUT) $(QEMU) $(QEMU_FLAGS) -m $(MEMMAP_MEM) -serial stdio \
		-kernel $(KERNEL) -append "memdump" > $(B)/memmap.log; \
		status=$$?; if [ $$status -ne 33 ]; then \
		echo "memmap: QEMU exit status $$status (33 is a clean finish), see $(B)/memmap.log" >&2; exit 1; fi
	@$(PYTHON) tools/memmap_render.py $(B)/memmap.log $(B)/memmap.svg

clean:
	rm -rf $(B) compile_commands.json

-include $(OBJS:.o=.d)
