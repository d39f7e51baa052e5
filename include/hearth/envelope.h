/*
 * hearth/envelope.h - envelopes (a signed, encrypted batch of ops) and
 * bundle files (a checked sequence of envelopes), specified byte by byte
 * in docs/protocol.md §7 and §8.
 *
 * Ops leave a device only in envelopes.  An envelope holds ops of one
 * space and one plane written by one device, with sequence numbers
 * strictly increasing from first to last (not necessarily consecutive: a
 * device numbers its ops across all its spaces), and claims to hold every
 * op of that device, space and plane with a seq in first..last.  The
 * control plane (record kinds space, member and epoch) travels at epoch 0
 * under a key derived from the space id alone: signed, but readable by
 * anyone holding the envelope; every other kind travels at a non-zero
 * epoch under that epoch's secret key.
 * Their canonical encodings (docs/protocol.md §2) are padded to a PADMÉ
 * length, encrypted with XChaCha20-Poly1305 under the space's epoch key
 * with the header (format version, space, epoch, author device, first and
 * last seq) as associated data, and the header and ciphertext are signed
 * with the author device's Ed25519 key.  All of it is libsodium; nothing
 * here is new cryptography.
 *
 * An envelope is kept as the bytes it was received as, so any device can
 * forward another author's envelope, or repair a relay, without re-signing;
 * its id (BLAKE2b-256 of those bytes) is what a relay or an importer keys
 * it by, so a replayed envelope is recognised before it is opened.
 *
 * Keys are passed as bytes.  Where identities, device certificates and
 * epoch keys are stored, and who may write to a space at an epoch, is
 * decided above this module: hearth_envelope_open asks the caller through
 * a hearth_envelope_trust.
 */
#ifndef HEARTH_ENVELOPE_H
#define HEARTH_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hearth/status.h"
#include "hearth/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_ENVELOPE_FORMAT 2u
/* Most bytes in one envelope: room for one op with a value of
 * HEARTH_OP_VALUE_MAX, padded.  Sealing more is refused: seal fewer ops. */
#define HEARTH_ENVELOPE_MAX (2u * 1024u * 1024u)
/* Most ops in one envelope. */
#define HEARTH_ENVELOPE_OPS_MAX 65536u
#define HEARTH_ENVELOPE_ID_BYTES 32u
/* An epoch key (XChaCha20-Poly1305) and a device's Ed25519 keys, in
 * libsodium's forms: the secret key is the 64 bytes crypto_sign_keypair
 * gives (seed, then public key). */
#define HEARTH_EPOCH_KEYBYTES 32u
#define HEARTH_SIGN_PUBLICBYTES 32u
#define HEARTH_SIGN_SECRETBYTES 64u

/* The record kinds of the control plane (docs/protocol.md §7): sealed at
 * epoch 0, and only they. */
#define HEARTH_KIND_SPACE "space"
#define HEARTH_KIND_MEMBER "member"
#define HEARTH_KIND_EPOCH "epoch"
/* key0 = BLAKE2b-256(no key, this label || space id). */
#define HEARTH_CONTROL_KEY_LABEL "hearth control key v1"

/* 1 if kind is of the control plane, 0 otherwise (NULL included). */
int hearth_kind_is_control(const char *kind);

/* The public epoch-0 key of space's control plane. */
void hearth_envelope_control_key(const hearth_id *space,
				 uint8_t key[HEARTH_EPOCH_KEYBYTES]);

/* Bytes op takes in an envelope's plaintext (its length and its envelope
 * form: the encoding less device and space), and the size of a whole
 * envelope whose ops take content bytes: a sealer adds ops while
 * hearth_envelope_size_for stays within HEARTH_ENVELOPE_MAX. */
size_t hearth_envelope_op_bytes(const hearth_op *op);
size_t hearth_envelope_size_for(size_t content);

/* An envelope's header, as read before any check of its signature. */
typedef struct hearth_envelope_info {
	uint8_t version;
	hearth_id space;
	uint64_t epoch;
	uint64_t device;    /* the author */
	uint64_t first_seq; /* the seqs of the first and the last op */
	uint64_t last_seq;
	size_t size;        /* bytes of the whole envelope */
} hearth_envelope_info;

/* Seals ops[0..n) into a new envelope *out (malloc'd, the caller frees it)
 * of *out_len bytes.  The ops must be of one device and of space, with
 * seqs strictly increasing, of the control plane if epoch is 0 and of the
 * data plane otherwise, each passing hearth_op_check (the op's hash is
 * not sent, so it is not read: the receiver computes it from the op).
 * A fresh random nonce is drawn, so
 * sealing the same ops twice gives two envelopes (two ids) that open to
 * the same ops.  The caller gives every op of the device, space and plane
 * with a seq in the range: the envelope claims to hold them all.
 * HEARTH_EINVAL (no ops, mixed devices, spaces or planes, seqs out of
 * order, a malformed op, the result over HEARTH_ENVELOPE_MAX),
 * HEARTH_ENOMEM, HEARTH_ECRYPTO;
 * each with a detail. */
