/*
 * gui-gtk/hearth-sync-page.c - the Sync page (hearth-sync-page.h).
 *
 * Every read and write is a core call: the relay's address and pin are
 * the settings relay_url and relay_pin, the spaces' states come from
 * hearth_relaysync_status_each, and the sync itself is the session's
 * (hearth_session_sync_start), whose worker thread reports to the main
 * loop through the session's signals.
 */
#include "hearth-sync-page.h"

#include "hearth/relaysync.h"
#include "hearth/settings.h"
#include "hearth/spaces.h"

struct _HearthSyncPage {
	AdwBin parent_instance;

	/* Template widgets */
	AdwEntryRow *url_row;
	AdwEntryRow *pin_row;
	GtkButton *sync_button;
	GtkWidget *progress_box;
	GtkProgressBar *progress;
	GtkButton *cancel_button;
	GtkLabel *result_label;
	AdwPreferencesGroup *spaces_group;

	/* Owned */
	HearthSession *session;
	GPtrArray *rows;    /* the rows in spaces_group (borrowed widgets) */
	GHashTable *names;  /* space id hex -> name, read before a sync (the
			     * store is the worker's during it) */
	char *syncing;      /* the name of the space being synced */
	guint index, count; /* its place */

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthSyncPage, hearth_sync_page, ADW_TYPE_BIN)

char *
hearth_sync_ago_words(gint64 synced_at, gint64 now)
{
	gint64 d = now - synced_at;

	if (synced_at <= 0)
		return g_strdup(_("Never synced"));
	if (d < 60)
		return g_strdup(_("Synced just now"));
	if (d < 3600)
		return g_strdup_printf(g_dngettext(NULL, "Synced %d minute ago",
						   "Synced %d minutes ago", (gulong)(d / 60)),
				       (int)(d / 60));
	if (d < 86400)
		return g_strdup_printf(g_dngettext(NULL, "Synced %d hour ago",
						   "Synced %d hours ago", (gulong)(d / 3600)),
				       (int)(d / 3600));
	return g_strdup_printf(g_dngettext(NULL, "Synced %d day ago",
					   "Synced %d days ago", (gulong)(d / 86400)),
			       (int)(d / 86400));
}

/* ---- the spaces ------------------------------------------------------------ */

typedef struct {
	HearthSyncPage *self;
	hearth_store *s;
	char *url;       /* the remembered relay, its trailing slashes cut */
	gint64 now;
} Fill;

/* The space's name as this vault knows it. */
typedef struct {
	const hearth_id *space;
	char *name;
} NameFind;

static int
name_cb(const hearth_space_info *i, void *ctx)
{
	NameFind *f = ctx;

	if (!hearth_id_equal(&i->space, f->space))
		return 0;
	if (i->name != NULL)
		f->name = g_strdup(i->name);
	return 1;
}

static int
names_cb(const hearth_space_info *i, void *ctx)
{
	if (i->name != NULL)
		g_hash_table_insert(ctx, hearth_gui_id_hex(&i->space), g_strdup(i->name));
	return 0;
}

static char *
space_name(hearth_store *s, const hearth_id *space)
{
	NameFind f = { space, NULL };

	if (hearth_spaces_each(s, name_cb, &f) != HEARTH_OK)
		hearth_errdetail_clear();
	if (f.name == NULL) {
		g_autofree char *hex = hearth_gui_id_hex(space);

		/* Translators: a space this vault cannot read the name of yet
		 * (asked to join, not approved); %s is its id. */
		f.name = g_strdup_printf(_("Space %.8s (not joined yet)"), hex);
	}
	return f.name;
}

