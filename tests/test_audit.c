/*
 * test_audit.c - the hash-chained audit log: an intact chain verifies, and
 * each kind of tampering a person with raw SQL access could do (remove,
 * alter, swap, cut off the tail, append a forged entry) is reported with
 * the number of the first bad entry.
 *
 * Suite 'audit'.  Entries carry random details; the seed is printed
 * and may be fixed with HEARTH_TEST_SEED.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "hearth/audit.h"
#include "hearth/schema.h"
#include "hearth/store.h"
#include "hearth/vault.h"
#include "hearth/crypto.h"

#define N_ENTRIES 40

static unsigned seed;

struct fixture {
	sqlite3 *db;
	hearth_store *s;
	hearth_id subjects[N_ENTRIES + 1];
};

static unsigned next_rand(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return (*state >> 16) & 0x7fff;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -1;
	if (sqlite3_open(":memory:", &f->db) != SQLITE_OK)
		return -1;
	if (hearth_schema_migrate(f->db, hearth_schema_latest()) != HEARTH_OK)
		return -1;
	if (hearth_store_open(f->db, NULL, &f->s) != HEARTH_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	hearth_store_close(f->s);
	sqlite3_close(f->db);
	free(f);
	return 0;
}

/* Appends n entries with varied subjects and details (some NULL). */
static void fill(struct fixture *f, int n)
{
	unsigned rs = seed;
	static const char *const actions[] = {
		"person.add", "person.show", "report", "export", "screening.add",
	};

	for (int i = 1; i <= n; i++) {
		char detail[64];
		unsigned r = next_rand(&rs);
		const hearth_id *subj = NULL;

		f->subjects[i] = hearth_id_random();
		if (r % 3 != 0)
			subj = &f->subjects[i];
		snprintf(detail, sizeof detail, "entry %d r=%u", i, r);
		assert_int_equal(hearth_audit_append(f->s, actions[r % 5], subj,
						     r % 4 == 0 ? NULL : detail),
				 HEARTH_OK);
	}
}

static void exec(struct fixture *f, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(f->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		print_error("sql failed: %s: %s\n", sql, err ? err : "?");
		sqlite3_free(err);
		fail();
	}
}

/* Asserts verify fails and names entry `at` first. */
static void assert_broken_at(struct fixture *f, int at)
{
	char want[64];
	int64_t n = -1;
	hearth_status st = hearth_audit_verify(f->s, &n);
	const char *d = hearth_errdetail();

	snprintf(want, sizeof want, "audit log broken at entry %d:", at);
	if (st != HEARTH_EDAMAGED || strncmp(d, want, strlen(want)) != 0) {
		print_error("seed %u: want '%s', got status %d '%s'\n", seed,
			    want, (int)st, d);
		fail();
	}
}

static void assert_intact(struct fixture *f, int64_t count)
{
	int64_t n = -1;
	hearth_status st = hearth_audit_verify(f->s, &n);

	if (st != HEARTH_OK) {
		print_error("seed %u: verify: %s\n", seed, hearth_errdetail());
		fail();
	}
	assert_int_equal(n, count);
}

static void test_empty_log_is_intact(void **state)
{
	assert_intact(*state, 0);
}

static void test_many_appends_stay_intact(void **state)
{
	struct fixture *f = *state;

	fill(f, N_ENTRIES);
	assert_intact(f, N_ENTRIES);
	/* Appends after a verify continue the same chain. */
	assert_int_equal(hearth_audit_append(f->s, "report", NULL, "2026-01"), HEARTH_OK);
	assert_intact(f, N_ENTRIES + 1);
}

struct listing {
	int64_t n;
	int64_t last_seq;
	int ordered;
	int subjects_ok;
	const hearth_id *subjects;
	int stop_at;
};

static int list_cb(const hearth_audit_entry *e, void *ctx)
{
	struct listing *l = ctx;

	l->n++;
	if (e->seq != l->last_seq + 1 || e->action == NULL || e->at_ms <= 0)
		l->ordered = 0;
	l->last_seq = e->seq;
	if (e->has_subject && !hearth_id_equal(&e->subject, &l->subjects[e->seq]))
		l->subjects_ok = 0;
	return l->stop_at != 0 && l->n == l->stop_at;
}

static void test_each_lists_in_order(void **state)
{
	struct fixture *f = *state;
	struct listing l = { .ordered = 1, .subjects_ok = 1, .subjects = f->subjects };

	fill(f, N_ENTRIES);
	assert_int_equal(hearth_audit_each(f->s, list_cb, &l), HEARTH_OK);
	assert_int_equal(l.n, N_ENTRIES);
	assert_true(l.ordered);
	assert_true(l.subjects_ok);

	memset(&l, 0, sizeof l);
	l.ordered = 1;
	l.subjects_ok = 1;
	l.subjects = f->subjects;
	l.stop_at = 5;
	assert_int_equal(hearth_audit_each(f->s, list_cb, &l), HEARTH_OK);
	assert_int_equal(l.n, 5);
}

