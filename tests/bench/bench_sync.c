/*
 * bench_sync.c - what envelopes and bundles cost on top of merging
 * (issue 10: the crypto adds at most 30 % to merging).  One device's ops
 * (record creations and field writes, as a peer sends them: in seq
 * order) reach a fresh store two ways, in the same run:
 *
 *   merge     hearth_store_apply in batches of 1,000 ops, one transaction:
 *             the baseline;
 *   bundle    the same batches sealed into envelopes (hearth_envelope_seal),
 *             written as a bundle file (synced), then hearth_sync_import:
 *             the whole file checked, each envelope's signature verified,
 *             decrypted, decoded, its ops checked and merged, and its
 *             bytes kept, in one transaction.  Also reported: sealing
 *             alone, and reading and opening every envelope alone (no
 *             merge): the cryptography and the checks on both sides.
 *
 * Stores are plain SQLite files with the vault's connection settings
 * (WAL, synchronous=FULL).  CPU time of the process and wall time; each
 * side runs HEARTH_BENCH_ROUNDS rounds (default 5), sides alternating, and
 * the fastest round of each is kept.
 *
 *   meson setup build-rel -Dbuildtype=release -Dbench=true -Dgui=false
 *   ninja -C build-rel tests/bench/bench_sync
 *   build-rel/tests/bench/bench_sync [ops]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "hearth/crypto.h"
#include "hearth/envelope.h"
#include "hearth/schema.h"
#include "hearth/store.h"
#include "hearth/sync.h"

#define BATCH 1000
#define EPOCH 1u

static const char *const names[] = {
	"name", "unit", "phone", "risk", "counsellor", "tags", "note", "status",
};

static uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
static uint8_t key[HEARTH_EPOCH_KEYBYTES];
static char tmpdir[64];
static int db_seq;

static void die(const char *what)
{
	fprintf(stderr, "bench_sync: %s: %s\n", what, hearth_errdetail());
	exit(1);
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the ops ------------------------------------------------------------- */

typedef struct op_vec {
	hearth_op *v;
	size_t n, cap;
} op_vec;

static char *dup_or_null(const char *t)
{
	char *c;

	if (t == NULL)
		return NULL;
	if ((c = strdup(t)) == NULL)
		die("out of memory");
	return c;
}

static int collect(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		   void *ctx)
{
	op_vec *o = ctx;
	hearth_op *c;

	(void)arrival;
	(void)state;
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 1024;
		o->v = realloc(o->v, o->cap * sizeof *o->v);
		if (o->v == NULL)
			die("out of memory");
	}
	c = &o->v[o->n++];
	*c = *op;
	c->kind = dup_or_null(op->kind);
	c->field = dup_or_null(op->field);
	c->value = dup_or_null(op->value);
	if (op->nprev > 0) {
		hearth_op_id *p = malloc(op->nprev * sizeof *p);

		if (p == NULL)
			die("out of memory");
		memcpy(p, op->prev, op->nprev * sizeof *p);
		c->prev = p;
	}
	return 0;
}

/* About n ops of one device in its private space: people created, then
 * fields written (10-60 bytes), some several times. */
static void make_ops(long n, op_vec *out, hearth_id *space)
{
	hearth_store *s;
	sqlite3 *db;
	uint64_t x = 42;
	long i;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    hearth_schema_migrate(db, hearth_schema_latest()) != HEARTH_OK ||
	    hearth_store_open(db, NULL, &s) != HEARTH_OK || hearth_store_begin(s) != HEARTH_OK)
		die("cannot make the source store");
	*space = hearth_store_private_space(s);
	for (i = 0; i < n;) {
		hearth_id rec;
		int f;

		if (hearth_record_create(s, space, "person", &rec) != HEARTH_OK)
			die("create");
		i++;
		for (f = 0; f < 8 && i < n; f++, i++) {
			char v[64];

			x = x * 6364136223846793005u + 1442695040888963407u;
			snprintf(v, sizeof v, "%.*s", (int)(10 + (x >> 33) % 50),
				 "the quick brown fox jumps over the lazy dog, twice over");
			if (hearth_record_set(s, &rec, names[(x >> 20) % 8], v) != HEARTH_OK)
				die("set");
		}
	}
	if (hearth_store_commit(s) != HEARTH_OK ||
	    hearth_store_ops(s, hearth_store_device(s), 1, 0, collect, out) != HEARTH_OK)
		die("cannot list the ops");
	hearth_store_close(s);
	sqlite3_close(db);
}

/* ---- stores ------------------------------------------------------------------ */

