/*
 * gui-gtk/hearth-checkin-page.h - a mood check-in in two taps (one tap saves, with undo), an
 * optional note, self-screenings, and the latest entries.
 */
#ifndef HEARTH_CHECKIN_PAGE_H
#define HEARTH_CHECKIN_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_CHECKIN_PAGE (hearth_checkin_page_get_type())
G_DECLARE_FINAL_TYPE(HearthCheckinPage, hearth_checkin_page, HEARTH, CHECKIN_PAGE, AdwBin)

HearthCheckinPage *hearth_checkin_page_new(HearthWindow *win,
					 HearthSession *session);

G_END_DECLS

#endif /* HEARTH_CHECKIN_PAGE_H */
