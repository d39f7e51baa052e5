/*
 * test_envelope.c - envelopes and bundle files (include/hearth/envelope.h,
 * docs/protocol.md §7-§8): round trips, every refusal with its reason,
 * PADMÉ sizes, and the byte layout checked against an independent encoder
 * that follows the document, with libsodium called directly.
 *
 * The envelopes this suite crafts by hand (crafted()) are signed and
 * encrypted correctly, so what they test is the check after decryption
 * (ops against the header, padding, op encodings), not the cryptography.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "hearth/envelope.h"
#include "hearth/schema.h"
#include "hearth/store.h"
#include "testutil.h"

#define T0 UINT64_C(1700000000000)
#define DEV UINT64_C(0x00000000000000a1)
#define DEV2 UINT64_C(0x5151515151515151)
#define EPOCH UINT64_C(7)
#define HEADER 101u
#define SIG 64u

#define OK(call) do { \
	hearth_status st_ = (call); \
	if (st_ != HEARTH_OK) \
		fail_msg("%s: %s (%s)", #call, hearth_strerror(st_), hearth_errdetail()); \
} while (0)

/* ---- keys and the trust the receiver gives ---------------------------- */

typedef struct keys {
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	uint8_t pk2[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];
	uint8_t key[HEARTH_EPOCH_KEYBYTES], key2[HEARTH_EPOCH_KEYBYTES];
	hearth_id space, space2;
} keys;

/* What the receiver answers: the key it knows for the device (or none),
 * the epoch key (or none). */
typedef struct trust_ctx {
	const uint8_t *pk;
	const uint8_t *key;
	hearth_envelope_info seen; /* what device_key was asked */
	int asked_key;
} trust_ctx;

static int t_device_key(void *ctx, const hearth_envelope_info *info, uint8_t pk[32])
{
	trust_ctx *t = ctx;

	t->seen = *info;
	if (t->pk == NULL)
		return 1;
	memcpy(pk, t->pk, 32);
	return 0;
}

static int t_epoch_key(void *ctx, const hearth_id *space, uint64_t epoch, uint8_t key[32])
{
	trust_ctx *t = ctx;

	(void)space;
	(void)epoch;
	t->asked_key = 1;
	if (t->key == NULL)
		return 1;
	memcpy(key, t->key, 32);
	return 0;
}

static hearth_status open_with(const uint8_t *env, size_t len, const uint8_t *pk,
			       const uint8_t *key, hearth_envelope_batch *b)
{
	trust_ctx t = { .pk = pk, .key = key };
	hearth_envelope_trust tr = { t_device_key, t_epoch_key, &t };

	return hearth_envelope_open(env, len, &tr, b);
}

static int setup(void **state)
{
	keys *k = calloc(1, sizeof *k);

	assert_non_null(k);
	assert_int_equal(sodium_init() >= 0, 1);
	crypto_sign_keypair(k->pk, k->sk);
	crypto_sign_keypair(k->pk2, k->sk2);
	randombytes_buf(k->key, sizeof k->key);
	randombytes_buf(k->key2, sizeof k->key2);
	randombytes_buf(k->space.b, sizeof k->space.b);
	randombytes_buf(k->space2.b, sizeof k->space2.b);
	*state = k;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* The last argument of the failure's detail: the reason (a "%-s"). */
static void assert_refused(hearth_status st, hearth_status want, const char *reason)
{
	const hearth_errinfo *e = hearth_errinfo_get();

	if (st != want)
		fail_msg("status %s, expected %s (%s)", hearth_strerror(st),
			 hearth_strerror(want), hearth_errdetail());
	assert_true(e->argc >= 1);
	if (strcmp(e->argv[e->argc - 1], reason) != 0)
		fail_msg("reason '%s', expected '%s' (%s)", e->argv[e->argc - 1],
			 reason, hearth_errdetail());
}

/* ---- ops --------------------------------------------------------------- */

static const char *const values[] = { "x", NULL, "李明", "", "line\nbreak" };
static const hearth_op_id prev_one[] = { { DEV, 1 } };

/* Op seq of device in space: the first creates a person, later ones set
 * or clear its name, some replacing the value before. */
static hearth_op make_op(uint64_t device, uint64_t seq, const hearth_id *space)
{
	hearth_op op = {
		.id = { device, seq },
		.hlc = hearth_hlc_make(T0 + seq, (uint16_t)(seq & 3), device),
		.space = *space,
		.kind = "person",
		.field = seq == 1 ? "_kind" : "name",
		.value = seq == 1 ? "person" : values[seq % 5],
	};

	memset(op.record.b, 0x42, sizeof op.record.b);
	if (seq == 2 && device == DEV) {
		op.prev = prev_one;
		op.nprev = 1;
	}
	hearth_op_seal(&op);
	return op;
}

static void make_ops(hearth_op *ops, size_t n, uint64_t device, uint64_t first,
		     const hearth_id *space)
{
	size_t i;

	for (i = 0; i < n; i++)
		ops[i] = make_op(device, first + i, space);
}

static void assert_same_op(const hearth_op *a, const hearth_op *b)
{
	assert_memory_equal(a->hash, b->hash, HEARTH_OP_HASH_BYTES);
	assert_true(a->id.device == b->id.device && a->id.seq == b->id.seq);
	assert_memory_equal(a->hlc.b, b->hlc.b, sizeof a->hlc.b);
	assert_memory_equal(a->space.b, b->space.b, sizeof a->space.b);
	assert_memory_equal(a->record.b, b->record.b, sizeof a->record.b);
	assert_string_equal(a->kind, b->kind);
	assert_string_equal(a->field, b->field);
	if (a->value == NULL)
		assert_null(b->value);
	else
		assert_string_equal(a->value, b->value);
	assert_int_equal(a->nprev, b->nprev);
	if (a->nprev > 0)
		assert_memory_equal(a->prev, b->prev, a->nprev * sizeof *a->prev);
}

static uint8_t *seal(const keys *k, const hearth_op *ops, size_t n, size_t *len)
{
	uint8_t *env = NULL;

	OK(hearth_envelope_seal(ops, n, &k->space, EPOCH, k->key, k->sk, &env, len));
	return env;
}

/* ---- an independent encoder, from docs/protocol.md alone ---------------- */

static uint8_t *w32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static uint8_t *w64(uint8_t *p, uint64_t v)
{
	p = w32(p, (uint32_t)(v >> 32));
	return w32(p, (uint32_t)v);
}

static uint8_t *wtext(uint8_t *p, const char *t)
{
	p = w32(p, (uint32_t)strlen(t));
	memcpy(p, t, strlen(t));
	return p + strlen(t);
}

/* §2: fields 1-10 of op at p; returns the end. */
static uint8_t *doc_encode(const hearth_op *op, uint8_t *p)
{
	size_t i;

	*p++ = 1;
	p = w64(p, op->id.device);
	p = w64(p, op->id.seq);
	memcpy(p, op->hlc.b, 16);
	memcpy(p + 16, op->space.b, 16);
	memcpy(p + 32, op->record.b, 16);
	p = wtext(p + 48, op->kind);
	p = wtext(p, op->field);
	*p++ = op->value != NULL;
	if (op->value != NULL)
		p = wtext(p, op->value);
	p = w64(p, op->nprev);
	for (i = 0; i < op->nprev; i++) {
		p = w64(p, op->prev[i].device);
		p = w64(p, op->prev[i].seq);
	}
	return p;
}

/* §7.3: an op's envelope form, the encoding of §2 less the device
 * (bytes 1..9), the HLC's device (bytes 25..33) and the space (bytes
 * 33..49), with nprev in one byte; returns the end. */
static uint8_t *doc_wire(const hearth_op *op, uint8_t *p)
{
	uint8_t enc[8192], *end = doc_encode(op, enc);
	size_t tail = 16 * op->nprev, mid = (size_t)(end - enc) - 49 - 8 - tail;

	p[0] = enc[0];
	memcpy(p + 1, enc + 9, 16);             /* seq, HLC time */
	memcpy(p + 17, enc + 49, mid);          /* record to the value */
	p[17 + mid] = (uint8_t)op->nprev;
	memcpy(p + 18 + mid, end - tail, tail); /* prev ids */
	return p + 18 + mid + tail;
}

/* §7.3: the plaintext of ops (each: length, envelope form); *content_len
 * gets the length before padding, minus its own 4 bytes. */
static size_t doc_plaintext(const hearth_op *ops, size_t n, uint8_t *out,
			    size_t *content_len)
{
	uint8_t *p = out + 4;
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t *enc = p + 4, *end = doc_wire(&ops[i], enc);

		w32(p, (uint32_t)(end - enc));
		p = end;
	}
	*content_len = (size_t)(p - out - 4);
	w32(out, (uint32_t)*content_len);
	return (size_t)(p - out);
}

