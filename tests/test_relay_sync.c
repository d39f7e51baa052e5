/*
 * test_relay_sync.c - the relay client (sync/relayclient.c,
 * sync/transport.c; docs/protocol.md §14) against a REAL hearth-relay
 * started in this process on a loopback port, with three vaults made by
 * the core as tests/test_team_sync.c makes them: a lead and two
 * counsellors of one team space.
 *
 *   - a first sync registers the space (the lead holds its genesis), the
 *     counsellors join through the relay, everyone converges, and a sync
 *     with nothing new is one round trip of under 1 KiB;
 *   - seeded random schedules (HEARTH_RELAY_SCHEDULES, default 200; a
 *     failure prints its seed, HEARTH_RELAY_SEED replays one) of writes,
 *     syncs in random order, partitions and duplicate deliveries, ending
 *     with identical dumps of the space in every vault;
 *   - a hostile relay: a proxy in front of the real one, in this test,
 *     that forgets acknowledged pushes, truncates pages, reorders and
 *     replays them, tampers with an envelope, swaps ids, and a relay
 *     whose store is copied back to an old version: each is detected or
 *     repaired, and nothing forged or undecryptable is applied.
 */
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>

#include "hearth/devices.h"
#include "hearth/offline.h"
#include "hearth/relay.h"
#include "hearth/relaysync.h"
#include "hearth/settings.h"
#include "hearth/schema.h"
#include "hearth/spaces.h"
#include "hearth/store.h"
#include "hearth/sync.h"
#include "relay.h"
#include "testutil.h"

static unsigned long long cur_seed; /* the schedule running, 0: none */

#define OK(call) do { \
	hearth_status st_ = (call); \
	if (st_ != HEARTH_OK) \
		fail_msg("seed %llu: %s: %s (%s)", cur_seed, #call, hearth_strerror(st_), \
			 hearth_errdetail()); \
} while (0)

#define CHECK(cond) do { \
	if (!(cond)) \
		fail_msg("seed %llu: %s:%d: %s", cur_seed, __FILE__, __LINE__, #cond); \
} while (0)

/* ---- vaults ------------------------------------------------------------------------ */

typedef struct replica {
	sqlite3 *db;
	hearth_store *s;
	uint8_t sk[HEARTH_SIGN_SECRETBYTES];
	int offline; /* partitioned away from the relay */
	uint64_t now_ms; /* its wall clock, when a test moves it (else 0: the real one) */
} replica;

typedef struct team3 {
	char dir[64];
	replica r[3]; /* lead, counsellor A, counsellor B */
	hearth_id space;
	relay_server *srv;
	relay_config cfg;
	char store[128], url[64];
	unsigned port;
} team3;

