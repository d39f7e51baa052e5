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
 *                     vault and find no label, tooltip or accessible label
 *                     still in English (any text equal to an English msgid
 *                     of po/zh_CN.po)
 *   /gui/a11y         at 1280x800 and 360x720, every main page, form and
 *                     dialog of a demo vault (both modes): each control
 *                     shown has a name a screen reader can read (GTK 4.8's
 *                     LABEL or LABELLED_BY), each icon-only button a
 *                     tooltip, and keyboard focus reaches each one with
 *                     Tab, Shift+Tab and the arrow keys; every offender is
 *                     printed with its page, type, name and icon
 *   /gui/keyboard     Tab goes round Today and back to the start; the
 *                     screening is saved before the crisis dialog asks,
 *                     Escape leaves the dialog open, and Record Action
 *                     records the action and closes it; Escape and
 *                     Alt+Left leave pushed pages, Escape closes an editor
 *   /gui/crisis-lock  PHQ-9 item 9 = 1 in a fresh vault, the idle lock
 *                     while the crisis dialog is open, unlock: screening,
 *                     safety follow-up and high risk are saved, the pending
 *                     action leads Today and the dialog asks again;
 *                     recording it clears Today
 *   /gui/focus-lock   "lock when the window is left": the crisis dialog
 *                     taking the focus does not lock, another program's
 *                     window does
 *   /gui/idle-input   pointer and key input on the crisis dialog (real X
 *                     events) postpone the idle lock
 *   /gui/helplines    help lines as rows: a stale one warns on Today,
 *                     Verified Today saves the day, the lock screen shows
 *                     the vault's lines with hours and day verified, a
 *                     window never unlocked the defaults
 *   /gui/labels       a screening's band on the person's timeline is the
 *                     label its instrument file gives, in English and in
 *                     Chinese (a copy of phq9.json with labels no other
 *                     source holds); an appointment's No-show button says
 *                     the no-show status's label (hearth/vocab.h); the
 *                     case and risk rows choose the stored values
 *   /gui/conflict     a person's note written on two devices before they
 *                     synced (two real stores, ops copied both ways): the
 *                     person page shows both texts in a group with a
 *                     named Keep This button (English and Chinese);
 *                     keeping the other text writes it, the group goes
 *                     and the note shows it.  HEARTH_GUI_SHOTS=DIR saves
 *                     the page with the conflict as DIR/conflict.png
 *   /gui/details      the line under a person's name lists the unit, tags
 *                     and phone they have, with no separator for those
 *                     they lack, and is left out when they have none
 *   /gui/clock-notice a vault whose stamps a day-fast clock left a day
 *                     ahead: unlocking at 360 px shows the toast "Clock is
 *                     behind", whole, once per open; its Details say by
 *                     how much (1 day), what to check and until when
 *                     changes made here win, in English and Chinese
 *                     (HEARTH_GUI_SHOTS=DIR saves DIR/clock-notice*.png)
 *   /gui/sync         a real hearth-relay on a loopback port (the relay
 *                     library, in this process) and a vault with a team
 *                     space whose relay address is set: the Sync page
 *                     (primary menu → Sync) shows the address, Sync Now
 *                     runs the sync in its worker thread (the progress
 *                     names the space, 1 of 1), the page then shows the
 *                     space "Synced just now" and the primary menu "Sync
 *                     (Synced just now)"; locking while a sync runs stops
 *                     and joins the worker before the vault closes
 *   /gui/sync-today   the same relay: a last whole sync four days old
 *                     (written through the sync state, as the clock would
 *                     leave it) puts "Not synced for 4 days" with a Sync
 *                     Now button at the top of Today; the button syncs
 *                     and the row goes; the relay stopped, a sync fails
 *                     and Today says the relay could not be reached
 *   /gui/sync-refused-zh_CN  in Chinese, a relay that refuses this device
 *                     (it registers spaces only for others): Today and the
 *                     Sync page say it refused, in Chinese, with no English
 *                     detail; HEARTH_GUI_SHOTS=DIR saves both at 360 px
 *
 * Widgets are found by their names (gtk_widget_set_name / "name" in the
 * .ui files), as a user finds them by their labels.
 */
#include <dlfcn.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <gdk/x11/gdkx.h>

#include "hearth/audit.h"
#include "hearth/activity.h"
#include "hearth/devices.h"
#include "hearth/followup.h"
#include "hearth/note.h"
#include "hearth/offline.h"
#include "hearth/person.h"
#include "hearth/journal.h"
#include "hearth/relaysync.h"
#include "hearth/schema.h"
#include "hearth/settings.h"
#include "hearth/spaces.h"
#include "hearth/store.h"
#include "hearth/sync.h"
#include "hearth-activity-form.h"
#include "hearth-app.h"
#include "hearth-appointment-editor.h"
#include "hearth-counsellor-view.h"
#include "hearth-people-page.h"
#include "hearth-person-editor.h"
#include "hearth-person-page.h"
#include "hearth-person-item.h"
#include "hearth-preferences.h"
#include "hearth-record-actions.h"
#include "hearth-resources.h"
#include "hearth-screening-page.h"
#include "hearth-screenshot.h"
#include "hearth-team-page.h"
#include "hearth-overview-page.h"
#include "hearth-window.h"
#include "gui_testutil.h"
#ifdef HEARTH_GUI_RELAY
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay.h"
#endif

