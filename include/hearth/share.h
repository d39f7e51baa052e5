/*
 * hearth/share.h - consent shares: an employee shares chosen entries of
 * their private journal with ONE counsellor they choose, for as long as
 * they want, and takes the share back (issue 10).
 *
 * The flow, and what each side does in person:
 *
 *   1. The counsellor shows a contact code (hearth_share_contact): their
 *      identity and this device's certificate, in the join request's
 *      format (Crockford base32 with a checksum, docs/protocol.md §11.7)
 *      with no space and no token in it.  Nothing in it is secret.
 *   2. The employee types it in (hearth_journal_share).  The code is
 *      checked (a typo is refused) and the certificate verified; the
 *      employee's vault makes a two-person space, the employee its lead,
 *      invites the counsellor and approves them at once with the verbs
 *      of hearth/spaces.h (audited space.create, space.invite,
 *      space.approve), so the epoch key is sealed to the counsellor's
 *      device only.  The counsellor's fingerprint comes back: the two
 *      compare it with what the counsellor's screen shows
 *      (hearth_identity_fingerprint_get) before anything travels.
 *   3. The share space then travels like any space (bundles, relay); on
 *      arrival the counsellor's vault opens its key (hearth_space_refresh).
 *   4. The counsellor ties the share to one of their people
 *      (hearth_share_link); the shared entries then appear on that
 *      person's timeline (hearth_person_timeline, kind "shared"), marked
 *      as shared by the employee.
 *   5. The employee ends it (hearth_journal_unshare): the counsellor is
 *      removed (hearth_space_remove: a cutoff, and a new epoch sealed to
 *      the employee alone), so nothing written in the share after that is
 *      readable to them.  What they already received stays readable to
 *      them: say so.
 *
 * The private originals never leave the private space.  The share space
 * holds COPIES (kind "sharedentry"), each written by the employee's
 * device, naming its original ("source"), so sharing an entry twice
 * copies it once.
 *
 * One counsellor at a time: while a share is active, sharing with another
 * counsellor is refused (end the first one first); sharing again with the
 * same counsellor adds to the same share.  A new share after an unshare
 * is a new space.
 *
 * --all: every entry now, AND every entry written while the share lasts
 * (hearth_journal_add and hearth_journal_screen copy a new entry into an
 * active share made or extended with all, in the same transaction).  A
 * share of chosen entries shares only those.  hearth_journal_delete (the
 * app's Undo) deletes the entry's copies too.
 *
 * Records (docs/protocol.md §12):
 *
 *   journalshare (one per share space, by the employee)
 *       follow       "1": new entries follow (--all); "0" or absent: not
 *   sharedentry (in the share space, by the employee)
 *       source       id of the private journal entry (32 hex)
 *       date, mood, text                         as the entry's
 *       instrument, version, display, total, band, positive, flags, risk,
 *       answers, lang, at                        as its self-screening's,
 *                                                when it has one
 *   sharelink (in the counsellor's private space)
 *       space        the share space (32 hex)
 *       person       the counsellor's person record it is tied to (32 hex)
 *
 * Audit actions: journal.share (subject: the share space; detail
 * "space=HEX entries=N"), journal.unshare (subject: the share space),
 * share.link (subject: the person; detail "space=HEX").  Never a text.
 */
#ifndef HEARTH_SHARE_H
#define HEARTH_SHARE_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/identity.h"
#include "hearth/space.h"
#include "hearth/status.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_KIND_SHARE "journalshare"
#define HEARTH_KIND_SHARED_ENTRY "sharedentry"
#define HEARTH_KIND_SHARE_LINK "sharelink"

#define HEARTH_AUDIT_JOURNAL_SHARE "journal.share"
#define HEARTH_AUDIT_JOURNAL_UNSHARE "journal.unshare"
#define HEARTH_AUDIT_SHARE_LINK "share.link"

/* The name a share space gets when the employee gives none. */
#define HEARTH_SHARE_DEFAULT_NAME "journal share"

/* ---- the counsellor's contact code --------------------------------------- */

/* This vault's contact code (malloc'd text) for an employee to share
 * with: its identity and this device's certificate.  Writes nothing.
 * HEARTH_ENOTFOUND (no identity yet), HEARTH_ENOMEM. */
hearth_status hearth_share_contact(hearth_store *s, char **code) HEARTH_WUR;

/* What a contact code says, its certificate verified. */
typedef struct hearth_share_contact_info {
	hearth_identity_public identity;
	uint8_t cert[HEARTH_CERT_BYTES];
	hearth_device_cert device;
	char fingerprint[HEARTH_FINGERPRINT_LEN + 1];
} hearth_share_contact_info;

/* Parses a contact code (case, spaces and dashes ignored).  HEARTH_EFORMAT
 * (not a code, a typo, a join request for a space: "this is a join
 * request for a space, not a contact code"), HEARTH_EAUTH (a certificate
 * that does not verify). */
