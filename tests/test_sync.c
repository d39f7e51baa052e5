/*
 * test_sync.c - kept envelopes, export and import of bundle files
 * (include/hearth/sync.h, include/hearth/offline.h; docs/protocol.md §10),
 * on real SQLite files with real keys.
 *
 * Vault A and its copy B share an identity (B moved to a new device id
 * and keeps A's certificate as a retired id's), so B trusts A's envelopes
 * of their private space: what A writes after the copy reaches B through a
 * bundle, and both then hold byte-identical dumps.  Every damaged,
 * tampered, replayed or foreign bundle is refused with its reason and
 * leaves B's dump, and its kept envelopes, exactly as they were.
 * Tests that need another kind of trust (members that become known,
 * refused devices) give their own hearth_sync_trust.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "hearth/crypto.h"
#include "hearth/devices.h"
#include "hearth/envelope.h"
#include "hearth/offline.h"
#include "hearth/schema.h"
#include "hearth/store.h"
#include "hearth/sync.h"
#include "testutil.h"

#define OK(call) do { \
	hearth_status st_ = (call); \
	if (st_ != HEARTH_OK) \
		fail_msg("%s: %s (%s)", #call, hearth_strerror(st_), hearth_errdetail()); \
} while (0)

/* ---- two vaults of one identity -------------------------------------------- */

typedef struct vault {
	char path[128];
	sqlite3 *db;
	hearth_store *s;
} vault;

typedef struct pair {
	char dir[64];
	vault a, b;
	int n_files;
} pair;

static void vault_open(vault *v)
{
	assert_int_equal(sqlite3_open(v->path, &v->db), SQLITE_OK);
	OK(hearth_schema_migrate(v->db, hearth_schema_latest()));
	OK(hearth_store_open(v->db, NULL, &v->s));
	OK(hearth_devices_ensure(v->s, NULL));
}

static void vault_close(vault *v)
{
	hearth_store_close(v->s);
	sqlite3_close(v->db);
	v->s = NULL;
	v->db = NULL;
}

/* A with two people; B a copy of A that moved to a new device id. */
static int pair_setup(void **state)
{
	pair *p = calloc(1, sizeof *p);
	hearth_id space, id;
	sqlite3_backup *bk;
	sqlite3 *to;

	assert_non_null(p);
	strcpy(p->dir, "/tmp/hearth-sync-XXXXXX");
	assert_non_null(mkdtemp(p->dir));
	snprintf(p->a.path, sizeof p->a.path, "%s/a.db", p->dir);
	snprintf(p->b.path, sizeof p->b.path, "%s/b.db", p->dir);
	vault_open(&p->a);
	space = hearth_store_private_space(p->a.s);
	OK(hearth_record_create(p->a.s, &space, "person", &id));
	OK(hearth_record_set(p->a.s, &id, "name", "王芳"));
	assert_int_equal(sqlite3_open(p->b.path, &to), SQLITE_OK);
	bk = sqlite3_backup_init(to, "main", p->a.db, "main");
	assert_non_null(bk);
	assert_int_equal(sqlite3_backup_step(bk, -1), SQLITE_DONE);
	sqlite3_backup_finish(bk);
	sqlite3_close(to);
	assert_int_equal(sqlite3_open(p->b.path, &p->b.db), SQLITE_OK);
	OK(hearth_store_open(p->b.db, NULL, &p->b.s));
	OK(hearth_store_new_device(p->b.s, "a copy, for a test"));
	OK(hearth_devices_ensure(p->b.s, NULL));
	assert_true(hearth_store_device(p->a.s) != hearth_store_device(p->b.s));
	*state = p;
	return 0;
}

static int pair_teardown(void **state)
{
	pair *p = *state;
	char cmd[128];

	vault_close(&p->a);
	vault_close(&p->b);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", p->dir);
	assert_int_equal(system(cmd), 0);
	free(p);
	return 0;
}

/* A new file name in the pair's directory. */
static const char *file_in(pair *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s/f%d.bundle", p->dir, p->n_files++);
	return buf;
}

static char *dump(hearth_store *s)
{
	char *d;

	OK(hearth_store_dump(s, &d, NULL));
	return d;
}

static size_t kept(hearth_store *s, int state)
{
	size_t n;

	OK(hearth_sync_count(s, NULL, state, &n));
	return n;
}

static void fp_check(hearth_store *s, const hearth_id *space);

/* Writes a person in A's private space, with a few fields. */
static hearth_id a_person(pair *p, const char *name)
{
	hearth_id space = hearth_store_private_space(p->a.s), id;

	OK(hearth_record_create(p->a.s, &space, "person", &id));
	OK(hearth_record_set(p->a.s, &id, "name", name));
	OK(hearth_record_set(p->a.s, &id, "unit", "3"));
	return id;
}

static hearth_sync_report export_a(pair *p, uint64_t since, const char *path)
{
	hearth_id space = hearth_store_private_space(p->a.s);
	hearth_sync_report r;

	OK(hearth_offline_export(p->a.s, NULL, &space, since, path, &r));
	return r;
}

static hearth_status import_b(pair *p, const char *path, hearth_sync_report *r)
{
	return hearth_offline_import(p->b.s, NULL, path, NULL, NULL, r);
}

/* ---- files ------------------------------------------------------------------ */

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void spit(const char *path, const uint8_t *b, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
}

/* The envelopes of a whole bundle file, as bytes. */
typedef struct envs {
	uint8_t *e[16];
	size_t len[16];
	size_t off[16]; /* where each starts in the file (after its length) */
	size_t n;
} envs;

static void envs_read(const char *path, envs *out)
{
	hearth_bundle_reader *r;
	const uint8_t *env;
	size_t len, off = 9;
	FILE *f = fopen(path, "rb");

	memset(out, 0, sizeof *out);
	assert_non_null(f);
	OK(hearth_bundle_reader_open(f, &r));
	for (;;) {
		OK(hearth_bundle_reader_next(r, &env, &len));
		if (env == NULL)
			break;
		assert_true(out->n < 16);
		out->e[out->n] = malloc(len);
		memcpy(out->e[out->n], env, len);
		out->len[out->n] = len;
		out->off[out->n] = off + 4;
		off += 4 + len;
		out->n++;
	}
	hearth_bundle_reader_free(r);
	fclose(f);
}

static void envs_free(envs *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->e[i]);
	e->n = 0;
}

