/*
 * tests/gui/test_gui.c - hearth-gtk driven through its real widgets under
 * Xvfb (GLib's g_test with gtk_test_init; suite 'gui').
 *
 *   /gui/counsellor   create a vault through the create page, add a
 *                     person, run PHQ-9 with item 9 = 1 and the optional
 *                     difficulty question (recorded, not scored), see the crisis
 *                     dialog refuse to close until the action taken is
 *                     recorded, see the crisis card on the result, and
 *                     find the same-day safety follow-up on Today
 *   /gui/hotline      log a high-risk hotline call anonymously (warned,
 *                     recorded without a follow-up), then naming the
 *                     caller through the person picker's search: the
 *                     crisis dialog records the action and Today shows the
 *                     same-day safety follow-up at the top
 *   /gui/draft        an unfinished screening is kept in memory when left,
 *                     resumed at its step, offered again (or discarded)
 *                     before another starts, and dropped by the lock
 *   /gui/journal      create a journal vault, check in a mood in one tap,
 *                     self-screen with item 9 = 1 and see the help lines at
 *                     once, reach the Help view
 *   /gui/zh_CN        with LANGUAGE=zh_CN, walk every main page of a demo
 *                     vault and find no label still in English (any text
 *                     equal to an English msgid of po/parts/gui.po)
 *
 * Widgets are found by their names (gtk_widget_set_name / "name" in the
 * .ui files), as a user finds them by their labels.
 */
#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "hearth/casework.h"
#include "hearth/demo.h"
#include "hearth/journal.h"
#include "hearth-activity-form.h"
#include "hearth-app.h"
#include "hearth-people-page.h"
#include "hearth-person-item.h"
#include "hearth-resources.h"
#include "hearth-screening-page.h"
#include "hearth-window.h"

/* ---- helpers ----------------------------------------------------------- */

static GtkWidget *
find_in(GtkWidget *root, const char *name)
{
	GtkWidget *c;

	if (g_strcmp0(gtk_widget_get_name(root), name) == 0)
		return root;
	for (c = gtk_widget_get_first_child(root); c; c = gtk_widget_get_next_sibling(c)) {
		GtkWidget *hit = find_in(c, name);

		if (hit != NULL)
			return hit;
	}
	return NULL;
}

/* Finds a widget by name in any toplevel window. */
static GtkWidget *
find(const char *name)
{
	GListModel *tops = gtk_window_get_toplevels();

	for (guint i = 0; i < g_list_model_get_n_items(tops); i++) {
		g_autoptr(GtkWidget) w = g_list_model_get_item(tops, i);
		GtkWidget *hit;

		if (!gtk_widget_get_visible(w))
			continue;
		hit = find_in(w, name);
		if (hit != NULL)
			return hit;
	}
	return NULL;
}

static void
spin(guint ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, FALSE);
}

/* Runs the main loop until name exists (and is mapped if mapped). */
static GtkWidget *
wait_for(const char *name)
{
	gint64 end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
	GtkWidget *w;

	while ((w = find(name)) == NULL || !gtk_widget_get_mapped(w)) {
		if (g_get_monotonic_time() > end) {
			g_printerr("timed out waiting for '%s'\n", name);
			g_assert_not_reached();
		}
		g_main_context_iteration(NULL, FALSE);
	}
	return w;
}

static void
click(const char *name)
{
	GtkWidget *w = wait_for(name);

	g_assert_true(gtk_widget_is_sensitive(w));
	g_signal_emit_by_name(w, "clicked");
	spin(50);
}

static void
type(const char *name, const char *text)
{
	gtk_editable_set_text(GTK_EDITABLE(wait_for(name)), text);
	spin(20);
}

/* Does any label or row under root show text (exactly)? */
static gboolean
shows_text(GtkWidget *root, const char *text)
{
	GtkWidget *c;

	if (GTK_IS_LABEL(root) && g_strcmp0(gtk_label_get_text(GTK_LABEL(root)), text) == 0)
		return TRUE;
	if (ADW_IS_PREFERENCES_ROW(root) &&
	    g_strcmp0(adw_preferences_row_get_title(ADW_PREFERENCES_ROW(root)), text) == 0)
		return TRUE;
	for (c = gtk_widget_get_first_child(root); c; c = gtk_widget_get_next_sibling(c))
		if (shows_text(c, text))
			return TRUE;
	return FALSE;
}

