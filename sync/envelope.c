/*
 * envelope.c - sealing ops into envelopes and opening them
 * (include/hearth/envelope.h; the format is docs/protocol.md §7).
 *
 * An envelope holds ops of one device, one space and one plane (control:
 * epoch 0, kinds space, member and epoch, under a key anyone can derive
 * from the space id; data: every other kind, at a non-zero epoch), with
 * seqs strictly increasing from first to last.  A device numbers its ops
 * densely across all its spaces, so its seqs in one space have gaps.
 *
 * An envelope of format 2, byte by byte:
 *
 *     0   8  magic "HEARTHEV"
 *     8   1  version (2)
 *     9  16  space id
 *    25   8  epoch
 *    33   8  author device
 *    41   8  first seq
 *    49   8  last seq          -- bytes 0..57 are the associated data
 *    57  16  key check: BLAKE2b-128 keyed with the epoch key of
 *            "HEARTHKC" || space || epoch
 *    73  24  nonce
 *    97   4  C: ciphertext bytes
 *   101   C  XChaCha20-Poly1305 of the padded plaintext (tag included)
 * 101+C  64  Ed25519 signature of "HEARTHES" || D, where D is the
 *            BLAKE2b-512 digest of bytes 0..101+C
 *
 * The plaintext is a 4-byte length, then per op a 4-byte length and its
 * envelope form: the canonical encoding (§2) less the author device (in
 * the op and in its HLC) and the space, which the header gives for every
 * op, with a one-byte prev count; then zero bytes up to the PADMÉ length
 * of the whole.  An op's hash is not sent: the receiver
 * computes it from the canonical encoding, which it rebuilds from the
 * envelope form and the header (op_hash_wire), so it is hearth_op_hash of
 * the op decoded (test_envelope checks it for every op it opens).
 *
 * The signature covers a digest, not the bytes: Ed25519 would hash the
 * whole envelope with SHA-512 twice to sign it and once to verify it;
 * BLAKE2b-512 hashes it once, faster, and the same digest gives the
 * envelope's id (hearth_envelope_id): one pass over the bytes on each
 * side.  docs/protocol.md §7.2 gives the security argument.
 *
 * The key check lets a receiver holding the wrong epoch key say so, instead
 * of reporting a damaged envelope; it is a keyed hash of public values and
 * says nothing of the key.  XChaCha20-Poly1305 alone cannot tell the two
 * apart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hearth/crypto.h"
#include "hearth/envelope.h"
#include "../crypto/aead_private.h"
#include "envelope_private.h"
#include "op_private.h"

/* Marks a reason for translation: hearth_fail shows it as a word of the
 * library's own ("%-s"), which the local detail translates. */
#define N_(s) (s)

#define OFF_VERSION 8u
#define OFF_SPACE 9u
#define OFF_EPOCH 25u
#define OFF_DEVICE 33u
#define OFF_FIRST 41u
#define OFF_LAST 49u
#define AD_BYTES 57u
#define OFF_KEYCHECK 57u
#define KEYCHECK_BYTES 16u
#define OFF_NONCE 73u
#define OFF_CLEN 97u
#define HEADER_BYTES 101u
#define SIG_BYTES 64u

/* The shortest envelope form of an op: format, seq, HLC time, record,
 * one-byte kind and field, no value, no prev.  In the plaintext an op
 * also takes its length. */
#define OP_MIN_BYTES (1u + 8u + 8u + 16u + 5u + 5u + 1u + 1u)
#define OP_WIRE_EXTRA 4u
#define DIGEST_BYTES HEARTH_ENVELOPE_DIGEST_BYTES

_Static_assert(HEARTH_EPOCH_KEYBYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES &&
	       HEARTH_EPOCH_KEYBYTES == HEARTH_KEYBYTES &&
	       HEARTH_SIGN_PUBLICBYTES == crypto_sign_PUBLICKEYBYTES &&
	       HEARTH_SIGN_SECRETBYTES == crypto_sign_SECRETKEYBYTES &&
	       SIG_BYTES == crypto_sign_BYTES &&
	       HEARTH_NONCEBYTES == OFF_CLEN - OFF_NONCE,
	       "the envelope is libsodium's XChaCha20-Poly1305 and Ed25519");

static const uint8_t env_magic[8] = { 'H', 'E', 'A', 'R', 'T', 'H', 'E', 'V' };
static const uint8_t keycheck_magic[8] = { 'H', 'E', 'A', 'R', 'T', 'H', 'K', 'C' };
/* What the signature signs, and the envelope id, before the digest. */
static const uint8_t sign_magic[8] = { 'H', 'E', 'A', 'R', 'T', 'H', 'E', 'S' };
static const uint8_t id_magic[8] = { 'H', 'E', 'A', 'R', 'T', 'H', 'E', 'I' };

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		(uint32_t)b[2] << 8 | b[3];
}

static void put64(uint8_t *b, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * (7 - i)));
}

static uint64_t get64(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

uint64_t hearth_padme(uint64_t len)
{
	unsigned e = 0, s = 0, last_bits;
	uint64_t mask;

	if (len < 2)
		return len;
	while ((len >> e) > 1)
		e++;            /* e = floor(log2 len) >= 1 */
	while ((e >> s) > 1)
		s++;
	s++;                    /* s = floor(log2 e) + 1 <= e */
	last_bits = e - s;
	mask = ((uint64_t)1 << last_bits) - 1;
	return (len + mask) & ~mask;
}

static size_t op_encoded_len(const hearth_op *op);

int hearth_kind_is_control(const char *kind)
{
	return kind != NULL && (strcmp(kind, HEARTH_KIND_SPACE) == 0 ||
				strcmp(kind, HEARTH_KIND_MEMBER) == 0 ||
				strcmp(kind, HEARTH_KIND_EPOCH) == 0);
}

void hearth_envelope_control_key(const hearth_id *space,
				 uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, HEARTH_EPOCH_KEYBYTES);
	crypto_generichash_update(&h, (const uint8_t *)HEARTH_CONTROL_KEY_LABEL,
				  sizeof HEARTH_CONTROL_KEY_LABEL - 1);
	crypto_generichash_update(&h, space->b, sizeof space->b);
	crypto_generichash_final(&h, key, HEARTH_EPOCH_KEYBYTES);
}

