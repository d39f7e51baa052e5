/*
 * test_vfs.c - the encrypting SQLite VFS: no plaintext in any file, in WAL
 * and rollback-journal modes, mid-transaction and after a crash; damage,
 * wrong keys and moved pages detected; temp files kept off the disk.
 *
 * Every "no plaintext" check scans each file of the database's directory
 * (database, -wal, -shm, -journal) for known marker strings as raw bytes;
 * test_scan_sees_plain_sqlite shows the same scan finds them in a plain
 * SQLite database.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif
#include <sqlite3.h>

#include "hearth/vfs.h"

#include "../crypto/aead_private.h"
#include "../crypto/vfs_private.h"

#define VFS "hearth-test"
#define VFS_OTHER "hearth-test-other"

static const uint8_t key_main[HEARTH_KEYBYTES] = {
	0x48, 0x65, 0x61, 0x72, 0x74, 0x68, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20,
	0x6b, 0x65, 0x79, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
	0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11,
};
static const uint8_t key_other[HEARTH_KEYBYTES] = {
	0x48, 0x65, 0x61, 0x72, 0x74, 0x68, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20,
	0x6b, 0x65, 0x79, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
	0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x12,
};

/* What a stolen laptop must not show. */
static const char *const markers[] = {
	"张三 MARKER-NAME",
	"MARKER-NOTE",
	"夜班后失眠",
	"2026-11-23",
	"UNCOMMITTED-MARKER",
	"CREATE TABLE",
	"SQLite format 3",
};
#define N_MARKERS (sizeof markers / sizeof markers[0])

/* The directory SQLITE_TMPDIR and TMPDIR point at, set in main() before
 * SQLite initialises (it reads them once). */
static char tmpdir_env[64];

typedef struct fixture {
	char dir[64];
	char path[128];
	char wal[160];
	char journal[160];
} fixture;

/* ---- helpers ------------------------------------------------------------ */

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof *fx);

	if (fx == NULL)
		return -1;
	strcpy(fx->dir, "/tmp/hearth-vfs-XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof fx->path, "%s/test.db", fx->dir);
	snprintf(fx->wal, sizeof fx->wal, "%s-wal", fx->path);
	snprintf(fx->journal, sizeof fx->journal, "%s-journal", fx->path);
	*state = fx;
	return 0;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static int teardown(void **state)
{
	fixture *fx = *state;

	remove_dir(fx->dir);
	free(fx);
	return 0;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK)
		print_error("'%s' failed: %s (%d)\n", sql, err ? err : "?",
			    sqlite3_extended_errcode(db));
	sqlite3_free(err);
	assert_int_equal(rc, SQLITE_OK);
}

/* The first column of the first row of sql, as an integer. */
static sqlite3_int64 query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 v;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		print_error("prepare '%s': %s\n", sql, sqlite3_errmsg(db));
	assert_int_equal(rc, SQLITE_OK);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		print_error("step '%s': %s\n", sql, sqlite3_errmsg(db));
	assert_int_equal(rc, SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The extended result code of running sql to its end. */
static int run_rc(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	else
		rc = sqlite3_extended_errcode(db);
	sqlite3_finalize(st);
	return rc;
}

static void assert_integrity(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1,
					    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
}

static sqlite3 *open_raw(const char *path, const char *vfs)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);

	if (rc != SQLITE_OK)
		print_error("open '%s': %s\n", path, db ? sqlite3_errmsg(db) : "?");
	assert_int_equal(rc, SQLITE_OK);
	sqlite3_extended_result_codes(db, 1);
	return db;
}

static sqlite3 *open_db(const char *path, const char *vfs)
{
	sqlite3 *db = open_raw(path, vfs);
	hearth_status st = hearth_vfs_configure(db);

	if (st != HEARTH_OK)
		print_error("configure: %s\n", hearth_errdetail());
	assert_int_equal(st, HEARTH_OK);
	return db;
}

static void close_db(sqlite3 *db)
{
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void create_people(sqlite3 *db)
{
	exec(db, "CREATE TABLE person(id INTEGER PRIMARY KEY, name TEXT, "
		 "note TEXT, seen TEXT)");
}

/* Inserts n people from number first on, each carrying the markers. */
static void insert_people(sqlite3 *db, int first, int n, const char *extra)
{
	sqlite3_stmt *st = NULL;
	char name[128], note[256];
	int i;

	assert_int_equal(sqlite3_prepare_v2(db,
		"INSERT INTO person(name, note, seen) VALUES(?, ?, '2026-11-23')",
		-1, &st, NULL), SQLITE_OK);
	for (i = first; i < first + n; i++) {
		snprintf(name, sizeof name, "张三 MARKER-NAME %d", i);
		snprintf(note, sizeof note,
			 "MARKER-NOTE %d: 夜班后失眠, sleeps badly after the night "
			 "shift; follow up %s", i, extra ? extra : "next week");
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, note, -1, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
}

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	*len = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n)
			*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static void write_at(const char *path, long off, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, p, n, off), (ssize_t)n);
	close(fd);
}

static void flip_byte(const char *path, long off)
{
	unsigned char b;
	int fd = open(path, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, off), 1);
	b ^= 0x5a;
	assert_int_equal(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

static long file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Scans every file in dir for every marker; prints each hit and returns
 * their number.  *files receives how many non-empty files were scanned. */
static int scan_dir(const char *dir, int *files)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int hits = 0;

	*files = 0;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char p[512];
		unsigned char *buf;
		size_t len, i;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		buf = read_all(p, &len);
		if (buf == NULL)
			continue;
		if (len > 0)
			(*files)++;
		for (i = 0; i < N_MARKERS; i++)
			if (memmem(buf, len, markers[i], strlen(markers[i])) != NULL) {
				print_message("plaintext '%s' found in %s\n",
					      markers[i], e->d_name);
				hits++;
			}
		free(buf);
	}
	closedir(d);
	return hits;
}

/* No marker anywhere in the directory, and at least min_files files with
 * content were looked at. */
static void assert_no_plaintext(const char *dir, int min_files)
{
	int files, hits = scan_dir(dir, &files);

	assert_int_equal(hits, 0);
	assert_true(files >= min_files);
}

static int root_page(sqlite3 *db, const char *table)
{
	char sql[128];

	snprintf(sql, sizeof sql,
		 "SELECT rootpage FROM sqlite_schema WHERE name='%s'", table);
	return (int)query_int(db, sql);
}

/* ---- tests -------------------------------------------------------------- */

/* The scan is able to see plaintext: plain SQLite shows the markers. */
static void test_scan_sees_plain_sqlite(void **state)
{
	fixture *fx = *state;
	sqlite3 *db = open_raw(fx->path, NULL);
	int files;

	create_people(db);
	insert_people(db, 0, 20, NULL);
	close_db(db);
	assert_true(scan_dir(fx->dir, &files) >= 4);
	assert_int_equal(files, 1);
}

static void test_wal_no_plaintext(void **state)
{
	fixture *fx = *state;
	sqlite3 *db = open_db(fx->path, VFS);

	exec(db, "PRAGMA journal_mode=WAL");
	exec(db, "PRAGMA wal_autocheckpoint=0");
	create_people(db);
	insert_people(db, 0, 500, NULL);
	assert_true(file_size(fx->wal) > 0);
	assert_no_plaintext(fx->dir, 3);

	/* An open transaction big enough to spill frames to the WAL. */
	exec(db, "PRAGMA cache_size=20");
	exec(db, "BEGIN");
	insert_people(db, 500, 1500, "UNCOMMITTED-MARKER");
	assert_no_plaintext(fx->dir, 3);
	exec(db, "COMMIT");
	assert_int_equal(query_int(db, "SELECT count(*) FROM person"), 2000);
	assert_no_plaintext(fx->dir, 3);

	exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	assert_int_equal(file_size(fx->wal), 0);
	assert_no_plaintext(fx->dir, 2);
	exec(db, "DELETE FROM person WHERE id % 3 = 0");
	exec(db, "VACUUM");
	assert_no_plaintext(fx->dir, 2);
	close_db(db);
	assert_no_plaintext(fx->dir, 1);

	db = open_db(fx->path, VFS);
	assert_int_equal(query_int(db, "SELECT count(*) FROM person"), 1334);
	assert_int_equal(query_int(db, "SELECT count(*) FROM person WHERE "
				       "name LIKE '张三 MARKER-NAME %' AND "
				       "seen = '2026-11-23'"), 1334);
	assert_integrity(db);
	assert_int_equal(hearth_vfs_damaged_page(db), 0);
	close_db(db);
	assert_no_plaintext(fx->dir, 1);
}

