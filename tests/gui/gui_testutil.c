/*
 * tests/gui/gui_testutil.c - the helpers the GUI tests and the GUI
 * benchmark share (see gui_testutil.h).
 */
#include "gui_testutil.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "hearth/demo.h"

/* ---- finding ------------------------------------------------------------- */

GtkWidget *
first_under(GtkWidget *root, gboolean (*match)(GtkWidget *w, gconstpointer what),
	    gconstpointer what)
{
	GtkWidget *c, *hit;

	if (match(root, what))
		return root;
	for (c = gtk_widget_get_first_child(root); c; c = gtk_widget_get_next_sibling(c))
		if ((hit = first_under(c, match, what)) != NULL)
			return hit;
	return NULL;
}

static gboolean
is_named(GtkWidget *w, gconstpointer name)
{
	return g_strcmp0(gtk_widget_get_name(w), name) == 0;
}

static gboolean
is_of_type(GtkWidget *w, gconstpointer t)
{
	return G_TYPE_CHECK_INSTANCE_TYPE(w, GPOINTER_TO_SIZE(t));
}

static gboolean
is_labelled(GtkWidget *w, gconstpointer label)
{
	return GTK_IS_BUTTON(w) && g_strcmp0(gtk_button_get_label(GTK_BUTTON(w)), label) == 0;
}

static gboolean
is_showing(GtkWidget *w, gconstpointer text)
{
	if (GTK_IS_LABEL(w))
		return g_strcmp0(gtk_label_get_text(GTK_LABEL(w)), text) == 0;
	return ADW_IS_PREFERENCES_ROW(w) &&
	       g_strcmp0(adw_preferences_row_get_title(ADW_PREFERENCES_ROW(w)), text) == 0;
}

GtkWidget *
find_in(GtkWidget *root, const char *name)
{
	return first_under(root, is_named, name);
}

GtkWidget *
find_type(GtkWidget *root, GType t)
{
	return first_under(root, is_of_type, GSIZE_TO_POINTER(t));
}

GtkWidget *
find_button(GtkWidget *root, const char *label)
{
	return first_under(root, is_labelled, label);
}

gboolean
shows_text(GtkWidget *root, const char *text)
{
	return first_under(root, is_showing, text) != NULL;
}

/* The first widget match accepts in any visible toplevel window. */
static GtkWidget *
find_shown(gboolean (*match)(GtkWidget *w, gconstpointer what), gconstpointer what)
{
	GListModel *tops = gtk_window_get_toplevels();

	for (guint i = 0; i < g_list_model_get_n_items(tops); i++) {
		g_autoptr(GtkWidget) w = g_list_model_get_item(tops, i);
		GtkWidget *hit;

		if (!gtk_widget_get_visible(w))
			continue;
		hit = first_under(w, match, what);
		if (hit != NULL)
			return hit;
	}
	return NULL;
}

GtkWidget *
find(const char *name)
{
	return find_shown(is_named, name);
}

/* ---- waiting ------------------------------------------------------------- */

static gboolean
woken(gpointer data)
{
	*(guint *)data = 0;
	return G_SOURCE_REMOVE;
}

/* The GUI tests run two at a time on two cores, each with its own Xvfb:
 * a waiting test that polled the main loop would take the CPU the other
 * test and both X servers need.  Nothing a wait looks at changes outside
 * a dispatch, so sleeping until the next event loses nothing; the timer
 * bounds the sleep so that the callers' deadlines are still checked. */
void
turn(void)
{
	guint id;

	if (g_main_context_iteration(NULL, FALSE))
		return;
	id = g_timeout_add(5, woken, &id);
	g_main_context_iteration(NULL, TRUE);
	if (id != 0)
		g_source_remove(id);
}

void
spin(guint ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end)
		turn();
}

/* A pushed page is mapped as its leaflet starts moving it, not yet
 * allocated, and then off the right edge of the window for the first
 * frames: no user can click it there.  A popover opened on it then follows
 * it off the 1400 px Xvfb screen, where GTK 4.8's X11 popup layout finds
 * no monitor and passes NULL to gdk_monitor_get_geometry (a critical,
 * fatal under g_test). */
gboolean
sliding(GtkWidget *w)
{
	for (; w != NULL; w = gtk_widget_get_parent(w))
		if (ADW_IS_LEAFLET(w) &&
		    adw_leaflet_get_child_transition_running(ADW_LEAFLET(w)))
			return TRUE;
	return FALSE;
}

/* Runs the main loop until what match accepts exists, is mapped, has
 * stopped moving and has been given its place (under load the slide's
 * clock can end before the first frame lays the page out), as a user
 * would wait before touching it. */
static GtkWidget *
wait_shown(gboolean (*match)(GtkWidget *w, gconstpointer what), const char *what)
{
	gint64 end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
	GtkWidget *w;

	while ((w = find_shown(match, what)) == NULL || !gtk_widget_get_mapped(w) ||
	       sliding(w) ||
	       (gtk_widget_get_width(w) == 0 && gtk_widget_get_height(w) == 0)) {
		if (g_get_monotonic_time() > end) {
			g_printerr("timed out waiting for '%s'\n", what);
			g_assert_not_reached();
		}
		turn();
	}
	return w;
}

GtkWidget *
wait_for(const char *name)
{
	return wait_shown(is_named, name);
}

