/*
 * testutil.h - what several cmocka suites share: a fresh store on a plain
 * SQLite file in a temporary directory for each test (the rules do not
 * depend on encryption), and small helpers that write and count records.
 *
 * Include after <cmocka.h>: the helpers assert, and a failed assert fails
 * the test that called them.  Linked into each suite that includes it
 * (tests/meson.build).
 */
#ifndef HEARTH_TESTUTIL_H
#define HEARTH_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "hearth/audit.h"
#include "hearth/appointment.h"
#include "hearth/followup.h"
#include "hearth/store.h"

/* A test's state under store_setup/store_teardown. */
typedef struct store_fixture {
	char dir[64];
	char path[96];
	sqlite3 *db;
	hearth_store *s;
} fixture;

/* cmocka setup and teardown: a migrated store in a new temporary
 * directory; teardown closes it and removes the directory. */
int store_setup(void **state);
int store_teardown(void **state);

/* A person record written field by field (no verb, no checks). */
hearth_id add_person(hearth_store *s, const char *name);

/* Makes who a counsellor of the team space lead leads: an invitation,
 * who's join request, the lead's approval (each must succeed).  The new
 * member record's id. */
hearth_id team_add_member(hearth_store *lead, hearth_store *who, const hearth_id *space);

/* The number of records of kind (NULL: all kinds). */
size_t count_kind(hearth_store *s, const char *kind);

/* The number of audit entries of action. */
size_t count_audit(hearth_store *s, const char *action);

/* The number of ops in the store's log. */
size_t count_ops(hearth_store *s);

/* Field name of record id, copied to buf ("" when absent). */
const char *field(hearth_store *s, const hearth_id *id, const char *name,
		  char *buf, size_t len);
#define FIELD(s, id, name) field((s), (id), (name), fbuf, sizeof fbuf)

/* One appointment booked through hearth_appt_add, which must succeed
 * with one occurrence. */
hearth_appt_result *book(hearth_store *s, const hearth_id *person,
			 const char *at, const char *counsellor,
			 const char *place);

/* A follow-up added through hearth_followup_add (today 2026-12-01). */
hearth_id add_followup(hearth_store *s, const hearth_id *p, const char *due,
		       const char *priority, const char *reason);

/* A stored number as the core reads one (the whole text, in range, else
 * def; has 0: the field is absent). */
int stored_int(const char *s, int has, int def);

/* The reason a high-risk hotline call gives its safety follow-up. */
extern const hearth_followup_reason hotline_why;

/* The newest audit entry seen by last_audit_cb, and how many it saw. */
struct last_audit {
	char action[32];
	char detail[128];
	int64_t n;
};

int last_audit_cb(const hearth_audit_entry *e, void *ctx);

/* ---- brute-force reference checks ----------------------------------------
 *
 * The list and conflict suites check the core's fast reads against a slow
 * reference on random data.  One seeded run per test: */

/* Starts the run: its seed from $HEARTH_TEST_SEED, else the time, printed
 * as "WHAT: seed N (set HEARTH_TEST_SEED to repeat)"; the generator starts
 * at the seed mixed with mix (a suite's own constant, so a seed repeats
 * the run it always did). */
void seed_run(const char *what, uint64_t mix);

/* The seed of the run, for failure messages. */
extern unsigned run_seed;

/* The next number below n (xorshift64*). */
uint32_t run_rnd(uint32_t n);

/* Copies the fields names[0..n) of r into v, n strings of width bytes
 * each ("" when absent), has[k] saying whether names[k] is present; a
 * value that does not fit fails the test. */
void copy_fields(const hearth_record *r, const char *const *names, size_t n,
		 char *v, size_t width, int *has);

/* 1 when id is a live person record (the lists' rule for keeping a
 * row), its name copied to name ("" if none); else 0. */
int live_person(hearth_store *s, const hearth_id *id, char *name, size_t len);

/* Binds the "hearth" text domain to the catalogue this build compiled
 * (BUILD/po/locale, or $HEARTH_LOCALEDIR) and switches messages to lang
 * ("zh_CN", "en"), as a face does at start-up. */
void use_language(const char *lang);

/* Signs the envelope env (len bytes, its last 64 the signature) again
 * with the Ed25519 secret key sk, as docs/protocol.md §7.2 says and
 * libsodium alone computes: the signature of "HEARTHES" || BLAKE2b-512 of
 * every byte before it.  As an author holding its key could after
 * changing its envelope. */
void envelope_resign(uint8_t *env, size_t len, const uint8_t *sk);

#endif
