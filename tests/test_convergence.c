/*
 * test_convergence.c - five replicas, each a real SQLite file (some
 * through the encrypting VFS), write to a shared set of records while ops
 * travel between them in random order, with duplicates, in random batches,
 * across partitions and skewed or backwards-running clocks.  Replicas are
 * closed and reopened from their files mid-schedule.  A device outside the
 * replicas sends remote ops: two different ops under one HLC (the second
 * to another replica, which may not know the record yet), ops that name
 * another space or kind than their record (refused wherever they meet its
 * creating op), and undeletes, which must be refused with nothing changed.
 * One replica may run hours ahead, and one may be lost for good before the
 * end.  A replica's file may be copied mid-schedule, and both copies go on
 * writing under one device id until they meet (what a restored backup does
 * when the vault's file check cannot tell).
 *
 * Ops travel only as a sync would move them: a replica sends a peer the ops
 * the peer does not hold, judged by what the peer says it holds (per
 * device the count and greatest seq, and the seqs of a device with a gap),
 * ops kept aside included (they must stay forwardable), never
 * "everything".  Every op delivered must be held by the receiver afterwards
 * (applied, kept aside or refused), and at the end, after the survivors'
 * syncs quiesce and their clocks pass every op's time, every survivor must
 * hold the same state, byte for byte, equal to a reference computed here,
 * independently of the store, from every op that reached a survivor.
 *
 * Environment:
 *   HEARTH_CONVERGENCE_SCHEDULES=n   run n seeded schedules (default 30)
 *   HEARTH_CONVERGENCE_FIRST=n       starting with seed n (default 1)
 *   HEARTH_CONVERGENCE_SEED=n        replay schedule n alone
 *   HEARTH_CONVERGENCE_CLONES=0      never copy a replica's file mid-schedule
 *                                    (by default some schedules do, and
 *                                    both copies write under one device id)
 *   TMPDIR                           where the replicas' files go (/tmp)
 *
 * Device ids are derived from the seed, so a replayed schedule makes the
 * same writes with the same timestamps; only the random record ids differ,
 * and nothing in the merge depends on them.
 */
#include <dirent.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hearth/crypto.h"
#include "hearth/schema.h"
#include "hearth/store.h"
#include "hearth/vfs.h"

#define NREP 5
#define MAXREP (NREP + 1) /* room for a clone */
#define MAX_RECORDS 6
#define T0 UINT64_C(1700000000000)
#define HOUR UINT64_C(3600000)
#define DEFAULT_SCHEDULES 30
#define VFS_NAME "hearth-converge"

static uint64_t current_seed;
static int clones; /* HEARTH_CONVERGENCE_CLONES (default 1) */

/* What the schedules run so far did, so a generator that stopped making
 * one of its cases is noticed (test_convergence checks them). */
static struct {
	uint64_t undeletes_refused, pairs, pairs_apart, other_space_or_kind,
		reopens, kept_aside, lost, encrypted, gaps, concurrent, clones,
		versions, rewritten;
} seen;
static char tmp_dir[256];

static void report_seed(void)
{
	print_error("convergence schedule failed: seed %" PRIu64 "\n"
		"replay it with: HEARTH_CONVERGENCE_SEED=%" PRIu64
		" meson test -C BUILDDIR convergence --print-errorlogs\n"
		"(or run BUILDDIR/tests/test_convergence with that variable)\n",
		current_seed, current_seed);
}

#define OK(call) do { \
	hearth_status st_ = (call); \
	if (st_ != HEARTH_OK) { \
		report_seed(); \
		fail_msg("%s: %s (%s)", #call, hearth_strerror(st_), hearth_errdetail()); \
	} \
} while (0)

#define CHECK(cond) do { \
	if (!(cond)) { \
		report_seed(); \
		fail_msg("check failed: %s", #cond); \
	} \
} while (0)

#define SQL_OK(call) CHECK((call) == SQLITE_OK)

/* ---- seeded randomness (splitmix64) ------------------------------------ */

typedef struct rng {
	uint64_t x;
} rng;

