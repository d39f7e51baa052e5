/*
 * journal.c - an employee's private journal: mood check-ins and
 * self-screenings in the private space, trends, a text sparkline, and the
 * 5-4-3-2-1 grounding exercise.  See hearth/journal.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db_private.h"
#include "share_private.h"
#include "hearth/audit.h"
#include "hearth/journal.h"
#include "hearth/screening.h"

#define SCREENING_KIND "screening"

/* ---- transactions ------------------------------------------------------ */

static hearth_status set_int(hearth_store *s, const hearth_id *id,
			     const char *field, int v)
{
	char num[24];

	snprintf(num, sizeof num, "%d", v);
	return hearth_record_set(s, id, field, num);
}

static hearth_status check_text(const char *text)
{
	if (text != NULL && strlen(text) > HEARTH_JOURNAL_TEXT_MAX)
		return hearth_fail(HEARTH_EINVAL,
			"the journal text is longer than %u bytes",
			(unsigned)HEARTH_JOURNAL_TEXT_MAX);
	return HEARTH_OK;
}

/* ---- check-ins ---------------------------------------------------------- */

hearth_status hearth_journal_add(hearth_store *s, const char *date, int mood,
				 const char *text, hearth_id *out)
{
	hearth_store_step t;
	hearth_status st;
	hearth_id id;
	int32_t day;

	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store for the journal");
	if ((st = hearth_date_parse(date, &day)) != HEARTH_OK)
		return st;
	if (mood < HEARTH_MOOD_MIN || mood > HEARTH_MOOD_MAX)
		return hearth_fail(HEARTH_EINVAL, "mood %d is out of range: choose %d-%d",
				   mood, HEARTH_MOOD_MIN, HEARTH_MOOD_MAX);
	if ((st = check_text(text)) != HEARTH_OK)
		return st;
	if ((st = hearth_store_step_begin(s, &t)) != HEARTH_OK)
		return st;
	if ((st = hearth_record_create(s, NULL, HEARTH_JOURNAL_KIND, &id)) != HEARTH_OK ||
	    (st = hearth_record_set(s, &id, "date", date)) != HEARTH_OK ||
	    (st = set_int(s, &id, "mood", mood)) != HEARTH_OK)
		goto out;
	if (text != NULL && text[0] != '\0' &&
	    (st = hearth_record_set(s, &id, "text", text)) != HEARTH_OK)
		goto out;
	if ((st = hearth_audit_append(s, "journal.add", &id, NULL)) != HEARTH_OK)
		goto out;
	/* A share the employee made with --all takes it at once. */
	st = hearth_share_follow_locked(s, &id);
out:
	st = hearth_store_step_end(s, &t, st);
	if (st == HEARTH_OK && out != NULL)
		*out = id;
	return st;
}

hearth_status hearth_journal_delete(hearth_store *s, const hearth_id *entry)
{
	char hex[HEARTH_ID_HEX + 1];
	hearth_record *r = NULL;
	hearth_store_step t;
	hearth_status st;

	if (s == NULL || entry == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or journal entry given");
	hearth_id_to_hex(entry, hex);
	if ((st = hearth_store_step_begin(s, &t)) != HEARTH_OK)
		return st;
	st = hearth_record_load(s, entry, &r);
	if (st == HEARTH_ENOTFOUND || (st == HEARTH_OK &&
	    (r->deleted || strcmp(r->kind, HEARTH_JOURNAL_KIND) != 0)))
		st = hearth_fail(HEARTH_ENOTFOUND, "no journal entry '%s'", hex);
	else if (st == HEARTH_OK && hearth_record_field(r, "screening") != NULL)
		st = hearth_fail(HEARTH_ESTATE,
			"journal entry '%s' records a self-screening: only a check-in is deleted",
			hex);
	if (st == HEARTH_OK)
		st = hearth_record_delete(s, entry);
	/* Its copies in shares go with it: the Undo takes the share back. */
	if (st == HEARTH_OK)
		st = hearth_share_forget_locked(s, entry);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "journal.delete", entry, NULL);
	hearth_record_free(r);
	return hearth_store_step_end(s, &t, st);
}

