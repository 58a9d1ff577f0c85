/*
 * A minimal trip to ring 3 and back (arch/x86/usermode.asm), for the
 * self-tests that prove user/supervisor protection.
 */
#ifndef ARCH_X86_USERMODE_H
#define ARCH_X86_USERMODE_H

#include "lib/compiler.h"

/*
 * Runs user code at eip with stack esp (both mapped user-accessible in the
 * current address space) in ring 3, until a trap handler calls user_return;
 * returns the code given to it.  Uses kernel_tss.esp0 for the way back.
 */
__asmlinkage int user_enter(uint32_t eip, uint32_t esp);
/* From a trap handler (ring 3 trapped): resume after user_enter. */
__asmlinkage __noreturn void user_return(int code);

/* The probe program; see usermode.asm for its stack protocol. */
extern const uint8_t user_probe_code[], user_probe_code_end[];

#endif
