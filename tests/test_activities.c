/*
 * test_activities.c - activities (hotline calls, groups, outreach): a
 * high-risk call saved first with its safety follow-up and what was done
 * recorded after, and the safety rule for every mode.
 *
 * Suite 'activities'.  Each test gets a fresh store on a plain SQLite file
 * in a temporary directory (testutil.h).
 */
#include <errno.h>
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hearth/activity.h"
#include "hearth/followup.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#include "testutil.h"

/* ---- activities -------------------------------------------------------- */

/* A high-risk call is saved first (with its safety follow-up) and what was
 * done is recorded on it afterwards, once; only high-risk activities ask. */
static void test_activity_record_action(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_id missing;
	hearth_activity_new a;
	hearth_activity_added high, low;
	hearth_activities *l = NULL;
	char *big;

	memset(&a, 0, sizeof a);
	a.type = "hotline";
	a.date = "2026-12-14";
	a.person = &p;
	a.attendance = a.minutes = -1;
	a.risk = "high";
	assert_int_equal(hearth_activity_add(f->s, &a, "2026-12-14", &high), HEARTH_OK);
	assert_int_equal(high.safety, HEARTH_ACTIVITY_SAFETY_FOLLOWUP);
	a.risk = "low";
	assert_int_equal(hearth_activity_add(f->s, &a, "2026-12-14", &low), HEARTH_OK);

	/* Refused, with nothing written: empty or over-long action, a
	 * low-risk call, an unknown activity. */
	assert_int_equal(hearth_activity_record_action(f->s, &high.id, " "), HEARTH_EINVAL);
	big = malloc(2002);
	assert_non_null(big);
	memset(big, 'a', 2001);
	big[2001] = '\0';
	assert_int_equal(hearth_activity_record_action(f->s, &high.id, big), HEARTH_EINVAL);
	free(big);
	assert_int_equal(hearth_activity_record_action(f->s, &low.id, "told"), HEARTH_ESTATE);
	memset(&missing, 0x5a, sizeof missing);
	assert_int_equal(hearth_activity_record_action(f->s, &missing, "told"), HEARTH_ENOTFOUND);
	assert_int_equal(count_audit(f->s, "activity.action"), 0);

	assert_int_equal(hearth_activity_record_action(f->s, &high.id,
						       "stayed on the line; supervisor told"),
			 HEARTH_OK);
	assert_int_equal(count_audit(f->s, "activity.action"), 1);
	/* Once only. */
	assert_int_equal(hearth_activity_record_action(f->s, &high.id, "again"), HEARTH_ESTATE);
	assert_int_equal(count_audit(f->s, "activity.action"), 1);

	assert_int_equal(hearth_activity_list(f->s, NULL, NULL, "hotline", &l), HEARTH_OK);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->items[0].action_taken, "stayed on the line; supervisor told");
	assert_string_equal(l->items[1].action_taken, "");
	hearth_activities_free(l);
}

