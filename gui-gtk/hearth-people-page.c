/*
 * gui-gtk/hearth-people-page.c - the People view.
 *
 * The list is a GtkListView (it creates rows only for what is on screen)
 * over a GtkFilterListModel over the session's people model (snapshots of
 * HearthPersonItem, shared with the person pickers), read when the page is
 * first shown (and again, when shown, after people changed).  10,000
 * people take about 5 MiB of snapshots; rows exist only for what is on
 * screen.
 */
#include "hearth-people-page.h"

#include "hearth-person-editor.h"
#include "hearth-person-item.h"
#include "hearth-person-page.h"

struct _HearthPeoplePage {
	AdwBin parent_instance;

	/* Template widgets */
	AdwLeaflet *leaflet;
	GtkWidget *list_pane;
	GtkSearchEntry *search;
	GtkButton *add_button;
	GtkStack *list_stack;
	GtkListView *list_view;
	AdwBin *detail;

	/* Owned */
	HearthSession *session;
	GtkFilterListModel *filtered;
	GtkCustomFilter *filter;
	char *query;           /* case-folded search text */
	hearth_id shown;       /* the person beside the list */
	gboolean has_shown;

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthPeoplePage, hearth_people_page, ADW_TYPE_BIN)

static void
update_stack(HearthPeoplePage *self)
{
	guint all = g_list_model_get_n_items(hearth_session_get_people(self->session));
	guint shown = g_list_model_get_n_items(G_LIST_MODEL(self->filtered));

	gtk_stack_set_visible_child_name(self->list_stack,
		all == 0 ? "empty" : shown == 0 ? "nomatch" : "list");
}

void
hearth_people_page_reload(HearthPeoplePage *self)
{
	hearth_status st;

	if (hearth_session_peek_store(self->session) == NULL)
		return;
	st = hearth_session_people_refresh(self->session);
	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	update_stack(self);
	if (self->has_shown && !adw_leaflet_get_folded(self->leaflet))
		hearth_people_page_open(self, &self->shown);
}

gboolean
hearth_people_page_first(HearthPeoplePage *self, hearth_id *out)
{
	g_autoptr(HearthPersonItem) item = NULL;

	hearth_gui_lazy_flush(GTK_WIDGET(self));
	item = g_list_model_get_item(G_LIST_MODEL(self->filtered), 0);
	if (item == NULL)
		return FALSE;
	*out = *hearth_person_item_get_id(item);
	return TRUE;
}

GListModel *
hearth_people_page_get_model(HearthPeoplePage *self)
{
	hearth_gui_lazy_flush(GTK_WIDGET(self));
	return hearth_session_get_people(self->session);
}

guint
hearth_people_page_count(HearthPeoplePage *self)
{
	hearth_gui_lazy_flush(GTK_WIDGET(self));
	return g_list_model_get_n_items(G_LIST_MODEL(self->filtered));
}

void
hearth_people_page_open(HearthPeoplePage *self, const hearth_id *id)
{
	self->shown = *id;
	self->has_shown = TRUE;
	if (adw_leaflet_get_folded(self->leaflet)) {
		hearth_window_push(self->win,
			GTK_WIDGET(hearth_person_page_new(self->win, self->session, id, TRUE)));
	} else {
		adw_bin_set_child(self->detail,
			GTK_WIDGET(hearth_person_page_new(self->win, self->session, id, FALSE)));
	}
}

static gboolean
filter_func(gpointer item, gpointer data)
{
	HearthPeoplePage *self = data;

	if (self->query == NULL || *self->query == '\0')
		return TRUE;
	return strstr(hearth_person_item_get_search_text(item), self->query) != NULL;
}

static void
on_search_changed(GtkSearchEntry *entry, gpointer data)
{
	HearthPeoplePage *self = data;

	g_free(self->query);
	self->query = g_utf8_casefold(gtk_editable_get_text(GTK_EDITABLE(entry)), -1);
	gtk_filter_changed(GTK_FILTER(self->filter), GTK_FILTER_CHANGE_DIFFERENT);
	update_stack(self);
}

static void
on_activate(GtkListView *view, guint pos, gpointer data)
{
	HearthPeoplePage *self = data;
	g_autoptr(HearthPersonItem) item =
		g_list_model_get_item(G_LIST_MODEL(self->filtered), pos);

	if (item != NULL)
		hearth_people_page_open(self, hearth_person_item_get_id(item));
}

static void
on_add(GtkButton *b, gpointer data)
{
	HearthPeoplePage *self = data;

	hearth_person_editor_present(self->win, NULL);
}

/* Rows: name over unit and tags, a safety flag with text, an arrow. */
static void
setup_row(GtkSignalListItemFactory *f, GtkListItem *li, gpointer data)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	GtkWidget *text = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	GtkWidget *name = gtk_label_new(NULL);
	GtkWidget *sub = gtk_label_new(NULL);
	GtkWidget *flag = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 4);
	GtkWidget *arrow = gtk_image_new_from_icon_name("go-next-symbolic");

	gtk_widget_set_margin_top(box, 8);
	gtk_widget_set_margin_bottom(box, 8);
	gtk_widget_set_hexpand(text, TRUE);
	gtk_label_set_xalign(GTK_LABEL(name), 0);
	gtk_label_set_ellipsize(GTK_LABEL(name), PANGO_ELLIPSIZE_END);
	gtk_widget_add_css_class(name, "heading");
	gtk_label_set_xalign(GTK_LABEL(sub), 0);
	gtk_label_set_ellipsize(GTK_LABEL(sub), PANGO_ELLIPSIZE_END);
	gtk_widget_add_css_class(sub, "dim-label");
	gtk_widget_add_css_class(sub, "caption");
	gtk_box_append(GTK_BOX(text), name);
	gtk_box_append(GTK_BOX(text), sub);
	gtk_box_append(GTK_BOX(flag),
		       gtk_image_new_from_icon_name("dialog-warning-symbolic"));
	gtk_box_append(GTK_BOX(flag), gtk_label_new(_("Safety")));
	gtk_widget_add_css_class(flag, "safety-flag");
	gtk_widget_set_valign(flag, GTK_ALIGN_CENTER);
	gtk_box_append(GTK_BOX(box), text);
	gtk_box_append(GTK_BOX(box), flag);
	gtk_box_append(GTK_BOX(box), arrow);
	gtk_accessible_update_property(GTK_ACCESSIBLE(arrow),
		GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
	gtk_list_item_set_child(li, box);
}

