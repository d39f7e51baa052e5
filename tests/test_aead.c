/*
 * test_aead.c - the page cipher (crypto/aead.c): OpenSSL's ChaCha20-
 * Poly1305 keyed with libsodium's HChaCha20 gives, byte for byte, what
 * libsodium's XChaCha20-Poly1305-IETF gives, over random keys, nonces,
 * lengths and associated data, in both directions; the OpenSSL path
 * refuses every altered bit; libsodium takes over when OpenSSL is switched
 * off or offers no ChaCha20-Poly1305; the WAL masks' keystream is the
 * ciphertext of zeros; page nonces never repeat, in a forked child either.
 *
 * Every comparison is against libsodium called directly
 * (crypto_aead_xchacha20poly1305_ietf_*_detached), the implementation
 * that wrote every existing vault, and every call through the new path
 * asserts that OpenSSL computed it, so a silent fallback cannot pass
 * these tests in its place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "hearth/crypto.h"

#include "../crypto/aead_private.h"

#define MAX_LEN (64 * 1024)
#define LONG_AD 5000

typedef struct bufs {
	uint8_t *m, *c_ref, *c, *out;
	uint8_t ad[LONG_AD];
	hearth_xaead *x;
} bufs;

static int setup(void **state)
{
	bufs *b = calloc(1, sizeof *b);

	if (b == NULL || hearth_crypto_init() != HEARTH_OK)
		return -1;
	b->m = malloc(MAX_LEN);
	b->c_ref = malloc(MAX_LEN);
	b->c = malloc(MAX_LEN);
	b->out = malloc(MAX_LEN);
	b->x = hearth_xaead_new();
	if (b->m == NULL || b->c_ref == NULL || b->c == NULL ||
	    b->out == NULL || b->x == NULL)
		return -1;
	*state = b;
	return 0;
}

static int teardown(void **state)
{
	bufs *b = *state;

	hearth_xaead_free(b->x);
	free(b->m);
	free(b->c_ref);
	free(b->c);
	free(b->out);
	free(b);
	return 0;
}

static void assert_zeros(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			fail_msg("byte %zu of a refused open is not zero", i);
}

/* Opens c (len bytes, tag, ad, nonce, key) through x and asserts that
 * OpenSSL refused it and released nothing. */
static void assert_refused(bufs *b, const uint8_t *c, size_t len,
			   const uint8_t *tag, const uint8_t *ad, size_t adlen,
			   const uint8_t *nonce, const uint8_t *key)
{
	memset(b->out, 0xa5, len);
	assert_int_equal(hearth_xaead_open(b->x, b->out, c, len, tag, ad, adlen,
					   nonce, key), -1);
	assert_int_equal(hearth_xaead_last_impl(b->x), HEARTH_XAEAD_OPENSSL);
	assert_zeros(b->out, len);
}

/* One case: len bytes of random plaintext, adlen bytes of associated data
 * (ad NULL when adlen is 0), a random key and nonce. */
