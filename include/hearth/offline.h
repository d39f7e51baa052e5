/*
 * hearth/offline.h - `hearth sync export` and `hearth sync import`: a
 * space's envelopes through a bundle file, audited (the engine is
 * hearth/sync.h), and the trust the vault's private space syncs under.
 *
 * The private space belongs to this vault's identity: its members are
 * the identity's devices whose certificates this vault holds (this one,
 * the ids it retired and its linked devices, hearth_devices_each), and
 * its one data epoch, 1, has a key kept as the store
 * secret "key.<32 hex space>.0000000000000001".  So two copies of one
 * vault, or linked devices of one person, sync their private space by
 * bundles.  Team spaces get their trust from the spaces' control plane
 * (hearth_team_trust below; docs/protocol.md §10.5), and
 * hearth_vault_trust answers for any space with the one or the other.
 */
#ifndef HEARTH_OFFLINE_H
#define HEARTH_OFFLINE_H

#include <stdint.h>

#include "hearth/status.h"
#include "hearth/store.h"
#include "hearth/sync.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Audit actions.  Details: export "space=<32 hex> envelopes=N cursor=C"
 * (the envelopes written), import "envelopes=N held=H aside=W refused=R"
 * (applied, already held, kept aside, refused). */
#define HEARTH_AUDIT_SYNC_EXPORT "sync.export"
#define HEARTH_AUDIT_SYNC_IMPORT "sync.import"

/* The epoch the private space's data is sealed at. */
#define HEARTH_PRIVATE_EPOCH 1u

/* The trust of the private space (opaque): built from the devices this
 * vault knows when it is opened. */
typedef struct hearth_private_trust hearth_private_trust;

/* Reads this vault's devices into a new trust *out (caller frees:
 * hearth_private_trust_free).  HEARTH_ENOTFOUND (no identity yet),
 * HEARTH_EDAMAGED, HEARTH_ENOMEM. */
hearth_status hearth_private_trust_open(hearth_store *s,
					hearth_private_trust **out) HEARTH_WUR;

/* Its callbacks (borrowed from t):
 *   device_key     the private space, epoch 0 or 1, a device of this
 *                  identity whose certificate is held: ACCEPT (REFUSE
 *                  past its cutoff for a device revoked here,
 *                  hearth_device_revoke); any other
 *                  device or space: LATER (a device linked later, a team
 *                  space whose trust is not this one);
 *   epoch_key      the private space at epoch 1: its key, once made;
 *   current_epoch  the private space: epoch 1 and its key, made on first
 *                  use; any other space: HEARTH_ENOTFOUND. */
const hearth_sync_trust *hearth_private_trust_get(hearth_private_trust *t);

void hearth_private_trust_free(hearth_private_trust *t);

/* The trust of team spaces (opaque), from their control plane
 * (hearth_space_trust, hearth/spaces.h):
 *   device_key     ACCEPT with the device's key when the space's state
 *                  says it may write those seqs at that epoch (and, at a
 *                  data epoch, this vault holds the key: else LATER);
 *                  REFUSE when seqs pass a cutoff a removal or a
 *                  revocation named for the device (a removed member's
 *                  or a lost device's later ops); LATER otherwise
 *                  (space, device, epoch record not here yet);
 *   epoch_key      the keyring's key;
 *   current_epoch  the state's current epoch and its key; HEARTH_ENOTFOUND
 *                  when this device is not a current member, or holds no
 *                  key of it;
 *   control_changed  forgets the cached state and runs
 *                  hearth_space_refresh (keys sealed to this device are
 *                  kept; a lead rotates or adds wraps, sent next export). */
typedef struct hearth_team_trust hearth_team_trust;
hearth_status hearth_team_trust_open(hearth_store *s, hearth_team_trust **out) HEARTH_WUR;
const hearth_sync_trust *hearth_team_trust_get(hearth_team_trust *t);
void hearth_team_trust_free(hearth_team_trust *t);

/* Any space of this vault: the private space by the private trust, any
 * other by the team trust.  What hearth_offline_export/import use when
 * given no trust. */
typedef struct hearth_vault_trust hearth_vault_trust;
hearth_status hearth_vault_trust_open(hearth_store *s, hearth_vault_trust **out) HEARTH_WUR;
const hearth_sync_trust *hearth_vault_trust_get(hearth_vault_trust *t);
void hearth_vault_trust_free(hearth_vault_trust *t);

/* The name of the store secret holding the key of space at epoch:
 * "key.<32 hex space>.<16 hex epoch>". */
#define HEARTH_EPOCH_KEY_NAME_LEN (4u + 32u + 1u + 16u)
void hearth_epoch_key_name(const hearth_id *space, uint64_t epoch,
			   char out[HEARTH_EPOCH_KEY_NAME_LEN + 1]);

/* Seals this device's new ops of space and writes every envelope of it
 * kept past since to the bundle file path (hearth_sync_export) with this
 * device's key, then audits "sync.export".  trust NULL: the vault's
 * (hearth_vault_trust).  r may be NULL; r->cursor is the next since. */
hearth_status hearth_offline_export(hearth_store *s, const hearth_sync_trust *trust,
				    const hearth_id *space, uint64_t since,
				    const char *path, hearth_sync_report *r) HEARTH_WUR;

/* Imports the bundle file path (hearth_sync_import), takes the
 * revocations the identity's other devices wrote in the private space
 * (hearth_devices_absorb), and audits "sync.import", all in the same
 * transaction.  trust NULL: the vault's
 * (hearth_vault_trust).  HEARTH_EIO naming the path when it cannot be opened. */
hearth_status hearth_offline_import(hearth_store *s, const hearth_sync_trust *trust,
				    const char *path, hearth_sync_notice_cb cb,
				    void *cb_ctx, hearth_sync_report *r) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_OFFLINE_H */
