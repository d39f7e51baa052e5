/*
 * schema.c - forward-only migrations of the vault database.
 *
 * To change the schema, append a migration to the table below; never edit
 * one that has shipped.  tests/test_schema.c builds a database at every
 * earlier version and migrates it to the latest.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "db_private.h"
#include "hearth/schema.h"

#include "op_private.h"
#include "sync_private.h"

/*
 * Version 1: the record store.
 *
 * meta        small key/value facts of this database: device id, private
 *             space id, the clock's last timestamp.
 * record      one row per record: its space, kind, first-seen HLC and
 *             whether it is tombstoned (a projection of field "_deleted").
 * field       the winning value of each field (last-writer-wins), with the
 *             HLC of the op that set it.  A cleared field has value NULL
 *             but keeps its row, so an older op cannot resurrect it.
 * op          the op log: every op applied here, local or remote, keyed by
 *             HLC (which grows with time on each device, so local appends
 *             go to the end of the B-tree).
 * op_pending  remote ops too far in the future, kept aside.
 */
static const char migration_1[] =
	"CREATE TABLE meta("
	"  key TEXT PRIMARY KEY,"
	"  value BLOB NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE record("
	"  id BLOB PRIMARY KEY,"
	"  space BLOB NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  created BLOB NOT NULL,"
	"  deleted INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;"
	"CREATE INDEX record_kind ON record(kind, deleted, created);"
	"CREATE TABLE field("
	"  record BLOB NOT NULL,"
	"  name TEXT NOT NULL,"
	"  value TEXT,"
	"  hlc BLOB NOT NULL,"
	"  PRIMARY KEY(record, name)"
	") WITHOUT ROWID;"
	"CREATE INDEX field_name_value ON field(name, value);"
	"CREATE TABLE op("
	"  hlc BLOB PRIMARY KEY,"
	"  device INTEGER NOT NULL,"
	"  space BLOB NOT NULL,"
	"  record BLOB NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  field TEXT NOT NULL,"
	"  value TEXT"
	") WITHOUT ROWID;"
	"CREATE INDEX op_device ON op(device, hlc);"
	"CREATE TABLE op_pending("
	"  hlc BLOB PRIMARY KEY,"
	"  device INTEGER NOT NULL,"
	"  space BLOB NOT NULL,"
	"  record BLOB NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  field TEXT NOT NULL,"
	"  value TEXT"
	") WITHOUT ROWID;";

/*
 * Version 2: the audit log (see hearth/audit.h).  Local to this device:
 * never synchronised, so it is a plain table, not records and ops.
 */
static const char migration_2[] =
	"CREATE TABLE audit("
	"  seq INTEGER PRIMARY KEY,"
	"  at_ms INTEGER NOT NULL,"
	"  action TEXT NOT NULL,"
	"  subject BLOB,"
	"  detail TEXT,"
	"  prev BLOB NOT NULL,"
	"  hash BLOB NOT NULL"
	");";

/*
 * Version 3: ops get an identity a receiver can check (docs/protocol.md).
 *
 * op           the op log, one row per op held: its id (device, seq: dense
 *              per device), HLC, content hash, the values it replaces
 *              (prev), and what became of it (state: 0 applied, 1 kept
 *              aside as too far ahead, 2 waiting for its record's creating
 *              op, 3 quarantined, with a reason).  The rowid is the local
 *              arrival number, the cursor transports page by.  op_pending
 *              is folded in (state 1).
 * field        gains the winner's op id and whether the winner is live (no
 *              held op replaces it).
 * field_alt    live values of a field other than its winner: concurrent
 *              writes, kept until a write that saw them replaces them.
 * replaced     op ids a held op on field (record, name) replaces that had
 *              not arrived then: they are never live on that field.
 * op_conflict  ops that reuse a held id with other content.
 * device_move  each time this vault moved to a new device id, and why.
 *
 * Old op logs are rewritten: each device's ops get seq 1, 2, ... in HLC
 * order, each op replaces the previous op on its field, and hashes are
 * computed; arrival follows HLC order.
 */
