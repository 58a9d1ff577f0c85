/*
 * The shell's loop, command dispatch, `help` and Tab completion.  Commands
 * live in kernel/shell_cmds.c and the files it names; this file splits
 * lines into words and finds them.
 */
#include "kernel/shell.h"
#include "kernel/shell_cmds.h"
#include "kernel/readline.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "arch/x86/serial.h"

#define MAX_ARGS 8
#define PROMPT "strata> "

const struct shell_cmd *shell_find(const char *name)
{
	for (const struct shell_cmd *c = shell_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int shell_parse_number(const char *s, uint64_t *v)
{
	int err = parse_u64(s, v);

	if (err == ERR_RANGE || (!err && *v > UINT32_MAX)) {
		printk("error: %s does not fit in 32 bits\n", s);
		return -1;
	}
	if (err) {
		printk("error: '%s' is not a number (decimal or 0x hex)\n", s);
		return -1;
	}
	return 0;
}

int shell_execute(char *line)
{
	/* one more than the most a command takes, to see that there are too many */
	char *argv[MAX_ARGS + 1];
	int argc = split_words(line, argv, MAX_ARGS + 1);
	const struct shell_cmd *c;

	if (argc == 0)
		return 0;
	if (!(c = shell_find(argv[0]))) {
		printk("error: unknown command '%s' (try 'help')\n", argv[0]);
		return -1;
	}
	if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
		printk("error: usage: %s%s%s\n", c->name, *c->args ? " " : "", c->args);
		return -1;
	}
	return c->fn(argc, argv);
}

static void help_one(const struct shell_cmd *c)
{
	printk("usage: %s%s%s\n  %s\n", c->name, *c->args ? " " : "", c->args, c->help);
	if (c->detail)
		printk("%s\n", c->detail);
}

int shell_help(int argc, char **argv)
{
	const struct shell_cmd *c;

	if (argc == 2) {
		if (!(c = shell_find(argv[1]))) {
			printk("error: no command '%s' (type 'help' for the list)\n", argv[1]);
			return -1;
		}
		help_one(c);
		return 0;
	}
	for (c = shell_cmds; c->name; c++)
		printk("  %-11s %-17s %s\n", c->name, c->args, c->help);
	printk("'help CMD' says more about one command.  Keys: left/right, Home/End,\n"
	       "Ctrl-W (word), Ctrl-U (line), up/down (history), Tab (complete).\n");
	return 0;
}

/* Tab: the command name (the first word, or the word after `help`). */
static int complete_command(const char *line, size_t cur, size_t *word_start,
			    const char **out, int max)
{
	size_t start = cur, first = 0;
	int n = 0;

	while (start && line[start - 1] != ' ')
		start--;
	while (first < start && line[first] == ' ')
		first++;
	if (first < start) { /* not the first word: only `help WORD` */
		if (strncmp(line + first, "help ", 5))
			return 0;
		for (size_t i = first + 5; i < start; i++)
			if (line[i] != ' ')
				return 0;
	}
	for (const struct shell_cmd *c = shell_cmds; c->name && n < max; c++)
		if (!strncmp(c->name, line + start, cur - start))
			out[n++] = c->name;
	*word_start = start;
	return n;
}

__noreturn void shell_main(void)
{
	char line[READLINE_MAX];

	serial_wait_with_irq(); /* an idle prompt halts the CPU */
	printk("\nStrata shell. Type 'help' for the commands.\n");
	for (;;) {
		if (readline(PROMPT, line, sizeof(line), complete_command) < 0) {
			printk("error: a line holds at most %d characters; nothing was run\n",
			       READLINE_MAX - 1);
			continue;
		}
		shell_execute(line);
	}
}
