/*
 * bench_space.c - removing a member of a 150-member space (issue 10: at
 * most 100 ms of CPU, one bundle), and computing a space's state, against
 * a baseline measured in the same run: writing as many field ops through
 * the store API in one transaction.
 *
 *   meson setup build-rel -Dbuildtype=release -Dbench=true -Dgui=false
 *   ninja -C build-rel tests/bench/bench_space && build-rel/tests/bench/bench_space
 *
 * The lead's store and the members' are plain SQLite in memory (the
 * vault's encryption costs the same for these ops as for any, see
 * bench_store).  Each member is a real store with its own identity that
 * joined through an invitation the lead approved.  HEARTH_BENCH_MEMBERS
 * sets the size (default 150), HEARTH_BENCH_REMOVALS how many removals
 * are timed (default 10; the median is printed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "hearth/crypto.h"
#include "hearth/devices.h"
#include "hearth/schema.h"
#include "hearth/space.h"
#include "hearth/spaces.h"

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void check(hearth_status st, const char *what)
{
	if (st != HEARTH_OK) {
		fprintf(stderr, "bench_space: %s: %s\n", what, hearth_strerror(st));
		exit(1);
	}
}

static hearth_store *open_store(sqlite3 **db)
{
	hearth_store *s;

	if (sqlite3_open(":memory:", db) != SQLITE_OK)
		exit(1);
	check(hearth_schema_migrate(*db, hearth_schema_latest()), "migrate");
	check(hearth_store_open(*db, NULL, &s), "open");
	check(hearth_devices_ensure(s, NULL), "identity");
	return s;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	const char *e = getenv("HEARTH_BENCH_MEMBERS"), *r = getenv("HEARTH_BENCH_REMOVALS");
	int members = e ? atoi(e) : 150, removals = r ? atoi(r) : 10, i;
	hearth_id space, *rec, base;
	hearth_space_state *st;
	sqlite3 *ldb, *mdb;
	hearth_store *lead, *m;
	double *remove_ms, *base_ms, t, compute_ms;
	size_t ops_before, ops_per_removal = 0;

	if (members < removals + 1 || removals < 1 || hearth_crypto_init() != HEARTH_OK)
		return 1;
	rec = calloc((size_t)members, sizeof *rec);
	remove_ms = calloc((size_t)removals, sizeof *remove_ms);
	base_ms = calloc((size_t)removals, sizeof *base_ms);
	if (rec == NULL || remove_ms == NULL || base_ms == NULL)
		return 1;
	lead = open_store(&ldb);
	check(hearth_space_create(lead, "bench", &space), "create");
	for (i = 0; i < members; i++) {
		char *code = NULL, *req = NULL;

		m = open_store(&mdb);
		check(hearth_space_invite(lead, &space, HEARTH_ROLE_COUNSELLOR, 0, &code), "invite");
		check(hearth_space_join(m, code, &req, NULL), "join");
		check(hearth_space_approve(lead, &space, req, &rec[i], NULL), "approve");
		free(code);
		free(req);
		hearth_store_close(m);
		sqlite3_close(mdb);
	}
	check(hearth_record_create(lead, NULL, "bench", &base), "baseline record");
	for (i = 0; i < removals; i++) {
		sqlite3_stmt *q;
		int k, n;

		sqlite3_prepare_v2(ldb, "SELECT count(*) FROM op", -1, &q, NULL);
		sqlite3_step(q);
		ops_before = (size_t)sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		t = cpu_ms();
		check(hearth_space_remove(lead, &space, &rec[i]), "remove");
		remove_ms[i] = cpu_ms() - t;
		sqlite3_step(q);
		n = sqlite3_column_int(q, 0) - (int)ops_before;
		sqlite3_finalize(q);
		ops_per_removal = (size_t)n;
		/* The baseline: as many field ops in one transaction. */
		t = cpu_ms();
		check(hearth_store_begin(lead), "begin");
		for (k = 0; k < n; k++) {
			char f[32];

			snprintf(f, sizeof f, "f%d", k);
			check(hearth_record_set(lead, &base, f,
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef"), "baseline write");
		}
		check(hearth_store_commit(lead), "commit");
		base_ms[i] = cpu_ms() - t;
	}
	t = cpu_ms();
	check(hearth_space_load(lead, &space, &st), "load");
	compute_ms = cpu_ms() - t;
	qsort(remove_ms, (size_t)removals, sizeof *remove_ms, dcmp);
	qsort(base_ms, (size_t)removals, sizeof *base_ms, dcmp);
	printf("space of %d members (%zu control ops held, %zu counted)\n", members + 1,
	       st->nops, st->ncounted);
	printf("removal: %.1f ms CPU (median of %d), %zu ops of one device in one space "
	       "and one plane: one envelope; goal <= 100 ms\n",
	       remove_ms[removals / 2], removals, ops_per_removal);
	printf("baseline, %zu field ops in one transaction: %.1f ms CPU; removal/baseline "
	       "%.2fx\n", ops_per_removal, base_ms[removals / 2],
	       remove_ms[removals / 2] / base_ms[removals / 2]);
	printf("state computed from the ops held: %.1f ms CPU\n", compute_ms);
	hearth_space_state_free(st);
	hearth_store_close(lead);
	sqlite3_close(ldb);
	free(rec);
	free(remove_ms);
	free(base_ms);
	return 0;
}
