/*
 * test_instruments.c - instruments as data, their scoring, the safety rule,
 * settings and the crisis card.
 *
 * Scoring is checked at every band boundary of every shipped instrument
 * against the rules the service relies on (not against the files
 * themselves: a wrong band in a file must fail here).  The loader is fed
 * one broken file per kind of mistake and must name the file, the JSON
 * path and the reason.  The safety rule is checked through a real store.
 *
 * The shipped files are found through $HEARTH_DATA_DIR (meson sets it to
 * the source tree's data/) or the compiled-in source data dir.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "hearth/audit.h"
#include "hearth/followup.h"
#include "hearth/person.h"
#include "hearth/instruments.h"
#include "hearth/schema.h"
#include "hearth/screening.h"
#include "hearth/settings.h"
#include "hearth/store.h"
#include "hearth/vault.h"

#define OK(x) assert_int_equal((x), HEARTH_OK)
#define N HEARTH_ANSWER_NONE

static const char *const shipped[] = {"phq9", "phq2", "gad7", "gad2",
				      "who5", "cssrs"};

static hearth_instrument *load(const char *id)
{
	hearth_instrument *inst = NULL;
	hearth_status st = hearth_instrument_find(id, &inst);

	if (st != HEARTH_OK)
		fail_msg("cannot load %s: %s", id, hearth_errdetail());
	return inst;
}

/* Asserts that the last error's detail contains want. */
static void detail_has(const char *want)
{
	const char *d = hearth_errdetail();

	if (strstr(d, want) == NULL)
		fail_msg("detail '%s' lacks '%s'", d, want);
}

static hearth_score score_ok(const hearth_instrument *inst, const int *a,
			     int cutoff)
{
	hearth_score_options opt = {cutoff};
	hearth_score s;
	hearth_status st;

	st = hearth_instrument_score(inst, a, hearth_instrument_n_items(inst),
				     &opt, &s);
	if (st != HEARTH_OK)
		fail_msg("score failed: %s", hearth_errdetail());
	return s;
}

/* Spreads total over the first n items (each 0..max) in order. */
static void spread(int *a, size_t n, int max, int total)
{
	size_t i;

	for (i = 0; i < n; i++) {
		a[i] = total > max ? max : total;
		total -= a[i];
	}
	assert_int_equal(total, 0);
}

static int has_flag(const hearth_score *s, const char *flag)
{
	size_t i;

	for (i = 0; i < s->n_flags; i++)
		if (strcmp(s->flags[i], flag) == 0)
			return 1;
	return 0;
}

/* ---- shipped files ---- */

static void check_text(const hearth_text *t, const char *what)
{
	if (t->en == NULL || t->en[0] == '\0' || t->zh_CN == NULL ||
	    t->zh_CN[0] == '\0')
		fail_msg("%s lacks a language", what);
	/* The Chinese side really is Chinese (or at least not the English
	 * copied over). */
	if (strcmp(t->en, t->zh_CN) == 0 && strlen(t->en) > 3)
		fail_msg("%s: Chinese equals English '%s'", what, t->en);
}

static void test_shipped_load_bilingual(void **state)
{
	size_t k, i, j;
	char **ids;
	size_t nids;

	(void)state;
	for (k = 0; k < sizeof shipped / sizeof shipped[0]; k++) {
		hearth_instrument *inst = load(shipped[k]);
		const hearth_item *d;
		assert_string_equal(hearth_instrument_id(inst), shipped[k]);
		assert_non_null(hearth_instrument_version(inst));
		check_text(hearth_instrument_title(inst), "title");
		check_text(hearth_instrument_lead_in(inst), "lead-in");
		assert_non_null(hearth_instrument_licence(inst));
		assert_non_null(hearth_instrument_source(inst));
		for (i = 0; i < hearth_instrument_n_items(inst); i++) {
			const hearth_item *it = hearth_instrument_item(inst, i);
			check_text(&it->text, it->id);
			for (j = 0; j < it->n_options; j++)
				check_text(&it->options[j].label, it->id);
		}
		d = hearth_instrument_difficulty(inst);
		if (d != NULL) {
			check_text(&d->text, "difficulty");
			for (j = 0; j < d->n_options; j++)
				check_text(&d->options[j].label, "difficulty");
		}
		for (i = 0; i < hearth_instrument_n_bands(inst); i++) {
			const hearth_outcome *o =
				hearth_instrument_band(inst, i, NULL, NULL);
			check_text(&o->label, o->id);
			check_text(&o->next_step, o->id);
		}
		hearth_instrument_free(inst);
	}
	OK(hearth_instrument_list(&ids, &nids));
	for (k = 0; k < sizeof shipped / sizeof shipped[0]; k++) {
		for (i = 0; i < nids; i++)
			if (strcmp(ids[i], shipped[k]) == 0)
				break;
		if (i == nids)
			fail_msg("%s not listed", shipped[k]);
	}
	hearth_instrument_ids_free(ids, nids);
}

static void test_translation_status(void **state)
{
	hearth_instrument *c = load("cssrs"), *w = load("who5"),
			  *p = load("phq9");

	(void)state;
	/* No published Chinese C-SSRS: unofficial, and said so. */
	assert_string_equal(hearth_instrument_translation(c), "unofficial");
	assert_string_equal(hearth_instrument_wording(c, "zh_CN"), "none found");
	assert_true(hearth_instrument_item(c, 0)->text.zh_unofficial);
	assert_non_null(strstr(hearth_instrument_translation_notice(c, "en"),
			       "unofficial translation"));
	assert_non_null(strstr(hearth_instrument_translation_notice(c, "zh_CN"),
			       "非官方"));
	/* WHO-5 items are the WHO's own Chinese; its lead-in is not. */
	assert_string_equal(hearth_instrument_translation(w), "official");
	assert_false(hearth_instrument_item(w, 0)->text.zh_unofficial);
	assert_true(hearth_instrument_lead_in(w)->zh_unofficial);
	assert_non_null(strstr(hearth_instrument_translation_notice(w, "zh_CN"),
			       "指导语"));
	/* An official translation with an unofficial part: said where the
	 * Chinese is shown. */
	assert_null(hearth_instrument_translation_notice(w, "en"));
	/* PHQ-9: the Chinese difficulty question was not found. */
	assert_true(hearth_instrument_difficulty(p)->text.zh_unofficial);
	assert_false(hearth_instrument_item(p, 8)->text.zh_unofficial);
	assert_non_null(strstr(hearth_instrument_translation_notice(p, "zh_CN"),
			       "困难程度问题"));
	/* Verbatim published wording (instruments-reference.md). */
	assert_string_equal(hearth_instrument_item(p, 8)->text.zh_CN,
			    "有不如死掉或用某种方式伤害自己的念头");
	assert_string_equal(hearth_instrument_item(w, 3)->text.zh_CN,
			    "我睡醒时感到清新、得到了足够休息");
	hearth_instrument_free(c);
	hearth_instrument_free(w);
	hearth_instrument_free(p);
}

/* ---- sum instruments: every band boundary ---- */

struct boundary {
	int total;
	const char *band;
	int positive;
};

static void check_sum(const char *id, int item_max,
		      const struct boundary *b, size_t nb)
{
	hearth_instrument *inst = load(id);
	size_t n = hearth_instrument_n_items(inst), i;

	for (i = 0; i < nb; i++) {
		int a[HEARTH_INSTRUMENT_MAX_ITEMS];
		hearth_score s;
		spread(a, n, item_max, b[i].total);
		s = score_ok(inst, a, 0);
		if (s.total != b[i].total || strcmp(s.band->id, b[i].band) != 0 ||
		    s.positive != b[i].positive)
			fail_msg("%s total %d: got %d %s positive %d, want %s "
				 "positive %d", id, b[i].total, s.total,
				 s.band->id, s.positive, b[i].band,
				 b[i].positive);
		assert_string_equal(s.instrument, id);
		assert_int_equal(s.display, s.total);
	}
	hearth_instrument_free(inst);
}

static void test_phq9_bands(void **state)
{
	/* Items fill in order, so item 9 stays 0 up to 24. */
	static const struct boundary b[] = {
		{0, "minimal", 0}, {4, "minimal", 0}, {5, "mild", 0},
		{9, "mild", 0}, {10, "moderate", 1}, {14, "moderate", 1},
		{15, "moderately_severe", 1}, {19, "moderately_severe", 1},
		{20, "severe", 1}, {24, "severe", 1}, {27, "severe", 1},
	};

	(void)state;
	check_sum("phq9", 3, b, sizeof b / sizeof b[0]);
}

static void test_phq9_cutoff_7(void **state)
{
	hearth_instrument *inst = load("phq9");
	int a[9];
	hearth_score s;

	(void)state;
	spread(a, 9, 3, 6);
	s = score_ok(inst, a, 7);
	assert_false(s.positive);
	assert_int_equal(s.cutoff, 7);
	spread(a, 9, 3, 7);
	s = score_ok(inst, a, 7);
	assert_true(s.positive);
	assert_string_equal(s.band->id, "mild");
	s = score_ok(inst, a, 0);     /* the default, 10 */
	assert_false(s.positive);
	assert_int_equal(s.cutoff, 10);
	s = score_ok(inst, a, 10);
	assert_false(s.positive);
	{
		hearth_score_options opt = {8};
		assert_int_equal(hearth_instrument_score(inst, a, 9, &opt, &s),
				 HEARTH_EINVAL);
		detail_has("cut-off 8");
	}
	hearth_instrument_free(inst);
}

