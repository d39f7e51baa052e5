/*
 * gui-gtk/hearth-setup-page.h - first run: create the vault (passphrase
 * twice with a strength hint), show the recovery code once, choose the
 * mode.  Emits "created" (vault, mode) with the open vault, whose ownership
 * moves to the handler.
 */
#ifndef HEARTH_SETUP_PAGE_H
#define HEARTH_SETUP_PAGE_H

#include "hearth-gui.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_SETUP_PAGE (hearth_setup_page_get_type())
G_DECLARE_FINAL_TYPE(HearthSetupPage, hearth_setup_page, HEARTH, SETUP_PAGE,
		     AdwBin)

void hearth_setup_page_set_dir(HearthSetupPage *self, const char *dir);

/* A strength hint for a passphrase: 0 too short, 1 weak, 2 fair, 3 strong;
 * *hint gets a translated sentence (static). */
int hearth_passphrase_strength(const char *pass, const char **hint);

G_END_DECLS

#endif /* HEARTH_SETUP_PAGE_H */
