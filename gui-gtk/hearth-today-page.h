/*
 * gui-gtk/hearth-today-page.h - the counsellor's day: safety alerts at the
 * top, today's appointments, follow-ups overdue and due today (the core
 * orders them, priority first), sessions still missing a note.
 */
#ifndef HEARTH_TODAY_PAGE_H
#define HEARTH_TODAY_PAGE_H

#include "hearth-counsellor-view.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_TODAY_PAGE (hearth_today_page_get_type())
G_DECLARE_FINAL_TYPE(HearthTodayPage, hearth_today_page, HEARTH, TODAY_PAGE,
		     AdwBin)

HearthTodayPage *hearth_today_page_new(HearthWindow *win,
				       HearthSession *session,
				       HearthCounsellorView *view);

void hearth_today_page_reload(HearthTodayPage *self);

G_END_DECLS

#endif /* HEARTH_TODAY_PAGE_H */
