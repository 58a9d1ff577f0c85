/*
 * Line editing on the serial console, as a terminal user expects it:
 *
 *   printable keys    insert at the cursor
 *   left, right       move the cursor (also Ctrl-B, Ctrl-F)
 *   Home, End         to the start or the end (also Ctrl-A, Ctrl-E)
 *   Backspace, Delete erase before or under the cursor
 *   Ctrl-W            erase the word before the cursor
 *   Ctrl-U            erase everything before the cursor
 *   Ctrl-C            abandon the line
 *   up, down          walk the history of earlier lines
 *   Tab               complete the word before the cursor (a hook)
 *
 * The editor itself (struct line_editor) takes one key at a time and echoes
 * through a function it is given, so the self-tests can drive it without a
 * terminal; readline() feeds it from the serial port.
 */
#ifndef KERNEL_READLINE_H
#define KERNEL_READLINE_H

#include "lib/compiler.h"

#define READLINE_MAX 128 /* bytes of a line, the NUL included */
#define READLINE_HISTORY 16
#define READLINE_MATCHES 32 /* completions offered at most */

/*
 * The completion hook: given the line up to the cursor, it fills up to max
 * candidates for the word that ends at the cursor, sets *word_start to where
 * that word begins, and returns how many candidates there are.
 */
typedef int (*readline_complete_fn)(const char *line, size_t cur,
				    size_t *word_start, const char **out,
				    int max);

enum le_result {
	LE_MORE, /* keep feeding keys */
	LE_DONE, /* Enter: the line is in buf */
};

struct line_editor {
	char *buf;
	size_t size; /* buf holds at most size - 1 characters */
	size_t len, cur; /* characters in buf; the cursor, 0..len */
	bool overflow; /* a key was refused for want of room */
	unsigned back; /* how far up the history the line came from */
	int esc; /* escape sequence: 0 none, 1 after ESC, 2 after ESC [ or O */
	unsigned esc_param; /* the number in ESC [ n ~ */
	const char *prompt;
	void (*echo)(const char *s, size_t n);
	readline_complete_fn complete; /* NULL: Tab rings the bell */
};

void le_init(struct line_editor *e, char *buf, size_t size,
	     const char *prompt, void (*echo)(const char *s, size_t n),
	     readline_complete_fn complete);
/* Takes one key (a byte as the terminal sends it). */
enum le_result le_key(struct line_editor *e, int c);

/*
 * Prints the prompt and reads one line (without the newline) into buf.
 * Returns its length, or ERR_RANGE when the line did not fit in buf (every
 * key past the room rings the bell; the line is refused as a whole, since a
 * cut line may mean something else).
 */
int readline(const char *prompt, char *buf, size_t size,
	     readline_complete_fn complete);

#endif
