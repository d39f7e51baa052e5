/*
 * hearth/note.h - session notes: append-only, amended by new notes; held
 * sessions without a note.
 *
 * The conventions every casework module follows (dates, ids, atomic and
 * audited writes, who frees what) are in hearth/casework.h.
 *
 * Fields of the record kind written here
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
 */
#ifndef HEARTH_NOTE_H
#define HEARTH_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/casework.h"
#include "hearth/appointment.h"
#include "hearth/status.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_NOTE_H */
