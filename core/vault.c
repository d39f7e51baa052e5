/*
 * vault.c - the encrypted vault: unlocking, creating and opening it, and
 * rewrapping its master key.  See hearth/vault.h.
 *
 * Secrets and where they live:
 *   master key            hearth_secret memory, for the life of the handle
 *   key-encryption keys   hearth_secret memory, freed as soon as used
 *   database key          hearth_secret memory until the VFS holds its copy
 *   decoded recovery code hearth_secret memory, freed as soon as used
 * Passphrases are never copied: Argon2id reads the caller's buffer.
 *
 * The recovery code goes into Argon2id as its 20 decoded bytes, so every
 * way of typing the same code gives the same key.
 *
 * Integrity on open: every page is authenticated by the VFS when SQLite
 * reads it, so damage is always caught before a byte of it is used.  Open
 * does not also run PRAGMA quick_check: it reads every page, so its cost
 * grows with the vault (measured: 88 ms on a 35 MB vault of 20,000 people,
 * 120,000 fields, against 420 ms for the default Argon2id).  A damaged page
 * found later, during a query, is reported the same way through
 * hearth_db_error(); hearth_vault_check() runs the full check on demand.
 */
#include <errno.h>
#include <fcntl.h>
#include <libintl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hearth/audit.h"
#include "hearth/devices.h"
#include "hearth/schema.h"
#include "hearth/spaces.h"
#include "hearth/vault.h"
#include "hearth/vfs.h"

#include "db_private.h"
#include "vault_private.h"

/* Subkey 1 in context "hearthdb" of the master key encrypts the
 * database.  Never change: it would make every vault unreadable. */
#define DB_SUBKEY_ID 1
#define DB_SUBKEY_CONTEXT "hearthdb"

/* 32 MiB of page cache: decrypted pages stay there, so it is what makes
 * the encrypting VFS cheap (DESIGN.md section 4). */
#define DB_CACHE_PRAGMA "PRAGMA cache_size=-32768"
#define DB_BUSY_TIMEOUT_MS 5000

_Static_assert(HEARTH_VAULT_FORMAT == HEARTH_KEYFILE_FORMAT,
	       "hearth/vault.h and the key file disagree on the format");

struct hearth_vault {
	char *dir;
	char vfs_name[40];
	int vfs_registered;
	sqlite3 *db;
	hearth_store *store;
	uint8_t *master; /* hearth_secret memory */
	/* What this open has to tell once (hearth_vault_take_notice): the
	 * notices found, at most one of each kind, and how many of them
	 * were taken. */
	hearth_vault_notice notices[3];
	unsigned nnotices, ntaken;
};

/* Another module (schema, store) reported a database failure in its own
 * words; if the cause was a damaged page, say that instead. */
static hearth_status damage_wins(sqlite3 *db, hearth_status st)
{
	int ext;

	if (st == HEARTH_OK || db == NULL)
		return st;
	ext = sqlite3_extended_errcode(db);
	if (ext == SQLITE_IOERR_DATA || (ext & 0xff) == SQLITE_CORRUPT ||
	    (ext & 0xff) == SQLITE_NOTADB)
		return hearth_db_error(db, ext, NULL);
	return st;
}

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static int file_exists(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	struct stat sb;
	int r;

	if (p == NULL)
		return 0;
	r = lstat(p, &sb) == 0;
	free(p);
	return r;
}

/* mkdir -p, each missing component made with mode 0700. */
static hearth_status make_dirs(const char *dir)
{
	char *p = strdup(dir);
	struct stat sb;
	hearth_status st = HEARTH_OK;

	if (p == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			st = hearth_fail(HEARTH_EIO, "cannot create directory '%s': %s", p,
					 strerror(errno));
			goto out;
		}
		*s = '/';
	}
	if (mkdir(p, 0700) != 0 && errno != EEXIST) {
		st = hearth_fail(HEARTH_EIO, "cannot create directory '%s': %s", dir,
				 strerror(errno));
		goto out;
	}
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		st = hearth_fail(HEARTH_EIO, "'%s' is not a directory", dir);
out:
	free(p);
	return st;
}

static hearth_kdf_params kdf_from(const hearth_vault_options *opt)
{
	if (opt != NULL && opt->kdf != NULL)
		return *opt->kdf;
	return hearth_kdf_params_default();
}

/* Wraps master under kek into slot, bound to kf's clear facts and the
 * slot's own (hearth_keyslot_ad()): always the current binding. */
static hearth_status slot_wrap(hearth_keyslot *slot, const hearth_keyfile *kf,
			       const uint8_t *master, const uint8_t *kek,
			       const char *label)
{
	char ad[HEARTH_KEYSLOT_AD_MAX];

	/* Only the test hook for old vaults writes format 1, and format 1
	 * bound the label alone. */
	slot->legacy_ad = kf->format == HEARTH_VAULT_FORMAT_LABEL_AD;
	hearth_keyslot_ad(ad, kf, slot, label);
	return hearth_key_wrap(slot->wrapped, master, kek, ad);
}

/* Fills slot with a fresh salt, the given cost, and master wrapped under
 * the key Argon2id makes of secret.  kf gives the format and vault id the
 * wrap is bound to. */
