/*
 * test_store.c - the record store: local writes and their ops, merging of
 * remote ops, ops kept aside, id prefixes, transactions, the persisted
 * clock, the canonical dump.
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

#include "hearth/schema.h"
#include "hearth/store.h"

#define T0 UINT64_C(1700000000000) /* 2023-11-14, a fixed "now" */
#define HOUR UINT64_C(3600000)
#define DEV_R UINT64_C(0x5151515151515151) /* a remote device */

/* A wall clock the test moves by hand. */
static uint64_t fake_now(void *ctx)
{
	return *(const uint64_t *)ctx;
}

typedef struct fixture {
	sqlite3 *db;
	hearth_store *s;
	uint64_t now;
} fixture;

static void open_db(sqlite3 **db, const char *path)
{
	assert_int_equal(sqlite3_open(path, db), SQLITE_OK);
	assert_int_equal(hearth_schema_migrate(*db, hearth_schema_latest()), HEARTH_OK);
}

static hearth_store *open_store(sqlite3 *db, uint64_t *now)
{
	hearth_store_options opt = { fake_now, now, 0 };
	hearth_store *s = NULL;

	if (hearth_store_open(db, &opt, &s) != HEARTH_OK)
		fail_msg("cannot open store: %s", hearth_errdetail());
	return s;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);

	assert_non_null(f);
	f->now = T0;
	open_db(&f->db, ":memory:");
	f->s = open_store(f->db, &f->now);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	hearth_store_close(f->s);
	sqlite3_close(f->db);
	free(f);
	return 0;
}

static long count_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

#define OK(call) do { \
	hearth_status st_ = (call); \
	if (st_ != HEARTH_OK) \
		fail_msg("%s: %s (%s)", #call, hearth_strerror(st_), hearth_errdetail()); \
} while (0)

/* ---- collecting ops ---------------------------------------------------- */

typedef struct stored {
	hearth_op op;
	char kind[32], field[32], value[128];
	int has_value;
} stored;

typedef struct op_list {
	stored v[64];
	size_t n;
	size_t stop_after; /* 0: never stop */
} op_list;

static int collect(const hearth_op *op, void *ctx)
{
	op_list *l = ctx;
	stored *o;

	assert_true(l->n < 64);
	o = &l->v[l->n++];
	o->op = *op;
	snprintf(o->kind, sizeof o->kind, "%s", op->kind);
	snprintf(o->field, sizeof o->field, "%s", op->field);
	o->has_value = op->value != NULL;
	snprintf(o->value, sizeof o->value, "%s", op->value ? op->value : "");
	return l->stop_after != 0 && l->n >= l->stop_after;
}

static hearth_op remote_op(uint64_t ms, uint16_t ctr, uint64_t dev,
			   const hearth_id *rec, const char *kind,
			   const char *field, const char *value)
{
	hearth_op op;

	memset(&op, 0, sizeof op);
	op.hlc = hearth_hlc_make(ms, ctr, dev);
	memset(op.space.b, 0x55, sizeof op.space.b);
	op.record = *rec;
	op.kind = kind;
	op.field = field;
	op.value = value;
	return op;
}

static hearth_id id_of(const char *hex)
{
	hearth_id id;

	if (hearth_id_from_hex(&id, hex) != HEARTH_OK)
		fail_msg("bad id in test: %s", hex);
	return id;
}

/* ---- tests --------------------------------------------------------------- */

static void test_ids(void **state)
{
	hearth_id a = hearth_id_random(), b = hearth_id_random(), c;
	char hex[HEARTH_ID_HEX + 1];

	(void)state;
	assert_false(hearth_id_equal(&a, &b));
	hearth_id_to_hex(&a, hex);
	assert_int_equal(strlen(hex), 32);
	OK(hearth_id_from_hex(&c, hex));
	assert_true(hearth_id_equal(&a, &c));
	OK(hearth_id_from_hex(&c, "00112233445566778899AABBCCDDEEFF"));
	hearth_id_to_hex(&c, hex);
	assert_string_equal(hex, "00112233445566778899aabbccddeeff");
	assert_int_equal(hearth_id_from_hex(&c, "00112233"), HEARTH_EFORMAT);
	assert_int_equal(hearth_id_from_hex(&c, "00112233445566778899aabbccddeefg"),
		HEARTH_EFORMAT);
	assert_int_equal(hearth_id_from_hex(&c, "00112233445566778899aabbccddeeff0"),
		HEARTH_EFORMAT);
	assert_int_equal(hearth_id_from_hex(&c, NULL), HEARTH_EFORMAT);
}

