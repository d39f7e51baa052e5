/*
 * store_pg.h - the relay store on PostgreSQL (store_pg.c), for several
 * relay processes sharing one database.  store.c's relay_store_open
 * hands "postgresql://" and "postgres://" URIs here; the URI is given to
 * libpq as it is (host=/path for a Unix socket, user, dbname, ...).
 */
#ifndef HEARTH_RELAY_STORE_PG_H
#define HEARTH_RELAY_STORE_PG_H

#include <stddef.h>

#include "store.h"

/* Connects, creates the schema and the instance id if absent, prepares
 * the statements.  On failure *out is NULL and err (may be NULL) gets a
 * message; returns a RELAY_E* code. */
int relay_store_pg_open(const char *uri, relay_store **out, char *err, size_t errlen);

#endif /* HEARTH_RELAY_STORE_PG_H */
