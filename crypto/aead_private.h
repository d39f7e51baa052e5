/*
 * aead_private.h - the page cipher's AEAD (aead.c): XChaCha20-Poly1305-IETF,
 * byte for byte what libsodium's crypto_aead_xchacha20poly1305_ietf_*
 * gives, computed by OpenSSL's ChaCha20-Poly1305 when it can (a 4 KiB page
 * in half the time here) and by libsodium when it cannot.
 * Used by the encrypting VFS (vfs.c), its tests and benchmark.
 *
 * Not installed; not part of the public API.
 */
#ifndef HEARTH_AEAD_PRIVATE_H
#define HEARTH_AEAD_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/crypto.h"

/* Per-user state of the cipher: the OpenSSL contexts it reuses from call
 * to call.  One user at a time (a VFS file is used by one thread at a
 * time); users on other threads each need their own. */
typedef struct hearth_xaead hearth_xaead;

/* Which implementation computed a call (hearth_xaead_last_impl()). */
enum hearth_xaead_impl {
	HEARTH_XAEAD_NONE = 0,    /* no call yet */
	HEARTH_XAEAD_OPENSSL = 1, /* OpenSSL's ChaCha20-Poly1305 */
	HEARTH_XAEAD_SODIUM = 2,  /* libsodium, the fallback */
};

/* A new cipher state; free it with hearth_xaead_free().  NULL only when
 * out of memory.  Without OpenSSL's ChaCha20-Poly1305 (a provider
 * configuration that leaves it out) the state works through libsodium. */
hearth_xaead *hearth_xaead_new(void);

/* Frees x and wipes what its contexts held; NULL is a no-op. */
void hearth_xaead_free(hearth_xaead *x);

/* Writes a fresh random nonce for one seal (HEARTH_NONCEBYTES from
 * libsodium's randombytes, drawn several at a time and never handed out
 * twice, in this process or a forked child).  x may be NULL. */
void hearth_xaead_nonce(hearth_xaead *x, uint8_t nonce[HEARTH_NONCEBYTES]);

/* Encrypts mlen bytes of m into c (c may equal m) and writes the
 * HEARTH_TAGBYTES tag to tag, with associated data ad (adlen bytes, ad may
 * be NULL when adlen is 0), the HEARTH_NONCEBYTES nonce and the
 * HEARTH_KEYBYTES key: exactly crypto_aead_xchacha20poly1305_ietf_
 * encrypt_detached().  x may be NULL (libsodium then does the work).
 * Returns 0, or -1 if neither implementation could encrypt. */
int hearth_xaead_seal(hearth_xaead *x, uint8_t *c, uint8_t tag[HEARTH_TAGBYTES],
		      const uint8_t *m, size_t mlen,
		      const uint8_t *ad, size_t adlen,
		      const uint8_t nonce[HEARTH_NONCEBYTES],
		      const uint8_t key[HEARTH_KEYBYTES]) HEARTH_WUR;

/* Authenticates clen bytes of ciphertext c with tag, ad, nonce and key,
 * and writes the plaintext to m (m may equal c).  Returns 0, or -1 when
 * authentication fails; m then holds clen zero bytes, never a byte of
 * unauthenticated plaintext (OpenSSL decrypts before it checks the tag,
 * so with m equal to c the ciphertext is gone too). */
int hearth_xaead_open(hearth_xaead *x, uint8_t *m, const uint8_t *c, size_t clen,
		      const uint8_t tag[HEARTH_TAGBYTES],
		      const uint8_t *ad, size_t adlen,
		      const uint8_t nonce[HEARTH_NONCEBYTES],
		      const uint8_t key[HEARTH_KEYBYTES]) HEARTH_WUR;

/* Writes to out the len bytes (at most 2^38) that hearth_xaead_seal()
 * would give as the ciphertext of len zero bytes under nonce and key,
 * whatever the associated data: the cipher's keystream, without the
 * Poly1305 work.  libsodium computes it.  For masks that need no tag. */
void hearth_xaead_keystream(uint8_t *out, size_t len,
			    const uint8_t nonce[HEARTH_NONCEBYTES],
			    const uint8_t key[HEARTH_KEYBYTES]);

/* Which implementation computed x's last call (enum hearth_xaead_impl). */
int hearth_xaead_last_impl(const hearth_xaead *x);

/* How many calls in this process OpenSSL computed (whatever their
 * outcome): tests use it to show which implementation a vault went
 * through. */
uint64_t hearth_xaead_openssl_calls(void);

/* Tests and benchmarks only: 0 makes every call in the process use
 * libsodium, 1 (the default) lets OpenSSL work when it can.  Returns the
 * previous setting. */
int hearth_xaead_openssl_set(int on);

/* 1 if OpenSSL's ChaCha20-Poly1305 is available in this process. */
int hearth_xaead_openssl_available(void);

#endif /* HEARTH_AEAD_PRIVATE_H */
