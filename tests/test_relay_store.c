/*
 * test_relay_store.c - the relay store's contract (sync/relay/store.h),
 * one set of cases for every implementation: the store is named by the
 * URI in HEARTH_RELAY_STORE_URI (meson runs this suite through
 * tests/tools/with_pg.sh, which starts a private PostgreSQL server for
 * the run; "sqlite:" alone means a fresh SQLite file of the run's own).
 * Every case works in spaces, devices and envelopes of its own, made at
 * random, so the cases share one store without seeing each other's rows.
 *
 * Covered: the instance id is stable across reopening; spaces register
 * once; put is idempotent by id and numbers 1, 2, ... without gaps, and
 * refuses an id that is not the bytes' own; a put
 * past the quota stores nothing; pull gives seq order after a cursor,
 * within a byte limit but at least one envelope, the control plane alone
 * when asked, and says whether more remain; get; the space's fingerprint
 * equals a recount of what pull gives and the buckets add up to it, each
 * bucket's id list is exactly its ids in order; a nonce is refused within
 * the window, on another handle too, and accepted after it; two processes
 * pushing into one space at once get unique gap-free numbers.  PostgreSQL
 * alone: processes creating the schema at once, and a connection lost
 * between calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "hearth/envelope.h"
#include "hearth/status.h"
#include "../sync/relay/store.h"


static const char *uri;

static int is_pg(void)
{
	return strncmp(uri, "postgres", 8) == 0;
}

static relay_store *open_store(void)
{
	relay_store *st = NULL;
	char err[512] = "";

	if (relay_store_open(uri, &st, err, sizeof err) != 0) {
		print_error("cannot open the store: %s\n", err);
		fail();
	}
	return st;
}

/* Asserts a store call returned want, showing the store's error if not. */
#define CHECK(st, call, want)                                                    \
	do {                                                                     \
		int rc_ = (call);                                                \
		if (rc_ != (want))                                               \
			print_error("%s -> %d (%s)\n", #call, rc_, relay_store_error(st)); \
		assert_int_equal(rc_, (want));                                   \
	} while (0)

/*
 * An envelope the test owns.  A store may read an envelope's header
 * fields back from its bytes (hearth_envelope_peek) instead of keeping
 * them, so the bytes are framed as docs/protocol.md §7 says: the header
 * (magic, format, space, epoch, device, first and last op seq, key check,
 * nonce, ciphertext length, integers big-endian), random "ciphertext"
 * and a random "signature" (a store checks neither).  ENV_MIN: enough
 * ciphertext for the two ops a header with first < last claims.
 */
#define ENV_HEADER 101u
#define ENV_SIG 64u
#define ENV_MIN 448u

struct env {
	relay_envelope e;
	uint8_t *buf;
};

static void put_be(uint8_t *b, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* A fresh envelope of ENV_MIN + extra bytes. */
static void env_make(struct env *v, size_t extra, uint64_t epoch)
{
	size_t len = ENV_MIN + extra;
	hearth_envelope_info info;

	memset(v, 0, sizeof *v);
	v->buf = malloc(len);
	assert_non_null(v->buf);
	randombytes_buf(v->buf, len);
	v->e.epoch = epoch;
	/* The top bit set: 64-bit unsigned values survive a signed column. */
	v->e.device = ((uint64_t)randombytes_random() << 32 | randombytes_random()) | 1ull << 63;
	v->e.first_seq = randombytes_uniform(1000) + 1;
	v->e.last_seq = v->e.first_seq + randombytes_uniform(50);
	memcpy(v->buf, "HEARTHEV", 8);
	v->buf[8] = HEARTH_ENVELOPE_FORMAT;
	put_be(v->buf + 25, v->e.epoch, 8);
	put_be(v->buf + 33, v->e.device, 8);
	put_be(v->buf + 41, v->e.first_seq, 8);
	put_be(v->buf + 49, v->e.last_seq, 8);
	put_be(v->buf + 97, len - ENV_HEADER - ENV_SIG, 4);
	assert_int_equal(hearth_envelope_peek(v->buf, len, &info), HEARTH_OK);
	assert_true(info.epoch == epoch && info.device == v->e.device &&
		    info.first_seq == v->e.first_seq && info.last_seq == v->e.last_seq);
	hearth_envelope_id(v->buf, len, v->e.id);
	v->e.bytes = v->buf;
	v->e.len = len;
}

static void env_free(struct env *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].buf);
	free(v);
}

static void new_space(relay_store *st, uint8_t space[RELAY_SPACE_BYTES])
{
	randombytes_buf(space, RELAY_SPACE_BYTES);
	CHECK(st, relay_store_space_add(st, space), 0);
}

/* What a pull gave: copies of each envelope. */
struct got {
	size_t n, cap, bytes, stop_after;
	struct got_one {
		uint64_t seq, epoch, device, first_seq, last_seq;
		uint8_t id[RELAY_ID_BYTES];
		uint8_t *bytes;
		size_t len;
	} *v;
};

