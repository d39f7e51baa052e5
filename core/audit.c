/*
 * audit.c - the vault's hash-chained audit log.  See hearth/audit.h.
 *
 * Entry N's hash is BLAKE2b-256 (libsodium's crypto_generichash) over a
 * canonical encoding in which every field has a fixed size or a length
 * prefix, so no two different entries encode to the same bytes:
 *
 *   "hearth-audit-v1\0"                 16 bytes, domain separation
 *   seq                                 8 bytes, big-endian
 *   at_ms                               8 bytes, big-endian (two's complement)
 *   len(action) action                  4-byte big-endian length, bytes
 *   has_subject [subject]               1 byte (0/1), then 16 bytes if 1
 *   has_detail [len(detail) detail]     1 byte (0/1), then length and bytes
 *   prev                                32 bytes: entry N-1's hash, zeros
 *                                       for entry 1
 *
 * Table meta holds "audit_count" (an integer) and "audit_head" (the newest
 * hash, 32 bytes), written in the same transaction as the entry.  Because
 * each hash covers its sequence number and its predecessor's hash, a
 * removed entry leaves a gap in the sequence, an altered one no longer
 * matches its hash, and two swapped ones carry the wrong sequence numbers
 * for their hashes; a tail cut off (or a forged entry appended) disagrees
 * with the meta count and head.
 *
 * Limit: the anchor (meta) lives in the same database as the log, so
 * someone who can rewrite the whole database with the key can rewrite the
 * whole chain.  The log proves the database was not edited behind
 * Hearth's back by anything short of that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "db_private.h"
#include "hearth/audit.h"
#include "hearth/crypto.h"

#define AUDIT_HASH_BYTES 32u
#define META_COUNT "audit_count"
#define META_HEAD "audit_head"

static const char domain_tag[16] = "hearth-audit-v1";

static int64_t wall_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void put_be64(uint8_t out[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

static void put_be32(uint8_t out[4], uint32_t v)
{
	for (int i = 3; i >= 0; i--) {
		out[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

/* The hash of one entry in the encoding described at the top. */
static void entry_hash(uint8_t out[AUDIT_HASH_BYTES], int64_t seq,
		       int64_t at_ms, const char *action, size_t action_len,
		       const uint8_t *subject, const char *detail,
		       size_t detail_len, const uint8_t prev[AUDIT_HASH_BYTES])
{
	crypto_generichash_state h;
	uint8_t b8[8], b4[4], flag;

	crypto_generichash_init(&h, NULL, 0, AUDIT_HASH_BYTES);
	crypto_generichash_update(&h, (const uint8_t *)domain_tag, sizeof domain_tag);
	put_be64(b8, (uint64_t)seq);
	crypto_generichash_update(&h, b8, sizeof b8);
	put_be64(b8, (uint64_t)at_ms);
	crypto_generichash_update(&h, b8, sizeof b8);
	put_be32(b4, (uint32_t)action_len);
	crypto_generichash_update(&h, b4, sizeof b4);
	crypto_generichash_update(&h, (const uint8_t *)action, action_len);
	flag = subject != NULL;
	crypto_generichash_update(&h, &flag, 1);
	if (subject != NULL)
		crypto_generichash_update(&h, subject, HEARTH_ID_BYTES);
	flag = detail != NULL;
	crypto_generichash_update(&h, &flag, 1);
	if (detail != NULL) {
		put_be32(b4, (uint32_t)detail_len);
		crypto_generichash_update(&h, b4, sizeof b4);
		crypto_generichash_update(&h, (const uint8_t *)detail, detail_len);
	}
	crypto_generichash_update(&h, prev, AUDIT_HASH_BYTES);
	crypto_generichash_final(&h, out, AUDIT_HASH_BYTES);
}

/* Reads meta audit_count and audit_head; absent keys read as 0 and zeros. */
static hearth_status read_meta(sqlite3 *db, int64_t *count,
			       uint8_t head[AUDIT_HASH_BYTES], int *head_ok)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	int rc;

	*count = 0;
	*head_ok = 1;
	memset(head, 0, AUDIT_HASH_BYTES);
	rc = sqlite3_prepare_v2(db,
		"SELECT key, value FROM meta WHERE key IN ('" META_COUNT "', '" META_HEAD "')",
		-1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = hearth_db_error(db, rc, "cannot read the audit log");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);

		if (key != NULL && strcmp(key, META_COUNT) == 0) {
			*count = sqlite3_column_int64(st, 1);
		} else {
			const void *v = sqlite3_column_blob(st, 1);

			if (v != NULL && sqlite3_column_bytes(st, 1) == (int)AUDIT_HASH_BYTES)
				memcpy(head, v, AUDIT_HASH_BYTES);
			else
				*head_ok = 0;
		}
	}
	if (rc != SQLITE_DONE)
		ret = hearth_db_error(db, rc, "cannot read the audit log");
