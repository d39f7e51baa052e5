/*
 * gui-gtk/hearth-window.c - the main window.
 */
#include "hearth-window.h"

#include <stdlib.h>
#include <string.h>

#include "hearth/screening.h"
#include "hearth-app.h"
#include "hearth-appointment-editor.h"
#include "hearth-counsellor-view.h"
#include "hearth-crisis.h"
#include "hearth-help-page.h"
#include "hearth-journal-view.h"
#include "hearth-person-page.h"
#include "hearth-preferences.h"
#include "hearth-sync-page.h"
#include "hearth-setup-page.h"
#include "hearth-unlock-page.h"

struct _HearthWindow {
	AdwApplicationWindow parent_instance;

	/* Template widgets */
	AdwToastOverlay *toast_overlay;
	GtkStack *stack;
	HearthSetupPage *setup_page;
	HearthUnlockPage *unlock_page;
	AdwLeaflet *leaflet;

	/* Owned */
	char *dir;
	HearthSession *session; /* the open vault's; NULL while locked */
	gint64 last_input_us;
	guint idle_source;
	guint lock_seconds;   /* hearth_window_set_lock_after; 0: the preference */
	guint focus_check;    /* a pending "was the app left?" check */
	GSettings *settings;  /* hearth_window_use_settings, else the app's */
	hearth_helpline *lines; /* the help lines last read from the vault */
	size_t n_lines;

	GtkWidget *pending;   /* a page pushed while the leaflet was moving */
	GtkWidget *draft;     /* an unfinished screening, see get_draft */
	gboolean close_confirmed;

	/* Borrowed */
	HearthMode mode;
	GtkWidget *root_view;
};

G_DEFINE_FINAL_TYPE(HearthWindow, hearth_window, ADW_TYPE_APPLICATION_WINDOW)

static GSettings *
window_settings(HearthWindow *self)
{
	GtkApplication *app = gtk_window_get_application(GTK_WINDOW(self));

	if (self->settings != NULL)
		return self->settings;
	if (app == NULL || !HEARTH_IS_APP(app))
		return NULL;
	return hearth_app_get_settings(HEARTH_APP(app));
}

static guint
auto_lock_minutes(HearthWindow *self)
{
	GSettings *s = window_settings(self);

	return s ? g_settings_get_uint(s, "auto-lock-minutes") : 5;
}

/* Removes every page above the visible one, once the leaflet has finished
 * moving back, so popped pages free their data (Tuba's pattern). */
static void
on_transition_running(AdwLeaflet *leaflet, GParamSpec *pspec, gpointer data)
{
	HearthWindow *self = data;
	GtkWidget *next;

	if (adw_leaflet_get_child_transition_running(leaflet))
		return;
	while ((next = adw_leaflet_get_adjacent_child(leaflet,
			ADW_NAVIGATION_DIRECTION_FORWARD)) != NULL)
		adw_leaflet_remove(leaflet, next);
	if (self->pending != NULL) {
		GtkWidget *page = g_steal_pointer(&self->pending);

		hearth_window_push(self, page);
		g_object_unref(page);
	}
}

static void
clear_leaflet(HearthWindow *self)
{
	g_autoptr(GPtrArray) children = g_ptr_array_new();
	g_autoptr(GtkSelectionModel) pages = adw_leaflet_get_pages(self->leaflet);
	guint n = g_list_model_get_n_items(G_LIST_MODEL(pages));

	for (guint i = 0; i < n; i++) {
		g_autoptr(AdwLeafletPage) page = g_list_model_get_item(G_LIST_MODEL(pages), i);

		g_ptr_array_add(children, adw_leaflet_page_get_child(page));
	}
	for (guint i = 0; i < children->len; i++)
		adw_leaflet_remove(self->leaflet, children->pdata[i]);
	self->root_view = NULL;
}

void
hearth_window_lock(HearthWindow *self)
{
	g_return_if_fail(HEARTH_IS_WINDOW(self));
	if (self->session == NULL)
		return;
	/* Close open dialogs that show data (a pushed editor window). */
	{
		GListModel *tops = gtk_window_get_toplevels();
		guint n = g_list_model_get_n_items(tops);

		for (guint i = n; i-- > 0;) {
			g_autoptr(GtkWindow) w = g_list_model_get_item(tops, i);

			if (gtk_window_get_transient_for(w) == GTK_WINDOW(self))
				gtk_window_destroy(w);
		}
	}
	gtk_stack_set_visible_child_name(self->stack, "unlock");
	g_clear_object(&self->pending);
	clear_leaflet(self);
	if (self->draft != NULL) {
		/* Answers live only in the encrypted vault: an unfinished
		 * screening is not kept past the session. */
		g_clear_object(&self->draft);
		hearth_window_toast(self,
			_("The unfinished screening was discarded when Hearth locked. Answers are kept only once a screening is submitted."));
	}
	/* Closed, not only dropped: a dialog still holding the session finds
	 * no store, and the keys are wiped now. */
	hearth_session_close(self->session);
	g_clear_object(&self->session);
	hearth_unlock_page_reset(self->unlock_page, self->mode);
}

