/*
 * test_store.c - the record store: local writes and their ops (dense ids,
 * hashes, replaced values), merging of remote ops (validation, records
 * bound to their creating op, quarantine, immutable kinds, concurrent
 * values, equivocation and rollback), ops kept aside, the arrival cursor,
 * id prefixes, transactions, the persisted clock, the canonical dump.
 *
 * Every store lives in a real SQLite file in a temporary directory.
 */
#include <dirent.h>
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
#define MINUTE UINT64_C(60000)
#define HOUR UINT64_C(3600000)
#define DEV_R UINT64_C(0x5151515151515151) /* a remote device */
#define DEV_S UINT64_C(0x6262626262626262) /* another one */
#define DEV_T UINT64_C(0x7373737373737373) /* and a third */

/* A wall clock the test moves by hand. */
static uint64_t fake_now(void *ctx)
{
	return *(const uint64_t *)ctx;
}

#define OK(call) do { \
	hearth_status st_ = (call); \
	if (st_ != HEARTH_OK) \
		fail_msg("%s: %s (%s)", #call, hearth_strerror(st_), hearth_errdetail()); \
} while (0)

/* ---- temporary directories and databases ------------------------------ */

typedef struct tmpdir {
	char path[64];
} tmpdir;

static void tmpdir_make(tmpdir *d)
{
	snprintf(d->path, sizeof d->path, "/tmp/hearth-store-XXXXXX");
	assert_non_null(mkdtemp(d->path));
}

/* dir/name into out. */
static void tmpdir_file(const tmpdir *d, const char *name, char out[128])
{
	snprintf(out, 128, "%s/%s", d->path, name);
}

/* Removes the directory and every file in it (databases and journals). */
static void tmpdir_remove(tmpdir *d)
{
	DIR *dir = opendir(d->path);
	struct dirent *e;
	char p[512];

	assert_non_null(dir);
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", d->path, e->d_name);
		assert_int_equal(unlink(p), 0);
	}
	closedir(dir);
	assert_int_equal(rmdir(d->path), 0);
}

static void open_db(sqlite3 **db, const char *path)
{
	assert_int_equal(sqlite3_open(path, db), SQLITE_OK);
	assert_int_equal(hearth_schema_migrate(*db, hearth_schema_latest()), HEARTH_OK);
}

/* A whole copy of src in a new file path, taken with the backup API while
 * no transaction is open: what copying or restoring a vault gives. */
static void copy_db(sqlite3 *src, const char *path)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;

	assert_int_equal(sqlite3_get_autocommit(src), 1);
	assert_int_equal(sqlite3_open(path, &dst), SQLITE_OK);
	b = sqlite3_backup_init(dst, "main", src, "main");
	assert_non_null(b);
	assert_int_equal(sqlite3_backup_step(b, -1), SQLITE_DONE);
	assert_int_equal(sqlite3_backup_finish(b), SQLITE_OK);
	assert_int_equal(sqlite3_close(dst), SQLITE_OK);
}

static hearth_store *open_store_opt(sqlite3 *db, uint64_t *now,
				    uint64_t max_drift_ms,
				    const char *const *immutable_kinds)
{
	hearth_store_options opt = {
		.now = fake_now,
		.now_ctx = now,
		.max_drift_ms = max_drift_ms,
		.immutable_kinds = immutable_kinds,
	};
	hearth_store *s = NULL;

	if (hearth_store_open(db, &opt, &s) != HEARTH_OK)
		fail_msg("cannot open store: %s", hearth_errdetail());
	return s;
}

static hearth_store *open_store(sqlite3 *db, uint64_t *now)
{
	return open_store_opt(db, now, 0, NULL);
}

/* A store with its own file and wall clock. */
typedef struct replica {
	sqlite3 *db;
	hearth_store *s;
	uint64_t now;
} replica;

static void replica_open(replica *r, const tmpdir *d, const char *name,
			 const char *const *immutable_kinds)
{
	char path[128];

	tmpdir_file(d, name, path);
	r->now = T0;
	open_db(&r->db, path);
	r->s = open_store_opt(r->db, &r->now, 0, immutable_kinds);
}

static void replica_close(replica *r)
{
	hearth_store_close(r->s);
	assert_int_equal(sqlite3_close(r->db), SQLITE_OK);
	r->s = NULL;
	r->db = NULL;
}

