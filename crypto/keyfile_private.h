/*
 * keyfile_private.h - the vault's key file (vault.json): its codec, the
 * associated data of its key wraps, its lock and atomic replacement
 * (keyfile.c); the clear vault-id marker beside the database; and the
 * recovery code (recovery.c).  Used by core/vault.c, the vault's tests and
 * the key file's fuzz target.
 *
 * Not installed; nothing outside libhearth's own tree may rely on it.
 */
#ifndef HEARTH_KEYFILE_PRIVATE_H
#define HEARTH_KEYFILE_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/crypto.h"
#include "hearth/status.h"

/* The vault.json format this build writes; hearth/vault.h publishes the
 * same number as HEARTH_VAULT_FORMAT (core/vault.c checks they agree). */
#define HEARTH_KEYFILE_FORMAT 2

#define HEARTH_VAULT_KEYFILE "vault.json"
#define HEARTH_VAULT_DBFILE "hearth.db"
/* The vault id in clear beside the database (32 hex digits and a
 * newline): tells a key file of another vault from a damaged page 1
 * before the database is opened.  See hearth_vault_marker_read(). */
#define HEARTH_VAULT_IDFILE "hearth.id"

/* The first vault.json format: its key wraps bind only the slot label.
 * Still read; a slot wrapped so is marked legacy_ad and rewrapped when
 * its secret is next used. */
#define HEARTH_VAULT_FORMAT_LABEL_AD 1

/* vault.json is a few hundred bytes; anything much larger is not ours and
 * is refused before it is parsed. */
#define HEARTH_KEYFILE_MAX_BYTES (64u * 1024u)

/* The only key derivation vault.json knows. */
#define HEARTH_KEYFILE_KDF_ALG "argon2id13"

/* The most Argon2id cost a key file may ask for.  libsodium's own maxima
 * (4 TiB, 2^32-1 passes) would let a crafted vault.json hang or kill an
 * open; 4 GiB and 32 passes are far above what Hearth writes (256 MiB, 3
 * passes) and still finish on a desktop. */
#define HEARTH_KEYFILE_MAX_MEMLIMIT (UINT64_C(4) << 30)
#define HEARTH_KEYFILE_MAX_OPSLIMIT 32u

/* Labels bound to each wrapped master key, so a blob cannot be moved from
 * one slot to the other. */
#define HEARTH_SLOT_PASSPHRASE "passphrase"
#define HEARTH_SLOT_RECOVERY "recovery"

/* One way in to the master key: Argon2id parameters and salt that turn a
 * secret into a key-encryption key, and the master key wrapped under it. */
typedef struct hearth_keyslot {
	hearth_kdf_params kdf;
	uint8_t salt[HEARTH_SALTBYTES];
	uint8_t wrapped[HEARTH_WRAPPEDBYTES];
	int legacy_ad; /* wrapped with the label alone as associated data */
} hearth_keyslot;

/* The decoded contents of vault.json.  Holds no secret in clear. */
typedef struct hearth_keyfile {
	int format;                       /* HEARTH_VAULT_FORMAT when written */
	uint8_t vault_id[HEARTH_IDBYTES]; /* random, names the vault */
	hearth_keyslot passphrase;
	hearth_keyslot recovery;
} hearth_keyfile;

/* Parses len bytes of vault.json text (need not be NUL-terminated; any
 * bytes at all are safe to pass).  name is the file's name for messages.
 * HEARTH_EFORMAT with a detail naming the file and the problem (not JSON,
 * a missing or mistyped field, bad hex, kdf parameters out of range);
 * HEARTH_ENEWER if the format is above HEARTH_VAULT_FORMAT, with
 * out->format set so the caller can name it.  out is fully written on
 * HEARTH_OK only. */
hearth_status hearth_keyfile_parse(hearth_keyfile *out, const char *text,
				   size_t len, const char *name) HEARTH_WUR;

/* Serialises kf as vault.json text.  *out is malloc'd, NUL-terminated;
 * the caller frees it.  HEARTH_ENOMEM. */
hearth_status hearth_keyfile_format(const hearth_keyfile *kf,
				    char **out) HEARTH_WUR;

