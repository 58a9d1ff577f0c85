/*
 * The shell's loop and command dispatch.  Commands live in
 * kernel/shell_cmds.c; this file splits lines into words and finds them.
 */
#include "kernel/shell.h"
#include "kernel/shell_cmds.h"
#include "kernel/readline.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "arch/x86/serial.h"

#define MAX_ARGS 8
#define PROMPT "strata> "

int shell_execute(char *line)
{
	char *argv[MAX_ARGS];
	int argc = split_words(line, argv, MAX_ARGS);

	if (argc == 0)
		return 0;
	for (const struct shell_cmd *c = shell_cmds; c->name; c++) {
		if (strcmp(c->name, argv[0]))
			continue;
		if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
			printk("error: usage: %s %s\n", c->name, c->args);
			return -1;
		}
		return c->fn(argc, argv);
	}
	printk("error: unknown command '%s' (try 'help')\n", argv[0]);
	return -1;
}

__noreturn void shell_main(void)
{
	char line[READLINE_MAX];

	serial_wait_with_irq(); /* an idle prompt halts the CPU */
	printk("\nStrata shell. Type 'help' for the commands.\n");
	for (;;) {
		readline(PROMPT, line, sizeof(line));
		shell_execute(line);
	}
}