GtkWidget *
hearth_window_get_draft(HearthWindow *self)
{
	g_return_val_if_fail(HEARTH_IS_WINDOW(self), NULL);
	return self->draft;
}

void
hearth_window_set_draft(HearthWindow *self, GtkWidget *page)
{
	g_return_if_fail(HEARTH_IS_WINDOW(self));
	if (page == self->draft)
		return;
	if (page != NULL)
		g_object_ref_sink(page);
	g_clear_object(&self->draft);
	self->draft = page;
}

/* How long without input before the vault locks, in microseconds; 0:
 * never by time (the preference "when the window is left"). */
static gint64
lock_after_us(HearthWindow *self)
{
	if (self->lock_seconds > 0)
		return (gint64)self->lock_seconds * G_USEC_PER_SEC;
	return (gint64)auto_lock_minutes(self) * 60 * G_USEC_PER_SEC;
}

static gboolean
idle_check(gpointer data)
{
	HearthWindow *self = data;
	gint64 after;

	if (self->session == NULL)
		return G_SOURCE_CONTINUE;
	after = lock_after_us(self);
	if (after > 0 && g_get_monotonic_time() - self->last_input_us >= after)
		hearth_window_lock(self);
	return G_SOURCE_CONTINUE;
}

void
hearth_window_touch(HearthWindow *self)
{
	self->last_input_us = g_get_monotonic_time();
}

gint64
hearth_window_get_last_input(HearthWindow *self)
{
	return self->last_input_us;
}

void
hearth_window_set_lock_after(HearthWindow *self, guint seconds)
{
	g_return_if_fail(HEARTH_IS_WINDOW(self));
	self->lock_seconds = seconds;
	/* Check often enough for a short interval. */
	g_clear_handle_id(&self->idle_source, g_source_remove);
	if (seconds > 0 && seconds < 20)
		self->idle_source = g_timeout_add(250, idle_check, self);
	else
		self->idle_source = g_timeout_add_seconds(10, idle_check, self);
}

void
hearth_window_use_settings(HearthWindow *self, GSettings *settings)
{
	g_return_if_fail(HEARTH_IS_WINDOW(self));
	g_set_object(&self->settings, settings);
}

/* ---- activity and focus in every window of the app ----------------------
 *
 * Auto-lock watches the whole application, not the main window alone: a
 * counsellor filling in the crisis dialog or the preferences is using
 * Hearth, and a dialog of Hearth taking the focus is not leaving it.
 * Every toplevel of the process gets an input watcher and an is-active
 * watcher; the HearthWindow it belongs to is found when something
 * happens, because a dialog is listed by GTK before its transient parent
 * is set. */

/* The HearthWindows w belongs to: through its transient parents, or, for
 * a window of the application with no parent, each HearthWindow of it. */
static GPtrArray *
owners_of(GtkWindow *w)
{
	GPtrArray *out = g_ptr_array_new();
	HearthWindow *hw = hearth_window_of(GTK_WIDGET(w));
	GtkApplication *app = gtk_window_get_application(w);

	if (hw != NULL) {
		g_ptr_array_add(out, hw);
		return out;
	}
	for (GList *l = app ? gtk_application_get_windows(app) : NULL; l; l = l->next)
		if (HEARTH_IS_WINDOW(l->data))
			g_ptr_array_add(out, l->data);
	return out;
}

static gboolean
on_any_event(GtkEventControllerLegacy *c, GdkEvent *event, gpointer data)
{
	GtkWidget *w = gtk_event_controller_get_widget(GTK_EVENT_CONTROLLER(c));
	g_autoptr(GPtrArray) owners = NULL;

	switch (gdk_event_get_event_type(event)) {
	case GDK_KEY_PRESS:
	case GDK_BUTTON_PRESS:
	case GDK_TOUCH_BEGIN:
	case GDK_SCROLL:
	case GDK_MOTION_NOTIFY:
		owners = owners_of(GTK_WINDOW(w));
		for (guint i = 0; i < owners->len; i++)
			hearth_window_touch(owners->pdata[i]);
		break;
	default:
		break;
	}
	return FALSE;
}

/* Is any window of self's (self, its dialogs, another window of its
 * application) the active one? */
