/*
 * hearth/vfs.h - a SQLite VFS that keeps every page encrypted at rest.
 *
 * Any SQLite program can use it: register a VFS under a name with a 32-byte
 * key, then open the database with sqlite3_open_v2(..., vfs_name) and call
 * hearth_vfs_configure() before touching any table.  Hearth's own vault does
 * exactly this; tools and benchmarks do the same.
 *
 * Format.  Pages are HEARTH_VFS_PAGE_SIZE bytes.  SQLite is told to leave
 * HEARTH_VFS_RESERVE bytes unused at the end of every page; there the VFS
 * stores a fresh random 24-byte nonce and a 16-byte Poly1305 tag.  The rest
 * of the page is XChaCha20-Poly1305 ciphertext with, as associated data, the
 * kind of file and the page's place in it (its page number in the database,
 * its offset in a journal or WAL), so a page moved or copied elsewhere fails
 * authentication.
 *
 *   main database   every page encrypted
 *   WAL             each frame's page image encrypted; the 32-byte WAL header
 *                   and the 24-byte frame headers (page numbers, salts,
 *                   checksums: no record content) stay in clear
 *   rollback        each page image encrypted; the journal header, page
 *   journal         numbers and checksums stay in clear
 *   temp files      never touch the disk: held in memory by the VFS itself
 *
 * Memory-mapped I/O is never offered (xFetch would bypass decryption).
 *
 * A page that fails authentication makes the read fail with
 * SQLITE_IOERR_DATA; hearth_vfs_damaged_page() then names the page.
 */
#ifndef HEARTH_VFS_H
#define HEARTH_VFS_H

#include <stdint.h>

#include <sqlite3.h>

#include "hearth/crypto.h"
#include "hearth/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_VFS_PAGE_SIZE 4096
#define HEARTH_VFS_RESERVE (HEARTH_NONCEBYTES + HEARTH_TAGBYTES) /* 40 */

/* Registers an encrypting VFS called name over the default VFS, holding a
 * copy of key in secret memory.  The name must not be registered already
 * (HEARTH_EEXISTS).  make_default as in sqlite3_vfs_register. */
hearth_status hearth_vfs_register(const char *name,
				  const uint8_t key[HEARTH_KEYBYTES],
				  int make_default) HEARTH_WUR;

/* Unregisters the VFS called name and wipes its key.  Every connection
 * opened through it must be closed first (HEARTH_EBUSY otherwise).
 * HEARTH_ENOTFOUND if no such Hearth VFS is registered. */
hearth_status hearth_vfs_unregister(const char *name) HEARTH_WUR;

/* Makes a connection just opened through a Hearth VFS safe to use: sets the
 * page size and the reserved bytes before the first page is written, keeps
 * temp storage in memory, turns memory mapping off.  Call it before any
 * other statement.  HEARTH_EINVAL if db was not opened through a Hearth
 * VFS; HEARTH_EDAMAGED if an existing file's first page fails
 * authentication (wrong key or damage). */
hearth_status hearth_vfs_configure(sqlite3 *db) HEARTH_WUR;

/* The number of the last page of db's main file that failed authentication
 * (1-based), or 0 if none did.  For a WAL frame, the database page number
 * the frame holds. */
uint32_t hearth_vfs_damaged_page(sqlite3 *db);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_VFS_H */
