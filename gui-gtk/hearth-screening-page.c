/*
 * gui-gtk/hearth-screening-page.c - the screening wizard.
 *
 * Steps: one per asked item (0 .. n-1); for a counsellor's PHQ-9, the
 * optional difficulty question (step n: recorded with the screening, never
 * scored); then the review (the last step).
 *
 * An unfinished screening is a draft held by the window, in memory only
 * (hearth_window_set_draft): leaving the wizard keeps it, starting the same
 * instrument for the same person again resumes it, and locking drops it.
 * Never a draft record: the store's op log keeps every value ever written
 * and syncs it, so answers a counsellor abandoned would stay in every
 * replica after the draft was deleted; and a draft holding a positive item
 * 9 would be a safety signal that no rule acts on (the core's safety rule
 * runs when a screening is saved).
 */
#include "hearth-screening-page.h"

#include <string.h>

#include "hearth/journal.h"
#include "hearth/screening.h"
#include "hearth-crisis.h"
#include "hearth-person-item.h"
#include "hearth-result-page.h"

struct _HearthScreeningPage {
	AdwBin parent_instance;

	/* Template widgets */
	AdwWindowTitle *title;
	GtkProgressBar *progress;
	GtkBox *body;
	GtkButton *back_button;
	GtkButton *next_button;
	GtkButton *cancel_button;

	/* Owned */
	HearthSession *session;
	hearth_instrument *inst;
	int answers[HEARTH_INSTRUMENT_MAX_ITEMS];
	int difficulty;         /* HEARTH_ANSWER_NONE until answered */
	size_t n;
	size_t step;            /* item index, n for the difficulty question,
				 * review_step() for the review */
	const hearth_item *diff; /* the difficulty question asked, or NULL */
	int *target;            /* where the shown question's answer goes */
	gboolean finished;      /* saved: no longer a draft */
	hearth_id person;
	gboolean has_person;
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

static size_t
review_step(HearthScreeningPage *self)
{
	return self->n + (self->diff != NULL ? 1 : 0);
}

static gboolean
any_answer(HearthScreeningPage *self)
{
	for (size_t i = 0; i < self->n; i++)
		if (self->answers[i] != HEARTH_ANSWER_NONE)
			return TRUE;
	return self->difficulty != HEARTH_ANSWER_NONE;
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

	if (!gtk_check_button_get_active(check) || self->target == NULL)
		return;
	*self->target = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(check), "value"));
	gtk_widget_set_sensitive(GTK_WIDGET(self->next_button), TRUE);
	gtk_button_set_label(self->next_button, _("_Next"));
	/* From the first answer on, leaving the wizard keeps it. */
	if (!self->finished && hearth_window_get_draft(self->win) != GTK_WIDGET(self))
		hearth_window_set_draft(self->win, GTK_WIDGET(self));
}

static void
on_change(GtkButton *b, gpointer data)
{
	HearthScreeningPage *self = data;

	self->step = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(b), "item"));
	show_step(self);
}

/* The answer rows of it (large rows with a radio each), current checked. */
static GtkWidget *
answer_list(HearthScreeningPage *self, const hearth_item *it, int current)
{
	GtkWidget *list = gtk_list_box_new();
	GtkCheckButton *group = NULL;

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
		if (current == it->options[k].value)
			gtk_check_button_set_active(GTK_CHECK_BUTTON(check), TRUE);
		g_signal_connect(check, "toggled", G_CALLBACK(on_check), self);
		g_ptr_array_add(self->checks, check);
		gtk_list_box_append(GTK_LIST_BOX(list), row);
	}
	return list;
}

static void
show_question(HearthScreeningPage *self)
{
	const hearth_item *it = hearth_instrument_item(self->inst, self->step);
	const hearth_text *lead = hearth_instrument_lead_in(self->inst);
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
	self->target = NULL;
	gtk_box_append(self->body, answer_list(self, it, self->answers[self->step]));
	self->target = &self->answers[self->step];
	gtk_widget_set_sensitive(GTK_WIDGET(self->next_button),
				 self->answers[self->step] != HEARTH_ANSWER_NONE);
	gtk_button_set_label(self->next_button, _("_Next"));
	gtk_widget_set_sensitive(GTK_WIDGET(self->back_button), pos > 1);
}

