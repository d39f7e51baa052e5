/*
 * store.c - the record store: local writes, merging of remote ops, queries
 * (see include/hearth/store.h; the op format is in docs/protocol.md).
 *
 * Every change, local or remote, is an op with an id (author device, dense
 * seq) and a hash, and goes through merge_op(), which
 *
 *   1. appends the op to the op log (table op, whose rowid is the local
 *      arrival number); a held id is found by the unique index in the same
 *      statement, and a held id with another hash is a clash between two
 *      copies of one vault, settled by hash (clash());
 *   2. binds the op to its record: a record exists once its creating op
 *      ("_kind") is held, and that op fixes its space, kind and `created`.
 *      An op for a record not yet created waits (state ORPHAN) and is
 *      merged when the creating op comes; an op naming another space or
 *      kind is quarantined;
 *   3. merges the field: the winner is the op with the greatest (HLC, seq);
 *      the other values no held op replaces stay listed as concurrent
 *      (table field_alt), so free text edited on two devices at once keeps
 *      both; a "_deleted" winner is mirrored into record.deleted.
 *
 * Each step keeps a minimum, a maximum or a set difference of the ops held,
 * so the merged state depends only on the set of ops merged, never on their
 * order, batching or repetition (test_convergence checks it).
 *
 * The replaced-value sets: an op lists the values it replaces (prev).  A
 * value is live while no merged op of its field lists it.  field keeps the
 * winner and whether it is live; field_alt the live values that are not
 * the winner; replaced the ids a merged op of a field listed before they
 * were merged themselves (not yet arrived, or waiting for their record or
 * their time), so that they are dead on arrival.
 *
 * Records: the creating op binds; ops for a record not yet created wait
 * (state orphan) and merge when it comes; a purged record keeps only its
 * purge (record.deleted = 2), and ops for it are emptied on arrival.
 *
 * Speed: a merge call keeps the records it read and the ids of tables
 * replaced and field_alt in memory (cache_begin), and the two commonest
 * field merges (a first write, a write replacing exactly the winner) take
 * one statement.  Ops waiting for their record are listed in table op_wait
 * (their op row says state 0: see OP_STATE), so releasing them does not
 * rewrite op rows all over the log; docs/BENCHMARKS.md has the figures.
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
#include "hearth/envelope.h"
#include "hearth/schema.h"
#include "hearth/store.h"

#include "db_private.h"
#include "op_private.h"

#define N_(s) (s) /* a word hearth_fail shows translated ("%-s") */

#define META_DEVICE "device"
#define META_SPACE "private_space"
#define META_CLOCK "clock"
#define META_RETIRED "retired_devices" /* 8 bytes per retired device id */
#define META_RETIRED_SEQ "retired_seqs" /* 8 bytes per retired id: its last seq */
#define META_LOCAL "local_space"
#define META_SEQ "seq" /* 8 bytes: the last seq this device issued */

/* record.deleted of a purged record (1 is a tombstone). */
#define RECORD_PURGED 2

/* The ids of table replaced are cached for a merge call when there are at
 * most this many (or as many as the call has ops) at its start. */
#define REPLACED_CACHE_MIN 4096

/* Rows read per round when ops kept aside are merged: bounds the memory
 * held while the table is rewritten under the read. */
#define PENDING_CHUNK 256

enum {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_META_GET,
	ST_META_PUT,
	ST_REC_GET,
	ST_REC_INSERT,
	ST_REC_DELETED,
	ST_FIELD_GET,
	ST_FIELD_PUT,
	ST_FIELD_DEAD,
	ST_FIELD_ADVANCE,
	ST_FIELD_NEW,
	ST_FIELD_SET,
	ST_FIELD_LIST,
	ST_ALT_INSERT,
	ST_ALT_DELETE,
	ST_ALT_LIST,
	ST_REPLACED_INSERT,
	ST_REPLACED_TAKE,
	ST_REPLACED_LIST,
	ST_ALT_IDS,
	ST_OP_INSERT,
	ST_OP_GET,
	ST_OP_STATE,
	ST_OP_STATE_AT,
	ST_OP_WAITING,
	ST_CONFLICT_INSERT,
	ST_LOCAL_GET,
	ST_WAIT_ADD,
	ST_WAIT_ADD_ID,
	ST_WAIT_TAKE,
	ST_COUNT
};

#define OP_COLS "device,seq,hlc,hash,space,record,kind,field,value,prev"

/* An op's state, in a query on table op: 2 (waiting for its record's
 * creating op) while op_wait lists it, else its row's (schema.c, version
 * 4). */
#define OP_STATE "(CASE WHEN EXISTS(SELECT 1 FROM op_wait w WHERE " \
	"w.record = op.record AND w.arrival = op.arrival) THEN 2 ELSE op.state END)"

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_META_GET] = "SELECT value FROM meta WHERE key=?1",
	[ST_META_PUT] = "INSERT INTO meta(key,value) VALUES(?1,?2) "
		"ON CONFLICT(key) DO UPDATE SET value=excluded.value",
	[ST_REC_GET] = "SELECT space,kind,created,deleted FROM record WHERE id=?1",
	[ST_REC_INSERT] = "INSERT INTO record(id,space,kind,created,deleted) "
		"VALUES(?1,?2,?3,?4,0)",
	[ST_REC_DELETED] = "UPDATE record SET deleted=?2 WHERE id=?1",
	[ST_FIELD_GET] = "SELECT hlc,device,seq,live FROM field "
		"WHERE record=?1 AND name=?2",
	[ST_FIELD_PUT] = "INSERT INTO field(record,name,value,hlc,device,seq,live) "
		"VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(record,name) DO UPDATE SET "
		"value=excluded.value, hlc=excluded.hlc, device=excluded.device, "
		"seq=excluded.seq, live=excluded.live",
	[ST_FIELD_DEAD] = "UPDATE field SET live=0 WHERE record=?1 AND name=?2",
	/* The in-order write: the op replaces exactly the winner and is
	 * newer (see merge_field). */
	[ST_FIELD_ADVANCE] = "UPDATE field SET value=?3, hlc=?4, device=?5, seq=?6, "
		"live=?7 WHERE record=?1 AND name=?2 AND device=?8 AND seq=?9 AND "
		"hlc < ?4",
	/* The first write of a field that replaces nothing (see merge_field). */
	[ST_FIELD_NEW] = "INSERT INTO field(record,name,value,hlc,device,seq,live) "
		"VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(record,name) DO NOTHING",
	/* A new winner of a field that has a row (cheaper than FIELD_PUT,
	 * which probes for the row first). */
	[ST_FIELD_SET] = "UPDATE field SET value=?3, hlc=?4, device=?5, seq=?6, "
		"live=?7 WHERE record=?1 AND name=?2",
	[ST_FIELD_LIST] = "SELECT name,value,hlc FROM field "
		"WHERE record=?1 AND value IS NOT NULL ORDER BY name",
	[ST_ALT_INSERT] = "INSERT OR IGNORE INTO field_alt(record,name,device,seq,hlc) "
		"VALUES(?1,?2,?3,?4,?5)",
	[ST_ALT_DELETE] = "DELETE FROM field_alt "
		"WHERE record=?1 AND name=?2 AND device=?3 AND seq=?4",
	[ST_ALT_LIST] = "SELECT device,seq FROM field_alt WHERE record=?1 AND name=?2 "
		"ORDER BY device,seq",
	[ST_REPLACED_INSERT] = "INSERT OR IGNORE INTO replaced(record,name,device,seq) "
		"VALUES(?1,?2,?3,?4)",
	[ST_REPLACED_TAKE] = "DELETE FROM replaced "
		"WHERE device=?3 AND seq=?4 AND record=?1 AND name=?2",
	[ST_REPLACED_LIST] = "SELECT device,seq FROM replaced LIMIT ?1",
	[ST_ALT_IDS] = "SELECT device,seq FROM field_alt LIMIT ?1",
	[ST_OP_INSERT] = "INSERT INTO op(" OP_COLS ",state) "
		"VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11) "
		"ON CONFLICT(device,seq) DO NOTHING",
	[ST_OP_GET] = "SELECT hash," OP_STATE " FROM op WHERE device=?1 AND seq=?2",
	[ST_OP_STATE] = "UPDATE op SET state=?3, reason=?4 WHERE device=?1 AND seq=?2",
	[ST_OP_STATE_AT] = "UPDATE op SET state=?2, reason=?3 WHERE arrival=?1",
	/* Sorted by ops_of_record: a temporary B-tree per record costs more
	 * than the rows. */
	[ST_OP_WAITING] = "SELECT o.arrival, o.device, o.seq, o.hlc, o.hash, "
		"o.space, o.record, o.kind, o.field, o.value, o.prev "
		"FROM op_wait w CROSS JOIN op o ON o.arrival = w.arrival "
		"WHERE w.record=?1",
	[ST_CONFLICT_INSERT] = "INSERT INTO op_conflict(" OP_COLS ",reason) "
		"VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11) "
		"ON CONFLICT(hash) DO NOTHING",
	/* A local write's record, the field's winner and whether the field
	 * has concurrent values, in one read. */
	[ST_LOCAL_GET] = "SELECT r.space, r.kind, r.deleted, f.hlc, f.device, "
		"f.seq, f.live, EXISTS(SELECT 1 FROM field_alt a "
		"WHERE a.record = r.id AND a.name = ?2) FROM record r LEFT JOIN field f "
		"ON f.record = r.id AND f.name = ?2 WHERE r.id = ?1",
	/* An op waits for its record (see OP_STATE): by the arrival of the
	 * row just inserted, or by its id. */
	[ST_WAIT_ADD] = "INSERT OR IGNORE INTO op_wait(record,arrival) VALUES(?1,?2)",
	[ST_WAIT_ADD_ID] = "INSERT OR IGNORE INTO op_wait(record,arrival) "
		"SELECT record, arrival FROM op WHERE device=?1 AND seq=?2",
	[ST_WAIT_TAKE] = "DELETE FROM op_wait WHERE record=?1 AND arrival=?2",
};

/* A set of op ids (open addressing), see cache_begin. */
struct id_slot {
	uint64_t device;    /* 0: an empty slot (no op id has device 0) */
	uint64_t seq;
};

struct idset {
	struct id_slot *v;  /* NULL: not cached (every id may be in the table) */
	size_t cap, used;
};

struct hearth_store {
	sqlite3 *db;          /* borrowed */
	hearth_clock clock;
	uint64_t seq;         /* the last seq this device issued */
	hearth_id space;      /* the private space */
	hearth_id local;      /* the device-local space: never synced */
	int explicit_txn;     /* hearth_store_begin opened the transaction */
	int clock_saved;      /* meta holds saved_ms/saved_counter */
	uint64_t saved_ms;
	uint16_t saved_counter;
	uint64_t saved_seq;
	uint64_t *retired;    /* device ids this store used before */
	uint64_t *retired_seq; /* the last seq issued under each (0: unknown) */
	size_t nretired;
	char **immutable;     /* NULL-terminated copy of the option */
	sqlite3_stmt *st[ST_COUNT];
	/* Caches for one merge call (see cache_begin). */
	struct rec_slot *rec; /* open addressing; NULL: records not cached */
	size_t rec_cap, rec_used;
	struct idset rep;     /* the ids in table replaced */
	struct idset alt;     /* the ids in table field_alt */
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

	uint8_t seqb[8];
	int i;

