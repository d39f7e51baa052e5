/*
 * test_hlc.c - hybrid logical clocks: byte order, monotonicity whatever the
 * wall clock does, counter overflow, remote timestamps near and far.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hearth/hlc.h"

#define DEV_A UINT64_C(0x0102030405060708)
#define DEV_B UINT64_C(0xfffffffffffffffe)

/* A wall clock the test moves by hand. */
static uint64_t fake_now(void *ctx)
{
	return *(const uint64_t *)ctx;
}

static void clock_with(hearth_clock *c, uint64_t device, uint64_t *wall)
{
	hearth_clock_init(c, device, NULL);
	c->now = fake_now;
	c->now_ctx = wall;
}

static void test_pack_round_trip(void **state)
{
	const uint64_t ms[] = { 0, 1, 1700000000000ull, HEARTH_HLC_MAX_MS };
	const uint16_t ctr[] = { 0, 1, 256, 65535 };
	const uint64_t dev[] = { 1, DEV_A, DEV_B, UINT64_MAX };
	size_t i, j, k;
	char hex[2 * HEARTH_HLC_BYTES + 1];
	hearth_hlc h;

	(void)state;
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
			for (k = 0; k < 4; k++) {
				h = hearth_hlc_make(ms[i], ctr[j], dev[k]);
				assert_int_equal(hearth_hlc_ms(&h), ms[i]);
				assert_int_equal(hearth_hlc_counter(&h), ctr[j]);
				assert_int_equal(hearth_hlc_device(&h), dev[k]);
			}
	/* Big-endian layout, as documented. */
	h = hearth_hlc_make(0x0000aabbccddeeull, 0x1122, DEV_A);
	hearth_hlc_to_hex(&h, hex);
	assert_string_equal(hex, "00aabbccddee11220102030405060708");
}

static void test_48_bit_limit(void **state)
{
	hearth_hlc h;

	(void)state;
	/* Bits above 48 cannot be represented: they are dropped, never
	 * spilled into the counter. */
	h = hearth_hlc_make(HEARTH_HLC_MAX_MS + 1, 7, DEV_A);
	assert_int_equal(hearth_hlc_ms(&h), 0);
	assert_int_equal(hearth_hlc_counter(&h), 7);
	h = hearth_hlc_make(HEARTH_HLC_MAX_MS, 65535, DEV_A);
	assert_int_equal(hearth_hlc_ms(&h), HEARTH_HLC_MAX_MS);
	assert_int_equal(hearth_hlc_counter(&h), 65535);
}

static void test_memcmp_order(void **state)
{
	/* Each is strictly greater than the one before: ms dominates the
	 * counter, which dominates the device id. */
	hearth_hlc seq[] = {
		hearth_hlc_make(0, 0, 1),
		hearth_hlc_make(0, 0, DEV_B),
		hearth_hlc_make(0, 1, 1),
		hearth_hlc_make(0, 65535, UINT64_MAX),
		hearth_hlc_make(1, 0, 0),
		hearth_hlc_make(255, 0, 0),
		hearth_hlc_make(256, 0, 0),
		hearth_hlc_make(1700000000000ull, 3, DEV_A),
		hearth_hlc_make(1700000000000ull, 3, DEV_B),
		hearth_hlc_make(HEARTH_HLC_MAX_MS, 0, 0),
	};
	size_t i, j, n = sizeof seq / sizeof seq[0];

	(void)state;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int c = hearth_hlc_cmp(&seq[i], &seq[j]);
			int m = memcmp(seq[i].b, seq[j].b, HEARTH_HLC_BYTES);

			if (i < j) {
				assert_true(c < 0);
				assert_true(m < 0);
			} else if (i > j) {
				assert_true(c > 0);
				assert_true(m > 0);
			} else {
				assert_int_equal(c, 0);
			}
		}
}

static void test_tick_follows_wall_clock(void **state)
{
	uint64_t wall = 1700000000000ull;
	hearth_clock c;
	hearth_hlc h;

	(void)state;
	clock_with(&c, DEV_A, &wall);
	assert_int_equal(hearth_clock_tick(&c, &h), HEARTH_OK);
	assert_int_equal(hearth_hlc_ms(&h), wall);
	assert_int_equal(hearth_hlc_counter(&h), 0);
	assert_int_equal(hearth_hlc_device(&h), DEV_A);
	assert_int_equal(hearth_clock_tick(&c, &h), HEARTH_OK);
	assert_int_equal(hearth_hlc_ms(&h), wall);
	assert_int_equal(hearth_hlc_counter(&h), 1);
	wall += 5;
	assert_int_equal(hearth_clock_tick(&c, &h), HEARTH_OK);
	assert_int_equal(hearth_hlc_ms(&h), wall);
	assert_int_equal(hearth_hlc_counter(&h), 0);
}