static uint64_t rng_next(rng *r)
{
	uint64_t z = (r->x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint32_t rng_below(rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

static int rng_chance(rng *r, unsigned percent)
{
	return rng_below(r, 100) < percent;
}

/* ---- owned copies of ops ---------------------------------------------- */

typedef struct op_copy {
	hearth_op op;
	char *kind, *field, *value;
	hearth_op_id *prev;
	hearth_op_state state;
} op_copy;

typedef struct op_vec {
	op_copy *v;
	size_t n, cap;
} op_vec;

static char *dup_or_null(const char *t)
{
	char *p;

	if (t == NULL)
		return NULL;
	p = strdup(t);
	assert_non_null(p);
	return p;
}

static void vec_push_state(op_vec *vec, const hearth_op *op, hearth_op_state state)
{
	op_copy *c;

	if (vec->n == vec->cap) {
		vec->cap = vec->cap ? 2 * vec->cap : 64;
		vec->v = realloc(vec->v, vec->cap * sizeof *vec->v);
		assert_non_null(vec->v);
	}
	c = &vec->v[vec->n++];
	c->op = *op;
	c->kind = dup_or_null(op->kind);
	c->field = dup_or_null(op->field);
	c->value = dup_or_null(op->value);
	c->op.kind = c->kind;
	c->op.field = c->field;
	c->op.value = c->value;
	c->prev = NULL;
	if (op->nprev > 0) {
		c->prev = malloc(op->nprev * sizeof *c->prev);
		assert_non_null(c->prev);
		memcpy(c->prev, op->prev, op->nprev * sizeof *c->prev);
	}
	c->op.prev = c->prev;
	c->state = state;
}

static void vec_push(op_vec *vec, const hearth_op *op)
{
	vec_push_state(vec, op, HEARTH_OP_APPLIED);
}

static void copy_free(op_copy *c)
{
	free(c->kind);
	free(c->field);
	free(c->value);
	free(c->prev);
}

static void vec_free(op_vec *vec)
{
	size_t i;

	for (i = 0; i < vec->n; i++)
		copy_free(&vec->v[i]);
	free(vec->v);
	memset(vec, 0, sizeof *vec);
}

static int collect(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		   void *ctx)
{
	(void)arrival;
	vec_push_state(ctx, op, state);
	return 0;
}

static int collect_applied(const hearth_op *op, uint64_t arrival,
			   hearth_op_state state, void *ctx)
{
	(void)arrival;
	if (state == HEARTH_OP_APPLIED)
		vec_push(ctx, op);
	return 0;
}

/* ---- what identifies an op, and how ops are made ------------------------
 *
 * What the test knows of the op format (include/hearth/store.h,
 * docs/protocol.md) lives in this section. */

/* An op's id: its author device and that device's sequence number. */
static int op_id_cmp(const hearth_op *a, const hearth_op *b)
{
	if (a->id.device != b->id.device)
		return a->id.device < b->id.device ? -1 : 1;
	if (a->id.seq != b->id.seq)
		return a->id.seq < b->id.seq ? -1 : 1;
	return 0;
}

static int str_cmp_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* 0 when a and b are the same op (id and content). */
static int op_content_cmp(const hearth_op *a, const hearth_op *b)
{
	int c = op_id_cmp(a, b);

	if (c == 0)
		c = memcmp(a->hash, b->hash, HEARTH_OP_HASH_BYTES);
	if (c == 0)
		c = memcmp(a->hlc.b, b->hlc.b, HEARTH_HLC_BYTES);
	if (c == 0)
		c = memcmp(a->space.b, b->space.b, HEARTH_ID_BYTES);
	if (c == 0)
		c = memcmp(a->record.b, b->record.b, HEARTH_ID_BYTES);
	if (c == 0)
		c = str_cmp_null(a->kind, b->kind);
	if (c == 0)
		c = str_cmp_null(a->field, b->field);
	if (c == 0)
		c = str_cmp_null(a->value, b->value);
	return c;
}

/* The order of two ops on one field: the greatest (HLC, seq) is the
 * field's value (store.h). */
static int op_lww_cmp(const hearth_op *a, const hearth_op *b)
{
	int c = memcmp(a->hlc.b, b->hlc.b, HEARTH_HLC_BYTES);

	if (c == 0 && a->id.seq != b->id.seq)
		c = a->id.seq < b->id.seq ? -1 : 1;
	return c;
}

/* An op as a remote device sends it: id, HLC, content, the ids of the
 * values it replaces (sorted), and its hash. */
static hearth_op make_op(hearth_op_id id, hearth_hlc hlc, const hearth_id *space,
			 const hearth_id *record, const char *kind,
			 const char *field, const char *value,
			 const hearth_op_id *prev, size_t nprev)
{
	hearth_op op = {
		.id = id,
		.hlc = hlc,
		.space = *space,
		.record = *record,
		.kind = kind,
		.field = field,
		.value = value,
		.prev = prev,
		.nprev = nprev,
	};

	hearth_op_seal(&op);
	return op;
}

/* ---- the independent reference --------------------------------------- */

typedef struct strbuf {
	char *p;
	size_t len, cap;
} strbuf;

static void sb_add(strbuf *b, const char *t, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap ? 2 * b->cap : 1024;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, t, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(strbuf *b, const char *t)
{
	sb_add(b, t, strlen(t));
}

static void sb_hex(strbuf *b, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		char two[2] = { digits[p[i] >> 4], digits[p[i] & 15] };

		sb_add(b, two, 2);
	}
}

/* Quoting as documented for hearth_store_dump. */
static void sb_quoted(strbuf *b, const char *t)
{
	sb_add(b, "\"", 1);
	for (; *t != '\0'; t++) {
		unsigned char c = (unsigned char)*t;
		char esc[8];

		if (c == '\\' || c == '"') {
			esc[0] = '\\';
			esc[1] = (char)c;
			sb_add(b, esc, 2);
		} else if (c == '\n') {
			sb_str(b, "\\n");
		} else if (c == '\t') {
			sb_str(b, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\x%02x", c);
			sb_str(b, esc);
		} else {
			sb_add(b, t, 1);
		}
	}
	sb_add(b, "\"", 1);
}

static int cmp_copy_content(const void *pa, const void *pb)
{
	return op_content_cmp(&((const op_copy *)pa)->op, &((const op_copy *)pb)->op);
}

static int cmp_copy_id(const void *pa, const void *pb)
{
	return op_id_cmp(&((const op_copy *)pa)->op, &((const op_copy *)pb)->op);
}

static void sort_ids(op_vec *ops)
{
	if (ops->n > 1)
		qsort(ops->v, ops->n, sizeof *ops->v, cmp_copy_id);
}

static int cmp_record_field_lww(const void *pa, const void *pb)
{
	const op_copy *a = pa, *b = pb;
	int c = memcmp(a->op.record.b, b->op.record.b, HEARTH_ID_BYTES);

	if (c == 0)
		c = strcmp(a->field, b->field);
	if (c == 0)
		c = op_lww_cmp(&a->op, &b->op);
	return c;
}

/* Drops repeated ops (same id, same content) in place, and of two ops
 * under one id (two copies of a vault wrote under one device id) the one
 * with the greater hash: it is superseded wherever both are held.  Sorts
 * by content (id, then hash). */
static void dedup(op_vec *ops)
{
	size_t i, n = 0;

	if (ops->n == 0)
		return;
	qsort(ops->v, ops->n, sizeof *ops->v, cmp_copy_content);
	for (i = 0; i < ops->n; i++) {
		if (n > 0 && cmp_copy_id(&ops->v[n - 1], &ops->v[i]) == 0) {
			copy_free(&ops->v[i]);
			continue;
		}
		ops->v[n++] = ops->v[i];
	}
	ops->n = n;
}

/* The number of distinct op ids among ops. */
static size_t distinct_ids(op_vec *ops)
{
	size_t i, n = 0;

	sort_ids(ops);
	for (i = 0; i < ops->n; i++)
		if (i == 0 || cmp_copy_id(&ops->v[i - 1], &ops->v[i]) != 0)
			n++;
	return n;
}

static int cmp_id_pair(const void *pa, const void *pb)
{
	const hearth_op_id *a = pa, *b = pb;

	if (a->device != b->device)
		return a->device < b->device ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* The ids some op of ops->v[from..to) replaces, sorted. */
static hearth_op_id *replaced_ids(const op_vec *ops, size_t from, size_t to,
				  size_t *nids)
{
	hearth_op_id *ids;
	size_t i, k, total = 0;

	for (i = from; i < to; i++)
		total += ops->v[i].op.nprev;
	ids = calloc(total + 1, sizeof *ids);
	assert_non_null(ids);
	for (i = from, *nids = 0; i < to; i++)
		for (k = 0; k < ops->v[i].op.nprev; k++)
			ids[(*nids)++] = ops->v[i].op.prev[k];
	if (*nids > 1)
		qsort(ids, *nids, sizeof *ids, cmp_id_pair);
	return ids;
}

static void sb_value_at(strbuf *b, const op_copy *o, const char *set)
{
	if (o->value != NULL) {
		sb_str(b, set);
		sb_quoted(b, o->value);
	} else {
		sb_str(b, "cleared");
	}
	sb_str(b, " @ ");
	sb_hex(b, o->op.hlc.b, HEARTH_HLC_BYTES);
	sb_str(b, "\n");
}

/* The creating op of the record of ops->v[i..end), or NULL. */
static const op_copy *creating_op(const op_vec *ops, size_t i, size_t end)
{
	for (; i < end; i++)
		if (strcmp(ops->v[i].field, "_kind") == 0)
			return &ops->v[i];
	return NULL;
}

static size_t record_end(const op_vec *ops, size_t i, size_t n)
{
	size_t end = i;

	while (end < n && memcmp(ops->v[end].op.record.b, ops->v[i].op.record.b,
				 HEARTH_ID_BYTES) == 0)
		end++;
	return end;
}

/* Moves the ops that name another space or kind than their record's
 * creating op (refused wherever they meet it) behind the others, keeping
 * the order of both; returns how many stay in front. */
static size_t set_refused_aside(op_vec *ops)
{
	op_copy *aside = calloc(ops->n + 1, sizeof *aside);
	size_t i = 0, kept = 0, naside = 0, k, end;

	assert_non_null(aside);
	while (i < ops->n) {
		const op_copy *create;
		hearth_id space;
		char *kind;

		end = record_end(ops, i, ops->n);
		create = creating_op(ops, i, end);
		space = create != NULL ? create->op.space : ops->v[i].op.space;
		kind = create != NULL ? create->kind : NULL;
		for (k = i; k < end; k++) {
			if (kind != NULL &&
			    (memcmp(ops->v[k].op.space.b, space.b, HEARTH_ID_BYTES) != 0 ||
			     strcmp(ops->v[k].kind, kind) != 0))
				aside[naside++] = ops->v[k];
			else
				ops->v[kept++] = ops->v[k];
		}
		i = end;
	}
	if (naside > 0)
		memcpy(ops->v + kept, aside, naside * sizeof *aside);
	free(aside);
	return kept;
}

/* The state a merge of ops must reach, in the dump format.  A record
 * exists once its creating op ("_kind") is among them, and takes space,
 * kind and `created` from it; ops of records never created are orphans
 * (counted in *orphans), ops naming another space or kind than their
 * record's creating op are refused (counted in *refused); neither changes
 * anything.  Of two ops under one id, only the one with the smaller hash
 * counts.  Per field, the op with the greatest (HLC, seq) is the value,
 * and every other op that no op of that field replaces is listed as a
 * concurrent value, by (HLC, seq).  A record is deleted once a "_deleted"
 * op is its field's value.  Drops repeated ops and sorts the rest in
 * place.  Brute force on purpose: no SQL, no upserts. */
static char *reference_dump_counts(op_vec *ops, size_t *orphans, size_t *refused)
{
	strbuf b = { 0 };
	hearth_op_id *replaced;
	size_t i = 0, n, nreplaced;

	sb_str(&b, "");
	*orphans = *refused = 0;
	dedup(ops);
	if (ops->n == 0)
		return b.p;
	qsort(ops->v, ops->n, sizeof *ops->v, cmp_record_field_lww);
	n = set_refused_aside(ops);
	*refused = ops->n - n;
	while (i < n) {
		size_t end = record_end(ops, i, n), k, next;
		const op_copy *create = creating_op(ops, i, end);
		int deleted = 0;

		if (create == NULL) {
			*orphans += end - i;
			i = end;
			continue;
		}
		for (k = i; k < end; k++)
			if (strcmp(ops->v[k].field, HEARTH_FIELD_DELETED) == 0)
				deleted = 1; /* its only value is "1" */
		sb_str(&b, "record ");
		sb_hex(&b, create->op.record.b, HEARTH_ID_BYTES);
		sb_str(&b, "\n  space ");
		sb_hex(&b, create->op.space.b, HEARTH_ID_BYTES);
		sb_str(&b, "\n  kind ");
		sb_quoted(&b, create->kind);
		sb_str(&b, "\n  created ");
		sb_hex(&b, create->op.hlc.b, HEARTH_HLC_BYTES);
		sb_str(&b, deleted ? "\n  deleted 1\n" : "\n  deleted 0\n");
		for (k = i; k < end; k = next) {
			size_t last = k, j;

			while (last + 1 < end && strcmp(ops->v[last + 1].field,
							ops->v[k].field) == 0)
				last++;
			next = last + 1;
			/* An op replaces values of its own field only. */
			replaced = replaced_ids(ops, k, next, &nreplaced);
			sb_str(&b, "  field ");
			sb_quoted(&b, ops->v[last].field);
			sb_str(&b, " ");
			sb_value_at(&b, &ops->v[last], "= ");
			for (j = k; j < last; j++) {
				if (nreplaced > 0 && bsearch(&ops->v[j].op.id, replaced,
						nreplaced, sizeof *replaced, cmp_id_pair) != NULL)
					continue;
				seen.concurrent++;
				sb_str(&b, "    also ");
				sb_value_at(&b, &ops->v[j], "");
			}
			free(replaced);
		}
		i = end;
	}
	return b.p;
}

static char *reference_dump(op_vec *ops)
{
	size_t orphans, refused;

	return reference_dump_counts(ops, &orphans, &refused);
}

/* Writes lines [from, to] (1-based) of t to stderr. */
static void print_lines(const char *t, size_t from, size_t to)
{
	size_t line = 1;

	for (; *t != '\0' && line <= to; t++) {
		if (line >= from)
			fputc(*t, stderr);
		if (*t == '\n')
			line++;
	}
}

/* Fails with the seed and the lines around the first difference (cmocka's
 * own printing cuts long messages short). */
static void expect_same(const char *what, const char *want, const char *got)
{
	size_t i = 0, line = 1, from;

	if (strcmp(want, got) == 0)
		return;
	while (want[i] != '\0' && want[i] == got[i]) {
		if (want[i] == '\n')
			line++;
		i++;
	}
	report_seed();
	from = line > 12 ? line - 12 : 1;
	fprintf(stderr, "%s differs at line %zu\n--- expected (lines %zu-%zu) ---\n",
		what, line, from, line + 12);
	print_lines(want, from, line + 12);
	fprintf(stderr, "\n--- got ---\n");
	print_lines(got, from, line + 12);
	fprintf(stderr, "\n");
	fflush(stderr);
	fail_msg("%s: states differ (seed %" PRIu64 ")", what, current_seed);
}

/* ---- replicas ------------------------------------------------------------ */

typedef struct replica {
	char path[300];
	int encrypted;    /* opened through the encrypting VFS */
	sqlite3 *db;
	hearth_store *s;
	uint64_t devices[4]; /* every device id it has written under */
	size_t ndevices;
	uint64_t now;     /* its wall clock */
	int64_t skew;     /* ms ahead of (or behind) the shared time */
	int cut_off;      /* partitioned away */
	int lost;         /* its disk dies before the end: it never heals */
} replica;

static uint64_t replica_now(void *ctx)
{
	return ((const replica *)ctx)->now;
}

static void exec_sql(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		report_seed();
		fail_msg("%s: %s", sql, err ? err : "?");
	}
}

static void note_device(replica *r)
{
	uint64_t dev = hearth_store_device(r->s);
	size_t i;

	for (i = 0; i < r->ndevices; i++)
		if (r->devices[i] == dev)
			return;
	CHECK(r->ndevices < sizeof r->devices / sizeof r->devices[0]);
	r->devices[r->ndevices++] = dev;
}

static void replica_close(replica *r)
{
	hearth_store_close(r->s);
	CHECK(sqlite3_close(r->db) == SQLITE_OK);
	r->s = NULL;
	r->db = NULL;
}

static void remove_files(const char *path)
{
	static const char *const tails[] = { "", "-wal", "-shm", "-journal" };
	char p[4096];
	size_t i;

	for (i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, tails[i]);
		unlink(p);
	}
}

/* Empty migrated databases, plain and encrypted, copied for each new
 * replica (migrating five files per schedule would cost more than the
 * schedule). */
static char template_path[2][300];

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[16384];
	size_t n;

	CHECK(in != NULL && out != NULL);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		CHECK(fwrite(buf, 1, n, out) == n);
	CHECK(!ferror(in));
	fclose(in);
	CHECK(fclose(out) == 0);
}

static void db_open(sqlite3 **db, const char *path, int encrypted)
{
	SQL_OK(sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			       encrypted ? VFS_NAME : NULL));
	if (encrypted)
		OK(hearth_vfs_configure(*db));
	/* A convergence run, not a crash test: no fsync, and one connection
	 * per file, so no lock calls per statement either. */
	exec_sql(*db, "PRAGMA synchronous=OFF");
	exec_sql(*db, "PRAGMA locking_mode=EXCLUSIVE");
	exec_sql(*db, "PRAGMA journal_mode=WAL");
}

static void make_templates(void)
{
	sqlite3 *db = NULL;
	int enc;

	for (enc = 0; enc < 2; enc++) {
		snprintf(template_path[enc], sizeof template_path[enc],
			 "%s/template%d.db", tmp_dir, enc);
		db_open(&db, template_path[enc], enc);
		OK(hearth_schema_migrate(db, hearth_schema_latest()));
		CHECK(sqlite3_close(db) == SQLITE_OK);
	}
}

/* Opens r's file; device: the id a new file gets, seeded so that a
 * replayed schedule breaks ties alike; 0 to reopen the file as it is. */
static void replica_open(replica *r, uint64_t device)
{
	hearth_store_options opt = { .now = replica_now, .now_ctx = r };
	sqlite3_stmt *st = NULL;
	uint8_t dev[8];
	int i;

	if (device != 0) {
		remove_files(r->path);
		copy_file(template_path[r->encrypted], r->path);
	}
	db_open(&r->db, r->path, r->encrypted);
	if (device != 0) {
		for (i = 0; i < 8; i++)
			dev[i] = (uint8_t)(device >> (8 * (7 - i)));
		SQL_OK(sqlite3_prepare_v2(r->db,
			"INSERT INTO meta(key,value) VALUES('device',?1)", -1, &st, NULL));
		sqlite3_bind_blob(st, 1, dev, 8, SQLITE_STATIC);
		CHECK(sqlite3_step(st) == SQLITE_DONE);
		sqlite3_finalize(st);
	}
	OK(hearth_store_open(r->db, &opt, &r->s));
	if (device != 0)
		CHECK(hearth_store_device(r->s) == device);
	note_device(r);
}

/* The ops r holds and would forward: applied, kept aside (too far ahead)
 * and waiting for their record (all but quarantined ones). */
static void held_ops(replica *r, op_vec *out)
{
	OK(hearth_store_ops_since(r->s, 0, collect, out));
}

/* The ops r merged into its state. */
static void applied_ops(replica *r, op_vec *out)
{
	OK(hearth_store_ops_since(r->s, 0, collect_applied, out));
}

/* The ops r wrote itself, under any device id it had. */
static void own_ops(replica *r, op_vec *out)
{
	size_t i;

	for (i = 0; i < r->ndevices; i++)
		OK(hearth_store_ops(r->s, r->devices[i], 1, 0, collect, out));
}

/* What a replica tells a peer it holds: per device, the count and the
 * greatest seq; for a device with a gap (count < greatest seq), the seqs
 * themselves. */
typedef struct knowledge {
	hearth_device_head *heads;
	size_t nheads, cap;
	hearth_op_id *ids; /* of devices with gaps, sorted */
	size_t nids, idcap;
} knowledge;

static int add_head(const hearth_device_head *h, void *ctx)
{
	knowledge *k = ctx;

	if (k->nheads == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 8;
		k->heads = realloc(k->heads, k->cap * sizeof *k->heads);
		assert_non_null(k->heads);
	}
	k->heads[k->nheads++] = *h;
	return 0;
}

static int add_id(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		  void *ctx)
{
	knowledge *k = ctx;

	(void)arrival;
	(void)state;
	if (k->nids == k->idcap) {
		k->idcap = k->idcap ? 2 * k->idcap : 64;
		k->ids = realloc(k->ids, k->idcap * sizeof *k->ids);
		assert_non_null(k->ids);
	}
	k->ids[k->nids++] = op->id;
	return 0;
}

/* For a device with a gap, the seqs held are listed (hearth_store_ops
 * lists every op held, refused ones too, but ops emptied by a purge,
 * which this test never makes). */
static void knowledge_of(replica *r, knowledge *k)
{
	size_t i;

	memset(k, 0, sizeof *k);
	OK(hearth_store_heads(r->s, add_head, k));
	for (i = 0; i < k->nheads; i++) {
		CHECK(k->heads[i].count <= k->heads[i].max_seq);
		if (k->heads[i].count < k->heads[i].max_seq) {
			seen.gaps++;
			OK(hearth_store_ops(r->s, k->heads[i].device, 1, 0, add_id, k));
		}
	}
	if (k->nids > 1)
		qsort(k->ids, k->nids, sizeof *k->ids, cmp_id_pair);
}

static int knows(const knowledge *k, const hearth_op_id *id)
{
	size_t i;

	for (i = 0; i < k->nheads; i++) {
		if (k->heads[i].device != id->device)
			continue;
		if (id->seq > k->heads[i].max_seq)
			return 0;
		if (k->heads[i].count == k->heads[i].max_seq)
			return 1;
		return bsearch(id, k->ids, k->nids, sizeof *k->ids, cmp_id_pair) != NULL;
	}
	return 0;
}

static void knowledge_free(knowledge *k)
{
	free(k->heads);
	free(k->ids);
	memset(k, 0, sizeof *k);
}

static char *dump_of(replica *r)
{
	char *d = NULL;

	OK(hearth_store_dump(r->s, &d, NULL));
	return d;
}

/* Closes r and opens its file again: state, ops kept aside and the clock
 * must survive (the next local write sorts after everything held). */
static void replica_reopen(replica *r)
{
	char *before = dump_of(r), *after;
	size_t pending_before, pending_after;

	OK(hearth_store_pending_count(r->s, &pending_before));
	seen.reopens++;
	replica_close(r);
	replica_open(r, 0);
	after = dump_of(r);
	expect_same("a replica's state across close and reopen", before, after);
	OK(hearth_store_pending_count(r->s, &pending_after));
	CHECK(pending_before == pending_after);
	free(before);
	free(after);
}

/* A replica's state must at all times be the merge of its own op log. */
static void check_matches_own_log(replica *r)
{
	op_vec log = { 0 };
	char *want, *got;

	applied_ops(r, &log);
	want = reference_dump(&log);
	got = dump_of(r);
	expect_same("replica state vs its own op log", want, got);
	free(want);
	free(got);
	vec_free(&log);
}

/* ---- writers -------------------------------------------------------------- */

typedef struct world {
	replica reps[MAXREP];
	size_t nreps;            /* in use: NREP, or NREP + 1 after a clone */
	hearth_id recs[MAX_RECORDS];
	size_t nrec, max_rec;
	rng g;
	uint64_t t;              /* the shared time */
	op_vec sent;             /* every op delivered to a replica that survives */
	/* A device outside the replicas, writing through the remote-op API
	 * what the local API refuses. */
	uint64_t outsider;
	uint64_t outsider_seq;
	uint64_t outsider_ms;
	uint16_t outsider_counter;
} world;

static const char *const kinds[] = { "person", "screening", "followup", "journal" };
static const char *const fields[] = { "name", "unit", "risk", "note", "姓名", "tags" };
static const char *const values[] = {
	"", "0", "1", "Li Wei", "张伟", "心灵驿站", "情绪稳定，继续跟进。",
	"高风险", "line one\nline two", "say \"hi\"\t\\", "😊 𠀋", "王芳（化名）",
};

#define COUNT(a) ((uint32_t)(sizeof a / sizeof a[0]))

/* One local write on replica r; may create a record. */
static void local_write(world *w, replica *r)
{
	rng *g = &w->g;
	hearth_record *rec = NULL;
	hearth_id id;
	hearth_status st;
	char buf[32];
	const char *value;
	size_t k;

	if (w->nrec < w->max_rec && (w->nrec == 0 || rng_chance(g, 10))) {
		OK(hearth_record_create(r->s, NULL, kinds[rng_below(g, COUNT(kinds))], &id));
		w->recs[w->nrec++] = id;
		return;
	}
	if (w->nrec == 0)
		return;
	k = rng_below(g, (uint32_t)w->nrec);
	st = hearth_record_load(r->s, &w->recs[k], &rec);
	hearth_record_free(rec);
	if (st == HEARTH_ENOTFOUND)
		return; /* this replica has not heard of it yet */
	OK(st);
	switch (rng_below(g, 20)) {
	case 0:
	case 1:
	case 2:
		OK(hearth_record_delete(r->s, &w->recs[k]));
		break;
	case 3:
	case 4:
	case 5:
		OK(hearth_record_set(r->s, &w->recs[k],
			fields[rng_below(g, COUNT(fields))], NULL));
		break;
	default:
		if (rng_chance(g, 30)) {
			snprintf(buf, sizeof buf, "v%u", rng_below(g, 1000));
			value = buf;
		} else {
			value = values[rng_below(g, COUNT(values))];
		}
		OK(hearth_record_set(r->s, &w->recs[k],
			fields[rng_below(g, COUNT(fields))], value));
		break;
	}
}

static hearth_hlc outsider_tick(world *w)
{
	if (w->t > w->outsider_ms) {
		w->outsider_ms = w->t;
		w->outsider_counter = 0;
	} else {
		w->outsider_counter++;
	}
	return hearth_hlc_make(w->outsider_ms, w->outsider_counter, w->outsider);
}

typedef struct prev_set {
	hearth_op_id ids[HEARTH_OP_PREV_MAX];
	size_t n;
} prev_set;

static int add_prev(const char *value, const hearth_op_id *id,
		    const hearth_hlc *hlc, void *ctx)
{
	prev_set *p = ctx;

	(void)value;
	(void)hlc;
	if (p->n < HEARTH_OP_PREV_MAX)
		p->ids[p->n++] = *id;
	return 0;
}

/* Applies an op of the outside device at r; it then counts as sent. */
static void outside_apply(world *w, replica *r, const hearth_op *op)
{
	OK(hearth_store_apply(r->s, op, 1, NULL));
	note_device(r);
	if (!r->lost)
		vec_push(&w->sent, op);
}

/* The outside device writes to a record r knows, as a remote op applied at
 * r, replacing the values r holds for the field: sometimes two different
 * ops under one HLC (the second applied at another replica, which may not
 * know the record yet), or an undelete ("_deleted" = "0"), which remote
 * ops may not do any more than local writes: it must be refused with
 * nothing changed, and its seq stays a gap in the outside device's ops. */
static void outside_write(world *w, replica *r)
{
	rng *g = &w->g;
	hearth_record *rec = NULL;
	hearth_op ops[2];
	hearth_hlc hlc;
	prev_set prev = { .n = 0 };
	const char *field;
	hearth_status st;
	size_t k;

	if (w->nrec == 0)
		return;
	k = rng_below(g, (uint32_t)w->nrec);
	st = hearth_record_load(r->s, &w->recs[k], &rec);
	if (st == HEARTH_ENOTFOUND)
		return;
	OK(st);
	hlc = outsider_tick(w);
	if (rng_chance(g, 30)) {
		char *before = dump_of(r), *after;
		hearth_op_id id = { w->outsider, ++w->outsider_seq };

		ops[0] = make_op(id, hlc, &rec->space, &rec->id, rec->kind,
			HEARTH_FIELD_DELETED, "0", NULL, 0);
		CHECK(hearth_store_apply(r->s, ops, 1, NULL) == HEARTH_EFORMAT);
		seen.undeletes_refused++;
		hearth_errdetail_clear();
		after = dump_of(r);
		expect_same("a replica's state after a refused undelete", before, after);
		free(before);
		free(after);
		hearth_record_free(rec);
		return;
	}
	if (rng_chance(g, 20)) {
		/* The record in another space, or of another kind: refused
		 * (quarantined) wherever it meets the record's creating op. */
		hearth_op_id id = { w->outsider, ++w->outsider_seq };
		hearth_id space = rec->space;
		const char *kind = rec->kind;

		if (rng_chance(g, 50))
			space = hearth_id_random();
		else
			kind = strcmp(kind, "person") == 0 ? "journal" : "person";
		ops[0] = make_op(id, hlc, &space, &rec->id, kind,
			fields[rng_below(g, COUNT(fields))], "captured", NULL, 0);
		outside_apply(w, rng_chance(g, 50) ? r : &w->reps[rng_below(g, (uint32_t)w->nreps)],
			&ops[0]);
		seen.other_space_or_kind++;
		hearth_record_free(rec);
		return;
	}
	field = rng_chance(g, 15) ? HEARTH_FIELD_DELETED : fields[rng_below(g, COUNT(fields))];
	OK(hearth_store_values(r->s, &rec->id, field, add_prev, &prev));
	if (prev.n > 1)
		qsort(prev.ids, prev.n, sizeof *prev.ids, cmp_id_pair);
	for (k = 0; k < 2; k++) {
		hearth_op_id id = { w->outsider, ++w->outsider_seq };
		const char *value = strcmp(field, HEARTH_FIELD_DELETED) == 0 ? "1" :
			rng_chance(g, 20) ? NULL : values[rng_below(g, COUNT(values))];

		ops[k] = make_op(id, hlc, &rec->space, &rec->id, rec->kind, field,
			value, prev.ids, prev.n);
	}
	outside_apply(w, r, &ops[0]);
	if (rng_chance(g, 40)) {
		replica *r2 = &w->reps[rng_below(g, (uint32_t)w->nreps)];

		outside_apply(w, r2, &ops[1]);
		seen.pairs++;
		seen.pairs_apart += r2 != r;
	} else
		w->outsider_seq--; /* ops[1] was never sent: its seq is unused */
	hearth_record_free(rec);
}

/* ---- the network ------------------------------------------------------ */

static void shuffle(const hearth_op **v, size_t n, rng *g)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = rng_below(g, (uint32_t)i);
		const hearth_op *t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* One sync from src to dst: dst tells what it holds (knowledge_of); src
 * sends (a random percent of) the ops it holds that dst does not,
 * sometimes repeated, shuffled, in random batches, with an occasional op
 * dst has already.  Every op sent must then be held by dst.  Returns the
 * number of ops dst lacked that were sent. */
/* 1 when v holds op (same id, same hash). */
static int holds_same(const op_vec *v, const hearth_op *op)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (op_id_cmp(&v->v[i].op, op) == 0 &&
		    memcmp(v->v[i].op.hash, op->hash, HEARTH_OP_HASH_BYTES) == 0)
			return 1;
	return 0;
}