static void test_journal_no_plaintext(void **state)
{
	fixture *fx = *state;
	sqlite3 *db = open_db(fx->path, VFS);
	long before;

	exec(db, "PRAGMA journal_mode=DELETE");
	create_people(db);
	insert_people(db, 0, 500, NULL);
	assert_no_plaintext(fx->dir, 1);

	/* The journal holds the old images of every page the update
	 * touches, markers and all; the small cache makes SQLite write
	 * changed pages into the database before COMMIT. */
	exec(db, "PRAGMA cache_size=10");
	before = file_size(fx->path);
	exec(db, "BEGIN");
	exec(db, "UPDATE person SET note = note || ' amended'");
	insert_people(db, 500, 1000, "UNCOMMITTED-MARKER");
	assert_true(file_size(fx->journal) > 0);
	assert_true(file_size(fx->path) > before);
	assert_no_plaintext(fx->dir, 2);
	/* Rolling back reads every image back out of the journal. */
	exec(db, "ROLLBACK");
	assert_int_equal(query_int(db, "SELECT count(*) FROM person"), 500);
	assert_int_equal(query_int(db, "SELECT count(*) FROM person WHERE "
				       "note LIKE '% amended'"), 0);
	assert_integrity(db);

	exec(db, "BEGIN");
	exec(db, "UPDATE person SET note = note || ' amended'");
	assert_no_plaintext(fx->dir, 2);
	exec(db, "COMMIT");
	assert_int_equal(query_int(db, "SELECT count(*) FROM person WHERE "
				       "note LIKE '% amended'"), 500);
	close_db(db);
	assert_no_plaintext(fx->dir, 1);

	db = open_db(fx->path, VFS);
	assert_integrity(db);
	assert_int_equal(query_int(db, "SELECT count(*) FROM person WHERE "
				       "name LIKE '张三 MARKER-NAME %'"), 500);
	close_db(db);
}

/* A child process writes a big transaction and dies without committing:
 * by SIGKILL in the middle, or by _exit(0) with the transaction open. */
