/*
 * tests/gui/test_session.c - the app's session and the writes its pages
 * make through core verbs, under Xvfb (suite 'gui', test 'gui-session').
 *
 *   /session/signals        a watch reloads once per change however many
 *                           of its kinds the change names, not for other
 *                           kinds, and never after its owner is gone;
 *                           closing drops the store and the people
 *   /session/person-editor  the editor writes through hearth_person_add:
 *                           a name the core refuses (a control character)
 *                           writes nothing and leaves the editor open;
 *                           tags typed "a， b" are stored by the core,
 *                           audited person.add, and the shared people
 *                           model shows the person
 *   /session/group-person   a group session may name a participant, as
 *                           the core allows: the form has a person picker
 *                           and the activity is stored with the person
 *   /session/checkin-undo   Undo of a check-in deletes it through the
 *                           core, audited journal.delete
 *
 * Vaults are made with hearth_vault_create (low KDF cost) and handed to a
 * window; widgets are found by their names.
 */
#include <string.h>

#include "hearth/audit.h"
#include "hearth/activity.h"
#include "hearth/person.h"
#include "hearth/journal.h"
#include "hearth-activity-form.h"
#include "hearth-person-editor.h"
#include "hearth-person-item.h"
#include "hearth-resources.h"
#include "hearth-window.h"
#include "gui_testutil.h"

/* ---- helpers ----------------------------------------------------------- */

/* A window over a new, empty vault in a fresh directory (*dir: the
 * caller's, for remove_dir). */
static HearthWindow *
open_new(char **dir, HearthMode mode)
{
	*dir = g_dir_make_tmp("hearth-session-XXXXXX", NULL);
	g_assert_nonnull(*dir);
	return show_vault(*dir, new_vault(*dir), mode, 1000, 760);
}

static void
remove_dir(char *dir)
{
	remove_tree(dir);
	g_free(dir);
}

static void
close_window(HearthWindow *win)
{
	close_others(win);
	gtk_window_destroy(GTK_WINDOW(win));
	spin(100);
}

static int
count_cb(const hearth_record *r, void *ctx)
{
	(*(guint *)ctx)++;
	return 0;
}

static guint
count(hearth_store *s, const char *kind)
{
	guint n = 0;

	g_assert_cmpint(hearth_store_each(s, kind, 0, count_cb, &n), ==, HEARTH_OK);
	return n;
}

static int
audit_cb(const hearth_audit_entry *e, void *ctx)
{
	const char **want = ctx;

	if (strcmp(e->action, *want) == 0)
		*want = NULL;
	return 0;
}

/* Has the audit log an entry of action? */
static gboolean
audited(hearth_store *s, const char *action)
{
	const char *want = action;

	g_assert_cmpint(hearth_audit_each(s, audit_cb, &want), ==, HEARTH_OK);
	return want == NULL;
}

/* ---- /session/signals ---------------------------------------------------- */

static guint reloads;

static void
on_reload(gpointer owner)
{
	g_assert_true(G_IS_OBJECT(owner));
	reloads++;
}

static void
test_signals(void)
{
	hearth_kdf_params low = hearth_kdf_params_low();
	hearth_vault_options opt = { .kdf = &low };
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	char *dir = g_dir_make_tmp("hearth-session-XXXXXX", NULL);
	hearth_vault *v = NULL;
	HearthSession *session;
	GObject *owner = g_object_new(G_TYPE_OBJECT, NULL);
	hearth_person_fields f = { .name = "Ann" };

	g_assert_cmpint(hearth_vault_create(dir, "pass", 4, &opt, code, &v), ==, HEARTH_OK);
	session = hearth_session_new(v);
	hearth_session_watch(session, HEARTH_CHANGE_PEOPLE | HEARTH_CHANGE_FOLLOWUPS,
			     owner, G_CALLBACK(on_reload));
	reloads = 0;
	/* One change naming both kinds: one reload. */
	hearth_session_changed(session, HEARTH_CHANGE_PEOPLE | HEARTH_CHANGE_FOLLOWUPS |
			       HEARTH_CHANGE_NOTES);
	g_assert_cmpuint(reloads, ==, 1);
	hearth_session_changed(session, HEARTH_CHANGE_FOLLOWUPS);
	g_assert_cmpuint(reloads, ==, 2);
	/* Kinds it does not watch. */
	hearth_session_changed(session, HEARTH_CHANGE_NOTES | HEARTH_CHANGE_JOURNAL);
	g_assert_cmpuint(reloads, ==, 2);

	/* The people model is read when asked after people changed. */
	g_assert_cmpint(hearth_person_add(hearth_session_get_store(session), &f, NULL),
			==, HEARTH_OK);
	g_assert_cmpint(hearth_session_people_refresh(session), ==, HEARTH_OK);
	g_assert_cmpuint(g_list_model_get_n_items(hearth_session_get_people(session)), ==, 1);
	f.name = "Bo";
	g_assert_cmpint(hearth_person_add(hearth_session_get_store(session), &f, NULL),
			==, HEARTH_OK);
	hearth_session_changed(session, HEARTH_CHANGE_PEOPLE);
	g_assert_cmpuint(reloads, ==, 3);
	g_assert_cmpint(hearth_session_people_refresh(session), ==, HEARTH_OK);
	g_assert_cmpuint(g_list_model_get_n_items(hearth_session_get_people(session)), ==, 2);

	/* The owner gone, its watch is gone. */
	g_object_unref(owner);
	hearth_session_changed(session, HEARTH_CHANGE_PEOPLE);
	g_assert_cmpuint(reloads, ==, 3);

	/* Closed: no store for whoever still holds the session, no names. */
	hearth_session_close(session);
	g_assert_null(hearth_session_get_store(session));
	g_assert_null(hearth_session_get_vault(session));
	g_assert_cmpuint(g_list_model_get_n_items(hearth_session_get_people(session)), ==, 0);
	g_object_unref(session);
	remove_dir(dir);
}

