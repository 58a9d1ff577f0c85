/* Lock debugging's hooks (see lockdebug.h). */
#include "kernel/lockdebug.h"
#include "lib/spinlock.h"
#include "mm/report.h"
#include "mm/platform.h"
#include "arch/x86/percpu.h"
#include "arch/x86/tlb.h"

static void lock_report(enum spin_report kind, const struct spinlock *l,
			const char *msg)
{
	mm_report(REPORT_LOCK, (uintptr_t)l, "%s: %s", spin_report_name(kind), msg);
}

static const struct spin_machine kernel_locks = {
	.cpu_id = smp_processor_id,
	.report = lock_report,
	.relax = tlb_poll, /* a CPU waiting with interrupts off still answers */
	.debug_changed = mm_locks_update, /* one CPU: the allocators' locks */
};

void lock_debug_init(bool on)
{
	spin_set_machine(&kernel_locks);
	spin_debug_enable(on);
}