static void interrupted(fixture *fx, const char *mode, int by_kill)
{
	sqlite3 *db = open_db(fx->path, VFS);
	char sql[64];
	pid_t pid;
	int status;

	snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", mode);
	exec(db, sql);
	create_people(db);
	insert_people(db, 0, 300, NULL);
	close_db(db);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* No cmocka here: a failed assertion would unwind into the
		 * parent's copy of the runner. */
		sqlite3 *c = NULL;
		sqlite3_stmt *st = NULL;
		int i;

		if (sqlite3_open_v2(fx->path, &c, SQLITE_OPEN_READWRITE, VFS) != SQLITE_OK ||
		    hearth_vfs_configure(c) != HEARTH_OK ||
		    sqlite3_exec(c, sql, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(c, "PRAGMA cache_size=10; BEGIN;", NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(c, "UPDATE person SET note = 'UNCOMMITTED-MARKER'"
				 " WHERE id % 2 = 0", NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(c, "INSERT INTO person(name, note) VALUES("
				       "'UNCOMMITTED-MARKER 张三 MARKER-NAME', "
				       "'MARKER-NOTE 2026-11-23')", -1, &st, NULL) != SQLITE_OK)
			_exit(2);
		for (i = 0; i < 4000; i++) {
			if (sqlite3_step(st) != SQLITE_DONE)
				_exit(3);
			sqlite3_reset(st);
			if (by_kill && i == 2500)
				kill(getpid(), SIGKILL);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (by_kill) {
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGKILL);
	} else {
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	/* The dead writer left its work on disk: a hot journal or WAL
	 * frames that never committed. */
	if (strcmp(mode, "WAL") == 0)
		assert_true(file_size(fx->wal) > 4096);
	else
		assert_true(file_size(fx->journal) > 4096);
	assert_no_plaintext(fx->dir, 2);

	db = open_db(fx->path, VFS);
	assert_integrity(db);
	assert_int_equal(query_int(db, "SELECT count(*) FROM person"), 300);
	assert_int_equal(query_int(db, "SELECT count(*) FROM person WHERE "
				       "note LIKE '%UNCOMMITTED%' OR "
				       "name LIKE '%UNCOMMITTED%'"), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM person WHERE "
				       "name LIKE '张三 MARKER-NAME %'"), 300);
	insert_people(db, 300, 10, NULL);
	close_db(db);
	assert_no_plaintext(fx->dir, 1);
}

static void test_interrupted_wal_kill(void **state)
{
	interrupted(*state, "WAL", 1);
}

static void test_interrupted_wal_exit(void **state)
{
	interrupted(*state, "WAL", 0);
}

static void test_interrupted_journal_kill(void **state)
{
	interrupted(*state, "DELETE", 1);
}

static void test_interrupted_journal_exit(void **state)
{
	interrupted(*state, "DELETE", 0);
}

static void test_wrong_key(void **state)
{
	fixture *fx = *state;
	sqlite3 *db = open_db(fx->path, VFS);
	unsigned char *before, *after;
	size_t before_len, after_len;

	create_people(db);
	insert_people(db, 0, 50, NULL);
	close_db(db);
	before = read_all(fx->path, &before_len);
	assert_non_null(before);

	assert_int_equal(hearth_vfs_register(VFS_OTHER, key_other, 0), HEARTH_OK);
	db = open_raw(fx->path, VFS_OTHER);
	assert_int_equal(hearth_vfs_configure(db), HEARTH_EDAMAGED);
	assert_string_equal(hearth_errdetail(),
			    "vault damaged: page 1 failed authentication");
	assert_int_equal(hearth_vfs_damaged_page(db), 1);
	/* Nothing reads or writes through the wrong key. */
	assert_int_equal(run_rc(db, "SELECT count(*) FROM person"), SQLITE_IOERR_DATA);
	assert_int_equal(run_rc(db, "CREATE TABLE x(y)"), SQLITE_IOERR_DATA);
	close_db(db);
	assert_int_equal(hearth_vfs_unregister(VFS_OTHER), HEARTH_OK);
	after = read_all(fx->path, &after_len);
	assert_non_null(after);
	assert_int_equal(after_len, before_len);
	assert_memory_equal(after, before, before_len);
	free(before);
	free(after);

	db = open_db(fx->path, VFS);
	assert_int_equal(query_int(db, "SELECT count(*) FROM person"), 50);
	assert_integrity(db);
	close_db(db);
}

/* Builds a database with a table big spread over many pages and a table
 * small of one row on its own page; returns small's page number. */
static int make_two_tables(fixture *fx, const char *mode)
{
	sqlite3 *db = open_db(fx->path, VFS);
	char sql[64];
	int page;

	snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", mode);
	exec(db, sql);
	create_people(db);
	insert_people(db, 0, 300, NULL);
	exec(db, "CREATE TABLE small(x TEXT)");
	exec(db, "INSERT INTO small VALUES('MARKER-NOTE small')");
	exec(db, "CREATE TABLE other(x TEXT)");
	exec(db, "INSERT INTO other VALUES('MARKER-NOTE other')");
	page = root_page(db, "small");
	close_db(db);
	return page;
}

static void test_flipped_byte_in_database(void **state)
{
	fixture *fx = *state;
	/* In the ciphertext, in the nonce, in the tag. */
	const long where[] = { 200, 4056 + 5, 4096 - 3 };
	/* WAL mode: closing checkpointed the pages into the database. */
	int page = make_two_tables(fx, "WAL");
	size_t i;

	assert_true(page > 1);
	for (i = 0; i < sizeof where / sizeof where[0]; i++) {
		long off = (long)(page - 1) * HEARTH_VFS_PAGE_SIZE + where[i];
		sqlite3 *db;

		flip_byte(fx->path, off);
		db = open_db(fx->path, VFS);
		assert_int_equal(hearth_vfs_damaged_page(db), 0);
		assert_int_equal(run_rc(db, "SELECT * FROM small"), SQLITE_IOERR_DATA);
		assert_int_equal(hearth_vfs_damaged_page(db), page);
		/* Other pages still read. */
		assert_int_equal(query_int(db, "SELECT count(*) FROM person"), 300);
		close_db(db);
		flip_byte(fx->path, off); /* undo */
	}
	{
		sqlite3 *db = open_db(fx->path, VFS);

		assert_int_equal(run_rc(db, "SELECT * FROM small"), SQLITE_OK);
		assert_integrity(db);
		close_db(db);
	}
	assert_int_equal(file_size(fx->wal), -1);
}

/* A page copied over another is authentic ciphertext, but for the wrong
 * page number. */
static void test_swapped_pages(void **state)
{
	fixture *fx = *state;
	int a = make_two_tables(fx, "DELETE"), b;
	unsigned char pa[HEARTH_VFS_PAGE_SIZE], pb[HEARTH_VFS_PAGE_SIZE];
	sqlite3 *db = open_db(fx->path, VFS);
	int fd;

	b = root_page(db, "other");
	close_db(db);
	assert_true(a > 1 && b > 1 && a != b);
	fd = open(fx->path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, pa, sizeof pa, (off_t)(a - 1) * sizeof pa), (ssize_t)sizeof pa);
	assert_int_equal(pread(fd, pb, sizeof pb, (off_t)(b - 1) * sizeof pb), (ssize_t)sizeof pb);
	close(fd);
	write_at(fx->path, (long)(a - 1) * (long)sizeof pa, pb, sizeof pb);
	write_at(fx->path, (long)(b - 1) * (long)sizeof pb, pa, sizeof pa);

	db = open_db(fx->path, VFS);
	assert_int_equal(run_rc(db, "SELECT * FROM small"), SQLITE_IOERR_DATA);
	assert_int_equal(hearth_vfs_damaged_page(db), a);
	assert_int_equal(run_rc(db, "SELECT * FROM other"), SQLITE_IOERR_DATA);
	assert_int_equal(hearth_vfs_damaged_page(db), b);
	close_db(db);
}

/* The offset of the last valid frame in the WAL that holds page pgno. */
static long wal_frame_of(const char *wal, int pgno)
{
	size_t len, off;
	unsigned char *w = read_all(wal, &len);
	long found = -1;

	assert_non_null(w);
	for (off = 32; off + 24 + HEARTH_VFS_PAGE_SIZE <= len;
	     off += 24 + HEARTH_VFS_PAGE_SIZE) {
		uint32_t p = (uint32_t)w[off] << 24 | (uint32_t)w[off + 1] << 16 |
			     (uint32_t)w[off + 2] << 8 | w[off + 3];

		if (memcmp(w + off + 8, w + 16, 8) == 0 && p == (uint32_t)pgno)
			found = (long)off;
	}
	free(w);
	return found;
}

/* A frame damaged while another connection has the WAL index: the page
 * read fails and names the page. */
static void test_flipped_byte_in_wal(void **state)
{
	fixture *fx = *state;
	sqlite3 *a, *b;
	long frame;
	int page;

	a = open_db(fx->path, VFS);
	exec(a, "PRAGMA journal_mode=WAL");
	exec(a, "PRAGMA wal_autocheckpoint=0");
	assert_int_equal(sqlite3_db_config(a, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
					   1, NULL), SQLITE_OK);
	create_people(a);
	insert_people(a, 0, 300, NULL);
	exec(a, "CREATE TABLE small(x TEXT)");
	exec(a, "INSERT INTO small VALUES('old')");
	exec(a, "PRAGMA wal_checkpoint(TRUNCATE)");
	exec(a, "UPDATE small SET x = 'new'");
	page = root_page(a, "small");
	frame = wal_frame_of(fx->wal, page);
	assert_true(frame > 0);
	flip_byte(fx->wal, frame + 24 + 1000);

	/* A second connection reads the page from the WAL (the first one
	 * has it cached) and must see the damage. */
	b = open_db(fx->path, VFS);
	assert_int_equal(run_rc(b, "SELECT * FROM small"), SQLITE_IOERR_DATA);
	assert_int_equal(hearth_vfs_damaged_page(b), page);
	close_db(b);
	close_db(a);
}

/* ---- WAL recovery: damage inside the log, torn tail ----------------------- */

#define WAL_FRAME_BYTES (24 + HEARTH_VFS_PAGE_SIZE)
#define N_TXN 6

/* The files of a database as a crashed writer left them. */
typedef struct snapshot {
	unsigned char *db, *wal, *shm;
	size_t db_len, wal_len, shm_len;
} snapshot;

static void put_file(const char *path, const unsigned char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	close(fd);
}

static void snapshot_take(fixture *fx, snapshot *sn)
{
	char shm[200];

	snprintf(shm, sizeof shm, "%s-shm", fx->path);
	sn->db = read_all(fx->path, &sn->db_len);
	sn->wal = read_all(fx->wal, &sn->wal_len);
	sn->shm = read_all(shm, &sn->shm_len);
	assert_non_null(sn->db);
	assert_non_null(sn->wal);
}

static void snapshot_put(fixture *fx, const snapshot *sn)
{
	char shm[200];

	snprintf(shm, sizeof shm, "%s-shm", fx->path);
	put_file(fx->path, sn->db, sn->db_len);
	put_file(fx->wal, sn->wal, sn->wal_len);
	if (sn->shm != NULL)
		put_file(shm, sn->shm, sn->shm_len);
}

static void snapshot_free(snapshot *sn)
{
	free(sn->db);
	free(sn->wal);
	free(sn->shm);
}

/* A child process runs sql on the database and dies without closing it
 * (so without a checkpoint): the parent sees the files as after a kill. */
static void child_sql(fixture *fx, const char *sql)
{
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* No cmocka in the child. */
		sqlite3 *c = NULL;

		if (sqlite3_open_v2(fx->path, &c, SQLITE_OPEN_READWRITE |
				    SQLITE_OPEN_CREATE, VFS) != SQLITE_OK ||
		    hearth_vfs_configure(c) != HEARTH_OK ||
		    sqlite3_exec(c, sql, NULL, NULL, NULL) != SQLITE_OK)
			_exit(2);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A writer commits N_TXN rows, one transaction each, after an empty WAL;
 * with tail, it then writes most of a big transaction (its pages spill
 * into the WAL) and dies before committing. */
static void crashed_writer(fixture *fx, int tail)
{
	char sql[2048];
	size_t len;
	int i;

	len = (size_t)snprintf(sql, sizeof sql,
		"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		"PRAGMA wal_autocheckpoint=0;"
		"CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
		"PRAGMA wal_checkpoint(TRUNCATE);");
	for (i = 1; i <= N_TXN; i++)
		len += (size_t)snprintf(sql + len, sizeof sql - len,
					"INSERT INTO t VALUES(%d, 'MARKER-NOTE %d');", i, i);
	if (tail)
		snprintf(sql + len, sizeof sql - len,
			 "PRAGMA cache_size=5; BEGIN;"
			 "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x+1 "
			 "FROM n WHERE x < 400) INSERT INTO t(v) SELECT "
			 "printf('%%0300d', x) FROM n");
	child_sql(fx, sql);
}

static long wal_frames(const char *wal)
{
	return (file_size(wal) - 32) / WAL_FRAME_BYTES;
}

static void assert_same(const unsigned char *want, size_t want_len, const char *path)
{
	size_t len;
	unsigned char *got = read_all(path, &len);

	assert_non_null(got);
	assert_int_equal(len, want_len);
	assert_memory_equal(got, want, len);
	free(got);
}

/* Frame k (1-based) of n committed transactions is damaged, in its image,
 * its checksum or its salt by turns: the open refuses, naming the frame and
 * a copy of the WAL kept aside; nothing in the database or the WAL changes
 * (the -shm is left out: the first connection to a database truncates and
 * rebuilds it from the WAL, so it holds nothing the WAL does not); the
 * connection writes nothing; and once the byte is back every transaction
 * is there.  The last frame is a commit with nothing after it: its seal
 * tells it from a torn one. */
static void test_wal_damage_inside_refused(void **state)
{
	fixture *fx = *state;
	snapshot sn;
	long k, n;

	crashed_writer(fx, 0);
	n = wal_frames(fx->wal);
	assert_true(n >= N_TXN);
	snapshot_take(fx, &sn);
	for (k = 1; k <= n; k++) {
		static const long where[] = { 24 + 1000, 16 + 3, 8 + 1 };
		long off = 32 + (k - 1) * WAL_FRAME_BYTES + where[k % 3];
		unsigned char *damaged;
		char want[96], copy[HEARTH_VFS_PATH_MAX];
		const char *d;
		size_t dlen;
		sqlite3 *db;

		snapshot_put(fx, &sn);
		flip_byte(fx->wal, off);
		damaged = read_all(fx->wal, &dlen);

		db = open_raw(fx->path, VFS);
		assert_int_equal(hearth_vfs_configure(db), HEARTH_EDAMAGED);
		d = hearth_errdetail();
		snprintf(want, sizeof want,
			 "vault damaged: WAL frame %ld failed authentication; "
			 "a copy was kept at ", k);
		if (strncmp(d, want, strlen(want)) != 0)
			print_error("frame %ld: '%s'\n", k, d);
		assert_true(strncmp(d, want, strlen(want)) == 0);
		assert_int_equal(hearth_vfs_wal_damage(db, copy, sizeof copy), k);
		assert_string_equal(d + strlen(want), copy);
		/* Nothing can be written through the connection. */
		assert_int_not_equal(run_rc(db, "INSERT INTO t VALUES(100, 'x')"), SQLITE_OK);
		close_db(db);

		assert_same(sn.db, sn.db_len, fx->path);
		assert_same(damaged, dlen, fx->wal);
		assert_same(damaged, dlen, copy);
		/* A second try keeps the same copy, and makes no other. */
		db = open_raw(fx->path, VFS);
		assert_int_equal(hearth_vfs_configure(db), HEARTH_EDAMAGED);
		assert_non_null(strstr(hearth_errdetail(), copy));
		close_db(db);
		assert_int_equal(unlink(copy), 0);
		free(damaged);

		flip_byte(fx->wal, off);
		db = open_db(fx->path, VFS);
		assert_int_equal(query_int(db, "SELECT count(*) FROM t"), N_TXN);
		assert_int_equal(hearth_vfs_wal_damage(db, NULL, 0), 0);
		assert_int_equal(hearth_vfs_wal_torn_tail(db, NULL, NULL), 0);
		close_db(db);
	}
	snapshot_free(&sn);
}

enum tear { TEAR_NONE, TEAR_CUT, TEAR_DAMAGE };

/* A writer died in the middle of a transaction after N_TXN commits; its
 * last frame is whole, cut short, or damaged.  The open recovers every
 * committed transaction and reports the discarded tail once. */
static void torn_tail(fixture *fx, enum tear how)
{
	uint32_t first = 0, frames = 0;
	long n;
	sqlite3 *db;

	crashed_writer(fx, 1);
	n = wal_frames(fx->wal);
	assert_true(n > N_TXN + 2);
	if (how == TEAR_CUT)
		assert_int_equal(truncate(fx->wal, 32 + (n - 1) * WAL_FRAME_BYTES + 1000), 0);
	else if (how == TEAR_DAMAGE)
		flip_byte(fx->wal, 32 + (n - 1) * WAL_FRAME_BYTES + 24 + 2000);

	db = open_db(fx->path, VFS);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), N_TXN);
	assert_int_equal(hearth_vfs_wal_damage(db, NULL, 0), 0);
	assert_int_equal(hearth_vfs_wal_torn_tail(db, &first, &frames), 1);
	assert_int_equal(first, N_TXN + 1);
	assert_int_equal(frames, n - N_TXN);
	/* Once. */
	assert_int_equal(hearth_vfs_wal_torn_tail(db, &first, &frames), 0);
	assert_int_equal(frames, 0);
	exec(db, "INSERT INTO t VALUES(1000, 'after')");
	assert_integrity(db);
	close_db(db);

	db = open_db(fx->path, VFS);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), N_TXN + 1);
	assert_int_equal(hearth_vfs_wal_torn_tail(db, NULL, NULL), 0);
	close_db(db);
}

