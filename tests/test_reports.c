/*
 * test_reports.c - every count of a report equals a count done here, in C,
 * over the raw records (hearth_store_each), on random data written
 * through the store with the fields hearth/casework.h and
 * hearth/screening.h document; by-month and by-week buckets add up to the
 * whole; the CSV starts with a byte-order mark, holds no name and no id,
 * shows 1-4 as "<5", and has Chinese headers under zh_CN.  (The journal's
 * own tests are in test_journal.c.)
 *
 * Suite 'reports'.  The seed is printed; HEARTH_TEST_SEED repeats a run.
 */
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
#include <sqlite3.h>

#include "hearth/audit.h"
#include "hearth/instruments.h"
#include "hearth/reports.h"
#include "hearth/schema.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#include "testutil.h"

#define N_PEOPLE 70
#define N_APPTS 400
#define N_ACTS 300
#define N_SCREENS 300
#define N_FOLLOWUPS 300
#define MAX_IDS (N_PEOPLE + N_APPTS + N_ACTS + N_SCREENS * 2 + N_FOLLOWUPS)
#define MAX_BANDS 64

static unsigned seed;

/* ---- a small seeded generator (the test's own, so runs repeat) ---- */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static int rnd_int(int n)
{
	return (int)(rnd() % (unsigned)n);
}

static const char *pick(const char *const *v, int n)
{
	return v[rnd_int(n)];
}

/* ---- fixture ---- */

struct fixture {
	sqlite3 *db;
	hearth_store *s;
	char names[N_PEOPLE][64];
	hearth_id people[N_PEOPLE];
	hearth_id ids[MAX_IDS];
	size_t n_ids;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (f == NULL || sqlite3_open(":memory:", &f->db) != SQLITE_OK ||
	    hearth_schema_migrate(f->db, hearth_schema_latest()) != HEARTH_OK ||
	    hearth_store_open(f->db, NULL, &f->s) != HEARTH_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	hearth_store_close(f->s);
	sqlite3_close(f->db);
	free(f);
	return 0;
}

static void set(struct fixture *f, const hearth_id *id, const char *name, const char *value)
{
	assert_int_equal(hearth_record_set(f->s, id, name, value), HEARTH_OK);
}

static hearth_id make(struct fixture *f, const char *kind)
{
	hearth_id id;

	assert_int_equal(hearth_record_create(f->s, NULL, kind, &id), HEARTH_OK);
	assert_true(f->n_ids < MAX_IDS);
	f->ids[f->n_ids++] = id;
	return id;
}

/* A random day between 2025-10-01 and 2026-06-30 (the report periods
 * below reach outside it on both sides). */
static void rnd_day(char out[HEARTH_DATE_LEN + 1])
{
	int32_t d0;

	assert_int_equal(hearth_date_from_ymd(2025, 10, 1, &d0), HEARTH_OK);
	hearth_date_format(d0 + rnd_int(273), out);
}

static void person_hex(struct fixture *f, int i, char out[HEARTH_ID_HEX + 1])
{
	hearth_id_to_hex(&f->people[i], out);
}

/* Records on the edges of the periods and as-of dates checked below: the
 * first and last day of a period and the days just outside it, and
 * follow-ups closed on an as-of date or the day after. */
static void fill_edges(struct fixture *f)
{
	static const char *const days[] = {
		"2025-12-14", "2025-12-15", "2026-04-10", "2026-04-11",
		"2025-09-02", "2025-09-03", "2026-07-09", "2026-07-10",
		"2025-12-31", "2026-01-01", "2026-12-31", "2026-03-20",
		"2026-03-21", "2026-05-31", "2026-06-01",
	};
	char hex[HEARTH_ID_HEX + 1], at[HEARTH_DATETIME_LEN + 1];
	char next[HEARTH_DATE_LEN + 1];
	hearth_id id;

	for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
		person_hex(f, (int)i % N_PEOPLE, hex);
		id = make(f, "activity");
		set(f, &id, "type", "hotline");
		set(f, &id, "date", days[i]);
		set(f, &id, "person", hex);
		id = make(f, "appointment");
		set(f, &id, "person", hex);
		snprintf(at, sizeof at, "%s %s", days[i], i % 2 ? "23:59" : "00:00");
		set(f, &id, "at", at);
		set(f, &id, "status", "done");
		id = make(f, "followup");
		set(f, &id, "person", hex);
		set(f, &id, "due", "2026-01-10");
		set(f, &id, "status", "done");
		set(f, &id, "closed", days[i]);
		id = make(f, "followup");
		set(f, &id, "person", hex);
		set(f, &id, "due", days[i]);
		set(f, &id, "status", "open");
		/* Done the day after it was due, and done long after. */
		id = make(f, "followup");
		set(f, &id, "person", hex);
		set(f, &id, "due", days[i]);
		set(f, &id, "status", "done");
		assert_int_equal(hearth_date_add_days(days[i], 1, next), HEARTH_OK);
		set(f, &id, "closed", next);
		id = make(f, "followup");
		set(f, &id, "person", hex);
		set(f, &id, "due", days[i]);
		set(f, &id, "status", "done");
		set(f, &id, "closed", "2027-06-30");
		/* A screening whose date and time disagree: the date rules. */
		id = make(f, "screening");
		set(f, &id, "person", hex);
		set(f, &id, "instrument", "phq9");
		set(f, &id, "band", "mild");
		set(f, &id, "flags", "[]");
		set(f, &id, "date", days[i]);
		snprintf(at, sizeof at, "%s 09:00", days[(i + 1) % (sizeof days / sizeof days[0])]);
		set(f, &id, "at", at);
	}
}