/* Two copies of a vault wrote under one device id: dst may hold an id
 * with another op than src, which counts cannot show.  For each device
 * whose digests differ, src compares the ops themselves and adds to out
 * those under ids dst holds that dst lacks (superseded ones included). */
static void versions_lacking(replica *src, replica *dst, const knowledge *known,
			     op_vec *out)
{
	knowledge mine;
	size_t i, j, k;

	knowledge_of(src, &mine);
	for (i = 0; i < mine.nheads; i++) {
		const hearth_device_head *h = &mine.heads[i];
		op_vec theirs = { 0 }, ours = { 0 };

		for (j = 0; j < known->nheads; j++)
			if (known->heads[j].device == h->device)
				break;
		if (j == known->nheads || known->heads[j].digest == h->digest)
			continue;
		OK(hearth_store_ops(dst->s, h->device, 1, 0, collect, &theirs));
		OK(hearth_store_ops(src->s, h->device, 1, 0, collect, &ours));
		for (k = 0; k < ours.n; k++)
			if (knows(known, &ours.v[k].op.id) && !holds_same(&theirs, &ours.v[k].op))
				vec_push(out, &ours.v[k].op);
		vec_free(&theirs);
		vec_free(&ours);
	}
	knowledge_free(&mine);
}

static size_t sync_once(world *w, replica *src, replica *dst, unsigned percent)
{
	rng *g = &w->g;
	op_vec have = { 0 }, other = { 0 };
	knowledge known, after;
	const hearth_op **batch;
	size_t i, n = 0, at = 0, fresh = 0;

	knowledge_of(dst, &known);
	held_ops(src, &have);
	versions_lacking(src, dst, &known, &other);
	batch = calloc(2 * (have.n + other.n) + 1, sizeof *batch);
	assert_non_null(batch);
	for (i = 0; i < other.n; i++) {
		const hearth_op *op = &other.v[i].op;

		if (!rng_chance(g, percent))
			continue;
		batch[n++] = op;
		fresh++;
		seen.versions++;
		if (!dst->lost)
			vec_push(&w->sent, op);
	}
	for (i = 0; i < have.n; i++) {
		const hearth_op *op = &have.v[i].op;

		if (knows(&known, &op->id)) {
			if (rng_chance(g, 3))
				batch[n++] = op; /* a resend */
			continue;
		}
		if (!rng_chance(g, percent))
			continue;
		batch[n++] = op;
		fresh++;
		if (rng_chance(g, 15))
			batch[n++] = op; /* a duplicate */
		if (!dst->lost)
			vec_push(&w->sent, op);
	}
	shuffle(batch, n, g);
	while (at < n) {
		size_t k = rng_chance(g, 50) ? 1 + rng_below(g, 4) :
			1 + rng_below(g, (uint32_t)(n - at));
		hearth_op *part;
		size_t deferred;

		if (k > n - at)
			k = n - at;
		part = calloc(k, sizeof *part);
		assert_non_null(part);
		for (i = 0; i < k; i++)
			part[i] = *batch[at + i];
		OK(hearth_store_apply(dst->s, part, k, &deferred));
		seen.kept_aside += deferred;
		note_device(dst); /* a copy that met its original moves */
		free(part);
		at += k;
	}
	/* Nothing delivered may vanish: applied, or kept aside to forward. */
	knowledge_of(dst, &after);
	for (i = 0; i < n; i++) {
		if (!knows(&after, &batch[i]->id)) {
			report_seed();
			fail_msg("op %016" PRIx64 "/%" PRIu64 " was delivered but "
				 "is neither applied nor kept aside",
				 batch[i]->id.device, batch[i]->id.seq);
		}
	}
	free(batch);
	knowledge_free(&known);
	knowledge_free(&after);
	vec_free(&have);
	vec_free(&other);
	return fresh;
}