static void test_wal_torn_tail_unfinished(void **state)
{
	torn_tail(*state, TEAR_NONE);
}

static void test_wal_torn_tail_cut(void **state)
{
	torn_tail(*state, TEAR_CUT);
}

static void test_wal_torn_tail_damaged(void **state)
{
	torn_tail(*state, TEAR_DAMAGE);
}

/* Frames of an earlier WAL generation (other salts) after the current
 * tail are leftovers, neither damage nor a torn tail. */
static void test_wal_old_generation(void **state)
{
	fixture *fx = *state;
	sqlite3 *db;

	child_sql(fx, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
		  "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
		  "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x+1 "
		  "FROM n WHERE x < 300) INSERT INTO t(v) SELECT "
		  "printf('%0300d', x) FROM n;"
		  "PRAGMA wal_checkpoint(RESTART);"
		  "INSERT INTO t(v) VALUES('one');"
		  "INSERT INTO t(v) VALUES('two');");
	assert_true(wal_frames(fx->wal) > 10);

	db = open_db(fx->path, VFS);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 302);
	assert_int_equal(hearth_vfs_wal_damage(db, NULL, 0), 0);
	assert_int_equal(hearth_vfs_wal_torn_tail(db, NULL, NULL), 0);
	assert_integrity(db);
	close_db(db);
}

/* ---- hardening ------------------------------------------------------------ */

/* SQLite allocates through the wiping allocator: what it frees is counted
 * as wiped. */
static void test_sqlite_allocator_wipes(void **state)
{
	const sqlite3_mem_methods *m = hearth_mem_methods();
	uint64_t before;
	unsigned char *p, *q;
	int i;

	(void)state;
	assert_int_equal(hearth_sqlite_wipe_active(), 1);
	before = hearth_mem_wiped_bytes();
	p = sqlite3_malloc(5000);
	assert_non_null(p);
	assert_true(sqlite3_msize(p) >= 5000);
	memset(p, 0xab, 5000);
	sqlite3_free(p);
	assert_true(hearth_mem_wiped_bytes() - before >= 5000);

	/* The methods themselves.  Small sizes round up to a multiple of 16
	 * (the sizes a thread's cache keeps), larger ones to 8. */
	assert_int_equal(m->xRoundup(1), 16);
	assert_int_equal(m->xRoundup(24), 32);
	assert_int_equal(m->xRoundup(1024), 1024);
	assert_int_equal(m->xRoundup(1025), 1032);
	assert_int_equal(m->xRoundup(4096), 4096);
	p = m->xMalloc(24);
	assert_non_null(p);
	assert_int_equal(m->xSize(p), 32);
	for (i = 0; i < 24; i++)
		p[i] = (unsigned char)i;
	before = hearth_mem_wiped_bytes();
	q = m->xRealloc(p, 4000);
	assert_non_null(q);
	assert_int_equal(m->xSize(q), 4000);
	for (i = 0; i < 24; i++)
		assert_int_equal(q[i], i);
	assert_int_equal(hearth_mem_wiped_bytes() - before, 32); /* the old block */
	q = m->xRealloc(q, 16);
	assert_int_equal(m->xSize(q), 16);
	for (i = 0; i < 16; i++)
		assert_int_equal(q[i], i);
	m->xFree(q);
	m->xFree(NULL);
	assert_int_equal(m->xSize(NULL), 0);
}

