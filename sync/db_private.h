/*
 * db_private.h - turning SQLite result codes into hearth_status (db.c), for
 * every module that runs SQL on the vault database: the op store here in
 * sync/ and the vault and domain modules in core/ (core/meson.build puts
 * this folder on core's include path for it).
 *
 * Not installed.
 */
#ifndef HEARTH_DB_PRIVATE_H
#define HEARTH_DB_PRIVATE_H

#include <sqlite3.h>

#include "hearth/status.h"

/* Translates a failed SQLite call on db (rc is the code it returned, basic
 * or extended) into a hearth_status and sets the detail, which names what
 * was being done (`what`, e.g. "cannot save record"; may be NULL):
 *
 *   SQLITE_IOERR_DATA          HEARTH_EDAMAGED "vault damaged: page N failed
 *                              authentication" (N from
 *                              hearth_vfs_damaged_page)
 *   SQLITE_CORRUPT, _NOTADB    HEARTH_EDAMAGED "vault damaged: ..."
 *   SQLITE_BUSY, SQLITE_LOCKED HEARTH_EBUSY
 *   SQLITE_NOMEM               HEARTH_ENOMEM
 *   SQLITE_FULL, other IOERR   HEARTH_EIO
 *   anything else              HEARTH_EDB "what: sqlite message"
 *
 * The vault turns on extended result codes for its connection, so rc from
 * any call on it carries the detail needed; for a basic SQLITE_IOERR the
 * connection's extended code is consulted. */
hearth_status hearth_db_error(sqlite3 *db, int rc, const char *what);

/* The ops of a space's control plane (kinds space, member, epoch), as the
 * partial index op_control (schema.c, version 8) and hearth_space_load's
 * query both spell it: the planner uses a partial index only for a query
 * holding its WHERE term as written.  Equalities joined by OR, not an IN
 * list: SQLite evaluates an index's IN list through a temporary B-tree
 * built on every INSERT into op (version 7 did so, at a quarter of a
 * merge's instructions). */
#define HEARTH_OP_CONTROL_WHERE \
	"(kind = 'space' OR kind = 'member' OR kind = 'epoch')"

#endif /* HEARTH_DB_PRIVATE_H */