/* Writes a bundle of the given envelopes (by index into e, -1 ends). */
static void bundle_of(const char *path, const envs *e, const int *which)
{
	hearth_bundle_writer *w;
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	OK(hearth_bundle_writer_open(f, &w));
	for (; *which >= 0; which++)
		OK(hearth_bundle_writer_add(w, e->e[*which], e->len[*which]));
	OK(hearth_bundle_writer_finish(w));
	hearth_bundle_writer_free(w);
	fclose(f);
}

/* Three envelopes of A's (three exports), all in one bundle at path. */
static void three_envelopes(pair *p, const char *path)
{
	char tmp[128];

	a_person(p, "李明");
	export_a(p, 0, file_in(p, tmp, sizeof tmp));
	a_person(p, "张伟");
	export_a(p, 0, file_in(p, tmp, sizeof tmp));
	a_person(p, "Ana");
	export_a(p, 0, path);
}

/* three_envelopes into a new file full, read whole (returned, *len
 * bytes) and as envelopes (*e); other gets a fresh file name. */
static uint8_t *three_read(pair *p, char full[128], char other[128], size_t *len,
			   envs *e)
{
	uint8_t *b;

	three_envelopes(p, file_in(p, full, 128));
	b = slurp(full, len);
	envs_read(full, e);
	assert_int_equal(e->n, 3);
	file_in(p, other, 128);
	return b;
}

/* The reason a failure gave: its detail's last argument. */
static const char *reason(void)
{
	const hearth_errinfo *e = hearth_errinfo_get();

	return e->argc > 0 ? e->argv[e->argc - 1] : "";
}

/* Imports path into B, which must refuse it with st and reason (NULL:
 * any), and leave B's dump and kept envelopes as they were. */
static void refused(pair *p, const char *path, hearth_status want, const char *why)
{
	char *before = dump(p->b.s), *after;
	size_t open0 = kept(p->b.s, 0), aside0 = kept(p->b.s, 1);
	hearth_sync_report r;
	hearth_status st = import_b(p, path, &r);

	if (st != want)
		fail_msg("%s: %s, expected %s (%s)", path, hearth_strerror(st),
			 hearth_strerror(want), hearth_errdetail());
	if (why != NULL && strcmp(reason(), why) != 0)
		fail_msg("reason '%s', expected '%s' (%s)", reason(), why, hearth_errdetail());
	after = dump(p->b.s);
	assert_string_equal(before, after);
	assert_int_equal(kept(p->b.s, 0), open0);
	assert_int_equal(kept(p->b.s, 1), aside0);
	assert_int_equal(r.applied, 0);
	free(before);
	free(after);
}

/* ---- round trips ------------------------------------------------------------ */

/* What A wrote after the copy reaches B: identical dumps.  Importing the
 * same bundle again applies nothing and says so; B's own export sends
 * A's envelopes back as their bytes, which A already holds. */
static void test_export_import(void **state)
{
	pair *p = *state;
	char f1[128], f2[128], *da, *db;
	hearth_id space = hearth_store_private_space(p->a.s);
	hearth_sync_report r;
	envs e, back;

	a_person(p, "李明");
	r = export_a(p, 0, file_in(p, f1, sizeof f1));
	assert_int_equal(r.sealed, 1);
	/* Every op of A's: those written before the copy too (2 + 3). */
	assert_int_equal(r.sealed_ops, 5);
	assert_int_equal(r.written, 1);
	assert_true(r.cursor > 0);
	da = dump(p->a.s);
	db = dump(p->b.s);
	assert_string_not_equal(da, db);
	free(db);

	OK(import_b(p, f1, &r));
	assert_int_equal(r.envelopes, 1);
	assert_int_equal(r.applied, 1);
	assert_int_equal(r.ops, 5);
	assert_int_equal(r.held, 0);
	db = dump(p->b.s);
	assert_string_equal(da, db);
	free(db);

	/* Again: nothing applied, the envelope already held. */
	OK(import_b(p, f1, &r));
	assert_int_equal(r.applied, 0);
	assert_int_equal(r.held, 1);
	db = dump(p->b.s);
	assert_string_equal(da, db);
	free(db);

	/* B forwards A's envelope byte for byte (it has no ops of its own
	 * in the space), and A holds it already. */
	OK(hearth_offline_export(p->b.s, NULL, &space, 0, file_in(p, f2, sizeof f2), &r));
	assert_int_equal(r.sealed, 0);
	assert_int_equal(r.written, 1);
	envs_read(f1, &e);
	envs_read(f2, &back);
	assert_int_equal(back.n, 1);
	assert_int_equal(back.len[0], e.len[0]);
	assert_memory_equal(back.e[0], e.e[0], e.len[0]);
	OK(hearth_offline_import(p->a.s, NULL, f2, NULL, NULL, &r));
	assert_int_equal(r.held, 1);
	assert_int_equal(r.applied, 0);
	envs_free(&e);
	envs_free(&back);
	free(da);
}

/* The cursor: an export past it holds only what came after; an export
 * with nothing new writes an empty bundle and keeps the cursor; ops are
 * sealed once. */
static void test_cursor(void **state)
{
	pair *p = *state;
	hearth_sync_report r1, r2, r3, ri;
	char f1[128], f2[128], f3[128], *da, *db;

	a_person(p, "李明");
	r1 = export_a(p, 0, file_in(p, f1, sizeof f1));
	a_person(p, "张伟");
	r2 = export_a(p, r1.cursor, file_in(p, f2, sizeof f2));
	assert_int_equal(r2.sealed, 1);
	assert_int_equal(r2.sealed_ops, 3);
	assert_int_equal(r2.written, 1);
	assert_true(r2.cursor > r1.cursor);
	r3 = export_a(p, r2.cursor, file_in(p, f3, sizeof f3));
	assert_int_equal(r3.sealed, 0);
	assert_int_equal(r3.written, 0);
	assert_int_equal(r3.cursor, r2.cursor);
	/* In any order, B ends where A is. */
	OK(import_b(p, f2, &ri));
	assert_int_equal(ri.applied, 1);
	OK(import_b(p, f3, &ri));
	assert_int_equal(ri.envelopes, 0);
	OK(import_b(p, f1, &ri));
	assert_int_equal(ri.applied, 1);
	da = dump(p->a.s);
	db = dump(p->b.s);
	assert_string_equal(da, db);
	free(da);
	free(db);
	/* From 0 again: both envelopes, already held. */
	export_a(p, 0, f3);
	OK(import_b(p, f3, &ri));
	assert_int_equal(ri.envelopes, 2);
	assert_int_equal(ri.held, 2);
}