static void test_create_set_get_clear_delete(void **state)
{
	fixture *f = *state;
	hearth_record *r = NULL;
	hearth_id id, space = hearth_store_private_space(f->s);

	OK(hearth_record_create(f->s, NULL, "person", &id));
	OK(hearth_record_load(f->s, &id, &r));
	assert_true(hearth_id_equal(&r->id, &id));
	assert_true(hearth_id_equal(&r->space, &space));
	assert_string_equal(r->kind, "person");
	assert_int_equal(r->deleted, 0);
	assert_int_equal(r->nfields, 0); /* "_kind" is not listed */
	assert_int_equal(hearth_hlc_ms(&r->created), T0);
	assert_int_equal(hearth_hlc_device(&r->created), hearth_store_device(f->s));
	hearth_record_free(r);

	OK(hearth_record_set(f->s, &id, "name", "Li Wei"));
	OK(hearth_record_set(f->s, &id, "unit", "Workshop 3"));
	OK(hearth_record_set(f->s, &id, "phone", "13800000000"));
	OK(hearth_record_set(f->s, &id, "name", "Li Wei (W.)"));
	OK(hearth_record_set(f->s, &id, "empty", ""));
	OK(hearth_record_load(f->s, &id, &r));
	assert_int_equal(r->nfields, 4);
	assert_string_equal(r->fields[0].name, "empty");
	assert_string_equal(r->fields[1].name, "name");
	assert_string_equal(r->fields[2].name, "phone");
	assert_string_equal(r->fields[3].name, "unit");
	assert_string_equal(hearth_record_field(r, "name"), "Li Wei (W.)");
	assert_string_equal(hearth_record_field(r, "empty"), "");
	assert_null(hearth_record_field(r, "nickname"));
	assert_null(hearth_record_field(r, "_kind"));
	assert_true(hearth_hlc_cmp(&r->fields[3].hlc, &r->fields[1].hlc) < 0);
	hearth_record_free(r);

	/* Clearing removes the value but keeps the row and its HLC. */
	OK(hearth_record_set(f->s, &id, "phone", NULL));
	OK(hearth_record_load(f->s, &id, &r));
	assert_int_equal(r->nfields, 3);
	assert_null(hearth_record_field(r, "phone"));
	hearth_record_free(r);
	assert_int_equal(count_rows(f->db,
		"SELECT count(*) FROM field WHERE name='phone' AND value IS NULL"), 1);

	OK(hearth_record_delete(f->s, &id));
	OK(hearth_record_load(f->s, &id, &r));
	assert_int_equal(r->deleted, 1);
	assert_string_equal(hearth_record_field(r, "name"), "Li Wei (W.)");
	hearth_record_free(r);

	/* Misuse. */
	assert_int_equal(hearth_record_set(f->s, &id, "_deleted", "0"), HEARTH_EINVAL);
	assert_int_equal(hearth_record_set(f->s, &id, "", "x"), HEARTH_EINVAL);
	assert_int_equal(hearth_record_set(f->s, &id, "name", "\xff\xfe"), HEARTH_EINVAL);
	assert_int_equal(hearth_record_set(f->s, &id, "bad\xc0\x80", "x"), HEARTH_EINVAL);
	assert_int_equal(hearth_record_create(f->s, NULL, "", &id), HEARTH_EINVAL);
	hearth_id unknown = hearth_id_random();
	assert_int_equal(hearth_record_set(f->s, &unknown, "name", "x"), HEARTH_ENOTFOUND);
	assert_int_equal(hearth_record_delete(f->s, &unknown), HEARTH_ENOTFOUND);
	assert_int_equal(hearth_record_load(f->s, &unknown, &r), HEARTH_ENOTFOUND);
	assert_null(r);
}

static void test_chinese_text_round_trip(void **state)
{
	fixture *f = *state;
	/* Han, full-width punctuation, a 4-byte character, an emoji. */
	const char *name = "张晓燕（化名）";
	const char *note = "心灵驿站：第三次疏导后情绪稳定，继续跟进。\n𠀋 😊";
	hearth_record *r = NULL;
	hearth_id id;
	op_list l = { 0 };

	OK(hearth_record_create(f->s, NULL, "person", &id));
	OK(hearth_record_set(f->s, &id, "姓名", name));
	OK(hearth_record_set(f->s, &id, "note", note));
	OK(hearth_record_load(f->s, &id, &r));
	assert_int_equal(r->nfields, 2);
	assert_memory_equal(hearth_record_field(r, "姓名"), name, strlen(name) + 1);
	assert_memory_equal(hearth_record_field(r, "note"), note, strlen(note) + 1);
	hearth_record_free(r);
	OK(hearth_store_ops(f->s, 0, NULL, NULL, collect, &l));
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[1].field, "姓名");
	assert_memory_equal(l.v[1].value, name, strlen(name) + 1);
}

static void test_ops_appended(void **state)
{
	fixture *f = *state;
	hearth_id id, space;
	op_list l = { 0 };
	uint64_t dev = hearth_store_device(f->s);
	size_t i;

	memset(space.b, 0xab, sizeof space.b);
	OK(hearth_record_create(f->s, &space, "screening", &id));
	f->now += 5;
	OK(hearth_record_set(f->s, &id, "score", "12"));
	OK(hearth_record_set(f->s, &id, "score", NULL));
	OK(hearth_record_delete(f->s, &id));
	OK(hearth_store_ops(f->s, 0, NULL, NULL, collect, &l));
	assert_int_equal(l.n, 4);
	for (i = 0; i < l.n; i++) {
		assert_true(hearth_id_equal(&l.v[i].op.record, &id));
		assert_true(hearth_id_equal(&l.v[i].op.space, &space));
		assert_string_equal(l.v[i].kind, "screening");
		assert_int_equal(hearth_hlc_device(&l.v[i].op.hlc), dev);
		if (i > 0)
			assert_true(hearth_hlc_cmp(&l.v[i - 1].op.hlc, &l.v[i].op.hlc) < 0);
	}
	assert_string_equal(l.v[0].field, "_kind");
	assert_string_equal(l.v[0].value, "screening");
	assert_int_equal(hearth_hlc_ms(&l.v[0].op.hlc), T0);
	assert_string_equal(l.v[1].field, "score");
	assert_string_equal(l.v[1].value, "12");
	assert_int_equal(hearth_hlc_ms(&l.v[1].op.hlc), T0 + 5);
	assert_int_equal(hearth_hlc_counter(&l.v[1].op.hlc), 0);
	assert_int_equal(hearth_hlc_counter(&l.v[2].op.hlc), 1);
	assert_string_equal(l.v[2].field, "score");
	assert_int_equal(l.v[2].has_value, 0);
	assert_string_equal(l.v[3].field, "_deleted");
	assert_string_equal(l.v[3].value, "1");
	/* The record row follows the ops. */
	assert_int_equal(count_rows(f->db, "SELECT deleted FROM record"), 1);
	/* A record with no fields at all still has its op to sync. */
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM op"), 4);
}

