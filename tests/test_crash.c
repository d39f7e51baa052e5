/*
 * test_crash.c - a vault survives being killed at any moment.
 *
 * Fifty rounds.  In each, a child process opens the vault and writes
 * records one committed transaction at a time, and tells the parent each
 * record's id only after the commit returned.  The parent kills it with
 * SIGKILL after a random delay, then checks that:
 *   - no file in the vault directory holds any of the written text in
 *     clear (the WAL the child left behind included);
 *   - the vault opens, and PRAGMA integrity_check says "ok";
 *   - every record the child reported is there with all its fields.
 *
 * Most rounds start the delay once the child has opened the vault, so the
 * kill lands among the writes; every fifth starts it at fork, so it may
 * land during key derivation, WAL recovery or the first write.  In odd
 * rounds the parent closes without checkpointing, so the next child must
 * itself recover a WAL left by an earlier crash.
 *
 * The seed is printed on failure; HEARTH_TEST_SEED=N replays a run.
 *
 * Then the WAL a killed writer left is damaged frame by frame (the open
 * must refuse, change nothing and keep a copy), and a writer killed in the
 * middle of a transaction leaves a torn tail (the open recovers, records
 * it in the audit log and says so once).
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hearth/hearth.h"

#define ROUNDS 50
#define PASS "crash test passphrase"
#define READY UINT32_MAX

/* What the child sends after each commit (a pipe write of at most
 * PIPE_BUF bytes is atomic, so the parent never sees half of one). */
typedef struct report {
	uint32_t seq;
	uint8_t id[HEARTH_ID_BYTES];
} report;

/* Text that must never reach the disk in clear. */
static const char *const markers[] = {
	"CRASHMARK", "UNITMARK", "NOTEMARK", "崩溃测试", "第三车间", "夜班",
};

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

/* The fields of record seq, the same in the child that writes them and
 * the parent that checks them. */
#define NFIELDS 4
static void record_fields(uint32_t seq, char values[NFIELDS][160])
{
	snprintf(values[0], 160, "崩溃测试 CRASHMARK %u", seq);
	snprintf(values[1], 160, "第三车间 UNITMARK %u", seq % 7);
	snprintf(values[2], 160, "夜班后睡眠不好 NOTEMARK %u: 情绪低落，需要跟进", seq);
	snprintf(values[3], 160, "2024-%02u-%02u", seq % 12 + 1, seq % 28 + 1);
}

static const char *const field_names[NFIELDS] = { "name", "unit", "note", "date" };

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The child: writes records until killed.  Never returns. */
static void child_run(const char *dir, int fd, uint32_t first_seq)
{
	hearth_vault *v = NULL;
	hearth_store *s;
	report r;

	if (hearth_vault_open(dir, PASS, strlen(PASS), NULL, &v) != HEARTH_OK) {
		fprintf(stderr, "child: open: %s\n", hearth_errdetail());
		_exit(2);
	}
	s = hearth_vault_store(v);
	memset(&r, 0, sizeof r);
	r.seq = READY;
	if (write_all(fd, &r, sizeof r) != 0)
		_exit(3);
	/* Bounded, but far beyond what 80 ms allows. */
	for (uint32_t seq = first_seq; seq < first_seq + 100000; seq++) {
		char values[NFIELDS][160];
		hearth_id id;

		record_fields(seq, values);
		if (hearth_store_begin(s) != HEARTH_OK ||
		    hearth_record_create(s, NULL, "person", &id) != HEARTH_OK)
			goto fail;
		for (int i = 0; i < NFIELDS; i++)
			if (hearth_record_set(s, &id, field_names[i], values[i]) != HEARTH_OK)
				goto fail;
		if (hearth_store_commit(s) != HEARTH_OK)
			goto fail;
		/* Only now is the record promised to be there. */
		r.seq = seq;
		memcpy(r.id, id.b, sizeof r.id);
		if (write_all(fd, &r, sizeof r) != 0)
			_exit(3);
	}
	pause();
	_exit(0);
fail:
	fprintf(stderr, "child: write: %s\n", hearth_errdetail());
	_exit(4);
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Returns the name of a file in dir holding a marker in clear, or NULL. */
static const char *scan_dir(const char *dir, const char **which)
{
	static char found[512];
	DIR *d = opendir(dir);
	struct dirent *e;
	const char *hit = NULL;

	if (d == NULL)
		return "(cannot list the vault directory)";
	while (hit == NULL && (e = readdir(d)) != NULL) {
		char path[512];
		FILE *fp;
		uint8_t *buf;
		long n;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if ((fp = fopen(path, "rb")) == NULL)
			continue; /* removed meanwhile */
		fseek(fp, 0, SEEK_END);
		n = ftell(fp);
		fseek(fp, 0, SEEK_SET);
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, fp) == (size_t)n)
			for (size_t i = 0; hit == NULL && i < sizeof markers / sizeof markers[0]; i++)
				if (memmem(buf, (size_t)n, markers[i], strlen(markers[i])) != NULL) {
					snprintf(found, sizeof found, "%s", path);
					*which = markers[i];
					hit = found;
				}
		free(buf);
		fclose(fp);
	}
	closedir(d);
	return hit;
}

