/*
 * fuzz_sync.c - importing a bundle file (hearth_sync_import) never
 * crashes, and an import that fails leaves the store exactly as it was:
 * the same dump, the same kept envelopes.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz tests/fuzz/fuzz_sync
 *   build-fuzz/tests/fuzz/fuzz_sync -max_total_time=60 NEW_DIR tests/fuzz/corpus/bundle
 *
 * The input is the file.  The store is in memory and kept across inputs
 * (so envelopes already held, kept aside and refused are met too), made
 * afresh every 500 inputs.  Its trust accepts devices 1 and 2 with the
 * key of seed 0x01... (as fuzz_envelope's envelopes are signed), keeps
 * device 3 aside, refuses device 4, and knows epoch 3's key (0x02...), so
 * the seed corpus tests/fuzz/corpus/bundle, bundles of such envelopes,
 * reaches the merge.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hearth/schema.h"
#include "hearth/store.h"
#include "hearth/sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
static uint8_t epoch_key[HEARTH_EPOCH_KEYBYTES];
static sqlite3 *db;
static hearth_store *store;
static unsigned runs;

static hearth_sync_verdict device_key(void *ctx, const hearth_envelope_info *info,
				      uint8_t out[32])
{
	(void)ctx;
	switch (info->device) {
	case 1:
	case 2:
		memcpy(out, pk, sizeof pk);
		return HEARTH_SYNC_ACCEPT;
	case 4:
		return HEARTH_SYNC_REFUSE;
	default:
		return HEARTH_SYNC_LATER;
	}
}

static int get_epoch_key(void *ctx, const hearth_id *space, uint64_t epoch, uint8_t out[32])
{
	(void)ctx;
	(void)space;
	if (epoch != 3)
		return 1;
	memcpy(out, epoch_key, sizeof epoch_key);
	return 0;
}

static const hearth_sync_trust trust = { .device_key = device_key, .epoch_key = get_epoch_key };

static void fresh_store(void)
{
	uint8_t seed[crypto_sign_SEEDBYTES];

	if (store == NULL) {
		if (sodium_init() < 0)
			abort();
		memset(seed, 0x01, sizeof seed);
		crypto_sign_seed_keypair(pk, sk, seed);
		memset(epoch_key, 0x02, sizeof epoch_key);
	}
	hearth_store_close(store);
	if (db != NULL)
		sqlite3_close(db);
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    hearth_schema_migrate(db, hearth_schema_latest()) != HEARTH_OK ||
	    hearth_store_open(db, NULL, &store) != HEARTH_OK)
		abort();
}

static size_t kept(int state)
{
	size_t n;

	if (hearth_sync_count(store, NULL, state, &n) != HEARTH_OK)
		abort();
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *before = NULL, *after = NULL;
	size_t k0, k1, k2;
	hearth_sync_report r;
	hearth_status st;
	FILE *f;

	if (store == NULL || runs++ % 500 == 0)
		fresh_store();
	if (size == 0)
		return 0; /* fmemopen refuses an empty buffer */
	if (hearth_store_dump(store, &before, NULL) != HEARTH_OK)
		abort();
	k0 = kept(0);
	k1 = kept(1);
	k2 = kept(2);
	f = fmemopen((void *)data, size, "rb");
	if (f == NULL)
		abort();
	st = hearth_sync_import(store, &trust, f, NULL, NULL, &r);
	fclose(f);
	if (st != HEARTH_OK) {
		if (hearth_store_dump(store, &after, NULL) != HEARTH_OK ||
		    strcmp(before, after) != 0 || kept(0) != k0 || kept(1) != k1 ||
		    kept(2) != k2 || r.applied != 0)
			abort();
	} else if (r.applied + r.held + r.waiting + r.refused < r.envelopes) {
		abort(); /* every envelope of the bundle is accounted for */
	}
	free(before);
	free(after);
	return 0;
}
