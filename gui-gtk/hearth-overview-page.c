/*
 * gui-gtk/hearth-overview-page.c - the Overview view (团队概况): see
 * hearth-overview-page.h.
 *
 * Four groups, the first that matters on top: Safety First (the team's
 * pending safety follow-ups, the rows Today shows), High Risk and Nobody
 * Assigned (people; a row opens the person, an unassigned one's menu
 * assigns them to a member of their space), and By Counsellor (people and
 * overdue follow-ups per counsellor, in words).
 */
#include "hearth-overview-page.h"

#include <string.h>

#include "hearth-record-actions.h"
#include "hearth/overview.h"
#include "hearth/person.h"
#include "hearth/spaces.h"

struct _HearthOverviewPage {
	AdwBin parent_instance;

	/* Owned */
	HearthSession *session;

	/* Borrowed */
	HearthWindow *win;
	AdwViewStackPage *stack_page;
};

G_DEFINE_FINAL_TYPE(HearthOverviewPage, hearth_overview_page, ADW_TYPE_BIN)

static GtkWidget *
group(GtkWidget *page, const char *title, const char *description, const char *name)
{
	GtkWidget *g = adw_preferences_group_new();

	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(g), title);
	if (description != NULL)
		adw_preferences_group_set_description(ADW_PREFERENCES_GROUP(g), description);
	gtk_widget_set_name(g, name);
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), ADW_PREFERENCES_GROUP(g));
	return g;
}

/* A group's one row when it has nothing to list. */
static void
none_row(GtkWidget *group, const char *title)
{
	GtkWidget *row = adw_action_row_new();

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
}

static void
on_person_activated(AdwActionRow *row, gpointer data)
{
	HearthOverviewPage *self = data;
	hearth_id id;

	if (hearth_gui_id_parse(g_object_get_data(G_OBJECT(row), "person"), &id))
		hearth_window_open_person(self->win, &id);
}

/* The names the members of space gave, this vault's own included. */
static int
name_cb(const hearth_space_member_info *m, void *ctx)
{
	if (!m->removed && m->name[0] != '\0')
		g_ptr_array_add(ctx, g_strdup(m->name));
	return 0;
}

/* The named members of space, read once per space and load (names:
 * space hex -> GPtrArray of names). */
static GPtrArray *
names_of(HearthOverviewPage *self, GHashTable *names, const hearth_id *space)
{
	hearth_store *s = hearth_session_get_store(self->session);
	g_autofree char *hex = hearth_gui_id_hex(space);
	GPtrArray *v = g_hash_table_lookup(names, hex);

	if (v != NULL)
		return v;
	v = g_ptr_array_new_with_free_func(g_free);
	if (s == NULL || hearth_space_members_each(s, space, name_cb, v) != HEARTH_OK)
		hearth_errdetail_clear();
	g_hash_table_insert(names, g_steal_pointer(&hex), v);
	return v;
}

/* Assign to… : one item per named member of the person's space. */
static GtkWidget *
assign_menu(HearthOverviewPage *self, GHashTable *all_names,
	    const hearth_overview_person *p, const char *hex)
{
	GPtrArray *names = names_of(self, all_names, &p->space);
	g_autoptr(GMenu) menu = NULL;
	g_autofree char *label = NULL, *wname = NULL;
	GtkWidget *b;

	if (names->len == 0)
		return NULL; /* nobody named yet: the Team page asks for names */
	menu = g_menu_new();
	for (guint i = 0; i < names->len; i++) {
		g_autoptr(GMenuItem) item = g_menu_item_new(g_ptr_array_index(names, i), NULL);

		g_menu_item_set_action_and_target_value(item, "overview.assign",
			g_variant_new("(ss)", hex, (const char *)g_ptr_array_index(names, i)));
		g_menu_append_item(menu, item);
	}
	b = gtk_menu_button_new();
	gtk_menu_button_set_icon_name(GTK_MENU_BUTTON(b), "contact-new-symbolic");
	gtk_menu_button_set_menu_model(GTK_MENU_BUTTON(b), G_MENU_MODEL(menu));
	gtk_widget_set_valign(b, GTK_ALIGN_CENTER);
	gtk_widget_add_css_class(b, "flat");
	gtk_widget_set_tooltip_text(b, _("Assign to a Counsellor"));
	/* Translators: the assign menu's accessible name; %s is a person. */
	label = g_strdup_printf(_("Assign %s"), p->name);
	hearth_gui_menu_button_label(GTK_MENU_BUTTON(b), label);
	wname = g_strdup_printf("overview-assign-%.8s", hex);
	gtk_widget_set_name(b, wname);
	return b;
}

/* names: for the assign menu (NULL: no menu), see names_of. */
static GtkWidget *
person_row(HearthOverviewPage *self, const hearth_overview_person *p, GHashTable *names)
{
	g_autofree char *hex = hearth_gui_id_hex(&p->id);
	g_autofree char *wname = g_strdup_printf("overview-person-%.8s", hex);
	g_autofree char *sub = NULL;
	GtkWidget *row = adw_action_row_new(), *menu;

	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row),
				      p->name[0] != '\0' ? p->name : _("(no name)"));
	/* Translators: who follows a person, on the Overview. */
	sub = p->counsellor[0] != '\0' ? g_strdup_printf(_("Counsellor: %s"), p->counsellor) :
		g_strdup(_("Nobody assigned"));
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), sub);
	gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), TRUE);
	g_object_set_data_full(G_OBJECT(row), "person", g_strdup(hex), g_free);
	g_signal_connect_object(row, "activated", G_CALLBACK(on_person_activated), self, 0);
	if (names != NULL && (menu = assign_menu(self, names, p, hex)) != NULL)
		adw_action_row_add_suffix(ADW_ACTION_ROW(row), menu);
	adw_action_row_add_suffix(ADW_ACTION_ROW(row),
				  gtk_image_new_from_icon_name("go-next-symbolic"));
	gtk_widget_set_name(row, wname);
	return row;
}

