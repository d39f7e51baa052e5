/*
 * status.c - messages for hearth_status codes and the per-thread detail.
 *
 * A failure's detail is kept in three forms: its code (the format the
 * source passed to hearth_fail(), which is also its msgid in po/), its
 * arguments rendered to text one by one, and the sentence in English and
 * in the user's language.  A face shows the last; a program that wants to
 * react to one situation compares the code and reads the arguments; no
 * one parses a sentence.
 */
#include <libintl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hearth/status.h"

/* Marks a string for xgettext without translating it here. */
#define N_(s) s

static const char *const messages[] = {
	[HEARTH_OK] = N_("no error"),
	[HEARTH_ERROR] = N_("operation failed"),
	[HEARTH_ENOMEM] = N_("out of memory"),
	[HEARTH_EINVAL] = N_("invalid argument"),
	[HEARTH_EIO] = N_("input/output error"),
	[HEARTH_ECRYPTO] = N_("cryptographic library failure"),
	[HEARTH_EAUTH] = N_("authentication failed"),
	[HEARTH_EPASSPHRASE] = N_("wrong passphrase"),
	[HEARTH_ENOVAULT] = N_("no vault"),
	[HEARTH_EEXISTS] = N_("already exists"),
	[HEARTH_EDAMAGED] = N_("vault damaged"),
	[HEARTH_ENEWER] = N_("written by a newer version of hearth"),
	[HEARTH_EDB] = N_("database error"),
	[HEARTH_ENOTFOUND] = N_("not found"),
	[HEARTH_EAMBIGUOUS] = N_("ambiguous id prefix"),
	[HEARTH_EFORMAT] = N_("malformed input"),
	[HEARTH_EFUTURE] = N_("op too far in the future; kept aside"),
	[HEARTH_ESTATE] = N_("not allowed in the current state"),
	[HEARTH_EBUSY] = N_("vault is busy"),
	[HEARTH_EINCOMPLETE] = N_("answers incomplete; not scored"),
	[HEARTH_EOTHERVAULT] = N_("key file of another vault"),
	[HEARTH_ENET] = N_("relay unreachable or refused"),
	[HEARTH_ECANCELED] = N_("cancelled"),
};

/* The last failure of this thread.  libhearth is synchronous and its
 * handles are not shared between threads, so this is the errno pattern
 * with text.  Sizes: a detail names a path or a value at most, and
 * Chinese takes three bytes a character. */
struct failure {
	hearth_status status;
	unsigned argc;
	size_t argoff[HEARTH_ERR_MAXARGS]; /* into args */
	char code[256];
	char args[1024];
	char detail[512];
	char local[1024];
};

static _Thread_local struct failure cur;
static _Thread_local hearth_errinfo info;

_Static_assert(sizeof(struct failure) <= HEARTH_ERRSAVE_BYTES,
	       "hearth_errsave cannot hold a failure");

void hearth_errsave_take(hearth_errsave *out)
{
	memcpy(out->b, &cur, sizeof cur);
}

hearth_status hearth_errsave_raise(const hearth_errsave *in)
{
	memcpy(&cur, in->b, sizeof cur);
	return cur.status;
}

const char *hearth_strerror(hearth_status status)
{
	if ((unsigned)status >= sizeof messages / sizeof messages[0] ||
	    messages[status] == NULL)
		return "unknown error";
	return messages[status];
}

const char *hearth_errdetail(void)
{
	if (cur.detail[0] != '\0')
		return cur.detail;
	return hearth_strerror(cur.status);
}

const char *hearth_errdetail_local(void)
{
	if (cur.local[0] != '\0')
		return cur.local;
	return dgettext(HEARTH_TEXTDOMAIN, hearth_strerror(cur.status));
}

const hearth_errinfo *hearth_errinfo_get(void)
{
	unsigned i;

	info.status = cur.status;
	info.code = cur.code;
	info.argc = cur.argc;
	for (i = 0; i < HEARTH_ERR_MAXARGS; i++)
		info.argv[i] = i < cur.argc ? cur.args + cur.argoff[i] : NULL;
	info.detail = hearth_errdetail();
	info.local = hearth_errdetail_local();
	return &info;
}

/* Appends text (n bytes of it) to buf of size cap, truncating. */
static void put(char *buf, size_t cap, size_t *used, const char *s, size_t n)
{
	if (*used + 1 >= cap)
		return;
	if (n > cap - 1 - *used)
		n = cap - 1 - *used;
	memcpy(buf + *used, s, n);
	*used += n;
	buf[*used] = '\0';
}

