/*
 * Suite readline: the shell's line editor, fed keys as a terminal sends
 * them, with its echo caught in a buffer instead of the console.
 */
#include "tests/ktest.h"
#include "kernel/readline.h"
#include "lib/string.h"

static char screen[512];
static size_t screen_len;

static void catch_echo(const char *s, size_t n)
{
	for (size_t i = 0; i < n && screen_len + 1 < sizeof(screen); i++)
		screen[screen_len++] = s[i];
	screen[screen_len] = '\0';
}

/* Feeds keys to a fresh editor over buf; the result of the last key. */
static enum le_result type(struct line_editor *e, char *buf, size_t size,
			   const char *keys, readline_complete_fn complete)
{
	enum le_result r = LE_MORE;

	screen_len = 0;
	screen[0] = '\0';
	le_init(e, buf, size, "> ", catch_echo, complete);
	for (const char *k = keys; *k && r == LE_MORE; k++)
		r = le_key(e, (unsigned char)*k);
	return r;
}

KTEST(readline, "left arrow moves the cursor; a key inserts there and the tail is redrawn")
{
	struct line_editor e;
	char buf[32];

	EXPECT_EQ(LE_DONE, type(&e, buf, sizeof(buf), "kmallc 16\x1b[D\x1b[D\x1b[D\x1b[Do\r", NULL));
	EXPECT_STREQ("kmalloc 16", buf);
	/* the insertion echoes o and the tail "c 16", then backs over the tail */
	EXPECT_TRUE(strstr(screen, "oc 16\b\b\b\b") != NULL);
}

KTEST(readline, "Home and End, Ctrl-A and Ctrl-E, Delete under the cursor")
{
	struct line_editor e;
	char buf[32];

	EXPECT_EQ(LE_DONE, type(&e, buf, sizeof(buf), "elp\x1b[Hh\x1b[F!\x01\x1b[3~H\r", NULL));
	EXPECT_STREQ("Help!", buf);
}

KTEST(readline, "Ctrl-W erases the word before the cursor, and the spaces before it")
{
	struct line_editor e;
	char buf[32];

	EXPECT_EQ(LE_DONE, type(&e, buf, sizeof(buf), "whatis 0x1 junk  \x17\r", NULL));
	EXPECT_STREQ("whatis 0x1 ", buf);
	EXPECT_EQ(LE_DONE, type(&e, buf, sizeof(buf), "a b\x17\x17\x17\r", NULL));
	EXPECT_STREQ("", buf);
}

KTEST(readline, "a line longer than the buffer is marked, not cut silently")
{
	struct line_editor e;
	char buf[8];

	EXPECT_EQ(LE_DONE, type(&e, buf, sizeof(buf), "1234567890\r", NULL));
	EXPECT_TRUE(e.overflow);
	EXPECT_STREQ("1234567", buf);
	EXPECT_EQ(LE_DONE, type(&e, buf, sizeof(buf), "1234567\r", NULL));
	EXPECT_FALSE(e.overflow);
}

static int complete_fruit(const char *line, size_t cur, size_t *word_start,
			  const char **out, int max)
{
	static const char *const words[] = { "apple", "apricot", "banana" };
	int n = 0;

	*word_start = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(words) && n < max; i++)
		if (!strncmp(words[i], line, cur))
			out[n++] = words[i];
	return n;
}

KTEST(readline, "Tab completes a unique word, extends a common prefix, lists the rest")
{
	struct line_editor e;
	char buf[32];

	EXPECT_EQ(LE_DONE, type(&e, buf, sizeof(buf), "b\t\r", complete_fruit));
	EXPECT_STREQ("banana ", buf);
	EXPECT_EQ(LE_DONE, type(&e, buf, sizeof(buf), "a\t\r", complete_fruit));
	EXPECT_STREQ("ap", buf);
	EXPECT_EQ(LE_DONE, type(&e, buf, sizeof(buf), "ap\t\r", complete_fruit));
	EXPECT_TRUE(strstr(screen, "apple  apricot\n> ap") != NULL);
}