static void test_ops_by_device_and_range(void **state)
{
	fixture *f = *state;
	hearth_id a, b = id_of("00000000000000000000000000000042");
	hearth_op rops[3];
	hearth_hlc from, to;
	op_list l = { 0 };
	uint64_t dev = hearth_store_device(f->s);

	OK(hearth_record_create(f->s, NULL, "person", &a));     /* T0 */
	f->now = T0 + 10;
	OK(hearth_record_set(f->s, &a, "name", "A"));           /* T0+10 */
	rops[0] = remote_op(T0 + 5, 0, DEV_R, &b, "person", "_kind", "person");
	rops[1] = remote_op(T0 + 15, 0, DEV_R, &b, "person", "name", "B");
	rops[2] = remote_op(T0 + 25, 3, DEV_R, &b, "person", "name", "B2");
	OK(hearth_store_apply(f->s, rops, 3, NULL));
	f->now = T0 + 30;
	OK(hearth_record_set(f->s, &a, "name", "A2"));          /* T0+30 */

	/* Everything, in HLC order, local and remote interleaved. */
	OK(hearth_store_ops(f->s, 0, NULL, NULL, collect, &l));
	assert_int_equal(l.n, 6);
	assert_int_equal(hearth_hlc_ms(&l.v[0].op.hlc), T0);
	assert_int_equal(hearth_hlc_ms(&l.v[1].op.hlc), T0 + 5);
	assert_int_equal(hearth_hlc_ms(&l.v[2].op.hlc), T0 + 10);
	assert_int_equal(hearth_hlc_ms(&l.v[3].op.hlc), T0 + 15);
	assert_int_equal(hearth_hlc_ms(&l.v[4].op.hlc), T0 + 25);
	assert_int_equal(hearth_hlc_ms(&l.v[5].op.hlc), T0 + 30);
	assert_string_equal(l.v[4].value, "B2");
	assert_string_equal(l.v[5].value, "A2");

	/* Per device. */
	memset(&l, 0, sizeof l);
	OK(hearth_store_ops(f->s, DEV_R, NULL, NULL, collect, &l));
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[2].value, "B2");
	memset(&l, 0, sizeof l);
	OK(hearth_store_ops(f->s, dev, NULL, NULL, collect, &l));
	assert_int_equal(l.n, 3);

	/* Inclusive range bounds. */
	from = hearth_hlc_make(T0 + 5, 0, DEV_R);
	to = hearth_hlc_make(T0 + 15, 0, DEV_R);
	memset(&l, 0, sizeof l);
	OK(hearth_store_ops(f->s, 0, &from, &to, collect, &l));
	assert_int_equal(l.n, 3);
	memset(&l, 0, sizeof l);
	OK(hearth_store_ops(f->s, DEV_R, &from, &to, collect, &l));
	assert_int_equal(l.n, 2);
	/* "Since what I last saw": everything after a given op. */
	from = hearth_hlc_make(T0 + 15, 1, 0);
	memset(&l, 0, sizeof l);
	OK(hearth_store_ops(f->s, DEV_R, &from, NULL, collect, &l));
	assert_int_equal(l.n, 1);
	assert_int_equal(hearth_hlc_counter(&l.v[0].op.hlc), 3);
	/* The callback stops the walk. */
	memset(&l, 0, sizeof l);
	l.stop_after = 2;
	OK(hearth_store_ops(f->s, 0, NULL, NULL, collect, &l));
	assert_int_equal(l.n, 2);
	/* An empty range. */
	from = hearth_hlc_make(T0 + 20, 0, 0);
	to = hearth_hlc_make(T0 + 1, 0, 0);
	memset(&l, 0, sizeof l);
	OK(hearth_store_ops(f->s, 0, &from, &to, collect, &l));
	assert_int_equal(l.n, 0);
}

