/*
 * gui-gtk/hearth-record-actions.c - dialogs and rows shared by pages.
 */
#include "hearth-record-actions.h"

#include <string.h>

#include "hearth-person-item.h"

/* ---- helpers ------------------------------------------------------------ */

static GtkWidget *
boxed_list(void)
{
	GtkWidget *list = gtk_list_box_new();

	gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
	gtk_widget_add_css_class(list, "boxed-list");
	return list;
}

static GtkWidget *
entry_row(const char *title, const char *text, const char *name)
{
	GtkWidget *row = adw_entry_row_new();

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	if (text != NULL)
		gtk_editable_set_text(GTK_EDITABLE(row), text);
	if (name != NULL)
		gtk_widget_set_name(row, name);
	return row;
}

static AdwMessageDialog *
message(HearthWindow *win, const char *heading, const char *body)
{
	GtkWidget *d = adw_message_dialog_new(GTK_WINDOW(win), heading, body);

	return ADW_MESSAGE_DIALOG(d);
}

char *
hearth_due_text(const char *due, int32_t days_overdue, const char *today)
{
	if (days_overdue > 0)
		return g_strdup_printf(g_dngettext(NULL, "Overdue by %d day",
						   "Overdue by %d days",
						   (gulong)days_overdue),
				       (int)days_overdue);
	if (g_strcmp0(due, today) == 0)
		return g_strdup(_("Due today"));
	{
		g_autofree char *d = hearth_gui_date_label(due, today);

		/* Translators: %s is a date such as "Tomorrow" or "Mon 2026-03-16". */
		return g_strdup_printf(_("Due %s"), d);
	}
}

char *
hearth_conflicts_text(const hearth_conflict *c, size_t n)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < n; i++) {
		const char *fmt;

		if (strcmp(c[i].rule, "counsellor") == 0)
			/* Translators: the first %s is the new session's time, the
			 * second the time of the booking it overlaps. */
			fmt = _("%s clashes with the counsellor's booking at %s.");
		else if (strcmp(c[i].rule, "person") == 0)
			fmt = _("%s clashes with this person's booking at %s.");
		else
			fmt = _("%s clashes with a booking of the same place at %s.");
		if (s->len)
			g_string_append_c(s, '\n');
		g_string_append_printf(s, fmt, c[i].at, c[i].other_at);
	}
	return g_string_free(s, FALSE);
}

/* ---- follow-ups --------------------------------------------------------- */

/* What a dialog or row acts on: the window it shows in, the session it
 * writes through (taken when it is made), and up to two records. */
typedef struct {
	HearthWindow *win;
	HearthSession *session;
	hearth_id id;
	hearth_id other;
	gboolean has_other;
	GtkWidget *a, *b, *c;
} Ctx;

static Ctx *
ctx_new(HearthWindow *win, const hearth_id *id)
{
	Ctx *c = g_new0(Ctx, 1);

	c->win = win;
	c->session = g_object_ref(hearth_window_get_session(win));
	if (id != NULL)
		c->id = *id;
	return c;
}

static void
ctx_free(gpointer p, GClosure *closure)
{
	Ctx *c = p;

	g_object_unref(c->session);
	g_free(c);
}

static void
on_outcome_changed(GtkEditable *e, gpointer data)
{
	AdwMessageDialog *d = data;
	g_autofree char *t = g_strstrip(g_strdup(gtk_editable_get_text(e)));

	adw_message_dialog_set_response_enabled(d, "done", *t != '\0');
}

static void
on_done_response(AdwMessageDialog *d, const char *response, gpointer data)
{
	Ctx *c = data;
	char today[HEARTH_DATE_LEN + 1];
	hearth_status st;

	if (strcmp(response, "done") != 0)
		return;
	hearth_gui_today(today);
	st = hearth_followup_done(hearth_session_get_store(c->session), &c->id,
				  gtk_editable_get_text(GTK_EDITABLE(c->a)), today);
	if (st != HEARTH_OK) {
		hearth_window_status(c->win, st);
		return;
	}
	hearth_window_toast(c->win, _("Follow-up done"));
	hearth_session_changed(c->session, HEARTH_CHANGE_FOLLOWUPS);
}

