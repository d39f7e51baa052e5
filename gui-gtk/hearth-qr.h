/*
 * gui-gtk/hearth-qr.h - a QR code of a short text, as a texture the app
 * shows in a GtkPicture (an invitation, a join request), for a phone's
 * camera to read where typing the text would be slow.
 */
#ifndef HEARTH_QR_H
#define HEARTH_QR_H

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The QR code of text (byte mode, error correction M), dark on light
 * with the standard 4-module quiet zone, each module as many whole pixels
 * (at most 8) as keep the side within max_px, and at least 2; NULL when
 * libqrencode cannot encode it (too long).  The caller owns it. */
GdkTexture *hearth_qr_texture(const char *text, int max_px);

G_END_DECLS

#endif /* HEARTH_QR_H */