static void check_case(bufs *b, size_t len, size_t adlen)
{
	uint8_t key[HEARTH_KEYBYTES], nonce[HEARTH_NONCEBYTES];
	uint8_t key2[HEARTH_KEYBYTES], nonce2[HEARTH_NONCEBYTES];
	uint8_t tag_ref[HEARTH_TAGBYTES], tag[HEARTH_TAGBYTES];
	const uint8_t *ad = adlen > 0 ? b->ad : NULL;
	size_t bit;

	randombytes_buf(key, sizeof key);
	randombytes_buf(nonce, sizeof nonce);
	randombytes_buf(b->m, len);
	randombytes_buf(b->ad, adlen);

	/* libsodium, as every vault so far was written. */
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
		b->c_ref, tag_ref, NULL, b->m, len, ad, adlen, NULL, nonce, key), 0);

	/* Sealing: the same ciphertext and tag. */
	memset(b->c, 0, len);
	assert_int_equal(hearth_xaead_seal(b->x, b->c, tag, b->m, len, ad, adlen,
					   nonce, key), 0);
	assert_int_equal(hearth_xaead_last_impl(b->x), HEARTH_XAEAD_OPENSSL);
	if (memcmp(b->c, b->c_ref, len) != 0 || memcmp(tag, tag_ref, sizeof tag) != 0)
		fail_msg("seal differs from libsodium: %zu bytes, %zu of ad", len, adlen);

	/* Opening what libsodium sealed. */
	memset(b->out, 0, len);
	assert_int_equal(hearth_xaead_open(b->x, b->out, b->c_ref, len, tag_ref,
					   ad, adlen, nonce, key), 0);
	assert_int_equal(hearth_xaead_last_impl(b->x), HEARTH_XAEAD_OPENSSL);
	if (memcmp(b->out, b->m, len) != 0)
		fail_msg("open differs from libsodium: %zu bytes, %zu of ad", len, adlen);

	/* libsodium opens what the new path sealed. */
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
		b->out, NULL, b->c, len, tag, ad, adlen, nonce, key), 0);
	assert_memory_equal(b->out, b->m, len);

	/* In place, both ways. */
	memcpy(b->c, b->m, len);
	assert_int_equal(hearth_xaead_seal(b->x, b->c, tag, b->c, len, ad, adlen,
					   nonce, key), 0);
	assert_memory_equal(b->c, b->c_ref, len);
	assert_memory_equal(tag, tag_ref, sizeof tag);
	assert_int_equal(hearth_xaead_open(b->x, b->c, b->c, len, tag, ad, adlen,
					   nonce, key), 0);
	assert_memory_equal(b->c, b->m, len);

	/* Tampering, each refused by OpenSSL's check: one flipped bit of
	 * the ciphertext, of the tag, of the associated data (or a byte of
	 * it where there was none), of the nonce, of the key. */
	if (len > 0) {
		memcpy(b->c, b->c_ref, len);
		bit = randombytes_uniform((uint32_t)(8 * len));
		b->c[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_refused(b, b->c, len, tag_ref, ad, adlen, nonce, key);
	}
	memcpy(tag, tag_ref, sizeof tag);
	bit = randombytes_uniform(8 * HEARTH_TAGBYTES);
	tag[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	assert_refused(b, b->c_ref, len, tag, ad, adlen, nonce, key);
	if (adlen > 0) {
		bit = randombytes_uniform((uint32_t)(8 * adlen));
		b->ad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_refused(b, b->c_ref, len, tag_ref, ad, adlen, nonce, key);
		b->ad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_refused(b, b->c_ref, len, tag_ref, ad, adlen - 1, nonce, key);
	} else {
		b->ad[0] = 0;
		assert_refused(b, b->c_ref, len, tag_ref, b->ad, 1, nonce, key);
	}
	/* A bit of the HChaCha20 part of the nonce, then of the rest; a bit
	 * of the key. */
	memcpy(nonce2, nonce, sizeof nonce2);
	nonce2[randombytes_uniform(16)] ^= 0x10;
	assert_refused(b, b->c_ref, len, tag_ref, ad, adlen, nonce2, key);
	memcpy(nonce2, nonce, sizeof nonce2);
	nonce2[16 + randombytes_uniform(8)] ^= 0x01;
	assert_refused(b, b->c_ref, len, tag_ref, ad, adlen, nonce2, key);
	memcpy(key2, key, sizeof key2);
	key2[randombytes_uniform(HEARTH_KEYBYTES)] ^= 0x80;
	assert_refused(b, b->c_ref, len, tag_ref, ad, adlen, nonce, key2);
	sodium_memzero(key2, sizeof key2);
	sodium_memzero(key, sizeof key);
}

/* The machine that builds Hearth has OpenSSL 3: without its cipher every
 * test below would only be testing libsodium against itself. */
static void test_openssl_present(void **state)
{
	(void)state;
	assert_true(hearth_xaead_openssl_available());
}

/* Lengths 0, 1 and a page, odd sizes up to 64 KiB, and random odd ones,
 * each with no, short and long associated data. */
static void test_same_bytes_as_libsodium(void **state)
{
	static const size_t lens[] = {
		0, 1, 3, 15, 16, 17, 63, 64, 65, 127, 255, 1023, 4055, 4056,
		4095, 4096, 4097, 8191, 12345, 32767, 65535, MAX_LEN,
	};
	static const size_t adlens[] = { 0, 10, LONG_AD };
	bufs *b = *state;
	uint64_t calls = hearth_xaead_openssl_calls();
	size_t i, j;

	for (i = 0; i < sizeof lens / sizeof lens[0]; i++)
		for (j = 0; j < sizeof adlens / sizeof adlens[0]; j++)
			check_case(b, lens[i], adlens[j]);
	for (i = 0; i < 40; i++)
		check_case(b, randombytes_uniform(MAX_LEN / 2) * 2 + 1,
			   adlens[i % 3] > 0 ? 1 + randombytes_uniform(adlens[i % 3]) : 0);
	/* The counter the VFS test relies on counts these calls. */
	assert_true(hearth_xaead_openssl_calls() > calls);
}

/* The project's pinned XChaCha20-Poly1305 answer (tests/test_crypto.c),
 * now computed by the OpenSSL path. */
static void test_known_answer(void **state)
{
	bufs *b = *state;
	uint8_t key[HEARTH_KEYBYTES], nonce[HEARTH_NONCEBYTES], tag[HEARTH_TAGBYTES];
	uint8_t c[11];
	char hex[2 * HEARTH_TAGBYTES + 1];
	size_t i;

	for (i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < sizeof nonce; i++)
		nonce[i] = (uint8_t)(0x40 + i);
	assert_int_equal(hearth_xaead_seal(b->x, c, tag, (const uint8_t *)"hearth page",
					   11, (const uint8_t *)"ad", 2, nonce, key), 0);
	assert_int_equal(hearth_xaead_last_impl(b->x), HEARTH_XAEAD_OPENSSL);
	hearth_hex_encode(hex, c, sizeof c);
	assert_string_equal(hex, "bc5c6402a4885966ee93e2");
	hearth_hex_encode(hex, tag, sizeof tag);
	assert_string_equal(hex, "ca6121e607ae8734795ecdd840de680b");
}

/* The keystream the VFS masks WAL checksums with is the ciphertext of
 * zeros, as libsodium's AEAD gives it (the first vaults' masks), whatever
 * the associated data. */
static void test_keystream_is_ciphertext_of_zeros(void **state)
{
	static const size_t lens[] = { 0, 1, 8, 63, 64, 65, 4096, 12345, MAX_LEN };
	bufs *b = *state;
	uint8_t key[HEARTH_KEYBYTES], nonce[HEARTH_NONCEBYTES], tag[HEARTH_TAGBYTES];
	size_t i;
	int round;

	memset(b->m, 0, MAX_LEN);
	for (round = 0; round < 4; round++)
		for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
			randombytes_buf(key, sizeof key);
			randombytes_buf(nonce, sizeof nonce);
			randombytes_buf(b->ad, 10);
			assert_int_equal(crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
				b->c_ref, tag, NULL, b->m, lens[i], b->ad,
				round % 2 ? 10 : 0, NULL, nonce, key), 0);
			memset(b->c, 0xa5, lens[i]);
			hearth_xaead_keystream(b->c, lens[i], nonce, key);
			if (memcmp(b->c, b->c_ref, lens[i]) != 0)
				fail_msg("keystream differs: %zu bytes", lens[i]);
		}
	sodium_memzero(key, sizeof key);
}

