/*
 * store_pg.c - the relay store (store.h) on PostgreSQL through libpq, for
 * a relay of several processes sharing one database.
 *
 * Schema (created if absent, in one transaction under an advisory lock so
 * that two processes starting at once do not race on CREATE TABLE):
 *   relay_meta       one row: schema version and the store's instance id
 *   relay_spaces     per space: a small integer sid (the envelope rows
 *                    carry it instead of the 16-byte id), the greatest
 *                    seq given, count, bytes, control-plane count and the
 *                    fingerprint's sum (32 bytes, little-endian)
 *   relay_buckets    per (space, bucket): count and sum, kept by put
 *   relay_envelopes  the envelopes, keyed (sid, seq) and unique (sid, id)
 *   relay_nonces     (device, nonce) -> time, shared by every process
 *
 * Several processes put into one space: each put locks the space's row
 * (SELECT ... FOR UPDATE) before it takes max_seq + 1, inserts, and adds
 * to the sums, and holds the lock until COMMIT.  So puts into one space
 * are serialised and their numbers are unique and gap-free; and a seq is
 * committed before the next one is even assigned, so a reader pulling
 * after a cursor never sees N + 1 without N and never skips one.  The
 * fingerprints are read, added to and written back under the same lock
 * (a sum modulo 2^256 has no SQL type; the arithmetic is reconcile.c's).
 *
 * Every call runs prepared statements with binary parameters and
 * results.  A lost connection fails the call with RELAY_EIO and is reset
 * before the next one (a put whose COMMIT was lost may or may not have
 * been stored: the client retries it, and put is idempotent by id).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "hearth/envelope.h"
#include "hearth/reconcile.h"
#include "store_impl.h"
#include "store_pg.h"

#define SCHEMA_VERSION 1
/* pg_advisory_xact_lock key serialising schema creation ("hearth\0\13"). */
#define SCHEMA_LOCK "7522515086839581451"
/* Envelopes a step of a pull looks at: bounds what one step reads (their
 * lengths; the envelopes' bytes are sent only as far as the byte limit
 * reaches). */
#define PULL_STEP 1024
#define STR_(x) #x
#define STR(x) STR_(x)

/* Type oids of the parameters (pg_type.h is a server header). */
#define OID_BYTEA 17u
#define OID_INT8 20u

struct pg_store {
	struct relay_store base;
	PGconn *conn;
	uint8_t instance[RELAY_INSTANCE_BYTES];
	int64_t nonce_forgot; /* when expired nonces were last deleted */
	int ready;            /* the session is set up (session()) */
	char err[512];
};

enum stmt {
	S_SPACE,
	S_SPACE_ADD,
	S_LOCK,
	S_BUCKET_SUM,
	S_HELD,
	S_PUT,
	S_PAGE,
	S_PAGE_CONTROL,
	S_GET,
	S_STATE,
	S_BUCKET,
	S_BUCKET_IDS,
	S_NONCE,
	S_NONCE_FORGET,
	S_COUNT
};

#define ROW_COLUMNS "e.seq, e.id, e.epoch, e.device, e.first_seq, e.last_seq, e.bytes"
#define BY_SPACE "sid = (SELECT sid FROM relay_spaces WHERE space = $1)"

