/*
 * bench_vfs.c - the cost of the encrypting VFS against plain SQLite.
 *
 * The same workload runs on plain SQLite (default VFS) and through a Hearth
 * VFS, with the same pragmas on both sides: 4096-byte pages, WAL,
 * synchronous=NORMAL, a 32 MiB page cache, temp store in memory, no mmap.
 *
 *   insert   100,000 records (16-byte random blob id, ~100 bytes of text)
 *            in transactions of 1,000
 *   lookup   100,000 point lookups by id, in random order
 *   scan     5 full scans reading every record's text
 *
 * Wall-clock and CPU time are both shown: on a shared machine the CPU
 * time of the process is the steadier figure.
 *
 * Each side runs in its own forked child, so the peak resident memory
 * (getrusage ru_maxrss) of the encrypted run is its own.  Every run is
 * repeated HEARTH_BENCH_ROUNDS times (default 3), sides alternating, and
 * the fastest time of each phase is kept: on a shared machine the minimum
 * is the figure least disturbed by other work.
 *
 * A third side runs the encrypted workload with the wiping allocator's
 * wiping turned off (hearth_mem_wipe_set(0), a benchmark-only switch), so
 * the cost of wiping every block SQLite frees (decrypted pages included)
 * shows as a ratio measured in the same run.
 *
 * A fourth runs it with the page cipher computed by libsodium alone
 * (hearth_xaead_openssl_set(0), as before OpenSSL computed it; the bytes
 * are the same), so what OpenSSL saves shows in the same run too.
 *
 * Goals: encrypted/plain <= 1.15 overall; encrypted peak RSS <= 64 MiB.
 *
 *   meson setup build-rel -Dbuildtype=release -Dtests=true
 *   ninja -C build-rel tests/bench/bench_vfs && build-rel/tests/bench/bench_vfs
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "hearth/crypto.h"
#include "hearth/vfs.h"

#include "../../crypto/aead_private.h"
#include "../../crypto/vfs_private.h"

#define ROWS 100000
#define BATCH 1000
#define SCANS 5
#define SEED UINT64_C(0x4865617274682121)
#define BENCH_VFS "hearth-bench"

enum { PHASE_INSERT, PHASE_LOOKUP, PHASE_SCAN, PHASES };
static const char *const phase_names[PHASES] = { "insert", "lookup", "scan" };

typedef struct result {
	double seconds[PHASES]; /* wall clock */
	double cpu[PHASES];     /* this process's CPU time */
	long maxrss_kib;
	int ok;
} result;

static uint64_t rng_state;

/* xorshift64*: the same ids and lookup order on both sides. */
static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Starts timing a phase. */
static void phase_start(double start[2])
{
	start[0] = clock_s(CLOCK_MONOTONIC);
	start[1] = clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static void phase_end(result *r, int phase, const double start[2])
{
	r->seconds[phase] = clock_s(CLOCK_MONOTONIC) - start[0];
	r->cpu[phase] = clock_s(CLOCK_PROCESS_CPUTIME_ID) - start[1];
}

static int exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "bench_vfs: '%s': %s\n", sql, err ? err : "?");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* Text resembling a counsellor's record, about 100 bytes. */
static int make_body(char *out, size_t n, int i)
{
	static const char words[] = "follow up after night shift, sleep poor, "
				    "referred to hotline, group session next week, ";
	size_t len = (size_t)snprintf(out, n, "record %06d: ", i);
	size_t w = (size_t)i % 40;

	while (len < 100 && len + 1 < n)
		out[len++] = words[w++ % (sizeof words - 1)];
	out[len] = '\0';
	return (int)len;
}

