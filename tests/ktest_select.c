/*
 * Test ids, the selection on the command line, the listing, and names for
 * test functions in reports (see ktest.h).
 */
#include "tests/ktest.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/symbol.h"

#define SELECT_WORD_MAX 96
#define SYMBOL_ID_MAX 48 /* a report's symbol buffer is 64 bytes: keep +0x... */

void ktest_id(const struct ktest *t, char *buf, size_t size)
{
	size_t n = strlcpy(buf, t->suite, size);
	bool gap = false;

	if (n + 1 >= size)
		return;
	buf[n++] = '.';
	/* letters and digits kept (in lower case), every other run one '_' */
	for (const char *p = t->name; *p && n + 2 < size; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (gap && buf[n - 1] != '.')
				buf[n++] = '_';
			buf[n++] = c;
			gap = false;
		} else {
			gap = true;
		}
	}
	buf[n] = '\0';
}

/* One word of the selection: a suite glob, or suite.name glob with a dot. */
static bool word_selects(const char *word, const struct ktest *t)
{
	char id[KTEST_ID_MAX];

	if (!strchr(word, '.'))
		return glob_match(word, t->suite);
	ktest_id(t, id, sizeof(id));
	return glob_match(word, id);
}

/* Copies the word of the selection at *p into word; advances *p past it. */
static bool next_word(const char **p, char *word, size_t size)
{
	const char *end = strchr(*p, ',');
	size_t len = end ? (size_t)(end - *p) : strlen(*p);

	if (!**p)
		return false;
	strlcpy(word, *p, MIN(len + 1, size));
	*p += end ? len + 1 : len;
	return true;
}

bool ktest_selected(const char *selection, const struct ktest *t)
{
	char word[SELECT_WORD_MAX];
	const char *p = selection;

	if (!selection || !*selection)
		return true;
	while (next_word(&p, word, sizeof(word)))
		if (word_selects(word, t))
			return true;
	return false;
}

bool ktest_selection_valid(const char *selection)
{
	char word[SELECT_WORD_MAX];
	const char *p = selection;

	while (p && next_word(&p, word, sizeof(word))) {
		const struct ktest *t = __ktests_start;
		while (t < __ktests_end && !word_selects(word, t))
			t++;
		if (t == __ktests_end) {
			printk("Bail out! ktest=%s: '%s' selects no test (ktest=list lists them)\n",
			       selection, word);
			return false;
		}
	}
	return true;
}

const struct ktest *ktest_suite_first(const struct ktest *t)
{
	const struct ktest *f = __ktests_start;

	while (strcmp(f->suite, t->suite))
		f++;
	return f;
}

void ktest_list(void)
{
	char id[KTEST_ID_MAX];
	int tests = 0, suites = 0;

	for (const struct ktest *s = __ktests_start; s < __ktests_end; s++) {
		if (ktest_suite_first(s) != s)
			continue;
		suites++;
		for (const struct ktest *t = s; t < __ktests_end; t++) {
			if (strcmp(t->suite, s->suite))
				continue;
			ktest_id(t, id, sizeof(id));
			printk("%s\n", id);
			tests++;
		}
	}
	printk("# %d tests in %d suites; ktest=SUITE or ktest=SUITE.GLOB runs some\n",
	       tests, suites);
}

/* --- test functions named in reports ---------------------------------------- */

static symbol_lookup_fn plain_lookup;

/* The kernel's look-up, except that a test function is named by the glob
 * of its id (cut to fit a report's symbol buffer). */
static const char *test_lookup(uintptr_t addr, uint32_t *offset)
{
	static char names[2][SYMBOL_ID_MAX + 2]; /* two: "allocated by X, freed by Y" */
	static unsigned next;
	const char *name = plain_lookup(addr, offset);
	char *out;

	if (!name)
		return NULL;
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
		char id[KTEST_ID_MAX];
		if ((uintptr_t)t->fn != addr - *offset)
			continue;
		ktest_id(t, id, sizeof(id));
		out = names[next++ % 2];
		if (strlcpy(out, id, SYMBOL_ID_MAX + 1) > SYMBOL_ID_MAX) {
			out[SYMBOL_ID_MAX] = '*'; /* cut: as a glob it still selects the test */
			out[SYMBOL_ID_MAX + 1] = '\0';
		}
		return out;
	}
	return name;
}

void ktest_name_functions(bool on)
{
	if (on && !plain_lookup && symbol_get_lookup()) {
		plain_lookup = symbol_get_lookup();
		symbol_set_lookup(test_lookup);
	} else if (!on && plain_lookup) {
		symbol_set_lookup(plain_lookup);
		plain_lookup = NULL;
	}
}
