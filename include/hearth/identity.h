/*
 * hearth/identity.h - a person's identity, a device's signing key, the
 * certificate by which the identity vouches for a device, and the
 * fingerprint people compare in person.  docs/protocol.md §9 gives the
 * certificate and the fingerprint byte by byte.
 *
 *   identity     an Ed25519 key pair (signatures: crypto_sign) and an
 *                X25519 key pair (sealed boxes: crypto_box), one per person
 *   device key   an Ed25519 key pair of one device, which signs its
 *                envelopes (hearth/envelope.h)
 *   certificate  the identity's Ed25519 signature over a versioned,
 *                byte-exact encoding of (device id, device public key,
 *                identity public keys, issue time)
 *   fingerprint  12 groups of 5 decimal digits derived from BLAKE2b-512 of
 *                the identity's public keys, so two people can read them to
 *                each other and see they hold the same identity
 *
 * All of it is libsodium; nothing here is new cryptography.  Secret keys
 * live in sodium_malloc'd memory (guarded, locked) and are wiped when the
 * object is freed.  This module stores nothing: where keys are kept is
 * decided above it (core/devices.c).
 */
#ifndef HEARTH_IDENTITY_H
#define HEARTH_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_ID_SIGN_PUBLICBYTES 32u  /* Ed25519 public key */
#define HEARTH_ID_SIGN_SECRETBYTES 64u  /* Ed25519 secret key: seed, then public key */
#define HEARTH_ID_BOX_PUBLICBYTES 32u   /* X25519 public key */
#define HEARTH_ID_BOX_SECRETBYTES 32u   /* X25519 secret key */
#define HEARTH_ID_SEEDBYTES 32u         /* a seed for either key pair */

/* A certificate: 121 signed bytes, then a 64-byte signature. */
#define HEARTH_CERT_FORMAT 1u
#define HEARTH_CERT_SIGNED_BYTES 121u
#define HEARTH_CERT_BYTES 185u

/* The stored forms of the secrets (hearth_identity_export,
 * hearth_device_key_export): a version byte, then the secret keys. */
#define HEARTH_IDENTITY_EXPORT_BYTES (1u + 64u + 32u + 32u)
#define HEARTH_DEVICE_KEY_EXPORT_BYTES (1u + 64u)

/* A fingerprint: 12 groups of 5 digits, one space between groups. */
#define HEARTH_FINGERPRINT_GROUPS 12u
#define HEARTH_FINGERPRINT_LEN (HEARTH_FINGERPRINT_GROUPS * 6u - 1u)

/* An identity's public keys: what a certificate names and what the
 * fingerprint is made from. */
typedef struct hearth_identity_public {
	uint8_t sign_pk[HEARTH_ID_SIGN_PUBLICBYTES];
	uint8_t box_pk[HEARTH_ID_BOX_PUBLICBYTES];
} hearth_identity_public;

/* An identity with its secret keys (opaque: the secrets are in guarded
 * memory). */
typedef struct hearth_identity hearth_identity;

/* A device's Ed25519 key pair (opaque for the same reason). */
typedef struct hearth_device_key hearth_device_key;

/* What a certificate says. */
typedef struct hearth_device_cert {
	uint8_t version;
	uint64_t device;                 /* the device's id; never 0 */
	uint8_t device_pk[HEARTH_ID_SIGN_PUBLICBYTES];
	hearth_identity_public identity; /* who vouches for the device */
	uint64_t issued_ms;              /* ms since the Unix epoch */
} hearth_device_cert;

/* ---- identities ---------------------------------------------------------- */

/* A fresh identity (crypto_sign_keypair, crypto_box_keypair) in *out,
 * owned by the caller: hearth_identity_free.  HEARTH_ENOMEM,
 * HEARTH_ECRYPTO. */
hearth_status hearth_identity_generate(hearth_identity **out) HEARTH_WUR;

/* The identity whose key pairs crypto_sign_seed_keypair and
 * crypto_box_seed_keypair derive from two seeds: for known-answer tests.
 * A real identity comes from hearth_identity_generate. */
hearth_status hearth_identity_from_seeds(const uint8_t sign_seed[HEARTH_ID_SEEDBYTES],
					 const uint8_t box_seed[HEARTH_ID_SEEDBYTES],
					 hearth_identity **out) HEARTH_WUR;

/* The public keys (borrowed from id). */
const hearth_identity_public *hearth_identity_public_keys(const hearth_identity *id);

/* The X25519 secret key, for opening sealed boxes (borrowed from id; in
 * guarded memory). */
const uint8_t *hearth_identity_box_secret(const hearth_identity *id);

