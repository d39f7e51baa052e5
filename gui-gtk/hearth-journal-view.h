/*
 * gui-gtk/hearth-journal-view.h - the employee's root page: Check-in,
 * Trends, Exercises and Help, with the help lines one tap away in the
 * header on every view.
 */
#ifndef HEARTH_JOURNAL_VIEW_H
#define HEARTH_JOURNAL_VIEW_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_JOURNAL_VIEW (hearth_journal_view_get_type())
G_DECLARE_FINAL_TYPE(HearthJournalView, hearth_journal_view, HEARTH,
		     JOURNAL_VIEW, AdwBin)

HearthJournalView *hearth_journal_view_new(HearthWindow *win,
					   HearthSession *session);

/* Shows "checkin", "trends", "exercises" or "help"; "screening" pushes a
 * PHQ-9 self-screening.  FALSE for an unknown name. */
gboolean hearth_journal_view_show(HearthJournalView *self, const char *name);

G_END_DECLS

#endif /* HEARTH_JOURNAL_VIEW_H */
