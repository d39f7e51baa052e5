/*
 * test_vocab.c - the vocabularies of hearth/vocab.h: every code parses
 * back to its value, anything else is refused with a detail naming the
 * codes, and each value has one label, translated under zh_CN.
 *
 * Suite 'vocab'.  No store is needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hearth/activity.h"
#include "hearth/appointment.h"
#include "hearth/followup.h"
#include "hearth/note.h"
#include "hearth/vocab.h"
#include "testutil.h"

/* One vocabulary, seen through ints so one check serves all nine. */
struct vocab {
	const char *what;
	int count;
	const char *(*name)(int v);
	hearth_status (*parse)(const char *s, int *v);
	const char *(*label)(int v);
	const char *const *codes; /* as stored, in order */
};

#define VOCAB(what, prefix, type, count, ...)                                   \
	static const char *what##_name(int v) { return prefix##_name((type)v); } \
	static const char *what##_label(int v) { return prefix##_label((type)v); } \
	static hearth_status what##_parse(const char *s, int *v)                 \
	{                                                                        \
		type t = (type)0;                                                \
		hearth_status st = prefix##_parse(s, &t);                        \
		*v = (int)t;                                                     \
		return st;                                                       \
	}                                                                        \
	static const char *const what##_codes[] = { __VA_ARGS__ };

VOCAB(risk, hearth_risk, hearth_risk, HEARTH_RISK_COUNT, "", "low", "moderate", "high")
VOCAB(case_state, hearth_case_state, hearth_case_state, HEARTH_CASE_COUNT,
      "open", "followup", "closed")
VOCAB(priority, hearth_priority, hearth_priority, HEARTH_PRIORITY_COUNT,
      "high", "normal", "low")
VOCAB(fstatus, hearth_followup_status, hearth_followup_status,
      HEARTH_FOLLOWUP_STATUS_COUNT, "open", "retry", "done")
VOCAB(source, hearth_followup_source, hearth_followup_source, HEARTH_SOURCE_COUNT,
      "manual", "screening", "noshow", "crisis", "hotline")
VOCAB(mode, hearth_appt_mode, hearth_appt_mode, HEARTH_MODE_COUNT,
      "in-person", "phone", "video")
VOCAB(astatus, hearth_appt_status, hearth_appt_status, HEARTH_APPT_STATUS_COUNT,
      "booked", "done", "noshow", "cancelled")
VOCAB(format, hearth_note_format, hearth_note_format, HEARTH_NOTE_FORMAT_COUNT,
      "free", "dap", "soap")
VOCAB(type, hearth_activity_type, hearth_activity_type, HEARTH_ACTIVITY_TYPE_COUNT,
      "hotline", "callback", "group", "lecture", "outreach")

#define ENTRY(what, count) { #what, count, what##_name, what##_parse, what##_label, what##_codes }

static const struct vocab vocabs[] = {
	ENTRY(risk, HEARTH_RISK_COUNT),
	ENTRY(case_state, HEARTH_CASE_COUNT),
	ENTRY(priority, HEARTH_PRIORITY_COUNT),
	ENTRY(fstatus, HEARTH_FOLLOWUP_STATUS_COUNT),
	ENTRY(source, HEARTH_SOURCE_COUNT),
	ENTRY(mode, HEARTH_MODE_COUNT),
	ENTRY(astatus, HEARTH_APPT_STATUS_COUNT),
	ENTRY(format, HEARTH_NOTE_FORMAT_COUNT),
	ENTRY(type, HEARTH_ACTIVITY_TYPE_COUNT),
};

/* Codes are the stored ones, in order; each parses back (but risk's "",
 * "not assessed", which is no level to set); labels are distinct within
 * a vocabulary and never a bare code. */