/* The PHQ-9 difficulty question: asked last, optional, not scored. */
static void
show_difficulty(HearthScreeningPage *self)
{
	GtkWidget *q, *note;

	adw_window_title_set_subtitle(self->title, _("Last question, optional"));
	gtk_progress_bar_set_fraction(self->progress, 1.0);
	q = hearth_gui_label(tr(&self->diff->text), "title-2");
	gtk_widget_set_name(q, "screening-question");
	gtk_box_append(self->body, q);
	note = hearth_gui_label(
		_("This question is optional. The answer is recorded with the screening but does not change the score."),
		"dim-label");
	gtk_widget_set_name(note, "screening-difficulty-note");
	gtk_box_append(self->body, note);
	self->target = NULL;
	{
		GtkWidget *list = answer_list(self, self->diff, self->difficulty);

		gtk_widget_set_name(list, "screening-difficulty");
		gtk_box_append(self->body, list);
	}
	self->target = &self->difficulty;
	/* Optional: Skip until an answer is chosen. */
	gtk_widget_set_sensitive(GTK_WIDGET(self->next_button), TRUE);
	gtk_button_set_label(self->next_button,
		self->difficulty != HEARTH_ANSWER_NONE ? _("_Next") : _("_Skip"));
	gtk_widget_set_sensitive(GTK_WIDGET(self->back_button), TRUE);
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
	if (self->diff != NULL) {
		GtkWidget *row = adw_action_row_new(), *change;
		g_autofree char *acc = NULL;

		adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), tr(&self->diff->text));
		adw_action_row_set_title_lines(ADW_ACTION_ROW(row), 4);
		adw_action_row_set_subtitle(ADW_ACTION_ROW(row),
			self->difficulty != HEARTH_ANSWER_NONE
				? option_label(self->diff, self->difficulty)
				: _("Not answered (optional)"));
		gtk_widget_set_name(row, "review-difficulty");
		change = gtk_button_new_with_mnemonic(_("_Change"));
		gtk_widget_set_valign(change, GTK_ALIGN_CENTER);
		acc = g_strdup_printf(_("Change the answer to: %s"), tr(&self->diff->text));
		gtk_accessible_update_property(GTK_ACCESSIBLE(change),
			GTK_ACCESSIBLE_PROPERTY_LABEL, acc, -1);
		g_object_set_data(G_OBJECT(change), "item", GUINT_TO_POINTER((guint)self->n));
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
	self->target = NULL;
	hearth_gui_box_clear(GTK_WIDGET(self->body));
	if (self->step >= review_step(self))
		show_review(self);
	else if (self->step >= self->n)
		show_difficulty(self);
	else
		show_question(self);
	gtk_widget_grab_focus(GTK_WIDGET(self->next_button));
}

/* ---- saving -------------------------------------------------------------- */

static void
submit(HearthScreeningPage *self)
{
	hearth_store *s = hearth_session_get_store(self->session);
	HearthChange changed;
	char today[HEARTH_DATE_LEN + 1];
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *hm = g_date_time_format(now, "%H:%M");
	g_autofree char *at = NULL;
	HearthResultPage *result;
	hearth_status st;

	if (s == NULL || self->finished)
		return;
	hearth_gui_today(today);
	at = g_strdup_printf("%s %s", today, hm);
	if (self->has_person) {
		hearth_screening_input in = { 0 };
		hearth_screening_run_result run;

		/* One core call scores, applies the safety rule and saves,
		 * whatever the result: a safety result with its follow-up and
		 * the person's high risk, its action taken pending.  Then the
		 * crisis dialog asks for the action (closing it or a lock
		 * loses nothing; Today shows it pending until recorded). */
		in.person = self->person;
		in.answers = self->answers;
		in.n_answers = self->n;
		in.difficulty = self->diff != NULL ? self->difficulty : HEARTH_ANSWER_NONE;
		in.action_taken = NULL;
		in.lang = hearth_gui_lang();
		in.at = at;
		st = hearth_screening_run(s, self->inst, &in, &run);
		if (st != HEARTH_OK) {
			hearth_window_status(self->win, st);
			return;
		}
		self->finished = TRUE;
		if (run.saved.action_pending)
			hearth_crisis_ask_pending(self->win, &run.pending);
		result = hearth_result_page_new_counsellor(self->win, self->session,
			g_steal_pointer(&self->inst), &run.saved, &self->person);
		hearth_screening_run_result_free(&run);
		/* A safety result raised the person's risk and made a
		 * follow-up; a band may have made one too. */
		changed = HEARTH_CHANGE_SCREENINGS | HEARTH_CHANGE_FOLLOWUPS |
			  HEARTH_CHANGE_PEOPLE;
	} else {
		hearth_journal_screened out;

		st = hearth_journal_screen(s, self->inst, self->answers, self->n, at,
					   hearth_gui_lang(), NULL, &out);
		if (st != HEARTH_OK) {
			hearth_window_status(self->win, st);
			return;
		}
		self->finished = TRUE;
		result = hearth_result_page_new_journal(self->win,
			g_steal_pointer(&self->inst), &out);
		changed = HEARTH_CHANGE_JOURNAL;
	}
	if (hearth_window_get_draft(self->win) == GTK_WIDGET(self))
		hearth_window_set_draft(self->win, NULL);
	hearth_session_changed(self->session, changed);
	hearth_window_replace_top(self->win, GTK_WIDGET(result));
}