void
hearth_followup_done_ask(HearthWindow *win, const hearth_id *id)
{
	AdwMessageDialog *d = message(win, _("Follow-up Done"),
		_("What came of it? A few words are enough."));
	GtkWidget *list = boxed_list();
	Ctx *c = ctx_new(win, id);

	c->a = entry_row(_("Outcome"), NULL, "followup-outcome");
	gtk_list_box_append(GTK_LIST_BOX(list), c->a);
	adw_message_dialog_set_extra_child(d, list);
	adw_message_dialog_add_responses(d, "cancel", _("_Cancel"),
					 "done", _("_Done"), NULL);
	adw_message_dialog_set_response_appearance(d, "done", ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_response_enabled(d, "done", FALSE);
	adw_message_dialog_set_close_response(d, "cancel");
	g_signal_connect(c->a, "changed", G_CALLBACK(on_outcome_changed), d);
	g_signal_connect_data(d, "response", G_CALLBACK(on_done_response), c,
			      ctx_free, 0);
	gtk_window_present(GTK_WINDOW(d));
}

void
hearth_followup_unreachable_run(HearthWindow *win, const hearth_id *id)
{
	HearthSession *session = hearth_window_get_session(win);
	char today[HEARTH_DATE_LEN + 1];
	hearth_followup_retry res;
	g_autofree char *text = NULL;
	hearth_status st;

	if (session == NULL)
		return;
	hearth_gui_today(today);
	st = hearth_followup_unreachable(hearth_session_get_store(session), id,
					 today, &res);
	if (st != HEARTH_OK) {
		hearth_window_status(win, st);
		return;
	}
	if (res.escalated)
		text = g_strdup(_("Not reached three times: flagged for the team lead"));
	else
		/* Translators: %s is the date of the next try. */
		text = g_strdup_printf(_("Not reached: try again on %s"), res.due);
	hearth_window_toast(win, text);
	hearth_session_changed(session, HEARTH_CHANGE_FOLLOWUPS);
}

static void
on_add_fu_changed(GtkEditable *e, gpointer data)
{
	Ctx *c = data;
	AdwMessageDialog *d = ADW_MESSAGE_DIALOG(gtk_widget_get_root(c->a));
	g_autofree char *reason = g_strstrip(g_strdup(gtk_editable_get_text(GTK_EDITABLE(c->b))));
	int32_t day;
	gboolean ok = hearth_date_parse(gtk_editable_get_text(GTK_EDITABLE(c->a)), &day) == HEARTH_OK;

	hearth_errdetail_clear();
	if (ok)
		gtk_widget_remove_css_class(c->a, "error");
	else
		gtk_widget_add_css_class(c->a, "error");
	if (d != NULL)
		adw_message_dialog_set_response_enabled(d, "add", ok && *reason);
}

static void
on_add_fu_response(AdwMessageDialog *d, const char *response, gpointer data)
{
	Ctx *c = data;
	char today[HEARTH_DATE_LEN + 1];
	hearth_followup_new f = { 0 };
	hearth_id out;
	hearth_status st;
	guint sel;

	if (strcmp(response, "add") != 0)
		return;
	hearth_gui_today(today);
	sel = adw_combo_row_get_selected(ADW_COMBO_ROW(c->c));
	f.person = c->id;
	f.due = gtk_editable_get_text(GTK_EDITABLE(c->a));
	f.reason = gtk_editable_get_text(GTK_EDITABLE(c->b));
	f.priority = hearth_priority_name(sel < HEARTH_PRIORITY_COUNT ? sel
							 : HEARTH_PRIORITY_NORMAL);
	st = hearth_followup_add(hearth_session_get_store(c->session), &f, today, &out);
	if (st != HEARTH_OK) {
		hearth_window_status(c->win, st);
		return;
	}
	hearth_window_toast(c->win, _("Follow-up added"));
	hearth_session_changed(c->session, HEARTH_CHANGE_FOLLOWUPS);
}

void
hearth_followup_add_ask(HearthWindow *win, const hearth_id *person)
{
	AdwMessageDialog *d = message(win, _("New Follow-up"), NULL);
	GtkWidget *list = boxed_list();
	Ctx *c = ctx_new(win, person);
	char today[HEARTH_DATE_LEN + 1], due[HEARTH_DATE_LEN + 1];
	GtkStringList *prio = gtk_string_list_new(NULL);

	hearth_gui_today(today);
	if (hearth_date_add_days(today, 7, due) != HEARTH_OK)
		g_strlcpy(due, today, sizeof due);
	c->a = entry_row(_("Due date (YYYY-MM-DD)"), due, "followup-due");
	c->b = entry_row(_("Reason"), NULL, "followup-reason");
	c->c = adw_combo_row_new();
	for (hearth_priority v = 0; v < HEARTH_PRIORITY_COUNT; v++)
		gtk_string_list_append(prio, hearth_priority_label(v));
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(c->c), _("Priority"));
	adw_combo_row_set_model(ADW_COMBO_ROW(c->c), G_LIST_MODEL(prio));
	adw_combo_row_set_selected(ADW_COMBO_ROW(c->c), HEARTH_PRIORITY_NORMAL);
	g_object_unref(prio);
	gtk_list_box_append(GTK_LIST_BOX(list), c->a);
	gtk_list_box_append(GTK_LIST_BOX(list), c->b);
	gtk_list_box_append(GTK_LIST_BOX(list), c->c);
	adw_message_dialog_set_extra_child(d, list);
	adw_message_dialog_add_responses(d, "cancel", _("_Cancel"),
					 "add", _("_Add"), NULL);
	adw_message_dialog_set_response_appearance(d, "add", ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_response_enabled(d, "add", FALSE);
	adw_message_dialog_set_close_response(d, "cancel");
	g_signal_connect(c->a, "changed", G_CALLBACK(on_add_fu_changed), c);
	g_signal_connect(c->b, "changed", G_CALLBACK(on_add_fu_changed), c);
	g_signal_connect_data(d, "response", G_CALLBACK(on_add_fu_response), c,
			      ctx_free, 0);
	gtk_window_present(GTK_WINDOW(d));
}

static void
on_row_done(GtkButton *b, gpointer data)
{
	Ctx *c = data;

	hearth_followup_done_ask(c->win, &c->id);
}

static void
on_row_unreachable(GtkButton *b, gpointer data)
{
	Ctx *c = data;

	hearth_followup_unreachable_run(c->win, &c->id);
}

static void
on_row_person(AdwActionRow *row, gpointer data)
{
	Ctx *c = data;

	if (c->has_other)
		hearth_window_open_person(c->win, &c->other);
}

GtkWidget *
hearth_followup_row_new(HearthWindow *win, const hearth_followup_item *f,
			gboolean show_person)
{
	GtkWidget *row = adw_action_row_new();
	char today[HEARTH_DATE_LEN + 1];
	g_autofree char *due = NULL;
	g_autofree char *sub = NULL;
	gboolean pending = hearth_gui_followup_status_value(f->status) !=
			   HEARTH_FOLLOWUP_DONE;

	hearth_gui_today(today);
	due = hearth_due_text(f->due, f->days_overdue, today);
	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
	if (show_person) {
		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row),
			hearth_person_display_name(f->person_name));
		sub = pending ? g_strdup_printf("%s · %s", f->label, due)
			      : g_strdup_printf("%s · %s", f->label, f->outcome);
	} else {
		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), f->label);
		sub = pending ? g_strdup(due) : g_strdup(f->outcome);
	}
	if (f->safety || f->escalated ||
	    hearth_gui_priority_value(f->priority) == HEARTH_PRIORITY_HIGH) {
		g_autofree char *tagged = g_strdup_printf("%s · %s", sub,
			f->safety ? _("Safety") : f->escalated ? _("Escalated")
				  : _("High priority"));

		g_free(sub);
		sub = g_steal_pointer(&tagged);
	}
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), sub);
	adw_action_row_set_subtitle_lines(ADW_ACTION_ROW(row), 3);
	if (f->days_overdue > 0 || f->safety) {
		GtkWidget *icon = gtk_image_new_from_icon_name("dialog-warning-symbolic");

		gtk_widget_add_css_class(icon, f->safety ? "error" : "warning");
		adw_action_row_add_prefix(ADW_ACTION_ROW(row), icon);
	}
	if (pending) {
		Ctx *c = ctx_new(win, &f->id);
		GtkWidget *done = gtk_button_new_with_mnemonic(_("_Done…"));
		GtkWidget *miss = gtk_button_new_from_icon_name("call-missed-symbolic");

		c->other = f->person;
		c->has_other = TRUE;
		gtk_widget_set_valign(done, GTK_ALIGN_CENTER);
		gtk_widget_set_valign(miss, GTK_ALIGN_CENTER);
		gtk_widget_set_tooltip_text(miss, _("Not reached"));
		gtk_accessible_update_property(GTK_ACCESSIBLE(miss),
			GTK_ACCESSIBLE_PROPERTY_LABEL, _("Not reached"), -1);
		gtk_widget_set_name(done, "followup-done");
		gtk_widget_add_css_class(miss, "flat");
		adw_action_row_add_suffix(ADW_ACTION_ROW(row), miss);
		adw_action_row_add_suffix(ADW_ACTION_ROW(row), done);
		g_signal_connect_data(done, "clicked", G_CALLBACK(on_row_done), c,
				      ctx_free, 0);
		g_signal_connect(miss, "clicked", G_CALLBACK(on_row_unreachable), c);
		if (show_person) {
			gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), TRUE);
			g_signal_connect(row, "activated", G_CALLBACK(on_row_person), c);
		}
	}
	return row;
}

