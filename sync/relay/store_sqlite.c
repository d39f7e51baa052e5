/*
 * store_sqlite.c - the relay store in one SQLite file (store.h), the
 * default: `hearth-relay --store sqlite:PATH`.
 *
 * WAL with synchronous=FULL: a put has reached the disk when its commit
 * returns, so an acknowledged push survives kill -9 and a power cut.
 * Several relay processes may share the file: every write runs in a
 * BEGIN IMMEDIATE transaction (one writer at a time, busy_timeout to
 * wait), so sequence numbers stay unique and gap-free per space.
 *
 * The tables, chosen to keep what an envelope costs beyond its bytes
 * small (docs/BENCHMARKS.md measures it):
 *
 *   env(k, ctl, bytes)  one row per envelope; k, the rowid, is the space's
 *                       number << 40 | the envelope's seq, so a pull is a
 *                       range scan of the table itself with no index;
 *                       ctl is 1 for the control plane (epoch 0), which a
 *                       partial index lists for the membership fold.
 *                       The header fields and the id are not stored:
 *                       they are read again from the bytes.
 *   env_id(space, idp, seq)  the ids' first 8 bytes (idp, see id_prefix),
 *                       for idempotent puts, fetch by id and the ids of a
 *                       reconciliation bucket (WITHOUT ROWID, ordered by
 *                       idp, so a bucket is a range).  Not the whole id:
 *                       24 bytes less per envelope.  A prefix may be
 *                       shared (anyone can grind 2^32 envelopes for a
 *                       collision), so every match is confirmed by
 *                       hashing the stored bytes.
 *   space(no, id, max_seq, bytes, count, sum, control)  per space: the
 *                       counters of relay_space_state, updated in the
 *                       same transaction as the insert;
 *   bucket(space, b, count, sum)  the 256 per-bucket fingerprints, idem;
 *   nonce(device, nonce, t)  request nonces seen, forgotten after the
 *                       window;
 *   meta(k, v)          the instance id.
 *
 * A space's seqs stay below 2^40 and the spaces below 2^23: far beyond
 * what one relay holds, and checked.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "hearth/envelope.h"
#include "store_impl.h"
#include "store_sqlite.h"

#define SEQ_BITS 40
#define SEQ_MAX (((uint64_t)1 << SEQ_BITS) - 1)
#define SPACE_NO_MAX (((uint64_t)1 << (63 - SEQ_BITS)) - 1)

enum {
	Q_SPACE, Q_SPACE_ADD, Q_ID_SEQ, Q_ENV_ADD, Q_ID_ADD, Q_BUCKET, Q_BUCKET_SET,
	Q_SPACE_SET, Q_PULL, Q_PULL_CTL, Q_GET, Q_IDS, Q_IDS_LAST, Q_NONCE, Q_NONCE_PURGE,
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_SYNC_NORMAL, Q_SYNC_FULL, Q_COUNT
};

static const char *const sql_text[Q_COUNT] = {
	[Q_SPACE] = "SELECT no, max_seq, bytes, count, sum, control FROM space WHERE id = ?1",
	[Q_SPACE_ADD] = "INSERT INTO space(id, sum) VALUES (?1, zeroblob(32))",
	[Q_ID_SEQ] = "SELECT seq FROM env_id WHERE space = ?1 AND idp = ?2",
	[Q_ENV_ADD] = "INSERT INTO env(k, ctl, bytes) VALUES (?1, ?2, ?3)",
	[Q_ID_ADD] = "INSERT INTO env_id(space, idp, seq) VALUES (?1, ?2, ?3)",
	[Q_BUCKET] = "SELECT count, sum FROM bucket WHERE space = ?1 AND b = ?2",
	[Q_BUCKET_SET] = "INSERT OR REPLACE INTO bucket(space, b, count, sum) VALUES (?1, ?2, ?3, ?4)",
	[Q_SPACE_SET] = "UPDATE space SET max_seq = ?2, bytes = ?3, count = ?4, sum = ?5, "
			"control = ?6 WHERE no = ?1",
	[Q_PULL] = "SELECT k, bytes FROM env WHERE k > ?1 AND k <= ?2 ORDER BY k",
	[Q_PULL_CTL] = "SELECT k, bytes FROM env WHERE ctl = 1 AND k > ?1 AND k <= ?2 ORDER BY k",
	[Q_GET] = "SELECT bytes FROM env WHERE k = ?1",
	[Q_IDS] = "SELECT seq FROM env_id WHERE space = ?1 AND idp >= ?2 AND idp < ?3",
	[Q_IDS_LAST] = "SELECT seq FROM env_id WHERE space = ?1 AND idp >= ?2",
	[Q_NONCE] = "INSERT INTO nonce(device, nonce, t) VALUES (?1, ?2, ?3) "
		    "ON CONFLICT(device, nonce) DO UPDATE SET t = excluded.t WHERE t < ?4",
	[Q_NONCE_PURGE] = "DELETE FROM nonce WHERE t < ?1",
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_SYNC_NORMAL] = "PRAGMA synchronous=NORMAL",
	[Q_SYNC_FULL] = "PRAGMA synchronous=FULL",
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS space(no INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE,"
	" max_seq INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,"
	" count INTEGER NOT NULL DEFAULT 0, sum BLOB NOT NULL,"
	" control INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS bucket(space INTEGER NOT NULL, b INTEGER NOT NULL,"
	" count INTEGER NOT NULL, sum BLOB NOT NULL, PRIMARY KEY(space, b)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS env(k INTEGER PRIMARY KEY, ctl INTEGER NOT NULL,"
	" bytes BLOB NOT NULL);"
	"CREATE INDEX IF NOT EXISTS env_ctl ON env(ctl) WHERE ctl = 1;"
	"CREATE TABLE IF NOT EXISTS env_id(space INTEGER NOT NULL, idp INTEGER NOT NULL,"
	" seq INTEGER NOT NULL, PRIMARY KEY(space, idp, seq)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS nonce(device INTEGER NOT NULL, nonce BLOB NOT NULL,"
	" t INTEGER NOT NULL, PRIMARY KEY(device, nonce)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS nonce_t ON nonce(t);";

/* One writer at a time in this process.  SQLite lets one transaction
 * write at a time anyway; threads that find the file locked wait in its
 * busy handler, which sleeps for milliseconds at a time: queueing on a
 * mutex first turns that into a handover of microseconds.  Processes
 * sharing the file still meet in the busy handler. */
