/*
 * gui-gtk/hearth-reports-page.h - service counts for a week, month or
 * quarter (the core counts them): a bar chart, the same numbers as a list
 * for screen readers, and the CSV export.
 */
#ifndef HEARTH_REPORTS_PAGE_H
#define HEARTH_REPORTS_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_REPORTS_PAGE (hearth_reports_page_get_type())
G_DECLARE_FINAL_TYPE(HearthReportsPage, hearth_reports_page, HEARTH,
		     REPORTS_PAGE, AdwBin)

HearthReportsPage *hearth_reports_page_new(HearthWindow *win,
					    HearthSession *session);

/* Writes the shown report as CSV to path (what Export does after the file
 * chooser); FALSE and a toast on failure. */
gboolean hearth_reports_page_export(HearthReportsPage *self, const char *path);

G_END_DECLS

#endif /* HEARTH_REPORTS_PAGE_H */