/* ---- appointments ------------------------------------------------------- */

static void
on_move_response(AdwMessageDialog *d, const char *response, gpointer data);

static void
move_run(Ctx *c, const char *at, int strict)
{
	hearth_appt_result *res = NULL;
	hearth_status st;

	st = hearth_appt_move(hearth_session_get_store(c->session), &c->id, at,
			      strict, &res);
	if (st == HEARTH_ESTATE && res != NULL && res->nconflicts > 0) {
		g_autofree char *text = hearth_conflicts_text(res->conflicts,
							      res->nconflicts);
		AdwMessageDialog *d = message(c->win, _("Time Clash"), text);
		Ctx *c2 = ctx_new(c->win, &c->id);

		c2->a = gtk_label_new(at);
		g_object_ref_sink(c2->a);
		adw_message_dialog_add_responses(d, "cancel", _("_Cancel"),
						 "force", _("Move _Anyway"), NULL);
		adw_message_dialog_set_close_response(d, "cancel");
		g_signal_connect_data(d, "response", G_CALLBACK(on_move_response),
				      c2, ctx_free, 0);
		gtk_window_present(GTK_WINDOW(d));
		hearth_appt_result_free(res);
		return;
	}
	hearth_appt_result_free(res);
	if (st != HEARTH_OK) {
		hearth_window_status(c->win, st);
		return;
	}
	hearth_window_toast(c->win, _("Appointment moved"));
	hearth_session_changed(c->session, HEARTH_CHANGE_APPOINTMENTS);
}

