/*
 * test_followups.c - follow-ups: the unreachable ladder, overdue ordering,
 * the lists checked against a brute-force reference on random data, bad
 * input, one safety follow-up to do at a time, the safety follow-up above
 * all others in every list, and reasons stored as codes and shown in the
 * reader's language.
 *
 * Suite 'followups'.  Each test gets a fresh store on a plain SQLite file in
 * a temporary directory (testutil.h).  The seed is printed;
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

#include "hearth/activity.h"
#include "hearth/appointment.h"
#include "hearth/followup.h"
#include "hearth/person.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#include "testutil.h"

/* ---- follow-ups -------------------------------------------------------- */

static void test_unreachable_escalates_on_third(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_id fu = add_followup(f->s, &p, "2026-12-14", NULL, "check in after screening");
	hearth_followup_retry res;
	hearth_followups *l = NULL;
	char fbuf[64];

	assert_int_equal(hearth_followup_unreachable(f->s, &fu, "2026-12-14", &res), HEARTH_OK);
	assert_int_equal(res.attempts, 1);
	assert_string_equal(res.due, "2026-12-15");
	assert_false(res.escalated);
	assert_string_equal(FIELD(f->s, &fu, "status"), "retry");
	assert_int_equal(hearth_followup_unreachable(f->s, &fu, "2026-12-15", &res), HEARTH_OK);
	assert_int_equal(res.attempts, 2);
	assert_string_equal(res.due, "2026-12-16");
	/* Twice: not escalated. */
	assert_false(res.escalated);
	assert_string_equal(FIELD(f->s, &fu, "priority"), "normal");
	assert_string_equal(FIELD(f->s, &fu, "escalated"), "");

	/* Third failure: escalated, high priority, flagged. */
	assert_int_equal(hearth_followup_unreachable(f->s, &fu, "2026-12-16", &res), HEARTH_OK);
	assert_int_equal(res.attempts, 3);
	assert_string_equal(res.due, "2026-12-17");
	assert_true(res.escalated);
	assert_string_equal(FIELD(f->s, &fu, "priority"), "high");
	assert_string_equal(FIELD(f->s, &fu, "escalated"), "1");
	assert_string_equal(FIELD(f->s, &fu, "attempts"), "3");
	assert_int_equal(count_audit(f->s, "followup.unreachable"), 3);

	/* A fourth keeps it escalated without escalating again. */
	assert_int_equal(hearth_followup_unreachable(f->s, &fu, "2026-12-20", &res), HEARTH_OK);
	assert_int_equal(res.attempts, 4);
	assert_false(res.escalated);
	assert_string_equal(res.due, "2026-12-21"); /* 24 hours after a late attempt */
	assert_int_equal(hearth_followup_list(f->s, HEARTH_FOLLOWUPS_PENDING, NULL,
					      "2026-12-21", &l), HEARTH_OK);
	assert_int_equal(l->n, 1);
	assert_true(l->items[0].escalated);
	assert_int_equal(l->items[0].attempts, 4);
	hearth_followups_free(l);

	assert_int_equal(hearth_followup_done(f->s, &fu, "reached at home", "2026-12-21"),
			 HEARTH_OK);
	assert_int_equal(hearth_followup_unreachable(f->s, &fu, "2026-12-21", &res), HEARTH_ESTATE);
	assert_int_equal(hearth_followup_done(f->s, &fu, "again", "2026-12-21"), HEARTH_ESTATE);
	assert_string_equal(FIELD(f->s, &fu, "closed"), "2026-12-21");
	assert_string_equal(FIELD(f->s, &fu, "outcome"), "reached at home");
}

