/*
 * gui-gtk/hearth-chart.c - bars and lines with cairo.
 */
#include "hearth-chart.h"

#include <math.h>

struct _HearthChart {
	GtkDrawingArea parent_instance;

	/* Owned */
	HearthChartKind kind;
	GPtrArray *labels;
	GArray *values;
	double min, max;
	int hover;          /* index of the bar or point under the pointer */
};

G_DEFINE_FINAL_TYPE(HearthChart, hearth_chart, GTK_TYPE_DRAWING_AREA)

#define PAD_LEFT 8.0
#define PAD_BOTTOM 28.0
#define PAD_TOP 22.0

static void
color(GtkWidget *w, const char *name, GdkRGBA *out, const GdkRGBA *fallback)
{
	GtkStyleContext *ctx = gtk_widget_get_style_context(w);

	G_GNUC_BEGIN_IGNORE_DEPRECATIONS
	if (!gtk_style_context_lookup_color(ctx, name, out))
		*out = *fallback;
	G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
text(cairo_t *cr, GtkWidget *w, const char *s, double x, double y,
     double max_width, gboolean small)
{
	PangoLayout *layout = gtk_widget_create_pango_layout(w, s);
	int tw, th;

	if (small) {
		PangoAttrList *attrs = pango_attr_list_new();

		pango_attr_list_insert(attrs, pango_attr_scale_new(0.8));
		pango_layout_set_attributes(layout, attrs);
		pango_attr_list_unref(attrs);
	}
	if (max_width > 0) {
		pango_layout_set_width(layout, (int)(max_width * PANGO_SCALE));
		pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
		pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER);
	}
	pango_layout_get_pixel_size(layout, &tw, &th);
	cairo_move_to(cr, max_width > 0 ? x - max_width / 2 : x - tw / 2.0, y);
	pango_cairo_show_layout(cr, layout);
	g_object_unref(layout);
}

static double
range_max(HearthChart *self)
{
	double m = self->max;

	if (m <= self->min) {
		m = self->min + 1;
		for (guint i = 0; i < self->values->len; i++)
			m = MAX(m, g_array_index(self->values, double, i));
	}
	return m;
}

static void
draw(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
	HearthChart *self = HEARTH_CHART(area);
	GtkWidget *w = GTK_WIDGET(area);
	guint n = self->values->len;
	GdkRGBA fg, accent, grid;
	GdkRGBA fb_accent = { 0.21, 0.52, 0.89, 1 };
	double lo = self->min, hi = range_max(self);
	double plot_h = height - PAD_BOTTOM - PAD_TOP;
	double slot;
	static const double dash[] = { 4.0, 4.0 };

	G_GNUC_BEGIN_IGNORE_DEPRECATIONS
	gtk_style_context_get_color(gtk_widget_get_style_context(w), &fg);
	G_GNUC_END_IGNORE_DEPRECATIONS
	color(w, "accent_bg_color", &accent, &fb_accent);
	grid = fg;
	grid.alpha = 0.25;
	if (n == 0 || plot_h <= 10)
		return;
	slot = (width - PAD_LEFT * 2) / n;

	/* A dashed base line and top line. */
	gdk_cairo_set_source_rgba(cr, &grid);
	cairo_set_line_width(cr, 1);
	cairo_set_dash(cr, dash, 2, 0);
	cairo_move_to(cr, PAD_LEFT, PAD_TOP + plot_h + 0.5);
	cairo_line_to(cr, width - PAD_LEFT, PAD_TOP + plot_h + 0.5);
	cairo_move_to(cr, PAD_LEFT, PAD_TOP + 0.5);
	cairo_line_to(cr, width - PAD_LEFT, PAD_TOP + 0.5);
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);

	if (self->kind == HEARTH_CHART_BARS) {
		for (guint i = 0; i < n; i++) {
			double v = g_array_index(self->values, double, i);
			double h = hi > lo ? (v - lo) / (hi - lo) * plot_h : 0;
			double x = PAD_LEFT + slot * i + slot * 0.15;
			double bw = slot * 0.7;
			g_autofree char *vs = g_strdup_printf("%.0f", v);

			gdk_cairo_set_source_rgba(cr, &accent);
			if ((int)i == self->hover)
				cairo_set_source_rgba(cr, accent.red, accent.green,
						      accent.blue, 0.7);
			cairo_rectangle(cr, x, PAD_TOP + plot_h - h, bw, h);
			cairo_fill(cr);
			gdk_cairo_set_source_rgba(cr, &fg);
			text(cr, w, vs, x + bw / 2, PAD_TOP + plot_h - h - 18, 0, FALSE);
			text(cr, w, g_ptr_array_index(self->labels, i), x + bw / 2,
			     PAD_TOP + plot_h + 4, slot, TRUE);
		}
		return;
	}

	/* A line with its points; gaps break it. */
	gdk_cairo_set_source_rgba(cr, &accent);
	cairo_set_line_width(cr, 2);
	{
		gboolean pen = FALSE;

		for (guint i = 0; i < n; i++) {
			double v = g_array_index(self->values, double, i);
			double x = PAD_LEFT + slot * (i + 0.5);
			double y;

			if (v < lo) {
				if (pen)
					cairo_stroke(cr);
				pen = FALSE;
				continue;
			}
			y = PAD_TOP + plot_h - (v - lo) / (hi - lo) * plot_h;
			if (pen)
				cairo_line_to(cr, x, y);
			else
				cairo_move_to(cr, x, y);
			pen = TRUE;
		}
		if (pen)
			cairo_stroke(cr);
	}
	for (guint i = 0; i < n; i++) {
		double v = g_array_index(self->values, double, i);
		double x = PAD_LEFT + slot * (i + 0.5);
		double y;

		if (v < lo)
			continue;
		y = PAD_TOP + plot_h - (v - lo) / (hi - lo) * plot_h;
		gdk_cairo_set_source_rgba(cr, &accent);
		cairo_arc(cr, x, y, (int)i == self->hover ? 6 : 4, 0, 2 * G_PI);
		cairo_fill(cr);
		if ((int)i == self->hover || n <= 12) {
			g_autofree char *vs = g_strdup_printf("%.0f", v);

			gdk_cairo_set_source_rgba(cr, &fg);
			text(cr, w, vs, x, y - 22, 0, TRUE);
		}
	}
	/* First and last labels under the axis. */
	gdk_cairo_set_source_rgba(cr, &fg);
	text(cr, w, g_ptr_array_index(self->labels, 0), PAD_LEFT + slot * 0.5 + 30,
	     PAD_TOP + plot_h + 4, 0, TRUE);
	if (n > 1)
		text(cr, w, g_ptr_array_index(self->labels, n - 1),
		     width - PAD_LEFT - 40, PAD_TOP + plot_h + 4, 0, TRUE);
}