static void test_reopen_after_clock_went_back(void **state)
{
	char dir[] = "/tmp/hearth-store-XXXXXX", path[64];
	uint64_t now = T0, dev;
	sqlite3 *db = NULL;
	hearth_store *s = NULL;
	hearth_id id, space;
	op_list l = { 0 };
	int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/store.db", dir);
	open_db(&db, path);
	s = open_store(db, &now);
	dev = hearth_store_device(s);
	space = hearth_store_private_space(s);
	assert_true(dev != 0);
	OK(hearth_record_create(s, NULL, "person", &id));
	for (i = 0; i < 5; i++)
		OK(hearth_record_set(s, &id, "n", "x"));
	hearth_store_close(s);
	sqlite3_close(db);

	/* The wall clock is now a day behind. */
	now = T0 - 24 * HOUR;
	open_db(&db, path);
	s = open_store(db, &now);
	assert_int_equal(hearth_store_device(s), dev);
	hearth_id space2 = hearth_store_private_space(s);
	assert_true(hearth_id_equal(&space, &space2));
	OK(hearth_record_set(s, &id, "n", "after reopen"));
	OK(hearth_store_ops(s, dev, NULL, NULL, collect, &l));
	assert_int_equal(l.n, 7);
	for (i = 1; i < 7; i++)
		assert_true(hearth_hlc_cmp(&l.v[i - 1].op.hlc, &l.v[i].op.hlc) < 0);
	assert_int_equal(hearth_hlc_ms(&l.v[6].op.hlc), T0);
	assert_int_equal(hearth_hlc_counter(&l.v[6].op.hlc), 6);
	hearth_store_close(s);

	/* The clock is in meta too: even with the op log emptied (as a
	 * future compaction might), the clock does not go back. */
	assert_int_equal(sqlite3_exec(db, "DELETE FROM op", NULL, NULL, NULL), SQLITE_OK);
	s = open_store(db, &now);
	OK(hearth_record_set(s, &id, "n", "after compaction"));
	memset(&l, 0, sizeof l);
	OK(hearth_store_ops(s, dev, NULL, NULL, collect, &l));
	assert_int_equal(l.n, 1);
	assert_int_equal(hearth_hlc_ms(&l.v[0].op.hlc), T0);
	assert_int_equal(hearth_hlc_counter(&l.v[0].op.hlc), 7);
	hearth_store_close(s);
	sqlite3_close(db);

	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

static void test_open_needs_current_schema(void **state)
{
	sqlite3 *db = NULL;
	hearth_store *s = NULL;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(hearth_store_open(db, NULL, &s), HEARTH_ESTATE);
	assert_null(s);
	sqlite3_close(db);
}

static void test_resolve(void **state)
{
	fixture *f = *state;
	hearth_id p1 = id_of("abcdef01000000000000000000000000");
	hearth_id p2 = id_of("abcdef02000000000000000000000000");
	hearth_id p3 = id_of("abcdee00000000000000000000000000");
	hearth_id s1 = id_of("abcdef0f000000000000000000000000");
	hearth_id top = id_of("ffffffff000000000000000000000000");
	hearth_id out;
	hearth_op ops[5];

	ops[0] = remote_op(T0, 0, DEV_R, &p1, "person", "_kind", "person");
	ops[1] = remote_op(T0, 1, DEV_R, &p2, "person", "_kind", "person");
	ops[2] = remote_op(T0, 2, DEV_R, &p3, "person", "_kind", "person");
	ops[3] = remote_op(T0, 3, DEV_R, &s1, "screening", "_kind", "screening");
	ops[4] = remote_op(T0, 4, DEV_R, &top, "person", "_kind", "person");
	OK(hearth_store_apply(f->s, ops, 5, NULL));

	/* Unique, in either case, with odd and even digit counts. */
	OK(hearth_store_resolve(f->s, "person", "abcdef01", &out));
	assert_true(hearth_id_equal(&out, &p1));
	OK(hearth_store_resolve(f->s, "person", "ABCDEF02", &out));
	assert_true(hearth_id_equal(&out, &p2));
	OK(hearth_store_resolve(f->s, "person", "abcdee", &out));
	assert_true(hearth_id_equal(&out, &p3));
	OK(hearth_store_resolve(f->s, "person", "fffffff", &out));
	assert_true(hearth_id_equal(&out, &top));
	OK(hearth_store_resolve(f->s, "person", "abcdef01000000000000000000000000", &out));
	assert_true(hearth_id_equal(&out, &p1));
	/* The kind filters: "abcdef0f" is a screening, not a person. */
	OK(hearth_store_resolve(f->s, "screening", "abcdef0", &out));
	assert_true(hearth_id_equal(&out, &s1));
	assert_int_equal(hearth_store_resolve(f->s, "person", "abcdef0f", &out),
		HEARTH_ENOTFOUND);
	assert_string_equal(hearth_errdetail(), "no person matches 'abcdef0f'");
	OK(hearth_store_resolve(f->s, NULL, "abcdef0f", &out));
	assert_true(hearth_id_equal(&out, &s1));

	/* Ambiguous. */
	assert_int_equal(hearth_store_resolve(f->s, "person", "abcdef", &out),
		HEARTH_EAMBIGUOUS);
	assert_string_equal(hearth_errdetail(),
		"id prefix 'abcdef' is ambiguous: matches 2 records");
	assert_int_equal(hearth_store_resolve(f->s, NULL, "abcdef0", &out),
		HEARTH_EAMBIGUOUS);
	assert_string_equal(hearth_errdetail(),
		"id prefix 'abcdef0' is ambiguous: matches 3 records");

	/* Too short, not hex, too long. */
	assert_int_equal(hearth_store_resolve(f->s, "person", "abcde", &out), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail(),
		"'abcde' is not an id: use at least 6 hex digits");
	assert_int_equal(hearth_store_resolve(f->s, "person", "xyz", &out), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail(),
		"'xyz' is not an id: use at least 6 hex digits");
	assert_int_equal(hearth_store_resolve(f->s, "person", "abcdefgh", &out),
		HEARTH_EINVAL);
	assert_int_equal(hearth_store_resolve(f->s, "person", "abcdef 1", &out),
		HEARTH_EINVAL);
	assert_int_equal(hearth_store_resolve(f->s, "person", "", &out), HEARTH_EINVAL);
	assert_int_equal(hearth_store_resolve(f->s, "person",
		"abcdef01000000000000000000000000a", &out), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail(),
		"'abcdef01000000000000000000000000a' is not an id: ids have 32 hex digits");

	/* Not found. */
	assert_int_equal(hearth_store_resolve(f->s, "person", "abc123", &out),
		HEARTH_ENOTFOUND);
	assert_string_equal(hearth_errdetail(), "no person matches 'abc123'");
	assert_int_equal(hearth_store_resolve(f->s, NULL, "123456", &out),
		HEARTH_ENOTFOUND);
	assert_string_equal(hearth_errdetail(), "no record matches '123456'");

	/* A tombstoned record no longer matches, which makes the prefix
	 * unique again. */
	OK(hearth_record_delete(f->s, &p2));
	OK(hearth_store_resolve(f->s, "person", "abcdef", &out));
	assert_true(hearth_id_equal(&out, &p1));
	assert_int_equal(hearth_store_resolve(f->s, "person", "abcdef02", &out),
		HEARTH_ENOTFOUND);
}

static void test_remote_future_kept_aside(void **state)
{
	fixture *f = *state;
	hearth_id rec = id_of("77777777777777777777777777777777");
	hearth_op ops[3];
	hearth_record *r = NULL;
	hearth_hlc last;
	op_list l = { 0 };
	size_t n = 99, deferred = 99, applied = 99;
	hearth_id mine;

	/* Two hours ahead: beyond the default hour of drift. */
	ops[0] = remote_op(T0 + 2 * HOUR, 0, DEV_R, &rec, "person", "_kind", "person");
	ops[1] = remote_op(T0 + 2 * HOUR, 1, DEV_R, &rec, "person", "name", "from the future");
	/* A minute ahead: fine. */
	ops[2] = remote_op(T0 + 60000, 0, DEV_R, &rec, "person", "unit", "now-ish");
	OK(hearth_store_apply(f->s, ops, 3, &deferred));
	assert_int_equal(deferred, 2);
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 2);
	/* Not applied... */
	OK(hearth_record_load(f->s, &rec, &r));
	assert_null(hearth_record_field(r, "name"));
	assert_string_equal(hearth_record_field(r, "unit"), "now-ish");
	hearth_record_free(r);
	OK(hearth_store_ops(f->s, 0, NULL, NULL, collect, &l));
	assert_int_equal(l.n, 1);
	/* ...and the clock did not jump into the future. */
	OK(hearth_record_create(f->s, NULL, "person", &mine));
	memset(&l, 0, sizeof l);
	OK(hearth_store_ops(f->s, hearth_store_device(f->s), NULL, NULL, collect, &l));
	assert_int_equal(l.n, 1);
	assert_int_equal(hearth_hlc_ms(&l.v[0].op.hlc), T0 + 60000);

	/* Sent again: still one copy aside. */
	OK(hearth_store_apply(f->s, ops, 2, &deferred));
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 2);

	/* Too early still. */
	f->now = T0 + HOUR - 1;
	OK(hearth_store_retry_pending(f->s, &applied));
	assert_int_equal(applied, 0);
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 2);

	/* Its time has come. */
	f->now = T0 + HOUR;
	OK(hearth_store_retry_pending(f->s, &applied));
	assert_int_equal(applied, 2);
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 0);
	OK(hearth_record_load(f->s, &rec, &r));
	assert_string_equal(hearth_record_field(r, "name"), "from the future");
	assert_int_equal(hearth_hlc_ms(&r->created), T0 + 60000);
	hearth_record_free(r);
	memset(&l, 0, sizeof l);
	OK(hearth_store_ops(f->s, DEV_R, NULL, NULL, collect, &l));
	assert_int_equal(l.n, 3);
	/* Now observed: the next local op sorts after it. */
	OK(hearth_record_set(f->s, &mine, "x", "y"));
	last = hearth_hlc_make(T0 + 2 * HOUR, 1, DEV_R);
	memset(&l, 0, sizeof l);
	OK(hearth_store_ops(f->s, hearth_store_device(f->s), &last, NULL, collect, &l));
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].field, "x");
	/* A duplicate arriving later is neither applied nor kept aside. */
	OK(hearth_store_apply(f->s, ops, 2, &deferred));
	assert_int_equal(deferred, 0);
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 0);
}

