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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_kill_while_writing, teardown),
	};

	return cmocka_run_group_tests_name("vault crash", tests, NULL, NULL);
}
