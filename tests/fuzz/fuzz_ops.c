/*
 * fuzz_ops.c - merging is order-independent and idempotent whatever the
 * ops: the input is decoded into a batch of ops (colliding HLCs, clears,
 * tombstones, odd kinds included), applied to one store in input order and
 * to another in reverse order, one by one and with repeats; the two
 * canonical dumps, and the ops kept aside, must be byte-identical.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz tests/fuzz/fuzz_ops
 *   build-fuzz/tests/fuzz/fuzz_ops -max_total_time=60 NEW_DIR tests/fuzz/corpus/ops
 *
 * A whole batch is MAX_OPS * BYTES_PER_OP = 448 bytes; the seed corpus
 * holds whole batches, so mutation starts at that length instead of
 * growing towards it from a few bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hearth/schema.h"
#include "hearth/store.h"

#define MAX_OPS 64
#define BYTES_PER_OP 7

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const kinds[] = { "person", "note", "screening", "k" };
static const char *const fields[] = {
	"_kind", "_deleted", "name", "unit", "姓名", "a",
};
static const char *const values[] = {
	NULL, "1", "0", "", "x", "y", "张伟", "line\nbreak",
};

static uint64_t fixed_now(void *ctx)
{
	(void)ctx;
	return UINT64_C(1700000000000);
}

typedef struct text {
	char *p;
	size_t len, cap;
} text;

static int add_state(const hearth_op *op, uint64_t arrival,
		     hearth_op_state state, void *ctx)
{
	text *t = ctx;
	char line[64];
	int n = snprintf(line, sizeof line, "%llu/%llu:%d;",
			 (unsigned long long)op->id.device,
			 (unsigned long long)op->id.seq, (int)state);

	(void)arrival;
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = 2 * (t->len + (size_t)n + 1);
		t->p = realloc(t->p, t->cap);
		if (t->p == NULL)
			abort();
	}
	memcpy(t->p + t->len, line, (size_t)n + 1);
	t->len += (size_t)n;
	return 0;
}

/* Every op held and what became of it (applied, kept aside, waiting for
 * its record), by id: that must not depend on order either. */
static char *states_text(hearth_store *s)
{
	text t = { .p = calloc(1, 1), .cap = 1 };

	if (t.p == NULL)
		abort();
	if (hearth_store_ops(s, 0, 1, 0, add_state, &t) != HEARTH_OK)
		abort();
	return t.p;
}

/* A migrated empty database, serialized once: each input starts from a
 * copy of it instead of running the migrations again (which cost more
 * than merging a whole batch and kept the fuzzer from reaching long
 * inputs). */
static unsigned char *template_db;
static sqlite3_int64 template_size;

static void make_template(void)
{
	sqlite3 *db = NULL;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    hearth_schema_migrate(db, hearth_schema_latest()) != HEARTH_OK)
		abort();
	template_db = sqlite3_serialize(db, "main", &template_size, 0);
	if (template_db == NULL)
		abort();
	sqlite3_close(db);
}

static hearth_store *open_store(sqlite3 **db)
{
	hearth_store_options opt = { .now = fixed_now };
	hearth_store *s = NULL;
	unsigned char *copy;

	if (template_db == NULL)
		make_template();
	copy = sqlite3_malloc64((sqlite3_uint64)template_size);
	if (copy == NULL)
		abort();
	memcpy(copy, template_db, (size_t)template_size);
	if (sqlite3_open(":memory:", db) != SQLITE_OK ||
	    sqlite3_deserialize(*db, "main", copy, template_size, template_size,
				SQLITE_DESERIALIZE_FREEONCLOSE |
				SQLITE_DESERIALIZE_RESIZEABLE) != SQLITE_OK ||
	    hearth_store_open(*db, &opt, &s) != HEARTH_OK)
		abort();
	return s;
}

