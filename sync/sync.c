/*
 * sync.c - kept envelopes, sealing this device's ops, and bundle export
 * and import (include/hearth/sync.h; docs/protocol.md §10).
 *
 * Two tables (schema version 4):
 *
 *   envelope  every envelope received or sealed here: id, header fields,
 *             bytes, state (KEPT_OPEN 0: opened or sealed here, so
 *             verified and forwarded; KEPT_ASIDE 1: its author not yet
 *             known to write, unopened; KEPT_REFUSED 2), and arrival, the
 *             order it was kept in (an envelope that leaves KEPT_ASIDE for
 *             KEPT_OPEN takes a new arrival, so a cursor taken meanwhile
 *             still sees it);
 *   sealed    per (space, device) the greatest seq of this device sealed.
 *
 * and, since schema version 6, envelope_fp: per space and bucket the
 * fingerprint of the ids kept in state 0 or 1 (hearth/reconcile.h), moved
 * with every insert and every move to KEPT_REFUSED; and relay_sync, per
 * relay and space what its last sync saw.
 *
 * Only envelopes opened or sealed here are forwarded: bytes this device
 * could not verify are not passed on, so one tampered envelope kept aside
 * cannot make a peer refuse a whole bundle.
 *
 * All of it goes through the store's public API (transactions, op
 * listing, merging) and SQL on these two tables only.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "hearth/space.h"
#include "hearth/sync.h"
#include "db_private.h"
#include "envelope_private.h"
#include "op_private.h"
#include "sync_private.h"

#define N_(s) (s)

enum { KEPT_OPEN = 0, KEPT_ASIDE = 1, KEPT_REFUSED = 2 };

/* The reason kept with an envelope its trust refused (HEARTH_SYNC_REFUSE):
 * such an envelope is judged again whenever kept-aside ones are (a later
 * removal of the same member by another lead can name a greater cutoff,
 * and the greatest holds: every replica must then accept it alike). */
static const char trust_refused[] = "its device may not write these seqs";

/* What was being done, for hearth_db_error's detail (translated there). */
static const char what_read[] = N_("cannot read kept envelopes");
static const char what_keep[] = N_("cannot keep envelope");
static const char what_sealed_read[] = N_("cannot read sealed ops");
static const char what_sealed_write[] = N_("cannot record sealed ops");
static const char what_fp[] = N_("cannot keep envelope fingerprints");
static const char what_relay_read[] = N_("cannot read relay sync state");
static const char what_relay_write[] = N_("cannot record relay sync state");

/* ---- SQL helpers ---------------------------------------------------------- */

static hearth_status prepare(hearth_store *s, const char *sql, sqlite3_stmt **st,
			     const char *what)
{
	int rc = sqlite3_prepare_v2(hearth_store_db(s), sql, -1, st, NULL);

	return rc == SQLITE_OK ? HEARTH_OK : hearth_db_error(hearth_store_db(s), rc, what);
}

/* Steps a statement that returns no row and finalizes it. */
static hearth_status run(hearth_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return HEARTH_OK;
	return hearth_db_error(hearth_store_db(s), rc, what);
}

static void bind_id(sqlite3_stmt *st, int i, const hearth_id *id)
{
	sqlite3_bind_blob(st, i, id->b, HEARTH_ID_BYTES, SQLITE_TRANSIENT);
}

/* ---- fingerprints ----------------------------------------------------------- */

static void fp_from_row(sqlite3_stmt *st, int col, hearth_fp *fp)
{
	hearth_fp_init(fp);
	fp->count = (uint64_t)sqlite3_column_int64(st, col);
	if (sqlite3_column_bytes(st, col + 1) == HEARTH_FP_SUM_BYTES)
		memcpy(fp->sum, sqlite3_column_blob(st, col + 1), HEARTH_FP_SUM_BYTES);
}

static hearth_status fp_write(sqlite3 *db, const uint8_t *space, unsigned b,
			      const hearth_fp *fp)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO envelope_fp(space, bucket,"
				" count, sum) VALUES (?,?,?,?)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return hearth_db_error(db, rc, what_fp);
	sqlite3_bind_blob(st, 1, space, HEARTH_ID_BYTES, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, (int)b);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)fp->count);
	sqlite3_bind_blob(st, 4, fp->sum, HEARTH_FP_SUM_BYTES, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? HEARTH_OK : hearth_db_error(db, rc, what_fp);
}