void
hearth_screening_page_next(HearthScreeningPage *self)
{
	if (self->step >= review_step(self)) {
		submit(self);
		return;
	}
	if (self->step >= self->n) {
		/* The optional difficulty question: on to the review. */
		self->step = review_step(self);
		show_step(self);
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

	if (self->diff != NULL && self->step == review_step(self)) {
		self->step = self->n;
		show_step(self);
		return;
	}
	if (self->step > self->n)
		self->step = self->n;
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
	if (self->step >= review_step(self))
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

/* Cancel: leave the wizard.  Answers given stay as the draft until the
 * vault locks; the toast offers to discard them. */
static void
on_cancel(GtkButton *b, gpointer data)
{
	HearthScreeningPage *self = data;

	if (!self->finished && any_answer(self) &&
	    hearth_window_get_draft(self->win) == GTK_WIDGET(self))
		hearth_window_toast_action(self->win,
			_("Screening paused. Start it again to go on; the answers are kept until Hearth locks."),
			_("_Discard"), "win.discard-draft", NULL);
	hearth_window_pop(self->win);
}

static void
hearth_screening_page_finalize(GObject *object)
{
	HearthScreeningPage *self = HEARTH_SCREENING_PAGE(object);

	hearth_instrument_free(self->inst);
	g_clear_object(&self->session);
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
	gtk_widget_class_bind_template_child(widget_class, HearthScreeningPage, cancel_button);
}

static void
hearth_screening_page_init(HearthScreeningPage *self)
{
	GtkEventController *keys = gtk_event_controller_key_new();

	gtk_widget_init_template(GTK_WIDGET(self));
	self->checks = g_ptr_array_new();
	g_signal_connect(self->next_button, "clicked", G_CALLBACK(on_next), self);
	g_signal_connect(self->back_button, "clicked", G_CALLBACK(on_back), self);
	g_signal_connect(self->cancel_button, "clicked", G_CALLBACK(on_cancel), self);
	g_signal_connect(keys, "key-pressed", G_CALLBACK(on_key), self);
	gtk_widget_add_controller(GTK_WIDGET(self), keys);
}

/* Does page screen person (NULL: the journal) with instrument? */
static gboolean
same_screening(HearthScreeningPage *page, const hearth_id *person,
	       const char *instrument)
{
	if (page->inst == NULL || page->finished ||
	    g_strcmp0(hearth_instrument_id(page->inst), instrument) != 0)
		return FALSE;
	if (person == NULL)
		return !page->has_person;
	return page->has_person && hearth_id_equal(&page->person, person);
}

typedef struct {
	HearthWindow *win;
	hearth_id person;
	gboolean has_person;
	gboolean answered;      /* a response came: closing sends another */
	char instrument[64];
} Pending;

static void
on_draft_response(AdwMessageDialog *d, const char *response, gpointer data)
{
	Pending *p = data;
	GtkWidget *draft = hearth_window_get_draft(p->win);

	if (draft == NULL || p->answered)
		return;
	p->answered = TRUE;
	if (g_strcmp0(response, "discard") == 0) {
		hearth_window_set_draft(p->win, NULL);
		hearth_screening_page_start(p->win, p->has_person ? &p->person : NULL,
					    p->instrument);
	} else {
		hearth_window_push(p->win, draft);
	}
}

/* Another screening was left unfinished: resume it, or discard it and
 * start this one.  Nothing is thrown away without asking. */
static void
ask_about_draft(HearthWindow *win, HearthScreeningPage *draft,
		const hearth_id *person, const char *instrument)
{
	Pending *p = g_new0(Pending, 1);
	hearth_store *s = hearth_session_get_store(draft->session);
	g_autoptr(hearth_record) r = NULL;
	g_autofree char *body = NULL;
	const char *who = NULL;
	size_t answered = 0;
	GtkWidget *d;

	p->win = win;
	if (person != NULL) {
		p->person = *person;
		p->has_person = TRUE;
	}
	g_strlcpy(p->instrument, instrument, sizeof p->instrument);
	for (size_t i = 0; i < draft->n; i++)
		answered += draft->answers[i] != HEARTH_ANSWER_NONE;
	if (draft->has_person && s != NULL &&
	    hearth_record_load(s, &draft->person, &r) == HEARTH_OK)
		who = hearth_person_display_name(hearth_record_field(r, "name"));
	if (who != NULL)
		/* Translators: %1$s is an instrument (PHQ-9), %2$s a person,
		 * %3$zu the number of questions answered so far. */
		body = g_strdup_printf(_("The %1$s screening of %2$s has %3$zu answers so far. Go on with it, or discard its answers and start the new one."),
				       tr(hearth_instrument_title(draft->inst)), who, answered);
	else
		body = g_strdup_printf(_("The %1$s screening has %2$zu answers so far. Go on with it, or discard its answers and start the new one."),
				       tr(hearth_instrument_title(draft->inst)), answered);
	d = adw_message_dialog_new(GTK_WINDOW(win), _("A Screening Is Unfinished"), body);
	gtk_widget_set_name(d, "screening-draft-dialog");
	adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(d),
		"discard", _("_Discard and Start"),
		"resume", _("_Resume"), NULL);
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(d), "discard",
						   ADW_RESPONSE_DESTRUCTIVE);
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(d), "resume",
						   ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_default_response(ADW_MESSAGE_DIALOG(d), "resume");
	adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(d), "resume");
	g_signal_connect_data(d, "response", G_CALLBACK(on_draft_response), p,
			      (GClosureNotify)(void (*)(void))g_free, 0);
	gtk_window_present(GTK_WINDOW(d));
}

