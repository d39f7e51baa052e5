/*
 * gui-gtk/hearth-person-page.c - a person's page.
 */
#include "hearth-person-page.h"

#include "hearth/activity.h"
#include "hearth/appointment.h"
#include "hearth/followup.h"
#include "hearth/note.h"
#include "hearth/person.h"
#include "hearth/instruments.h"
#include "hearth-activity-form.h"
#include "hearth-appointment-editor.h"
#include "hearth-crisis.h"
#include "hearth-person-editor.h"
#include "hearth-person-item.h"
#include "hearth-record-actions.h"
#include "hearth-screening-page.h"

struct _HearthPersonPage {
	AdwBin parent_instance;

	/* Template widgets */
	AdwHeaderBar *header;
	AdwWindowTitle *title;
	GtkBox *content;

	/* Owned */
	HearthSession *session;
	hearth_id id;

	/* Borrowed */
	HearthWindow *win;
	gboolean loading;
};

G_DEFINE_FINAL_TYPE(HearthPersonPage, hearth_person_page, ADW_TYPE_BIN)

/* The case and risk rows list the core's values in its order (risk's
 * first, HEARTH_RISK_NONE, is "Not assessed": no level to choose). */
static void
on_case_selected(AdwComboRow *row, GParamSpec *pspec, gpointer data)
{
	HearthPersonPage *self = data;
	guint i = adw_combo_row_get_selected(row);
	hearth_status st;

	if (self->loading || i >= HEARTH_CASE_COUNT)
		return;
	st = hearth_person_set_case(hearth_session_get_store(self->session),
				    &self->id, hearth_case_state_name(i));
	if (st == HEARTH_ESTATE) {
		/* The safety rule keeps the case open: say why. */
		hearth_window_toast(self->win,
			_("The case stays open while a safety follow-up is pending. Complete it first."));
	} else if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
	} else {
		hearth_window_toast(self->win, _("Case state saved"));
	}
	/* Also after a refusal: the page shows the stored state again. */
	hearth_session_changed(self->session, HEARTH_CHANGE_PEOPLE);
}

static void
on_risk_selected(AdwComboRow *row, GParamSpec *pspec, gpointer data)
{
	HearthPersonPage *self = data;
	guint i = adw_combo_row_get_selected(row);
	hearth_status st;

	if (self->loading || i == HEARTH_RISK_NONE || i >= HEARTH_RISK_COUNT)
		return;
	st = hearth_person_set_risk(hearth_session_get_store(self->session),
				    &self->id, hearth_risk_name(i), NULL);
	if (st == HEARTH_ESTATE) {
		/* The safety rule keeps the risk high: say why. */
		hearth_window_toast(self->win,
			_("The risk stays high while a safety follow-up is pending. Complete it first."));
	} else if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
	} else {
		hearth_window_toast(self->win, _("Risk level saved"));
	}
	hearth_session_changed(self->session, HEARTH_CHANGE_PEOPLE);
}

static void
on_counsellor_apply(AdwEntryRow *row, gpointer data)
{
	HearthPersonPage *self = data;
	const char *text = gtk_editable_get_text(GTK_EDITABLE(row));
	hearth_status st;

	if (self->loading)
		return;
	st = hearth_person_set_counsellor(hearth_session_get_store(self->session),
					  &self->id, text);
	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	hearth_window_toast(self->win, *text != '\0' ? _("Counsellor saved") :
			    _("No counsellor assigned now"));
	hearth_session_changed(self->session, HEARTH_CHANGE_PEOPLE);
}

/* A combo row of title listing labels[0..n), labels[selected] chosen; the
 * first when selected is n or more (no field, or a newer version's code:
 * hearth_gui_X_value). */
static GtkWidget *
combo_row(const char *title, const char *const *labels, guint n, guint selected)
{
	GtkWidget *row = adw_combo_row_new();
	GtkStringList *list = gtk_string_list_new(NULL);

	for (guint i = 0; i < n; i++)
		gtk_string_list_append(list, labels[i]);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	adw_combo_row_set_model(ADW_COMBO_ROW(row), G_LIST_MODEL(list));
	adw_combo_row_set_selected(ADW_COMBO_ROW(row), selected < n ? selected : 0);
	g_object_unref(list);
	return row;
}