static GtkWidget *
find_type(GtkWidget *root, GType type)
{
	GtkWidget *c;

	if (G_TYPE_CHECK_INSTANCE_TYPE(root, type))
		return root;
	for (c = gtk_widget_get_first_child(root); c; c = gtk_widget_get_next_sibling(c)) {
		GtkWidget *hit = find_type(c, type);

		if (hit != NULL)
			return hit;
	}
	return NULL;
}

static void
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

/* Creates a vault through the create page and chooses a mode. */
static HearthWindow *
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
	g_assert_nonnull(hearth_window_get_store(win));
	return win;
}

/* No difficulty page expected (a journal self-screening). */
#define NO_DIFFICULTY (-2)

static HearthScreeningPage *
current_wizard(void)
{
	wait_for("screening-next");
	return HEARTH_SCREENING_PAGE(gtk_widget_get_ancestor(find("screening-next"),
							     HEARTH_TYPE_SCREENING_PAGE));
}

/* Answers the nine PHQ-9 items (all 0 but item 9), then the difficulty
 * page (difficulty: a value, HEARTH_ANSWER_NONE to skip it, or
 * NO_DIFFICULTY when there is none), then submits from the review. */
static void
answer_all(int item9, int difficulty)
{
	HearthScreeningPage *page = current_wizard();
	gint64 end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

	for (guint i = 0; i < 9; i++) {
		g_assert_cmpuint(hearth_screening_page_step(page), ==, i);
		/* Next stays insensitive until the question is answered. */
		g_assert_false(gtk_widget_is_sensitive(find("screening-next")));
		g_assert_true(hearth_screening_page_answer(page, i == 8 ? item9 : 0));
		click("screening-next");
		g_assert_cmpint(g_get_monotonic_time(), <, end);
	}
	if (difficulty != NO_DIFFICULTY) {
		/* The difficulty question: last, optional (Next works
		 * without an answer). */
		g_assert_cmpuint(hearth_screening_page_step(page), ==, 9);
		g_assert_nonnull(find("screening-difficulty"));
		g_assert_true(gtk_widget_is_sensitive(find("screening-next")));
		if (difficulty != HEARTH_ANSWER_NONE)
			g_assert_true(hearth_screening_page_answer(page, difficulty));
		click("screening-next");
		g_assert_cmpuint(hearth_screening_page_step(page), ==, 10);
		g_assert_nonnull(find("review-difficulty"));
	} else {
		g_assert_cmpuint(hearth_screening_page_step(page), ==, 9);
		g_assert_null(find("screening-difficulty"));
	}
	/* The review page, then Submit. */
	click("screening-next");
}

/* ---- tests -------------------------------------------------------------- */

static void
test_counsellor(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *vault = g_build_filename(dir, "vault", NULL);
	HearthWindow *win;
	GtkWidget *dialog, *today;
	HearthPeoplePage *people;

	win = create_vault(vault, "mode-counsellor");

	/* Add a person from the People view. */
	g_assert_true(hearth_window_show_view(win, "people"));
	click("person-add");
	type("person-name", "测试员工");
	type("person-unit", "第三机械厂");
	click("person-save");
	people = HEARTH_PEOPLE_PAGE(find_type(hearth_window_get_root_view(win),
					      HEARTH_TYPE_PEOPLE_PAGE));
	g_assert_cmpuint(hearth_people_page_count(people), ==, 1);

	/* PHQ-9 with item 9 = 1, and the difficulty question answered
	 * "very difficult". */
	g_assert_true(hearth_window_show_view(win, "screening"));
	answer_all(1, 2);
	dialog = wait_for("crisis-dialog");
	/* It cannot be dismissed before the action is recorded. */
	gtk_window_close(GTK_WINDOW(dialog));
	spin(200);
	g_assert_true(gtk_widget_get_visible(dialog));
	g_assert_nonnull(find("crisis-dialog"));
	gtk_check_button_set_active(GTK_CHECK_BUTTON(find("crisis-action-0")), TRUE);
	spin(20);
	adw_message_dialog_response(ADW_MESSAGE_DIALOG(dialog), "record");
	gtk_window_close(GTK_WINDOW(dialog));
	spin(200);
	g_assert_null(find("crisis-dialog"));

	/* The result leads with the crisis card. */
	wait_for("crisis-card");
	wait_for("result-score");

	/* The difficulty answer is recorded with the screening (unscored:
	 * the total is item 9 alone). */
	{
		hearth_timeline *tl = NULL;
		hearth_id person;
		gboolean seen = FALSE;

		g_assert_true(hearth_people_page_first(people, &person));
		g_assert_cmpint(hearth_person_timeline(hearth_window_get_store(win),
						       &person, &tl), ==, HEARTH_OK);
		for (size_t i = 0; i < tl->n; i++) {
			if (strcmp(tl->items[i].kind, "screening") != 0)
				continue;
			g_assert_cmpstr(hearth_record_field(tl->items[i].record,
							    "difficulty"), ==, "2");
			g_assert_cmpstr(hearth_record_field(tl->items[i].record,
							    "total"), ==, "1");
			seen = TRUE;
		}
		g_assert_true(seen);
		hearth_timeline_free(tl);
	}

	/* Today: the same-day safety follow-up, at the top. */
	g_assert_true(hearth_window_show_view(win, "today"));
	today = wait_for("today-safety");
	g_assert_true(shows_text(today, "测试员工"));

	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	remove_tree(dir);
}

