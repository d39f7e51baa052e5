/*
 * bench_gui.c - how long hearth-gtk takes from unlocking a vault of 10,000
 * people and 100,000 records to the first frame of Today, and how much
 * memory the app holds then.
 *
 * The parent process makes two vaults with cheap Argon2id parameters in a
 * temporary directory: an empty one (the baseline) and one filled by
 * hearth_demo_fill with the heavy mix.  It then runs itself once per
 * vault and per run (`bench_gui --measure DIR`), so that each measurement
 * starts in a fresh process whose memory holds nothing of the generation.
 * Each child:
 *
 *   1. opens a 1280x800 window on its unlock page and waits until it has
 *      been drawn (as a window waits for its passphrase);
 *   2. opens the vault (hearth_vault_open: the Argon2id step at its
 *      minimum cost, then the database) -- "open";
 *   3. hands the vault to the window and runs the main loop until the
 *      frame clock's "after-paint" of the first frame in which the
 *      populated Today page is mapped -- "show";
 *   4. reads VmRSS and VmHWM from /proc/self/status, lets the main loop
 *      settle for a second and reads them again;
 *   5. switches to People (the 10,000-row list) and times its first
 *      frame too.
 *
 * The parent prints each figure, the goals (open + show under 500 ms,
 * resident memory under 150 MiB) and the ratio of each figure to the
 * empty vault's in the same run.  It also times a raw read of every
 * person record through hearth_store_each as a second yardstick.
 *
 *   meson setup build-rel -Dbuildtype=release && ninja -C build-rel
 *   GSK_RENDERER=cairo GDK_DEBUG=gl-disable xvfb-run -a \
 *     -s '-screen 0 1400x1000x24' build-rel/gui-gtk/bench_gui [people] [runs]
 *
 * (also `meson test -C build-rel --benchmark bench_gui --verbose`, which
 * sets that environment).  Xvfb has no GPU: without those two variables
 * GTK renders with OpenGL on llvmpipe, whose libLLVM alone adds about
 * 45 MiB of resident memory to every GTK process, empty vault or not.
 * HEARTH_BENCH_KEEP=1 keeps the vaults and prints where they are;
 * HEARTH_BENCH_REUSE=DIR measures such kept vaults again.  The data is
 * dated relative to $HEARTH_TODAY (default 2026-10-15) so every run makes
 * the same vault.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hearth/demo.h"
#include "hearth-resources.h"
#include "hearth-today-page.h"
#include "hearth-people-page.h"
#include "hearth-window.h"
#include "../gui/gui_testutil.h"

#define PASSPHRASE "bench"
#define DEFAULT_TODAY "2026-10-15"
#define GOAL_MS 500.0
#define GOAL_MIB 150.0

static double
now_ms(void)
{
	return (double)g_get_monotonic_time() / 1000.0;
}

/* VmRSS and VmHWM of this process, in KiB (0 if unreadable). */
static long
status_kib(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtol(p + strlen(key), NULL, 10) : 0;
}

static void
read_memory(long *rss_kib, long *hwm_kib)
{
	g_autofree char *text = NULL;

	*rss_kib = *hwm_kib = 0;
	if (!g_file_get_contents("/proc/self/status", &text, NULL, NULL))
		return;
	*rss_kib = status_kib(text, "VmRSS:");
	*hwm_kib = status_kib(text, "VmHWM:");
}

/* RssAnon: the process's own heap and stacks, without mapped files
 * (shared libraries, fonts) that other processes share. */
static long
read_anon(void)
{
	g_autofree char *text = NULL;

	if (!g_file_get_contents("/proc/self/status", &text, NULL, NULL))
		return 0;
	return status_kib(text, "RssAnon:");
}

/* ---- the child: one measurement ------------------------------------------ */

typedef struct {
	GType watch;        /* the page whose first drawn frame ends the span */
	GtkWidget *root;    /* where to look for it */
	double drawn;       /* when that frame was painted, 0 until then */
	guint frames;       /* frames painted since the span started */
} FrameWatch;

static void
on_after_paint(GdkFrameClock *clock, gpointer data)
{
	FrameWatch *fw = data;
	GtkWidget *page;

	if (fw->root == NULL || fw->drawn > 0)
		return;
	fw->frames++;
	page = find_type(fw->root, fw->watch);
	if (page != NULL && gtk_widget_get_mapped(page) &&
	    gtk_widget_get_width(page) > 0)
		fw->drawn = now_ms();
}

/* Runs the main loop until the watched page has been painted. */
static gboolean
wait_drawn(FrameWatch *fw)
{
	gint64 end = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;

	while (fw->drawn == 0) {
		if (g_get_monotonic_time() > end)
			return FALSE;
		g_main_context_iteration(NULL, TRUE);
	}
	return TRUE;
}

