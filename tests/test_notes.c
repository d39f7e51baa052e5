/*
 * test_notes.c - append-only session notes, and the list and count of held
 * sessions without a note checked against a brute-force reference on random
 * data.
 *
 * Suite 'notes'.  Each test gets a fresh store on a plain SQLite file in a
 * temporary directory (testutil.h).  The seed is printed; HEARTH_TEST_SEED
 * repeats a run.
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
#include "hearth/note.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#include "testutil.h"

/* ---- notes ------------------------------------------------------------- */

static void test_notes_append_only(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_id q = add_person(f->s, "Q");
	hearth_appt_result *held = book(f->s, &p, "2026-12-01 10:00", NULL, NULL);
	hearth_appt_result *held2 = book(f->s, &p, "2026-12-08 10:00", NULL, NULL);
	hearth_appt_result *booked = book(f->s, &p, "2026-12-15 10:00", NULL, NULL);
	hearth_note_new n;
	hearth_id note, am1, am2, x;
	hearth_notes *l = NULL;
	hearth_appts *m = NULL;
	char *dump_before = NULL, *dump_after = NULL;
	size_t len;
	hearth_record *orig_before = NULL, *orig_after = NULL;

	assert_int_equal(hearth_appt_done(f->s, &held->ids[0]), HEARTH_OK);
	assert_int_equal(hearth_appt_done(f->s, &held2->ids[0]), HEARTH_OK);

	/* Both held sessions lack a note; the booked one is not listed. */
	assert_int_equal(hearth_note_missing(f->s, &m), HEARTH_OK);
	assert_int_equal(m->n, 2);
	assert_true(hearth_id_equal(&m->items[0].id, &held->ids[0]));
	assert_true(hearth_id_equal(&m->items[1].id, &held2->ids[0]));
	hearth_appts_free(m);

	memset(&n, 0, sizeof n);
	n.person = p;
	n.appt = &held->ids[0];
	n.format = "dap";
	n.text = "D: sleeps badly\nA: stress at work\nP: meet weekly";
	assert_int_equal(hearth_note_add(f->s, &n, "2026-12-01", &note), HEARTH_OK);
	assert_int_equal(hearth_note_missing(f->s, &m), HEARTH_OK);
	assert_int_equal(m->n, 1);
	assert_true(hearth_id_equal(&m->items[0].id, &held2->ids[0]));
	hearth_appts_free(m);

	/* Amending leaves the original exactly as it was. */
	assert_int_equal(hearth_record_load(f->s, &note, &orig_before), HEARTH_OK);
	assert_int_equal(hearth_note_amend(f->s, &note, "P: meet every two weeks",
					   "2026-12-02", &am1), HEARTH_OK);
	/* Amending an amendment amends the original. */
	assert_int_equal(hearth_note_amend(f->s, &am1, "A: also family worries",
					   "2026-12-03", &am2), HEARTH_OK);
	assert_int_equal(hearth_record_load(f->s, &note, &orig_after), HEARTH_OK);
	assert_int_equal(orig_before->nfields, orig_after->nfields);
	for (len = 0; len < orig_before->nfields; len++) {
		assert_string_equal(orig_before->fields[len].name, orig_after->fields[len].name);
		assert_string_equal(orig_before->fields[len].value, orig_after->fields[len].value);
		assert_int_equal(hearth_hlc_cmp(&orig_before->fields[len].hlc,
						&orig_after->fields[len].hlc), 0);
	}
	assert_null(hearth_record_field(orig_after, "amends"));
	hearth_record_free(orig_before);
	hearth_record_free(orig_after);

	/* Showing the note (by its id or an amendment's) shows all three. */
	assert_int_equal(hearth_note_show(f->s, &am2, &l), HEARTH_OK);
	assert_int_equal(l->n, 3);
	assert_true(hearth_id_equal(&l->items[0].id, &note));
	assert_false(l->items[0].is_amendment);
	assert_string_equal(l->items[0].text, n.text);
	assert_string_equal(l->items[0].format, "dap");
	assert_true(l->items[0].has_appt);
	assert_true(hearth_id_equal(&l->items[1].id, &am1));
	assert_true(l->items[1].is_amendment);
	assert_true(hearth_id_equal(&l->items[1].amends, &note));
	assert_string_equal(l->items[1].date, "2026-12-02");
	assert_true(hearth_id_equal(&l->items[2].id, &am2));
	assert_true(hearth_id_equal(&l->items[2].amends, &note));
	hearth_notes_free(l);

	assert_int_equal(hearth_note_list(f->s, &p, &l), HEARTH_OK);
	assert_int_equal(l->n, 3);
	assert_true(hearth_id_equal(&l->items[0].id, &note));
	hearth_notes_free(l);

	/* Refused: no text, bad format, someone else's appointment, bad
	 * date; nothing is written. */
	assert_int_equal(hearth_store_dump(f->s, &dump_before, &len), HEARTH_OK);
	n.text = " \n";
	assert_int_equal(hearth_note_add(f->s, &n, "2026-12-01", &x), HEARTH_EINVAL);
	n.text = "ok";
	n.format = "poem";
	assert_int_equal(hearth_note_add(f->s, &n, "2026-12-01", &x), HEARTH_EINVAL);
	n.format = NULL;
	n.person = q;
	assert_int_equal(hearth_note_add(f->s, &n, "2026-12-01", &x), HEARTH_EINVAL);
	n.person = p;
	assert_int_equal(hearth_note_add(f->s, &n, "2026-12-32", &x), HEARTH_EINVAL);
	assert_int_equal(hearth_note_amend(f->s, &note, "", "2026-12-01", &x), HEARTH_EINVAL);
	assert_int_equal(hearth_note_amend(f->s, &held->ids[0], "x", "2026-12-01", &x),
			 HEARTH_ENOTFOUND);
	assert_int_equal(hearth_store_dump(f->s, &dump_after, &len), HEARTH_OK);
	assert_string_equal(dump_before, dump_after);
	free(dump_before);
	free(dump_after);

	hearth_appt_result_free(held);
	hearth_appt_result_free(held2);
	hearth_appt_result_free(booked);
}