/* Records the first action in the crisis dialog and closes it. */
static void
record_crisis_action(void)
{
	GtkWidget *dialog = wait_for("crisis-dialog");

	gtk_check_button_set_active(GTK_CHECK_BUTTON(find("crisis-action-0")), TRUE);
	spin(20);
	adw_message_dialog_response(ADW_MESSAGE_DIALOG(dialog), "record");
	gtk_window_close(GTK_WINDOW(dialog));
	spin(200);
	g_assert_null(find("crisis-dialog"));
}

/* Runs the main loop until no widget is called name (a page popped
 * leaves the window once its transition ends). */
static void
wait_gone(const char *name)
{
	gint64 end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

	while (find(name) != NULL) {
		if (g_get_monotonic_time() > end) {
			g_printerr("timed out waiting for '%s' to go\n", name);
			g_assert_not_reached();
		}
		g_main_context_iteration(NULL, FALSE);
	}
}

static HearthActivityForm *
open_hotline_form(HearthWindow *win)
{
	GtkWidget *activities;

	wait_gone("activity-save");
	g_assert_true(hearth_window_show_view(win, "activities"));
	activities = wait_for("activity-log");
	g_assert_true(gtk_widget_activate_action(activities, "activities.log", "s",
						 "hotline"));
	wait_for("activity-save");
	return HEARTH_ACTIVITY_FORM(gtk_widget_get_ancestor(find("activity-save"),
							   HEARTH_TYPE_ACTIVITY_FORM));
}

static void
test_hotline(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *vault = g_build_filename(dir, "vault", NULL);
	char today[HEARTH_DATE_LEN + 1];
	hearth_followups *fu = NULL;
	hearth_activities *acts = NULL;
	HearthActivityForm *form;
	HearthPersonPicker *picker;
	HearthWindow *win;
	hearth_store *s;
	GtkWidget *warning, *today_group;
	hearth_id chosen;

	win = create_vault(vault, "mode-counsellor");
	s = hearth_window_get_store(win);
	hearth_gui_today(today);

	/* Two people, so the search has something to pick from. */
	g_assert_true(hearth_window_show_view(win, "people"));
	click("person-add");
	type("person-name", "周晓东");
	click("person-save");
	click("person-add");
	type("person-name", "热线来电人");
	type("person-unit", "货运车队二队");
	click("person-save");

	/* An anonymous high-risk call: warned before logging, recorded
	 * as unattached, no follow-up. */
	form = open_hotline_form(win);
	warning = find("activity-anon-warning");
	g_assert_false(gtk_widget_get_visible(warning));
	hearth_activity_form_set_risk(form, 3);
	spin(20);
	g_assert_true(gtk_widget_get_visible(warning));
	click("activity-save");
	record_crisis_action();
	g_assert_cmpint(hearth_activity_list(s, today, today, "hotline", &acts), ==, HEARTH_OK);
	g_assert_cmpuint(acts->n, ==, 1);
	g_assert_true(acts->items[0].unattached);
	g_assert_false(acts->items[0].has_followup);
	/* The crisis action is kept as the outcome. */
	g_assert_cmpstr(acts->items[0].outcome, !=, "");
	hearth_activities_free(acts);
	g_assert_cmpint(hearth_followup_list(s, HEARTH_FOLLOWUPS_PENDING, NULL, today, &fu),
			==, HEARTH_OK);
	g_assert_cmpuint(fu->n, ==, 0);
	hearth_followups_free(fu);

	/* The same call naming the caller, found by searching. */
	form = open_hotline_form(win);
	picker = hearth_activity_form_get_picker(form);
	g_assert_nonnull(picker);
	g_assert_false(hearth_person_picker_get_person(picker, &chosen));
	hearth_person_picker_popup(picker);
	type("person-picker-search", "车队");
	g_signal_emit_by_name(wait_for("person-picker-list"), "activate", 0u);
	spin(50);
	g_assert_true(hearth_person_picker_get_person(picker, &chosen));
	g_assert_cmpstr(hearth_person_picker_get_name(picker), ==, "热线来电人");
	g_assert_cmpstr(adw_action_row_get_subtitle(ADW_ACTION_ROW(find("activity-person"))),
			==, "热线来电人");
	hearth_activity_form_set_risk(form, 3);
	spin(20);
	g_assert_false(gtk_widget_get_visible(find("activity-anon-warning")));
	type("activity-topic", "夜班后情绪低落");
	click("activity-save");
	record_crisis_action();

	/* The core's safety rule ran: a same-day, high-priority safety
	 * follow-up from the hotline, and the person is high risk. */
	g_assert_cmpint(hearth_followup_list(s, HEARTH_FOLLOWUPS_PENDING, &chosen, today, &fu),
			==, HEARTH_OK);
	g_assert_cmpuint(fu->n, ==, 1);
	g_assert_true(fu->items[0].safety);
	g_assert_cmpstr(fu->items[0].due, ==, today);
	g_assert_cmpstr(fu->items[0].source, ==, "hotline");
	g_assert_cmpstr(fu->items[0].priority, ==, "high");
	hearth_followups_free(fu);

	/* Today shows it at the top, under Safety First. */
	g_assert_true(hearth_window_show_view(win, "today"));
	today_group = wait_for("today-safety");
	g_assert_true(shows_text(today_group, "热线来电人"));
	g_assert_true(gtk_widget_get_prev_sibling(today_group) == NULL);

	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	remove_tree(dir);
}