/* Syncs every pair of survivors until a whole round sends nothing;
 * returns the number of rounds, the quiet one included. */
static int sync_until_quiet(world *w)
{
	size_t i, j, moved;
	int rounds = 0;

	do {
		moved = 0;
		for (i = 0; i < w->nreps; i++)
			for (j = 0; j < w->nreps; j++)
				if (i != j && !w->reps[i].lost && !w->reps[j].lost)
					moved += sync_once(w, &w->reps[i], &w->reps[j], 100);
		/* Ops, then the ops a copy writes again when it learns its
		 * own lost their ids, then quiet. */
		CHECK(++rounds <= 4);
	} while (moved > 0);
	return rounds;
}

/* ---- one schedule ------------------------------------------------------ */

/* Both copies of a copied replica survive to meet, so whatever either
 * wrote under an id the other's op took must live on: written again by
 * its author under its new device id (same record, field and value). */
static void check_nothing_superseded_lost(replica *r)
{
	op_vec all = { 0 };
	size_t i, j;

	OK(hearth_store_ops(r->s, 0, 1, 0, collect, &all));
	for (i = 0; i < all.n; i++) {
		const op_copy *lost = &all.v[i];
		int found = 0;

		if (lost->state != HEARTH_OP_SUPERSEDED)
			continue;
		for (j = 0; j < all.n && !found; j++) {
			const op_copy *o = &all.v[j];

			found = o->state != HEARTH_OP_SUPERSEDED &&
				o->op.id.device != lost->op.id.device &&
				memcmp(o->op.record.b, lost->op.record.b, HEARTH_ID_BYTES) == 0 &&
				strcmp(o->field, lost->field) == 0 &&
				str_cmp_null(o->value, lost->value) == 0;
		}
		if (!found) {
			report_seed();
			fail_msg("op %016" PRIx64 "/%" PRIu64 " lost its id to another "
				 "op and was never written again", lost->op.id.device,
				 lost->op.id.seq);
		}
		seen.rewritten++;
	}
	vec_free(&all);
}