static void test_phq9_item9_safety(void **state)
{
	hearth_instrument *inst = load("phq9");
	int a[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
	hearth_score s;

	(void)state;
	s = score_ok(inst, a, 0);
	assert_int_equal(s.total, 1);
	assert_string_equal(s.band->id, "minimal");
	assert_false(s.positive);
	assert_true(has_flag(&s, HEARTH_FLAG_SAFETY));
	assert_true(s.safety);
	/* Item 9 = 0 with a high total: no flag. */
	spread(a, 8, 3, 24);
	a[8] = 0;
	s = score_ok(inst, a, 0);
	assert_false(has_flag(&s, HEARTH_FLAG_SAFETY));
	assert_false(s.safety);
	/* The difficulty question is checked, never scored. */
	OK(hearth_instrument_check_difficulty(inst, 3));
	OK(hearth_instrument_check_difficulty(inst, N));
	assert_int_equal(hearth_instrument_check_difficulty(inst, 4),
			 HEARTH_EINVAL);
	detail_has("difficulty is 4: choose 0-3");
	hearth_instrument_free(inst);
}

static void test_short_forms(void **state)
{
	static const struct boundary b[] = {
		{0, "below_cutoff", 0}, {2, "below_cutoff", 0},
		{3, "at_or_above_cutoff", 1}, {6, "at_or_above_cutoff", 1},
	};
	hearth_instrument *p2 = load("phq2"), *g2 = load("gad2");
	int a[2] = {2, 1};
	hearth_score s;

	(void)state;
	check_sum("phq2", 3, b, 4);
	check_sum("gad2", 3, b, 4);
	s = score_ok(p2, a, 0);
	assert_string_equal(s.suggest, "phq9");
	s = score_ok(g2, a, 0);
	assert_string_equal(s.suggest, "gad7");
	a[0] = 1;
	s = score_ok(p2, a, 0);
	assert_null(s.suggest);
	hearth_instrument_free(p2);
	hearth_instrument_free(g2);
}

static void test_gad7_bands(void **state)
{
	static const struct boundary b[] = {
		{0, "minimal", 0}, {4, "minimal", 0}, {5, "mild", 0},
		{9, "mild", 0}, {10, "moderate", 1}, {14, "moderate", 1},
		{15, "severe", 1}, {21, "severe", 1},
	};

	(void)state;
	check_sum("gad7", 3, b, sizeof b / sizeof b[0]);
}

static void test_who5(void **state)
{
	hearth_instrument *inst = load("who5");
	static const struct {
		int a[5];
		int raw, shown;
		const char *band;
		int positive;     /* raw below 13 */
		int suggest;      /* PHQ-9 suggested */
		int item_rule;    /* "an item 0 or 1" fired */
	} cases[] = {
		{{5, 5, 5, 5, 5}, 25, 100, "adequate", 0, 0, 0},
		{{3, 3, 3, 2, 2}, 13, 52, "adequate", 0, 0, 0},
		{{3, 3, 2, 2, 2}, 12, 48, "low", 1, 1, 0},
		{{2, 2, 2, 2, 2}, 10, 40, "low", 1, 1, 0},
		{{5, 5, 5, 5, 1}, 21, 84, "adequate", 0, 1, 1},
		{{5, 5, 5, 5, 0}, 20, 80, "adequate", 0, 1, 1},
		{{4, 1, 1, 1, 1}, 8, 32, "low", 1, 1, 1},
		{{3, 1, 1, 1, 1}, 7, 28, "very_low", 1, 1, 1},
		{{0, 0, 0, 0, 0}, 0, 0, "very_low", 1, 1, 1},
	};
	size_t i, j;

	(void)state;
	assert_int_equal(hearth_instrument_display_max(inst), 100);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		hearth_score s = score_ok(inst, cases[i].a, 0);
		int rule = 0;
		for (j = 1; j < s.n_outcomes; j++)
			if (strcmp(s.outcomes[j]->id, "low_item") == 0)
				rule = 1;
		if (s.total != cases[i].raw || s.display != cases[i].shown ||
		    strcmp(s.band->id, cases[i].band) != 0 ||
		    s.positive != cases[i].positive ||
		    (s.suggest != NULL) != cases[i].suggest ||
		    rule != cases[i].item_rule)
			fail_msg("who5 case %zu: raw %d shown %d band %s pos %d "
				 "suggest %s rule %d", i, s.total, s.display,
				 s.band->id, s.positive,
				 s.suggest ? s.suggest : "-", rule);
		if (cases[i].suggest)
			assert_string_equal(s.suggest, "phq9");
		/* A further check, never a diagnosis. */
		if (strcmp(cases[i].band, "very_low") == 0)
			assert_non_null(strstr(s.band->next_step.en,
					       "further check"));
		assert_false(s.safety);
	}
	hearth_instrument_free(inst);
}

/* ---- C-SSRS ---- */

static void test_cssrs_paths(void **state)
{
	hearth_instrument *inst = load("cssrs");
	/* q1 q2 q3 q4 q5 q6 q6_recent */
	static const struct {
		int a[7];
		const char *level;
		const char *risk;
		int positive, safety;
	} cases[] = {
		{{0, 0, N, N, N, 0, N}, "none", NULL, 0, 0},
		{{1, 0, N, N, N, 0, N}, "low", "low", 1, 0},
		{{0, 1, 0, 0, 0, 0, N}, "low", "low", 1, 0},
		{{1, 1, 0, 0, 0, 0, N}, "low", "low", 1, 0},
		{{1, 1, 1, 0, 0, 0, N}, "moderate", "moderate", 1, 0},
		{{0, 0, N, N, N, 1, 0}, "moderate", "moderate", 1, 0},
		{{1, 1, 0, 0, 0, 1, 0}, "moderate", "moderate", 1, 0},
		{{1, 1, 0, 1, 0, 0, N}, "high", "high", 1, 1},
		{{1, 1, 0, 0, 1, 0, N}, "high", "high", 1, 1},
		{{0, 0, N, N, N, 1, 1}, "high", "high", 1, 1},
		{{1, 1, 1, 1, 1, 1, 1}, "high", "high", 1, 1},
	};
	int a[7];
	size_t i;
	hearth_score s;

	(void)state;
	assert_int_equal(hearth_instrument_method(inst), HEARTH_SCORING_RISK);
	assert_string_equal(hearth_instrument_administration(inst), "counsellor");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = score_ok(inst, cases[i].a, 0);
		if (strcmp(s.band->id, cases[i].level) != 0)
			fail_msg("cssrs case %zu: level %s, want %s", i,
				 s.band->id, cases[i].level);
		if (cases[i].risk == NULL)
			assert_null(s.risk);
		else
			assert_string_equal(s.risk, cases[i].risk);
		assert_int_equal(s.positive, cases[i].positive);
		assert_int_equal(s.safety, cases[i].safety);
		assert_int_equal(has_flag(&s, HEARTH_FLAG_SAFETY),
				 cases[i].safety);
	}
	/* Q3-Q5 are not asked when Q2 is no: an answer there is refused. */
	memcpy(a, (int[]){1, 0, 0, N, N, 0, N}, sizeof a);
	assert_int_equal(hearth_instrument_score(inst, a, 7, NULL, &s),
			 HEARTH_EINVAL);
	detail_has("item q3 is asked only when item q2 is 1");
	/* ... and required when Q2 is yes. */
	memcpy(a, (int[]){1, 1, N, N, N, 0, N}, sizeof a);
	assert_int_equal(hearth_instrument_score(inst, a, 7, NULL, &s),
			 HEARTH_EINCOMPLETE);
	detail_has("item q3 is unanswered");
	/* Q6 yes needs its recency. */
	memcpy(a, (int[]){0, 0, N, N, N, 1, N}, sizeof a);
	assert_int_equal(hearth_instrument_score(inst, a, 7, NULL, &s),
			 HEARTH_EINCOMPLETE);
	detail_has("item q6_recent is unanswered");
	assert_false(hearth_instrument_item_shown(inst, 2,
		     (int[]){1, 0, N, N, N, N, N}));
	assert_true(hearth_instrument_item_shown(inst, 2,
		    (int[]){1, 1, N, N, N, N, N}));
	hearth_instrument_free(inst);
}

/* ---- answers lists ---- */

static hearth_status map(const hearth_instrument *inst, const char *text,
			 int *a)
{
	hearth_answer_list l;
	hearth_status st = hearth_answers_parse(text, strlen(text), &l);

	if (st != HEARTH_OK)
		return st;
	return hearth_instrument_answers_map(inst, &l, a);
}

static void test_answers_lists(void **state)
{
	hearth_instrument *p = load("phq9"), *c = load("cssrs");
	int a[HEARTH_INSTRUMENT_MAX_ITEMS];
	hearth_score s;

	(void)state;
	OK(map(p, "1,0,2,0,1,0,0,1,1", a));
	s = score_ok(p, a, 0);
	assert_int_equal(s.total, 6);
	OK(map(p, " 1, 0 ,2,0,1,0,0,1,1,", a)); /* spaces, a trailing comma */
	assert_int_equal(a[2], 2);
	/* Out of range, named by its place in the list. */
	assert_int_equal(map(p, "0,0,7,0,0,0,0,0,0", a), HEARTH_EINVAL);
	detail_has("answer 3 is 7: choose 0-3");
	assert_int_equal(map(p, "0,0,x,0", a), HEARTH_EINVAL);
	detail_has("answer 3 is 'x': expected a number");
	assert_int_equal(map(p, "", a), HEARTH_EINVAL);
	detail_has("no answers");
	/* Incomplete: not scored, the first missing item named. */
	assert_int_equal(map(p, "1,0,2", a), HEARTH_EINCOMPLETE);
	detail_has("item 4 is unanswered: nothing was scored");
	assert_int_equal(map(p, "1,0,2,-,1,0,0,1,1", a), HEARTH_EINCOMPLETE);
	detail_has("item 4 is unanswered");
	assert_int_equal(map(p, "0,0,0,0,0,0,0,0,0,0", a), HEARTH_EINVAL);
	detail_has("too many answers: 10 given, 9 asked");
	{
		int b[9] = {1, 0, 2, N, 1, 0, 0, 1, 1};
		assert_int_equal(hearth_instrument_score(p, b, 9, NULL, &s),
				 HEARTH_EINCOMPLETE);
		detail_has("item 4 is unanswered");
		b[3] = 4;
		assert_int_equal(hearth_instrument_score(p, b, 9, NULL, &s),
				 HEARTH_EINVAL);
		detail_has("answer 4 is 4: choose 0-3");
	}
	/* C-SSRS: skipped items may be left out or written '-'. */
	OK(map(c, "1,0,0", a));
	assert_int_equal(a[0], 1);
	assert_int_equal(a[2], N);
	assert_int_equal(a[5], 0);
	s = score_ok(c, a, 0);
	assert_string_equal(s.band->id, "low");
	OK(map(c, "1,0,-,-,-,1,1", a));
	s = score_ok(c, a, 0);
	assert_string_equal(s.band->id, "high");
	assert_int_equal(map(c, "1,0,0,0,0,1,1", a), HEARTH_EINVAL);
	detail_has("too many answers");
	detail_has("q3, q4, q5");
	assert_int_equal(map(c, "1,1,0,0", a), HEARTH_EINCOMPLETE);
	detail_has("item q5 is unanswered");
	assert_int_equal(map(c, "1,2", a), HEARTH_EINVAL);
	detail_has("answer 2 is 2: choose 0-1");
	hearth_instrument_free(p);
	hearth_instrument_free(c);
}

