/*
 * gui-gtk/hearth-qr.c - see hearth-qr.h.  libqrencode makes the modules;
 * this only paints them into an 8-bit grey image.
 */
#include "hearth-qr.h"

#include <qrencode.h>
#include <string.h>

#define QUIET 4 /* modules of light margin on each side */

GdkTexture *
hearth_qr_texture(const char *text, int max_px)
{
	QRcode *q;
	g_autoptr(GBytes) bytes = NULL;
	guint8 *px;
	gsize side, stride;
	int w, module_px;

	if (text == NULL)
		return NULL;
	q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (q == NULL)
		return NULL;
	w = q->width;
	/* Two pixels a module at the least: a camera reads no finer. */
	module_px = CLAMP(max_px / (w + 2 * QUIET), 2, 8);
	side = (gsize)(w + 2 * QUIET) * (gsize)module_px;
	/* Three bytes a pixel (GTK 4.8 has no one-channel format), each row
	 * padded to 4 bytes as GdkMemoryTexture prefers. */
	stride = (3 * side + 3) & ~(gsize)3;
	px = g_malloc(stride * side);
	memset(px, 0xff, stride * side);
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++) {
			if (!(q->data[y * w + x] & 1))
				continue;
			for (int dy = 0; dy < module_px; dy++) {
				guint8 *row = px + ((gsize)(y + QUIET) * module_px + dy) * stride;

				memset(row + 3 * (gsize)(x + QUIET) * module_px, 0,
				       3 * (gsize)module_px);
			}
		}
	QRcode_free(q);
	bytes = g_bytes_new_take(px, stride * side);
	return gdk_memory_texture_new((int)side, (int)side, GDK_MEMORY_R8G8B8, bytes, stride);
}