static void check_integrity(sqlite3 *db, uint64_t seed, int round)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL);

	if (rc != SQLITE_OK)
		fail_msg("seed %llu round %d: integrity_check: %s",
			 (unsigned long long)seed, round, sqlite3_errmsg(db));
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
		fail_msg("seed %llu round %d: integrity_check says '%s'",
			 (unsigned long long)seed, round,
			 rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0)
					  : sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* The temporary directory, removed by teardown even when a check fails. */
static char root[64];

static int teardown(void **state)
{
	(void)state;
	if (root[0] != '\0')
		nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void test_kill_while_writing(void **state)
{
	char dir[96], code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_kdf_params kdf = hearth_kdf_params_low();
	hearth_vault_options opt = { .kdf = &kdf };
	hearth_vault *v = NULL;
	const char *env = getenv("HEARTH_TEST_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL) ^ (uint64_t)getpid();
	size_t total = 0, cap = 0;
	report *all = NULL;
	(void)state;

	rng_state = seed | 1;
	snprintf(root, sizeof root, "/tmp/hearth-crash-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof dir, "%s/vault", root);
	assert_int_equal(hearth_vault_create(dir, PASS, strlen(PASS), &opt, code, &v),
			 HEARTH_OK);
	hearth_vault_close(v);

	for (int round = 0; round < ROUNDS; round++) {
		unsigned delay_ms = 5 + (unsigned)(rng_next() % 76);
		int fds[2], status;
		const char *hit, *which = NULL;
		size_t reported = 0;
		report r;
		pid_t pid;
		ssize_t n;

		assert_int_equal(pipe(fds), 0);
		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			child_run(dir, fds[1], (uint32_t)round * 100000u);
		}
		close(fds[1]);
		if (round % 5 != 4) {
			/* Wait until the child has opened the vault. */
			n = read(fds[0], &r, sizeof r);
			if (n != (ssize_t)sizeof r || r.seq != READY) {
				waitpid(pid, &status, 0);
				fail_msg("seed %llu round %d: child did not open the vault "
					 "(status %d)", (unsigned long long)seed, round, status);
			}
		}
		usleep(delay_ms * 1000u);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			fail_msg("seed %llu round %d: child ended by itself (status %d)",
				 (unsigned long long)seed, round, status);
		while ((n = read(fds[0], &r, sizeof r)) == (ssize_t)sizeof r) {
			if (r.seq == READY)
				continue;
			if (total == cap) {
				cap = cap ? 2 * cap : 1024;
				all = realloc(all, cap * sizeof *all);
				assert_non_null(all);
			}
			all[total++] = r;
			reported++;
		}
		assert_int_equal(n, 0);
		close(fds[0]);

		/* The crashed state, WAL and all, holds nothing in clear. */
		if ((hit = scan_dir(dir, &which)) != NULL)
			fail_msg("seed %llu round %d: '%s' holds \"%s\" in clear",
				 (unsigned long long)seed, round, hit, which);

		v = NULL;
		if (hearth_vault_open(dir, PASS, strlen(PASS), NULL, &v) != HEARTH_OK)
			fail_msg("seed %llu round %d: open after kill: %s",
				 (unsigned long long)seed, round, hearth_errdetail());
		check_integrity(hearth_vault_db(v), seed, round);
		/* Every record reported in any round so far is whole. */
		for (size_t i = 0; i < total; i++) {
			char values[NFIELDS][160];
			hearth_record *rec = NULL;
			hearth_id id;

			memcpy(id.b, all[i].id, sizeof id.b);
			if (hearth_record_load(hearth_vault_store(v), &id, &rec) != HEARTH_OK)
				fail_msg("seed %llu round %d: record %u lost: %s",
					 (unsigned long long)seed, round, all[i].seq,
					 hearth_errdetail());
			record_fields(all[i].seq, values);
			for (int k = 0; k < NFIELDS; k++) {
				const char *got = hearth_record_field(rec, field_names[k]);

				if (got == NULL || strcmp(got, values[k]) != 0)
					fail_msg("seed %llu round %d: record %u field %s is '%s', "
						 "not '%s'", (unsigned long long)seed, round,
						 all[i].seq, field_names[k], got ? got : "(none)",
						 values[k]);
			}
			hearth_record_free(rec);
		}
		/* Odd rounds leave the WAL for the next child to recover. */
		if (round % 2 == 1)
			assert_int_equal(sqlite3_db_config(hearth_vault_db(v),
							   SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
							   1, NULL), SQLITE_OK);
		hearth_vault_close(v);
		if ((hit = scan_dir(dir, &which)) != NULL)
			fail_msg("seed %llu round %d: '%s' holds \"%s\" in clear after reopening",
				 (unsigned long long)seed, round, hit, which);
	}
	print_message("%d rounds, %zu records reported and found (seed %llu)\n",
		      ROUNDS, total, (unsigned long long)seed);
	/* A run in which no child ever committed would prove nothing. */
	if (total == 0)
		fail_msg("seed %llu: no child committed a record", (unsigned long long)seed);
	free(all);
}

/* ---- WAL damage and torn tails, through the vault ------------------------ */

#define N_COMMITS 5

/* Creates a vault in dir; a child opens it, commits N_COMMITS records one
 * transaction each (their ids go to ids), then, with tail, writes most of
 * a big transaction whose pages spill into the WAL, and dies without
 * closing: the files are as a kill before any checkpoint leaves them. */
static void vault_crashed_writer(const char *dir, int tail, hearth_id ids[N_COMMITS])
{
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_kdf_params kdf = hearth_kdf_params_low();
	hearth_vault_options opt = { .kdf = &kdf };
	hearth_vault *v = NULL;
	int fds[2], status;
	pid_t pid;

	assert_int_equal(hearth_vault_create(dir, PASS, strlen(PASS), &opt, code, &v),
			 HEARTH_OK);
	hearth_vault_close(v);
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		hearth_store *s;

		close(fds[0]);
		if (hearth_vault_open(dir, PASS, strlen(PASS), NULL, &v) != HEARTH_OK)
			_exit(2);
		s = hearth_vault_store(v);
		for (uint32_t seq = 0; seq < N_COMMITS + (tail ? 400 : 0); seq++) {
			char values[NFIELDS][160];
			hearth_id id;

			if (seq == N_COMMITS &&
			    (sqlite3_exec(hearth_vault_db(v), "PRAGMA cache_size=5",
					  NULL, NULL, NULL) != SQLITE_OK ||
			     hearth_store_begin(s) != HEARTH_OK))
				_exit(3);
			record_fields(seq, values);
			if ((seq < N_COMMITS && hearth_store_begin(s) != HEARTH_OK) ||
			    hearth_record_create(s, NULL, "person", &id) != HEARTH_OK)
				_exit(4);
			for (int i = 0; i < NFIELDS; i++)
				if (hearth_record_set(s, &id, field_names[i], values[i]) != HEARTH_OK)
					_exit(5);
			if (seq < N_COMMITS) {
				if (hearth_store_commit(s) != HEARTH_OK ||
				    write_all(fds[1], &id, sizeof id) != 0)
					_exit(6);
			}
		}
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(read(fds[0], ids, N_COMMITS * sizeof *ids),
			 (ssize_t)(N_COMMITS * sizeof *ids));
	close(fds[0]);
}

/* Every record the writer committed is there, whole. */
static void assert_records(hearth_vault *v, const hearth_id ids[N_COMMITS])
{
	for (uint32_t seq = 0; seq < N_COMMITS; seq++) {
		char values[NFIELDS][160];
		hearth_record *rec = NULL;

		assert_int_equal(hearth_record_load(hearth_vault_store(v), &ids[seq], &rec),
				 HEARTH_OK);
		record_fields(seq, values);
		for (int k = 0; k < NFIELDS; k++)
			assert_string_equal(hearth_record_field(rec, field_names[k]), values[k]);
		hearth_record_free(rec);
	}
}

/* The vault's files, by name, as bytes; the -shm is left out (see
 * test_wal_damage_refused). */
#define MAX_FILES 8
typedef struct vault_files {
	int n;
	char name[MAX_FILES][64];
	unsigned char *data[MAX_FILES];
	size_t len[MAX_FILES];
} vault_files;

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	*len = 0;
	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL && fread(buf, 1, (size_t)n, fp) == (size_t)n)
		*len = (size_t)n;
	fclose(fp);
	return buf;
}

