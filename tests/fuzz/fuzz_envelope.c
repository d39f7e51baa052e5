/*
 * fuzz_envelope.c - opening an envelope never crashes, never reads past
 * its input and never gives back an op that fails the store's checks; an
 * envelope that opens re-seals to one that opens to the same ops.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz tests/fuzz/fuzz_envelope
 *   build-fuzz/tests/fuzz/fuzz_envelope -max_total_time=60 NEW_DIR tests/fuzz/corpus/envelope
 *
 * Random bytes almost never carry a valid signature, so the first input
 * byte chooses what the rest is:
 *   0x00  an envelope, opened as it is (framing, header, signature);
 *   else  header fields and a plaintext that this target encrypts and
 *         signs with its own keys before opening, so that the checks after
 *         decryption (padding, op encodings, ops against the header) see
 *         the fuzzer's bytes: byte 1 the device (1 + mod 3), bytes 2-3 the
 *         first seq and bytes 4-5 the last seq minus the first
 *         (big-endian: seqs between may be missing), byte 6
 *         bit 0 pads the plaintext to its PADMÉ length, bit 1 seals at
 *         epoch 0 under the space's public control key; then the plaintext
 *         as docs/protocol.md §7.3 gives it.
 * Every envelope is also opened by hearth_envelope_open_control (which
 * decodes a control envelope's ops before its signature is checked): it
 * opens exactly what hearth_envelope_open opens at epoch 0, and nothing
 * else.
 * Keys are fixed (seeds 0x01..., 0x02...), so the seed corpus,
 * tests/fuzz/corpus/envelope, holds envelopes sealed with them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hearth/envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
static uint8_t epoch_key[HEARTH_EPOCH_KEYBYTES];
static const hearth_id space = { { 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
				   0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a } };
#define EPOCH 3u

static void keys_init(void)
{
	uint8_t seed[crypto_sign_SEEDBYTES];

	if (sodium_init() < 0)
		abort();
	memset(seed, 0x01, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	memset(epoch_key, 0x02, sizeof epoch_key);
}

static int device_key(void *ctx, const hearth_envelope_info *info, uint8_t out[32])
{
	(void)ctx;
	(void)info;
	memcpy(out, pk, sizeof pk);
	return 0;
}

static int get_epoch_key(void *ctx, const hearth_id *sp, uint64_t epoch, uint8_t out[32])
{
	(void)ctx;
	if (epoch != EPOCH || memcmp(sp->b, space.b, sizeof sp->b) != 0)
		return 1;
	memcpy(out, epoch_key, sizeof epoch_key);
	return 0;
}

static const hearth_envelope_trust trust = { device_key, get_epoch_key, NULL };

static int key_of_ops(void *ctx, const hearth_envelope_info *info, const hearth_op *ops,
		      size_t n, uint8_t out[32])
{
	(void)ctx;
	(void)info;
	(void)ops;
	(void)n;
	memcpy(out, pk, sizeof pk);
	return 0;
}

/* The key of the epoch given, the control key at 0. */
static const uint8_t *key_at(uint64_t epoch, uint8_t control[HEARTH_EPOCH_KEYBYTES])
{
	if (epoch != 0)
		return epoch_key;
	hearth_envelope_control_key(&space, control);
	return control;
}

static void put64(uint8_t *b, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * (7 - i)));
}

/* docs/protocol.md §7.2, built here with libsodium so that the fuzzer's
 * plaintext reaches the checks after decryption. */
