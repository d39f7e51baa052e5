/*
 * store.c - the record store: local writes, merging of remote ops, queries
 * (see include/hearth/store.h).
 *
 * Every change, local or remote, goes through merge_op(), which
 *
 *   1. appends the op to the op log (a duplicate HLC is detected by the
 *      primary key in the same statement);
 *   2. upserts the record row, keeping kind, space and `created` from the
 *      op with the smallest HLC seen for the record;
 *   3. upserts the field row, last-writer-wins on the HLC bytes (with the
 *      value bytes as a tie-breaker, see below), and mirrors a winning
 *      "_deleted" into record.deleted.
 *
 * Steps 2 and 3 are single INSERT ... ON CONFLICT DO UPDATE ... WHERE
 * statements, so the comparison happens inside SQLite's B-tree lookup and a
 * merge costs three cached statements.  Because each step keeps the
 * minimum or maximum of a total order, the result depends only on the set
 * of ops merged, never on their order, batching or repetition.
 *
 * Two different ops with one HLC cannot come from a correct clock (the HLC
 * ends with the device id and a device never repeats a timestamp).  If a
 * damaged or hostile device sends them anyway, both still take part in the
 * field and record merges (so the merged state is still a function of the
 * set of ops seen), and the op log keeps the greater of the two by
 * (space, record, kind, field, value).  Limits: such a pair may reach a
 * third replica only through the op log, which then forwards one of them;
 * and op_pending, also keyed by HLC, keeps only the greater of a pair that
 * arrives too far in the future.  Replicas can then differ on the lesser
 * op, and only on ops of the device that broke its clock.
 *
 * The clock's last timestamp is written to meta before each commit the
 * store controls (and after each write inside a transaction the caller
 * opened with its own SQL), and on open the clock starts after the greater
 * of that and the greatest HLC in the op log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hearth/crypto.h"
#include "hearth/schema.h"
#include "hearth/store.h"

#include "db_private.h"

#define META_DEVICE "device"
#define META_SPACE "private_space"
#define META_CLOCK "clock"

/* Field written by hearth_record_create; its value is the kind. */
#define FIELD_KIND "_kind"

/* Rows read from op_pending per round in hearth_store_retry_pending: bounds
 * the memory held while the table is rewritten under the read. */
#define PENDING_CHUNK 256

enum {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_META_GET,
	ST_META_PUT,
	ST_REC_GET,
	ST_REC_UPSERT,
	ST_REC_DELETED,
	ST_FIELD_UPSERT,
	ST_FIELD_LIST,
	ST_OP_INSERT,
	ST_OP_GET,
	ST_OP_REPLACE,
	ST_PENDING_INSERT,
	ST_PENDING_GET,
	ST_PENDING_REPLACE,
	ST_PENDING_DELETE,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_META_GET] = "SELECT value FROM meta WHERE key=?1",
	[ST_META_PUT] = "INSERT INTO meta(key,value) VALUES(?1,?2) "
		"ON CONFLICT(key) DO UPDATE SET value=excluded.value",
	[ST_REC_GET] = "SELECT space,kind,created,deleted FROM record WHERE id=?1",
	/* Kind and space come from the earliest op; equal HLCs (only from a
	 * misbehaving device) fall back to kind then space so the outcome
	 * is still order-independent. */
	[ST_REC_UPSERT] = "INSERT INTO record(id,space,kind,created,deleted) "
		"VALUES(?1,?2,?3,?4,0) ON CONFLICT(id) DO UPDATE SET "
		"space=excluded.space, kind=excluded.kind, created=excluded.created "
		"WHERE excluded.created < record.created OR "
		"(excluded.created = record.created AND (excluded.kind < record.kind OR "
		"(excluded.kind = record.kind AND excluded.space < record.space)))",
	[ST_REC_DELETED] = "UPDATE record SET deleted=?2 WHERE id=?1",
	/* Last writer wins on the HLC bytes; on equal HLCs (see the file
	 * comment) a value beats NULL and the greater value bytes win. */
	[ST_FIELD_UPSERT] = "INSERT INTO field(record,name,value,hlc) "
		"VALUES(?1,?2,?3,?4) ON CONFLICT(record,name) DO UPDATE SET "
		"value=excluded.value, hlc=excluded.hlc "
		"WHERE excluded.hlc > field.hlc OR (excluded.hlc = field.hlc AND "
		"excluded.value IS NOT NULL AND "
		"(field.value IS NULL OR excluded.value > field.value))",
	[ST_FIELD_LIST] = "SELECT name,value,hlc FROM field "
		"WHERE record=?1 AND value IS NOT NULL ORDER BY name",
	[ST_OP_INSERT] = "INSERT INTO op(hlc,device,space,record,kind,field,value) "
		"VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(hlc) DO NOTHING",
	[ST_OP_GET] = "SELECT space,record,kind,field,value FROM op WHERE hlc=?1",
	[ST_OP_REPLACE] = "UPDATE op SET space=?3, record=?4, kind=?5, field=?6, "
		"value=?7 WHERE hlc=?1",
	[ST_PENDING_INSERT] = "INSERT INTO op_pending"
		"(hlc,device,space,record,kind,field,value) "
		"VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(hlc) DO NOTHING",
	[ST_PENDING_GET] = "SELECT space,record,kind,field,value FROM op_pending "
		"WHERE hlc=?1",
	[ST_PENDING_REPLACE] = "UPDATE op_pending SET space=?3, record=?4, kind=?5, "
		"field=?6, value=?7 WHERE hlc=?1",
	[ST_PENDING_DELETE] = "DELETE FROM op_pending WHERE hlc=?1",
};

struct hearth_store {
	sqlite3 *db;          /* borrowed */
	hearth_clock clock;
	hearth_id space;      /* the private space */
	int explicit_txn;     /* hearth_store_begin opened the transaction */
	int clock_saved;      /* meta holds saved_ms/saved_counter */
	uint64_t saved_ms;
	uint16_t saved_counter;
	sqlite3_stmt *st[ST_COUNT];
};

/* ---- small helpers ------------------------------------------------- */

/* SQLite failures go through the mapping every core module shares (a
 * damaged page becomes HEARTH_EDAMAGED naming the page, busy becomes
 * HEARTH_EBUSY, ...). */
static hearth_status db_fail(sqlite3 *db, int rc, const char *what)
{
	return hearth_db_error(db, rc, what);
}

/* Steps a statement that returns no rows (or whose rows are ignored) and
 * resets it. */
static hearth_status run(hearth_store *s, int which, const char *what)
{
	sqlite3_stmt *st = s->st[which];
	hearth_status ret = HEARTH_OK;
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = db_fail(s->db, rc, what);
	sqlite3_reset(st);
	return ret;
}