/* Adds id to (add) or removes it from (!add) the fingerprint of space. */
static hearth_status fp_update(hearth_store *s, const hearth_id *space,
			       const uint8_t *id, int add)
{
	unsigned b = hearth_fp_bucket(id);
	sqlite3_stmt *st;
	hearth_status rc;
	hearth_fp fp;
	int r;

	if ((rc = prepare(s, "SELECT count, sum FROM envelope_fp WHERE space = ?"
			  " AND bucket = ?", &st, what_fp)) != HEARTH_OK)
		return rc;
	bind_id(st, 1, space);
	sqlite3_bind_int(st, 2, (int)b);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		fp_from_row(st, 0, &fp);
	else
		hearth_fp_init(&fp);
	sqlite3_finalize(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return hearth_db_error(hearth_store_db(s), r, what_fp);
	if (add)
		hearth_fp_add(&fp, id);
	else
		hearth_fp_remove(&fp, id);
	return fp_write(hearth_store_db(s), space->b, b, &fp);
}

/* Recounts from the envelope rows of space (NULL: every space, one after
 * the other): per space, buckets are filled and handed to flush. */
typedef hearth_status (*fp_flush_fn)(sqlite3 *db, const uint8_t *space,
				     const hearth_fp *buckets, void *ctx);

static hearth_status fp_recount(sqlite3 *db, const uint8_t *space, fp_flush_fn flush,
				void *ctx)
{
	hearth_fp *buckets = calloc(HEARTH_FP_BUCKETS, sizeof *buckets);
	uint8_t cur[HEARTH_ID_BYTES];
	hearth_status st = HEARTH_OK;
	sqlite3_stmt *q;
	int rc, have = 0;
	unsigned b;

	if (buckets == NULL)
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", what_fp);
	rc = sqlite3_prepare_v2(db, "SELECT space, id FROM envelope WHERE state != 2"
				" AND (?1 IS NULL OR space = ?1) ORDER BY space", -1, &q, NULL);
	if (rc != SQLITE_OK) {
		free(buckets);
		return hearth_db_error(db, rc, what_fp);
	}
	if (space != NULL)
		sqlite3_bind_blob(q, 1, space, HEARTH_ID_BYTES, SQLITE_TRANSIENT);
	for (b = 0; b < HEARTH_FP_BUCKETS; b++)
		hearth_fp_init(&buckets[b]);
	while (st == HEARTH_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const uint8_t *sp = sqlite3_column_blob(q, 0), *id = sqlite3_column_blob(q, 1);

		if (sqlite3_column_bytes(q, 0) != HEARTH_ID_BYTES ||
		    sqlite3_column_bytes(q, 1) != HEARTH_ENVELOPE_ID_BYTES)
			continue;
		if (have && memcmp(sp, cur, sizeof cur) != 0) {
			st = flush(db, cur, buckets, ctx);
			for (b = 0; b < HEARTH_FP_BUCKETS; b++)
				hearth_fp_init(&buckets[b]);
		}
		memcpy(cur, sp, sizeof cur);
		have = 1;
		hearth_fp_add(&buckets[hearth_fp_bucket(id)], id);
	}
	if (st == HEARTH_OK && rc != SQLITE_DONE)
		st = hearth_db_error(db, rc, what_fp);
	sqlite3_finalize(q);
	if (st == HEARTH_OK && (have || space != NULL))
		st = flush(db, have ? cur : space, buckets, ctx);
	free(buckets);
	return st;
}

static hearth_status fp_flush_rows(sqlite3 *db, const uint8_t *space,
				   const hearth_fp *buckets, void *ctx)
{
	hearth_status st = HEARTH_OK;
	unsigned b;

	(void)ctx;
	for (b = 0; b < HEARTH_FP_BUCKETS && st == HEARTH_OK; b++)
		if (buckets[b].count > 0)
			st = fp_write(db, space, b, &buckets[b]);
	return st;
}

hearth_status hearth_sync_fp_rebuild(sqlite3 *db)
{
	int rc = sqlite3_exec(db, "DELETE FROM envelope_fp", NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return hearth_db_error(db, rc, what_fp);
	return fp_recount(db, NULL, fp_flush_rows, NULL);
}

static hearth_status fp_flush_copy(sqlite3 *db, const uint8_t *space,
				   const hearth_fp *buckets, void *ctx)
{
	(void)db;
	(void)space;
	memcpy(ctx, buckets, HEARTH_FP_BUCKETS * sizeof *buckets);
	return HEARTH_OK;
}

/* *total from buckets; copied to out when it is not NULL. */
static void fp_totals(const hearth_fp *buckets, hearth_fp *total, hearth_fp *out)
{
	hearth_fp sum;
	unsigned b;

	hearth_fp_init(&sum);
	for (b = 0; b < HEARTH_FP_BUCKETS; b++)
		hearth_fp_merge(&sum, &buckets[b]);
	if (total != NULL)
		*total = sum;
	if (out != NULL)
		memcpy(out, buckets, HEARTH_FP_BUCKETS * sizeof *buckets);
}

hearth_status hearth_sync_fp_recount(hearth_store *s, const hearth_id *space,
				     hearth_fp *total, hearth_fp *buckets)
{
	hearth_fp *all;
	hearth_status st;

	if (s == NULL || space == NULL)
		return hearth_fail(HEARTH_EINVAL, "%-s: %-s", what_fp, N_("no space given"));
	if ((all = calloc(HEARTH_FP_BUCKETS, sizeof *all)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", what_fp);
	st = fp_recount(hearth_store_db(s), space->b, fp_flush_copy, all);
	if (st == HEARTH_OK)
		fp_totals(all, total, buckets);
	free(all);
	return st;
}

hearth_status hearth_sync_fp(hearth_store *s, const hearth_id *space, hearth_fp *total,
			     hearth_fp *buckets)
{
	hearth_fp *all;
	sqlite3_stmt *q;
	hearth_status st;
	unsigned b;
	int rc;

	if (s == NULL || space == NULL)
		return hearth_fail(HEARTH_EINVAL, "%-s: %-s", what_fp, N_("no space given"));
	if ((all = calloc(HEARTH_FP_BUCKETS, sizeof *all)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", what_fp);
	for (b = 0; b < HEARTH_FP_BUCKETS; b++)
		hearth_fp_init(&all[b]);
	if ((st = prepare(s, "SELECT bucket, count, sum FROM envelope_fp WHERE space = ?",
			  &q, what_fp)) != HEARTH_OK) {
		free(all);
		return st;
	}
	bind_id(q, 1, space);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int bk = sqlite3_column_int(q, 0);

		if (bk >= 0 && bk < (int)HEARTH_FP_BUCKETS)
			fp_from_row(q, 1, &all[bk]);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		st = hearth_db_error(hearth_store_db(s), rc, what_fp);
	else
		fp_totals(all, total, buckets);
	free(all);
	return st;
}

hearth_status hearth_sync_bucket_ids(hearth_store *s, const hearth_id *space,
				     unsigned b, hearth_sync_id_cb cb, void *ctx)
{
	uint8_t lo[HEARTH_ENVELOPE_ID_BYTES], hi[HEARTH_ENVELOPE_ID_BYTES + 1];
	sqlite3_stmt *q;
	hearth_status st;
	int rc;

	if (s == NULL || space == NULL || cb == NULL || b >= HEARTH_FP_BUCKETS)
		return hearth_fail(HEARTH_EINVAL, "%-s: %-s", what_fp, N_("no space given"));
	/* The ids whose first byte is b: a range of the unique index on id. */
	memset(lo, 0, sizeof lo);
	lo[0] = (uint8_t)b;
	memset(hi, 0xff, sizeof hi);
	hi[0] = (uint8_t)b;
	if ((st = prepare(s, "SELECT id, state FROM envelope WHERE id >= ?2 AND id <= ?3"
			  " AND space = ?1 AND state != 2 ORDER BY id", &q,
			  what_read)) != HEARTH_OK)
		return st;
	bind_id(q, 1, space);
	sqlite3_bind_blob(q, 2, lo, sizeof lo, SQLITE_TRANSIENT);
	sqlite3_bind_blob(q, 3, hi, sizeof hi, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(q, 0) != HEARTH_ENVELOPE_ID_BYTES)
			continue;
		if (cb(sqlite3_column_blob(q, 0), sqlite3_column_int(q, 1), ctx) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? HEARTH_OK :
		hearth_db_error(hearth_store_db(s), rc, what_read);
}

/* Keeps env (whose header is info) in state, with reason (may be NULL). */
static hearth_status kept_insert(hearth_store *s, const uint8_t *id,
				 const hearth_envelope_info *info, int state,
				 const char *reason, const uint8_t *env, size_t len)
{
	sqlite3_stmt *st;
	hearth_status rc;

	if ((rc = prepare(s, "INSERT INTO envelope(id, space, epoch, device, first,"
			  " last, state, reason, bytes) VALUES (?,?,?,?,?,?,?,?,?)",
			  &st, what_keep)) != HEARTH_OK)
		return rc;
	sqlite3_bind_blob(st, 1, id, HEARTH_ENVELOPE_ID_BYTES, SQLITE_TRANSIENT);
	bind_id(st, 2, &info->space);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)info->epoch);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)info->device);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)info->first_seq);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)info->last_seq);
	sqlite3_bind_int(st, 7, state);
	if (reason != NULL)
		sqlite3_bind_text(st, 8, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 9, env, (int)len, SQLITE_STATIC);
	if ((rc = run(s, st, what_keep)) != HEARTH_OK || state == KEPT_REFUSED)
		return rc;
	return fp_update(s, &info->space, id, 1);
}

/* *found: the state of the envelope kept with this id, -1 if none. */
static hearth_status kept_has(hearth_store *s, const uint8_t *id, int *found)
{
	sqlite3_stmt *st;
	hearth_status rc;
	int r;

	if ((rc = prepare(s, "SELECT state FROM envelope WHERE id = ?", &st,
			  what_read)) != HEARTH_OK)
		return rc;
	sqlite3_bind_blob(st, 1, id, HEARTH_ENVELOPE_ID_BYTES, SQLITE_TRANSIENT);
	r = sqlite3_step(st);
	*found = r == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return hearth_db_error(hearth_store_db(s), r, what_read);
	return HEARTH_OK;
}

/* The greatest arrival kept, 0 if none. */
static hearth_status kept_last_arrival(hearth_store *s, uint64_t *out)
{
	sqlite3_stmt *st;
	hearth_status rc;
	int r;

	*out = 0;
	if ((rc = prepare(s, "SELECT coalesce(max(arrival), 0) FROM envelope", &st,
			  what_read)) != HEARTH_OK)
		return rc;
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? HEARTH_OK :
		hearth_db_error(hearth_store_db(s), r, what_read);
}

hearth_status hearth_sync_count(hearth_store *s, const hearth_id *space, int state,
				size_t *n)
{
	sqlite3_stmt *st;
	hearth_status rc;
	int r;

	if (s == NULL || n == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot count envelopes: %-s",
				   N_("no store given"));
	*n = 0;
	if ((rc = prepare(s, "SELECT count(*) FROM envelope WHERE state = ?1"
			  " AND (?2 IS NULL OR space = ?2)", &st,
			  what_read)) != HEARTH_OK)
		return rc;
	sqlite3_bind_int(st, 1, state);
	if (space != NULL)
		bind_id(st, 2, space);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? HEARTH_OK :
		hearth_db_error(hearth_store_db(s), r, what_read);
}

/* ---- sealing ---------------------------------------------------------------- */

/* Ops copied out of the store's callback: texts and prev ids owned here. */
typedef struct op_list {
	hearth_op *ops;
	size_t n, cap;
	int failed;
} op_list;

static void op_list_free(op_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free((char *)l->ops[i].kind);
		free((char *)l->ops[i].field);
		if (l->ops[i].value != NULL) {
			sodium_memzero((char *)l->ops[i].value, strlen(l->ops[i].value));
			free((char *)l->ops[i].value);
		}
		free((hearth_op_id *)l->ops[i].prev);
	}
	free(l->ops);
	memset(l, 0, sizeof *l);
}