/* B: bytea, I: int8, per parameter. */
static const struct {
	const char *types;
	const char *sql;
} stmts[S_COUNT] = {
	[S_SPACE] = { "B", "SELECT sid FROM relay_spaces WHERE space = $1" },
	[S_SPACE_ADD] = { "B",
		"INSERT INTO relay_spaces (space) VALUES ($1) "
		"ON CONFLICT (space) DO NOTHING RETURNING sid" },
	/* The space's row, locked until COMMIT. */
	[S_LOCK] = { "B",
		"SELECT sid::int8, max_seq, bytes, count, sum FROM relay_spaces "
		"WHERE space = $1 FOR UPDATE" },
	/* A bucket's sums, read once the space's row is locked: in a
	 * statement of its own, so that it sees every put committed before
	 * the lock was granted.  (Joined into S_LOCK, the bucket's row came
	 * from the snapshot taken before waiting for the lock: PostgreSQL
	 * re-reads only the locked row after the wait, and concurrent puts
	 * lost each other's bucket sums; test_concurrent_puts.) */
	[S_BUCKET_SUM] = { "BI",
		"SELECT count, sum FROM relay_buckets WHERE " BY_SPACE " AND b = $2" },
	[S_HELD] = { "IB", "SELECT seq FROM relay_envelopes WHERE sid = $1 AND id = $2" },
	/* The envelope, and if it was new (not held already), the space's
	 * and the bucket's counters and sums: one statement, one round trip.
	 * Command tuples: 1 if stored now, 0 if held before. */
	[S_PUT] = { "IIBIIIIBIIBIB",
		"WITH ins AS (INSERT INTO relay_envelopes "
		"(sid, seq, id, epoch, device, first_seq, last_seq, bytes) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
		"ON CONFLICT (sid, id) DO NOTHING RETURNING sid), "
		"s AS (UPDATE relay_spaces SET max_seq = $2, count = count + 1, "
		"bytes = bytes + $9, control = control + $10, sum = $11 "
		"WHERE sid = (SELECT sid FROM ins)) "
		"INSERT INTO relay_buckets (sid, b, count, sum) SELECT sid, $12, 1, $13 FROM ins "
		"ON CONFLICT (sid, b) DO UPDATE SET count = relay_buckets.count + 1, "
		"sum = EXCLUDED.sum" },
	/* One step of a pull, in one statement: the next PULL_STEP envelopes
	 * after $2, each with the running sum of their lengths (the bytes
	 * themselves stay in TOAST until sent); those that fit in the budget
	 * $3 (and the first whatever its size when $4 = 1) come with their
	 * bytes, and the row just after the last that fits comes with NULL
	 * bytes, to say that more remain.  Rows past it are not sent. */
#define PAGE_SQL(where)                                                               \
	"SELECT seq, id, epoch, device, first_seq, last_seq, "                        \
	"CASE WHEN (n = 1 AND $4 = 1) OR run <= $3 THEN bytes END "                   \
	"FROM (SELECT " ROW_COLUMNS ", octet_length(e.bytes)::int8 AS len, "          \
	"row_number() OVER w AS n, sum(octet_length(e.bytes)) OVER w AS run "         \
	"FROM relay_envelopes e WHERE " BY_SPACE " AND seq > $2" where " "            \
	"WINDOW w AS (ORDER BY seq) ORDER BY seq LIMIT " STR(PULL_STEP) ") AS step "  \
	"WHERE n <= 2 OR run - len <= $3 ORDER BY seq"
	[S_PAGE] = { "BIII", PAGE_SQL("") },
	[S_PAGE_CONTROL] = { "BIII", PAGE_SQL(" AND epoch = 0") },
	[S_GET] = { "BB",
		"SELECT " ROW_COLUMNS " FROM relay_envelopes e WHERE " BY_SPACE " AND id = $2" },
	[S_STATE] = { "B",
		"SELECT max_seq, bytes, count, sum, control FROM relay_spaces WHERE space = $1" },
	[S_BUCKET] = { "BI",
		"SELECT b.count, b.sum FROM relay_spaces s LEFT JOIN relay_buckets b "
		"ON b.sid = s.sid AND b.b = $2 WHERE s.space = $1" },
	/* Ids of one bucket: from [b] up to, not including, [b + 1]. */
	[S_BUCKET_IDS] = { "BBB",
		"SELECT id FROM relay_envelopes WHERE " BY_SPACE
		" AND id >= $2 AND id < $3 ORDER BY id" },
	/* Accepted (one row returned) if new, or if its earlier use is
	 * older than the cutoff $4 and so forgotten.
	 *
	 * Committed without waiting for its WAL to reach the disk
	 * (synchronous_commit off for this statement's own transaction: the
	 * set_config in the FROM runs before the insert, and the setting
	 * ends with the commit).  Every other session sees the row as soon
	 * as it is committed, so a nonce is refused by every relay process at
	 * once; what a crash of the server, a power cut or a failover to a
	 * standby can lose is the nonces of the last moments (the WAL writer
	 * flushes within three wal_writer_delay, 600 ms by default), as the
	 * SQLite store's nonces can be lost (docs/protocol.md §13.3).
	 * Waiting for the flush cost more than the rest of a pull.  Never
	 * run these two inside a transaction block: the setting would last
	 * to its COMMIT.  Nothing else is written this way: a put commits
	 * with synchronous_commit on (session()). */
	[S_NONCE] = { "IBII",
		"INSERT INTO relay_nonces (device, nonce, t) SELECT $1, $2, $3 "
		"FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async "
		"ON CONFLICT (device, nonce) DO UPDATE SET t = EXCLUDED.t "
		"WHERE relay_nonces.t < $4 RETURNING 1" },
	/* Deleting forgotten nonces need not wait for the disk either. */
	[S_NONCE_FORGET] = { "I",
		"DELETE FROM relay_nonces WHERE t < $1 "
		"AND set_config('synchronous_commit', 'off', true) IS NOT NULL" },
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS relay_meta ("
	" one integer PRIMARY KEY CHECK (one = 1),"
	" version integer NOT NULL,"
	" instance bytea NOT NULL CHECK (octet_length(instance) = 16));"
	"CREATE TABLE IF NOT EXISTS relay_spaces ("
	" sid integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" space bytea NOT NULL UNIQUE CHECK (octet_length(space) = 16),"
	" max_seq bigint NOT NULL DEFAULT 0,"
	" count bigint NOT NULL DEFAULT 0,"
	" bytes bigint NOT NULL DEFAULT 0,"
	" control bigint NOT NULL DEFAULT 0,"
	" sum bytea NOT NULL DEFAULT decode(repeat('00', 32), 'hex')"
	"  CHECK (octet_length(sum) = 32));"
	"CREATE TABLE IF NOT EXISTS relay_buckets ("
	" sid integer NOT NULL REFERENCES relay_spaces,"
	" b integer NOT NULL CHECK (b BETWEEN 0 AND 255),"
	" count bigint NOT NULL,"
	" sum bytea NOT NULL CHECK (octet_length(sum) = 32),"
	" PRIMARY KEY (sid, b));"
	/* Eight-byte columns first: no padding between them. */
	"CREATE TABLE IF NOT EXISTS relay_envelopes ("
	" seq bigint NOT NULL,"
	" epoch bigint NOT NULL,"
	" device bigint NOT NULL,"
	" first_seq bigint NOT NULL,"
	" last_seq bigint NOT NULL,"
	" sid integer NOT NULL REFERENCES relay_spaces,"
	" id bytea NOT NULL CHECK (octet_length(id) = 32),"
	" bytes bytea NOT NULL,"
	" PRIMARY KEY (sid, seq),"
	" UNIQUE (sid, id));"
	/* Pulls of the control plane alone (the relay folds membership from
	 * it) read only the few epoch-0 rows. */
	"CREATE INDEX IF NOT EXISTS relay_envelopes_control"
	" ON relay_envelopes (sid, seq) WHERE epoch = 0;"
	"CREATE TABLE IF NOT EXISTS relay_nonces ("
	" device bigint NOT NULL,"
	" nonce bytea NOT NULL,"
	" t bigint NOT NULL,"
	" PRIMARY KEY (device, nonce));"
	"CREATE INDEX IF NOT EXISTS relay_nonces_t ON relay_nonces (t);";

/* Envelopes are ciphertext: compressing them is wasted work.  Run once,
 * when the table is new (ALTER TABLE takes a lock every put would wait
 * for). */
static const char schema_new_sql[] =
	"ALTER TABLE relay_envelopes ALTER COLUMN bytes SET STORAGE EXTERNAL";

static struct pg_store *pg(relay_store *st)
{
	return (struct pg_store *)st;
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* NOTICEs ("relation exists, skipping") are not news */
}

/* Copies libpq's message (one line, trailing newline dropped) after what. */
static void set_err(char *buf, size_t len, const char *what, const char *msg)
{
	size_t n;

	if (!buf || len == 0)
		return;
	snprintf(buf, len, "%s: %s", what, msg && *msg ? msg : "unknown error");
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

static int fail(struct pg_store *s, int code, const char *what, const char *msg)
{
	set_err(s->err, sizeof s->err, what, msg);
	return code;
}

static int exec_ok(PGconn *conn, const char *sql, const char *what, char *err,
		   size_t errlen)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(r);
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		set_err(err, errlen, what, PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : RELAY_EIO;
}

static int prepare_all(PGconn *conn, char *err, size_t errlen)
{
	for (int k = 0; k < S_COUNT; k++) {
		Oid types[16];
		int n = (int)strlen(stmts[k].types);
		char name[8];
		PGresult *r;
		int ok;

		for (int i = 0; i < n; i++)
			types[i] = stmts[k].types[i] == 'B' ? OID_BYTEA : OID_INT8;
		snprintf(name, sizeof name, "r%d", k);
		r = PQprepare(conn, name, stmts[k].sql, n, types);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			set_err(err, errlen, "cannot prepare the relay's statements",
				PQresultErrorMessage(r));
		PQclear(r);
		if (!ok)
			return RELAY_EIO;
	}
	return 0;
}

/* What each new session needs, at open and after a reconnection: an
 * acknowledged put is on disk whatever the server's default (COMMIT waits
 * for its WAL to be flushed), and the statements are prepared. */
static int session(PGconn *conn, char *err, size_t errlen)
{
	int rc = exec_ok(conn, "SET synchronous_commit = on",
			 "cannot set up the relay's session", err, errlen);

	return rc ? rc : prepare_all(conn, err, errlen);
}

/* After a failure: if the connection is gone, reconnect for the next call
 * (the failed call has reported RELAY_EIO already). */
static void recover(struct pg_store *s)
{
	if (PQstatus(s->conn) == CONNECTION_OK)
		return;
	s->ready = 0;
	PQreset(s->conn);
	if (PQstatus(s->conn) == CONNECTION_OK)
		s->ready = session(s->conn, NULL, 0) == 0;
}

/* Before a call: a session set up, reconnecting if recover() could not. */
static int ready(struct pg_store *s)
{
	char why[256] = "";

	if (s->ready)
		return 0;
	if (PQstatus(s->conn) != CONNECTION_OK)
		PQreset(s->conn);
	if (PQstatus(s->conn) != CONNECTION_OK)
		return fail(s, RELAY_EIO, "cannot reconnect to PostgreSQL",
			    PQerrorMessage(s->conn));
	if (session(s->conn, why, sizeof why) != 0)
		return fail(s, RELAY_EIO, "store", why);
	s->ready = 1;
	return 0;
}

/* Parameters of one statement, binary: integers as 8 bytes big-endian. */
struct params {
	int n;
	const char *val[16];
	int len[16];
	int fmt[16];
	uint8_t num[16][8];
};

static void p_u64(struct params *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p->num[p->n][i] = (uint8_t)(v >> (56 - 8 * i));
	p->val[p->n] = (const char *)p->num[p->n];
	p->len[p->n] = 8;
	p->fmt[p->n++] = 1;
}

static void p_bytes(struct params *p, const uint8_t *b, size_t len)
{
	p->val[p->n] = (const char *)b;
	p->len[p->n] = (int)len;
	p->fmt[p->n++] = 1;
}

/* Runs prepared statement k; NULL (error set, connection recovered) if
 * its status is not the one wanted.  The caller PQclears the result. */
static PGresult *run(struct pg_store *s, enum stmt k, const struct params *p,
		     ExecStatusType want)
{
	char name[8];
	PGresult *r;

	if (ready(s))
		return NULL;
	snprintf(name, sizeof name, "r%d", (int)k);
	r = PQexecPrepared(s->conn, name, p->n, p->val, p->len, p->fmt, 1);
	if (PQresultStatus(r) == want)
		return r;
	fail(s, RELAY_EIO, "store query failed",
	     r ? PQresultErrorMessage(r) : PQerrorMessage(s->conn));
	PQclear(r);
	recover(s);
	return NULL;
}

/* One statement of a pipeline: prepared statement k with p, or the
 * text sql (BEGIN, COMMIT) when sql is set.  r: its result if it had the
 * status wanted, else NULL. */
struct step {
	enum stmt k;
	const struct params *p;
	const char *sql;
	ExecStatusType want;
	PGresult *r;
};

/* Sends steps[0..n) at once and waits for their results together (libpq
 * pipeline mode): one round trip instead of n, which matters most while
 * a put holds its space's lock.  0 if every step had its wanted status
 * (COMMIT: also committed); else RELAY_EIO with the first failure as the
 * error (the steps after a failed one are skipped by the server).  The
 * caller PQclears each steps[i].r. */
static int pipeline(struct pg_store *s, struct step *steps, int n)
{
	PGconn *c = s->conn;
	PGresult *r;
	int rc = 0, sent = 0;

	for (int i = 0; i < n; i++)
		steps[i].r = NULL;
	if (ready(s))
		return RELAY_EIO;
	if (!PQenterPipelineMode(c)) {
		fail(s, RELAY_EIO, "store pipeline", PQerrorMessage(c));
		recover(s);
		return RELAY_EIO;
	}
	for (; sent < n; sent++) {
		struct step *st = &steps[sent];
		char name[8];
		int ok;

		st->r = NULL;
		if (st->sql) {
			ok = PQsendQueryParams(c, st->sql, 0, NULL, NULL, NULL, NULL, 1);
		} else {
			snprintf(name, sizeof name, "r%d", (int)st->k);
			ok = PQsendQueryPrepared(c, name, st->p->n, st->p->val, st->p->len,
						 st->p->fmt, 1);
		}
		if (!ok) {
			rc = fail(s, RELAY_EIO, "store query failed", PQerrorMessage(c));
			break;
		}
	}
	if (PQpipelineSync(c) != 1 && rc == 0)
		rc = fail(s, RELAY_EIO, "store pipeline", PQerrorMessage(c));
	for (int i = 0; i < sent && PQstatus(c) == CONNECTION_OK; i++) {
		struct step *st = &steps[i];
		int ok;

		r = PQgetResult(c);
		ok = r && PQresultStatus(r) == st->want;
		/* COMMIT of a failed transaction "succeeds" as ROLLBACK. */
		if (ok && st->sql && strcmp(st->sql, "COMMIT") == 0)
			ok = strcmp(PQcmdStatus(r), "COMMIT") == 0;
		if (ok)
			st->r = r;
		else if (rc == 0)
			rc = fail(s, RELAY_EIO, "store query failed",
				  r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r)
								: "not done");
		if (!ok)
			PQclear(r);
		/* Each statement's results end with NULL. */
		while ((r = PQgetResult(c)) != NULL)
			PQclear(r);
	}
	if (PQstatus(c) == CONNECTION_OK) {
		r = PQgetResult(c);
		if (PQresultStatus(r) != PGRES_PIPELINE_SYNC && rc == 0)
			rc = fail(s, RELAY_EIO, "store pipeline", "no end of pipeline");
		PQclear(r);
	} else if (rc == 0) {
		rc = fail(s, RELAY_EIO, "store query failed", PQerrorMessage(c));
	}
	if (!PQexitPipelineMode(c) && rc == 0)
		rc = fail(s, RELAY_EIO, "store pipeline", PQerrorMessage(c));
	if (rc)
		recover(s);
	return rc;
}

static void clear_steps(struct step *steps, int n)
{
	for (int i = 0; i < n; i++) {
		PQclear(steps[i].r);
		steps[i].r = NULL;
	}
}

static void rollback(struct pg_store *s)
{
	PGresult *r;

	if (PQtransactionStatus(s->conn) == PQTRANS_IDLE ||
	    PQtransactionStatus(s->conn) == PQTRANS_UNKNOWN)
		return;
	r = PQexec(s->conn, "ROLLBACK");
	PQclear(r);
	recover(s);
}

/* Result fields, binary.  A malformed row (wrong length) reads as -1 /
 * NULL, which callers report as RELAY_EIO. */
static int get_u64(const PGresult *r, int row, int col, uint64_t *v)
{
	const uint8_t *b = (const uint8_t *)PQgetvalue(r, row, col);
	int len = PQgetlength(r, row, col);

	if (PQgetisnull(r, row, col) || (len != 8 && len != 4))
		return -1;
	*v = 0;
	for (int i = 0; i < len; i++)
		*v = (*v << 8) | b[i];
	return 0;
}

static const uint8_t *get_fixed(const PGresult *r, int row, int col, int len)
{
	if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != len)
		return NULL;
	return (const uint8_t *)PQgetvalue(r, row, col);
}

static int malformed(struct pg_store *s, const char *what)
{
	return fail(s, RELAY_EIO, what, "the database holds a malformed row");
}

/* Reads the envelope in row of r (ROW_COLUMNS) into e. */
static int get_row(struct pg_store *s, const PGresult *r, int row, relay_envelope *e)
{
	const uint8_t *id = get_fixed(r, row, 1, RELAY_ID_BYTES);

	if (!id || get_u64(r, row, 0, &e->seq) || get_u64(r, row, 2, &e->epoch) ||
	    get_u64(r, row, 3, &e->device) || get_u64(r, row, 4, &e->first_seq) ||
	    get_u64(r, row, 5, &e->last_seq) || PQgetisnull(r, row, 6))
		return malformed(s, "envelope");
	memcpy(e->id, id, RELAY_ID_BYTES);
	e->bytes = (const uint8_t *)PQgetvalue(r, row, 6);
	e->len = (size_t)PQgetlength(r, row, 6);
	return 0;
}

/* Runs S_SPACE or S_SPACE_ADD: 0 if it gives the space's row, else
 * `none` with msg as the error. */
static int space_row(relay_store *st, enum stmt k, const uint8_t space[RELAY_SPACE_BYTES],
		     int none, const char *msg)
{
	struct pg_store *s = pg(st);
	struct params p = { 0 };
	PGresult *r;
	int rc;

	p_bytes(&p, space, RELAY_SPACE_BYTES);
	r = run(s, k, &p, PGRES_TUPLES_OK);
	if (!r)
		return RELAY_EIO;
	rc = PQntuples(r) == 1 ? 0 : none;
	PQclear(r);
	if (rc)
		fail(s, rc, "space", msg);
	return rc;
}

static int pg_space_exists(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES])
{
	return space_row(st, S_SPACE, space, RELAY_ENOTFOUND, "not registered");
}