size_t hearth_envelope_op_bytes(const hearth_op *op)
{
	return OP_WIRE_EXTRA + op_encoded_len(op);
}

size_t hearth_envelope_size_for(size_t content)
{
	return HEADER_BYTES + (size_t)hearth_padme(4 + (uint64_t)content) +
		HEARTH_TAGBYTES + SIG_BYTES;
}

/* The bytes of env that its signature covers: all but the last SIG_BYTES
 * (all of them, for bytes too short to be an envelope). */
static size_t signed_len(size_t len)
{
	return len >= SIG_BYTES ? len - SIG_BYTES : len;
}

/* D, the digest the signature signs: BLAKE2b-512 of the signed bytes. */
static void env_digest(const uint8_t *env, size_t len, uint8_t d[DIGEST_BYTES])
{
	crypto_generichash(d, DIGEST_BYTES, env, signed_len(len), NULL, 0);
}

/* What the signature signs: "HEARTHES" || D. */
static void sign_message(uint8_t m[8 + DIGEST_BYTES], const uint8_t d[DIGEST_BYTES])
{
	memcpy(m, sign_magic, sizeof sign_magic);
	memcpy(m + sizeof sign_magic, d, DIGEST_BYTES);
}

/* The id: BLAKE2b-256 of "HEARTHEI" || D || the bytes after the signed
 * ones (the signature).  D binds every signed byte, so two envelopes
 * differing in any byte have two ids. */
static void id_of_digest(const uint8_t *env, size_t len, const uint8_t d[DIGEST_BYTES],
			 uint8_t id[HEARTH_ENVELOPE_ID_BYTES])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, HEARTH_ENVELOPE_ID_BYTES);
	crypto_generichash_update(&h, id_magic, sizeof id_magic);
	crypto_generichash_update(&h, d, DIGEST_BYTES);
	crypto_generichash_update(&h, env + signed_len(len), len - signed_len(len));
	crypto_generichash_final(&h, id, HEARTH_ENVELOPE_ID_BYTES);
}

void hearth_envelope_id_digest(const uint8_t *env, size_t len,
			       uint8_t id[HEARTH_ENVELOPE_ID_BYTES],
			       uint8_t digest[HEARTH_ENVELOPE_DIGEST_BYTES])
{
	env_digest(env, len, digest);
	id_of_digest(env, len, digest, id);
}

void hearth_envelope_id(const uint8_t *env, size_t len,
			uint8_t id[HEARTH_ENVELOPE_ID_BYTES])
{
	uint8_t d[DIGEST_BYTES];

	hearth_envelope_id_digest(env, len, id, d);
}

static void key_check(uint8_t out[KEYCHECK_BYTES], const hearth_id *space,
		      uint64_t epoch, const uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	crypto_generichash_state h;
	uint8_t eb[8];

	put64(eb, epoch);
	crypto_generichash_init(&h, key, HEARTH_EPOCH_KEYBYTES, KEYCHECK_BYTES);
	crypto_generichash_update(&h, keycheck_magic, sizeof keycheck_magic);
	crypto_generichash_update(&h, space->b, sizeof space->b);
	crypto_generichash_update(&h, eb, sizeof eb);
	crypto_generichash_final(&h, out, KEYCHECK_BYTES);
}

/* ---- An op's envelope form (docs/protocol.md §7.3) ----
 *
 *     0   1  op format (HEARTH_OP_FORMAT)
 *     1   8  seq
 *     9   8  hlc, its first 8 bytes (time and counter)
 *    17  16  record
 *    33      kind, field, value flag [, value]: as in the canonical
 *            encoding (§2)
 *             1  nprev (at most HEARTH_OP_PREV_MAX)
 *        16 × nprev  prev ids, as in the canonical encoding
 *
 * The canonical encoding is the same bytes with the author device after
 * the format, the HLC's last 8 bytes (the author device again) after its
 * first 8, the space before the record, and nprev in 8 bytes. */

#define WIRE_OFF_HLC 9u
#define WIRE_HLC_BYTES 8u
#define WIRE_OFF_RECORD 17u
#define WIRE_HEAD_BYTES 33u

static const uint8_t op_magic[8] = { 'H', 'E', 'A', 'R', 'T', 'H', 'O', 'P' };

/* The op's hash (§2.1), BLAKE2b-256("HEARTHOP" || canonical encoding),
 * taken over the n bytes of its envelope form at enc (its nprev byte at
 * enc[nprev_at]) and the device and space the header gives: the
 * canonical encoding has one form, so this is hearth_op_hash of the op
 * they encode, at a fraction of its cost (four updates instead of one per
 * field). */
static void op_hash_wire(const uint8_t *enc, size_t n, size_t nprev_at,
			 uint64_t device, const hearth_id *space,
			 uint8_t out[HEARTH_OP_HASH_BYTES])
{
	crypto_generichash_state h;
	/* "HEARTHOP", format, device, seq, HLC (16), space */
	uint8_t head[sizeof op_magic + 1 + 8 + 8 + 16 + HEARTH_ID_BYTES], *p = head;
	uint8_t nprev[8];

	memcpy(p, op_magic, sizeof op_magic);
	p += sizeof op_magic;
	*p++ = enc[0];
	put64(p, device);
	memcpy(p + 8, enc + 1, 8 + WIRE_HLC_BYTES);
	put64(p + 16 + WIRE_HLC_BYTES, device);
	memcpy(p + 32, space->b, HEARTH_ID_BYTES);
	put64(nprev, enc[nprev_at]);
	crypto_generichash_init(&h, NULL, 0, HEARTH_OP_HASH_BYTES);
	crypto_generichash_update(&h, head, sizeof head);
	crypto_generichash_update(&h, enc + WIRE_OFF_RECORD, nprev_at - WIRE_OFF_RECORD);
	crypto_generichash_update(&h, nprev, sizeof nprev);
	crypto_generichash_update(&h, enc + nprev_at + 1, n - nprev_at - 1);
	crypto_generichash_final(&h, out, HEARTH_OP_HASH_BYTES);
}