/* What an op says, as columns of the tables that hold ops. */
#define OP_CONTENT_COLUMNS \
	"  space BLOB NOT NULL," \
	"  record BLOB NOT NULL," \
	"  kind TEXT NOT NULL," \
	"  field TEXT NOT NULL," \
	"  value TEXT," \
	"  prev BLOB,"

static const char migration_3_sql[] =
	"CREATE TABLE op3("
	"  arrival INTEGER PRIMARY KEY,"
	"  device INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  hlc BLOB NOT NULL,"
	"  hash BLOB NOT NULL DEFAULT x'',"
	OP_CONTENT_COLUMNS
	"  state INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT"
	");"
	"INSERT INTO op3(device,seq,hlc,space,record,kind,field,value,state) "
	"  SELECT device, row_number() OVER (PARTITION BY device ORDER BY hlc),"
	"    hlc, space, record, kind, field, value, st FROM ("
	"    SELECT hlc, device, space, record, kind, field, value, 0 AS st FROM op"
	"    UNION ALL SELECT hlc, device, space, record, kind, field, value, 1"
	"    FROM op_pending WHERE hlc NOT IN (SELECT hlc FROM op))"
	"  ORDER BY hlc;"
	"CREATE TEMP TABLE op3_prev(arrival INTEGER PRIMARY KEY, pd, ps);"
	"INSERT INTO op3_prev SELECT arrival,"
	"  lag(device) OVER w, lag(seq) OVER w FROM op3 WHERE state = 0"
	"  WINDOW w AS (PARTITION BY record, field ORDER BY hlc);"
	"UPDATE op3 SET prev = (SELECT hearth_op_id(pd, ps) FROM op3_prev p"
	"  WHERE p.arrival = op3.arrival AND p.pd IS NOT NULL);"
	"DROP TABLE op3_prev;"
	"UPDATE op3 SET hash = hearth_op_hash(device, seq, hlc, space, record,"
	"  kind, field, value, prev);"
	"CREATE TABLE field3("
	"  record BLOB NOT NULL,"
	"  name TEXT NOT NULL,"
	"  value TEXT,"
	"  hlc BLOB NOT NULL,"
	"  device INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  live INTEGER NOT NULL DEFAULT 1,"
	"  PRIMARY KEY(record, name)"
	") WITHOUT ROWID;"
	"CREATE INDEX op3_hlc ON op3(hlc);"
	"INSERT OR IGNORE INTO field3 SELECT f.record, f.name, f.value, f.hlc,"
	"  coalesce(o.device, 0), coalesce(o.seq, 0), 1 FROM field f"
	"  LEFT JOIN op3 o ON o.hlc = f.hlc AND o.record = f.record AND o.field = f.name;"
	"DROP INDEX op3_hlc;"
	"DROP TABLE op;"
	"DROP TABLE op_pending;"
	"DROP TABLE field;"
	"ALTER TABLE op3 RENAME TO op;"
	"ALTER TABLE field3 RENAME TO field;"
	"CREATE UNIQUE INDEX op_id ON op(device, seq);"
	"CREATE INDEX op_waiting ON op(record) WHERE state = 2;"
	"CREATE INDEX op_future ON op(hlc) WHERE state = 1;"
	"CREATE INDEX field_name_value ON field(name, value);"
	"CREATE TABLE field_alt("
	"  record BLOB NOT NULL,"
	"  name TEXT NOT NULL,"
	"  device INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  hlc BLOB NOT NULL,"
	"  PRIMARY KEY(record, name, device, seq)"
	") WITHOUT ROWID;"
	"CREATE TABLE replaced("
	"  record BLOB NOT NULL,"
	"  name TEXT NOT NULL,"
	"  device INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  PRIMARY KEY(device, seq, record, name)"
	") WITHOUT ROWID;"
	"CREATE TABLE op_conflict("
	"  hash BLOB PRIMARY KEY,"
	"  device INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  hlc BLOB NOT NULL,"
	OP_CONTENT_COLUMNS
	"  reason TEXT NOT NULL"
	");"
	"CREATE TABLE device_move("
	"  n INTEGER PRIMARY KEY,"
	"  old INTEGER NOT NULL,"
	"  new INTEGER NOT NULL,"
	"  reason TEXT NOT NULL"
	");";

