/*
 * gui-gtk/hearth-preferences.c - preferences.
 *
 * Help lines are edited as rows (name, number, hours, the day last
 * verified) and saved together, as the JSON array the vault stores; a
 * "Verified Today" button records that someone rang the line today.
 */
#include "hearth-preferences.h"

#include <stdlib.h>

#include "hearth/settings.h"
#include "hearth-app.h"
#include "hearth-crisis.h"

struct _HearthPreferences {
	AdwPreferencesWindow parent_instance;

	/* Template widgets */
	AdwComboRow *language_row;
	AdwComboRow *lock_row;
	GtkWidget *vault_group;
	GtkWidget *screening_group;
	GtkWidget *supervisor_group;
	GtkListBox *helplines_list;
	GtkButton *helplines_save;
	GtkButton *helpline_add;
	AdwEntryRow *supervisor_row;
	AdwComboRow *cutoff_row;

	/* Owned */
	GSettings *settings;
	GPtrArray *lines;       /* Line *, one per help line row */

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

/* The session of the window the preferences belong to, asked each time:
 * the preferences stay open across a lock and an unlock. */
static HearthSession *
session(HearthPreferences *self)
{
	return self->win ? hearth_window_get_session(self->win) : NULL;
}

static hearth_store *
store(HearthPreferences *self)
{
	return session(self) ? hearth_session_get_store(session(self)) : NULL;
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
	hearth_session_changed(session(self), HEARTH_CHANGE_SETTINGS);
}

/* ---- help lines ---------------------------------------------------------- */

typedef struct {
	GtkWidget *expander;
	GtkWidget *name, *number, *hours, *verified;
} Line;

static const char *
text_of(GtkWidget *entry)
{
	return gtk_editable_get_text(GTK_EDITABLE(entry));
}

/* The expander's summary: "12356 · Verified on 2026-03-02". */
static void
line_summary(Line *l)
{
	g_autofree char *verified = hearth_helpline_verified_text(text_of(l->verified));
	g_autofree char *sub = g_strdup_printf("%s · %s", text_of(l->number), verified);

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(l->expander),
		*text_of(l->name) ? text_of(l->name) : _("New help line"));
	adw_expander_row_set_subtitle(ADW_EXPANDER_ROW(l->expander), sub);
}

static void
on_line_changed(GtkEditable *e, gpointer data)
{
	line_summary(data);
}

static void
on_verified_today(GtkButton *b, gpointer data)
{
	Line *l = data;
	char today[HEARTH_DATE_LEN + 1];

	hearth_gui_today(today);
	gtk_editable_set_text(GTK_EDITABLE(l->verified), today);
}

static void
on_remove_line(GtkButton *b, gpointer data)
{
	HearthPreferences *self = g_object_get_data(G_OBJECT(b), "prefs");
	Line *l = data;

	gtk_list_box_remove(self->helplines_list, l->expander);
	g_ptr_array_remove(self->lines, l);
}

static GtkWidget *
line_entry(Line *l, const char *title, const char *value, const char *name,
	   size_t i)
{
	GtkWidget *e = adw_entry_row_new();
	g_autofree char *id = g_strdup_printf("helpline-%s-%zu", name, i);

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(e), title);
	gtk_editable_set_text(GTK_EDITABLE(e), value ? value : "");
	gtk_widget_set_name(e, id);
	g_signal_connect(e, "changed", G_CALLBACK(on_line_changed), l);
	adw_expander_row_add_row(ADW_EXPANDER_ROW(l->expander), e);
	return e;
}