/* Random complete PHQ-9 answers: the total is the sum, the band holds it,
 * the flag follows item 9 alone.  The seed is printed on failure. */
static void test_phq9_random(void **state)
{
	hearth_instrument *inst = load("phq9");
	unsigned seed = (unsigned)time(NULL);
	int round;

	(void)state;
	srand(seed);
	for (round = 0; round < 2000; round++) {
		int a[9], sum = 0, lo, hi;
		size_t i;
		hearth_score s;
		for (i = 0; i < 9; i++) {
			a[i] = rand() % 4;
			sum += a[i];
		}
		s = score_ok(inst, a, 0);
		for (i = 0; i < hearth_instrument_n_bands(inst); i++)
			if (hearth_instrument_band(inst, i, &lo, &hi) == s.band)
				break;
		if (s.total != sum || sum < lo || sum > hi ||
		    s.safety != (a[8] > 0) || s.positive != (sum >= 10))
			fail_msg("seed %u round %d: total %d sum %d band %s",
				 seed, round, s.total, sum, s.band->id);
	}
	hearth_instrument_free(inst);
}

/* ---- the loader's errors ---- */

static const char base_json[] =
	"{\"format\":1,\"id\":\"t\",\"version\":\"1\","
	"\"title\":{\"en\":\"T\",\"zh_CN\":\"题\"},"
	"\"administration\":\"self\","
	"\"lead_in\":{\"en\":\"Lead\",\"zh_CN\":\"引\"},"
	"\"licence\":\"free\",\"source\":\"test\","
	"\"wording\":{\"en\":\"confirmed\",\"zh_CN\":\"confirmed\"},"
	"\"translation\":\"official\","
	"\"option_sets\":{\"f\":[{\"value\":0,\"label\":{\"en\":\"no\",\"zh_CN\":\"否\"}},"
	"{\"value\":1,\"label\":{\"en\":\"some\",\"zh_CN\":\"有\"}},"
	"{\"value\":2,\"label\":{\"en\":\"much\",\"zh_CN\":\"多\"}}]},"
	"\"items\":[{\"id\":\"1\",\"text\":{\"en\":\"A\",\"zh_CN\":\"甲\"},\"options\":\"f\"},"
	"{\"id\":\"2\",\"text\":{\"en\":\"B\",\"zh_CN\":\"乙\"},\"options\":\"f\"}],"
	"\"scoring\":{\"method\":\"sum\"},"
	"\"bands\":[{\"id\":\"low\",\"min\":0,\"max\":1,"
	"\"label\":{\"en\":\"L\",\"zh_CN\":\"低\"},\"next_step\":{\"en\":\"n\",\"zh_CN\":\"无\"}},"
	"{\"id\":\"high\",\"min\":2,\"max\":4,"
	"\"label\":{\"en\":\"H\",\"zh_CN\":\"高\"},\"next_step\":{\"en\":\"n\",\"zh_CN\":\"无\"},"
	"\"action\":{\"kind\":\"followup\",\"days\":7}}],"
	"\"rules\":[{\"id\":\"r\",\"when\":{\"item\":\"2\",\"min\":2},\"flags\":[\"safety\"],"
	"\"label\":{\"en\":\"R\",\"zh_CN\":\"规\"},\"next_step\":{\"en\":\"n\",\"zh_CN\":\"无\"}}]}";

/* Applies a mutation (a JSON path written as keys and indexes, and a new
 * value, or NULL to delete) to the base file and parses it. */
static hearth_status parse_mutated(const char *const *path, size_t depth,
				   json_t *value)
{
	json_error_t err;
	json_t *root = json_loads(base_json, 0, &err), *node;
	hearth_instrument *inst = NULL;
	hearth_status st;
	char *text;
	size_t i;

	assert_non_null(root);
	node = root;
	for (i = 0; i + 1 < depth; i++) {
		if (json_is_array(node))
			node = json_array_get(node, (size_t)atoi(path[i]));
		else
			node = json_object_get(node, path[i]);
		assert_non_null(node);
	}
	if (json_is_array(node)) {
		if (value == NULL)
			json_array_remove(node, (size_t)atoi(path[depth - 1]));
		else
			json_array_set_new(node, (size_t)atoi(path[depth - 1]),
					   value);
	} else if (value == NULL) {
		json_object_del(node, path[depth - 1]);
	} else {
		json_object_set_new(node, path[depth - 1], value);
	}
	text = json_dumps(root, JSON_COMPACT);
	st = hearth_instrument_parse("t.json", text, strlen(text), &inst);
	hearth_instrument_free(inst);
	free(text);
	json_decref(root);
	return st;
}

#define MUT(value, ...) \
	parse_mutated((const char *const[]){__VA_ARGS__}, \
		      sizeof((const char *const[]){__VA_ARGS__}) / \
			      sizeof(const char *), (value))

static void test_loader_errors(void **state)
{
	hearth_instrument *inst = NULL;
	const char *bad = "{\"id\": ";

	(void)state;
	/* The base file itself is valid. */
	OK(hearth_instrument_parse("t.json", base_json, strlen(base_json),
				   &inst));
	assert_int_equal(hearth_instrument_total_max(inst), 4);
	hearth_instrument_free(inst);

	assert_int_equal(hearth_instrument_parse("t.json", bad, strlen(bad),
						 &inst), HEARTH_EFORMAT);
	assert_null(inst);
	detail_has("t.json: $: not JSON");
	assert_int_equal(hearth_instrument_parse("t.json", "[]", 2, &inst),
			 HEARTH_EFORMAT);
	detail_has("t.json: $: expected an object");

	assert_int_equal(MUT(NULL, "id"), HEARTH_EFORMAT);
	detail_has("t.json: $.id: missing");
	assert_int_equal(MUT(json_integer(5), "id"), HEARTH_EFORMAT);
	detail_has("t.json: $.id: expected a string");
	assert_int_equal(MUT(json_integer(5), "items", "1", "options"),
			 HEARTH_EFORMAT);
	detail_has("t.json: $.items[1].options: expected an array or the name "
		   "of an option set");
	assert_int_equal(MUT(json_string("nope"), "items", "0", "options"),
			 HEARTH_EFORMAT);
	detail_has("t.json: $.items[0].options: no option set 'nope'");
	assert_int_equal(MUT(json_object(), "items"), HEARTH_EFORMAT);
	detail_has("t.json: $.items: expected an array");
	assert_int_equal(MUT(json_string("x"), "title"), HEARTH_EFORMAT);
	detail_has("t.json: $.title: expected an object");
	assert_int_equal(MUT(NULL, "title", "zh_CN"), HEARTH_EFORMAT);
	detail_has("t.json: $.title.zh_CN: missing");
	assert_int_equal(MUT(json_true(), "items", "0", "optoins"),
			 HEARTH_EFORMAT);
	detail_has("t.json: $.items[0]: unknown key 'optoins'");

	/* Option values: duplicate, out of order. */
	assert_int_equal(MUT(json_integer(0), "option_sets", "f", "1", "value"),
			 HEARTH_EFORMAT);
	detail_has("t.json: $.option_sets.f[1].value: duplicate value 0");
	assert_int_equal(MUT(json_integer(3), "option_sets", "f", "1", "value"),
			 HEARTH_EFORMAT);
	detail_has("t.json: $.option_sets.f[2].value: value 2 out of order");

	/* Bands: gap, overlap, short of the highest total. */
	assert_int_equal(MUT(json_integer(3), "bands", "1", "min"),
			 HEARTH_EFORMAT);
	detail_has("t.json: $.bands[1].min: gap: no band covers 2-2");
	assert_int_equal(MUT(json_integer(1), "bands", "1", "min"),
			 HEARTH_EFORMAT);
	detail_has("t.json: $.bands[1].min: 1 overlaps band 0 (0-1)");
	assert_int_equal(MUT(json_integer(3), "bands", "1", "max"),
			 HEARTH_EFORMAT);
	detail_has("t.json: $.bands[1]: the last band ends at 3 but the "
		   "highest total is 4");
	assert_int_equal(MUT(json_integer(1), "bands", "0", "min"),
			 HEARTH_EFORMAT);
	detail_has("t.json: $.bands[0].min: the first band starts at 1");

	/* Scoring method and rules. */
	assert_int_equal(MUT(json_string("mean"), "scoring", "method"),
			 HEARTH_EFORMAT);
	detail_has("t.json: $.scoring.method: unknown scoring method 'mean'");
	assert_int_equal(MUT(json_string("9"), "rules", "0", "when", "item"),
			 HEARTH_EFORMAT);
	detail_has("t.json: $.rules[0].when.item: no item '9'");
	assert_int_equal(MUT(json_pack("{s:s,s:i,s:i}", "item", "1", "min", 1,
				       "max", 2), "rules", "0", "when"),
			 HEARTH_EFORMAT);
	detail_has("t.json: $.rules[0].when: expected exactly one of");
	assert_int_equal(MUT(json_pack("{s:s}", "kind", "later"), "bands", "0",
			     "action"), HEARTH_EFORMAT);
	detail_has("t.json: $.bands[0].action.kind: unknown action 'later'");
	assert_int_equal(MUT(json_pack("{s:s,s:i}", "item", "2", "equals", 1),
			     "items", "0", "show_if"), HEARTH_EFORMAT);
	detail_has("t.json: $.items[0].show_if.item: no earlier item '2'");
	assert_int_equal(MUT(json_pack("{s:s,s:i}", "item", "1", "equals", 7),
			     "items", "1", "show_if"), HEARTH_EFORMAT);
	detail_has("t.json: $.items[1].show_if.equals: 7 is not an option");
	assert_int_equal(MUT(json_string("partly"), "translation"),
			 HEARTH_EFORMAT);
	detail_has("t.json: $.translation: expected 'official' or 'unofficial'");
	assert_int_equal(MUT(json_string("none found"), "wording", "zh_CN"),
			 HEARTH_EFORMAT);
	detail_has("the translation must be 'unofficial'");
	assert_int_equal(MUT(json_integer(2), "format"), HEARTH_ENEWER);
	detail_has("t.json: $.format: format 2 needs a newer version");
	assert_int_equal(MUT(json_pack("{s:i}", "at_or_above", 9), "positive"),
			 HEARTH_EFORMAT);
	detail_has("t.json: $.positive.at_or_above: 9 is out of range 0-4");
}