static hearth_status slot_seal(hearth_keyslot *slot, const hearth_keyfile *kf,
			       const uint8_t *master, const void *secret,
			       size_t len, const hearth_kdf_params *kdf,
			       const char *label)
{
	uint8_t *kek = hearth_secret_alloc(HEARTH_KEYBYTES);
	hearth_status st;

	if (kek == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
	slot->kdf = *kdf;
	hearth_random(slot->salt, sizeof slot->salt);
	st = hearth_kdf_derive(kek, secret, len, slot->salt, kdf);
	if (st == HEARTH_OK)
		st = slot_wrap(slot, kf, master, kek, label);
	hearth_secret_free(kek);
	return st;
}

/* Unwraps the master key of slot (of key file kf) with secret.
 * HEARTH_EPASSPHRASE with detail wrong_msg when secret is not the one.
 * With kek_out non-NULL the key-encryption key is left there (secret
 * memory the caller frees), so the slot can be rewrapped without running
 * Argon2id again. */
static hearth_status slot_open(uint8_t *master, const hearth_keyfile *kf,
			       const hearth_keyslot *slot, const void *secret,
			       size_t len, const char *label,
			       const char *wrong_msg, uint8_t **kek_out)
{
	uint8_t *kek = hearth_secret_alloc(HEARTH_KEYBYTES);
	char ad[HEARTH_KEYSLOT_AD_MAX];
	hearth_status st;

	if (kek_out != NULL)
		*kek_out = NULL;
	if (kek == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
	hearth_keyslot_ad(ad, kf, slot, label);
	st = hearth_kdf_derive(kek, secret, len, slot->salt, &slot->kdf);
	if (st == HEARTH_OK) {
		st = hearth_key_unwrap(master, slot->wrapped, kek, ad);
		/* The tag cannot tell a wrong secret from an altered blob
		 * (another salt, cost, vault id or format in vault.json);
		 * the wrong secret is by far the likelier. */
		if (st == HEARTH_EAUTH)
			st = hearth_fail(HEARTH_EPASSPHRASE, "%-s", wrong_msg);
	}
	if (st == HEARTH_OK && kek_out != NULL) {
		*kek_out = kek;
		kek = NULL;
	}
	hearth_secret_free(kek);
	return st;
}

static hearth_status exec_sql(sqlite3 *db, const char *sql, const char *what)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return hearth_db_error(db, rc, what);
	return HEARTH_OK;
}

/* Turns on WAL and checks that SQLite agreed (it answers with the mode now
 * in force). */
static hearth_status set_wal(sqlite3 *db)
{
	sqlite3_stmt *stmt = NULL;
	hearth_status st = HEARTH_OK;
	int rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		st = hearth_db_error(db, rc, "cannot set the journal mode");
		goto out;
	}
	if (sqlite3_stricmp((const char *)sqlite3_column_text(stmt, 0), "wal") != 0)
		st = hearth_fail(HEARTH_EDB, "cannot set the journal mode: sqlite kept '%s'",
				 (const char *)sqlite3_column_text(stmt, 0));
out:
	sqlite3_finalize(stmt);
	return st;
}

/* Opens v->dir/hearth.db through a VFS of its own keyed by a subkey of
 * the master key, and sets the connection up. */
static hearth_status db_open(hearth_vault *v)
{
	static atomic_uint counter;
	uint8_t *dbkey = hearth_secret_alloc(HEARTH_KEYBYTES);
	char *path = path_join(v->dir, HEARTH_VAULT_DBFILE);
	hearth_status st;
	int rc;

	if (dbkey == NULL || path == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory");
		goto out;
	}
	if ((st = hearth_subkey_derive(dbkey, DB_SUBKEY_ID, DB_SUBKEY_CONTEXT,
				       v->master)) != HEARTH_OK)
		goto out;
	/* One VFS per open vault: each holds its own key. */
	snprintf(v->vfs_name, sizeof v->vfs_name, "hearth-vault-%u",
		 atomic_fetch_add(&counter, 1u));
	if ((st = hearth_vfs_register(v->vfs_name, dbkey, 0)) != HEARTH_OK)
		goto out;
	v->vfs_registered = 1;
	/* Never SQLITE_OPEN_CREATE: the file was made by vault creation, and
	 * a missing one must not silently become an empty vault. */
	rc = sqlite3_open_v2(path, &v->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
			     SQLITE_OPEN_EXRESCODE, v->vfs_name);
	if (rc != SQLITE_OK) {
		st = hearth_db_error(v->db, rc, "cannot open the vault database");
		goto out;
	}
	sqlite3_extended_result_codes(v->db, 1);
	if ((st = hearth_vfs_configure(v->db)) != HEARTH_OK) {
		/* The master key unwrapped, so the database key is right: a
		 * first page that fails authentication is damage (the VFS
		 * named a damaged WAL frame itself). */
		if (st == HEARTH_EDAMAGED && hearth_vfs_wal_damage(v->db, NULL, 0) == 0)
			st = hearth_fail(HEARTH_EDAMAGED,
					 "vault damaged: page %lu failed authentication",
					 (unsigned long)(hearth_vfs_damaged_page(v->db) ?
							 hearth_vfs_damaged_page(v->db) : 1));
		goto out;
	}
	sqlite3_busy_timeout(v->db, DB_BUSY_TIMEOUT_MS);
	if ((st = set_wal(v->db)) != HEARTH_OK ||
	    (st = exec_sql(v->db, "PRAGMA synchronous=FULL",
			   "cannot set up the vault database")) != HEARTH_OK ||
	    (st = exec_sql(v->db, DB_CACHE_PRAGMA,
			   "cannot set up the vault database")) != HEARTH_OK ||
	    (st = exec_sql(v->db, "PRAGMA foreign_keys=ON",
			   "cannot set up the vault database")) != HEARTH_OK)
		goto out;
out:
	hearth_secret_free(dbkey);
	free(path);
	return st;
}

