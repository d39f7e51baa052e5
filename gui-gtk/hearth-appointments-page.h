/*
 * gui-gtk/hearth-appointments-page.h - the agenda: a day or a week of
 * appointments grouped by day, with booking, and each appointment's
 * actions (held, no-show, move, cancel one or the rest of a series).
 */
#ifndef HEARTH_APPOINTMENTS_PAGE_H
#define HEARTH_APPOINTMENTS_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_APPOINTMENTS_PAGE (hearth_appointments_page_get_type())
G_DECLARE_FINAL_TYPE(HearthAppointmentsPage, hearth_appointments_page,
		     HEARTH, APPOINTMENTS_PAGE, AdwBin)

HearthAppointmentsPage *hearth_appointments_page_new(HearthWindow *win,
					 HearthSession *session);
void hearth_appointments_page_reload(HearthAppointmentsPage *self);

G_END_DECLS

#endif /* HEARTH_APPOINTMENTS_PAGE_H */
