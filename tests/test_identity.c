/*
 * test_identity.c - identities, device keys, device certificates and
 * fingerprints (include/hearth/identity.h, docs/protocol.md §9), and how a
 * vault keeps them (include/hearth/devices.h, the store's secrets).
 *
 * The known answers (the fingerprint of fixed seeds, the hash of a
 * certificate) were computed apart from this code, by a short Python
 * program that follows docs/protocol.md §9 with the `cryptography`
 * package's Ed25519 and X25519 and hashlib's BLAKE2b.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "hearth/audit.h"
#include "hearth/devices.h"
#include "hearth/identity.h"
#include "hearth/schema.h"
#include "hearth/store.h"
#include "hearth/vault.h"

#define PASS "correct horse battery staple"
#define DEV UINT64_C(0x00000000000000a1)
#define T0 UINT64_C(1700000000000)

#define OK(call) do { \
	hearth_status st_ = (call); \
	if (st_ != HEARTH_OK) \
		fail_msg("%s: %s (%s)", #call, hearth_strerror(st_), hearth_errdetail()); \
} while (0)

/* Seeds 0x01 x 32 (signing) and 0x02 x 32 (boxes): the fingerprint and
 * public keys a separate implementation of §9.2 gives. */
static const char vector_fp[] =
	"54201 16522 36585 89956 06188 99277 75407 32653 28355 70124 58986 93509";
static const char vector_sign_pk[] =
	"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
static const char vector_box_pk[] =
	"60346e7c911a5f6ba154129174cafe75b294ac3bbd5549632f48cec6266f8410";
/* Signing seed 0x03 x 32, box seed 0x02 x 32. */
static const char vector_fp3[] =
	"76000 42596 54078 79960 37809 41407 18067 84658 65165 40698 45393 10964";
/* BLAKE2b-256 of the certificate by identity (0x01, 0x02) for device 0xa1
 * holding the key of seed 0x04 x 32, issued at T0 (Ed25519 signatures are
 * deterministic). */
static const char vector_cert_hash[] =
	"22aed905c9ec70a62f5abf4d02ecf525a0a29990ddf555356b6bb20112794501";

static hearth_identity *identity_seeded(uint8_t sign, uint8_t box)
{
	uint8_t a[HEARTH_ID_SEEDBYTES], b[HEARTH_ID_SEEDBYTES];
	hearth_identity *id = NULL;

	memset(a, sign, sizeof a);
	memset(b, box, sizeof b);
	OK(hearth_identity_from_seeds(a, b, &id));
	return id;
}

static hearth_device_key *device_seeded(uint8_t seed)
{
	uint8_t s[HEARTH_ID_SEEDBYTES];
	hearth_device_key *k = NULL;

	memset(s, seed, sizeof s);
	OK(hearth_device_key_from_seed(s, &k));
	return k;
}

static void hex(char *out, const uint8_t *in, size_t n)
{
	hearth_hex_encode(out, in, n);
}

/* ---- fingerprints -------------------------------------------------------- */

static void test_fingerprint_vector(void **state)
{
	hearth_identity *id = identity_seeded(1, 2);
	const hearth_identity_public *pub = hearth_identity_public_keys(id);
	char fp[HEARTH_FINGERPRINT_LEN + 1], h[65];
	size_t i;

	(void)state;
	hex(h, pub->sign_pk, 32);
	assert_string_equal(h, vector_sign_pk);
	hex(h, pub->box_pk, 32);
	assert_string_equal(h, vector_box_pk);
	hearth_fingerprint(pub, fp);
	assert_string_equal(fp, vector_fp);
	/* As documented: 12 groups of 5 digits, one space between. */
	assert_int_equal(strlen(fp), HEARTH_FINGERPRINT_LEN);
	assert_int_equal(HEARTH_FINGERPRINT_LEN, 71);
	for (i = 0; i < strlen(fp); i++) {
		if (i % 6 == 5)
			assert_int_equal(fp[i], ' ');
		else
			assert_true(fp[i] >= '0' && fp[i] <= '9');
	}
	/* Stable: the same keys, loaded again, give the same text. */
	hearth_identity_free(id);
	id = identity_seeded(1, 2);
	hearth_fingerprint(hearth_identity_public_keys(id), fp);
	assert_string_equal(fp, vector_fp);
	hearth_identity_free(id);
}

