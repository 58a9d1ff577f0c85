/*
 * The serial shell: a prompt for looking at memory.  `help` lists the
 * commands.  Nothing typed here can corrupt an allocator: the shell frees
 * only what it allocated itself, and answers bad input with one line
 * starting "error:" and a new prompt.
 */
#ifndef KERNEL_SHELL_H
#define KERNEL_SHELL_H

#include "lib/compiler.h"

__noreturn void shell_main(void);
/* Runs one command line; returns 0, or -1 after printing an error. */
int shell_execute(char *line);

#endif