static int
measure(const char *dir)
{
	FrameWatch fw = { 0 };
	HearthWindow *win;
	GdkFrameClock *clock;
	hearth_vault *v = NULL;
	hearth_status st;
	double t0, t1, t2, t3, tb;
	long rssb, hwmb, rss0, hwm0, rss1, hwm1, rss2, hwm2, anon;

	win = hearth_window_new(NULL, dir);
	gtk_window_set_default_size(GTK_WINDOW(win), 1280, 800);
	gtk_window_present(GTK_WINDOW(win));
	/* The unlock page, drawn and idle. */
	while (!gtk_widget_get_mapped(GTK_WIDGET(win)))
		g_main_context_iteration(NULL, TRUE);
	spin(500);
	read_memory(&rssb, &hwmb);
	clock = gtk_widget_get_frame_clock(GTK_WIDGET(win));
	g_signal_connect(clock, "after-paint", G_CALLBACK(on_after_paint), &fw);

	t0 = now_ms();
	st = hearth_vault_open(dir, PASSPHRASE, strlen(PASSPHRASE), NULL, &v);
	if (st != HEARTH_OK) {
		g_printerr("bench_gui: cannot open %s: %s\n", dir, hearth_errdetail());
		return 1;
	}
	t1 = now_ms();
	fw.watch = HEARTH_TYPE_TODAY_PAGE;
	fw.root = GTK_WIDGET(win);
	hearth_window_take_vault(win, v, HEARTH_MODE_COUNSELLOR);
	tb = now_ms();
	if (!wait_drawn(&fw)) {
		g_printerr("bench_gui: Today was never drawn\n");
		return 1;
	}
	t2 = fw.drawn;
	read_memory(&rss0, &hwm0);
	spin(1000);
	read_memory(&rss1, &hwm1);
	anon = read_anon();

	/* People: the whole list model behind a GtkListView. */
	fw.watch = HEARTH_TYPE_PEOPLE_PAGE;
	fw.drawn = 0;
	fw.frames = 0;
	t3 = now_ms();
	if (!hearth_window_show_view(win, "people") || !wait_drawn(&fw)) {
		g_printerr("bench_gui: People was never drawn\n");
		return 1;
	}
	spin(500);
	read_memory(&rss2, &hwm2);
	printf("RESULT locked_rss_kib=%ld open_ms=%.1f build_ms=%.1f show_ms=%.1f rss_kib=%ld hwm_kib=%ld "
	       "rss_settled_kib=%ld hwm_settled_kib=%ld anon_kib=%ld people_ms=%.1f "
	       "people_rss_kib=%ld people_hwm_kib=%ld renderer=%s\n",
	       rssb, t1 - t0, tb - t1, t2 - t1, rss0, hwm0, rss1, hwm1, anon, fw.drawn - t3,
	       rss2, hwm2,
	       G_OBJECT_TYPE_NAME(gtk_native_get_renderer(GTK_NATIVE(win))));
	fflush(stdout);
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	return 0;
}

/* ---- the parent: vaults, runs, figures ----------------------------------- */

typedef struct {
	double open_ms, build_ms, show_ms, people_ms;
	long anon, locked_rss, rss, hwm, rss_settled, hwm_settled, people_rss, people_hwm;
	char renderer[64];
} Result;

static double
field_d(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? g_ascii_strtod(p + strlen(key), NULL) : -1;
}

static gboolean
run_child(const char *self_exe, const char *dir, Result *r)
{
	const char *argv[] = { self_exe, "--measure", dir, NULL };
	g_autofree char *out = NULL, *err = NULL;
	g_autoptr(GError) error = NULL;
	const char *line, *rend;
	int status = 0;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
			  &out, &err, &status, &error)) {
		g_printerr("bench_gui: cannot run the measurement: %s\n", error->message);
		return FALSE;
	}
	line = out ? strstr(out, "RESULT ") : NULL;
	if (!g_spawn_check_wait_status(status, NULL) || line == NULL) {
		g_printerr("bench_gui: the measurement failed:\n%s%s", out ? out : "",
			   err ? err : "");
		return FALSE;
	}
	r->open_ms = field_d(line, "open_ms=");
	r->show_ms = field_d(line, "show_ms=");
	r->build_ms = field_d(line, "build_ms=");
	r->people_ms = field_d(line, "people_ms=");
	r->anon = (long)field_d(line, "anon_kib=");
	r->locked_rss = (long)field_d(line, "locked_rss_kib=");
	r->rss = (long)field_d(line, " rss_kib=");
	r->hwm = (long)field_d(line, "hwm_kib=");
	r->rss_settled = (long)field_d(line, "rss_settled_kib=");
	r->hwm_settled = (long)field_d(line, "hwm_settled_kib=");
	r->people_rss = (long)field_d(line, "people_rss_kib=");
	r->people_hwm = (long)field_d(line, "people_hwm_kib=");
	rend = strstr(line, "renderer=");
	g_strlcpy(r->renderer, rend ? rend + 9 : "?", sizeof r->renderer);
	g_strchomp(r->renderer);
	return TRUE;
}

