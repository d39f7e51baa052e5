/*
 * gui-gtk/hearth-person-editor.h - a modal window to add a person or edit
 * one's name, work unit, phone and tags.
 */
#ifndef HEARTH_PERSON_EDITOR_H
#define HEARTH_PERSON_EDITOR_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_PERSON_EDITOR (hearth_person_editor_get_type())
G_DECLARE_FINAL_TYPE(HearthPersonEditor, hearth_person_editor, HEARTH,
		     PERSON_EDITOR, AdwWindow)

/* Opens the editor over win (and its session: win must be unlocked) for
 * person id, or for a new person when id is NULL.  Saving calls
 * hearth_person_add or hearth_person_update.  Returns the window (owned by
 * GTK). */
HearthPersonEditor *hearth_person_editor_present(HearthWindow *win,
						 const hearth_id *id);

G_END_DECLS

#endif /* HEARTH_PERSON_EDITOR_H */
