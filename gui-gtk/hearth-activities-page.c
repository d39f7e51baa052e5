/*
 * gui-gtk/hearth-activities-page.c - activities.
 */
#include "hearth-activities-page.h"

#include <string.h>

#include "hearth/activity.h"
#include "hearth-activity-form.h"

/* The list shows this many days back. */
#define ACTIVITY_DAYS 92

struct _HearthActivitiesPage {
	AdwBin parent_instance;

	/* Template widgets */
	GtkDropDown *type_drop;
	GtkMenuButton *log_button;
	GtkBox *content;

	/* Owned */
	HearthSession *session;
	gsize limit;            /* rows shown, newest first */

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthActivitiesPage, hearth_activities_page, ADW_TYPE_BIN)

static void reload(HearthActivitiesPage *self);

static void
show_more(HearthActivitiesPage *self)
{
	self->limit += HEARTH_GUI_ROWS_PAGE;
	reload(self);
}

static void
reload(HearthActivitiesPage *self)
{
	hearth_store *s = hearth_session_peek_store(self->session);
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
	/* The filter lists all activities, then each type in the core's
	 * order. */
	if (hearth_activity_list(s, from, NULL,
				 sel >= 1 && sel <= HEARTH_ACTIVITY_TYPE_COUNT
				 ? hearth_activity_type_name(sel - 1) : NULL,
				 &l) != HEARTH_OK) {
		hearth_window_status(self->win, HEARTH_ERROR);
		return;
	}
	for (size_t i = l->n; i-- > 0;) {
		const hearth_activity_item *a = &l->items[i];
		GtkWidget *row;
		GString *sub;

		if (l->n - 1 - i >= self->limit) {
			adw_preferences_group_add(ADW_PREFERENCES_GROUP(group),
				hearth_gui_more_row(i + 1, G_CALLBACK(show_more), self));
			break;
		}
		row = adw_action_row_new();
		sub = g_string_new(NULL);

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
				hearth_gui_activity_type_text(a->type), a->topic);

			adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), t);
		} else {
			adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row),
						      hearth_gui_activity_type_text(a->type));
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
		/* What the safety rule did, in words (not colour alone). */
		if (a->has_followup)
			g_string_append_printf(sub, "%s%s", sub->len ? " · " : "",
					       _("High risk, safety follow-up added"));
		else if (a->unattached)
			g_string_append_printf(sub, "%s%s", sub->len ? " · " : "",
					       _("High risk, nobody named: no follow-up"));
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

void
hearth_activity_log_ask(HearthWindow *win, const char *type)
{
	hearth_activity_form_start(win, type, NULL);
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
	HearthActivitiesPage *self = data;

	self->limit = HEARTH_GUI_ROWS_PAGE;
	reload(self);
}

static void
lazy_reload(gpointer page)
{
	reload(HEARTH_ACTIVITIES_PAGE(page));
}

static void
hearth_activities_page_dispose(GObject *object)
{
	HearthActivitiesPage *self = HEARTH_ACTIVITIES_PAGE(object);

	G_OBJECT_CLASS(hearth_activities_page_parent_class)->dispose(object);
	g_clear_object(&self->session);
}

static void
hearth_activities_page_class_init(HearthActivitiesPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_activities_page_dispose;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-activities-page.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthActivitiesPage, type_drop);
	gtk_widget_class_bind_template_child(widget_class, HearthActivitiesPage, content);
	gtk_widget_class_bind_template_child(widget_class, HearthActivitiesPage, log_button);
	gtk_widget_class_install_action(widget_class, "activities.log", "s", action_log);
}

static void
hearth_activities_page_init(HearthActivitiesPage *self)
{
	GtkStringList *types = gtk_string_list_new(NULL);
	g_autoptr(GMenu) log_menu = g_menu_new();

	gtk_widget_init_template(GTK_WIDGET(self));
	/* The filter and the Log menu use the core's labels, in its order. */
	gtk_string_list_append(types, _("All activities"));
	for (hearth_activity_type v = 0; v < HEARTH_ACTIVITY_TYPE_COUNT; v++) {
		g_autofree char *action = g_strdup_printf("activities.log::%s",
			hearth_activity_type_name(v));

		gtk_string_list_append(types, hearth_activity_type_label(v));
		g_menu_append(log_menu, hearth_activity_type_label(v), action);
	}
	gtk_drop_down_set_model(self->type_drop, G_LIST_MODEL(types));
	g_object_unref(types);
	gtk_menu_button_set_menu_model(self->log_button, G_MENU_MODEL(log_menu));
	hearth_gui_menu_button_label(self->log_button, _("Log an Activity"));
	self->limit = HEARTH_GUI_ROWS_PAGE;
	g_signal_connect(self->type_drop, "notify::selected", G_CALLBACK(on_type), self);
}

HearthActivitiesPage *
hearth_activities_page_new(HearthWindow *win, HearthSession *session)
{
	HearthActivitiesPage *self = g_object_new(HEARTH_TYPE_ACTIVITIES_PAGE, NULL);

	self->win = win;
	self->session = g_object_ref(session);
	hearth_session_watch(session, HEARTH_CHANGE_ACTIVITIES | HEARTH_CHANGE_PEOPLE, self,
			     G_CALLBACK(hearth_gui_lazy_changed));
	hearth_gui_lazy_init(GTK_WIDGET(self), lazy_reload);
	return self;
}