static int pick(int lo, int hi)
{
	unsigned rs = seed ^ 0x5a5a5a5au;

	return lo + (int)(next_rand(&rs) % (unsigned)(hi - lo + 1));
}

static void test_deleted_entry_is_found(void **state)
{
	struct fixture *f = *state;
	char sql[96];
	int k = pick(2, N_ENTRIES - 1);

	fill(f, N_ENTRIES);
	snprintf(sql, sizeof sql, "DELETE FROM audit WHERE seq = %d", k);
	exec(f, sql);
	assert_broken_at(f, k);
}

static void test_deleted_first_entry_is_found(void **state)
{
	struct fixture *f = *state;

	fill(f, N_ENTRIES);
	exec(f, "DELETE FROM audit WHERE seq = 1");
	assert_broken_at(f, 1);
}

static void test_altered_entry_is_found(void **state)
{
	/* Each statement changes entry %d for sure, whatever it held. */
	static const char *const changes[] = {
		"UPDATE audit SET detail = coalesce(detail, '') || 'x' WHERE seq = %d",
		"UPDATE audit SET detail = CASE WHEN detail IS NULL THEN 'x' END WHERE seq = %d",
		"UPDATE audit SET action = 'person.add' || action WHERE seq = %d",
		"UPDATE audit SET at_ms = at_ms + 1 WHERE seq = %d",
		"UPDATE audit SET subject = CASE WHEN subject IS NULL THEN zeroblob(16) END WHERE seq = %d",
		"UPDATE audit SET hash = zeroblob(32) WHERE seq = %d",
	};
	struct fixture *f = *state;
	int k = pick(1, N_ENTRIES);

	fill(f, N_ENTRIES);
	for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
		char sql[128];

		exec(f, "SAVEPOINT t");
		snprintf(sql, sizeof sql, changes[i], k);
		exec(f, sql);
		assert_int_equal(sqlite3_changes(f->db), 1);
		assert_broken_at(f, k);
		exec(f, "ROLLBACK TO t");
		exec(f, "RELEASE t");
		assert_intact(f, N_ENTRIES);
	}
}

static void test_empty_detail_differs_from_none(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(hearth_audit_append(f->s, "report", NULL, NULL), HEARTH_OK);
	assert_int_equal(hearth_audit_append(f->s, "report", NULL, "x"), HEARTH_OK);
	exec(f, "UPDATE audit SET detail = '' WHERE seq = 1");
	assert_broken_at(f, 1);
}

static void test_swapped_entries_are_found(void **state)
{
	struct fixture *f = *state;
	char sql[256];
	int a = pick(1, N_ENTRIES / 2);
	int b = a + 1 + pick(0, N_ENTRIES / 2 - 1);

	fill(f, N_ENTRIES);
	snprintf(sql, sizeof sql,
		 "UPDATE audit SET seq = -1 WHERE seq = %d;"
		 "UPDATE audit SET seq = %d WHERE seq = %d;"
		 "UPDATE audit SET seq = %d WHERE seq = -1;", a, a, b, b);
	exec(f, sql);
	assert_broken_at(f, a);
}

static void test_swapped_contents_are_found(void **state)
{
	struct fixture *f = *state;
	int a = 3, b = 7;
	char sql[512];

	fill(f, N_ENTRIES);
	/* Swap everything but the sequence numbers, prev and hash included. */
	snprintf(sql, sizeof sql,
		 "CREATE TEMP TABLE t AS SELECT * FROM audit WHERE seq IN (%d, %d);"
		 "UPDATE audit SET (at_ms, action, subject, detail, prev, hash) ="
		 " (SELECT at_ms, action, subject, detail, prev, hash FROM t"
		 "  WHERE t.seq = %d + %d - audit.seq) WHERE seq IN (%d, %d);"
		 "DROP TABLE t;", a, b, a, b, a, b);
	exec(f, sql);
	assert_broken_at(f, a);
}

static void test_cut_tail_is_found(void **state)
{
	struct fixture *f = *state;
	char sql[96];

	fill(f, N_ENTRIES);
	snprintf(sql, sizeof sql, "DELETE FROM audit WHERE seq = %d", N_ENTRIES);
	exec(f, sql);
	assert_broken_at(f, N_ENTRIES);
	snprintf(sql, sizeof sql, "DELETE FROM audit WHERE seq > %d", N_ENTRIES - 5);
	exec(f, sql);
	assert_broken_at(f, N_ENTRIES - 4);
}

static void test_replaced_head_is_found(void **state)
{
	struct fixture *f = *state;
	char sql[128];

	fill(f, N_ENTRIES);
	/* Drop the last entry and append a different one in its place: the
	 * chain is whole again but the head the meta remembers is not. */
	snprintf(sql, sizeof sql, "DELETE FROM audit WHERE seq = %d", N_ENTRIES);
	exec(f, sql);
	exec(f, "SAVEPOINT keep_meta;"
		"CREATE TEMP TABLE m AS SELECT * FROM meta WHERE key LIKE 'audit_%';");
	assert_int_equal(hearth_audit_append(f->s, "person.show", NULL, "forged"), HEARTH_OK);
	exec(f, "DELETE FROM meta WHERE key LIKE 'audit_%';"
		"INSERT INTO meta SELECT * FROM m; DROP TABLE m; RELEASE keep_meta;");
	assert_broken_at(f, N_ENTRIES);
}

