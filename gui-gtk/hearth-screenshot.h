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

/* Sizes win so that its content, not its surface, is width x height, as
 * the screen gives a maximized window on a phone.  Without a window
 * manager (Xvfb) GTK keeps a margin around a window's content for
 * resizing, so a default size of 360 px leaves 350 px to the app; the
 * first frame measures that margin and adds it. */
void hearth_screenshot_set_content_size(GtkWindow *win, int width, int height);

/* Once widget has been drawn and the app has been idle for a moment,
 * saves it to path; then, if quit, closes the application. */
void hearth_screenshot_schedule(GtkWidget *widget, const char *path,
				gboolean quit);

G_END_DECLS

#endif /* HEARTH_SCREENSHOT_H */
