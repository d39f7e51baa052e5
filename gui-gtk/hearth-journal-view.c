/*
 * gui-gtk/hearth-journal-view.c - the employee's views.
 */
#include "hearth-journal-view.h"

#include <string.h>

#include "hearth-checkin-page.h"
#include "hearth-exercises-page.h"
#include "hearth-help-page.h"
#include "hearth-screening-page.h"
#include "hearth-trends-page.h"

struct _HearthJournalView {
	AdwBin parent_instance;

	/* Template widgets */
	AdwViewSwitcherTitle *switcher_title;
	AdwViewStack *stack;
	AdwViewSwitcherBar *switcher_bar;
	GtkMenuButton *menu_button;

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthJournalView, hearth_journal_view, ADW_TYPE_BIN)

gboolean
hearth_journal_view_show(HearthJournalView *self, const char *name)
{
	if (adw_view_stack_get_child_by_name(self->stack, name) != NULL) {
		adw_view_stack_set_visible_child_name(self->stack, name);
		return TRUE;
	}
	if (strcmp(name, "screening") == 0)
		return hearth_screening_page_start(self->win, NULL, "phq9") != NULL;
	return FALSE;
}

static void
hearth_journal_view_class_init(HearthJournalViewClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-journal-view.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthJournalView, switcher_title);
	gtk_widget_class_bind_template_child(widget_class, HearthJournalView, stack);
	gtk_widget_class_bind_template_child(widget_class, HearthJournalView, switcher_bar);
	gtk_widget_class_bind_template_child(widget_class, HearthJournalView, menu_button);
}

static void
hearth_journal_view_init(HearthJournalView *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	hearth_gui_menu_button_label(self->menu_button, _("Main Menu"));
}

static void
add(HearthJournalView *self, GtkWidget *page, const char *name,
    const char *title, const char *icon)
{
	AdwViewStackPage *p = adw_view_stack_add_titled(self->stack, page, name, title);

	adw_view_stack_page_set_icon_name(p, icon);
}

HearthJournalView *
hearth_journal_view_new(HearthWindow *win, HearthSession *session)
{
	HearthJournalView *self = g_object_new(HEARTH_TYPE_JOURNAL_VIEW, NULL);

	self->win = win;
	add(self, GTK_WIDGET(hearth_checkin_page_new(win, session)), "checkin",
	    _("Check-in"), "emblem-favorite-symbolic");
	add(self, GTK_WIDGET(hearth_trends_page_new(win, session)), "trends",
	    _("Trends"), "hearth-trends-symbolic");
	add(self, GTK_WIDGET(hearth_exercises_page_new(win)), "exercises",
	    _("Exercises"), "weather-clear-symbolic");
	add(self, GTK_WIDGET(hearth_help_page_new(win, session)), "help",
	    _("Help"), "call-start-symbolic");
	return self;
}
