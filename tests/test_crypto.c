/*
 * test_crypto.c - the libsodium wrappers: AEAD round trips and every kind of
 * tampering, key wrapping, Argon2id, parameter floors, subkeys, hex, and
 * known-answer vectors that pin the derived outputs.
 *
 * The known answers were computed once with libsodium 1.0.18 directly
 * (crypto_pwhash, crypto_kdf_derive_from_key,
 * crypto_aead_xchacha20poly1305_ietf_encrypt_detached); if one changes,
 * every existing vault would stop opening.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hearth/crypto.h"

static void fill_seq(uint8_t *p, size_t n, uint8_t first)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(first + i);
}

static void hex_of(char *out, const uint8_t *p, size_t n)
{
	hearth_hex_encode(out, p, n);
}

/* out holds no byte of the plaintext: it is still the sentinel, or
 * wiped. */
static void assert_not_released(const uint8_t *out, size_t n, uint8_t sentinel)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (out[i] != sentinel && out[i] != 0)
			fail_msg("plaintext byte %zu released after a failed open", i);
}

static void test_init_idempotent(void **state)
{
	(void)state;
	assert_int_equal(hearth_crypto_init(), HEARTH_OK);
	assert_int_equal(hearth_crypto_init(), HEARTH_OK);
}

static void test_aead_round_trip(void **state)
{
	const char *msg = "张三 MARKER-NAME: 夜班后失眠 2026-11-23";
	size_t n = strlen(msg);
	uint8_t key[HEARTH_KEYBYTES], nonce[HEARTH_NONCEBYTES];
	uint8_t c[128], m[128];

	(void)state;
	hearth_random(key, sizeof key);
	hearth_random(nonce, sizeof nonce);
	assert_int_equal(hearth_aead_seal(c, (const uint8_t *)msg, n,
					  (const uint8_t *)"ad", 2, nonce, key),
			 HEARTH_OK);
	assert_true(memmem(c, n + HEARTH_TAGBYTES, "MARKER", 6) == NULL);
	assert_int_equal(hearth_aead_open(m, c, n + HEARTH_TAGBYTES,
					  (const uint8_t *)"ad", 2, nonce, key),
			 HEARTH_OK);
	assert_memory_equal(m, msg, n);

	/* In place, both ways; and an empty message with no AD. */
	memcpy(c, msg, n);
	assert_int_equal(hearth_aead_seal(c, c, n, NULL, 0, nonce, key), HEARTH_OK);
	assert_int_equal(hearth_aead_open(c, c, n + HEARTH_TAGBYTES, NULL, 0, nonce, key),
			 HEARTH_OK);
	assert_memory_equal(c, msg, n);
	assert_int_equal(hearth_aead_seal(c, NULL, 0, NULL, 0, nonce, key), HEARTH_OK);
	assert_int_equal(hearth_aead_open(m, c, HEARTH_TAGBYTES, NULL, 0, nonce, key),
			 HEARTH_OK);
}

/* Each single change to what was sealed makes opening fail, and the
 * output buffer gets no plaintext. */
static void test_aead_tamper(void **state)
{
	enum { N = 64 };
	uint8_t key[HEARTH_KEYBYTES], nonce[HEARTH_NONCEBYTES], ad[8] = "record1";
	uint8_t msg[N], c[N + HEARTH_TAGBYTES], t[N + HEARTH_TAGBYTES], out[N];
	uint8_t other_key[HEARTH_KEYBYTES];
	size_t i;

	(void)state;
	hearth_random(key, sizeof key);
	hearth_random(nonce, sizeof nonce);
	fill_seq(msg, N, 0x41);
	assert_int_equal(hearth_aead_seal(c, msg, N, ad, sizeof ad, nonce, key),
			 HEARTH_OK);

	/* Every byte of ciphertext and tag. */
	for (i = 0; i < sizeof c; i++) {
		memcpy(t, c, sizeof c);
		t[i] ^= 0x01;
		memset(out, 0xaa, sizeof out);
		assert_int_equal(hearth_aead_open(out, t, sizeof t, ad, sizeof ad,
						  nonce, key), HEARTH_EAUTH);
		assert_not_released(out, N, 0xaa);
	}
	/* Every byte of nonce and AD. */
	for (i = 0; i < sizeof nonce; i++) {
		nonce[i] ^= 0x80;
		memset(out, 0xaa, sizeof out);
		assert_int_equal(hearth_aead_open(out, c, sizeof c, ad, sizeof ad,
						  nonce, key), HEARTH_EAUTH);
		assert_not_released(out, N, 0xaa);
		nonce[i] ^= 0x80;
	}
	for (i = 0; i < sizeof ad; i++) {
		ad[i] ^= 0x01;
		assert_int_equal(hearth_aead_open(out, c, sizeof c, ad, sizeof ad,
						  nonce, key), HEARTH_EAUTH);
		ad[i] ^= 0x01;
	}
	/* AD dropped or shortened; wrong key; truncated. */
	assert_int_equal(hearth_aead_open(out, c, sizeof c, NULL, 0, nonce, key),
			 HEARTH_EAUTH);
	assert_int_equal(hearth_aead_open(out, c, sizeof c, ad, sizeof ad - 1,
					  nonce, key), HEARTH_EAUTH);
	memcpy(other_key, key, sizeof key);
	other_key[31] ^= 1;
	assert_int_equal(hearth_aead_open(out, c, sizeof c, ad, sizeof ad, nonce,
					  other_key), HEARTH_EAUTH);
	assert_int_equal(hearth_aead_open(out, c, sizeof c - 1, ad, sizeof ad,
					  nonce, key), HEARTH_EAUTH);
	assert_int_equal(hearth_aead_open(out, c, HEARTH_TAGBYTES - 1, ad, sizeof ad,
					  nonce, key), HEARTH_EAUTH);
	/* Untouched, it still opens. */
	assert_int_equal(hearth_aead_open(out, c, sizeof c, ad, sizeof ad, nonce, key),
			 HEARTH_OK);
	assert_memory_equal(out, msg, N);
}

