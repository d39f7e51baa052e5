/*
 * gui-gtk/hearth-activity-form.c - the quick log of an activity.
 */
#include "hearth-activity-form.h"

#include "hearth/activity.h"
#include "hearth/person.h"
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
	hearth_activity_type type;
	HearthSession *session;

	/* Borrowed */
	HearthWindow *win;
	HearthPersonPicker *picker; /* NULL when the type names nobody */
};

G_DEFINE_FINAL_TYPE(HearthActivityForm, hearth_activity_form, ADW_TYPE_BIN)

static gboolean
is_call(hearth_activity_type type)
{
	return type == HEARTH_ACTIVITY_HOTLINE || type == HEARTH_ACTIVITY_CALLBACK;
}

/* The risk row lists the core's risk levels in its order, "Not assessed"
 * (HEARTH_RISK_NONE) first. */
static gboolean
high_risk(HearthActivityForm *self)
{
	return gtk_widget_get_visible(GTK_WIDGET(self->risk_row)) &&
	       adw_combo_row_get_selected(self->risk_row) == HEARTH_RISK_HIGH;
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

/* Logs the activity; TRUE with its id in *id when it was saved. */
static gboolean
log_activity(HearthActivityForm *self, hearth_id *id)
{
	hearth_store *s = hearth_session_get_store(self->session);
	char today[HEARTH_DATE_LEN + 1];
	hearth_activity_new a = { 0 };
	hearth_activity_added out;
	hearth_id person;
	g_autofree char *name = NULL;
	guint r;
	hearth_status st;

	if (s == NULL)
		return FALSE;
	hearth_gui_today(today);
	a.type = hearth_activity_type_name(self->type);
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
	/* NONE's code is "": no risk given. */
	a.risk = gtk_widget_get_visible(GTK_WIDGET(self->risk_row))
		? hearth_risk_name(r < HEARTH_RISK_COUNT ? r : HEARTH_RISK_NONE) : NULL;
	a.outcome = gtk_editable_get_text(GTK_EDITABLE(self->outcome_row));

	st = hearth_activity_add(s, &a, today, &out);
	if (st != HEARTH_OK) {
		/* The form stays as it was: nothing typed is lost. */
		hearth_window_status(self->win, st);
		return FALSE;
	}
	*id = out.id;
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
	/* A high-risk call naming a person raised their risk and made a
	 * safety follow-up. */
	hearth_session_changed(self->session, HEARTH_CHANGE_ACTIVITIES |
			       (out.safety == HEARTH_ACTIVITY_SAFETY_FOLLOWUP
				? HEARTH_CHANGE_FOLLOWUPS | HEARTH_CHANGE_PEOPLE : 0));
	if (hearth_window_get_top(self->win) == GTK_WIDGET(self))
		hearth_window_pop(self->win);
	return TRUE;
}

/* The crisis dialog's answer for a high-risk activity saved before it
 * asked.  holder carries the window, the session and the activity's id:
 * the form may be gone by now.  A vault locked meanwhile (the session
 * closed) loses only the action text; the call and its safety follow-up
 * are stored already. */
static void
on_crisis_recorded(const char *action, gpointer data)
{
	GObject *holder = data;
	HearthWindow *win = g_object_get_data(holder, "window");
	HearthSession *session = g_object_get_data(holder, "session");
	const hearth_id *id = g_object_get_data(holder, "activity");
	hearth_store *s = hearth_session_get_store(session);
	hearth_status st;

	if (s == NULL)
		return;
	st = hearth_activity_record_action(s, id, action);
	if (st != HEARTH_OK)
		hearth_window_status(win, st);
	else
		hearth_session_changed(session, HEARTH_CHANGE_ACTIVITIES);
}

void
hearth_activity_form_save(HearthActivityForm *self)
{
	HearthWindow *win;
	GObject *holder;
	hearth_id id;
	gboolean ask;

	g_return_if_fail(HEARTH_IS_ACTIVITY_FORM(self));
	if (hearth_session_get_store(self->session) == NULL)
		return;
	/* Save first, then ask: a high-risk call, its safety follow-up and
	 * the person's high risk are stored before the crisis steps are
	 * shown, so a lock or a closed dialog cannot lose them.  Saving may
	 * close the form, so read what is needed from it first. */
	ask = high_risk(self);
	win = self->win;
	if (!log_activity(self, &id) || !ask)
		return;
	holder = g_object_new(G_TYPE_OBJECT, NULL);
	g_object_set_data_full(holder, "window", g_object_ref(win), g_object_unref);
	g_object_set_data_full(holder, "session", g_object_ref(self->session),
			       g_object_unref);
	g_object_set_data_full(holder, "activity", g_memdup2(&id, sizeof id), g_free);
	hearth_crisis_ask(win, on_crisis_recorded, holder);
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
	adw_combo_row_set_selected(self->risk_row, MIN(level, (guint)HEARTH_RISK_HIGH));
}

static void
hearth_activity_form_dispose(GObject *object)
{
	HearthActivityForm *self = HEARTH_ACTIVITY_FORM(object);

	G_OBJECT_CLASS(hearth_activity_form_parent_class)->dispose(object);
	g_clear_object(&self->session);
}

static void
hearth_activity_form_class_init(HearthActivityFormClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_activity_form_dispose;

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
	GtkStringList *risks = gtk_string_list_new(NULL);

	gtk_widget_init_template(GTK_WIDGET(self));
	for (hearth_risk v = 0; v < HEARTH_RISK_COUNT; v++)
		gtk_string_list_append(risks, hearth_risk_label(v));
	adw_combo_row_set_model(self->risk_row, G_LIST_MODEL(risks));
	g_object_unref(risks);
	g_signal_connect(self->save_button, "clicked", G_CALLBACK(on_save), self);
	g_signal_connect(self->clear_button, "clicked", G_CALLBACK(on_clear), self);
	g_signal_connect(self->risk_row, "notify::selected", G_CALLBACK(on_risk), self);
}

HearthActivityForm *
hearth_activity_form_start(HearthWindow *win, const char *type,
			   const hearth_id *person)
{
	HearthActivityForm *self;
	HearthSession *session = hearth_window_get_session(win);
	hearth_activity_type t;
	gboolean crowd;
	char today[HEARTH_DATE_LEN + 1];
	hearth_status st;

	if (session == NULL)
		return NULL;
	if (hearth_activity_type_parse(type, &t) != HEARTH_OK) {
		hearth_errdetail_clear();
		return NULL;
	}
	crowd = t == HEARTH_ACTIVITY_GROUP || t == HEARTH_ACTIVITY_LECTURE;
	self = g_object_new(HEARTH_TYPE_ACTIVITY_FORM, NULL);
	self->win = win;
	self->session = g_object_ref(session);
	self->type = t;
	adw_window_title_set_title(self->title, hearth_activity_type_label(t));
	hearth_gui_today(today);
	gtk_editable_set_text(GTK_EDITABLE(self->date_row), today);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(self->topic_row),
		is_call(t) ? _("What it was about") : _("Topic"));
	gtk_widget_set_visible(GTK_WIDGET(self->attendance_row), crowd);
	gtk_spin_button_set_value(self->minutes_spin, crowd ? 90 : 20);
	/* Every type may name one person and give a risk, as the core takes
	 * them (hearth_activity_add): a participant of a group session or a
	 * lecture who reveals high risk is named so that the safety rule
	 * makes their follow-up.  Otherwise a crowd stays anonymous. */
	if (crowd) {
		adw_preferences_group_set_title(self->person_group, _("Person Concerned"));
		adw_preferences_group_set_description(self->person_group,
			_("Name a participant only if the session raised a concern about them."));
	} else if (!is_call(t)) {
		adw_preferences_group_set_title(self->person_group, _("Person Reached"));
		adw_preferences_group_set_description(self->person_group, NULL);
	}
	/* The picker lists the session's people, read now if they changed. */
	st = hearth_session_people_refresh(session);
	if (st != HEARTH_OK)
		hearth_window_status(win, st);
	self->picker = hearth_person_picker_new(hearth_session_get_people(session));
	adw_action_row_add_suffix(self->person_row, GTK_WIDGET(self->picker));
	g_signal_connect(self->picker, "changed", G_CALLBACK(on_picker_changed), self);
	if (person != NULL) {
		hearth_store *s = hearth_session_get_store(session);
		g_autoptr(hearth_record) r = NULL;

		if (hearth_record_load(s, person, &r) == HEARTH_OK)
			hearth_person_picker_set_person(self->picker, person,
				hearth_record_field(r, "name"));
	}
	update(self);
	hearth_window_push(win, GTK_WIDGET(self));
	return self;
}
