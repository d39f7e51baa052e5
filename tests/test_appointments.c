/*
 * test_appointments.c - appointments: booking one or a weekly series, the
 * conflict rules (same counsellor, person or place) and a brute-force
 * reference they are checked against on random data, bad input that writes
 * nothing, a no-show's reach-out follow-up, and held only once its day has
 * come.
 *
 * Suite 'appointments'.  Each test gets a fresh store on a plain SQLite file
 * in a temporary directory (testutil.h).  The seed is printed;
 * HEARTH_TEST_SEED repeats a run.
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
#include <unistd.h>

#include <cmocka.h>

#include "hearth/appointment.h"
#include "hearth/followup.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#include "testutil.h"

/* ---- appointments ------------------------------------------------------ */

static void test_series_conflict_week3(void **state)
{
	fixture *f = *state;
	hearth_id wang = add_person(f->s, "王芳");
	hearth_id zhao = add_person(f->s, "赵强");
	hearth_appt_result *other, *r = NULL;
	hearth_appts *l = NULL;
	hearth_appt_new a;
	size_t n, i, booked = 0, cancelled = 0;

	/* Another client with the same counsellor, in week 3 only. */
	other = book(f->s, &zhao, "2026-12-14 10:30", "Li", "Room 2");

	memset(&a, 0, sizeof a);
	a.person = wang;
	a.at = "2026-11-30 10:00";
	a.counsellor = "Li";
	a.place = "Room 1";
	a.repeat = "weekly";
	a.count = 6;
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_OK);
	assert_int_equal(r->n, 6);
	assert_true(r->has_series);
	assert_string_equal(r->at[0], "2026-11-30 10:00");
	assert_string_equal(r->at[2], "2026-12-14 10:00");
	assert_string_equal(r->at[5], "2027-01-04 10:00");
	/* Exactly one conflict: that date, that rule, that appointment. */
	assert_int_equal(r->nconflicts, 1);
	assert_string_equal(r->conflicts[0].at, "2026-12-14 10:00");
	assert_int_equal(r->conflicts[0].seq, 3);
	assert_string_equal(r->conflicts[0].rule, "counsellor");
	assert_true(hearth_id_equal(&r->conflicts[0].other, &other->ids[0]));
	assert_string_equal(r->conflicts[0].other_at, "2026-12-14 10:30");
	assert_int_equal(count_audit(f->s, "appt.add"), 7);

	/* Cancelling that one occurrence keeps the rest. */
	assert_int_equal(hearth_appt_cancel(f->s, &r->ids[2], 0, &n), HEARTH_OK);
	assert_int_equal(n, 1);
	assert_int_equal(hearth_appt_list(f->s, NULL, NULL, &wang, &l), HEARTH_OK);
	assert_int_equal(l->n, 6);
	for (i = 0; i < l->n; i++) {
		assert_true(hearth_id_equal(&l->items[i].id, &r->ids[i]));
		assert_int_equal(l->items[i].seq, (int)i + 1);
		assert_true(hearth_id_equal(&l->items[i].series, &r->series));
		if (strcmp(l->items[i].status, "booked") == 0)
			booked++;
		else if (strcmp(l->items[i].status, "cancelled") == 0)
			cancelled++;
	}
	assert_int_equal(booked, 5);
	assert_int_equal(cancelled, 1);
	assert_string_equal(l->items[2].status, "cancelled");
	assert_string_equal(l->items[2].person_name, "王芳");
	hearth_appts_free(l);

	/* The cancelled slot no longer conflicts with a new booking. */
	hearth_appt_result_free(other);
	memset(&a, 0, sizeof a);
	a.person = zhao;
	a.at = "2026-12-14 10:00";
	a.counsellor = "Li";
	a.strict = 1;
	other = NULL;
	assert_int_equal(hearth_appt_add(f->s, &a, &other), HEARTH_ESTATE);
	/* ... but zhao's own 10:30 does (same person). */
	assert_non_null(other);
	assert_int_equal(other->n, 0);
	assert_int_equal(other->nconflicts, 2);
	assert_string_equal(other->conflicts[0].rule, "counsellor");
	assert_string_equal(other->conflicts[1].rule, "person");
	hearth_appt_result_free(other);
	hearth_appt_result_free(r);
}