/* ---- helpers ----------------------------------------------------------- */

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
	/* Record Action records it, and the dialog closes. */
	g_signal_emit_by_name(find_button(dialog, _("_Record Action")), "clicked");
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
		g_assert_cmpint(hearth_person_timeline(hearth_session_get_store(hearth_window_get_session(win)),
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

/* Records the first action in the crisis dialog, which closes it. */
static void
record_crisis_action(void)
{
	GtkWidget *dialog = wait_for("crisis-dialog");

	gtk_check_button_set_active(GTK_CHECK_BUTTON(find("crisis-action-0")), TRUE);
	spin(20);
	/* Record Action records it, and the dialog closes. */
	g_signal_emit_by_name(find_button(dialog, _("_Record Action")), "clicked");
	spin(200);
	g_assert_null(find("crisis-dialog"));
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
	s = hearth_session_get_store(hearth_window_get_session(win));
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
	/* Saved first, then asked: the call is in the vault while the
	 * crisis dialog is still open, so a lock cannot lose it. */
	wait_for("crisis-dialog");
	g_assert_cmpint(hearth_activity_list(s, today, today, "hotline", &acts), ==, HEARTH_OK);
	g_assert_cmpuint(acts->n, ==, 1);
	g_assert_cmpstr(acts->items[0].action_taken, ==, "");
	hearth_activities_free(acts);
	record_crisis_action();
	g_assert_cmpint(hearth_activity_list(s, today, today, "hotline", &acts), ==, HEARTH_OK);
	g_assert_cmpuint(acts->n, ==, 1);
	g_assert_true(acts->items[0].unattached);
	g_assert_false(acts->items[0].has_followup);
	/* The crisis action is recorded on the call. */
	g_assert_cmpstr(acts->items[0].action_taken, !=, "");
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

/* The hotline form slides in over the list, its picker button starting
 * past the window's right edge.  The helpers wait until it has stopped
 * moving before touching it, as a user would, so the picker's popover is
 * never laid out against a button off the screen. */
static void
test_picker_slide(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *vault = g_build_filename(dir, "vault", NULL);
	HearthActivityForm *form;
	HearthWindow *win;
	GtkWidget *button;
	graphene_rect_t b;

	win = create_vault(vault, "mode-counsellor");
	form = open_hotline_form(win);
	button = wait_for("person-picker-button");
	g_assert_false(sliding(button));
	g_assert_true(gtk_widget_compute_bounds(button, GTK_WIDGET(win), &b));
	g_assert_cmpfloat(b.size.width, >, 0);
	g_assert_cmpfloat(b.origin.x + b.size.width, <=, gtk_widget_get_width(GTK_WIDGET(win)));

	hearth_person_picker_popup(hearth_activity_form_get_picker(form));
	wait_for("person-picker-search");
	gtk_popover_popdown(GTK_POPOVER(gtk_widget_get_ancestor(find("person-picker-search"),
							       GTK_TYPE_POPOVER)));
	spin(100);

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
	g_assert_cmpint(hearth_journal_entries(hearth_session_get_store(hearth_window_get_session(win)), NULL,
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

/* A newly allocated copy of w's LABEL property, or NULL when unset. */
static char *
a11y_label(GtkWidget *w)
{
	if (!gtk_test_accessible_has_property(GTK_ACCESSIBLE(w),
					      GTK_ACCESSIBLE_PROPERTY_LABEL))
		return NULL;
	/* Compared with a value it never has, the check returns the value. */
	return gtk_test_accessible_check_property(GTK_ACCESSIBLE(w),
		GTK_ACCESSIBLE_PROPERTY_LABEL, "\x01");
}

static void
check_texts(GtkWidget *w, GHashTable *ids, GPtrArray *bad)
{
	const char *texts[5] = { NULL, NULL, NULL, NULL, NULL };
	g_autofree char *label = NULL;
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
	/* What a screen reader says, too. */
	label = a11y_label(w);
	texts[4] = label;
	for (int i = 0; i < 5; i++)
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
	HearthWindow *win;
	static const char *const counsellor_pages[] = {
		"today", "people", "appointments", "activities", "reports",
		"person", "followups", "notes", "activity-log", "sync", "team",
	};
	static const char *const journal_pages[] = {
		"checkin", "trends", "exercises", "help",
	};

	/* Switch the catalogue to Chinese (LANG=C.UTF-8 LANGUAGE=zh_CN). */
	set_language("zh_CN");
	g_assert_cmpstr(_("Today"), ==, "今日");

	for (int mode = 0; mode < 2; mode++) {
		g_autofree char *d = g_strdup_printf("%s%d", vdir, mode);
		const char *const *pages = mode ? journal_pages : counsellor_pages;
		size_t np = mode ? G_N_ELEMENTS(journal_pages) : G_N_ELEMENTS(counsellor_pages);

		win = open_demo(d, mode, 1280, 800);
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
	set_language("en");
}

/* ---- a11y: every control named and reachable by keyboard ---------------- */

/* GTK 4.8 gives an assistive technology a widget's name from its LABEL
 * property or from the LABEL of the widgets in its LABELLED_BY relation,
 * nothing else (an unnamed button is read as "GtkImage" or not at all).  A
 * tooltip is only the description.  These checks read the same two
 * attributes through GTK's test accessibility context (GTK_A11Y=test). */

static gboolean
a11y_has_label(GtkWidget *w)
{
	g_autofree char *l = a11y_label(w);

	return l != NULL && g_strstrip(l)[0] != '\0';
}

static GtkWidget *
widget_at(GtkWidget *root, gconstpointer p)
{
	GtkWidget *c;

	if ((gconstpointer)root == p)
		return root;
	for (c = gtk_widget_get_first_child(root); c; c = gtk_widget_get_next_sibling(c)) {
		GtkWidget *hit = widget_at(c, p);

		if (hit != NULL)
			return hit;
	}
	return NULL;
}

/* Does w have a name: its own LABEL, or a LABELLED_BY widget with one?
 * The relation's value is printed as "Type<0x...> ..." by the test
 * context; each address is looked up in w's window before it is used. */
static gboolean
a11y_named(GtkWidget *w)
{
	g_autofree char *rel = NULL;
	GtkWidget *root = GTK_WIDGET(gtk_widget_get_root(w));
	const char *p;

	if (a11y_has_label(w))
		return TRUE;
	if (!gtk_test_accessible_has_relation(GTK_ACCESSIBLE(w),
					      GTK_ACCESSIBLE_RELATION_LABELLED_BY))
		return FALSE;
	/* Compared with w itself (never its own label): returns the value. */
	rel = gtk_test_accessible_check_relation(GTK_ACCESSIBLE(w),
		GTK_ACCESSIBLE_RELATION_LABELLED_BY, w, NULL);
	for (p = rel ? strchr(rel, '<') : NULL; p != NULL; p = strchr(p + 1, '<')) {
		void *addr = NULL;
		GtkWidget *by;

		if (sscanf(p + 1, "%p", &addr) != 1 || root == NULL)
			continue;
		by = widget_at(root, addr);
		if (by != NULL && by != w && a11y_has_label(by))
			return TRUE;
	}
	return FALSE;
}

/* Parts of a composite control, checked through the control itself: the
 * button of a GtkMenuButton, the shown item of a GtkDropDown or
 * AdwComboRow, the text of an entry or of an AdwEntryRow (whose apply
 * button libadwaita labels).  And the window's own minimize, maximize
 * and close buttons, which GTK keeps out of the focus chain: the window
 * manager's keys do their work. */
static gboolean
inside_composite(GtkWidget *w)
{
	GtkWidget *p;

	for (p = gtk_widget_get_parent(w); p != NULL; p = gtk_widget_get_parent(p))
		if (GTK_IS_POPOVER(p))
			return FALSE;  /* a popover's content is checked */
		else if (GTK_IS_MENU_BUTTON(p) || GTK_IS_DROP_DOWN(p) || ADW_IS_COMBO_ROW(p) ||
		    GTK_IS_WINDOW_CONTROLS(p) || (GTK_IS_EDITABLE(p) && !GTK_IS_TEXT(p)))
			return TRUE;
	return FALSE;
}

typedef enum {
	CONTROL_NONE,
	CONTROL_BUTTON,   /* may be named by its label child */
	CONTROL_FIELD,    /* needs a name of its own: switch, entry, spin... */
	CONTROL_ROW,      /* an activatable list row */
} ControlKind;

static ControlKind
control_kind(GtkWidget *w)
{
	GtkWidget *parent = gtk_widget_get_parent(w);

	if (inside_composite(w))
		return CONTROL_NONE;
	if (GTK_IS_MENU_BUTTON(w) || GTK_IS_BUTTON(w) || GTK_IS_CHECK_BUTTON(w))
		return CONTROL_BUTTON;
	if (GTK_IS_SWITCH(w) || GTK_IS_DROP_DOWN(w) || GTK_IS_SCALE(w) ||
	    (GTK_IS_TEXT_VIEW(w) && gtk_text_view_get_editable(GTK_TEXT_VIEW(w))))
		return CONTROL_FIELD;
	if (GTK_IS_EDITABLE(w))
		/* GtkEntry, GtkPasswordEntry, GtkSearchEntry, GtkSpinButton,
		 * a lone GtkText, AdwEntryRow. */
		return CONTROL_FIELD;
	if (ADW_IS_COMBO_ROW(w))
		return CONTROL_FIELD;
	if (GTK_IS_LIST_BOX_ROW(w) &&
	    gtk_list_box_row_get_activatable(GTK_LIST_BOX_ROW(w)))
		return CONTROL_ROW;
	if (parent != NULL && (GTK_IS_LIST_VIEW(parent) || GTK_IS_GRID_VIEW(parent)))
		return CONTROL_ROW;
	return CONTROL_NONE;
}

static const char *
icon_of(GtkWidget *w)
{
	GtkWidget *c;

	if (GTK_IS_BUTTON(w) && gtk_button_get_icon_name(GTK_BUTTON(w)))
		return gtk_button_get_icon_name(GTK_BUTTON(w));
	if (GTK_IS_MENU_BUTTON(w) && gtk_menu_button_get_icon_name(GTK_MENU_BUTTON(w)))
		return gtk_menu_button_get_icon_name(GTK_MENU_BUTTON(w));
	if (GTK_IS_IMAGE(w) && gtk_image_get_storage_type(GTK_IMAGE(w)) == GTK_IMAGE_ICON_NAME)
		return gtk_image_get_icon_name(GTK_IMAGE(w));
	for (c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c)) {
		const char *i = icon_of(c);

		if (i != NULL)
			return i;
	}
	return NULL;
}

/* The first visible text under w (to tell the offender apart). */
static const char *
text_of(GtkWidget *w)
{
	GtkWidget *c;

	if (ADW_IS_PREFERENCES_ROW(w) && *adw_preferences_row_get_title(ADW_PREFERENCES_ROW(w)))
		return adw_preferences_row_get_title(ADW_PREFERENCES_ROW(w));
	if (GTK_IS_LABEL(w) && gtk_widget_get_mapped(w) && *gtk_label_get_text(GTK_LABEL(w)))
		return gtk_label_get_text(GTK_LABEL(w));
	for (c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c)) {
		const char *t = text_of(c);

		if (t != NULL)
			return t;
	}
	return NULL;
}

/* Is w named? */
static gboolean
named_within(GtkWidget *w)
{
	GtkWidget *c;

	if (!GTK_IS_MENU_BUTTON(w))
		return a11y_named(w);
	/* A GtkMenuButton: the toggle button inside takes the focus and is
	 * what a screen reader reads. */
	for (c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c))
		if (GTK_IS_BUTTON(c))
			return a11y_named(c);
	return FALSE;
}

static gboolean
focusable_within(GtkWidget *w)
{
	GtkWidget *c;

	if (!gtk_widget_get_mapped(w) || !gtk_widget_is_sensitive(w) ||
	    !gtk_widget_get_can_focus(w))
		return FALSE;
	if (gtk_widget_get_focusable(w))
		return TRUE;
	for (c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c))
		if (focusable_within(c))
			return TRUE;
	return FALSE;
}

typedef struct {
	const char *page;       /* "today" */
	const char *size;       /* "1280x800" */
	GPtrArray *bad;         /* offenders, as text */
	GHashTable *told;       /* offences already in bad (at this size) */
	GHashTable *reached;    /* widgets keyboard focus reached (refs) */
	guint n_controls;       /* controls checked */
} Audit;

static Audit
audit_init(void)
{
	Audit a = {
		.bad = g_ptr_array_new_with_free_func(g_free),
		.told = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		.reached = g_hash_table_new_full(g_direct_hash, g_direct_equal,
						 g_object_unref, NULL),
	};

	return a;
}

static void
audit_clear(Audit *a)
{
	g_clear_pointer(&a->bad, g_ptr_array_unref);
	g_clear_pointer(&a->told, g_hash_table_unref);
	g_clear_pointer(&a->reached, g_hash_table_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Audit, audit_clear)

/* Prints the offenders found so far; their number. */
static guint
audit_offenders(const Audit *a)
{
	for (guint i = 0; i < a->bad->len; i++)
		g_printerr("a11y offender: %s\n", (char *)a->bad->pdata[i]);
	return a->bad->len;
}

static gboolean
reached_within(Audit *a, GtkWidget *w)
{
	GHashTableIter it;
	gpointer key;

	g_hash_table_iter_init(&it, a->reached);
	while (g_hash_table_iter_next(&it, &key, NULL))
		if (key == (gpointer)w || gtk_widget_is_ancestor(key, w))
			return TRUE;
	return FALSE;
}

/* The page or dialog holding w: its nearest ancestor of the app's own
 * types, or its window. */
static const char *
holder_of(GtkWidget *w)
{
	GtkWidget *p;

	for (p = gtk_widget_get_parent(w); p != NULL; p = gtk_widget_get_parent(p))
		if (g_str_has_prefix(G_OBJECT_TYPE_NAME(p), "Hearth") && !HEARTH_IS_WINDOW(p))
			return G_OBJECT_TYPE_NAME(p);
	return G_OBJECT_TYPE_NAME(gtk_widget_get_root(w));
}

static void
offend(Audit *a, GtkWidget *w, const char *why)
{
	const char *icon = icon_of(w);
	const char *text = text_of(w);
	g_autofree char *what = g_strdup_printf("%s in %s: %s name='%s' icon='%s' text='%s': %s",
		a->size, holder_of(w), G_OBJECT_TYPE_NAME(w), gtk_widget_get_name(w),
		icon ? icon : "", text ? text : "", why);

	/* The main window is audited again under each dialog: once is
	 * enough for each offence. */
	if (g_hash_table_contains(a->told, what))
		return;
	g_ptr_array_add(a->bad, g_strdup_printf("%s: %s", a->page, what));
	g_hash_table_add(a->told, g_steal_pointer(&what));
}

/* Checks the controls shown under w, as they are now, and lists in
 * focusable those whose keyboard reach is left to check (after the walk:
 * the arrow keys may tick radio buttons, which changes what is
 * sensitive). */
static void
check_controls(Audit *a, GtkWidget *w, GPtrArray *focusable)
{
	ControlKind kind;
	GtkWidget *c;

	if (!gtk_widget_get_mapped(w) || !gtk_widget_is_sensitive(w))
		return;
	kind = control_kind(w);
	if (kind != CONTROL_NONE && gtk_widget_get_width(w) > 0 &&
	    gtk_widget_get_height(w) > 0) {
		const char *tip = gtk_widget_get_tooltip_text(w);

		a->n_controls++;
		if (!named_within(w))
			offend(a, w, "no accessible name (LABEL or LABELLED_BY)");
		/* HIG: every icon-only button has a tooltip. */
		if (kind == CONTROL_BUTTON && text_of(w) == NULL && icon_of(w) != NULL &&
		    (tip == NULL || !*tip))
			offend(a, w, "icon-only button without a tooltip");
		if (!focusable_within(w))
			offend(a, w, "cannot take keyboard focus");
		else
			g_ptr_array_add(focusable, g_object_ref(w));
	}
	for (c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c))
		check_controls(a, c, focusable);
}

/* Explores every widget keyboard focus can reach in win: from the first
 * Tab stop, Tab, Shift+Tab and the arrow keys (the way into the rows of
 * a list) from each widget reached, until nothing new is found. */
static void
walk_focus(GtkWindow *win, GHashTable *reached)
{
	static const GtkDirectionType dirs[] = {
		GTK_DIR_TAB_FORWARD, GTK_DIR_TAB_BACKWARD, GTK_DIR_DOWN,
		GTK_DIR_UP, GTK_DIR_RIGHT,
	};
	g_autoptr(GPtrArray) queue = g_ptr_array_new_with_free_func(g_object_unref);
	GtkWidget *w;

	gtk_window_set_focus(win, NULL);
	gtk_widget_child_focus(GTK_WIDGET(win), GTK_DIR_TAB_FORWARD);
	w = gtk_window_get_focus(win);
	if (w == NULL)
		return;
	g_hash_table_add(reached, g_object_ref(w));
	g_ptr_array_add(queue, g_object_ref(w));
	for (guint i = 0; i < queue->len && i < 5000; i++) {
		GtkWidget *from = queue->pdata[i];

		for (size_t d = 0; d < G_N_ELEMENTS(dirs); d++) {
			GtkWidget *to;

			if (!gtk_widget_get_mapped(from) || !gtk_widget_grab_focus(from) ||
			    gtk_window_get_focus(win) != from)
				break;
			if (!gtk_widget_child_focus(GTK_WIDGET(win), dirs[d]))
				continue;
			to = gtk_window_get_focus(win);
			if (to != NULL && gtk_widget_get_mapped(to) &&
			    !g_hash_table_contains(reached, to)) {
				g_hash_table_add(reached, g_object_ref(to));
				g_ptr_array_add(queue, g_object_ref(to));
			}
		}
	}
	gtk_window_set_focus(win, NULL);
}

/* Audits every window shown (the main one and any dialog on it). */
static void
audit(Audit *a, const char *page, const char *size)
{
	GListModel *tops = gtk_window_get_toplevels();
	guint before = a->bad->len, controls = a->n_controls;
	gint64 t0 = g_get_monotonic_time();

	a->page = page;
	a->size = size;
	for (guint i = 0; i < g_list_model_get_n_items(tops); i++) {
		g_autoptr(GtkWidget) w = g_list_model_get_item(tops, i);

		if (!gtk_widget_get_mapped(w))
			continue;
		g_autoptr(GPtrArray) focusable = g_ptr_array_new_with_free_func(g_object_unref);

		check_controls(a, w, focusable);
		g_hash_table_remove_all(a->reached);
		walk_focus(GTK_WINDOW(w), a->reached);
		for (guint j = 0; j < focusable->len; j++)
			if (!reached_within(a, focusable->pdata[j]))
				offend(a, focusable->pdata[j],
				       "not reached with Tab or the arrow keys");
	}
	if (g_test_verbose())
		g_printerr("a11y: %s %s: %u controls, %u offenders (%d ms)\n", page, size,
			   a->n_controls - controls, a->bad->len - before,
			   (int)((g_get_monotonic_time() - t0) / 1000));
	a->page = NULL;
}

static void
audit_view(Audit *a, HearthWindow *win, const char *view, const char *size)
{
	g_assert_true(hearth_window_show_view(win, view));
	settle(win);
	audit(a, view, size);
}

static void
audit_counsellor(Audit *a, const char *dir, int w, int h)
{
	g_autofree char *size = g_strdup_printf("%dx%d", w, h);
	HearthWindow *win = open_demo(dir, FALSE, w, h);
	HearthActivityForm *form;
	HearthScreeningPage *page;
	HearthPeoplePage *people;
	hearth_id person;

	audit_view(a, win, "today", size);
	audit_view(a, win, "people", size);
	people = HEARTH_PEOPLE_PAGE(find_type(hearth_window_get_root_view(win),
					      HEARTH_TYPE_PEOPLE_PAGE));
	g_assert_true(hearth_people_page_first(people, &person));
	/* The person chosen in the list (side by side when wide). */
	g_signal_emit_by_name(find("people-list"), "activate", 0u);
	settle(win);
	audit(a, "people+person", size);
	audit_view(a, win, "person", size);

	/* The screening wizard: every step, the review, the crisis dialog
	 * (item 9 = 1) and the result with its crisis card. */
	g_assert_true(hearth_window_show_view(win, "screening"));
	page = current_wizard();
	for (guint i = 0; i < 9; i++) {
		g_autofree char *step = g_strdup_printf("screening step %u", i + 1);

		settle(win);
		audit(a, step, size);
		g_assert_true(hearth_screening_page_answer(page, i == 8 ? 1 : 0));
		click("screening-next");
	}
	settle(win);
	audit(a, "screening difficulty", size);
	click("screening-next");
	settle(win);
	audit(a, "screening review", size);
	click("screening-next");
	wait_for("crisis-dialog");
	settle(win);
	audit(a, "crisis dialog", size);
	record_crisis_action();
	wait_for("crisis-card");
	settle(win);
	audit(a, "screening result", size);

	audit_view(a, win, "appointments", size);
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(find("appt-day")), TRUE);
	settle(win);
	audit(a, "appointments day", size);
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(find("appt-week")), TRUE);
	hearth_appointment_editor_present(win, NULL);
	wait_for("appt-save");
	settle(win);
	audit(a, "appointment editor", size);
	close_others(win);

	audit_view(a, win, "sync", size);

	audit_view(a, win, "followups", size);
	hearth_followup_add_ask(win, &person);
	settle(win);
	audit(a, "follow-up dialog", size);
	close_others(win);

	audit_view(a, win, "activities", size);
	wait_gone("activity-save");
	form = hearth_activity_form_start(win, "hotline", NULL);
	g_assert_nonnull(form);
	wait_for("activity-save");
	settle(win);
	audit(a, "hotline form", size);
	hearth_person_picker_popup(hearth_activity_form_get_picker(form));
	wait_for("person-picker-list");
	settle(win);
	audit(a, "person picker", size);
	gtk_popover_popdown(GTK_POPOVER(gtk_widget_get_ancestor(find("person-picker-list"),
							       GTK_TYPE_POPOVER)));
	spin(100);
	click("activity-cancel");
	wait_gone("activity-save");
	g_assert_nonnull(hearth_activity_form_start(win, "lecture", NULL));
	wait_for("activity-save");
	settle(win);
	audit(a, "lecture form", size);
	click("activity-cancel");
	wait_gone("activity-save");

	audit_view(a, win, "notes", size);
	hearth_note_write_ask(win, &person, NULL, NULL);
	settle(win);
	audit(a, "note dialog", size);
	close_others(win);

	audit_view(a, win, "reports", size);

	hearth_person_editor_present(win, NULL);
	wait_for("person-save");
	settle(win);
	audit(a, "person editor", size);
	close_others(win);

	gtk_window_present(GTK_WINDOW(hearth_preferences_new(NULL, win)));
	settle(win);
	audit(a, "preferences", size);
	close_others(win);

	hearth_window_lock(win);
	settle(win);
	audit(a, "unlock", size);

	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
}

/* The first run: the passphrase, the recovery code, the mode. */
static void
audit_setup(Audit *a, const char *dir, int w, int h)
{
	g_autofree char *size = g_strdup_printf("%dx%d", w, h);
	HearthWindow *win = hearth_window_new(NULL, dir);

	gtk_window_set_default_size(GTK_WINDOW(win), w, h);
	gtk_window_present(GTK_WINDOW(win));
	type("pass1", "lantern river copper 42");
	type("pass2", "lantern river copper 42");
	settle(win);
	audit(a, "create vault", size);
	click("create-vault");
	wait_for("code-written");
	settle(win);
	audit(a, "recovery code", size);
	gtk_check_button_set_active(GTK_CHECK_BUTTON(find("code-written")), TRUE);
	click("code-continue");
	wait_for("mode-start");
	settle(win);
	audit(a, "mode", size);
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
}

static void
audit_journal(Audit *a, const char *dir, int w, int h)
{
	g_autofree char *size = g_strdup_printf("%dx%d", w, h);
	HearthWindow *win = open_demo(dir, TRUE, w, h);

	audit_view(a, win, "checkin", size);
	audit_view(a, win, "trends", size);
	audit_view(a, win, "exercises", size);
	audit_view(a, win, "help", size);
	/* Locked, a journal still offers the help lines. */
	hearth_window_lock(win);
	settle(win);
	audit(a, "unlock (journal)", size);
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
}

static void
test_a11y(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *cdir = g_build_filename(dir, "counsellor", NULL);
	g_autofree char *jdir = g_build_filename(dir, "journal", NULL);
	g_auto(Audit) a = audit_init();
	static const int sizes[][2] = { { 1280, 800 }, { 360, 720 } };

	for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
		g_autofree char *sdir = g_strdup_printf("%s/setup%zu", dir, i);

		audit_setup(&a, sdir, sizes[i][0], sizes[i][1]);
		audit_counsellor(&a, cdir, sizes[i][0], sizes[i][1]);
		audit_journal(&a, jdir, sizes[i][0], sizes[i][1]);
	}
	g_printerr("a11y: %u controls checked, %u offenders\n", a.n_controls,
		   audit_offenders(&a));
	/* The walk found the controls it is meant to check. */
	g_assert_cmpuint(a.n_controls, >, 200);
	g_assert_cmpuint(a.bad->len, ==, 0);
	remove_tree(dir);
}

/* ---- keyboard: Tab cycles, Escape and the crisis dialog ----------------- */

/* Presses a key the way GTK's shortcut controllers see it: from the focus
 * up to the window, the first shortcut bound to keyval + mods runs.
 * (GTK 4 has no public way to inject a key event; the key bindings of
 * widgets, such as Escape on a dialog, live in these controllers.)
 * TRUE if a shortcut ran. */
static gboolean
press_key(GtkWindow *win, guint keyval, GdkModifierType mods)
{
	g_autoptr(GtkShortcutTrigger) key = gtk_keyval_trigger_new(keyval, mods);
	GtkWidget *w = gtk_window_get_focus(win);

	for (w = w ? w : GTK_WIDGET(win); w != NULL; w = gtk_widget_get_parent(w)) {
		g_autoptr(GListModel) ctrls = gtk_widget_observe_controllers(w);

		for (guint i = 0; i < g_list_model_get_n_items(ctrls); i++) {
			g_autoptr(GObject) c = g_list_model_get_item(ctrls, i);
			GListModel *shortcuts;

			if (!GTK_IS_SHORTCUT_CONTROLLER(c))
				continue;
			shortcuts = G_LIST_MODEL(c);
			for (guint j = 0; j < g_list_model_get_n_items(shortcuts); j++) {
				g_autoptr(GtkShortcut) s = g_list_model_get_item(shortcuts, j);

				if (!gtk_shortcut_trigger_equal(gtk_shortcut_get_trigger(s), key))
					continue;
				if (gtk_shortcut_action_activate(gtk_shortcut_get_action(s),
						GTK_SHORTCUT_ACTION_EXCLUSIVE, w,
						gtk_shortcut_get_arguments(s)))
					return TRUE;
			}
		}
	}
	return FALSE;
}

static guint
count_screenings(HearthWindow *win, const hearth_id *person)
{
	hearth_timeline *tl = NULL;
	guint n = 0;

	g_assert_cmpint(hearth_person_timeline(hearth_session_get_store(hearth_window_get_session(win)), person, &tl),
			==, HEARTH_OK);
	for (size_t i = 0; i < tl->n; i++)
		if (strcmp(tl->items[i].kind, "screening") == 0)
			n++;
	hearth_timeline_free(tl);
	return n;
}

/* Safety actions not yet recorded (person NULL: anyone's). */
static guint
count_pending(HearthWindow *win, const hearth_id *person)
{
	hearth_pending_action *v = NULL;
	size_t n = 0;

	g_assert_cmpint(hearth_screening_pending_actions(hearth_session_get_store(hearth_window_get_session(win)),
							 person, &v, &n), ==, HEARTH_OK);
	hearth_pending_actions_free(v, n);
	return (guint)n;
}

