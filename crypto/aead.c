/*
 * aead.c - the page cipher's XChaCha20-Poly1305-IETF, computed by OpenSSL
 * when it can.  See aead_private.h.
 *
 * XChaCha20-Poly1305-IETF, as libsodium defines it, is two steps:
 *
 *   subkey = HChaCha20(key, nonce[0..16))
 *   ChaCha20-Poly1305-IETF(subkey, 4 zero bytes || nonce[16..24), ad, m)
 *
 * libsodium's crypto_core_hchacha20() computes the first step, OpenSSL's
 * ChaCha20-Poly1305 (RFC 8439, the IETF variant) the second: the
 * ciphertext and tag are those of crypto_aead_xchacha20poly1305_ietf_*,
 * byte for byte (tests/test_aead.c compares them), so vaults written by
 * either read with the other.  Nothing here is a cipher of its own: the
 * two library calls are composed, no more.
 *
 * libsodium remains the fallback: when OpenSSL's ChaCha20-Poly1305 cannot
 * be fetched (a provider configuration without it), when a context cannot
 * be allocated, when a length does not fit OpenSSL's int, or when an EVP
 * call fails before any output was written.  A tag that does not verify is
 * not a failure to fall back from: it is the answer.
 *
 * The cipher is fetched once per process, and each hearth_xaead keeps one
 * encryption and one decryption context, re-keyed per call: a context
 * allocated per 4 KiB page made each call about 7 % slower here (see the
 * vfs section of docs/BENCHMARKS.md).  A context holds the subkey of its last
 * call until the next one or hearth_xaead_free(), which wipes it (OpenSSL
 * clears a context it frees).
 *
 * Nonces: each page gets 24 fresh random bytes from libsodium, as before,
 * but drawn NONCE_POOL at a time: a getrandom() system call costs more
 * here than encrypting the page.  A nonce leaves the pool once, never to
 * be handed out again.  A forked child must not hand out what its parent
 * also holds (the same nonce under the same key loses both pages'
 * secrecy and the key's integrity): the pool remembers the fork
 * generation it was drawn in, which a pthread_atfork() handler advances
 * in every child, and a pool from another generation is thrown away.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "aead_private.h"

_Static_assert(HEARTH_KEYBYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES &&
	       HEARTH_NONCEBYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES &&
	       HEARTH_TAGBYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES,
	       "the page format is libsodium's XChaCha20-Poly1305-IETF");
_Static_assert(crypto_core_hchacha20_INPUTBYTES == 16 &&
	       crypto_core_hchacha20_OUTPUTBYTES == HEARTH_KEYBYTES,
	       "HChaCha20 takes the first 16 nonce bytes, gives a key");

#define HNONCE 16 /* nonce bytes HChaCha20 consumes */
#define IV 12     /* ChaCha20-Poly1305-IETF nonce: 4 zero bytes, the rest */

#define NONCE_POOL 64 /* nonces drawn per getrandom() */

struct hearth_xaead {
	EVP_CIPHER_CTX *enc, *dec; /* made on first use; NULL until then */
	int last;                  /* enum hearth_xaead_impl */
	/* Random nonces not yet handed out: pool[used..NONCE_POOL), drawn
	 * in fork generation gen. */
	unsigned used, gen;
	uint8_t pool[NONCE_POOL][HEARTH_NONCEBYTES];
};

static pthread_once_t cipher_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *cipher; /* fetched once, kept; NULL: unavailable */
static atomic_int openssl_on = 1;
static atomic_ullong openssl_calls; /* calls OpenSSL computed, for tests */

static pthread_once_t fork_once = PTHREAD_ONCE_INIT;
static atomic_uint fork_gen; /* advanced in every forked child */
static int fork_watched;     /* the handler is in place: pools may be used */

static void fork_child(void)
{
	atomic_fetch_add(&fork_gen, 1);
}

static void fork_watch(void)
{
	fork_watched = pthread_atfork(NULL, NULL, fork_child) == 0;
}

static void cipher_fetch(void)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);

	/* Anything but the RFC 8439 geometry is not the cipher we compose. */
	if (c != NULL && (EVP_CIPHER_get_key_length(c) != HEARTH_KEYBYTES ||
			  EVP_CIPHER_get_iv_length(c) != IV)) {
		EVP_CIPHER_free(c);
		c = NULL;
	}
	if (c == NULL)
		ERR_clear_error();
	cipher = c;
}

