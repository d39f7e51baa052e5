/*
 * gui-gtk/hearth-crisis.c - the crisis card and dialog.
 *
 * The card's wording (title and steps) comes from the core in both
 * languages; the help lines are the vault's configured ones, each with
 * when it answers and the day it was last verified.  Nothing here
 * calls or messages anyone: the counsellor does, the app only shows the
 * numbers.
 */
#include "hearth-crisis.h"

#include <string.h>

#include "hearth/instruments.h"
#include "hearth/screening.h"
#include "hearth/settings.h"

static void
on_copy(GtkButton *b, gpointer data)
{
	const char *number = data;
	HearthWindow *win = hearth_window_of(GTK_WIDGET(b));

	gdk_clipboard_set_text(gtk_widget_get_clipboard(GTK_WIDGET(b)), number);
	if (win != NULL)
		hearth_window_toast(win, _("Number copied"));
}

char *
hearth_helpline_verified_text(const char *verified)
{
	if (verified == NULL || *verified == '\0')
		return g_strdup(_("Not verified"));
	/* Translators: %s is a date, YYYY-MM-DD. */
	return g_strdup_printf(_("Verified on %s"), verified);
}

/* "24 h · Verified on 2026-03-02": when the line answers and when someone
 * last rang it and found it answering as listed. */
static char *
line_subtitle(const hearth_helpline *l)
{
	g_autofree char *verified = hearth_helpline_verified_text(l->verified);

	if (l->hours == NULL || *l->hours == '\0')
		return g_steal_pointer(&verified);
	return g_strdup_printf("%s · %s", l->hours, verified);
}

GtkWidget *
hearth_helplines_list_new(HearthWindow *win)
{
	GtkWidget *list = gtk_list_box_new();
	hearth_helpline *lines = NULL;
	size_t n = 0;
	hearth_status st;

	gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
	gtk_widget_add_css_class(list, "boxed-list");
	gtk_widget_set_name(list, "helplines");
	st = hearth_window_helplines(win, &lines, &n);
	if (st != HEARTH_OK)
		hearth_errdetail_clear();
	for (size_t i = 0; st == HEARTH_OK && i < n; i++) {
		GtkWidget *row = adw_action_row_new();
		GtkWidget *copy = gtk_button_new_from_icon_name("edit-copy-symbolic");
		g_autofree char *uri = g_strdup_printf("tel:%s", lines[i].number);
		g_autofree char *sub = line_subtitle(&lines[i]);
		GtkWidget *call = gtk_link_button_new_with_label(uri, lines[i].number);

		adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), lines[i].name);
		adw_action_row_set_subtitle(ADW_ACTION_ROW(row), sub);
		gtk_widget_set_valign(call, GTK_ALIGN_CENTER);
		gtk_widget_set_valign(copy, GTK_ALIGN_CENTER);
		gtk_widget_add_css_class(copy, "flat");
		gtk_widget_set_tooltip_text(copy, _("Copy the number"));
		gtk_accessible_update_property(GTK_ACCESSIBLE(copy),
			GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy the number"), -1);
		gtk_widget_set_tooltip_text(call, _("Call"));
		adw_action_row_add_suffix(ADW_ACTION_ROW(row), call);
		adw_action_row_add_suffix(ADW_ACTION_ROW(row), copy);
		g_signal_connect_data(copy, "clicked", G_CALLBACK(on_copy),
				      g_strdup(lines[i].number),
				      (GClosureNotify)(void (*)(void))g_free, 0);
		gtk_list_box_append(GTK_LIST_BOX(list), row);
	}
	hearth_helplines_free(lines, n);
	return list;
}

char *
hearth_helplines_stale_names(HearthWindow *win)
{
	hearth_helpline *lines = NULL;
	size_t n = 0;
	char today[HEARTH_DATE_LEN + 1];
	GString *names = NULL;

	if (hearth_window_helplines(win, &lines, &n) != HEARTH_OK) {
		hearth_errdetail_clear();
		return NULL;
	}
	hearth_gui_today(today);
	for (size_t i = 0; i < n; i++) {
		if (!hearth_helpline_stale(&lines[i], today))
			continue;
		if (names == NULL)
			names = g_string_new(NULL);
		else
			g_string_append(names, _(", "));
		g_string_append(names, lines[i].name);
	}
	hearth_helplines_free(lines, n);
	return names ? g_string_free(names, FALSE) : NULL;
}

