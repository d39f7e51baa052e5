/*
 * gui-gtk/hearth-counsellor-view.c - the counsellor's views.
 */
#include "hearth-counsellor-view.h"

#include <string.h>

#include "hearth-activities-page.h"
#include "hearth-activity-form.h"
#include "hearth-appointments-page.h"
#include "hearth-followups-page.h"
#include "hearth-notes-page.h"
#include "hearth-people-page.h"
#include "hearth-overview-page.h"
#include "hearth-person-page.h"
#include "hearth-reports-page.h"
#include "hearth-screening-page.h"
#include "hearth-sync-page.h"
#include "hearth-team-page.h"
#include "hearth-today-page.h"
#include "hearth/relaysync.h"

struct _HearthCounsellorView {
	AdwBin parent_instance;

	/* Template widgets */
	AdwViewSwitcherTitle *switcher_title;
	AdwViewStack *stack;
	AdwViewSwitcherBar *switcher_bar;
	GtkMenuButton *menu_button;
	GMenu *primary_menu;

	/* Owned */
	HearthSession *session;

	/* Borrowed */
	HearthWindow *win;
	AdwViewStackPage *today_page;
	HearthPeoplePage *people;
};

G_DEFINE_FINAL_TYPE(HearthCounsellorView, hearth_counsellor_view, ADW_TYPE_BIN)

void
hearth_counsellor_view_set_badge(HearthCounsellorView *self, guint n)
{
	if (self->today_page == NULL)
		return;
	adw_view_stack_page_set_badge_number(self->today_page, n);
	adw_view_stack_page_set_needs_attention(self->today_page, n > 0);
}

gboolean
hearth_counsellor_view_show(HearthCounsellorView *self, const char *name)
{
	if (adw_view_stack_get_child_by_name(self->stack, name) != NULL) {
		adw_view_stack_set_visible_child_name(self->stack, name);
		return TRUE;
	}
	if (strcmp(name, "followups") == 0) {
		hearth_window_push(self->win,
			GTK_WIDGET(hearth_followups_page_new(self->win, self->session)));
		return TRUE;
	}
	if (strcmp(name, "team") == 0) {
		hearth_window_push(self->win,
			GTK_WIDGET(hearth_team_page_new(self->win, self->session)));
		return TRUE;
	}
	if (strcmp(name, "activity-log") == 0) {
		/* The quick log of a hotline call (for screenshots). */
		return hearth_activity_form_start(self->win, "hotline", NULL) != NULL;
	}
	if (strcmp(name, "activity-group") == 0)
		return hearth_activity_form_start(self->win, "group", NULL) != NULL;
	if (strcmp(name, "notes") == 0) {
		hearth_window_push(self->win,
			GTK_WIDGET(hearth_notes_page_new(self->win, self->session, NULL)));
		return TRUE;
	}
	if (strcmp(name, "person") == 0 || strcmp(name, "screening") == 0) {
		hearth_id id;

		if (!hearth_people_page_first(self->people, &id))
			return FALSE;
		if (strcmp(name, "person") == 0)
			hearth_window_push(self->win,
				GTK_WIDGET(hearth_person_page_new(self->win, self->session,
								  &id, TRUE)));
		else
			hearth_screening_page_start(self->win, &id, "phq9");
		return TRUE;
	}
	return FALSE;
}

static void
hearth_counsellor_view_dispose(GObject *object)
{
	HearthCounsellorView *self = HEARTH_COUNSELLOR_VIEW(object);

	G_OBJECT_CLASS(hearth_counsellor_view_parent_class)->dispose(object);
	g_clear_object(&self->session);
}

/* The primary menu's Sync item says how the sync stands: when the
 * relay's spaces last synced whole (the oldest of them), or that the last
 * sync failed, or that a sync runs.  Read as the menu opens. */