static gboolean
app_active(HearthWindow *self)
{
	GListModel *tops = gtk_window_get_toplevels();
	GtkApplication *app = gtk_window_get_application(GTK_WINDOW(self));

	for (guint i = 0; i < g_list_model_get_n_items(tops); i++) {
		g_autoptr(GtkWindow) w = g_list_model_get_item(tops, i);

		if (!gtk_window_is_active(w))
			continue;
		if (hearth_window_of(GTK_WIDGET(w)) == self ||
		    (app != NULL && gtk_window_get_application(w) == app))
			return TRUE;
	}
	return FALSE;
}

static gboolean
focus_check(gpointer data)
{
	HearthWindow *self = data;

	self->focus_check = 0;
	/* "Lock immediately": lock once no window of Hearth is active. */
	if (self->session != NULL && auto_lock_minutes(self) == 0 &&
	    self->lock_seconds == 0 &&
	    g_getenv("HEARTH_GUI_NO_FOCUS_LOCK") == NULL && !app_active(self))
		hearth_window_lock(self);
	return G_SOURCE_REMOVE;
}

/* The focus moves in two steps (the old window loses it, then the new
 * one gets it, maybe in a later event batch): decide once it settled. */
#define FOCUS_SETTLE_MS 300

static void
on_active_changed(GtkWindow *win, GParamSpec *pspec, gpointer data)
{
	g_autoptr(GPtrArray) owners = NULL;

	if (gtk_window_is_active(win))
		return;
	owners = owners_of(win);
	for (guint i = 0; i < owners->len; i++) {
		HearthWindow *self = owners->pdata[i];

		if (self->focus_check == 0)
			self->focus_check = g_timeout_add(FOCUS_SETTLE_MS,
							  focus_check, self);
	}
}

static void
watch_toplevel(GtkWindow *w)
{
	GtkEventController *legacy;

	if (g_object_get_data(G_OBJECT(w), "hearth-watched") != NULL)
		return;
	g_object_set_data(G_OBJECT(w), "hearth-watched", GINT_TO_POINTER(1));
	legacy = gtk_event_controller_legacy_new();
	gtk_event_controller_set_propagation_phase(legacy, GTK_PHASE_CAPTURE);
	gtk_event_controller_set_name(legacy, "hearth-activity");
	g_signal_connect(legacy, "event", G_CALLBACK(on_any_event), NULL);
	gtk_widget_add_controller(GTK_WIDGET(w), legacy);
	g_signal_connect(w, "notify::is-active", G_CALLBACK(on_active_changed), NULL);
}

static void
on_toplevels_changed(GListModel *list, guint pos, guint removed, guint added,
		     gpointer data)
{
	for (guint i = pos; i < pos + added; i++) {
		g_autoptr(GtkWindow) w = g_list_model_get_item(list, i);

		watch_toplevel(w);
	}
}

static void
watch_toplevels(void)
{
	static gboolean watching;
	GListModel *tops;

	if (watching)
		return;
	watching = TRUE;
	tops = gtk_window_get_toplevels();
	g_signal_connect(tops, "items-changed", G_CALLBACK(on_toplevels_changed), NULL);
	on_toplevels_changed(tops, 0, 0, g_list_model_get_n_items(tops), NULL);
}

/* ---- help lines ---------------------------------------------------------- */

static hearth_helpline *
helplines_copy(const hearth_helpline *lines, size_t n)
{
	hearth_helpline *out = calloc(n ? n : 1, sizeof *out);

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		out[i].name = strdup(lines[i].name ? lines[i].name : "");
		out[i].number = strdup(lines[i].number ? lines[i].number : "");
		out[i].hours = strdup(lines[i].hours ? lines[i].hours : "");
		out[i].verified = strdup(lines[i].verified ? lines[i].verified : "");
		if (!out[i].name || !out[i].number || !out[i].hours || !out[i].verified) {
			hearth_helplines_free(out, i + 1);
			return NULL;
		}
	}
	return out;
}

hearth_status
hearth_window_helplines(HearthWindow *self, hearth_helpline **out, size_t *n)
{
	const char *lang = hearth_gui_lang();
	hearth_store *s = self && self->session
		? hearth_session_get_store(self->session) : NULL;

	if (s != NULL) {
		if (hearth_settings_helplines(s, lang, out, n) == HEARTH_OK) {
			hearth_helpline *keep = helplines_copy(*out, *n);

			/* Public numbers: kept across a lock, so the lock
			 * screen shows the service's own lines. */
			if (keep != NULL) {
				hearth_helplines_free(self->lines, self->n_lines);
				self->lines = keep;
				self->n_lines = *n;
			}
			return HEARTH_OK;
		}
		hearth_errdetail_clear();
	}
	if (self != NULL && self->lines != NULL) {
		*out = helplines_copy(self->lines, self->n_lines);
		*n = *out ? self->n_lines : 0;
		if (*out != NULL)
			return HEARTH_OK;
	}
	return hearth_helplines_default(lang, out, n);
}

