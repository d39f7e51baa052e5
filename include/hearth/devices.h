/*
 * hearth/devices.h - this vault's identity and its devices.
 *
 * A vault holds one identity (its person's Ed25519 and X25519 key pairs,
 * hearth/identity.h) and this device's own Ed25519 key, with the
 * certificate by which the identity vouches for it.  The device id a
 * certificate names is the store's (hearth_store_device); a vault that
 * moves to a new device id (a copied folder, a restored backup, two copies
 * that wrote under one id) gets a new device key and certificate for it,
 * and the old id is listed as retired.
 *
 * The keys are kept as store secrets (hearth_store_secret_get/put: table
 * meta, encrypted at rest by the vault's VFS, never written as an op, so
 * never synced).  hearth_devices_ensure makes what is missing; the vault
 * calls it on every create and open, so vaults made before identities
 * existed gain theirs on their next open, audited.
 */
#ifndef HEARTH_DEVICES_H
#define HEARTH_DEVICES_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/identity.h"
#include "hearth/status.h"
#include "hearth/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Audit actions of hearth_devices_ensure. */
#define HEARTH_AUDIT_IDENTITY_CREATE "identity.create"
#define HEARTH_AUDIT_DEVICE_CERTIFY "device.certify"
#define HEARTH_AUDIT_DEVICE_APPROVE "device.approve"
#define HEARTH_AUDIT_DEVICE_LINK "device.link"
#define HEARTH_AUDIT_DEVICE_REVOKE "device.revoke"

/* A device id as shown: 16 lowercase hex digits; tables show the first 8. */
#define HEARTH_DEVICE_HEX 16u
#define HEARTH_DEVICE_SHORT 8u

/* One device of this vault's identity, as hearth_devices_each lists it. */
typedef struct hearth_device_info {
	uint64_t device;
	int this_device;   /* the store's current device id */
	int retired;       /* an id this vault used before (never writes again) */
	int linked;        /* another device of this identity, linked to it
			    * (hearth_link_approve here, or the package that
			    * linked this one) */
	int revoked;       /* a linked device revoked here (hearth_device_revoke;
			    * then linked is 0) */
	uint64_t cutoff;   /* revoked: the last seq accepted from it */
	int certified;     /* a certificate by this vault's identity for this id
			    * is held and verifies */
	uint64_t since_ms; /* its certificate's issue time; 0 if none is held */
	uint8_t public_key[HEARTH_ID_SIGN_PUBLICBYTES]; /* zeros if none */
	/* linked or revoked: its certificate (what a team space lists it
	 * by, hearth_space_refresh); zeros for this device and retired ids */
	uint8_t cert[HEARTH_CERT_BYTES];
	/* When the newest change this vault holds from it was written, by its
	 * clock: ms since the epoch, 0 when none is held (a linked phone
	 * that has not synced here, or has gone). */
	uint64_t last_change_ms;
} hearth_device_info;

/* Makes what the vault lacks, in one atomic step (a transaction of its own,
 * or a savepoint in the caller's): an identity if it has none (audit
 * "identity.create"), and a device key with its certificate if it has none
 * or if they are for another device id than the store's now (audit
 * "device.certify", detail "device=<16 hex>"; the certificate it replaces
 * is kept, so the retired id stays listed as certified).  *changed (may be
 * NULL) is set when anything was written.  Nothing is written when all is
 * in place.  HEARTH_EDAMAGED (stored keys malformed or a certificate that
 * does not verify), HEARTH_EDB, HEARTH_ENOMEM. */
hearth_status hearth_devices_ensure(hearth_store *s, int *changed) HEARTH_WUR;

/* Loads the identity with its secret keys into *out (caller frees:
 * hearth_identity_free).  HEARTH_ENOTFOUND (none yet: call
 * hearth_devices_ensure), HEARTH_EDAMAGED. */
hearth_status hearth_identity_load(hearth_store *s, hearth_identity **out) HEARTH_WUR;

/* The fingerprint of this vault's identity (hearth_fingerprint) into out.
 * HEARTH_ENOTFOUND, HEARTH_EDAMAGED. */