/* Bytes of op's envelope form. */
static size_t op_encoded_len(const hearth_op *op)
{
	return WIRE_HEAD_BYTES + 4 + strlen(op->kind) + 4 +
		strlen(op->field) + 1 +
		(op->value != NULL ? 4 + strlen(op->value) : 0) +
		1 + 16 * op->nprev;
}

static uint8_t *put_text(uint8_t *p, const char *t)
{
	size_t n = strlen(t);

	put32(p, (uint32_t)n);
	memcpy(p + 4, t, n);
	return p + 4 + n;
}

/* Writes op's envelope form, op_encoded_len(op) bytes, at p and returns
 * the end.  op has passed hearth_op_check: its HLC names its device, and
 * nprev is at most HEARTH_OP_PREV_MAX. */
static uint8_t *op_encode(const hearth_op *op, uint8_t *p)
{
	*p++ = HEARTH_OP_FORMAT;
	put64(p, op->id.seq);
	memcpy(p + 8, op->hlc.b, WIRE_HLC_BYTES);
	memcpy(p + 16, op->record.b, 16);
	p = put_text(p + 32, op->kind);
	p = put_text(p, op->field);
	*p++ = op->value != NULL;
	if (op->value != NULL)
		p = put_text(p, op->value);
	*p++ = (uint8_t)op->nprev;
	hearth_op_prev_encode(op->prev, op->nprev, p);
	return p + 16 * op->nprev;
}

/* A cursor over untrusted bytes. */
typedef struct cursor {
	const uint8_t *p;
	size_t left;
} cursor;

static const uint8_t *take(cursor *c, size_t n)
{
	const uint8_t *p = c->p;

	if (n > c->left)
		return NULL;
	c->p += n;
	c->left -= n;
	return p;
}

/* Copies a length-prefixed text to *arena as a C string.  NULL when it
 * runs past the end or holds a NUL byte (*why says which). */
static const char *take_text(cursor *c, char **arena, const char **why)
{
	const uint8_t *lb = take(c, 4), *t;
	char *out = *arena;
	size_t n;

	if (lb == NULL || (t = take(c, n = get32(lb))) == NULL) {
		*why = N_("is truncated");
		return NULL;
	}
	if (memchr(t, '\0', n) != NULL) {
		*why = N_("has a text with a NUL byte");
		return NULL;
	}
	memcpy(out, t, n);
	out[n] = '\0';
	*arena += n + 1;
	return out;
}

/* Decodes one op's envelope form, all of c, into op, whose device, space
 * and HLC's last 8 bytes the caller fills from the header; texts go to
 * *arena (at most the encoding's length plus 3 bytes), prev ids to *prev
 * (at most a sixteenth of the length); *nprev_at gets the place of the
 * nprev byte from the start.  NULL on success, else what is wrong. */
static const char *op_decode(cursor *c, hearth_op *op, char **arena,
			     hearth_op_id **prev, size_t *nprev_at)
{
	const uint8_t *start = c->p, *p = take(c, WIRE_HEAD_BYTES), *b;
	const char *why = NULL;
	size_t nprev;

	if (p == NULL)
		return N_("is truncated");
	if (p[0] != HEARTH_OP_FORMAT)
		return N_("has an unknown op format version");
	op->id.seq = get64(p + 1);
	memcpy(op->hlc.b, p + WIRE_OFF_HLC, WIRE_HLC_BYTES);
	memcpy(op->record.b, p + WIRE_OFF_RECORD, 16);
	if ((op->kind = take_text(c, arena, &why)) == NULL ||
	    (op->field = take_text(c, arena, &why)) == NULL)
		return why;
	if ((b = take(c, 1)) == NULL)
		return N_("is truncated");
	if (b[0] > 1)
		return N_("has a malformed value flag");
	op->value = NULL;
	if (b[0] == 1 && (op->value = take_text(c, arena, &why)) == NULL)
		return why;
	*nprev_at = (size_t)(c->p - start);
	if ((b = take(c, 1)) == NULL)
		return N_("is truncated");
	nprev = b[0];
	if (nprev > HEARTH_OP_PREV_MAX)
		return N_("replaces too many values");
	if ((b = take(c, 16 * nprev)) == NULL)
		return N_("is truncated");
	op->nprev = hearth_op_prev_decode(b, 16 * nprev, *prev, HEARTH_OP_PREV_MAX);
	op->prev = op->nprev > 0 ? *prev : NULL;
	*prev += op->nprev;
	if (c->left != 0)
		return N_("has bytes after its end");
	return NULL;
}

/* ---- Sealing ---- */

/* Encrypts (enc) into out the clen - HEARTH_TAGBYTES bytes of plaintext
 * after env's header, the tag after them; or decrypts into out the
 * ciphertext there.  The header's first AD_BYTES are the associated
 * data, its nonce the nonce: libsodium's XChaCha20-Poly1305-IETF,
 * computed by OpenSSL where it can (crypto/aead.c, byte for byte the
 * same, tests/test_aead.c).  0, or -1 when it fails (decrypting: the tag
 * does not verify, and out is then zero). */
static int env_aead(int enc, const uint8_t *env, uint8_t *out, size_t clen,
		    const uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	hearth_xaead *x = hearth_xaead_new(); /* NULL: libsodium alone */
	const uint8_t *in = env + HEADER_BYTES;
	size_t mlen = clen - HEARTH_TAGBYTES;
	int rc;

	if (enc)
		rc = hearth_xaead_seal(x, out, out + mlen, in, mlen, env, AD_BYTES,
				       env + OFF_NONCE, key);
	else
		rc = hearth_xaead_open(x, out, in, mlen, in + mlen, env, AD_BYTES,
				       env + OFF_NONCE, key);
	hearth_xaead_free(x);
	return rc;
}