static pthread_mutex_t writer = PTHREAD_MUTEX_INITIALIZER;

typedef struct sqlite_store {
	struct relay_store base;
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
	int64_t purged;     /* when nonces were last forgotten */
	int have_instance;  /* instance holds the store's id (it never changes) */
	uint8_t instance[RELAY_INSTANCE_BYTES];
	char err[256];
} sqlite_store;

/* A space's row. */
typedef struct space_row {
	int64_t no;
	relay_space_state s;
} space_row;

static sqlite_store *of(relay_store *st)
{
	return (sqlite_store *)st;
}

static int db_fail(sqlite_store *s, const char *what)
{
	snprintf(s->err, sizeof s->err, "%s: %s", what, sqlite3_errmsg(s->db));
	return RELAY_EIO;
}

/* The statement q, reset and unbound, prepared on first use. */
static sqlite3_stmt *stmt(sqlite_store *s, int q)
{
	if (s->q[q] == NULL &&
	    sqlite3_prepare_v3(s->db, sql_text[q], -1, SQLITE_PREPARE_PERSISTENT,
			       &s->q[q], NULL) != SQLITE_OK)
		return NULL;
	sqlite3_reset(s->q[q]);
	sqlite3_clear_bindings(s->q[q]);
	return s->q[q];
}

/* Runs q (no rows wanted); 0 or RELAY_EIO. */
static int run(sqlite_store *s, sqlite3_stmt *q, const char *what)
{
	int rc;

	if (q == NULL)
		return db_fail(s, what);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : db_fail(s, what);
}