/* Runs the workload on a database at path, through vfs (NULL: plain). */
static result workload(const char *path, const char *vfs)
{
	result r = { 0 };
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL, *get = NULL, *scan = NULL;
	uint8_t (*ids)[16] = malloc((size_t)ROWS * 16);
	uint32_t *order = malloc((size_t)ROWS * sizeof *order);
	char body[160];
	double t[2];
	long long sum = 0;
	int i, b, s;

	if (ids == NULL || order == NULL)
		goto out;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    vfs) != SQLITE_OK)
		goto out;
	if (vfs != NULL && hearth_vfs_configure(db) != HEARTH_OK) {
		fprintf(stderr, "bench_vfs: %s\n", hearth_errdetail());
		goto out;
	}
	if (exec(db, "PRAGMA page_size=4096") || exec(db, "PRAGMA journal_mode=WAL") ||
	    exec(db, "PRAGMA synchronous=NORMAL") ||
	    exec(db, "PRAGMA cache_size=-32768") ||
	    exec(db, "PRAGMA temp_store=MEMORY") || exec(db, "PRAGMA mmap_size=0") ||
	    exec(db, "CREATE TABLE rec(id BLOB PRIMARY KEY, body TEXT NOT NULL)"))
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT INTO rec(id, body) VALUES(?, ?)", -1,
			       &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT body FROM rec WHERE id = ?", -1, &get,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT sum(length(body)) FROM rec", -1, &scan,
			       NULL) != SQLITE_OK)
		goto out;

	rng_state = SEED;
	for (i = 0; i < ROWS; i++) {
		uint64_t a = rng_next(), c = rng_next();

		memcpy(ids[i], &a, 8);
		memcpy(ids[i] + 8, &c, 8);
		order[i] = (uint32_t)i;
	}
	for (i = ROWS - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(rng_next() % (uint64_t)(i + 1)), x = order[i];

		order[i] = order[j];
		order[j] = x;
	}

	phase_start(t);
	for (b = 0; b < ROWS / BATCH; b++) {
		if (exec(db, "BEGIN"))
			goto out;
		for (i = b * BATCH; i < (b + 1) * BATCH; i++) {
			int n = make_body(body, sizeof body, i);

			sqlite3_bind_blob(ins, 1, ids[i], 16, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, body, n, SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE)
				goto out;
			sqlite3_reset(ins);
		}
		if (exec(db, "COMMIT"))
			goto out;
	}
	phase_end(&r, PHASE_INSERT, t);

	phase_start(t);
	for (i = 0; i < ROWS; i++) {
		sqlite3_bind_blob(get, 1, ids[order[i]], 16, SQLITE_STATIC);
		if (sqlite3_step(get) != SQLITE_ROW)
			goto out;
		sum += sqlite3_column_bytes(get, 0);
		sqlite3_reset(get);
	}
	phase_end(&r, PHASE_LOOKUP, t);

	phase_start(t);
	for (s = 0; s < SCANS; s++) {
		if (sqlite3_step(scan) != SQLITE_ROW)
			goto out;
		sum += sqlite3_column_int64(scan, 0);
		sqlite3_reset(scan);
	}
	phase_end(&r, PHASE_SCAN, t);
	r.ok = sum > 0;
out:
	if (!r.ok && db != NULL)
		fprintf(stderr, "bench_vfs: %s\n", sqlite3_errmsg(db));
	sqlite3_finalize(ins);
	sqlite3_finalize(get);
	sqlite3_finalize(scan);
	sqlite3_close(db);
	free(ids);
	free(order);
	return r;
}

/* The sides, each in its own child. */
enum { SIDE_PLAIN, SIDE_HEARTH, SIDE_NOWIPE, SIDE_SODIUM, SIDES };
static const char *const side_names[SIDES] = {
	"plain", "encrypted", "no-wipe", "libsodium-only",
};

/* Runs the workload in a child process and collects its result. */
static result run_child(const char *dir, int side)
{
	int encrypted = side != SIDE_PLAIN;
	result r = { 0 };
	int fds[2], status;
	pid_t pid;

	if (pipe(fds) != 0)
		return r;
	pid = fork();
	if (pid < 0)
		return r;
	if (pid == 0) {
		char path[256];
		struct rusage ru;
		uint8_t key[HEARTH_KEYBYTES];

		close(fds[0]);
		snprintf(path, sizeof path, "%s/%s.db", dir,
			 encrypted ? "hearth" : "plain");
		if (encrypted) {
			hearth_random(key, sizeof key);
			if (side == SIDE_NOWIPE)
				hearth_mem_wipe_set(0);
			if (side == SIDE_SODIUM)
				hearth_xaead_openssl_set(0);
			if (hearth_vfs_register(BENCH_VFS, key, 0) != HEARTH_OK)
				_exit(2);
			hearth_wipe(key, sizeof key);
		}
		if (encrypted && !hearth_sqlite_wipe_active())
			_exit(4); /* the figures would not mean what they say */
		r = workload(path, encrypted ? BENCH_VFS : NULL);
		/* Each encrypted side ran the cipher it is named for. */
		if (encrypted && (hearth_xaead_openssl_calls() == 0) !=
				 (side == SIDE_SODIUM))
			_exit(5);
		if (encrypted && hearth_vfs_unregister(BENCH_VFS) != HEARTH_OK)
			r.ok = 0;
		getrusage(RUSAGE_SELF, &ru);
		r.maxrss_kib = ru.ru_maxrss;
		if (write(fds[1], &r, sizeof r) != (ssize_t)sizeof r)
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &r, sizeof r) != (ssize_t)sizeof r)
		r.ok = 0;
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		r.ok = 0;
	return r;
}

static void remove_files(const char *dir)
{
	static const char *const names[] = {
		"plain.db", "plain.db-wal", "plain.db-shm",
		"hearth.db", "hearth.db-wal", "hearth.db-shm",
	};
	char path[256];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
}