static void test_strict_writes_nothing(void **state)
{
	fixture *f = *state;
	hearth_id a1 = add_person(f->s, "A");
	hearth_id a2 = add_person(f->s, "B");
	hearth_appt_result *first, *r = NULL;
	hearth_appt_new a;
	size_t before, audit_before;

	first = book(f->s, &a1, "2026-12-21 14:00", "Chen", "Room 3");
	before = count_kind(f->s, "appointment");
	audit_before = count_audit(f->s, "appt.add");

	memset(&a, 0, sizeof a);
	a.person = a2;
	a.at = "2026-12-07 14:30";
	a.place = "room 3 "; /* the same room, written differently */
	a.repeat = "weekly";
	a.count = 4;
	a.strict = 1;
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_ESTATE);
	assert_non_null(r);
	assert_int_equal(r->n, 0);
	assert_int_equal(r->nconflicts, 1);
	assert_string_equal(r->conflicts[0].at, "2026-12-21 14:30");
	assert_string_equal(r->conflicts[0].rule, "place");
	assert_int_equal(count_kind(f->s, "appointment"), before);
	assert_int_equal(count_audit(f->s, "appt.add"), audit_before);
	hearth_appt_result_free(r);

	/* Without strict the same series is written, with the warning. */
	a.strict = 0;
	r = NULL;
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_OK);
	assert_int_equal(r->n, 4);
	assert_int_equal(r->nconflicts, 1);
	assert_int_equal(count_kind(f->s, "appointment"), before + 4);
	hearth_appt_result_free(r);
	hearth_appt_result_free(first);
}

static void test_conflict_rules(void **state)
{
	fixture *f = *state;
	hearth_id p1 = add_person(f->s, "P1");
	hearth_id p2 = add_person(f->s, "P2");
	hearth_appt_result *base, *r;
	hearth_appt_new a;

	base = book(f->s, &p1, "2026-12-01 09:00", "Li", "Room 1"); /* 09:00-09:50 */

	/* Touching ends do not overlap. */
	r = book(f->s, &p1, "2026-12-01 09:50", "Li", "Room 1");
	assert_int_equal(r->nconflicts, 0);
	hearth_appt_result_free(r);
	/* Different counsellor, place and person: no conflict. */
	r = book(f->s, &p2, "2026-12-01 09:10", "Wu", "Room 9");
	assert_int_equal(r->nconflicts, 0);
	hearth_appt_result_free(r);
	/* Same person only. */
	memset(&a, 0, sizeof a);
	a.person = p1;
	a.at = "2026-12-01 08:30";
	a.minutes = 45;
	a.mode = "phone";
	r = NULL;
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_OK);
	assert_int_equal(r->nconflicts, 1);
	assert_string_equal(r->conflicts[0].rule, "person");
	assert_true(hearth_id_equal(&r->conflicts[0].other, &base->ids[0]));
	/* A cancelled appointment conflicts with nothing. */
	assert_int_equal(hearth_appt_cancel(f->s, &r->ids[0], 0, NULL), HEARTH_OK);
	hearth_appt_result_free(r);
	r = book(f->s, &p1, "2026-12-01 08:00", "Zhou", "Room 7");
	assert_int_equal(r->nconflicts, 0);
	hearth_appt_result_free(r);

	/* Moving re-checks conflicts, excluding the appointment itself. */
	r = NULL;
	assert_int_equal(hearth_appt_move(f->s, &base->ids[0], "2026-12-01 09:20", 0, &r),
			 HEARTH_OK);
	/* Overlaps p1's own 09:50 (person, counsellor, place) and p2's 09:10
	 * with Wu in Room 9 (nothing shared). */
	assert_int_equal(r->nconflicts, 3);
	assert_string_equal(r->conflicts[0].rule, "counsellor");
	assert_string_equal(r->conflicts[1].rule, "person");
	assert_string_equal(r->conflicts[2].rule, "place");
	hearth_appt_result_free(r);
	r = NULL;
	assert_int_equal(hearth_appt_move(f->s, &base->ids[0], "2026-12-01 09:40", 1, &r),
			 HEARTH_ESTATE);
	hearth_appt_result_free(r);
	{
		char fbuf[64];

		assert_string_equal(FIELD(f->s, &base->ids[0], "at"), "2026-12-01 09:20");
	}
	hearth_appt_result_free(base);
}

