/*
 * hearth/reports.h - service counts for a period, and their CSV export.
 *
 * A report counts what the service delivered between two dates (both
 * inclusive), as a whole and optionally by calendar month or ISO week
 * (Monday to Sunday; the first and last buckets are cut at the period's
 * ends).  The records are read by index range scans over the queryable
 * tables (record, field) of the store: first the dated fields inside the
 * period pick the candidate records, then their kind and the fields a
 * count looks at are read by name (core/reports.c, steps 1-3); tombstoned
 * records never count.  What each count
 * means (the fields are those of hearth/casework.h and hearth/screening.h):
 *
 *   hotline_calls      activities of type "hotline" dated in the period
 *   callbacks          activities of type "callback" (去电回访)
 *   outreach           activities of type "outreach"
 *   group_sessions     activities of type "group" (团辅) ...
 *   group_attendees    ... and the sum of their attendance (absent: 0)
 *   lectures           activities of type "lecture" (讲座) ...
 *   lecture_attendees  ... and the sum of their attendance
 *   appts_booked       appointments starting in the period that were not
 *                      cancelled (status booked, done or noshow)
 *   appts_held         of those, status done
 *   appts_noshow       of those, status noshow
 *   appts_cancelled    appointments starting in the period, cancelled
 *   one_to_one         one-to-one sessions: appointments held (= appts_held;
 *                      kept apart because union forms ask for both)
 *   screenings         counsellor screenings dated in the period (field
 *                      "date", else the date of "at"); an employee's
 *                      private self-screenings (hearth/journal.h) are not
 *                      service and never count
 *   by_band            those screenings by instrument and band
 *   safety_flags       screenings in the period that fired the safety rule
 *                      (flag "safety", or risk "high"), plus activities in
 *                      the period with risk "high"
 *   followups_done     follow-ups closed (field "closed") in the period
 *   followups_overdue  follow-ups due in the period, before the report's
 *                      as-of date, and not done by it (still pending, or
 *                      closed after it).  The as-of date is the earlier of
 *                      the period's last day and today, so a past period's
 *                      overdue count is what was overdue when it ended and
 *                      a current period's is what is overdue now.
 *   people_served      distinct people who received a service in the
 *                      period: those named (field "person") by an
 *                      appointment held (status done) starting in it, a
 *                      screening counted above, an activity counted above
 *                      (a hotline call, call-back or outreach, or a group
 *                      session or lecture that names someone), or a
 *                      follow-up done in it.  An appointment booked but
 *                      not (yet) held, a no-show, a cancellation and an
 *                      overdue follow-up serve nobody; nor does an
 *                      employee's self-screening.  Each person counts in
 *                      the bucket of the date of the service (start,
 *                      date, or the day the follow-up was closed)
 *
 * Every count except people_served is a sum over records, so the buckets
 * of a by-month or by-week report add up to the whole; people_served is a
 * number of distinct people, so a person served in two months counts once
 * in the whole.
 *
 * Building a report appends the audit entry "report" (detail: the period
 * and grouping); writing the CSV appends "export".  Neither holds a name
 * or an id of anyone.
 */
#ifndef HEARTH_REPORTS_H
#define HEARTH_REPORTS_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/status.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hearth_report_by {
	HEARTH_REPORT_WHOLE = 0, /* one bucket: the period */
	HEARTH_REPORT_MONTH = 1, /* calendar months */
	HEARTH_REPORT_WEEK = 2   /* ISO weeks, Monday to Sunday */
} hearth_report_by;

/* The counts, in the order reports and the CSV show them. */
typedef enum hearth_metric {
	HEARTH_M_HOTLINE = 0,
	HEARTH_M_CALLBACK,
	HEARTH_M_APPT_BOOKED,
	HEARTH_M_APPT_HELD,
	HEARTH_M_APPT_NOSHOW,
	HEARTH_M_APPT_CANCELLED,
	HEARTH_M_ONE_TO_ONE,
	HEARTH_M_GROUP,
	HEARTH_M_GROUP_ATTENDEES,
	HEARTH_M_LECTURE,
	HEARTH_M_LECTURE_ATTENDEES,
	HEARTH_M_OUTREACH,
	HEARTH_M_SCREENINGS,
	HEARTH_M_SAFETY_FLAGS,
	HEARTH_M_FOLLOWUP_DONE,
	HEARTH_M_FOLLOWUP_OVERDUE,
	HEARTH_M_PEOPLE,
	HEARTH_M_COUNT /* number of metrics */
} hearth_metric;

