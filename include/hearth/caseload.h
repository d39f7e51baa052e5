/*
 * hearth/caseload.h - which space a person's case lives in, and moving a
 * case from one space to another.
 *
 * A person and every record of their case (screenings, notes and their
 * amendments, appointments, follow-ups, activities naming them) live in
 * one space: the vault's private space, or a team space, so a team's
 * caseload is shared and synced together.  A person is made in a space
 * (hearth_person_add_in, hearth/person.h); the casework modules make each
 * later record of the case in the person's space.
 *
 * A record's space is fixed by the op that created it (DESIGN.md §3): a
 * case changes space only by being copied.  hearth_case_move writes a new
 * record in the target space for each live record of the case (new ids,
 * the same field values, references between them pointing to the
 * copies), then tombstones the originals, in one atomic step.  Nothing is
 * re-labelled and no ciphertext of the old space is reused: the copies are
 * new ops, sealed at the target space's epoch when they travel.
 *
 * A device that has not heard of a move may still write records naming
 * the original person (a screening, its safety follow-up, a note, an
 * appointment).  They are not copied: the core reads them as the copy's,
 * following "moved_to" wherever it resolves a record's person (lists,
 * timelines, the safety rule that blocks closing, deleting and erasing,
 * pending actions, reports), so every replica shows them under the copy
 * once it holds the same ops.  They stay in the old space, readable to
 * whoever holds its keys; erasing the person reaches them.
 */
#ifndef HEARTH_CASELOAD_H
#define HEARTH_CASELOAD_H

#include <stddef.h>

#include "hearth/status.h"
#include "hearth/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The audit action of a move. */
#define HEARTH_AUDIT_RECORD_MOVE "record.move"

/* The field a moved person's original holds, tombstoned: the id of its
 * copy (32 hex digits). */
#define HEARTH_FIELD_MOVED_TO "moved_to"
/* The copy's record of where the case-state fields it was given came
 * from: "case=<32 hex HLC> counsellor=<...> risk=<...>" (fields the
 * original lacked left out); hearth_case_moves_settle reads it. */
#define HEARTH_FIELD_MOVED_SRC "moved_src"

/* HEARTH_OK when this vault may put a case into space: its private space
 * (NULL means it too), or a team space whose genesis it holds, of which
 * its identity is a current member with this device listed, and whose
 * current epoch key it holds.  Otherwise, with a detail naming the space
 * (its first 8 hex digits):
 *   HEARTH_EINVAL   the device-local space ("cases cannot be kept in this
 *                   device's local space")
 *   HEARTH_ENOTFOUND  no such space here
 *   HEARTH_ESTATE   not a current member, this device not listed, or no
 *                   current epoch key held yet. */
hearth_status hearth_case_space_check(hearth_store *s,
				      const hearth_id *space) HEARTH_WUR;

/* The names of the team spaces this vault is a member of, looked up once
 * (for a list of people). */
typedef struct hearth_space_names hearth_space_names;

/* *out is the caller's: hearth_space_names_free.  A vault without an
 * identity yet has no team spaces: an empty set.  HEARTH_ENOMEM. */
hearth_status hearth_space_names_load(hearth_store *s,
				      hearth_space_names **out) HEARTH_WUR;

/* The name of team space space, or NULL when it is not one this vault is
 * a member of or its name is not readable here (borrowed from n). */
const char *hearth_space_names_get(const hearth_space_names *n,
				   const hearth_id *space);

/* Accepts NULL. */
void hearth_space_names_free(hearth_space_names *n);

/* What a move did. */
typedef struct hearth_case_moved {
	hearth_id person;  /* the person's copy in the target space */
	size_t n_records;  /* records copied, the person included */
} hearth_case_moved;

/* Moves person (a live person record) with every live record naming them
 * in field "person" into space: copies them in creation order as new
 * records of the same kinds in space, with the same field values, each
 * field holding the id of a record of the case rewritten to its copy's
 * id; then sets the original person's field "moved_to" to its copy's id
 * and tombstones the originals.  Screenings keep answers, scores,
 * bands, flags and a pending safety action; follow-ups keep their status,
 * so an open safety follow-up stays open (on the copy); notes keep their
 * text and amendments.  One atomic step (a transaction, or a savepoint of
 * the caller's); audited "record.move" (subject: the original person;
 * detail: the copy's id, the target space and the number of records).
 * *out may be NULL.  Refused, writing nothing:
 *   HEARTH_ENOTFOUND  an unknown record
 *   HEARTH_EINVAL     a record that is not a person ("only a person can
 *                     be moved, with their whole case"), or a target
 *                     hearth_case_space_check refuses as EINVAL
 *   HEARTH_ESTATE     a deleted or erased person, a person already in
 *                     space, a field of the case holding values written
 *                     on two devices at once (resolve it first: a copy
 *                     would keep one of them only), or a target space
 *                     this vault cannot write (hearth_case_space_check). */
hearth_status hearth_case_move(hearth_store *s, const hearth_id *person,
			       const hearth_id *space,
			       hearth_case_moved *out) HEARTH_WUR;

/* Late case-state writes for moved people.  A device that had not heard
 * of a move may set the original's risk, case state or counsellor (the
 * safety rule sets risk high and case followup when it records a flagged
 * screening).  The move copied the values the original had then, so the
 * copy would keep showing the older one.  This writes onto each moved
 * person's live copy every such value whose op is newer than what the
 * copy's own value counts at (a copied value at its source's HLC, a value
 * written on the copy after the move at its own): last-writer-wins as if
 * the case had never moved.  Audited as person.risk / person.case /
 * person.counsellor ("high; written for moved original 1a2b3c4d").
 * Replicas that settle write the same values, so they converge.  Called
 * after every merge by the core's sync verbs (hearth_offline_import);
 * idempotent.  *n_written (may be NULL): the fields written.  Atomic. */
hearth_status hearth_case_moves_settle(hearth_store *s, size_t *n_written) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_CASELOAD_H */