static void test_forged_extra_entry_is_found(void **state)
{
	struct fixture *f = *state;

	fill(f, N_ENTRIES);
	exec(f, "CREATE TEMP TABLE m AS SELECT * FROM meta WHERE key LIKE 'audit_%';");
	assert_int_equal(hearth_audit_append(f->s, "report", NULL, NULL), HEARTH_OK);
	exec(f, "DELETE FROM meta WHERE key LIKE 'audit_%';"
		"INSERT INTO meta SELECT * FROM m; DROP TABLE m;");
	assert_broken_at(f, N_ENTRIES + 1);
}

static void test_rolled_back_entry_leaves_chain_whole(void **state)
{
	struct fixture *f = *state;
	hearth_id id;

	fill(f, 5);
	/* An entry written inside a transaction that is rolled back goes
	 * with it, meta included. */
	assert_int_equal(hearth_store_begin(f->s), HEARTH_OK);
	assert_int_equal(hearth_record_create(f->s, NULL, "person", &id), HEARTH_OK);
	assert_int_equal(hearth_audit_append(f->s, "person.add", &id, NULL), HEARTH_OK);
	hearth_store_rollback(f->s);
	assert_intact(f, 5);
	/* And one written inside a committed transaction stays. */
	assert_int_equal(hearth_store_begin(f->s), HEARTH_OK);
	assert_int_equal(hearth_record_create(f->s, NULL, "person", &id), HEARTH_OK);
	assert_int_equal(hearth_audit_append(f->s, "person.add", &id, NULL), HEARTH_OK);
	assert_int_equal(hearth_store_commit(f->s), HEARTH_OK);
	assert_intact(f, 6);
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(hearth_audit_append(f->s, NULL, NULL, NULL), HEARTH_EINVAL);
	assert_int_equal(hearth_audit_append(f->s, "", NULL, NULL), HEARTH_EINVAL);
	assert_int_equal(hearth_audit_append(NULL, "report", NULL, NULL), HEARTH_EINVAL);
	assert_int_equal(hearth_audit_verify(NULL, NULL), HEARTH_EINVAL);
	assert_intact(f, 0);
}

static void rm_vault(const char *dir)
{
	static const char *const files[] = {
		"vault.json", "hearth.id", "hearth.db", "hearth.db-wal", "hearth.db-shm",
		"hearth.db-journal",
	};
	char path[256];

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

/* The log lives in the encrypted vault: it survives closing and opening,
 * and a deletion made behind Hearth's back (raw SQL on the vault's own
 * connection) is found after the vault is opened again. */
static void test_vault_log_survives_and_shows_deletion(void **state)
{
	static const char pass[] = "correct horse battery";
	char dir[] = "/tmp/hearth-test-audit-XXXXXX";
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_kdf_params low = hearth_kdf_params_low();
	hearth_vault_options opt = { .kdf = &low };
	hearth_vault *v = NULL;
	hearth_store *s;
	int64_t n = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(hearth_vault_create(dir, pass, strlen(pass), &opt, code, &v), HEARTH_OK);
	s = hearth_vault_store(v);
	for (int i = 0; i < 10; i++)
		assert_int_equal(hearth_audit_append(s, "person.show", NULL, NULL), HEARTH_OK);
	hearth_vault_close(v);

	assert_int_equal(hearth_vault_open(dir, pass, strlen(pass), NULL, &v), HEARTH_OK);
	s = hearth_vault_store(v);
	assert_int_equal(hearth_audit_verify(s, &n), HEARTH_OK);
	assert_true(n >= 10);
	assert_int_equal(sqlite3_exec(hearth_vault_db(v), "DELETE FROM audit WHERE seq = 4",
				      NULL, NULL, NULL), SQLITE_OK);
	hearth_vault_close(v);

	assert_int_equal(hearth_vault_open(dir, pass, strlen(pass), NULL, &v), HEARTH_OK);
	s = hearth_vault_store(v);
	assert_int_equal(hearth_audit_verify(s, &n), HEARTH_EDAMAGED);
	assert_non_null(strstr(hearth_errdetail(), "audit log broken at entry 4:"));
	hearth_vault_close(v);
	rm_vault(dir);
}

int main(void)
{
	const char *env = getenv("HEARTH_TEST_SEED");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_log_is_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_appends_stay_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_lists_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_entry_is_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_first_entry_is_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_altered_entry_is_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_detail_differs_from_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swapped_entries_are_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swapped_contents_are_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cut_tail_is_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_head_is_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_extra_entry_is_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rolled_back_entry_leaves_chain_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test(test_vault_log_survives_and_shows_deletion),
	};

	seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
	printf("# test_audit seed %u (set HEARTH_TEST_SEED to repeat)\n", seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
