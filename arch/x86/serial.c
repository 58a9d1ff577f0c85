/*
 * 16550 UART driver for COM1.  Output is polled: the console must work
 * before interrupts are set up, from a trap handler, and during a panic.
 * Input is polled too until serial_wait_with_irq(): from then on a reader
 * with nothing to read halts the CPU until the receive interrupt (IRQ 4)
 * wakes it, so an idle shell costs the host nothing.  boot/early.asm
 * programs the port the same way when it must stop the boot before any C
 * runs.
 */
#include "arch/x86/serial.h"
#include "arch/x86/io.h"
#include "arch/x86/uart.h"
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"

#define COM1_IRQ 4

static bool rx_irq; /* input waits with hlt for IRQ 4 */

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, UART_DIVISOR & 0xFF);
	outb(COM1 + UART_IER, UART_DIVISOR >> 8);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
}

void serial_putc(char c)
{
	if (c == '\n')
		serial_putc('\r');
	while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
		;
	outb(COM1 + UART_DATA, (uint8_t)c);
}

int serial_getc_nonblock(void)
{
	if (!(inb(COM1 + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1 + UART_DATA);
}

/* The byte stays in the UART for serial_getc: the interrupt only wakes. */
static bool rx_interrupt(struct trap_frame *tf)
{
	(void)tf;
	pic_eoi(COM1_IRQ);
	return true;
}

void serial_wait_with_irq(void)
{
	if (rx_irq)
		return;
	trap_register(T_IRQ_BASE + COM1_IRQ, rx_interrupt);
	outb(COM1 + UART_IER, IER_RX_DATA);
	pic_unmask(COM1_IRQ);
	rx_irq = true;
}

/*
 * Halts until the receive interrupt, unless a byte is already there.
 * Interrupts go on only in `sti; hlt`: sti takes effect after the next
 * instruction, so an interrupt that arrives after the check still wakes
 * the hlt rather than slipping in before it.
 */
static __noinline void serial_wait_rx(void)
{
	uint32_t flags = irq_save();

	if (!(inb(COM1 + UART_LSR) & LSR_DATA_READY))
		__asm__ volatile("sti\n\thlt\n\tcli" : : : "memory");
	irq_restore(flags);
}

int serial_getc(void)
{
	int c;

	while ((c = serial_getc_nonblock()) < 0) {
		if (rx_irq)
			serial_wait_rx();
		else
			__asm__ volatile("pause");
	}
	return c;
}