	if (s->clock_saved && s->saved_ms == s->clock.last_ms &&
	    s->saved_counter == s->clock.counter && s->saved_seq == s->seq)
		return HEARTH_OK;
	h = hearth_hlc_make(s->clock.last_ms, s->clock.counter, s->clock.device);
	bind_text(s->st[ST_META_PUT], 1, META_CLOCK);
	bind_blob(s->st[ST_META_PUT], 2, h.b, sizeof h.b);
	st = run(s, ST_META_PUT, "cannot save the clock");
	/* The last seq is kept apart from the op log, so that ops removed
	 * from the log can never make a seq be issued twice. */
	for (i = 0; i < 8; i++)
		seqb[i] = (uint8_t)(s->seq >> (8 * (7 - i)));
	bind_text(s->st[ST_META_PUT], 1, META_SEQ);
	bind_blob(s->st[ST_META_PUT], 2, seqb, sizeof seqb);
	if (st == HEARTH_OK)
		st = run(s, ST_META_PUT, "cannot save the clock");
	if (st == HEARTH_OK) {
		s->clock_saved = 1;
		s->saved_ms = s->clock.last_ms;
		s->saved_counter = s->clock.counter;
		s->saved_seq = s->seq;
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

static void resync(hearth_store *s);

static void txn_abort(hearth_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_step(s->st[ST_ROLLBACK]);
	sqlite3_reset(s->st[ST_ROLLBACK]);
	s->explicit_txn = 0;
	s->clock_saved = 0; /* the meta write may have been rolled back */
	resync(s);
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
		s->clock_saved = 0;
		resync(s);
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

/* The last seq device issued: the greater of the one meta keeps (for the
 * current device) and the greatest in the op log, or 0. */
static hearth_status max_seq(hearth_store *s, uint64_t device, uint64_t *out)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	uint8_t seqb[8];
	int rc, have = 0;

	*out = 0;
	rc = sqlite3_prepare_v2(s->db,
		"SELECT max(seq) FROM op WHERE device=?1", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)device);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	else
		ret = db_fail(s->db, rc, "cannot read the op log");
	sqlite3_finalize(st);
	if (ret == HEARTH_OK && device == s->clock.device)
		ret = meta_get(s, META_SEQ, seqb, sizeof seqb, &have);
	if (ret == HEARTH_OK && have && be64_get(seqb) > *out)
		*out = be64_get(seqb);
	return ret;
}

/* Reads meta key, a list of big-endian 64-bit numbers, into *out
 * (malloc'd; NULL and 0 when absent). */
static hearth_status meta_u64s(hearth_store *s, const char *key,
			       uint64_t **out, size_t *n)
{
	sqlite3_stmt *st = s->st[ST_META_GET];
	hearth_status ret = HEARTH_OK;
	int rc;

	*out = NULL;
	*n = 0;
	bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const uint8_t *p = sqlite3_column_blob(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0), i;

		if (len % 8 != 0) {
			ret = hearth_fail(HEARTH_EDAMAGED,
				"vault damaged: meta value '%s' is malformed", key);
		} else if (len > 0) {
			*out = malloc(len);
			if (*out == NULL)
				ret = hearth_fail(HEARTH_ENOMEM, "cannot open store: out of memory");
			for (i = 0; ret == HEARTH_OK && i < len / 8; i++)
				(*out)[i] = be64_get(p + 8 * i);
			if (ret == HEARTH_OK)
				*n = len / 8;
		}
	} else if (rc != SQLITE_DONE) {
		ret = db_fail(s->db, rc, "cannot read the store's settings");
	}
	sqlite3_reset(st);
	return ret;
}

/* The retired device ids and the last seq issued under each (vaults that
 * retired ids before seqs were kept have fewer seqs: unknown, 0). */
static hearth_status load_retired(hearth_store *s)
{
	uint64_t *seqs = NULL;
	size_t nseqs = 0;
	hearth_status ret = meta_u64s(s, META_RETIRED, &s->retired, &s->nretired);

	if (ret == HEARTH_OK)
		ret = meta_u64s(s, META_RETIRED_SEQ, &seqs, &nseqs);
	if (ret == HEARTH_OK && s->nretired > 0) {
		s->retired_seq = calloc(s->nretired, sizeof *s->retired_seq);
		if (s->retired_seq == NULL)
			ret = hearth_fail(HEARTH_ENOMEM, "cannot open store: out of memory");
		else if (seqs != NULL)
			memcpy(s->retired_seq, seqs,
			       (nseqs < s->nretired ? nseqs : s->nretired) * sizeof *seqs);
	}
	free(seqs);
	return ret;
}

