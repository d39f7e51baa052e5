/*
 * fuzz_ops.c - merging is order-independent and idempotent whatever the
 * ops: the input is decoded into a batch of ops (colliding HLCs, clears,
 * tombstones, odd kinds included), applied to one store in input order and
 * to another in reverse order, one by one and with repeats; the two
 * canonical dumps, and the ops kept aside, must be byte-identical.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz tests/fuzz/fuzz_ops
 *   build-fuzz/tests/fuzz/fuzz_ops -max_total_time=60
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

/* The ops kept aside, as text: they must not depend on order either. */
static char *pending_text(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	char *out = NULL;

	if (sqlite3_prepare_v2(db, "SELECT group_concat(hex(hlc) || hex(space) || "
			       "hex(record) || kind || '/' || field || '=' || "
			       "ifnull(value, '(null)'), ';') FROM "
			       "(SELECT * FROM op_pending ORDER BY hlc)", -1, &st,
			       NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		abort();
	out = strdup(sqlite3_column_text(st, 0) ?
		     (const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_finalize(st);
	if (out == NULL)
		abort();
	return out;
}

static hearth_store *open_store(sqlite3 **db)
{
	hearth_store_options opt = { fixed_now, NULL, 0 };
	hearth_store *s = NULL;

	if (sqlite3_open(":memory:", db) != SQLITE_OK ||
	    hearth_schema_migrate(*db, hearth_schema_latest()) != HEARTH_OK ||
	    hearth_store_open(*db, &opt, &s) != HEARTH_OK)
		abort();
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hearth_op ops[MAX_OPS];
	sqlite3 *db1 = NULL, *db2 = NULL;
	hearth_store *s1, *s2;
	char *d1 = NULL, *d2 = NULL;
	size_t n = size / BYTES_PER_OP, i;

	if (n > MAX_OPS)
		n = MAX_OPS;
	for (i = 0; i < n; i++) {
		const uint8_t *p = data + i * BYTES_PER_OP;

		memset(&ops[i], 0, sizeof ops[i]);
		/* Few records, devices and milliseconds, so that ops collide
		 * on records, fields and even whole HLCs.  Some are beyond the
		 * drift tolerance and must be kept aside by both stores. */
		memset(ops[i].record.b, 0x10 + (p[0] & 3), HEARTH_ID_BYTES);
		memset(ops[i].space.b, 0x20 + ((p[0] >> 2) & 1), HEARTH_ID_BYTES);
		ops[i].kind = kinds[(p[0] >> 3) & 3];
		ops[i].field = fields[p[1] % 6];
		ops[i].value = values[p[2] & 7];
		ops[i].hlc = hearth_hlc_make(UINT64_C(1700000000000) - 50 + p[3] +
			((p[6] & 0x80) ? UINT64_C(7200000) : 0),
			(uint16_t)(p[4] & 3), 1 + (p[5] % 3));
	}
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
	d1 = pending_text(db1);
	d2 = pending_text(db2);
	if (strcmp(d1, d2) != 0) {
		fprintf(stderr, "ops kept aside depend on order:\n%s\n%s\n", d1, d2);
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