static int pg_space_add(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES])
{
	return space_row(st, S_SPACE_ADD, space, RELAY_EEXIST, "registered already");
}

/* For put: the seq of id if the space numbered sid holds it (*seq),
 * else RELAY_ENOTFOUND. */
static int held(struct pg_store *s, uint64_t sid, const uint8_t id[RELAY_ID_BYTES],
		uint64_t *seq)
{
	struct params p = { 0 };
	PGresult *r;
	int rc = RELAY_ENOTFOUND;

	p_u64(&p, sid);
	p_bytes(&p, id, RELAY_ID_BYTES);
	r = run(s, S_HELD, &p, PGRES_TUPLES_OK);
	if (!r)
		return RELAY_EIO;
	if (PQntuples(r) == 1)
		rc = get_u64(r, 0, 0, seq) ? malformed(s, "put") : 0;
	PQclear(r);
	return rc;
}

/*
 * Two round trips: BEGIN, lock the space's row, read the bucket's sums;
 * then (unless over the quota) store and account, COMMIT.  The sums are
 * added here (reconcile.c) between the two.
 */
static int pg_put(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		  const relay_envelope *e, uint64_t quota, uint64_t *seq, int *added)
{
	struct pg_store *s = pg(st);
	struct params lock = { 0 }, bsum = { 0 }, put = { 0 };
	struct step one[3] = {
		{ .sql = "BEGIN", .want = PGRES_COMMAND_OK },
		{ .k = S_LOCK, .p = &lock, .want = PGRES_TUPLES_OK },
		{ .k = S_BUCKET_SUM, .p = &bsum, .want = PGRES_TUPLES_OK },
	};
	struct step two[2] = {
		{ .k = S_PUT, .p = &put, .want = PGRES_COMMAND_OK },
		{ .sql = "COMMIT", .want = PGRES_COMMAND_OK },
	};
	uint64_t sid, max_seq, bytes;
	hearth_fp all, bucket;
	const uint8_t *sum;
	uint8_t check[RELAY_ID_BYTES];
	const PGresult *r;
	unsigned b;
	int rc;

	if (!e || !e->bytes || e->len == 0 || e->len > INT32_MAX)
		return fail(s, RELAY_EINVAL, "put", "no envelope bytes, or too many");
	/* Ids are what idempotence and reconciliation go by: an id that is
	 * not the bytes' own would let one envelope pass for another. */
	hearth_envelope_id(e->bytes, e->len, check);
	if (sodium_memcmp(check, e->id, RELAY_ID_BYTES) != 0)
		return fail(s, RELAY_EINVAL, "put", "the id is not the envelope's BLAKE2b-256");
	b = hearth_fp_bucket(e->id);
	*added = 0;
	p_bytes(&lock, space, RELAY_SPACE_BYTES);
	p_bytes(&bsum, space, RELAY_SPACE_BYTES);
	p_u64(&bsum, b);
	rc = pipeline(s, one, 3);
	if (rc)
		goto out;
	r = one[1].r;
	if (PQntuples(r) != 1) {
		rc = fail(s, RELAY_ENOTFOUND, "put", "space not registered");
		goto out;
	}
	hearth_fp_init(&all);
	hearth_fp_init(&bucket);
	sum = get_fixed(r, 0, 4, HEARTH_FP_SUM_BYTES);
	if (get_u64(r, 0, 0, &sid) || get_u64(r, 0, 1, &max_seq) ||
	    get_u64(r, 0, 2, &bytes) || get_u64(r, 0, 3, &all.count) || !sum) {
		rc = malformed(s, "put");
		goto out;
	}
	memcpy(all.sum, sum, HEARTH_FP_SUM_BYTES);
	r = one[2].r;
	if (PQntuples(r) == 1) {
		sum = get_fixed(r, 0, 1, HEARTH_FP_SUM_BYTES);
		if (get_u64(r, 0, 0, &bucket.count) || !sum) {
			rc = malformed(s, "put");
			goto out;
		}
		memcpy(bucket.sum, sum, HEARTH_FP_SUM_BYTES);
	}

	/* Over the quota: refused, unless held already (a repeated push of
	 * an envelope stored before the space filled up is still answered). */
	if (quota && (bytes + e->len > quota || bytes + e->len < bytes)) {
		rc = held(s, sid, e->id, seq);
		if (rc == RELAY_ENOTFOUND)
			rc = fail(s, RELAY_EQUOTA, "put", "the space's quota is used up");
		goto out;
	}

	hearth_fp_add(&all, e->id);
	hearth_fp_add(&bucket, e->id);
	p_u64(&put, sid);
	p_u64(&put, max_seq + 1);
	p_bytes(&put, e->id, RELAY_ID_BYTES);
	p_u64(&put, e->epoch);
	p_u64(&put, e->device);
	p_u64(&put, e->first_seq);
	p_u64(&put, e->last_seq);
	p_bytes(&put, e->bytes, e->len);
	p_u64(&put, e->len);
	p_u64(&put, e->epoch == 0);
	p_bytes(&put, all.sum, HEARTH_FP_SUM_BYTES);
	p_u64(&put, b);
	p_bytes(&put, bucket.sum, HEARTH_FP_SUM_BYTES);
	rc = pipeline(s, two, 2);
	if (rc)
		goto out;
	if (strcmp(PQcmdTuples(two[0].r), "1") == 0) {
		*seq = max_seq + 1;
		*added = 1;
	} else {
		/* Held already: it keeps its number (committed, so visible now). */
		rc = held(s, sid, e->id, seq);
		if (rc == RELAY_ENOTFOUND)
			rc = fail(s, RELAY_EIO, "put", "an envelope neither stored nor held");
	}
out:
	clear_steps(one, 3);
	clear_steps(two, 2);
	rollback(s); /* nothing to undo once committed */
	return rc;
}

