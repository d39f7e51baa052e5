/*
 * gui-gtk/hearth-result-page.c - a screening's result.
 */
#include "hearth-result-page.h"

#include "hearth-crisis.h"

struct _HearthResultPage {
	AdwBin parent_instance;

	/* Template widgets */
	AdwWindowTitle *title;
	GtkBox *content;

	/* Owned */
	HearthSession *session; /* a counsellor's result only */
	hearth_instrument *inst;
	hearth_id screening;    /* a safety result saved with its action */
	hearth_id person;       /* ... pending, and its person */
	gboolean pending;
	GtkWidget *action_label;
	GtkWidget *action_button;

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthResultPage, hearth_result_page, ADW_TYPE_BIN)

static GtkWidget *
info_row(const char *title, const char *value)
{
	GtkWidget *row = adw_action_row_new();
	GtkWidget *v = gtk_label_new(value);

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	gtk_label_set_wrap(GTK_LABEL(v), TRUE);
	gtk_label_set_xalign(GTK_LABEL(v), 1);
	gtk_widget_add_css_class(v, "heading");
	adw_action_row_add_suffix(ADW_ACTION_ROW(row), v);
	return row;
}

static void
add_score(HearthResultPage *self, const hearth_score *sc)
{
	const char *lang = hearth_gui_lang();
	GtkWidget *g = adw_preferences_group_new();
	g_autofree char *score = NULL;
	g_autofree char *steps = NULL;

	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(g), _("Result"));
	gtk_widget_set_name(g, "result-score");
	if (hearth_instrument_method(self->inst) == HEARTH_SCORING_SUM) {
		/* Translators: a score out of its maximum, "12 of 27". */
		score = g_strdup_printf(_("%d of %d"), sc->display, sc->display_max);
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
					  info_row(_("Score"), score));
	}
	if (sc->band != NULL)
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
			info_row(_("Band"), hearth_text_get(&sc->band->label, lang)));
	/* A safety flag overrides the band's advice (the core's rule):
	 * never "not needed" under a crisis card. */
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
		info_row(_("Further check"), sc->safety ? _("Needed now")
			 : hearth_score_further_check(sc) ? _("Suggested")
			 : _("Not needed now")));
	gtk_box_append(self->content, g);

	if (hearth_score_next_steps(sc, lang, &steps) == HEARTH_OK && steps && *steps) {
		GtkWidget *ng = adw_preferences_group_new();
		GtkWidget *l = hearth_gui_label(steps, NULL);

		adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(ng), _("Next Step"));
		gtk_widget_add_css_class(l, "card");
		gtk_widget_add_css_class(l, "next-step");
		gtk_widget_set_name(l, "result-next-step");
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(ng), l);
		gtk_box_append(self->content, ng);
	}
	free(g_steal_pointer(&steps));
	gtk_box_append(self->content, hearth_gui_label(
		_("A screening result is not a diagnosis. It shows whether a closer look by a professional would help."),
		"dim-label"));
	if (g_strcmp0(lang, "zh_CN") == 0 && hearth_instrument_has_unofficial(self->inst))
		gtk_box_append(self->content, hearth_gui_label(
			_("Some of the Chinese wording of this questionnaire is an unofficial translation."),
			"dim-label"));
}

static void
add_done_button(HearthResultPage *self)
{
	GtkWidget *b = gtk_button_new_with_mnemonic(_("_Done"));

	gtk_widget_set_name(b, "result-done");
	gtk_widget_set_halign(b, GTK_ALIGN_CENTER);
	gtk_widget_add_css_class(b, "pill");
	gtk_widget_add_css_class(b, "suggested-action");
	gtk_actionable_set_action_name(GTK_ACTIONABLE(b), "win.back");
	gtk_box_append(self->content, b);
}

static void
hearth_result_page_finalize(GObject *object)
{
	HearthResultPage *self = HEARTH_RESULT_PAGE(object);

	hearth_instrument_free(self->inst);
	g_clear_object(&self->session);
	G_OBJECT_CLASS(hearth_result_page_parent_class)->finalize(object);
}

static void
hearth_result_page_class_init(HearthResultPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = hearth_result_page_finalize;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-result-page.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthResultPage, title);
	gtk_widget_class_bind_template_child(widget_class, HearthResultPage, content);
}

