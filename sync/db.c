/*
 * db.c - SQLite result codes as hearth_status, for every module that runs
 * SQL on the vault database (the op store here in sync/, the vault and the
 * domain in core/).  A failed authentication of a page or a WAL frame,
 * reported by the encrypting VFS, becomes HEARTH_EDAMAGED naming the page
 * or frame.  See db_private.h.
 */
#include <stdint.h>

#include <sqlite3.h>

#include "hearth/vfs.h"

#include "db_private.h"

hearth_status hearth_db_error(sqlite3 *db, int rc, const char *what)
{
	int ext = rc;
	const char *msg;

	if (what == NULL)
		what = "database error";
	/* A basic code from an API that does not return extended ones: the
	 * connection remembers the extended one. */
	if (db != NULL && (rc & 0xff) == rc &&
	    (sqlite3_extended_errcode(db) & 0xff) == rc)
		ext = sqlite3_extended_errcode(db);
	msg = db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	switch (ext & 0xff) {
	case SQLITE_IOERR:
		if (ext == SQLITE_IOERR_DATA) {
			uint32_t page = db != NULL ? hearth_vfs_damaged_page(db) : 0;
			char copy[HEARTH_VFS_PATH_MAX];
			uint32_t frame = hearth_vfs_wal_damage(db, copy, sizeof copy);

			/* Damage inside the WAL, found by its recovery. */
			if (frame != 0)
				return hearth_vfs_wal_damage_fail(frame, copy);
			if (page != 0)
				return hearth_fail(HEARTH_EDAMAGED,
						   "vault damaged: page %lu failed authentication",
						   (unsigned long)page);
			return hearth_fail(HEARTH_EDAMAGED,
					   "vault damaged: a page failed authentication");
		}
		if (ext == SQLITE_IOERR_NOMEM)
			return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", what);
		return hearth_fail(HEARTH_EIO, "%-s: %s", what, msg);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return hearth_fail(HEARTH_EDAMAGED, "vault damaged: %s", msg);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return hearth_fail(HEARTH_EBUSY,
				   "%-s: the vault is in use by another program", what);
	case SQLITE_NOMEM:
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", what);
	case SQLITE_FULL:
		return hearth_fail(HEARTH_EIO, "%-s: the disk is full", what);
	default:
		return hearth_fail(HEARTH_EDB, "%-s: %s", what, msg);
	}
}
