/*
 * gui-gtk/hearth-crisis.h - the crisis card: the core's fixed steps and the
 * vault's help lines, as a card on a page and as a dialog that cannot be
 * dismissed until the action taken is recorded.
 */
#ifndef HEARTH_CRISIS_H
#define HEARTH_CRISIS_H

#include "hearth-window.h"

G_BEGIN_DECLS

/* Called with the action taken (never empty), once. */
typedef void (*HearthCrisisDone)(const char *action, gpointer data);

/* Opens the crisis dialog over win.  It has one response, "Record", that
 * stays insensitive until an action is chosen, and Escape or the window
 * manager cannot close it before.  done runs once the action is recorded;
 * data is unreffed (as a GObject) afterwards if it is one. */
GtkWidget *hearth_crisis_ask(HearthWindow *win, HearthCrisisDone done,
			     gpointer data);

/* A card with the crisis title, steps and the help lines (store NULL: the
 * default lines), for a result page or the Help view. */
GtkWidget *hearth_crisis_card_new(hearth_store *store, gboolean with_steps);

/* A boxed list of the help lines with a call link and a copy button per
 * line. */
GtkWidget *hearth_helplines_list_new(hearth_store *store);

G_END_DECLS

#endif /* HEARTH_CRISIS_H */
