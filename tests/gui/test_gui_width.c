/*
 * tests/gui/test_gui_width.c - hearth-gtk fits a phone, and draws every
 * icon it names (suite 'gui', under Xvfb).
 *
 *   /gui/width   every page of both modes (counsellor and journal, the
 *                demo vault), in English and in Simplified Chinese: the
 *                setup and unlock pages, each view, the header and the
 *                bottom switcher, the pushed pages (person, follow-ups, sync,
 *                notes, hotline log, screening question, review and
 *                result with the crisis card) and the windows over them
 *                (help lines, preferences, appointment and person
 *                editors).
 *                The horizontal minimum GTK measures for each must be at
 *                most 360 px (GNOME's phone width); every offender is
 *                printed with its page, mode, language and width.  The
 *                window as a whole is measured too: it cannot be made
 *                narrower than that, whatever size is asked for.
 *   /gui/icons   every icon name shown on those pages (images, buttons,
 *                view switcher, status pages, the app icon) resolves in
 *                the icon theme (Adwaita 43, hicolor, or the app's
 *                resource), so none is drawn as "image missing".
 *
 * The widths are measured, not looked at: gtk_widget_measure() of a
 * widget, horizontal, minimum, is what its window cannot go below.
 */
#include <locale.h>
#include <string.h>

#include "hearth-app.h"
#include "hearth-appointment-editor.h"
#include "hearth-help-page.h"
#include "hearth-people-page.h"
#include "hearth-person-editor.h"
#include "hearth-preferences.h"
#include "hearth-resources.h"
#include "hearth-screening-page.h"
#include "hearth-setup-page.h"
#include "hearth-unlock-page.h"
#include "hearth-window.h"
#include "gui_testutil.h"

/* GNOME's HIG: phone apps scale down to 360x294. */
#define PHONE_WIDTH 360

typedef struct {
	const char *mode;        /* "counsellor", "journal" */
	const char *lang;        /* "en", "zh_CN" */
	GPtrArray *too_wide;     /* offenders, as text */
	GHashTable *icons;       /* icon name -> where first seen */
	guint n_measured;
} Walk;

/* Records the icon names shown under w (mapped or not: a page's widgets
 * are all there once built). */
static void
collect_icons(Walk *k, GtkWidget *w, const char *page)
{
	const char *icon = NULL;
	GtkWidget *c;

	if (GTK_IS_IMAGE(w) && gtk_image_get_storage_type(GTK_IMAGE(w)) == GTK_IMAGE_ICON_NAME)
		icon = gtk_image_get_icon_name(GTK_IMAGE(w));
	else if (GTK_IS_BUTTON(w))
		icon = gtk_button_get_icon_name(GTK_BUTTON(w));
	else if (GTK_IS_MENU_BUTTON(w))
		icon = gtk_menu_button_get_icon_name(GTK_MENU_BUTTON(w));
	else if (ADW_IS_STATUS_PAGE(w))
		icon = adw_status_page_get_icon_name(ADW_STATUS_PAGE(w));
	else if (ADW_IS_BUTTON_CONTENT(w))
		icon = adw_button_content_get_icon_name(ADW_BUTTON_CONTENT(w));
	if (icon != NULL && *icon && !g_hash_table_contains(k->icons, icon))
		g_hash_table_insert(k->icons, g_strdup(icon),
				    g_strdup_printf("%s %s %s", k->mode, k->lang, page));
	/* The icons of a view stack's pages (the switcher's buttons draw
	 * them, but only the shown switcher is built). */
	if (ADW_IS_VIEW_STACK(w)) {
		g_autoptr(GtkSelectionModel) pages = adw_view_stack_get_pages(ADW_VIEW_STACK(w));

		for (guint i = 0; i < g_list_model_get_n_items(G_LIST_MODEL(pages)); i++) {
			g_autoptr(AdwViewStackPage) p = g_list_model_get_item(G_LIST_MODEL(pages), i);
			const char *pi = adw_view_stack_page_get_icon_name(p);

			if (pi != NULL && !g_hash_table_contains(k->icons, pi))
				g_hash_table_insert(k->icons, g_strdup(pi),
					g_strdup_printf("%s %s %s (view %s)", k->mode, k->lang,
							page, adw_view_stack_page_get_name(p)));
		}
	}
	for (c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c))
		collect_icons(k, c, page);
}