static void bind_blob(sqlite3_stmt *st, int i, const void *p, size_t n)
{
	sqlite3_bind_blob(st, i, p, (int)n, SQLITE_STATIC);
}

static void bind_text(sqlite3_stmt *st, int i, const char *t)
{
	if (t == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, t, -1, SQLITE_STATIC);
}

/* Copies a BLOB column of exactly len bytes into out; 0 if it is not one. */
static int col_bytes(sqlite3_stmt *st, int i, void *out, size_t len)
{
	const void *p = sqlite3_column_blob(st, i);

	if (p == NULL || (size_t)sqlite3_column_bytes(st, i) != len) {
		memset(out, 0, len);
		return 0;
	}
	memcpy(out, p, len);
	return 1;
}

static char *xstrdup(const char *t)
{
	size_t n;
	char *p;

	if (t == NULL)
		return NULL;
	n = strlen(t) + 1;
	p = malloc(n);
	if (p != NULL)
		memcpy(p, t, n);
	return p;
}

static uint64_t be64_get(const uint8_t b[8])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void be64_put(uint8_t b[8], uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). */
static int utf8_valid(const char *str)
{
	const unsigned char *p = (const unsigned char *)str;

	while (*p != 0) {
		unsigned c = *p;
		int n, i;
		uint32_t cp;

		if (c < 0x80) {
			p++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		p += n + 1;
	}
	return 1;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* ---- ids ----------------------------------------------------------- */

void hearth_id_to_hex(const hearth_id *id, char out[HEARTH_ID_HEX + 1])
{
	hearth_hex_encode(out, id->b, HEARTH_ID_BYTES);
}

hearth_status hearth_id_from_hex(hearth_id *id, const char *hex)
{
	size_t i;

	if (hex == NULL || strlen(hex) != HEARTH_ID_HEX)
		return hearth_fail(HEARTH_EFORMAT, "'%s' is not an id: expected %u hex digits",
			hex ? hex : "", HEARTH_ID_HEX);
	for (i = 0; i < HEARTH_ID_BYTES; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return hearth_fail(HEARTH_EFORMAT,
				"'%s' is not an id: expected %u hex digits", hex, HEARTH_ID_HEX);
		id->b[i] = (uint8_t)(hi << 4 | lo);
	}
	return HEARTH_OK;
}

hearth_id hearth_id_random(void)
{
	hearth_id id;

	hearth_random(id.b, sizeof id.b);
	return id;
}

int hearth_id_equal(const hearth_id *a, const hearth_id *b)
{
	return memcmp(a->b, b->b, HEARTH_ID_BYTES) == 0;
}

/* ---- transactions and the persisted clock ---------------------------- */

/* True when a transaction opened by hearth_store_begin is still open (it
 * may have ended behind our back: a failed statement can roll it back). */
static int explicit_open(hearth_store *s)
{
	if (s->explicit_txn && sqlite3_get_autocommit(s->db))
		s->explicit_txn = 0;
	return s->explicit_txn;
}

static hearth_status clock_save(hearth_store *s)
{
	hearth_hlc h;
	hearth_status st;

	if (s->clock_saved && s->saved_ms == s->clock.last_ms &&
	    s->saved_counter == s->clock.counter)
		return HEARTH_OK;
	h = hearth_hlc_make(s->clock.last_ms, s->clock.counter, s->clock.device);
	bind_text(s->st[ST_META_PUT], 1, META_CLOCK);
	bind_blob(s->st[ST_META_PUT], 2, h.b, sizeof h.b);
	st = run(s, ST_META_PUT, "cannot save the clock");
	if (st == HEARTH_OK) {
		s->clock_saved = 1;
		s->saved_ms = s->clock.last_ms;
		s->saved_counter = s->clock.counter;
	}
	return st;
}

/* Starts a transaction for one write call unless one is open; *own tells
 * txn_leave whether to end it. */
static hearth_status txn_enter(hearth_store *s, int *own)
{
	hearth_status st;

	*own = 0;
	if (!sqlite3_get_autocommit(s->db))
		return HEARTH_OK;
	st = run(s, ST_BEGIN, "cannot begin a transaction");
	if (st == HEARTH_OK)
		*own = 1;
	return st;
}

static void txn_abort(hearth_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_step(s->st[ST_ROLLBACK]);
	sqlite3_reset(s->st[ST_ROLLBACK]);
	s->explicit_txn = 0;
	s->clock_saved = 0; /* the meta write may have been rolled back */
}

/* Ends a write call: persists the clock unless hearth_store_commit will,
 * then commits or rolls back a transaction of our own.  Returns st or the
 * first failure. */
static hearth_status txn_leave(hearth_store *s, int own, hearth_status st)
{
	if (st == HEARTH_OK && (own || !explicit_open(s)))
		st = clock_save(s);
	if (!own)
		return st;
	if (st == HEARTH_OK)
		st = run(s, ST_COMMIT, "cannot commit");
	if (st != HEARTH_OK)
		txn_abort(s);
	return st;
}

hearth_status hearth_store_begin(hearth_store *s)
{
	hearth_status st;

	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store");
	if (!sqlite3_get_autocommit(s->db))
		return hearth_fail(HEARTH_ESTATE, "cannot begin: a transaction is already open");
	st = run(s, ST_BEGIN, "cannot begin a transaction");
	if (st == HEARTH_OK)
		s->explicit_txn = 1;
	return st;
}

hearth_status hearth_store_commit(hearth_store *s)
{
	hearth_status st;

	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store");
	if (sqlite3_get_autocommit(s->db)) {
		s->explicit_txn = 0;
		return hearth_fail(HEARTH_ESTATE, "cannot commit: no transaction is open");
	}
	st = clock_save(s);
	if (st == HEARTH_OK)
		st = run(s, ST_COMMIT, "cannot commit");
	if (st == HEARTH_OK)
		s->explicit_txn = 0;
	else if (sqlite3_get_autocommit(s->db))
		s->explicit_txn = 0; /* SQLite rolled it back itself */
	/* Otherwise (e.g. busy) the transaction stays open: the caller may
	 * retry the commit or roll back. */
	return st;
}

void hearth_store_rollback(hearth_store *s)
{
	if (s != NULL)
		txn_abort(s);
}

static hearth_status exec_step_sql(hearth_store *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? HEARTH_OK : hearth_db_error(s->db, rc, what);
}

hearth_status hearth_store_step_begin(hearth_store *s, hearth_store_step *step)
{
	hearth_status st;

	step->own = 0;
	step->savepoint = 0;
	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store");
	if (sqlite3_get_autocommit(s->db)) {
		st = hearth_store_begin(s);
		step->own = st == HEARTH_OK;
		return st;
	}
	/* Savepoints nest: one name serves every depth, the innermost is
	 * the one released or rolled back. */
	st = exec_step_sql(s, "SAVEPOINT hearth_step", "cannot start a savepoint");
	step->savepoint = st == HEARTH_OK;
	return st;
}

hearth_status hearth_store_step_end(hearth_store *s, hearth_store_step *step,
				    hearth_status st)
{
	if (step->own) {
		step->own = 0;
		if (st == HEARTH_OK)
			return hearth_store_commit(s);
		hearth_store_rollback(s);
		return st;
	}
	if (step->savepoint) {
		step->savepoint = 0;
		if (st == HEARTH_OK)
			return exec_step_sql(s, "RELEASE hearth_step",
					     "cannot release a savepoint");
		/* Keep the first error; the rollback's own failure would only
		 * hide it. */
		(void)sqlite3_exec(s->db, "ROLLBACK TO hearth_step; RELEASE hearth_step",
				   NULL, NULL, NULL);
	}
	return st;
}

/* ---- open and close -------------------------------------------------- */

/* Reads meta value key into out (exactly len bytes).  *found is 0 when the
 * key is absent; a present value of the wrong size is damage. */
static hearth_status meta_get(hearth_store *s, const char *key, void *out,
			      size_t len, int *found)
{
	sqlite3_stmt *st = s->st[ST_META_GET];
	hearth_status ret = HEARTH_OK;
	int rc;

	*found = 0;
	bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (col_bytes(st, 0, out, len))
			*found = 1;
		else
			ret = hearth_fail(HEARTH_EDAMAGED,
				"vault damaged: meta value '%s' is malformed", key);
	} else if (rc != SQLITE_DONE) {
		ret = db_fail(s->db, rc, "cannot read the store's settings");
	}
	sqlite3_reset(st);
	return ret;
}

static hearth_status meta_put(hearth_store *s, const char *key, const void *v,
			      size_t len)
{
	bind_text(s->st[ST_META_PUT], 1, key);
	bind_blob(s->st[ST_META_PUT], 2, v, len);
	return run(s, ST_META_PUT, "cannot save the store's settings");
}

/* The greatest HLC in the op log, or all zero bytes. */
static hearth_status op_max_hlc(hearth_store *s, hearth_hlc *out)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	int rc;

	memset(out, 0, sizeof *out);
	rc = sqlite3_prepare_v2(s->db, "SELECT max(hlc) FROM op", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		col_bytes(st, 0, out->b, sizeof out->b);
	else
		ret = db_fail(s->db, rc, "cannot read the op log");
	sqlite3_finalize(st);
	return ret;
}

hearth_status hearth_store_open(sqlite3 *db, const hearth_store_options *opt,
				hearth_store **out)
{
	hearth_store *s = NULL;
	hearth_status st = HEARTH_OK;
	uint8_t devb[8];
	hearth_hlc saved, logmax, *last;
	uint64_t device = 0;
	int have_dev, have_space, have_clock, own = 0, i, v;

	if (db == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot open store: no database");
	*out = NULL;
	v = hearth_schema_version(db);
	if (v < 0)
		return HEARTH_EDB;
	if (v > hearth_schema_latest())
		return hearth_fail(HEARTH_ENEWER,
			"cannot open store: database schema version %d is newer than "
			"this hearth (%d)", v, hearth_schema_latest());
	if (v != hearth_schema_latest())
		return hearth_fail(HEARTH_ESTATE,
			"cannot open store: database schema is version %d, not %d",
			v, hearth_schema_latest());
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot open store: out of memory");
	s->db = db;
	for (i = 0; i < ST_COUNT; i++) {
		int rc = sqlite3_prepare_v3(db, stmt_sql[i], -1,
			SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);

		if (rc != SQLITE_OK) {
			st = db_fail(db, rc, "cannot open store");
			goto out;
		}
	}

	st = meta_get(s, META_DEVICE, devb, sizeof devb, &have_dev);
	if (st == HEARTH_OK)
		st = meta_get(s, META_SPACE, s->space.b, sizeof s->space.b, &have_space);
	if (st == HEARTH_OK)
		st = meta_get(s, META_CLOCK, saved.b, sizeof saved.b, &have_clock);
	if (st == HEARTH_OK)
		st = op_max_hlc(s, &logmax);
	if (st != HEARTH_OK)
		goto out;
	if (have_dev) {
		device = be64_get(devb);
		if (device == 0) {
			st = hearth_fail(HEARTH_EDAMAGED, "vault damaged: device id is zero");
			goto out;
		}
	}

	last = have_clock && hearth_hlc_cmp(&saved, &logmax) > 0 ? &saved : &logmax;
	if (!have_dev) {
		/* Zero means "every device" in hearth_store_ops. */
		do
			device = hearth_random_u64();
		while (device == 0);
	}
	hearth_clock_init(&s->clock, device, last);
	if (opt != NULL) {
		s->clock.now = opt->now;
		s->clock.now_ctx = opt->now_ctx;
		if (opt->max_drift_ms != 0)
			s->clock.max_drift_ms = opt->max_drift_ms;
	}
	if (have_clock && last == &saved) {
		s->clock_saved = 1;
		s->saved_ms = hearth_hlc_ms(&saved);
		s->saved_counter = hearth_hlc_counter(&saved);
	}

	if (!have_dev || !have_space) {
		st = txn_enter(s, &own);
		if (st != HEARTH_OK)
			goto out;
		if (!have_dev) {
			be64_put(devb, device);
			st = meta_put(s, META_DEVICE, devb, sizeof devb);
		}
		if (st == HEARTH_OK && !have_space) {
			s->space = hearth_id_random();
			st = meta_put(s, META_SPACE, s->space.b, sizeof s->space.b);
		}
		st = txn_leave(s, own, st);
		if (st != HEARTH_OK)
			goto out;
	}
	*out = s;
	s = NULL;
out:
	hearth_store_close(s);
	return st;
}

void hearth_store_close(hearth_store *s)
{
	int i;

	if (s == NULL)
		return;
	if (explicit_open(s))
		txn_abort(s);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	free(s);
}

sqlite3 *hearth_store_db(hearth_store *s)
{
	return s->db;
}

uint64_t hearth_store_device(const hearth_store *s)
{
	return s->clock.device;
}

hearth_id hearth_store_private_space(const hearth_store *s)
{
	return s->space;
}

/* ---- merging --------------------------------------------------------- */

static int strcmp_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* Orders two ops that share an HLC (see the file comment).  The stored
 * op's columns are read from st. */
static int op_cmp_stored(const hearth_op *op, sqlite3_stmt *st, int *same)
{
	hearth_id space, record;
	const char *kind, *field, *value;
	int c;

	col_bytes(st, 0, space.b, sizeof space.b);
	col_bytes(st, 1, record.b, sizeof record.b);
	kind = (const char *)sqlite3_column_text(st, 2);
	field = (const char *)sqlite3_column_text(st, 3);
	value = (const char *)sqlite3_column_text(st, 4);
	c = memcmp(op->space.b, space.b, sizeof space.b);
	if (c == 0)
		c = memcmp(op->record.b, record.b, sizeof record.b);
	if (c == 0)
		c = strcmp_null(op->kind, kind);
	if (c == 0)
		c = strcmp_null(op->field, field);
	if (c == 0)
		c = strcmp_null(op->value, value);
	*same = c == 0;
	return c;
}

static void bind_op(sqlite3_stmt *st, const hearth_op *op)
{
	bind_blob(st, 1, op->hlc.b, sizeof op->hlc.b);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)hearth_hlc_device(&op->hlc));
	bind_blob(st, 3, op->space.b, sizeof op->space.b);
	bind_blob(st, 4, op->record.b, sizeof op->record.b);
	bind_text(st, 5, op->kind);
	bind_text(st, 6, op->field);
	bind_text(st, 7, op->value);
}

