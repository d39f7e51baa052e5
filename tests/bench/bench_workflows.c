/*
 * bench_workflows.c - how long a report, the overdue follow-up list and
 * the list of held sessions without a note take over 10,000 people and
 * 100,000 records, on the encrypted VFS; and how booking scales.
 *
 * Builds a store in a temporary directory through the Hearth VFS (every
 * page XChaCha20-Poly1305, 32 MiB page cache as the vault uses), writing
 * people, appointments, activities, screenings and follow-ups through the
 * store API with the fields of hearth/casework.h and hearth/screening.h,
 * spread over 2025 and 2026, and a session note for about four in five
 * held appointments (on top of the records asked for).  Then it times,
 * each averaged over several runs after one warm-up:
 *
 *   baseline   SELECT count(*) FROM field (a full scan of every field)
 *   report     hearth_report_build over the year 2026, whole, by month
 *              and by week (each build also appends its audit entry)
 *   overdue    hearth_followup_list(HEARTH_FOLLOWUPS_OVERDUE)
 *   missing    hearth_note_missing (held sessions without a note), and
 *              hearth_note_missing_count
 *
 * and prints each against the baseline as a ratio.  Goal: report and
 * overdue list each under 200 ms, notes missing under 100 ms.  Run with
 *
 *   meson setup build-rel -Dbuildtype=release && ninja -C build-rel
 *   build-rel/tests/bench/bench_workflows [people] [records]
 *
 * HEARTH_BENCH_DEMO=1 fills the store with hearth_demo_fill's heavy mix
 * instead (people as given, about 10 records each, dated around 2026-10-15,
 * every appointment booked through hearth_appt_add; needs
 * HEARTH_DATA_DIR for the screenings) and prints how long that took;
 * HEARTH_BENCH_PLAIN=1 uses plain SQLite instead of the VFS (to compare);
 * HEARTH_BENCH_KEEP=1 keeps the database and prints where it is;
 * HEARTH_BENCH_REUSE=PATH measures such a kept (plain) database again.
 *
 *   build-rel/tests/bench/bench_workflows --booking [N ...]
 *
 * times booking N appointments (default 1,000, 10,000 and 30,000) through
 * hearth_appt_add, each N in a fresh encrypted store: one-offs and weekly
 * series of 2 to 8, 50 minutes mostly, 20 counsellors and 12 places, over
 * one year of working days, so the calendar fills up as N grows.  The
 * baseline is the same appointments written straight through the store
 * API (the same records, fields and audit entries, no conflict check), in
 * a store of their own; the ratio shows what the conflict check costs and
 * whether it grows with the calendar.  The conflicts found are counted and
 * hashed (without the random record ids), so two builds can be checked to
 * find the same ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "hearth/appointment.h"
#include "hearth/followup.h"
#include "hearth/note.h"
#include "hearth/crypto.h"
#include "hearth/demo.h"
#include "hearth/audit.h"
#include "hearth/reports.h"
#include "hearth/schema.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"
#include "hearth/vfs.h"

#define RUNS 7
#define VFS_NAME "hearth-bench-workflows"
#define TODAY "2026-10-15"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of this process: on a shared machine the wall clock also
 * counts time spent waiting for a core, so both are shown. */
static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct span {
	double wall, cpu;
};

static struct span span_start(void)
{
	struct span s = { now_ms(), cpu_ms() };

	return s;
}

static struct span span_end(struct span s)
{
	struct span e = { now_ms() - s.wall, cpu_ms() - s.cpu };

	return e;
}

static void die(const char *what, hearth_status st)
{
	fprintf(stderr, "bench_workflows: %s: %s\n", what, hearth_errdetail());
	(void)st;
	exit(1);
}

#define CHECK(call, what) do { \
		hearth_status st_ = (call); \
		if (st_ != HEARTH_OK) \
			die((what), st_); \
	} while (0)

static uint64_t rng = 88172645463325252ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void set(hearth_store *s, const hearth_id *id, const char *f, const char *v)
{
	CHECK(hearth_record_set(s, id, f, v), "set");
}