/* Switched off, or without a state, libsodium does the work: the same
 * bytes, the same refusals. */
static void test_libsodium_fallback(void **state)
{
	bufs *b = *state;
	uint8_t key[HEARTH_KEYBYTES], nonce[HEARTH_NONCEBYTES];
	uint8_t tag[HEARTH_TAGBYTES], tag2[HEARTH_TAGBYTES];
	const size_t len = 4056;
	uint64_t calls;

	randombytes_buf(key, sizeof key);
	randombytes_buf(nonce, sizeof nonce);
	randombytes_buf(b->m, len);
	assert_int_equal(hearth_xaead_seal(b->x, b->c_ref, tag, b->m, len,
					   b->ad, 10, nonce, key), 0);
	assert_int_equal(hearth_xaead_last_impl(b->x), HEARTH_XAEAD_OPENSSL);

	assert_int_equal(hearth_xaead_openssl_set(0), 1);
	calls = hearth_xaead_openssl_calls();
	assert_int_equal(hearth_xaead_seal(b->x, b->c, tag2, b->m, len,
					   b->ad, 10, nonce, key), 0);
	assert_int_equal(hearth_xaead_last_impl(b->x), HEARTH_XAEAD_SODIUM);
	assert_memory_equal(b->c, b->c_ref, len);
	assert_memory_equal(tag2, tag, sizeof tag);
	assert_int_equal(hearth_xaead_open(b->x, b->out, b->c, len, tag,
					   b->ad, 10, nonce, key), 0);
	assert_int_equal(hearth_xaead_last_impl(b->x), HEARTH_XAEAD_SODIUM);
	assert_memory_equal(b->out, b->m, len);
	tag2[3] ^= 4;
	memset(b->out, 0xa5, len);
	assert_int_equal(hearth_xaead_open(b->x, b->out, b->c, len, tag2,
					   b->ad, 10, nonce, key), -1);
	assert_zeros(b->out, len);
	assert_int_equal(hearth_xaead_openssl_calls(), calls);
	assert_int_equal(hearth_xaead_openssl_set(1), 0);

	/* No state: libsodium, even with OpenSSL on. */
	assert_int_equal(hearth_xaead_seal(NULL, b->c, tag2, b->m, len,
					   b->ad, 10, nonce, key), 0);
	assert_memory_equal(b->c, b->c_ref, len);
	assert_int_equal(hearth_xaead_open(NULL, b->out, b->c, len, tag,
					   b->ad, 10, nonce, key), 0);
	assert_memory_equal(b->out, b->m, len);
	assert_int_equal(hearth_xaead_openssl_calls(), calls);
	sodium_memzero(key, sizeof key);
}