/* Merges one op into the log, record and field tables.  *applied is 0 for
 * an op already held.  known_record: the record row exists and op sorts
 * after its `created` (true of a local write to an existing record, whose
 * HLC is above everything this store has seen), so the record upsert can
 * be skipped.  Runs inside the caller's transaction. */
static hearth_status merge_op(hearth_store *s, const hearth_op *op,
			      int known_record, int *applied)
{
	sqlite3_stmt *st;
	hearth_status ret;
	int rc;

	*applied = 0;
	st = s->st[ST_OP_INSERT];
	bind_op(st, op);
	ret = run(s, ST_OP_INSERT, "cannot append to the op log");
	if (ret != HEARTH_OK)
		return ret;
	if (sqlite3_changes(s->db) == 0) {
		int same = 0, c = 0;

		st = s->st[ST_OP_GET];
		bind_blob(st, 1, op->hlc.b, sizeof op->hlc.b);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			c = op_cmp_stored(op, st, &same);
		else
			ret = db_fail(s->db, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc,
				"cannot read the op log");
		sqlite3_reset(st);
		if (ret != HEARTH_OK || same)
			return ret;
		if (c > 0) {
			bind_op(s->st[ST_OP_REPLACE], op);
			ret = run(s, ST_OP_REPLACE, "cannot rewrite the op log");
			if (ret != HEARTH_OK)
				return ret;
		}
	}

	if (!known_record) {
		st = s->st[ST_REC_UPSERT];
		bind_blob(st, 1, op->record.b, sizeof op->record.b);
		bind_blob(st, 2, op->space.b, sizeof op->space.b);
		bind_text(st, 3, op->kind);
		bind_blob(st, 4, op->hlc.b, sizeof op->hlc.b);
		ret = run(s, ST_REC_UPSERT, "cannot save a record");
		if (ret != HEARTH_OK)
			return ret;
	}

	st = s->st[ST_FIELD_UPSERT];
	bind_blob(st, 1, op->record.b, sizeof op->record.b);
	bind_text(st, 2, op->field);
	bind_text(st, 3, op->value);
	bind_blob(st, 4, op->hlc.b, sizeof op->hlc.b);
	ret = run(s, ST_FIELD_UPSERT, "cannot save a field");
	if (ret != HEARTH_OK)
		return ret;
	if (sqlite3_changes(s->db) > 0 && strcmp(op->field, HEARTH_FIELD_DELETED) == 0) {
		st = s->st[ST_REC_DELETED];
		bind_blob(st, 1, op->record.b, sizeof op->record.b);
		sqlite3_bind_int(st, 2, op->value != NULL && strcmp(op->value, "1") == 0);
		ret = run(s, ST_REC_DELETED, "cannot save a record");
		if (ret != HEARTH_OK)
			return ret;
	}
	*applied = 1;
	return HEARTH_OK;
}

