/*
 * Line editing (see readline.h).  The screen is a dumb terminal: the
 * editor moves the cursor left with backspace characters and right by
 * printing what is under it, and redraws the rest of the line after every
 * change in its middle, so it needs no escape sequences of its own.
 */
#include "kernel/readline.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "arch/x86/serial.h"

#define KEY_CTRL_A 0x01
#define KEY_CTRL_B 0x02
#define KEY_CTRL_C 0x03
#define KEY_CTRL_E 0x05
#define KEY_CTRL_F 0x06
#define KEY_BELL 0x07
#define KEY_BACKSPACE 0x08
#define KEY_TAB 0x09
#define KEY_CTRL_U 0x15
#define KEY_CTRL_W 0x17
#define KEY_ESC 0x1B
#define KEY_DELETE 0x7F

static char history[READLINE_HISTORY][READLINE_MAX];
static unsigned history_len; /* lines stored, at most READLINE_HISTORY */
static unsigned history_next; /* slot the next line goes into */

/* --- the screen ------------------------------------------------------------ */

static void put(struct line_editor *e, const char *s, size_t n)
{
	e->echo(s, n);
}

static void put_repeat(struct line_editor *e, char c, size_t n)
{
	while (n--)
		put(e, &c, 1);
}

/* Redraws from the cursor to the end, blanks `erased` more cells, and
 * brings the cursor back. */
static void redraw_tail(struct line_editor *e, size_t erased)
{
	put(e, e->buf + e->cur, e->len - e->cur);
	put_repeat(e, ' ', erased);
	put_repeat(e, '\b', e->len - e->cur + erased);
}

static void bell(struct line_editor *e)
{
	put_repeat(e, KEY_BELL, 1);
}

/* --- editing ----------------------------------------------------------------- */

static void insert(struct line_editor *e, const char *s, size_t n)
{
	if (e->len + n >= e->size) {
		e->overflow = true;
		bell(e);
		return;
	}
	memmove(e->buf + e->cur + n, e->buf + e->cur, e->len - e->cur);
	memcpy(e->buf + e->cur, s, n);
	e->len += n;
	e->buf[e->len] = '\0';
	put(e, e->buf + e->cur, n);
	e->cur += n;
	redraw_tail(e, 0);
}

/* Erases the n characters before the cursor. */
static void erase_before(struct line_editor *e, size_t n)
{
	if (n == 0 || n > e->cur)
		return;
	put_repeat(e, '\b', n);
	e->cur -= n;
	memmove(e->buf + e->cur, e->buf + e->cur + n, e->len - e->cur - n);
	e->len -= n;
	e->buf[e->len] = '\0';
	redraw_tail(e, n);
}

static void move_to(struct line_editor *e, size_t pos)
{
	if (pos < e->cur)
		put_repeat(e, '\b', e->cur - pos);
	else
		put(e, e->buf + e->cur, pos - e->cur);
	e->cur = pos;
}

/* Ctrl-W: the spaces before the cursor, then the word before them. */
static void erase_word(struct line_editor *e)
{
	size_t start = e->cur;

	while (start && e->buf[start - 1] == ' ')
		start--;
	while (start && e->buf[start - 1] != ' ')
		start--;
	erase_before(e, e->cur - start);
}

static void replace_line(struct line_editor *e, const char *text)
{
	move_to(e, e->len);
	erase_before(e, e->len);
	insert(e, text, strnlen(text, e->size - 1));
}

/* --- history ----------------------------------------------------------------- */

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

static void history_step(struct line_editor *e, bool older)
{
	if (older && e->back < history_len)
		replace_line(e, recall(++e->back));
	else if (!older && e->back > 0)
		replace_line(e, recall(--e->back));
}

/* --- completion -------------------------------------------------------------- */

static size_t common_prefix(const char **words, int n)
{
	size_t len = strlen(words[0]);

	for (int i = 1; i < n; i++) {
		size_t k = 0;
		while (k < len && words[i][k] == words[0][k])
			k++;
		len = k;
	}
	return len;
}

/* Shows the candidates under the line, then the prompt and the line again. */
static void list_candidates(struct line_editor *e, const char **words, int n)
{
	size_t cur = e->cur;

	put(e, "\n", 1);
	for (int i = 0; i < n; i++) {
		put(e, words[i], strlen(words[i]));
		put(e, i + 1 < n ? "  " : "\n", i + 1 < n ? 2 : 1);
	}
	put(e, e->prompt, strlen(e->prompt));
	put(e, e->buf, e->len);
	e->cur = e->len;
	move_to(e, cur);
}