static void doc_keycheck(uint8_t out[16], const hearth_id *space, uint64_t epoch,
			 const uint8_t *key)
{
	uint8_t msg[8 + 16 + 8];

	memcpy(msg, "HEARTHKC", 8);
	memcpy(msg + 8, space->b, 16);
	w64(msg + 24, epoch);
	crypto_generichash(out, 16, msg, sizeof msg, key, 32);
}

/* An envelope built with libsodium directly: header fields as given, the
 * plaintext plain[0..plain_len) (padding included) encrypted under key,
 * signed with sk.  Returns a malloc'd envelope of *len bytes. */
static uint8_t *crafted(const hearth_id *space, uint64_t epoch, uint64_t device,
			uint64_t first, uint64_t last, const uint8_t *plain,
			size_t plain_len, const uint8_t *key, const uint8_t *sk,
			size_t *len)
{
	size_t clen = plain_len + 16;
	uint8_t *e = malloc(HEADER + clen + SIG);

	assert_non_null(e);
	memcpy(e, "HEARTHEV", 8);
	e[8] = 2;
	memcpy(e + 9, space->b, 16);
	w64(e + 25, epoch);
	w64(e + 33, device);
	w64(e + 41, first);
	w64(e + 49, last);
	doc_keycheck(e + 57, space, epoch, key);
	randombytes_buf(e + 73, 24);
	w32(e + 97, (uint32_t)clen);
	crypto_aead_xchacha20poly1305_ietf_encrypt(e + HEADER, NULL, plain, plain_len,
						   e, 57, NULL, e + 73, key);
	envelope_resign(e, HEADER + clen + SIG, sk);
	*len = HEADER + clen + SIG;
	return e;
}

/* crafted() with the plaintext of ops, padded as §7.3 says. */
static uint8_t *crafted_ops(const keys *k, uint64_t device, uint64_t first,
			    uint64_t last, const hearth_op *ops, size_t n, size_t *len)
{
	uint8_t plain[8192];
	size_t content, used = doc_plaintext(ops, n, plain, &content);
	size_t padded = (size_t)hearth_padme(used);
	uint8_t *e;

	assert_true(padded <= sizeof plain);
	memset(plain + used, 0, padded - used);
	e = crafted(&k->space, EPOCH, device, first, last, plain, padded,
		    k->key, k->sk, len);
	return e;
}

/* ---- PADMÉ ---------------------------------------------------------------- */

/* Algorithm 1 of the PURBs paper, written with the other tools at hand:
 * E = floor(log2 L), S = floor(log2 E) + 1, lastBits = E - S,
 * bitMask = 2^lastBits - 1, result (L + bitMask) & ~bitMask. */
static uint64_t padme_reference(uint64_t l)
{
	unsigned e, s, last;
	uint64_t mask;

	if (l < 2)
		return l;
	e = 63u - (unsigned)__builtin_clzll(l);
	s = 32u - (unsigned)__builtin_clz(e);
	last = e - s;
	mask = (UINT64_C(1) << last) - 1;
	return (l + mask) & ~mask;
}

static void test_padme(void **state)
{
	/* Worked by hand from the definition. */
	static const uint64_t table[][2] = {
		{ 0, 0 }, { 1, 1 }, { 2, 2 }, { 3, 3 }, { 7, 7 }, { 8, 8 },
		{ 9, 10 }, { 11, 12 }, { 15, 16 }, { 16, 16 }, { 17, 18 },
		{ 33, 36 }, { 63, 64 }, { 65, 72 }, { 100, 104 }, { 255, 256 },
		{ 257, 272 }, { 1000, 1024 }, { 1025, 1088 },
		{ 1048577, 1081344 },
		{ UINT64_C(4294967297), UINT64_C(4362076160) },
	};
	uint64_t l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (hearth_padme(table[i][0]) != table[i][1])
			fail_msg("padme(%llu) = %llu, expected %llu",
				 (unsigned long long)table[i][0],
				 (unsigned long long)hearth_padme(table[i][0]),
				 (unsigned long long)table[i][1]);
	for (l = 0; l < 300000; l++) {
		uint64_t p = hearth_padme(l);

		assert_true(p == padme_reference(l));
		/* A padded length pads to itself, and costs at most 12 %. */
		assert_true(p >= l && hearth_padme(p) == p);
		assert_true(l < 16 || (p - l) * 100 <= l * 12);
	}
}

/* The ciphertext of every envelope is the PADMÉ length of its plaintext
 * plus the tag, for batches of 1..40 ops. */
static void test_envelope_sizes(void **state)
{
	const keys *k = *state;
	hearth_op ops[40];
	uint8_t plain[8192];
	size_t n, len, content;

	make_ops(ops, 40, DEV2, 1, &k->space);
	for (n = 1; n <= 40; n++) {
		uint8_t *env = seal(k, ops, n, &len);
		size_t used = doc_plaintext(ops, n, plain, &content);

		assert_int_equal(len, HEADER + hearth_padme(used) + 16 + SIG);
		free(env);
	}
}

/* ---- round trips ---------------------------------------------------------- */

static void test_round_trip(void **state)
{
	const keys *k = *state;
	hearth_envelope_batch b;
	uint8_t id[HEARTH_ENVELOPE_ID_BYTES];
	hearth_op ops[12];
	size_t len, i;
	uint8_t *env;

	make_ops(ops, 12, DEV, 1, &k->space);
	env = seal(k, ops, 12, &len);
	OK(open_with(env, len, k->pk, k->key, &b));
	assert_int_equal(b.n, 12);
	assert_int_equal(b.info.device, DEV);
	assert_int_equal(b.info.first_seq, 1);
	assert_int_equal(b.info.last_seq, 12);
	assert_int_equal(b.info.epoch, EPOCH);
	assert_memory_equal(b.info.space.b, k->space.b, 16);
	for (i = 0; i < 12; i++)
		assert_same_op(&ops[i], &b.ops[i]);
	hearth_envelope_id(env, len, id);
	assert_memory_equal(id, b.id, sizeof id);
	hearth_envelope_batch_release(&b);
	hearth_envelope_batch_release(&b); /* twice is harmless */
	hearth_envelope_batch_release(NULL);
	free(env);

	/* Seqs with gaps (the device wrote to other spaces in between). */
	{
		static const uint64_t seqs[] = { 3, 4, 9, 200, 201, 5000 };

		for (i = 0; i < 6; i++)
			ops[i] = make_op(DEV2, seqs[i], &k->space);
		env = seal(k, ops, 6, &len);
		OK(open_with(env, len, k->pk, k->key, &b));
		assert_int_equal(b.n, 6);
		assert_int_equal(b.info.first_seq, 3);
		assert_int_equal(b.info.last_seq, 5000);
		for (i = 0; i < 6; i++)
			assert_same_op(&ops[i], &b.ops[i]);
		hearth_envelope_batch_release(&b);
		free(env);
	}

	/* A range that does not start at 1. */
	make_ops(ops, 3, DEV2, 1000, &k->space);
	env = seal(k, ops, 3, &len);
	OK(open_with(env, len, k->pk, k->key, &b));
	assert_int_equal(b.n, 3);
	assert_int_equal(b.info.first_seq, 1000);
	assert_int_equal(b.info.last_seq, 1002);
	hearth_envelope_batch_release(&b);
	free(env);
}