/* The kinds of record a person's timeline shows (hearth_timeline_item's
 * kind): how the page names and draws each.  A kind a newer core adds is
 * named as it is and drawn as an activity. */
struct timeline_kind {
	const char *kind;
	const char *label;
	const char *icon;
};

static const struct timeline_kind timeline_kinds[] = {
	{ "screening", N_("Screening"), "view-list-bullet-symbolic" },
	{ "appointment", N_("Appointment"), "alarm-symbolic" },
	{ "note", N_("Note"), "document-edit-symbolic" },
	{ "amendment", N_("Amendment"), "document-edit-symbolic" },
	{ "followup", N_("Follow-up"), "mail-send-receive-symbolic" },
	{ "activity", N_("Activity"), "call-start-symbolic" },
	/* A journal entry the person shared with this counsellor
	 * (hearth/share.h); its status is a band, as a screening's. */
	{ "shared", N_("Shared by the employee"), "emblem-shared-symbolic" },
};

static const struct timeline_kind *
find_kind(const char *kind)
{
	for (guint i = 0; i < G_N_ELEMENTS(timeline_kinds); i++)
		if (g_strcmp0(kind, timeline_kinds[i].kind) == 0)
			return &timeline_kinds[i];
	return NULL;
}

static const char *
kind_label(const char *kind)
{
	const struct timeline_kind *k = find_kind(kind);

	return k != NULL ? _(k->label) : kind;
}

static const char *
kind_icon(const char *kind)
{
	const struct timeline_kind *k = find_kind(kind);

	return k != NULL ? k->icon : "call-start-symbolic";
}

typedef struct {
	HearthPersonPage *page;
	hearth_id id;
	char kind[16];
} RowData;

static void
on_timeline_row(AdwActionRow *row, gpointer data)
{
	RowData *d = data;
	HearthWindow *win = d->page->win;

	if (strcmp(d->kind, "appointment") == 0)
		hearth_appt_actions_ask(win, &d->id);
	else if (strcmp(d->kind, "note") == 0 || strcmp(d->kind, "amendment") == 0)
		hearth_note_dialog_show(win, &d->id);
	else if (strcmp(d->kind, "followup") == 0)
		hearth_followup_done_ask(win, &d->id);
}

/* A timeline event's status in words: what the status holds depends on
 * the kind (hearth_timeline_item).  A screening's band is labelled by its
 * instrument's file. */
static const char *
item_status(const hearth_timeline_item *it, hearth_band_labels *bands)
{
	if (strcmp(it->kind, "appointment") == 0)
		return hearth_gui_appt_status_text(it->status);
	if (strcmp(it->kind, "followup") == 0)
		return hearth_gui_followup_status_text(it->status);
	if (strcmp(it->kind, "note") == 0 || strcmp(it->kind, "amendment") == 0)
		return hearth_gui_note_format_text(it->status);
	if (strcmp(it->kind, "activity") == 0)
		return hearth_gui_activity_type_text(it->status);
	return hearth_band_labels_get(bands, hearth_record_field(it->record, "instrument"),
				      it->status);
}

/* A timeline event's title in words: "Screening · phq9 · 12". */
static char *
item_title(const hearth_timeline_item *it)
{
	const char *kind = kind_label(it->kind);

	if (*it->summary)
		return g_strdup_printf("%s · %s", kind, it->summary);
	return g_strdup(kind);
}