/* Two states in turn, each alternating directions and keys: a context
 * re-keyed for every call carries nothing from one call to the next. */
static void test_contexts_reused(void **state)
{
	bufs *b = *state;
	hearth_xaead *y = hearth_xaead_new();
	uint8_t key[2][HEARTH_KEYBYTES], nonce[HEARTH_NONCEBYTES];
	uint8_t tag[HEARTH_TAGBYTES], tag_ref[HEARTH_TAGBYTES];
	const size_t len = 4056;
	int i;

	assert_non_null(y);
	randombytes_buf(key, sizeof key);
	for (i = 0; i < 200; i++) {
		hearth_xaead *x = i % 3 ? b->x : y;
		const uint8_t *k = key[i % 2];

		randombytes_buf(nonce, sizeof nonce);
		randombytes_buf(b->m, len);
		assert_int_equal(crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
			b->c_ref, tag_ref, NULL, b->m, len, b->ad, 10, NULL, nonce, k), 0);
		if (i % 5 == 4) {
			/* A refusal in between leaves the context usable. */
			tag_ref[0] ^= 1;
			assert_int_equal(hearth_xaead_open(x, b->out, b->c_ref, len,
							   tag_ref, b->ad, 10, nonce, k), -1);
			tag_ref[0] ^= 1;
		}
		assert_int_equal(hearth_xaead_open(x, b->out, b->c_ref, len, tag_ref,
						   b->ad, 10, nonce, k), 0);
		assert_memory_equal(b->out, b->m, len);
		assert_int_equal(hearth_xaead_seal(x, b->c, tag, b->m, len, b->ad, 10,
						   nonce, k), 0);
		assert_int_equal(hearth_xaead_last_impl(x), HEARTH_XAEAD_OPENSSL);
		assert_memory_equal(b->c, b->c_ref, len);
		assert_memory_equal(tag, tag_ref, sizeof tag);
	}
	hearth_xaead_free(y);
	hearth_xaead_free(NULL);
	sodium_memzero(key, sizeof key);
}

static int nonce_cmp(const void *a, const void *b)
{
	return memcmp(a, b, HEARTH_NONCEBYTES);
}

/* Nonces come from a pool per state: none is handed out twice, by one
 * state or by two, and none is all zeros (the slot a used nonce leaves). */
static void test_nonces_fresh(void **state)
{
	enum { PER = 500, ALL = 3 * PER };
	static const uint8_t zero[HEARTH_NONCEBYTES];
	bufs *b = *state;
	hearth_xaead *y = hearth_xaead_new();
	uint8_t (*n)[HEARTH_NONCEBYTES] = malloc(ALL * HEARTH_NONCEBYTES);
	int i;

	assert_non_null(y);
	assert_non_null(n);
	for (i = 0; i < PER; i++) {
		hearth_xaead_nonce(b->x, n[i]);
		hearth_xaead_nonce(y, n[PER + i]);
		hearth_xaead_nonce(NULL, n[2 * PER + i]);
	}
	qsort(n, ALL, HEARTH_NONCEBYTES, nonce_cmp);
	for (i = 0; i < ALL; i++) {
		assert_memory_not_equal(n[i], zero, HEARTH_NONCEBYTES);
		if (i > 0)
			assert_memory_not_equal(n[i], n[i - 1], HEARTH_NONCEBYTES);
	}
	free(n);
	hearth_xaead_free(y);
}

/* A forked child never hands out a nonce its parent still holds: after
 * the fork, the next nonces of the same state differ in each process. */
