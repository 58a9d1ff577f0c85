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

/*
 * Puts `prefix` before every line printk starts until it is set to NULL
 * (the self-tests make everything a test prints a TAP "# " diagnostic).
 */
void printk_set_prefix(const char *prefix);

/* While muted, printk prints (and logs) nothing: the fault-injection
 * sweep runs each test many times over.  printk_panic_mode unmutes. */
void printk_mute(bool mute);

/* Writes n characters to the console only, not to the log (the shell's
 * echo of what is typed). */
void console_write(const char *s, size_t n);

/*
 * The log of everything printk printed: the last LOG_BUF_SIZE characters.
 * log_head counts all characters ever logged (GDB's `strata dmesg` reads
 * both).  printk_log_dump writes the log to the console.
 */
#define LOG_BUF_SIZE 65536
extern char log_buf[LOG_BUF_SIZE];
extern uint32_t log_head;
void printk_log_dump(void);

#endif