static void test_overdue_ordering(void **state)
{
	fixture *f = *state;
	hearth_id a = add_person(f->s, "A");
	hearth_id b = add_person(f->s, "B");
	hearth_id n_late5, n_late1, h_late1, h_future, l_late9, n_today, n_future, done;
	hearth_followups *l = NULL;

	n_late1 = add_followup(f->s, &a, "2026-12-13", NULL, "n1");
	h_future = add_followup(f->s, &b, "2026-12-20", "high", "hf");
	n_late5 = add_followup(f->s, &b, "2026-12-09", "normal", "n5");
	l_late9 = add_followup(f->s, &a, "2026-12-05", "low", "l9");
	n_future = add_followup(f->s, &a, "2026-12-18", NULL, "nf");
	h_late1 = add_followup(f->s, &a, "2026-12-13", "high", "h1");
	n_today = add_followup(f->s, &b, "2026-12-14", NULL, "nt");
	done = add_followup(f->s, &b, "2026-12-01", "high", "done");
	assert_int_equal(hearth_followup_done(f->s, &done, "talked", "2026-12-02"), HEARTH_OK);

	assert_int_equal(hearth_followup_list(f->s, HEARTH_FOLLOWUPS_PENDING, NULL,
					      "2026-12-14", &l), HEARTH_OK);
	assert_int_equal(l->n, 7);
	/* high first (overdue before future), then normal by days overdue,
	 * then by due date, then low. */
	assert_true(hearth_id_equal(&l->items[0].id, &h_late1));
	assert_int_equal(l->items[0].days_overdue, 1);
	assert_true(hearth_id_equal(&l->items[1].id, &h_future));
	assert_int_equal(l->items[1].days_overdue, 0);
	assert_true(hearth_id_equal(&l->items[2].id, &n_late5));
	assert_int_equal(l->items[2].days_overdue, 5);
	assert_true(hearth_id_equal(&l->items[3].id, &n_late1));
	assert_true(hearth_id_equal(&l->items[4].id, &n_today));
	assert_true(hearth_id_equal(&l->items[5].id, &n_future));
	assert_true(hearth_id_equal(&l->items[6].id, &l_late9));
	assert_int_equal(l->items[6].days_overdue, 9);
	hearth_followups_free(l);

	assert_int_equal(hearth_followup_list(f->s, HEARTH_FOLLOWUPS_OVERDUE, NULL,
					      "2026-12-14", &l), HEARTH_OK);
	assert_int_equal(l->n, 4);
	assert_true(hearth_id_equal(&l->items[0].id, &h_late1));
	assert_true(hearth_id_equal(&l->items[1].id, &n_late5));
	assert_true(hearth_id_equal(&l->items[2].id, &n_late1));
	assert_true(hearth_id_equal(&l->items[3].id, &l_late9));
	hearth_followups_free(l);

	assert_int_equal(hearth_followup_list(f->s, HEARTH_FOLLOWUPS_PENDING, &a,
					      "2026-12-14", &l), HEARTH_OK);
	assert_int_equal(l->n, 4);
	hearth_followups_free(l);
	assert_int_equal(hearth_followup_list(f->s, HEARTH_FOLLOWUPS_ALL, &b,
					      "2026-12-14", &l), HEARTH_OK);
	assert_int_equal(l->n, 4);
	assert_true(hearth_id_equal(&l->items[0].id, &done) ||
		    hearth_id_equal(&l->items[1].id, &done));
	hearth_followups_free(l);

	/* A deleted person's follow-ups leave the lists. */
	assert_int_equal(hearth_record_delete(f->s, &b), HEARTH_OK);
	assert_int_equal(hearth_followup_list(f->s, HEARTH_FOLLOWUPS_PENDING, NULL,
					      "2026-12-14", &l), HEARTH_OK);
	assert_int_equal(l->n, 4);
	hearth_followups_free(l);
}

/* ---- follow-up lists against a brute-force reference -------------------- */

/*
 * hearth_followup_list reads through indexes and chooses between two ways
 * of loading (by key for a few rows, by scans for many).  This reference
 * reads every follow-up whole (hearth_store_each) and applies the rules of
 * hearth/casework.h one by one; the lists must agree item for item, field
 * for field, in order.  The data is random (seeded; HEARTH_TEST_SEED
 * repeats a run) and includes the awkward cases: damaged dates and
 * references, unknown statuses and priorities, cleared fields, deleted
 * people and follow-ups, a record of another kind that looks like a
 * pending follow-up, and many ties (so the creation order decides).
 */

#define REF_MAX 800

enum {
	R_PERSON, R_DUE, R_REASON, R_PRIORITY, R_STATUS, R_SOURCE, R_OUTCOME,
	R_CLOSED, R_ATTEMPTS, R_SAFETY, R_ESCALATED, R_N
};

static const char *const ref_names[R_N] = {
	"person", "due", "reason", "priority", "status", "source", "outcome",
	"closed", "attempts", "safety", "escalated",
};

typedef struct ref_fu {
	hearth_id id;
	hearth_hlc created;
	int has[R_N];
	char v[R_N][64];
} ref_fu;

typedef struct ref_set {
	ref_fu fu[REF_MAX];
	size_t n;
} ref_set;

typedef struct ref_row {
	const ref_fu *fu;
	hearth_id person;
	char name[64];
	char due[HEARTH_DATE_LEN + 1];
	int32_t days;
	int rank;
} ref_row;

static int ref_collect(const hearth_record *r, void *ctx)
{
	ref_set *set = ctx;
	ref_fu *fu;

	assert_true(set->n < REF_MAX);
	fu = &set->fu[set->n++];
	memset(fu, 0, sizeof *fu);
	fu->id = r->id;
	fu->created = r->created;
	copy_fields(r, ref_names, R_N, fu->v[0], sizeof fu->v[0], fu->has);
	return 0;
}

/* A decimal number as the whole value, else def. */
static int ref_int(const ref_fu *fu, int k, int def)
{
	char *end;
	long v;

	if (!fu->has[k] || fu->v[k][0] == '\0')
		return def;
	v = strtol(fu->v[k], &end, 10);
	return *end == '\0' ? (int)v : def;
}