static void
add_line(HearthPreferences *self, const hearth_helpline *h, gboolean expanded)
{
	Line *l = g_new0(Line, 1);
	size_t i = self->lines->len;
	GtkWidget *actions = adw_action_row_new();
	GtkWidget *today = gtk_button_new_with_mnemonic(_("Verified _Today"));
	GtkWidget *remove = gtk_button_new_from_icon_name("user-trash-symbolic");
	g_autofree char *today_name = g_strdup_printf("helpline-today-%zu", i);
	g_autofree char *remove_name = g_strdup_printf("helpline-remove-%zu", i);
	g_autofree char *name = g_strdup_printf("helpline-%zu", i);

	l->expander = adw_expander_row_new();
	gtk_widget_set_name(l->expander, name);
	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(l->expander), FALSE);
	l->name = line_entry(l, _("Name"), h ? h->name : "", "name", i);
	l->number = line_entry(l, _("Number"), h ? h->number : "", "number", i);
	l->hours = line_entry(l, _("Hours (e.g. 24 h, 8:00-22:00)"), h ? h->hours : "",
			      "hours", i);
	l->verified = line_entry(l, _("Verified on (YYYY-MM-DD)"),
				 h ? h->verified : "", "verified", i);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(actions),
				      _("Rang it and it answered as listed?"));
	adw_action_row_set_title_lines(ADW_ACTION_ROW(actions), 0);
	gtk_widget_set_name(today, today_name);
	gtk_widget_set_valign(today, GTK_ALIGN_CENTER);
	gtk_widget_set_tooltip_text(today, _("Record that the line was verified today"));
	g_signal_connect(today, "clicked", G_CALLBACK(on_verified_today), l);
	adw_action_row_add_suffix(ADW_ACTION_ROW(actions), today);
	gtk_widget_set_name(remove, remove_name);
	gtk_widget_set_valign(remove, GTK_ALIGN_CENTER);
	gtk_widget_add_css_class(remove, "flat");
	gtk_widget_set_tooltip_text(remove, _("Remove this help line"));
	gtk_accessible_update_property(GTK_ACCESSIBLE(remove),
		GTK_ACCESSIBLE_PROPERTY_LABEL, _("Remove this help line"), -1);
	g_object_set_data(G_OBJECT(remove), "prefs", self);
	g_signal_connect(remove, "clicked", G_CALLBACK(on_remove_line), l);
	adw_action_row_add_suffix(ADW_ACTION_ROW(actions), remove);
	adw_expander_row_add_row(ADW_EXPANDER_ROW(l->expander), actions);
	adw_expander_row_set_expanded(ADW_EXPANDER_ROW(l->expander), expanded);
	line_summary(l);
	gtk_list_box_append(self->helplines_list, l->expander);
	g_ptr_array_add(self->lines, l);
}

static void
on_add_line(GtkButton *b, gpointer data)
{
	add_line(data, NULL, TRUE);
}

/* Saves every row as the vault's help lines; the core checks them and a
 * refusal names the line and the problem. */
static void
on_save_lines(GtkButton *b, gpointer data)
{
	HearthPreferences *self = data;
	guint n = self->lines->len;
	hearth_helpline *v = g_new0(hearth_helpline, n ? n : 1);
	char *json = NULL;
	hearth_status st;

	for (guint i = 0; i < n; i++) {
		Line *l = self->lines->pdata[i];

		/* Borrowed: to_json only reads them. */
		v[i].name = (char *)text_of(l->name);
		v[i].number = (char *)text_of(l->number);
		v[i].hours = (char *)text_of(l->hours);
		v[i].verified = (char *)text_of(l->verified);
	}
	st = hearth_helplines_to_json(v, n, &json);
	g_free(v);
	if (st != HEARTH_OK) {
		adw_preferences_window_add_toast(ADW_PREFERENCES_WINDOW(self),
			adw_toast_new(hearth_gui_status_text(st)));
		hearth_errdetail_clear();
		return;
	}
	set_vault(self, HEARTH_SETTING_HELPLINES, json);
	free(json);
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
	gtk_widget_set_sensitive(self->supervisor_group, s != NULL);
	if (s != NULL) {
		hearth_helpline *lines = NULL;
		size_t n = 0;
		char *v = NULL;

		if (hearth_settings_helplines(s, hearth_gui_lang(), &lines, &n) == HEARTH_OK) {
			for (size_t i = 0; i < n; i++)
				add_line(self, &lines[i], FALSE);
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
	g_ptr_array_unref(HEARTH_PREFERENCES(object)->lines);
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
	BIND(supervisor_group);
	BIND(helplines_list);
	BIND(helplines_save);
	BIND(helpline_add);
	BIND(supervisor_row);
	BIND(cutoff_row);
#undef BIND
}

static void
hearth_preferences_init(HearthPreferences *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->lines = g_ptr_array_new_with_free_func(g_free);
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
	g_signal_connect(self->helplines_save, "clicked", G_CALLBACK(on_save_lines), self);
	g_signal_connect(self->helpline_add, "clicked", G_CALLBACK(on_add_line), self);
	g_signal_connect(self->supervisor_row, "apply", G_CALLBACK(on_supervisor), self);
	return self;
}