typedef struct fixture {
	tmpdir dir;
	sqlite3 *db;
	hearth_store *s;
	uint64_t now;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	char path[128];

	assert_non_null(f);
	f->now = T0;
	tmpdir_make(&f->dir);
	tmpdir_file(&f->dir, "store.db", path);
	open_db(&f->db, path);
	f->s = open_store(f->db, &f->now);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	hearth_store_close(f->s);
	sqlite3_close(f->db);
	tmpdir_remove(&f->dir);
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

/* ---- building remote ops ------------------------------------------------ */

/* What a remote op is made of; unnamed members default to zero. */
typedef struct opspec {
	uint64_t dev;             /* author (and the HLC's device); 0: DEV_R */
	uint64_t seq;
	uint64_t ms;              /* HLC milliseconds */
	uint16_t ctr;             /* HLC counter */
	const hearth_id *space;   /* NULL: the 0x55... space */
	const hearth_id *rec;     /* NULL for a creating op: its own id */
	const char *kind, *field, *value;
	const hearth_op_id *prev; /* sorted */
	size_t nprev;
} opspec;

/* The one way this file builds a remote op: id, HLC, content, the values
 * it replaces, and its hash. */
static hearth_op make_op(opspec o)
{
	hearth_op op;

	memset(&op, 0, sizeof op);
	op.id.device = o.dev != 0 ? o.dev : DEV_R;
	op.id.seq = o.seq;
	op.hlc = hearth_hlc_make(o.ms, o.ctr, op.id.device);
	if (o.space != NULL)
		op.space = *o.space;
	else
		memset(op.space.b, 0x55, sizeof op.space.b);
	op.kind = o.kind;
	op.field = o.field;
	op.value = o.value;
	op.prev = o.prev;
	op.nprev = o.nprev;
	if (o.rec != NULL)
		op.record = *o.rec;
	else
		op.record = hearth_op_record_id(&op);
	/* An op without a kind or field name has no encoding to seal (the
	 * tests that build one expect it refused before its hash is read). */
	if (op.kind != NULL && op.field != NULL)
		hearth_op_seal(&op);
	return op;
}

#define ROP(...) make_op((opspec){ __VA_ARGS__ })
/* A creating op (field "_kind"). */
#define CREATE(...) ROP(.field = "_kind", __VA_ARGS__)

static hearth_id id_of(const char *hex)
{
	hearth_id id;

	if (hearth_id_from_hex(&id, hex) != HEARTH_OK)
		fail_msg("bad id in test: %s", hex);
	return id;
}

static hearth_id space_of(uint8_t byte)
{
	hearth_id id;

	memset(id.b, byte, sizeof id.b);
	return id;
}

/* ---- collecting ops ---------------------------------------------------- */

#define LIST_MAX 128

typedef struct stored {
	hearth_op op;             /* its pointers are not kept: see as_op */
	char kind[32], field[80], value[160];
	int has_value;
	hearth_op_id prev[8];
	uint64_t arrival;
	hearth_op_state state;
} stored;

typedef struct op_list {
	stored v[LIST_MAX];
	size_t n;
	size_t stop_after; /* 0: never stop */
} op_list;

static int collect(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		   void *ctx)
{
	op_list *l = ctx;
	stored *o;

	assert_true(l->n < LIST_MAX);
	assert_true(op->nprev <= 8);
	o = &l->v[l->n++];
	o->op = *op;
	snprintf(o->kind, sizeof o->kind, "%s", op->kind);
	snprintf(o->field, sizeof o->field, "%s", op->field);
	o->has_value = op->value != NULL;
	snprintf(o->value, sizeof o->value, "%s", op->value ? op->value : "");
	if (op->nprev > 0)
		memcpy(o->prev, op->prev, op->nprev * sizeof *op->prev);
	o->arrival = arrival;
	o->state = state;
	return l->stop_after != 0 && l->n >= l->stop_after;
}

/* The collected op as an op again (pointing into o). */
static hearth_op as_op(const stored *o)
{
	hearth_op op = o->op;

	op.kind = o->kind;
	op.field = o->field;
	op.value = o->has_value ? o->value : NULL;
	op.prev = op.nprev > 0 ? o->prev : NULL;
	return op;
}

static op_list *list_new(void)
{
	op_list *l = calloc(1, sizeof *l);

	assert_non_null(l);
	return l;
}

/* Everything from holds that a sync would send goes to to. */
static void send_all(hearth_store *from, hearth_store *to)
{
	op_list *l = list_new();
	hearth_op *ops = calloc(LIST_MAX, sizeof *ops);
	size_t i;

	assert_non_null(ops);
	/* Every op held, superseded ones too: what a peer needs. */
	OK(hearth_store_ops(from, 0, 0, 0, collect, l));
	for (i = 0; i < l->n; i++)
		ops[i] = as_op(&l->v[i]);
	OK(hearth_store_apply(to, ops, l->n, NULL));
	free(ops);
	free(l);
}

static void exchange(hearth_store *a, hearth_store *b)
{
	send_all(a, b);
	send_all(b, a);
}

/* Asserts two stores dump the same text. */
static void assert_same_dump(hearth_store *a, hearth_store *b)
{
	char *da = NULL, *db = NULL;

	OK(hearth_store_dump(a, &da, NULL));
	OK(hearth_store_dump(b, &db, NULL));
	assert_string_equal(da, db);
	free(da);
	free(db);
}

/* ---- collecting problems, values, heads ------------------------------------ */

typedef struct problems {
	int n, moves;              /* all of them; those without an op */
	char reason[16][96];
	hearth_op_id id[16];       /* {0,0} for a device move */
	char value[16][32];
} problems;

static int see_problem(const hearth_store_problem *p, void *ctx)
{
	problems *w = ctx;

	assert_true(w->n < 16);
	snprintf(w->reason[w->n], sizeof w->reason[0], "%s", p->reason ? p->reason : "");
	if (p->op != NULL) {
		w->id[w->n] = p->op->id;
		snprintf(w->value[w->n], sizeof w->value[0], "%s",
			p->op->value ? p->op->value : "(null)");
	} else {
		w->moves++;
	}
	w->n++;
	return 0;
}

static problems get_problems(hearth_store *s)
{
	problems w;

	memset(&w, 0, sizeof w);
	OK(hearth_store_problems(s, see_problem, &w));
	return w;
}

typedef struct values {
	int n;
	char v[8][32];             /* "(cleared)" for NULL */
	hearth_op_id id[8];
	hearth_hlc hlc[8];
} values;

static int see_value(const char *value, const hearth_op_id *id,
		     const hearth_hlc *hlc, void *ctx)
{
	values *w = ctx;

	assert_true(w->n < 8);
	snprintf(w->v[w->n], sizeof w->v[0], "%s", value ? value : "(cleared)");
	w->id[w->n] = *id;
	w->hlc[w->n] = *hlc;
	w->n++;
	return 0;
}

static values get_values(hearth_store *s, const hearth_id *rec, const char *field)
{
	values w;

	memset(&w, 0, sizeof w);
	OK(hearth_store_values(s, rec, field, see_value, &w));
	return w;
}

typedef struct heads {
	int n;
	hearth_device_head h[8];
} heads;

static int see_head(const hearth_device_head *h, void *ctx)
{
	heads *w = ctx;

	assert_true(w->n < 8);
	w->h[w->n++] = *h;
	return 0;
}

/* What s says it holds of device (count 0 when nothing). */
static hearth_device_head head_of(hearth_store *s, uint64_t device)
{
	heads w;
	int i;

	memset(&w, 0, sizeof w);
	OK(hearth_store_heads(s, see_head, &w));
	for (i = 0; i < w.n; i++)
		if (w.h[i].device == device)
			return w.h[i];
	memset(&w.h[0], 0, sizeof w.h[0]);
	return w.h[0];
}

/* The ops of one device, by seq. */
static op_list *ops_of(hearth_store *s, uint64_t device)
{
	op_list *l = list_new();

	OK(hearth_store_ops(s, device, 0, 0, collect, l));
	return l;
}

/* ---- tests --------------------------------------------------------------- */

/* An op's hash and a record id derived from a creating op are part of the
 * format (docs/protocol.md): every device must compute the same bytes, so
 * they are pinned here, for an op whose value is longer than any buffer
 * the hash may go through and for one with a cleared value. */
static void hex_of(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void test_op_hash_pinned(void **state)
{
	hearth_op_id prev[2] = { { DEV_R, 7 }, { DEV_S, UINT64_C(0x0102030405060708) } };
	char value[700], hex[2 * HEARTH_OP_HASH_BYTES + 1], idhex[HEARTH_ID_HEX + 1];
	hearth_op op;
	hearth_id id;
	size_t i;

	(void)state;
	memset(&op, 0, sizeof op);
	op.id.device = UINT64_C(0xa1b2c3d4e5f60718);
	op.id.seq = 42;
	for (i = 0; i < sizeof op.hlc.b; i++)
		op.hlc.b[i] = (uint8_t)i;
	for (i = 0; i < sizeof op.space.b; i++)
		op.space.b[i] = (uint8_t)(0x40 + i);
	for (i = 0; i < sizeof op.record.b; i++)
		op.record.b[i] = (uint8_t)(0x80 + i);
	op.kind = "person";
	op.field = "note";
	/* 699 bytes: "谈话记录 " then ASCII. */
	snprintf(value, sizeof value, "%s", "谈话记录 ");
	for (i = strlen(value); i < sizeof value - 1; i++)
		value[i] = (char)('a' + i % 26);
	value[sizeof value - 1] = '\0';
	op.value = value;
	op.prev = prev;
	op.nprev = 2;
	hearth_op_seal(&op);
	hex_of(op.hash, sizeof op.hash, hex);
	assert_string_equal(hex, "6165865119877222ac2574c3d4765272ce5e145a023f191a08ed362b9a5528f5");
	op.value = NULL;
	op.nprev = 0;
	op.field = "_kind";
	hearth_op_seal(&op);
	hex_of(op.hash, sizeof op.hash, hex);
	assert_string_equal(hex, "c5e9918b4467cae957e47b55a525df26956ed8a0fd0184376ca22ca24613703a");
	id = hearth_op_record_id(&op);
	hearth_id_to_hex(&id, idhex);
	assert_string_equal(idhex, "90309f069c68b5a3a525d397b0217968");
}

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
	op_list *l = list_new();

	OK(hearth_record_create(f->s, NULL, "person", &id));
	OK(hearth_record_set(f->s, &id, "姓名", name));
	OK(hearth_record_set(f->s, &id, "note", note));
	OK(hearth_record_load(f->s, &id, &r));
	assert_int_equal(r->nfields, 2);
	assert_memory_equal(hearth_record_field(r, "姓名"), name, strlen(name) + 1);
	assert_memory_equal(hearth_record_field(r, "note"), note, strlen(note) + 1);
	hearth_record_free(r);
	OK(hearth_store_ops(f->s, 0, 0, 0, collect, l));
	assert_int_equal(l->n, 3);
	assert_string_equal(l->v[1].field, "姓名");
	assert_memory_equal(l->v[1].value, name, strlen(name) + 1);
	free(l);
}

static void test_ops_appended(void **state)
{
	fixture *f = *state;
	hearth_id id, space;
	op_list *l = list_new();
	uint64_t dev = hearth_store_device(f->s);
	hearth_op creating;
	hearth_id derived;
	size_t i;

	memset(space.b, 0xab, sizeof space.b);
	OK(hearth_record_create(f->s, &space, "screening", &id));
	f->now += 5;
	OK(hearth_record_set(f->s, &id, "score", "12"));
	OK(hearth_record_set(f->s, &id, "score", NULL));
	OK(hearth_record_delete(f->s, &id));
	OK(hearth_store_ops(f->s, 0, 0, 0, collect, l));
	assert_int_equal(l->n, 4);
	for (i = 0; i < l->n; i++) {
		hearth_op op = as_op(&l->v[i]);
		uint8_t hash[HEARTH_OP_HASH_BYTES];

		assert_true(hearth_id_equal(&op.record, &id));
		assert_true(hearth_id_equal(&op.space, &space));
		assert_string_equal(op.kind, "screening");
		/* Id: this device, 1, 2, 3, 4; the HLC names the same device. */
		assert_int_equal(op.id.device, dev);
		assert_int_equal(op.id.seq, i + 1);
		assert_int_equal(hearth_hlc_device(&op.hlc), dev);
		assert_int_equal(l->v[i].state, HEARTH_OP_APPLIED);
		/* Sealed: the hash is the op's. */
		memcpy(hash, op.hash, sizeof hash);
		hearth_op_seal(&op);
		assert_memory_equal(hash, op.hash, sizeof hash);
		if (i > 0)
			assert_true(hearth_hlc_cmp(&l->v[i - 1].op.hlc, &l->v[i].op.hlc) < 0);
	}
	assert_string_equal(l->v[0].field, "_kind");
	assert_string_equal(l->v[0].value, "screening");
	/* The record's id is its creating op's own. */
	creating = as_op(&l->v[0]);
	derived = hearth_op_record_id(&creating);
	assert_true(hearth_id_equal(&derived, &id));
	assert_int_equal(hearth_hlc_ms(&l->v[0].op.hlc), T0);
	assert_int_equal(l->v[0].op.nprev, 0);
	assert_string_equal(l->v[1].field, "score");
	assert_string_equal(l->v[1].value, "12");
	assert_int_equal(hearth_hlc_ms(&l->v[1].op.hlc), T0 + 5);
	assert_int_equal(hearth_hlc_counter(&l->v[1].op.hlc), 0);
	assert_int_equal(l->v[1].op.nprev, 0); /* the field had no value */
	assert_int_equal(hearth_hlc_counter(&l->v[2].op.hlc), 1);
	assert_string_equal(l->v[2].field, "score");
	assert_int_equal(l->v[2].has_value, 0);
	/* The clear replaces the value it saw: op 2. */
	assert_int_equal(l->v[2].op.nprev, 1);
	assert_int_equal(l->v[2].prev[0].device, dev);
	assert_int_equal(l->v[2].prev[0].seq, 2);
	assert_string_equal(l->v[3].field, "_deleted");
	assert_string_equal(l->v[3].value, "1");
	/* The record row follows the ops. */
	assert_int_equal(count_rows(f->db, "SELECT deleted FROM record"), 1);
	/* A record with no fields at all still has its op to sync. */
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM op"), 4);
	free(l);
}

static void test_ops_by_device_and_range(void **state)
{
	fixture *f = *state;
	hearth_id a, b = id_of("00000000000000000000000000000042");
	hearth_op rops[3];
	op_list *l = list_new();
	uint64_t dev = hearth_store_device(f->s);
	size_t i;

	OK(hearth_record_create(f->s, NULL, "person", &a));     /* seq 1 */
	f->now = T0 + 10;
	OK(hearth_record_set(f->s, &a, "name", "A"));           /* seq 2 */
	rops[0] = CREATE(.seq = 1, .ms = T0 + 5, .rec = &b, .kind = "person",
		.value = "person");
	rops[1] = ROP(.seq = 2, .ms = T0 + 15, .rec = &b, .kind = "person",
		.field = "name", .value = "B");
	rops[2] = ROP(.seq = 3, .ms = T0 + 25, .ctr = 3, .rec = &b, .kind = "person",
		.field = "name", .value = "B2", .prev = &rops[1].id, .nprev = 1);
	OK(hearth_store_apply(f->s, rops, 3, NULL));
	f->now = T0 + 30;
	OK(hearth_record_set(f->s, &a, "name", "A2"));          /* seq 3 */

	/* Everything, by device then seq. */
	OK(hearth_store_ops(f->s, 0, 0, 0, collect, l));
	assert_int_equal(l->n, 6);
	for (i = 1; i < l->n; i++) {
		hearth_op_id *p = &l->v[i - 1].op.id, *q = &l->v[i].op.id;

		if (p->device == q->device)
			assert_int_equal(q->seq, p->seq + 1);
	}
	assert_true(l->v[0].op.id.device != l->v[5].op.id.device);
	assert_int_equal(l->v[0].op.id.seq, 1);
	assert_int_equal(l->v[3].op.id.seq, 1);

	/* Per device. */
	memset(l, 0, sizeof *l);
	OK(hearth_store_ops(f->s, DEV_R, 0, 0, collect, l));
	assert_int_equal(l->n, 3);
	assert_string_equal(l->v[2].value, "B2");
	assert_int_equal(l->v[2].op.nprev, 1);
	assert_int_equal(l->v[2].prev[0].seq, 2);
	memset(l, 0, sizeof *l);
	OK(hearth_store_ops(f->s, dev, 0, 0, collect, l));
	assert_int_equal(l->n, 3);
	assert_string_equal(l->v[2].value, "A2");

	/* Inclusive seq bounds. */
	memset(l, 0, sizeof *l);
	OK(hearth_store_ops(f->s, DEV_R, 2, 3, collect, l));
	assert_int_equal(l->n, 2);
	assert_string_equal(l->v[0].value, "B");
	/* "Since what I last saw" of a device: seq 3 onwards. */
	memset(l, 0, sizeof *l);
	OK(hearth_store_ops(f->s, DEV_R, 3, 0, collect, l));
	assert_int_equal(l->n, 1);
	assert_int_equal(hearth_hlc_counter(&l->v[0].op.hlc), 3);
	/* Every device's seq 2. */
	memset(l, 0, sizeof *l);
	OK(hearth_store_ops(f->s, 0, 2, 2, collect, l));
	assert_int_equal(l->n, 2);
	assert_true(l->v[0].op.id.device != l->v[1].op.id.device);
	/* The callback stops the walk. */
	memset(l, 0, sizeof *l);
	l->stop_after = 2;
	OK(hearth_store_ops(f->s, 0, 0, 0, collect, l));
	assert_int_equal(l->n, 2);
	/* An empty range, an unknown device. */
	memset(l, 0, sizeof *l);
	OK(hearth_store_ops(f->s, 0, 3, 1, collect, l));
	assert_int_equal(l->n, 0);
	OK(hearth_store_ops(f->s, DEV_S, 0, 0, collect, l));
	assert_int_equal(l->n, 0);
	free(l);
}

static void test_reopen_after_clock_went_back(void **state)
{
	tmpdir dir;
	char path[128];
	uint64_t now = T0, dev;
	sqlite3 *db = NULL;
	hearth_store *s = NULL;
	hearth_id id, space;
	op_list *l = list_new();
	int i;

	(void)state;
	tmpdir_make(&dir);
	tmpdir_file(&dir, "store.db", path);
	open_db(&db, path);
	s = open_store(db, &now);
	dev = hearth_store_device(s);
	space = hearth_store_private_space(s);
	assert_true(dev != 0);
	assert_int_equal(hearth_store_clock_ahead_ms(s), 0);
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
	/* The clock is a day ahead of the wall clock, and says so. */
	assert_int_equal(hearth_store_clock_ahead_ms(s), 24 * HOUR);
	OK(hearth_record_set(s, &id, "n", "after reopen"));
	OK(hearth_store_ops(s, dev, 0, 0, collect, l));
	assert_int_equal(l->n, 7);
	for (i = 1; i < 7; i++) {
		assert_true(hearth_hlc_cmp(&l->v[i - 1].op.hlc, &l->v[i].op.hlc) < 0);
		assert_int_equal(l->v[i].op.id.seq, i + 1);
	}
	assert_int_equal(hearth_hlc_ms(&l->v[6].op.hlc), T0);
	assert_int_equal(hearth_hlc_counter(&l->v[6].op.hlc), 6);
	hearth_store_close(s);

	/* The clock is in meta too: even with the op log emptied (as a
	 * future compaction might), the clock does not go back. */
	assert_int_equal(sqlite3_exec(db, "DELETE FROM op", NULL, NULL, NULL), SQLITE_OK);
	s = open_store(db, &now);
	OK(hearth_record_set(s, &id, "n", "after compaction"));
	memset(l, 0, sizeof *l);
	OK(hearth_store_ops(s, dev, 0, 0, collect, l));
	assert_int_equal(l->n, 1);
	assert_int_equal(hearth_hlc_ms(&l->v[0].op.hlc), T0);
	assert_int_equal(hearth_hlc_counter(&l->v[0].op.hlc), 7);
	hearth_store_close(s);
	sqlite3_close(db);
	tmpdir_remove(&dir);
	free(l);
}

/* The op log may lose this device's latest ops without a rollback of the
 * whole vault (a hard purge of a record, a compaction): the next op must
 * still not reuse a seq that peers already hold with other content. */
static void test_seq_not_reissued_after_ops_removed(void **state)
{
	fixture *f = *state;
	uint64_t dev = hearth_store_device(f->s);
	hearth_id a, b;
	op_list *l;

	OK(hearth_record_create(f->s, NULL, "person", &a));        /* 1 */
	OK(hearth_record_create(f->s, NULL, "person", &b));        /* 2 */
	OK(hearth_record_set(f->s, &b, "name", "to be purged"));   /* 3 */
	hearth_store_close(f->s);
	/* What a purge of record b does to the op log. */
	assert_int_equal(sqlite3_exec(f->db, "DELETE FROM op WHERE seq > 1",
		NULL, NULL, NULL), SQLITE_OK);
	f->s = open_store(f->db, &f->now);
	assert_int_equal(hearth_store_device(f->s), dev);
	OK(hearth_record_set(f->s, &a, "name", "after the purge"));
	l = ops_of(f->s, dev);
	assert_int_equal(l->n, 2);
	assert_int_equal(l->v[1].op.id.seq, 4);
	free(l);
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

	ops[0] = CREATE(.seq = 1, .ms = T0, .rec = &p1, .kind = "person", .value = "person");
	ops[1] = CREATE(.seq = 2, .ms = T0, .ctr = 1, .rec = &p2, .kind = "person",
		.value = "person");
	ops[2] = CREATE(.seq = 3, .ms = T0, .ctr = 2, .rec = &p3, .kind = "person",
		.value = "person");
	ops[3] = CREATE(.seq = 4, .ms = T0, .ctr = 3, .rec = &s1, .kind = "screening",
		.value = "screening");
	ops[4] = CREATE(.seq = 5, .ms = T0, .ctr = 4, .rec = &top, .kind = "person",
		.value = "person");
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
	hearth_op ops[4];
	hearth_record *r = NULL;
	op_list *l = list_new();
	size_t n = 99, deferred = 99, applied = 99, i;
	hearth_id mine;
	hearth_hlc future;

	ops[0] = CREATE(.seq = 1, .ms = T0 - 1000, .rec = &rec, .kind = "person",
		.value = "person");
	/* Two hours ahead: beyond the allowed drift. */
	ops[1] = ROP(.seq = 2, .ms = T0 + 2 * HOUR, .rec = &rec, .kind = "person",
		.field = "name", .value = "from the future");
	ops[2] = ROP(.seq = 3, .ms = T0 + 2 * HOUR, .ctr = 1, .rec = &rec,
		.kind = "person", .field = "unit", .value = "far");
	/* A minute ahead: fine. */
	ops[3] = ROP(.seq = 4, .ms = T0 + MINUTE, .rec = &rec, .kind = "person",
		.field = "note", .value = "now-ish");
	OK(hearth_store_apply(f->s, ops, 4, &deferred));
	assert_int_equal(deferred, 2);
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 2);
	/* Not applied... */
	OK(hearth_record_load(f->s, &rec, &r));
	assert_null(hearth_record_field(r, "name"));
	assert_null(hearth_record_field(r, "unit"));
	assert_string_equal(hearth_record_field(r, "note"), "now-ish");
	hearth_record_free(r);
	/* ...but held, and listed so they can be forwarded. */
	OK(hearth_store_ops(f->s, DEV_R, 0, 0, collect, l));
	assert_int_equal(l->n, 4);
	assert_int_equal(l->v[0].state, HEARTH_OP_APPLIED);
	assert_int_equal(l->v[1].state, HEARTH_OP_FUTURE);
	assert_int_equal(l->v[2].state, HEARTH_OP_FUTURE);
	assert_int_equal(l->v[3].state, HEARTH_OP_APPLIED);
	/* ...and the clock did not jump into the future. */
	OK(hearth_record_create(f->s, NULL, "person", &mine));
	memset(l, 0, sizeof *l);
	OK(hearth_store_ops(f->s, hearth_store_device(f->s), 0, 0, collect, l));
	assert_int_equal(l->n, 1);
	assert_int_equal(hearth_hlc_ms(&l->v[0].op.hlc), T0 + MINUTE);

	/* Sent again: still one copy aside. */
	OK(hearth_store_apply(f->s, ops, 4, NULL));
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 2);

	/* Too early still. */
	f->now = T0 + 2 * HOUR - 5 * MINUTE - 1;
	OK(hearth_store_retry_pending(f->s, &applied));
	assert_int_equal(applied, 0);
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 2);

	/* Its time has come: within five minutes of the wall clock. */
	f->now = T0 + 2 * HOUR - 5 * MINUTE;
	OK(hearth_store_retry_pending(f->s, &applied));
	assert_int_equal(applied, 2);
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 0);
	OK(hearth_record_load(f->s, &rec, &r));
	assert_string_equal(hearth_record_field(r, "name"), "from the future");
	assert_string_equal(hearth_record_field(r, "unit"), "far");
	assert_int_equal(hearth_hlc_ms(&r->created), T0 - 1000);
	hearth_record_free(r);
	memset(l, 0, sizeof *l);
	OK(hearth_store_ops(f->s, DEV_R, 0, 0, collect, l));
	assert_int_equal(l->n, 4);
	for (i = 0; i < l->n; i++)
		assert_int_equal(l->v[i].state, HEARTH_OP_APPLIED);
	/* Now observed: the next local op sorts after it. */
	OK(hearth_record_set(f->s, &mine, "x", "y"));
	future = hearth_hlc_make(T0 + 2 * HOUR, 1, DEV_R);
	memset(l, 0, sizeof *l);
	OK(hearth_store_ops(f->s, hearth_store_device(f->s), 2, 0, collect, l));
	assert_int_equal(l->n, 1);
	assert_string_equal(l->v[0].field, "x");
	assert_true(hearth_hlc_cmp(&l->v[0].op.hlc, &future) > 0);
	/* A duplicate arriving later is neither applied nor kept aside. */
	OK(hearth_store_apply(f->s, ops, 4, &deferred));
	assert_int_equal(deferred, 0);
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 0);
	free(l);
}