static int
status_cb(const hearth_relaysync_status *st, void *ctx)
{
	Fill *f = ctx;
	g_autofree char *name = NULL, *when = NULL, *sub = NULL;
	size_t pending = st->pending_ops + st->pending_envelopes;
	GtkWidget *row;

	/* Only the relay in use: an old relay's states would read as
	 * problems that no sync here will ever clear. */
	if (g_strcmp0(st->relay, f->url) != 0)
		return 0;
	name = space_name(f->s, &st->space);
	when = hearth_sync_ago_words(st->state.synced_at, f->now);
	if (pending > 0) {
		g_autofree char *p = g_strdup_printf(
			g_dngettext(NULL, "%zu change not sent yet",
				    "%zu changes not sent yet", (gulong)pending), pending);

		sub = g_strdup_printf("%s · %s", when, p);
	} else {
		sub = g_strdup(when);
	}
	/* The problem in the user's language, by its kind.  Its English
	 * detail (envelope ids, the relay's URL) is left out here: it means
	 * nothing to a counsellor, would be the only English on a Chinese
	 * page and overflows a phone's width; whoever helps them reads it in
	 * `hearth sync status` or the audit log ("sync.relay"). */
	if (st->state.problem[0] != '\0') {
		char *t = g_strdup_printf("%s\n%s", sub,
					  hearth_sync_problem_local(st->state.problem_kind));

		g_free(sub);
		sub = t;
	}
	row = adw_action_row_new();
	gtk_widget_set_name(row, "sync-space");
	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), name);
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), sub);
	adw_action_row_set_subtitle_lines(ADW_ACTION_ROW(row), 0);
	adw_action_row_add_prefix(ADW_ACTION_ROW(row), gtk_image_new_from_icon_name(
		st->state.problem[0] != '\0' ? "dialog-warning-symbolic" :
		st->state.synced_at > 0 ? "emblem-ok-symbolic" : "content-loading-symbolic"));
	adw_preferences_group_add(f->self->spaces_group, row);
	g_ptr_array_add(f->self->rows, row);
	return 0;
}

static void
clear_rows(HearthSyncPage *self)
{
	for (guint i = 0; i < self->rows->len; i++)
		adw_preferences_group_remove(self->spaces_group, self->rows->pdata[i]);
	g_ptr_array_set_size(self->rows, 0);
}

static void
set_entry(AdwEntryRow *row, hearth_store *s, const char *key)
{
	char *v = NULL;

	if (hearth_settings_get(s, key, &v) != HEARTH_OK) {
		hearth_errdetail_clear();
		return;
	}
	gtk_editable_set_text(GTK_EDITABLE(row), v);
	free(v);
}

static void
reload(HearthSyncPage *self)
{
	hearth_store *s = hearth_session_peek_store(self->session);
	gboolean syncing = hearth_session_syncing(self->session);
	char *url = NULL;
	Fill f;
	hearth_status st;

	gtk_widget_set_visible(self->progress_box, syncing);
	gtk_widget_set_sensitive(GTK_WIDGET(self->sync_button), !syncing);
	gtk_widget_set_sensitive(GTK_WIDGET(self->url_row), !syncing);
	gtk_widget_set_sensitive(GTK_WIDGET(self->pin_row), !syncing);
	if (s == NULL)
		return;
	g_hash_table_remove_all(self->names);
	if (hearth_spaces_each(s, names_cb, self->names) != HEARTH_OK)
		hearth_errdetail_clear();
	set_entry(self->url_row, s, HEARTH_SETTING_RELAY_URL);
	set_entry(self->pin_row, s, HEARTH_SETTING_RELAY_PIN);
	clear_rows(self);
	if (hearth_settings_get(s, HEARTH_SETTING_RELAY_URL, &url) != HEARTH_OK) {
		hearth_window_status(self->win, HEARTH_ERROR);
		return;
	}
	f.self = self;
	f.s = s;
	f.url = g_strdup(url);
	free(url);
	/* The states are kept under the URL without its trailing slashes. */
	for (size_t n = strlen(f.url); n > 0 && f.url[n - 1] == '/'; n--)
		f.url[n - 1] = '\0';
	f.now = g_get_real_time() / G_USEC_PER_SEC;
	st = hearth_relaysync_status_each(s, status_cb, &f);
	g_free(f.url);
	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	if (self->rows->len == 0) {
		GtkWidget *row = adw_action_row_new();

		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row),
			_("Not synced through this relay yet"));
		adw_action_row_set_subtitle(ADW_ACTION_ROW(row),
			_("Enter the relay's address your team lead gave you, then sync."));
		adw_preferences_group_add(self->spaces_group, row);
		g_ptr_array_add(self->rows, row);
	}
}

/* ---- the settings ---------------------------------------------------------- */

