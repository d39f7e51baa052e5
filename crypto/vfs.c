/*
 * vfs.c - a SQLite VFS shim that keeps every page encrypted at rest.
 * See hearth/vfs.h for the format; this file holds the mechanics.
 *
 * Each page (HEARTH_VFS_PAGE_SIZE bytes) is laid out as
 *
 *     [0, 4056)     XChaCha20-Poly1305 ciphertext of SQLite's usable bytes
 *     [4056, 4080)  the random nonce of this write
 *     [4080, 4096)  the Poly1305 tag
 *
 * SQLite never looks at the last HEARTH_VFS_RESERVE bytes of a page (they
 * are its "reserved bytes"), so ciphertext and plaintext have the same
 * size and every offset SQLite computes stays valid.  On the way back the
 * reserved bytes are handed to SQLite as zeros, always: SQLite computes WAL
 * checksums over whole pages, so what it reads back must equal what it
 * wrote, and it only ever writes pages it read from us or zero-filled.
 *
 * Associated data binds each page image to its place:
 *
 *   main database  format, "page", the page number
 *   WAL            format, "page", the page number in the frame header
 *   journal        format, "journal", byte offset, the record's page number
 *
 * A WAL image is bound to the page number its frame header gives (in
 * clear, with checksums anyone can recompute), so a frame cannot be
 * renumbered; it is not bound to its offset, because an image and the
 * database page it becomes then carry the same associated data: a
 * checkpoint, which reads an image out of the WAL and at once writes the
 * same bytes into the database, can write the authenticated ciphertext it
 * just read instead of encrypting the page again (see main_write; a
 * quarter of the encryption work of a write-heavy load).  Identical
 * ciphertext for an identical page under the same nonce reveals nothing.
 *
 * Known limit: a page can be replaced by an older version of the same page
 * (from an old copy of the database, or a stale frame left in the WAL
 * file): both are authentic for that page number.  Binding WAL images to
 * their offset would not prevent it either (a stale frame sits at the same
 * offset), and the same holds for every page-level encryption of SQLite.
 *
 * WAL frame checksums, which SQLite computes over plaintext pages, are
 * masked on disk (wal_cksum_mask).
 *
 * Threads: a sqlite3_file belongs to one connection, which SQLite uses from
 * one thread at a time, so per-file state needs no lock.  The registry,
 * the open-file counts and the links between a connection's files are
 * shared and sit under registry_lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "hearth/vfs.h"

#include "aead_private.h"
#include "vfs_private.h"

#define PAGE HEARTH_VFS_PAGE_SIZE
_Static_assert(PAGE == 4096, "hearth_vfs_configure() sets page_size=4096");
_Static_assert(HEARTH_VFS_RESERVE == 40 && HEARTH_VFS_RESERVE < 256,
	       "the reserve must fit SQLite's one-byte header field");
#define RESERVE HEARTH_VFS_RESERVE
#define USABLE (PAGE - RESERVE)          /* encrypted bytes of a page */
#define NONCE_AT USABLE                  /* nonce offset within a page */
#define TAG_AT (USABLE + HEARTH_NONCEBYTES)

/* WAL geometry (SQLite's WAL format, fixed by the page size). */
#define WAL_HDR 32
#define WAL_FRAME_HDR 24
#define WAL_FRAME (WAL_FRAME_HDR + PAGE)
#define WAL_IMAGE0 (WAL_HDR + WAL_FRAME_HDR) /* offset of frame 0's image */

/* Associated data: a format byte, so a later format cannot be confused
 * with this one, then what the image is. */
#define AD_FORMAT 1
enum ad_kind { AD_PAGE = 1, AD_JOURNAL = 3 };
#define AD_MAX 32

enum file_kind { KIND_MAIN = 1, KIND_WAL = 2, KIND_JOURNAL = 3 };

typedef struct hvfs hvfs;
typedef struct hfile hfile;

/* A registered Hearth VFS. */
struct hvfs {
	sqlite3_vfs vfs;   /* first: SQLite hands this pointer back to us */
	sqlite3_vfs *base; /* the VFS doing the real I/O */
	uint8_t *key;      /* HEARTH_KEYBYTES of secret memory */
	uint8_t *seal_key; /* subkey of key for WAL commit seals (secret) */
	char *name;
	/* Under registry_lock: */
	int open_files;
	hfile *mains;             /* open main-database files */
	uint32_t unlinked_damage; /* damage seen by a file with no main */
	hvfs *next;
};

/* A main database, WAL or rollback journal opened through a Hearth VFS.
 * The base VFS's own file object follows it in the same block. */
struct hfile {
	sqlite3_file base; /* first: SQLite sees this */
	hvfs *vfs;
	sqlite3_file *real;
	int kind;
	uint8_t *scratch; /* one WAL frame: ciphertext out, partial pages in */
	hearth_xaead *aead; /* the page cipher's reusable contexts */
	/* Main files: the name pointer SQLite passed (the key that links the
	 * connection's WAL and journal to it), the files linked, the next
	 * main file of the VFS.  Links change under registry_lock. */
	const char *zname;
	hfile *wal, *journal, *next_main;
	hfile *main; /* WAL and journal: the connection's main file */
	uint32_t damaged; /* last page that failed authentication */
	int probed;       /* main: the first read has happened */
	/* WAL: the frame header this handle wrote last, used once for the
	 * image that follows it. */
	sqlite3_int64 hdr_off;
	uint8_t hdr[WAL_FRAME_HDR];
	/* WAL: the image read last, authenticated, as ciphertext and as
	 * plaintext, for the checkpoint write that usually follows
	 * (last_pgno 0: none). */
	uint32_t last_pgno;
	uint8_t *last_ct, *last_pt;
	/* Journal: the 4-byte field read or written last (a record's page
	 * number precedes its image). */
	sqlite3_int64 pgno_off;
	uint8_t pgno4[4];
	/* WAL: its path (SQLite keeps the string until xClose); where the
	 * commit frame written last ends, with its salts, until the sync
	 * that makes it durable seals it (-1: none). */
	const char *zpath;
	sqlite3_int64 commit_end;
	uint8_t commit_salts[8];
	/* Main and WAL: damage inside the log was found, so nothing may be
	 * written through this connection.  Main files also keep, under
	 * registry_lock, what their WAL's last recovery found. */
	int refuse_writes;
	/* Main: this connection holds the WAL write lock, and how many
	 * times it took it (a commit seal is written only under the hold
	 * that wrote the commit frame).  WAL: the main file's count when
	 * the commit frame was written. */
	int wlock_held;
	uint32_t wlock_gen;
	uint32_t wal_bad_frame;
	char *wal_copy;
	uint32_t torn_first, torn_frames;
};

/* The base file object starts at the next 8-byte boundary. */
#define HFILE_SIZE ((sizeof(hfile) + 7) & ~(size_t)7)

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static hvfs *registry;

static const sqlite3_io_methods hfile_methods;

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void put_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Builds the associated data of a database page (in the main file or a
 * WAL frame) into ad (AD_MAX bytes) and returns its length. */
static size_t page_ad(uint8_t *ad, uint64_t pgno)
{
	ad[0] = AD_FORMAT;
	ad[1] = AD_PAGE;
	put_le64(ad + 2, pgno);
	return 10;
}

/* The same for a journal image at byte offset off, whose record names the
 * page pgno4 (big-endian, as stored). */
static size_t journal_ad(uint8_t *ad, uint64_t off, const uint8_t *pgno4)
{
	ad[0] = AD_FORMAT;
	ad[1] = AD_JOURNAL;
	put_le64(ad + 2, off);
	memcpy(ad + 10, pgno4, 4);
	return 14;
}

/* Encrypts the usable bytes of the plaintext page in into out (PAGE
 * bytes), with a fresh nonce, and fills out's nonce and tag.  The cipher
 * is libsodium's XChaCha20-Poly1305-IETF, computed by OpenSSL when it can
 * (aead.c): the same bytes either way. */
static int page_seal(hfile *f, uint8_t *out, const uint8_t *in,
		     const uint8_t *ad, size_t adlen)
{
	hearth_xaead_nonce(f->aead, out + NONCE_AT);
	if (hearth_xaead_seal(f->aead, out, out + TAG_AT, in, USABLE, ad, adlen,
			      out + NONCE_AT, f->vfs->key) != 0)
		return SQLITE_IOERR_WRITE;
	return SQLITE_OK;
}

/* Authenticates the encrypted page at in and writes its plaintext to out
 * (out may equal in), reserved bytes zeroed.  Returns 0 when the page
 * fails authentication; the USABLE bytes at out are then zeros (never
 * unauthenticated plaintext), and with out equal to in the ciphertext is
 * gone. */
