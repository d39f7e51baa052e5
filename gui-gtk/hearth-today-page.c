/*
 * gui-gtk/hearth-today-page.c - Today.
 */
#include "hearth-today-page.h"

#include "hearth/appointment.h"
#include "hearth/followup.h"
#include "hearth/note.h"
#include "hearth/relaysync.h"
#include "hearth/screening.h"
#include "hearth-crisis.h"
#include "hearth-person-item.h"
#include "hearth-record-actions.h"

struct _HearthTodayPage {
	AdwBin parent_instance;

	/* Template widgets */
	GtkStack *stack;
	GtkBox *content;

	/* Owned */
	HearthSession *session;

	/* Borrowed */
	HearthWindow *win;
	HearthCounsellorView *view;
};

G_DEFINE_FINAL_TYPE(HearthTodayPage, hearth_today_page, ADW_TYPE_BIN)

/* Rows per follow-up group on Today, and appointments shown: Today is a
 * summary that must draw at once whatever the vault holds (10,000 people
 * may have thousands of overdue follow-ups); a link row leads to the full
 * list. */
#define TODAY_FOLLOWUPS 8
#define TODAY_APPTS 12

static GtkWidget *
group(HearthTodayPage *self, const char *title, const char *description,
      const char *name)
{
	GtkWidget *g = adw_preferences_group_new();

	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(g), title);
	if (description != NULL)
		adw_preferences_group_set_description(ADW_PREFERENCES_GROUP(g),
						      description);
	gtk_widget_set_name(g, name);
	gtk_box_append(self->content, g);
	return g;
}

static GtkWidget *
link_row(const char *title, const char *subtitle, const char *action,
	 const char *target)
{
	GtkWidget *row = adw_action_row_new();

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	if (subtitle != NULL)
		adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
	adw_action_row_add_suffix(ADW_ACTION_ROW(row),
		gtk_image_new_from_icon_name("go-next-symbolic"));
	gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), TRUE);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(row), action);
	if (target != NULL)
		gtk_actionable_set_action_target(GTK_ACTIONABLE(row), "s", target);
	return row;
}

/* The row under a shortened group: how many are not shown, leading to
 * the full list of follow-ups. */
static GtkWidget *
more_row(guint hidden)
{
	g_autofree char *title = g_strdup_printf(
		g_dngettext(NULL, "%u More", "%u More", hidden), hidden);

	return link_row(title, _("All follow-ups, most urgent first"),
			"win.view", "followups");
}

/* Safety results whose action taken is not recorded, oldest first, each
 * with a button that opens the crisis dialog to record it. */
static size_t
add_pending_actions(HearthTodayPage *self, hearth_store *s)
{
	hearth_pending_action *v = NULL;
	size_t n = 0;
	GtkWidget *g;

	if (hearth_screening_pending_actions(s, NULL, &v, &n) != HEARTH_OK) {
		hearth_errdetail_clear();
		return 0;
	}
	if (n > 0) {
		g = group(self, _("Record the Action Taken"),
			  _("A safety result was saved without what was done about it."),
			  "today-pending-actions");
		for (size_t i = 0; i < n && i < TODAY_FOLLOWUPS; i++)
			adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
				hearth_pending_action_row_new(self->win, &v[i]));
		if (n > TODAY_FOLLOWUPS) {
			g_autofree char *t = g_strdup_printf(
				g_dngettext(NULL, "%u more not recorded",
					    "%u more not recorded",
					    (gulong)(n - TODAY_FOLLOWUPS)),
				(guint)(n - TODAY_FOLLOWUPS));
			GtkWidget *row = adw_action_row_new();

			adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), t);
			adw_preferences_group_add(ADW_PREFERENCES_GROUP(g), row);
		}
	}
	hearth_pending_actions_free(v, n);
	return n;
}

static void
on_sync_now(GtkButton *button, HearthTodayPage *self)
{
	hearth_status st = hearth_session_sync_start(self->session, NULL, NULL);

	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	gtk_button_set_label(button, _("Syncing…"));
	gtk_widget_set_sensitive(GTK_WIDGET(button), FALSE);
}

/* At the top, only when the relay sync needs attention: it failed, or
 * no whole sync for more than three days (the core judges). */