static hearth_status copy_immutable(hearth_store *s, const char *const *kinds)
{
	size_t n = 0, i;

	while (kinds != NULL && kinds[n] != NULL)
		n++;
	s->immutable = calloc(n + 1, sizeof *s->immutable);
	if (s->immutable == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot open store: out of memory");
	for (i = 0; i < n; i++)
		if ((s->immutable[i] = xstrdup(kinds[i])) == NULL)
			return hearth_fail(HEARTH_ENOMEM, "cannot open store: out of memory");
	return HEARTH_OK;
}

static int kind_immutable(const hearth_store *s, const char *kind)
{
	char *const *k;

	for (k = s->immutable; *k != NULL; k++)
		if (strcmp(*k, kind) == 0)
			return 1;
	return 0;
}

/* 1 when device is this store's id now or was before. */
static int device_ours(const hearth_store *s, uint64_t device)
{
	size_t i;

	if (device == s->clock.device)
		return 1;
	for (i = 0; i < s->nretired; i++)
		if (s->retired[i] == device)
			return 1;
	return 0;
}

/* 1 when this store issued op id (under its device id now or one it
 * retired): the op it holds under that id is its own. */
static int issued_here(const hearth_store *s, const hearth_op_id *id)
{
	size_t i;

	if (id->device == s->clock.device)
		return id->seq <= s->seq;
	for (i = 0; i < s->nretired; i++)
		if (s->retired[i] == id->device)
			return id->seq <= s->retired_seq[i];
	return 0;
}

hearth_status hearth_store_open(sqlite3 *db, const hearth_store_options *opt,
				hearth_store **out)
{
	hearth_store *s = NULL;
	hearth_status st = HEARTH_OK;
	uint8_t devb[8];
	hearth_hlc saved, logmax, *last;
	uint64_t device = 0;
	int have_dev, have_space, have_local, have_clock, own = 0, i, v;

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
	st = copy_immutable(s, opt != NULL ? opt->immutable_kinds : NULL);
	if (st == HEARTH_OK)
		st = meta_get(s, META_DEVICE, devb, sizeof devb, &have_dev);
	if (st == HEARTH_OK)
		st = meta_get(s, META_SPACE, s->space.b, sizeof s->space.b, &have_space);
	if (st == HEARTH_OK)
		st = meta_get(s, META_LOCAL, s->local.b, sizeof s->local.b, &have_local);
	if (st == HEARTH_OK)
		st = meta_get(s, META_CLOCK, saved.b, sizeof saved.b, &have_clock);
	if (st == HEARTH_OK)
		st = op_max_hlc(s, &logmax);
	if (st == HEARTH_OK)
		st = load_retired(s);
	if (st != HEARTH_OK)
		goto out;
	if (have_dev) {
		device = be64_get(devb);
		if (device == 0) {
			st = hearth_fail(HEARTH_EDAMAGED, "vault damaged: device id is zero");
			goto out;
		}
		s->clock.device = device; /* max_seq reads meta for it */
		st = max_seq(s, device, &s->seq);
		if (st != HEARTH_OK)
			goto out;
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

	if (!have_dev || !have_space || !have_local) {
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
		if (st == HEARTH_OK && !have_local) {
			s->local = hearth_id_random();
			st = meta_put(s, META_LOCAL, s->local.b, sizeof s->local.b);
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
	char **k;
	int i;

	if (s == NULL)
		return;
	if (explicit_open(s))
		txn_abort(s);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	for (k = s->immutable; k != NULL && *k != NULL; k++)
		free(*k);
	free(s->immutable);
	free(s->retired);
	free(s->retired_seq);
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

hearth_id hearth_store_local_space(const hearth_store *s)
{
	return s->local;
}

uint64_t hearth_store_clock_ahead_ms(hearth_store *s)
{
	uint64_t wall = hearth_clock_wall_ms(&s->clock);

	return s->clock.last_ms > wall ? s->clock.last_ms - wall : 0;
}

/* Runs one statement that returns no rows: ?1 is record (if given), ?2 and
 * ?3 the op id id (if given).  For the rare paths (device moves, purges,
 * rebuilds) that do not keep a prepared statement. */
static hearth_status exec_once(hearth_store *s, const char *sql,
			       const hearth_id *record, const hearth_op_id *id,
			       const char *what)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		if (record != NULL)
			bind_blob(st, 1, record->b, sizeof record->b);
		if (id != NULL) {
			sqlite3_bind_int64(st, 2, (sqlite3_int64)id->device);
			sqlite3_bind_int64(st, 3, (sqlite3_int64)id->seq);
		}
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE)
		ret = db_fail(s->db, rc, what);
	sqlite3_finalize(st);
	return ret;
}

/* Records a device move for hearth_store_problems. */
static hearth_status note_move(hearth_store *s, uint64_t from, uint64_t to,
			       const char *why)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	int rc = sqlite3_prepare_v2(s->db, "INSERT INTO device_move(old, new, reason) "
				    "VALUES(?1, ?2, ?3)", -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
		bind_text(st, 3, why);
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE)
		ret = db_fail(s->db, rc, "cannot record a device move");
	sqlite3_finalize(st);
	return ret;
}

/* Writes a list of 64-bit numbers to meta key. */
static hearth_status meta_put_u64s(hearth_store *s, const char *key,
				   const uint64_t *v, size_t n)
{
	uint8_t *list = malloc(8 * n + 1);
	hearth_status ret;
	size_t i;

	if (list == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot move to a new device id: out of memory");
	for (i = 0; i < n; i++)
		be64_put(list + 8 * i, v[i]);
	ret = meta_put(s, key, list, 8 * n);
	free(list);
	return ret;
}

/* Moves to a fresh device id inside the current transaction.  The old id
 * is retired with the last seq issued under it, so that the ops this
 * store wrote under it are known as its own (see clash()). */
static hearth_status move_device(hearth_store *s, const char *why)
{
	uint64_t old = s->clock.device, fresh, *r;
	uint8_t devb[8];
	hearth_status ret;

	do
		fresh = hearth_random_u64();
	while (fresh == 0 || device_ours(s, fresh));
	r = realloc(s->retired, (s->nretired + 1) * sizeof *r);
	if (r == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot move to a new device id: out of memory");
	s->retired = r;
	r = realloc(s->retired_seq, (s->nretired + 1) * sizeof *r);
	if (r == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot move to a new device id: out of memory");
	s->retired_seq = r;
	s->retired[s->nretired] = old;
	s->retired_seq[s->nretired] = s->seq;
	ret = meta_put_u64s(s, META_RETIRED, s->retired, s->nretired + 1);
	if (ret == HEARTH_OK)
		ret = meta_put_u64s(s, META_RETIRED_SEQ, s->retired_seq, s->nretired + 1);
	be64_put(devb, fresh);
	if (ret == HEARTH_OK)
		ret = meta_put(s, META_DEVICE, devb, sizeof devb);
	if (ret == HEARTH_OK)
		ret = note_move(s, old, fresh, why);
	if (ret != HEARTH_OK)
		return ret;
	/* Only now, with every row written: a failure above leaves the
	 * handle as it was (the caller rolls the rows back). */
	s->nretired++;
	s->clock.device = fresh;
	s->seq = 0;
	s->clock_saved = 0;
	return HEARTH_OK;
}

hearth_status hearth_store_new_device(hearth_store *s, const char *why)
{
	hearth_status ret;
	int own;

	if (s == NULL || why == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store");
	ret = txn_enter(s, &own);
	if (ret != HEARTH_OK)
		return ret;
	ret = move_device(s, why);
	return txn_leave(s, own, ret);
}

/* ---- merging --------------------------------------------------------- */

/* An op read back from a table, owning its strings and prev list. */
typedef struct stored_op {
	hearth_op op;
	char *kind, *field, *value;
	hearth_op_id *prev;
	hearth_op_state state;
	uint64_t arrival;
} stored_op;

static void stored_op_release(stored_op *o)
{
	free(o->kind);
	free(o->field);
	free(o->value);
	free(o->prev);
	o->kind = o->field = o->value = NULL;
	o->prev = NULL;
}

/* Reads the columns OP_COLS from st, starting at column c.  0 when out of
 * memory or the row is malformed. */
static int stored_op_read(stored_op *o, sqlite3_stmt *st, int c)
{
	const void *prev = sqlite3_column_blob(st, c + 9);
	size_t plen = (size_t)sqlite3_column_bytes(st, c + 9);

	memset(o, 0, sizeof *o);
	o->op.id.device = (uint64_t)sqlite3_column_int64(st, c);
	o->op.id.seq = (uint64_t)sqlite3_column_int64(st, c + 1);
	col_bytes(st, c + 2, o->op.hlc.b, sizeof o->op.hlc.b);
	col_bytes(st, c + 3, o->op.hash, sizeof o->op.hash);
	col_bytes(st, c + 4, o->op.space.b, sizeof o->op.space.b);
	col_bytes(st, c + 5, o->op.record.b, sizeof o->op.record.b);
	o->kind = xstrdup((const char *)sqlite3_column_text(st, c + 6));
	o->field = xstrdup((const char *)sqlite3_column_text(st, c + 7));
	o->value = xstrdup((const char *)sqlite3_column_text(st, c + 8));
	if (plen > 0) {
		o->prev = malloc(plen);
		if (o->prev == NULL)
			return 0;
		o->op.nprev = hearth_op_prev_decode(prev, plen, o->prev, HEARTH_OP_PREV_MAX);
		if (o->op.nprev == (size_t)-1)
			return 0;
	}
	o->op.kind = o->kind;
	o->op.field = o->field;
	o->op.value = o->value;
	o->op.prev = o->prev;
	return o->kind != NULL && o->field != NULL &&
		(o->value != NULL || sqlite3_column_type(st, c + 8) == SQLITE_NULL);
}

/* Binds an op to ?1..?10 in OP_COLS order; prevbuf holds 16 * nprev bytes. */
static void bind_op(sqlite3_stmt *st, const hearth_op *op, uint8_t *prevbuf)
{
	sqlite3_bind_int64(st, 1, (sqlite3_int64)op->id.device);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)op->id.seq);
	bind_blob(st, 3, op->hlc.b, sizeof op->hlc.b);
	bind_blob(st, 4, op->hash, sizeof op->hash);
	bind_blob(st, 5, op->space.b, sizeof op->space.b);
	bind_blob(st, 6, op->record.b, sizeof op->record.b);
	bind_text(st, 7, op->kind);
	bind_text(st, 8, op->field);
	bind_text(st, 9, op->value);
	if (op->nprev > 0) {
		hearth_op_prev_encode(op->prev, op->nprev, prevbuf);
		bind_blob(st, 10, prevbuf, 16 * op->nprev);
	} else {
		sqlite3_bind_null(st, 10);
	}
}

static void bind_id(sqlite3_stmt *st, int i, const hearth_op_id *id)
{
	sqlite3_bind_int64(st, i, (sqlite3_int64)id->device);
	sqlite3_bind_int64(st, i + 1, (sqlite3_int64)id->seq);
}

/* ---- caches for one merge call ------------------------------------- */

/*
 * hearth_store_apply and hearth_store_retry_pending merge many ops in one
 * transaction.  Between cache_begin and cache_end they keep in memory
 *
 *   - each record an op of the call looked up: bound (with its space and
 *     kind), purged, or not created yet, so that each op does not read its
 *     record again, and an op waiting for its record goes into the log in
 *     that state instead of being written twice;
 *   - every id in table replaced, when there are few at the start: an op
 *     whose id is not among them needs no DELETE to learn it is live;
 *   - likewise every id in table field_alt: a replaced id not among them
 *     is no concurrent value, and needs no DELETE to learn it.
 *
 * Only the merge writes tables record, replaced and field_alt, and it
 * updates the caches as it writes (a deletion may leave an id cached: the
 * id sets only say which ids certainly are not in their table).  They
 * last one call: a call that fails ends in cache_end like any other, so a
 * rolled back write never leaves them stale.  Out of memory, a cache turns
 * itself off (the tables answer).
 */
enum { REC_UNKNOWN, REC_ABSENT, REC_BOUND, REC_PURGED };

typedef struct recinfo {
	int state;          /* REC_ABSENT, REC_BOUND or REC_PURGED */
	hearth_id space;
	/* The kind, or "" when longer than any op's kind can be (it then
	 * matches no op, as the stored kind would not). */
	char kind[HEARTH_OP_NAME_MAX + 1];
} recinfo;

struct rec_slot {
	hearth_id id;
	recinfo info;       /* state REC_UNKNOWN: an empty slot */
};


static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static size_t rec_hash(const hearth_id *id)
{
	return (size_t)mix64(be64_get(id->b) ^ be64_get(id->b + 8));
}

static size_t id_hash(uint64_t device, uint64_t seq)
{
	return (size_t)mix64(device * UINT64_C(0x9e3779b97f4a7c15) ^ seq);
}

/* The slot of id, or the empty slot where it goes; NULL when records are
 * not cached. */
static struct rec_slot *rec_slot_of(hearth_store *s, const hearth_id *id)
{
	size_t i;

	if (s->rec == NULL)
		return NULL;
	for (i = rec_hash(id) & (s->rec_cap - 1);; i = (i + 1) & (s->rec_cap - 1)) {
		struct rec_slot *e = &s->rec[i];

		if (e->info.state == REC_UNKNOWN || hearth_id_equal(&e->id, id))
			return e;
	}
}

static void rec_forget_all(hearth_store *s)
{
	free(s->rec);
	s->rec = NULL;
	s->rec_cap = s->rec_used = 0;
}

/* Doubles the table (kept at most half full, so a probe always ends). */
static int rec_grow(hearth_store *s)
{
	struct rec_slot *old = s->rec, *e;
	size_t ocap = s->rec_cap, i;

	s->rec = calloc(2 * ocap, sizeof *s->rec);
	if (s->rec == NULL) {
		s->rec = old;
		rec_forget_all(s);
		return 0;
	}
	s->rec_cap = 2 * ocap;
	for (i = 0; i < ocap; i++)
		if (old[i].info.state != REC_UNKNOWN) {
			e = rec_slot_of(s, &old[i].id);
			*e = old[i];
		}
	free(old);
	return 1;
}

/* Notes what the record table now says of id. */
static void rec_note(hearth_store *s, const hearth_id *id, int state,
		     const hearth_id *space, const char *kind)
{
	struct rec_slot *e;

	if (s->rec == NULL || (2 * (s->rec_used + 1) > s->rec_cap && !rec_grow(s)))
		return;
	e = rec_slot_of(s, id);
	if (e->info.state == REC_UNKNOWN)
		s->rec_used++;
	e->id = *id;
	e->info.state = state;
	if (space != NULL)
		e->info.space = *space;
	if (kind != NULL && strlen(kind) <= HEARTH_OP_NAME_MAX)
		memcpy(e->info.kind, kind, strlen(kind) + 1);
	else if (kind != NULL)
		e->info.kind[0] = '\0';
}

/* What the record table says of id: absent, bound (space and kind) or
 * purged. */
static hearth_status rec_get(hearth_store *s, const hearth_id *id, recinfo *out)
{
	struct rec_slot *e = rec_slot_of(s, id);
	sqlite3_stmt *st = s->st[ST_REC_GET];
	hearth_status ret = HEARTH_OK;
	int rc;

	if (e != NULL && e->info.state != REC_UNKNOWN) {
		*out = e->info;
		return HEARTH_OK;
	}
	memset(out, 0, sizeof *out);
	out->state = REC_ABSENT;
	bind_blob(st, 1, id->b, sizeof id->b);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 1);

		out->state = sqlite3_column_int(st, 3) == RECORD_PURGED ?
			REC_PURGED : REC_BOUND;
		col_bytes(st, 0, out->space.b, sizeof out->space.b);
		if (kind != NULL && strlen(kind) <= HEARTH_OP_NAME_MAX)
			memcpy(out->kind, kind, strlen(kind) + 1);
	} else if (rc != SQLITE_DONE) {
		ret = db_fail(s->db, rc, "cannot read a record");
	}
	sqlite3_reset(st);
	if (ret == HEARTH_OK)
		rec_note(s, id, out->state, &out->space, out->kind);
	return ret;
}

static void idset_forget(struct idset *set)
{
	free(set->v);
	set->v = NULL;
	set->cap = set->used = 0;
}

static struct id_slot *idset_slot(struct idset *set, uint64_t device, uint64_t seq)
{
	size_t i;

	for (i = id_hash(device, seq) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
		struct id_slot *e = &set->v[i];

		if (e->device == 0 || (e->device == device && e->seq == seq))
			return e;
	}
}

/* Adds id to a cached set (kept at most half full). */
static void idset_note(struct idset *set, const hearth_op_id *id)
{
	struct id_slot *e;

	if (set->v == NULL)
		return;
	if (2 * (set->used + 1) > set->cap) {
		struct id_slot *old = set->v;
		size_t ocap = set->cap, i;

		set->v = calloc(2 * ocap, sizeof *set->v);
		if (set->v == NULL) {
			set->v = old;
			idset_forget(set);
			return;
		}
		set->cap = 2 * ocap;
		for (i = 0; i < ocap; i++)
			if (old[i].device != 0)
				*idset_slot(set, old[i].device, old[i].seq) = old[i];
		free(old);
	}
	e = idset_slot(set, id->device, id->seq);
	if (e->device == 0)
		set->used++;
	e->device = id->device;
	e->seq = id->seq;
}

/* 0 when id is certainly not in the set's table. */
static int idset_maybe(struct idset *set, const hearth_op_id *id)
{
	return set->v == NULL || idset_slot(set, id->device, id->seq)->device != 0;
}

/* Caches in set the ids (device, seq) statement st lists, when it lists
 * at most limit (st: LIMIT ?1); else leaves set off. */
static hearth_status idset_load(hearth_store *s, struct idset *set,
				sqlite3_stmt *st, size_t limit)
{
	hearth_status ret = HEARTH_OK;
	size_t rows = 0;
	int rc;

	set->cap = 256;
	set->used = 0;
	set->v = calloc(set->cap, sizeof *set->v);
	if (set->v == NULL) {
		set->cap = 0;
		return HEARTH_OK;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)limit + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && set->v != NULL) {
		hearth_op_id id;

		id.device = (uint64_t)sqlite3_column_int64(st, 0);
		id.seq = (uint64_t)sqlite3_column_int64(st, 1);
		if (++rows > limit || id.device == 0) {
			idset_forget(set); /* too many to be worth it */
			break;
		}
		idset_note(set, &id);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_fail(s->db, rc, "cannot read the replaced or concurrent values");
	sqlite3_reset(st);
	return ret;
}

/* Starts caching records (cap: a power of two). */
static void rec_cache_start(hearth_store *s, size_t cap)
{
	s->rec_cap = cap;
	s->rec = calloc(s->rec_cap, sizeof *s->rec);
	if (s->rec == NULL)
		s->rec_cap = 0;
}

/* Starts the caches for a call merging about n ops. */
static hearth_status cache_begin(hearth_store *s, size_t n)
{
	size_t limit = n > REPLACED_CACHE_MIN ? n : REPLACED_CACHE_MIN;
	hearth_status ret;

	rec_cache_start(s, 256);
	ret = idset_load(s, &s->rep, s->st[ST_REPLACED_LIST], limit);
	if (ret == HEARTH_OK)
		ret = idset_load(s, &s->alt, s->st[ST_ALT_IDS], limit);
	return ret;
}

static void cache_end(hearth_store *s)
{
	rec_forget_all(s);
	idset_forget(&s->rep);
	idset_forget(&s->alt);
}

/* A field's winner as merge reads it. */
typedef struct fstate {
	int have;           /* a field row exists */
	hearth_hlc hlc;
	hearth_op_id id;
	int live;           /* no held op replaces the winner */
	int has_value;
} fstate;

static hearth_status field_get(hearth_store *s, const hearth_id *record,
			       const char *name, fstate *f)
{
	sqlite3_stmt *st = s->st[ST_FIELD_GET];
	hearth_status ret = HEARTH_OK;
	int rc;

	memset(f, 0, sizeof *f);
	bind_blob(st, 1, record->b, sizeof record->b);
	bind_text(st, 2, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		f->have = 1;
		col_bytes(st, 0, f->hlc.b, sizeof f->hlc.b);
		f->id.device = (uint64_t)sqlite3_column_int64(st, 1);
		f->id.seq = (uint64_t)sqlite3_column_int64(st, 2);
		f->live = sqlite3_column_int(st, 3) != 0;
	} else if (rc != SQLITE_DONE) {
		ret = db_fail(s->db, rc, "cannot read a field");
	}
	sqlite3_reset(st);
	return ret;
}

/* The total order of writes to one field: HLC, then seq (the HLC holds
 * the device, so two devices never tie). */
static int op_after(const hearth_op *op, const fstate *f)
{
	int c = hearth_hlc_cmp(&op->hlc, &f->hlc);

	return c > 0 || (c == 0 && op->id.seq > f->id.seq);
}

static int id_eq(const hearth_op_id *a, const hearth_op_id *b)
{
	return a->device == b->device && a->seq == b->seq;
}

/* Reads the state and hash of a held op; *held 0 when not held.  state
 * and hash may be NULL. */
static hearth_status op_lookup(hearth_store *s, const hearth_op_id *id,
			       int *held, hearth_op_state *state,
			       uint8_t hash[HEARTH_OP_HASH_BYTES])
{
	sqlite3_stmt *st = s->st[ST_OP_GET];
	hearth_status ret = HEARTH_OK;
	int rc;

	*held = 0;
	bind_id(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*held = 1;
		if (hash != NULL)
			col_bytes(st, 0, hash, HEARTH_OP_HASH_BYTES);
		if (state != NULL)
			*state = (hearth_op_state)sqlite3_column_int(st, 1);
	} else if (rc != SQLITE_DONE) {
		ret = db_fail(s->db, rc, "cannot read the op log");
	}
	sqlite3_reset(st);
	return ret;
}

/* Sets the state of a held op that is not waiting (an op that comes to
 * wait is listed in op_wait, its row saying 0: see OP_STATE). */
static hearth_status set_state(hearth_store *s, const hearth_op_id *id,
			       hearth_op_state state, const char *reason)
{
	sqlite3_stmt *st = s->st[ST_OP_STATE];
	hearth_status ret;
	int waits = state == HEARTH_OP_ORPHAN;

	bind_id(st, 1, id);
	sqlite3_bind_int(st, 3, waits ? HEARTH_OP_APPLIED : (int)state);
	bind_text(st, 4, waits ? NULL : reason);
	ret = run(s, ST_OP_STATE, "cannot update the op log");
	if (ret == HEARTH_OK && waits) {
		bind_id(s->st[ST_WAIT_ADD_ID], 1, id);
		ret = run(s, ST_WAIT_ADD_ID, "cannot update the op log");
	}
	return ret;
}

/* Takes op's id out of table replaced for its field: *live is 0 when it
 * was there (a merged op replaced it before it came). */
static hearth_status take_replaced(hearth_store *s, const hearth_op *op, int *live)
{
	sqlite3_stmt *st = s->st[ST_REPLACED_TAKE];
	hearth_status ret;

	*live = 1;
	if (!idset_maybe(&s->rep, &op->id))
		return HEARTH_OK;
	bind_blob(st, 1, op->record.b, sizeof op->record.b);
	bind_text(st, 2, op->field);
	bind_id(st, 3, &op->id);
	ret = run(s, ST_REPLACED_TAKE, "cannot merge a field");
	if (ret == HEARTH_OK)
		*live = sqlite3_changes(s->db) == 0;
	return ret;
}

/* A "_deleted" winner is mirrored into record.deleted. */
static hearth_status mirror_deleted(hearth_store *s, const hearth_op *op)
{
	sqlite3_stmt *st = s->st[ST_REC_DELETED];

	if (strcmp(op->field, HEARTH_FIELD_DELETED) != 0)
		return HEARTH_OK;
	bind_blob(st, 1, op->record.b, sizeof op->record.b);
	sqlite3_bind_int(st, 2, 1);
	return run(s, ST_REC_DELETED, "cannot save a record");
}

/* Writes op as the winner of its field (live: whether it is) with
 * statement which: ST_FIELD_PUT, or ST_FIELD_NEW, ST_FIELD_SET or
 * ST_FIELD_ADVANCE, which change nothing when the row is not as they
 * expect (*changed says). */
static hearth_status field_write(hearth_store *s, int which, const hearth_op *op,
				 int live, int *changed)
{
	sqlite3_stmt *st = s->st[which];
	hearth_status ret;

	bind_blob(st, 1, op->record.b, sizeof op->record.b);
	bind_text(st, 2, op->field);
	bind_text(st, 3, op->value);
	bind_blob(st, 4, op->hlc.b, sizeof op->hlc.b);
	bind_id(st, 5, &op->id);
	sqlite3_bind_int(st, 7, live);
	if (which == ST_FIELD_ADVANCE)
		bind_id(st, 8, &op->prev[0]);
	ret = run(s, which, "cannot save a field");
	*changed = ret == HEARTH_OK && sqlite3_changes(s->db) > 0;
	return ret;
}

/* Lists the value (id, hlc) as concurrent on op's field. */
static hearth_status alt_add(hearth_store *s, const hearth_op *op,
			     const hearth_op_id *id, const hearth_hlc *hlc)
{
	sqlite3_stmt *st = s->st[ST_ALT_INSERT];

	bind_blob(st, 1, op->record.b, sizeof op->record.b);
	bind_text(st, 2, op->field);
	bind_id(st, 3, id);
	bind_blob(st, 5, hlc->b, sizeof hlc->b);
	idset_note(&s->alt, id);
	return run(s, ST_ALT_INSERT, "cannot merge a field");
}

/* Merges op into field (record, op->field).  known: the field's winner as
 * the caller read it (local writes), or NULL to read it here.  first: op
 * takes the field whatever its order (an immutable kind's earliest write). */
static hearth_status merge_field(hearth_store *s, const hearth_op *op,
				 const fstate *known, int first)
{
	sqlite3_stmt *st;
	hearth_status ret = HEARTH_OK;
	fstate f;
	int self_live = 1, was_live, taken = 0, done;
	size_t i;

	/* Two common cases take one statement, and end as the general path
	 * below would: an op that replaces nothing, on a field with no row
	 * yet, becomes its winner; a live op that replaces exactly the
	 * winner, and is newer, becomes the live winner (the old one is
	 * dead, so no concurrent value).  Whether op is itself replaced is
	 * asked first: for these the loop below never adds op's id to
	 * replaced. */
	if (known == NULL && !first &&
	    (op->nprev == 0 || (op->nprev == 1 && !id_eq(&op->prev[0], &op->id)))) {
		ret = take_replaced(s, op, &self_live);
		taken = 1;
		done = 0;
		/* A replaced op's field has a row already (the merge of the
		 * op that replaced it left one): no INSERT to try. */
		if (ret == HEARTH_OK && op->nprev == 0 && self_live)
			ret = field_write(s, ST_FIELD_NEW, op, self_live, &done);
		else if (ret == HEARTH_OK && self_live)
			ret = field_write(s, ST_FIELD_ADVANCE, op, 1, &done);
		if (ret == HEARTH_OK && done)
			ret = mirror_deleted(s, op);
		if (ret != HEARTH_OK || done)
			return ret;
	}
	if (known != NULL)
		f = *known;
	else if ((ret = field_get(s, &op->record, op->field, &f)) != HEARTH_OK)
		return ret;
	was_live = f.live;

	for (i = 0; i < op->nprev && ret == HEARTH_OK; i++) {
		const hearth_op_id *p = &op->prev[i];
		hearth_op_state pstate = HEARTH_OP_APPLIED;
		int held;

		if (f.have && id_eq(p, &f.id)) {
			f.live = 0;
			continue;
		}
		if (idset_maybe(&s->alt, p)) {
			st = s->st[ST_ALT_DELETE];
			bind_blob(st, 1, op->record.b, sizeof op->record.b);
			bind_text(st, 2, op->field);
			bind_id(st, 3, p);
			ret = run(s, ST_ALT_DELETE, "cannot merge a field");
			if (ret != HEARTH_OK || sqlite3_changes(s->db) > 0)
				continue;
		}
		ret = op_lookup(s, p, &held, &pstate, NULL);
		if (ret == HEARTH_OK && !(held && pstate == HEARTH_OP_APPLIED)) {
			/* Replaced before it was merged (not here yet, or
			 * waiting for its record or its time): remember, so
			 * it never becomes live on this field when it is.  (An
			 * op naming a value of another field replaces nothing
			 * there.)  An applied op that is neither the winner
			 * nor a concurrent value is replaced already. */
			st = s->st[ST_REPLACED_INSERT];
			bind_blob(st, 1, op->record.b, sizeof op->record.b);
			bind_text(st, 2, op->field);
			bind_id(st, 3, p);
			ret = run(s, ST_REPLACED_INSERT, "cannot merge a field");
			idset_note(&s->rep, p);
		}
	}
	if (ret == HEARTH_OK && known == NULL && !taken)
		ret = take_replaced(s, op, &self_live);
	if (ret != HEARTH_OK)
		return ret;

	if (!f.have || first || op_after(op, &f)) {
		/* The old winner stays, as a concurrent value. */
		if (f.have && f.live)
			ret = alt_add(s, op, &f.id, &f.hlc);
		/* The row is as f says (read in this transaction); should
		 * it not be, the upsert decides. */
		if (ret == HEARTH_OK)
			ret = field_write(s, f.have ? ST_FIELD_SET : ST_FIELD_NEW, op,
					  self_live, &done);
		if (ret == HEARTH_OK && !done)
			ret = field_write(s, ST_FIELD_PUT, op, self_live, &done);
		if (ret == HEARTH_OK)
			ret = mirror_deleted(s, op);
		return ret;
	}
	if (was_live && !f.live) {
		st = s->st[ST_FIELD_DEAD];
		bind_blob(st, 1, op->record.b, sizeof op->record.b);
		bind_text(st, 2, op->field);
		ret = run(s, ST_FIELD_DEAD, "cannot merge a field");
	}
	if (ret == HEARTH_OK && self_live)
		ret = alt_add(s, op, &op->id, &op->hlc);
	return ret;
}

/* Immutable kinds: the first write of a field (by HLC order) stays.
 * *state becomes QUARANTINED when op loses; when op wins over a held
 * write, that one is quarantined instead. */
static hearth_status merge_once(hearth_store *s, const hearth_op *op,
				hearth_op_state *state, const char **why)
{
	fstate f;
	hearth_status ret = field_get(s, &op->record, op->field, &f);

	if (ret != HEARTH_OK)
		return ret;
	if (f.have && op_after(op, &f)) {
		*state = HEARTH_OP_QUARANTINED;
		*why = "changes a field of an immutable record";
		return HEARTH_OK;
	}
	if (f.have) {
		ret = set_state(s, &f.id, HEARTH_OP_QUARANTINED,
				"changes a field of an immutable record");
		f.live = 0; /* the loser is no concurrent value either */
	}
	if (ret == HEARTH_OK)
		ret = merge_field(s, op, &f, 1);
	return ret;
}

static hearth_status release_orphans(hearth_store *s, const hearth_id *record);
static hearth_status merge_held(hearth_store *s, const hearth_op *op,
				const fstate *known, hearth_op_state *state,
				const char **why);

/* (HLC, seq) order of two ops read back from the log. */
static int cmp_stored_hlc(const void *pa, const void *pb)
{
	const stored_op *a = pa, *b = pb;
	int c = memcmp(a->op.hlc.b, b->op.hlc.b, HEARTH_HLC_BYTES);

	if (c == 0 && a->op.id.seq != b->op.id.seq)
		c = a->op.id.seq < b->op.id.seq ? -1 : 1;
	return c;
}

/* Reads the ops of record that wait for it (state ORPHAN), ordered by
 * (HLC, seq), into *out.  The statement is done with before any is merged
 * (merging one may read the ops of another record). */
static hearth_status ops_of_record(hearth_store *s, const hearth_id *record,
				   stored_op **out, size_t *n)
{
	sqlite3_stmt *st = s->st[ST_OP_WAITING];
	stored_op *list = NULL;
	hearth_status ret = HEARTH_OK;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	bind_blob(st, 1, record->b, sizeof record->b);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			stored_op *nl = realloc(list, ncap * sizeof *nl);

			if (nl == NULL) {
				ret = hearth_fail(HEARTH_ENOMEM, "cannot merge ops: out of memory");
				break;
			}
			list = nl;
			cap = ncap;
		}
		if (!stored_op_read(&list[(*n)++], st, 1)) {
			ret = hearth_fail(HEARTH_ENOMEM, "cannot merge ops: out of memory");
			break;
		}
		list[*n - 1].arrival = (uint64_t)sqlite3_column_int64(st, 0);
	}
	if (ret == HEARTH_OK && rc != SQLITE_DONE)
		ret = db_fail(s->db, rc, "cannot read the op log");
	sqlite3_reset(st);
	if (ret == HEARTH_OK && *n > 1)
		qsort(list, *n, sizeof *list, cmp_stored_hlc);
	*out = list;
	return ret;
}