/* ---- held sessions without a note, against a brute-force reference ------ */

/*
 * hearth_note_missing reads index ranges and joins them in memory, loads
 * only the appointments it lists, and looks their people up by key or, for
 * many, by a scan of every person.  This reference reads every appointment
 * and note whole (hearth_store_each) and applies the rules one by one:
 * status exactly "done"; no live note whose appt is the appointment's id
 * as written (lowercase hex); a start that parses; a person field naming
 * a live person.  Lists must agree item for item, field for field, in
 * order (start, then creation), and the count with the list.  Random data
 * (seeded; HEARTH_TEST_SEED repeats a run) with the awkward cases, in
 * three rounds whose lists have under 32 people (looked up by key), 38
 * people among 698 (the scan gives up: by key) and some hundreds (by
 * scan).
 */

#define NM_PEOPLE 700
#define NM_MAX 1200

typedef struct nm_appt {
	hearth_id id;
	hearth_hlc created;
	char v[8][48]; /* the fields of nm_names, "" when absent */
	int has[8];
} nm_appt;

static const char *const nm_names[8] = {
	"at", "person", "minutes", "mode", "place", "counsellor", "status", "series",
};

typedef struct nm_ref {
	nm_appt appts[NM_MAX];
	size_t n;
	char (*named)[HEARTH_ID_HEX + 8]; /* appt values of live notes */
	size_t nnamed;
} nm_ref;

static int nm_collect_appt(const hearth_record *r, void *ctx)
{
	nm_ref *ref = ctx;
	nm_appt *a;

	assert_true(ref->n < NM_MAX);
	a = &ref->appts[ref->n++];
	memset(a, 0, sizeof *a);
	a->id = r->id;
	a->created = r->created;
	copy_fields(r, nm_names, 8, a->v[0], sizeof a->v[0], a->has);
	return 0;
}

static int nm_collect_note(const hearth_record *r, void *ctx)
{
	nm_ref *ref = ctx;
	const char *v = hearth_record_field(r, "appt");

	if (v == NULL || strlen(v) >= HEARTH_ID_HEX + 8)
		return 0;
	ref->named = realloc(ref->named, (ref->nnamed + 1) * sizeof *ref->named);
	assert_non_null(ref->named);
	strcpy(ref->named[ref->nnamed++], v);
	return 0;
}

