/*
 * gui-gtk/hearth-help-page.h - the help lines, with calm words; also a window of its own
 * for the lock page and the counsellor's menu.
 */
#ifndef HEARTH_HELP_PAGE_H
#define HEARTH_HELP_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_HELP_PAGE (hearth_help_page_get_type())
G_DECLARE_FINAL_TYPE(HearthHelpPage, hearth_help_page, HEARTH, HELP_PAGE, AdwBin)

/* The help lines of win, shown again when session's settings change. */
HearthHelpPage *hearth_help_page_new(HearthWindow *win, HearthSession *session);

/* A window showing the help lines over parent.  With a HearthWindow as
 * parent they are its help lines (hearth_window_helplines): the vault's,
 * and while it is locked (session NULL) the ones last read from it, or the
 * defaults before the first unlock.  Other parents get the defaults. */
GtkWidget *hearth_help_dialog_new(GtkWindow *parent, HearthSession *session);

G_END_DECLS

#endif /* HEARTH_HELP_PAGE_H */
