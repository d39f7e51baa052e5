/*
 * gui-gtk/hearth-window.c - the main window.
 */
#include "hearth-window.h"

#include "hearth-app.h"
#include "hearth-appointment-editor.h"
#include "hearth-counsellor-view.h"
#include "hearth-help-page.h"
#include "hearth-journal-view.h"
#include "hearth-person-page.h"
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
	hearth_vault *vault;
	gint64 last_input_us;
	guint idle_source;

	GtkWidget *pending;   /* a page pushed while the leaflet was moving */
	GtkWidget *draft;     /* an unfinished screening, see get_draft */
	gboolean close_confirmed;

	/* Borrowed */
	HearthMode mode;
	GtkWidget *root_view;
};

G_DEFINE_FINAL_TYPE(HearthWindow, hearth_window, ADW_TYPE_APPLICATION_WINDOW)

enum { SIGNAL_DATA_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static GSettings *
window_settings(HearthWindow *self)
{
	GtkApplication *app = gtk_window_get_application(GTK_WINDOW(self));

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
	if (self->vault == NULL)
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
	hearth_vault_close(self->vault);
	self->vault = NULL;
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

static gboolean
idle_check(gpointer data)
{
	HearthWindow *self = data;
	guint minutes;
	gint64 now;

	if (self->vault == NULL)
		return G_SOURCE_CONTINUE;
	minutes = auto_lock_minutes(self);
	now = g_get_monotonic_time();
	if (minutes > 0 &&
	    now - self->last_input_us >= (gint64)minutes * 60 * G_USEC_PER_SEC)
		hearth_window_lock(self);
	return G_SOURCE_CONTINUE;
}

void
hearth_window_touch(HearthWindow *self)
{
	self->last_input_us = g_get_monotonic_time();
}

static gboolean
on_any_event(GtkEventControllerLegacy *c, GdkEvent *event, gpointer data)
{
	switch (gdk_event_get_event_type(event)) {
	case GDK_KEY_PRESS:
	case GDK_BUTTON_PRESS:
	case GDK_TOUCH_BEGIN:
	case GDK_SCROLL:
	case GDK_MOTION_NOTIFY:
		hearth_window_touch(HEARTH_WINDOW(data));
		break;
	default:
		break;
	}
	return FALSE;
}

static void
on_active_changed(GtkWindow *win, GParamSpec *pspec, gpointer data)
{
	HearthWindow *self = HEARTH_WINDOW(win);

	/* "Lock immediately": lock as soon as the window is left. */
	if (!gtk_window_is_active(win) && auto_lock_minutes(self) == 0 &&
	    g_getenv("HEARTH_GUI_NO_FOCUS_LOCK") == NULL)
		hearth_window_lock(self);
}

void
hearth_window_take_vault(HearthWindow *self, hearth_vault *vault,
			 HearthMode mode)
{
	g_return_if_fail(HEARTH_IS_WINDOW(self));
	g_return_if_fail(vault != NULL);

	clear_leaflet(self);
	hearth_vault_close(self->vault);
	self->vault = vault;
	if (mode != HEARTH_MODE_UNSET)
		self->mode = mode;
	if (self->mode == HEARTH_MODE_UNSET)
		self->mode = HEARTH_MODE_COUNSELLOR;
	hearth_window_touch(self);

	if (self->mode == HEARTH_MODE_JOURNAL)
		self->root_view = GTK_WIDGET(hearth_journal_view_new(self));
	else
		self->root_view = GTK_WIDGET(hearth_counsellor_view_new(self));
	gtk_stack_set_visible_child_name(self->stack, "main");
	adw_leaflet_append(self->leaflet, self->root_view);
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

hearth_store *
hearth_window_get_store(HearthWindow *self)
{
	g_return_val_if_fail(HEARTH_IS_WINDOW(self), NULL);
	return self->vault ? hearth_vault_store(self->vault) : NULL;
}

hearth_vault *
hearth_window_get_vault(HearthWindow *self)
{
	return self->vault;
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
	AdwToast *t = adw_toast_new(text);

	adw_toast_overlay_add_toast(self->toast_overlay, t);
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
	adw_toast_overlay_add_toast(self->toast_overlay, t);
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
	hearth_window_push(self, GTK_WIDGET(hearth_person_page_new(self, id, TRUE)));
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

void
hearth_window_data_changed(HearthWindow *self)
{
	g_signal_emit(self, signals[SIGNAL_DATA_CHANGED], 0);
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

	if (self->vault != NULL && self->mode == HEARTH_MODE_JOURNAL &&
	    hearth_window_show_view(self, "help"))
		return;
	dialog = hearth_help_dialog_new(GTK_WINDOW(self),
					hearth_window_get_store(self));
	gtk_window_present(GTK_WINDOW(dialog));
}

static void
action_lock(GtkWidget *widget, const char *name, GVariant *param)
{
	hearth_window_lock(HEARTH_WINDOW(widget));
}

static void
action_back(GtkWidget *widget, const char *name, GVariant *param)
{
	HearthWindow *self = HEARTH_WINDOW(widget);

	if (self->vault != NULL &&
	    adw_leaflet_get_visible_child(self->leaflet) != self->root_view)
		hearth_window_pop(self);
}

static void
action_view(GtkWidget *widget, const char *name, GVariant *param)
{
	hearth_window_show_view(HEARTH_WINDOW(widget),
				g_variant_get_string(param, NULL));
}

static void
action_undo_add(GtkWidget *widget, const char *name, GVariant *param)
{
	HearthWindow *self = HEARTH_WINDOW(widget);
	hearth_id id;
	hearth_store *s = hearth_window_get_store(self);

	if (s == NULL || !hearth_gui_id_parse(g_variant_get_string(param, NULL), &id))
		return;
	hearth_window_status(self, hearth_record_delete(s, &id));
	hearth_window_data_changed(self);
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

	if (self->vault != NULL)
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

	if (self->draft == NULL || self->vault == NULL || self->close_confirmed)
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
	g_clear_object(&self->pending);
	g_clear_object(&self->draft);
	G_OBJECT_CLASS(hearth_window_parent_class)->dispose(object);
	/* Pages are gone: now the vault they borrowed can close. */
	hearth_vault_close(self->vault);
	self->vault = NULL;
}

static void
hearth_window_finalize(GObject *object)
{
	HearthWindow *self = HEARTH_WINDOW(object);

	g_free(self->dir);
	G_OBJECT_CLASS(hearth_window_parent_class)->finalize(object);
}

static void
hearth_window_class_init(HearthWindowClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = hearth_window_dispose;
	object_class->finalize = hearth_window_finalize;

	signals[SIGNAL_DATA_CHANGED] = g_signal_new("data-changed",
		G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
		NULL, G_TYPE_NONE, 0);

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
	gtk_widget_class_install_action(widget_class, "win.back", NULL, action_back);
	gtk_widget_class_install_action(widget_class, "win.view", "s", action_view);
	gtk_widget_class_install_action(widget_class, "win.undo-add", "s", action_undo_add);
	gtk_widget_class_install_action(widget_class, "win.new-appointment", NULL,
					action_new_appointment);
	gtk_widget_class_install_action(widget_class, "win.discard-draft", NULL,
					action_discard_draft);
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
	GtkEventController *legacy;

	gtk_widget_init_template(GTK_WIDGET(self));
	g_signal_connect(self->leaflet, "notify::child-transition-running",
			 G_CALLBACK(on_transition_running), self);
	g_signal_connect(self->setup_page, "created",
			 G_CALLBACK(on_setup_done), self);
	g_signal_connect(self->unlock_page, "unlocked",
			 G_CALLBACK(on_unlocked), self);
	g_signal_connect(self, "close-request", G_CALLBACK(on_close_request), NULL);
	g_signal_connect(self, "notify::is-active", G_CALLBACK(on_active_changed), NULL);

	legacy = gtk_event_controller_legacy_new();
	gtk_event_controller_set_propagation_phase(legacy, GTK_PHASE_CAPTURE);
	g_signal_connect(legacy, "event", G_CALLBACK(on_any_event), self);
	gtk_widget_add_controller(GTK_WIDGET(self), legacy);

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
