/*
 * hearth/activity.h - activities: hotline calls, callbacks, group sessions,
 * lectures and outreach, with the safety rule for a high-risk call.
 *
 * The conventions every casework module follows (dates, ids, atomic and
 * audited writes, who frees what) are in hearth/casework.h.
 *
 * Fields of the record kind written here
 *
 * activity
 *     type        "hotline" | "callback" | "group" | "lecture" | "outreach"
 *     date        date
 *     person      id of the person concerned; absent for groups, lectures,
 *                 anonymous calls
 *     topic, unit (host work unit), outcome   free text, may be absent
 *     attendance  number of attendees, may be absent
 *     minutes     duration, may be absent
 *     risk        "low" | "moderate" | "high", may be absent
 *     followup    id of the safety follow-up it raised, if any
 *     safety      "unattached" when risk was high but no person was named,
 *                 so no follow-up could be made; absent otherwise
 *
 */
#ifndef HEARTH_ACTIVITY_H
#define HEARTH_ACTIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/casework.h"
#include "hearth/status.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- activities -------------------------------------------------------- */

typedef struct hearth_activity_new {
	const char *type;        /* required: hotline|callback|group|lecture|outreach */
	const char *date;        /* required */
	const hearth_id *person; /* NULL: none */
	const char *topic;       /* NULL or "": none; likewise below */
	const char *unit;
	int attendance;          /* < 0: not given */
	int minutes;             /* < 0: not given */
	const char *risk;        /* NULL or "": not assessed */
	const char *outcome;
} hearth_activity_new;

typedef enum hearth_activity_safety {
	HEARTH_ACTIVITY_SAFETY_NONE = 0,       /* risk not high */
	HEARTH_ACTIVITY_SAFETY_FOLLOWUP = 1,   /* a safety follow-up was made */
	HEARTH_ACTIVITY_SAFETY_UNATTACHED = 2  /* risk high, no person: the
						* activity is recorded, no
						* follow-up could be made */
} hearth_activity_safety;

typedef struct hearth_activity_added {
	hearth_id id;
	hearth_activity_safety safety;
	hearth_id followup;      /* when safety is FOLLOWUP */
} hearth_activity_added;

/* Records an activity.  Any activity that names a person and has risk high
 * (a high-risk hotline call above all) runs the safety rule of
 * hearth_followup_create_safety (source "hotline" and reason code
 * "hotline_safety" for hotline calls, "crisis" and "crisis" otherwise;
 * due today).  Without a person the activity is still
 * recorded, marked safety "unattached", and the result says so: the
 * caller must tell the user that no follow-up could be attached.
 * HEARTH_EINVAL (type, date, today, risk, a topic or unit over one line),
 * HEARTH_ENOTFOUND.
 * Audit: activity.add (and those of the safety rule). */
hearth_status hearth_activity_add(hearth_store *s, const hearth_activity_new *a,
				  const char *today,
				  hearth_activity_added *out) HEARTH_WUR;

/* Records what was done about a high-risk activity (a high-risk hotline
 * call above all) after it was saved: the app saves the call first, so
 * that its safety follow-up exists before the crisis steps are shown, and
 * asks for the action afterwards.  action: non-empty, at most 2000 bytes.
 * HEARTH_ENOTFOUND for an unknown activity, HEARTH_ESTATE when the
 * activity was not high risk or its action is recorded already,
 * HEARTH_EINVAL for an empty or over-long action.
 * Audit: activity.action (detail: the activity's type). */
hearth_status hearth_activity_record_action(hearth_store *s,
					    const hearth_id *activity,
					    const char *action) HEARTH_WUR;

typedef struct hearth_activity_item {
	hearth_id id;
	char *type;
	char date[HEARTH_DATE_LEN + 1];
	int has_person;
	hearth_id person;
	char *person_name;
	char *topic;
	char *unit;
	int attendance;     /* -1 if not given */
	int minutes;        /* -1 if not given */
	char *risk;
	char *outcome;
	char *action_taken; /* "" until recorded (high-risk activities) */
	int has_followup;
	hearth_id followup;
	int unattached;     /* high risk without a person */
} hearth_activity_item;

typedef struct hearth_activities {
	size_t n;
	hearth_activity_item *items;
} hearth_activities;

/* Activities dated in [from, to] (NULL: unbounded) of type (NULL: any),
 * ordered by date then creation. */
hearth_status hearth_activity_list(hearth_store *s, const char *from,
				   const char *to, const char *type,
				   hearth_activities **out) HEARTH_WUR;
void hearth_activities_free(hearth_activities *l);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_ACTIVITY_H */
