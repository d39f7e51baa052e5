/*
 * hearth/person.h - a person: the person record, tags, case state (risk, case,
 * counsellor) and the person's timeline.
 *
 * The conventions every casework module follows (dates, ids, atomic and
 * audited writes, who frees what) are in hearth/casework.h.
 *
 * Fields of the record kind written here
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
 */
#ifndef HEARTH_PERSON_H
#define HEARTH_PERSON_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/casework.h"
#include "hearth/status.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#ifdef __cplusplus
extern "C" {
#endif

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

/* The same in space (NULL: the private space): a team space this vault
 * may write cases into (hearth_case_space_check, hearth/caseload.h, whose
 * refusals it returns, writing nothing).  Every record of the person's
 * case is then made in that space. */
hearth_status hearth_person_add_in(hearth_store *s, const hearth_id *space,
				   const hearth_person_fields *f,
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

/* Erases a person (an erasure request): purges the person and every
 * record about them (screenings, notes and amendments, follow-ups,
 * appointments, one-to-one activities) with hearth_record_purge, so their
 * values leave this vault's fields and op log and, once synced, every
 * other vault's.  Deleted people can be erased.  A person moved into
 * another space (hearth_case_move) is erased with the originals it was
 * copied from, tombstoned in the old space, and their records.  What
 * stays: the ids, and
 * an audit entry person.purge with the count (*n_records, may be NULL).
 * HEARTH_ESTATE while the person has an open safety follow-up (as for
 * deleting); HEARTH_ENOTFOUND.  Cannot be undone. */
hearth_status hearth_person_purge(hearth_store *s, const hearth_id *person,
				  size_t *n_records) HEARTH_WUR;

/* The free-text fields of a person (name, unit, phone, note) can be
 * edited on two devices before they sync; both texts are kept.  Calls cb
 * for each value kept beside the one a loaded record shows, with its field
 * name; none means no conflict.  Editing the field (hearth_person_update)
 * replaces every value this device holds, which resolves it.  cb returns
 * non-zero to stop. */
typedef int (*hearth_person_conflict_cb)(const char *field, const char *value,
					 void *ctx);
hearth_status hearth_person_conflicts(hearth_store *s, const hearth_id *person,
				      hearth_person_conflict_cb cb,
				      void *ctx) HEARTH_WUR;

/* One event in a person's timeline. */
typedef struct hearth_timeline_item {
	char when[HEARTH_DATETIME_LEN + 1]; /* date, or date-time for appointments */
	const char *kind;  /* static: "screening", "appointment", "note",
			    * "amendment", "followup", "activity",
			    * "shared" (a journal entry the person
			    * shared: hearth/share.h) */
	hearth_id id;
	char *status;      /* band (screening), status (appointment,
			    * follow-up), format (note), type (activity) */
	char *summary;     /* one line of the record's own data:
			    * instrument and score, first line of text,
			    * topic, as stored; an appointment's duration and
			    * mode (then place and counsellor) and a
			    * follow-up's reason (hearth_followup_reason_text)
			    * in the reader's language */
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
 * "due") and activities (by "date"), and the journal entries the person
 * shared with this counsellor through a share tied to them
 * (hearth_share_link; kind "shared", by the entry's "date"; status: the
 * band of a self-screening, else "").  Ties keep creation order.
 * HEARTH_ENOTFOUND for an unknown person.  Reading only: no audit entry
 * (the caller shows the person with hearth_person_show, which audits it). */
hearth_status hearth_person_timeline(hearth_store *s, const hearth_id *person,
				     hearth_timeline **out) HEARTH_WUR;
void hearth_timeline_free(hearth_timeline *t);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_PERSON_H */