static void test_aead_detached(void **state)
{
	uint8_t key[HEARTH_KEYBYTES], nonce[HEARTH_NONCEBYTES], tag[HEARTH_TAGBYTES];
	uint8_t page[256], c[256], out[256];

	(void)state;
	hearth_random(key, sizeof key);
	hearth_random(nonce, sizeof nonce);
	fill_seq(page, sizeof page, 7);
	assert_int_equal(hearth_aead_seal_detached(c, tag, page, sizeof page,
						   (const uint8_t *)"p1", 2, nonce, key),
			 HEARTH_OK);
	assert_int_equal(hearth_aead_open_detached(out, c, sizeof c, tag,
						   (const uint8_t *)"p1", 2, nonce, key),
			 HEARTH_OK);
	assert_memory_equal(out, page, sizeof page);
	/* The same page under another page's AD: refused. */
	memset(out, 0xaa, sizeof out);
	assert_int_equal(hearth_aead_open_detached(out, c, sizeof c, tag,
						   (const uint8_t *)"p2", 2, nonce, key),
			 HEARTH_EAUTH);
	assert_not_released(out, sizeof out, 0xaa);
	tag[0] ^= 1;
	assert_int_equal(hearth_aead_open_detached(out, c, sizeof c, tag,
						   (const uint8_t *)"p1", 2, nonce, key),
			 HEARTH_EAUTH);
	tag[0] ^= 1;
	/* In place. */
	assert_int_equal(hearth_aead_open_detached(c, c, sizeof c, tag,
						   (const uint8_t *)"p1", 2, nonce, key),
			 HEARTH_OK);
	assert_memory_equal(c, page, sizeof page);
}

static void test_aead_known_answer(void **state)
{
	uint8_t key[HEARTH_KEYBYTES], nonce[HEARTH_NONCEBYTES], tag[HEARTH_TAGBYTES];
	uint8_t c[16];
	char hex[2 * 16 + 1];

	(void)state;
	fill_seq(key, sizeof key, 0);
	fill_seq(nonce, sizeof nonce, 0x40);
	assert_int_equal(hearth_aead_seal_detached(c, tag, (const uint8_t *)"hearth page",
						   11, (const uint8_t *)"ad", 2,
						   nonce, key), HEARTH_OK);
	hex_of(hex, c, 11);
	assert_string_equal(hex, "bc5c6402a4885966ee93e2");
	hex_of(hex, tag, sizeof tag);
	assert_string_equal(hex, "ca6121e607ae8734795ecdd840de680b");
}