static void
on_move_response(AdwMessageDialog *d, const char *response, gpointer data)
{
	Ctx *c = data;

	if (strcmp(response, "force") == 0) {
		move_run(c, gtk_label_get_text(GTK_LABEL(c->a)), 0);
		g_clear_object(&c->a);
		return;
	}
	if (strcmp(response, "move") == 0) {
		g_autofree char *at = g_strdup_printf("%s %s",
			gtk_editable_get_text(GTK_EDITABLE(c->a)),
			gtk_editable_get_text(GTK_EDITABLE(c->b)));

		move_run(c, at, 1);
		return;
	}
	if (c->a != NULL && GTK_IS_LABEL(c->a))
		g_clear_object(&c->a);
}

static void
on_move_changed(GtkEditable *e, gpointer data)
{
	Ctx *c = data;
	g_autofree char *at = g_strdup_printf("%s %s",
		gtk_editable_get_text(GTK_EDITABLE(c->a)),
		gtk_editable_get_text(GTK_EDITABLE(c->b)));
	int64_t m;
	gboolean ok = hearth_datetime_parse(at, &m) == HEARTH_OK;
	GtkRoot *root = gtk_widget_get_root(c->a);

	hearth_errdetail_clear();
	if (root != NULL)
		adw_message_dialog_set_response_enabled(ADW_MESSAGE_DIALOG(root),
							"move", ok);
}

