/*
 * hearth/casework.h - the counselling loop: case state of people,
 * follow-ups, appointments, session notes, activities, and a person's
 * timeline.
 *
 * Every rule lives here (conflict detection, the follow-up ladder, the
 * safety rule that keeps a high-risk case open); the command line and the
 * app only call these functions and print what they return.
 *
 * Conventions
 *   - Records are store records (hearth/store.h) with UTF-8 text fields.
 *     Every record made here lives in the store's private space (space
 *     NULL) for now.
 *   - Dates are "YYYY-MM-DD", local date-times "YYYY-MM-DD HH:MM"
 *     (hearth/timeutil.h); both are validated strictly on the way in.
 *   - References to other records are 32 lowercase hex digits.
 *   - Numbers are decimal text ("50", "3").  Flags are "1" when set and
 *     absent (or "0") otherwise.
 *   - No function reads a clock: those that need the current date take
 *     `today` ("YYYY-MM-DD"; the CLI gets it from hearth_today()).
 *   - Each change appends an audit entry (hearth_audit_append) in the same
 *     transaction as the change; the action names are listed below.
 *   - Each write function is atomic: it runs in a transaction of its own,
 *     or, when the caller has one open (hearth_store_begin), inside a
 *     savepoint of it, so a failure leaves nothing half written either way.
 *     Bad input (HEARTH_EINVAL, HEARTH_ENOTFOUND, HEARTH_ESTATE) writes
 *     nothing.
 *
 * Record kinds and fields written here
 *
 * person (made and edited by hearth_person_add / hearth_person_update)
 *     name        name or pseudonym, never empty
 *     unit        work unit (车间, depot, ...), may be absent
 *     phone       contact, may be absent
 *     tags        a JSON array of strings, e.g. ["货车司机","夜班"]; may be
 *                 absent (no tags)
 *     note        free text, may be absent
 *   and the case fields:
 *     risk        "low" | "moderate" | "high"  (absent: not assessed)
 *     case        "open" | "followup" | "closed" (absent: open)
 *     counsellor  free text: the counsellor's name or handle
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
 * note (append-only: once written, no field of a note ever changes)
 *     person      id of the person
 *     appt        id of the appointment it records; absent if none
 *     format      "free" | "dap" | "soap"
 *     text        the note
 *     date        date it was written (`today`)
 *     amends      for an amendment: id of the original note (always the
 *                 original, never another amendment); absent otherwise
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
 * Audit actions: person.add, person.edit, person.risk (detail: the new
 * level, and when it was lowered from high while a safety follow-up was
 * open, the reason given: "moderate; from high with safety follow-up
 * 1a2b3c4d open; reason: TEXT"), person.case,
 * person.counsellor,
 * followup.add, followup.done, followup.unreachable, appt.add (one per
 * occurrence), appt.move, appt.cancel (one per occurrence), appt.done,
 * appt.noshow, note.add, note.amend, activity.add, person.delete; and for
 * reading, person.show (hearth_person_show) and note.show
 * (hearth_note_show).  The subject is the record
 * changed; details never hold a name, and free text only in the one case
 * above (the counsellor's reason for lowering a risk the safety rule
 * raised, which the audit must keep).
 *
 * Every list returned here is owned by the caller and freed with its
 * _free function (which accepts NULL); strings inside it are owned by the
 * list and never NULL ("" when a field is absent).
 */
#ifndef HEARTH_CASEWORK_H
#define HEARTH_CASEWORK_H

#include <stddef.h>
#include <stdint.h>

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
/* The attempt that escalates an unreachable follow-up. */
#define HEARTH_FOLLOWUP_ESCALATE_AT 3

/* ---- values ----------------------------------------------------------- */

/* Non-zero if s is one of the allowed values (NULL gives 0). */
int hearth_risk_valid(const char *s);      /* low moderate high */
int hearth_case_valid(const char *s);      /* open followup closed */
int hearth_priority_valid(const char *s);  /* high normal low */
int hearth_appt_mode_valid(const char *s); /* in-person phone video */
int hearth_note_format_valid(const char *s);   /* free dap soap */
int hearth_activity_type_valid(const char *s); /* hotline callback group lecture outreach */