/* hearth_op_id(device, seq): the 16-byte form of an op id in column prev. */
static void sql_op_id(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	hearth_op_id id;
	uint8_t b[16];

	(void)argc;
	id.device = (uint64_t)sqlite3_value_int64(argv[0]);
	id.seq = (uint64_t)sqlite3_value_int64(argv[1]);
	hearth_op_prev_encode(&id, 1, b);
	sqlite3_result_blob(cx, b, sizeof b, SQLITE_TRANSIENT);
}

static void copy_blob(sqlite3_value *v, void *out, size_t n)
{
	memset(out, 0, n);
	if (sqlite3_value_type(v) == SQLITE_BLOB && (size_t)sqlite3_value_bytes(v) == n)
		memcpy(out, sqlite3_value_blob(v), n);
}

/* hearth_op_hash(device, seq, hlc, space, record, kind, field, value, prev) */
static void sql_op_hash(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	hearth_op_id prev[HEARTH_OP_PREV_MAX];
	hearth_op op;
	size_t n = 0;

	(void)argc;
	memset(&op, 0, sizeof op);
	op.id.device = (uint64_t)sqlite3_value_int64(argv[0]);
	op.id.seq = (uint64_t)sqlite3_value_int64(argv[1]);
	copy_blob(argv[2], op.hlc.b, sizeof op.hlc.b);
	copy_blob(argv[3], op.space.b, sizeof op.space.b);
	copy_blob(argv[4], op.record.b, sizeof op.record.b);
	op.kind = (const char *)sqlite3_value_text(argv[5]);
	op.field = (const char *)sqlite3_value_text(argv[6]);
	op.value = (const char *)sqlite3_value_text(argv[7]);
	if (sqlite3_value_type(argv[8]) == SQLITE_BLOB)
		n = hearth_op_prev_decode(sqlite3_value_blob(argv[8]),
			(size_t)sqlite3_value_bytes(argv[8]), prev, HEARTH_OP_PREV_MAX);
	if (op.kind == NULL || op.field == NULL || n == (size_t)-1) {
		sqlite3_result_error(cx, "malformed op in the old op log", -1);
		return;
	}
	op.prev = prev;
	op.nprev = n;
	hearth_op_seal(&op);
	sqlite3_result_blob(cx, op.hash, sizeof op.hash, SQLITE_TRANSIENT);
}

static hearth_status exec(sqlite3 *db, const char *sql, int version);

static hearth_status migrate_3(sqlite3 *db)
{
	hearth_status st;
	int rc;

	rc = sqlite3_create_function(db, "hearth_op_id", 2, SQLITE_UTF8, NULL,
				     sql_op_id, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "hearth_op_hash", 9, SQLITE_UTF8,
					     NULL, sql_op_hash, NULL, NULL);
	if (rc != SQLITE_OK)
		return hearth_fail(HEARTH_EDB, "schema migration to version %d failed: %s",
				   3, sqlite3_errmsg(db));
	st = exec(db, migration_3_sql, 3);
	sqlite3_create_function(db, "hearth_op_id", 2, SQLITE_UTF8, NULL, NULL, NULL, NULL);
	sqlite3_create_function(db, "hearth_op_hash", 9, SQLITE_UTF8, NULL, NULL, NULL, NULL);
	return st;
}