/* A replica's wall clock: the one the test moves, or the real one. */
static uint64_t replica_now(void *ctx)
{
	const replica *r = ctx;
	struct timespec ts;

	if (r->now_ms != 0)
		return r->now_ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void replica_open(replica *r)
{
	hearth_store_options o;
	hearth_device_key *k = NULL;

	memset(r, 0, sizeof *r);
	memset(&o, 0, sizeof o);
	o.now = replica_now;
	o.now_ctx = r;
	assert_int_equal(sqlite3_open(":memory:", &r->db), SQLITE_OK);
	OK(hearth_schema_migrate(r->db, hearth_schema_latest()));
	OK(hearth_store_open(r->db, &o, &r->s));
	OK(hearth_devices_ensure(r->s, NULL));
	OK(hearth_device_key_load(r->s, &k, NULL));
	memcpy(r->sk, hearth_device_key_secret(k), sizeof r->sk);
	hearth_device_key_free(k);
}

static void replica_close(replica *r)
{
	hearth_store_close(r->s);
	sqlite3_close(r->db);
}


static hearth_id person(replica *r, const hearth_id *space, const char *name)
{
	hearth_id id;

	OK(hearth_record_create(r->s, space, "person", &id));
	OK(hearth_record_set(r->s, &id, "name", name));
	return id;
}

static void relay_up(team3 *f)
{
	char err[256];

	f->cfg.listen = "127.0.0.1:0";
	f->cfg.store = f->store;
	f->cfg.rate = 0;
	f->cfg.threads = 2;
	if (relay_server_start(&f->cfg, &f->srv, err, sizeof err) != 0)
		fail_msg("relay_server_start: %s", err);
	f->port = relay_server_port(f->srv);
	snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u", f->port);
}

static void relay_down(team3 *f)
{
	relay_server_stop(f->srv);
	f->srv = NULL;
}

/* Starts the relay again on port (its clients keep their URL). */
static void relay_up_at(team3 *f, unsigned port, char *listen, size_t len)
{
	char err[256];

	snprintf(listen, len, "127.0.0.1:%u", port);
	f->cfg.listen = listen;
	if (relay_server_start(&f->cfg, &f->srv, err, sizeof err) != 0)
		fail_msg("relay_server_start: %s", err);
	assert_int_equal(relay_server_port(f->srv), port);
}

static void fixture_make(team3 *f)
{
	memset(f, 0, sizeof *f);
	strcpy(f->dir, "/tmp/hearth-relaysync-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	replica_open(&f->r[0]);
	replica_open(&f->r[1]);
	replica_open(&f->r[2]);
	OK(hearth_space_create(f->r[0].s, "Dock team", &f->space));
	person(&f->r[0], &f->space, "王芳");
	team_add_member(f->r[0].s, f->r[1].s, &f->space);
	team_add_member(f->r[0].s, f->r[2].s, &f->space);
	snprintf(f->store, sizeof f->store, "sqlite:%s/relay.db", f->dir);
	relay_up(f);
}

static void fixture_free(team3 *f)
{
	char cmd[128];
	int i;

	if (f->srv != NULL)
		relay_down(f);
	for (i = 0; i < 3; i++)
		replica_close(&f->r[i]);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	team3 *f = malloc(sizeof *f);

	assert_non_null(f);
	fixture_make(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_free(*state);
	free(*state);
	return 0;
}

/* Syncs r with the relay at url (the team3's when NULL), with hooks (may
 * be NULL). */
static hearth_status sync_hooked(team3 *f, replica *r, const char *url,
				 const hearth_relay_hooks *hooks, hearth_relay_result *res)
{
	hearth_relay_opts o;
	hearth_vault_trust *vt;
	hearth_status st;

	memset(&o, 0, sizeof o);
	o.url = url != NULL ? url : f->url;
	o.attempts = 2;
	o.backoff_ms = 10;
	o.hooks = hooks;
	OK(hearth_vault_trust_open(r->s, &vt));
	st = hearth_relay_sync(r->s, hearth_vault_trust_get(vt), r->sk, &o, &f->space, res);
	hearth_vault_trust_free(vt);
	return st;
}

static hearth_status sync_url(team3 *f, replica *r, const char *url, hearth_relay_result *res)
{
	return sync_hooked(f, r, url, NULL, res);
}

static void sync_ok(team3 *f, replica *r)
{
	hearth_relay_result res;

	OK(sync_url(f, r, NULL, &res));
	if (!res.in_sync)
		fail_msg("seed %llu: not in sync after a sync: %s", cur_seed, res.problem);
}

/* What the space holds in r: every op id and every field's value, in a
 * fixed order.  Replicas that merged the same ops hold the same. */
static char *space_dump(replica *r, const hearth_id *space)
{
	sqlite3_stmt *q;
	size_t len = 0, cap = 4096;
	char *out = malloc(cap);

	assert_non_null(out);
	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(r->db,
		"SELECT 'op', device, seq, NULL FROM op WHERE space = ?1"
		" UNION ALL SELECT 'field', hex(f.record), f.name, f.value FROM field f"
		" JOIN record r ON r.id = f.record WHERE r.space = ?1"
		" ORDER BY 1, 2, 3", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_blob(q, 1, space->b, HEARTH_ID_BYTES, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		char *line = NULL;
		int n = asprintf(&line, "%s %s %s %s\n",
				 (const char *)sqlite3_column_text(q, 0),
				 (const char *)sqlite3_column_text(q, 1),
				 (const char *)sqlite3_column_text(q, 2),
				 sqlite3_column_text(q, 3) ?
				 (const char *)sqlite3_column_text(q, 3) : "-");

		assert_true(n > 0);
		while (len + (size_t)n + 1 > cap) {
			cap *= 2;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		memcpy(out + len, line, (size_t)n + 1);
		len += (size_t)n;
		free(line);
	}
	sqlite3_finalize(q);
	return out;
}

static void all_equal(team3 *f)
{
	char *d0 = space_dump(&f->r[0], &f->space), *d;
	int i;

	for (i = 1; i < 3; i++) {
		d = space_dump(&f->r[i], &f->space);
		if (strcmp(d0, d) != 0)
			fail_msg("seed %llu: vault %d's space differs from the lead's:\n%s\n---\n%s",
				 cur_seed, i, d0, d);
		free(d);
	}
	free(d0);
}

/* ---- a first sync, joining, no change ------------------------------------------ */

/* The lead registers the space with its first push; the counsellors,
 * who hold only their join request, get the space through the relay;
 * a write by one reaches the others; a sync with nothing new is one
 * request and under 1 KiB both ways. */
static void test_first_sync_and_no_change(void **state)
{
	team3 *f = *state;
	hearth_relay_result res;
	int i;

	OK(sync_url(f, &f->r[0], NULL, &res));
	assert_true(res.registered);
	assert_true(res.pushed > 0);
	assert_true(res.in_sync);
	assert_int_equal(res.pulled, 0);
	/* What it pushed it does not pull back. */
	person(&f->r[0], &f->space, "Ana");
	OK(sync_url(f, &f->r[0], NULL, &res));
	assert_int_equal(res.pushed, 1);
	assert_int_equal(res.pulled, 0);
	assert_true(res.in_sync);
	for (i = 1; i < 3; i++)
		sync_ok(f, &f->r[i]);
	person(&f->r[1], &f->space, "李明");
	sync_ok(f, &f->r[1]);
	sync_ok(f, &f->r[0]);
	sync_ok(f, &f->r[2]);
	all_equal(f);

	OK(sync_url(f, &f->r[2], NULL, &res));
	assert_true(res.in_sync);
	assert_int_equal(res.round_trips, 1);
	assert_true(res.bytes_sent + res.bytes_received < 1024);
	assert_int_equal(res.pushed + res.pulled, 0);
}

/* A record holding the largest value a field may hold (HEARTH_OP_VALUE_MAX:
 * its envelope alone is over 1 MiB) goes through the relay, and so does a
 * safety flag written after it: one large envelope never holds back the
 * ones behind it. */
static void test_largest_value(void **state)
{
	team3 *f = *state;
	hearth_id note, flag;
	hearth_record *r = NULL;
	char *big = malloc(HEARTH_OP_VALUE_MAX + 1);
	int i;

	assert_non_null(big);
	for (i = 0; i < 3; i++)
		sync_ok(f, &f->r[i]);
	/* Text that does not compress: the envelope is as large as it gets. */
	for (i = 0; i < (int)HEARTH_OP_VALUE_MAX; i++)
		big[i] = (char)('a' + randombytes_uniform(26));
	big[HEARTH_OP_VALUE_MAX] = '\0';
	note = person(&f->r[1], &f->space, "Ana");
	OK(hearth_record_set(f->r[1].s, &note, "notes", big));
	flag = person(&f->r[1], &f->space, "李明");
	OK(hearth_record_set(f->r[1].s, &flag, "risk", "high"));
	sync_ok(f, &f->r[1]);
	sync_ok(f, &f->r[0]);
	OK(hearth_record_load(f->r[0].s, &flag, &r));
	assert_string_equal(hearth_record_field(r, "risk"), "high");
	hearth_record_free(r);
	OK(hearth_record_load(f->r[0].s, &note, &r));
	assert_non_null(hearth_record_field(r, "notes"));
	assert_string_equal(hearth_record_field(r, "notes"), big);
	hearth_record_free(r);
	sync_ok(f, &f->r[2]);
	all_equal(f);
	free(big);
}

/* Flips one byte in the middle of the envelope the relay keeps as k, as
 * a bad sector would (the relay's SQLite store, table env). */
static void relay_damage(team3 *f, long long k)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *q;
	uint8_t *b;
	int n;

	snprintf(path, sizeof path, "%s/relay.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT bytes FROM env WHERE k = ?1", -1, &q,
					    NULL), SQLITE_OK);
	sqlite3_bind_int64(q, 1, k);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_bytes(q, 0);
	b = malloc((size_t)n);
	assert_non_null(b);
	memcpy(b, sqlite3_column_blob(q, 0), (size_t)n);
	sqlite3_finalize(q);
	b[n / 2] ^= 0x10;
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE env SET bytes = ?2 WHERE k = ?1", -1,
					    &q, NULL), SQLITE_OK);
	sqlite3_bind_int64(q, 1, k);
	sqlite3_bind_blob(q, 2, b, n, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
	sqlite3_close(db);
	free(b);
}

/* The relay's newest data envelope, as k in its store. */
static long long relay_last_data(team3 *f)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *q;
	long long k;

	snprintf(path, sizeof path, "%s/relay.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT max(k) FROM env WHERE ctl = 0", -1, &q,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	k = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return k;
}

static int holds_value(replica *r, const hearth_id *space, const char *value)
{
	char *d = space_dump(r, space);
	int found = strstr(d, value) != NULL;

	free(d);
	return found;
}

/* One envelope damaged on the relay's disk: the lead still receives every
 * envelope after it (a safety flag among them), each sync says which one
 * is damaged, and once the relay's copy is whole again it arrives.  Before,
 * the lead's every pull was refused whole at that envelope, and nothing
 * written after it ever reached the lead. */
static void test_damaged_on_relay(void **state)
{
	team3 *f = *state;
	hearth_relay_result res;
	hearth_record *r = NULL;
	hearth_id flag;
	long long k;
	int i;

	for (i = 0; i < 3; i++)
		sync_ok(f, &f->r[i]);
	person(&f->r[1], &f->space, "张伟");
	sync_ok(f, &f->r[1]);
	k = relay_last_data(f);
	flag = person(&f->r[1], &f->space, "李明");
	OK(hearth_record_set(f->r[1].s, &flag, "risk", "high"));
	sync_ok(f, &f->r[1]);
	assert_true(relay_last_data(f) > k);
	relay_damage(f, k);

	for (i = 0; i < 2; i++) {
		OK(sync_url(f, &f->r[0], NULL, &res));
		OK(hearth_record_load(f->r[0].s, &flag, &r));
		assert_string_equal(hearth_record_field(r, "risk"), "high");
		hearth_record_free(r);
		assert_false(holds_value(&f->r[0], &f->space, "张伟"));
		assert_false(res.in_sync);
		assert_true(res.left_out >= 1);
		if (strstr(res.problem, "damaged") == NULL &&
		    strstr(res.problem, "does not open") == NULL)
			fail_msg("the problem does not name the damage: %s", res.problem);
		assert_int_equal(res.problem_kind, HEARTH_SYNC_PROBLEM_LEFT_OUT);
	}
	/* Worth the user's attention: records are missing here. */
	{
		hearth_relaysync_attention a;

		OK(hearth_settings_set(f->r[0].s, HEARTH_SETTING_RELAY_URL, f->url));
		OK(hearth_relaysync_attention_get(f->r[0].s, (int64_t)time(NULL), &a));
		assert_int_equal(a.need, HEARTH_RELAYSYNC_FAILED);
		assert_int_equal(a.problem_kind, HEARTH_SYNC_PROBLEM_LEFT_OUT);
	}
	/* The second counsellor too. */
	OK(sync_url(f, &f->r[2], NULL, &res));
	OK(hearth_record_load(f->r[2].s, &flag, &r));
	assert_string_equal(hearth_record_field(r, "risk"), "high");
	hearth_record_free(r);

	/* The relay's copy mended: reconciliation brings it. */
	relay_damage(f, k);
	sync_ok(f, &f->r[0]);
	assert_true(holds_value(&f->r[0], &f->space, "张伟"));
	sync_ok(f, &f->r[2]);
	sync_ok(f, &f->r[1]);
	all_equal(f);
}

/* A relay whose clock is an hour ahead of the devices' (or theirs behind
 * it: past the 300 s a signed request may be off) refuses their first
 * request for its time and says its time; they sign with it and sync.
 * Without that, a device with a slow clock never synced again, and its
 * records never reached the team. */
static void test_relay_clock_off(void **state)
{
	team3 *f = *state;
	char listen[64];
	int i;

	relay_down(f);
	f->cfg.clock_offset = 3600;
	relay_up_at(f, f->port, listen, sizeof listen);
	for (i = 0; i < 3; i++)
		sync_ok(f, &f->r[i]);
	person(&f->r[2], &f->space, "李明");
	sync_ok(f, &f->r[2]);
	sync_ok(f, &f->r[0]);
	sync_ok(f, &f->r[1]);
	all_equal(f);
}

/* Bad options are refused before any request, naming the problem. */
static void test_bad_options(void **state)
{
	team3 *f = *state;
	hearth_relay_result res;

	assert_int_equal(sync_url(f, &f->r[0], "http://relay.example.org", &res), HEARTH_EINVAL);
	assert_non_null(strstr(hearth_errdetail(), "plain http"));
	assert_int_equal(sync_url(f, &f->r[0], "ftp://127.0.0.1/", &res), HEARTH_EINVAL);
	{
		hearth_relay_opts o;

		memset(&o, 0, sizeof o);
		o.url = "https://relay.example.org";
		o.pin = "sha256//short";
		assert_int_equal(hearth_relay_opts_check(&o), HEARTH_EINVAL);
		o.pin = "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
		OK(hearth_relay_opts_check(&o));
		o.pin = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
		OK(hearth_relay_opts_check(&o));
	}
	/* Nobody listening: HEARTH_ENET after the retries, the problem kept. */
	{
		hearth_sync_relay_state rs;
		int found;

		assert_int_equal(sync_url(f, &f->r[0], "http://127.0.0.1:1", &res), HEARTH_ENET);
		OK(hearth_sync_relay_get(f->r[0].s, "http://127.0.0.1:1", &f->space, &rs, &found));
		assert_true(found);
		assert_true(rs.problem[0] != '\0');
		assert_int_equal(rs.problem_kind, HEARTH_SYNC_PROBLEM_UNREACHABLE);
		assert_int_equal(rs.synced_at, 0);
	}
}


/* last_audit_cb for the entries of hearth_relaysync alone. */
static int sync_audit_cb(const hearth_audit_entry *e, void *ctx)
{
	return strcmp(e->action, HEARTH_AUDIT_SYNC_RELAY) == 0 ? last_audit_cb(e, ctx) : 0;
}

/* A relay that refuses this device (403: it registers spaces only for the
 * identities it lists): the sync fails, and the state kept says the relay
 * refused, not that it could not be reached, in a sentence of its own in
 * the user's language; the English detail stays beside it.  Allowed
 * again, the next sync clears both. */
static void test_refused_kind(void **state)
{
	static const char *const allow[] = {
		"00000 00000 00000 00000 00000 00000 00000 00000 00000 00000 00000 00000",
	};
	team3 *f = *state;
	hearth_relay_result res;
	hearth_sync_relay_state rs;
	hearth_relaysync_opts o;
	struct last_audit last;
	char listen[32];
	int found;

	relay_down(f);
	f->cfg.register_allow = allow;
	f->cfg.nregister_allow = 1;
	relay_up_at(f, f->port, listen, sizeof listen);
	assert_int_equal(sync_url(f, &f->r[0], NULL, &res), HEARTH_ENET);
	assert_int_equal(res.problem_kind, HEARTH_SYNC_PROBLEM_REFUSED);
	assert_non_null(strstr(res.problem, "forbidden"));
	/* The audited verb keeps the kind in its entry, before the text. */
	memset(&o, 0, sizeof o);
	o.url = f->url;
	assert_int_equal(hearth_relaysync(f->r[0].s, &o, NULL, NULL), HEARTH_ENET);
	hearth_errdetail_clear();
	memset(&last, 0, sizeof last);
	OK(hearth_audit_each(f->r[0].s, sync_audit_cb, &last));
	assert_string_equal(last.action, HEARTH_AUDIT_SYNC_RELAY);
	assert_non_null(strstr(last.detail, " problem_kind=refused problem="));
	OK(hearth_sync_relay_get(f->r[0].s, f->url, &f->space, &rs, &found));
	assert_true(found);
	assert_int_equal(rs.problem_kind, HEARTH_SYNC_PROBLEM_REFUSED);
	assert_string_equal(rs.problem, res.problem);
	assert_string_equal(hearth_sync_problem_name(rs.problem_kind), "refused");
	assert_string_not_equal(hearth_sync_problem_local(rs.problem_kind),
				hearth_sync_problem_local(HEARTH_SYNC_PROBLEM_UNREACHABLE));
	assert_true(hearth_sync_problem_local(rs.problem_kind)[0] != '\0');

	relay_down(f);
	f->cfg.register_allow = NULL;
	f->cfg.nregister_allow = 0;
	relay_up_at(f, f->port, listen, sizeof listen);
	sync_ok(f, &f->r[0]);
	OK(hearth_sync_relay_get(f->r[0].s, f->url, &f->space, &rs, &found));
	assert_int_equal(rs.problem_kind, HEARTH_SYNC_PROBLEM_NONE);
	assert_string_equal(rs.problem, "");
}

/* A relay that limits each device to 2 requests a second answers 429 to
 * a burst: with one try the sync fails as "busy"; with retries (backoff,
 * Retry-After) the same sync goes through. */
static void test_rate_limited_retries(void **state)
{
	team3 *f = *state;
	hearth_relay_result res;
	hearth_vault_trust *vt;
	hearth_relay_opts o;
	hearth_status st;
	char listen[32];
	int i;

	relay_down(f);
	f->cfg.rate = 1;
	f->cfg.burst = 1;
	relay_up_at(f, f->port, listen, sizeof listen);
	memset(&o, 0, sizeof o);
	o.url = f->url;
	o.attempts = 1;
	OK(hearth_vault_trust_open(f->r[0].s, &vt));
	/* A first sync takes several requests: past the burst at once. */
	st = hearth_relay_sync(f->r[0].s, hearth_vault_trust_get(vt), f->r[0].sk, &o,
			       &f->space, &res);
	assert_int_equal(st, HEARTH_ENET);
	assert_non_null(strstr(hearth_errdetail(), "busy"));
	/* Busy is not a refusal of this device: try again later. */
	assert_int_equal(res.problem_kind, HEARTH_SYNC_PROBLEM_UNREACHABLE);
	o.attempts = 8;
	o.backoff_ms = 100;
	for (i = 0; i < 2; i++) {
		OK(hearth_relay_sync(f->r[0].s, hearth_vault_trust_get(vt), f->r[0].sk, &o,
				     &f->space, &res));
		assert_true(res.in_sync);
	}
	hearth_vault_trust_free(vt);
}

/* ---- the audited verb and the worker thread ----------------------------------- */

static int cancel_now(void *ctx)
{
	(void)ctx;
	return 1;
}

static void count_progress(const hearth_relay_progress *p, void *ctx)
{
	(*(int *)ctx)++;
	(void)p;
}

/* hearth_relaysync over every team space: audited per space, the relay
 * remembered; in a worker thread with progress; cancelled before its
 * first request, it stops with HEARTH_ECANCELED and changes nothing. */
static void test_verb_and_thread(void **state)
{
	team3 *f = *state;
	hearth_relaysync_opts o;
	hearth_relay_hooks hooks = { count_progress, NULL, NULL };
	hearth_relaysync_job *job;
	char *url = NULL;
	int calls = 0;

	memset(&o, 0, sizeof o);
	o.url = f->url;
	OK(hearth_relaysync(f->r[0].s, &o, NULL, NULL));
	assert_int_equal(count_audit(f->r[0].s, HEARTH_AUDIT_SYNC_RELAY), 1);
	OK(hearth_settings_get(f->r[0].s, HEARTH_SETTING_RELAY_URL, &url));
	assert_string_equal(url, f->url);
	free(url);
	/* The counsellor has only asked to join: its space is synced too. */
	hooks.ctx = &calls;
	o.hooks = &hooks;
	OK(hearth_relaysync_start(f->r[1].s, &o, &job));
	OK(hearth_relaysync_join(job));
	assert_true(calls > 0);
	assert_int_equal(count_audit(f->r[1].s, HEARTH_AUDIT_SYNC_RELAY), 1);
	/* Remembered: no URL needed any more. */
	o.url = NULL;
	o.hooks = NULL;
	person(&f->r[1], &f->space, "李明");
	OK(hearth_relaysync(f->r[1].s, &o, NULL, NULL));
	hooks.cancelled = cancel_now;
	o.hooks = &hooks;
	person(&f->r[1], &f->space, "张伟");
	OK(hearth_relaysync_start(f->r[1].s, &o, &job));
	assert_int_equal(hearth_relaysync_join(job), HEARTH_ECANCELED);
	/* The worker's failure reaches the joining thread whole: its code,
	 * and the sentence in the user's language (the app shows it). */
	use_language("zh_CN");
	OK(hearth_relaysync_start(f->r[1].s, &o, &job));
	assert_int_equal(hearth_relaysync_join(job), HEARTH_ECANCELED);
	assert_string_equal(hearth_errinfo_get()->code, "relay '%s': %-s");
	assert_non_null(strstr(hearth_errdetail_local(), "同步已取消"));
	assert_non_null(strstr(hearth_errdetail(), "sync cancelled"));
	use_language("en");
	sync_ok(f, &f->r[0]);
	{
		char *d = space_dump(&f->r[0], &f->space);

		assert_non_null(strstr(d, "李明"));
		assert_null(strstr(d, "张伟"));
		free(d);
	}
}

static void mark_finished(void *ctx)
{
	atomic_store((atomic_int *)ctx, 1);
}

/* Records each space_begin: the calls, and index and count of the last. */
typedef struct begun {
	int calls;
	size_t index, count;
	hearth_id space;
} begun;

static void mark_begun(const hearth_id *space, size_t index, size_t count, void *ctx)
{
	begun *b = ctx;

	b->calls++;
	b->index = index;
	b->count = count;
	b->space = *space;
}

/* The Today page's judgement (hearth_relaysync_attention_get): fine with
 * no relay remembered; fine just after a sync; stale more than three
 * days later (the caller's clock), with the days; failed once the relay
 * is unreachable, naming the problem; fine again after a sync.  And a
 * job started with a finished hook calls it before join returns, and
 * tells each space's place before syncing it. */
static void test_attention(void **state)
{
	team3 *f = *state;
	hearth_relaysync_attention a;
	hearth_relaysync_opts o;
	hearth_relaysync_job *job;
	atomic_int finished;
	begun b = { 0 };
	int64_t now = (int64_t)time(NULL);
	char listen[64];
	unsigned port = f->port;

	OK(hearth_relaysync_attention_get(f->r[0].s, now, &a));
	assert_int_equal(a.need, HEARTH_RELAYSYNC_FINE);
	memset(&o, 0, sizeof o);
	o.url = f->url;
	OK(hearth_relaysync(f->r[0].s, &o, NULL, NULL));
	OK(hearth_relaysync_attention_get(f->r[0].s, now, &a));
	assert_int_equal(a.need, HEARTH_RELAYSYNC_FINE);
	assert_true(a.synced_at >= now && a.synced_at <= now + 60);
	OK(hearth_relaysync_attention_get(f->r[0].s, now + 3 * 86400, &a));
	assert_int_equal(a.need, HEARTH_RELAYSYNC_FINE);
	OK(hearth_relaysync_attention_get(f->r[0].s, a.synced_at + 3 * 86400 + 1, &a));
	assert_int_equal(a.need, HEARTH_RELAYSYNC_STALE);
	assert_int_equal(a.days, 3);
	/* Unreachable: the relay's port closed. */
	relay_down(f);
	o.url = NULL;
	o.attempts = 1;
	assert_int_not_equal(hearth_relaysync(f->r[0].s, &o, NULL, NULL), HEARTH_OK);
	OK(hearth_relaysync_attention_get(f->r[0].s, now, &a));
	assert_int_equal(a.need, HEARTH_RELAYSYNC_FAILED);
	assert_true(a.problem[0] != '\0');
	assert_int_equal(a.problem_kind, HEARTH_SYNC_PROBLEM_UNREACHABLE);
	/* Back: a sync in a worker, its finished hook called, and its one
	 * team space begun as the first of one. */
	relay_up_at(f, port, listen, sizeof listen);
	atomic_init(&finished, 0);
	o.finished = mark_finished;
	o.finished_ctx = &finished;
	o.space_begin = mark_begun;
	o.space_ctx = &b;
	OK(hearth_relaysync_start(f->r[0].s, &o, &job));
	while (!atomic_load(&finished))
		usleep(1000);
	OK(hearth_relaysync_join(job));
	assert_int_equal(b.calls, 1);
	assert_int_equal(b.index, 0);
	assert_int_equal(b.count, 1);
	assert_true(hearth_id_equal(&b.space, &f->space));
	OK(hearth_relaysync_attention_get(f->r[0].s, (int64_t)time(NULL), &a));
	assert_int_equal(a.need, HEARTH_RELAYSYNC_FINE);
	assert_string_equal(a.problem, "");
}

/* ---- a hostile relay ---------------------------------------------------------------- */

/* What the proxy in front of the real relay does to the next answers. */
enum hostile_mode {
	H_HONEST = 0,
	H_FORGET_PUSH,   /* answers a push "stored" without passing it on, once */
	H_DROP_MIDDLE,   /* leaves one envelope out of a page, headers kept */
	H_TRUNCATE,      /* cuts a page in the middle of an envelope */
	H_DROP_LAST,     /* leaves the page's last envelope out, headers kept */
	H_REORDER,       /* swaps a page's first two envelopes, seqs and all */
	H_REPLAY,        /* answers a pull with the relay's first page again */
	H_SWAP,          /* swaps two envelopes' signatures (payload of one id
			  * under the header of another) */
	H_FORGE,         /* flips one byte inside an envelope */
};

typedef struct proxy {
	struct MHD_Daemon *d;
	unsigned port;
	char url[64];
	const char *upstream;
	int mode;
	int hits;        /* answers the mode changed */
	uint8_t *first_page; /* the first page the relay gave */
	size_t first_len;
	pthread_mutex_t lock;
} proxy;

typedef struct preq {
	char *uri;
	uint8_t *body;
	size_t len;
	int started;
} preq;

typedef struct upstream_resp {
	long status;
	uint8_t *body;
	size_t len;
	char hdr[8][160];
	int nhdr;
} upstream_resp;

static size_t up_body(char *d, size_t size, size_t n, void *ctx)
{
	upstream_resp *u = ctx;

	u->body = realloc(u->body, u->len + size * n + 1);
	assert_non_null(u->body);
	memcpy(u->body + u->len, d, size * n);
	u->len += size * n;
	return size * n;
}

static size_t up_header(char *d, size_t size, size_t n, void *ctx)
{
	upstream_resp *u = ctx;
	size_t len = size * n;

	if (u->nhdr < 8 && len < 160 && (strncasecmp(d, "Hearth-", 7) == 0 ||
					 strncasecmp(d, "Content-Type:", 13) == 0 ||
					 strncasecmp(d, "Retry-After:", 12) == 0)) {
		memcpy(u->hdr[u->nhdr], d, len);
		while (len > 0 && (d[len - 1] == '\r' || d[len - 1] == '\n'))
			len--;
		u->hdr[u->nhdr++][len] = '\0';
	}
	return size * n;
}

/* Passes the request on to the real relay, headers and body as they came. */
static void forward(proxy *px, struct MHD_Connection *c, const char *method, preq *r,
		    upstream_resp *u)
{
	static const char *const pass[] = { "Hearth-Device", "Hearth-Time", "Hearth-Nonce",
					     "Hearth-Signature", "Content-Type" };
	struct curl_slist *h = NULL;
	char url[512], line[256];
	CURL *cu = curl_easy_init();
	size_t i;

	memset(u, 0, sizeof *u);
	snprintf(url, sizeof url, "%s%s", px->upstream, r->uri);
	for (i = 0; i < sizeof pass / sizeof pass[0]; i++) {
		const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, pass[i]);

		if (v != NULL) {
			snprintf(line, sizeof line, "%s: %s", pass[i], v);
			h = curl_slist_append(h, line);
		}
	}
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, up_body);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, u);
	curl_easy_setopt(cu, CURLOPT_HEADERFUNCTION, up_header);
	curl_easy_setopt(cu, CURLOPT_HEADERDATA, u);
	if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(cu, CURLOPT_POSTFIELDS, r->len ? (const char *)r->body : "");
		curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE, (long)r->len);
	}
	if (curl_easy_perform(cu) != CURLE_OK)
		u->status = 502;
	else
		curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &u->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(cu);
}