static void
test_keyboard(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *vdir = g_build_filename(dir, "vault", NULL);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	HearthWindow *win = open_demo(vdir, FALSE, 1280, 800);
	GtkWidget *first, *prev, *cur = NULL, *dialog, *record, *today;
	gboolean saw_switcher = FALSE, saw_row = FALSE;
	HearthPeoplePage *people;
	hearth_id person;
	guint before;

	/* Today: Tab goes round every stop and comes back to the first,
	 * never staying put or circling short of it. */
	g_assert_true(hearth_window_show_view(win, "today"));
	today = wait_for("today-safety");
	spin(350);
	gtk_window_set_focus(GTK_WINDOW(win), NULL);
	g_assert_true(gtk_widget_child_focus(GTK_WIDGET(win), GTK_DIR_TAB_FORWARD));
	first = prev = gtk_window_get_focus(GTK_WINDOW(win));
	g_assert_nonnull(first);
	for (guint i = 0; i < 1000; i++) {
		g_assert_true(gtk_widget_child_focus(GTK_WIDGET(win), GTK_DIR_TAB_FORWARD));
		cur = gtk_window_get_focus(GTK_WINDOW(win));
		g_assert_nonnull(cur);
		g_assert_true(cur != prev);
		g_assert_true(gtk_widget_get_mapped(cur));
		g_assert_true(gtk_widget_is_sensitive(cur));
		if (cur == first)
			break;
		g_assert_false(g_hash_table_contains(seen, cur));
		g_hash_table_add(seen, cur);
		if (gtk_widget_get_ancestor(cur, ADW_TYPE_VIEW_SWITCHER) != NULL)
			saw_switcher = TRUE;
		if (gtk_widget_is_ancestor(cur, today) && GTK_IS_LIST_BOX_ROW(cur))
			saw_row = TRUE;
		prev = cur;
	}
	g_assert_true(cur == first);
	g_assert_cmpuint(g_hash_table_size(seen), >=, 5);
	g_assert_true(saw_switcher);
	g_assert_true(saw_row);
	if (g_test_verbose())
		g_printerr("Tab on Today: %u stops\n", g_hash_table_size(seen) + 1);
	/* Shift+Tab from the first stop goes back to the last. */
	g_assert_true(gtk_widget_child_focus(GTK_WIDGET(win), GTK_DIR_TAB_BACKWARD));
	g_assert_true(gtk_window_get_focus(GTK_WINDOW(win)) == prev);

	/* The crisis dialog: the screening is saved before it asks (its
	 * action pending), and Escape does not hide the crisis steps, not
	 * even once an action is ticked. */
	people = HEARTH_PEOPLE_PAGE(find_type(hearth_window_get_root_view(win),
					      HEARTH_TYPE_PEOPLE_PAGE));
	hearth_gui_lazy_flush(GTK_WIDGET(people));
	g_assert_true(hearth_people_page_first(people, &person));
	before = count_screenings(win, &person);
	g_assert_nonnull(hearth_screening_page_start(win, &person, "phq9"));
	answer_all(1, HEARTH_ANSWER_NONE);
	dialog = wait_for("crisis-dialog");
	spin(100);
	g_assert_true(press_key(GTK_WINDOW(dialog), GDK_KEY_Escape, 0));
	spin(200);
	g_assert_true(gtk_widget_get_visible(dialog));
	g_assert_nonnull(find("crisis-dialog"));
	g_assert_cmpuint(count_screenings(win, &person), ==, before + 1);
	g_assert_cmpuint(count_pending(win, &person), ==, 1);
	gtk_check_button_set_active(GTK_CHECK_BUTTON(find("crisis-action-1")), TRUE);
	spin(20);
	g_assert_true(press_key(GTK_WINDOW(dialog), GDK_KEY_Escape, 0));
	spin(200);
	g_assert_nonnull(find("crisis-dialog"));
	g_assert_cmpuint(count_pending(win, &person), ==, 1);

	/* Record Action, from the keyboard: recorded, and the dialog goes. */
	record = find_button(dialog, _("_Record Action"));
	g_assert_nonnull(record);
	g_assert_true(gtk_widget_is_sensitive(record));
	g_assert_true(gtk_widget_grab_focus(record));
	g_assert_true(gtk_widget_activate(record));
	spin(300);
	g_assert_cmpuint(count_screenings(win, &person), ==, before + 1);
	g_assert_cmpuint(count_pending(win, &person), ==, 0);
	g_assert_null(find("crisis-dialog"));
	wait_for("crisis-card");

	/* Escape leaves a pushed page, Alt+Left too. */
	g_assert_true(press_key(GTK_WINDOW(win), GDK_KEY_Escape, 0));
	wait_gone("crisis-card");
	g_assert_true(hearth_window_get_top(win) == hearth_window_get_root_view(win));
	g_assert_true(hearth_window_show_view(win, "followups"));
	settle(win);
	g_assert_true(hearth_window_get_top(win) != hearth_window_get_root_view(win));
	g_assert_true(press_key(GTK_WINDOW(win), GDK_KEY_Left, GDK_ALT_MASK));
	settle(win);
	g_assert_true(hearth_window_get_top(win) == hearth_window_get_root_view(win));

	/* Escape closes an editor. */
	hearth_person_editor_present(win, NULL);
	g_assert_true(press_key(GTK_WINDOW(gtk_widget_get_root(wait_for("person-save"))),
				GDK_KEY_Escape, 0));
	wait_gone("person-save");

	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	remove_tree(dir);
}

/* ---- save first, auto-lock across the app's windows ---------------------- */

/* Runs the main loop until win is locked (TRUE) or secs pass (FALSE). */
static gboolean
wait_locked(HearthWindow *win, guint secs)
{
	gint64 end = g_get_monotonic_time() + (gint64)secs * G_USEC_PER_SEC;

	while (hearth_window_get_session(win) != NULL) {
		if (g_get_monotonic_time() > end)
			return FALSE;
		turn();
	}
	return TRUE;
}

/* Runs the main loop until w is active (TRUE) or secs pass. */
static gboolean
wait_active(GtkWindow *w, guint secs)
{
	gint64 end = g_get_monotonic_time() + (gint64)secs * G_USEC_PER_SEC;

	while (!gtk_window_is_active(w)) {
		if (g_get_monotonic_time() > end)
			return FALSE;
		turn();
	}
	return TRUE;
}

/* The first person of the People list (loaded if it was not yet). */
static void
first_person(HearthWindow *win, hearth_id *person)
{
	HearthPeoplePage *people = HEARTH_PEOPLE_PAGE(find_type(
		hearth_window_get_root_view(win), HEARTH_TYPE_PEOPLE_PAGE));

	hearth_gui_lazy_flush(GTK_WIDGET(people));
	g_assert_true(hearth_people_page_first(people, person));
}

/* Does a row under root have a title containing text? */
static gboolean
row_title_has(GtkWidget *root, const char *text)
{
	GtkWidget *c;

	if (ADW_IS_PREFERENCES_ROW(root) &&
	    strstr(adw_preferences_row_get_title(ADW_PREFERENCES_ROW(root)), text) != NULL)
		return TRUE;
	for (c = gtk_widget_get_first_child(root); c; c = gtk_widget_get_next_sibling(c))
		if (row_title_has(c, text))
			return TRUE;
	return FALSE;
}

/* The crisis-lock case of issue 7: a PHQ-9 with item 9 = 1 in a fresh
 * vault, the vault locks by the idle timer while the crisis dialog is
 * open, and after the unlock nothing is lost: the screening, its safety
 * follow-up and the high risk are in the vault, the pending action leads
 * Today, the dialog asks again, and recording the action clears it. */
static void
test_crisis_lock(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *vault = g_build_filename(dir, "vault", NULL);
	char today[HEARTH_DATE_LEN + 1];
	hearth_pending_action *v = NULL;
	hearth_followups *fu = NULL;
	g_autoptr(hearth_record) r = NULL;
	HearthWindow *win;
	GtkWidget *group;
	hearth_store *s;
	hearth_id person;
	size_t n = 0;

	hearth_gui_today(today);
	win = create_vault(vault, "mode-counsellor");
	g_assert_true(hearth_window_show_view(win, "people"));
	click("person-add");
	type("person-name", "危机测试员工");
	click("person-save");
	first_person(win, &person);

	g_assert_nonnull(hearth_screening_page_start(win, &person, "phq9"));
	answer_all(1, HEARTH_ANSWER_NONE);
	wait_for("crisis-dialog");
	/* The idle timer, at 2 s: nobody touches anything. */
	hearth_window_set_lock_after(win, 2);
	hearth_window_touch(win);
	g_assert_true(wait_locked(win, 30));
	spin(100);
	g_assert_null(find("crisis-dialog"));

	/* Unlock through the lock page: the dialog asks again.  (The focus
	 * went with the dialog; with no window manager to hand it back, the
	 * user clicking the window is a present.) */
	hearth_window_set_lock_after(win, 0);
	gtk_window_present(GTK_WINDOW(win));
	g_assert_true(wait_active(GTK_WINDOW(win), 10));
	type("unlock-entry", "lantern river copper 42");
	click("unlock-button");
	wait_for("crisis-dialog");
	s = hearth_session_get_store(hearth_window_get_session(win));
	g_assert_nonnull(s);
	g_assert_nonnull(find("crisis-pending-what"));

	/* Nothing was lost. */
	g_assert_cmpuint(count_screenings(win, &person), ==, 1);
	g_assert_cmpint(hearth_screening_pending_actions(s, NULL, &v, &n), ==, HEARTH_OK);
	g_assert_cmpuint(n, ==, 1);
	g_assert_true(hearth_id_equal(&v[0].person, &person));
	g_assert_cmpstr(v[0].instrument, ==, "phq9");
	g_assert_cmpstr(v[0].date, ==, today);
	hearth_pending_actions_free(v, n);
	g_assert_cmpint(hearth_followup_list(s, HEARTH_FOLLOWUPS_PENDING, &person, today, &fu),
			==, HEARTH_OK);
	g_assert_cmpuint(fu->n, ==, 1);
	g_assert_true(fu->items[0].safety);
	g_assert_cmpstr(fu->items[0].due, ==, today);
	hearth_followups_free(fu);
	g_assert_cmpint(hearth_record_load(s, &person, &r), ==, HEARTH_OK);
	g_assert_cmpstr(hearth_record_field(r, "risk"), ==, "high");

	/* Today leads with it: the person, the instrument, the day. */
	g_assert_true(hearth_window_show_view(win, "today"));
	group = wait_for("today-pending-actions");
	g_assert_true(gtk_widget_get_prev_sibling(group) == NULL);
	g_assert_true(row_title_has(group, "危机测试员工"));
	g_assert_true(row_title_has(group, "PHQ-9"));
	g_assert_true(row_title_has(group, today));

	/* Recorded: gone from Today, recorded on the screening. */
	record_crisis_action();
	g_assert_cmpuint(count_pending(win, NULL), ==, 0);
	wait_gone("today-pending-actions");
	g_assert_nonnull(find("today-safety"));

	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	remove_tree(dir);
}

/* The crisis dialog of a demo vault's first person (PHQ-9, item 9 = 1). */
static GtkWidget *
open_crisis_dialog(HearthWindow *win)
{
	hearth_id person;

	first_person(win, &person);
	g_assert_nonnull(hearth_screening_page_start(win, &person, "phq9"));
	answer_all(1, HEARTH_ANSWER_NONE);
	return wait_for("crisis-dialog");
}

/* "Lock when the window is left": the crisis dialog taking the focus is
 * not leaving Hearth; a window of another program taking it is. */
static void
test_focus_lock(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *vdir = g_build_filename(dir, "vault", NULL);
	g_autoptr(GSettings) settings = hearth_app_settings_new();
	HearthWindow *win;
	GtkWidget *dialog, *other;

	g_assert_nonnull(settings);
	g_settings_set_uint(settings, "auto-lock-minutes", 0);
	g_unsetenv("HEARTH_GUI_NO_FOCUS_LOCK");
	win = open_demo(vdir, FALSE, 1000, 760);
	hearth_window_use_settings(win, settings);
	/* Xvfb has no window manager: GTK gives the focus itself. */
	g_assert_true(wait_active(GTK_WINDOW(win), 10));

	dialog = open_crisis_dialog(win);
	g_assert_true(wait_active(GTK_WINDOW(dialog), 10));
	g_assert_false(gtk_window_is_active(GTK_WINDOW(win)));
	spin(1500);
	g_assert_nonnull(hearth_window_get_session(win));
	g_assert_nonnull(find("crisis-dialog"));

	/* Another program's window takes the focus: Hearth was left. */
	other = gtk_window_new();
	gtk_window_present(GTK_WINDOW(other));
	g_assert_true(wait_active(GTK_WINDOW(other), 10));
	g_assert_true(wait_locked(win, 10));
	gtk_window_destroy(GTK_WINDOW(other));

	g_setenv("HEARTH_GUI_NO_FOCUS_LOCK", "1", TRUE);
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	remove_tree(dir);
}

/* Real X input through the X server (the XTEST extension and a pointer
 * warp), so it reaches GTK as a user's would.  Looked up at run time:
 * the test links only what GTK does. */
typedef int (*WarpFn)(Display *, Window, Window, int, int, unsigned, unsigned, int, int);
typedef int (*FlushFn)(Display *);
typedef KeyCode (*KeycodeFn)(Display *, KeySym);
typedef int (*FakeKeyFn)(Display *, unsigned, Bool, unsigned long);

static void
x_pointer_over(GtkWidget *w, int x, int y)
{
	GdkSurface *surface = gtk_native_get_surface(GTK_NATIVE(w));
	Display *dpy = gdk_x11_display_get_xdisplay(gtk_widget_get_display(w));
	WarpFn warp = (WarpFn)dlsym(RTLD_DEFAULT, "XWarpPointer");
	FlushFn flush = (FlushFn)dlsym(RTLD_DEFAULT, "XFlush");

	g_assert_nonnull(warp);
	warp(dpy, None, gdk_x11_surface_get_xid(surface), 0, 0, 0, 0, x, y);
	flush(dpy);
}

static void
x_key_tap(GtkWidget *w, KeySym sym)
{
	static void *xtst;
	Display *dpy = gdk_x11_display_get_xdisplay(gtk_widget_get_display(w));
	KeycodeFn code = (KeycodeFn)dlsym(RTLD_DEFAULT, "XKeysymToKeycode");
	FlushFn flush = (FlushFn)dlsym(RTLD_DEFAULT, "XFlush");
	FakeKeyFn fake;

	if (xtst == NULL)
		xtst = dlopen("libXtst.so.6", RTLD_NOW);
	g_assert_nonnull(xtst);
	fake = (FakeKeyFn)dlsym(xtst, "XTestFakeKeyEvent");
	g_assert_nonnull(fake);
	fake(dpy, code(dpy, sym), True, 0);
	fake(dpy, code(dpy, sym), False, 0);
	flush(dpy);
}

/* Input on the crisis dialog (pointer, then keys) postpones the idle
 * lock; without input it comes. */
static void
test_idle_input(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *vdir = g_build_filename(dir, "vault", NULL);
	HearthWindow *win;
	GtkWidget *dialog;
	gint64 end, before;

	win = open_demo(vdir, FALSE, 1000, 760);
	if (!GDK_IS_X11_DISPLAY(gtk_widget_get_display(GTK_WIDGET(win)))) {
		g_test_skip("needs X11 (Xvfb)");
		gtk_window_destroy(GTK_WINDOW(win));
		return;
	}
	dialog = open_crisis_dialog(win);
	g_assert_true(wait_active(GTK_WINDOW(dialog), 10));
	hearth_window_set_lock_after(win, 2);
	hearth_window_touch(win);

	/* Twice the interval of pointer moves over the dialog. */
	before = hearth_window_get_last_input(win);
	end = g_get_monotonic_time() + 4 * G_USEC_PER_SEC;
	for (int i = 0; g_get_monotonic_time() < end; i++) {
		x_pointer_over(dialog, 20 + i % 40, 20 + i % 7);
		spin(200);
		g_assert_nonnull(hearth_window_get_session(win));
	}
	g_assert_cmpint(hearth_window_get_last_input(win), >, before);

	/* Twice the interval of key presses (Shift: changes nothing). */
	before = hearth_window_get_last_input(win);
	end = g_get_monotonic_time() + 4 * G_USEC_PER_SEC;
	while (g_get_monotonic_time() < end) {
		x_key_tap(dialog, XK_Shift_L);
		spin(200);
		g_assert_nonnull(hearth_window_get_session(win));
	}
	g_assert_cmpint(hearth_window_get_last_input(win), >, before);

	/* No input: it locks, and the result was saved before. */
	g_assert_true(wait_locked(win, 10));

	hearth_window_set_lock_after(win, 0);
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	remove_tree(dir);
}

