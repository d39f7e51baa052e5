/*
 * test_schema.c - forward migrations: from every earlier version to the
 * latest with the data written at each version kept, refusal of a newer
 * database, and a failing migration leaving the last good version.
 *
 * When a migration is appended: if it changes tables that seed_sql[] of an
 * earlier version writes, that seed still runs at its own version (which is
 * the point: old data must survive); add a seed_sql/check pair for the new
 * version if it adds tables of its own, and a conflicting object to
 * conflict_sql[] so its failure path is covered too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hearth/schema.h"
#include "hearth/store.h"
#include "hearth/sync.h"

#include "../sync/db_private.h"

#define OK(call) do { \
	hearth_status st_ = (call); \
	if (st_ != HEARTH_OK) \
		fail_msg("%s: %s (%s)", #call, hearth_strerror(st_), hearth_errdetail()); \
} while (0)

#define MAX_VERSIONS 64

/* Data written by a database at version v, in that version's schema:
 * a device, its private space and clock, one record with a field, a
 * cleared field, and their ops. */
static const char seed_v1[] =
	"INSERT INTO meta(key,value) VALUES"
	" ('device', x'00000000000000a1'),"
	" ('private_space', x'5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a'),"
	" ('clock', x'018bcfe56800000700000000000000a1');"
	"INSERT INTO record(id,space,kind,created,deleted) VALUES"
	" (x'11111111111111111111111111111111', x'5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a',"
	"  'person', x'018bcfe56800000000000000000000a1', 0);"
	"INSERT INTO field(record,name,value,hlc) VALUES"
	" (x'11111111111111111111111111111111', '_kind', 'person',"
	"  x'018bcfe56800000000000000000000a1'),"
	" (x'11111111111111111111111111111111', 'name', '李明',"
	"  x'018bcfe56800000100000000000000a1'),"
	" (x'11111111111111111111111111111111', 'phone', NULL,"
	"  x'018bcfe56800000300000000000000a1');"
	"INSERT INTO op(hlc,device,space,record,kind,field,value) VALUES"
	" (x'018bcfe56800000000000000000000a1', 161, x'5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a',"
	"  x'11111111111111111111111111111111', 'person', '_kind', 'person'),"
	" (x'018bcfe56800000100000000000000a1', 161, x'5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a',"
	"  x'11111111111111111111111111111111', 'person', 'name', '李明'),"
	" (x'018bcfe56800000200000000000000a1', 161, x'5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a',"
	"  x'11111111111111111111111111111111', 'person', 'phone', '123'),"
	" (x'018bcfe56800000300000000000000a1', 161, x'5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a',"
	"  x'11111111111111111111111111111111', 'person', 'phone', NULL);";

static uint64_t fake_now(void *ctx)
{
	return *(const uint64_t *)ctx;
}

/* The ops of one device as hearth_store_ops lists them, copied. */
struct oplist {
	size_t n;
	uint64_t seq[16];
	hearth_op op[16];
	char text[16][3][32];
	hearth_op_id prev[16][2];
};

static int collect(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		   void *ctx)
{
	struct oplist *l = ctx;
	hearth_op *o = &l->op[l->n];

	(void)arrival;
	assert_int_equal(state, HEARTH_OP_APPLIED);
	assert_true(l->n < 16 && op->nprev <= 2);
	*o = *op;
	snprintf(l->text[l->n][0], 32, "%s", op->kind);
	snprintf(l->text[l->n][1], 32, "%s", op->field);
	snprintf(l->text[l->n][2], 32, "%s", op->value ? op->value : "");
	o->kind = l->text[l->n][0];
	o->field = l->text[l->n][1];
	o->value = op->value ? l->text[l->n][2] : NULL;
	if (op->nprev > 0)
		memcpy(l->prev[l->n], op->prev, op->nprev * sizeof *op->prev);
	o->prev = l->prev[l->n];
	l->seq[l->n++] = op->id.seq;
	return 0;
}

static char *dump(hearth_store *s)
{
	char *d = NULL;

	OK(hearth_store_dump(s, &d, NULL));
	return d;
}

/* Checks, through the store API at the latest version, that seed_v1's
 * data is all there, that its ops got ids, hashes and replaced values a
 * receiver accepts, and that a new store fed them ends up identical. */
