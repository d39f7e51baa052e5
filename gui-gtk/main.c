/*
 * gui-gtk/main.c - hearth-gtk's entry point: locale and translations, then
 * the application.
 */
#include <locale.h>
#include <string.h>

#include "hearth-app.h"
#include "hearth/crypto.h"

/* The catalogue directory: $HEARTH_LOCALEDIR, the build tree's catalogue
 * when running uninstalled, else the installed one. */
static const char *
locale_dir(void)
{
	const char *env = g_getenv("HEARTH_LOCALEDIR");
	g_autofree char *built = NULL;

	if (env != NULL && *env)
		return env;
	built = g_build_filename(HEARTH_GUI_LOCALEDIR, "zh_CN", "LC_MESSAGES",
				 "hearth.mo", NULL);
	if (g_file_test(built, G_FILE_TEST_EXISTS))
		return HEARTH_GUI_LOCALEDIR;
	return HEARTH_LOCALEDIR;
}

int
main(int argc, char **argv)
{
	g_autoptr(HearthApp) app = NULL;
	g_autoptr(GSettings) settings = NULL;

	/* First, before any passphrase or key is in memory: no core dumps
	 * (a failure, which should not happen, is only reported). */
	if (hearth_process_harden() != HEARTH_OK)
		g_printerr("hearth-gtk: %s\n", hearth_errdetail());

	/* The language setting, read before anything is translated.  An empty
	 * value follows the locale. */
	settings = hearth_app_settings_new();
	if (settings != NULL) {
		g_autofree char *lang = g_settings_get_string(settings, "language");

		if (*lang)
			g_setenv("LANGUAGE", lang, TRUE);
	}
	setlocale(LC_ALL, "");
	bindtextdomain(GETTEXT_PACKAGE, locale_dir());
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);

	app = hearth_app_new();
	return g_application_run(G_APPLICATION(app), argc, argv);
}