/* ---- local writes ---------------------------------------------------- */

static hearth_status check_text(const char *what, const char *t)
{
	if (t != NULL && !utf8_valid(t))
		return hearth_fail(HEARTH_EINVAL, "%s is not valid UTF-8 text", what);
	return HEARTH_OK;
}

/* Stamps and merges one local op on record id (which must exist). */
static hearth_status local_write(hearth_store *s, const hearth_id *id,
				 const char *field, const char *value)
{
	sqlite3_stmt *st = s->st[ST_REC_GET];
	hearth_status ret;
	hearth_op op;
	char *kind = NULL;
	int own = 0, applied, rc;

	ret = txn_enter(s, &own);
	if (ret != HEARTH_OK)
		return ret;
	bind_blob(st, 1, id->b, sizeof id->b);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		col_bytes(st, 0, op.space.b, sizeof op.space.b);
		kind = xstrdup((const char *)sqlite3_column_text(st, 1));
		if (kind == NULL)
			ret = hearth_fail(HEARTH_ENOMEM, "cannot write a field: out of memory");
	} else if (rc == SQLITE_DONE) {
		char hex[HEARTH_ID_HEX + 1];

		hearth_id_to_hex(id, hex);
		ret = hearth_fail(HEARTH_ENOTFOUND, "no record has id '%s'", hex);
	} else {
		ret = db_fail(s->db, rc, "cannot read a record");
	}
	sqlite3_reset(st);
	if (ret == HEARTH_OK)
		ret = hearth_clock_tick(&s->clock, &op.hlc);
	if (ret == HEARTH_OK) {
		op.record = *id;
		op.kind = kind;
		op.field = field;
		op.value = value;
		ret = merge_op(s, &op, 1, &applied);
	}
	free(kind);
	return txn_leave(s, own, ret);
}

