/*
 * store.h - where hearth-relay keeps envelopes: one interface, two
 * implementations (store_sqlite.c, the default, embedded; store_pg.c,
 * PostgreSQL, for several relay processes sharing one database).  The
 * relay's HTTP code calls only these functions, so both stores behave
 * alike and one conformance test (tests/test_relay_store.c) runs on both.
 *
 * A relay holds envelopes as opaque bytes plus the header fields it can
 * read without a key (hearth_envelope_peek).  Per space it assigns each
 * new envelope the next sequence number (1, 2, ...), which clients pull
 * after; an envelope already held (same id) keeps its number.  Every
 * write is durable when its call returns: a relay acknowledges a push only
 * after relay_store_put has returned 0 for it, and that must survive
 * kill -9 and a power cut (SQLite: synchronous=FULL in WAL mode;
 * PostgreSQL: a committed transaction).
 *
 * Each store has an instance id, 16 random bytes made when the store is
 * first created and never changed: a wiped store gets a new one, so a
 * client can tell "the relay lost everything" from "nothing new".
 *
 * Every function returns 0 on success, or a negative RELAY_E* code;
 * relay_store_error() gives a short English text of the last failure
 * (for the log; never sent to clients verbatim).  A store handle is used
 * by one thread at a time; the relay opens one per worker thread.
 */
#ifndef HEARTH_RELAY_STORE_H
#define HEARTH_RELAY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/reconcile.h"

#define RELAY_ID_BYTES 32u    /* an envelope id, BLAKE2b-256 of its bytes */
#define RELAY_SPACE_BYTES 16u /* a space id */
#define RELAY_INSTANCE_BYTES 16u
#define RELAY_NONCE_BYTES 16u

enum {
	RELAY_OK = 0,
	RELAY_ENOTFOUND = -1, /* no such space / envelope */
	RELAY_EEXIST = -2,    /* space_add: the space is registered already */
	RELAY_EQUOTA = -3,    /* put: the space would pass its byte quota */
	RELAY_EREPLAY = -4,   /* nonce: seen before within the window */
	RELAY_EIO = -5,       /* the database failed; see relay_store_error */
	RELAY_ENOMEM = -6,
	RELAY_EINVAL = -7,
};

typedef struct relay_store relay_store;

/* One envelope as the relay keeps it.  bytes/len: the envelope exactly as
 * pushed.  The header fields are those hearth_envelope_peek read. */
typedef struct relay_envelope {
	uint64_t seq;     /* relay-assigned, per space, from 1; 0 on put */
	uint8_t id[RELAY_ID_BYTES];
	uint64_t epoch;   /* 0: the control plane */
	uint64_t device;  /* the author device */
	uint64_t first_seq, last_seq; /* the author's op seqs inside */
	const uint8_t *bytes;
	size_t len;
} relay_envelope;

/* A space's state: what GET .../state reports. */
typedef struct relay_space_state {
	uint64_t max_seq;   /* the greatest seq assigned, 0 when empty */
	uint64_t bytes;     /* envelope bytes held (for the quota) */
	hearth_fp fp;       /* count and sum of every envelope id held */
	uint64_t control;   /* control-plane envelopes held: a change means
			     * the membership must be folded again */
} relay_space_state;

/* Opens (creating if needed, with its schema and instance id) the store
 * at uri: "sqlite:PATH" or "postgresql://..." / "postgres://...".
 * On failure *out is NULL and err (may be NULL) gets a message. */
int relay_store_open(const char *uri, relay_store **out, char *err, size_t errlen);
void relay_store_close(relay_store *st);
const char *relay_store_error(relay_store *st);

int relay_store_instance(relay_store *st, uint8_t id[RELAY_INSTANCE_BYTES]);

/* Registers space.  RELAY_EEXIST if it is there already (not an error for
 * the caller to report: registering is idempotent). */
int relay_store_space_add(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES]);
/* 0 if registered, RELAY_ENOTFOUND if not. */
int relay_store_space_exists(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES]);

/* Stores e (e->seq ignored) in space unless its id is held already.  On 0
 * *seq is its number and *added 1 if it was stored now, 0 if held before.
 * quota (bytes, 0: none): RELAY_EQUOTA, nothing stored, when the space's
 * bytes plus e->len would pass it.  Several relay processes may put into
 * one space at once: numbers stay unique and gap-free per space. */
int relay_store_put(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		    const relay_envelope *e, uint64_t quota, uint64_t *seq, int *added);

/* As relay_store_put for each of e[0..n), in order (seq[i], added[i]),
 * but durable together: one transaction and one sync where the store
 * can (SQLite), one put after another elsewhere.  *done: how many were
 * handled.  RELAY_EQUOTA stops at e[*done], those before it stored; after
 * another failure nothing of the call is known to be stored. */
int relay_store_put_many(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
			 const relay_envelope *e, size_t n, uint64_t quota,
			 uint64_t *seq, int *added, size_t *done);

/* Calls cb for envelopes of space with seq > after, in seq order, until
 * max_bytes of envelope bytes have been given (at least one envelope is
 * always given if there is one) or cb returns non-zero (which stops the
 * walk and is returned).  control_only: only epoch-0 envelopes.  The row
 * passed to cb is valid during the call only.  *more (may be NULL): 1 if
 * envelopes past the last one given remain. */
typedef int (*relay_envelope_cb)(const relay_envelope *e, void *ctx);
int relay_store_pull(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		     uint64_t after, size_t max_bytes, int control_only,
		     relay_envelope_cb cb, void *ctx, int *more);

/* Calls cb for the envelope of space with that id, if held: RELAY_ENOTFOUND if not. */
int relay_store_get(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		    const uint8_t id[RELAY_ID_BYTES], relay_envelope_cb cb, void *ctx);

int relay_store_state(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		      relay_space_state *out);

/* The fingerprint of the ids of space in bucket b (hearth_fp_bucket),
 * kept incrementally by put (not recounted). */
int relay_store_bucket(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		       unsigned b, hearth_fp *out);

/* Calls cb with each id of space in bucket b, in id order (bytes valid
 * during the call): for the side of a reconciliation that lists ids. */
typedef int (*relay_id_cb)(const uint8_t id[RELAY_ID_BYTES], void *ctx);
int relay_store_bucket_ids(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
			   unsigned b, relay_id_cb cb, void *ctx);

/* Records that device used nonce at time t (unix seconds); forgets
 * nonces older than now - window.  RELAY_EREPLAY if device used nonce
 * before and it is not yet forgotten.  Shared by every relay process on
 * one store, so a request replayed to another process is refused too. */
int relay_store_nonce(relay_store *st, uint64_t device,
		      const uint8_t nonce[RELAY_NONCE_BYTES], int64_t t,
		      int64_t now, int64_t window);

#endif /* HEARTH_RELAY_STORE_H */