/* The allowed drift is five minutes unless the options say otherwise
 * (it was an hour): an op six minutes ahead waits, four minutes ahead is
 * merged, and the clock that absorbed it reports how far ahead it is. */
static void test_default_drift_five_minutes(void **state)
{
	fixture *f = *state;
	hearth_id rec = id_of("68686868686868686868686868686868");
	hearth_op ops[3];
	size_t deferred = 99, n = 99;
	hearth_record *r = NULL;
	sqlite3 *db2 = NULL;
	hearth_store *s2 = NULL;
	char path[128];
	uint64_t now2 = T0;

	ops[0] = CREATE(.seq = 1, .ms = T0, .rec = &rec, .kind = "person",
		.value = "person");
	ops[1] = ROP(.seq = 2, .ms = T0 + 6 * MINUTE, .rec = &rec, .kind = "person",
		.field = "six", .value = "minutes ahead");
	ops[2] = ROP(.seq = 3, .ms = T0 + 4 * MINUTE, .rec = &rec, .kind = "person",
		.field = "four", .value = "minutes ahead");
	OK(hearth_store_apply(f->s, ops, 3, &deferred));
	assert_int_equal(deferred, 1);
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 1);
	OK(hearth_record_load(f->s, &rec, &r));
	assert_null(hearth_record_field(r, "six"));
	assert_string_equal(hearth_record_field(r, "four"), "minutes ahead");
	hearth_record_free(r);
	/* The clock took in the op four minutes ahead of the wall clock. */
	assert_int_equal(hearth_store_clock_ahead_ms(f->s), 4 * MINUTE);
	f->now = T0 + 4 * MINUTE + 1;
	assert_int_equal(hearth_store_clock_ahead_ms(f->s), 0);

	/* A store given a wider drift takes both. */
	tmpdir_file(&f->dir, "wide.db", path);
	open_db(&db2, path);
	s2 = open_store_opt(db2, &now2, HOUR, NULL);
	OK(hearth_store_apply(s2, ops, 3, &deferred));
	assert_int_equal(deferred, 0);
	OK(hearth_store_pending_count(s2, &n));
	assert_int_equal(n, 0);
	hearth_store_close(s2);
	sqlite3_close(db2);
}

static void test_duplicate_apply_is_noop(void **state)
{
	fixture *f = *state;
	sqlite3 *db2 = NULL;
	hearth_store *s2 = NULL;
	uint64_t now2 = T0 + 7;
	hearth_id id;
	op_list *l = list_new();
	hearth_op ops[64];
	char *d1 = NULL, *d2 = NULL, *d3 = NULL, path[128];
	size_t i, len1, len2, deferred = 9;

	OK(hearth_record_create(f->s, NULL, "person", &id));
	OK(hearth_record_set(f->s, &id, "name", "王芳"));
	OK(hearth_record_set(f->s, &id, "unit", "Depot"));
	OK(hearth_record_set(f->s, &id, "unit", NULL));
	OK(hearth_store_ops_since(f->s, 0, collect, l));
	assert_int_equal(l->n, 4);
	for (i = 0; i < l->n; i++)
		ops[i] = as_op(&l->v[i]);

	tmpdir_file(&f->dir, "second.db", path);
	open_db(&db2, path);
	s2 = open_store(db2, &now2);
	OK(hearth_store_apply(s2, ops, l->n, &deferred));
	assert_int_equal(deferred, 0);
	OK(hearth_store_dump(s2, &d1, &len1));
	/* Again, reversed, and as a batch holding each op twice. */
	for (i = 0; i < l->n; i++)
		OK(hearth_store_apply(s2, &ops[l->n - 1 - i], 1, NULL));
	memcpy(ops + l->n, ops, l->n * sizeof ops[0]);
	OK(hearth_store_apply(s2, ops, 2 * l->n, NULL));
	OK(hearth_store_dump(s2, &d2, &len2));
	assert_int_equal(len1, len2);
	assert_string_equal(d1, d2);
	assert_int_equal(count_rows(db2, "SELECT count(*) FROM op"), (long)l->n);
	assert_int_equal(get_problems(s2).n, 0);
	/* The origin, fed its own ops, does not change either, nor does it
	 * take them for another copy's. */
	OK(hearth_store_apply(f->s, ops, l->n, NULL));
	OK(hearth_store_dump(f->s, &d3, NULL));
	assert_string_equal(d1, d3);
	assert_int_equal(get_problems(f->s).n, 0);
	free(d1);
	free(d2);
	free(d3);
	free(l);
	hearth_store_close(s2);
	sqlite3_close(db2);
}

static void test_lww_merge(void **state)
{
	fixture *f = *state;
	hearth_id rec = id_of("0123456789abcdef0123456789abcdef");
	hearth_id sp11 = space_of(0x11);
	hearth_record *r = NULL;
	hearth_op ops[8];
	char path[128];
	sqlite3 *db2 = NULL;
	hearth_store *s2 = NULL;
	problems p;
	size_t i;

	/* Out of order: a later op of another kind arrives first and waits;
	 * the creating op decides kind, space and created, and the waiting
	 * op that names another kind is then quarantined. */
	ops[0] = ROP(.seq = 2, .ms = T0 - 50, .space = &sp11, .rec = &rec,
		.kind = "journal", .field = "mood", .value = "3");
	ops[1] = CREATE(.seq = 1, .ms = T0 - 100, .space = &sp11, .rec = &rec,
		.kind = "person", .value = "person");
	OK(hearth_store_apply(f->s, ops, 1, NULL));
	assert_int_equal(hearth_record_load(f->s, &rec, &r), HEARTH_ENOTFOUND);
	OK(hearth_store_apply(f->s, ops + 1, 1, NULL));
	OK(hearth_record_load(f->s, &rec, &r));
	assert_string_equal(r->kind, "person");
	assert_int_equal(r->space.b[0], 0x11);
	assert_int_equal(hearth_hlc_ms(&r->created), T0 - 100);
	assert_int_equal(r->nfields, 0);
	hearth_record_free(r);
	p = get_problems(f->s);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.id[0].seq, 2);
	assert_string_equal(p.reason[0], "names another kind than its record's");

	/* An older value does not override a newer one. */
	ops[2] = ROP(.seq = 3, .ms = T0 - 10, .space = &sp11, .rec = &rec,
		.kind = "person", .field = "name", .value = "newer");
	ops[3] = ROP(.seq = 4, .dev = DEV_S, .ms = T0 - 20, .space = &sp11,
		.rec = &rec, .kind = "person", .field = "name", .value = "older");
	OK(hearth_store_apply(f->s, ops + 2, 2, NULL));
	OK(hearth_record_load(f->s, &rec, &r));
	assert_string_equal(hearth_record_field(r, "name"), "newer");
	hearth_record_free(r);
	/* A local write (after everything observed) wins; then an older
	 * remote clear cannot undo it... */
	OK(hearth_record_set(f->s, &rec, "name", "local"));
	ops[4] = ROP(.seq = 5, .ms = T0 - 5, .space = &sp11, .rec = &rec,
		.kind = "person", .field = "name", .value = NULL);
	OK(hearth_store_apply(f->s, ops + 4, 1, NULL));
	OK(hearth_record_load(f->s, &rec, &r));
	assert_string_equal(hearth_record_field(r, "name"), "local");
	hearth_record_free(r);
	/* ...and a cleared field is not resurrected by an older value. */
	ops[5] = ROP(.seq = 7, .ms = T0 + 10, .space = &sp11, .rec = &rec,
		.kind = "person", .field = "name", .value = NULL);
	ops[6] = ROP(.seq = 6, .ms = T0 + 9, .space = &sp11, .rec = &rec,
		.kind = "person", .field = "name", .value = "resurrected?");
	OK(hearth_store_apply(f->s, ops + 5, 2, NULL));
	OK(hearth_record_load(f->s, &rec, &r));
	assert_null(hearth_record_field(r, "name"));
	hearth_record_free(r);

	/* A tombstone is for good: there is no undelete, newer or older. */
	ops[0] = ROP(.seq = 8, .ms = T0 + 20, .space = &sp11, .rec = &rec,
		.kind = "person", .field = "_deleted", .value = "1");
	OK(hearth_store_apply(f->s, ops, 1, NULL));
	ops[1] = ROP(.seq = 9, .ms = T0 + 19, .space = &sp11, .rec = &rec,
		.kind = "person", .field = "_deleted", .value = NULL);
	assert_int_equal(hearth_store_apply(f->s, ops + 1, 1, NULL), HEARTH_EFORMAT);
	assert_string_equal(hearth_errdetail(), "op 0 undeletes a record");
	ops[2] = ROP(.seq = 9, .ms = T0 + 21, .space = &sp11, .rec = &rec,
		.kind = "person", .field = "_deleted", .value = "0");
	assert_int_equal(hearth_store_apply(f->s, ops + 2, 1, NULL), HEARTH_EFORMAT);
	assert_string_equal(hearth_errdetail(), "op 0 undeletes a record");
	OK(hearth_record_load(f->s, &rec, &r));
	assert_int_equal(r->deleted, 1);
	hearth_record_free(r);

	/* Two different ops sharing one HLC (a misbehaving device, or one
	 * whose counter ran out) are two ops: seq orders them, whatever the
	 * order they arrive in. */
	ops[0] = ROP(.seq = 10, .ms = T0 + 30, .space = &sp11, .rec = &rec,
		.kind = "person", .field = "tag", .value = "bbb");
	ops[1] = ROP(.seq = 12, .ms = T0 + 30, .space = &sp11, .rec = &rec,
		.kind = "person", .field = "tag", .value = "aaa");
	ops[2] = ROP(.seq = 11, .ms = T0 + 30, .space = &sp11, .rec = &rec,
		.kind = "person", .field = "tag", .value = NULL);
	tmpdir_file(&f->dir, "second.db", path);
	open_db(&db2, path);
	s2 = open_store(db2, &f->now);
	send_all(f->s, s2);
	for (i = 0; i < 3; i++) {
		OK(hearth_store_apply(f->s, &ops[i], 1, NULL));
		OK(hearth_store_apply(s2, &ops[2 - i], 1, NULL));
	}
	OK(hearth_record_load(f->s, &rec, &r));
	assert_string_equal(hearth_record_field(r, "tag"), "aaa");
	hearth_record_free(r);
	OK(hearth_record_load(s2, &rec, &r));
	assert_string_equal(hearth_record_field(r, "tag"), "aaa");
	hearth_record_free(r);
	/* Both are held, in both logs. */
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM op WHERE value='bbb'"), 1);
	assert_int_equal(count_rows(db2, "SELECT count(*) FROM op WHERE value='aaa'"), 1);
	assert_same_dump(f->s, s2);
	/* Likewise for such a pair kept aside (too far in the future). */
	ops[0] = ROP(.seq = 13, .ms = f->now + 3 * HOUR, .space = &sp11, .rec = &rec,
		.kind = "person", .field = "tag", .value = "zzz");
	ops[1] = ROP(.seq = 14, .ms = f->now + 3 * HOUR, .space = &sp11, .rec = &rec,
		.kind = "person", .field = "tag", .value = "aaa");
	OK(hearth_store_apply(f->s, ops, 2, NULL));
	OK(hearth_store_apply(s2, &ops[1], 1, NULL));
	OK(hearth_store_apply(s2, &ops[0], 1, NULL));
	assert_int_equal(count_rows(f->db,
		"SELECT count(*) FROM op WHERE state=1 AND value='zzz'"), 1);
	assert_int_equal(count_rows(db2,
		"SELECT count(*) FROM op WHERE state=1 AND value='zzz'"), 1);
	assert_int_equal(count_rows(db2, "SELECT count(*) FROM op WHERE state=1"), 2);
	hearth_store_close(s2);
	sqlite3_close(db2);
}

/* A batch is checked whole before anything is merged: each reason refuses
 * it with HEARTH_EFORMAT naming the op, and leaves the store untouched. */