/* A page's envelopes: where each entry (seq, length, bytes) starts. */
static size_t page_entries(const upstream_resp *u, size_t *off, size_t max)
{
	size_t pos = 0, n = 0;

	while (pos + 12 <= u->len && n < max) {
		size_t len = (size_t)u->body[pos + 8] << 24 | (size_t)u->body[pos + 9] << 16 |
			(size_t)u->body[pos + 10] << 8 | u->body[pos + 11];

		off[n++] = pos;
		pos += 12 + len;
	}
	return n;
}

static size_t entry_len(const upstream_resp *u, size_t *off, size_t n, size_t i)
{
	return (i + 1 < n ? off[i + 1] : u->len) - off[i];
}

static int is_pull(const char *method, const preq *r)
{
	return strcmp(method, "GET") == 0 && strstr(r->uri, "/envelopes?") != NULL;
}

/* Changes the answer u to the request r as the mode says; 1 if it did. */
static int mutate(proxy *px, const char *method, preq *r, upstream_resp *u)
{
	size_t off[4096], n;
	int pull = is_pull(method, r);

	if (!pull || u->status != 200)
		return 0;
	n = page_entries(u, off, 4096);
	switch (px->mode) {
	case H_DROP_MIDDLE:
		if (n < 3)
			return 0;
		memmove(u->body + off[1], u->body + off[2], u->len - off[2]);
		u->len -= off[2] - off[1];
		return 1;
	case H_TRUNCATE:
		if (n < 1)
			return 0;
		u->len = off[n - 1] + 12 + (entry_len(u, off, n, n - 1) - 12) / 2;
		return 1;
	case H_DROP_LAST:
		if (n < 2)
			return 0;
		u->len = off[n - 1];
		return 1;
	case H_REORDER: {
		size_t a = entry_len(u, off, n, 0), b;
		uint8_t *tmp;

		if (n < 2)
			return 0;
		b = entry_len(u, off, n, 1);
		tmp = malloc(a + b);
		assert_non_null(tmp);
		memcpy(tmp, u->body + off[1], b);
		memcpy(tmp + b, u->body, a);
		memcpy(u->body, tmp, a + b);
		free(tmp);
		return 1;
	}
	case H_SWAP: {
		uint8_t sig[64];
		size_t ea, eb;

		if (n < 2)
			return 0;
		ea = off[0] + entry_len(u, off, n, 0) - 64;
		eb = off[1] + entry_len(u, off, n, 1) - 64;
		memcpy(sig, u->body + ea, 64);
		memcpy(u->body + ea, u->body + eb, 64);
		memcpy(u->body + eb, sig, 64);
		return 1;
	}
	case H_FORGE:
		if (n < 1)
			return 0;
		u->body[off[n - 1] + 12 + entry_len(u, off, n, n - 1) / 2] ^= 0x20;
		return 1;
	default:
		return 0;
	}
}

