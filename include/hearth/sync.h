/*
 * hearth/sync.h - moving a space's ops between devices as envelopes: the
 * envelopes this device keeps, sealing its own ops, writing them (and
 * other authors' envelopes, as their bytes) to a bundle file, and
 * importing a bundle.  docs/protocol.md §7-§8 give the formats; §10 what
 * a device keeps and how an importer proceeds.
 *
 * Every envelope received or sealed here is kept, by id, with its header
 * and its bytes, and numbered in the order it was kept (its *arrival*):
 * an exporter sends "every kept envelope of space S past cursor N", so a
 * device forwards other authors' ops without re-signing them.
 *
 * Who may write to a space at an epoch, the authors' public keys and the
 * epoch keys are not decided here: the caller passes a hearth_sync_trust.
 * core/ implements one for the vault's private space
 * (hearth_private_trust, hearth/offline.h); the team spaces' control plane
 * implements it for team spaces.
 */
#ifndef HEARTH_SYNC_H
#define HEARTH_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hearth/envelope.h"
#include "hearth/reconcile.h"
#include "hearth/status.h"
#include "hearth/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The size envelopes are sealed up to: ops are packed into an envelope
 * while it stays within this, so that each envelope, with the 4 bytes
 * that frame it, fills at most a push of the usual size
 * (HEARTH_RELAY_PAGE_MAX, hearth/relay.h).  One op larger than this still
 * goes alone in an envelope of up to HEARTH_ENVELOPE_MAX, which bundles
 * carry and a relay takes in a push of its own (HEARTH_RELAY_BODY_MAX). */
#define HEARTH_SYNC_SEAL_MAX (1024u * 1024u - 4u)

/* What trust says of an envelope's author before it is opened. */
typedef enum hearth_sync_verdict {
	/* The device may write ops first..last to space at epoch: pk holds
	 * its Ed25519 public key.  The envelope is opened; if its signature,
	 * key check, decryption or any op fails, the whole bundle is refused
	 * and nothing from it applied. */
	HEARTH_SYNC_ACCEPT = 0,
	/* Not known (yet) to be allowed: its certificate or membership may
	 * be in control ops that have not arrived.  The envelope is kept
	 * aside, unopened and unapplied, and asked about again after later
	 * control ops arrive (at the end of every import, and by
	 * hearth_sync_retry). */
	HEARTH_SYNC_LATER = 1,
	/* Never: e.g. seqs past the device's removal cutoff, or a revoked
	 * device.  The envelope is kept as refused (never applied, never
	 * forwarded) and the rest of the bundle goes on: every replica
	 * refuses it alike. */
	HEARTH_SYNC_REFUSE = 2
} hearth_sync_verdict;

/* The questions the importer and the exporter ask.  ctx is passed back.
 * Zero the whole struct before filling it: optional callbacks left NULL
 * mean "none", and later versions may add some.
 *
 * device_key (required): may info->device write ops with seqs
 *   info->first_seq..info->last_seq to info->space at info->epoch (epoch 0:
 *   the control plane)?  Its certificate, its membership at that epoch,
 *   and no seq past its cutoff.  On ACCEPT fill pk.  info is not yet
 *   authenticated: decide from its fields alone.
 * epoch_key (required for data envelopes): fill key with the key of space
 *   at epoch (never asked for epoch 0, whose key is public); non-zero if
 *   this device does not hold it (the envelope is then refused).
 * current_epoch (required for export): the epoch this device seals its
 *   data ops of space at now (never 0) and its key; HEARTH_ENOTFOUND (or
 *   another error, with a detail) when it may not write to space.  It may
 *   write (e.g. create a key on first use): it runs inside the export's
 *   transaction.
 * control_changed (may be NULL): control-plane ops of space were just
 *   merged (inside the import's transaction); recompute membership and
 *   keys before the next envelope is judged.  An error refuses the
 *   bundle.
 * write_limit (may be NULL: none): for an envelope device_key accepted,
 *   the greatest seq of its author that may be applied.  A removal or a
 *   revocation names a cutoff that can fall inside an envelope's range
 *   (the remover counted the device's ops across every space it holds,
 *   and a device's control and data ops travel apart): device_key then
 *   accepts it and the ops past the limit are dropped, on every replica
 *   alike, while those before it, written while the device was a member,
 *   are applied.  UINT64_MAX: all. */