/* An id field as the lists read one: 32 hex digits, either case. */
static int nm_id(const char *s, int has, hearth_id *out)
{
	return has && strlen(s) == HEARTH_ID_HEX && hearth_id_from_hex(out, s) == HEARTH_OK;
}

typedef struct nm_row {
	const nm_appt *a;
	hearth_id person;
	char name[48];
	hearth_id series;
	int has_series, seq, minutes;
} nm_row;

static int nm_cmp(const nm_row *x, const nm_row *y)
{
	int c = strcmp(x->a->v[0], y->a->v[0]);

	if (c != 0)
		return c;
	c = memcmp(x->a->created.b, y->a->created.b, HEARTH_HLC_BYTES);
	if (c != 0)
		return c;
	return memcmp(x->a->id.b, y->a->id.b, HEARTH_ID_BYTES);
}

/* The list by the rules.  Returns its length; *npeople gets the number of
 * distinct people in it. */
static size_t nm_reference(hearth_store *s, nm_ref *ref, nm_row *rows, size_t *npeople)
{
	size_t n = 0;

	ref->n = 0;
	free(ref->named);
	ref->named = NULL;
	ref->nnamed = 0;
	assert_int_equal(hearth_store_each(s, "appointment", 0, nm_collect_appt, ref), HEARTH_OK);
	assert_int_equal(hearth_store_each(s, "note", 0, nm_collect_note, ref), HEARTH_OK);
	*npeople = 0;
	for (size_t i = 0; i < ref->n; i++) {
		const nm_appt *a = &ref->appts[i];
		char hex[HEARTH_ID_HEX + 1];
		hearth_record *full = NULL;
		int64_t at;
		nm_row row;
		size_t k;

		if (!a->has[6] || strcmp(a->v[6], "done") != 0)
			continue;
		hearth_id_to_hex(&a->id, hex);
		for (k = 0; k < ref->nnamed; k++)
			if (strcmp(ref->named[k], hex) == 0)
				break;
		if (k < ref->nnamed)
			continue;
		if (!a->has[0] || hearth_datetime_parse(a->v[0], &at) != HEARTH_OK)
			continue;
		memset(&row, 0, sizeof row);
		if (!nm_id(a->v[1], a->has[1], &row.person) ||
		    !live_person(s, &row.person, row.name, sizeof row.name))
			continue;
		row.a = a;
		row.minutes = stored_int(a->v[2], a->has[2], HEARTH_APPT_DEFAULT_MINUTES);
		row.has_series = nm_id(a->v[7], a->has[7], &row.series);
		assert_int_equal(hearth_record_load(s, &a->id, &full), HEARTH_OK);
		if (row.has_series) {
			const char *seq = hearth_record_field(full, "seq");

			row.seq = stored_int(seq ? seq : "", seq != NULL, 0);
		}
		hearth_record_free(full);
		for (k = 0; k < n; k++)
			if (hearth_id_equal(&rows[k].person, &row.person))
				break;
		if (k == n)
			(*npeople)++;
		/* Insertion sort: slow and plain. */
		k = n++;
		while (k > 0 && nm_cmp(&rows[k - 1], &row) > 0) {
			rows[k] = rows[k - 1];
			k--;
		}
		rows[k] = row;
	}
	return n;
}

#define NM_CHECK(cond, ...) do { \
		if (!(cond)) { \
			print_error("seed %u: notes missing (%s), item %zu: ", run_seed, what, i); \
			print_error(__VA_ARGS__); \
			print_error("\n"); \
			fail(); \
		} \
	} while (0)

/* Checks list and count against the reference; returns the number of
 * distinct people listed. */
