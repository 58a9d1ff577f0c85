/*
 * 16550 UART driver for COM1.  Polled: the console must work before
 * interrupts are set up, from a trap handler, and during a panic.
 * Register offsets and bits: National Semiconductor PC16550D data sheet.
 */
#include "arch/x86/serial.h"
#include "arch/x86/io.h"

#define COM1 0x3F8
#define UART_DATA 0 /* receive/transmit buffer; divisor low with DLAB */
#define UART_IER 1 /* interrupt enable; divisor high with DLAB */
#define UART_FCR 2 /* FIFO control */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */

#define LCR_8N1 0x03
#define LCR_DLAB 0x80 /* divisor latch access */
#define FCR_ENABLE_CLEAR 0x07 /* enable FIFOs, clear both */
#define MCR_DTR_RTS_OUT2 0x0B
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

#define UART_CLOCK 115200
#define BAUD 115200

void serial_init(void)
{
	unsigned divisor = UART_CLOCK / BAUD;

	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, divisor & 0xFF);
	outb(COM1 + UART_IER, divisor >> 8);
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
