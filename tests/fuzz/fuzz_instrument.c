/*
 * fuzz_instrument.c - the instrument loader on arbitrary bytes.
 *
 * Instrument files are outside input: anyone who can write the data
 * directory (or $HEARTH_DATA_DIR) controls them.  The loader must never
 * crash, leak or read out of bounds, and must refuse with HEARTH_EFORMAT or
 * HEARTH_ENEWER (or accept).  What it accepts must score: answering every
 * item that is asked with its lowest, then its highest option gives a
 * score whose band holds the total.
 *
 *   build-fuzz/tests/fuzz/fuzz_instrument -max_total_time=60 tests/fuzz/corpus/instrument
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hearth/instruments.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Answers every asked item with its lowest (high = 0) or highest option. */
static void fill(const hearth_instrument *inst, int high, int *a)
{
	size_t i, n = hearth_instrument_n_items(inst);

	for (i = 0; i < HEARTH_INSTRUMENT_MAX_ITEMS; i++)
		a[i] = HEARTH_ANSWER_NONE;
	for (i = 0; i < n; i++) {
		const hearth_item *it = hearth_instrument_item(inst, i);
		if (hearth_instrument_item_shown(inst, i, a))
			a[i] = high ? it->max_value : it->min_value;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hearth_instrument *inst = NULL;
	int a[HEARTH_INSTRUMENT_MAX_ITEMS];
	hearth_status st;
	int high;

	st = hearth_instrument_parse("fuzz.json", (const char *)data, size,
				     &inst);
	if (st != HEARTH_OK) {
		if (inst != NULL ||
		    (st != HEARTH_EFORMAT && st != HEARTH_ENEWER &&
		     st != HEARTH_ENOMEM))
			abort();
		return 0;
	}
	for (high = 0; high <= 1; high++) {
		hearth_score s;
		fill(inst, high, a);
		if (hearth_instrument_score(inst, a,
					    hearth_instrument_n_items(inst),
					    NULL, &s) != HEARTH_OK)
			abort();
		if (s.band == NULL || s.n_outcomes == 0 ||
		    s.outcomes[0] != s.band)
			abort();
		if (hearth_instrument_method(inst) == HEARTH_SCORING_SUM) {
			size_t i;
			int lo, hi;
			for (i = 0; i < hearth_instrument_n_bands(inst); i++)
				if (hearth_instrument_band(inst, i, &lo, &hi) ==
				    s.band)
					break;
			if (i == hearth_instrument_n_bands(inst) ||
			    s.total < lo || s.total > hi)
				abort();
		}
		(void)hearth_instrument_translation_notice(inst, "zh_CN");
	}
	hearth_instrument_free(inst);
	return 0;
}
