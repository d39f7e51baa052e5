/*
 * gui-gtk/hearth-counsellor-view.h - the counsellor's root page: a header
 * bar with the view switcher (it moves to a bottom bar when the window is
 * narrow) over Today, People, Appointments, Activities and Reports.
 */
#ifndef HEARTH_COUNSELLOR_VIEW_H
#define HEARTH_COUNSELLOR_VIEW_H

#include "hearth-people-page.h"
#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_COUNSELLOR_VIEW (hearth_counsellor_view_get_type())
G_DECLARE_FINAL_TYPE(HearthCounsellorView, hearth_counsellor_view, HEARTH,
		     COUNSELLOR_VIEW, AdwBin)

/* The views over session's data, in win. */
HearthCounsellorView *hearth_counsellor_view_new(HearthWindow *win,
						 HearthSession *session);

/* Shows a view: "today", "people", "appointments", "activities",
 * "reports"; or pushes a page: "followups", "notes", "person" (the first
 * person), "screening" (PHQ-9 for the first person), "activity-log" (the
 * quick log of a hotline call), "activity-group" (that of a group
 * session).  FALSE for an unknown name. */
gboolean hearth_counsellor_view_show(HearthCounsellorView *self,
				     const char *name);

/* Sets the badge of Today (overdue follow-ups). */
void hearth_counsellor_view_set_badge(HearthCounsellorView *self, guint n);

G_END_DECLS

#endif /* HEARTH_COUNSELLOR_VIEW_H */