hearth_status hearth_record_create(hearth_store *s, const hearth_id *space,
				   const char *kind, hearth_id *out)
{
	hearth_status ret;
	hearth_op op;
	int own = 0, applied;

	if (s == NULL || kind == NULL || kind[0] == '\0' || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot create a record: no kind given");
	ret = check_text("record kind", kind);
	if (ret != HEARTH_OK)
		return ret;
	ret = txn_enter(s, &own);
	if (ret != HEARTH_OK)
		return ret;
	op.space = space != NULL ? *space : s->space;
	op.record = hearth_id_random();
	op.kind = kind;
	op.field = FIELD_KIND;
	op.value = kind;
	ret = hearth_clock_tick(&s->clock, &op.hlc);
	if (ret == HEARTH_OK)
		ret = merge_op(s, &op, 0, &applied);
	ret = txn_leave(s, own, ret);
	if (ret == HEARTH_OK)
		*out = op.record;
	return ret;
}

hearth_status hearth_record_set(hearth_store *s, const hearth_id *id,
				const char *field, const char *value)
{
	hearth_status ret;

	if (s == NULL || id == NULL || field == NULL || field[0] == '\0')
		return hearth_fail(HEARTH_EINVAL, "cannot set a field: no field name given");
	if (field[0] == '_')
		return hearth_fail(HEARTH_EINVAL,
			"cannot set field '%s': names starting with '_' are reserved", field);
	ret = check_text("field name", field);
	if (ret == HEARTH_OK)
		ret = check_text("field value", value);
	if (ret != HEARTH_OK)
		return ret;
	return local_write(s, id, field, value);
}

hearth_status hearth_record_delete(hearth_store *s, const hearth_id *id)
{
	if (s == NULL || id == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot delete a record: no id given");
	return local_write(s, id, HEARTH_FIELD_DELETED, "1");
}

/* ---- loading records ------------------------------------------------- */

/* Reserved fields ("_kind", "_deleted") are reflected in kind and deleted
 * and are not listed among a loaded record's fields. */
static int field_listed(const char *name)
{
	return name != NULL && name[0] != '_';
}

static void record_clear_fields(hearth_record *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++) {
		free(r->fields[i].name);
		free(r->fields[i].value);
	}
	r->nfields = 0;
}

/* Appends a field to r; *cap is the allocated size of r->fields. */
static hearth_status record_add_field(hearth_record *r, size_t *cap,
				      const char *name, const char *value,
				      sqlite3_stmt *st, int hlc_col)
{
	hearth_field *f;

	if (r->nfields == *cap) {
		size_t ncap = *cap ? 2 * *cap : 8;
		hearth_field *nf = realloc(r->fields, ncap * sizeof *nf);

		if (nf == NULL)
			return hearth_fail(HEARTH_ENOMEM, "cannot load a record: out of memory");
		r->fields = nf;
		*cap = ncap;
	}
	f = &r->fields[r->nfields];
	f->name = xstrdup(name);
	f->value = xstrdup(value);
	col_bytes(st, hlc_col, f->hlc.b, sizeof f->hlc.b);
	if (f->name == NULL || f->value == NULL) {
		free(f->name);
		free(f->value);
		return hearth_fail(HEARTH_ENOMEM, "cannot load a record: out of memory");
	}
	r->nfields++;
	return HEARTH_OK;
}

hearth_status hearth_record_load(hearth_store *s, const hearth_id *id,
				 hearth_record **out)
{
	sqlite3_stmt *st;
	hearth_record *r = NULL;
	hearth_status ret = HEARTH_OK;
	size_t cap = 0;
	int rc;

	if (s == NULL || id == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot load a record: no id given");
	*out = NULL;
	r = calloc(1, sizeof *r);
	if (r == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot load a record: out of memory");
	r->id = *id;

	st = s->st[ST_REC_GET];
	bind_blob(st, 1, id->b, sizeof id->b);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		col_bytes(st, 0, r->space.b, sizeof r->space.b);
		r->kind = xstrdup((const char *)sqlite3_column_text(st, 1));
		col_bytes(st, 2, r->created.b, sizeof r->created.b);
		r->deleted = sqlite3_column_int(st, 3) != 0;
		if (r->kind == NULL)
			ret = hearth_fail(HEARTH_ENOMEM, "cannot load a record: out of memory");
	} else if (rc == SQLITE_DONE) {
		char hex[HEARTH_ID_HEX + 1];

		hearth_id_to_hex(id, hex);
		ret = hearth_fail(HEARTH_ENOTFOUND, "no record has id '%s'", hex);
	} else {
		ret = db_fail(s->db, rc, "cannot load a record");
	}
	sqlite3_reset(st);
	if (ret != HEARTH_OK)
		goto out;

	st = s->st[ST_FIELD_LIST];
	bind_blob(st, 1, id->b, sizeof id->b);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (!field_listed(name))
			continue;
		ret = record_add_field(r, &cap, name,
			(const char *)sqlite3_column_text(st, 1), st, 2);
		if (ret != HEARTH_OK)
			break;
	}
	if (ret == HEARTH_OK && rc != SQLITE_DONE)
		ret = db_fail(s->db, rc, "cannot load a record");
	sqlite3_reset(st);
	if (ret != HEARTH_OK)
		goto out;
	*out = r;
	r = NULL;
out:
	hearth_record_free(r);
	return ret;
}

const char *hearth_record_field(const hearth_record *r, const char *name)
{
	size_t lo = 0, hi;

	if (r == NULL || name == NULL)
		return NULL;
	hi = r->nfields;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->fields[mid].name, name);

		if (c == 0)
			return r->fields[mid].value;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void hearth_record_free(hearth_record *r)
{
	if (r == NULL)
		return;
	record_clear_fields(r);
	free(r->fields);
	free(r->kind);
	free(r);
}

hearth_status hearth_store_each(hearth_store *s, const char *kind,
				int include_deleted, hearth_record_cb cb,
				void *ctx)
{
	/* One pass over a join ordered by record then field name.  The kind
	 * filter is spelled out (rather than "?1 IS NULL OR kind=?1") so the
	 * planner can walk index record_kind in creation order. */
	static const char head[] =
		"SELECT r.id, r.space, r.kind, r.created, r.deleted, "
		"f.name, f.value, f.hlc FROM record r "
		"LEFT JOIN field f ON f.record = r.id AND f.value IS NOT NULL ";
	static const char tail[] = " ORDER BY r.created, r.id, f.name";
	char sql[512];
	sqlite3_stmt *st = NULL;
	hearth_record r;
	hearth_status ret = HEARTH_OK;
	size_t cap = 0;
	int rc, have = 0, stop = 0;

	memset(&r, 0, sizeof r);
	if (s == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot list records: no callback");
	snprintf(sql, sizeof sql, "%s%s%s", head,
		kind != NULL ? (include_deleted ? "WHERE r.kind = ?1" :
				"WHERE r.kind = ?1 AND r.deleted = 0")
			     : (include_deleted ? "" : "WHERE r.deleted = 0"),
		tail);
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = db_fail(s->db, rc, "cannot list records");
		goto out;
	}
	if (kind != NULL)
		bind_text(st, 1, kind);
	while (!stop) {
		hearth_id id;
		const char *name;

		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		col_bytes(st, 0, id.b, sizeof id.b);
		if (!have || !hearth_id_equal(&id, &r.id)) {
			if (have)
				stop = cb(&r, ctx);
			record_clear_fields(&r);
			free(r.kind);
			r.kind = NULL;
			have = 0;
			if (stop)
				break;
			r.id = id;
			col_bytes(st, 1, r.space.b, sizeof r.space.b);
			r.kind = xstrdup((const char *)sqlite3_column_text(st, 2));
			col_bytes(st, 3, r.created.b, sizeof r.created.b);
			r.deleted = sqlite3_column_int(st, 4) != 0;
			if (r.kind == NULL) {
				ret = hearth_fail(HEARTH_ENOMEM, "cannot list records: out of memory");
				goto out;
			}
			have = 1;
		}
		name = (const char *)sqlite3_column_text(st, 5);
		if (field_listed(name)) {
			ret = record_add_field(&r, &cap, name,
				(const char *)sqlite3_column_text(st, 6), st, 7);
			if (ret != HEARTH_OK)
				goto out;
		}
	}
	if (!stop && rc != SQLITE_DONE) {
		ret = db_fail(s->db, rc, "cannot list records");
		goto out;
	}
	if (have && !stop)
		cb(&r, ctx);
out:
	record_clear_fields(&r);
	free(r.fields);
	free(r.kind);
	sqlite3_finalize(st);
	return ret;
}

/* ---- id prefixes ------------------------------------------------------ */

hearth_status hearth_store_resolve(hearth_store *s, const char *kind,
				   const char *prefix, hearth_id *out)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	hearth_id lo, hi, first;
	size_t n, i;
	int rc, count = 0;

	if (s == NULL || prefix == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no id given");
	n = strlen(prefix);
	for (i = 0; i < n && hexval((unsigned char)prefix[i]) >= 0; i++)
		;
	if (n > HEARTH_ID_HEX && i == n)
		return hearth_fail(HEARTH_EINVAL,
			"'%s' is not an id: ids have %u hex digits", prefix, HEARTH_ID_HEX);
	if (n < HEARTH_ID_MIN_PREFIX || i != n)
		return hearth_fail(HEARTH_EINVAL,
			"'%s' is not an id: use at least %u hex digits", prefix,
			HEARTH_ID_MIN_PREFIX);

	/* The prefix fixes the leading nibbles; every id starting with it
	 * lies in [prefix 000..., prefix fff...] of the BLOB key. */
	memset(lo.b, 0x00, sizeof lo.b);
	memset(hi.b, 0xff, sizeof hi.b);
	for (i = 0; i < n; i++) {
		int v = hexval((unsigned char)prefix[i]);

		if (i % 2 == 0) {
			lo.b[i / 2] = (uint8_t)(v << 4);
			hi.b[i / 2] = (uint8_t)(v << 4 | 0x0f);
		} else {
			lo.b[i / 2] |= (uint8_t)v;
			hi.b[i / 2] = (uint8_t)((hi.b[i / 2] & 0xf0) | v);
		}
	}

	/* The unary + keeps the planner off index record_kind, which would
	 * scan every record of the kind: the id range is far narrower. */
	rc = sqlite3_prepare_v2(s->db, kind != NULL ?
		"SELECT id FROM record WHERE id BETWEEN ?1 AND ?2 AND +deleted = 0 "
		"AND +kind = ?3 ORDER BY id" :
		"SELECT id FROM record WHERE id BETWEEN ?1 AND ?2 AND +deleted = 0 "
		"ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = db_fail(s->db, rc, "cannot look up an id");
		goto out;
	}
	bind_blob(st, 1, lo.b, sizeof lo.b);
	bind_blob(st, 2, hi.b, sizeof hi.b);
	if (kind != NULL)
		bind_text(st, 3, kind);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count++ == 0)
			col_bytes(st, 0, first.b, sizeof first.b);
	}
	if (rc != SQLITE_DONE) {
		ret = db_fail(s->db, rc, "cannot look up an id");
		goto out;
	}
	if (count == 0)
		ret = hearth_fail(HEARTH_ENOTFOUND, "no %-s matches '%s'",
			kind != NULL ? kind : "record", prefix);
	else if (count > 1)
		ret = hearth_fail(HEARTH_EAMBIGUOUS,
			"id prefix '%s' is ambiguous: matches %d records", prefix, count);
	else
		*out = first;
