/*
 * cli/output.c - JSON documents and display-width-aware text tables.
 */
#include <errno.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "cli.h"

int cli_json_print(struct hearth_cli *cli, json_t *doc)
{
	int rc;

	if (doc == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	/* No JSON_ENSURE_ASCII: Chinese text stays readable UTF-8. */
	rc = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (rc != 0 || fputc('\n', stdout) == EOF)
		return cli_error(cli, "%s", _("cannot write the output"));
	return CLI_EXIT_OK;
}

json_t *cli_json_record(const hearth_record *r)
{
	char hex[HEARTH_ID_HEX + 1];
	json_t *o = json_object();
	json_t *fields = json_object();
	size_t i;
	int bad = (o == NULL || fields == NULL);

	if (bad)
		goto out;
	bad |= json_object_set_new(o, "id", json_string(cli_id_hex(&r->id, hex)));
	bad |= json_object_set_new(o, "kind", json_string(r->kind));
	bad |= json_object_set_new(o, "space", json_string(cli_id_hex(&r->space, hex)));
	bad |= json_object_set_new(o, "created_ms",
				   json_integer((json_int_t)hearth_hlc_ms(&r->created)));
	bad |= json_object_set_new(o, "deleted", json_boolean(r->deleted));
	for (i = 0; i < r->nfields; i++)
		bad |= json_object_set_new(fields, r->fields[i].name,
					   json_string(r->fields[i].value));
	bad |= json_object_set(o, "fields", fields);
out:
	json_decref(fields);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- display width ------------------------------------------------- */

/* Decodes one UTF-8 sequence at s; returns its length (0 if malformed) and
 * the code point in *cp. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Refuse overlong forms, surrogates and values past Unicode. */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Width without a UTF-8 locale: East Asian wide and full-width ranges
 * count 2 (the blocks Chinese text uses; not the full Unicode table),
 * combining marks 0, the rest 1. */
static int fallback_width(uint32_t c)
{
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return 0;
	if ((c >= 0x0300 && c <= 0x036f) || c == 0x200b ||
	    (c >= 0xfe00 && c <= 0xfe0f))
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) ||   /* Hangul Jamo */
	    (c >= 0x2e80 && c <= 0x303e) ||   /* CJK radicals, punctuation */
	    (c >= 0x3041 && c <= 0x33ff) ||   /* kana, CJK symbols */
	    (c >= 0x3400 && c <= 0x4dbf) ||   /* CJK extension A */
	    (c >= 0x4e00 && c <= 0x9fff) ||   /* CJK unified ideographs */
	    (c >= 0xa000 && c <= 0xa4cf) ||   /* Yi */
	    (c >= 0xac00 && c <= 0xd7a3) ||   /* Hangul syllables */
	    (c >= 0xf900 && c <= 0xfaff) ||   /* CJK compatibility */
	    (c >= 0xfe30 && c <= 0xfe4f) ||   /* CJK compatibility forms */
	    (c >= 0xff00 && c <= 0xff60) ||   /* full-width forms */
	    (c >= 0xffe0 && c <= 0xffe6) ||
	    (c >= 0x1f300 && c <= 0x1f64f) || /* emoji */
	    (c >= 0x1f900 && c <= 0x1f9ff) ||
	    (c >= 0x20000 && c <= 0x3fffd))   /* CJK extensions B and on */
		return 2;
	return 1;
}

static int locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && strcmp(cs, "UTF-8") == 0;
}

size_t cli_display_width(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int utf8 = locale_is_utf8();
	size_t w = 0, n;
	uint32_t c;
	int cw;

	while (*s != '\0') {
		n = utf8_decode(s, &c);
		if (n == 0) {
			w++;
			s++;
			continue;
		}
		cw = utf8 ? wcwidth((wchar_t)c) : fallback_width(c);
		if (cw < 0)
			cw = (c < 0x20 || c == 0x7f) ? 0 : 1;
		w += (size_t)cw;
		s += n;
	}
	return w;
}

void cli_print_padded(FILE *f, const char *s, size_t width)
{
	size_t w = cli_display_width(s);

	fputs(s, f);
	for (; w < width; w++)
		fputc(' ', f);
}

/* ---- tables -------------------------------------------------------- */

struct cli_table {
	size_t ncols;
	int has_header;
	size_t nrows;     /* header included */
	size_t cap;
	char **cells;     /* nrows * ncols, row-major */
	int kv;           /* skip rows whose value is empty */
};

static int table_push(struct cli_table *t, const char *const *cells)
{
	size_t i;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * t->ncols * sizeof *c);

		if (c == NULL)
			return -1;
		t->cells = c;
		t->cap = cap;
	}
	for (i = 0; i < t->ncols; i++) {
		const char *v = cells[i] != NULL ? cells[i] : "";
		char *copy = strdup(v);
		size_t j;

		if (copy == NULL) {
			for (j = 0; j < i; j++)
				free(t->cells[t->nrows * t->ncols + j]);
			return -1;
		}
		t->cells[t->nrows * t->ncols + i] = copy;
	}
	t->nrows++;
	return 0;
}

struct cli_table *cli_table_new(size_t ncols, const char *const *header)
{
	struct cli_table *t;

	if (ncols == 0)
		return NULL;
	t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->ncols = ncols;
	if (header != NULL) {
		if (table_push(t, header) != 0) {
			free(t);
			return NULL;
		}
		t->has_header = 1;
	}
	return t;
}

int cli_table_add(struct cli_table *t, const char *const *cells)
{
	return table_push(t, cells);
}