static void test_series_until_and_rest(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_appt_result *r = NULL;
	hearth_appts *l = NULL;
	hearth_appt_new a;
	size_t n, i;

	memset(&a, 0, sizeof a);
	a.person = p;
	a.at = "2026-12-02 15:00";
	a.repeat = "biweekly";
	a.until = "2027-01-27"; /* 12-02, 12-16, 12-30, 01-13, 01-27 */
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_OK);
	assert_int_equal(r->n, 5);
	assert_string_equal(r->at[4], "2027-01-27 15:00");

	/* Held sessions stay; from the 3rd on, the rest of the series goes. */
	assert_int_equal(hearth_appt_done(f->s, &r->ids[0]), HEARTH_OK);
	assert_int_equal(hearth_appt_cancel(f->s, &r->ids[2], 1, &n), HEARTH_OK);
	assert_int_equal(n, 3);
	assert_int_equal(hearth_appt_list(f->s, "2026-12-01", "2027-12-31", NULL, &l), HEARTH_OK);
	assert_int_equal(l->n, 5);
	assert_string_equal(l->items[0].status, "done");
	assert_string_equal(l->items[1].status, "booked");
	for (i = 2; i < 5; i++)
		assert_string_equal(l->items[i].status, "cancelled");
	hearth_appts_free(l);
	/* Date range filter: only December. */
	assert_int_equal(hearth_appt_list(f->s, "2026-12-01", "2026-12-31", NULL, &l), HEARTH_OK);
	assert_int_equal(l->n, 3);
	hearth_appts_free(l);

	/* Not booked any more: cannot be cancelled, held or moved. */
	assert_int_equal(hearth_appt_cancel(f->s, &r->ids[2], 0, NULL), HEARTH_ESTATE);
	assert_int_equal(hearth_appt_done(f->s, &r->ids[0]), HEARTH_ESTATE);
	hearth_appt_result_free(r);
}

static void test_appt_bad_input(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_id nobody = hearth_id_random();
	hearth_appt_result *r = NULL;
	hearth_appt_new a, good;
	size_t before = count_kind(f->s, "appointment");

	memset(&good, 0, sizeof good);
	good.person = p;
	good.at = "2026-12-14 10:00";

	a = good;
	a.at = "2026-12-14 25:00";
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_EINVAL);
	assert_null(r);
	assert_string_equal(hearth_errdetail(),
		"'2026-12-14 25:00' is not a valid date and time: use YYYY-MM-DD HH:MM");
	a = good;
	a.at = "2026-02-30 10:00";
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_EINVAL);
	a = good;
	a.minutes = HEARTH_APPT_MAX_MINUTES + 1;
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_EINVAL);
	a = good;
	a.mode = "telepathy";
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_EINVAL);
	a = good;
	a.repeat = "monthly";
	a.count = 3;
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_EINVAL);
	a = good;
	a.repeat = "weekly";
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_EINVAL); /* no count/until */
	a.count = 3;
	a.until = "2027-01-01";
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_EINVAL); /* both */
	a.count = 0;
	a.until = "2027-02-29";
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_EINVAL);
	a.until = "2026-12-01";
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_EINVAL); /* before start */
	a.until = NULL;
	a.count = (int)HEARTH_APPT_MAX_OCCURRENCES + 1;
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_EINVAL);
	a = good;
	a.count = 3; /* without repeat */
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_EINVAL);
	a = good;
	a.person = nobody;
	assert_int_equal(hearth_appt_add(f->s, &a, &r), HEARTH_ENOTFOUND);
	assert_null(r);
	assert_int_equal(count_kind(f->s, "appointment"), before);
	assert_int_equal(count_audit(f->s, "appt.add"), 0);
}

/* The window of starts the check reads holds at the ends of the calendar
 * too (where formatting a bound would clamp the year). */