static void
add_timeline(HearthPersonPage *self, hearth_store *s)
{
	hearth_timeline *t = NULL;
	hearth_band_labels *bands = NULL;
	GtkWidget *group = NULL;
	char month[8] = "";
	hearth_status st;

	st = hearth_person_timeline(s, &self->id, &t);
	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	/* Out of memory: bands are shown as stored. */
	if (hearth_band_labels_new(hearth_gui_lang(), &bands) != HEARTH_OK)
		hearth_errdetail_clear();
	if (t->n == 0) {
		GtkWidget *empty = adw_status_page_new();

		adw_status_page_set_icon_name(ADW_STATUS_PAGE(empty),
					      "document-open-recent-symbolic");
		adw_status_page_set_title(ADW_STATUS_PAGE(empty), _("Nothing Recorded Yet"));
		adw_status_page_set_description(ADW_STATUS_PAGE(empty),
			_("Screenings, sessions, notes and follow-ups will appear here."));
		gtk_widget_add_css_class(empty, "compact");
		gtk_box_append(self->content, empty);
	}
	/* Newest first, grouped by month. */
	for (size_t i = t->n; i-- > 0;) {
		const hearth_timeline_item *it = &t->items[i];
		g_autofree char *title = item_title(it);
		g_autofree char *sub = NULL;
		GtkWidget *row;
		RowData *d;

		if (strncmp(month, it->when, 7) != 0) {
			int y = 0, m = 0;
			g_autofree char *heading = NULL;

			g_strlcpy(month, it->when, sizeof month);
			sscanf(month, "%d-%d", &y, &m);
			/* Translators: a month heading in the timeline: year, month. */
			heading = g_strdup_printf(_("%d-%02d"), y, m);
			group = adw_preferences_group_new();
			adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), heading);
			gtk_box_append(self->content, group);
		}
		row = adw_action_row_new();
		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
		adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
		sub = *it->status ? g_strdup_printf("%s · %s", it->when,
					item_status(it, bands))
				  : g_strdup(it->when);
		adw_action_row_set_subtitle(ADW_ACTION_ROW(row), sub);
		adw_action_row_set_title_lines(ADW_ACTION_ROW(row), 3);
		adw_action_row_add_prefix(ADW_ACTION_ROW(row),
			gtk_image_new_from_icon_name(kind_icon(it->kind)));
		if (strcmp(it->kind, "screening") != 0 && strcmp(it->kind, "activity") != 0) {
			d = g_new0(RowData, 1);
			d->page = self;
			d->id = it->id;
			g_strlcpy(d->kind, it->kind, sizeof d->kind);
			gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), TRUE);
			adw_action_row_add_suffix(ADW_ACTION_ROW(row),
				gtk_image_new_from_icon_name("go-next-symbolic"));
			g_signal_connect_data(row, "activated", G_CALLBACK(on_timeline_row),
					      d, (GClosureNotify)(void (*)(void))g_free, 0);
		}
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
	}
	hearth_band_labels_free(bands);
	hearth_timeline_free(t);
}

/* ---- text written on two devices at once ------------------------------- */

/* The person's free-text fields (hearth_person_conflicts names them), as
 * the page labels them and names the button that keeps one of their
 * texts. */
struct text_field {
	const char *field;
	const char *label;
	const char *keep;
};

static const struct text_field text_fields[] = {
	{ "name", N_("Name"), N_("Keep this name") },
	{ "unit", N_("Unit"), N_("Keep this unit") },
	{ "phone", N_("Phone"), N_("Keep this phone number") },
	{ "note", N_("Note"), N_("Keep this note") },
};

static const struct text_field *
find_text_field(const char *field)
{
	for (guint i = 0; i < G_N_ELEMENTS(text_fields); i++)
		if (g_strcmp0(field, text_fields[i].field) == 0)
			return &text_fields[i];
	return NULL;
}

/* One text kept beside the one shown: its field and value (NULL: the
 * other device cleared the field). */
typedef struct {
	const struct text_field *f;
	char *value;
} KeptText;

static void
kept_text_free(gpointer p)
{
	KeptText *k = p;

	g_free(k->value);
	g_free(k);
}

static int
on_conflict(const char *field, const char *value, void *ctx)
{
	GPtrArray *kept = ctx;
	KeptText *k;
	const struct text_field *f = find_text_field(field);

	/* A field a newer core adds: the CLI shows it; the page cannot
	 * write it through hearth_person_fields, so it leaves it be. */
	if (f == NULL)
		return 0;
	k = g_new0(KeptText, 1);
	k->f = f;
	k->value = g_strdup(value);
	g_ptr_array_add(kept, k);
	return 0;
}

typedef struct {
	HearthPersonPage *page;
	KeptText text;
} KeepData;

static void
keep_data_free(gpointer p, GClosure *closure)
{
	KeepData *d = p;

	g_free(d->text.value);
	g_free(d);
}

