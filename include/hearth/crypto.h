/*
 * hearth/crypto.h - thin, documented wrappers over libsodium.
 *
 * Nothing here invents cryptography: it names the libsodium constructions
 * Hearth uses and fixes their parameters in one place.
 *
 *   key derivation   Argon2id (crypto_pwhash_ALG_ARGON2ID13)
 *   AEAD             XChaCha20-Poly1305 IETF, 24-byte random nonces
 *   key wrapping     the AEAD above, over a 32-byte key, with a label as
 *                    associated data
 *   subkeys          crypto_kdf (BLAKE2b) from a master key
 *   random ids       randombytes_buf
 *
 * Secrets (keys, passphrases once copied) live in hearth_secret buffers:
 * sodium_malloc'd, guarded, locked, and wiped when freed.
 */
#ifndef HEARTH_CRYPTO_H
#define HEARTH_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_KEYBYTES 32u      /* every symmetric key */
#define HEARTH_SALTBYTES 16u     /* Argon2id salt (crypto_pwhash_SALTBYTES) */
#define HEARTH_NONCEBYTES 24u    /* XChaCha20-Poly1305 nonce */
#define HEARTH_TAGBYTES 16u      /* Poly1305 tag */
#define HEARTH_WRAPPEDBYTES (HEARTH_NONCEBYTES + HEARTH_KEYBYTES + HEARTH_TAGBYTES)
#define HEARTH_IDBYTES 16u       /* random record and space ids */

/* A recovery code: 8 groups of 4 characters from a 32-letter alphabet with
 * no look-alikes, dash-separated (160 bits), e.g. "K7QM-...".  On input,
 * case, spaces and dashes do not matter. */
#define HEARTH_RECOVERY_CODE_LEN 39u

/* Default Argon2id cost: 256 MiB and 3 passes.  A vault stores the
 * parameters it was made with, so a later version can raise these. */
#define HEARTH_KDF_DEFAULT_MEMLIMIT (256u * 1024u * 1024u)
#define HEARTH_KDF_DEFAULT_OPSLIMIT 3u
/* The floor accepted from a stored vault or an option: libsodium's own
 * minimums would make a passphrase cheap to guess, so nothing below this
 * is ever used except by tests through hearth_kdf_params_for_tests(). */
#define HEARTH_KDF_MIN_MEMLIMIT (8u * 1024u * 1024u)
#define HEARTH_KDF_MIN_OPSLIMIT 1u

typedef struct hearth_kdf_params {
	uint64_t opslimit; /* Argon2id passes */
	uint64_t memlimit; /* bytes of memory */
} hearth_kdf_params;

/* Initialises libsodium.  Safe to call many times and from any module; every
 * function below calls it.  HEARTH_ECRYPTO if libsodium cannot start.
 *
 * The first call also gives SQLite an allocator that wipes every block it
 * frees or moves (decrypted pages in the page cache, rows, sort buffers),
 * which SQLite accepts only before it initialises: a program that uses
 * SQLite must call this first. */
hearth_status hearth_crypto_init(void) HEARTH_WUR;

/* 1 if SQLite allocates through the wiping allocator (installed by the
 * first hearth_crypto_init()), 0 if SQLite had initialised before and
 * keeps its own. */
int hearth_sqlite_wipe_active(void);

/* Turns off core dumps for this process (RLIMIT_CORE 0) and, on Linux,
 * marks it not dumpable (no core, no ptrace or /proc/PID/mem by other
 * processes of the user).  Programs call it first thing in main(), before
 * any secret is in memory.  HEARTH_ERROR if the system refuses. */
hearth_status hearth_process_harden(void) HEARTH_WUR;

/* The default parameters (256 MiB, 3 passes). */
hearth_kdf_params hearth_kdf_params_default(void);

/* Cheap parameters (8 MiB, 1 pass) for tests and for the explicit
 * low-memory option; never a default. */
hearth_kdf_params hearth_kdf_params_low(void);

/* HEARTH_OK if params are within [minimum, libsodium maximum], else
 * HEARTH_EINVAL with a detail naming the bad field. */
hearth_status hearth_kdf_params_check(const hearth_kdf_params *params) HEARTH_WUR;

/* Derives a HEARTH_KEYBYTES key from a passphrase with Argon2id.  key must be
 * HEARTH_KEYBYTES long (ideally inside a hearth_secret).  HEARTH_ENOMEM if
 * the memory cost cannot be met, HEARTH_EINVAL for bad params. */
