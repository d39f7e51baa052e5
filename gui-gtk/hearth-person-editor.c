/*
 * gui-gtk/hearth-person-editor.c - add or edit a person.
 */
#include "hearth-person-editor.h"

#include "hearth/person.h"
#include "hearth-person-item.h"

struct _HearthPersonEditor {
	AdwWindow parent_instance;

	/* Template widgets */
	AdwWindowTitle *title;
	GtkButton *cancel_button;
	GtkButton *save_button;
	AdwEntryRow *name_row;
	AdwEntryRow *unit_row;
	AdwEntryRow *phone_row;
	AdwEntryRow *tags_row;

	/* Owned */
	hearth_id id;
	gboolean editing;

	HearthSession *session;

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthPersonEditor, hearth_person_editor, ADW_TYPE_WINDOW)

/* Adds a person, or updates one, through the core's verbs: their checks
 * (a name, text the store accepts, tags) and audit entry apply as they do
 * on the command line.  An empty entry leaves its field empty; the tags
 * typed (split by the core) become the person's tags. */
static hearth_status
write_person(hearth_store *s, const hearth_id *id, const char *name,
	     const char *unit, const char *phone, const char *tags_text,
	     hearth_id *out)
{
	hearth_person_fields f = { 0 };
	hearth_tags *tags = NULL;
	hearth_status st;

	st = hearth_tags_split(tags_text, &tags);
	if (st != HEARTH_OK)
		return st;
	f.name = name;
	f.unit = unit;
	f.phone = phone;
	f.tags = (const char *const *)tags->v;
	f.ntags = tags->n;
	f.replace_tags = 1;
	if (id == NULL) {
		st = hearth_person_add(s, &f, out);
	} else {
		*out = *id;
		st = hearth_person_update(s, id, &f);
	}
	hearth_tags_free(tags);
	return st;
}

static const char *
text(AdwEntryRow *row)
{
	return gtk_editable_get_text(GTK_EDITABLE(row));
}

static void
on_name_changed(GtkEditable *e, gpointer data)
{
	HearthPersonEditor *self = data;
	g_autofree char *name = g_strstrip(g_strdup(text(self->name_row)));

	gtk_widget_set_sensitive(GTK_WIDGET(self->save_button), *name != '\0');
}

static void
on_save(GtkWidget *w, gpointer data)
{
	HearthPersonEditor *self = data;
	hearth_store *s = hearth_session_get_store(self->session);
	g_autofree char *name = g_strstrip(g_strdup(text(self->name_row)));
	hearth_id id;
	hearth_status st;

	if (s == NULL || *name == '\0')
		return;
	st = write_person(s, self->editing ? &self->id : NULL, name,
				 text(self->unit_row), text(self->phone_row),
				 text(self->tags_row), &id);
	if (st != HEARTH_OK) {
		/* The window stays open with what was typed. */
		hearth_window_status(self->win, st);
		return;
	}
	hearth_window_toast(self->win, self->editing ? _("Changes saved")
				       : _("Person added"));
	hearth_session_changed(self->session, HEARTH_CHANGE_PEOPLE);
	gtk_window_destroy(GTK_WINDOW(self));
}

static void
on_cancel(GtkWidget *w, gpointer data)
{
	gtk_window_destroy(GTK_WINDOW(data));
}

static void
hearth_person_editor_dispose(GObject *object)
{
	g_clear_object(&HEARTH_PERSON_EDITOR(object)->session);
	G_OBJECT_CLASS(hearth_person_editor_parent_class)->dispose(object);
}

static void
hearth_person_editor_class_init(HearthPersonEditorClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_person_editor_dispose;

	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-person-editor.ui");
#define BIND(name) gtk_widget_class_bind_template_child(widget_class, HearthPersonEditor, name)
	BIND(title);
	BIND(cancel_button);
	BIND(save_button);
	BIND(name_row);
	BIND(unit_row);
	BIND(phone_row);
	BIND(tags_row);
#undef BIND
	gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Escape, 0,
					    "window.close", NULL);
}

static void
hearth_person_editor_init(HearthPersonEditor *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	g_signal_connect(self->name_row, "changed", G_CALLBACK(on_name_changed), self);
	g_signal_connect(self->save_button, "clicked", G_CALLBACK(on_save), self);
	g_signal_connect(self->cancel_button, "clicked", G_CALLBACK(on_cancel), self);
}

HearthPersonEditor *
hearth_person_editor_present(HearthWindow *win, const hearth_id *id)
{
	HearthPersonEditor *self = g_object_new(HEARTH_TYPE_PERSON_EDITOR,
		"transient-for", win, NULL);

	self->win = win;
	self->session = g_object_ref(hearth_window_get_session(win));
	adw_window_title_set_title(self->title,
				   id ? _("Edit Person") : _("New Person"));
	if (id != NULL) {
		g_autoptr(hearth_record) r = NULL;

		if (hearth_record_load(hearth_session_get_store(self->session), id,
				       &r) == HEARTH_OK) {
			const char *v;
			g_autofree char *tags = NULL;

			self->id = *id;
			self->editing = TRUE;
			if ((v = hearth_record_field(r, "name")))
				gtk_editable_set_text(GTK_EDITABLE(self->name_row), v);
			if ((v = hearth_record_field(r, "unit")))
				gtk_editable_set_text(GTK_EDITABLE(self->unit_row), v);
			if ((v = hearth_record_field(r, "phone")))
				gtk_editable_set_text(GTK_EDITABLE(self->phone_row), v);
			tags = hearth_person_tags_text(hearth_record_field(r, "tags"));
			gtk_editable_set_text(GTK_EDITABLE(self->tags_row), tags);
		}
	}
	gtk_window_present(GTK_WINDOW(self));
	return self;
}
