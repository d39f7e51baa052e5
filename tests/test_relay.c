/*
 * test_relay.c - hearth-relay's HTTP API v1 (sync/relay/, docs/protocol.md
 * §13) against a real server on a loopback port, with real requests made
 * by libcurl: registration by the genesis, pushes (idempotent, statuses
 * per envelope, durable across a restart), pulls in pages, the state and
 * its fingerprint against a recount, reconciliation and fetch, and every
 * refusal.  The envelopes are made by the core on in-memory vaults (a
 * lead, counsellors A and B, Mallory who is no member), as in
 * test_team_sync.c.  The requests are signed here by hand from the
 * protocol's text, not with the relay's own code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "hearth/devices.h"
#include "hearth/envelope.h"
#include "hearth/offline.h"
#include "hearth/reconcile.h"
#include "hearth/relay.h"
#include "hearth/schema.h"
#include "hearth/space.h"
#include "hearth/spaces.h"
#include "hearth/store.h"
#include "hearth/sync.h"
#include "relay.h"
#include "store.h"
#include "relayutil.h"

#define OK(call) do { \
	hearth_status st_ = (call); \
	if (st_ != HEARTH_OK) \
		fail_msg("%s: %s (%s)", #call, hearth_strerror(st_), hearth_errdetail()); \
} while (0)

#define MIB (1024u * 1024u)

/* ---- vaults and their envelopes --------------------------------------------- */

typedef struct replica {
	sqlite3 *db;
	hearth_store *s;
	uint64_t device;
	uint8_t sk[HEARTH_SIGN_SECRETBYTES];
} replica;

typedef struct envs {
	uint8_t **v;
	size_t *len;
	size_t n;
} envs;

typedef struct fixture {
	char dir[64];
	int n_files;
	replica lead, a, b, m;
	hearth_id space, b_member;
	char space_hex[33];
	relay_server *srv;
	relay_config cfg;
	char store[512];
	unsigned port;
} fixture;

static void replica_open(replica *r)
{
	hearth_device_key *k = NULL;

	assert_int_equal(sqlite3_open(":memory:", &r->db), SQLITE_OK);
	OK(hearth_schema_migrate(r->db, hearth_schema_latest()));
	OK(hearth_store_open(r->db, NULL, &r->s));
	OK(hearth_devices_ensure(r->s, NULL));
	OK(hearth_device_key_load(r->s, &k, NULL));
	memcpy(r->sk, hearth_device_key_secret(k), sizeof r->sk);
	hearth_device_key_free(k);
	r->device = hearth_store_device(r->s);
}

static void replica_close(replica *r)
{
	hearth_store_close(r->s);
	sqlite3_close(r->db);
}

static hearth_id add_member(replica *lead, replica *who, const hearth_id *space)
{
	char *code = NULL, *req = NULL;
	hearth_invitation inv;
	hearth_id m;

	OK(hearth_space_invite(lead->s, space, HEARTH_ROLE_COUNSELLOR, 0, &code));
	OK(hearth_space_join(who->s, code, &req, &inv));
	OK(hearth_space_approve(lead->s, space, req, &m, NULL));
	free(code);
	free(req);
	return m;
}

static void person(replica *r, const hearth_id *space, const char *name)
{
	hearth_id id;

	OK(hearth_record_create(r->s, space, "person", &id));
	OK(hearth_record_set(r->s, &id, "name", name));
}

static void envs_add(envs *e, const uint8_t *env, size_t len)
{
	e->v = realloc(e->v, (e->n + 1) * sizeof *e->v);
	e->len = realloc(e->len, (e->n + 1) * sizeof *e->len);
	assert_non_null(e->v);
	assert_non_null(e->len);
	e->v[e->n] = malloc(len);
	assert_non_null(e->v[e->n]);
	memcpy(e->v[e->n], env, len);
	e->len[e->n++] = len;
}

static void envs_free(envs *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
	free(e->len);
	memset(e, 0, sizeof *e);
}

/* Every envelope r keeps of the space (exported as a bundle and read
 * back), those of plane (0 control, 1 data, -1 both) and of author
 * device (0: any). */
static void envs_of(fixture *f, replica *r, int plane, uint64_t author, envs *out)
{
	hearth_bundle_reader *rd;
	hearth_envelope_info info;
	const uint8_t *env;
	char path[128];
	size_t len;
	FILE *fp;

	snprintf(path, sizeof path, "%s/f%d.bundle", f->dir, f->n_files++);
	OK(hearth_offline_export(r->s, NULL, &f->space, 0, path, NULL));
	memset(out, 0, sizeof *out);
	assert_non_null(fp = fopen(path, "rb"));
	OK(hearth_bundle_reader_open(fp, &rd));
	while (hearth_bundle_reader_next(rd, &env, &len) == HEARTH_OK && env != NULL) {
		OK(hearth_envelope_peek(env, len, &info));
		if ((plane == 0 && info.epoch != 0) || (plane == 1 && info.epoch == 0))
			continue;
		if (author != 0 && info.device != author)
			continue;
		envs_add(out, env, len);
	}
	hearth_bundle_reader_free(rd);
	fclose(fp);
}

/* Request framing of e's envelopes [from, to). */
static uint8_t *frame(const envs *e, size_t from, size_t to, size_t *len)
{
	return relayutil_frame(e->v, e->len, from, to, len);
}

/* ---- the relay and requests ---------------------------------------------------- */

static void relay_up(fixture *f)
{
	char err[256];

	f->cfg.listen = "127.0.0.1:0";
	f->cfg.store = f->store;
	if (relay_server_start(&f->cfg, &f->srv, err, sizeof err) != 0)
		fail_msg("relay_server_start: %s", err);
	f->port = relay_server_port(f->srv);
	assert_true(f->port > 0);
}

static void relay_down(fixture *f)
{
	relay_server_stop(f->srv);
	f->srv = NULL;
}