/* The last cell may hold several lines (a note): later lines start under
 * its first one. */
static void print_last_cell(FILE *f, const char *s, const size_t *widths,
			    size_t col)
{
	size_t indent = 0, i;

	for (i = 0; i < col; i++)
		indent += widths[i] + 2;
	for (; *s != '\0'; s++) {
		fputc(*s, f);
		if (*s == '\n' && s[1] != '\0')
			for (i = 0; i < indent; i++)
				fputc(' ', f);
	}
}

void cli_table_print(const struct cli_table *t, FILE *f)
{
	size_t *widths;
	size_t r, c, last;

	if (t == NULL || t->nrows == 0)
		return;
	widths = calloc(t->ncols, sizeof *widths);
	if (widths == NULL)
		return;
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			size_t w = cli_display_width(t->cells[r * t->ncols + c]);

			if (w > widths[c])
				widths[c] = w;
		}
	for (r = 0; r < t->nrows; r++) {
		char *const *row = &t->cells[r * t->ncols];

		/* No padding after the last non-empty cell. */
		for (last = t->ncols; last > 1 && row[last - 1][0] == '\0'; last--)
			;
		for (c = 0; c < last; c++) {
			if (c + 1 < last) {
				cli_print_padded(f, row[c], widths[c]);
				fputs("  ", f);
			} else {
				print_last_cell(f, row[c], widths, c);
			}
		}
		fputc('\n', f);
	}
	free(widths);
}

void cli_table_free(struct cli_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

struct cli_table *cli_kv_new(void)
{
	struct cli_table *t = cli_table_new(2, NULL);

	if (t != NULL)
		t->kv = 1;
	return t;
}

int cli_kv_add(struct cli_table *t, const char *label, const char *value)
{
	const char *cells[2];
	char *with_colon;
	size_t n;
	int rc;

	if (value == NULL || value[0] == '\0')
		return 0;
	/* The colon is part of the translated label format, so Chinese
	 * gets its full-width one. */
	n = strlen(label) + 8;
	with_colon = malloc(n);
	if (with_colon == NULL)
		return -1;
	snprintf(with_colon, n, _("%s:"), label);
	cells[0] = with_colon;
	cells[1] = value;
	rc = table_push(t, cells);
	free(with_colon);
	return rc;
}

int cli_check_text(struct hearth_cli *cli, const char *option, const char *value)
{
	hearth_status st = hearth_text_check(option, value);

	if (st != HEARTH_OK)
		return cli_usage(cli, "%s", hearth_errdetail_local());
	return 0;
}

const char *cli_format_ms(uint64_t ms, char buf[32])
{
	time_t t = (time_t)(ms / 1000u);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, 32, "%llu", (unsigned long long)ms);
	return buf;
}

int cli_write_file(struct hearth_cli *cli, const char *path, const uint8_t *data,
		   size_t len)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	int fd = -1, ok = 0;

	if (tmp == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	/* Beside the target, so the rename stays on one file system. */
	snprintf(tmp, plen + 16, "%s.tmp-XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd >= 0) {
		size_t off = 0;

		while (off < len) {
			ssize_t w = write(fd, data + off, len - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		ok = off == len && fsync(fd) == 0;
		ok = close(fd) == 0 && ok;
		ok = ok && rename(tmp, path) == 0;
		if (!ok)
			unlink(tmp);
	}
	if (!ok) {
		int e = errno;

		free(tmp);
		return cli_error(cli, _("cannot write %s: %s"), path, strerror(e));
	}
	free(tmp);
	return CLI_EXIT_OK;
}

int cli_read_file(struct hearth_cli *cli, const char *path, size_t max,
		  uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	size_t n = 0;

	*data = NULL;
	*len = 0;
	if (f == NULL)
		return cli_error(cli, _("cannot read %s: %s"), path, strerror(errno));
	b = malloc(max + 1);
	if (b == NULL) {
		fclose(f);
		return cli_error(cli, "%s", _("out of memory"));
	}
	n = fread(b, 1, max + 1, f);
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		free(b);
		return cli_error(cli, _("cannot read %s: %s"), path, strerror(e));
	}
	fclose(f);
	if (n > max) {
		free(b);
		return cli_error(cli, _("%s is too large to be what was asked for"), path);
	}
	*data = b;
	*len = n;
	return CLI_EXIT_OK;
}

/* Groups per line of a printed fingerprint. */
#define FINGERPRINT_GROUPS_PER_LINE 4u

void cli_fingerprint_print(const char *fp)
{
	unsigned g;

	for (g = 0; g < HEARTH_FINGERPRINT_GROUPS; g++)
		printf("%s%.5s%s", g % FINGERPRINT_GROUPS_PER_LINE == 0 ? "  " : " ", fp + 6 * g,
		       g % FINGERPRINT_GROUPS_PER_LINE == FINGERPRINT_GROUPS_PER_LINE - 1 ?
		       "\n" : "");
}

int cli_list_finish(struct hearth_cli *cli, hearth_status st, int failed,
		    json_t *arr, struct cli_table *t, const char *key)
{
	if (st == HEARTH_OK && failed)
		st = hearth_fail(HEARTH_ENOMEM, "out of memory");
	if (st != HEARTH_OK) {
		json_decref(arr);
		cli_table_free(t);
		return cli_error_status(cli, st);
	}
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:o}", key, arr));
	cli_table_print(t, stdout);
	cli_table_free(t);
	return CLI_EXIT_OK;
}
