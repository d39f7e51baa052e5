/*
 * test_journal.c - the private journal (hearth/journal.h): check-ins,
 * self-screenings scored like a counsellor's but kept out of reports and
 * out of the case loop, trends, the sparkline and the grounding steps.
 *
 * Suite 'journal'.  Each test gets a fresh store on a plain SQLite file in
 * a temporary directory (testutil.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hearth/audit.h"
#include "hearth/instruments.h"
#include "hearth/journal.h"
#include "hearth/reports.h"
#include "hearth/store.h"

#include "testutil.h"

static void test_journal_checkins(void **state)
{
	fixture *f = *state;
	hearth_journal_list *l = NULL;
	hearth_record *rec = NULL;
	hearth_id a, b, c;
	hearth_id priv = hearth_store_private_space(f->s);
	struct last_audit la = { 0 };

	assert_int_equal(hearth_journal_add(f->s, "2026-03-02", 4, "slept well", &a), HEARTH_OK);
	assert_int_equal(hearth_journal_add(f->s, "2026-03-01", 2, NULL, &b), HEARTH_OK);
	assert_int_equal(hearth_journal_add(f->s, "2026-03-02", 3, "", &c), HEARTH_OK);
	/* Bad input writes nothing. */
	assert_int_equal(hearth_journal_add(f->s, "2026-03-02", 0, NULL, NULL), HEARTH_EINVAL);
	assert_non_null(strstr(hearth_errdetail(), "mood 0"));
	assert_int_equal(hearth_journal_add(f->s, "2026-03-02", 6, NULL, NULL), HEARTH_EINVAL);
	assert_int_equal(hearth_journal_add(f->s, "2026-02-30", 3, NULL, NULL), HEARTH_EINVAL);
	assert_int_equal(count_kind(f->s, HEARTH_JOURNAL_KIND), 3);

	/* In the private space. */
	assert_int_equal(hearth_record_load(f->s, &a, &rec), HEARTH_OK);
	assert_true(hearth_id_equal(&rec->space, &priv));
	assert_string_equal(hearth_record_field(rec, "mood"), "4");
	assert_string_equal(hearth_record_field(rec, "text"), "slept well");
	hearth_record_free(rec);

	/* Oldest first, the order written among equal dates. */
	assert_int_equal(hearth_journal_entries(f->s, NULL, NULL, &l), HEARTH_OK);
	assert_int_equal(l->n, 3);
	assert_true(hearth_id_equal(&l->items[0].id, &b));
	assert_true(hearth_id_equal(&l->items[1].id, &a));
	assert_true(hearth_id_equal(&l->items[2].id, &c));
	assert_int_equal(l->items[0].mood, 2);
	assert_string_equal(l->items[0].text, "");
	assert_int_equal(l->items[1].has_screening, 0);
	hearth_journal_list_free(l);
	assert_int_equal(hearth_journal_entries(f->s, "2026-03-02", "2026-03-02", &l), HEARTH_OK);
	assert_int_equal(l->n, 2);
	hearth_journal_list_free(l);

	assert_int_equal(hearth_audit_each(f->s, last_audit_cb, &la), HEARTH_OK);
	assert_string_equal(la.action, "journal.add");
	assert_int_equal(la.n, 3);
}

/* The app's Undo of a check-in: the entry goes, audited; a self-screening's
 * entry, another kind of record or an entry already gone is refused and
 * nothing is written. */
static void test_journal_delete(void **state)
{
	fixture *f = *state;
	hearth_instrument *phq9 = NULL;
	hearth_journal_screened res;
	hearth_record *rec = NULL;
	hearth_id entry, person = add_person(f->s, "王小明");
	int calm[9] = { 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	size_t ops;

	assert_int_equal(hearth_journal_add(f->s, "2026-03-02", 2, "tired", &entry), HEARTH_OK);
	assert_int_equal(hearth_instrument_find("phq9", &phq9), HEARTH_OK);
	assert_int_equal(hearth_journal_screen(f->s, phq9, calm, 9, "2026-03-03", NULL, NULL, &res),
			 HEARTH_OK);

	assert_int_equal(hearth_journal_delete(f->s, &entry), HEARTH_OK);
	assert_int_equal(hearth_record_load(f->s, &entry, &rec), HEARTH_OK);
	assert_true(rec->deleted);
	hearth_record_free(rec);
	assert_int_equal(count_audit(f->s, "journal.delete"), 1);

	ops = count_ops(f->s);
	assert_int_equal(hearth_journal_delete(f->s, &entry), HEARTH_ENOTFOUND);
	assert_int_equal(hearth_journal_delete(f->s, &person), HEARTH_ENOTFOUND);
	assert_int_equal(hearth_journal_delete(f->s, &res.entry), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), "self-screening"));
	assert_int_equal(count_ops(f->s), ops);
	assert_int_equal(count_audit(f->s, "journal.delete"), 1);
	assert_int_equal(hearth_record_load(f->s, &res.entry, &rec), HEARTH_OK);
	assert_false(rec->deleted);
	hearth_record_free(rec);
	hearth_instrument_free(phq9);
}

