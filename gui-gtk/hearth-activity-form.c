/*
 * gui-gtk/hearth-activity-form.c - the quick log of an activity.
 */
#include "hearth-activity-form.h"

#include <string.h>

#include "hearth/casework.h"
#include "hearth-counsellor-view.h"
#include "hearth-crisis.h"

struct _HearthActivityForm {
	AdwBin parent_instance;

	/* Template widgets */
	AdwWindowTitle *title;
	GtkButton *save_button;
	AdwPreferencesGroup *person_group;
	AdwActionRow *person_row;
	GtkButton *clear_button;
	GtkWidget *anon_warning;
	AdwEntryRow *date_row;
	AdwComboRow *risk_row;
	AdwEntryRow *topic_row;
	AdwEntryRow *unit_row;
	AdwActionRow *attendance_row;
	GtkSpinButton *attendance_spin;
	GtkSpinButton *minutes_spin;
	AdwEntryRow *outcome_row;

	/* Owned */
	char type[16];
	gboolean busy;          /* the crisis dialog is open */

	/* Borrowed */
	HearthWindow *win;
	HearthPersonPicker *picker; /* NULL when the type names nobody */
};

G_DEFINE_FINAL_TYPE(HearthActivityForm, hearth_activity_form, ADW_TYPE_BIN)

static const char *const risks[] = { "", "low", "moderate", "high" };

/* The form's title: the words of the Log menu. */
static const char *
form_title(const char *type)
{
	if (strcmp(type, "hotline") == 0)
		return _("Hotline Call");
	if (strcmp(type, "callback") == 0)
		return _("Call-back");
	if (strcmp(type, "group") == 0)
		return _("Group Session");
	if (strcmp(type, "lecture") == 0)
		return _("Lecture");
	return _("Outreach");
}

static gboolean
is_call(const char *type)
{
	return strcmp(type, "hotline") == 0 || strcmp(type, "callback") == 0;
}

static gboolean
high_risk(HearthActivityForm *self)
{
	return gtk_widget_get_visible(GTK_WIDGET(self->risk_row)) &&
	       adw_combo_row_get_selected(self->risk_row) == 3;
}

static void
update(HearthActivityForm *self)
{
	hearth_id id;
	gboolean named = self->picker != NULL &&
			 hearth_person_picker_get_person(self->picker, &id);

	if (self->picker != NULL) {
		adw_action_row_set_subtitle(self->person_row, named
			? hearth_person_picker_get_name(self->picker)
			: _("Anonymous"));
		gtk_widget_set_visible(GTK_WIDGET(self->clear_button), named);
	}
	/* Said before logging, not only after: the counsellor may still ask
	 * the caller's name. */
	gtk_widget_set_visible(self->anon_warning, high_risk(self) && !named);
}

static void
on_picker_changed(HearthPersonPicker *picker, gpointer data)
{
	update(HEARTH_ACTIVITY_FORM(data));
}

static void
on_risk(GObject *row, GParamSpec *pspec, gpointer data)
{
	update(HEARTH_ACTIVITY_FORM(data));
}

static void
on_clear(GtkButton *b, gpointer data)
{
	HearthActivityForm *self = data;

	hearth_person_picker_set_person(self->picker, NULL, NULL);
}

/* Logs the activity; action is the crisis action taken, or NULL. */
static void
log_activity(HearthActivityForm *self, const char *action)
{
	hearth_store *s = hearth_window_get_store(self->win);
	char today[HEARTH_DATE_LEN + 1];
	hearth_activity_new a = { 0 };
	hearth_activity_added out;
	hearth_id person;
	g_autofree char *outcome = NULL;
	g_autofree char *name = NULL;
	const char *typed;
	guint r;
	hearth_status st;

	if (s == NULL)
		return;
	hearth_gui_today(today);
	a.type = self->type;
	a.date = gtk_editable_get_text(GTK_EDITABLE(self->date_row));
	if (self->picker != NULL && hearth_person_picker_get_person(self->picker, &person)) {
		a.person = &person;
		name = g_strdup(hearth_person_picker_get_name(self->picker));
	}
	a.topic = gtk_editable_get_text(GTK_EDITABLE(self->topic_row));
	a.unit = gtk_editable_get_text(GTK_EDITABLE(self->unit_row));
	a.attendance = gtk_widget_get_visible(GTK_WIDGET(self->attendance_row))
		? gtk_spin_button_get_value_as_int(self->attendance_spin) : -1;
	a.minutes = gtk_spin_button_get_value_as_int(self->minutes_spin);
	r = adw_combo_row_get_selected(self->risk_row);
	a.risk = gtk_widget_get_visible(GTK_WIDGET(self->risk_row))
		? risks[r < G_N_ELEMENTS(risks) ? r : 0] : NULL;
	typed = gtk_editable_get_text(GTK_EDITABLE(self->outcome_row));
	if (action != NULL && *typed)
		/* Translators: an activity's outcome followed by the action
		 * taken in the crisis dialog. */
		outcome = g_strdup_printf(_("%s; action taken: %s"), typed, action);
	else if (action != NULL)
		outcome = g_strdup(action);
	else
		outcome = g_strdup(typed);
	a.outcome = outcome;

	st = hearth_activity_add(s, &a, today, &out);
	if (st != HEARTH_OK) {
		/* The form stays as it was: nothing typed is lost. */
		hearth_window_status(self->win, st);
		return;
	}
	if (out.safety == HEARTH_ACTIVITY_SAFETY_FOLLOWUP) {
		g_autofree char *text = g_strdup_printf(
			_("Logged. A safety follow-up for %s is due today: it is at the top of Today."),
			name);

		hearth_window_toast(self->win, text);
	} else if (out.safety == HEARTH_ACTIVITY_SAFETY_UNATTACHED) {
		hearth_window_toast(self->win,
			_("Logged. The call was high risk but names nobody, so no follow-up could be added: add the person and a follow-up now if you can."));
	} else {
		hearth_window_toast(self->win, _("Activity logged"));
	}
	hearth_window_data_changed(self->win);
	if (hearth_window_get_top(self->win) == GTK_WIDGET(self))
		hearth_window_pop(self->win);
}