static void test_conflicts_calendar_ends(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_id q = add_person(f->s, "Q");
	hearth_appt_result *a, *b;
	hearth_appt_new n;

	a = book(f->s, &p, "9999-12-31 23:30", "Li", NULL);
	memset(&n, 0, sizeof n);
	n.person = q;
	n.at = "9999-12-31 23:00";
	n.minutes = 720; /* would end in the year 10000 */
	n.counsellor = "li";
	b = NULL;
	assert_int_equal(hearth_appt_add(f->s, &n, &b), HEARTH_OK);
	assert_int_equal(b->nconflicts, 1);
	assert_true(hearth_id_equal(&b->conflicts[0].other, &a->ids[0]));
	hearth_appt_result_free(a);
	hearth_appt_result_free(b);

	a = book(f->s, &p, "1900-01-01 00:10", NULL, "Room 1");
	b = book(f->s, &q, "1900-01-01 00:00", NULL, "room 1");
	assert_int_equal(b->nconflicts, 1);
	assert_string_equal(b->conflicts[0].rule, "place");
	hearth_appt_result_free(b);
	b = book(f->s, &q, "1965-06-01 10:00", NULL, "Room 1");
	assert_int_equal(b->nconflicts, 0);
	hearth_appt_result_free(b);
	b = book(f->s, &p, "1965-06-01 09:30", NULL, NULL);
	assert_int_equal(b->nconflicts, 0);
	hearth_appt_result_free(b);
	b = book(f->s, &q, "1965-06-01 09:20", NULL, NULL);
	assert_int_equal(b->nconflicts, 1); /* q's own 10:00 */
	assert_string_equal(b->conflicts[0].rule, "person");
	assert_string_equal(b->conflicts[0].other_at, "1965-06-01 10:00");
	hearth_appt_result_free(b);
	hearth_appt_result_free(a);
}

/* ---- conflicts against a brute-force reference ------------------------- */

/*
 * The conflict check reads only the appointments whose start falls in a
 * window around each occurrence (see core/appointments.c).  This reference
 * reads every appointment whole (hearth_store_each) and applies the rules
 * of hearth/casework.h to each: not cancelled, a start that parses, a
 * length as stored (50 when absent or not a number), overlapping [start,
 * start + minutes), and the same counsellor or place (blanks around and
 * ASCII case ignored, never empty) or the same person.  Random bookings,
 * series, moves, cancellations and damaged records written straight
 * through the store (lengths of 0, -30, 1000 and more, bad starts, other
 * kinds with a start); seeded, HEARTH_TEST_SEED repeats a run.  Every
 * conflict list must equal the reference's, entry for entry.
 */

#define CF_MAX 1500

typedef struct cf_appt {
	hearth_id id;
	char at[48], minutes[24], status[16], person[48], place[24], counsellor[24];
	int has_minutes;
} cf_appt;

typedef struct cf_set {
	cf_appt v[CF_MAX];
	size_t n;
} cf_set;

static void cf_copy(char *dst, size_t size, const hearth_record *r, const char *name)
{
	const char *v = hearth_record_field(r, name);

	assert_true(v == NULL || strlen(v) < size);
	snprintf(dst, size, "%s", v ? v : "");
}

static int cf_collect(const hearth_record *r, void *ctx)
{
	cf_set *set = ctx;
	cf_appt *a;

	assert_true(set->n < CF_MAX);
	a = &set->v[set->n++];
	memset(a, 0, sizeof *a);
	a->id = r->id;
	cf_copy(a->at, sizeof a->at, r, "at");
	cf_copy(a->minutes, sizeof a->minutes, r, "minutes");
	a->has_minutes = hearth_record_field(r, "minutes") != NULL;
	cf_copy(a->status, sizeof a->status, r, "status");
	cf_copy(a->person, sizeof a->person, r, "person");
	cf_copy(a->place, sizeof a->place, r, "place");
	cf_copy(a->counsellor, sizeof a->counsellor, r, "counsellor");
	return 0;
}

/* The same name or place: blanks around and ASCII case ignored, never
 * empty. */
static int cf_same(const char *a, const char *b)
{
	char x[64], y[64];
	size_t i, lx = 0, ly = 0;

	for (; *a == ' ' || *a == '\t'; a++)
		;
	for (; *b == ' ' || *b == '\t'; b++)
		;
	for (i = 0; a[i] && lx < sizeof x - 1; i++)
		x[lx++] = (char)(a[i] >= 'A' && a[i] <= 'Z' ? a[i] - 'A' + 'a' : a[i]);
	for (i = 0; b[i] && ly < sizeof y - 1; i++)
		y[ly++] = (char)(b[i] >= 'A' && b[i] <= 'Z' ? b[i] - 'A' + 'a' : b[i]);
	while (lx > 0 && (x[lx - 1] == ' ' || x[lx - 1] == '\t'))
		lx--;
	while (ly > 0 && (y[ly - 1] == ' ' || y[ly - 1] == '\t'))
		ly--;
	return lx > 0 && lx == ly && memcmp(x, y, lx) == 0;
}

