/*
 * test_status.c - the status code and the structured detail of a failure:
 * its stable code (the format), its arguments, the English sentence and
 * the sentence in the user's language.
 *
 * Suite 'status'.  The Chinese checks read the catalogue this build
 * compiled (BUILD/po/locale, beside BUILD/tests), or $HEARTH_LOCALEDIR.
 */
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
#include <unistd.h>

#include <cmocka.h>

#include "hearth/status.h"
#include "hearth/timeutil.h"
#include "testutil.h"

static int english(void **state)
{
	(void)state;
	use_language("en");
	return 0;
}

/* A failure of the core names its situation by code and gives its
 * arguments one by one, as the format renders them. */
static void test_core_failure_structured(void **state)
{
	const hearth_errinfo *e;
	int32_t d;

	(void)state;
	assert_int_equal(hearth_date_from_ymd(2026, 2, 30, &d), HEARTH_EINVAL);
	e = hearth_errinfo_get();
	assert_int_equal(e->status, HEARTH_EINVAL);
	assert_string_equal(e->code, "%04d-%02d-%02d is not a day of the calendar");
	assert_int_equal(e->argc, 3);
	assert_string_equal(e->argv[0], "2026");
	assert_string_equal(e->argv[1], "02");
	assert_string_equal(e->argv[2], "30");
	assert_null(e->argv[3]);
	assert_string_equal(e->detail, "2026-02-30 is not a day of the calendar");
	assert_string_equal(hearth_errdetail(), e->detail);
	/* English asked for: the local detail is the English one. */
	assert_string_equal(hearth_errdetail_local(), e->detail);

	assert_int_equal(hearth_date_parse("14.12.2026", &d), HEARTH_EINVAL);
	e = hearth_errinfo_get();
	assert_string_equal(e->code, "'%s' is not a valid date: use YYYY-MM-DD");
	assert_int_equal(e->argc, 1);
	assert_string_equal(e->argv[0], "14.12.2026");
}

/* Each kind of conversion the library's formats use takes its argument
 * by type: a misread va_arg would garble the ones after it. */
static void test_conversions(void **state)
{
	const hearth_errinfo *e;

	(void)state;
	assert_int_equal(hearth_fail(HEARTH_EFORMAT, "%zu|%lld|%04d|%.3s|%lu|%u|%.*s|%c",
				     (size_t)42, -7LL, 5, "abcdef", 99UL, 3u, 2, "xyz", 'q'),
			 HEARTH_EFORMAT);
	e = hearth_errinfo_get();
	assert_int_equal(e->argc, 8);
	assert_string_equal(e->argv[0], "42");
	assert_string_equal(e->argv[1], "-7");
	assert_string_equal(e->argv[2], "0005");
	assert_string_equal(e->argv[3], "abc");
	assert_string_equal(e->argv[4], "99");
	assert_string_equal(e->argv[5], "3");
	assert_string_equal(e->argv[6], "xy");
	assert_string_equal(e->argv[7], "q");
	assert_string_equal(e->detail, "42|-7|0005|abc|99|3|xy|q");

	assert_int_equal(hearth_fail(HEARTH_EFORMAT, "%016llx|%d%%|%-s|%ld",
				     0xabcULL, -1, "person", -5L), HEARTH_EFORMAT);
	e = hearth_errinfo_get();
	assert_int_equal(e->argc, 4);
	assert_string_equal(e->argv[0], "0000000000000abc");
	assert_string_equal(e->argv[1], "-1");
	assert_string_equal(e->argv[2], "person");
	assert_string_equal(e->argv[3], "-5");
	assert_null(e->argv[4]);
	assert_string_equal(e->detail, "0000000000000abc|-1%|person|-5");
}

/* A detail may quote the one before it (hearth_errdetail() as an
 * argument): the new one is built aside, so the quote is intact. */
static void test_detail_quotes_previous(void **state)
{
	(void)state;
	assert_int_equal(hearth_fail(HEARTH_EIO, "inner %d", 1), HEARTH_EIO);
	assert_int_equal(hearth_fail(HEARTH_EDB, "outer: %s", hearth_errdetail()),
			 HEARTH_EDB);
	assert_string_equal(hearth_errdetail(), "outer: inner 1");
	assert_string_equal(hearth_errinfo_get()->argv[0], "inner 1");
}

/* No detail: the code is empty and the sentence is the status's. */
static void test_no_detail(void **state)
{
	const hearth_errinfo *e;

	(void)state;
	assert_int_equal(hearth_fail(HEARTH_ENOTFOUND, NULL), HEARTH_ENOTFOUND);
	e = hearth_errinfo_get();
	assert_string_equal(e->code, "");
	assert_int_equal(e->argc, 0);
	assert_string_equal(e->detail, "not found");
	hearth_errdetail_clear();
	e = hearth_errinfo_get();
	assert_int_equal(e->status, HEARTH_OK);
	assert_string_equal(e->code, "");
}

/* In Chinese the same failure reads in Chinese, with the same code and
 * arguments; English stays English for logs. */
static void test_chinese_detail(void **state)
{
	const hearth_errinfo *e;
	int32_t d;

	(void)state;
	use_language("zh_CN");
	assert_int_equal(hearth_date_from_ymd(2026, 2, 30, &d), HEARTH_EINVAL);
	e = hearth_errinfo_get();
	assert_string_equal(e->code, "%04d-%02d-%02d is not a day of the calendar");
	assert_string_equal(e->argv[2], "30");
	assert_string_equal(e->detail, "2026-02-30 is not a day of the calendar");
	assert_string_equal(e->local, "2026-02-30 不是日历上存在的日期");
	assert_string_equal(hearth_errdetail_local(), e->local);

	/* A translation that reorders its arguments (%2$s ... %1$s), and a
	 * word of the core's vocabulary ("%-s") shown translated. */
	assert_int_equal(hearth_fail(HEARTH_ENOTFOUND, "no %-s '%s'", "person", "1234abcd"),
			 HEARTH_ENOTFOUND);
	assert_string_equal(hearth_errdetail(), "no person '1234abcd'");
	assert_string_equal(hearth_errdetail_local(), "没有编号为“1234abcd”的人员");
	assert_string_equal(hearth_errinfo_get()->argv[0], "person");

	/* No detail: the status's name, translated. */
	assert_int_equal(hearth_fail(HEARTH_ENOTFOUND, NULL), HEARTH_ENOTFOUND);
	assert_string_equal(hearth_errdetail_local(), "未找到");
	assert_string_equal(hearth_errdetail(), "not found");
	use_language("en");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_core_failure_structured),
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_detail_quotes_previous),
		cmocka_unit_test(test_no_detail),
		cmocka_unit_test(test_chinese_detail),
	};

	return cmocka_run_group_tests(tests, english, NULL);
}
