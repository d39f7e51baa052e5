/*
 * gui-gtk/hearth-screening-page.c - the screening wizard.
 */
#include "hearth-screening-page.h"

#include <string.h>

#include "hearth/journal.h"
#include "hearth/screening.h"
#include "hearth-crisis.h"
#include "hearth-result-page.h"

struct _HearthScreeningPage {
	AdwBin parent_instance;

	/* Template widgets */
	AdwWindowTitle *title;
	GtkProgressBar *progress;
	GtkBox *body;
	GtkButton *back_button;
	GtkButton *next_button;

	/* Owned */
	hearth_instrument *inst;
	int answers[HEARTH_INSTRUMENT_MAX_ITEMS];
	size_t n;
	size_t step;            /* item index, or n for the review */
	hearth_id person;
	gboolean has_person;
	gboolean busy;
	GPtrArray *checks;      /* the current question's check buttons */

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthScreeningPage, hearth_screening_page, ADW_TYPE_BIN)

static void show_step(HearthScreeningPage *self);

static const char *
tr(const hearth_text *t)
{
	return hearth_text_get(t, hearth_gui_lang());
}

/* The number of questions asked given the answers so far, and the position
 * (1-based) of item i among them. */
static size_t
asked_count(HearthScreeningPage *self, size_t upto, size_t *position)
{
	size_t count = 0;

	for (size_t i = 0; i < self->n; i++) {
		if (!hearth_instrument_item_shown(self->inst, i, self->answers))
			continue;
		count++;
		if (i == upto && position != NULL)
			*position = count;
	}
	return count;
}

static const char *
option_label(const hearth_item *it, int value)
{
	for (size_t k = 0; k < it->n_options; k++)
		if (it->options[k].value == value)
			return tr(&it->options[k].label);
	return "";
}

static void
on_check(GtkCheckButton *check, gpointer data)
{
	HearthScreeningPage *self = data;

	if (!gtk_check_button_get_active(check))
		return;
	self->answers[self->step] = GPOINTER_TO_INT(
		g_object_get_data(G_OBJECT(check), "value"));
	gtk_widget_set_sensitive(GTK_WIDGET(self->next_button), TRUE);
}

static void
on_change(GtkButton *b, gpointer data)
{
	HearthScreeningPage *self = data;

	self->step = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(b), "item"));
	show_step(self);
}

static void
show_question(HearthScreeningPage *self)
{
	const hearth_item *it = hearth_instrument_item(self->inst, self->step);
	const hearth_text *lead = hearth_instrument_lead_in(self->inst);
	GtkWidget *list;
	GtkCheckButton *group = NULL;
	size_t pos = 1, total = asked_count(self, self->step, &pos);
	g_autofree char *subtitle = g_strdup_printf("%zu/%zu", pos, total);

	adw_window_title_set_subtitle(self->title, subtitle);
	gtk_progress_bar_set_fraction(self->progress,
				      total ? (double)(pos - 1) / (double)total : 0);
	if (lead != NULL && lead->en != NULL && *tr(lead))
		gtk_box_append(self->body, hearth_gui_label(tr(lead), "dim-label"));
	{
		GtkWidget *q = hearth_gui_label(tr(&it->text), "title-2");

		gtk_widget_set_name(q, "screening-question");
		gtk_box_append(self->body, q);
	}
	list = gtk_list_box_new();
	gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
	gtk_widget_add_css_class(list, "boxed-list");
	gtk_widget_add_css_class(list, "answers");
	g_ptr_array_set_size(self->checks, 0);
	for (size_t k = 0; k < it->n_options; k++) {
		GtkWidget *row = adw_action_row_new();
		GtkWidget *check = gtk_check_button_new();
		g_autofree char *name = g_strdup_printf("answer-%d", it->options[k].value);

		if (group == NULL)
			group = GTK_CHECK_BUTTON(check);
		else
			gtk_check_button_set_group(GTK_CHECK_BUTTON(check), group);
		gtk_widget_set_name(check, name);
		g_object_set_data(G_OBJECT(check), "value",
				  GINT_TO_POINTER(it->options[k].value));
		adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row),
					      tr(&it->options[k].label));
		adw_action_row_set_title_lines(ADW_ACTION_ROW(row), 3);
		adw_action_row_add_prefix(ADW_ACTION_ROW(row), check);
		adw_action_row_set_activatable_widget(ADW_ACTION_ROW(row), check);
		if (self->answers[self->step] == it->options[k].value)
			gtk_check_button_set_active(GTK_CHECK_BUTTON(check), TRUE);
		g_signal_connect(check, "toggled", G_CALLBACK(on_check), self);
		g_ptr_array_add(self->checks, check);
		gtk_list_box_append(GTK_LIST_BOX(list), row);
	}
	gtk_box_append(self->body, list);
	gtk_widget_set_sensitive(GTK_WIDGET(self->next_button),
				 self->answers[self->step] != HEARTH_ANSWER_NONE);
	gtk_button_set_label(self->next_button, _("_Next"));
	gtk_widget_set_sensitive(GTK_WIDGET(self->back_button), pos > 1);
}