static int cf_rank(const char *rule)
{
	return strcmp(rule, "counsellor") == 0 ? 0 : strcmp(rule, "person") == 0 ? 1 : 2;
}

static int cf_cmp(const hearth_conflict *a, const hearth_conflict *b)
{
	int c = strcmp(a->at, b->at);

	if (c != 0)
		return c;
	if (cf_rank(a->rule) != cf_rank(b->rule))
		return cf_rank(a->rule) - cf_rank(b->rule);
	if ((c = strcmp(a->other_at, b->other_at)) != 0)
		return c;
	return memcmp(a->other.b, b->other.b, HEARTH_ID_BYTES);
}

typedef struct cf_want {
	hearth_conflict v[4 * CF_MAX];
	size_t n;
} cf_want;

static void cf_push(cf_want *w, int64_t start, int seq, const char *rule, const cf_appt *e,
		    int64_t estart)
{
	hearth_conflict c;
	size_t k;

	assert_true(w->n < sizeof w->v / sizeof w->v[0]);
	memset(&c, 0, sizeof c);
	hearth_datetime_format(start, c.at);
	c.seq = seq;
	c.rule = rule;
	c.other = e->id;
	hearth_datetime_format(estart, c.other_at);
	/* Insertion sort: slow and plain. */
	k = w->n++;
	while (k > 0 && cf_cmp(&w->v[k - 1], &c) > 0) {
		w->v[k] = w->v[k - 1];
		k--;
	}
	w->v[k] = c;
}

/* The conflicts of one occurrence, by the rules, added to w. */
static void cf_occurrence(const cf_set *set, const hearth_id *skip, int64_t start,
			  int minutes, int seq, const char *person, const char *place,
			  const char *counsellor, cf_want *w)
{
	for (size_t i = 0; i < set->n; i++) {
		const cf_appt *e = &set->v[i];
		int64_t es;
		int em;

		if (strcmp(e->status, "cancelled") == 0)
			continue;
		if (skip != NULL && hearth_id_equal(skip, &e->id))
			continue;
		if (hearth_datetime_parse(e->at, &es) != HEARTH_OK)
			continue;
		em = stored_int(e->minutes, e->has_minutes, HEARTH_APPT_DEFAULT_MINUTES);
		if (!(start < es + em && es < start + minutes))
			continue;
		if (cf_same(counsellor, e->counsellor))
			cf_push(w, start, seq, "counsellor", e, es);
		if (strcmp(person, e->person) == 0)
			cf_push(w, start, seq, "person", e, es);
		if (cf_same(place, e->place))
			cf_push(w, start, seq, "place", e, es);
	}
}

#define CF_CHECK(cond, ...) do { \
		if (!(cond)) { \
			print_error("seed %u: step %d (%s), conflict %zu: ", run_seed, step, what, i); \
			print_error(__VA_ARGS__); \
			print_error("\n"); \
			fail(); \
		} \
	} while (0)

static void cf_compare(const hearth_appt_result *r, const cf_want *w, int step,
		       const char *what)
{
	size_t i = 0;

	CF_CHECK(r->nconflicts == w->n, "%zu conflicts, the reference has %zu",
		 r->nconflicts, w->n);
	for (i = 0; i < w->n; i++) {
		const hearth_conflict *a = &r->conflicts[i], *b = &w->v[i];

		CF_CHECK(strcmp(a->at, b->at) == 0, "at %s, want %s", a->at, b->at);
		CF_CHECK(a->seq == b->seq, "seq %d, want %d", a->seq, b->seq);
		CF_CHECK(strcmp(a->rule, b->rule) == 0, "rule %s, want %s", a->rule, b->rule);
		CF_CHECK(hearth_id_equal(&a->other, &b->other), "another appointment");
		CF_CHECK(strcmp(a->other_at, b->other_at) == 0, "other at %s, want %s",
			 a->other_at, b->other_at);
	}
}

/* A damaged or odd record: an appointment written by hand or by another
 * tool, or a record of another kind with appointment fields. */