static void test_loader_files(void **state)
{
	char dir[] = "/tmp/hearth-instr-XXXXXX", sub[64], path[96];
	hearth_instrument *inst = NULL;
	const char *old = getenv("HEARTH_DATA_DIR");
	char *saved = old != NULL ? strdup(old) : NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof sub, "%s/instruments", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	/* A broken phq9.json first on the path is reported, not skipped. */
	snprintf(path, sizeof path, "%s/phq9.json", sub);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"format\":1,\"id\":\"phq9\",\"items\":[1,2,3]}", f);
	fclose(f);
	setenv("HEARTH_DATA_DIR", dir, 1);
	assert_int_equal(hearth_instrument_find("phq9", &inst), HEARTH_EFORMAT);
	detail_has("phq9.json: $.version: missing");
	/* Other ids still come from further down the path. */
	OK(hearth_instrument_find("gad7", &inst));
	hearth_instrument_free(inst);
	assert_int_equal(hearth_instrument_find("nosuch", &inst),
			 HEARTH_ENOTFOUND);
	detail_has("no instrument 'nosuch'");
	assert_int_equal(hearth_instrument_find("../etc", &inst), HEARTH_EINVAL);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(rmdir(dir), 0);
	if (saved != NULL)
		setenv("HEARTH_DATA_DIR", saved, 1);
	else
		unsetenv("HEARTH_DATA_DIR");
	free(saved);
}

/* Saved screenings' bands in words: the label their instrument's file
 * gives, in the language asked (C-SSRS risk levels too); the band as
 * stored when the instrument or the band is not known here, with no
 * error detail left behind. */
static void test_band_labels(void **state)
{
	static const char *const ids[] = { "phq9", "cssrs" };
	hearth_band_labels *en = NULL, *zh = NULL;
	hearth_instrument *inst = NULL;
	const hearth_outcome *o;
	const char *first;
	size_t i, k;

	(void)state;
	OK(hearth_band_labels_new("en", &en));
	OK(hearth_band_labels_new("zh_CN.UTF-8", &zh));
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		OK(hearth_instrument_find(ids[i], &inst));
		assert_true(hearth_instrument_n_bands(inst) > 0);
		for (k = 0; k < hearth_instrument_n_bands(inst); k++) {
			o = hearth_instrument_band(inst, k, NULL, NULL);
			assert_ptr_equal(hearth_instrument_band_find(inst, o->id), o);
			assert_string_equal(hearth_band_labels_get(en, ids[i], o->id),
					    o->label.en);
			assert_string_equal(hearth_band_labels_get(zh, ids[i], o->id),
					    o->label.zh_CN);
			assert_string_not_equal(o->label.zh_CN, o->id);
		}
		assert_null(hearth_instrument_band_find(inst, "no_such_band"));
		assert_null(hearth_instrument_band_find(inst, NULL));
		hearth_instrument_free(inst);
	}
	assert_null(hearth_instrument_band_find(NULL, "low"));
	/* Each file is loaded once: a label handed out stays where it was. */
	first = hearth_band_labels_get(en, "phq9", "moderate");
	hearth_band_labels_get(en, "gad7", "mild");
	assert_ptr_equal(hearth_band_labels_get(en, "phq9", "moderate"), first);
	/* Not known here: the band as stored, and nothing to report. */
	assert_string_equal(hearth_band_labels_get(en, "nosuch", "moderate"),
			    "moderate");
	assert_int_equal(hearth_errinfo_get()->status, HEARTH_OK);
	assert_string_equal(hearth_band_labels_get(zh, "phq9", "no_such_band"),
			    "no_such_band");
	assert_string_equal(hearth_band_labels_get(en, "../etc", "low"), "low");
	assert_int_equal(hearth_errinfo_get()->status, HEARTH_OK);
	assert_string_equal(hearth_band_labels_get(en, NULL, "low"), "low");
	assert_string_equal(hearth_band_labels_get(en, "phq9", NULL), "");
	assert_string_equal(hearth_band_labels_get(NULL, "phq9", "moderate"),
			    "moderate");
	hearth_band_labels_free(en);
	hearth_band_labels_free(zh);
	hearth_band_labels_free(NULL);
}

/* ---- settings ---- */

