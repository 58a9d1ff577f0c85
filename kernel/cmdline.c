/* Command-line words (see cmdline.h). */
#include "kernel/cmdline.h"
#include "lib/string.h"
#include "kernel/bootinfo.h"
#include "lib/printk.h"

#define MAX_WORDS 32

static char buffer[BOOT_CMDLINE_MAX];
static char *words[MAX_WORDS];
static unsigned nwords;

unsigned cmdline_split(char *line, char **w, unsigned max, const char **ignored)
{
	unsigned n = (unsigned)split_words(line, w, (int)max);
	char *rest;

	*ignored = NULL;
	if (n < max || !n)
		return n; /* all of it */
	/* split_words leaves the rest of the line in the last word */
	for (rest = w[n - 1]; *rest && *rest != ' ' && *rest != '\t'; rest++)
		;
	if (!*rest)
		return n;
	*rest++ = '\0';
	while (*rest == ' ' || *rest == '\t')
		rest++;
	*ignored = *rest ? rest : NULL;
	return n;
}

void cmdline_init(const char *cmdline)
{
	const char *ignored;

	strlcpy(buffer, cmdline, sizeof(buffer));
	nwords = cmdline_split(buffer, words, MAX_WORDS, &ignored);
	if (ignored)
		printk("cmdline: more than %d words; ignored: \"%s\"\n",
		       MAX_WORDS, ignored);
}

const char *cmdline_get(const char *key)
{
	size_t n = strlen(key);

	for (unsigned i = 0; i < nwords; i++) {
		if (strncmp(words[i], key, n) != 0)
			continue;
		if (words[i][n] == '\0')
			return "";
		if (words[i][n] == '=')
			return words[i] + n + 1;
	}
	return NULL;
}

bool cmdline_has(const char *key)
{
	return cmdline_get(key) != NULL;
}

bool list_contains(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!list || !*list)
		return true;
	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}
