/*
 * test_convergence.c - five replicas write to a shared set of records while
 * ops travel between them in random order, with duplicates, in random
 * batches, across partitions and skewed or backwards-running clocks; after
 * a final full exchange every replica must hold the same state, byte for
 * byte, and that state must equal a last-writer-wins reference computed
 * here, independently of the store, from the full set of ops.
 *
 * Environment:
 *   HEARTH_CONVERGENCE_SCHEDULES=n   run n seeded schedules (default 1000)
 *   HEARTH_CONVERGENCE_SEED=n        replay schedule n alone
 *
 * Device ids are derived from the seed, so a replayed schedule makes the
 * same writes with the same timestamps; only the random record ids differ,
 * and nothing in the merge depends on them.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hearth/schema.h"
#include "hearth/store.h"

#define NREP 5
#define MAX_RECORDS 6
#define T0 UINT64_C(1700000000000)
#define HOUR UINT64_C(3600000)

static uint64_t current_seed;

static void report_seed(void)
{
	print_error("convergence schedule failed: seed %" PRIu64 "\n"
		"replay it with: HEARTH_CONVERGENCE_SEED=%" PRIu64
		" meson test -C BUILDDIR convergence --print-errorlogs\n",
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

static void vec_push(op_vec *vec, const hearth_op *op)
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
}

static void vec_free(op_vec *vec)
{
	size_t i;

	for (i = 0; i < vec->n; i++) {
		free(vec->v[i].kind);
		free(vec->v[i].field);
		free(vec->v[i].value);
	}
	free(vec->v);
	memset(vec, 0, sizeof *vec);
}

static int collect(const hearth_op *op, void *ctx)
{
	vec_push(ctx, op);
	return 0;
}

static void log_of(hearth_store *s, uint64_t device, op_vec *out)
{
	OK(hearth_store_ops(s, device, NULL, NULL, collect, out));
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

static int cmp_record_field_hlc(const void *pa, const void *pb)
{
	const op_copy *a = pa, *b = pb;
	int c = memcmp(a->op.record.b, b->op.record.b, HEARTH_ID_BYTES);

	if (c == 0)
		c = strcmp(a->field, b->field);
	if (c == 0)
		c = memcmp(a->op.hlc.b, b->op.hlc.b, HEARTH_HLC_BYTES);
	return c;
}

static int cmp_hlc(const void *pa, const void *pb)
{
	const op_copy *a = pa, *b = pb;

	return memcmp(a->op.hlc.b, b->op.hlc.b, HEARTH_HLC_BYTES);
}

/* The state a last-writer-wins merge of ops must reach, in the dump
 * format: per record, kind/space/created from its earliest op; per field,
 * the op with the greatest HLC; deleted when "_deleted" is "1".  Sorts
 * ops in place.  Brute force on purpose: no SQL, no upserts. */
static char *reference_dump(op_vec *ops)
{
	strbuf b = { 0 };
	size_t i = 0, j;

	sb_str(&b, "");
	if (ops->n == 0)
		return b.p;
	/* A correct set of ops never holds one HLC twice. */
	qsort(ops->v, ops->n, sizeof *ops->v, cmp_hlc);
	for (j = 1; j < ops->n; j++)
		CHECK(cmp_hlc(&ops->v[j - 1], &ops->v[j]) != 0);
	qsort(ops->v, ops->n, sizeof *ops->v, cmp_record_field_hlc);
	while (i < ops->n) {
		const op_copy *first = &ops->v[i], *winner;
		size_t end = i, k;
		int deleted = 0;

		while (end < ops->n && memcmp(ops->v[end].op.record.b,
				first->op.record.b, HEARTH_ID_BYTES) == 0)
			end++;
		for (k = i; k < end; k++)
			if (cmp_hlc(&ops->v[k], first) < 0)
				first = &ops->v[k];
		/* The last "_deleted" op of the group (greatest HLC) decides. */
		for (k = i; k < end; k++)
			if (strcmp(ops->v[k].field, HEARTH_FIELD_DELETED) == 0 &&
			    (k + 1 == end || strcmp(ops->v[k + 1].field,
						    HEARTH_FIELD_DELETED) != 0))
				deleted = ops->v[k].value != NULL &&
					strcmp(ops->v[k].value, "1") == 0;
		sb_str(&b, "record ");
		sb_hex(&b, first->op.record.b, HEARTH_ID_BYTES);
		sb_str(&b, "\n  space ");
		sb_hex(&b, first->op.space.b, HEARTH_ID_BYTES);
		sb_str(&b, "\n  kind ");
		sb_quoted(&b, first->kind);
		sb_str(&b, "\n  created ");
		sb_hex(&b, first->op.hlc.b, HEARTH_HLC_BYTES);
		sb_str(&b, deleted ? "\n  deleted 1\n" : "\n  deleted 0\n");
		for (k = i; k < end; k++) {
			if (k + 1 < end && strcmp(ops->v[k + 1].field, ops->v[k].field) == 0)
				continue; /* not the last (greatest HLC) of its field */
			winner = &ops->v[k];
			sb_str(&b, "  field ");
			sb_quoted(&b, winner->field);
			if (winner->value != NULL) {
				sb_str(&b, " = ");
				sb_quoted(&b, winner->value);
			} else {
				sb_str(&b, " cleared");
			}
			sb_str(&b, " @ ");
			sb_hex(&b, winner->op.hlc.b, HEARTH_HLC_BYTES);
			sb_str(&b, "\n");
		}
		i = end;
	}
	return b.p;
}

