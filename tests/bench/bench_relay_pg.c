/*
 * bench_relay_pg.c - the relay's PostgreSQL store (sync/relay/store_pg.c)
 * against plain libpq on the same server, in the same run:
 *
 *   put    relay store puts into one space, each its own durable
 *          transaction (lock the space's row, insert, add to the space's
 *          and the bucket's fingerprints, commit);
 *   plain  the baseline: one prepared INSERT of the same id and bytes
 *          into a table (id bytea PRIMARY KEY, bytes bytea), autocommit,
 *          so also one durable commit each;
 *   pull   the space read back through the store in pages of 1 MiB;
 *   scan   the baseline: SELECT id, bytes of the plain table, one query;
 *   put2   two processes, each with its own connection, putting half the
 *          envelopes each at once into one space (serialised by the
 *          space's lock) and into a space each (not), against put.
 *
 * And the database's bytes per envelope beyond its ciphertext: the
 * envelope table with its indexes and TOAST, over the envelopes it
 * holds, less their length (and the same for the plain table).
 *
 * Wall-clock time (the work is in the server's process); each side runs
 * HEARTH_BENCH_ROUNDS rounds (default 3), sides alternating, the fastest
 * kept.  The server is a private one (tests/tools/pg_tmp.sh), synchronous
 * commits on a disk, so both sides wait for WAL flushes alike:
 *
 *   meson setup build-rel -Dbuildtype=release -Dbench=true -Dgui=false
 *   ninja -C build-rel tests/bench/bench_relay_pg
 *   tests/tools/with_pg.sh tests/tools/pg_tmp.sh \
 *       build-rel/tests/bench/bench_relay_pg [envelopes per round] [bytes each]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "../../sync/relay/store_impl.h"
#include "../../sync/relay/store_pg.h"

struct env {
	relay_envelope e;
	uint8_t *buf;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "bench_relay_pg: %s: %s\n", what, detail);
	exit(1);
}

static PGresult *sql(PGconn *c, const char *q, ExecStatusType want)
{
	PGresult *r = PQexec(c, q);

	if (PQresultStatus(r) != want)
		die(q, PQresultErrorMessage(r));
	return r;
}

static uint64_t size_of(PGconn *c, const char *table)
{
	char q[128];
	PGresult *r;
	uint64_t n;

	snprintf(q, sizeof q, "SELECT pg_total_relation_size('%s')", table);
	r = sql(c, q, PGRES_TUPLES_OK);
	n = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return n;
}

/* Into a new space (space: its id). */
static double side_put(relay_store *st, struct env *v, size_t n,
		       uint8_t space[RELAY_SPACE_BYTES])
{
	double t0;

	randombytes_buf(space, RELAY_SPACE_BYTES);
	if (st->vt->space_add(st, space) != 0)
		die("space_add", st->vt->error(st));
	t0 = now();
	for (size_t i = 0; i < n; i++) {
		uint64_t seq;
		int added;

		if (st->vt->put(st, space, &v[i].e, 0, &seq, &added) != 0 || !added)
			die("put", st->vt->error(st));
	}
	return now() - t0;
}

struct cursor {
	uint64_t last;
	size_t bytes;
};

static int follow(const relay_envelope *e, void *ctx)
{
	struct cursor *c = ctx;

	c->last = e->seq;
	c->bytes += e->len;
	return 0;
}

/* The whole space in pages of 1 MiB, as a client pulls it. */
static double side_pull_all(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
			    size_t want)
{
	struct cursor c = { 0, 0 };
	double t0 = now();
	int more = 1;

	while (more)
		if (st->vt->pull(st, space, c.last, 1u << 20, 0, follow, &c, &more) != 0)
			die("pull", st->vt->error(st));
	if (c.bytes != want)
		die("pull", "gave the wrong bytes");
	return now() - t0;
}

/* Two processes put half of v each, at once, into one new space (same)
 * or into a new space each. */
