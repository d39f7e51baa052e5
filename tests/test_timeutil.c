/*
 * test_timeutil.c - dates as the core reads and writes them: the strict
 * "YYYY-MM-DD[ HH:MM]" form, day arithmetic, and day numbers against the C
 * library's own calendar.
 *
 * Suite 'timeutil'.  No store is needed.
 */
#include <errno.h>
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hearth/timeutil.h"

/* ---- dates ------------------------------------------------------------- */

static void test_dates_strict(void **state)
{
	static const char *const bad[] = {
		"2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-04-31",
		"2026-1-05", "26-01-05", "2026/01/05", "2026-01-05x", " 2026-01-05",
		"", "1899-12-31", "2026-01-5 ", "２０２６-01-05",
	};
	static const char *const bad_dt[] = {
		"2026-12-14 25:00", "2026-12-14 24:00", "2026-12-14 10:60",
		"2026-12-14 9:00", "2026-12-14T10:00", "2026-12-14", "2026-02-30 10:00",
		"2026-12-14 10:00:00", "2026-12-14  10:00",
	};
	int32_t d;
	int64_t m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(hearth_date_parse(bad[i], &d), HEARTH_EINVAL);
		assert_non_null(strstr(hearth_errdetail(), "is not a valid date: use YYYY-MM-DD"));
	}
	for (i = 0; i < sizeof bad_dt / sizeof bad_dt[0]; i++)
		assert_int_equal(hearth_datetime_parse(bad_dt[i], &m), HEARTH_EINVAL);
	assert_int_equal(hearth_date_parse("2026-02-30", &d), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail(),
			    "'2026-02-30' is not a valid date: use YYYY-MM-DD");
	assert_int_equal(hearth_date_parse(NULL, &d), HEARTH_EINVAL);

	assert_int_equal(hearth_date_parse("2028-02-29", &d), HEARTH_OK);
	assert_int_equal(hearth_date_parse("2000-02-29", &d), HEARTH_OK);
	assert_int_equal(hearth_date_parse("1900-02-29", &d), HEARTH_EINVAL);
	assert_int_equal(hearth_date_parse("1970-01-01", &d), HEARTH_OK);
	assert_int_equal(d, 0);
	assert_int_equal(hearth_date_parse("2026-12-14", &d), HEARTH_OK);
	assert_int_equal(d, 20801);
	assert_int_equal(hearth_date_weekday(d), 1); /* a Monday */
	assert_int_equal(hearth_datetime_parse("2026-12-14 23:59", &m), HEARTH_OK);
	assert_int_equal(m, (int64_t)20801 * 1440 + 23 * 60 + 59);
}

static void test_dates_arithmetic(void **state)
{
	char out[HEARTH_DATETIME_LEN + 1];
	int32_t d;
	int y, w;

	(void)state;
	assert_int_equal(hearth_date_add_days("2026-12-31", 1, out), HEARTH_OK);
	assert_string_equal(out, "2027-01-01");
	assert_int_equal(hearth_date_add_days("2028-02-28", 1, out), HEARTH_OK);
	assert_string_equal(out, "2028-02-29");
	assert_int_equal(hearth_date_add_days("2026-03-01", -1, out), HEARTH_OK);
	assert_string_equal(out, "2026-02-28");
	assert_int_equal(hearth_date_add_days("2026-02-30", 1, out), HEARTH_EINVAL);
	assert_int_equal(hearth_datetime_add_minutes("2026-12-31 23:30", 45, out), HEARTH_OK);
	assert_string_equal(out, "2027-01-01 00:15");
	assert_int_equal(hearth_datetime_add_minutes("2026-12-14 10:00", 7 * 1440, out), HEARTH_OK);
	assert_string_equal(out, "2026-12-21 10:00");
	assert_int_equal(hearth_date_diff("2026-12-14", "2027-01-02", &d), HEARTH_OK);
	assert_int_equal(d, 19);
	assert_int_equal(hearth_date_diff("2027-01-02", "2026-12-14", &d), HEARTH_OK);
	assert_int_equal(d, -19);

	/* ISO weeks near New Year belong to the year of their Thursday. */
	assert_int_equal(hearth_date_parse("2027-01-01", &d), HEARTH_OK);
	hearth_date_iso_week(d, &y, &w);
	assert_int_equal(y, 2026);
	assert_int_equal(w, 53);
	assert_int_equal(hearth_date_parse("2021-01-03", &d), HEARTH_OK);
	hearth_date_iso_week(d, &y, &w);
	assert_int_equal(y, 2020);
	assert_int_equal(w, 53);
	assert_int_equal(hearth_date_parse("2026-11-30", &d), HEARTH_OK);
	hearth_date_iso_week(d, &y, &w);
	assert_int_equal(y, 2026);
	assert_int_equal(w, 49);

	assert_int_equal(hearth_today("2026-12-14", out), HEARTH_OK);
	assert_string_equal(out, "2026-12-14");
	assert_int_equal(hearth_today("2026-12-32", out), HEARTH_EINVAL);
	assert_int_equal(hearth_today(NULL, out), HEARTH_OK);
	assert_int_equal(hearth_date_parse(out, &d), HEARTH_OK);
}

/* Day numbers against the C library's own calendar (gmtime on whole days),
 * over seeded random days from 1900 to 9999. */
static void test_dates_against_libc(void **state)
{
	unsigned seed = (unsigned)time(NULL);
	char s[HEARTH_DATE_LEN + 1], want[32]; /* any year gmtime_r gives fits */
	int i;

	(void)state;
	srand(seed);
	for (i = 0; i < 20000; i++) {
		int32_t day = (int32_t)(rand() % (2932896 + 25567)) - 25567;
		time_t t = (time_t)day * 86400;
		struct tm tm;
		int32_t back;

		if (gmtime_r(&t, &tm) == NULL)
			continue;
		snprintf(want, sizeof want, "%04d-%02d-%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday);
		hearth_date_format(day, s);
		if (strcmp(s, want) != 0 || hearth_date_parse(s, &back) != HEARTH_OK ||
		    back != day || hearth_date_weekday(day) % 7 != tm.tm_wday)
			fail_msg("day %d: got %s, libc %s (seed %u)", (int)day, s, want, seed);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates_strict),
		cmocka_unit_test(test_dates_arithmetic),
		cmocka_unit_test(test_dates_against_libc),
	};

	return cmocka_run_group_tests_name("timeutil", tests, NULL, NULL);
}
