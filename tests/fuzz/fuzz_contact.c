/*
 * fuzz_contact.c - reading a contact code (hearth_share_contact_parse,
 * docs/protocol.md §11.1) never crashes and never reads past its input;
 * a code it accepts names no space and no token, carries a certificate
 * that verifies under the identity it names, and the fingerprint of that
 * identity.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz tests/fuzz/fuzz_contact
 *   build-fuzz/tests/fuzz/fuzz_contact -max_total_time=60 NEW_DIR tests/fuzz/corpus/contact
 *
 * The input is the text as typed (a NUL ends it early, as it would a C
 * string).  The corpus holds a genuine code, so mutations of it reach the
 * checksum and the certificate checks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hearth/share.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), fp[HEARTH_FINGERPRINT_LEN + 1];
	hearth_share_contact_info c;
	hearth_device_cert dc;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (hearth_share_contact_parse(text, &c) == HEARTH_OK) {
		if (hearth_cert_verify(c.cert, sizeof c.cert, &c.identity, &dc) != HEARTH_OK ||
		    dc.device != c.device.device)
			abort();
		hearth_fingerprint(&c.identity, fp);
		if (strcmp(fp, c.fingerprint) != 0)
			abort();
	}
	hearth_errdetail_clear();
	free(text);
	return 0;
}
