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

/* A device id as shown: 16 lowercase hex digits; tables show the first 8. */
#define HEARTH_DEVICE_HEX 16u
#define HEARTH_DEVICE_SHORT 8u

/* One device of this vault's identity, as hearth_devices_each lists it. */
typedef struct hearth_device_info {
	uint64_t device;
	int this_device;   /* the store's current device id */
	int retired;       /* an id this vault used before (never writes again) */
	int certified;     /* a certificate by this vault's identity for this id
			    * is held and verifies */
	uint64_t since_ms; /* its certificate's issue time; 0 if none is held */
	uint8_t public_key[HEARTH_ID_SIGN_PUBLICBYTES]; /* zeros if none */
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
 * one first, then the ids it retired, oldest first.  (Devices linked from
 * elsewhere come with issue 10's linking.)  cb returns non-zero to stop. */
typedef int (*hearth_device_cb)(const hearth_device_info *d, void *ctx);
hearth_status hearth_devices_each(hearth_store *s, hearth_device_cb cb,
				  void *ctx) HEARTH_WUR;

/* 16 lowercase hex digits of a device id. */
void hearth_device_hex(uint64_t device, char out[HEARTH_DEVICE_HEX + 1]);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_DEVICES_H */
