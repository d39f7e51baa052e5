/*
 * hearth/store.h - the record store: records, fields, spaces and ops.
 *
 * A record has a kind ("person", "screening", ...), a random 128-bit id, the
 * space it belongs to, and named fields holding UTF-8 text.  Every change is
 * an op (space, record, kind, field, value, HLC); writing through this API
 * appends the op to the op log and updates the queryable tables (record,
 * field) in the same transaction.  Ops from other devices go through
 * hearth_store_apply(), which merges them:
 *
 *   - a field is a last-writer-wins register: the op with the greatest HLC
 *     wins (the HLC ends with the device id, so ties cannot happen between
 *     devices; an identical op is a duplicate and changes nothing);
 *   - deletion is the field "_deleted" set to "1": a tombstone that merges
 *     like any field;
 *   - merging is commutative, associative and idempotent: two stores that
 *     hold the same set of ops hold byte-identical hearth_store_dump()s.
 *
 * Remote ops more than the clock's max drift in the future are kept aside
 * (table op_pending), not applied and not dropped; hearth_store_retry_pending
 * applies those whose time has come.
 *
 * The store works on any SQLite connection whose schema hearth_schema_migrate
 * has brought up to date: the vault's encrypted one in the product, a plain
 * one in unit tests.  A store handle is not thread-safe.
 *
 * Details every replica must agree on:
 *
 *   - hearth_record_create writes one op, field "_kind" with the kind as
 *     its value, so a record without fields still syncs.  Field names
 *     starting with '_' are reserved ("_kind", "_deleted"); they are kept
 *     and merged like any field and shown by hearth_store_dump, but not
 *     listed in a loaded hearth_record (kind and deleted carry them).
 *   - a record's kind, space and `created` come from the op with the
 *     smallest HLC seen for it; record.deleted is field "_deleted" == "1".
 *   - a cleared field keeps its row (value NULL) so an older op cannot
 *     bring the value back.
 *   - two different ops with one HLC can only come from a misbehaving
 *     device; if they target the same field the greater value wins (a
 *     value beats a clear), so the merged state stays order-independent.
 *   - table meta holds "device" (8 bytes, big-endian, never 0),
 *     "private_space" (16 bytes) and "clock" (the HLC of the clock's last
 *     timestamp, 16 bytes); on open the clock continues after the greater
 *     of "clock" and the greatest HLC in the op log, whatever the wall
 *     clock says.
 */
#ifndef HEARTH_STORE_H
#define HEARTH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "hearth/hlc.h"
#include "hearth/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_ID_BYTES 16u
#define HEARTH_ID_HEX 32u          /* hex digits in a printed id */
#define HEARTH_ID_MIN_PREFIX 6u    /* shortest id prefix accepted on input */
#define HEARTH_FIELD_DELETED "_deleted"

typedef struct hearth_id {
	uint8_t b[HEARTH_ID_BYTES];
} hearth_id;

typedef struct hearth_store hearth_store;

/* One change.  In callbacks every pointer is borrowed for the call only. */
typedef struct hearth_op {
	hearth_hlc hlc;     /* when, and (last 8 bytes) which device */
	hearth_id space;
	hearth_id record;
	const char *kind;   /* record kind */
	const char *field;  /* field name */
	const char *value;  /* new value; NULL clears the field */
} hearth_op;

typedef struct hearth_field {
	char *name;
	char *value;        /* never NULL: cleared fields are not listed */
	hearth_hlc hlc;     /* op that set it */
} hearth_field;

typedef struct hearth_record {
	hearth_id id;
	hearth_id space;
	char *kind;
	hearth_hlc created; /* smallest HLC of any op on the record */
	int deleted;        /* tombstoned */
	size_t nfields;
	hearth_field *fields; /* sorted by name (bytewise); set fields only,
			       * reserved "_" names left out */
} hearth_record;