static GtkWidget *
load_row(const hearth_overview_load *l)
{
	g_autofree char *people = g_strdup_printf(
		g_dngettext(NULL, "%zu person", "%zu people", l->people), l->people);
	g_autofree char *overdue = g_strdup_printf(
		g_dngettext(NULL, "%zu follow-up overdue", "%zu follow-ups overdue", l->overdue),
		l->overdue);
	g_autofree char *sub = g_strdup_printf(_("%s · %s"), people, overdue);
	GtkWidget *row = adw_action_row_new();

	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row),
				      l->counsellor[0] != '\0' ? l->counsellor : _("Nobody"));
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), sub);
	gtk_widget_set_name(row, "overview-load");
	return row;
}

static void
reload(HearthOverviewPage *self)
{
	hearth_store *s = hearth_session_peek_store(self->session);
	g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							   (GDestroyNotify)g_ptr_array_unref);
	hearth_team_overview *o = NULL;
	char today[HEARTH_DATE_LEN + 1];
	GtkWidget *page, *g;
	hearth_status st;

	if (s == NULL)
		return;
	hearth_gui_today(today);
	if ((st = hearth_team_overview_get(s, today, &o)) != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	if (self->stack_page != NULL)
		adw_view_stack_page_set_visible(self->stack_page, o->nspaces > 0);
	page = adw_preferences_page_new();
	gtk_widget_set_name(page, "overview");

	g = group(page, _("Safety First"),
		  _("Every pending safety follow-up of the team, whoever follows the person."),
		  "overview-safety");
	for (size_t i = 0; i < o->nsafety; i++)
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
			hearth_followup_row_new(self->win,
				&o->followups->items[o->safety[i]], TRUE));
	if (o->nsafety == 0)
		none_row(g, _("No pending safety follow-ups"));

	g = group(page, _("High Risk"), NULL, "overview-high");
	for (size_t i = 0; i < o->nhigh; i++)
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
					  person_row(self, &o->high[i], NULL));
	if (o->nhigh == 0)
		none_row(g, _("Nobody at high risk"));

	g = group(page, _("Nobody Assigned"),
		  _("Assign each to a counsellor from their menu: the members' names are "
		    "those they gave on the Team page."), "overview-unassigned");
	for (size_t i = 0; i < o->nunassigned; i++)
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g),
					  person_row(self, &o->unassigned[i], names));
	if (o->nunassigned == 0)
		none_row(g, _("Everyone has a counsellor"));

	g = group(page, _("By Counsellor"), NULL, "overview-loads");
	for (size_t i = 0; i < o->nloads; i++)
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(g), load_row(&o->loads[i]));
	if (o->nloads == 0)
		none_row(g, _("No open cases"));

	adw_bin_set_child(ADW_BIN(self), page);
	hearth_team_overview_free(o);
}

static void
action_assign(GtkWidget *widget, const char *name, GVariant *param)
{
	HearthOverviewPage *self = HEARTH_OVERVIEW_PAGE(widget);
	hearth_store *s = hearth_session_get_store(self->session);
	const char *hex = NULL, *who = NULL;
	g_autofree char *text = NULL;
	hearth_status st;
	hearth_id id;

	(void)name;
	g_variant_get(param, "(&s&s)", &hex, &who);
	if (s == NULL || !hearth_gui_id_parse(hex, &id))
		return;
	if ((st = hearth_person_set_counsellor(s, &id, who)) != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	/* Translators: a toast; %s is the counsellor's name. */
	text = g_strdup_printf(_("Assigned to %s"), who);
	hearth_window_toast(self->win, text);
	hearth_session_changed(self->session, HEARTH_CHANGE_PEOPLE);
}

static void
hearth_overview_page_dispose(GObject *object)
{
	HearthOverviewPage *self = HEARTH_OVERVIEW_PAGE(object);

	g_clear_object(&self->session);
	G_OBJECT_CLASS(hearth_overview_page_parent_class)->dispose(object);
}

static void
hearth_overview_page_class_init(HearthOverviewPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_overview_page_dispose;
	gtk_widget_class_install_action(widget_class, "overview.assign", "(ss)", action_assign);
}

static void
hearth_overview_page_init(HearthOverviewPage *self)
{
	(void)self;
}

HearthOverviewPage *
hearth_overview_page_new(HearthWindow *win, HearthSession *session)
{
	HearthOverviewPage *self = g_object_new(HEARTH_TYPE_OVERVIEW_PAGE, NULL);

	self->win = win;
	self->session = g_object_ref(session);
	hearth_session_watch(session, HEARTH_CHANGE_CASEWORK | HEARTH_CHANGE_SETTINGS, self,
			     G_CALLBACK(reload));
	return self;
}

/* The first load too: the page is shown, or not, once it knows. */
void
hearth_overview_page_set_stack_page(HearthOverviewPage *self, AdwViewStackPage *stack_page)
{
	self->stack_page = stack_page;
	reload(self);
}