/* Control-plane ops (kinds space, member, epoch) go at epoch 0, the rest
 * at the private space's epoch 1; ops in other spaces stay out, and the
 * seqs of one envelope have gaps where the device wrote elsewhere. */
static void test_planes_and_gaps(void **state)
{
	pair *p = *state;
	hearth_id space = hearth_store_private_space(p->a.s), other = hearth_id_random();
	hearth_id m, x, y;
	hearth_sync_report r;
	char f[128], *da, *db;
	envs e;
	size_t i;

	OK(hearth_record_create(p->a.s, &space, "person", &x));
	OK(hearth_record_create(p->a.s, &other, "person", &y));
	OK(hearth_record_set(p->a.s, &y, "name", "elsewhere"));
	OK(hearth_record_set(p->a.s, &x, "name", "here"));
	OK(hearth_record_create(p->a.s, &space, HEARTH_KIND_MEMBER, &m));
	OK(hearth_record_set(p->a.s, &m, "role", "lead"));
	r = export_a(p, 0, file_in(p, f, sizeof f));
	assert_int_equal(r.sealed, 2);
	envs_read(f, &e);
	assert_int_equal(e.n, 2);
	for (i = 0; i < 2; i++) {
		hearth_envelope_info info;

		OK(hearth_envelope_peek(e.e[i], e.len[i], &info));
		/* Control first. */
		assert_int_equal(info.epoch, i == 0 ? 0 : HEARTH_PRIVATE_EPOCH);
		assert_memory_equal(info.space.b, space.b, 16);
	}
	envs_free(&e);
	OK(import_b(p, f, &r));
	assert_int_equal(r.applied, 2);
	/* 2 before the copy, then _kind and name of x, _kind and role of m. */
	assert_int_equal(r.ops, 6);
	da = dump(p->a.s);
	db = dump(p->b.s);
	assert_string_not_equal(da, db); /* A also holds the other space's */
	free(da);
	free(db);
	{
		hearth_record *rec;

		assert_int_equal(hearth_record_load(p->b.s, &y, &rec), HEARTH_ENOTFOUND);
		OK(hearth_record_load(p->b.s, &x, &rec));
		hearth_record_free(rec);
		OK(hearth_record_load(p->b.s, &m, &rec));
		hearth_record_free(rec);
	}
	/* The device-local space never leaves. */
	{
		hearth_id local = hearth_store_local_space(p->a.s);

		assert_int_equal(hearth_offline_export(p->a.s, NULL, &local, 0, f, &r),
				 HEARTH_EINVAL);
		assert_string_equal(reason(), "the device-local space never leaves this device");
	}
}

/* Ops too big for one envelope together are cut into several, each
 * within HEARTH_SYNC_SEAL_MAX, and all of them arrive. */
static void test_large_ops_split(void **state)
{
	pair *p = *state;
	hearth_id space = hearth_store_private_space(p->a.s), id;
	char *big = malloc(900001), f[128], *da, *db;
	hearth_sync_report r;
	envs e;
	size_t i;

	assert_non_null(big);
	memset(big, 'x', 900000);
	big[900000] = '\0';
	OK(hearth_record_create(p->a.s, &space, "note", &id));
	for (i = 0; i < 3; i++) {
		char name[8];

		snprintf(name, sizeof name, "part%zu", i);
		big[0] = (char)('a' + i);
		OK(hearth_record_set(p->a.s, &id, name, big));
	}
	free(big);
	r = export_a(p, 0, file_in(p, f, sizeof f));
	/* The 2 ops from before the copy, the note's creation and one part
	 * fill one (0.9 MB); each other part, which would take it past
	 * HEARTH_SYNC_SEAL_MAX (one relay request), goes in one of its own. */
	assert_int_equal(r.sealed, 3);
	assert_int_equal(r.sealed_ops, 6);
	envs_read(f, &e);
	assert_int_equal(e.n, 3);
	for (i = 0; i < 3; i++)
		assert_true(e.len[i] > 900000 && e.len[i] <= HEARTH_SYNC_SEAL_MAX);
	envs_free(&e);
	OK(import_b(p, f, &r));
	assert_int_equal(r.applied, 3);
	da = dump(p->a.s);
	db = dump(p->b.s);
	assert_string_equal(da, db);
	free(da);
	free(db);
}

/* ---- damage and tampering ---------------------------------------------------- */

/* Cut at every envelope boundary and at random bytes: truncated, nothing
 * applied. */
static void test_truncated(void **state)
{
	pair *p = *state;
	char full[128], cut[128];
	size_t len, i;
	envs e;
	uint8_t *b = three_read(p, full, cut, &len, &e);

	for (i = 0; i < e.n; i++) {
		/* Before its length, after its length, after its bytes. */
		spit(cut, b, e.off[i] - 4);
		refused(p, cut, HEARTH_EFORMAT, "it is truncated");
		spit(cut, b, e.off[i]);
		refused(p, cut, HEARTH_EFORMAT, "it is truncated");
		spit(cut, b, e.off[i] + e.len[i]);
		refused(p, cut, HEARTH_EFORMAT, "it is truncated");
	}
	for (i = 0; i < 40; i++) {
		size_t at = randombytes_uniform((uint32_t)len);

		spit(cut, b, at);
		refused(p, cut, HEARTH_EFORMAT, at < 8 ? NULL : "it is truncated");
	}
	/* The whole file applies. */
	{
		hearth_sync_report r;

		OK(import_b(p, full, &r));
		assert_int_equal(r.applied, 3);
	}
	envs_free(&e);
	free(b);
}

/* A flipped byte in each part of the file: the bundle's hash refuses it
 * before anything is opened.  Inside an envelope, with the bundle's hash
 * made to match (as anyone can), the envelope's own signature refuses
 * it, naming the envelope. */