static void test_duplicate_apply_is_noop(void **state)
{
	fixture *f = *state;
	sqlite3 *db2 = NULL;
	hearth_store *s2 = NULL;
	uint64_t now2 = T0 + 7;
	hearth_id id;
	op_list l = { 0 };
	hearth_op ops[64];
	char *d1 = NULL, *d2 = NULL, *d3 = NULL;
	size_t i, len1, len2, deferred = 9;

	OK(hearth_record_create(f->s, NULL, "person", &id));
	OK(hearth_record_set(f->s, &id, "name", "王芳"));
	OK(hearth_record_set(f->s, &id, "unit", "Depot"));
	OK(hearth_record_set(f->s, &id, "unit", NULL));
	OK(hearth_store_ops(f->s, 0, NULL, NULL, collect, &l));
	for (i = 0; i < l.n; i++) {
		ops[i] = l.v[i].op;
		ops[i].kind = l.v[i].kind;
		ops[i].field = l.v[i].field;
		ops[i].value = l.v[i].has_value ? l.v[i].value : NULL;
	}

	open_db(&db2, ":memory:");
	s2 = open_store(db2, &now2);
	OK(hearth_store_apply(s2, ops, l.n, &deferred));
	assert_int_equal(deferred, 0);
	OK(hearth_store_dump(s2, &d1, &len1));
	/* Again, reversed, and as a batch holding each op twice. */
	for (i = 0; i < l.n; i++)
		OK(hearth_store_apply(s2, &ops[l.n - 1 - i], 1, NULL));
	memcpy(ops + l.n, ops, l.n * sizeof ops[0]);
	OK(hearth_store_apply(s2, ops, 2 * l.n, NULL));
	OK(hearth_store_dump(s2, &d2, &len2));
	assert_int_equal(len1, len2);
	assert_string_equal(d1, d2);
	assert_int_equal(count_rows(db2, "SELECT count(*) FROM op"), (long)l.n);
	/* The origin, fed its own ops, does not change either. */
	OK(hearth_store_apply(f->s, ops, l.n, NULL));
	OK(hearth_store_dump(f->s, &d3, NULL));
	assert_string_equal(d1, d3);
	free(d1);
	free(d2);
	free(d3);
	hearth_store_close(s2);
	sqlite3_close(db2);
}