static void files_take(const char *dir, vault_files *vf, int with_shm)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	memset(vf, 0, sizeof *vf);
	while ((e = readdir(d)) != NULL) {
		char path[256];
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.' || (!with_shm && l > 4 &&
					     strcmp(e->d_name + l - 4, "-shm") == 0))
			continue;
		assert_true(vf->n < MAX_FILES);
		/* A vault's own file names are short: a longer one is no file
		 * of it, and would not fit. */
		assert_true(l < sizeof vf->name[0] && strlen(dir) + 1 + l < sizeof path);
		memcpy(vf->name[vf->n], e->d_name, l + 1);
		snprintf(path, sizeof path, "%s/%.*s", dir, (int)l, e->d_name);
		vf->data[vf->n] = slurp(path, &vf->len[vf->n]);
		assert_non_null(vf->data[vf->n]);
		vf->n++;
	}
	closedir(d);
}

static void files_put(const char *dir, const vault_files *vf)
{
	for (int i = 0; i < vf->n; i++) {
		char path[256];
		FILE *fp;

		snprintf(path, sizeof path, "%s/%s", dir, vf->name[i]);
		fp = fopen(path, "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(vf->data[i], 1, vf->len[i], fp), vf->len[i]);
		fclose(fp);
	}
}

/* Same names, same bytes. */
static void files_assert_same(const vault_files *a, const vault_files *b)
{
	assert_int_equal(a->n, b->n);
	for (int i = 0; i < a->n; i++) {
		int j;

		for (j = 0; j < b->n && strcmp(a->name[i], b->name[j]) != 0; j++)
			;
		if (j == b->n)
			fail_msg("%s appeared or went", a->name[i]);
		assert_int_equal(a->len[i], b->len[j]);
		if (memcmp(a->data[i], b->data[j], a->len[i]) != 0)
			fail_msg("%s changed", a->name[i]);
	}
}

static void files_free(vault_files *vf)
{
	for (int i = 0; i < vf->n; i++)
		free(vf->data[i]);
	vf->n = 0;
}

static void flip(const char *path, long off)
{
	FILE *fp = fopen(path, "r+b");
	int ch;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, off, SEEK_SET), 0);
	ch = fgetc(fp);
	assert_true(ch != EOF);
	assert_int_equal(fseek(fp, off, SEEK_SET), 0);
	fputc(ch ^ 0x5a, fp);
	fclose(fp);
}