/* Keeps the text: writing the field through the editor's verb replaces
 * every value this device holds for it, which ends the conflict here and,
 * once synced, on the other devices. */
static void
on_keep_clicked(GtkButton *button, gpointer data)
{
	KeepData *d = data;
	HearthPersonPage *self = d->page;
	hearth_person_fields f = { 0 };
	const char *v = d->text.value != NULL ? d->text.value : "";
	hearth_status st;

	if (strcmp(d->text.f->field, "name") == 0)
		f.name = v;
	else if (strcmp(d->text.f->field, "unit") == 0)
		f.unit = v;
	else if (strcmp(d->text.f->field, "phone") == 0)
		f.phone = v;
	else
		f.note = v;
	st = hearth_person_update(hearth_session_get_store(self->session), &self->id, &f);
	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	hearth_window_toast(self->win, _("Text kept"));
	hearth_session_changed(self->session, HEARTH_CHANGE_PEOPLE);
}

static GtkWidget *
text_row(const char *value, const char *subtitle)
{
	GtkWidget *row = adw_action_row_new();

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row),
				      value != NULL && *value ? value : _("(cleared)"));
	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
	return row;
}

/* When the person's free text was written on two devices before they
 * synced, a group with both: for each such field the text this page
 * shows, then each text kept beside it with a button that keeps it. */
static void
add_conflicts(HearthPersonPage *self, hearth_store *s, const hearth_record *r)
{
	g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func(kept_text_free);
	GtkWidget *group;

	if (hearth_person_conflicts(s, &self->id, on_conflict, kept) != HEARTH_OK) {
		/* The page still shows the person, without the group. */
		hearth_errdetail_clear();
		return;
	}
	if (kept->len == 0)
		return;
	group = adw_preferences_group_new();
	gtk_widget_set_name(group, "person-conflicts");
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group),
					_("Written on Two Devices at Once"));
	adw_preferences_group_set_description(ADW_PREFERENCES_GROUP(group),
		_("Both texts were kept. Keep one, and the other goes on every device as they sync."));
	for (guint i = 0; i < G_N_ELEMENTS(text_fields); i++) {
		const struct text_field *f = &text_fields[i];
		g_autofree char *shown_sub = NULL;
		gboolean first = TRUE;

		for (guint j = 0; j < kept->len; j++) {
			KeptText *k = g_ptr_array_index(kept, j);
			GtkWidget *row, *button;
			KeepData *d;

			if (k->f != f)
				continue;
			if (first) {
				/* The text the page shows, to compare. */
				shown_sub = g_strdup_printf("%s · %s", _(f->label),
							    _("Shown now"));
				adw_preferences_group_add(ADW_PREFERENCES_GROUP(group),
					text_row(hearth_record_field(r, f->field), shown_sub));
				first = FALSE;
			}
			row = text_row(k->value, _(f->label));
			button = gtk_button_new_with_mnemonic(_("_Keep This"));
			gtk_widget_set_valign(button, GTK_ALIGN_CENTER);
			gtk_widget_set_name(button, "person-conflict-keep");
			/* A short name, and the text it keeps as its
			 * description: several rows have this button. */
			gtk_accessible_update_property(GTK_ACCESSIBLE(button),
				GTK_ACCESSIBLE_PROPERTY_LABEL, _(f->keep),
				GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
				k->value != NULL && *k->value ? k->value : _("(cleared)"),
				-1);
			d = g_new0(KeepData, 1);
			d->page = self;
			d->text.f = f;
			d->text.value = g_strdup(k->value);
			g_signal_connect_data(button, "clicked", G_CALLBACK(on_keep_clicked),
					      d, keep_data_free, 0);
			adw_action_row_add_suffix(ADW_ACTION_ROW(row), button);
			adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
		}
	}
	gtk_box_append(self->content, group);
}

static GtkWidget *
action_button(const char *label, const char *action, const char *icon)
{
	GtkWidget *b = gtk_button_new();
	GtkWidget *content = adw_button_content_new();

	adw_button_content_set_label(ADW_BUTTON_CONTENT(content), label);
	adw_button_content_set_icon_name(ADW_BUTTON_CONTENT(content), icon);
	adw_button_content_set_use_underline(ADW_BUTTON_CONTENT(content), TRUE);
	gtk_button_set_child(GTK_BUTTON(b), content);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(b), action);
	return b;
}