static void test_flipped(void **state)
{
	pair *p = *state;
	char full[128], bad[128];
	size_t len, i;
	envs e;
	uint8_t *b = three_read(p, full, bad, &len, &e);

	{
		/* magic, version, a length, envelope header, ciphertext,
		 * signature, the end mark, the count, the hash */
		const size_t at[] = { 0, 8, e.off[1] - 2, e.off[1] + 20, e.off[1] + 150,
				      e.off[1] + e.len[1] - 1, len - 44 + 1, len - 40 + 7,
				      len - 1 };

		for (i = 0; i < sizeof at / sizeof at[0]; i++) {
			b[at[i]] ^= 0x04;
			spit(bad, b, len);
			refused(p, bad, i == 1 ? HEARTH_ENEWER : HEARTH_EFORMAT, NULL);
			b[at[i]] ^= 0x04;
		}
	}
	/* With the hash recomputed: the envelope's signature. */
	for (i = 0; i < e.n; i++) {
		const int all[] = { 0, 1, 2, -1 };
		hearth_sync_report r;

		e.e[i][e.len[i] / 2] ^= 0x01;
		bundle_of(bad, &e, all);
		refused(p, bad, HEARTH_EAUTH, "its signature does not verify");
		OK(hearth_offline_import(p->b.s, NULL, bad, NULL, NULL, &r) == HEARTH_EAUTH ?
		   HEARTH_OK : HEARTH_ERROR);
		assert_int_equal(r.failed_index, i + 1);
		e.e[i][e.len[i] / 2] ^= 0x01;
	}
	envs_free(&e);
	free(b);
}

/* Signs env again with key, as its author could after changing it. */
static void resign(uint8_t *env, size_t len, const hearth_device_key *key)
{
	envelope_resign(env, len, hearth_device_key_secret(key));
}

/* A header field swapped (epoch, device's first seq, space) and the
 * envelope re-signed by its own author, who holds the key: the header is
 * the associated data, so decryption refuses it.  Swapped without the
 * signature: the signature refuses it. */
static void test_swapped_header(void **state)
{
	pair *p = *state;
	hearth_device_key *key;
	char full[128], bad[128];
	const int one[] = { 0, -1 };
	envs e;
	uint8_t *env;
	size_t len;

	three_envelopes(p, file_in(p, full, sizeof full));
	envs_read(full, &e);
	file_in(p, bad, sizeof bad);
	OK(hearth_device_key_load(p->a.s, &key, NULL));
	env = e.e[0];
	len = e.len[0];
	/* The first seq, 1, made 2: still A's device in the private space,
	 * which B trusts.  (Another epoch, device or space would make it an
	 * envelope B's trust does not know, kept aside; test_envelope swaps
	 * those under a trust that knows them.) */
	assert_int_equal(env[41 + 7], 1);
	env[41 + 7] ^= 0x03;
	bundle_of(bad, &e, one);
	refused(p, bad, HEARTH_EAUTH, "its signature does not verify");
	resign(env, len, key);
	bundle_of(bad, &e, one);
	refused(p, bad, HEARTH_EAUTH,
		"it does not decrypt with its header as associated data");
	env[41 + 7] ^= 0x03;
	resign(env, len, key);
	/* the last seq */
	env[49 + 7] ^= 0x02;
	resign(env, len, key);
	bundle_of(bad, &e, one);
	refused(p, bad, HEARTH_EAUTH,
		"it does not decrypt with its header as associated data");
	env[49 + 7] ^= 0x02;
	resign(env, len, key);
	/* Restored, it applies. */
	{
		hearth_sync_report r;

		bundle_of(bad, &e, one);
		OK(import_b(p, bad, &r));
		assert_int_equal(r.applied, 1);
	}
	hearth_device_key_free(key);
	envs_free(&e);
}

/* A replayed envelope: twice in one bundle, or again after it was
 * applied, it is recognised by its id and applies nothing more. */
static void test_replayed(void **state)
{
	pair *p = *state;
	char full[128], f[128], *da, *db;
	const int twice[] = { 0, 0, 1, 0, -1 };
	const int again[] = { 1, 0, 2, -1 };
	hearth_sync_report r;
	envs e;

	three_envelopes(p, file_in(p, full, sizeof full));
	envs_read(full, &e);
	file_in(p, f, sizeof f);
	bundle_of(f, &e, twice);
	OK(import_b(p, f, &r));
	assert_int_equal(r.envelopes, 4);
	assert_int_equal(r.applied, 2);
	assert_int_equal(r.held, 2);
	db = dump(p->b.s);
	bundle_of(f, &e, again);
	OK(import_b(p, f, &r));
	assert_int_equal(r.applied, 1);
	assert_int_equal(r.held, 2);
	free(db);
	da = dump(p->a.s);
	db = dump(p->b.s);
	assert_string_equal(da, db);
	assert_int_equal(kept(p->b.s, 0), 3);
	free(da);
	free(db);
	envs_free(&e);
}

/* Signed by a device B does not know: kept aside, not applied.  Signed
 * by another key in the name of A's device: the signature refuses the
 * whole bundle, A's valid envelope in it included. */
