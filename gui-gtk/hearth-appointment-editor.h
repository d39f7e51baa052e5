/*
 * gui-gtk/hearth-appointment-editor.h - book a session or a weekly or
 * fortnightly series.  Conflicts found by the core are shown inside the
 * window, naming each clashing date, before anything is written; the
 * counsellor may then book anyway.
 */
#ifndef HEARTH_APPOINTMENT_EDITOR_H
#define HEARTH_APPOINTMENT_EDITOR_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_APPOINTMENT_EDITOR (hearth_appointment_editor_get_type())
G_DECLARE_FINAL_TYPE(HearthAppointmentEditor, hearth_appointment_editor,
		     HEARTH, APPOINTMENT_EDITOR, AdwWindow)

/* Opens the editor for person (NULL: choose one in the window). */
HearthAppointmentEditor *hearth_appointment_editor_present(HearthWindow *win,
							   const hearth_id *person);

G_END_DECLS

#endif /* HEARTH_APPOINTMENT_EDITOR_H */
