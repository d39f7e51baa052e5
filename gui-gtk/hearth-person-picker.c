/*
 * gui-gtk/hearth-person-picker.c - choose a person from a searchable list.
 *
 * The popover holds a search entry over a GtkFilterListModel of the
 * People view's own GListStore, shown by a GtkListView: rows exist only
 * for the names on screen, and the model is shared, not copied.
 */
#include "hearth-person-picker.h"

#include <string.h>

#include "hearth-person-item.h"

struct _HearthPersonPicker {
	AdwBin parent_instance;

	/* Owned */
	GListModel *people;
	GtkFilterListModel *filtered;
	GtkCustomFilter *filter;
	char *query;            /* case-folded search text */
	hearth_id id;
	char *name;             /* NULL: nobody chosen */

	/* Borrowed (children) */
	GtkMenuButton *button;
	GtkPopover *popover;
	GtkSearchEntry *search;
	GtkListView *list;
	GtkStack *stack;
};

G_DEFINE_FINAL_TYPE(HearthPersonPicker, hearth_person_picker, ADW_TYPE_BIN)

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static gboolean
filter_func(gpointer item, gpointer data)
{
	HearthPersonPicker *self = data;

	if (self->query == NULL || *self->query == '\0')
		return TRUE;
	return strstr(hearth_person_item_get_search_text(item), self->query) != NULL;
}

static void
update_stack(HearthPersonPicker *self)
{
	gtk_stack_set_visible_child_name(self->stack,
		g_list_model_get_n_items(G_LIST_MODEL(self->filtered)) > 0
			? "list" : "nomatch");
}

static void
on_search_changed(GtkSearchEntry *entry, gpointer data)
{
	HearthPersonPicker *self = data;

	g_free(self->query);
	self->query = g_utf8_casefold(gtk_editable_get_text(GTK_EDITABLE(entry)), -1);
	gtk_filter_changed(GTK_FILTER(self->filter), GTK_FILTER_CHANGE_DIFFERENT);
	update_stack(self);
}

static void
update_button(HearthPersonPicker *self)
{
	gtk_menu_button_set_label(self->button,
		self->name != NULL ? _("Change…") : _("Choose…"));
}

void
hearth_person_picker_set_person(HearthPersonPicker *self, const hearth_id *id,
				const char *name)
{
	g_return_if_fail(HEARTH_IS_PERSON_PICKER(self));
	g_clear_pointer(&self->name, g_free);
	if (id != NULL) {
		self->id = *id;
		self->name = g_strdup(hearth_person_display_name(name));
	}
	update_button(self);
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

gboolean
hearth_person_picker_choose(HearthPersonPicker *self, guint position)
{
	g_autoptr(HearthPersonItem) item =
		g_list_model_get_item(G_LIST_MODEL(self->filtered), position);

	if (item == NULL)
		return FALSE;
	hearth_person_picker_set_person(self, hearth_person_item_get_id(item),
					hearth_person_item_get_name(item));
	gtk_popover_popdown(self->popover);
	return TRUE;
}

static void
on_activate(GtkListView *view, guint position, gpointer data)
{
	hearth_person_picker_choose(HEARTH_PERSON_PICKER(data), position);
}

/* Enter in the search entry takes the first match. */
static void
on_search_activate(GtkSearchEntry *entry, gpointer data)
{
	hearth_person_picker_choose(HEARTH_PERSON_PICKER(data), 0);
}

static void
on_popover_show(GtkPopover *popover, gpointer data)
{
	HearthPersonPicker *self = data;

	gtk_widget_grab_focus(GTK_WIDGET(self->search));
}

gboolean
hearth_person_picker_get_person(HearthPersonPicker *self, hearth_id *out)
{
	if (self->name == NULL)
		return FALSE;
	*out = self->id;
	return TRUE;
}

const char *
hearth_person_picker_get_name(HearthPersonPicker *self)
{
	return self->name;
}

void
hearth_person_picker_popup(HearthPersonPicker *self)
{
	gtk_menu_button_popup(self->button);
}

/* Rows: the name over the work unit. */
static void
setup_row(GtkSignalListItemFactory *f, GtkListItem *li, gpointer data)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	GtkWidget *name = gtk_label_new(NULL);
	GtkWidget *sub = gtk_label_new(NULL);

	gtk_widget_set_margin_top(box, 6);
	gtk_widget_set_margin_bottom(box, 6);
	gtk_label_set_xalign(GTK_LABEL(name), 0);
	gtk_label_set_ellipsize(GTK_LABEL(name), PANGO_ELLIPSIZE_END);
	gtk_label_set_xalign(GTK_LABEL(sub), 0);
	gtk_label_set_ellipsize(GTK_LABEL(sub), PANGO_ELLIPSIZE_END);
	gtk_widget_add_css_class(sub, "dim-label");
	gtk_widget_add_css_class(sub, "caption");
	gtk_box_append(GTK_BOX(box), name);
	gtk_box_append(GTK_BOX(box), sub);
	gtk_list_item_set_child(li, box);
}