typedef struct hearth_store_options {
	hearth_now_fn now;     /* NULL: the real clock */
	void *now_ctx;
	uint64_t max_drift_ms; /* 0: HEARTH_HLC_DEFAULT_MAX_DRIFT_MS */
} hearth_store_options;

/* 32 lowercase hex digits + NUL. */
void hearth_id_to_hex(const hearth_id *id, char out[HEARTH_ID_HEX + 1]);
/* Exactly 32 hex digits; HEARTH_EFORMAT otherwise. */
hearth_status hearth_id_from_hex(hearth_id *id, const char *hex) HEARTH_WUR;
/* A fresh random id. */
hearth_id hearth_id_random(void);
int hearth_id_equal(const hearth_id *a, const hearth_id *b);

/* Opens a store over db (borrowed: the caller closes it after
 * hearth_store_close).  The schema must be current.  The device id, the
 * private space and the clock's last timestamp are read from table meta;
 * a database without them gets fresh random ones.  opt may be NULL.
 * HEARTH_ESTATE if the schema is older than hearth_schema_latest(),
 * HEARTH_ENEWER if it is newer. */
hearth_status hearth_store_open(sqlite3 *db, const hearth_store_options *opt,
				hearth_store **out) HEARTH_WUR;

/* Frees the handle, rolling back a transaction opened by
 * hearth_store_begin.  Accepts NULL. */
void hearth_store_close(hearth_store *s);

sqlite3 *hearth_store_db(hearth_store *s);           /* borrowed */
uint64_t hearth_store_device(const hearth_store *s);
hearth_id hearth_store_private_space(const hearth_store *s);

/* Explicit transactions.  Every write function below runs inside the
 * current transaction (one opened here, or by the caller's own SQL), or in
 * one of its own when none is open.  begin gives HEARTH_ESTATE when a
 * transaction is open already, commit when none is.  A commit that fails
 * with HEARTH_EBUSY leaves the transaction open. */
hearth_status hearth_store_begin(hearth_store *s) HEARTH_WUR;
hearth_status hearth_store_commit(hearth_store *s) HEARTH_WUR;
void hearth_store_rollback(hearth_store *s);

/* One atomic step of a write function: a transaction of its own when none
 * is open, else a savepoint inside the caller's transaction, so the step
 * is all-or-nothing either way and never ends the caller's transaction.
 *
 *     hearth_store_step step;
 *     if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
 *             return st;
 *     st = ...writes...;
 *     return hearth_store_step_end(s, &step, st);
 *
 * end commits (or releases the savepoint) when st is HEARTH_OK and rolls
 * the step back otherwise; it returns the final status (a failed commit
 * turns HEARTH_OK into an error; a failed step keeps its first error). */
typedef struct hearth_store_step {
	int own;       /* began with hearth_store_begin */
	int savepoint; /* inside the caller's transaction */
} hearth_store_step;

hearth_status hearth_store_step_begin(hearth_store *s,
				      hearth_store_step *step) HEARTH_WUR;
hearth_status hearth_store_step_end(hearth_store *s, hearth_store_step *step,
				    hearth_status st) HEARTH_WUR;

/* Creates a record of kind (non-empty UTF-8) in space (NULL: the private
 * space) by writing the op "_kind" = kind; its id goes to *out. */
hearth_status hearth_record_create(hearth_store *s, const hearth_id *space,
				   const char *kind, hearth_id *out) HEARTH_WUR;

/* Sets field to value (NULL clears it).  HEARTH_ENOTFOUND for an unknown
 * record; HEARTH_EINVAL for a field name starting with '_' (reserved), or a
 * name or value that is not valid UTF-8.  A tombstoned record may still be
 * written (as a remote op could); callers that should not do so check
 * ->deleted first.  Nothing is written when it fails; a failure of SQLite
 * itself inside the caller's transaction should be followed by a rollback. */
hearth_status hearth_record_set(hearth_store *s, const hearth_id *id,
				const char *field, const char *value) HEARTH_WUR;