hearth_status hearth_kdf_derive(uint8_t *key, const char *passphrase,
				size_t passphrase_len,
				const uint8_t salt[HEARTH_SALTBYTES],
				const hearth_kdf_params *params) HEARTH_WUR;

/* AEAD seal: c receives mlen + HEARTH_TAGBYTES bytes (ciphertext then tag);
 * c may equal m.  nonce is chosen by the caller (use hearth_random). */
hearth_status hearth_aead_seal(uint8_t *c, const uint8_t *m, size_t mlen,
			       const uint8_t *ad, size_t adlen,
			       const uint8_t nonce[HEARTH_NONCEBYTES],
			       const uint8_t key[HEARTH_KEYBYTES]) HEARTH_WUR;

/* AEAD open: the tag is verified before any plaintext is written.  clen
 * includes the tag; m receives clen - HEARTH_TAGBYTES bytes; m may equal c.
 * HEARTH_EAUTH (and m untouched... or wiped) when authentication fails. */
hearth_status hearth_aead_open(uint8_t *m, const uint8_t *c, size_t clen,
			       const uint8_t *ad, size_t adlen,
			       const uint8_t nonce[HEARTH_NONCEBYTES],
			       const uint8_t key[HEARTH_KEYBYTES]) HEARTH_WUR;

/* Detached variants, used by the page cipher: the tag goes to its own
 * buffer so the ciphertext keeps the plaintext's length. */
hearth_status hearth_aead_seal_detached(uint8_t *c, uint8_t tag[HEARTH_TAGBYTES],
					const uint8_t *m, size_t mlen,
					const uint8_t *ad, size_t adlen,
					const uint8_t nonce[HEARTH_NONCEBYTES],
					const uint8_t key[HEARTH_KEYBYTES]) HEARTH_WUR;
hearth_status hearth_aead_open_detached(uint8_t *m, const uint8_t *c, size_t clen,
					const uint8_t tag[HEARTH_TAGBYTES],
					const uint8_t *ad, size_t adlen,
					const uint8_t nonce[HEARTH_NONCEBYTES],
					const uint8_t key[HEARTH_KEYBYTES]) HEARTH_WUR;

/* Key wrapping: seals key under kek with a fresh random nonce, the label
 * (e.g. "passphrase", "recovery") bound as associated data so a wrapped
 * key cannot be moved to another slot.  out is HEARTH_WRAPPEDBYTES long:
 * nonce || ciphertext || tag. */
hearth_status hearth_key_wrap(uint8_t out[HEARTH_WRAPPEDBYTES],
			      const uint8_t key[HEARTH_KEYBYTES],
			      const uint8_t kek[HEARTH_KEYBYTES],
			      const char *label) HEARTH_WUR;

/* Unwraps what hearth_key_wrap made.  HEARTH_EAUTH when kek or label is
 * wrong or the blob was altered; key is then wiped. */
hearth_status hearth_key_unwrap(uint8_t key[HEARTH_KEYBYTES],
				const uint8_t in[HEARTH_WRAPPEDBYTES],
				const uint8_t kek[HEARTH_KEYBYTES],
				const char *label) HEARTH_WUR;

/* Derives subkey number `id` in `context` (exactly 8 characters, as
 * crypto_kdf requires) from a master key. */
hearth_status hearth_subkey_derive(uint8_t subkey[HEARTH_KEYBYTES], uint64_t id,
				   const char context[8],
				   const uint8_t master[HEARTH_KEYBYTES]) HEARTH_WUR;

/* Fills buf with len cryptographically random bytes. */
void hearth_random(void *buf, size_t len);

/* A uniformly random 64-bit number (device ids). */
uint64_t hearth_random_u64(void);

/* Guarded secret memory.  hearth_secret_alloc returns sodium_malloc'd,
 * mlock'd memory of len bytes, or NULL.  hearth_secret_free wipes and frees
 * it, and accepts NULL. */
void *hearth_secret_alloc(size_t len);
void hearth_secret_free(void *p);

/* Wipes len bytes (sodium_memzero: not optimised away). */
void hearth_wipe(void *p, size_t len);

/* Constant-time comparison; 0 when equal. */
int hearth_memcmp_ct(const void *a, const void *b, size_t len);

/* Lowercase hex of len bytes into out (2*len+1 bytes). */
void hearth_hex_encode(char *out, const uint8_t *in, size_t len);

/* Parses exactly 2*len hex digits (either case); HEARTH_EFORMAT otherwise. */
hearth_status hearth_hex_decode(uint8_t *out, size_t len, const char *hex) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_CRYPTO_H */
