/*
 * offline.c - bundle export and import as audited verbs, and the trust of
 * the vault's private space (see hearth/offline.h).
 *
 * The private space's epoch key.  Two copies of one vault (or two linked
 * devices) may each seal their first private ops before they ever meet;
 * a key drawn at random on each would differ, and neither could read the
 * other.  So the key is not drawn but derived from what both hold, the
 * identity's X25519 secret key, with keyed BLAKE2b (a PRF):
 *
 *     key = BLAKE2b-256(key = identity box secret,
 *                       "hearth private space key v1" || space || epoch)
 *
 * and kept as the store secret "key.<space>.<epoch>" on first use, where
 * every epoch key is kept (the keyring lists them by that name).  It is
 * never sent: whoever holds the identity derives it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hearth/audit.h"
#include "hearth/caseload.h"
#include "hearth/crypto.h"
#include "hearth/devices.h"
#include "hearth/offline.h"
#include "hearth/space.h"
#include "hearth/spaces.h"

#define N_(s) (s)

#define PRIVATE_KEY_LABEL "hearth private space key v1"

/* The devices of this identity with a certificate held. */
typedef struct known_device {
	uint64_t device;
	uint8_t pk[HEARTH_SIGN_PUBLICBYTES];
	int revoked;     /* hearth_device_revoke: nothing past cutoff */
	uint64_t cutoff;
} known_device;

struct hearth_private_trust {
	hearth_sync_trust trust; /* ctx points back here */
	hearth_store *s;
	hearth_id space;
	known_device *devices;
	size_t n, cap;
	int failed;
};

void hearth_epoch_key_name(const hearth_id *space, uint64_t epoch,
			   char out[HEARTH_EPOCH_KEY_NAME_LEN + 1])
{
	char hex[HEARTH_ID_HEX + 1];

	hearth_id_to_hex(space, hex);
	snprintf(out, HEARTH_EPOCH_KEY_NAME_LEN + 1, "key.%s.%016llx", hex,
		 (unsigned long long)epoch);
}

static int is_private(const hearth_private_trust *t, const hearth_id *space)
{
	return hearth_id_equal(space, &t->space);
}

static hearth_sync_verdict private_device_key(void *ctx, const hearth_envelope_info *info,
					      uint8_t pk[HEARTH_SIGN_PUBLICBYTES])
{
	hearth_private_trust *t = ctx;
	size_t i;

	if (!is_private(t, &info->space) ||
	    (info->epoch != 0 && info->epoch != HEARTH_PRIVATE_EPOCH))
		return HEARTH_SYNC_LATER;
	for (i = 0; i < t->n; i++)
		if (t->devices[i].device == info->device) {
			/* Past its cutoff whole: refused; straddling it:
			 * applied up to it (private_write_limit). */
			if (t->devices[i].revoked && info->first_seq > t->devices[i].cutoff)
				return HEARTH_SYNC_REFUSE;
			memcpy(pk, t->devices[i].pk, HEARTH_SIGN_PUBLICBYTES);
			return HEARTH_SYNC_ACCEPT;
		}
	return HEARTH_SYNC_LATER;
}

static uint64_t private_write_limit(void *ctx, const hearth_envelope_info *info)
{
	hearth_private_trust *t = ctx;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->devices[i].device == info->device && t->devices[i].revoked)
			return t->devices[i].cutoff;
	return UINT64_MAX;
}

/* The private space's key at epoch: the kept secret, or (make) derived
 * and kept.  *found 0 when absent and !make. */
