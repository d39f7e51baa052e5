/*
 * gui-gtk/hearth-appointment-editor.c - book sessions.
 */
#include "hearth-appointment-editor.h"

#include "hearth/appointment.h"
#include "hearth/person.h"
#include "hearth-person-item.h"
#include "hearth-record-actions.h"

struct _HearthAppointmentEditor {
	AdwWindow parent_instance;

	/* Template widgets */
	GtkButton *cancel_button;
	GtkButton *save_button;
	GtkWidget *conflict_box;
	GtkLabel *conflict_label;
	AdwActionRow *person_row;
	GtkDropDown *person_drop;
	AdwEntryRow *date_row;
	AdwEntryRow *time_row;
	GtkSpinButton *minutes_spin;
	AdwComboRow *mode_row;
	AdwEntryRow *place_row;
	AdwEntryRow *counsellor_row;
	AdwComboRow *repeat_row;
	AdwActionRow *count_row;
	GtkSpinButton *count_spin;

	/* Owned */
	GArray *ids;        /* hearth_id per entry of person_drop */
	gboolean fixed;     /* person given by the caller */
	hearth_id person;
	gboolean force;     /* conflicts shown once: book anyway */
	HearthSession *session;

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthAppointmentEditor, hearth_appointment_editor,
		    ADW_TYPE_WINDOW)

/* Fills the person choice from the session's people (the list People
 * and the pickers show, newest first). */
static void
fill_people(HearthAppointmentEditor *self)
{
	GtkStringList *list = GTK_STRING_LIST(gtk_drop_down_get_model(self->person_drop));
	GListModel *people = hearth_session_get_people(self->session);
	hearth_status st = hearth_session_people_refresh(self->session);

	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	for (guint i = 0; i < g_list_model_get_n_items(people); i++) {
		g_autoptr(HearthPersonItem) item = g_list_model_get_item(people, i);

		gtk_string_list_append(list, hearth_person_display_name(
			hearth_person_item_get_name(item)));
		g_array_append_val(self->ids, *hearth_person_item_get_id(item));
	}
}

static void
reset_conflicts(HearthAppointmentEditor *self)
{
	self->force = FALSE;
	gtk_widget_set_visible(self->conflict_box, FALSE);
	gtk_button_set_label(self->save_button, _("_Book"));
}

static void
on_changed(gpointer obj, gpointer data)
{
	reset_conflicts(HEARTH_APPOINTMENT_EDITOR(data));
}

static void
on_notify_changed(GObject *obj, GParamSpec *pspec, gpointer data)
{
	reset_conflicts(HEARTH_APPOINTMENT_EDITOR(data));
}

static void
on_repeat(AdwComboRow *row, GParamSpec *pspec, gpointer data)
{
	HearthAppointmentEditor *self = data;

	gtk_widget_set_sensitive(GTK_WIDGET(self->count_row),
				 adw_combo_row_get_selected(row) != 0);
	reset_conflicts(self);
}

static void
on_save(GtkButton *b, gpointer data)
{
	HearthAppointmentEditor *self = data;
	static const char *const repeats[] = { NULL, "weekly", "biweekly" };
	hearth_store *s = hearth_session_get_store(self->session);
	g_autofree char *at = NULL;
	hearth_appt_new a = { 0 };
	hearth_appt_result *res = NULL;
	hearth_status st;
	guint mode = adw_combo_row_get_selected(self->mode_row);
	guint rep = adw_combo_row_get_selected(self->repeat_row);
	int64_t m;

	if (s == NULL)
		return;
	if (!self->fixed) {
		guint i = gtk_drop_down_get_selected(self->person_drop);

		if (i == GTK_INVALID_LIST_POSITION || i >= self->ids->len) {
			hearth_window_toast(self->win, _("Choose a person first"));
			return;
		}
		self->person = g_array_index(self->ids, hearth_id, i);
	}
	at = g_strdup_printf("%s %s", gtk_editable_get_text(GTK_EDITABLE(self->date_row)),
			     gtk_editable_get_text(GTK_EDITABLE(self->time_row)));
	if (hearth_datetime_parse(at, &m) != HEARTH_OK) {
		hearth_errdetail_clear();
		gtk_label_set_text(self->conflict_label,
			_("Write the date as 2026-03-14 and the time as 14:30."));
		gtk_widget_set_visible(self->conflict_box, TRUE);
		return;
	}
	a.person = self->person;
	a.at = at;
	a.minutes = gtk_spin_button_get_value_as_int(self->minutes_spin);
	a.mode = hearth_appt_mode_name(mode < HEARTH_MODE_COUNT ? mode
							     : HEARTH_MODE_IN_PERSON);
	a.place = gtk_editable_get_text(GTK_EDITABLE(self->place_row));
	a.counsellor = gtk_editable_get_text(GTK_EDITABLE(self->counsellor_row));
	a.repeat = repeats[rep < 3 ? rep : 0];
	a.count = rep ? gtk_spin_button_get_value_as_int(self->count_spin) : 0;
	/* First try strictly: a clash writes nothing and is shown here. */
	a.strict = !self->force;
	st = hearth_appt_add(s, &a, &res);
	if (st == HEARTH_ESTATE && res != NULL && res->nconflicts > 0) {
		g_autofree char *text = hearth_conflicts_text(res->conflicts,
							      res->nconflicts);
		g_autofree char *full = g_strdup_printf("%s\n%s", text,
			_("Change the time, or book anyway."));

		gtk_label_set_text(self->conflict_label, full);
		gtk_widget_set_visible(self->conflict_box, TRUE);
		gtk_button_set_label(self->save_button, _("Book _Anyway"));
		self->force = TRUE;
		hearth_appt_result_free(res);
		return;
	}
	if (st != HEARTH_OK) {
		hearth_appt_result_free(res);
		gtk_label_set_text(self->conflict_label, hearth_gui_status_text(st));
		gtk_widget_set_visible(self->conflict_box, TRUE);
		return;
	}
	{
		g_autofree char *text = g_strdup_printf(
			g_dngettext(NULL, "%zu session booked", "%zu sessions booked",
				    (gulong)res->n), res->n);

		hearth_window_toast(self->win, text);
	}
	hearth_appt_result_free(res);
	hearth_session_changed(self->session, HEARTH_CHANGE_APPOINTMENTS);
	gtk_window_destroy(GTK_WINDOW(self));
}