static void
move_ask(HearthWindow *win, const hearth_appt_item *a)
{
	AdwMessageDialog *d = message(win, _("Move Appointment"), NULL);
	GtkWidget *list = boxed_list();
	Ctx *c = ctx_new(win, &a->id);
	char date[HEARTH_DATE_LEN + 1];

	g_strlcpy(date, a->at, sizeof date);
	c->a = entry_row(_("Date (YYYY-MM-DD)"), date, "move-date");
	c->b = entry_row(_("Time (HH:MM)"), a->at + HEARTH_DATE_LEN + 1, "move-time");
	gtk_list_box_append(GTK_LIST_BOX(list), c->a);
	gtk_list_box_append(GTK_LIST_BOX(list), c->b);
	adw_message_dialog_set_extra_child(d, list);
	adw_message_dialog_add_responses(d, "cancel", _("_Cancel"),
					 "move", _("_Move"), NULL);
	adw_message_dialog_set_response_appearance(d, "move", ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_close_response(d, "cancel");
	g_signal_connect(c->a, "changed", G_CALLBACK(on_move_changed), c);
	g_signal_connect(c->b, "changed", G_CALLBACK(on_move_changed), c);
	g_signal_connect_data(d, "response", G_CALLBACK(on_move_response), c,
			      ctx_free, 0);
	gtk_window_present(GTK_WINDOW(d));
}

static void
on_cancel_response(AdwMessageDialog *d, const char *response, gpointer data)
{
	Ctx *c = data;
	size_t n = 0;
	hearth_status st;
	int rest = strcmp(response, "rest") == 0;

	if (!rest && strcmp(response, "one") != 0)
		return;
	st = hearth_appt_cancel(hearth_session_get_store(c->session), &c->id, rest, &n);
	if (st != HEARTH_OK) {
		hearth_window_status(c->win, st);
		return;
	}
	{
		g_autofree char *text = g_strdup_printf(
			g_dngettext(NULL, "%zu appointment cancelled",
				    "%zu appointments cancelled", (gulong)n), n);

		hearth_window_toast(c->win, text);
	}
	hearth_session_changed(c->session, HEARTH_CHANGE_APPOINTMENTS);
}

static void
cancel_ask(HearthWindow *win, const hearth_appt_item *a)
{
	AdwMessageDialog *d;
	Ctx *c = ctx_new(win, &a->id);
	g_autofree char *body = g_strdup_printf(
		/* Translators: %s is the appointment's date and time. */
		_("The session on %s will be marked cancelled."), a->at);

	d = message(win, _("Cancel Appointment?"), body);
	if (a->has_series) {
		adw_message_dialog_add_responses(d, "keep", _("_Keep"),
			"one", _("_Only This One"),
			"rest", _("This and _Later Ones"), NULL);
		adw_message_dialog_set_response_appearance(d, "rest",
							   ADW_RESPONSE_DESTRUCTIVE);
	} else {
		adw_message_dialog_add_responses(d, "keep", _("_Keep"),
			"one", _("_Cancel Appointment"), NULL);
	}
	adw_message_dialog_set_response_appearance(d, "one", ADW_RESPONSE_DESTRUCTIVE);
	adw_message_dialog_set_default_response(d, "keep");
	adw_message_dialog_set_close_response(d, "keep");
	g_signal_connect_data(d, "response", G_CALLBACK(on_cancel_response), c,
			      ctx_free, 0);
	gtk_window_present(GTK_WINDOW(d));
}

static gboolean
load_appt(HearthSession *session, const hearth_id *id, hearth_appt_item *out,
	  hearth_appts **keep)
{
	hearth_store *s = hearth_session_get_store(session);
	g_autoptr(hearth_record) r = NULL;
	hearth_appts *l = NULL;
	char date[HEARTH_DATE_LEN + 1];
	const char *at;

	/* Read through the list function so the item has the core's view. */
	if (s == NULL || hearth_record_load(s, id, &r) != HEARTH_OK ||
	    (at = hearth_record_field(r, "at")) == NULL)
		return FALSE;
	g_strlcpy(date, at, sizeof date);
	if (hearth_appt_list(s, date, date, NULL, &l) != HEARTH_OK)
		return FALSE;
	for (size_t i = 0; i < l->n; i++)
		if (hearth_id_equal(&l->items[i].id, id)) {
			*out = l->items[i];
			*keep = l;
			return TRUE;
		}
	hearth_appts_free(l);
	return FALSE;
}

static void
on_appt_response(AdwMessageDialog *d, const char *response, gpointer data)
{
	Ctx *c = data;
	hearth_store *s = hearth_session_get_store(c->session);
	hearth_appts *keep = NULL;
	hearth_appt_item a;
	char today[HEARTH_DATE_LEN + 1];
	hearth_status st = HEARTH_OK;

	if (strcmp(response, "close") == 0 || s == NULL)
		return;
	if (!load_appt(c->session, &c->id, &a, &keep))
		return;
	hearth_gui_today(today);
	if (strcmp(response, "done") == 0) {
		st = hearth_appt_mark_done(s, &c->id, today);
		if (st == HEARTH_OK)
			hearth_window_toast(c->win, _("Marked as done"));
	} else if (strcmp(response, "noshow") == 0) {
		st = hearth_appt_noshow(s, &c->id, today, NULL);
		if (st == HEARTH_OK)
			hearth_window_toast(c->win,
				_("Marked as a no-show; a follow-up to reach them was added"));
	} else if (strcmp(response, "move") == 0) {
		move_ask(c->win, &a);
	} else if (strcmp(response, "cancel") == 0) {
		cancel_ask(c->win, &a);
	} else if (strcmp(response, "note") == 0) {
		hearth_note_write_ask(c->win, &a.person, &a.id, NULL);
	}
	hearth_appts_free(keep);
	/* Held or not, a session changes what Today and Notes list; a
	 * no-show adds a follow-up. */
	if (st != HEARTH_OK)
		hearth_window_status(c->win, st);
	else
		hearth_session_changed(c->session, HEARTH_CHANGE_APPOINTMENTS |
				       HEARTH_CHANGE_NOTES | HEARTH_CHANGE_FOLLOWUPS);
}

void
hearth_appt_actions_ask(HearthWindow *win, const hearth_id *id)
{
	hearth_appts *keep = NULL;
	hearth_appt_item a;
	AdwMessageDialog *d;
	g_autofree char *body = NULL;
	hearth_appt_status status;
	Ctx *c;

	if (hearth_window_get_session(win) == NULL)
		return;
	if (!load_appt(hearth_window_get_session(win), id, &a, &keep)) {
		hearth_window_status(win, HEARTH_ENOTFOUND);
		return;
	}
	body = g_strdup_printf("%s · %s\n%s%s%s · %s",
		a.at, hearth_person_display_name(a.person_name),
		a.place, *a.place ? " · " : "", hearth_gui_appt_mode_text(a.mode),
		hearth_gui_appt_status_text(a.status));
	d = message(win, _("Appointment"), body);
	c = ctx_new(win, id);
	status = hearth_gui_appt_status_value(a.status);
	if (status == HEARTH_APPT_BOOKED) {
		adw_message_dialog_add_responses(d, "close", _("_Close"),
			"cancel", _("Cancel…"), "move", _("_Move…"),
			"noshow", _("_No-show"), "done", _("_Done"), NULL);
		adw_message_dialog_set_response_appearance(d, "cancel",
							   ADW_RESPONSE_DESTRUCTIVE);
		adw_message_dialog_set_response_appearance(d, "done",
							   ADW_RESPONSE_SUGGESTED);
	} else if (status == HEARTH_APPT_DONE) {
		adw_message_dialog_add_responses(d, "close", _("_Close"),
			"note", _("Write _Note…"), NULL);
	} else {
		adw_message_dialog_add_responses(d, "close", _("_Close"), NULL);
	}
	adw_message_dialog_set_close_response(d, "close");
	g_signal_connect_data(d, "response", G_CALLBACK(on_appt_response), c,
			      ctx_free, 0);
	hearth_appts_free(keep);
	gtk_window_present(GTK_WINDOW(d));
}

static void
on_appt_row(AdwActionRow *row, gpointer data)
{
	Ctx *c = data;

	hearth_appt_actions_ask(c->win, &c->id);
}

GtkWidget *
hearth_appt_row_new(HearthWindow *win, const hearth_appt_item *a,
		    gboolean show_date)
{
	GtkWidget *row = adw_action_row_new();
	g_autofree char *title = NULL;
	g_autofree char *sub = NULL;
	Ctx *c = ctx_new(win, &a->id);
	const char *time = a->at + HEARTH_DATE_LEN + 1;

	title = g_strdup_printf("%s · %s", show_date ? a->at : time,
				hearth_person_display_name(a->person_name));
	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	if (a->has_series)
		sub = g_strdup_printf(_("%s%s%s · %s · session %d"), a->place,
				      *a->place ? " · " : "",
				      hearth_gui_appt_mode_text(a->mode),
				      hearth_gui_appt_status_text(a->status), a->seq);
	else
		sub = g_strdup_printf("%s%s%s · %s", a->place, *a->place ? " · " : "",
				      hearth_gui_appt_mode_text(a->mode),
				      hearth_gui_appt_status_text(a->status));
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), sub);
	if (hearth_gui_appt_status_value(a->status) == HEARTH_APPT_CANCELLED)
		gtk_widget_add_css_class(row, "dim-label");
	gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), TRUE);
	adw_action_row_add_suffix(ADW_ACTION_ROW(row),
		gtk_image_new_from_icon_name("go-next-symbolic"));
	g_signal_connect_data(row, "activated", G_CALLBACK(on_appt_row), c,
			      ctx_free, 0);
	return row;
}