static int op_list_add(op_list *l, const hearth_op *op)
{
	hearth_op *o;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		hearth_op *ops = realloc(l->ops, cap * sizeof *ops);

		if (ops == NULL)
			return -1;
		l->ops = ops;
		l->cap = cap;
	}
	o = &l->ops[l->n];
	*o = *op;
	o->kind = strdup(op->kind);
	o->field = strdup(op->field);
	o->value = op->value != NULL ? strdup(op->value) : NULL;
	o->prev = NULL;
	if (op->nprev > 0 && (o->prev = malloc(op->nprev * sizeof *op->prev)) != NULL)
		memcpy((hearth_op_id *)o->prev, op->prev, op->nprev * sizeof *op->prev);
	l->n++;
	if (o->kind == NULL || o->field == NULL || (op->value != NULL && o->value == NULL) ||
	    (op->nprev > 0 && o->prev == NULL))
		return -1;
	return 0;
}

/* This device's ops of one space, by plane. */
typedef struct own_ops {
	hearth_id space;
	op_list plane[2]; /* 0: control, 1: data */
	uint64_t last_seq;
} own_ops;

static int own_cb(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		  void *ctx)
{
	own_ops *o = ctx;
	op_list *l;

	(void)arrival;
	/* A superseded op of ours was written again under our new id. */
	if (state == HEARTH_OP_SUPERSEDED ||
	    memcmp(op->space.b, o->space.b, HEARTH_ID_BYTES) != 0)
		return 0;
	l = &o->plane[hearth_kind_is_control(op->kind) ? 0 : 1];
	if (op_list_add(l, op) != 0) {
		l->failed = 1;
		return 1;
	}
	if (op->id.seq > o->last_seq)
		o->last_seq = op->id.seq;
	return 0;
}

/* Seals l's ops into as many envelopes as they need, keeping each. */
static hearth_status seal_list(hearth_store *s, const op_list *l,
			       const hearth_id *space, uint64_t epoch,
			       const uint8_t *key, const uint8_t *sk,
			       hearth_sync_report *r)
{
	size_t from = 0;

	while (from < l->n) {
		size_t to = from, content = 0, len = 0;
		uint8_t *env = NULL, id[HEARTH_ENVELOPE_ID_BYTES];
		hearth_envelope_info info;
		hearth_status st;

		/* As many ops as fit in HEARTH_SYNC_SEAL_MAX; one op always
		 * goes (HEARTH_ENVELOPE_MAX has room for the largest). */
		while (to < l->n && to - from < HEARTH_ENVELOPE_OPS_MAX) {
			size_t b = hearth_envelope_op_bytes(&l->ops[to]);

			if (to > from &&
			    hearth_envelope_size_for(content + b) > HEARTH_SYNC_SEAL_MAX)
				break;
			content += b;
			to++;
		}
		st = hearth_envelope_seal(l->ops + from, to - from, space, epoch, key,
					  sk, &env, &len);
		if (st == HEARTH_OK)
			st = hearth_envelope_peek(env, len, &info);
		if (st == HEARTH_OK) {
			hearth_envelope_id(env, len, id);
			st = kept_insert(s, id, &info, KEPT_OPEN, NULL, env, len);
		}
		free(env);
		if (st != HEARTH_OK)
			return st;
		r->sealed++;
		r->sealed_ops += to - from;
		from = to;
	}
	return HEARTH_OK;
}

/* The greatest seq of device's ops of space sealed (0: none). */
static hearth_status sealed_mark(hearth_store *s, const hearth_id *space, uint64_t device,
				 uint64_t *mark)
{
	sqlite3_stmt *q;
	hearth_status st;
	int rc;

	*mark = 0;
	if ((st = prepare(s, "SELECT seq FROM sealed WHERE space = ? AND device = ?",
			  &q, what_sealed_read)) != HEARTH_OK)
		return st;
	bind_id(q, 1, space);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)device);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*mark = (uint64_t)sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return hearth_db_error(hearth_store_db(s), rc, what_sealed_read);
	return HEARTH_OK;
}

static hearth_status seal_space(hearth_store *s, const hearth_sync_trust *trust,
				const hearth_id *space, const uint8_t *sk,
				hearth_sync_report *r)
{
	uint64_t device = hearth_store_device(s), mark = 0, epoch = 0;
	uint8_t key[HEARTH_EPOCH_KEYBYTES];
	sqlite3_stmt *q;
	own_ops o;
	hearth_status st;

	memset(&o, 0, sizeof o);
	o.space = *space;
	if ((st = sealed_mark(s, space, device, &mark)) != HEARTH_OK)
		return st;

	st = hearth_store_ops(s, device, mark + 1, 0, own_cb, &o);
	if (st == HEARTH_OK && (o.plane[0].failed || o.plane[1].failed))
		st = hearth_fail(HEARTH_ENOMEM, "%-s: out of memory",
				 N_("cannot seal envelope"));
	if (st == HEARTH_OK && o.plane[0].n > 0) {
		hearth_envelope_control_key(space, key);
		st = seal_list(s, &o.plane[0], space, 0, key, sk, r);
	}
	if (st == HEARTH_OK && o.plane[1].n > 0) {
		st = trust->current_epoch(trust->ctx, space, &epoch, key);
		if (st == HEARTH_OK && epoch == 0)
			st = hearth_fail(HEARTH_EINVAL, "cannot seal envelope: %-s",
					 N_("the space has no data epoch"));
		if (st == HEARTH_OK)
			st = seal_list(s, &o.plane[1], space, epoch, key, sk, r);
	}
	if (st == HEARTH_OK && o.last_seq > mark &&
	    (st = prepare(s, "INSERT OR REPLACE INTO sealed(space, device, seq)"
			  " VALUES (?,?,?)", &q, what_sealed_write)) == HEARTH_OK) {
		bind_id(q, 1, space);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)device);
		sqlite3_bind_int64(q, 3, (sqlite3_int64)o.last_seq);
		st = run(s, q, what_sealed_write);
	}
	sodium_memzero(key, sizeof key);
	op_list_free(&o.plane[0]);
	op_list_free(&o.plane[1]);
	return st;
}

static hearth_status check_space(hearth_store *s, const hearth_id *space)
{
	hearth_id local = hearth_store_local_space(s);

	if (hearth_id_equal(space, &local))
		return hearth_fail(HEARTH_EINVAL, "cannot export: %-s",
				   N_("the device-local space never leaves this device"));
	return HEARTH_OK;
}

hearth_status hearth_sync_seal(hearth_store *s, const hearth_sync_trust *trust,
			       const hearth_id *space,
			       const uint8_t device_sk[HEARTH_SIGN_SECRETBYTES],
			       hearth_sync_report *r)
{
	hearth_sync_report dummy;
	hearth_store_step step;
	hearth_status st;

	if (s == NULL || trust == NULL || trust->current_epoch == NULL ||
	    space == NULL || device_sk == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot export: %-s",
				   N_("no space, key or trust given"));
	if (r == NULL)
		r = &dummy;
	if ((st = check_space(s, space)) != HEARTH_OK)
		return st;
	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return st;
	return hearth_store_step_end(s, &step, seal_space(s, trust, space, device_sk, r));
}

