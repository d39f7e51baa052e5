/*
 * hearth/followup.h - follow-ups: the reach-outs a counsellor owes, their reasons,
 * the unreachable ladder and the safety follow-up.
 *
 * The conventions every casework module follows (dates, ids, atomic and
 * audited writes, who frees what) are in hearth/casework.h.
 *
 * Fields of the record kind written here
 *
 * followup
 *     person      id of the person
 *     due         date
 *     reason      the reason as typed, one line: set for manual follow-ups
 *                 (reason_code "manual"), and the only reason of records
 *                 made before reason codes (a sentence in the language of
 *                 the day, shown as it is); absent for the others
 *     reason_code why it was made, a stable name (see "follow-up reasons"
 *                 below); absent on records made before reason codes
 *     reason_instrument, reason_band, reason_at
 *                 the parameters of the code: instrument id, band id,
 *                 date-time of the missed appointment; absent when the
 *                 code has none
 *     priority    "high" | "normal" | "low"
 *     status      "open" (never attempted, or not yet reached),
 *                 "retry" (at least one unreachable attempt, still pending),
 *                 "done"
 *                 (open and retry are both "pending")
 *     attempts    number of unreachable attempts so far ("0" at creation)
 *     outcome     free text given when done
 *     safety      "1" for a safety follow-up (priority high, due the day it
 *                 was raised); absent otherwise
 *     escalated   "1" once the third unreachable attempt flagged it for the
 *                 team lead; absent otherwise
 *     source      "manual" | "screening" | "noshow" | "crisis" | "hotline"
 *     origin      id of the record that caused it (screening, appointment,
 *                 activity); absent for manual ones
 *     opened      date it was created (`today` at creation)
 *     closed      date it was done; absent while pending
 *
 */
#ifndef HEARTH_FOLLOWUP_H
#define HEARTH_FOLLOWUP_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/casework.h"
#include "hearth/status.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The attempt that escalates an unreachable follow-up. */
#define HEARTH_FOLLOWUP_ESCALATE_AT 3

/* ---- follow-ups -------------------------------------------------------- */

/*
 * Follow-up reasons.  A follow-up made by a rule stores why as a code and
 * its parameters, never as a sentence: a sentence would stay in the
 * language of whoever made it, and the Chinese and English users of one
 * vault would each read the other's.  The label is made when it is shown,
 * in the reader's language.  The codes (stable names):
 *
 *   manual            typed by hand: the reason is the text itself
 *   screening_safety  safety flag of a screening (instrument)
 *                     "safety check after a phq9 screening"
 *   screening_band    the follow-up a screening's band asks for
 *                     (instrument, band) "follow-up after a phq9
 *                     screening: Moderate symptoms (10-14)", the band's
 *                     label taken from the instrument file
 *   noshow            missed appointment (at) "no-show 2026-12-07 10:00"
 *   hotline_safety    high-risk hotline call
 *   crisis            high-risk contact of another kind
 *   safety            safety follow-up raised without a more exact cause
 */

/* Non-zero if s is one of the reason codes above (NULL gives 0). */
int hearth_followup_reason_valid(const char *s);

/* A follow-up's reason as stored: each field NULL or "" when absent. */
typedef struct hearth_followup_reason {
	const char *code;       /* a reason code; absent on old records */
	const char *text;       /* manual: as typed; old records: the sentence */
	const char *instrument; /* screening_*: the instrument's id */
	const char *band;       /* screening_band: the band's id */
	const char *at;         /* noshow: the appointment's date-time */
} hearth_followup_reason;

/* The reason as shown to the reader, malloc'd (NULL only when memory runs
 * out).  Both faces call this, so they show the same words.  The language
 * is that of the "hearth" message catalogue gettext has chosen (the faces
 * bind the domain; with no catalogue, English): the label comes from
 * dgettext("hearth", ...), a band's label from its instrument file in that
 * language (the band id when the instrument is not installed).  A manual
 * reason, and the sentence of an old record, are shown as they are (the
 * old English sentences the command line used to translate, "no-show
 * DATE", "safety follow-up", "high-risk hotline call", "high-risk
 * contact", still are).  An unknown code (from a newer version) shows the
 * text if there is one, else the code. */
char *hearth_followup_reason_text(const hearth_followup_reason *r);

typedef struct hearth_followup_new {
	hearth_id person;
	const char *due;      /* date, required */
	const char *reason;   /* for a manual one (the default): required,
			       * non-empty, one line; must be NULL or ""
			       * with any other reason_code */
	const char *priority; /* NULL or "": "normal" */
	const char *source;   /* NULL or "": "manual" */
	const hearth_id *origin; /* record that caused it, or NULL */
	int safety;           /* non-zero: a safety follow-up (priority is
			       * then forced to "high") */
	/* Why, when a rule made it (see "follow-up reasons" above); NULL or
	 * "": "manual".  The parameters the code needs are required, one
	 * line each; those it does not take must be NULL or "". */
	const char *reason_code;
	const char *reason_instrument;
	const char *reason_band;
	const char *reason_at;
} hearth_followup_new;