static gboolean
add_sync_problem(HearthTodayPage *self, hearth_store *s)
{
	hearth_relaysync_attention a;
	g_autofree char *title = NULL;
	const char *sub = NULL;
	GtkWidget *g, *row, *button;

	if (hearth_relaysync_attention_get(s, g_get_real_time() / G_USEC_PER_SEC,
					   &a) != HEARTH_OK) {
		hearth_errdetail_clear();
		return FALSE;
	}
	if (a.need == HEARTH_RELAYSYNC_FINE)
		return FALSE;
	if (a.need == HEARTH_RELAYSYNC_FAILED) {
		/* What kind of problem, in the user's language (the same
		 * sentence as the Sync page's); its English detail is for the
		 * Sync page's helpers, not this row. */
		title = g_strdup(hearth_sync_problem_local(a.problem_kind));
	} else if (a.synced_at > 0) {
		title = g_strdup_printf(g_dngettext(NULL, "Not synced for %d day",
						    "Not synced for %d days", (gulong)a.days),
					(int)a.days);
		sub = _("Changes to team spaces wait on this device.");
	} else {
		title = g_strdup(_("Never synced"));
		sub = _("Changes to team spaces wait on this device.");
	}
	g = group(self, _("Sync"), NULL, "today-sync");
	row = adw_action_row_new();
	gtk_widget_set_name(row, "today-sync-problem");
	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), sub);
	adw_action_row_add_prefix(ADW_ACTION_ROW(row),
		gtk_image_new_from_icon_name("dialog-warning-symbolic"));
	button = gtk_button_new_with_mnemonic(_("_Sync Now"));
	gtk_widget_set_name(button, "today-sync-now");
	gtk_widget_set_valign(button, GTK_ALIGN_CENTER);
	gtk_widget_add_css_class(button, "suggested-action");
	g_signal_connect(button, "clicked", G_CALLBACK(on_sync_now), self);
	adw_action_row_add_suffix(ADW_ACTION_ROW(row), button);
	/* The row leads to the Sync page, which says more. */
	gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), TRUE);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(row), "win.sync");
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(g), row);
	return TRUE;
}

/* A warning when a help line was not verified within 90 days. */
static void
add_stale_helplines(HearthTodayPage *self)
{
	g_autofree char *names = hearth_helplines_stale_names(self->win);
	g_autofree char *sub = NULL;
	GtkWidget *g, *row;

	if (names == NULL)
		return;
	g = group(self, _("Check the Help Lines"), NULL, "today-helplines-stale");
	/* Translators: %s lists help lines by name. */
	sub = g_strdup_printf(_("Not verified in the last 90 days: %s. Ring them when you can and record the day in Preferences."),
			      names);
	row = adw_action_row_new();
	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), _("Help lines to verify"));
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), sub);
	adw_action_row_add_prefix(ADW_ACTION_ROW(row),
		gtk_image_new_from_icon_name("dialog-warning-symbolic"));
	adw_action_row_add_suffix(ADW_ACTION_ROW(row),
		gtk_image_new_from_icon_name("go-next-symbolic"));
	gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), TRUE);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(row), "win.preferences");
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(g), row);
}