/* ---- text ------------------------------------------------------------- */

/* Longest text value a person field may hold, in bytes. */
#define HEARTH_TEXT_MAX 65536u

/* Checks a text value before it is stored: valid UTF-8, at most
 * HEARTH_TEXT_MAX bytes, no control characters but tab and newline (the
 * rule every text the command line takes follows).  what names the value
 * in the detail ("name", or an option such as "--name").  HEARTH_OK, or
 * HEARTH_EINVAL with the first problem met: "the value of 'WHAT' is too
 * long (more than 65536 bytes)", "the value of 'WHAT' is not valid UTF-8
 * text" or "the value of 'WHAT' holds a control character". */
hearth_status hearth_text_check(const char *what, const char *value) HEARTH_WUR;

/* ---- people: the person record ---------------------------------------- */

/* What to write into a person.  A NULL field is not given: add leaves it
 * absent and update leaves it as it is; "" clears it (but the name).  Each
 * value must pass hearth_text_check. */
typedef struct hearth_person_fields {
	const char *name;  /* required on add; never empty */
	const char *unit;
	const char *phone;
	const char *note;
	const char *const *tags; /* tags[0..ntags), each non-empty */
	size_t ntags;
	int replace_tags;  /* 0: the tags are added to those the person has
			    * (repeats dropped); non-zero: the person's tags
			    * become exactly these (ntags 0: none) */
} hearth_person_fields;

/* Makes a person (in the private space) from f and puts its id in *out
 * (may be NULL).  HEARTH_EINVAL for a missing or empty name ("a person
 * needs a name", "the name cannot be empty"), an empty tag ("a tag cannot
 * be empty") or a value hearth_text_check refuses (named "name", "unit",
 * "phone", "note" or "tag"); nothing is written then.  Audit: person.add. */
hearth_status hearth_person_add(hearth_store *s, const hearth_person_fields *f,
				hearth_id *out) HEARTH_WUR;

/* Changes the fields f gives of a person; the others stay as they are.
 * Only fields whose value changes are written.  HEARTH_EINVAL as for add
 * (the name may not be cleared), and "nothing to change" when f gives no
 * field at all; HEARTH_ENOTFOUND for a missing or deleted person.
 * Audit: person.edit (also when no value changed). */
hearth_status hearth_person_update(hearth_store *s, const hearth_id *person,
				   const hearth_person_fields *f) HEARTH_WUR;

/* A person's tags, as read from the stored "tags" value. */
typedef struct hearth_tags {
	size_t n;
	char **v; /* n UTF-8 strings */
} hearth_tags;

/* Parses a stored "tags" value (NULL or "": none).  A value that is not a
 * JSON array of strings (written by hand or by an older tool) counts as
 * one tag.  *out is the caller's: hearth_tags_free.  HEARTH_ENOMEM only. */
hearth_status hearth_person_tags(const char *value, hearth_tags **out) HEARTH_WUR;

/* Splits tags typed on one line ("货车司机，夜班; night shift") into
 * tags for hearth_person_fields: the separators are the comma and the
 * semicolon, ASCII or full-width, and the enumeration comma 、; each
 * piece is trimmed of ASCII white space, and empty pieces and repeats
 * are dropped (NULL or "": no tags).  The tags are checked when written
 * (hearth_person_add, hearth_person_update).  *out is the caller's:
 * hearth_tags_free.  HEARTH_ENOMEM only. */
hearth_status hearth_tags_split(const char *text, hearth_tags **out) HEARTH_WUR;

/* Accepts NULL. */
void hearth_tags_free(hearth_tags *t);

/* ---- people: case state ------------------------------------------------ */

/* HEARTH_OK if id names a person that is not deleted; HEARTH_ENOTFOUND
 * ("no person 'abcd1234...'") otherwise. */
hearth_status hearth_person_check(hearth_store *s, const hearth_id *person) HEARTH_WUR;