static void ops_free(stored_op *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		stored_op_release(&list[i]);
	free(list);
}

/* Merges each op of list (ops waiting for their record) in turn and
 * records its state (one at a time: an op still waiting counts as not
 * merged for those after it).  A merged op leaves op_wait; its row, which
 * says 0 already, is rewritten only when it ends otherwise. */
static hearth_status merge_list(hearth_store *s, stored_op *list, size_t n)
{
	sqlite3_stmt *st = s->st[ST_OP_STATE_AT];
	sqlite3_stmt *take = s->st[ST_WAIT_TAKE];
	hearth_status ret = HEARTH_OK;
	size_t i;

	for (i = 0; i < n && ret == HEARTH_OK; i++) {
		hearth_op_state state;
		const char *why;

		ret = merge_held(s, &list[i].op, NULL, &state, &why);
		if (ret != HEARTH_OK || state == HEARTH_OP_ORPHAN)
			continue;
		bind_blob(take, 1, list[i].op.record.b, sizeof list[i].op.record.b);
		sqlite3_bind_int64(take, 2, (sqlite3_int64)list[i].arrival);
		ret = run(s, ST_WAIT_TAKE, "cannot update the op log");
		if (ret != HEARTH_OK || state == HEARTH_OP_APPLIED)
			continue;
		sqlite3_bind_int64(st, 1, (sqlite3_int64)list[i].arrival);
		sqlite3_bind_int(st, 2, (int)state);
		bind_text(st, 3, why);
		ret = run(s, ST_OP_STATE_AT, "cannot update the op log");
	}
	return ret;
}