static void test_counter_overflow_in_one_ms(void **state)
{
	uint64_t wall = 1700000000000ull;
	const long n = 65536L * 3 + 17; /* well past one counter's worth */
	hearth_clock c;
	hearth_hlc prev, h;
	long i;

	(void)state;
	clock_with(&c, DEV_A, &wall);
	assert_int_equal(hearth_clock_tick(&c, &prev), HEARTH_OK);
	for (i = 1; i < n; i++) {
		assert_int_equal(hearth_clock_tick(&c, &h), HEARTH_OK);
		if (hearth_hlc_cmp(&prev, &h) >= 0)
			fail_msg("tick %ld did not increase", i);
		prev = h;
	}
	/* The counter wrapped three times, borrowing three milliseconds. */
	assert_int_equal(hearth_hlc_ms(&prev), wall + 3);
	assert_int_equal(hearth_hlc_counter(&prev), 16);
	/* When the wall clock passes the borrowed time it takes over. */
	wall += 10;
	assert_int_equal(hearth_clock_tick(&c, &h), HEARTH_OK);
	assert_int_equal(hearth_hlc_ms(&h), wall);
	assert_int_equal(hearth_hlc_counter(&h), 0);
}

static void test_end_of_time(void **state)
{
	uint64_t wall = HEARTH_HLC_MAX_MS;
	hearth_hlc last = hearth_hlc_make(HEARTH_HLC_MAX_MS, 65534, DEV_A), h;
	hearth_clock c;

	(void)state;
	hearth_clock_init(&c, DEV_A, &last);
	c.now = fake_now;
	c.now_ctx = &wall;
	assert_int_equal(hearth_clock_tick(&c, &h), HEARTH_OK);
	assert_int_equal(hearth_hlc_counter(&h), 65535);
	/* No 49th bit to borrow: refuse rather than wrap to 1970. */
	assert_int_equal(hearth_clock_tick(&c, &h), HEARTH_EINVAL);
	/* A wall clock beyond 48 bits does not wrap either. */
	wall = HEARTH_HLC_MAX_MS + 1000;
	assert_int_equal(hearth_clock_tick(&c, &h), HEARTH_EINVAL);
}

static void test_wall_clock_backwards(void **state)
{
	uint64_t wall = 1700000000000ull;
	hearth_clock c;
	hearth_hlc a, b, d;

	(void)state;
	clock_with(&c, DEV_A, &wall);
	assert_int_equal(hearth_clock_tick(&c, &a), HEARTH_OK);
	wall -= 60000; /* NTP stepped the clock back a minute */
	assert_int_equal(hearth_clock_tick(&c, &b), HEARTH_OK);
	assert_true(hearth_hlc_cmp(&a, &b) < 0);
	assert_int_equal(hearth_hlc_ms(&b), hearth_hlc_ms(&a));
	assert_int_equal(hearth_hlc_counter(&b), 1);
	wall += 30000; /* still behind */
	assert_int_equal(hearth_clock_tick(&c, &d), HEARTH_OK);
	assert_true(hearth_hlc_cmp(&b, &d) < 0);

	/* A restarted clock resumes after the last stored timestamp. */
	hearth_clock_init(&c, DEV_A, &d);
	c.now = fake_now;
	c.now_ctx = &wall;
	wall = 0;
	assert_int_equal(hearth_clock_tick(&c, &a), HEARTH_OK);
	assert_true(hearth_hlc_cmp(&d, &a) < 0);
}