HearthScreeningPage *
hearth_screening_page_start(HearthWindow *win, const hearth_id *person,
			    const char *instrument)
{
	hearth_instrument *inst = NULL;
	HearthScreeningPage *self;
	GtkWidget *draft = hearth_window_get_draft(win);
	hearth_status st;

	if (draft != NULL && HEARTH_IS_SCREENING_PAGE(draft)) {
		if (same_screening(HEARTH_SCREENING_PAGE(draft), person, instrument)) {
			hearth_window_push(win, draft);
			return HEARTH_SCREENING_PAGE(draft);
		}
		ask_about_draft(win, HEARTH_SCREENING_PAGE(draft), person, instrument);
		return HEARTH_SCREENING_PAGE(draft);
	}
	st = hearth_instrument_find(instrument, &inst);
	if (st != HEARTH_OK) {
		hearth_window_status(win, st);
		return NULL;
	}
	self = g_object_new(HEARTH_TYPE_SCREENING_PAGE, NULL);
	self->win = win;
	self->session = g_object_ref(hearth_window_get_session(win));
	self->inst = inst;
	self->n = hearth_instrument_n_items(inst);
	if (self->n > HEARTH_INSTRUMENT_MAX_ITEMS)
		self->n = HEARTH_INSTRUMENT_MAX_ITEMS;
	for (size_t i = 0; i < G_N_ELEMENTS(self->answers); i++)
		self->answers[i] = HEARTH_ANSWER_NONE;
	self->difficulty = HEARTH_ANSWER_NONE;
	if (person != NULL) {
		self->person = *person;
		self->has_person = TRUE;
		/* Asked of a counsellor's screening only: a journal
		 * self-screening has nowhere to record it. */
		self->diff = hearth_instrument_difficulty(inst);
	}
	adw_window_title_set_title(self->title, tr(hearth_instrument_title(inst)));
	show_step(self);
	hearth_window_push(win, GTK_WIDGET(self));
	return self;
}