typedef struct hearth_sync_trust {
	hearth_sync_verdict (*device_key)(void *ctx, const hearth_envelope_info *info,
					  uint8_t pk[HEARTH_SIGN_PUBLICBYTES]);
	int (*epoch_key)(void *ctx, const hearth_id *space, uint64_t epoch,
			 uint8_t key[HEARTH_EPOCH_KEYBYTES]);
	hearth_status (*current_epoch)(void *ctx, const hearth_id *space,
				       uint64_t *epoch,
				       uint8_t key[HEARTH_EPOCH_KEYBYTES]);
	hearth_status (*control_changed)(void *ctx, const hearth_id *space);
	uint64_t (*write_limit)(void *ctx, const hearth_envelope_info *info);
	void *ctx;
} hearth_sync_trust;

/* What an export or an import did. */
typedef struct hearth_sync_report {
	size_t sealed;     /* export: envelopes of this device's ops sealed now */
	size_t sealed_ops; /* export: ops in them */
	size_t written;    /* export: envelopes written to the bundle */
	uint64_t cursor;   /* export: the cursor to give the next --since */
	size_t envelopes;  /* import: envelopes in the bundle */
	size_t applied;    /* import: opened and merged now (retried ones too) */
	size_t ops;        /* import: ops in them (applied) */
	size_t cut;        /* import: ops past their author's cutoff, dropped
			    * from envelopes that straddle it (write_limit) */
	size_t held;       /* import: already held here (by id): skipped */
	size_t waiting;    /* import: kept aside now, their author not (yet) known */
	size_t refused;    /* import: refused by trust (HEARTH_SYNC_REFUSE) */
	size_t retried;    /* import: kept aside before, applied now */
	/* import, when the bundle is refused because an envelope failed
	 * (the detail says why): its place in the bundle (from 1; 0 for an
	 * envelope kept aside by an earlier import) and its id. */
	uint64_t failed_index;
	uint8_t failed_id[HEARTH_ENVELOPE_ID_BYTES];
} hearth_sync_report;

/* An envelope an import kept aside or refused, for a face to name. */
typedef struct hearth_sync_notice {
	hearth_sync_verdict verdict;          /* LATER or REFUSE */
	uint64_t index;                       /* place in the bundle, 0: kept before */
	const hearth_envelope_info *info;
	const uint8_t *id;                    /* HEARTH_ENVELOPE_ID_BYTES */
} hearth_sync_notice;
typedef void (*hearth_sync_notice_cb)(const hearth_sync_notice *n, void *ctx);

/* Seals this device's ops of space not sealed before (sealing them is
 * remembered): control-plane kinds at epoch 0 under the control key,
 * others at trust->current_epoch, in envelopes of at most
 * HEARTH_SYNC_SEAL_MAX bytes (one larger op alone in its own), signed with device_sk (this device's key,
 * for hearth_store_device(s)).  Each is kept.  In one atomic step (its own
 * transaction or a savepoint of the caller's).  Ops of the device-local
 * space never leave: HEARTH_EINVAL for it.  r may be NULL. */
hearth_status hearth_sync_seal(hearth_store *s, const hearth_sync_trust *trust,
			       const hearth_id *space,
			       const uint8_t device_sk[HEARTH_SIGN_SECRETBYTES],
			       hearth_sync_report *r) HEARTH_WUR;

/* Writes every kept envelope of space whose arrival is past since and
 * that was opened here or sealed here (never one kept aside or refused),
 * control-plane envelopes first, then by arrival, as a bundle to f.
 * r->written and r->cursor (the greatest arrival of space's envelopes, or
 * since) are set.  f is flushed, not synced. */
hearth_status hearth_sync_write(hearth_store *s, const hearth_id *space,
				uint64_t since, FILE *f,
				hearth_sync_report *r) HEARTH_WUR;

/* hearth_sync_seal, then hearth_sync_write to path: the bundle is written
 * to a temporary file beside it, synced and renamed into place, so path
 * holds a whole bundle or is untouched.  The sealing is committed only
 * once the file is in place.  HEARTH_EIO naming the path. */