out:
	sqlite3_finalize(st);
	return ret;
}

/* ---- remote ops -------------------------------------------------------- */

static hearth_status check_op(const hearth_op *op, size_t i)
{
	if (op->kind == NULL || op->kind[0] == '\0' || op->field == NULL ||
	    op->field[0] == '\0')
		return hearth_fail(HEARTH_EINVAL, "op %zu has no kind or field name", i);
	if (hearth_hlc_device(&op->hlc) == 0)
		return hearth_fail(HEARTH_EINVAL, "op %zu has no device id", i);
	return HEARTH_OK;
}

/* Keeps an op aside in op_pending unless the log already holds it.
 * *kept is 1 when the op is (now) pending.  op_pending holds one op per
 * HLC: of two different ones (a misbehaving device), the greater by
 * (space, record, kind, field, value) stays, whatever the arrival order. */
static hearth_status defer_op(hearth_store *s, const hearth_op *op, int *kept)
{
	sqlite3_stmt *st = s->st[ST_OP_GET];
	hearth_status ret = HEARTH_OK;
	int rc, same = 0, c = 0;

	*kept = 0;
	bind_blob(st, 1, op->hlc.b, sizeof op->hlc.b);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return HEARTH_OK;
	if (rc != SQLITE_DONE)
		return db_fail(s->db, rc, "cannot read the op log");
	bind_op(s->st[ST_PENDING_INSERT], op);
	ret = run(s, ST_PENDING_INSERT, "cannot keep an op aside");
	if (ret != HEARTH_OK)
		return ret;
	*kept = 1;
	if (sqlite3_changes(s->db) > 0)
		return HEARTH_OK;
	st = s->st[ST_PENDING_GET];
	bind_blob(st, 1, op->hlc.b, sizeof op->hlc.b);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		c = op_cmp_stored(op, st, &same);
	else
		ret = db_fail(s->db, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc,
			"cannot read ops kept aside");
	sqlite3_reset(st);
	if (ret == HEARTH_OK && !same && c > 0) {
		bind_op(s->st[ST_PENDING_REPLACE], op);
		ret = run(s, ST_PENDING_REPLACE, "cannot keep an op aside");
	}
	return ret;
}