static int exec_q(sqlite_store *s, int q, const char *what)
{
	return run(s, stmt(s, q), what);
}

static void rollback(sqlite_store *s)
{
	sqlite3_stmt *q = stmt(s, Q_ROLLBACK);

	if (q != NULL) {
		sqlite3_step(q);
		sqlite3_reset(q);
	}
}

static void sqlite_close(relay_store *st)
{
	sqlite_store *s = of(st);
	int i;

	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->db);
	free(s);
}

static const char *sqlite_error(relay_store *st)
{
	return of(st)->err;
}

static int sqlite_instance(relay_store *st, uint8_t id[RELAY_INSTANCE_BYTES])
{
	sqlite_store *s = of(st);
	sqlite3_stmt *q;
	int rc = RELAY_EIO;

	if (s->have_instance) {
		memcpy(id, s->instance, RELAY_INSTANCE_BYTES);
		return 0;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT v FROM meta WHERE k = 'instance'", -1, &q,
			       NULL) != SQLITE_OK)
		return db_fail(s, "cannot read the instance id");
	if (sqlite3_step(q) == SQLITE_ROW &&
	    sqlite3_column_bytes(q, 0) == RELAY_INSTANCE_BYTES) {
		memcpy(id, sqlite3_column_blob(q, 0), RELAY_INSTANCE_BYTES);
		memcpy(s->instance, id, RELAY_INSTANCE_BYTES);
		s->have_instance = 1;
		rc = 0;
	} else {
		db_fail(s, "cannot read the instance id");
	}
	sqlite3_finalize(q);
	return rc;
}

/* Reads space's row into *r: 0, RELAY_ENOTFOUND or RELAY_EIO. */
static int space_get(sqlite_store *s, const uint8_t space[RELAY_SPACE_BYTES], space_row *r)
{
	sqlite3_stmt *q = stmt(s, Q_SPACE);
	int rc;

	if (q == NULL)
		return db_fail(s, "cannot read a space");
	sqlite3_bind_blob(q, 1, space, RELAY_SPACE_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(q);
		return RELAY_ENOTFOUND;
	}
	if (rc != SQLITE_ROW || sqlite3_column_bytes(q, 4) != HEARTH_FP_SUM_BYTES) {
		sqlite3_reset(q);
		return db_fail(s, "cannot read a space");
	}
	memset(r, 0, sizeof *r);
	r->no = sqlite3_column_int64(q, 0);
	r->s.max_seq = (uint64_t)sqlite3_column_int64(q, 1);
	r->s.bytes = (uint64_t)sqlite3_column_int64(q, 2);
	r->s.fp.count = (uint64_t)sqlite3_column_int64(q, 3);
	memcpy(r->s.fp.sum, sqlite3_column_blob(q, 4), HEARTH_FP_SUM_BYTES);
	r->s.control = (uint64_t)sqlite3_column_int64(q, 5);
	sqlite3_reset(q);
	return 0;
}

static int sqlite_space_add_locked(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES])
{
	sqlite_store *s = of(st);
	sqlite3_stmt *q;
	space_row r;
	int rc;

	if ((rc = exec_q(s, Q_BEGIN, "cannot begin")) != 0)
		return rc;
	rc = space_get(s, space, &r);
	if (rc == 0) {
		rollback(s);
		return RELAY_EEXIST;
	}
	if (rc != RELAY_ENOTFOUND)
		goto fail;
	if ((q = stmt(s, Q_SPACE_ADD)) != NULL)
		sqlite3_bind_blob(q, 1, space, RELAY_SPACE_BYTES, SQLITE_STATIC);
	if ((rc = run(s, q, "cannot add a space")) != 0)
		goto fail;
	if ((uint64_t)sqlite3_last_insert_rowid(s->db) > SPACE_NO_MAX) {
		snprintf(s->err, sizeof s->err, "too many spaces");
		rc = RELAY_EINVAL;
		goto fail;
	}
	if ((rc = exec_q(s, Q_COMMIT, "cannot commit")) != 0)
		goto fail;
	return 0;
fail:
	rollback(s);
	return rc;
}