hearth_status hearth_identity_fingerprint_get(hearth_store *s,
					      char out[HEARTH_FINGERPRINT_LEN + 1]) HEARTH_WUR;

/* Loads this device's signing key (for hearth_envelope_seal) into *out
 * (caller frees: hearth_device_key_free), and its certificate into cert
 * (may be NULL).  HEARTH_ENOTFOUND when there is none, HEARTH_ESTATE when
 * they are for another device id than the store's now (the store moved
 * since the vault was opened: call hearth_devices_ensure), HEARTH_EDAMAGED. */
hearth_status hearth_device_key_load(hearth_store *s, hearth_device_key **out,
				     uint8_t cert[HEARTH_CERT_BYTES]) HEARTH_WUR;

/* What is known of this device (hearth_devices_each's first entry). */
hearth_status hearth_device_this(hearth_store *s, hearth_device_info *out) HEARTH_WUR;

/* Calls cb for every device of this vault's identity that it knows: this
 * one first, then the ids it retired, oldest first, then the identity's
 * other devices it knows (linked: hearth_link_approve, hearth_link_accept).
 * cb returns non-zero to stop. */
typedef int (*hearth_device_cb)(const hearth_device_info *d, void *ctx);
hearth_status hearth_devices_each(hearth_store *s, hearth_device_cb cb,
				  void *ctx) HEARTH_WUR;

/* ---- linking a device --------------------------------------------------
 *
 * A person's second device (a phone beside a laptop) joins their identity:
 *
 *   new device       hearth_link_request: a link code (its id and public
 *                    key, as a checked text code: hearth/textcode.h)
 *   existing device  hearth_link_approve(code): certifies the new device's
 *                    key, keeps the certificate (audit "device.approve"),
 *                    lists it in this identity's member record of every
 *                    team space it is a member of, with the current epoch
 *                    key sealed to it (hearth_space_refresh), and returns
 *                    a link package sealed to that key
 *   new device       hearth_link_accept(package): takes the identity, its
 *                    certificate, the private space, the other devices'
 *                    certificates and the epoch keys, in one step (audit
 *                    "device.link")
 *
 * The package is carried as a file; only the new device can open it.  Both
 * people then compare the fingerprint (hearth_identity_fingerprint_get) on
 * the two screens: a package from anyone else shows another.
 * docs/protocol.md §9.4 gives the code and the package byte by byte. */

/* Room for a link code with its NUL. */
#define HEARTH_LINK_CODE_MAX 96u

/* This device's link code into code.  HEARTH_ESTATE (no certified key
 * yet), HEARTH_EDAMAGED. */
hearth_status hearth_link_request(hearth_store *s,
				  char code[HEARTH_LINK_CODE_MAX]) HEARTH_WUR;

/* Reads a link code: the device id and its Ed25519 public key.
 * HEARTH_EFORMAT (not a link code, mistyped), HEARTH_ENEWER. */
hearth_status hearth_link_code_parse(const char *code, uint64_t *device,
				     uint8_t pk[HEARTH_ID_SIGN_PUBLICBYTES]) HEARTH_WUR;

/* Approves the device whose link code is code (again, if the first
 * package was lost: the device keeps one certificate): *package (malloc'd, the
 * caller frees it) of *package_len bytes, and the device's id in *device
 * (may be NULL; set once the code is read).  HEARTH_EFORMAT, HEARTH_ENEWER
 * (the code), HEARTH_EINVAL (this device's own code), HEARTH_ENOTFOUND, HEARTH_EDAMAGED, HEARTH_EDB. */
hearth_status hearth_link_approve(hearth_store *s, const char *code,
				  uint8_t **package, size_t *package_len,
				  uint64_t *device) HEARTH_WUR;

/* Takes a link package made for this device.  Nothing is changed unless
 * all of it is taken.  HEARTH_EFORMAT (not a package, malformed),
 * HEARTH_ENEWER, HEARTH_EAUTH (not for this device, damaged, or a
 * certificate that does not verify), HEARTH_ESTATE (this vault already
 * holds records of its own private space: link a new vault), HEARTH_EDB. */