static int
count_cb(const hearth_record *rec, void *ctx)
{
	size_t *n = ctx;

	(*n)++;
	return 0;
}

static int
kinds_cb(const hearth_record *rec, void *ctx)
{
	GHashTable *kinds = ctx;
	gpointer n = g_hash_table_lookup(kinds, rec->kind);

	g_hash_table_insert(kinds, g_strdup(rec->kind),
			    GSIZE_TO_POINTER(GPOINTER_TO_SIZE(n) + 1));
	return 0;
}

static int
count_fields_cb(const hearth_record *rec, void *ctx)
{
	size_t *n = ctx;

	*n += rec->nfields;
	return 0;
}

static gboolean
make_vault(const char *dir, int people)
{
	hearth_kdf_params low = hearth_kdf_params_low();
	hearth_vault_options opt = { .kdf = &low };
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_demo_options dopt;
	hearth_vault *v = NULL;
	hearth_status st;

	st = hearth_vault_create(dir, PASSPHRASE, strlen(PASSPHRASE), &opt, code, &v);
	if (st == HEARTH_OK && people > 0) {
		hearth_demo_options_init(&dopt);
		dopt.today = g_getenv("HEARTH_TODAY");
		dopt.n_people = people;
		dopt.heavy = 1;
		st = hearth_demo_fill(hearth_vault_store(v), &dopt);
	}
	hearth_vault_close(v);
	if (st != HEARTH_OK)
		g_printerr("bench_gui: cannot make %s: %s\n", dir, hearth_errdetail());
	return st == HEARTH_OK;
}

/* Counts the records, and times a raw read of every person record. */
static gboolean
describe_vault(const char *dir, size_t *records, size_t *persons,
	       double *read_ms)
{
	g_autoptr(GHashTable) kinds = g_hash_table_new_full(g_str_hash, g_str_equal,
							    g_free, NULL);
	g_autoptr(GString) text = g_string_new(NULL);
	GHashTableIter it;
	gpointer k, n;
	hearth_vault *v = NULL;
	size_t fields = 0;
	double t;

	if (hearth_vault_open(dir, PASSPHRASE, strlen(PASSPHRASE), NULL, &v) != HEARTH_OK)
		return FALSE;
	*records = *persons = 0;
	if (hearth_store_each(hearth_vault_store(v), NULL, 0, kinds_cb, kinds) != HEARTH_OK)
		goto fail;
	g_hash_table_iter_init(&it, kinds);
	while (g_hash_table_iter_next(&it, &k, &n)) {
		*records += GPOINTER_TO_SIZE(n);
		g_string_append_printf(text, " %s %zu", (char *)k, GPOINTER_TO_SIZE(n));
	}
	if (*records > 0)
		printf("%s:%s\n", dir, text->str);
	t = now_ms();
	if (hearth_store_each(hearth_vault_store(v), "person", 0, count_cb, persons) != HEARTH_OK ||
	    hearth_store_each(hearth_vault_store(v), "person", 0, count_fields_cb, &fields) != HEARTH_OK)
		goto fail;
	*read_ms = (now_ms() - t) / 2;
	hearth_vault_close(v);
	return TRUE;
fail:
	hearth_vault_close(v);
	return FALSE;
}