/* True when all n bytes at p are zero. */
static int all_zero(const unsigned char *p, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* A freed small block is kept for reuse by the freeing thread, and comes
 * back to the next allocation of its size wiped: every byte zero.  Fails
 * on a cache that keeps blocks without wiping them. */
static void test_sqlite_allocator_reuses_wiped(void **state)
{
	static const int sizes[] = { 1, 16, 17, 40, 100, 512, 1000, 1024 };
	const sqlite3_mem_methods *m = hearth_mem_methods();
	unsigned char *p[64], *q, **held;
	size_t s;
	int i, n, nheld;

	(void)state;
	held = calloc(1024, sizeof *held);
	assert_non_null(held);
	for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		n = sizes[s];
		/* Empty this size's cache, so that the next block freed is
		 * kept. */
		for (nheld = 0; nheld < 1024; nheld++) {
			unsigned before = hearth_mem_cached();

			held[nheld] = m->xMalloc(n);
			assert_non_null(held[nheld]);
			if (hearth_mem_cached() == before) {
				nheld++;
				break;
			}
		}
		q = m->xMalloc(n);
		assert_non_null(q);
		assert_int_equal(m->xSize(q), m->xRoundup(n));
		memset(q, 0xab, (size_t)m->xSize(q));
		m->xFree(q);
		assert_int_equal(hearth_mem_cached() > 0, 1);
#ifdef TEST_ASAN
		/* Kept, and still reported if used: poisoned while cached. */
		assert_true(__asan_address_is_poisoned(q));
		assert_true(__asan_address_is_poisoned(q + m->xSize(q) - 1));
#endif
		p[0] = m->xMalloc(n);
#ifdef TEST_ASAN
		assert_false(__asan_address_is_poisoned(p[0] + m->xSize(p[0]) - 1));
#endif
		assert_ptr_equal(p[0], q);
		assert_true(all_zero(p[0], m->xSize(p[0])));
		m->xFree(p[0]);
		for (i = 0; i < nheld; i++)
			m->xFree(held[i]);

		/* Many at once: whatever comes out of the cache is zero
		 * (a block from malloc() may hold anything). */
		for (i = 0; i < 64; i++) {
			p[i] = m->xMalloc(n);
			assert_non_null(p[i]);
			memset(p[i], 0xab, (size_t)m->xSize(p[i]));
		}
		for (i = 0; i < 64; i++)
			m->xFree(p[i]);
		for (i = 0; i < 64; i++) {
			unsigned before = hearth_mem_cached();

			p[i] = m->xMalloc(n);
			assert_non_null(p[i]);
			if (hearth_mem_cached() < before)
				assert_true(all_zero(p[i], m->xSize(p[i])));
		}
		for (i = 0; i < 64; i++)
			m->xFree(p[i]);
	}
	free(held);
}

/* Growing and shrinking across sizes keeps the content; a size that
 * rounds to the block's own stays in place; a block left behind is wiped
 * before it is reused. */
static void test_sqlite_allocator_realloc_classes(void **state)
{
	static const int steps[] = { 10, 30, 100, 1000, 3000, 700, 64, 5 };
	const sqlite3_mem_methods *m = hearth_mem_methods();
	unsigned char *p, *q, *r;
	size_t s;
	int i, old, kept = 10;

	(void)state;
	p = m->xMalloc(10);
	assert_non_null(p);
	for (i = 0; i < 10; i++)
		p[i] = (unsigned char)(i + 1);
	for (s = 1; s < sizeof steps / sizeof steps[0]; s++) {
		int n = steps[s];

		for (i = kept; i < m->xSize(p) && i < n; i++)
			p[i] = (unsigned char)(i + 1);
		old = m->xSize(p);
		kept = n < old ? n : old;
		q = m->xRealloc(p, n);
		assert_non_null(q);
		assert_true(m->xSize(q) >= n);
		for (i = 0; i < kept; i++)
			assert_int_equal(q[i], (unsigned char)(i + 1));
		if (q != p && old <= 1024) {
			/* The old block was wiped on its way into the cache. */
			r = m->xMalloc(old);
			assert_ptr_equal(r, p);
			assert_true(all_zero(r, m->xSize(r)));
			m->xFree(r);
		}
		p = q;
	}
	q = m->xRealloc(p, 3); /* 5 and 3 both round to 16 */
	assert_ptr_equal(q, p);
	m->xFree(q);
}

/* Blocks allocated in one thread and freed in another join the freeing
 * thread's cache; the thread's exit gives its cache back to malloc
 * (LeakSanitizer, in the sanitized build, reports any block it kept), and
 * a block freed after that, by a later pthread key destructor, is not
 * cached either.  What the thread wiped still counts once it is gone. */
#define XT_BLOCKS 300

struct xt_run {
	unsigned char *blocks[XT_BLOCKS];
	int freed_cached;   /* blocks the freeing thread kept */
	int reused;         /* blocks it got back from its cache */
	int nonzero;        /* of those, with bytes left in them */
	int late_cached;    /* blocks kept after the cache was released */
	int rounds;
	uint64_t sizes;     /* bytes of the blocks it freed first */
};

static pthread_key_t xt_key;

static int xt_size(int i)
{
	return 1 + (i * 37) % 1100; /* small and large, every size class */
}

static void *xt_alloc(void *arg)
{
	const sqlite3_mem_methods *m = hearth_mem_methods();
	struct xt_run *run = arg;
	int i;

	for (i = 0; i < XT_BLOCKS; i++) {
		run->blocks[i] = m->xMalloc(xt_size(i));
		if (run->blocks[i] != NULL)
			memset(run->blocks[i], 0x5a, (size_t)m->xSize(run->blocks[i]));
	}
	return NULL;
}

/* Runs at this thread's exit; sets itself again once so that its second
 * round comes after every key's first, the allocator's included. */
static void xt_late_free(void *arg)
{
	const sqlite3_mem_methods *m = hearth_mem_methods();
	struct xt_run *run = arg;

	if (run->rounds++ == 0) {
		pthread_setspecific(xt_key, run);
		return;
	}
	m->xFree(m->xMalloc(48));
	run->late_cached = (int)hearth_mem_cached();
}

static void *xt_free(void *arg)
{
	const sqlite3_mem_methods *m = hearth_mem_methods();
	struct xt_run *run = arg;
	unsigned char *p;
	int i;

	for (i = 0; i < XT_BLOCKS; i++) {
		run->sizes += (uint64_t)m->xSize(run->blocks[i]);
		m->xFree(run->blocks[i]);
	}
	run->freed_cached = (int)hearth_mem_cached();
	for (i = 0; i < XT_BLOCKS; i++) {
		unsigned before = hearth_mem_cached();

		p = m->xMalloc(xt_size(i));
		if (p == NULL)
			run->nonzero++;
		else if (hearth_mem_cached() < before) {
			run->reused++;
			if (!all_zero(p, m->xSize(p)))
				run->nonzero++;
		}
		run->blocks[i] = p;
	}
	for (i = 0; i < XT_BLOCKS; i++)
		m->xFree(run->blocks[i]);
	pthread_setspecific(xt_key, run);
	return NULL;
}

static void test_sqlite_allocator_threads(void **state)
{
	struct xt_run *run = calloc(1, sizeof *run);
	pthread_t a, b;
	uint64_t before;
	int i;

	(void)state;
	assert_non_null(run);
	assert_int_equal(pthread_key_create(&xt_key, xt_late_free), 0);
	assert_int_equal(pthread_create(&a, NULL, xt_alloc, run), 0);
	assert_int_equal(pthread_join(a, NULL), 0);
	for (i = 0; i < XT_BLOCKS; i++)
		assert_non_null(run->blocks[i]);
	before = hearth_mem_wiped_bytes();
	assert_int_equal(pthread_create(&b, NULL, xt_free, run), 0);
	assert_int_equal(pthread_join(b, NULL), 0);
	assert_true(hearth_mem_wiped_bytes() - before >= 2 * run->sizes);
	assert_true(run->freed_cached > XT_BLOCKS / 2);
	assert_true(run->reused > XT_BLOCKS / 2);
	assert_int_equal(run->nonzero, 0);
	assert_int_equal(run->rounds, 2);
	assert_int_equal(run->late_cached, 0);
	pthread_key_delete(xt_key);
	free(run);
}

