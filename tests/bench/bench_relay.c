/*
 * bench_relay.c - hearth-relay (issue 11): pulls per second and their
 * latency with 64 connections on loopback against the SQLite store, with
 * GET /healthz over the same connections as the baseline of the same run;
 * and what the SQLite store spends per envelope beyond its bytes.
 *
 *   meson setup build-rel -Dbuildtype=release -Dgui=false
 *   ninja -C build-rel tests/bench/bench_relay
 *   build-rel/tests/bench/bench_relay [SECONDS] [CONNECTIONS]
 *
 * The relay runs in this process (relay_server_start, its default 4
 * worker threads, store on /tmp); the client is one thread driving every
 * connection with libcurl's multi interface.  Each pull is signed with a
 * fresh nonce, as a real client's, but ahead of the timed run (client
 * signing is not what is measured); client and server still share the
 * machine's cores, and the client takes about half of the CPU.  A pull asks for the envelopes past max_seq - 8
 * (eight envelopes of one person each, about 6 KiB).
 *
 * Storage: 20,000 envelopes of random bytes (the size of a one-person
 * envelope; their ids, so random too) put into a fresh store on /dev/shm (so syncs cost
 * nothing); the file's size after a checkpoint, less the empty store's and
 * the envelope bytes, per envelope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>
#include <sqlite3.h>

#include "hearth/devices.h"
#include "hearth/envelope.h"
#include "hearth/offline.h"
#include "hearth/schema.h"
#include "hearth/spaces.h"
#include "hearth/store.h"
#include "hearth/sync.h"
#include "relay.h"
#include "relayutil.h"
#include "store.h"

#define CHECK(call) do { \
	hearth_status st_ = (call); \
	if (st_ != HEARTH_OK) { \
		fprintf(stderr, "bench_relay: %s: %s\n", #call, hearth_errdetail()); \
		exit(1); \
	} \
} while (0)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- a team's envelopes ----------------------------------------------------- */

typedef struct team {
	uint8_t **v;
	size_t *len, n, ncontrol;
	uint64_t device;
	uint8_t sk[64];
	char space[33];
} team;

static void make_team(team *t, int persons, const char *dir)
{
	hearth_bundle_reader *rd;
	hearth_envelope_info info;
	const uint8_t *env;
	char path[512];
	size_t len;
	FILE *f;
	int pass;

	snprintf(path, sizeof path, "%s/team.bundle", dir);
	memset(t, 0, sizeof *t);
	if (relayutil_team_bundle(path, persons, &t->device, t->sk, t->space) != 0)
		exit(2);
	/* Control envelopes first, then data. */
	for (pass = 0; pass < 2; pass++) {
		f = fopen(path, "rb");
		CHECK(hearth_bundle_reader_open(f, &rd));
		while (hearth_bundle_reader_next(rd, &env, &len) == HEARTH_OK && env != NULL) {
			CHECK(hearth_envelope_peek(env, len, &info));
			if ((info.epoch == 0) != (pass == 0))
				continue;
			t->v = realloc(t->v, (t->n + 1) * sizeof *t->v);
			t->len = realloc(t->len, (t->n + 1) * sizeof *t->len);
			t->v[t->n] = malloc(len);
			memcpy(t->v[t->n], env, len);
			t->len[t->n++] = len;
			t->ncontrol += pass == 0;
		}
		hearth_bundle_reader_free(rd);
		fclose(f);
	}
	unlink(path);
}

/* ---- load ------------------------------------------------------------------ */

typedef struct conn {
	CURL *e;
	struct curl_slist *hdrs;
	double t0;
} conn;

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p, (void)ctx;
	return size * n;
}

typedef struct load {
	char base[64], pq[256];
	const team *t;
	int sign;
	double *lat;
	size_t nlat, caplat, errors;
	struct curl_slist **signed_hdrs; /* presign: taken one per request */
	size_t nsigned, next;
	double cpu_per_req;  /* relay CPU seconds per request, last run */
} load;

/* Signs count requests ahead (each with a fresh nonce), so that the
 * client's signing is not measured with the relay. */
static void presign(load *l, size_t count)
{
	relayutil_signer sg = { l->t->device, l->t->sk, 0, NULL, 0 };
	size_t i;

	l->signed_hdrs = calloc(count, sizeof *l->signed_hdrs);
	for (i = 0; i < count; i++)
		relayutil_sign(&l->signed_hdrs[i], "GET", l->pq, NULL, 0, &sg);
	l->nsigned = count;
	l->next = 0;
}