/* The ids of the first two people in the People list. */
static void
two_people(HearthWindow *win, hearth_id *a, hearth_id *b)
{
	HearthPeoplePage *people = HEARTH_PEOPLE_PAGE(find_type(
		hearth_window_get_root_view(win), HEARTH_TYPE_PEOPLE_PAGE));
	GListModel *m = hearth_people_page_get_model(people);
	g_autoptr(HearthPersonItem) x = g_list_model_get_item(m, 0);
	g_autoptr(HearthPersonItem) y = g_list_model_get_item(m, 1);

	g_assert_nonnull(x);
	g_assert_nonnull(y);
	*a = *hearth_person_item_get_id(x);
	*b = *hearth_person_item_get_id(y);
}

static void
answer_some(HearthScreeningPage *page, guint n)
{
	for (guint i = 0; i < n; i++) {
		g_assert_true(hearth_screening_page_answer(page, 1));
		click("screening-next");
	}
}

static void
test_draft(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *vault = g_build_filename(dir, "vault", NULL);
	HearthScreeningPage *page, *again;
	HearthWindow *win;
	GtkWidget *dialog;
	hearth_vault *v = NULL;
	hearth_id a, b;

	win = create_vault(vault, "mode-counsellor");
	g_assert_true(hearth_window_show_view(win, "people"));
	click("person-add");
	type("person-name", "甲员工");
	click("person-save");
	click("person-add");
	type("person-name", "乙员工");
	click("person-save");
	two_people(win, &a, &b);

	/* Three answers, then Cancel: the wizard is kept as the draft... */
	g_assert_nonnull(hearth_screening_page_start(win, &a, "phq9"));
	page = current_wizard();
	answer_some(page, 3);
	g_assert_cmpuint(hearth_screening_page_step(page), ==, 3);
	click("screening-cancel");
	wait_gone("screening-next");
	g_assert_true(hearth_window_get_draft(win) == GTK_WIDGET(page));

	/* ... and the same screening of the same person resumes it. */
	again = hearth_screening_page_start(win, &a, "phq9");
	g_assert_true(again == page);
	g_assert_true(current_wizard() == page);
	g_assert_cmpuint(hearth_screening_page_step(page), ==, 3);
	click("screening-cancel");
	wait_gone("screening-next");

	/* Another person's screening asks first; Resume goes back. */
	hearth_screening_page_start(win, &b, "phq9");
	dialog = wait_for("screening-draft-dialog");
	adw_message_dialog_response(ADW_MESSAGE_DIALOG(dialog), "resume");
	gtk_window_close(GTK_WINDOW(dialog));
	g_assert_true(current_wizard() == page);
	g_assert_cmpuint(hearth_screening_page_step(page), ==, 3);
	click("screening-cancel");
	wait_gone("screening-next");

	/* Discard and Start: a fresh wizard for the other person. */
	hearth_screening_page_start(win, &b, "phq9");
	dialog = wait_for("screening-draft-dialog");
	adw_message_dialog_response(ADW_MESSAGE_DIALOG(dialog), "discard");
	gtk_window_close(GTK_WINDOW(dialog));
	page = current_wizard();
	g_assert_cmpuint(hearth_screening_page_step(page), ==, 0);
	g_assert_null(hearth_window_get_draft(win));
	answer_some(page, 2);
	g_assert_true(hearth_window_get_draft(win) == GTK_WIDGET(page));

	/* Locking drops the draft: nothing of it outlives the session. */
	hearth_window_lock(win);
	spin(100);
	g_assert_null(hearth_window_get_draft(win));
	g_assert_cmpint(hearth_vault_open(vault, "lantern river copper 42",
					  strlen("lantern river copper 42"), NULL, &v),
			==, HEARTH_OK);
	hearth_window_take_vault(win, v, HEARTH_MODE_UNSET);
	spin(200);
	g_assert_nonnull(hearth_screening_page_start(win, &b, "phq9"));
	page = current_wizard();
	g_assert_cmpuint(hearth_screening_page_step(page), ==, 0);

	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	remove_tree(dir);
}