static void
bind_row(GtkSignalListItemFactory *f, GtkListItem *li, gpointer data)
{
	HearthPersonItem *item = gtk_list_item_get_item(li);
	GtkWidget *box = gtk_list_item_get_child(li);
	GtkWidget *text = gtk_widget_get_first_child(box);
	GtkWidget *name = gtk_widget_get_first_child(text);
	GtkWidget *sub = gtk_widget_get_next_sibling(name);
	GtkWidget *flag = gtk_widget_get_next_sibling(text);
	const char *unit = hearth_person_item_get_unit(item);
	const char *tags = hearth_person_item_get_tags(item);
	gboolean high = hearth_gui_risk_value(hearth_person_item_get_risk(item)) ==
			HEARTH_RISK_HIGH;
	g_autofree char *subtitle = NULL;

	gtk_label_set_text(GTK_LABEL(name),
		hearth_person_display_name(hearth_person_item_get_name(item)));
	if (*unit && *tags)
		subtitle = g_strdup_printf("%s · %s", unit, tags);
	else
		subtitle = g_strdup(*unit ? unit : tags);
	gtk_label_set_text(GTK_LABEL(sub), subtitle);
	gtk_widget_set_visible(flag, high);
	/* Screen readers hear the name, the safety flag and then the rest. */
	if (high) {
		g_autofree char *label = g_strdup_printf("%s · %s",
			gtk_label_get_text(GTK_LABEL(name)), _("Safety"));

		hearth_gui_list_row_label(box, label, subtitle);
	} else {
		hearth_gui_list_row_label(box, gtk_label_get_text(GTK_LABEL(name)), subtitle);
	}
}

static void
lazy_reload(gpointer page)
{
	hearth_people_page_reload(HEARTH_PEOPLE_PAGE(page));
}

static void
hearth_people_page_dispose(GObject *object)
{
	HearthPeoplePage *self = HEARTH_PEOPLE_PAGE(object);

	G_OBJECT_CLASS(hearth_people_page_parent_class)->dispose(object);
	g_clear_object(&self->filtered);
	g_clear_object(&self->session);
}

static void
hearth_people_page_finalize(GObject *object)
{
	HearthPeoplePage *self = HEARTH_PEOPLE_PAGE(object);

	g_free(self->query);
	G_OBJECT_CLASS(hearth_people_page_parent_class)->finalize(object);
}

static void
hearth_people_page_class_init(HearthPeoplePageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = hearth_people_page_dispose;
	object_class->finalize = hearth_people_page_finalize;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-people-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child(widget_class, HearthPeoplePage, name)
	BIND(leaflet);
	BIND(list_pane);
	BIND(search);
	BIND(add_button);
	BIND(list_stack);
	BIND(list_view);
	BIND(detail);
#undef BIND
}

static void
hearth_people_page_init(HearthPeoplePage *self)
{
	GtkListItemFactory *factory;

	gtk_widget_init_template(GTK_WIDGET(self));
	factory = gtk_signal_list_item_factory_new();
	g_signal_connect(factory, "setup", G_CALLBACK(setup_row), NULL);
	g_signal_connect(factory, "bind", G_CALLBACK(bind_row), NULL);
	gtk_list_view_set_factory(self->list_view, factory);
	g_object_unref(factory);

	g_signal_connect(self->list_view, "activate", G_CALLBACK(on_activate), self);
	g_signal_connect(self->search, "search-changed", G_CALLBACK(on_search_changed), self);
	g_signal_connect(self->add_button, "clicked", G_CALLBACK(on_add), self);
	adw_leaflet_set_visible_child(self->leaflet, self->list_pane);
}

HearthPeoplePage *
hearth_people_page_new(HearthWindow *win, HearthSession *session)
{
	HearthPeoplePage *self = g_object_new(HEARTH_TYPE_PEOPLE_PAGE, NULL);
	GtkNoSelection *sel;

	self->win = win;
	self->session = g_object_ref(session);
	self->filter = gtk_custom_filter_new(filter_func, self, NULL);
	self->filtered = gtk_filter_list_model_new(
		g_object_ref(hearth_session_get_people(session)),
		GTK_FILTER(self->filter));
	sel = gtk_no_selection_new(G_LIST_MODEL(g_object_ref(self->filtered)));
	gtk_list_view_set_model(self->list_view, GTK_SELECTION_MODEL(sel));
	g_object_unref(sel);
	/* Risk shows as the safety flag: a screening or a call can raise it. */
	hearth_session_watch(session, HEARTH_CHANGE_PEOPLE, self,
			     G_CALLBACK(hearth_gui_lazy_changed));
	/* Read when first shown: Today is what an unlock shows. */
	hearth_gui_lazy_init(GTK_WIDGET(self), lazy_reload);
	return self;
}