static void
show_review(HearthScreeningPage *self)
{
	GtkWidget *list = gtk_list_box_new();
	size_t total = asked_count(self, 0, NULL);

	adw_window_title_set_subtitle(self->title, _("Check the answers"));
	gtk_progress_bar_set_fraction(self->progress, 1.0);
	gtk_box_append(self->body, hearth_gui_label(_("Check the Answers"), "title-2"));
	gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
	gtk_widget_add_css_class(list, "boxed-list");
	for (size_t i = 0; i < self->n; i++) {
		const hearth_item *it = hearth_instrument_item(self->inst, i);
		GtkWidget *row, *change;
		g_autofree char *acc = NULL;

		if (!hearth_instrument_item_shown(self->inst, i, self->answers))
			continue;
		row = adw_action_row_new();
		adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), tr(&it->text));
		adw_action_row_set_title_lines(ADW_ACTION_ROW(row), 4);
		adw_action_row_set_subtitle(ADW_ACTION_ROW(row),
					    option_label(it, self->answers[i]));
		change = gtk_button_new_with_mnemonic(_("_Change"));
		gtk_widget_set_valign(change, GTK_ALIGN_CENTER);
		/* Translators: the accessible name of a Change button on the
		 * review page; %s is the question. */
		acc = g_strdup_printf(_("Change the answer to: %s"), tr(&it->text));
		gtk_accessible_update_property(GTK_ACCESSIBLE(change),
			GTK_ACCESSIBLE_PROPERTY_LABEL, acc, -1);
		g_object_set_data(G_OBJECT(change), "item", GUINT_TO_POINTER((guint)i));
		g_signal_connect(change, "clicked", G_CALLBACK(on_change), self);
		adw_action_row_add_suffix(ADW_ACTION_ROW(row), change);
		gtk_list_box_append(GTK_LIST_BOX(list), row);
	}
	gtk_box_append(self->body, list);
	gtk_button_set_label(self->next_button, _("_Submit"));
	gtk_widget_set_sensitive(GTK_WIDGET(self->next_button), total > 0);
	gtk_widget_set_sensitive(GTK_WIDGET(self->back_button), TRUE);
}

static void
show_step(HearthScreeningPage *self)
{
	hearth_gui_box_clear(GTK_WIDGET(self->body));
	if (self->step >= self->n)
		show_review(self);
	else
		show_question(self);
	gtk_widget_grab_focus(GTK_WIDGET(self->next_button));
}

/* ---- saving -------------------------------------------------------------- */

static void
finish(HearthScreeningPage *self, const char *action)
{
	hearth_store *s = hearth_window_get_store(self->win);
	char today[HEARTH_DATE_LEN + 1];
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *hm = g_date_time_format(now, "%H:%M");
	g_autofree char *at = NULL;
	HearthResultPage *result;
	hearth_status st;

	if (s == NULL)
		return;
	hearth_gui_today(today);
	at = g_strdup_printf("%s %s", today, hm);
	if (self->has_person) {
		hearth_screening_input in = { 0 };
		hearth_screening_result res;

		in.person = self->person;
		in.answers = self->answers;
		in.n_answers = self->n;
		in.difficulty = HEARTH_ANSWER_NONE;
		in.action_taken = action;
		in.lang = hearth_gui_lang();
		in.at = at;
		st = hearth_screening_save(s, self->inst, &in, &res);
		if (st != HEARTH_OK) {
			hearth_window_status(self->win, st);
			return;
		}
		result = hearth_result_page_new_counsellor(self->win,
			g_steal_pointer(&self->inst), &res, action);
	} else {
		hearth_journal_screened out;

		st = hearth_journal_screen(s, self->inst, self->answers, self->n, at,
					   hearth_gui_lang(), NULL, &out);
		if (st != HEARTH_OK) {
			hearth_window_status(self->win, st);
			return;
		}
		result = hearth_result_page_new_journal(self->win,
			g_steal_pointer(&self->inst), &out);
	}
	hearth_window_data_changed(self->win);
	hearth_window_replace_top(self->win, GTK_WIDGET(result));
}

static void
on_crisis_recorded(const char *action, gpointer data)
{
	HearthScreeningPage *self = data;

	finish(self, action);
	self->busy = FALSE;
}

static void
submit(HearthScreeningPage *self)
{
	hearth_store *s = hearth_window_get_store(self->win);
	hearth_score_options so = { 0 };
	hearth_score score;
	hearth_status st;
	int cutoff = 0;

	if (s == NULL || self->busy)
		return;
	if (hearth_screening_cutoff(s, self->inst, &cutoff) == HEARTH_OK)
		so.cutoff = cutoff;
	else
		hearth_errdetail_clear();
	/* Score first: a safety result asks for the action taken before it
	 * is saved (the core refuses a high-risk C-SSRS without it). */
	st = hearth_instrument_score(self->inst, self->answers, self->n, &so, &score);
	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	if (score.safety && self->has_person) {
		self->busy = TRUE;
		hearth_crisis_ask(self->win, on_crisis_recorded, g_object_ref(self));
		return;
	}
	finish(self, NULL);
}