static int ref_cmp(const ref_row *a, const ref_row *b)
{
	int c;

	if (a->rank != b->rank)
		return a->rank - b->rank;
	if (a->days != b->days)
		return a->days > b->days ? -1 : 1;
	if ((c = strcmp(a->due, b->due)) != 0)
		return c;
	if ((c = memcmp(a->fu->created.b, b->fu->created.b, HEARTH_HLC_BYTES)) != 0)
		return c;
	return memcmp(a->fu->id.b, b->fu->id.b, HEARTH_ID_BYTES);
}

/* The list as the rules say it should be.  rows gets REF_MAX entries. */
static size_t ref_list(hearth_store *s, const ref_set *set, hearth_followup_which which,
		       const hearth_id *person, const char *today, ref_row *rows)
{
	char want[HEARTH_ID_HEX + 1] = "";
	int32_t now, d;
	size_t n = 0;

	assert_int_equal(hearth_date_parse(today, &now), HEARTH_OK);
	if (person != NULL)
		hearth_id_to_hex(person, want);
	for (size_t i = 0; i < set->n; i++) {
		const ref_fu *fu = &set->fu[i];
		const char *status = fu->has[R_STATUS] ? fu->v[R_STATUS] : NULL;
		int pending = status == NULL || strcmp(status, "done") != 0;
		ref_row row;

		memset(&row, 0, sizeof row);
		/* Pending lists: status open or retry, nothing else. */
		if (which != HEARTH_FOLLOWUPS_ALL &&
		    (status == NULL || (strcmp(status, "open") != 0 && strcmp(status, "retry") != 0)))
			continue;
		/* An unreadable due date counts as today. */
		if (!fu->has[R_DUE] || hearth_date_parse(fu->v[R_DUE], &d) != HEARTH_OK)
			d = now;
		row.days = pending && d < now ? now - d : 0;
		if (which == HEARTH_FOLLOWUPS_OVERDUE && row.days == 0)
			continue;
		if (person != NULL && (!fu->has[R_PERSON] || strcmp(fu->v[R_PERSON], want) != 0))
			continue;
		/* The person must be a live person record. */
		if (!fu->has[R_PERSON] || strlen(fu->v[R_PERSON]) != HEARTH_ID_HEX ||
		    hearth_id_from_hex(&row.person, fu->v[R_PERSON]) != HEARTH_OK ||
		    !live_person(s, &row.person, row.name, sizeof row.name))
			continue;
		row.fu = fu;
		hearth_date_format(d, row.due);
		row.rank = strcmp(fu->v[R_PRIORITY], "high") == 0 ? 0 :
			   strcmp(fu->v[R_PRIORITY], "low") == 0 ? 2 : 1;
		/* Safety follow-ups above every other (then by priority). */
		if (ref_int(fu, R_SAFETY, 0) != 1)
			row.rank += 3;
		/* Insertion sort: slow and plain. */
		size_t k = n++;
		while (k > 0 && ref_cmp(&rows[k - 1], &row) > 0) {
			rows[k] = rows[k - 1];
			k--;
		}
		rows[k] = row;
	}
	return n;
}

#define LIST_CHECK(cond, ...) do { \
		if (!(cond)) { \
			print_error("seed %u: %s list (which %d, person %s, today %s), " \
				    "item %zu: ", run_seed, what, (int)which, \
				    person ? "given" : "none", today, i); \
			print_error(__VA_ARGS__); \
			print_error("\n"); \
			fail(); \
		} \
	} while (0)

static void check_list(hearth_store *s, const ref_set *set, hearth_followup_which which,
		       const hearth_id *person, const char *today, const char *what)
{
	static ref_row rows[REF_MAX];
	hearth_followups *l = NULL;
	size_t n = ref_list(s, set, which, person, today, rows), i = 0;

	assert_int_equal(hearth_followup_list(s, which, person, today, &l), HEARTH_OK);
	LIST_CHECK(l->n == n, "%zu items, the reference has %zu", l->n, n);
	for (i = 0; i < n; i++) {
		const hearth_followup_item *it = &l->items[i];
		const ref_row *r = &rows[i];
		const ref_fu *fu = r->fu;

		LIST_CHECK(hearth_id_equal(&it->id, &fu->id), "another follow-up");
		LIST_CHECK(hearth_id_equal(&it->person, &r->person), "another person");
		LIST_CHECK(strcmp(it->person_name, r->name) == 0, "name '%s', want '%s'",
			   it->person_name, r->name);
		LIST_CHECK(strcmp(it->due, r->due) == 0, "due %s, want %s", it->due, r->due);
		LIST_CHECK(it->days_overdue == r->days, "%d days overdue, want %d",
			   (int)it->days_overdue, (int)r->days);
		LIST_CHECK(strcmp(it->reason, fu->v[R_REASON]) == 0, "reason");
		LIST_CHECK(strcmp(it->priority, fu->v[R_PRIORITY]) == 0, "priority '%s', want '%s'",
			   it->priority, fu->v[R_PRIORITY]);
		LIST_CHECK(strcmp(it->status, fu->v[R_STATUS]) == 0, "status");
		LIST_CHECK(strcmp(it->source, fu->v[R_SOURCE]) == 0, "source");
		LIST_CHECK(strcmp(it->outcome, fu->v[R_OUTCOME]) == 0, "outcome");
		LIST_CHECK(strcmp(it->closed, fu->v[R_CLOSED]) == 0, "closed");
		LIST_CHECK(it->attempts == ref_int(fu, R_ATTEMPTS, 0), "attempts %d", it->attempts);
		LIST_CHECK(it->safety == (ref_int(fu, R_SAFETY, 0) == 1), "safety");
		LIST_CHECK(it->escalated == (ref_int(fu, R_ESCALATED, 0) == 1), "escalated");
	}
	hearth_followups_free(l);
}