static gint
cmp_double(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
mib(long kib)
{
	return (double)kib / 1024.0;
}

static int
bench(int people, int runs)
{
	const char *reuse = g_getenv("HEARTH_BENCH_REUSE");
	g_autofree char *self_exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *root = NULL, *empty = NULL, *full = NULL;
	size_t records = 0, persons = 0, r0 = 0, p0 = 0;
	double read_ms = 0, read0 = 0, t;
	g_autoptr(GArray) times = g_array_new(FALSE, FALSE, sizeof(double));
	g_autoptr(GArray) mems = g_array_new(FALSE, FALSE, sizeof(double));
	guint met = 0;

	if (reuse != NULL && *reuse) {
		root = g_strdup(reuse);
	} else {
		root = g_dir_make_tmp("hearth-bench-gui-XXXXXX", NULL);
		if (root == NULL)
			return 1;
	}
	empty = g_build_filename(root, "empty", NULL);
	full = g_build_filename(root, "full", NULL);
	if (reuse == NULL || !*reuse) {
		t = now_ms();
		if (!make_vault(empty, 0) || !make_vault(full, people))
			return 1;
		printf("made the vaults in %.1f s\n", (now_ms() - t) / 1000.0);
	}
	if (!describe_vault(empty, &r0, &p0, &read0) ||
	    !describe_vault(full, &records, &persons, &read_ms)) {
		g_printerr("bench_gui: cannot read the vaults: %s\n", hearth_errdetail());
		return 1;
	}
	printf("vault: %zu people, %zu records (today %s)\n", persons, records,
	       g_getenv("HEARTH_TODAY"));
	printf("raw read of every person record (hearth_store_each): %.1f ms\n",
	       read_ms);

	for (int run = 1; run <= runs; run++) {
		Result e, f;
		double te, tf;

		if (!run_child(self_exe, empty, &e) || !run_child(self_exe, full, &f))
			return 1;
		te = e.open_ms + e.show_ms;
		tf = f.open_ms + f.show_ms;
		printf("run %d (renderer %s)\n", run, f.renderer);
		printf("  unlock -> Today drawn: %7.1f ms (open %.1f + show %.1f, of which "
		       "building the views %.1f)   empty vault %.1f ms   ratio %.2f   goal < %.0f ms: %s\n",
		       tf, f.open_ms, f.show_ms, f.build_ms, te, te > 0 ? tf / te : 0,
		       GOAL_MS, tf < GOAL_MS ? "met" : "MISSED");
		printf("  resident at Today:     %7.1f MiB (peak %.1f; after 1 s %.1f, peak %.1f)   "
		       "empty vault %.1f MiB   ratio %.2f   goal < %.0f MiB: %s\n",
		       mib(f.rss), mib(f.hwm), mib(f.rss_settled), mib(f.hwm_settled),
		       mib(e.rss_settled), e.rss_settled > 0 ? (double)f.rss_settled / (double)e.rss_settled : 0,
		       GOAL_MIB, mib(f.hwm_settled) < GOAL_MIB ? "met" : "MISSED");
		printf("  resident while locked: %7.1f MiB (the unlock page, before the vault opens)   "
		       "private (RssAnon) at Today: %.1f MiB, empty vault %.1f MiB\n",
		       mib(f.locked_rss), mib(f.anon), mib(e.anon));
		printf("  People drawn:          %7.1f ms   empty vault %.1f ms   "
		       "resident then %.1f MiB (peak %.1f)   raw person read %.1f ms   "
		       "ratio to raw read %.2f\n",
		       f.people_ms, e.people_ms, mib(f.people_rss), mib(f.people_hwm),
		       read_ms, read_ms > 0 ? f.people_ms / read_ms : 0);
		if (tf < GOAL_MS && mib(f.hwm_settled) < GOAL_MIB)
			met++;
		{
			double m = mib(f.hwm_settled);

			g_array_append_val(times, tf);
			g_array_append_val(mems, m);
		}
	}
	g_array_sort(times, cmp_double);
	g_array_sort(mems, cmp_double);
	printf("median of %d runs: unlock -> Today drawn %.1f ms, peak resident %.1f MiB; "
	       "both goals met in %u of %d runs\n", runs,
	       g_array_index(times, double, times->len / 2),
	       g_array_index(mems, double, mems->len / 2), met, runs);
	if (g_getenv("HEARTH_BENCH_KEEP") != NULL || (reuse != NULL && *reuse))
		printf("vaults kept in %s (HEARTH_BENCH_REUSE=%s)\n", root, root);
	else
		remove_tree(root);
	/* A missed goal is reported, not fatal: the machine may be shared. */
	return 0;
}

int
main(int argc, char **argv)
{
	int people = 10000, runs = 3;

	if (g_getenv("HEARTH_TODAY") == NULL)
		g_setenv("HEARTH_TODAY", DEFAULT_TODAY, TRUE);
	if (argc >= 3 && strcmp(argv[1], "--measure") == 0) {
		g_setenv("HEARTH_GUI_NO_FOCUS_LOCK", "1", TRUE);
		setlocale(LC_ALL, "");
		gtk_init();
		adw_init();
		(void)hearth_get_resource();
		return measure(argv[2]);
	}
	if (argc >= 2)
		people = atoi(argv[1]);
	if (argc >= 3)
		runs = atoi(argv[2]);
	if (people < 0 || runs < 1) {
		g_printerr("usage: bench_gui [people] [runs]\n");
		return 2;
	}
	return bench(people, runs);
}