hearth_status hearth_sync_export(hearth_store *s, const hearth_sync_trust *trust,
				 const hearth_id *space,
				 const uint8_t device_sk[HEARTH_SIGN_SECRETBYTES],
				 uint64_t since, const char *path,
				 hearth_sync_report *r) HEARTH_WUR;

/* Imports the bundle in f (a seekable file at its start):
 *   1. hearth_bundle_check: a truncated or damaged file is refused
 *      (HEARTH_EFORMAT, HEARTH_ENEWER) and nothing is applied;
 *   2. in one transaction (the caller's if one is open): every envelope
 *      not held already (by id), control-plane envelopes first, is judged
 *      by trust->device_key; accepted ones are opened and their ops merged
 *      (hearth_store_apply), after each control envelope
 *      trust->control_changed is called; a LATER control envelope that
 *      holds a valid genesis of its space written by its author is opened
 *      under that genesis's device key and merged as accepted (a vault's
 *      first import of a space it joined: docs/protocol.md §10.6; its
 *      signature failing refuses the bundle); other LATER ones are kept aside,
 *      REFUSE ones kept as refused (cb, which may be NULL, hears of each
 *      refused one, and at the end of each one of the bundle still kept
 *      aside; one kept aside or refused by an earlier import counts
 *      again, not as held: it is still not applied);
 *   3. envelopes kept aside (by this import or earlier ones) are judged
 *      again until none changes: accepted ones are opened and merged; one
 *      kept by an earlier import that fails to open is then kept as
 *      refused;
 *   4. commit.
 * An accepted envelope of the bundle that fails to open (signature, key,
 * decryption, ops: HEARTH_EAUTH, HEARTH_EFORMAT with the envelope's
 * detail) refuses the whole bundle: nothing from it is applied, and
 * r->failed_index and r->failed_id name it.  Importing a bundle again
 * applies nothing (r->held counts its envelopes).  r may be NULL. */
hearth_status hearth_sync_import(hearth_store *s, const hearth_sync_trust *trust,
				 FILE *f, hearth_sync_notice_cb cb, void *cb_ctx,
				 hearth_sync_report *r) HEARTH_WUR;

/* Step 3 of hearth_sync_import alone, in its own atomic step: for a caller
 * that merged control ops by another way.  r->retried, r->applied,
 * r->ops, r->refused are counted. */
hearth_status hearth_sync_retry(hearth_store *s, const hearth_sync_trust *trust,
				hearth_sync_notice_cb cb, void *cb_ctx,
				hearth_sync_report *r) HEARTH_WUR;

/* Counts of kept envelopes in state: 0 opened or sealed here, 1 kept
 * aside, 2 refused (space NULL: all spaces). */
hearth_status hearth_sync_count(hearth_store *s, const hearth_id *space, int state,
				size_t *n) HEARTH_WUR;

/* ---- receiving from memory (a relay's pages) ---------------------------- */

/* One envelope's bytes, borrowed. */
typedef struct hearth_sync_envelope {
	const uint8_t *bytes;
	size_t len;
} hearth_sync_envelope;

/* Receives the n envelopes envs exactly as hearth_sync_import receives a
 * bundle's (same steps 2-4, same verdicts, same counts in r; r->failed_index
 * is the place in envs, from 1): every envelope's framing is checked first
 * (hearth_envelope_peek: one malformed refuses the batch, HEARTH_EFORMAT,
 * and r->failed_index names it),
 * then control-plane envelopes first, those held already skipped, those
 * kept aside judged again; one accepted envelope that fails to open
 * refuses the whole batch and nothing of it is applied.  In one atomic
 * step (its own transaction or a savepoint of the caller's).  bundle
 * import and this share one engine. */
hearth_status hearth_sync_receive(hearth_store *s, const hearth_sync_trust *trust,
				  const hearth_sync_envelope *envs, size_t n,
				  hearth_sync_notice_cb cb, void *cb_ctx,
				  hearth_sync_report *r) HEARTH_WUR;