out:
	sqlite3_finalize(st);
	return ret;
}

/* Writes the entry and the meta keys, inside the caller's atomic step. */
static hearth_status append_locked(sqlite3 *db, const char *action,
				   const hearth_id *subject, const char *detail)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret;
	uint8_t prev[AUDIT_HASH_BYTES], hash[AUDIT_HASH_BYTES];
	int64_t seq, at;
	int rc;
	size_t action_len = strlen(action);
	size_t detail_len = detail ? strlen(detail) : 0;
	const char *what = "cannot append to the audit log";

	/* The chain continues from the last stored entry, so it stays whole
	 * even if meta was lost; verify is what compares the two. */
	rc = sqlite3_prepare_v2(db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = hearth_db_error(db, rc, what);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0) + 1;
		if (sqlite3_column_bytes(st, 1) != (int)AUDIT_HASH_BYTES) {
			ret = hearth_fail(HEARTH_EDAMAGED,
				"audit log broken at entry %lld: stored hash has the wrong size",
				(long long)(seq - 1));
			goto out;
		}
		memcpy(prev, sqlite3_column_blob(st, 1), AUDIT_HASH_BYTES);
	} else if (rc == SQLITE_DONE) {
		seq = 1;
		memset(prev, 0, sizeof prev);
	} else {
		ret = hearth_db_error(db, rc, what);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;

	at = wall_ms();
	entry_hash(hash, seq, at, action, action_len,
		   subject ? subject->b : NULL, detail, detail_len, prev);

	rc = sqlite3_prepare_v2(db,
		"INSERT INTO audit(seq, at_ms, action, subject, detail, prev, hash)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = hearth_db_error(db, rc, what);
		goto out;
	}
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, action, (int)action_len, SQLITE_STATIC);
	if (subject != NULL)
		sqlite3_bind_blob(st, 4, subject->b, HEARTH_ID_BYTES, SQLITE_STATIC);
	if (detail != NULL)
		sqlite3_bind_text(st, 5, detail, (int)detail_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, prev, AUDIT_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, hash, AUDIT_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		ret = hearth_db_error(db, rc, what);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;

	rc = sqlite3_prepare_v2(db,
		"INSERT OR REPLACE INTO meta(key, value) VALUES"
		" ('" META_COUNT "', ?1), ('" META_HEAD "', ?2)", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = hearth_db_error(db, rc, what);
		goto out;
	}
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_blob(st, 2, hash, AUDIT_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	ret = rc == SQLITE_DONE ? HEARTH_OK : hearth_db_error(db, rc, what);
out:
	sqlite3_finalize(st);
	return ret;
}

hearth_status hearth_audit_append(hearth_store *s, const char *action,
				  const hearth_id *subject, const char *detail)
{
	hearth_status ret;
	sqlite3 *db;
	hearth_store_step step;

	if (s == NULL || action == NULL || action[0] == '\0')
		return hearth_fail(HEARTH_EINVAL, "audit entry without an action");
	if ((ret = hearth_crypto_init()) != HEARTH_OK)
		return ret;
	db = hearth_store_db(s);
	/* Outside a transaction the entry gets one of the store's own, so
	 * reading the last hash and writing the next cannot interleave with
	 * another process.  Inside one, a savepoint keeps the entry and its
	 * meta update all-or-nothing without ending the caller's work. */
	if ((ret = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return ret;
	ret = append_locked(db, action, subject, detail);
	return hearth_store_step_end(s, &step, ret);
}

hearth_status hearth_audit_each(hearth_store *s, hearth_audit_cb cb, void *ctx)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	sqlite3 *db;
	int rc;

	if (s == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "audit listing without a store or callback");
	db = hearth_store_db(s);
	rc = sqlite3_prepare_v2(db,
		"SELECT seq, at_ms, action, subject, detail, hash FROM audit ORDER BY seq",
		-1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = hearth_db_error(db, rc, "cannot read the audit log");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		hearth_audit_entry e;
		const void *subj = sqlite3_column_blob(st, 3);
		const void *hash = sqlite3_column_blob(st, 5);

		memset(&e, 0, sizeof e);
		e.seq = sqlite3_column_int64(st, 0);
		e.at_ms = sqlite3_column_int64(st, 1);
		e.action = (const char *)sqlite3_column_text(st, 2);
		if (e.action == NULL)
			e.action = "";
		if (subj != NULL && sqlite3_column_bytes(st, 3) == (int)HEARTH_ID_BYTES) {
			e.has_subject = 1;
			memcpy(e.subject.b, subj, HEARTH_ID_BYTES);
		}
		e.detail = (const char *)sqlite3_column_text(st, 4);
		if (hash != NULL && sqlite3_column_bytes(st, 5) == (int)AUDIT_HASH_BYTES)
			memcpy(e.hash, hash, AUDIT_HASH_BYTES);
		if (cb(&e, ctx) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		ret = hearth_db_error(db, rc, "cannot read the audit log");
out:
	sqlite3_finalize(st);
	return ret;
}

static hearth_status broken(int64_t seq, const char *why)
{
	return hearth_fail(HEARTH_EDAMAGED, "audit log broken at entry %lld: %-s",
			   (long long)seq, why);
}

hearth_status hearth_audit_verify(hearth_store *s, int64_t *n_entries)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	uint8_t prev[AUDIT_HASH_BYTES], calc[AUDIT_HASH_BYTES];
	uint8_t head[AUDIT_HASH_BYTES];
	int64_t expect = 1, meta_count, checked = 0;
	int head_ok, rc;
	sqlite3 *db;

	if (n_entries != NULL)
		*n_entries = 0;
	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL, "audit check without a store");
	if ((ret = hearth_crypto_init()) != HEARTH_OK)
		return ret;
	db = hearth_store_db(s);
	if ((ret = read_meta(db, &meta_count, head, &head_ok)) != HEARTH_OK)
		return ret;
	memset(prev, 0, sizeof prev);
	rc = sqlite3_prepare_v2(db,
		"SELECT seq, at_ms, action, subject, detail, prev, hash FROM audit ORDER BY seq",
		-1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = hearth_db_error(db, rc, "cannot read the audit log");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		const void *subj = sqlite3_column_blob(st, 3);
		int subj_len = sqlite3_column_bytes(st, 3);
		const char *action = (const char *)sqlite3_column_text(st, 2);
		int action_len = sqlite3_column_bytes(st, 2);
		const char *detail = (const char *)sqlite3_column_text(st, 4);
		int detail_len = sqlite3_column_bytes(st, 4);
		const void *sprev = sqlite3_column_blob(st, 5);
		int sprev_len = sqlite3_column_bytes(st, 5);
		const void *shash = sqlite3_column_blob(st, 6);
		int shash_len = sqlite3_column_bytes(st, 6);

		if (seq != expect) {
			/* A gap (an entry removed) or a sequence number changed. */
			ret = broken(expect, seq > expect ? "entry missing" :
				     "sequence out of order");
			goto out;
		}
		if (action == NULL || (subj != NULL && subj_len != (int)HEARTH_ID_BYTES) ||
		    shash == NULL || shash_len != (int)AUDIT_HASH_BYTES) {
			ret = broken(seq, "entry malformed");
			goto out;
		}
		if (sprev == NULL || sprev_len != (int)AUDIT_HASH_BYTES ||
		    hearth_memcmp_ct(sprev, prev, AUDIT_HASH_BYTES) != 0) {
			ret = broken(seq, "does not follow the entry before it");
			goto out;
		}
		entry_hash(calc, seq, sqlite3_column_int64(st, 1), action,
			   (size_t)action_len, subj, detail, (size_t)detail_len, prev);
		if (hearth_memcmp_ct(calc, shash, AUDIT_HASH_BYTES) != 0) {
			ret = broken(seq, "entry altered");
			goto out;
		}
		memcpy(prev, calc, sizeof prev);
		checked = seq;
		expect++;
	}
	if (rc != SQLITE_DONE) {
		ret = hearth_db_error(db, rc, "cannot read the audit log");
		goto out;
	}
	if (checked < meta_count) {
		ret = broken(checked + 1, meta_count - checked == 1 ?
			     "last entry missing" : "last entries missing");
		goto out;
	}
	if (checked > meta_count) {
		ret = broken(meta_count + 1, "entry not counted by the log");
		goto out;
	}
	if (checked > 0 && (!head_ok ||
			    hearth_memcmp_ct(head, prev, AUDIT_HASH_BYTES) != 0)) {
		ret = broken(checked, "newest entry replaced");
		goto out;
	}
out:
	sqlite3_finalize(st);
	if (n_entries != NULL)
		*n_entries = checked;
	return ret;
}
