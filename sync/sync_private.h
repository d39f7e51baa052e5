/*
 * sync_private.h - what the schema migration needs of sync.c.  Not
 * installed.
 */
#ifndef HEARTH_SYNC_PRIVATE_H
#define HEARTH_SYNC_PRIVATE_H

#include <sqlite3.h>

#include "hearth/status.h"

/* Recounts table envelope_fp from the envelopes kept (schema version 6):
 * every row replaced.  Inside the caller's transaction. */
hearth_status hearth_sync_fp_rebuild(sqlite3 *db) HEARTH_WUR;

#endif /* HEARTH_SYNC_PRIVATE_H */
