/*
 * hearth/spaces.h - spaces and their members: the audited verbs (create,
 * invite, join, approve, remove), what a vault lists of them, and the
 * trust an importer of envelopes asks (hearth_space_trust).
 *
 * The rules are in sync/space.c (hearth/space.h): the state of a space is
 * computed from its control records; this module writes those records
 * (kinds space, member, epoch) with hearth_record_create/set, keeps epoch
 * keys in the keyring, and rotates the epoch when the state asks a lead
 * to.  Every verb is one atomic step: a transaction of its own, or a
 * savepoint inside the caller's.
 *
 * A space's name is data, not control: it is the field "name" of a
 * record of kind "spaceinfo" in the space (sealed at the space's epoch
 * when it travels).
 *
 * Invitation codes and join requests are texts people pass by hand:
 * Crockford base32 in groups of five, with a checksum, so a mistyped code
 * is refused rather than misread (docs/protocol.md §11.7).
 */
#ifndef HEARTH_SPACES_H
#define HEARTH_SPACES_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/envelope.h"
#include "hearth/identity.h"
#include "hearth/space.h"
#include "hearth/status.h"
#include "hearth/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_KIND_SPACEINFO "spaceinfo"

/* A member's name in a team space, as they gave it (data plane: sealed
 * like every record, so a relay never reads it).  One record per naming,
 * a field "name"; the kind is immutable (core/vault.c).  The name counts
 * for the member whose device wrote its value, nobody else, whatever
 * record holds it: another member can hide a name (by writing over it)
 * but never give someone a name.  A member's name is the newest such
 * value.  Names are chosen by their holders: the fingerprint, not the
 * name, is who someone is. */
#define HEARTH_KIND_MEMBER_NAME "member_name"
/* Longest member name, in bytes of UTF-8. */
#define HEARTH_MEMBER_NAME_MAX 64

/* Audit actions. */
#define HEARTH_AUDIT_SPACE_CREATE "space.create"
#define HEARTH_AUDIT_SPACE_INVITE "space.invite"
#define HEARTH_AUDIT_SPACE_JOIN "space.join"
#define HEARTH_AUDIT_SPACE_APPROVE "space.approve"
#define HEARTH_AUDIT_SPACE_REMOVE "space.remove"
#define HEARTH_AUDIT_SPACE_ROTATE "space.rotate"
#define HEARTH_AUDIT_SPACE_REVOKE "space.revoke"
#define HEARTH_AUDIT_SPACE_DEVICE "space.device"
#define HEARTH_AUDIT_SPACE_NAME "space.name"
#define HEARTH_AUDIT_SPACE_ROLE "space.role"

/* How long an invitation holds by default: 7 days (a code passed on
 * another way than in person: `hearth space invite`). */
#define HEARTH_INVITE_TTL_S (7u * 24u * 3600u)
/* How long an invitation shown in person holds: 15 minutes, in which
 * the newcomer joins and both compare fingerprints (the app's Invite
 * page; approving after it has expired is refused too). */
#define HEARTH_INVITE_IN_PERSON_TTL_S (15u * 60u)

/* Creates a space with this vault's identity as its lead: the genesis,
 * the creator's member record with this device, the first epoch sealed
 * to it (its key kept), and the name (1..200 bytes of UTF-8).  Audited
 * "space.create".  HEARTH_EINVAL (bad name), HEARTH_ENOTFOUND (no
 * identity). */
hearth_status hearth_space_create(hearth_store *s, const char *name,
				  hearth_id *out) HEARTH_WUR;

/* One space this vault is a member of. */
typedef struct hearth_space_info {
	hearth_id space;
	const char *name;     /* NULL: not known here (not readable yet) */
	hearth_role role;     /* this vault's */
	size_t members;       /* current members */
	uint64_t epoch_number; /* the current epoch's number; 0: none */
	int has_key;          /* this vault holds the current epoch's key */
	/* For a space this vault joined with a code: 1 when the identity the
	 * code named as its inviter (its tag) has a member record in the
	 * space, -1 when none has (the code came from someone else than the
	 * space's members: compare fingerprints again), 0 when this vault
	 * did not join by code (it created the space). */
	int inviter;
} hearth_space_info;