/* Copies r's database file to a new replica that goes on writing under
 * the same device id and seqs, as a restored backup or a copied
 * directory would. */
static void clone_replica(world *w, replica *r)
{
	replica *c = &w->reps[w->nreps];

	replica_close(r);
	snprintf(c->path, sizeof c->path, "%s/r%zu.db", tmp_dir, w->nreps);
	remove_files(c->path);
	copy_file(r->path, c->path);
	replica_open(r, 0);
	c->encrypted = r->encrypted;
	memcpy(c->devices, r->devices, sizeof c->devices);
	c->ndevices = r->ndevices;
	c->skew = r->skew;
	c->now = r->now;
	c->cut_off = r->cut_off;
	c->lost = 0;
	replica_open(c, 0);
	w->nreps++;
	seen.clones++;
}

static void run_schedule(uint64_t seed)
{
	world *w = calloc(1, sizeof *w);
	replica *reps;
	size_t i, pending, orphans, refused, nsurvivors = 0;
	int steps, step, future_rep = -1, lost_rep = -1;
	op_vec all = { 0 };
	char *want, *dumps[MAXREP];
	const char *first = NULL;

	assert_non_null(w);
	reps = w->reps;
	current_seed = seed;
	w->g.x = seed * UINT64_C(0x2545f4914f6cdd1d) + 1;
	w->t = T0;
	w->max_rec = 2 + rng_below(&w->g, MAX_RECORDS - 1);
	steps = 30 + (int)rng_below(&w->g, 90);
	w->outsider = rng_next(&w->g) | 1;
	/* Some schedules have one replica whose clock is hours ahead: the
	 * others keep its ops aside until their clocks catch up.  It may be
	 * lost before the end; its ops then reach the others only as
	 * forwarded by those it synced with. */
	if (rng_chance(&w->g, 20))
		future_rep = (int)rng_below(&w->g, NREP);
	if (future_rep >= 0 && rng_chance(&w->g, 50))
		lost_rep = future_rep;
	else if (rng_chance(&w->g, 10))
		lost_rep = (int)rng_below(&w->g, NREP);
	w->nreps = NREP;
	for (i = 0; i < NREP; i++) {
		uint64_t dev = rng_next(&w->g) | 1;

		snprintf(reps[i].path, sizeof reps[i].path, "%s/r%zu.db", tmp_dir, i);
		reps[i].encrypted = rng_chance(&w->g, 40);
		reps[i].lost = (int)i == lost_rep;
		seen.lost += reps[i].lost;
		seen.encrypted += reps[i].encrypted;
		reps[i].skew = (int64_t)rng_below(&w->g, 4001) - 2000;
		if ((int)i == future_rep)
			reps[i].skew = (int64_t)(2 * HOUR);
		reps[i].now = (uint64_t)((int64_t)w->t + reps[i].skew);
		replica_open(&reps[i], dev);
	}

	/* At least one op, written by a replica that survives. */
	local_write(w, &reps[lost_rep == 0 ? 1 : 0]);
	for (step = 0; step < steps; step++) {
		replica *r = &reps[rng_below(&w->g, (uint32_t)w->nreps)];
		unsigned what = rng_below(&w->g, 100);

		w->t += rng_below(&w->g, 4);  /* often 0: many ops in one millisecond */
		for (i = 0; i < w->nreps; i++) {
			if (rng_chance(&w->g, 2))
				reps[i].skew -= (int64_t)rng_below(&w->g, 5000); /* steps back */
			reps[i].now = (uint64_t)((int64_t)w->t + reps[i].skew);
		}
		if (what < 45) {
			local_write(w, r);
		} else if (what < 53) {
			/* Several writes in one explicit transaction,
			 * sometimes abandoned. */
			int k, n = 2 + (int)rng_below(&w->g, 3);
			size_t before = w->nrec;

			OK(hearth_store_begin(r->s));
			for (k = 0; k < n; k++)
				local_write(w, r);
			if (rng_chance(&w->g, 20)) {
				/* Records created inside are gone with it
				 * (no delivery happened meanwhile). */
				hearth_store_rollback(r->s);
				w->nrec = before;
			} else {
				OK(hearth_store_commit(r->s));
			}
		} else if (what < 59) {
			outside_write(w, r);
		} else if (what < 90) {
			replica *d = &reps[rng_below(&w->g, (uint32_t)w->nreps)];

			if (d != r && !r->cut_off && !d->cut_off)
				sync_once(w, r, d, 20 + rng_below(&w->g, 81));
		} else if (what < 94) {
			replica *c = &reps[rng_below(&w->g, (uint32_t)w->nreps)];

			c->cut_off = !c->cut_off;
		} else if (what < 96) {
			replica_reopen(r);
		} else if (what < 97) {
			if (clones && w->nreps == NREP && !r->lost)
				clone_replica(w, r);
		} else {
			check_matches_own_log(r);
		}
	}

	/* Heal: the lost replica is gone; the others reconnect and sync
	 * until nothing moves, while the ops of a clock hours ahead are still
	 * kept aside (so they travel only if they stay forwardable).  Then
	 * every clock passes them and they are applied where they wait, with
	 * no further sync. */
	for (i = 0; i < w->nreps; i++) {
		reps[i].cut_off = 0;
		if (reps[i].lost)
			replica_close(&reps[i]);
		else
			nsurvivors++;
	}
	sync_until_quiet(w);

	/* The reference: every op that reached a survivor, and every op a
	 * survivor wrote itself, merged by brute force.  Ops of a record
	 * whose creating op reached no survivor wait for ever. */
	for (i = 0; i < w->sent.n; i++)
		vec_push(&all, &w->sent.v[i].op);
	for (i = 0; i < w->nreps; i++)
		if (!reps[i].lost)
			own_ops(&reps[i], &all);
	want = reference_dump_counts(&all, &orphans, &refused);

	w->t += 3 * HOUR;
	for (i = 0; i < w->nreps; i++) {
		if (reps[i].lost)
			continue;
		reps[i].now = w->t;
		OK(hearth_store_retry_pending(reps[i].s, NULL));
		OK(hearth_store_pending_count(reps[i].s, &pending));
		CHECK(pending == orphans);
		if (rng_chance(&w->g, 30))
			replica_reopen(&reps[i]);
	}
	for (i = 0; i < w->nreps; i++) {
		op_vec log = { 0 };

		dumps[i] = NULL;
		if (reps[i].lost)
			continue;
		applied_ops(&reps[i], &log);
		CHECK(log.n + orphans + refused == distinct_ids(&all));
		vec_free(&log);
		dumps[i] = dump_of(&reps[i]);
		check_nothing_superseded_lost(&reps[i]);
		if (first == NULL)
			first = dumps[i];
	}
	for (i = 0; i < w->nreps; i++) {
		char what[64];

		if (dumps[i] == NULL)
			continue;
		snprintf(what, sizeof what, "replica %zu vs the first survivor", i);
		expect_same(what, first, dumps[i]);
	}
	expect_same("survivors vs the reference merge", want, first);
	/* Not vacuous: ops were written and merged. */
	CHECK(all.n >= 1 && nsurvivors >= NREP - 1);
	/* Healed: a further sync finds nothing to send. */
	CHECK(sync_until_quiet(w) == 1);

	for (i = 0; i < w->nreps; i++) {
		free(dumps[i]);
		if (!reps[i].lost)
			replica_close(&reps[i]);
		remove_files(reps[i].path);
	}
	free(want);
	vec_free(&all);
	vec_free(&w->sent);
	free(w);
}