static void test_fingerprint_differs(void **state)
{
	hearth_identity *a = identity_seeded(3, 2), *b = identity_seeded(1, 9);
	char fa[HEARTH_FINGERPRINT_LEN + 1], fb[HEARTH_FINGERPRINT_LEN + 1];

	(void)state;
	/* Another signing key, the same box key. */
	hearth_fingerprint(hearth_identity_public_keys(a), fa);
	assert_string_equal(fa, vector_fp3);
	assert_false(hearth_fingerprint_equal(fa, vector_fp));
	/* The same signing key, another box key: both keys count. */
	hearth_fingerprint(hearth_identity_public_keys(b), fb);
	assert_string_not_equal(fb, vector_fp);
	assert_false(hearth_fingerprint_equal(fb, vector_fp));
	hearth_identity_free(a);
	hearth_identity_free(b);
	/* Two fresh identities. */
	OK(hearth_identity_generate(&a));
	OK(hearth_identity_generate(&b));
	hearth_fingerprint(hearth_identity_public_keys(a), fa);
	hearth_fingerprint(hearth_identity_public_keys(b), fb);
	assert_false(hearth_fingerprint_equal(fa, fb));
	hearth_identity_free(a);
	hearth_identity_free(b);
}

static void test_fingerprint_equal(void **state)
{
	(void)state;
	assert_true(hearth_fingerprint_equal(vector_fp, vector_fp));
	/* Spaces, tabs and line breaks do not matter. */
	assert_true(hearth_fingerprint_equal(vector_fp,
		"542011652236585899560618899277754073265328355701245898693509"));
	assert_true(hearth_fingerprint_equal(vector_fp,
		" 54201 16522 36585 89956\n06188 99277 75407 32653\r\n"
		"28355\t70124 58986 93509 "));
	/* One digit changed, one missing, one more, another character. */
	assert_false(hearth_fingerprint_equal(vector_fp,
		"54201 16522 36585 89956 06188 99277 75407 32653 28355 70124 58986 93508"));
	assert_false(hearth_fingerprint_equal(vector_fp,
		"54201 16522 36585 89956 06188 99277 75407 32653 28355 70124 58986 9350"));
	assert_false(hearth_fingerprint_equal(vector_fp,
		"54201 16522 36585 89956 06188 99277 75407 32653 28355 70124 58986 935090"));
	assert_false(hearth_fingerprint_equal(vector_fp,
		"54201-16522-36585-89956-06188-99277-75407-32653-28355-70124-58986-93509"));
	/* Nothing is never a match. */
	assert_false(hearth_fingerprint_equal("", ""));
	assert_false(hearth_fingerprint_equal("   ", " "));
	assert_false(hearth_fingerprint_equal(NULL, vector_fp));
	assert_false(hearth_fingerprint_equal(vector_fp, NULL));
}

/* ---- keys ------------------------------------------------------------------ */

static void test_keys_export_import(void **state)
{
	uint8_t blob[HEARTH_IDENTITY_EXPORT_BYTES], dblob[HEARTH_DEVICE_KEY_EXPORT_BYTES];
	hearth_identity *id = NULL, *back = NULL;
	hearth_device_key *k = NULL, *kb = NULL;

	(void)state;
	OK(hearth_identity_generate(&id));
	hearth_identity_export(id, blob);
	OK(hearth_identity_import(blob, sizeof blob, &back));
	assert_memory_equal(hearth_identity_public_keys(id),
			    hearth_identity_public_keys(back), sizeof(hearth_identity_public));
	assert_memory_equal(hearth_identity_box_secret(id),
			    hearth_identity_box_secret(back), HEARTH_ID_BOX_SECRETBYTES);
	hearth_identity_free(back);
	back = NULL;
	/* A stored identity whose halves do not match, a short one, one of
	 * an unknown version: refused as damage. */
	blob[1 + 64 + 5] ^= 1; /* its X25519 public key */
	assert_int_equal(hearth_identity_import(blob, sizeof blob, &back), HEARTH_EDAMAGED);
	blob[1 + 64 + 5] ^= 1;
	blob[40] ^= 1; /* the Ed25519 public half */
	assert_int_equal(hearth_identity_import(blob, sizeof blob, &back), HEARTH_EDAMAGED);
	blob[40] ^= 1;
	assert_int_equal(hearth_identity_import(blob, sizeof blob - 1, &back), HEARTH_EDAMAGED);
	blob[0] = 2;
	assert_int_equal(hearth_identity_import(blob, sizeof blob, &back), HEARTH_EDAMAGED);
	assert_null(back);

	OK(hearth_device_key_generate(&k));
	hearth_device_key_export(k, dblob);
	OK(hearth_device_key_import(dblob, sizeof dblob, &kb));
	assert_memory_equal(hearth_device_key_public(k), hearth_device_key_public(kb), 32);
	assert_memory_equal(hearth_device_key_secret(k), hearth_device_key_secret(kb), 64);
	hearth_device_key_free(kb);
	kb = NULL;
	dblob[50] ^= 1;
	assert_int_equal(hearth_device_key_import(dblob, sizeof dblob, &kb), HEARTH_EDAMAGED);
	assert_null(kb);
	hearth_device_key_free(k);
	hearth_identity_free(id);
	hearth_wipe(blob, sizeof blob);
	hearth_wipe(dblob, sizeof dblob);
}