static void test_lww_merge(void **state)
{
	fixture *f = *state;
	hearth_id rec = id_of("0123456789abcdef0123456789abcdef");
	hearth_record *r = NULL;
	hearth_op ops[8];
	char *d1 = NULL, *d2 = NULL;
	sqlite3 *db2 = NULL;
	hearth_store *s2 = NULL;
	size_t i;

	/* Out of order: a later op of another kind arrives first; the
	 * creation op decides kind, space and created. */
	ops[0] = remote_op(T0 - 50, 0, DEV_R, &rec, "journal", "mood", "3");
	ops[1] = remote_op(T0 - 100, 0, DEV_R, &rec, "person", "_kind", "person");
	ops[1].space.b[0] = 0x11;
	OK(hearth_store_apply(f->s, ops, 1, NULL));
	OK(hearth_record_load(f->s, &rec, &r));
	assert_string_equal(r->kind, "journal");
	hearth_record_free(r);
	OK(hearth_store_apply(f->s, ops + 1, 1, NULL));
	OK(hearth_record_load(f->s, &rec, &r));
	assert_string_equal(r->kind, "person");
	assert_int_equal(r->space.b[0], 0x11);
	assert_int_equal(hearth_hlc_ms(&r->created), T0 - 100);
	hearth_record_free(r);

	/* An older value does not override a newer one. */
	ops[2] = remote_op(T0 - 10, 0, DEV_R, &rec, "person", "name", "newer");
	ops[3] = remote_op(T0 - 20, 0, DEV_R, &rec, "person", "name", "older");
	OK(hearth_store_apply(f->s, ops + 2, 2, NULL));
	OK(hearth_record_load(f->s, &rec, &r));
	assert_string_equal(hearth_record_field(r, "name"), "newer");
	hearth_record_free(r);
	/* A local write (after everything observed) wins; then an older
	 * remote clear cannot undo it... */
	OK(hearth_record_set(f->s, &rec, "name", "local"));
	ops[4] = remote_op(T0 - 5, 0, DEV_R, &rec, "person", "name", NULL);
	OK(hearth_store_apply(f->s, ops + 4, 1, NULL));
	OK(hearth_record_load(f->s, &rec, &r));
	assert_string_equal(hearth_record_field(r, "name"), "local");
	hearth_record_free(r);
	/* ...and a cleared field is not resurrected by an older value. */
	ops[5] = remote_op(T0 + 10, 0, DEV_R, &rec, "person", "name", NULL);
	ops[6] = remote_op(T0 + 9, 0, DEV_R, &rec, "person", "name", "resurrected?");
	OK(hearth_store_apply(f->s, ops + 5, 2, NULL));
	OK(hearth_record_load(f->s, &rec, &r));
	assert_null(hearth_record_field(r, "name"));
	hearth_record_free(r);

	/* Tombstones merge like fields: an older "undelete" loses, a newer
	 * one wins. */
	ops[0] = remote_op(T0 + 20, 0, DEV_R, &rec, "person", "_deleted", "1");
	ops[1] = remote_op(T0 + 19, 0, DEV_R, &rec, "person", "_deleted", NULL);
	OK(hearth_store_apply(f->s, ops, 2, NULL));
	OK(hearth_record_load(f->s, &rec, &r));
	assert_int_equal(r->deleted, 1);
	hearth_record_free(r);
	ops[2] = remote_op(T0 + 21, 0, DEV_R, &rec, "person", "_deleted", "0");
	OK(hearth_store_apply(f->s, ops + 2, 1, NULL));
	OK(hearth_record_load(f->s, &rec, &r));
	assert_int_equal(r->deleted, 0);
	hearth_record_free(r);

	/* Two different ops sharing an HLC (a misbehaving device): the
	 * outcome does not depend on arrival order. */
	ops[0] = remote_op(T0 + 30, 0, DEV_R, &rec, "person", "tag", "bbb");
	ops[1] = remote_op(T0 + 30, 0, DEV_R, &rec, "person", "tag", "aaa");
	ops[2] = remote_op(T0 + 30, 0, DEV_R, &rec, "person", "tag", NULL);
	open_db(&db2, ":memory:");
	s2 = open_store(db2, &f->now);
	for (i = 0; i < 3; i++) {
		OK(hearth_store_apply(f->s, &ops[i], 1, NULL));
		OK(hearth_store_apply(s2, &ops[2 - i], 1, NULL));
	}
	OK(hearth_record_load(f->s, &rec, &r));
	assert_string_equal(hearth_record_field(r, "tag"), "bbb");
	hearth_record_free(r);
	OK(hearth_record_load(s2, &rec, &r));
	assert_string_equal(hearth_record_field(r, "tag"), "bbb");
	hearth_record_free(r);
	/* The op logs agree on which one they keep. */
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM op WHERE value='bbb'"), 1);
	assert_int_equal(count_rows(db2, "SELECT count(*) FROM op WHERE value='bbb'"), 1);
	OK(hearth_store_dump(s2, &d2, NULL));
	assert_non_null(strstr(d2, "field \"tag\" = \"bbb\""));
	/* Likewise for such a pair kept aside (too far in the future). */
	ops[0] = remote_op(f->now + 3 * HOUR, 0, DEV_R, &rec, "person", "tag", "zzz");
	ops[1] = remote_op(f->now + 3 * HOUR, 0, DEV_R, &rec, "person", "tag", "aaa");
	OK(hearth_store_apply(f->s, ops, 2, NULL));
	OK(hearth_store_apply(s2, &ops[1], 1, NULL));
	OK(hearth_store_apply(s2, &ops[0], 1, NULL));
	assert_int_equal(count_rows(f->db,
		"SELECT count(*) FROM op_pending WHERE value='zzz'"), 1);
	assert_int_equal(count_rows(db2,
		"SELECT count(*) FROM op_pending WHERE value='zzz'"), 1);
	free(d1);
	free(d2);
	hearth_store_close(s2);
	sqlite3_close(db2);
}

static void test_apply_rejects_malformed(void **state)
{
	fixture *f = *state;
	hearth_id rec = hearth_id_random();
	hearth_op ops[2];

	ops[0] = remote_op(T0, 0, DEV_R, &rec, "person", "_kind", "person");
	ops[1] = remote_op(T0, 1, 0, &rec, "person", "name", "x"); /* device 0 */
	assert_int_equal(hearth_store_apply(f->s, ops, 2, NULL), HEARTH_EINVAL);
	ops[1] = remote_op(T0, 1, DEV_R, &rec, "person", NULL, "x");
	assert_int_equal(hearth_store_apply(f->s, ops, 2, NULL), HEARTH_EINVAL);
	ops[1] = remote_op(T0, 1, DEV_R, &rec, "", "name", "x");
	assert_int_equal(hearth_store_apply(f->s, ops, 2, NULL), HEARTH_EINVAL);
	/* Nothing of the batch was applied. */
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM op"), 0);
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM record"), 0);
	OK(hearth_store_apply(f->s, NULL, 0, NULL));
}

