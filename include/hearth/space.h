/*
 * hearth/space.h - a space's control plane: who its members are, with
 * which roles and devices, who was removed and from which seq of each
 * device on, its epochs and their key wraps, the current epoch, and
 * which device may write which seqs.  docs/protocol.md §11 gives the
 * records field by field.
 *
 * The state of a space is a pure function of the SET of its control ops
 * (kinds "space", "member", "epoch"): never of the order, batching or
 * repetition in which they arrived.  hearth_space_compute recomputes it
 * from scratch (a space has a few hundred control ops at most):
 *
 *   - the ops are deduplicated by op id (the smaller hash wins, as in the
 *     store) and folded in (HLC, device, seq) order;
 *   - an op counts only if its author device is, at that point of the
 *     fold, certified in a member record (or is the creator's device named
 *     by the genesis, until it is listed in a member record), not removed
 *     at a cutoff below the op's seq, not revoked at a cutoff below the
 *     op's seq (a revocation names a device space-wide, whichever
 *     records list it), and has the role the op needs (a device is
 *     listed under one key and one identity only: later listings under
 *     another do not count);
 *   - the fold is repeated leaving out every op past the final cutoffs,
 *     until that set stops growing: it only grows, so this ends, and it
 *     depends on the set alone.
 *
 * Epoch keys: generated here, wrapped per device with crypto_box_seal to
 * the X25519 form of the device's Ed25519 key, and kept in this device's
 * keyring (store secrets "key.<32 hex space>.<16 hex epoch>").  All of it
 * composes libsodium.  No GLib, no faces.
 */
#ifndef HEARTH_SPACE_H
#define HEARTH_SPACE_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/envelope.h"
#include "hearth/identity.h"
#include "hearth/status.h"
#include "hearth/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Record kinds of the control plane, and the format of a genesis. */
#define HEARTH_KIND_SPACE "space"
#define HEARTH_KIND_MEMBER "member"
#define HEARTH_KIND_EPOCH "epoch"
#define HEARTH_SPACE_FORMAT 1u

/* The envelope epoch of the control plane (its key is public). */
#define HEARTH_EPOCH_CONTROL 0u

/* A wrap: crypto_box_seal of a 32-byte epoch key (48 bytes more). */
#define HEARTH_WRAP_BYTES (HEARTH_EPOCH_KEYBYTES + 48u)
/* An epoch key's check value (as the envelope's key check, §7.2). */
#define HEARTH_KEYCHECK_BYTES 16u
/* The genesis nonce. */
#define HEARTH_SPACE_NONCE_BYTES 16u

typedef enum hearth_role {
	HEARTH_ROLE_NONE = 0,
	HEARTH_ROLE_COUNSELLOR = 1, /* reads and writes */
	HEARTH_ROLE_LEAD = 2        /* also invites, approves, removes */
} hearth_role;

/* "lead", "counsellor" (NULL for anything else). */
const char *hearth_role_name(hearth_role r);
/* HEARTH_ROLE_NONE for anything but "lead" and "counsellor". */
hearth_role hearth_role_parse(const char *name);

/* 1 if op is of the control plane (kind space, member or epoch). */
int hearth_op_is_control(const hearth_op *op);

/* The envelope epoch an epoch record stands for: its id's first 8 bytes,
 * big-endian, top bit cleared; 0 (never valid) only by a 2^-63 chance. */
uint64_t hearth_epoch_of_record(const hearth_id *record);

/* The control plane's public key: BLAKE2b-256 (no key) of
 * "hearth control key v1" || space. */
void hearth_space_control_key(const hearth_id *space,
			      uint8_t key[HEARTH_EPOCH_KEYBYTES]);

/* The space id a genesis names: BLAKE2b-128 of creator sign pk || nonce. */
hearth_id hearth_space_id_derive(const uint8_t creator[HEARTH_ID_SIGN_PUBLICBYTES],
				 const uint8_t nonce[HEARTH_SPACE_NONCE_BYTES]);

/* ---- the state --------------------------------------------------------- */

typedef struct hearth_space_device {
	uint64_t device;
	uint8_t pk[HEARTH_ID_SIGN_PUBLICBYTES]; /* from its certificate */
	uint8_t cert[HEARTH_CERT_BYTES];
	int has_cutoff;
	uint64_t cutoff;   /* the last seq accepted from it (removed members) */
} hearth_space_device;

typedef struct hearth_space_member {
	hearth_id record;  /* the member record (one per invitation) */
	int has_identity;
	hearth_identity_public identity;
	int has_box;
	hearth_role role;
	int removed;
	size_t ndevices;   /* listed devices, by id */
	hearth_space_device *devices;
	size_t ncutoffs;   /* cutoffs named, listed or not, by device */
	hearth_space_device *cutoffs; /* only device, has_cutoff, cutoff */
} hearth_space_member;