/* Guards the reference itself against being as wrong as the store: a
 * hand-checked case with a repeated op, concurrent values, two different
 * ops under one HLC, a tombstone, an orphan and an op naming another kind
 * than its record's. */
static void test_reference_by_hand(void **state)
{
	op_vec ops = { 0 };
	hearth_id rec, rec2, space;
	hearth_op_id id2 = { 9, 2 };
	hearth_op op;
	size_t orphans, refused;
	char *d;

	(void)state;
	memset(rec.b, 0x01, sizeof rec.b);
	memset(rec2.b, 0x03, sizeof rec2.b);
	memset(space.b, 0x02, sizeof space.b);
#define ID(dev, seq) ((hearth_op_id){ (dev), (seq) })
	op = make_op(ID(9, 1), hearth_hlc_make(10, 0, 9), &space, &rec, "person",
		     "_kind", "person", NULL, 0);
	vec_push(&ops, &op);
	op = make_op(ID(9, 2), hearth_hlc_make(20, 0, 9), &space, &rec, "person",
		     "name", "early", NULL, 0);
	vec_push(&ops, &op);
	op = make_op(ID(9, 3), hearth_hlc_make(30, 0, 9), &space, &rec, "person",
		     "name", "late", &id2, 1);
	vec_push(&ops, &op);
	vec_push(&ops, &op);
	op = make_op(ID(7, 1), hearth_hlc_make(25, 0, 7), &space, &rec, "person",
		     "name", "other", NULL, 0);
	vec_push(&ops, &op);
	op = make_op(ID(9, 4), hearth_hlc_make(35, 0, 9), &space, &rec, "person",
		     "_deleted", "1", NULL, 0);
	vec_push(&ops, &op);
	op = make_op(ID(9, 5), hearth_hlc_make(50, 0, 9), &space, &rec, "person",
		     "unit", "a", NULL, 0);
	vec_push(&ops, &op);
	op = make_op(ID(9, 6), hearth_hlc_make(50, 0, 9), &space, &rec, "person",
		     "unit", NULL, NULL, 0);
	vec_push(&ops, &op);
	op = make_op(ID(9, 7), hearth_hlc_make(60, 0, 9), &space, &rec2, "person",
		     "name", "x", NULL, 0);
	vec_push(&ops, &op);
	op = make_op(ID(9, 8), hearth_hlc_make(70, 0, 9), &space, &rec, "journal",
		     "name", "captured", NULL, 0);
	vec_push(&ops, &op);
#undef ID
	d = reference_dump_counts(&ops, &orphans, &refused);
	assert_string_equal(d,
		"record 01010101010101010101010101010101\n"
		"  space 02020202020202020202020202020202\n"
		"  kind \"person\"\n"
		"  created 00000000000a00000000000000000009\n"
		"  deleted 1\n"
		"  field \"_deleted\" = \"1\" @ 00000000002300000000000000000009\n"
		"  field \"_kind\" = \"person\" @ 00000000000a00000000000000000009\n"
		"  field \"name\" = \"late\" @ 00000000001e00000000000000000009\n"
		"    also \"other\" @ 00000000001900000000000000000007\n"
		"  field \"unit\" cleared @ 00000000003200000000000000000009\n"
		"    also \"a\" @ 00000000003200000000000000000009\n");
	assert_int_equal(ops.n, 9);
	assert_int_equal(orphans, 1);
	assert_int_equal(refused, 1);
	free(d);
	vec_free(&ops);
}