static int sqlite_space_add(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES])
{
	int rc;

	pthread_mutex_lock(&writer);
	rc = sqlite_space_add_locked(st, space);
	pthread_mutex_unlock(&writer);
	return rc;
}

static int sqlite_space_exists(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES])
{
	space_row r;

	return space_get(of(st), space, &r);
}

/* An id's first 8 bytes as a signed integer that sorts as the bytes do
 * (big-endian, the top bit flipped). */
static int64_t id_prefix(const uint8_t id[RELAY_ID_BYTES])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | id[i];
	return (int64_t)(v ^ ((uint64_t)1 << 63));
}

/* The id of the envelope of space no at seq (hashing its stored bytes). */
static int stored_id(sqlite_store *s, int64_t no, uint64_t seq, uint8_t id[RELAY_ID_BYTES])
{
	sqlite3_stmt *q = stmt(s, Q_GET);
	int rc;

	if (q == NULL)
		return db_fail(s, "cannot read an envelope");
	sqlite3_bind_int64(q, 1, (int64_t)((uint64_t)no << SEQ_BITS | seq));
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		hearth_envelope_id(sqlite3_column_blob(q, 0), (size_t)sqlite3_column_bytes(q, 0), id);
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? 0 : db_fail(s, "cannot read an envelope");
}

/* The seq of id in space, if held: 0 (with *seq), RELAY_ENOTFOUND, RELAY_EIO. */
static int id_seq(sqlite_store *s, int64_t no, const uint8_t id[RELAY_ID_BYTES], uint64_t *seq)
{
	sqlite3_stmt *q = stmt(s, Q_ID_SEQ);
	uint8_t got[RELAY_ID_BYTES];
	int rc, step;

	if (q == NULL)
		return db_fail(s, "cannot look an id up");
	sqlite3_bind_int64(q, 1, no);
	sqlite3_bind_int64(q, 2, id_prefix(id));
	rc = RELAY_ENOTFOUND;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		uint64_t cand = (uint64_t)sqlite3_column_int64(q, 0);

		if ((rc = stored_id(s, no, cand, got)) != 0)
			break;
		if (memcmp(got, id, RELAY_ID_BYTES) == 0) {
			*seq = cand;
			break;
		}
		rc = RELAY_ENOTFOUND;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = db_fail(s, "cannot look an id up");
	sqlite3_reset(q);
	return rc;
}

/* Adds id to bucket id[0] of space no. */
static int bucket_add(sqlite_store *s, int64_t no, const uint8_t id[RELAY_ID_BYTES])
{
	sqlite3_stmt *q = stmt(s, Q_BUCKET);
	unsigned b = hearth_fp_bucket(id);
	hearth_fp fp;
	int rc;

	if (q == NULL)
		return db_fail(s, "cannot read a bucket");
	hearth_fp_init(&fp);
	sqlite3_bind_int64(q, 1, no);
	sqlite3_bind_int(q, 2, (int)b);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(q, 1) == HEARTH_FP_SUM_BYTES) {
		fp.count = (uint64_t)sqlite3_column_int64(q, 0);
		memcpy(fp.sum, sqlite3_column_blob(q, 1), HEARTH_FP_SUM_BYTES);
	} else if (rc != SQLITE_DONE) {
		sqlite3_reset(q);
		return db_fail(s, "cannot read a bucket");
	}
	sqlite3_reset(q);
	hearth_fp_add(&fp, id);
	if ((q = stmt(s, Q_BUCKET_SET)) != NULL) {
		sqlite3_bind_int64(q, 1, no);
		sqlite3_bind_int(q, 2, (int)b);
		sqlite3_bind_int64(q, 3, (int64_t)fp.count);
		sqlite3_bind_blob(q, 4, fp.sum, HEARTH_FP_SUM_BYTES, SQLITE_TRANSIENT);
	}
	return run(s, q, "cannot write a bucket");
}

/* One put inside the caller's transaction: 0 (stored or held, *added
 * says which), or an error after which the caller rolls back, or commits
 * what came before (RELAY_EQUOTA). */
