/*
 * hearth/store.h - the record store: records, fields, spaces and ops.
 *
 * A record has a kind ("person", "screening", ...), a random 128-bit id, the
 * space it belongs to, and named fields holding UTF-8 text.  Every change is
 * an op; writing through this API appends the op to the op log and updates
 * the queryable tables (record, field) in the same transaction.  Ops from
 * other devices go through hearth_store_apply(), which merges them.  The op
 * and its hash are specified byte by byte in docs/protocol.md.
 *
 *   - an op's id is (author device, seq): each device numbers its ops 1, 2,
 *     3, ... with no gaps, and a store never issues one seq twice, even after
 *     a rollback (it moves to a new device id instead);
 *   - a record is created by its op "_kind" (value: the kind), which fixes
 *     its space, kind and `created` for good; ops naming another space or
 *     kind are quarantined, not applied.  A record's id is derived from its
 *     creating op (hearth_op_record_id), so of two creating ops that
 *     disagree only one can be the record's own, whatever their order; for
 *     records made before ids were derived, the first creating op to
 *     arrive binds (replicas that get two disagreeing ones in different
 *     orders differ on that record, and each reports it);
 *   - a field is a register: the op with the greatest (HLC, seq) is its
 *     value.  An op lists the values it replaces (a local write replaces
 *     every value its device holds for the field), so values written
 *     concurrently on two devices both stay (hearth_store_values) until a
 *     write replaces them; a face shows them as a conflict where it matters
 *     (free text) and the winner elsewhere;
 *   - deletion is the field "_deleted" set to "1", a tombstone; there is no
 *     undelete;
 *   - merging is commutative, associative and idempotent: two stores that
 *     hold the same set of ops hold byte-identical hearth_store_dump()s.
 *
 * Remote ops more than the clock's max drift (5 minutes by default) in the
 * future are kept aside, not applied and not dropped, and stay forwardable;
 * hearth_store_retry_pending applies those whose time has come.
 *
 * The store works on any SQLite connection whose schema hearth_schema_migrate
 * has brought up to date: the vault's encrypted one in the product, a plain
 * one in unit tests.  A store handle is not thread-safe.
 *
 * Details every replica must agree on:
 *
 *   - field names starting with '_' are reserved ("_kind", "_deleted");
 *     they are kept and merged like any field and shown by hearth_store_dump,
 *     but not listed in a loaded hearth_record (kind and deleted carry them).
 *   - a cleared field keeps its row (value NULL) so an older op cannot
 *     bring the value back.
 *   - table meta holds "device" (8 bytes, big-endian, never 0),
 *     "private_space" (16 bytes), "clock" (the HLC of the clock's last
 *     timestamp, 16 bytes) and "retired_devices" (8 bytes per device id this
 *     store used before); on open the clock continues after the greater of
 *     "clock" and the greatest HLC in the op log, whatever the wall clock
 *     says.
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
#define HEARTH_FIELD_PURGED "_purged"

typedef struct hearth_id {
	uint8_t b[HEARTH_ID_BYTES];
} hearth_id;

typedef struct hearth_store hearth_store;

/* Most bytes in a record kind or a field name, and in a field value; the
 * most values one op may replace.  Local writes and remote ops alike. */
#define HEARTH_OP_NAME_MAX 64u
#define HEARTH_OP_VALUE_MAX (1024u * 1024u)
#define HEARTH_OP_PREV_MAX 64u
#define HEARTH_OP_HASH_BYTES 32u

/* An op's identity: the device that wrote it and that device's dense
 * sequence number (1, 2, 3, ... with no gaps), so a receiver sees a
 * missing op and a device that sent two different ops under one id. */
typedef struct hearth_op_id {
	uint64_t device;
	uint64_t seq;
} hearth_op_id;

/* One change.  In callbacks every pointer is borrowed for the call only.
 * hash is BLAKE2b-256 of the op's canonical encoding (docs/protocol.md):
 * hearth_op_seal() fills it; hearth_store_apply() refuses an op whose hash
 * does not match. */