static void test_observe_in_range(void **state)
{
	uint64_t wall = 1700000000000ull;
	hearth_clock c;
	hearth_hlc remote, h;

	(void)state;
	clock_with(&c, DEV_A, &wall);
	/* A peer 4 minutes ahead (within the default 5 minutes of drift);
	 * 6 minutes would be too far. */
	remote = hearth_hlc_make(wall + 360000, 0, DEV_B);
	assert_int_equal(hearth_clock_observe(&c, &remote), HEARTH_EFUTURE);
	remote = hearth_hlc_make(wall + 240000, 41, DEV_B);
	assert_int_equal(hearth_clock_observe(&c, &remote), HEARTH_OK);
	assert_int_equal(hearth_clock_tick(&c, &h), HEARTH_OK);
	assert_true(hearth_hlc_cmp(&remote, &h) < 0);
	assert_int_equal(hearth_hlc_ms(&h), wall + 240000);
	assert_int_equal(hearth_hlc_counter(&h), 42);
	assert_int_equal(hearth_hlc_device(&h), DEV_A);

	/* An older remote changes nothing. */
	remote = hearth_hlc_make(wall - 1000, 9, DEV_B);
	assert_int_equal(hearth_clock_observe(&c, &remote), HEARTH_OK);
	assert_int_equal(c.last_ms, wall + 240000);
	assert_int_equal(c.counter, 42);

	/* Same (ms, counter) as ours from a greater device id: the next
	 * local tick still sorts after it. */
	remote = hearth_hlc_make(wall + 240000, 42, UINT64_MAX);
	assert_int_equal(hearth_clock_observe(&c, &remote), HEARTH_OK);
	assert_int_equal(hearth_clock_tick(&c, &h), HEARTH_OK);
	assert_true(hearth_hlc_cmp(&remote, &h) < 0);

	/* Exactly max_drift ahead is still accepted. */
	remote = hearth_hlc_make(wall + c.max_drift_ms, 0, DEV_B);
	assert_int_equal(hearth_clock_observe(&c, &remote), HEARTH_OK);
	assert_int_equal(c.last_ms, wall + c.max_drift_ms);
}

static void test_observe_far_future(void **state)
{
	uint64_t wall = 1700000000000ull;
	hearth_clock c, before;
	hearth_hlc remote, h;

	(void)state;
	clock_with(&c, DEV_A, &wall);
	assert_int_equal(hearth_clock_tick(&c, &h), HEARTH_OK);
	before = c;
	remote = hearth_hlc_make(wall + HEARTH_HLC_DEFAULT_MAX_DRIFT_MS + 1, 0, DEV_B);
	assert_int_equal(hearth_clock_observe(&c, &remote), HEARTH_EFUTURE);
	assert_int_equal(c.last_ms, before.last_ms);
	assert_int_equal(c.counter, before.counter);
	remote = hearth_hlc_make(HEARTH_HLC_MAX_MS, 65535, DEV_B);
	assert_int_equal(hearth_clock_observe(&c, &remote), HEARTH_EFUTURE);
	assert_int_equal(c.last_ms, before.last_ms);
	/* The next tick is unaffected by the rejected timestamps. */
	assert_int_equal(hearth_clock_tick(&c, &h), HEARTH_OK);
	assert_int_equal(hearth_hlc_ms(&h), wall);
	assert_int_equal(hearth_hlc_counter(&h), 1);

	/* A smaller tolerance is honoured; once the wall clock has moved on,
	 * the same timestamp is accepted. */
	c.max_drift_ms = 1000;
	remote = hearth_hlc_make(wall + 1001, 0, DEV_B);
	assert_int_equal(hearth_clock_observe(&c, &remote), HEARTH_EFUTURE);
	wall += 1;
	assert_int_equal(hearth_clock_observe(&c, &remote), HEARTH_OK);
	assert_int_equal(c.last_ms, wall + 1000);
}

static void test_real_clock(void **state)
{
	hearth_clock c;
	hearth_hlc a, b;
	uint64_t wall;

	(void)state;
	hearth_clock_init(&c, DEV_A, NULL);
	wall = hearth_clock_wall_ms(&c);
	assert_true(wall > 1600000000000ull); /* after September 2020 */
	assert_int_equal(hearth_clock_tick(&c, &a), HEARTH_OK);
	assert_int_equal(hearth_clock_tick(&c, &b), HEARTH_OK);
	assert_true(hearth_hlc_cmp(&a, &b) < 0);
	assert_true(hearth_hlc_ms(&a) >= wall);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pack_round_trip),
		cmocka_unit_test(test_48_bit_limit),
		cmocka_unit_test(test_memcmp_order),
		cmocka_unit_test(test_tick_follows_wall_clock),
		cmocka_unit_test(test_counter_overflow_in_one_ms),
		cmocka_unit_test(test_end_of_time),
		cmocka_unit_test(test_wall_clock_backwards),
		cmocka_unit_test(test_observe_in_range),
		cmocka_unit_test(test_observe_far_future),
		cmocka_unit_test(test_real_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