static void
test_journal(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *vault = g_build_filename(dir, "vault", NULL);
	hearth_journal_list *l = NULL;
	HearthWindow *win;

	win = create_vault(vault, "mode-journal");
	g_assert_cmpint(hearth_window_get_mode(win), ==, HEARTH_MODE_JOURNAL);

	/* A mood in one tap. */
	click("mood-4");
	g_assert_cmpint(hearth_journal_entries(hearth_window_get_store(win), NULL,
					       NULL, &l), ==, HEARTH_OK);
	g_assert_cmpuint(l->n, ==, 1);
	g_assert_cmpint(l->items[0].mood, ==, 4);
	hearth_journal_list_free(l);

	/* A self-screening with item 9 = 1 shows the help lines at once, and
	 * no crisis dialog (nothing a counsellor would see). */
	g_assert_true(hearth_window_show_view(win, "screening"));
	answer_all(1, NO_DIFFICULTY);
	wait_for("crisis-card");
	g_assert_null(find("crisis-dialog"));
	g_assert_nonnull(find_in(find("crisis-card"), "helplines"));

	/* Help is one tap away from every view. */
	g_assert_true(hearth_window_show_view(win, "trends"));
	click("journal-help");
	wait_for("helplines");

	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	remove_tree(dir);
}

/* ---- zh_CN: nothing left in English ------------------------------------- */

static GHashTable *
english_msgids(void)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	GHashTable *ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GString *cur = NULL;

	g_assert_true(g_file_get_contents(HEARTH_GUI_PO, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		const char *l = lines[i];

		if (g_str_has_prefix(l, "msgid \"")) {
			cur = g_string_new(NULL);
			l += 6;
		} else if (cur != NULL && l[0] == '"') {
			/* continuation */
		} else {
			if (cur != NULL) {
				g_autofree char *s = g_strcompress(cur->str);

				/* Texts identical in both languages (numbers,
				 * "DAP", formats) prove nothing. */
				if (strlen(s) > 2 && strpbrk(s, "abcdefghijklmnopqrstuvwxyz"))
					g_hash_table_add(ids, g_steal_pointer(&s));
				g_string_free(cur, TRUE);
				cur = NULL;
			}
			continue;
		}
		{
			size_t n = strlen(l);

			if (n >= 2)
				g_string_append_len(cur, l + 1, (gssize)n - 2);
		}
	}
	return ids;
}