/* Writes the identity's secrets in their stored form to out (exactly
 * HEARTH_IDENTITY_EXPORT_BYTES; put it in guarded memory and wipe it):
 * 0x01, the Ed25519 secret key, the X25519 public key, the X25519 secret
 * key. */
void hearth_identity_export(const hearth_identity *id,
			    uint8_t out[HEARTH_IDENTITY_EXPORT_BYTES]);

/* Reads what hearth_identity_export wrote.  The key pairs are checked to
 * be whole (each public key derives from its secret key).
 * HEARTH_EDAMAGED (wrong size, unknown version, keys that do not match),
 * HEARTH_ENOMEM. */
hearth_status hearth_identity_import(const uint8_t *in, size_t len,
				     hearth_identity **out) HEARTH_WUR;

/* Wipes and frees; accepts NULL. */
void hearth_identity_free(hearth_identity *id);

/* ---- device keys --------------------------------------------------------- */

/* A fresh device key pair (crypto_sign_keypair).  HEARTH_ENOMEM,
 * HEARTH_ECRYPTO. */
hearth_status hearth_device_key_generate(hearth_device_key **out) HEARTH_WUR;

/* The key pair crypto_sign_seed_keypair derives from seed (tests). */
hearth_status hearth_device_key_from_seed(const uint8_t seed[HEARTH_ID_SEEDBYTES],
					  hearth_device_key **out) HEARTH_WUR;

/* The public key (borrowed). */
const uint8_t *hearth_device_key_public(const hearth_device_key *k);

/* The 64-byte Ed25519 secret key, as hearth_envelope_seal takes it
 * (borrowed; in guarded memory). */
const uint8_t *hearth_device_key_secret(const hearth_device_key *k);

/* The stored form: 0x01, then the Ed25519 secret key. */
void hearth_device_key_export(const hearth_device_key *k,
			      uint8_t out[HEARTH_DEVICE_KEY_EXPORT_BYTES]);

/* Reads what hearth_device_key_export wrote; checks the public key
 * derives from the seed.  HEARTH_EDAMAGED, HEARTH_ENOMEM. */
hearth_status hearth_device_key_import(const uint8_t *in, size_t len,
				       hearth_device_key **out) HEARTH_WUR;

/* Wipes and frees; accepts NULL. */
void hearth_device_key_free(hearth_device_key *k);

/* ---- certificates -------------------------------------------------------- */

/* Writes the certificate by which id vouches that device (non-zero) holds
 * device_pk, issued at issued_ms, to out (docs/protocol.md §9.1).
 * HEARTH_EINVAL (device 0), HEARTH_ECRYPTO. */
hearth_status hearth_cert_issue(const hearth_identity *id, uint64_t device,
				const uint8_t device_pk[HEARTH_ID_SIGN_PUBLICBYTES],
				uint64_t issued_ms,
				uint8_t out[HEARTH_CERT_BYTES]) HEARTH_WUR;

/* Reads a certificate's fields from in (len bytes) into *out without
 * checking its signature: nothing in *out is authenticated.
 * HEARTH_EFORMAT (not a certificate, wrong size, device 0) or
 * HEARTH_ENEWER (a newer format), each with a detail. */
hearth_status hearth_cert_parse(const uint8_t *in, size_t len,
				hearth_device_cert *out) HEARTH_WUR;

/* Parses in and checks its signature with the identity key it names; when
 * signer is not NULL that identity must also be signer (both keys).  On
 * success *out (may be NULL) holds what it says.  HEARTH_EFORMAT,
 * HEARTH_ENEWER (as hearth_cert_parse), HEARTH_EAUTH (the signature does
 * not verify, or another identity signed). */
hearth_status hearth_cert_verify(const uint8_t *in, size_t len,
				 const hearth_identity_public *signer,
				 hearth_device_cert *out) HEARTH_WUR;

/* ---- fingerprints -------------------------------------------------------- */

/* The fingerprint of an identity's public keys, NUL-terminated, e.g.
 * "01234 56789 ... 43210" (12 groups of 5 digits).  Equal keys give equal
 * texts on every device. */
void hearth_fingerprint(const hearth_identity_public *pub,
			char out[HEARTH_FINGERPRINT_LEN + 1]);

/* 1 if the two texts are the same fingerprint once spaces, tabs and line
 * breaks are left out (so "01234 56789" and "0123456789" match, as typed
 * or copied), 0 otherwise, and 0 if either holds anything else than digits
 * and those spaces, or no digit at all.  NULL is never equal. */
int hearth_fingerprint_equal(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_IDENTITY_H */