/* One op with a value of the largest size fits in one envelope; two do
 * not, and sealing them says so. */
static void test_largest_op(void **state)
{
	const keys *k = *state;
	char *big = malloc(HEARTH_OP_VALUE_MAX + 1);
	hearth_envelope_batch b;
	hearth_op ops[2];
	uint8_t *env = NULL;
	size_t len;

	assert_non_null(big);
	memset(big, 'a', HEARTH_OP_VALUE_MAX);
	big[HEARTH_OP_VALUE_MAX] = '\0';
	make_ops(ops, 2, DEV2, 2, &k->space);
	ops[0].value = ops[1].value = big;
	hearth_op_seal(&ops[0]);
	hearth_op_seal(&ops[1]);
	env = seal(k, ops, 1, &len);
	assert_true(len <= HEARTH_ENVELOPE_MAX);
	OK(open_with(env, len, k->pk, k->key, &b));
	assert_int_equal(b.n, 1);
	assert_string_equal(b.ops[0].value, big);
	hearth_envelope_batch_release(&b);
	free(env);
	env = NULL;
	assert_refused(hearth_envelope_seal(ops, 2, &k->space, EPOCH, k->key, k->sk,
					    &env, &len),
		       HEARTH_EINVAL, "the ops are over the size limit of one envelope");
	assert_null(env);
	free(big);
}

/* The bytes are those docs/protocol.md describes: a receiver written from
 * the document alone (libsodium called directly) verifies the signature
 * (Ed25519 of "HEARTHES" || BLAKE2b-512 of the signed bytes), decrypts,
 * and finds each op's envelope form (§7.3: the encoding of §2 less device
 * and space, no hash), whose canonical encoding, rebuilt with the
 * header's device and space, hashes as op.c hashes the op; the example op
 * of §2 has the bytes printed there; and the id is BLAKE2b-256 of
 * "HEARTHEI" || digest || signature. */
static void test_layout_matches_protocol(void **state)
{
	const keys *k = *state;
	static const char example_tail[] =
		"00000006706572736f6e" "000000046e616d65"
		"0100000006e69d8ee6988e"
		"01" "00000000000000a10000000000000001";
	uint8_t plain[8192], doc[8192], kc[16], h[32], *env, *p;
	uint8_t m[8 + 64], canon[8192], id[32];
	crypto_generichash_state hs;
	hearth_envelope_batch b;
	hearth_op ops[5];
	size_t len, clen, content, used, i;
	char hex[256];

	make_ops(ops, 5, DEV, 1, &k->space);
	env = seal(k, ops, 5, &len);
	assert_memory_equal(env, "HEARTHEV\x02", 9);
	assert_memory_equal(env + 9, k->space.b, 16);
	assert_int_equal(env[25 + 7], EPOCH);
	assert_int_equal(env[33 + 7], 0xa1);
	assert_int_equal(env[41 + 7], 1);
	assert_int_equal(env[49 + 7], 5);
	doc_keycheck(kc, &k->space, EPOCH, k->key);
	assert_memory_equal(env + 57, kc, 16);
	clen = (size_t)env[97] << 24 | (size_t)env[98] << 16 | (size_t)env[99] << 8 | env[100];
	assert_int_equal(len, HEADER + clen + SIG);
	memcpy(m, "HEARTHES", 8);
	crypto_generichash(m + 8, 64, env, HEADER + clen, NULL, 0);
	assert_int_equal(crypto_sign_verify_detached(env + HEADER + clen, m, sizeof m,
						     k->pk), 0);
	/* Not the envelope's bytes themselves, as format 1 signed. */
	assert_int_not_equal(crypto_sign_verify_detached(env + HEADER + clen, env,
							 HEADER + clen, k->pk), 0);
	crypto_generichash_init(&hs, NULL, 0, 32);
	crypto_generichash_update(&hs, (const uint8_t *)"HEARTHEI", 8);
	crypto_generichash_update(&hs, m + 8, 64);
	crypto_generichash_update(&hs, env + HEADER + clen, SIG);
	crypto_generichash_final(&hs, id, 32);
	OK(open_with(env, len, k->pk, k->key, &b));
	assert_memory_equal(b.id, id, 32);
	hearth_envelope_batch_release(&b);
	hearth_envelope_id(env, len, h);
	assert_memory_equal(h, id, 32);
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(
		plain, NULL, NULL, env + HEADER, clen, env, 57, env + 73, k->key), 0);
	used = doc_plaintext(ops, 5, doc, &content);
	assert_int_equal(clen - 16, hearth_padme(used));
	assert_memory_equal(plain, doc, used);
	for (i = used; i < clen - 16; i++)
		assert_int_equal(plain[i], 0);

	/* Each op's canonical encoding, rebuilt from its envelope form with
	 * the header's device (twice: the op's, its HLC's) and space, and
	 * nprev in 8 bytes, hashes as op.c hashes the op. */
	p = plain + 4;
	for (i = 0; i < 5; i++) {
		size_t n = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
		const uint8_t *w = p + 4;
		size_t at = 33, t, cl;

		/* kind, field, value flag and value: to the nprev byte */
		for (t = 0; t < 2; t++)
			at += 4 + ((size_t)w[at] << 24 | (size_t)w[at + 1] << 16 |
				   (size_t)w[at + 2] << 8 | w[at + 3]);
		if (w[at++] == 1)
			at += 4 + ((size_t)w[at] << 24 | (size_t)w[at + 1] << 16 |
				   (size_t)w[at + 2] << 8 | w[at + 3]);
		assert_int_equal(n, at + 1 + 16 * (size_t)w[at]);
		canon[0] = w[0];
		memcpy(canon + 1, env + 33, 8);           /* device */
		memcpy(canon + 9, w + 1, 16);             /* seq, HLC time */
		memcpy(canon + 25, env + 33, 8);          /* HLC device */
		memcpy(canon + 33, env + 9, 16);          /* space */
		memcpy(canon + 49, w + 17, at - 17);      /* record to the value */
		w64(canon + 49 + at - 17, w[at]);         /* nprev */
		memcpy(canon + 57 + at - 17, w + at + 1, n - at - 1);
		cl = n + 39;
		assert_int_equal(doc_encode(&ops[i], doc) - doc, cl);
		assert_memory_equal(canon, doc, cl);
		crypto_generichash_init(&hs, NULL, 0, 32);
		crypto_generichash_update(&hs, (const uint8_t *)"HEARTHOP", 8);
		crypto_generichash_update(&hs, canon, cl);
		crypto_generichash_final(&hs, h, 32);
		assert_memory_equal(h, ops[i].hash, 32);
		if (i == 1) {
			/* Op 2 is §2's example: device a1, seq 2, name = 李明,
			 * replacing (a1, 1); in its envelope form, after
			 * version, seq, HLC time and record (1 + 8 + 8 + 16
			 * bytes), come its texts, then one prev id. */
			assert_int_equal(n, 33 + (sizeof example_tail - 1) / 2);
			sodium_bin2hex(hex, sizeof hex, p + 4 + 33, n - 33);
			assert_string_equal(hex, example_tail);
			assert_memory_equal(p + 4, "\x01\0\0\0\0\0\0\0\x02", 9);
		}
		p += 4 + n;
	}
	free(env);
}