static int pg_pull(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		   uint64_t after, size_t max_bytes, int control_only,
		   relay_envelope_cb cb, void *ctx, int *more)
{
	struct pg_store *s = pg(st);
	size_t given = 0;
	int any = 0, rc = 0, left = 0;

	for (;;) {
		struct params p = { 0 };
		PGresult *r;
		int rows, fits = 0;

		p_bytes(&p, space, RELAY_SPACE_BYTES);
		p_u64(&p, after);
		p_u64(&p, max_bytes - given > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : max_bytes - given);
		p_u64(&p, !any); /* the first envelope goes whatever its size */
		r = run(s, control_only ? S_PAGE_CONTROL : S_PAGE, &p, PGRES_TUPLES_OK);
		if (!r)
			return RELAY_EIO;
		rows = PQntuples(r);
		for (int i = 0; i < rows; i++) {
			relay_envelope e;

			if (PQgetisnull(r, i, 6)) {
				left = 1; /* the first that does not fit */
				break;
			}
			rc = get_row(s, r, i, &e);
			if (rc == 0)
				rc = cb(&e, ctx);
			if (rc) {
				left = i + 1 < rows;
				break;
			}
			given += e.len > max_bytes - given ? max_bytes - given : e.len;
			after = e.seq;
			any = 1;
			fits++;
		}
		PQclear(r);
		/* Every row of the step fit: a full step may have more behind
		 * it, to read if the budget is not spent. */
		if (rc || left || fits < PULL_STEP)
			break;
		if (given >= max_bytes) {
			left = 1;
			break;
		}
	}
	if (rc == 0 && !any) {
		rc = pg_space_exists(st, space);
		if (rc)
			return rc;
	}
	if (more)
		*more = left;
	return rc;
}