static int cmp_op_ptr_hlc(const void *pa, const void *pb)
{
	const hearth_op *a = *(const hearth_op *const *)pa;
	const hearth_op *b = *(const hearth_op *const *)pb;

	return memcmp(a->hlc.b, b->hlc.b, HEARTH_HLC_BYTES);
}

hearth_status hearth_store_apply(hearth_store *s, const hearth_op *ops,
				 size_t n, size_t *n_deferred)
{
	hearth_status ret = HEARTH_OK;
	const hearth_op **order = NULL;
	size_t i, deferred = 0;
	int own = 0;

	if (n_deferred != NULL)
		*n_deferred = 0;
	if (s == NULL || (ops == NULL && n > 0))
		return hearth_fail(HEARTH_EINVAL, "cannot apply ops: none given");
	/* Validate the whole batch first: a malformed op changes nothing. */
	for (i = 0; i < n; i++) {
		ret = check_op(&ops[i], i);
		if (ret != HEARTH_OK)
			return ret;
	}
	/* The merge does not depend on order, so the batch goes in HLC
	 * order: the op log and its device index (both keyed by HLC) then
	 * grow at one end instead of taking inserts all over the B-tree,
	 * which in a random-order batch is most of the cost. */
	if (n > 1) {
		order = malloc(n * sizeof *order);
		if (order == NULL)
			return hearth_fail(HEARTH_ENOMEM, "cannot apply ops: out of memory");
		for (i = 0; i < n; i++)
			order[i] = &ops[i];
		qsort(order, n, sizeof *order, cmp_op_ptr_hlc);
	}
	ret = txn_enter(s, &own);
	if (ret != HEARTH_OK)
		goto out;
	for (i = 0; i < n && ret == HEARTH_OK; i++) {
		const hearth_op *op = order != NULL ? order[i] : &ops[i];
		int done;

		ret = hearth_clock_observe(&s->clock, &op->hlc);
		if (ret == HEARTH_EFUTURE) {
			hearth_errdetail_clear();
			ret = defer_op(s, op, &done);
			deferred += (size_t)done;
		} else if (ret == HEARTH_OK) {
			ret = merge_op(s, op, 0, &done);
		}
	}
	ret = txn_leave(s, own, ret);
	if (ret == HEARTH_OK && n_deferred != NULL)
		*n_deferred = deferred;
out:
	free(order);
	return ret;
}

/* An op read back from a table, owning its strings. */
typedef struct stored_op {
	hearth_op op;
	char *kind, *field, *value;
} stored_op;

static void stored_op_release(stored_op *o)
{
	free(o->kind);
	free(o->field);
	free(o->value);
	o->kind = o->field = o->value = NULL;
}

/* Reads columns hlc, space, record, kind, field, value from st. */
static int stored_op_read(stored_op *o, sqlite3_stmt *st)
{
	col_bytes(st, 0, o->op.hlc.b, sizeof o->op.hlc.b);
	col_bytes(st, 1, o->op.space.b, sizeof o->op.space.b);
	col_bytes(st, 2, o->op.record.b, sizeof o->op.record.b);
	o->kind = xstrdup((const char *)sqlite3_column_text(st, 3));
	o->field = xstrdup((const char *)sqlite3_column_text(st, 4));
	o->value = xstrdup((const char *)sqlite3_column_text(st, 5));
	o->op.kind = o->kind;
	o->op.field = o->field;
	o->op.value = o->value;
	return o->kind != NULL && o->field != NULL &&
		(o->value != NULL || sqlite3_column_type(st, 5) == SQLITE_NULL);
}