/* ---- certificates -------------------------------------------------------- */

static void test_cert_vector(void **state)
{
	hearth_identity *id = identity_seeded(1, 2);
	hearth_device_key *k = device_seeded(4);
	uint8_t cert[HEARTH_CERT_BYTES], h[32];
	hearth_device_cert c;
	char hx[65];

	(void)state;
	OK(hearth_cert_issue(id, DEV, hearth_device_key_public(k), T0, cert));
	crypto_generichash(h, sizeof h, cert, sizeof cert, NULL, 0);
	hex(hx, h, sizeof h);
	assert_string_equal(hx, vector_cert_hash);
	/* The layout of §9.1. */
	assert_memory_equal(cert, "HEARTHDC\x01", 9);
	assert_memory_equal(cert + 9, "\0\0\0\0\0\0\0\xa1", 8);
	assert_memory_equal(cert + 17, hearth_device_key_public(k), 32);
	assert_memory_equal(cert + 49, hearth_identity_public_keys(id)->sign_pk, 32);
	assert_memory_equal(cert + 81, hearth_identity_public_keys(id)->box_pk, 32);
	assert_memory_equal(cert + 113, "\0\0\x01\x8b\xcf\xe5\x68\x00", 8);

	OK(hearth_cert_verify(cert, sizeof cert, hearth_identity_public_keys(id), &c));
	assert_int_equal(c.version, 1);
	assert_true(c.device == DEV);
	assert_true(c.issued_ms == T0);
	assert_memory_equal(c.device_pk, hearth_device_key_public(k), 32);
	assert_memory_equal(&c.identity, hearth_identity_public_keys(id), sizeof c.identity);
	OK(hearth_cert_verify(cert, sizeof cert, NULL, NULL));
	/* Device 0 is never certified. */
	assert_int_equal(hearth_cert_issue(id, 0, hearth_device_key_public(k), T0, cert),
			 HEARTH_EINVAL);
	hearth_device_key_free(k);
	hearth_identity_free(id);
}

