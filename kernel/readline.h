/*
 * Line editing on the serial console: printable characters, backspace,
 * Ctrl-U (erase the line), Ctrl-C (abandon it), and the up and down arrows
 * to walk the history of earlier lines.
 */
#ifndef KERNEL_READLINE_H
#define KERNEL_READLINE_H

#include "lib/compiler.h"

#define READLINE_MAX 128
#define READLINE_HISTORY 16

/* Reads one line (without the newline) into buf; returns its length. */
size_t readline(const char *prompt, char *buf, size_t size);

#endif