hearth_status hearth_store_retry_pending(hearth_store *s, size_t *n_applied)
{
	stored_op *chunk = NULL;
	sqlite3_stmt *st = NULL;
	hearth_status ret;
	size_t applied = 0, n = 0, i;
	int own = 0, rc, done = 0;

	if (n_applied != NULL)
		*n_applied = 0;
	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store");
	chunk = calloc(PENDING_CHUNK, sizeof *chunk);
	if (chunk == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot retry ops: out of memory");
	ret = txn_enter(s, &own);
	if (ret != HEARTH_OK)
		goto out;
	rc = sqlite3_prepare_v2(s->db,
		"SELECT hlc, space, record, kind, field, value FROM op_pending "
		"WHERE hlc <= ?1 ORDER BY hlc LIMIT ?2", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = db_fail(s->db, rc, "cannot read ops kept aside");
		goto leave;
	}
	while (!done && ret == HEARTH_OK) {
		uint64_t wall = hearth_clock_wall_ms(&s->clock);
		uint64_t limit = wall > HEARTH_HLC_MAX_MS - s->clock.max_drift_ms ?
			HEARTH_HLC_MAX_MS : wall + s->clock.max_drift_ms;
		hearth_hlc bound = hearth_hlc_make(limit, UINT16_MAX, UINT64_MAX);

		n = 0;
		bind_blob(st, 1, bound.b, sizeof bound.b);
		sqlite3_bind_int(st, 2, PENDING_CHUNK);
		while (n < PENDING_CHUNK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (!stored_op_read(&chunk[n++], st)) {
				ret = hearth_fail(HEARTH_ENOMEM, "cannot retry ops: out of memory");
				break;
			}
		}
		if (ret == HEARTH_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
			ret = db_fail(s->db, rc, "cannot read ops kept aside");
		sqlite3_reset(st);
		if (n < PENDING_CHUNK)
			done = 1;
		for (i = 0; i < n && ret == HEARTH_OK; i++) {
			int merged;

			ret = hearth_clock_observe(&s->clock, &chunk[i].op.hlc);
			if (ret == HEARTH_EFUTURE) {
				/* The wall clock stepped back meanwhile: the
				 * rest waits for the next retry. */
				hearth_errdetail_clear();
				ret = HEARTH_OK;
				done = 1;
				break;
			}
			if (ret != HEARTH_OK)
				break;
			bind_blob(s->st[ST_PENDING_DELETE], 1, chunk[i].op.hlc.b,
				sizeof chunk[i].op.hlc.b);
			ret = run(s, ST_PENDING_DELETE, "cannot retry an op kept aside");
			if (ret == HEARTH_OK)
				ret = merge_op(s, &chunk[i].op, 0, &merged);
			if (ret == HEARTH_OK)
				applied += (size_t)merged;
		}
		for (i = 0; i < n; i++)
			stored_op_release(&chunk[i]);
	}
leave:
	ret = txn_leave(s, own, ret);
	if (ret == HEARTH_OK && n_applied != NULL)
		*n_applied = applied;
out:
	sqlite3_finalize(st);
	free(chunk);
	return ret;
}

hearth_status hearth_store_pending_count(hearth_store *s, size_t *n)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	int rc;

	if (s == NULL || n == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store");
	*n = 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM op_pending", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	else
		ret = db_fail(s->db, rc, "cannot count ops kept aside");
	sqlite3_finalize(st);
	return ret;
}

hearth_status hearth_store_ops(hearth_store *s, uint64_t device,
			       const hearth_hlc *from, const hearth_hlc *to,
			       hearth_op_cb cb, void *ctx)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	hearth_hlc lo, hi;
	int rc;

	if (s == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot list ops: no callback");
	memset(lo.b, 0x00, sizeof lo.b);
	memset(hi.b, 0xff, sizeof hi.b);
	if (from != NULL)
		lo = *from;
	if (to != NULL)
		hi = *to;
	/* A fresh statement per call: cb may call back into the store. */
	rc = sqlite3_prepare_v2(s->db, device != 0 ?
		"SELECT hlc, space, record, kind, field, value FROM op "
		"WHERE device = ?3 AND hlc BETWEEN ?1 AND ?2 ORDER BY hlc" :
		"SELECT hlc, space, record, kind, field, value FROM op "
		"WHERE hlc BETWEEN ?1 AND ?2 ORDER BY hlc", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = db_fail(s->db, rc, "cannot list ops");
		goto out;
	}
	bind_blob(st, 1, lo.b, sizeof lo.b);
	bind_blob(st, 2, hi.b, sizeof hi.b);
	if (device != 0)
		sqlite3_bind_int64(st, 3, (sqlite3_int64)device);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		hearth_op op;

		col_bytes(st, 0, op.hlc.b, sizeof op.hlc.b);
		col_bytes(st, 1, op.space.b, sizeof op.space.b);
		col_bytes(st, 2, op.record.b, sizeof op.record.b);
		op.kind = (const char *)sqlite3_column_text(st, 3);
		op.field = (const char *)sqlite3_column_text(st, 4);
		op.value = (const char *)sqlite3_column_text(st, 5);
		if (op.kind == NULL || op.field == NULL) {
			ret = hearth_fail(HEARTH_EDAMAGED, "vault damaged: an op has no field");
			goto out;
		}
		if (cb(&op, ctx) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		ret = db_fail(s->db, rc, "cannot list ops");
out:
	sqlite3_finalize(st);
	return ret;
}

/* ---- canonical dump ---------------------------------------------------- */

typedef struct strbuf {
	char *p;
	size_t len, cap;
	int failed;
} strbuf;

static void sb_add(strbuf *b, const char *t, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 4096;
		char *np;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		np = realloc(b->p, ncap);
		if (np == NULL) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, t, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(strbuf *b, const char *t)
{
	sb_add(b, t, strlen(t));
}

static void sb_bytes_hex(strbuf *b, const uint8_t *p, size_t n)
{
	char hex[2 * HEARTH_HLC_BYTES + 1];

	hearth_hex_encode(hex, p, n); /* n <= 16 here */
	sb_add(b, hex, 2 * n);
}

/* A double-quoted string: backslash, quote and bytes below 0x20 or 0x7f
 * escaped as \\, \", \n, \t, \xNN; other bytes (UTF-8 included) as they
 * are, so the dump stays readable and one line per field. */
static void sb_quoted(strbuf *b, const char *t)
{
	const unsigned char *p = (const unsigned char *)t;

	sb_add(b, "\"", 1);
	for (; *p != 0; p++) {
		char esc[5];

		if (*p == '\\' || *p == '"') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			sb_add(b, esc, 2);
		} else if (*p == '\n') {
			sb_add(b, "\\n", 2);
		} else if (*p == '\t') {
			sb_add(b, "\\t", 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof esc, "\\x%02x", *p);
			sb_add(b, esc, 4);
		} else {
			sb_add(b, (const char *)p, 1);
		}
	}
	sb_add(b, "\"", 1);
}

hearth_status hearth_store_dump(hearth_store *s, char **out, size_t *len)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	strbuf b = { 0 };
	hearth_id cur;
	int rc, have = 0;

	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot dump the store: no output");
	*out = NULL;
	if (len != NULL)
		*len = 0;
	rc = sqlite3_prepare_v2(s->db,
		"SELECT r.id, r.space, r.kind, r.created, r.deleted, "
		"f.name, f.value, f.hlc FROM record r "
		"LEFT JOIN field f ON f.record = r.id ORDER BY r.id, f.name",
		-1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = db_fail(s->db, rc, "cannot dump the store");
		goto out;
	}
	sb_str(&b, "");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		hearth_id id;
		const char *name = (const char *)sqlite3_column_text(st, 5);
		const char *value = (const char *)sqlite3_column_text(st, 6);
		uint8_t hlc[HEARTH_HLC_BYTES];

		col_bytes(st, 0, id.b, sizeof id.b);
		if (!have || !hearth_id_equal(&id, &cur)) {
			uint8_t space[HEARTH_ID_BYTES], created[HEARTH_HLC_BYTES];

			cur = id;
			have = 1;
			col_bytes(st, 1, space, sizeof space);
			col_bytes(st, 3, created, sizeof created);
			sb_str(&b, "record ");
			sb_bytes_hex(&b, id.b, sizeof id.b);
			sb_str(&b, "\n  space ");
			sb_bytes_hex(&b, space, sizeof space);
			sb_str(&b, "\n  kind ");
			sb_quoted(&b, (const char *)sqlite3_column_text(st, 2));
			sb_str(&b, "\n  created ");
			sb_bytes_hex(&b, created, sizeof created);
			sb_str(&b, sqlite3_column_int(st, 4) ? "\n  deleted 1\n" :
				"\n  deleted 0\n");
		}
		if (name == NULL)
			continue; /* a record without field rows */
		col_bytes(st, 7, hlc, sizeof hlc);
		sb_str(&b, "  field ");
		sb_quoted(&b, name);
		if (value != NULL) {
			sb_str(&b, " = ");
			sb_quoted(&b, value);
		} else {
			sb_str(&b, " cleared");
		}
		sb_str(&b, " @ ");
		sb_bytes_hex(&b, hlc, sizeof hlc);
		sb_str(&b, "\n");
	}
	if (rc != SQLITE_DONE) {
		ret = db_fail(s->db, rc, "cannot dump the store");
		goto out;
	}
	if (b.failed) {
		ret = hearth_fail(HEARTH_ENOMEM, "cannot dump the store: out of memory");
		goto out;
	}
	*out = b.p;
	if (len != NULL)
		*len = b.len;
	b.p = NULL;
out:
	free(b.p);
	sqlite3_finalize(st);
	return ret;
}
