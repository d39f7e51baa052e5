/*
 * gui-gtk/hearth-window.h - the main window: the create/unlock pages, and
 * once the vault is open a navigation stack whose root is the counsellor's
 * or the journal's views.  The window navigates and locks: unlocking makes
 * a HearthSession (the vault, its shared models and change signals) that
 * the views hand to their pages; locking closes it and drops every page.
 */
#ifndef HEARTH_WINDOW_H
#define HEARTH_WINDOW_H

#include "hearth-gui.h"
#include "hearth-session.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_WINDOW (hearth_window_get_type())
G_DECLARE_FINAL_TYPE(HearthWindow, hearth_window, HEARTH, WINDOW,
		     AdwApplicationWindow)

/* A window for the vault in dir: the unlock page if a vault exists there,
 * the create page otherwise. */
HearthWindow *hearth_window_new(GtkApplication *app, const char *dir);

/* Hands an open vault to the window (ownership moves to it: a new session
 * holds it) and shows the views of mode. */
void hearth_window_take_vault(HearthWindow *self, hearth_vault *vault,
			      HearthMode mode);

/* The session of the open vault, or NULL while locked.  Borrowed: a
 * dialog opened over the window takes a reference for its life. */
HearthSession *hearth_window_get_session(HearthWindow *self);
const char *hearth_window_get_dir(HearthWindow *self);
HearthMode hearth_window_get_mode(HearthWindow *self);

/* Closes the session (the vault, wiping its keys), drops every page that
 * showed data and shows the unlock page. */
void hearth_window_lock(HearthWindow *self);

/* Shows a toast with text; toast_action adds a button labelled button
 * that activates action (a detailed action name), or with action NULL
 * emits the toast's "button-clicked" for the caller to connect. */
void hearth_window_toast(HearthWindow *self, const char *text);
AdwToast *hearth_window_toast_action(HearthWindow *self, const char *text,
				     const char *button,
				     const char *action, GVariant *target);

/* Shows a failed operation: a toast in counsellor words. */
void hearth_window_error(HearthWindow *self, const GError *error);
void hearth_window_status(HearthWindow *self, hearth_status st);

/* Pushes page onto the navigation stack and shows it; pop goes back. */
void hearth_window_push(HearthWindow *self, GtkWidget *page);
void hearth_window_pop(HearthWindow *self);

/* A pushed page with levels of its own (the Team page's Invite view)
 * handles "back" itself first: win.back (the Back key, Alt+Left) calls
 * back(page) and pops the page only when it returns FALSE. */
typedef gboolean (*HearthBackFunc)(GtkWidget *page);
void hearth_window_set_back_handler(GtkWidget *page, HearthBackFunc back);

/* The page on top of the navigation stack (borrowed), or NULL. */
GtkWidget *hearth_window_get_top(HearthWindow *self);

/* The root view (HearthCounsellorView or HearthJournalView), or NULL. */
GtkWidget *hearth_window_get_root_view(HearthWindow *self);

/* Resets the idle timer.  Input (keys, pointer, touch, scroll) in any
 * window of the app counts: the main window, its dialogs, the
 * preferences.  A dialog of the app taking the focus is not leaving it
 * for the "when the window is left" lock either. */
void hearth_window_touch(HearthWindow *self);

/* When input was last seen (g_get_monotonic_time()). */
gint64 hearth_window_get_last_input(HearthWindow *self);

/* Locks after seconds without input instead of the preference (0: back
 * to the preference).  For tests, which cannot wait a minute. */
void hearth_window_set_lock_after(HearthWindow *self, guint seconds);

/* The settings to read (auto-lock) for a window that has no HearthApp,
 * as in the tests; a window of the app reads the app's. */
void hearth_window_use_settings(HearthWindow *self, GSettings *settings);

/* The help lines to show: the vault's while it is open; while locked the
 * last ones read from it (public numbers, kept in memory across a lock),
 * or the defaults before the first unlock.  self may be NULL (the
 * defaults).  *out is malloc'd: hearth_helplines_free(). */
hearth_status hearth_window_helplines(HearthWindow *self, hearth_helpline **out,
				      size_t *n);

/* Finds the HearthWindow that holds widget, or NULL. */
HearthWindow *hearth_window_of(GtkWidget *widget);

/* Shows a top-level view by name ("today", "people", ...). */
gboolean hearth_window_show_view(HearthWindow *self, const char *name);

/* A hint under the unlock entry (the --demo vault's passphrase). */
void hearth_window_set_unlock_hint(HearthWindow *self, const char *hint);

/* Shows the help lines: the Help view in journal mode, or a page pushed
 * over whatever shows (the lock page included: help lines need no unlock). */
void hearth_window_show_help_lines(HearthWindow *self);

/* Pushes the Sync page (a relay's address, Sync Now, each space's last
 * sync) over whatever shows; nothing while locked. */
void hearth_window_show_sync(HearthWindow *self);

/* Pushes the page of a person. */
void hearth_window_open_person(HearthWindow *self, const hearth_id *id);

/* Pushes page in place of the page on top (the screening wizard gives way
 * to its result, so Back does not lead into a finished wizard). */
void hearth_window_replace_top(HearthWindow *self, GtkWidget *page);

/* The unfinished screening of this session (a page the window keeps a
 * reference to, so it survives leaving it), or NULL.  Kept in memory
 * only: locking the vault drops it (with a toast saying so), and closing
 * the window with one asks first. */
GtkWidget *hearth_window_get_draft(HearthWindow *self);
/* Sets the draft (NULL: none; the old one is dropped). */
void hearth_window_set_draft(HearthWindow *self, GtkWidget *page);

G_END_DECLS

#endif /* HEARTH_WINDOW_H */
