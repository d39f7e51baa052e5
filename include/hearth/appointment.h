/*
 * hearth/appointment.h - appointments: booking (one-off or repeating), conflict
 * detection, moving, cancelling, held and no-show.
 *
 * The conventions every casework module follows (dates, ids, atomic and
 * audited writes, who frees what) are in hearth/casework.h.
 *
 * Fields of the record kind written here
 *
 * appointment
 *     person      id of the person
 *     at          date-time of the start
 *     minutes     duration, 1-720 (default "50")
 *     mode        "in-person" | "phone" | "video"
 *     place       free text, may be absent
 *     counsellor  free text, may be absent
 *     status      "booked" | "done" | "noshow" | "cancelled"
 *     series      id shared by the occurrences of a repeating booking (a
 *                 fresh random id, not a record); absent for a one-off
 *     seq         1, 2, 3 ... within the series; absent for a one-off
 *     followup    id of the reach-out follow-up made by a no-show
 *
 */
#ifndef HEARTH_APPOINTMENT_H
#define HEARTH_APPOINTMENT_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/casework.h"
#include "hearth/status.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_APPT_DEFAULT_MINUTES 50
#define HEARTH_APPT_MAX_MINUTES 720
/* A repeating booking makes at most this many occurrences (two years of
 * weekly sessions): a typo in --count must not fill the calendar. */
#define HEARTH_APPT_MAX_OCCURRENCES 104

/* ---- appointments ------------------------------------------------------ */

typedef struct hearth_appt_new {
	hearth_id person;
	const char *at;         /* date-time of the (first) session, required */
	int minutes;            /* 0: HEARTH_APPT_DEFAULT_MINUTES; 1-720 */
	const char *mode;       /* NULL or "": "in-person" */
	const char *place;      /* NULL or "": none */
	const char *counsellor; /* NULL or "": none */
	const char *repeat;     /* NULL or "": one-off; "weekly", "biweekly" */
	int count;              /* with repeat: number of occurrences (>= 1) */
	const char *until;      /* with repeat, instead of count: last date
				 * (inclusive) an occurrence may fall on */
	int strict;             /* refuse (write nothing) on any conflict */
} hearth_appt_new;

/* One clash of a new (or moved) occurrence with a booked appointment. */
typedef struct hearth_conflict {
	char at[HEARTH_DATETIME_LEN + 1];       /* the occurrence's start */
	int seq;            /* its number in the series (1...), 1 if one-off */
	const char *rule;   /* static: "counsellor", "person" or "place" */
	hearth_id other;    /* the appointment it overlaps */
	char other_at[HEARTH_DATETIME_LEN + 1]; /* that one's start */
} hearth_conflict;

/* What an add or a move did.  On success ids/at list the occurrences
 * written, in date order; conflicts lists every clash found (one entry per
 * occurrence, other appointment and rule), ordered by date, then rule
 * (counsellor, person, place). */
typedef struct hearth_appt_result {
	size_t n;
	hearth_id *ids;
	char (*at)[HEARTH_DATETIME_LEN + 1];
	int has_series;
	hearth_id series;
	size_t nconflicts;
	hearth_conflict *conflicts;
} hearth_appt_result;

void hearth_appt_result_free(hearth_appt_result *r);

/* Books a session or a series.  Occurrences are at, at + 7 days (weekly)
 * or 14 days (biweekly), ... : count of them, or as many as fall on or
 * before until; at most HEARTH_APPT_MAX_OCCURRENCES (HEARTH_EINVAL beyond).
 * Conflicts: each occurrence is checked against every appointment not
 * cancelled (and the series' own occurrences) for the same counsellor, the
 * same person or the same place overlapping in time ([start, start +
 * minutes) intervals; touching ends do not overlap).  Conflicts warn: the
 * booking is written and they are listed in the result.  With strict, any
 * conflict means nothing is written and HEARTH_ESTATE is returned, *out
 * then still holding the conflicts (n = 0).  On any other error *out is
 * NULL.  HEARTH_EINVAL (bad date-time, minutes, mode, repeat, count with
 * until or neither, count or until without repeat), HEARTH_ENOTFOUND.
 * Audit: appt.add per occurrence. */
hearth_status hearth_appt_add(hearth_store *s, const hearth_appt_new *a,
			      hearth_appt_result **out) HEARTH_WUR;

/* Moves a booked appointment to a new start (same duration); conflicts as
 * for add, the appointment itself excluded.  HEARTH_ESTATE if it is not
 * booked, or (with strict) on a conflict, nothing written; *out as for
 * add (ids holds the moved appointment).  Audit: appt.move. */
hearth_status hearth_appt_move(hearth_store *s, const hearth_id *id,
			       const char *at, int strict,
			       hearth_appt_result **out) HEARTH_WUR;

/* Cancels a booked appointment; with rest_of_series, also every booked
 * occurrence of its series that comes after it (seq greater).  Others stay
 * as they are.  HEARTH_ESTATE if the appointment itself is not booked.
 * *n_cancelled (may be NULL) gets the number cancelled.
 * Audit: appt.cancel per occurrence. */
hearth_status hearth_appt_cancel(hearth_store *s, const hearth_id *id,
				 int rest_of_series,
				 size_t *n_cancelled) HEARTH_WUR;

/* Marks a booked appointment held.  HEARTH_ESTATE if not booked.
 * Audit: appt.done.  It does not look at the date: callers that know
 * today's date use hearth_appt_mark_done, which refuses a session that
 * has not happened yet. */
hearth_status hearth_appt_done(hearth_store *s, const hearth_id *id) HEARTH_WUR;

/* Marks a booked appointment held once its date has come: an appointment
 * dated after today is refused with HEARTH_ESTATE ("appointment on
 * 2026-12-28 10:00 has not happened yet") and nothing is written.  Dates
 * are compared, not times: a session later today may be marked held.
 * HEARTH_EINVAL for a missing or bad today; HEARTH_ESTATE if not booked.
 * Audit: appt.done. */
hearth_status hearth_appt_mark_done(hearth_store *s, const hearth_id *id,
				    const char *today) HEARTH_WUR;

/* Marks a booked appointment a no-show and creates a reach-out follow-up
 * (priority normal, source "noshow", origin the appointment, reason code
 * "noshow" with reason_at the appointment's start, shown as "no-show
 * YYYY-MM-DD HH:MM") due the day after the appointment's date,
 * or today if that day is already past;
 * its id goes to *followup (may be NULL).  HEARTH_ESTATE if not booked.
 * Audit: appt.noshow, followup.add. */
hearth_status hearth_appt_noshow(hearth_store *s, const hearth_id *id,
				 const char *today,
				 hearth_id *followup) HEARTH_WUR;

typedef struct hearth_appt_item {
	hearth_id id;
	hearth_id person;
	char *person_name;
	char at[HEARTH_DATETIME_LEN + 1];
	int minutes;
	char *mode;
	char *place;
	char *counsellor;
	char *status;
	int has_series;
	hearth_id series;
	int seq;            /* 0 for a one-off */
} hearth_appt_item;

typedef struct hearth_appts {
	size_t n;
	hearth_appt_item *items;
} hearth_appts;

/* Appointments whose date lies in [from, to] (dates, each NULL for
 * unbounded), of one person if person is non-NULL, cancelled ones included
 * (check status), ordered by start then creation.  Appointments of a
 * deleted person are left out. */
hearth_status hearth_appt_list(hearth_store *s, const char *from,
			       const char *to, const hearth_id *person,
			       hearth_appts **out) HEARTH_WUR;
void hearth_appts_free(hearth_appts *l);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_APPOINTMENT_H */
