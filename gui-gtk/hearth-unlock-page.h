/*
 * gui-gtk/hearth-unlock-page.h - later runs: the passphrase, unlocked in a
 * GTask thread (Argon2id is slow) with a spinner.  Emits "unlocked"
 * (vault) with the open vault, whose ownership moves to the handler.
 */
#ifndef HEARTH_UNLOCK_PAGE_H
#define HEARTH_UNLOCK_PAGE_H

#include "hearth-gui.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_UNLOCK_PAGE (hearth_unlock_page_get_type())
G_DECLARE_FINAL_TYPE(HearthUnlockPage, hearth_unlock_page, HEARTH,
		     UNLOCK_PAGE, AdwBin)

void hearth_unlock_page_set_dir(HearthUnlockPage *self, const char *dir);

/* Clears the entry and errors; shows the help-lines button in journal
 * mode. */
void hearth_unlock_page_reset(HearthUnlockPage *self, HearthMode mode);

/* Shows a hint under the entry (the --demo vault's passphrase). */
void hearth_unlock_page_set_hint(HearthUnlockPage *self, const char *hint);

G_END_DECLS

#endif /* HEARTH_UNLOCK_PAGE_H */