hearth_status hearth_envelope_seal(const hearth_op *ops, size_t n,
				   const hearth_id *space, uint64_t epoch,
				   const uint8_t epoch_key[HEARTH_EPOCH_KEYBYTES],
				   const uint8_t device_sk[HEARTH_SIGN_SECRETBYTES],
				   uint8_t **out, size_t *out_len)
{
	uint8_t d[DIGEST_BYTES], m[sizeof sign_magic + DIGEST_BYTES];
	uint64_t content = 0, plain_len, total;
	uint8_t *buf = NULL, *p;
	hearth_status st;
	size_t i, clen;

	if (out != NULL)
		*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (ops == NULL || n == 0 || space == NULL || epoch_key == NULL ||
	    device_sk == NULL || out == NULL || out_len == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot seal envelope: %-s",
				   N_("no ops or no key given"));
	if (n > HEARTH_ENVELOPE_OPS_MAX)
		return hearth_fail(HEARTH_EINVAL, "cannot seal envelope: %-s",
				   N_("too many ops for one envelope"));
	if ((st = hearth_crypto_init()) != HEARTH_OK)
		return st;
	for (i = 0; i < n; i++) {
		const char *why = hearth_op_check(&ops[i]);

		/* The op's hash is not sent (the receiver computes it), so
		 * it is not checked here; device and space are sent once, in
		 * the header, and must be every op's. */
		if (why == NULL && ops[i].id.device != ops[0].id.device)
			why = N_("is from another device than its envelope");
		if (why == NULL && i > 0 && ops[i].id.seq <= ops[i - 1].id.seq)
			why = N_("is not after the op before it in its envelope");
		if (why == NULL && memcmp(ops[i].space.b, space->b, HEARTH_ID_BYTES) != 0)
			why = N_("is of another space than its envelope");
		if (why == NULL && hearth_kind_is_control(ops[i].kind) != (epoch == 0))
			why = N_("is not of its envelope's plane");
		if (why != NULL)
			return hearth_fail(HEARTH_EINVAL, "cannot seal envelope: op %zu %-s",
					   i, why);
		/* Each op is at most a few MiB: no overflow before the check. */
		content += OP_WIRE_EXTRA + op_encoded_len(&ops[i]);
		if (content > HEARTH_ENVELOPE_MAX)
			break;
	}
	plain_len = hearth_padme(4 + content);
	total = HEADER_BYTES + plain_len + HEARTH_TAGBYTES + SIG_BYTES;
	if (content > HEARTH_ENVELOPE_MAX || total > HEARTH_ENVELOPE_MAX)
		return hearth_fail(HEARTH_EINVAL, "cannot seal envelope: %-s",
				   N_("the ops are over the size limit of one envelope"));
	clen = (size_t)plain_len + HEARTH_TAGBYTES;
	buf = malloc((size_t)total);
	if (buf == NULL)
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory",
				   N_("cannot seal envelope"));

	memcpy(buf, env_magic, sizeof env_magic);
	buf[OFF_VERSION] = HEARTH_ENVELOPE_FORMAT;
	memcpy(buf + OFF_SPACE, space->b, HEARTH_ID_BYTES);
	put64(buf + OFF_EPOCH, epoch);
	put64(buf + OFF_DEVICE, ops[0].id.device);
	put64(buf + OFF_FIRST, ops[0].id.seq);
	put64(buf + OFF_LAST, ops[n - 1].id.seq);
	key_check(buf + OFF_KEYCHECK, space, epoch, epoch_key);
	hearth_random(buf + OFF_NONCE, HEARTH_NONCEBYTES);
	put32(buf + OFF_CLEN, (uint32_t)clen);

	/* The plaintext is built where its ciphertext goes: the AEAD works
	 * in place. */
	p = buf + HEADER_BYTES;
	put32(p, (uint32_t)content);
	p += 4;
	for (i = 0; i < n; i++) {
		uint8_t *start = p + 4;

		p = op_encode(&ops[i], start);
		put32(start - 4, (uint32_t)(p - start));
	}
	memset(p, 0, (size_t)(buf + HEADER_BYTES + plain_len - p));
	if (env_aead(1, buf, buf + HEADER_BYTES, clen, epoch_key) != 0) {
		sodium_memzero(buf, (size_t)total);
		free(buf);
		return hearth_fail(HEARTH_ECRYPTO, "cannot seal envelope: %-s",
				   N_("encryption failed"));
	}
	env_digest(buf, (size_t)total, d);
	sign_message(m, d);
	crypto_sign_detached(buf + HEADER_BYTES + clen, NULL, m, sizeof m, device_sk);
	*out = buf;
	*out_len = (size_t)total;
	return HEARTH_OK;
}

/* ---- Opening ---- */

/* Checks env's framing into *info; NULL when it holds, else the reason,
 * with *st the status to give. */
static const char *parse(const uint8_t *env, size_t len,
			 hearth_envelope_info *info, hearth_status *st)
{
	uint64_t count, clen;

	*st = HEARTH_EFORMAT;
	memset(info, 0, sizeof *info);
	if (env == NULL || memcmp(env, env_magic, len < 8 ? len : 8) != 0)
		return N_("it is not an envelope");
	if (len <= OFF_VERSION)
		return N_("it is truncated");
	info->version = env[OFF_VERSION];
	if (info->version > HEARTH_ENVELOPE_FORMAT) {
		*st = HEARTH_ENEWER;
		return N_("it was made by a newer version of Hearth");
	}
	if (info->version != HEARTH_ENVELOPE_FORMAT)
		return N_("it has an unknown format version");
	if (len > HEARTH_ENVELOPE_MAX)
		return N_("it is over the size limit");
	if (len < HEADER_BYTES)
		return N_("it is truncated");
	memcpy(info->space.b, env + OFF_SPACE, HEARTH_ID_BYTES);
	info->epoch = get64(env + OFF_EPOCH);
	info->device = get64(env + OFF_DEVICE);
	info->first_seq = get64(env + OFF_FIRST);
	info->last_seq = get64(env + OFF_LAST);
	clen = get32(env + OFF_CLEN);
	if (HEADER_BYTES + clen + SIG_BYTES > HEARTH_ENVELOPE_MAX)
		return N_("it is over the size limit");
	if (len < HEADER_BYTES + clen + SIG_BYTES)
		return N_("it is truncated");
	if (len > HEADER_BYTES + clen + SIG_BYTES)
		return N_("it has bytes after its signature");
	if (info->device == 0 || info->first_seq == 0 ||
	    info->last_seq < info->first_seq)
		return N_("its header is malformed");
	/* Seqs first and last are both inside: one op, or at least two.
	 * (How many lie between is bounded by C when they are decoded.) */
	count = info->last_seq == info->first_seq ? 1 : 2;
	if (clen < HEARTH_TAGBYTES ||
	    4 + count * (OP_MIN_BYTES + OP_WIRE_EXTRA) > clen - HEARTH_TAGBYTES)
		return N_("it claims more ops than it holds");
	info->size = len;
	return NULL;
}