/* ---- self-screenings ---------------------------------------------------- */

static char *answers_json(const int *answers, size_t n)
{
	json_t *arr = json_array();
	char *out = NULL;

	if (arr == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		json_t *v = answers[i] == HEARTH_ANSWER_NONE ? json_null()
							       : json_integer(answers[i]);

		if (json_array_append_new(arr, v) != 0)
			goto out;
	}
	out = json_dumps(arr, JSON_COMPACT);
out:
	json_decref(arr);
	return out;
}

static char *flags_json(const hearth_score *sc)
{
	json_t *arr = json_array();
	char *out = NULL;

	if (arr == NULL)
		return NULL;
	for (size_t i = 0; i < sc->n_flags; i++)
		if (json_array_append_new(arr, json_string(sc->flags[i])) != 0)
			goto out;
	out = json_dumps(arr, JSON_COMPACT);
out:
	json_decref(arr);
	return out;
}

hearth_status hearth_journal_screen(hearth_store *s,
				    const hearth_instrument *inst,
				    const int *answers, size_t n_answers,
				    const char *at, const char *lang,
				    const char *text,
				    hearth_journal_screened *out)
{
	hearth_journal_screened res;
	hearth_score_options opt = { 0 };
	char date[HEARTH_DATE_LEN + 1], hex[HEARTH_ID_HEX + 1], detail[96];
	char *answers_s = NULL, *flags_s = NULL;
	const char *norm;
	int is_datetime = 0;
	int32_t day;
	int64_t minutes;
	hearth_store_step t = { 0 };
	hearth_status st;

	if (s == NULL || inst == NULL || answers == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store, instrument or answers");
	memset(&res, 0, sizeof res);
	norm = lang == NULL ? "en" : hearth_lang_normalise(lang);
	if (norm == NULL)
		return hearth_fail(HEARTH_EINVAL, "unknown language '%.20s': use en or zh_CN",
				   lang);
	if (at == NULL)
		return hearth_fail(HEARTH_EINVAL, "no date for the self-screening");
	if (strlen(at) == HEARTH_DATE_LEN) {
		if ((st = hearth_date_parse(at, &day)) != HEARTH_OK)
			return st;
	} else {
		if ((st = hearth_datetime_parse(at, &minutes)) != HEARTH_OK)
			return st;
		day = hearth_datetime_day(minutes);
		is_datetime = 1;
	}
	hearth_date_format(day, date);
	if ((st = check_text(text)) != HEARTH_OK)
		return st;
	/* The same scoring as a counsellor's screening, with the vault's
	 * cut-off. */
	if ((st = hearth_screening_cutoff(s, inst, &opt.cutoff)) != HEARTH_OK)
		return st;
	if ((st = hearth_instrument_score(inst, answers, n_answers, &opt,
					  &res.score)) != HEARTH_OK)
		return st;
	res.safety = res.score.safety;
	for (size_t i = 0; i < res.score.n_outcomes; i++)
		if (res.score.outcomes[i]->action.kind == HEARTH_ACTION_SAFETY)
			res.safety = 1;
	answers_s = answers_json(answers, n_answers);
	flags_s = flags_json(&res.score);
	if (answers_s == NULL || flags_s == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory");
		goto out;
	}

	if ((st = hearth_store_step_begin(s, &t)) != HEARTH_OK)
		goto out;
	if ((st = hearth_record_create(s, NULL, SCREENING_KIND, &res.screening)) != HEARTH_OK ||
	    (st = hearth_record_create(s, NULL, HEARTH_JOURNAL_KIND, &res.entry)) != HEARTH_OK)
		goto out;
#define SET(id, f, v) do { \
		if ((st = hearth_record_set(s, (id), (f), (v))) != HEARTH_OK) \
			goto out; \
	} while (0)
	hearth_id_to_hex(&res.entry, hex);
	SET(&res.screening, "journal", hex);
	SET(&res.screening, "instrument", hearth_instrument_id(inst));
	SET(&res.screening, "version", hearth_instrument_version(inst));
	SET(&res.screening, "answers", answers_s);
	if ((st = set_int(s, &res.screening, "total", res.score.total)) != HEARTH_OK ||
	    (st = set_int(s, &res.screening, "display", res.score.display)) != HEARTH_OK)
		goto out;
	SET(&res.screening, "band", res.score.band->id);
	SET(&res.screening, "positive", res.score.positive ? "1" : "0");
	if (res.score.cutoff != 0 &&
	    (st = set_int(s, &res.screening, "cutoff", res.score.cutoff)) != HEARTH_OK)
		goto out;
	SET(&res.screening, "flags", flags_s);
	if (res.score.risk != NULL)
		SET(&res.screening, "risk", res.score.risk);
	SET(&res.screening, "lang", norm);
	SET(&res.screening, "translation", hearth_instrument_translation(inst));
	SET(&res.screening, "date", date);
	if (is_datetime)
		SET(&res.screening, "at", at);
	hearth_id_to_hex(&res.screening, hex);
	SET(&res.entry, "date", date);
	SET(&res.entry, "screening", hex);
	if (text != NULL && text[0] != '\0')
		SET(&res.entry, "text", text);
#undef SET
	snprintf(detail, sizeof detail, "%s %s", hearth_instrument_id(inst),
		 res.score.band->id);
	if ((st = hearth_audit_append(s, "journal.screen", &res.entry, detail)) != HEARTH_OK)
		goto out;
	st = hearth_share_follow_locked(s, &res.entry);
out:
	st = hearth_store_step_end(s, &t, st);
	free(answers_s);
	free(flags_s);
	if (st == HEARTH_OK)
		*out = res;
	return st;
}

