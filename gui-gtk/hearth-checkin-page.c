/*
 * gui-gtk/hearth-checkin-page.c - mood check-in and self-screenings.
 */
#include "hearth-checkin-page.h"

#include "hearth/journal.h"
#include "hearth-screening-page.h"

struct _HearthCheckinPage {
	AdwBin parent_instance;

	/* Template widgets */
	GtkBox *content;

	/* Owned: widgets built once */
	GtkWidget *note_row;
	GtkWidget *recent;

	/* Owned */
	HearthSession *session;

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthCheckinPage, hearth_checkin_page, ADW_TYPE_BIN)

static const struct {
	const char *icon;
	const char *label;
} moods[] = {
	{ "face-crying-symbolic", N_("Very low") },
	{ "face-sad-symbolic", N_("Low") },
	{ "face-plain-symbolic", N_("Okay") },
	{ "face-smile-symbolic", N_("Good") },
	{ "face-smile-big-symbolic", N_("Very good") },
};

static const char *
mood_label(int mood)
{
	return mood >= 1 && mood <= 5 ? _(moods[mood - 1].label) : "";
}

static void
reload_recent(HearthCheckinPage *self)
{
	hearth_store *s = hearth_session_peek_store(self->session);
	hearth_journal_list *l = NULL;
	char today[HEARTH_DATE_LEN + 1];
	size_t shown = 0;

	if (s == NULL)
		return;
	hearth_gui_box_clear(self->recent);
	if (hearth_journal_entries(s, NULL, NULL, &l) != HEARTH_OK) {
		hearth_errdetail_clear();
		return;
	}
	hearth_gui_today(today);
	for (size_t i = l->n; i-- > 0 && shown < 7;) {
		const hearth_journal_item *it = &l->items[i];
		GtkWidget *row = adw_action_row_new();
		g_autofree char *date = hearth_gui_date_label(it->date, today);
		g_autofree char *title = NULL;

		if (it->has_screening)
			title = g_strdup_printf("%s · %d", it->instrument, it->display);
		else
			title = g_strdup(mood_label(it->mood));
		adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
		adw_action_row_set_subtitle(ADW_ACTION_ROW(row),
			*it->text ? it->text : date);
		if (*it->text)
			adw_action_row_add_suffix(ADW_ACTION_ROW(row), gtk_label_new(date));
		gtk_list_box_append(GTK_LIST_BOX(self->recent), row);
		shown++;
	}
	gtk_widget_set_visible(gtk_widget_get_parent(self->recent), shown > 0);
	hearth_journal_list_free(l);
}

/* Undo of a check-in just saved: the toast's button.  holder carries the
 * session and the entry: the page may be gone, and a lock meanwhile (the
 * session closed) leaves the entry. */
static void
on_undo(AdwToast *toast, gpointer data)
{
	GObject *holder = data;
	HearthSession *session = g_object_get_data(holder, "session");
	const hearth_id *id = g_object_get_data(holder, "entry");
	hearth_store *s = hearth_session_get_store(session);
	HearthWindow *win = g_object_get_data(holder, "window");
	hearth_status st;

	if (s == NULL)
		return;
	st = hearth_journal_delete(s, id);
	if (st != HEARTH_OK)
		hearth_window_status(win, st);
	hearth_session_changed(session, HEARTH_CHANGE_JOURNAL);
}

static void
holder_free(gpointer data, GClosure *closure)
{
	g_object_unref(data);
}

static void
on_mood(GtkButton *b, gpointer data)
{
	HearthCheckinPage *self = data;
	hearth_store *s = hearth_session_get_store(self->session);
	int mood = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(b), "mood"));
	char today[HEARTH_DATE_LEN + 1];
	g_autofree char *note = NULL;
	GObject *holder;
	AdwToast *toast;
	hearth_id id;
	hearth_status st;

	if (s == NULL)
		return;
	hearth_gui_today(today);
	note = g_strstrip(g_strdup(gtk_editable_get_text(GTK_EDITABLE(self->note_row))));
	st = hearth_journal_add(s, today, mood, *note ? note : NULL, &id);
	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	gtk_editable_set_text(GTK_EDITABLE(self->note_row), "");
	toast = hearth_window_toast_action(self->win, _("Saved"), _("_Undo"),
					   NULL, NULL);
	holder = g_object_new(G_TYPE_OBJECT, NULL);
	g_object_set_data_full(holder, "session", g_object_ref(self->session),
			       g_object_unref);
	g_object_set_data_full(holder, "window", g_object_ref(self->win),
			       g_object_unref);
	g_object_set_data_full(holder, "entry", g_memdup2(&id, sizeof id), g_free);
	g_signal_connect_data(toast, "button-clicked", G_CALLBACK(on_undo),
			      holder, holder_free, 0);
	hearth_session_changed(self->session, HEARTH_CHANGE_JOURNAL);
}

static void
on_self_check(AdwActionRow *row, gpointer data)
{
	HearthCheckinPage *self = g_object_get_data(G_OBJECT(row), "page");

	hearth_screening_page_start(self->win, NULL, data);
}