static hearth_status private_key(hearth_private_trust *t, uint64_t epoch, int make,
				 uint8_t key[HEARTH_EPOCH_KEYBYTES], int *found)
{
	char name[HEARTH_EPOCH_KEY_NAME_LEN + 1];
	crypto_generichash_state h;
	hearth_identity *id = NULL;
	hearth_status st;
	uint8_t eb[8];
	size_t len;
	int i;

	hearth_epoch_key_name(&t->space, epoch, name);
	st = hearth_store_secret_get(t->s, name, key, HEARTH_EPOCH_KEYBYTES, &len, found);
	if (st != HEARTH_OK)
		return st;
	if (*found && len != HEARTH_EPOCH_KEYBYTES)
		return hearth_fail(HEARTH_EDAMAGED,
				   "vault damaged: stored secret '%s' is malformed", name);
	if (*found || !make)
		return HEARTH_OK;
	if ((st = hearth_identity_load(t->s, &id)) != HEARTH_OK)
		return st;
	for (i = 0; i < 8; i++)
		eb[i] = (uint8_t)(epoch >> (8 * (7 - i)));
	crypto_generichash_init(&h, hearth_identity_box_secret(id), HEARTH_ID_BOX_SECRETBYTES,
				HEARTH_EPOCH_KEYBYTES);
	crypto_generichash_update(&h, (const uint8_t *)PRIVATE_KEY_LABEL,
				  sizeof PRIVATE_KEY_LABEL - 1);
	crypto_generichash_update(&h, t->space.b, HEARTH_ID_BYTES);
	crypto_generichash_update(&h, eb, sizeof eb);
	crypto_generichash_final(&h, key, HEARTH_EPOCH_KEYBYTES);
	hearth_identity_free(id);
	sodium_memzero(&h, sizeof h);
	st = hearth_store_secret_put(t->s, name, key, HEARTH_EPOCH_KEYBYTES);
	*found = st == HEARTH_OK;
	return st;
}

static int private_epoch_key(void *ctx, const hearth_id *space, uint64_t epoch,
			     uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	hearth_private_trust *t = ctx;
	int found = 0;

	if (!is_private(t, space) || epoch != HEARTH_PRIVATE_EPOCH)
		return 1;
	/* Made here too: a copy that never sealed still reads. */
	if (private_key(t, epoch, 1, key, &found) != HEARTH_OK || !found)
		return 1;
	return 0;
}

static hearth_status private_current_epoch(void *ctx, const hearth_id *space,
					   uint64_t *epoch,
					   uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	hearth_private_trust *t = ctx;
	char hex[HEARTH_ID_HEX + 1];
	int found = 0;

	if (!is_private(t, space)) {
		hearth_id_to_hex(space, hex);
		return hearth_fail(HEARTH_ENOTFOUND,
				   "no key to seal space %s with on this device", hex);
	}
	*epoch = HEARTH_PRIVATE_EPOCH;
	return private_key(t, HEARTH_PRIVATE_EPOCH, 1, key, &found);
}

static int collect_device(const hearth_device_info *d, void *ctx)
{
	hearth_private_trust *t = ctx;

	if (!d->certified)
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;
		known_device *k = realloc(t->devices, cap * sizeof *k);

		if (k == NULL) {
			t->failed = 1;
			return 1;
		}
		t->devices = k;
		t->cap = cap;
	}
	t->devices[t->n].device = d->device;
	memcpy(t->devices[t->n].pk, d->public_key, HEARTH_SIGN_PUBLICBYTES);
	t->devices[t->n].revoked = d->revoked;
	t->devices[t->n].cutoff = d->cutoff;
	t->n++;
	return 0;
}

