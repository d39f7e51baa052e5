/*
 * gui-gtk/hearth-help-page.c - help lines.
 */
#include "hearth-help-page.h"

#include "hearth-crisis.h"

struct _HearthHelpPage {
	AdwBin parent_instance;

	/* Template widgets */
	GtkBox *content;

	/* Owned */
	HearthSession *session;

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthHelpPage, hearth_help_page, ADW_TYPE_BIN)

static void
fill(GtkBox *content, HearthWindow *win)
{
	hearth_gui_box_clear(GTK_WIDGET(content));
	gtk_box_append(content, hearth_gui_label(
		_("You are not alone. You can talk to someone right now."), "title-2"));
	gtk_box_append(content, hearth_gui_label(
		_("It is okay to ask for help. These lines answer day and night. In danger, call 120 or 110."),
		NULL));
	gtk_box_append(content, hearth_helplines_list_new(win));
	gtk_box_append(content, hearth_gui_label(
		_("The numbers are set by your service in Preferences. Nothing is called or sent for you: you choose."),
		"dim-label"));
}

static void
reload(HearthHelpPage *self)
{
	fill(self->content, self->win);
}

static void
hearth_help_page_dispose(GObject *object)
{
	HearthHelpPage *self = HEARTH_HELP_PAGE(object);

	G_OBJECT_CLASS(hearth_help_page_parent_class)->dispose(object);
	g_clear_object(&self->session);
}

static void
hearth_help_page_class_init(HearthHelpPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_help_page_dispose;
	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-help-page.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthHelpPage, content);
}

static void
hearth_help_page_init(HearthHelpPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

HearthHelpPage *
hearth_help_page_new(HearthWindow *win, HearthSession *session)
{
	HearthHelpPage *self = g_object_new(HEARTH_TYPE_HELP_PAGE, NULL);

	self->win = win;
	self->session = g_object_ref(session);
	hearth_session_watch(session, HEARTH_CHANGE_SETTINGS, self,
			     G_CALLBACK(reload));
	reload(self);
	return self;
}

GtkWidget *
hearth_help_dialog_new(GtkWindow *parent, HearthSession *session)
{
	/* The lines come from the window (its vault's, remembered across a
	 * lock); session only says whether one is open. */
	HearthWindow *owner = parent && HEARTH_IS_WINDOW(parent) &&
		(session == NULL || session == hearth_window_get_session(HEARTH_WINDOW(parent)))
		? HEARTH_WINDOW(parent) : NULL;
	GtkWidget *dialog = adw_window_new();
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	GtkWidget *header = adw_header_bar_new();
	GtkWidget *page = g_object_new(HEARTH_TYPE_HELP_PAGE, NULL);

	gtk_window_set_title(GTK_WINDOW(dialog), _("Help Lines"));
	gtk_window_set_transient_for(GTK_WINDOW(dialog), parent);
	gtk_window_set_modal(GTK_WINDOW(dialog), TRUE);
	gtk_window_set_default_size(GTK_WINDOW(dialog), 420, 520);
	gtk_widget_set_name(dialog, "help-dialog");
	gtk_widget_set_vexpand(page, TRUE);
	gtk_box_append(GTK_BOX(box), header);
	gtk_box_append(GTK_BOX(box), page);
	adw_window_set_content(ADW_WINDOW(dialog), box);
	fill(HEARTH_HELP_PAGE(page)->content, owner);
	return dialog;
}