static int pg_get(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		  const uint8_t id[RELAY_ID_BYTES], relay_envelope_cb cb, void *ctx)
{
	struct pg_store *s = pg(st);
	struct params p = { 0 };
	relay_envelope e;
	PGresult *r;
	int rc;

	p_bytes(&p, space, RELAY_SPACE_BYTES);
	p_bytes(&p, id, RELAY_ID_BYTES);
	r = run(s, S_GET, &p, PGRES_TUPLES_OK);
	if (!r)
		return RELAY_EIO;
	if (PQntuples(r) != 1)
		rc = fail(s, RELAY_ENOTFOUND, "get", "no such envelope");
	else if ((rc = get_row(s, r, 0, &e)) == 0)
		rc = cb(&e, ctx);
	PQclear(r);
	return rc;
}

static int pg_state(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		    relay_space_state *out)
{
	struct pg_store *s = pg(st);
	struct params p = { 0 };
	const uint8_t *sum;
	PGresult *r;
	int rc = 0;

	p_bytes(&p, space, RELAY_SPACE_BYTES);
	r = run(s, S_STATE, &p, PGRES_TUPLES_OK);
	if (!r)
		return RELAY_EIO;
	if (PQntuples(r) != 1) {
		rc = fail(s, RELAY_ENOTFOUND, "state", "space not registered");
		goto out;
	}
	memset(out, 0, sizeof *out);
	sum = get_fixed(r, 0, 3, HEARTH_FP_SUM_BYTES);
	if (get_u64(r, 0, 0, &out->max_seq) || get_u64(r, 0, 1, &out->bytes) ||
	    get_u64(r, 0, 2, &out->fp.count) || get_u64(r, 0, 4, &out->control) || !sum) {
		rc = malformed(s, "state");
		goto out;
	}
	memcpy(out->fp.sum, sum, HEARTH_FP_SUM_BYTES);
out:
	PQclear(r);
	return rc;
}

