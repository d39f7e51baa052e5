/*
 * gui-gtk/hearth-activities-page.c - activities.
 */
#include "hearth-activities-page.h"

#include <string.h>

#include "hearth/casework.h"

/* The list shows this many days back. */
#define ACTIVITY_DAYS 92

struct _HearthActivitiesPage {
	AdwBin parent_instance;

	/* Template widgets */
	GtkDropDown *type_drop;
	GtkBox *content;

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthActivitiesPage, hearth_activities_page, ADW_TYPE_BIN)

static const char *const type_filter[] = {
	NULL, "hotline", "callback", "group", "lecture", "outreach",
};

static void
reload(HearthActivitiesPage *self)
{
	hearth_store *s = hearth_window_get_store(self->win);
	char today[HEARTH_DATE_LEN + 1], from[HEARTH_DATE_LEN + 1];
	char cur[HEARTH_DATE_LEN + 1] = "";
	guint sel = gtk_drop_down_get_selected(self->type_drop);
	hearth_activities *l = NULL;
	GtkWidget *group = NULL;

	if (s == NULL)
		return;
	hearth_gui_box_clear(GTK_WIDGET(self->content));
	hearth_gui_today(today);
	if (hearth_date_add_days(today, -ACTIVITY_DAYS, from) != HEARTH_OK)
		g_strlcpy(from, today, sizeof from);
	if (hearth_activity_list(s, from, NULL,
				 type_filter[sel < G_N_ELEMENTS(type_filter) ? sel : 0],
				 &l) != HEARTH_OK) {
		hearth_window_status(self->win, HEARTH_ERROR);
		return;
	}
	for (size_t i = l->n; i-- > 0;) {
		const hearth_activity_item *a = &l->items[i];
		GtkWidget *row = adw_action_row_new();
		GString *sub = g_string_new(NULL);

		if (strcmp(cur, a->date) != 0) {
			g_autofree char *title = hearth_gui_date_label(a->date, today);

			g_strlcpy(cur, a->date, sizeof cur);
			group = adw_preferences_group_new();
			adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), title);
			gtk_box_append(self->content, group);
		}
		adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
		if (*a->topic) {
			g_autofree char *t = g_strdup_printf("%s · %s",
				hearth_gui_value_label(a->type), a->topic);

			adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), t);
		} else {
			adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row),
						      hearth_gui_value_label(a->type));
		}
		if (*a->person_name)
			g_string_append(sub, a->person_name);
		if (*a->unit)
			g_string_append_printf(sub, "%s%s", sub->len ? " · " : "", a->unit);
		if (a->attendance >= 0) {
			g_autofree char *n = g_strdup_printf(
				g_dngettext(NULL, "%d attendee", "%d attendees",
					    (gulong)a->attendance), a->attendance);

			g_string_append_printf(sub, "%s%s", sub->len ? " · " : "", n);
		}
		adw_action_row_set_subtitle(ADW_ACTION_ROW(row), sub->str);
		g_string_free(sub, TRUE);
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
	}
	if (l->n == 0) {
		GtkWidget *empty = adw_status_page_new();

		adw_status_page_set_icon_name(ADW_STATUS_PAGE(empty), "call-start-symbolic");
		adw_status_page_set_title(ADW_STATUS_PAGE(empty), _("No Activities Yet"));
		adw_status_page_set_description(ADW_STATUS_PAGE(empty),
			_("Log a hotline call, a group session or a lecture with the + button."));
		gtk_box_append(self->content, empty);
	}
	hearth_activities_free(l);
}

/* ---- quick log ----------------------------------------------------------- */

typedef struct {
	HearthWindow *win;
	char type[16];
	GtkWidget *date, *topic, *unit, *count, *minutes, *risk;
} Log;

static void
on_log_response(AdwMessageDialog *d, const char *response, gpointer data)
{
	Log *c = data;
	static const char *const risks[] = { "", "low", "moderate", "high" };
	char today[HEARTH_DATE_LEN + 1];
	hearth_activity_new a = { 0 };
	hearth_activity_added out;
	hearth_status st;

	if (strcmp(response, "log") != 0)
		return;
	hearth_gui_today(today);
	a.type = c->type;
	a.date = gtk_editable_get_text(GTK_EDITABLE(c->date));
	a.topic = gtk_editable_get_text(GTK_EDITABLE(c->topic));
	a.unit = gtk_editable_get_text(GTK_EDITABLE(c->unit));
	a.attendance = c->count ? gtk_spin_button_get_value_as_int(GTK_SPIN_BUTTON(c->count)) : -1;
	a.minutes = gtk_spin_button_get_value_as_int(GTK_SPIN_BUTTON(c->minutes));
	if (c->risk != NULL) {
		guint r = adw_combo_row_get_selected(ADW_COMBO_ROW(c->risk));

		a.risk = risks[r < 4 ? r : 0];
	}
	st = hearth_activity_add(hearth_window_get_store(c->win), &a, today, &out);
	if (st != HEARTH_OK) {
		hearth_window_status(c->win, st);
		return;
	}
	if (out.safety == HEARTH_ACTIVITY_SAFETY_UNATTACHED)
		hearth_window_toast(c->win,
			_("Logged. The call was high risk but names nobody, so no follow-up could be added: add the person and a follow-up now if you can."));
	else
		hearth_window_toast(c->win, _("Activity logged"));
	hearth_window_data_changed(c->win);
}