static void
update_sync_item(HearthCounsellorView *self)
{
	g_autoptr(GMenuModel) section = g_menu_model_get_item_link(G_MENU_MODEL(self->primary_menu), 0,
							 G_MENU_LINK_SECTION);
	hearth_store *s = hearth_session_peek_store(self->session);
	g_autofree char *state = NULL, *label = NULL;
	g_autoptr(GMenuItem) item = NULL;
	hearth_relaysync_attention a;
	int n, i;

	if (section == NULL)
		return;
	if (hearth_session_syncing(self->session)) {
		state = g_strdup(_("Syncing…"));
	} else if (s != NULL && hearth_relaysync_attention_get(s,
			g_get_real_time() / G_USEC_PER_SEC, &a) == HEARTH_OK) {
		if (a.need == HEARTH_RELAYSYNC_FAILED)
			/* Short enough for a menu item: Today and the Sync
			 * page say the problem's kind in full. */
			state = g_strdup(a.problem_kind == HEARTH_SYNC_PROBLEM_UNREACHABLE ?
					 _("Relay unreachable") : _("Sync problem"));
		else if (a.synced_at > 0)
			state = hearth_sync_ago_words(a.synced_at,
						      g_get_real_time() / G_USEC_PER_SEC);
	} else {
		hearth_errdetail_clear();
	}
	/* Translators: the primary menu's Sync item with how the sync
	 * stands, e.g. "Sync (Synced 5 minutes ago)". */
	label = state != NULL ? g_strdup_printf(_("_Sync (%s)"), state) : g_strdup(_("_Sync"));
	n = g_menu_model_get_n_items(section);
	for (i = 0; i < n; i++) {
		g_autofree char *action = NULL;

		if (g_menu_model_get_item_attribute(section, i, G_MENU_ATTRIBUTE_ACTION, "s",
						    &action) &&
		    strcmp(action, "win.sync") == 0)
			break;
	}
	if (i == n)
		return;
	item = g_menu_item_new(label, "win.sync");
	g_menu_remove(G_MENU(section), i);
	g_menu_insert_item(G_MENU(section), i, item);
}

static void
on_menu_show(HearthCounsellorView *self, GtkWidget *popover)
{
	update_sync_item(self);
}

/* Primary menu → Team. */
static void
action_team(GtkWidget *widget, const char *name, GVariant *param)
{
	(void)name;
	(void)param;
	hearth_counsellor_view_show(HEARTH_COUNSELLOR_VIEW(widget), "team");
}

static void
hearth_counsellor_view_class_init(HearthCounsellorViewClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_counsellor_view_dispose;

	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-counsellor-view.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthCounsellorView, switcher_title);
	gtk_widget_class_bind_template_child(widget_class, HearthCounsellorView, stack);
	gtk_widget_class_bind_template_child(widget_class, HearthCounsellorView, switcher_bar);
	gtk_widget_class_bind_template_child(widget_class, HearthCounsellorView, menu_button);
	gtk_widget_class_bind_template_child(widget_class, HearthCounsellorView, primary_menu);
	gtk_widget_class_install_action(widget_class, "view.team", NULL, action_team);
}

static void
hearth_counsellor_view_init(HearthCounsellorView *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	hearth_gui_menu_button_label(self->menu_button, _("Main Menu"));
	g_signal_connect_object(gtk_menu_button_get_popover(self->menu_button), "show",
				G_CALLBACK(on_menu_show), self, G_CONNECT_SWAPPED);
}

static AdwViewStackPage *
add(HearthCounsellorView *self, GtkWidget *page, const char *name,
    const char *title, const char *icon)
{
	AdwViewStackPage *p = adw_view_stack_add_titled(self->stack, page,
							name, title);

	adw_view_stack_page_set_icon_name(p, icon);
	return p;
}

HearthCounsellorView *
hearth_counsellor_view_new(HearthWindow *win, HearthSession *session)
{
	HearthCounsellorView *self = g_object_new(HEARTH_TYPE_COUNSELLOR_VIEW, NULL);

	self->win = win;
	self->session = g_object_ref(session);
	self->today_page = add(self, GTK_WIDGET(hearth_today_page_new(win, session, self)),
		"today", _("Today"), "x-office-calendar-symbolic");
	self->people = hearth_people_page_new(win, session);
	add(self, GTK_WIDGET(self->people), "people", _("People"),
	    "system-users-symbolic");
	/* Translators: the appointments view's name in the view switcher,
	 * which gives each of five views a fifth of a phone's width: keep
	 * it as short as the other four. */
	add(self, GTK_WIDGET(hearth_appointments_page_new(win, session)), "appointments",
	    C_("view", "Calendar"), "alarm-symbolic");
	add(self, GTK_WIDGET(hearth_activities_page_new(win, session)), "activities",
	    _("Activities"), "call-start-symbolic");
	add(self, GTK_WIDGET(hearth_reports_page_new(win, session)), "reports",
	    _("Reports"), "view-paged-symbolic");
	/* A sixth view for a lead of a team space only (the page shows or
	 * hides it). */
	{
		HearthOverviewPage *ov = hearth_overview_page_new(win, session);

		/* Translators: the lead's view of the team (团队概况) in the
		 * view switcher: as short as the other views' names. */
		hearth_overview_page_set_stack_page(ov, add(self, GTK_WIDGET(ov), "overview",
			C_("view", "Team"), "view-grid-symbolic"));
	}
	return self;
}