static int pg_bucket(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		     unsigned b, hearth_fp *out)
{
	struct pg_store *s = pg(st);
	struct params p = { 0 };
	const uint8_t *sum;
	PGresult *r;
	int rc = 0;

	if (b >= HEARTH_FP_BUCKETS)
		return fail(s, RELAY_EINVAL, "bucket", "bucket past 255");
	p_bytes(&p, space, RELAY_SPACE_BYTES);
	p_u64(&p, b);
	r = run(s, S_BUCKET, &p, PGRES_TUPLES_OK);
	if (!r)
		return RELAY_EIO;
	hearth_fp_init(out);
	if (PQntuples(r) != 1) {
		rc = fail(s, RELAY_ENOTFOUND, "bucket", "space not registered");
	} else if (!PQgetisnull(r, 0, 0)) {
		sum = get_fixed(r, 0, 1, HEARTH_FP_SUM_BYTES);
		if (get_u64(r, 0, 0, &out->count) || !sum)
			rc = malformed(s, "bucket");
		else
			memcpy(out->sum, sum, HEARTH_FP_SUM_BYTES);
	}
	PQclear(r);
	return rc;
}

static int pg_bucket_ids(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
			 unsigned b, relay_id_cb cb, void *ctx)
{
	struct pg_store *s = pg(st);
	struct params p = { 0 };
	/* An id is 32 bytes: every id of bucket 255 sorts below 33 bytes of 0xff. */
	uint8_t lo[1], hi[RELAY_ID_BYTES + 1];
	PGresult *r;
	int n, rc = 0;

	if (b >= HEARTH_FP_BUCKETS)
		return fail(s, RELAY_EINVAL, "bucket_ids", "bucket past 255");
	lo[0] = (uint8_t)b;
	memset(hi, 0xff, sizeof hi);
	if (b < 255)
		hi[0] = (uint8_t)(b + 1);
	p_bytes(&p, space, RELAY_SPACE_BYTES);
	p_bytes(&p, lo, 1);
	p_bytes(&p, hi, b == 255 ? sizeof hi : 1);
	r = run(s, S_BUCKET_IDS, &p, PGRES_TUPLES_OK);
	if (!r)
		return RELAY_EIO;
	n = PQntuples(r);
	for (int i = 0; rc == 0 && i < n; i++) {
		const uint8_t *id = get_fixed(r, i, 0, RELAY_ID_BYTES);

		rc = id ? cb(id, ctx) : malformed(s, "bucket_ids");
	}
	PQclear(r);
	if (rc == 0 && n == 0)
		rc = pg_space_exists(st, space);
	return rc;
}