/* Takes one integer argument of conversion c with length modifier len
 * ("", "hh", "h", "l", "ll", "z", "j", "t") off ap and prints it with
 * spec (flags, width and precision already in it, length and conversion
 * not) into out. */
static void render_int(char *out, size_t cap, const char *spec, const char *len,
		       char c, va_list *ap)
{
	char f[48];
	int is_signed = (c == 'd' || c == 'i');

	snprintf(f, sizeof f, "%sj%c", spec, c);
	if (is_signed) {
		intmax_t v;

		if (strcmp(len, "l") == 0)
			v = va_arg(*ap, long);
		else if (strcmp(len, "ll") == 0)
			v = va_arg(*ap, long long);
		else if (strcmp(len, "z") == 0)
			v = (intmax_t)(ptrdiff_t)va_arg(*ap, size_t);
		else if (strcmp(len, "j") == 0)
			v = va_arg(*ap, intmax_t);
		else if (strcmp(len, "t") == 0)
			v = va_arg(*ap, ptrdiff_t);
		else if (strcmp(len, "hh") == 0)
			v = (signed char)va_arg(*ap, int);
		else if (strcmp(len, "h") == 0)
			v = (short)va_arg(*ap, int);
		else
			v = va_arg(*ap, int);
		snprintf(out, cap, f, v);
	} else {
		uintmax_t v;

		if (strcmp(len, "l") == 0)
			v = va_arg(*ap, unsigned long);
		else if (strcmp(len, "ll") == 0)
			v = va_arg(*ap, unsigned long long);
		else if (strcmp(len, "z") == 0)
			v = va_arg(*ap, size_t);
		else if (strcmp(len, "j") == 0)
			v = va_arg(*ap, uintmax_t);
		else if (strcmp(len, "t") == 0)
			v = (uintmax_t)va_arg(*ap, ptrdiff_t);
		else if (strcmp(len, "hh") == 0)
			v = (unsigned char)va_arg(*ap, unsigned);
		else if (strcmp(len, "h") == 0)
			v = (unsigned short)va_arg(*ap, unsigned);
		else
			v = va_arg(*ap, unsigned);
		snprintf(out, cap, f, v);
	}
}

/* Renders each conversion of fmt into f->args, taking its argument (and
 * any '*' width or precision) off ap by the conversion's type.  A "%-s"
 * (a '-' flag and no width) marks a word of the core's vocabulary: bit i
 * of *words is set for it. */
static void render_args(struct failure *f, const char *fmt, va_list *ap,
			unsigned *words)
{
	size_t used = 0;
	const char *p = fmt;

	f->argc = 0;
	f->args[0] = '\0';
	f->args[sizeof f->args - 1] = '\0';
	*words = 0;
	while ((p = strchr(p, '%')) != NULL) {
		char spec[32], len[3] = "", text[512];
		size_t n = 0;
		int has_width = 0, minus = 0;

		if (p[1] == '%') {
			p += 2;
			continue;
		}
		spec[n++] = *p++;
		while (*p != '\0' && strchr("-+ #0", *p) != NULL) {
			if (*p == '-')
				minus = 1;
			if (n < 8)
				spec[n++] = *p;
			p++;
		}
		if (*p == '*') {
			n += (size_t)snprintf(spec + n, sizeof spec - n, "%d", va_arg(*ap, int));
			has_width = 1;
			p++;
		}
		while (*p >= '0' && *p <= '9') {
			if (n < 16)
				spec[n++] = *p;
			has_width = 1;
			p++;
		}
		if (*p == '.') {
			spec[n++] = *p++;
			if (*p == '*') {
				n += (size_t)snprintf(spec + n, sizeof spec - n, "%d",
						      va_arg(*ap, int));
				p++;
			}
			while (*p >= '0' && *p <= '9') {
				if (n < 28)
					spec[n++] = *p;
				p++;
			}
		}
		spec[n] = '\0';
		while (*p != '\0' && strchr("hlzjtL", *p) != NULL) {
			if (strlen(len) < 2)
				strncat(len, p, 1);
			p++;
		}
		text[0] = '\0';
		switch (*p) {
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
			render_int(text, sizeof text, spec, len, *p, ap);
			break;
		case 'c':
			snprintf(text, sizeof text, "%c", (char)va_arg(*ap, int));
			break;
		case 's': {
			const char *s = va_arg(*ap, const char *);
			char sf[40];

			snprintf(sf, sizeof sf, "%ss", spec);
			snprintf(text, sizeof text, sf, s != NULL ? s : "(null)");
			if (minus && !has_width && f->argc < HEARTH_ERR_MAXARGS)
				*words |= 1u << f->argc;
			break;
		}
		case 'p':
			snprintf(text, sizeof text, "%p", va_arg(*ap, void *));
			break;
		case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
		case 'a': case 'A': {
			char ff[40];

			snprintf(ff, sizeof ff, "%s%c", spec, *p);
			if (strcmp(len, "L") == 0)
				snprintf(text, sizeof text, "%Lf", va_arg(*ap, long double));
			else
				snprintf(text, sizeof text, ff, va_arg(*ap, double));
			break;
		}
		default:
			/* Not a conversion hearth_fail's callers use: stop
			 * rather than misread the arguments. */
			return;
		}
		p++;
		if (f->argc == HEARTH_ERR_MAXARGS)
			continue;
		if (used + 1 >= sizeof f->args) {
			/* Full: the last byte is a terminator, an empty text. */
			f->argoff[f->argc++] = sizeof f->args - 1;
			continue;
		}
		f->argoff[f->argc++] = used;
		put(f->args, sizeof f->args, &used, text, strlen(text));
		f->args[used++] = '\0';
	}
}

