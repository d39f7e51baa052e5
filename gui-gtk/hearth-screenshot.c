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

/* The content size asked of a window by hearth_screenshot_set_content_size. */
typedef struct {
	int width, height;
	guint ticks;
} ContentSize;

static gboolean
content_fits(GtkWidget *widget)
{
	ContentSize *want = g_object_get_data(G_OBJECT(widget), "hearth-content-size");

	return want == NULL || (gtk_widget_get_width(widget) == want->width &&
				gtk_widget_get_height(widget) == want->height);
}

static gboolean
fit_content(GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
	ContentSize *want = data;
	GdkSurface *surface = gtk_native_get_surface(GTK_NATIVE(widget));
	int w = gtk_widget_get_width(widget), h = gtk_widget_get_height(widget);

	if (content_fits(widget) || ++want->ticks > 600)
		return G_SOURCE_REMOVE;
	if (surface == NULL || w <= 0 || h <= 0)
		return G_SOURCE_CONTINUE;
	/* The surface is the content and the margin around it. */
	gtk_window_set_default_size(GTK_WINDOW(widget),
		want->width + gdk_surface_get_width(surface) - w,
		want->height + gdk_surface_get_height(surface) - h);
	return G_SOURCE_CONTINUE;
}

void
hearth_screenshot_set_content_size(GtkWindow *win, int width, int height)
{
	ContentSize *want = g_new0(ContentSize, 1);

	want->width = width;
	want->height = height;
	g_object_set_data_full(G_OBJECT(win), "hearth-content-size", want, g_free);
	gtk_window_set_default_size(win, width, height);
	gtk_widget_add_tick_callback(GTK_WIDGET(win), fit_content, want, NULL);
}

typedef struct {
	GtkWidget *widget;
	char *path;
	gboolean quit;
	guint retries;
} Pending;

static gboolean
take(gpointer data)
{
	Pending *p = data;
	g_autoptr(GError) error = NULL;

	/* Not before the window has the content size asked for, while it
	 * can get it (a loaded machine may be slow to resize; a page too
	 * wide for that size never fits, and is shot as it is). */
	if (!content_fits(p->widget) && p->retries++ < 50) {
		g_timeout_add(200, take, p);
		return G_SOURCE_REMOVE;
	}
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