static int fixture_setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	char path[128];
	size_t i;

	assert_non_null(f);
	strcpy(f->dir, "/tmp/hearth-relay-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	replica_open(&f->lead);
	replica_open(&f->a);
	replica_open(&f->b);
	replica_open(&f->m);
	OK(hearth_space_create(f->lead.s, "Dock team", &f->space));
	person(&f->lead, &f->space, "王芳");
	add_member(&f->lead, &f->a, &f->space);
	f->b_member = add_member(&f->lead, &f->b, &f->space);
	snprintf(path, sizeof path, "%s/setup.bundle", f->dir);
	OK(hearth_offline_export(f->lead.s, NULL, &f->space, 0, path, NULL));
	OK(hearth_offline_import(f->a.s, NULL, path, NULL, NULL, NULL));
	OK(hearth_offline_import(f->b.s, NULL, path, NULL, NULL, NULL));
	for (i = 0; i < 16; i++)
		sprintf(f->space_hex + 2 * i, "%02x", f->space.b[i]);
	/* HEARTH_RELAY_STORE_URI: the same cases on another store (meson's
	 * relay_pg runs them on a private PostgreSQL server). */
	if (getenv("HEARTH_RELAY_STORE_URI") != NULL)
		snprintf(f->store, sizeof f->store, "%s", getenv("HEARTH_RELAY_STORE_URI"));
	else
		snprintf(f->store, sizeof f->store, "sqlite:%s/relay.db", f->dir);
	f->cfg.rate = 0;
	relay_up(f);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	fixture *f = *state;
	char cmd[128];

	relay_down(f);
	replica_close(&f->lead);
	replica_close(&f->a);
	replica_close(&f->b);
	replica_close(&f->m);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

typedef relayutil_resp resp;

/* How a request is signed: by r, with the clock off by skew seconds,
 * with nonce (NULL: a fresh one), and broken (1: the signature is over
 * another path). */
typedef struct how {
	const replica *r;
	int64_t skew;
	const char *nonce;
	int broken;
} how;

static void http(fixture *f, const char *method, const char *pq, const uint8_t *body,
		 size_t len, const how *h, resp *out)
{
	relayutil_signer sg;
	char base[64];

	snprintf(base, sizeof base, "http://127.0.0.1:%u", f->port);
	if (h != NULL && h->r != NULL) {
		sg.device = h->r->device;
		sg.sk = h->r->sk;
		sg.skew = h->skew;
		sg.nonce = h->nonce;
		sg.broken = h->broken;
	}
	assert_int_equal(relayutil_http(NULL, base, method, pq, body, len,
					h != NULL && h->r != NULL ? &sg : NULL, out), CURLE_OK);
}

static void resp_free(resp *r)
{
	relayutil_resp_free(r);
}

/* The body as JSON (the caller decrefs). */
static json_t *body_json(const resp *r)
{
	json_t *j = json_loadb((const char *)r->body, r->len, 0, NULL);

	if (j == NULL)
		fail_msg("not JSON: %.*s", (int)r->len, r->body ? (char *)r->body : "");
	return j;
}

/* Asserts the answer is status with error code. */
static void expect_error(const resp *r, long status, const char *code)
{
	json_t *j;

	if (r->status != status)
		fail_msg("status %ld, not %ld: %.*s", r->status, status, (int)r->len,
			 r->body ? (char *)r->body : "");
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "error")), code);
	assert_non_null(json_string_value(json_object_get(j, "detail")));
	json_decref(j);
}

static char *path_of(fixture *f, const char *what)
{
	static char p[256];

	snprintf(p, sizeof p, "/v1/spaces/%s%s", f->space_hex, what);
	return p;
}

/* Registers the space with the lead's control envelopes; returns the status. */
static long do_register(fixture *f)
{
	how h = { &f->lead, 0, NULL, 0 };
	envs c;
	resp r;
	uint8_t *body;
	size_t len;
	long st;

	envs_of(f, &f->lead, 0, 0, &c);
	assert_true(c.n > 0);
	body = frame(&c, 0, c.n, &len);
	http(f, "PUT", path_of(f, ""), body, len, &h, &r);
	st = r.status;
	if (st != 200 && st != 201)
		fail_msg("register: %ld %.*s", st, (int)r.len, (char *)r.body);
	free(body);
	resp_free(&r);
	envs_free(&c);
	return st;
}

/* Pushes e [from, to) signed by who; the results array into *results
 * (the caller decrefs the returned object). */
static json_t *push(fixture *f, const replica *who, const envs *e, size_t from, size_t to,
		    long want_status)
{
	how h = { who, 0, NULL, 0 };
	uint8_t *body;
	size_t len;
	json_t *j;
	resp r;

	body = frame(e, from, to, &len);
	http(f, "POST", path_of(f, "/envelopes"), body, len, &h, &r);
	free(body);
	if (r.status != want_status)
		fail_msg("push: %ld %.*s", r.status, (int)r.len, (char *)r.body);
	j = body_json(&r);
	resp_free(&r);
	return j;
}

static const char *status_of(json_t *j, size_t i)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(j, "results"), i),
						 "status"));
}

/* Pulls everything (pages of at most limit bytes) into out, checking the
 * response framing and the paging headers; returns the pages. */
