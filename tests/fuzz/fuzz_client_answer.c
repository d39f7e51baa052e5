/*
 * fuzz_client_answer.c - the relay client's checks of what a relay
 * answers (sync/relayclient.c): a pull's page (framing, sequence numbers
 * against the cursor and headers) and the state's JSON.  The first byte
 * picks one; for a page the next 25 bytes are the cursor, Hearth-Next,
 * Hearth-Max-Seq (big-endian) and Hearth-More.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "relayclient_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t be64(const uint8_t *p)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		uint8_t store[HEARTH_RELAY_INSTANCE_BYTES];
		uint64_t max_seq;
		hearth_fp fp;

		hearth_relay_state_parse(data + 1, size - 1, store, &max_seq, &fp);
	} else if (size >= 26) {
		size_t n;

		hearth_relay_page_check(data + 26, size - 26, be64(data + 1), be64(data + 9),
					be64(data + 17), data[25] & 1, &n);
	}
	return 0;
}