static void cf_write_odd(hearth_store *s, const hearth_id *people, int npeople, int late)
{
	static const char *const minutes[] = { NULL, "", "abc", "0", "-30", "1000", "719",
					       "99999999999999", "2147483647" };
	static const char *const statuses[] = { NULL, "booked", "cancelled", "CANCELLED",
						"done", "noshow" };
	static const char *const names[] = { "Li", " li\t", "Wu", "", "Room 1", "room 1 " };
	char hex[HEARTH_ID_HEX + 1], at[32];
	hearth_id id;
	uint32_t r = run_rnd(100);

	assert_int_equal(hearth_record_create(s, NULL, r < 85 ? "appointment" : "activity", &id),
			 HEARTH_OK);
	snprintf(at, sizeof at, "2026-06-%02u %02u:%02u", 1 + run_rnd(28), 8 + run_rnd(12),
		 10 * run_rnd(6));
	r = run_rnd(100);
	if (r < 5)
		snprintf(at, sizeof at, "2026-06-10");
	else if (r < 8)
		snprintf(at, sizeof at, "2026-06-10 10:00x");
	else if (r < 10)
		snprintf(at, sizeof at, "2026-06-10 9:00");
	if (r < 10 || r >= 12)
		assert_int_equal(hearth_record_set(s, &id, "at", at), HEARTH_OK);
	/* The widest lengths only late, so most of the run keeps a narrow
	 * window. */
	r = run_rnd(late ? 9 : 7);
	if (minutes[r] != NULL)
		assert_int_equal(hearth_record_set(s, &id, "minutes", minutes[r]), HEARTH_OK);
	r = run_rnd(6);
	if (statuses[r] != NULL)
		assert_int_equal(hearth_record_set(s, &id, "status", statuses[r]), HEARTH_OK);
	r = run_rnd(10);
	if (r < 8) {
		hearth_id_to_hex(&people[run_rnd((uint32_t)npeople)], hex);
		if (r == 0)
			hex[0] = 'A'; /* not how ids are written: another person */
		assert_int_equal(hearth_record_set(s, &id, "person", hex), HEARTH_OK);
	}
	if (run_rnd(3) != 0)
		assert_int_equal(hearth_record_set(s, &id, "counsellor",
						   names[run_rnd(6)]), HEARTH_OK);
	if (run_rnd(3) != 0)
		assert_int_equal(hearth_record_set(s, &id, "place", names[run_rnd(6)]), HEARTH_OK);
	if (run_rnd(12) == 0)
		assert_int_equal(hearth_record_delete(s, &id), HEARTH_OK);
}