/* Keeps the envelope env, which failed on its own in a receive (r->failed_index
 * of hearth_sync_receive named it, why is the status it failed with), so that
 * the others of its batch can be received without it:
 *   HEARTH_EFORMAT, HEARTH_EAUTH (its bytes are at fault: damaged, forged):
 *     kept refused, with reason; never applied nor forwarded, and skipped
 *     (counted refused) when it comes again;
 *   HEARTH_ENOTFOUND (no key for its epoch here), HEARTH_ENEWER: kept aside,
 *     judged again by every later receive, as one whose author is not known.
 * Nothing is done for one kept already.  An envelope whose framing does not
 * read names no space: HEARTH_EFORMAT or HEARTH_ENEWER, nothing kept.  Any
 * other why: HEARTH_EINVAL.  In one atomic step. */
hearth_status hearth_sync_keep_failed(hearth_store *s, const uint8_t *env, size_t len,
				     hearth_status why, const char *reason) HEARTH_WUR;

/* ---- kept envelopes, for a relay ------------------------------------------ */

/* The kept envelope cb sees (borrowed for the call). */
typedef struct hearth_sync_kept {
	const uint8_t *id;    /* HEARTH_ENVELOPE_ID_BYTES */
	uint64_t arrival;
	uint64_t epoch;       /* 0: the control plane */
	int state;            /* 0 opened or sealed here, 1 kept aside, 2 refused */
	const uint8_t *bytes;
	size_t len;
} hearth_sync_kept;
/* Non-zero stops the listing (which then returns HEARTH_OK). */
typedef int (*hearth_sync_kept_cb)(const hearth_sync_kept *k, void *ctx);

/* Each envelope of space kept past arrival since that may be forwarded
 * (opened or sealed here: state 0), control-plane envelopes first, then
 * by arrival, as hearth_sync_write writes them. */
hearth_status hearth_sync_each(hearth_store *s, const hearth_id *space,
			       uint64_t since, hearth_sync_kept_cb cb,
			       void *ctx) HEARTH_WUR;

/* The envelope of space kept with id, any state: cb is called once if
 * it is kept here (*found 1), not at all otherwise (*found 0). */
hearth_status hearth_sync_get(hearth_store *s, const hearth_id *space,
			      const uint8_t id[HEARTH_ENVELOPE_ID_BYTES],
			      hearth_sync_kept_cb cb, void *ctx, int *found) HEARTH_WUR;

/* The greatest arrival of any kept envelope (0: none). */
hearth_status hearth_sync_last_arrival(hearth_store *s, uint64_t *out) HEARTH_WUR;

/* ---- fingerprints of the ids kept ----------------------------------------- */

/* The set a space's fingerprint covers: the ids of its envelopes kept
 * opened, sealed or aside here (state 0 or 1; what a relay of the space
 * would hold), never the refused ones.  Kept per bucket
 * (hearth_fp_bucket) in the vault, updated in the same transaction as
 * each envelope kept or refused. */

/* The space's fingerprint as kept: *total (may be NULL) and, when buckets
 * is not NULL, all HEARTH_FP_BUCKETS of them. */
hearth_status hearth_sync_fp(hearth_store *s, const hearth_id *space, hearth_fp *total,
			     hearth_fp *buckets) HEARTH_WUR;

/* The same recounted from the envelopes themselves (a check of the kept
 * one: the two must always agree). */
hearth_status hearth_sync_fp_recount(hearth_store *s, const hearth_id *space,
				     hearth_fp *total, hearth_fp *buckets) HEARTH_WUR;

/* Each id the fingerprint of space covers in bucket b, with its state. */
typedef int (*hearth_sync_id_cb)(const uint8_t id[HEARTH_ENVELOPE_ID_BYTES],
				 int state, void *ctx);
hearth_status hearth_sync_bucket_ids(hearth_store *s, const hearth_id *space,
				     unsigned b, hearth_sync_id_cb cb,
				     void *ctx) HEARTH_WUR;

/* What this device has of space that a peer past arrival since has not
 * seen: *ops, its own ops not sealed yet; *envelopes, envelopes kept
 * here (forwardable) past since.  Either may be NULL. */
hearth_status hearth_sync_pending(hearth_store *s, const hearth_id *space,
				  uint64_t since, size_t *ops,
				  size_t *envelopes) HEARTH_WUR;

/* ---- per relay and space: what the last sync saw --------------------------- */

#define HEARTH_RELAY_INSTANCE_BYTES 16u
#define HEARTH_SYNC_PROBLEM_MAX 256u