static void test_transactions(void **state)
{
	fixture *f = *state;
	hearth_id kept, dropped, unknown = hearth_id_random();
	hearth_record *r = NULL;
	char *before = NULL, *after = NULL;

	OK(hearth_record_create(f->s, NULL, "person", &kept));
	OK(hearth_record_set(f->s, &kept, "name", "kept"));
	OK(hearth_store_dump(f->s, &before, NULL));
	long ops_before = count_rows(f->db, "SELECT count(*) FROM op");

	/* Rejected writes inside a transaction, then a rollback: nothing of
	 * it remains. */
	OK(hearth_store_begin(f->s));
	assert_int_equal(hearth_store_begin(f->s), HEARTH_ESTATE);
	OK(hearth_record_create(f->s, NULL, "person", &dropped));
	OK(hearth_record_set(f->s, &dropped, "name", "dropped"));
	OK(hearth_record_set(f->s, &kept, "name", "changed"));
	assert_int_equal(hearth_record_set(f->s, &dropped, "_deleted", "1"), HEARTH_EINVAL);
	assert_int_equal(hearth_record_set(f->s, &unknown, "name", "x"), HEARTH_ENOTFOUND);
	hearth_store_rollback(f->s);
	assert_int_equal(hearth_record_load(f->s, &dropped, &r), HEARTH_ENOTFOUND);
	OK(hearth_store_dump(f->s, &after, NULL));
	assert_string_equal(before, after);
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM op"), ops_before);
	free(after);
	after = NULL;

	/* A rejected write does not spoil the rest of a transaction. */
	OK(hearth_store_begin(f->s));
	OK(hearth_record_set(f->s, &kept, "unit", "A"));
	assert_int_equal(hearth_record_set(f->s, &unknown, "unit", "B"), HEARTH_ENOTFOUND);
	assert_int_equal(hearth_record_set(f->s, &kept, "", "B"), HEARTH_EINVAL);
	OK(hearth_store_commit(f->s));
	assert_int_equal(hearth_store_commit(f->s), HEARTH_ESTATE);
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM op"), ops_before + 1);
	OK(hearth_record_load(f->s, &kept, &r));
	assert_string_equal(hearth_record_field(r, "unit"), "A");
	hearth_record_free(r);

	/* Writes join a transaction the caller opened with its own SQL. */
	assert_int_equal(sqlite3_exec(f->db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	OK(hearth_record_set(f->s, &kept, "unit", "in caller's transaction"));
	OK(hearth_store_apply(f->s, NULL, 0, NULL));
	assert_int_equal(sqlite3_exec(f->db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	OK(hearth_record_load(f->s, &kept, &r));
	assert_string_equal(hearth_record_field(r, "unit"), "A");
	hearth_record_free(r);

	/* Closing a store with an open transaction rolls it back. */
	OK(hearth_store_begin(f->s));
	OK(hearth_record_set(f->s, &kept, "unit", "never"));
	hearth_store_close(f->s);
	f->s = open_store(f->db, &f->now);
	assert_int_equal(sqlite3_get_autocommit(f->db), 1);
	OK(hearth_record_load(f->s, &kept, &r));
	assert_string_equal(hearth_record_field(r, "unit"), "A");
	hearth_record_free(r);
	free(before);
}

/* A write function's atomic step: its own transaction when none is open,
 * else a savepoint that a failure rolls back without touching the
 * caller's earlier work or ending the caller's transaction. */
static void test_steps(void **state)
{
	fixture *f = *state;
	hearth_store_step outer, inner;
	hearth_id kept;
	hearth_record *r = NULL;

	OK(hearth_record_create(f->s, NULL, "person", &kept));

	/* On its own: a transaction, committed by a good end. */
	OK(hearth_store_step_begin(f->s, &outer));
	assert_int_equal(sqlite3_get_autocommit(f->db), 0);
	OK(hearth_record_set(f->s, &kept, "name", "one"));
	OK(hearth_store_step_end(f->s, &outer, HEARTH_OK));
	assert_int_equal(sqlite3_get_autocommit(f->db), 1);

	/* On its own, failed: rolled back, and the failure is what returns. */
	OK(hearth_store_step_begin(f->s, &outer));
	OK(hearth_record_set(f->s, &kept, "name", "lost"));
	assert_int_equal(hearth_store_step_end(f->s, &outer, HEARTH_ESTATE), HEARTH_ESTATE);
	assert_int_equal(sqlite3_get_autocommit(f->db), 1);
	OK(hearth_record_load(f->s, &kept, &r));
	assert_string_equal(hearth_record_field(r, "name"), "one");
	hearth_record_free(r);

	/* Inside the caller's transaction: a failed inner step takes back
	 * only its own writes; a good one joins the caller's, which the
	 * caller still commits or rolls back. */
	OK(hearth_store_begin(f->s));
	OK(hearth_record_set(f->s, &kept, "unit", "caller"));
	OK(hearth_store_step_begin(f->s, &outer));
	OK(hearth_record_set(f->s, &kept, "phone", "outer"));
	OK(hearth_store_step_begin(f->s, &inner));
	OK(hearth_record_set(f->s, &kept, "phone", "inner, failed"));
	assert_int_equal(hearth_store_step_end(f->s, &inner, HEARTH_EINVAL), HEARTH_EINVAL);
	assert_int_equal(sqlite3_get_autocommit(f->db), 0);
	OK(hearth_store_step_end(f->s, &outer, HEARTH_OK));
	assert_int_equal(sqlite3_get_autocommit(f->db), 0);
	OK(hearth_store_commit(f->s));
	OK(hearth_record_load(f->s, &kept, &r));
	assert_string_equal(hearth_record_field(r, "unit"), "caller");
	assert_string_equal(hearth_record_field(r, "phone"), "outer");
	hearth_record_free(r);

	/* The caller's rollback takes back a step that succeeded inside it. */
	OK(hearth_store_begin(f->s));
	OK(hearth_store_step_begin(f->s, &outer));
	OK(hearth_record_set(f->s, &kept, "unit", "rolled back"));
	OK(hearth_store_step_end(f->s, &outer, HEARTH_OK));
	hearth_store_rollback(f->s);
	OK(hearth_record_load(f->s, &kept, &r));
	assert_string_equal(hearth_record_field(r, "unit"), "caller");
	hearth_record_free(r);
}

typedef struct seen {
	char kinds[8][16];
	char names[8][16];
	int deleted[8];
	size_t nfields[8];
	int n, stop_at;
} seen;

static int see(const hearth_record *r, void *ctx)
{
	seen *w = ctx;

	assert_true(w->n < 8);
	snprintf(w->kinds[w->n], sizeof w->kinds[0], "%s", r->kind);
	snprintf(w->names[w->n], sizeof w->names[0], "%s",
		hearth_record_field(r, "name") ? hearth_record_field(r, "name") : "-");
	w->deleted[w->n] = r->deleted;
	w->nfields[w->n] = r->nfields;
	w->n++;
	return w->stop_at != 0 && w->n >= w->stop_at;
}

static void test_each(void **state)
{
	fixture *f = *state;
	hearth_id a, b, c, d;
	seen w;

	OK(hearth_record_create(f->s, NULL, "person", &a));
	OK(hearth_record_create(f->s, NULL, "screening", &b));
	OK(hearth_record_create(f->s, NULL, "person", &c));
	OK(hearth_record_create(f->s, NULL, "person", &d));
	/* Field writes in another order than creation. */
	OK(hearth_record_set(f->s, &d, "name", "d"));
	OK(hearth_record_set(f->s, &c, "name", "c"));
	OK(hearth_record_set(f->s, &c, "zz", "last"));
	OK(hearth_record_set(f->s, &c, "aa", "first"));
	OK(hearth_record_set(f->s, &a, "name", "a"));
	OK(hearth_record_set(f->s, &b, "name", "b"));
	OK(hearth_record_delete(f->s, &d));

	memset(&w, 0, sizeof w);
	OK(hearth_store_each(f->s, "person", 0, see, &w));
	assert_int_equal(w.n, 2);
	assert_string_equal(w.names[0], "a");
	assert_string_equal(w.names[1], "c");
	assert_int_equal(w.nfields[1], 3);

	memset(&w, 0, sizeof w);
	OK(hearth_store_each(f->s, "person", 1, see, &w));
	assert_int_equal(w.n, 3);
	assert_string_equal(w.names[2], "d");
	assert_int_equal(w.deleted[2], 1);

	memset(&w, 0, sizeof w);
	OK(hearth_store_each(f->s, NULL, 0, see, &w));
	assert_int_equal(w.n, 3);
	assert_string_equal(w.kinds[1], "screening");

	memset(&w, 0, sizeof w);
	OK(hearth_store_each(f->s, NULL, 1, see, &w));
	assert_int_equal(w.n, 4);

	memset(&w, 0, sizeof w);
	w.stop_at = 1;
	OK(hearth_store_each(f->s, NULL, 1, see, &w));
	assert_int_equal(w.n, 1);

	memset(&w, 0, sizeof w);
	OK(hearth_store_each(f->s, "note", 1, see, &w));
	assert_int_equal(w.n, 0);
}

typedef struct marker {
	hearth_store *s;
	int n;
} marker;

static int mark(const hearth_record *r, void *ctx)
{
	marker *m = ctx;

	/* Writing from inside the walk is allowed. */
	OK(hearth_record_set(m->s, &r->id, "seen", "yes"));
	m->n++;
	return 0;
}

static void test_each_callback_writes(void **state)
{
	fixture *f = *state;
	hearth_id a, b;
	hearth_record *r = NULL;
	marker m = { f->s, 0 };

	OK(hearth_record_create(f->s, NULL, "person", &a));
	OK(hearth_record_create(f->s, NULL, "person", &b));
	OK(hearth_store_each(f->s, "person", 0, mark, &m));
	assert_int_equal(m.n, 2);
	OK(hearth_record_load(f->s, &b, &r));
	assert_string_equal(hearth_record_field(r, "seen"), "yes");
	hearth_record_free(r);
	assert_int_equal(sqlite3_get_autocommit(f->db), 1);
}

static void test_dump_format(void **state)
{
	fixture *f = *state;
	hearth_id r1 = id_of("22222222222222222222222222222222");
	hearth_id r2 = id_of("11111111111111111111111111111111");
	hearth_op ops[6];
	char *d = NULL;
	size_t len;
	const char *want =
		"record 11111111111111111111111111111111\n"
		"  space 55555555555555555555555555555555\n"
		"  kind \"note\"\n"
		"  created 018bcfe5680000005151515151515151\n"
		"  deleted 1\n"
		"  field \"_deleted\" = \"1\" @ 018bcfe56a0000005151515151515151\n"
		"  field \"_kind\" = \"note\" @ 018bcfe5680000005151515151515151\n"
		"record 22222222222222222222222222222222\n"
		"  space 55555555555555555555555555555555\n"
		"  kind \"person\"\n"
		"  created 018bcfe5680000015151515151515151\n"
		"  deleted 0\n"
		"  field \"name\" = \"\xe6\x9d\x8e \\\"Q\\\"\\n\\\\\\t\\x01\" @ 018bcfe5690000005151515151515151\n"
		"  field \"phone\" cleared @ 018bcfe5690000015151515151515151\n";

	ops[0] = remote_op(T0, 0, DEV_R, &r2, "note", "_kind", "note");
	ops[1] = remote_op(T0, 1, DEV_R, &r1, "person", "name", "old");
	ops[2] = remote_op(T0 + 256, 0, DEV_R, &r1, "person", "name", "李 \"Q\"\n\\\t\x01");
	ops[3] = remote_op(T0 + 256, 1, DEV_R, &r1, "person", "phone", NULL);
	ops[4] = remote_op(T0 + 512, 0, DEV_R, &r2, "note", "_deleted", "1");
	OK(hearth_store_apply(f->s, ops, 5, NULL));
	OK(hearth_store_dump(f->s, &d, &len));
	assert_string_equal(d, want);
	assert_int_equal(len, strlen(want));
	free(d);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		T(test_create_set_get_clear_delete),
		T(test_chinese_text_round_trip),
		T(test_ops_appended),
		T(test_ops_by_device_and_range),
		cmocka_unit_test(test_reopen_after_clock_went_back),
		cmocka_unit_test(test_open_needs_current_schema),
		T(test_resolve),
		T(test_remote_future_kept_aside),
		T(test_duplicate_apply_is_noop),
		T(test_lww_merge),
		T(test_apply_rejects_malformed),
		T(test_transactions),
		T(test_steps),
		T(test_each),
		T(test_each_callback_writes),
		T(test_dump_format),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