/* Fails with the seed and the first differing line. */
static void expect_same(const char *what, const char *want, const char *got)
{
	size_t i = 0, line = 1;

	if (strcmp(want, got) == 0)
		return;
	while (want[i] != '\0' && want[i] == got[i]) {
		if (want[i] == '\n')
			line++;
		i++;
	}
	report_seed();
	print_error("%s differs at line %zu\n--- expected ---\n%s\n--- got ---\n%s\n",
		what, line, want, got);
	fail_msg("%s: states differ (seed %" PRIu64 ")", what, current_seed);
}

/* ---- replicas ------------------------------------------------------------ */

typedef struct replica {
	sqlite3 *db;
	hearth_store *s;
	uint64_t now;     /* its wall clock */
	int64_t skew;     /* ms ahead of (or behind) the shared time */
	int cut_off;      /* partitioned away */
} replica;

static uint64_t replica_now(void *ctx)
{
	return ((const replica *)ctx)->now;
}

static void replica_open(replica *r, uint64_t device)
{
	hearth_store_options opt = { replica_now, r, 0 };
	sqlite3_stmt *st = NULL;
	uint8_t dev[8];
	int i;

	assert_int_equal(sqlite3_open(":memory:", &r->db), SQLITE_OK);
	OK(hearth_schema_migrate(r->db, hearth_schema_latest()));
	/* Seeded device ids make a replayed schedule break ties alike. */
	for (i = 0; i < 8; i++)
		dev[i] = (uint8_t)(device >> (8 * (7 - i)));
	assert_int_equal(sqlite3_prepare_v2(r->db,
		"INSERT INTO meta(key,value) VALUES('device',?1)", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, dev, 8, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	OK(hearth_store_open(r->db, &opt, &r->s));
	CHECK(hearth_store_device(r->s) == device);
}

static void replica_close(replica *r)
{
	hearth_store_close(r->s);
	sqlite3_close(r->db);
}

static const char *const kinds[] = { "person", "screening", "followup", "journal" };
static const char *const fields[] = { "name", "unit", "risk", "note", "姓名", "tags" };
static const char *const values[] = {
	"", "0", "1", "Li Wei", "张伟", "心灵驿站", "情绪稳定，继续跟进。",
	"高风险", "line one\nline two", "say \"hi\"\t\\", "😊 𠀋", "王芳（化名）",
};

/* One local write on replica r; may create a record. */
static void local_write(replica *r, rng *g, hearth_id *recs, size_t *nrec,
			size_t max_rec)
{
	hearth_record *rec = NULL;
	hearth_id id;
	hearth_status st;
	char buf[32];
	const char *value;
	size_t k;

	if (*nrec < max_rec && (*nrec == 0 || rng_chance(g, 10))) {
		OK(hearth_record_create(r->s, NULL,
			kinds[rng_below(g, sizeof kinds / sizeof kinds[0])], &id));
		recs[(*nrec)++] = id;
		return;
	}
	if (*nrec == 0)
		return;
	k = rng_below(g, (uint32_t)*nrec);
	st = hearth_record_load(r->s, &recs[k], &rec);
	hearth_record_free(rec);
	if (st == HEARTH_ENOTFOUND)
		return; /* this replica has not heard of it yet */
	OK(st);
	switch (rng_below(g, 20)) {
	case 0:
	case 1:
		OK(hearth_record_delete(r->s, &recs[k]));
		break;
	case 2:
	case 3:
	case 4:
		OK(hearth_record_set(r->s, &recs[k],
			fields[rng_below(g, sizeof fields / sizeof fields[0])], NULL));
		break;
	default:
		if (rng_chance(g, 30)) {
			snprintf(buf, sizeof buf, "v%u", rng_below(g, 1000));
			value = buf;
		} else {
			value = values[rng_below(g, sizeof values / sizeof values[0])];
		}
		OK(hearth_record_set(r->s, &recs[k],
			fields[rng_below(g, sizeof fields / sizeof fields[0])], value));
		break;
	}
}

static void shuffle(op_copy *v, size_t n, rng *g)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = rng_below(g, (uint32_t)i);
		op_copy t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* Sends a random part (or all) of src's op log to dst, duplicated,
 * shuffled and in random batches. */
static void deliver(replica *src, replica *dst, rng *g, unsigned percent)
{
	op_vec log = { 0 };
	hearth_op *batch;
	size_t i, n = 0, at = 0;
	op_copy *pick;

	log_of(src->s, 0, &log);
	pick = calloc(2 * log.n + 1, sizeof *pick);
	assert_non_null(pick);
	for (i = 0; i < log.n; i++) {
		if (!rng_chance(g, percent))
			continue;
		pick[n++] = log.v[i];      /* shallow: log owns the strings */
		if (rng_chance(g, 15))
			pick[n++] = log.v[i];  /* a duplicate */
	}
	shuffle(pick, n, g);
	batch = calloc(n + 1, sizeof *batch);
	assert_non_null(batch);
	for (i = 0; i < n; i++)
		batch[i] = pick[i].op;
	while (at < n) {
		size_t k = rng_chance(g, 50) ? 1 + rng_below(g, 4) :
			1 + rng_below(g, (uint32_t)(n - at));
		size_t deferred;

		if (k > n - at)
			k = n - at;
		OK(hearth_store_apply(dst->s, batch + at, k, &deferred));
		at += k;
	}
	free(batch);
	free(pick);
	vec_free(&log);
}

/* A replica's state must at all times be the merge of its own op log. */
static void check_matches_own_log(replica *r)
{
	op_vec log = { 0 };
	char *want, *got = NULL;

	log_of(r->s, 0, &log);
	want = reference_dump(&log);
	OK(hearth_store_dump(r->s, &got, NULL));
	expect_same("replica state vs its own op log", want, got);
	free(want);
	free(got);
	vec_free(&log);
}

static void run_schedule(uint64_t seed)
{
	replica reps[NREP];
	hearth_id recs[MAX_RECORDS];
	size_t nrec = 0, max_rec, i, j, pending;
	rng g = { seed * UINT64_C(0x2545f4914f6cdd1d) + 1 };
	uint64_t t = T0;
	int steps, step, future_rep = -1;
	op_vec all = { 0 };
	char *want, *dumps[NREP];

	current_seed = seed;
	memset(reps, 0, sizeof reps);
	max_rec = 2 + rng_below(&g, MAX_RECORDS - 1);
	steps = 30 + (int)rng_below(&g, 90);
	/* Some schedules have one replica whose clock is hours ahead: the
	 * others keep its ops aside until their clocks catch up. */
	if (rng_chance(&g, 15))
		future_rep = (int)rng_below(&g, NREP);
	for (i = 0; i < NREP; i++) {
		uint64_t dev = rng_next(&g) | 1;

		reps[i].skew = (int64_t)rng_below(&g, 4001) - 2000;
		if ((int)i == future_rep)
			reps[i].skew = (int64_t)(2 * HOUR);
		reps[i].now = (uint64_t)((int64_t)t + reps[i].skew);
		replica_open(&reps[i], dev);
	}

	for (step = 0; step < steps; step++) {
		replica *r = &reps[rng_below(&g, NREP)];
		unsigned what = rng_below(&g, 100);

		t += rng_below(&g, 4);  /* often 0: many ops in one millisecond */
		for (i = 0; i < NREP; i++) {
			if (rng_chance(&g, 2))
				reps[i].skew -= (int64_t)rng_below(&g, 5000); /* steps back */
			reps[i].now = (uint64_t)((int64_t)t + reps[i].skew);
		}
		if (what < 50) {
			local_write(r, &g, recs, &nrec, max_rec);
		} else if (what < 60) {
			/* Several writes in one explicit transaction,
			 * sometimes abandoned. */
			int k, n = 2 + (int)rng_below(&g, 3);
			size_t before = nrec;

			OK(hearth_store_begin(r->s));
			for (k = 0; k < n; k++)
				local_write(r, &g, recs, &nrec, max_rec);
			if (rng_chance(&g, 20)) {
				/* Records created inside are gone with it
				 * (no delivery happened meanwhile). */
				hearth_store_rollback(r->s);
				nrec = before;
			} else {
				OK(hearth_store_commit(r->s));
			}
		} else if (what < 93) {
			replica *d = &reps[rng_below(&g, NREP)];

			if (d != r && !r->cut_off && !d->cut_off)
				deliver(r, d, &g, 20 + rng_below(&g, 81));
		} else if (what < 98) {
			replica *c = &reps[rng_below(&g, NREP)];

			c->cut_off = !c->cut_off;
		} else {
			check_matches_own_log(r);
		}
	}

	/* Heal: every clock moves past the future replica's, ops kept aside
	 * are retried, and everyone sends everyone everything. */
	t += 3 * HOUR;
	for (i = 0; i < NREP; i++) {
		reps[i].cut_off = 0;
		reps[i].now = t;
		OK(hearth_store_retry_pending(reps[i].s, NULL));
	}
	for (i = 0; i < NREP; i++)
		for (j = 0; j < NREP; j++)
			if (i != j)
				deliver(&reps[j], &reps[i], &g, 100);
	for (i = 0; i < NREP; i++) {
		OK(hearth_store_pending_count(reps[i].s, &pending));
		CHECK(pending == 0);
	}

	/* The reference: every op any replica ever issued (each from its
	 * origin's log), merged by brute force. */
	for (i = 0; i < NREP; i++)
		log_of(reps[i].s, hearth_store_device(reps[i].s), &all);
	want = reference_dump(&all);
	for (i = 0; i < NREP; i++) {
		op_vec log = { 0 };

		log_of(reps[i].s, 0, &log);
		CHECK(log.n == all.n);
		vec_free(&log);
		OK(hearth_store_dump(reps[i].s, &dumps[i], NULL));
	}
	for (i = 0; i < NREP; i++) {
		char what[64];

		snprintf(what, sizeof what, "replica %zu vs replica 0", i);
		expect_same(what, dumps[0], dumps[i]);
	}
	expect_same("replicas vs the reference merge", want, dumps[0]);
	/* Not vacuous: ops were written and merged. */
	CHECK(all.n >= 1);

	for (i = 0; i < NREP; i++) {
		free(dumps[i]);
		replica_close(&reps[i]);
	}
	free(want);
	vec_free(&all);
}

/* Guards the reference itself against being as wrong as the store: a
 * hand-checked case. */
static void test_reference_by_hand(void **state)
{
	op_vec ops = { 0 };
	hearth_op op;
	char *d;

	(void)state;
	memset(&op, 0, sizeof op);
	memset(op.record.b, 0x01, sizeof op.record.b);
	memset(op.space.b, 0x02, sizeof op.space.b);
	op.kind = "person";
	op.field = "name";
	op.value = "late";
	op.hlc = hearth_hlc_make(30, 0, 9);
	vec_push(&ops, &op);
	op.value = "early";
	op.hlc = hearth_hlc_make(20, 0, 9);
	vec_push(&ops, &op);
	op.field = "_kind";
	op.value = "person";
	op.hlc = hearth_hlc_make(10, 0, 9);
	vec_push(&ops, &op);
	op.field = "_deleted";
	op.value = NULL;
	op.hlc = hearth_hlc_make(40, 0, 9);
	vec_push(&ops, &op);
	op.value = "1";
	op.hlc = hearth_hlc_make(35, 0, 9);
	vec_push(&ops, &op);
	d = reference_dump(&ops);
	assert_string_equal(d,
		"record 01010101010101010101010101010101\n"
		"  space 02020202020202020202020202020202\n"
		"  kind \"person\"\n"
		"  created 00000000000a00000000000000000009\n"
		"  deleted 0\n"
		"  field \"_deleted\" cleared @ 00000000002800000000000000000009\n"
		"  field \"_kind\" = \"person\" @ 00000000000a00000000000000000009\n"
		"  field \"name\" = \"late\" @ 00000000001e00000000000000000009\n");
	free(d);
	vec_free(&ops);
}

static void test_convergence(void **state)
{
	const char *one = getenv("HEARTH_CONVERGENCE_SEED");
	const char *count = getenv("HEARTH_CONVERGENCE_SCHEDULES");
	uint64_t n = 1000, seed;

	(void)state;
	if (one != NULL && *one != '\0') {
		run_schedule(strtoull(one, NULL, 10));
		return;
	}
	if (count != NULL && *count != '\0')
		n = strtoull(count, NULL, 10);
	for (seed = 1; seed <= n; seed++)
		run_schedule(seed);
	print_message("%" PRIu64 " schedules converged\n", n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_by_hand),
		cmocka_unit_test(test_convergence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