static int pg_nonce(relay_store *st, uint64_t device, const uint8_t nonce[RELAY_NONCE_BYTES],
		    int64_t t, int64_t now, int64_t window)
{
	struct pg_store *s = pg(st);
	struct params p = { 0 };
	PGresult *r;
	int rc;

	p_u64(&p, device);
	p_bytes(&p, nonce, RELAY_NONCE_BYTES);
	p_u64(&p, (uint64_t)t);
	p_u64(&p, (uint64_t)(now - window));
	r = run(s, S_NONCE, &p, PGRES_TUPLES_OK);
	if (!r)
		return RELAY_EIO;
	rc = PQntuples(r) == 1 ? 0 : fail(s, RELAY_EREPLAY, "nonce", "used before");
	PQclear(r);

	/* Forgotten nonces already count as unused (S_NONCE); deleting them
	 * only keeps the table small, so once per window/8 is enough. */
	if (now - s->nonce_forgot >= window / 8) {
		s->nonce_forgot = now;
		p.n = 0;
		p_u64(&p, (uint64_t)(now - window));
		r = run(s, S_NONCE_FORGET, &p, PGRES_COMMAND_OK);
		if (!r && rc == 0)
			rc = RELAY_EIO;
		PQclear(r);
	}
	return rc;
}

static int pg_instance(relay_store *st, uint8_t id[RELAY_INSTANCE_BYTES])
{
	memcpy(id, pg(st)->instance, RELAY_INSTANCE_BYTES);
	return 0;
}

static const char *pg_error(relay_store *st)
{
	return pg(st)->err;
}

