/*
 * fuzz_keyfile.c - the vault.json parser on arbitrary bytes.
 *
 * vault.json is outside input: whoever can write the vault directory
 * controls it.  The parser must never crash or read out of bounds, must
 * refuse with HEARTH_EFORMAT or HEARTH_ENEWER (or accept), what it accepts
 * must ask for no more Argon2id cost than the caps and survive a write and
 * a second parse unchanged, and the associated data of its key wraps must
 * fit its buffer whole.
 *
 *   build-fuzz/tests/fuzz/fuzz_keyfile -max_total_time=60 tests/fuzz/corpus/keyfile
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hearth/crypto.h"

#include "../../crypto/keyfile_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hearth_keyfile kf, back;
	char ad[HEARTH_KEYSLOT_AD_MAX];
	hearth_status st;
	char *text = NULL;

	st = hearth_keyfile_parse(&kf, (const char *)data, size, "fuzz.json");
	if (st != HEARTH_OK) {
		if (st != HEARTH_EFORMAT && st != HEARTH_ENEWER)
			abort();
		return 0;
	}
	/* Accepted: the stored cost is within the floor and the caps, the
	 * binding text is never cut short, and the file round-trips. */
	if (hearth_keyfile_kdf_check(&kf.passphrase.kdf) != HEARTH_OK ||
	    hearth_keyfile_kdf_check(&kf.recovery.kdf) != HEARTH_OK)
		abort();
	if (kf.format < 1 || kf.format > HEARTH_KEYFILE_FORMAT)
		abort();
	hearth_keyslot_ad(ad, &kf, &kf.passphrase, HEARTH_SLOT_PASSPHRASE);
	if (strlen(ad) + 1 >= sizeof ad)
		abort();
	hearth_keyslot_ad(ad, &kf, &kf.recovery, HEARTH_SLOT_RECOVERY);
	if (strlen(ad) + 1 >= sizeof ad)
		abort();
	if (hearth_keyfile_format(&kf, &text) != HEARTH_OK)
		abort();
	if (hearth_keyfile_parse(&back, text, strlen(text), "fuzz.json") != HEARTH_OK ||
	    back.format != kf.format ||
	    memcmp(back.vault_id, kf.vault_id, sizeof kf.vault_id) != 0 ||
	    memcmp(&back.passphrase, &kf.passphrase, sizeof kf.passphrase) != 0 ||
	    memcmp(&back.recovery, &kf.recovery, sizeof kf.recovery) != 0)
		abort();
	free(text);
	return 0;
}
