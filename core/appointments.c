/*
 * appointments.c - booking sessions and series, conflict detection, the
 * life of a booking (move, cancel, held, no-show), and lists of
 * appointments (by dates, person and status, or picked out by id for
 * notes.c).
 *
 * Conflicts are checked for every occurrence of a series against every
 * appointment that is not cancelled: the same counsellor, the same person
 * or the same place with overlapping time.  Only the appointments whose
 * start falls in a window around the occurrence are read (see "Which
 * appointments the check reads" below).  They are warnings unless the
 * caller asks for strict booking.  Occurrences of one series never clash
 * with each other: they are at least 7 days apart and a session lasts at
 * most HEARTH_APPT_MAX_MINUTES.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "casework_private.h"
#include "db_private.h"
#include "hearth/audit.h"
#include "hearth/appointment.h"
#include "hearth/followup.h"
#include "hearth/person.h"
#include "hearth/timeutil.h"

/* An appointment as the conflict check needs it. */
typedef struct booked {
	hearth_id id;
	int64_t start;
	int minutes;
	char *person;     /* hex */
	char *place;
	char *counsellor;
} booked;

/* The appointments that may overlap one occurrence.  reader is the
 * statement that finds them (see load_booked), prepared once for all the
 * occurrences of a booking. */
typedef struct booked_set {
	booked *v;
	size_t n, cap;
	const hearth_id *skip; /* the appointment being moved */
	sqlite3_stmt *reader;
	int64_t longest;       /* see longest_session */
} booked_set;

static void booked_free(booked *e)
{
	free(e->person);
	free(e->place);
	free(e->counsellor);
}

/* Drops the appointments held (the reader stays). */
static void booked_set_clear(booked_set *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		booked_free(&b->v[i]);
	b->n = 0;
}

static void booked_set_release(booked_set *b)
{
	booked_set_clear(b);
	free(b->v);
	sqlite3_finalize(b->reader);
	memset(b, 0, sizeof *b);
}

static hearth_status booked_oom(void)
{
	return hearth_fail(HEARTH_ENOMEM, "out of memory checking conflicts");
}

/* Sets one field of the appointment being read; the others are not
 * needed.  A value that is cleared (NULL) never reaches here: absent. */
static hearth_status booked_field(booked *e, int *cancelled, const char *name,
				  const char *value)
{
	char **slot = NULL;

	if (strcmp(name, "status") == 0)
		*cancelled = strcmp(value, "cancelled") == 0;
	else if (strcmp(name, "minutes") == 0)
		e->minutes = hearth_cw_int(value, HEARTH_APPT_DEFAULT_MINUTES);
	else if (strcmp(name, "person") == 0)
		slot = &e->person;
	else if (strcmp(name, "place") == 0)
		slot = &e->place;
	else if (strcmp(name, "counsellor") == 0)
		slot = &e->counsellor;
	if (slot == NULL)
		return HEARTH_OK;
	free(*slot);
	if ((*slot = strdup(value)) == NULL)
		return booked_oom();
	return HEARTH_OK;
}

/* Keeps the appointment read (it then belongs to the set) unless it is
 * cancelled, is the one being moved, or has no usable start; an absent
 * text field becomes "".  *e is left empty either way. */
static hearth_status booked_keep(booked_set *b, booked *e, int cancelled,
				 const char *at)
{
	hearth_status st = HEARTH_OK;

	if (cancelled || (b->skip != NULL && hearth_id_equal(b->skip, &e->id)))
		goto out;
	if (hearth_datetime_parse(at, &e->start) != HEARTH_OK) {
		hearth_errdetail_clear();
		goto out; /* no usable time: it cannot overlap anything */
	}
	if ((e->person == NULL && (e->person = strdup("")) == NULL) ||
	    (e->place == NULL && (e->place = strdup("")) == NULL) ||
	    (e->counsellor == NULL && (e->counsellor = strdup("")) == NULL)) {
		st = booked_oom();
		goto out;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		booked *v = realloc(b->v, cap * sizeof *v);

		if (v == NULL) {
			st = booked_oom();
			goto out;
		}
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = *e;
	memset(e, 0, sizeof *e);
out:
	booked_free(e);
	memset(e, 0, sizeof *e);
	return st;
}

/* Names and places compare ignoring surrounding blanks and ASCII case:
 * "Room 2" and "room 2 " are the same room. */
static int same_name(const char *a, const char *b)
{
	size_t la, lb;

	while (*a == ' ' || *a == '\t')
		a++;
	while (*b == ' ' || *b == '\t')
		b++;
	la = strlen(a);
	lb = strlen(b);
	while (la > 0 && (a[la - 1] == ' ' || a[la - 1] == '\t'))
		la--;
	while (lb > 0 && (b[lb - 1] == ' ' || b[lb - 1] == '\t'))
		lb--;
	return la > 0 && la == lb && strncasecmp(a, b, la) == 0;
}

typedef struct conflicts {
	hearth_conflict *v;
	size_t n, cap;
} conflicts;

static hearth_status conflict_push(conflicts *c, int64_t start, int seq,
				   const char *rule, const booked *other)
{
	hearth_conflict *x;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		hearth_conflict *v = realloc(c->v, cap * sizeof *v);

		if (v == NULL)
			return hearth_fail(HEARTH_ENOMEM, "out of memory checking conflicts");
		c->v = v;
		c->cap = cap;
	}
	x = &c->v[c->n++];
	memset(x, 0, sizeof *x);
	hearth_datetime_format(start, x->at);
	x->seq = seq;
	x->rule = rule;
	x->other = other->id;
	hearth_datetime_format(other->start, x->other_at);
	return HEARTH_OK;
}

