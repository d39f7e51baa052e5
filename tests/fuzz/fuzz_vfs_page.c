/*
 * fuzz_vfs_page.c - the encrypting VFS reading files an attacker wrote.
 *
 * Whoever can write the vault directory controls the database file and its
 * WAL.  The input becomes those two files; they are opened through a Hearth
 * VFS with a fixed key and queried, written to and checkpointed.  Nothing
 * may crash, and hearth_vfs_configure() may only succeed or report damage
 * or a database error.  Ciphertext the fuzzer makes up never authenticates,
 * so the seeds are real encrypted databases made with the same key: what
 * mutations reach is the part an attacker can change without the key
 * (file sizes, the WAL header and frame headers, which pages sit where).
 *
 * Input: byte 0 holds flags (bit 0: a WAL follows); with a WAL, bytes 1-4
 * are the little-endian length of the database part, the WAL the rest.
 *
 *   build-fuzz/tests/fuzz/fuzz_vfs_page -max_total_time=60 tests/fuzz/corpus/vfs_page
 *
 * The seeds were written by this file built as a program:
 *   cc -DFUZZ_VFS_PAGE_SEEDS -D_GNU_SOURCE -Iinclude tests/fuzz/fuzz_vfs_page.c \
 *      crypto/crypto.c crypto/vfs.c crypto/memfile.c crypto/status.c \
 *      -lsqlite3 -lsodium -o make_seeds
 *   ./make_seeds tests/fuzz/corpus/vfs_page
 */
#include <glob.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "hearth/vfs.h"

#define FUZZ_VFS "hearth-fuzz"

static const uint8_t fuzz_key[HEARTH_KEYBYTES] = {
	'h', 'e', 'a', 'r', 't', 'h', '-', 'f', 'u', 'z', 'z', '-', 'k', 'e', 'y', 0,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};

static char dir[64];
static char db_path[128], wal_path[136], shm_path[136], journal_path[144];

static void remove_files(void)
{
	glob_t g;

	unlink(db_path);
	unlink(wal_path);
	unlink(shm_path);
	unlink(journal_path);
	/* Copies of a WAL found damaged inside (hearth_vfs_wal_damage). */
	if (dir[0] != '\0') {
		char pattern[160];

		snprintf(pattern, sizeof pattern, "%s.damaged-*", wal_path);
		if (glob(pattern, 0, NULL, &g) == 0)
			for (size_t i = 0; i < g.gl_pathc; i++)
				unlink(g.gl_pathv[i]);
		globfree(&g);
	}
}

/* Damage inside the WAL must leave the WAL as it was written. */
static void wal_unchanged(const uint8_t *wal, size_t len)
{
	uint8_t buf[4096];
	size_t off = 0, n;
	FILE *f = fopen(wal_path, "rb");

	if (f == NULL)
		abort();
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		if (off + n > len || memcmp(buf, wal + off, n) != 0)
			abort();
		off += n;
	}
	fclose(f);
	if (off != len)
		abort();
}

static void cleanup(void)
{
	remove_files();
	if (dir[0] != '\0')
		rmdir(dir);
}