static size_t nm_check(hearth_store *s, const char *what)
{
	static nm_ref ref;
	static nm_row rows[NM_MAX];
	hearth_appts *l = NULL;
	size_t n, npeople, count = 99, i = 0;

	memset(&ref, 0, sizeof ref);
	n = nm_reference(s, &ref, rows, &npeople);
	assert_int_equal(hearth_note_missing(s, &l), HEARTH_OK);
	assert_int_equal(hearth_note_missing_count(s, &count), HEARTH_OK);
	NM_CHECK(l->n == n, "%zu items, the reference has %zu", l->n, n);
	NM_CHECK(count == n, "count %zu, the reference has %zu", count, n);
	for (i = 0; i < n; i++) {
		const hearth_appt_item *it = &l->items[i];
		const nm_row *r = &rows[i];

		NM_CHECK(hearth_id_equal(&it->id, &r->a->id), "another appointment");
		NM_CHECK(hearth_id_equal(&it->person, &r->person), "another person");
		NM_CHECK(strcmp(it->person_name, r->name) == 0, "name '%s', want '%s'",
			 it->person_name, r->name);
		NM_CHECK(strcmp(it->at, r->a->v[0]) == 0, "at %s, want %s", it->at, r->a->v[0]);
		NM_CHECK(it->minutes == r->minutes, "minutes %d, want %d", it->minutes, r->minutes);
		NM_CHECK(strcmp(it->mode, r->a->v[3]) == 0, "mode");
		NM_CHECK(strcmp(it->place, r->a->v[4]) == 0, "place");
		NM_CHECK(strcmp(it->counsellor, r->a->v[5]) == 0, "counsellor");
		NM_CHECK(strcmp(it->status, "done") == 0, "status %s", it->status);
		NM_CHECK(it->has_series == r->has_series, "series");
		NM_CHECK(!r->has_series || hearth_id_equal(&it->series, &r->series), "series id");
		NM_CHECK(it->seq == r->seq, "seq %d, want %d", it->seq, r->seq);
	}
	hearth_appts_free(l);
	free(ref.named);
	print_message("notes missing (%s): %zu held sessions without a note, %zu people\n",
		      what, n, npeople);
	return npeople;
}

static void nm_set(hearth_store *s, const hearth_id *id, const char *f, const char *v)
{
	assert_int_equal(hearth_record_set(s, id, f, v), HEARTH_OK);
}

/* Writes n appointments of people[lo, hi) straight through the store, as
 * this module or a damaged copy could have, and notes about most. */
static void nm_fill(hearth_store *s, const hearth_id *people, int lo, int hi,
		    const hearth_id *not_person, int n)
{
	static const char *const statuses[] = { "done", "done", "done", "done", "done",
						"booked", "noshow", "cancelled", "Done", NULL };
	static const char *const minutes[] = { "50", "50", "90", "abc", "", NULL };
	static const char *const places[] = { "Room 1", "驿站咨询室", "", NULL };
	char hex[HEARTH_ID_HEX + 1], at[32];
	hearth_id id, note, series = hearth_id_random();
	uint32_t r;

	assert_int_equal(hearth_store_begin(s), HEARTH_OK);
	for (int i = 0; i < n; i++) {
		assert_int_equal(hearth_record_create(s, NULL, "appointment", &id), HEARTH_OK);
		/* Few distinct starts, so that creation order often decides. */
		r = run_rnd(100);
		snprintf(at, sizeof at, "2026-03-%02u %02u:%s", 1 + run_rnd(6), 9 + run_rnd(3),
			 run_rnd(2) ? "00" : "30");
		if (r < 4)
			snprintf(at, sizeof at, "2026-3-05 10:00");
		else if (r < 6)
			snprintf(at, sizeof at, "2026-03-05");
		else if (r < 8)
			snprintf(at, sizeof at, "2026-03-05 10:00 ");
		if (r < 8 || r >= 10)
			nm_set(s, &id, "at", at);
		/* The person: mostly real, else wrong in some way. */
		r = run_rnd(100);
		hearth_id_to_hex(&people[lo + (int)run_rnd((uint32_t)(hi - lo))], hex);
		if (r < 3) {
			hearth_id_to_hex(not_person, hex);
		} else if (r < 5) {
			snprintf(hex, sizeof hex, "not an id");
		} else if (r < 8) {
			for (char *p = hex; *p; p++)
				if (*p >= 'a' && *p <= 'f')
					*p = (char)(*p - 'a' + 'A');
		} else if (r < 10) {
			hearth_id nobody = hearth_id_random();

			hearth_id_to_hex(&nobody, hex);
		}
		if (r < 10 || r >= 12)
			nm_set(s, &id, "person", hex);
		if (minutes[r = run_rnd(6)] != NULL)
			nm_set(s, &id, "minutes", minutes[r]);
		if (run_rnd(4) != 0)
			nm_set(s, &id, "mode", run_rnd(3) ? "in-person" : "phone");
		if (places[r = run_rnd(4)] != NULL)
			nm_set(s, &id, "place", places[r]);
		if (run_rnd(3) != 0)
			nm_set(s, &id, "counsellor", run_rnd(2) ? "Li" : "王老师");
		if (statuses[r = run_rnd(10)] != NULL)
			nm_set(s, &id, "status", statuses[r]);
		if (run_rnd(8) == 0) { /* done, then cleared: absent */
			nm_set(s, &id, "status", "done");
			nm_set(s, &id, "status", NULL);
		}
		r = run_rnd(10);
		if (r < 2) {
			hearth_id_to_hex(&series, hex);
			nm_set(s, &id, "series", hex);
			nm_set(s, &id, "seq", r == 0 ? "3" : "x");
		} else if (r == 2) {
			nm_set(s, &id, "series", "not a series");
		}
		/* Notes: most appointments get one, written in many ways. */
		r = run_rnd(100);
		hearth_id_to_hex(&id, hex);
		if (r < 55) {
			assert_int_equal(hearth_record_create(s, NULL, "note", &note), HEARTH_OK);
			if (r < 5) {
				for (char *p = hex; *p; p++)
					if (*p >= 'a' && *p <= 'f')
						*p = (char)(*p - 'a' + 'A');
			} else if (r < 8) {
				hex[0] = '\0'; /* an empty reference */
			}
			nm_set(s, &note, "appt", hex);
			if (r >= 8 && r < 11)
				nm_set(s, &note, "appt", NULL);
			if (r >= 11 && r < 15)
				assert_int_equal(hearth_record_delete(s, &note), HEARTH_OK);
			nm_set(s, &note, "text", "n");
		} else if (r < 58) {
			/* Not a note, though it names the appointment. */
			assert_int_equal(hearth_record_create(s, NULL, "activity", &note), HEARTH_OK);
			nm_set(s, &note, "appt", hex);
		}
		if (run_rnd(30) == 0)
			assert_int_equal(hearth_record_delete(s, &id), HEARTH_OK);
	}
	assert_int_equal(hearth_store_commit(s), HEARTH_OK);
}

