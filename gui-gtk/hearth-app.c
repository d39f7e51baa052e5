/*
 * gui-gtk/hearth-app.c - the application object.
 *
 * Options:
 *   --vault DIR          the vault directory (default: see
 *                        hearth_app_get_vault_dir)
 *   --demo               a throw-away vault in a temporary directory, made
 *                        with cheap key stretching and filled with fictional
 *                        data by hearth_demo_fill; removed on exit
 *   --demo-mode MODE     counsellor (default) or journal, for --demo
 *   --screenshot FILE    debug: render the window to FILE (PNG) and quit
 *   --page NAME          debug: the view to show first (today, people, ...)
 *   --size WxH           debug: the window size
 */
#include "hearth-app.h"

#include <errno.h>
#include <string.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "hearth/demo.h"
#include "hearth-preferences.h"
#include "hearth-resources.h"
#include "hearth-screenshot.h"
#include "hearth-window.h"

struct _HearthApp {
	AdwApplication parent_instance;

	/* Owned */
	GSettings *settings;
	char *vault_dir;
	char *demo_dir;      /* the --demo vault, removed on shutdown */
	char *demo_mode;
	char *screenshot;
	char *page;
	char *size;
	gboolean demo;
};

G_DEFINE_FINAL_TYPE(HearthApp, hearth_app, ADW_TYPE_APPLICATION)

/* The passphrase of --demo vaults, shown on their unlock page. */
#define DEMO_PASSPHRASE "demo"

GSettings *
hearth_app_settings_new(void)
{
	GSettingsSchemaSource *def = g_settings_schema_source_get_default();
	g_autoptr(GSettingsSchema) schema = NULL;
	g_autoptr(GSettingsSchemaSource) build = NULL;

	if (def != NULL)
		schema = g_settings_schema_source_lookup(def, "cn.hearth.Hearth", TRUE);
	if (schema == NULL) {
		/* Running uninstalled: the schema compiled in the build tree. */
		build = g_settings_schema_source_new_from_directory(
			HEARTH_BUILD_SCHEMADIR, def, FALSE, NULL);
		if (build != NULL)
			schema = g_settings_schema_source_lookup(build,
				"cn.hearth.Hearth", FALSE);
	}
	if (schema == NULL) {
		g_warning("settings schema cn.hearth.Hearth is not installed");
		return NULL;
	}
	return g_settings_new_full(schema, NULL, NULL);
}

GSettings *
hearth_app_get_settings(HearthApp *self)
{
	return self->settings;
}

gboolean
hearth_app_weak_kdf(HearthApp *self)
{
	const char *e = g_getenv("HEARTH_TEST_WEAK_KDF");

	return (self != NULL && self->demo) || (e != NULL && strcmp(e, "1") == 0);
}

const char *
hearth_app_get_vault_dir(HearthApp *self)
{
	const char *env;

	if (self->demo_dir != NULL)
		return self->demo_dir;
	if (self->vault_dir == NULL && self->settings != NULL) {
		g_autofree char *s = g_settings_get_string(self->settings, "vault-dir");

		if (*s)
			self->vault_dir = g_steal_pointer(&s);
	}
	if (self->vault_dir == NULL && (env = g_getenv("HEARTH_VAULT")) && *env)
		self->vault_dir = g_strdup(env);
	if (self->vault_dir == NULL)
		self->vault_dir = g_build_filename(g_get_user_data_dir(),
						   "hearth", NULL);
	return self->vault_dir;
}

static void
remove_tree(const char *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *name;

	if (dir != NULL) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			g_autofree char *child = g_build_filename(path, name, NULL);

			if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
			    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
				remove_tree(child);
			else
				g_unlink(child);
		}
	}
	g_rmdir(path);
}

/* Makes the --demo vault: a temp dir, a cheap KDF, fictional data. */
static hearth_vault *
make_demo_vault(HearthApp *self, HearthMode mode, GError **error)
{
	hearth_kdf_params low = hearth_kdf_params_low();
	hearth_vault_options opt = { .kdf = &low };
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_demo_options dopt;
	char today[HEARTH_DATE_LEN + 1];
	hearth_vault *v = NULL;
	g_autofree char *vdir = NULL;
	hearth_status st;

	self->demo_dir = g_dir_make_tmp("hearth-demo-XXXXXX", error);
	if (self->demo_dir == NULL)
		return NULL;
	vdir = g_strdup(self->demo_dir);
	st = hearth_vault_create(vdir, DEMO_PASSPHRASE, strlen(DEMO_PASSPHRASE),
				 &opt, code, &v);
	hearth_wipe(code, sizeof code);
	if (st != HEARTH_OK) {
		hearth_gui_fail(st, error);
		return NULL;
	}
	hearth_gui_today(today);
	hearth_demo_options_init(&dopt);
	dopt.today = today;
	dopt.journal = mode == HEARTH_MODE_JOURNAL;
	if (g_getenv("HEARTH_DEMO_PEOPLE") != NULL)
		dopt.n_people = (int)g_ascii_strtoll(g_getenv("HEARTH_DEMO_PEOPLE"), NULL, 10);
	st = hearth_demo_fill(hearth_vault_store(v), &dopt);
	if (st != HEARTH_OK) {
		hearth_gui_fail(st, error);
		hearth_vault_close(v);
		return NULL;
	}
	return v;
}

