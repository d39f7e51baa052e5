/*
 * gui-gtk/hearth-overview-page.h - the Overview view (团队概况, UX.md's
 * Lead's view), shown only to a lead of a team space: the team's pending
 * safety follow-ups, its people at high risk, those nobody follows yet
 * (each assigned from its menu to a member, by the name the member gave),
 * and what each counsellor carries.  Everything comes from
 * hearth_team_overview_get; the one write is hearth_person_set_counsellor.
 */
#ifndef HEARTH_OVERVIEW_PAGE_H
#define HEARTH_OVERVIEW_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_OVERVIEW_PAGE (hearth_overview_page_get_type())
G_DECLARE_FINAL_TYPE(HearthOverviewPage, hearth_overview_page, HEARTH, OVERVIEW_PAGE, AdwBin)

HearthOverviewPage *hearth_overview_page_new(HearthWindow *win, HearthSession *session);
/* stack_page: the view's page in the view switcher, shown while this
 * vault leads a team space (may be NULL); the page loads then. */
void hearth_overview_page_set_stack_page(HearthOverviewPage *self,
					 AdwViewStackPage *stack_page);

G_END_DECLS

#endif /* HEARTH_OVERVIEW_PAGE_H */