static void check_v1(sqlite3 *db)
{
	uint64_t now = UINT64_C(1600000000000); /* before the stored clock */
	hearth_store_options opt = { .now = fake_now, .now_ctx = &now };
	hearth_store *s = NULL, *fresh = NULL;
	hearth_record *r = NULL;
	hearth_id id, space;
	struct oplist l;
	sqlite3 *db2 = NULL;
	char *d1, *d2;
	size_t i, deferred;

	OK(hearth_store_open(db, &opt, &s));
	assert_int_equal(hearth_store_device(s), 0xa1);
	space = hearth_store_private_space(s);
	assert_int_equal(space.b[0], 0x5a);
	OK(hearth_id_from_hex(&id, "11111111111111111111111111111111"));
	OK(hearth_record_load(s, &id, &r));
	assert_string_equal(r->kind, "person");
	assert_string_equal(hearth_record_field(r, "name"), "李明");
	assert_null(hearth_record_field(r, "phone"));
	hearth_record_free(r);

	/* Dense ids in HLC order; each op replaces the one before it on its
	 * field; hashes that verify. */
	memset(&l, 0, sizeof l);
	OK(hearth_store_ops(s, 0xa1, 1, 0, collect, &l));
	assert_int_equal(l.n, 4);
	for (i = 0; i < 4; i++) {
		hearth_op copy = l.op[i];

		assert_int_equal(l.seq[i], i + 1);
		hearth_op_seal(&copy);
		assert_memory_equal(copy.hash, l.op[i].hash, HEARTH_OP_HASH_BYTES);
	}
	assert_int_equal(l.op[0].nprev, 0);
	assert_int_equal(l.op[2].nprev, 0);
	assert_int_equal(l.op[3].nprev, 1);
	assert_int_equal(l.op[3].prev[0].device, 0xa1);
	assert_int_equal(l.op[3].prev[0].seq, 3);

	/* A new vault that receives them converges with the migrated one. */
	assert_int_equal(sqlite3_open(":memory:", &db2), SQLITE_OK);
	OK(hearth_schema_migrate(db2, hearth_schema_latest()));
	OK(hearth_store_open(db2, NULL, &fresh)); /* the real clock: the ops are old */
	OK(hearth_store_apply(fresh, l.op, l.n, &deferred));
	assert_int_equal(deferred, 0);
	d1 = dump(s);
	d2 = dump(fresh);
	assert_string_equal(d1, d2);
	free(d1);
	free(d2);
	hearth_store_close(fresh);
	sqlite3_close(db2);

	/* The stored clock carries on, and so do the seqs. */
	OK(hearth_record_set(s, &id, "unit", "Depot 2"));
	memset(&l, 0, sizeof l);
	OK(hearth_store_ops(s, 0xa1, 5, 0, collect, &l));
	assert_int_equal(l.n, 1);
	assert_true(hearth_hlc_cmp(&l.op[0].hlc,
		&(hearth_hlc){ { 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, 0x00, 0x07 } }) > 0);
	hearth_store_close(s);
}

/* Written at version 3: an op of device 0xb2 that waits (state 2) for the
 * creating op of its record, which has not come. */
static const char seed_v3[] =
	"INSERT INTO op(device,seq,hlc,hash,space,record,kind,field,value,prev,state)"
	" VALUES (178, 1, x'018bcfe56800000100000000000000b2',"
	"  zeroblob(32), x'5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a',"
	"  x'33333333333333333333333333333333', 'person', 'name', '王芳', NULL, 2);";

static long count_sql(sqlite3 *db, const char *sql);

static int note_state(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		      void *ctx)
{
	(void)op;
	(void)arrival;
	*(int *)ctx = (int)state;
	return 0;
}

/* seed_v3's op still waits after the move of waiting ops to op_wait
 * (version 5), and merges when its record's creating op comes. */
