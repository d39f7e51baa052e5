/*
 * gui-gtk/hearth-sync-page.h - syncing through a relay: the relay's
 * address and pin (the vault's settings relay_url and relay_pin, which
 * `hearth sync` uses too), a Sync Now button, progress and Cancel while
 * the session's sync runs, and each space with its last sync in words
 * and its problem, if any.
 */
#ifndef HEARTH_SYNC_PAGE_H
#define HEARTH_SYNC_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_SYNC_PAGE (hearth_sync_page_get_type())
G_DECLARE_FINAL_TYPE(HearthSyncPage, hearth_sync_page, HEARTH, SYNC_PAGE, AdwBin)

HearthSyncPage *hearth_sync_page_new(HearthWindow *win, HearthSession *session);

/* "Synced 5 minutes ago" for a last whole sync at synced_at (unix
 * seconds; 0: never) seen at now.  Free with g_free. */
char *hearth_sync_ago_words(gint64 synced_at, gint64 now);

G_END_DECLS

#endif /* HEARTH_SYNC_PAGE_H */