/* Writes the translated format tr with the arguments in place of its
 * conversions: the i-th conversion takes argument i, "%N$..." takes
 * argument N.  Flags and widths of tr are not applied: an argument reads
 * as the source's format rendered it. */
static void fill(char *buf, size_t cap, const char *tr, const char *const *argv,
		 unsigned argc)
{
	size_t used = 0;
	unsigned next = 0, idx;
	const char *q;

	buf[0] = '\0';
	while (*tr != '\0') {
		if (tr[0] != '%') {
			put(buf, cap, &used, tr++, 1);
			continue;
		}
		if (tr[1] == '%') {
			put(buf, cap, &used, "%", 1);
			tr += 2;
			continue;
		}
		q = tr + 1;
		idx = next++;
		if (*q >= '1' && *q <= '9') {
			unsigned k = 0;
			const char *d = q;

			while (*d >= '0' && *d <= '9')
				k = k * 10 + (unsigned)(*d++ - '0');
			if (*d == '$') {
				idx = k - 1;
				q = d + 1;
			}
		}
		while (*q != '\0' && strchr("-+ #0123456789.*hlzjtL", *q) != NULL)
			q++;
		if (*q == '\0')
			break;
		if (idx < argc)
			put(buf, cap, &used, argv[idx], strlen(argv[idx]));
		tr = q + 1;
	}
}

hearth_status hearth_fail(hearth_status status, const char *fmt, ...)
{
	/* Built aside and then copied: an argument may be this thread's
	 * previous detail (or one of its arguments). */
	static _Thread_local struct failure next;
	const char *argv[HEARTH_ERR_MAXARGS], *tr;
	unsigned words, i;
	va_list ap, aq;

	next.status = status;
	next.code[0] = next.detail[0] = next.local[0] = '\0';
	next.argc = 0;
	if (fmt == NULL) {
		cur = next;
		return status;
	}
	snprintf(next.code, sizeof next.code, "%s", fmt);
	va_start(ap, fmt);
	va_copy(aq, ap);
	vsnprintf(next.detail, sizeof next.detail, fmt, ap);
	render_args(&next, fmt, &aq, &words);
	va_end(aq);
	va_end(ap);

	/* The user's language: the translated format (the catalogue of the
	 * "hearth" domain the face bound), filled with the arguments; a word
	 * of the core's vocabulary is translated too. */
	tr = dgettext(HEARTH_TEXTDOMAIN, fmt);
	if (tr == fmt) {
		snprintf(next.local, sizeof next.local, "%s", next.detail);
	} else {
		for (i = 0; i < next.argc; i++) {
			argv[i] = next.args + next.argoff[i];
			if (words & (1u << i))
				argv[i] = dgettext(HEARTH_TEXTDOMAIN, argv[i]);
		}
		fill(next.local, sizeof next.local, tr, argv, next.argc);
	}
	cur = next;
	return status;
}

void hearth_errdetail_clear(void)
{
	memset(&cur, 0, sizeof cur);
}