/* hearth_process_harden() turns core dumps off (in a child, so the test
 * runner keeps its own limits). */
static void test_process_harden(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl;

		if (hearth_process_harden() != HEARTH_OK)
			_exit(2);
		if (getrlimit(RLIMIT_CORE, &rl) != 0 || rl.rlim_cur != 0 || rl.rlim_max != 0)
			_exit(3);
		if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
			_exit(4);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A frame header rewritten to claim another page number, with checksums
 * anyone can recompute, still fails: the page number is bound in. */
static void test_wal_frame_renumbered(void **state)
{
	fixture *fx = *state;
	sqlite3 *a, *b;
	unsigned char be[4];
	long frame;
	int page, other;

	a = open_db(fx->path, VFS);
	exec(a, "PRAGMA journal_mode=WAL");
	exec(a, "PRAGMA wal_autocheckpoint=0");
	create_people(a);
	exec(a, "CREATE TABLE small(x TEXT)");
	exec(a, "CREATE TABLE other(x TEXT)");
	exec(a, "INSERT INTO other VALUES('a')");
	exec(a, "PRAGMA wal_checkpoint(TRUNCATE)");
	exec(a, "INSERT INTO small VALUES('b')");
	page = root_page(a, "small");
	other = root_page(a, "other");
	frame = wal_frame_of(fx->wal, page);
	assert_true(frame > 0);
	be[0] = (unsigned char)(other >> 24);
	be[1] = (unsigned char)(other >> 16);
	be[2] = (unsigned char)(other >> 8);
	be[3] = (unsigned char)other;
	write_at(fx->wal, frame, be, 4);
	/* The WAL index still maps the frame to small's page; its image,
	 * read under the header's new number, fails. */
	b = open_db(fx->path, VFS);
	assert_int_equal(run_rc(b, "SELECT * FROM small"), SQLITE_IOERR_DATA);
	assert_int_equal(hearth_vfs_damaged_page(b), other);
	close_db(b);
	close_db(a);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* SQLite's WAL checksum (as its file format documents it) over n bytes,
 * continuing from s. */
static void wal_checksum(int big_endian, const unsigned char *p, size_t n,
			 uint32_t s[2])
{
	size_t i;

	for (i = 0; i < n; i += 8) {
		s[0] += (big_endian ? be32(p + i) : le32(p + i)) + s[1];
		s[1] += (big_endian ? be32(p + i + 4) : le32(p + i + 4)) + s[0];
	}
}

/* Frame checksums run over plaintext pages, so on disk they are masked;
 * read through the VFS they are SQLite's own, and a WAL left behind by a
 * closed connection recovers. */
static void test_wal_checksums_masked(void **state)
{
	fixture *fx = *state;
	sqlite3 *db = open_db(fx->path, VFS);
	sqlite3_file *w = NULL;
	unsigned char *raw, head[32], frame[24 + HEARTH_VFS_PAGE_SIZE];
	size_t len, off;
	uint32_t s[2];
	int frames = 0, big;

	exec(db, "PRAGMA journal_mode=WAL");
	exec(db, "PRAGMA wal_autocheckpoint=0");
	assert_int_equal(sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
					   1, NULL), SQLITE_OK);
	create_people(db);
	insert_people(db, 0, 200, NULL);
	/* A transaction that spills the same pages more than once: SQLite
	 * overwrites their frames and rewrites the checksums after them. */
	exec(db, "PRAGMA cache_size=10");
	exec(db, "BEGIN");
	insert_people(db, 200, 800, NULL);
	exec(db, "UPDATE person SET seen = '2026-11-24' WHERE id % 3 = 0");
	exec(db, "COMMIT");
	assert_int_equal(sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &w),
			 SQLITE_OK);
	raw = read_all(fx->wal, &len);
	assert_non_null(raw);
	assert_true(len > 32 + 4 * sizeof frame);

	assert_int_equal(w->pMethods->xRead(w, head, 32, 0), SQLITE_OK);
	assert_memory_equal(head, raw, 32); /* the WAL header is in clear */
	big = head[3] & 1;
	s[0] = s[1] = 0;
	wal_checksum(big, head, 24, s);
	assert_int_equal(s[0], be32(head + 24));
	assert_int_equal(s[1], be32(head + 28));
	for (off = 32; off + sizeof frame <= len; off += sizeof frame) {
		assert_int_equal(w->pMethods->xRead(w, frame, sizeof frame, (sqlite3_int64)off),
				 SQLITE_OK);
		/* Page number, size and salts as on disk; checksums not. */
		assert_memory_equal(frame, raw + off, 16);
		assert_memory_not_equal(frame + 16, raw + off + 16, 8);
		if (memcmp(frame + 8, head + 16, 8) != 0)
			break; /* a stale frame from an earlier generation */
		wal_checksum(big, frame, 8, s);
		wal_checksum(big, frame + 24, HEARTH_VFS_PAGE_SIZE, s);
		assert_int_equal(s[0], be32(frame + 16));
		assert_int_equal(s[1], be32(frame + 20));
		frames++;
	}
	assert_true(frames > 4);
	free(raw);
	close_db(db);

	assert_true(file_size(fx->wal) > 0);
	db = open_db(fx->path, VFS);
	assert_int_equal(query_int(db, "SELECT count(*) FROM person"), 1000);
	assert_int_equal(query_int(db, "SELECT count(*) FROM person WHERE "
				       "seen = '2026-11-24'"), 333);
	assert_int_equal(hearth_vfs_damaged_page(db), 0);
	assert_integrity(db);
	close_db(db);
}

static void test_configure_needs_hearth_vfs(void **state)
{
	fixture *fx = *state;
	sqlite3 *db = open_raw(fx->path, NULL);

	assert_int_equal(hearth_vfs_configure(db), HEARTH_EINVAL);
	assert_non_null(strstr(hearth_errdetail(), "not opened through a hearth vfs"));
	assert_int_equal(hearth_vfs_damaged_page(db), 0);
	close_db(db);
	assert_int_equal(hearth_vfs_configure(NULL), HEARTH_EINVAL);
	assert_int_equal(hearth_vfs_damaged_page(NULL), 0);
}

/* Opened through the VFS but never configured: SQLite would lay pages out
 * with no room for nonce and tag.  The VFS refuses to write them. */
static void test_unconfigured_write_refused(void **state)
{
	fixture *fx = *state;
	sqlite3 *db = open_raw(fx->path, VFS);

	assert_int_equal(run_rc(db, "CREATE TABLE person(name TEXT)"),
			 SQLITE_IOERR_WRITE);
	close_db(db);
	assert_no_plaintext(fx->dir, 0);
	assert_true(file_size(fx->path) <= 0);
}

static void test_register_and_unregister(void **state)
{
	fixture *fx = *state;
	sqlite3 *db;

	assert_int_equal(hearth_vfs_register(VFS, key_main, 0), HEARTH_EEXISTS);
	assert_int_equal(hearth_vfs_register("unix", key_main, 0), HEARTH_EEXISTS);
	assert_int_equal(hearth_vfs_register(NULL, key_main, 0), HEARTH_EINVAL);
	assert_int_equal(hearth_vfs_register("", key_main, 0), HEARTH_EINVAL);
	assert_int_equal(hearth_vfs_register("hearth-nokey", NULL, 0), HEARTH_EINVAL);
	assert_int_equal(hearth_vfs_unregister("hearth-none"), HEARTH_ENOTFOUND);
	assert_int_equal(hearth_vfs_unregister(NULL), HEARTH_EINVAL);

	assert_int_equal(hearth_vfs_register("hearth-busy", key_main, 0), HEARTH_OK);
	db = open_db(fx->path, "hearth-busy");
	create_people(db);
	assert_int_equal(hearth_vfs_unregister("hearth-busy"), HEARTH_EBUSY);
	assert_non_null(strstr(hearth_errdetail(), "hearth-busy"));
	close_db(db);
	assert_int_equal(hearth_vfs_unregister("hearth-busy"), HEARTH_OK);
	assert_null(sqlite3_vfs_find("hearth-busy"));
	assert_int_equal(hearth_vfs_unregister("hearth-busy"), HEARTH_ENOTFOUND);
}