static void add_headers(struct MHD_Response *resp, const upstream_resp *u)
{
	int i;

	for (i = 0; i < u->nhdr; i++) {
		char name[64];
		const char *colon = strchr(u->hdr[i], ':');
		const char *v;

		if (colon == NULL || (size_t)(colon - u->hdr[i]) >= sizeof name)
			continue;
		memcpy(name, u->hdr[i], (size_t)(colon - u->hdr[i]));
		name[colon - u->hdr[i]] = '\0';
		for (v = colon + 1; *v == ' '; v++)
			;
		MHD_add_response_header(resp, name, v);
	}
}

/* The relay's answer to a push it never stored: "stored" for each. */
static void fake_push_answer(preq *r, upstream_resp *u)
{
	size_t pos = 0, n = 0, used;
	char *b;

	while (pos + 4 <= r->len) {
		size_t len = (size_t)r->body[pos] << 24 | (size_t)r->body[pos + 1] << 16 |
			(size_t)r->body[pos + 2] << 8 | r->body[pos + 3];

		pos += 4 + len;
		n++;
	}
	if ((b = malloc(64 + n * 128)) == NULL)
		abort();
	used = (size_t)sprintf(b, "{\"results\":[");
	for (pos = 0; pos < n; pos++)
		used += (size_t)sprintf(b + used, "%s{\"id\":\"%064d\",\"seq\":1,\"status\":\"stored\"}",
					pos ? "," : "", 0);
	sprintf(b + used, "]}");
	memset(u, 0, sizeof *u);
	u->status = 200;
	u->body = (uint8_t *)b;
	u->len = strlen(b);
	snprintf(u->hdr[0], sizeof u->hdr[0], "Content-Type: application/json");
	u->nhdr = 1;
}