static void test_apply_rejects_malformed(void **state)
{
	fixture *f = *state;
	hearth_id rec = hearth_id_random();
	hearth_op_id unsorted[2] = { { DEV_S, 5 }, { DEV_S, 3 } };
	hearth_op_id repeated[2] = { { DEV_S, 3 }, { DEV_S, 3 } };
	hearth_op_id zero[1] = { { 0, 0 } };
	hearth_op_id itself[1] = { { DEV_R, 2 } }, later[2] = { { DEV_R, 1 }, { DEV_R, 7 } };
	char *big = malloc(HEARTH_OP_VALUE_MAX + 2);
	char longname[HEARTH_OP_NAME_MAX + 2];
	hearth_op ops[2];
	const struct {
		opspec bad;
		const char *why;
	} cases[] = {
		{ { .seq = 2, .ms = T0, .kind = "person", .field = "name",
		    .value = "caf\xc3\x28" }, "has a value that is not valid UTF-8" },
		{ { .seq = 2, .ms = T0, .kind = "person", .field = "na\xed\xa0\x80me",
		    .value = "x" }, "has a malformed field name" },
		{ { .seq = 2, .ms = T0, .kind = "pers\xc0\xafon", .field = "name",
		    .value = "x" }, "has a malformed kind" },
		{ { .seq = 2, .ms = T0, .kind = "person", .field = NULL,
		    .value = "x" }, "has no field name" },
		{ { .seq = 2, .ms = T0, .kind = "", .field = "name",
		    .value = "x" }, "has no kind" },
		{ { .seq = 2, .ms = T0, .kind = "person", .field = "_secret",
		    .value = "x" }, "writes a reserved field name" },
		{ { .seq = 2, .ms = T0, .kind = "person", .field = "name",
		    .value = big }, "has a value over the size limit" },
		{ { .seq = 2, .ms = T0, .kind = "person", .field = longname,
		    .value = "x" }, "has a malformed field name" },
		{ { .seq = 2, .ms = T0, .kind = "person", .field = "_deleted",
		    .value = "0" }, "undeletes a record" },
		{ { .seq = 2, .ms = T0, .kind = "person", .field = "_deleted",
		    .value = NULL }, "undeletes a record" },
		{ { .seq = 2, .ms = T0, .kind = "person", .field = "_kind",
		    .value = "journal" }, "creates a record of another kind than it names" },
		{ { .seq = 0, .ms = T0, .kind = "person", .field = "name",
		    .value = "x" }, "has no device id or sequence number" },
		{ { .seq = 2, .ms = T0, .kind = "person", .field = "name",
		    .value = "x", .prev = unsorted, .nprev = 2 },
		  "has replaced values out of order" },
		{ { .seq = 2, .ms = T0, .kind = "person", .field = "name",
		    .value = "x", .prev = repeated, .nprev = 2 },
		  "has replaced values out of order" },
		{ { .seq = 2, .ms = T0, .kind = "person", .field = "name",
		    .value = "x", .prev = zero, .nprev = 1 },
		  "replaces a value with no id" },
		{ { .seq = 2, .ms = T0, .kind = "person", .field = "name",
		    .value = "x", .prev = itself, .nprev = 1 },
		  "replaces an op its device had not written yet" },
		{ { .seq = 2, .ms = T0, .kind = "person", .field = "name",
		    .value = "x", .prev = later, .nprev = 2 },
		  "replaces an op its device had not written yet" },
	};
	char want[128];
	size_t i;

	assert_non_null(big);
	memset(big, 'v', HEARTH_OP_VALUE_MAX + 1);
	big[HEARTH_OP_VALUE_MAX + 1] = '\0';
	memset(longname, 'n', HEARTH_OP_NAME_MAX + 1);
	longname[HEARTH_OP_NAME_MAX + 1] = '\0';
	ops[0] = CREATE(.seq = 1, .ms = T0, .rec = &rec, .kind = "person", .value = "person");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		opspec o = cases[i].bad;

		o.rec = &rec;
		ops[1] = make_op(o);
		if (hearth_store_apply(f->s, ops, 2, NULL) != HEARTH_EFORMAT)
			fail_msg("case %zu (%s) was not refused", i, cases[i].why);
		snprintf(want, sizeof want, "op 1 %s", cases[i].why);
		assert_string_equal(hearth_errdetail(), want);
	}
	/* The HLC of another device than the op's author. */
	ops[1] = ROP(.seq = 2, .ms = T0, .rec = &rec, .kind = "person",
		.field = "name", .value = "x");
	ops[1].hlc = hearth_hlc_make(T0, 0, DEV_S);
	hearth_op_seal(&ops[1]);
	assert_int_equal(hearth_store_apply(f->s, ops, 2, NULL), HEARTH_EFORMAT);
	assert_string_equal(hearth_errdetail(), "op 1 has an HLC of another device");
	/* The bad op first: still named by its place in the batch. */
	ops[1] = ops[0];
	ops[0] = ROP(.seq = 2, .ms = T0, .rec = &rec, .kind = "person",
		.field = "_hidden", .value = "x");
	assert_int_equal(hearth_store_apply(f->s, ops, 2, NULL), HEARTH_EFORMAT);
	assert_string_equal(hearth_errdetail(), "op 0 writes a reserved field name");

	/* Nothing of any batch was applied, held or kept aside. */
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM op"), 0);
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM record"), 0);
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM field"), 0);
	OK(hearth_store_apply(f->s, NULL, 0, NULL));

	/* The limits themselves are allowed. */
	big[HEARTH_OP_VALUE_MAX] = '\0';
	longname[HEARTH_OP_NAME_MAX] = '\0';
	ops[0] = CREATE(.seq = 1, .ms = T0, .rec = &rec, .kind = "person", .value = "person");
	ops[1] = ROP(.seq = 2, .ms = T0, .rec = &rec, .kind = "person",
		.field = longname, .value = big);
	OK(hearth_store_apply(f->s, ops, 2, NULL));
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM op"), 2);
	free(big);
}

/* An op whose content does not match its hash is refused, and its batch
 * with it. */
static void test_apply_rejects_hash_mismatch(void **state)
{
	fixture *f = *state;
	hearth_id rec = hearth_id_random();
	hearth_op ops[3];
	hearth_op_id prev = { DEV_R, 1 };
	size_t i;

	ops[0] = CREATE(.seq = 1, .ms = T0, .rec = &rec, .kind = "person", .value = "person");
	ops[1] = ROP(.seq = 2, .ms = T0 + 1, .rec = &rec, .kind = "person",
		.field = "name", .value = "sealed");
	ops[2] = ROP(.seq = 3, .ms = T0 + 2, .rec = &rec, .kind = "person",
		.field = "unit", .value = "A", .prev = &prev, .nprev = 1);

	/* Changed after sealing: each part the hash covers. */
	for (i = 0; i < 8; i++) {
		hearth_op bad[3] = { ops[0], ops[1], ops[2] };

		switch (i) {
		case 0: bad[1].value = "changed"; break;
		case 1: bad[1].value = NULL; break;
		case 2: bad[1].id.seq = 4; break;
		case 3: bad[1].hlc = hearth_hlc_make(T0 + 9, 0, DEV_R); break;
		case 4: bad[1].space.b[3] ^= 1; break;
		case 5: bad[1].hash[31] ^= 0x80; break;
		case 6: bad[2].nprev = 0; break;
		case 7: bad[1].field = "nome"; break;
		}
		assert_int_equal(hearth_store_apply(f->s, bad, 3, NULL), HEARTH_EFORMAT);
		assert_string_equal(hearth_errdetail(),
			i == 6 ? "op 2 does not match its hash" :
				 "op 1 does not match its hash");
	}
	/* An op never sealed. */
	ops[1].value = "unsealed";
	memset(ops[1].hash, 0, sizeof ops[1].hash);
	assert_int_equal(hearth_store_apply(f->s, ops, 3, NULL), HEARTH_EFORMAT);
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM op"), 0);
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM record"), 0);
	hearth_op_seal(&ops[1]);
	OK(hearth_store_apply(f->s, ops, 3, NULL));
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM op"), 3);
}

/* Local ops are numbered 1, 2, 3, ... with no gaps: a rolled-back
 * transaction, a failed write, a failed step and a reopen leave none. */
static void test_local_seq_dense(void **state)
{
	fixture *f = *state;
	const char *const immutable[] = { "note", NULL };
	hearth_id a, b, c, unknown = hearth_id_random(), n1;
	hearth_store_step step;
	op_list *l;
	char *big = malloc(HEARTH_OP_VALUE_MAX + 2);
	uint64_t dev = hearth_store_device(f->s);
	heads h = { 0 };
	size_t i;

	assert_non_null(big);
	memset(big, 'v', HEARTH_OP_VALUE_MAX + 1);
	big[HEARTH_OP_VALUE_MAX + 1] = '\0';
	OK(hearth_record_create(f->s, NULL, "person", &a));       /* 1 */
	OK(hearth_record_set(f->s, &a, "name", "one"));            /* 2 */
	OK(hearth_record_set(f->s, &a, "name", "two"));            /* 3 */

	/* A transaction rolled back. */
	OK(hearth_store_begin(f->s));
	OK(hearth_record_set(f->s, &a, "name", "gone"));
	OK(hearth_record_create(f->s, NULL, "person", &b));
	OK(hearth_record_set(f->s, &b, "name", "gone too"));
	hearth_store_rollback(f->s);
	OK(hearth_record_set(f->s, &a, "unit", "U"));              /* 4 */

	/* Failed writes. */
	assert_int_equal(hearth_record_set(f->s, &unknown, "name", "x"), HEARTH_ENOTFOUND);
	assert_int_equal(hearth_record_delete(f->s, &unknown), HEARTH_ENOTFOUND);
	assert_int_equal(hearth_record_set(f->s, &a, "_deleted", "0"), HEARTH_EINVAL);
	assert_int_equal(hearth_record_set(f->s, &a, "name", "\xff"), HEARTH_EINVAL);
	assert_int_equal(hearth_record_set(f->s, &a, "name", big), HEARTH_EINVAL);
	assert_int_equal(hearth_record_create(f->s, NULL, "", &b), HEARTH_EINVAL);
	OK(hearth_record_delete(f->s, &a));                        /* 5 */

	/* A failed step inside the caller's transaction. */
	OK(hearth_store_begin(f->s));
	OK(hearth_record_create(f->s, NULL, "person", &c));        /* 6 */
	OK(hearth_store_step_begin(f->s, &step));
	OK(hearth_record_set(f->s, &c, "name", "lost"));
	assert_int_equal(hearth_store_step_end(f->s, &step, HEARTH_EINVAL), HEARTH_EINVAL);
	OK(hearth_record_set(f->s, &c, "name", "kept"));           /* 7 */
	OK(hearth_store_commit(f->s));

	/* Reopened, with immutable notes: a refused change leaves no gap. */
	hearth_store_close(f->s);
	f->s = open_store_opt(f->db, &f->now, 0, immutable);
	assert_int_equal(hearth_store_device(f->s), dev);
	OK(hearth_record_create(f->s, NULL, "note", &n1));         /* 8 */
	OK(hearth_record_set(f->s, &n1, "text", "once"));          /* 9 */
	assert_int_equal(hearth_record_set(f->s, &n1, "text", "twice"), HEARTH_ESTATE);
	OK(hearth_record_set(f->s, &c, "unit", "V"));              /* 10 */

	l = ops_of(f->s, dev);
	assert_int_equal(l->n, 10);
	for (i = 0; i < l->n; i++) {
		assert_int_equal(l->v[i].op.id.device, dev);
		assert_int_equal(l->v[i].op.id.seq, i + 1);
	}
	assert_string_equal(l->v[3].value, "U");
	assert_string_equal(l->v[6].value, "kept");
	assert_string_equal(l->v[9].value, "V");
	OK(hearth_store_heads(f->s, see_head, &h));
	assert_int_equal(h.n, 1);
	assert_int_equal(h.h[0].device, dev);
	assert_int_equal(h.h[0].count, 10);
	assert_int_equal(h.h[0].max_seq, 10);
	free(l);
	free(big);
}

/* An op for a record whose creating op has not come waits, and is merged
 * when it comes: both orders end in the same state. */
static void test_orphan_waits_for_creating_op(void **state)
{
	fixture *f = *state;
	hearth_id rec = id_of("0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a");
	hearth_op ops[3];
	replica other;
	hearth_record *r = NULL;
	op_list *l = list_new();
	size_t n = 9, deferred = 9;

	/* The field ops are older than the creating op by HLC, and of
	 * another device: neither sorts them after it. */
	ops[0] = CREATE(.seq = 4, .ms = T0, .rec = &rec, .kind = "person", .value = "person");
	ops[1] = ROP(.dev = DEV_S, .seq = 1, .ms = T0 - 10, .rec = &rec,
		.kind = "person", .field = "name", .value = "early");
	ops[2] = ROP(.dev = DEV_S, .seq = 2, .ms = T0 - 5, .rec = &rec,
		.kind = "person", .field = "unit", .value = "W3");

	/* Field ops first: they wait. */
	OK(hearth_store_apply(f->s, ops + 1, 2, &deferred));
	assert_int_equal(deferred, 0);
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 2);
	assert_int_equal(hearth_record_load(f->s, &rec, &r), HEARTH_ENOTFOUND);
	OK(hearth_store_ops_since(f->s, 0, collect, l));
	assert_int_equal(l->n, 2);
	assert_int_equal(l->v[0].state, HEARTH_OP_ORPHAN);
	assert_int_equal(l->v[1].state, HEARTH_OP_ORPHAN);
	OK(hearth_store_apply(f->s, ops, 1, NULL));
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 0);
	OK(hearth_record_load(f->s, &rec, &r));
	assert_string_equal(hearth_record_field(r, "name"), "early");
	assert_string_equal(hearth_record_field(r, "unit"), "W3");
	assert_int_equal(hearth_hlc_ms(&r->created), T0);
	hearth_record_free(r);
	memset(l, 0, sizeof *l);
	OK(hearth_store_ops_since(f->s, 0, collect, l));
	assert_int_equal(l->n, 3);
	assert_int_equal(l->v[0].state, HEARTH_OP_APPLIED);
	assert_int_equal(l->v[1].state, HEARTH_OP_APPLIED);

	/* The other order, one op at a time: the same state. */
	replica_open(&other, &f->dir, "other.db", NULL);
	OK(hearth_store_apply(other.s, ops, 1, NULL));
	OK(hearth_store_apply(other.s, ops + 2, 1, NULL));
	OK(hearth_store_apply(other.s, ops + 1, 1, NULL));
	assert_same_dump(f->s, other.s);
	/* And in one batch. */
	replica_close(&other);
	replica_open(&other, &f->dir, "third.db", NULL);
	OK(hearth_store_apply(other.s, ops, 3, NULL));
	assert_same_dump(f->s, other.s);
	replica_close(&other);
	free(l);
}

/* A record's space and kind are those of its creating op: ops naming
 * another space or kind, and a second creating op that disagrees, are
 * quarantined and reported, never applied (issue 9: a late, backdated op
 * used to move a record into another space). */