static void day_of(int32_t d0, int span, char out[HEARTH_DATE_LEN + 1])
{
	hearth_date_format(d0 + (int32_t)rnd((uint32_t)span), out);
}

/* Notes draw from a stream of their own, so the other records are the
 * ones earlier runs of this benchmark wrote. */
static uint64_t note_rng = 0x2545F4914F6CDD1DULL;

static uint32_t note_rnd(uint32_t n)
{
	note_rng ^= note_rng << 13;
	note_rng ^= note_rng >> 7;
	note_rng ^= note_rng << 17;
	return (uint32_t)(note_rng % n);
}

/* A session note about appointment appt, written on its day. */
static void add_note(hearth_store *s, const char *person, const hearth_id *appt,
		     const char *day)
{
	char hex[HEARTH_ID_HEX + 1];
	hearth_id id;

	hearth_id_to_hex(appt, hex);
	CHECK(hearth_record_create(s, NULL, "note", &id), "create");
	set(s, &id, "person", person);
	set(s, &id, "appt", hex);
	set(s, &id, "format", "free");
	set(s, &id, "text", "talked about sleep after night shifts");
	set(s, &id, "date", day);
}

/* Writes people and records in transactions of 10,000 records. */
static void fill(hearth_store *s, int n_people, int n_records)
{
	static const char *const appt_status[] = { "booked", "done", "done", "done", "noshow", "cancelled" };
	static const char *const types[] = { "hotline", "hotline", "callback", "group", "lecture", "outreach" };
	static const char *const insts[] = { "phq9", "gad7", "who5" };
	static const char *const bands[] = { "minimal", "mild", "moderate", "severe" };
	static const char *const fu_status[] = { "open", "retry", "done", "done", "done" };
	char (*people)[HEARTH_ID_HEX + 1] = calloc((size_t)n_people, sizeof *people);
	char day[HEARTH_DATE_LEN + 1], at[HEARTH_DATETIME_LEN + 1], num[16];
	int32_t d0;
	hearth_id id;
	double t0 = now_ms();
	int n_notes = 0;

	if (people == NULL)
		die("out of memory", HEARTH_ENOMEM);
	CHECK(hearth_date_from_ymd(2025, 1, 1, &d0), "date");
	CHECK(hearth_store_begin(s), "begin");
	for (int i = 0; i < n_people; i++) {
		char name[32];

		CHECK(hearth_record_create(s, NULL, "person", &id), "create");
		snprintf(name, sizeof name, "Person %d", i);
		set(s, &id, "name", name);
		set(s, &id, "unit", i % 3 ? "Plant 1" : "Depot 4");
		set(s, &id, "case", "open");
		hearth_id_to_hex(&id, people[i]);
	}
	for (int i = 0; i < n_records; i++) {
		const char *person = people[rnd((uint32_t)n_people)];
		int kind = (int)rnd(20);

		if (i % 10000 == 9999) {
			CHECK(hearth_store_commit(s), "commit");
			CHECK(hearth_store_begin(s), "begin");
		}
		day_of(d0, 730, day);
		if (kind < 7) {        /* 35% appointments */
			const char *status;

			CHECK(hearth_record_create(s, NULL, "appointment", &id), "create");
			snprintf(at, sizeof at, "%s %02u:00", day, 8 + rnd(10));
			set(s, &id, "person", person);
			set(s, &id, "at", at);
			set(s, &id, "minutes", "50");
			set(s, &id, "mode", "in-person");
			set(s, &id, "counsellor", "Counsellor A");
			status = appt_status[rnd(6)];
			set(s, &id, "status", status);
			/* Most held sessions have their note. */
			if (strcmp(status, "done") == 0 && note_rnd(5) != 0) {
				add_note(s, person, &id, day);
				n_notes++;
			}
		} else if (kind < 11) { /* 20% activities */
			const char *type = types[rnd(6)];

			CHECK(hearth_record_create(s, NULL, "activity", &id), "create");
			set(s, &id, "type", type);
			set(s, &id, "date", day);
			if (strcmp(type, "group") == 0 || strcmp(type, "lecture") == 0) {
				snprintf(num, sizeof num, "%u", 5 + rnd(80));
				set(s, &id, "attendance", num);
				set(s, &id, "topic", "Sleep and shift work");
			} else {
				set(s, &id, "person", person);
				set(s, &id, "risk", rnd(20) == 0 ? "high" : "low");
			}
		} else if (kind < 15) { /* 20% screenings */
			CHECK(hearth_record_create(s, NULL, "screening", &id), "create");
			set(s, &id, "person", person);
			set(s, &id, "instrument", insts[rnd(3)]);
			set(s, &id, "version", "1");
			set(s, &id, "answers", "[1,0,2,1,0,1,0,1,0]");
			set(s, &id, "total", "6");
			set(s, &id, "display", "6");
			set(s, &id, "band", bands[rnd(4)]);
			set(s, &id, "flags", rnd(30) == 0 ? "[\"safety\"]" : "[]");
			set(s, &id, "date", day);
		} else {                /* 25% follow-ups */
			const char *st = fu_status[rnd(5)];

			CHECK(hearth_record_create(s, NULL, "followup", &id), "create");
			set(s, &id, "person", person);
			set(s, &id, "due", day);
			set(s, &id, "reason", "check in after the session");
			set(s, &id, "priority", rnd(8) == 0 ? "high" : "normal");
			set(s, &id, "status", st);
			set(s, &id, "attempts", "0");
			set(s, &id, "source", "manual");
			set(s, &id, "opened", day);
			if (strcmp(st, "done") == 0) {
				set(s, &id, "closed", day);
				set(s, &id, "outcome", "spoke on the phone");
			}
		}
	}
	CHECK(hearth_store_commit(s), "commit");
	free(people);
	printf("filled %d people, %d records and %d notes in %.1f s\n", n_people, n_records,
	       n_notes, (now_ms() - t0) / 1e3);
}