static void fill(struct fixture *f)
{
	static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "赵" };
	static const char *const given[] = { "伟", "芳", "娜", "敏", "静", "强", "磊", "洋" };
	static const char *const statuses[] = { "booked", "done", "done", "noshow", "cancelled" };
	static const char *const types[] = { "hotline", "callback", "group", "lecture",
					     "outreach", "hotline", "unknown" };
	static const char *const risks[] = { "low", "moderate", "high" };
	static const char *const insts[] = { "phq9", "gad7", "who5", "cssrs" };
	static const char *const phq9[] = { "minimal", "mild", "moderate",
					    "moderately_severe", "severe" };
	static const char *const gad7[] = { "minimal", "mild", "moderate", "severe" };
	static const char *const who5[] = { "very_low", "low", "adequate" };
	static const char *const cssrs[] = { "none", "low", "moderate", "high" };
	static const char *const fu_status[] = { "open", "retry", "done", "done" };
	char day[HEARTH_DATE_LEN + 1], at[HEARTH_DATETIME_LEN + 1], num[16];
	char hex[HEARTH_ID_HEX + 1];
	hearth_id id;

	rng_state = 0x9E3779B97F4A7C15ULL ^ seed;
	assert_int_equal(hearth_store_begin(f->s), HEARTH_OK);
	for (int i = 0; i < N_PEOPLE; i++) {
		/* Names with a number, so each is unique and searchable. */
		snprintf(f->names[i], sizeof f->names[i], "%s%s%d",
			 pick(surnames, 7), pick(given, 8), 100 + i);
		id = make(f, "person");
		f->people[i] = id;
		set(f, &id, "name", f->names[i]);
		set(f, &id, "unit", "Unit A");
	}
	for (int i = 0; i < N_APPTS; i++) {
		id = make(f, "appointment");
		rnd_day(day);
		snprintf(at, sizeof at, "%s %02d:%02d", day, 8 + rnd_int(10), rnd_int(4) * 15);
		person_hex(f, rnd_int(N_PEOPLE), hex);
		set(f, &id, "person", hex);
		set(f, &id, "at", at);
		set(f, &id, "minutes", "50");
		set(f, &id, "mode", "in-person");
		set(f, &id, "status", pick(statuses, 5));
		if (rnd_int(20) == 0)
			assert_int_equal(hearth_record_delete(f->s, &id), HEARTH_OK);
	}
	for (int i = 0; i < N_ACTS; i++) {
		const char *type = pick(types, 7);

		id = make(f, "activity");
		rnd_day(day);
		set(f, &id, "type", type);
		set(f, &id, "date", day);
		/* Calls and outreach mostly name someone; a group session or
		 * a lecture seldom does. */
		if (((strcmp(type, "hotline") == 0 || strcmp(type, "callback") == 0 ||
		      strcmp(type, "outreach") == 0) && rnd_int(4) != 0) ||
		    ((strcmp(type, "group") == 0 || strcmp(type, "lecture") == 0) &&
		     rnd_int(4) == 0)) {
			person_hex(f, rnd_int(N_PEOPLE), hex);
			set(f, &id, "person", hex);
		}
		if (rnd_int(3) != 0) {
			snprintf(num, sizeof num, "%d", rnd_int(90));
			set(f, &id, "attendance", num);
		}
		if (rnd_int(2) == 0)
			set(f, &id, "risk", pick(risks, 3));
		set(f, &id, "topic", "Stress at work");
		if (rnd_int(25) == 0)
			assert_int_equal(hearth_record_delete(f->s, &id), HEARTH_OK);
	}
	for (int i = 0; i < N_SCREENS; i++) {
		int k = rnd_int(4);
		const char *inst = insts[k];
		const char *band = k == 0 ? pick(phq9, 5) : k == 1 ? pick(gad7, 4) :
				   k == 2 ? pick(who5, 3) : pick(cssrs, 4);
		int self = rnd_int(8) == 0;

		id = make(f, "screening");
		rnd_day(day);
		snprintf(at, sizeof at, "%s 10:30", day);
		if (!self) {
			person_hex(f, rnd_int(N_PEOPLE), hex);
			set(f, &id, "person", hex);
		} else {
			/* An employee's self-screening: never counted. */
			hearth_id j = make(f, "journal");

			hearth_id_to_hex(&j, hex);
			set(f, &id, "journal", hex);
			set(f, &j, "date", day);
			set(f, &j, "screening", hex);
		}
		set(f, &id, "instrument", inst);
		set(f, &id, "version", "1");
		set(f, &id, "band", band);
		set(f, &id, "flags", rnd_int(6) == 0 ? "[\"safety\"]" : "[]");
		if (k == 3)
			set(f, &id, "risk", strcmp(band, "none") == 0 ? "low" : band);
		/* Most carry a date; some only the date-time. */
		if (rnd_int(5) != 0)
			set(f, &id, "date", day);
		set(f, &id, "at", at);
		if (rnd_int(30) == 0)
			assert_int_equal(hearth_record_delete(f->s, &id), HEARTH_OK);
	}
	for (int i = 0; i < N_FOLLOWUPS; i++) {
		const char *st = pick(fu_status, 4);

		id = make(f, "followup");
		rnd_day(day);
		person_hex(f, rnd_int(N_PEOPLE), hex);
		set(f, &id, "person", hex);
		set(f, &id, "due", day);
		set(f, &id, "reason", "check in");
		set(f, &id, "priority", rnd_int(5) == 0 ? "high" : "normal");
		set(f, &id, "status", st);
		if (strcmp(st, "done") == 0) {
			rnd_day(day);
			set(f, &id, "closed", day);
			set(f, &id, "outcome", "spoke");
		}
		if (rnd_int(30) == 0)
			assert_int_equal(hearth_record_delete(f->s, &id), HEARTH_OK);
	}
	fill_edges(f);
	assert_int_equal(hearth_store_commit(f->s), HEARTH_OK);
}