hearth_status hearth_envelope_peek(const uint8_t *env, size_t len,
				   hearth_envelope_info *out)
{
	hearth_envelope_info info;
	hearth_status st;
	const char *why = parse(env, len, &info, &st);

	if (why != NULL)
		return hearth_fail(st, "envelope refused: %-s", why);
	if (out != NULL)
		*out = info;
	return HEARTH_OK;
}

hearth_status hearth_envelope_verify(const uint8_t *env, size_t len,
				     const uint8_t pk[HEARTH_SIGN_PUBLICBYTES])
{
	hearth_envelope_info info;
	hearth_status st;
	const char *why = parse(env, len, &info, &st);
	uint8_t d[DIGEST_BYTES], m[8 + DIGEST_BYTES];
	size_t clen;

	if (why != NULL)
		return hearth_fail(st, "envelope refused: %-s", why);
	if ((st = hearth_crypto_init()) != HEARTH_OK)
		return st;
	clen = get32(env + OFF_CLEN);
	env_digest(env, len, d);
	sign_message(m, d);
	if (crypto_sign_verify_detached(env + HEADER_BYTES + clen, m, sizeof m, pk) != 0)
		return hearth_fail(HEARTH_EAUTH, "envelope refused: %-s",
				   N_("its signature does not verify"));
	return HEARTH_OK;
}

/* What a batch owns besides its op array. */
typedef struct batch_mem {
	char *text;
	size_t text_len;
	hearth_op_id *prev;
} batch_mem;

void hearth_envelope_batch_release(hearth_envelope_batch *b)
{
	batch_mem *m;

	if (b == NULL)
		return;
	m = b->mem_;
	if (m != NULL) {
		/* The texts are plaintext of the space. */
		sodium_memzero(m->text, m->text_len);
		free(m->text);
		free(m->prev);
		free(m);
	}
	free(b->ops);
	memset(b, 0, sizeof *b);
}

/* Decodes the ops of a decrypted plaintext (its padding checked) into b.
 * NULL on success, else the reason, with *op_index the op it concerns or
 * (size_t)-1 for the envelope as a whole. */
static const char *decode_ops(const uint8_t *plain, size_t plain_len,
			      hearth_envelope_batch *b, size_t *op_index,
			      hearth_status *st)
{
	uint64_t content = get32(plain);
	size_t count;
	hearth_op_id *prev;
	batch_mem *m;
	cursor c;
	char *arena;
	size_t i;

	*op_index = (size_t)-1;
	*st = HEARTH_EFORMAT;
	if (4 + content > plain_len || hearth_padme(4 + content) != plain_len ||
	    !sodium_is_zero(plain + 4 + content, plain_len - 4 - (size_t)content))
		return N_("its padding is malformed");
	/* The most ops content can hold: the header's range does not say
	 * how many (seqs need not be consecutive), the bytes do. */
	count = (size_t)content / (OP_MIN_BYTES + OP_WIRE_EXTRA);
	if (count > HEARTH_ENVELOPE_OPS_MAX)
		count = HEARTH_ENVELOPE_OPS_MAX;
	/* Nor more than the header's seq range, as seqs strictly increase;
	 * one slot more, so that an op past the range is refused as such. */
	if (b->info.last_seq - b->info.first_seq + 1 < count)
		count = (size_t)(b->info.last_seq - b->info.first_seq) + 2;
	*st = HEARTH_ENOMEM;
	/* Bounds: texts take at most their bytes in the plaintext plus a
	 * NUL for each of three per op; prev ids 16 bytes each. */
	m = calloc(1, sizeof *m);
	if (m == NULL)
		return "";
	b->mem_ = m;
	m->text_len = (size_t)content + 3 * count;
	m->text = malloc(m->text_len);
	m->prev = malloc(((size_t)content / 16 + 1) * sizeof *m->prev);
	b->ops = calloc(count > 0 ? count : 1, sizeof *b->ops);
	if (m->text == NULL || m->prev == NULL || b->ops == NULL)
		return "";
	*st = HEARTH_EFORMAT;
	arena = m->text;
	prev = m->prev;
	c.p = plain + 4;
	c.left = (size_t)content;
	for (i = 0; c.left > 0; i++) {
		const uint8_t *lb, *enc;
		size_t nprev_at = 0;
		const char *why;
		hearth_op *op;
		cursor oc;

		if (i == count) {
			*op_index = (size_t)-1;
			return N_("it holds more ops than an envelope may");
		}
		*op_index = i;
		op = &b->ops[i];
		if ((lb = take(&c, 4)) == NULL ||
		    (enc = take(&c, oc.left = get32(lb))) == NULL)
			return N_("is truncated");
		oc.p = enc;
		if ((why = op_decode(&oc, op, &arena, &prev, &nprev_at)) != NULL)
			return why;
		/* Every op is of the header's device and space, and its HLC
		 * names that device: the envelope form leaves them out (§7.3). */
		op->id.device = b->info.device;
		put64(op->hlc.b + WIRE_HLC_BYTES, b->info.device);
		op->space = b->info.space;
		if (i == 0 && op->id.seq != b->info.first_seq)
			return N_("does not start at its envelope's first seq");
		if (i > 0 && op->id.seq <= b->ops[i - 1].id.seq)
			return N_("is not after the op before it in its envelope");
		if (op->id.seq > b->info.last_seq)
			return N_("is past its envelope's last seq");
		if (hearth_kind_is_control(op->kind) != (b->info.epoch == 0))
			return N_("is not of its envelope's plane");
		if ((why = hearth_op_check(op)) != NULL)
			return why;
		/* Its hash is computed here, never taken from the sender. */
		op_hash_wire(enc, (size_t)(oc.p - enc), nprev_at, op->id.device,
			     &op->space, op->hash);
	}
	*op_index = (size_t)-1;
	if (i == 0 || b->ops[i - 1].id.seq != b->info.last_seq)
		return N_("its ops end before its header's last seq");
	b->n = i;
	return NULL;
}