/*
 * Version 4: kept envelopes (sync/sync.c, docs/protocol.md §10).
 *
 * envelope  every envelope received or sealed here, by id, with its
 *           header, its bytes and its state (0 opened or sealed here:
 *           forwarded; 1 kept aside, its author not yet known to write;
 *           2 refused, with the reason).  arrival numbers them in the
 *           order they were kept: the cursor of `hearth sync export`.
 * sealed    per space and device of this vault, the greatest seq sealed
 *           into an envelope: its ops of the space up to it are sealed.
 */
static const char migration_4[] =
	"CREATE TABLE envelope("
	"  arrival INTEGER PRIMARY KEY,"
	"  id BLOB NOT NULL UNIQUE,"
	"  space BLOB NOT NULL,"
	"  epoch INTEGER NOT NULL,"
	"  device INTEGER NOT NULL,"
	"  first INTEGER NOT NULL,"
	"  last INTEGER NOT NULL,"
	"  state INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT,"
	"  bytes BLOB NOT NULL"
	");"
	"CREATE INDEX envelope_space ON envelope(space, state, arrival);"
	"CREATE TABLE sealed("
	"  space BLOB NOT NULL,"
	"  device INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  PRIMARY KEY(space, device)"
	") WITHOUT ROWID;";

/*
 * Version 5: the ops waiting for their record's creating op are listed in
 * op_wait (record, arrival), clustered by record, instead of by state 2 in
 * their op row.  Releasing them then writes a few pages of op_wait rather
 * than rewriting each op row, wherever in the log it lies (with ops
 * arriving in random order that doubled the pages each merge wrote; see
 * docs/BENCHMARKS.md).  A waiting op's row says state 0; its state is 2
 * while op_wait lists it.
 */
static const char migration_5[] =
	"CREATE TABLE op_wait("
	"  record BLOB NOT NULL,"
	"  arrival INTEGER NOT NULL,"
	"  PRIMARY KEY(record, arrival)"
	") WITHOUT ROWID;"
	"INSERT INTO op_wait SELECT record, arrival FROM op WHERE state = 2;"
	"UPDATE op SET state = 0 WHERE state = 2;"
	"DROP INDEX op_waiting;";

/*
 * Version 6: what a device needs to sync through a relay (sync/sync.c,
 * docs/protocol.md §14).
 *
 * envelope_fp  per space and bucket (an envelope id's first byte) the
 *              fingerprint (hearth/reconcile.h) of the ids of the
 *              envelopes kept opened, sealed or aside here: count and a
 *              256-bit sum, little-endian.  Kept in the same transaction
 *              as each envelope, so "am I in sync with the relay?" costs
 *              one read, not a pass over every envelope.  Filled here from
 *              the envelopes kept before.
 * relay_sync   per relay (its URL) and space, what the last sync saw:
 *              the relay store's instance, the cursor (the relay's
 *              sequence pulled up to), the local arrival pushed up to, the
 *              relay's max_seq and count, when, and the last problem.
 */
static const char migration_6_sql[] =
	"CREATE TABLE envelope_fp("
	"  space BLOB NOT NULL,"
	"  bucket INTEGER NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  sum BLOB NOT NULL,"
	"  PRIMARY KEY(space, bucket)"
	") WITHOUT ROWID;"
	"CREATE TABLE relay_sync("
	"  relay TEXT NOT NULL,"
	"  space BLOB NOT NULL,"
	"  store BLOB,"
	"  cursor INTEGER NOT NULL DEFAULT 0,"
	"  pushed INTEGER NOT NULL DEFAULT 0,"
	"  max_seq INTEGER NOT NULL DEFAULT 0,"
	"  count INTEGER NOT NULL DEFAULT 0,"
	"  synced_at INTEGER NOT NULL DEFAULT 0,"
	"  problem TEXT,"
	"  PRIMARY KEY(relay, space)"
	") WITHOUT ROWID;";