typedef int (*hearth_space_cb)(const hearth_space_info *i, void *ctx);
/* Every space whose genesis this vault holds and of which its identity is
 * a current member, by id.  cb returns non-zero to stop. */
hearth_status hearth_spaces_each(hearth_store *s, hearth_space_cb cb,
				 void *ctx) HEARTH_WUR;

/* Resolves a space by id or id prefix (HEARTH_ID_MIN_PREFIX digits) or by
 * exact name among this vault's spaces.  HEARTH_ENOTFOUND,
 * HEARTH_EAMBIGUOUS. */
hearth_status hearth_space_resolve(hearth_store *s, const char *text,
				   hearth_id *out) HEARTH_WUR;

/* Loads the state of a space this vault holds the genesis of (see
 * hearth_space_load).  HEARTH_ENOTFOUND when it holds none. */
hearth_status hearth_space_state_get(hearth_store *s, const hearth_id *space,
				     hearth_space_state **out) HEARTH_WUR;

/* Resolves a member of st by member record id prefix (at least 6 hex
 * digits) or by fingerprint (spaces ignored): the current record of
 * that identity first.  HEARTH_ENOTFOUND, HEARTH_EAMBIGUOUS. */
hearth_status hearth_space_member_resolve(const hearth_space_state *st,
					  const char *text,
					  const hearth_space_member **out) HEARTH_WUR;

/* One member record of a space, as hearth_space_members_each lists it. */
typedef struct hearth_space_member_info {
	hearth_id record;     /* the member record */
	hearth_role role;
	int removed;
	int self;             /* this vault's identity */
	size_t devices;       /* its listed devices, less those revoked */
	/* This vault may remove it now (hearth_space_remove would pass the
	 * role checks): this vault is a lead, and the member is neither
	 * removed nor this vault's identity. */
	int removable;
	char fingerprint[HEARTH_FINGERPRINT_LEN + 1];
	/* When the newest change held from any of its devices (revoked ones
	 * included) was written, by its author's clock: ms since the epoch,
	 * 0 when none is held.  A member whose devices have sent nothing for
	 * long is one whose writes (a risk flag) may not have reached this
	 * vault. */
	uint64_t last_change_ms;
	/* The name the member gave in this space (see
	 * HEARTH_KIND_MEMBER_NAME); "" when none is held. */
	char name[HEARTH_MEMBER_NAME_MAX + 1];
} hearth_space_member_info;

typedef int (*hearth_space_member_cb)(const hearth_space_member_info *m, void *ctx);

/* Gives member (its member record) role in space: a lead makes a
 * counsellor a lead, or a lead (itself included) a counsellor, so long as
 * another current member is a lead (a space always keeps one; every
 * replica's fold keeps to it too, when two leads step down at once).
 * Already of that role: nothing is written.  HEARTH_EINVAL (role NONE),
 * HEARTH_ENOTFOUND (no such space or member), HEARTH_ESTATE (not a lead,
 * the member removed, or the last lead).  Audited "space.role". */
hearth_status hearth_space_set_role(hearth_store *s, const hearth_id *space,
				    const hearth_id *member, hearth_role role) HEARTH_WUR;

/* Gives this vault's identity the name (1..HEARTH_MEMBER_NAME_MAX bytes,
 * passing hearth_text_check; surrounding spaces dropped) in space, for
 * its other members to read.  HEARTH_EINVAL (empty, too long, control
 * characters), HEARTH_ENOTFOUND (no such space here), HEARTH_ESTATE (not
 * a member of it, or removed).  Audited "space.name" (the space only). */
hearth_status hearth_space_name_set(hearth_store *s, const hearth_id *space,
				    const char *name) HEARTH_WUR;