/* Opens env into *out.  With trust: as hearth_envelope_open.  With
 * key_of_ops instead (a control envelope only): decrypted under the
 * public control key first, the author's key asked of its ops, and the
 * signature checked before anything is returned. */
static hearth_status open_env(const uint8_t *env, size_t len, const uint8_t *digest,
			      const hearth_envelope_trust *trust,
			      hearth_envelope_key_of_ops key_of_ops, void *ctx,
			      hearth_envelope_batch *out)
{
	uint8_t m[sizeof sign_magic + DIGEST_BYTES], d[DIGEST_BYTES];
	uint8_t pk[HEARTH_SIGN_PUBLICBYTES], check[KEYCHECK_BYTES];
	uint8_t key[HEARTH_EPOCH_KEYBYTES], *plain = NULL;
	hearth_status st = HEARTH_OK;
	size_t clen = 0, op_index;
	const char *why;
	char dev[17];

	memset(out, 0, sizeof *out);
	if ((st = hearth_crypto_init()) != HEARTH_OK)
		return st;
	if ((why = parse(env, len, &out->info, &st)) != NULL) {
		memset(out, 0, sizeof *out);
		return hearth_fail(st, "envelope refused: %-s", why);
	}
	snprintf(dev, sizeof dev, "%016llx", (unsigned long long)out->info.device);
	clen = get32(env + OFF_CLEN);
	/* One pass over the bytes gives what the signature signs and the id;
	 * the importer, which needs the id first, has made it already. */
	if (digest == NULL) {
		env_digest(env, len, d);
		digest = d;
	}
	id_of_digest(env, len, digest, out->id);
	sign_message(m, digest);

	st = HEARTH_EAUTH;
	if (key_of_ops != NULL && out->info.epoch != 0) {
		st = HEARTH_EINVAL;
		why = N_("only a control envelope is opened before its author is known");
		goto refuse;
	}
	if (key_of_ops == NULL && trust->device_key(trust->ctx, &out->info, pk) != 0) {
		why = N_("its device is unknown or may not write to its space at its epoch");
		goto refuse;
	}
	/* Nothing is decrypted before the author is known to have sent it
	 * (but a control envelope opened by key_of_ops: its key is public). */
	if (key_of_ops == NULL &&
	    crypto_sign_verify_detached(env + HEADER_BYTES + clen, m, sizeof m, pk) != 0) {
		why = N_("its signature does not verify");
		goto refuse;
	}
	/* Epoch 0, the control plane, has a public key: nobody is asked. */
	if (out->info.epoch == 0)
		hearth_envelope_control_key(&out->info.space, key);
	else if (trust->epoch_key(trust->ctx, &out->info.space, out->info.epoch, key) != 0) {
		/* Not the envelope's fault: its key may reach this vault
		 * later (HEARTH_ENOTFOUND lets a receiver keep it aside). */
		st = HEARTH_ENOTFOUND;
		why = N_("there is no key for its space at its epoch");
		goto refuse;
	}
	key_check(check, &out->info.space, out->info.epoch, key);
	if (sodium_memcmp(check, env + OFF_KEYCHECK, KEYCHECK_BYTES) != 0) {
		why = N_("it was sealed under another key for its epoch");
		goto refuse;
	}
	plain = malloc(clen - HEARTH_TAGBYTES);
	if (plain == NULL)
		goto oom;
	if (env_aead(0, env, plain, clen, key) != 0) {
		why = N_("it does not decrypt with its header as associated data");
		goto refuse;
	}
	why = decode_ops(plain, clen - HEARTH_TAGBYTES, out, &op_index, &st);
	if (why == NULL && key_of_ops != NULL) {
		/* Nothing of the ops leaves before the signature holds. */
		if (key_of_ops(ctx, &out->info, out->ops, out->n, pk) != 0) {
			st = HEARTH_ENOTFOUND;
			why = N_("it holds no certificate of its author that this vault can check");
			goto refuse;
		}
		if (crypto_sign_verify_detached(env + HEADER_BYTES + clen, m,
						sizeof m, pk) != 0) {
			st = HEARTH_EAUTH;
			why = N_("its signature does not verify");
			goto refuse;
		}
	}
	if (why == NULL) {
		st = HEARTH_OK;
		goto done;
	}
	if (st == HEARTH_ENOMEM)
		goto oom;
	if (op_index != (size_t)-1) {
		hearth_envelope_batch_release(out);
		st = hearth_fail(st, "envelope from device %s refused: op %zu %-s",
				 dev, op_index, why);
		goto done;
	}
refuse:
	hearth_envelope_batch_release(out);
	st = hearth_fail(st, "envelope from device %s refused: %-s", dev, why);
	goto done;
oom:
	hearth_envelope_batch_release(out);
	st = hearth_fail(HEARTH_ENOMEM, "%-s: out of memory",
			 N_("cannot open envelope"));
done:
	if (plain != NULL) {
		sodium_memzero(plain, clen - HEARTH_TAGBYTES);
		free(plain);
	}
	sodium_memzero(key, sizeof key);
	return st;
}

hearth_status hearth_envelope_open_digest(const uint8_t *env, size_t len,
					  const uint8_t *digest,
					  const hearth_envelope_trust *trust,
					  hearth_envelope_batch *out)
{
	if (out == NULL || trust == NULL || trust->device_key == NULL ||
	    trust->epoch_key == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot open envelope: %-s",
				   N_("no keys to open it with"));
	return open_env(env, len, digest, trust, NULL, NULL, out);
}

hearth_status hearth_envelope_open(const uint8_t *env, size_t len,
				   const hearth_envelope_trust *trust,
				   hearth_envelope_batch *out)
{
	return hearth_envelope_open_digest(env, len, NULL, trust, out);
}