/* A Hearth VFS made the default serves sqlite3_open_v2(..., NULL); a
 * second one registered after it wraps the real default, not the first
 * (which can then go away under it). */
static void test_default_vfs(void **state)
{
	fixture *fx = *state;
	sqlite3_vfs *plain = sqlite3_vfs_find(NULL);
	sqlite3 *db;

	assert_int_equal(hearth_vfs_register("hearth-default", key_main, 1), HEARTH_OK);
	assert_ptr_equal(sqlite3_vfs_find(NULL), sqlite3_vfs_find("hearth-default"));
	assert_int_equal(hearth_vfs_register("hearth-second", key_main, 0), HEARTH_OK);
	db = open_db(fx->path, NULL);
	create_people(db);
	insert_people(db, 0, 10, NULL);
	close_db(db);
	assert_int_equal(hearth_vfs_unregister("hearth-default"), HEARTH_OK);
	assert_int_equal(sqlite3_vfs_register(plain, 1), SQLITE_OK);

	/* The second VFS still works with the first gone, and it and the
	 * suite's VFS (same key) read each other's files: one layer of
	 * encryption each. */
	db = open_db(fx->path, "hearth-second");
	assert_int_equal(query_int(db, "SELECT count(*) FROM person"), 10);
	insert_people(db, 10, 10, NULL);
	close_db(db);
	db = open_db(fx->path, VFS);
	assert_int_equal(query_int(db, "SELECT count(*) FROM person"), 20);
	close_db(db);
	assert_int_equal(hearth_vfs_unregister("hearth-second"), HEARTH_OK);
	assert_no_plaintext(fx->dir, 1);
}

/* Open file descriptors whose target lies inside dir. */
static int fds_inside(const char *dir)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char link[300], target[512];
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
		len = readlink(link, target, sizeof target - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strncmp(target, dir, strlen(dir)) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Runs a sort too big for the sorter's memory (when temp files are
 * allowed) and reports how many files were open in the temp directory
 * while it ran. */
static int sort_opens_temp_files(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int during;

	exec(db, "PRAGMA cache_size=10");
	exec(db, "DROP TABLE IF EXISTS big");
	exec(db, "CREATE TABLE big(k INTEGER, v TEXT)");
	exec(db, "BEGIN");
	exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n "
		 "WHERE i < 50000) INSERT INTO big SELECT (i * 7919) % 50000, "
		 "'MARKER-NOTE ' || printf('%080d', (i * 104729) % 50021) FROM n");
	exec(db, "COMMIT");
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT k, v FROM big ORDER BY v",
					    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	during = fds_inside(tmpdir_env);
	sqlite3_finalize(st);
	exec(db, "CREATE INDEX big_v ON big(v)");
	return during;
}

static void test_no_temp_files_on_disk(void **state)
{
	fixture *fx = *state;
	char plain_path[160];
	uint64_t opened;
	sqlite3 *db;

	/* Plain SQLite, temp store on file: the sort spills into the temp
	 * directory (so the check below can see a spill). */
	snprintf(plain_path, sizeof plain_path, "%s/plain.db", fx->dir);
	db = open_raw(plain_path, NULL);
	exec(db, "PRAGMA temp_store=FILE");
	assert_true(sort_opens_temp_files(db) > 0);
	close_db(db);
	assert_int_equal(unlink(plain_path), 0);

	/* Configured: temp storage in memory. */
	db = open_db(fx->path, VFS);
	assert_int_equal(sort_opens_temp_files(db), 0);
	exec(db, "CREATE TEMP TABLE scratch AS SELECT * FROM big");
	assert_int_equal(query_int(db, "SELECT count(*) FROM temp.scratch"), 50000);

	/* Even told to use temp files, SQLite gets memory ones from the
	 * VFS. */
	exec(db, "PRAGMA temp_store=FILE");
	opened = hearth_memfile_opened();
	assert_int_equal(sort_opens_temp_files(db), 0);
	assert_true(hearth_memfile_opened() > opened);
	exec(db, "CREATE TEMP TABLE scratch2 AS SELECT * FROM big");
	assert_int_equal(query_int(db, "SELECT count(*) FROM temp.scratch2"), 50000);
	close_db(db);
	assert_int_equal(dir_entries(tmpdir_env), 0);
	assert_no_plaintext(fx->dir, 1);
}

/* A temp database ("" as the name) lives in a memory file: it works with
 * a cache far smaller than its data. */
static void test_temp_database_in_memory(void **state)
{
	sqlite3 *db = open_db("", VFS);
	uint64_t opened = hearth_memfile_opened();

	(void)state;
	exec(db, "PRAGMA cache_size=5");
	create_people(db);
	insert_people(db, 0, 2000, NULL);
	exec(db, "DELETE FROM person WHERE id % 2 = 0");
	assert_int_equal(query_int(db, "SELECT count(*) FROM person"), 1000);
	assert_integrity(db);
	/* The pages that did not fit the cache went to a memory file. */
	assert_true(hearth_memfile_opened() > opened);
	close_db(db);
}

/* Reads of odd slices of the main file and of the WAL give the same bytes
 * as whole-page reads. */
static void test_partial_reads(void **state)
{
	fixture *fx = *state;
	sqlite3 *db = open_db(fx->path, VFS);
	sqlite3_file *f = NULL, *w = NULL;
	unsigned char whole[3 * HEARTH_VFS_PAGE_SIZE], part[3 * HEARTH_VFS_PAGE_SIZE];
	unsigned char frame[24 + HEARTH_VFS_PAGE_SIZE];
	sqlite3_int64 size;
	struct { int amt; long off; } cut[] = {
		{ 100, 0 }, { 16, 24 }, { 5000, 4000 }, { 10, 4090 },
		{ 2 * HEARTH_VFS_PAGE_SIZE, HEARTH_VFS_PAGE_SIZE }, { 1, 8191 },
	};
	size_t i;
	int p;

	exec(db, "PRAGMA journal_mode=WAL");
	exec(db, "PRAGMA wal_autocheckpoint=0");
	create_people(db);
	insert_people(db, 0, 100, NULL);
	exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	assert_int_equal(sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f),
			 SQLITE_OK);
	assert_int_equal(f->pMethods->xFileSize(f, &size), SQLITE_OK);
	assert_true(size >= 3 * HEARTH_VFS_PAGE_SIZE);
	assert_int_equal(f->pMethods->iVersion, 2);

	for (p = 0; p < 3; p++)
		assert_int_equal(f->pMethods->xRead(f, whole + p * HEARTH_VFS_PAGE_SIZE,
						    HEARTH_VFS_PAGE_SIZE,
						    (sqlite3_int64)p * HEARTH_VFS_PAGE_SIZE),
				 SQLITE_OK);
	assert_memory_equal(whole, "SQLite format 3", 16);
	assert_int_equal(whole[20], HEARTH_VFS_RESERVE);
	/* Reserved bytes read as zeros. */
	for (i = HEARTH_VFS_PAGE_SIZE - HEARTH_VFS_RESERVE; i < HEARTH_VFS_PAGE_SIZE; i++)
		assert_int_equal(whole[i], 0);
	for (i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		memset(part, 0xee, sizeof part);
		assert_int_equal(f->pMethods->xRead(f, part, cut[i].amt, cut[i].off),
				 SQLITE_OK);
		assert_memory_equal(part, whole + cut[i].off, (size_t)cut[i].amt);
	}
	/* Beyond the end: zeros and a short read; straddling it: the data,
	 * then zeros. */
	memset(part, 0xee, sizeof part);
	assert_int_equal(f->pMethods->xRead(f, part, 4096, size), SQLITE_IOERR_SHORT_READ);
	for (i = 0; i < 4096; i++)
		assert_int_equal(part[i], 0);
	assert_int_equal(f->pMethods->xRead(f, whole, 4096, size - 4096), SQLITE_OK);
	memset(part, 0xee, sizeof part);
	assert_int_equal(f->pMethods->xRead(f, part, 100, size - 50), SQLITE_IOERR_SHORT_READ);
	assert_memory_equal(part, whole + 4046, 50);
	for (i = 50; i < 100; i++)
		assert_int_equal(part[i], 0);

	/* The WAL: a new frame, then slices across its header and image. */
	exec(db, "UPDATE person SET seen = '2026-11-24'");
	assert_int_equal(sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &w),
			 SQLITE_OK);
	assert_non_null(w);
	assert_int_equal(w->pMethods->xRead(w, frame, sizeof frame, 32), SQLITE_OK);
	assert_int_equal(w->pMethods->xRead(w, whole, HEARTH_VFS_PAGE_SIZE, 56), SQLITE_OK);
	assert_memory_equal(frame + 24, whole, HEARTH_VFS_PAGE_SIZE);
	{
		struct { int amt; long off; } wcut[] = {
			{ 100, 40 }, { 24, 32 }, { 4096, 60 }, { 4000, 56 + 90 },
			{ 32 + 24 + 4096, 0 },
		};

		for (i = 0; i < sizeof wcut / sizeof wcut[0]; i++) {
			long j;

			memset(part, 0xee, sizeof part);
			assert_int_equal(w->pMethods->xRead(w, part, wcut[i].amt, wcut[i].off),
					 SQLITE_OK);
			for (j = 0; j < wcut[i].amt; j++) {
				long at = wcut[i].off + j;

				if (at >= 32 && at < 32 + (long)sizeof frame)
					assert_int_equal(part[j], frame[at - 32]);
			}
		}
	}
	close_db(db);
}