static void test_nonces_after_fork(void **state)
{
	enum { N = 10 };
	bufs *b = *state;
	uint8_t first[HEARTH_NONCEBYTES];
	uint8_t mine[N][HEARTH_NONCEBYTES], theirs[N][HEARTH_NONCEBYTES];
	int fds[2], status, i, j;
	pid_t pid;

	hearth_xaead_nonce(b->x, first); /* the pool is full now */
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		for (i = 0; i < N; i++)
			hearth_xaead_nonce(b->x, theirs[i]);
		_exit(write(fds[1], theirs, sizeof theirs) == (ssize_t)sizeof theirs ? 0 : 1);
	}
	close(fds[1]);
	for (i = 0; i < N; i++)
		hearth_xaead_nonce(b->x, mine[i]);
	assert_int_equal(read(fds[0], theirs, sizeof theirs), (ssize_t)sizeof theirs);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 0; i < N; i++)
		for (j = 0; j < N; j++)
			assert_memory_not_equal(mine[i], theirs[j], HEARTH_NONCEBYTES);
}

/* What the copy of this program started by test_without_openssl_cipher
 * checks, with OpenSSL configured to offer no ChaCha20-Poly1305: the
 * state falls back to libsodium, with the same bytes and refusals.
 * Returns 0 when all holds. */
static int run_without_openssl(void)
{
	uint8_t key[HEARTH_KEYBYTES], nonce[HEARTH_NONCEBYTES];
	uint8_t m[4056], c[4056], c_ref[4056], out[4056];
	uint8_t tag[HEARTH_TAGBYTES], tag_ref[HEARTH_TAGBYTES];
	hearth_xaead *x = hearth_xaead_new();
	int bad = 0;

	if (x == NULL || hearth_crypto_init() != HEARTH_OK)
		return 1;
	randombytes_buf(key, sizeof key);
	randombytes_buf(nonce, sizeof nonce);
	randombytes_buf(m, sizeof m);
	bad |= hearth_xaead_openssl_available();
	bad |= crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
		c_ref, tag_ref, NULL, m, sizeof m, (const uint8_t *)"ad", 2,
		NULL, nonce, key);
	bad |= hearth_xaead_seal(x, c, tag, m, sizeof m, (const uint8_t *)"ad", 2,
				 nonce, key) != 0;
	bad |= hearth_xaead_last_impl(x) != HEARTH_XAEAD_SODIUM;
	bad |= memcmp(c, c_ref, sizeof c) != 0 || memcmp(tag, tag_ref, sizeof tag) != 0;
	bad |= hearth_xaead_open(x, out, c, sizeof c, tag, (const uint8_t *)"ad", 2,
				 nonce, key) != 0;
	bad |= memcmp(out, m, sizeof m) != 0;
	tag[0] ^= 1;
	bad |= hearth_xaead_open(x, out, c, sizeof c, tag, (const uint8_t *)"ad", 2,
				 nonce, key) != -1;
	bad |= hearth_xaead_last_impl(x) != HEARTH_XAEAD_SODIUM;
	bad |= hearth_xaead_openssl_calls() != 0;
	hearth_xaead_free(x);
	sodium_memzero(key, sizeof key);
	return bad ? 1 : 0;
}

/* OpenSSL unavailable at run time: a configuration that activates only
 * OpenSSL's base provider (no ciphers), read when OpenSSL starts, so it
 * runs in a fresh copy of this program. */
static void test_without_openssl_cipher(void **state)
{
	static const char conf_text[] =
		"openssl_conf = openssl_init\n"
		"[openssl_init]\nproviders = provider_sect\n"
		"[provider_sect]\nbase = base_sect\n"
		"[base_sect]\nactivate = 1\n";
	char conf[] = "/tmp/hearth-aead-conf-XXXXXX";
	int fd, status;
	pid_t pid;

	(void)state;
	fd = mkstemp(conf);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, conf_text, sizeof conf_text - 1),
			 (ssize_t)(sizeof conf_text - 1));
	close(fd);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("OPENSSL_CONF", conf, 1);
		execl("/proc/self/exe", "test_aead", "--without-openssl", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(conf);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssl_present),
		cmocka_unit_test_setup_teardown(test_same_bytes_as_libsodium, setup, teardown),
		cmocka_unit_test_setup_teardown(test_known_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keystream_is_ciphertext_of_zeros, setup, teardown),
		cmocka_unit_test_setup_teardown(test_libsodium_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contexts_reused, setup, teardown),
		cmocka_unit_test(test_without_openssl_cipher),
		cmocka_unit_test_setup_teardown(test_nonces_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nonces_after_fork, setup, teardown),
	};

	if (argc == 2 && strcmp(argv[1], "--without-openssl") == 0)
		return run_without_openssl();

	return cmocka_run_group_tests(tests, NULL, NULL);
}