hearth_status hearth_envelope_open_control_digest(const uint8_t *env, size_t len,
						  const uint8_t *digest,
						  hearth_envelope_key_of_ops key_of_ops,
						  void *ctx, hearth_envelope_batch *out)
{
	if (out == NULL || key_of_ops == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot open envelope: %-s",
				   N_("no keys to open it with"));
	return open_env(env, len, digest, NULL, key_of_ops, ctx, out);
}

hearth_status hearth_envelope_open_control(const uint8_t *env, size_t len,
					   hearth_envelope_key_of_ops key_of_ops,
					   void *ctx, hearth_envelope_batch *out)
{
	return hearth_envelope_open_control_digest(env, len, NULL, key_of_ops, ctx, out);
}

/* ---- Bundles (docs/protocol.md §8) ----
 *
 *     0   8  magic "HEARTHBN"
 *     8   1  version (1)
 *     then per envelope: 4-byte length L (1..HEARTH_ENVELOPE_MAX), L bytes
 *     4  zero bytes: the end of the envelopes
 *     8  count of envelopes
 *    32  BLAKE2b-256 of every byte of the file before it
 *     and nothing after.
 */

#define BUNDLE_FORMAT 1u
#define BUNDLE_HEADER_BYTES 9u

static const uint8_t bundle_magic[8] = { 'H', 'E', 'A', 'R', 'T', 'H', 'B', 'N' };

/* What a writer and a reader share: the file, the hash of every byte so
 * far, the envelopes so far. */
typedef struct bundle_io {
	FILE *f;
	crypto_generichash_state hash;
	uint64_t count;
} bundle_io;

struct hearth_bundle_writer {
	bundle_io io;
	int finished;
};

struct hearth_bundle_reader {
	bundle_io io;
	uint8_t *buf;  /* the current envelope */
	size_t cap;
	int done;      /* 1: at the end, whole; -1: failed */
};

/* A zeroed writer or reader of size bytes on f, its hash begun; NULL with
 * *st set when an argument is missing or memory is short. */
static bundle_io *bundle_new(FILE *f, void *out, size_t size, int writing,
			     hearth_status *st)
{
	bundle_io *io;

	if (out == NULL || f == NULL) {
		*st = writing ?
			hearth_fail(HEARTH_EINVAL, "cannot write bundle: %-s", N_("no file given")) :
			hearth_fail(HEARTH_EINVAL, "cannot read bundle: %-s", N_("no file given"));
		return NULL;
	}
	if ((*st = hearth_crypto_init()) != HEARTH_OK)
		return NULL;
	io = calloc(1, size);
	if (io == NULL) {
		*st = hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", writing ?
				  N_("cannot write bundle") : N_("cannot read bundle"));
		return NULL;
	}
	io->f = f;
	crypto_generichash_init(&io->hash, NULL, 0, crypto_generichash_BYTES);
	return io;
}

/* Writes n bytes and adds them to the hash. */
static hearth_status bundle_put(hearth_bundle_writer *w, const uint8_t *b, size_t n)
{
	if (fwrite(b, 1, n, w->io.f) != n)
		return hearth_fail(HEARTH_EIO, "cannot write bundle: %s", strerror(errno));
	crypto_generichash_update(&w->io.hash, b, n);
	return HEARTH_OK;
}

hearth_status hearth_bundle_writer_open(FILE *f, hearth_bundle_writer **out)
{
	uint8_t head[BUNDLE_HEADER_BYTES];
	hearth_bundle_writer *w;
	hearth_status st;

	if (out != NULL)
		*out = NULL;
	w = (hearth_bundle_writer *)bundle_new(f, out, sizeof *w, 1, &st);
	if (w == NULL)
		return st;
	memcpy(head, bundle_magic, sizeof bundle_magic);
	head[8] = BUNDLE_FORMAT;
	if ((st = bundle_put(w, head, sizeof head)) != HEARTH_OK) {
		free(w);
		return st;
	}
	*out = w;
	return HEARTH_OK;
}

