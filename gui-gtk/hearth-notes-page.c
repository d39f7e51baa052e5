/*
 * gui-gtk/hearth-notes-page.c - session notes.
 */
#include "hearth-notes-page.h"

#include "hearth/appointment.h"
#include "hearth/note.h"
#include "hearth/person.h"
#include "hearth-person-item.h"
#include "hearth-record-actions.h"

/* Notes listed at most: the newest ones (the person page has them all). */
#define NOTES_SHOWN 100

struct _HearthNotesPage {
	AdwBin parent_instance;

	/* Template widgets */
	GtkBox *content;

	/* Owned */
	HearthSession *session;
	hearth_id person;
	gboolean has_person;
	gsize missing_limit;    /* sessions without a note shown */

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthNotesPage, hearth_notes_page, ADW_TYPE_BIN)

typedef struct {
	HearthWindow *win;
	hearth_id a, b;
} Ids;

static void
on_missing(AdwActionRow *row, gpointer data)
{
	Ids *ids = data;

	hearth_note_write_ask(ids->win, &ids->a, &ids->b, NULL);
}

static void
on_note(AdwActionRow *row, gpointer data)
{
	Ids *ids = data;

	hearth_note_dialog_show(ids->win, &ids->a);
}

static GtkWidget *
nav_row(const char *title, const char *subtitle)
{
	GtkWidget *row = adw_action_row_new();

	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
	gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), TRUE);
	adw_action_row_add_suffix(ADW_ACTION_ROW(row),
		gtk_image_new_from_icon_name("go-next-symbolic"));
	return row;
}

static void reload(HearthNotesPage *self);

static void
show_more(HearthNotesPage *self)
{
	self->missing_limit += HEARTH_GUI_ROWS_PAGE;
	reload(self);
}

static void
reload(HearthNotesPage *self)
{
	hearth_store *s = hearth_session_peek_store(self->session);
	hearth_appts *missing = NULL;
	hearth_notes *notes = NULL;
	GtkWidget *g;
	size_t shown = 0, hidden = 0;

	if (s == NULL)
		return;
	hearth_gui_box_clear(GTK_WIDGET(self->content));
	if (hearth_note_missing(s, &missing) != HEARTH_OK ||
	    hearth_note_list(s, self->has_person ? &self->person : NULL, &notes) != HEARTH_OK) {
		hearth_window_status(self->win, HEARTH_ERROR);
		goto out;
	}
	g = adw_preferences_group_new();
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(g), _("Sessions Without a Note"));
	gtk_widget_set_name(g, "notes-missing");
	for (size_t i = 0; i < missing->n; i++) {
		const hearth_appt_item *a = &missing->items[i];
		GtkWidget *row;
		Ids *ids;

		if (self->has_person && !hearth_id_equal(&a->person, &self->person))
			continue;
		if (shown >= self->missing_limit) {
			hidden++;
			continue;
		}
		row = nav_row(hearth_person_display_name(a->person_name), a->at);
		ids = g_new0(Ids, 1);
		ids->win = self->win;
		ids->a = a->person;
		ids->b = a->id;
		g_signal_connect_data(row, "activated", G_CALLBACK(on_missing), ids,
				      (GClosureNotify)(void (*)(void))g_free, 0);
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g), row);
		shown++;
	}
	if (hidden > 0)
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
			hearth_gui_more_row(hidden, G_CALLBACK(show_more), self));
	if (shown == 0) {
		GtkWidget *row = adw_action_row_new();

		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row),
					      _("Every held session has a note"));
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g), row);
	}
	gtk_box_append(self->content, g);

	g = adw_preferences_group_new();
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(g), _("Latest Notes"));
	shown = 0;
	for (size_t i = notes->n; i-- > 0 && shown < NOTES_SHOWN;) {
		const hearth_note_item *n = &notes->items[i];
		g_autofree char *first = NULL;
		GtkWidget *row;
		Ids *ids;
		const char *nl;

		if (n->is_amendment)
			continue;
		nl = strchr(n->text, '\n');
		first = nl ? g_strndup(n->text, (gsize)(nl - n->text)) : g_strdup(n->text);
		row = nav_row(first, n->date);
		adw_action_row_set_title_lines(ADW_ACTION_ROW(row), 2);
		ids = g_new0(Ids, 1);
		ids->win = self->win;
		ids->a = n->id;
		g_signal_connect_data(row, "activated", G_CALLBACK(on_note), ids,
				      (GClosureNotify)(void (*)(void))g_free, 0);
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g), row);
		shown++;
	}
	if (shown > 0)
		gtk_box_append(self->content, g);
	else
		g_object_ref_sink(g), g_object_unref(g);
out:
	hearth_appts_free(missing);
	hearth_notes_free(notes);
}

static void
hearth_notes_page_dispose(GObject *object)
{
	HearthNotesPage *self = HEARTH_NOTES_PAGE(object);

	G_OBJECT_CLASS(hearth_notes_page_parent_class)->dispose(object);
	g_clear_object(&self->session);
}

static void
hearth_notes_page_class_init(HearthNotesPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_notes_page_dispose;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-notes-page.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthNotesPage, content);
}

static void
hearth_notes_page_init(HearthNotesPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->missing_limit = HEARTH_GUI_ROWS_PAGE;
}

HearthNotesPage *
hearth_notes_page_new(HearthWindow *win, HearthSession *session,
		      const hearth_id *person)
{
	HearthNotesPage *self = g_object_new(HEARTH_TYPE_NOTES_PAGE, NULL);

	self->win = win;
	self->session = g_object_ref(session);
	if (person != NULL) {
		self->person = *person;
		self->has_person = TRUE;
	}
	hearth_session_watch(session, HEARTH_CHANGE_NOTES | HEARTH_CHANGE_APPOINTMENTS | HEARTH_CHANGE_PEOPLE, self,
			     G_CALLBACK(reload));
	reload(self);
	return self;
}
