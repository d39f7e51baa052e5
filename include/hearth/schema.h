/*
 * hearth/schema.h - the vault database schema and its migrations.
 *
 * The schema version is SQLite's user_version.  Migrations only go forward:
 * migration N takes a database from version N-1 to N inside one
 * transaction, so a failure leaves the database at N-1.  A database whose
 * version is above HEARTH_SCHEMA_VERSION was written by a newer Hearth and
 * is refused (HEARTH_ENEWER) rather than guessed at.
 */
#ifndef HEARTH_SCHEMA_H
#define HEARTH_SCHEMA_H

#include <sqlite3.h>

#include "hearth/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The version this build writes. */
int hearth_schema_latest(void);

/* The database's current version, or -1 with HEARTH_EDB detail on error. */
int hearth_schema_version(sqlite3 *db);

/* Migrates db up to version target (hearth_schema_latest() for the normal
 * case; tests name earlier versions to build old databases).
 * HEARTH_ENEWER if db is already beyond target's build, HEARTH_EDB if a
 * migration fails (the database then stays at the last good version). */
hearth_status hearth_schema_migrate(sqlite3 *db, int target) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_SCHEMA_H */