static hearth_status migrate_6(sqlite3 *db)
{
	hearth_status st = exec(db, migration_6_sql, 6);

	if (st == HEARTH_OK && hearth_sync_fp_rebuild(db) != HEARTH_OK)
		st = hearth_fail(HEARTH_EDB, "schema migration to version %d failed: %s",
				 6, hearth_errdetail());
	return st;
}

/*
 * Version 7: each space's control-plane ops (kinds space, member, epoch)
 * indexed by space, a partial index: hearth_space_load reads them for
 * every membership question (each import of a control envelope, each
 * person added to a team space), and scanned the whole op log for them.
 */
static const char migration_7[] =
	"CREATE INDEX op_control ON op(space) WHERE kind IN ('space', 'member', 'epoch');";

/*
 * Version 8: op_control again, its condition written as equalities joined
 * by OR (HEARTH_OP_CONTROL_WHERE).  Version 7's IN list made SQLite build
 * a temporary B-tree for every op inserted, merged or written here.
 */
static const char migration_8[] =
	"DROP INDEX op_control;"
	"CREATE INDEX op_control ON op(space) WHERE " HEARTH_OP_CONTROL_WHERE ";";

/*
 * Version 9: the kind of each relay_sync row's problem, by its stable
 * name (hearth_sync_problem_name: 'unreachable', 'refused', ...; NULL
 * with no problem), so that a face says it in the user's language; the
 * problem text stays as the English detail.  Rows kept before with a
 * problem get 'other': shown with their text.
 */
static const char migration_9[] =
	"ALTER TABLE relay_sync ADD COLUMN problem_kind TEXT;"
	"UPDATE relay_sync SET problem_kind = 'other' WHERE problem IS NOT NULL AND problem <> '';";

/* A migration is SQL, or C where SQL alone cannot do it. */
struct migration {
	const char *sql;
	hearth_status (*run)(sqlite3 *db);
};

static const struct migration migrations[] = {
	{ NULL, NULL }, /* version 0: the empty database */
	{ migration_1, NULL },
	{ migration_2, NULL },
	{ NULL, migrate_3 },
	{ migration_4, NULL },
	{ migration_5, NULL },
	{ NULL, migrate_6 },
	{ migration_7, NULL },
	{ migration_8, NULL },
	{ migration_9, NULL },
};

#define LATEST ((int)(sizeof migrations / sizeof migrations[0]) - 1)

int hearth_schema_latest(void)
{
	return LATEST;
}

int hearth_schema_version(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) {
		hearth_fail(HEARTH_EDB, "cannot read schema version: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	else
		hearth_fail(HEARTH_EDB, "cannot read schema version: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return v;
}

static hearth_status exec(sqlite3 *db, const char *sql, int version)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		hearth_status st = hearth_fail(HEARTH_EDB,
			"schema migration to version %d failed: %s", version,
			err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return st;
	}
	return HEARTH_OK;
}

hearth_status hearth_schema_migrate(sqlite3 *db, int target)
{
	hearth_status st = HEARTH_OK;
	char sql[64];
	int v;

	if (db == NULL || target < 0 || target > LATEST)
		return hearth_fail(HEARTH_EINVAL, "schema version %d is not known", target);
	v = hearth_schema_version(db);
	if (v < 0)
		return HEARTH_EDB;
	if (v > LATEST)
		return hearth_fail(HEARTH_ENEWER,
			"vault schema version %d is newer than this hearth (%d): upgrade hearth",
			v, LATEST);
	for (v = v + 1; v <= target; v++) {
		st = exec(db, "BEGIN IMMEDIATE", v);
		if (st != HEARTH_OK)
			return st;
		st = migrations[v].run != NULL ? migrations[v].run(db) :
			exec(db, migrations[v].sql, v);
		if (st == HEARTH_OK) {
			snprintf(sql, sizeof sql, "PRAGMA user_version=%d", v);
			st = exec(db, sql, v);
		}
		if (st == HEARTH_OK)
			st = exec(db, "COMMIT", v);
		if (st != HEARTH_OK) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return st;
		}
	}
	return HEARTH_OK;
}