static int put_in_txn(sqlite_store *s, const uint8_t space[RELAY_SPACE_BYTES],
		      const relay_envelope *e, uint64_t quota, uint64_t *seq, int *added)
{
	sqlite3_stmt *q;
	uint8_t check[RELAY_ID_BYTES];
	space_row r;
	uint64_t n;
	int rc;

	*added = 0;
	/* env_id keeps only a prefix; lookups confirm it by hashing what is
	 * stored, so the id must be the bytes' own. */
	hearth_envelope_id(e->bytes, e->len, check);
	if (memcmp(check, e->id, RELAY_ID_BYTES) != 0) {
		snprintf(s->err, sizeof s->err, "the id is not the envelope's BLAKE2b-256");
		return RELAY_EINVAL;
	}
	if ((rc = space_get(s, space, &r)) != 0)
		return rc;
	rc = id_seq(s, r.no, e->id, seq);
	if (rc != RELAY_ENOTFOUND)
		return rc; /* 0: held already */
	if (quota != 0 && (r.s.bytes + e->len > quota || e->len > quota)) {
		snprintf(s->err, sizeof s->err, "the space's quota is reached");
		return RELAY_EQUOTA;
	}
	n = r.s.max_seq + 1;
	if (n > SEQ_MAX) {
		snprintf(s->err, sizeof s->err, "the space holds too many envelopes");
		return RELAY_EINVAL;
	}
	if ((q = stmt(s, Q_ENV_ADD)) != NULL) {
		sqlite3_bind_int64(q, 1, (int64_t)((uint64_t)r.no << SEQ_BITS | n));
		sqlite3_bind_int(q, 2, e->epoch == 0);
		sqlite3_bind_blob64(q, 3, e->bytes, e->len, SQLITE_STATIC);
	}
	if ((rc = run(s, q, "cannot store an envelope")) != 0)
		return rc;
	if ((q = stmt(s, Q_ID_ADD)) != NULL) {
		sqlite3_bind_int64(q, 1, r.no);
		sqlite3_bind_int64(q, 2, id_prefix(e->id));
		sqlite3_bind_int64(q, 3, (int64_t)n);
	}
	if ((rc = run(s, q, "cannot store an id")) != 0)
		return rc;
	if ((rc = bucket_add(s, r.no, e->id)) != 0)
		return rc;
	hearth_fp_add(&r.s.fp, e->id);
	if ((q = stmt(s, Q_SPACE_SET)) != NULL) {
		sqlite3_bind_int64(q, 1, r.no);
		sqlite3_bind_int64(q, 2, (int64_t)n);
		sqlite3_bind_int64(q, 3, (int64_t)(r.s.bytes + e->len));
		sqlite3_bind_int64(q, 4, (int64_t)r.s.fp.count);
		sqlite3_bind_blob(q, 5, r.s.fp.sum, HEARTH_FP_SUM_BYTES, SQLITE_STATIC);
		sqlite3_bind_int64(q, 6, (int64_t)(r.s.control + (e->epoch == 0)));
	}
	if ((rc = run(s, q, "cannot update a space")) != 0)
		return rc;
	*seq = n;
	*added = 1;
	return 0;
}

/* Puts e[0..n) in one transaction; *done: how many were handled (the
 * first *done are stored or held).  RELAY_EQUOTA stops at e[*done] and
 * commits those before it; any other failure rolls all back (*done 0). */
static int put_many_locked(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
			   const relay_envelope *e, size_t n, uint64_t quota,
			   uint64_t *seq, int *added, size_t *done)
{
	sqlite_store *s = of(st);
	size_t i;
	int rc;

	*done = 0;
	if ((rc = exec_q(s, Q_BEGIN, "cannot begin")) != 0)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = put_in_txn(s, space, &e[i], quota, &seq[i], &added[i])) != 0)
			break;
	if (rc != 0 && rc != RELAY_EQUOTA) {
		rollback(s);
		return rc;
	}
	if (exec_q(s, Q_COMMIT, "cannot commit") != 0) {
		rollback(s);
		return RELAY_EIO;
	}
	*done = i;
	return rc;
}

