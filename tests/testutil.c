/*
 * testutil.c - helpers several cmocka suites share; see testutil.h.
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "hearth/schema.h"
#include "hearth/spaces.h"

#include "testutil.h"

int store_setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);

	assert_non_null(f);
	strcpy(f->dir, "/tmp/hearth-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/test.db", f->dir);
	assert_int_equal(sqlite3_open(f->path, &f->db), SQLITE_OK);
	assert_int_equal(hearth_schema_migrate(f->db, hearth_schema_latest()), HEARTH_OK);
	assert_int_equal(hearth_store_open(f->db, NULL, &f->s), HEARTH_OK);
	*state = f;
	return 0;
}

int store_teardown(void **state)
{
	fixture *f = *state;
	char p[128];

	hearth_store_close(f->s);
	sqlite3_close(f->db);
	snprintf(p, sizeof p, "%s-journal", f->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", f->path);
	unlink(p);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}
hearth_id team_add_member(hearth_store *lead, hearth_store *who, const hearth_id *space)
{
	char *code = NULL, *req = NULL;
	hearth_invitation inv;
	hearth_id m;

	assert_int_equal(hearth_space_invite(lead, space, HEARTH_ROLE_COUNSELLOR, 0, &code),
			 HEARTH_OK);
	assert_int_equal(hearth_space_join(who, code, &req, &inv), HEARTH_OK);
	assert_int_equal(hearth_space_approve(lead, space, req, &m, NULL), HEARTH_OK);
	free(code);
	free(req);
	return m;
}

hearth_id add_person(hearth_store *s, const char *name)
{
	hearth_id id;

	assert_int_equal(hearth_record_create(s, NULL, "person", &id), HEARTH_OK);
	assert_int_equal(hearth_record_set(s, &id, "name", name), HEARTH_OK);
	return id;
}

static int count_cb(const hearth_record *r, void *ctx)
{
	(void)r;
	(*(size_t *)ctx)++;
	return 0;
}

size_t count_kind(hearth_store *s, const char *kind)
{
	size_t n = 0;

	assert_int_equal(hearth_store_each(s, kind, 0, count_cb, &n), HEARTH_OK);
	return n;
}

typedef struct audit_count {
	const char *action;
	size_t n;
} audit_count;

static int audit_cb(const hearth_audit_entry *e, void *ctx)
{
	audit_count *c = ctx;

	if (strcmp(e->action, c->action) == 0)
		c->n++;
	return 0;
}

size_t count_audit(hearth_store *s, const char *action)
{
	audit_count c = { action, 0 };

	assert_int_equal(hearth_audit_each(s, audit_cb, &c), HEARTH_OK);
	return c.n;
}

const char *field(hearth_store *s, const hearth_id *id, const char *name,
		  char *buf, size_t len)
{
	hearth_record *r = NULL;
	const char *v;

	assert_int_equal(hearth_record_load(s, id, &r), HEARTH_OK);
	v = hearth_record_field(r, name);
	snprintf(buf, len, "%s", v ? v : "");
	hearth_record_free(r);
	return buf;
}

hearth_appt_result *book(hearth_store *s, const hearth_id *person,
			 const char *at, const char *counsellor,
			 const char *place)
{
	hearth_appt_new a;
	hearth_appt_result *r = NULL;

	memset(&a, 0, sizeof a);
	a.person = *person;
	a.at = at;
	a.counsellor = counsellor;
	a.place = place;
	assert_int_equal(hearth_appt_add(s, &a, &r), HEARTH_OK);
	assert_non_null(r);
	assert_int_equal(r->n, 1);
	return r;
}

int stored_int(const char *s, int has, int def)
{
	char *end;
	long v;

	if (!has || s[0] == '\0')
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < INT_MIN || v > INT_MAX)
		return def;
	return (int)v;
}
hearth_id add_followup(hearth_store *s, const hearth_id *p, const char *due,
		       const char *priority, const char *reason)
{
	hearth_followup_new n;
	hearth_id id;

	memset(&n, 0, sizeof n);
	n.person = *p;
	n.due = due;
	n.priority = priority;
	n.reason = reason;
	assert_int_equal(hearth_followup_add(s, &n, "2026-12-01", &id), HEARTH_OK);
	return id;
}
const hearth_followup_reason hotline_why = { .code = "hotline_safety" };
static int count_op_cb(const hearth_op *op, uint64_t arrival,
		       hearth_op_state state, void *ctx)
{
	(void)op;
	(void)arrival;
	(void)state;
	(*(size_t *)ctx)++;
	return 0;
}

size_t count_ops(hearth_store *s)
{
	size_t n = 0;

	assert_int_equal(hearth_store_ops_since(s, 0, count_op_cb, &n), HEARTH_OK);
	return n;
}

int last_audit_cb(const hearth_audit_entry *e, void *ctx)
{
	struct last_audit *l = ctx;

	snprintf(l->action, sizeof l->action, "%s", e->action);
	snprintf(l->detail, sizeof l->detail, "%s", e->detail ? e->detail : "");
	l->n++;
	return 0;
}

unsigned run_seed;
static uint64_t run_state;

void seed_run(const char *what, uint64_t mix)
{
	const char *env = getenv("HEARTH_TEST_SEED");

	run_seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
	run_state = mix ^ run_seed;
	print_message("%s: seed %u (set HEARTH_TEST_SEED to repeat)\n", what, run_seed);
}

uint32_t run_rnd(uint32_t n)
{
	run_state ^= run_state >> 12;
	run_state ^= run_state << 25;
	run_state ^= run_state >> 27;
	return (uint32_t)((run_state * 0x2545F4914F6CDD1DULL) >> 32) % n;
}

void copy_fields(const hearth_record *r, const char *const *names, size_t n,
		 char *v, size_t width, int *has)
{
	for (size_t k = 0; k < n; k++) {
		const char *value = hearth_record_field(r, names[k]);

		has[k] = value != NULL;
		assert_true(value == NULL || strlen(value) < width);
		snprintf(v + k * width, width, "%s", value ? value : "");
	}
}

int live_person(hearth_store *s, const hearth_id *id, char *name, size_t len)
{
	hearth_record *p = NULL;
	int live;

	if (hearth_record_load(s, id, &p) != HEARTH_OK)
		return 0;
	live = !p->deleted && strcmp(p->kind, "person") == 0;
	if (live)
		snprintf(name, len, "%s",
			 hearth_record_field(p, "name") ? hearth_record_field(p, "name") : "");
	hearth_record_free(p);
	return live;
}

/* Binds the "hearth" domain to the build's catalogue and switches to
 * lang, as a face does at start-up. */