static void test_unknown_device(void **state)
{
	pair *p = *state;
	hearth_id space = hearth_store_private_space(p->a.s);
	uint8_t pk[32], sk[64], key[32], *env = NULL;
	const int stranger_first[] = { 1, 0, -1 };
	const int stranger_only[] = { 1, -1 };
	char full[128], f[128], name[HEARTH_EPOCH_KEY_NAME_LEN + 1];
	hearth_sync_report r;
	hearth_op op;
	size_t len, klen;
	envs e;
	int found;
	char *before, *after;

	a_person(p, "李明");
	export_a(p, 0, file_in(p, full, sizeof full));
	envs_read(full, &e);
	/* An op of a stranger's device in the private space, sealed under
	 * the space's own key (as if the key leaked), with its own key. */
	crypto_sign_keypair(pk, sk);
	hearth_epoch_key_name(&space, HEARTH_PRIVATE_EPOCH, name);
	OK(hearth_store_secret_get(p->a.s, name, key, sizeof key, &klen, &found));
	assert_true(found);
	memset(&op, 0, sizeof op);
	op.id.device = UINT64_C(0x5eed5eed5eed5eed);
	op.id.seq = 1;
	op.hlc = hearth_hlc_make(UINT64_C(1700000000000), 0, op.id.device);
	op.space = space;
	op.kind = "person";
	op.field = "_kind";
	op.value = "person";
	op.record = hearth_op_record_id(&op);
	hearth_op_seal(&op);
	OK(hearth_envelope_seal(&op, 1, &space, HEARTH_PRIVATE_EPOCH, key, sk, &env, &len));
	e.e[1] = env;
	e.len[1] = len;
	e.n = 2;
	file_in(p, f, sizeof f);
	bundle_of(f, &e, stranger_only);
	before = dump(p->b.s);
	OK(import_b(p, f, &r));
	assert_int_equal(r.waiting, 1);
	assert_int_equal(r.applied, 0);
	after = dump(p->b.s);
	assert_string_equal(before, after);
	free(after);
	assert_int_equal(kept(p->b.s, 1), 1);
	/* Imported again it is still not applied, and said so: not "held". */
	OK(import_b(p, f, &r));
	assert_int_equal(r.waiting, 1);
	assert_int_equal(r.held, 0);
	/* Kept aside, it is not forwarded. */
	{
		char g[128];
		envs out;

		OK(hearth_offline_export(p->b.s, NULL, &space, 0, file_in(p, g, sizeof g), &r));
		envs_read(g, &out);
		assert_int_equal(out.n, 0);
	}
	/* The same op in the name of A's device: refused, with A's own
	 * envelope beside it, and nothing applied. */
	free(env);
	op.id.device = hearth_store_device(p->a.s);
	op.hlc = hearth_hlc_make(UINT64_C(1700000000000), 0, op.id.device);
	op.id.seq = 100;
	op.record = hearth_op_record_id(&op);
	hearth_op_seal(&op);
	OK(hearth_envelope_seal(&op, 1, &space, HEARTH_PRIVATE_EPOCH, key, sk, &env, &len));
	e.e[1] = env;
	e.len[1] = len;
	bundle_of(f, &e, stranger_first);
	refused(p, f, HEARTH_EAUTH, "its signature does not verify");
	OK(import_b(p, full, &r));
	assert_int_equal(r.applied, 1);
	free(before);
	sodium_memzero(key, sizeof key);
	envs_free(&e);
}

/* ---- trust that changes: control plane first, kept aside, refused ---------------- */

/* A trust for these tests: device 1 (pk1) is always a member; device 2
 * (pk2) becomes one once a control envelope has been merged (or when
 * known is set); device 3 is refused.  Epoch 5's key is key. */
typedef struct test_trust {
	uint8_t pk1[32], sk1[64], pk2[32], sk2[64], pk3[32], sk3[64], key[32];
	int known2, changed;
	int no_key; /* epoch 5's key is not held (yet) */
	hearth_id space;
} test_trust;

static hearth_sync_verdict tt_device_key(void *ctx, const hearth_envelope_info *info,
					 uint8_t pk[32])
{
	test_trust *t = ctx;

	switch (info->device) {
	case 1:
		memcpy(pk, t->pk1, 32);
		return HEARTH_SYNC_ACCEPT;
	case 2:
		if (!t->known2)
			return HEARTH_SYNC_LATER;
		memcpy(pk, t->pk2, 32);
		return HEARTH_SYNC_ACCEPT;
	case 3:
		return HEARTH_SYNC_REFUSE;
	default:
		return HEARTH_SYNC_LATER;
	}
}

static int tt_epoch_key(void *ctx, const hearth_id *space, uint64_t epoch, uint8_t key[32])
{
	test_trust *t = ctx;

	(void)space;
	if (epoch != 5 || t->no_key)
		return 1;
	memcpy(key, t->key, 32);
	return 0;
}

static hearth_status tt_current(void *ctx, const hearth_id *space, uint64_t *epoch,
				uint8_t key[32])
{
	test_trust *t = ctx;

	(void)space;
	*epoch = 5;
	memcpy(key, t->key, 32);
	return HEARTH_OK;
}

static hearth_status tt_changed(void *ctx, const hearth_id *space)
{
	test_trust *t = ctx;

	(void)space;
	t->changed++;
	t->known2 = 1;
	return HEARTH_OK;
}

/* An envelope of one op by device dev (1..3), seq, kind, in t's space. */
static uint8_t *tt_seal(test_trust *t, uint64_t dev, uint64_t seq, const char *kind,
			size_t *len)
{
	const uint8_t *sk = dev == 1 ? t->sk1 : dev == 2 ? t->sk2 : t->sk3;
	uint8_t key0[32], *env = NULL;
	int control = hearth_kind_is_control(kind);
	hearth_op op;

	memset(&op, 0, sizeof op);
	op.id.device = dev;
	op.id.seq = seq;
	op.hlc = hearth_hlc_make(UINT64_C(1700000000000) + seq, 0, dev);
	op.space = t->space;
	op.kind = kind;
	op.field = "_kind";
	op.value = kind;
	op.record = hearth_op_record_id(&op);
	hearth_op_seal(&op);
	hearth_envelope_control_key(&t->space, key0);
	OK(hearth_envelope_seal(&op, 1, &t->space, control ? 0 : 5, control ? key0 : t->key,
				sk, &env, len));
	return env;
}

static void tt_init(test_trust *t, hearth_sync_trust *tr)
{
	memset(t, 0, sizeof *t);
	memset(tr, 0, sizeof *tr);
	crypto_sign_keypair(t->pk1, t->sk1);
	crypto_sign_keypair(t->pk2, t->sk2);
	crypto_sign_keypair(t->pk3, t->sk3);
	randombytes_buf(t->key, sizeof t->key);
	t->space = hearth_id_random();
	tr->device_key = tt_device_key;
	tr->epoch_key = tt_epoch_key;
	tr->current_epoch = tt_current;
	tr->control_changed = tt_changed;
	tr->ctx = t;
}

static int count_notice(const hearth_sync_notice *n, void *ctx)
{
	int *c = ctx;

	c[n->verdict]++;
	return 0;
}

static void notice_cb(const hearth_sync_notice *n, void *ctx)
{
	(void)count_notice(n, ctx);
}

/* Device 2's data comes before the control envelope that makes it a
 * member: control envelopes are merged first, so it applies in the same
 * import.  Device 3's is refused, kept as such, never forwarded; the
 * rest of the bundle applies. */