static GtkWidget *
screen_button(void)
{
	GtkWidget *b = gtk_menu_button_new();
	GtkWidget *content = adw_button_content_new();
	g_autoptr(GMenu) menu = g_menu_new();
	char **ids = NULL;
	size_t n = 0;
	const char *lang = hearth_gui_lang();

	if (hearth_instrument_list(&ids, &n) == HEARTH_OK) {
		for (size_t i = 0; i < n; i++) {
			hearth_instrument *inst = NULL;
			g_autofree char *action = NULL;

			if (hearth_instrument_find(ids[i], &inst) != HEARTH_OK)
				continue;
			action = g_strdup_printf("person.screen::%s", ids[i]);
			g_menu_append(menu, hearth_text_get(hearth_instrument_title(inst), lang),
				      action);
			hearth_instrument_free(inst);
		}
		hearth_instrument_ids_free(ids, n);
	}
	adw_button_content_set_label(ADW_BUTTON_CONTENT(content), _("_Screen…"));
	adw_button_content_set_icon_name(ADW_BUTTON_CONTENT(content),
					 "view-list-bullet-symbolic");
	adw_button_content_set_use_underline(ADW_BUTTON_CONTENT(content), TRUE);
	gtk_menu_button_set_child(GTK_MENU_BUTTON(b), content);
	gtk_menu_button_set_menu_model(GTK_MENU_BUTTON(b), G_MENU_MODEL(menu));
	gtk_widget_set_name(b, "person-screen");
	return b;
}