/* Runs q (its rows: id, arrival, epoch, state, bytes) through cb. */
static hearth_status kept_rows(hearth_store *s, sqlite3_stmt *q, hearth_sync_kept_cb cb,
			       void *ctx, int *rows)
{
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		hearth_sync_kept k;

		if (sqlite3_column_bytes(q, 0) != HEARTH_ENVELOPE_ID_BYTES)
			continue;
		k.id = sqlite3_column_blob(q, 0);
		k.arrival = (uint64_t)sqlite3_column_int64(q, 1);
		k.epoch = (uint64_t)sqlite3_column_int64(q, 2);
		k.state = sqlite3_column_int(q, 3);
		k.bytes = sqlite3_column_blob(q, 4);
		k.len = (size_t)sqlite3_column_bytes(q, 4);
		if (rows != NULL)
			(*rows)++;
		if (cb(&k, ctx) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? HEARTH_OK :
		hearth_db_error(hearth_store_db(s), rc, what_read);
}

hearth_status hearth_sync_each(hearth_store *s, const hearth_id *space,
			       uint64_t since, hearth_sync_kept_cb cb, void *ctx)
{
	sqlite3_stmt *q;
	hearth_status st;

	if (s == NULL || space == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot export: %-s",
				   N_("no space, key or trust given"));
	if ((st = check_space(s, space)) != HEARTH_OK)
		return st;
	/* Control plane first, so a receiver knows the members before it
	 * judges their data. */
	if ((st = prepare(s, "SELECT id, arrival, epoch, state, bytes FROM envelope"
			  " WHERE space = ? AND state = 0 AND arrival > ?"
			  " ORDER BY epoch != 0, arrival", &q, what_read)) != HEARTH_OK)
		return st;
	bind_id(q, 1, space);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)since);
	return kept_rows(s, q, cb, ctx, NULL);
}

hearth_status hearth_sync_get(hearth_store *s, const hearth_id *space,
			      const uint8_t id[HEARTH_ENVELOPE_ID_BYTES],
			      hearth_sync_kept_cb cb, void *ctx, int *found)
{
	sqlite3_stmt *q;
	hearth_status st;
	int rows = 0;

	if (found != NULL)
		*found = 0;
	if (s == NULL || space == NULL || id == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot export: %-s",
				   N_("no space, key or trust given"));
	if ((st = prepare(s, "SELECT id, arrival, epoch, state, bytes FROM envelope"
			  " WHERE id = ? AND space = ?", &q, what_read)) != HEARTH_OK)
		return st;
	sqlite3_bind_blob(q, 1, id, HEARTH_ENVELOPE_ID_BYTES, SQLITE_TRANSIENT);
	bind_id(q, 2, space);
	st = kept_rows(s, q, cb, ctx, &rows);
	if (found != NULL)
		*found = rows > 0;
	return st;
}

hearth_status hearth_sync_last_arrival(hearth_store *s, uint64_t *out)
{
	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "%-s: %-s", what_read, N_("no store given"));
	return kept_last_arrival(s, out);
}

static int count_own(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		     void *ctx)
{
	own_ops *o = ctx;

	(void)arrival;
	if (state != HEARTH_OP_SUPERSEDED &&
	    memcmp(op->space.b, o->space.b, HEARTH_ID_BYTES) == 0)
		o->last_seq++;
	return 0;
}

static int count_kept(const hearth_sync_kept *k, void *ctx)
{
	(void)k;
	(*(size_t *)ctx)++;
	return 0;
}

hearth_status hearth_sync_pending(hearth_store *s, const hearth_id *space,
				  uint64_t since, size_t *ops, size_t *envelopes)
{
	uint64_t device, mark;
	hearth_status st;
	size_t n = 0;
	own_ops o;

	if (s == NULL || space == NULL)
		return hearth_fail(HEARTH_EINVAL, "%-s: %-s", what_read, N_("no space given"));
	device = hearth_store_device(s);
	if (ops != NULL) {
		if ((st = sealed_mark(s, space, device, &mark)) != HEARTH_OK)
			return st;
		memset(&o, 0, sizeof o);
		o.space = *space;
		if ((st = hearth_store_ops(s, device, mark + 1, 0, count_own, &o)) != HEARTH_OK)
			return st;
		*ops = (size_t)o.last_seq;
	}
	if (envelopes != NULL) {
		if ((st = hearth_sync_each(s, space, since, count_kept, &n)) != HEARTH_OK)
			return st;
		*envelopes = n;
	}
	return HEARTH_OK;
}

/* ---- writing a bundle ------------------------------------------------------- */

typedef struct write_ctx {
	hearth_bundle_writer *w;
	hearth_sync_report *r;
	hearth_status st;
} write_ctx;

static int write_one(const hearth_sync_kept *k, void *ctx)
{
	write_ctx *wc = ctx;

	if ((wc->st = hearth_bundle_writer_add(wc->w, k->bytes, k->len)) != HEARTH_OK)
		return 1;
	if (k->arrival > wc->r->cursor)
		wc->r->cursor = k->arrival;
	wc->r->written++;
	return 0;
}

hearth_status hearth_sync_write(hearth_store *s, const hearth_id *space,
				uint64_t since, FILE *f, hearth_sync_report *r)
{
	hearth_sync_report dummy;
	write_ctx wc = { NULL, NULL, HEARTH_OK };
	hearth_status st;

	if (s == NULL || space == NULL || f == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot export: %-s",
				   N_("no space, key or trust given"));
	if (r == NULL)
		r = &dummy;
	r->cursor = since;
	wc.r = r;
	if ((st = check_space(s, space)) != HEARTH_OK)
		return st;
	if ((st = hearth_bundle_writer_open(f, &wc.w)) != HEARTH_OK)
		return st;
	st = hearth_sync_each(s, space, since, write_one, &wc);
	if (st == HEARTH_OK)
		st = wc.st;
	if (st == HEARTH_OK)
		st = hearth_bundle_writer_finish(wc.w);
	hearth_bundle_writer_free(wc.w);
	return st;
}

/* ---- per relay and space ------------------------------------------------------ */

/* One row per kind, in the enum's order: its name for programs and its
 * sentence for people (the msgid of its translation). */
static const struct {
	const char *name;
	const char *sentence;
} problem_kinds[] = {
	[HEARTH_SYNC_PROBLEM_NONE] = { "none", "" },
	[HEARTH_SYNC_PROBLEM_OTHER] = { "other", N_("The last sync ran into a problem.") },
	[HEARTH_SYNC_PROBLEM_UNREACHABLE] = { "unreachable",
		N_("The relay could not be reached. Check the network, then sync again.") },
	[HEARTH_SYNC_PROBLEM_REFUSED] = { "refused",
		N_("The relay refused this device's request. Ask whoever runs the relay "
		   "or leads the team.") },
	[HEARTH_SYNC_PROBLEM_MALFORMED] = { "malformed",
		N_("The relay sent an answer this device cannot read.") },
	[HEARTH_SYNC_PROBLEM_LEFT_OUT] = { "left_out",
		N_("Some records arrived damaged or forged and were left out; the others "
		   "were received.") },
	[HEARTH_SYNC_PROBLEM_UNSENDABLE] = { "unsendable",
		N_("Some records cannot be exchanged with the relay, so this device is "
		   "not fully in sync.") },
	[HEARTH_SYNC_PROBLEM_RELAY_LOST] = { "relay_lost",
		N_("The relay had lost records; this device sent them again.") },
	[HEARTH_SYNC_PROBLEM_CANCELED] = { "canceled", N_("The sync was canceled.") },
	[HEARTH_SYNC_PROBLEM_VAULT] = { "vault",
		N_("This device's vault could not be read or written.") },
};

#define PROBLEM_KINDS (sizeof problem_kinds / sizeof problem_kinds[0])

static hearth_sync_problem_kind known_kind(hearth_sync_problem_kind kind)
{
	return (unsigned)kind < PROBLEM_KINDS ? kind : HEARTH_SYNC_PROBLEM_OTHER;
}

hearth_sync_problem_kind hearth_sync_problem_of_status(hearth_status st)
{
	switch (st) {
	case HEARTH_OK:
		return HEARTH_SYNC_PROBLEM_NONE;
	case HEARTH_ENET:
		return HEARTH_SYNC_PROBLEM_UNREACHABLE;
	case HEARTH_ECANCELED:
		return HEARTH_SYNC_PROBLEM_CANCELED;
	case HEARTH_EFORMAT:
	case HEARTH_EAUTH:
		return HEARTH_SYNC_PROBLEM_MALFORMED;
	case HEARTH_ENOMEM:
	case HEARTH_EIO:
	case HEARTH_EDAMAGED:
	case HEARTH_EDB:
	case HEARTH_EBUSY:
		return HEARTH_SYNC_PROBLEM_VAULT;
	default:
		return HEARTH_SYNC_PROBLEM_OTHER;
	}
}

const char *hearth_sync_problem_local(hearth_sync_problem_kind kind)
{
	const char *s = problem_kinds[known_kind(kind)].sentence;

	return s[0] != '\0' ? dgettext(HEARTH_TEXTDOMAIN, s) : s;
}

