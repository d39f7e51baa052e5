/*
 * fuzz_relay_request.c - the relay's request parsers (sync/relay/wire.c)
 * never crash and never read past their input: the envelope framing of
 * request bodies, the signature headers, the pull query, and the JSON
 * bodies of reconcile and fetch.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz tests/fuzz/fuzz_relay_request
 *   build-fuzz/tests/fuzz/fuzz_relay_request -max_total_time=60 NEW_DIR tests/fuzz/corpus/relay_request
 *
 * The first byte picks the parser, the rest is its input:
 *   0  request framing; every frame given must lie inside the body and
 *      their lengths add up to it;
 *   1  a reconcile body;
 *   2  a fetch body;
 *   3  four signature headers split at NUL bytes (device, time, nonce,
 *      signature); one that parses gives back its own texts, and is
 *      verified against a fixed key (which must not crash);
 *   4  a pull query.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct walk {
	const uint8_t *body;
	size_t len, seen;
} walk;

static int frame_seen(const uint8_t *env, size_t len, void *ctx)
{
	walk *w = ctx;

	if (env < w->body || env + len > w->body + w->len || len == 0)
		abort();
	w->seen += 4 + len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t ids[RELAY_FETCH_MAX][RELAY_ID_BYTES];
	static const uint8_t pk[32] = { 1 };
	uint8_t want[256];
	const char *why = NULL;
	char *text, *parts[4];
	size_t n, i;
	int flag;

	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0: {
		uint8_t *body = malloc(size - 1 ? size - 1 : 1);
		walk w = { body, size - 1, 0 };

		memcpy(body, data + 1, size - 1);
		if (relay_frames_parse(body, size - 1, frame_seen, &w) == 0 && w.seen != size - 1)
			abort();
		free(body);
		break;
	}
	case 1:
		if (relay_reconcile_parse(data + 1, size - 1, want, &flag, &why) != 0 && why == NULL)
			abort();
		break;
	case 2:
		if (relay_fetch_parse(data + 1, size - 1, ids, &n, &why) == 0) {
			if (n > RELAY_FETCH_MAX)
				abort();
		} else if (why == NULL) {
			abort();
		}
		break;
	case 3: {
		relay_auth a;

		text = malloc(size + 4);
		memcpy(text, data + 1, size - 1);
		memset(text + size - 1, 0, 5);
		parts[0] = text;
		for (i = 1; i < 4; i++)
			parts[i] = parts[i - 1] + strlen(parts[i - 1]) +
				   (parts[i - 1] + strlen(parts[i - 1]) < text + size - 1 ? 1 : 0);
		if (relay_auth_parse(parts[0], parts[1], parts[2], parts[3], &a, &why) == 0) {
			if (strcmp(a.device_text, parts[0]) != 0 || strlen(parts[2]) != 32)
				abort();
			(void)relay_auth_verify(&a, "GET", "/v1/x", data, size, pk);
		} else if (why == NULL) {
			abort();
		}
		free(text);
		break;
	}
	default: {
		uint64_t after;
		size_t limit;
		int control;

		text = malloc(size);
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		if (relay_pull_query_parse(text, &after, &limit, &control, &why) == 0) {
			if (limit == 0 || limit > RELAY_PAGE_MAX)
				abort();
		} else if (why == NULL) {
			abort();
		}
		free(text);
		break;
	}
	}
	return 0;
}