/* ---- notes --------------------------------------------------------------- */

static char *
buffer_text(GtkWidget *view)
{
	GtkTextBuffer *b = gtk_text_view_get_buffer(GTK_TEXT_VIEW(view));
	GtkTextIter s, e;

	gtk_text_buffer_get_bounds(b, &s, &e);
	return gtk_text_buffer_get_text(b, &s, &e, FALSE);
}

static void
on_note_changed(GtkTextBuffer *b, gpointer data)
{
	Ctx *c = data;
	g_autofree char *t = buffer_text(c->a);
	GtkRoot *root = gtk_widget_get_root(c->a);

	g_strstrip(t);
	if (root != NULL)
		adw_message_dialog_set_response_enabled(ADW_MESSAGE_DIALOG(root),
							"save", *t != '\0');
}

static void
on_note_response(AdwMessageDialog *d, const char *response, gpointer data)
{
	Ctx *c = data;
	hearth_store *s = hearth_session_get_store(c->session);
	g_autofree char *text = NULL;
	char today[HEARTH_DATE_LEN + 1];
	hearth_id out;
	hearth_status st;

	if (strcmp(response, "save") != 0 || s == NULL)
		return;
	text = buffer_text(c->a);
	hearth_gui_today(today);
	if (c->b != NULL) {
		/* An amendment: c->id is the note amended. */
		st = hearth_note_amend(s, &c->id, text, today, &out);
	} else {
		hearth_note_new n = { 0 };

		n.person = c->id;
		n.appt = c->has_other ? &c->other : NULL;
		n.text = text;
		st = hearth_note_add(s, &n, today, &out);
	}
	if (st != HEARTH_OK) {
		hearth_window_status(c->win, st);
		return;
	}
	hearth_window_toast(c->win, c->b ? _("Amendment saved") : _("Note saved"));
	hearth_session_changed(c->session, HEARTH_CHANGE_NOTES);
}

