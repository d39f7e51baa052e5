/*
 * schema.c - forward-only migrations of the vault database.
 *
 * To change the schema, append a migration to the table below; never edit
 * one that has shipped.  tests/test_schema.c builds a database at every
 * earlier version and migrates it to the latest.
 */
#include <stddef.h>
#include <stdio.h>

#include "hearth/schema.h"

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

static const char *const migrations[] = {
	NULL, /* version 0: the empty database */
	migration_1,
	migration_2,
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
		st = exec(db, migrations[v], v);
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
