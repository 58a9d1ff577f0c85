/*
 * Formatted output.  Supported conversions: %d %i %u %x %X %o %p %s %c %%,
 * with the flags '-', '0' and '#', a field width (or '*'), a precision for %s,
 * and the length modifiers l, ll, z.  %p prints 0x and eight hex digits.
 */
#ifndef LIB_PRINTK_H
#define LIB_PRINTK_H

#include <stdarg.h>
#include "lib/compiler.h"

/* Writes at most `size` bytes including the NUL; returns the length the
 * whole output would have had (as C99 snprintf does). */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Prints to the console (COM1).  Returns the number of characters. */
int vprintk(const char *fmt, va_list ap);
int printk(const char *fmt, ...) __printf(1, 2);

/* Where printk's characters go; the console sets it to the serial port. */
void printk_set_sink(void (*putc)(char c));

/* From now on printk takes no lock: panic calls it, since the CPU holding
 * the console lock may never release it. */
void printk_panic_mode(void);

#endif