void
hearth_note_write_ask(HearthWindow *win, const hearth_id *person,
		      const hearth_id *appt, const hearth_id *amends)
{
	AdwMessageDialog *d = message(win,
		amends ? _("Amend Note") : _("New Note"),
		amends ? _("The note stays as it was; the amendment is added after it.")
		       : NULL);
	GtkWidget *scroll = gtk_scrolled_window_new();
	Ctx *c = ctx_new(win, amends ? amends : person);

	if (appt != NULL) {
		c->other = *appt;
		c->has_other = TRUE;
	}
	c->a = gtk_text_view_new();
	c->b = amends ? c->a : NULL;
	gtk_widget_set_name(c->a, "note-text");
	gtk_text_view_set_wrap_mode(GTK_TEXT_VIEW(c->a), GTK_WRAP_WORD_CHAR);
	gtk_text_view_set_top_margin(GTK_TEXT_VIEW(c->a), 8);
	gtk_text_view_set_left_margin(GTK_TEXT_VIEW(c->a), 8);
	gtk_text_view_set_right_margin(GTK_TEXT_VIEW(c->a), 8);
	gtk_accessible_update_property(GTK_ACCESSIBLE(c->a),
		GTK_ACCESSIBLE_PROPERTY_LABEL, _("Note text"), -1);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), c->a);
	gtk_scrolled_window_set_min_content_height(GTK_SCROLLED_WINDOW(scroll), 160);
	gtk_widget_add_css_class(scroll, "card");
	adw_message_dialog_set_extra_child(d, scroll);
	adw_message_dialog_add_responses(d, "cancel", _("_Cancel"),
					 "save", _("_Save"), NULL);
	adw_message_dialog_set_response_appearance(d, "save", ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_response_enabled(d, "save", FALSE);
	adw_message_dialog_set_close_response(d, "cancel");
	g_signal_connect(gtk_text_view_get_buffer(GTK_TEXT_VIEW(c->a)), "changed",
			 G_CALLBACK(on_note_changed), c);
	g_signal_connect_data(d, "response", G_CALLBACK(on_note_response), c,
			      ctx_free, 0);
	gtk_window_present(GTK_WINDOW(d));
}