typedef struct hearth_op {
	hearth_op_id id;    /* author device (= the HLC's device) and seq */
	hearth_hlc hlc;     /* when; orders writes to one field */
	hearth_id space;
	hearth_id record;
	const char *kind;   /* record kind */
	const char *field;  /* field name */
	const char *value;  /* new value; NULL clears the field */
	const hearth_op_id *prev; /* the values this op replaces (the ones its
				   * writer saw), sorted, no repeats */
	size_t nprev;
	uint8_t hash[HEARTH_OP_HASH_BYTES];
} hearth_op;

/* Computes op's hash into op->hash. */
void hearth_op_seal(hearth_op *op);

/* The id of the record a creating op ("_kind") makes: BLAKE2b-128 of its
 * author, seq, HLC, space and kind (docs/protocol.md).  Records created
 * since op format 1 have it, so a replica can tell a record's own creating
 * op from another op that claims the id; records older than that have
 * random ids. */
hearth_id hearth_op_record_id(const hearth_op *op);

/* What became of an op this store holds. */
typedef enum hearth_op_state {
	HEARTH_OP_APPLIED = 0,     /* merged into records and fields */
	HEARTH_OP_FUTURE = 1,      /* too far ahead of our clock: kept aside */
	HEARTH_OP_ORPHAN = 2,      /* its record's creating op has not come */
	HEARTH_OP_QUARANTINED = 3, /* refused: kept and reported, not applied */
	HEARTH_OP_PURGED = 4,      /* its record was purged: value removed */
	HEARTH_OP_SUPERSEDED = 5   /* another op under its id has the smaller
				    * hash: kept and forwarded, not applied */
} hearth_op_state;

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
	/* Kinds whose fields are written once (NULL-terminated; may be
	 * NULL): a later change of a set field is refused locally with
	 * HEARTH_ESTATE and quarantined at merge.  Tombstones still apply. */
	const char *const *immutable_kinds;
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
/* The device-local space: records in it never leave this device (its ops
 * are not listed for sync, and a remote op naming it is quarantined);
 * for settings that belong to one device.  meta "local_space". */
hearth_id hearth_store_local_space(const hearth_store *s);

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

/* Purges a record (an erasure request): the op "_purged" = "1".  On every
 * replica that merges it, the record's field values and concurrent values
 * go, and the values of its ops in the op log are removed (those ops are
 * no longer forwarded); the record keeps its id, space and kind and reads
 * as deleted, and any later op for it is emptied the same way on arrival.
 * HEARTH_ENOTFOUND if unknown.  Cannot be undone. */
hearth_status hearth_record_purge(hearth_store *s, const hearth_id *id) HEARTH_WUR;

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

/* Merges remote ops in one transaction (the current one if open), in any
 * order, batching or repetition.  Each op is first checked like a local
 * write: kind and field names of 1..HEARTH_OP_NAME_MAX bytes and values up
 * to HEARTH_OP_VALUE_MAX, all valid UTF-8; reserved names only "_kind"
 * (value = the kind), "_deleted" (value "1": there is no undelete) and
 * "_purged" (value "1");
 * device and seq non-zero and the HLC's device = the author; prev sorted
 * without repeats; the hash matching.  A batch with an op that fails these
 * is refused whole with HEARTH_EFORMAT naming the op and the reason, and
 * nothing is applied.
 *
 * Then, per op:
 *   - an op already held (same id, same hash) changes nothing;
 *   - an op whose id we hold with another hash means two copies of one
 *     vault wrote under one device id: under the id every store keeps the
 *     op with the smaller hash and merges it (rebuilding the records
 *     either touches), and keeps the other as superseded: forwarded,
 *     reported by hearth_store_problems, never merged.  If the id is one of
 *     ours, this store is a copy or was rolled back: it moves to a new
 *     device id at once (see hearth_store_device), and writes the content
 *     of its own superseded op again under it;
 *   - an op of our own device with a sequence number we never issued also
 *     means a rollback: new device id, and the op is merged as remote;
 *   - an op more than the clock's max drift ahead is kept aside
 *     (HEARTH_OP_FUTURE, counted in *n_deferred, which may be NULL);
 *   - an op for a record whose creating op ("_kind") has not come waits
 *     (HEARTH_OP_ORPHAN) and is merged when it comes;
 *   - a record's space and kind are fixed by its creating op: an op that
 *     names another space or kind is quarantined, as is a second creating op
 *     that disagrees (unless it is the one the record id derives from: then
 *     it binds the record, which is rebuilt from its ops), and any change to
 *     a field of an immutable kind that already holds a value (the first
 *     write by HLC order stays);
 *   - every other op merges last-writer-wins by (HLC, seq).
 * Every op held gets the next arrival number (see hearth_store_ops_since).
 * On any failure inside the caller's transaction, roll it back. */
