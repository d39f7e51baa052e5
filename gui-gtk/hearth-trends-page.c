/*
 * gui-gtk/hearth-trends-page.c - trends of mood and self-screenings.
 */
#include "hearth-trends-page.h"

#include "hearth/journal.h"
#include "hearth-chart.h"

struct _HearthTrendsPage {
	AdwBin parent_instance;

	/* Template widgets */
	GtkBox *content;

	/* Owned */
	HearthSession *session;

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthTrendsPage, hearth_trends_page, ADW_TYPE_BIN)

/* Adds a chart of a trend.  Moods are laid out one slot per day from the
 * first to the last entry, so a day without one is a gap in the line. */
static gboolean
add_trend(HearthTrendsPage *self, const char *instrument, const char *title)
{
	hearth_store *s = hearth_session_peek_store(self->session);
	hearth_trend *t = NULL;
	g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) values = g_array_new(FALSE, FALSE, sizeof(double));
	GtkWidget *chart, *group;
	gboolean daily = instrument == NULL;

	if (hearth_journal_trend(s, instrument, &t) != HEARTH_OK) {
		hearth_errdetail_clear();
		return FALSE;
	}
	if (t->n == 0) {
		hearth_trend_free(t);
		return FALSE;
	}
	if (daily) {
		int32_t first, last, d;

		if (hearth_date_parse(t->points[0].date, &first) != HEARTH_OK ||
		    hearth_date_parse(t->points[t->n - 1].date, &last) != HEARTH_OK) {
			hearth_trend_free(t);
			return FALSE;
		}
		for (d = first; d <= last; d++) {
			char date[HEARTH_DATE_LEN + 1];
			double v = t->min - 1;   /* a gap */

			hearth_date_format(d, date);
			/* The last entry of a day counts. */
			for (size_t i = 0; i < t->n; i++)
				if (strcmp(t->points[i].date, date) == 0)
					v = t->points[i].value;
			g_ptr_array_add(labels, g_strdup(date + 5));
			g_array_append_val(values, v);
		}
	} else {
		for (size_t i = 0; i < t->n; i++) {
			double v = t->points[i].value;

			g_ptr_array_add(labels, g_strdup(t->points[i].date + 5));
			g_array_append_val(values, v);
		}
	}
	group = adw_preferences_group_new();
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), title);
	chart = GTK_WIDGET(hearth_chart_new(HEARTH_CHART_LINE));
	hearth_chart_set_range(HEARTH_CHART(chart), t->min, t->max);
	hearth_chart_set_data(HEARTH_CHART(chart), (const char *const *)labels->pdata,
			      (const double *)(void *)values->data, values->len);
	gtk_widget_add_css_class(chart, "card");
	{
		/* The latest value for screen readers. */
		g_autofree char *acc = g_strdup_printf(_("%s: latest %d, on %s"), title,
			t->points[t->n - 1].value, t->points[t->n - 1].date);

		gtk_accessible_update_property(GTK_ACCESSIBLE(chart),
			GTK_ACCESSIBLE_PROPERTY_LABEL, acc, -1);
	}
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), chart);
	gtk_box_append(self->content, group);
	hearth_trend_free(t);
	return TRUE;
}

static void
reload(HearthTrendsPage *self)
{
	gboolean any = FALSE;

	if (hearth_session_peek_store(self->session) == NULL)
		return;
	hearth_gui_box_clear(GTK_WIDGET(self->content));
	any |= add_trend(self, NULL, _("Mood (1 very low – 5 very good)"));
	any |= add_trend(self, "phq9", _("PHQ-9 (lower is better)"));
	any |= add_trend(self, "gad7", _("GAD-7 (lower is better)"));
	any |= add_trend(self, "who5", _("WHO-5 (higher is better)"));
	if (!any) {
		GtkWidget *empty = adw_status_page_new();

		adw_status_page_set_icon_name(ADW_STATUS_PAGE(empty),
					      "hearth-trends-symbolic");
		adw_status_page_set_title(ADW_STATUS_PAGE(empty), _("No Trends Yet"));
		adw_status_page_set_description(ADW_STATUS_PAGE(empty),
			_("Check in on the first page; your entries will show here."));
		gtk_box_append(self->content, empty);
	}
}

static void
hearth_trends_page_dispose(GObject *object)
{
	HearthTrendsPage *self = HEARTH_TRENDS_PAGE(object);

	G_OBJECT_CLASS(hearth_trends_page_parent_class)->dispose(object);
	g_clear_object(&self->session);
}

static void
hearth_trends_page_class_init(HearthTrendsPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_trends_page_dispose;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-trends-page.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthTrendsPage, content);
}

static void
hearth_trends_page_init(HearthTrendsPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

HearthTrendsPage *
hearth_trends_page_new(HearthWindow *win, HearthSession *session)
{
	HearthTrendsPage *self = g_object_new(HEARTH_TYPE_TRENDS_PAGE, NULL);

	self->win = win;
	self->session = g_object_ref(session);
	hearth_session_watch(session, HEARTH_CHANGE_JOURNAL, self,
			     G_CALLBACK(reload));
	reload(self);
	return self;
}
