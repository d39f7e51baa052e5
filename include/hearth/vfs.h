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
 * of the page is XChaCha20-Poly1305 ciphertext with, as associated data,
 * what the image is and where it belongs (a database page's number, in the
 * main file or in a WAL frame; a journal image's offset and page number),
 * so a page moved or copied elsewhere fails authentication.
 *
 *   main database   every page encrypted
 *   WAL             each frame's page image encrypted; the 32-byte WAL header
 *                   and the 24-byte frame headers (page numbers, salts) stay
 *                   in clear, except the frame checksums: SQLite computes
 *                   them over the plaintext page, so on disk they are
 *                   masked with keystream (a clear one would let anyone
 *                   test a guess of a whole page)
 *   rollback        each page image encrypted; the journal header, page
 *   journal         numbers and checksums stay in clear (a record's checksum
 *                   is a 32-bit sum of 20 of the page's bytes: next to no
 *                   information, and a journal lives for one transaction)
 *   temp files      never touch the disk: held in memory by the VFS itself
 *
 * Memory-mapped I/O is never offered (xFetch would bypass decryption).
 *
 * A page that fails authentication makes the read fail with
 * SQLITE_IOERR_DATA; hearth_vfs_damaged_page() then names the page.
 *
 * Associated data, exactly: a format byte (1), a kind byte, then
 *   database page  kind 1, the page number (8 bytes, little-endian): for
 *                  a page of the main file, and for a WAL image the number
 *                  its frame header gives (so a frame cannot be renumbered
 *                  although SQLite's frame checksums are unkeyed; and a
 *                  checkpoint can copy an image into the main file without
 *                  encrypting it again)
 *   journal image  kind 3, the image's byte offset (8 bytes,
 *                  little-endian) and the record's page number (4 bytes,
 *                  as stored)
 *
 * Behaviour worth knowing:
 *   - Opening with a wrong key succeeds: SQLite's first 100-byte header
 *     read comes back empty rather than failing, so that
 *     hearth_vfs_configure() can report the failure on page 1 as
 *     HEARTH_EDAMAGED.  No statement can use the connection meanwhile:
 *     each reads page 1 first and fails with SQLITE_IOERR_DATA.
 *   - WAL recovery (SQLite rebuilding its WAL index after a crash) tells
 *     a torn tail from damage inside the log.  Before SQLite reads the
 *     log, the VFS surveys it as SQLite will and finds the first frame
 *     recovery would reject (salts, page number, authentication, running
 *     checksum).  If a durable commit follows that frame (an authentic
 *     commit frame with the current salts, or a commit seal, see vfs.c),
 *     it is damage: the WAL is copied aside as "<wal>.damaged-<hash>",
 *     recovery fails with SQLITE_IOERR_DATA before it writes anything, and
 *     the connection refuses every write from then on;
 *     hearth_vfs_wal_damage() names the frame and the copy.  Otherwise the
 *     frames after the last commit (an unfinished transaction, a torn or
 *     cut-off frame) are discarded as SQLite does, and
 *     hearth_vfs_wal_torn_tail() reports them once.  Frames of an earlier
 *     WAL generation (other salts) are neither.  Limits: a WAL whose
 *     32-byte header is damaged is ignored whole by SQLite, as before; and
 *     when the last commit frame is damaged and its seal is missing (the
 *     sync had not returned, or synchronous was not FULL) it is taken for
 *     a torn tail.  Any other read of a bad WAL image fails.
 *   - A page 1 written without the layout above (no call to
 *     hearth_vfs_configure(), or a backup from a database with another
 *     layout) is refused with SQLITE_IOERR_WRITE.
 *   - Super-journals (write transactions over several attached databases
 *     in rollback mode) cannot be opened.  VACUUM INTO a file through the
 *     same VFS works and gives an encrypted copy.
 *   - Limit: a page can be replaced by an older version of the same page
 *     (from an old copy of the file, or a stale frame left in the WAL
 *     file): both are authentic for that page number, as with any
 *     page-level encryption of SQLite.
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
 * opened through it must be closed first (HEARTH_EBUSY otherwise, counted
 * by open files: a connection to ":memory:" opens none, so the caller must
 * close such a connection itself before unregistering).
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
 * the frame holds.  Counts what db's own files met (its main file, WAL and
 * journal); 0 for a connection not opened through a Hearth VFS. */
uint32_t hearth_vfs_damaged_page(sqlite3 *db);

/* Room for a path in the calls below. */
#define HEARTH_VFS_PATH_MAX 4096

/* Damage inside db's WAL found by its last recovery: the frame number
 * (1-based, as SQLite counts frames) that failed, or 0 if none.  copy
 * (copy_len bytes, may be NULL) receives the path of the copy of the WAL
 * kept aside, or "" if none could be made.  The connection then refuses
 * every write; close it. */
uint32_t hearth_vfs_wal_damage(sqlite3 *db, char *copy, size_t copy_len);

/* Records the failure for damage inside the WAL: HEARTH_EDAMAGED, detail
 * "vault damaged: WAL frame N failed authentication; a copy was kept at
 * PATH" (copy as hearth_vfs_wal_damage gave it). */
hearth_status hearth_vfs_wal_damage_fail(uint32_t frame, const char *copy);

/* 1 if a recovery of db's WAL discarded a tail that never committed (an
 * unfinished transaction, a torn or cut-off frame), with *first the first
 * frame discarded (1-based) and *frames how many; 0 otherwise.  Reports a
 * recovery once: the next call returns 0 until another one discards a
 * tail.  first and frames may be NULL. */
int hearth_vfs_wal_torn_tail(sqlite3 *db, uint32_t *first, uint32_t *frames);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_VFS_H */
