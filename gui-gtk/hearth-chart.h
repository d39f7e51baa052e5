/*
 * gui-gtk/hearth-chart.h - a small chart drawn with cairo: bars with their
 * values (reports) or dated points joined by lines with gaps left as gaps
 * (trends).  Colours come from the theme, so it reads in light, dark and
 * high contrast; tapping or hovering a bar or point shows its value.
 */
#ifndef HEARTH_CHART_H
#define HEARTH_CHART_H

#include <adwaita.h>

G_BEGIN_DECLS

#define HEARTH_TYPE_CHART (hearth_chart_get_type())
G_DECLARE_FINAL_TYPE(HearthChart, hearth_chart, HEARTH, CHART, GtkDrawingArea)

typedef enum {
	HEARTH_CHART_BARS,
	HEARTH_CHART_LINE,
} HearthChartKind;

HearthChart *hearth_chart_new(HearthChartKind kind);

/* Replaces the data: n labels and values.  For a line, a value below min
 * is a gap (no point, and the line breaks). */
void hearth_chart_set_data(HearthChart *self, const char *const *labels,
			   const double *values, guint n);

/* The value range of the axis (bars: min 0 and max from the data when
 * max <= min). */
void hearth_chart_set_range(HearthChart *self, double min, double max);

G_END_DECLS

#endif /* HEARTH_CHART_H */