static void test_control_first(void **state)
{
	pair *p = *state;
	hearth_sync_trust tr;
	hearth_sync_report r;
	test_trust *t = malloc(sizeof *t);
	char f[128], g[128];
	envs e;
	const int order[] = { 0, 1, 2, -1 };
	int notices[3] = { 0, 0, 0 };
	FILE *fp;

	tt_init(t, &tr);
	memset(&e, 0, sizeof e);
	e.e[0] = tt_seal(t, 2, 7, "person", &e.len[0]);
	e.e[1] = tt_seal(t, 3, 1, "person", &e.len[1]);
	e.e[2] = tt_seal(t, 1, 4, HEARTH_KIND_MEMBER, &e.len[2]);
	e.n = 3;
	bundle_of(file_in(p, f, sizeof f), &e, order);
	fp = fopen(f, "rb");
	OK(hearth_sync_import(p->b.s, &tr, fp, notice_cb, notices, &r));
	fclose(fp);
	assert_int_equal(r.envelopes, 3);
	assert_int_equal(r.applied, 2);
	assert_int_equal(r.refused, 1);
	assert_int_equal(r.waiting, 0);
	assert_int_equal(notices[HEARTH_SYNC_REFUSE], 1);
	assert_int_equal(t->changed, 1);
	assert_int_equal(kept(p->b.s, 2), 1);
	/* Forwarded: the two applied, control first; not the refused. */
	OK(hearth_sync_write(p->b.s, &t->space, 0, fp = fopen(file_in(p, g, sizeof g), "wb"), &r));
	fclose(fp);
	assert_int_equal(r.written, 2);
	{
		envs out;
		hearth_envelope_info info;

		envs_read(g, &out);
		OK(hearth_envelope_peek(out.e[0], out.len[0], &info));
		assert_int_equal(info.epoch, 0);
		assert_memory_equal(out.e[1], e.e[0], e.len[0]);
		envs_free(&out);
	}
	envs_free(&e);
	free(t);
}

/* An envelope that fails on its own in a receive is named by the report;
 * hearth_sync_keep_failed keeps it apart so that the rest can be received
 * without it: damaged or forged ones refused (skipped when they come
 * again), one whose epoch key is not held yet kept aside until it is, and
 * never refused for that by a retry (before, the first retry refused it
 * for good).  Bytes whose framing does not read are not kept. */
static void test_keep_failed(void **state)
{
	pair *p = *state;
	hearth_sync_trust tr;
	hearth_sync_report r;
	hearth_sync_envelope in[3];
	test_trust *t = malloc(sizeof *t);
	uint8_t junk[16] = { 0 };
	envs e;
	int i;

	tt_init(t, &tr);
	tr.control_changed = NULL;
	memset(&e, 0, sizeof e);
	for (i = 0; i < 4; i++)
		e.e[i] = tt_seal(t, 1, 3 + (uint64_t)i, "person", &e.len[i]);
	e.n = 4;
	e.e[1][e.len[1] / 2] ^= 0x10;
	for (i = 0; i < 3; i++) {
		in[i].bytes = e.e[i];
		in[i].len = e.len[i];
	}
	assert_int_equal(hearth_sync_receive(p->b.s, &tr, in, 3, NULL, NULL, &r), HEARTH_EAUTH);
	assert_int_equal(r.failed_index, 2);
	assert_int_equal(r.applied, 0);
	OK(hearth_sync_keep_failed(p->b.s, e.e[1], e.len[1], HEARTH_EAUTH, "damaged"));
	OK(hearth_sync_keep_failed(p->b.s, e.e[1], e.len[1], HEARTH_EAUTH, "damaged"));
	assert_int_equal(kept(p->b.s, 2), 1);
	in[1] = in[2];
	OK(hearth_sync_receive(p->b.s, &tr, in, 2, NULL, NULL, &r));
	assert_int_equal(r.applied, 2);
	/* The damaged one again: skipped, counted refused. */
	in[0].bytes = e.e[1];
	in[0].len = e.len[1];
	OK(hearth_sync_receive(p->b.s, &tr, in, 1, NULL, NULL, &r));
	assert_int_equal(r.refused, 1);
	assert_int_equal(r.applied, 0);

	/* No key for its epoch here: kept aside, and stays so. */
	t->no_key = 1;
	in[0].bytes = e.e[3];
	in[0].len = e.len[3];
	assert_int_equal(hearth_sync_receive(p->b.s, &tr, in, 1, NULL, NULL, &r),
			 HEARTH_ENOTFOUND);
	assert_int_equal(r.failed_index, 1);
	OK(hearth_sync_keep_failed(p->b.s, e.e[3], e.len[3], HEARTH_ENOTFOUND, "no key"));
	assert_int_equal(kept(p->b.s, 1), 1);
	OK(hearth_sync_retry(p->b.s, &tr, NULL, NULL, &r));
	assert_int_equal(r.retried, 0);
	assert_int_equal(kept(p->b.s, 1), 1);
	assert_int_equal(kept(p->b.s, 2), 1);
	t->no_key = 0;
	OK(hearth_sync_retry(p->b.s, &tr, NULL, NULL, &r));
	assert_int_equal(r.retried, 1);
	assert_int_equal(kept(p->b.s, 1), 0);

	/* Framing that does not read: named by the receive, not kept. */
	in[0].bytes = e.e[0];
	in[0].len = e.len[0];
	in[1].bytes = junk;
	in[1].len = sizeof junk;
	assert_int_equal(hearth_sync_receive(p->b.s, &tr, in, 2, NULL, NULL, &r),
			 HEARTH_EFORMAT);
	assert_int_equal(r.failed_index, 2);
	assert_int_equal(hearth_sync_keep_failed(p->b.s, junk, sizeof junk, HEARTH_EFORMAT,
						 "junk"), HEARTH_EFORMAT);
	/* A failure that is not the envelope's own is no reason to keep it. */
	assert_int_equal(hearth_sync_keep_failed(p->b.s, e.e[0], e.len[0], HEARTH_EDB, "disk"),
			 HEARTH_EINVAL);
	assert_int_equal(kept(p->b.s, 2), 1);
	envs_free(&e);
	free(t);
}

/* Kept aside while its author is unknown; applied by a later retry once
 * it is known, with a new arrival so an export past an older cursor still
 * carries it.  One kept aside that fails to open when retried is refused
 * alone. */
