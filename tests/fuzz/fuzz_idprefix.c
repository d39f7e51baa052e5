/*
 * fuzz_idprefix.c - libFuzzer target for id prefixes typed by users.
 *
 * `hearth person show PREFIX` and every other command taking an id hand the
 * user's text to hearth_store_resolve.  This target runs that on a small
 * store in an in-memory database whose records have chosen ids, so short
 * prefixes can be unique, ambiguous ("abcdef" matches two) or unknown, and
 * one record is tombstoned.  The first input byte picks the kind filter
 * (any, "person", "note"); the rest, NUL-terminated, is the prefix.  The
 * target checks that a success names a live record whose hex id starts
 * with the prefix (ignoring case), and never crashes.
 *
 *   build-fuzz/tests/fuzz/fuzz_idprefix -max_total_time=30 \
 *       tests/fuzz/corpus/idprefix
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hearth/hearth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static hearth_store *store;
static sqlite3 *db;

/* Records with these ids (32 hex digits) exist; the last is deleted. */
static const char *const ids[] = {
	"abcdef0011223344556677889900aabb",
	"abcdef01ffeeddccbbaa998877665544",
	"0123456789abcdef0123456789abcdef",
	"00000000000000000000000000000000",
	"ffffffffffffffffffffffffffffffff",
	"abcdef0199999999999999999999999a",
	"5555550000000000000000000000dead",
};
#define N_IDS (sizeof ids / sizeof ids[0])

static void setup(void)
{
	hearth_op ops[N_IDS + 1];
	hearth_id rid[N_IDS];
	hearth_id space;
	size_t i;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    hearth_schema_migrate(db, hearth_schema_latest()) != HEARTH_OK ||
	    hearth_store_open(db, NULL, &store) != HEARTH_OK)
		abort();
	space = hearth_store_private_space(store);
	memset(ops, 0, sizeof ops);
	for (i = 0; i < N_IDS; i++) {
		if (hearth_id_from_hex(&rid[i], ids[i]) != HEARTH_OK)
			abort();
		ops[i].id.device = 42;
		ops[i].id.seq = 2 * i + 1;
		ops[i].hlc = hearth_hlc_make(1000 + 2 * i, 0, 42);
		ops[i].space = space;
		ops[i].record = rid[i];
		ops[i].kind = (i % 3 == 2) ? "note" : "person";
		ops[i].field = "_kind";
		ops[i].value = ops[i].kind;
		hearth_op_seal(&ops[i]);
	}
	ops[N_IDS] = ops[N_IDS - 1];
	ops[N_IDS].id.seq = 2 * N_IDS + 1;
	ops[N_IDS].hlc = hearth_hlc_make(5000, 0, 42);
	ops[N_IDS].field = HEARTH_FIELD_DELETED;
	ops[N_IDS].value = "1";
	hearth_op_seal(&ops[N_IDS]);
	if (hearth_store_apply(store, ops, N_IDS + 1, NULL) != HEARTH_OK)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = {NULL, "person", "note"};
	char hex[HEARTH_ID_HEX + 1];
	const char *kind;
	hearth_record *r = NULL;
	hearth_status st;
	hearth_id out;
	char *prefix;

	if (store == NULL)
		setup();
	if (size == 0)
		return 0;
	kind = kinds[data[0] % 3];
	prefix = malloc(size);
	if (prefix == NULL)
		return 0;
	memcpy(prefix, data + 1, size - 1);
	prefix[size - 1] = '\0';

	st = hearth_store_resolve(store, kind, prefix, &out);
	if (st == HEARTH_OK) {
		/* A match must be a live record of that kind starting with
		 * the prefix. */
		hearth_id_to_hex(&out, hex);
		if (strlen(prefix) < HEARTH_ID_MIN_PREFIX ||
		    strncasecmp(hex, prefix, strlen(prefix)) != 0)
			abort();
		if (hearth_record_load(store, &out, &r) != HEARTH_OK || r->deleted ||
		    (kind != NULL && strcmp(r->kind, kind) != 0))
			abort();
		hearth_record_free(r);
	} else if (st != HEARTH_EINVAL && st != HEARTH_ENOTFOUND &&
		   st != HEARTH_EAMBIGUOUS) {
		abort();
	}
	free(prefix);
	return 0;
}
