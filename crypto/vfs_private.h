/*
 * vfs_private.h - what the encrypting VFS (vfs.c) and its in-memory temp
 * files (memfile.c) share, and the few hooks the tests and benchmarks look
 * through (here too those of SQLite's wiping allocator in crypto.c).
 * Not installed; not part of the public API.
 */
#ifndef HEARTH_VFS_PRIVATE_H
#define HEARTH_VFS_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* The sqlite3_file_control() opcode the VFS's main-database files answer
 * with the last damaged page (a uint32_t through pArg).  Far above SQLite's
 * own opcodes (which end in the forties in 3.40). */
#define HEARTH_VFS_FCNTL_DAMAGED_PAGE 0x48564650 /* "HVFP" */

/* Bytes a memory file object needs; the VFS sizes szOsFile with it. */
size_t hearth_memfile_objsize(void);

/* Opens an empty, growable file held in memory in f (a block of at least
 * hearth_memfile_objsize() bytes that SQLite allocated).  Used for every
 * temp file (temp databases, temp journals, sub-journals, sorter spills),
 * so none of them ever reaches the disk.  on_close(ctx), when not NULL,
 * runs once when SQLite closes the file (the VFS counts its open files).
 * Returns SQLITE_OK; cannot fail (memory is allocated on the first
 * write). */
int hearth_memfile_open(sqlite3_file *f, int flags, int *out_flags,
			void (*on_close)(void *ctx), void *ctx);

/* How many memory files were opened in this process so far.  Tests use it
 * to show that SQLite asked for temp files and got memory ones. */
uint64_t hearth_memfile_opened(void);

/* The sqlite3_file_control() opcode through which a main-database file
 * reports what the last recovery of its WAL found (a struct wal_report
 * through pArg). */
#define HEARTH_VFS_FCNTL_WAL_REPORT 0x48565752 /* "HVWR" */

struct wal_report {
	uint32_t damaged_frame; /* out: 1-based; 0 if none */
	uint32_t torn_first;    /* out: first frame of a discarded tail */
	uint32_t torn_frames;   /* out: frames discarded; 0 if none */
	int take_torn;          /* in: forget the discarded tail once read */
	char *copy;             /* out, may be NULL: where the WAL was copied */
	size_t copy_len;
};

/* SQLite's wiping allocator (crypto.c).  The methods themselves, for
 * tests that call them directly; a switch that turns wiping off, for the
 * benchmark that measures its cost (never in a program); the bytes wiped
 * so far in this process; and how many wiped blocks the calling thread
 * keeps for reuse. */
const sqlite3_mem_methods *hearth_mem_methods(void);
void hearth_mem_wipe_set(int on);
uint64_t hearth_mem_wiped_bytes(void);
unsigned hearth_mem_cached(void);

#endif /* HEARTH_VFS_PRIVATE_H */