static void start(CURLM *m, load *l, conn *c)
{
	char url[512];

	curl_slist_free_all(c->hdrs);
	c->hdrs = NULL;
	if (l->sign && l->next < l->nsigned) {
		c->hdrs = l->signed_hdrs[l->next];
		l->signed_hdrs[l->next++] = NULL;
	}
	snprintf(url, sizeof url, "%s%s", l->base, l->pq);
	curl_easy_setopt(c->e, CURLOPT_URL, url);
	curl_easy_setopt(c->e, CURLOPT_HTTPHEADER, c->hdrs);
	curl_easy_setopt(c->e, CURLOPT_PRIVATE, c);
	c->t0 = now();
	curl_multi_add_handle(m, c->e);
}

/* CPU seconds used so far by the relay's worker threads (named
 * "MHD-worker" by libmicrohttpd), from /proc: the server's own cost,
 * apart from the client's, which shares the machine. */
static double server_cpu(void)
{
	char path[300], comm[64], buf[1024];
	double ticks = (double)sysconf(_SC_CLK_TCK), sum = 0;
	struct dirent *d;
	DIR *dir = opendir("/proc/self/task");

	if (dir == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		unsigned long ut = 0, st = 0;
		char *p;
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/comm", d->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		comm[0] = '\0';
		if (fgets(comm, sizeof comm, f) == NULL)
			comm[0] = '\0';
		fclose(f);
		if (strncmp(comm, "MHD-worker", 10) != 0)
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/stat", d->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof buf, f) != NULL && (p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
			   &st) == 2)
			sum += (double)(ut + st) / ticks;
		fclose(f);
	}
	closedir(dir);
	return sum;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Runs l for seconds over nconn connections; prints requests/s, p50, p99. */
static double run(const char *name, load *l, int nconn, double seconds)
{
	CURLM *m = curl_multi_init();
	conn *c = calloc((size_t)nconn, sizeof *c);
	double t0 = now(), end = t0 + seconds, elapsed, rate, cpu0 = server_cpu(), cpu;
	int i, running = 1, active = nconn;

	l->nlat = l->errors = 0;
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)nconn);
	for (i = 0; i < nconn; i++) {
		c[i].e = curl_easy_init();
		curl_easy_setopt(c[i].e, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(c[i].e, CURLOPT_NOSIGNAL, 1L);
		start(m, l, &c[i]);
	}
	while (active > 0) {
		CURLMsg *msg;
		int left;

		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			conn *k;
			long status = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&k);
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
			curl_multi_remove_handle(m, msg->easy_handle);
			if (msg->data.result != CURLE_OK || status != 200)
				l->errors++;
			if (l->nlat == l->caplat) {
				l->caplat = l->caplat ? 2 * l->caplat : 65536;
				l->lat = realloc(l->lat, l->caplat * sizeof *l->lat);
			}
			l->lat[l->nlat++] = now() - k->t0;
			if (now() < end && (!l->sign || l->next < l->nsigned))
				start(m, l, k);
			else
				active--;
		}
		if (active > 0)
			curl_multi_poll(m, NULL, 0, 10, NULL);
	}
	elapsed = now() - t0;
	cpu = server_cpu() - cpu0;
	for (i = 0; i < nconn; i++) {
		curl_easy_cleanup(c[i].e);
		curl_slist_free_all(c[i].hdrs);
	}
	free(c);
	curl_multi_cleanup(m);
	qsort(l->lat, l->nlat, sizeof *l->lat, cmp_double);
	rate = (double)l->nlat / elapsed;
	printf("%-22s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  (%zu requests, %zu errors)\n",
	       name, rate, 1e3 * l->lat[l->nlat / 2], 1e3 * l->lat[l->nlat * 99 / 100], l->nlat,
	       l->errors);
	printf("%-22s relay CPU %.1f us per request: %.0f req/s per core of relay time\n", "",
	       1e6 * cpu / (double)l->nlat, cpu > 0 ? (double)l->nlat / cpu : 0.0);
	l->cpu_per_req = cpu / (double)l->nlat;
	return rate;
}

/* ---- storage ----------------------------------------------------------------- */

static long file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : 0;
}

static void checkpoint(const char *path)
{
	sqlite3 *db;

	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	sqlite3_close(db);
}