/* After an unlock: the oldest safety action still unrecorded asks again,
 * so a dialog lost to a lock comes back. */
static void
ask_pending_action(HearthWindow *self)
{
	hearth_store *s = hearth_session_get_store(self->session);
	hearth_pending_action *v = NULL;
	size_t n = 0;

	if (s == NULL || self->mode != HEARTH_MODE_COUNSELLOR)
		return;
	if (hearth_screening_pending_actions(s, NULL, &v, &n) != HEARTH_OK) {
		hearth_errdetail_clear();
		return;
	}
	if (n > 0)
		hearth_crisis_ask_pending(self, &v[0]);
	hearth_pending_actions_free(v, n);
}

/* How long a notice's toast stays: longer than a toast's default, so
 * there is time to press Details. */
#define NOTICE_SECONDS 12

typedef struct {
	HearthWindow *win;
	char *heading, *body;
} NoticeDetails;

static void
notice_details_free(gpointer data, GClosure *closure)
{
	NoticeDetails *d = data;

	(void)closure;
	g_free(d->heading);
	g_free(d->body);
	g_free(d);
}

/* Details: the whole notice in a dialog the user asked for. */
static void
on_notice_details(AdwToast *toast, gpointer data)
{
	NoticeDetails *d = data;
	GtkWidget *dialog = adw_message_dialog_new(GTK_WINDOW(d->win), d->heading, d->body);

	(void)toast;
	gtk_widget_set_name(dialog, "notice-details");
	adw_message_dialog_add_response(ADW_MESSAGE_DIALOG(dialog), "close", _("_Close"));
	gtk_window_present(GTK_WINDOW(dialog));
}

/* libadwaita 1.2 gives a toast's close button an icon and nothing else:
 * no accessible name, no tooltip, so a screen reader announces a bare
 * "button".  Names the close buttons of the toasts shown under w. */
static void
name_toast_buttons(GtkWidget *w, gboolean in_toast)
{
	for (GtkWidget *c = gtk_widget_get_first_child(w); c != NULL;
	     c = gtk_widget_get_next_sibling(c)) {
		gboolean toast = in_toast ||
			g_strcmp0(G_OBJECT_TYPE_NAME(c), "AdwToastWidget") == 0;

		if (toast && GTK_IS_BUTTON(c) &&
		    g_strcmp0(gtk_button_get_icon_name(GTK_BUTTON(c)),
			      "window-close-symbolic") == 0 &&
		    gtk_widget_get_tooltip_text(c) == NULL) {
			gtk_widget_set_tooltip_text(c, _("Dismiss"));
			gtk_accessible_update_property(GTK_ACCESSIBLE(c),
				GTK_ACCESSIBLE_PROPERTY_LABEL, _("Dismiss"), -1);
		}
		name_toast_buttons(c, toast);
	}
}

/* The overlay is held weakly: a window closed meanwhile is not kept. */
static gboolean
name_toasts_later(gpointer data)
{
	GWeakRef *ref = data;
	GtkWidget *overlay = g_weak_ref_get(ref);

	if (overlay != NULL) {
		name_toast_buttons(overlay, FALSE);
		g_object_unref(overlay);
	}
	return G_SOURCE_REMOVE;
}

static void
weak_ref_free(gpointer data)
{
	g_weak_ref_clear(data);
	g_free(data);
}

/* A toast went: the next one queued shows once its going has been
 * animated; name it then. */
static void
on_toast_dismissed(AdwToast *t, gpointer overlay)
{
	GWeakRef *ref = g_new0(GWeakRef, 1);

	(void)t;
	g_weak_ref_init(ref, overlay);
	g_timeout_add_full(G_PRIORITY_DEFAULT, 400, name_toasts_later, ref, weak_ref_free);
}

/* Adds t and names its close button, now or (a toast queued behind
 * another) when the one before it goes. */
static void
add_toast(HearthWindow *self, AdwToast *t)
{
	g_signal_connect_object(t, "dismissed", G_CALLBACK(on_toast_dismissed),
				self->toast_overlay, 0);
	adw_toast_overlay_add_toast(self->toast_overlay, t);
	name_toast_buttons(GTK_WIDGET(self->toast_overlay), FALSE);
}

/* A notice as a toast: a title short enough for a phone's width (a
 * toast's title is one line, cut with an ellipsis: at 360 px about 18
 * characters fit beside the button), and a Details button that shows
 * heading and body.  Normal priority, so notices queue in the order given. */
