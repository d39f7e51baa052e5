/*
 * identity.c - identities, device keys, device certificates and
 * fingerprints, composed of libsodium's Ed25519, X25519 and BLAKE2b.  See
 * hearth/identity.h; the encodings are in docs/protocol.md §9.
 *
 * Each object is one sodium_malloc'd block, so that its secret keys sit
 * in guarded, locked memory and sodium_free wipes them on every path.
 */
#include <string.h>

#include <sodium.h>

#include "hearth/crypto.h"
#include "hearth/identity.h"

#define EXPORT_VERSION 1u

/* Certificate layout (docs/protocol.md §9.1). */
#define CERT_MAGIC "HEARTHDC"
#define CERT_OFF_VERSION 8u
#define CERT_OFF_DEVICE 9u
#define CERT_OFF_DEVICE_PK 17u
#define CERT_OFF_ID_SIGN 49u
#define CERT_OFF_ID_BOX 81u
#define CERT_OFF_ISSUED 113u
#define CERT_OFF_SIG HEARTH_CERT_SIGNED_BYTES

/* Fingerprint input: a prefix of its own, so no other hash over the same
 * keys can collide with it (docs/protocol.md §9.2). */
#define FP_PREFIX "HEARTHFP"
#define FP_VERSION 1u
#define FP_GROUP_BYTES 5u
#define FP_GROUP_MOD 100000u

_Static_assert(HEARTH_ID_SIGN_PUBLICBYTES == crypto_sign_PUBLICKEYBYTES, "ed25519 pk");
_Static_assert(HEARTH_ID_SIGN_SECRETBYTES == crypto_sign_SECRETKEYBYTES, "ed25519 sk");
_Static_assert(HEARTH_ID_BOX_PUBLICBYTES == crypto_box_PUBLICKEYBYTES, "x25519 pk");
_Static_assert(HEARTH_ID_BOX_SECRETBYTES == crypto_box_SECRETKEYBYTES, "x25519 sk");
_Static_assert(HEARTH_ID_SEEDBYTES == crypto_sign_SEEDBYTES &&
	       HEARTH_ID_SEEDBYTES == crypto_box_SEEDBYTES, "seeds");
_Static_assert(HEARTH_CERT_BYTES == HEARTH_CERT_SIGNED_BYTES + crypto_sign_BYTES, "cert");
_Static_assert(CERT_OFF_ISSUED + 8u == HEARTH_CERT_SIGNED_BYTES, "cert layout");
_Static_assert(HEARTH_FINGERPRINT_GROUPS * FP_GROUP_BYTES <= crypto_generichash_BYTES_MAX,
	       "fingerprint hash");

struct hearth_identity {
	hearth_identity_public pub;
	uint8_t sign_sk[HEARTH_ID_SIGN_SECRETBYTES];
	uint8_t box_sk[HEARTH_ID_BOX_SECRETBYTES];
};

struct hearth_device_key {
	uint8_t pk[HEARTH_ID_SIGN_PUBLICBYTES];
	uint8_t sk[HEARTH_ID_SIGN_SECRETBYTES];
};