hearth_status hearth_envelope_seal(const hearth_op *ops, size_t n,
				   const hearth_id *space, uint64_t epoch,
				   const uint8_t epoch_key[HEARTH_EPOCH_KEYBYTES],
				   const uint8_t device_sk[HEARTH_SIGN_SECRETBYTES],
				   uint8_t **out, size_t *out_len) HEARTH_WUR;

/* Reads env's header and checks its framing (magic, version, lengths,
 * seq range) without any key: what a relay or a bundle needs to file an
 * envelope.  Nothing in *out is authenticated.  HEARTH_EFORMAT or
 * HEARTH_ENEWER with a detail naming the reason. */
hearth_status hearth_envelope_peek(const uint8_t *env, size_t len,
				   hearth_envelope_info *out) HEARTH_WUR;

/* The envelope's id: BLAKE2b-256 of "HEARTHEI" || D || its signature,
 * where D is the BLAKE2b-512 digest of every byte before the signature
 * (docs/protocol.md §7.2): any two envelopes that differ in a byte have
 * two ids. */
void hearth_envelope_id(const uint8_t *env, size_t len,
			uint8_t id[HEARTH_ENVELOPE_ID_BYTES]);

/* Checks env's framing (as hearth_envelope_peek) and its signature
 * with the author's key pk, without decrypting anything: what a relay,
 * which holds no epoch key, can check of a data envelope.  HEARTH_EFORMAT,
 * HEARTH_ENEWER, HEARTH_EAUTH (the signature does not verify), each with
 * a detail. */
hearth_status hearth_envelope_verify(const uint8_t *env, size_t len,
				     const uint8_t pk[HEARTH_SIGN_PUBLICBYTES]) HEARTH_WUR;

/* What hearth_envelope_open asks the caller.  Each returns 0 to go on,
 * non-zero to refuse the envelope.
 *
 * device_key: may info->device write ops info->first_seq..last_seq to
 * info->space at info->epoch (its certificate is valid, it is a member
 * then, those seqs are not past its removal)?  If so, fill pk with its
 * Ed25519 public key.  Called before the signature is checked, so info is
 * not yet authenticated: decide only from its fields.
 *
 * epoch_key: fill key with the key of space at epoch.  Called only once
 * the signature holds, and never for epoch 0 (the control plane), whose
 * key hearth_envelope_control_key derives. */
typedef struct hearth_envelope_trust {
	int (*device_key)(void *ctx, const hearth_envelope_info *info,
			  uint8_t pk[HEARTH_SIGN_PUBLICBYTES]);
	int (*epoch_key)(void *ctx, const hearth_id *space, uint64_t epoch,
			 uint8_t key[HEARTH_EPOCH_KEYBYTES]);
	void *ctx;
} hearth_envelope_trust;

/* The ops of an opened envelope.  Everything the ops point to is owned
 * by the batch until hearth_envelope_batch_release. */
typedef struct hearth_envelope_batch {
	hearth_envelope_info info;
	hearth_op *ops;
	size_t n;
	uint8_t id[HEARTH_ENVELOPE_ID_BYTES];
	void *mem_; /* private */
} hearth_envelope_batch;

/* Opens env into *out, checking in this order (docs/protocol.md §7.4):
 * framing (as hearth_envelope_peek), the device's right to write
 * (trust->device_key), the signature, the epoch key's check value, the
 * decryption with the header as associated data, the padding, then every
 * op: its encoding (which leaves out device and space: every op takes
 * the header's), that it is of the header's plane (epoch 0: control
 * kinds only; else none), that seqs rise strictly from the header's first
 * to its last, the checks of hearth_store_apply; its hash is computed
 * from its encoding (the sender sends none).  The first failure refuses
 * the whole envelope and nothing is returned:
 * HEARTH_EFORMAT (malformed, ops that do not match the header),
 * HEARTH_ENEWER (a newer format), HEARTH_EAUTH (refused device, bad
 * signature, wrong epoch key, decryption failed), HEARTH_ENOTFOUND (no
 * key for its epoch here: not the envelope's fault), HEARTH_ENOMEM;
 * each with a detail naming the reason and, past the header, the device.
 * The caller releases *out (also after a failure: it is then empty). */
hearth_status hearth_envelope_open(const uint8_t *env, size_t len,
				   const hearth_envelope_trust *trust,
				   hearth_envelope_batch *out) HEARTH_WUR;