/* Help lines as rows with hours and the day verified: a stale line warns
 * on Today, "Verified Today" in the preferences saves the day, and the
 * lock screen shows the vault's lines (kept in memory), or the defaults
 * before any unlock. */
static void
test_helplines(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *vdir = g_build_filename(dir, "vault", NULL);
	char today[HEARTH_DATE_LEN + 1];
	g_autofree char *verified = NULL;
	hearth_helpline *lines = NULL, *defaults = NULL;
	size_t n = 0, nd = 0;
	HearthWindow *win;
	GtkWidget *help;
	hearth_store *s;

	hearth_gui_today(today);
	verified = g_strdup_printf(_("Verified on %s"), today);
	win = open_demo(vdir, FALSE, 1000, 760);
	s = hearth_session_get_store(hearth_window_get_session(win));
	g_assert_cmpint(hearth_settings_set(s, HEARTH_SETTING_HELPLINES,
		"[{\"name\":\"Union Care Line\",\"number\":\"400 000 1234\","
		"\"hours\":\"9:00-21:00\",\"verified\":\"\"}]"), ==, HEARTH_OK);
	hearth_session_changed(hearth_window_get_session(win), HEARTH_CHANGE_SETTINGS);
	g_assert_true(hearth_window_show_view(win, "today"));
	wait_for("today-helplines-stale");

	/* Verified today, saved from the rows of the preferences. */
	gtk_window_present(GTK_WINDOW(hearth_preferences_new(NULL, win)));
	wait_for("helpline-0");
	adw_expander_row_set_expanded(ADW_EXPANDER_ROW(find("helpline-0")), TRUE);
	click("helpline-today-0");
	g_assert_cmpstr(gtk_editable_get_text(GTK_EDITABLE(find("helpline-verified-0"))),
			==, today);
	click("helplines-save");
	g_assert_cmpint(hearth_settings_helplines(s, "en", &lines, &n), ==, HEARTH_OK);
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpstr(lines[0].name, ==, "Union Care Line");
	g_assert_cmpstr(lines[0].hours, ==, "9:00-21:00");
	g_assert_cmpstr(lines[0].verified, ==, today);
	hearth_helplines_free(lines, n);
	close_others(win);
	wait_gone("today-helplines-stale");

	/* Locked: the lock screen's "Get Help Now" shows them, with their
	 * hours and the day verified. */
	hearth_window_lock(win);
	settle(win);
	click("unlock-help");
	help = wait_for("help-dialog");
	g_assert_true(shows_text(help, "Union Care Line"));
	g_assert_true(row_title_has(help, "Union Care Line"));
	{
		GtkWidget *first = gtk_widget_get_first_child(find_in(help, "helplines"));
		g_autofree char *sub = g_strdup_printf("9:00-21:00 · %s", verified);

		g_assert_cmpstr(adw_action_row_get_subtitle(ADW_ACTION_ROW(first)), ==, sub);
	}
	gtk_window_destroy(GTK_WINDOW(help));
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);

	/* A new window, never unlocked: the defaults. */
	win = hearth_window_new(NULL, vdir);
	gtk_window_present(GTK_WINDOW(win));
	click("unlock-help");
	help = wait_for("help-dialog");
	g_assert_cmpint(hearth_helplines_default(hearth_gui_lang(), &defaults, &nd), ==, HEARTH_OK);
	g_assert_cmpuint(nd, >, 0);
	g_assert_true(shows_text(help, defaults[0].name));
	g_assert_false(shows_text(help, "Union Care Line"));
	hearth_helplines_free(defaults, nd);
	gtk_window_destroy(GTK_WINDOW(help));
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	remove_tree(dir);
}

/* ---- labels from the core: instrument files and the vocabulary ---------- */

/* The band labels of the copy of phq9.json test_labels installs: no
 * catalogue, table or other file holds them. */
#define BAND_EN "Moderate symptoms (10-14), as the test file says"
#define BAND_ZH "中度症状（10-14分），测试文件所写"

/* Writes dir/instruments/phq9.json: the shipped PHQ-9 with the
 * "moderate" band's labels replaced by BAND_EN and BAND_ZH. */
static void
write_phq9_copy(const char *dir)
{
	g_autofree char *src = g_build_filename(g_getenv("HEARTH_DATA_DIR"),
						"instruments", "phq9.json", NULL);
	g_autofree char *idir = g_build_filename(dir, "instruments", NULL);
	g_autofree char *dst = g_build_filename(idir, "phq9.json", NULL);
	g_autofree char *text = NULL;
	GString *json;

	g_assert_true(g_file_get_contents(src, &text, NULL, NULL));
	json = g_string_new(text);
	g_assert_cmpuint(g_string_replace(json, "\"Moderate symptoms (10-14)\"",
					  "\"" BAND_EN "\"", 0), ==, 1);
	g_assert_cmpuint(g_string_replace(json, "\"中度症状（10-14分）\"",
					  "\"" BAND_ZH "\"", 0), ==, 1);
	g_assert_cmpint(g_mkdir_with_parents(idir, 0700), ==, 0);
	g_assert_true(g_file_set_contents(dst, json->str, (gssize)json->len, NULL));
	g_string_free(json, TRUE);
}

/* The subtitles of the action rows under root, one a line. */
static void
row_subtitles(GtkWidget *root, GString *out)
{
	if (ADW_IS_ACTION_ROW(root) && adw_action_row_get_subtitle(ADW_ACTION_ROW(root)))
		g_string_append_printf(out, "%s\n",
			adw_action_row_get_subtitle(ADW_ACTION_ROW(root)));
	for (GtkWidget *c = gtk_widget_get_first_child(root); c;
	     c = gtk_widget_get_next_sibling(c))
		row_subtitles(c, out);
}

static gboolean
is_combo_titled(GtkWidget *w, gconstpointer title)
{
	return ADW_IS_COMBO_ROW(w) &&
	       g_strcmp0(adw_preferences_row_get_title(ADW_PREFERENCES_ROW(w)), title) == 0;
}

/* The value chosen in the combo row titled title under root. */
static guint
combo_selected(GtkWidget *root, const char *title)
{
	GtkWidget *row = first_under(root, is_combo_titled, title);

	g_assert_nonnull(row);
	return adw_combo_row_get_selected(ADW_COMBO_ROW(row));
}

/* What the rows of page say under their titles, one a line. */
static char *
page_subtitles(HearthPersonPage *page)
{
	GString *subs = g_string_new(NULL);

	row_subtitles(GTK_WIDGET(page), subs);
	g_printerr("# the person's rows say:\n%s", subs->str);
	return g_string_free(subs, FALSE);
}

static void
test_labels(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *vdir = g_build_filename(dir, "vault", NULL);
	g_autofree char *ddir = g_build_filename(dir, "data", NULL);
	g_autofree char *data_dir = g_strdup(g_getenv("HEARTH_DATA_DIR"));
	g_autofree char *at = NULL;
	g_autofree char *noshow = NULL;
	g_autofree char *subs = NULL;
	static const int answers[9] = { 2, 2, 2, 2, 2, 0, 0, 0, 0 }; /* 10 */
	char today[HEARTH_DATE_LEN + 1];
	hearth_person_fields pf = { .name = "Band Person" };
	hearth_screening_input in = { 0 };
	hearth_screening_run_result run;
	hearth_appt_new an = { 0 };
	hearth_appt_result *ar = NULL;
	hearth_instrument *inst = NULL;
	HearthPersonPage *page;
	HearthWindow *win;
	hearth_store *s;
	hearth_id person;

	/* The copy is found before the shipped file (the search path). */
	write_phq9_copy(ddir);
	g_setenv("HEARTH_DATA_DIR", ddir, TRUE);

	g_assert_cmpint(g_mkdir_with_parents(vdir, 0700), ==, 0);
	win = show_vault(vdir, new_vault(vdir), HEARTH_MODE_COUNSELLOR, 1000, 760);
	s = hearth_session_get_store(hearth_window_get_session(win));
	hearth_gui_today(today);
	g_assert_cmpint(hearth_person_add(s, &pf, &person), ==, HEARTH_OK);
	g_assert_cmpint(hearth_person_set_risk(s, &person, "moderate", NULL), ==, HEARTH_OK);
	g_assert_cmpint(hearth_person_set_case(s, &person, "followup"), ==, HEARTH_OK);

	/* A PHQ-9 of 10, through the verb both faces use: band "moderate". */
	g_assert_cmpint(hearth_instrument_find("phq9", &inst), ==, HEARTH_OK);
	in.person = person;
	in.answers = answers;
	in.n_answers = G_N_ELEMENTS(answers);
	in.difficulty = HEARTH_ANSWER_NONE;
	in.lang = "en";
	in.at = today;
	g_assert_cmpint(hearth_screening_run(s, inst, &in, &run), ==, HEARTH_OK);
	g_assert_cmpstr(run.saved.score.band->id, ==, "moderate");
	hearth_screening_run_result_free(&run);
	hearth_instrument_free(inst);

	/* A session booked for later today. */
	at = g_strdup_printf("%s 23:00", today);
	an.person = person;
	an.at = at;
	g_assert_cmpint(hearth_appt_add(s, &an, &ar), ==, HEARTH_OK);
	g_assert_cmpuint(ar->n, ==, 1);

	/* The person's timeline names the band as the file does. */
	hearth_window_open_person(win, &person);
	settle(win);
	page = HEARTH_PERSON_PAGE(find_type(GTK_WIDGET(win), HEARTH_TYPE_PERSON_PAGE));
	g_assert_nonnull(page);
	subs = page_subtitles(page);
	g_assert_nonnull(strstr(subs, BAND_EN));
	/* The case and risk rows choose what is stored. */
	g_assert_cmpuint(combo_selected(GTK_WIDGET(page), _("Case state")), ==,
			 HEARTH_CASE_FOLLOWUP);
	g_assert_cmpuint(combo_selected(GTK_WIDGET(page), _("Risk level")), ==,
			 HEARTH_RISK_MODERATE);

	/* The appointment's actions: No-show as the vocabulary says it. */
	noshow = g_strdup_printf("_%s", hearth_appt_status_label(HEARTH_APPT_NOSHOW));
	g_assert_cmpstr(noshow, ==, "_No-show");
	hearth_appt_actions_ask(win, &ar->ids[0]);
	g_assert_nonnull(wait_for_button(noshow));
	close_others(win);
	hearth_appt_result_free(ar);

	/* In Chinese, the file's Chinese label. */
	set_language("zh_CN");
	g_assert_cmpstr(hearth_gui_lang(), ==, "zh_CN");
	hearth_person_page_reload(page);
	spin(100);
	g_free(subs);
	subs = page_subtitles(page);
	g_assert_nonnull(strstr(subs, BAND_ZH));
	g_assert_null(strstr(subs, BAND_EN));
	set_language("en");

	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	g_setenv("HEARTH_DATA_DIR", data_dir, TRUE);
	remove_tree(dir);
}

/* ---- text written on two devices at once --------------------------------- */

/* Ops copied out of a store: each op's strings and the ids it replaces
 * are the array's own. */
typedef struct {
	GArray *ops;        /* hearth_op */
	GPtrArray *owned;   /* the strings and prev arrays the ops point at */
} OpCopy;

static int
copy_op(const hearth_op *op, uint64_t arrival, hearth_op_state state, void *ctx)
{
	OpCopy *c = ctx;
	hearth_op o = *op;

	(void)arrival;
	(void)state;
	o.kind = g_strdup(op->kind);
	o.field = g_strdup(op->field);
	o.value = g_strdup(op->value);
	o.prev = g_memdup2(op->prev, op->nprev * sizeof *op->prev);
	g_ptr_array_add(c->owned, (char *)o.kind);
	g_ptr_array_add(c->owned, (char *)o.field);
	g_ptr_array_add(c->owned, (char *)o.value);
	g_ptr_array_add(c->owned, (hearth_op_id *)o.prev);
	g_array_append_val(c->ops, o);
	return 0;
}

/* Sends every op of from to to, as a whole sync would. */
static void
send_all(hearth_store *from, hearth_store *to)
{
	OpCopy c = { g_array_new(FALSE, FALSE, sizeof(hearth_op)),
		     g_ptr_array_new_with_free_func(g_free) };

	g_assert_cmpint(hearth_store_ops_since(from, 0, copy_op, &c), ==, HEARTH_OK);
	g_assert_cmpint(hearth_store_apply(to, (const hearth_op *)(void *)c.ops->data,
					   c.ops->len, NULL), ==, HEARTH_OK);
	g_array_unref(c.ops);
	g_ptr_array_unref(c.owned);
}

static int
count_conflict(const char *field, const char *value, void *ctx)
{
	(*(guint *)ctx)++;
	return 0;
}

static gboolean
is_showing_row(GtkWidget *w, gconstpointer text)
{
	return ADW_IS_ACTION_ROW(w) &&
	       g_strcmp0(adw_preferences_row_get_title(ADW_PREFERENCES_ROW(w)), text) == 0;
}

/* The button that keeps the text a row of the conflict group shows. */
static GtkWidget *
keep_button_for(GtkWidget *group, const char *text)
{
	GtkWidget *row = first_under(group, is_showing_row, text);

	g_assert_nonnull(row);
	return find_in(row, "person-conflict-keep");
}