const char *hearth_sync_problem_name(hearth_sync_problem_kind kind)
{
	return problem_kinds[known_kind(kind)].name;
}

hearth_sync_problem_kind hearth_sync_problem_parse(const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '\0')
		return HEARTH_SYNC_PROBLEM_NONE;
	for (i = 0; i < PROBLEM_KINDS; i++)
		if (strcmp(problem_kinds[i].name, name) == 0)
			return (hearth_sync_problem_kind)i;
	return HEARTH_SYNC_PROBLEM_OTHER;
}

static void relay_from_row(sqlite3_stmt *q, int col, hearth_sync_relay_state *out)
{
	const unsigned char *problem;

	memset(out, 0, sizeof *out);
	if (sqlite3_column_bytes(q, col) == HEARTH_RELAY_INSTANCE_BYTES) {
		memcpy(out->store, sqlite3_column_blob(q, col), HEARTH_RELAY_INSTANCE_BYTES);
		out->has_store = 1;
	}
	out->cursor = (uint64_t)sqlite3_column_int64(q, col + 1);
	out->pushed = (uint64_t)sqlite3_column_int64(q, col + 2);
	out->max_seq = (uint64_t)sqlite3_column_int64(q, col + 3);
	out->count = (uint64_t)sqlite3_column_int64(q, col + 4);
	out->synced_at = (int64_t)sqlite3_column_int64(q, col + 5);
	if ((problem = sqlite3_column_text(q, col + 6)) != NULL)
		snprintf(out->problem, sizeof out->problem, "%s", (const char *)problem);
	/* A kind this build does not know, or none kept beside a problem:
	 * OTHER, and the detail says. */
	out->problem_kind = hearth_sync_problem_parse(
		(const char *)sqlite3_column_text(q, col + 7));
	if (out->problem[0] == '\0')
		out->problem_kind = HEARTH_SYNC_PROBLEM_NONE;
	else if (out->problem_kind == HEARTH_SYNC_PROBLEM_NONE)
		out->problem_kind = HEARTH_SYNC_PROBLEM_OTHER;
}

#define RELAY_COLUMNS "store, cursor, pushed, max_seq, count, synced_at, problem, problem_kind"

hearth_status hearth_sync_relay_get(hearth_store *s, const char *relay,
				    const hearth_id *space,
				    hearth_sync_relay_state *out, int *found)
{
	sqlite3_stmt *q;
	hearth_status st;
	int rc;

	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (found != NULL)
		*found = 0;
	if (s == NULL || relay == NULL || space == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "%-s: %-s", what_relay_read,
				   N_("no relay or space given"));
	if ((st = prepare(s, "SELECT " RELAY_COLUMNS " FROM relay_sync WHERE relay = ?"
			  " AND space = ?", &q, what_relay_read)) != HEARTH_OK)
		return st;
	sqlite3_bind_text(q, 1, relay, -1, SQLITE_TRANSIENT);
	bind_id(q, 2, space);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		relay_from_row(q, 0, out);
		if (found != NULL)
			*found = 1;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? HEARTH_OK :
		hearth_db_error(hearth_store_db(s), rc, what_relay_read);
}

hearth_status hearth_sync_relay_put(hearth_store *s, const char *relay,
				    const hearth_id *space,
				    const hearth_sync_relay_state *rs)
{
	sqlite3_stmt *q;
	hearth_status st;

	if (s == NULL || relay == NULL || space == NULL || rs == NULL)
		return hearth_fail(HEARTH_EINVAL, "%-s: %-s", what_relay_write,
				   N_("no relay or space given"));
	if ((st = prepare(s, "INSERT OR REPLACE INTO relay_sync(relay, space, "
			  RELAY_COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?,?)", &q,
			  what_relay_write)) != HEARTH_OK)
		return st;
	sqlite3_bind_text(q, 1, relay, -1, SQLITE_TRANSIENT);
	bind_id(q, 2, space);
	if (rs->has_store)
		sqlite3_bind_blob(q, 3, rs->store, HEARTH_RELAY_INSTANCE_BYTES, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)rs->cursor);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)rs->pushed);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)rs->max_seq);
	sqlite3_bind_int64(q, 7, (sqlite3_int64)rs->count);
	sqlite3_bind_int64(q, 8, (sqlite3_int64)rs->synced_at);
	if (rs->problem[0] != '\0') {
		sqlite3_bind_text(q, 9, rs->problem, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 10, hearth_sync_problem_name(
			rs->problem_kind != HEARTH_SYNC_PROBLEM_NONE ? rs->problem_kind :
			HEARTH_SYNC_PROBLEM_OTHER), -1, SQLITE_STATIC);
	}
	return run(s, q, what_relay_write);
}

