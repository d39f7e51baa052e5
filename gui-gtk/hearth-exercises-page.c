/*
 * gui-gtk/hearth-exercises-page.c - the 5-4-3-2-1 grounding exercise.  The
 * words are the core's, in both languages.
 */
#include "hearth-exercises-page.h"

#include "hearth/journal.h"

struct _HearthExercisesPage {
	AdwBin parent_instance;

	/* Template widgets */
	GtkBox *content;

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthExercisesPage, hearth_exercises_page, ADW_TYPE_BIN)

static void
on_next(GtkButton *b, gpointer data)
{
	AdwCarousel *c = data;
	guint pos = (guint)adw_carousel_get_position(c);

	if (pos + 1 < adw_carousel_get_n_pages(c))
		adw_carousel_scroll_to(c, adw_carousel_get_nth_page(c, pos + 1), TRUE);
	else
		adw_carousel_scroll_to(c, adw_carousel_get_nth_page(c, 0), TRUE);
}

static void
hearth_exercises_page_class_init(HearthExercisesPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-exercises-page.ui");
	gtk_widget_class_bind_template_child(widget_class, HearthExercisesPage, content);
}

static void
hearth_exercises_page_init(HearthExercisesPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

HearthExercisesPage *
hearth_exercises_page_new(HearthWindow *win)
{
	HearthExercisesPage *self = g_object_new(HEARTH_TYPE_EXERCISES_PAGE, NULL);
	const char *lang = hearth_gui_lang();
	size_t n = 0;
	const hearth_grounding_step *steps = hearth_grounding_steps(&n);
	GtkWidget *carousel = adw_carousel_new();
	GtkWidget *dots = adw_carousel_indicator_dots_new();
	GtkWidget *next = gtk_button_new_with_mnemonic(_("_Next Step"));

	self->win = win;
	gtk_box_append(self->content,
		       hearth_gui_label(_("5-4-3-2-1 Grounding"), "title-2"));
	gtk_box_append(self->content, hearth_gui_label(
		_("When feelings run high, your senses can bring you back to the here and now. Go slowly."),
		"dim-label"));
	for (size_t i = 0; i < n; i++) {
		GtkWidget *card = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
		const char *t = g_strcmp0(lang, "zh_CN") == 0 ? steps[i].zh_CN : steps[i].en;

		gtk_widget_add_css_class(card, "card");
		gtk_widget_add_css_class(card, "grounding-card");
		gtk_widget_set_hexpand(card, TRUE);
		gtk_widget_set_size_request(card, -1, 220);
		if (steps[i].count > 0) {
			g_autofree char *num = g_strdup_printf("%d", steps[i].count);
			GtkWidget *l = gtk_label_new(num);

			gtk_widget_add_css_class(l, "title-1");
			gtk_widget_add_css_class(l, "grounding-count");
			gtk_box_append(GTK_BOX(card), l);
		}
		{
			GtkWidget *l = hearth_gui_label(t, "title-3");

			gtk_label_set_justify(GTK_LABEL(l), GTK_JUSTIFY_CENTER);
			gtk_label_set_xalign(GTK_LABEL(l), 0.5);
			gtk_widget_set_vexpand(l, TRUE);
			gtk_box_append(GTK_BOX(card), l);
		}
		adw_carousel_append(ADW_CAROUSEL(carousel), card);
	}
	adw_carousel_set_spacing(ADW_CAROUSEL(carousel), 12);
	adw_carousel_indicator_dots_set_carousel(ADW_CAROUSEL_INDICATOR_DOTS(dots),
						 ADW_CAROUSEL(carousel));
	gtk_box_append(self->content, carousel);
	gtk_box_append(self->content, dots);
	gtk_widget_set_halign(next, GTK_ALIGN_CENTER);
	gtk_widget_add_css_class(next, "pill");
	g_signal_connect(next, "clicked", G_CALLBACK(on_next), carousel);
	gtk_box_append(self->content, next);
	return self;
}
