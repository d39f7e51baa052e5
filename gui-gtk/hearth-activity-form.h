/*
 * gui-gtk/hearth-activity-form.h - the quick log of an activity, as a page
 * pushed over the views (a phone shows it full screen, with Cancel and Log
 * in its header).
 *
 * Any activity may name one person (a picker over the session's people,
 * with search) or stay anonymous, and may give a risk, as the core takes
 * them: a group session names a participant only when it raised a concern
 * about them.  An activity logged as high risk is saved first (with a
 * person named, the core's safety rule adds a same-day safety follow-up,
 * which Today shows at the top), then the crisis dialog asks for the
 * action taken.  Without a person, the form warns before logging that no
 * follow-up can be attached, and the toast says so again.
 */
#ifndef HEARTH_ACTIVITY_FORM_H
#define HEARTH_ACTIVITY_FORM_H

#include "hearth-person-picker.h"
#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_ACTIVITY_FORM (hearth_activity_form_get_type())
G_DECLARE_FINAL_TYPE(HearthActivityForm, hearth_activity_form, HEARTH,
		     ACTIVITY_FORM, AdwBin)

/* Pushes the form for type ("hotline", "callback", "group", "lecture",
 * "outreach"), with person chosen already when non-NULL. */
HearthActivityForm *hearth_activity_form_start(HearthWindow *win,
					       const char *type,
					       const hearth_id *person);

/* The form's person picker, and its risk
 * choice (0 not assessed, 1 low, 2 moderate, 3 high), for tests and
 * keyboard users. */
HearthPersonPicker *hearth_activity_form_get_picker(HearthActivityForm *self);
void hearth_activity_form_set_risk(HearthActivityForm *self, guint level);

/* Logs it, as the Log button does. */
void hearth_activity_form_save(HearthActivityForm *self);

G_END_DECLS

#endif /* HEARTH_ACTIVITY_FORM_H */