static int sqlite_put_locked(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
			     const relay_envelope *e, uint64_t quota, uint64_t *seq, int *added)
{
	size_t done;

	*added = 0;
	return put_many_locked(st, space, e, 1, quota, seq, added, &done);
}

static int sqlite_put(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		      const relay_envelope *e, uint64_t quota, uint64_t *seq, int *added)
{
	int rc;

	pthread_mutex_lock(&writer);
	rc = sqlite_put_locked(st, space, e, quota, seq, added);
	pthread_mutex_unlock(&writer);
	return rc;
}

/* Fills e from a stored row: the header fields and the id are read
 * again from the bytes, which passed hearth_envelope_peek when put. */
static int row_envelope(sqlite_store *s, sqlite3_stmt *q, int col, relay_envelope *e)
{
	hearth_envelope_info info;

	e->bytes = sqlite3_column_blob(q, col);
	e->len = (size_t)sqlite3_column_bytes(q, col);
	if (hearth_envelope_peek(e->bytes, e->len, &info) != HEARTH_OK) {
		snprintf(s->err, sizeof s->err, "a stored envelope is damaged");
		return RELAY_EIO;
	}
	e->epoch = info.epoch;
	e->device = info.device;
	e->first_seq = info.first_seq;
	e->last_seq = info.last_seq;
	hearth_envelope_id(e->bytes, e->len, e->id);
	return 0;
}

static int sqlite_pull(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		       uint64_t after, size_t max_bytes, int control_only,
		       relay_envelope_cb cb, void *ctx, int *more)
{
	sqlite_store *s = of(st);
	sqlite3_stmt *q;
	relay_envelope e;
	size_t given = 0;
	space_row r;
	int rc, step, any = 0;

	if (more != NULL)
		*more = 0;
	if ((rc = space_get(s, space, &r)) != 0)
		return rc;
	if (after >= SEQ_MAX)
		return 0;
	if ((q = stmt(s, control_only ? Q_PULL_CTL : Q_PULL)) == NULL)
		return db_fail(s, "cannot read envelopes");
	sqlite3_bind_int64(q, 1, (int64_t)((uint64_t)r.no << SEQ_BITS | after));
	sqlite3_bind_int64(q, 2, (int64_t)((uint64_t)r.no << SEQ_BITS | SEQ_MAX));
	rc = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(q, 1);

		if (any && given + len > max_bytes) {
			if (more != NULL)
				*more = 1;
			break;
		}
		memset(&e, 0, sizeof e);
		e.seq = (uint64_t)sqlite3_column_int64(q, 0) & SEQ_MAX;
		if ((rc = row_envelope(s, q, 1, &e)) != 0)
			break;
		any = 1;
		given += len;
		if ((rc = cb(&e, ctx)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = db_fail(s, "cannot read envelopes");
	sqlite3_reset(q);
	return rc;
}

static int sqlite_get(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		      const uint8_t id[RELAY_ID_BYTES], relay_envelope_cb cb, void *ctx)
{
	sqlite_store *s = of(st);
	sqlite3_stmt *q;
	relay_envelope e;
	space_row r;
	uint64_t seq;
	int rc, step;

	if ((rc = space_get(s, space, &r)) != 0)
		return rc;
	if ((rc = id_seq(s, r.no, id, &seq)) != 0)
		return rc;
	if ((q = stmt(s, Q_GET)) == NULL)
		return db_fail(s, "cannot read an envelope");
	sqlite3_bind_int64(q, 1, (int64_t)((uint64_t)r.no << SEQ_BITS | seq));
	step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		memset(&e, 0, sizeof e);
		e.seq = seq;
		rc = row_envelope(s, q, 0, &e);
		if (rc == 0)
			rc = cb(&e, ctx);
	} else {
		rc = db_fail(s, "cannot read an envelope");
	}
	sqlite3_reset(q);
	return rc;
}

static int sqlite_state(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
			relay_space_state *out)
{
	space_row r;
	int rc = space_get(of(st), space, &r);

	if (rc == 0)
		*out = r.s;
	return rc;
}

static int sqlite_bucket(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
			 unsigned b, hearth_fp *out)
{
	sqlite_store *s = of(st);
	sqlite3_stmt *q;
	space_row r;
	int rc, step;

	if ((rc = space_get(s, space, &r)) != 0)
		return rc;
	if ((q = stmt(s, Q_BUCKET)) == NULL)
		return db_fail(s, "cannot read a bucket");
	hearth_fp_init(out);
	sqlite3_bind_int64(q, 1, r.no);
	sqlite3_bind_int(q, 2, (int)b);
	step = sqlite3_step(q);
	if (step == SQLITE_ROW && sqlite3_column_bytes(q, 1) == HEARTH_FP_SUM_BYTES) {
		out->count = (uint64_t)sqlite3_column_int64(q, 0);
		memcpy(out->sum, sqlite3_column_blob(q, 1), HEARTH_FP_SUM_BYTES);
	} else if (step != SQLITE_DONE) {
		rc = db_fail(s, "cannot read a bucket");
	}
	sqlite3_reset(q);
	return rc;
}

static int cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, RELAY_ID_BYTES);
}

