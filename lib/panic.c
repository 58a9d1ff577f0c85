/* panic: one message, the machine's backtrace, and a stop (lib/panic.h). */
#include "lib/panic.h"
#include "lib/printk.h"

static const struct panic_machine *machine;
static void (*panic_hook)(const char *msg);
static bool panicking;

void panic_set_machine(const struct panic_machine *m)
{
	machine = m;
}

void panic_set_hook(void (*hook)(const char *msg))
{
	panic_hook = hook;
}

static __noreturn void stop(void)
{
	if (machine)
		machine->halt();
	for (;;)
		;
}

static __noreturn void vpanic(uintptr_t fp, uintptr_t pc, const char *fmt,
			      va_list ap)
{
	char msg[256];

	if (machine)
		machine->quiesce();
	printk_panic_mode();
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (panicking) {
		printk("\nnested panic: %s\n", msg);
		stop();
	}
	panicking = true;
	printk("\nPANIC: %s\n", msg);
	if (machine)
		machine->backtrace(fp, pc);
	if (panic_hook)
		panic_hook(msg);
	stop();
}

__noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	/* Start from our caller's frame: [fp] holds the caller's fp. */
	va_start(ap, fmt);
	vpanic(*(const uintptr_t *)__builtin_frame_address(0),
	       (uintptr_t)__builtin_return_address(0), fmt, ap);
}

__noreturn void panic_from_frame(uintptr_t fp, uintptr_t pc,
				 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(fp, pc, fmt, ap);
}