struct fixture {
	sqlite3 *db;
	hearth_store *s;
	hearth_id person;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (f == NULL || sqlite3_open(":memory:", &f->db) != SQLITE_OK ||
	    hearth_schema_migrate(f->db, hearth_schema_latest()) != HEARTH_OK ||
	    hearth_store_open(f->db, NULL, &f->s) != HEARTH_OK ||
	    hearth_record_create(f->s, NULL, "person", &f->person) != HEARTH_OK ||
	    hearth_record_set(f->s, &f->person, "name", "Li Wei") != HEARTH_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	hearth_store_close(f->s);
	sqlite3_close(f->db);
	free(f);
	return 0;
}

static void test_settings(void **state)
{
	struct fixture *f = *state;
	hearth_helpline *l;
	size_t n;
	char *v;
	int is_set;

	/* Defaults, named in each language. */
	OK(hearth_settings_helplines(f->s, "zh_CN", &l, &n));
	assert_int_equal(n, 3);
	assert_string_equal(l[0].name, "全国心理援助热线");
	assert_string_equal(l[0].number, "12356");
	assert_string_equal(l[1].name, "急救");
	assert_string_equal(l[1].number, "120");
	assert_string_equal(l[2].name, "报警");
	assert_string_equal(l[2].number, "110");
	hearth_helplines_free(l, n);
	OK(hearth_settings_helplines(f->s, "en", &l, &n));
	assert_string_equal(l[0].name, "National mental-health helpline");
	hearth_helplines_free(l, n);
	OK(hearth_settings_get(f->s, "phq9_cutoff", &v));
	assert_string_equal(v, "10");
	free(v);
	OK(hearth_settings_is_set(f->s, "phq9_cutoff", &is_set));
	assert_false(is_set);

	/* Setting and validation. */
	OK(hearth_settings_set(f->s, "helplines",
			       "Union hotline:0355-1234567, 急救：120"));
	OK(hearth_settings_helplines(f->s, "en", &l, &n));
	assert_int_equal(n, 2);
	assert_string_equal(l[0].name, "Union hotline");
	assert_string_equal(l[0].number, "0355-1234567");
	assert_string_equal(l[1].name, "急救");
	assert_string_equal(l[1].number, "120");
	hearth_helplines_free(l, n);
	assert_int_equal(hearth_settings_set(f->s, "helplines", "A:1,Police"),
			 HEARTH_EINVAL);
	detail_has("help line 2 'Police' has no number");
	assert_int_equal(hearth_settings_set(f->s, "helplines", "A:call me"),
			 HEARTH_EINVAL);
	detail_has("is not a phone number");
	OK(hearth_settings_helplines(f->s, "en", &l, &n));
	assert_int_equal(n, 2);     /* refused values changed nothing */
	hearth_helplines_free(l, n);
	assert_int_equal(hearth_settings_set(f->s, "phq9_cutoff", "8"),
			 HEARTH_EINVAL);
	detail_has("phq9_cutoff must be 7 or 10, not '8'");
	OK(hearth_settings_set(f->s, "phq9_cutoff", "7"));
	OK(hearth_settings_get(f->s, "phq9_cutoff", &v));
	assert_string_equal(v, "7");
	free(v);
	OK(hearth_settings_set(f->s, "lang", "zh_CN.UTF-8"));
	OK(hearth_settings_get(f->s, "lang", &v));
	assert_string_equal(v, "zh_CN");
	free(v);
	assert_int_equal(hearth_settings_set(f->s, "lang", "fr"), HEARTH_EINVAL);
	assert_int_equal(hearth_settings_set(f->s, "colour", "red"),
			 HEARTH_ENOTFOUND);
	detail_has("no setting 'colour'");
	assert_int_equal(hearth_settings_get(f->s, "colour", &v),
			 HEARTH_ENOTFOUND);
	/* Resetting help lines gives the defaults back. */
	OK(hearth_settings_set(f->s, "helplines", ""));
	OK(hearth_settings_helplines(f->s, "en", &l, &n));
	assert_int_equal(n, 3);
	hearth_helplines_free(l, n);
}

static void test_crisis_card(void **state)
{
	struct fixture *f = *state;
	char *card;

	OK(hearth_settings_set(f->s, "supervisor", "Zhang Min 139-0000-0000"));
	OK(hearth_crisis_card(f->s, "en", &card));
	assert_non_null(strstr(card, "Stay with the person"));
	assert_non_null(strstr(card, "Remove the means"));
	assert_non_null(strstr(card, "National mental-health helpline: 12356"));
	assert_non_null(strstr(card, "Emergency (ambulance): 120"));
	assert_non_null(strstr(card, "Police: 110"));
	assert_non_null(strstr(card, "supervisor"));
	assert_non_null(strstr(card, "Zhang Min 139-0000-0000"));
	free(card);
	OK(hearth_crisis_card(f->s, "zh_CN", &card));
	assert_non_null(strstr(card, "陪伴在对方身边"));
	assert_non_null(strstr(card, "全国心理援助热线：12356"));
	assert_non_null(strstr(card, "督导"));
	free(card);
}

/* ---- the safety rule through the store ---- */

struct count_ctx {
	const char *kind;
	size_t n;
	hearth_record *last;
};

static int count_cb(const hearth_record *r, void *arg)
{
	struct count_ctx *c = arg;

	(void)r;
	c->n++;
	return 0;
}

static size_t count(hearth_store *s, const char *kind)
{
	struct count_ctx c = {kind, 0, NULL};

	OK(hearth_store_each(s, kind, 0, count_cb, &c));
	return c.n;
}

static int audit_cb(const hearth_audit_entry *e, void *arg)
{
	size_t *n = arg;

	if (strcmp(e->action, "screening.add") == 0)
		(*n)++;
	return 0;
}

static void test_safety_phq9(void **state)
{
	struct fixture *f = *state;
	hearth_instrument *inst = load("phq9");
	int a[9] = {1, 0, 2, 0, 1, 0, 0, 1, 1};
	hearth_screening_input in = {0};
	hearth_screening_result r;
	hearth_followups *fl = NULL;
	hearth_record *rec = NULL, *person = NULL;
	size_t n_audit = 0;

	in.person = f->person;
	in.answers = a;
	in.n_answers = 9;
	in.difficulty = 1;
	in.lang = "en";
	in.at = "2026-03-02 10:30";
	OK(hearth_screening_save(f->s, inst, &in, &r));
	assert_int_equal(r.score.total, 6);
	assert_true(r.safety);
	assert_true(r.person_marked_high);
	assert_true(r.has_followup);
	assert_true(r.followup_high);
	assert_string_equal(r.followup_due, "2026-03-02");

	/* The person is high risk ... */
	OK(hearth_record_load(f->s, &f->person, &person));
	assert_string_equal(hearth_record_field(person, "risk"), "high");
	/* ... with a same-day high-priority safety follow-up. */
	OK(hearth_followup_list(f->s, HEARTH_FOLLOWUPS_PENDING, &f->person,
				"2026-03-02", &fl));
	assert_int_equal(fl->n, 1);
	assert_string_equal(fl->items[0].due, "2026-03-02");
	assert_string_equal(fl->items[0].priority, "high");
	assert_true(fl->items[0].safety);
	assert_true(hearth_id_equal(&fl->items[0].id, &r.followup));

	/* The record keeps version and raw answers with the score. */
	OK(hearth_record_load(f->s, &r.id, &rec));
	assert_string_equal(rec->kind, "screening");
	assert_string_equal(hearth_record_field(rec, "instrument"), "phq9");
	assert_string_equal(hearth_record_field(rec, "version"), "1");
	assert_string_equal(hearth_record_field(rec, "answers"),
			    "[1,0,2,0,1,0,0,1,1]");
	assert_string_equal(hearth_record_field(rec, "difficulty"), "1");
	assert_string_equal(hearth_record_field(rec, "total"), "6");
	assert_string_equal(hearth_record_field(rec, "band"), "mild");
	assert_string_equal(hearth_record_field(rec, "positive"), "0");
	assert_string_equal(hearth_record_field(rec, "cutoff"), "10");
	assert_string_equal(hearth_record_field(rec, "flags"), "[\"safety\"]");
	assert_string_equal(hearth_record_field(rec, "date"), "2026-03-02");
	assert_string_equal(hearth_record_field(rec, "at"), "2026-03-02 10:30");
	assert_string_equal(hearth_record_field(rec, "translation"), "official");
	assert_non_null(strstr(hearth_record_field(rec, "next_step"),
			       "Item 9"));
	OK(hearth_audit_each(f->s, audit_cb, &n_audit));
	assert_int_equal(n_audit, 1);
	/* Saved at once, the action taken still to record. */
	assert_true(r.action_pending);
	assert_string_equal(hearth_record_field(rec, "action_status"),
			    "pending");
	{
		hearth_pending_action *pa = NULL;
		size_t npa = 0;
		OK(hearth_screening_pending_actions(f->s, &f->person, &pa,
						    &npa));
		assert_int_equal(npa, 1);
		assert_true(hearth_id_equal(&pa[0].screening, &r.id));
		assert_string_equal(pa[0].instrument, "phq9");
		hearth_pending_actions_free(pa, npa);
	}

	hearth_record_free(rec);
	hearth_record_free(person);
	hearth_followups_free(fl);
	hearth_instrument_free(inst);
}

static size_t count_audit_action(hearth_store *s, const char *action);

/* Save first, then ask: a high C-SSRS result without the action taken is
 * saved with its follow-up and the person's high risk, its action
 * pending; recording the action is its own audited change, made once. */
static void test_safety_cssrs_saved_action_pending(void **state)
{
	struct fixture *f = *state;
	hearth_instrument *inst = load("cssrs");
	int a[7] = {1, 1, 0, 1, 0, 0, N};
	hearth_screening_input in = {0};
	hearth_screening_result r;
	hearth_record *person = NULL, *rec = NULL;
	hearth_pending_action *pa = NULL;
	hearth_id unknown = hearth_id_random();
	size_t npa = 0;

	in.person = f->person;
	in.answers = a;
	in.n_answers = 7;
	in.difficulty = N;
	in.lang = "zh_CN";
	in.at = "2026-03-02";
	in.action_taken = "   "; /* blank is no action */
	OK(hearth_screening_save(f->s, inst, &in, &r));
	assert_true(r.safety);
	assert_true(r.action_pending);
	assert_true(r.person_marked_high);
	assert_true(r.has_followup);
	assert_true(r.followup_high);
	assert_string_equal(r.followup_due, "2026-03-02");
	assert_int_equal(count(f->s, "screening"), 1);
	assert_int_equal(count(f->s, "followup"), 1);
	OK(hearth_record_load(f->s, &f->person, &person));
	assert_string_equal(hearth_record_field(person, "risk"), "high");
	hearth_record_free(person);
	OK(hearth_record_load(f->s, &r.id, &rec));
	assert_string_equal(hearth_record_field(rec, "action_status"), "pending");
	assert_null(hearth_record_field(rec, "action_taken"));
	hearth_record_free(rec);

	/* It is listed, for the person and for everyone. */
	OK(hearth_screening_pending_actions(f->s, &f->person, &pa, &npa));
	assert_int_equal(npa, 1);
	assert_true(hearth_id_equal(&pa[0].screening, &r.id));
	assert_true(hearth_id_equal(&pa[0].person, &f->person));
	assert_string_equal(pa[0].person_name, "Li Wei");
	assert_string_equal(pa[0].instrument, "cssrs");
	assert_string_equal(pa[0].date, "2026-03-02");
	hearth_pending_actions_free(pa, npa);
	OK(hearth_screening_pending_actions(f->s, NULL, &pa, &npa));
	assert_int_equal(npa, 1);
	hearth_pending_actions_free(pa, npa);
	OK(hearth_screening_pending_actions(f->s, &unknown, &pa, &npa));
	assert_int_equal(npa, 0);
	hearth_pending_actions_free(pa, npa);

	/* Bad calls change nothing. */
	assert_int_equal(hearth_screening_record_action(f->s, &r.id, " ",
							"2026-03-02 11:00"),
			 HEARTH_EINVAL);
	assert_int_equal(hearth_screening_record_action(f->s, &unknown, "x",
							"2026-03-02 11:00"),
			 HEARTH_ENOTFOUND);
	assert_int_equal(hearth_screening_record_action(f->s, &r.id, "x",
							"2026-03-32"),
			 HEARTH_EINVAL);
	assert_int_equal(count_audit_action(f->s, "screening.action"), 0);

	/* Recorded: no longer pending, audited once. */
	OK(hearth_screening_record_action(f->s, &r.id, "stayed with him, "
					  "called 12356, told supervisor",
					  "2026-03-02 11:00"));
	OK(hearth_record_load(f->s, &r.id, &rec));
	assert_string_equal(hearth_record_field(rec, "action_status"),
			    "recorded");
	assert_string_equal(hearth_record_field(rec, "action_taken"),
			    "stayed with him, called 12356, told supervisor");
	assert_string_equal(hearth_record_field(rec, "action_at"),
			    "2026-03-02 11:00");
	hearth_record_free(rec);
	assert_int_equal(count_audit_action(f->s, "screening.action"), 1);
	OK(hearth_screening_pending_actions(f->s, NULL, &pa, &npa));
	assert_int_equal(npa, 0);
	hearth_pending_actions_free(pa, npa);
	/* ... and not a second time. */
	assert_int_equal(hearth_screening_record_action(f->s, &r.id, "again",
							"2026-03-02 12:00"),
			 HEARTH_ESTATE);
	detail_has("recorded already");
	assert_int_equal(count_audit_action(f->s, "screening.action"), 1);
	OK(hearth_record_load(f->s, &r.id, &rec));
	assert_string_equal(hearth_record_field(rec, "action_taken"),
			    "stayed with him, called 12356, told supervisor");
	hearth_record_free(rec);

	/* Given at the save, the action is recorded at once. */
	in.action_taken = "stayed with him, called 12356, told supervisor";
	OK(hearth_screening_save(f->s, inst, &in, &r));
	assert_true(r.safety);
	assert_false(r.action_pending);
	OK(hearth_screening_pending_actions(f->s, NULL, &pa, &npa));
	assert_int_equal(npa, 0);
	hearth_pending_actions_free(pa, npa);
	assert_string_equal(r.score.risk, "high");
	assert_string_equal(r.followup_due, "2026-03-02");
	OK(hearth_record_load(f->s, &f->person, &person));
	assert_string_equal(hearth_record_field(person, "risk"), "high");
	OK(hearth_record_load(f->s, &r.id, &rec));
	assert_string_equal(hearth_record_field(rec, "risk"), "high");
	assert_string_equal(hearth_record_field(rec, "band"), "high");
	assert_string_equal(hearth_record_field(rec, "answers"),
			    "[1,1,0,1,0,0,null]");
	assert_string_equal(hearth_record_field(rec, "translation"),
			    "unofficial");
	assert_string_equal(hearth_record_field(rec, "lang"), "zh_CN");
	assert_string_equal(hearth_record_field(rec, "action_taken"),
			    in.action_taken);
	assert_null(hearth_record_field(rec, "cutoff"));
	assert_string_equal(hearth_record_field(rec, "action_status"),
			    "recorded");
	assert_non_null(strstr(hearth_record_field(rec, "next_step"), "高风险"));
	/* A second trigger the same day reuses the open safety follow-up. */
	assert_int_equal(count(f->s, "followup"), 1);
	hearth_record_free(rec);
	hearth_record_free(person);

	/* A moderate result needs no action and asks for tomorrow. */
	memcpy(a, (int[]){1, 1, 1, 0, 0, 0, N}, sizeof a);
	in.action_taken = NULL;
	OK(hearth_screening_save(f->s, inst, &in, &r));
	assert_false(r.safety);
	assert_false(r.action_pending);
	assert_string_equal(r.followup_due, "2026-03-03");
	assert_true(r.followup_high);
	OK(hearth_record_load(f->s, &r.id, &rec));
	assert_null(hearth_record_field(rec, "action_status"));
	hearth_record_free(rec);
	/* No action can be recorded on a result without a safety flag. */
	assert_int_equal(hearth_screening_record_action(f->s, &r.id, "x",
							"2026-03-02"),
			 HEARTH_ESTATE);
	detail_has("no safety flag");
	hearth_instrument_free(inst);
}

struct audit_action_count {
	const char *action;
	size_t n;
};

static int audit_action_cb(const hearth_audit_entry *e, void *arg)
{
	struct audit_action_count *c = arg;

	if (strcmp(e->action, c->action) == 0)
		c->n++;
	return 0;
}

static size_t count_audit_action(hearth_store *s, const char *action)
{
	struct audit_action_count c = {action, 0};

	OK(hearth_audit_each(s, audit_action_cb, &c));
	return c.n;
}

/* A failure in the middle of saving a safety result (here: writing its
 * action status) leaves no screening, no follow-up, no risk, nothing
 * pending. */
static void test_safety_save_failure_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	hearth_instrument *inst = load("phq9");
	int a[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
	hearth_screening_input in = {0};
	hearth_screening_result r;
	hearth_pending_action *pa = NULL;
	hearth_record *person = NULL;
	size_t npa = 0;

	in.person = f->person;
	in.answers = a;
	in.n_answers = 9;
	in.difficulty = N;
	in.at = "2026-03-02 09:00";
	assert_int_equal(sqlite3_exec(f->db,
		"CREATE TEMP TRIGGER fail_mid_save BEFORE INSERT ON field "
		"WHEN NEW.name = 'action_status' "
		"BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;",
		NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(hearth_screening_save(f->s, inst, &in, &r),
			     HEARTH_OK);
	assert_int_equal(count(f->s, "screening"), 0);
	assert_int_equal(count(f->s, "followup"), 0);
	assert_int_equal(count_audit_action(f->s, "screening.add"), 0);
	OK(hearth_record_load(f->s, &f->person, &person));
	assert_null(hearth_record_field(person, "risk"));
	hearth_record_free(person);
	OK(hearth_screening_pending_actions(f->s, NULL, &pa, &npa));
	assert_int_equal(npa, 0);
	hearth_pending_actions_free(pa, npa);

	/* Once writing works again, the same result saves whole. */
	assert_int_equal(sqlite3_exec(f->db, "DROP TRIGGER fail_mid_save",
				      NULL, NULL, NULL), SQLITE_OK);
	OK(hearth_screening_save(f->s, inst, &in, &r));
	assert_true(r.action_pending);
	assert_int_equal(count(f->s, "screening"), 1);
	assert_int_equal(count(f->s, "followup"), 1);
	hearth_instrument_free(inst);
}

/* Does text say that no further check is needed (in either language)? */
static int says_no_further_check(const char *text)
{
	return strstr(text, "No further check") != NULL ||
	       strstr(text, "no further check") != NULL ||
	       strstr(text, "无需进一步") != NULL;
}

/* A safety flag overrides the band's advice: PHQ-9 with item 9 = 1 and
 * nothing else is in the "minimal" band, whose step says no further
 * check; under the flag that step is left out and a check is asked for. */
static void test_safety_overrides_band_advice(void **state)
{
	hearth_instrument *inst = load("phq9");
	int a[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
	const char *langs[] = {"en", "zh_CN"};
	hearth_score sc;
	char *steps;
	size_t i, j;

	(void)state;
	sc = score_ok(inst, a, 0);
	assert_string_equal(sc.band->id, "minimal");
	assert_false(sc.positive);
	assert_true(sc.safety);
	assert_true(hearth_score_further_check(&sc));
	for (i = 0; i < 2; i++) {
		OK(hearth_score_next_steps(&sc, langs[i], &steps));
		if (says_no_further_check(steps))
			fail_msg("under a safety flag (%s): %s", langs[i], steps);
		assert_non_null(strstr(steps, i == 0 ? "Item 9" : "第9题"));
		free(steps);
	}
	/* Without the flag the band's advice stands. */
	a[8] = 0;
	sc = score_ok(inst, a, 0);
	assert_false(hearth_score_further_check(&sc));
	OK(hearth_score_next_steps(&sc, "en", &steps));
	assert_true(says_no_further_check(steps));
	free(steps);
	/* A positive screen asks for a check too. */
	spread(a, 9, 3, 12);
	sc = score_ok(inst, a, 0);
	assert_true(hearth_score_further_check(&sc));
	hearth_instrument_free(inst);

	/* Every shipped band that says "no further check" asks for nothing,
	 * so the rule above finds it in any instrument; and no band that
	 * asks for nothing can be the only step under a safety flag,
	 * because the flag comes with its own rule or level. */
	for (i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
		hearth_instrument *in = load(shipped[i]);
		for (j = 0; j < hearth_instrument_n_bands(in); j++) {
			const hearth_outcome *o =
				hearth_instrument_band(in, j, NULL, NULL);
			if (says_no_further_check(o->next_step.en) ||
			    says_no_further_check(o->next_step.zh_CN))
				assert_int_equal(o->action.kind,
						 HEARTH_ACTION_NONE);
		}
		hearth_instrument_free(in);
	}
}

/* Help lines carry hours and the day they were last verified; a line not
 * verified within 90 days (or never) is stale. */
static void test_helpline_rows(void **state)
{
	struct fixture *f = *state;
	hearth_helpline line = {0}, *l = NULL;
	size_t n = 0;
	char *v = NULL, *card = NULL;
	int replaced = -1;

	/* Stale at 91 days, not at 90; never verified is stale. */
	line.name = "Union line";
	line.number = "0355-1234567";
	line.hours = "8:00-22:00";
	line.verified = "2026-01-01";
	assert_false(hearth_helpline_stale(&line, "2026-01-01"));
	assert_false(hearth_helpline_stale(&line, "2026-04-01")); /* 90 days */
	assert_true(hearth_helpline_stale(&line, "2026-04-02"));  /* 91 */
	line.verified = "";
	assert_true(hearth_helpline_stale(&line, "2026-01-01"));
	line.verified = NULL;
	assert_true(hearth_helpline_stale(&line, "2026-01-01"));

	/* Defaults: hours, never verified. */
	OK(hearth_settings_helplines(f->s, "en", &l, &n));
	assert_string_equal(l[0].hours, "24 h");
	assert_string_equal(l[0].verified, "");
	assert_true(hearth_helpline_stale(&l[0], "2026-04-01"));
	hearth_helplines_free(l, n);

	/* A value stored before hours and verified existed still reads. */
	OK(hearth_settings_set(f->s, "helplines",
			       "[{\"name\":\"Old line\",\"number\":\"12345\"}]"));
	OK(hearth_settings_helplines(f->s, "en", &l, &n));
	assert_int_equal(n, 1);
	assert_string_equal(l[0].name, "Old line");
	assert_string_equal(l[0].hours, "");
	assert_string_equal(l[0].verified, "");
	hearth_helplines_free(l, n);

	/* Add one, then replace it by its number (spacing aside). */
	line.verified = "2026-03-30";
	OK(hearth_settings_helpline_put(f->s, "en", &line, "2026-04-01",
					&replaced));
	assert_false(replaced);
	line.name = "Union hotline";
	line.number = "0355 1234567";
	OK(hearth_settings_helpline_put(f->s, "en", &line, "2026-04-01",
					&replaced));
	assert_true(replaced);
	OK(hearth_settings_helplines(f->s, "en", &l, &n));
	assert_int_equal(n, 2);
	assert_string_equal(l[1].name, "Union hotline");
	assert_string_equal(l[1].hours, "8:00-22:00");
	assert_string_equal(l[1].verified, "2026-03-30");
	hearth_helplines_free(l, n);

	/* Bad verified dates and hours are refused, and change nothing. */
	OK(hearth_settings_get(f->s, "helplines", &v));
	line.verified = "2026-02-30";
	assert_int_equal(hearth_settings_helpline_put(f->s, "en", &line,
						      "2026-04-01", NULL),
			 HEARTH_EINVAL);
	detail_has("is not a valid date");
	line.verified = "2026-04-02";
	assert_int_equal(hearth_settings_helpline_put(f->s, "en", &line,
						      "2026-04-01", NULL),
			 HEARTH_EINVAL);
	detail_has("after today");
	assert_int_equal(hearth_settings_helpline_verify(f->s, "en", "12345",
							 "2026-04-02",
							 "2026-04-01"),
			 HEARTH_EINVAL);
	line.verified = "";
	line.hours = "8:00\n22:00";
	assert_int_equal(hearth_settings_helpline_put(f->s, "en", &line,
						      "2026-04-01", NULL),
			 HEARTH_EINVAL);
	assert_int_equal(hearth_settings_set(f->s, "helplines",
		"[{\"name\":\"X\",\"number\":\"1\",\"verified\":\"01/02/2026\"}]"),
			 HEARTH_EINVAL);
	assert_int_equal(hearth_settings_helpline_verify(f->s, "en", "999",
							 NULL, "2026-04-01"),
			 HEARTH_ENOTFOUND);
	{
		char *after = NULL;
		OK(hearth_settings_get(f->s, "helplines", &after));
		assert_string_equal(after, v);
		free(after);
	}
	free(v);

	/* Verified today; then removed; the last line stays. */
	OK(hearth_settings_helpline_verify(f->s, "en", "12345", NULL,
					   "2026-04-01"));
	OK(hearth_settings_helplines(f->s, "en", &l, &n));
	assert_string_equal(l[0].verified, "2026-04-01");
	assert_false(hearth_helpline_stale(&l[0], "2026-04-01"));
	hearth_helplines_free(l, n);
	OK(hearth_crisis_card(f->s, "en", &card));
	assert_non_null(strstr(card, "Old line: 12345 (verified 2026-04-01)"));
	assert_non_null(strstr(card, "Union hotline: 0355 1234567 "
				     "(8:00-22:00; verified 2026-03-30)"));
	free(card);
	OK(hearth_crisis_card(f->s, "zh_CN", &card));
	assert_non_null(strstr(card, "Old line：12345（2026-04-01 已核实）"));
	free(card);
	OK(hearth_settings_helpline_remove(f->s, "en", "0355-1234567"));
	assert_int_equal(hearth_settings_helpline_remove(f->s, "en", "12345"),
			 HEARTH_ESTATE);
	OK(hearth_settings_helplines(f->s, "en", &l, &n));
	assert_int_equal(n, 1);
	hearth_helplines_free(l, n);
}

static void test_screening_refusals(void **state)
{
	struct fixture *f = *state;
	hearth_instrument *inst = load("phq9");
	int a[9] = {1, 0, 2, N, 1, 0, 0, 1, 1};
	hearth_screening_input in = {0};
	hearth_screening_result r;

	in.person = f->person;
	in.answers = a;
	in.n_answers = 9;
	in.difficulty = N;
	in.at = "2026-03-02";
	assert_int_equal(hearth_screening_save(f->s, inst, &in, &r),
			 HEARTH_EINCOMPLETE);
	a[3] = 9;
	assert_int_equal(hearth_screening_save(f->s, inst, &in, &r),
			 HEARTH_EINVAL);
	a[3] = 0;
	in.person = hearth_id_random();
	assert_int_equal(hearth_screening_save(f->s, inst, &in, &r),
			 HEARTH_ENOTFOUND);
	in.person = f->person;
	in.at = "2026-02-30";
	assert_int_equal(hearth_screening_save(f->s, inst, &in, &r),
			 HEARTH_EINVAL);
	in.at = "2026-03-02";
	in.difficulty = 5;
	assert_int_equal(hearth_screening_save(f->s, inst, &in, &r),
			 HEARTH_EINVAL);
	assert_int_equal(count(f->s, "screening"), 0);
	assert_int_equal(count(f->s, "followup"), 0);
	hearth_instrument_free(inst);
}

static void test_band_followups_and_cutoff(void **state)
{
	struct fixture *f = *state;
	hearth_instrument *p9 = load("phq9"), *p2 = load("phq2");
	int a[9];
	hearth_screening_input in = {0};
	hearth_screening_result r;
	hearth_record *rec = NULL;

	in.person = f->person;
	in.n_answers = 9;
	in.answers = a;
	in.difficulty = N;
	in.at = "2026-03-02";
	/* Moderate: a normal follow-up in 14 days; not a safety one. */
	spread(a, 9, 3, 10);
	OK(hearth_screening_save(f->s, p9, &in, &r));
	assert_false(r.safety);
	assert_true(r.has_followup);
	assert_false(r.followup_high);
	assert_string_equal(r.followup_due, "2026-03-16");
	/* The vault's cut-off of 7 makes a total of 8 positive. */
	OK(hearth_settings_set(f->s, "phq9_cutoff", "7"));
	spread(a, 9, 3, 8);
	OK(hearth_screening_save(f->s, p9, &in, &r));
	assert_true(r.score.positive);
	OK(hearth_record_load(f->s, &r.id, &rec));
	assert_string_equal(hearth_record_field(rec, "cutoff"), "7");
	assert_string_equal(hearth_record_field(rec, "positive"), "1");
	hearth_record_free(rec);
	/* PHQ-2 at 3 suggests the full form and makes no follow-up. */
	in.n_answers = 2;
	a[0] = 2;
	a[1] = 1;
	OK(hearth_screening_save(f->s, p2, &in, &r));
	assert_false(r.has_followup);
	assert_string_equal(r.score.suggest, "phq9");
	OK(hearth_record_load(f->s, &r.id, &rec));
	assert_string_equal(hearth_record_field(rec, "suggest"), "phq9");
	hearth_record_free(rec);
	hearth_instrument_free(p9);
	hearth_instrument_free(p2);
}

/* A screening inside the caller's transaction rolls back with it. */
static void test_inside_caller_transaction(void **state)
{
	struct fixture *f = *state;
	hearth_instrument *inst = load("phq9");
	int a[9] = {0, 0, 0, 0, 0, 0, 0, 0, 2};
	hearth_screening_input in = {0};
	hearth_screening_result r;

	in.person = f->person;
	in.answers = a;
	in.n_answers = 9;
	in.difficulty = N;
	in.at = "2026-03-02";
	OK(hearth_store_begin(f->s));
	OK(hearth_screening_save(f->s, inst, &in, &r));
	assert_int_equal(count(f->s, "screening"), 1);
	hearth_store_rollback(f->s);
	assert_int_equal(count(f->s, "screening"), 0);
	assert_int_equal(count(f->s, "followup"), 0);
	hearth_instrument_free(inst);
}

/* ---- one screening, end to end, in an encrypted vault ---- */

/* hearth_screening_run is what both faces call: these tests hold it to
 * what a counsellor relies on, in a real vault (encrypted SQLite, the
 * audit chain hashed by libsodium). */
struct vfixture {
	char dir[40];
	hearth_vault *v;
	hearth_store *s;
	hearth_id person;
};

static const char vpass[] = "screening run passphrase";

static int vsetup(void **state)
{
	struct vfixture *f = calloc(1, sizeof *f);
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_kdf_params low = hearth_kdf_params_low();
	hearth_vault_options opt = {.kdf = &low};
	hearth_person_fields pf = {.name = "Li Wei"};

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/hearth-test-run-XXXXXX");
	if (mkdtemp(f->dir) == NULL ||
	    hearth_vault_create(f->dir, vpass, strlen(vpass), &opt, code,
				&f->v) != HEARTH_OK)
		return -1;
	f->s = hearth_vault_store(f->v);
	if (hearth_person_add(f->s, &pf, &f->person) != HEARTH_OK)
		return -1;
	*state = f;
	return 0;
}

static int vteardown(void **state)
{
	struct vfixture *f = *state;
	char path[600];
	struct dirent *e;
	DIR *d;

	hearth_vault_close(f->v);
	/* Every file the vault made (its database, key file, WAL ...). */
	if ((d = opendir(f->dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", f->dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The vault's own audit entries of action: their number, and the
 * subject and detail of the newest. */
struct run_audit {
	const char *action;
	size_t n;
	hearth_id subject;
	char detail[128];
};

static int run_audit_cb(const hearth_audit_entry *e, void *arg)
{
	struct run_audit *a = arg;

	if (strcmp(e->action, a->action) != 0)
		return 0;
	a->n++;
	a->subject = e->subject;
	snprintf(a->detail, sizeof a->detail, "%s",
		 e->detail != NULL ? e->detail : "");
	return 0;
}

static struct run_audit run_audit(hearth_store *s, const char *action)
{
	struct run_audit a = {.action = action};

	OK(hearth_audit_each(s, run_audit_cb, &a));
	return a;
}

/* The input both faces fill: answers a[0..n) for the vault's person at
 * `at`, no difficulty answer, English; callers add the rest. */
static hearth_screening_input run_input(const struct vfixture *f, const int *a,
					size_t n, const char *at)
{
	hearth_screening_input in = {0};

	in.person = f->person;
	in.answers = a;
	in.n_answers = n;
	in.difficulty = N;
	in.lang = "en";
	in.at = at;
	return in;
}

/* A PHQ-9 with item 9 above 0 and a minimal total: the safety flag wins
 * over the band.  One call saves the screening, the same-day safety
 * follow-up and the person's high risk, leaves the action pending, and
 * hands back the crisis card and the pending entry; all of it is still
 * there after the vault is closed and opened again. */
static void test_run_safety_minimal_total(void **state)
{
	struct vfixture *f = *state;
	hearth_instrument *inst = load("phq9");
	int a[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
	hearth_screening_input in;
	hearth_screening_run_result r;
	hearth_pending_action *pa = NULL;
	hearth_followups *fl = NULL;
	hearth_record *rec = NULL;
	struct run_audit au;
	size_t npa = 0;

	OK(hearth_settings_set(f->s, "helplines", "Union hotline:0355-1234567"));
	in = run_input(f, a, 9, "2026-03-02 10:30");
	OK(hearth_screening_run(f->s, inst, &in, &r));

	/* What the face shows. */
	assert_int_equal(r.saved.score.total, 1);
	assert_string_equal(r.saved.score.band->id, "minimal");
	assert_int_equal(r.saved.score.n_flags, 1);
	assert_string_equal(r.saved.score.flags[0], HEARTH_FLAG_SAFETY);
	assert_true(r.saved.safety);
	assert_true(r.crisis_card);
	assert_true(r.further_check);
	assert_non_null(r.next_steps);
	assert_non_null(strstr(r.next_steps, "Item 9"));
	assert_null(strstr(r.next_steps, "No further check"));
	assert_non_null(r.crisis_text);
	assert_non_null(strstr(r.crisis_text, "Stay with the person"));
	assert_non_null(strstr(r.crisis_text, "Union hotline: 0355-1234567"));
	assert_true(r.saved.person_marked_high);
	assert_true(r.saved.has_followup);
	assert_true(r.saved.followup_high);
	assert_string_equal(r.saved.followup_due, "2026-03-02");
	/* Saved with the action pending, and the entry to ask for it. */
	assert_true(r.saved.action_pending);
	assert_true(hearth_id_equal(&r.pending.screening, &r.saved.id));
	assert_true(hearth_id_equal(&r.pending.person, &f->person));
	assert_string_equal(r.pending.person_name, "Li Wei");
	assert_string_equal(r.pending.instrument, "phq9");
	assert_string_equal(r.pending.date, "2026-03-02");

	/* The audit: the screening, as its subject, safety, action pending. */
	au = run_audit(f->s, "screening.add");
	assert_int_equal(au.n, 1);
	assert_true(hearth_id_equal(&au.subject, &r.saved.id));
	assert_string_equal(au.detail, "phq9 minimal safety action-pending");
	hearth_screening_run_result_free(&r);
	assert_null(r.next_steps);
	assert_null(r.pending.person_name);

	/* What the vault holds, after closing and opening it again. */
	hearth_vault_close(f->v);
	f->v = NULL;
	OK(hearth_vault_open(f->dir, vpass, strlen(vpass), NULL, &f->v));
	f->s = hearth_vault_store(f->v);
	OK(hearth_audit_verify(f->s, NULL));
	OK(hearth_screening_pending_actions(f->s, &f->person, &pa, &npa));
	assert_int_equal(npa, 1);
	assert_string_equal(pa[0].instrument, "phq9");
	OK(hearth_record_load(f->s, &pa[0].screening, &rec));
	assert_string_equal(hearth_record_field(rec, "action_status"), "pending");
	assert_string_equal(hearth_record_field(rec, "band"), "minimal");
	assert_null(strstr(hearth_record_field(rec, "next_step"),
			   "No further check"));
	hearth_record_free(rec);
	OK(hearth_record_load(f->s, &f->person, &rec));
	assert_string_equal(hearth_record_field(rec, "risk"), "high");
	hearth_record_free(rec);
	OK(hearth_followup_list(f->s, HEARTH_FOLLOWUPS_PENDING, &f->person,
				"2026-03-02", &fl));
	assert_int_equal(fl->n, 1);
	assert_true(fl->items[0].safety);
	assert_string_equal(fl->items[0].priority, "high");
	assert_string_equal(fl->items[0].due, "2026-03-02");
	hearth_followups_free(fl);
	hearth_pending_actions_free(pa, npa);
	hearth_instrument_free(inst);
}

/* With the action taken given, a safety result is recorded at once:
 * crisis card yes, nothing pending.  In Chinese, the card and the steps
 * are Chinese. */
static void test_run_safety_with_action(void **state)
{
	struct vfixture *f = *state;
	hearth_instrument *inst = load("cssrs");
	int a[7] = {1, 1, 0, 1, 0, 0, N};
	hearth_screening_input in;
	hearth_screening_run_result r;
	hearth_pending_action *pa = NULL;
	hearth_record *rec = NULL;
	size_t npa = 0;

	in = run_input(f, a, 7, "2026-03-02");
	in.lang = "zh_CN";
	in.action_taken = "stayed with him, called 12356 together";
	OK(hearth_screening_run(f->s, inst, &in, &r));
	assert_true(r.crisis_card);
	assert_true(r.further_check);
	assert_false(r.saved.action_pending);
	assert_null(r.pending.person_name);
	assert_null(r.pending.instrument);
	assert_non_null(strstr(r.crisis_text, "陪伴在对方身边"));
	assert_true(r.saved.has_followup);
	OK(hearth_record_load(f->s, &r.saved.id, &rec));
	assert_string_equal(hearth_record_field(rec, "action_status"), "recorded");
	assert_string_equal(hearth_record_field(rec, "action_taken"),
			    "stayed with him, called 12356 together");
	hearth_record_free(rec);
	OK(hearth_screening_pending_actions(f->s, NULL, &pa, &npa));
	assert_int_equal(npa, 0);
	hearth_pending_actions_free(pa, npa);
	hearth_screening_run_result_free(&r);
	hearth_instrument_free(inst);
}

/* No safety flag: no crisis card, no card text, nothing pending, and the
 * band's own advice ("no further check suggested now") stands. */
static void test_run_no_safety(void **state)
{
	struct vfixture *f = *state;
	hearth_instrument *inst = load("phq9");
	int a[9] = {1, 0, 1, 0, 0, 0, 0, 0, 0};
	hearth_screening_input in;
	hearth_screening_run_result r;

	in = run_input(f, a, 9, "2026-03-02");
	OK(hearth_screening_run(f->s, inst, &in, &r));
	assert_string_equal(r.saved.score.band->id, "minimal");
	assert_false(r.saved.safety);
	assert_false(r.crisis_card);
	assert_null(r.crisis_text);
	assert_false(r.further_check);
	assert_false(r.saved.action_pending);
	assert_null(r.pending.instrument);
	assert_non_null(strstr(r.next_steps, "No further check suggested now"));
	assert_int_equal(run_audit(f->s, "screening.add").n, 1);
	assert_int_equal(count(f->s, "followup"), 0);
	hearth_screening_run_result_free(&r);
	hearth_instrument_free(inst);
}

/* Bad input saves nothing, writes no audit entry, and leaves the result
 * empty: an item left out, an unknown person, a deleted one, a bad date,
 * an over-long action. */
static void test_run_refusals_write_nothing(void **state)
{
	struct vfixture *f = *state;
	hearth_instrument *inst = load("phq9");
	int a[9] = {0, 0, 0, 0, 0, 0, 0, 0, 2};
	int gap[9] = {0, 0, 0, N, 0, 0, 0, 0, 2};
	char long_action[2100];
	hearth_person_fields pf = {.name = "Gone"};
	hearth_screening_input in;
	hearth_screening_run_result r;
	hearth_id gone, unknown = hearth_id_random();
	size_t screenings, followups, audits;

	OK(hearth_person_add(f->s, &pf, &gone));
	OK(hearth_record_delete(f->s, &gone));
	screenings = count(f->s, "screening");
	followups = count(f->s, "followup");
	{
		int64_t n = 0;
		OK(hearth_audit_verify(f->s, &n));
		audits = (size_t)n;
	}
	memset(long_action, 'x', sizeof long_action - 1);
	long_action[sizeof long_action - 1] = '\0';

	in = run_input(f, gap, 9, "2026-03-02");
	assert_int_equal(hearth_screening_run(f->s, inst, &in, &r),
			 HEARTH_EINCOMPLETE);
	assert_false(r.crisis_card);
	assert_null(r.next_steps);
	in.answers = a;
	in.person = unknown;
	assert_int_equal(hearth_screening_run(f->s, inst, &in, &r),
			 HEARTH_ENOTFOUND);
	in.person = gone;
	assert_int_equal(hearth_screening_run(f->s, inst, &in, &r),
			 HEARTH_ENOTFOUND);
	in.person = f->person;
	in.at = "2026-02-30";
	assert_int_equal(hearth_screening_run(f->s, inst, &in, &r),
			 HEARTH_EINVAL);
	in.at = "2026-03-02";
	in.action_taken = long_action;
	assert_int_equal(hearth_screening_run(f->s, inst, &in, &r),
			 HEARTH_EINVAL);
	assert_int_equal(hearth_screening_run(f->s, inst, NULL, &r),
			 HEARTH_EINVAL);
	assert_false(r.crisis_card);

	assert_int_equal(count(f->s, "screening"), screenings);
	assert_int_equal(count(f->s, "followup"), followups);
	{
		int64_t n = 0;
		OK(hearth_audit_verify(f->s, &n));
		assert_int_equal((size_t)n, audits);
	}
	/* The safety answers marked no one high. */
	{
		hearth_record *p = NULL;
		OK(hearth_record_load(f->s, &f->person, &p));
		assert_null(hearth_record_field(p, "risk"));
		hearth_record_free(p);
	}
	hearth_instrument_free(inst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_load_bilingual),
		cmocka_unit_test(test_translation_status),
		cmocka_unit_test(test_phq9_bands),
		cmocka_unit_test(test_phq9_cutoff_7),
		cmocka_unit_test(test_phq9_item9_safety),
		cmocka_unit_test(test_short_forms),
		cmocka_unit_test(test_gad7_bands),
		cmocka_unit_test(test_who5),
		cmocka_unit_test(test_cssrs_paths),
		cmocka_unit_test(test_answers_lists),
		cmocka_unit_test(test_phq9_random),
		cmocka_unit_test(test_loader_errors),
		cmocka_unit_test(test_loader_files),
		cmocka_unit_test(test_band_labels),
		cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crisis_card, setup, teardown),
		cmocka_unit_test_setup_teardown(test_safety_phq9, setup, teardown),
		cmocka_unit_test_setup_teardown(test_safety_cssrs_saved_action_pending,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_safety_save_failure_leaves_nothing,
						setup, teardown),
		cmocka_unit_test(test_safety_overrides_band_advice),
		cmocka_unit_test_setup_teardown(test_helpline_rows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_screening_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_band_followups_and_cutoff,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_inside_caller_transaction,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_safety_minimal_total,
						vsetup, vteardown),
		cmocka_unit_test_setup_teardown(test_run_safety_with_action,
						vsetup, vteardown),
		cmocka_unit_test_setup_teardown(test_run_no_safety, vsetup,
						vteardown),
		cmocka_unit_test_setup_teardown(test_run_refusals_write_nothing,
						vsetup, vteardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