GtkWidget *
hearth_crisis_card_new(HearthWindow *win, gboolean with_steps)
{
	GtkWidget *card = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	const char *lang = hearth_gui_lang();

	gtk_widget_add_css_class(card, "card");
	gtk_widget_add_css_class(card, "crisis-card");
	gtk_widget_set_name(card, "crisis-card");
	gtk_box_append(GTK_BOX(card),
		hearth_gui_label(hearth_text_get(hearth_crisis_title(), lang), "title-3"));
	if (with_steps) {
		size_t n = 0;
		const hearth_text *steps = hearth_crisis_steps(&n);

		for (size_t i = 0; i < n; i++) {
			g_autofree char *t = g_strdup_printf("%zu. %s", i + 1,
				hearth_text_get(&steps[i], lang));

			gtk_box_append(GTK_BOX(card), hearth_gui_label(t, NULL));
		}
	}
	gtk_box_append(GTK_BOX(card), hearth_helplines_list_new(win));
	return card;
}

/* ---- the dialog ---------------------------------------------------------- */

typedef struct {
	HearthCrisisDone done;  /* hearth_crisis_ask: save once known */
	gpointer data;
	gboolean pending;       /* hearth_crisis_ask_pending: record on */
	hearth_id screening;
	HearthWindow *win;
	HearthSession *session; /* a reference: the action is written here */
	gboolean closable;      /* recorded, or "Record Later" chosen */
	GtkCheckButton *choices[5];
	GtkWidget *details;
} Crisis;

static const char *const choice_labels[] = {
	N_("Stayed with the person and made a safety plan together"),
	N_("Called a help line together"),
	N_("Called emergency services (120 or 110)"),
	N_("Told the supervisor"),
	N_("Other (write below)"),
};

static char *
chosen_action(Crisis *c)
{
	const char *details = gtk_editable_get_text(GTK_EDITABLE(c->details));
	g_autofree char *d = g_strstrip(g_strdup(details));

	for (size_t i = 0; i < G_N_ELEMENTS(c->choices); i++) {
		if (!gtk_check_button_get_active(c->choices[i]))
			continue;
		if (i == G_N_ELEMENTS(c->choices) - 1)
			return *d ? g_strdup(d) : NULL;
		if (*d)
			return g_strdup_printf("%s: %s", _(choice_labels[i]), d);
		return g_strdup(_(choice_labels[i]));
	}
	return NULL;
}

static void
update_enabled(Crisis *c, AdwMessageDialog *d)
{
	g_autofree char *a = chosen_action(c);

	adw_message_dialog_set_response_enabled(d, "record", a != NULL);
}

static void
on_choice(GtkCheckButton *b, gpointer data)
{
	AdwMessageDialog *d = ADW_MESSAGE_DIALOG(gtk_widget_get_root(GTK_WIDGET(b)));

	update_enabled(g_object_get_data(G_OBJECT(d), "crisis"), d);
}

static void
on_details(GtkEditable *e, gpointer data)
{
	AdwMessageDialog *d = ADW_MESSAGE_DIALOG(data);

	update_enabled(g_object_get_data(G_OBJECT(d), "crisis"), d);
}

/* Records the action on the saved screening.  FALSE (the dialog stays
 * open, the reason shown) when the core refuses. */
static gboolean
record_pending(Crisis *c, const char *action)
{
	hearth_store *s = c->session ? hearth_session_get_store(c->session) : NULL;
	char today[HEARTH_DATE_LEN + 1];
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *hm = g_date_time_format(now, "%H:%M");
	g_autofree char *at = NULL;
	hearth_status st;

	if (s == NULL)
		return FALSE;
	hearth_gui_today(today);
	at = g_strdup_printf("%s %s", today, hm);
	st = hearth_screening_record_action(s, &c->screening, action, at);
	if (st == HEARTH_ESTATE) {
		/* Recorded already (another dialog, the command line). */
		hearth_errdetail_clear();
	} else if (st != HEARTH_OK) {
		hearth_window_status(c->win, st);
		return FALSE;
	}
	/* No toast: the pages say it (the result's card, Today's row). */
	hearth_session_changed(c->session, HEARTH_CHANGE_SCREENINGS);
	return TRUE;
}

static void
on_response(AdwMessageDialog *d, const char *response, gpointer data)
{
	Crisis *c = g_object_get_data(G_OBJECT(d), "crisis");
	g_autofree char *action = NULL;

	if (c->closable)
		return;
	if (c->pending && strcmp(response, "later") == 0) {
		c->closable = TRUE;
		hearth_window_toast(c->win,
			_("The safety result is saved. Its action stays at the top of Today until it is recorded."));
		gtk_window_close(GTK_WINDOW(d));
		return;
	}
	if (strcmp(response, "record") != 0)
		return;
	action = chosen_action(c);
	if (action == NULL)
		return;
	if (c->pending) {
		if (!record_pending(c, action))
			return;
	} else {
		c->done(action, c->data);
	}
	c->closable = TRUE;
	/* libadwaita closes a message dialog before it emits the response,
	 * when the close was still refused: close it now it is recorded. */
	gtk_window_close(GTK_WINDOW(d));
}