static void be64_put(uint8_t b[8], uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t be64_get(const uint8_t b[8])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

/* ---- identities ---------------------------------------------------------- */

static hearth_status identity_alloc(hearth_identity **out)
{
	*out = hearth_secret_alloc(sizeof **out);
	if (*out == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
	return HEARTH_OK;
}

hearth_status hearth_identity_generate(hearth_identity **out)
{
	hearth_identity *id;
	hearth_status st;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the identity");
	*out = NULL;
	if ((st = identity_alloc(&id)) != HEARTH_OK)
		return st;
	if (crypto_sign_keypair(id->pub.sign_pk, id->sign_sk) != 0 ||
	    crypto_box_keypair(id->pub.box_pk, id->box_sk) != 0) {
		hearth_identity_free(id);
		return hearth_fail(HEARTH_ECRYPTO, "cannot make the identity's keys");
	}
	*out = id;
	return HEARTH_OK;
}

hearth_status hearth_identity_from_seeds(const uint8_t sign_seed[HEARTH_ID_SEEDBYTES],
					 const uint8_t box_seed[HEARTH_ID_SEEDBYTES],
					 hearth_identity **out)
{
	hearth_identity *id;
	hearth_status st;

	if (out == NULL || sign_seed == NULL || box_seed == NULL)
		return hearth_fail(HEARTH_EINVAL, "no seed for the identity");
	*out = NULL;
	if ((st = identity_alloc(&id)) != HEARTH_OK)
		return st;
	if (crypto_sign_seed_keypair(id->pub.sign_pk, id->sign_sk, sign_seed) != 0 ||
	    crypto_box_seed_keypair(id->pub.box_pk, id->box_sk, box_seed) != 0) {
		hearth_identity_free(id);
		return hearth_fail(HEARTH_ECRYPTO, "cannot make the identity's keys");
	}
	*out = id;
	return HEARTH_OK;
}

const hearth_identity_public *hearth_identity_public_keys(const hearth_identity *id)
{
	return &id->pub;
}

const uint8_t *hearth_identity_box_secret(const hearth_identity *id)
{
	return id->box_sk;
}

void hearth_identity_export(const hearth_identity *id,
			    uint8_t out[HEARTH_IDENTITY_EXPORT_BYTES])
{
	out[0] = EXPORT_VERSION;
	memcpy(out + 1, id->sign_sk, sizeof id->sign_sk);
	memcpy(out + 1 + sizeof id->sign_sk, id->pub.box_pk, sizeof id->pub.box_pk);
	memcpy(out + 1 + sizeof id->sign_sk + sizeof id->pub.box_pk, id->box_sk,
	       sizeof id->box_sk);
}

/* Rebuilds an Ed25519 key pair from the seed half of sk and checks that
 * sk's public half and pk (may be NULL) are the key it derives: a stored
 * key pair is used only when it is whole.  0 when it is. */
static int sign_pair_whole(const uint8_t sk[HEARTH_ID_SIGN_SECRETBYTES],
			   const uint8_t *pk)
{
	uint8_t dpk[crypto_sign_PUBLICKEYBYTES], dsk[crypto_sign_SECRETKEYBYTES];
	int bad;

	bad = crypto_sign_seed_keypair(dpk, dsk, sk) != 0 ||
		sodium_memcmp(dsk, sk, sizeof dsk) != 0 ||
		(pk != NULL && sodium_memcmp(dpk, pk, sizeof dpk) != 0);
	sodium_memzero(dsk, sizeof dsk);
	return bad;
}

hearth_status hearth_identity_import(const uint8_t *in, size_t len,
				     hearth_identity **out)
{
	uint8_t derived[crypto_box_PUBLICKEYBYTES];
	hearth_identity *id;
	hearth_status st;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the identity");
	*out = NULL;
	if (in == NULL || len != HEARTH_IDENTITY_EXPORT_BYTES || in[0] != EXPORT_VERSION)
		return hearth_fail(HEARTH_EDAMAGED,
			"vault damaged: the stored identity is malformed");
	if ((st = hearth_crypto_init()) != HEARTH_OK ||
	    (st = identity_alloc(&id)) != HEARTH_OK)
		return st;
	memcpy(id->sign_sk, in + 1, sizeof id->sign_sk);
	memcpy(id->pub.box_pk, in + 1 + sizeof id->sign_sk, sizeof id->pub.box_pk);
	memcpy(id->box_sk, in + 1 + sizeof id->sign_sk + sizeof id->pub.box_pk,
	       sizeof id->box_sk);
	crypto_sign_ed25519_sk_to_pk(id->pub.sign_pk, id->sign_sk);
	if (sign_pair_whole(id->sign_sk, NULL) != 0 ||
	    crypto_scalarmult_base(derived, id->box_sk) != 0 ||
	    sodium_memcmp(derived, id->pub.box_pk, sizeof derived) != 0) {
		hearth_identity_free(id);
		return hearth_fail(HEARTH_EDAMAGED,
			"vault damaged: the stored identity's keys do not match");
	}
	*out = id;
	return HEARTH_OK;
}

void hearth_identity_free(hearth_identity *id)
{
	hearth_secret_free(id);
}

/* ---- device keys --------------------------------------------------------- */

static hearth_status device_key_alloc(hearth_device_key **out)
{
	*out = hearth_secret_alloc(sizeof **out);
	if (*out == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
	return HEARTH_OK;
}

hearth_status hearth_device_key_generate(hearth_device_key **out)
{
	hearth_device_key *k;
	hearth_status st;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the device key");
	*out = NULL;
	if ((st = device_key_alloc(&k)) != HEARTH_OK)
		return st;
	if (crypto_sign_keypair(k->pk, k->sk) != 0) {
		hearth_device_key_free(k);
		return hearth_fail(HEARTH_ECRYPTO, "cannot make the device key");
	}
	*out = k;
	return HEARTH_OK;
}

hearth_status hearth_device_key_from_seed(const uint8_t seed[HEARTH_ID_SEEDBYTES],
					  hearth_device_key **out)
{
	hearth_device_key *k;
	hearth_status st;

	if (out == NULL || seed == NULL)
		return hearth_fail(HEARTH_EINVAL, "no seed for the device key");
	*out = NULL;
	if ((st = device_key_alloc(&k)) != HEARTH_OK)
		return st;
	if (crypto_sign_seed_keypair(k->pk, k->sk, seed) != 0) {
		hearth_device_key_free(k);
		return hearth_fail(HEARTH_ECRYPTO, "cannot make the device key");
	}
	*out = k;
	return HEARTH_OK;
}

const uint8_t *hearth_device_key_public(const hearth_device_key *k)
{
	return k->pk;
}

const uint8_t *hearth_device_key_secret(const hearth_device_key *k)
{
	return k->sk;
}

void hearth_device_key_export(const hearth_device_key *k,
			      uint8_t out[HEARTH_DEVICE_KEY_EXPORT_BYTES])
{
	out[0] = EXPORT_VERSION;
	memcpy(out + 1, k->sk, sizeof k->sk);
}

hearth_status hearth_device_key_import(const uint8_t *in, size_t len,
				       hearth_device_key **out)
{
	hearth_device_key *k;
	hearth_status st;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the device key");
	*out = NULL;
	if (in == NULL || len != HEARTH_DEVICE_KEY_EXPORT_BYTES || in[0] != EXPORT_VERSION)
		return hearth_fail(HEARTH_EDAMAGED,
			"vault damaged: the stored device key is malformed");
	if ((st = hearth_crypto_init()) != HEARTH_OK ||
	    (st = device_key_alloc(&k)) != HEARTH_OK)
		return st;
	memcpy(k->sk, in + 1, sizeof k->sk);
	crypto_sign_ed25519_sk_to_pk(k->pk, k->sk);
	if (sign_pair_whole(k->sk, NULL) != 0) {
		hearth_device_key_free(k);
		return hearth_fail(HEARTH_EDAMAGED,
			"vault damaged: the stored device key's halves do not match");
	}
	*out = k;
	return HEARTH_OK;
}

void hearth_device_key_free(hearth_device_key *k)
{
	hearth_secret_free(k);
}

/* ---- certificates -------------------------------------------------------- */

hearth_status hearth_cert_issue(const hearth_identity *id, uint64_t device,
				const uint8_t device_pk[HEARTH_ID_SIGN_PUBLICBYTES],
				uint64_t issued_ms, uint8_t out[HEARTH_CERT_BYTES])
{
	hearth_status st;

	if (id == NULL || device_pk == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot certify a device: no key");
	if (device == 0)
		return hearth_fail(HEARTH_EINVAL, "cannot certify a device: its id is zero");
	if ((st = hearth_crypto_init()) != HEARTH_OK)
		return st;
	memcpy(out, CERT_MAGIC, 8);
	out[CERT_OFF_VERSION] = HEARTH_CERT_FORMAT;
	be64_put(out + CERT_OFF_DEVICE, device);
	memcpy(out + CERT_OFF_DEVICE_PK, device_pk, HEARTH_ID_SIGN_PUBLICBYTES);
	memcpy(out + CERT_OFF_ID_SIGN, id->pub.sign_pk, HEARTH_ID_SIGN_PUBLICBYTES);
	memcpy(out + CERT_OFF_ID_BOX, id->pub.box_pk, HEARTH_ID_BOX_PUBLICBYTES);
	be64_put(out + CERT_OFF_ISSUED, issued_ms);
	if (crypto_sign_detached(out + CERT_OFF_SIG, NULL, out,
				 HEARTH_CERT_SIGNED_BYTES, id->sign_sk) != 0)
		return hearth_fail(HEARTH_ECRYPTO, "cannot sign the device certificate");
	return HEARTH_OK;
}

hearth_status hearth_cert_parse(const uint8_t *in, size_t len, hearth_device_cert *out)
{
	hearth_device_cert c;

	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (in == NULL || len < CERT_OFF_VERSION + 1 || memcmp(in, CERT_MAGIC, 8) != 0)
		return hearth_fail(HEARTH_EFORMAT, "not a device certificate");
	if (in[CERT_OFF_VERSION] > HEARTH_CERT_FORMAT)
		return hearth_fail(HEARTH_ENEWER,
			"the device certificate was made by a newer version (format %u)",
			(unsigned)in[CERT_OFF_VERSION]);
	if (in[CERT_OFF_VERSION] == 0)
		return hearth_fail(HEARTH_EFORMAT,
			"the device certificate has an unknown format version");
	if (len != HEARTH_CERT_BYTES)
		return hearth_fail(HEARTH_EFORMAT,
			"the device certificate has %zu bytes, not %u", len,
			HEARTH_CERT_BYTES);
	memset(&c, 0, sizeof c);
	c.version = in[CERT_OFF_VERSION];
	c.device = be64_get(in + CERT_OFF_DEVICE);
	if (c.device == 0)
		return hearth_fail(HEARTH_EFORMAT, "the device certificate names device zero");
	memcpy(c.device_pk, in + CERT_OFF_DEVICE_PK, sizeof c.device_pk);
	memcpy(c.identity.sign_pk, in + CERT_OFF_ID_SIGN, sizeof c.identity.sign_pk);
	memcpy(c.identity.box_pk, in + CERT_OFF_ID_BOX, sizeof c.identity.box_pk);
	c.issued_ms = be64_get(in + CERT_OFF_ISSUED);
	if (out != NULL)
		*out = c;
	return HEARTH_OK;
}

hearth_status hearth_cert_verify(const uint8_t *in, size_t len,
				 const hearth_identity_public *signer,
				 hearth_device_cert *out)
{
	hearth_device_cert c;
	hearth_status st;

	if (out != NULL)
		memset(out, 0, sizeof *out);
	if ((st = hearth_cert_parse(in, len, &c)) != HEARTH_OK)
		return st;
	if ((st = hearth_crypto_init()) != HEARTH_OK)
		return st;
	/* The identity's keys are public: a plain comparison leaks nothing. */
	if (signer != NULL && memcmp(signer, &c.identity, sizeof c.identity) != 0)
		return hearth_fail(HEARTH_EAUTH,
			"the device certificate is signed by another identity");
	if (crypto_sign_verify_detached(in + CERT_OFF_SIG, in, HEARTH_CERT_SIGNED_BYTES,
					c.identity.sign_pk) != 0)
		return hearth_fail(HEARTH_EAUTH,
			"the device certificate's signature does not verify");
	if (out != NULL)
		*out = c;
	return HEARTH_OK;
}

/* ---- fingerprints -------------------------------------------------------- */

void hearth_fingerprint(const hearth_identity_public *pub,
			char out[HEARTH_FINGERPRINT_LEN + 1])
{
	uint8_t hash[crypto_generichash_BYTES_MAX];
	crypto_generichash_state h;
	const uint8_t version = FP_VERSION;
	unsigned g, i;
	char *p = out;

	if (hearth_crypto_init() != HEARTH_OK) {
		out[0] = '\0';
		return;
	}
	crypto_generichash_init(&h, NULL, 0, sizeof hash);
	crypto_generichash_update(&h, (const uint8_t *)FP_PREFIX, 8);
	crypto_generichash_update(&h, &version, 1);
	crypto_generichash_update(&h, pub->sign_pk, sizeof pub->sign_pk);
	crypto_generichash_update(&h, pub->box_pk, sizeof pub->box_pk);
	crypto_generichash_final(&h, hash, sizeof hash);
	/* Each group: 5 bytes (40 bits) read big-endian, modulo 100,000.  2^40
	 * is 10^5 times about 11 million, so the bias towards small values is
	 * below one in 10^7. */
	for (g = 0; g < HEARTH_FINGERPRINT_GROUPS; g++) {
		uint64_t v = 0;

		for (i = 0; i < FP_GROUP_BYTES; i++)
			v = v << 8 | hash[g * FP_GROUP_BYTES + i];
		v %= FP_GROUP_MOD;
		if (g > 0)
			*p++ = ' ';
		for (i = 0; i < 5; i++) {
			p[4 - i] = (char)('0' + v % 10);
			v /= 10;
		}
		p += 5;
	}
	*p = '\0';
}

static int fp_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Moves *p past spaces; returns the next digit, '\0' at the end, or -1 for
 * any other character. */
static int fp_next(const char **p)
{
	while (fp_space(**p))
		(*p)++;
	if (**p == '\0')
		return '\0';
	if (**p < '0' || **p > '9')
		return -1;
	return *(*p)++;
}

int hearth_fingerprint_equal(const char *a, const char *b)
{
	int ca, cb, digits = 0;

	if (a == NULL || b == NULL)
		return 0;
	for (;;) {
		ca = fp_next(&a);
		cb = fp_next(&b);
		if (ca < 0 || cb < 0 || ca != cb)
			return 0;
		if (ca == '\0')
			return digits > 0;
		digits++;
	}
}
