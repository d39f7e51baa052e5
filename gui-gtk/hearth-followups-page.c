/*
 * gui-gtk/hearth-followups-page.c - all follow-ups.
 */
#include "hearth-followups-page.h"

#include "hearth/followup.h"
#include "hearth-record-actions.h"

struct _HearthFollowupsPage {
	AdwBin parent_instance;

	/* Template widgets */
	GtkBox *content;

	/* Owned */
	HearthSession *session;
	gsize limit[3];         /* rows shown per group */

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthFollowupsPage, hearth_followups_page, ADW_TYPE_BIN)

static void reload(HearthFollowupsPage *self);

static void
show_more(GtkWidget *row, gpointer data)
{
	HearthFollowupsPage *self = data;
	int g = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(row), "group"));

	self->limit[g] += HEARTH_GUI_ROWS_PAGE;
	reload(self);
}

static void
reload(HearthFollowupsPage *self)
{
	hearth_store *s = hearth_session_peek_store(self->session);
	char today[HEARTH_DATE_LEN + 1];
	hearth_followups *l = NULL;
	GtkWidget *groups[3] = { NULL, NULL, NULL };
	const char *titles[3] = { _("Overdue"), _("Today"), _("Coming Up") };

	if (s == NULL)
		return;
	hearth_gui_box_clear(GTK_WIDGET(self->content));
	hearth_gui_today(today);
	if (hearth_followup_list(s, HEARTH_FOLLOWUPS_PENDING, NULL, today, &l) != HEARTH_OK) {
		hearth_window_status(self->win, HEARTH_ERROR);
		return;
	}
	for (int g = 0; g < 3; g++) {
		gsize shown = 0, hidden = 0;

		for (size_t i = 0; i < l->n; i++) {
			const hearth_followup_item *f = &l->items[i];
			int which = f->days_overdue > 0 ? 0
				: strcmp(f->due, today) == 0 ? 1 : 2;

			if (which != g)
				continue;
			if (shown >= self->limit[g]) {
				hidden++;
				continue;
			}
			shown++;
			if (groups[g] == NULL) {
				groups[g] = adw_preferences_group_new();
				adw_preferences_group_set_title(
					ADW_PREFERENCES_GROUP(groups[g]), titles[g]);
				gtk_box_append(self->content, groups[g]);
			}
			adw_preferences_group_add(ADW_PREFERENCES_GROUP(groups[g]),
				hearth_followup_row_new(self->win, f, TRUE));
		}
		if (hidden > 0) {
			GtkWidget *more = hearth_gui_more_row(hidden, NULL, NULL);

			g_object_set_data(G_OBJECT(more), "group", GINT_TO_POINTER(g));
			g_signal_connect(more, "activated", G_CALLBACK(show_more), self);
			adw_preferences_group_add(ADW_PREFERENCES_GROUP(groups[g]), more);
		}
	}
	if (l->n == 0) {
		GtkWidget *empty = adw_status_page_new();

		adw_status_page_set_icon_name(ADW_STATUS_PAGE(empty),
					      "mail-send-receive-symbolic");
		adw_status_page_set_title(ADW_STATUS_PAGE(empty), _("No Follow-ups Pending"));
		adw_status_page_set_description(ADW_STATUS_PAGE(empty),
			_("Follow-ups come from screenings, no-shows and a person's page."));
		gtk_box_append(self->content, empty);
	}
	hearth_followups_free(l);
}

static void
hearth_followups_page_dispose(GObject *object)
{
	HearthFollowupsPage *self = HEARTH_FOLLOWUPS_PAGE(object);

	G_OBJECT_CLASS(hearth_followups_page_parent_class)->dispose(object);
	g_clear_object(&self->session);
}

static void
hearth_followups_page_class_init(HearthFollowupsPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_followups_page_dispose;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-followups-page.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthFollowupsPage, content);
}

static void
hearth_followups_page_init(HearthFollowupsPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	for (int g = 0; g < 3; g++)
		self->limit[g] = HEARTH_GUI_ROWS_PAGE;
}

HearthFollowupsPage *
hearth_followups_page_new(HearthWindow *win, HearthSession *session)
{
	HearthFollowupsPage *self = g_object_new(HEARTH_TYPE_FOLLOWUPS_PAGE, NULL);

	self->win = win;
	self->session = g_object_ref(session);
	hearth_session_watch(session, HEARTH_CHANGE_FOLLOWUPS | HEARTH_CHANGE_PEOPLE, self,
			     G_CALLBACK(reload));
	reload(self);
	return self;
}