static int sqlite_bucket_ids(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
			     unsigned b, relay_id_cb cb, void *ctx)
{
	sqlite_store *s = of(st);
	uint8_t lo[RELAY_ID_BYTES] = { 0 }, hi[RELAY_ID_BYTES] = { 0 };
	uint8_t (*ids)[RELAY_ID_BYTES] = NULL;
	size_t n = 0, cap = 0, i;
	sqlite3_stmt *q;
	uint64_t *seqs = NULL;
	space_row r;
	int rc, step;

	if ((rc = space_get(s, space, &r)) != 0)
		return rc;
	if ((q = stmt(s, b == 255 ? Q_IDS_LAST : Q_IDS)) == NULL)
		return db_fail(s, "cannot read ids");
	/* Bucket b: prefixes from b 00.. up to, not including, (b+1) 00..;
	 * the last bucket has no end. */
	lo[0] = (uint8_t)b;
	hi[0] = (uint8_t)(b + 1);
	sqlite3_bind_int64(q, 1, r.no);
	sqlite3_bind_int64(q, 2, id_prefix(lo));
	if (b != 255)
		sqlite3_bind_int64(q, 3, id_prefix(hi));
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			uint64_t *v = realloc(seqs, (cap ? 2 * cap : 64) * sizeof *v);

			if (v == NULL) {
				rc = RELAY_ENOMEM;
				break;
			}
			seqs = v;
			cap = cap ? 2 * cap : 64;
		}
		seqs[n++] = (uint64_t)sqlite3_column_int64(q, 0);
	}
	if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = db_fail(s, "cannot read ids");
	sqlite3_reset(q);
	/* The whole ids, from the stored bytes, in id order. */
	if (rc == 0 && n > 0 && (ids = malloc(n * sizeof *ids)) == NULL)
		rc = RELAY_ENOMEM;
	for (i = 0; rc == 0 && i < n; i++)
		rc = stored_id(s, r.no, seqs[i], ids[i]);
	if (rc == 0 && n > 0) {
		qsort(ids, n, sizeof *ids, cmp_id);
		for (i = 0; rc == 0 && i < n; i++)
			rc = cb(ids[i], ctx);
	}
	free(ids);
	free(seqs);
	return rc;
}