hearth_status hearth_share_contact_parse(const char *code,
					 hearth_share_contact_info *out) HEARTH_WUR;

/* ---- the employee's side --------------------------------------------------- */

typedef struct hearth_share_request {
	const char *contact;      /* the counsellor's contact code */
	const hearth_id *entries; /* journal entries to share (may be NULL if all) */
	size_t n;
	int all;                  /* every entry, and new ones while it lasts */
	const char *name;         /* the share's name, as the counsellor sees it
				   * (NULL: HEARTH_SHARE_DEFAULT_NAME); used
				   * when a share space is made */
} hearth_share_request;

typedef struct hearth_share_result {
	hearth_id space;
	int created;              /* a new share space was made */
	size_t copied;            /* entries copied now */
	size_t already;           /* entries the share held already */
	int follow;               /* new entries follow */
	int other_device;         /* the code is from a device of the
				   * counsellor the share was not made with:
				   * that device cannot read it (until device
				   * linking hands it the key) */
	char fingerprint[HEARTH_FINGERPRINT_LEN + 1]; /* the counsellor's */
} hearth_share_result;

/* Shares entries (or all of them) with the counsellor whose contact code
 * is given, in one step: the share space first if there is no active
 * share with that counsellor, then a copy of each entry the share does
 * not hold yet.  HEARTH_EINVAL (no entries and not all; your own code; a
 * bad name), HEARTH_EFORMAT / HEARTH_EAUTH (the code, as
 * hearth_share_contact_parse), HEARTH_ENOTFOUND (an id that is not a live
 * journal entry of this vault), HEARTH_ESTATE (an active share with
 * another counsellor); nothing is written then.  Audit: journal.share
 * (and the space verbs' own when a space is made). */
hearth_status hearth_journal_share(hearth_store *s, const hearth_share_request *req,
				   hearth_share_result *out) HEARTH_WUR;

typedef struct hearth_unshare_result {
	char fingerprint[HEARTH_FINGERPRINT_LEN + 1]; /* the counsellor's */
	size_t kept;              /* entries they received, which stay theirs */
} hearth_unshare_result;

/* Ends the share of space: removes the counsellor (hearth_space_remove)
 * and stops new entries following.  Nothing written in the share from
 * now on is readable to them; what they received stays readable to them.
 * HEARTH_ENOTFOUND (not a share of this vault's journal), HEARTH_ESTATE
 * (ended already).  Audit: journal.unshare and space.remove. */
hearth_status hearth_journal_unshare(hearth_store *s, const hearth_id *space,
				     hearth_unshare_result *out) HEARTH_WUR;

/* ---- both sides: the shares this vault holds --------------------------------- */

typedef struct hearth_share_info {
	hearth_id space;
	const char *name;         /* NULL when not readable here */
	int mine;                 /* 1: this vault's journal is shared (the
				   * employee's side); 0: received */
	int active;               /* the counsellor is still a member */
	int follow;               /* new entries follow */
	size_t entries;           /* live shared entries held here */
	char employee[HEARTH_FINGERPRINT_LEN + 1];
	char counsellor[HEARTH_FINGERPRINT_LEN + 1]; /* "" when none */
	int linked;               /* received and tied to a person */
	hearth_id person;
} hearth_share_info;

typedef int (*hearth_share_cb)(const hearth_share_info *i, void *ctx);
/* Every share space this vault holds and its identity is or was a member
 * of, by space id.  cb returns non-zero to stop. */
hearth_status hearth_shares_each(hearth_store *s, hearth_share_cb cb,
				 void *ctx) HEARTH_WUR;

/* Resolves a share by its space id or an id prefix (HEARTH_ID_MIN_PREFIX
 * hex digits at least) among the shares hearth_shares_each lists: this
 * vault's own (mine 1) or those it received (mine 0).  HEARTH_EINVAL (not
 * hex, too short), HEARTH_ENOTFOUND, HEARTH_EAMBIGUOUS. */
hearth_status hearth_share_resolve(hearth_store *s, const char *text, int mine,
				   hearth_id *out) HEARTH_WUR;

/* ---- the counsellor's side -------------------------------------------------- */

/* Ties the received share space to person (a live person record); a later
 * call ties it to another.  HEARTH_ENOTFOUND (no such share received, no
 * such person).  Audit: share.link. */
hearth_status hearth_share_link(hearth_store *s, const hearth_id *space,
				const hearth_id *person) HEARTH_WUR;

/* Calls cb for each live shared entry of the shares tied to person, in
 * creation order.  cb returns non-zero to stop. */
hearth_status hearth_share_person_each(hearth_store *s, const hearth_id *person,
				       hearth_record_cb cb, void *ctx) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_SHARE_H */
