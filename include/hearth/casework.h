/*
 * hearth/casework.h - what the counselling loop's record kinds share: the
 * conventions of their modules, the allowed values, the text check.
 *
 * Every rule lives in these modules (conflict detection, the follow-up ladder, the
 * safety rule that keeps a high-risk case open); the command line and the
 * app only call these functions and print what they return.
 *
 * Conventions
 *   - Records are store records (hearth/store.h) with UTF-8 text fields.
 *     A person lives in one space (the private space unless made in a
 *     team space: hearth_person_add_in), and every record of the
 *     person's case (screenings, notes, appointments, follow-ups,
 *     activities naming them) is made in that space; records that name
 *     no person live in the private space.  A case changes space only by
 *     being copied (hearth_case_move, hearth/caseload.h).
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
 * Each record kind has its header: hearth/person.h, hearth/followup.h,
 * hearth/appointment.h, hearth/note.h, hearth/activity.h; each lists the
 * fields it writes.
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
#include "hearth/vocab.h"

#ifdef __cplusplus
extern "C" {
#endif


/* ---- values ----------------------------------------------------------- */

/* Non-zero if s is one of the allowed values (NULL gives 0): checks over
 * hearth/vocab.h, whose _parse() also says what is wrong. */
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

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_CASEWORK_H */
