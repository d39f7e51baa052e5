/*
 * fuzz_link.c - reading a link code or a link package never crashes, never
 * reads past its input, and takes nothing it should not: a package whose
 * certificate was not signed by the identity it carries, for this device's
 * id and key, changes nothing in the vault.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz tests/fuzz/fuzz_link
 *   build-fuzz/tests/fuzz/fuzz_link -max_total_time=60 NEW_DIR tests/fuzz/corpus/link
 *
 * The first input byte chooses what the rest is:
 *   0x00  text: read as a link code (hearth_link_code_parse);
 *   0x01  a link package file as it is (magic, version, sealed box);
 *   else  a package's plaintext, which this target seals to its own device
 *         key (anyone can: the key is in the link code) and hands to
 *         hearth_link_accept, so the parser behind the sealed box is reached.
 * The vault is an in-memory store, made once; after each input its
 * identity must be the one it had, unless hearth_link_accept said yes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "hearth/crypto.h"
#include "hearth/devices.h"
#include "hearth/schema.h"
#include "hearth/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sqlite3 *db;
static hearth_store *store;
static uint8_t box_pk[crypto_box_PUBLICKEYBYTES];
static char fingerprint[HEARTH_FINGERPRINT_LEN + 1];

static void setup(void)
{
	hearth_device_info d;

	if (hearth_crypto_init() != HEARTH_OK ||
	    sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    hearth_schema_migrate(db, hearth_schema_latest()) != HEARTH_OK ||
	    hearth_store_open(db, NULL, &store) != HEARTH_OK ||
	    hearth_devices_ensure(store, NULL) != HEARTH_OK ||
	    hearth_device_this(store, &d) != HEARTH_OK ||
	    crypto_sign_ed25519_pk_to_curve25519(box_pk, d.public_key) != 0 ||
	    hearth_identity_fingerprint_get(store, fingerprint) != HEARTH_OK)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char fp[HEARTH_FINGERPRINT_LEN + 1];
	uint8_t pk[HEARTH_ID_SIGN_PUBLICBYTES];
	hearth_status st = HEARTH_EINVAL;
	uint64_t device;

	if (store == NULL)
		setup();
	if (size < 1)
		return 0;
	if (data[0] == 0) {
		char *text = malloc(size);

		if (text == NULL)
			return 0;
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		if (hearth_link_code_parse(text, &device, pk) == HEARTH_OK && device == 0)
			abort(); /* a device id is never 0 */
		free(text);
		return 0;
	}
	if (data[0] == 1) {
		st = hearth_link_accept(store, data + 1, size - 1);
	} else {
		size_t n = 8 + 1 + crypto_box_SEALBYTES + size - 1;
		uint8_t *pkg = malloc(n);

		if (pkg == NULL)
			return 0;
		memcpy(pkg, "HEARTHLK\x01", 9);
		crypto_box_seal(pkg + 9, data + 1, size - 1, box_pk);
		st = hearth_link_accept(store, pkg, n);
		free(pkg);
	}
	if (hearth_identity_fingerprint_get(store, fp) != HEARTH_OK)
		abort();
	if (st != HEARTH_OK && strcmp(fp, fingerprint) != 0)
		abort(); /* refused, yet the identity changed */
	if (st == HEARTH_OK)
		memcpy(fingerprint, fp, sizeof fp);
	hearth_errdetail_clear();
	return 0;
}