/* ---- listing ------------------------------------------------------------ */

struct collect {
	hearth_store *s;
	hearth_id space;
	const char *from, *to;
	hearth_journal_list *l;
	size_t cap;
	hearth_status st;
};

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int atoi_field(const hearth_record *r, const char *name)
{
	const char *v = hearth_record_field(r, name);

	return v ? atoi(v) : 0;
}

/* Fills the screening part of an item from its linked record; a link to
 * a record that is gone leaves the item without one. */
static hearth_status load_screening(hearth_store *s, hearth_journal_item *it,
				    const char *hex)
{
	hearth_record *r = NULL;
	hearth_status st;
	const char *flags;

	if (hearth_id_from_hex(&it->screening, hex) != HEARTH_OK) {
		hearth_errdetail_clear();
		return HEARTH_OK;
	}
	st = hearth_record_load(s, &it->screening, &r);
	if (st == HEARTH_ENOTFOUND) {
		hearth_errdetail_clear();
		return HEARTH_OK;
	}
	if (st != HEARTH_OK)
		return st;
	if (!r->deleted && strcmp(r->kind, SCREENING_KIND) == 0) {
		free(it->instrument);
		free(it->band);
		it->instrument = dup_or_empty(hearth_record_field(r, "instrument"));
		it->band = dup_or_empty(hearth_record_field(r, "band"));
		if (it->instrument == NULL || it->band == NULL)
			st = hearth_fail(HEARTH_ENOMEM, "out of memory");
		it->total = atoi_field(r, "total");
		it->display = atoi_field(r, "display");
		flags = hearth_record_field(r, "flags");
		it->safety = (flags != NULL && strstr(flags, "\"safety\"") != NULL) ||
			     (hearth_record_field(r, "risk") != NULL &&
			      strcmp(hearth_record_field(r, "risk"), "high") == 0);
		it->has_screening = 1;
	}
	hearth_record_free(r);
	return st;
}

