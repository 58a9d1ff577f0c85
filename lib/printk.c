/*
 * printk and vsnprintf.  One formatter writes into a bounded buffer; printk
 * formats a line at a time into a stack buffer and sends it to the sink
 * under the console lock, so that two CPUs' messages never mix within one
 * printk.  A panic stops taking the lock (the CPU holding it may be the
 * one that is gone).
 */
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/lockstat.h"

struct outbuf {
	char *buf;
	size_t size;
	size_t len; /* characters produced, even past the end of buf */
};

static void out_char(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

struct spec {
	bool left; /* '-': pad on the right */
	bool zero; /* '0': pad with zeros */
	bool alt; /* '#': 0x before hex */
	int width;
	int precision; /* -1: none */
};

static void out_padded(struct outbuf *o, const struct spec *sp,
		       const char *prefix, const char *body, int body_len)
{
	int prefix_len = (int)strlen(prefix);
	int pad = sp->width - prefix_len - body_len;
	int i;

	if (!sp->left && !sp->zero)
		for (i = 0; i < pad; i++)
			out_char(o, ' ');
	for (i = 0; i < prefix_len; i++)
		out_char(o, prefix[i]);
	if (!sp->left && sp->zero)
		for (i = 0; i < pad; i++)
			out_char(o, '0');
	for (i = 0; i < body_len; i++)
		out_char(o, body[i]);
	if (sp->left)
		for (i = 0; i < pad; i++)
			out_char(o, ' ');
}

static void out_number(struct outbuf *o, const struct spec *sp,
		       unsigned long long v, bool negative, unsigned base,
		       bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = sizeof(tmp);

	do {
		tmp[--n] = digits[v % base];
		v /= base;
	} while (v);
	out_padded(o, sp, negative ? "-" : prefix, tmp + n,
		   (int)sizeof(tmp) - n);
}

enum length { LEN_INT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static unsigned long long arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static long long arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_SIZE:
		return (long long)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, int);
	}
}

/* Parses flags, width, precision and length at *fmt; advances *fmt. */
static enum length parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
	const char *f = *fmt;
	enum length len = LEN_INT;

	sp->left = sp->zero = sp->alt = false;
	sp->width = 0;
	sp->precision = -1;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		sp->precision = 0;
		f++;
		while (*f >= '0' && *f <= '9')
			sp->precision = sp->precision * 10 + (*f++ - '0');
	}
	if (*f == 'l') {
		len = LEN_LONG;
		if (*++f == 'l') {
			len = LEN_LLONG;
			f++;
		}
	} else if (*f == 'z') {
		len = LEN_SIZE;
		f++;
	}
	*fmt = f;
	return len;
}