static gboolean
on_close_request(GtkWindow *w, gpointer data)
{
	Crisis *c = g_object_get_data(G_OBJECT(w), "crisis");

	/* Escape or the window manager does not hide the crisis steps: an
	 * explicit response does (Record, or Record Later). */
	return !c->closable;
}

static void
crisis_free(gpointer p)
{
	Crisis *c = p;

	if (c->data != NULL && G_IS_OBJECT(c->data))
		g_object_unref(c->data);
	g_clear_object(&c->session);
	g_free(c);
}

static GtkWidget *
crisis_dialog_new(HearthWindow *win, Crisis *c, const char *what)
{
	const char *lang = hearth_gui_lang();
	size_t n = 0;
	const hearth_text *steps = hearth_crisis_steps(&n);
	GString *body = g_string_new(NULL);
	GtkWidget *dialog, *box, *list;
	g_autofree char *stale = NULL;

	for (size_t i = 0; i < n; i++)
		g_string_append_printf(body, "%s%zu. %s", i ? "\n" : "", i + 1,
				       hearth_text_get(&steps[i], lang));
	dialog = adw_message_dialog_new(GTK_WINDOW(win),
		hearth_text_get(hearth_crisis_title(), lang), body->str);
	g_string_free(body, TRUE);
	gtk_widget_set_name(dialog, "crisis-dialog");
	c->win = win;
	if (hearth_window_get_session(win) != NULL)
		c->session = g_object_ref(hearth_window_get_session(win));
	g_object_set_data_full(G_OBJECT(dialog), "crisis", c, crisis_free);

	box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	if (what != NULL) {
		GtkWidget *l = hearth_gui_label(what, "heading");

		gtk_widget_set_name(l, "crisis-pending-what");
		gtk_box_append(GTK_BOX(box), l);
	}
	gtk_box_append(GTK_BOX(box), hearth_helplines_list_new(win));
	stale = hearth_helplines_stale_names(win);
	if (stale != NULL) {
		/* Translators: %s lists help lines by name. */
		g_autofree char *t = g_strdup_printf(
			_("Not verified in the last 90 days: %s. Ring them when you can and record the day in Preferences."),
			stale);
		GtkWidget *l = hearth_gui_label(t, "warning");

		gtk_widget_set_name(l, "crisis-helplines-stale");
		gtk_box_append(GTK_BOX(box), l);
	}
	gtk_box_append(GTK_BOX(box),
		hearth_gui_label(c->pending ? _("What was done? Record it now, or later from Today.")
					    : _("What was done? Record it before closing."),
				 "heading"));
	list = gtk_list_box_new();
	gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
	gtk_widget_add_css_class(list, "boxed-list");
	for (size_t i = 0; i < G_N_ELEMENTS(choice_labels); i++) {
		GtkWidget *row = adw_action_row_new();
		GtkWidget *check = gtk_check_button_new();

		c->choices[i] = GTK_CHECK_BUTTON(check);
		if (i > 0)
			gtk_check_button_set_group(GTK_CHECK_BUTTON(check), c->choices[0]);
		g_autofree char *name = g_strdup_printf("crisis-action-%zu", i);
		gtk_widget_set_name(check, name);
		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), _(choice_labels[i]));
		adw_action_row_set_title_lines(ADW_ACTION_ROW(row), 3);
		adw_action_row_add_prefix(ADW_ACTION_ROW(row), check);
		adw_action_row_set_activatable_widget(ADW_ACTION_ROW(row), check);
		g_signal_connect(check, "toggled", G_CALLBACK(on_choice), NULL);
		gtk_list_box_append(GTK_LIST_BOX(list), row);
	}
	c->details = adw_entry_row_new();
	gtk_widget_set_name(c->details, "crisis-details");
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(c->details), _("Details"));
	gtk_list_box_append(GTK_LIST_BOX(list), c->details);
	g_signal_connect(c->details, "changed", G_CALLBACK(on_details), dialog);
	gtk_box_append(GTK_BOX(box), list);

	{
		GtkWidget *scroll = gtk_scrolled_window_new();

		gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll),
			GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
		gtk_scrolled_window_set_propagate_natural_height(GTK_SCROLLED_WINDOW(scroll), TRUE);
		gtk_scrolled_window_set_max_content_height(GTK_SCROLLED_WINDOW(scroll), 420);
		gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), box);
		adw_message_dialog_set_extra_child(ADW_MESSAGE_DIALOG(dialog), scroll);
	}
	if (c->pending)
		adw_message_dialog_add_response(ADW_MESSAGE_DIALOG(dialog), "later",
						_("Record _Later"));
	adw_message_dialog_add_response(ADW_MESSAGE_DIALOG(dialog), "record",
					_("_Record Action"));
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(dialog),
						   "record", ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_response_enabled(ADW_MESSAGE_DIALOG(dialog),
						"record", FALSE);
	adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(dialog),
					      c->pending ? "later" : "record");
	g_signal_connect(dialog, "close-request", G_CALLBACK(on_close_request), NULL);
	g_signal_connect(dialog, "response", G_CALLBACK(on_response), NULL);
	gtk_window_present(GTK_WINDOW(dialog));
	return dialog;
}