static void
on_show_response(AdwMessageDialog *d, const char *response, gpointer data)
{
	Ctx *c = data;

	if (strcmp(response, "amend") == 0)
		hearth_note_write_ask(c->win, NULL, NULL, &c->id);
}

void
hearth_note_dialog_show(HearthWindow *win, const hearth_id *note)
{
	hearth_notes *l = NULL;
	GString *body;
	AdwMessageDialog *d;
	Ctx *c;
	hearth_status st;

	if (hearth_window_get_session(win) == NULL)
		return;
	st = hearth_note_show(hearth_session_get_store(hearth_window_get_session(win)),
			      note, &l);
	if (st != HEARTH_OK || l->n == 0) {
		hearth_notes_free(l);
		hearth_window_status(win, st != HEARTH_OK ? st : HEARTH_ENOTFOUND);
		return;
	}
	body = g_string_new(l->items[0].text);
	for (size_t i = 1; i < l->n; i++)
		/* Translators: %s is the date of an amendment to a note. */
		g_string_append_printf(body, "\n\n%s\n%s",
			l->items[i].date, l->items[i].text);
	{
		g_autofree char *heading = g_strdup_printf(_("Note of %s"),
							   l->items[0].date);

		d = message(win, heading, body->str);
	}
	g_string_free(body, TRUE);
	c = ctx_new(win, &l->items[0].id);
	adw_message_dialog_add_responses(d, "close", _("_Close"),
					 "amend", _("_Amend…"), NULL);
	adw_message_dialog_set_close_response(d, "close");
	g_signal_connect_data(d, "response", G_CALLBACK(on_show_response), c,
			      ctx_free, 0);
	hearth_notes_free(l);
	gtk_window_present(GTK_WINDOW(d));
}