/* Writes n follow-ups, about one in pending_in of them pending. */
static void fill_followups(hearth_store *s, const hearth_id *people, int npeople,
			   const hearth_id *not_person, int n, int pending_in)
{
	static const char *const priorities[] = { "high", "normal", "low", "high", "normal",
						  "low", "urgent", NULL };
	static const char *const sources[] = { "manual", "screening", "noshow", "hotline" };
	char hex[HEARTH_ID_HEX + 1], day[HEARTH_DATE_LEN + 1], num[16];
	int32_t d0;
	hearth_id id;

	assert_int_equal(hearth_date_from_ymd(2026, 3, 1, &d0), HEARTH_OK);
	assert_int_equal(hearth_store_begin(s), HEARTH_OK);
	for (int i = 0; i < n; i++) {
		uint32_t r;

		assert_int_equal(hearth_record_create(s, NULL, "followup", &id), HEARTH_OK);
		/* The person: mostly real (some deleted later), else a
		 * record of another kind, not an id, or absent. */
		r = run_rnd(100);
		if (r < 88)
			hearth_id_to_hex(&people[run_rnd((uint32_t)npeople)], hex);
		else if (r < 92)
			hearth_id_to_hex(not_person, hex);
		else if (r < 95)
			snprintf(hex, sizeof hex, "%s", "not an id");
		else if (r < 97)
			snprintf(hex, sizeof hex, "%s", "zz345678901234567890123456789012");
		else
			hex[0] = '\0';
		if (hex[0] != '\0')
			assert_int_equal(hearth_record_set(s, &id, "person", hex), HEARTH_OK);
		/* Due within six weeks (so many share a day), or damaged. */
		r = run_rnd(100);
		hearth_date_format(d0 + (int32_t)run_rnd(42), day);
		if (r < 88)
			assert_int_equal(hearth_record_set(s, &id, "due", day), HEARTH_OK);
		else if (r < 92)
			assert_int_equal(hearth_record_set(s, &id, "due", "2026-3-05"), HEARTH_OK);
		else if (r < 96)
			assert_int_equal(hearth_record_set(s, &id, "due", "2026-03-04 09:00"),
					 HEARTH_OK);
		snprintf(num, sizeof num, "r%d", i);
		assert_int_equal(hearth_record_set(s, &id, "reason", num), HEARTH_OK);
		if (priorities[r = run_rnd(8)] != NULL)
			assert_int_equal(hearth_record_set(s, &id, "priority", priorities[r]),
					 HEARTH_OK);
		assert_int_equal(hearth_record_set(s, &id, "source", sources[run_rnd(4)]),
				 HEARTH_OK);
		r = run_rnd(100);
		if (r < 4) {
			/* no status */
		} else if (r < 7) {
			assert_int_equal(hearth_record_set(s, &id, "status", "paused"), HEARTH_OK);
		} else if (r < 10) {
			/* set, then cleared: absent */
			assert_int_equal(hearth_record_set(s, &id, "status", "open"), HEARTH_OK);
			assert_int_equal(hearth_record_set(s, &id, "status", NULL), HEARTH_OK);
		} else if (run_rnd((uint32_t)pending_in) == 0) {
			assert_int_equal(hearth_record_set(s, &id, "status",
							   run_rnd(2) ? "open" : "retry"), HEARTH_OK);
		} else {
			assert_int_equal(hearth_record_set(s, &id, "status", "done"), HEARTH_OK);
			assert_int_equal(hearth_record_set(s, &id, "outcome", "talked"), HEARTH_OK);
			assert_int_equal(hearth_record_set(s, &id, "closed", day), HEARTH_OK);
		}
		r = run_rnd(20);
		snprintf(num, sizeof num, "%u", r % 5);
		assert_int_equal(hearth_record_set(s, &id, "attempts", r == 0 ? "x" : num),
				 HEARTH_OK);
		if (run_rnd(8) == 0)
			assert_int_equal(hearth_record_set(s, &id, "safety", "1"), HEARTH_OK);
		if (run_rnd(12) == 0)
			assert_int_equal(hearth_record_set(s, &id, "escalated", "1"), HEARTH_OK);
		if (run_rnd(25) == 0)
			assert_int_equal(hearth_record_delete(s, &id), HEARTH_OK);
	}
	assert_int_equal(hearth_store_commit(s), HEARTH_OK);
}