hearth_status hearth_link_accept(hearth_store *s, const uint8_t *package,
				 size_t len) HEARTH_WUR;

/* ---- revoking a device ------------------------------------------------
 *
 * A linked device that is lost or stolen.  hearth_device_revoke names,
 * as its cutoff, the greatest seq of it this vault holds, and in one step:
 *   - in every team space this vault is a member of that lists it,
 *     writes the revocation and starts a new epoch sealed to every other
 *     current device (hearth_space_revoke_device): its later ops are
 *     refused by every replica there, and it cannot read what is written
 *     there from now on;
 *   - keeps it as revoked here (store secret "revoked_devices"): the
 *     private space refuses its ops past the cutoff, it is listed as
 *     revoked, and links approved from now on do not name it;
 *   - writes a record of kind HEARTH_KIND_REVOCATION in the private
 *     space, so the identity's other devices, importing it, revoke it
 *     too (hearth_devices_absorb), here and in their team spaces.
 * What it does not do: the device holds the identity, so it can still
 * read what it already holds, open private-space data sealed with the
 * key derived from the identity (docs/SECURITY.md, "Revoking a device"),
 * and sign as the identity.  Only a new identity ends that, and Hearth
 * cannot move a person to a new identity yet. */

/* What hearth_device_revoke did. */
typedef struct hearth_device_revocation {
	uint64_t device;
	uint64_t cutoff;   /* the last seq accepted from it */
	size_t spaces;     /* team spaces where it was revoked (and rotated) */
} hearth_device_revocation;

/* Revokes the linked device named by text (its 16 hex digits, or at least
 * HEARTH_DEVICE_SHORT of them as a prefix).  Audited "device.revoke",
 * detail "device=<16 hex> cutoff=N spaces=K".  out may be NULL.
 * HEARTH_EINVAL (this very device, or not a device id), HEARTH_ENOTFOUND
 * (no linked device of this identity), HEARTH_EAMBIGUOUS (a prefix of
 * several), HEARTH_ESTATE (revoked already). */
hearth_status hearth_device_revoke(hearth_store *s, const char *text,
				   hearth_device_revocation *out) HEARTH_WUR;

/* Record kind, in the private space, of a revocation
 * (hearth_device_revoke): fields "device" (16 hex digits) and "cutoff"
 * (decimal), so the identity's other devices learn of it
 * (hearth_devices_absorb).  docs/protocol.md §10.4. */
#define HEARTH_KIND_REVOCATION "revocation"

/* Record kind, in the private space, of a device this vault linked
 * (hearth_link_approve): field "cert", its certificate (370 hex digits),
 * so the identity's other devices, importing it, accept what the new
 * device writes (hearth_devices_absorb).  docs/protocol.md §9.4. */
#define HEARTH_KIND_LINKEDCERT "linkedcert"

/* Takes the revocations the identity's other devices wrote in the private
 * space (HEARTH_KIND_REVOCATION) that this vault lacks: each is kept as
 * revoked here, as hearth_device_revoke would (never this very device, nor
 * one revoked by itself), and then every team space of this vault is
 * refreshed (hearth_space_refresh), which writes the revocation in each
 * that still lists the device and starts a new epoch there.  One atomic
 * step.  Likewise the certificates of devices they linked
 * (HEARTH_KIND_LINKEDCERT): each one the identity issued, for a device
 * neither this one nor revoked, is kept as linked (audited
 * device.approve), and the team spaces refreshed so they list it.
 * *n_new (may be NULL) counts the revocations and certificates taken.
 * Run by hearth_offline_import after each import, which then judges the
 * envelopes it kept aside again.  HEARTH_EDB, HEARTH_ENOMEM. */
hearth_status hearth_devices_absorb(hearth_store *s, size_t *n_new) HEARTH_WUR;

/* 16 lowercase hex digits of a device id. */
void hearth_device_hex(uint64_t device, char out[HEARTH_DEVICE_HEX + 1]);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_DEVICES_H */