void hearth_vault_close(hearth_vault *v)
{
	if (v == NULL)
		return;
	hearth_store_close(v->store);
	if (v->db != NULL && sqlite3_close(v->db) != SQLITE_OK) {
		/* A statement was left unfinalized somewhere: a bug.  Let
		 * SQLite close once it is finalized; the VFS must then stay
		 * registered, holding its key, as the connection needs it. */
		sqlite3_close_v2(v->db);
		v->vfs_registered = 0;
	}
	if (v->vfs_registered && hearth_vfs_unregister(v->vfs_name) != HEARTH_OK) {
		/* Registered here and its one connection closed: this cannot
		 * fail, and a destructor has no one to tell if it did. */
	}
	hearth_secret_free(v->master);
	free(v->dir);
	free(v);
}

static hearth_vault *vault_new(const char *dir)
{
	hearth_vault *v = calloc(1, sizeof *v);

	if (v == NULL)
		return NULL;
	v->dir = strdup(dir);
	v->master = hearth_secret_alloc(HEARTH_KEYBYTES);
	if (v->dir == NULL || v->master == NULL) {
		hearth_vault_close(v);
		return NULL;
	}
	return v;
}

/* Removes what a failed creation made, so the directory can be used
 * again. */
static void remove_files(const char *dir, int keyfile, int db)
{
	static const char *const db_files[] = {
		HEARTH_VAULT_DBFILE, HEARTH_VAULT_DBFILE "-wal",
		HEARTH_VAULT_DBFILE "-shm", HEARTH_VAULT_DBFILE "-journal",
	};

	for (size_t i = 0; db && i < sizeof db_files / sizeof db_files[0]; i++) {
		char *p = path_join(dir, db_files[i]);

		if (p != NULL)
			unlink(p);
		free(p);
	}
	if (keyfile) {
		char *p = path_join(dir, HEARTH_VAULT_KEYFILE);
		char *id = path_join(dir, HEARTH_VAULT_IDFILE);

		if (p != NULL)
			unlink(p);
		if (id != NULL)
			unlink(id);
		free(p);
		free(id);
	}
}

/* Makes dir/hearth.db as an empty file no one else has: mode 0600 (SQLite
 * gives its -wal and -shm files the database file's mode) and O_EXCL so
 * that an existing database is never overwritten. */
static hearth_status claim_db(const char *dir)
{
	static const char *const leftovers[] = {
		HEARTH_VAULT_DBFILE "-wal", HEARTH_VAULT_DBFILE "-journal",
	};
	char *path = path_join(dir, HEARTH_VAULT_DBFILE);
	hearth_status st = HEARTH_OK;
	int fd;

	if (path == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	/* A journal left beside a missing database would be replayed into
	 * the new one. */
	for (size_t i = 0; i < sizeof leftovers / sizeof leftovers[0]; i++)
		if (file_exists(dir, leftovers[i])) {
			st = hearth_fail(HEARTH_EEXISTS,
					 "'%s/%s' exists already: not creating a vault over it",
					 dir, leftovers[i]);
			goto out;
		}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			st = hearth_fail(HEARTH_EEXISTS,
					 "'%s' exists already: not creating a vault over it",
					 path);
		else
			st = hearth_fail(HEARTH_EIO, "cannot create '%s': %s", path,
					 strerror(errno));
		goto out;
	}
	close(fd);
out:
	free(path);
	return st;
}

/* The vault id inside the database: meta row 'vault_id' (16 bytes).  Set
 * when the vault is made, and on the first open of a vault made before
 * it was kept.  A database whose id differs from the key file's was
 * opened with another vault's key file (which can happen only where both
 * share a master key, e.g. a format 1 key file whose id was edited): it
 * is refused before the store touches it. */
#define META_VAULT_ID "vault_id"

/*
 * Copies.  Two copies of one vault would issue different ops under the same
 * device id and sequence numbers.  The database records which file it is
 * (device and inode numbers, meta "install"); a copy, a restore from a
 * backup or a file put back in place is another file, so on open it moves
 * to a new device id before it writes anything.
 */
#define META_INSTALL "install"