static size_t pull_all(fixture *f, const replica *who, size_t limit, envs *out,
		       uint64_t *seqs, size_t maxseqs)
{
	how h = { who, 0, NULL, 0 };
	uint64_t after = 0;
	size_t pages = 0;
	char pq[512];
	resp r;

	memset(out, 0, sizeof *out);
	for (;;) {
		size_t off = 0, inpage = 0;
		uint64_t next;

		snprintf(pq, sizeof pq, "%s?after=%llu&limit=%zu", path_of(f, "/envelopes"),
			 (unsigned long long)after, limit);
		http(f, "GET", pq, NULL, 0, &h, &r);
		assert_int_equal(r.status, 200);
		assert_int_equal(strlen(r.store), 32);
		pages++;
		while (off < r.len) {
			uint64_t seq = 0;
			size_t l = 0, k;

			assert_true(r.len - off >= 12);
			for (k = 0; k < 8; k++)
				seq = seq << 8 | r.body[off + k];
			for (k = 0; k < 4; k++)
				l = l << 8 | r.body[off + 8 + k];
			assert_true(seq > after);
			assert_true(r.len - off - 12 >= l);
			if (out->n < maxseqs)
				seqs[out->n] = seq;
			envs_add(out, r.body + off + 12, l);
			after = seq;
			off += 12 + l;
			inpage++;
		}
		next = strtoull(r.next, NULL, 10);
		assert_int_equal(next, after);
		if (strcmp(r.more, "1") != 0) {
			assert_string_equal(r.more, "0");
			resp_free(&r);
			break;
		}
		/* A page is never empty when more remain. */
		assert_true(inpage > 0);
		resp_free(&r);
	}
	return pages;
}

/* ---- the happy path ----------------------------------------------------------- */

static void recount(const envs *e, hearth_fp *fp, hearth_fp buckets[256])
{
	uint8_t id[32];
	size_t i;

	hearth_fp_init(fp);
	for (i = 0; i < 256 && buckets != NULL; i++)
		hearth_fp_init(&buckets[i]);
	for (i = 0; i < e->n; i++) {
		hearth_envelope_id(e->v[i], e->len[i], id);
		hearth_fp_add(fp, id);
		if (buckets != NULL)
			hearth_fp_add(&buckets[id[0]], id);
	}
}

static void test_register_push_pull(void **state)
{
	fixture *f = *state;
	envs all, got;
	uint64_t seqs[256];
	json_t *j, *again;
	hearth_fp fp, want;
	how h = { &f->a, 0, NULL, 0 };
	size_t i, pages;
	resp r;

	/* Before registration: 404 for a member. */
	http(f, "GET", path_of(f, "/state"), NULL, 0, &h, &r);
	expect_error(&r, 404, "not_found");
	resp_free(&r);
	assert_int_equal(do_register(f), 201);
	assert_int_equal(do_register(f), 200);

	/* The lead's data and every envelope it holds: A forwards them all. */
	person(&f->lead, &f->space, "Li Qiang");
	person(&f->lead, &f->space, "Zhao Min");
	envs_of(f, &f->lead, -1, 0, &all);
	assert_true(all.n >= 3);
	j = push(f, &f->a, &all, 0, all.n, 200);
	for (i = 0; i < all.n; i++) {
		const char *s = status_of(j, i);

		assert_true(strcmp(s, "stored") == 0 || strcmp(s, "held") == 0);
	}
	assert_int_equal(json_integer_value(json_object_get(j, "count")), (json_int_t)all.n);
	/* Idempotent: all held, the same seqs. */
	again = push(f, &f->lead, &all, 0, all.n, 200);
	for (i = 0; i < all.n; i++) {
		json_t *a = json_array_get(json_object_get(j, "results"), i);
		json_t *b = json_array_get(json_object_get(again, "results"), i);

		assert_string_equal(status_of(again, i), "held");
		assert_int_equal(json_integer_value(json_object_get(a, "seq")),
				 json_integer_value(json_object_get(b, "seq")));
	}
	assert_int_equal(json_integer_value(json_object_get(again, "count")), (json_int_t)all.n);
	json_decref(j);
	json_decref(again);

	/* Pulled in pages of one envelope each, then in one page: the same
	 * set, seqs 1..n. */
	pages = pull_all(f, &f->b, 1, &got, seqs, 256);
	assert_int_equal(got.n, all.n);
	assert_int_equal(pages, all.n);
	for (i = 0; i < got.n; i++)
		assert_int_equal(seqs[i], i + 1);
	recount(&all, &want, NULL);
	recount(&got, &fp, NULL);
	assert_true(hearth_fp_equal(&fp, &want));
	envs_free(&got);
	assert_int_equal(pull_all(f, &f->b, MIB, &got, seqs, 256), 1);
	assert_int_equal(got.n, all.n);
	envs_free(&got);

	/* The state: the fingerprint of a recount. */
	http(f, "GET", path_of(f, "/state"), NULL, 0, &h, &r);
	assert_int_equal(r.status, 200);
	assert_true(r.len < 1024);
	j = body_json(&r);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), (json_int_t)all.n);
	assert_int_equal(json_integer_value(json_object_get(j, "max_seq")), (json_int_t)all.n);
	OK(hearth_fp_sum_parse(json_string_value(json_object_get(j, "sum")), &fp) == 0
	   ? HEARTH_OK : HEARTH_EFORMAT);
	fp.count = (uint64_t)json_integer_value(json_object_get(j, "count"));
	assert_true(hearth_fp_equal(&fp, &want));
	json_decref(j);
	resp_free(&r);

	/* Durable: a new relay on the same store serves the same. */
	relay_down(f);
	relay_up(f);
	assert_int_equal(pull_all(f, &f->a, MIB, &got, seqs, 256), 1);
	recount(&got, &fp, NULL);
	assert_true(hearth_fp_equal(&fp, &want));
	envs_free(&got);
	envs_free(&all);
}