/* Longest reason for a risk change, in bytes. */
#define HEARTH_RISK_REASON_MAX 500u

/* Sets the person's risk level.  reason (NULL or "": none) says why; it
 * is required to lower a risk from high while a safety follow-up of the
 * person is pending (hearth_followup_pending_safety): without one that
 * fails with HEARTH_ESTATE ("person 1a2b3c4d has an open safety follow-up
 * 5e6f7a8b due 2026-12-14: lowering the risk from high needs a reason")
 * and nothing is written.  The safety follow-up itself stays open.
 * A reason must be one line of at most HEARTH_RISK_REASON_MAX bytes and
 * pass hearth_text_check (HEARTH_EINVAL, named "reason").  It goes into
 * the audit entry's detail, so it should say why clinically, never who.
 * HEARTH_EINVAL for a value other than low|moderate|high,
 * HEARTH_ENOTFOUND.  Audit: person.risk (with the reason, when given). */
hearth_status hearth_person_set_risk(hearth_store *s, const hearth_id *person,
				     const char *risk,
				     const char *reason) HEARTH_WUR;

/* Sets the case state (open|followup|closed).  Closing a person who has a
 * pending safety follow-up fails with HEARTH_ESTATE, whatever their risk
 * level ("person 1a2b3c4d has an open safety follow-up 5e6f7a8b due
 * 2026-12-14: complete it before closing the case"), and nothing is
 * written.  Audit: person.case. */
hearth_status hearth_person_set_case(hearth_store *s, const hearth_id *person,
				     const char *state) HEARTH_WUR;

/* Sets (or with NULL/"" clears) the assigned counsellor.
 * Audit: person.counsellor. */
hearth_status hearth_person_set_counsellor(hearth_store *s,
					   const hearth_id *person,
					   const char *counsellor) HEARTH_WUR;

/* Deletes a person: tombstones the person record (the deletion reaches
 * other devices when they sync) and nothing else.  The person's
 * screenings, appointments, notes, follow-ups and activities stay in the
 * vault unchanged; the lists (follow-ups, appointments, pending actions,
 * missing notes) leave out those whose person is deleted.  A person with
 * a pending safety follow-up (hearth_followup_pending_safety) is not
 * deleted: HEARTH_ESTATE ("person 1a2b3c4d has an open safety follow-up
 * 5e6f7a8b due 2026-12-14: complete it before deleting the person"), as
 * deleting would drop the call still to be made from every list.
 * HEARTH_ENOTFOUND for an unknown or already deleted person.  Atomic
 * (a transaction, or a savepoint of the caller's); nothing is written on
 * any error.  Audit: person.delete. */
hearth_status hearth_person_delete(hearth_store *s,
				   const hearth_id *person) HEARTH_WUR;

/* Loads a person to show it (a person's page in the app, `hearth person
 * show`) and appends the audit entry person.show: looking at a person is
 * audited, and *out is set only when the entry is written.  *out is the
 * caller's (hearth_record_free); NULL on error.  HEARTH_ENOTFOUND for an
 * unknown or deleted person (nothing is written then).  For reads that
 * are not a person being looked at (lists, pickers), load the record
 * with hearth_record_load. */
hearth_status hearth_person_show(hearth_store *s, const hearth_id *person,
				 hearth_record **out) HEARTH_WUR;

/* One event in a person's timeline. */
typedef struct hearth_timeline_item {
	char when[HEARTH_DATETIME_LEN + 1]; /* date, or date-time for appointments */
	const char *kind;  /* static: "screening", "appointment", "note",
			    * "amendment", "followup", "activity" */
	hearth_id id;
	char *status;      /* band (screening), status (appointment,
			    * follow-up), format (note), type (activity) */
	char *summary;     /* one line of the record's own data, not
			    * translated: instrument and score, place and
			    * counsellor, first line of text, topic; but a
			    * follow-up's is its reason as shown, in the
			    * reader's language (hearth_followup_reason_text) */
	hearth_record *record; /* the whole record, for callers that want
				* more; owned by the timeline */
} hearth_timeline_item;

