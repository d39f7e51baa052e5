/*
 * gui-gtk/hearth-screenshot.h - renders a window to a PNG through its own
 * GSK renderer (a debug aid for tests/gui/screenshots.sh; more reliable
 * than grabbing the X screen).
 */
#ifndef HEARTH_SCREENSHOT_H
#define HEARTH_SCREENSHOT_H

#include "hearth-gui.h"

G_BEGIN_DECLS

/* Renders widget (realized, with a size) into a PNG at path. */
gboolean hearth_screenshot_save(GtkWidget *widget, const char *path,
				GError **error);

/* Once widget has been drawn and the app has been idle for a moment,
 * saves it to path; then, if quit, closes the application. */
void hearth_screenshot_schedule(GtkWidget *widget, const char *path,
				gboolean quit);

G_END_DECLS

#endif /* HEARTH_SCREENSHOT_H */