hearth_status hearth_sync_relay_each(hearth_store *s, hearth_sync_relay_cb cb, void *ctx)
{
	sqlite3_stmt *q;
	hearth_status st;
	int rc;

	if (s == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "%-s: %-s", what_relay_read,
				   N_("no relay or space given"));
	if ((st = prepare(s, "SELECT relay, space, " RELAY_COLUMNS " FROM relay_sync"
			  " ORDER BY relay, space", &q, what_relay_read)) != HEARTH_OK)
		return st;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		hearth_sync_relay_state rs;
		hearth_id space;

		if (sqlite3_column_bytes(q, 1) != HEARTH_ID_BYTES)
			continue;
		memcpy(space.b, sqlite3_column_blob(q, 1), HEARTH_ID_BYTES);
		relay_from_row(q, 2, &rs);
		if (cb((const char *)sqlite3_column_text(q, 0), &space, &rs, ctx) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? HEARTH_OK :
		hearth_db_error(hearth_store_db(s), rc, what_relay_read);
}

/* Syncs the directory holding path, so a rename into it lasts. */
static int sync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = -1;

	if (copy == NULL)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	free(copy);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

hearth_status hearth_sync_export(hearth_store *s, const hearth_sync_trust *trust,
				 const hearth_id *space,
				 const uint8_t device_sk[HEARTH_SIGN_SECRETBYTES],
				 uint64_t since, const char *path,
				 hearth_sync_report *r)
{
	hearth_sync_report dummy;
	hearth_store_step step;
	hearth_status st;
	char *tmp = NULL;
	FILE *f = NULL;
	int fd = -1;

	if (path == NULL || *path == '\0')
		return hearth_fail(HEARTH_EINVAL, "cannot export: %-s",
				   N_("no file given"));
	if (r == NULL)
		r = &dummy;
	memset(r, 0, sizeof *r);
	if (s == NULL || trust == NULL || trust->current_epoch == NULL ||
	    space == NULL || device_sk == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot export: %-s",
				   N_("no space, key or trust given"));
	if ((st = check_space(s, space)) != HEARTH_OK)
		return st;
	tmp = malloc(strlen(path) + 8);
	if (tmp == NULL)
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", N_("cannot export"));
	sprintf(tmp, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0 || (f = fdopen(fd, "wb")) == NULL) {
		st = hearth_fail(HEARTH_EIO, "cannot write bundle '%s': %s", path,
				 strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return st;
	}
	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		goto out;
	st = seal_space(s, trust, space, device_sk, r);
	if (st == HEARTH_OK)
		st = hearth_sync_write(s, space, since, f, r);
	if (st == HEARTH_OK && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		st = hearth_fail(HEARTH_EIO, "cannot write bundle '%s': %s", path,
				 strerror(errno));
	/* Committed before the rename: a bundle in place never holds an
	 * envelope this vault forgot it sealed.  Should the rename fail, the
	 * envelopes stay kept and go out with the next export. */
	st = hearth_store_step_end(s, &step, st);
out:
	if (fclose(f) != 0 && st == HEARTH_OK)
		st = hearth_fail(HEARTH_EIO, "cannot write bundle '%s': %s", path,
				 strerror(errno));
	if (st == HEARTH_OK && (rename(tmp, path) != 0 || sync_dir_of(path) != 0))
		st = hearth_fail(HEARTH_EIO, "cannot write bundle '%s': %s", path,
				 strerror(errno));
	if (st != HEARTH_OK)
		unlink(tmp);
	free(tmp);
	return st;
}

/* ---- importing ------------------------------------------------------------------ */

/* What hearth_envelope_open asks, answered from a verdict already given. */
typedef struct open_ctx {
	const hearth_sync_trust *trust;
	uint8_t pk[HEARTH_SIGN_PUBLICBYTES];
} open_ctx;

static int open_device_key(void *ctx, const hearth_envelope_info *info,
			   uint8_t pk[HEARTH_SIGN_PUBLICBYTES])
{
	open_ctx *o = ctx;

	(void)info;
	memcpy(pk, o->pk, HEARTH_SIGN_PUBLICBYTES);
	return 0;
}

static int open_epoch_key(void *ctx, const hearth_id *space, uint64_t epoch,
			  uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	open_ctx *o = ctx;

	if (o->trust->epoch_key == NULL)
		return 1;
	return o->trust->epoch_key(o->trust->ctx, space, epoch, key);
}

/* An envelope of the bundle kept aside: said once the import knows it
 * stays so (a later control envelope may let it in). */
typedef struct aside_seen {
	uint64_t index;
	hearth_envelope_info info;
	uint8_t id[HEARTH_ENVELOPE_ID_BYTES];
} aside_seen;

typedef struct import_ctx {
	hearth_store *s;
	const hearth_sync_trust *trust;
	hearth_sync_notice_cb cb;
	void *cb_ctx;
	hearth_sync_report *r;
	uint64_t first_arrival; /* envelopes kept by this import come from here */
	aside_seen *seen;
	size_t nseen, capseen;
} import_ctx;

static void notify(import_ctx *im, hearth_sync_verdict v, uint64_t index,
		   const hearth_envelope_info *info, const uint8_t *id)
{
	hearth_sync_notice n = { v, index, info, id };

	if (im->cb != NULL)
		im->cb(&n, im->cb_ctx);
}

/* The author's key of a control envelope of a space not known here,
 * from its own ops: only a valid genesis of that very space (its id
 * derived from the creator's key, the root device certified by the
 * creator) written by the envelope's author vouches for it.  A member
 * record names an identity of its own choosing, so a certificate there
 * proves nothing until the space is known (docs/protocol.md §10.6). */
static int genesis_key(void *ctx, const hearth_envelope_info *info,
		       const hearth_op *ops, size_t n, uint8_t pk[HEARTH_SIGN_PUBLICBYTES])
{
	hearth_space_state *st = NULL;
	int found = 0;

	(void)ctx;
	if (hearth_space_compute(&info->space, ops, n, &st) != HEARTH_OK)
		return 1;
	if (st->known && st->root_device == info->device) {
		memcpy(pk, st->root_pk, HEARTH_SIGN_PUBLICBYTES);
		found = 1;
	}
	hearth_space_state_free(st);
	return !found;
}

/* Opens env and merges its ops: accepted, with pk in oc; or (oc NULL) a
 * control envelope vouched for by the genesis it holds.  digest: env's
 * signed digest if the caller has just taken it with its id, else NULL.
 * On failure the envelope's detail stands. */
static hearth_status open_and_apply(import_ctx *im, const uint8_t *env, size_t len,
				    const uint8_t *digest, open_ctx *oc,
				    const hearth_envelope_info *info)
{
	hearth_envelope_trust et = { open_device_key, open_epoch_key, oc };
	hearth_envelope_batch b;
	hearth_status st;

	if (oc != NULL)
		st = hearth_envelope_open_digest(env, len, digest, &et, &b);
	else
		st = hearth_envelope_open_control_digest(env, len, digest, genesis_key,
							 NULL, &b);
	if (st == HEARTH_OK && oc != NULL && im->trust->write_limit != NULL) {
		/* A cutoff inside the envelope's range: its ops (in rising seq
		 * order) up to it only. */
		uint64_t limit = im->trust->write_limit(im->trust->ctx, info);
		size_t keep = 0;

		while (keep < b.n && b.ops[keep].id.seq <= limit)
			keep++;
		im->r->cut += b.n - keep;
		b.n = keep;
	}
	/* The open made every check of hearth_store_apply on each op. */
	if (st == HEARTH_OK)
		st = hearth_store_apply_opened(im->s, b.ops, b.n, NULL);
	if (st == HEARTH_OK) {
		im->r->applied++;
		im->r->ops += b.n;
	}
	hearth_envelope_batch_release(&b);
	if (st == HEARTH_OK && info->epoch == 0 && im->trust->control_changed != NULL)
		st = im->trust->control_changed(im->trust->ctx, &info->space);
	return st;
}

static hearth_status aside_note(import_ctx *im, uint64_t index,
				const hearth_envelope_info *info, const uint8_t *id)
{
	aside_seen *a;

	if (im->nseen == im->capseen) {
		size_t cap = im->capseen ? 2 * im->capseen : 16;

		a = realloc(im->seen, cap * sizeof *a);
		if (a == NULL)
			return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory",
					   N_("cannot read bundle"));
		im->seen = a;
		im->capseen = cap;
	}
	a = &im->seen[im->nseen++];
	a->index = index;
	a->info = *info;
	memcpy(a->id, id, sizeof a->id);
	return HEARTH_OK;
}

/* Says which envelopes of the bundle stay kept aside. */
static hearth_status aside_report(import_ctx *im)
{
	hearth_status st;
	size_t i;
	int state;

	for (i = 0; i < im->nseen; i++) {
		if ((st = kept_has(im->s, im->seen[i].id, &state)) != HEARTH_OK)
			return st;
		if (state != KEPT_ASIDE)
			continue;
		im->r->waiting++;
		notify(im, HEARTH_SYNC_LATER, im->seen[i].index, &im->seen[i].info,
		       im->seen[i].id);
	}
	return HEARTH_OK;
}

/* One envelope of the bundle, the index-th. */
static hearth_status import_one(import_ctx *im, const uint8_t *env, size_t len,
				const hearth_envelope_info *info, uint64_t index)
{
	uint8_t id[HEARTH_ENVELOPE_ID_BYTES], digest[HEARTH_ENVELOPE_DIGEST_BYTES];
	open_ctx oc = { im->trust, { 0 } };
	hearth_sync_verdict v;
	hearth_status st;
	int found;

	hearth_envelope_id_digest(env, len, id, digest);
	if ((st = kept_has(im->s, id, &found)) != HEARTH_OK)
		return st;
	/* Held already.  One kept aside or refused is still not applied:
	 * said again (step 3 judges those kept aside anew). */
	if (found == KEPT_OPEN) {
		im->r->held++;
		return HEARTH_OK;
	}
	if (found == KEPT_ASIDE)
		return aside_note(im, index, info, id);
	if (found == KEPT_REFUSED) {
		im->r->refused++;
		notify(im, HEARTH_SYNC_REFUSE, index, info, id);
		return HEARTH_OK;
	}
	v = im->trust->device_key(im->trust->ctx, info, oc.pk);
	/* A control envelope of a space not known yet may bring its genesis:
	 * the first import of a vault that just joined. */
	if (v == HEARTH_SYNC_LATER && info->epoch == 0) {
		st = open_and_apply(im, env, len, digest, NULL, info);
		if (st == HEARTH_OK)
			return kept_insert(im->s, id, info, KEPT_OPEN, NULL, env, len);
		if (st != HEARTH_ENOTFOUND) {
			im->r->failed_index = index;
			memcpy(im->r->failed_id, id, sizeof id);
			return st;
		}
		hearth_errdetail_clear();
	}
	if (v == HEARTH_SYNC_LATER || v == HEARTH_SYNC_REFUSE) {
		st = kept_insert(im->s, id, info, v == HEARTH_SYNC_LATER ? KEPT_ASIDE :
				 KEPT_REFUSED, v == HEARTH_SYNC_LATER ? NULL :
				 trust_refused, env, len);
		if (st != HEARTH_OK)
			return st;
		if (v == HEARTH_SYNC_LATER)
			return aside_note(im, index, info, id);
		im->r->refused++;
		notify(im, v, index, info, id);
		return HEARTH_OK;
	}
	st = open_and_apply(im, env, len, digest, &oc, info);
	if (st == HEARTH_OK)
		st = kept_insert(im->s, id, info, KEPT_OPEN, NULL, env, len);
	else {
		im->r->failed_index = index;
		memcpy(im->r->failed_id, id, sizeof id);
	}
	return st;
}

/* Where a receive's envelopes come from: a bundle file, read again from
 * start for each pass (its reader checks the bundle's hash at the end, so
 * a file changed since the first pass commits nothing), or envelopes in
 * memory. */
typedef struct source {
	FILE *f;
	long start;
	hearth_bundle_reader *rd;
	const hearth_sync_envelope *envs;
	size_t n, i;
} source;

static hearth_status source_rewind(source *src)
{
	src->i = 0;
	if (src->f == NULL)
		return HEARTH_OK;
	hearth_bundle_reader_free(src->rd);
	src->rd = NULL;
	if (fseek(src->f, src->start, SEEK_SET) != 0)
		return hearth_fail(HEARTH_EIO, "cannot read bundle: %s", strerror(errno));
	return hearth_bundle_reader_open(src->f, &src->rd);
}

/* The next envelope, *env NULL past the last. */
static hearth_status source_next(source *src, const uint8_t **env, size_t *len)
{
	if (src->f != NULL)
		return hearth_bundle_reader_next(src->rd, env, len);
	*env = NULL;
	*len = 0;
	if (src->i < src->n) {
		*env = src->envs[src->i].bytes;
		*len = src->envs[src->i].len;
		src->i++;
		if (*env == NULL)
			return hearth_fail(HEARTH_EINVAL, "cannot import: %-s",
					   N_("an envelope has no bytes"));
	}
	return HEARTH_OK;
}

static void source_close(source *src)
{
	hearth_bundle_reader_free(src->rd);
	src->rd = NULL;
}

/* Reads every envelope once, checking its framing (and a bundle's, as
 * hearth_bundle_check does); *last_control gets the place (from 1) of its
 * last control-plane envelope, 0 if it has none.  An envelope whose
 * framing fails is named in r (failed_index, failed_id). */
static hearth_status check_pass(source *src, uint64_t *last_control,
				hearth_sync_report *r)
{
	hearth_envelope_info info;
	const uint8_t *env;
	uint64_t index = 0;
	hearth_status st;
	size_t len;

	*last_control = 0;
	if ((st = source_rewind(src)) != HEARTH_OK)
		return st;
	while ((st = source_next(src, &env, &len)) == HEARTH_OK && env != NULL) {
		index++;
		if ((st = hearth_envelope_peek(env, len, &info)) != HEARTH_OK) {
			r->failed_index = index;
			hearth_envelope_id(env, len, r->failed_id);
			break;
		}
		if (info.epoch == 0)
			*last_control = index;
	}
	return st;
}

/* One pass: envelopes of the control plane up to the last one (control),
 * or of the data plane to the end. */
static hearth_status import_pass(import_ctx *im, source *src, int control,
				 uint64_t last_control)
{
	hearth_envelope_info info;
	const uint8_t *env;
	uint64_t index = 0;
	hearth_status st;
	size_t len;

	if ((st = source_rewind(src)) != HEARTH_OK)
		return st;
	while ((!control || index < last_control) &&
	       (st = source_next(src, &env, &len)) == HEARTH_OK && env != NULL) {
		index++;
		if ((st = hearth_envelope_peek(env, len, &info)) != HEARTH_OK)
			break;
		if ((info.epoch == 0) != control)
			continue;
		im->r->envelopes++;
		if ((st = import_one(im, env, len, &info, index)) != HEARTH_OK)
			break;
	}
	return st;
}

/* One envelope kept aside (or refused by its trust), as read back. */
typedef struct aside {
	uint64_t arrival;
	hearth_envelope_info info;
	int refused; /* KEPT_REFUSED by trust_refused, judged again */
} aside;

/* The envelopes kept aside, and those their trust refused, control
 * plane first, then by arrival. */
static hearth_status aside_list(hearth_store *s, aside **out, size_t *n)
{
	sqlite3_stmt *q;
	hearth_status st;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = prepare(s, "SELECT arrival, space, epoch, device, first, last, state"
			  " FROM envelope WHERE state = 1 OR (state = 2 AND reason = ?1)"
			  " ORDER BY epoch != 0, arrival", &q, what_read)) != HEARTH_OK)
		return st;
	sqlite3_bind_text(q, 1, trust_refused, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		aside *a;

		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			a = realloc(*out, cap * sizeof *a);
			if (a == NULL) {
				sqlite3_finalize(q);
				return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory",
						   N_("cannot read bundle"));
			}
			*out = a;
		}
		a = &(*out)[(*n)++];
		memset(a, 0, sizeof *a);
		a->arrival = (uint64_t)sqlite3_column_int64(q, 0);
		if (sqlite3_column_bytes(q, 1) == HEARTH_ID_BYTES)
			memcpy(a->info.space.b, sqlite3_column_blob(q, 1), HEARTH_ID_BYTES);
		a->info.version = HEARTH_ENVELOPE_FORMAT;
		a->info.epoch = (uint64_t)sqlite3_column_int64(q, 2);
		a->info.device = (uint64_t)sqlite3_column_int64(q, 3);
		a->info.first_seq = (uint64_t)sqlite3_column_int64(q, 4);
		a->info.last_seq = (uint64_t)sqlite3_column_int64(q, 5);
		a->refused = sqlite3_column_int(q, 6) == KEPT_REFUSED;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return hearth_db_error(hearth_store_db(s), rc, what_read);
	return HEARTH_OK;
}