/* One held session without a note for each of people[lo, hi). */
static void nm_one_each(hearth_store *s, const hearth_id *people, int lo, int hi)
{
	char hex[HEARTH_ID_HEX + 1];
	hearth_id id;

	assert_int_equal(hearth_store_begin(s), HEARTH_OK);
	for (int i = lo; i < hi; i++) {
		assert_int_equal(hearth_record_create(s, NULL, "appointment", &id), HEARTH_OK);
		hearth_id_to_hex(&people[i], hex);
		nm_set(s, &id, "person", hex);
		nm_set(s, &id, "at", "2026-03-02 09:00");
		nm_set(s, &id, "status", "done");
	}
	assert_int_equal(hearth_store_commit(s), HEARTH_OK);
}

static void test_note_missing_matches_reference(void **state)
{
	fixture *f = *state;
	static hearth_id people[NM_PEOPLE];
	hearth_id act, nid, am;
	hearth_appt_result *r;
	hearth_note_new n;
	char name[32];
	size_t count;

	seed_run("notes missing", 0x9E3779B97F4A7C15ULL);
	assert_int_equal(hearth_note_missing_count(f->s, NULL), HEARTH_EINVAL);
	assert_int_equal(hearth_note_missing_count(NULL, &count), HEARTH_EINVAL);
	assert_int_equal(hearth_note_missing_count(f->s, &count), HEARTH_OK);
	assert_int_equal(count, 0);

	assert_int_equal(hearth_store_begin(f->s), HEARTH_OK);
	for (int i = 0; i < NM_PEOPLE; i++) {
		snprintf(name, sizeof name, "%s%d", i % 2 ? "王芳" : "Li ", i);
		if (i % 37 == 5) /* a person without a name */
			assert_int_equal(hearth_record_create(f->s, NULL, "person", &people[i]),
					 HEARTH_OK);
		else
			people[i] = add_person(f->s, name);
	}
	assert_int_equal(hearth_record_create(f->s, NULL, "activity", &act), HEARTH_OK);
	assert_int_equal(hearth_store_commit(f->s), HEARTH_OK);
	/* Two people are deleted (their sessions leave the list). */
	assert_int_equal(hearth_record_delete(f->s, &people[3]), HEARTH_OK);
	assert_int_equal(hearth_record_delete(f->s, &people[17]), HEARTH_OK);

	/* Through the functions too: held, a note, an amendment. */
	r = book(f->s, &people[1], "2026-03-03 14:00", "Li", "Room 2");
	assert_int_equal(hearth_appt_done(f->s, &r->ids[0]), HEARTH_OK);
	nm_check(f->s, "one held");
	memset(&n, 0, sizeof n);
	n.person = people[1];
	n.appt = &r->ids[0];
	n.text = "talked";
	assert_int_equal(hearth_note_add(f->s, &n, "2026-03-03", &nid), HEARTH_OK);
	assert_int_equal(hearth_note_amend(f->s, &nid, "more", "2026-03-04", &am), HEARTH_OK);
	hearth_appt_result_free(r);
	assert_int_equal(nm_check(f->s, "its note written"), 0);

	/* Under 32 people listed: looked up by key. */
	nm_fill(f->s, people, 0, 20, &act, 80);
	assert_true(nm_check(f->s, "few people") < 32);
	/* 38 people (40, two deleted) among 698: the scan gives up. */
	nm_one_each(f->s, people, 0, 40);
	nm_fill(f->s, people, 0, 40, &act, 80);
	assert_int_equal(nm_check(f->s, "38 people"), 38);
	/* Hundreds: by a scan of every person. */
	nm_fill(f->s, people, 0, NM_PEOPLE, &act, 700);
	assert_true(nm_check(f->s, "many people") > NM_PEOPLE / 16);
	/* A person deleted and some notes gone change the list. */
	assert_int_equal(hearth_record_delete(f->s, &people[8]), HEARTH_OK);
	nm_check(f->s, "after deleting");
}

