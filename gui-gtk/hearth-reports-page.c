/*
 * gui-gtk/hearth-reports-page.c - reports.
 */
#include "hearth-reports-page.h"

#include "hearth/reports.h"
#include "hearth-chart.h"

struct _HearthReportsPage {
	AdwBin parent_instance;

	/* Template widgets */
	GtkToggleButton *week_toggle;
	GtkToggleButton *month_toggle;
	GtkToggleButton *quarter_toggle;
	GtkButton *prev_button;
	GtkButton *next_button;
	GtkButton *export_button;
	GtkLabel *range_label;
	GtkBox *content;

	/* Owned */
	HearthSession *session;
	int offset;             /* periods back from the current one */
	hearth_report *report;
	GtkFileChooserNative *chooser;

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthReportsPage, hearth_reports_page, ADW_TYPE_BIN)

/* The metrics drawn as bars (the list shows them all). */
static const hearth_metric charted[] = {
	HEARTH_M_HOTLINE, HEARTH_M_CALLBACK, HEARTH_M_ONE_TO_ONE, HEARTH_M_GROUP,
	HEARTH_M_LECTURE, HEARTH_M_SCREENINGS, HEARTH_M_FOLLOWUP_DONE,
	HEARTH_M_PEOPLE,
};

static void
period(HearthReportsPage *self, char from[HEARTH_DATE_LEN + 1],
       char to[HEARTH_DATE_LEN + 1])
{
	char today[HEARTH_DATE_LEN + 1];
	int32_t t, f, e;
	int y, m, d;

	hearth_gui_today(today);
	if (hearth_date_parse(today, &t) != HEARTH_OK)
		t = 0;
	if (gtk_toggle_button_get_active(self->week_toggle)) {
		f = t - (hearth_date_weekday(t) - 1) - 7 * self->offset;
		e = f + 6;
	} else {
		int months = gtk_toggle_button_get_active(self->quarter_toggle) ? 3 : 1;
		int idx;

		hearth_date_to_ymd(t, &y, &m, &d);
		idx = y * 12 + (m - 1);
		if (months == 3)
			idx -= idx % 3;
		idx -= months * self->offset;
		if (hearth_date_from_ymd(idx / 12, idx % 12 + 1, 1, &f) != HEARTH_OK)
			f = t;
		idx += months;
		if (hearth_date_from_ymd(idx / 12, idx % 12 + 1, 1, &e) != HEARTH_OK)
			e = f + 30;
		else
			e -= 1;
	}
	hearth_date_format(f, from);
	hearth_date_format(e, to);
}

static void
reload(HearthReportsPage *self)
{
	hearth_store *s = hearth_session_peek_store(self->session);
	char from[HEARTH_DATE_LEN + 1], to[HEARTH_DATE_LEN + 1], today[HEARTH_DATE_LEN + 1];
	const char *lang = hearth_gui_lang();
	const char *labels[G_N_ELEMENTS(charted)];
	double values[G_N_ELEMENTS(charted)];
	GtkWidget *chart, *group, *box;
	hearth_status st;

	if (s == NULL)
		return;
	period(self, from, to);
	{
		g_autofree char *range = g_strdup_printf("%s – %s", from, to);

		gtk_label_set_text(self->range_label, range);
	}
	hearth_gui_today(today);
	hearth_gui_box_clear(GTK_WIDGET(self->content));
	hearth_report_free(self->report);
	self->report = NULL;
	st = hearth_report_build(s, from, to, HEARTH_REPORT_WHOLE, today, &self->report);
	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS(charted); i++) {
		labels[i] = hearth_metric_label(charted[i], lang);
		values[i] = (double)self->report->whole.m[charted[i]];
	}
	box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 18);
	chart = GTK_WIDGET(hearth_chart_new(HEARTH_CHART_BARS));
	hearth_chart_set_data(HEARTH_CHART(chart), labels, values, G_N_ELEMENTS(charted));
	gtk_widget_set_hexpand(chart, TRUE);
	gtk_widget_add_css_class(chart, "card");
	gtk_accessible_update_property(GTK_ACCESSIBLE(chart),
		GTK_ACCESSIBLE_PROPERTY_LABEL,
		_("Bar chart of the counts listed below"), -1);
	gtk_box_append(GTK_BOX(box), chart);

	group = adw_preferences_group_new();
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), _("Counts"));
	gtk_widget_set_name(group, "report-counts");
	for (int m = 0; m < HEARTH_M_COUNT; m++) {
		GtkWidget *row = adw_action_row_new();
		g_autofree char *v = g_strdup_printf("%" G_GINT64_FORMAT,
						     self->report->whole.m[m]);
		GtkWidget *value = gtk_label_new(v);

		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row),
					      hearth_metric_label((hearth_metric)m, lang));
		gtk_widget_add_css_class(value, "heading");
		gtk_widget_add_css_class(value, "numeric");
		adw_action_row_add_suffix(ADW_ACTION_ROW(row), value);
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
	}
	for (size_t b = 0; b < self->report->whole.n_bands; b++) {
		const hearth_report_band *band = &self->report->whole.bands[b];
		GtkWidget *row = adw_action_row_new();
		g_autofree char *v = g_strdup_printf("%" G_GINT64_FORMAT, band->n);
		GtkWidget *value = gtk_label_new(v);

		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row),
			g_strcmp0(lang, "zh_CN") == 0 ? band->label_zh_CN : band->label_en);
		adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
		adw_action_row_add_suffix(ADW_ACTION_ROW(row), value);
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
	}
	gtk_box_append(GTK_BOX(box), group);
	gtk_box_append(self->content, box);
}