static int collect(const relay_envelope *e, void *ctx)
{
	struct got *g = ctx;
	struct got_one *o;

	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->v = realloc(g->v, g->cap * sizeof *g->v);
		assert_non_null(g->v);
	}
	o = &g->v[g->n++];
	o->seq = e->seq;
	o->epoch = e->epoch;
	o->device = e->device;
	o->first_seq = e->first_seq;
	o->last_seq = e->last_seq;
	memcpy(o->id, e->id, RELAY_ID_BYTES);
	o->len = e->len;
	o->bytes = malloc(e->len);
	assert_non_null(o->bytes);
	memcpy(o->bytes, e->bytes, e->len);
	g->bytes += e->len;
	return g->stop_after && g->n == g->stop_after ? 7 : 0;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].bytes);
	free(g->v);
	memset(g, 0, sizeof *g);
}

static void assert_same(const struct got_one *o, const relay_envelope *e)
{
	assert_memory_equal(o->id, e->id, RELAY_ID_BYTES);
	assert_int_equal(o->len, e->len);
	assert_memory_equal(o->bytes, e->bytes, e->len);
	assert_true(o->epoch == e->epoch);
	assert_true(o->device == e->device);
	assert_true(o->first_seq == e->first_seq);
	assert_true(o->last_seq == e->last_seq);
}

/* Puts n fresh envelopes (every `control`-th at epoch 0 when control is
 * not 0) of ENV_MIN + len bytes plus up to `spread` more; returns them. */
static struct env *put_many(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
			    size_t n, size_t len, size_t spread, size_t control,
			    uint64_t first_seq)
{
	struct env *v = calloc(n, sizeof *v);

	assert_non_null(v);
	for (size_t i = 0; i < n; i++) {
		uint64_t seq = 0;
		int added = -1;

		env_make(&v[i], len + (spread ? randombytes_uniform((uint32_t)spread) : 0),
			 control && i % control == 0 ? 0 : 1 + randombytes_uniform(5));
		CHECK(st, relay_store_put(st, space, &v[i].e, 0, &seq, &added), 0);
		assert_true(seq == first_seq + i);
		assert_int_equal(added, 1);
		v[i].e.seq = seq;
	}
	return v;
}

/* Pulls every envelope of space after `after` with a generous limit. */
static void pull_all(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		     uint64_t after, struct got *g)
{
	int more = -1;

	CHECK(st, relay_store_pull(st, space, after, 64u << 20, 0, collect, g, &more), 0);
	assert_int_equal(more, 0);
}

/* A recount: the fingerprint of what pull gives, which must equal what
 * the store kept incrementally, and the buckets must add up to it. */
static void check_fingerprints(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
			       uint64_t expect_count)
{
	relay_space_state s;
	hearth_fp recount, buckets;
	struct got g = { 0 };

	CHECK(st, relay_store_state(st, space, &s), 0);
	pull_all(st, space, 0, &g);
	assert_int_equal(g.n, expect_count);
	hearth_fp_init(&recount);
	for (size_t i = 0; i < g.n; i++) {
		assert_true(g.v[i].seq == i + 1); /* unique, gap-free, in order */
		hearth_fp_add(&recount, g.v[i].id);
	}
	assert_true(s.max_seq == expect_count);
	assert_true(s.fp.count == expect_count);
	assert_true(hearth_fp_equal(&s.fp, &recount));
	assert_true(s.bytes == g.bytes);

	hearth_fp_init(&buckets);
	for (unsigned b = 0; b < HEARTH_FP_BUCKETS; b++) {
		hearth_fp one;

		CHECK(st, relay_store_bucket(st, space, b, &one), 0);
		hearth_fp_merge(&buckets, &one);
	}
	assert_true(hearth_fp_equal(&buckets, &s.fp));
	got_free(&g);
}

static void test_instance_stable(void **state)
{
	uint8_t a[RELAY_INSTANCE_BYTES], b[RELAY_INSTANCE_BYTES], c[RELAY_INSTANCE_BYTES];
	uint8_t zero[RELAY_INSTANCE_BYTES] = { 0 };
	relay_store *st = open_store(), *other;

	(void)state;
	CHECK(st, relay_store_instance(st, a), 0);
	assert_memory_not_equal(a, zero, sizeof a);
	other = open_store();
	CHECK(other, relay_store_instance(other, b), 0);
	relay_store_close(st);
	relay_store_close(other);
	st = open_store();
	CHECK(st, relay_store_instance(st, c), 0);
	assert_memory_equal(a, b, sizeof a);
	assert_memory_equal(a, c, sizeof a);
	relay_store_close(st);
}