static void test_conflicts_match_reference(void **state)
{
	static const char *const counsellors[] = { "Li", "li ", " LI", "Wu", "王老师", "", "  " };
	static const char *const places[] = { "Room 1", "room 1 ", "Room 2", "\tROOM 2", "电话",
					      "", NULL };
	static const int lengths[] = { 50, 50, 50, 30, 90, 1, 720, 0 };
	static cf_set set;
	static cf_want want;
	fixture *f = *state;
	hearth_id people[10], booked[CF_MAX];
	size_t nbooked = 0, total = 0;
	char name[16];
	int step;

	seed_run("conflicts", 0x2545F4914F6CDD1DULL);
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "P%d", i);
		people[i] = add_person(f->s, name);
	}
	for (step = 0; step < 400; step++) {
		uint32_t op = run_rnd(100);
		hearth_appt_result *r = NULL;
		const char *what;

		set.n = 0;
		want.n = 0;
		assert_int_equal(hearth_store_each(f->s, "appointment", 0, cf_collect, &set),
				 HEARTH_OK);
		if (op < 65) {
			hearth_appt_new a;
			char at[HEARTH_DATETIME_LEN + 1], hex[HEARTH_ID_HEX + 1];
			int64_t start;
			int n = 1, days = 7, strict = run_rnd(3) != 0;
			hearth_status st;

			what = "book";
			memset(&a, 0, sizeof a);
			a.person = people[run_rnd(10)];
			start = (int64_t)(20605 + (int)run_rnd(21)) * HEARTH_MINUTES_PER_DAY +
				8 * 60 + 10 * (int)run_rnd(72); /* 2026-06-01 and on, 8:00-19:50 */
			hearth_datetime_format(start, at);
			a.at = at;
			a.minutes = lengths[run_rnd(8)];
			if (run_rnd(4) == 0)
				a.minutes = 1 + (int)run_rnd(HEARTH_APPT_MAX_MINUTES);
			a.counsellor = counsellors[run_rnd(7)];
			a.place = places[run_rnd(7)];
			if (run_rnd(3) == 0) {
				days = run_rnd(2) ? 7 : 14;
				a.repeat = days == 7 ? "weekly" : "biweekly";
				a.count = n = 1 + (int)run_rnd(4);
			}
			a.strict = strict;
			hearth_id_to_hex(&a.person, hex);
			for (int k = 0; k < n; k++)
				cf_occurrence(&set, NULL, start + (int64_t)k * days * HEARTH_MINUTES_PER_DAY,
					      a.minutes ? a.minutes : HEARTH_APPT_DEFAULT_MINUTES, k + 1,
					      hex, a.place ? a.place : "", a.counsellor, &want);
			st = hearth_appt_add(f->s, &a, &r);
			if (strict && want.n > 0) {
				assert_int_equal(st, HEARTH_ESTATE);
				assert_int_equal(r->n, 0);
			} else {
				assert_int_equal(st, HEARTH_OK);
				assert_int_equal(r->n, (size_t)n);
				for (size_t k = 0; k < r->n && nbooked < CF_MAX; k++)
					booked[nbooked++] = r->ids[k];
			}
			cf_compare(r, &want, step, what);
		} else if (op < 80 && nbooked > 0) {
			hearth_id id = booked[run_rnd((uint32_t)nbooked)];
			hearth_record *rec = NULL;
			char at[HEARTH_DATETIME_LEN + 1], fbuf[64];
			int64_t start;
			int strict = run_rnd(2), minutes, seq;
			hearth_status st;

			what = "move";
			start = (int64_t)(20605 + (int)run_rnd(35)) * HEARTH_MINUTES_PER_DAY +
				8 * 60 + 10 * (int)run_rnd(72);
			hearth_datetime_format(start, at);
			assert_int_equal(hearth_record_load(f->s, &id, &rec), HEARTH_OK);
			if (strcmp(hearth_record_field(rec, "status"), "booked") != 0) {
				assert_int_equal(hearth_appt_move(f->s, &id, at, strict, &r),
						 HEARTH_ESTATE);
				assert_null(r);
				hearth_record_free(rec);
				continue;
			}
			minutes = stored_int(hearth_record_field(rec, "minutes") ?
					 hearth_record_field(rec, "minutes") : "",
					 hearth_record_field(rec, "minutes") != NULL,
					 HEARTH_APPT_DEFAULT_MINUTES);
			seq = stored_int(hearth_record_field(rec, "seq") ? hearth_record_field(rec, "seq") : "",
				     hearth_record_field(rec, "seq") != NULL, 1);
			st = hearth_appt_move(f->s, &id, at, strict, &r);
			cf_occurrence(&set, &id, start, minutes, seq,
				      hearth_record_field(rec, "person"),
				      hearth_record_field(rec, "place") ?
					      hearth_record_field(rec, "place") : "",
				      hearth_record_field(rec, "counsellor") ?
					      hearth_record_field(rec, "counsellor") : "", &want);
			hearth_record_free(rec);
			if (strict && want.n > 0) {
				assert_int_equal(st, HEARTH_ESTATE);
				assert_int_equal(r->n, 0);
			} else {
				assert_int_equal(st, HEARTH_OK);
				assert_int_equal(r->n, 1);
				assert_string_equal(FIELD(f->s, &id, "at"), at);
			}
			cf_compare(r, &want, step, what);
		} else if (op < 88 && nbooked > 0) {
			/* Cancelled ones conflict with nothing; held ones still do. */
			hearth_id id = booked[run_rnd((uint32_t)nbooked)];
			hearth_status st = run_rnd(2) ? hearth_appt_cancel(f->s, &id, run_rnd(2), NULL)
						     : hearth_appt_done(f->s, &id);

			assert_true(st == HEARTH_OK || st == HEARTH_ESTATE);
			continue;
		} else {
			cf_write_odd(f->s, people, 10, step > 300);
			continue;
		}
		total += want.n;
		hearth_appt_result_free(r);
	}
	/* The run was busy enough to mean something. */
	print_message("conflicts: %zu found over %zu appointments\n", total, set.n);
	assert_true(total > 100);
}