/* Prints side b against side a (ratios b/a), phase by phase. */
static void print_pair(const char *title, const char *a_name, const char *b_name,
		       const result *best, int a, int b)
{
	double ta = 0, tb = 0, ca = 0, cb = 0;
	char ha[16], hb[16], hca[16], hcb[16];
	int p;

	snprintf(ha, sizeof ha, "%s s", a_name);
	snprintf(hb, sizeof hb, "%s s", b_name);
	snprintf(hca, sizeof hca, "%s cpu", a_name);
	snprintf(hcb, sizeof hcb, "%s cpu", b_name);
	printf("\n%s:\n  %-8s %10s %10s %7s   %10s %10s %7s\n", title, "phase",
	       ha, hb, "ratio", hca, hcb, "ratio");
	for (p = 0; p < PHASES; p++) {
		printf("  %-8s %10.3f %10.3f %7.2f   %10.3f %10.3f %7.2f\n",
		       phase_names[p], best[a].seconds[p], best[b].seconds[p],
		       best[b].seconds[p] / best[a].seconds[p],
		       best[a].cpu[p], best[b].cpu[p], best[b].cpu[p] / best[a].cpu[p]);
		ta += best[a].seconds[p];
		tb += best[b].seconds[p];
		ca += best[a].cpu[p];
		cb += best[b].cpu[p];
	}
	printf("  %-8s %10.3f %10.3f %7.2f   %10.3f %10.3f %7.2f\n", "overall",
	       ta, tb, tb / ta, ca, cb, cb / ca);
}

int main(void)
{
	char dir[] = "/tmp/hearth-bench-vfs-XXXXXX";
	const char *env = getenv("HEARTH_BENCH_ROUNDS");
	int rounds = env ? atoi(env) : 3, round, p, side;
	result best[SIDES];
	long maxrss[SIDES] = { 0 };
	double total[SIDES] = { 0 }, cpu_total[SIDES] = { 0 };

	if (rounds < 1)
		rounds = 1;
	if (mkdtemp(dir) == NULL) {
		perror("bench_vfs: mkdtemp");
		return 1;
	}
	for (side = 0; side < SIDES; side++)
		for (p = 0; p < PHASES; p++)
			best[side].seconds[p] = best[side].cpu[p] = 1e300;
	for (round = 0; round < rounds; round++) {
		for (side = 0; side < SIDES; side++) {
			result r = run_child(dir, side);

			remove_files(dir);
			if (!r.ok) {
				fprintf(stderr, "bench_vfs: %s run failed\n",
					side_names[side]);
				rmdir(dir);
				return 1;
			}
			for (p = 0; p < PHASES; p++) {
				if (r.seconds[p] < best[side].seconds[p])
					best[side].seconds[p] = r.seconds[p];
				if (r.cpu[p] < best[side].cpu[p])
					best[side].cpu[p] = r.cpu[p];
			}
			if (r.maxrss_kib > maxrss[side])
				maxrss[side] = r.maxrss_kib;
		}
	}
	rmdir(dir);

	printf("bench_vfs: %d records, batches of %d, %d lookups, %d scans; "
	       "best of %d rounds\n", ROWS, BATCH, ROWS, SCANS, rounds);
	printf("%-8s %9s %9s %7s   %9s %9s %7s\n", "phase", "plain s", "hearth s",
	       "ratio", "plain cpu", "hearth cpu", "ratio");
	for (p = 0; p < PHASES; p++) {
		printf("%-8s %9.3f %9.3f %7.2f   %9.3f %9.3f %7.2f\n", phase_names[p],
		       best[0].seconds[p], best[1].seconds[p],
		       best[1].seconds[p] / best[0].seconds[p],
		       best[0].cpu[p], best[1].cpu[p], best[1].cpu[p] / best[0].cpu[p]);
		for (side = 0; side < SIDES; side++) {
			total[side] += best[side].seconds[p];
			cpu_total[side] += best[side].cpu[p];
		}
	}
	printf("%-8s %9.3f %9.3f %7.2f   %9.3f %9.3f %7.2f   (goal <= 1.15)\n",
	       "overall", total[0], total[1], total[1] / total[0],
	       cpu_total[0], cpu_total[1], cpu_total[1] / cpu_total[0]);
	printf("peak RSS: plain %.1f MiB, encrypted %.1f MiB   (goal <= 64 MiB)\n",
	       (double)maxrss[0] / 1024.0, (double)maxrss[1] / 1024.0);

	/* The wiping allocator: encrypted with wiping on, against off. */
	print_pair("wipe on free", "off", "on", best, SIDE_NOWIPE, SIDE_HEARTH);
	/* The page cipher: OpenSSL against libsodium alone, and libsodium
	 * alone against plain SQLite (the figure before OpenSSL). */
	print_pair("page cipher", "sodium", "openssl", best, SIDE_SODIUM, SIDE_HEARTH);
	print_pair("libsodium only", "plain", "sodium", best, SIDE_PLAIN, SIDE_SODIUM);
	return 0;
}