static void check_lists(hearth_store *s, const hearth_id *people, const char *what)
{
	static ref_set set;
	static const char *const days[] = { "2026-03-03", "2026-03-20", "2026-05-01" };
	static const hearth_followup_which whiches[] = {
		HEARTH_FOLLOWUPS_PENDING, HEARTH_FOLLOWUPS_OVERDUE, HEARTH_FOLLOWUPS_ALL,
	};

	set.n = 0;
	assert_int_equal(hearth_store_each(s, "followup", 0, ref_collect, &set), HEARTH_OK);
	for (size_t d = 0; d < 3; d++) {
		for (size_t w = 0; w < 3; w++) {
			check_list(s, &set, whiches[w], NULL, days[d], what);
			/* people[0] and [1] are deleted (no list of their
			 * own); people[6] has no name. */
			for (int p = 2; p <= 6; p++)
				check_list(s, &set, whiches[w], &people[p], days[d], what);
		}
	}
}

static void test_followup_lists_match_reference(void **state)
{
	fixture *f = *state;
	hearth_id people[24], appt;
	hearth_followups *l = NULL;
	char name[32], hex[HEARTH_ID_HEX + 1];

	seed_run("follow-up lists", 0x9E3779B97F4A7C15ULL);
	for (int i = 0; i < 24; i++) {
		snprintf(name, sizeof name, "%s%d", i % 2 ? "王芳" : "Li ", i);
		if (i % 7 == 6) /* a person without a name */
			assert_int_equal(hearth_record_create(f->s, NULL, "person", &people[i]),
					 HEARTH_OK);
		else
			people[i] = add_person(f->s, name);
	}
	/* Not a person; and not a follow-up, though it looks like a
	 * pending one of people[2]. */
	assert_int_equal(hearth_record_create(f->s, NULL, "appointment", &appt), HEARTH_OK);
	hearth_id_to_hex(&people[2], hex);
	assert_int_equal(hearth_record_set(f->s, &appt, "person", hex), HEARTH_OK);
	assert_int_equal(hearth_record_set(f->s, &appt, "status", "open"), HEARTH_OK);
	assert_int_equal(hearth_record_set(f->s, &appt, "due", "2026-03-01"), HEARTH_OK);

	/* Few pending among many done: the pending and overdue lists are
	 * short, and read by key. */
	fill_followups(f->s, people, 24, &appt, 300, 20);
	assert_int_equal(hearth_record_delete(f->s, &people[0]), HEARTH_OK);
	assert_int_equal(hearth_record_delete(f->s, &people[1]), HEARTH_OK);
	check_lists(f->s, people, "few pending");
	/* Then many pending: long lists, read by scans. */
	fill_followups(f->s, people, 24, &appt, 300, 2);
	check_lists(f->s, people, "many pending");

	/* The data was rich enough for the check to mean something. */
	assert_int_equal(hearth_followup_list(f->s, HEARTH_FOLLOWUPS_OVERDUE, NULL,
					      "2026-05-01", &l), HEARTH_OK);
	assert_true(l->n > 50);
	hearth_followups_free(l);
	/* A deleted person has no list. */
	assert_int_equal(hearth_followup_list(f->s, HEARTH_FOLLOWUPS_ALL, &people[0],
					      "2026-05-01", &l), HEARTH_ENOTFOUND);
}