static double side_two(relay_store *st, const char *uri, struct env *v, size_t n, int same)
{
	uint8_t space[2][RELAY_SPACE_BYTES];
	int go[2], status;
	pid_t pid[2];
	double t0;
	char c;

	for (int k = 0; k < 2; k++) {
		randombytes_buf(space[k], RELAY_SPACE_BYTES);
		if (st->vt->space_add(st, space[k]) != 0)
			die("space_add", st->vt->error(st));
	}
	if (pipe(go) != 0)
		die("pipe", "failed");
	for (int k = 0; k < 2; k++) {
		pid[k] = fork();
		if (pid[k] < 0)
			die("fork", "failed");
		if (pid[k] == 0) {
			relay_store *own = NULL;
			char err[512];
			size_t from = k * (n / 2), to = k ? n : n / 2;

			close(go[1]);
			if (relay_store_pg_open(uri, &own, err, sizeof err) != 0)
				_exit(3);
			if (read(go[0], &c, 1) < 0)
				_exit(2);
			for (size_t i = from; i < to; i++) {
				uint64_t seq;
				int added;

				if (own->vt->put(own, space[same ? 0 : k], &v[i].e, 0, &seq,
						 &added) != 0 || !added)
					_exit(4);
			}
			own->vt->close(own);
			_exit(0);
		}
	}
	close(go[0]);
	/* Let both connect first: the time is of the puts. */
	usleep(300000);
	t0 = now();
	close(go[1]);
	for (int k = 0; k < 2; k++)
		if (waitpid(pid[k], &status, 0) != pid[k] || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			die("put2", "a child failed");
	return now() - t0;
}

static double side_plain(PGconn *c, struct env *v, size_t n)
{
	double t0;

	PQclear(sql(c, "TRUNCATE bench_plain", PGRES_COMMAND_OK));
	t0 = now();
	for (size_t i = 0; i < n; i++) {
		const char *val[2] = { (const char *)v[i].e.id, (const char *)v[i].e.bytes };
		int len[2] = { RELAY_ID_BYTES, (int)v[i].e.len }, fmt[2] = { 1, 1 };
		PGresult *r = PQexecPrepared(c, "plain", 2, val, len, fmt, 1);

		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			die("plain insert", PQresultErrorMessage(r));
		PQclear(r);
	}
	return now() - t0;
}

static double side_scan(PGconn *c, size_t n, size_t want)
{
	double t0 = now();
	PGresult *r = PQexecParams(c, "SELECT id, bytes FROM bench_plain", 0, NULL, NULL,
				   NULL, NULL, 1);
	size_t got = 0;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || (size_t)PQntuples(r) != n)
		die("scan", PQresultErrorMessage(r));
	for (int i = 0; i < PQntuples(r); i++)
		got += (size_t)PQgetlength(r, i, 1);
	PQclear(r);
	if (got != want)
		die("scan", "gave the wrong bytes");
	return now() - t0;
}