static int sqlite_nonce_locked(relay_store *st, uint64_t device, const uint8_t nonce[RELAY_NONCE_BYTES],
			int64_t t, int64_t now, int64_t window)
{
	sqlite_store *s = of(st);
	sqlite3_stmt *q;
	int rc;

	/* Forgetting is a delete over an index on t: at most once a second
	 * per handle, not once per request.  A nonce not yet forgotten but
	 * past the window is taken as new (the upsert's WHERE). */
	if (now != s->purged) {
		if ((q = stmt(s, Q_NONCE_PURGE)) != NULL)
			sqlite3_bind_int64(q, 1, now - window);
		if ((rc = run(s, q, "cannot forget old nonces")) != 0)
			return rc;
		s->purged = now;
	}
	/* Every request records its nonce: forcing each to the disk would
	 * cost a sync per pull.  They are written with synchronous=NORMAL
	 * (reaching the disk with the next put's sync or checkpoint); a power
	 * cut may forget the last moment's nonces, and a request replayed
	 * within the window after it would pass (docs/protocol.md §13). */
	if ((rc = exec_q(s, Q_SYNC_NORMAL, "cannot record a nonce")) != 0)
		return rc;
	if ((q = stmt(s, Q_NONCE)) != NULL) {
		sqlite3_bind_int64(q, 1, (int64_t)device);
		sqlite3_bind_blob(q, 2, nonce, RELAY_NONCE_BYTES, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, t);
		sqlite3_bind_int64(q, 4, now - window);
	}
	rc = run(s, q, "cannot record a nonce");
	if (rc == 0)
		rc = sqlite3_changes(s->db) == 1 ? 0 : RELAY_EREPLAY;
	if (exec_q(s, Q_SYNC_FULL, "cannot set synchronous=FULL") != 0)
		return RELAY_EIO;
	return rc;
}

static int sqlite_nonce(relay_store *st, uint64_t device, const uint8_t nonce[RELAY_NONCE_BYTES],
			int64_t t, int64_t now, int64_t window)
{
	int rc;

	pthread_mutex_lock(&writer);
	rc = sqlite_nonce_locked(st, device, nonce, t, now, window);
	pthread_mutex_unlock(&writer);
	return rc;
}

static const struct relay_store_vt sqlite_vt;

int relay_store_sqlite_put_many(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
				const relay_envelope *e, size_t n, uint64_t quota,
				uint64_t *seq, int *added, size_t *done)
{
	int rc;

	*done = 0;
	if (st->vt != &sqlite_vt)
		return RELAY_EINVAL;
	pthread_mutex_lock(&writer);
	rc = put_many_locked(st, space, e, n, quota, seq, added, done);
	pthread_mutex_unlock(&writer);
	return rc;
}

static const struct relay_store_vt sqlite_vt = {
	.close = sqlite_close,
	.error = sqlite_error,
	.instance = sqlite_instance,
	.space_add = sqlite_space_add,
	.space_exists = sqlite_space_exists,
	.put = sqlite_put,
	.pull = sqlite_pull,
	.get = sqlite_get,
	.state = sqlite_state,
	.bucket = sqlite_bucket,
	.bucket_ids = sqlite_bucket_ids,
	.nonce = sqlite_nonce,
};

/* Creates the schema and the instance id if they are not there. */
static int setup(sqlite_store *s)
{
	uint8_t id[RELAY_INSTANCE_BYTES];
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "PRAGMA foreign_keys=OFF;", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, "cannot set up the database");
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, "cannot set up the database");
	if (sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	randombytes_buf(id, sizeof id);
	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO meta(k, v) VALUES ('instance', ?1)",
			       -1, &q, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_blob(q, 1, id, sizeof id, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		goto fail;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	db_fail(s, "cannot set up the database");
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return RELAY_EIO;
}

int relay_store_sqlite_open(const char *path, relay_store **out, char *err, size_t errlen)
{
	sqlite_store *s;
	int rc;

	*out = NULL;
	if (sodium_init() < 0) {
		if (err != NULL)
			snprintf(err, errlen, "cannot start libsodium");
		return RELAY_EIO;
	}
	if ((s = calloc(1, sizeof *s)) == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "out of memory");
		return RELAY_ENOMEM;
	}
	s->base.vt = &sqlite_vt;
	s->purged = -1;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = db_fail(s, "cannot open the store");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 10000);
	if ((rc = setup(s)) != 0)
		goto fail;
	*out = &s->base;
	return 0;
fail:
	if (err != NULL)
		snprintf(err, errlen, "%s: %s", path, s->err);
	sqlite_close(&s->base);
	return rc;
}
