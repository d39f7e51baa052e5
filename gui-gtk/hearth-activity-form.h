/*
 * gui-gtk/hearth-activity-form.h - the quick log of an activity, as a page
 * pushed over the views (a phone shows it full screen, with Cancel and Log
 * in its header).
 *
 * A hotline call, call-back or outreach may name the person (a picker over
 * the People list, with search) or stay anonymous.  A call logged as high
 * risk first opens the crisis dialog, which records the action taken (it
 * becomes the activity's outcome); with a person named, the core's safety
 * rule then adds a same-day safety follow-up, which Today shows at the
 * top.  Without one, the form warns before logging that no follow-up can
 * be attached, and the toast says so again.
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

/* The form's person picker (NULL for groups and lectures), and its risk
 * choice (0 not assessed, 1 low, 2 moderate, 3 high), for tests and
 * keyboard users. */
HearthPersonPicker *hearth_activity_form_get_picker(HearthActivityForm *self);
void hearth_activity_form_set_risk(HearthActivityForm *self, guint level);

/* Logs it, as the Log button does. */
void hearth_activity_form_save(HearthActivityForm *self);

G_END_DECLS

#endif /* HEARTH_ACTIVITY_FORM_H */