static void
test_conflict(void)
{
	static const char note_here[] = "Trouble sleeping after night shifts";
	static const char note_there[] = "夜班后睡不着，想换岗";
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *vdir = g_build_filename(dir, "vault", NULL);
	g_autofree char *other_db = g_build_filename(dir, "other.db", NULL);
	g_autofree char *label = NULL;
	g_autoptr(hearth_record) r = NULL;
	hearth_person_fields pf = { .name = "Zhao Lei" };
	const char *shown, *other;
	GtkWidget *page, *group, *keep;
	hearth_store *s, *b = NULL;
	HearthWindow *win;
	sqlite3 *db = NULL;
	hearth_id person;
	guint n = 0;

	g_assert_cmpint(g_mkdir_with_parents(vdir, 0700), ==, 0);
	win = show_vault(vdir, new_vault(vdir), HEARTH_MODE_COUNSELLOR, 800, 900);
	s = hearth_session_get_store(hearth_window_get_session(win));

	/* A second device: its own store file, which has the person. */
	g_assert_cmpint(sqlite3_open(other_db, &db), ==, SQLITE_OK);
	g_assert_cmpint(hearth_schema_migrate(db, hearth_schema_latest()), ==, HEARTH_OK);
	g_assert_cmpint(hearth_store_open(db, NULL, &b), ==, HEARTH_OK);
	g_assert_cmpint(hearth_person_add(s, &pf, &person), ==, HEARTH_OK);
	send_all(s, b);

	/* Each device writes the note before they sync. */
	pf.name = NULL;
	pf.note = note_here;
	g_assert_cmpint(hearth_person_update(s, &person, &pf), ==, HEARTH_OK);
	pf.note = note_there;
	g_assert_cmpint(hearth_person_update(b, &person, &pf), ==, HEARTH_OK);
	send_all(s, b);
	send_all(b, s);
	g_assert_cmpint(hearth_person_conflicts(s, &person, count_conflict, &n), ==,
			HEARTH_OK);
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpint(hearth_record_load(s, &person, &r), ==, HEARTH_OK);
	shown = hearth_record_field(r, "note");
	g_assert_nonnull(shown);
	other = strcmp(shown, note_here) == 0 ? note_there : note_here;

	/* The page shows both texts, the one kept beside with a button a
	 * screen reader names. */
	hearth_window_open_person(win, &person);
	settle(win);
	page = find_type(GTK_WIDGET(win), HEARTH_TYPE_PERSON_PAGE);
	g_assert_nonnull(page);
	group = find_in(page, "person-conflicts");
	g_assert_nonnull(group);
	g_assert_cmpstr(adw_preferences_group_get_title(ADW_PREFERENCES_GROUP(group)), ==,
			"Written on Two Devices at Once");
	g_assert_true(shows_text(group, note_here));
	g_assert_true(shows_text(group, note_there));
	g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(find_in(page, "person-note"))), ==,
			shown);
	/* Only the other text has a button: the shown one is kept by
	 * editing it. */
	g_assert_null(keep_button_for(group, shown));
	keep = keep_button_for(group, other);
	g_assert_nonnull(keep);
	label = a11y_label(keep);
	g_assert_cmpstr(label, ==, "Keep this note");
	{
		/* The group fits a phone (GNOME's 360 px). */
		int min = 0;

		gtk_widget_measure(group, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL,
				   NULL, NULL);
		g_assert_cmpint(min, <=, 360 - 24);
	}
	if (g_getenv("HEARTH_GUI_SHOTS") != NULL) {
		g_autofree char *png = g_build_filename(g_getenv("HEARTH_GUI_SHOTS"),
							"conflict.png", NULL);
		g_autoptr(GError) err = NULL;

		if (!hearth_screenshot_save(GTK_WIDGET(win), png, &err))
			g_error("%s: %s", png, err->message);
	}
	{
		/* Every control of the page named and reached by keyboard,
		 * as /gui/a11y checks the pages it walks. */
		g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(GHashTable) reached = g_hash_table_new_full(g_direct_hash,
			g_direct_equal, g_object_unref, NULL);
		g_autoptr(GHashTable) told = g_hash_table_new_full(g_str_hash,
			g_str_equal, g_free, NULL);
		Audit a = { NULL, NULL, bad, told, reached, 0 };

		audit(&a, "conflict", "800x900");
		for (guint i = 0; i < bad->len; i++)
			g_printerr("a11y offender: %s\n", (char *)bad->pdata[i]);
		g_assert_cmpuint(bad->len, ==, 0);
	}

	/* In Chinese too. */
	set_language("zh_CN");
	hearth_person_page_reload(HEARTH_PERSON_PAGE(page));
	spin(100);
	group = find_in(page, "person-conflicts");
	g_assert_nonnull(group);
	g_assert_cmpstr(adw_preferences_group_get_title(ADW_PREFERENCES_GROUP(group)), ==,
			"两台设备同时写入");
	g_free(label);
	label = a11y_label(keep_button_for(group, other));
	g_assert_cmpstr(label, ==, "保留这条备注");
	{
		/* (The page's template was built in English: its header
		 * is checked by /gui/zh_CN.) */
		g_autoptr(GHashTable) ids = english_msgids();
		g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func(g_free);

		check_texts(group, ids, bad);
		for (guint i = 0; i < bad->len; i++)
			g_printerr("untranslated: %s\n", (char *)bad->pdata[i]);
		g_assert_cmpuint(bad->len, ==, 0);
	}
	if (g_getenv("HEARTH_GUI_SHOTS") != NULL) {
		g_autofree char *png = g_build_filename(g_getenv("HEARTH_GUI_SHOTS"),
							"conflict-zh.png", NULL);
		g_autoptr(GError) err = NULL;

		spin(200);
		if (!hearth_screenshot_save(GTK_WIDGET(win), png, &err))
			g_error("%s: %s", png, err->message);
	}
	set_language("en");
	hearth_person_page_reload(HEARTH_PERSON_PAGE(page));
	spin(100);

	/* Keeping the other text writes it: the group goes, the note
	 * shows it, and the store holds one value. */
	keep = keep_button_for(find_in(page, "person-conflicts"), other);
	g_assert_true(gtk_widget_is_sensitive(keep));
	g_signal_emit_by_name(keep, "clicked");
	spin(100);
	g_assert_null(find_in(page, "person-conflicts"));
	g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(find_in(page, "person-note"))), ==,
			other);
	n = 0;
	g_assert_cmpint(hearth_person_conflicts(s, &person, count_conflict, &n), ==,
			HEARTH_OK);
	g_assert_cmpuint(n, ==, 0);
	g_clear_pointer(&r, hearth_record_free);
	g_assert_cmpint(hearth_record_load(s, &person, &r), ==, HEARTH_OK);
	g_assert_cmpstr(hearth_record_field(r, "note"), ==, other);

	/* The other device, once synced, has the kept text alone too. */
	send_all(s, b);
	n = 0;
	g_assert_cmpint(hearth_person_conflicts(b, &person, count_conflict, &n), ==,
			HEARTH_OK);
	g_assert_cmpuint(n, ==, 0);

	hearth_store_close(b);
	sqlite3_close(db);
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	remove_tree(dir);
}

/* The line under the person's name on their page (NULL: none). */
static const char *
person_details(HearthWindow *win, const hearth_id *person)
{
	GtkWidget *page, *w;

	hearth_window_open_person(win, person);
	settle(win);
	page = find_type(GTK_WIDGET(win), HEARTH_TYPE_PERSON_PAGE);
	g_assert_nonnull(page);
	w = find_in(page, "person-details");
	return w != NULL ? gtk_label_get_text(GTK_LABEL(w)) : NULL;
}

static void
test_details(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	hearth_person_fields bare = { .name = "No Details" };
	hearth_person_fields phone = { .name = "Phone Only", .phone = "555-0100" };
	hearth_person_fields unit = { .name = "Unit Only", .unit = "Night Shift" };
	hearth_person_fields all = { .name = "All Details", .unit = "Night Shift",
				     .phone = "555-0100" };
	const char *tags[] = { "shift" };
	hearth_id id[4];
	HearthWindow *win;
	hearth_store *s;

	all.tags = tags;
	all.ntags = 1;
	win = show_vault(dir, new_vault(dir), HEARTH_MODE_COUNSELLOR, 800, 760);
	s = hearth_session_get_store(hearth_window_get_session(win));
	g_assert_cmpint(hearth_person_add(s, &bare, &id[0]), ==, HEARTH_OK);
	g_assert_cmpint(hearth_person_add(s, &phone, &id[1]), ==, HEARTH_OK);
	g_assert_cmpint(hearth_person_add(s, &unit, &id[2]), ==, HEARTH_OK);
	g_assert_cmpint(hearth_person_add(s, &all, &id[3]), ==, HEARTH_OK);
	g_assert_null(person_details(win, &id[0]));
	g_assert_cmpstr(person_details(win, &id[1]), ==, "555-0100");
	g_assert_cmpstr(person_details(win, &id[2]), ==, "Night Shift");
	g_assert_cmpstr(person_details(win, &id[3]), ==, "Night Shift · shift · 555-0100");
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	remove_tree(dir);
}

/* A wall clock a day ahead of the real one (ms since the epoch). */
static uint64_t
day_ahead_now(void *ctx)
{
	(void)ctx;
	return (uint64_t)(g_get_real_time() / 1000) + 86400000u;
}

static gboolean
label_holds(GtkWidget *w, gconstpointer text)
{
	return GTK_IS_LABEL(w) && gtk_widget_get_mapped(w) &&
	       strstr(gtk_label_get_text(GTK_LABEL(w)), text) != NULL;
}

/* Runs the main loop until a label in win shows text; returns it. */
static GtkWidget *
wait_label(HearthWindow *win, const char *text)
{
	gint64 end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
	GtkWidget *w;

	while ((w = first_under(GTK_WIDGET(win), label_holds, text)) == NULL) {
		if (g_get_monotonic_time() > end)
			g_error("no label shows '%s'", text);
		spin(50);
	}
	return w;
}

/* Saves widget as HEARTH_GUI_SHOTS/name when asked. */
static void
maybe_shot(GtkWidget *widget, const char *name)
{
	g_autofree char *png = NULL;
	g_autoptr(GError) err = NULL;

	if (g_getenv("HEARTH_GUI_SHOTS") == NULL)
		return;
	png = g_build_filename(g_getenv("HEARTH_GUI_SHOTS"), name, NULL);
	spin(300);
	if (!hearth_screenshot_save(widget, png, &err))
		g_error("%s: %s", png, err->message);
}

/* Opens the vault in dir (with the real clock) in a 360 px window, waits
 * for the clock notice's toast titled title, checks it fits, presses its
 * Details and checks that the dialog's body holds each of body[] (NULL
 * ends).  Saves the window and the dialog as HEARTH_GUI_SHOTS/shot and
 * HEARTH_GUI_SHOTS/details-shot when asked. */
static void
clock_notice_shown(const char *dir, const char *title, const char *details,
		   const char *const *body, const char *shot, const char *details_shot)
{
	hearth_vault *v = NULL;
	HearthWindow *win;
	GtkWidget *label, *button, *dialog;
	const char *text;

	g_assert_cmpint(hearth_vault_open(dir, GUI_TEST_PASSPHRASE,
					  strlen(GUI_TEST_PASSPHRASE), NULL, &v), ==, HEARTH_OK);
	win = show_vault(dir, v, HEARTH_MODE_COUNSELLOR, 360, 720);
	label = wait_label(win, title);
	g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(label)), ==, title);
	/* Told once: the window took every notice of this open. */
	g_assert_cmpint(hearth_vault_take_notice(hearth_session_get_vault(
		hearth_window_get_session(win)), NULL), ==, 0);
	/* The title is whole at a phone's width (GNOME's 360 px): a
	 * toast's title is one line, cut with an ellipsis. */
	settle(win);
	spin(300);
	maybe_shot(GTK_WIDGET(win), shot);
	g_assert_false(pango_layout_is_ellipsized(gtk_label_get_layout(GTK_LABEL(label))));

	button = find_button(GTK_WIDGET(win), details);
	g_assert_nonnull(button);
	g_signal_emit_by_name(button, "clicked");
	dialog = wait_for("notice-details");
	text = adw_message_dialog_get_body(ADW_MESSAGE_DIALOG(dialog));
	for (; *body != NULL; body++)
		if (strstr(text, *body) == NULL)
			g_error("the details '%s' do not say '%s'", text, *body);
	maybe_shot(dialog, details_shot);
	close_others(win);
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
}

/* A device whose clock ran a day fast wrote day-ahead stamps; with the
 * clock right again, unlocking shows a toast "Clock is behind" whose
 * Details say by how much, what to check, until when changes saved here win,
 * and that stamps stay, in English and in Chinese.  HEARTH_GUI_SHOTS=DIR
 * saves them at 360 px as DIR/clock-notice*.png. */
static void
test_clock_notice(void)
{
	static const char *const en[] = { "This device's clock is 1 day behind",
		"Check the date and time settings.", "Until about ",
		"changes saved here win over edits made on other devices",
		"cannot be moved back", NULL };
	static const char *const zh[] = { "本设备的时钟比 Hearth 已保存的时间戳慢 1 天",
		"请检查日期和时间设置。", "在约 ", "已保存的时间戳无法改回。", NULL };
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	hearth_store_options fast = { .now = day_ahead_now };
	hearth_vault_options opt = { .store = &fast };
	hearth_person_fields p = { .name = "Chen Jing" };
	hearth_vault *v = new_vault(dir);
	hearth_id id;

	hearth_vault_close(v);
	v = NULL;
	g_assert_cmpint(hearth_vault_open(dir, GUI_TEST_PASSPHRASE,
					  strlen(GUI_TEST_PASSPHRASE), &opt, &v), ==, HEARTH_OK);
	g_assert_cmpint(hearth_person_add(hearth_vault_store(v), &p, &id), ==, HEARTH_OK);
	hearth_vault_close(v);

	clock_notice_shown(dir, "Clock is behind", "Details", en,
			   "clock-notice.png", "clock-notice-details.png");

	/* Every open tells it again while it lasts; in Chinese too. */
	set_language("zh_CN");
	clock_notice_shown(dir, "本设备时钟偏慢", "详情", zh,
			   "clock-notice-zh.png", "clock-notice-details-zh.png");
	set_language("en");
	remove_tree(dir);
}

#ifdef HEARTH_GUI_RELAY
/* ---- syncing through a real relay ------------------------------------------ */

typedef struct {
	char *dir;
	char store[512];
	char url[64];
	relay_config cfg;
	relay_server *srv;
	HearthWindow *win;
	hearth_store *s;    /* the window's vault's (while no sync runs) */
	hearth_id space;
} SyncFixture;

static void
sync_fixture_up(SyncFixture *f)
{
	g_autofree char *vdir = NULL;
	char err[256];
	hearth_vault *v;

	memset(f, 0, sizeof *f);
	f->dir = g_dir_make_tmp("hearth-gui-sync-XXXXXX", NULL);
	g_assert_nonnull(f->dir);
	snprintf(f->store, sizeof f->store, "sqlite:%s/relay.db", f->dir);
	f->cfg.listen = "127.0.0.1:0";
	f->cfg.store = f->store;
	f->cfg.rate = 0;
	f->cfg.threads = 2;
	if (relay_server_start(&f->cfg, &f->srv, err, sizeof err) != 0)
		g_error("relay_server_start: %s", err);
	snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u", relay_server_port(f->srv));
	vdir = g_build_filename(f->dir, "vault", NULL);
	v = new_vault(vdir);
	f->s = hearth_vault_store(v);
	g_assert_cmpint(hearth_space_create(f->s, "Dock team", &f->space), ==, HEARTH_OK);
	g_assert_cmpint(hearth_settings_set(f->s, HEARTH_SETTING_RELAY_URL, f->url), ==,
			HEARTH_OK);
	f->win = show_vault(vdir, v, HEARTH_MODE_COUNSELLOR, 1000, 760);
}

static void
sync_fixture_down(SyncFixture *f)
{
	gtk_window_destroy(GTK_WINDOW(f->win));
	spin(100);
	if (f->srv != NULL)
		relay_server_stop(f->srv);
	remove_tree(f->dir);
	g_free(f->dir);
}

/* Runs the main loop until the session's sync has ended (its worker
 * joined, every page told), at most 60 s. */
static void
wait_sync_end(HearthWindow *win)
{
	HearthSession *session = hearth_window_get_session(win);
	gint64 end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

	while (hearth_session_syncing(session)) {
		if (g_get_monotonic_time() > end)
			g_error("the sync did not end within 60 s");
		turn();
	}
	settle(win);
}

/* The first row named name under root whose title is title, or NULL. */
static AdwActionRow *
row_titled(GtkWidget *root, const char *name, const char *title)
{
	for (GtkWidget *c = gtk_widget_get_first_child(root); c != NULL;
	     c = gtk_widget_get_next_sibling(c)) {
		AdwActionRow *r;

		if (ADW_IS_ACTION_ROW(c) && g_strcmp0(gtk_widget_get_name(c), name) == 0 &&
		    g_strcmp0(adw_preferences_row_get_title(ADW_PREFERENCES_ROW(c)), title) == 0)
			return ADW_ACTION_ROW(c);
		if ((r = row_titled(c, name, title)) != NULL)
			return r;
	}
	return NULL;
}

/* HEARTH_GUI_SHOTS=DIR: saves win at 360x640 as DIR/name.png. */
static void
sync_shot(HearthWindow *win, const char *name)
{
	g_autofree char *png = NULL;
	g_autoptr(GError) err = NULL;

	if (g_getenv("HEARTH_GUI_SHOTS") == NULL)
		return;
	hearth_screenshot_set_content_size(GTK_WINDOW(win), 360, 640);
	settle(win);
	spin(300);
	png = g_strdup_printf("%s/%s.png", g_getenv("HEARTH_GUI_SHOTS"), name);
	if (!hearth_screenshot_save(GTK_WIDGET(win), png, &err))
		g_error("%s: %s", png, err->message);
}

/* The primary menu's Sync item's label, as the menu shows it when
 * opened. */
static char *
sync_menu_label(HearthWindow *win)
{
	GtkWidget *mb = find_type(hearth_window_get_root_view(win), GTK_TYPE_MENU_BUTTON);
	GMenuModel *section;
	char *label = NULL;

	g_assert_nonnull(mb);
	gtk_menu_button_popup(GTK_MENU_BUTTON(mb));
	spin(100);
	section = g_menu_model_get_item_link(gtk_menu_button_get_menu_model(GTK_MENU_BUTTON(mb)),
					     0, G_MENU_LINK_SECTION);
	for (int i = 0; i < g_menu_model_get_n_items(section) && label == NULL; i++) {
		g_autofree char *action = NULL;

		if (g_menu_model_get_item_attribute(section, i, G_MENU_ATTRIBUTE_ACTION, "s",
						    &action) && strcmp(action, "win.sync") == 0)
			g_assert_true(g_menu_model_get_item_attribute(section, i,
				G_MENU_ATTRIBUTE_LABEL, "s", &label));
	}
	g_object_unref(section);
	gtk_menu_button_popdown(GTK_MENU_BUTTON(mb));
	spin(50);
	g_assert_nonnull(label);
	return label;
}

/* A relay that takes connections and never answers: a sync to it runs
 * until stopped.  Its URL into url; the listening socket (close it). */
static int
silent_relay(char *url, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof sa;
	int fd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof sa), ==, 0);
	g_assert_cmpint(listen(fd, 8), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sa, &salen), ==, 0);
	snprintf(url, len, "http://127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
	return fd;
}