hearth_status hearth_bundle_writer_add(hearth_bundle_writer *w,
				       const uint8_t *env, size_t len)
{
	uint8_t lb[4];
	hearth_status st;

	if (w == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot write bundle: %-s", N_("no file given"));
	if (w->finished)
		return hearth_fail(HEARTH_ESTATE, "cannot write bundle: %-s",
				   N_("it is already finished"));
	if ((st = hearth_envelope_peek(env, len, NULL)) != HEARTH_OK)
		return st;
	put32(lb, (uint32_t)len);
	if ((st = bundle_put(w, lb, sizeof lb)) != HEARTH_OK ||
	    (st = bundle_put(w, env, len)) != HEARTH_OK)
		return st;
	w->io.count++;
	return HEARTH_OK;
}

hearth_status hearth_bundle_writer_finish(hearth_bundle_writer *w)
{
	uint8_t tail[4 + 8], hash[crypto_generichash_BYTES];
	hearth_status st;

	if (w == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot write bundle: %-s", N_("no file given"));
	if (w->finished)
		return hearth_fail(HEARTH_ESTATE, "cannot write bundle: %-s",
				   N_("it is already finished"));
	w->finished = 1;
	put32(tail, 0);
	put64(tail + 4, w->io.count);
	if ((st = bundle_put(w, tail, sizeof tail)) != HEARTH_OK)
		return st;
	crypto_generichash_final(&w->io.hash, hash, sizeof hash);
	if (fwrite(hash, 1, sizeof hash, w->io.f) != sizeof hash || fflush(w->io.f) != 0)
		return hearth_fail(HEARTH_EIO, "cannot write bundle: %s", strerror(errno));
	return HEARTH_OK;
}

void hearth_bundle_writer_free(hearth_bundle_writer *w)
{
	free(w);
}

/* The reader's failures: it fails from then on. */
static hearth_status bundle_refuse(hearth_bundle_reader *r, hearth_status st,
				   const char *why)
{
	r->done = -1;
	return hearth_fail(st, "bundle refused: %-s", why);
}

/* Reads exactly n bytes into b and adds them to the hash (when add).
 * HEARTH_EFORMAT at the end of the file: the bundle is truncated. */
static hearth_status bundle_get(hearth_bundle_reader *r, uint8_t *b, size_t n,
				int add)
{
	if (fread(b, 1, n, r->io.f) != n) {
		if (ferror(r->io.f)) {
			r->done = -1;
			return hearth_fail(HEARTH_EIO, "cannot read bundle: %s",
					   strerror(errno));
		}
		return bundle_refuse(r, HEARTH_EFORMAT, N_("it is truncated"));
	}
	if (add)
		crypto_generichash_update(&r->io.hash, b, n);
	return HEARTH_OK;
}

hearth_status hearth_bundle_reader_open(FILE *f, hearth_bundle_reader **out)
{
	uint8_t head[BUNDLE_HEADER_BYTES];
	hearth_bundle_reader *r;
	hearth_status st;
	size_t n;

	if (out != NULL)
		*out = NULL;
	r = (hearth_bundle_reader *)bundle_new(f, out, sizeof *r, 0, &st);
	if (r == NULL)
		return st;
	/* The magic first, so that any other file, however short, is named
	 * as such. */
	n = fread(head, 1, sizeof head, f);
	if (n < sizeof head && ferror(f)) {
		st = hearth_fail(HEARTH_EIO, "cannot read bundle: %s", strerror(errno));
	} else if (memcmp(head, bundle_magic, n < 8 ? n : 8) != 0) {
		st = hearth_fail(HEARTH_EFORMAT, "bundle refused: %-s",
				 N_("it is not a Hearth bundle"));
	} else if (n < sizeof head) {
		st = hearth_fail(HEARTH_EFORMAT, "bundle refused: %-s",
				 N_("it is truncated"));
	} else if (head[8] > BUNDLE_FORMAT) {
		st = hearth_fail(HEARTH_ENEWER, "bundle refused: %-s",
				 N_("it was made by a newer version of Hearth"));
	} else if (head[8] != BUNDLE_FORMAT) {
		st = hearth_fail(HEARTH_EFORMAT, "bundle refused: %-s",
				 N_("it has an unknown format version"));
	}
	if (st != HEARTH_OK) {
		free(r);
		return st;
	}
	crypto_generichash_update(&r->io.hash, head, sizeof head);
	*out = r;
	return HEARTH_OK;
}

/* The trailer: count and hash, then the end of the file. */
static hearth_status bundle_trailer(hearth_bundle_reader *r)
{
	uint8_t cb[8], want[crypto_generichash_BYTES], got[crypto_generichash_BYTES];
	hearth_status st;
	int c;

	if ((st = bundle_get(r, cb, sizeof cb, 1)) != HEARTH_OK ||
	    (st = bundle_get(r, want, sizeof want, 0)) != HEARTH_OK)
		return st;
	crypto_generichash_final(&r->io.hash, got, sizeof got);
	if (sodium_memcmp(want, got, sizeof got) != 0)
		return bundle_refuse(r, HEARTH_EFORMAT,
				     N_("it is damaged: its checksum does not match"));
	if (get64(cb) != r->io.count)
		return bundle_refuse(r, HEARTH_EFORMAT,
				     N_("its count does not match its envelopes"));
	if ((c = getc(r->io.f)) != EOF) {
		(void)ungetc(c, r->io.f);
		return bundle_refuse(r, HEARTH_EFORMAT,
				     N_("it has bytes after its end"));
	}
	if (ferror(r->io.f)) {
		r->done = -1;
		return hearth_fail(HEARTH_EIO, "cannot read bundle: %s", strerror(errno));
	}
	r->done = 1;
	return HEARTH_OK;
}

hearth_status hearth_bundle_reader_next(hearth_bundle_reader *r,
					const uint8_t **env, size_t *len)
{
	hearth_envelope_info info;
	hearth_status st;
	const char *why;
	uint8_t lb[4];
	size_t n;

	if (env != NULL)
		*env = NULL;
	if (len != NULL)
		*len = 0;
	if (r == NULL || env == NULL || len == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot read bundle: %-s", N_("no file given"));
	if (r->done < 0)
		return hearth_fail(HEARTH_ESTATE, "cannot read bundle: %-s",
				   N_("it was refused already"));
	if (r->done > 0)
		return HEARTH_OK;
	if ((st = bundle_get(r, lb, sizeof lb, 1)) != HEARTH_OK)
		return st;
	n = get32(lb);
	if (n == 0)
		return bundle_trailer(r);
	/* The length is checked before anything is allocated for it. */
	if (n > HEARTH_ENVELOPE_MAX)
		return bundle_refuse(r, HEARTH_EFORMAT,
				     N_("it holds an envelope over the size limit"));
	if (n > r->cap) {
		uint8_t *b = realloc(r->buf, n);

		if (b == NULL) {
			r->done = -1;
			return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory",
					   N_("cannot read bundle"));
		}
		r->buf = b;
		r->cap = n;
	}
	if ((st = bundle_get(r, r->buf, n, 1)) != HEARTH_OK)
		return st;
	if ((why = parse(r->buf, n, &info, &st)) != NULL) {
		r->done = -1;
		return hearth_fail(st, "bundle refused: envelope %llu: %-s",
				   (unsigned long long)r->io.count + 1, why);
	}
	r->io.count++;
	*env = r->buf;
	*len = n;
	return HEARTH_OK;
}

void hearth_bundle_reader_free(hearth_bundle_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r);
}

hearth_status hearth_bundle_check(FILE *f, uint64_t *count)
{
	hearth_bundle_reader *r = NULL;
	const uint8_t *env;
	hearth_status st;
	size_t len;

	if (count != NULL)
		*count = 0;
	if ((st = hearth_bundle_reader_open(f, &r)) != HEARTH_OK)
		return st;
	do
		st = hearth_bundle_reader_next(r, &env, &len);
	while (st == HEARTH_OK && env != NULL);
	if (st == HEARTH_OK && count != NULL)
		*count = r->io.count;
	hearth_bundle_reader_free(r);
	return st;
}