static void test_reconcile_fetch(void **state)
{
	fixture *f = *state;
	hearth_fp want, wb[256], sum;
	how h = { &f->b, 0, NULL, 0 };
	envs all, got;
	json_t *j, *list, *v, *ids;
	uint8_t id[32];
	char body[4096], idhex[65];
	size_t i, k;
	resp r;

	assert_int_equal(do_register(f), 201);
	for (i = 0; i < 6; i++) {
		char name[16];

		snprintf(name, sizeof name, "P%zu", i);
		person(&f->lead, &f->space, name);
		envs_of(f, &f->lead, -1, 0, &all);
		json_decref(push(f, &f->lead, &all, 0, all.n, 200));
		envs_free(&all);
	}
	envs_of(f, &f->lead, -1, 0, &all);
	recount(&all, &want, wb);

	/* Every bucket; their sum is the whole. */
	strcpy(body, "{\"buckets\":[]}");
	http(f, "POST", path_of(f, "/reconcile"), (uint8_t *)body, strlen(body), &h, &r);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	list = json_object_get(j, "buckets");
	assert_int_equal(json_array_size(list), 256);
	hearth_fp_init(&sum);
	json_array_foreach(list, i, v) {
		hearth_fp b;
		json_int_t n = json_integer_value(json_object_get(v, "b"));

		assert_int_equal(hearth_fp_sum_parse(json_string_value(json_object_get(v, "sum")),
						     &b), 0);
		b.count = (uint64_t)json_integer_value(json_object_get(v, "count"));
		assert_true(hearth_fp_equal(&b, &wb[n]));
		hearth_fp_merge(&sum, &b);
	}
	assert_true(hearth_fp_equal(&sum, &want));
	json_decref(j);
	resp_free(&r);

	/* The ids of the first envelope's bucket and of an empty one. */
	hearth_envelope_id(all.v[0], all.len[0], id);
	for (k = 0; k < 256 && wb[k].count != 0; k++)
		;
	snprintf(body, sizeof body, "{\"ids_of\":[%u,%zu]}", id[0], k);
	http(f, "POST", path_of(f, "/reconcile"), (uint8_t *)body, strlen(body), &h, &r);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	ids = json_object_get(j, "ids");
	snprintf(idhex, 4, "%u", id[0]);
	list = json_object_get(ids, idhex);
	assert_int_equal(json_array_size(list), wb[id[0]].count);
	for (i = 0; i < 32; i++)
		sprintf(idhex + 2 * i, "%02x", id[i]);
	k = 0;
	json_array_foreach(list, i, v)
		k += strcmp(json_string_value(v), idhex) == 0;
	assert_int_equal(k, 1);
	json_decref(j);
	resp_free(&r);

	/* Fetch: the first envelope and an unknown id (skipped). */
	snprintf(body, sizeof body, "{\"ids\":[\"%s\",\"%064d\"]}", idhex, 0);
	http(f, "POST", path_of(f, "/fetch"), (uint8_t *)body, strlen(body), &h, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 12 + all.len[0]);
	assert_memory_equal(r.body + 12, all.v[0], all.len[0]);
	resp_free(&r);
	memset(&got, 0, sizeof got);
	envs_free(&all);
}

/* A fetch answer stops after a page of envelope bytes (at least one
 * envelope) and says Hearth-More: three envelopes of about 600 KiB each
 * come two, then one. */
static void test_fetch_cut(void **state)
{
	fixture *f = *state;
	how h = { &f->b, 0, NULL, 0 };
	size_t big_at[3], nbig = 0, i, j;
	char *body = malloc(4096), *note = malloc(600 * 1024 + 1);
	envs all;
	resp r;

	assert_non_null(body);
	assert_non_null(note);
	assert_int_equal(do_register(f), 201);
	for (i = 0; i < 3; i++) {
		hearth_id id;

		/* Text that does not compress. */
		for (j = 0; j < 600 * 1024; j++)
			note[j] = (char)('a' + randombytes_uniform(26));
		note[600 * 1024] = '\0';
		OK(hearth_record_create(f->lead.s, &f->space, "person", &id));
		OK(hearth_record_set(f->lead.s, &id, "notes", note));
		envs_of(f, &f->lead, -1, 0, &all);
		json_decref(push(f, &f->lead, &all, 0, all.n, 200));
		envs_free(&all);
	}
	envs_of(f, &f->lead, -1, 0, &all);
	for (i = 0; i < all.n; i++)
		if (all.len[i] > 500 * 1024)
			big_at[nbig++] = i;
	assert_int_equal(nbig, 3);
	for (j = 0; j < 2; j++) {
		size_t used = (size_t)sprintf(body, "{\"ids\":["), k;

		for (k = j * 2; k < 3; k++) {
			uint8_t id[32];
			size_t b;

			hearth_envelope_id(all.v[big_at[k]], all.len[big_at[k]], id);
			used += (size_t)sprintf(body + used, "%s\"", k > j * 2 ? "," : "");
			for (b = 0; b < 32; b++)
				used += (size_t)sprintf(body + used, "%02x", id[b]);
			used += (size_t)sprintf(body + used, "\"");
		}
		sprintf(body + used, "]}");
		http(f, "POST", path_of(f, "/fetch"), (uint8_t *)body, strlen(body), &h, &r);
		assert_int_equal(r.status, 200);
		if (j == 0) {
			/* The first two, in the order asked; more to come. */
			assert_int_equal(r.len, 24 + all.len[big_at[0]] + all.len[big_at[1]]);
			assert_memory_equal(r.body + 12, all.v[big_at[0]], all.len[big_at[0]]);
			assert_string_equal(r.more, "1");
		} else {
			assert_int_equal(r.len, 12 + all.len[big_at[2]]);
			assert_memory_equal(r.body + 12, all.v[big_at[2]], all.len[big_at[2]]);
			assert_string_not_equal(r.more, "1");
		}
		resp_free(&r);
	}
	envs_free(&all);
	free(note);
	free(body);
}

/* A relay that lists the identities allowed to register spaces refuses
 * the others (403) and stores nothing for them; the listed one registers
 * (its fingerprint may be written without spaces). */