typedef struct hearth_timeline {
	size_t n;
	hearth_timeline_item *items;
} hearth_timeline;

/* Everything about a person, oldest first: screenings (kind "screening",
 * field "person"; dated by their "date" field, else "at", else the day the
 * record was made), appointments (by "at"), notes (by "date"; each note's
 * amendments follow it directly, in the order written), follow-ups (by
 * "due") and activities (by "date").  Ties keep creation order.
 * HEARTH_ENOTFOUND for an unknown person.  Reading only: no audit entry
 * (the caller shows the person with hearth_person_show, which audits it). */
hearth_status hearth_person_timeline(hearth_store *s, const hearth_id *person,
				     hearth_timeline **out) HEARTH_WUR;
void hearth_timeline_free(hearth_timeline *t);

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

/* ---- notes ------------------------------------------------------------- */

typedef struct hearth_note_new {
	hearth_id person;
	const hearth_id *appt; /* NULL: none; else an appointment of person */
	const char *format;    /* NULL or "": "free" */
	const char *text;      /* required, non-empty */
} hearth_note_new;

/* Writes a note dated today.  HEARTH_EINVAL (empty text, bad format, an
 * appointment of another person), HEARTH_ENOTFOUND.  Audit: note.add. */
hearth_status hearth_note_add(hearth_store *s, const hearth_note_new *n,
			      const char *today, hearth_id *out) HEARTH_WUR;

/* Adds an amendment to a note: a new note record (same person, appt and
 * format) whose amends field names the original.  Amending an amendment
 * amends its original.  The original is never changed.
 * Audit: note.amend. */
hearth_status hearth_note_amend(hearth_store *s, const hearth_id *note,
				const char *text, const char *today,
				hearth_id *out) HEARTH_WUR;

typedef struct hearth_note_item {
	hearth_id id;
	hearth_id person;
	int has_appt;
	hearth_id appt;
	int is_amendment;
	hearth_id amends;
	char date[HEARTH_DATE_LEN + 1];
	char *format;
	char *text;
} hearth_note_item;

typedef struct hearth_notes {
	size_t n;
	hearth_note_item *items;
} hearth_notes;

/* A note as shown: items[0] is the original (also when id names one of
 * its amendments), then its amendments in the order written.  Reading a
 * session note is looking at a person's record: it appends the audit
 * entry note.show (subject: the original note) and hands out the note
 * only once the entry is written.  HEARTH_ENOTFOUND for an unknown or
 * deleted note, nothing written then. */
hearth_status hearth_note_show(hearth_store *s, const hearth_id *id,
			       hearth_notes **out) HEARTH_WUR;

/* Every note of a person (or all if person is NULL), originals each
 * followed by their amendments, originals ordered by date then creation. */
hearth_status hearth_note_list(hearth_store *s, const hearth_id *person,
			       hearth_notes **out) HEARTH_WUR;
void hearth_notes_free(hearth_notes *l);

/* Held appointments (status done) that no note refers to, ordered by
 * start. */
hearth_status hearth_note_missing(hearth_store *s, hearth_appts **out) HEARTH_WUR;

/* The number of appointments hearth_note_missing would list, for a count
 * on a screen, without building the list.  *n is 0 on error.
 *
 * What both count, exactly: appointments not deleted with status "done",
 * a start that parses and a person who is not deleted (as for
 * hearth_appt_list), that no note refers to; a note refers to one when it
 * is not deleted and its appt field holds the appointment's id as
 * hearth_note_add writes it (lowercase hex), amendments included.  Ties
 * of start keep creation order.  Both read through indexes and load only
 * the appointments listed: each about 60 ms with the 4,246 of the heavy
 * demo of 10,000 people (27,600 appointments, 17,000 notes, encrypted
 * vault). */
hearth_status hearth_note_missing_count(hearth_store *s, size_t *n) HEARTH_WUR;

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
#endif /* HEARTH_CASEWORK_H */