static int
min_width(GtkWidget *w)
{
	int min = 0;

	gtk_widget_measure(w, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
	return min;
}

/* Where a width comes from: from w down through the widest child at each
 * level ("AdwHeaderBar 613 > GtkCenterBox 613 > GtkButton#journal-help
 * 190 > ..."), so a failure names the widget to change. */
static char *
widest_path(GtkWidget *w)
{
	GString *s = g_string_new(NULL);

	for (int depth = 0; w != NULL && depth < 16; depth++) {
		GtkWidget *c, *widest = NULL;
		int most = -1;

		g_string_append_printf(s, "%s%s", depth ? " > " : "", G_OBJECT_TYPE_NAME(w));
		if (*gtk_widget_get_name(w) && strcmp(gtk_widget_get_name(w),
						      G_OBJECT_TYPE_NAME(w)) != 0)
			g_string_append_printf(s, "#%s", gtk_widget_get_name(w));
		if (GTK_IS_LABEL(w))
			g_string_append_printf(s, "'%s'", gtk_label_get_text(GTK_LABEL(w)));
		g_string_append_printf(s, " %d", min_width(w));
		for (c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c)) {
			int m;

			if (!gtk_widget_get_visible(c))
				continue;
			if ((m = min_width(c)) > most) {
				most = m;
				widest = c;
			}
		}
		w = widest;
	}
	return g_string_free(s, FALSE);
}