static enum MHD_Result proxy_handler(void *cls, struct MHD_Connection *c, const char *url,
				     const char *method, const char *version,
				     const char *upload, size_t *upload_len, void **con_cls)
{
	proxy *px = cls;
	preq *r = *con_cls;
	struct MHD_Response *resp;
	upstream_resp u;
	enum MHD_Result ret;

	(void)url;
	(void)version;
	if (!r->started) {
		r->started = 1;
		return MHD_YES;
	}
	if (*upload_len > 0) {
		r->body = realloc(r->body, r->len + *upload_len + 1);
		assert_non_null(r->body);
		memcpy(r->body + r->len, upload, *upload_len);
		r->len += *upload_len;
		*upload_len = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&px->lock);
	if (px->mode == H_FORGET_PUSH && strcmp(method, "POST") == 0 &&
	    strstr(r->uri, "/envelopes") != NULL) {
		fake_push_answer(r, &u);
		px->mode = H_HONEST;
		px->hits++;
	} else if (px->mode == H_REPLAY && is_pull(method, r) &&
		   strstr(r->uri, "after=0&") == NULL && px->first_page != NULL) {
		/* The relay's first page again, whatever the cursor (the
		 * request itself is signed: only the answer can be old). */
		forward(px, c, method, r, &u);
		free(u.body);
		u.body = malloc(px->first_len);
		assert_non_null(u.body);
		memcpy(u.body, px->first_page, px->first_len);
		u.len = px->first_len;
		px->hits++;
	} else {
		forward(px, c, method, r, &u);
		if (is_pull(method, r) && strstr(r->uri, "after=0&") != NULL &&
		    u.status == 200 && u.len > 0 && px->first_page == NULL) {
			px->first_page = malloc(u.len);
			assert_non_null(px->first_page);
			memcpy(px->first_page, u.body, u.len);
			px->first_len = u.len;
		}
		if (mutate(px, method, r, &u))
			px->hits++;
	}
	pthread_mutex_unlock(&px->lock);
	resp = MHD_create_response_from_buffer(u.len, u.body, MHD_RESPMEM_MUST_COPY);
	add_headers(resp, &u);
	ret = MHD_queue_response(c, (unsigned)u.status, resp);
	MHD_destroy_response(resp);
	free(u.body);
	return ret;
}