static void
build(HearthCheckinPage *self)
{
	GtkWidget *moods_box = gtk_flow_box_new();
	GtkWidget *list, *group;
	static const struct {
		const char *id;
		const char *title;
	} checks[] = {
		{ "phq9", N_("Mood over two weeks (PHQ-9)") },
		{ "gad7", N_("Worry and nerves (GAD-7)") },
		{ "who5", N_("Wellbeing (WHO-5)") },
	};

	gtk_box_append(self->content, hearth_gui_label(_("How Are You Right Now?"), "title-1"));
	/* Five equal buttons on a line, wrapping onto a second one when the
	 * window (or a large text size) leaves no room for them: the fifth
	 * is never cut off.  The flow box's own children take no focus and
	 * no selection, so Tab goes from mood button to mood button. */
	gtk_flow_box_set_homogeneous(GTK_FLOW_BOX(moods_box), TRUE);
	gtk_flow_box_set_selection_mode(GTK_FLOW_BOX(moods_box), GTK_SELECTION_NONE);
	gtk_flow_box_set_min_children_per_line(GTK_FLOW_BOX(moods_box), 1);
	gtk_flow_box_set_max_children_per_line(GTK_FLOW_BOX(moods_box), 5);
	gtk_flow_box_set_column_spacing(GTK_FLOW_BOX(moods_box), 6);
	gtk_flow_box_set_row_spacing(GTK_FLOW_BOX(moods_box), 6);
	gtk_widget_set_name(moods_box, "moods");
	gtk_widget_add_css_class(moods_box, "moods");
	for (int i = 0; i < 5; i++) {
		GtkWidget *b = gtk_button_new();
		GtkWidget *v = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
		GtkWidget *img = gtk_image_new_from_icon_name(moods[i].icon);
		GtkWidget *l = gtk_label_new(_(moods[i].label));
		g_autofree char *name = g_strdup_printf("mood-%d", i + 1);

		gtk_image_set_pixel_size(GTK_IMAGE(img), 32);
		gtk_label_set_wrap(GTK_LABEL(l), TRUE);
		/* The flow box lines buttons up by their natural width: asked
		 * for no more than a short word, "Very good" wraps under its
		 * face and all five share a phone's line. */
		gtk_label_set_max_width_chars(GTK_LABEL(l), 5);
		gtk_label_set_justify(GTK_LABEL(l), GTK_JUSTIFY_CENTER);
		gtk_widget_add_css_class(l, "caption");
		gtk_box_append(GTK_BOX(v), img);
		gtk_box_append(GTK_BOX(v), l);
		gtk_button_set_child(GTK_BUTTON(b), v);
		gtk_widget_add_css_class(b, "mood-button");
		gtk_widget_set_name(b, name);
		g_object_set_data(G_OBJECT(b), "mood", GINT_TO_POINTER(i + 1));
		gtk_accessible_update_property(GTK_ACCESSIBLE(b),
			GTK_ACCESSIBLE_PROPERTY_LABEL, _(moods[i].label), -1);
		g_signal_connect(b, "clicked", G_CALLBACK(on_mood), self);
		gtk_flow_box_append(GTK_FLOW_BOX(moods_box), b);
		gtk_widget_set_focusable(gtk_widget_get_parent(b), FALSE);
	}
	gtk_box_append(self->content, moods_box);

	list = gtk_list_box_new();
	gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
	gtk_widget_add_css_class(list, "boxed-list");
	self->note_row = adw_entry_row_new();
	gtk_widget_set_name(self->note_row, "checkin-note");
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(self->note_row),
				      _("A few words, if you like"));
	gtk_list_box_append(GTK_LIST_BOX(list), self->note_row);
	gtk_box_append(self->content, list);

	group = adw_preferences_group_new();
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), _("Check Yourself"));
	adw_preferences_group_set_description(ADW_PREFERENCES_GROUP(group),
		_("Short questionnaires, for you alone. A result is not a diagnosis."));
	for (size_t i = 0; i < G_N_ELEMENTS(checks); i++) {
		GtkWidget *row = adw_action_row_new();
		g_autofree char *name = g_strdup_printf("self-%s", checks[i].id);

		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), _(checks[i].title));
		gtk_widget_set_name(row, name);
		gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), TRUE);
		adw_action_row_add_suffix(ADW_ACTION_ROW(row),
			gtk_image_new_from_icon_name("go-next-symbolic"));
		g_object_set_data(G_OBJECT(row), "page", self);
		g_signal_connect(row, "activated", G_CALLBACK(on_self_check),
				 (gpointer)checks[i].id);
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
	}
	gtk_box_append(self->content, group);

	group = adw_preferences_group_new();
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), _("Latest Entries"));
	self->recent = gtk_list_box_new();
	gtk_list_box_set_selection_mode(GTK_LIST_BOX(self->recent), GTK_SELECTION_NONE);
	gtk_widget_add_css_class(self->recent, "boxed-list");
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), self->recent);
	gtk_box_append(self->content, group);
}

static void
hearth_checkin_page_dispose(GObject *object)
{
	HearthCheckinPage *self = HEARTH_CHECKIN_PAGE(object);

	G_OBJECT_CLASS(hearth_checkin_page_parent_class)->dispose(object);
	g_clear_object(&self->session);
}

static void
hearth_checkin_page_class_init(HearthCheckinPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_checkin_page_dispose;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-checkin-page.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthCheckinPage, content);
}

static void
hearth_checkin_page_init(HearthCheckinPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	build(self);
}

HearthCheckinPage *
hearth_checkin_page_new(HearthWindow *win, HearthSession *session)
{
	HearthCheckinPage *self = g_object_new(HEARTH_TYPE_CHECKIN_PAGE, NULL);

	self->win = win;
	self->session = g_object_ref(session);
	hearth_session_watch(session, HEARTH_CHANGE_JOURNAL, self,
			     G_CALLBACK(reload_recent));
	reload_recent(self);
	return self;
}