static void test_key_wrap(void **state)
{
	uint8_t key[HEARTH_KEYBYTES], kek[HEARTH_KEYBYTES], other[HEARTH_KEYBYTES];
	uint8_t wrapped[HEARTH_WRAPPEDBYTES], wrapped2[HEARTH_WRAPPEDBYTES];
	uint8_t out[HEARTH_KEYBYTES];
	size_t i;

	(void)state;
	hearth_random(key, sizeof key);
	hearth_random(kek, sizeof kek);
	memcpy(other, kek, sizeof kek);
	other[0] ^= 1;
	assert_int_equal(hearth_key_wrap(wrapped, key, kek, "passphrase"), HEARTH_OK);
	assert_true(memmem(wrapped, sizeof wrapped, key, sizeof key) == NULL);
	assert_int_equal(hearth_key_unwrap(out, wrapped, kek, "passphrase"), HEARTH_OK);
	assert_memory_equal(out, key, sizeof key);

	/* A fresh nonce each time: the same key wraps differently. */
	assert_int_equal(hearth_key_wrap(wrapped2, key, kek, "passphrase"), HEARTH_OK);
	assert_memory_not_equal(wrapped, wrapped2, sizeof wrapped);

	/* Wrong kek, wrong label (a blob moved to another slot), altered
	 * blob: refused, and the output wiped. */
	memset(out, 0xaa, sizeof out);
	assert_int_equal(hearth_key_unwrap(out, wrapped, other, "passphrase"), HEARTH_EAUTH);
	for (i = 0; i < sizeof out; i++)
		assert_int_equal(out[i], 0);
	memset(out, 0xaa, sizeof out);
	assert_int_equal(hearth_key_unwrap(out, wrapped, kek, "recovery"), HEARTH_EAUTH);
	for (i = 0; i < sizeof out; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(hearth_key_unwrap(out, wrapped, kek, ""), HEARTH_EAUTH);
	for (i = 0; i < sizeof wrapped; i++) {
		wrapped[i] ^= 0x10;
		assert_int_equal(hearth_key_unwrap(out, wrapped, kek, "passphrase"),
				 HEARTH_EAUTH);
		wrapped[i] ^= 0x10;
	}
	assert_int_equal(hearth_key_wrap(wrapped, key, kek, NULL), HEARTH_EINVAL);
	assert_int_equal(hearth_key_unwrap(out, wrapped, kek, NULL), HEARTH_EINVAL);
}

static void test_kdf_argon2id(void **state)
{
	const char *pw = "correct horse battery staple";
	hearth_kdf_params low = hearth_kdf_params_low();
	uint8_t salt[HEARTH_SALTBYTES], a[HEARTH_KEYBYTES], b[HEARTH_KEYBYTES];
	char hex[2 * HEARTH_KEYBYTES + 1];

	(void)state;
	assert_int_equal(low.memlimit, HEARTH_KDF_MIN_MEMLIMIT);
	assert_int_equal(low.opslimit, HEARTH_KDF_MIN_OPSLIMIT);
	fill_seq(salt, sizeof salt, 0xa0);
	assert_int_equal(hearth_kdf_derive(a, pw, strlen(pw), salt, &low), HEARTH_OK);
	assert_int_equal(hearth_kdf_derive(b, pw, strlen(pw), salt, &low), HEARTH_OK);
	assert_memory_equal(a, b, sizeof a);
	/* Known answer. */
	hex_of(hex, a, sizeof a);
	assert_string_equal(hex,
		"69c063433c5ed8277914f61461e8d8e3635e6c10a68fc75aca95b069ef25c71c");

	/* Another salt, another passphrase, one byte shorter: other keys. */
	salt[0] ^= 1;
	assert_int_equal(hearth_kdf_derive(b, pw, strlen(pw), salt, &low), HEARTH_OK);
	assert_memory_not_equal(a, b, sizeof a);
	salt[0] ^= 1;
	assert_int_equal(hearth_kdf_derive(b, "correct horse battery staplf",
					   strlen(pw), salt, &low), HEARTH_OK);
	assert_memory_not_equal(a, b, sizeof a);
	assert_int_equal(hearth_kdf_derive(b, pw, strlen(pw) - 1, salt, &low), HEARTH_OK);
	assert_memory_not_equal(a, b, sizeof a);
	/* An empty passphrase is a passphrase like any other. */
	assert_int_equal(hearth_kdf_derive(b, "", 0, salt, &low), HEARTH_OK);
	assert_int_equal(hearth_kdf_derive(b, NULL, 3, salt, &low), HEARTH_EINVAL);
}

static void test_kdf_params_check(void **state)
{
	hearth_kdf_params def = hearth_kdf_params_default(), p;
	uint8_t salt[HEARTH_SALTBYTES] = { 0 }, key[HEARTH_KEYBYTES];

	(void)state;
	assert_int_equal(def.memlimit, 256u * 1024u * 1024u);
	assert_int_equal(def.opslimit, 3);
	assert_int_equal(hearth_kdf_params_check(&def), HEARTH_OK);
	p = hearth_kdf_params_low();
	assert_int_equal(hearth_kdf_params_check(&p), HEARTH_OK);

	p.memlimit = HEARTH_KDF_MIN_MEMLIMIT - 1;
	assert_int_equal(hearth_kdf_params_check(&p), HEARTH_EINVAL);
	assert_non_null(strstr(hearth_errdetail(), "memory"));
	/* A stored vault asking for less must not be derived at all. */
	assert_int_equal(hearth_kdf_derive(key, "x", 1, salt, &p), HEARTH_EINVAL);
	p = hearth_kdf_params_low();
	p.opslimit = 0;
	assert_int_equal(hearth_kdf_params_check(&p), HEARTH_EINVAL);
	assert_non_null(strstr(hearth_errdetail(), "passes"));
	p = hearth_kdf_params_low();
	p.memlimit = UINT64_MAX;
	assert_int_equal(hearth_kdf_params_check(&p), HEARTH_EINVAL);
	p = hearth_kdf_params_low();
	p.opslimit = UINT64_MAX;
	assert_int_equal(hearth_kdf_params_check(&p), HEARTH_EINVAL);
	assert_int_equal(hearth_kdf_params_check(NULL), HEARTH_EINVAL);
}

static void test_subkeys(void **state)
{
	uint8_t master[HEARTH_KEYBYTES], a[HEARTH_KEYBYTES], b[HEARTH_KEYBYTES];
	char hex[2 * HEARTH_KEYBYTES + 1];

	(void)state;
	fill_seq(master, sizeof master, 0);
	assert_int_equal(hearth_subkey_derive(a, 1, "hearthdb", master), HEARTH_OK);
	hex_of(hex, a, sizeof a);
	assert_string_equal(hex,
		"bf9a867ca8dbe74f4a8e2c9c90683c10405e2dd9b7cdc973b3ffe3e7b820d0dc");
	assert_int_equal(hearth_subkey_derive(b, 1, "hearthdb", master), HEARTH_OK);
	assert_memory_equal(a, b, sizeof a);
	assert_int_equal(hearth_subkey_derive(b, 2, "hearthdb", master), HEARTH_OK);
	assert_memory_not_equal(a, b, sizeof a);
	assert_int_equal(hearth_subkey_derive(b, 1, "hearthop", master), HEARTH_OK);
	assert_memory_not_equal(a, b, sizeof a);
	master[5] ^= 1;
	assert_int_equal(hearth_subkey_derive(b, 1, "hearthdb", master), HEARTH_OK);
	assert_memory_not_equal(a, b, sizeof a);
}

static void test_hex(void **state)
{
	const uint8_t in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	uint8_t out[sizeof in];
	char hex[2 * sizeof in + 1];

	(void)state;
	hearth_hex_encode(hex, in, sizeof in);
	assert_string_equal(hex, "00017f80abff");
	assert_int_equal(hearth_hex_decode(out, sizeof out, hex), HEARTH_OK);
	assert_memory_equal(out, in, sizeof in);
	assert_int_equal(hearth_hex_decode(out, sizeof out, "00017F80ABFF"), HEARTH_OK);
	assert_memory_equal(out, in, sizeof in);
	hearth_hex_encode(hex, in, 0);
	assert_string_equal(hex, "");

	assert_int_equal(hearth_hex_decode(out, sizeof out, "00017f80abf"), HEARTH_EFORMAT);
	assert_int_equal(hearth_hex_decode(out, sizeof out, "00017f80abfff0"), HEARTH_EFORMAT);
	assert_int_equal(hearth_hex_decode(out, sizeof out, "00017f80abfg"), HEARTH_EFORMAT);
	assert_int_equal(hearth_hex_decode(out, sizeof out, "0x017f80abff"), HEARTH_EFORMAT);
	assert_int_equal(hearth_hex_decode(out, sizeof out, " 0017f80abff"), HEARTH_EFORMAT);
	assert_int_equal(hearth_hex_decode(out, sizeof out, NULL), HEARTH_EFORMAT);
}

static void test_random_and_helpers(void **state)
{
	uint8_t a[32], b[32], *s;

	(void)state;
	hearth_random(a, sizeof a);
	hearth_random(b, sizeof b);
	assert_memory_not_equal(a, b, sizeof a);
	assert_true(hearth_random_u64() != hearth_random_u64());
	assert_int_equal(hearth_memcmp_ct(a, a, sizeof a), 0);
	assert_int_not_equal(hearth_memcmp_ct(a, b, sizeof a), 0);
	hearth_wipe(a, sizeof a);
	memset(b, 0, sizeof b);
	assert_memory_equal(a, b, sizeof a);

	s = hearth_secret_alloc(HEARTH_KEYBYTES);
	assert_non_null(s);
	memset(s, 0x5c, HEARTH_KEYBYTES);
	hearth_secret_free(s);
	hearth_secret_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_idempotent),
		cmocka_unit_test(test_aead_round_trip),
		cmocka_unit_test(test_aead_tamper),
		cmocka_unit_test(test_aead_detached),
		cmocka_unit_test(test_aead_known_answer),
		cmocka_unit_test(test_key_wrap),
		cmocka_unit_test(test_kdf_argon2id),
		cmocka_unit_test(test_kdf_params_check),
		cmocka_unit_test(test_subkeys),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_random_and_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