void
hearth_today_page_reload(HearthTodayPage *self)
{
	hearth_store *s = hearth_session_peek_store(self->session);
	char today[HEARTH_DATE_LEN + 1];
	hearth_followups *fu = NULL;
	hearth_appts *appts = NULL;
	hearth_appts *missing = NULL;
	GtkWidget *safety = NULL, *overdue = NULL, *due = NULL, *g;
	guint n_overdue = 0, n_shown = 0, n_appts = 0;
	guint n_safety = 0, n_late = 0, n_due = 0;
	size_t n_pending = 0;
	gboolean sync_problem = FALSE;
	hearth_status st;

	if (s == NULL)
		return;
	hearth_gui_box_clear(GTK_WIDGET(self->content));
	hearth_gui_today(today);

	st = hearth_followup_list(s, HEARTH_FOLLOWUPS_PENDING, NULL, today, &fu);
	if (st == HEARTH_OK)
		st = hearth_appt_list(s, today, today, NULL, &appts);
	/* The sessions still missing a note are counted only when nothing
	 * else is due, to choose between the summary and the empty page:
	 * hearth_note_missing costs 40-66 ms with 10,000 people
	 * (docs/BENCHMARKS.md), not worth adding to the first frame after an
	 * unlock when the page has other things to show.  The Notes page
	 * lists them. */
	if (st == HEARTH_OK && fu->n == 0 && appts->n == 0)
		st = hearth_note_missing(s, &missing);
	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		goto out;
	}

	/* A sync problem on top: a team that cannot see this device's
	 * changes is working from an old picture. */
	sync_problem = add_sync_problem(self, s);

	/* Then: safety results saved without the action taken. */
	n_pending = add_pending_actions(self, s);

	/* Safety first: pending safety follow-ups and escalated ones. */
	for (size_t i = 0; i < fu->n; i++) {
		const hearth_followup_item *f = &fu->items[i];

		if (!f->safety && !f->escalated)
			continue;
		if (safety == NULL)
			safety = group(self, _("Safety First"),
				_("Reach these people today. Stay calm and follow the crisis steps."),
				"today-safety");
		if (n_safety++ < TODAY_FOLLOWUPS)
			adw_preferences_group_add(ADW_PREFERENCES_GROUP(safety),
				hearth_followup_row_new(self->win, f, TRUE));
		n_shown++;
		if (f->days_overdue > 0)
			n_overdue++;
	}
	if (n_safety > TODAY_FOLLOWUPS)
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(safety),
			more_row(n_safety - TODAY_FOLLOWUPS));

	/* Help lines nobody has rung for a while may be wrong or dead. */
	add_stale_helplines(self);

	g = group(self, _("Today's Appointments"), NULL, "today-appointments");
	for (size_t i = 0; i < appts->n; i++) {
		if (hearth_gui_appt_status_value(appts->items[i].status) ==
		    HEARTH_APPT_CANCELLED)
			continue;
		if (n_appts++ < TODAY_APPTS)
			adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
				hearth_appt_row_new(self->win, &appts->items[i], FALSE));
	}
	if (n_appts > TODAY_APPTS) {
		g_autofree char *sub = g_strdup_printf(
			g_dngettext(NULL, "%u more today", "%u more today",
				    n_appts - TODAY_APPTS), n_appts - TODAY_APPTS);

		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
			link_row(_("All Appointments"), sub, "win.view", "appointments"));
	}
	if (n_appts == 0) {
		GtkWidget *row = adw_action_row_new();

		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row),
					      _("No appointments today"));
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g), row);
	}

	for (size_t i = 0; i < fu->n; i++) {
		const hearth_followup_item *f = &fu->items[i];

		if (f->safety || f->escalated)
			continue;
		if (f->days_overdue > 0) {
			if (overdue == NULL)
				overdue = group(self, _("Overdue Follow-ups"), NULL,
						"today-overdue");
			if (n_late++ < TODAY_FOLLOWUPS)
				adw_preferences_group_add(ADW_PREFERENCES_GROUP(overdue),
					hearth_followup_row_new(self->win, f, TRUE));
			n_overdue++;
			n_shown++;
		} else if (g_strcmp0(f->due, today) == 0) {
			if (due == NULL)
				due = group(self, _("Due Today"), NULL, "today-due");
			if (n_due++ < TODAY_FOLLOWUPS)
				adw_preferences_group_add(ADW_PREFERENCES_GROUP(due),
					hearth_followup_row_new(self->win, f, TRUE));
			n_shown++;
		}
	}
	if (n_late > TODAY_FOLLOWUPS)
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(overdue),
			more_row(n_late - TODAY_FOLLOWUPS));
	if (n_due > TODAY_FOLLOWUPS)
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(due),
			more_row(n_due - TODAY_FOLLOWUPS));

	g = group(self, _("More"), NULL, "today-more");
	{
		g_autofree char *sub = g_strdup_printf(
			g_dngettext(NULL, "%zu pending", "%zu pending", (gulong)fu->n),
			fu->n);

		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
			link_row(_("All Follow-ups"), sub, "win.view", "followups"));
	}
	if (missing != NULL) {
		g_autofree char *sub = g_strdup_printf(
			g_dngettext(NULL, "%zu session without a note",
				    "%zu sessions without a note", (gulong)missing->n),
			missing->n);

		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
			link_row(_("Session Notes"), sub, "win.view", "notes"));
	} else {
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
			link_row(_("Session Notes"),
				 _("Sessions still missing a note, and the latest notes"),
				 "win.view", "notes"));
	}
	gtk_stack_set_visible_child_name(self->stack,
		n_shown == 0 && n_appts == 0 && fu->n == 0 && n_pending == 0 && !sync_problem &&
		(missing == NULL || missing->n == 0) ? "empty" : "content");
	hearth_counsellor_view_set_badge(self->view, n_overdue);
out:
	hearth_followups_free(fu);
	hearth_appts_free(appts);
	hearth_appts_free(missing);
}

static void
hearth_today_page_dispose(GObject *object)
{
	HearthTodayPage *self = HEARTH_TODAY_PAGE(object);

	G_OBJECT_CLASS(hearth_today_page_parent_class)->dispose(object);
	g_clear_object(&self->session);
}

static void
hearth_today_page_class_init(HearthTodayPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_today_page_dispose;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-today-page.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthTodayPage, stack);
	gtk_widget_class_bind_template_child(widget_class, HearthTodayPage, content);
}

static void
hearth_today_page_init(HearthTodayPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

HearthTodayPage *
hearth_today_page_new(HearthWindow *win, HearthSession *session,
		      HearthCounsellorView *view)
{
	HearthTodayPage *self = g_object_new(HEARTH_TYPE_TODAY_PAGE, NULL);

	self->win = win;
	self->session = g_object_ref(session);
	self->view = view;
	hearth_session_watch(session, HEARTH_CHANGE_CASEWORK | HEARTH_CHANGE_SETTINGS, self,
			     G_CALLBACK(hearth_today_page_reload));
	hearth_today_page_reload(self);
	return self;
}