/* Rebuilds record from the ops held for it, as if each had just arrived:
 * its fields, concurrent values and replaced ids are cleared, every op of
 * it that is merged, waiting or quarantined waits again, and the creating
 * op that binds it (the one its id derives from, else the first by (HLC,
 * seq)) makes the record anew; then the others merge in (HLC, seq) order.
 * Used when the ops that bind or fill a record change under it: its own
 * creating op coming after an impostor, or an op replaced by another
 * under the same id (see clash()).  Rare, so a scan of the record's ops
 * is fine.  A purged record stays as it is (an op waiting in it is
 * emptied); ops kept aside for their time wait for it as before; ops
 * naming this device's local space stay quarantined. */
static hearth_status rebuild(hearth_store *s, const hearth_id *record)
{
	static const char *const clear[] = {
		"DELETE FROM field WHERE record=?1",
		"DELETE FROM field_alt WHERE record=?1",
		"DELETE FROM replaced WHERE record=?1",
		"DELETE FROM record WHERE id=?1",
	};
	sqlite3_stmt *st = NULL;
	stored_op *list = NULL;
	const hearth_op *bind = NULL;
	hearth_status ret;
	size_t n = 0, i;
	recinfo r;
	int rc;

	ret = rec_get(s, record, &r);
	if (ret != HEARTH_OK)
		return ret;
	if (r.state == REC_PURGED) {
		/* An op that took an id of a purged record's op merges like
		 * any op that comes for it: emptied. */
		ret = ops_of_record(s, record, &list, &n);
		if (ret == HEARTH_OK)
			ret = merge_list(s, list, n);
		ops_free(list, n);
		return ret;
	}
	for (i = 0; i < sizeof clear / sizeof clear[0] && ret == HEARTH_OK; i++)
		ret = exec_once(s, clear[i], record, NULL, "cannot rebuild a record");
	if (ret != HEARTH_OK)
		return ret;
	rec_note(s, record, REC_ABSENT, NULL, NULL);
	/* Each such op waits: its row says 0, op_wait lists it. */
	rc = sqlite3_prepare_v2(s->db, "UPDATE op SET state=0, reason=NULL "
		"WHERE record=?1 AND state=3 AND space <> ?2",
		-1, &st, NULL);
	if (rc == SQLITE_OK) {
		bind_blob(st, 1, record->b, sizeof record->b);
		bind_blob(st, 2, s->local.b, sizeof s->local.b);
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE)
		ret = db_fail(s->db, rc, "cannot rebuild a record");
	sqlite3_finalize(st);
	if (ret == HEARTH_OK)
		ret = exec_once(s, "INSERT OR IGNORE INTO op_wait(record,arrival) "
				"SELECT record, arrival FROM op WHERE record=?1 AND state=0",
				record, NULL, "cannot rebuild a record");
	if (ret == HEARTH_OK)
		ret = ops_of_record(s, record, &list, &n);
	for (i = 0; ret == HEARTH_OK && i < n; i++) {
		const hearth_op *op = &list[i].op;
		hearth_id own;

		if (strcmp(op->field, HEARTH_FIELD_KIND) != 0)
			continue;
		if (bind == NULL)
			bind = op;
		own = hearth_op_record_id(op);
		if (hearth_id_equal(&own, record)) {
			bind = op;
			break;
		}
	}
	/* Without a creating op every op of the record waits for one. */
	if (ret == HEARTH_OK && bind != NULL) {
		st = s->st[ST_REC_INSERT];
		bind_blob(st, 1, record->b, sizeof record->b);
		bind_blob(st, 2, bind->space.b, sizeof bind->space.b);
		bind_text(st, 3, bind->kind);
		bind_blob(st, 4, bind->hlc.b, sizeof bind->hlc.b);
		ret = run(s, ST_REC_INSERT, "cannot rebuild a record");
		if (ret == HEARTH_OK) {
			rec_note(s, record, REC_BOUND, &bind->space, bind->kind);
			ret = merge_list(s, list, n);
		}
	}
	ops_free(list, n);
	return ret;
}

/* Removes the value (and replaced ids) of a held op: its record is purged. */
static hearth_status blank_op(hearth_store *s, const hearth_op *op)
{
	return exec_once(s, "UPDATE op SET value=NULL, prev=NULL "
			 "WHERE record=?1 AND device=?2 AND seq=?3",
			 &op->record, &op->id, "cannot purge a record");
}

/* The purge op p has merged: everything of its record but the fact of the
 * purge goes.  A scan of the op log: purges are rare. */
static hearth_status purge(hearth_store *s, const hearth_op *p)
{
	static const char *const sql[] = {
		"UPDATE record SET deleted=2 WHERE id=?1",
		"DELETE FROM field WHERE record=?1 AND name <> '" HEARTH_FIELD_PURGED "'",
		"DELETE FROM field_alt WHERE record=?1",
		"DELETE FROM op_conflict WHERE record=?1",
		"UPDATE op SET value=NULL, prev=NULL, state=4, "
		"reason='its record was purged' WHERE record=?1 AND "
		"NOT (device=?2 AND seq=?3)",
		"DELETE FROM op_wait WHERE record=?1",
	};
	hearth_status ret = HEARTH_OK;
	size_t i;

	for (i = 0; i < sizeof sql / sizeof sql[0] && ret == HEARTH_OK; i++)
		ret = exec_once(s, sql[i], &p->record, i == 4 ? &p->id : NULL,
				"cannot purge a record");
	if (ret == HEARTH_OK)
		rec_note(s, &p->record, REC_PURGED, NULL, NULL);
	return ret;
}

/* A tombstone or purge of a control-plane record (space, member, epoch):
 * never written.  Membership is a fold of these records' ops
 * (hearth/space.h); emptying one would let any member who may write to a
 * space undo removals, cutoffs and key wraps on every replica.  Refused
 * locally, quarantined at merge (kept, not applied, reported). */
static int control_tombstone(const char *kind, const char *field)
{
	return hearth_kind_is_control(kind) &&
	       (strcmp(field, HEARTH_FIELD_DELETED) == 0 ||
		strcmp(field, HEARTH_FIELD_PURGED) == 0);
}

/* Steps 2 and 3 of the file comment for an op already in the log; *state
 * is what became of it (the caller records anything but APPLIED). */
static hearth_status merge_held(hearth_store *s, const hearth_op *op,
				const fstate *known, hearth_op_state *state,
				const char **why)
{
	sqlite3_stmt *st;
	hearth_status ret;
	recinfo r;
	int rc, is_kind = strcmp(op->field, HEARTH_FIELD_KIND) == 0, created = 0;

	*state = HEARTH_OP_APPLIED;
	*why = NULL;
	ret = rec_get(s, &op->record, &r);
	if (ret != HEARTH_OK)
		return ret;
	if (r.state == REC_PURGED) {
		/* Another purge of it still merges (every replica keeps the
		 * same purge op); anything else is emptied. */
		if (strcmp(op->field, HEARTH_FIELD_PURGED) == 0)
			return merge_field(s, op, known, 0);
		*state = HEARTH_OP_PURGED;
		*why = "its record was purged";
		return blank_op(s, op);
	}
	if (r.state == REC_BOUND) {
		if (!hearth_id_equal(&r.space, &op->space))
			*why = "names another space than its record's";
		else if (strcmp(r.kind, op->kind) != 0)
			*why = "names another kind than its record's";
		if (*why != NULL && is_kind) {
			hearth_id own = hearth_op_record_id(op);

			if (hearth_id_equal(&own, &op->record))
				return rebuild(s, &op->record);
		}
	} else if (is_kind) {
		created = 1;
	} else {
		*state = HEARTH_OP_ORPHAN;
		return HEARTH_OK;
	}
	if (*why == NULL && r.state == REC_BOUND && control_tombstone(r.kind, op->field))
		*why = "deletes or erases a record of a space's control plane";
	if (*why != NULL) {
		*state = HEARTH_OP_QUARANTINED;
		return HEARTH_OK;
	}
	if (created) {
		st = s->st[ST_REC_INSERT];
		bind_blob(st, 1, op->record.b, sizeof op->record.b);
		bind_blob(st, 2, op->space.b, sizeof op->space.b);
		bind_text(st, 3, op->kind);
		bind_blob(st, 4, op->hlc.b, sizeof op->hlc.b);
		ret = run(s, ST_REC_INSERT, "cannot save a record");
		if (ret == HEARTH_OK)
			rec_note(s, &op->record, REC_BOUND, &op->space, op->kind);
	} else if (is_kind) {
		/* A second, agreeing creating op: `created` is the earliest. */
		sqlite3_stmt *u = NULL;

		rc = sqlite3_prepare_v2(s->db, "UPDATE record SET created=?2 "
			"WHERE id=?1 AND created > ?2", -1, &u, NULL);
		if (rc == SQLITE_OK) {
			bind_blob(u, 1, op->record.b, sizeof op->record.b);
			bind_blob(u, 2, op->hlc.b, sizeof op->hlc.b);
			rc = sqlite3_step(u);
		}
		if (rc != SQLITE_DONE)
			ret = db_fail(s->db, rc, "cannot save a record");
		sqlite3_finalize(u);
	}
	if (ret != HEARTH_OK)
		return ret;
	if (op->field[0] != '_' && kind_immutable(s, op->kind))
		ret = merge_once(s, op, state, why);
	else
		ret = merge_field(s, op, known, 0);
	if (ret == HEARTH_OK && created)
		ret = release_orphans(s, &op->record);
	if (ret == HEARTH_OK && strcmp(op->field, HEARTH_FIELD_PURGED) == 0)
		ret = purge(s, op);
	return ret;
}

/* Keeps an op that reuses a held id with other content. */
static hearth_status keep_conflict(hearth_store *s, const hearth_op *op,
				   const char *why)
{
	uint8_t prevbuf[16 * HEARTH_OP_PREV_MAX];
	recinfo r;
	hearth_status ret = rec_get(s, &op->record, &r);

	/* Nothing of a purged record is kept, a superseded op neither. */
	if (ret != HEARTH_OK || r.state == REC_PURGED)
		return ret;
	bind_op(s->st[ST_CONFLICT_INSERT], op, prevbuf);
	bind_text(s->st[ST_CONFLICT_INSERT], 11, why);
	return run(s, ST_CONFLICT_INSERT, "cannot keep a conflicting op");
}

/* Reads the op held under id into *out (owned: stored_op_release). */
static hearth_status op_read(hearth_store *s, const hearth_op_id *id,
			     stored_op *out)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	int rc = sqlite3_prepare_v2(s->db, "SELECT " OP_COLS ", " OP_STATE " FROM op "
				    "WHERE device=?1 AND seq=?2", -1, &st, NULL);

	memset(out, 0, sizeof *out);
	if (rc == SQLITE_OK) {
		bind_id(st, 1, id);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW) {
		if (!stored_op_read(out, st, 0))
			ret = hearth_fail(HEARTH_EDAMAGED, "vault damaged: an op is malformed");
		out->state = (hearth_op_state)sqlite3_column_int(st, 10);
	} else {
		ret = db_fail(s->db, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc,
			      "cannot read the op log");
	}
	sqlite3_finalize(st);
	return ret;
}

/* 1 when the conflict table holds an op with this hash. */
static hearth_status conflict_held(hearth_store *s, const uint8_t *hash, int *held)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	int rc = sqlite3_prepare_v2(s->db, "SELECT 1 FROM op_conflict WHERE hash=?1",
				    -1, &st, NULL);

	*held = 0;
	if (rc == SQLITE_OK) {
		bind_blob(st, 1, hash, HEARTH_OP_HASH_BYTES);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW)
		*held = 1;
	else if (rc != SQLITE_DONE)
		ret = db_fail(s->db, rc, "cannot read the op log");
	sqlite3_finalize(st);
	return ret;
}

static hearth_status merge_op(hearth_store *s, const hearth_op *op,
			      hearth_op_state state, const fstate *known,
			      int *outcome);

/* Writes again, under this store's device id now, the content of lost, an
 * op of its own that another op under the same id has replaced everywhere
 * (see clash()): same record, field, value and replaced ids, a new id and
 * a new HLC.  A creating op keeps its record's id (which then no longer
 * derives from it: the record binds to it like a record made before ids
 * were derived). */
static hearth_status reauthor(hearth_store *s, const hearth_op *lost)
{
	hearth_op op = *lost;
	hearth_status ret = hearth_clock_tick(&s->clock, &op.hlc);
	int outcome;

	if (ret != HEARTH_OK)
		return ret;
	op.id.device = s->clock.device;
	op.id.seq = s->seq + 1;
	hearth_op_seal(&op);
	ret = merge_op(s, &op, HEARTH_OP_APPLIED, NULL, &outcome);
	if (ret == HEARTH_OK)
		s->seq = op.id.seq;
	return ret;
}

