/*
 * gui-gtk/hearth-result-page.h - a screening's result: the crisis card
 * first when the safety rule fired, then the score, the band, what it
 * means in plain words (never a diagnosis) and the suggested next step.
 */
#ifndef HEARTH_RESULT_PAGE_H
#define HEARTH_RESULT_PAGE_H

#include "hearth/journal.h"
#include "hearth/screening.h"
#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_RESULT_PAGE (hearth_result_page_get_type())
G_DECLARE_FINAL_TYPE(HearthResultPage, hearth_result_page, HEARTH,
		     RESULT_PAGE, AdwBin)

/* A counsellor's saved screening of person.  inst's ownership moves to the
 * page (the score's texts are borrowed from it).  A safety result whose
 * action is pending says so on its crisis card, with a button that
 * records it, until it is recorded. */
HearthResultPage *hearth_result_page_new_counsellor(HearthWindow *win,
	HearthSession *session, hearth_instrument *inst, const hearth_screening_result *res,
	const hearth_id *person);

/* An employee's self-screening. */
HearthResultPage *hearth_result_page_new_journal(HearthWindow *win,
	hearth_instrument *inst, const hearth_journal_screened *out);

G_END_DECLS

#endif /* HEARTH_RESULT_PAGE_H */