/* The name member gave in space into out ("" when none is held). */
hearth_status hearth_space_member_name(hearth_store *s, const hearth_id *space,
				       const hearth_space_member *member,
				       char out[HEARTH_MEMBER_NAME_MAX + 1]) HEARTH_WUR;
/* The last_change_ms of member (see hearth_space_member_info). */
hearth_status hearth_space_member_last_change(hearth_store *s,
					      const hearth_space_member *member,
					      uint64_t *ms) HEARTH_WUR;

/* Calls cb for each member record of space that names an identity, by
 * record id, removed ones included (marked).  cb returns non-zero to
 * stop.  HEARTH_ENOTFOUND (no such space here, or no identity). */
hearth_status hearth_space_members_each(hearth_store *s, const hearth_id *space,
					hearth_space_member_cb cb, void *ctx) HEARTH_WUR;

/* Writes an invitation to space with role into *code (malloc'd text) and
 * remembers it on this device (one use, until expires_s, 0: now +
 * HEARTH_INVITE_TTL_S).  Only a lead invites.  Audited "space.invite".
 * HEARTH_ESTATE (not a lead), HEARTH_EINVAL (bad role). */
hearth_status hearth_space_invite(hearth_store *s, const hearth_id *space,
				  hearth_role role, uint64_t expires_s,
				  char **code) HEARTH_WUR;

/* What an invitation code says (nothing in it is secret or signed: it is
 * checked by its checksum only). */
typedef struct hearth_invitation {
	hearth_id space;
	hearth_role role;
	uint64_t expires_s;
	uint8_t token[8];
	uint8_t inviter_tag[8]; /* BLAKE2b-64 of the inviter's public keys */
} hearth_invitation;

/* Parses an invitation code (case, spaces and dashes ignored; I, L read
 * as 1 and O as 0).  HEARTH_EFORMAT with a detail (not a code, or a typo:
 * "checksum does not match"), HEARTH_ENEWER (a newer format). */
hearth_status hearth_invitation_parse(const char *code, hearth_invitation *out) HEARTH_WUR;

/* The invitee's side: parses code and writes the join request (identity
 * and this device's certificate) into *request (malloc'd text) for the
 * lead to approve.  Remembers the inviter's tag for the space.  Audited
 * "space.join".  HEARTH_EFORMAT (a bad code), HEARTH_ESTATE (expired,
 * or already a member). */
hearth_status hearth_space_join(hearth_store *s, const char *code,
				char **request, hearth_invitation *inv) HEARTH_WUR;

/* What a join request says. */
typedef struct hearth_join_request {
	hearth_id space;
	uint8_t token[8];
	hearth_identity_public identity;
	uint8_t cert[HEARTH_CERT_BYTES];
	hearth_device_cert device; /* the certificate, verified */
} hearth_join_request;

/* Parses a join request and verifies its certificate under its identity.
 * HEARTH_EFORMAT, HEARTH_EAUTH. */
hearth_status hearth_join_request_parse(const char *text,
					hearth_join_request *out) HEARTH_WUR;

/* The lead's side: checks request against an unused, unexpired invitation
 * of this device for space, then writes the member record (identity, box
 * key, the invitation's role, the device's certificate) and seals the
 * current epoch's key to the device (rotating first if there is no
 * current epoch).  *member (may be NULL) receives the member record id;
 * fingerprint (may be NULL) the new member's fingerprint to compare.
 * Audited "space.approve".  HEARTH_EFORMAT, HEARTH_EAUTH (a bad request),
 * HEARTH_ENOTFOUND (no such invitation), HEARTH_ESTATE (used, expired,
 * for another space, not a lead), HEARTH_EEXISTS (already a member). */
hearth_status hearth_space_approve(hearth_store *s, const hearth_id *space,
				   const char *request, hearth_id *member,
				   char fingerprint[HEARTH_FINGERPRINT_LEN + 1]) HEARTH_WUR;

