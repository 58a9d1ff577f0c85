/* Command-line words (see cmdline.h). */
#include "kernel/cmdline.h"
#include "lib/string.h"
#include "kernel/bootinfo.h"

#define MAX_WORDS 32

static char buffer[BOOT_CMDLINE_MAX];
static char *words[MAX_WORDS];
static unsigned nwords;

void cmdline_init(const char *cmdline)
{
	strlcpy(buffer, cmdline, sizeof(buffer));
	nwords = (unsigned)split_words(buffer, words, MAX_WORDS);
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