int main(int argc, char **argv)
{
	const char *uri = getenv("HEARTH_RELAY_STORE_URI");
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
	size_t len = argc > 2 ? strtoul(argv[2], NULL, 10) : 1024;
	const char *r_env = getenv("HEARTH_BENCH_ROUNDS");
	int rounds = r_env ? atoi(r_env) : 3;
	double best_put = 1e9, best_plain = 1e9, best_pull = 1e9, best_scan = 1e9;
	double best_same = 1e9, best_apart = 1e9;
	size_t total = n * len, stored = 0;
	relay_store *st = NULL;
	struct env *v;
	char err[512];
	PGconn *c;
	PGresult *r;
	Oid types[2] = { 17, 17 };

	if (!uri || n == 0 || len == 0 || rounds < 1)
		die("usage", "HEARTH_RELAY_STORE_URI=postgresql://... bench_relay_pg [envelopes] [bytes]");
	if (sodium_init() < 0)
		die("libsodium", "cannot start");
	if (relay_store_pg_open(uri, &st, err, sizeof err) != 0)
		die("open", err);
	c = PQconnectdb(uri);
	if (PQstatus(c) != CONNECTION_OK)
		die("connect", PQerrorMessage(c));
	PQclear(sql(c, "SET client_min_messages = warning", PGRES_COMMAND_OK));
	PQclear(sql(c, "CREATE TABLE IF NOT EXISTS bench_plain "
		       "(id bytea PRIMARY KEY, bytes bytea NOT NULL)", PGRES_COMMAND_OK));
	PQclear(sql(c, "ALTER TABLE bench_plain ALTER COLUMN bytes SET STORAGE EXTERNAL",
		    PGRES_COMMAND_OK));
	r = PQprepare(c, "plain", "INSERT INTO bench_plain (id, bytes) VALUES ($1, $2)", 2, types);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		die("prepare", PQresultErrorMessage(r));
	PQclear(r);

	v = calloc(n, sizeof *v);
	if (!v)
		die("memory", "out of memory");
	for (int round = 0; round < rounds; round++) {
		uint8_t space[RELAY_SPACE_BYTES];
		double t;

		for (size_t i = 0; i < n; i++) {
			free(v[i].buf);
			v[i].buf = malloc(len);
			if (!v[i].buf)
				die("memory", "out of memory");
			randombytes_buf(v[i].buf, len);
			crypto_generichash(v[i].e.id, RELAY_ID_BYTES, v[i].buf, len, NULL, 0);
			v[i].e.bytes = v[i].buf;
			v[i].e.len = len;
			v[i].e.epoch = 1;
			v[i].e.device = 42;
			v[i].e.first_seq = 5 * i + 1;
			v[i].e.last_seq = 5 * i + 5;
		}
		t = side_put(st, v, n, space);
		best_put = t < best_put ? t : best_put;
		stored += n;
		t = side_plain(c, v, n);
		best_plain = t < best_plain ? t : best_plain;
		t = side_pull_all(st, space, total);
		best_pull = t < best_pull ? t : best_pull;
		t = side_scan(c, n, total);
		best_scan = t < best_scan ? t : best_scan;
		t = side_two(st, uri, v, n, 1);
		best_same = t < best_same ? t : best_same;
		t = side_two(st, uri, v, n, 0);
		best_apart = t < best_apart ? t : best_apart;
		stored += 2 * n;
	}

	PQclear(sql(c, "CHECKPOINT", PGRES_COMMAND_OK));
	printf("relay store on PostgreSQL: %zu envelopes of %zu bytes per round, "
	       "fastest of %d rounds\n", n, len, rounds);
	printf("%-6s %12s %10s %9s\n", "", "envelopes/s", "MB/s", "x base");
	printf("%-6s %12.0f %10.1f %9.2f\n", "plain", n / best_plain, total / best_plain / 1e6, 1.0);
	printf("%-6s %12.0f %10.1f %9.2f\n", "put", n / best_put, total / best_put / 1e6,
	       best_put / best_plain);
	printf("%-6s %12.0f %10.1f %9.2f\n", "scan", n / best_scan, total / best_scan / 1e6, 1.0);
	printf("%-6s %12.0f %10.1f %9.2f\n", "pull", n / best_pull, total / best_pull / 1e6,
	       best_pull / best_scan);
	printf("two processes at once, x put: one space %.0f envelopes/s (%.2f), "
	       "a space each %.0f envelopes/s (%.2f)\n", n / best_same, best_same / best_put,
	       n / best_apart, best_apart / best_put);
	{
		uint64_t env = size_of(c, "relay_envelopes");
		uint64_t plain = size_of(c, "bench_plain");

		printf("database bytes per envelope beyond its %zu bytes: store %.1f "
		       "(relay_envelopes with indexes and TOAST, %zu envelopes), "
		       "plain table %.1f\n", len,
		       (double)env / (double)stored - (double)len, stored,
		       (double)plain / (double)n - (double)len);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].buf);
	free(v);
	PQfinish(c);
	st->vt->close(st);
	return 0;
}