static void
notice_toast(HearthWindow *self, const char *title, const char *heading,
	     const char *body)
{
	NoticeDetails *d = g_new0(NoticeDetails, 1);
	AdwToast *t = adw_toast_new(title);

	d->win = self;
	d->heading = g_strdup(heading);
	d->body = g_strdup(body);
	adw_toast_set_button_label(t, _("Details"));
	adw_toast_set_timeout(t, NOTICE_SECONDS);
	g_signal_connect_data(t, "button-clicked", G_CALLBACK(on_notice_details), d,
			      notice_details_free, 0);
	add_toast(self, t);
}

/* The toast of one notice an open had to give. */
static void
show_notice(HearthWindow *self, const hearth_vault_notice *n)
{
	g_autoptr(GDateTime) until = NULL;
	g_autofree char *when = NULL, *body = NULL;
	char ahead[64];

	switch (n->kind) {
	case HEARTH_NOTICE_WAL_TAIL_DISCARDED:
		notice_toast(self, _("Change discarded"),
			     _("Unfinished Change Discarded"),
			     _("Hearth was not closed properly while a change was being saved. "
			       "That unfinished change was discarded; everything saved before it is here."));
		break;
	case HEARTH_NOTICE_COPY_NEW_DEVICE:
		notice_toast(self, _("Vault is a copy"), _("This Vault Is a Copy"),
			     _("This vault is a copy (or a backup put back), so it now saves as a new device. "
			       "Nothing was lost; changes made in the copy and the original merge when they sync."));
		break;
	case HEARTH_NOTICE_CLOCK_AHEAD:
		hearth_duration_words(n->ahead_ms, ahead, sizeof ahead);
		until = g_date_time_new_from_unix_local((n->at_ms + (gint64)n->ahead_ms) / 1000);
		when = until != NULL ? g_date_time_format(until, "%Y-%m-%d %H:%M") : NULL;
		/* TRANSLATORS: %1$s is a duration ("1 day 2 hours"), %2$s a
		 * local date and time. */
		body = g_strdup_printf(_("This device's clock is %1$s behind the time stamps Hearth has saved: "
					 "it ran fast when they were saved, or it is slow now. Check the date "
					 "and time settings.\n\nUntil about %2$s, changes saved here win over "
					 "edits made on other devices, which hold them back until then. Saved "
					 "time stamps cannot be moved back."),
				       ahead, when != NULL ? when : "");
		notice_toast(self, _("Clock is behind"), _("Check the Date and Time"), body);
		break;
	case HEARTH_NOTICE_NONE:
		break;
	}
}

/* What opening the vault had to tell, each once (the command line prints
 * the same on stderr): an unfinished change discarded after a crash, a
 * copy now saving as a new device, a clock behind the vault's stamps.
 * The toasts queue in that order. */
static void
show_open_notice(HearthWindow *self)
{
	hearth_vault *v = hearth_session_get_vault(self->session);
	hearth_vault_notice n;

	while (hearth_vault_take_notice(v, &n))
		show_notice(self, &n);
}

void
hearth_window_take_vault(HearthWindow *self, hearth_vault *vault,
			 HearthMode mode)
{
	g_return_if_fail(HEARTH_IS_WINDOW(self));
	g_return_if_fail(vault != NULL);

	clear_leaflet(self);
	if (self->session != NULL)
		hearth_session_close(self->session);
	g_clear_object(&self->session);
	self->session = hearth_session_new(vault);
	if (mode != HEARTH_MODE_UNSET)
		self->mode = mode;
	if (self->mode == HEARTH_MODE_UNSET)
		self->mode = HEARTH_MODE_COUNSELLOR;
	hearth_window_touch(self);

	if (self->mode == HEARTH_MODE_JOURNAL)
		self->root_view = GTK_WIDGET(hearth_journal_view_new(self, self->session));
	else
		self->root_view = GTK_WIDGET(hearth_counsellor_view_new(self, self->session));
	gtk_stack_set_visible_child_name(self->stack, "main");
	adw_leaflet_append(self->leaflet, self->root_view);
	/* Remember the vault's help lines for the lock screen. */
	{
		hearth_helpline *lines = NULL;
		size_t n = 0;

		if (hearth_window_helplines(self, &lines, &n) == HEARTH_OK)
			hearth_helplines_free(lines, n);
	}
	show_open_notice(self);
	ask_pending_action(self);
}

static void
on_setup_done(HearthSetupPage *page, gpointer vault, int mode, gpointer data)
{
	HearthWindow *self = data;
	GSettings *s = window_settings(self);

	if (s != NULL)
		g_settings_set_enum(s, "mode", mode);
	hearth_window_take_vault(self, vault, (HearthMode)mode);
}

static void
on_unlocked(HearthUnlockPage *page, gpointer vault, gpointer data)
{
	hearth_window_take_vault(HEARTH_WINDOW(data), vault, HEARTH_MODE_UNSET);
}

HearthSession *
hearth_window_get_session(HearthWindow *self)
{
	g_return_val_if_fail(HEARTH_IS_WINDOW(self), NULL);
	return self->session;
}