/* ---- the brute-force count ---- */

struct xband {
	char inst[16], band[32];
	int64_t n;
};

struct xbucket {
	int64_t m[HEARTH_M_COUNT];
	struct xband bands[MAX_BANDS];
	size_t n_bands;
	char people[N_PEOPLE][HEARTH_ID_HEX + 1];
	size_t n_people;
};

struct expect {
	const hearth_report *r; /* for the period, grouping and as-of only */
	int32_t base;
	size_t n;
	struct xbucket whole;
	struct xbucket *b;
};

static int in_period(const struct expect *e, const char *day)
{
	return day != NULL && strlen(day) >= HEARTH_DATE_LEN &&
	       strncmp(day, e->r->from, HEARTH_DATE_LEN) >= 0 &&
	       strncmp(day, e->r->to, HEARTH_DATE_LEN) <= 0;
}

/* The bucket of a day inside the period, worked out independently of
 * reports.c: months by the text of the date, weeks by day numbers. */
static struct xbucket *bucket_of(struct expect *e, const char *day)
{
	char d[HEARTH_DATE_LEN + 1];
	int32_t n;
	long idx;

	if (e->r->by == HEARTH_REPORT_WHOLE)
		return NULL;
	if (e->r->by == HEARTH_REPORT_MONTH) {
		int y = atoi(day), m = atoi(day + 5);
		int y0 = atoi(e->r->from), m0 = atoi(e->r->from + 5);

		idx = (y - y0) * 12 + (m - m0);
	} else {
		memcpy(d, day, HEARTH_DATE_LEN);
		d[HEARTH_DATE_LEN] = '\0';
		assert_int_equal(hearth_date_parse(d, &n), HEARTH_OK);
		idx = (n - e->base) / 7;
	}
	assert_true(idx >= 0 && (size_t)idx < e->n);
	return &e->b[idx];
}

static void xadd(struct expect *e, const char *day, hearth_metric m, int64_t n)
{
	struct xbucket *b = bucket_of(e, day);

	e->whole.m[m] += n;
	if (b != NULL)
		b->m[m] += n;
}

static void xband_add(struct xbucket *b, const char *inst, const char *band)
{
	for (size_t i = 0; i < b->n_bands; i++) {
		if (strcmp(b->bands[i].inst, inst) == 0 && strcmp(b->bands[i].band, band) == 0) {
			b->bands[i].n++;
			return;
		}
	}
	assert_true(b->n_bands < MAX_BANDS);
	snprintf(b->bands[b->n_bands].inst, sizeof b->bands[0].inst, "%s", inst);
	snprintf(b->bands[b->n_bands].band, sizeof b->bands[0].band, "%s", band);
	b->bands[b->n_bands].n = 1;
	b->n_bands++;
}

static void xperson_add(struct xbucket *b, const char *person)
{
	for (size_t i = 0; i < b->n_people; i++)
		if (strcmp(b->people[i], person) == 0)
			return;
	assert_true(b->n_people < N_PEOPLE);
	snprintf(b->people[b->n_people++], HEARTH_ID_HEX + 1, "%s", person);
}

static void xperson(struct expect *e, const char *day, const char *person)
{
	struct xbucket *b = bucket_of(e, day);

	if (person == NULL)
		return;
	xperson_add(&e->whole, person);
	if (b != NULL)
		xperson_add(b, person);
}