static void test_register_allow(void **state)
{
	fixture *f = *state;
	how h = { &f->lead, 0, NULL, 0 };
	char lead_fp[HEARTH_FINGERPRINT_LEN + 1], a_fp[HEARTH_FINGERPRINT_LEN + 1];
	char lead_digits[HEARTH_FINGERPRINT_LEN + 1];
	const char *allow[1];
	size_t len, i, j = 0;
	uint8_t *body;
	envs c;
	resp r;

	OK(hearth_identity_fingerprint_get(f->lead.s, lead_fp));
	OK(hearth_identity_fingerprint_get(f->a.s, a_fp));
	for (i = 0; lead_fp[i] != '\0'; i++)
		if (lead_fp[i] != ' ')
			lead_digits[j++] = lead_fp[i];
	lead_digits[j] = '\0';
	envs_of(f, &f->lead, 0, 0, &c);
	body = frame(&c, 0, c.n, &len);

	relay_down(f);
	allow[0] = a_fp;
	f->cfg.register_allow = allow;
	f->cfg.nregister_allow = 1;
	relay_up(f);
	http(f, "PUT", path_of(f, ""), body, len, &h, &r);
	expect_error(&r, 403, "forbidden");
	resp_free(&r);
	/* Nothing was registered: a push finds no space. */
	http(f, "GET", path_of(f, "/state"), NULL, 0, &h, &r);
	expect_error(&r, 404, "not_found");
	resp_free(&r);

	relay_down(f);
	allow[0] = lead_digits;
	relay_up(f);
	http(f, "PUT", path_of(f, ""), body, len, &h, &r);
	assert_int_equal(r.status, 201);
	resp_free(&r);
	free(body);
	envs_free(&c);
	f->cfg.register_allow = NULL;
	f->cfg.nregister_allow = 0;
}

/* ---- refusals ------------------------------------------------------------------ */

static size_t discard_body(char *p, size_t size, size_t n, void *ctx)
{
	(void)p, (void)ctx;
	return size * n;
}

static void test_refusals(void **state)
{
	fixture *f = *state;
	how lead = { &f->lead, 0, NULL, 0 }, h;
	uint8_t *big, junk[8] = { 0, 0, 0, 9, 1, 2, 3, 4 };
	const char *nonce = "00112233445566778899aabbccddeeff";
	envs data, m;
	json_t *j;
	resp r;

	assert_int_equal(do_register(f), 201);
	/* A signature over something else. */
	h = lead;
	h.broken = 1;
	http(f, "GET", path_of(f, "/state"), NULL, 0, &h, &r);
	expect_error(&r, 401, "unauthenticated");
	assert_non_null(strstr((char *)r.body, "signature"));
	resp_free(&r);
	/* No signature at all. */
	http(f, "GET", path_of(f, "/state"), NULL, 0, NULL, &r);
	expect_error(&r, 401, "unauthenticated");
	resp_free(&r);
	/* A clock 1000 s off. */
	h = lead;
	h.skew = -1000;
	http(f, "GET", path_of(f, "/state"), NULL, 0, &h, &r);
	expect_error(&r, 401, "unauthenticated");
	assert_non_null(strstr((char *)r.body, "relay's time"));
	resp_free(&r);
	/* A nonce used twice. */
	h = lead;
	h.nonce = nonce;
	http(f, "GET", path_of(f, "/state"), NULL, 0, &h, &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	http(f, "GET", path_of(f, "/state"), NULL, 0, &h, &r);
	expect_error(&r, 401, "unauthenticated");
	assert_non_null(strstr((char *)r.body, "replay"));
	resp_free(&r);
	/* Mallory's device: unknown in this space. */
	h = lead;
	h.r = &f->m;
	http(f, "GET", path_of(f, "/state"), NULL, 0, &h, &r);
	expect_error(&r, 401, "unauthenticated");
	assert_non_null(strstr((char *)r.body, "unknown"));
	resp_free(&r);
	/* Mallory registering the space again: not the genesis author. */
	envs_of(f, &f->lead, 0, 0, &m);
	big = frame(&m, 0, m.n, &data.n);
	http(f, "PUT", path_of(f, ""), big, data.n, &h, &r);
	expect_error(&r, 403, "forbidden");
	resp_free(&r);
	free(big);
	envs_free(&m);
	/* Too many envelopes in one request: 9,000 one-byte frames. */
	assert_non_null(big = calloc(9000, 5));
	for (data.n = 0; data.n < 9000; data.n++)
		big[5 * data.n + 3] = 1;
	http(f, "POST", path_of(f, "/envelopes"), big, 9000 * 5, &lead, &r);
	expect_error(&r, 400, "bad_request");
	assert_non_null(strstr((char *)r.body, "more than 8192"));
	resp_free(&r);
	free(big);
	/* Malformed framing: a length past the end. */
	http(f, "POST", path_of(f, "/envelopes"), junk, sizeof junk, &lead, &r);
	expect_error(&r, 400, "bad_request");
	resp_free(&r);
	/* A malformed query, an unknown path, a wrong method. */
	http(f, "GET", path_of(f, "/envelopes?after=-1"), NULL, 0, &lead, &r);
	expect_error(&r, 400, "bad_request");
	resp_free(&r);
	http(f, "GET", "/v2/nothing", NULL, 0, &lead, &r);
	expect_error(&r, 404, "not_found");
	resp_free(&r);
	http(f, "DELETE", path_of(f, "/state"), NULL, 0, &lead, &r);
	expect_error(&r, 400, "bad_request");
	resp_free(&r);
	/* Bad JSON bodies. */
	http(f, "POST", path_of(f, "/reconcile"), (const uint8_t *)"{\"buckets\":[300]}", 17,
	     &lead, &r);
	expect_error(&r, 400, "bad_request");
	resp_free(&r);
	http(f, "POST", path_of(f, "/fetch"), (const uint8_t *)"[1]", 3, &lead, &r);
	expect_error(&r, 400, "bad_request");
	resp_free(&r);
	/* A body over the limit (room for one envelope of the largest size). */
	assert_non_null(big = calloc(1, HEARTH_RELAY_BODY_MAX + 1));
	http(f, "POST", path_of(f, "/envelopes"), big, HEARTH_RELAY_BODY_MAX + 1, &lead, &r);
	expect_error(&r, 413, "too_large");
	resp_free(&r);
	/* The same without a Content-Length (chunked): refused once read. */
	{
		struct curl_slist *hd = curl_slist_append(NULL, "Transfer-Encoding: chunked");
		CURL *c = curl_easy_init();
		char url[512];
		long status = 0;

		hd = curl_slist_append(hd, "Expect:");
		snprintf(url, sizeof url, "http://127.0.0.1:%u%s", f->port, path_of(f, "/envelopes"));
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, big);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(HEARTH_RELAY_BODY_MAX + 1));
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_body);
		assert_int_equal(curl_easy_perform(c), CURLE_OK);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		assert_int_equal(status, 413);
		curl_slist_free_all(hd);
		curl_easy_cleanup(c);
	}
	free(big);

	/* Envelopes judged one by one: another space's, a forged one, an
	 * unknown author's (later), a good one. */
	person(&f->lead, &f->space, "Li Qiang");
	envs_of(f, &f->lead, 1, f->lead.device, &data);
	assert_true(data.n >= 1);
	{
		envs mine, mm;
		char path[128];

		memset(&mine, 0, sizeof mine);
		envs_add(&mine, data.v[0], data.len[0]);
		mine.v[0][9] ^= 1; /* the space id in the header */
		envs_add(&mine, data.v[0], data.len[0]);
		mine.v[1][mine.len[1] - 1] ^= 1; /* the signature */
		/* Mallory joins; the relay has not seen her member record. */
		add_member(&f->lead, &f->m, &f->space);
		snprintf(path, sizeof path, "%s/m.bundle", f->dir);
		OK(hearth_offline_export(f->lead.s, NULL, &f->space, 0, path, NULL));
		OK(hearth_offline_import(f->m.s, NULL, path, NULL, NULL, NULL));
		person(&f->m, &f->space, "Ma Li");
		envs_of(f, &f->m, 1, f->m.device, &mm);
		assert_true(mm.n >= 1);
		envs_add(&mine, mm.v[0], mm.len[0]);
		envs_free(&mm);
		envs_add(&mine, data.v[0], data.len[0]);
		j = push(f, &f->lead, &mine, 0, mine.n, 200);
		assert_string_equal(status_of(j, 0), "refused");
		assert_string_equal(status_of(j, 1), "refused");
		assert_string_equal(status_of(j, 2), "later");
		assert_string_equal(status_of(j, 3), "stored");
		assert_non_null(strstr(json_string_value(json_object_get(
			json_array_get(json_object_get(j, "results"), 0), "reason")), "another space"));
		assert_non_null(strstr(json_string_value(json_object_get(
			json_array_get(json_object_get(j, "results"), 1), "reason")), "signature"));
		json_decref(j);
		envs_free(&mine);
	}
	envs_free(&data);
}