static int encrypted = 0;

static sqlite3 *open_db(const char *path)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			     encrypted ? VFS_NAME : NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "bench_workflows: cannot open %s: %s\n", path, sqlite3_errmsg(db));
		exit(1);
	}
	if (encrypted)
		CHECK(hearth_vfs_configure(db), "configure the VFS");
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			 " PRAGMA cache_size=-32768;", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_workflows: pragmas: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	return db;
}

static struct span time_baseline(sqlite3 *db, long long *rows)
{
	sqlite3_stmt *st;
	struct span t0 = span_start();

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM field", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		fprintf(stderr, "bench_workflows: baseline: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	*rows = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return span_end(t0);
}

static struct span time_report(hearth_store *s, hearth_report_by by, int64_t *check)
{
	hearth_report *r = NULL;
	struct span t0 = span_start(), t;

	CHECK(hearth_report_build(s, "2026-01-01", "2026-12-31", by, TODAY, &r), "report");
	t = span_end(t0);
	*check = r->whole.m[HEARTH_M_APPT_BOOKED] + r->whole.m[HEARTH_M_PEOPLE];
	hearth_report_free(r);
	return t;
}

static struct span time_overdue(hearth_store *s, size_t *n)
{
	hearth_followups *l = NULL;
	struct span t0 = span_start(), t;

	CHECK(hearth_followup_list(s, HEARTH_FOLLOWUPS_OVERDUE, NULL, TODAY, &l), "overdue list");
	t = span_end(t0);
	*n = l->n;
	hearth_followups_free(l);
	return t;
}

static struct span time_missing(hearth_store *s, size_t *n)
{
	hearth_appts *l = NULL;
	struct span t0 = span_start(), t;

	CHECK(hearth_note_missing(s, &l), "notes missing");
	t = span_end(t0);
	*n = l->n;
	hearth_appts_free(l);
	return t;
}

static struct span time_missing_count(hearth_store *s, size_t *n)
{
	struct span t0 = span_start();

	CHECK(hearth_note_missing_count(s, n), "notes missing count");
	return span_end(t0);
}