hearth_status hearth_private_trust_open(hearth_store *s, hearth_private_trust **out)
{
	hearth_private_trust *t;
	hearth_status st;

	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store");
	*out = NULL;
	t = calloc(1, sizeof *t);
	if (t == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	t->s = s;
	t->space = hearth_store_private_space(s);
	t->trust.device_key = private_device_key;
	t->trust.write_limit = private_write_limit;
	t->trust.epoch_key = private_epoch_key;
	t->trust.current_epoch = private_current_epoch;
	t->trust.control_changed = NULL;
	t->trust.ctx = t;
	st = hearth_devices_each(s, collect_device, t);
	if (st == HEARTH_OK && t->failed)
		st = hearth_fail(HEARTH_ENOMEM, "out of memory");
	if (st != HEARTH_OK) {
		hearth_private_trust_free(t);
		return st;
	}
	*out = t;
	return HEARTH_OK;
}

const hearth_sync_trust *hearth_private_trust_get(hearth_private_trust *t)
{
	return t != NULL ? &t->trust : NULL;
}

void hearth_private_trust_free(hearth_private_trust *t)
{
	if (t == NULL)
		return;
	free(t->devices);
	free(t);
}

/* ---- team spaces ------------------------------------------------------------
 *
 * The trust of team spaces answers from their control plane
 * (hearth_space_trust, core/spaces.c): a device may write what the state
 * computed from the control ops held here says it may.  What it may not
 * write yet and what it may never write are told apart from the same
 * state: a space whose genesis is not here, a device listed nowhere, an
 * epoch record not here, a key not sealed to this device yet, may all
 * still arrive (LATER); seqs past the cutoff a removal or a revocation
 * named for the device never become writable (REFUSE), whatever arrives
 * later, since cutoffs only ever grow stricter in the fold. */

struct hearth_team_trust {
	hearth_sync_trust trust; /* ctx points back here */
	hearth_store *s;
	hearth_space_trust *spaces;
};

/* 1 if st names a cutoff for device below seq: a removal's, or a
 * revocation's (a lost or stolen device, hearth_device_revoke). */
static int past_cutoff(const hearth_space_state *st, uint64_t device, uint64_t seq)
{
	uint64_t revoked;
	size_t i, j;

	if (hearth_space_device_revoked(st, device, &revoked) && seq > revoked)
		return 1;

	for (i = 0; i < st->nmembers; i++)
		for (j = 0; j < st->members[i].ncutoffs; j++) {
			const hearth_space_device *c = &st->members[i].cutoffs[j];

			if (c->device == device && c->has_cutoff && seq > c->cutoff)
				return 1;
		}
	return 0;
}

static hearth_sync_verdict team_device_key(void *ctx, const hearth_envelope_info *info,
					   uint8_t pk[HEARTH_SIGN_PUBLICBYTES])
{
	hearth_team_trust *t = ctx;
	uint8_t key[HEARTH_EPOCH_KEYBYTES];
	hearth_space_state *st = NULL;
	hearth_sync_verdict v = HEARTH_SYNC_LATER;

	/* Judged at its first seq: an envelope straddling its author's
	 * cutoff is applied up to it (team_write_limit). */
	if (hearth_space_trust_may_write(t->spaces, &info->space, info->device,
					 info->first_seq, info->first_seq, info->epoch, pk)) {
		/* A data envelope whose key is not sealed to this device (yet)
		 * waits: opening it would refuse the whole bundle. */
		if (info->epoch != 0 &&
		    !hearth_space_trust_epoch_key(t->spaces, &info->space, info->epoch, key))
			return HEARTH_SYNC_LATER;
		sodium_memzero(key, sizeof key);
		return HEARTH_SYNC_ACCEPT;
	}
	if (hearth_space_load(t->s, &info->space, &st) != HEARTH_OK) {
		hearth_errdetail_clear();
		return HEARTH_SYNC_LATER;
	}
	if (st->known && past_cutoff(st, info->device, info->first_seq))
		v = HEARTH_SYNC_REFUSE;
	hearth_space_state_free(st);
	return v;
}

static uint64_t team_write_limit(void *ctx, const hearth_envelope_info *info)
{
	hearth_team_trust *t = ctx;

	return hearth_space_trust_write_limit(t->spaces, &info->space, info->device);
}

static int team_epoch_key(void *ctx, const hearth_id *space, uint64_t epoch,
			  uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	hearth_team_trust *t = ctx;

	return !hearth_space_trust_epoch_key(t->spaces, space, epoch, key);
}

static hearth_status team_current_epoch(void *ctx, const hearth_id *space,
					uint64_t *epoch, uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	hearth_team_trust *t = ctx;
	hearth_space_state *st = NULL;
	char hex[HEARTH_ID_HEX + 1];
	hearth_status ret;
	int found = 0;

	hearth_id_to_hex(space, hex);
	if ((ret = hearth_space_load(t->s, space, &st)) != HEARTH_OK)
		return ret;
	if (!st->known || !hearth_space_device_current(st, hearth_store_device(t->s))) {
		hearth_space_state_free(st);
		return hearth_fail(HEARTH_ENOTFOUND,
				   "cannot seal changes of space %s: %-s", hex,
				   N_("this device is not a current member of it"));
	}
	if (st->current == NULL) {
		hearth_space_state_free(st);
		return hearth_fail(HEARTH_ENOTFOUND,
				   "cannot seal changes of space %s: %-s", hex,
				   N_("it has no current epoch yet"));
	}
	*epoch = st->current->epoch;
	hearth_space_state_free(st);
	if ((ret = hearth_keyring_get(t->s, space, *epoch, key, &found)) != HEARTH_OK)
		return ret;
	if (!found)
		return hearth_fail(HEARTH_ENOTFOUND,
				   "cannot seal changes of space %s: %-s", hex,
				   N_("the key of its current epoch was not sealed to this device"));
	return HEARTH_OK;
}

static hearth_status team_control_changed(void *ctx, const hearth_id *space)
{
	hearth_team_trust *t = ctx;
	hearth_status ret;

	hearth_space_trust_forget(t->spaces, space);
	ret = hearth_space_refresh(t->s, space, NULL);
	/* refresh may have written control ops (a rotation, new wraps) and
	 * kept keys: judge the next envelope on that. */
	hearth_space_trust_forget(t->spaces, space);
	return ret;
}

hearth_status hearth_team_trust_open(hearth_store *s, hearth_team_trust **out)
{
	hearth_team_trust *t;
	hearth_status st;

	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store");
	*out = NULL;
	if ((t = calloc(1, sizeof *t)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	if ((st = hearth_space_trust_new(s, &t->spaces)) != HEARTH_OK) {
		free(t);
		return st;
	}
	t->s = s;
	t->trust.device_key = team_device_key;
	t->trust.write_limit = team_write_limit;
	t->trust.epoch_key = team_epoch_key;
	t->trust.current_epoch = team_current_epoch;
	t->trust.control_changed = team_control_changed;
	t->trust.ctx = t;
	*out = t;
	return HEARTH_OK;
}

const hearth_sync_trust *hearth_team_trust_get(hearth_team_trust *t)
{
	return t != NULL ? &t->trust : NULL;
}

void hearth_team_trust_free(hearth_team_trust *t)
{
	if (t == NULL)
		return;
	hearth_space_trust_free(t->spaces);
	free(t);
}

/* ---- any space ------------------------------------------------------------- */

struct hearth_vault_trust {
	hearth_sync_trust trust; /* ctx points back here */
	hearth_private_trust *priv;
	hearth_team_trust *team;
};

/* The trust answering for space. */
static const hearth_sync_trust *vault_pick(const hearth_vault_trust *t, const hearth_id *space)
{
	return is_private(t->priv, space) ? &t->priv->trust : &t->team->trust;
}

static hearth_sync_verdict vault_device_key(void *ctx, const hearth_envelope_info *info,
					    uint8_t pk[HEARTH_SIGN_PUBLICBYTES])
{
	const hearth_sync_trust *tr = vault_pick(ctx, &info->space);

	return tr->device_key(tr->ctx, info, pk);
}

static int vault_epoch_key(void *ctx, const hearth_id *space, uint64_t epoch,
			   uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	const hearth_sync_trust *tr = vault_pick(ctx, space);

	return tr->epoch_key(tr->ctx, space, epoch, key);
}

static hearth_status vault_current_epoch(void *ctx, const hearth_id *space,
					 uint64_t *epoch, uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	const hearth_sync_trust *tr = vault_pick(ctx, space);

	return tr->current_epoch(tr->ctx, space, epoch, key);
}

static uint64_t vault_write_limit(void *ctx, const hearth_envelope_info *info)
{
	const hearth_sync_trust *tr = vault_pick(ctx, &info->space);

	return tr->write_limit != NULL ? tr->write_limit(tr->ctx, info) : UINT64_MAX;
}

static hearth_status vault_control_changed(void *ctx, const hearth_id *space)
{
	const hearth_sync_trust *tr = vault_pick(ctx, space);

	return tr->control_changed != NULL ? tr->control_changed(tr->ctx, space) : HEARTH_OK;
}

hearth_status hearth_vault_trust_open(hearth_store *s, hearth_vault_trust **out)
{
	hearth_vault_trust *t;
	hearth_status st;

	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store");
	*out = NULL;
	if ((t = calloc(1, sizeof *t)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	if ((st = hearth_private_trust_open(s, &t->priv)) != HEARTH_OK ||
	    (st = hearth_team_trust_open(s, &t->team)) != HEARTH_OK) {
		hearth_vault_trust_free(t);
		return st;
	}
	t->trust.device_key = vault_device_key;
	t->trust.epoch_key = vault_epoch_key;
	t->trust.current_epoch = vault_current_epoch;
	t->trust.control_changed = vault_control_changed;
	t->trust.write_limit = vault_write_limit;
	t->trust.ctx = t;
	*out = t;
	return HEARTH_OK;
}

const hearth_sync_trust *hearth_vault_trust_get(hearth_vault_trust *t)
{
	return t != NULL ? &t->trust : NULL;
}

void hearth_vault_trust_free(hearth_vault_trust *t)
{
	if (t == NULL)
		return;
	hearth_private_trust_free(t->priv);
	hearth_team_trust_free(t->team);
	free(t);
}

/* trust, or the vault's (any space) made into *own (freed by the caller). */
static hearth_status pick_trust(hearth_store *s, const hearth_sync_trust **trust,
				hearth_vault_trust **own)
{
	hearth_status st;

	*own = NULL;
	if (*trust != NULL)
		return HEARTH_OK;
	if ((st = hearth_vault_trust_open(s, own)) != HEARTH_OK)
		return st;
	*trust = hearth_vault_trust_get(*own);
	return HEARTH_OK;
}

hearth_status hearth_offline_export(hearth_store *s, const hearth_sync_trust *trust,
				    const hearth_id *space, uint64_t since,
				    const char *path, hearth_sync_report *r)
{
	char detail[128], hex[HEARTH_ID_HEX + 1];
	hearth_vault_trust *own = NULL;
	hearth_device_key *key = NULL;
	hearth_sync_report dummy;
	hearth_status st;

	if (s == NULL || space == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot export: %-s",
				   N_("no space, key or trust given"));
	if (r == NULL)
		r = &dummy;
	if ((st = pick_trust(s, &trust, &own)) != HEARTH_OK)
		return st;
	if ((st = hearth_device_key_load(s, &key, NULL)) == HEARTH_OK)
		st = hearth_sync_export(s, trust, space, hearth_device_key_secret(key),
					since, path, r);
	hearth_device_key_free(key);
	hearth_vault_trust_free(own);
	if (st != HEARTH_OK)
		return st;
	hearth_id_to_hex(space, hex);
	snprintf(detail, sizeof detail, "space=%s envelopes=%zu cursor=%llu", hex,
		 r->written, (unsigned long long)r->cursor);
	return hearth_audit_append(s, HEARTH_AUDIT_SYNC_EXPORT, NULL, detail);
}

hearth_status hearth_offline_import(hearth_store *s, const hearth_sync_trust *trust,
				    const char *path, hearth_sync_notice_cb cb,
				    void *cb_ctx, hearth_sync_report *r)
{
	const hearth_sync_trust *trust_again = NULL;
	hearth_vault_trust *own = NULL;
	size_t absorbed = 0;
	hearth_sync_report dummy;
	hearth_store_step step;
	hearth_status st;
	char detail[160];
	FILE *f;

	if (r == NULL)
		r = &dummy;
	memset(r, 0, sizeof *r);
	if (s == NULL || path == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot import: %-s",
				   N_("no bundle or trust given"));
	f = fopen(path, "rb");
	if (f == NULL)
		return hearth_fail(HEARTH_EIO, "cannot read bundle '%s': %s", path,
				   strerror(errno));
	if ((st = pick_trust(s, &trust, &own)) != HEARTH_OK)
		goto out;
	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		goto out;
	st = hearth_sync_import(s, trust, f, cb, cb_ctx, r);
	/* A revocation another device of this identity wrote in the
	 * private space holds here too, and in the team spaces; a device it
	 * linked is known here too, and what it wrote, kept aside until now,
	 * is judged again under the vault's trust read anew. */
	if (st == HEARTH_OK)
		st = hearth_devices_absorb(s, &absorbed);
	if (st == HEARTH_OK && absorbed > 0 && own != NULL) {
		hearth_sync_report again;

		memset(&again, 0, sizeof again);
		hearth_vault_trust_free(own);
		own = NULL;
		if ((st = pick_trust(s, &trust_again, &own)) == HEARTH_OK)
			st = hearth_sync_retry(s, trust_again, cb, cb_ctx, &again);
		r->retried += again.retried;
		r->applied += again.applied;
		r->ops += again.ops;
		r->refused += again.refused;
		r->waiting -= again.retried < r->waiting ? again.retried : r->waiting;
	}
	/* A moved person's case state written late by a device that had not
	 * heard of the move reaches the copy (hearth/caseload.h). */
	if (st == HEARTH_OK)
		st = hearth_case_moves_settle(s, NULL);
	if (st == HEARTH_OK) {
		snprintf(detail, sizeof detail,
			 "envelopes=%zu held=%zu aside=%zu refused=%zu",
			 r->applied, r->held, r->waiting, r->refused);
		st = hearth_audit_append(s, HEARTH_AUDIT_SYNC_IMPORT, NULL, detail);
	}
	st = hearth_store_step_end(s, &step, st);
out:
	hearth_vault_trust_free(own);
	fclose(f);
	return st;
}