static void check_v3(sqlite3 *db)
{
	hearth_store *s = NULL;
	hearth_record *r = NULL;
	hearth_op create;
	hearth_id id;
	size_t n, deferred;
	int state = -1;

	assert_int_equal(count_sql(db, "SELECT count(*) FROM op WHERE state = 2"), 0);
	OK(hearth_store_open(db, NULL, &s)); /* the real clock: the ops are old */
	OK(hearth_store_pending_count(s, &n));
	assert_int_equal(n, 1);
	OK(hearth_store_ops(s, 0xb2, 1, 0, note_state, &state));
	assert_int_equal(state, HEARTH_OP_ORPHAN);
	OK(hearth_id_from_hex(&id, "33333333333333333333333333333333"));
	assert_int_equal(hearth_record_load(s, &id, &r), HEARTH_ENOTFOUND);

	memset(&create, 0, sizeof create);
	create.id.device = 0xb2;
	create.id.seq = 2;
	create.hlc = hearth_hlc_make(UINT64_C(0x018bcfe56800), 2, 0xb2);
	memset(create.space.b, 0x5a, sizeof create.space.b);
	create.record = id;
	create.kind = "person";
	create.field = "_kind"; /* a creating op (docs/protocol.md) */
	create.value = "person";
	hearth_op_seal(&create);
	OK(hearth_store_apply(s, &create, 1, &deferred));
	assert_int_equal(deferred, 0);
	OK(hearth_store_pending_count(s, &n));
	assert_int_equal(n, 0);
	OK(hearth_store_ops(s, 0xb2, 1, 1, note_state, &state));
	assert_int_equal(state, HEARTH_OP_APPLIED);
	OK(hearth_record_load(s, &id, &r));
	assert_string_equal(hearth_record_field(r, "name"), "王芳");
	hearth_record_free(r);
	hearth_store_close(s);
}

/* Written at version 6 (relay_sync's first): a relay's state for a space
 * with the English problem of its last sync, and one for another space
 * with none. */
static const char seed_v6[] =
	"INSERT INTO relay_sync(relay,space,store,cursor,pushed,max_seq,count,synced_at,problem)"
	" VALUES ('https://relay.example', x'5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a',"
	"  x'0102030405060708090a0b0c0d0e0f10', 7, 5, 9, 9, 1700000000,"
	"  'the relay refused the push: forbidden'),"
	" ('https://relay.example', x'6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b',"
	"  NULL, 3, 2, 3, 3, 1700000100, NULL);";

/* seed_v6's rows survive the migration to version 9 (problem kinds):
 * the problem kept before gets the kind OTHER, shown with its English
 * text; the row without a problem none; the rest as it was. */
static void check_v6(sqlite3 *db)
{
	hearth_store *s = NULL;
	hearth_sync_relay_state rs;
	hearth_id space;
	int found;

	OK(hearth_store_open(db, NULL, &s));
	memset(space.b, 0x5a, sizeof space.b);
	OK(hearth_sync_relay_get(s, "https://relay.example", &space, &rs, &found));
	assert_true(found);
	assert_true(rs.has_store);
	assert_int_equal(rs.store[15], 0x10);
	assert_int_equal(rs.cursor, 7);
	assert_int_equal(rs.pushed, 5);
	assert_int_equal(rs.synced_at, 1700000000);
	assert_string_equal(rs.problem, "the relay refused the push: forbidden");
	assert_int_equal(rs.problem_kind, HEARTH_SYNC_PROBLEM_OTHER);
	assert_true(hearth_sync_problem_local(rs.problem_kind)[0] != '\0');
	memset(space.b, 0x6b, sizeof space.b);
	OK(hearth_sync_relay_get(s, "https://relay.example", &space, &rs, &found));
	assert_true(found);
	assert_false(rs.has_store);
	assert_int_equal(rs.cursor, 3);
	assert_string_equal(rs.problem, "");
	assert_int_equal(rs.problem_kind, HEARTH_SYNC_PROBLEM_NONE);
	/* A kind written now reads back. */
	rs.problem_kind = HEARTH_SYNC_PROBLEM_LEFT_OUT;
	snprintf(rs.problem, sizeof rs.problem, "%s", "envelope 0011 left out");
	OK(hearth_sync_relay_put(s, "https://relay.example", &space, &rs));
	memset(&rs, 0, sizeof rs);
	OK(hearth_sync_relay_get(s, "https://relay.example", &space, &rs, &found));
	assert_int_equal(rs.problem_kind, HEARTH_SYNC_PROBLEM_LEFT_OUT);
	assert_string_equal(rs.problem, "envelope 0011 left out");
	hearth_store_close(s);
	/* Stored by its stable name; one this build does not know (a newer
	 * build's) reads as OTHER. */
	assert_int_equal(count_sql(db, "SELECT count(*) FROM relay_sync"
				   " WHERE problem_kind = 'left_out'"), 1);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM relay_sync"
				   " WHERE problem_kind = 'other'"), 1);
	assert_int_equal(sqlite3_exec(db, "UPDATE relay_sync SET problem_kind = 'moon_phase'"
				      " WHERE problem_kind = 'left_out'", NULL, NULL, NULL),
			 SQLITE_OK);
	OK(hearth_store_open(db, NULL, &s));
	OK(hearth_sync_relay_get(s, "https://relay.example", &space, &rs, &found));
	assert_int_equal(rs.problem_kind, HEARTH_SYNC_PROBLEM_OTHER);
	hearth_store_close(s);
}