void
hearth_person_page_reload(HearthPersonPage *self)
{
	hearth_store *s = hearth_session_peek_store(self->session);
	g_autoptr(hearth_record) r = NULL;
	g_autofree char *tags = NULL;
	const char *name, *unit, *phone, *note, *risk, *kase, *counsellor;
	GtkWidget *w, *flow, *group;
	size_t n_safety = 0;

	if (s == NULL)
		return;
	hearth_gui_box_clear(GTK_WIDGET(self->content));
	if (hearth_record_load(s, &self->id, &r) != HEARTH_OK || r->deleted) {
		w = adw_status_page_new();
		adw_status_page_set_title(ADW_STATUS_PAGE(w), _("This Person Was Removed"));
		gtk_box_append(self->content, w);
		return;
	}
	self->loading = TRUE;
	name = hearth_person_display_name(hearth_record_field(r, "name"));
	unit = hearth_record_field(r, "unit");
	phone = hearth_record_field(r, "phone");
	note = hearth_record_field(r, "note");
	risk = hearth_record_field(r, "risk");
	kase = hearth_record_field(r, "case");
	counsellor = hearth_record_field(r, "counsellor");
	tags = hearth_person_tags_text(hearth_record_field(r, "tags"));
	adw_window_title_set_title(self->title, name);

	/* Safety results of this person saved without the action taken:
	 * first, until recorded. */
	{
		hearth_pending_action *v = NULL;
		size_t n = 0;

		if (hearth_screening_pending_actions(s, &self->id, &v, &n) != HEARTH_OK)
			hearth_errdetail_clear();
		if (n > 0) {
			GtkWidget *g = adw_preferences_group_new();

			gtk_widget_set_name(g, "person-pending-actions");
			for (size_t i = 0; i < n; i++)
				adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
					hearth_pending_action_row_new(self->win, &v[i]));
			gtk_box_append(self->content, g);
		}
		hearth_pending_actions_free(v, n);
	}

	/* A persistent safety banner while the person is high risk. */
	if (hearth_followup_pending_safety(s, &self->id, &n_safety) != HEARTH_OK)
		n_safety = 0;
	if (hearth_gui_risk_value(risk) == HEARTH_RISK_HIGH || n_safety > 0) {
		GtkWidget *card = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
		GtkWidget *text = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);

		gtk_widget_add_css_class(card, "card");
		gtk_widget_add_css_class(card, "safety-banner");
		gtk_box_append(GTK_BOX(card),
			       gtk_image_new_from_icon_name("dialog-warning-symbolic"));
		gtk_box_append(GTK_BOX(text),
			       hearth_gui_label(_("Safety comes first with this person"), "heading"));
		gtk_box_append(GTK_BOX(text), hearth_gui_label(n_safety > 0
			? _("A safety follow-up is open. Reach them today.")
			: _("Their risk level is high."), NULL));
		gtk_widget_set_hexpand(text, TRUE);
		gtk_box_append(GTK_BOX(card), text);
		gtk_box_append(self->content, card);
	}

	w = hearth_gui_label(name, "title-1");
	gtk_box_append(self->content, w);
	{
		/* Unit, tags and phone on one line, the empty ones left out
		 * with their separators; no line when all are. */
		const char *parts[] = { unit, tags, phone };
		GString *line = g_string_new(NULL);

		for (guint i = 0; i < G_N_ELEMENTS(parts); i++)
			if (parts[i] != NULL && *parts[i]) {
				if (line->len)
					g_string_append(line, " · ");
				g_string_append(line, parts[i]);
			}
		if (line->len) {
			w = hearth_gui_label(line->str, "dim-label");
			gtk_widget_set_name(w, "person-details");
			gtk_box_append(self->content, w);
		}
		g_string_free(line, TRUE);
	}
	if (note != NULL && *note) {
		w = hearth_gui_label(note, NULL);
		gtk_widget_set_name(w, "person-note");
		gtk_box_append(self->content, w);
	}
	add_conflicts(self, s, r);

	flow = gtk_flow_box_new();
	gtk_flow_box_set_selection_mode(GTK_FLOW_BOX(flow), GTK_SELECTION_NONE);
	gtk_flow_box_set_max_children_per_line(GTK_FLOW_BOX(flow), 5);
	gtk_flow_box_set_min_children_per_line(GTK_FLOW_BOX(flow), 2);
	gtk_flow_box_set_homogeneous(GTK_FLOW_BOX(flow), TRUE);
	gtk_flow_box_set_column_spacing(GTK_FLOW_BOX(flow), 6);
	gtk_flow_box_set_row_spacing(GTK_FLOW_BOX(flow), 6);
	gtk_flow_box_append(GTK_FLOW_BOX(flow), screen_button());
	gtk_flow_box_append(GTK_FLOW_BOX(flow),
		action_button(_("_Book…"), "person.book", "alarm-symbolic"));
	gtk_flow_box_append(GTK_FLOW_BOX(flow),
		action_button(_("_Note…"), "person.note", "document-edit-symbolic"));
	gtk_flow_box_append(GTK_FLOW_BOX(flow),
		action_button(_("_Follow-up…"), "person.followup", "mail-send-receive-symbolic"));
	gtk_flow_box_append(GTK_FLOW_BOX(flow),
		action_button(_("_Log a Call…"), "person.call", "call-start-symbolic"));
	gtk_flow_box_append(GTK_FLOW_BOX(flow),
		action_button(_("_Edit…"), "person.edit", "document-properties-symbolic"));
	gtk_box_append(self->content, flow);

	group = adw_preferences_group_new();
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), _("Case"));
	{
		const char *labels[HEARTH_CASE_COUNT];

		for (hearth_case_state v = 0; v < HEARTH_CASE_COUNT; v++)
			labels[v] = hearth_case_state_label(v);
		w = combo_row(_("Case state"), labels, HEARTH_CASE_COUNT,
			      hearth_gui_case_state_value(kase));
	}
	g_signal_connect(w, "notify::selected", G_CALLBACK(on_case_selected), self);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), w);
	{
		const char *labels[HEARTH_RISK_COUNT];

		for (hearth_risk v = 0; v < HEARTH_RISK_COUNT; v++)
			labels[v] = hearth_risk_label(v);
		w = combo_row(_("Risk level"), labels, HEARTH_RISK_COUNT,
			      hearth_gui_risk_value(risk));
	}
	g_signal_connect(w, "notify::selected", G_CALLBACK(on_risk_selected), self);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), w);
	/* Who follows the person: a name as the team knows them (a member's
	 * name on the Team page); empty, nobody yet. */
	w = adw_entry_row_new();
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(w), _("Counsellor"));
	adw_entry_row_set_show_apply_button(ADW_ENTRY_ROW(w), TRUE);
	gtk_editable_set_text(GTK_EDITABLE(w), counsellor != NULL ? counsellor : "");
	gtk_widget_set_name(w, "person-counsellor");
	g_signal_connect(w, "apply", G_CALLBACK(on_counsellor_apply), self);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), w);
	gtk_box_append(self->content, group);

	add_timeline(self, s);
	self->loading = FALSE;
}