static void complete(struct line_editor *e)
{
	const char *words[READLINE_MATCHES];
	size_t start = 0, typed, common;
	int n = e->complete ? e->complete(e->buf, e->cur, &start, words,
					  READLINE_MATCHES) : 0;

	if (n <= 0 || start > e->cur) {
		bell(e);
		return;
	}
	typed = e->cur - start;
	common = common_prefix(words, n);
	if (common > typed)
		insert(e, words[0] + typed, common - typed);
	else if (n > 1)
		list_candidates(e, words, n);
	if (n == 1 && (e->cur == e->len || e->buf[e->cur] != ' '))
		insert(e, " ", 1);
}

/* --- keys -------------------------------------------------------------------- */

/* The last byte of ESC [ x, ESC O x or ESC [ n ~. */
static void escape_final(struct line_editor *e, int c)
{
	if (c == 'A' || c == 'B')
		history_step(e, c == 'A');
	else if (c == 'C' && e->cur < e->len)
		move_to(e, e->cur + 1);
	else if (c == 'D' && e->cur > 0)
		move_to(e, e->cur - 1);
	else if (c == 'H' || (c == '~' && e->esc_param == 1))
		move_to(e, 0);
	else if (c == 'F' || (c == '~' && e->esc_param == 4))
		move_to(e, e->len);
	else if (c == '~' && e->esc_param == 3 && e->cur < e->len) {
		move_to(e, e->cur + 1);
		erase_before(e, 1);
	}
}

static void escape_key(struct line_editor *e, int c)
{
	if (e->esc == 1) {
		e->esc = (c == '[' || c == 'O') ? 2 : 0;
		e->esc_param = 0;
	} else if (c >= '0' && c <= '9') {
		e->esc_param = e->esc_param * 10 + (unsigned)(c - '0');
	} else {
		e->esc = 0;
		escape_final(e, c);
	}
}

static void control_key(struct line_editor *e, int c)
{
	switch (c) {
	case KEY_BACKSPACE:
	case KEY_DELETE:
		erase_before(e, 1);
		break;
	case KEY_CTRL_U:
		erase_before(e, e->cur);
		break;
	case KEY_CTRL_W:
		erase_word(e);
		break;
	case KEY_CTRL_A:
		move_to(e, 0);
		break;
	case KEY_CTRL_E:
		move_to(e, e->len);
		break;
	case KEY_CTRL_B:
		if (e->cur)
			move_to(e, e->cur - 1);
		break;
	case KEY_CTRL_F:
		if (e->cur < e->len)
			move_to(e, e->cur + 1);
		break;
	case KEY_TAB:
		complete(e);
		break;
	case KEY_ESC:
		e->esc = 1;
		break;
	}
}

void le_init(struct line_editor *e, char *buf, size_t size,
	     const char *prompt, void (*echo)(const char *s, size_t n),
	     readline_complete_fn complete_fn)
{
	*e = (struct line_editor){ .buf = buf, .size = size, .prompt = prompt,
				   .echo = echo, .complete = complete_fn };
	buf[0] = '\0';
}

enum le_result le_key(struct line_editor *e, int c)
{
	char ch = (char)c;

	if (e->esc) {
		escape_key(e, c);
	} else if (c == '\r' || c == '\n') {
		put(e, "\n", 1);
		return LE_DONE;
	} else if (c == KEY_CTRL_C) {
		put(e, "^C\n", 3);
		put(e, e->prompt, strlen(e->prompt));
		e->len = e->cur = 0;
		e->buf[0] = '\0';
		e->overflow = false;
	} else if (c >= ' ' && c < KEY_DELETE) {
		insert(e, &ch, 1);
	} else {
		control_key(e, c);
	}
	return LE_MORE;
}

int readline(const char *prompt, char *buf, size_t size,
	     readline_complete_fn complete_fn)
{
	struct line_editor e;

	le_init(&e, buf, size, prompt, console_write, complete_fn);
	put(&e, prompt, strlen(prompt));
	while (le_key(&e, serial_getc()) != LE_DONE)
		;
	if (e.overflow)
		return ERR_RANGE;
	remember(buf);
	return (int)e.len;
}