/* Ops written by one store travel in an envelope to another, which merges
 * them into the same records: the canonical dumps are identical. */
typedef struct collected {
	hearth_op ops[32];
	char *texts[96];
	hearth_op_id prev[32][4];
	size_t n, nt;
} collected;

static char *keep(collected *c, const char *s)
{
	if (s == NULL)
		return NULL;
	assert_true(c->nt < 96);
	return c->texts[c->nt++] = strdup(s);
}

static int collect(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		   void *ctx)
{
	collected *c = ctx;
	hearth_op *o = &c->ops[c->n];

	(void)arrival;
	(void)state;
	assert_true(c->n < 32 && op->nprev <= 4);
	*o = *op;
	o->kind = keep(c, op->kind);
	o->field = keep(c, op->field);
	o->value = keep(c, op->value);
	if (op->nprev > 0)
		memcpy(c->prev[c->n], op->prev, op->nprev * sizeof *op->prev);
	o->prev = c->prev[c->n];
	c->n++;
	return 0;
}

static void open_store(sqlite3 **db, hearth_store **s)
{
	assert_int_equal(sqlite3_open(":memory:", db), SQLITE_OK);
	OK(hearth_schema_migrate(*db, hearth_schema_latest()));
	OK(hearth_store_open(*db, NULL, s));
}

static void test_store_to_store(void **state)
{
	const keys *k = *state;
	collected *c = calloc(1, sizeof *c);
	sqlite3 *da, *db;
	hearth_store *a, *b;
	hearth_envelope_batch batch;
	hearth_id space, p1, p2;
	char *dump_a, *dump_b;
	size_t la, lb, len, i;
	uint8_t *env = NULL;

	assert_non_null(c);
	open_store(&da, &a);
	open_store(&db, &b);
	space = hearth_store_private_space(a);
	OK(hearth_record_create(a, &space, "person", &p1));
	OK(hearth_record_set(a, &p1, "name", "王芳"));
	OK(hearth_record_set(a, &p1, "name", "王芳芳"));
	OK(hearth_record_set(a, &p1, "unit", NULL));
	OK(hearth_record_create(a, &space, "person", &p2));
	OK(hearth_record_delete(a, &p2));
	OK(hearth_store_ops(a, hearth_store_device(a), 1, 0, collect, c));
	assert_int_equal(c->n, 6);
	OK(hearth_envelope_seal(c->ops, c->n, &space, EPOCH, k->key, k->sk, &env, &len));
	OK(open_with(env, len, k->pk, k->key, &batch));
	for (i = 0; i < c->n; i++)
		assert_same_op(&c->ops[i], &batch.ops[i]);
	OK(hearth_store_apply(b, batch.ops, batch.n, NULL));
	OK(hearth_store_dump(a, &dump_a, &la));
	OK(hearth_store_dump(b, &dump_b, &lb));
	assert_int_equal(la, lb);
	assert_memory_equal(dump_a, dump_b, la);
	free(dump_a);
	free(dump_b);
	hearth_envelope_batch_release(&batch);
	free(env);
	for (i = 0; i < c->nt; i++)
		free(c->texts[i]);
	free(c);
	hearth_store_close(a);
	hearth_store_close(b);
	sqlite3_close(da);
	sqlite3_close(db);
}

/* ---- refusals --------------------------------------------------------- */

static void test_seal_refusals(void **state)
{
	const keys *k = *state;
	hearth_op ops[4];
	uint8_t *env = NULL;
	size_t len;

	make_ops(ops, 3, DEV, 1, &k->space);
	assert_refused(hearth_envelope_seal(ops, 0, &k->space, EPOCH, k->key, k->sk,
					    &env, &len),
		       HEARTH_EINVAL, "no ops or no key given");
	ops[3] = ops[1]; /* seq 2 again after seq 3 */
	assert_refused(hearth_envelope_seal(ops, 4, &k->space, EPOCH, k->key, k->sk,
					    &env, &len),
		       HEARTH_EINVAL, "is not after the op before it in its envelope");
	ops[3] = ops[2]; /* seq 3 twice */
	assert_refused(hearth_envelope_seal(ops, 4, &k->space, EPOCH, k->key, k->sk,
					    &env, &len),
		       HEARTH_EINVAL, "is not after the op before it in its envelope");
	/* A data op at epoch 0, the control plane, and a control op at a
	 * data epoch. */
	assert_refused(hearth_envelope_seal(ops, 3, &k->space, 0, k->key, k->sk,
					    &env, &len),
		       HEARTH_EINVAL, "is not of its envelope's plane");
	ops[3] = make_op(DEV, 9, &k->space);
	ops[3].kind = HEARTH_KIND_MEMBER;
	hearth_op_seal(&ops[3]);
	assert_refused(hearth_envelope_seal(ops, 4, &k->space, EPOCH, k->key, k->sk,
					    &env, &len),
		       HEARTH_EINVAL, "is not of its envelope's plane");
	ops[2] = make_op(DEV2, 3, &k->space);
	assert_refused(hearth_envelope_seal(ops, 3, &k->space, EPOCH, k->key, k->sk,
					    &env, &len),
		       HEARTH_EINVAL, "is from another device than its envelope");
	ops[2] = make_op(DEV, 3, &k->space2);
	assert_refused(hearth_envelope_seal(ops, 3, &k->space, EPOCH, k->key, k->sk,
					    &env, &len),
		       HEARTH_EINVAL, "is of another space than its envelope");
	ops[2] = make_op(DEV, 3, &k->space);
	ops[2].field = "_secret";
	hearth_op_seal(&ops[2]);
	assert_refused(hearth_envelope_seal(ops, 3, &k->space, EPOCH, k->key, k->sk,
					    &env, &len),
		       HEARTH_EINVAL, "writes a reserved field name");
	assert_null(env);
}

/* Every single flipped bit of an envelope is refused, whichever byte. */
static void test_every_flipped_byte(void **state)
{
	const keys *k = *state;
	hearth_envelope_batch b;
	hearth_op ops[2];
	size_t len, i;
	uint8_t *env;
	int bit;

	make_ops(ops, 2, DEV, 1, &k->space);
	env = seal(k, ops, 2, &len);
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit += 7) {
			hearth_status st;

			env[i] ^= (uint8_t)(1u << bit);
			st = open_with(env, len, k->pk, k->key, &b);
			env[i] ^= (uint8_t)(1u << bit);
			if (st == HEARTH_OK)
				fail_msg("byte %zu bit %d flipped and accepted", i, bit);
			assert_null(b.ops);
			assert_int_equal(b.n, 0);
		}
	/* Where each lands: the magic, the version, the signed header, the
	 * ciphertext, the signature. */
	env[0] ^= 1;
	assert_refused(open_with(env, len, k->pk, k->key, &b), HEARTH_EFORMAT,
		       "it is not an envelope");
	env[0] ^= 1;
	env[8] = 3;
	assert_refused(open_with(env, len, k->pk, k->key, &b), HEARTH_ENEWER,
		       "it was made by a newer version of Hearth");
	env[8] = 0;
	assert_refused(open_with(env, len, k->pk, k->key, &b), HEARTH_EFORMAT,
		       "it has an unknown format version");
	/* Format 1 (ops carrying device, space and hash, the whole envelope
	 * signed) is no longer read. */
	env[8] = 1;
	assert_refused(open_with(env, len, k->pk, k->key, &b), HEARTH_EFORMAT,
		       "it has an unknown format version");
	env[8] = 2;
	{
		/* Space, epoch, device, key check, nonce, ciphertext, tag,
		 * signature. */
		const size_t at[] = { 9, 32, 40, 60, 80, 120, len - SIG - 1, len - 1 };

		for (i = 0; i < sizeof at / sizeof at[0]; i++) {
			env[at[i]] ^= 0x10;
			assert_refused(open_with(env, len, k->pk, k->key, &b), HEARTH_EAUTH,
				       "its signature does not verify");
			env[at[i]] ^= 0x10;
		}
	}
	env[100] ^= 1;
	assert_refused(open_with(env, len, k->pk, k->key, &b), HEARTH_EFORMAT,
		       env[100] & 1 ? "it is truncated" : "it has bytes after its signature");
	env[100] ^= 1;
	env[97] = 0xff;
	assert_refused(open_with(env, len, k->pk, k->key, &b), HEARTH_EFORMAT,
		       "it is over the size limit");
	free(env);
}

