/*
 * hearth/timeutil.h - calendar dates and local date-times, strictly.
 *
 * Hearth stores two textual forms, both in the local wall time of the
 * service (no time zone is stored or applied; a booking made for
 * "2026-12-14 10:00" means ten o'clock wherever the counsellor is):
 *
 *   date        "YYYY-MM-DD"        e.g. "2026-12-14"
 *   date-time   "YYYY-MM-DD HH:MM"  e.g. "2026-12-14 10:00" (24-hour clock)
 *
 * Both sort correctly as strings, and a date sorts before every date-time
 * of the same day.  Parsing is strict: exactly that many digits, a real
 * calendar day (2026-02-30 and 2025-02-29 are refused, 2028-02-29 is
 * accepted), hours 00-23, minutes 00-59, years 1900-9999, nothing after.
 *
 * For arithmetic a date is a day number (days since 1970-01-01, negative
 * before it) and a date-time a minute number (minutes since
 * 1970-01-01 00:00), both in the proleptic Gregorian calendar.  Local wall
 * time has no daylight-saving gaps here: adding 24 hours is adding a day.
 *
 * "Today" never comes from a hidden clock inside the core: functions that
 * need it take a `today` date argument.  hearth_today() gives the caller
 * that date, from an override (the CLI passes $HEARTH_TODAY, so scenarios
 * are reproducible) or the system's local date.
 */
#ifndef HEARTH_TIMEUTIL_H
#define HEARTH_TIMEUTIL_H

#include <stdint.h>

#include "hearth/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_DATE_LEN 10u      /* "YYYY-MM-DD" without the NUL */
#define HEARTH_DATETIME_LEN 16u  /* "YYYY-MM-DD HH:MM" without the NUL */
#define HEARTH_MINUTES_PER_DAY 1440

/* Parses a date.  HEARTH_EINVAL with the detail
 * "'2026-02-30' is not a valid date: use YYYY-MM-DD" for anything else
 * (s NULL included).  *days is untouched on failure. */
hearth_status hearth_date_parse(const char *s, int32_t *days) HEARTH_WUR;

/* Formats a day number as "YYYY-MM-DD" (NUL-terminated).  Day numbers
 * outside years 0000-9999 are clamped into that range. */
void hearth_date_format(int32_t days, char out[HEARTH_DATE_LEN + 1]);

/* Parses a date-time.  HEARTH_EINVAL with the detail
 * "'2026-12-14 25:00' is not a valid date and time: use YYYY-MM-DD HH:MM". */
hearth_status hearth_datetime_parse(const char *s, int64_t *minutes) HEARTH_WUR;

/* Formats a minute number as "YYYY-MM-DD HH:MM" (NUL-terminated). */
void hearth_datetime_format(int64_t minutes, char out[HEARTH_DATETIME_LEN + 1]);

/* Day number from a calendar day; HEARTH_EINVAL (with a detail) if the day
 * does not exist or the year is outside 1900-9999. */
hearth_status hearth_date_from_ymd(int year, int month, int day,
				   int32_t *days) HEARTH_WUR;

/* Calendar day of a day number. */
void hearth_date_to_ymd(int32_t days, int *year, int *month, int *day);

/* Day of the week, ISO numbering: 1 Monday ... 7 Sunday. */
int hearth_date_weekday(int32_t days);

/* ISO 8601 week of a day: the week-numbering year (may differ from the
 * calendar year near New Year) and the week 1-53. */
void hearth_date_iso_week(int32_t days, int *iso_year, int *week);

/* The day number of the date part of a minute number. */
int32_t hearth_datetime_day(int64_t minutes);

/* String conveniences: parse, shift, format.  Same errors as the parsers;
 * out is untouched on failure.  out may alias s. */
hearth_status hearth_date_add_days(const char *s, int32_t n,
				   char out[HEARTH_DATE_LEN + 1]) HEARTH_WUR;
hearth_status hearth_datetime_add_minutes(const char *s, int64_t n,
					  char out[HEARTH_DATETIME_LEN + 1]) HEARTH_WUR;

/* Whole days from date a to date b (b - a; negative if b is earlier).
 * HEARTH_EINVAL if either is not a valid date. */
hearth_status hearth_date_diff(const char *a, const char *b,
			       int32_t *days) HEARTH_WUR;

/* Today's date into out.  If override is non-NULL and non-empty it must be
 * a valid date (HEARTH_EINVAL otherwise, detail naming it) and is used as
 * is; otherwise the system's local date (localtime) is used. */
hearth_status hearth_today(const char *override,
			   char out[HEARTH_DATE_LEN + 1]) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_TIMEUTIL_H */