static void test_activities_safety(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_activity_new a;
	hearth_activity_added res;
	hearth_activities *l = NULL;
	hearth_followups *fl = NULL;
	char fbuf[64];

	memset(&a, 0, sizeof a);
	a.type = "hotline";
	a.date = "2026-12-13";
	a.person = &p;
	a.minutes = 35;
	a.attendance = -1;
	a.risk = "high";
	a.outcome = "safety plan, supervisor told";
	assert_int_equal(hearth_activity_add(f->s, &a, "2026-12-14", &res), HEARTH_OK);
	assert_int_equal(res.safety, HEARTH_ACTIVITY_SAFETY_FOLLOWUP);
	assert_string_equal(FIELD(f->s, &p, "risk"), "high");
	assert_string_equal(FIELD(f->s, &p, "case"), "followup");
	assert_string_equal(FIELD(f->s, &res.followup, "safety"), "1");
	assert_string_equal(FIELD(f->s, &res.followup, "source"), "hotline");
	assert_string_equal(FIELD(f->s, &res.followup, "due"), "2026-12-14");
	{
		char hex[HEARTH_ID_HEX + 1];

		hearth_id_to_hex(&res.id, hex);
		assert_string_equal(FIELD(f->s, &res.followup, "origin"), hex);
		hearth_id_to_hex(&res.followup, hex);
		assert_string_equal(FIELD(f->s, &res.id, "followup"), hex);
	}

	/* Anonymous high-risk call: recorded, no follow-up, said so. */
	a.person = NULL;
	a.date = "2026-12-14";
	assert_int_equal(hearth_activity_add(f->s, &a, "2026-12-14", &res), HEARTH_OK);
	assert_int_equal(res.safety, HEARTH_ACTIVITY_SAFETY_UNATTACHED);
	assert_string_equal(FIELD(f->s, &res.id, "safety"), "unattached");
	assert_int_equal(count_kind(f->s, "followup"), 1);

	/* A lecture with attendance; a low-risk call-back. */
	memset(&a, 0, sizeof a);
	a.type = "lecture";
	a.date = "2026-12-10";
	a.topic = "睡眠与压力";
	a.unit = "三号车间";
	a.attendance = 42;
	a.minutes = 90;
	assert_int_equal(hearth_activity_add(f->s, &a, "2026-12-14", &res), HEARTH_OK);
	assert_int_equal(res.safety, HEARTH_ACTIVITY_SAFETY_NONE);
	memset(&a, 0, sizeof a);
	a.type = "callback";
	a.date = "2026-12-12";
	a.person = &p;
	a.risk = "low";
	a.attendance = -1;
	a.minutes = -1;
	assert_int_equal(hearth_activity_add(f->s, &a, "2026-12-14", &res), HEARTH_OK);
	assert_int_equal(count_kind(f->s, "followup"), 1);

	assert_int_equal(hearth_activity_list(f->s, NULL, NULL, NULL, &l), HEARTH_OK);
	assert_int_equal(l->n, 4);
	assert_string_equal(l->items[0].date, "2026-12-10");
	assert_string_equal(l->items[0].type, "lecture");
	assert_int_equal(l->items[0].attendance, 42);
	assert_string_equal(l->items[0].topic, "睡眠与压力");
	assert_false(l->items[0].has_person);
	assert_string_equal(l->items[1].type, "callback");
	assert_int_equal(l->items[1].minutes, -1);
	assert_string_equal(l->items[1].person_name, "P");
	assert_true(l->items[2].has_followup);
	assert_true(l->items[3].unattached);
	hearth_activities_free(l);
	assert_int_equal(hearth_activity_list(f->s, "2026-12-13", "2026-12-14", "hotline", &l),
			 HEARTH_OK);
	assert_int_equal(l->n, 2);
	hearth_activities_free(l);
	assert_int_equal(hearth_activity_list(f->s, NULL, NULL, "picnic", &l), HEARTH_EINVAL);

	/* Refused input writes nothing. */
	memset(&a, 0, sizeof a);
	a.type = "hotline";
	a.date = "2026-02-30";
	a.attendance = a.minutes = -1;
	assert_int_equal(hearth_activity_add(f->s, &a, "2026-12-14", &res), HEARTH_EINVAL);
	a.date = "2026-12-14";
	a.risk = "very";
	assert_int_equal(hearth_activity_add(f->s, &a, "2026-12-14", &res), HEARTH_EINVAL);
	a.risk = NULL;
	a.type = "party";
	assert_int_equal(hearth_activity_add(f->s, &a, "2026-12-14", &res), HEARTH_EINVAL);
	assert_int_equal(count_kind(f->s, "activity"), 4);
	assert_int_equal(count_audit(f->s, "activity.add"), 4);

	assert_int_equal(hearth_followup_list(f->s, HEARTH_FOLLOWUPS_PENDING, NULL,
					      "2026-12-14", &fl), HEARTH_OK);
	assert_int_equal(fl->n, 1);
	assert_true(fl->items[0].safety);
	hearth_followups_free(fl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_activity_record_action, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_activities_safety, store_setup, store_teardown),
	};

	return cmocka_run_group_tests_name("activities", tests, NULL, NULL);
}