static void storage(size_t env_len)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char path[256], uri[300], err[256];
	relay_store *st;
	uint8_t space[16], *buf = malloc(env_len);
	relay_envelope e;
	long empty, full;
	size_t i, n = 20000;
	uint64_t seq;
	int added;

	snprintf(path, sizeof path, "%s/bench-relay-%d.db", base, (int)getpid());
	snprintf(uri, sizeof uri, "sqlite:%s", path);
	if (relay_store_open(uri, &st, err, sizeof err) != 0) {
		fprintf(stderr, "bench_relay: %s\n", err);
		exit(1);
	}
	randombytes_buf(space, sizeof space);
	relay_store_space_add(st, space);
	relay_store_close(st);
	checkpoint(path);
	empty = file_size(path);
	relay_store_open(uri, &st, err, sizeof err);
	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof e);
		randombytes_buf(buf, env_len);
		hearth_envelope_id(buf, env_len, e.id);
		e.epoch = 1;
		e.device = 1;
		e.first_seq = e.last_seq = i + 1;
		e.bytes = buf;
		e.len = env_len;
		if (relay_store_put(st, space, &e, 0, &seq, &added) != 0) {
			fprintf(stderr, "bench_relay: put: %s\n", relay_store_error(st));
			exit(1);
		}
	}
	relay_store_close(st);
	checkpoint(path);
	full = file_size(path);
	printf("storage: %zu envelopes of %zu bytes: file %ld -> %ld bytes; "
	       "%.1f bytes per envelope beyond its bytes\n", n, env_len, empty, full,
	       ((double)(full - empty) - (double)(n * env_len)) / (double)n);
	if (getenv("BENCH_RELAY_KEEP") != NULL)
		printf("kept %s\n", path);
	else
		unlink(path);
	free(buf);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 10;
	int nconn = argc > 2 ? atoi(argv[2]) : 64;
	char dir[] = "/tmp/bench-relay-XXXXXX", store[128], err[256], pq[256];
	relay_config cfg = { 0 };
	relay_server *srv;
	relayutil_resp r;
	relayutil_signer sg;
	uint8_t *body;
	size_t len;
	double base_rate, pull_rate, base_cpu;
	load l;
	team t;
	double la[3];

	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	make_team(&t, 64, dir);
	storage(t.len[t.n - 1]);

	snprintf(store, sizeof store, "sqlite:%s/relay.db", dir);
	cfg.listen = "127.0.0.1:0";
	cfg.store = store;
	if (relay_server_start(&cfg, &srv, err, sizeof err) != 0) {
		fprintf(stderr, "bench_relay: %s\n", err);
		return 1;
	}
	memset(&l, 0, sizeof l);
	snprintf(l.base, sizeof l.base, "http://127.0.0.1:%u", relay_server_port(srv));
	l.t = &t;
	sg = (relayutil_signer){ t.device, t.sk, 0, NULL, 0 };
	body = relayutil_frame(t.v, t.len, 0, t.ncontrol, &len);
	snprintf(pq, sizeof pq, "/v1/spaces/%s", t.space);
	relayutil_http(NULL, l.base, "PUT", pq, body, len, &sg, &r);
	free(body);
	relayutil_resp_free(&r);
	body = relayutil_frame(t.v, t.len, t.ncontrol, t.n, &len);
	snprintf(pq, sizeof pq, "/v1/spaces/%s/envelopes", t.space);
	relayutil_http(NULL, l.base, "POST", pq, body, len, &sg, &r);
	if (r.status != 200) {
		fprintf(stderr, "bench_relay: push: %ld\n", r.status);
		return 1;
	}
	free(body);
	relayutil_resp_free(&r);

	printf("%zu envelopes held (%zu control); %d connections, %.0f s each, loopback\n",
	       t.n, t.ncontrol, nconn, seconds);
	snprintf(l.pq, sizeof l.pq, "/healthz");
	l.sign = 0;
	base_rate = run("GET /healthz", &l, nconn, seconds);
	base_cpu = l.cpu_per_req;
	snprintf(l.pq, sizeof l.pq, "/v1/spaces/%s/envelopes?after=%zu", t.space, t.n - 8);
	l.sign = 1;
	presign(&l, (size_t)(seconds * 8000));
	pull_rate = run("pull (8 envelopes)", &l, nconn, seconds);
	for (len = l.next; len < l.nsigned; len++)
		curl_slist_free_all(l.signed_hdrs[len]);
	free(l.signed_hdrs);
	printf("pulls/s over healthz/s: %.2f; relay CPU per pull over per healthz: %.2f\n",
	       pull_rate / base_rate, l.cpu_per_req / base_cpu);
	if (getloadavg(la, 3) == 3)
		printf("load average: %.2f %.2f %.2f\n", la[0], la[1], la[2]);
	relay_server_stop(srv);
	free(l.lat);
	for (len = 0; len < t.n; len++)
		free(t.v[len]);
	free(t.v);
	free(t.len);
	snprintf(pq, sizeof pq, "rm -rf '%s'", dir);
	if (system(pq) != 0)
		return 1;
	curl_global_cleanup();
	return 0;
}