/* Fills the store with the heavy demo mix, as the app's demo does. */
static void fill_demo(hearth_store *s, int n_people)
{
	hearth_demo_options opt;
	double t0 = now_ms();

	hearth_demo_options_init(&opt);
	opt.n_people = n_people;
	opt.heavy = 1;
	opt.today = TODAY;
	CHECK(hearth_demo_fill(s, &opt), "demo");
	printf("filled the heavy demo of %d people in %.1f s\n", n_people, (now_ms() - t0) / 1e3);
}

/* ---- booking ------------------------------------------------------------ */

#define BOOK_DAYS 365
#define BOOK_COUNSELLORS 20
#define BOOK_PER_TX 500

static uint64_t book_rng;

static uint32_t book_rnd(uint32_t n)
{
	book_rng ^= book_rng << 13;
	book_rng ^= book_rng >> 7;
	book_rng ^= book_rng << 17;
	return (uint32_t)(book_rng % n);
}

/* One booking as both sides make it. */
typedef struct booking {
	hearth_id person;
	char at[HEARTH_DATETIME_LEN + 1];
	int minutes, count;
	const char *mode, *place;
	char counsellor[32];
} booking;

/* The next booking of the stream; count is 1 for a one-off, else a weekly
 * series, never past the `left` appointments still to book. */
static void next_booking(const hearth_id *people, int n_people, int32_t d0, int left,
			 booking *b)
{
	static const char *const places[] = {
		"Room 1", "Room 2", "Room 3", "Room 4", "Room 5", "Room 6", "Room 7",
		"Room 8", "Room 9", "Room 10", "Phone", "",
	};
	static const int lengths[] = { 50, 50, 50, 50, 50, 50, 50, 30, 60, 90 };
	int32_t day = d0 + (int32_t)book_rnd(BOOK_DAYS);

	/* Working days only: a Saturday or Sunday moves to the Monday. */
	while (hearth_date_weekday(day) > 5)
		day++;
	b->person = people[book_rnd((uint32_t)n_people)];
	hearth_datetime_format((int64_t)day * HEARTH_MINUTES_PER_DAY +
			       (8 + (int)book_rnd(10)) * 60 + 30 * (int)book_rnd(2), b->at);
	b->minutes = lengths[book_rnd(10)];
	b->count = book_rnd(5) < 2 ? 2 + (int)book_rnd(7) : 1;
	if (b->count > left)
		b->count = left;
	b->place = places[book_rnd(12)];
	b->mode = strcmp(b->place, "Phone") == 0 ? "phone" : "in-person";
	snprintf(b->counsellor, sizeof b->counsellor, "Counsellor %u",
		 1 + book_rnd(BOOK_COUNSELLORS));
}

/* Writes one booking straight through the store API: the records, fields
 * and audit entries hearth_appt_add writes, without the conflict check. */
static void write_booking(hearth_store *s, const booking *b)
{
	char person[HEARTH_ID_HEX + 1], min_s[16], seq_s[16], at[HEARTH_DATETIME_LEN + 1];
	hearth_id id, series = hearth_id_random();
	int64_t start;

	CHECK(hearth_datetime_parse(b->at, &start), "date");
	hearth_id_to_hex(&b->person, person);
	snprintf(min_s, sizeof min_s, "%d", b->minutes);
	for (int i = 0; i < b->count; i++) {
		hearth_datetime_format(start + (int64_t)i * 7 * HEARTH_MINUTES_PER_DAY, at);
		CHECK(hearth_record_create(s, NULL, "appointment", &id), "create");
		set(s, &id, "person", person);
		set(s, &id, "at", at);
		set(s, &id, "minutes", min_s);
		set(s, &id, "mode", b->mode);
		if (b->place[0] != '\0')
			set(s, &id, "place", b->place);
		set(s, &id, "counsellor", b->counsellor);
		set(s, &id, "status", "booked");
		if (b->count > 1) {
			char hex[HEARTH_ID_HEX + 1];

			hearth_id_to_hex(&series, hex);
			snprintf(seq_s, sizeof seq_s, "%d", i + 1);
			set(s, &id, "series", hex);
			set(s, &id, "seq", seq_s);
		}
		CHECK(hearth_audit_append(s, "appt.add", &id, NULL), "audit");
	}
}

