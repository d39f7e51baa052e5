/*
 * settings.c - the vault's settings record.  See hearth/settings.h.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "casework_private.h"
#include "hearth/audit.h"
#include "hearth/instruments.h"
#include "hearth/relay.h"
#include "hearth/settings.h"
#include "hearth/timeutil.h"

#define SUPERVISOR_MAX 200u

/* The defaults, with the name and hours in each language.  None is
 * verified: the vault has never rung them, so the counsellor is asked to. */
static const struct {
	const char *en, *zh, *number, *hours_en, *hours_zh;
} default_lines[] = {
	{"National mental-health helpline", "全国心理援助热线", "12356",
	 "24 h", "24小时"},
	{"Emergency (ambulance)", "急救", "120", "24 h", "24小时"},
	{"Police", "报警", "110", "24 h", "24小时"},
};
#define N_DEFAULT_LINES (sizeof default_lines / sizeof default_lines[0])

static const hearth_setting_info keys[] = {
	{HEARTH_SETTING_HELPLINES,
	 "[{\"name\":\"全国心理援助热线 / National mental-health helpline\","
	 "\"number\":\"12356\",\"hours\":\"24 h\",\"verified\":\"\"},"
	 "{\"name\":\"急救 / Emergency (ambulance)\",\"number\":\"120\","
	 "\"hours\":\"24 h\",\"verified\":\"\"},{\"name\":\"报警 / Police\","
	 "\"number\":\"110\",\"hours\":\"24 h\",\"verified\":\"\"}]",
	 "help lines on the crisis card, as Name:number,Name:number",
	 "危机卡上的求助热线，格式为 名称:号码,名称:号码"},
	{HEARTH_SETTING_PHQ9_CUTOFF, "10",
	 "PHQ-9 positive cut-off: 10, or 7 (validated for the Chinese "
	 "general population)",
	 "PHQ-9 阳性界值：10，或 7（经中国一般人群验证的界值）"},
	{HEARTH_SETTING_LANG, "",
	 "language of the vault's output: en, zh_CN, or empty to follow "
	 "the locale",
	 "输出语言：en、zh_CN，留空则跟随系统语言环境"},
	{HEARTH_SETTING_SUPERVISOR, "",
	 "who to tell in a crisis (name and number), shown on the crisis card",
	 "危机时需告知的督导（姓名和电话），显示在危机卡上"},
	{HEARTH_SETTING_RELAY_URL, "",
	 "the relay 'hearth sync' uses when given none (https://host:port)",
	 "未指定中继时 hearth sync 使用的中继地址"},
	{HEARTH_SETTING_RELAY_PIN, "",
	 "the relay certificate's pinned key (sha256//...), for a LAN relay",
	 "中继证书的固定公钥（sha256//...），用于局域网中继"},
};
#define N_KEYS (sizeof keys / sizeof keys[0])

const hearth_setting_info *hearth_settings_keys(size_t *n)
{
	if (n != NULL)
		*n = N_KEYS;
	return keys;
}

