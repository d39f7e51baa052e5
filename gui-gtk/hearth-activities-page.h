/*
 * gui-gtk/hearth-activities-page.h - hotline calls, call-backs, group
 * sessions, lectures and outreach: a quick log and the recent list,
 * filtered by type.
 */
#ifndef HEARTH_ACTIVITIES_PAGE_H
#define HEARTH_ACTIVITIES_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_ACTIVITIES_PAGE (hearth_activities_page_get_type())
G_DECLARE_FINAL_TYPE(HearthActivitiesPage, hearth_activities_page, HEARTH,
		     ACTIVITIES_PAGE, AdwBin)

HearthActivitiesPage *hearth_activities_page_new(HearthWindow *win,
						  HearthSession *session);

/* Pushes the quick-log form for an activity type ("hotline", ...). */
void hearth_activity_log_ask(HearthWindow *win, const char *type);

G_END_DECLS

#endif /* HEARTH_ACTIVITIES_PAGE_H */
