/* The shell's command table (kernel/shell_cmds.c). */
#ifndef KERNEL_SHELL_CMDS_H
#define KERNEL_SHELL_CMDS_H

struct shell_cmd {
	const char *name;
	const char *args; /* usage, e.g. "ORDER [dma|high]" */
	const char *help;
	int min_args, max_args;
	int (*fn)(int argc, char **argv);
};

/* Terminated by an entry with a NULL name. */
extern const struct shell_cmd shell_cmds[];

#endif