static void
save_setting(HearthSyncPage *self, AdwEntryRow *row, const char *key)
{
	hearth_store *s = hearth_session_get_store(self->session);
	const char *text = gtk_editable_get_text(GTK_EDITABLE(row));
	hearth_status st;

	if (s == NULL)
		return;
	st = hearth_settings_set(s, key, text);
	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		gtk_widget_add_css_class(GTK_WIDGET(row), "error");
		return;
	}
	gtk_widget_remove_css_class(GTK_WIDGET(row), "error");
	hearth_session_changed(self->session, HEARTH_CHANGE_SETTINGS);
}

static void
on_url_apply(HearthSyncPage *self, AdwEntryRow *row)
{
	save_setting(self, row, HEARTH_SETTING_RELAY_URL);
}

static void
on_pin_apply(HearthSyncPage *self, AdwEntryRow *row)
{
	save_setting(self, row, HEARTH_SETTING_RELAY_PIN);
}

/* ---- syncing --------------------------------------------------------------- */

static void
on_sync_clicked(HearthSyncPage *self, GtkButton *button)
{
	const char *url = gtk_editable_get_text(GTK_EDITABLE(self->url_row));
	const char *pin = gtk_editable_get_text(GTK_EDITABLE(self->pin_row));
	hearth_status st;

	if (*url == '\0') {
		gtk_label_set_text(self->result_label,
			_("Enter the relay's address first."));
		gtk_widget_set_visible(GTK_WIDGET(self->result_label), TRUE);
		gtk_widget_grab_focus(GTK_WIDGET(self->url_row));
		return;
	}
	/* The address typed is the one used, remembered once the relay
	 * answers; the pin typed goes with it. */
	st = hearth_session_sync_start(self->session, url, pin);
	if (st != HEARTH_OK) {
		gtk_label_set_text(self->result_label, hearth_errdetail_local());
		gtk_widget_set_visible(GTK_WIDGET(self->result_label), TRUE);
		hearth_errdetail_clear();
		return;
	}
	gtk_widget_set_visible(GTK_WIDGET(self->result_label), FALSE);
	gtk_progress_bar_set_text(self->progress, _("Connecting to the relay…"));
	gtk_progress_bar_set_fraction(self->progress, 0.0);
	gtk_widget_set_sensitive(GTK_WIDGET(self->cancel_button), TRUE);
	reload(self);
	gtk_widget_grab_focus(GTK_WIDGET(self->cancel_button));
}

static void
on_cancel_clicked(HearthSyncPage *self, GtkButton *button)
{
	hearth_session_sync_cancel(self->session);
	gtk_progress_bar_set_text(self->progress, _("Stopping…"));
	gtk_widget_set_sensitive(GTK_WIDGET(self->cancel_button), FALSE);
}

static void
show_progress(HearthSyncPage *self, guint64 sent, guint64 received)
{
	g_autofree char *counts = NULL, *t = NULL;

	if (self->syncing == NULL)
		return;
	/* Translators: while syncing; %u changes (sealed envelopes) sent to
	 * the relay, %u fetched from it. */
	counts = g_strdup_printf(_("Sent %u, fetched %u"), (guint)sent, (guint)received);
	/* Translators: while syncing: the space's name, its place among
	 * the spaces synced (1 of 2), then what was sent and fetched. */
	t = g_strdup_printf(_("%s (%u of %u): %s"), self->syncing, self->index + 1,
			    self->count, counts);
	gtk_progress_bar_set_text(self->progress, t);
}

static void
on_sync_space(HearthSyncPage *self, const char *hex, guint index, guint count,
	      HearthSession *session)
{
	const char *name = g_hash_table_lookup(self->names, hex);

	g_free(self->syncing);
	self->syncing = name != NULL ? g_strdup(name) :
		g_strdup_printf(_("Space %.8s (not joined yet)"), hex);
	self->index = index;
	self->count = count;
	/* The spaces done so far. */
	gtk_progress_bar_set_fraction(self->progress, count > 0 ? (double)index / count : 0);
	show_progress(self, 0, 0);
}

static void
on_sync_progress(HearthSyncPage *self, guint64 sent, guint64 received,
		 HearthSession *session)
{
	show_progress(self, sent, received);
}

/* What a sync that failed at the relay kept as its problem's kind, said
 * in the user's language: a relay that refused this device is not one
 * that could not be reached. */
