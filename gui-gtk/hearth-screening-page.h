/*
 * gui-gtk/hearth-screening-page.h - the screening wizard: one question per
 * page with large answer rows, a progress bar and "n/N" in the title, the
 * PHQ-9 difficulty question as a last optional page, a review page with a
 * Change button per answer, then the result.
 *
 * Used for a counsellor's screening of a person, and (person NULL) for an
 * employee's private self-screening in journal mode.  Scoring and saving
 * are the core's (hearth_screening_save, hearth_journal_screen).
 */
#ifndef HEARTH_SCREENING_PAGE_H
#define HEARTH_SCREENING_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_SCREENING_PAGE (hearth_screening_page_get_type())
G_DECLARE_FINAL_TYPE(HearthScreeningPage, hearth_screening_page, HEARTH,
		     SCREENING_PAGE, AdwBin)

/* Loads instrument and pushes the wizard for person (NULL: a journal
 * self-screening).  When the window holds an unfinished screening (its
 * draft) of the same instrument and person, that one is shown again, at
 * the step it was left; a draft of another asks first whether to resume
 * it or discard it (and returns the draft).  Shows a toast and returns
 * NULL when the instrument cannot be loaded. */
HearthScreeningPage *hearth_screening_page_start(HearthWindow *win,
						 const hearth_id *person,
						 const char *instrument);

/* For tests and keyboard users: picks the answer with value on the current
 * question (FALSE if there is none), and goes to the next step. */
gboolean hearth_screening_page_answer(HearthScreeningPage *self, int value);
void hearth_screening_page_next(HearthScreeningPage *self);

/* The current step: 0-based question index; the number of questions on
 * the difficulty question (a counsellor's PHQ-9: optional, recorded, not
 * scored); the review step after it (or after the questions, when there is
 * no difficulty question). */
guint hearth_screening_page_step(HearthScreeningPage *self);

G_END_DECLS

#endif /* HEARTH_SCREENING_PAGE_H */