typedef void (*check_fn)(sqlite3 *db);

/* Indexed by the version at which the data is written. */
static const char *seed_sql[MAX_VERSIONS] = { [1] = seed_v1, [3] = seed_v3, [6] = seed_v6 };
static const check_fn checks[MAX_VERSIONS] = { [1] = check_v1, [3] = check_v3,
					       [6] = check_v6 };

/* A table that migration v creates: made beforehand, it makes v fail. */
static const char *conflict_table[MAX_VERSIONS] = {
	[1] = "op",
	[2] = "audit",
	[3] = "field_alt",
	[4] = "envelope",
	[5] = "op_wait",
	[6] = "envelope_fp",
	[7] = "op_control",
};

/* For a migration that adds a column rather than a table: SQL that makes
 * it fail (the column there already), and SQL that takes it away again. */
static const char *const conflict_sql[MAX_VERSIONS][2] = {
	[9] = { "ALTER TABLE relay_sync ADD COLUMN problem_kind",
		 "ALTER TABLE relay_sync DROP COLUMN problem_kind" },
};

static sqlite3 *open_mem(void)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	return db;
}

static long count_sql(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_fresh_database(void **state)
{
	sqlite3 *db = open_mem();
	hearth_store *s = NULL;

	(void)state;
	assert_true(hearth_schema_latest() >= 1);
	assert_true(hearth_schema_latest() < MAX_VERSIONS);
	assert_int_equal(hearth_schema_version(db), 0);
	OK(hearth_schema_migrate(db, hearth_schema_latest()));
	assert_int_equal(hearth_schema_version(db), hearth_schema_latest());
	/* Migrating again is a no-op. */
	OK(hearth_schema_migrate(db, hearth_schema_latest()));
	OK(hearth_store_open(db, NULL, &s));
	hearth_store_close(s);
	sqlite3_close(db);
}

static void test_from_every_version(void **state)
{
	int latest = hearth_schema_latest(), start, v;

	(void)state;
	for (start = 0; start < latest; start++) {
		sqlite3 *db = open_mem();

		/* Build the database as a build at version `start` would
		 * have left it: each version's data written in its turn. */
		for (v = 1; v <= start; v++) {
			OK(hearth_schema_migrate(db, v));
			assert_int_equal(hearth_schema_version(db), v);
			if (seed_sql[v] != NULL &&
			    sqlite3_exec(db, seed_sql[v], NULL, NULL, NULL) != SQLITE_OK)
				fail_msg("seed of version %d: %s", v, sqlite3_errmsg(db));
		}
		assert_int_equal(hearth_schema_version(db), start);
		OK(hearth_schema_migrate(db, latest));
		assert_int_equal(hearth_schema_version(db), latest);
		for (v = 1; v <= start; v++)
			if (checks[v] != NULL)
				checks[v](db);
		sqlite3_close(db);
	}
	/* And the data of the latest version itself survives a reopen. */
	{
		sqlite3 *db = open_mem();

		for (v = 1; v <= latest; v++) {
			OK(hearth_schema_migrate(db, v));
			if (seed_sql[v] != NULL)
				assert_int_equal(sqlite3_exec(db, seed_sql[v], NULL, NULL, NULL),
					SQLITE_OK);
		}
		OK(hearth_schema_migrate(db, latest));
		for (v = 1; v <= latest; v++)
			if (checks[v] != NULL)
				checks[v](db);
		sqlite3_close(db);
	}
}

static void test_newer_database_refused(void **state)
{
	sqlite3 *db = open_mem();
	char sql[64];
	int newer = hearth_schema_latest() + 1;

	(void)state;
	snprintf(sql, sizeof sql, "PRAGMA user_version=%d", newer);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE future(x); "
		"INSERT INTO future VALUES (42);", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(hearth_schema_migrate(db, hearth_schema_latest()), HEARTH_ENEWER);
	assert_non_null(strstr(hearth_errdetail(), "newer"));
	/* Left exactly as it was. */
	assert_int_equal(hearth_schema_version(db), newer);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM sqlite_master"), 1);
	assert_int_equal(count_sql(db, "SELECT x FROM future"), 42);
	/* The store refuses it too. */
	{
		hearth_store *s = NULL;

		assert_int_equal(hearth_store_open(db, NULL, &s), HEARTH_ENEWER);
		assert_null(s);
	}
	sqlite3_close(db);
}

static void test_failing_migration_keeps_previous_version(void **state)
{
	int latest = hearth_schema_latest(), v, tested = 0;

	(void)state;
	for (v = 1; v <= latest; v++) {
		sqlite3 *db;
		char sql[128];
		long objects;

		if (conflict_table[v] == NULL && conflict_sql[v][0] == NULL)
			continue;
		db = open_mem();
		OK(hearth_schema_migrate(db, v - 1));
		if (conflict_table[v] != NULL)
			snprintf(sql, sizeof sql, "CREATE TABLE %s(x)", conflict_table[v]);
		else
			snprintf(sql, sizeof sql, "%s", conflict_sql[v][0]);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		objects = count_sql(db, "SELECT count(*) FROM sqlite_master");
		assert_int_equal(hearth_schema_migrate(db, latest), HEARTH_EDB);
		assert_non_null(strstr(hearth_errdetail(), "schema migration"));
		/* Nothing of the failed migration remains. */
		assert_int_equal(hearth_schema_version(db), v - 1);
		assert_int_equal(count_sql(db, "SELECT count(*) FROM sqlite_master"), objects);
		assert_int_equal(sqlite3_get_autocommit(db), 1);
		/* Removing the obstacle lets it through. */
		if (conflict_table[v] != NULL)
			snprintf(sql, sizeof sql, "DROP TABLE %s", conflict_table[v]);
		else
			snprintf(sql, sizeof sql, "%s", conflict_sql[v][1]);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		OK(hearth_schema_migrate(db, latest));
		assert_int_equal(hearth_schema_version(db), latest);
		sqlite3_close(db);
		tested++;
	}
	assert_true(tested >= 1);
}

static void test_bad_target(void **state)
{
	sqlite3 *db = open_mem();

	(void)state;
	assert_int_equal(hearth_schema_migrate(db, hearth_schema_latest() + 1), HEARTH_EINVAL);
	assert_int_equal(hearth_schema_migrate(db, -1), HEARTH_EINVAL);
	assert_int_equal(hearth_schema_version(db), 0);
	sqlite3_close(db);
}

/* A space's control-plane ops are found through the op_control index
 * (the query of hearth_space_load, sync/space.c), not by a scan of the
 * whole op log. */
static void test_space_load_uses_index(void **state)
{
	sqlite3 *db = open_mem();
	sqlite3_stmt *q;
	int used = 0;

	(void)state;
	assert_int_equal(hearth_schema_migrate(db, hearth_schema_latest()), HEARTH_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT device, seq, hlc, "
		"hash, record, kind, field, value FROM op WHERE space = ?1 AND "
		HEARTH_OP_CONTROL_WHERE " AND state < 4", -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW)
		used |= strstr((const char *)sqlite3_column_text(q, 3), "op_control") != NULL;
	sqlite3_finalize(q);
	sqlite3_close(db);
	assert_true(used);
}

/* Writing an op builds no temporary B-tree (version 7's op_control, an IN
 * list, made one for every op: a quarter of a merge's instructions).
 * Each INSERT into op is compiled and its program read: no
 * OpenEphemeral. */
static void test_op_insert_no_temp_btree(void **state)
{
	sqlite3 *db = open_mem();
	sqlite3_stmt *q;
	int ephemeral = 0, steps = 0;

	(void)state;
	assert_int_equal(hearth_schema_migrate(db, hearth_schema_latest()), HEARTH_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "EXPLAIN INSERT INTO op(device, seq, hlc, "
		"hash, space, record, kind, field, value, prev, state) "
		"VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0)", -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW) {
		ephemeral |= strcmp((const char *)sqlite3_column_text(q, 1), "OpenEphemeral") == 0;
		steps++;
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
	assert_true(steps > 10);
	assert_false(ephemeral);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_database),
		cmocka_unit_test(test_from_every_version),
		cmocka_unit_test(test_newer_database_refused),
		cmocka_unit_test(test_failing_migration_keeps_previous_version),
		cmocka_unit_test(test_bad_target),
		cmocka_unit_test(test_space_load_uses_index),
		cmocka_unit_test(test_op_insert_no_temp_btree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