static void test_cert_tampered(void **state)
{
	hearth_identity *id = identity_seeded(1, 2), *other = identity_seeded(3, 2);
	hearth_device_key *k = device_seeded(4);
	uint8_t cert[HEARTH_CERT_BYTES], bad[HEARTH_CERT_BYTES + 1], forged[HEARTH_CERT_BYTES];
	hearth_device_cert c;
	hearth_status st;
	size_t i;
	int bit;

	(void)state;
	OK(hearth_cert_issue(id, DEV, hearth_device_key_public(k), T0, cert));
	/* Any flipped bit, in the encoding or in the signature, is refused,
	 * with the signer named or not. */
	for (i = 0; i < sizeof cert; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, cert, sizeof cert);
			bad[i] ^= (uint8_t)(1u << bit);
			st = hearth_cert_verify(bad, sizeof cert,
						hearth_identity_public_keys(id), &c);
			if (st == HEARTH_OK)
				fail_msg("byte %zu bit %d: accepted", i, bit);
			assert_true(c.device == 0); /* nothing given back */
			st = hearth_cert_verify(bad, sizeof cert, NULL, NULL);
			if (st == HEARTH_OK)
				fail_msg("byte %zu bit %d: accepted with no signer named", i, bit);
			assert_true(st == HEARTH_EAUTH || st == HEARTH_EFORMAT ||
				    st == HEARTH_ENEWER);
		}
	}
	/* The reasons: magic, version, newer, size, device zero. */
	memcpy(bad, cert, sizeof cert);
	bad[0] = 'X';
	assert_int_equal(hearth_cert_verify(bad, sizeof cert, NULL, NULL), HEARTH_EFORMAT);
	memcpy(bad, cert, sizeof cert);
	bad[8] = 0;
	assert_int_equal(hearth_cert_verify(bad, sizeof cert, NULL, NULL), HEARTH_EFORMAT);
	bad[8] = 2;
	assert_int_equal(hearth_cert_verify(bad, sizeof cert, NULL, NULL), HEARTH_ENEWER);
	memcpy(bad, cert, sizeof cert);
	assert_int_equal(hearth_cert_verify(bad, sizeof cert - 1, NULL, NULL), HEARTH_EFORMAT);
	bad[sizeof cert] = 0;
	assert_int_equal(hearth_cert_verify(bad, sizeof cert + 1, NULL, NULL), HEARTH_EFORMAT);
	assert_int_equal(hearth_cert_verify(bad, 0, NULL, NULL), HEARTH_EFORMAT);
	/* Another identity: as the expected signer of this one, and as the
	 * real signer of a certificate that claims to be ours. */
	assert_int_equal(hearth_cert_verify(cert, sizeof cert,
					    hearth_identity_public_keys(other), NULL),
			 HEARTH_EAUTH);
	OK(hearth_cert_issue(other, DEV, hearth_device_key_public(k), T0, forged));
	memcpy(forged + 49, hearth_identity_public_keys(id)->sign_pk, 32);
	assert_int_equal(hearth_cert_verify(forged, sizeof forged,
					    hearth_identity_public_keys(id), NULL),
			 HEARTH_EAUTH);
	assert_int_equal(hearth_cert_verify(forged, sizeof forged, NULL, NULL), HEARTH_EAUTH);
	hearth_device_key_free(k);
	hearth_identity_free(id);
	hearth_identity_free(other);
}

/* ---- the store's secrets ------------------------------------------------- */

typedef struct store_fx {
	char dir[64];
	char path[96];
	sqlite3 *db;
	hearth_store *s;
} store_fx;

static int store_setup(void **state)
{
	store_fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	strcpy(f->dir, "/tmp/hearth-identity-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/test.db", f->dir);
	assert_int_equal(sqlite3_open(f->path, &f->db), SQLITE_OK);
	OK(hearth_schema_migrate(f->db, hearth_schema_latest()));
	OK(hearth_store_open(f->db, NULL, &f->s));
	*state = f;
	return 0;
}