static void
bind_row(GtkSignalListItemFactory *f, GtkListItem *li, gpointer data)
{
	HearthPersonItem *item = gtk_list_item_get_item(li);
	GtkWidget *box = gtk_list_item_get_child(li);
	GtkWidget *name = gtk_widget_get_first_child(box);
	GtkWidget *sub = gtk_widget_get_next_sibling(name);
	const char *unit = hearth_person_item_get_unit(item);

	gtk_label_set_text(GTK_LABEL(name),
		hearth_person_display_name(hearth_person_item_get_name(item)));
	gtk_label_set_text(GTK_LABEL(sub), unit);
	gtk_widget_set_visible(sub, *unit != '\0');
	hearth_gui_list_row_label(box, gtk_label_get_text(GTK_LABEL(name)), unit);
}

static void
hearth_person_picker_dispose(GObject *object)
{
	HearthPersonPicker *self = HEARTH_PERSON_PICKER(object);

	G_OBJECT_CLASS(hearth_person_picker_parent_class)->dispose(object);
	g_clear_object(&self->filtered);
	g_clear_object(&self->people);
}

static void
hearth_person_picker_finalize(GObject *object)
{
	HearthPersonPicker *self = HEARTH_PERSON_PICKER(object);

	g_free(self->query);
	g_free(self->name);
	G_OBJECT_CLASS(hearth_person_picker_parent_class)->finalize(object);
}

static void
hearth_person_picker_class_init(HearthPersonPickerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = hearth_person_picker_dispose;
	object_class->finalize = hearth_person_picker_finalize;
	/* changed: the chosen person (or nobody) was set. */
	signals[SIGNAL_CHANGED] = g_signal_new("changed",
		G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
		NULL, G_TYPE_NONE, 0);
}

static void
hearth_person_picker_init(HearthPersonPicker *self)
{
	GtkWidget *box, *scroll, *nomatch;
	GtkListItemFactory *factory;

	self->button = GTK_MENU_BUTTON(gtk_menu_button_new());
	gtk_widget_set_name(GTK_WIDGET(self->button), "person-picker-button");
	gtk_widget_set_valign(GTK_WIDGET(self->button), GTK_ALIGN_CENTER);
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->button), _("Choose the Person"));
	adw_bin_set_child(ADW_BIN(self), GTK_WIDGET(self->button));

	self->popover = GTK_POPOVER(gtk_popover_new());
	box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	self->search = GTK_SEARCH_ENTRY(gtk_search_entry_new());
	gtk_widget_set_name(GTK_WIDGET(self->search), "person-picker-search");
	g_object_set(self->search, "placeholder-text", _("Search people"), NULL);
	gtk_accessible_update_property(GTK_ACCESSIBLE(self->search),
		GTK_ACCESSIBLE_PROPERTY_LABEL, _("Search people"), -1);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(self->search));

	self->list = GTK_LIST_VIEW(gtk_list_view_new(NULL, NULL));
	gtk_widget_set_name(GTK_WIDGET(self->list), "person-picker-list");
	gtk_list_view_set_single_click_activate(self->list, TRUE);
	gtk_widget_add_css_class(GTK_WIDGET(self->list), "navigation-sidebar");
	gtk_accessible_update_property(GTK_ACCESSIBLE(self->list),
		GTK_ACCESSIBLE_PROPERTY_LABEL, _("People"), -1);
	scroll = gtk_scrolled_window_new();
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll),
		GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
	/* Fits a phone held upright (360 px wide) with room around it. */
	gtk_widget_set_size_request(scroll, 260, 280);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), GTK_WIDGET(self->list));

	nomatch = gtk_label_new(_("Nobody matches the search."));
	gtk_label_set_wrap(GTK_LABEL(nomatch), TRUE);
	gtk_widget_add_css_class(nomatch, "dim-label");
	self->stack = GTK_STACK(gtk_stack_new());
	gtk_stack_add_named(self->stack, scroll, "list");
	gtk_stack_add_named(self->stack, nomatch, "nomatch");
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(self->stack));
	gtk_popover_set_child(self->popover, box);
	gtk_menu_button_set_popover(self->button, GTK_WIDGET(self->popover));

	factory = gtk_signal_list_item_factory_new();
	g_signal_connect(factory, "setup", G_CALLBACK(setup_row), NULL);
	g_signal_connect(factory, "bind", G_CALLBACK(bind_row), NULL);
	gtk_list_view_set_factory(self->list, factory);
	g_object_unref(factory);

	g_signal_connect(self->list, "activate", G_CALLBACK(on_activate), self);
	g_signal_connect(self->search, "search-changed", G_CALLBACK(on_search_changed), self);
	g_signal_connect(self->search, "activate", G_CALLBACK(on_search_activate), self);
	g_signal_connect(self->popover, "show", G_CALLBACK(on_popover_show), self);
	update_button(self);
}

HearthPersonPicker *
hearth_person_picker_new(GListModel *people)
{
	HearthPersonPicker *self = g_object_new(HEARTH_TYPE_PERSON_PICKER, NULL);
	GtkNoSelection *sel;

	self->people = g_object_ref(people);
	self->filter = gtk_custom_filter_new(filter_func, self, NULL);
	self->filtered = gtk_filter_list_model_new(g_object_ref(people),
						   GTK_FILTER(self->filter));
	sel = gtk_no_selection_new(G_LIST_MODEL(g_object_ref(self->filtered)));
	gtk_list_view_set_model(self->list, GTK_SELECTION_MODEL(sel));
	g_object_unref(sel);
	update_stack(self);
	return self;
}
