/*
 * fuzz_answers.c - the --answers list parser on arbitrary bytes, and the
 * laying of a parsed list over an instrument with conditional items.
 *
 * The parser must accept or refuse with HEARTH_EINVAL, never crash or read
 * past len; a list it accepts holds at most 64 values, each a number 0-999
 * or HEARTH_ANSWER_NONE.  Laying it over the instrument gives HEARTH_OK,
 * HEARTH_EINVAL or HEARTH_EINCOMPLETE, and answers laid without error
 * always score.
 *
 *   build-fuzz/tests/fuzz/fuzz_answers -max_total_time=60 tests/fuzz/corpus/answers
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hearth/instruments.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Three items, the third asked only when the second is 1, the fourth
 * with values that are not consecutive: the shapes the shipped
 * instruments use, without depending on a data directory. */
static const char instrument_json[] =
	"{\"format\":1,\"id\":\"f\",\"version\":\"1\","
	"\"title\":{\"en\":\"F\",\"zh_CN\":\"F\"},\"administration\":\"self\","
	"\"lead_in\":{\"en\":\"L\",\"zh_CN\":\"L\"},\"licence\":\"x\",\"source\":\"x\","
	"\"wording\":{\"en\":\"confirmed\",\"zh_CN\":\"confirmed\"},"
	"\"translation\":\"official\","
	"\"option_sets\":{\"yn\":[{\"value\":0,\"label\":{\"en\":\"n\",\"zh_CN\":\"n\"}},"
	"{\"value\":1,\"label\":{\"en\":\"y\",\"zh_CN\":\"y\"}}]},"
	"\"items\":[{\"id\":\"a\",\"text\":{\"en\":\"a\",\"zh_CN\":\"a\"},\"options\":\"yn\"},"
	"{\"id\":\"b\",\"text\":{\"en\":\"b\",\"zh_CN\":\"b\"},\"options\":\"yn\"},"
	"{\"id\":\"c\",\"text\":{\"en\":\"c\",\"zh_CN\":\"c\"},\"options\":\"yn\","
	"\"show_if\":{\"item\":\"b\",\"equals\":1}},"
	"{\"id\":\"d\",\"text\":{\"en\":\"d\",\"zh_CN\":\"d\"},\"options\":["
	"{\"value\":0,\"label\":{\"en\":\"0\",\"zh_CN\":\"0\"}},"
	"{\"value\":5,\"label\":{\"en\":\"5\",\"zh_CN\":\"5\"}}]}],"
	"\"scoring\":{\"method\":\"sum\"},"
	"\"bands\":[{\"id\":\"all\",\"min\":0,\"max\":8,"
	"\"label\":{\"en\":\"x\",\"zh_CN\":\"x\"},\"next_step\":{\"en\":\"x\",\"zh_CN\":\"x\"}}]}";

static hearth_instrument *inst;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hearth_answer_list list;
	int a[HEARTH_INSTRUMENT_MAX_ITEMS];
	hearth_score s;
	hearth_status st;
	size_t i;

	if (inst == NULL &&
	    hearth_instrument_parse("f.json", instrument_json,
				    sizeof instrument_json - 1, &inst) != HEARTH_OK)
		abort();
	st = hearth_answers_parse((const char *)data, size, &list);
	if (st != HEARTH_OK) {
		if (st != HEARTH_EINVAL)
			abort();
		return 0;
	}
	if (list.n == 0 || list.n > HEARTH_INSTRUMENT_MAX_ITEMS)
		abort();
	for (i = 0; i < list.n; i++)
		if (list.values[i] != HEARTH_ANSWER_NONE &&
		    (list.values[i] < 0 || list.values[i] > 999))
			abort();
	st = hearth_instrument_answers_map(inst, &list, a);
	if (st == HEARTH_OK) {
		if (hearth_instrument_score(inst, a, 4, NULL, &s) != HEARTH_OK)
			abort();
	} else if (st != HEARTH_EINVAL && st != HEARTH_EINCOMPLETE) {
		abort();
	}
	return 0;
}