static void test_quarantine_other_space_or_kind(void **state)
{
	fixture *f = *state;
	hearth_id rec = id_of("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
	hearth_id rec2 = id_of("0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c");
	hearth_id team = space_of(0x11), own = space_of(0x55);
	hearth_op good[2], bad[6];
	replica clean;
	hearth_record *r = NULL;
	op_list *l = list_new();
	problems p;
	size_t i, n = 9;
	char *before = NULL, *after = NULL;

	good[0] = CREATE(.seq = 1, .ms = T0, .rec = &rec, .kind = "person", .value = "person");
	good[1] = ROP(.seq = 2, .ms = T0 + 1, .rec = &rec, .kind = "person",
		.field = "name", .value = "Li Wei");
	OK(hearth_store_apply(f->s, good, 2, NULL));
	OK(hearth_store_dump(f->s, &before, NULL));

	/* Backdated, into the team's space. */
	bad[0] = ROP(.dev = DEV_S, .seq = 1, .ms = T0 - HOUR, .space = &team,
		.rec = &rec, .kind = "person", .field = "name", .value = "captured");
	/* Another kind. */
	bad[1] = ROP(.dev = DEV_S, .seq = 2, .ms = T0 + 5, .rec = &rec,
		.kind = "journal", .field = "name", .value = "journal now");
	/* A second creating op, in another space (a backdated one is
	 * test_backdated_creating_op_cannot_capture's). */
	bad[2] = CREATE(.dev = DEV_S, .seq = 3, .ms = T0 + 4, .space = &team,
		.rec = &rec, .kind = "person", .value = "person");
	/* A second creating op of another kind. */
	bad[3] = CREATE(.dev = DEV_S, .seq = 4, .ms = T0 + 6, .rec = &rec,
		.kind = "journal", .value = "journal");
	/* A tombstone naming another space. */
	bad[4] = ROP(.dev = DEV_S, .seq = 5, .ms = T0 + 7, .space = &team,
		.rec = &rec, .kind = "person", .field = "_deleted", .value = "1");
	OK(hearth_store_apply(f->s, bad, 5, NULL));

	OK(hearth_record_load(f->s, &rec, &r));
	assert_true(hearth_id_equal(&r->space, &own));
	assert_string_equal(r->kind, "person");
	assert_string_equal(hearth_record_field(r, "name"), "Li Wei");
	assert_int_equal(r->deleted, 0);
	assert_int_equal(hearth_hlc_ms(&r->created), T0);
	hearth_record_free(r);
	OK(hearth_store_dump(f->s, &after, NULL));
	assert_string_equal(before, after);

	/* Reported, in the order they came (the batch goes in HLC order). */
	p = get_problems(f->s);
	assert_int_equal(p.n, 5);
	assert_int_equal(p.moves, 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(p.id[i].device, DEV_S);
	assert_int_equal(p.id[0].seq, 1);
	assert_string_equal(p.reason[0], "names another space than its record's");
	assert_string_equal(p.value[0], "captured");
	assert_int_equal(p.id[1].seq, 3);
	assert_string_equal(p.reason[1], "names another space than its record's");
	assert_int_equal(p.id[2].seq, 2);
	assert_string_equal(p.reason[2], "names another kind than its record's");
	assert_int_equal(p.id[3].seq, 4);
	assert_string_equal(p.reason[3], "names another kind than its record's");
	assert_int_equal(p.id[4].seq, 5);
	/* Not waiting; forwarded as quarantined (every replica that meets
	 * the record's creating op refuses them alike). */
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 0);
	OK(hearth_store_ops_since(f->s, 0, collect, l));
	assert_int_equal(l->n, 7);
	memset(l, 0, sizeof *l);
	OK(hearth_store_ops(f->s, DEV_S, 0, 0, collect, l));
	assert_int_equal(l->n, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(l->v[i].state, HEARTH_OP_QUARANTINED);
	/* Sent again: still one report each. */
	OK(hearth_store_apply(f->s, bad, 5, NULL));
	assert_int_equal(get_problems(f->s).n, 5);

	/* A disagreeing op that arrives before its record's creating op is
	 * quarantined when that comes. */
	bad[5] = ROP(.dev = DEV_S, .seq = 6, .ms = T0 - 50, .space = &team,
		.rec = &rec2, .kind = "person", .field = "name", .value = "early");
	OK(hearth_store_apply(f->s, bad + 5, 1, NULL));
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 1);
	good[0] = CREATE(.seq = 3, .ms = T0 + 100, .rec = &rec2, .kind = "person",
		.value = "person");
	OK(hearth_store_apply(f->s, good, 1, NULL));
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 0);
	OK(hearth_record_load(f->s, &rec2, &r));
	assert_null(hearth_record_field(r, "name"));
	assert_int_equal(r->space.b[0], 0x55);
	hearth_record_free(r);
	p = get_problems(f->s);
	assert_int_equal(p.n, 6);
	assert_int_equal(p.id[5].seq, 6);
	assert_string_equal(p.reason[5], "names another space than its record's");

	/* A store that gets everything from this one, the bad ops
	 * forwarded, refuses them alike and dumps the same. */
	replica_open(&clean, &f->dir, "clean.db", NULL);
	send_all(f->s, clean.s);
	assert_same_dump(f->s, clean.s);
	assert_int_equal(get_problems(clean.s).n, 6);
	replica_close(&clean);
	free(before);
	free(after);
	free(l);
}

/* Issue 9's capture: a member of a small share who knows a team record's
 * id sends a creating op for it in the share's space, backdated before
 * the real one.  The record's id is derived from its own creating op, so
 * the intruder's is quarantined and reported whichever comes first, and
 * the record stays where its creator put it, with its fields. */
static void test_backdated_creating_op_cannot_capture(void **state)
{
	fixture *f = *state;
	hearth_id share = space_of(0x11), team = space_of(0x55);
	hearth_op ops[3];
	hearth_record *r = NULL;
	replica other;
	problems p;
	hearth_store *both[2];
	int k;

	ops[0] = CREATE(.seq = 1, .ms = T0, .kind = "person", .value = "person");
	ops[1] = ROP(.seq = 2, .ms = T0 + 1, .rec = &ops[0].record, .kind = "person",
		.field = "risk", .value = "high");
	ops[2] = CREATE(.dev = DEV_S, .seq = 1, .ms = T0 - 24 * HOUR, .space = &share,
		.rec = &ops[0].record, .kind = "person", .value = "person");
	/* The real one first here, the intruder's first there. */
	OK(hearth_store_apply(f->s, ops, 2, NULL));
	OK(hearth_store_apply(f->s, ops + 2, 1, NULL));
	replica_open(&other, &f->dir, "other.db", NULL);
	OK(hearth_store_apply(other.s, ops + 2, 1, NULL));
	OK(hearth_store_apply(other.s, ops + 1, 1, NULL));
	OK(hearth_store_apply(other.s, ops, 1, NULL));
	both[0] = f->s;
	both[1] = other.s;
	for (k = 0; k < 2; k++) {
		OK(hearth_record_load(both[k], &ops[0].record, &r));
		assert_true(hearth_id_equal(&r->space, &team));
		assert_string_equal(hearth_record_field(r, "risk"), "high");
		assert_int_equal(hearth_hlc_ms(&r->created), T0);
		hearth_record_free(r);
		p = get_problems(both[k]);
		assert_int_equal(p.n, 1);
		assert_int_equal(p.id[0].device, DEV_S);
		assert_int_equal(p.id[0].seq, 1);
		assert_string_equal(p.reason[0], "names another space than its record's");
	}
	assert_same_dump(f->s, other.s);
	replica_close(&other);
}

/* Records made before ids were derived (random ids): the first creating
 * op to arrive binds, and a disagreeing one is reported either way. */
static void test_disagreeing_creating_ops_of_old_records(void **state)
{
	fixture *f = *state;
	hearth_id rec = id_of("0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d");
	hearth_id team = space_of(0x11);
	hearth_op ops[2];
	hearth_record *r = NULL;
	replica other;

	ops[0] = CREATE(.seq = 1, .ms = T0, .rec = &rec, .kind = "person", .value = "person");
	ops[1] = CREATE(.dev = DEV_S, .seq = 1, .ms = T0 - HOUR, .space = &team,
		.rec = &rec, .kind = "person", .value = "person");
	OK(hearth_store_apply(f->s, ops, 1, NULL));
	OK(hearth_store_apply(f->s, ops + 1, 1, NULL));
	replica_open(&other, &f->dir, "other.db", NULL);
	OK(hearth_store_apply(other.s, ops + 1, 1, NULL));
	OK(hearth_store_apply(other.s, ops, 1, NULL));
	OK(hearth_record_load(f->s, &rec, &r));
	assert_int_equal(r->space.b[0], 0x55);
	hearth_record_free(r);
	OK(hearth_record_load(other.s, &rec, &r));
	assert_int_equal(r->space.b[0], 0x11);
	hearth_record_free(r);
	assert_int_equal(get_problems(f->s).id[0].device, DEV_S);
	assert_int_equal(get_problems(other.s).id[0].device, DEV_R);
	assert_int_equal(get_problems(f->s).n, 1);
	assert_int_equal(get_problems(other.s).n, 1);
	replica_close(&other);
}

/* Immutable kinds: a set field is written once.  Locally a second write
 * is refused; at merge the first write by (HLC, seq) stays and the other
 * is quarantined, whichever arrives first. */
static void test_immutable_kind(void **state)
{
	fixture *f = *state;
	const char *const immutable[] = { "note", NULL };
	hearth_id note, person, rec = id_of("0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e");
	hearth_record *r = NULL;
	hearth_op ops[4];
	replica x, y;
	problems p;
	long nops;

	/* Locally. */
	hearth_store_close(f->s);
	f->s = open_store_opt(f->db, &f->now, 0, immutable);
	OK(hearth_record_create(f->s, NULL, "note", &note));
	OK(hearth_record_set(f->s, &note, "text", "first words"));
	nops = count_rows(f->db, "SELECT count(*) FROM op");
	assert_int_equal(hearth_record_set(f->s, &note, "text", "second thoughts"),
		HEARTH_ESTATE);
	assert_int_equal(hearth_record_set(f->s, &note, "text", NULL), HEARTH_ESTATE);
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM op"), nops);
	/* A field not yet set may be set once; a tombstone still applies. */
	OK(hearth_record_set(f->s, &note, "mood", "calm"));
	assert_int_equal(hearth_record_set(f->s, &note, "mood", "tense"), HEARTH_ESTATE);
	OK(hearth_record_delete(f->s, &note));
	OK(hearth_record_load(f->s, &note, &r));
	assert_string_equal(hearth_record_field(r, "text"), "first words");
	assert_string_equal(hearth_record_field(r, "mood"), "calm");
	assert_int_equal(r->deleted, 1);
	hearth_record_free(r);
	/* Other kinds are not affected. */
	OK(hearth_record_create(f->s, NULL, "person", &person));
	OK(hearth_record_set(f->s, &person, "name", "a"));
	OK(hearth_record_set(f->s, &person, "name", "b"));

	/* At merge: two writes of one field of a note, from two devices. */
	ops[0] = CREATE(.seq = 1, .ms = T0, .rec = &rec, .kind = "note", .value = "note");
	ops[1] = ROP(.seq = 2, .ms = T0 + 10, .rec = &rec, .kind = "note",
		.field = "text", .value = "written first");
	ops[2] = ROP(.dev = DEV_S, .seq = 1, .ms = T0 + 20, .rec = &rec, .kind = "note",
		.field = "text", .value = "written later");
	ops[3] = ROP(.dev = DEV_S, .seq = 2, .ms = T0 + 30, .rec = &rec, .kind = "note",
		.field = "_deleted", .value = "1");
	replica_open(&x, &f->dir, "x.db", immutable);
	replica_open(&y, &f->dir, "y.db", immutable);
	OK(hearth_store_apply(x.s, ops, 2, NULL));
	OK(hearth_store_apply(x.s, ops + 2, 1, NULL));
	OK(hearth_store_apply(y.s, ops, 1, NULL));
	OK(hearth_store_apply(y.s, ops + 2, 1, NULL));
	OK(hearth_store_apply(y.s, ops + 1, 1, NULL));
	OK(hearth_record_load(x.s, &rec, &r));
	assert_string_equal(hearth_record_field(r, "text"), "written first");
	hearth_record_free(r);
	OK(hearth_record_load(y.s, &rec, &r));
	assert_string_equal(hearth_record_field(r, "text"), "written first");
	hearth_record_free(r);
	assert_same_dump(x.s, y.s);
	p = get_problems(x.s);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.id[0].device, DEV_S);
	assert_string_equal(p.value[0], "written later");
	assert_string_equal(p.reason[0], "changes a field of an immutable record");
	p = get_problems(y.s);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.value[0], "written later");
	/* No conflict is shown: the quarantined write is no value. */
	assert_int_equal(get_values(x.s, &rec, "text").n, 1);
	assert_int_equal(get_values(y.s, &rec, "text").n, 1);
	/* The tombstone applies to both. */
	OK(hearth_store_apply(x.s, ops + 3, 1, NULL));
	OK(hearth_store_apply(y.s, ops + 3, 1, NULL));
	assert_same_dump(x.s, y.s);
	OK(hearth_record_load(y.s, &rec, &r));
	assert_int_equal(r->deleted, 1);
	hearth_record_free(r);
	replica_close(&x);
	replica_close(&y);
}

/* Two stores write one field at once: after exchanging ops both keep both
 * values (the winner first) and dump the same; a write that saw both
 * replaces both. */