static uint64_t env_number(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strtoull(v, NULL, 10) : def;
}

static void test_convergence(void **state)
{
	uint64_t n = env_number("HEARTH_CONVERGENCE_SCHEDULES", DEFAULT_SCHEDULES);
	uint64_t from = env_number("HEARTH_CONVERGENCE_FIRST", 1), seed;

	clones = env_number("HEARTH_CONVERGENCE_CLONES", 1) != 0;

	(void)state;
	if (getenv("HEARTH_CONVERGENCE_SEED") != NULL) {
		run_schedule(env_number("HEARTH_CONVERGENCE_SEED", 0));
		return;
	}
	for (seed = from; seed < from + n; seed++) {
		run_schedule(seed);
		/* A long run shows how far it got. */
		if ((seed - from + 1) % 1000 == 0) {
			print_message("%" PRIu64 " schedules converged so far\n",
				      seed - from + 1);
			fflush(stdout);
		}
	}
	print_message("%" PRIu64 " schedules converged (seeds %" PRIu64 "..%" PRIu64 ")\n"
		      "  refused undeletes %" PRIu64 ", pairs under one HLC %" PRIu64
		      " (%" PRIu64 " at two replicas), ops naming another space or kind %"
		      PRIu64 ", reopens %" PRIu64 ", ops kept aside %" PRIu64
		      ", replicas lost %" PRIu64 ", encrypted %" PRIu64
		      ", knowledge with gaps %" PRIu64 ", concurrent values %" PRIu64
		      ", copied replicas %" PRIu64 ", ops sent under an id the peer held"
		      " otherwise %" PRIu64 ", superseded ops written again %" PRIu64 "\n",
		      n, from, from + n - 1, seen.undeletes_refused, seen.pairs,
		      seen.pairs_apart, seen.other_space_or_kind, seen.reopens,
		      seen.kept_aside, seen.lost, seen.encrypted, seen.gaps,
		      seen.concurrent, seen.clones, seen.versions, seen.rewritten);
	/* Not vacuous: the default run makes every case at least once. */
	if (n >= DEFAULT_SCHEDULES)
		assert_true(seen.undeletes_refused > 0 && seen.pairs_apart > 0 &&
			    seen.other_space_or_kind > 0 && seen.reopens > 0 &&
			    seen.kept_aside > 0 && seen.lost > 0 &&
			    seen.encrypted > 0 && seen.gaps > 0 &&
			    seen.concurrent > 0 &&
			    (!clones || (seen.clones > 0 && seen.versions > 0 &&
					 seen.rewritten > 0)));
}

static int group_setup(void **state)
{
	uint8_t key[HEARTH_KEYBYTES];

	(void)state;
	snprintf(tmp_dir, sizeof tmp_dir, "%s/hearth-converge-XXXXXX",
		 getenv("TMPDIR") != NULL && *getenv("TMPDIR") != '\0' ?
		 getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmp_dir) == NULL)
		return -1;
	memset(key, 0x5a, sizeof key);
	if (hearth_vfs_register(VFS_NAME, key, 0) != HEARTH_OK)
		return -1;
	make_templates();
	return 0;
}

static int group_teardown(void **state)
{
	DIR *d = opendir(tmp_dir);
	struct dirent *e;
	char p[512];

	(void)state;
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", tmp_dir, e->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(tmp_dir);
	/* Busy when a failed schedule left its replicas open: the failure
	 * is reported already. */
	if (hearth_vfs_unregister(VFS_NAME) != HEARTH_OK)
		hearth_errdetail_clear();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_by_hand),
		cmocka_unit_test(test_convergence),
	};

	/* Before SQLite starts: it takes the wiping allocator only then. */
	if (hearth_crypto_init() != HEARTH_OK)
		return 1;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
