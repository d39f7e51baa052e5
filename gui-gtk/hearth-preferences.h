/*
 * gui-gtk/hearth-preferences.h - preferences: language and auto-lock (this
 * device's GSettings), help lines, the crisis supervisor and the PHQ-9
 * cut-off (the vault's settings, through hearth/settings.h).
 */
#ifndef HEARTH_PREFERENCES_H
#define HEARTH_PREFERENCES_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_PREFERENCES (hearth_preferences_get_type())
G_DECLARE_FINAL_TYPE(HearthPreferences, hearth_preferences, HEARTH,
		     PREFERENCES, AdwPreferencesWindow)

/* settings: the app's GSettings (may be NULL); win: the main window, whose
 * open vault's settings are shown (locked: those rows are insensitive). */
HearthPreferences *hearth_preferences_new(GSettings *settings,
					  HearthWindow *win);

G_END_DECLS

#endif /* HEARTH_PREFERENCES_H */