static int page_open(hfile *f, uint8_t *out, const uint8_t *in,
		     const uint8_t *ad, size_t adlen)
{
	if (hearth_xaead_open(f->aead, out, in, USABLE, in + TAG_AT, ad, adlen,
			      in + NONCE_AT, f->vfs->key) != 0)
		return 0;
	memset(out + USABLE, 0, RESERVE);
	return 1;
}

/* Remembers a page that failed authentication on the file, on its
 * connection's main file, and on the VFS when there is no main file. */
static void record_damage(hfile *f, uint32_t pgno)
{
	f->damaged = pgno;
	if (f->kind == KIND_MAIN)
		return;
	pthread_mutex_lock(&registry_lock);
	if (f->main != NULL)
		f->main->damaged = pgno;
	else
		f->vfs->unlinked_damage = pgno;
	pthread_mutex_unlock(&registry_lock);
}

static int real_read(hfile *f, void *buf, int amt, sqlite3_int64 off)
{
	return f->real->pMethods->xRead(f->real, buf, amt, off);
}

static int real_write(hfile *f, const void *buf, int amt, sqlite3_int64 off)
{
	return f->real->pMethods->xWrite(f->real, buf, amt, off);
}

/* ---- main database ---------------------------------------------------- */

/* Page 1 must describe the layout this VFS relies on: 4096-byte pages
 * with HEARTH_VFS_RESERVE reserved bytes.  Otherwise SQLite would keep data
 * where the nonce and tag go, and lose it.  An all-zero page (SQLite
 * extending a file during a rollback) carries no data and passes. */
