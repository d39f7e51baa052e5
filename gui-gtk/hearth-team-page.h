/*
 * gui-gtk/hearth-team-page.h - the team spaces this vault belongs to: for
 * each, its current members (role, devices) and, for a lead, removing one
 * behind a confirmation; then this device's fingerprint and the person's
 * linked devices.  Everything shown comes from the core's listings
 * (hearth_space_members_each, hearth_devices_each) and the one write is
 * hearth_space_remove.
 */
#ifndef HEARTH_TEAM_PAGE_H
#define HEARTH_TEAM_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_TEAM_PAGE (hearth_team_page_get_type())
G_DECLARE_FINAL_TYPE(HearthTeamPage, hearth_team_page, HEARTH, TEAM_PAGE, AdwBin)

HearthTeamPage *hearth_team_page_new(HearthWindow *win, HearthSession *session);

/* When a member's newest change was written (ms since the epoch, 0:
 * none held), in words, as of now (seconds since the epoch). */
char *hearth_team_change_words(guint64 ms, gint64 now);

G_END_DECLS

#endif /* HEARTH_TEAM_PAGE_H */