/* Truncated at any length, an envelope is refused as truncated; one byte
 * too many as such. */
static void test_every_truncation(void **state)
{
	const keys *k = *state;
	hearth_envelope_batch b;
	hearth_envelope_info info;
	hearth_op ops[2];
	size_t len, i;
	uint8_t *env, *longer;

	make_ops(ops, 2, DEV, 1, &k->space);
	env = seal(k, ops, 2, &len);
	for (i = 0; i < len; i++) {
		/* A copy of exactly i bytes, so ASan sees any read past it. */
		uint8_t *cut = malloc(i + 1);

		memcpy(cut, env, i);
		assert_refused(open_with(cut, i, k->pk, k->key, &b), HEARTH_EFORMAT,
			       "it is truncated");
		assert_refused(hearth_envelope_peek(cut, i, &info), HEARTH_EFORMAT,
			       "it is truncated");
		free(cut);
	}
	longer = malloc(len + 1);
	memcpy(longer, env, len);
	longer[len] = 0;
	assert_refused(open_with(longer, len + 1, k->pk, k->key, &b), HEARTH_EFORMAT,
		       "it has bytes after its signature");
	free(longer);
	OK(hearth_envelope_peek(env, len, &info));
	assert_int_equal(info.size, len);
	assert_int_equal(info.last_seq, 2);
	free(env);
}

/* Re-signs env after its header was changed, as a member holding the
 * author's key could: then the AEAD's associated data is what refuses. */
static void resign(uint8_t *env, size_t len, const uint8_t *sk)
{
	envelope_resign(env, len, sk);
}

static void test_swapped_header_fields(void **state)
{
	const keys *k = *state;
	hearth_envelope_batch b;
	hearth_op ops[2];
	static const size_t fields[] = { 25, 33, 41 }; /* epoch, device, first */
	size_t len, i;
	uint8_t *env, orig[HEADER];

	make_ops(ops, 2, DEV, 1, &k->space);
	env = seal(k, ops, 2, &len);
	memcpy(orig, env, HEADER);
	for (i = 0; i < 3; i++) {
		/* Unsigned: the signature refuses. */
		env[fields[i] + 7] ^= 4;
		if (fields[i] == 41)
			env[49 + 7] ^= 4; /* keep the range's length */
		assert_refused(open_with(env, len, k->pk, k->key, &b), HEARTH_EAUTH,
			       "its signature does not verify");
		/* Re-signed (and the key check recomputed, as a member
		 * holding the epoch key could): decryption refuses. */
		doc_keycheck(env + 57, &k->space, env[25 + 7], k->key);
		resign(env, len, k->sk);
		assert_refused(open_with(env, len, k->pk, k->key, &b), HEARTH_EAUTH,
			       "it does not decrypt with its header as associated data");
		memcpy(env, orig, HEADER);
		resign(env, len, k->sk);
		OK(open_with(env, len, k->pk, k->key, &b));
		hearth_envelope_batch_release(&b);
	}
	/* Another space, re-signed with its key check: the same. */
	memcpy(env + 9, k->space2.b, 16);
	doc_keycheck(env + 57, &k->space2, EPOCH, k->key);
	resign(env, len, k->sk);
	assert_refused(open_with(env, len, k->pk, k->key, &b), HEARTH_EAUTH,
		       "it does not decrypt with its header as associated data");
	/* Another epoch without its key check: the key does not fit. */
	memcpy(env, orig, HEADER);
	env[25 + 7] ^= 1;
	resign(env, len, k->sk);
	assert_refused(open_with(env, len, k->pk, k->key, &b), HEARTH_EAUTH,
		       "it was sealed under another key for its epoch");
	free(env);
}

static void test_keys(void **state)
{
	const keys *k = *state;
	trust_ctx t = { .pk = k->pk, .key = k->key };
	hearth_envelope_trust tr = { t_device_key, t_epoch_key, &t };
	hearth_envelope_batch b;
	hearth_op ops[3];
	size_t len, len2;
	uint8_t *env, *env2 = NULL;

	make_ops(ops, 3, DEV, 4, &k->space);
	env = seal(k, ops, 3, &len);
	/* The receiver is asked about the header's device, range and epoch. */
	OK(hearth_envelope_open(env, len, &tr, &b));
	assert_int_equal(t.seen.device, DEV);
	assert_int_equal(t.seen.first_seq, 4);
	assert_int_equal(t.seen.last_seq, 6);
	assert_int_equal(t.seen.epoch, EPOCH);
	hearth_envelope_batch_release(&b);
	/* A device the receiver does not know, or refuses. */
	assert_refused(open_with(env, len, NULL, k->key, &b), HEARTH_EAUTH,
		       "its device is unknown or may not write to its space at its epoch");
	/* Another device's key: the signature is not its. */
	assert_refused(open_with(env, len, k->pk2, k->key, &b), HEARTH_EAUTH,
		       "its signature does not verify");
	/* The epoch key is not asked for before the signature holds. */
	t.pk = k->pk2;
	t.asked_key = 0;
	assert_int_equal(hearth_envelope_open(env, len, &tr, &b), HEARTH_EAUTH);
	assert_int_equal(t.asked_key, 0);
	/* Signed by another device in the author's name. */
	OK(hearth_envelope_seal(ops, 3, &k->space, EPOCH, k->key, k->sk2, &env2, &len2));
	assert_refused(open_with(env2, len2, k->pk, k->key, &b), HEARTH_EAUTH,
		       "its signature does not verify");
	/* No key for the epoch, or another one. */
	assert_refused(open_with(env, len, k->pk, NULL, &b), HEARTH_ENOTFOUND,
		       "there is no key for its space at its epoch");
	assert_refused(open_with(env, len, k->pk, k->key2, &b), HEARTH_EAUTH,
		       "it was sealed under another key for its epoch");
	assert_int_equal(hearth_envelope_open(env, len, NULL, &b), HEARTH_EINVAL);
	free(env);
	free(env2);
}

/* A replayed envelope has the id it had; a fresh seal of the same ops has
 * another (a new nonce), and both open to the same ops. */