/* A removed member's device: 403 once the removal is on the relay; its
 * envelopes past the cutoff, forwarded by another, refused. */
static void test_removed(void **state)
{
	fixture *f = *state;
	how bh = { &f->b, 0, NULL, 0 };
	envs all, late;
	json_t *j;
	resp r;
	size_t i;

	assert_int_equal(do_register(f), 201);
	envs_of(f, &f->lead, -1, 0, &all);
	json_decref(push(f, &f->lead, &all, 0, all.n, 200));
	envs_free(&all);
	http(f, "GET", path_of(f, "/state"), NULL, 0, &bh, &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);

	OK(hearth_space_remove(f->lead.s, &f->space, &f->b_member));
	envs_of(f, &f->lead, -1, 0, &all);
	json_decref(push(f, &f->lead, &all, 0, all.n, 200));
	envs_free(&all);
	http(f, "GET", path_of(f, "/state"), NULL, 0, &bh, &r);
	expect_error(&r, 403, "forbidden");
	resp_free(&r);
	bh.nonce = NULL;
	http(f, "GET", path_of(f, "/envelopes?after=0"), NULL, 0, &bh, &r);
	expect_error(&r, 403, "forbidden");
	resp_free(&r);

	/* B, not knowing, writes past its cutoff; A forwards it: refused. */
	person(&f->b, &f->space, "Late Qian");
	envs_of(f, &f->b, 1, f->b.device, &late);
	assert_true(late.n > 0);
	j = push(f, &f->a, &late, 0, late.n, 200);
	for (i = 0; i < late.n; i++)
		assert_string_equal(status_of(j, i), "refused");
	json_decref(j);
	envs_free(&late);
}

/* The quota (507) and the rate limit (429, Retry-After), each on a relay
 * of its own. */
static void test_limits(void **state)
{
	fixture *f = *state;
	how lead = { &f->lead, 0, NULL, 0 };
	envs c, data;
	size_t i, total = 0;
	int limited = 0;
	resp r;

	envs_of(f, &f->lead, 0, 0, &c);
	for (i = 0; i < c.n; i++)
		total += c.len[i];
	envs_free(&c);
	relay_down(f);
	f->cfg.quota = total + 10;
	relay_up(f);
	assert_int_equal(do_register(f), 201);
	person(&f->lead, &f->space, "Li Qiang");
	envs_of(f, &f->lead, 1, 0, &data);
	{
		uint8_t *body;
		size_t len;

		body = frame(&data, 0, data.n, &len);
		http(f, "POST", path_of(f, "/envelopes"), body, len, &lead, &r);
		expect_error(&r, 507, "quota");
		resp_free(&r);
		free(body);
	}
	envs_free(&data);

	relay_down(f);
	f->cfg.quota = 0;
	/* One request per 10 s after a burst of 3: six in a row meet the
	 * limit however slow this machine is. */
	f->cfg.rate = 0.1;
	f->cfg.burst = 3;
	relay_up(f);
	for (i = 0; i < 6; i++) {
		http(f, "GET", path_of(f, "/state"), NULL, 0, &lead, &r);
		if (r.status == 429) {
			expect_error(&r, 429, "rate_limited");
			assert_true(atoi(r.retry) >= 1);
			limited++;
		} else {
			assert_int_equal(r.status, 200);
		}
		resp_free(&r);
	}
	assert_true(limited >= 2);
	assert_true(limited <= 3);
}