static void *proxy_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	preq *r = calloc(1, sizeof *r);

	(void)cls;
	(void)c;
	assert_non_null(r);
	r->uri = strdup(uri);
	return r;
}

static void proxy_done(void *cls, struct MHD_Connection *c, void **con_cls,
		       enum MHD_RequestTerminationCode toe)
{
	preq *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (r != NULL) {
		free(r->uri);
		free(r->body);
		free(r);
	}
	*con_cls = NULL;
}

static void proxy_start(proxy *px, const char *upstream)
{
	const union MHD_DaemonInfo *info;

	memset(px, 0, sizeof *px);
	pthread_mutex_init(&px->lock, NULL);
	px->upstream = upstream;
	px->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
				 proxy_handler, px,
				 MHD_OPTION_URI_LOG_CALLBACK, proxy_uri, NULL,
				 MHD_OPTION_NOTIFY_COMPLETED, proxy_done, NULL,
				 MHD_OPTION_END);
	assert_non_null(px->d);
	info = MHD_get_daemon_info(px->d, MHD_DAEMON_INFO_BIND_PORT);
	px->port = info->port;
	snprintf(px->url, sizeof px->url, "http://127.0.0.1:%u", px->port);
}

static void proxy_stop(proxy *px)
{
	MHD_stop_daemon(px->d);
	pthread_mutex_destroy(&px->lock);
	free(px->first_page);
}