static void test_noshow_reachout(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "刘伟");
	hearth_appt_result *r = book(f->s, &p, "2026-12-14 16:00", "Li", NULL);
	hearth_followups *l = NULL;
	hearth_id fu;
	char fbuf[64];

	assert_int_equal(hearth_appt_noshow(f->s, &r->ids[0], "2026-12-14", &fu), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &r->ids[0], "status"), "noshow");
	assert_string_equal(FIELD(f->s, &fu, "due"), "2026-12-15");
	assert_string_equal(FIELD(f->s, &fu, "priority"), "normal");
	assert_string_equal(FIELD(f->s, &fu, "source"), "noshow");
	assert_string_equal(FIELD(f->s, &fu, "status"), "open");
	assert_string_equal(FIELD(f->s, &fu, "safety"), "");
	assert_int_equal(hearth_followup_list(f->s, HEARTH_FOLLOWUPS_PENDING, &p,
					      "2026-12-14", &l), HEARTH_OK);
	assert_int_equal(l->n, 1);
	assert_true(hearth_id_equal(&l->items[0].id, &fu));
	assert_string_equal(l->items[0].person_name, "刘伟");
	hearth_followups_free(l);
	/* A second no-show of the same booking is refused. */
	assert_int_equal(hearth_appt_noshow(f->s, &r->ids[0], "2026-12-14", NULL), HEARTH_ESTATE);
	assert_int_equal(count_kind(f->s, "followup"), 1);
	hearth_appt_result_free(r);

	/* Marked late: the reach-out is due today, not in the past. */
	r = book(f->s, &p, "2026-12-01 16:00", NULL, NULL);
	assert_int_equal(hearth_appt_noshow(f->s, &r->ids[0], "2026-12-14", &fu), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &fu, "due"), "2026-12-14");
	hearth_appt_result_free(r);
}

/* ---- appointments: held only once their day has come --------------------- */

static void test_appt_done_waits_for_its_day(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_appt_result *later = book(f->s, &p, "2026-12-28 10:00", NULL, NULL);
	hearth_appt_result *tonight = book(f->s, &p, "2026-12-14 23:00", NULL, NULL);
	hearth_appt_result *past = book(f->s, &p, "2026-12-01 09:00", NULL, NULL);
	size_t ops;
	char fbuf[64];

	ops = count_ops(f->s);
	assert_int_equal(hearth_appt_mark_done(f->s, &later->ids[0], "2026-12-14"), HEARTH_ESTATE);
	assert_string_equal(hearth_errdetail(),
			    "appointment on 2026-12-28 10:00 has not happened yet");
	/* The day before is still too early. */
	assert_int_equal(hearth_appt_mark_done(f->s, &later->ids[0], "2026-12-27"), HEARTH_ESTATE);
	assert_string_equal(FIELD(f->s, &later->ids[0], "status"), "booked");
	assert_int_equal(count_audit(f->s, "appt.done"), 0);
	assert_int_equal(count_ops(f->s), ops);

	/* today is required and checked. */
	assert_int_equal(hearth_appt_mark_done(f->s, &later->ids[0], NULL), HEARTH_EINVAL);
	assert_int_equal(hearth_appt_mark_done(f->s, &later->ids[0], "2026-12-32"), HEARTH_EINVAL);

	/* The same day counts, whatever the time; so does any day after. */
	assert_int_equal(hearth_appt_mark_done(f->s, &tonight->ids[0], "2026-12-14"), HEARTH_OK);
	assert_int_equal(hearth_appt_mark_done(f->s, &past->ids[0], "2026-12-14"), HEARTH_OK);
	assert_int_equal(hearth_appt_mark_done(f->s, &later->ids[0], "2026-12-28"), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &later->ids[0], "status"), "done");
	assert_int_equal(count_audit(f->s, "appt.done"), 3);

	/* Not booked any more: that is what it says, whatever the date. */
	assert_int_equal(hearth_appt_mark_done(f->s, &later->ids[0], "2026-12-01"), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), "not booked"));
	hearth_appt_result_free(later);
	hearth_appt_result_free(tonight);
	hearth_appt_result_free(past);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_series_conflict_week3, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_strict_writes_nothing, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_conflict_rules, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_series_until_and_rest, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_appt_bad_input, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_conflicts_calendar_ends, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_conflicts_match_reference, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_noshow_reachout, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_appt_done_waits_for_its_day, store_setup, store_teardown),
	};

	return cmocka_run_group_tests_name("appointments", tests, NULL, NULL);
}