/* Screenings of one instrument with one band. */
typedef struct hearth_report_band {
	char *instrument; /* "phq9" */
	char *band;       /* "mild" */
	char *label_en;   /* "phq9: Mild symptoms (5-9)" (bare ids when the
			   * instrument file cannot be found) */
	char *label_zh_CN;
	int64_t n;
} hearth_report_band;

typedef struct hearth_report_bucket {
	char from[HEARTH_DATE_LEN + 1]; /* first day (inclusive) */
	char to[HEARTH_DATE_LEN + 1];   /* last day (inclusive) */
	char label[16];  /* "2026-03", "2026-W11", or "" for the whole */
	int64_t m[HEARTH_M_COUNT];      /* indexed by hearth_metric */
	size_t n_bands;
	hearth_report_band *bands;      /* sorted by instrument, then in the
					 * order of the instrument's bands */
} hearth_report_bucket;

typedef struct hearth_report {
	char from[HEARTH_DATE_LEN + 1];
	char to[HEARTH_DATE_LEN + 1];
	char as_of[HEARTH_DATE_LEN + 1]; /* see followups_overdue above */
	hearth_report_by by;
	hearth_report_bucket whole;
	size_t n_buckets;                /* 0 for HEARTH_REPORT_WHOLE */
	hearth_report_bucket *buckets;   /* in date order */
} hearth_report;

/* The longest period a report may cover (so a typo such as 1026 for 2026
 * cannot ask for a thousand years of weekly buckets). */
#define HEARTH_REPORT_MAX_DAYS (366 * 20)

/* Counts the period [from, to] (dates, from <= to, at most
 * HEARTH_REPORT_MAX_DAYS days) grouped by `by`, as of today (a date; see
 * followups_overdue), and appends the audit entry "report".  *out is owned
 * by the caller: hearth_report_free().  HEARTH_EINVAL with a detail for a
 * bad date, from after to, or too long a period. */
hearth_status hearth_report_build(hearth_store *s, const char *from,
				  const char *to, hearth_report_by by,
				  const char *today,
				  hearth_report **out) HEARTH_WUR;

/* Frees a report.  Accepts NULL. */
void hearth_report_free(hearth_report *r);

/* Parses "month", "week" or "" / NULL (the whole period).  HEARTH_EINVAL
 * "cannot group by 'day': use month or week". */
hearth_status hearth_report_by_parse(const char *s,
				     hearth_report_by *out) HEARTH_WUR;

/* The label of a metric: in English ("Hotline calls") when lang is "en...",
 * else translated from the "hearth" text domain in the language the
 * program chose ("热线来电" under zh_CN; English when no catalogue is
 * bound).  A face passes its own language.  Static. */
const char *hearth_metric_label(hearth_metric m, const char *lang);

/* A stable machine name of a metric for JSON, e.g. "hotline_calls".
 * Static. */
const char *hearth_metric_key(hearth_metric m);

/* How a count is shown where it could single people out: "0" for 0, "<5"
 * for 1 to 4, else the number.  buf gets at least 24 bytes. */
const char *hearth_report_suppress(int64_t n, char *buf, size_t size);

/* The report as CSV text: UTF-8 starting with a byte-order mark (so a
 * spreadsheet reads the Chinese right), CRLF line ends, one row per bucket
 * (and a last row for the whole when there are buckets), one column per
 * metric and then one per instrument and band present, headers in lang.
 * It holds no names and no ids, and every count from 1 to 4 is written
 * "<5".  *out is malloc'd (NUL-terminated; *len, which may be NULL, gets
 * its length). */
hearth_status hearth_report_csv(const hearth_report *r, const char *lang,
				char **out, size_t *len) HEARTH_WUR;

/* Writes hearth_report_csv() to path (replacing it) and appends the audit
 * entry "export".  HEARTH_EIO naming the path when it cannot be written. */
hearth_status hearth_report_export_csv(hearth_store *s, const hearth_report *r,
				       const char *lang,
				       const char *path) HEARTH_WUR;

/* `hearth report` in one call: hearth_report_build, then, when csv_path
 * is non-NULL, hearth_report_export_csv to it in lang, in one transaction
 * (a savepoint of the caller's, if one is open).  When the CSV cannot be
 * written (HEARTH_EIO naming the path) the report's audit entry goes too:
 * nothing at all is changed, and *out is NULL.  On success *out is the
 * caller's: hearth_report_free().  Errors as for the two calls.
 * Audit: report, and export with a CSV. */
hearth_status hearth_report_export(hearth_store *s, const char *from,
				   const char *to, hearth_report_by by,
				   const char *today, const char *lang,
				   const char *csv_path,
				   hearth_report **out) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_REPORTS_H */