/* The space's ops in r, as a count. */
static long ops_of(replica *r, const hearth_id *space)
{
	sqlite3_stmt *q;
	long n = -1;

	assert_int_equal(sqlite3_prepare_v2(r->db, "SELECT count(*) FROM op WHERE space = ?",
					    -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_blob(q, 1, space->b, HEARTH_ID_BYTES, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* What a hostile mode must end in. */
enum hostile_end {
	CAUGHT,   /* the sync fails and applies nothing of its page */
	REPAIRED, /* the sync ends in sync */
	LEFT_OUT, /* the envelopes that do not open are left out and said, the
		   * rest of the page received; reconciliation fetches the
		   * true ones, and the sync ends in sync */
};

/* The lead and A through the proxy, B straight to the relay: B writes
 * three envelopes' worth, then the lead pulls through the hostile proxy,
 * which must end as `end` says; then the next honest sync converges. */
static void hostile_case(team3 *f, int mode, enum hostile_end end)
{
	hearth_relay_result res;
	hearth_status st;
	proxy px;
	long before;
	int i;

	proxy_start(&px, f->url);
	OK(sync_url(f, &f->r[0], px.url, &res));
	OK(sync_url(f, &f->r[1], px.url, &res));
	OK(sync_url(f, &f->r[2], NULL, &res));
	for (i = 0; i < 3; i++) {
		person(&f->r[2], &f->space, "张伟");
		OK(sync_url(f, &f->r[2], NULL, &res));
	}
	before = ops_of(&f->r[0], &f->space);
	px.mode = mode;
	st = sync_url(f, &f->r[0], px.url, &res);
	assert_true(px.hits > 0);
	if (end == CAUGHT) {
		if (st == HEARTH_OK)
			fail_msg("mode %d: the sync passed: %s", mode, res.problem);
		assert_true(st == HEARTH_EFORMAT || st == HEARTH_EAUTH);
		assert_true(res.problem[0] != '\0');
		assert_int_equal(res.problem_kind, HEARTH_SYNC_PROBLEM_MALFORMED);
		assert_int_equal(ops_of(&f->r[0], &f->space), before);
	} else {
		OK(st);
		assert_true(res.in_sync);
		assert_true(res.reconciled);
		assert_true(ops_of(&f->r[0], &f->space) > before);
	}
	if (end == LEFT_OUT) {
		assert_true(res.left_out > 0);
		/* Two envelopes under each other's signature: both out. */
		if (mode == H_SWAP)
			assert_int_equal(res.left_out, 2);
		if (res.left_out > 1) {
			char many[64];

			/* Each one counted, the last one named. */
			snprintf(many, sizeof many, "%zu envelopes left out; the last: ",
				 res.left_out);
			if (strstr(res.problem, many) == NULL)
				fail_msg("mode %d: %zu left out, but the problem says: %s", mode,
					 res.left_out, res.problem);
		}
		if (strstr(res.problem, "does not open") == NULL)
			fail_msg("mode %d: the problem does not say so: %s", mode, res.problem);
		assert_int_equal(res.problem_kind, HEARTH_SYNC_PROBLEM_LEFT_OUT);
	}
	px.mode = H_HONEST;
	OK(sync_url(f, &f->r[0], px.url, &res));
	assert_true(res.in_sync);
	assert_true(ops_of(&f->r[0], &f->space) > before);
	sync_ok(f, &f->r[1]);
	sync_ok(f, &f->r[2]);
	sync_ok(f, &f->r[0]);
	all_equal(f);
	proxy_stop(&px);
}

static void test_hostile_drop_middle(void **state) { hostile_case(*state, H_DROP_MIDDLE, REPAIRED); }
static void test_hostile_truncate(void **state) { hostile_case(*state, H_TRUNCATE, CAUGHT); }
static void test_hostile_drop_last(void **state) { hostile_case(*state, H_DROP_LAST, CAUGHT); }
static void test_hostile_reorder(void **state) { hostile_case(*state, H_REORDER, CAUGHT); }
static void test_hostile_replay(void **state) { hostile_case(*state, H_REPLAY, CAUGHT); }
static void test_hostile_swap(void **state) { hostile_case(*state, H_SWAP, LEFT_OUT); }
static void test_hostile_forge(void **state) { hostile_case(*state, H_FORGE, LEFT_OUT); }

static void note_received(const hearth_relay_progress *p, void *ctx)
{
	*(uint64_t *)ctx = p->envelopes_received;
}

static int cancel_once_received(void *ctx)
{
	return *(uint64_t *)ctx > 0;
}

/* A sync that leaves a forged envelope out and is then canceled keeps
 * the cancel as its problem: the failure that ended it is what the user
 * must hear of, not the envelope left out before (still counted).
 * Before, the left-out envelope's problem stood. */
static void test_failure_outranks_left_out(void **state)
{
	team3 *f = *state;
	hearth_relay_hooks hooks = { note_received, cancel_once_received, NULL };
	hearth_sync_relay_state rs;
	hearth_relay_result res;
	uint64_t received = 0;
	int i, found;
	proxy px;

	proxy_start(&px, f->url);
	OK(sync_url(f, &f->r[0], px.url, &res));
	OK(sync_url(f, &f->r[2], NULL, &res));
	for (i = 0; i < 3; i++) {
		person(&f->r[2], &f->space, "张伟");
		OK(sync_url(f, &f->r[2], NULL, &res));
	}
	px.mode = H_FORGE;
	hooks.ctx = &received;
	assert_int_equal(sync_hooked(f, &f->r[0], px.url, &hooks, &res), HEARTH_ECANCELED);
	assert_true(px.hits > 0);
	assert_true(res.left_out > 0);
	assert_int_equal(res.problem_kind, HEARTH_SYNC_PROBLEM_CANCELED);
	OK(hearth_sync_relay_get(f->r[0].s, px.url, &f->space, &rs, &found));
	assert_true(found);
	assert_int_equal(rs.problem_kind, HEARTH_SYNC_PROBLEM_CANCELED);
	px.mode = H_HONEST;
	OK(sync_url(f, &f->r[0], px.url, &res));
	assert_true(res.in_sync);
	proxy_stop(&px);
}

/* The relay answers a push "stored" and keeps nothing: the state after
 * the sync shows it, reconciliation sends the envelope again, and the
 * others get it. */
static void test_hostile_forgets_push(void **state)
{
	team3 *f = *state;
	hearth_relay_result res;
	proxy px;

	proxy_start(&px, f->url);
	OK(sync_url(f, &f->r[0], px.url, &res));
	sync_ok(f, &f->r[1]);
	person(&f->r[0], &f->space, "Ana");
	px.mode = H_FORGET_PUSH;
	OK(sync_url(f, &f->r[0], px.url, &res));
	assert_int_equal(px.hits, 1);
	assert_true(res.reconciled);
	assert_true(res.relay_lacked > 0);
	assert_true(res.in_sync);
	sync_ok(f, &f->r[1]);
	sync_ok(f, &f->r[2]);
	all_equal(f);
	proxy_stop(&px);
}

/* The relay's store is copied back to an old version (a restored backup):
 * its max_seq falls below the cursor, and its count below the last seen;
 * the next sync says the relay lost envelopes and sends them again. */
static void test_relay_rolled_back(void **state)
{
	team3 *f = *state;
	hearth_relay_result res;
	char cmd[512], listen[32];

	sync_ok(f, &f->r[0]);
	sync_ok(f, &f->r[1]);
	relay_down(f);
	snprintf(cmd, sizeof cmd, "cp '%s/relay.db' '%s/old.db'", f->dir, f->dir);
	assert_int_equal(system(cmd), 0);
	relay_up_at(f, f->port, listen, sizeof listen);
	person(&f->r[1], &f->space, "李明");
	person(&f->r[1], &f->space, "Olu");
	sync_ok(f, &f->r[1]);
	sync_ok(f, &f->r[0]);
	relay_down(f);
	snprintf(cmd, sizeof cmd, "cp '%s/old.db' '%s/relay.db' && rm -f '%s/relay.db-wal'"
		 " '%s/relay.db-shm'", f->dir, f->dir, f->dir, f->dir);
	assert_int_equal(system(cmd), 0);
	relay_up_at(f, f->port, listen, sizeof listen);
	OK(hearth_settings_set(f->r[0].s, HEARTH_SETTING_RELAY_URL, f->url));
	OK(sync_url(f, &f->r[0], NULL, &res));
	assert_true(res.relay_lost);
	assert_true(res.in_sync);
	assert_int_equal(res.problem_kind, HEARTH_SYNC_PROBLEM_RELAY_LOST);
	assert_true(res.relay_lacked > 0);
	/* Mended by this sync: nothing for Today to raise. */
	{
		hearth_relaysync_attention a;

		OK(hearth_relaysync_attention_get(f->r[0].s, (int64_t)time(NULL), &a));
		assert_int_equal(a.need, HEARTH_RELAYSYNC_FINE);
	}
	sync_ok(f, &f->r[2]);
	sync_ok(f, &f->r[1]);
	all_equal(f);
}

/* ---- random schedules ------------------------------------------------------------ */

static uint64_t rng_next(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static unsigned rng_below(uint64_t *x, unsigned n)
{
	return (unsigned)(rng_next(x) % n);
}

/* A person of the space r holds, the k-th (mod their number); 0 if none. */
static int some_person(replica *r, const hearth_id *space, unsigned k, hearth_id *out)
{
	sqlite3_stmt *q;
	int n = 0, found = 0;

	assert_int_equal(sqlite3_prepare_v2(r->db, "SELECT id FROM record WHERE space = ?"
					    " AND kind = 'person' AND deleted = 0 ORDER BY id",
					    -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_blob(q, 1, space->b, HEARTH_ID_BYTES, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW)
		n++;
	sqlite3_reset(q);
	if (n > 0) {
		k %= (unsigned)n;
		while (sqlite3_step(q) == SQLITE_ROW)
			if (k-- == 0) {
				memcpy(out->b, sqlite3_column_blob(q, 0), HEARTH_ID_BYTES);
				found = 1;
				break;
			}
	}
	sqlite3_finalize(q);
	return found;
}

static void random_write(team3 *f, replica *r, uint64_t *x)
{
	static const char *const names[] = { "王芳", "李明", "Ana", "张伟", "Olu" };
	char value[32];
	hearth_id id;

	switch (rng_below(x, 4)) {
	case 0:
		person(r, &f->space, names[rng_below(x, 5)]);
		break;
	case 1:
	case 2:
		if (!some_person(r, &f->space, rng_below(x, 1000), &id))
			break;
		snprintf(value, sizeof value, "unit %u", rng_below(x, 100));
		OK(hearth_record_set(r->s, &id, rng_below(x, 2) ? "unit" : "name", value));
		break;
	default:
		if (some_person(r, &f->space, rng_below(x, 1000), &id))
			OK(hearth_record_delete(r->s, &id));
	}
}

/* Forgets what r's last sync saw, so the next one pulls everything
 * again: every envelope delivered twice. */
static void forget_cursor(team3 *f, replica *r)
{
	hearth_sync_relay_state rs;
	int found;

	OK(hearth_sync_relay_get(r->s, f->url, &f->space, &rs, &found));
	rs.cursor = 0;
	rs.pushed = 0;
	OK(hearth_sync_relay_put(r->s, f->url, &f->space, &rs));
}

static void run_schedule(unsigned long long seed)
{
	team3 f;
	uint64_t x = seed;
	unsigned step, steps, i;

	cur_seed = seed;
	fixture_make(&f);
	/* Everyone joins first: the lead registers, the others follow. */
	sync_ok(&f, &f.r[0]);
	sync_ok(&f, &f.r[1]);
	sync_ok(&f, &f.r[2]);
	steps = 10 + rng_below(&x, 20);
	for (step = 0; step < steps; step++) {
		replica *r = &f.r[rng_below(&x, 3)];

		switch (rng_below(&x, 8)) {
		case 0:
		case 1:
		case 2:
			random_write(&f, r, &x);
			break;
		case 3:
		case 4:
			if (!r->offline)
				sync_ok(&f, r);
			break;
		case 5:
			r->offline = !r->offline;
			break;
		case 6:
			if (!r->offline) {
				forget_cursor(&f, r);
				sync_ok(&f, r);
			}
			break;
		default:
			/* The same sync twice in a row: the second sends and
			 * applies nothing new. */
			if (!r->offline) {
				hearth_relay_result res;

				sync_ok(&f, r);
				OK(sync_url(&f, r, NULL, &res));
				CHECK(res.pushed == 0 && res.received.applied == 0);
			}
		}
	}
	/* Everyone back online: two rounds bring everything everywhere. */
	for (i = 0; i < 6; i++)
		sync_ok(&f, &f.r[i % 3]);
	all_equal(&f);
	fixture_free(&f);
	cur_seed = 0;
}

/* A month of a team's work, mostly offline.  Each day (each replica's
 * clock moved on a day, A's running three minutes fast) everyone records
 * a few things; the lead syncs every other day, counsellor A spends two
 * weeks at rest stops without a network, counsellor B syncs twice in
 * the month.  When all are back, every vault holds the same space, and
 * nothing anyone wrote is missing.  (Clocks move together, a day at a
 * time: an op stamped more than 5 minutes ahead of a receiver's clock is
 * held aside until its time comes, docs/protocol.md §4.) */
static void test_month_offline(void **state)
{
	team3 *f = *state;
	uint64_t x = 20261206, day0 = replica_now(&f->r[0]);
	char name[48];
	hearth_id written[3][40];
	unsigned day, i, k, n[3] = { 0, 0, 0 };

	sync_ok(f, &f->r[0]);
	sync_ok(f, &f->r[1]);
	sync_ok(f, &f->r[2]);
	for (day = 1; day <= 30; day++) {
		uint64_t t = day0 + (uint64_t)day * 86400000u;

		for (i = 0; i < 3; i++) {
			/* The day goes on for everyone alike. */
			t += rng_below(&x, 3600) * 1000u;
			for (k = 0; k < 3; k++)
				f->r[k].now_ms = t + (k == 1 ? 180000u : 0);
			snprintf(name, sizeof name, "day %u, vault %u", day, i);
			written[i][n[i]++] = person(&f->r[i], &f->space, name);
			for (k = rng_below(&x, 3); k > 0; k--)
				random_write(f, &f->r[i], &x);
		}
		f->r[1].offline = day >= 3 && day <= 17;
		f->r[2].offline = day != 12 && day != 24;
		for (i = 0; i < 3; i++)
			if (!f->r[i].offline && (i != 0 || day % 2 == 0))
				sync_ok(f, &f->r[i]);
	}
	for (i = 0; i < 3; i++)
		f->r[i].offline = 0;
	for (i = 0; i < 6; i++)
		sync_ok(f, &f->r[i % 3]);
	all_equal(f);
	/* Nothing written is missing: each day's person is on the lead's
	 * vault (deleted or not, the record is there). */
	for (i = 0; i < 3; i++)
		for (k = 0; k < n[i]; k++) {
			hearth_record *rec = NULL;

			OK(hearth_record_load(f->r[0].s, &written[i][k], &rec));
			hearth_record_free(rec);
		}
}

static void test_random_schedules(void **state)
{
	const char *n_env = getenv("HEARTH_RELAY_SCHEDULES");
	const char *seed_env = getenv("HEARTH_RELAY_SEED");
	unsigned long n = n_env != NULL ? strtoul(n_env, NULL, 10) : 200, i;

	(void)state;
	if (seed_env != NULL) {
		run_schedule(strtoull(seed_env, NULL, 10));
		return;
	}
	for (i = 1; i <= n; i++)
		run_schedule(i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_sync_and_no_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_largest_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_on_relay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_clock_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verb_and_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attention, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limited_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_forgets_push, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_drop_middle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_truncate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_drop_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_reorder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_forge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_outranks_left_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_rolled_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_month_offline, setup, teardown),
		cmocka_unit_test(test_random_schedules),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