static void
action_screen(GtkWidget *w, const char *name, GVariant *param)
{
	HearthPersonPage *self = HEARTH_PERSON_PAGE(w);

	hearth_screening_page_start(self->win, &self->id,
				    g_variant_get_string(param, NULL));
}

static void
action_book(GtkWidget *w, const char *name, GVariant *param)
{
	HearthPersonPage *self = HEARTH_PERSON_PAGE(w);

	hearth_appointment_editor_present(self->win, &self->id);
}

/* Logs a call-back with this person chosen already. */
static void
action_call(GtkWidget *w, const char *name, GVariant *param)
{
	HearthPersonPage *self = HEARTH_PERSON_PAGE(w);

	hearth_activity_form_start(self->win, "callback", &self->id);
}

static void
action_note(GtkWidget *w, const char *name, GVariant *param)
{
	HearthPersonPage *self = HEARTH_PERSON_PAGE(w);

	hearth_note_write_ask(self->win, &self->id, NULL, NULL);
}

static void
action_followup(GtkWidget *w, const char *name, GVariant *param)
{
	HearthPersonPage *self = HEARTH_PERSON_PAGE(w);

	hearth_followup_add_ask(self->win, &self->id);
}

static void
action_edit(GtkWidget *w, const char *name, GVariant *param)
{
	HearthPersonPage *self = HEARTH_PERSON_PAGE(w);

	hearth_person_editor_present(self->win, &self->id);
}

static void
hearth_person_page_dispose(GObject *object)
{
	HearthPersonPage *self = HEARTH_PERSON_PAGE(object);

	G_OBJECT_CLASS(hearth_person_page_parent_class)->dispose(object);
	g_clear_object(&self->session);
}

static void
hearth_person_page_class_init(HearthPersonPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_person_page_dispose;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-person-page.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthPersonPage, header);
	gtk_widget_class_bind_template_child(widget_class, HearthPersonPage, title);
	gtk_widget_class_bind_template_child(widget_class, HearthPersonPage, content);
	gtk_widget_class_install_action(widget_class, "person.screen", "s", action_screen);
	gtk_widget_class_install_action(widget_class, "person.book", NULL, action_book);
	gtk_widget_class_install_action(widget_class, "person.note", NULL, action_note);
	gtk_widget_class_install_action(widget_class, "person.followup", NULL, action_followup);
	gtk_widget_class_install_action(widget_class, "person.call", NULL, action_call);
	gtk_widget_class_install_action(widget_class, "person.edit", NULL, action_edit);
}

static void
hearth_person_page_init(HearthPersonPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

HearthPersonPage *
hearth_person_page_new(HearthWindow *win, HearthSession *session,
		       const hearth_id *id, gboolean with_header)
{
	HearthPersonPage *self = g_object_new(HEARTH_TYPE_PERSON_PAGE, NULL);
	hearth_store *s = hearth_session_get_store(session);

	self->win = win;
	self->session = g_object_ref(session);
	self->id = *id;
	gtk_widget_set_visible(GTK_WIDGET(self->header), with_header);
	hearth_session_watch(session, HEARTH_CHANGE_CASEWORK, self,
			     G_CALLBACK(hearth_person_page_reload));
	/* Looking at a person is audited, as `hearth person show` is: the
	 * core's hearth_person_show writes the entry. */
	if (s != NULL) {
		g_autoptr(hearth_record) r = NULL;

		if (hearth_person_show(s, id, &r) != HEARTH_OK)
			hearth_errdetail_clear();
	}
	hearth_person_page_reload(self);
	return self;
}