static int collect_cb(const hearth_record *r, void *ctx)
{
	struct collect *c = ctx;
	const char *date = hearth_record_field(r, "date");
	hearth_journal_item *it;

	if (!hearth_id_equal(&r->space, &c->space) || date == NULL ||
	    strlen(date) != HEARTH_DATE_LEN)
		return 0;
	if ((c->from != NULL && strcmp(date, c->from) < 0) ||
	    (c->to != NULL && strcmp(date, c->to) > 0))
		return 0;
	if (c->l->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 32;
		hearth_journal_item *ni = realloc(c->l->items, ncap * sizeof *ni);

		if (ni == NULL) {
			c->st = hearth_fail(HEARTH_ENOMEM, "out of memory");
			return 1;
		}
		c->l->items = ni;
		c->cap = ncap;
	}
	it = &c->l->items[c->l->n++];
	memset(it, 0, sizeof *it);
	it->id = r->id;
	memcpy(it->date, date, sizeof it->date);
	it->mood = atoi_field(r, "mood");
	if (it->mood < HEARTH_MOOD_MIN || it->mood > HEARTH_MOOD_MAX)
		it->mood = 0;
	it->text = dup_or_empty(hearth_record_field(r, "text"));
	it->instrument = dup_or_empty(NULL);
	it->band = dup_or_empty(NULL);
	if (it->text == NULL || it->instrument == NULL || it->band == NULL) {
		c->st = hearth_fail(HEARTH_ENOMEM, "out of memory");
		return 1;
	}
	if (hearth_record_field(r, "screening") != NULL) {
		c->st = load_screening(c->s, it, hearth_record_field(r, "screening"));
		if (c->st != HEARTH_OK)
			return 1;
	}
	c->st = hearth_share_copied(c->s, &it->id, &it->shared);
	return c->st != HEARTH_OK;
}

/* Stable order by date: entries come in creation order, so insertion
 * sort keeps that order among equal dates (journals are short). */
static void sort_by_date(hearth_journal_list *l)
{
	for (size_t i = 1; i < l->n; i++) {
		hearth_journal_item tmp = l->items[i];
		size_t j = i;

		while (j > 0 && strcmp(l->items[j - 1].date, tmp.date) > 0) {
			l->items[j] = l->items[j - 1];
			j--;
		}
		l->items[j] = tmp;
	}
}

void hearth_journal_list_free(hearth_journal_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].text);
		free(l->items[i].instrument);
		free(l->items[i].band);
	}
	free(l->items);
	free(l);
}

hearth_status hearth_journal_entries(hearth_store *s, const char *from,
				     const char *to, hearth_journal_list **out)
{
	struct collect c;
	hearth_status st;
	int32_t d;

	if (out != NULL)
		*out = NULL;
	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store for the journal");
	if ((from != NULL && (st = hearth_date_parse(from, &d)) != HEARTH_OK) ||
	    (to != NULL && (st = hearth_date_parse(to, &d)) != HEARTH_OK))
		return st;
	memset(&c, 0, sizeof c);
	c.s = s;
	c.space = hearth_store_private_space(s);
	c.from = from;
	c.to = to;
	c.l = calloc(1, sizeof *c.l);
	if (c.l == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	st = hearth_store_each(s, HEARTH_JOURNAL_KIND, 0, collect_cb, &c);
	if (st == HEARTH_OK)
		st = c.st;
	if (st != HEARTH_OK) {
		hearth_journal_list_free(c.l);
		return st;
	}
	sort_by_date(c.l);
	*out = c.l;
	return HEARTH_OK;
}

/* ---- trends ------------------------------------------------------------- */

void hearth_trend_free(hearth_trend *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->points[i].band);
	free(t->points);
	free(t->instrument);
	free(t);
}

static int valid_instrument_id(const char *id)
{
	if (id[0] == '\0' || strlen(id) > 64)
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-'))
			return 0;
	return 1;
}

