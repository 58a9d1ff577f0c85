/* Line editing over the serial port (see readline.h). */
#include "kernel/readline.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "arch/x86/serial.h"

#define KEY_CTRL_C 0x03
#define KEY_BACKSPACE 0x08
#define KEY_CTRL_U 0x15
#define KEY_ESC 0x1B
#define KEY_DELETE 0x7F

static char history[READLINE_HISTORY][READLINE_MAX];
static unsigned history_len; /* lines stored, at most READLINE_HISTORY */
static unsigned history_next; /* slot the next line goes into */

static void erase_chars(size_t n)
{
	while (n--)
		printk("\b \b");
}

/* Replaces the line on screen and in buf with `text`. */
static size_t replace_line(char *buf, size_t size, size_t len, const char *text)
{
	erase_chars(len);
	len = strlcpy(buf, text, size);
	if (len >= size)
		len = size - 1;
	printk("%s", buf);
	return len;
}

static void remember(const char *line)
{
	if (!*line)
		return;
	if (history_len) {
		unsigned last = (history_next + READLINE_HISTORY - 1) % READLINE_HISTORY;
		if (!strcmp(history[last], line))
			return;
	}
	strlcpy(history[history_next], line, READLINE_MAX);
	history_next = (history_next + 1) % READLINE_HISTORY;
	if (history_len < READLINE_HISTORY)
		history_len++;
}

/* The line `back` steps into the past (1 = the last one), or "". */
static const char *recall(unsigned back)
{
	if (back == 0 || back > history_len)
		return "";
	return history[(history_next + READLINE_HISTORY - back) % READLINE_HISTORY];
}

size_t readline(const char *prompt, char *buf, size_t size)
{
	size_t len = 0;
	unsigned back = 0; /* how far up the history we are */

	printk("%s", prompt);
	buf[0] = '\0';
	for (;;) {
		int c = serial_getc();
		if (c == '\r' || c == '\n') {
			printk("\n");
			buf[len] = '\0';
			remember(buf);
			return len;
		} else if (c == KEY_BACKSPACE || c == KEY_DELETE) {
			if (len) {
				buf[--len] = '\0';
				erase_chars(1);
			}
		} else if (c == KEY_CTRL_U) {
			erase_chars(len);
			len = 0;
			buf[0] = '\0';
		} else if (c == KEY_CTRL_C) {
			printk("^C\n%s", prompt);
			len = 0;
			buf[0] = '\0';
		} else if (c == KEY_ESC) {
			int c1 = serial_getc(), c2 = serial_getc();
			if (c1 != '[')
				continue;
			if (c2 == 'A' && back < history_len)
				len = replace_line(buf, size, len, recall(++back));
			else if (c2 == 'B' && back > 0)
				len = replace_line(buf, size, len, recall(--back));
		} else if (c >= ' ' && c < KEY_DELETE && len + 1 < size) {
			buf[len++] = (char)c;
			buf[len] = '\0';
			printk("%c", c);
		}
	}
}