static int page1_layout_ok(const uint8_t *p)
{
	size_t i;

	if (p[16] == (PAGE >> 8 & 0xff) && p[17] == (PAGE & 0xff) &&
	    p[20] == RESERVE)
		return 1;
	for (i = 0; i < PAGE; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* Reads any slice of the main file: each page slot it overlaps is read
 * whole, authenticated and decrypted, and the slice copied out.  A whole
 * aligned page is decrypted in the caller's buffer.
 *
 * The first read of a handle is SQLite's 100-byte header probe, made while
 * sqlite3_open_v2() runs.  If page 1 fails authentication there, the probe
 * reads as an empty file instead of failing, so the open succeeds and the
 * failure surfaces on the first real read of page 1 (in
 * hearth_vfs_configure()) as SQLITE_IOERR_DATA with the page recorded.
 * Nothing can be written meanwhile: every transaction reads page 1 first. */
static int main_read(hfile *f, uint8_t *buf, int amt, sqlite3_int64 off)
{
	int lenient = !f->probed && off == 0 && amt < PAGE;
	sqlite3_int64 end = off + amt, size = -1, slot;
	uint8_t ad[AD_MAX];
	int short_read = 0, rc;

	f->probed = 1;
	for (slot = off / PAGE; slot * PAGE < end; slot++) {
		sqlite3_int64 s = slot * PAGE;
		sqlite3_int64 lo = off > s ? off : s;
		sqlite3_int64 hi = end < s + PAGE ? end : s + PAGE;
		uint8_t *dst = buf + (lo - off);
		int whole = lo == s && hi == s + PAGE;
		uint8_t *page = whole ? dst : f->scratch;
		int ok = 0;

		rc = real_read(f, page, PAGE, s);
		if (rc == SQLITE_IOERR_SHORT_READ) {
			if (size < 0 &&
			    (rc = f->real->pMethods->xFileSize(f->real, &size)) != SQLITE_OK)
				return rc;
			if (size <= s) {
				/* Entirely beyond the end: zeros, as the base
				 * VFS gives. */
				memset(dst, 0, (size_t)(hi - lo));
				short_read = 1;
				continue;
			}
			/* A partial page cannot be authenticated. */
		} else if (rc != SQLITE_OK) {
			return rc;
		} else {
			ok = page_open(f, page, page, ad,
				       page_ad(ad, (uint64_t)slot + 1));
		}
		if (!ok) {
			memset(dst, 0, (size_t)(hi - lo));
			record_damage(f, (uint32_t)(slot + 1));
			return lenient ? SQLITE_IOERR_SHORT_READ : SQLITE_IOERR_DATA;
		}
		if (!whole) {
			memcpy(dst, page + (lo - s), (size_t)(hi - lo));
			hearth_wipe(f->scratch, PAGE);
		}
	}
	return short_read ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
}

/* SQLite writes the main file in whole, aligned pages; anything else
 * would mean a page size this VFS cannot encrypt, and is refused.
 *
 * A checkpoint reads a page image from the WAL and writes it here at once.
 * When the page and its plaintext match the image this connection's WAL
 * handle just authenticated, that ciphertext is written as it is: it is
 * what encrypting the page would give, but for the nonce. */
static int main_write(hfile *f, const uint8_t *buf, int amt, sqlite3_int64 off)
{
	uint8_t ad[AD_MAX];
	sqlite3_int64 pgno;
	hfile *w = f->wal;
	int rc;

	if (amt != PAGE || off < 0 || off % PAGE != 0)
		return SQLITE_IOERR_WRITE;
	pgno = off / PAGE + 1;
	if (pgno > UINT32_MAX)
		return SQLITE_IOERR_WRITE;
	if (pgno == 1 && !page1_layout_ok(buf))
		return SQLITE_IOERR_WRITE;
	if (w != NULL && w->last_pgno == (uint32_t)pgno &&
	    memcmp(w->last_pt, buf, USABLE) == 0) {
		w->last_pgno = 0;
		return real_write(f, w->last_ct, PAGE, off);
	}
	rc = page_seal(f, f->scratch, buf, ad, page_ad(ad, (uint64_t)pgno));
	if (rc != SQLITE_OK)
		return rc;
	return real_write(f, f->scratch, PAGE, off);
}

/* ---- WAL -------------------------------------------------------------- */

/* The offset of frame k's page image. */
static sqlite3_int64 wal_image_at(sqlite3_int64 k)
{
	return WAL_IMAGE0 + k * WAL_FRAME;
}

/* The index of the first frame whose image ends after off. */
static sqlite3_int64 wal_first_image(sqlite3_int64 off)
{
	if (off < WAL_IMAGE0)
		return 0;
	return (off - WAL_IMAGE0) / WAL_FRAME;
}

/* The associated data of a WAL image whose frame header is hdr. */
static size_t wal_ad(uint8_t *ad, const uint8_t *hdr)
{
	return page_ad(ad, get_be32(hdr));
}

/* Frame header layout: page number, database size after commit, two
 * salts, two checksums. */
#define WAL_CKSUM_AT 16
#define WAL_CKSUM_LEN 8

/* SQLite's frame checksums run over the plaintext page, and anyone could
 * use a clear checksum to test a guess of a page's whole content.  On disk
 * they are therefore masked: XORed with 8 bytes of XChaCha20 keystream
 * under the VFS key, the encryption of zeros with a nonce made of a label,
 * the header's offset, its salts and its page number (distinct for every
 * frame of every WAL generation; a random page nonce equals one with
 * probability 2^-192).  The keystream is taken without the tag the first
 * vaults computed and threw away (the same bytes, in half the time).
 * Writes mask, reads unmask, so SQLite sees its own checksums. */
static void wal_cksum_mask(const hfile *f, sqlite3_int64 hdr_off,
			   const uint8_t *hdr, uint8_t mask[WAL_CKSUM_LEN])
{
	uint8_t nonce[HEARTH_NONCEBYTES];

	memcpy(nonce, "HWCK", 4);
	put_le64(nonce + 4, (uint64_t)hdr_off);
	memcpy(nonce + 12, hdr + 8, 8); /* salts */
	memcpy(nonce + 20, hdr, 4);     /* page number */
	hearth_xaead_keystream(mask, WAL_CKSUM_LEN, nonce, f->vfs->key);
}

/* Unmasks the checksum bytes of every frame header that [off, off+amt)
 * overlaps, in buf (what the base VFS read there). */
static int wal_unmask(hfile *f, uint8_t *buf, int amt, sqlite3_int64 off)
{
	sqlite3_int64 end = off + amt, k, h;
	uint8_t hdr[WAL_FRAME_HDR], mask[WAL_CKSUM_LEN];
	int rc, i;

	k = off < WAL_HDR + WAL_FRAME ? 0 : (off - WAL_HDR) / WAL_FRAME;
	for (; (h = WAL_HDR + k * WAL_FRAME) + WAL_CKSUM_AT < end; k++) {
		sqlite3_int64 c = h + WAL_CKSUM_AT;

		if (c + WAL_CKSUM_LEN <= off)
			continue;
		if (h >= off && h + WAL_FRAME_HDR <= end) {
			memcpy(hdr, buf + (h - off), WAL_FRAME_HDR);
		} else {
			rc = real_read(f, hdr, WAL_FRAME_HDR, h);
			if (rc == SQLITE_IOERR_SHORT_READ)
				continue; /* not all there: nothing to unmask */
			if (rc != SQLITE_OK)
				return rc;
		}
		wal_cksum_mask(f, h, hdr, mask);
		for (i = 0; i < WAL_CKSUM_LEN; i++)
			if (c + i >= off && c + i < end)
				buf[c + i - off] ^= mask[i];
	}
	return SQLITE_OK;
}

/* ---- WAL recovery: a torn tail or damage inside the log ------------------
 *
 * After a crash SQLite rebuilds its WAL index by reading the WAL from the
 * start: the header, then frame after frame, each checked against the
 * header's salts and a checksum that runs over every frame before it.  The
 * first frame that fails ends the log, and everything after it is ignored
 * (and later overwritten).  That is right for the frames of a transaction
 * that was being written when the power went: under synchronous=FULL only
 * that last, uncommitted transaction can be torn.  It is wrong for a frame
 * damaged later: every commit after it would be silently dropped.
 *
 * So when SQLite reads the WAL header to recover, the VFS first surveys
 * the whole log as SQLite is about to (salts, page number, authentication,
 * the running checksum) and finds the frame recovery would stop at.  If
 * after it there is evidence of a commit that was made durable, it is
 * damage inside the log: the WAL is copied aside, the header read fails
 * (so recovery writes nothing, not even the WAL index header), and the
 * connection refuses every write.  The evidence is
 *   - an authentic frame with the current salts that is a commit frame
 *     (its "database size after commit" is not 0), or
 *   - a commit seal (below) for a frame at or after the bad one.
 * Otherwise the frames after the last commit that carry the current salts
 * (an unfinished transaction, a torn or cut-off frame) are what recovery
 * discards: the VFS records them for hearth_vfs_wal_torn_tail().  Frames
 * with other salts are leftovers of an earlier WAL generation, which
 * SQLite rewrites from the start after a checkpoint: they are neither.
 *
 * Commit seals.  The last commit frame of a log has nothing after it, so
 * damage to it would look like a torn tail.  When SQLite syncs the WAL
 * right after writing a commit frame (synchronous=FULL, under the WAL
 * write lock that wrote it), the VFS then appends SEAL_LEN bytes after
 * that frame: "HWS1", the frame's number, the salts and a keyed BLAKE2b
 * tag.  The seal is shorter than a frame, so SQLite never reads it, and
 * the next transaction's first frame overwrites it.  A seal on disk proves
 * the sync before it returned, so the commit frame it names was durable. */

#define WAL_MAGIC 0x377f0682u
#define WAL_VERSION 3007000u
#define SEAL_LEN 32
#define SEAL_TAG 16

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | (uint32_t)p[0];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* SQLite's WAL checksum over n bytes (a multiple of 8), continuing s:
 * words big-endian when the header's magic says so, else little-endian. */
static void wal_cksum(int big, const uint8_t *p, size_t n, uint32_t s[2])
{
	size_t i;

	for (i = 0; i < n; i += 8) {
		s[0] += (big ? get_be32(p + i) : get_le32(p + i)) + s[1];
		s[1] += (big ? get_be32(p + i + 4) : get_le32(p + i + 4)) + s[0];
	}
}

static sqlite3_int64 wal_frame_at(sqlite3_int64 k)
{
	return WAL_HDR + k * WAL_FRAME;
}

/* Fills seal (SEAL_LEN bytes) for commit frame number frame (1-based)
 * of the WAL generation with these salts. */
static int seal_make(const hfile *f, uint8_t *seal, uint32_t frame,
		     const uint8_t salts[8])
{
	memcpy(seal, "HWS1", 4);
	put_be32(seal + 4, frame);
	memcpy(seal + 8, salts, 8);
	if (crypto_generichash(seal + 16, SEAL_TAG, seal, 16, f->vfs->seal_key,
			       HEARTH_KEYBYTES) != 0)
		return 0;
	return 1;
}

/* Is there a valid seal at slot k (where frame k, 0-based, would start)
 * for commit frame number k with these salts? */
static int seal_at(hfile *f, sqlite3_int64 k, const uint8_t salts[8])
{
	uint8_t got[SEAL_LEN], want[SEAL_LEN];

	if (k <= 0 || k > UINT32_MAX ||
	    real_read(f, got, SEAL_LEN, wal_frame_at(k)) != SQLITE_OK)
		return 0;
	if (!seal_make(f, want, (uint32_t)k, salts))
		return 0;
	return sodium_memcmp(got, want, SEAL_LEN) == 0;
}

/* Reads frame k's header (24 bytes, checksums unmasked) into hdr. */
static int survey_header(hfile *f, sqlite3_int64 k, uint8_t *hdr)
{
	uint8_t mask[WAL_CKSUM_LEN];
	int rc, i;

	rc = real_read(f, hdr, WAL_FRAME_HDR, wal_frame_at(k));
	if (rc != SQLITE_OK)
		return rc;
	wal_cksum_mask(f, wal_frame_at(k), hdr, mask);
	for (i = 0; i < WAL_CKSUM_LEN; i++)
		hdr[WAL_CKSUM_AT + i] ^= mask[i];
	return SQLITE_OK;
}

/* Reads frame k whole into fr (WAL_FRAME bytes): header unmasked, image
 * decrypted in place when authentic (*auth 1), zeros if not. */
static int survey_frame(hfile *f, sqlite3_int64 k, uint8_t *fr, int *auth)
{
	uint8_t ad[AD_MAX];
	int rc;

	rc = real_read(f, fr + WAL_FRAME_HDR, PAGE, wal_frame_at(k) + WAL_FRAME_HDR);
	if (rc == SQLITE_OK)
		rc = survey_header(f, k, fr);
	if (rc != SQLITE_OK)
		return rc;
	*auth = get_be32(fr) != 0 &&
		page_open(f, fr + WAL_FRAME_HDR, fr + WAL_FRAME_HDR, ad, wal_ad(ad, fr));
	return SQLITE_OK;
}

typedef struct wal_survey {
	uint32_t bad;         /* damage inside the log at this frame (1-based) */
	uint32_t torn_first;  /* first frame recovery discards (1-based) */
	uint32_t torn_frames; /* how many, with the current salts */
} wal_survey;

/* Surveys the WAL as recovery will read it; see the section comment. */
static int wal_survey_log(hfile *f, wal_survey *out)
{
	uint8_t h[WAL_HDR], *fr = f->scratch;
	const uint8_t *salts = h + 16;
	sqlite3_int64 size, n, k, b, tail;
	uint32_t ck[2] = { 0, 0 }, magic, last = 0;
	int big, auth = 0, damaged = 0, rc;

	memset(out, 0, sizeof *out);
	if ((rc = f->real->pMethods->xFileSize(f->real, &size)) != SQLITE_OK)
		return rc;
	if (size <= WAL_HDR)
		return SQLITE_OK;
	if ((rc = real_read(f, h, WAL_HDR, 0)) != SQLITE_OK)
		return rc == SQLITE_IOERR_SHORT_READ ? SQLITE_OK : rc;
	/* A header SQLite would not accept makes it ignore the whole log;
	 * there is nothing to tell then (see the limits in hearth/vfs.h). */
	magic = get_be32(h);
	if ((magic & ~1u) != WAL_MAGIC || get_be32(h + 4) != WAL_VERSION ||
	    get_be32(h + 8) != PAGE)
		return SQLITE_OK;
	big = (int)(magic & 1);
	wal_cksum(big, h, 24, ck);
	if (ck[0] != get_be32(h + 24) || ck[1] != get_be32(h + 28))
		return SQLITE_OK;

	n = (size - WAL_HDR) / WAL_FRAME;
	for (k = 0; k < n; k++) {
		uint32_t s[2] = { ck[0], ck[1] };

		if ((rc = survey_frame(f, k, fr, &auth)) != SQLITE_OK)
			goto out;
		if (memcmp(fr + 8, salts, 8) != 0 || !auth)
			break;
		wal_cksum(big, fr, 8, s);
		wal_cksum(big, fr + WAL_FRAME_HDR, PAGE, s);
		if (s[0] != get_be32(fr + 16) || s[1] != get_be32(fr + 20))
			break;
		ck[0] = s[0];
		ck[1] = s[1];
		if (get_be32(fr + 4) != 0)
			last = (uint32_t)k + 1;
	}
	b = k;
	for (k = b + 1; k < n && !damaged; k++) {
		if ((rc = survey_header(f, k, fr)) != SQLITE_OK)
			goto out;
		if (memcmp(fr + 8, salts, 8) != 0 || get_be32(fr + 4) == 0)
			continue;
		if ((rc = survey_frame(f, k, fr, &auth)) != SQLITE_OK)
			goto out;
		damaged = auth;
	}
	for (k = b + 1; k <= n && b < n && !damaged; k++)
		damaged = seal_at(f, k, salts);
	if (damaged) {
		out->bad = (uint32_t)b + 1;
		goto out;
	}

	/* What recovery discards: the current generation's frames after the
	 * last commit, and a cut-off frame at the end.  A seal is none of
	 * them (it sits after the last commit frame, over the start of a
	 * leftover frame or at the end). */
	for (k = last; k < n; k++) {
		if ((rc = survey_header(f, k, fr)) != SQLITE_OK)
			goto out;
		if (memcmp(fr + 8, salts, 8) == 0 && !seal_at(f, k, salts))
			out->torn_frames++;
	}
	tail = size - wal_frame_at(n);
	if (tail >= 16 && !seal_at(f, n, salts) &&
	    real_read(f, fr, 16, wal_frame_at(n)) == SQLITE_OK &&
	    memcmp(fr + 8, salts, 8) == 0)
		out->torn_frames++;
	if (out->torn_frames > 0)
		out->torn_first = last + 1;
out:
	hearth_wipe(f->scratch, WAL_FRAME);
	return rc;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copies the WAL, as it is on disk, to "<wal>.damaged-<16 hex digits>"
 * beside it: the digits are the start of a BLAKE2b hash of the content, so
 * opening the same damaged vault again finds the copy it kept and makes no
 * second one.  The copy is written under a temporary name, synced, then
 * linked into place (never over an existing file).  Returns the path
 * (malloc'd) or NULL. */
static char *wal_keep_copy(hfile *f)
{
	size_t plen = strlen(f->zpath) + 40;
	char *tmp = malloc(plen), *path = malloc(plen);
	uint8_t *buf = malloc(1 << 16), digest[8];
	crypto_generichash_state st;
	sqlite3_int64 size, off;
	char hex[17];
	int fd = -1, ok = 0;

	if (tmp == NULL || path == NULL || buf == NULL ||
	    f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK)
		goto out;
	snprintf(tmp, plen, "%s.copying-XXXXXX", f->zpath);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		goto out;
	crypto_generichash_init(&st, NULL, 0, sizeof digest);
	for (off = 0; off < size;) {
		int n = size - off < (1 << 16) ? (int)(size - off) : 1 << 16;

		if (real_read(f, buf, n, off) != SQLITE_OK ||
		    write_all(fd, buf, (size_t)n) != 0)
			goto out;
		crypto_generichash_update(&st, buf, (unsigned long long)n);
		off += n;
	}
	if (fsync(fd) != 0)
		goto out;
	crypto_generichash_final(&st, digest, sizeof digest);
	hearth_hex_encode(hex, digest, sizeof digest);
	snprintf(path, plen, "%s.damaged-%s", f->zpath, hex);
	if (link(tmp, path) != 0 && errno != EEXIST)
		goto out;
	ok = 1;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	if (ok) {
		/* Make the new name durable. */
		char *slash = strrchr(tmp, '/');
		int dfd;

		if (slash != NULL) {
			*slash = '\0';
			dfd = open(slash == tmp ? "/" : tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd >= 0) {
				(void)fsync(dfd);
				close(dfd);
			}
		}
	}
	free(tmp);
	free(buf);
	if (!ok) {
		free(path);
		path = NULL;
	}
	return path;
}

/* SQLite is about to recover the WAL: survey it first.  Damage inside the
 * log makes the read fail (SQLITE_IOERR_DATA) after the WAL is copied
 * aside; a discarded tail is recorded. */
static int wal_before_recovery(hfile *f)
{
	wal_survey sv;
	char *copy = NULL;
	hfile *m;
	int rc;

	/* Found already on this handle (SQLite tries again when the
	 * connection closes): the answer stands, and the log stays as it is. */
	if (f->refuse_writes)
		return SQLITE_IOERR_DATA;
	if ((rc = wal_survey_log(f, &sv)) != SQLITE_OK)
		return rc;
	if (sv.bad != 0) {
		f->refuse_writes = 1;
		copy = wal_keep_copy(f);
	}
	pthread_mutex_lock(&registry_lock);
	m = f->main;
	if (m != NULL) {
		if (sv.bad != 0) {
			m->refuse_writes = 1;
			m->wal_bad_frame = sv.bad;
			free(m->wal_copy);
			m->wal_copy = copy;
			copy = NULL;
		} else if (sv.torn_frames != 0) {
			m->torn_first = sv.torn_first;
			m->torn_frames = sv.torn_frames;
		}
	}
	pthread_mutex_unlock(&registry_lock);
	free(copy);
	return sv.bad != 0 ? SQLITE_IOERR_DATA : SQLITE_OK;
}

/* After a sync of the WAL: seal the commit frame this handle wrote last,
 * if the sync came right after it under the same hold of the write lock
 * (so no other connection can have written after it). */
static void wal_seal_commit(hfile *f)
{
	uint8_t seal[SEAL_LEN];
	sqlite3_int64 end = f->commit_end;
	hfile *m = f->main;

	f->commit_end = -1;
	if (end < 0 || m == NULL || !m->wlock_held || m->wlock_gen != f->wlock_gen)
		return;
	if (!seal_make(f, seal, (uint32_t)((end - WAL_HDR) / WAL_FRAME),
		       f->commit_salts))
		return;
	/* Best effort: the commit is durable whether or not this lands. */
	(void)real_write(f, seal, SEAL_LEN, end);
}

/* Remembers a commit frame written at off (its header is hdr), to seal
 * after the sync that follows. */
static void wal_note_frame(hfile *f, sqlite3_int64 off, const uint8_t *hdr)
{
	if (get_be32(hdr + 4) == 0 || f->main == NULL) {
		f->commit_end = -1;
		return;
	}
	f->commit_end = off + WAL_FRAME;
	memcpy(f->commit_salts, hdr + 8, 8);
	f->wlock_gen = f->main->wlock_gen;
}

/* Reads any slice of the WAL.  The WAL header and frame headers pass
 * through; every page image the slice overlaps is authenticated and
 * decrypted.
 *
 * SQLite's read of the WAL header (32 bytes at 0) starts a recovery: the
 * log is surveyed first (wal_before_recovery), and damage inside it fails
 * the read.  Otherwise a read of a whole frame (header and image: the
 * recovery itself, and SQLite's checksum rewrite) whose image fails
 * authentication does not fail: the frame comes back with page number 0
 * and a zeroed image, which SQLite rejects as an invalid frame and so ends
 * the log there, as it does for a frame torn by a crash; the survey has
 * shown that no durable commit follows it.  Every other read of an image
 * that fails authentication fails with SQLITE_IOERR_DATA. */
static int wal_read(hfile *f, uint8_t *buf, int amt, sqlite3_int64 off)
{
	sqlite3_int64 end = off + amt, size = -1, k;
	uint8_t ad[AD_MAX];
	int short_read = 0, rc;

	if (off == 0 && amt == WAL_HDR &&
	    (rc = wal_before_recovery(f)) != SQLITE_OK) {
		memset(buf, 0, (size_t)amt);
		return rc;
	}

	/* SQLite's page reads and checkpoint: one image, read with its
	 * frame header in one go. */
	if (amt == PAGE && off >= WAL_IMAGE0 && (off - WAL_IMAGE0) % WAL_FRAME == 0) {
		uint8_t *frame = f->scratch;

		rc = real_read(f, frame, WAL_FRAME, off - WAL_FRAME_HDR);
		if (rc == SQLITE_IOERR_SHORT_READ) {
			if ((rc = f->real->pMethods->xFileSize(f->real, &size)) != SQLITE_OK)
				return rc;
			memset(buf, 0, PAGE);
			if (size <= off)
				return SQLITE_IOERR_SHORT_READ;
			record_damage(f, get_be32(frame));
			return SQLITE_IOERR_DATA;
		}
		if (rc != SQLITE_OK)
			return rc;
		f->last_pgno = 0;
		if (!page_open(f, buf, frame + WAL_FRAME_HDR, ad,
			       wal_ad(ad, frame))) {
			memset(buf, 0, PAGE);
			record_damage(f, get_be32(frame));
			return SQLITE_IOERR_DATA;
		}
		/* Kept for the checkpoint's write of this page. */
		memcpy(f->last_ct, frame + WAL_FRAME_HDR, PAGE);
		memcpy(f->last_pt, buf, USABLE);
		f->last_pgno = get_be32(frame);
		return SQLITE_OK;
	}

	rc = real_read(f, buf, amt, off);
	if (rc == SQLITE_IOERR_SHORT_READ) {
		if ((rc = f->real->pMethods->xFileSize(f->real, &size)) != SQLITE_OK)
			return rc;
		short_read = 1;
	} else if (rc != SQLITE_OK) {
		return rc;
	}
	if ((rc = wal_unmask(f, buf, amt, off)) != SQLITE_OK)
		return rc;
	for (k = wal_first_image(off); wal_image_at(k) < end; k++) {
		sqlite3_int64 img = wal_image_at(k), hdr = img - WAL_FRAME_HDR;
		sqlite3_int64 lo = off > img ? off : img;
		sqlite3_int64 hi = end < img + PAGE ? end : img + PAGE;
		uint8_t *dst = buf + (lo - off);

		if (hi <= lo)
			continue;
		if (short_read && size < img + PAGE) {
			/* The image is not all there: nothing to release. */
			memset(dst, 0, (size_t)(hi - lo));
			continue;
		}
		if (hdr >= off && img + PAGE <= end) {
			uint8_t *h = buf + (hdr - off);

			if (!page_open(f, dst, dst, ad, wal_ad(ad, h))) {
				record_damage(f, get_be32(h));
				memset(dst, 0, PAGE);
				memset(h, 0, 4); /* page number 0: invalid frame */
			}
			continue;
		}
		rc = real_read(f, f->scratch, WAL_FRAME, hdr);
		if (rc != SQLITE_OK) {
			memset(buf, 0, (size_t)amt);
			return rc == SQLITE_IOERR_SHORT_READ ? SQLITE_IOERR_DATA : rc;
		}
		if (!page_open(f, f->scratch + WAL_FRAME_HDR,
			       f->scratch + WAL_FRAME_HDR, ad,
			       wal_ad(ad, f->scratch))) {
			record_damage(f, get_be32(f->scratch));
			memset(buf, 0, (size_t)amt);
			return SQLITE_IOERR_DATA;
		}
		memcpy(dst, f->scratch + WAL_FRAME_HDR + (lo - img), (size_t)(hi - lo));
		hearth_wipe(f->scratch, WAL_FRAME);
	}
	return short_read ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
}

/* Encrypts one page image for the frame whose header is hdr into out. */
static int wal_seal(hfile *f, uint8_t *out, const uint8_t *page,
		    const uint8_t *hdr)
{
	uint8_t ad[AD_MAX];

	if (get_be32(hdr) == 1 && !page1_layout_ok(page))
		return SQLITE_IOERR_WRITE;
	return page_seal(f, out, page, ad, wal_ad(ad, hdr));
}

/* SQLite writes the WAL header, frame headers and page images as separate
 * writes, a header just before its image.  Writes within headers pass
 * through; an image (alone, or a whole frame) is encrypted with the page
 * number of its frame's header bound in; anything else overlapping an
 * image is refused rather than written in clear. */
static int wal_write(hfile *f, const uint8_t *buf, int amt, sqlite3_int64 off)
{
	sqlite3_int64 end = off + amt, k = wal_first_image(off);
	sqlite3_int64 img = wal_image_at(k);
	int rc;

	if (off < 0)
		return SQLITE_IOERR_WRITE;
	if (end <= img || (off >= img + PAGE && end <= wal_image_at(k + 1))) {
		/* Headers only: the WAL header passes; a frame header is
		 * remembered for its image and written with its checksums
		 * masked.  SQLite writes nothing else there. */
		uint8_t h[WAL_FRAME_HDR], mask[WAL_CKSUM_LEN];
		int i;

		if (end <= WAL_HDR) {
			f->commit_end = -1;
			return real_write(f, buf, amt, off);
		}
		if (amt != WAL_FRAME_HDR || off < WAL_HDR ||
		    (off - WAL_HDR) % WAL_FRAME != 0)
			return SQLITE_IOERR_WRITE;
		f->hdr_off = off;
		memcpy(f->hdr, buf, WAL_FRAME_HDR);
		wal_note_frame(f, off, buf);
		memcpy(h, buf, WAL_FRAME_HDR);
		wal_cksum_mask(f, off, h, mask);
		for (i = 0; i < WAL_CKSUM_LEN; i++)
			h[WAL_CKSUM_AT + i] ^= mask[i];
		return real_write(f, h, WAL_FRAME_HDR, off);
	}
	if (amt == PAGE && off == img) {
		const uint8_t *hdr = f->hdr;

		if (f->hdr_off != off - WAL_FRAME_HDR) {
			/* SQLite rewrites an image of its current transaction
			 * without its header, which is already on disk. */
			rc = real_read(f, f->scratch, WAL_FRAME_HDR, off - WAL_FRAME_HDR);
			if (rc != SQLITE_OK)
				return SQLITE_IOERR_WRITE;
			memcpy(f->hdr, f->scratch, WAL_FRAME_HDR);
		}
		f->hdr_off = -1;
		if (f->commit_end != off + PAGE)
			f->commit_end = -1; /* not the commit frame's image */
		if ((rc = wal_seal(f, f->scratch, buf, hdr)) != SQLITE_OK)
			return rc;
		return real_write(f, f->scratch, PAGE, off);
	}
	if (amt == WAL_FRAME && off == img - WAL_FRAME_HDR) {
		uint8_t mask[WAL_CKSUM_LEN];
		int i;

		memcpy(f->scratch, buf, WAL_FRAME_HDR);
		wal_cksum_mask(f, off, buf, mask);
		for (i = 0; i < WAL_CKSUM_LEN; i++)
			f->scratch[WAL_CKSUM_AT + i] ^= mask[i];
		rc = wal_seal(f, f->scratch + WAL_FRAME_HDR, buf + WAL_FRAME_HDR, buf);
		if (rc != SQLITE_OK)
			return rc;
		f->hdr_off = -1;
		wal_note_frame(f, off, buf);
		return real_write(f, f->scratch, WAL_FRAME, off);
	}
	return SQLITE_IOERR_WRITE;
}

/* ---- rollback journal --------------------------------------------------- */

/* The page number stored in the 4 bytes before a journal page image. */
static int journal_pgno(hfile *f, sqlite3_int64 img, uint8_t pgno4[4])
{
	int rc;

	if (f->pgno_off == img - 4) {
		memcpy(pgno4, f->pgno4, 4);
	} else {
		rc = real_read(f, pgno4, 4, img - 4);
		if (rc != SQLITE_OK)
			return rc;
	}
	f->pgno_off = -1;
	return SQLITE_OK;
}

/* A journal holds, after its header, records of a 4-byte page number, the
 * page image, and a 4-byte checksum.  SQLite writes and reads the images
 * as exactly PAGE bytes and everything else in smaller pieces, so PAGE-
 * sized transfers are the images.  (The journal header is 512 bytes: the
 * VFS reports 512-byte sectors.) */
static int journal_read(hfile *f, uint8_t *buf, int amt, sqlite3_int64 off)
{
	uint8_t pgno4[4], ad[AD_MAX];
	int rc;

	rc = real_read(f, buf, amt, off);
	if (amt == 4 && rc == SQLITE_OK) {
		f->pgno_off = off;
		memcpy(f->pgno4, buf, 4);
	}
	if (amt != PAGE || off < 4)
		return rc;
	if (rc == SQLITE_IOERR_SHORT_READ) {
		/* A record cut short: SQLite stops replaying there. */
		memset(buf, 0, PAGE);
		return rc;
	}
	if (rc != SQLITE_OK)
		return rc;
	if ((rc = journal_pgno(f, off, pgno4)) != SQLITE_OK) {
		memset(buf, 0, PAGE);
		return rc;
	}
	if (!page_open(f, buf, buf, ad, journal_ad(ad, (uint64_t)off, pgno4))) {
		memset(buf, 0, PAGE);
		record_damage(f, get_be32(pgno4));
		return SQLITE_IOERR_DATA;
	}
	return SQLITE_OK;
}

static int journal_write(hfile *f, const uint8_t *buf, int amt, sqlite3_int64 off)
{
	uint8_t pgno4[4], ad[AD_MAX];
	int rc;

	if (amt == 4) {
		f->pgno_off = off;
		memcpy(f->pgno4, buf, 4);
	}
	if (amt != PAGE)
		return real_write(f, buf, amt, off);
	if (off < 4 || journal_pgno(f, off, pgno4) != SQLITE_OK)
		return SQLITE_IOERR_WRITE;
	rc = page_seal(f, f->scratch, buf, ad, journal_ad(ad, (uint64_t)off, pgno4));
	if (rc != SQLITE_OK)
		return rc;
	return real_write(f, f->scratch, PAGE, off);
}

/* ---- io methods --------------------------------------------------------- */

/* Once damage inside the WAL was found, the connection writes nothing:
 * no checkpoint, no WAL reset, no rollback into the database. */
static int writes_refused(const hfile *f)
{
	return f->refuse_writes || (f->main != NULL && f->main->refuse_writes);
}

/* Bytes of per-file buffers: a frame of scratch space, and for a WAL the
 * last image read, as ciphertext and plaintext. */
static size_t scratch_size(int kind)
{
	return WAL_FRAME + (kind == KIND_WAL ? PAGE + USABLE : 0);
}

static int hfile_close(sqlite3_file *file)
{
	hfile *f = (hfile *)file;
	hvfs *v = f->vfs;
	int rc = SQLITE_OK;

	if (f->real->pMethods != NULL)
		rc = f->real->pMethods->xClose(f->real);
	pthread_mutex_lock(&registry_lock);
	if (f->kind == KIND_MAIN) {
		hfile **pp;

		for (pp = &v->mains; *pp != NULL; pp = &(*pp)->next_main)
			if (*pp == f) {
				*pp = f->next_main;
				break;
			}
		if (f->wal != NULL)
			f->wal->main = NULL;
		if (f->journal != NULL)
			f->journal->main = NULL;
	} else if (f->main != NULL) {
		if (f->main->wal == f)
			f->main->wal = NULL;
		if (f->main->journal == f)
			f->main->journal = NULL;
	}
	v->open_files--;
	free(f->wal_copy);
	f->wal_copy = NULL;
	pthread_mutex_unlock(&registry_lock);
	if (f->scratch != NULL) {
		/* One block: scratch, then (WAL) last_ct and last_pt. */
		hearth_wipe(f->scratch, scratch_size(f->kind));
		sqlite3_free(f->scratch);
	}
	f->scratch = f->last_ct = f->last_pt = NULL;
	hearth_xaead_free(f->aead);
	f->aead = NULL;
	return rc;
}

static int hfile_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
	hfile *f = (hfile *)file;

	if (amt <= 0 || off < 0)
		return SQLITE_IOERR_READ;
	switch (f->kind) {
	case KIND_MAIN:
		return main_read(f, buf, amt, off);
	case KIND_WAL:
		return wal_read(f, buf, amt, off);
	default:
		return journal_read(f, buf, amt, off);
	}
}

static int hfile_write(sqlite3_file *file, const void *buf, int amt,
		       sqlite3_int64 off)
{
	hfile *f = (hfile *)file;

	if (amt <= 0 || off < 0 || writes_refused(f))
		return SQLITE_IOERR_WRITE;
	switch (f->kind) {
	case KIND_MAIN:
		return main_write(f, buf, amt, off);
	case KIND_WAL:
		return wal_write(f, buf, amt, off);
	default:
		return journal_write(f, buf, amt, off);
	}
}

static int hfile_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	hfile *f = (hfile *)file;

	if (writes_refused(f))
		return SQLITE_IOERR_TRUNCATE;
	f->commit_end = -1;
	return f->real->pMethods->xTruncate(f->real, size);
}

static int hfile_sync(sqlite3_file *file, int flags)
{
	hfile *f = (hfile *)file;
	int rc = f->real->pMethods->xSync(f->real, flags);

	if (f->kind == KIND_WAL && rc == SQLITE_OK && f->commit_end >= 0)
		wal_seal_commit(f);
	return rc;
}

static int hfile_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	hfile *f = (hfile *)file;

	return f->real->pMethods->xFileSize(f->real, size);
}

static int hfile_lock(sqlite3_file *file, int level)
{
	hfile *f = (hfile *)file;

	return f->real->pMethods->xLock(f->real, level);
}

static int hfile_unlock(sqlite3_file *file, int level)
{
	hfile *f = (hfile *)file;

	return f->real->pMethods->xUnlock(f->real, level);
}

static int hfile_check_reserved_lock(sqlite3_file *file, int *out)
{
	hfile *f = (hfile *)file;

	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int hfile_file_control(sqlite3_file *file, int op, void *arg)
{
	hfile *f = (hfile *)file;

	switch (op) {
	case HEARTH_VFS_FCNTL_DAMAGED_PAGE:
		if (f->kind != KIND_MAIN)
			return SQLITE_NOTFOUND;
		pthread_mutex_lock(&registry_lock);
		*(uint32_t *)arg = f->damaged ? f->damaged : f->vfs->unlinked_damage;
		pthread_mutex_unlock(&registry_lock);
		return SQLITE_OK;
	case HEARTH_VFS_FCNTL_WAL_REPORT: {
		struct wal_report *r = arg;

		if (f->kind != KIND_MAIN)
			return SQLITE_NOTFOUND;
		pthread_mutex_lock(&registry_lock);
		r->damaged_frame = f->wal_bad_frame;
		r->torn_first = f->torn_first;
		r->torn_frames = f->torn_frames;
		if (r->take_torn)
			f->torn_first = f->torn_frames = 0;
		if (r->copy != NULL && r->copy_len > 0)
			snprintf(r->copy, r->copy_len, "%s",
				 f->wal_copy != NULL ? f->wal_copy : "");
		pthread_mutex_unlock(&registry_lock);
		return SQLITE_OK;
	}
	case SQLITE_FCNTL_SIZE_HINT:
	case SQLITE_FCNTL_CHUNK_SIZE:
		/* Growing a file ahead of time would leave zero-filled
		 * slots that read as damaged pages; SQLite writes every
		 * page it needs anyway. */
		return SQLITE_OK;
	case SQLITE_FCNTL_MMAP_SIZE:
		/* Memory mapping would hand SQLite ciphertext. */
		*(sqlite3_int64 *)arg = 0;
		return SQLITE_OK;
	default:
		return f->real->pMethods->xFileControl(f->real, op, arg);
	}
}

static int hfile_sector_size(sqlite3_file *file)
{
	/* Journal headers are one sector: 512 keeps them shorter than a
	 * page, so a PAGE-sized journal transfer is always a page image. */
	return 512;
}

static int hfile_device_characteristics(sqlite3_file *file)
{
	hfile *f = (hfile *)file;
	int dc = f->real->pMethods->xDeviceCharacteristics(f->real);

	/* Atomic-write capabilities would let SQLite skip the journal or
	 * batch writes past the VFS's view; never offer them. */
	dc &= ~(SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_ATOMIC512 |
		SQLITE_IOCAP_ATOMIC1K | SQLITE_IOCAP_ATOMIC2K |
		SQLITE_IOCAP_ATOMIC4K | SQLITE_IOCAP_ATOMIC8K |
		SQLITE_IOCAP_ATOMIC16K | SQLITE_IOCAP_ATOMIC32K |
		SQLITE_IOCAP_ATOMIC64K | SQLITE_IOCAP_BATCH_ATOMIC);
	return dc | SQLITE_IOCAP_POWERSAFE_OVERWRITE;
}

/* The WAL index (-shm) holds page numbers and frame positions, never
 * content: shared memory passes through. */
static int hfile_shm_map(sqlite3_file *file, int pg, int pgsz, int extend,
			 void volatile **pp)
{
	hfile *f = (hfile *)file;

	return f->real->pMethods->xShmMap(f->real, pg, pgsz, extend, pp);
}

/* Slot 0 of the WAL index locks is SQLite's WAL write lock (part of its
 * file format); its holds are counted for wal_seal_commit. */
static int hfile_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	hfile *f = (hfile *)file;
	int rc = f->real->pMethods->xShmLock(f->real, offset, n, flags);

	if (rc == SQLITE_OK && offset == 0 && (flags & SQLITE_SHM_EXCLUSIVE)) {
		if (flags & SQLITE_SHM_LOCK) {
			f->wlock_held = 1;
			f->wlock_gen++;
		} else {
			f->wlock_held = 0;
		}
	}
	return rc;
}

static void hfile_shm_barrier(sqlite3_file *file)
{
	hfile *f = (hfile *)file;

	f->real->pMethods->xShmBarrier(f->real);
}

static int hfile_shm_unmap(sqlite3_file *file, int delete_flag)
{
	hfile *f = (hfile *)file;

	return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

/* Version 2: shared memory for WAL, and no xFetch/xUnfetch, so SQLite can
 * never read pages through a memory map that would bypass decryption. */
static const sqlite3_io_methods hfile_methods = {
	.iVersion = 2,
	.xClose = hfile_close,
	.xRead = hfile_read,
	.xWrite = hfile_write,
	.xTruncate = hfile_truncate,
	.xSync = hfile_sync,
	.xFileSize = hfile_file_size,
	.xLock = hfile_lock,
	.xUnlock = hfile_unlock,
	.xCheckReservedLock = hfile_check_reserved_lock,
	.xFileControl = hfile_file_control,
	.xSectorSize = hfile_sector_size,
	.xDeviceCharacteristics = hfile_device_characteristics,
	.xShmMap = hfile_shm_map,
	.xShmLock = hfile_shm_lock,
	.xShmBarrier = hfile_shm_barrier,
	.xShmUnmap = hfile_shm_unmap,
};

/* ---- vfs methods -------------------------------------------------------- */

static void memfile_closed(void *ctx)
{
	hvfs *v = ctx;

	pthread_mutex_lock(&registry_lock);
	v->open_files--;
	pthread_mutex_unlock(&registry_lock);
}

static int hvfs_open(sqlite3_vfs *pvfs, sqlite3_filename name,
		     sqlite3_file *file, int flags, int *out_flags)
{
	hvfs *v = (hvfs *)pvfs;
	hfile *f = (hfile *)file;
	int kind, rc;

	if (name == NULL ||
	    (flags & (SQLITE_OPEN_TEMP_DB | SQLITE_OPEN_TEMP_JOURNAL |
		      SQLITE_OPEN_SUBJOURNAL | SQLITE_OPEN_TRANSIENT_DB)) != 0) {
		/* Temp files hold decrypted pages: memory only. */
		pthread_mutex_lock(&registry_lock);
		v->open_files++;
		pthread_mutex_unlock(&registry_lock);
		return hearth_memfile_open(file, flags, out_flags,
					   memfile_closed, v);
	}
	if (flags & SQLITE_OPEN_MAIN_DB)
		kind = KIND_MAIN;
	else if (flags & SQLITE_OPEN_WAL)
		kind = KIND_WAL;
	else if (flags & SQLITE_OPEN_MAIN_JOURNAL)
		kind = KIND_JOURNAL;
	else
		/* Super-journals (transactions over attached databases)
		 * and anything unknown: never written unencrypted. */
		return SQLITE_CANTOPEN;

	memset(f, 0, HFILE_SIZE);
	f->vfs = v;
	f->kind = kind;
	f->real = (sqlite3_file *)((char *)f + HFILE_SIZE);
	f->hdr_off = -1;
	f->pgno_off = -1;
	f->commit_end = -1;
	f->zpath = name;
	f->scratch = sqlite3_malloc((int)scratch_size(kind));
	f->aead = hearth_xaead_new();
	if (f->scratch == NULL || f->aead == NULL) {
		sqlite3_free(f->scratch);
		hearth_xaead_free(f->aead);
		f->scratch = NULL;
		f->aead = NULL;
		return SQLITE_NOMEM;
	}
	if (kind == KIND_WAL) {
		f->last_ct = f->scratch + WAL_FRAME;
		f->last_pt = f->last_ct + PAGE;
	}
	rc = v->base->xOpen(v->base, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		sqlite3_free(f->scratch);
		hearth_xaead_free(f->aead);
		f->scratch = NULL;
		f->aead = NULL;
		f->base.pMethods = NULL;
		return rc;
	}
	f->base.pMethods = &hfile_methods;

	pthread_mutex_lock(&registry_lock);
	v->open_files++;
	if (kind == KIND_MAIN) {
		f->zname = name;
		f->next_main = v->mains;
		v->mains = f;
	} else {
		/* SQLite derives the WAL and journal names from its own copy
		 * of the database name, and sqlite3_filename_database()
		 * returns that very pointer: it names this connection's main
		 * file among all those open on the same database. */
		const char *db_name = sqlite3_filename_database(name);
		hfile *m;

		for (m = v->mains; m != NULL; m = m->next_main)
			if (m->zname == db_name)
				break;
		f->main = m;
		if (m != NULL && kind == KIND_WAL)
			m->wal = f;
		else if (m != NULL)
			m->journal = f;
	}
	pthread_mutex_unlock(&registry_lock);
	return SQLITE_OK;
}

static int hvfs_delete(sqlite3_vfs *pvfs, const char *name, int sync_dir)
{
	sqlite3_vfs *b = ((hvfs *)pvfs)->base;

	return b->xDelete(b, name, sync_dir);
}

static int hvfs_access(sqlite3_vfs *pvfs, const char *name, int flags, int *out)
{
	sqlite3_vfs *b = ((hvfs *)pvfs)->base;

	return b->xAccess(b, name, flags, out);
}

static int hvfs_full_pathname(sqlite3_vfs *pvfs, const char *name, int n,
			      char *out)
{
	sqlite3_vfs *b = ((hvfs *)pvfs)->base;

	return b->xFullPathname(b, name, n, out);
}

static void *hvfs_dl_open(sqlite3_vfs *pvfs, const char *name)
{
	sqlite3_vfs *b = ((hvfs *)pvfs)->base;

	return b->xDlOpen(b, name);
}

static void hvfs_dl_error(sqlite3_vfs *pvfs, int n, char *msg)
{
	sqlite3_vfs *b = ((hvfs *)pvfs)->base;

	b->xDlError(b, n, msg);
}

static void (*hvfs_dl_sym(sqlite3_vfs *pvfs, void *h, const char *sym))(void)
{
	sqlite3_vfs *b = ((hvfs *)pvfs)->base;

	return b->xDlSym(b, h, sym);
}

static void hvfs_dl_close(sqlite3_vfs *pvfs, void *h)
{
	sqlite3_vfs *b = ((hvfs *)pvfs)->base;

	b->xDlClose(b, h);
}

static int hvfs_randomness(sqlite3_vfs *pvfs, int n, char *out)
{
	sqlite3_vfs *b = ((hvfs *)pvfs)->base;

	return b->xRandomness(b, n, out);
}

static int hvfs_sleep(sqlite3_vfs *pvfs, int us)
{
	sqlite3_vfs *b = ((hvfs *)pvfs)->base;

	return b->xSleep(b, us);
}

static int hvfs_current_time(sqlite3_vfs *pvfs, double *out)
{
	sqlite3_vfs *b = ((hvfs *)pvfs)->base;

	return b->xCurrentTime(b, out);
}

static int hvfs_get_last_error(sqlite3_vfs *pvfs, int n, char *out)
{
	sqlite3_vfs *b = ((hvfs *)pvfs)->base;

	return b->xGetLastError ? b->xGetLastError(b, n, out) : 0;
}

static int hvfs_current_time_int64(sqlite3_vfs *pvfs, sqlite3_int64 *out)
{
	sqlite3_vfs *b = ((hvfs *)pvfs)->base;

	return b->xCurrentTimeInt64(b, out);
}

/* ---- public API --------------------------------------------------------- */

static hvfs *registry_find(const char *name)
{
	hvfs *v;

	for (v = registry; v != NULL; v = v->next)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

static void hvfs_free(hvfs *v)
{
	if (v == NULL)
		return;
	hearth_secret_free(v->key);
	hearth_secret_free(v->seal_key);
	free(v->name);
	free(v);
}

hearth_status hearth_vfs_register(const char *name,
				  const uint8_t key[HEARTH_KEYBYTES],
				  int make_default)
{
	sqlite3_vfs *base;
	hvfs *v = NULL;
	size_t objsize;
	hearth_status st;

	if (name == NULL || name[0] == '\0')
		return hearth_fail(HEARTH_EINVAL, "a vfs needs a name");
	if (key == NULL)
		return hearth_fail(HEARTH_EINVAL, "vfs '%s' needs a key", name);
	if ((st = hearth_crypto_init()) != HEARTH_OK)
		return st;
	if (sqlite3_initialize() != SQLITE_OK)
		return hearth_fail(HEARTH_EDB, "cannot initialise sqlite");

	pthread_mutex_lock(&registry_lock);
	if (registry_find(name) != NULL || sqlite3_vfs_find(name) != NULL) {
		st = hearth_fail(HEARTH_EEXISTS, "vfs '%s' is registered already", name);
		goto out;
	}
	/* Wrap the real default, never another Hearth VFS that was made
	 * the default: pages would be encrypted twice, and the inner key
	 * could be unregistered under the outer VFS. */
	base = sqlite3_vfs_find(NULL);
	while (base != NULL && base->xOpen == hvfs_open)
		base = ((hvfs *)base)->base;
	if (base == NULL) {
		st = hearth_fail(HEARTH_EDB, "no sqlite vfs to wrap for '%s'", name);
		goto out;
	}
	v = calloc(1, sizeof *v);
	if (v == NULL || (v->name = strdup(name)) == NULL ||
	    (v->key = hearth_secret_alloc(HEARTH_KEYBYTES)) == NULL ||
	    (v->seal_key = hearth_secret_alloc(HEARTH_KEYBYTES)) == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory registering vfs '%s'", name);
		goto out;
	}
	memcpy(v->key, key, HEARTH_KEYBYTES);
	/* Seals use a key of their own (subkey 1 of context "hvfsseal"). */
	if ((st = hearth_subkey_derive(v->seal_key, 1, "hvfsseal", key)) != HEARTH_OK)
		goto out;
	v->base = base;

	objsize = HFILE_SIZE + (size_t)base->szOsFile;
	if (objsize < hearth_memfile_objsize())
		objsize = hearth_memfile_objsize();
	v->vfs.iVersion = base->iVersion >= 2 ? 2 : 1;
	v->vfs.szOsFile = (int)objsize;
	v->vfs.mxPathname = base->mxPathname;
	v->vfs.zName = v->name;
	v->vfs.pAppData = v;
	v->vfs.xOpen = hvfs_open;
	v->vfs.xDelete = hvfs_delete;
	v->vfs.xAccess = hvfs_access;
	v->vfs.xFullPathname = hvfs_full_pathname;
	v->vfs.xDlOpen = hvfs_dl_open;
	v->vfs.xDlError = hvfs_dl_error;
	v->vfs.xDlSym = hvfs_dl_sym;
	v->vfs.xDlClose = hvfs_dl_close;
	v->vfs.xRandomness = hvfs_randomness;
	v->vfs.xSleep = hvfs_sleep;
	v->vfs.xCurrentTime = hvfs_current_time;
	v->vfs.xGetLastError = hvfs_get_last_error;
	if (v->vfs.iVersion >= 2)
		v->vfs.xCurrentTimeInt64 = hvfs_current_time_int64;

	if (sqlite3_vfs_register(&v->vfs, make_default) != SQLITE_OK) {
		st = hearth_fail(HEARTH_EDB, "sqlite refused to register vfs '%s'", name);
		goto out;
	}
	v->next = registry;
	registry = v;
	v = NULL;
	st = HEARTH_OK;
out:
	pthread_mutex_unlock(&registry_lock);
	hvfs_free(v);
	return st;
}

hearth_status hearth_vfs_unregister(const char *name)
{
	hvfs **pp, *v = NULL;
	hearth_status st;

	if (name == NULL)
		return hearth_fail(HEARTH_EINVAL, "no vfs name");
	pthread_mutex_lock(&registry_lock);
	for (pp = &registry; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->name, name) == 0)
			break;
	if (*pp == NULL) {
		st = hearth_fail(HEARTH_ENOTFOUND, "no hearth vfs named '%s'", name);
		goto out;
	}
	if ((*pp)->open_files > 0) {
		st = hearth_fail(HEARTH_EBUSY,
				 "vfs '%s' still has %d open files: close its connections first",
				 name, (*pp)->open_files);
		goto out;
	}
	v = *pp;
	sqlite3_vfs_unregister(&v->vfs);
	*pp = v->next;
	st = HEARTH_OK;
out:
	pthread_mutex_unlock(&registry_lock);
	hvfs_free(v);
	return st;
}

/* Turns a failed statement of hearth_vfs_configure() into a status: a page
 * that failed authentication or a malformed database is damage. */
static hearth_status configure_failure(sqlite3 *db, const char *path)
{
	int ext = sqlite3_extended_errcode(db);
	uint32_t page;

	if (ext == SQLITE_IOERR_DATA) {
		char copy[HEARTH_VFS_PATH_MAX];
		uint32_t frame = hearth_vfs_wal_damage(db, copy, sizeof copy);

		if (frame != 0)
			return hearth_vfs_wal_damage_fail(frame, copy);
		page = hearth_vfs_damaged_page(db);
		if (page != 0)
			return hearth_fail(HEARTH_EDAMAGED,
					   "vault damaged: page %lu failed authentication",
					   (unsigned long)page);
		return hearth_fail(HEARTH_EDAMAGED,
				   "vault damaged: a page failed authentication");
	}
	if ((ext & 0xff) == SQLITE_NOTADB || (ext & 0xff) == SQLITE_CORRUPT)
		return hearth_fail(HEARTH_EDAMAGED, "vault damaged: %s",
				   sqlite3_errmsg(db));
	return hearth_fail(HEARTH_EDB, "cannot set up database '%s': %s", path,
			   sqlite3_errmsg(db));
}

hearth_status hearth_vfs_configure(sqlite3 *db)
{
	sqlite3_vfs *pvfs = NULL;
	sqlite3_stmt *stmt = NULL;
	const char *path;
	int reserve = HEARTH_VFS_RESERVE, rc;
	hearth_status st;

	if (db == NULL)
		return hearth_fail(HEARTH_EINVAL, "no database connection");
	path = sqlite3_db_filename(db, "main");
	if (path == NULL)
		path = "";
	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_VFS_POINTER, &pvfs) != SQLITE_OK ||
	    pvfs == NULL || pvfs->xOpen != hvfs_open)
		return hearth_fail(HEARTH_EINVAL,
				   "database '%s' is not opened through a hearth vfs", path);

	/* Order matters: setting the page size resets the reserve SQLite
	 * wants, so the reserve comes second.  Both only take effect on a
	 * database not yet written; an existing one keeps the layout its
	 * first page records, which the VFS checked when it was written. */
	st = HEARTH_OK;
	if (sqlite3_exec(db, "PRAGMA page_size=4096", NULL, NULL, NULL) != SQLITE_OK) {
		st = configure_failure(db, path);
		goto out;
	}
	/* SQLite answers this opcode itself (it never reaches the VFS) and
	 * always with SQLITE_OK. */
	(void)sqlite3_file_control(db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
	if (sqlite3_exec(db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA mmap_size=0", NULL, NULL, NULL) != SQLITE_OK) {
		st = configure_failure(db, path);
		goto out;
	}

	/* Read page 1 and the schema, so that a wrong key or a damaged
	 * first page shows now rather than at the first query. */
	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema", -1,
				&stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		st = configure_failure(db, path);
out:
	sqlite3_finalize(stmt);
	return st;
}

uint32_t hearth_vfs_damaged_page(sqlite3 *db)
{
	uint32_t page = 0;

	if (db == NULL)
		return 0;
	if (sqlite3_file_control(db, "main", HEARTH_VFS_FCNTL_DAMAGED_PAGE,
				 &page) != SQLITE_OK)
		return 0;
	return page;
}

/* The WAL report of db's main file; 0 if db has none (not a Hearth VFS). */
static int wal_report_get(sqlite3 *db, struct wal_report *r)
{
	if (db == NULL)
		return 0;
	return sqlite3_file_control(db, "main", HEARTH_VFS_FCNTL_WAL_REPORT, r) == SQLITE_OK;
}

uint32_t hearth_vfs_wal_damage(sqlite3 *db, char *copy, size_t copy_len)
{
	struct wal_report r;

	memset(&r, 0, sizeof r);
	r.copy = copy;
	r.copy_len = copy_len;
	if (copy != NULL && copy_len > 0)
		copy[0] = '\0';
	if (!wal_report_get(db, &r))
		return 0;
	return r.damaged_frame;
}

hearth_status hearth_vfs_wal_damage_fail(uint32_t frame, const char *copy)
{
	if (copy != NULL && copy[0] != '\0')
		return hearth_fail(HEARTH_EDAMAGED,
				   "vault damaged: WAL frame %lu failed authentication; "
				   "a copy was kept at %s", (unsigned long)frame, copy);
	return hearth_fail(HEARTH_EDAMAGED,
			   "vault damaged: WAL frame %lu failed authentication; "
			   "no copy could be kept, and nothing was changed",
			   (unsigned long)frame);
}

int hearth_vfs_wal_torn_tail(sqlite3 *db, uint32_t *first, uint32_t *frames)
{
	struct wal_report r;

	memset(&r, 0, sizeof r);
	r.take_torn = 1;
	if (first != NULL)
		*first = 0;
	if (frames != NULL)
		*frames = 0;
	if (!wal_report_get(db, &r) || r.torn_frames == 0)
		return 0;
	if (first != NULL)
		*first = r.torn_first;
	if (frames != NULL)
		*frames = r.torn_frames;
	return 1;
}
