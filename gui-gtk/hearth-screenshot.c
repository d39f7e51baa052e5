/*
 * gui-gtk/hearth-screenshot.c - window to PNG.
 */
#include "hearth-screenshot.h"

gboolean
hearth_screenshot_save(GtkWidget *widget, const char *path, GError **error)
{
	g_autoptr(GdkPaintable) paintable = NULL;
	g_autoptr(GdkTexture) texture = NULL;
	GtkSnapshot *snapshot;
	GskRenderNode *node;
	GskRenderer *renderer;
	GtkNative *native;
	int w = gtk_widget_get_width(widget);
	int h = gtk_widget_get_height(widget);

	native = gtk_widget_get_native(widget);
	if (native == NULL || w <= 0 || h <= 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "the window has not been drawn yet");
		return FALSE;
	}
	paintable = gtk_widget_paintable_new(widget);
	snapshot = gtk_snapshot_new();
	gdk_paintable_snapshot(paintable, snapshot, w, h);
	node = gtk_snapshot_free_to_node(snapshot);
	if (node == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "the window drew nothing");
		return FALSE;
	}
	renderer = gtk_native_get_renderer(native);
	texture = gsk_renderer_render_texture(renderer, node,
					      &GRAPHENE_RECT_INIT(0, 0, w, h));
	gsk_render_node_unref(node);
	if (!gdk_texture_save_to_png(texture, path)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "cannot write '%s'", path);
		return FALSE;
	}
	return TRUE;
}

typedef struct {
	GtkWidget *widget;
	char *path;
	gboolean quit;
} Pending;

static gboolean
take(gpointer data)
{
	Pending *p = data;
	g_autoptr(GError) error = NULL;

	if (!hearth_screenshot_save(p->widget, p->path, &error))
		g_printerr("hearth-gtk: screenshot: %s\n", error->message);
	if (p->quit) {
		GtkApplication *app = GTK_IS_WINDOW(p->widget)
			? gtk_window_get_application(GTK_WINDOW(p->widget)) : NULL;

		if (app != NULL)
			g_application_quit(G_APPLICATION(app));
	}
	g_object_unref(p->widget);
	g_free(p->path);
	g_free(p);
	return G_SOURCE_REMOVE;
}

void
hearth_screenshot_schedule(GtkWidget *widget, const char *path, gboolean quit)
{
	Pending *p = g_new0(Pending, 1);
	const char *delay = g_getenv("HEARTH_SCREENSHOT_DELAY_MS");

	p->widget = g_object_ref(widget);
	p->path = g_strdup(path);
	p->quit = quit;
	/* Long enough for the first layout, list models and transitions. */
	g_timeout_add(delay ? (guint)g_ascii_strtoull(delay, NULL, 10) : 1500,
		      take, p);
}