static void test_followup_bad_input(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_id nobody = hearth_id_random();
	hearth_followup_new n;
	hearth_id id;

	memset(&n, 0, sizeof n);
	n.person = p;
	n.reason = "call";
	n.due = "2026-02-30";
	assert_int_equal(hearth_followup_add(f->s, &n, "2026-12-01", &id), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail(), "'2026-02-30' is not a valid date: use YYYY-MM-DD");
	n.due = "2026-12-30";
	assert_int_equal(hearth_followup_add(f->s, &n, "2026-13-01", &id), HEARTH_EINVAL);
	n.priority = "urgent";
	assert_int_equal(hearth_followup_add(f->s, &n, "2026-12-01", &id), HEARTH_EINVAL);
	n.priority = NULL;
	n.reason = "  ";
	assert_int_equal(hearth_followup_add(f->s, &n, "2026-12-01", &id), HEARTH_EINVAL);
	n.reason = "two\nlines";
	assert_int_equal(hearth_followup_add(f->s, &n, "2026-12-01", &id), HEARTH_EINVAL);
	n.reason = "call";
	n.source = "rumour";
	assert_int_equal(hearth_followup_add(f->s, &n, "2026-12-01", &id), HEARTH_EINVAL);
	n.source = NULL;
	n.person = nobody;
	assert_int_equal(hearth_followup_add(f->s, &n, "2026-12-01", &id), HEARTH_ENOTFOUND);
	assert_int_equal(count_kind(f->s, "followup"), 0);
	assert_int_equal(count_audit(f->s, "followup.add"), 0);

	n.person = p;
	assert_int_equal(hearth_followup_add(f->s, &n, "2026-12-01", &id), HEARTH_OK);
	assert_int_equal(hearth_followup_done(f->s, &id, "", "2026-12-01"), HEARTH_EINVAL);
	assert_int_equal(hearth_followup_done(f->s, &id, "ok", "2026-02-30"), HEARTH_EINVAL);
	assert_int_equal(hearth_followup_unreachable(f->s, &id, "bad", NULL), HEARTH_EINVAL);
	assert_int_equal(hearth_followup_done(f->s, &nobody, "ok", "2026-12-01"), HEARTH_ENOTFOUND);
	{
		char fbuf[64];

		assert_string_equal(FIELD(f->s, &id, "status"), "open");
		assert_string_equal(FIELD(f->s, &id, "attempts"), "0");
	}
}

/* ---- safety: one follow-up to do at a time -------------------------------- */

static void test_safety_second_trigger_reuses(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_id first, again, later;
	hearth_activity_new a;
	hearth_activity_added res;
	size_t n;
	char fbuf[64];

	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-10", "screening",
						       NULL, NULL, &first), HEARTH_OK);
	assert_int_equal(count_audit(f->s, "followup.add"), 1);

	/* Same day, and days later while it is still open and overdue: the
	 * same follow-up comes back, and no other is made. */
	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-10", "crisis",
						       NULL, &hotline_why, &again), HEARTH_OK);
	assert_true(hearth_id_equal(&first, &again));
	/* Meanwhile the risk was lowered (with a reason) and the case set
	 * back to open (it cannot close): the trigger sets them back. */
	assert_int_equal(hearth_person_set_risk(f->s, &p, "low", "calmer on the phone"),
			 HEARTH_OK);
	assert_int_equal(hearth_person_set_case(f->s, &p, "open"), HEARTH_OK);
	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-14", "screening",
						       NULL, NULL, &again), HEARTH_OK);
	assert_true(hearth_id_equal(&first, &again));
	assert_string_equal(FIELD(f->s, &p, "risk"), "high");
	assert_string_equal(FIELD(f->s, &p, "case"), "followup");
	assert_string_equal(FIELD(f->s, &first, "reason_code"), "safety");
	assert_string_equal(FIELD(f->s, &first, "reason"), "");
	assert_int_equal(count_kind(f->s, "followup"), 1);
	assert_int_equal(count_audit(f->s, "followup.add"), 1);
	assert_int_equal(hearth_followup_pending_safety(f->s, &p, &n), HEARTH_OK);
	assert_int_equal(n, 1);

	/* A high-risk call links the follow-up already open. */
	memset(&a, 0, sizeof a);
	a.type = "hotline";
	a.date = "2026-12-14";
	a.person = &p;
	a.risk = "high";
	a.attendance = a.minutes = -1;
	assert_int_equal(hearth_activity_add(f->s, &a, "2026-12-14", &res), HEARTH_OK);
	assert_int_equal(res.safety, HEARTH_ACTIVITY_SAFETY_FOLLOWUP);
	assert_true(hearth_id_equal(&res.followup, &first));
	assert_int_equal(count_kind(f->s, "followup"), 1);

	/* Moved on past today by an unreachable attempt, it no longer
	 * covers a trigger today: a new one is due today. */
	assert_int_equal(hearth_followup_unreachable(f->s, &first, "2026-12-14", NULL), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &first, "due"), "2026-12-15");
	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-14", "screening",
						       NULL, NULL, &later), HEARTH_OK);
	assert_false(hearth_id_equal(&first, &later));
	assert_string_equal(FIELD(f->s, &later, "due"), "2026-12-14");
	/* Done ones never count. */
	assert_int_equal(hearth_followup_done(f->s, &later, "seen", "2026-12-14"), HEARTH_OK);
	assert_int_equal(hearth_followup_done(f->s, &first, "seen", "2026-12-14"), HEARTH_OK);
	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-14", "screening",
						       NULL, NULL, &again), HEARTH_OK);
	assert_false(hearth_id_equal(&again, &first));
	assert_false(hearth_id_equal(&again, &later));
	assert_int_equal(count_kind(f->s, "followup"), 3);
	assert_int_equal(count_audit(f->s, "followup.add"), 3);
}

/* Every list a face shows: each holds the safety follow-up above the
 * ordinary high-priority one that is more overdue. */