/* Two connections taking turns writing and reading in WAL mode. */
static void test_two_connections(void **state)
{
	fixture *fx = *state;
	sqlite3 *a = open_db(fx->path, VFS), *b;
	int i;

	exec(a, "PRAGMA journal_mode=WAL");
	create_people(a);
	b = open_db(fx->path, VFS);
	for (i = 0; i < 5; i++) {
		insert_people(a, i * 100, 50, NULL);
		assert_int_equal(query_int(b, "SELECT count(*) FROM person"), i * 100 + 50);
		insert_people(b, i * 100 + 50, 50, NULL);
		assert_int_equal(query_int(a, "SELECT count(*) FROM person"), i * 100 + 100);
	}
	exec(b, "PRAGMA wal_checkpoint(PASSIVE)");
	assert_integrity(a);
	close_db(b);
	close_db(a);
	assert_no_plaintext(fx->dir, 1);
}

/* The page cipher is libsodium's XChaCha20-Poly1305, computed by OpenSSL
 * when it can (crypto/aead.c).  A vault written through libsodium alone,
 * as every vault before OpenSSL came in was, reads and grows through
 * OpenSSL, and the other way round: database pages, WAL frames (and their
 * masked checksums) and rollback-journal images. */
static void test_either_cipher_reads_the_other(void **state)
{
	fixture *fx = *state;
	sqlite3 *a, *b;
	uint64_t calls;

	/* libsodium writes pages into the database and frames into the WAL. */
	assert_int_equal(hearth_xaead_openssl_set(0), 1);
	calls = hearth_xaead_openssl_calls();
	a = open_db(fx->path, VFS);
	exec(a, "PRAGMA journal_mode=WAL");
	exec(a, "PRAGMA wal_autocheckpoint=0");
	create_people(a);
	insert_people(a, 0, 300, NULL);
	exec(a, "PRAGMA wal_checkpoint(TRUNCATE)");
	insert_people(a, 300, 300, NULL);
	assert_true(file_size(fx->wal) > 0);
	assert_int_equal(hearth_xaead_openssl_calls(), calls);

	/* OpenSSL reads both through a second connection and adds frames. */
	assert_int_equal(hearth_xaead_openssl_set(1), 0);
	b = open_db(fx->path, VFS);
	assert_int_equal(query_int(b, "SELECT count(*) FROM person"), 600);
	assert_integrity(b);
	insert_people(b, 600, 300, NULL);
	assert_true(hearth_xaead_openssl_calls() > calls);
	close_db(b);

	/* libsodium reads OpenSSL's frames and checkpoints them. */
	assert_int_equal(hearth_xaead_openssl_set(0), 1);
	calls = hearth_xaead_openssl_calls();
	assert_int_equal(query_int(a, "SELECT count(*) FROM person"), 900);
	assert_integrity(a);
	exec(a, "PRAGMA wal_checkpoint(TRUNCATE)");
	close_db(a);
	assert_int_equal(hearth_xaead_openssl_calls(), calls);

	/* A rollback journal written by one and played back by the other:
	 * a transaction spills pages into the database (its journal holds
	 * their old images), then rolls back. */
	a = open_db(fx->path, VFS);
	exec(a, "PRAGMA journal_mode=DELETE");
	exec(a, "PRAGMA cache_size=10");
	exec(a, "BEGIN");
	insert_people(a, 900, 500, "UNCOMMITTED-MARKER");
	exec(a, "UPDATE person SET seen = '2026-11-24'");
	assert_true(file_size(fx->journal) > 0);
	assert_int_equal(hearth_xaead_openssl_set(1), 0);
	exec(a, "ROLLBACK");
	assert_true(hearth_xaead_openssl_calls() > calls);
	close_db(a);

	/* OpenSSL reads the whole; libsodium too. */
	a = open_db(fx->path, VFS);
	assert_int_equal(query_int(a, "SELECT count(*) FROM person"), 900);
	assert_int_equal(query_int(a, "SELECT count(*) FROM person "
				      "WHERE seen = '2026-11-23'"), 900);
	assert_integrity(a);
	close_db(a);
	assert_int_equal(hearth_xaead_openssl_set(0), 1);
	a = open_db(fx->path, VFS);
	assert_int_equal(query_int(a, "SELECT count(*) FROM person "
				      "WHERE seen = '2026-11-23'"), 900);
	assert_integrity(a);
	close_db(a);
	assert_int_equal(hearth_xaead_openssl_set(1), 0);
	assert_no_plaintext(fx->dir, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scan_sees_plain_sqlite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_no_plaintext, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_no_plaintext, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_wal_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_wal_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_journal_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_journal_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flipped_byte_in_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swapped_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flipped_byte_in_wal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_damage_inside_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_torn_tail_unfinished, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_torn_tail_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_torn_tail_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_old_generation, setup, teardown),
		cmocka_unit_test(test_sqlite_allocator_wipes),
		cmocka_unit_test(test_sqlite_allocator_reuses_wiped),
		cmocka_unit_test(test_sqlite_allocator_realloc_classes),
		cmocka_unit_test(test_sqlite_allocator_threads),
		cmocka_unit_test(test_process_harden),
		cmocka_unit_test_setup_teardown(test_wal_frame_renumbered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_checksums_masked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_configure_needs_hearth_vfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unconfigured_write_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_and_unregister, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_vfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_temp_files_on_disk, setup, teardown),
		cmocka_unit_test(test_temp_database_in_memory),
		cmocka_unit_test_setup_teardown(test_partial_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_connections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_either_cipher_reads_the_other, setup, teardown),
	};
	int rc;

	/* SQLite reads the temp directory from the environment once, when
	 * it initialises: set it first, to an empty directory of our own. */
	strcpy(tmpdir_env, "/tmp/hearth-vfs-tmp-XXXXXX");
	if (mkdtemp(tmpdir_env) == NULL)
		return 1;
	setenv("SQLITE_TMPDIR", tmpdir_env, 1);
	setenv("TMPDIR", tmpdir_env, 1);
	if (hearth_vfs_register(VFS, key_main, 0) != HEARTH_OK)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (hearth_vfs_unregister(VFS) != HEARTH_OK)
		rc = 1;
	remove_dir(tmpdir_env);
	return rc;
}
