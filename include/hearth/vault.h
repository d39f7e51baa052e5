/*
 * hearth/vault.h - the encrypted vault: a directory holding Hearth's data.
 *
 *   DIR/vault.json   format version, vault id, Argon2id parameters and salt,
 *                    the master key wrapped by the passphrase key and by the
 *                    recovery key.  No personal data.
 *   DIR/hearth.db    the SQLite database, every page encrypted by the Hearth
 *                    VFS under a subkey of the master key (plus -wal, -shm).
 *                    It keeps the vault id too.
 *   DIR/hearth.id    the vault id in clear, so that a key file of another
 *                    vault is named as such rather than as damage.
 *
 * Key hierarchy: passphrase --Argon2id--> key-encryption key --unwraps-->
 * random master key --crypto_kdf--> database key (and later subkeys).  The
 * recovery code, shown once at creation, goes through Argon2id with its own
 * salt to a second key-encryption key that wraps the same master key.
 * Changing the passphrase rewraps the master key; data is not re-encrypted.
 */
#ifndef HEARTH_VAULT_H
#define HEARTH_VAULT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "hearth/crypto.h"
#include "hearth/status.h"
#include "hearth/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The version of vault.json this build writes (it reads 1 and 2).  2
 * binds each wrapped master key to the format, vault id, slot, Argon2id
 * parameters and salt; a vault in format 1 is rewritten in format 2 by its
 * first open. */
#define HEARTH_VAULT_FORMAT 2

typedef struct hearth_vault hearth_vault;

typedef struct hearth_vault_options {
	const hearth_kdf_params *kdf;      /* NULL: hearth_kdf_params_default() */
	const hearth_store_options *store; /* NULL: defaults */
} hearth_vault_options;

/* Creates a vault in dir (created if missing; must hold no vault:
 * HEARTH_EEXISTS) protected by passphrase, writes the recovery code to
 * recovery_code (NUL-terminated), and opens it.  opt may be NULL. */
hearth_status hearth_vault_create(const char *dir, const char *passphrase,
				  size_t passphrase_len,
				  const hearth_vault_options *opt,
				  char recovery_code[HEARTH_RECOVERY_CODE_LEN + 1],
				  hearth_vault **out) HEARTH_WUR;

/* Opens the vault in dir.  HEARTH_ENOVAULT (no vault.json), HEARTH_ENEWER
 * (newer format or schema), HEARTH_EPASSPHRASE, HEARTH_EFORMAT (vault.json
 * malformed, or asking for more than 4 GiB or 32 passes of Argon2id),
 * HEARTH_EOTHERVAULT (vault.json is another vault's: "this key file
 * belongs to another vault"), HEARTH_EDAMAGED (a page failed
 * authentication; the detail names it: "vault damaged: page N failed
 * authentication").  Migrates the schema forward when it is older, and a
 * format 1 vault.json to format 2.  opt may be NULL (kdf is ignored: the
 * stored parameters are used). */
hearth_status hearth_vault_open(const char *dir, const char *passphrase,
				size_t passphrase_len,
				const hearth_vault_options *opt,
				hearth_vault **out) HEARTH_WUR;

/* Closes the database and wipes every key.  Accepts NULL. */
void hearth_vault_close(hearth_vault *v);

/* Replaces the passphrase: unwraps the master key with old, rewraps it with
 * new (fresh salt, kdf parameters from opt or the default), and replaces
 * vault.json atomically.  The database is not touched.  vault.json is
 * locked from read to replace: HEARTH_EBUSY ("another change to the key
 * file is in progress") while another passwd or recover runs. */
hearth_status hearth_vault_change_passphrase(const char *dir,
					     const char *old_pass, size_t old_len,
					     const char *new_pass, size_t new_len,
					     const hearth_vault_options *opt) HEARTH_WUR;

/* Sets a new passphrase using the recovery code instead of the old one,
 * and replaces the recovery code: the new one is written to new_code
 * (NUL-terminated; show it once, as at creation) and the used one no
 * longer unwraps anything in vault.json.  HEARTH_EPASSPHRASE if the code
 * is wrong; HEARTH_EBUSY as hearth_vault_change_passphrase. */
hearth_status hearth_vault_recover(const char *dir, const char *recovery_code,
				   const char *new_pass, size_t new_len,
				   const hearth_vault_options *opt,
				   char new_code[HEARTH_RECOVERY_CODE_LEN + 1]) HEARTH_WUR;

