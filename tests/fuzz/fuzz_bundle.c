/*
 * fuzz_bundle.c - reading a bundle file never crashes, never allocates
 * more than one envelope's limit, and accepts a file only if it is exactly
 * what the writer makes of the envelopes read from it: the format has one
 * encoding of each sequence of envelopes.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz tests/fuzz/fuzz_bundle
 *   build-fuzz/tests/fuzz/fuzz_bundle -max_total_time=60 NEW_DIR tests/fuzz/corpus/bundle
 *
 * The input is the file.  The seed corpus, tests/fuzz/corpus/bundle,
 * holds small bundles of real envelopes and an empty one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hearth/envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hearth_bundle_reader *r = NULL;
	hearth_bundle_writer *w = NULL;
	char *out = NULL;
	size_t out_len = 0, len;
	const uint8_t *env;
	hearth_status st;
	FILE *in, *copy;

	if (size == 0)
		return 0; /* fmemopen refuses an empty buffer */
	in = fmemopen((void *)data, size, "rb");
	copy = open_memstream(&out, &out_len);
	if (in == NULL || copy == NULL)
		abort();
	st = hearth_bundle_reader_open(in, &r);
	if (st == HEARTH_OK && hearth_bundle_writer_open(copy, &w) != HEARTH_OK)
		abort();
	while (st == HEARTH_OK) {
		st = hearth_bundle_reader_next(r, &env, &len);
		if (st != HEARTH_OK || env == NULL)
			break;
		if (len > HEARTH_ENVELOPE_MAX ||
		    hearth_envelope_peek(env, len, NULL) != HEARTH_OK ||
		    hearth_bundle_writer_add(w, env, len) != HEARTH_OK)
			abort();
	}
	if (st == HEARTH_OK) {
		/* Accepted: the writer makes the same bytes. */
		if (hearth_bundle_writer_finish(w) != HEARTH_OK)
			abort();
		fflush(copy);
		if (out_len != size || memcmp(out, data, size) != 0)
			abort();
	} else if (r != NULL && hearth_bundle_reader_next(r, &env, &len) == HEARTH_OK) {
		abort(); /* a refused reader stays refused */
	}
	hearth_bundle_writer_free(w);
	hearth_bundle_reader_free(r);
	fclose(in);
	fclose(copy);
	free(out);
	return 0;
}
