/*
 * store.c - relay_store_* (store.h): picks the implementation by the
 * URI's scheme, then calls through its table (store_impl.h).
 */
#include <stdio.h>
#include <string.h>

#include "store_impl.h"
#include "store_sqlite.h"
#ifdef HEARTH_RELAY_PG
#include "store_pg.h"
#endif

int relay_store_open(const char *uri, relay_store **out, char *err, size_t errlen)
{
	*out = NULL;
	if (strncmp(uri, "sqlite:", 7) == 0)
		return relay_store_sqlite_open(uri + 7, out, err, errlen);
	if (strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0) {
#ifdef HEARTH_RELAY_PG
		return relay_store_pg_open(uri, out, err, errlen);
#else
		if (err != NULL)
			snprintf(err, errlen, "built without PostgreSQL");
		return RELAY_EINVAL;
#endif
	}
	if (err != NULL)
		snprintf(err, errlen, "unknown store '%s': give sqlite:PATH or postgresql://...", uri);
	return RELAY_EINVAL;
}

void relay_store_close(relay_store *st)
{
	if (st != NULL)
		st->vt->close(st);
}

const char *relay_store_error(relay_store *st)
{
	return st->vt->error(st);
}

int relay_store_instance(relay_store *st, uint8_t id[RELAY_INSTANCE_BYTES])
{
	return st->vt->instance(st, id);
}

int relay_store_space_add(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES])
{
	return st->vt->space_add(st, space);
}

int relay_store_space_exists(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES])
{
	return st->vt->space_exists(st, space);
}

int relay_store_put(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		    const relay_envelope *e, uint64_t quota, uint64_t *seq, int *added)
{
	return st->vt->put(st, space, e, quota, seq, added);
}

int relay_store_put_many(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
			 const relay_envelope *e, size_t n, uint64_t quota,
			 uint64_t *seq, int *added, size_t *done)
{
	size_t i;
	int rc = relay_store_sqlite_put_many(st, space, e, n, quota, seq, added, done);

	if (rc != RELAY_EINVAL || *done != 0 || n == 0)
		return rc;
	/* Not SQLite (or a put SQLite refused: then the first refuses again). */
	for (i = 0; i < n; i++)
		if ((rc = st->vt->put(st, space, &e[i], quota, &seq[i], &added[i])) != 0)
			break;
	*done = i;
	return rc;
}

int relay_store_pull(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		     uint64_t after, size_t max_bytes, int control_only,
		     relay_envelope_cb cb, void *ctx, int *more)
{
	return st->vt->pull(st, space, after, max_bytes, control_only, cb, ctx, more);
}

int relay_store_get(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		    const uint8_t id[RELAY_ID_BYTES], relay_envelope_cb cb, void *ctx)
{
	return st->vt->get(st, space, id, cb, ctx);
}

int relay_store_state(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		      relay_space_state *out)
{
	return st->vt->state(st, space, out);
}

int relay_store_bucket(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		       unsigned b, hearth_fp *out)
{
	if (b >= HEARTH_FP_BUCKETS)
		return RELAY_EINVAL;
	return st->vt->bucket(st, space, b, out);
}

int relay_store_bucket_ids(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
			   unsigned b, relay_id_cb cb, void *ctx)
{
	if (b >= HEARTH_FP_BUCKETS)
		return RELAY_EINVAL;
	return st->vt->bucket_ids(st, space, b, cb, ctx);
}

int relay_store_nonce(relay_store *st, uint64_t device,
		      const uint8_t nonce[RELAY_NONCE_BYTES], int64_t t,
		      int64_t now, int64_t window)
{
	return st->vt->nonce(st, device, nonce, t, now, window);
}