/* Tombstones a record: the op "_deleted" = "1" (HEARTH_ENOTFOUND if
 * unknown). */
hearth_status hearth_record_delete(hearth_store *s, const hearth_id *id) HEARTH_WUR;

/* Loads a record, tombstoned ones included (check ->deleted).  *out is
 * owned by the caller: hearth_record_free().  HEARTH_ENOTFOUND. */
hearth_status hearth_record_load(hearth_store *s, const hearth_id *id,
				 hearth_record **out) HEARTH_WUR;

/* The value of a field of a loaded record, or NULL. */
const char *hearth_record_field(const hearth_record *r, const char *name);

void hearth_record_free(hearth_record *r);

/* Calls cb for every record of kind (NULL: all kinds) in creation order
 * (created HLC, then id);
 * tombstoned ones only if include_deleted.  The record is borrowed for the
 * call.  cb returns non-zero to stop early. */
typedef int (*hearth_record_cb)(const hearth_record *r, void *ctx);
hearth_status hearth_store_each(hearth_store *s, const char *kind,
				int include_deleted, hearth_record_cb cb,
				void *ctx) HEARTH_WUR;

/* Resolves a hex id or id prefix (at least HEARTH_ID_MIN_PREFIX digits,
 * either case) among records of kind (NULL: any), tombstoned ones excluded.
 * HEARTH_EINVAL (too short or not hex), HEARTH_ENOTFOUND,
 * HEARTH_EAMBIGUOUS; each with a detail naming the prefix. */
hearth_status hearth_store_resolve(hearth_store *s, const char *kind,
				   const char *prefix, hearth_id *out) HEARTH_WUR;

/* Merges remote ops in one transaction (the current one if open).  Ops
 * already held are skipped; ops too far in the future are kept aside and
 * counted in *n_deferred (may be NULL).  Applied ops are stored in the op
 * log so they can be forwarded, and the clock observes them.  HEARTH_EINVAL
 * (nothing applied) if an op has no kind, no field name or device id 0.
 * On any failure inside the caller's transaction, roll it back. */
hearth_status hearth_store_apply(hearth_store *s, const hearth_op *ops,
				 size_t n, size_t *n_deferred) HEARTH_WUR;

/* Applies kept-aside ops that are no longer too far ahead; *n_applied
 * (may be NULL) counts those merged. */
hearth_status hearth_store_retry_pending(hearth_store *s,
					 size_t *n_applied) HEARTH_WUR;

/* Number of ops kept aside. */
hearth_status hearth_store_pending_count(hearth_store *s, size_t *n) HEARTH_WUR;

/* Calls cb for each op in the log of device (0: every device) whose HLC is
 * in [from, to] (NULL: unbounded), in HLC order.  cb returns non-zero to
 * stop. */
typedef int (*hearth_op_cb)(const hearth_op *op, void *ctx);
hearth_status hearth_store_ops(hearth_store *s, uint64_t device,
			       const hearth_hlc *from, const hearth_hlc *to,
			       hearth_op_cb cb, void *ctx) HEARTH_WUR;

/* A canonical text dump of the merged state (records, their winning field
 * values and HLCs, tombstones) sorted by id then field: equal for any two
 * stores that merged the same ops.  *out is malloc'd, NUL-terminated; len
 * may be NULL.  The format, per record in id order:
 *
 *   record <id hex>
 *     space <space id hex>
 *     kind "<kind>"
 *     created <hlc hex>
 *     deleted <0|1>
 *     field "<name>" = "<value>" @ <hlc hex>     one line per field row,
 *     field "<name>" cleared @ <hlc hex>         sorted bytewise by name
 *
 * with two-space indents, lowercase hex, and strings quoted: \\ \" \n \t
 * and \xNN (other bytes below 0x20, and 0x7f) escaped, UTF-8 as it is. */
hearth_status hearth_store_dump(hearth_store *s, char **out, size_t *len) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_STORE_H */
