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

/* Opens the editor over win for person id, or for a new person when id is
 * NULL.  Returns the window (owned by GTK). */
HearthPersonEditor *hearth_person_editor_present(HearthWindow *win,
						 const hearth_id *id);

/* Writes a person in one transaction: a new record when id is NULL (its id
 * to *out), else the given one.  Empty values clear a field; tags are
 * comma-separated text. */
hearth_status hearth_person_write(hearth_store *s, const hearth_id *id,
				  const char *name, const char *unit,
				  const char *phone, const char *tags,
				  hearth_id *out);

G_END_DECLS

#endif /* HEARTH_PERSON_EDITOR_H */