/* What kind of problem the last sync of (relay, space) kept, so that a
 * face can say it in the user's language (hearth_sync_problem_local)
 * while the English detail beside it names envelopes and URLs for logs.
 * The vault stores its stable name (hearth_sync_problem_name); values are
 * appended, never renumbered. */
typedef enum hearth_sync_problem_kind {
	HEARTH_SYNC_PROBLEM_NONE = 0,
	HEARTH_SYNC_PROBLEM_OTHER = 1,       /* none below fits, or kept before
					      * kinds were: the detail says */
	HEARTH_SYNC_PROBLEM_UNREACHABLE = 2, /* the relay did not answer in time */
	HEARTH_SYNC_PROBLEM_REFUSED = 3,     /* it refused a request (HTTP 4xx:
					      * not admitted, unknown space) */
	HEARTH_SYNC_PROBLEM_MALFORMED = 4,   /* it sent an answer not in the protocol */
	HEARTH_SYNC_PROBLEM_LEFT_OUT = 5,    /* envelopes damaged or forged were
					      * left out, the others received */
	HEARTH_SYNC_PROBLEM_UNSENDABLE = 6,  /* envelopes neither side can give:
					      * kept aside here, or refused by
					      * the relay; not in sync */
	HEARTH_SYNC_PROBLEM_RELAY_LOST = 7,  /* the relay had lost envelopes:
					      * sent again */
	HEARTH_SYNC_PROBLEM_CANCELED = 8,    /* stopped at the user's request */
	HEARTH_SYNC_PROBLEM_VAULT = 9,       /* this vault failed (disk, database) */
} hearth_sync_problem_kind;

/* The kind a sync that failed with st gets when nothing more precise
 * was said: HEARTH_ENET unreachable, HEARTH_ECANCELED canceled, ... */
hearth_sync_problem_kind hearth_sync_problem_of_status(hearth_status st);

/* One sentence for kind in the user's language (the "hearth" text domain,
 * as hearth_errdetail_local), the same in every face; "" for NONE, and
 * OTHER's for a value this build does not know.  Static storage. */
const char *hearth_sync_problem_local(hearth_sync_problem_kind kind);

/* A stable lowercase name for kind, as the vault stores it and programs
 * read it (`hearth sync status --json`): "none", "unreachable",
 * "refused", ...; "other" for a value this build does not know. */
const char *hearth_sync_problem_name(hearth_sync_problem_kind kind);

/* The kind named name: NONE for NULL or "", OTHER for a name this build
 * does not know (a newer one's: its detail still says what happened). */
hearth_sync_problem_kind hearth_sync_problem_parse(const char *name);

typedef struct hearth_sync_relay_state {
	int has_store;            /* store known (a sync has answered) */
	uint8_t store[HEARTH_RELAY_INSTANCE_BYTES]; /* the relay store's instance */
	uint64_t cursor;          /* the relay's seq pulled up to */
	uint64_t pushed;          /* this vault's arrival pushed up to */
	uint64_t max_seq, count;  /* the relay's, as last seen: never trusted,
				   * only compared with what it says next */
	int64_t synced_at;        /* unix seconds of the last whole sync, 0 never */
	char problem[HEARTH_SYNC_PROBLEM_MAX]; /* the last sync's problem, "" none,
						* in English (for logs, --json) */
	hearth_sync_problem_kind problem_kind; /* NONE when problem is "" */
} hearth_sync_relay_state;

/* The state kept for (relay, space): *found 0 and a zeroed *out when none. */
hearth_status hearth_sync_relay_get(hearth_store *s, const char *relay,
				    const hearth_id *space,
				    hearth_sync_relay_state *out, int *found) HEARTH_WUR;

/* Writes it (replacing), in its own atomic step or the caller's. */
hearth_status hearth_sync_relay_put(hearth_store *s, const char *relay,
				    const hearth_id *space,
				    const hearth_sync_relay_state *st) HEARTH_WUR;

/* Each (relay, space) a state is kept for, by relay then space. */
typedef int (*hearth_sync_relay_cb)(const char *relay, const hearth_id *space,
				    const hearth_sync_relay_state *st, void *ctx);
hearth_status hearth_sync_relay_each(hearth_store *s, hearth_sync_relay_cb cb,
				     void *ctx) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_SYNC_H */