typedef struct hearth_space_wrap {
	uint64_t device;
	uint8_t sealed[HEARTH_WRAP_BYTES];
} hearth_space_wrap;

typedef struct hearth_space_epoch {
	hearth_id record;
	uint64_t epoch;    /* the envelope epoch (hearth_epoch_of_record) */
	uint64_t number;   /* its ordinal: 1, 2, ... (0: not set) */
	int has_check;
	uint8_t check[HEARTH_KEYCHECK_BYTES];
	uint64_t author;   /* the device that created it */
	int valid;         /* number and check set, wraps name only devices
			    * of current members */
	size_t nwraps;     /* by device */
	hearth_space_wrap *wraps;
} hearth_space_epoch;

typedef struct hearth_space_state {
	hearth_id space;
	int known;         /* a valid genesis is held */
	uint8_t creator[HEARTH_ID_SIGN_PUBLICBYTES];
	uint64_t root_device; /* the device that wrote the genesis */
	uint8_t root_pk[HEARTH_ID_SIGN_PUBLICBYTES];
	size_t nmembers;   /* by record id, removed ones included */
	hearth_space_member *members;
	size_t nepochs;    /* by (number, record id) */
	hearth_space_epoch *epochs;
	const hearth_space_epoch *current; /* NULL: none */
	/* No valid epoch, or the greatest epoch record is not valid (it was
	 * sealed to a device of a removed member): a lead rotates. */
	int needs_rotation;
	uint64_t max_number; /* greatest epoch number of any epoch record */
	/* Devices revoked (lost or stolen; field "revoked.<16 hex>" of a
	 * member record): by id, device, has_cutoff and cutoff only.  Such
	 * a device writes nothing past its cutoff, is no current device
	 * (no valid epoch is sealed to it) and is never listed again. */
	size_t nrevoked;
	hearth_space_device *revoked;
	size_t nops;       /* distinct control ops given */
	size_t ncounted;   /* of which counted */
} hearth_space_state;

/* Computes the state of space from ops[0..n) (any order, repeats fine;
 * ops of other spaces and other kinds are left out).  *out is the
 * caller's: hearth_space_state_free.  HEARTH_ENOMEM. */
hearth_status hearth_space_compute(const hearth_id *space, const hearth_op *ops,
				   size_t n, hearth_space_state **out) HEARTH_WUR;

/* The same from the control ops s holds of space (every op held, whatever
 * the store made of it: kept aside ones too). */
hearth_status hearth_space_load(hearth_store *s, const hearth_id *space,
				 hearth_space_state **out) HEARTH_WUR;

void hearth_space_state_free(hearth_space_state *st);

/* A canonical text of the state (equal states, equal texts).  *out is
 * malloc'd.  HEARTH_ENOMEM. */
hearth_status hearth_space_state_dump(const hearth_space_state *st, char **out) HEARTH_WUR;

/* The member record through which identity sign pk is a member now (not
 * removed; the greatest role, then the smallest record id), or NULL. */
const hearth_space_member *hearth_space_member_of(const hearth_space_state *st,
		const uint8_t sign_pk[HEARTH_ID_SIGN_PUBLICBYTES]);

/* The epoch record of envelope epoch e, or NULL. */
const hearth_space_epoch *hearth_space_epoch_find(const hearth_space_state *st,
						  uint64_t e);

/* May device write ops first..last to the space at envelope epoch e
 * (HEARTH_EPOCH_CONTROL for the control plane)?  Yes (1) when the space
 * is known, the device is listed with a valid certificate in a member
 * record that is not removed, or that is removed with a cutoff >= last
 * for it (or it is the genesis device and listed nowhere), and e is 0 or
 * an epoch record's.  Then pk (may be NULL) gets its Ed25519 key and
 * *role (may be NULL) its role.  0 otherwise. */
int hearth_space_may_write(const hearth_space_state *st, uint64_t device,
			   uint64_t first, uint64_t last, uint64_t e,
			   uint8_t pk[HEARTH_ID_SIGN_PUBLICBYTES],
			   hearth_role *role);

/* The greatest seq device may write in the space (counting as
 * hearth_space_may_write does): UINT64_MAX when nothing bounds it, the
 * cutoff of a removal or revocation that does, 0 when it may write
 * nothing.  An envelope whose range straddles it is applied up to it:
 * the ops a removed device wrote before its cutoff were written while it
 * was a member, whichever envelope they travel in. */
uint64_t hearth_space_write_limit(const hearth_space_state *st, uint64_t device);