static int eq(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

static int count_cb(const hearth_record *rec, void *ctx)
{
	struct expect *e = ctx;
	const char *person = hearth_record_field(rec, "person");

	if (strcmp(rec->kind, "activity") == 0) {
		const char *day = hearth_record_field(rec, "date");
		const char *type = hearth_record_field(rec, "type");
		const char *att = hearth_record_field(rec, "attendance");
		int64_t a = att ? strtoll(att, NULL, 10) : 0;

		if (!in_period(e, day) || type == NULL)
			return 0;
		if (eq(type, "hotline"))
			xadd(e, day, HEARTH_M_HOTLINE, 1);
		else if (eq(type, "callback"))
			xadd(e, day, HEARTH_M_CALLBACK, 1);
		else if (eq(type, "outreach"))
			xadd(e, day, HEARTH_M_OUTREACH, 1);
		else if (eq(type, "group")) {
			xadd(e, day, HEARTH_M_GROUP, 1);
			xadd(e, day, HEARTH_M_GROUP_ATTENDEES, a);
		} else if (eq(type, "lecture")) {
			xadd(e, day, HEARTH_M_LECTURE, 1);
			xadd(e, day, HEARTH_M_LECTURE_ATTENDEES, a);
		} else {
			return 0;
		}
		if (eq(hearth_record_field(rec, "risk"), "high"))
			xadd(e, day, HEARTH_M_SAFETY_FLAGS, 1);
		xperson(e, day, person);
	} else if (strcmp(rec->kind, "appointment") == 0) {
		const char *at = hearth_record_field(rec, "at");
		const char *st = hearth_record_field(rec, "status");

		if (!in_period(e, at) || st == NULL)
			return 0;
		if (eq(st, "cancelled")) {
			xadd(e, at, HEARTH_M_APPT_CANCELLED, 1);
			return 0;
		}
		if (!eq(st, "booked") && !eq(st, "done") && !eq(st, "noshow"))
			return 0;
		xadd(e, at, HEARTH_M_APPT_BOOKED, 1);
		if (eq(st, "done")) {
			xadd(e, at, HEARTH_M_APPT_HELD, 1);
			xadd(e, at, HEARTH_M_ONE_TO_ONE, 1);
			/* Served: only by a session held. */
			xperson(e, at, person);
		}
		if (eq(st, "noshow"))
			xadd(e, at, HEARTH_M_APPT_NOSHOW, 1);
	} else if (strcmp(rec->kind, "screening") == 0) {
		const char *day = hearth_record_field(rec, "date");
		const char *flags = hearth_record_field(rec, "flags");
		const char *inst = hearth_record_field(rec, "instrument");
		const char *band = hearth_record_field(rec, "band");
		struct xbucket *b;

		if (hearth_record_field(rec, "journal") != NULL)
			return 0;
		if (day == NULL)
			day = hearth_record_field(rec, "at");
		if (!in_period(e, day))
			return 0;
		xadd(e, day, HEARTH_M_SCREENINGS, 1);
		if ((flags && strstr(flags, "\"safety\"")) ||
		    eq(hearth_record_field(rec, "risk"), "high"))
			xadd(e, day, HEARTH_M_SAFETY_FLAGS, 1);
		xband_add(&e->whole, inst ? inst : "", band ? band : "");
		if ((b = bucket_of(e, day)) != NULL)
			xband_add(b, inst ? inst : "", band ? band : "");
		xperson(e, day, person);
	} else if (strcmp(rec->kind, "followup") == 0) {
		const char *st = hearth_record_field(rec, "status");
		const char *closed = hearth_record_field(rec, "closed");
		const char *due = hearth_record_field(rec, "due");
		int done = eq(st, "done");

		if (done && in_period(e, closed)) {
			xadd(e, closed, HEARTH_M_FOLLOWUP_DONE, 1);
			xperson(e, closed, person);
		}
		/* Overdue: counted, but it served nobody. */
		if (in_period(e, due) && strcmp(due, e->r->as_of) < 0 &&
		    (!done || (closed != NULL && strcmp(closed, e->r->as_of) > 0)))
			xadd(e, due, HEARTH_M_FOLLOWUP_OVERDUE, 1);
	}
	return 0;
}

static void expect_init(struct expect *e, const hearth_report *r)
{
	int32_t from;

	memset(e, 0, sizeof *e);
	e->r = r;
	e->n = r->n_buckets;
	e->b = calloc(e->n ? e->n : 1, sizeof *e->b);
	assert_non_null(e->b);
	assert_int_equal(hearth_date_parse(r->from, &from), HEARTH_OK);
	e->base = from - (hearth_date_weekday(from) - 1);
}

static void compare_bucket(const struct xbucket *x, const hearth_report_bucket *b,
			   const char *what)
{
	for (int m = 0; m < HEARTH_M_COUNT; m++) {
		int64_t want = m == HEARTH_M_PEOPLE ? (int64_t)x->n_people : x->m[m];

		if (b->m[m] != want) {
			print_error("seed %u: %s %s: report %lld, raw records %lld\n",
				    seed, what, hearth_metric_key((hearth_metric)m),
				    (long long)b->m[m], (long long)want);
			fail();
		}
	}
	assert_int_equal(b->n_bands, x->n_bands);
	for (size_t i = 0; i < x->n_bands; i++) {
		int64_t got = -1;

		for (size_t k = 0; k < b->n_bands; k++)
			if (strcmp(b->bands[k].instrument, x->bands[i].inst) == 0 &&
			    strcmp(b->bands[k].band, x->bands[i].band) == 0)
				got = b->bands[k].n;
		if (got != x->bands[i].n) {
			print_error("seed %u: %s band %s/%s: report %lld, raw %lld\n", seed,
				    what, x->bands[i].inst, x->bands[i].band,
				    (long long)got, (long long)x->bands[i].n);
			fail();
		}
	}
}

static void check_report(struct fixture *f, const char *from, const char *to,
			 hearth_report_by by, const char *today)
{
	hearth_report *r = NULL;
	struct expect e;
	int64_t sum[HEARTH_M_COUNT] = { 0 };
	char what[64];

	if (hearth_report_build(f->s, from, to, by, today, &r) != HEARTH_OK) {
		print_error("seed %u: report: %s\n", seed, hearth_errdetail());
		fail();
	}
	expect_init(&e, r);
	assert_int_equal(hearth_store_each(f->s, NULL, 0, count_cb, &e), HEARTH_OK);
	snprintf(what, sizeof what, "%s..%s by %d whole", from, to, (int)by);
	compare_bucket(&e.whole, &r->whole, what);
	for (size_t i = 0; i < r->n_buckets; i++) {
		snprintf(what, sizeof what, "%s..%s bucket %s", from, to, r->buckets[i].label);
		compare_bucket(&e.b[i], &r->buckets[i], what);
		for (int m = 0; m < HEARTH_M_COUNT; m++)
			sum[m] += r->buckets[i].m[m];
	}
	if (by != HEARTH_REPORT_WHOLE) {
		/* The buckets tile the period and add up to the whole. */
		assert_string_equal(r->buckets[0].from, r->from);
		assert_string_equal(r->buckets[r->n_buckets - 1].to, r->to);
		for (size_t i = 1; i < r->n_buckets; i++) {
			char next[HEARTH_DATE_LEN + 1];

			assert_int_equal(hearth_date_add_days(r->buckets[i - 1].to, 1, next),
					 HEARTH_OK);
			assert_string_equal(r->buckets[i].from, next);
		}
		for (int m = 0; m < HEARTH_M_COUNT; m++) {
			if (m == HEARTH_M_PEOPLE) {
				/* Distinct people: no more than the sum, no
				 * fewer than any bucket. */
				assert_true(r->whole.m[m] <= sum[m]);
				for (size_t i = 0; i < r->n_buckets; i++)
					assert_true(r->buckets[i].m[m] <= r->whole.m[m]);
			} else {
				assert_int_equal(sum[m], r->whole.m[m]);
			}
		}
	}
	/* The data is dense enough that a count that is always 0 would be a
	 * bug in the test, not a pass. */
	assert_true(r->whole.m[HEARTH_M_HOTLINE] > 0);
	assert_true(r->whole.m[HEARTH_M_SCREENINGS] > 0);
	assert_true(r->whole.m[HEARTH_M_FOLLOWUP_OVERDUE] > 0);
	assert_true(r->whole.m[HEARTH_M_PEOPLE] > 0);
	free(e.b);
	hearth_report_free(r);
}

static void test_counts_equal_raw_records(void **state)
{
	struct fixture *f = *state;

	fill(f);
	/* Periods that start and end mid-month and mid-week, and as-of dates
	 * inside and after the period. */
	check_report(f, "2025-12-15", "2026-04-10", HEARTH_REPORT_WHOLE, "2026-03-20");
	check_report(f, "2025-12-15", "2026-04-10", HEARTH_REPORT_MONTH, "2026-03-20");
	check_report(f, "2025-12-15", "2026-04-10", HEARTH_REPORT_WEEK, "2026-03-20");
	check_report(f, "2025-09-03", "2026-07-09", HEARTH_REPORT_MONTH, "2027-01-01");
	check_report(f, "2025-09-03", "2026-07-09", HEARTH_REPORT_WEEK, "2027-01-01");
	check_report(f, "2026-01-01", "2026-12-31", HEARTH_REPORT_WHOLE, "2026-05-31");
}

/* Who counts as served, case by case: a session held, a screening, an
 * activity naming the person, a follow-up done; not a booking, a no-show,
 * a cancellation, an overdue follow-up or a self-screening. */
static void test_people_served(void **state)
{
	struct fixture *f = *state;
	enum { A, B, C, D, E, F, G, H, I, J, K, NP };
	char hex[NP][HEARTH_ID_HEX + 1];
	hearth_report *r = NULL;
	hearth_id id;

	assert_int_equal(hearth_store_begin(f->s), HEARTH_OK);
	for (int i = 0; i < NP; i++) {
		id = make(f, "person");
		set(f, &id, "name", "someone");
		hearth_id_to_hex(&id, hex[i]);
	}
	/* A booked, B a no-show, C cancelled: not served. */
	id = make(f, "appointment");
	set(f, &id, "person", hex[A]);
	set(f, &id, "at", "2026-03-12 10:00");
	set(f, &id, "status", "booked");
	id = make(f, "appointment");
	set(f, &id, "person", hex[B]);
	set(f, &id, "at", "2026-04-03 10:00");
	set(f, &id, "status", "noshow");
	id = make(f, "appointment");
	set(f, &id, "person", hex[C]);
	set(f, &id, "at", "2026-03-20 10:00");
	set(f, &id, "status", "cancelled");
	/* D overdue and still open; J due in the period, done after it. */
	id = make(f, "followup");
	set(f, &id, "person", hex[D]);
	set(f, &id, "due", "2026-03-25");
	set(f, &id, "status", "open");
	id = make(f, "followup");
	set(f, &id, "person", hex[J]);
	set(f, &id, "due", "2026-04-10");
	set(f, &id, "status", "done");
	set(f, &id, "closed", "2026-05-05");
	/* I: a self-screening (even one that names a person). */
	id = make(f, "screening");
	set(f, &id, "person", hex[I]);
	set(f, &id, "journal", hex[I]);
	set(f, &id, "instrument", "phq9");
	set(f, &id, "band", "mild");
	set(f, &id, "date", "2026-03-18");
	/* Served: E a session held (March); F a follow-up done in April
	 * though due in February; G named by a group session (March); H
	 * screened (April); K a session held in March and a call-back in
	 * April. */
	id = make(f, "appointment");
	set(f, &id, "person", hex[E]);
	set(f, &id, "at", "2026-03-10 09:00");
	set(f, &id, "status", "done");
	id = make(f, "followup");
	set(f, &id, "person", hex[F]);
	set(f, &id, "due", "2026-02-20");
	set(f, &id, "status", "done");
	set(f, &id, "closed", "2026-04-02");
	id = make(f, "activity");
	set(f, &id, "type", "group");
	set(f, &id, "date", "2026-03-15");
	set(f, &id, "person", hex[G]);
	set(f, &id, "attendance", "12");
	id = make(f, "activity");
	set(f, &id, "type", "lecture");
	set(f, &id, "date", "2026-03-16");
	set(f, &id, "attendance", "40");
	id = make(f, "screening");
	set(f, &id, "person", hex[H]);
	set(f, &id, "instrument", "gad7");
	set(f, &id, "band", "minimal");
	set(f, &id, "date", "2026-04-20");
	id = make(f, "appointment");
	set(f, &id, "person", hex[K]);
	set(f, &id, "at", "2026-03-05 14:00");
	set(f, &id, "status", "done");
	id = make(f, "activity");
	set(f, &id, "type", "callback");
	set(f, &id, "date", "2026-04-07");
	set(f, &id, "person", hex[K]);
	assert_int_equal(hearth_store_commit(f->s), HEARTH_OK);

	assert_int_equal(hearth_report_build(f->s, "2026-03-01", "2026-04-30",
					     HEARTH_REPORT_MONTH, "2026-06-01", &r), HEARTH_OK);
	/* E, F, G, H and K; K once in the whole. */
	assert_int_equal(r->whole.m[HEARTH_M_PEOPLE], 5);
	assert_int_equal(r->n_buckets, 2);
	assert_int_equal(r->buckets[0].m[HEARTH_M_PEOPLE], 3); /* E, G, K */
	assert_int_equal(r->buckets[1].m[HEARTH_M_PEOPLE], 3); /* F, H, K */
	/* The records that served nobody still count as what they are. */
	assert_int_equal(r->whole.m[HEARTH_M_APPT_BOOKED], 4);
	assert_int_equal(r->whole.m[HEARTH_M_APPT_HELD], 2);
	assert_int_equal(r->whole.m[HEARTH_M_APPT_NOSHOW], 1);
	assert_int_equal(r->whole.m[HEARTH_M_APPT_CANCELLED], 1);
	assert_int_equal(r->whole.m[HEARTH_M_FOLLOWUP_OVERDUE], 2);
	assert_int_equal(r->whole.m[HEARTH_M_FOLLOWUP_DONE], 1);
	assert_int_equal(r->whole.m[HEARTH_M_SCREENINGS], 1);
	assert_int_equal(r->whole.m[HEARTH_M_GROUP], 1);
	assert_int_equal(r->whole.m[HEARTH_M_LECTURE_ATTENDEES], 40);
	hearth_report_free(r);
}

static void test_report_and_export_are_audited(void **state)
{
	struct fixture *f = *state;
	hearth_report *r = NULL;
	struct last_audit l = { 0 };
	char dir[] = "/tmp/hearth-test-reports-XXXXXX", path[128];
	int64_t n;

	fill(f);
	assert_int_equal(hearth_report_build(f->s, "2026-01-01", "2026-03-31",
					     HEARTH_REPORT_MONTH, "2026-04-02", &r), HEARTH_OK);
	assert_int_equal(hearth_audit_each(f->s, last_audit_cb, &l), HEARTH_OK);
	assert_string_equal(l.action, "report");
	assert_non_null(strstr(l.detail, "2026-01-01"));
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/report.csv", dir);
	assert_int_equal(hearth_report_export_csv(f->s, r, "en", path), HEARTH_OK);
	memset(&l, 0, sizeof l);
	assert_int_equal(hearth_audit_each(f->s, last_audit_cb, &l), HEARTH_OK);
	assert_string_equal(l.action, "export");
	/* A failed export leaves no entry behind. */
	n = l.n;
	snprintf(path, sizeof path, "%s/no/such/dir/report.csv", dir);
	assert_int_equal(hearth_report_export_csv(f->s, r, "en", path), HEARTH_EIO);
	memset(&l, 0, sizeof l);
	assert_int_equal(hearth_audit_each(f->s, last_audit_cb, &l), HEARTH_OK);
	assert_int_equal(l.n, n);
	assert_int_equal(hearth_audit_verify(f->s, NULL), HEARTH_OK);
	snprintf(path, sizeof path, "%s/report.csv", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	hearth_report_free(r);
}

/* Splits one CSV line (no quoted fields expected in counts) into cells. */
static size_t split(char *line, char **cells, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		cells[n++] = p;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

static void check_csv_privacy(struct fixture *f, const char *csv)
{
	char hex[HEARTH_ID_HEX + 1];

	for (int i = 0; i < N_PEOPLE; i++) {
		if (strstr(csv, f->names[i]) != NULL) {
			print_error("seed %u: CSV holds the name '%s'\n", seed, f->names[i]);
			fail();
		}
	}
	for (size_t i = 0; i < f->n_ids; i++) {
		hearth_id_to_hex(&f->ids[i], hex);
		if (strstr(csv, hex) != NULL) {
			print_error("seed %u: CSV holds the id %s\n", seed, hex);
			fail();
		}
		/* The short form shown in tables, when it cannot be mistaken
		 * for a number. */
		hex[8] = '\0';
		if (strpbrk(hex, "abcdef") != NULL && strstr(csv, hex) != NULL) {
			print_error("seed %u: CSV holds the short id %s\n", seed, hex);
			fail();
		}
	}
}

static void check_csv(struct fixture *f, const hearth_report *r, const char *lang)
{
	char *csv = NULL, *line, *save = NULL;
	size_t len = 0, row = 0, ncols = 0;
	char *cells[256];
	int seen_small = 0;

	assert_int_equal(hearth_report_csv(r, lang, &csv, &len), HEARTH_OK);
	assert_int_equal(strlen(csv), len);
	assert_memory_equal(csv, "\xEF\xBB\xBF", 3);
	check_csv_privacy(f, csv);
	for (line = strtok_r(csv + 3, "\r\n", &save); line != NULL;
	     line = strtok_r(NULL, "\r\n", &save), row++) {
		size_t n = split(line, cells, 256);
		const hearth_report_bucket *b;

		if (row == 0) {
			ncols = n;
			assert_int_equal(n, 3 + HEARTH_M_COUNT + r->whole.n_bands);
			if (strcmp(lang, "zh_CN") == 0) {
				assert_string_equal(cells[0], "时段");
				assert_string_equal(cells[3], "热线来电");
				assert_string_equal(cells[3 + HEARTH_M_PEOPLE], "服务人数");
			} else {
				assert_string_equal(cells[0], "Period");
				assert_string_equal(cells[3], "Hotline calls");
			}
			continue;
		}
		assert_int_equal(n, ncols);
		b = row - 1 < r->n_buckets ? &r->buckets[row - 1] : &r->whole;
		assert_string_equal(cells[1], b->from);
		for (int m = 0; m < HEARTH_M_COUNT; m++) {
			const char *c = cells[3 + m];

			if (b->m[m] >= 1 && b->m[m] <= 4) {
				assert_string_equal(c, "<5");
				seen_small = 1;
			} else {
				assert_int_equal(strtoll(c, NULL, 10), b->m[m]);
				assert_true(b->m[m] == 0 || strcmp(c, "0") != 0);
			}
		}
		for (size_t k = 3 + HEARTH_M_COUNT; k < n; k++) {
			long long v = strtoll(cells[k], NULL, 10);

			assert_true(strcmp(cells[k], "<5") == 0 || v == 0 || v >= 5);
		}
	}
	assert_int_equal(row, r->n_buckets + 2);
	/* Weekly buckets of this data always hold some counts of 1-4. */
	if (r->by == HEARTH_REPORT_WEEK)
		assert_true(seen_small);
	free(csv);
}

static void test_csv(void **state)
{
	struct fixture *f = *state;
	hearth_report *r = NULL;

	fill(f);
	assert_int_equal(hearth_report_build(f->s, "2025-12-15", "2026-04-10",
					     HEARTH_REPORT_WEEK, "2026-03-20", &r), HEARTH_OK);
	check_csv(f, r, "en");
	/* The core's labels come from the catalogue, as a face sets it up. */
	use_language("zh_CN");
	check_csv(f, r, "zh_CN");
	hearth_report_free(r);
	assert_int_equal(hearth_report_build(f->s, "2025-12-15", "2026-04-10",
					     HEARTH_REPORT_WHOLE, "2026-03-20", &r), HEARTH_OK);
	check_csv(f, r, "zh_CN");
	use_language("en");
	hearth_report_free(r);
}

static void test_suppress(void **state)
{
	char buf[24];

	(void)state;
	assert_string_equal(hearth_report_suppress(0, buf, sizeof buf), "0");
	assert_string_equal(hearth_report_suppress(1, buf, sizeof buf), "<5");
	assert_string_equal(hearth_report_suppress(4, buf, sizeof buf), "<5");
	assert_string_equal(hearth_report_suppress(5, buf, sizeof buf), "5");
	assert_string_equal(hearth_report_suppress(1234, buf, sizeof buf), "1234");
}

static void test_bad_input(void **state)
{
	struct fixture *f = *state;
	hearth_report *r = NULL;
	hearth_report_by by;

	assert_int_equal(hearth_report_build(f->s, "2026-03-01", "2026-02-01",
					     HEARTH_REPORT_WHOLE, "2026-03-01", &r), HEARTH_EINVAL);
	assert_non_null(strstr(hearth_errdetail(), "after it ends"));
	assert_null(r);
	assert_int_equal(hearth_report_build(f->s, "2026-02-30", "2026-03-01",
					     HEARTH_REPORT_WHOLE, "2026-03-01", &r), HEARTH_EINVAL);
	assert_non_null(strstr(hearth_errdetail(), "2026-02-30"));
	assert_int_equal(hearth_report_build(f->s, "1026-01-01", "2026-03-01",
					     HEARTH_REPORT_WEEK, "2026-03-01", &r), HEARTH_EINVAL);
	assert_int_equal(hearth_report_by_parse("month", &by), HEARTH_OK);
	assert_int_equal(by, HEARTH_REPORT_MONTH);
	assert_int_equal(hearth_report_by_parse("week", &by), HEARTH_OK);
	assert_int_equal(by, HEARTH_REPORT_WEEK);
	assert_int_equal(hearth_report_by_parse(NULL, &by), HEARTH_OK);
	assert_int_equal(by, HEARTH_REPORT_WHOLE);
	assert_int_equal(hearth_report_by_parse("day", &by), HEARTH_EINVAL);
	assert_non_null(strstr(hearth_errdetail(), "'day'"));
	/* Nothing was audited for the refused reports. */
	assert_int_equal(hearth_audit_verify(f->s, NULL), HEARTH_OK);
}

static void test_empty_vault(void **state)
{
	struct fixture *f = *state;
	hearth_report *r = NULL;

	assert_int_equal(hearth_report_build(f->s, "2026-01-01", "2026-12-31",
					     HEARTH_REPORT_MONTH, "2026-06-01", &r), HEARTH_OK);
	assert_int_equal(r->n_buckets, 12);
	assert_string_equal(r->buckets[0].label, "2026-01");
	assert_string_equal(r->buckets[11].label, "2026-12");
	assert_string_equal(r->as_of, "2026-06-01");
	for (int m = 0; m < HEARTH_M_COUNT; m++)
		assert_int_equal(r->whole.m[m], 0);
	hearth_report_free(r);
	assert_int_equal(hearth_report_build(f->s, "2026-01-01", "2026-01-31",
					     HEARTH_REPORT_WEEK, "2026-06-01", &r), HEARTH_OK);
	/* 2026-01-01 is a Thursday in ISO week 1; the 31st a Saturday in
	 * week 5. */
	assert_int_equal(r->n_buckets, 5);
	assert_string_equal(r->buckets[0].label, "2026-W01");
	assert_string_equal(r->buckets[0].to, "2026-01-04");
	assert_string_equal(r->buckets[4].label, "2026-W05");
	assert_string_equal(r->buckets[4].to, "2026-01-31");
	assert_string_equal(r->as_of, "2026-01-31");
	hearth_report_free(r);
}

/* hearth_report_export, the whole of `hearth report --csv`: the report
 * and the CSV are both audited; when the file cannot be written, no
 * report is handed out and neither entry is kept. */
static void test_report_export_one_call(void **state)
{
	struct fixture *f = *state;
	/* Not NULL to begin with: a failed call must set it to NULL. */
	hearth_report *r = (hearth_report *)f;
	struct last_audit l = { 0 };
	char dir[] = "/tmp/hearth-test-reports-XXXXXX", path[128];
	int64_t n;

	fill(f);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/no/such/dir/report.csv", dir);
	assert_int_equal(hearth_report_export(f->s, "2026-01-01", "2026-03-31",
					      HEARTH_REPORT_MONTH, "2026-04-02", "en",
					      path, &r), HEARTH_EIO);
	assert_null(r);
	assert_non_null(strstr(hearth_errdetail(), path));
	assert_int_equal(hearth_audit_each(f->s, last_audit_cb, &l), HEARTH_OK);
	assert_int_equal(l.n, 0);

	snprintf(path, sizeof path, "%s/report.csv", dir);
	assert_int_equal(hearth_report_export(f->s, "2026-01-01", "2026-03-31",
					      HEARTH_REPORT_MONTH, "2026-04-02", "en",
					      path, &r), HEARTH_OK);
	assert_non_null(r);
	assert_int_equal(access(path, R_OK), 0);
	memset(&l, 0, sizeof l);
	assert_int_equal(hearth_audit_each(f->s, last_audit_cb, &l), HEARTH_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.action, "export");
	hearth_report_free(r);

	/* Without a CSV: the report alone.  A bad period writes nothing. */
	r = NULL;
	assert_int_equal(hearth_report_export(f->s, "2026-01-01", "2026-01-31",
					      HEARTH_REPORT_WHOLE, "2026-04-02", "en",
					      NULL, &r), HEARTH_OK);
	hearth_report_free(r);
	assert_int_equal(hearth_report_export(f->s, "2026-03-01", "2026-01-31",
					      HEARTH_REPORT_WHOLE, "2026-04-02", "en",
					      NULL, &r), HEARTH_EINVAL);
	assert_null(r);
	memset(&l, 0, sizeof l);
	assert_int_equal(hearth_audit_each(f->s, last_audit_cb, &l), HEARTH_OK);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.action, "report");
	n = 0;
	assert_int_equal(hearth_audit_verify(f->s, &n), HEARTH_OK);
	assert_int_equal(n, 3);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const char *env = getenv("HEARTH_TEST_SEED");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts_equal_raw_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_people_served, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_and_export_are_audited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
		cmocka_unit_test(test_suppress),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_vault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_export_one_call, setup, teardown),
	};

	seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
	printf("# test_reports seed %u (set HEARTH_TEST_SEED to repeat)\n", seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