static void
hearth_result_page_init(HearthResultPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

static HearthResultPage *
page_new(HearthWindow *win, hearth_instrument *inst)
{
	HearthResultPage *self = g_object_new(HEARTH_TYPE_RESULT_PAGE, NULL);

	self->win = win;
	self->inst = inst;
	adw_window_title_set_subtitle(self->title,
		hearth_text_get(hearth_instrument_title(inst), hearth_gui_lang()));
	return self;
}

/* Is the action of the shown screening still unrecorded? */
static void
update_action(HearthResultPage *self)
{
	hearth_store *s = hearth_session_get_store(self->session);
	hearth_pending_action *v = NULL;
	size_t n = 0;
	gboolean still = FALSE;

	if (!self->pending || s == NULL)
		return;
	if (hearth_screening_pending_actions(s, &self->person, &v, &n) != HEARTH_OK) {
		hearth_errdetail_clear();
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (hearth_id_equal(&v[i].screening, &self->screening))
			still = TRUE;
	hearth_pending_actions_free(v, n);
	gtk_label_set_text(GTK_LABEL(self->action_label), still
		? _("The action taken is not recorded yet.")
		: _("Action taken recorded."));
	gtk_widget_set_visible(self->action_button, still);
}

static void
on_record_action(GtkButton *b, gpointer data)
{
	HearthResultPage *self = data;
	hearth_store *s = hearth_session_get_store(self->session);
	hearth_pending_action *v = NULL;
	size_t n = 0;

	if (s == NULL ||
	    hearth_screening_pending_actions(s, &self->person, &v, &n) != HEARTH_OK) {
		hearth_errdetail_clear();
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (hearth_id_equal(&v[i].screening, &self->screening))
			hearth_crisis_ask_pending(self->win, &v[i]);
	hearth_pending_actions_free(v, n);
}

HearthResultPage *
hearth_result_page_new_counsellor(HearthWindow *win, HearthSession *session,
				  hearth_instrument *inst,
				  const hearth_screening_result *res,
				  const hearth_id *person)
{
	HearthResultPage *self = page_new(win, inst);

	self->session = g_object_ref(session);
	if (res->safety) {
		GtkWidget *card = hearth_crisis_card_new(win, TRUE);

		if (res->action_pending) {
			self->pending = TRUE;
			self->screening = res->id;
			self->person = *person;
			self->action_label = hearth_gui_label("", "heading");
			gtk_widget_set_name(self->action_label, "result-action");
			gtk_box_append(GTK_BOX(card), self->action_label);
			self->action_button = gtk_button_new_with_mnemonic(
				_("_Record the Action Taken…"));
			gtk_widget_set_name(self->action_button, "result-record-action");
			gtk_widget_set_halign(self->action_button, GTK_ALIGN_START);
			g_signal_connect(self->action_button, "clicked",
					 G_CALLBACK(on_record_action), self);
			gtk_box_append(GTK_BOX(card), self->action_button);
			hearth_session_watch(session, HEARTH_CHANGE_SCREENINGS,
					     self, G_CALLBACK(update_action));
			update_action(self);
		}
		gtk_box_append(self->content, card);
	}
	add_score(self, &res->score);
	if (res->has_followup) {
		GtkWidget *g = adw_preferences_group_new();
		g_autofree char *when = NULL;
		char today[HEARTH_DATE_LEN + 1];

		hearth_gui_today(today);
		when = hearth_gui_date_label(res->followup_due, today);
		adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(g), _("Follow-up"));
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
			info_row(res->followup_high ? _("High-priority follow-up due")
						    : _("Follow-up due"), when));
		gtk_box_append(self->content, g);
	}
	add_done_button(self);
	return self;
}

HearthResultPage *
hearth_result_page_new_journal(HearthWindow *win, hearth_instrument *inst,
			       const hearth_journal_screened *out)
{
	HearthResultPage *self = page_new(win, inst);

	if (out->safety) {
		/* Help lines at once, in words for someone alone. */
		GtkWidget *card = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);

		gtk_widget_add_css_class(card, "card");
		gtk_widget_add_css_class(card, "crisis-card");
		gtk_widget_set_name(card, "crisis-card");
		gtk_box_append(GTK_BOX(card), hearth_gui_label(
			_("You are not alone. You can talk to someone right now."), "title-3"));
		gtk_box_append(GTK_BOX(card), hearth_gui_label(
			_("It is okay to ask for help. These lines answer day and night."), NULL));
		gtk_box_append(GTK_BOX(card), hearth_helplines_list_new(win));
		gtk_box_append(self->content, card);
	}
	add_score(self, &out->score);
	add_done_button(self);
	return self;
}