/* A control envelope (epoch 0) of a space the caller does not know yet
 * (a vault's first import after joining): its key is public, so it is
 * decrypted and its ops decoded and checked (as hearth_envelope_open
 * does) BEFORE its author is known; key_of_ops is then asked for the
 * author's key from those ops alone (fill pk, return 0; non-zero: none),
 * and the signature (of the digest of the header and ciphertext) is
 * checked with it.
 * Only once it holds are the ops returned.  What the key is worth is the
 * caller's decision (docs/protocol.md §10.6: only a genesis of the space
 * itself, which the space id commits to, may vouch for its author).
 * HEARTH_EINVAL (a data envelope), HEARTH_ENOTFOUND (key_of_ops found no
 * key: nothing returned, nothing wrong with the envelope), HEARTH_EAUTH
 * (the signature does not verify), else as hearth_envelope_open. */
typedef int (*hearth_envelope_key_of_ops)(void *ctx, const hearth_envelope_info *info,
					  const hearth_op *ops, size_t n,
					  uint8_t pk[HEARTH_SIGN_PUBLICBYTES]);
hearth_status hearth_envelope_open_control(const uint8_t *env, size_t len,
					   hearth_envelope_key_of_ops key_of_ops,
					   void *ctx, hearth_envelope_batch *out) HEARTH_WUR;

/* Frees what a batch owns and empties it; NULL and empty batches are fine. */
void hearth_envelope_batch_release(hearth_envelope_batch *b);

/* The padded length of len bytes of plaintext: PADMÉ (Nikitin et al.,
 * "Reducing metadata leakage from encrypted files and communication with
 * PURBs", PETS 2019): len rounded up so that its last
 * floor(log2 len) - floor(log2 floor(log2 len)) - 1 bits are zero; lengths
 * below 2 are kept.  At most about 12 % more, and less as len grows. */
uint64_t hearth_padme(uint64_t len);

/* Bundle files: a header, envelopes kept byte for byte, and a trailer with
 * their count and a hash of everything before it (docs/protocol.md §8).
 * The trailer detects a truncated or damaged file; what is in each
 * envelope is protected by its own signature, not by the bundle. */
typedef struct hearth_bundle_writer hearth_bundle_writer;
typedef struct hearth_bundle_reader hearth_bundle_reader;

/* Writes a bundle header to f (not closed by the writer) and returns a
 * writer in *out.  HEARTH_EIO, HEARTH_ENOMEM. */
hearth_status hearth_bundle_writer_open(FILE *f,
					hearth_bundle_writer **out) HEARTH_WUR;

/* Appends one envelope as its bytes; its framing is checked first
 * (hearth_envelope_peek).  HEARTH_EFORMAT, HEARTH_EIO, HEARTH_ESTATE
 * (after finish). */
hearth_status hearth_bundle_writer_add(hearth_bundle_writer *w,
				       const uint8_t *env, size_t len) HEARTH_WUR;

/* Writes the trailer and flushes f; the bundle is complete only once this
 * returned HEARTH_OK.  It does not fsync: an exporter writes to a
 * temporary file, syncs it and renames it into place.  HEARTH_EIO,
 * HEARTH_ESTATE (twice). */
hearth_status hearth_bundle_writer_finish(hearth_bundle_writer *w) HEARTH_WUR;

/* Frees the writer (NULL is fine); does not close its file. */
void hearth_bundle_writer_free(hearth_bundle_writer *w);

/* Reads and checks a bundle header from f (not closed by the reader).
 * HEARTH_EFORMAT, HEARTH_ENEWER, HEARTH_EIO, HEARTH_ENOMEM. */
hearth_status hearth_bundle_reader_open(FILE *f,
					hearth_bundle_reader **out) HEARTH_WUR;

/* The next envelope: *env (borrowed from the reader until its next call)
 * and *len, whose framing hearth_envelope_peek accepted.  At the trailer
 * the count and the hash are checked and, if they hold and the file ends
 * there, *env is NULL: only then is the bundle known whole.  A reader
 * never holds more than one envelope (at most HEARTH_ENVELOPE_MAX bytes).
 * An importer that must apply nothing from a damaged file reads it twice
 * (hearth_bundle_check, then again) or applies inside a transaction it
 * commits at the end.  HEARTH_EFORMAT (truncated, damaged, an item over
 * the size limit or not an envelope, bytes after the end), HEARTH_EIO;
 * after a failure the reader only fails. */
hearth_status hearth_bundle_reader_next(hearth_bundle_reader *r,
					const uint8_t **env,
					size_t *len) HEARTH_WUR;

/* Frees the reader (NULL is fine); does not close its file. */
void hearth_bundle_reader_free(hearth_bundle_reader *r);

/* Reads the whole bundle from f's current position and checks it as the
 * reader does; *count (may be NULL) receives the number of envelopes. */
hearth_status hearth_bundle_check(FILE *f, uint64_t *count) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_ENVELOPE_H */