static GtkWidget *
spin_row(GtkWidget *list, const char *title, double lo, double hi, double v,
	 GtkWidget **spin)
{
	GtkWidget *row = adw_action_row_new();

	*spin = gtk_spin_button_new_with_range(lo, hi, 1);
	gtk_spin_button_set_value(GTK_SPIN_BUTTON(*spin), v);
	gtk_widget_set_valign(*spin, GTK_ALIGN_CENTER);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	adw_action_row_add_suffix(ADW_ACTION_ROW(row), *spin);
	adw_action_row_set_activatable_widget(ADW_ACTION_ROW(row), *spin);
	gtk_list_box_append(GTK_LIST_BOX(list), row);
	return row;
}

static GtkWidget *
entry(GtkWidget *list, const char *title, const char *text)
{
	GtkWidget *row = adw_entry_row_new();

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	if (text)
		gtk_editable_set_text(GTK_EDITABLE(row), text);
	gtk_list_box_append(GTK_LIST_BOX(list), row);
	return row;
}

void
hearth_activity_log_ask(HearthWindow *win, const char *type)
{
	Log *c = g_new0(Log, 1);
	GtkWidget *d, *list;
	char today[HEARTH_DATE_LEN + 1];
	gboolean crowd = strcmp(type, "group") == 0 || strcmp(type, "lecture") == 0;
	gboolean call = strcmp(type, "hotline") == 0 || strcmp(type, "callback") == 0;

	c->win = win;
	g_strlcpy(c->type, type, sizeof c->type);
	hearth_gui_today(today);
	d = adw_message_dialog_new(GTK_WINDOW(win), hearth_gui_value_label(type), NULL);
	list = gtk_list_box_new();
	gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
	gtk_widget_add_css_class(list, "boxed-list");
	c->date = entry(list, _("Date (YYYY-MM-DD)"), today);
	c->topic = entry(list, call ? _("What it was about") : _("Topic"), NULL);
	c->unit = entry(list, _("Work unit"), NULL);
	if (crowd)
		spin_row(list, _("Attendance"), 0, 10000, 20, &c->count);
	spin_row(list, _("Minutes"), 0, 720, crowd ? 90 : 20, &c->minutes);
	if (call) {
		GtkStringList *risks = gtk_string_list_new(NULL);

		gtk_string_list_append(risks, _("Not assessed"));
		gtk_string_list_append(risks, _("Low"));
		gtk_string_list_append(risks, _("Moderate"));
		gtk_string_list_append(risks, _("High"));
		c->risk = adw_combo_row_new();
		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(c->risk), _("Risk"));
		adw_combo_row_set_model(ADW_COMBO_ROW(c->risk), G_LIST_MODEL(risks));
		g_object_unref(risks);
		gtk_list_box_append(GTK_LIST_BOX(list), c->risk);
	}
	adw_message_dialog_set_extra_child(ADW_MESSAGE_DIALOG(d), list);
	adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(d), "cancel", _("_Cancel"),
					 "log", _("_Log"), NULL);
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(d), "log",
						   ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(d), "cancel");
	g_signal_connect_data(d, "response", G_CALLBACK(on_log_response), c,
			      (GClosureNotify)(void (*)(void))g_free, 0);
	gtk_window_present(GTK_WINDOW(d));
}

static void
action_log(GtkWidget *w, const char *name, GVariant *param)
{
	HearthActivitiesPage *self = HEARTH_ACTIVITIES_PAGE(w);

	hearth_activity_log_ask(self->win, g_variant_get_string(param, NULL));
}

static void
on_type(GtkDropDown *d, GParamSpec *pspec, gpointer data)
{
	reload(HEARTH_ACTIVITIES_PAGE(data));
}

static void
hearth_activities_page_class_init(HearthActivitiesPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-activities-page.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthActivitiesPage, type_drop);
	gtk_widget_class_bind_template_child(widget_class, HearthActivitiesPage, content);
	gtk_widget_class_install_action(widget_class, "activities.log", "s", action_log);
}

static void
hearth_activities_page_init(HearthActivitiesPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	g_signal_connect(self->type_drop, "notify::selected", G_CALLBACK(on_type), self);
}

HearthActivitiesPage *
hearth_activities_page_new(HearthWindow *win)
{
	HearthActivitiesPage *self = g_object_new(HEARTH_TYPE_ACTIVITIES_PAGE, NULL);

	self->win = win;
	g_signal_connect_object(win, "data-changed", G_CALLBACK(reload), self,
				G_CONNECT_SWAPPED);
	reload(self);
	return self;
}
