/* COM1, a 16550 UART at 115200 baud, 8N1: the kernel's console. */
#ifndef ARCH_X86_SERIAL_H
#define ARCH_X86_SERIAL_H

#include "lib/compiler.h"

void serial_init(void);
void serial_putc(char c);
/* Returns the next received byte, or -1 if none is waiting. */
int serial_getc_nonblock(void);
/* Waits for a byte. */
int serial_getc(void);
/* From now on, serial_getc waits with interrupts and hlt instead of
 * spinning (after trap_init and pic_init). */
void serial_wait_with_irq(void);

#endif