const char *
hearth_window_get_dir(HearthWindow *self)
{
	return self->dir;
}

HearthMode
hearth_window_get_mode(HearthWindow *self)
{
	return self->mode;
}

void
hearth_window_toast(HearthWindow *self, const char *text)
{
	add_toast(self, adw_toast_new(text));
}

AdwToast *
hearth_window_toast_action(HearthWindow *self, const char *text,
			   const char *button, const char *action,
			   GVariant *target)
{
	AdwToast *t = adw_toast_new(text);

	adw_toast_set_button_label(t, button);
	adw_toast_set_action_name(t, action);
	if (target != NULL)
		adw_toast_set_action_target_value(t, target);
	adw_toast_set_priority(t, ADW_TOAST_PRIORITY_HIGH);
	add_toast(self, t);
	return t;
}

void
hearth_window_error(HearthWindow *self, const GError *error)
{
	if (error == NULL)
		return;
	g_message("hearth: %s", error->message);
	hearth_window_toast(self, hearth_gui_error_text(error));
}

void
hearth_window_status(HearthWindow *self, hearth_status st)
{
	g_autoptr(GError) error = NULL;

	if (st == HEARTH_OK)
		return;
	hearth_gui_fail(st, &error);
	hearth_window_error(self, error);
}

void
hearth_window_push(HearthWindow *self, GtkWidget *page)
{
	GtkWidget *next;

	/* A page may not be removed while the leaflet moves away from it
	 * (libadwaita 1.2 keeps a pointer to it): push once it has
	 * stopped. */
	if (adw_leaflet_get_child_transition_running(self->leaflet)) {
		g_clear_object(&self->pending);
		self->pending = g_object_ref_sink(page);
		return;
	}
	/* Drop pages left beyond the current one before going forward. */
	while ((next = adw_leaflet_get_adjacent_child(self->leaflet,
			ADW_NAVIGATION_DIRECTION_FORWARD)) != NULL)
		adw_leaflet_remove(self->leaflet, next);
	adw_leaflet_append(self->leaflet, page);
	adw_leaflet_set_visible_child(self->leaflet, page);
}

void
hearth_window_open_person(HearthWindow *self, const hearth_id *id)
{
	hearth_window_push(self, GTK_WIDGET(hearth_person_page_new(self, self->session, id, TRUE)));
}

void
hearth_window_replace_top(HearthWindow *self, GtkWidget *page)
{
	GtkWidget *old = adw_leaflet_get_visible_child(self->leaflet);

	hearth_window_push(self, page);
	if (old != NULL && old != self->root_view)
		adw_leaflet_remove(self->leaflet, old);
}

