/*
 * gui-gtk/hearth-session.h - one unlocked vault as the app sees it: the
 * vault and its store, the list models pages share, and one change signal
 * per record kind.
 *
 * The window makes a session when a vault is unlocked and closes it when
 * it locks; pages and dialogs get the session when they are made and read
 * and write through it.  A page that writes tells the session what kinds
 * of record its core call changed (hearth_session_changed); every page
 * showing those kinds reloads.
 *
 * Signals (no arguments), one per record kind: "people-changed",
 * "followups-changed", "appointments-changed", "notes-changed",
 * "activities-changed", "screenings-changed", "settings-changed",
 * "journal-changed".
 */
#ifndef HEARTH_SESSION_H
#define HEARTH_SESSION_H

#include "hearth-gui.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_SESSION (hearth_session_get_type())
G_DECLARE_FINAL_TYPE(HearthSession, hearth_session, HEARTH, SESSION, GObject)

/* The kinds of record a write changed, or a page shows. */
typedef enum {
	HEARTH_CHANGE_PEOPLE = 1 << 0,
	HEARTH_CHANGE_FOLLOWUPS = 1 << 1,
	HEARTH_CHANGE_APPOINTMENTS = 1 << 2,
	HEARTH_CHANGE_NOTES = 1 << 3,
	HEARTH_CHANGE_ACTIVITIES = 1 << 4,
	HEARTH_CHANGE_SCREENINGS = 1 << 5,
	HEARTH_CHANGE_SETTINGS = 1 << 6,
	HEARTH_CHANGE_JOURNAL = 1 << 7,
	/* Everything a counsellor's case pages show. */
	HEARTH_CHANGE_CASEWORK = HEARTH_CHANGE_PEOPLE | HEARTH_CHANGE_FOLLOWUPS |
		HEARTH_CHANGE_APPOINTMENTS | HEARTH_CHANGE_NOTES |
		HEARTH_CHANGE_ACTIVITIES | HEARTH_CHANGE_SCREENINGS,
} HearthChange;

/* A session over an open vault (ownership moves to the session). */
HearthSession *hearth_session_new(hearth_vault *vault);

/* Closes the vault (wiping its keys) and empties the shared models.  A
 * page or dialog still holding the session finds no store afterwards.
 * Safe to call twice. */
void hearth_session_close(HearthSession *self);

/* The open vault (borrowed), or NULL once closed. */
hearth_vault *hearth_session_get_vault(HearthSession *self);

/* The store (borrowed), or NULL once closed, for what the user asked for:
 * a save, a dialog, the help lines.  A sync running is stopped first and
 * its worker joined, so that nothing the user does is dropped while a
 * sync runs; "sync-finished" then tells the pages, from the main loop. */
hearth_store *hearth_session_get_store(HearthSession *self);

/* The store for a page refreshing on its own: NULL also while a sync runs
 * (the store is its worker's then; every page reads again when it
 * ends). */
hearth_store *hearth_session_peek_store(HearthSession *self);

/* Says that a write changed the kinds in what: emits their signals. */
void hearth_session_changed(HearthSession *self, HearthChange what);

/* Calls reload(owner) when any kind in what changes, once per
 * hearth_session_changed call however many of those kinds it names (a
 * saved screening changes screenings, follow-ups and people: Today
 * reloads once).  Disconnected when owner is disposed. */
void hearth_session_watch(HearthSession *self, HearthChange what,
			  gpointer owner, GCallback reload);

/* Every person, a GListModel of HearthPersonItem, newest first
 * (borrowed), shared by the People list and the person pickers.  It is
 * read when first asked for and again, when asked, after people changed:
 * call hearth_session_people_refresh first. */
GListModel *hearth_session_get_people(HearthSession *self);

/* Reads the people model if people changed since it was last read (or it
 * never was).  HEARTH_OK, or the core's status (the model is left as it
 * was). */
hearth_status hearth_session_people_refresh(HearthSession *self);

/* Starts syncing every team space through url (NULL or "": the relay
 * remembered) and pin (NULL or "": the remembered one when url is the
 * remembered relay).  HEARTH_ESTATE when a sync already runs or the
 * vault is closed; the core's status when it cannot start. */
hearth_status hearth_session_sync_start(HearthSession *self, const char *url,
					const char *pin);

/* Asks the running sync to stop at its next request; it still ends
 * with "sync-finished" (HEARTH_ECANCELED). */
void hearth_session_sync_cancel(HearthSession *self);

/* Whether a sync runs now. */
gboolean hearth_session_syncing(HearthSession *self);

G_END_DECLS

#endif /* HEARTH_SESSION_H */
