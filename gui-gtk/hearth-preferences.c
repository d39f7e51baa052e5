/*
 * gui-gtk/hearth-preferences.c - preferences.
 */
#include "hearth-preferences.h"

#include "hearth/settings.h"
#include "hearth-app.h"

struct _HearthPreferences {
	AdwPreferencesWindow parent_instance;

	/* Template widgets */
	AdwComboRow *language_row;
	AdwComboRow *lock_row;
	GtkWidget *vault_group;
	GtkWidget *screening_group;
	AdwEntryRow *helplines_row;
	AdwEntryRow *supervisor_row;
	AdwComboRow *cutoff_row;

	/* Owned */
	GSettings *settings;

	/* Borrowed */
	HearthWindow *win;
	gboolean loading;
};

G_DEFINE_FINAL_TYPE(HearthPreferences, hearth_preferences,
		    ADW_TYPE_PREFERENCES_WINDOW)

static const char *const languages[] = { "", "en", "zh_CN" };
static const guint lock_minutes[] = { 0, 1, 5, 15, 30 };

static void
on_language(AdwComboRow *row, GParamSpec *p, gpointer data)
{
	HearthPreferences *self = data;
	guint i = adw_combo_row_get_selected(row);

	if (!self->loading && self->settings && i < G_N_ELEMENTS(languages))
		g_settings_set_string(self->settings, "language", languages[i]);
}

static void
on_lock(AdwComboRow *row, GParamSpec *p, gpointer data)
{
	HearthPreferences *self = data;
	guint i = adw_combo_row_get_selected(row);

	if (!self->loading && self->settings && i < G_N_ELEMENTS(lock_minutes))
		g_settings_set_uint(self->settings, "auto-lock-minutes", lock_minutes[i]);
}

static hearth_store *
store(HearthPreferences *self)
{
	return self->win ? hearth_window_get_store(self->win) : NULL;
}

static void
set_vault(HearthPreferences *self, const char *key, const char *value)
{
	hearth_store *s = store(self);
	hearth_status st;

	if (s == NULL)
		return;
	st = hearth_settings_set(s, key, value);
	if (st != HEARTH_OK) {
		/* Say what is wrong in the row's own words where possible. */
		AdwToast *t = adw_toast_new(hearth_gui_status_text(st));

		adw_preferences_window_add_toast(ADW_PREFERENCES_WINDOW(self), t);
		g_message("hearth: %s", hearth_errdetail());
		return;
	}
	adw_preferences_window_add_toast(ADW_PREFERENCES_WINDOW(self),
					 adw_toast_new(_("Saved")));
	hearth_window_data_changed(self->win);
}

static void
on_helplines(AdwEntryRow *row, gpointer data)
{
	set_vault(data, HEARTH_SETTING_HELPLINES,
		  gtk_editable_get_text(GTK_EDITABLE(row)));
}

static void
on_supervisor(AdwEntryRow *row, gpointer data)
{
	set_vault(data, HEARTH_SETTING_SUPERVISOR,
		  gtk_editable_get_text(GTK_EDITABLE(row)));
}

static void
on_cutoff(AdwComboRow *row, GParamSpec *p, gpointer data)
{
	HearthPreferences *self = data;

	if (!self->loading)
		set_vault(self, HEARTH_SETTING_PHQ9_CUTOFF,
			  adw_combo_row_get_selected(row) == 1 ? "7" : "10");
}

static void
load(HearthPreferences *self)
{
	hearth_store *s = store(self);

	self->loading = TRUE;
	if (self->settings != NULL) {
		g_autofree char *lang = g_settings_get_string(self->settings, "language");
		guint minutes = g_settings_get_uint(self->settings, "auto-lock-minutes");

		for (guint i = 0; i < G_N_ELEMENTS(languages); i++)
			if (g_strcmp0(lang, languages[i]) == 0)
				adw_combo_row_set_selected(self->language_row, i);
		for (guint i = 0; i < G_N_ELEMENTS(lock_minutes); i++)
			if (minutes >= lock_minutes[i])
				adw_combo_row_set_selected(self->lock_row, i);
	}
	gtk_widget_set_sensitive(self->vault_group, s != NULL);
	gtk_widget_set_sensitive(self->screening_group, s != NULL);
	if (s != NULL) {
		hearth_helpline *lines = NULL;
		size_t n = 0;
		char *v = NULL;

		if (hearth_settings_helplines(s, hearth_gui_lang(), &lines, &n) == HEARTH_OK) {
			GString *text = g_string_new(NULL);

			for (size_t i = 0; i < n; i++)
				g_string_append_printf(text, "%s%s:%s", i ? "," : "",
						       lines[i].name, lines[i].number);
			gtk_editable_set_text(GTK_EDITABLE(self->helplines_row), text->str);
			g_string_free(text, TRUE);
			hearth_helplines_free(lines, n);
		}
		if (hearth_settings_get(s, HEARTH_SETTING_SUPERVISOR, &v) == HEARTH_OK)
			gtk_editable_set_text(GTK_EDITABLE(self->supervisor_row), v);
		free(v);
		v = NULL;
		if (hearth_settings_get(s, HEARTH_SETTING_PHQ9_CUTOFF, &v) == HEARTH_OK)
			adw_combo_row_set_selected(self->cutoff_row,
						   g_strcmp0(v, "7") == 0 ? 1 : 0);
		free(v);
		hearth_errdetail_clear();
	}
	self->loading = FALSE;
}

static void
hearth_preferences_finalize(GObject *object)
{
	g_clear_object(&HEARTH_PREFERENCES(object)->settings);
	G_OBJECT_CLASS(hearth_preferences_parent_class)->finalize(object);
}

static void
hearth_preferences_class_init(HearthPreferencesClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = hearth_preferences_finalize;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-preferences.ui");
#define BIND(name) gtk_widget_class_bind_template_child(widget_class, HearthPreferences, name)
	BIND(language_row);
	BIND(lock_row);
	BIND(vault_group);
	BIND(screening_group);
	BIND(helplines_row);
	BIND(supervisor_row);
	BIND(cutoff_row);
#undef BIND
}

static void
hearth_preferences_init(HearthPreferences *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

HearthPreferences *
hearth_preferences_new(GSettings *settings, HearthWindow *win)
{
	HearthPreferences *self = g_object_new(HEARTH_TYPE_PREFERENCES,
		"transient-for", win, NULL);

	self->settings = settings ? g_object_ref(settings) : NULL;
	self->win = win;
	load(self);
	g_signal_connect(self->language_row, "notify::selected", G_CALLBACK(on_language), self);
	g_signal_connect(self->lock_row, "notify::selected", G_CALLBACK(on_lock), self);
	g_signal_connect(self->cutoff_row, "notify::selected", G_CALLBACK(on_cutoff), self);
	g_signal_connect(self->helplines_row, "apply", G_CALLBACK(on_helplines), self);
	g_signal_connect(self->supervisor_row, "apply", G_CALLBACK(on_supervisor), self);
	return self;
}
