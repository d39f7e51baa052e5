/*
 * gui-gtk/hearth-trends-page.h - mood and self-screening scores over time, drawn with
 * cairo; days without an entry stay gaps, and there are no streaks.
 */
#ifndef HEARTH_TRENDS_PAGE_H
#define HEARTH_TRENDS_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_TRENDS_PAGE (hearth_trends_page_get_type())
G_DECLARE_FINAL_TYPE(HearthTrendsPage, hearth_trends_page, HEARTH, TRENDS_PAGE, AdwBin)

HearthTrendsPage *hearth_trends_page_new(HearthWindow *win,
					 HearthSession *session);

G_END_DECLS

#endif /* HEARTH_TRENDS_PAGE_H */
