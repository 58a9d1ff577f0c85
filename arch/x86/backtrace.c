/* The frame-pointer backtrace and the machine's side of panic. */
#include "arch/x86/backtrace.h"
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/layout.h"
#include "arch/x86/qemu_exit.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/symbol.h"

#define BACKTRACE_MAX 24

/* One step up the chain: [ebp] is the caller's ebp, [ebp+4] the return. */
static bool frame_step(uintptr_t *ebp, uintptr_t *ret)
{
	uint32_t next, pc;

	if (*ebp < KERNEL_VBASE || (*ebp & 3))
		return false;
	if (probe_read((const void *)*ebp, &next) ||
	    probe_read((const void *)(*ebp + 4), &pc))
		return false;
	if (next != 0 && next <= *ebp)
		return false; /* stacks grow down: callers are above */
	*ebp = next;
	*ret = pc;
	return true;
}

int backtrace_collect(uintptr_t ebp, uintptr_t *pcs, int max)
{
	int n = 0;
	uintptr_t ret;

	while (n < max && ebp && frame_step(&ebp, &ret))
		pcs[n++] = ret;
	return n;
}

int backtrace_print(uintptr_t ebp, uintptr_t eip, int max_frames)
{
	uintptr_t pcs[BACKTRACE_MAX];
	char sym[96];
	int n;

	if (max_frames > BACKTRACE_MAX)
		max_frames = BACKTRACE_MAX;
	printk("backtrace:\n");
	printk("  #0 %08x %s\n", (unsigned)eip, symbol_format(eip, sym, sizeof(sym)));
	n = backtrace_collect(ebp, pcs, max_frames - 1);
	for (int i = 0; i < n; i++) {
		int same = 0;
		/* Deep recursion: one line for a run of identical frames. */
		while (i + same + 1 < n && pcs[i + same + 1] == pcs[i])
			same++;
		/* pcs[i] is a return address: name the call instruction. */
		symbol_format(pcs[i] - 1, sym, sizeof(sym));
		if (same)
			printk("  #%d-#%d %08x %s (the same frame %d times)\n", i + 1,
			       i + same + 1, (unsigned)pcs[i], sym, same + 1);
		else
			printk("  #%d %08x %s\n", i + 1, (unsigned)pcs[i], sym);
		i += same;
	}
	return n + 1;
}

static void panic_backtrace(uintptr_t fp, uintptr_t pc)
{
	backtrace_print(fp, pc, BACKTRACE_MAX);
}

static __noreturn void panic_halt(void)
{
	qemu_exit(QEMU_EXIT_FAIL);
}

static const struct panic_machine x86_panic = {
	.quiesce = cpu_cli,
	.backtrace = panic_backtrace,
	.halt = panic_halt,
};

void panic_machine_init(void)
{
	panic_set_machine(&x86_panic);
}
