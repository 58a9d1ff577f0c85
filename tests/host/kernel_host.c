/*
 * The kernel library function that kernel/ code built for the host (a
 * fuzz target) needs and the C library does not have: printk (vprintk is
 * not used there).  It formats always and prints to stdout unless the run
 * is quiet.  See tests/host/host.mk.
 */
#include "lib/printk.h"
#include "tests/host/platform_host.h"
#include <stdio.h>

/* Formats even when quiet, so that every argument is read (a fuzz target
 * wants an unterminated string found even when nothing is printed). */
int printk(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!host_quiet())
		fputs(line, stdout);
	return n;
}