/* Checks one occurrence against every booked appointment. */
static hearth_status check_one(const booked_set *b, int64_t start, int minutes,
			       int seq, const char *person, const char *place,
			       const char *counsellor, conflicts *c)
{
	hearth_status st = HEARTH_OK;
	size_t i;

	for (i = 0; i < b->n && st == HEARTH_OK; i++) {
		const booked *e = &b->v[i];

		if (!(start < e->start + e->minutes && e->start < start + minutes))
			continue;
		if (same_name(counsellor, e->counsellor))
			st = conflict_push(c, start, seq, "counsellor", e);
		if (st == HEARTH_OK && strcmp(person, e->person) == 0)
			st = conflict_push(c, start, seq, "person", e);
		if (st == HEARTH_OK && same_name(place, e->place))
			st = conflict_push(c, start, seq, "place", e);
	}
	return st;
}

static int rule_rank(const char *r)
{
	if (strcmp(r, "counsellor") == 0)
		return 0;
	if (strcmp(r, "person") == 0)
		return 1;
	return 2;
}

static int conflict_cmp(const void *pa, const void *pb)
{
	const hearth_conflict *a = pa, *b = pb;
	int c = strcmp(a->at, b->at);

	if (c != 0)
		return c;
	c = rule_rank(a->rule) - rule_rank(b->rule);
	if (c != 0)
		return c;
	c = strcmp(a->other_at, b->other_at);
	if (c != 0)
		return c;
	return memcmp(a->other.b, b->other.b, HEARTH_ID_BYTES);
}

/*
 * Which appointments the check reads.  Appointment e overlaps a session
 * [start, start + minutes) when e.start < start + minutes and start <
 * e.start + e.minutes.  So e can only overlap if it starts before the
 * session ends and less than L minutes before it starts, L being the
 * longest stored session: its start lies in [start - L + 1, start +
 * minutes).  Starts are "YYYY-MM-DD HH:MM" text, which sorts as time (and
 * a start that parses is always in that form), so that is one range of
 * the field(name, value) index on "at", a few hours wide, for each
 * occurrence of a series.  Reading every appointment between the first
 * and the last occurrence instead made a booking cost grow with the
 * calendar: 64 s for 30,000 bookings of tests/bench/bench_workflows.c
 * --booking, and some 300 s for the heavy demo of 10,000 people.
 *
 * L is read from the same index: the distinct "minutes" values there (of
 * any record, so perhaps more than needed, never less), each a seek,
 * taken as the check takes a booked appointment's length (hearth_cw_int,
 * HEARTH_APPT_DEFAULT_MINUTES when absent or not a number).  A vault
 * holds a handful of lengths; past LONGEST_SEEKS distinct values the rest
 * are read in one scan.  Damaged data (a length over
 * HEARTH_APPT_MAX_MINUTES, written by hand or by an older tool) widens
 * the range: the check stays exact, only slower.
 */
#define LONGEST_SEEKS 64

static hearth_status longest_session(hearth_store *s, int64_t *out)
{
	sqlite3 *db = hearth_store_db(s);
	sqlite3_stmt *seek = NULL, *scan = NULL;
	char *last = NULL;
	int64_t longest = HEARTH_APPT_DEFAULT_MINUTES;
	hearth_status st = HEARTH_OK;
	int rc, seeks = 0, m;

	/* NULL (cleared) and "" both mean the default length: start past
	 * them. */
	rc = sqlite3_prepare_v2(db, "SELECT value FROM field WHERE name = 'minutes'"
				" AND value > ?1 ORDER BY value LIMIT 1", -1, &seek, NULL);
	while (rc == SQLITE_OK && seeks < LONGEST_SEEKS) {
		const char *v;

		sqlite3_reset(seek);
		sqlite3_bind_text(seek, 1, last ? last : "", -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(seek);
		if (rc != SQLITE_ROW)
			break;
		rc = SQLITE_OK;
		if ((v = (const char *)sqlite3_column_text(seek, 0)) == NULL)
			break;
		m = hearth_cw_int(v, HEARTH_APPT_DEFAULT_MINUTES);
		if (m > longest)
			longest = m;
		free(last);
		if ((last = strdup(v)) == NULL) {
			st = booked_oom();
			goto out;
		}
		seeks++;
	}
	if (rc == SQLITE_OK && seeks == LONGEST_SEEKS) {
		/* Many distinct lengths: the rest in one scan. */
		rc = sqlite3_prepare_v2(db, "SELECT value FROM field WHERE name = 'minutes'"
					" AND value > ?1", -1, &scan, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_text(scan, 1, last, -1, SQLITE_STATIC);
			while ((rc = sqlite3_step(scan)) == SQLITE_ROW) {
				m = hearth_cw_int((const char *)sqlite3_column_text(scan, 0),
						  HEARTH_APPT_DEFAULT_MINUTES);
				if (m > longest)
					longest = m;
			}
		}
	}
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		st = hearth_db_error(db, rc, "cannot check conflicts");
		goto out;
	}
	*out = longest;
out:
	sqlite3_finalize(seek);
	sqlite3_finalize(scan);
	free(last);
	return st;
}