static void exec_or_die(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_sync: %s: %s\n", sql, sqlite3_errmsg(db));
		exit(1);
	}
}

static void open_fresh(char *path, size_t len, sqlite3 **db, hearth_store **s)
{
	snprintf(path, len, "%s/s%d.db", tmpdir, db_seq++);
	if (sqlite3_open(path, db) != SQLITE_OK)
		die("open");
	exec_or_die(*db, "PRAGMA journal_mode=WAL");
	exec_or_die(*db, "PRAGMA synchronous=FULL");
	exec_or_die(*db, "PRAGMA cache_size=-32768");
	if (hearth_schema_migrate(*db, hearth_schema_latest()) != HEARTH_OK ||
	    hearth_store_open(*db, NULL, s) != HEARTH_OK)
		die("cannot open a fresh store");
}

static void close_remove(const char *path, sqlite3 *db, hearth_store *s)
{
	char p[160];

	hearth_store_close(s);
	sqlite3_close(db);
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

/* ---- the two sides --------------------------------------------------------------- */

typedef struct timing {
	double cpu, wall;
	double seal, open; /* bundle side: CPU of sealing, of opening alone */
	size_t bytes;
} timing;

static timing run_merge(const op_vec *ops)
{
	hearth_store *s;
	sqlite3 *db;
	char path[128];
	double c0, w0;
	timing t = { 0, 0, 0, 0, 0 };
	size_t i;

	open_fresh(path, sizeof path, &db, &s);
	c0 = cpu_s();
	w0 = wall_s();
	if (hearth_store_begin(s) != HEARTH_OK)
		die("begin");
	for (i = 0; i < ops->n; i += BATCH) {
		size_t n = ops->n - i < BATCH ? ops->n - i : BATCH;

		if (hearth_store_apply(s, ops->v + i, n, NULL) != HEARTH_OK)
			die("apply");
	}
	if (hearth_store_commit(s) != HEARTH_OK)
		die("commit");
	t.cpu = cpu_s() - c0;
	t.wall = wall_s() - w0;
	close_remove(path, db, s);
	return t;
}

static hearth_sync_verdict t_device_key(void *ctx, const hearth_envelope_info *info,
					uint8_t out[32])
{
	(void)ctx;
	(void)info;
	memcpy(out, pk, sizeof pk);
	return HEARTH_SYNC_ACCEPT;
}

static int t_epoch_key(void *ctx, const hearth_id *space, uint64_t epoch, uint8_t out[32])
{
	(void)ctx;
	(void)space;
	if (epoch != EPOCH)
		return 1;
	memcpy(out, key, sizeof key);
	return 0;
}

static int phase_key(void *ctx, const hearth_envelope_info *info, uint8_t out[32])
{
	(void)ctx;
	(void)info;
	memcpy(out, pk, 32);
	return 0;
}

/* Reads the bundle in f and opens every envelope, merging nothing: the
 * receiving side's share of the cryptography and the checks. */
static void open_all(FILE *f)
{
	hearth_envelope_trust et = { phase_key, t_epoch_key, NULL };
	hearth_bundle_reader *rd;
	const uint8_t *e;
	size_t el;

	rewind(f);
	if (hearth_bundle_reader_open(f, &rd) != HEARTH_OK)
		die("reader");
	while (hearth_bundle_reader_next(rd, &e, &el) == HEARTH_OK && e != NULL) {
		hearth_envelope_batch b;

		if (hearth_envelope_open(e, el, &et, &b) != HEARTH_OK)
			die("open");
		hearth_envelope_batch_release(&b);
	}
	hearth_bundle_reader_free(rd);
}

/* The bundle side: seal and write the bundle file (timed into t->seal),
 * open every envelope alone (t->open), then import the file into a fresh
 * store (t->cpu, t->wall: sealing and importing, the whole way). */
static timing run_bundle(const op_vec *ops, const hearth_id *space)
{
	hearth_sync_trust trust = { .device_key = t_device_key, .epoch_key = t_epoch_key };
	hearth_bundle_writer *w;
	hearth_sync_report r;
	hearth_store *s;
	sqlite3 *db;
	char path[128], bpath[128];
	double c0, w0, seal_cpu, seal_wall;
	timing t = { 0, 0, 0, 0, 0 };
	size_t i;
	FILE *f;

	open_fresh(path, sizeof path, &db, &s);
	snprintf(bpath, sizeof bpath, "%s/b%d.bundle", tmpdir, db_seq++);
	c0 = cpu_s();
	w0 = wall_s();
	if ((f = fopen(bpath, "w+b")) == NULL ||
	    hearth_bundle_writer_open(f, &w) != HEARTH_OK)
		die("bundle");
	for (i = 0; i < ops->n; i += BATCH) {
		size_t n = ops->n - i < BATCH ? ops->n - i : BATCH, elen;
		uint8_t *env;

		if (hearth_envelope_seal(ops->v + i, n, space, EPOCH, key, sk, &env,
					 &elen) != HEARTH_OK ||
		    hearth_bundle_writer_add(w, env, elen) != HEARTH_OK)
			die("seal");
		free(env);
	}
	if (hearth_bundle_writer_finish(w) != HEARTH_OK || fsync(fileno(f)) != 0)
		die("finish");
	hearth_bundle_writer_free(w);
	seal_cpu = cpu_s() - c0;
	seal_wall = wall_s() - w0;
	t.bytes = (size_t)ftell(f);
	c0 = cpu_s();
	open_all(f);
	t.open = cpu_s() - c0;
	rewind(f);
	c0 = cpu_s();
	w0 = wall_s();
	if (hearth_sync_import(s, &trust, f, NULL, NULL, &r) != HEARTH_OK)
		die("import");
	t.cpu = cpu_s() - c0 + seal_cpu;
	t.wall = wall_s() - w0 + seal_wall;
	t.seal = seal_cpu;
	fclose(f);
	unlink(bpath);
	if (r.ops != ops->n)
		die("not every op was merged");
	close_remove(path, db, s);
	return t;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	const char *env = getenv("HEARTH_BENCH_ROUNDS");
	int rounds = env != NULL ? atoi(env) : 5, i;
	timing best_m = { 1e9, 1e9, 0, 0, 0 }, best_b = { 1e9, 1e9, 1e9, 1e9, 0 };
	hearth_id space;
	op_vec ops = { NULL, 0, 0 };
	double crypto;

	if (n < 1 || rounds < 1 || hearth_crypto_init() != HEARTH_OK)
		die("usage: bench_sync [ops]");
	strcpy(tmpdir, "/tmp/hearth-bench-sync-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		die("mkdtemp");
	crypto_sign_keypair(pk, sk);
	randombytes_buf(key, sizeof key);
	make_ops(n, &ops, &space);
	for (i = 0; i < rounds; i++) {
		timing m = run_merge(&ops), b = run_bundle(&ops, &space);

#define KEEP_MIN(f) do { if (m.f < best_m.f) best_m.f = m.f; \
			 if (b.f < best_b.f) best_b.f = b.f; } while (0)
		KEEP_MIN(cpu);
		KEEP_MIN(wall);
		KEEP_MIN(seal);
		KEEP_MIN(open);
#undef KEEP_MIN
		best_b.bytes = b.bytes;
	}
	crypto = best_b.seal + best_b.open;
	printf("%zu ops in batches of %d, fastest of %d rounds; bundle %zu bytes (%.1f per op)\n",
	       ops.n, BATCH, rounds, best_b.bytes, (double)best_b.bytes / (double)ops.n);
	printf("%-28s %9s %12s %9s %12s %9s\n", "", "cpu s", "ops/s (cpu)", "wall s",
	       "ops/s (wall)", "x merge");
	printf("%-28s %9.3f %12.0f %9.3f %12.0f %9.2f\n", "merge (hearth_store_apply)",
	       best_m.cpu, (double)ops.n / best_m.cpu, best_m.wall,
	       (double)ops.n / best_m.wall, 1.0);
	printf("%-28s %9.3f %12.0f %9.3f %12.0f %9.2f\n", "seal+bundle+import",
	       best_b.cpu, (double)ops.n / best_b.cpu, best_b.wall,
	       (double)ops.n / best_b.wall, best_b.cpu / best_m.cpu);
	printf("%-28s %9.3f %12.0f %9s %12s %9.2f\n", "  of which seal+write",
	       best_b.seal, (double)ops.n / best_b.seal, "", "", best_b.seal / best_m.cpu);
	printf("%-28s %9.3f %12.0f %9s %12s %9.2f\n", "  open alone (read+open)",
	       best_b.open, (double)ops.n / best_b.open, "", "", best_b.open / best_m.cpu);
	printf("whole way / merge: cpu +%.1f %%, wall +%.1f %%; crypto and checks "
	       "(seal + open) / merge: %.1f %%\n",
	       100.0 * (best_b.cpu / best_m.cpu - 1), 100.0 * (best_b.wall / best_m.wall - 1),
	       100.0 * crypto / best_m.cpu);
	rmdir(tmpdir);
	return 0;
}
