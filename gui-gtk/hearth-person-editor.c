/*
 * gui-gtk/hearth-person-editor.c - add or edit a person.
 */
#include "hearth-person-editor.h"

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

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthPersonEditor, hearth_person_editor, ADW_TYPE_WINDOW)

static hearth_status
set_field(hearth_store *s, const hearth_id *id, const hearth_record *old,
	  const char *field, const char *value)
{
	const char *cur = old ? hearth_record_field(old, field) : NULL;

	if (value != NULL && *value == '\0')
		value = NULL;
	if (g_strcmp0(cur, value) == 0)
		return HEARTH_OK;
	return hearth_record_set(s, id, field, value);
}

hearth_status
hearth_person_write(hearth_store *s, const hearth_id *id, const char *name,
		    const char *unit, const char *phone, const char *tags,
		    hearth_id *out)
{
	g_autoptr(hearth_record) old = NULL;
	g_autofree char *tags_json = hearth_person_tags_json(tags);
	hearth_id pid;
	hearth_status st;

	st = hearth_store_begin(s);
	if (st != HEARTH_OK)
		return st;
	if (id == NULL) {
		st = hearth_record_create(s, NULL, "person", &pid);
	} else {
		pid = *id;
		st = hearth_record_load(s, id, &old);
	}
	if (st == HEARTH_OK)
		st = set_field(s, &pid, old, "name", name);
	if (st == HEARTH_OK)
		st = set_field(s, &pid, old, "unit", unit);
	if (st == HEARTH_OK)
		st = set_field(s, &pid, old, "phone", phone);
	if (st == HEARTH_OK)
		st = set_field(s, &pid, old, "tags", tags_json);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, id ? "person.edit" : "person.add",
					 &pid, NULL);
	if (st == HEARTH_OK)
		st = hearth_store_commit(s);
	if (st != HEARTH_OK) {
		hearth_store_rollback(s);
		return st;
	}
	if (out != NULL)
		*out = pid;
	return HEARTH_OK;
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
	hearth_store *s = hearth_window_get_store(self->win);
	g_autofree char *name = g_strstrip(g_strdup(text(self->name_row)));
	hearth_id id;
	hearth_status st;

	if (s == NULL || *name == '\0')
		return;
	st = hearth_person_write(s, self->editing ? &self->id : NULL, name,
				 text(self->unit_row), text(self->phone_row),
				 text(self->tags_row), &id);
	if (st != HEARTH_OK) {
		/* The window stays open with what was typed. */
		hearth_window_status(self->win, st);
		return;
	}
	hearth_window_toast(self->win, self->editing ? _("Changes saved")
				       : _("Person added"));
	hearth_window_data_changed(self->win);
	gtk_window_destroy(GTK_WINDOW(self));
}

static void
on_cancel(GtkWidget *w, gpointer data)
{
	gtk_window_destroy(GTK_WINDOW(data));
}

static void
hearth_person_editor_class_init(HearthPersonEditorClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

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
	adw_window_title_set_title(self->title,
				   id ? _("Edit Person") : _("New Person"));
	if (id != NULL) {
		g_autoptr(hearth_record) r = NULL;

		if (hearth_record_load(hearth_window_get_store(win), id, &r) == HEARTH_OK) {
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