#define FRAME_BYTES (24 + 4096)

/* For every frame k of the WAL that N_COMMITS committed transactions left:
 * a byte of it changed makes the open refuse, naming frame k and the copy
 * kept aside; no file of the vault changes (the -shm aside: the first
 * connection truncates and rebuilds it, and it holds nothing the WAL does
 * not); and with the byte put back every record is there. */
static void test_wal_damage_refused(void **state)
{
	char dir[96], wal[128];
	hearth_id ids[N_COMMITS];
	vault_files clean, before, after;
	long frames;
	(void)state;

	snprintf(root, sizeof root, "/tmp/hearth-crash-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof dir, "%s/vault", root);
	snprintf(wal, sizeof wal, "%s/hearth.db-wal", dir);
	vault_crashed_writer(dir, 0, ids);
	files_take(dir, &clean, 1);
	{
		size_t len;
		unsigned char *w = slurp(wal, &len);

		assert_non_null(w);
		free(w);
		frames = ((long)len - 32) / FRAME_BYTES;
	}
	assert_true(frames >= N_COMMITS);
	for (long k = 1; k <= frames; k++) {
		static const long where[] = { 24 + 2000, 16 + 5, 8 + 2 };
		long off = 32 + (k - 1) * FRAME_BYTES + where[k % 3];
		hearth_vault *v = NULL;
		char want[256];
		const char *d, *copy;
		struct stat sb;

		files_put(dir, &clean);
		flip(wal, off);
		files_take(dir, &before, 0);
		assert_int_equal(hearth_vault_open(dir, PASS, strlen(PASS), NULL, &v),
				 HEARTH_EDAMAGED);
		assert_null(v);
		d = hearth_errdetail();
		snprintf(want, sizeof want, "vault damaged: WAL frame %ld failed "
			 "authentication; a copy was kept at %s.damaged-", k, wal);
		if (strncmp(d, want, strlen(want)) != 0)
			fail_msg("frame %ld of %ld: '%s'", k, frames, d);
		copy = d + strlen(want) - strlen(wal) - strlen(".damaged-");
		assert_int_equal(stat(copy, &sb), 0);
		assert_int_equal(unlink(copy), 0);
		files_take(dir, &after, 0);
		files_assert_same(&before, &after);
		files_free(&before);
		files_free(&after);

		flip(wal, off);
		assert_int_equal(hearth_vault_open(dir, PASS, strlen(PASS), NULL, &v),
				 HEARTH_OK);
		assert_records(v, ids);
		assert_int_equal(hearth_vault_take_notice(v, NULL), 0);
		hearth_vault_close(v);
	}
	print_message("%ld frames each damaged in turn\n", frames);
	files_free(&clean);
}

static int audit_count_cb(const hearth_audit_entry *e, void *ctx)
{
	if (strcmp(e->action, "vault.wal_tail_discarded") == 0)
		(*(int *)ctx)++;
	return 0;
}

static int wal_tail_entries(hearth_vault *v)
{
	int n = 0;

	assert_int_equal(hearth_audit_each(hearth_vault_store(v), audit_count_cb, &n),
			 HEARTH_OK);
	return n;
}

static sqlite3_int64 pragma_int(hearth_vault *v, const char *sql)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 r;

	assert_int_equal(sqlite3_prepare_v2(hearth_vault_db(v), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	r = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r;
}

/* A writer killed in the middle of a transaction, its last frame cut
 * short: the open keeps every committed record, appends one audit entry,
 * and gives the notice exactly once; vault check reports the recovery.
 * The vault runs WAL with synchronous=FULL, which the torn-tail rule
 * relies on. */
static void test_torn_tail_noticed_once(void **state)
{
	char dir[96], wal[128];
	hearth_id ids[N_COMMITS];
	hearth_vault_notice n;
	hearth_vault *v = NULL;
	struct stat sb;
	(void)state;

	snprintf(root, sizeof root, "/tmp/hearth-crash-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof dir, "%s/vault", root);
	snprintf(wal, sizeof wal, "%s/hearth.db-wal", dir);
	vault_crashed_writer(dir, 1, ids);
	assert_int_equal(stat(wal, &sb), 0);
	assert_true(sb.st_size > 32 + 20 * FRAME_BYTES);
	assert_int_equal(truncate(wal, sb.st_size - 3000), 0);

	assert_int_equal(hearth_vault_open(dir, PASS, strlen(PASS), NULL, &v), HEARTH_OK);
	assert_records(v, ids);
	assert_int_equal(pragma_int(v, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(wal_tail_entries(v), 1);
	assert_int_equal(hearth_vault_take_notice(v, &n), 1);
	assert_int_equal(n.kind, HEARTH_NOTICE_WAL_TAIL_DISCARDED);
	assert_true(n.frames >= 1);
	assert_int_equal(hearth_vault_take_notice(v, &n), 0);
	assert_int_equal(n.kind, HEARTH_NOTICE_NONE);
	assert_int_equal(hearth_vault_check(v), HEARTH_OK);
	assert_int_equal(hearth_vault_last_wal_recovery(v, &n), HEARTH_OK);
	assert_int_equal(n.kind, HEARTH_NOTICE_WAL_TAIL_DISCARDED);
	hearth_vault_close(v);

	/* The next open has nothing to tell, and the entry stays one. */
	assert_int_equal(hearth_vault_open(dir, PASS, strlen(PASS), NULL, &v), HEARTH_OK);
	assert_int_equal(hearth_vault_take_notice(v, NULL), 0);
	assert_int_equal(wal_tail_entries(v), 1);
	{
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_prepare_v2(hearth_vault_db(v), "PRAGMA journal_mode",
						    -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
		sqlite3_finalize(st);
	}
	assert_records(v, ids);
	hearth_vault_close(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_kill_while_writing, teardown),
		cmocka_unit_test_teardown(test_wal_damage_refused, teardown),
		cmocka_unit_test_teardown(test_torn_tail_noticed_once, teardown),
	};

	return cmocka_run_group_tests_name("vault crash", tests, NULL, NULL);
}