static void
hearth_app_activate(GApplication *app)
{
	HearthApp *self = HEARTH_APP(app);
	GtkWindow *win = gtk_application_get_active_window(GTK_APPLICATION(app));
	HearthWindow *hw;
	HearthMode mode = HEARTH_MODE_COUNSELLOR;
	int w = 0, h = 0;

	if (win != NULL) {
		gtk_window_present(win);
		return;
	}
	if (self->demo_mode != NULL && strcmp(self->demo_mode, "journal") == 0)
		mode = HEARTH_MODE_JOURNAL;
	if (self->demo) {
		g_autoptr(GError) error = NULL;
		hearth_vault *v = make_demo_vault(self, mode, &error);

		if (v == NULL) {
			g_printerr("hearth-gtk: cannot make the demo vault: %s\n",
				   error->message);
			g_application_quit(app);
			return;
		}
		hw = hearth_window_new(GTK_APPLICATION(app),
				       hearth_app_get_vault_dir(self));
		/* Mapped first, as after an unlock: a leaflet filled while its
		 * window was never shown fails on its first push
		 * (libadwaita 1.2). */
		gtk_window_present(GTK_WINDOW(hw));
		hearth_window_take_vault(hw, v, mode);
		hearth_window_set_unlock_hint(hw,
			_("This is the demo vault. Its passphrase is “demo”."));
	} else {
		hw = hearth_window_new(GTK_APPLICATION(app),
				       hearth_app_get_vault_dir(self));
	}
	if (self->size != NULL && sscanf(self->size, "%dx%d", &w, &h) == 2 &&
	    w > 0 && h > 0) {
		gtk_window_unmaximize(GTK_WINDOW(hw));
		hearth_screenshot_set_content_size(GTK_WINDOW(hw), w, h);
	}
	if (self->page != NULL && !hearth_window_show_view(hw, self->page))
		g_printerr("hearth-gtk: no page '%s'\n", self->page);
	gtk_window_present(GTK_WINDOW(hw));
	if (self->screenshot != NULL)
		hearth_screenshot_schedule(GTK_WIDGET(hw), self->screenshot, TRUE);
}

static gint
hearth_app_handle_local_options(GApplication *app, GVariantDict *options)
{
	HearthApp *self = HEARTH_APP(app);

	if (g_variant_dict_contains(options, "version")) {
		g_print("hearth-gtk %s\n", HEARTH_VERSION);
		return 0;
	}
	g_variant_dict_lookup(options, "vault", "^ay", &self->vault_dir);
	g_variant_dict_lookup(options, "demo-mode", "s", &self->demo_mode);
	g_variant_dict_lookup(options, "screenshot", "^ay", &self->screenshot);
	g_variant_dict_lookup(options, "page", "s", &self->page);
	g_variant_dict_lookup(options, "size", "s", &self->size);
	self->demo = g_variant_dict_contains(options, "demo");
	if (self->demo_mode != NULL && strcmp(self->demo_mode, "journal") != 0 &&
	    strcmp(self->demo_mode, "counsellor") != 0) {
		g_printerr(_("hearth-gtk: --demo-mode takes counsellor or journal\n"));
		return 2;
	}
	return -1;
}

void
hearth_app_show_preferences(HearthApp *self, GtkWindow *parent)
{
	HearthPreferences *prefs = hearth_preferences_new(self->settings,
		parent && HEARTH_IS_WINDOW(parent) ? HEARTH_WINDOW(parent) : NULL);

	gtk_window_present(GTK_WINDOW(prefs));
}

static void
action_preferences(GSimpleAction *a, GVariant *p, gpointer data)
{
	HearthApp *self = data;

	hearth_app_show_preferences(self,
		gtk_application_get_active_window(GTK_APPLICATION(self)));
}

static void
action_about(GSimpleAction *a, GVariant *p, gpointer data)
{
	HearthApp *self = data;
	GtkWindow *parent = gtk_application_get_active_window(GTK_APPLICATION(self));
	static const char *developers[] = { "Hearth contributors", NULL };

	adw_show_about_window(parent,
		"application-name", _("Hearth"),
		"application-icon", "cn.hearth.Hearth",
		"version", HEARTH_VERSION,
		"comments", _("Private, offline records for workplace counselling services"),
		"developers", developers,
		"license-type", GTK_LICENSE_GPL_3_0,
		"translator-credits", _("translator-credits"),
		NULL);
}

static void
action_quit(GSimpleAction *a, GVariant *p, gpointer data)
{
	GList *wins = gtk_application_get_windows(GTK_APPLICATION(data));

	for (GList *l = wins; l != NULL;) {
		GList *next = l->next;

		gtk_window_close(GTK_WINDOW(l->data));
		l = next;
	}
}

