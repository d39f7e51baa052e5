/*
 * gui-gtk/hearth-people-page.h - the searchable list of people (a
 * GtkListView over a filtered model, smooth with ten thousand people) and,
 * on a wide window, the chosen person's page beside it.
 */
#ifndef HEARTH_PEOPLE_PAGE_H
#define HEARTH_PEOPLE_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_PEOPLE_PAGE (hearth_people_page_get_type())
G_DECLARE_FINAL_TYPE(HearthPeoplePage, hearth_people_page, HEARTH,
		     PEOPLE_PAGE, AdwBin)

HearthPeoplePage *hearth_people_page_new(HearthWindow *win,
					 HearthSession *session);

/* Reloads the list from the store. */
void hearth_people_page_reload(HearthPeoplePage *self);

/* The first person in the list; FALSE when there is none. */
gboolean hearth_people_page_first(HearthPeoplePage *self, hearth_id *out);

/* The number of people shown (after the search filter). */
guint hearth_people_page_count(HearthPeoplePage *self);

/* Every person: the session's model (hearth_session_get_people), read
 * now if the page has not been shown yet.  Borrowed. */
GListModel *hearth_people_page_get_model(HearthPeoplePage *self);

/* Opens a person: beside the list on a wide window, as a pushed page on a
 * narrow one. */
void hearth_people_page_open(HearthPeoplePage *self, const hearth_id *id);

G_END_DECLS

#endif /* HEARTH_PEOPLE_PAGE_H */