void
hearth_window_pop(HearthWindow *self)
{
	adw_leaflet_navigate(self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

GtkWidget *
hearth_window_get_top(HearthWindow *self)
{
	return adw_leaflet_get_visible_child(self->leaflet);
}

GtkWidget *
hearth_window_get_root_view(HearthWindow *self)
{
	return self->root_view;
}

HearthWindow *
hearth_window_of(GtkWidget *widget)
{
	GtkRoot *root = gtk_widget_get_root(widget);

	while (root != NULL && !HEARTH_IS_WINDOW(root)) {
		GtkWindow *parent = gtk_window_get_transient_for(GTK_WINDOW(root));

		root = parent ? GTK_ROOT(parent) : NULL;
	}
	return root ? HEARTH_WINDOW(root) : NULL;
}

gboolean
hearth_window_show_view(HearthWindow *self, const char *name)
{
	if (self->root_view == NULL)
		return FALSE;
	/* Go back to the root first. */
	adw_leaflet_set_visible_child(self->leaflet, self->root_view);
	/* The Sync page is pushed over the counsellor's views. */
	if (strcmp(name, "sync") == 0 && HEARTH_IS_COUNSELLOR_VIEW(self->root_view)) {
		hearth_window_show_sync(self);
		return TRUE;
	}
	if (HEARTH_IS_COUNSELLOR_VIEW(self->root_view))
		return hearth_counsellor_view_show(
			HEARTH_COUNSELLOR_VIEW(self->root_view), name);
	return hearth_journal_view_show(HEARTH_JOURNAL_VIEW(self->root_view),
					name);
}

void
hearth_window_set_unlock_hint(HearthWindow *self, const char *hint)
{
	hearth_unlock_page_set_hint(self->unlock_page, hint);
}

void
hearth_window_show_help_lines(HearthWindow *self)
{
	GtkWidget *dialog;

	if (self->session != NULL && self->mode == HEARTH_MODE_JOURNAL &&
	    hearth_window_show_view(self, "help"))
		return;
	dialog = hearth_help_dialog_new(GTK_WINDOW(self), self->session);
	gtk_window_present(GTK_WINDOW(dialog));
}

void
hearth_window_show_sync(HearthWindow *self)
{
	if (self->session == NULL)
		return;
	hearth_window_push(self, GTK_WIDGET(hearth_sync_page_new(self, self->session)));
}

static void
action_sync(GtkWidget *widget, const char *name, GVariant *param)
{
	hearth_window_show_sync(HEARTH_WINDOW(widget));
}

static void
action_lock(GtkWidget *widget, const char *name, GVariant *param)
{
	hearth_window_lock(HEARTH_WINDOW(widget));
}

static void
action_help_lines(GtkWidget *widget, const char *name, GVariant *param)
{
	hearth_window_show_help_lines(HEARTH_WINDOW(widget));
}

static void
action_preferences(GtkWidget *widget, const char *name, GVariant *param)
{
	HearthWindow *self = HEARTH_WINDOW(widget);
	GtkApplication *app = gtk_window_get_application(GTK_WINDOW(self));

	if (app != NULL && HEARTH_IS_APP(app))
		hearth_app_show_preferences(HEARTH_APP(app), GTK_WINDOW(self));
	else
		gtk_window_present(GTK_WINDOW(hearth_preferences_new(self->settings, self)));
}

static void
action_back(GtkWidget *widget, const char *name, GVariant *param)
{
	HearthWindow *self = HEARTH_WINDOW(widget);
	GtkWidget *page = adw_leaflet_get_visible_child(self->leaflet);
	HearthBackFunc back;

	if (self->session == NULL || page == self->root_view)
		return;
	back = (HearthBackFunc)g_object_get_data(G_OBJECT(page), "hearth-back");
	if (back != NULL && back(page))
		return;
	hearth_window_pop(self);
}

void
hearth_window_set_back_handler(GtkWidget *page, HearthBackFunc back)
{
	g_object_set_data(G_OBJECT(page), "hearth-back", (gpointer)back);
}

static void
action_view(GtkWidget *widget, const char *name, GVariant *param)
{
	hearth_window_show_view(HEARTH_WINDOW(widget),
				g_variant_get_string(param, NULL));
}

static void
action_discard_draft(GtkWidget *widget, const char *name, GVariant *param)
{
	HearthWindow *self = HEARTH_WINDOW(widget);

	/* Not while it shows: the toast may outlive a resume. */
	if (self->draft != NULL &&
	    adw_leaflet_get_visible_child(self->leaflet) != self->draft)
		hearth_window_set_draft(self, NULL);
}

static void
action_new_appointment(GtkWidget *widget, const char *name, GVariant *param)
{
	HearthWindow *self = HEARTH_WINDOW(widget);

	if (self->session != NULL)
		hearth_appointment_editor_present(self, NULL);
}

static void
on_close_response(AdwMessageDialog *d, const char *response, gpointer data)
{
	HearthWindow *self = data;

	if (g_strcmp0(response, "close") != 0)
		return;
	g_clear_object(&self->draft);
	self->close_confirmed = TRUE;
	gtk_window_close(GTK_WINDOW(self));
}

/* Closing with an unfinished screening asks first: its answers go with
 * the window. */
static gboolean
confirm_close(HearthWindow *self)
{
	GtkWidget *d;

	if (self->draft == NULL || self->session == NULL || self->close_confirmed)
		return FALSE;
	d = adw_message_dialog_new(GTK_WINDOW(self), _("Close With a Screening Unfinished?"),
		_("Its answers have not been submitted and will be lost."));
	gtk_widget_set_name(d, "close-draft-dialog");
	adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(d),
		"cancel", _("_Cancel"), "close", _("_Close and Discard"), NULL);
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(d), "close",
						   ADW_RESPONSE_DESTRUCTIVE);
	adw_message_dialog_set_default_response(ADW_MESSAGE_DIALOG(d), "cancel");
	adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(d), "cancel");
	g_signal_connect(d, "response", G_CALLBACK(on_close_response), self);
	gtk_window_present(GTK_WINDOW(d));
	return TRUE;
}

static gboolean
on_close_request(GtkWindow *win, gpointer data)
{
	HearthWindow *self = HEARTH_WINDOW(win);
	GSettings *s = window_settings(self);
	int w, h;

	if (confirm_close(self))
		return TRUE;
	if (s != NULL && g_getenv("HEARTH_GUI_NO_SAVE_SIZE") == NULL) {
		gtk_window_get_default_size(win, &w, &h);
		g_settings_set_int(s, "window-width", w);
		g_settings_set_int(s, "window-height", h);
		g_settings_set_boolean(s, "window-maximized",
				       gtk_window_is_maximized(win));
	}
	return FALSE;
}

