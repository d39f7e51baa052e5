/*
 * test_reconcile.c - set fingerprints: order does not matter, a repeated
 * id does not cancel, removing undoes adding, buckets add up to the whole,
 * and the hex form round-trips and refuses anything else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "hearth/reconcile.h"

#define N 500

static uint8_t ids[N][HEARTH_ENVELOPE_ID_BYTES];

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	for (size_t i = 0; i < N; i++)
		randombytes_buf(ids[i], sizeof ids[i]);
	return 0;
}

static void test_order_does_not_matter(void **state)
{
	hearth_fp a, b;
	size_t perm[N];

	(void)state;
	for (size_t i = 0; i < N; i++)
		perm[i] = i;
	for (size_t i = N - 1; i > 0; i--) {
		size_t j = randombytes_uniform((uint32_t)(i + 1)), t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	hearth_fp_init(&a);
	hearth_fp_init(&b);
	for (size_t i = 0; i < N; i++) {
		hearth_fp_add(&a, ids[i]);
		hearth_fp_add(&b, ids[perm[i]]);
	}
	assert_int_equal(a.count, N);
	assert_true(hearth_fp_equal(&a, &b));
}

static void test_repeat_does_not_cancel(void **state)
{
	hearth_fp once, twice, empty;

	(void)state;
	hearth_fp_init(&empty);
	hearth_fp_init(&once);
	hearth_fp_init(&twice);
	hearth_fp_add(&once, ids[0]);
	hearth_fp_add(&twice, ids[0]);
	hearth_fp_add(&twice, ids[0]);
	assert_false(hearth_fp_equal(&twice, &empty));
	assert_false(hearth_fp_equal(&twice, &once));
	/* Same count, different ids: the sums tell them apart. */
	hearth_fp_add(&once, ids[1]);
	assert_int_equal(once.count, twice.count);
	assert_false(hearth_fp_equal(&twice, &once));
}

static void test_remove_undoes_add(void **state)
{
	hearth_fp fp, ref;

	(void)state;
	hearth_fp_init(&fp);
	hearth_fp_init(&ref);
	for (size_t i = 0; i < N; i++) {
		hearth_fp_add(&fp, ids[i]);
		if (i % 3)
			hearth_fp_add(&ref, ids[i]);
	}
	for (size_t i = 0; i < N; i += 3)
		hearth_fp_remove(&fp, ids[i]);
	assert_true(hearth_fp_equal(&fp, &ref));
	for (size_t i = 0; i < N; i++)
		if (i % 3)
			hearth_fp_remove(&fp, ids[i]);
	hearth_fp_init(&ref);
	assert_true(hearth_fp_equal(&fp, &ref));
}

static void test_buckets_add_up(void **state)
{
	static hearth_fp bucket[HEARTH_FP_BUCKETS];
	hearth_fp whole, sum, minus;

	(void)state;
	hearth_fp_init(&whole);
	hearth_fp_init(&sum);
	for (size_t b = 0; b < HEARTH_FP_BUCKETS; b++)
		hearth_fp_init(&bucket[b]);
	for (size_t i = 0; i < N; i++) {
		hearth_fp_add(&whole, ids[i]);
		hearth_fp_add(&bucket[hearth_fp_bucket(ids[i])], ids[i]);
	}
	for (size_t b = 0; b < HEARTH_FP_BUCKETS; b++)
		hearth_fp_merge(&sum, &bucket[b]);
	assert_true(hearth_fp_equal(&whole, &sum));

	/* Taking one bucket away leaves the others' sum. */
	minus = whole;
	hearth_fp_subtract(&minus, &bucket[hearth_fp_bucket(ids[7])]);
	hearth_fp_init(&sum);
	for (size_t b = 0; b < HEARTH_FP_BUCKETS; b++)
		if (b != hearth_fp_bucket(ids[7]))
			hearth_fp_merge(&sum, &bucket[b]);
	assert_true(hearth_fp_equal(&minus, &sum));
}

static void test_item_is_domain_separated(void **state)
{
	uint8_t h[HEARTH_FP_SUM_BYTES], plain[HEARTH_FP_SUM_BYTES];

	(void)state;
	hearth_fp_item(ids[0], h);
	crypto_generichash(plain, sizeof plain, ids[0], HEARTH_ENVELOPE_ID_BYTES, NULL, 0);
	assert_memory_not_equal(h, plain, sizeof h);
	assert_memory_not_equal(h, ids[0], sizeof h);
}

static void test_hex(void **state)
{
	hearth_fp fp, back;
	char hex[HEARTH_FP_HEX_LEN + 1];

	(void)state;
	hearth_fp_init(&fp);
	for (size_t i = 0; i < 10; i++)
		hearth_fp_add(&fp, ids[i]);
	hearth_fp_sum_hex(&fp, hex);
	assert_int_equal(strlen(hex), HEARTH_FP_HEX_LEN);
	hearth_fp_init(&back);
	back.count = fp.count;
	assert_int_equal(hearth_fp_sum_parse(hex, &back), 0);
	assert_true(hearth_fp_equal(&fp, &back));

	assert_int_equal(hearth_fp_sum_parse("", &back), -1);
	hex[63] = 'g';
	assert_int_equal(hearth_fp_sum_parse(hex, &back), -1);
	hex[63] = '0';
	hex[10] = '\0';
	assert_int_equal(hearth_fp_sum_parse(hex, &back), -1);
	{
		char longer[HEARTH_FP_HEX_LEN + 3];
		hearth_fp_sum_hex(&fp, longer);
		strcat(longer, "00");
		assert_int_equal(hearth_fp_sum_parse(longer, &back), -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_does_not_matter),
		cmocka_unit_test(test_repeat_does_not_cancel),
		cmocka_unit_test(test_remove_undoes_add),
		cmocka_unit_test(test_buckets_add_up),
		cmocka_unit_test(test_item_is_domain_separated),
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