/* ---- showing a note ----------------------------------------------------- */

struct note_show_audit {
	size_t n;
	hearth_id subject;
};

static int note_show_cb(const hearth_audit_entry *e, void *ctx)
{
	struct note_show_audit *a = ctx;

	if (strcmp(e->action, "note.show") == 0 && e->has_subject) {
		a->n++;
		a->subject = e->subject;
	}
	return 0;
}

/* Reading a note is audited by the core, for every face: one note.show
 * per reading, its subject the original note (also when the note is
 * opened through an amendment).  A note that is not there gives nothing
 * and writes no entry. */
static void test_note_show_audited(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "Chen Jing");
	hearth_id note, am, unknown = hearth_id_random();
	hearth_note_new n = {.person = p, .text = "talked about night shifts"};
	struct note_show_audit a = {0};
	hearth_notes *l = NULL;

	assert_int_equal(hearth_note_add(f->s, &n, "2026-12-01", &note), HEARTH_OK);
	assert_int_equal(hearth_note_amend(f->s, &note, "and sleep", "2026-12-02", &am),
			 HEARTH_OK);
	assert_int_equal(hearth_audit_each(f->s, note_show_cb, &a), HEARTH_OK);
	assert_int_equal(a.n, 0);

	assert_int_equal(hearth_note_show(f->s, &am, &l), HEARTH_OK);
	assert_int_equal(l->n, 2);
	hearth_notes_free(l);
	assert_int_equal(hearth_audit_each(f->s, note_show_cb, &a), HEARTH_OK);
	assert_int_equal(a.n, 1);
	assert_true(hearth_id_equal(&a.subject, &note));

	l = NULL;
	assert_int_equal(hearth_note_show(f->s, &unknown, &l), HEARTH_ENOTFOUND);
	assert_null(l);
	assert_int_equal(hearth_note_show(f->s, &p, &l), HEARTH_ENOTFOUND);
	assert_null(l);
	memset(&a, 0, sizeof a);
	assert_int_equal(hearth_audit_each(f->s, note_show_cb, &a), HEARTH_OK);
	assert_int_equal(a.n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_notes_append_only, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_note_missing_matches_reference, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_note_show_audited, store_setup, store_teardown),
	};

	return cmocka_run_group_tests_name("notes", tests, NULL, NULL);
}