hearth_status hearth_store_apply(hearth_store *s, const hearth_op *ops,
				 size_t n, size_t *n_deferred) HEARTH_WUR;

/* Applies kept-aside ops that are no longer too far ahead; *n_applied
 * (may be NULL) counts those merged. */
hearth_status hearth_store_retry_pending(hearth_store *s,
					 size_t *n_applied) HEARTH_WUR;

/* Number of ops kept aside (future or orphan). */
hearth_status hearth_store_pending_count(hearth_store *s, size_t *n) HEARTH_WUR;

/* Calls cb for every op held whose arrival number is greater than after,
 * in arrival order, with the op's arrival number and state: the cursor a
 * transport pages by (ops that arrive late with old HLCs still come after
 * it).  Every op held is listed (ops kept aside and quarantined ones too:
 * they stay forwardable, and every replica treats them alike) but ops of
 * the device-local space and ops emptied by a purge.  cb returns non-zero
 * to stop. */
typedef int (*hearth_op_cb)(const hearth_op *op, uint64_t arrival,
			    hearth_op_state state, void *ctx);
hearth_status hearth_store_ops_since(hearth_store *s, uint64_t after,
				     hearth_op_cb cb, void *ctx) HEARTH_WUR;

/* Calls cb for the ops of device (0: every device) with seq in [from, to]
 * (to 0: unbounded), by device then seq, as hearth_store_ops_since lists
 * them; after the op held under an id come the ops it superseded
 * (HEARTH_OP_SUPERSEDED, arrival 0, by hash), which a peer needs too. */
hearth_status hearth_store_ops(hearth_store *s, uint64_t device,
			       uint64_t from, uint64_t to,
			       hearth_op_cb cb, void *ctx) HEARTH_WUR;

/* What this store knows of one device: how many of its ids it holds and
 * the greatest seq among them (a gap when count < max_seq), and a digest
 * of every op of the device it holds, superseded ones included: the sum
 * modulo 2^64 of the first 8 bytes (big-endian) of their hashes.  Two
 * stores hold the same ops of a device when all three agree; equal counts
 * with different digests mean one holds a version of an id the other
 * lacks (two copies of a vault wrote under one device id). */
typedef struct hearth_device_head {
	uint64_t device;
	uint64_t count;
	uint64_t max_seq;
	uint64_t digest;
} hearth_device_head;

/* Calls cb for every device with ops held, by device id. */
typedef int (*hearth_head_cb)(const hearth_device_head *h, void *ctx);
hearth_status hearth_store_heads(hearth_store *s, hearth_head_cb cb,
				 void *ctx) HEARTH_WUR;

/* The HLC of the newest op held from device (its greatest seq: a device's
 * HLCs grow with its seqs); *found 0 when none is held. */
hearth_status hearth_store_device_latest(hearth_store *s, uint64_t device,
					 hearth_hlc *hlc, int *found) HEARTH_WUR;

/* Something the store refused or noticed, for a face to report:
 * quarantined and equivocating ops (op set, reason says why) and device
 * moves (op NULL). */
typedef struct hearth_store_problem {
	const hearth_op *op;
	const char *reason;   /* English, stable: e.g. "space differs" */
} hearth_store_problem;

typedef int (*hearth_problem_cb)(const hearth_store_problem *p, void *ctx);
hearth_status hearth_store_problems(hearth_store *s, hearth_problem_cb cb,
				    void *ctx) HEARTH_WUR;