/* /healthz and /metrics, unsigned. */
static void test_health_metrics(void **state)
{
	fixture *f = *state;
	resp r;

	http(f, "GET", "/healthz", NULL, 0, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 3);
	assert_memory_equal(r.body, "ok\n", 3);
	resp_free(&r);
	assert_int_equal(do_register(f), 201);
	http(f, "GET", "/metrics", NULL, 0, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr((char *)r.body, "hearth_relay_requests_total{code=\"201\"} 1\n"));
	assert_non_null(strstr((char *)r.body, "hearth_relay_spaces_registered_total 1\n"));
	assert_non_null(strstr((char *)r.body, "# TYPE hearth_relay_refusals_total counter\n"));
	resp_free(&r);
}

/* Two relay processes on one store: a member admitted through one is
 * known to the other (it folds the membership again when the store's
 * count of control envelopes moved), and both number envelopes from one
 * sequence. */
static void test_two_relays(void **state)
{
	fixture *f = *state;
	how mh = { &f->m, 0, NULL, 0 };
	relay_server *first;
	unsigned first_port;
	envs all;
	json_t *j;
	resp r;
	char err[256];

	assert_int_equal(do_register(f), 201);
	http(f, "GET", path_of(f, "/state"), NULL, 0, &mh, &r);
	expect_error(&r, 401, "unauthenticated");
	resp_free(&r);
	/* A second relay on the same store; the lead admits Mallory there. */
	first = f->srv;
	first_port = f->port;
	if (relay_server_start(&f->cfg, &f->srv, err, sizeof err) != 0)
		fail_msg("second relay: %s", err);
	f->port = relay_server_port(f->srv);
	add_member(&f->lead, &f->m, &f->space);
	envs_of(f, &f->lead, -1, 0, &all);
	j = push(f, &f->lead, &all, 0, all.n, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), (json_int_t)all.n);
	json_decref(j);
	envs_free(&all);
	http(f, "GET", path_of(f, "/state"), NULL, 0, &mh, &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	/* The first relay agrees. */
	relay_server_stop(f->srv);
	f->srv = first;
	f->port = first_port;
	http(f, "GET", path_of(f, "/state"), NULL, 0, &mh, &r);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	assert_int_equal(json_integer_value(json_object_get(j, "max_seq")),
			 json_integer_value(json_object_get(j, "count")));
	json_decref(j);
	resp_free(&r);
}

/* A revoked device (lost or stolen; its member stays): 403, while the
 * member's other business goes on; and plane=control gives the control
 * envelopes alone. */