int hearth_xaead_openssl_available(void)
{
	pthread_once(&cipher_once, cipher_fetch);
	return cipher != NULL;
}

int hearth_xaead_openssl_set(int on)
{
	return atomic_exchange(&openssl_on, on ? 1 : 0);
}

hearth_xaead *hearth_xaead_new(void)
{
	hearth_xaead *x = calloc(1, sizeof(hearth_xaead));

	pthread_once(&fork_once, fork_watch);
	if (x != NULL)
		x->used = NONCE_POOL; /* empty: drawn on first use */
	return x;
}

void hearth_xaead_nonce(hearth_xaead *x, uint8_t nonce[HEARTH_NONCEBYTES])
{
	unsigned gen = atomic_load(&fork_gen);

	if (x == NULL || !fork_watched) {
		hearth_random(nonce, HEARTH_NONCEBYTES);
		return;
	}
	if (x->used == NONCE_POOL || x->gen != gen) {
		hearth_random(x->pool, sizeof x->pool);
		x->used = 0;
		x->gen = gen;
	}
	memcpy(nonce, x->pool[x->used], HEARTH_NONCEBYTES);
	memset(x->pool[x->used], 0, HEARTH_NONCEBYTES);
	x->used++;
}

void hearth_xaead_free(hearth_xaead *x)
{
	if (x == NULL)
		return;
	EVP_CIPHER_CTX_free(x->enc);
	EVP_CIPHER_CTX_free(x->dec);
	free(x);
}

int hearth_xaead_last_impl(const hearth_xaead *x)
{
	return x != NULL ? x->last : HEARTH_XAEAD_NONE;
}

uint64_t hearth_xaead_openssl_calls(void)
{
	return atomic_load(&openssl_calls);
}

/* Records that OpenSSL computed x's call. */
static void ran_openssl(hearth_xaead *x)
{
	x->last = HEARTH_XAEAD_OPENSSL;
	atomic_fetch_add_explicit(&openssl_calls, 1, memory_order_relaxed);
}

/* x's context for direction enc, made on first use; NULL when OpenSSL
 * should not or cannot do this call. */
static EVP_CIPHER_CTX *ctx_for(hearth_xaead *x, int enc, size_t len,
			       size_t adlen)
{
	EVP_CIPHER_CTX **slot;

	if (x == NULL || !atomic_load_explicit(&openssl_on, memory_order_relaxed) ||
	    len > INT_MAX || adlen > INT_MAX || !hearth_xaead_openssl_available())
		return NULL;
	slot = enc ? &x->enc : &x->dec;
	if (*slot == NULL) {
		*slot = EVP_CIPHER_CTX_new();
		if (*slot == NULL)
			return NULL;
		if (EVP_CipherInit_ex(*slot, cipher, NULL, NULL, NULL, enc) != 1) {
			EVP_CIPHER_CTX_free(*slot);
			*slot = NULL;
			ERR_clear_error();
			return NULL;
		}
	}
	return *slot;
}

/* Keys ctx for one call: HChaCha20's subkey and the IETF nonce, then the
 * associated data.  Writes no output.  Returns 1 on success. */
static int ctx_start(EVP_CIPHER_CTX *ctx, int enc, const uint8_t *ad,
		     size_t adlen, const uint8_t nonce[HEARTH_NONCEBYTES],
		     const uint8_t key[HEARTH_KEYBYTES])
{
	uint8_t subkey[HEARTH_KEYBYTES], iv[IV];
	int n, ok;

	crypto_core_hchacha20(subkey, nonce, key, NULL);
	memset(iv, 0, 4);
	memcpy(iv + 4, nonce + HNONCE, HEARTH_NONCEBYTES - HNONCE);
	ok = EVP_CipherInit_ex(ctx, NULL, NULL, subkey, iv, enc) == 1;
	sodium_memzero(subkey, sizeof subkey);
	if (ok && adlen > 0)
		ok = EVP_CipherUpdate(ctx, NULL, &n, ad, (int)adlen) == 1;
	return ok;
}

static int sodium_seal(hearth_xaead *x, uint8_t *c, uint8_t *tag,
		       const uint8_t *m, size_t mlen, const uint8_t *ad,
		       size_t adlen, const uint8_t *nonce, const uint8_t *key)
{
	if (x != NULL)
		x->last = HEARTH_XAEAD_SODIUM;
	return crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
		c, tag, NULL, m, mlen, ad, adlen, NULL, nonce, key) == 0 ? 0 : -1;
}