/* Moves this store to a fresh device id (a copied or restored vault must
 * not issue ops under the ids of the original).  The old id is retired:
 * its ops stay and merge as any device's.  why is recorded among the
 * problems. */
hearth_status hearth_store_new_device(hearth_store *s, const char *why) HEARTH_WUR;

/* How far (ms) this store's clock is ahead of the wall clock, 0 if not:
 * a clock that once ran fast keeps stamping ahead of its peers; a face
 * reports it when it exceeds the max drift. */
uint64_t hearth_store_clock_ahead_ms(hearth_store *s);

/* Calls cb for every live value of a field (NULL value: cleared), the
 * winner first, then values written concurrently with it by (HLC, seq).
 * More than one call means a conflict; writing the field resolves it. */
typedef int (*hearth_value_cb)(const char *value, const hearth_op_id *id,
			       const hearth_hlc *hlc, void *ctx);
hearth_status hearth_store_values(hearth_store *s, const hearth_id *id,
				  const char *field, hearth_value_cb cb,
				  void *ctx) HEARTH_WUR;

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
 *       also "<value>" @ <hlc hex>               concurrent values of the
 *       also cleared @ <hlc hex>                 field above, by HLC
 *
 * with two-space indents, lowercase hex, and strings quoted: \\ \" \n \t
 * and \xNN (other bytes below 0x20, and 0x7f) escaped, UTF-8 as it is. */
hearth_status hearth_store_dump(hearth_store *s, char **out, size_t *len) HEARTH_WUR;

/* ---- secrets and retired ids of this device -----------------------------
 *
 * Named blobs kept in table meta (key "secret." NAME): the database is
 * encrypted by the vault's VFS like everything else, and meta is never
 * written as an op, so a secret never leaves this device through sync.
 * For the identity's and the device's keys (core/devices.c). */

/* Most bytes one secret may hold. */
#define HEARTH_STORE_SECRET_MAX 4096u

/* Reads secret name (1..64 bytes of [a-z0-9_.]) into out, which has room
 * for cap bytes; *len gets its size and *found whether it exists (when
 * not, *len is 0).  HEARTH_EINVAL (a bad name),
 * HEARTH_EDAMAGED (stored with more than cap bytes), HEARTH_EDB. */
hearth_status hearth_store_secret_get(hearth_store *s, const char *name,
				      uint8_t *out, size_t cap, size_t *len,
				      int *found) HEARTH_WUR;

/* Writes (or replaces) secret name, len bytes (at most
 * HEARTH_STORE_SECRET_MAX), in the current transaction or one of its own.
 * HEARTH_EINVAL, HEARTH_EDB. */
hearth_status hearth_store_secret_put(hearth_store *s, const char *name,
				      const uint8_t *v, size_t len) HEARTH_WUR;

/* Calls cb for every secret whose name starts with prefix ("" or NULL:
 * all), by name: its name (without "secret.") and bytes, borrowed for the
 * call.  cb returns non-zero to stop.  HEARTH_EINVAL, HEARTH_EDB. */
typedef int (*hearth_secret_cb)(const char *name, const uint8_t *v, size_t len,
				void *ctx);
hearth_status hearth_store_secret_each(hearth_store *s, const char *prefix,
				       hearth_secret_cb cb, void *ctx) HEARTH_WUR;

/* Makes space the store's private space (meta "private_space"): what a
 * newly linked device does, to share its person's private space.  Refused
 * (HEARTH_ESTATE) when the store holds a record or an op of its present
 * private space, whose records would be left behind.  HEARTH_EDB. */
hearth_status hearth_store_private_space_adopt(hearth_store *s,
					       const hearth_id *space) HEARTH_WUR;

/* The device ids this store used before its current one, oldest first
 * (meta "retired_devices"): *ids is borrowed from the store and valid until
 * its next write.  Returns their number. */
size_t hearth_store_retired_devices(const hearth_store *s, const uint64_t **ids);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_STORE_H */