static void test_kept_aside_then_retried(void **state)
{
	pair *p = *state;
	hearth_sync_trust tr;
	hearth_sync_report r;
	test_trust *t = malloc(sizeof *t);
	char f[128], g[128];
	const int first[] = { 0, 1, -1 };
	uint64_t cursor;
	envs e;
	FILE *fp;

	tt_init(t, &tr);
	tr.control_changed = NULL;
	memset(&e, 0, sizeof e);
	e.e[0] = tt_seal(t, 2, 7, "person", &e.len[0]);
	e.e[1] = tt_seal(t, 1, 3, "person", &e.len[1]);
	e.n = 2;
	bundle_of(file_in(p, f, sizeof f), &e, first);
	fp = fopen(f, "rb");
	OK(hearth_sync_import(p->b.s, &tr, fp, NULL, NULL, &r));
	fclose(fp);
	assert_int_equal(r.applied, 1);
	assert_int_equal(r.waiting, 1);
	OK(hearth_sync_write(p->b.s, &t->space, 0, fp = fopen(file_in(p, g, sizeof g), "wb"), &r));
	fclose(fp);
	assert_int_equal(r.written, 1);
	cursor = r.cursor;
	/* Nothing known yet: the retry changes nothing. */
	OK(hearth_sync_retry(p->b.s, &tr, NULL, NULL, &r));
	assert_int_equal(r.retried, 0);
	t->known2 = 1;
	memset(&r, 0, sizeof r);
	OK(hearth_sync_retry(p->b.s, &tr, NULL, NULL, &r));
	assert_int_equal(r.retried, 1);
	assert_int_equal(r.ops, 1);
	assert_int_equal(kept(p->b.s, 1), 0);
	OK(hearth_sync_write(p->b.s, &t->space, cursor, fp = fopen(g, "wb"), &r));
	fclose(fp);
	assert_int_equal(r.written, 1);

	/* Kept aside, then found damaged when its author is known: refused
	 * alone, by a later import of another bundle that applies. */
	t->known2 = 0;
	free(e.e[0]);
	e.e[0] = tt_seal(t, 2, 9, "person", &e.len[0]);
	e.e[0][e.len[0] - 1] ^= 1; /* its signature */
	bundle_of(f, &e, (const int[]){ 0, -1 });
	fp = fopen(f, "rb");
	OK(hearth_sync_import(p->b.s, &tr, fp, NULL, NULL, &r));
	fclose(fp);
	assert_int_equal(r.waiting, 1);
	t->known2 = 1;
	free(e.e[1]);
	e.e[1] = tt_seal(t, 1, 11, "person", &e.len[1]);
	bundle_of(f, &e, (const int[]){ 1, -1 });
	fp = fopen(f, "rb");
	OK(hearth_sync_import(p->b.s, &tr, fp, NULL, NULL, &r));
	fclose(fp);
	assert_int_equal(r.applied, 1);
	assert_int_equal(r.refused, 1);
	assert_int_equal(kept(p->b.s, 1), 0);
	assert_int_equal(kept(p->b.s, 2), 1);
	/* The refused one left the fingerprint it entered when kept aside. */
	fp_check(p->b.s, &t->space);
	envs_free(&e);
	free(t);
}

/* ---- receiving from memory, fingerprints, relay state --------------------- */

/* The fingerprint kept for space equals a full recount, bucket by bucket. */
static void fp_check(hearth_store *s, const hearth_id *space)
{
	hearth_fp *kept_b = calloc(HEARTH_FP_BUCKETS, sizeof *kept_b);
	hearth_fp *count_b = calloc(HEARTH_FP_BUCKETS, sizeof *count_b);
	hearth_fp kt, ct;
	unsigned b;

	assert_non_null(kept_b);
	assert_non_null(count_b);
	OK(hearth_sync_fp(s, space, &kt, kept_b));
	OK(hearth_sync_fp_recount(s, space, &ct, count_b));
	assert_true(hearth_fp_equal(&kt, &ct));
	for (b = 0; b < HEARTH_FP_BUCKETS; b++)
		assert_true(hearth_fp_equal(&kept_b[b], &count_b[b]));
	free(kept_b);
	free(count_b);
}

static hearth_status receive_b(pair *p, const envs *e, const int *which,
			       hearth_sync_report *r)
{
	hearth_sync_envelope list[16];
	hearth_vault_trust *vt;
	hearth_status st;
	size_t n = 0;

	for (; *which >= 0; which++) {
		list[n].bytes = e->e[*which];
		list[n++].len = e->len[*which];
	}
	OK(hearth_vault_trust_open(p->b.s, &vt));
	st = hearth_sync_receive(p->b.s, hearth_vault_trust_get(vt), list, n, NULL, NULL, r);
	hearth_vault_trust_free(vt);
	return st;
}

/* Envelopes received from memory follow the import's rules: a batch with
 * one tampered or malformed envelope applies nothing and names it; in any
 * order the batch converges; again, everything is held. */
static void test_receive_from_memory(void **state)
{
	pair *p = *state;
	hearth_id space = hearth_store_private_space(p->a.s);
	const int all[] = { 2, 0, 1, -1 };
	char full[128], other[128], *before, *after, *da;
	hearth_sync_report r;
	uint8_t *b;
	size_t len, real;
	envs e;

	b = three_read(p, full, other, &len, &e);
	before = dump(p->b.s);
	e.e[0][e.len[0] / 2] ^= 0x01;
	assert_int_equal(receive_b(p, &e, all, &r), HEARTH_EAUTH);
	assert_int_equal(r.failed_index, 2);
	assert_int_equal(r.applied, 0);
	e.e[0][e.len[0] / 2] ^= 0x01;
	real = e.len[1];
	e.len[1] = 10;
	assert_int_equal(receive_b(p, &e, all, &r), HEARTH_EFORMAT);
	e.len[1] = real;
	after = dump(p->b.s);
	assert_string_equal(before, after);
	free(after);
	assert_int_equal(kept(p->b.s, 0), 0);
	fp_check(p->b.s, &space);

	OK(receive_b(p, &e, all, &r));
	assert_int_equal(r.envelopes, 3);
	assert_int_equal(r.applied, 3);
	da = dump(p->a.s);
	after = dump(p->b.s);
	assert_string_equal(da, after);
	free(after);
	OK(receive_b(p, &e, all, &r));
	assert_int_equal(r.held, 3);
	assert_int_equal(r.applied, 0);
	/* Both sides hold the same ids: equal fingerprints, each its own. */
	{
		hearth_fp fa, fb;

		fp_check(p->a.s, &space);
		fp_check(p->b.s, &space);
		OK(hearth_sync_fp(p->a.s, &space, &fa, NULL));
		OK(hearth_sync_fp(p->b.s, &space, &fb, NULL));
		assert_int_equal(fa.count, 3);
		assert_true(hearth_fp_equal(&fa, &fb));
	}
	free(da);
	free(before);
	envs_free(&e);
	free(b);
}