int hearth_xaead_seal(hearth_xaead *x, uint8_t *c, uint8_t tag[HEARTH_TAGBYTES],
		      const uint8_t *m, size_t mlen,
		      const uint8_t *ad, size_t adlen,
		      const uint8_t nonce[HEARTH_NONCEBYTES],
		      const uint8_t key[HEARTH_KEYBYTES])
{
	EVP_CIPHER_CTX *ctx = ctx_for(x, 1, mlen, adlen);
	uint8_t fin[16];
	int n, wrote = 0;

	if (ctx == NULL)
		return sodium_seal(x, c, tag, m, mlen, ad, adlen, nonce, key);
	if (!ctx_start(ctx, 1, ad, adlen, nonce, key))
		goto fail;
	if (mlen > 0) {
		wrote = 1;
		if (EVP_CipherUpdate(ctx, c, &n, m, (int)mlen) != 1 ||
		    (size_t)n != mlen)
			goto fail;
	}
	/* A stream cipher: Final writes nothing, it finishes the tag. */
	if (EVP_CipherFinal_ex(ctx, fin, &n) != 1 || n != 0 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, HEARTH_TAGBYTES,
				tag) != 1)
		goto fail;
	ran_openssl(x);
	return 0;
fail:
	ERR_clear_error();
	/* Encrypted in place, the plaintext is gone: nothing to fall back
	 * on.  Otherwise libsodium encrypts it again, over what was written. */
	if (wrote && c == m) {
		sodium_memzero(c, mlen);
		ran_openssl(x);
		return -1;
	}
	return sodium_seal(x, c, tag, m, mlen, ad, adlen, nonce, key);
}

/* XChaCha20-Poly1305-IETF encrypts with ChaCha20 block 1 onwards (block 0
 * keys Poly1305) under the HChaCha20 subkey, with the nonce 4 zero bytes
 * || nonce[16..24).  libsodium's XChaCha20 stream, from block 1, sets the
 * same ChaCha20 state: its 64-bit counter's high word is the IETF nonce's
 * 4 zero bytes while the counter stays below 2^32 (len below 2^38). */
void hearth_xaead_keystream(uint8_t *out, size_t len,
			    const uint8_t nonce[HEARTH_NONCEBYTES],
			    const uint8_t key[HEARTH_KEYBYTES])
{
	memset(out, 0, len);
	crypto_stream_xchacha20_xor_ic(out, out, len, nonce, 1, key);
}

int hearth_xaead_open(hearth_xaead *x, uint8_t *m, const uint8_t *c, size_t clen,
		      const uint8_t tag[HEARTH_TAGBYTES],
		      const uint8_t *ad, size_t adlen,
		      const uint8_t nonce[HEARTH_NONCEBYTES],
		      const uint8_t key[HEARTH_KEYBYTES])
{
	EVP_CIPHER_CTX *ctx = ctx_for(x, 0, clen, adlen);
	uint8_t fin[16];
	int n;

	if (ctx == NULL)
		goto sodium;
	/* The tag is set before the ciphertext goes in, so every failure
	 * up to the update leaves m untouched and libsodium can step in. */
	if (!ctx_start(ctx, 0, ad, adlen, nonce, key) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, HEARTH_TAGBYTES,
				(void *)tag) != 1) {
		ERR_clear_error();
		goto sodium;
	}
	ran_openssl(x);
	if (clen > 0 &&
	    (EVP_CipherUpdate(ctx, m, &n, c, (int)clen) != 1 || (size_t)n != clen))
		goto refused;
	/* Final compares the tag in constant time. */
	if (EVP_CipherFinal_ex(ctx, fin, &n) != 1 || n != 0)
		goto refused;
	return 0;
refused:
	ERR_clear_error();
	if (clen > 0)
		sodium_memzero(m, clen);
	return -1;
sodium:
	if (x != NULL)
		x->last = HEARTH_XAEAD_SODIUM;
	/* libsodium checks the tag before it writes any plaintext. */
	if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
		    m, NULL, c, clen, tag, ad, adlen, nonce, key) != 0) {
		if (clen > 0)
			sodium_memzero(m, clen);
		return -1;
	}
	return 0;
}