static const char *
relay_problem(HearthSyncPage *self)
{
	hearth_store *s = hearth_session_peek_store(self->session);
	hearth_relaysync_attention a;

	if (s != NULL && hearth_relaysync_attention_get(s, g_get_real_time() / G_USEC_PER_SEC,
							&a) == HEARTH_OK &&
	    a.need == HEARTH_RELAYSYNC_FAILED)
		return hearth_sync_problem_local(a.problem_kind);
	hearth_errdetail_clear();
	return _("Relay unreachable.");
}

static void
on_sync_finished(HearthSyncPage *self, gint status, const char *detail,
		 HearthSession *session)
{
	const char *head;

	g_clear_pointer(&self->syncing, g_free);
	gtk_progress_bar_set_fraction(self->progress, 1.0);
	switch ((hearth_status)status) {
	case HEARTH_OK:
		head = _("Synced.");
		break;
	case HEARTH_ECANCELED:
		head = _("Sync cancelled. What arrived before it stopped is kept.");
		break;
	case HEARTH_ENET:
		head = relay_problem(self);
		break;
	default:
		head = _("Sync failed.");
		break;
	}
	if (status != HEARTH_OK && detail != NULL && *detail != '\0') {
		/* Translators: a sync's result, then the failure's detail:
		 * two sentences (no space between them in Chinese). */
		g_autofree char *t = g_strdup_printf(_("%s %s"), head, detail);

		gtk_label_set_text(self->result_label, t);
	} else {
		gtk_label_set_text(self->result_label, head);
	}
	gtk_widget_set_visible(GTK_WIDGET(self->result_label), TRUE);
	reload(self);
	gtk_widget_grab_focus(GTK_WIDGET(self->sync_button));
}

/* ---- life ------------------------------------------------------------------ */

static void
hearth_sync_page_dispose(GObject *object)
{
	HearthSyncPage *self = HEARTH_SYNC_PAGE(object);

	G_OBJECT_CLASS(hearth_sync_page_parent_class)->dispose(object);
	g_clear_object(&self->session);
}

static void
hearth_sync_page_finalize(GObject *object)
{
	HearthSyncPage *self = HEARTH_SYNC_PAGE(object);

	g_ptr_array_unref(self->rows);
	g_hash_table_unref(self->names);
	g_free(self->syncing);
	G_OBJECT_CLASS(hearth_sync_page_parent_class)->finalize(object);
}

static void
hearth_sync_page_class_init(HearthSyncPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_sync_page_dispose;
	G_OBJECT_CLASS(klass)->finalize = hearth_sync_page_finalize;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-sync-page.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthSyncPage, url_row);
	gtk_widget_class_bind_template_child(widget_class, HearthSyncPage, pin_row);
	gtk_widget_class_bind_template_child(widget_class, HearthSyncPage, sync_button);
	gtk_widget_class_bind_template_child(widget_class, HearthSyncPage, progress_box);
	gtk_widget_class_bind_template_child(widget_class, HearthSyncPage, progress);
	gtk_widget_class_bind_template_child(widget_class, HearthSyncPage, cancel_button);
	gtk_widget_class_bind_template_child(widget_class, HearthSyncPage, result_label);
	gtk_widget_class_bind_template_child(widget_class, HearthSyncPage, spaces_group);
	gtk_widget_class_bind_template_callback(widget_class, on_url_apply);
	gtk_widget_class_bind_template_callback(widget_class, on_pin_apply);
	gtk_widget_class_bind_template_callback(widget_class, on_sync_clicked);
	gtk_widget_class_bind_template_callback(widget_class, on_cancel_clicked);
}

static void
hearth_sync_page_init(HearthSyncPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->rows = g_ptr_array_new();
	self->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

HearthSyncPage *
hearth_sync_page_new(HearthWindow *win, HearthSession *session)
{
	HearthSyncPage *self = g_object_new(HEARTH_TYPE_SYNC_PAGE, NULL);

	self->win = win;
	self->session = g_object_ref(session);
	g_signal_connect_object(session, "sync-progress", G_CALLBACK(on_sync_progress),
				self, G_CONNECT_SWAPPED);
	g_signal_connect_object(session, "sync-space", G_CALLBACK(on_sync_space),
				self, G_CONNECT_SWAPPED);
	g_signal_connect_object(session, "sync-finished", G_CALLBACK(on_sync_finished),
				self, G_CONNECT_SWAPPED);
	reload(self);
	return self;
}