void use_language(const char *lang)
{
	char exe[PATH_MAX], dir[PATH_MAX + 32], mo_path[PATH_MAX + 96], *slash;
	const char *env = getenv("HEARTH_LOCALEDIR");
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	FILE *mo;

	assert_true(n > 0);
	exe[n] = '\0';
	assert_non_null(slash = strrchr(exe, '/'));
	*slash = '\0';
	if (env != NULL && env[0] != '\0')
		snprintf(dir, sizeof dir, "%s", env);
	else
		snprintf(dir, sizeof dir, "%s/../po/locale", exe);
	snprintf(mo_path, sizeof mo_path, "%s/zh_CN/LC_MESSAGES/hearth.mo", dir);
	/* The build always makes it: its absence is a failure, not a skip. */
	assert_non_null(mo = fopen(mo_path, "rb"));
	fclose(mo);
	assert_non_null(bindtextdomain(HEARTH_TEXTDOMAIN, dir));
	assert_non_null(bind_textdomain_codeset(HEARTH_TEXTDOMAIN, "UTF-8"));
	setenv("LANGUAGE", lang, 1);
	/* gettext ignores LANGUAGE in the C locale, and drops the
	 * translations it cached when LC_MESSAGES changes. */
	assert_non_null(setlocale(LC_MESSAGES, "C"));
	assert_non_null(setlocale(LC_MESSAGES, "C.UTF-8"));
}

void envelope_resign(uint8_t *env, size_t len, const uint8_t *sk)
{
	uint8_t m[8 + crypto_generichash_BYTES_MAX];

	assert_true(len >= crypto_sign_BYTES);
	memcpy(m, "HEARTHES", 8);
	crypto_generichash(m + 8, crypto_generichash_BYTES_MAX, env,
			   len - crypto_sign_BYTES, NULL, 0);
	crypto_sign_detached(env + len - crypto_sign_BYTES, NULL, m, sizeof m, sk);
}