/* Checks every page and every B-tree of the open vault's database (PRAGMA
 * integrity_check).  Open does not do this: pages are authenticated when
 * read, so damage never passes as data, and a whole check costs time in
 * proportion to the vault (about 90 ms for 35 MB).  HEARTH_EDAMAGED with a
 * detail naming the page or the problem. */
hearth_status hearth_vault_check(hearth_vault *v) HEARTH_WUR;

/*
 * Notices: what an open has to tell the user once.  An open can find
 * several things (at most one of each kind); a face takes them one at a
 * time after unlocking, until none is left, and shows each:
 *
 *     hearth_vault_notice n;
 *     while (hearth_vault_take_notice(v, &n))
 *             show(&n);
 */
typedef enum hearth_vault_notice_kind {
	HEARTH_NOTICE_NONE = 0,
	/* Opening recovered the database's log after a crash or power cut
	 * and discarded frames that never committed: a write that had not
	 * finished.  Every committed change is there; the audit log has an
	 * entry "vault.wal_tail_discarded".  first_frame, frames, at_ms. */
	HEARTH_NOTICE_WAL_TAIL_DISCARDED = 1,
	/* The database is a copy of another file (a copied folder, a backup
	 * put back): it moved to a new device id before writing, so that it
	 * and the original never issue different changes under one id (see
	 * hearth_store_new_device; hearth_store_problems lists the move).
	 * Nothing was lost; both can go on, as two devices.  old_device,
	 * new_device, at_ms. */
	HEARTH_NOTICE_COPY_NEW_DEVICE = 2,
	/* This device's clock (its hybrid logical clock, which continues
	 * after the greatest time stamp the vault holds) is ahead of the
	 * wall clock by more than the allowed drift: the wall clock ran fast
	 * when those stamps were written, or is slow now.  Changes written
	 * now are stamped up to ahead_ms in the future and win every
	 * last-writer-wins conflict with other devices' edits until the wall
	 * clock reaches at_ms + ahead_ms; stamps cannot be moved back.  The
	 * user should check the device's date and time.  Given by every
	 * open while it lasts.  ahead_ms, max_drift_ms, at_ms. */
	HEARTH_NOTICE_CLOCK_AHEAD = 3,
} hearth_vault_notice_kind;

typedef struct hearth_vault_notice {
	hearth_vault_notice_kind kind;
	int64_t at_ms;          /* when the open found it, ms since the epoch
				 * (per the store's clock source) */
	/* WAL_TAIL_DISCARDED */
	uint32_t first_frame;   /* first log frame discarded (1-based) */
	uint32_t frames;        /* how many */
	/* COPY_NEW_DEVICE */
	uint64_t old_device;    /* the id the original still writes under */
	uint64_t new_device;    /* this copy's id from now on */
	/* CLOCK_AHEAD */
	uint64_t ahead_ms;      /* how far the clock is ahead of the wall */
	uint64_t max_drift_ms;  /* the drift allowed (5 minutes by default) */
} hearth_vault_notice;

/* Takes the next notice this open of v has to give: returns 1 and fills
 * out (may be NULL), or 0 when none is left (out zeroed: kind
 * HEARTH_NOTICE_NONE).  Each notice is given once, in this order: the
 * discarded log tail, the copy, the clock.  The faces show them after
 * unlocking. */
int hearth_vault_take_notice(hearth_vault *v, hearth_vault_notice *out);

/* Writes how long ms is, in words of the current language (text domain
 * "hearth"), to buf (NUL-terminated, cut to len): rounded to its two
 * largest units, "1 day 2 hours", "3 hours 5 minutes", "12 minutes"
 * ("1 天 2 小时" in Chinese); under a minute, seconds.  For the clock
 * notice's durations in both faces.  Returns what snprintf returns. */
int hearth_duration_words(uint64_t ms, char *buf, size_t len);

/* The last recovery that discarded an unfinished write, from the audit
 * log: out->kind is HEARTH_NOTICE_NONE if there never was one.  For
 * `hearth vault check`. */
hearth_status hearth_vault_last_wal_recovery(hearth_vault *v,
					     hearth_vault_notice *out) HEARTH_WUR;

/* Does dir hold a vault (a vault.json)? */
int hearth_vault_exists(const char *dir);

/* Borrowed handles, valid until hearth_vault_close. */
sqlite3 *hearth_vault_db(hearth_vault *v);
hearth_store *hearth_vault_store(hearth_vault *v);
const char *hearth_vault_dir(const hearth_vault *v);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_VAULT_H */