static void test_replay_ids(void **state)
{
	const keys *k = *state;
	uint8_t id1[32], id2[32], id3[32];
	hearth_envelope_batch b1, b2;
	hearth_op ops[3];
	size_t len1, len2, i;
	uint8_t *e1, *e2, *copy;

	make_ops(ops, 3, DEV, 1, &k->space);
	e1 = seal(k, ops, 3, &len1);
	e2 = seal(k, ops, 3, &len2);
	copy = malloc(len1);
	memcpy(copy, e1, len1);
	hearth_envelope_id(e1, len1, id1);
	hearth_envelope_id(copy, len1, id2);
	hearth_envelope_id(e2, len2, id3);
	assert_memory_equal(id1, id2, 32);
	assert_memory_not_equal(id1, id3, 32);
	OK(open_with(e1, len1, k->pk, k->key, &b1));
	OK(open_with(e2, len2, k->pk, k->key, &b2));
	assert_memory_not_equal(b1.id, b2.id, 32);
	for (i = 0; i < 3; i++)
		assert_same_op(&b1.ops[i], &b2.ops[i]);
	hearth_envelope_batch_release(&b1);
	hearth_envelope_batch_release(&b2);
	free(e1);
	free(e2);
	free(copy);
}

/* Correctly signed and encrypted envelopes whose ops do not match their
 * header, or are malformed: each refused with its reason, nothing given. */
static void test_ops_against_header(void **state)
{
	const keys *k = *state;
	hearth_envelope_batch b;
	hearth_op ops[4], bad;
	uint8_t plain[4096], *env;
	size_t len, content, used, i;

#define REFUSED(e, l, st, why) do { \
	assert_refused(open_with((e), (l), k->pk, k->key, &b), (st), (why)); \
	assert_null(b.ops); \
	free(e); \
} while (0)

	make_ops(ops, 4, DEV, 1, &k->space);
	/* Well formed, as a check of crafted() itself. */
	env = crafted_ops(k, DEV, 1, 3, ops, 3, &len);
	OK(open_with(env, len, k->pk, k->key, &b));
	assert_int_equal(b.n, 3);
	hearth_envelope_batch_release(&b);
	free(env);

	/* Room for a fourth op (a long value), but no fourth op. */
	bad = ops[2];
	memset(plain, 'v', 600);
	plain[600] = '\0';
	ops[2].value = (const char *)plain;
	hearth_op_seal(&ops[2]);
	env = crafted_ops(k, DEV, 1, 4, ops, 3, &len);
	ops[2] = bad;
	REFUSED(env, len, HEARTH_EFORMAT, "its ops end before its header's last seq");
	env = crafted_ops(k, DEV, 1, 2, ops, 3, &len);
	REFUSED(env, len, HEARTH_EFORMAT, "is past its envelope's last seq");
	assert_string_equal(hearth_errdetail(), "envelope from device 00000000000000a1 "
			    "refused: op 2 is past its envelope's last seq");
	env = crafted_ops(k, DEV, 2, 4, ops, 3, &len);
	REFUSED(env, len, HEARTH_EFORMAT, "does not start at its envelope's first seq");
	/* Seqs 1, 2, 4 under a header 1..4 are fine (a gap: seq 3 went to
	 * another space); 1, 4, 2 are not. */
	bad = ops[2];
	ops[2] = ops[3];
	env = crafted_ops(k, DEV, 1, 4, ops, 3, &len);
	OK(open_with(env, len, k->pk, k->key, &b));
	assert_int_equal(b.n, 3);
	assert_int_equal(b.ops[2].id.seq, 4);
	hearth_envelope_batch_release(&b);
	free(env);
	ops[1] = ops[3];
	ops[2] = make_op(DEV, 2, &k->space);
	env = crafted_ops(k, DEV, 1, 4, ops, 3, &len);
	REFUSED(env, len, HEARTH_EFORMAT, "is not after the op before it in its envelope");
	ops[1] = ops[2];
	ops[2] = bad;
	/* A data op in a control-plane envelope (epoch 0, readable by all):
	 * refused, so a member's writing cannot be made public that way. */
	{
		uint8_t key0[32], pl[4096];
		size_t c, u = doc_plaintext(ops, 1, pl, &c);

		hearth_envelope_control_key(&k->space, key0);
		memset(pl + u, 0, (size_t)hearth_padme(u) - u);
		env = crafted(&k->space, 0, DEV, 1, 1, pl, (size_t)hearth_padme(u),
			      key0, k->sk, &len);
		REFUSED(env, len, HEARTH_EFORMAT, "is not of its envelope's plane");
	}
	/* An op's device and space are the header's, whatever the sender
	 * held (the envelope form has no room for others): ops of DEV under
	 * a header naming DEV2, signed with the key the trust gives for
	 * DEV2, are DEV2's, their HLCs too (they name the header's device). */
	env = crafted_ops(k, DEV2, 1, 3, ops, 3, &len);
	OK(open_with(env, len, k->pk, k->key, &b));
	for (i = 0; i < 3; i++) {
		assert_int_equal(b.ops[i].id.device, DEV2);
		assert_int_equal(hearth_hlc_device(&b.ops[i].hlc), DEV2);
		assert_memory_equal(b.ops[i].hlc.b, ops[i].hlc.b, 8);
	}
	hearth_envelope_batch_release(&b);
	free(env);
	/* An op of another space is taken as the header's; and its hash is
	 * the receiver's own, computed from what arrived, never sent. */
	ops[1] = make_op(DEV, 2, &k->space2);
	ops[1].hash[5] ^= 1;
	env = crafted_ops(k, DEV, 1, 3, ops, 3, &len);
	OK(open_with(env, len, k->pk, k->key, &b));
	assert_int_equal(b.n, 3);
	for (i = 0; i < 3; i++) {
		hearth_op again = b.ops[i];

		assert_int_equal(b.ops[i].id.device, DEV);
		assert_memory_equal(b.ops[i].space.b, k->space.b, 16);
		hearth_op_seal(&again); /* its hash, from its fields */
		assert_memory_equal(b.ops[i].hash, again.hash, HEARTH_OP_HASH_BYTES);
	}
	assert_memory_not_equal(b.ops[1].hash, ops[1].hash, HEARTH_OP_HASH_BYTES);
	hearth_envelope_batch_release(&b);
	free(env);
	ops[1] = make_op(DEV, 2, &k->space);
	ops[1].kind = "";
	hearth_op_seal(&ops[1]);
	env = crafted_ops(k, DEV, 1, 3, ops, 3, &len);
	REFUSED(env, len, HEARTH_EFORMAT, "has no kind");
	ops[1] = make_op(DEV, 2, &k->space);

	/* Byte-level damage inside the plaintext, re-encrypted and re-signed. */
	used = doc_plaintext(ops, 1, plain, &content);
	memset(plain + used, 0, sizeof plain - used);
	/* Padding: not zero, or not the PADMÉ length.  (One op's plaintext
	 * may be a PADMÉ length already, without padding: the first number
	 * of ops whose plaintext is not carries a non-zero padding byte.) */
	{
		uint8_t pl[4096];
		size_t c, u = 0, nops;

		for (nops = 1; nops <= 3; nops++) {
			u = doc_plaintext(ops, nops, pl, &c);
			if (hearth_padme(u) > u)
				break;
		}
		assert_true(nops <= 3);
		memset(pl + u, 0, sizeof pl - u);
		pl[u] = 1;
		env = crafted(&k->space, EPOCH, DEV, 1, nops, pl, (size_t)hearth_padme(u),
			      k->key, k->sk, &len);
		REFUSED(env, len, HEARTH_EFORMAT, "its padding is malformed");
	}
	env = crafted(&k->space, EPOCH, DEV, 1, 1, plain, (size_t)hearth_padme(used) + 8,
		      k->key, k->sk, &len);
	REFUSED(env, len, HEARTH_EFORMAT, "its padding is malformed");
	/* The op's version byte (after the plaintext's and the op's lengths). */
	plain[8] = 2;
	env = crafted(&k->space, EPOCH, DEV, 1, 1, plain, (size_t)hearth_padme(used),
		      k->key, k->sk, &len);
	REFUSED(env, len, HEARTH_EFORMAT, "has an unknown op format version");
	plain[8] = 1;
	/* A NUL inside the kind "person" (its text starts at 8 + 33 + 4). */
	plain[8 + 33 + 4 + 2] = 0;
	env = crafted(&k->space, EPOCH, DEV, 1, 1, plain, (size_t)hearth_padme(used),
		      k->key, k->sk, &len);
	REFUSED(env, len, HEARTH_EFORMAT, "has a text with a NUL byte");
	plain[8 + 33 + 4 + 2] = 'r';
	/* The value flag after "person" and "_kind" (5 bytes). */
	plain[8 + 33 + 10 + 9] = 2;
	env = crafted(&k->space, EPOCH, DEV, 1, 1, plain, (size_t)hearth_padme(used),
		      k->key, k->sk, &len);
	REFUSED(env, len, HEARTH_EFORMAT, "has a malformed value flag");
	plain[8 + 33 + 10 + 9] = 1;
	/* The op's length one short, or one too long. */
	plain[7]--;
	env = crafted(&k->space, EPOCH, DEV, 1, 1, plain, (size_t)hearth_padme(used),
		      k->key, k->sk, &len);
	REFUSED(env, len, HEARTH_EFORMAT, "is truncated");
	plain[7] += 2;
	env = crafted(&k->space, EPOCH, DEV, 1, 1, plain, (size_t)hearth_padme(used),
		      k->key, k->sk, &len);
	REFUSED(env, len, HEARTH_EFORMAT, "is truncated");
	plain[7]--;
	/* Still well formed after all that. */
	env = crafted(&k->space, EPOCH, DEV, 1, 1, plain, (size_t)hearth_padme(used),
		      k->key, k->sk, &len);
	OK(open_with(env, len, k->pk, k->key, &b));
	hearth_envelope_batch_release(&b);
	free(env);