gboolean
hearth_reports_page_export(HearthReportsPage *self, const char *path)
{
	hearth_store *s = hearth_session_get_store(self->session);
	hearth_status st;

	if (s == NULL || self->report == NULL)
		return FALSE;
	st = hearth_report_export_csv(s, self->report, hearth_gui_lang(), path);
	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return FALSE;
	}
	{
		g_autofree char *base = g_path_get_basename(path);
		/* Translators: %s is the file name. */
		g_autofree char *t = g_strdup_printf(_("Report saved as %s"), base);

		hearth_window_toast(self->win, t);
	}
	return TRUE;
}

static void
on_chooser_response(GtkNativeDialog *d, int response, gpointer data)
{
	HearthReportsPage *self = data;

	if (response == GTK_RESPONSE_ACCEPT) {
		g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(d));
		g_autofree char *path = file ? g_file_get_path(file) : NULL;

		if (path != NULL)
			hearth_reports_page_export(self, path);
	}
	g_clear_object(&self->chooser);
}

static void
on_export(GtkButton *b, gpointer data)
{
	HearthReportsPage *self = data;
	g_autofree char *name = NULL;

	if (self->report == NULL)
		return;
	/* GTK 4.8 has no GtkFileDialog: the native chooser. */
	self->chooser = gtk_file_chooser_native_new(_("Export Report"),
		GTK_WINDOW(self->win), GTK_FILE_CHOOSER_ACTION_SAVE,
		_("_Export"), _("_Cancel"));
	gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(self->chooser), TRUE);
	name = g_strdup_printf("hearth-%s-%s.csv", self->report->from, self->report->to);
	gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(self->chooser), name);
	g_signal_connect(self->chooser, "response", G_CALLBACK(on_chooser_response), self);
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(self->chooser));
}

static void
on_mode(GtkToggleButton *b, gpointer data)
{
	HearthReportsPage *self = data;

	if (!gtk_toggle_button_get_active(b))
		return;
	self->offset = 0;
	reload(self);
}

static void
on_prev(GtkButton *b, gpointer data)
{
	HearthReportsPage *self = data;

	self->offset++;
	reload(self);
}

static void
on_next(GtkButton *b, gpointer data)
{
	HearthReportsPage *self = data;

	if (self->offset > 0)
		self->offset--;
	reload(self);
}

static void
hearth_reports_page_dispose(GObject *object)
{
	HearthReportsPage *self = HEARTH_REPORTS_PAGE(object);

	if (self->chooser != NULL)
		gtk_native_dialog_destroy(GTK_NATIVE_DIALOG(self->chooser));
	g_clear_object(&self->chooser);
	G_OBJECT_CLASS(hearth_reports_page_parent_class)->dispose(object);
	g_clear_object(&self->session);
}

static void
hearth_reports_page_finalize(GObject *object)
{
	hearth_report_free(HEARTH_REPORTS_PAGE(object)->report);
	G_OBJECT_CLASS(hearth_reports_page_parent_class)->finalize(object);
}

static void
hearth_reports_page_class_init(HearthReportsPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_reports_page_dispose;
	G_OBJECT_CLASS(klass)->finalize = hearth_reports_page_finalize;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-reports-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child(widget_class, HearthReportsPage, name)
	BIND(week_toggle);
	BIND(month_toggle);
	BIND(quarter_toggle);
	BIND(prev_button);
	BIND(next_button);
	BIND(export_button);
	BIND(range_label);
	BIND(content);
#undef BIND
}

static void
hearth_reports_page_init(HearthReportsPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	g_signal_connect(self->week_toggle, "toggled", G_CALLBACK(on_mode), self);
	g_signal_connect(self->month_toggle, "toggled", G_CALLBACK(on_mode), self);
	g_signal_connect(self->quarter_toggle, "toggled", G_CALLBACK(on_mode), self);
	g_signal_connect(self->prev_button, "clicked", G_CALLBACK(on_prev), self);
	g_signal_connect(self->next_button, "clicked", G_CALLBACK(on_next), self);
	g_signal_connect(self->export_button, "clicked", G_CALLBACK(on_export), self);
}

HearthReportsPage *
hearth_reports_page_new(HearthWindow *win, HearthSession *session)
{
	HearthReportsPage *self = g_object_new(HEARTH_TYPE_REPORTS_PAGE, NULL);

	self->win = win;
	self->session = g_object_ref(session);
	/* A report is built (and audited) when the view is first shown, not
	 * at every change elsewhere: reload on map. */
	g_signal_connect(self, "map", G_CALLBACK(reload), NULL);
	return self;
}
