/* panic and the frame-pointer backtrace (the kernel keeps frame pointers). */
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/ksyms.h"
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/layout.h"
#include "arch/x86/qemu_exit.h"

#define BACKTRACE_MAX 24

static void (*panic_hook)(const char *msg);
static bool panicking;

void panic_set_hook(void (*hook)(const char *msg))
{
	panic_hook = hook;
}

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
	ksym_format(eip, sym, sizeof(sym));
	printk("  #0 %08x %s\n", (unsigned)eip, sym);
	n = backtrace_collect(ebp, pcs, max_frames - 1);
	for (int i = 0; i < n; i++) {
		int same = 0;
		/* Deep recursion: one line for a run of identical frames. */
		while (i + same + 1 < n && pcs[i + same + 1] == pcs[i])
			same++;
		/* pcs[i] is a return address: name the call instruction. */
		ksym_format(pcs[i] - 1, sym, sizeof(sym));
		if (same)
			printk("  #%d-#%d %08x %s (the same frame %d times)\n", i + 1,
			       i + same + 1, (unsigned)pcs[i], sym, same + 1);
		else
			printk("  #%d %08x %s\n", i + 1, (unsigned)pcs[i], sym);
		i += same;
	}
	return n + 1;
}

static __noreturn void vpanic(uintptr_t ebp, uintptr_t eip, const char *fmt,
			      va_list ap)
{
	char msg[256];

	cpu_cli();
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (panicking) {
		printk("\nnested panic: %s\n", msg);
		qemu_exit(QEMU_EXIT_FAIL);
	}
	panicking = true;
	printk("\nPANIC: %s\n", msg);
	backtrace_print(ebp, eip, BACKTRACE_MAX);
	if (panic_hook)
		panic_hook(msg);
	qemu_exit(QEMU_EXIT_FAIL);
}

__noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	/* Start from our caller's frame: [ebp] holds the caller's ebp. */
	va_start(ap, fmt);
	vpanic(*(const uintptr_t *)read_ebp(),
	       (uintptr_t)__builtin_return_address(0), fmt, ap);
}

__noreturn void panic_from_frame(uintptr_t ebp, uintptr_t eip,
				 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(ebp, eip, fmt, ap);
}