/* Prepares b to read the appointments that may overlap the occurrences of
 * one booking (skip: the appointment being moved, or NULL). */
static hearth_status booked_open(hearth_store *s, const hearth_id *skip, booked_set *b)
{
	sqlite3 *db = hearth_store_db(s);
	hearth_status st;
	int rc;

	memset(b, 0, sizeof *b);
	b->skip = skip;
	st = longest_session(s, &b->longest);
	if (st != HEARTH_OK)
		return st;
	/* CROSS JOIN keeps SQLite on the "at" range first; the rows of one
	 * appointment come together, in the order of its start. */
	rc = sqlite3_prepare_v2(db,
		"SELECT d.record, d.value, f.name, f.value FROM field d"
		" CROSS JOIN record r CROSS JOIN field f"
		" WHERE d.name = 'at' AND d.value >= ?1 AND d.value < ?2"
		" AND r.id = d.record AND r.kind = 'appointment' AND r.deleted = 0"
		" AND f.record = d.record AND f.value IS NOT NULL"
		" ORDER BY d.value, d.record", -1, &b->reader, NULL);
	if (rc != SQLITE_OK)
		return hearth_db_error(db, rc, "cannot check conflicts");
	return HEARTH_OK;
}

/* A bound of the window of starts as text.  Formatting clamps the year to
 * 0-9999, so a bound out of the range a start can take (years 1900-9999)
 * is written past every start instead: "" below, "9999-12-32" above. */
static void start_bound(int64_t m, char out[HEARTH_DATETIME_LEN + 1])
{
	int32_t first = 0, last = 0;

	if (hearth_date_from_ymd(1900, 1, 1, &first) != HEARTH_OK ||
	    hearth_date_from_ymd(9999, 12, 31, &last) != HEARTH_OK) {
		hearth_errdetail_clear(); /* cannot happen: both dates are valid */
		first = INT32_MIN;
		last = INT32_MAX;
	}
	if (hearth_datetime_day(m) < first)
		out[0] = '\0';
	else if (hearth_datetime_day(m) > last)
		snprintf(out, HEARTH_DATETIME_LEN + 1, "9999-12-32");
	else
		hearth_datetime_format(m, out);
}

/* Loads (in place of those held) the appointments not cancelled that may
 * overlap a session of `minutes` at `start`: see above. */
static hearth_status load_booked(booked_set *b, int64_t start, int minutes)
{
	char lo[HEARTH_DATETIME_LEN + 1], hi[HEARTH_DATETIME_LEN + 1];
	sqlite3 *db = sqlite3_db_handle(b->reader);
	char at[HEARTH_DATETIME_LEN + 1] = "";
	booked e;
	hearth_status st = HEARTH_OK;
	int rc, have = 0, cancelled = 0;

	booked_set_clear(b);
	memset(&e, 0, sizeof e);
	start_bound(start - b->longest + 1, lo);
	start_bound(start + (int64_t)minutes, hi);
	sqlite3_reset(b->reader);
	sqlite3_bind_text(b->reader, 1, lo, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(b->reader, 2, hi, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(b->reader)) == SQLITE_ROW) {
		const void *id = sqlite3_column_blob(b->reader, 0);
		const char *start_s = (const char *)sqlite3_column_text(b->reader, 1);
		const char *name = (const char *)sqlite3_column_text(b->reader, 2);
		const char *value = (const char *)sqlite3_column_text(b->reader, 3);

		if (id == NULL || sqlite3_column_bytes(b->reader, 0) != HEARTH_ID_BYTES ||
		    name == NULL || value == NULL)
			continue;
		if (have && memcmp(e.id.b, id, HEARTH_ID_BYTES) != 0) {
			have = 0;
			if ((st = booked_keep(b, &e, cancelled, at)) != HEARTH_OK)
				goto out;
		}
		if (!have) {
			memset(&e, 0, sizeof e);
			memcpy(e.id.b, id, HEARTH_ID_BYTES);
			e.minutes = HEARTH_APPT_DEFAULT_MINUTES;
			cancelled = 0;
			/* Anything longer than a date-time (a prefix of the
			 * range's bounds) is no start: left "" to fail. */
			at[0] = '\0';
			if (start_s != NULL && strlen(start_s) == HEARTH_DATETIME_LEN)
				memcpy(at, start_s, HEARTH_DATETIME_LEN + 1);
			have = 1;
		}
		if ((st = booked_field(&e, &cancelled, name, value)) != HEARTH_OK)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		st = hearth_db_error(db, rc, "cannot check conflicts");
		goto out;
	}
	if (have) {
		have = 0;
		st = booked_keep(b, &e, cancelled, at);
	}
out:
	if (have)
		booked_free(&e);
	sqlite3_reset(b->reader);
	return st;
}