/* FNV-1a over the conflicts of one result, in their order, leaving out
 * the record ids (random in each run). */
static uint64_t hash_conflicts(uint64_t h, const hearth_appt_result *r)
{
	for (size_t i = 0; i < r->nconflicts; i++) {
		char line[96];
		const hearth_conflict *c = &r->conflicts[i];

		snprintf(line, sizeof line, "%s|%d|%s|%s;", c->at, c->seq, c->rule, c->other_at);
		for (const char *p = line; *p; p++) {
			h ^= (uint8_t)*p;
			h *= 0x100000001b3ULL;
		}
	}
	return h;
}

/* Books n appointments in a fresh store: through hearth_appt_add, or
 * (direct) straight through the store API.  Returns the time of the
 * bookings alone (people are made before the clock starts). */
static struct span run_booking(int n, int direct, size_t *nconflicts, uint64_t *hash)
{
	char dir[] = "/tmp/hearth-bench-booking-XXXXXX", path[256], side[300];
	int n_people = n / 3 > 10 ? n / 3 : 10, booked = 0, in_tx = 0;
	hearth_id *people = calloc((size_t)n_people, sizeof *people);
	hearth_store *s = NULL;
	sqlite3 *db;
	struct span t0, t;
	int32_t d0;

	if (people == NULL)
		die("out of memory", HEARTH_ENOMEM);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof path, "%s/booking.db", dir);
	db = open_db(path);
	CHECK(hearth_schema_migrate(db, hearth_schema_latest()), "migrate");
	CHECK(hearth_store_open(db, NULL, &s), "open store");
	CHECK(hearth_store_begin(s), "begin");
	for (int i = 0; i < n_people; i++) {
		char name[32];

		CHECK(hearth_record_create(s, NULL, "person", &people[i]), "create");
		snprintf(name, sizeof name, "Person %d", i);
		set(s, &people[i], "name", name);
	}
	CHECK(hearth_store_commit(s), "commit");
	CHECK(hearth_date_from_ymd(2026, 1, 5, &d0), "date");
	book_rng = 0x9E3779B97F4A7C15ULL;
	*nconflicts = 0;
	*hash = 0xcbf29ce484222325ULL;

	t0 = span_start();
	for (int k = 0; booked < n; k++) {
		booking b;

		if (!in_tx) {
			CHECK(hearth_store_begin(s), "begin");
			in_tx = 1;
		}
		next_booking(people, n_people, d0, n - booked, &b);
		if (direct) {
			write_booking(s, &b);
		} else {
			hearth_appt_new a;
			hearth_appt_result *r = NULL;

			memset(&a, 0, sizeof a);
			a.person = b.person;
			a.at = b.at;
			a.minutes = b.minutes;
			a.mode = b.mode;
			a.place = b.place;
			a.counsellor = b.counsellor;
			a.repeat = b.count > 1 ? "weekly" : NULL;
			a.count = b.count > 1 ? b.count : 0;
			CHECK(hearth_appt_add(s, &a, &r), "book");
			*nconflicts += r->nconflicts;
			*hash = hash_conflicts(*hash, r);
			hearth_appt_result_free(r);
		}
		booked += b.count;
		if (k % BOOK_PER_TX == BOOK_PER_TX - 1) {
			CHECK(hearth_store_commit(s), "commit");
			in_tx = 0;
		}
	}
	if (in_tx)
		CHECK(hearth_store_commit(s), "commit");
	t = span_end(t0);

	hearth_store_close(s);
	sqlite3_close(db);
	free(people);
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	rmdir(dir);
	return t;
}