static void
hearth_window_dispose(GObject *object)
{
	HearthWindow *self = HEARTH_WINDOW(object);

	g_clear_handle_id(&self->idle_source, g_source_remove);
	g_clear_handle_id(&self->focus_check, g_source_remove);
	g_clear_object(&self->settings);
	g_clear_object(&self->pending);
	g_clear_object(&self->draft);
	G_OBJECT_CLASS(hearth_window_parent_class)->dispose(object);
	/* Pages are gone: now the vault they used can close. */
	if (self->session != NULL)
		hearth_session_close(self->session);
	g_clear_object(&self->session);
}

static void
hearth_window_finalize(GObject *object)
{
	HearthWindow *self = HEARTH_WINDOW(object);

	g_free(self->dir);
	hearth_helplines_free(self->lines, self->n_lines);
	G_OBJECT_CLASS(hearth_window_parent_class)->finalize(object);
}

static void
hearth_window_class_init(HearthWindowClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = hearth_window_dispose;
	object_class->finalize = hearth_window_finalize;

	/* The app's icon and the icons Adwaita 43 lacks live in the
	 * resource.  GtkApplication adds this path for the app; a window
	 * made without one (the tests) needs it as much. */
	if (gdk_display_get_default() != NULL)
		gtk_icon_theme_add_resource_path(gtk_icon_theme_get_for_display(
			gdk_display_get_default()), "/cn/hearth/Hearth/icons");
	g_type_ensure(HEARTH_TYPE_SETUP_PAGE);
	g_type_ensure(HEARTH_TYPE_UNLOCK_PAGE);
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-window.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthWindow, toast_overlay);
	gtk_widget_class_bind_template_child(widget_class, HearthWindow, stack);
	gtk_widget_class_bind_template_child(widget_class, HearthWindow, setup_page);
	gtk_widget_class_bind_template_child(widget_class, HearthWindow, unlock_page);
	gtk_widget_class_bind_template_child(widget_class, HearthWindow, leaflet);

	gtk_widget_class_install_action(widget_class, "win.lock", NULL, action_lock);
	gtk_widget_class_install_action(widget_class, "win.sync", NULL, action_sync);
	gtk_widget_class_install_action(widget_class, "win.back", NULL, action_back);
	gtk_widget_class_install_action(widget_class, "win.view", "s", action_view);
	gtk_widget_class_install_action(widget_class, "win.new-appointment", NULL,
					action_new_appointment);
	gtk_widget_class_install_action(widget_class, "win.discard-draft", NULL,
					action_discard_draft);
	gtk_widget_class_install_action(widget_class, "win.help-lines", NULL,
					action_help_lines);
	gtk_widget_class_install_action(widget_class, "win.preferences", NULL,
					action_preferences);
	gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Left,
		GDK_ALT_MASK, "win.back", NULL);
	/* Escape leaves a pushed page too (an entry or a popover that
	 * uses Escape itself gets it first). */
	gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Escape, 0,
		"win.back", NULL);
	gtk_widget_class_add_binding_action(widget_class, GDK_KEY_l,
		GDK_CONTROL_MASK, "win.lock", NULL);
}

static void
hearth_window_init(HearthWindow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	g_signal_connect(self->leaflet, "notify::child-transition-running",
			 G_CALLBACK(on_transition_running), self);
	g_signal_connect(self->setup_page, "created",
			 G_CALLBACK(on_setup_done), self);
	g_signal_connect(self->unlock_page, "unlocked",
			 G_CALLBACK(on_unlocked), self);
	g_signal_connect(self, "close-request", G_CALLBACK(on_close_request), NULL);
	watch_toplevels();

	self->last_input_us = g_get_monotonic_time();
	self->idle_source = g_timeout_add_seconds(10, idle_check, self);
}

HearthWindow *
hearth_window_new(GtkApplication *app, const char *dir)
{
	HearthWindow *self = g_object_new(HEARTH_TYPE_WINDOW,
					  "application", app, NULL);
	GSettings *s;

	self->dir = g_strdup(dir);
	s = window_settings(self);
	if (s != NULL) {
		self->mode = (HearthMode)g_settings_get_enum(s, "mode");
		gtk_window_set_default_size(GTK_WINDOW(self),
			g_settings_get_int(s, "window-width"),
			g_settings_get_int(s, "window-height"));
		if (g_settings_get_boolean(s, "window-maximized"))
			gtk_window_maximize(GTK_WINDOW(self));
	}
	hearth_setup_page_set_dir(self->setup_page, dir);
	hearth_unlock_page_set_dir(self->unlock_page, dir);
	hearth_unlock_page_reset(self->unlock_page, self->mode);
	gtk_stack_set_visible_child_name(self->stack,
		hearth_vault_exists(dir) ? "unlock" : "setup");
	return self;
}
