/*
 * gui-gtk/hearth-crisis.h - the crisis card: the core's fixed steps and the
 * vault's help lines, as a card on a page and as a dialog that asks for
 * the action taken.
 */
#ifndef HEARTH_CRISIS_H
#define HEARTH_CRISIS_H

#include "hearth-window.h"

G_BEGIN_DECLS

/* Called with the action taken (never empty), once. */
typedef void (*HearthCrisisDone)(const char *action, gpointer data);

/* Opens the crisis dialog over win for a record saved already whose
 * action is recorded by done (a high-risk hotline call, through
 * hearth_activity_record_action).  It has one response, "Record", that
 * stays insensitive until an action is chosen, and Escape or the window
 * manager cannot close it before.  done runs once the action is recorded;
 * data is unreffed (as a GObject) afterwards if it is one. */
GtkWidget *hearth_crisis_ask(HearthWindow *win, HearthCrisisDone done,
			     gpointer data);

/* Opens the crisis dialog for a safety-flagged screening that is already
 * saved with its action pending (or presents the one open for it).
 * "Record Action" records it through hearth_screening_record_action;
 * "Record Later" closes it.  Closing or losing it (a lock) loses nothing:
 * the pending action stays at the top of Today and of the person's page,
 * and the dialog opens again after an unlock. */
GtkWidget *hearth_crisis_ask_pending(HearthWindow *win,
				     const hearth_pending_action *p);

/* "Safety action not recorded — NAME, PHQ-9, DATE", newly allocated. */
char *hearth_pending_action_text(const hearth_pending_action *p);

/* A row for a pending action with a button that opens the crisis dialog
 * to record it (Today, the person's page). */
GtkWidget *hearth_pending_action_row_new(HearthWindow *win,
					 const hearth_pending_action *p);

/* A card with the crisis title, steps and the help lines of win (NULL:
 * the default lines), for a result page. */
GtkWidget *hearth_crisis_card_new(HearthWindow *win, gboolean with_steps);

/* A boxed list of the help lines (hearth_window_helplines) with their
 * hours and the day each was last verified, a call link and a copy
 * button per line. */
GtkWidget *hearth_helplines_list_new(HearthWindow *win);

/* "Verified on 2026-03-02", or "Not verified" for "" (newly allocated). */
char *hearth_helpline_verified_text(const char *verified);

/* The names of the help lines not verified within
 * HEARTH_HELPLINE_STALE_DAYS, joined with ", " (newly allocated), or NULL
 * when every line is fresh. */
char *hearth_helplines_stale_names(HearthWindow *win);

G_END_DECLS

#endif /* HEARTH_CRISIS_H */