/* For an importer that meets a control-plane envelope (epoch 0) of a
 * space it does not know yet (its first import after joining): control
 * envelopes are readable by anyone (the key is public), and every control
 * op is checked by the fold, so the envelope's signature only has to
 * prove its ops came from device as they are.  This finds, among ops, a
 * certificate for device in a `device.<d>` field of a genesis or member
 * record that verifies under the identity it names, and gives its key in
 * pk.  1 found, 0 not.  It says nothing of the device's rights: only the
 * state computed after applying does (hearth_space_may_write). */
int hearth_space_cert_in_ops(const hearth_op *ops, size_t n, uint64_t device,
			     uint8_t pk[HEARTH_ID_SIGN_PUBLICBYTES]);

/* 1 if device is listed in some member record (removed or not), or is
 * the root device, with another Ed25519 key than pk or under another
 * identity than the one whose signing key is identity: a new listing of
 * it under pk and identity would not count (one device id, one key, one
 * identity). */
int hearth_space_device_taken(const hearth_space_state *st, uint64_t device,
			      const uint8_t pk[HEARTH_ID_SIGN_PUBLICBYTES],
			      const uint8_t identity[HEARTH_ID_SIGN_PUBLICBYTES]);

/* 1 if device is listed in a member record that is not removed, and is
 * not revoked. */
int hearth_space_device_current(const hearth_space_state *st, uint64_t device);

/* 1 if device is revoked in st; then *cutoff (may be NULL) gets the last
 * seq accepted from it. */
int hearth_space_device_revoked(const hearth_space_state *st, uint64_t device,
				uint64_t *cutoff);

/* ---- epoch keys and wraps ------------------------------------------------ */

/* A fresh random epoch key. */
void hearth_epoch_key_generate(uint8_t key[HEARTH_EPOCH_KEYBYTES]);

/* BLAKE2b-128 keyed with key of "HEARTHKC" || space || epoch (8 bytes):
 * the same value an envelope's key check holds. */
void hearth_epoch_key_check(const hearth_id *space, uint64_t epoch,
			    const uint8_t key[HEARTH_EPOCH_KEYBYTES],
			    uint8_t out[HEARTH_KEYCHECK_BYTES]);

/* crypto_box_seal of key to crypto_sign_ed25519_pk_to_curve25519(device_pk).
 * HEARTH_ECRYPTO (a key that is not a valid point). */
hearth_status hearth_epoch_wrap(const uint8_t key[HEARTH_EPOCH_KEYBYTES],
				const uint8_t device_pk[HEARTH_ID_SIGN_PUBLICBYTES],
				uint8_t out[HEARTH_WRAP_BYTES]) HEARTH_WUR;

/* Opens a wrap with a device's Ed25519 secret key (64 bytes).
 * HEARTH_EAUTH (not for this device, or damaged), HEARTH_ECRYPTO. */
hearth_status hearth_epoch_unwrap(const uint8_t wrap[HEARTH_WRAP_BYTES],
				  const uint8_t device_sk[HEARTH_SIGN_SECRETBYTES],
				  uint8_t key[HEARTH_EPOCH_KEYBYTES]) HEARTH_WUR;

/* ---- the keyring: epoch keys this vault holds ---------------------------- */

/* Keeps key as the key of space at envelope epoch e (store secret
 * "key.<32 hex>.<16 hex>"). */
hearth_status hearth_keyring_put(hearth_store *s, const hearth_id *space,
				 uint64_t e, const uint8_t key[HEARTH_EPOCH_KEYBYTES]) HEARTH_WUR;

/* The key of space at e into key; *found 0 when none is held.  Epoch 0
 * gives the control key (always found). */
hearth_status hearth_keyring_get(hearth_store *s, const hearth_id *space,
				 uint64_t e, uint8_t key[HEARTH_EPOCH_KEYBYTES],
				 int *found) HEARTH_WUR;

/* Calls cb for each key held of space (NULL: of every space), by name. */
typedef int (*hearth_keyring_cb)(const hearth_id *space, uint64_t e, void *ctx);
hearth_status hearth_keyring_each(hearth_store *s, const hearth_id *space,
				  hearth_keyring_cb cb, void *ctx) HEARTH_WUR;

/* Opens every wrap of st addressed to device with device_sk whose key the
 * keyring lacks, checks it against the epoch's check value, and keeps
 * it.  *n_new (may be NULL) counts the keys added.  A wrap that does not
 * open or check is skipped (anyone may write a bad one). */
hearth_status hearth_keyring_absorb(hearth_store *s, const hearth_space_state *st,
				    uint64_t device,
				    const uint8_t device_sk[HEARTH_SIGN_SECRETBYTES],
				    size_t *n_new) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_SPACE_H */
