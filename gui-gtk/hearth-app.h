/*
 * gui-gtk/hearth-app.h - the application: command-line options, settings,
 * the idle and session lock, app-wide actions.
 */
#ifndef HEARTH_APP_H
#define HEARTH_APP_H

#include "hearth-gui.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_APP (hearth_app_get_type())
G_DECLARE_FINAL_TYPE(HearthApp, hearth_app, HEARTH, APP, AdwApplication)

/* A new application with the id cn.hearth.Hearth. */
HearthApp *hearth_app_new(void);

/* The app's GSettings (borrowed). */
GSettings *hearth_app_get_settings(HearthApp *self);

/* Opens the GSettings of schema cn.hearth.Hearth: the installed schema, or
 * the one compiled into the build tree when running uninstalled.  NULL (and
 * a warning) when neither exists. */
GSettings *hearth_app_settings_new(void);

/* TRUE when the vault should be created with cheap Argon2id parameters:
 * the --demo vault and test runs ($HEARTH_TEST_WEAK_KDF=1).  self may be
 * NULL (a window outside the application, in tests). */
gboolean hearth_app_weak_kdf(HearthApp *self);

/* The vault directory to use: --vault, the vault-dir setting,
 * $HEARTH_VAULT, then $XDG_DATA_HOME/hearth.  Borrowed. */
const char *hearth_app_get_vault_dir(HearthApp *self);

/* Opens the preferences window over parent. */
void hearth_app_show_preferences(HearthApp *self, GtkWindow *parent);

G_END_DECLS

#endif /* HEARTH_APP_H */