static void pg_close(relay_store *st)
{
	struct pg_store *s = pg(st);

	if (!s)
		return;
	PQfinish(s->conn);
	free(s);
}

static const struct relay_store_vt pg_vt = {
	.close = pg_close,
	.error = pg_error,
	.instance = pg_instance,
	.space_add = pg_space_add,
	.space_exists = pg_space_exists,
	.put = pg_put,
	.pull = pg_pull,
	.get = pg_get,
	.state = pg_state,
	.bucket = pg_bucket,
	.bucket_ids = pg_bucket_ids,
	.nonce = pg_nonce,
};

/* Creates the tables if absent and the instance id row; reads the id. */
static int schema(struct pg_store *s, char *err, size_t errlen)
{
	static const char what[] = "cannot create the relay's tables";
	uint8_t fresh[RELAY_INSTANCE_BYTES];
	const char *val[1] = { (const char *)fresh };
	int len[1] = { RELAY_INSTANCE_BYTES }, fmt[1] = { 1 };
	const uint8_t *id;
	uint64_t version;
	PGresult *r;
	int rc, is_new;

	rc = exec_ok(s->conn, "BEGIN", what, err, errlen);
	if (rc)
		return rc;
	rc = exec_ok(s->conn, "SELECT pg_advisory_xact_lock(" SCHEMA_LOCK ")", what, err, errlen);
	if (rc)
		goto out;
	r = PQexec(s->conn, "SELECT to_regclass('relay_envelopes') IS NULL");
	is_new = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
		 strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	rc = exec_ok(s->conn, schema_sql, what, err, errlen);
	if (rc == 0 && is_new)
		rc = exec_ok(s->conn, schema_new_sql, what, err, errlen);
	if (rc)
		goto out;

	randombytes_buf(fresh, sizeof fresh);
	r = PQexecParams(s->conn,
			 "INSERT INTO relay_meta (one, version, instance) VALUES (1, "
			 "1, $1::bytea) ON CONFLICT (one) DO NOTHING",
			 1, NULL, val, len, fmt, 1);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		set_err(err, errlen, "cannot create the relay's instance id",
			PQresultErrorMessage(r));
		rc = RELAY_EIO;
	}
	PQclear(r);
	if (rc)
		goto out;
	r = PQexecParams(s->conn, "SELECT version::int8, instance FROM relay_meta",
			 0, NULL, NULL, NULL, NULL, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		set_err(err, errlen, "cannot read the relay's instance id",
			PQresultErrorMessage(r));
		rc = RELAY_EIO;
	} else if (get_u64(r, 0, 0, &version) ||
		   !(id = get_fixed(r, 0, 1, RELAY_INSTANCE_BYTES))) {
		set_err(err, errlen, "cannot read the relay's instance id", "malformed row");
		rc = RELAY_EIO;
	} else if (version != SCHEMA_VERSION) {
		char v[32];

		snprintf(v, sizeof v, "%" PRIu64, version);
		set_err(err, errlen, "the store's schema is of another relay version", v);
		rc = RELAY_EINVAL;
	} else {
		memcpy(s->instance, id, RELAY_INSTANCE_BYTES);
	}
	PQclear(r);
	if (rc == 0)
		return exec_ok(s->conn, "COMMIT", what, err, errlen);
out:
	PQclear(PQexec(s->conn, "ROLLBACK"));
	return rc;
}

int relay_store_pg_open(const char *uri, relay_store **out, char *err, size_t errlen)
{
	struct pg_store *s;
	int rc;

	*out = NULL;
	if (!uri || (strncmp(uri, "postgresql://", 13) != 0 &&
		     strncmp(uri, "postgres://", 11) != 0)) {
		set_err(err, errlen, "cannot open the relay store",
			"not a postgresql:// or postgres:// URI");
		return RELAY_EINVAL;
	}
	if (sodium_init() < 0) {
		set_err(err, errlen, "cannot open the relay store", "libsodium failed to start");
		return RELAY_EIO;
	}
	s = calloc(1, sizeof *s);
	if (!s) {
		set_err(err, errlen, "cannot open the relay store", "out of memory");
		return RELAY_ENOMEM;
	}
	s->base.vt = &pg_vt;
	s->conn = PQconnectdb(uri);
	if (!s->conn) {
		free(s);
		set_err(err, errlen, "cannot connect to PostgreSQL", "out of memory");
		return RELAY_ENOMEM;
	}
	if (PQstatus(s->conn) != CONNECTION_OK) {
		set_err(err, errlen, "cannot connect to PostgreSQL", PQerrorMessage(s->conn));
		rc = RELAY_EIO;
		goto fail;
	}
	PQsetNoticeProcessor(s->conn, quiet, NULL);
	/* The tables before the statements that use them; the schema's
	 * transaction durable too. */
	rc = exec_ok(s->conn, "SET synchronous_commit = on",
		     "cannot set up the relay's session", err, errlen);
	if (rc == 0)
		rc = schema(s, err, errlen);
	if (rc == 0)
		rc = session(s->conn, err, errlen);
	if (rc)
		goto fail;
	s->ready = 1;
	*out = &s->base;
	return 0;
fail:
	pg_close(&s->base);
	return rc;
}
