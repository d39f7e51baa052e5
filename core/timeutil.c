/*
 * timeutil.c - strict dates and local date-times (see hearth/timeutil.h).
 *
 * Day numbers use the usual era arithmetic of the proleptic Gregorian
 * calendar: a 400-year era holds exactly 146,097 days, and counting years
 * from March puts the leap day at the end of the year, so a day of the
 * year maps to a month by a linear formula.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hearth/timeutil.h"

#define YEAR_MIN 1900
#define YEAR_MAX 9999

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && is_leap(y))
		return 29;
	return dim[m - 1];
}

/* Day number of y-m-d, which must be a valid day. */
static int32_t civil_to_days(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;                                   /* 0..399 */
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;  /* 0..365 */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* 0..146096 */
	return (int32_t)era * 146097 + doe - 719468;
}

void hearth_date_to_ymd(int32_t days, int *year, int *month, int *day)
{
	int32_t z = days + 719468;
	int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	int32_t doe = z - era * 146097;
	int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int32_t y = yoe + era * 400;
	int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int32_t mp = (5 * doy + 2) / 153;
	int32_t d = doy - (153 * mp + 2) / 5 + 1;
	int32_t m = mp < 10 ? mp + 3 : mp - 9;

	if (year)
		*year = (int)(y + (m <= 2));
	if (month)
		*month = (int)m;
	if (day)
		*day = (int)d;
}

hearth_status hearth_date_from_ymd(int year, int month, int day, int32_t *days)
{
	if (year < YEAR_MIN || year > YEAR_MAX)
		return hearth_fail(HEARTH_EINVAL, "year %d is out of range (%d-%d)",
				   year, YEAR_MIN, YEAR_MAX);
	if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
		return hearth_fail(HEARTH_EINVAL, "%04d-%02d-%02d is not a day of the calendar",
				   year, month, day);
	*days = civil_to_days(year, month, day);
	return HEARTH_OK;
}

/* Reads exactly n ASCII digits. */
static int digits(const char *s, int n, int *v)
{
	int i, x = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 1;
}

/* Parses the "YYYY-MM-DD" at the start of s (which has at least 10 chars
 * or a NUL earlier, so digits() stops at the NUL). */
static int parse_date_part(const char *s, int32_t *days)
{
	int y, m, d;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return 0;
	if (y < YEAR_MIN || y > YEAR_MAX || m < 1 || m > 12 || d < 1 ||
	    d > days_in_month(y, m))
		return 0;
	*days = civil_to_days(y, m, d);
	return 1;
}

hearth_status hearth_date_parse(const char *s, int32_t *days)
{
	int32_t v;

	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL, "a date is required: use YYYY-MM-DD");
	if (strlen(s) != HEARTH_DATE_LEN || !parse_date_part(s, &v))
		return hearth_fail(HEARTH_EINVAL,
				   "'%s' is not a valid date: use YYYY-MM-DD", s);
	*days = v;
	return HEARTH_OK;
}

hearth_status hearth_datetime_parse(const char *s, int64_t *minutes)
{
	int32_t d;
	int h, mi;

	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL,
				   "a date and time is required: use YYYY-MM-DD HH:MM");
	if (strlen(s) != HEARTH_DATETIME_LEN || !parse_date_part(s, &d) ||
	    s[10] != ' ' || !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi) || h > 23 || mi > 59)
		return hearth_fail(HEARTH_EINVAL,
				   "'%s' is not a valid date and time: use YYYY-MM-DD HH:MM", s);
	*minutes = (int64_t)d * HEARTH_MINUTES_PER_DAY + h * 60 + mi;
	return HEARTH_OK;
}

void hearth_date_format(int32_t days, char out[HEARTH_DATE_LEN + 1])
{
	int y, m, d;

	hearth_date_to_ymd(days, &y, &m, &d);
	if (y < 0) {
		y = 0; m = 1; d = 1;
	} else if (y > 9999) {
		y = 9999; m = 12; d = 31;
	}
	snprintf(out, HEARTH_DATE_LEN + 1, "%04d-%02d-%02d", y, m, d);
}

int32_t hearth_datetime_day(int64_t minutes)
{
	int64_t d = minutes / HEARTH_MINUTES_PER_DAY;

	if (minutes % HEARTH_MINUTES_PER_DAY < 0)
		d--;
	return (int32_t)d;
}

void hearth_datetime_format(int64_t minutes, char out[HEARTH_DATETIME_LEN + 1])
{
	int32_t day = hearth_datetime_day(minutes);
	int rem = (int)(minutes - (int64_t)day * HEARTH_MINUTES_PER_DAY);
	char date[HEARTH_DATE_LEN + 1];

	int h = rem / 60, m = rem % 60;

	hearth_date_format(day, date);
	memcpy(out, date, HEARTH_DATE_LEN);
	out[10] = ' ';
	out[11] = (char)('0' + h / 10);
	out[12] = (char)('0' + h % 10);
	out[13] = ':';
	out[14] = (char)('0' + m / 10);
	out[15] = (char)('0' + m % 10);
	out[16] = '\0';
}

int hearth_date_weekday(int32_t days)
{
	/* 1970-01-01 was a Thursday (ISO 4). */
	int w = (int)((days % 7 + 7) % 7); /* 0 = Thursday */

	return (w + 3) % 7 + 1;
}

void hearth_date_iso_week(int32_t days, int *iso_year, int *week)
{
	/* The ISO week belongs to the year of its Thursday. */
	int32_t thursday = days - (hearth_date_weekday(days) - 4);
	int y;
	int32_t jan1;

	hearth_date_to_ymd(thursday, &y, NULL, NULL);
	jan1 = civil_to_days(y, 1, 1);
	if (iso_year)
		*iso_year = y;
	if (week)
		*week = (int)((thursday - jan1) / 7 + 1);
}

hearth_status hearth_date_add_days(const char *s, int32_t n,
				   char out[HEARTH_DATE_LEN + 1])
{
	int32_t d;
	hearth_status st = hearth_date_parse(s, &d);

	if (st != HEARTH_OK)
		return st;
	hearth_date_format(d + n, out);
	return HEARTH_OK;
}

hearth_status hearth_datetime_add_minutes(const char *s, int64_t n,
					  char out[HEARTH_DATETIME_LEN + 1])
{
	int64_t m;
	hearth_status st = hearth_datetime_parse(s, &m);

	if (st != HEARTH_OK)
		return st;
	hearth_datetime_format(m + n, out);
	return HEARTH_OK;
}

hearth_status hearth_date_diff(const char *a, const char *b, int32_t *days)
{
	int32_t da, db;
	hearth_status st;

	st = hearth_date_parse(a, &da);
	if (st != HEARTH_OK)
		return st;
	st = hearth_date_parse(b, &db);
	if (st != HEARTH_OK)
		return st;
	*days = db - da;
	return HEARTH_OK;
}

hearth_status hearth_today(const char *override, char out[HEARTH_DATE_LEN + 1])
{
	time_t now;
	struct tm tm;
	int32_t d;
	hearth_status st;

	if (override != NULL && override[0] != '\0') {
		st = hearth_date_parse(override, &d);
		if (st != HEARTH_OK)
			return st;
		memcpy(out, override, HEARTH_DATE_LEN + 1);
		return HEARTH_OK;
	}
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL)
		return hearth_fail(HEARTH_ERROR, "cannot read the local date");
	st = hearth_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &d);
	if (st != HEARTH_OK)
		return st;
	hearth_date_format(d, out);
	return HEARTH_OK;
}
