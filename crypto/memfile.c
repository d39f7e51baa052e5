/*
 * memfile.c - a growable sqlite3_file held in process memory.
 *
 * The encrypting VFS serves every temp file from here: temp databases,
 * temp and sub-journals, and the sorter's spill files for ORDER BY and
 * CREATE INDEX.  They hold plaintext (they are working copies of decrypted
 * pages), so they must never reach the disk; in memory they are no more
 * exposed than SQLite's own page cache.
 *
 * Limits: a file is as large as memory allows (a large sort on a huge
 * table costs that much memory; temp_store=MEMORY makes the same trade).
 * A file has one owner connection and needs no locking.  Buffers are wiped
 * before they are freed or shrunk, since they held plaintext.
 */
#include <stdatomic.h>
#include <string.h>

#include "hearth/crypto.h"

#include "vfs_private.h"

typedef struct memfile {
	sqlite3_file base;
	unsigned char *data;
	sqlite3_int64 size;     /* bytes the file holds */
	sqlite3_int64 capacity; /* bytes allocated at data */
	void (*on_close)(void *ctx);
	void *ctx;
} memfile;

/* The first allocation; doubled from there. */
#define MEMFILE_MIN_CAPACITY (64 * 1024)

static atomic_uint_fast64_t opened_count;

static int memfile_close(sqlite3_file *f)
{
	memfile *m = (memfile *)f;

	if (m->data != NULL) {
		hearth_wipe(m->data, (size_t)m->capacity);
		sqlite3_free(m->data);
	}
	m->data = NULL;
	m->size = m->capacity = 0;
	if (m->on_close != NULL)
		m->on_close(m->ctx);
	m->on_close = NULL;
	return SQLITE_OK;
}

static int memfile_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	memfile *m = (memfile *)f;
	sqlite3_int64 have;

	if (amt < 0 || off < 0)
		return SQLITE_IOERR_READ;
	have = m->size > off ? m->size - off : 0;
	if (have >= amt) {
		memcpy(buf, m->data + off, (size_t)amt);
		return SQLITE_OK;
	}
	/* As the disk VFS does: what lies beyond the end reads as zeros. */
	if (have > 0)
		memcpy(buf, m->data + off, (size_t)have);
	memset((unsigned char *)buf + have, 0, (size_t)(amt - have));
	return SQLITE_IOERR_SHORT_READ;
}

/* Makes room for at least need bytes.  The old block is wiped before it is
 * freed, so no plaintext is left behind in freed memory. */
static int memfile_reserve(memfile *m, sqlite3_int64 need)
{
	sqlite3_int64 cap = m->capacity ? m->capacity : MEMFILE_MIN_CAPACITY;
	unsigned char *p;

	if (need <= m->capacity)
		return SQLITE_OK;
	while (cap < need) {
		if (cap > INT64_MAX / 2)
			return SQLITE_FULL;
		cap *= 2;
	}
	p = sqlite3_malloc64((sqlite3_uint64)cap);
	if (p == NULL)
		return SQLITE_IOERR_NOMEM;
	if (m->data != NULL) {
		memcpy(p, m->data, (size_t)m->size);
		hearth_wipe(m->data, (size_t)m->capacity);
		sqlite3_free(m->data);
	}
	memset(p + m->size, 0, (size_t)(cap - m->size));
	m->data = p;
	m->capacity = cap;
	return SQLITE_OK;
}

static int memfile_write(sqlite3_file *f, const void *buf, int amt,
			 sqlite3_int64 off)
{
	memfile *m = (memfile *)f;
	int rc;

	if (amt < 0 || off < 0 || off > INT64_MAX - amt)
		return SQLITE_IOERR_WRITE;
	if ((rc = memfile_reserve(m, off + amt)) != SQLITE_OK)
		return rc;
	/* A write past the end leaves a zero-filled gap: memfile_reserve
	 * zeroes new space and truncation zeroes what it cuts off. */
	memcpy(m->data + off, buf, (size_t)amt);
	if (off + amt > m->size)
		m->size = off + amt;
	return SQLITE_OK;
}

static int memfile_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	memfile *m = (memfile *)f;
	int rc;

	if (size < 0)
		return SQLITE_IOERR_TRUNCATE;
	if (size < m->size) {
		hearth_wipe(m->data + size, (size_t)(m->size - size));
	} else if (size > m->size) {
		if ((rc = memfile_reserve(m, size)) != SQLITE_OK)
			return rc;
	}
	m->size = size;
	return SQLITE_OK;
}

static int memfile_sync(sqlite3_file *f, int flags)
{
	return SQLITE_OK;
}

static int memfile_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	*size = ((memfile *)f)->size;
	return SQLITE_OK;
}

static int memfile_lock(sqlite3_file *f, int level)
{
	return SQLITE_OK;
}

static int memfile_check_reserved_lock(sqlite3_file *f, int *out)
{
	*out = 0;
	return SQLITE_OK;
}

static int memfile_file_control(sqlite3_file *f, int op, void *arg)
{
	/* Size hints, mmap limits and the rest mean nothing here. */
	return SQLITE_NOTFOUND;
}

static int memfile_sector_size(sqlite3_file *f)
{
	return 512;
}

static int memfile_device_characteristics(sqlite3_file *f)
{
	return SQLITE_IOCAP_POWERSAFE_OVERWRITE | SQLITE_IOCAP_SAFE_APPEND |
	       SQLITE_IOCAP_SEQUENTIAL;
}

/* Version 1: no shared memory and no xFetch, so no pointer into the
 * buffer ever escapes. */
static const sqlite3_io_methods memfile_methods = {
	.iVersion = 1,
	.xClose = memfile_close,
	.xRead = memfile_read,
	.xWrite = memfile_write,
	.xTruncate = memfile_truncate,
	.xSync = memfile_sync,
	.xFileSize = memfile_file_size,
	.xLock = memfile_lock,
	.xUnlock = memfile_lock,
	.xCheckReservedLock = memfile_check_reserved_lock,
	.xFileControl = memfile_file_control,
	.xSectorSize = memfile_sector_size,
	.xDeviceCharacteristics = memfile_device_characteristics,
};

size_t hearth_memfile_objsize(void)
{
	return sizeof(memfile);
}

int hearth_memfile_open(sqlite3_file *f, int flags, int *out_flags,
			void (*on_close)(void *ctx), void *ctx)
{
	memfile *m = (memfile *)f;

	memset(m, 0, sizeof *m);
	m->base.pMethods = &memfile_methods;
	m->on_close = on_close;
	m->ctx = ctx;
	if (out_flags != NULL)
		*out_flags = flags;
	atomic_fetch_add(&opened_count, 1);
	return SQLITE_OK;
}

uint64_t hearth_memfile_opened(void)
{
	return (uint64_t)atomic_load(&opened_count);
}
