/*
 * gui-gtk/hearth-person-page.h - one person: case state, the actions a
 * counsellor takes (screen, book, note, follow-up), and one timeline of
 * screenings, appointments, notes, follow-ups and activities by month.
 */
#ifndef HEARTH_PERSON_PAGE_H
#define HEARTH_PERSON_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_PERSON_PAGE (hearth_person_page_get_type())
G_DECLARE_FINAL_TYPE(HearthPersonPage, hearth_person_page, HEARTH,
		     PERSON_PAGE, AdwBin)

/* A page for person id; with_header gives it its own header bar with a
 * back button (when pushed on a narrow window). */
HearthPersonPage *hearth_person_page_new(HearthWindow *win,
					 HearthSession *session,
					 const hearth_id *id,
					 gboolean with_header);

void hearth_person_page_reload(HearthPersonPage *self);

G_END_DECLS

#endif /* HEARTH_PERSON_PAGE_H */