static int bench_booking(int argc, char **argv)
{
	static const int defaults[] = { 1000, 10000, 30000 };
	int nn = argc > 0 ? argc : 3;

	printf("booking: one-offs and weekly series over %d days, %d counsellors, "
	       "%d per transaction\n", BOOK_DAYS, BOOK_COUNSELLORS, BOOK_PER_TX);
	printf("%8s %12s %10s %12s %10s %9s %10s  %s\n", "N", "baseline s", "base cpu",
	       "hearth_appt s", "appt cpu", "vs base", "us/appt", "conflicts (hash)");
	for (int i = 0; i < nn; i++) {
		int n = argc > 0 ? atoi(argv[i]) : defaults[i];
		size_t nc = 0, unused;
		uint64_t hash = 0, unused_hash;
		struct span base, book;

		if (n < 1) {
			fprintf(stderr, "bench_workflows: '%s' is not a number of appointments\n",
				argv[i]);
			return 2;
		}
		base = run_booking(n, 1, &unused, &unused_hash);
		book = run_booking(n, 0, &nc, &hash);
		printf("%8d %12.2f %10.2f %12.2f %10.2f %8.1fx %10.1f  %zu (%016llx)\n", n,
		       base.wall / 1e3, base.cpu / 1e3, book.wall / 1e3, book.cpu / 1e3,
		       book.wall / base.wall, book.wall * 1e3 / n, nc, (unsigned long long)hash);
		fflush(stdout);
	}
	printf("(wall-clock and CPU seconds for the bookings alone; the baseline writes the\n"
	       " same appointments without a conflict check)\n");
	return 0;
}

struct figure {
	const char *name;
	double first, avg, min, cpu;
	double goal; /* ms, 0 for none */
};

#define NFIG 7

