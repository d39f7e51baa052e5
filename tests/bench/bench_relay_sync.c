/*
 * bench_relay_sync.c - a cold sync from a relay (issue 11: at least
 * 20,000 ops/s) against merging alone, in the same run, and what a sync
 * with nothing new costs.
 *
 * A lead's vault writes N ops in a team space (people created, then
 * field writes of 10-60 bytes) and pushes them to a real hearth-relay
 * started in this process on a loopback port (SQLite store).  Then, each
 * round:
 *
 *   merge  a fresh store merges the lead's ops with hearth_store_apply in
 *          batches of 1,000, one transaction: the baseline;
 *   sync   a counsellor's fresh vault, approved as a member, syncs the
 *          space with hearth_relay_sync: pull every page over HTTP, check
 *          it, verify every envelope's signature, decrypt, merge, keep.
 *
 * Then the counsellor syncs again with nothing new: its round trips and
 * bytes.  Stores are plain SQLite files (WAL, synchronous=FULL).  Wall
 * time; the fastest of HEARTH_BENCH_ROUNDS rounds (default 3).
 *
 *   meson setup build-rel -Dbuildtype=release -Dbench=true -Dgui=false
 *   ninja -C build-rel tests/bench/bench_relay_sync
 *   build-rel/tests/bench/bench_relay_sync [ops]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "hearth/devices.h"
#include "hearth/offline.h"
#include "hearth/relay.h"
#include "hearth/schema.h"
#include "hearth/spaces.h"
#include "hearth/store.h"
#include "hearth/sync.h"
#include "relay.h"

#define BATCH 1000

static char tmpdir[64];
static int db_seq;

static void die(const char *what)
{
	fprintf(stderr, "bench_relay_sync: %s: %s\n", what, hearth_errdetail());
	exit(1);
}

#define OK(call) do { if ((call) != HEARTH_OK) die(#call); } while (0)

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct vault {
	sqlite3 *db;
	hearth_store *s;
	uint8_t sk[HEARTH_SIGN_SECRETBYTES];
} vault;

static void vault_open(vault *v)
{
	hearth_device_key *k = NULL;
	char path[128];

	snprintf(path, sizeof path, "%s/v%d.db", tmpdir, db_seq++);
	if (sqlite3_open(path, &v->db) != SQLITE_OK ||
	    sqlite3_exec(v->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
			 NULL, NULL, NULL) != SQLITE_OK)
		die("sqlite3_open");
	OK(hearth_schema_migrate(v->db, hearth_schema_latest()));
	OK(hearth_store_open(v->db, NULL, &v->s));
	OK(hearth_devices_ensure(v->s, NULL));
	OK(hearth_device_key_load(v->s, &k, NULL));
	memcpy(v->sk, hearth_device_key_secret(k), sizeof v->sk);
	hearth_device_key_free(k);
}

static void vault_close(vault *v)
{
	hearth_store_close(v->s);
	sqlite3_close(v->db);
}

/* The lead's ops, deep-copied. */
typedef struct op_vec {
	hearth_op *v;
	size_t n, cap;
} op_vec;

static int copy_op(const hearth_op *op, uint64_t arrival, hearth_op_state state, void *ctx)
{
	op_vec *l = ctx;
	hearth_op *o;

	(void)arrival;
	(void)state;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		if ((l->v = realloc(l->v, l->cap * sizeof *l->v)) == NULL)
			die("realloc");
	}
	o = &l->v[l->n++];
	*o = *op;
	o->kind = strdup(op->kind);
	o->field = strdup(op->field);
	o->value = op->value != NULL ? strdup(op->value) : NULL;
	o->prev = NULL;
	if (op->nprev > 0) {
		hearth_op_id *p = malloc(op->nprev * sizeof *p);

		if (p == NULL)
			die("malloc");
		memcpy(p, op->prev, op->nprev * sizeof *p);
		o->prev = p;
	}
	return 0;
}

static void add_member(vault *lead, vault *who, const hearth_id *space)
{
	char *code = NULL, *req = NULL;
	hearth_invitation inv;
	hearth_id m;

	OK(hearth_space_invite(lead->s, space, HEARTH_ROLE_COUNSELLOR, 0, &code));
	OK(hearth_space_join(who->s, code, &req, &inv));
	OK(hearth_space_approve(lead->s, space, req, &m, NULL));
	free(code);
	free(req);
}

static hearth_status relay_sync_one(vault *v, const char *url, const hearth_id *space,
			  hearth_relay_result *r)
{
	hearth_vault_trust *vt;
	hearth_relay_opts o;
	hearth_status st;

	memset(&o, 0, sizeof o);
	o.url = url;
	OK(hearth_vault_trust_open(v->s, &vt));
	st = hearth_relay_sync(v->s, hearth_vault_trust_get(vt), v->sk, &o, space, r);
	hearth_vault_trust_free(vt);
	return st;
}