static void test_concurrent_values(void **state)
{
	fixture *f = *state;
	replica a, b;
	hearth_id rec;
	values va, vb;
	op_list *l;
	char *d = NULL;

	replica_open(&a, &f->dir, "a.db", NULL);
	replica_open(&b, &f->dir, "b.db", NULL);
	OK(hearth_record_create(a.s, NULL, "person", &rec));
	OK(hearth_record_set(a.s, &rec, "summary", "base"));
	exchange(a.s, b.s);
	assert_same_dump(a.s, b.s);
	assert_int_equal(get_values(b.s, &rec, "summary").n, 1);

	a.now = T0 + 5;
	OK(hearth_record_set(a.s, &rec, "summary", "from A"));
	b.now = T0 + 10;
	OK(hearth_record_set(b.s, &rec, "summary", "from B"));
	/* Each replaced only what it saw: "base". */
	l = ops_of(b.s, hearth_store_device(b.s));
	assert_int_equal(l->n, 1);
	assert_int_equal(l->v[0].op.nprev, 1);
	assert_int_equal(l->v[0].prev[0].device, hearth_store_device(a.s));
	assert_int_equal(l->v[0].prev[0].seq, 2);
	free(l);
	exchange(a.s, b.s);

	va = get_values(a.s, &rec, "summary");
	vb = get_values(b.s, &rec, "summary");
	assert_int_equal(va.n, 2);
	assert_int_equal(vb.n, 2);
	assert_string_equal(va.v[0], "from B");
	assert_string_equal(va.v[1], "from A");
	assert_string_equal(vb.v[0], "from B");
	assert_string_equal(vb.v[1], "from A");
	assert_int_equal(va.id[0].device, hearth_store_device(b.s));
	assert_int_equal(va.id[1].device, hearth_store_device(a.s));
	assert_int_equal(hearth_hlc_ms(&va.hlc[1]), T0 + 5);
	assert_same_dump(a.s, b.s);
	OK(hearth_store_dump(a.s, &d, NULL));
	assert_non_null(strstr(d, "  field \"summary\" = \"from B\" @ "));
	assert_non_null(strstr(d, "\n    also \"from A\" @ "));
	free(d);

	/* A write on A replaces both... */
	a.now = T0 + 20;
	OK(hearth_record_set(a.s, &rec, "summary", "both, merged"));
	l = ops_of(a.s, hearth_store_device(a.s));
	assert_int_equal(l->v[l->n - 1].op.nprev, 2);
	free(l);
	assert_int_equal(get_values(a.s, &rec, "summary").n, 1);
	/* ...and after the exchange only it remains, on both. */
	exchange(a.s, b.s);
	va = get_values(a.s, &rec, "summary");
	vb = get_values(b.s, &rec, "summary");
	assert_int_equal(va.n, 1);
	assert_int_equal(vb.n, 1);
	assert_string_equal(vb.v[0], "both, merged");
	assert_same_dump(a.s, b.s);
	OK(hearth_store_dump(b.s, &d, NULL));
	assert_null(strstr(d, "also"));
	free(d);
	replica_close(&a);
	replica_close(&b);
}

/* Values that replace each other across three devices, some before the
 * value they replace has arrived, merged one op at a time in every order
 * (the creating op included): one state, the one the ops describe. */
static void test_values_converge_in_any_order(void **state)
{
	fixture *f = *state;
	hearth_id rec = id_of("5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c");
	const hearth_op_id p_r2[] = { { DEV_R, 2 } };
	const hearth_op_id p_s1[] = { { DEV_S, 1 } };
	const hearth_op_id p_r3s1[] = { { DEV_R, 3 }, { DEV_S, 1 } };
	hearth_op ops[6];
	size_t perm[6], c[6] = { 0 }, i, k, t, runs = 0;
	char *want = NULL, *got = NULL, path[128];
	sqlite3 *tmpl = NULL;
	sqlite3_backup *bk;
	values v;

	ops[0] = CREATE(.seq = 1, .ms = T0, .rec = &rec, .kind = "person", .value = "person");
	ops[1] = ROP(.seq = 2, .ms = T0 + 1, .rec = &rec, .kind = "person",
		.field = "summary", .value = "base");
	ops[2] = ROP(.dev = DEV_S, .seq = 1, .ms = T0 + 2, .rec = &rec, .kind = "person",
		.field = "summary", .value = "s", .prev = p_r2, .nprev = 1);
	ops[3] = ROP(.dev = DEV_T, .seq = 1, .ms = T0 + 3, .rec = &rec, .kind = "person",
		.field = "summary", .value = "t", .prev = p_s1, .nprev = 1);
	ops[4] = ROP(.seq = 3, .ms = T0 + 4, .rec = &rec, .kind = "person",
		.field = "summary", .value = "r", .prev = p_r2, .nprev = 1);
	ops[5] = ROP(.dev = DEV_S, .seq = 2, .ms = T0 + 5, .rec = &rec, .kind = "person",
		.field = "summary", .value = NULL, .prev = p_r3s1, .nprev = 2);

	/* In one batch: the cleared value wins, "t" stays beside it. */
	OK(hearth_store_apply(f->s, ops, 6, NULL));
	v = get_values(f->s, &rec, "summary");
	assert_int_equal(v.n, 2);
	assert_string_equal(v.v[0], "(cleared)");
	assert_string_equal(v.v[1], "t");
	OK(hearth_store_dump(f->s, &want, NULL));

	/* Every order, one op at a time (Heap's algorithm). */
	for (i = 0; i < 6; i++)
		perm[i] = i;
	tmpdir_file(&f->dir, "template.db", path);
	open_db(&tmpl, path);
	i = 0;
	for (;;) {
		sqlite3 *db = NULL;
		hearth_store *s = NULL;
		uint64_t now = T0;

		/* 720 stores, each an in-memory copy of one freshly
		 * migrated file: merging is what this tests, and 720 files
		 * made and synced cost half a minute. */
		assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
		bk = sqlite3_backup_init(db, "main", tmpl, "main");
		assert_non_null(bk);
		assert_int_equal(sqlite3_backup_step(bk, -1), SQLITE_DONE);
		assert_int_equal(sqlite3_backup_finish(bk), SQLITE_OK);
		s = open_store(db, &now);
		for (k = 0; k < 6; k++)
			OK(hearth_store_apply(s, &ops[perm[k]], 1, NULL));
		OK(hearth_store_dump(s, &got, NULL));
		if (strcmp(got, want) != 0)
			fail_msg("order %zu %zu %zu %zu %zu %zu gives\n%s\ninstead of\n%s",
				perm[0], perm[1], perm[2], perm[3], perm[4], perm[5], got, want);
		free(got);
		hearth_store_close(s);
		sqlite3_close(db);
		runs++;
		/* Next permutation. */
		while (i < 6 && c[i] >= i) {
			c[i] = 0;
			i++;
		}
		if (i == 6)
			break;
		k = i % 2 == 0 ? 0 : c[i];
		t = perm[k];
		perm[k] = perm[i];
		perm[i] = t;
		c[i]++;
		i = 0;
	}
	assert_int_equal(runs, 720);
	sqlite3_close(tmpl);
	free(want);
}

/* The one-statement merge paths (a first write; a write that replaces
 * exactly the winner) and the per-call cache of table replaced: an op some
 * held op replaced before it came is dead, whether that was noted in an
 * earlier call (the cache is read from the table) or earlier in the same
 * call, and merging in any batching ends in the same state. */
static void test_merge_fast_paths_keep_replaced(void **state)
{
	fixture *f = *state;
	hearth_id rec = id_of("6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d");
	const hearth_op_id p_r2[] = { { DEV_R, 2 } }, p_r3[] = { { DEV_R, 3 } };
	const hearth_op_id p_r5[] = { { DEV_R, 5 } }, p_r6[] = { { DEV_R, 6 } };
	hearth_op ops[7], first[5], later[2];
	replica one, each;
	values v;
	int i;

	ops[0] = CREATE(.seq = 1, .ms = T0, .rec = &rec, .kind = "person", .value = "person");
	/* name: a, then b replacing a, then c replacing b. */
	ops[1] = ROP(.seq = 2, .ms = T0 + 10, .rec = &rec, .kind = "person",
		.field = "name", .value = "a");
	ops[2] = ROP(.seq = 3, .ms = T0 + 20, .rec = &rec, .kind = "person",
		.field = "name", .value = "b", .prev = p_r2, .nprev = 1);
	ops[3] = ROP(.seq = 4, .ms = T0 + 30, .rec = &rec, .kind = "person",
		.field = "name", .value = "c", .prev = p_r3, .nprev = 1);
	/* unit: u1, then u2 replacing it; x (older than both, from a device
	 * whose clock lags) replaces u2. */
	ops[4] = ROP(.seq = 5, .ms = T0 + 40, .rec = &rec, .kind = "person",
		.field = "unit", .value = "u1");
	ops[5] = ROP(.seq = 6, .ms = T0 + 50, .rec = &rec, .kind = "person",
		.field = "unit", .value = "u2", .prev = p_r5, .nprev = 1);
	ops[6] = ROP(.dev = DEV_S, .seq = 1, .ms = T0 + 35, .rec = &rec, .kind = "person",
		.field = "unit", .value = "x", .prev = p_r6, .nprev = 1);

	/* b and u2 come last, in a call of their own: both were replaced
	 * before they came, though each replaces exactly the winner it
	 * finds. */
	first[0] = ops[0];
	first[1] = ops[1];
	first[2] = ops[3];
	first[3] = ops[4];
	first[4] = ops[6];
	later[0] = ops[2];
	later[1] = ops[5];
	OK(hearth_store_apply(f->s, first, 5, NULL));
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM replaced"), 2);
	OK(hearth_store_apply(f->s, later, 2, NULL));
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM replaced"), 0);
	v = get_values(f->s, &rec, "name");
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0], "c");
	assert_int_equal(count_rows(f->db, "SELECT live FROM field WHERE name = 'name'"), 1);
	/* u2 is the winner but dead (a local write would not replace it);
	 * x stays beside it. */
	v = get_values(f->s, &rec, "unit");
	assert_int_equal(v.n, 2);
	assert_string_equal(v.v[0], "u2");
	assert_string_equal(v.v[1], "x");
	assert_int_equal(count_rows(f->db, "SELECT live FROM field WHERE name = 'unit'"), 0);

	/* All in one call (x notes u2 as replaced earlier in the call), and
	 * one op per call, newest first. */
	replica_open(&one, &f->dir, "one.db", NULL);
	OK(hearth_store_apply(one.s, ops, 7, NULL));
	assert_same_dump(f->s, one.s);
	replica_open(&each, &f->dir, "each.db", NULL);
	for (i = 6; i >= 0; i--)
		OK(hearth_store_apply(each.s, &ops[i], 1, NULL));
	assert_same_dump(f->s, each.s);
	replica_close(&each);
	replica_close(&one);
}

/* When table replaced holds more ids than a call caches, every op asks
 * the table: an op among those past the cache's limit is dead too. */
static void test_many_replaced_ids(void **state)
{
	fixture *f = *state;
	hearth_id rec = id_of("7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e");
	enum { NOPS = 65, PER = 64 };
	hearth_op_id *prev = calloc(NOPS * PER, sizeof *prev);
	hearth_op *ops = calloc(NOPS + 2, sizeof *ops);
	char (*field)[8] = calloc(NOPS, sizeof *field);
	hearth_op late;
	replica one;
	values v;
	int i;

	assert_non_null(prev);
	assert_non_null(ops);
	assert_non_null(field);
	ops[0] = CREATE(.seq = 1, .ms = T0, .rec = &rec, .kind = "person", .value = "person");
	/* Op i of DEV_S writes field gi and replaces 64 ops of DEV_T not
	 * held: 4,160 ids in table replaced. */
	for (i = 0; i < NOPS * PER; i++) {
		prev[i].device = DEV_T;
		prev[i].seq = (uint64_t)i + 1;
	}
	for (i = 0; i < NOPS; i++) {
		snprintf(field[i], sizeof field[i], "g%d", i);
		ops[i + 1] = ROP(.dev = DEV_S, .seq = (uint64_t)i + 1, .ms = T0 + 1 + (uint64_t)i,
			.rec = &rec, .kind = "person", .field = field[i], .value = "s",
			.prev = prev + i * PER, .nprev = PER);
	}
	OK(hearth_store_apply(f->s, ops, NOPS + 1, NULL));
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM replaced"), NOPS * PER);

	/* The last id replaced, last in the table's order: newer than every
	 * op of its field, yet dead. */
	late = ROP(.dev = DEV_T, .seq = NOPS * PER, .ms = T0 + 1000, .rec = &rec,
		.kind = "person", .field = field[NOPS - 1], .value = "late");
	OK(hearth_store_apply(f->s, &late, 1, NULL));
	v = get_values(f->s, &rec, field[NOPS - 1]);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.v[0], "late");
	assert_string_equal(v.v[1], "s");
	assert_int_equal(count_rows(f->db, "SELECT live FROM field WHERE name = 'g64'"), 0);
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM replaced"),
			 NOPS * PER - 1);

	replica_open(&one, &f->dir, "one.db", NULL);
	ops[NOPS + 1] = late;
	OK(hearth_store_apply(one.s, ops, NOPS + 2, NULL));
	assert_same_dump(f->s, one.s);
	replica_close(&one);
	free(field);
	free(ops);
	free(prev);
}

/* A copied vault writes under the original's device id: the original,
 * given the copy's op, keeps it aside as a problem, moves to a new device
 * id and numbers its next ops from 1. */