/* "sync-space", on the main loop while the sync runs: the store is the
 * worker's meanwhile (a page refreshing on its own gets none), and the
 * progress bar shows. */
static void
count_space(HearthSession *session, const char *hex, guint index, guint count,
	    gpointer data)
{
	g_assert_cmpuint(index, <, count);
	g_assert_true(hearth_session_syncing(session));
	g_assert_null(hearth_session_peek_store(session));
	g_assert_true(gtk_widget_get_visible(find("sync-progress")));
	(*(guint *)data)++;
}

static void
test_sync(void)
{
	SyncFixture f;
	AdwActionRow *row;
	hearth_relaysync_attention a;
	guint spaces_begun = 0;
	g_autofree char *before = NULL, *after = NULL;

	sync_fixture_up(&f);
	/* Never synced: the menu says just Sync. */
	before = sync_menu_label(f.win);
	g_assert_cmpstr(before, ==, "_Sync");
	g_signal_connect(hearth_window_get_session(f.win), "sync-space",
			 G_CALLBACK(count_space), &spaces_begun);
	/* The primary menu's Sync. */
	g_assert_true(gtk_widget_activate_action(GTK_WIDGET(f.win), "win.sync", NULL));
	wait_for("sync-now");
	g_assert_cmpstr(gtk_editable_get_text(GTK_EDITABLE(find("sync-relay-url"))), ==, f.url);
	/* Never synced: no space row yet. */
	g_assert_null(row_titled(GTK_WIDGET(f.win), "sync-space", "Dock team"));
	/* A sync to a relay in this process may end within the click's
	 * own turns of the main loop: what holds while it runs is checked in
	 * count_space. */
	click("sync-now");
	wait_sync_end(f.win);
	g_assert_false(gtk_widget_get_visible(find("sync-progress")));
	g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(find("sync-result"))), ==, "Synced.");
	/* The progress named the space, the first of one. */
	g_assert_cmpuint(spaces_begun, ==, 1);
	g_assert_true(g_str_has_prefix(gtk_progress_bar_get_text(GTK_PROGRESS_BAR(
		find_type(find("sync-progress"), GTK_TYPE_PROGRESS_BAR))), "Dock team (1 of 1): "));
	row = row_titled(GTK_WIDGET(f.win), "sync-space", "Dock team");
	g_assert_nonnull(row);
	g_assert_cmpstr(adw_action_row_get_subtitle(row), ==, "Synced just now");
	g_assert_true(gtk_widget_is_sensitive(find("sync-now")));
	/* What the core kept: a whole sync, no problem. */
	g_assert_cmpint(hearth_relaysync_attention_get(f.s, g_get_real_time() / G_USEC_PER_SEC,
						       &a), ==, HEARTH_OK);
	g_assert_cmpint(a.need, ==, HEARTH_RELAYSYNC_FINE);
	g_assert_cmpint(a.synced_at, >, 0);
	/* The menu says when. */
	after = sync_menu_label(f.win);
	g_assert_cmpstr(after, ==, "_Sync (Synced just now)");
	sync_shot(f.win, "sync-done");
	/* Locked while a sync runs: the worker is stopped and joined before
	 * the vault closes, and its reports still queued find no sync.  The
	 * sync goes to a relay that never answers, so that it still runs
	 * (one to the relay here may end within the click). */
	hearth_screenshot_set_content_size(GTK_WINDOW(f.win), 1000, 760);
	settle(f.win);
	{
		char url[64];
		int fd = silent_relay(url, sizeof url);

		g_signal_handlers_disconnect_by_func(hearth_window_get_session(f.win),
						     G_CALLBACK(count_space), &spaces_begun);
		g_assert_cmpint(hearth_session_sync_start(hearth_window_get_session(f.win), url,
							  NULL), ==, HEARTH_OK);
		spin(100);
		g_assert_true(hearth_session_syncing(hearth_window_get_session(f.win)));
		hearth_window_lock(f.win);
		settle(f.win);
		spin(300);
		g_assert_null(hearth_window_get_session(f.win));
		close(fd);
	}
	sync_fixture_down(&f);
}

static void
test_sync_today(void)
{
	SyncFixture f;
	hearth_relaysync_opts o;
	hearth_sync_relay_state rs;
	AdwActionRow *row;
	int found = 0;

	sync_fixture_up(&f);
	/* A whole sync, then its time moved four days back, as a device
	 * left in a drawer would find it. */
	memset(&o, 0, sizeof o);
	g_assert_cmpint(hearth_relaysync(f.s, &o, NULL, NULL), ==, HEARTH_OK);
	g_assert_cmpint(hearth_sync_relay_get(f.s, f.url, &f.space, &rs, &found), ==, HEARTH_OK);
	g_assert_true(found);
	rs.synced_at -= 4 * 86400 + 60;
	g_assert_cmpint(hearth_sync_relay_put(f.s, f.url, &f.space, &rs), ==, HEARTH_OK);
	hearth_session_changed(hearth_window_get_session(f.win), HEARTH_CHANGE_SETTINGS);
	g_assert_true(hearth_window_show_view(f.win, "today"));
	wait_for("today-sync-problem");
	row = row_titled(GTK_WIDGET(f.win), "today-sync-problem", "Not synced for 4 days");
	g_assert_nonnull(row);
	/* Its Sync Now syncs, and the row goes. */
	click("today-sync-now");
	wait_sync_end(f.win);
	wait_gone("today-sync-problem");

	/* The relay gone: the sync fails and Today says so in words. */
	relay_server_stop(f.srv);
	f.srv = NULL;
	g_assert_cmpint(hearth_session_sync_start(hearth_window_get_session(f.win), NULL, NULL),
			==, HEARTH_OK);
	wait_sync_end(f.win);
	wait_for("today-sync-problem");
	g_assert_nonnull(row_titled(GTK_WIDGET(f.win), "today-sync-problem",
		"The relay could not be reached. Check the network, then sync again."));
	sync_shot(f.win, "today-sync-problem");
	/* The Sync page says the problem in words beside the space. */
	g_assert_true(gtk_widget_activate_action(GTK_WIDGET(f.win), "win.sync", NULL));
	wait_for("sync-now");
	row = row_titled(GTK_WIDGET(f.win), "sync-space", "Dock team");
	g_assert_nonnull(row);
	g_assert_nonnull(strstr(adw_action_row_get_subtitle(row),
		"\nThe relay could not be reached. Check the network, then sync again."));
	sync_shot(f.win, "sync-problem");
	sync_fixture_down(&f);
}

/* In Chinese, a relay that refuses this device: its 403 is kept as a
 * refusal (not "unreachable") and both faces say so in Chinese.  Before,
 * Today said 中继不可达 for any failure and the Sync page showed the
 * relay's English sentence. */
static void
test_sync_refused_zh_CN(void)
{
	static const char *const allow[] = {
		"00000 00000 00000 00000 00000 00000 00000 00000 00000 00000 00000 00000",
	};
	static const char refused[] = "中继拒绝了本设备的请求。请联系中继的管理者或团队负责人。";
	SyncFixture f;
	AdwActionRow *row;
	char err[256], listen[32];
	const char *sub;

	set_language("zh_CN");
	sync_fixture_up(&f);
	/* The same relay, now registering spaces only for an identity that
	 * is not this vault's. */
	snprintf(listen, sizeof listen, "127.0.0.1:%u", relay_server_port(f.srv));
	relay_server_stop(f.srv);
	f.cfg.listen = listen;
	f.cfg.register_allow = allow;
	f.cfg.nregister_allow = 1;
	if (relay_server_start(&f.cfg, &f.srv, err, sizeof err) != 0)
		g_error("relay_server_start: %s", err);
	g_assert_cmpint(hearth_session_sync_start(hearth_window_get_session(f.win), NULL, NULL),
			==, HEARTH_OK);
	wait_sync_end(f.win);
	g_assert_true(hearth_window_show_view(f.win, "today"));
	wait_for("today-sync-problem");
	g_assert_nonnull(row_titled(GTK_WIDGET(f.win), "today-sync-problem", refused));
	g_assert_null(row_titled(GTK_WIDGET(f.win), "today-sync-problem", "中继不可达"));
	sync_shot(f.win, "today-sync-refused-zh_CN");
	g_assert_true(gtk_widget_activate_action(GTK_WIDGET(f.win), "win.sync", NULL));
	wait_for("sync-now");
	row = row_titled(GTK_WIDGET(f.win), "sync-space", "Dock team");
	g_assert_nonnull(row);
	sub = adw_action_row_get_subtitle(row);
	g_assert_nonnull(strstr(sub, refused));
	/* The relay's English detail is kept (for `hearth sync status`),
	 * not shown here. */
	g_assert_null(strstr(sub, "forbidden"));
	g_assert_null(strstr(sub, "Problem"));
	/* Synced again from this page: its result says the same. */
	click("sync-now");
	wait_sync_end(f.win);
	g_assert_true(g_str_has_prefix(gtk_label_get_text(GTK_LABEL(find("sync-result"))),
				       refused));
	/* The relay's error code in words of the user's language. */
	g_assert_nonnull(strstr(gtk_label_get_text(GTK_LABEL(find("sync-result"))), "无权限"));
	g_assert_null(strstr(gtk_label_get_text(GTK_LABEL(find("sync-result"))), "forbidden"));
	sync_shot(f.win, "sync-refused-zh_CN");
	sync_fixture_down(&f);
	set_language("en");
}

/* A PHQ-9 with item 9 marked, submitted while a sync runs, is saved with
 * its safety follow-up: the sync stops for it.  The relay here is a
 * socket that takes the connection and never answers, so the sync would
 * otherwise run for minutes; before, Submit did nothing meanwhile. */
static void
test_sync_write(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-syncw-XXXXXX", NULL);
	g_autofree char *vdir = g_build_filename(dir, "vault", NULL);
	hearth_person_fields pf = { .name = "王芳" };
	HearthSession *session;
	HearthWindow *win;
	hearth_store *s;
	hearth_id person, space;
	char url[64];
	int fd = silent_relay(url, sizeof url);

	win = show_vault(vdir, new_vault(vdir), HEARTH_MODE_COUNSELLOR, 1000, 760);
	session = hearth_window_get_session(win);
	s = hearth_session_get_store(session);
	g_assert_cmpint(hearth_space_create(s, "Dock team", &space), ==, HEARTH_OK);
	g_assert_cmpint(hearth_person_add(s, &pf, &person), ==, HEARTH_OK);
	g_assert_cmpint(hearth_session_sync_start(session, url, NULL), ==, HEARTH_OK);
	spin(300);
	g_assert_true(hearth_session_syncing(session));

	g_assert_nonnull(hearth_screening_page_start(win, &person, "phq9"));
	answer_all(2, HEARTH_ANSWER_NONE);
	/* Saved, the safety action pending, and the sync stopped for it. */
	g_assert_false(hearth_session_syncing(session));
	g_assert_cmpuint(count_screenings(win, &person), ==, 1);
	g_assert_cmpuint(count_pending(win, &person), ==, 1);

	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	close(fd);
	remove_tree(dir);
}
#endif

/* ---- the Team page ---------------------------------------------------------- */

/* Makes who's vault a counsellor of space, which lead leads: an
 * invitation, who's join request, the lead's approval.  The member
 * record's id. */
static hearth_id
team_member(hearth_store *lead, hearth_store *who, const hearth_id *space)
{
	char *code = NULL, *req = NULL;
	hearth_invitation inv;
	hearth_id m;

	g_assert_cmpint(hearth_space_invite(lead, space, HEARTH_ROLE_COUNSELLOR, 0, &code),
			==, HEARTH_OK);
	g_assert_cmpint(hearth_space_join(who, code, &req, &inv), ==, HEARTH_OK);
	g_assert_cmpint(hearth_space_approve(lead, space, req, &m, NULL), ==, HEARTH_OK);
	free(code);
	free(req);
	return m;
}

typedef struct team_members {
	int current;
	hearth_id self;
	hearth_id v[4];
	int removed[4];
	int n;
} team_members;

static int
team_members_cb(const hearth_space_member_info *m, void *ctx)
{
	team_members *t = ctx;

	if (m->self)
		t->self = m->record;
	t->current += !m->removed;
	if (t->n < 4) {
		t->removed[t->n] = m->removed;
		t->v[t->n++] = m->record;
	}
	return 0;
}

/* 1 if the core lists member as a current member of space. */
static gboolean
team_is_current(hearth_store *s, const hearth_id *space, const hearth_id *member,
		team_members *t)
{
	memset(t, 0, sizeof *t);
	g_assert_cmpint(hearth_space_members_each(s, space, team_members_cb, t), ==, HEARTH_OK);
	for (int i = 0; i < t->n; i++)
		if (hearth_id_equal(&t->v[i], member))
			return !t->removed[i];
	return FALSE;
}

/* "team-member-<8 hex>": the row of member record id. */
static GtkWidget *
team_row(const hearth_id *id, const char *prefix)
{
	char hex[HEARTH_ID_HEX + 1];
	g_autofree char *name = NULL;

	hearth_id_to_hex(id, hex);
	name = g_strdup_printf("%s%.8s", prefix, hex);
	return find(name);
}

/* Opens the Team page as the primary menu does (its item's action). */
static GtkWidget *
team_open(HearthWindow *win, const char *wait)
{
	GtkWidget *view = find_type(GTK_WIDGET(win), HEARTH_TYPE_COUNSELLOR_VIEW);
	GtkWidget *menu = find_type(view, GTK_TYPE_MENU_BUTTON);
	GMenuModel *model = gtk_menu_button_get_menu_model(GTK_MENU_BUTTON(menu));
	gboolean listed = FALSE;

	/* The primary menu names it. */
	for (int sec = 0; sec < g_menu_model_get_n_items(model); sec++) {
		GMenuModel *section = g_menu_model_get_item_link(model, sec, G_MENU_LINK_SECTION);

		for (int i = 0; section != NULL && i < g_menu_model_get_n_items(section); i++) {
			g_autofree char *action = NULL;

			if (g_menu_model_get_item_attribute(section, i, G_MENU_ATTRIBUTE_ACTION,
							    "s", &action) &&
			    strcmp(action, "view.team") == 0)
				listed = TRUE;
		}
		g_clear_object(&section);
	}
	g_assert_true(listed);
	g_assert_true(gtk_widget_activate_action(menu, "view.team", NULL));
	settle(win);
	return wait_for(wait);
}

/* The role tag of a member row. */
static const char *
team_role(GtkWidget *row)
{
	GtkWidget *tag = find_in(row, "team-role");

	g_assert_nonnull(tag);
	return gtk_label_get_text(GTK_LABEL(tag));
}

/* Resizes win to w x h and saves it as HEARTH_GUI_SHOTS/name when asked. */
static void
team_shot(HearthWindow *win, int w, int h, const char *name)
{
	if (g_getenv("HEARTH_GUI_SHOTS") == NULL)
		return;
	hearth_screenshot_set_content_size(GTK_WINDOW(win), w, h);
	settle(win);
	spin(500);
	maybe_shot(GTK_WIDGET(win), name);
}

/* The Team page (UX.md "Team", "Remove member"): a lead sees each
 * current member with their role and removes one through the dialog
 * (Cancel first and the default; the removal is the core's, and the
 * member is no longer current there); a counsellor sees the members with
 * no remove action; a vault with no team space sees the empty state.
 * HEARTH_GUI_SHOTS=DIR saves team-*.png at 360x640 and 1280x800. */
static int
count_members_cb(const hearth_space_member_info *m, void *ctx)
{
	*(int *)ctx += !m->removed;
	return 0;
}

/* The text of the label named name. */
static const char *
label_text(const char *name)
{
	GtkWidget *w = wait_for(name);

	g_assert_true(GTK_IS_LABEL(w));
	return gtk_label_get_text(GTK_LABEL(w));
}

/* Joining from the app (UX.md "Invite", "Compare fingerprints"): the lead
 * makes a code, shown as a QR code of at least 200 px and as text; the
 * newcomer's join request, pasted, leads to their fingerprint and to
 * nothing approved until "They Match" (a mismatch approves nothing); the
 * newcomer's side turns a code into a request and shows their
 * fingerprint. */
