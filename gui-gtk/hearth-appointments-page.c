/*
 * gui-gtk/hearth-appointments-page.c - the agenda.
 */
#include "hearth-appointments-page.h"

#include "hearth/appointment.h"
#include "hearth-record-actions.h"

struct _HearthAppointmentsPage {
	AdwBin parent_instance;

	/* Template widgets */
	GtkToggleButton *day_toggle;
	GtkToggleButton *week_toggle;
	GtkButton *prev_button;
	GtkButton *next_button;
	GtkLabel *range_label;
	GtkBox *content;

	/* Owned */
	HearthSession *session;
	int32_t day;           /* the day shown, or a day of the week shown */
	gsize limit;           /* rows shown */

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthAppointmentsPage, hearth_appointments_page, ADW_TYPE_BIN)

static void
show_more(HearthAppointmentsPage *self)
{
	self->limit += HEARTH_GUI_ROWS_PAGE;
	hearth_appointments_page_reload(self);
}

static void
lazy_reload(gpointer page)
{
	hearth_appointments_page_reload(HEARTH_APPOINTMENTS_PAGE(page));
}

void
hearth_appointments_page_reload(HearthAppointmentsPage *self)
{
	hearth_store *s = hearth_session_peek_store(self->session);
	gboolean week = gtk_toggle_button_get_active(self->week_toggle);
	int32_t from = self->day, to = self->day;
	char f[HEARTH_DATE_LEN + 1], t[HEARTH_DATE_LEN + 1], today[HEARTH_DATE_LEN + 1];
	hearth_appts *l = NULL;
	GtkWidget *group = NULL;
	char cur[HEARTH_DATE_LEN + 1] = "";
	hearth_status st;

	if (s == NULL)
		return;
	hearth_gui_today(today);
	if (week) {
		from = self->day - (hearth_date_weekday(self->day) - 1);
		to = from + 6;
	}
	hearth_date_format(from, f);
	hearth_date_format(to, t);
	{
		g_autofree char *a = hearth_gui_date_label(f, today);
		g_autofree char *b = hearth_gui_date_label(t, today);
		g_autofree char *range = week ? g_strdup_printf("%s – %s", a, b)
					      : g_strdup(a);

		gtk_label_set_text(self->range_label, range);
	}
	hearth_gui_box_clear(GTK_WIDGET(self->content));
	st = hearth_appt_list(s, f, t, NULL, &l);
	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		const hearth_appt_item *a = &l->items[i];

		if (i >= self->limit) {
			adw_preferences_group_add(ADW_PREFERENCES_GROUP(group),
				hearth_gui_more_row(l->n - i, G_CALLBACK(show_more), self));
			break;
		}
		if (strncmp(cur, a->at, HEARTH_DATE_LEN) != 0) {
			g_autofree char *title = NULL;

			g_strlcpy(cur, a->at, sizeof cur);
			title = hearth_gui_date_label(cur, today);
			group = adw_preferences_group_new();
			adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), title);
			gtk_box_append(self->content, group);
		}
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(group),
			hearth_appt_row_new(self->win, a, FALSE));
	}
	if (l->n == 0) {
		GtkWidget *empty = adw_status_page_new();

		adw_status_page_set_icon_name(ADW_STATUS_PAGE(empty), "alarm-symbolic");
		adw_status_page_set_title(ADW_STATUS_PAGE(empty), _("No Appointments"));
		adw_status_page_set_description(ADW_STATUS_PAGE(empty),
			_("Use the + button to book a session."));
		gtk_widget_add_css_class(empty, "compact");
		gtk_box_append(self->content, empty);
	}
	hearth_appts_free(l);
}

static void
on_mode(GtkToggleButton *b, gpointer data)
{
	if (gtk_toggle_button_get_active(b)) {
		HEARTH_APPOINTMENTS_PAGE(data)->limit = HEARTH_GUI_ROWS_PAGE;
		hearth_appointments_page_reload(HEARTH_APPOINTMENTS_PAGE(data));
	}
}

static void
shift(HearthAppointmentsPage *self, int dir)
{
	self->limit = HEARTH_GUI_ROWS_PAGE;
	self->day += dir * (gtk_toggle_button_get_active(self->week_toggle) ? 7 : 1);
	hearth_appointments_page_reload(self);
}

static void
on_prev(GtkButton *b, gpointer data)
{
	shift(HEARTH_APPOINTMENTS_PAGE(data), -1);
}

static void
on_next(GtkButton *b, gpointer data)
{
	shift(HEARTH_APPOINTMENTS_PAGE(data), 1);
}

static void
hearth_appointments_page_dispose(GObject *object)
{
	HearthAppointmentsPage *self = HEARTH_APPOINTMENTS_PAGE(object);

	G_OBJECT_CLASS(hearth_appointments_page_parent_class)->dispose(object);
	g_clear_object(&self->session);
}

static void
hearth_appointments_page_class_init(HearthAppointmentsPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_appointments_page_dispose;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-appointments-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child(widget_class, HearthAppointmentsPage, name)
	BIND(day_toggle);
	BIND(week_toggle);
	BIND(prev_button);
	BIND(next_button);
	BIND(range_label);
	BIND(content);
#undef BIND
}

static void
hearth_appointments_page_init(HearthAppointmentsPage *self)
{
	char today[HEARTH_DATE_LEN + 1];

	gtk_widget_init_template(GTK_WIDGET(self));
	self->limit = HEARTH_GUI_ROWS_PAGE;
	hearth_gui_today(today);
	if (hearth_date_parse(today, &self->day) != HEARTH_OK)
		self->day = 0;
	g_signal_connect(self->day_toggle, "toggled", G_CALLBACK(on_mode), self);
	g_signal_connect(self->week_toggle, "toggled", G_CALLBACK(on_mode), self);
	g_signal_connect(self->prev_button, "clicked", G_CALLBACK(on_prev), self);
	g_signal_connect(self->next_button, "clicked", G_CALLBACK(on_next), self);
}

HearthAppointmentsPage *
hearth_appointments_page_new(HearthWindow *win, HearthSession *session)
{
	HearthAppointmentsPage *self = g_object_new(HEARTH_TYPE_APPOINTMENTS_PAGE, NULL);

	self->win = win;
	self->session = g_object_ref(session);
	hearth_session_watch(session, HEARTH_CHANGE_APPOINTMENTS | HEARTH_CHANGE_PEOPLE, self,
			     G_CALLBACK(hearth_gui_lazy_changed));
	hearth_gui_lazy_init(GTK_WIDGET(self), lazy_reload);
	return self;
}