static int init_once(void)
{
	static int done;

	if (done)
		return 0;
	strcpy(dir, "/tmp/hearth-fuzz-vfs-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(db_path, sizeof db_path, "%s/fuzz.db", dir);
	snprintf(wal_path, sizeof wal_path, "%s-wal", db_path);
	snprintf(shm_path, sizeof shm_path, "%s-shm", db_path);
	snprintf(journal_path, sizeof journal_path, "%s-journal", db_path);
	if (hearth_vfs_register(FUZZ_VFS, fuzz_key, 0) != HEARTH_OK)
		return -1;
	atexit(cleanup);
	done = 1;
	return 0;
}

#ifndef FUZZ_VFS_PAGE_SEEDS
static int write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL)
		return -1;
	ok = n == 0 || fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const queries[] = {
		"SELECT count(*) FROM sqlite_schema",
		"PRAGMA integrity_check",
		"SELECT * FROM person ORDER BY name",
		"SELECT name FROM person WHERE id = 2",
		"INSERT INTO person(name, note) VALUES('fuzz', 'fuzz')",
		"UPDATE person SET note = 'changed' WHERE id % 2 = 0",
		"PRAGMA wal_checkpoint(TRUNCATE)",
		"DELETE FROM person WHERE id > 3",
		"VACUUM",
	};
	const uint8_t *db_part = data, *wal_part = NULL;
	size_t db_len = size, wal_len = 0, i;
	sqlite3 *db = NULL;
	hearth_status st;
	int damaged = 0;

	if (init_once() != 0)
		abort();
	if (size < 1)
		return 0;
	db_part = data + 1;
	db_len = size - 1;
	if ((data[0] & 1) && size >= 5) {
		uint32_t split = (uint32_t)data[1] | (uint32_t)data[2] << 8 |
				 (uint32_t)data[3] << 16 | (uint32_t)data[4] << 24;

		db_part = data + 5;
		db_len = size - 5;
		if (split < db_len) {
			wal_part = db_part + split;
			wal_len = db_len - split;
			db_len = split;
		}
	}
	remove_files();
	if (write_file(db_path, db_part, db_len) != 0 ||
	    (wal_part != NULL && write_file(wal_path, wal_part, wal_len) != 0))
		abort();

	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, FUZZ_VFS) == SQLITE_OK) {
		st = hearth_vfs_configure(db);
		if (st != HEARTH_OK && st != HEARTH_EDAMAGED && st != HEARTH_EDB)
			abort();
		damaged = hearth_vfs_wal_damage(db, NULL, 0) != 0;
		if (damaged && wal_part != NULL)
			wal_unchanged(wal_part, wal_len);
		/* Even when configuring failed: the VFS must hold up against
		 * whatever SQLite then asks of it. */
		for (i = 0; i < sizeof queries / sizeof queries[0]; i++) {
			sqlite3_stmt *stmt = NULL;
			int rows = 0;

			if (sqlite3_prepare_v2(db, queries[i], -1, &stmt, NULL) == SQLITE_OK)
				while (rows++ < 1000 && sqlite3_step(stmt) == SQLITE_ROW)
					;
			sqlite3_finalize(stmt);
		}
		(void)hearth_vfs_damaged_page(db);
	}
	if (sqlite3_close(db) != SQLITE_OK)
		abort(); /* every statement was finalized */
	/* Nothing was written after the damage was found, not even by the
	 * queries above or the close. */
	if (damaged && wal_part != NULL)
		wal_unchanged(wal_part, wal_len);
	return 0;
}
#else
/* Writes the seed corpus: real databases encrypted with the fuzz key. */
static int make_seed(const char *out_dir, const char *name, int wal, int rows)
{
	sqlite3 *db = NULL;
	uint8_t *seed = NULL, *dbb = NULL, *walb = NULL;
	size_t dbn = 0, waln = 0, n;
	char out[512], sql[160];
	FILE *f;
	int i;

	if (init_once() != 0)
		return -1;
	remove_files();
	if (
	    sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    FUZZ_VFS) != SQLITE_OK ||
	    hearth_vfs_configure(db) != HEARTH_OK)
		return -1;
	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_exec(db, wal ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode=DELETE",
		     NULL, NULL, NULL);
	sqlite3_exec(db, "PRAGMA wal_autocheckpoint=0; CREATE TABLE person("
		     "id INTEGER PRIMARY KEY, name TEXT, note TEXT); "
		     "CREATE INDEX person_name ON person(name)", NULL, NULL, NULL);
	for (i = 0; i < rows; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO person(name, note) VALUES("
			 "'张三 %d', 'note %d 2026-11-23')", i, i);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	if (wal)
		sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE); "
			     "UPDATE person SET note = 'after' WHERE id < 4; "
			     "UPDATE person SET name = name || 'x' WHERE id % 5 = 0; "
			     "INSERT INTO person(name) VALUES('李四')",
			     NULL, NULL, NULL);
	sqlite3_close(db);

	f = fopen(db_path, "rb");
	if (f == NULL)
		return -1;
	dbb = malloc(1 << 20);
	dbn = fread(dbb, 1, 1 << 20, f);
	fclose(f);
	if (wal && (f = fopen(wal_path, "rb")) != NULL) {
		walb = malloc(1 << 20);
		waln = fread(walb, 1, 1 << 20, f);
		fclose(f);
	}
	n = 5 + dbn + waln;
	seed = malloc(n);
	seed[0] = wal ? 1 : 0;
	seed[1] = (uint8_t)dbn;
	seed[2] = (uint8_t)(dbn >> 8);
	seed[3] = (uint8_t)(dbn >> 16);
	seed[4] = (uint8_t)(dbn >> 24);
	memcpy(seed + 5, dbb, dbn);
	if (waln)
		memcpy(seed + 5 + dbn, walb, waln);
	snprintf(out, sizeof out, "%s/%s", out_dir, name);
	f = fopen(out, "wb");
	if (f == NULL)
		return -1;
	/* Without a WAL, the format has no length field. */
	if (wal)
		fwrite(seed, 1, n, f);
	else {
		fputc(0, f);
		fwrite(dbb, 1, dbn, f);
	}
	fclose(f);
	free(seed);
	free(dbb);
	free(walb);
	printf("%s: database %zu bytes, wal %zu bytes\n", name, dbn, waln);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	if (make_seed(argv[1], "rollback-small", 0, 3) != 0 ||
	    make_seed(argv[1], "rollback-pages", 0, 120) != 0 ||
	    make_seed(argv[1], "wal-frames", 1, 40) != 0)
		return 1;
	return 0;
}
#endif
