/*
 * gui-gtk/hearth-crisis.c - the crisis card and dialog.
 *
 * The card's wording (title and steps) comes from the core in both
 * languages; the help lines are the vault's configured ones.  Nothing here
 * calls or messages anyone: the counsellor does, the app only shows the
 * numbers.
 */
#include "hearth-crisis.h"

#include <string.h>

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

GtkWidget *
hearth_helplines_list_new(hearth_store *store)
{
	GtkWidget *list = gtk_list_box_new();
	hearth_helpline *lines = NULL;
	size_t n = 0;
	hearth_status st;
	const char *lang = hearth_gui_lang();

	gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
	gtk_widget_add_css_class(list, "boxed-list");
	gtk_widget_set_name(list, "helplines");
	st = store ? hearth_settings_helplines(store, lang, &lines, &n)
		   : hearth_helplines_default(lang, &lines, &n);
	if (st != HEARTH_OK) {
		hearth_errdetail_clear();
		st = hearth_helplines_default(lang, &lines, &n);
	}
	for (size_t i = 0; st == HEARTH_OK && i < n; i++) {
		GtkWidget *row = adw_action_row_new();
		GtkWidget *copy = gtk_button_new_from_icon_name("edit-copy-symbolic");
		g_autofree char *uri = g_strdup_printf("tel:%s", lines[i].number);
		GtkWidget *call = gtk_link_button_new_with_label(uri, lines[i].number);

		adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), lines[i].name);
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

GtkWidget *
hearth_crisis_card_new(hearth_store *store, gboolean with_steps)
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
	gtk_box_append(GTK_BOX(card), hearth_helplines_list_new(store));
	return card;
}

/* ---- the dialog ---------------------------------------------------------- */

typedef struct {
	HearthCrisisDone done;
	gpointer data;
	gboolean recorded;
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

static void
on_response(AdwMessageDialog *d, const char *response, gpointer data)
{
	Crisis *c = g_object_get_data(G_OBJECT(d), "crisis");
	g_autofree char *action = NULL;

	if (strcmp(response, "record") != 0 || c->recorded)
		return;
	action = chosen_action(c);
	if (action == NULL)
		return;
	c->recorded = TRUE;
	c->done(action, c->data);
	/* libadwaita closes a message dialog before it emits the response,
	 * when the close was still refused: close it now it is recorded. */
	gtk_window_close(GTK_WINDOW(d));
}

static gboolean
on_close_request(GtkWindow *w, gpointer data)
{
	Crisis *c = g_object_get_data(G_OBJECT(w), "crisis");

	/* Stay open until the action taken is recorded. */
	return !c->recorded;
}

static void
crisis_free(gpointer p)
{
	Crisis *c = p;

	if (c->data != NULL && G_IS_OBJECT(c->data))
		g_object_unref(c->data);
	g_free(c);
}

GtkWidget *
hearth_crisis_ask(HearthWindow *win, HearthCrisisDone done, gpointer data)
{
	const char *lang = hearth_gui_lang();
	size_t n = 0;
	const hearth_text *steps = hearth_crisis_steps(&n);
	GString *body = g_string_new(NULL);
	GtkWidget *dialog, *box, *list;
	Crisis *c = g_new0(Crisis, 1);

	for (size_t i = 0; i < n; i++)
		g_string_append_printf(body, "%s%zu. %s", i ? "\n" : "", i + 1,
				       hearth_text_get(&steps[i], lang));
	dialog = adw_message_dialog_new(GTK_WINDOW(win),
		hearth_text_get(hearth_crisis_title(), lang), body->str);
	g_string_free(body, TRUE);
	gtk_widget_set_name(dialog, "crisis-dialog");
	c->done = done;
	c->data = data;
	g_object_set_data_full(G_OBJECT(dialog), "crisis", c, crisis_free);

	box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	gtk_box_append(GTK_BOX(box), hearth_helplines_list_new(hearth_window_get_store(win)));
	gtk_box_append(GTK_BOX(box),
		hearth_gui_label(_("What was done? Record it before closing."), "heading"));
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
	adw_message_dialog_add_response(ADW_MESSAGE_DIALOG(dialog), "record",
					_("_Record Action"));
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(dialog),
						   "record", ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_response_enabled(ADW_MESSAGE_DIALOG(dialog),
						"record", FALSE);
	adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(dialog), "record");
	g_signal_connect(dialog, "close-request", G_CALLBACK(on_close_request), NULL);
	g_signal_connect(dialog, "response", G_CALLBACK(on_response), NULL);
	gtk_window_present(GTK_WINDOW(dialog));
	return dialog;
}