#define REASON_LOST_ID "another op under its id has the smaller hash"

/* op reuses an id held with another hash (held_hash): two copies of one
 * vault wrote under one device id.  Every replica keeps, under the id,
 * the op with the smaller hash, and the other in the conflict table
 * (listed by hearth_store_ops and hearth_store_problems, forwarded, never
 * merged), so replicas that hold both agree whatever the order they came
 * in.  When op takes the id, the records of both ops are rebuilt.  The
 * store that wrote the losing op writes its content again under its own,
 * new device id (reauthor()), so nothing either copy wrote is lost.
 * state: what op would be if merged (APPLIED, FUTURE or QUARANTINED), or
 * ORPHAN when its record is known not to exist yet. */
static hearth_status clash(hearth_store *s, const hearth_op *op,
			   const uint8_t *held_hash, hearth_op_state state)
{
	uint8_t prevbuf[16 * HEARTH_OP_PREV_MAX];
	sqlite3_stmt *st = NULL;
	stored_op held;
	hearth_status ret;
	int seen, mine = issued_here(s, &op->id), rc;
	/* Either way it waits for the rebuilds below (see OP_STATE). */
	int waits = state == HEARTH_OP_APPLIED || state == HEARTH_OP_ORPHAN;

	ret = conflict_held(s, op->hash, &seen);
	if (ret != HEARTH_OK || seen)
		return ret;
	if (memcmp(op->hash, held_hash, HEARTH_OP_HASH_BYTES) > 0) {
		ret = keep_conflict(s, op, REASON_LOST_ID);
		if (ret == HEARTH_OK && op->id.device == s->clock.device)
			ret = move_device(s, "another copy of this vault wrote under "
					  "its device id");
		return ret;
	}
	ret = op_read(s, &op->id, &held);
	/* An op emptied by a purge is not kept: its content is gone, and
	 * its hash would no longer match it. */
	if (ret == HEARTH_OK && held.state != HEARTH_OP_PURGED)
		ret = keep_conflict(s, &held.op, REASON_LOST_ID);
	/* op takes the id, with a new arrival number (a peer paging by
	 * arrival gets it), waiting to be merged by the rebuilds below. */
	if (ret == HEARTH_OK)
		ret = exec_once(s, "DELETE FROM op_wait WHERE record=?1 AND arrival="
				"(SELECT arrival FROM op WHERE device=?2 AND seq=?3)",
				&held.op.record, &op->id, "cannot replace an op");
	if (ret == HEARTH_OK) {
		rc = sqlite3_prepare_v2(s->db, "UPDATE op SET "
			"arrival=(SELECT max(arrival) FROM op)+1, hlc=?3, hash=?4, "
			"space=?5, record=?6, kind=?7, field=?8, value=?9, prev=?10, "
			"state=?11, reason=?12 WHERE device=?1 AND seq=?2", -1, &st, NULL);
		if (rc == SQLITE_OK) {
			bind_op(st, op, prevbuf);
			sqlite3_bind_int(st, 11, waits ? HEARTH_OP_APPLIED : (int)state);
			bind_text(st, 12, state == HEARTH_OP_QUARANTINED ?
				  "names this device's local space" : NULL);
			rc = sqlite3_step(st);
		}
		if (rc != SQLITE_DONE)
			ret = db_fail(s->db, rc, "cannot replace an op");
		sqlite3_finalize(st);
	}
	if (ret == HEARTH_OK && waits) {
		bind_id(s->st[ST_WAIT_ADD_ID], 1, &op->id);
		ret = run(s, ST_WAIT_ADD_ID, "cannot replace an op");
	}
	if (ret == HEARTH_OK)
		ret = rebuild(s, &held.op.record);
	if (ret == HEARTH_OK && !hearth_id_equal(&held.op.record, &op->record))
		ret = rebuild(s, &op->record);
	if (ret == HEARTH_OK && op->id.device == s->clock.device)
		ret = move_device(s, "another copy of this vault wrote under "
				  "its device id");
	if (ret == HEARTH_OK && mine && held.state != HEARTH_OP_PURGED)
		ret = reauthor(s, &held.op);
	stored_op_release(&held);
	return ret;
}

/* Appends op to the log in state `state` and, when APPLIED, merges it.
 * *outcome: the op's state, or -1 for a duplicate or a conflict. */
static hearth_status merge_op(hearth_store *s, const hearth_op *op,
			      hearth_op_state state, const fstate *known,
			      int *outcome)
{
	uint8_t prevbuf[16 * HEARTH_OP_PREV_MAX];
	uint8_t held_hash[HEARTH_OP_HASH_BYTES];
	sqlite3_stmt *st = s->st[ST_OP_INSERT];
	hearth_status ret;
	const char *why;
	int held;

	*outcome = -1;
	if (state == HEARTH_OP_APPLIED && s->rec != NULL) {
		/* While records are cached, an op whose record is not created
		 * yet goes in waiting at once (merge_held would say so). */
		recinfo r;

		ret = rec_get(s, &op->record, &r);
		if (ret != HEARTH_OK)
			return ret;
		if (r.state == REC_ABSENT && strcmp(op->field, HEARTH_FIELD_KIND) != 0)
			state = HEARTH_OP_ORPHAN;
	}
	bind_op(st, op, prevbuf);
	sqlite3_bind_int(st, 11, state == HEARTH_OP_ORPHAN ?
			 HEARTH_OP_APPLIED : (int)state); /* see OP_STATE */
	ret = run(s, ST_OP_INSERT, "cannot append to the op log");
	if (ret != HEARTH_OK)
		return ret;
	if (sqlite3_changes(s->db) > 0 && state == HEARTH_OP_ORPHAN) {
		sqlite3_stmt *w = s->st[ST_WAIT_ADD];

		bind_blob(w, 1, op->record.b, sizeof op->record.b);
		sqlite3_bind_int64(w, 2, sqlite3_last_insert_rowid(s->db));
		ret = run(s, ST_WAIT_ADD, "cannot append to the op log");
		*outcome = (int)state;
		return ret;
	}
	if (sqlite3_changes(s->db) == 0) {
		ret = op_lookup(s, &op->id, &held, NULL, held_hash);
		if (ret != HEARTH_OK || !held ||
		    memcmp(held_hash, op->hash, sizeof held_hash) == 0)
			return ret;
		return clash(s, op, held_hash, state);
	}
	*outcome = (int)state;
	if (state != HEARTH_OP_APPLIED)
		return HEARTH_OK;
	ret = merge_held(s, op, known, &state, &why);
	if (ret == HEARTH_OK && state != HEARTH_OP_APPLIED)
		ret = set_state(s, &op->id, state, why);
	*outcome = (int)state;
	return ret;
}

/* Merges the ops that waited for the creating op of record. */
static hearth_status release_orphans(hearth_store *s, const hearth_id *record)
{
	stored_op *list = NULL;
	size_t n = 0;
	hearth_status ret = ops_of_record(s, record, &list, &n);

	if (ret == HEARTH_OK)
		ret = merge_list(s, list, n);
	ops_free(list, n);
	return ret;
}

/* ---- local writes ---------------------------------------------------- */

static hearth_status check_text(const char *what, const char *t)
{
	if (t != NULL && !hearth_utf8_valid(t))
		return hearth_fail(HEARTH_EINVAL, "%s is not valid UTF-8 text", what);
	return HEARTH_OK;
}

/* After a rollback: the device id, the retired ids and the last seq as
 * the database holds them (the rollback may have undone ops of ours or a
 * move to a new device id).  Reads only: the detail of the failure that
 * caused the rollback stays, unless a read fails too. */
static void resync(hearth_store *s)
{
	uint8_t devb[8];
	uint64_t seq;
	int have = 0;

	if (meta_get(s, META_DEVICE, devb, sizeof devb, &have) == HEARTH_OK && have &&
	    be64_get(devb) != 0)
		s->clock.device = be64_get(devb);
	free(s->retired);
	free(s->retired_seq);
	s->retired = s->retired_seq = NULL;
	s->nretired = 0;
	(void)load_retired(s);
	if (max_seq(s, s->clock.device, &seq) == HEARTH_OK)
		s->seq = seq;
}

/* The values a local write to (record, name) replaces: the winner and every
 * concurrent value (alts: 0 when the field is known to have none), sorted.
 * *out is malloc'd (NULL when none). */
static hearth_status replaced_values(hearth_store *s, const hearth_id *record,
				     const char *name, const fstate *f, int alts,
				     hearth_op_id **out, size_t *n)
{
	sqlite3_stmt *st = s->st[ST_ALT_LIST];
	hearth_op_id *v = NULL;
	hearth_status ret = HEARTH_OK;
	size_t cap = 0, i, j;
	int rc;

	*out = NULL;
	*n = 0;
	if (!f->have)
		return HEARTH_OK;
	bind_blob(st, 1, record->b, sizeof record->b);
	bind_text(st, 2, name);
	do {
		hearth_op_id id;

		rc = alts ? sqlite3_step(st) : SQLITE_DONE;
		if (rc == SQLITE_ROW) {
			id.device = (uint64_t)sqlite3_column_int64(st, 0);
			id.seq = (uint64_t)sqlite3_column_int64(st, 1);
		} else {
			if (rc != SQLITE_DONE)
				ret = db_fail(s->db, rc, "cannot read a field");
			if (!f->live)
				break;
			id = f->id;
		}
		if (*n == cap) {
			hearth_op_id *nv;

			cap = cap ? 2 * cap : 4;
			nv = realloc(v, cap * sizeof *nv);
			if (nv == NULL) {
				ret = hearth_fail(HEARTH_ENOMEM, "cannot write a field: out of memory");
				break;
			}
			v = nv;
		}
		v[(*n)++] = id;
	} while (rc == SQLITE_ROW && ret == HEARTH_OK);
	sqlite3_reset(st);
	if (ret == HEARTH_OK && *n > HEARTH_OP_PREV_MAX)
		*n = HEARTH_OP_PREV_MAX; /* the rest stay concurrent */
	/* Insertion-sort the winner into place (the rest come sorted). */
	for (i = 1; ret == HEARTH_OK && i < *n; i++)
		for (j = i; j > 0 && hearth_op_id_cmp(&v[j - 1], &v[j]) > 0; j--) {
			hearth_op_id t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	if (ret != HEARTH_OK) {
		free(v);
		*n = 0;
		return ret;
	}
	*out = v;
	return HEARTH_OK;
}

/* Stamps, numbers and merges one local op; its kind, space and record are
 * set by the caller.  known: the field's winner (NULL for a creating op). */
static hearth_status write_op(hearth_store *s, hearth_op *op, const fstate *known)
{
	hearth_status ret = hearth_clock_tick(&s->clock, &op->hlc);
	int outcome;

	if (ret != HEARTH_OK)
		return ret;
	op->id.device = s->clock.device;
	op->id.seq = s->seq + 1;
	if (strcmp(op->field, HEARTH_FIELD_KIND) == 0)
		op->record = hearth_op_record_id(op);
	hearth_op_seal(op);
	ret = merge_op(s, op, HEARTH_OP_APPLIED, known, &outcome);
	if (ret == HEARTH_OK && outcome != HEARTH_OP_APPLIED)
		ret = hearth_fail(HEARTH_EDAMAGED,
			"vault damaged: the op log already holds op %llu of this device",
			(unsigned long long)op->id.seq);
	if (ret == HEARTH_OK)
		s->seq = op->id.seq;
	return ret;
}

/* Writes field of record id (which must exist). */
static hearth_status local_write(hearth_store *s, const hearth_id *id,
				 const char *field, const char *value)
{
	sqlite3_stmt *st = s->st[ST_LOCAL_GET];
	hearth_status ret;
	hearth_op op;
	hearth_op_id *prev = NULL;
	fstate f;
	char *kind = NULL;
	int own = 0, rc, alts = 0;

	memset(&op, 0, sizeof op);
	memset(&f, 0, sizeof f);
	ret = txn_enter(s, &own);
	if (ret != HEARTH_OK)
		return ret;
	bind_blob(st, 1, id->b, sizeof id->b);
	bind_text(st, 2, field);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int(st, 2) == RECORD_PURGED) {
		char hex[HEARTH_ID_HEX + 1];

		hearth_id_to_hex(id, hex);
		ret = hearth_fail(HEARTH_ESTATE, "record '%s' was purged", hex);
	} else if (rc == SQLITE_ROW) {
		col_bytes(st, 0, op.space.b, sizeof op.space.b);
		kind = xstrdup((const char *)sqlite3_column_text(st, 1));
		if (kind == NULL)
			ret = hearth_fail(HEARTH_ENOMEM, "cannot write a field: out of memory");
		/* The field's winner, as field_get reads it. */
		if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
			f.have = 1;
			col_bytes(st, 3, f.hlc.b, sizeof f.hlc.b);
			f.id.device = (uint64_t)sqlite3_column_int64(st, 4);
			f.id.seq = (uint64_t)sqlite3_column_int64(st, 5);
			f.live = sqlite3_column_int(st, 6) != 0;
		}
		alts = sqlite3_column_int(st, 7);
	} else if (rc == SQLITE_DONE) {
		char hex[HEARTH_ID_HEX + 1];

		hearth_id_to_hex(id, hex);
		ret = hearth_fail(HEARTH_ENOTFOUND, "no record has id '%s'", hex);
	} else {
		ret = db_fail(s->db, rc, "cannot read a record");
	}
	sqlite3_reset(st);
	if (ret == HEARTH_OK) {
		/* The merge of the op reads the record again: from memory. */
		rec_cache_start(s, 4);
		rec_note(s, id, REC_BOUND, &op.space, kind);
	}
	if (ret == HEARTH_OK && f.have && field[0] != '_' && kind_immutable(s, kind))
		ret = hearth_fail(HEARTH_ESTATE,
			"cannot change field '%s': a %-s is never changed once written",
			field, kind);
	if (ret == HEARTH_OK && control_tombstone(kind, field))
		ret = hearth_fail(HEARTH_ESTATE,
			"a %-s record of a space's control plane is never deleted or erased",
			kind);
	if (ret == HEARTH_OK)
		ret = replaced_values(s, id, field, &f, alts, &prev, &op.nprev);
	if (ret == HEARTH_OK) {
		op.record = *id;
		op.kind = kind;
		op.field = field;
		op.value = value;
		op.prev = prev;
		ret = write_op(s, &op, &f);
	}
	cache_end(s);
	free(prev);
	free(kind);
	return txn_leave(s, own, ret);
}