/* Measures w's minimum width; an offender when above PHONE_WIDTH. */
static void
measure(Walk *k, GtkWidget *w, const char *page)
{
	int min = 0, nat = 0;

	g_assert_nonnull(w);
	gtk_widget_measure(w, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
	k->n_measured++;
	if (g_test_verbose())
		g_printerr("width: %-10s %-5s %-28s %4d px (natural %d)\n",
			   k->mode, k->lang, page, min, nat);
	if (min > PHONE_WIDTH) {
		g_autofree char *path = widest_path(w);

		g_ptr_array_add(k->too_wide, g_strdup_printf(
			"%s mode, %s, %s (%s): needs %d px, more than %d\n    widest: %s",
			k->mode, k->lang, page, G_OBJECT_TYPE_NAME(w), min, PHONE_WIDTH,
			path));
	}
	collect_icons(k, w, page);
}

/* The content of the window (what its minimum size comes from). */
static GtkWidget *
content_of(GtkWidget *win)
{
	if (ADW_IS_APPLICATION_WINDOW(win))
		return adw_application_window_get_content(ADW_APPLICATION_WINDOW(win));
	if (ADW_IS_WINDOW(win))
		return adw_window_get_content(ADW_WINDOW(win));
	return gtk_window_get_child(GTK_WINDOW(win));
}

/* The page on top: a view of the root's view stack, or a pushed page. */
static void
measure_top(Walk *k, HearthWindow *win, const char *page)
{
	GtkWidget *top = hearth_window_get_top(win);
	g_autofree char *whole = g_strdup_printf("%s, whole window", page);

	if (top == hearth_window_get_root_view(win)) {
		GtkWidget *stack = find_type(top, ADW_TYPE_VIEW_STACK);

		measure(k, adw_view_stack_get_visible_child(ADW_VIEW_STACK(stack)), page);
	} else {
		measure(k, top, page);
	}
	measure(k, content_of(GTK_WIDGET(win)), whole);
}

/* The chrome of the root view: its header bar and bottom switcher. */
static void
measure_chrome(Walk *k, HearthWindow *win)
{
	GtkWidget *root = hearth_window_get_root_view(win);

	measure(k, find_type(root, ADW_TYPE_HEADER_BAR), "header bar");
	measure(k, find_type(root, ADW_TYPE_VIEW_SWITCHER_BAR), "bottom view switcher");
}

/* The screening wizard of the page on top: its first question, then (all
 * answered with answer, item 9 with item9) the review and the result. */
static void
walk_screening(Walk *k, HearthWindow *win, gboolean journal)
{
	HearthScreeningPage *page;

	wait_for("screening-next");
	page = HEARTH_SCREENING_PAGE(hearth_window_get_top(win));
	settle(win);
	measure_top(k, win, "screening question");
	for (guint i = 0; i < 9; i++) {
		g_assert_true(hearth_screening_page_answer(page, journal && i == 8 ? 1 : 0));
		hearth_screening_page_next(page);
		spin(20);
	}
	if (!journal) {
		/* The difficulty question, unanswered. */
		settle(win);
		measure_top(k, win, "screening difficulty");
		hearth_screening_page_next(page);
	}
	settle(win);
	measure_top(k, win, "screening review");
	hearth_screening_page_next(page);
	/* A journal's item 9 > 0 leads with the crisis card and help lines;
	 * a counsellor's result of all zeros needs no crisis dialog. */
	wait_for(journal ? "crisis-card" : "result-score");
	settle(win);
	measure_top(k, win, journal ? "result with crisis card" : "screening result");
}

static void
walk_counsellor(Walk *k, HearthWindow *win)
{
	static const char *const views[] = {
		"today", "people", "appointments", "activities", "reports",
	};
	static const char *const pushed[] = {
		"person", "followups", "notes", "activity-log", "sync", "team",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(views); i++) {
		g_assert_true(hearth_window_show_view(win, views[i]));
		settle(win);
		measure_top(k, win, views[i]);
	}
	measure_chrome(k, win);
	for (size_t i = 0; i < G_N_ELEMENTS(pushed); i++) {
		g_assert_true(hearth_window_show_view(win, pushed[i]));
		settle(win);
		measure_top(k, win, pushed[i]);
		hearth_window_show_view(win, "today");
		settle(win);
	}
	g_assert_true(hearth_window_show_view(win, "screening"));
	walk_screening(k, win, FALSE);
}

static void
walk_journal(Walk *k, HearthWindow *win)
{
	static const char *const views[] = { "checkin", "trends", "exercises", "help" };

	for (size_t i = 0; i < G_N_ELEMENTS(views); i++) {
		g_assert_true(hearth_window_show_view(win, views[i]));
		settle(win);
		measure_top(k, win, views[i]);
	}
	measure_chrome(k, win);
	g_assert_true(hearth_window_show_view(win, "screening"));
	walk_screening(k, win, TRUE);
}

/* Presents dialog (NULL: the window just presented over win), measures
 * its content and destroys it. */
static void
measure_dialog(Walk *k, HearthWindow *win, GtkWidget *dialog, const char *page)
{
	GListModel *tops = gtk_window_get_toplevels();

	if (dialog != NULL)
		gtk_window_present(GTK_WINDOW(dialog));
	spin(300);
	for (guint i = 0; dialog == NULL && i < g_list_model_get_n_items(tops); i++) {
		g_autoptr(GtkWidget) w = g_list_model_get_item(tops, i);

		if (w != GTK_WIDGET(win) && gtk_widget_get_visible(w))
			dialog = w;
	}
	g_assert_nonnull(dialog);
	measure(k, content_of(dialog), page);
	gtk_window_destroy(GTK_WINDOW(dialog));
	spin(50);
}

/* Both modes, in the language now set. */
static void
walk_language(Walk *k, const char *dir)
{
	for (int journal = 0; journal < 2; journal++) {
		g_autofree char *vdir = g_strdup_printf("%s/%s-%s", dir, k->lang,
							journal ? "journal" : "counsellor");
		g_autofree char *fresh = g_strdup_printf("%s-new", vdir);
		HearthWindow *win;
		GtkWidget *help;

		k->mode = journal ? "journal" : "counsellor";
		/* Asked for a phone's size: it gets it only if everything fits. */
		win = open_demo(vdir, journal, PHONE_WIDTH, 720);
		if (journal)
			walk_journal(k, win);
		else
			walk_counsellor(k, win);

		/* The windows over it: help lines (the lock page and the
		 * menu), preferences, and a counsellor's editors. */
		help = hearth_help_dialog_new(GTK_WINDOW(win), hearth_window_get_session(win));
		measure_dialog(k, win, help, "help-lines window");
		measure_dialog(k, win, GTK_WIDGET(hearth_preferences_new(NULL, win)),
			       "preferences window");
		if (!journal) {
			hearth_appointment_editor_present(win, NULL);
			measure_dialog(k, win, NULL, "appointment editor");
			hearth_person_editor_present(win, NULL);
			measure_dialog(k, win, NULL, "person editor");
		}

		/* Locked: the unlock page (a journal's offers help lines). */
		hearth_window_lock(win);
		settle(win);
		measure(k, find_type(GTK_WIDGET(win), HEARTH_TYPE_UNLOCK_PAGE), "unlock");
		gtk_window_destroy(GTK_WINDOW(win));
		spin(100);

		/* A first run: the create page and its steps. */
		win = hearth_window_new(NULL, fresh);
		gtk_window_set_default_size(GTK_WINDOW(win), PHONE_WIDTH, 720);
		gtk_window_present(GTK_WINDOW(win));
		settle(win);
		measure(k, find_type(GTK_WIDGET(win), HEARTH_TYPE_SETUP_PAGE), "create vault");
		measure(k, content_of(GTK_WIDGET(win)), "create vault, whole window");
		gtk_window_destroy(GTK_WINDOW(win));
		spin(100);
	}
}

/* Both tests share one walk: the demo vaults take a while to fill. */
static Walk walked;

static void
walk_all(void)
{
	static const char *const langs[] = { "en", "zh_CN" };
	g_autofree char *dir = NULL;

	if (walked.too_wide != NULL)
		return;
	walked.too_wide = g_ptr_array_new_with_free_func(g_free);
	walked.icons = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	dir = g_dir_make_tmp("hearth-width-XXXXXX", NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(langs); i++) {
		walked.lang = langs[i];
		set_language(langs[i]);
		if (strcmp(langs[i], "zh_CN") == 0)
			g_assert_cmpstr(_("Today"), ==, "今日");
		walk_language(&walked, dir);
	}
	set_language("en");
	remove_tree(dir);
}

static void
test_width(void)
{
	walk_all();
	for (guint i = 0; i < walked.too_wide->len; i++)
		g_printerr("too wide for a phone: %s\n", (char *)walked.too_wide->pdata[i]);
	g_printerr("width: %u pages measured, %u wider than %d px\n",
		   walked.n_measured, walked.too_wide->len, PHONE_WIDTH);
	/* 2 languages x (counsellor 35 + journal 21) measurements. */
	g_assert_cmpuint(walked.n_measured, >=, 112);
	/* Not an assertion: with --keep-going (as meson runs it) /gui/icons
	 * still runs and reports too. */
	if (walked.too_wide->len > 0)
		g_test_fail_printf("%u pages wider than %d px", walked.too_wide->len,
				   PHONE_WIDTH);
}

static void
test_icons(void)
{
	GtkIconTheme *theme = gtk_icon_theme_get_for_display(gdk_display_get_default());
	GHashTableIter it;
	gpointer name, where;
	guint missing = 0;

	walk_all();
	/* The app's own icon, named by the about dialog and the desktop
	 * file, and drawn on the create page. */
	g_assert_true(g_hash_table_contains(walked.icons, "cn.hearth.Hearth"));
	g_hash_table_iter_init(&it, walked.icons);
	while (g_hash_table_iter_next(&it, &name, &where)) {
		if (gtk_icon_theme_has_icon(theme, name))
			continue;
		g_printerr("icon missing from theme '%s' and the app's resource: %s (%s)\n",
			   gtk_icon_theme_get_theme_name(theme), (char *)name, (char *)where);
		missing++;
	}
	g_printerr("icons: %u names used, %u missing\n",
		   g_hash_table_size(walked.icons), missing);
	g_assert_cmpuint(g_hash_table_size(walked.icons), >=, 15);
	g_assert_cmpuint(missing, ==, 0);
}

int
main(int argc, char **argv)
{
	g_autoptr(GtkCssProvider) css = NULL;
	int rc;

	g_setenv("LANGUAGE", "en", TRUE);
	g_setenv("HEARTH_GUI_NO_FOCUS_LOCK", "1", TRUE);
	setlocale(LC_ALL, "");
	bindtextdomain(GETTEXT_PACKAGE, g_getenv("HEARTH_LOCALEDIR") ?
		       g_getenv("HEARTH_LOCALEDIR") : HEARTH_GUI_LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
	gtk_test_init(&argc, &argv, NULL);
	adw_init();
	(void)hearth_get_resource();
	/* The app's style sheet, as GtkApplication loads it from the
	 * resource base path: its sizes count. */
	css = gtk_css_provider_new();
	gtk_css_provider_load_from_resource(css, "/cn/hearth/Hearth/style.css");
	gtk_style_context_add_provider_for_display(gdk_display_get_default(),
		GTK_STYLE_PROVIDER(css), GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

	g_test_add_func("/gui/width", test_width);
	g_test_add_func("/gui/icons", test_icons);
	rc = g_test_run();
	g_clear_pointer(&walked.too_wide, g_ptr_array_unref);
	g_clear_pointer(&walked.icons, g_hash_table_unref);
	return rc;
}