static void test_codes_round_trip(void **state)
{
	(void)state;
	use_language("en");
	for (size_t k = 0; k < sizeof vocabs / sizeof vocabs[0]; k++) {
		const struct vocab *vc = &vocabs[k];

		for (int v = 0; v < vc->count; v++) {
			int back = -1;

			assert_string_equal(vc->name(v), vc->codes[v]);
			if (vc->codes[v][0] == '\0') {
				assert_int_equal(vc->parse("", &back), HEARTH_EINVAL);
			} else {
				assert_int_equal(vc->parse(vc->codes[v], &back), HEARTH_OK);
				assert_int_equal(back, v);
			}
			assert_true(strlen(vc->label(v)) > 0);
			for (int w = 0; w < v; w++)
				assert_string_not_equal(vc->label(v), vc->label(w));
		}
		/* Out of range: "", never NULL. */
		assert_string_equal(vc->name(vc->count), "");
		assert_string_equal(vc->label(vc->count), "");
		assert_string_equal(vc->name(-1), "");
	}
}

/* Anything else is HEARTH_EINVAL with a detail that quotes it and names
 * the codes; the value is left alone. */
static void test_parse_refuses(void **state)
{
	hearth_appt_status a = HEARTH_APPT_NOSHOW;
	hearth_risk r = HEARTH_RISK_LOW;
	const hearth_errinfo *e;

	(void)state;
	use_language("en");
	assert_int_equal(hearth_appt_status_parse("held", &a), HEARTH_EINVAL);
	assert_int_equal(a, HEARTH_APPT_NOSHOW);
	e = hearth_errinfo_get();
	assert_string_equal(e->code,
			    "'%s' is not an appointment status: use booked, done, noshow or cancelled");
	assert_string_equal(e->argv[0], "held");
	assert_int_equal(hearth_risk_parse("High", &r), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail(),
			    "'High' is not a risk level: use low, moderate or high");
	assert_int_equal(hearth_risk_parse(NULL, &r), HEARTH_EINVAL);
	assert_int_equal(r, HEARTH_RISK_LOW);
	assert_int_equal(hearth_note_format_parse("dap ", NULL), HEARTH_EINVAL);
	assert_int_equal(hearth_note_format_parse("dap", NULL), HEARTH_OK);

	/* The checks of casework.h agree with the vocabularies. */
	assert_true(hearth_risk_valid("moderate"));
	assert_false(hearth_risk_valid(""));
	assert_false(hearth_risk_valid(NULL));
	assert_true(hearth_case_valid("followup"));
	assert_false(hearth_priority_valid("urgent"));
	assert_true(hearth_appt_mode_valid("in-person"));
	assert_true(hearth_activity_type_valid("outreach"));
}

/* One label per code, the app's wording, the same for both faces; in
 * Chinese under zh_CN, with the parse detail in Chinese too. */
static void test_labels(void **state)
{
	(void)state;
	use_language("en");
	assert_string_equal(hearth_followup_status_label(HEARTH_FOLLOWUP_OPEN), "Open");
	assert_string_equal(hearth_appt_status_label(HEARTH_APPT_DONE), "Done");
	assert_string_equal(hearth_risk_label(HEARTH_RISK_NONE), "Not assessed");
	assert_string_equal(hearth_activity_type_label(HEARTH_ACTIVITY_HOTLINE), "Hotline call");
	assert_string_equal(hearth_appt_mode_label(HEARTH_MODE_IN_PERSON), "In person");

	use_language("zh_CN");
	assert_string_equal(hearth_risk_label(HEARTH_RISK_HIGH), "高");
	assert_string_equal(hearth_risk_label(HEARTH_RISK_NONE), "未评估");
	assert_string_equal(hearth_appt_status_label(HEARTH_APPT_NOSHOW), "爽约");
	assert_string_equal(hearth_appt_mode_label(HEARTH_MODE_PHONE), "电话");
	assert_string_equal(hearth_activity_type_label(HEARTH_ACTIVITY_GROUP), "团体辅导");
	assert_string_equal(hearth_case_state_label(HEARTH_CASE_CLOSED), "已结案");
	assert_int_equal(hearth_priority_parse("urgent", NULL), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail_local(),
			    "“urgent”不是有效的优先级：请用 high、normal 或 low");
	/* Every label has a translation: none is left in English. */
	for (size_t k = 0; k < sizeof vocabs / sizeof vocabs[0]; k++)
		for (int v = 0; v < vocabs[k].count; v++) {
			const char *l = vocabs[k].label(v);

			if (strcmp(l, "DAP") != 0 && strcmp(l, "SOAP") != 0)
				assert_true((unsigned char)l[0] >= 0x80);
		}
	use_language("en");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes_round_trip),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