static void
on_crisis_recorded(const char *action, gpointer data)
{
	HearthActivityForm *self = data;

	self->busy = FALSE;
	log_activity(self, action);
}

void
hearth_activity_form_save(HearthActivityForm *self)
{
	g_return_if_fail(HEARTH_IS_ACTIVITY_FORM(self));
	if (self->busy || hearth_window_get_store(self->win) == NULL)
		return;
	/* A high-risk call shows the crisis steps and help lines first, and
	 * what was done is recorded with the call. */
	if (high_risk(self)) {
		self->busy = TRUE;
		hearth_crisis_ask(self->win, on_crisis_recorded, g_object_ref(self));
		return;
	}
	log_activity(self, NULL);
}

static void
on_save(GtkButton *b, gpointer data)
{
	hearth_activity_form_save(HEARTH_ACTIVITY_FORM(data));
}

HearthPersonPicker *
hearth_activity_form_get_picker(HearthActivityForm *self)
{
	return self->picker;
}

void
hearth_activity_form_set_risk(HearthActivityForm *self, guint level)
{
	adw_combo_row_set_selected(self->risk_row, MIN(level, 3u));
}

static void
hearth_activity_form_class_init(HearthActivityFormClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-activity-form.ui");
#define BIND(name) gtk_widget_class_bind_template_child(widget_class, HearthActivityForm, name)
	BIND(title);
	BIND(save_button);
	BIND(person_group);
	BIND(person_row);
	BIND(clear_button);
	BIND(anon_warning);
	BIND(date_row);
	BIND(risk_row);
	BIND(topic_row);
	BIND(unit_row);
	BIND(attendance_row);
	BIND(attendance_spin);
	BIND(minutes_spin);
	BIND(outcome_row);
#undef BIND
}

static void
hearth_activity_form_init(HearthActivityForm *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	g_signal_connect(self->save_button, "clicked", G_CALLBACK(on_save), self);
	g_signal_connect(self->clear_button, "clicked", G_CALLBACK(on_clear), self);
	g_signal_connect(self->risk_row, "notify::selected", G_CALLBACK(on_risk), self);
}

HearthActivityForm *
hearth_activity_form_start(HearthWindow *win, const char *type,
			   const hearth_id *person)
{
	HearthActivityForm *self;
	GtkWidget *root = hearth_window_get_root_view(win);
	gboolean crowd = strcmp(type, "group") == 0 || strcmp(type, "lecture") == 0;
	char today[HEARTH_DATE_LEN + 1];

	if (!hearth_activity_type_valid(type))
		return NULL;
	self = g_object_new(HEARTH_TYPE_ACTIVITY_FORM, NULL);
	self->win = win;
	g_strlcpy(self->type, type, sizeof self->type);
	adw_window_title_set_title(self->title, form_title(type));
	hearth_gui_today(today);
	gtk_editable_set_text(GTK_EDITABLE(self->date_row), today);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(self->topic_row),
		is_call(type) ? _("What it was about") : _("Topic"));
	gtk_widget_set_visible(GTK_WIDGET(self->attendance_row), crowd);
	gtk_spin_button_set_value(self->minutes_spin, crowd ? 90 : 20);
	/* Groups and lectures name nobody (the core keeps them anonymous);
	 * calls and outreach may name one person. */
	gtk_widget_set_visible(GTK_WIDGET(self->person_group), !crowd);
	if (!is_call(type)) {
		adw_preferences_group_set_title(self->person_group, _("Person Reached"));
		adw_preferences_group_set_description(self->person_group, NULL);
	}
	gtk_widget_set_visible(GTK_WIDGET(self->risk_row), !crowd);
	if (!crowd && root != NULL && HEARTH_IS_COUNSELLOR_VIEW(root)) {
		HearthPeoplePage *people = hearth_counsellor_view_get_people(
			HEARTH_COUNSELLOR_VIEW(root));

		self->picker = hearth_person_picker_new(
			hearth_people_page_get_model(people));
		adw_action_row_add_suffix(self->person_row, GTK_WIDGET(self->picker));
		g_signal_connect(self->picker, "changed", G_CALLBACK(on_picker_changed), self);
		if (person != NULL) {
			hearth_store *s = hearth_window_get_store(win);
			g_autoptr(hearth_record) r = NULL;

			if (s != NULL && hearth_record_load(s, person, &r) == HEARTH_OK)
				hearth_person_picker_set_person(self->picker, person,
					hearth_record_field(r, "name"));
		}
	} else {
		gtk_widget_set_visible(GTK_WIDGET(self->person_group), FALSE);
	}
	update(self);
	hearth_window_push(win, GTK_WIDGET(self));
	return self;
}