GtkWidget *
hearth_crisis_ask(HearthWindow *win, HearthCrisisDone done, gpointer data)
{
	Crisis *c = g_new0(Crisis, 1);

	c->done = done;
	c->data = data;
	return crisis_dialog_new(win, c, NULL);
}

char *
hearth_pending_action_text(const hearth_pending_action *p)
{
	hearth_instrument *inst = NULL;
	g_autofree char *title = NULL;

	if (hearth_instrument_find(p->instrument, &inst) == HEARTH_OK)
		title = g_strdup(hearth_text_get(hearth_instrument_title(inst),
						 hearth_gui_lang()));
	else
		hearth_errdetail_clear();
	hearth_instrument_free(inst);
	/* Translators: a safety result saved without the action taken;
	 * %1$s a person, %2$s an instrument (PHQ-9), %3$s a date. */
	return g_strdup_printf(_("Safety action not recorded — %1$s, %2$s, %3$s"),
			       p->person_name ? p->person_name : "",
			       title ? title : p->instrument, p->date);
}

GtkWidget *
hearth_crisis_ask_pending(HearthWindow *win, const hearth_pending_action *p)
{
	GListModel *tops = gtk_window_get_toplevels();
	g_autofree char *what = hearth_pending_action_text(p);
	Crisis *c;

	/* One dialog per pending action: the one open already comes up. */
	for (guint i = 0; i < g_list_model_get_n_items(tops); i++) {
		g_autoptr(GtkWindow) w = g_list_model_get_item(tops, i);
		Crisis *open = g_object_get_data(G_OBJECT(w), "crisis");

		if (open != NULL && open->pending && !open->closable &&
		    hearth_id_equal(&open->screening, &p->screening)) {
			gtk_window_present(w);
			return GTK_WIDGET(w);
		}
	}
	c = g_new0(Crisis, 1);
	c->pending = TRUE;
	c->screening = p->screening;
	return crisis_dialog_new(win, c, what);
}

/* ---- a pending action as a row ------------------------------------------- */

typedef struct {
	hearth_pending_action p;
	HearthWindow *win;
} PendingRow;

static void
pending_row_free(gpointer data)
{
	PendingRow *r = data;

	g_free(r->p.person_name);
	g_free(r->p.instrument);
	g_free(r);
}

static void
on_pending_record(GtkButton *b, gpointer data)
{
	PendingRow *r = data;

	hearth_crisis_ask_pending(r->win, &r->p);
}

GtkWidget *
hearth_pending_action_row_new(HearthWindow *win, const hearth_pending_action *p)
{
	GtkWidget *row = adw_action_row_new();
	GtkWidget *icon = gtk_image_new_from_icon_name("dialog-warning-symbolic");
	GtkWidget *button = gtk_button_new_with_mnemonic(_("_Record…"));
	g_autofree char *text = hearth_pending_action_text(p);
	PendingRow *r = g_new0(PendingRow, 1);

	r->p = *p;
	r->p.person_name = g_strdup(p->person_name);
	r->p.instrument = g_strdup(p->instrument);
	r->win = win;
	gtk_widget_set_name(row, "pending-action");
	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), text);
	adw_action_row_set_title_lines(ADW_ACTION_ROW(row), 0);
	gtk_widget_add_css_class(icon, "safety-flag");
	adw_action_row_add_prefix(ADW_ACTION_ROW(row), icon);
	gtk_widget_set_name(button, "pending-action-record");
	gtk_widget_set_valign(button, GTK_ALIGN_CENTER);
	gtk_widget_add_css_class(button, "suggested-action");
	gtk_widget_set_tooltip_text(button, _("Record the action taken"));
	gtk_accessible_update_property(GTK_ACCESSIBLE(button),
		GTK_ACCESSIBLE_PROPERTY_LABEL, _("Record the action taken"), -1);
	g_signal_connect_data(button, "clicked", G_CALLBACK(on_pending_record), r,
			      (GClosureNotify)(void (*)(void))pending_row_free, 0);
	adw_action_row_add_suffix(ADW_ACTION_ROW(row), button);
	return row;
}