static void
set_hover(HearthChart *self, double x)
{
	int width = gtk_widget_get_width(GTK_WIDGET(self));
	guint n = self->values->len;
	int i;

	if (n == 0)
		return;
	i = (int)((x - PAD_LEFT) / ((width - PAD_LEFT * 2) / n));
	if (i < 0 || i >= (int)n)
		i = -1;
	if (i != self->hover) {
		self->hover = i;
		gtk_widget_queue_draw(GTK_WIDGET(self));
	}
}

static void
on_motion(GtkEventControllerMotion *c, double x, double y, gpointer data)
{
	set_hover(HEARTH_CHART(data), x);
}

static void
on_leave(GtkEventControllerMotion *c, gpointer data)
{
	HEARTH_CHART(data)->hover = -1;
	gtk_widget_queue_draw(GTK_WIDGET(data));
}

static void
on_tap(GtkGestureClick *g, int n, double x, double y, gpointer data)
{
	set_hover(HEARTH_CHART(data), x);
}

static void
on_style(AdwStyleManager *m, GParamSpec *pspec, gpointer data)
{
	gtk_widget_queue_draw(GTK_WIDGET(data));
}

void
hearth_chart_set_data(HearthChart *self, const char *const *labels,
		      const double *values, guint n)
{
	g_ptr_array_set_size(self->labels, 0);
	g_array_set_size(self->values, 0);
	for (guint i = 0; i < n; i++) {
		g_ptr_array_add(self->labels, g_strdup(labels[i]));
		g_array_append_val(self->values, values[i]);
	}
	self->hover = -1;
	gtk_widget_queue_draw(GTK_WIDGET(self));
}

void
hearth_chart_set_range(HearthChart *self, double min, double max)
{
	self->min = min;
	self->max = max;
	gtk_widget_queue_draw(GTK_WIDGET(self));
}

static void
hearth_chart_dispose(GObject *object)
{
	g_signal_handlers_disconnect_by_data(adw_style_manager_get_default(), object);
	G_OBJECT_CLASS(hearth_chart_parent_class)->dispose(object);
}

static void
hearth_chart_finalize(GObject *object)
{
	HearthChart *self = HEARTH_CHART(object);

	g_ptr_array_unref(self->labels);
	g_array_unref(self->values);
	G_OBJECT_CLASS(hearth_chart_parent_class)->finalize(object);
}

static void
hearth_chart_class_init(HearthChartClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = hearth_chart_dispose;
	G_OBJECT_CLASS(klass)->finalize = hearth_chart_finalize;
	gtk_widget_class_set_css_name(GTK_WIDGET_CLASS(klass), "chart");
	gtk_widget_class_set_accessible_role(GTK_WIDGET_CLASS(klass),
					     GTK_ACCESSIBLE_ROLE_IMG);
}

static void
hearth_chart_init(HearthChart *self)
{
	GtkEventController *motion = gtk_event_controller_motion_new();
	GtkGesture *click = gtk_gesture_click_new();
	AdwStyleManager *sm = adw_style_manager_get_default();

	self->labels = g_ptr_array_new_with_free_func(g_free);
	self->values = g_array_new(FALSE, FALSE, sizeof(double));
	self->hover = -1;
	gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(self), draw, NULL, NULL);
	gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(self), 220);
	g_signal_connect(motion, "motion", G_CALLBACK(on_motion), self);
	g_signal_connect(motion, "leave", G_CALLBACK(on_leave), self);
	gtk_widget_add_controller(GTK_WIDGET(self), motion);
	gtk_gesture_single_set_touch_only(GTK_GESTURE_SINGLE(click), TRUE);
	g_signal_connect(click, "pressed", G_CALLBACK(on_tap), self);
	gtk_widget_add_controller(GTK_WIDGET(self), GTK_EVENT_CONTROLLER(click));
	g_signal_connect(sm, "notify::dark", G_CALLBACK(on_style), self);
	g_signal_connect(sm, "notify::high-contrast", G_CALLBACK(on_style), self);
}

HearthChart *
hearth_chart_new(HearthChartKind kind)
{
	HearthChart *self = g_object_new(HEARTH_TYPE_CHART, NULL);

	self->kind = kind;
	return self;
}