hearth_status hearth_record_create(hearth_store *s, const hearth_id *space,
				   const char *kind, hearth_id *out)
{
	hearth_status ret;
	hearth_op op;
	int own = 0;

	if (s == NULL || kind == NULL || kind[0] == '\0' || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot create a record: no kind given");
	ret = check_text("record kind", kind);
	if (ret == HEARTH_OK && strlen(kind) > HEARTH_OP_NAME_MAX)
		ret = hearth_fail(HEARTH_EINVAL, "record kind '%s' is too long", kind);
	if (ret != HEARTH_OK)
		return ret;
	ret = txn_enter(s, &own);
	if (ret != HEARTH_OK)
		return ret;
	memset(&op, 0, sizeof op);
	op.space = space != NULL ? *space : s->space;
	op.kind = kind; /* write_op derives the record id */
	op.field = HEARTH_FIELD_KIND;
	op.value = kind;
	ret = write_op(s, &op, NULL);
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
	if (ret == HEARTH_OK && strlen(field) > HEARTH_OP_NAME_MAX)
		ret = hearth_fail(HEARTH_EINVAL, "field name '%s' is too long", field);
	if (ret == HEARTH_OK && value != NULL && strlen(value) > HEARTH_OP_VALUE_MAX)
		ret = hearth_fail(HEARTH_EINVAL,
			"the value of field '%s' is longer than %u bytes", field,
			HEARTH_OP_VALUE_MAX);
	if (ret != HEARTH_OK)
		return ret;
	return local_write(s, id, field, value);
}

hearth_status hearth_record_purge(hearth_store *s, const hearth_id *id)
{
	if (s == NULL || id == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot purge a record: no id given");
	return local_write(s, id, HEARTH_FIELD_PURGED, "1");
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

static int cmp_op_ptr_hlc(const void *pa, const void *pb)
{
	const hearth_op *a = *(const hearth_op *const *)pa;
	const hearth_op *b = *(const hearth_op *const *)pb;
	int c = memcmp(a->hlc.b, b->hlc.b, HEARTH_HLC_BYTES);

	if (c == 0 && a->id.seq != b->id.seq)
		c = a->id.seq < b->id.seq ? -1 : 1;
	return c;
}

/* Merges one remote op (checked already). */
static hearth_status apply_one(hearth_store *s, const hearth_op *op,
			       size_t *deferred)
{
	hearth_status ret;
	int outcome;

	if (op->id.device == s->clock.device && op->id.seq > s->seq) {
		/* A peer holds an op of ours we do not: this vault is an
		 * older copy (restored, or its last writes were cut).  Never
		 * issue that seq again. */
		ret = move_device(s, "a peer holds ops of this device id that "
				  "this vault never wrote: it was restored or copied");
		if (ret != HEARTH_OK)
			return ret;
	}
	if (hearth_id_equal(&op->space, &s->local)) {
		/* Nothing of this space ever leaves the device: an op naming
		 * it from elsewhere is a copy's, or forged. */
		ret = merge_op(s, op, HEARTH_OP_QUARANTINED, NULL, &outcome);
		if (ret == HEARTH_OK && outcome == HEARTH_OP_QUARANTINED)
			ret = set_state(s, &op->id, HEARTH_OP_QUARANTINED,
					"names this device's local space");
		return ret;
	}
	ret = hearth_clock_observe(&s->clock, &op->hlc);
	if (ret == HEARTH_EFUTURE) {
		hearth_errdetail_clear();
		ret = merge_op(s, op, HEARTH_OP_FUTURE, NULL, &outcome);
		if (ret == HEARTH_OK && outcome == HEARTH_OP_FUTURE)
			(*deferred)++;
		return ret;
	}
	if (ret != HEARTH_OK)
		return ret;
	return merge_op(s, op, HEARTH_OP_APPLIED, NULL, &outcome);
}

/* hearth_store_apply; checked: every op has passed hearth_op_check and
 * has its hash computed already (see hearth_store_apply_opened). */
static hearth_status apply_ops(hearth_store *s, const hearth_op *ops, size_t n,
			       size_t *n_deferred, int checked)
{
	hearth_status ret = HEARTH_OK;
	const hearth_op **order = NULL;
	size_t i, deferred = 0;
	int own = 0;

	if (n_deferred != NULL)
		*n_deferred = 0;
	if (s == NULL || (ops == NULL && n > 0))
		return hearth_fail(HEARTH_EINVAL, "cannot apply ops: none given");
	/* Check the whole batch first: a malformed op changes nothing. */
	for (i = 0; i < n && !checked; i++) {
		const char *why = hearth_op_check(&ops[i]);

		if (why == NULL && !hearth_op_hash_ok(&ops[i]))
			why = N_("does not match its hash");
		if (why != NULL)
			return hearth_fail(HEARTH_EFORMAT, "op %zu %-s", i, why);
	}
	/* The merge does not depend on order, so the batch goes in HLC
	 * order: creating ops come before the writes to their records, and
	 * the op log's indexes grow at one end. */
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
	ret = cache_begin(s, n);
	for (i = 0; i < n && ret == HEARTH_OK; i++)
		ret = apply_one(s, order != NULL ? order[i] : &ops[i], &deferred);
	cache_end(s);
	ret = txn_leave(s, own, ret);
	if (ret == HEARTH_OK && n_deferred != NULL)
		*n_deferred = deferred;
out:
	free(order);
	return ret;
}

hearth_status hearth_store_apply(hearth_store *s, const hearth_op *ops,
				 size_t n, size_t *n_deferred)
{
	return apply_ops(s, ops, n, n_deferred, 0);
}

hearth_status hearth_store_apply_opened(hearth_store *s, const hearth_op *ops,
					size_t n, size_t *n_deferred)
{
	return apply_ops(s, ops, n, n_deferred, 1);
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
	ret = cache_begin(s, 0);
	if (ret != HEARTH_OK)
		goto leave;
	rc = sqlite3_prepare_v2(s->db, "SELECT " OP_COLS " FROM op "
		"WHERE state=1 AND hlc <= ?1 ORDER BY hlc LIMIT ?2", -1, &st, NULL);
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
			if (!stored_op_read(&chunk[n++], st, 0)) {
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
			hearth_op_state state;
			const char *why;

			ret = hearth_clock_observe(&s->clock, &chunk[i].op.hlc);
			if (ret == HEARTH_EFUTURE) {
				/* The wall clock stepped back meanwhile: the
				 * rest waits for the next retry. */
				hearth_errdetail_clear();
				ret = HEARTH_OK;
				done = 1;
				break;
			}
			if (ret == HEARTH_OK)
				ret = merge_held(s, &chunk[i].op, NULL, &state, &why);
			if (ret == HEARTH_OK)
				ret = set_state(s, &chunk[i].op.id, state, why);
			if (ret == HEARTH_OK && state == HEARTH_OP_APPLIED)
				applied++;
		}
		for (i = 0; i < n; i++)
			stored_op_release(&chunk[i]);
	}
leave:
	cache_end(s);
	ret = txn_leave(s, own, ret);
	if (ret == HEARTH_OK && n_applied != NULL)
		*n_applied = applied;
out:
	sqlite3_finalize(st);
	free(chunk);
	return ret;
}

/* Runs a one-column count query. */
static hearth_status count_rows(hearth_store *s, const char *sql, size_t *n)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	int rc;

	*n = 0;
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	else
		ret = db_fail(s->db, rc, "cannot count ops kept aside");
	sqlite3_finalize(st);
	return ret;
}

hearth_status hearth_store_pending_count(hearth_store *s, size_t *n)
{
	if (s == NULL || n == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store");
	return count_rows(s, "SELECT (SELECT count(*) FROM op WHERE state=1) + "
			  "(SELECT count(*) FROM op_wait)", n);
}

/* Runs a query whose columns are arrival, state, OP_COLS and calls cb for
 * each row.  bind_fn binds the query's parameters. */
static hearth_status list_ops(hearth_store *s, sqlite3_stmt *st,
			      hearth_op_cb cb, void *ctx)
{
	hearth_status ret = HEARTH_OK;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		stored_op o;
		int ok = stored_op_read(&o, st, 2), stop = 0;

		if (ok)
			stop = cb(&o.op, (uint64_t)sqlite3_column_int64(st, 0),
				  (hearth_op_state)sqlite3_column_int(st, 1), ctx);
		stored_op_release(&o);
		if (!ok)
			return hearth_fail(HEARTH_EDAMAGED, "vault damaged: an op is malformed");
		if (stop)
			return HEARTH_OK;
	}
	if (rc != SQLITE_DONE)
		ret = db_fail(s->db, rc, "cannot list ops");
	return ret;
}

hearth_status hearth_store_ops_since(hearth_store *s, uint64_t after,
				     hearth_op_cb cb, void *ctx)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret;
	int rc;

	if (s == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot list ops: no callback");
	/* A fresh statement per call: cb may call back into the store. */
	rc = sqlite3_prepare_v2(s->db, "SELECT arrival, " OP_STATE ", " OP_COLS " FROM op "
		"WHERE arrival > ?1 AND state < 4 AND space <> ?2 ORDER BY arrival",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "cannot list ops");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)after);
	bind_blob(st, 2, s->local.b, sizeof s->local.b);
	ret = list_ops(s, st, cb, ctx);
	sqlite3_finalize(st);
	return ret;
}

hearth_status hearth_store_ops(hearth_store *s, uint64_t device,
			       uint64_t from, uint64_t to,
			       hearth_op_cb cb, void *ctx)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret;
	int rc;

	if (s == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot list ops: no callback");
	/* The ops held, then under the same ids the ops they superseded. */
	rc = sqlite3_prepare_v2(s->db, device != 0 ?
		"SELECT * FROM (SELECT arrival, " OP_STATE ", " OP_COLS " FROM op "
		"WHERE device = ?3 AND seq BETWEEN ?1 AND ?2 AND state < 4 AND space <> ?4 "
		"UNION ALL SELECT 0, 5, " OP_COLS " FROM op_conflict WHERE device = ?3 "
		"AND seq BETWEEN ?1 AND ?2 AND space <> ?4) "
		"ORDER BY seq, arrival = 0, hash" :
		"SELECT * FROM (SELECT arrival, " OP_STATE ", " OP_COLS " FROM op "
		"WHERE seq BETWEEN ?1 AND ?2 AND state < 4 AND space <> ?4 "
		"UNION ALL SELECT 0, 5, " OP_COLS " FROM op_conflict "
		"WHERE seq BETWEEN ?1 AND ?2 AND space <> ?4) "
		"ORDER BY device < 0, device, seq, arrival = 0, hash",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "cannot list ops");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 2, to != 0 ? (sqlite3_int64)to : INT64_MAX);
	if (device != 0)
		sqlite3_bind_int64(st, 3, (sqlite3_int64)device);
	bind_blob(st, 4, s->local.b, sizeof s->local.b);
	ret = list_ops(s, st, cb, ctx);
	sqlite3_finalize(st);
	return ret;
}