#undef REFUSED
}

/* A header claiming more ops than its ciphertext could hold is refused
 * before any key is asked for or anything allocated. */
static void test_header_claims(void **state)
{
	const keys *k = *state;
	hearth_envelope_info info;
	hearth_op ops[1];
	size_t len;
	uint8_t *env;

	make_ops(ops, 1, DEV, 1, &k->space);
	env = seal(k, ops, 1, &len);
	w64(env + 49, UINT64_C(1000000));
	assert_refused(hearth_envelope_peek(env, len, &info), HEARTH_EFORMAT,
		       "it claims more ops than it holds");
	w64(env + 49, 0);
	assert_refused(hearth_envelope_peek(env, len, &info), HEARTH_EFORMAT,
		       "its header is malformed");
	w64(env + 49, 1);
	w64(env + 33, 0);
	assert_refused(hearth_envelope_peek(env, len, &info), HEARTH_EFORMAT,
		       "its header is malformed");
	free(env);
}

/* The control plane: epoch 0, kinds space, member and epoch, under the
 * key docs/protocol.md §7.1 derives from the space id alone, so the
 * receiver is never asked for a key and anyone holding the envelope reads
 * it (here: libsodium directly, from the document). */
static void test_control_plane(void **state)
{
	const keys *k = *state;
	trust_ctx t = { .pk = k->pk, .key = NULL };
	hearth_envelope_trust tr = { t_device_key, t_epoch_key, &t };
	static const char *const kinds[] = { "space", "member", "epoch" };
	uint8_t key0[32], doc0[32], msg[21 + 16], plain[4096];
	hearth_envelope_batch b;
	hearth_op ops[3];
	size_t len, clen, i;
	uint8_t *env;

	memcpy(msg, "hearth control key v1", 21);
	memcpy(msg + 21, k->space.b, 16);
	crypto_generichash(doc0, 32, msg, sizeof msg, NULL, 0);
	hearth_envelope_control_key(&k->space, key0);
	assert_memory_equal(key0, doc0, 32);
	for (i = 0; i < 3; i++) {
		ops[i] = make_op(DEV, 10 + 3 * i, &k->space);
		ops[i].kind = kinds[i];
		ops[i].field = "role";
		ops[i].value = "lead";
		hearth_op_seal(&ops[i]);
		assert_true(hearth_kind_is_control(kinds[i]));
	}
	assert_false(hearth_kind_is_control("person"));
	assert_false(hearth_kind_is_control(NULL));
	OK(hearth_envelope_seal(ops, 3, &k->space, 0, key0, k->sk, &env, &len));
	OK(hearth_envelope_open(env, len, &tr, &b));
	assert_int_equal(t.asked_key, 0);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.info.epoch, 0);
	hearth_envelope_batch_release(&b);
	clen = (size_t)env[97] << 24 | (size_t)env[98] << 16 | (size_t)env[99] << 8 | env[100];
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(
		plain, NULL, NULL, env + HEADER, clen, env, 57, env + 73, doc0), 0);
	/* Still signed: another device's key does not verify it. */
	t.pk = k->pk2;
	assert_int_equal(hearth_envelope_open(env, len, &tr, &b), HEARTH_EAUTH);
	free(env);
}

/* ---- bundles ------------------------------------------------------------ */

/* A bundle of three envelopes (two authors) in memory; *len its size. */
static char *make_bundle(const keys *k, size_t *len, uint8_t **envs, size_t *lens)
{
	hearth_bundle_writer *w;
	hearth_op ops[5];
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	size_t i;

	assert_non_null(f);
	make_ops(ops, 5, DEV, 1, &k->space);
	envs[0] = seal(k, ops, 2, &lens[0]);
	envs[1] = seal(k, ops + 2, 3, &lens[1]);
	make_ops(ops, 2, DEV2, 1, &k->space);
	OK(hearth_envelope_seal(ops, 2, &k->space, EPOCH, k->key, k->sk2, &envs[2],
				&lens[2]));
	OK(hearth_bundle_writer_open(f, &w));
	for (i = 0; i < 3; i++)
		OK(hearth_bundle_writer_add(w, envs[i], lens[i]));
	OK(hearth_bundle_writer_finish(w));
	assert_int_equal(hearth_bundle_writer_finish(w), HEARTH_ESTATE);
	assert_int_equal(hearth_bundle_writer_add(w, envs[0], lens[0]), HEARTH_ESTATE);
	hearth_bundle_writer_free(w);
	fclose(f);
	return buf;
}

static hearth_status check_mem(const void *buf, size_t len, uint64_t *count)
{
	/* fmemopen refuses a size of 0: read an empty file from /dev/null. */
	FILE *f = len > 0 ? fmemopen((void *)buf, len, "rb") : fopen("/dev/null", "rb");
	hearth_status st;

	assert_non_null(f);
	st = hearth_bundle_check(f, count);
	fclose(f);
	return st;
}

