/*
 * The shell's command table (kernel/shell_cmds.c) and the commands that live
 * in files of their own: what the shell holds (kernel/shell_alloc.c) and the
 * misuse demonstrations (kernel/shell_misuse.c).
 */
#ifndef KERNEL_SHELL_CMDS_H
#define KERNEL_SHELL_CMDS_H

#include "lib/types.h"

struct shell_cmd {
	const char *name;
	const char *args; /* usage, e.g. "ORDER [dma|high]" */
	const char *help; /* one line, for `help` */
	const char *detail; /* more, for `help NAME`: what it shows, examples */
	int min_args, max_args;
	int (*fn)(int argc, char **argv);
};

/* Terminated by an entry with a NULL name. */
extern const struct shell_cmd shell_cmds[];

/* The command called name, or NULL. */
const struct shell_cmd *shell_find(const char *name);

/*
 * Parses a number no larger than 32 bits (decimal, or hex with 0x); on bad
 * input prints one "error:" line and returns -1.
 */
int shell_parse_number(const char *s, uint64_t *v);

/* help [CMD] (kernel/shell.c) */
int shell_help(int argc, char **argv);

/* kernel/shell_alloc.c: blocks, objects and areas the shell holds. */
int cmd_alloc(int argc, char **argv);
int cmd_free(int argc, char **argv);
int cmd_kmalloc(int argc, char **argv);
int cmd_kfree(int argc, char **argv);
int cmd_vmalloc(int argc, char **argv);
int cmd_vfree(int argc, char **argv);
int cmd_held(int argc, char **argv);

/* kernel/shell_misuse.c */
int cmd_misuse(int argc, char **argv);

#endif