GtkWidget *
wait_for_button(const char *label)
{
	return wait_shown(is_labelled, label);
}

void
wait_gone(const char *name)
{
	gint64 end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

	while (find(name) != NULL) {
		if (g_get_monotonic_time() > end) {
			g_printerr("timed out waiting for '%s' to go\n", name);
			g_assert_not_reached();
		}
		turn();
	}
}

void
settle(HearthWindow *win)
{
	gint64 end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
	GtkWidget *leaflet = find_type(GTK_WIDGET(win), ADW_TYPE_LEAFLET);

	spin(250);
	while (leaflet != NULL && adw_leaflet_get_child_transition_running(ADW_LEAFLET(leaflet)) &&
	       g_get_monotonic_time() < end)
		turn();
	spin(100);
}

/* ---- acting -------------------------------------------------------------- */

void
click(const char *name)
{
	GtkWidget *w = wait_for(name);

	g_assert_true(gtk_widget_is_sensitive(w));
	g_signal_emit_by_name(w, "clicked");
	spin(50);
}

void
type(const char *name, const char *text)
{
	gtk_editable_set_text(GTK_EDITABLE(wait_for(name)), text);
	spin(20);
}

void
close_others(HearthWindow *win)
{
	GListModel *tops = gtk_window_get_toplevels();
	gboolean again = TRUE;

	/* Destroying a window changes the list: start again after each. */
	while (again) {
		again = FALSE;
		for (guint i = 0; i < g_list_model_get_n_items(tops); i++) {
			g_autoptr(GtkWidget) w = g_list_model_get_item(tops, i);

			if (w != GTK_WIDGET(win) && gtk_widget_get_visible(w)) {
				gtk_window_destroy(GTK_WINDOW(w));
				again = TRUE;
				break;
			}
		}
	}
	spin(100);
}

void
remove_tree(const char *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *n;

	while (dir && (n = g_dir_read_name(dir)) != NULL) {
		g_autofree char *p = g_build_filename(path, n, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			remove_tree(p);
		else
			g_unlink(p);
	}
	g_rmdir(path);
}

/* ---- vaults and windows -------------------------------------------------- */

hearth_vault *
new_vault(const char *dir)
{
	hearth_kdf_params low = hearth_kdf_params_low();
	hearth_vault_options opt = { .kdf = &low };
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_vault *v = NULL;

	g_assert_cmpint(hearth_vault_create(dir, GUI_TEST_PASSPHRASE,
					    strlen(GUI_TEST_PASSPHRASE), &opt, code, &v),
			==, HEARTH_OK);
	return v;
}

HearthWindow *
show_vault(const char *dir, hearth_vault *v, HearthMode mode, int w, int h)
{
	HearthWindow *win = hearth_window_new(NULL, dir);

	gtk_window_set_default_size(GTK_WINDOW(win), w, h);
	gtk_window_present(GTK_WINDOW(win));
	spin(200);
	hearth_window_take_vault(win, v, mode);
	settle(win);
	return win;
}

HearthWindow *
create_vault(const char *dir, const char *mode_button)
{
	HearthWindow *win = hearth_window_new(NULL, dir);
	const char *code;

	gtk_window_set_default_size(GTK_WINDOW(win), 1000, 760);
	gtk_window_present(GTK_WINDOW(win));
	type("pass1", "lantern river copper 42");
	g_assert_false(gtk_widget_is_sensitive(find("create-vault")));
	type("pass2", "lantern river copper 42");
	click("create-vault");
	/* Argon2id runs in a thread; the recovery code page follows. */
	wait_for("code-written");
	code = gtk_label_get_text(GTK_LABEL(find("recovery-code")));
	g_assert_cmpuint(strlen(code), ==, HEARTH_RECOVERY_CODE_LEN);
	g_assert_false(gtk_widget_is_sensitive(find("code-continue")));
	gtk_check_button_set_active(GTK_CHECK_BUTTON(find("code-written")), TRUE);
	click("code-continue");
	gtk_check_button_set_active(GTK_CHECK_BUTTON(wait_for(mode_button)), TRUE);
	click("mode-start");
	g_assert_nonnull(hearth_window_get_session(win));
	return win;
}

HearthWindow *
open_demo(const char *dir, gboolean journal, int w, int h)
{
	hearth_vault *v = NULL;

	if (!hearth_vault_exists(dir)) {
		char today[HEARTH_DATE_LEN + 1];
		hearth_demo_options dopt;

		v = new_vault(dir);
		hearth_gui_today(today);
		hearth_demo_options_init(&dopt);
		dopt.today = today;
		dopt.n_people = 12;
		dopt.journal = journal;
		g_assert_cmpint(hearth_demo_fill(hearth_vault_store(v), &dopt), ==, HEARTH_OK);
	} else {
		g_assert_cmpint(hearth_vault_open(dir, GUI_TEST_PASSPHRASE,
						  strlen(GUI_TEST_PASSPHRASE), NULL, &v),
				==, HEARTH_OK);
	}
	return show_vault(dir, v, journal ? HEARTH_MODE_JOURNAL : HEARTH_MODE_COUNSELLOR,
			  w, h);
}

void
set_language(const char *lang)
{
	g_setenv("LANGUAGE", lang, TRUE);
	setlocale(LC_ALL, "");
	textdomain(GETTEXT_PACKAGE);
}