/* The digest's term for one op: the first 8 bytes of its hash. */
static uint64_t hash_term(sqlite3_stmt *st, int c)
{
	uint8_t h[HEARTH_OP_HASH_BYTES];

	col_bytes(st, c, h, sizeof h);
	return be64_get(h);
}

hearth_status hearth_store_device_latest(hearth_store *s, uint64_t device,
					 hearth_hlc *hlc, int *found)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	int rc;

	if (s == NULL || hlc == NULL || found == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot read a device's ops: no output");
	*found = 0;
	memset(hlc, 0, sizeof *hlc);
	/* Backwards along the op_id index: one descent. */
	rc = sqlite3_prepare_v2(s->db, "SELECT hlc FROM op WHERE device=?1 "
				"ORDER BY seq DESC LIMIT 1", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)device);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW)
		*found = col_bytes(st, 0, hlc->b, sizeof hlc->b);
	else if (rc != SQLITE_DONE)
		ret = db_fail(s->db, rc, "cannot read the op log");
	sqlite3_finalize(st);
	return ret;
}

hearth_status hearth_store_heads(hearth_store *s, hearth_head_cb cb, void *ctx)
{
	sqlite3_stmt *st = NULL;
	hearth_device_head h;
	hearth_status ret = HEARTH_OK;
	int rc, have = 0, stop = 0;

	if (s == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot list devices: no callback");
	/* Each op held, and the superseded ops under held ids (op_conflict),
	 * by device.  Device ids are unsigned; SQLite compares them signed, so
	 * ids with the top bit set go after the others. */
	rc = sqlite3_prepare_v2(s->db, "SELECT * FROM ("
		"SELECT device, seq, hash, 0 AS extra FROM op "
		"UNION ALL SELECT device, seq, hash, 1 FROM op_conflict) "
		"ORDER BY device < 0, device", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "cannot list devices");
	memset(&h, 0, sizeof h);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t device = (uint64_t)sqlite3_column_int64(st, 0);
		uint64_t seq = (uint64_t)sqlite3_column_int64(st, 1);

		if (have && device != h.device) {
			stop = cb(&h, ctx) != 0;
			memset(&h, 0, sizeof h);
		}
		have = 1;
		h.device = device;
		h.digest += hash_term(st, 2);
		if (sqlite3_column_int(st, 3) == 0) {
			h.count++;
			if (seq > h.max_seq)
				h.max_seq = seq;
		}
	}
	if (!stop && rc == SQLITE_DONE && have)
		(void)cb(&h, ctx);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = db_fail(s->db, rc, "cannot list devices");
	sqlite3_finalize(st);
	return ret;
}

hearth_status hearth_store_problems(hearth_store *s, hearth_problem_cb cb,
				    void *ctx)
{
	/* Quarantined ops, then ops that reused a held id, then device moves
	 * (op columns NULL), each in the order they happened. */
	static const char sql[] =
		"SELECT 0, reason, " OP_COLS " FROM op WHERE state = 3 "
		"UNION ALL SELECT 1, reason, " OP_COLS " FROM op_conflict "
		"UNION ALL SELECT 2, reason, NULL, NULL, NULL, NULL, NULL, NULL, "
		"NULL, NULL, NULL, NULL FROM device_move";
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	int rc;

	if (s == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot list problems: no callback");
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "cannot list problems");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		hearth_store_problem p;
		stored_op o;
		int ok = 1, stop;

		memset(&o, 0, sizeof o);
		p.reason = (const char *)sqlite3_column_text(st, 1);
		p.op = NULL;
		if (sqlite3_column_int(st, 0) != 2) {
			ok = stored_op_read(&o, st, 2);
			p.op = &o.op;
		}
		stop = ok ? cb(&p, ctx) : 1;
		stored_op_release(&o);
		if (!ok) {
			ret = hearth_fail(HEARTH_EDAMAGED, "vault damaged: an op is malformed");
			break;
		}
		if (stop)
			break;
	}
	if (ret == HEARTH_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = db_fail(s->db, rc, "cannot list problems");
	sqlite3_finalize(st);
	return ret;
}

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

#define ALT_VALUES_SQL "SELECT o.value, a.device, a.seq, a.hlc FROM field_alt a " \
	"JOIN op o ON o.device = a.device AND o.seq = a.seq " \
	"WHERE a.record = ?1 AND a.name = ?2 ORDER BY a.hlc, a.seq"

hearth_status hearth_store_values(hearth_store *s, const hearth_id *id,
				  const char *field, hearth_value_cb cb, void *ctx)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	int rc, pass, stop = 0;

	if (s == NULL || id == NULL || field == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot list values: no field given");
	/* Pass 0: the winner; pass 1: the concurrent values. */
	for (pass = 0; pass < 2 && !stop && ret == HEARTH_OK; pass++) {
		rc = sqlite3_prepare_v2(s->db, pass == 0 ?
			"SELECT value, device, seq, hlc FROM field "
			"WHERE record = ?1 AND name = ?2" : ALT_VALUES_SQL,
			-1, &st, NULL);
		if (rc != SQLITE_OK)
			return db_fail(s->db, rc, "cannot list values");
		bind_blob(st, 1, id->b, sizeof id->b);
		bind_text(st, 2, field);
		while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			hearth_op_id oid;
			hearth_hlc hlc;

			oid.device = (uint64_t)sqlite3_column_int64(st, 1);
			oid.seq = (uint64_t)sqlite3_column_int64(st, 2);
			col_bytes(st, 3, hlc.b, sizeof hlc.b);
			stop = cb((const char *)sqlite3_column_text(st, 0), &oid, &hlc, ctx);
		}
		if (!stop && rc != SQLITE_DONE)
			ret = db_fail(s->db, rc, "cannot list values");
		sqlite3_finalize(st);
		st = NULL;
	}
	return ret;
}

/* Appends the "also" lines of field (record, name) to b. */
static int dump_alts(sqlite3_stmt *alt, strbuf *b, const hearth_id *record,
		     const char *name)
{
	int rc;

	bind_blob(alt, 1, record->b, sizeof record->b);
	bind_text(alt, 2, name);
	while ((rc = sqlite3_step(alt)) == SQLITE_ROW) {
		const char *value = (const char *)sqlite3_column_text(alt, 0);
		uint8_t hlc[HEARTH_HLC_BYTES];

		col_bytes(alt, 3, hlc, sizeof hlc);
		sb_str(b, "    also ");
		if (value != NULL)
			sb_quoted(b, value);
		else
			sb_str(b, "cleared");
		sb_str(b, " @ ");
		sb_bytes_hex(b, hlc, sizeof hlc);
		sb_str(b, "\n");
	}
	sqlite3_reset(alt);
	return rc;
}

hearth_status hearth_store_dump(hearth_store *s, char **out, size_t *len)
{
	sqlite3_stmt *alt = NULL;
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
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, ALT_VALUES_SQL, -1, &alt, NULL);
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
		rc = dump_alts(alt, &b, &cur, name);
		if (rc != SQLITE_DONE)
			break;
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
	sqlite3_finalize(alt);
	sqlite3_finalize(st);
	return ret;
}

/* ---- secrets and retired ids of this device ---------------------------- */

#define SECRET_PREFIX "secret."
#define SECRET_NAME_MAX 64u

/* The meta key of secret name: SECRET_PREFIX name, so that no secret can
 * take one of the store's own keys ("device", "clock", ...). */
static hearth_status secret_key(const char *name,
				char key[sizeof SECRET_PREFIX + SECRET_NAME_MAX])
{
	size_t n, i;

	n = name != NULL ? strlen(name) : 0;
	if (n == 0 || n > SECRET_NAME_MAX)
		return hearth_fail(HEARTH_EINVAL, "bad secret name '%s'", name ? name : "");
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '_' || name[i] == '.'))
			return hearth_fail(HEARTH_EINVAL, "bad secret name '%s'", name);
	memcpy(key, SECRET_PREFIX, sizeof SECRET_PREFIX - 1);
	memcpy(key + sizeof SECRET_PREFIX - 1, name, n + 1);
	return HEARTH_OK;
}

hearth_status hearth_store_secret_get(hearth_store *s, const char *name,
				      uint8_t *out, size_t cap, size_t *len,
				      int *found)
{
	char key[sizeof SECRET_PREFIX + SECRET_NAME_MAX];
	sqlite3_stmt *st;
	hearth_status ret;
	int rc;

	if (s == NULL || len == NULL || found == NULL || (out == NULL && cap > 0))
		return hearth_fail(HEARTH_EINVAL, "cannot read a secret: no place for it");
	*len = 0;
	*found = 0;
	if ((ret = secret_key(name, key)) != HEARTH_OK)
		return ret;
	st = s->st[ST_META_GET];
	bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);

		if (n > cap) {
			ret = hearth_fail(HEARTH_EDAMAGED,
				"vault damaged: meta value '%s' is malformed", key);
		} else {
			if (n > 0)
				memcpy(out, sqlite3_column_blob(st, 0), n);
			*len = n;
			*found = 1;
		}
	} else if (rc != SQLITE_DONE) {
		ret = db_fail(s->db, rc, "cannot read the store's settings");
	}
	/* The row's copy in SQLite's memory is wiped when freed
	 * (hearth_crypto_init's allocator). */
	sqlite3_reset(st);
	return ret;
}

hearth_status hearth_store_secret_put(hearth_store *s, const char *name,
				      const uint8_t *v, size_t len)
{
	char key[sizeof SECRET_PREFIX + SECRET_NAME_MAX];
	hearth_status ret;
	int own;

	if (s == NULL || (v == NULL && len > 0))
		return hearth_fail(HEARTH_EINVAL, "cannot save a secret: nothing to save");
	if (len > HEARTH_STORE_SECRET_MAX)
		return hearth_fail(HEARTH_EINVAL, "cannot save secret '%s': %zu bytes is too large",
				   name ? name : "", len);
	if ((ret = secret_key(name, key)) != HEARTH_OK)
		return ret;
	if ((ret = txn_enter(s, &own)) != HEARTH_OK)
		return ret;
	/* A zero-length blob must still be a blob (meta.value is NOT NULL). */
	ret = meta_put(s, key, len > 0 ? v : (const void *)"", len);
	return txn_leave(s, own, ret);
}

size_t hearth_store_retired_devices(const hearth_store *s, const uint64_t **ids)
{
	if (ids != NULL)
		*ids = s != NULL ? s->retired : NULL;
	return s != NULL ? s->nretired : 0;
}

hearth_status hearth_store_secret_each(hearth_store *s, const char *prefix,
				       hearth_secret_cb cb, void *ctx)
{
	char key[sizeof SECRET_PREFIX + SECRET_NAME_MAX];
	size_t plen = prefix != NULL ? strlen(prefix) : 0;
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	int rc;

	if (s == NULL || cb == NULL || plen > SECRET_NAME_MAX)
		return hearth_fail(HEARTH_EINVAL, "cannot list secrets: no callback");
	memcpy(key, SECRET_PREFIX, sizeof SECRET_PREFIX - 1);
	memcpy(key + sizeof SECRET_PREFIX - 1, prefix != NULL ? prefix : "", plen + 1);
	/* substr() compares bytes, so no prefix character acts as a
	 * wildcard. */
	rc = sqlite3_prepare_v2(s->db, "SELECT key, value FROM meta "
		"WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s->db, rc, "cannot list secrets");
	bind_text(st, 1, key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (cb(name + sizeof SECRET_PREFIX - 1, sqlite3_column_blob(st, 1),
		       (size_t)sqlite3_column_bytes(st, 1), ctx) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_fail(s->db, rc, "cannot list secrets");
	sqlite3_finalize(st);
	return ret;
}

hearth_status hearth_store_private_space_adopt(hearth_store *s, const hearth_id *space)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret;
	int rc, own, used = 0;

	if (s == NULL || space == NULL)
		return hearth_fail(HEARTH_EINVAL, "no space to adopt");
	if (memcmp(space->b, s->space.b, sizeof space->b) == 0)
		return HEARTH_OK;
	if ((ret = txn_enter(s, &own)) != HEARTH_OK)
		return ret;
	rc = sqlite3_prepare_v2(s->db, "SELECT EXISTS(SELECT 1 FROM record WHERE space=?1) "
				"OR EXISTS(SELECT 1 FROM op WHERE space=?1)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, s->space.b, sizeof s->space.b, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			used = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		ret = db_fail(s->db, rc, "cannot read the store's records");
	else if (used)
		ret = hearth_fail(HEARTH_ESTATE,
			"this vault already holds records of its own private space");
	else
		ret = meta_put(s, META_SPACE, space->b, sizeof space->b);
	ret = txn_leave(s, own, ret);
	if (ret == HEARTH_OK)
		s->space = *space;
	return ret;
}
