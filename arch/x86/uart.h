/*
 * The 16550 UART of COM1: port, register offsets and bits (National
 * Semiconductor PC16550D data sheet).  Shared by the serial driver and the
 * boot assembly, which must speak before any compiled C may run (the
 * Makefile generates a NASM copy of the plain #define lines).
 */
#ifndef ARCH_X86_UART_H
#define ARCH_X86_UART_H

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
#define IER_RX_DATA 0x01 /* interrupt when a byte has arrived */

#define UART_DIVISOR 1 /* 115200 baud: the UART clock, 115200 Hz, divided by 1 */

#endif