static hearth_status install_check(hearth_vault *v)
{
	char *path = path_join(v->dir, HEARTH_VAULT_DBFILE);
	sqlite3_stmt *q = NULL;
	struct stat sb;
	uint8_t mark[16], *p = mark;
	hearth_status st = HEARTH_OK;
	int rc, same = 0, have = 0, i;

	if (path == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot open the vault: out of memory");
	rc = stat(path, &sb);
	free(path);
	if (rc != 0)
		return hearth_fail(HEARTH_EIO, "cannot open the vault: %s", strerror(errno));
	for (i = 0; i < 8; i++)
		*p++ = (uint8_t)((uint64_t)sb.st_dev >> (8 * (7 - i)));
	for (i = 0; i < 8; i++)
		*p++ = (uint8_t)((uint64_t)sb.st_ino >> (8 * (7 - i)));
	rc = sqlite3_prepare_v2(v->db, "SELECT value FROM meta WHERE key='"
				META_INSTALL "'", -1, &q, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		have = 1;
		same = sqlite3_column_bytes(q, 0) == (int)sizeof mark &&
			memcmp(sqlite3_column_blob(q, 0), mark, sizeof mark) == 0;
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (rc != SQLITE_DONE)
		return hearth_db_error(v->db, rc, "cannot read the vault's settings");
	if (same)
		return HEARTH_OK;
	if ((st = hearth_store_begin(v->store)) != HEARTH_OK)
		return st;
	/* A new vault, or one made before this check, records its file; a
	 * vault that finds itself in another file is a copy. */
	if (have)
		st = hearth_store_new_device(v->store,
			"the vault's database is a copy or was restored: "
			"it is not the file this device wrote");
	if (st == HEARTH_OK) {
		rc = sqlite3_prepare_v2(v->db, "INSERT INTO meta(key, value) VALUES('"
			META_INSTALL "', ?1) ON CONFLICT(key) DO UPDATE SET "
			"value=excluded.value", -1, &q, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_blob(q, 1, mark, sizeof mark, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(q);
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE)
			st = hearth_db_error(v->db, rc, "cannot save the vault's settings");
	}
	if (st == HEARTH_OK)
		return hearth_store_commit(v->store);
	hearth_store_rollback(v->store);
	return st;
}

/* The store options the vault always sets: notes are never changed once
 * written (a correction is an amendment, a new record), nor a member's
 * name (a new name is a new record: hearth/spaces.h). */
static const char *const immutable_kinds[] = { "note", HEARTH_KIND_MEMBER_NAME, NULL };

static hearth_store_options store_options(const hearth_vault_options *opt)
{
	hearth_store_options so = { 0 };

	if (opt != NULL && opt->store != NULL)
		so = *opt->store;
	if (so.immutable_kinds == NULL)
		so.immutable_kinds = immutable_kinds;
	return so;
}

static hearth_status db_vault_id(sqlite3 *db, const uint8_t id[HEARTH_IDBYTES])
{
	sqlite3_stmt *q = NULL;
	hearth_status st = HEARTH_OK;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='"
				META_VAULT_ID "'", -1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_bytes(q, 0) != HEARTH_IDBYTES)
			st = hearth_fail(HEARTH_EDAMAGED,
					 "vault damaged: meta value '%s' is malformed",
					 META_VAULT_ID);
		else if (memcmp(sqlite3_column_blob(q, 0), id, HEARTH_IDBYTES) != 0)
			st = hearth_fail(HEARTH_EOTHERVAULT,
					 "this key file belongs to another vault");
		goto out;
	}
	if (rc != SQLITE_DONE) {
		st = hearth_db_error(db, rc, "cannot read the vault id");
		goto out;
	}
	sqlite3_finalize(q);
	q = NULL;
	rc = sqlite3_prepare_v2(db, "INSERT INTO meta(key, value) VALUES('"
				META_VAULT_ID "', ?1)", -1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(q, 1, id, HEARTH_IDBYTES, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(q);
	if (rc != SQLITE_DONE)
		st = hearth_db_error(db, rc, "cannot store the vault id");
out:
	sqlite3_finalize(q);
	return st;
}

/* Before the database is opened: does the clear id beside it name another
 * vault than the key file?  A master key from another vault's key file
 * fails on page 1 exactly as damage does, so only this can tell them
 * apart; and refusing here opens nothing, so no WAL of this vault is read
 * (or judged damaged) under a key that is not its own.  A vault made
 * before the marker was kept has none: page 1 then speaks as before. */
static hearth_status marker_check(const char *dir, const hearth_keyfile *kf)
{
	uint8_t id[HEARTH_IDBYTES];

	if (hearth_vault_marker_read(dir, id) &&
	    memcmp(id, kf->vault_id, HEARTH_IDBYTES) != 0)
		return hearth_fail(HEARTH_EOTHERVAULT,
				   "this key file belongs to another vault");
	return HEARTH_OK;
}

/* After an open proved the key file and database belong together: writes
 * the clear marker if it is missing, and rewraps a passphrase slot still
 * bound the format 1 way (kek: its key-encryption key).  The recovery
 * slot keeps its old binding until the code is next used: its key needs
 * the code.  A change of vault.json in progress elsewhere wins; the next
 * open upgrades. */
static hearth_status open_upgrade(const char *dir, const hearth_keyfile *seen,
				  const uint8_t *master, const uint8_t *kek)
{
	uint8_t id[HEARTH_IDBYTES];
	hearth_keyfile kf;
	hearth_status st;
	int lock;

	if (!hearth_vault_marker_read(dir, id) &&
	    (st = hearth_vault_marker_write(dir, seen->vault_id)) != HEARTH_OK)
		return st;
	if (!seen->passphrase.legacy_ad)
		return HEARTH_OK;
	st = hearth_keyfile_lock(dir, &lock);
	if (st == HEARTH_EBUSY)
		return HEARTH_OK;
	if (st != HEARTH_OK)
		return st;
	/* Read again under the lock: only the slot this open unwrapped may
	 * be rewrapped with its key. */
	if ((st = hearth_keyfile_load(&kf, dir)) != HEARTH_OK)
		goto out;
	if (memcmp(kf.vault_id, seen->vault_id, sizeof kf.vault_id) != 0 ||
	    kf.passphrase.kdf.memlimit != seen->passphrase.kdf.memlimit ||
	    kf.passphrase.kdf.opslimit != seen->passphrase.kdf.opslimit ||
	    memcmp(kf.passphrase.salt, seen->passphrase.salt,
		   sizeof kf.passphrase.salt) != 0 ||
	    memcmp(kf.passphrase.wrapped, seen->passphrase.wrapped,
		   sizeof kf.passphrase.wrapped) != 0 ||
	    !kf.passphrase.legacy_ad)
		goto out;
	kf.format = HEARTH_VAULT_FORMAT;
	if ((st = slot_wrap(&kf.passphrase, &kf, master, kek,
			    HEARTH_SLOT_PASSPHRASE)) != HEARTH_OK)
		goto out;
	st = hearth_keyfile_store(&kf, dir, 0);
out:
	hearth_keyfile_unlock(lock);
	return st;
}

/* hearth_vault_create, stopping the schema at target.  With out NULL the
 * vault is closed again and no store is opened. */
static hearth_status vault_create(const char *dir, const char *passphrase,
				  size_t passphrase_len,
				  const hearth_vault_options *opt, int target,
				  int format, char *recovery_code,
				  hearth_vault **out)
{
	hearth_kdf_params kdf = kdf_from(opt);
	hearth_store_options so = store_options(opt);
	hearth_keyfile kf;
	hearth_vault *v = NULL;
	uint8_t *code_raw = NULL;
	int made_keyfile = 0, made_db = 0;
	hearth_status st;

	if (out != NULL)
		*out = NULL;
	if (recovery_code != NULL)
		recovery_code[0] = '\0';
	if (dir == NULL || *dir == '\0')
		return hearth_fail(HEARTH_EINVAL, "no vault directory given");
	if (passphrase == NULL || passphrase_len == 0)
		return hearth_fail(HEARTH_EINVAL, "the passphrase is empty");
	if ((st = hearth_keyfile_kdf_check(&kdf)) != HEARTH_OK)
		return st;
	if ((st = hearth_crypto_init()) != HEARTH_OK)
		return st;
	if ((st = make_dirs(dir)) != HEARTH_OK)
		return st;
	if (file_exists(dir, HEARTH_VAULT_KEYFILE))
		return hearth_fail(HEARTH_EEXISTS, "a vault exists already at '%s'", dir);
	v = vault_new(dir);
	code_raw = hearth_secret_alloc(HEARTH_RECOVERY_BYTES);
	if (v == NULL || code_raw == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
		goto out;
	}
	if ((st = claim_db(dir)) != HEARTH_OK)
		goto out;
	made_db = 1;

	memset(&kf, 0, sizeof kf);
	kf.format = format;
	hearth_random(kf.vault_id, sizeof kf.vault_id);
	hearth_random(v->master, HEARTH_KEYBYTES);
	hearth_random(code_raw, HEARTH_RECOVERY_BYTES);
	if ((st = slot_seal(&kf.passphrase, &kf, v->master, passphrase,
			    passphrase_len, &kdf, HEARTH_SLOT_PASSPHRASE)) != HEARTH_OK ||
	    (st = slot_seal(&kf.recovery, &kf, v->master, code_raw,
			    HEARTH_RECOVERY_BYTES, &kdf, HEARTH_SLOT_RECOVERY)) != HEARTH_OK)
		goto out;
	/* vault.json first: a crash after this leaves a vault whose empty
	 * database the next open sets up, rather than a database no key file
	 * can open. */
	if ((st = hearth_keyfile_store(&kf, dir, 1)) != HEARTH_OK)
		goto out;
	made_keyfile = 1;
	/* Format 1 kept the vault id in vault.json only. */
	if (format != HEARTH_VAULT_FORMAT_LABEL_AD &&
	    (st = hearth_vault_marker_write(dir, kf.vault_id)) != HEARTH_OK)
		goto out;
	if ((st = db_open(v)) != HEARTH_OK)
		goto out;
	if ((st = damage_wins(v->db, hearth_schema_migrate(v->db, target))) != HEARTH_OK)
		goto out;
	/* Schema 1 made the meta table. */
	if (format != HEARTH_VAULT_FORMAT_LABEL_AD && target >= 1 &&
	    (st = damage_wins(v->db, db_vault_id(v->db, kf.vault_id))) != HEARTH_OK)
		goto out;
	if (out != NULL &&
	    ((st = damage_wins(v->db, hearth_store_open(v->db, &so, &v->store))) != HEARTH_OK ||
	     (st = damage_wins(v->db, install_check(v))) != HEARTH_OK ||
	     (st = damage_wins(v->db, hearth_devices_ensure(v->store, NULL))) != HEARTH_OK))
		goto out;
	if (recovery_code != NULL)
		hearth_recovery_encode(recovery_code, code_raw);
	if (out != NULL) {
		*out = v;
		v = NULL;
	}
	st = HEARTH_OK;
out:
	hearth_vault_close(v);
	hearth_secret_free(code_raw);
	if (st != HEARTH_OK)
		remove_files(dir, made_keyfile, made_db);
	return st;
}

hearth_status hearth_vault_create(const char *dir, const char *passphrase,
				  size_t passphrase_len,
				  const hearth_vault_options *opt,
				  char recovery_code[HEARTH_RECOVERY_CODE_LEN + 1],
				  hearth_vault **out)
{
	if (out == NULL || recovery_code == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the vault or its recovery code");
	return vault_create(dir, passphrase, passphrase_len, opt,
			    hearth_schema_latest(), HEARTH_VAULT_FORMAT, recovery_code,
			    out);
}

hearth_status hearth_vault_build(const char *dir, const char *passphrase,
				 size_t passphrase_len,
				 const hearth_vault_options *opt,
				 int schema_version, char *recovery_code)
{
	return vault_create(dir, passphrase, passphrase_len, opt, schema_version,
			    HEARTH_VAULT_FORMAT, recovery_code, NULL);
}

hearth_status hearth_vault_build_v1(const char *dir, const char *passphrase,
				    size_t passphrase_len,
				    const hearth_vault_options *opt,
				    char *recovery_code)
{
	/* Format 1 shipped with schema 2. */
	return vault_create(dir, passphrase, passphrase_len, opt, 2,
			    HEARTH_VAULT_FORMAT_LABEL_AD, recovery_code, NULL);
}

/* The audit action of a WAL recovery that discarded a tail; its detail
 * is "first=N frames=M". */
#define AUDIT_WAL_TAIL "vault.wal_tail_discarded"

/* Keeps a notice for this open to give once.  An open finds at most one
 * of each kind, so the array never fills (the check guards a future kind
 * that forgets to grow it). */
static void notice_add(hearth_vault *v, const hearth_vault_notice *n)
{
	if (v->nnotices < sizeof v->notices / sizeof v->notices[0])
		v->notices[v->nnotices++] = *n;
}

/* If opening the database recovered its WAL and discarded frames that
 * never committed (a write cut short by a crash or a power cut), records
 * that in the audit log and keeps the notice for this open to give once. */
static hearth_status note_wal_recovery(hearth_vault *v)
{
	hearth_vault_notice n = { .kind = HEARTH_NOTICE_WAL_TAIL_DISCARDED };
	uint32_t first, frames;
	char detail[64];
	hearth_status st;

	if (!hearth_vfs_wal_torn_tail(v->db, &first, &frames))
		return HEARTH_OK;
	snprintf(detail, sizeof detail, "first=%lu frames=%lu",
		 (unsigned long)first, (unsigned long)frames);
	if ((st = hearth_audit_append(v->store, AUDIT_WAL_TAIL, NULL, detail)) != HEARTH_OK)
		return damage_wins(v->db, st);
	n.first_frame = first;
	n.frames = frames;
	n.at_ms = (int64_t)time(NULL) * 1000;
	notice_add(v, &n);
	return HEARTH_OK;
}

/* The copy and clock notices of an open: install_check moved the store
 * from device `before` to another id (a copy), and the store's clock
 * continues more than the allowed drift ahead of the wall clock.  The
 * clock's distance is measured with the same clock source as the store
 * (so->now), so a test's clock and the store agree. */
static void note_copy_and_clock(hearth_vault *v, const hearth_store_options *so,
				uint64_t before)
{
	hearth_clock wall = { .now = so->now, .now_ctx = so->now_ctx };
	uint64_t drift = so->max_drift_ms != 0 ? so->max_drift_ms :
		HEARTH_HLC_DEFAULT_MAX_DRIFT_MS;
	uint64_t after = hearth_store_device(v->store);
	uint64_t ahead = hearth_store_clock_ahead_ms(v->store);
	int64_t now = (int64_t)hearth_clock_wall_ms(&wall);

	if (after != before) {
		hearth_vault_notice n = { .kind = HEARTH_NOTICE_COPY_NEW_DEVICE,
					  .at_ms = now, .old_device = before,
					  .new_device = after };

		notice_add(v, &n);
	}
	if (ahead > drift) {
		hearth_vault_notice n = { .kind = HEARTH_NOTICE_CLOCK_AHEAD,
					  .at_ms = now, .ahead_ms = ahead,
					  .max_drift_ms = drift };

		notice_add(v, &n);
	}
}

int hearth_vault_take_notice(hearth_vault *v, hearth_vault_notice *out)
{
	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (v == NULL || v->ntaken >= v->nnotices)
		return 0;
	if (out != NULL)
		*out = v->notices[v->ntaken];
	memset(&v->notices[v->ntaken], 0, sizeof v->notices[v->ntaken]);
	v->ntaken++;
	return 1;
}

/* The units hearth_duration_words uses, largest first. */
static int duration_unit(char *buf, size_t len, unsigned unit, unsigned long n)
{
	const char *fmt;

	switch (unit) {
	case 0:
		fmt = dngettext(HEARTH_TEXTDOMAIN, "%lu day", "%lu days", n);
		break;
	case 1:
		fmt = dngettext(HEARTH_TEXTDOMAIN, "%lu hour", "%lu hours", n);
		break;
	case 2:
		fmt = dngettext(HEARTH_TEXTDOMAIN, "%lu minute", "%lu minutes", n);
		break;
	default:
		fmt = dngettext(HEARTH_TEXTDOMAIN, "%lu second", "%lu seconds", n);
		break;
	}
	return snprintf(buf, len, fmt, n);
}

int hearth_duration_words(uint64_t ms, char *buf, size_t len)
{
	/* A day, an hour, a minute and a second in ms, largest first. */
	static const uint64_t unit_ms[] = { 86400000, 3600000, 60000, 1000 };
	uint64_t below, n, per;
	unsigned u;
	int a, b;

	/* The largest unit that ms reaches once rounded to the unit below
	 * (23 h 59.6 min is "1 day", not "23 hours 60 minutes"). */
	for (u = 0; u < 3; u++)
		if ((ms + unit_ms[u + 1] / 2) / unit_ms[u + 1] >= unit_ms[u] / unit_ms[u + 1])
			break;
	/* Seconds, and minutes, stand alone: a second beside minutes says
	 * nothing the reader needs. */
	if (u >= 2)
		return duration_unit(buf, len, u, (unsigned long)((ms + unit_ms[u] / 2) / unit_ms[u]));
	below = unit_ms[u + 1];
	per = unit_ms[u] / below;
	n = (ms + below / 2) / below;
	a = duration_unit(buf, len, u, (unsigned long)(n / per));
	if (n % per == 0 || a < 0 || (size_t)a + 1 >= len)
		return a;
	buf[a] = ' ';
	b = duration_unit(buf + a + 1, len - (size_t)a - 1, u + 1, (unsigned long)(n % per));
	return b < 0 ? b : a + 1 + b;
}

static int last_wal_recovery_cb(const hearth_audit_entry *e, void *ctx)
{
	hearth_vault_notice *n = ctx;
	unsigned long first, frames;

	if (strcmp(e->action, AUDIT_WAL_TAIL) != 0 || e->detail == NULL ||
	    sscanf(e->detail, "first=%lu frames=%lu", &first, &frames) != 2)
		return 0;
	n->kind = HEARTH_NOTICE_WAL_TAIL_DISCARDED;
	n->first_frame = (uint32_t)first;
	n->frames = (uint32_t)frames;
	n->at_ms = e->at_ms;
	return 0;
}

hearth_status hearth_vault_last_wal_recovery(hearth_vault *v, hearth_vault_notice *out)
{
	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the recovery");
	memset(out, 0, sizeof *out);
	if (v == NULL || v->store == NULL)
		return hearth_fail(HEARTH_EINVAL, "no vault");
	return hearth_audit_each(v->store, last_wal_recovery_cb, out);
}

hearth_status hearth_vault_open(const char *dir, const char *passphrase,
				size_t passphrase_len,
				const hearth_vault_options *opt,
				hearth_vault **out)
{
	hearth_store_options so = store_options(opt);
	hearth_keyfile kf;
	hearth_vault *v = NULL;
	uint8_t *kek = NULL;
	uint64_t device;
	hearth_status st;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the vault");
	*out = NULL;
	if (dir == NULL || *dir == '\0')
		return hearth_fail(HEARTH_EINVAL, "no vault directory given");
	if (passphrase == NULL && passphrase_len > 0)
		return hearth_fail(HEARTH_EINVAL, "no passphrase given");
	if ((st = hearth_keyfile_load(&kf, dir)) != HEARTH_OK)
		return st;
	if (!file_exists(dir, HEARTH_VAULT_DBFILE))
		return hearth_fail(HEARTH_EDAMAGED, "vault damaged: '%s/%s' is missing",
				   dir, HEARTH_VAULT_DBFILE);
	if ((v = vault_new(dir)) == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
		goto out;
	}
	if ((st = slot_open(v->master, &kf, &kf.passphrase, passphrase,
			    passphrase_len, HEARTH_SLOT_PASSPHRASE, "wrong passphrase",
			    &kek)) != HEARTH_OK)
		goto out;
	if ((st = marker_check(dir, &kf)) != HEARTH_OK)
		goto out;
	if ((st = db_open(v)) != HEARTH_OK)
		goto out;
	if ((st = damage_wins(v->db, hearth_schema_migrate(v->db,
							   hearth_schema_latest()))) != HEARTH_OK)
		goto out;
	if ((st = damage_wins(v->db, db_vault_id(v->db, kf.vault_id))) != HEARTH_OK ||
	    (st = open_upgrade(dir, &kf, v->master, kek)) != HEARTH_OK)
		goto out;
	if ((st = damage_wins(v->db, hearth_store_open(v->db, &so, &v->store))) != HEARTH_OK)
		goto out;
	device = hearth_store_device(v->store);
	if ((st = damage_wins(v->db, install_check(v))) != HEARTH_OK)
		goto out;
	/* After install_check, so that a copy certifies its new device id:
	 * a vault without an identity or a device key for its id gains them
	 * here (its migration), audited. */
	if ((st = damage_wins(v->db, hearth_devices_ensure(v->store, NULL))) != HEARTH_OK)
		goto out;
	if ((st = note_wal_recovery(v)) != HEARTH_OK)
		goto out;
	note_copy_and_clock(v, &so, device);
	*out = v;
	v = NULL;
out:
	hearth_secret_free(kek);
	hearth_vault_close(v);
	return st;
}

/* Puts a new passphrase slot in kf and writes it to dir/vault.json, given
 * the master key.  The file is written in the current format: a slot
 * carried over from format 1 keeps its mark (legacy_ad). */
static hearth_status rewrap(const char *dir, hearth_keyfile *kf,
			    const uint8_t *master, const char *new_pass,
			    size_t new_len, const hearth_vault_options *opt)
{
	hearth_kdf_params kdf = kdf_from(opt);
	hearth_status st;

	if ((st = hearth_keyfile_kdf_check(&kdf)) != HEARTH_OK)
		return st;
	kf->format = HEARTH_VAULT_FORMAT;
	if ((st = slot_seal(&kf->passphrase, kf, master, new_pass, new_len, &kdf,
			    HEARTH_SLOT_PASSPHRASE)) != HEARTH_OK)
		return st;
	return hearth_keyfile_store(kf, dir, 0);
}

/* Locks dir/vault.json and reads it (see hearth_keyfile_lock()). */
static hearth_status lock_and_load(const char *dir, hearth_keyfile *kf, int *lock)
{
	hearth_status st = hearth_keyfile_lock(dir, lock);

	if (st != HEARTH_OK)
		return st;
	if ((st = hearth_keyfile_load(kf, dir)) != HEARTH_OK) {
		hearth_keyfile_unlock(*lock);
		*lock = -1;
	}
	return st;
}

hearth_status hearth_vault_change_passphrase(const char *dir,
					     const char *old_pass, size_t old_len,
					     const char *new_pass, size_t new_len,
					     const hearth_vault_options *opt)
{
	hearth_keyfile kf;
	uint8_t *master = NULL;
	hearth_status st;
	int lock = -1;

	if (dir == NULL || *dir == '\0')
		return hearth_fail(HEARTH_EINVAL, "no vault directory given");
	if (old_pass == NULL && old_len > 0)
		return hearth_fail(HEARTH_EINVAL, "no passphrase given");
	if (new_pass == NULL || new_len == 0)
		return hearth_fail(HEARTH_EINVAL, "the new passphrase is empty");
	/* Held from the read to the rename: two changes at once would
	 * otherwise both start from the same file, and the one renamed
	 * first would be lost although it said it succeeded. */
	if ((st = lock_and_load(dir, &kf, &lock)) != HEARTH_OK)
		return st;
	if ((master = hearth_secret_alloc(HEARTH_KEYBYTES)) == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
		goto out;
	}
	if ((st = slot_open(master, &kf, &kf.passphrase, old_pass, old_len,
			    HEARTH_SLOT_PASSPHRASE, "wrong passphrase", NULL)) != HEARTH_OK)
		goto out;
	st = rewrap(dir, &kf, master, new_pass, new_len, opt);
out:
	hearth_keyfile_unlock(lock);
	hearth_secret_free(master);
	return st;
}

hearth_status hearth_vault_recover(const char *dir, const char *recovery_code,
				   const char *new_pass, size_t new_len,
				   const hearth_vault_options *opt,
				   char new_code[HEARTH_RECOVERY_CODE_LEN + 1])
{
	hearth_kdf_params kdf = kdf_from(opt);
	hearth_keyfile kf;
	uint8_t *master = NULL, *code_raw = NULL;
	hearth_status st;
	int lock = -1;

	if (new_code != NULL)
		new_code[0] = '\0';
	if (dir == NULL || *dir == '\0')
		return hearth_fail(HEARTH_EINVAL, "no vault directory given");
	if (new_code == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the new recovery code");
	if (new_pass == NULL || new_len == 0)
		return hearth_fail(HEARTH_EINVAL, "the new passphrase is empty");
	if ((st = hearth_keyfile_kdf_check(&kdf)) != HEARTH_OK)
		return st;
	if ((st = lock_and_load(dir, &kf, &lock)) != HEARTH_OK)
		return st;
	master = hearth_secret_alloc(HEARTH_KEYBYTES);
	code_raw = hearth_secret_alloc(HEARTH_RECOVERY_BYTES);
	if (master == NULL || code_raw == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
		goto out;
	}
	if ((st = hearth_recovery_decode(code_raw, recovery_code)) != HEARTH_OK)
		goto out;
	if ((st = slot_open(master, &kf, &kf.recovery, code_raw, HEARTH_RECOVERY_BYTES,
			    HEARTH_SLOT_RECOVERY, "wrong recovery code", NULL)) != HEARTH_OK)
		goto out;
	/* A code that was used has been typed somewhere, maybe seen: it is
	 * replaced by a new one under a fresh salt, and the old slot is
	 * overwritten, so the old code unwraps nothing in this file. */
	hearth_random(code_raw, HEARTH_RECOVERY_BYTES);
	kf.format = HEARTH_VAULT_FORMAT;
	if ((st = slot_seal(&kf.recovery, &kf, master, code_raw, HEARTH_RECOVERY_BYTES,
			    &kdf, HEARTH_SLOT_RECOVERY)) != HEARTH_OK)
		goto out;
	if ((st = rewrap(dir, &kf, master, new_pass, new_len, opt)) != HEARTH_OK)
		goto out;
	hearth_recovery_encode(new_code, code_raw);
out:
	hearth_keyfile_unlock(lock);
	hearth_secret_free(code_raw);
	hearth_secret_free(master);
	return st;
}

hearth_status hearth_vault_check(hearth_vault *v)
{
	sqlite3_stmt *stmt = NULL;
	hearth_status st = HEARTH_OK;
	const char *msg;
	int rc;

	if (v == NULL || v->db == NULL)
		return hearth_fail(HEARTH_EINVAL, "no vault to check");
	rc = sqlite3_prepare_v2(v->db, "PRAGMA integrity_check", -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		st = hearth_db_error(v->db, rc, "cannot check the vault");
		goto out;
	}
	msg = (const char *)sqlite3_column_text(stmt, 0);
	if (msg != NULL && strcmp(msg, "ok") == 0)
		goto out;
	/* The check goes on past a page that fails authentication and only
	 * lists it ("unable to get the page"): name it as the VFS saw it. */
	if (hearth_vfs_damaged_page(v->db) != 0)
		st = hearth_fail(HEARTH_EDAMAGED,
				 "vault damaged: page %lu failed authentication",
				 (unsigned long)hearth_vfs_damaged_page(v->db));
	else
		st = hearth_fail(HEARTH_EDAMAGED, "vault damaged: %s",
				 msg ? msg : "integrity check failed");
out:
	sqlite3_finalize(stmt);
	return st;
}

int hearth_vault_exists(const char *dir)
{
	return dir != NULL && file_exists(dir, HEARTH_VAULT_KEYFILE);
}

sqlite3 *hearth_vault_db(hearth_vault *v)
{
	return v != NULL ? v->db : NULL;
}

hearth_store *hearth_vault_store(hearth_vault *v)
{
	return v != NULL ? v->store : NULL;
}

const char *hearth_vault_dir(const hearth_vault *v)
{
	return v != NULL ? v->dir : NULL;
}