static void test_spaces(void **state)
{
	uint8_t space[RELAY_SPACE_BYTES], id[RELAY_ID_BYTES] = { 0 };
	relay_store *st = open_store();
	relay_space_state s;
	struct env v;
	hearth_fp fp;
	uint64_t seq = 99;
	int added = 9;
	struct got g = { 0 };

	(void)state;
	randombytes_buf(space, sizeof space);
	CHECK(st, relay_store_space_exists(st, space), RELAY_ENOTFOUND);
	/* Nothing can be done in a space not registered. */
	env_make(&v, 100, 1);
	CHECK(st, relay_store_put(st, space, &v.e, 0, &seq, &added), RELAY_ENOTFOUND);
	CHECK(st, relay_store_pull(st, space, 0, 1000, 0, collect, &g, NULL), RELAY_ENOTFOUND);
	CHECK(st, relay_store_state(st, space, &s), RELAY_ENOTFOUND);
	CHECK(st, relay_store_bucket(st, space, 3, &fp), RELAY_ENOTFOUND);
	CHECK(st, relay_store_get(st, space, id, collect, &g), RELAY_ENOTFOUND);
	assert_int_equal(g.n, 0);

	CHECK(st, relay_store_space_add(st, space), 0);
	CHECK(st, relay_store_space_add(st, space), RELAY_EEXIST);
	CHECK(st, relay_store_space_exists(st, space), 0);
	CHECK(st, relay_store_state(st, space, &s), 0);
	assert_true(s.max_seq == 0 && s.bytes == 0 && s.control == 0 && s.fp.count == 0);
	hearth_fp_init(&fp);
	assert_true(hearth_fp_equal(&s.fp, &fp));
	CHECK(st, relay_store_pull(st, space, 0, 1000, 0, collect, &g, &added), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(added, 0);
	free(v.buf);
	relay_store_close(st);
}

static void test_put_idempotent(void **state)
{
	uint8_t space[RELAY_SPACE_BYTES];
	relay_store *st = open_store(), *other = open_store();
	struct env *v, extra;
	relay_space_state s;
	uint64_t seq, bytes = 0;
	int added;

	(void)state;
	new_space(st, space);
	v = put_many(st, space, 20, 200, 300, 0, 1);
	for (size_t i = 0; i < 20; i++)
		bytes += v[i].e.len;
	/* Held already, on this handle or another: same number, not added. */
	seq = 0;
	added = -1;
	CHECK(st, relay_store_put(st, space, &v[4].e, 0, &seq, &added), 0);
	assert_true(seq == 5);
	assert_int_equal(added, 0);
	CHECK(other, relay_store_put(other, space, &v[19].e, 0, &seq, &added), 0);
	assert_true(seq == 20);
	assert_int_equal(added, 0);
	CHECK(st, relay_store_state(st, space, &s), 0);
	assert_true(s.max_seq == 20 && s.fp.count == 20 && s.bytes == bytes);
	/* The next new one goes on from there, whichever handle puts it. */
	env_make(&extra, 50, 2);
	CHECK(other, relay_store_put(other, space, &extra.e, 0, &seq, &added), 0);
	assert_true(seq == 21);
	assert_int_equal(added, 1);
	check_fingerprints(st, space, 21);

	/* An id that is not the bytes' BLAKE2b-256: refused, nothing stored. */
	free(extra.buf);
	env_make(&extra, 50, 2);
	extra.e.id[5] ^= 1;
	CHECK(st, relay_store_put(st, space, &extra.e, 0, &seq, &added), RELAY_EINVAL);
	extra.e.id[5] ^= 1;
	memcpy(extra.e.id, v[0].e.id, RELAY_ID_BYTES); /* another's id */
	CHECK(st, relay_store_put(st, space, &extra.e, 0, &seq, &added), RELAY_EINVAL);
	check_fingerprints(st, space, 21);
	free(extra.buf);
	env_free(v, 20);
	relay_store_close(st);
	relay_store_close(other);
}

static void test_quota(void **state)
{
	uint8_t space[RELAY_SPACE_BYTES];
	relay_store *st = open_store();
	relay_space_state before, after;
	struct env *v, big, fits;
	struct got g = { 0 };
	uint64_t seq, quota;
	int added;

	(void)state;
	new_space(st, space);
	v = put_many(st, space, 5, 1000, 0, 2, 1);
	CHECK(st, relay_store_state(st, space, &before), 0);
	assert_true(before.bytes == 5 * v[0].e.len);
	assert_true(before.control == 3);

	/* One byte past the quota: refused, nothing stored. */
	env_make(&big, 1000, 0);
	quota = before.bytes + big.e.len;
	seq = 77;
	CHECK(st, relay_store_put(st, space, &big.e, quota - 1, &seq, &added), RELAY_EQUOTA);
	CHECK(st, relay_store_state(st, space, &after), 0);
	assert_memory_equal(&before, &after, sizeof before);
	CHECK(st, relay_store_get(st, space, big.e.id, collect, &g), RELAY_ENOTFOUND);
	pull_all(st, space, 0, &g);
	assert_int_equal(g.n, 5);
	got_free(&g);

	/* A push repeated after the space filled up is still answered. */
	CHECK(st, relay_store_put(st, space, &v[2].e, 1, &seq, &added), 0);
	assert_true(seq == 3);
	assert_int_equal(added, 0);

	/* Exactly at the quota: stored. */
	CHECK(st, relay_store_put(st, space, &big.e, quota, &seq, &added), 0);
	assert_true(seq == 6);
	assert_int_equal(added, 1);
	env_make(&fits, 0, 3);
	CHECK(st, relay_store_put(st, space, &fits.e, quota, &seq, &added), RELAY_EQUOTA);
	CHECK(st, relay_store_put(st, space, &fits.e, 0, &seq, &added), 0); /* 0: no quota */
	assert_true(seq == 7);
	CHECK(st, relay_store_state(st, space, &after), 0);
	assert_true(after.bytes == quota + fits.e.len && after.control == 4 &&
		    after.max_seq == 7);
	check_fingerprints(st, space, 7);
	free(big.buf);
	free(fits.buf);
	env_free(v, 5);
	relay_store_close(st);
}

static void test_pull(void **state)
{
	uint8_t space[RELAY_SPACE_BYTES];
	relay_store *st = open_store();
	struct got g = { 0 };
	struct env *v;
	size_t control = 0;
	uint64_t cursor;
	int more;

	(void)state;
	new_space(st, space);
	v = put_many(st, space, 30, 100, 900, 4, 1);

	/* Everything, in order, every field as put. */
	pull_all(st, space, 0, &g);
	assert_int_equal(g.n, 30);
	for (size_t i = 0; i < 30; i++) {
		assert_true(g.v[i].seq == i + 1);
		assert_same(&g.v[i], &v[i].e);
	}
	got_free(&g);

	/* After a cursor. */
	pull_all(st, space, 10, &g);
	assert_int_equal(g.n, 20);
	assert_true(g.v[0].seq == 11 && g.v[19].seq == 30);
	got_free(&g);
	pull_all(st, space, 30, &g);
	assert_int_equal(g.n, 0);
	got_free(&g);

	/* A limit of exactly two envelopes' bytes gives those two. */
	more = -1;
	CHECK(st, relay_store_pull(st, space, 0, v[0].e.len + v[1].e.len, 0, collect, &g, &more), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(more, 1);
	got_free(&g);
	/* One byte less gives one; a limit below any envelope still one. */
	CHECK(st, relay_store_pull(st, space, 0, v[0].e.len + v[1].e.len - 1, 0, collect, &g, &more), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(more, 1);
	got_free(&g);
	CHECK(st, relay_store_pull(st, space, 5, 1, 0, collect, &g, &more), 0);
	assert_int_equal(g.n, 1);
	assert_true(g.v[0].seq == 6);
	assert_int_equal(more, 1);
	got_free(&g);
	/* The last one: no more. */
	CHECK(st, relay_store_pull(st, space, 29, 1, 0, collect, &g, &more), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(more, 0);
	got_free(&g);

	/* Pages of at most 2000 bytes walk the whole space once. */
	cursor = 0;
	do {
		struct got page = { 0 };

		CHECK(st, relay_store_pull(st, space, cursor, 2000, 0, collect, &page, &more), 0);
		assert_true(page.n >= 1);
		assert_true(page.n == 1 || page.bytes <= 2000);
		for (size_t i = 0; i < page.n; i++)
			assert_true(page.v[i].seq == cursor + 1 + i);
		cursor = page.v[page.n - 1].seq;
		got_free(&page);
	} while (more);
	assert_true(cursor == 30);

	/* The control plane alone: every fourth, from the first. */
	CHECK(st, relay_store_pull(st, space, 0, 64u << 20, 1, collect, &g, &more), 0);
	for (size_t i = 0; i < 30; i++)
		control += v[i].e.epoch == 0;
	assert_int_equal(g.n, control);
	for (size_t i = 0; i < g.n; i++) {
		assert_true(g.v[i].seq == 4 * i + 1);
		assert_true(g.v[i].epoch == 0);
	}
	assert_int_equal(more, 0);
	got_free(&g);
	CHECK(st, relay_store_pull(st, space, 1, 1, 1, collect, &g, &more), 0);
	assert_int_equal(g.n, 1);
	assert_true(g.v[0].seq == 5);
	assert_int_equal(more, 1);
	got_free(&g);

	/* The callback stops the walk; its value is returned. */
	g.stop_after = 3;
	CHECK(st, relay_store_pull(st, space, 0, 64u << 20, 0, collect, &g, &more), 7);
	assert_int_equal(g.n, 3);
	got_free(&g);
	env_free(v, 30);
	relay_store_close(st);
}

/* More envelopes than one step of a store's reading (PostgreSQL reads
 * 1024 lengths at a time): a generous limit still gives them all. */
static void test_pull_many(void **state)
{
	uint8_t space[RELAY_SPACE_BYTES];
	relay_store *st = open_store();
	struct got g = { 0 };
	struct env *v;
	int more;

	(void)state;
	new_space(st, space);
	v = put_many(st, space, 1100, 64, 0, 0, 1);
	pull_all(st, space, 0, &g);
	assert_int_equal(g.n, 1100);
	for (size_t i = 0; i < g.n; i++)
		assert_true(g.v[i].seq == i + 1);
	got_free(&g);
	/* The limit reached exactly at the 1000th. */
	CHECK(st, relay_store_pull(st, space, 0, 1000 * v[0].e.len, 0, collect, &g, &more), 0);
	assert_int_equal(g.n, 1000);
	assert_int_equal(more, 1);
	got_free(&g);
	CHECK(st, relay_store_pull(st, space, 0, 1024 * v[0].e.len, 0, collect, &g, &more), 0);
	assert_int_equal(g.n, 1024);
	assert_int_equal(more, 1);
	got_free(&g);
	env_free(v, 1100);
	relay_store_close(st);
}

static void test_get(void **state)
{
	uint8_t space[RELAY_SPACE_BYTES], other[RELAY_SPACE_BYTES], id[RELAY_ID_BYTES];
	relay_store *st = open_store();
	struct got g = { 0 };
	struct env *v;

	(void)state;
	new_space(st, space);
	new_space(st, other);
	v = put_many(st, space, 10, 300, 300, 3, 1);
	CHECK(st, relay_store_get(st, space, v[6].e.id, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_true(g.v[0].seq == 7);
	assert_same(&g.v[0], &v[6].e);
	got_free(&g);
	/* Not in that space, or not at all. */
	CHECK(st, relay_store_get(st, other, v[6].e.id, collect, &g), RELAY_ENOTFOUND);
	randombytes_buf(id, sizeof id);
	CHECK(st, relay_store_get(st, space, id, collect, &g), RELAY_ENOTFOUND);
	assert_int_equal(g.n, 0);
	env_free(v, 10);
	relay_store_close(st);
}

struct ids {
	size_t n;
	uint8_t (*v)[RELAY_ID_BYTES];
};

static int collect_id(const uint8_t id[RELAY_ID_BYTES], void *ctx)
{
	struct ids *l = ctx;

	memcpy(l->v[l->n++], id, RELAY_ID_BYTES);
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, RELAY_ID_BYTES);
}

static void test_fingerprints(void **state)
{
	enum { N = 300 };
	uint8_t space[RELAY_SPACE_BYTES];
	relay_store *st = open_store();
	uint8_t (*all)[RELAY_ID_BYTES] = calloc(N + 2, RELAY_ID_BYTES);
	struct ids list = { 0, calloc(N + 2, RELAY_ID_BYTES) };
	struct env *v, edge[2];
	relay_space_state s;
	hearth_fp fp;
	uint64_t seq;
	int added;

	(void)state;
	assert_non_null(all);
	assert_non_null(list.v);
	new_space(st, space);
	v = put_many(st, space, N, 80, 200, 10, 1);
	/* The first and last buckets are not left to chance. */
	memset(edge, 0, sizeof edge);
	for (int k = 0; k < 2; k++) {
		do {
			if (edge[k].buf)
				free(edge[k].buf);
			env_make(&edge[k], 90, 1);
		} while (edge[k].e.id[0] != (k ? 255 : 0));
		CHECK(st, relay_store_put(st, space, &edge[k].e, 0, &seq, &added), 0);
		assert_true(seq == N + 1 + (unsigned)k);
	}
	check_fingerprints(st, space, N + 2);

	for (size_t i = 0; i < N; i++)
		memcpy(all[i], v[i].e.id, RELAY_ID_BYTES);
	memcpy(all[N], edge[0].e.id, RELAY_ID_BYTES);
	memcpy(all[N + 1], edge[1].e.id, RELAY_ID_BYTES);
	qsort(all, N + 2, RELAY_ID_BYTES, cmp_id);
	/* Each bucket's list: exactly its ids, in id order; and its
	 * fingerprint their recount. */
	for (unsigned b = 0, at = 0; b < HEARTH_FP_BUCKETS; b++) {
		hearth_fp recount;

		list.n = 0;
		CHECK(st, relay_store_bucket_ids(st, space, b, collect_id, &list), 0);
		hearth_fp_init(&recount);
		for (size_t i = 0; i < list.n; i++, at++) {
			assert_memory_equal(list.v[i], all[at], RELAY_ID_BYTES);
			assert_int_equal(list.v[i][0], b);
			hearth_fp_add(&recount, list.v[i]);
		}
		CHECK(st, relay_store_bucket(st, space, b, &fp), 0);
		assert_true(hearth_fp_equal(&fp, &recount));
		if (b == 0 || b == 255)
			assert_true(list.n >= 1);
		if (b == 255)
			assert_int_equal(at, N + 2);
	}
	CHECK(st, relay_store_bucket(st, space, 256, &fp), RELAY_EINVAL);
	CHECK(st, relay_store_bucket_ids(st, space, 256, collect_id, &list), RELAY_EINVAL);
	/* A repeated put changes nothing. */
	CHECK(st, relay_store_put(st, space, &v[7].e, 0, &seq, &added), 0);
	assert_int_equal(added, 0);
	check_fingerprints(st, space, N + 2);
	CHECK(st, relay_store_state(st, space, &s), 0);
	assert_true(s.control == N / 10);
	free(edge[0].buf);
	free(edge[1].buf);
	env_free(v, N);
	free(all);
	free(list.v);
	relay_store_close(st);
}

static void test_nonce(void **state)
{
	const int64_t now = 1800000000, window = 600;
	uint8_t nonce[RELAY_NONCE_BYTES], other_nonce[RELAY_NONCE_BYTES];
	relay_store *st = open_store(), *other = open_store();
	uint64_t dev = ((uint64_t)randombytes_random() << 32) | randombytes_random();

	(void)state;
	randombytes_buf(nonce, sizeof nonce);
	randombytes_buf(other_nonce, sizeof other_nonce);
	CHECK(st, relay_store_nonce(st, dev, nonce, now, now, window), 0);
	CHECK(st, relay_store_nonce(st, dev, nonce, now, now + 1, window), RELAY_EREPLAY);
	/* Another relay process on the same store refuses it too. */
	CHECK(other, relay_store_nonce(other, dev, nonce, now + 5, now + 5, window), RELAY_EREPLAY);
	/* The same nonce from another device, another nonce: both fine. */
	CHECK(other, relay_store_nonce(other, dev ^ 1, nonce, now, now, window), 0);
	CHECK(st, relay_store_nonce(st, dev, other_nonce, now, now, window), 0);
	/* Still within the window at its very end. */
	CHECK(st, relay_store_nonce(st, dev, nonce, now + window, now + window, window), RELAY_EREPLAY);
	/* Forgotten once older than the window: accepted, then held again. */
	CHECK(other, relay_store_nonce(other, dev, nonce, now + window + 1, now + window + 1, window), 0);
	CHECK(st, relay_store_nonce(st, dev, nonce, now + window + 2, now + window + 2, window),
	      RELAY_EREPLAY);
	/* Devices differing in the top bit only are two devices. */
	randombytes_buf(nonce, sizeof nonce);
	CHECK(st, relay_store_nonce(st, dev | (1ull << 63), nonce, now + 700, now + 700, window), 0);
	CHECK(st, relay_store_nonce(st, dev & ~(1ull << 63), nonce, now + 700, now + 700, window), 0);
	CHECK(other, relay_store_nonce(other, dev | (1ull << 63), nonce, now + 701, now + 701, window),
	      RELAY_EREPLAY);
	relay_store_close(st);
	relay_store_close(other);
}

/* Children that start together: each blocks on the read end of go until
 * the parent closes the write end. */
static pid_t child(int go[2], int out[2], int (*fn)(void *arg, int fd), void *arg)
{
	pid_t pid = fork();
	char c;

	assert_true(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		close(out[0]);
		if (read(go[0], &c, 1) < 0)
			_exit(2);
		_exit(fn(arg, out[1]));
	}
	return pid;
}

static void reap(pid_t *pids, int n)
{
	for (int i = 0; i < n; i++) {
		int status = 0;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			print_error("child %d ended with status %d\n", i, status);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

struct pusher {
	const uint8_t *space;
	struct env *v; /* NULL: make `n` fresh ones */
	size_t n;
};

/* In a child: puts n envelopes; writes how many it added to fd. */
static int push_child(void *arg, int fd)
{
	struct pusher *p = arg;
	relay_store *st = NULL;
	char err[512];
	uint32_t added_total = 0;
	int rc = 0;

	randombytes_stir();
	if (relay_store_open(uri, &st, err, sizeof err) != 0) {
		fprintf(stderr, "child: %s\n", err);
		return 3;
	}
	for (size_t i = 0; rc == 0 && i < p->n; i++) {
		struct env own = { 0 };
		const relay_envelope *e;
		uint64_t seq = 0;
		int added = -1;

		if (p->v) {
			e = &p->v[i].e;
		} else {
			env_make(&own, 64 + randombytes_uniform(200), randombytes_uniform(3));
			e = &own.e;
		}
		rc = relay_store_put(st, p->space, e, 0, &seq, &added);
		if (rc)
			fprintf(stderr, "child: put %zu: %d %s\n", i, rc, relay_store_error(st));
		else if (seq < 1 || seq > 1000 || (added != 0 && added != 1))
			rc = 4;
		added_total += (uint32_t)(added == 1);
		free(own.buf);
	}
	relay_store_close(st);
	if (write(fd, &added_total, sizeof added_total) != sizeof added_total)
		return 5;
	return rc ? 1 : 0;
}

/* Two processes, each pushing `each` envelopes into one space at once
 * (shared: the same ones); the added counts they report are returned. */
static uint32_t push_together(relay_store **st, const uint8_t space[RELAY_SPACE_BYTES],
			      struct env *shared, size_t each)
{
	int go[2], out[2];
	pid_t pids[2];
	struct pusher p = { space, shared, each };
	uint32_t total = 0;

	/* No connection crosses a fork. */
	relay_store_close(*st);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(out), 0);
	for (int i = 0; i < 2; i++)
		pids[i] = child(go, out, push_child, &p);
	close(go[0]);
	close(go[1]); /* go */
	close(out[1]);
	reap(pids, 2);
	for (int i = 0; i < 2; i++) {
		uint32_t n = 0;

		assert_int_equal(read(out[0], &n, sizeof n), sizeof n);
		total += n;
	}
	close(out[0]);
	*st = open_store();
	return total;
}

static void test_concurrent_puts(void **state)
{
	uint8_t space[RELAY_SPACE_BYTES];
	relay_store *st = open_store();

	(void)state;
	new_space(st, space);
	assert_int_equal(push_together(&st, space, NULL, 500), 1000);
	check_fingerprints(st, space, 1000);
	relay_store_close(st);
}

/* Both processes push the same envelopes at once: each stored once. */
static void test_concurrent_same(void **state)
{
	enum { N = 200 };
	uint8_t space[RELAY_SPACE_BYTES];
	relay_store *st = open_store();
	struct env *v = calloc(N, sizeof *v);
	struct got g = { 0 };

	(void)state;
	assert_non_null(v);
	new_space(st, space);
	for (size_t i = 0; i < N; i++)
		env_make(&v[i], 100, 1);
	assert_int_equal(push_together(&st, space, v, N), N);
	check_fingerprints(st, space, N);
	for (size_t i = 0; i < N; i++) {
		CHECK(st, relay_store_get(st, space, v[i].e.id, collect, &g), 0);
		assert_same(&g.v[g.n - 1], &v[i].e);
	}
	got_free(&g);
	env_free(v, N);
	relay_store_close(st);
}

/* PostgreSQL: SQL on the test's own connection. */
static void pg_exec(const char *conninfo, const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK)
		print_error("%s\n", PQerrorMessage(c));
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		print_error("%s: %s\n", sql, PQresultErrorMessage(r));
	assert_true(PQresultStatus(r) == PGRES_COMMAND_OK ||
		    PQresultStatus(r) == PGRES_TUPLES_OK);
	PQclear(r);
	PQfinish(c);
}

/* The URI with one more query parameter. */
static char *uri_with(const char *param)
{
	size_t n = strlen(uri) + strlen(param) + 2;
	char *u = malloc(n);

	assert_non_null(u);
	snprintf(u, n, "%s%c%s", uri, strchr(uri, '?') ? '&' : '?', param);
	return u;
}

static int open_child(void *arg, int fd)
{
	relay_store *st = NULL;
	uint8_t id[RELAY_INSTANCE_BYTES];
	char err[512];

	if (relay_store_open(arg, &st, err, sizeof err) != 0) {
		fprintf(stderr, "child: %s\n", err);
		return 3;
	}
	if (relay_store_instance(st, id) != 0 || write(fd, id, sizeof id) != sizeof id)
		return 4;
	relay_store_close(st);
	return 0;
}

/* Six relay processes starting at once on an empty database: every one
 * opens it (the schema is made once, under the advisory lock), and all
 * see one instance id. */
static void test_pg_concurrent_create(void **state)
{
	enum { K = 6 };
	char name[64], sql[128], param[80], *fresh;
	uint8_t ids[K][RELAY_INSTANCE_BYTES];
	int go[2], out[2];
	pid_t pids[K];

	(void)state;
	if (!is_pg())
		skip();
	snprintf(name, sizeof name, "relay_fresh_%ld", (long)getpid());
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	pg_exec(uri, sql);
	snprintf(param, sizeof param, "dbname=%s", name);
	fresh = uri_with(param);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(out), 0);
	for (int i = 0; i < K; i++)
		pids[i] = child(go, out, open_child, fresh);
	close(go[0]);
	close(go[1]);
	close(out[1]);
	reap(pids, K);
	for (int i = 0; i < K; i++) {
		assert_int_equal(read(out[0], ids[i], sizeof ids[i]), sizeof ids[i]);
		assert_memory_equal(ids[i], ids[0], sizeof ids[0]);
	}
	close(out[0]);
	snprintf(sql, sizeof sql, "DROP DATABASE %s", name);
	pg_exec(uri, sql);
	free(fresh);
}

/* PostgreSQL restarted or the connection cut: the call that finds out
 * fails (the relay answers 503), the next one works again. */
static void test_pg_reconnect(void **state)
{
	char app[64], sql[192], *u;
	uint8_t space[RELAY_SPACE_BYTES];
	relay_store *st = NULL;
	relay_space_state s;
	struct env v;
	uint64_t seq;
	char err[512];
	int rc, added;

	(void)state;
	if (!is_pg())
		skip();
	snprintf(app, sizeof app, "application_name=relay_victim_%ld", (long)getpid());
	u = uri_with(app);
	assert_int_equal(relay_store_open(u, &st, err, sizeof err), 0);
	new_space(st, space);
	snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
		 "WHERE application_name = '%s'", app + strlen("application_name="));
	pg_exec(uri, sql);
	rc = relay_store_state(st, space, &s);
	assert_int_equal(rc, RELAY_EIO);
	assert_non_null(strstr(relay_store_error(st), "store query failed"));
	CHECK(st, relay_store_state(st, space, &s), 0);
	assert_true(s.max_seq == 0);
	CHECK(st, relay_store_space_add(st, space), RELAY_EEXIST);

	/* The same in the middle of puts. */
	env_make(&v, 10, 1);
	CHECK(st, relay_store_put(st, space, &v.e, 0, &seq, &added), 0);
	pg_exec(uri, sql);
	assert_int_equal(relay_store_put(st, space, &v.e, 0, &seq, &added), RELAY_EIO);
	CHECK(st, relay_store_put(st, space, &v.e, 0, &seq, &added), 0);
	assert_true(seq == 1);
	assert_int_equal(added, 0);
	check_fingerprints(st, space, 1);
	free(v.buf);
	relay_store_close(st);
	free(u);
}

/* PostgreSQL: one integer that sql gives, on a connection of the test's own. */
static long long pg_value(const char *conninfo, const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r;
	long long v;

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		print_error("%s: %s\n", sql, PQresultErrorMessage(r));
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(r), 1);
	v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
	return v;
}

/* The server's WAL flushes so far (pg_stat_wal.wal_sync), once the store
 * session named app has ended: a session adds its counts to the shared
 * statistics when it ends, before it leaves pg_stat_activity. */
static long long pg_syncs_after(const char *app)
{
	char sql[192];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_stat_activity "
		 "WHERE application_name = '%s'", app);
	for (int i = 0; pg_value(uri, sql) != 0; i++) {
		assert_true(i < 3000);
		usleep(10000);
	}
	return pg_value(uri, "SELECT wal_sync FROM pg_stat_wal");
}

/* What waits for the disk on PostgreSQL: every put's commit (an
 * acknowledged push is durable), and not a nonce's (docs/protocol.md
 * §13.3; a pull's one write).  The server's WAL writer flushes too, now
 * and then, so the counts are bounds: at least one flush per put (less a
 * quarter for flushes the WAL writer did first), far fewer than one per
 * nonce.  Nonces still refused across sessions: test_nonce. */
static void test_pg_flushes(void **state)
{
	enum { PUTS = 40, NONCES = 200 };
	char app[64], *u;
	uint8_t space[RELAY_SPACE_BYTES], nonce[RELAY_NONCE_BYTES];
	relay_store *st = NULL;
	struct env *v;
	long long s0, s1, s2;
	char err[512];

	(void)state;
	if (!is_pg())
		skip();
	snprintf(app, sizeof app, "application_name=relay_flush_%ld", (long)getpid());
	u = uri_with(app);

	s0 = pg_value(uri, "SELECT wal_sync FROM pg_stat_wal");
	assert_int_equal(relay_store_open(u, &st, err, sizeof err), 0);
	new_space(st, space);
	v = put_many(st, space, PUTS, 64, 0, 0, 1);
	relay_store_close(st);
	s1 = pg_syncs_after(app + strlen("application_name="));
	print_message("%d puts: %lld WAL flushes\n", PUTS, s1 - s0);
	assert_true(s1 - s0 >= PUTS * 3 / 4);

	assert_int_equal(relay_store_open(u, &st, err, sizeof err), 0);
	for (int i = 0; i < NONCES; i++) {
		randombytes_buf(nonce, sizeof nonce);
		CHECK(st, relay_store_nonce(st, 77, nonce, 1800000000, 1800000000, 600), 0);
	}
	relay_store_close(st);
	s2 = pg_syncs_after(app + strlen("application_name="));
	print_message("%d nonces: %lld WAL flushes\n", NONCES, s2 - s1);
	assert_true(s2 - s1 < NONCES / 4);
	env_free(v, PUTS);
	free(u);
}

/* "sqlite:" alone: a fresh file in a directory of the run's own. */
static char sqlite_dir[64], sqlite_uri[128];

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	uri = getenv("HEARTH_RELAY_STORE_URI");
	if (!uri || !*uri) {
		fprintf(stderr, "test_relay_store: set HEARTH_RELAY_STORE_URI "
				"(meson runs it through tests/tools/with_pg.sh)\n");
		return -1;
	}
	if (strcmp(uri, "sqlite:") == 0) {
		snprintf(sqlite_dir, sizeof sqlite_dir, "/tmp/hearth-relay-store.XXXXXX");
		if (!mkdtemp(sqlite_dir))
			return -1;
		snprintf(sqlite_uri, sizeof sqlite_uri, "sqlite:%s/store.db", sqlite_dir);
		uri = sqlite_uri;
	}
	return 0;
}

static int teardown(void **state)
{
	static const char *const files[] = { "store.db", "store.db-wal", "store.db-shm" };
	char path[128];

	(void)state;
	if (!sqlite_dir[0])
		return 0;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", sqlite_dir, files[i]);
		unlink(path);
	}
	return rmdir(sqlite_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_instance_stable),
		cmocka_unit_test(test_spaces),
		cmocka_unit_test(test_put_idempotent),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_pull),
		cmocka_unit_test(test_pull_many),
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_fingerprints),
		cmocka_unit_test(test_nonce),
		cmocka_unit_test(test_concurrent_puts),
		cmocka_unit_test(test_concurrent_same),
		cmocka_unit_test(test_pg_concurrent_create),
		cmocka_unit_test(test_pg_reconnect),
		cmocka_unit_test(test_pg_flushes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
