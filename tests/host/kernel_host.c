/*
 * The few kernel library functions that kernel/ code built for the host
 * (a fuzz target) needs and the C library lacks or names differently:
 * printk goes to stdout unless the run is quiet, strlcpy is glibc's
 * missing one.  See tests/host/host.mk.
 */
#include "kernel/printk.h"
#include "kernel/string.h"
#include "tests/host/platform_host.h"
#include <stdio.h>

int vprintk(const char *fmt, va_list ap)
{
	return host_quiet() ? 0 : vprintf(fmt, ap);
}

int printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!host_quiet())
		vprintf(fmt, ap);
	va_end(ap);
	return 0;
}

/* The length of src, as strlcpy returns: snprintf counts the same way. */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	return (size_t)snprintf(dst, size, "%s", src);
}
