/*
 * gui-gtk/hearth-team-page.h - the team spaces this vault belongs to: for
 * each, its current members (name, role, devices), this vault's own name
 * there and, for a lead, removing one behind a confirmation; then this device's fingerprint and the person's
 * linked devices.  Everything shown comes from the core's listings
 * (hearth_space_members_each, hearth_devices_each); the writes are the
 * core's verbs (hearth_space_name_set, hearth_space_remove, ...).
 */
#ifndef HEARTH_TEAM_PAGE_H
#define HEARTH_TEAM_PAGE_H

#include "hearth-window.h"
#include "hearth/spaces.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_TEAM_PAGE (hearth_team_page_get_type())
G_DECLARE_FINAL_TYPE(HearthTeamPage, hearth_team_page, HEARTH, TEAM_PAGE, AdwBin)

HearthTeamPage *hearth_team_page_new(HearthWindow *win, HearthSession *session);

/* When a member's newest change was written (ms since the epoch, 0:
 * none held), in words, as of now (seconds since the epoch). */
char *hearth_team_change_words(guint64 ms, gint64 now);

/* A member's row title: the name they gave ("Li Ming", this vault's own
 * "Li Ming (You)"), else the first groups of their fingerprint ("Member
 * 12345 67890"; "You"). */
char *hearth_team_member_title(const hearth_space_member_info *m);

G_END_DECLS

#endif /* HEARTH_TEAM_PAGE_H */