typedef struct listed {
	uint64_t arrival[16], epoch[16];
	size_t n;
} listed;

static int list_cb(const hearth_sync_kept *k, void *ctx)
{
	listed *l = ctx;

	assert_true(l->n < 16);
	assert_int_equal(k->state, 0);
	l->arrival[l->n] = k->arrival;
	l->epoch[l->n++] = k->epoch;
	return 0;
}

static int get_cb(const hearth_sync_kept *k, void *ctx)
{
	uint8_t id[HEARTH_ENVELOPE_ID_BYTES];

	hearth_envelope_id(k->bytes, k->len, id);
	assert_memory_equal(id, k->id, sizeof id);
	memcpy(ctx, id, sizeof id);
	return 0;
}

/* Forwardable envelopes past an arrival, control plane first; one by id;
 * the fingerprint of the kept ids across a migration from version 5. */
static void test_kept_listing(void **state)
{
	pair *p = *state;
	hearth_id space = hearth_store_private_space(p->a.s), m;
	uint8_t id[HEARTH_ENVELOPE_ID_BYTES], got[HEARTH_ENVELOPE_ID_BYTES];
	hearth_fp before, after;
	char f[128];
	listed l = { { 0 }, { 0 }, 0 };
	uint64_t last;
	size_t i;
	int found;

	a_person(p, "李明");
	export_a(p, 0, file_in(p, f, sizeof f));
	OK(hearth_record_create(p->a.s, &space, "member", &m));
	a_person(p, "张伟");
	export_a(p, 0, f);
	OK(hearth_sync_each(p->a.s, &space, 0, list_cb, &l));
	assert_true(l.n >= 3);
	for (i = 1; i < l.n; i++)
		assert_true(l.epoch[i - 1] == 0 || l.epoch[i] != 0);
	OK(hearth_sync_last_arrival(p->a.s, &last));
	memset(&l, 0, sizeof l);
	OK(hearth_sync_each(p->a.s, &space, last, list_cb, &l));
	assert_int_equal(l.n, 0);
	/* By id. */
	{
		envs e;

		envs_read(f, &e);
		hearth_envelope_id(e.e[0], e.len[0], id);
		envs_free(&e);
	}
	OK(hearth_sync_get(p->a.s, &space, id, get_cb, got, &found));
	assert_true(found);
	assert_memory_equal(got, id, sizeof id);
	id[5] ^= 1;
	OK(hearth_sync_get(p->a.s, &space, id, get_cb, got, &found));
	assert_false(found);

	/* The migration to version 6 counts what was kept before. */
	fp_check(p->a.s, &space);
	OK(hearth_sync_fp(p->a.s, &space, &before, NULL));
	assert_true(before.count >= 3);
	hearth_store_close(p->a.s);
	assert_int_equal(sqlite3_exec(p->a.db, "DROP TABLE envelope_fp; DROP TABLE relay_sync; DROP INDEX op_control;"
				      " PRAGMA user_version=5", NULL, NULL, NULL), SQLITE_OK);
	OK(hearth_schema_migrate(p->a.db, hearth_schema_latest()));
	OK(hearth_store_open(p->a.db, NULL, &p->a.s));
	OK(hearth_sync_fp(p->a.s, &space, &after, NULL));
	assert_true(hearth_fp_equal(&before, &after));
}

/* What a sync with a relay remembers, per relay and space. */
static int relay_each_cb(const char *relay, const hearth_id *space,
			 const hearth_sync_relay_state *rs, void *ctx)
{
	int *n = ctx;

	(void)space;
	assert_string_equal(relay, (*n == 0) ? "https://a.example" : "https://b.example");
	assert_int_equal(rs->cursor, (*n == 0) ? 7 : 0);
	(*n)++;
	return 0;
}

static void test_relay_state(void **state)
{
	pair *p = *state;
	hearth_id space = hearth_store_private_space(p->a.s);
	hearth_sync_relay_state rs, back;
	int found, n = 0;

	OK(hearth_sync_relay_get(p->a.s, "https://a.example", &space, &back, &found));
	assert_false(found);
	assert_int_equal(back.cursor, 0);
	memset(&rs, 0, sizeof rs);
	rs.has_store = 1;
	memset(rs.store, 0xab, sizeof rs.store);
	rs.cursor = 7;
	rs.pushed = 9;
	rs.max_seq = 7;
	rs.count = 5;
	rs.synced_at = 1700000000;
	snprintf(rs.problem, sizeof rs.problem, "中继丢失了数据");
	OK(hearth_sync_relay_put(p->a.s, "https://a.example", &space, &rs));
	OK(hearth_sync_relay_get(p->a.s, "https://a.example", &space, &back, &found));
	assert_true(found);
	assert_memory_equal(&rs, &back, sizeof rs - sizeof rs.problem);
	assert_string_equal(back.problem, rs.problem);
	memset(&rs, 0, sizeof rs);
	OK(hearth_sync_relay_put(p->a.s, "https://b.example", &space, &rs));
	OK(hearth_sync_relay_each(p->a.s, relay_each_cb, &n));
	assert_int_equal(n, 2);
}

/* Messages in Chinese: a truncated bundle. */
static void test_chinese(void **state)
{
	pair *p = *state;
	char full[128], cut[128];
	size_t len;
	uint8_t *b;
	hearth_sync_report r;

	a_person(p, "李明");
	export_a(p, 0, file_in(p, full, sizeof full));
	b = slurp(full, &len);
	spit(file_in(p, cut, sizeof cut), b, len - 1);
	use_language("zh_CN");
	assert_int_equal(import_b(p, cut, &r), HEARTH_EFORMAT);
	assert_string_equal(hearth_errdetail_local(), "同步包被拒绝：内容不完整（被截断）");
	use_language("en");
	assert_int_equal(import_b(p, cut, &r), HEARTH_EFORMAT);
	assert_string_equal(hearth_errdetail_local(), "bundle refused: it is truncated");
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_export_import, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_cursor, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_planes_and_gaps, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_large_ops_split, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_truncated, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_flipped, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_swapped_header, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_replayed, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_device, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_control_first, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_kept_aside_then_retried, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_keep_failed, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_receive_from_memory, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_kept_listing, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_relay_state, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_chinese, pair_setup, pair_teardown),
	};

	if (hearth_crypto_init() != HEARTH_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
