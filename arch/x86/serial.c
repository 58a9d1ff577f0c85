/*
 * 16550 UART driver for COM1.  Polled: the console must work before
 * interrupts are set up, from a trap handler, and during a panic.
 * boot/early.asm programs the port the same way when it must stop the
 * boot before any C runs.
 */
#include "arch/x86/serial.h"
#include "arch/x86/io.h"
#include "arch/x86/uart.h"

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

int serial_getc(void)
{
	int c;

	while ((c = serial_getc_nonblock()) < 0)
		__asm__ volatile("pause");
	return c;
}
