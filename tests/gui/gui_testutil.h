/*
 * tests/gui/gui_testutil.h - what the GUI tests (test_gui, test_gui_width,
 * test_session) and the GUI benchmark (tests/bench/bench_gui.c) share:
 * finding widgets as a user finds them (by name, by label, by type),
 * waiting as a user waits (until a widget is shown, laid out and no longer
 * sliding in with its page), clicking and typing, and making vaults and
 * windows with a cheap key derivation.
 *
 * Widgets are found by their names (gtk_widget_set_name / "name" in the
 * .ui files).  Every wait gives up after a minute with the name it waited
 * for, and fails the test.
 */
#ifndef HEARTH_GUI_TESTUTIL_H
#define HEARTH_GUI_TESTUTIL_H

#include "hearth-window.h"

/* ---- finding ------------------------------------------------------------- */

/* The first widget under root (root included) that match accepts, depth
 * first in child order; NULL if none. */
GtkWidget *first_under(GtkWidget *root,
		       gboolean (*match)(GtkWidget *w, gconstpointer what),
		       gconstpointer what);

/* The first widget under root called name, of type type, or a button
 * labelled label (a dialog's response, "_Record Action"). */
GtkWidget *find_in(GtkWidget *root, const char *name);
GtkWidget *find_type(GtkWidget *root, GType type);
GtkWidget *find_button(GtkWidget *root, const char *label);

/* A widget called name in any visible toplevel window, or NULL. */
GtkWidget *find(const char *name);

/* Does any label or preferences row under root show text (exactly)? */
gboolean shows_text(GtkWidget *root, const char *text);

/* ---- waiting ------------------------------------------------------------- */

/* One turn of the main loop: dispatches what is ready, or else sleeps
 * until something is (a few milliseconds at most), where a bare
 * g_main_context_iteration(NULL, FALSE) in a loop would spin a core. */
void turn(void);

/* Runs the main loop for ms milliseconds. */
void spin(guint ms);

/* Is w still sliding in or out with its leaflet page? */
gboolean sliding(GtkWidget *w);

/* Runs the main loop until a widget called name (wait_for), or a button
 * labelled label (wait_for_button), exists in a visible window, is mapped,
 * has stopped sliding and has been given its place; returns it. */
GtkWidget *wait_for(const char *name);
GtkWidget *wait_for_button(const char *label);

/* Runs the main loop until no widget is called name (a page popped leaves
 * the window once its transition ends). */
void wait_gone(const char *name);

/* Runs the main loop until the pages of win stop moving. */
void settle(HearthWindow *win);

/* ---- acting -------------------------------------------------------------- */

/* Waits for the button called name, checks that it can be clicked, clicks
 * it and lets the app react. */
void click(const char *name);

/* Waits for the entry called name and sets its text. */
void type(const char *name, const char *text);

/* Destroys every visible window but win (dialogs and editors over it). */
void close_others(HearthWindow *win);

/* Removes the directory path and everything below it. */
void remove_tree(const char *path);

/* ---- vaults and windows -------------------------------------------------- */

/* The passphrase of the vaults below. */
#define GUI_TEST_PASSPHRASE "pass"

/* Creates a vault in dir with the cheapest key derivation the core allows
 * (no window: the vault is handed to one with show_vault). */
hearth_vault *new_vault(const char *dir);

/* A w x h window over the open vault v (which it takes), showing mode's
 * views once they have settled. */
HearthWindow *show_vault(const char *dir, hearth_vault *v, HearthMode mode,
			 int w, int h);

/* Creates a vault through the create page, as a user does (passphrase,
 * recovery code, mode_button), and returns its window. */
HearthWindow *create_vault(const char *dir, const char *mode_button);

/* A demo vault (counsellor or journal, 12 people) in dir, filled once;
 * later calls open it again.  Returns a w x h window showing it. */
HearthWindow *open_demo(const char *dir, gboolean journal, int w, int h);

/* Switches the tests' language (LANGUAGE, the locale, the catalogue):
 * "en" or "zh_CN". */
void set_language(const char *lang);

#endif