static void
test_team_invite(void)
{
	g_autofree char *ldir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *ndir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *jdir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	hearth_vault *lv = new_vault(ldir), *nv = new_vault(ndir), *jv = new_vault(jdir);
	hearth_store *ls = hearth_vault_store(lv), *ns = hearth_vault_store(nv);
	char hex[HEARTH_ID_HEX + 1], fp[HEARTH_FINGERPRINT_LEN + 1];
	g_autofree char *open = NULL, *code = NULL, *code2 = NULL, *shown = NULL;
	char *request = NULL;
	hearth_invitation inv;
	hearth_join_request req;
	hearth_id space;
	HearthWindow *win;
	GtkWidget *qr;
	int members = 0;

	g_assert_cmpint(hearth_space_create(ls, "Dock team", &space), ==, HEARTH_OK);
	hearth_id_to_hex(&space, hex);
	open = g_strdup_printf("team-invite-open-%.8s", hex);
	win = show_vault(ldir, lv, HEARTH_MODE_COUNSELLOR, 360, 640);
	team_open(win, "team-members");
	/* Another team can be joined from here too; the Back key (win.back,
	 * as Alt+Left) returns to the members, not out of the page. */
	g_assert_true(gtk_widget_activate(wait_for("team-join-row")));
	wait_for("team-join");
	g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.back", NULL));
	wait_for("team-members");
	click(open);
	wait_for("team-invite");
	g_assert_null(find("team-invite-code"));
	click("team-invite-create");
	qr = wait_for("team-invite-qr");
	g_assert_true(GTK_IS_PICTURE(qr));
	{
		int w = 0, h = 0;

		gtk_widget_get_size_request(qr, &w, &h);
		g_assert_cmpint(w, >=, 200);
		g_assert_cmpint(h, >=, 200);
	}
	code = g_strdup(label_text("team-invite-code"));
	g_assert_cmpint(hearth_invitation_parse(code, &inv), ==, HEARTH_OK);
	g_assert_true(hearth_id_equal(&inv.space, &space));
	g_assert_cmpint(inv.role, ==, HEARTH_ROLE_COUNSELLOR);
	/* Shown in person, it holds 15 minutes (UX.md, Invite), not the
	 * 7 days of a code passed on otherwise. */
	{
		uint64_t now = (uint64_t)g_get_real_time() / G_USEC_PER_SEC;

		g_assert_cmpuint(inv.expires_s, <=, now + HEARTH_INVITE_IN_PERSON_TTL_S);
		g_assert_cmpuint(inv.expires_s, >=, now + HEARTH_INVITE_IN_PERSON_TTL_S - 60);
	}
	team_shot(win, 360, 640, "team-invite-360x640-en.png");

	/* The newcomer answers (on their own device). */
	g_assert_cmpint(hearth_space_join(ns, code, &request, NULL), ==, HEARTH_OK);
	g_assert_cmpint(hearth_identity_fingerprint_get(ns, fp), ==, HEARTH_OK);
	hearth_vault_close(nv);

	/* A request that is not one: said, nothing else happens. */
	gtk_editable_set_text(GTK_EDITABLE(wait_for("team-approve-request")), "hello");
	click("team-approve-check");
	spin(200);
	g_assert_null(find("team-compare"));
	/* Theirs: the compare step shows their fingerprint. */
	gtk_editable_set_text(GTK_EDITABLE(wait_for("team-approve-request")), request);
	click("team-approve-check");
	wait_for("team-compare");
	shown = g_strdelimit(g_strdup(label_text("team-compare-fingerprint")), "\n", ' ');
	g_assert_cmpstr(shown, ==, fp);
	team_shot(win, 360, 640, "team-compare-360x640-en.png");
	/* They don't match: nothing approved, back to the members. */
	click("team-compare-mismatch");
	wait_for("team-members");
	ls = hearth_session_get_store(hearth_window_get_session(win));
	g_assert_cmpint(hearth_space_members_each(ls, &space, count_members_cb, &members),
			==, HEARTH_OK);
	g_assert_cmpint(members, ==, 1);
	/* Again, and they match: approved, listed. */
	click(open);
	click("team-invite-create");
	code2 = g_strdup(label_text("team-invite-code"));
	gtk_editable_set_text(GTK_EDITABLE(wait_for("team-approve-request")), request);
	click("team-approve-check");
	click("team-compare-match");
	wait_for("team-members");
	members = 0;
	g_assert_cmpint(hearth_space_members_each(ls, &space, count_members_cb, &members),
			==, HEARTH_OK);
	g_assert_cmpint(members, ==, 2);
	g_assert_cmpint(hearth_join_request_parse(request, &req), ==, HEARTH_OK);
	free(request);
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);

	/* A newcomer in the app, in Chinese: the empty page's Join, the
	 * code, their request and fingerprint. */
	set_language("zh_CN");
	win = show_vault(jdir, jv, HEARTH_MODE_COUNSELLOR, 360, 640);
	team_open(win, "team-empty");
	click("team-join-open");
	gtk_editable_set_text(GTK_EDITABLE(wait_for("team-join-code")), code2);
	click("team-join-submit");
	g_assert_true(GTK_IS_PICTURE(wait_for("team-join-request-qr")));
	g_assert_cmpint(hearth_join_request_parse(label_text("team-join-request-code"), &req),
			==, HEARTH_OK);
	g_assert_true(hearth_id_equal(&req.space, &space));
	g_assert_cmpint(hearth_identity_fingerprint_get(
		hearth_session_get_store(hearth_window_get_session(win)), fp), ==, HEARTH_OK);
	g_free(shown);
	shown = g_strdelimit(g_strdup(label_text("team-join-fingerprint")), "\n", ' ');
	g_assert_cmpstr(shown, ==, fp);
	g_assert_true(shows_text(GTK_WIDGET(win), "你的指纹"));
	team_shot(win, 360, 640, "team-join-360x640-zh_CN.png");
	/* Back returns to the team page's own content. */
	click("team-back");
	wait_for("team-empty");
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	set_language("en");
}

/* A member's last change in words, in both languages. */
static int
audit_count_cb(const hearth_audit_entry *e, void *ctx)
{
	struct { const char *action; int n; } *c = ctx;

	c->n += strcmp(e->action, c->action) == 0;
	return 0;
}

/* How many entries of action s's audit log holds. */
static int
audit_count(hearth_store *s, const char *action)
{
	struct { const char *action; int n; } c = { action, 0 };

	g_assert_cmpint(hearth_audit_each(s, audit_count_cb, &c), ==, HEARTH_OK);
	return c.n;
}

/* The person page assigns a counsellor (a name, as the team knows them)
 * and clears it, each written and audited by the core. */
static void
test_person_counsellor(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	hearth_person_fields f = { .name = "Zhou Lan" };
	hearth_record *r = NULL;
	HearthWindow *win;
	GtkWidget *page, *entry;
	hearth_store *s;
	hearth_id id;

	win = show_vault(dir, new_vault(dir), HEARTH_MODE_COUNSELLOR, 800, 760);
	s = hearth_session_get_store(hearth_window_get_session(win));
	g_assert_cmpint(hearth_person_add(s, &f, &id), ==, HEARTH_OK);
	hearth_window_open_person(win, &id);
	settle(win);
	page = find_type(GTK_WIDGET(win), HEARTH_TYPE_PERSON_PAGE);
	entry = find_in(page, "person-counsellor");
	g_assert_nonnull(entry);
	g_assert_cmpstr(gtk_editable_get_text(GTK_EDITABLE(entry)), ==, "");
	gtk_editable_set_text(GTK_EDITABLE(entry), "Ana Lima");
	g_signal_emit_by_name(entry, "apply");
	g_assert_nonnull(wait_label(win, "Counsellor saved"));
	maybe_shot(GTK_WIDGET(win), "person-counsellor-800x760-en.png");
	g_assert_cmpint(hearth_record_load(s, &id, &r), ==, HEARTH_OK);
	g_assert_cmpstr(hearth_record_field(r, "counsellor"), ==, "Ana Lima");
	hearth_record_free(r);
	g_assert_cmpint(audit_count(s, "person.counsellor"), ==, 1);
	/* The page shows it when opened again; emptied, nobody. */
	hearth_window_open_person(win, &id);
	settle(win);
	page = find_type(GTK_WIDGET(win), HEARTH_TYPE_PERSON_PAGE);
	entry = find_in(page, "person-counsellor");
	g_assert_cmpstr(gtk_editable_get_text(GTK_EDITABLE(entry)), ==, "Ana Lima");
	gtk_editable_set_text(GTK_EDITABLE(entry), "");
	g_signal_emit_by_name(entry, "apply");
	g_assert_nonnull(wait_label(win, "No counsellor assigned now"));
	g_assert_cmpint(hearth_record_load(s, &id, &r), ==, HEARTH_OK);
	g_assert_null(hearth_record_field(r, "counsellor"));
	hearth_record_free(r);
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	remove_tree(dir);
}

/* Whether the view switcher shows the Overview view. */
static gboolean
overview_shown(HearthWindow *win)
{
	GtkWidget *page = find_type(GTK_WIDGET(win), HEARTH_TYPE_OVERVIEW_PAGE);
	GtkWidget *stack = page != NULL ? gtk_widget_get_ancestor(page, ADW_TYPE_VIEW_STACK) : NULL;

	g_assert_nonnull(stack);
	return adw_view_stack_page_get_visible(adw_view_stack_get_page(ADW_VIEW_STACK(stack),
								       page));
}

/* The Overview (团队概况), a lead's sixth view: hidden from a vault that
 * leads no team; for a lead, the team's safety follow-up, its people at
 * high risk, those nobody follows, each assigned from its menu to a
 * member by the name they gave (then listed no more), and the loads. */
static void
test_overview(void)
{
	g_autofree char *dir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *odir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	hearth_vault *v = new_vault(dir);
	hearth_store *s = hearth_vault_store(v);
	hearth_person_fields li = { .name = "Li Qiang" }, wang = { .name = "Wang Fang" };
	hearth_id space, lid, wid, fid;
	g_autofree char *lhex = NULL;
	char today[HEARTH_DATE_LEN + 1], wname[40];
	hearth_record *r = NULL;
	HearthWindow *win;
	GtkWidget *menu, *g;
	GMenuModel *model;
	g_autofree char *action = NULL;
	g_autoptr(GVariant) target = NULL;
	g_auto(Audit) a = audit_init();

	/* Nothing led: no Overview. */
	win = show_vault(odir, new_vault(odir), HEARTH_MODE_COUNSELLOR, 1280, 800);
	g_assert_false(overview_shown(win));
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);

	hearth_gui_today(today);
	g_assert_cmpint(hearth_space_create(s, "Dock team", &space), ==, HEARTH_OK);
	g_assert_cmpint(hearth_space_name_set(s, &space, "Ana Lima"), ==, HEARTH_OK);
	g_assert_cmpint(hearth_person_add_in(s, &space, &li, &lid), ==, HEARTH_OK);
	g_assert_cmpint(hearth_person_add_in(s, &space, &wang, &wid), ==, HEARTH_OK);
	g_assert_cmpint(hearth_person_set_counsellor(s, &wid, "Bo Wen"), ==, HEARTH_OK);
	g_assert_cmpint(hearth_person_set_risk(s, &wid, "high", NULL), ==, HEARTH_OK);
	g_assert_cmpint(hearth_followup_create_safety(s, &lid, today, "crisis", NULL, NULL, &fid),
			==, HEARTH_OK);

	win = show_vault(dir, v, HEARTH_MODE_COUNSELLOR, 360, 640);
	g_assert_true(overview_shown(win));
	g_assert_true(hearth_window_show_view(win, "overview"));
	settle(win);
	g = find("overview-safety");
	g_assert_nonnull(g);
	g_assert_true(shows_text(g, "Li Qiang"));
	g = find("overview-high");
	/* Li is high risk by the safety rule; Wang was set so. */
	g_assert_true(shows_text(g, "Li Qiang") && shows_text(g, "Wang Fang"));
	g_assert_true(shows_text(g, "Counsellor: Bo Wen"));
	g = find("overview-unassigned");
	g_assert_true(shows_text(g, "Li Qiang"));
	g_assert_false(shows_text(g, "Wang Fang"));
	g_assert_true(shows_text(find("overview-loads"), "Bo Wen"));
	maybe_shot(GTK_WIDGET(win), "overview-360x640-en.png");
	if (g_getenv("HEARTH_GUI_SHOTS") != NULL) {
		hearth_screenshot_set_content_size(GTK_WINDOW(win), 1280, 800);
		settle(win);
		maybe_shot(GTK_WIDGET(win), "overview-1280x800-en.png");
		hearth_screenshot_set_content_size(GTK_WINDOW(win), 360, 640);
		settle(win);
	}
	/* Named controls, all reached by keyboard. */
	audit(&a, "overview", "360x640");
	g_assert_cmpuint(audit_offenders(&a), ==, 0);

	/* Li's menu offers the one named member; assigning lists Li no more
	 * under Nobody Assigned. */
	lhex = hearth_gui_id_hex(&lid);
	g_snprintf(wname, sizeof wname, "overview-assign-%.8s", lhex);
	menu = find(wname);
	g_assert_nonnull(menu);
	model = gtk_menu_button_get_menu_model(GTK_MENU_BUTTON(menu));
	g_assert_cmpint(g_menu_model_get_n_items(model), ==, 1);
	g_assert_true(g_menu_model_get_item_attribute(model, 0, G_MENU_ATTRIBUTE_ACTION,
						      "s", &action));
	target = g_menu_model_get_item_attribute_value(model, 0, G_MENU_ATTRIBUTE_TARGET, NULL);
	g_assert_true(gtk_widget_activate_action_variant(menu, action, target));
	g_assert_nonnull(wait_label(win, "Assigned to Ana Lima"));
	g_assert_cmpint(hearth_record_load(s, &lid, &r), ==, HEARTH_OK);
	g_assert_cmpstr(hearth_record_field(r, "counsellor"), ==, "Ana Lima");
	hearth_record_free(r);
	settle(win);
	g_assert_false(shows_text(find("overview-unassigned"), "Li Qiang"));
	g_assert_true(shows_text(find("overview-loads"), "Ana Lima"));

	set_language("zh_CN");
	hearth_session_changed(hearth_window_get_session(win), HEARTH_CHANGE_SETTINGS);
	settle(win);
	g_assert_true(shows_text(find("overview"), "安全优先"));
	maybe_shot(GTK_WIDGET(win), "overview-360x640-zh_CN.png");
	set_language("en");
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	remove_tree(dir);
	remove_tree(odir);
}

/* Checks that the first item of a member menu's role section reads label,
 * and activates it. */
static void
activate_role_item(GtkWidget *menu, const char *label)
{
	GMenuModel *model = gtk_menu_button_get_menu_model(GTK_MENU_BUTTON(menu));
	g_autoptr(GMenuModel) section = g_menu_model_get_item_link(model, 0, G_MENU_LINK_SECTION);
	g_autofree char *action = NULL, *text = NULL;
	g_autoptr(GVariant) target = NULL;

	g_assert_nonnull(section);
	g_assert_true(g_menu_model_get_item_attribute(section, 0, G_MENU_ATTRIBUTE_LABEL,
						      "s", &text));
	g_assert_cmpstr(text, ==, label);
	g_assert_true(g_menu_model_get_item_attribute(section, 0, G_MENU_ATTRIBUTE_ACTION,
						      "s", &action));
	target = g_menu_model_get_item_attribute_value(section, 0, G_MENU_ATTRIBUTE_TARGET,
						       G_VARIANT_TYPE_STRING);
	g_assert_true(gtk_widget_activate_action_variant(menu, action, target));
}

static void
test_team_change_words(void)
{
	const gint64 now = 1790000000; /* seconds */
	const guint64 ms = (guint64)now * 1000;
	g_autofree char *none = hearth_team_change_words(0, now);
	g_autofree char *fresh = hearth_team_change_words(ms - 30000, now);
	g_autofree char *ahead = hearth_team_change_words(ms + 600000, now);
	g_autofree char *minutes = hearth_team_change_words(ms - 5 * 60000, now);
	g_autofree char *hour = hearth_team_change_words(ms - 3600000, now);
	g_autofree char *days = hearth_team_change_words(ms - 3 * 86400000ull, now);
	g_autofree char *zh = NULL;

	g_assert_cmpstr(none, ==, "No changes received yet");
	g_assert_cmpstr(fresh, ==, "Last change just now");
	g_assert_cmpstr(ahead, ==, "Last change just now");
	g_assert_cmpstr(minutes, ==, "Last change 5 minutes ago");
	g_assert_cmpstr(hour, ==, "Last change 1 hour ago");
	g_assert_cmpstr(days, ==, "Last change 3 days ago");
	set_language("zh_CN");
	zh = hearth_team_change_words(ms - 3 * 3600000, now);
	g_assert_cmpstr(zh, ==, "最近更改：3 小时前");
	set_language("en");

	/* A member's title: the name they gave, else their fingerprint. */
	{
		hearth_space_member_info m = { 0 };
		g_autofree char *unnamed = NULL, *you = NULL, *named = NULL, *named_you = NULL;
		g_autofree char *named_you_zh = NULL;

		g_strlcpy(m.fingerprint, "12345 67890 11111 22222", sizeof m.fingerprint);
		unnamed = hearth_team_member_title(&m);
		g_strlcpy(m.name, "王芳", sizeof m.name);
		named = hearth_team_member_title(&m);
		m.self = 1;
		named_you = hearth_team_member_title(&m);
		set_language("zh_CN");
		named_you_zh = hearth_team_member_title(&m);
		set_language("en");
		m.name[0] = '\0';
		you = hearth_team_member_title(&m);
		g_assert_cmpstr(unnamed, ==, "Member 12345 67890");
		g_assert_cmpstr(named, ==, "王芳");
		g_assert_cmpstr(named_you, ==, "王芳 (You)");
		g_assert_cmpstr(named_you_zh, ==, "王芳（你）");
		g_assert_cmpstr(you, ==, "You");
	}
}

