/*
 * gui-gtk/hearth-followups-page.h - every pending follow-up, overdue first
 * (the core's order: priority, then lateness), then today's, then those to
 * come; each can be done with an outcome or marked not reached.
 */
#ifndef HEARTH_FOLLOWUPS_PAGE_H
#define HEARTH_FOLLOWUPS_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_FOLLOWUPS_PAGE (hearth_followups_page_get_type())
G_DECLARE_FINAL_TYPE(HearthFollowupsPage, hearth_followups_page, HEARTH,
		     FOLLOWUPS_PAGE, AdwBin)

HearthFollowupsPage *hearth_followups_page_new(HearthWindow *win,
					 HearthSession *session);

G_END_DECLS

#endif /* HEARTH_FOLLOWUPS_PAGE_H */