static void test_equivocation_from_a_copy(void **state)
{
	fixture *f = *state;
	char path[128];
	replica copy;
	hearth_id rec;
	hearth_record *r = NULL;
	uint64_t old = hearth_store_device(f->s), fresh;
	op_list *l, *cl;
	hearth_op theirs;
	problems p;
	int i, found = 0, ours_won;

	OK(hearth_record_create(f->s, NULL, "person", &rec));      /* 1 */
	OK(hearth_record_set(f->s, &rec, "name", "Zhang"));        /* 2 */
	tmpdir_file(&f->dir, "copy.db", path);
	copy_db(f->db, path);
	copy.now = T0 + 10;
	open_db(&copy.db, path);
	copy.s = open_store(copy.db, &copy.now);
	assert_int_equal(hearth_store_device(copy.s), old);

	/* Both write seq 3. */
	OK(hearth_record_set(copy.s, &rec, "name", "written in the copy"));
	f->now = T0 + 5;
	OK(hearth_record_set(f->s, &rec, "name", "written in the original"));
	cl = ops_of(copy.s, old);
	assert_int_equal(cl->n, 3);
	assert_int_equal(cl->v[2].op.id.seq, 3);
	theirs = as_op(&cl->v[2]);
	l = ops_of(f->s, old);
	ours_won = memcmp(l->v[2].op.hash, theirs.hash, sizeof theirs.hash) < 0;
	free(l);
	/* Counts cannot tell the copies apart; the digests can. */
	assert_int_equal(head_of(f->s, old).count, head_of(copy.s, old).count);
	assert_int_equal(head_of(f->s, old).max_seq, head_of(copy.s, old).max_seq);
	assert_true(head_of(f->s, old).digest != head_of(copy.s, old).digest);
	OK(hearth_store_apply(f->s, &theirs, 1, NULL));

	fresh = hearth_store_device(f->s);
	assert_true(fresh != old);
	assert_true(fresh != 0);
	p = get_problems(f->s);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.moves, 1);
	for (i = 0; i < p.n; i++) {
		if (p.id[i].device == 0)
			continue;
		found = 1;
		assert_int_equal(p.id[i].device, old);
		assert_int_equal(p.id[i].seq, 3);
		assert_string_equal(p.value[i], ours_won ? "written in the copy" :
				    "written in the original");
		assert_string_equal(p.reason[i], "another op under its id has the smaller hash");
	}
	assert_true(found);
	/* Under id 3 the op with the smaller hash, then the other,
	 * superseded: both forwarded. */
	l = ops_of(f->s, old);
	assert_int_equal(l->n, 4);
	assert_int_equal(l->v[3].op.id.seq, 3);
	assert_int_equal(l->v[3].state, HEARTH_OP_SUPERSEDED);
	assert_true(memcmp(l->v[2].op.hash, l->v[3].op.hash, sizeof theirs.hash) < 0);
	assert_string_equal(l->v[2].value, ours_won ? "written in the original" :
			    "written in the copy");
	free(l);
	/* Nothing the original wrote is lost: when its op lost the id, its
	 * text is written again under the new id, and wins (it is newer). */
	OK(hearth_record_load(f->s, &rec, &r));
	assert_string_equal(hearth_record_field(r, "name"), "written in the original");
	hearth_record_free(r);
	l = ops_of(f->s, fresh);
	assert_int_equal(l->n, ours_won ? 0 : 1);
	if (!ours_won) {
		assert_string_equal(l->v[0].value, "written in the original");
		assert_int_equal(l->v[0].op.id.seq, 1);
		assert_int_equal(hearth_hlc_device(&l->v[0].op.hlc), fresh);
	}
	free(l);

	/* The next op follows on the new id, and the move lasts. */
	OK(hearth_record_set(f->s, &rec, "unit", "after the move"));
	l = ops_of(f->s, fresh);
	assert_int_equal(l->n, ours_won ? 1 : 2);
	assert_int_equal(l->v[l->n - 1].op.id.seq, ours_won ? 1 : 2);
	assert_int_equal(hearth_hlc_device(&l->v[l->n - 1].op.hlc), fresh);
	free(l);
	hearth_store_close(f->s);
	f->s = open_store(f->db, &f->now);
	assert_int_equal(hearth_store_device(f->s), fresh);
	/* The same op again: no second move, nothing written again. */
	OK(hearth_store_apply(f->s, &theirs, 1, NULL));
	assert_int_equal(hearth_store_device(f->s), fresh);
	assert_int_equal(get_problems(f->s).moves, 1);
	OK(hearth_record_set(f->s, &rec, "unit", "again"));
	l = ops_of(f->s, fresh);
	assert_int_equal(l->n, ours_won ? 2 : 3);
	free(l);
	/* The copy, in turn, learns of the original's op 3 and moves too;
	 * then both hold the same ops and the same state. */
	send_all(f->s, copy.s);
	assert_true(hearth_store_device(copy.s) != old);
	assert_true(hearth_store_device(copy.s) != fresh);
	send_all(copy.s, f->s);
	send_all(f->s, copy.s);
	assert_same_dump(f->s, copy.s);
	assert_true(head_of(f->s, old).digest == head_of(copy.s, old).digest);
	assert_int_equal(head_of(f->s, old).count, 3);
	/* Both texts live on, as concurrent values (each replaced only
	 * what its writer saw): the loser's was written again. */
	assert_int_equal(get_values(copy.s, &rec, "name").n, 2);
	free(cl);
	replica_close(&copy);
}

/* A vault restored from an older copy gets back, from a peer, ops of its
 * own device it no longer has: it must never issue those seqs again, so
 * it moves to a new device id and merges them as anyone's. */
static void test_rollback_moves_device(void **state)
{
	fixture *f = *state;
	char path[128];
	replica old;
	hearth_id rec;
	uint64_t dev = hearth_store_device(f->s), fresh;
	op_list *l;
	problems p;
	heads h = { 0 };
	int i;

	OK(hearth_record_create(f->s, NULL, "person", &rec));      /* 1 */
	OK(hearth_record_set(f->s, &rec, "name", "v1"));           /* 2 */
	tmpdir_file(&f->dir, "backup.db", path);
	copy_db(f->db, path);
	OK(hearth_record_set(f->s, &rec, "name", "v2"));           /* 3 */
	OK(hearth_record_set(f->s, &rec, "unit", "U"));            /* 4 */

	/* The backup is restored; before it writes anything, the peer that
	 * holds the newer ops sends them. */
	old.now = T0;
	open_db(&old.db, path);
	old.s = open_store(old.db, &old.now);
	assert_int_equal(hearth_store_device(old.s), dev);
	send_all(f->s, old.s);
	fresh = hearth_store_device(old.s);
	assert_true(fresh != dev);
	assert_same_dump(f->s, old.s);
	p = get_problems(old.s);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.moves, 1);
	OK(hearth_store_heads(old.s, see_head, &h));
	for (i = 0; i < h.n; i++)
		if (h.h[i].device == dev) {
			assert_int_equal(h.h[i].count, 4);
			assert_int_equal(h.h[i].max_seq, 4);
		}
	/* Its next op is 1 of its new id; the original sees no problem. */
	OK(hearth_record_set(old.s, &rec, "unit", "restored"));
	l = ops_of(old.s, fresh);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->v[0].op.id.seq, 1);
	free(l);
	send_all(old.s, f->s);
	assert_same_dump(f->s, old.s);
	assert_int_equal(hearth_store_device(f->s), dev);
	assert_int_equal(get_problems(f->s).n, 0);
	replica_close(&old);
}

/* A peer that sends two different ops under one id: whatever the order
 * they come in, the one with the smaller hash is held and merged, the
 * other kept as superseded (reported, forwarded); this store does not move
 * (the id is not its own). */
/* A record's creating op (ops[0]) and two ops of device DEV_R under one
 * id; *win: the value of the one with the smaller hash, which keeps it. */
static void two_under_one_id(hearth_op ops[3], const char **win, const char **lose)
{
	ops[0] = CREATE(.seq = 1, .ms = T0, .kind = "person", .value = "person");
	ops[1] = ROP(.seq = 2, .ms = T0 + 1, .rec = &ops[0].record, .kind = "person",
		.field = "name", .value = "told to us");
	ops[2] = ROP(.seq = 2, .ms = T0 + 2, .rec = &ops[0].record, .kind = "person",
		.field = "name", .value = "told to others");
	if (memcmp(ops[1].hash, ops[2].hash, sizeof ops[1].hash) < 0)
		*win = "told to us", *lose = "told to others";
	else
		*win = "told to others", *lose = "told to us";
}

static void test_equivocation_of_a_peer(void **state)
{
	fixture *f = *state;
	hearth_op ops[3];
	hearth_record *r = NULL;
	uint64_t dev = hearth_store_device(f->s);
	char *first = NULL, *second = NULL;
	const char *win, *lose;
	op_list *l;
	problems p;
	int round;

	two_under_one_id(ops, &win, &lose);
	for (round = 0; round < 2; round++) {
		hearth_store *s = f->s;
		replica other;

		if (round == 1) {
			/* A second store gets them the other way round. */
			replica_open(&other, &f->dir, "other.db", NULL);
			s = other.s;
			OK(hearth_store_apply(s, ops + 2, 1, NULL));
			OK(hearth_store_apply(s, ops, 2, NULL));
		} else {
			OK(hearth_store_apply(s, ops, 2, NULL));
			OK(hearth_store_apply(s, ops + 2, 1, NULL));
			OK(hearth_store_apply(s, ops + 2, 1, NULL));
			assert_int_equal(hearth_store_device(s), dev);
		}
		OK(hearth_record_load(s, &ops[0].record, &r));
		assert_string_equal(hearth_record_field(r, "name"), win);
		hearth_record_free(r);
		p = get_problems(s);
		assert_int_equal(p.n, 1);
		assert_int_equal(p.moves, 0);
		assert_string_equal(p.value[0], lose);
		assert_string_equal(p.reason[0], "another op under its id has the smaller hash");
		l = ops_of(s, DEV_R);
		assert_int_equal(l->n, 3);
		assert_string_equal(l->v[1].value, win);
		assert_int_equal(l->v[1].state, HEARTH_OP_APPLIED);
		assert_string_equal(l->v[2].value, lose);
		assert_int_equal(l->v[2].state, HEARTH_OP_SUPERSEDED);
		free(l);
		OK(hearth_store_dump(s, round == 0 ? &first : &second, NULL));
		if (round == 1)
			replica_close(&other);
	}
	assert_string_equal(first, second);
	free(first);
	free(second);
}

/* Two ops under one id for a record not created yet: whichever order
 * they come in, the one that keeps the id waits for the creating op (it
 * is counted and listed as waiting), and merges when that comes. */
static void test_equivocation_while_waiting(void **state)
{
	fixture *f = *state;
	hearth_op ops[3];
	hearth_record *r = NULL;
	const char *win, *lose;
	op_list *l;
	size_t n;
	int round;

	two_under_one_id(ops, &win, &lose);
	for (round = 0; round < 2; round++) {
		replica other;

		replica_open(&other, &f->dir, round == 0 ? "a.db" : "b.db", NULL);
		OK(hearth_store_apply(other.s, ops + 1 + round, 1, NULL));
		OK(hearth_store_apply(other.s, ops + 2 - round, 1, NULL));
		OK(hearth_store_pending_count(other.s, &n));
		assert_int_equal(n, 1);
		l = ops_of(other.s, DEV_R);
		assert_int_equal(l->n, 2);
		assert_string_equal(l->v[0].value, win);
		assert_int_equal(l->v[0].state, HEARTH_OP_ORPHAN);
		assert_string_equal(l->v[1].value, lose);
		assert_int_equal(l->v[1].state, HEARTH_OP_SUPERSEDED);
		free(l);
		OK(hearth_store_apply(other.s, ops, 1, NULL));
		OK(hearth_store_pending_count(other.s, &n));
		assert_int_equal(n, 0);
		OK(hearth_record_load(other.s, &ops[0].record, &r));
		assert_string_equal(hearth_record_field(r, "name"), win);
		hearth_record_free(r);
		l = ops_of(other.s, DEV_R);
		assert_int_equal(l->n, 3);
		assert_int_equal(l->v[1].state, HEARTH_OP_APPLIED);
		free(l);
		replica_close(&other);
	}
}

static int holds_secret(const hearth_op *op, uint64_t arrival, hearth_op_state state,
			void *ctx)
{
	(void)arrival;
	(void)state;
	if (op->value != NULL && strstr(op->value, "secret") != NULL)
		++*(int *)ctx;
	return 0;
}

static int problem_secret(const hearth_store_problem *p, void *ctx)
{
	return p->op != NULL ? holds_secret(p->op, 0, 0, ctx) : 0;
}

/* Ops that clash under the ids of a purged record's ops keep nothing of
 * it: neither the emptied op that held the id, nor the newcomer, nor a
 * superseded version, whatever the order. */
static void test_clash_after_purge(void **state)
{
	fixture *f = *state;
	hearth_op ops[2], v[4];
	hearth_id rec;
	op_list *l;
	int round, found;

	ops[0] = CREATE(.seq = 1, .ms = T0, .kind = "person", .value = "person");
	ops[1] = ROP(.seq = 2, .ms = T0 + 1, .rec = &ops[0].record, .kind = "person",
		.field = "name", .value = "secret A");
	rec = ops[0].record;
	OK(hearth_store_apply(f->s, ops, 2, NULL));
	OK(hearth_record_purge(f->s, &rec));
	/* Two versions of seq 2 (the purged record's emptied op holds it)
	 * and two of seq 3. */
	v[0] = ROP(.seq = 2, .ms = T0 + 2, .rec = &rec, .kind = "person",
		.field = "name", .value = "secret B");
	v[1] = ROP(.seq = 2, .ms = T0 + 3, .rec = &rec, .kind = "person",
		.field = "unit", .value = "secret C");
	v[2] = ROP(.seq = 3, .ms = T0 + 4, .rec = &rec, .kind = "person",
		.field = "name", .value = "secret D");
	v[3] = ROP(.seq = 3, .ms = T0 + 5, .rec = &rec, .kind = "person",
		.field = "unit", .value = "secret E");
	for (round = 0; round < 2; round++) {
		size_t i;

		for (i = 0; i < 4; i++)
			OK(hearth_store_apply(f->s, &v[round ? 3 - i : i], 1, NULL));
		found = 0;
		OK(hearth_store_ops(f->s, 0, 1, 0, holds_secret, &found));
		OK(hearth_store_ops_since(f->s, 0, holds_secret, &found));
		OK(hearth_store_problems(f->s, problem_secret, &found));
		assert_int_equal(found, 0);
		l = ops_of(f->s, DEV_R);
		for (i = 0; i < l->n; i++)
			if (l->v[i].op.id.seq > 1)
				assert_int_equal(l->v[i].state, HEARTH_OP_PURGED);
		free(l);
	}
}

/* A device move made inside the caller's transaction is undone with it;
 * hearth_store_new_device moves at once and says why. */
static void test_device_move_and_rollback(void **state)
{
	fixture *f = *state;
	uint64_t dev = hearth_store_device(f->s), moved;
	hearth_id rec;
	hearth_op theirs;
	op_list *l;
	problems p;

	OK(hearth_record_create(f->s, NULL, "person", &rec));      /* 1 */
	/* Our own op 2, as a restored copy's peer would send it. */
	l = ops_of(f->s, dev);
	theirs = as_op(&l->v[0]);
	theirs.id.seq = 2;
	theirs.field = "name";
	theirs.value = "from the future of this vault";
	theirs.hlc = hearth_hlc_make(T0 + 1, 0, dev);
	hearth_op_seal(&theirs);

	OK(hearth_store_begin(f->s));
	OK(hearth_store_apply(f->s, &theirs, 1, NULL));
	assert_true(hearth_store_device(f->s) != dev);
	hearth_store_rollback(f->s);
	assert_int_equal(hearth_store_device(f->s), dev);
	assert_int_equal(get_problems(f->s).n, 0);
	OK(hearth_record_set(f->s, &rec, "unit", "still the old id"));
	free(l);
	l = ops_of(f->s, dev);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->v[1].value, "still the old id");
	free(l);

	/* Asked for. */
	OK(hearth_store_new_device(f->s, "restored from a backup"));
	moved = hearth_store_device(f->s);
	assert_true(moved != dev && moved != 0);
	p = get_problems(f->s);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.moves, 1);
	assert_string_equal(p.reason[0], "restored from a backup");
	OK(hearth_record_set(f->s, &rec, "unit", "new id"));
	l = ops_of(f->s, moved);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->v[0].op.id.seq, 1);
	free(l);
	/* Reopened: the new id stays, and the retired one's ops stay ours to
	 * forward. */
	hearth_store_close(f->s);
	f->s = open_store(f->db, &f->now);
	assert_int_equal(hearth_store_device(f->s), moved);
	l = ops_of(f->s, dev);
	assert_int_equal(l->n, 2);
	free(l);
}