int main(int argc, char **argv)
{
	size_t n_ops = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000, i;
	const char *rounds_env = getenv("HEARTH_BENCH_ROUNDS");
	int rounds = rounds_env != NULL ? atoi(rounds_env) : 3, round;
	double best_merge = 1e30, best_sync = 1e30;
	relay_config cfg;
	relay_server *srv = NULL;
	char store[128], url[64], err[256];
	hearth_relay_result r;
	hearth_id space, id = { { 0 } };
	vault lead, c;
	op_vec ops = { NULL, 0, 0 };

	if (sodium_init() < 0)
		return 1;
	strcpy(tmpdir, "/tmp/hearth-bench-relay-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		die("mkdtemp");
	snprintf(store, sizeof store, "sqlite:%s/relay.db", tmpdir);
	memset(&cfg, 0, sizeof cfg);
	cfg.listen = "127.0.0.1:0";
	cfg.store = store;
	cfg.threads = 2;
	if (relay_server_start(&cfg, &srv, err, sizeof err) != 0) {
		fprintf(stderr, "bench_relay_sync: relay: %s\n", err);
		return 1;
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%u", relay_server_port(srv));

	vault_open(&lead);
	OK(hearth_space_create(lead.s, "Bench team", &space));
	{
		static const char *const fields[] = { "name", "unit", "phone", "risk",
						      "counsellor", "tags", "note", "status" };
		hearth_store_step step;

		OK(hearth_store_step_begin(lead.s, &step));
		for (i = 0; i < n_ops; i++) {
			char value[96];

			if (i % 8 == 0)
				OK(hearth_record_create(lead.s, &space, "person", &id));
			snprintf(value, sizeof value, "%.*s %zu", (int)(10 + i % 50),
				 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", i);
			OK(hearth_record_set(lead.s, &id, fields[i % 8], value));
		}
		OK(hearth_store_step_end(lead.s, &step, HEARTH_OK));
	}
	OK(hearth_store_ops(lead.s, hearth_store_device(lead.s), 1, 0, copy_op, &ops));
	OK(relay_sync_one(&lead, url, &space, &r));
	printf("lead pushed %zu envelopes (%zu ops in the space's log) in %llu requests\n",
	       r.pushed, ops.n, (unsigned long long)r.round_trips);

	for (round = 0; round < rounds; round++) {
		vault m;
		double t0, t;

		vault_open(&m);
		t0 = wall_s();
		{
			hearth_store_step step;

			OK(hearth_store_step_begin(m.s, &step));
			for (i = 0; i < ops.n; i += BATCH)
				OK(hearth_store_apply(m.s, ops.v + i,
						      ops.n - i < BATCH ? ops.n - i : BATCH, NULL));
			OK(hearth_store_step_end(m.s, &step, HEARTH_OK));
		}
		t = wall_s() - t0;
		if (t < best_merge)
			best_merge = t;
		vault_close(&m);

		vault_open(&c);
		add_member(&lead, &c, &space);
		OK(relay_sync_one(&lead, url, &space, &r)); /* the approval */
		t0 = wall_s();
		OK(relay_sync_one(&c, url, &space, &r));
		t = wall_s() - t0;
		if (!r.in_sync || r.received.ops < ops.n)
			die("the counsellor's sync is incomplete");
		if (t < best_sync)
			best_sync = t;
		printf("round %d: merge %.3f s, sync %.3f s (%zu envelopes, %zu ops applied,"
		       " %llu requests, %llu bytes in)\n", round + 1, best_merge, t,
		       r.pulled, r.received.ops, (unsigned long long)r.round_trips,
		       (unsigned long long)r.bytes_received);
		if (round + 1 < rounds)
			vault_close(&c);
	}
	OK(relay_sync_one(&c, url, &space, &r));
	printf("\nops: %zu\n", ops.n);
	printf("merge alone:          %8.0f ops/s  (%.3f s)\n", (double)ops.n / best_merge,
	       best_merge);
	printf("cold sync from relay: %8.0f ops/s  (%.3f s)  x merge: %.2f\n",
	       (double)ops.n / best_sync, best_sync, best_sync / best_merge);
	printf("no-change sync:       %llu round trip(s), %llu bytes sent, %llu received\n",
	       (unsigned long long)r.round_trips, (unsigned long long)r.bytes_sent,
	       (unsigned long long)r.bytes_received);
	vault_close(&c);
	vault_close(&lead);
	relay_server_stop(srv);
	{
		char cmd[128];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			return 1;
	}
	return 0;
}