static void test_revoked(void **state)
{
	fixture *f = *state;
	how ah = { &f->a, 0, NULL, 0 };
	hearth_envelope_info info;
	envs all, ctl;
	resp r;
	int done = 0;

	assert_int_equal(do_register(f), 201);
	envs_of(f, &f->lead, -1, 0, &all);
	json_decref(push(f, &f->lead, &all, 0, all.n, 200));
	envs_free(&all);
	http(f, "GET", path_of(f, "/state"), NULL, 0, &ah, &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	OK(hearth_space_revoke_device(f->lead.s, &f->space, f->a.device, 1, &done));
	assert_int_equal(done, 1);
	envs_of(f, &f->lead, -1, 0, &all);
	json_decref(push(f, &f->lead, &all, 0, all.n, 200));
	envs_free(&all);
	http(f, "GET", path_of(f, "/state"), NULL, 0, &ah, &r);
	expect_error(&r, 403, "forbidden");
	resp_free(&r);

	/* The control plane alone: every envelope at epoch 0, none other. */
	{
		how lh = { &f->lead, 0, NULL, 0 };
		char pq[512];
		size_t off = 0, n = 0;

		snprintf(pq, sizeof pq, "%s?after=0&plane=control", path_of(f, "/envelopes"));
		http(f, "GET", pq, NULL, 0, &lh, &r);
		assert_int_equal(r.status, 200);
		while (off < r.len) {
			size_t l = (size_t)r.body[off + 8] << 24 | (size_t)r.body[off + 9] << 16 |
				   (size_t)r.body[off + 10] << 8 | r.body[off + 11];

			OK(hearth_envelope_peek(r.body + off + 12, l, &info));
			assert_int_equal(info.epoch, 0);
			off += 12 + l;
			n++;
		}
		envs_of(f, &f->lead, 0, 0, &ctl);
		assert_int_equal(n, ctl.n);
		envs_free(&ctl);
		resp_free(&r);
	}
}

/* The SQLite store on its own: 3,000 puts of random blobs (a tenth of
 * them again), then the incremental fingerprints (whole and per bucket)
 * against a recount, each bucket's ids in id order against the ids put,
 * seqs gap-free, and the quota's arithmetic. */
static int cmp_id32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

typedef struct ids_seen {
	uint8_t (*v)[32];
	size_t n;
} ids_seen;

static int collect_id(const uint8_t id[RELAY_ID_BYTES], void *ctx)
{
	ids_seen *s = ctx;

	memcpy(s->v[s->n++], id, 32);
	return 0;
}

static void test_store_recount(void **state)
{
	fixture *f = *state;
	enum { N = 3000 };
	uint8_t (*ids)[32] = malloc(N * 32), space[16], blob[300];
	hearth_fp whole, buckets[256], got;
	relay_space_state st;
	relay_envelope e;
	relay_store *s;
	ids_seen seen;
	char uri[160], err[256];
	uint64_t seq, bytes = 0;
	size_t i, b, k;
	int added;

	assert_non_null(ids);
	snprintf(uri, sizeof uri, "sqlite:%s/store.db", f->dir);
	assert_int_equal(relay_store_open(uri, &s, err, sizeof err), 0);
	randombytes_buf(space, sizeof space);
	memset(&e, 0, sizeof e);
	randombytes_buf(blob, 100);
	hearth_envelope_id(blob, 100, e.id);
	e.bytes = blob;
	e.len = 100;
	assert_int_equal(relay_store_put(s, space, &e, 0, &seq, &added), RELAY_ENOTFOUND);
	assert_int_equal(relay_store_space_add(s, space), 0);
	assert_int_equal(relay_store_space_add(s, space), RELAY_EEXIST);
	hearth_fp_init(&whole);
	for (b = 0; b < 256; b++)
		hearth_fp_init(&buckets[b]);
	for (i = 0; i < N; i++) {
		size_t len = 100 + i % 200;

		memset(&e, 0, sizeof e);
		randombytes_buf(blob, len);
		hearth_envelope_id(blob, len, e.id);
		e.epoch = i % 7 == 0 ? 0 : 5;
		e.device = 1;
		e.first_seq = e.last_seq = i + 1;
		e.bytes = blob;
		e.len = len;
		assert_int_equal(relay_store_put(s, space, &e, 0, &seq, &added), 0);
		assert_int_equal(added, 1);
		assert_int_equal(seq, i + 1);
		memcpy(ids[i], e.id, 32);
		hearth_fp_add(&whole, e.id);
		hearth_fp_add(&buckets[e.id[0]], e.id);
		bytes += len;
		/* A tenth pushed again: held, same seq, nothing counted twice. */
		if (i % 10 == 3) {
			assert_int_equal(relay_store_put(s, space, &e, 0, &seq, &added), 0);
			assert_int_equal(added, 0);
			assert_int_equal(seq, i + 1);
		}
	}
	/* An id that is not the bytes' own is refused. */
	e.id[0] ^= 1;
	assert_int_equal(relay_store_put(s, space, &e, 0, &seq, &added), RELAY_EINVAL);
	assert_int_equal(relay_store_state(s, space, &st), 0);
	assert_int_equal(st.max_seq, N);
	assert_int_equal(st.bytes, bytes);
	assert_true(hearth_fp_equal(&st.fp, &whole));
	qsort(ids, N, 32, cmp_id32);
	seen.v = malloc(N * 32);
	assert_non_null(seen.v);
	for (b = 0, k = 0; b < 256; b++) {
		assert_int_equal(relay_store_bucket(s, space, (unsigned)b, &got), 0);
		assert_true(hearth_fp_equal(&got, &buckets[b]));
		seen.n = 0;
		assert_int_equal(relay_store_bucket_ids(s, space, (unsigned)b, collect_id, &seen), 0);
		assert_int_equal(seen.n, buckets[b].count);
		for (i = 0; i < seen.n; i++, k++)
			assert_memory_equal(seen.v[i], ids[k], 32);
	}
	assert_int_equal(k, N);
	assert_int_equal(relay_store_bucket(s, space, 256, &got), RELAY_EINVAL);
	/* The quota: the next envelope would pass it by one byte. */
	randombytes_buf(blob, 100);
	hearth_envelope_id(blob, 100, e.id);
	e.bytes = blob;
	e.len = 100;
	assert_int_equal(relay_store_put(s, space, &e, bytes + 99, &seq, &added), RELAY_EQUOTA);
	assert_int_equal(relay_store_put(s, space, &e, bytes + 100, &seq, &added), 0);
	assert_int_equal(seq, N + 1);
	bytes += 100;
	/* Several in one step: new ones numbered in order, one held, one
	 * repeated within the call, and the quota stopping at the fourth
	 * with the three before it stored. */
	{
		uint8_t bl[5][120];
		relay_envelope v[6];
		uint64_t sq[6];
		int ad[6];
		size_t done;

		for (i = 0; i < 5; i++) {
			memset(&v[i], 0, sizeof v[i]);
			randombytes_buf(bl[i], sizeof bl[i]);
			hearth_envelope_id(bl[i], sizeof bl[i], v[i].id);
			v[i].bytes = bl[i];
			v[i].len = sizeof bl[i];
			v[i].epoch = 5;
		}
		v[2] = e;    /* held: put above */
		v[3] = v[0]; /* the same as the first */
		assert_int_equal(relay_store_put_many(s, space, v, 4, 0, sq, ad, &done), 0);
		assert_int_equal(done, 4);
		assert_int_equal(sq[0], N + 2);
		assert_int_equal(ad[0], 1);
		assert_int_equal(sq[1], N + 3);
		assert_int_equal(sq[2], N + 1);
		assert_int_equal(ad[2], 0);
		assert_int_equal(sq[3], N + 2);
		assert_int_equal(ad[3], 0);
		bytes += 240;
		v[0] = v[4];
		memset(bl[1], 7, sizeof bl[1]);
		hearth_envelope_id(bl[1], sizeof bl[1], v[1].id);
		assert_int_equal(relay_store_put_many(s, space, v, 2, bytes + 120, sq, ad, &done),
				 RELAY_EQUOTA);
		assert_int_equal(done, 1);
		assert_int_equal(sq[0], N + 4);
		assert_int_equal(relay_store_state(s, space, &st), 0);
		assert_int_equal(st.max_seq, N + 4);
		assert_int_equal(st.fp.count, N + 4);
	}
	relay_store_close(s);
	free(seen.v);
	free(ids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_push_pull, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fetch_cut, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_register_allow, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_reconcile_fetch, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_refusals, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_removed, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_limits, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_health_metrics, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_two_relays, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_revoked, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_store_recount, fixture_setup, fixture_teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("relay", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