/* A creating op kept aside (future) holds back the ops that wait for it;
 * when its time comes, they are merged with it. */
static void test_future_creating_op_releases_waiting_ops(void **state)
{
	fixture *f = *state;
	hearth_op ops[2];
	hearth_record *r = NULL;
	size_t n = 9, applied = 9, deferred = 9;

	ops[0] = CREATE(.seq = 1, .ms = T0 + HOUR, .kind = "person", .value = "person");
	ops[1] = ROP(.dev = DEV_S, .seq = 1, .ms = T0, .rec = &ops[0].record,
		.kind = "person", .field = "name", .value = "waited");
	OK(hearth_store_apply(f->s, ops, 2, &deferred));
	assert_int_equal(deferred, 1);
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 2);
	assert_int_equal(hearth_record_load(f->s, &ops[0].record, &r), HEARTH_ENOTFOUND);
	f->now = T0 + HOUR;
	OK(hearth_store_retry_pending(f->s, &applied));
	assert_true(applied >= 1);
	OK(hearth_store_pending_count(f->s, &n));
	assert_int_equal(n, 0);
	OK(hearth_record_load(f->s, &ops[0].record, &r));
	assert_string_equal(hearth_record_field(r, "name"), "waited");
	hearth_record_free(r);
}

/* The arrival cursor: ops that arrive late with old HLCs come after it;
 * ops kept aside and waiting are listed, quarantined ones are not. */
static void test_arrival_cursor(void **state)
{
	fixture *f = *state;
	hearth_id mine, r1 = id_of("1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a");
	hearth_id r2 = id_of("2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a");
	hearth_id r3 = id_of("3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a");
	hearth_id team = space_of(0x11);
	hearth_op first[2], late[4];
	op_list *l = list_new();
	uint64_t cursor;
	hearth_op fwd;
	uint8_t hash[HEARTH_OP_HASH_BYTES];
	size_t i;

	OK(hearth_record_create(f->s, NULL, "person", &mine));
	first[0] = CREATE(.seq = 1, .ms = T0 + 1000, .rec = &r1, .kind = "person",
		.value = "person");
	first[1] = ROP(.seq = 2, .ms = T0 + 2000, .rec = &r1, .kind = "person",
		.field = "name", .value = "new");
	OK(hearth_store_apply(f->s, first, 2, NULL));
	OK(hearth_store_ops_since(f->s, 0, collect, l));
	assert_int_equal(l->n, 3);
	for (i = 1; i < l->n; i++)
		assert_true(l->v[i].arrival > l->v[i - 1].arrival);
	cursor = l->v[2].arrival;

	/* Late, with old HLCs: applied, waiting, quarantined, and one from
	 * the future. */
	late[0] = CREATE(.dev = DEV_S, .seq = 1, .ms = T0 - 5000, .rec = &r2,
		.kind = "person", .value = "person");
	late[1] = ROP(.dev = DEV_S, .seq = 2, .ms = T0 + HOUR, .rec = &r2,
		.kind = "person", .field = "name", .value = "ahead");
	late[2] = ROP(.dev = DEV_S, .seq = 3, .ms = T0 - 4000, .rec = &r3,
		.kind = "person", .field = "name", .value = "waiting");
	late[3] = ROP(.dev = DEV_S, .seq = 4, .ms = T0 - 3000, .space = &team,
		.rec = &r1, .kind = "person", .field = "name", .value = "refused");
	OK(hearth_store_apply(f->s, late, 4, NULL));
	f->now = T0 + 3000;
	OK(hearth_record_set(f->s, &mine, "name", "local, later"));

	memset(l, 0, sizeof *l);
	OK(hearth_store_ops_since(f->s, cursor, collect, l));
	assert_int_equal(l->n, 5);
	for (i = 0; i < l->n; i++) {
		assert_true(l->v[i].arrival > cursor);
		if (i > 0)
			assert_true(l->v[i].arrival > l->v[i - 1].arrival);
	}
	assert_int_equal(l->v[0].op.id.device, DEV_S);
	assert_int_equal(l->v[0].op.id.seq, 1);
	assert_int_equal(l->v[0].state, HEARTH_OP_APPLIED);
	assert_int_equal(l->v[1].op.id.seq, 3);
	assert_int_equal(l->v[1].state, HEARTH_OP_ORPHAN);
	assert_int_equal(l->v[2].op.id.seq, 4);
	assert_int_equal(l->v[2].state, HEARTH_OP_QUARANTINED);
	assert_int_equal(l->v[3].op.id.seq, 2);
	assert_int_equal(l->v[3].state, HEARTH_OP_FUTURE);
	assert_string_equal(l->v[3].value, "ahead");
	assert_int_equal(l->v[4].op.id.device, hearth_store_device(f->s));
	assert_string_equal(l->v[4].value, "local, later");
	/* A listed op can be forwarded as it is: its hash still holds. */
	fwd = as_op(&l->v[3]);
	memcpy(hash, fwd.hash, sizeof hash);
	hearth_op_seal(&fwd);
	assert_memory_equal(hash, fwd.hash, sizeof hash);

	/* Paging: stop after one, go on from its arrival number. */
	cursor = l->v[0].arrival;
	memset(l, 0, sizeof *l);
	l->stop_after = 1;
	OK(hearth_store_ops_since(f->s, cursor, collect, l));
	assert_int_equal(l->n, 1);
	assert_int_equal(l->v[0].op.id.seq, 3);
	memset(l, 0, sizeof *l);
	OK(hearth_store_ops_since(f->s, UINT64_MAX >> 1, collect, l));
	assert_int_equal(l->n, 0);
	free(l);
}

/* Heads: per device, how many ops are held and the greatest seq, so a gap
 * shows; devices in order of their id. */
static void test_heads_show_gaps(void **state)
{
	fixture *f = *state;
	const uint64_t dev_hi = UINT64_C(0xa1a1a1a1a1a1a1a1); /* top bit set */
	hearth_id rec = id_of("4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b");
	hearth_op ops[5];
	heads h = { 0 };
	op_list *l;
	int i, seen_r = 0, seen_hi = 0;

	ops[0] = CREATE(.seq = 1, .ms = T0, .rec = &rec, .kind = "person", .value = "person");
	ops[1] = ROP(.seq = 2, .ms = T0 + 1, .rec = &rec, .kind = "person",
		.field = "a", .value = "1");
	ops[2] = ROP(.seq = 5, .ms = T0 + 2, .rec = &rec, .kind = "person",
		.field = "b", .value = "2");
	ops[3] = ROP(.dev = dev_hi, .seq = 1, .ms = T0 + 3, .rec = &rec,
		.kind = "person", .field = "c", .value = "3");
	ops[4] = ROP(.dev = dev_hi, .seq = 2, .ms = T0 + 4, .rec = &rec,
		.kind = "person", .field = "c", .value = "4", .prev = &ops[3].id,
		.nprev = 1);
	OK(hearth_store_apply(f->s, ops, 5, NULL));
	OK(hearth_store_heads(f->s, see_head, &h));
	assert_int_equal(h.n, 2);
	for (i = 0; i < h.n; i++) {
		if (i > 0)
			assert_true(h.h[i - 1].device < h.h[i].device);
		if (h.h[i].device == DEV_R) {
			seen_r = 1;
			assert_int_equal(h.h[i].count, 3);
			assert_int_equal(h.h[i].max_seq, 5);  /* 3 and 4 missing */
		} else if (h.h[i].device == dev_hi) {
			seen_hi = 1;
			assert_int_equal(h.h[i].count, 2);
			assert_int_equal(h.h[i].max_seq, 2);
		}
	}
	assert_true(seen_r && seen_hi);
	/* Ops of every device come by device id too (as unsigned numbers:
	 * the id is a uint64_t), then seq. */
	l = list_new();
	OK(hearth_store_ops(f->s, 0, 0, 0, collect, l));
	assert_int_equal(l->n, 5);
	assert_int_equal(l->v[0].op.id.device, DEV_R);
	assert_int_equal(l->v[3].op.id.device, dev_hi);
	free(l);
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
	hearth_op ops[9];
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
		"  field \"_kind\" = \"person\" @ 018bcfe5680000015151515151515151\n"
		"  field \"name\" = \"\xe6\x9d\x8e \\\"Q\\\"\\n\\\\\\t\\x01\" @ 018bcfe5690000005151515151515151\n"
		"  field \"phone\" cleared @ 018bcfe5690000015151515151515151\n"
		"  field \"summary\" = \"b\" @ 018bcfe5692c00006262626262626262\n"
		"    also cleared @ 018bcfe5686400007373737373737373\n"
		"    also \"a\" @ 018bcfe5690000025151515151515151\n";

	ops[0] = CREATE(.seq = 1, .ms = T0, .rec = &r2, .kind = "note", .value = "note");
	ops[1] = CREATE(.seq = 2, .ms = T0, .ctr = 1, .rec = &r1, .kind = "person",
		.value = "person");
	ops[2] = ROP(.seq = 3, .ms = T0, .ctr = 2, .rec = &r1, .kind = "person",
		.field = "name", .value = "old");
	ops[3] = ROP(.seq = 4, .ms = T0 + 256, .rec = &r1, .kind = "person",
		.field = "name", .value = "李 \"Q\"\n\\\t\x01", .prev = &ops[2].id,
		.nprev = 1);
	ops[4] = ROP(.seq = 5, .ms = T0 + 256, .ctr = 1, .rec = &r1, .kind = "person",
		.field = "phone", .value = NULL);
	ops[5] = ROP(.seq = 6, .ms = T0 + 512, .rec = &r2, .kind = "note",
		.field = "_deleted", .value = "1");
	/* Three devices write "summary" without seeing each other. */
	ops[6] = ROP(.seq = 7, .ms = T0 + 256, .ctr = 2, .rec = &r1, .kind = "person",
		.field = "summary", .value = "a");
	ops[7] = ROP(.dev = DEV_S, .seq = 1, .ms = T0 + 300, .rec = &r1,
		.kind = "person", .field = "summary", .value = "b");
	ops[8] = ROP(.dev = DEV_T, .seq = 1, .ms = T0 + 100, .rec = &r1,
		.kind = "person", .field = "summary", .value = NULL);
	OK(hearth_store_apply(f->s, ops, 9, NULL));
	OK(hearth_store_dump(f->s, &d, &len));
	assert_string_equal(d, want);
	assert_int_equal(len, strlen(want));
	free(d);
}

/* A control-plane record (a space's member, epoch or genesis record) is
 * never tombstoned or purged: locally refused, and quarantined when it
 * arrives, so a member cannot empty the records membership is folded
 * from on every replica. */
static void test_control_records_not_deleted(void **state)
{
	fixture *f = *state;
	hearth_id m = id_of("4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b");
	hearth_op ops[4];
	hearth_record *r = NULL;
	op_list *l = list_new();
	size_t i;

	ops[0] = CREATE(.seq = 1, .ms = T0 + 1000, .rec = &m, .kind = "member",
		.value = "member");
	ops[1] = ROP(.seq = 2, .ms = T0 + 2000, .rec = &m, .kind = "member",
		.field = "role", .value = "lead");
	ops[2] = ROP(.dev = DEV_S, .seq = 1, .ms = T0 + 3000, .rec = &m, .kind = "member",
		.field = "_deleted", .value = "1");
	ops[3] = ROP(.dev = DEV_S, .seq = 2, .ms = T0 + 4000, .rec = &m, .kind = "member",
		.field = "_purged", .value = "1");
	OK(hearth_store_apply(f->s, ops, 4, NULL));
	OK(hearth_record_load(f->s, &m, &r));
	assert_false(r->deleted);
	assert_string_equal(hearth_record_field(r, "role"), "lead");
	hearth_record_free(r);
	OK(hearth_store_ops_since(f->s, 0, collect, l));
	for (i = 0; i < l->n; i++)
		if (l->v[i].op.id.device == DEV_S)
			assert_int_equal(l->v[i].state, HEARTH_OP_QUARANTINED);
	free(l);

	assert_int_equal(hearth_record_delete(f->s, &m), HEARTH_ESTATE);
	assert_int_equal(hearth_record_purge(f->s, &m), HEARTH_ESTATE);
	OK(hearth_record_load(f->s, &m, &r));
	assert_false(r->deleted);
	assert_string_equal(hearth_record_field(r, "role"), "lead");
	hearth_record_free(r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_op_hash_pinned),
		T(test_create_set_get_clear_delete),
		T(test_control_records_not_deleted),
		T(test_chinese_text_round_trip),
		T(test_ops_appended),
		T(test_ops_by_device_and_range),
		cmocka_unit_test(test_reopen_after_clock_went_back),
		T(test_seq_not_reissued_after_ops_removed),
		cmocka_unit_test(test_open_needs_current_schema),
		T(test_resolve),
		T(test_remote_future_kept_aside),
		T(test_default_drift_five_minutes),
		T(test_duplicate_apply_is_noop),
		T(test_lww_merge),
		T(test_apply_rejects_malformed),
		T(test_apply_rejects_hash_mismatch),
		T(test_local_seq_dense),
		T(test_orphan_waits_for_creating_op),
		T(test_quarantine_other_space_or_kind),
		T(test_backdated_creating_op_cannot_capture),
		T(test_disagreeing_creating_ops_of_old_records),
		T(test_immutable_kind),
		T(test_concurrent_values),
		T(test_values_converge_in_any_order),
		T(test_merge_fast_paths_keep_replaced),
		T(test_many_replaced_ids),
		T(test_equivocation_from_a_copy),
		T(test_rollback_moves_device),
		T(test_equivocation_of_a_peer),
		T(test_equivocation_while_waiting),
		T(test_clash_after_purge),
		T(test_device_move_and_rollback),
		T(test_future_creating_op_releases_waiting_ops),
		T(test_arrival_cursor),
		T(test_heads_show_gaps),
		T(test_transactions),
		T(test_steps),
		T(test_each),
		T(test_each_callback_writes),
		T(test_dump_format),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