static uint8_t *seal_plaintext(const uint8_t *d, size_t size, size_t *len)
{
	uint64_t device = 1 + d[1] % 3;
	uint64_t first = 1 + ((uint64_t)d[2] << 8 | d[3]);
	uint64_t last = first + ((uint64_t)d[4] << 8 | d[5]);
	size_t plain_len = size - 7, padded = plain_len, clen;
	uint64_t epoch = d[6] & 2 ? 0 : EPOCH;
	uint8_t msg[32], sm[8 + 64], *e, control[HEARTH_EPOCH_KEYBYTES];
	const uint8_t *key = key_at(epoch, control);

	if (d[6] & 1)
		padded = (size_t)hearth_padme(plain_len);
	clen = padded + crypto_aead_xchacha20poly1305_ietf_ABYTES;
	e = calloc(1, 101 + clen + crypto_sign_BYTES);
	if (e == NULL)
		abort();
	memcpy(e, "HEARTHEV\x02", 9);
	memcpy(e + 9, space.b, 16);
	put64(e + 25, epoch);
	put64(e + 33, device);
	put64(e + 41, first);
	put64(e + 49, last);
	memcpy(msg, "HEARTHKC", 8);
	memcpy(msg + 8, space.b, 16);
	put64(msg + 24, epoch);
	crypto_generichash(e + 57, 16, msg, sizeof msg, key, HEARTH_EPOCH_KEYBYTES);
	/* e + 73: an all-zero nonce.  These keys protect nothing. */
	e[97] = (uint8_t)(clen >> 24);
	e[98] = (uint8_t)(clen >> 16);
	e[99] = (uint8_t)(clen >> 8);
	e[100] = (uint8_t)clen;
	memcpy(e + 101, d + 7, plain_len); /* zero padding follows (calloc) */
	crypto_aead_xchacha20poly1305_ietf_encrypt(e + 101, NULL, e + 101, padded,
						   e, 57, NULL, e + 73, key);
	/* Signed as §7.2 says: "HEARTHES" || BLAKE2b-512 of the bytes. */
	memcpy(sm, "HEARTHES", 8);
	crypto_generichash(sm + 8, 64, e, 101 + clen, NULL, 0);
	crypto_sign_detached(e + 101 + clen, NULL, sm, sizeof sm, sk);
	*len = 101 + clen + crypto_sign_BYTES;
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hearth_envelope_batch b = { 0 }, b2 = { 0 }, bc = { 0 };
	uint8_t control[HEARTH_EPOCH_KEYBYTES];
	hearth_status stc;
	hearth_envelope_info info;
	uint8_t *env, *again = NULL;
	size_t len, again_len, i;
	hearth_status st, peek;

	if (pk[0] == 0 && pk[1] == 0)
		keys_init();
	if (size < 1)
		return 0;
	if (data[0] == 0) {
		len = size - 1;
		env = malloc(len + 1);
		if (env == NULL)
			abort();
		memcpy(env, data + 1, len);
	} else {
		if (size < 7 || size > HEARTH_ENVELOPE_MAX / 2)
			return 0;
		env = seal_plaintext(data, size, &len);
	}
	st = hearth_envelope_open(env, len, &trust, &b);
	stc = hearth_envelope_open_control(env, len, key_of_ops, NULL, &bc);
	if ((stc == HEARTH_OK) != (st == HEARTH_OK && b.info.epoch == 0) ||
	    (stc != HEARTH_OK && (bc.ops != NULL || bc.n != 0)) ||
	    (stc == HEARTH_OK && bc.n != b.n))
		abort();
	hearth_envelope_batch_release(&bc);
	/* What peek refuses, open refuses the same way. */
	peek = hearth_envelope_peek(env, len, &info);
	if (peek != HEARTH_OK && st != peek)
		abort();
	if (st != HEARTH_OK) {
		if (b.ops != NULL || b.n != 0)
			abort();
		free(env);
		return 0;
	}
	/* Seqs rise strictly from the header's first to its last, the ops
	 * are of the header's device, space and plane, and each op's hash,
	 * which the receiver computes from the envelope form (§7.3), is the
	 * one its decoded fields give. */
	if (b.n == 0 || b.ops[0].id.seq != b.info.first_seq ||
	    b.ops[b.n - 1].id.seq != b.info.last_seq)
		abort();
	for (i = 0; i < b.n; i++) {
		hearth_op again_op = b.ops[i];

		hearth_op_seal(&again_op);
		if (b.ops[i].id.device != b.info.device ||
		    memcmp(b.ops[i].space.b, b.info.space.b, HEARTH_ID_BYTES) != 0 ||
		    memcmp(again_op.hash, b.ops[i].hash, HEARTH_OP_HASH_BYTES) != 0 ||
		    (i > 0 && b.ops[i].id.seq <= b.ops[i - 1].id.seq) ||
		    hearth_kind_is_control(b.ops[i].kind) != (b.info.epoch == 0))
			abort();
	}
	/* What opened seals again (every op passes the sealer's checks) and
	 * opens to the same ops, hash for hash. */
	if (hearth_envelope_seal(b.ops, b.n, &b.info.space, b.info.epoch,
				 key_at(b.info.epoch, control),
				 sk, &again, &again_len) != HEARTH_OK ||
	    hearth_envelope_open(again, again_len, &trust, &b2) != HEARTH_OK ||
	    b2.n != b.n)
		abort();
	for (i = 0; i < b.n; i++)
		if (memcmp(b.ops[i].hash, b2.ops[i].hash, HEARTH_OP_HASH_BYTES) != 0)
			abort();
	hearth_envelope_batch_release(&b);
	hearth_envelope_batch_release(&b2);
	free(again);
	free(env);
	return 0;
}