/* Reads and parses dir/vault.json.  HEARTH_ENOVAULT (with the detail
 * "no vault at 'DIR': run 'hearth init'") when it does not exist,
 * HEARTH_EIO when it cannot be read, else as hearth_keyfile_parse (an
 * HEARTH_ENEWER detail names dir and the format). */
hearth_status hearth_keyfile_load(hearth_keyfile *out, const char *dir) HEARTH_WUR;

/* Writes kf to dir/vault.json atomically: a temporary file in dir, fsync,
 * then rename over the old file (or, when exclusive, a hard link that
 * fails with HEARTH_EEXISTS if vault.json exists), then fsync of dir.  A
 * crash leaves either the old file or the new one, never a mix. */
hearth_status hearth_keyfile_store(const hearth_keyfile *kf, const char *dir,
				   int exclusive) HEARTH_WUR;

/* HEARTH_OK if kdf lies within the floor of hearth_kdf_params_check() and
 * the caps above; else HEARTH_EINVAL with a detail naming the parameter
 * and the limit. */
hearth_status hearth_keyfile_kdf_check(const hearth_kdf_params *kdf) HEARTH_WUR;

/* The associated data of slot's key wrap, NUL-terminated, into ad (size
 * HEARTH_KEYSLOT_AD_MAX).  A legacy_ad slot gets its label alone, as format
 * 1 wrote it; any other gets every clear fact the slot depends on:
 *
 *   hearth-keyslot format=F vault=<32 hex> slot=LABEL alg=argon2id13
 *   memlimit=N opslimit=N salt=<32 hex>
 *
 * (one line, single spaces), F being kf->format.  So a wrap does not
 * unwrap once any of these is changed or the slot is moved to another
 * vault's file. */
#define HEARTH_KEYSLOT_AD_MAX 256u
void hearth_keyslot_ad(char ad[HEARTH_KEYSLOT_AD_MAX], const hearth_keyfile *kf,
		       const hearth_keyslot *slot, const char *label);

/* Takes the lock that serialises changes of dir/vault.json: flock() on
 * the file itself, checked after it is granted to be the file still at
 * that name (a change replaces it by rename).  Never waits: a lock held
 * elsewhere gives HEARTH_EBUSY with the detail "another change to the key
 * file is in progress".  HEARTH_ENOVAULT, HEARTH_EIO.  *fd is the lock;
 * hearth_keyfile_unlock() releases it (closing it does too). */
hearth_status hearth_keyfile_lock(const char *dir, int *fd) HEARTH_WUR;
void hearth_keyfile_unlock(int fd);

/* Writes id to dir/HEARTH_VAULT_IDFILE atomically (as
 * hearth_keyfile_store). */
hearth_status hearth_vault_marker_write(const char *dir,
					const uint8_t id[HEARTH_IDBYTES]) HEARTH_WUR;

/* Reads dir/HEARTH_VAULT_IDFILE into id.  Returns 1 when it holds an id,
 * 0 when it is missing or unreadable (an older vault; the caller goes on
 * as before).  It is only a hint for messages: the id that counts is the
 * one inside the authenticated database. */
int hearth_vault_marker_read(const char *dir, uint8_t id[HEARTH_IDBYTES]);

/* Recovery codes.  160 random bits, printed as 32 characters of Crockford's
 * base32 alphabet (0-9 and A-Z without I, L, O, U) in 8 dash-separated
 * groups of 4. */
#define HEARTH_RECOVERY_BYTES 20u
#define HEARTH_RECOVERY_CHARS 32u

/* Prints raw as a recovery code into code (NUL-terminated). */
void hearth_recovery_encode(char code[HEARTH_RECOVERY_CODE_LEN + 1],
			    const uint8_t raw[HEARTH_RECOVERY_BYTES]);

/* Decodes a recovery code as a person might type it: case does not matter,
 * spaces and dashes are skipped, O reads as 0 and I or L as 1.  raw should
 * be secret memory.  HEARTH_EPASSPHRASE with a detail naming the problem
 * (a character outside the alphabet, too few or too many characters) and
 * raw wiped. */
hearth_status hearth_recovery_decode(uint8_t raw[HEARTH_RECOVERY_BYTES],
				     const char *code) HEARTH_WUR;

#endif /* HEARTH_KEYFILE_PRIVATE_H */