static int store_teardown(void **state)
{
	store_fx *f = *state;
	char cmd[128];

	hearth_store_close(f->s);
	sqlite3_close(f->db);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int count_op(const hearth_op *op, uint64_t arrival, hearth_op_state state, void *ctx)
{
	(void)op;
	(void)arrival;
	(void)state;
	(*(int *)ctx)++;
	return 0;
}

static void test_store_secrets(void **state)
{
	store_fx *f = *state;
	uint8_t big[HEARTH_STORE_SECRET_MAX + 1], out[16];
	size_t len = 99;
	int found = 9, nops = 0;

	OK(hearth_store_secret_get(f->s, "nothing", out, sizeof out, &len, &found));
	assert_int_equal(found, 0);
	assert_int_equal(len, 0);
	OK(hearth_store_secret_put(f->s, "a.b_1", (const uint8_t *)"0123456789", 10));
	OK(hearth_store_secret_get(f->s, "a.b_1", out, sizeof out, &len, &found));
	assert_int_equal(found, 1);
	assert_int_equal(len, 10);
	assert_memory_equal(out, "0123456789", 10);
	/* Replaced whole; an empty one exists. */
	OK(hearth_store_secret_put(f->s, "a.b_1", (const uint8_t *)"xy", 2));
	OK(hearth_store_secret_get(f->s, "a.b_1", out, sizeof out, &len, &found));
	assert_int_equal(len, 2);
	OK(hearth_store_secret_put(f->s, "empty", NULL, 0));
	OK(hearth_store_secret_get(f->s, "empty", out, sizeof out, &len, &found));
	assert_int_equal(found, 1);
	assert_int_equal(len, 0);
	/* Bad names, too large, no room: refused, nothing written. */
	assert_int_equal(hearth_store_secret_put(f->s, "", out, 1), HEARTH_EINVAL);
	assert_int_equal(hearth_store_secret_put(f->s, "Device", out, 1), HEARTH_EINVAL);
	assert_int_equal(hearth_store_secret_put(f->s, "a b", out, 1), HEARTH_EINVAL);
	memset(big, 7, sizeof big);
	assert_int_equal(hearth_store_secret_put(f->s, "big", big, sizeof big), HEARTH_EINVAL);
	OK(hearth_store_secret_get(f->s, "big", out, sizeof out, &len, &found));
	assert_int_equal(found, 0);
	OK(hearth_store_secret_put(f->s, "big", big, sizeof big - 1));
	assert_int_equal(hearth_store_secret_get(f->s, "big", out, sizeof out, &len, &found),
			 HEARTH_EDAMAGED);
	/* Secrets are never ops: nothing of them syncs. */
	OK(hearth_store_ops_since(f->s, 0, count_op, &nops));
	assert_int_equal(nops, 0);
}

typedef struct audit_count {
	const char *action;
	size_t n;
} audit_count;

static int count_audit_cb(const hearth_audit_entry *e, void *ctx)
{
	audit_count *c = ctx;

	if (strcmp(e->action, c->action) == 0)
		c->n++;
	return 0;
}

static size_t audits(hearth_store *s, const char *action)
{
	audit_count c = { action, 0 };

	OK(hearth_audit_each(s, count_audit_cb, &c));
	return c.n;
}

static void test_store_ensure(void **state)
{
	store_fx *f = *state;
	char fp[HEARTH_FINGERPRINT_LEN + 1], fp2[HEARTH_FINGERPRINT_LEN + 1];
	hearth_device_info d;
	hearth_device_key *k = NULL;
	uint8_t cert[HEARTH_CERT_BYTES];
	hearth_device_cert c;
	hearth_identity *id = NULL;
	int changed = 0, nops = 0;

	/* Before: nothing. */
	assert_int_equal(hearth_identity_fingerprint_get(f->s, fp), HEARTH_ENOTFOUND);
	assert_int_equal(hearth_device_key_load(f->s, &k, NULL), HEARTH_ENOTFOUND);
	OK(hearth_devices_ensure(f->s, &changed));
	assert_int_equal(changed, 1);
	assert_int_equal(audits(f->s, HEARTH_AUDIT_IDENTITY_CREATE), 1);
	assert_int_equal(audits(f->s, HEARTH_AUDIT_DEVICE_CERTIFY), 1);
	OK(hearth_identity_fingerprint_get(f->s, fp));
	OK(hearth_device_this(f->s, &d));
	assert_true(d.device == hearth_store_device(f->s));
	assert_true(d.this_device && d.certified && !d.retired && d.since_ms > 0);
	/* The key it loads is the one certified, by the identity it holds. */
	OK(hearth_device_key_load(f->s, &k, cert));
	OK(hearth_identity_load(f->s, &id));
	OK(hearth_cert_verify(cert, sizeof cert, hearth_identity_public_keys(id), &c));
	assert_memory_equal(c.device_pk, hearth_device_key_public(k), 32);
	assert_memory_equal(d.public_key, hearth_device_key_public(k), 32);
	hearth_device_key_free(k);
	hearth_identity_free(id);
	/* Again: nothing to do, nothing written. */
	OK(hearth_devices_ensure(f->s, &changed));
	assert_int_equal(changed, 0);
	assert_int_equal(audits(f->s, HEARTH_AUDIT_DEVICE_CERTIFY), 1);
	OK(hearth_identity_fingerprint_get(f->s, fp2));
	assert_string_equal(fp, fp2);
	/* No op: keys never sync. */
	OK(hearth_store_ops_since(f->s, 0, count_op, &nops));
	assert_int_equal(nops, 0);
}

/* The store moves to a new id while open (two copies wrote under one id):
 * the key is refused for sealing until ensure certifies the new id; the
 * old one is listed, retired and still known as certified. */
typedef struct listed {
	hearth_device_info d[4];
	int n;
} listed;

static int list_cb(const hearth_device_info *d, void *ctx)
{
	listed *l = ctx;

	if (l->n < 4)
		l->d[l->n] = *d;
	l->n++;
	return 0;
}

static void test_store_moved(void **state)
{
	store_fx *f = *state;
	char fp[HEARTH_FINGERPRINT_LEN + 1], fp2[HEARTH_FINGERPRINT_LEN + 1];
	uint64_t before;
	hearth_device_info d;
	hearth_device_key *k = NULL;
	listed l = { 0 };
	int changed;

	OK(hearth_devices_ensure(f->s, NULL));
	OK(hearth_identity_fingerprint_get(f->s, fp));
	before = hearth_store_device(f->s);
	OK(hearth_store_new_device(f->s, "test"));
	assert_int_equal(hearth_device_key_load(f->s, &k, NULL), HEARTH_ESTATE);
	assert_null(k);
	OK(hearth_device_this(f->s, &d));
	assert_false(d.certified);
	OK(hearth_devices_ensure(f->s, &changed));
	assert_int_equal(changed, 1);
	OK(hearth_device_key_load(f->s, &k, NULL));
	hearth_device_key_free(k);
	OK(hearth_identity_fingerprint_get(f->s, fp2));
	assert_string_equal(fp, fp2); /* one person, one identity */
	OK(hearth_devices_each(f->s, list_cb, &l));
	assert_int_equal(l.n, 2);
	assert_true(l.d[0].this_device && l.d[0].certified && !l.d[0].retired);
	assert_true(l.d[0].device == hearth_store_device(f->s));
	assert_true(!l.d[1].this_device && l.d[1].certified && l.d[1].retired);
	assert_true(l.d[1].device == before);
	assert_memory_not_equal(l.d[0].public_key, l.d[1].public_key, 32);
	assert_int_equal(audits(f->s, HEARTH_AUDIT_DEVICE_CERTIFY), 2);
	assert_int_equal(audits(f->s, HEARTH_AUDIT_IDENTITY_CREATE), 1);
}

/* A tampered stored certificate is damage, named, never used. */
static void test_store_damaged(void **state)
{
	store_fx *f = *state;
	uint8_t blob[HEARTH_DEVICE_KEY_EXPORT_BYTES + HEARTH_CERT_BYTES];
	hearth_device_info d;
	hearth_device_key *k = NULL;
	size_t len;
	int found;

	OK(hearth_devices_ensure(f->s, NULL));
	OK(hearth_store_secret_get(f->s, "device_key", blob, sizeof blob, &len, &found));
	assert_int_equal(len, sizeof blob);
	blob[sizeof blob - 1] ^= 1; /* the certificate's signature */
	OK(hearth_store_secret_put(f->s, "device_key", blob, sizeof blob));
	assert_int_equal(hearth_device_key_load(f->s, &k, NULL), HEARTH_EDAMAGED);
	assert_non_null(strstr(hearth_errdetail(), "certificate"));
	assert_int_equal(hearth_device_this(f->s, &d), HEARTH_EDAMAGED);
	assert_int_equal(hearth_devices_ensure(f->s, NULL), HEARTH_EDAMAGED);
	hearth_wipe(blob, sizeof blob);
}

/* ---- vaults ----------------------------------------------------------------- */

typedef struct vault_fx {
	char root[64];
	char dir[96];
	char copy[96];
	hearth_kdf_params kdf;
	hearth_vault_options opt;
} vault_fx;

static int vault_setup(void **state)
{
	vault_fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	strcpy(f->root, "/tmp/hearth-identity-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->dir, sizeof f->dir, "%s/vault", f->root);
	snprintf(f->copy, sizeof f->copy, "%s/copy", f->root);
	f->kdf = hearth_kdf_params_low();
	f->opt.kdf = &f->kdf;
	*state = f;
	return 0;
}

static int vault_teardown(void **state)
{
	vault_fx *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static hearth_vault *vopen(const char *dir)
{
	hearth_vault *v = NULL;

	OK(hearth_vault_open(dir, PASS, strlen(PASS), NULL, &v));
	return v;
}

static void test_vault_keys_survive_reopen(void **state)
{
	vault_fx *f = *state;
	char fp[HEARTH_FINGERPRINT_LEN + 1], fp2[HEARTH_FINGERPRINT_LEN + 1];
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_device_info d, d2;
	hearth_vault *v = NULL;
	hearth_store *s;

	OK(hearth_vault_create(f->dir, PASS, strlen(PASS), &f->opt, code, &v));
	s = hearth_vault_store(v);
	OK(hearth_identity_fingerprint_get(s, fp));
	OK(hearth_device_this(s, &d));
	assert_true(d.certified);
	assert_int_equal(audits(s, HEARTH_AUDIT_IDENTITY_CREATE), 1);
	hearth_vault_close(v);

	v = vopen(f->dir);
	s = hearth_vault_store(v);
	OK(hearth_identity_fingerprint_get(s, fp2));
	assert_string_equal(fp, fp2);
	OK(hearth_device_this(s, &d2));
	assert_memory_equal(&d, &d2, sizeof d);
	/* Reopening writes nothing. */
	assert_int_equal(audits(s, HEARTH_AUDIT_IDENTITY_CREATE), 1);
	assert_int_equal(audits(s, HEARTH_AUDIT_DEVICE_CERTIFY), 1);
	hearth_vault_close(v);
}

/* A vault made before identities existed gains one on its next open,
 * audited; its data is untouched. */
static void test_vault_migration(void **state)
{
	vault_fx *f = *state;
	char code[HEARTH_RECOVERY_CODE_LEN + 1], fp[HEARTH_FINGERPRINT_LEN + 1];
	hearth_vault *v = NULL;
	hearth_store *s;
	hearth_device_info d;
	hearth_id rec;

	OK(hearth_vault_create(f->dir, PASS, strlen(PASS), &f->opt, code, &v));
	s = hearth_vault_store(v);
	OK(hearth_record_create(s, NULL, "person", &rec));
	/* What a vault of the previous version holds: no secrets in meta,
	 * no audit entries of them. */
	assert_int_equal(sqlite3_exec(hearth_vault_db(v),
		"DELETE FROM meta WHERE key LIKE 'secret.%'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(hearth_identity_fingerprint_get(s, fp), HEARTH_ENOTFOUND);
	hearth_vault_close(v);

	v = vopen(f->dir);
	s = hearth_vault_store(v);
	OK(hearth_identity_fingerprint_get(s, fp));
	OK(hearth_device_this(s, &d));
	assert_true(d.certified);
	assert_int_equal(audits(s, HEARTH_AUDIT_IDENTITY_CREATE), 2);
	OK(hearth_audit_verify(s, NULL));
	hearth_vault_close(v);
}

static void copy_file(const char *src, const char *dst)
{
	FILE *in = fopen(src, "rb"), *out;
	char buf[8192];
	size_t n;

	if (in == NULL)
		return; /* -wal may not exist */
	out = fopen(dst, "wb");
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void test_vault_copy_renews_certificate(void **state)
{
	static const char *const files[] = { "vault.json", "hearth.db", "hearth.db-wal",
		"hearth.id", "vault.id" };
	vault_fx *f = *state;
	char code[HEARTH_RECOVERY_CODE_LEN + 1], src[160], dst[160];
	char fp[HEARTH_FINGERPRINT_LEN + 1], fpc[HEARTH_FINGERPRINT_LEN + 1];
	hearth_device_info orig, cloned;
	hearth_vault *v = NULL;
	hearth_store *s;
	listed l = { 0 };
	size_t i;

	OK(hearth_vault_create(f->dir, PASS, strlen(PASS), &f->opt, code, &v));
	OK(hearth_identity_fingerprint_get(hearth_vault_store(v), fp));
	OK(hearth_device_this(hearth_vault_store(v), &orig));
	hearth_vault_close(v);
	assert_int_equal(mkdir(f->copy, 0700), 0);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(src, sizeof src, "%s/%s", f->dir, files[i]);
		snprintf(dst, sizeof dst, "%s/%s", f->copy, files[i]);
		copy_file(src, dst);
	}

	v = vopen(f->copy);
	s = hearth_vault_store(v);
	OK(hearth_device_this(s, &cloned));
	/* A new id, a new key, certified for it by the same identity. */
	assert_true(cloned.device != orig.device);
	assert_true(cloned.device == hearth_store_device(s));
	assert_true(cloned.certified);
	assert_memory_not_equal(cloned.public_key, orig.public_key, 32);
	OK(hearth_identity_fingerprint_get(s, fpc));
	assert_string_equal(fp, fpc);
	assert_int_equal(audits(s, HEARTH_AUDIT_DEVICE_CERTIFY), 2);
	/* The original id is listed, retired, with its old certificate. */
	OK(hearth_devices_each(s, list_cb, &l));
	assert_int_equal(l.n, 2);
	assert_true(l.d[1].device == orig.device && l.d[1].retired && l.d[1].certified);
	assert_true(l.d[1].since_ms == orig.since_ms);
	assert_memory_equal(l.d[1].public_key, orig.public_key, 32);
	hearth_vault_close(v);

	/* The copy keeps its new certificate; the original keeps its own. */
	v = vopen(f->copy);
	OK(hearth_device_this(hearth_vault_store(v), &orig));
	assert_memory_equal(&orig, &cloned, sizeof orig);
	hearth_vault_close(v);
	v = vopen(f->dir);
	OK(hearth_device_this(hearth_vault_store(v), &cloned));
	assert_true(cloned.device != orig.device);
	assert_int_equal(audits(hearth_vault_store(v), HEARTH_AUDIT_DEVICE_CERTIFY), 1);
	hearth_vault_close(v);
}

/* No secret key byte reaches the database file in clear (the VFS
 * encrypts every page). */
static void test_vault_keys_not_in_clear(void **state)
{
	vault_fx *f = *state;
	char code[HEARTH_RECOVERY_CODE_LEN + 1], path[160];
	uint8_t *blob = hearth_secret_alloc(HEARTH_DEVICE_KEY_EXPORT_BYTES + HEARTH_CERT_BYTES);
	hearth_vault *v = NULL;
	size_t len, n, j;
	int found, k;
	uint8_t *file;
	FILE *in;

	assert_non_null(blob);
	OK(hearth_vault_create(f->dir, PASS, strlen(PASS), &f->opt, code, &v));
	OK(hearth_store_secret_get(hearth_vault_store(v), "device_key", blob,
				   HEARTH_DEVICE_KEY_EXPORT_BYTES + HEARTH_CERT_BYTES,
				   &len, &found));
	hearth_vault_close(v);
	file = malloc(1 << 22);
	assert_non_null(file);
	for (k = 0; k < 2; k++) {
		snprintf(path, sizeof path, "%s/hearth.db%s", f->dir, k ? "-wal" : "");
		if ((in = fopen(path, "rb")) == NULL)
			continue;
		n = fread(file, 1, 1 << 22, in);
		fclose(in);
		/* The device key's seed (16 bytes of it), and the certificate's
		 * public bytes: neither appears. */
		for (j = 0; j + 16 <= n; j++) {
			assert_true(memcmp(file + j, blob + 1, 16) != 0);
			assert_true(memcmp(file + j, "HEARTHDC", 8) != 0);
		}
	}
	free(file);
	hearth_secret_free(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint_vector),
		cmocka_unit_test(test_fingerprint_differs),
		cmocka_unit_test(test_fingerprint_equal),
		cmocka_unit_test(test_keys_export_import),
		cmocka_unit_test(test_cert_vector),
		cmocka_unit_test(test_cert_tampered),
		cmocka_unit_test_setup_teardown(test_store_secrets, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_store_ensure, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_store_moved, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_store_damaged, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_vault_keys_survive_reopen, vault_setup,
						vault_teardown),
		cmocka_unit_test_setup_teardown(test_vault_migration, vault_setup, vault_teardown),
		cmocka_unit_test_setup_teardown(test_vault_copy_renews_certificate, vault_setup,
						vault_teardown),
		cmocka_unit_test_setup_teardown(test_vault_keys_not_in_clear, vault_setup,
						vault_teardown),
	};

	return cmocka_run_group_tests_name("identity", tests, NULL, NULL);
}