void
hearth_screening_page_next(HearthScreeningPage *self)
{
	if (self->step >= self->n) {
		submit(self);
		return;
	}
	if (self->answers[self->step] == HEARTH_ANSWER_NONE)
		return;
	/* Items hidden by this answer lose any answer they had. */
	do {
		self->step++;
		if (self->step < self->n &&
		    !hearth_instrument_item_shown(self->inst, self->step, self->answers))
			self->answers[self->step] = HEARTH_ANSWER_NONE;
	} while (self->step < self->n &&
		 !hearth_instrument_item_shown(self->inst, self->step, self->answers));
	show_step(self);
}

static void
on_next(GtkButton *b, gpointer data)
{
	hearth_screening_page_next(HEARTH_SCREENING_PAGE(data));
}

static void
on_back(GtkButton *b, gpointer data)
{
	HearthScreeningPage *self = data;

	while (self->step > 0) {
		self->step--;
		if (hearth_instrument_item_shown(self->inst, self->step, self->answers))
			break;
	}
	show_step(self);
}

gboolean
hearth_screening_page_answer(HearthScreeningPage *self, int value)
{
	if (self->step >= self->n)
		return FALSE;
	for (guint i = 0; i < self->checks->len; i++) {
		GtkCheckButton *c = g_ptr_array_index(self->checks, i);

		if (GPOINTER_TO_INT(g_object_get_data(G_OBJECT(c), "value")) == value) {
			gtk_check_button_set_active(c, TRUE);
			return TRUE;
		}
	}
	return FALSE;
}

guint
hearth_screening_page_step(HearthScreeningPage *self)
{
	return (guint)self->step;
}

/* Keys 0-9 pick the answer with that value. */
static gboolean
on_key(GtkEventControllerKey *c, guint keyval, guint keycode,
       GdkModifierType state, gpointer data)
{
	HearthScreeningPage *self = data;

	if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
		return FALSE;
	if (keyval >= GDK_KEY_0 && keyval <= GDK_KEY_9)
		return hearth_screening_page_answer(self, (int)(keyval - GDK_KEY_0));
	if (keyval >= GDK_KEY_KP_0 && keyval <= GDK_KEY_KP_9)
		return hearth_screening_page_answer(self, (int)(keyval - GDK_KEY_KP_0));
	return FALSE;
}

static void
hearth_screening_page_finalize(GObject *object)
{
	HearthScreeningPage *self = HEARTH_SCREENING_PAGE(object);

	hearth_instrument_free(self->inst);
	g_ptr_array_unref(self->checks);
	G_OBJECT_CLASS(hearth_screening_page_parent_class)->finalize(object);
}

static void
hearth_screening_page_class_init(HearthScreeningPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = hearth_screening_page_finalize;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-screening-page.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthScreeningPage, title);
	gtk_widget_class_bind_template_child(widget_class, HearthScreeningPage, progress);
	gtk_widget_class_bind_template_child(widget_class, HearthScreeningPage, body);
	gtk_widget_class_bind_template_child(widget_class, HearthScreeningPage, back_button);
	gtk_widget_class_bind_template_child(widget_class, HearthScreeningPage, next_button);
}

static void
hearth_screening_page_init(HearthScreeningPage *self)
{
	GtkEventController *keys = gtk_event_controller_key_new();

	gtk_widget_init_template(GTK_WIDGET(self));
	self->checks = g_ptr_array_new();
	g_signal_connect(self->next_button, "clicked", G_CALLBACK(on_next), self);
	g_signal_connect(self->back_button, "clicked", G_CALLBACK(on_back), self);
	g_signal_connect(keys, "key-pressed", G_CALLBACK(on_key), self);
	gtk_widget_add_controller(GTK_WIDGET(self), keys);
}

HearthScreeningPage *
hearth_screening_page_start(HearthWindow *win, const hearth_id *person,
			    const char *instrument)
{
	hearth_instrument *inst = NULL;
	HearthScreeningPage *self;
	hearth_status st;

	st = hearth_instrument_find(instrument, &inst);
	if (st != HEARTH_OK) {
		hearth_window_status(win, st);
		return NULL;
	}
	self = g_object_new(HEARTH_TYPE_SCREENING_PAGE, NULL);
	self->win = win;
	self->inst = inst;
	self->n = hearth_instrument_n_items(inst);
	if (self->n > HEARTH_INSTRUMENT_MAX_ITEMS)
		self->n = HEARTH_INSTRUMENT_MAX_ITEMS;
	for (size_t i = 0; i < G_N_ELEMENTS(self->answers); i++)
		self->answers[i] = HEARTH_ANSWER_NONE;
	if (person != NULL) {
		self->person = *person;
		self->has_person = TRUE;
	}
	adw_window_title_set_title(self->title, tr(hearth_instrument_title(inst)));
	show_step(self);
	hearth_window_push(win, GTK_WIDGET(self));
	return self;
}