static void test_safety_sorts_first(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_id q = add_person(f->s, "Q");
	const hearth_followup_which which[] = { HEARTH_FOLLOWUPS_PENDING,
						HEARTH_FOLLOWUPS_OVERDUE,
						HEARTH_FOLLOWUPS_ALL };
	hearth_followups *l = NULL;
	hearth_id late, safe, qlate, low;
	size_t w;

	late = add_followup(f->s, &p, "2026-12-01", "high", "late high");
	low = add_followup(f->s, &p, "2026-11-01", "low", "very late low");
	assert_int_equal(hearth_followup_create_safety(f->s, &q, "2026-12-10", "hotline",
						       NULL, &hotline_why, &safe), HEARTH_OK);
	qlate = add_followup(f->s, &q, "2026-11-20", "high", "q late high");
	/* Escalated: high priority and flagged, still below safety. */
	for (w = 0; w < 3; w++)
		assert_int_equal(hearth_followup_unreachable(f->s, &qlate, "2026-11-20", NULL),
				 HEARTH_OK);

	for (w = 0; w < 3; w++) {
		/* Everyone's: as Today and the Follow-ups page ask. */
		assert_int_equal(hearth_followup_list(f->s, which[w], NULL, "2026-12-14", &l),
				 HEARTH_OK);
		assert_int_equal(l->n, 4);
		assert_true(hearth_id_equal(&l->items[0].id, &safe));
		assert_true(l->items[0].safety);
		assert_true(l->items[0].days_overdue < l->items[1].days_overdue);
		assert_true(hearth_id_equal(&l->items[1].id, &late) ||
			    hearth_id_equal(&l->items[1].id, &qlate));
		assert_true(hearth_id_equal(&l->items[3].id, &low));
		hearth_followups_free(l);
		l = NULL;
		/* One person's: as the person page and `followup list
		 * --person` ask. */
		assert_int_equal(hearth_followup_list(f->s, which[w], &q, "2026-12-14", &l),
				 HEARTH_OK);
		assert_int_equal(l->n, 2);
		assert_true(hearth_id_equal(&l->items[0].id, &safe));
		assert_true(hearth_id_equal(&l->items[1].id, &qlate));
		hearth_followups_free(l);
		l = NULL;
	}
}

/* Follow-up reasons are codes with parameters, shown in the language of
 * the catalogue in use. */

static char *label_of(hearth_store *s, const hearth_id *fu)
{
	hearth_followups *l = NULL;
	char *out = NULL;

	assert_int_equal(hearth_followup_list(s, HEARTH_FOLLOWUPS_ALL, NULL, "2026-12-14", &l),
			 HEARTH_OK);
	for (size_t i = 0; i < l->n; i++)
		if (hearth_id_equal(&l->items[i].id, fu))
			out = strdup(l->items[i].label);
	hearth_followups_free(l);
	assert_non_null(out);
	return out;
}

/* An open follow-up written field by field, as another version (older or
 * newer) would write it: one reason field, name = value. */
static hearth_id raw_followup(hearth_store *s, const hearth_id *person, const char *due,
			      const char *name, const char *value)
{
	char hex[HEARTH_ID_HEX + 1];
	hearth_id id;

	hearth_id_to_hex(person, hex);
	assert_int_equal(hearth_record_create(s, NULL, "followup", &id), HEARTH_OK);
	assert_int_equal(hearth_record_set(s, &id, "person", hex), HEARTH_OK);
	assert_int_equal(hearth_record_set(s, &id, "due", due), HEARTH_OK);
	assert_int_equal(hearth_record_set(s, &id, "status", "open"), HEARTH_OK);
	assert_int_equal(hearth_record_set(s, &id, name, value), HEARTH_OK);
	return id;
}

#define ASSERT_LABEL(s, fu, want) do { \
		char *got_ = label_of((s), (fu)); \
		assert_string_equal(got_, (want)); \
		free(got_); \
	} while (0)