void hearth_appt_result_free(hearth_appt_result *r)
{
	if (r == NULL)
		return;
	free(r->ids);
	free(r->at);
	free(r->conflicts);
	free(r);
}

/* Moves the found conflicts into a new result, sorted. */
static hearth_status result_new(conflicts *c, size_t n, hearth_appt_result **out)
{
	hearth_appt_result *r = calloc(1, sizeof *r);

	*out = NULL;
	if (r == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory booking");
	if (n > 0) {
		r->ids = calloc(n, sizeof *r->ids);
		r->at = calloc(n, sizeof *r->at);
		if (r->ids == NULL || r->at == NULL) {
			hearth_appt_result_free(r);
			return hearth_fail(HEARTH_ENOMEM, "out of memory booking");
		}
	}
	if (c->n > 0)
		qsort(c->v, c->n, sizeof *c->v, conflict_cmp);
	r->conflicts = c->v;
	r->nconflicts = c->n;
	memset(c, 0, sizeof *c);
	*out = r;
	return HEARTH_OK;
}

static int blank(const char *s)
{
	return s == NULL || s[0] == '\0';
}

hearth_status hearth_appt_add(hearth_store *s, const hearth_appt_new *a,
			      hearth_appt_result **out)
{
	const char *mode;
	int minutes, step = 0;
	int64_t first, *starts = NULL;
	size_t n = 1, i;
	char person_hex[HEARTH_ID_HEX + 1], seq_s[24], min_s[16];
	booked_set b;
	conflicts c;
	hearth_appt_result *res = NULL;
	hearth_cw_tx tx;
	int in_tx = 0;
	hearth_status st;

	memset(&b, 0, sizeof b);
	memset(&c, 0, sizeof c);
	if (out == NULL || s == NULL || a == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store, booking or output given");
	*out = NULL;

	/* Check every argument before touching the store. */
	st = hearth_datetime_parse(a->at, &first);
	if (st != HEARTH_OK)
		return st;
	minutes = a->minutes == 0 ? HEARTH_APPT_DEFAULT_MINUTES : a->minutes;
	if (minutes < 1 || minutes > HEARTH_APPT_MAX_MINUTES)
		return hearth_fail(HEARTH_EINVAL,
				   "%d is not a session length: use 1 to %d minutes",
				   a->minutes, HEARTH_APPT_MAX_MINUTES);
	mode = blank(a->mode) ? "in-person" : a->mode;
	if (hearth_appt_mode_parse(mode, NULL) != HEARTH_OK)
		return HEARTH_EINVAL;
	if (hearth_cw_multiline(a->place) || hearth_cw_multiline(a->counsellor))
		return hearth_fail(HEARTH_EINVAL, "a place or counsellor is one line");
	if (!blank(a->repeat)) {
		if (strcmp(a->repeat, "weekly") == 0)
			step = 7;
		else if (strcmp(a->repeat, "biweekly") == 0)
			step = 14;
		else
			return hearth_fail(HEARTH_EINVAL,
					   "'%s' is not a repeat: use weekly or biweekly", a->repeat);
		if ((a->count > 0) == !blank(a->until))
			return hearth_fail(HEARTH_EINVAL,
					   "a repeating booking needs either a count or an end date");
		if (a->count > 0) {
			if (a->count > (int)HEARTH_APPT_MAX_OCCURRENCES)
				return hearth_fail(HEARTH_EINVAL,
					"%d sessions is too many: at most %u in one series",
					a->count, HEARTH_APPT_MAX_OCCURRENCES);
			n = (size_t)a->count;
		} else {
			int32_t until, day0 = hearth_datetime_day(first);

			st = hearth_date_parse(a->until, &until);
			if (st != HEARTH_OK)
				return st;
			if (until < day0)
				return hearth_fail(HEARTH_EINVAL,
					"end date %s is before the first session", a->until);
			if ((until - day0) / step + 1 > (int32_t)HEARTH_APPT_MAX_OCCURRENCES)
				return hearth_fail(HEARTH_EINVAL,
					"series until %s is too long: at most %u sessions",
					a->until, HEARTH_APPT_MAX_OCCURRENCES);
			n = (size_t)((until - day0) / step + 1);
		}
	} else if (a->count > 0 || !blank(a->until)) {
		return hearth_fail(HEARTH_EINVAL,
				   "a count or end date needs a repeat (weekly or biweekly)");
	}

	starts = calloc(n, sizeof *starts);
	if (starts == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory booking");
	for (i = 0; i < n; i++)
		starts[i] = first + (int64_t)i * step * HEARTH_MINUTES_PER_DAY;

	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		goto out;
	in_tx = 1;
	st = hearth_person_check(s, &a->person);
	if (st != HEARTH_OK)
		goto out;
	hearth_id_to_hex(&a->person, person_hex);
	st = booked_open(s, NULL, &b);
	for (i = 0; i < n && st == HEARTH_OK; i++) {
		st = load_booked(&b, starts[i], minutes);
		if (st == HEARTH_OK)
			st = check_one(&b, starts[i], minutes, (int)i + 1, person_hex,
				       a->place ? a->place : "",
				       a->counsellor ? a->counsellor : "", &c);
	}
	if (st != HEARTH_OK)
		goto out;
	st = result_new(&c, n, &res);
	if (st != HEARTH_OK)
		goto out;
	if (a->strict && res->nconflicts > 0) {
		st = res->nconflicts == 1 ?
		     hearth_fail(HEARTH_ESTATE, "1 conflict found: nothing was booked") :
		     hearth_fail(HEARTH_ESTATE, "%zu conflicts found: nothing was booked",
				 res->nconflicts);
		goto out;
	}

	if (step) {
		res->has_series = 1;
		res->series = hearth_id_random();
	}
	snprintf(min_s, sizeof min_s, "%d", minutes);
	for (i = 0; i < n && st == HEARTH_OK; i++) {
		hearth_id id;

		hearth_datetime_format(starts[i], res->at[i]);
		st = hearth_cw_create_for(s, &a->person, "appointment", &id);
		if (st == HEARTH_OK)
			st = hearth_record_set(s, &id, "person", person_hex);
		if (st == HEARTH_OK)
			st = hearth_record_set(s, &id, "at", res->at[i]);
		if (st == HEARTH_OK)
			st = hearth_record_set(s, &id, "minutes", min_s);
		if (st == HEARTH_OK)
			st = hearth_record_set(s, &id, "mode", mode);
		if (st == HEARTH_OK)
			st = hearth_cw_set(s, &id, "place", a->place);
		if (st == HEARTH_OK)
			st = hearth_cw_set(s, &id, "counsellor", a->counsellor);
		if (st == HEARTH_OK)
			st = hearth_record_set(s, &id, "status", "booked");
		if (st == HEARTH_OK && step) {
			snprintf(seq_s, sizeof seq_s, "%zu", i + 1);
			st = hearth_cw_set_id(s, &id, "series", &res->series);
			if (st == HEARTH_OK)
				st = hearth_record_set(s, &id, "seq", seq_s);
		}
		if (st == HEARTH_OK)
			st = hearth_audit_append(s, "appt.add", &id, NULL);
		if (st == HEARTH_OK) {
			res->ids[i] = id;
			res->n = i + 1;
		}
	}
out:
	if (in_tx)
		st = hearth_cw_end(s, &tx, st);
	if (st == HEARTH_ESTATE && res != NULL && res->nconflicts > 0) {
		res->n = 0;
		*out = res;
	} else if (st == HEARTH_OK) {
		*out = res;
	} else {
		hearth_appt_result_free(res);
	}
	free(starts);
	free(c.v);
	booked_set_release(&b);
	return st;
}

/* Loads an appointment that is still booked. */
static hearth_status load_booked_appt(hearth_store *s, const hearth_id *id,
				      hearth_record **out)
{
	char hex[HEARTH_ID_HEX + 1];
	const char *status;
	hearth_status st = hearth_cw_load(s, id, "appointment", out);

	if (st != HEARTH_OK)
		return st;
	status = hearth_cw_field(*out, "status");
	if (strcmp(status, "booked") != 0) {
		hearth_id_to_hex(id, hex);
		st = hearth_fail(HEARTH_ESTATE, "appointment %.8s is %-s, not booked",
				 hex, status[0] ? status : "without a status");
		hearth_record_free(*out);
		*out = NULL;
	}
	return st;
}

hearth_status hearth_appt_move(hearth_store *s, const hearth_id *id,
			       const char *at, int strict,
			       hearth_appt_result **out)
{
	hearth_record *r = NULL;
	hearth_appt_result *res = NULL;
	booked_set b;
	conflicts c;
	int64_t start;
	int minutes = HEARTH_APPT_DEFAULT_MINUTES;
	hearth_cw_tx tx;
	hearth_status st;

	memset(&b, 0, sizeof b);
	memset(&c, 0, sizeof c);
	if (out == NULL || s == NULL || id == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store, appointment or output given");
	*out = NULL;
	st = hearth_datetime_parse(at, &start);
	if (st != HEARTH_OK)
		return st;
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = load_booked_appt(s, id, &r);
	if (st == HEARTH_OK) {
		minutes = hearth_cw_int(hearth_record_field(r, "minutes"),
					HEARTH_APPT_DEFAULT_MINUTES);
		st = booked_open(s, id, &b);
	}
	if (st == HEARTH_OK)
		st = load_booked(&b, start, minutes);
	if (st == HEARTH_OK)
		st = check_one(&b, start, minutes,
			       hearth_cw_int(hearth_record_field(r, "seq"), 1),
			       hearth_cw_field(r, "person"), hearth_cw_field(r, "place"),
			       hearth_cw_field(r, "counsellor"), &c);
	if (st == HEARTH_OK)
		st = result_new(&c, 1, &res);
	if (st != HEARTH_OK)
		goto out;
	if (strict && res->nconflicts > 0) {
		st = res->nconflicts == 1 ?
		     hearth_fail(HEARTH_ESTATE, "1 conflict found: the appointment was not moved") :
		     hearth_fail(HEARTH_ESTATE, "%zu conflicts found: the appointment was not moved",
				 res->nconflicts);
		goto out;
	}
	hearth_datetime_format(start, res->at[0]);
	st = hearth_record_set(s, id, "at", res->at[0]);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "appt.move", id, NULL);
	if (st == HEARTH_OK) {
		res->ids[0] = *id;
		res->n = 1;
		res->has_series = hearth_cw_id(hearth_record_field(r, "series"), &res->series);
	}
out:
	st = hearth_cw_end(s, &tx, st);
	if (st == HEARTH_OK || (st == HEARTH_ESTATE && res != NULL && res->nconflicts > 0)) {
		if (st != HEARTH_OK)
			res->n = 0;
		*out = res;
	} else {
		hearth_appt_result_free(res);
	}
	hearth_record_free(r);
	free(c.v);
	booked_set_release(&b);
	return st;
}

typedef struct series_ctx {
	int after;        /* cancel occurrences with seq greater than this */
	hearth_id *ids;   /* collected first: no writes while reading */
	size_t n, cap;
} series_ctx;

static hearth_status collect_rest(const hearth_cw_rec *r, void *vctx)
{
	series_ctx *c = vctx;
	const char *status = hearth_cw_get(r, "status");

	if (status == NULL || strcmp(status, "booked") != 0 ||
	    hearth_cw_int(hearth_cw_get(r, "seq"), 0) <= c->after)
		return HEARTH_OK;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		hearth_id *v = realloc(c->ids, cap * sizeof *v);

		if (v == NULL)
			return hearth_fail(HEARTH_ENOMEM, "out of memory cancelling a series");
		c->ids = v;
		c->cap = cap;
	}
	c->ids[c->n++] = r->id;
	return HEARTH_OK;
}

hearth_status hearth_appt_cancel(hearth_store *s, const hearth_id *id,
				 int rest_of_series, size_t *n_cancelled)
{
	hearth_record *r = NULL;
	series_ctx c;
	hearth_cw_tx tx;
	hearth_status st;
	const char *series;
	size_t i, done = 0;

	if (s == NULL || id == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or appointment given");
	memset(&c, 0, sizeof c);
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = load_booked_appt(s, id, &r);
	if (st != HEARTH_OK)
		goto out;
	st = hearth_record_set(s, id, "status", "cancelled");
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "appt.cancel", id, NULL);
	if (st != HEARTH_OK)
		goto out;
	done = 1;
	series = hearth_record_field(r, "series");
	if (rest_of_series && series != NULL && series[0] != '\0') {
		c.after = hearth_cw_int(hearth_record_field(r, "seq"), 0);
		st = hearth_cw_select_eq(s, "appointment", "series", series, collect_rest, &c);
		for (i = 0; i < c.n && st == HEARTH_OK; i++) {
			st = hearth_record_set(s, &c.ids[i], "status", "cancelled");
			if (st == HEARTH_OK)
				st = hearth_audit_append(s, "appt.cancel", &c.ids[i], "series");
			if (st == HEARTH_OK)
				done++;
		}
	}
out:
	hearth_record_free(r);
	st = hearth_cw_end(s, &tx, st);
	free(c.ids);
	if (n_cancelled != NULL)
		*n_cancelled = st == HEARTH_OK ? done : 0;
	return st;
}

/* Marks a booked appointment held; with today non-NULL, only once its
 * date has come. */
static hearth_status appt_done(hearth_store *s, const hearth_id *id,
			       const char *today)
{
	hearth_record *r = NULL;
	hearth_cw_tx tx;
	hearth_status st;
	int64_t at;
	int32_t now = 0;
	char when[HEARTH_DATETIME_LEN + 1];

	if (s == NULL || id == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or appointment given");
	if (today != NULL && (st = hearth_date_parse(today, &now)) != HEARTH_OK)
		return st;
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = load_booked_appt(s, id, &r);
	if (st != HEARTH_OK)
		goto out;
	/* Dates, not times: a session later today may be recorded as held
	 * once it is over, and no clock is read here.  A start that cannot
	 * be read cannot be judged, and is let through. */
	if (today != NULL && hearth_datetime_parse(hearth_cw_field(r, "at"), &at) == HEARTH_OK &&
	    hearth_datetime_day(at) > now) {
		hearth_datetime_format(at, when);
		st = hearth_fail(HEARTH_ESTATE, "appointment on %s has not happened yet", when);
		goto out;
	}
	hearth_errdetail_clear();
	st = hearth_record_set(s, id, "status", "done");
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "appt.done", id, NULL);
out:
	hearth_record_free(r);
	return hearth_cw_end(s, &tx, st);
}

hearth_status hearth_appt_done(hearth_store *s, const hearth_id *id)
{
	return appt_done(s, id, NULL);
}

hearth_status hearth_appt_mark_done(hearth_store *s, const hearth_id *id,
				    const char *today)
{
	hearth_status st = hearth_cw_today(today, NULL);

	if (st != HEARTH_OK)
		return st;
	return appt_done(s, id, today);
}

hearth_status hearth_appt_noshow(hearth_store *s, const hearth_id *id,
				 const char *today, hearth_id *followup)
{
	hearth_record *r = NULL;
	hearth_followup_new f;
	hearth_id fid;
	hearth_cw_tx tx;
	hearth_status st;
	int64_t at;
	int32_t now, due;
	char due_s[HEARTH_DATE_LEN + 1];

	if (s == NULL || id == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or appointment given");
	st = hearth_cw_today(today, &now);
	if (st != HEARTH_OK)
		return st;
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = load_booked_appt(s, id, &r);
	if (st != HEARTH_OK)
		goto out;
	if (hearth_datetime_parse(hearth_cw_field(r, "at"), &at) != HEARTH_OK) {
		hearth_errdetail_clear();
		due = now;
	} else {
		due = hearth_datetime_day(at) + 1;
		if (due < now)
			due = now;
	}
	hearth_date_format(due, due_s);
	memset(&f, 0, sizeof f);
	if (!hearth_cw_id(hearth_record_field(r, "person"), &f.person)) {
		st = hearth_fail(HEARTH_EDAMAGED, "appointment has no person");
		goto out;
	}
	/* An appointment made for a moved person's original by a device
	 * that had not heard of the move: the follow-up is the copy's. */
	if ((st = hearth_cw_person_live(s, &f.person, &f.person)) != HEARTH_OK)
		goto out;
	f.due = due_s;
	/* The code and the appointment's time; "no-show DATE" is written
	 * in the reader's language when shown. */
	f.reason_code = "noshow";
	f.reason_at = hearth_cw_field(r, "at")[0] ? hearth_cw_field(r, "at") : "?";
	f.priority = "normal";
	f.source = "noshow";
	f.origin = id;
	st = hearth_record_set(s, id, "status", "noshow");
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "appt.noshow", id, NULL);
	if (st == HEARTH_OK)
		st = hearth_cw_followup_add_locked(s, &f, today, &fid);
	if (st == HEARTH_OK)
		st = hearth_cw_set_id(s, id, "followup", &fid);
	if (st == HEARTH_OK && followup != NULL)
		*followup = fid;
out:
	hearth_record_free(r);
	return hearth_cw_end(s, &tx, st);
}

/* ---- listing ----------------------------------------------------------- */

typedef struct appt_list_ctx {
	int32_t from, to;
	hearth_cw_people *people; /* NULL: each item's person is looked up
				   * later (person_name NULL until then) */
	const char *status;  /* only this status, or NULL */
	hearth_cw_list list; /* of hearth_appt_item */
	int bare;            /* only id, person and start (for a count) */
} appt_list_ctx;

void hearth_cw_appt_item_release(hearth_appt_item *it)
{
	free(it->person_name);
	free(it->mode);
	free(it->place);
	free(it->counsellor);
	free(it->status);
}

static void appt_item_release(void *it)
{
	hearth_cw_appt_item_release(it);
}

static hearth_status appt_collect(const hearth_cw_rec *r, void *vctx)
{
	appt_list_ctx *c = vctx;
	hearth_appt_item it;
	const char *status = hearth_cw_get(r, "status");
	int64_t at;
	int32_t day;
	int live;

	if (c->status != NULL && (status == NULL || strcmp(status, c->status) != 0))
		return HEARTH_OK;
	if (hearth_datetime_parse(hearth_cw_get(r, "at"), &at) != HEARTH_OK) {
		hearth_errdetail_clear();
		return HEARTH_OK;
	}
	day = hearth_datetime_day(at);
	if (day < c->from || day > c->to)
		return HEARTH_OK;
	memset(&it, 0, sizeof it);
	if (!hearth_cw_id(hearth_cw_get(r, "person"), &it.person))
		return HEARTH_OK;
	if (c->people != NULL) {
		/* A moved person's original resolves to its copy. */
		live = hearth_cw_people_get(c->people, &it.person, &it.person_name,
					    &it.person);
		if (live < 0)
			return hearth_fail(HEARTH_ENOMEM,
					   "cannot read the person of an appointment");
		if (live == 0)
			return HEARTH_OK;
	}
	it.id = r->id;
	hearth_datetime_format(at, it.at);
	if (c->bare) {
		if (hearth_cw_list_push(&c->list, &it, &r->created) != 0)
			return hearth_fail(HEARTH_ENOMEM, "out of memory listing appointments");
		return HEARTH_OK;
	}
	it.minutes = hearth_cw_int(hearth_cw_get(r, "minutes"), HEARTH_APPT_DEFAULT_MINUTES);
	it.mode = hearth_cw_strdup(hearth_cw_get(r, "mode"));
	it.place = hearth_cw_strdup(hearth_cw_get(r, "place"));
	it.counsellor = hearth_cw_strdup(hearth_cw_get(r, "counsellor"));
	it.status = hearth_cw_strdup(status);
	it.has_series = hearth_cw_id(hearth_cw_get(r, "series"), &it.series);
	it.seq = it.has_series ? hearth_cw_int(hearth_cw_get(r, "seq"), 0) : 0;
	if (!it.mode || !it.place || !it.counsellor || !it.status ||
	    hearth_cw_list_push(&c->list, &it, &r->created) != 0) {
		hearth_cw_appt_item_release(&it);
		return hearth_fail(HEARTH_ENOMEM, "out of memory listing appointments");
	}
	return HEARTH_OK;
}

/* By start, then creation. */
static int appt_cmp(const void *pa, const hearth_hlc *ca, const void *pb,
		    const hearth_hlc *cb)
{
	const hearth_appt_item *a = pa, *b = pb;
	int c = strcmp(a->at, b->at);

	if (c != 0)
		return c;
	return hearth_hlc_cmp(ca, cb);
}

void hearth_appts_free(hearth_appts *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		hearth_cw_appt_item_release(&l->items[i]);
	free(l->items);
	free(l);
}

/* Moves the items collected into a new list for the caller, ordered by
 * appt_cmp. */
static hearth_status appts_take(appt_list_ctx *c, hearth_appts **out)
{
	hearth_appts *l = calloc(1, sizeof *l);

	if (l == NULL || (l->items = hearth_cw_list_take(&c->list, appt_cmp, &l->n)) == NULL) {
		free(l);
		return hearth_fail(HEARTH_ENOMEM, "out of memory listing appointments");
	}
	*out = l;
	return HEARTH_OK;
}

hearth_status hearth_cw_appt_list(hearth_store *s, const char *from,
				  const char *to, const hearth_id *person,
				  const char *status, hearth_appts **out)
{
	char hi[HEARTH_DATE_LEN + 1];
	hearth_cw_aliases al = { 0 };
	hearth_cw_filter f[2];
	size_t nf = 0;
	appt_list_ctx c;
	hearth_status st;

	if (out == NULL || s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or output given");
	*out = NULL;
	memset(&c, 0, sizeof c);
	hearth_cw_list_init(&c.list, sizeof(hearth_appt_item), appt_item_release);
	c.from = INT32_MIN;
	c.to = INT32_MAX;
	c.status = status;
	if (from != NULL && (st = hearth_date_parse(from, &c.from)) != HEARTH_OK)
		return st;
	if (to != NULL && (st = hearth_date_parse(to, &c.to)) != HEARTH_OK)
		return st;
	if (person != NULL && (st = hearth_person_check(s, person)) != HEARTH_OK)
		return st;
	st = hearth_cw_people_open(s, &c.people);
	if (st != HEARTH_OK)
		return st;
	/* The most selective condition first: the person, then the dates
	 * (date-times sort as text, and a date sorts before every time of
	 * its day), then the status. */
	memset(f, 0, sizeof f);
	if (person != NULL) {
		/* With those made for a moved original of theirs
		 * (casework_private.h). */
		if ((st = hearth_cw_person_aliases(s, person, &al)) != HEARTH_OK) {
			hearth_cw_people_close(c.people);
			return st;
		}
		f[nf].field = "person";
		f[nf].values = al.v;
		f[nf++].nvalues = al.n;
	}
	if (from != NULL || to != NULL) {
		f[nf].field = "at";
		f[nf].lo = from;
		if (to != NULL) {
			hearth_date_format(c.to + 1, hi);
			f[nf].hi = hi;
		}
		nf++;
	}
	if (status != NULL && nf < 2) {
		f[nf].field = "status";
		f[nf].values = &status;
		f[nf++].nvalues = 1;
	}
	st = hearth_cw_select(s, "appointment", f, nf, appt_collect, &c);
	if (st == HEARTH_OK)
		st = appts_take(&c, out);
	hearth_cw_list_release(&c.list);
	hearth_cw_people_close(c.people);
	hearth_cw_aliases_release(&al);
	return st;
}

hearth_status hearth_appt_list(hearth_store *s, const char *from,
			       const char *to, const hearth_id *person,
			       hearth_appts **out)
{
	return hearth_cw_appt_list(s, from, to, person, NULL, out);
}

/* ---- appointments picked out by id -------------------------------------- */

hearth_status hearth_cw_appt_by_refs(hearth_store *s, const hearth_cw_ref *refs, size_t n,
				     const char *status, hearth_appts **out,
				     size_t *count)
{
	appt_list_ctx c;
	hearth_status st;

	if (out != NULL)
		*out = NULL;
	if (count != NULL)
		*count = 0;
	memset(&c, 0, sizeof c);
	hearth_cw_list_init(&c.list, sizeof(hearth_appt_item), appt_item_release);
	c.from = INT32_MIN;
	c.to = INT32_MAX;
	c.status = status;
	c.bare = out == NULL;
	/* The caller found them live, in this transaction: only their
	 * fields are read. */
	st = hearth_cw_read_refs(s, NULL, refs, n, appt_collect, &c);
	/* A count needs no names. */
	if (st == HEARTH_OK)
		st = hearth_cw_list_people(s, &c.list, offsetof(hearth_appt_item, person),
					   offsetof(hearth_appt_item, person_name),
					   HEARTH_CW_PEOPLE_AUTO, !c.bare);
	if (st == HEARTH_OK && count != NULL)
		*count = c.list.n;
	if (st == HEARTH_OK && out != NULL)
		st = appts_take(&c, out);
	hearth_cw_list_release(&c.list);
	return st;
}