hearth_status hearth_journal_trend(hearth_store *s, const char *instrument,
				   hearth_trend **out)
{
	hearth_journal_list *l = NULL;
	hearth_trend *t = NULL;
	hearth_status st;
	int mood = instrument == NULL || instrument[0] == '\0';

	if (out != NULL)
		*out = NULL;
	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store for the journal");
	if (!mood && !valid_instrument_id(instrument))
		return hearth_fail(HEARTH_EINVAL,
			"'%.40s' is not an instrument id (see 'hearth instruments list')",
			instrument);
	if ((st = hearth_journal_entries(s, NULL, NULL, &l)) != HEARTH_OK)
		return st;
	t = calloc(1, sizeof *t);
	if (t == NULL || (t->instrument = strdup(mood ? "" : instrument)) == NULL ||
	    (l->n > 0 && (t->points = calloc(l->n, sizeof *t->points)) == NULL)) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < l->n; i++) {
		const hearth_journal_item *it = &l->items[i];
		hearth_trend_point *p = &t->points[t->n];

		if (mood ? it->mood == 0 :
		    (!it->has_screening || strcmp(it->instrument, instrument) != 0))
			continue;
		memcpy(p->date, it->date, sizeof p->date);
		p->value = mood ? it->mood : it->display;
		p->band = strdup(mood ? "" : it->band);
		if (p->band == NULL) {
			st = hearth_fail(HEARTH_ENOMEM, "out of memory");
			goto out;
		}
		t->n++;
	}
	if (mood) {
		t->min = HEARTH_MOOD_MIN;
		t->max = HEARTH_MOOD_MAX;
	} else {
		hearth_instrument *inst = NULL;

		/* The scale from the instrument file when it can be found
		 * and is a sum; otherwise the values' own range. */
		if (hearth_instrument_find(instrument, &inst) == HEARTH_OK &&
		    hearth_instrument_method(inst) == HEARTH_SCORING_SUM) {
			t->min = 0;
			t->max = hearth_instrument_display_max(inst);
		} else {
			t->min = 0;
			t->max = 0;
			for (size_t i = 0; i < t->n; i++)
				if (t->points[i].value > t->max)
					t->max = t->points[i].value;
		}
		hearth_instrument_free(inst);
		hearth_errdetail_clear();
	}
	st = HEARTH_OK;
out:
	hearth_journal_list_free(l);
	if (st != HEARTH_OK) {
		hearth_trend_free(t);
		return st;
	}
	*out = t;
	return HEARTH_OK;
}

size_t hearth_sparkline(const int *values, size_t n, int min, int max,
			char *out, size_t size)
{
	static const char *const bars[8] = {
		"\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83", "\xE2\x96\x84",
		"\xE2\x96\x85", "\xE2\x96\x86", "\xE2\x96\x87", "\xE2\x96\x88",
	};
	size_t i, len = 0;

	if (out == NULL || size == 0)
		return 0;
	out[0] = '\0';
	for (i = 0; i < n && len + 3 < size; i++) {
		long v = values[i], level;

		if (v < min)
			v = min;
		if (v > max)
			v = max;
		/* Rounded to the nearest of the 8 levels; a flat scale sits
		 * on the lowest. */
		level = max > min ? ((v - min) * 7L * 2 + (max - min)) / (2L * (max - min)) : 0;
		memcpy(out + len, bars[level], 3);
		len += 3;
		out[len] = '\0';
	}
	return i;
}

/* ---- grounding ---------------------------------------------------------- */

static const hearth_grounding_step grounding[] = {
	{ 0, "Let's slow down together. Breathe in gently, and out a little longer.",
	  "我们一起慢下来。轻轻吸气，再慢慢呼气，呼气稍长一点。" },
	{ 5, "Look around you and name 5 things you can see.",
	  "看看四周，说出你能看到的 5 样东西。" },
	{ 4, "Notice 4 things you can touch: your feet on the floor, your clothes, the chair.",
	  "留意 4 样你能触摸到的东西：踩在地上的脚、身上的衣服、坐着的椅子。" },
	{ 3, "Listen for 3 things you can hear.",
	  "听一听，找出 3 种你能听到的声音。" },
	{ 2, "Find 2 things you can smell.",
	  "找到 2 种你能闻到的气味。" },
	{ 1, "Notice 1 thing you can taste.",
	  "留意 1 种你能尝到的味道。" },
	{ 0, "Well done. Take one more slow breath. You can come back to this whenever you need it.",
	  "做得很好。再慢慢呼吸一次。需要的时候，随时可以再来做这个练习。" },
};

const hearth_grounding_step *hearth_grounding_steps(size_t *n)
{
	if (n != NULL)
		*n = sizeof grounding / sizeof grounding[0];
	return grounding;
}