static void
on_cancel(GtkButton *b, gpointer data)
{
	gtk_window_destroy(GTK_WINDOW(data));
}

static void
hearth_appointment_editor_finalize(GObject *object)
{
	HearthAppointmentEditor *self = HEARTH_APPOINTMENT_EDITOR(object);

	g_array_unref(self->ids);
	g_clear_object(&self->session);
	G_OBJECT_CLASS(hearth_appointment_editor_parent_class)->finalize(object);
}

static void
hearth_appointment_editor_class_init(HearthAppointmentEditorClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = hearth_appointment_editor_finalize;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-appointment-editor.ui");
#define BIND(name) gtk_widget_class_bind_template_child(widget_class, HearthAppointmentEditor, name)
	BIND(cancel_button);
	BIND(save_button);
	BIND(conflict_box);
	BIND(conflict_label);
	BIND(person_row);
	BIND(person_drop);
	BIND(date_row);
	BIND(time_row);
	BIND(minutes_spin);
	BIND(mode_row);
	BIND(place_row);
	BIND(counsellor_row);
	BIND(repeat_row);
	BIND(count_row);
	BIND(count_spin);
#undef BIND
	gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Escape, 0,
					    "window.close", NULL);
}

static void
hearth_appointment_editor_init(HearthAppointmentEditor *self)
{
	GtkStringList *names = gtk_string_list_new(NULL);
	GtkStringList *modes = gtk_string_list_new(NULL);
	GtkExpression *expr;

	gtk_widget_init_template(GTK_WIDGET(self));
	for (hearth_appt_mode v = 0; v < HEARTH_MODE_COUNT; v++)
		gtk_string_list_append(modes, hearth_appt_mode_label(v));
	adw_combo_row_set_model(self->mode_row, G_LIST_MODEL(modes));
	g_object_unref(modes);
	self->ids = g_array_new(FALSE, FALSE, sizeof(hearth_id));
	gtk_drop_down_set_model(self->person_drop, G_LIST_MODEL(names));
	g_object_unref(names);
	expr = gtk_property_expression_new(GTK_TYPE_STRING_OBJECT, NULL, "string");
	gtk_drop_down_set_expression(self->person_drop, expr);
	gtk_expression_unref(expr);
	g_signal_connect(self->save_button, "clicked", G_CALLBACK(on_save), self);
	g_signal_connect(self->cancel_button, "clicked", G_CALLBACK(on_cancel), self);
	g_signal_connect(self->repeat_row, "notify::selected", G_CALLBACK(on_repeat), self);
	g_signal_connect(self->date_row, "changed", G_CALLBACK(on_changed), self);
	g_signal_connect(self->time_row, "changed", G_CALLBACK(on_changed), self);
	g_signal_connect(self->minutes_spin, "value-changed", G_CALLBACK(on_changed), self);
	g_signal_connect(self->count_spin, "value-changed", G_CALLBACK(on_changed), self);
	g_signal_connect(self->person_drop, "notify::selected", G_CALLBACK(on_notify_changed), self);
}

HearthAppointmentEditor *
hearth_appointment_editor_present(HearthWindow *win, const hearth_id *person)
{
	HearthAppointmentEditor *self = g_object_new(HEARTH_TYPE_APPOINTMENT_EDITOR,
		"transient-for", win, NULL);
	hearth_store *s;
	char today[HEARTH_DATE_LEN + 1], next[HEARTH_DATE_LEN + 1];

	self->win = win;
	self->session = g_object_ref(hearth_window_get_session(win));
	s = hearth_session_get_store(self->session);
	hearth_gui_today(today);
	if (hearth_date_add_days(today, 1, next) != HEARTH_OK)
		g_strlcpy(next, today, sizeof next);
	gtk_editable_set_text(GTK_EDITABLE(self->date_row), next);
	gtk_editable_set_text(GTK_EDITABLE(self->time_row), "10:00");
	if (person != NULL) {
		g_autoptr(hearth_record) r = NULL;

		self->fixed = TRUE;
		self->person = *person;
		gtk_widget_set_visible(GTK_WIDGET(self->person_drop), FALSE);
		if (s != NULL && hearth_record_load(s, person, &r) == HEARTH_OK)
			adw_action_row_set_subtitle(self->person_row,
				hearth_person_display_name(hearth_record_field(r, "name")));
	} else {
		fill_people(self);
	}
	gtk_window_present(GTK_WINDOW(self));
	return self;
}