static void format_one(struct outbuf *o, char conv, struct spec *sp,
		       enum length len, va_list *ap)
{
	switch (conv) {
	case 'd':
	case 'i': {
		long long v = arg_signed(ap, len);
		unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v
					       : (unsigned long long)v;
		out_number(o, sp, mag, v < 0, 10, false, "");
		break;
	}
	case 'u':
		out_number(o, sp, arg_unsigned(ap, len), false, 10, false, "");
		break;
	case 'x':
	case 'X':
		out_number(o, sp, arg_unsigned(ap, len), false, 16, conv == 'X',
			   sp->alt ? "0x" : "");
		break;
	case 'o':
		out_number(o, sp, arg_unsigned(ap, len), false, 8, false, "");
		break;
	case 'p':
		sp->zero = true;
		sp->width = 2 + (int)sizeof(void *) * 2;
		out_number(o, sp, (uintptr_t)va_arg(*ap, void *), false, 16,
			   false, "0x");
		break;
	case 'c': {
		char c = (char)va_arg(*ap, int);
		sp->zero = false;
		out_padded(o, sp, "", &c, 1);
		break;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);
		int n;
		if (!s)
			s = "(null)";
		n = (int)strlen(s);
		if (sp->precision >= 0 && sp->precision < n)
			n = sp->precision;
		sp->zero = false;
		out_padded(o, sp, "", s, n);
		break;
	}
	case '%':
		out_char(o, '%');
		break;
	default: /* unknown: print it as written, so the mistake shows */
		out_char(o, '%');
		out_char(o, conv);
		break;
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		struct spec sp;
		enum length len;

		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt++;
		len = parse_spec(&fmt, &sp, &args);
		if (!*fmt)
			break;
		format_one(&o, *fmt++, &sp, len, &args);
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * The log: every character printk sends to the console also goes into a
 * ring buffer, so that the shell's `dmesg` and GDB's `strata dmesg` can
 * show what the kernel said even when nobody was watching the console.
 * log_head counts every character ever logged; the last LOG_BUF_SIZE of
 * them are in log_buf, at log_head % LOG_BUF_SIZE onwards (oldest first).
 * Echo of typed input goes to the console only (console_write).
 */
char log_buf[LOG_BUF_SIZE];
uint32_t log_head;

static void (*printk_sink)(char c);
static const char *line_prefix; /* put before every line while set */
static bool muted; /* printk prints nothing */
static bool at_line_start = true; /* console_lock */
/* One writer at a time: the log, the line state and the sink. */
static struct spinlock console_lock = SPINLOCK_INIT_NODEBUG("console", LOCK_ORDER_CONSOLE);
LOCK_REGISTER(console_lock);
static bool console_unlocked;

/* The console lock, unless a panic said to go without (printk_panic_mode). */
static irqflags_t console_lock_take(bool *taken)
{
	*taken = !READ_ONCE(console_unlocked);
	return *taken ? spin_lock_irqsave(&console_lock) : 0;
}

static void console_lock_drop(bool taken, irqflags_t flags)
{
	if (taken)
		spin_unlock_irqrestore(&console_lock, flags);
}

void printk_panic_mode(void)
{
	WRITE_ONCE(console_unlocked, true);
	muted = false;
}

void printk_set_sink(void (*putc)(char c))
{
	printk_sink = putc;
}

void printk_mute(bool mute)
{
	muted = mute;
}

void printk_set_prefix(const char *prefix)
{
	line_prefix = prefix && *prefix ? prefix : NULL;
}

void console_write(const char *s, size_t n)
{
	bool taken;
	irqflags_t flags = console_lock_take(&taken);

	if (printk_sink)
		for (size_t i = 0; i < n; i++)
			printk_sink(s[i]);
	console_lock_drop(taken, flags);
}

static void log_char(char c)
{
	log_buf[log_head % LOG_BUF_SIZE] = c;
	log_head++;
	if (printk_sink)
		printk_sink(c);
}

static void emit(const char *s, int n)
{
	for (int i = 0; i < n; i++) {
		if (at_line_start && line_prefix)
			for (const char *p = line_prefix; *p; p++)
				log_char(*p);
		log_char(s[i]);
		at_line_start = s[i] == '\n';
	}
}

void printk_log_dump(void)
{
	uint32_t kept = log_head < LOG_BUF_SIZE ? log_head : LOG_BUF_SIZE;
	uint32_t start = log_head - kept;

	/* Two pieces at most: the older part wraps around the buffer's end. */
	for (uint32_t done = 0; done < kept;) {
		uint32_t at = (start + done) % LOG_BUF_SIZE;
		uint32_t n = MIN(kept - done, LOG_BUF_SIZE - at);
		console_write(log_buf + at, n);
		done += n;
	}
}

int vprintk(const char *fmt, va_list ap)
{
	char line[512];
	int n, shown;
	bool taken;
	irqflags_t flags;

	if (muted)
		return 0;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	shown = n < (int)sizeof(line) ? n : (int)sizeof(line) - 1;
	flags = console_lock_take(&taken);

	emit(line, shown);
	console_lock_drop(taken, flags);
	return shown;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}