/* Moves the envelope kept at arrival (a's, whose id is id) to state
 * (KEPT_OPEN: with a new arrival, so that cursors taken meanwhile still
 * see it; KEPT_REFUSED: out of its space's fingerprint). */
static hearth_status aside_settle(hearth_store *s, const aside *a, const uint8_t *id,
				  int state, const char *reason)
{
	uint64_t arrival = a->arrival;
	sqlite3_stmt *q;
	hearth_status st;

	if ((st = prepare(s, state == KEPT_OPEN ?
			  "UPDATE envelope SET state = 0, reason = NULL, arrival ="
			  " (SELECT max(arrival) + 1 FROM envelope) WHERE arrival = ?1" :
			  "UPDATE envelope SET state = 2, reason = ?2 WHERE arrival = ?1",
			  &q, what_keep)) != HEARTH_OK)
		return st;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)arrival);
	if (state != KEPT_OPEN)
		sqlite3_bind_text(q, 2, reason, -1, SQLITE_TRANSIENT);
	if ((st = run(s, q, what_keep)) != HEARTH_OK)
		return st;
	/* Refused ones are out of the fingerprint, the others in it. */
	if (a->refused && state == KEPT_OPEN)
		return fp_update(s, &a->info.space, id, 1);
	if (!a->refused && state == KEPT_REFUSED)
		return fp_update(s, &a->info.space, id, 0);
	return HEARTH_OK;
}

