/*
 * hearth/overview.h - a lead's picture of the team spaces it leads (the
 * app's Team Overview, 团队概况): every pending safety follow-up of their
 * people, the people at high risk, those nobody follows yet, and what each
 * counsellor carries.
 *
 * Only the people of team spaces this vault's identity leads count (a
 * counsellor's own view is Today).  A person counts while their case is
 * not closed, except in the safety follow-ups, which count while pending
 * whatever the case says.  Counsellors are the person's "counsellor"
 * field as written (hearth/person.h): a name, the one a member gave in
 * the space when the lead picked it.
 */
#ifndef HEARTH_OVERVIEW_H
#define HEARTH_OVERVIEW_H

#include <stddef.h>

#include "hearth/followup.h"
#include "hearth/status.h"
#include "hearth/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hearth_overview_person {
	hearth_id id;
	hearth_id space;
	char *name;        /* "" when none */
	char *counsellor;  /* "" when nobody follows them */
	char *risk;        /* "" when not assessed */
} hearth_overview_person;

/* What one counsellor ("" nobody) carries. */
typedef struct hearth_overview_load {
	char *counsellor;
	size_t people;     /* people with a case not closed */
	size_t overdue;    /* their pending follow-ups past due */
} hearth_overview_load;

typedef struct hearth_team_overview {
	size_t nspaces;    /* team spaces this vault leads; 0: nothing below */
	/* The vault's pending follow-ups (hearth_followup_list's order);
	 * safety[0..nsafety) index those of these people that are safety
	 * follow-ups. */
	hearth_followups *followups;
	size_t *safety, nsafety;
	hearth_overview_person *high;       /* risk high; by name */
	size_t nhigh;
	hearth_overview_person *unassigned; /* no counsellor; by name */
	size_t nunassigned;
	hearth_overview_load *loads;        /* most overdue first, then most
					     * people, then by name; nobody's
					     * ("") among them when any */
	size_t nloads;
} hearth_team_overview;

/* Builds the overview as of today (YYYY-MM-DD) into *out (free with
 * hearth_team_overview_free).  A vault that leads no team space gets
 * one with nspaces 0.  HEARTH_EINVAL for a bad today. */
hearth_status hearth_team_overview_get(hearth_store *s, const char *today,
				       hearth_team_overview **out) HEARTH_WUR;
void hearth_team_overview_free(hearth_team_overview *o);

#ifdef __cplusplus
}
#endif

#endif /* HEARTH_OVERVIEW_H */