static void
check_texts(GtkWidget *w, GHashTable *ids, GPtrArray *bad)
{
	const char *texts[4] = { NULL, NULL, NULL, NULL };
	GtkWidget *c;

	if (!gtk_widget_get_visible(w))
		return;
	if (GTK_IS_LABEL(w))
		texts[0] = gtk_label_get_label(GTK_LABEL(w));
	if (GTK_IS_BUTTON(w))
		texts[0] = gtk_button_get_label(GTK_BUTTON(w));
	if (ADW_IS_PREFERENCES_ROW(w))
		texts[1] = adw_preferences_row_get_title(ADW_PREFERENCES_ROW(w));
	if (ADW_IS_ACTION_ROW(w))
		texts[2] = adw_action_row_get_subtitle(ADW_ACTION_ROW(w));
	if (ADW_IS_PREFERENCES_GROUP(w)) {
		texts[1] = adw_preferences_group_get_title(ADW_PREFERENCES_GROUP(w));
		texts[2] = adw_preferences_group_get_description(ADW_PREFERENCES_GROUP(w));
	}
	if (ADW_IS_STATUS_PAGE(w)) {
		texts[1] = adw_status_page_get_title(ADW_STATUS_PAGE(w));
		texts[2] = adw_status_page_get_description(ADW_STATUS_PAGE(w));
	}
	if (ADW_IS_WINDOW_TITLE(w))
		texts[1] = adw_window_title_get_title(ADW_WINDOW_TITLE(w));
	if (GTK_IS_WIDGET(w) && gtk_widget_get_tooltip_text(w))
		texts[3] = gtk_widget_get_tooltip_text(w);
	for (int i = 0; i < 4; i++)
		if (texts[i] && g_hash_table_contains(ids, texts[i]))
			g_ptr_array_add(bad, g_strdup_printf("%s: '%s'",
				G_OBJECT_TYPE_NAME(w), texts[i]));
	for (c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c))
		check_texts(c, ids, bad);
}

static void
test_zh_CN(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *vdir = g_build_filename(dir, "vault", NULL);
	g_autoptr(GHashTable) ids = english_msgids();
	g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func(g_free);
	hearth_kdf_params low = hearth_kdf_params_low();
	hearth_vault_options opt = { .kdf = &low };
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	char today[HEARTH_DATE_LEN + 1];
	hearth_demo_options dopt;
	hearth_vault *v = NULL;
	HearthWindow *win;
	static const char *const counsellor_pages[] = {
		"today", "people", "appointments", "activities", "reports",
		"person", "followups", "notes", "activity-log",
	};
	static const char *const journal_pages[] = {
		"checkin", "trends", "exercises", "help",
	};

	/* Switch the catalogue to Chinese (LANG=C.UTF-8 LANGUAGE=zh_CN). */
	g_setenv("LANGUAGE", "zh_CN", TRUE);
	setlocale(LC_ALL, "");
	textdomain(GETTEXT_PACKAGE);
	g_assert_cmpstr(_("Today"), ==, "今日");

	for (int mode = 0; mode < 2; mode++) {
		g_autofree char *d = g_strdup_printf("%s%d", vdir, mode);
		const char *const *pages = mode ? journal_pages : counsellor_pages;
		size_t np = mode ? G_N_ELEMENTS(journal_pages) : G_N_ELEMENTS(counsellor_pages);

		g_assert_cmpint(hearth_vault_create(d, "pass", 4, &opt, code, &v), ==, HEARTH_OK);
		hearth_gui_today(today);
		hearth_demo_options_init(&dopt);
		dopt.today = today;
		dopt.n_people = 12;
		dopt.journal = mode;
		g_assert_cmpint(hearth_demo_fill(hearth_vault_store(v), &dopt), ==, HEARTH_OK);
		win = hearth_window_new(NULL, d);
		gtk_window_set_default_size(GTK_WINDOW(win), 1280, 800);
		gtk_window_present(GTK_WINDOW(win));
		spin(200);
		hearth_window_take_vault(win, v, mode ? HEARTH_MODE_JOURNAL : HEARTH_MODE_COUNSELLOR);
		spin(300);
		for (size_t i = 0; i < np; i++) {
			g_assert_true(hearth_window_show_view(win, pages[i]));
			spin(400);
			check_texts(GTK_WIDGET(win), ids, bad);
		}
		gtk_window_destroy(GTK_WINDOW(win));
		spin(100);
	}
	for (guint i = 0; i < bad->len; i++)
		g_printerr("untranslated: %s\n", (char *)bad->pdata[i]);
	g_assert_cmpuint(bad->len, ==, 0);
	remove_tree(dir);
	g_setenv("LANGUAGE", "en", TRUE);
	textdomain(GETTEXT_PACKAGE);
}

int
main(int argc, char **argv)
{
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

	g_test_add_func("/gui/counsellor", test_counsellor);
	g_test_add_func("/gui/hotline", test_hotline);
	g_test_add_func("/gui/draft", test_draft);
	g_test_add_func("/gui/journal", test_journal);
	g_test_add_func("/gui/zh_CN", test_zh_CN);
	return g_test_run();
}