static void test_journal_self_screening(void **state)
{
	fixture *f = *state;
	hearth_instrument *phq9 = NULL;
	hearth_journal_screened res;
	hearth_journal_list *l = NULL;
	hearth_trend *t = NULL;
	hearth_report *r = NULL;
	hearth_record *rec = NULL;
	char hex[HEARTH_ID_HEX + 1];
	/* PHQ-9 totalling 6 with item 9 = 1: a safety flag. */
	int answers[9] = { 1, 1, 1, 1, 1, 0, 0, 0, 1 };
	int calm[9] = { 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	int incomplete[9] = { 0, 0, 1, 0, HEARTH_ANSWER_NONE, 0, 0, 0, 0 };

	assert_int_equal(hearth_instrument_find("phq9", &phq9), HEARTH_OK);
	assert_int_equal(hearth_journal_screen(f->s, phq9, answers, 9, "2026-03-05 21:10", "zh_CN",
					       "hard week", &res), HEARTH_OK);
	assert_int_equal(res.score.total, 6);
	assert_true(res.safety);
	assert_int_equal(hearth_journal_screen(f->s, phq9, calm, 9, "2026-03-19", NULL, NULL, &res),
			 HEARTH_OK);
	assert_int_equal(res.score.total, 1);
	assert_false(res.safety);
	assert_int_equal(hearth_journal_screen(f->s, phq9, incomplete, 9, "2026-03-20", NULL, NULL,
					       &res), HEARTH_EINCOMPLETE);
	assert_int_equal(hearth_journal_screen(f->s, phq9, calm, 9, "2026-03-20 25:00", NULL, NULL,
					       &res), HEARTH_EINVAL);

	/* The screening is the employee's own: no person, linked to its
	 * entry, in the private space; nobody is marked and no follow-up is
	 * made. */
	assert_int_equal(count_kind(f->s, "screening"), 2);
	assert_int_equal(count_kind(f->s, "followup"), 0);
	assert_int_equal(hearth_record_load(f->s, &res.screening, &rec), HEARTH_OK);
	assert_null(hearth_record_field(rec, "person"));
	hearth_id_to_hex(&res.entry, hex);
	assert_string_equal(hearth_record_field(rec, "journal"), hex);
	assert_string_equal(hearth_record_field(rec, "instrument"), "phq9");
	assert_string_equal(hearth_record_field(rec, "date"), "2026-03-19");
	assert_string_equal(hearth_record_field(rec, "answers"), "[0,0,1,0,0,0,0,0,0]");
	hearth_record_free(rec);

	assert_int_equal(hearth_journal_entries(f->s, NULL, NULL, &l), HEARTH_OK);
	assert_int_equal(l->n, 2);
	assert_true(l->items[0].has_screening);
	assert_int_equal(l->items[0].mood, 0);
	assert_string_equal(l->items[0].instrument, "phq9");
	assert_string_equal(l->items[0].band, "mild");
	assert_int_equal(l->items[0].display, 6);
	assert_true(l->items[0].safety);
	assert_string_equal(l->items[0].text, "hard week");
	assert_false(l->items[1].safety);
	hearth_journal_list_free(l);

	assert_int_equal(hearth_journal_trend(f->s, "phq9", &t), HEARTH_OK);
	assert_int_equal(t->n, 2);
	assert_int_equal(t->min, 0);
	assert_int_equal(t->max, 27);
	assert_string_equal(t->points[0].date, "2026-03-05");
	assert_int_equal(t->points[0].value, 6);
	assert_int_equal(t->points[1].value, 1);
	hearth_trend_free(t);
	assert_int_equal(hearth_journal_trend(f->s, "PHQ 9", &t), HEARTH_EINVAL);

	/* Reports never count self-screenings. */
	assert_int_equal(hearth_report_build(f->s, "2026-03-01", "2026-03-31",
					     HEARTH_REPORT_WHOLE, "2026-04-01", &r), HEARTH_OK);
	assert_int_equal(r->whole.m[HEARTH_M_SCREENINGS], 0);
	assert_int_equal(r->whole.m[HEARTH_M_SAFETY_FLAGS], 0);
	assert_int_equal(r->whole.m[HEARTH_M_PEOPLE], 0);
	hearth_report_free(r);
	hearth_instrument_free(phq9);
	assert_int_equal(hearth_audit_verify(f->s, NULL), HEARTH_OK);
}

static void test_journal_mood_trend(void **state)
{
	fixture *f = *state;
	hearth_trend *t = NULL;
	static const int moods[] = { 3, 1, 5, 2, 4 };
	static const char *const days[] = {
		"2026-03-04", "2026-03-01", "2026-03-09", "2026-03-02", "2026-03-05",
	};

	assert_int_equal(hearth_journal_trend(f->s, NULL, &t), HEARTH_OK);
	assert_int_equal(t->n, 0);
	hearth_trend_free(t);
	for (int i = 0; i < 5; i++)
		assert_int_equal(hearth_journal_add(f->s, days[i], moods[i], NULL, NULL), HEARTH_OK);
	assert_int_equal(hearth_journal_trend(f->s, "", &t), HEARTH_OK);
	assert_int_equal(t->n, 5);
	assert_int_equal(t->min, 1);
	assert_int_equal(t->max, 5);
	/* By date, gaps left as gaps (no made-up days). */
	assert_string_equal(t->points[0].date, "2026-03-01");
	assert_int_equal(t->points[0].value, 1);
	assert_int_equal(t->points[1].value, 2);
	assert_int_equal(t->points[2].value, 3);
	assert_int_equal(t->points[3].value, 4);
	assert_string_equal(t->points[4].date, "2026-03-09");
	assert_int_equal(t->points[4].value, 5);
	hearth_trend_free(t);
}

static void test_sparkline(void **state)
{
	char out[64];
	int up[] = { 1, 2, 3, 4, 5 };
	int wild[] = { -10, 0, 27, 99 };

	(void)state;
	assert_int_equal(hearth_sparkline(up, 5, 1, 5, out, sizeof out), 5);
	assert_string_equal(out, "\xE2\x96\x81\xE2\x96\x83\xE2\x96\x85\xE2\x96\x86\xE2\x96\x88");
	/* Clamped to the scale. */
	assert_int_equal(hearth_sparkline(wild, 4, 0, 27, out, sizeof out), 4);
	assert_string_equal(out, "\xE2\x96\x81\xE2\x96\x81\xE2\x96\x88\xE2\x96\x88");
	/* Cut to whole characters when the buffer is short. */
	assert_int_equal(hearth_sparkline(up, 5, 1, 5, out, 8), 2);
	assert_int_equal(strlen(out), 6);
	assert_int_equal(hearth_sparkline(up, 0, 1, 5, out, sizeof out), 0);
	assert_string_equal(out, "");
	/* A flat scale sits on the lowest bar. */
	assert_int_equal(hearth_sparkline(up, 1, 3, 3, out, sizeof out), 1);
	assert_string_equal(out, "\xE2\x96\x81");
}

static void test_grounding_steps(void **state)
{
	size_t n = 0;
	const hearth_grounding_step *s = hearth_grounding_steps(&n);
	int want = 5;

	(void)state;
	assert_int_equal(n, 7);
	assert_int_equal(s[0].count, 0);
	assert_int_equal(s[n - 1].count, 0);
	for (size_t i = 1; i + 1 < n; i++) {
		char digit[2] = { (char)('0' + want), '\0' };

		assert_int_equal(s[i].count, want);
		/* The number appears in both languages' wording. */
		assert_non_null(strstr(s[i].en, digit));
		assert_non_null(strstr(s[i].zh_CN, digit));
		want--;
	}
	assert_non_null(strstr(s[1].en, "see"));
	assert_non_null(strstr(s[2].en, "touch"));
	assert_non_null(strstr(s[3].en, "hear"));
	assert_non_null(strstr(s[4].en, "smell"));
	assert_non_null(strstr(s[5].en, "taste"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_journal_checkins, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_journal_delete, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_journal_self_screening, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_journal_mood_trend, store_setup, store_teardown),
		cmocka_unit_test(test_sparkline),
		cmocka_unit_test(test_grounding_steps),
	};

	return cmocka_run_group_tests_name("journal", tests, NULL, NULL);
}