static void
test_team(void)
{
	g_autofree char *ldir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *mdir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *edir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *pdir = g_dir_make_tmp("hearth-gui-XXXXXX", NULL);
	g_autofree char *bundle = g_build_filename(mdir, "team.bundle", NULL);
	hearth_vault *lv = new_vault(ldir), *mv = new_vault(mdir), *ev = new_vault(edir);
	hearth_store *ls = hearth_vault_store(lv), *ms = hearth_vault_store(mv);
	hearth_sync_report rep;
	hearth_id space, member, lead;
	team_members t;
	HearthWindow *win;
	GtkWidget *page, *row, *menu, *dialog, *button;
	GMenuModel *model;
	g_autofree char *action = NULL;
	g_autoptr(GVariant) target = NULL;
	g_auto(Audit) a = audit_init();

	/* A lead's space with a counsellor, who has received it. */
	g_assert_cmpint(hearth_space_create(ls, "Dock team", &space), ==, HEARTH_OK);
	member = team_member(ls, ms, &space);
	g_assert_cmpint(hearth_offline_export(ls, NULL, &space, 0, bundle, NULL), ==, HEARTH_OK);
	g_assert_cmpint(hearth_offline_import(ms, NULL, bundle, NULL, NULL, &rep), ==, HEARTH_OK);
	g_assert_cmpint(hearth_space_refresh(ms, &space, NULL), ==, HEARTH_OK);
	hearth_vault_close(mv);
	g_assert_true(team_is_current(ls, &space, &member, &t));
	lead = t.self;
	/* The lead links a second device (the member record lists it). */
	{
		hearth_vault *pv = new_vault(pdir);
		char code[HEARTH_LINK_CODE_MAX];
		uint8_t *pkg = NULL;
		size_t len = 0;
		uint64_t dev = 0;

		g_assert_cmpint(hearth_link_request(hearth_vault_store(pv), code), ==, HEARTH_OK);
		g_assert_cmpint(hearth_link_approve(ls, code, &pkg, &len, &dev), ==, HEARTH_OK);
		free(pkg);
		hearth_vault_close(pv);
	}

	/* No team space: the empty state. */
	win = show_vault(edir, ev, HEARTH_MODE_COUNSELLOR, 360, 640);
	team_open(win, "team-empty");
	g_assert_null(find("team-members"));
	team_shot(win, 360, 640, "team-empty-360x640-en.png");
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);

	/* The lead: both members with their roles. */
	win = show_vault(ldir, lv, HEARTH_MODE_COUNSELLOR, 360, 640);
	page = team_open(win, "team-members");
	ls = hearth_session_get_store(hearth_window_get_session(win));
	/* The lead names itself in the space, through its own row: a blank
	 * name is refused in the core's words, nothing written; then its row
	 * reads the name. */
	{
		char hex[HEARTH_ID_HEX + 1], wname[32];
		GtkWidget *entry;

		hearth_id_to_hex(&space, hex);
		g_snprintf(wname, sizeof wname, "team-my-name-%.8s", hex);
		entry = find(wname);
		g_assert_nonnull(entry);
		g_assert_cmpstr(gtk_editable_get_text(GTK_EDITABLE(entry)), ==, "");
		gtk_editable_set_text(GTK_EDITABLE(entry), "   ");
		g_signal_emit_by_name(entry, "apply");
		g_assert_nonnull(wait_label(win, "The name cannot be empty"));
		g_assert_true(gtk_widget_has_css_class(entry, "error"));
		g_assert_cmpint(audit_count(ls, HEARTH_AUDIT_SPACE_NAME), ==, 0);
		gtk_editable_set_text(GTK_EDITABLE(entry), "Ana Lima");
		g_signal_emit_by_name(entry, "apply");
		spin(50);
		page = find("team-members");
		entry = find(wname);
		g_assert_cmpstr(gtk_editable_get_text(GTK_EDITABLE(entry)), ==, "Ana Lima");
		g_assert_false(gtk_widget_has_css_class(entry, "error"));
		g_assert_cmpint(audit_count(ls, HEARTH_AUDIT_SPACE_NAME), ==, 1);
	}
	row = team_row(&member, "team-member-");
	g_assert_nonnull(row);
	g_assert_cmpstr(team_role(row), ==, "Counsellor");
	/* Nothing of the counsellor's has reached the lead. */
	g_assert_cmpstr(adw_action_row_get_subtitle(ADW_ACTION_ROW(row)), ==,
			"1 device · No changes received yet");
	row = team_row(&lead, "team-member-");
	g_assert_nonnull(row);
	g_assert_cmpstr(team_role(row), ==, "Lead");
	g_assert_cmpstr(adw_preferences_row_get_title(ADW_PREFERENCES_ROW(row)), ==,
			"Ana Lima (You)");
	g_assert_cmpstr(adw_action_row_get_subtitle(ADW_ACTION_ROW(row)), ==, "2 devices");
	/* This vault's own row comes first. */
	g_assert_true(find_type(page, ADW_TYPE_ACTION_ROW) == row);
	row = find("team-linked-device");
	g_assert_nonnull(row);
	/* The linked device has sent nothing here. */
	g_assert_cmpstr(adw_action_row_get_subtitle(ADW_ACTION_ROW(row)), ==,
			"Linked · No changes received yet");
	/* No one removes themselves. */
	g_assert_null(team_row(&lead, "team-member-menu-"));
	g_assert_nonnull(find("team-fingerprint"));
	g_assert_true(shows_text(page, "Dock team"));
	team_shot(win, 360, 640, "team-360x640-en.png");
	team_shot(win, 1280, 800, "team-1280x800-en.png");
	hearth_screenshot_set_content_size(GTK_WINDOW(win), 360, 640);
	settle(win);
	/* Named controls, all reached by keyboard (as /gui/a11y checks);
	 * after the shots, as its walk leaves the fingerprint selected. */
	audit(&a, "team", "360x640");

	/* The member's menu: Make Lead (a section of its own), then
	 * Remove…. */
	menu = team_row(&member, "team-member-menu-");
	g_assert_nonnull(menu);
	model = gtk_menu_button_get_menu_model(GTK_MENU_BUTTON(menu));
	g_assert_cmpint(g_menu_model_get_n_items(model), ==, 2);
	/* Made a lead: the core says so, the row's tag and the toast too;
	 * the menu then offers Make Counsellor. */
	activate_role_item(menu, "Make _Lead");
	g_assert_nonnull(wait_label(win, " is now a lead"));
	g_assert_cmpint(audit_count(ls, HEARTH_AUDIT_SPACE_ROLE), ==, 1);
	g_assert_cmpstr(team_role(team_row(&member, "team-member-")), ==, "Lead");
	activate_role_item(team_row(&member, "team-member-menu-"), "Make _Counsellor");
	spin(50);
	g_assert_cmpstr(team_role(team_row(&member, "team-member-")), ==, "Counsellor");
	g_assert_cmpint(audit_count(ls, HEARTH_AUDIT_SPACE_ROLE), ==, 2);
	menu = team_row(&member, "team-member-menu-");
	model = gtk_menu_button_get_menu_model(GTK_MENU_BUTTON(menu));
	g_assert_true(g_menu_model_get_item_attribute(model, 1, G_MENU_ATTRIBUTE_ACTION,
						      "s", &action));
	target = g_menu_model_get_item_attribute_value(model, 1, G_MENU_ATTRIBUTE_TARGET,
						       G_VARIANT_TYPE_STRING);
	g_assert_nonnull(target);
	for (int round = 0; round < 2; round++) {
		g_assert_true(gtk_widget_activate_action_variant(menu, action, target));
		dialog = wait_for("team-remove-dialog");
		g_assert_true(g_str_has_prefix(
			adw_message_dialog_get_heading(ADW_MESSAGE_DIALOG(dialog)), "Remove Member "));
		g_assert_cmpstr(adw_message_dialog_get_body(ADW_MESSAGE_DIALOG(dialog)), ==,
			"They will not be able to read new records from now on. "
			"Records already synced to their devices cannot be taken back.");
		/* Return and Esc cancel; the removal is red. */
		g_assert_cmpstr(adw_message_dialog_get_default_response(ADW_MESSAGE_DIALOG(dialog)),
				==, "cancel");
		g_assert_cmpstr(adw_message_dialog_get_close_response(ADW_MESSAGE_DIALOG(dialog)),
				==, "cancel");
		g_assert_cmpint(adw_message_dialog_get_response_appearance(
			ADW_MESSAGE_DIALOG(dialog), "remove"), ==, ADW_RESPONSE_DESTRUCTIVE);
		if (round == 0) {
			spin(300);
			audit(&a, "team remove dialog", "360x640");
			g_assert_cmpuint(audit_offenders(&a), ==, 0);
			/* The page's back button and member menu; then those
			 * again under the dialog, and its two responses. */
			g_assert_cmpuint(a.n_controls, >=, 6);
			maybe_shot(dialog, "team-remove-dialog-en.png");
			button = find_button(dialog, "_Cancel");
			g_assert_nonnull(button);
			g_signal_emit_by_name(button, "clicked");
			wait_gone("team-remove-dialog");
			g_assert_true(team_is_current(ls, &space, &member, &t));
			continue;
		}
		button = find_button(dialog, "_Remove");
		g_assert_nonnull(button);
		g_signal_emit_by_name(button, "clicked");
		wait_gone("team-remove-dialog");
	}
	/* The core no longer lists them as a current member, nor the page. */
	g_assert_false(team_is_current(ls, &space, &member, &t));
	g_assert_cmpint(t.current, ==, 1);
	settle(win);
	g_assert_null(team_row(&member, "team-member-"));
	/* The lead's lost phone: its menu's Revoke… asks first (Cancel the
	 * default and Esc, Revoke red), then revokes it. */
	menu = wait_for("team-device-menu");
	model = gtk_menu_button_get_menu_model(GTK_MENU_BUTTON(menu));
	g_clear_pointer(&action, g_free);
	g_clear_pointer(&target, g_variant_unref);
	g_assert_true(g_menu_model_get_item_attribute(model, 0, G_MENU_ATTRIBUTE_ACTION,
						      "s", &action));
	target = g_menu_model_get_item_attribute_value(model, 0, G_MENU_ATTRIBUTE_TARGET,
						       G_VARIANT_TYPE_STRING);
	g_assert_true(gtk_widget_activate_action_variant(menu, action, target));
	dialog = wait_for("team-revoke-dialog");
	g_assert_true(g_str_has_prefix(adw_message_dialog_get_heading(ADW_MESSAGE_DIALOG(dialog)),
				       "Revoke Device "));
	g_assert_cmpstr(adw_message_dialog_get_default_response(ADW_MESSAGE_DIALOG(dialog)),
			==, "cancel");
	g_assert_cmpstr(adw_message_dialog_get_close_response(ADW_MESSAGE_DIALOG(dialog)),
			==, "cancel");
	g_assert_cmpint(adw_message_dialog_get_response_appearance(
		ADW_MESSAGE_DIALOG(dialog), "revoke"), ==, ADW_RESPONSE_DESTRUCTIVE);
	button = find_button(dialog, "_Revoke");
	g_assert_nonnull(button);
	g_signal_emit_by_name(button, "clicked");
	wait_gone("team-revoke-dialog");
	settle(win);
	row = wait_for("team-linked-device");
	g_assert_cmpstr(adw_action_row_get_subtitle(ADW_ACTION_ROW(row)), ==, "Revoked");
	g_assert_null(find("team-device-menu"));
	close_others(win);
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);

	/* The counsellor, in Chinese: both listed, no remove action. */
	set_language("zh_CN");
	g_assert_cmpint(hearth_vault_open(mdir, GUI_TEST_PASSPHRASE, strlen(GUI_TEST_PASSPHRASE),
					  NULL, &mv), ==, HEARTH_OK);
	win = show_vault(mdir, mv, HEARTH_MODE_COUNSELLOR, 360, 640);
	page = team_open(win, "team-members");
	row = team_row(&member, "team-member-");
	g_assert_nonnull(row);
	g_assert_cmpstr(team_role(row), ==, "咨询师");
	g_assert_cmpstr(adw_preferences_row_get_title(ADW_PREFERENCES_ROW(row)), ==, "你");
	g_assert_true(find_type(page, ADW_TYPE_ACTION_ROW) == row);
	row = team_row(&lead, "team-member-");
	g_assert_nonnull(row);
	g_assert_cmpstr(team_role(row), ==, "负责人");
	g_assert_null(find_type(page, GTK_TYPE_MENU_BUTTON));
	g_assert_null(team_row(&lead, "team-member-menu-"));
	team_shot(win, 360, 640, "team-360x640-zh_CN.png");
	team_shot(win, 1280, 800, "team-1280x800-zh_CN.png");
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
	set_language("en");
	remove_tree(ldir);
	remove_tree(mdir);
	remove_tree(edir);
	remove_tree(pdir);
}

int
main(int argc, char **argv)
{
	GtkCssProvider *css;

	g_setenv("LANGUAGE", "en", TRUE);
	g_setenv("HEARTH_GUI_NO_FOCUS_LOCK", "1", TRUE);
	/* GTK's test accessibility context: /gui/a11y reads the names an
	 * assistive technology would get. */
	g_setenv("GTK_A11Y", "test", TRUE);
	setlocale(LC_ALL, "");
	bindtextdomain(GETTEXT_PACKAGE, g_getenv("HEARTH_LOCALEDIR") ?
		       g_getenv("HEARTH_LOCALEDIR") : HEARTH_GUI_LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
	gtk_test_init(&argc, &argv, NULL);
	adw_init();
	(void)hearth_get_resource();
	/* The app's style sheet, which AdwApplication loads from the
	 * resources: these windows, made without the application, get it
	 * here, so that what the tests and the screenshots see is styled
	 * as the app is. */
	css = gtk_css_provider_new();
	gtk_css_provider_load_from_resource(css, "/cn/hearth/Hearth/style.css");
	gtk_style_context_add_provider_for_display(gdk_display_get_default(),
		GTK_STYLE_PROVIDER(css), GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

	g_test_add_func("/gui/counsellor", test_counsellor);
	g_test_add_func("/gui/hotline", test_hotline);
	g_test_add_func("/gui/picker-slide", test_picker_slide);
	g_test_add_func("/gui/draft", test_draft);
	g_test_add_func("/gui/journal", test_journal);
	g_test_add_func("/gui/zh_CN", test_zh_CN);
	g_test_add_func("/gui/a11y", test_a11y);
	g_test_add_func("/gui/keyboard", test_keyboard);
	g_test_add_func("/gui/crisis-lock", test_crisis_lock);
	g_test_add_func("/gui/focus-lock", test_focus_lock);
	g_test_add_func("/gui/idle-input", test_idle_input);
	g_test_add_func("/gui/helplines", test_helplines);
	g_test_add_func("/gui/labels", test_labels);
	g_test_add_func("/gui/conflict", test_conflict);
	g_test_add_func("/gui/details", test_details);
	g_test_add_func("/gui/clock-notice", test_clock_notice);
#ifdef HEARTH_GUI_RELAY
	g_test_add_func("/gui/sync", test_sync);
	g_test_add_func("/gui/sync-today", test_sync_today);
	g_test_add_func("/gui/sync-refused-zh_CN", test_sync_refused_zh_CN);
	g_test_add_func("/gui/sync-write", test_sync_write);
#endif
	g_test_add_func("/gui/team", test_team);
	g_test_add_func("/gui/team-change-words", test_team_change_words);
	g_test_add_func("/gui/team-invite", test_team_invite);
	g_test_add_func("/gui/person-counsellor", test_person_counsellor);
	g_test_add_func("/gui/overview", test_overview);
	return g_test_run();
}