/* ---- /session/person-editor ---------------------------------------------- */

static void
test_person_editor(void)
{
	char *dir = NULL;
	HearthWindow *win = open_new(&dir, HEARTH_MODE_COUNSELLOR);
	HearthSession *session = hearth_window_get_session(win);
	hearth_store *s = hearth_session_get_store(session);
	HearthPersonEditor *ed = hearth_person_editor_present(win, NULL);
	g_autoptr(HearthPersonItem) item = NULL;
	g_autoptr(hearth_record) r = NULL;
	hearth_tags *tags = NULL;

	g_object_add_weak_pointer(G_OBJECT(ed), (gpointer *)&ed);
	/* A control character: the core's text check refuses the name, so
	 * nothing is written and what was typed stays. */
	gtk_editable_set_text(GTK_EDITABLE(wait_for("person-name")), "Ann\x07");
	click("person-save");
	g_assert_nonnull(ed);
	g_assert_cmpuint(count(s, "person"), ==, 0);
	g_assert_false(audited(s, "person.add"));

	gtk_editable_set_text(GTK_EDITABLE(wait_for("person-name")), "Ann");
	gtk_editable_set_text(GTK_EDITABLE(wait_for("person-tags")),
			      "夜班， 货车司机;, ");
	click("person-save");
	g_assert_null(ed);
	g_assert_cmpuint(count(s, "person"), ==, 1);
	g_assert_true(audited(s, "person.add"));

	/* The shared model has it, and the core stored the tags. */
	g_assert_cmpint(hearth_session_people_refresh(session), ==, HEARTH_OK);
	item = g_list_model_get_item(hearth_session_get_people(session), 0);
	g_assert_nonnull(item);
	g_assert_cmpstr(hearth_person_item_get_name(item), ==, "Ann");
	g_assert_cmpint(hearth_record_load(s, hearth_person_item_get_id(item), &r),
			==, HEARTH_OK);
	g_assert_cmpint(hearth_person_tags(hearth_record_field(r, "tags"), &tags),
			==, HEARTH_OK);
	g_assert_cmpuint(tags->n, ==, 2);
	g_assert_cmpstr(tags->v[0], ==, "夜班");
	g_assert_cmpstr(tags->v[1], ==, "货车司机");
	hearth_tags_free(tags);

	close_window(win);
	remove_dir(dir);
}

/* ---- /session/group-person ----------------------------------------------- */

static void
test_group_person(void)
{
	char *dir = NULL;
	HearthWindow *win = open_new(&dir, HEARTH_MODE_COUNSELLOR);
	hearth_store *s = hearth_session_get_store(hearth_window_get_session(win));
	hearth_person_fields f = { .name = "Participant" };
	HearthActivityForm *form;
	HearthPersonPicker *picker;
	hearth_activities *l = NULL;
	hearth_id id;

	g_assert_cmpint(hearth_person_add(s, &f, &id), ==, HEARTH_OK);
	hearth_session_changed(hearth_window_get_session(win), HEARTH_CHANGE_PEOPLE);
	form = hearth_activity_form_start(win, "group", NULL);
	g_assert_nonnull(form);
	wait_for("activity-save");
	/* The core takes a person for any activity: so does the form. */
	picker = hearth_activity_form_get_picker(form);
	g_assert_nonnull(picker);
	g_assert_true(gtk_widget_get_mapped(wait_for("activity-person")));
	g_assert_true(hearth_person_picker_choose(picker, 0));
	hearth_activity_form_save(form);
	spin(100);
	g_assert_cmpint(hearth_activity_list(s, NULL, NULL, "group", &l), ==, HEARTH_OK);
	g_assert_cmpuint(l->n, ==, 1);
	g_assert_true(l->items[0].has_person);
	g_assert_true(hearth_id_equal(&l->items[0].person, &id));
	hearth_activities_free(l);

	close_window(win);
	remove_dir(dir);
}

/* ---- /session/checkin-undo ----------------------------------------------- */

static void
test_checkin_undo(void)
{
	char *dir = NULL;
	HearthWindow *win = open_new(&dir, HEARTH_MODE_JOURNAL);
	hearth_store *s = hearth_session_get_store(hearth_window_get_session(win));

	click("mood-4");
	g_assert_cmpuint(count(s, HEARTH_JOURNAL_KIND), ==, 1);
	g_signal_emit_by_name(wait_for_button("_Undo"), "clicked");
	spin(100);
	g_assert_cmpuint(count(s, HEARTH_JOURNAL_KIND), ==, 0);
	g_assert_true(audited(s, "journal.delete"));

	close_window(win);
	remove_dir(dir);
}

int
main(int argc, char **argv)
{
	g_setenv("HEARTH_GUI_NO_SAVE_SIZE", "1", TRUE);
	g_setenv("HEARTH_GUI_NO_FOCUS_LOCK", "1", TRUE);
	g_setenv("LANGUAGE", "en", TRUE);
	gtk_test_init(&argc, &argv, NULL);
	adw_init();
	(void)hearth_get_resource();
	g_test_add_func("/session/signals", test_signals);
	g_test_add_func("/session/person-editor", test_person_editor);
	g_test_add_func("/session/group-person", test_group_person);
	g_test_add_func("/session/checkin-undo", test_checkin_undo);
	return g_test_run();
}
