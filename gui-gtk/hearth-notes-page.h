/*
 * gui-gtk/hearth-notes-page.h - session notes: the held sessions still
 * missing a note (write one from there), then the notes written, newest
 * first; each opens to read and amend.
 */
#ifndef HEARTH_NOTES_PAGE_H
#define HEARTH_NOTES_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_NOTES_PAGE (hearth_notes_page_get_type())
G_DECLARE_FINAL_TYPE(HearthNotesPage, hearth_notes_page, HEARTH, NOTES_PAGE,
		     AdwBin)

/* Notes of person, or of everyone when person is NULL. */
HearthNotesPage *hearth_notes_page_new(HearthWindow *win,
				       HearthSession *session,
				       const hearth_id *person);

G_END_DECLS

#endif /* HEARTH_NOTES_PAGE_H */