/* Removes member record member from space: names, for each device it
 * lists, the greatest seq this vault holds of that device as its cutoff,
 * marks it removed, and starts a new epoch sealed to the devices of those
 * who remain, all in one step.  What the removed member already read
 * stays readable to them.  Only a lead removes.  Audited "space.remove".
 * HEARTH_ENOTFOUND, HEARTH_ESTATE (not a lead, already removed). */
hearth_status hearth_space_remove(hearth_store *s, const hearth_id *space,
				  const hearth_id *member) HEARTH_WUR;

/* Revokes device (a lost or stolen device; the member stays) in space:
 * writes "revoked.<16 hex>" = cutoff (the last seq accepted from it) on
 * the current member record that lists it, and starts a new epoch sealed
 * to every current device but it, in one step.  Later ops of the device
 * are refused by every replica; what it already read stays readable to
 * it.  A lead revokes any device, a member only its own.  *done (may be
 * NULL) is 0 when the space lists no such device (or revoked it
 * already): nothing is written.  Audited "space.revoke" (record: the
 * member record, detail "space=<32 hex> device=<16 hex>").
 * HEARTH_ENOTFOUND (no such space), HEARTH_ESTATE (neither a lead nor
 * the device's person), HEARTH_EINVAL (this very device). */
hearth_status hearth_space_revoke_device(hearth_store *s, const hearth_id *space,
					 uint64_t device, uint64_t cutoff,
					 int *done) HEARTH_WUR;

/* After control ops of space arrived (and after a device is linked or a
 * revocation taken): keeps the epoch keys sealed to this device; lists
 * this identity's linked devices (hearth_devices_each) that its member
 * record lacks, with their certificates, and seals the current epoch key
 * to them (audited "space.device", record: the member record, detail
 * "space=<32 hex> device=<16 hex>"); revokes there the devices revoked
 * on this vault that it lists (as hearth_space_revoke_device); and, when
 * this vault is a lead, rotates if the state asks it to and seals the
 * current key to current devices that lack it.  *changed (may be NULL)
 * is set when anything was written.  Audited "space.rotate" when it
 * rotates. */
hearth_status hearth_space_refresh(hearth_store *s, const hearth_id *space,
				   int *changed) HEARTH_WUR;

/* ---- trust, for an importer of envelopes ---------------------------------
 *
 * A cache of space states over a store.  hearth_space_trust_envelope gives
 * the callbacks hearth_envelope_open asks: device_key answers from
 * hearth_space_may_write (space known, device certified in a member record
 * not removed, or removed with a cutoff >= the envelope's last seq; the
 * epoch 0 or an epoch record's), and fills the device's Ed25519 key from
 * that certificate; epoch_key gives the control key for epoch 0 and the
 * keyring's key otherwise.  After applying control ops of a space, call
 * hearth_space_trust_forget (and hearth_space_refresh). */
typedef struct hearth_space_trust hearth_space_trust;

hearth_status hearth_space_trust_new(hearth_store *s, hearth_space_trust **out) HEARTH_WUR;
void hearth_space_trust_free(hearth_space_trust *t);
void hearth_space_trust_forget(hearth_space_trust *t, const hearth_id *space);
hearth_envelope_trust hearth_space_trust_envelope(hearth_space_trust *t);

/* The same questions directly.  may_write: 1 yes (pk filled), 0 no. */
int hearth_space_trust_may_write(hearth_space_trust *t, const hearth_id *space,
				 uint64_t device, uint64_t first, uint64_t last,
				 uint64_t epoch, uint8_t pk[HEARTH_ID_SIGN_PUBLICBYTES]);
int hearth_space_trust_epoch_key(hearth_space_trust *t, const hearth_id *space,
				 uint64_t epoch, uint8_t key[HEARTH_EPOCH_KEYBYTES]);
/* hearth_space_write_limit of the cached state (0: space not known). */
uint64_t hearth_space_trust_write_limit(hearth_space_trust *t, const hearth_id *space,
					uint64_t device);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_SPACES_H */