int main(int argc, char **argv)
{
	int n_people, n_records;
	char dir[] = "/tmp/hearth-bench-workflows-XXXXXX", path[256], side[300];
	uint8_t key[HEARTH_KEYBYTES];
	struct figure fig[NFIG] = {
		{ "baseline: SELECT count(*) FROM field", 0, 0, 1e30, 0, 0 },
		{ "report 2026, whole year", 0, 0, 1e30, 0, 200 },
		{ "report 2026, by month", 0, 0, 1e30, 0, 200 },
		{ "report 2026, by week", 0, 0, 1e30, 0, 200 },
		{ "overdue follow-up list", 0, 0, 1e30, 0, 200 },
		{ "notes missing: list", 0, 0, 1e30, 0, 100 },
		{ "notes missing: count", 0, 0, 1e30, 0, 100 },
	};
	static const hearth_report_by bys[3] = {
		HEARTH_REPORT_WHOLE, HEARTH_REPORT_MONTH, HEARTH_REPORT_WEEK,
	};
	hearth_store *s = NULL;
	sqlite3 *db;
	long long rows = 0;
	int64_t check = 0;
	size_t overdue = 0, missing = 0, missing_n = 0;
	int over = 0, demo;

	CHECK(hearth_crypto_init(), "crypto");
	hearth_random(key, sizeof key);
	/* HEARTH_BENCH_PLAIN=1 measures plain SQLite instead, for comparison. */
	if (getenv("HEARTH_BENCH_PLAIN") == NULL || strcmp(getenv("HEARTH_BENCH_PLAIN"), "1") != 0)
		encrypted = hearth_vfs_register(VFS_NAME, key, 0) == HEARTH_OK;
	hearth_wipe(key, sizeof key);
	printf("storage: %s\n", encrypted ?
	       "Hearth encrypted VFS (XChaCha20-Poly1305 pages), cache_size=-32768 (32 MiB), WAL" :
	       "plain SQLite, cache_size=-32768 (32 MiB), WAL");
	if (argc > 1 && strcmp(argv[1], "--booking") == 0) {
		int rc = bench_booking(argc - 2, argv + 2);

		if (encrypted && hearth_vfs_unregister(VFS_NAME) != HEARTH_OK)
			fprintf(stderr, "bench_workflows: %s\n", hearth_errdetail());
		return rc;
	}

	n_people = argc > 1 ? atoi(argv[1]) : 10000;
	n_records = argc > 2 ? atoi(argv[2]) : 100000;
	demo = getenv("HEARTH_BENCH_DEMO") != NULL && strcmp(getenv("HEARTH_BENCH_DEMO"), "1") == 0;
	if (n_people < 1 || n_records < 0) {
		fprintf(stderr, "usage: bench_workflows [people] [records]\n"
			"       bench_workflows --booking [N ...]\n");
		return 2;
	}
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/bench.db", dir);

	if (getenv("HEARTH_BENCH_REUSE") != NULL) {
		/* Measure a database kept by an earlier run (same storage). */
		snprintf(path, sizeof path, "%s", getenv("HEARTH_BENCH_REUSE"));
	} else {
		db = open_db(path);
		CHECK(hearth_schema_migrate(db, hearth_schema_latest()), "migrate");
		CHECK(hearth_store_open(db, NULL, &s), "open store");
		if (demo)
			fill_demo(s, n_people);
		else
			fill(s, n_people, n_records);
		hearth_store_close(s);
		sqlite3_close(db);
	}

	/* Measure on a fresh connection: the cache starts cold, and the
	 * first run of each is shown apart from the average. */
	db = open_db(path);
	CHECK(hearth_store_open(db, NULL, &s), "open store");
	for (int run = 0; run <= RUNS; run++) {
		struct span t[NFIG];

		t[0] = time_baseline(db, &rows);
		for (int k = 0; k < 3; k++)
			t[1 + k] = time_report(s, bys[k], &check);
		t[4] = time_overdue(s, &overdue);
		/* The count first: a screen shows it on its own, while the
		 * list, right after it, finds some of the same pages cached. */
		t[6] = time_missing_count(s, &missing_n);
		t[5] = time_missing(s, &missing);
		if (missing_n != missing) {
			fprintf(stderr, "bench_workflows: the count of notes missing is %zu,"
				" the list holds %zu\n", missing_n, missing);
			exit(1);
		}
		for (int k = 0; k < NFIG; k++) {
			if (run == 0) {
				fig[k].first = t[k].wall;
				continue;
			}
			fig[k].avg += t[k].wall / RUNS;
			fig[k].cpu += t[k].cpu / RUNS;
			if (t[k].wall < fig[k].min)
				fig[k].min = t[k].wall;
		}
	}
	printf("%lld field rows; %zu follow-ups overdue on %s; %zu held sessions without a note;"
	       " checksum %lld\n", rows, overdue, TODAY, missing, (long long)check);
	printf("%-38s %9s %9s %9s %9s %9s\n", "", "first ms", "avg ms", "min ms", "cpu ms",
	       "vs base");
	for (int k = 0; k < NFIG; k++) {
		printf("%-38s %9.1f %9.1f %9.1f %9.1f %8.1fx", fig[k].name, fig[k].first,
		       fig[k].avg, fig[k].min, fig[k].cpu, fig[k].avg / fig[0].avg);
		if (fig[k].goal > 0) {
			printf("  %s %.0f ms", fig[k].avg < fig[k].goal ? "under" : "OVER",
			       fig[k].goal);
			over |= fig[k].avg >= fig[k].goal;
		}
		putchar('\n');
	}
	printf("(wall-clock avg and min, and CPU avg, of %d runs after one cold run; each\n"
	       " report also appends its audit entry; the goal is judged on the avg)\n", RUNS);

	hearth_store_close(s);
	sqlite3_close(db);
	if (encrypted && hearth_vfs_unregister(VFS_NAME) != HEARTH_OK)
		fprintf(stderr, "bench_workflows: %s\n", hearth_errdetail());
	if (getenv("HEARTH_BENCH_KEEP") != NULL) {
		printf("kept %s\n", path);
		return 0;
	}
	if (getenv("HEARTH_BENCH_REUSE") == NULL) {
		unlink(path);
		snprintf(side, sizeof side, "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", path);
		unlink(side);
	}
	rmdir(dir);
	/* A benchmark reports; it does not fail on a slow machine. */
	(void)over;
	return 0;
}