static const hearth_setting_info *key_info(const char *key)
{
	size_t i;

	for (i = 0; key != NULL && i < N_KEYS; i++)
		if (strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

static hearth_status unknown_key(const char *key)
{
	return hearth_fail(HEARTH_ENOTFOUND, "no setting '%.60s' (see 'hearth "
			   "config list')", key != NULL ? key : "");
}

/* ---- reading ---- */

struct find_ctx {
	hearth_id space;
	const char *key;      /* NULL: just find the first record */
	int found_record;
	hearth_id record;     /* the oldest settings record */
	char *value;          /* the key's value, malloc'd */
	int failed;
};

static int find_cb(const hearth_record *r, void *arg)
{
	struct find_ctx *c = arg;
	const char *v;

	if (!hearth_id_equal(&r->space, &c->space))
		return 0;
	if (!c->found_record) {
		c->found_record = 1;
		c->record = r->id;
	}
	if (c->key == NULL)
		return 1;
	v = hearth_record_field(r, c->key);
	if (v == NULL)
		return 0;
	c->value = strdup(v);
	if (c->value == NULL)
		c->failed = 1;
	return 1;
}

/* Settings that belong to one device (the language its faces speak) live
 * in the device-local space and never sync; the rest are the vault's, in
 * the private space. */
static int device_local(const char *key)
{
	return key != NULL && strcmp(key, HEARTH_SETTING_LANG) == 0;
}

/* Looks key up across the settings records of space, oldest first. */
static hearth_status find_in(hearth_store *s, const hearth_id *space,
			     const char *key, struct find_ctx *c)
{
	hearth_status st;

	memset(c, 0, sizeof *c);
	c->space = *space;
	c->key = key;
	st = hearth_store_each(s, HEARTH_SETTINGS_KIND, 0, find_cb, c);
	if (st == HEARTH_OK && c->failed)
		st = hearth_fail(HEARTH_ENOMEM, "out of memory reading settings");
	if (st != HEARTH_OK) {
		free(c->value);
		c->value = NULL;
	}
	return st;
}

/* Looks key up where it lives.  A device-local key set before there were
 * device-local settings is still found in the private space. */
static hearth_status find(hearth_store *s, const char *key, struct find_ctx *c)
{
	hearth_id local = hearth_store_local_space(s);
	hearth_id priv = hearth_store_private_space(s);
	hearth_status st;

	if (!device_local(key))
		return find_in(s, &priv, key, c);
	st = find_in(s, &local, key, c);
	if (st == HEARTH_OK && c->value == NULL)
		st = find_in(s, &priv, key, c);
	return st;
}

hearth_status hearth_settings_get(hearth_store *s, const char *key, char **out)
{
	const hearth_setting_info *info;
	struct find_ctx c;
	hearth_status st;

	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or output for settings");
	*out = NULL;
	info = key_info(key);
	if (info == NULL)
		return unknown_key(key);
	if ((st = find(s, key, &c)) != HEARTH_OK)
		return st;
	if (c.value == NULL) {
		c.value = strdup(info->default_value);
		if (c.value == NULL)
			return hearth_fail(HEARTH_ENOMEM, "out of memory");
	}
	*out = c.value;
	return HEARTH_OK;
}

hearth_status hearth_settings_is_set(hearth_store *s, const char *key,
				     int *is_set)
{
	struct find_ctx c;
	hearth_status st;

	if (s == NULL || is_set == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or output for settings");
	*is_set = 0;
	if (key_info(key) == NULL)
		return unknown_key(key);
	if ((st = find(s, key, &c)) != HEARTH_OK)
		return st;
	*is_set = c.value != NULL;
	free(c.value);
	return HEARTH_OK;
}

/* ---- help lines ---- */

/* Frees the strings of one line and leaves it empty. */
static void line_free(hearth_helpline *l)
{
	free(l->name);
	free(l->number);
	free(l->hours);
	free(l->verified);
	memset(l, 0, sizeof *l);
}

void hearth_helplines_free(hearth_helpline *lines, size_t n)
{
	size_t i;

	if (lines == NULL)
		return;
	for (i = 0; i < n; i++)
		line_free(&lines[i]);
	free(lines);
}

int hearth_helpline_stale(const hearth_helpline *line, const char *today)
{
	int32_t days;

	if (line == NULL || line->verified == NULL || line->verified[0] == '\0')
		return 1;
	/* A date that does not parse is as good as none. */
	if (hearth_date_diff(line->verified, today, &days) != HEARTH_OK) {
		hearth_errdetail_clear();
		return 1;
	}
	return days > HEARTH_HELPLINE_STALE_DAYS;
}

static int has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* Checks the hours and the verified date of help line `which` (from 1).
 * NULL reads as "".  A verified date must be a real date; one after today
 * (when today is given) is refused, as a day nobody has lived yet. */
static hearth_status extras_check(size_t which, const char *hours,
				  const char *verified, const char *today)
{
	int32_t day, now;

	if (hours != NULL && (strlen(hours) > HEARTH_HELPLINE_HOURS_MAX ||
			      has_control(hours, strlen(hours))))
		return hearth_fail(HEARTH_EINVAL, "help line %zu: the hours must "
				   "be one line of at most %u bytes", which,
				   HEARTH_HELPLINE_HOURS_MAX);
	if (verified == NULL || verified[0] == '\0')
		return HEARTH_OK;
	if (strlen(verified) != HEARTH_DATE_LEN ||
	    hearth_date_parse(verified, &day) != HEARTH_OK)
		return hearth_fail(HEARTH_EINVAL, "help line %zu: verified "
				   "'%.20s' is not a valid date: use YYYY-MM-DD",
				   which, verified);
	if (today != NULL && today[0] != '\0') {
		if (hearth_date_parse(today, &now) != HEARTH_OK)
			return HEARTH_EINVAL;
		if (day > now)
			return hearth_fail(HEARTH_EINVAL, "help line %zu: verified "
					   "%s is after today (%s)", which,
					   verified, today);
	}
	return HEARTH_OK;
}

/* Sets l's hours and verified date (NULL: ""), after extras_check.  The
 * new values may be l's own (copied before the old ones are freed). */
static hearth_status extras_set(hearth_helpline *l, const char *hours,
				const char *verified)
{
	char *h = strdup(hours != NULL ? hours : "");
	char *v = strdup(verified != NULL ? verified : "");

	if (h == NULL || v == NULL) {
		free(h);
		free(v);
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	}
	free(l->hours);
	free(l->verified);
	l->hours = h;
	l->verified = v;
	return HEARTH_OK;
}

/* Checks and copies one help line (name and number given as slices,
 * already trimmed; hours and verified empty).  which counts from 1 for
 * messages. */
static hearth_status line_set(hearth_helpline *l, size_t which,
			      const char *name, size_t nlen,
			      const char *num, size_t numlen)
{
	size_t i, digits = 0;

	if (nlen == 0)
		return hearth_fail(HEARTH_EINVAL, "help line %zu has no name: "
				   "write Name:number", which);
	if (numlen == 0)
		return hearth_fail(HEARTH_EINVAL, "help line %zu '%.*s' has no "
				   "number: write Name:number", which,
				   (int)(nlen > 40 ? 40 : nlen), name);
	if (nlen > HEARTH_HELPLINE_NAME_MAX || has_control(name, nlen))
		return hearth_fail(HEARTH_EINVAL, "help line %zu: the name must "
				   "be one line of at most %u bytes", which,
				   HEARTH_HELPLINE_NAME_MAX);
	if (numlen > HEARTH_HELPLINE_NUMBER_MAX)
		return hearth_fail(HEARTH_EINVAL, "help line %zu: the number is "
				   "longer than %u characters", which,
				   HEARTH_HELPLINE_NUMBER_MAX);
	for (i = 0; i < numlen; i++) {
		char ch = num[i];
		if (ch >= '0' && ch <= '9')
			digits++;
		else if (ch != ' ' && ch != '+' && ch != '-' && ch != '(' &&
			 ch != ')')
			return hearth_fail(HEARTH_EINVAL, "help line %zu: '%.*s' "
					   "is not a phone number (digits, "
					   "spaces, + - ( ) only)", which,
					   (int)numlen, num);
	}
	if (digits == 0)
		return hearth_fail(HEARTH_EINVAL, "help line %zu: the number has "
				   "no digits", which);
	l->name = strndup(name, nlen);
	l->number = strndup(num, numlen);
	if (l->name == NULL || l->number == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	return extras_set(l, NULL, NULL);
}

static void trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* The JSON array form. */
static hearth_status parse_json_lines(const char *text, hearth_helpline **out,
				      size_t *n_out)
{
	hearth_helpline *v = NULL;
	json_error_t err;
	json_t *root;
	size_t i, n = 0;
	hearth_status st = HEARTH_OK;

	root = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL || !json_is_array(root)) {
		st = hearth_fail(HEARTH_EINVAL, "help lines: expected a JSON "
				 "array of {\"name\", \"number\", \"hours\", "
				 "\"verified\"}");
		goto out;
	}
	n = json_array_size(root);
	if (n == 0 || n > HEARTH_HELPLINES_MAX) {
		st = hearth_fail(HEARTH_EINVAL, "give 1-%u help lines",
				 HEARTH_HELPLINES_MAX);
		n = 0;
		goto out;
	}
	v = calloc(n, sizeof *v);
	if (v == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory");
		n = 0;
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(root, i);
		json_t *name = json_object_get(e, "name");
		json_t *num = json_object_get(e, "number");
		/* hours and verified came later: a value stored without
		 * them reads as hours unknown, never verified. */
		json_t *hours = json_object_get(e, "hours");
		json_t *ver = json_object_get(e, "verified");
		const char *ns, *us;
		size_t nl, ul;
		if (!json_is_object(e) || !json_is_string(name) ||
		    !json_is_string(num) ||
		    (hours != NULL && !json_is_string(hours)) ||
		    (ver != NULL && !json_is_string(ver)) ||
		    json_object_size(e) !=
		    2u + (hours != NULL) + (ver != NULL)) {
			st = hearth_fail(HEARTH_EINVAL, "help line %zu: expected "
					 "{\"name\": ..., \"number\": ..., "
					 "\"hours\": ..., \"verified\": ...}",
					 i + 1);
			goto out;
		}
		ns = json_string_value(name);
		nl = json_string_length(name);
		us = json_string_value(num);
		ul = json_string_length(num);
		if (strlen(ns) != nl || strlen(us) != ul) {
			st = hearth_fail(HEARTH_EINVAL, "help line %zu holds a "
					 "NUL character", i + 1);
			goto out;
		}
		trim(&ns, &nl);
		trim(&us, &ul);
		if ((st = line_set(&v[i], i + 1, ns, nl, us, ul)) != HEARTH_OK ||
		    (st = extras_check(i + 1, json_string_value(hours),
				       json_string_value(ver), NULL)) !=
		    HEARTH_OK ||
		    (st = extras_set(&v[i], json_string_value(hours),
				     json_string_value(ver))) != HEARTH_OK)
			goto out;
	}
	*out = v;
	*n_out = n;
	v = NULL;
out:
	hearth_helplines_free(v, n);
	json_decref(root);
	return st;
}

hearth_status hearth_helplines_parse(const char *text, hearth_helpline **out,
				     size_t *n_out)
{
	hearth_helpline *v = NULL;
	size_t n = 0, len, pos = 0;
	const char *p;
	hearth_status st = HEARTH_OK;

	if (out == NULL || n_out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no output for help lines");
	*out = NULL;
	*n_out = 0;
	if (text == NULL)
		text = "";
	p = text;
	len = strlen(text);
	trim(&p, &len);
	if (len > 0 && p[0] == '[')
		return parse_json_lines(text, out, n_out);
	if (len > 0 && p[len - 1] == ',')
		len--;
	if (len == 0)
		return hearth_fail(HEARTH_EINVAL, "no help lines: write "
				   "Name:number,Name:number");
	v = calloc(HEARTH_HELPLINES_MAX, sizeof *v);
	if (v == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	while (pos <= len) {
		const char *e = p + pos, *name, *num, *colon = NULL;
		size_t elen = 0, nlen, numlen, k, clen = 0;

		while (pos + elen < len && e[elen] != ',')
			elen++;
		if (n == HEARTH_HELPLINES_MAX) {
			st = hearth_fail(HEARTH_EINVAL, "more than %u help lines",
					 HEARTH_HELPLINES_MAX);
			goto out;
		}
		/* The number follows the last colon, ASCII ':' or the
		 * full-width '：' a Chinese keyboard types. */
		for (k = 0; k < elen; k++) {
			if (e[k] == ':') {
				colon = e + k;
				clen = 1;
			} else if (k + 2 < elen && (unsigned char)e[k] == 0xef &&
				   (unsigned char)e[k + 1] == 0xbc &&
				   (unsigned char)e[k + 2] == 0x9a) {
				colon = e + k;
				clen = 3;
			}
		}
		name = e;
		if (colon == NULL) {
			nlen = elen;
			trim(&name, &nlen);
			st = line_set(&v[n], n + 1, name, nlen, "", 0);
			goto out;
		}
		nlen = (size_t)(colon - e);
		num = colon + clen;
		numlen = elen - nlen - clen;
		trim(&name, &nlen);
		trim(&num, &numlen);
		if ((st = line_set(&v[n], n + 1, name, nlen, num, numlen)) !=
		    HEARTH_OK) {
			n++;
			goto out;
		}
		n++;
		pos += elen + 1;
	}
	*out = v;
	*n_out = n;
	v = NULL;
out:
	if (v != NULL)
		hearth_helplines_free(v, HEARTH_HELPLINES_MAX);
	return st;
}

hearth_status hearth_helplines_to_json(const hearth_helpline *lines, size_t n,
				       char **out)
{
	json_t *arr;
	size_t i;

	if (out == NULL || (lines == NULL && n > 0))
		return hearth_fail(HEARTH_EINVAL, "no help lines");
	*out = NULL;
	arr = json_array();
	if (arr == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name",
				      lines[i].name, "number", lines[i].number,
				      "hours", lines[i].hours != NULL
					       ? lines[i].hours : "",
				      "verified", lines[i].verified != NULL
						  ? lines[i].verified : "");
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return hearth_fail(HEARTH_ENOMEM, "out of memory");
		}
	}
	*out = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(arr);
	if (*out == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	return HEARTH_OK;
}

hearth_status hearth_helplines_default(const char *lang, hearth_helpline **out,
				       size_t *n)
{
	hearth_helpline *v;
	int zh = hearth_lang_normalise(lang) != NULL &&
		 strcmp(hearth_lang_normalise(lang), "zh_CN") == 0;
	size_t i;

	if (out == NULL || n == NULL)
		return hearth_fail(HEARTH_EINVAL, "no output for help lines");
	*out = NULL;
	*n = 0;
	v = calloc(N_DEFAULT_LINES, sizeof *v);
	if (v == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	for (i = 0; i < N_DEFAULT_LINES; i++) {
		v[i].name = strdup(zh ? default_lines[i].zh : default_lines[i].en);
		v[i].number = strdup(default_lines[i].number);
		v[i].hours = strdup(zh ? default_lines[i].hours_zh
				       : default_lines[i].hours_en);
		v[i].verified = strdup("");
		if (v[i].name == NULL || v[i].number == NULL ||
		    v[i].hours == NULL || v[i].verified == NULL) {
			hearth_helplines_free(v, N_DEFAULT_LINES);
			return hearth_fail(HEARTH_ENOMEM, "out of memory");
		}
	}
	*out = v;
	*n = N_DEFAULT_LINES;
	return HEARTH_OK;
}

hearth_status hearth_settings_helplines(hearth_store *s, const char *lang,
					hearth_helpline **out, size_t *n)
{
	struct find_ctx c;
	hearth_status st;

	if (s == NULL || out == NULL || n == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or output for help "
				   "lines");
	*out = NULL;
	*n = 0;
	if ((st = find(s, HEARTH_SETTING_HELPLINES, &c)) != HEARTH_OK)
		return st;
	if (c.value == NULL)
		return hearth_helplines_default(lang, out, n);
	st = hearth_helplines_parse(c.value, out, n);
	free(c.value);
	/* A value that no longer parses (written by a newer version, or
	 * damaged) must not leave the crisis card without numbers. */
	if (st != HEARTH_OK)
		return hearth_helplines_default(lang, out, n);
	return HEARTH_OK;
}

/* ---- writing ---- */

/* Turns what a person typed into the stored value; *out malloc'd, or NULL
 * to clear the field (back to the default). */
static hearth_status normalise(const char *key, const char *value, char **out)
{
	hearth_status st;

	*out = NULL;
	if (strcmp(key, HEARTH_SETTING_HELPLINES) == 0) {
		hearth_helpline *lines;
		size_t n;
		if (value == NULL || value[0] == '\0')
			return HEARTH_OK;
		if ((st = hearth_helplines_parse(value, &lines, &n)) != HEARTH_OK)
			return st;
		st = hearth_helplines_to_json(lines, n, out);
		hearth_helplines_free(lines, n);
		return st;
	}
	if (strcmp(key, HEARTH_SETTING_PHQ9_CUTOFF) == 0) {
		if (value == NULL || value[0] == '\0')
			return HEARTH_OK;
		if (strcmp(value, "7") != 0 && strcmp(value, "10") != 0)
			return hearth_fail(HEARTH_EINVAL, "phq9_cutoff must be 7 "
					   "or 10, not '%.20s'", value);
		*out = strdup(value);
	} else if (strcmp(key, HEARTH_SETTING_LANG) == 0) {
		const char *l;
		if (value == NULL || value[0] == '\0')
			return HEARTH_OK;
		l = hearth_lang_normalise(value);
		if (l == NULL)
			return hearth_fail(HEARTH_EINVAL, "lang must be en or "
					   "zh_CN, not '%.20s'", value);
		*out = strdup(l);
	} else if (strcmp(key, HEARTH_SETTING_RELAY_URL) == 0 ||
		   strcmp(key, HEARTH_SETTING_RELAY_PIN) == 0) {
		hearth_relay_opts o;
		int is_url = strcmp(key, HEARTH_SETTING_RELAY_URL) == 0;

		if (value == NULL || value[0] == '\0')
			return HEARTH_OK;
		/* Checked as a sync would take it (the URL's scheme and
		 * host, the pin's form). */
		memset(&o, 0, sizeof o);
		o.url = is_url ? value : "https://relay.invalid";
		o.pin = is_url ? NULL : value;
		if ((st = hearth_relay_opts_check(&o)) != HEARTH_OK)
			return st;
		*out = strdup(value);
	} else {
		size_t n;
		if (value == NULL || value[0] == '\0')
			return HEARTH_OK;
		n = strlen(value);
		if (n > SUPERVISOR_MAX || has_control(value, n))
			return hearth_fail(HEARTH_EINVAL, "supervisor must be one "
					   "line of at most %u bytes",
					   SUPERVISOR_MAX);
		*out = strdup(value);
	}
	if (*out == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	return HEARTH_OK;
}

hearth_status hearth_settings_check(const char *key, const char *value)
{
	char *stored = NULL;
	hearth_status st;

	if (key_info(key) == NULL)
		return unknown_key(key);
	st = normalise(key, value, &stored);
	free(stored);
	return st;
}

hearth_status hearth_settings_set(hearth_store *s, const char *key,
				  const char *value)
{
	struct find_ctx c;
	char *stored = NULL;
	hearth_id rec, space;
	hearth_store_step step = {0};
	hearth_status st;

	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store for settings");
	if (key_info(key) == NULL)
		return unknown_key(key);
	if ((st = normalise(key, value, &stored)) != HEARTH_OK)
		return st;
	/* Atomic on its own, or inside the caller's transaction. */
	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		goto out;
	space = device_local(key) ? hearth_store_local_space(s) :
		hearth_store_private_space(s);
	if ((st = find_in(s, &space, NULL, &c)) != HEARTH_OK)
		goto out;
	if (c.found_record) {
		rec = c.record;
	} else {
		if (stored == NULL && !device_local(key))
			goto out; /* back to the default: nothing to clear */
		if ((st = hearth_record_create(s, &space, HEARTH_SETTINGS_KIND,
					       &rec)) != HEARTH_OK)
			goto out;
	}
	if ((st = hearth_record_set(s, &rec, key, stored)) != HEARTH_OK ||
	    (st = hearth_audit_append(s, "settings.set", &rec, key)) !=
	    HEARTH_OK)
		goto out;
	if (device_local(key)) {
		/* A value kept from before, in the vault's own settings, would
		 * show again once this one is cleared: it goes. */
		hearth_id priv = hearth_store_private_space(s);

		if ((st = find_in(s, &priv, key, &c)) == HEARTH_OK && c.value != NULL)
			st = hearth_record_set(s, &c.record, key, NULL);
		free(c.value);
	}
out:
	st = hearth_store_step_end(s, &step, st);
	free(stored);
	return st;
}

/* ---- one help line at a time ---- */

/* Two numbers are the same line when their digits (and a leading '+')
 * match: "0355-1234567" and "0355 1234567" are one number. */
static int same_number(const char *a, const char *b)
{
	for (;;) {
		while (*a != '\0' && !(*a >= '0' && *a <= '9') && *a != '+')
			a++;
		while (*b != '\0' && !(*b >= '0' && *b <= '9') && *b != '+')
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (*a++ != *b++)
			return 0;
	}
}

/* The index of the line with number, or n when there is none. */
static size_t line_index(const hearth_helpline *lines, size_t n,
			 const char *number)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (same_number(lines[i].number, number))
			return i;
	return n;
}

/* The vault's help lines (*v, *n: free them whatever the status) and the
 * index *i of the one with number; HEARTH_ENOTFOUND when there is none. */
static hearth_status find_line(hearth_store *s, const char *lang,
			       const char *number, hearth_helpline **v,
			       size_t *n, size_t *i)
{
	hearth_status st;

	if ((st = hearth_settings_helplines(s, lang, v, n)) != HEARTH_OK)
		return st;
	*i = line_index(*v, *n, number);
	if (*i == *n)
		return hearth_fail(HEARTH_ENOTFOUND, "no help line with the "
				   "number '%.32s' (see 'hearth config helpline "
				   "list')", number);
	return HEARTH_OK;
}

/* Checks line (name and number trimmed) and copies it into *out, which
 * holds no strings yet; on failure *out may hold some: free them. */
static hearth_status line_copy(const hearth_helpline *line, const char *today,
			       hearth_helpline *out)
{
	const char *name, *num;
	size_t nlen, numlen;
	hearth_status st;

	if (line == NULL || line->name == NULL || line->number == NULL)
		return hearth_fail(HEARTH_EINVAL, "a help line needs a name and "
				   "a number");
	name = line->name;
	num = line->number;
	nlen = strlen(name);
	numlen = strlen(num);
	trim(&name, &nlen);
	trim(&num, &numlen);
	if ((st = line_set(out, 1, name, nlen, num, numlen)) != HEARTH_OK ||
	    (st = extras_check(1, line->hours, line->verified, today)) !=
	    HEARTH_OK)
		return st;
	return extras_set(out, line->hours, line->verified);
}

hearth_status hearth_helpline_check(const hearth_helpline *line,
				    const char *today)
{
	hearth_helpline copy = {0};
	hearth_status st = line_copy(line, today, &copy);

	line_free(&copy);
	return st;
}

/* Stores lines as the vault's help lines (audited as any setting). */
static hearth_status store_lines(hearth_store *s, const hearth_helpline *v,
				 size_t n)
{
	char *json = NULL;
	hearth_status st;

	if ((st = hearth_helplines_to_json(v, n, &json)) != HEARTH_OK)
		return st;
	st = hearth_settings_set(s, HEARTH_SETTING_HELPLINES, json);
	free(json);
	return st;
}

hearth_status hearth_settings_helpline_put(hearth_store *s, const char *lang,
					   const hearth_helpline *line,
					   const char *today, int *replaced)
{
	hearth_helpline *v = NULL, *nv, copy = {0};
	hearth_cw_tx tx;
	size_t n = 0, i;
	hearth_status st;

	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store for help lines");
	if (replaced != NULL)
		*replaced = 0;
	if ((st = hearth_cw_today(today, NULL)) != HEARTH_OK ||
	    (st = line_copy(line, today, &copy)) != HEARTH_OK) {
		line_free(&copy);
		return st;
	}
	/* Read and write in one transaction, so a change made meanwhile
	 * (another window of the app) is not lost. */
	if ((st = hearth_cw_begin(s, &tx)) != HEARTH_OK)
		return st;
	if ((st = hearth_settings_helplines(s, lang, &v, &n)) != HEARTH_OK)
		goto out;
	i = line_index(v, n, copy.number);
	if (i == n) {
		if (n == HEARTH_HELPLINES_MAX) {
			st = hearth_fail(HEARTH_EINVAL, "more than %u help lines",
					 HEARTH_HELPLINES_MAX);
			goto out;
		}
		nv = realloc(v, (n + 1) * sizeof *v);
		if (nv == NULL) {
			st = hearth_fail(HEARTH_ENOMEM, "out of memory");
			goto out;
		}
		v = nv;
		memset(&v[n], 0, sizeof v[n]);
		n++;
	} else if (replaced != NULL) {
		*replaced = 1;
	}
	line_free(&v[i]);
	v[i] = copy;
	memset(&copy, 0, sizeof copy);
	st = store_lines(s, v, n);
out:
	line_free(&copy);
	hearth_helplines_free(v, n);
	return hearth_cw_end(s, &tx, st);
}

hearth_status hearth_settings_helpline_remove(hearth_store *s, const char *lang,
					      const char *number)
{
	hearth_helpline *v = NULL;
	hearth_cw_tx tx;
	size_t n = 0, i;
	hearth_status st;

	if (s == NULL || number == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or number for the "
				   "help line");
	if ((st = hearth_cw_begin(s, &tx)) != HEARTH_OK)
		return st;
	if ((st = find_line(s, lang, number, &v, &n, &i)) != HEARTH_OK)
		goto out;
	/* The crisis card must always have a number to call. */
	if (n == 1) {
		st = hearth_fail(HEARTH_ESTATE, "the last help line cannot be "
				 "removed: add another first");
		goto out;
	}
	line_free(&v[i]);
	memmove(&v[i], &v[i + 1], (n - i - 1) * sizeof *v);
	n--;
	st = store_lines(s, v, n);
out:
	hearth_helplines_free(v, n);
	return hearth_cw_end(s, &tx, st);
}

hearth_status hearth_settings_helpline_verify(hearth_store *s, const char *lang,
					      const char *number,
					      const char *day,
					      const char *today)
{
	hearth_helpline *v = NULL;
	hearth_cw_tx tx;
	size_t n = 0, i;
	hearth_status st;

	if (s == NULL || number == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or number for the "
				   "help line");
	if (day == NULL)
		day = today;
	if ((st = hearth_cw_today(today, NULL)) != HEARTH_OK)
		return st;
	if ((st = hearth_cw_begin(s, &tx)) != HEARTH_OK)
		return st;
	if ((st = find_line(s, lang, number, &v, &n, &i)) != HEARTH_OK)
		goto out;
	if ((st = extras_check(i + 1, v[i].hours, day, today)) != HEARTH_OK ||
	    (st = extras_set(&v[i], v[i].hours, day)) != HEARTH_OK)
		goto out;
	st = store_lines(s, v, n);
out:
	hearth_helplines_free(v, n);
	return hearth_cw_end(s, &tx, st);
}