/* Op i of the batch from BYTES_PER_OP input bytes.  Few records, devices
 * and milliseconds, so that ops collide on records, fields and even whole
 * HLCs.  Some are beyond the drift tolerance and must be kept aside by
 * both stores.  Byte by byte (the seed corpus, tests/fuzz/corpus/ops, is
 * written in these terms):
 *   0  bits 0-1 record, bit 2 space, bits 3-4 kind (a "_kind" op takes
 *      its record's own space and kind, from bits 0-1)
 *   1  field (mod 6)      2  value (bits 0-2; "_kind" ops carry the kind
 *                            and "_deleted" ones "1", as valid ops do)
 *   3  ms after T-50      4  HLC counter (bits 0-1)
 *   5  device (1 + mod 3) 6  bit 7: two hours ahead; bit 6: replaces the
 *                            value of the op 1 + bits 3-5 before it;
 *                            bit 0: takes that op's id (and device)
 *                            instead
 * The op's seq is its place in the batch, so two ops share an id only by
 * bit 0 of byte 6: two copies of a vault writing under one device id,
 * which every store settles by hash whatever the order. */
static hearth_op decode_op(const uint8_t *p, size_t i, const hearth_op *ops,
			   hearth_op_id *prev)
{
	size_t back = 1 + ((p[6] >> 3) & 7);
	int clash = (p[6] & 1) && back <= i;
	uint64_t device = clash ? ops[i - back].id.device : 1 + (p[5] % 3);
	hearth_op op = {
		.id = { device, clash ? ops[i - back].id.seq : i + 1 },
		.kind = kinds[(p[0] >> 3) & 3],
		.field = fields[p[1] % 6],
		.value = values[p[2] & 7],
		.hlc = hearth_hlc_make(UINT64_C(1700000000000) - 50 + p[3] +
			((p[6] & 0x80) ? UINT64_C(7200000) : 0),
			(uint16_t)(p[4] & 3), device),
	};

	memset(op.record.b, 0x10 + (p[0] & 3), HEARTH_ID_BYTES);
	memset(op.space.b, 0x20 + ((p[0] >> 2) & 1), HEARTH_ID_BYTES);
	if (strcmp(op.field, "_kind") == 0) {
		/* Each record's creating ops agree (its space and kind follow
		 * from the record): these ids are not derived from a creating
		 * op, and for such records two that disagree bind by arrival
		 * (see store.h).  Field ops still name other spaces and kinds,
		 * which must be quarantined the same in any order. */
		memset(op.space.b, 0x20 + (p[0] & 1), HEARTH_ID_BYTES);
		op.kind = kinds[p[0] & 3];
		op.value = op.kind;
	}
	else if (strcmp(op.field, "_deleted") == 0)
		op.value = "1";
	if ((p[6] & 0x40) && back <= i && !clash) {
		*prev = ops[i - back].id;
		op.prev = prev;
		op.nprev = 1;
	}
	hearth_op_seal(&op);
	return op;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hearth_op ops[MAX_OPS];
	hearth_op_id prev[MAX_OPS];
	sqlite3 *db1 = NULL, *db2 = NULL;
	hearth_store *s1, *s2;
	char *d1 = NULL, *d2 = NULL;
	size_t n = size / BYTES_PER_OP, i;

	if (n > MAX_OPS)
		n = MAX_OPS;
	for (i = 0; i < n; i++)
		ops[i] = decode_op(data + i * BYTES_PER_OP, i, ops, &prev[i]);
	s1 = open_store(&db1);
	s2 = open_store(&db2);
	if (hearth_store_apply(s1, ops, n, NULL) != HEARTH_OK)
		abort();
	for (i = n; i-- > 0;) {
		if (hearth_store_apply(s2, &ops[i], 1, NULL) != HEARTH_OK)
			abort();
	}
	if (n > 0 && hearth_store_apply(s2, ops, n / 2, NULL) != HEARTH_OK)
		abort();
	if (hearth_store_dump(s1, &d1, NULL) != HEARTH_OK ||
	    hearth_store_dump(s2, &d2, NULL) != HEARTH_OK)
		abort();
	if (strcmp(d1, d2) != 0) {
		fprintf(stderr, "merge depends on order:\n--- in order ---\n%s\n"
			"--- reversed ---\n%s\n", d1, d2);
		abort();
	}
	free(d1);
	free(d2);
	d1 = states_text(s1);
	d2 = states_text(s2);
	if (strcmp(d1, d2) != 0) {
		fprintf(stderr, "what became of ops depends on order:\n%s\n%s\n", d1, d2);
		abort();
	}
	free(d1);
	free(d2);
	hearth_store_close(s1);
	hearth_store_close(s2);
	sqlite3_close(db1);
	sqlite3_close(db2);
	return 0;
}
