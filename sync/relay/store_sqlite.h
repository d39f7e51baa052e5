/* store_sqlite.h - the relay store in one SQLite file (store_sqlite.c). */
#ifndef HEARTH_RELAY_STORE_SQLITE_H
#define HEARTH_RELAY_STORE_SQLITE_H

#include <stddef.h>

#include "store.h"

/* Opens (creating it, its schema and its instance id if needed) the
 * store in the SQLite file path.  As relay_store_open. */
int relay_store_sqlite_open(const char *path, relay_store **out, char *err, size_t errlen);

/* relay_store_put_many for a store of this kind (RELAY_EINVAL, nothing
 * done, for another): one transaction, one sync. */
int relay_store_sqlite_put_many(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
				const relay_envelope *e, size_t n, uint64_t quota,
				uint64_t *seq, int *added, size_t *done);

#endif
