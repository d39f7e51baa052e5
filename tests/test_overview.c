/*
 * test_overview.c - the lead's team overview (hearth/overview.h): only the
 * people of team spaces this vault leads count; the safety follow-ups
 * whatever the case says, high risk and unassigned while the case is open,
 * and each counsellor's people and overdue follow-ups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hearth/devices.h"
#include "hearth/overview.h"
#include "hearth/person.h"
#include "hearth/spaces.h"
#include "testutil.h"

#define TODAY "2026-12-05"

static hearth_id person_in(hearth_store *s, const hearth_id *space, const char *name,
			   const char *counsellor, const char *risk)
{
	hearth_person_fields f = { .name = name };
	hearth_id id;

	assert_int_equal(hearth_person_add_in(s, space, &f, &id), HEARTH_OK);
	if (counsellor != NULL)
		assert_int_equal(hearth_person_set_counsellor(s, &id, counsellor), HEARTH_OK);
	if (risk != NULL)
		assert_int_equal(hearth_person_set_risk(s, &id, risk, NULL), HEARTH_OK);
	return id;
}

static const hearth_overview_load *load_of(const hearth_team_overview *o, const char *who)
{
	size_t i;

	for (i = 0; i < o->nloads; i++)
		if (strcmp(o->loads[i].counsellor, who) == 0)
			return &o->loads[i];
	fail_msg("no load for '%s'", who);
	return NULL;
}

static void test_nothing_led(void **state)
{
	fixture *f = *state;
	hearth_team_overview *o = NULL;

	assert_int_equal(hearth_devices_ensure(f->s, NULL), HEARTH_OK);
	add_person(f->s, "Private Person");
	assert_int_equal(hearth_team_overview_get(f->s, TODAY, &o), HEARTH_OK);
	assert_int_equal(o->nspaces, 0);
	assert_int_equal(o->nsafety + o->nhigh + o->nunassigned + o->nloads, 0);
	hearth_team_overview_free(o);
	assert_int_equal(hearth_team_overview_get(f->s, "2026-13-45", &o), HEARTH_EINVAL);
	assert_null(o);
}

static void test_overview(void **state)
{
	fixture *f = *state;
	hearth_team_overview *o = NULL;
	hearth_id space, wang, li, zhao, chen, sun, priv, fid;
	const hearth_followup_item *it;

	assert_int_equal(hearth_devices_ensure(f->s, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_create(f->s, "Dock team", &space), HEARTH_OK);
	wang = person_in(f->s, &space, "Wang Fang", "Ana Lima", "high");
	li = person_in(f->s, &space, "Li Qiang", NULL, "moderate");
	zhao = person_in(f->s, &space, "Zhao Min", NULL, "high");
	chen = person_in(f->s, &space, "Chen Jie", "Ana Lima", NULL);
	sun = person_in(f->s, &space, "Sun Yu", "Bo Wen", "high");
	/* A closed case counts in no list but its safety follow-up. */
	assert_int_equal(hearth_person_set_case(f->s, &sun, "closed"), HEARTH_OK);
	/* The private space is not the team's. */
	priv = person_in(f->s, NULL, "Private Person", NULL, "high");

	/* A safety follow-up for Li (the core also makes them high risk and
	 * their case followup), one overdue for Chen, one due later for
	 * Wang, and the private person's overdue one. */
	assert_int_equal(hearth_followup_create_safety(f->s, &li, TODAY, "crisis", NULL,
						       NULL, &fid), HEARTH_OK);
	add_followup(f->s, &chen, "2026-12-02", "normal", "call back");
	add_followup(f->s, &wang, "2026-12-20", "normal", "check in");
	add_followup(f->s, &priv, "2026-12-01", "normal", "not the team's");

	assert_int_equal(hearth_team_overview_get(f->s, TODAY, &o), HEARTH_OK);
	assert_int_equal(o->nspaces, 1);
	assert_int_equal(o->nsafety, 1);
	it = &o->followups->items[o->safety[0]];
	assert_true(hearth_id_equal(&it->person, &li));
	assert_true(it->safety);
	/* High risk, open cases, by name: Li (by the safety rule), Wang,
	 * Zhao; not Sun (closed), not the private person. */
	assert_int_equal(o->nhigh, 3);
	assert_string_equal(o->high[0].name, "Li Qiang");
	assert_string_equal(o->high[1].name, "Wang Fang");
	assert_string_equal(o->high[2].name, "Zhao Min");
	assert_true(hearth_id_equal(&o->high[1].space, &space));
	/* Nobody follows Li and Zhao. */
	assert_int_equal(o->nunassigned, 2);
	assert_string_equal(o->unassigned[0].name, "Li Qiang");
	assert_string_equal(o->unassigned[1].name, "Zhao Min");
	assert_string_equal(o->unassigned[1].counsellor, "");
	/* Loads: Ana Lima 2 people, 1 overdue (Chen's), first; nobody's 2
	 * people; Bo Wen's only person is closed. */
	assert_int_equal(o->nloads, 2);
	assert_string_equal(o->loads[0].counsellor, "Ana Lima");
	assert_int_equal(load_of(o, "Ana Lima")->people, 2);
	assert_int_equal(load_of(o, "Ana Lima")->overdue, 1);
	assert_int_equal(load_of(o, "")->people, 2);
	assert_int_equal(load_of(o, "")->overdue, 0);
	hearth_team_overview_free(o);
	(void)zhao;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_led, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_overview, store_setup, store_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