static void
action_help_lines(GSimpleAction *a, GVariant *p, gpointer data)
{
	GtkWindow *win = gtk_application_get_active_window(GTK_APPLICATION(data));

	if (win != NULL && HEARTH_IS_WINDOW(win))
		hearth_window_show_help_lines(HEARTH_WINDOW(win));
}

static void
on_screensaver(GObject *obj, GParamSpec *pspec, gpointer data)
{
	gboolean active = FALSE;

	g_object_get(obj, "screensaver-active", &active, NULL);
	if (!active)
		return;
	for (GList *l = gtk_application_get_windows(GTK_APPLICATION(obj)); l; l = l->next)
		if (HEARTH_IS_WINDOW(l->data))
			hearth_window_lock(HEARTH_WINDOW(l->data));
}

/* SIGINT (Ctrl+C in the terminal that started the app) and SIGTERM quit
 * the application the normal way, so shutdown still removes a --demo
 * vault instead of leaving it in the temporary directory. */
static gboolean
on_quit_signal(gpointer data)
{
	g_application_quit(G_APPLICATION(data));
	return G_SOURCE_CONTINUE;
}

static void
hearth_app_startup(GApplication *app)
{
	HearthApp *self = HEARTH_APP(app);
	static const GActionEntry entries[] = {
		{ "preferences", action_preferences, NULL, NULL, NULL, {0} },
		{ "about", action_about, NULL, NULL, NULL, {0} },
		{ "quit", action_quit, NULL, NULL, NULL, {0} },
		{ "help-lines", action_help_lines, NULL, NULL, NULL, {0} },
	};
	static const char *quit_accels[] = { "<Control>q", NULL };
	static const char *prefs_accels[] = { "<Control>comma", NULL };
	static const char *help_accels[] = { "F1", NULL };

	G_APPLICATION_CLASS(hearth_app_parent_class)->startup(app);
	g_action_map_add_action_entries(G_ACTION_MAP(app), entries,
					G_N_ELEMENTS(entries), self);
	gtk_application_set_accels_for_action(GTK_APPLICATION(app), "app.quit", quit_accels);
	gtk_application_set_accels_for_action(GTK_APPLICATION(app), "app.preferences", prefs_accels);
	gtk_application_set_accels_for_action(GTK_APPLICATION(app), "app.help-lines", help_accels);
	g_signal_connect(app, "notify::screensaver-active",
			 G_CALLBACK(on_screensaver), NULL);
	g_unix_signal_add(SIGINT, on_quit_signal, app);
	g_unix_signal_add(SIGTERM, on_quit_signal, app);
}

static void
hearth_app_shutdown(GApplication *app)
{
	HearthApp *self = HEARTH_APP(app);

	G_APPLICATION_CLASS(hearth_app_parent_class)->shutdown(app);
	if (self->demo_dir != NULL)
		remove_tree(self->demo_dir);
}

static void
hearth_app_finalize(GObject *object)
{
	HearthApp *self = HEARTH_APP(object);

	g_clear_object(&self->settings);
	g_free(self->vault_dir);
	g_free(self->demo_dir);
	g_free(self->demo_mode);
	g_free(self->screenshot);
	g_free(self->page);
	g_free(self->size);
	G_OBJECT_CLASS(hearth_app_parent_class)->finalize(object);
}

static void
hearth_app_class_init(HearthAppClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GApplicationClass *app_class = G_APPLICATION_CLASS(klass);

	object_class->finalize = hearth_app_finalize;
	/* The resources live in a static library: naming them here links
	 * them in (their constructor registers them). */
	(void)hearth_get_resource();
	app_class->activate = hearth_app_activate;
	app_class->startup = hearth_app_startup;
	app_class->shutdown = hearth_app_shutdown;
	app_class->handle_local_options = hearth_app_handle_local_options;
}

static void
hearth_app_init(HearthApp *self)
{
	const GOptionEntry options[] = {
		{ "vault", 0, 0, G_OPTION_ARG_FILENAME, NULL,
		  N_("The vault directory"), N_("DIR") },
		{ "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
		  N_("Open a throw-away vault filled with fictional data"), NULL },
		{ "demo-mode", 0, 0, G_OPTION_ARG_STRING, NULL,
		  N_("The mode of the demo vault: counsellor or journal"), N_("MODE") },
		{ "screenshot", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, NULL,
		  "Render the window to a PNG file and quit", "FILE" },
		{ "page", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, NULL,
		  "The view to show first", "NAME" },
		{ "size", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, NULL,
		  "The window size", "WxH" },
		{ "version", 0, 0, G_OPTION_ARG_NONE, NULL,
		  N_("Print the version and exit"), NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};

	g_application_add_main_option_entries(G_APPLICATION(self), options);
	self->settings = hearth_app_settings_new();
}

HearthApp *
hearth_app_new(void)
{
	/* Not unique: a vault is opened by one process at a time anyway (the
	 * second gets HEARTH_EBUSY), and test and demo runs need no bus. */
	return g_object_new(HEARTH_TYPE_APP,
			    "application-id", "cn.hearth.Hearth",
			    "flags", G_APPLICATION_NON_UNIQUE,
			    "register-session", TRUE,
			    NULL);
}