/* Judges one envelope kept aside again; *progress set when it left. */
static hearth_status retry_one(import_ctx *im, const aside *a, int *progress)
{
	open_ctx oc = { im->trust, { 0 } };
	uint8_t id[HEARTH_ENVELOPE_ID_BYTES];
	hearth_sync_verdict v;
	sqlite3_stmt *q;
	hearth_status st;
	uint8_t *env = NULL;
	size_t len = 0;
	int rc;

	v = im->trust->device_key(im->trust->ctx, &a->info, oc.pk);
	/* A refused one leaves only when it is accepted now. */
	if (v == HEARTH_SYNC_LATER || (a->refused && v != HEARTH_SYNC_ACCEPT))
		return HEARTH_OK;
	if ((st = prepare(im->s, "SELECT bytes, id FROM envelope WHERE arrival = ?",
			  &q, what_read)) != HEARTH_OK)
		return st;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)a->arrival);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(q, 1) == HEARTH_ENVELOPE_ID_BYTES) {
		len = (size_t)sqlite3_column_bytes(q, 0);
		env = malloc(len > 0 ? len : 1);
		if (env != NULL)
			memcpy(env, sqlite3_column_blob(q, 0), len);
		memcpy(id, sqlite3_column_blob(q, 1), sizeof id);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return hearth_db_error(hearth_store_db(im->s), rc, what_read);
	if (env == NULL)
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", N_("cannot read bundle"));
	if (v == HEARTH_SYNC_REFUSE) {
		*progress = 1;
		st = aside_settle(im->s, a, id, KEPT_REFUSED,
				  trust_refused);
		im->r->refused++;
		notify(im, v, 0, &a->info, id);
		free(env);
		return st;
	}
	/* A savepoint of its own: an envelope kept by an earlier import that
	 * fails now is refused alone. */
	st = sqlite3_exec(hearth_store_db(im->s), "SAVEPOINT retry_one", NULL, NULL, NULL) ==
		SQLITE_OK ? HEARTH_OK :
		hearth_db_error(hearth_store_db(im->s), SQLITE_ERROR, what_keep);
	if (st == HEARTH_OK)
		st = open_and_apply(im, env, len, NULL, &oc, &a->info);
	if (st == HEARTH_OK) {
		*progress = 1;
		st = aside_settle(im->s, a, id, KEPT_OPEN, NULL);
		im->r->retried++;
	} else if (st == HEARTH_ENOTFOUND || st == HEARTH_ENEWER) {
		/* No key for its epoch here yet (its wrap may come later), or
		 * a newer format than this hearth reads: it stays as kept. */
		hearth_errdetail_clear();
		sqlite3_exec(hearth_store_db(im->s), "ROLLBACK TO retry_one", NULL, NULL, NULL);
		st = HEARTH_OK;
	} else if (a->arrival < im->first_arrival) {
		*progress = 1;
		char reason[256];

		snprintf(reason, sizeof reason, "%s", hearth_errdetail());
		sqlite3_exec(hearth_store_db(im->s), "ROLLBACK TO retry_one", NULL, NULL, NULL);
		st = aside_settle(im->s, a, id, KEPT_REFUSED, reason);
		im->r->refused++;
		notify(im, HEARTH_SYNC_REFUSE, 0, &a->info, id);
	} else {
		im->r->failed_index = 0;
		memcpy(im->r->failed_id, id, sizeof id);
	}
	sqlite3_exec(hearth_store_db(im->s), "RELEASE retry_one", NULL, NULL, NULL);
	free(env);
	return st;
}

static hearth_status retry_all(import_ctx *im)
{
	hearth_status st = HEARTH_OK;
	int progress;

	do {
		aside *list;
		size_t n, i;

		progress = 0;
		if ((st = aside_list(im->s, &list, &n)) != HEARTH_OK)
			break;
		for (i = 0; i < n && st == HEARTH_OK; i++)
			st = retry_one(im, &list[i], &progress);
		free(list);
	} while (st == HEARTH_OK && progress);
	return st;
}

static hearth_status import_all(import_ctx *im, source *src, uint64_t last_control)
{
	hearth_status st;

	if ((st = kept_last_arrival(im->s, &im->first_arrival)) != HEARTH_OK)
		return st;
	im->first_arrival++;
	if ((last_control > 0 &&
	     (st = import_pass(im, src, 1, last_control)) != HEARTH_OK) ||
	    (st = import_pass(im, src, 0, 0)) != HEARTH_OK ||
	    (st = retry_all(im)) != HEARTH_OK)
		return st;
	return aside_report(im);
}

static int trust_ok(const hearth_sync_trust *t)
{
	return t != NULL && t->device_key != NULL;
}

/* The engine of hearth_sync_import and hearth_sync_receive. */
static hearth_status receive(hearth_store *s, const hearth_sync_trust *trust,
			     source *src, hearth_sync_notice_cb cb, void *cb_ctx,
			     hearth_sync_report *r)
{
	import_ctx im = { s, trust, cb, cb_ctx, r, 0, NULL, 0, 0 };
	hearth_store_step step;
	uint64_t last_control;
	hearth_status st;

	/* Every envelope first: a truncated or damaged one applies nothing. */
	st = check_pass(src, &last_control, r);
	if (st == HEARTH_OK && (st = hearth_store_step_begin(s, &step)) == HEARTH_OK) {
		st = import_all(&im, src, last_control);
		st = hearth_store_step_end(s, &step, st);
	}
	source_close(src);
	free(im.seen);
	if (st != HEARTH_OK) {
		/* Nothing of a refused batch stays: the counts say so too. */
		uint64_t index = r->failed_index;
		uint8_t id[HEARTH_ENVELOPE_ID_BYTES];

		memcpy(id, r->failed_id, sizeof id);
		memset(r, 0, sizeof *r);
		r->failed_index = index;
		memcpy(r->failed_id, id, sizeof id);
	}
	return st;
}

hearth_status hearth_sync_import(hearth_store *s, const hearth_sync_trust *trust,
				 FILE *f, hearth_sync_notice_cb cb, void *cb_ctx,
				 hearth_sync_report *r)
{
	source src = { f, 0, NULL, NULL, 0, 0 };
	hearth_sync_report dummy;

	if (r == NULL)
		r = &dummy;
	memset(r, 0, sizeof *r);
	if (s == NULL || !trust_ok(trust) || f == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot import: %-s",
				   N_("no bundle or trust given"));
	if ((src.start = ftell(f)) < 0)
		return hearth_fail(HEARTH_EIO, "cannot read bundle: %s", strerror(errno));
	return receive(s, trust, &src, cb, cb_ctx, r);
}

hearth_status hearth_sync_receive(hearth_store *s, const hearth_sync_trust *trust,
				  const hearth_sync_envelope *envs, size_t n,
				  hearth_sync_notice_cb cb, void *cb_ctx,
				  hearth_sync_report *r)
{
	source src = { NULL, 0, NULL, envs, n, 0 };
	hearth_sync_report dummy;

	if (r == NULL)
		r = &dummy;
	memset(r, 0, sizeof *r);
	if (s == NULL || !trust_ok(trust) || (envs == NULL && n > 0))
		return hearth_fail(HEARTH_EINVAL, "cannot import: %-s",
				   N_("no bundle or trust given"));
	return receive(s, trust, &src, cb, cb_ctx, r);
}

hearth_status hearth_sync_keep_failed(hearth_store *s, const uint8_t *env, size_t len,
				     hearth_status why, const char *reason)
{
	uint8_t id[HEARTH_ENVELOPE_ID_BYTES];
	hearth_envelope_info info;
	hearth_store_step step;
	hearth_status st;
	int found, state;

	if (s == NULL || env == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot import: %-s",
				   N_("an envelope has no bytes"));
	if (why == HEARTH_EFORMAT || why == HEARTH_EAUTH)
		state = KEPT_REFUSED;
	else if (why == HEARTH_ENOTFOUND || why == HEARTH_ENEWER)
		state = KEPT_ASIDE;
	else
		return hearth_fail(HEARTH_EINVAL, "cannot import: %-s",
				   N_("the envelope did not fail on its own"));
	/* One whose framing does not read names no space to keep it in. */
	if ((st = hearth_envelope_peek(env, len, &info)) != HEARTH_OK)
		return st;
	hearth_envelope_id(env, len, id);
	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return st;
	st = kept_has(s, id, &found);
	if (st == HEARTH_OK && found < 0)
		st = kept_insert(s, id, &info, state,
				 state == KEPT_REFUSED ? reason : NULL, env, len);
	return hearth_store_step_end(s, &step, st);
}

hearth_status hearth_sync_retry(hearth_store *s, const hearth_sync_trust *trust,
				hearth_sync_notice_cb cb, void *cb_ctx,
				hearth_sync_report *r)
{
	import_ctx im = { s, trust, cb, cb_ctx, r, 0, NULL, 0, 0 };
	hearth_sync_report dummy;
	hearth_store_step step;
	hearth_status st;

	if (r == NULL)
		im.r = r = &dummy;
	if (s == NULL || !trust_ok(trust))
		return hearth_fail(HEARTH_EINVAL, "cannot import: %-s",
				   N_("no bundle or trust given"));
	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return st;
	/* Every envelope kept aside was kept before this call. */
	st = kept_last_arrival(s, &im.first_arrival);
	if (st == HEARTH_OK) {
		im.first_arrival++;
		st = retry_all(&im);
	}
	return hearth_store_step_end(s, &step, st);
}
