/*
 * gui-gtk/hearth-person-picker.h - a button that opens a searchable list of
 * people (the People view's model: a GtkListView, so ten thousand names
 * scroll smoothly) and remembers the one chosen.  Used where a form may
 * name a person but need not (a hotline call can be anonymous).
 */
#ifndef HEARTH_PERSON_PICKER_H
#define HEARTH_PERSON_PICKER_H

#include "hearth-gui.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_PERSON_PICKER (hearth_person_picker_get_type())
G_DECLARE_FINAL_TYPE(HearthPersonPicker, hearth_person_picker, HEARTH,
		     PERSON_PICKER, AdwBin)

/* A picker over people, a GListModel of HearthPersonItem (borrowed: the
 * picker keeps a reference).  Nobody is chosen at first. */
HearthPersonPicker *hearth_person_picker_new(GListModel *people);

/* The person chosen: TRUE and *out filled, or FALSE for nobody. */
gboolean hearth_person_picker_get_person(HearthPersonPicker *self,
					 hearth_id *out);

/* The chosen person's display name, or NULL for nobody.  Borrowed. */
const char *hearth_person_picker_get_name(HearthPersonPicker *self);

/* Chooses a person (id NULL: nobody).  Emits "changed". */
void hearth_person_picker_set_person(HearthPersonPicker *self,
				     const hearth_id *id, const char *name);

/* Chooses the person at position of the list as it shows now (after the
 * search), as a click on that row does.  FALSE if there is none.  For
 * keyboard users' tests. */
gboolean hearth_person_picker_choose(HearthPersonPicker *self, guint position);

/* Opens the list (as a click on the button does). */
void hearth_person_picker_popup(HearthPersonPicker *self);

G_END_DECLS

#endif /* HEARTH_PERSON_PICKER_H */