static void test_bundle_round_trip(void **state)
{
	const keys *k = *state;
	hearth_bundle_reader *r;
	hearth_envelope_batch b;
	uint8_t *envs[3];
	size_t lens[3], len, n, i;
	const uint8_t *env;
	uint64_t count;
	char *buf = make_bundle(k, &len, envs, lens);
	FILE *f;

	assert_int_equal(len, 9 + 3 * 4 + lens[0] + lens[1] + lens[2] + 4 + 8 + 32);
	OK(check_mem(buf, len, &count));
	assert_int_equal(count, 3);
	/* Each envelope comes back byte for byte (so anyone can forward it),
	 * and opens with its author's key. */
	f = fmemopen(buf, len, "rb");
	OK(hearth_bundle_reader_open(f, &r));
	for (i = 0; i < 3; i++) {
		OK(hearth_bundle_reader_next(r, &env, &n));
		assert_non_null(env);
		assert_int_equal(n, lens[i]);
		assert_memory_equal(env, envs[i], n);
		OK(open_with(env, n, i < 2 ? k->pk : k->pk2, k->key, &b));
		hearth_envelope_batch_release(&b);
	}
	OK(hearth_bundle_reader_next(r, &env, &n));
	assert_null(env);
	OK(hearth_bundle_reader_next(r, &env, &n)); /* the end stays the end */
	assert_null(env);
	hearth_bundle_reader_free(r);
	fclose(f);
	for (i = 0; i < 3; i++)
		free(envs[i]);
	free(buf);

	/* An empty bundle is whole. */
	{
		char *e = NULL;
		size_t el;
		hearth_bundle_writer *w;

		f = open_memstream(&e, &el);
		OK(hearth_bundle_writer_open(f, &w));
		OK(hearth_bundle_writer_finish(w));
		hearth_bundle_writer_free(w);
		fclose(f);
		assert_int_equal(el, 9 + 4 + 8 + 32);
		OK(check_mem(e, el, &count));
		assert_int_equal(count, 0);
		free(e);
	}
}

/* Cut at any length, or with any byte flipped, a bundle is refused by
 * the check before a caller would apply anything. */
static void test_bundle_damage(void **state)
{
	const keys *k = *state;
	uint8_t *envs[3];
	size_t lens[3], len, i;
	char *buf = make_bundle(k, &len, envs, lens);

	for (i = 0; i < len; i++) {
		char *cut = malloc(i + 1);

		memcpy(cut, buf, i);
		assert_refused(check_mem(cut, i, NULL), HEARTH_EFORMAT, "it is truncated");
		free(cut);
	}
	for (i = 0; i < len; i++) {
		hearth_status st;

		buf[i] ^= 0x01;
		st = check_mem(buf, len, NULL);
		buf[i] ^= 0x01;
		if (st == HEARTH_OK)
			fail_msg("byte %zu flipped and the bundle accepted", i);
	}
	/* Named failures. */
	buf[0] = 'X';
	assert_refused(check_mem(buf, len, NULL), HEARTH_EFORMAT, "it is not a Hearth bundle");
	buf[0] = 'H';
	buf[8] = 2;
	assert_refused(check_mem(buf, len, NULL), HEARTH_ENEWER,
		       "it was made by a newer version of Hearth");
	buf[8] = 0;
	assert_refused(check_mem(buf, len, NULL), HEARTH_EFORMAT,
		       "it has an unknown format version");
	buf[8] = 1;
	buf[9 + 4 + 20] ^= 1; /* inside the first envelope's signed header */
	assert_refused(check_mem(buf, len, NULL), HEARTH_EFORMAT,
		       "it is damaged: its checksum does not match");
	buf[9 + 4 + 20] ^= 1;
	{
		char *longer = malloc(len + 1);

		memcpy(longer, buf, len);
		longer[len] = 0;
		assert_refused(check_mem(longer, len + 1, NULL), HEARTH_EFORMAT,
			       "it has bytes after its end");
		free(longer);
	}
	OK(check_mem(buf, len, NULL));
	for (i = 0; i < 3; i++)
		free(envs[i]);
	free(buf);
}

/* Hostile framing: a length over the limit is refused before anything is
 * allocated for it; an item that is not an envelope, and a count that
 * does not match (with a checksum that does), are refused by name. */
static void test_bundle_hostile(void **state)
{
	const keys *k = *state;
	uint8_t file[4096], *p, hash[32];
	uint8_t *envs[3];
	size_t lens[3], len, i;
	char *buf = make_bundle(k, &len, envs, lens);
	hearth_bundle_writer *w;
	FILE *f;

	memcpy(file, "HEARTHBN\x01", 9);
	w32(file + 9, 0xffffffffu);
	assert_refused(check_mem(file, 13, NULL), HEARTH_EFORMAT,
		       "it holds an envelope over the size limit");
	w32(file + 9, HEARTH_ENVELOPE_MAX + 1);
	assert_refused(check_mem(file, 13, NULL), HEARTH_EFORMAT,
		       "it holds an envelope over the size limit");
	/* An item of 10 bytes that is no envelope. */
	w32(file + 9, 10);
	memset(file + 13, 'z', 10);
	assert_refused(check_mem(file, 23, NULL), HEARTH_EFORMAT, "it is not an envelope");
	/* A count of 2 for one envelope, the checksum made to match. */
	p = file + 9;
	p = w32(p, (uint32_t)lens[0]);
	memcpy(p, envs[0], lens[0]);
	p = w32(p + lens[0], 0);
	p = w64(p, 2);
	crypto_generichash(hash, 32, file, (size_t)(p - file), NULL, 0);
	memcpy(p, hash, 32);
	assert_refused(check_mem(file, (size_t)(p - file) + 32, NULL), HEARTH_EFORMAT,
		       "its count does not match its envelopes");
	/* The writer takes only envelopes. */
	f = fopen("/dev/null", "wb");
	OK(hearth_bundle_writer_open(f, &w));
	assert_refused(hearth_bundle_writer_add(w, file, 23), HEARTH_EFORMAT,
		       "it is not an envelope");
	hearth_bundle_writer_free(w);
	fclose(f);
	/* Not a bundle at all, long or short. */
	assert_refused(check_mem("SQLite format 3", 15, NULL), HEARTH_EFORMAT,
		       "it is not a Hearth bundle");
	assert_refused(check_mem("hi", 2, NULL), HEARTH_EFORMAT,
		       "it is not a Hearth bundle");
	assert_refused(check_mem("HEARTHBN", 8, NULL), HEARTH_EFORMAT,
		       "it is truncated");
	for (i = 0; i < 3; i++)
		free(envs[i]);
	free(buf);
}

/* Refusals read in Chinese where the user's language is Chinese: the
 * reason is translated inside the sentence, the device id kept. */
static void test_refusals_in_chinese(void **state)
{
	const keys *k = *state;
	hearth_envelope_batch b;
	hearth_op ops[2];
	size_t len;
	uint8_t *env;

	make_ops(ops, 2, DEV, 1, &k->space);
	env = seal(k, ops, 2, &len);
	use_language("zh_CN");
	assert_int_equal(open_with(env, len, k->pk2, k->key, &b), HEARTH_EAUTH);
	assert_string_equal(hearth_errdetail_local(),
			    "来自设备 00000000000000a1 的信封被拒绝：签名验证失败");
	assert_int_equal(open_with(env, len - 1, k->pk, k->key, &b), HEARTH_EFORMAT);
	assert_string_equal(hearth_errdetail_local(), "信封被拒绝：内容不完整（被截断）");
	assert_int_equal(check_mem("HEARTHBN", 8, NULL), HEARTH_EFORMAT);
	assert_string_equal(hearth_errdetail_local(), "同步包被拒绝：内容不完整（被截断）");
	use_language("en");
	assert_int_equal(open_with(env, len, k->pk2, k->key, &b), HEARTH_EAUTH);
	assert_string_equal(hearth_errdetail_local(),
			    "envelope from device 00000000000000a1 refused: its signature does not verify");
	free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_padme),
		cmocka_unit_test_setup_teardown(test_envelope_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_largest_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layout_matches_protocol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_to_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seal_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_flipped_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swapped_header_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ops_against_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_claims, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_plane, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_damage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_in_chinese, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