/* Creates a follow-up (status open, attempts 0, opened today).  A due date
 * in the past is allowed (recording a missed one).  HEARTH_EINVAL with a
 * detail for a bad date, priority, source, an empty reason, or a reason
 * code that is unknown or lacks a parameter; HEARTH_ENOTFOUND for an
 * unknown person.  Audit: followup.add. */
hearth_status hearth_followup_add(hearth_store *s, const hearth_followup_new *f,
				  const char *today, hearth_id *out) HEARTH_WUR;

/* The safety rule shared by screening, crisis and activities: creates a
 * follow-up with safety "1", priority high, due today, and marks the person
 * risk high and case "followup" (a closed case is reopened).  source is
 * "screening", "crisis" or "hotline" (NULL: "crisis"); origin may be NULL;
 * reason gives the code and its parameters (its text is not used): one of
 * the safety codes screening_safety, hotline_safety, crisis or safety;
 * NULL (or a NULL code) gives "safety".  HEARTH_EINVAL for another code or
 * a missing parameter.  Audit: followup.add, person.risk, person.case
 * (each only when it changes something).
 * One call to make at a time: if the person already has a pending safety
 * follow-up due today or earlier, no new one is made; *out gets that one's
 * id (the most overdue if there are several; its reason and origin stay
 * as they were) and only risk and case are set.  A pending one due later
 * (moved on by an unreachable attempt) does not count: a new trigger asks
 * for a call today. */
hearth_status hearth_followup_create_safety(hearth_store *s,
					    const hearth_id *person,
					    const char *today,
					    const char *source,
					    const hearth_id *origin,
					    const hearth_followup_reason *reason,
					    hearth_id *out) HEARTH_WUR;

/* Marks a pending follow-up done with an outcome (required, non-empty),
 * closed today.  A safety follow-up's person keeps their risk level and
 * case state: closing the case is a separate act.  HEARTH_ESTATE if it is
 * done already.  Audit: followup.done. */
hearth_status hearth_followup_done(hearth_store *s, const hearth_id *id,
				   const char *outcome,
				   const char *today) HEARTH_WUR;

typedef struct hearth_followup_retry {
	int attempts;                    /* after this attempt */
	char due[HEARTH_DATE_LEN + 1];   /* the new due date */
	int escalated;                   /* this attempt escalated it */
} hearth_followup_retry;

/* Records an attempt that did not reach the person: attempts + 1, status
 * retry, and the due date moves 24 hours on: to the day after the later of
 * the old due date and today (never into the past, never earlier than it
 * was).  The HEARTH_FOLLOWUP_ESCALATE_AT-th attempt escalates it: priority
 * high, escalated "1" (flagged for the team lead); later attempts keep it
 * escalated.  HEARTH_ESTATE if it is done.  res may be NULL.
 * Audit: followup.unreachable (detail "attempt N", "escalated"). */
hearth_status hearth_followup_unreachable(hearth_store *s, const hearth_id *id,
					  const char *today,
					  hearth_followup_retry *res) HEARTH_WUR;

typedef enum hearth_followup_which {
	HEARTH_FOLLOWUPS_PENDING = 0, /* status open or retry */
	HEARTH_FOLLOWUPS_OVERDUE = 1, /* pending and due before today */
	HEARTH_FOLLOWUPS_ALL = 2      /* done ones too */
} hearth_followup_which;

typedef struct hearth_followup_item {
	hearth_id id;
	hearth_id person;
	char *person_name;  /* the person's "name" field, "" if none */
	char due[HEARTH_DATE_LEN + 1];
	int32_t days_overdue; /* today - due for a pending one past due, else 0 */
	char *reason;       /* the stored text: a manual reason, or an old
			     * record's sentence; "" for a coded one */
	char *reason_code;  /* "" on an old record */
	char *reason_instrument;
	char *reason_band;
	char *reason_at;
	char *label;        /* the reason as shown, made by
			     * hearth_followup_reason_text when listed */
	char *priority;
	char *status;
	char *source;
	char *outcome;
	char *closed;       /* date done, "" while pending */
	int attempts;
	int safety;
	int escalated;
} hearth_followup_item;

typedef struct hearth_followups {
	size_t n;
	hearth_followup_item *items;
} hearth_followups;

/* Lists follow-ups (which; of one person if person is non-NULL) ordered:
 * safety follow-ups first, above every other (whatever their priority or
 * lateness), then by priority (high, normal, low), then days overdue (most
 * first), then due date (soonest first), then creation.  Follow-ups whose
 * person was deleted are left out.  HEARTH_EINVAL for a bad today. */
hearth_status hearth_followup_list(hearth_store *s, hearth_followup_which which,
				   const hearth_id *person, const char *today,
				   hearth_followups **out) HEARTH_WUR;
void hearth_followups_free(hearth_followups *l);

/* Number of pending safety follow-ups of a person (for the case rule and
 * for screens that want to say one is already open). */
hearth_status hearth_followup_pending_safety(hearth_store *s,
					     const hearth_id *person,
					     size_t *n) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_FOLLOWUP_H */