static void test_followup_reason_codes(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_followup_reason why = { .code = "screening_safety", .instrument = "phq9" };
	hearth_appt_result *r = book(f->s, &p, "2026-11-14 10:00", NULL, NULL);
	hearth_followup_new n;
	hearth_id safe, band, noshow, manual, old_zh, old_en, newer;
	hearth_timeline *t = NULL;
	char fbuf[64], *text;

	/* Made while the Chinese catalogue is in use: codes are stored,
	 * whatever the language. */
	use_language("zh_CN");
	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-14", "screening",
						       NULL, &why, &safe), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &safe, "reason_code"), "screening_safety");
	assert_string_equal(FIELD(f->s, &safe, "reason_instrument"), "phq9");
	assert_string_equal(FIELD(f->s, &safe, "reason"), "");
	memset(&n, 0, sizeof n);
	n.person = p;
	n.due = "2026-12-28";
	n.reason_code = "screening_band";
	n.reason_instrument = "phq9";
	n.reason_band = "moderate";
	assert_int_equal(hearth_followup_add(f->s, &n, "2026-12-14", &band), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &band, "reason_band"), "moderate");
	assert_int_equal(hearth_appt_noshow(f->s, &r->ids[0], "2026-12-14", &noshow), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &noshow, "reason_code"), "noshow");
	assert_string_equal(FIELD(f->s, &noshow, "reason_at"), "2026-11-14 10:00");
	assert_string_equal(FIELD(f->s, &noshow, "reason"), "");
	manual = add_followup(f->s, &p, "2026-12-20", NULL, "电话回访近况");
	assert_string_equal(FIELD(f->s, &manual, "reason_code"), "manual");
	assert_string_equal(FIELD(f->s, &manual, "reason"), "电话回访近况");
	/* Records written before codes: only a sentence. */
	old_zh = raw_followup(f->s, &p, "2026-12-01", "reason", "phq9 筛查后的安全随访");
	old_en = raw_followup(f->s, &p, "2026-12-02", "reason", "no-show 2026-11-14 10:00");
	/* A code from a newer version. */
	newer = raw_followup(f->s, &p, "2026-12-03", "reason_code", "campaign");

	/* Shown in Chinese ... */
	ASSERT_LABEL(f->s, &safe, "phq9 筛查后的安全随访");
	ASSERT_LABEL(f->s, &band, "phq9 筛查后跟进：中度症状（10-14分）");
	ASSERT_LABEL(f->s, &noshow, "爽约 2026-11-14 10:00");
	ASSERT_LABEL(f->s, &manual, "电话回访近况");
	ASSERT_LABEL(f->s, &old_zh, "phq9 筛查后的安全随访");
	ASSERT_LABEL(f->s, &old_en, "爽约 2026-11-14 10:00");
	ASSERT_LABEL(f->s, &newer, "campaign");
	/* ... and the same records in English. */
	use_language("en");
	ASSERT_LABEL(f->s, &safe, "safety check after a phq9 screening");
	ASSERT_LABEL(f->s, &band, "follow-up after a phq9 screening: Moderate symptoms (10-14)");
	ASSERT_LABEL(f->s, &noshow, "no-show 2026-11-14 10:00");
	ASSERT_LABEL(f->s, &manual, "电话回访近况");
	ASSERT_LABEL(f->s, &old_zh, "phq9 筛查后的安全随访");
	ASSERT_LABEL(f->s, &old_en, "no-show 2026-11-14 10:00");

	/* The one function, called directly; and the timeline uses it. */
	why.code = "screening_band";
	why.band = "severe";
	assert_non_null(text = hearth_followup_reason_text(&why));
	assert_string_equal(text, "follow-up after a phq9 screening: Severe symptoms (20-27)");
	free(text);
	why.instrument = "nosuchscale";
	assert_non_null(text = hearth_followup_reason_text(&why));
	assert_string_equal(text, "follow-up after a nosuchscale screening: severe");
	free(text);
	assert_int_equal(hearth_person_timeline(f->s, &p, &t), HEARTH_OK);
	for (size_t i = 0; i < t->n; i++)
		if (hearth_id_equal(&t->items[i].id, &safe))
			assert_string_equal(t->items[i].summary,
					    "safety check after a phq9 screening");
	hearth_timeline_free(t);

	/* Bad codes and parameters are refused. */
	memset(&n, 0, sizeof n);
	n.person = p;
	n.due = "2026-12-28";
	n.reason_code = "because";
	assert_int_equal(hearth_followup_add(f->s, &n, "2026-12-14", NULL), HEARTH_EINVAL);
	n.reason_code = "screening_band";
	n.reason_instrument = "phq9";
	assert_int_equal(hearth_followup_add(f->s, &n, "2026-12-14", NULL), HEARTH_EINVAL);
	n.reason_band = "mild";
	n.reason = "a sentence as well";
	assert_int_equal(hearth_followup_add(f->s, &n, "2026-12-14", NULL), HEARTH_EINVAL);
	n.reason = NULL;
	n.reason_at = "2026-12-01 10:00";
	assert_int_equal(hearth_followup_add(f->s, &n, "2026-12-14", NULL), HEARTH_EINVAL);
	why.code = "noshow";
	why.instrument = why.band = NULL;
	why.at = "2026-12-01 10:00";
	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-14", "screening",
						       NULL, &why, NULL), HEARTH_EINVAL);
	assert_true(hearth_followup_reason_valid("hotline_safety"));
	assert_false(hearth_followup_reason_valid("no-show"));
	assert_false(hearth_followup_reason_valid(NULL));
	hearth_appt_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unreachable_escalates_on_third, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_overdue_ordering, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_followup_lists_match_reference, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_followup_bad_input, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_safety_second_trigger_reuses, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_safety_sorts_first, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_followup_reason_codes, store_setup, store_teardown),
	};

	return cmocka_run_group_tests_name("followups", tests, NULL, NULL);
}
