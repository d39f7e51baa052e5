/*
 * gui-gtk/hearth-gui.c - shared helpers: core errors as GErrors and as
 * words, dates, ids.
 */
#include "hearth-gui.h"

#include <string.h>

G_DEFINE_QUARK(hearth-gui-error-quark, hearth_gui_error)

gboolean
hearth_gui_fail(hearth_status status, GError **error)
{
	g_set_error_literal(error, HEARTH_GUI_ERROR, (int)status,
			    hearth_errdetail_local());
	return FALSE;
}

const char *
hearth_gui_status_text(hearth_status status)
{
	switch (status) {
	case HEARTH_OK:
		return _("Done.");
	case HEARTH_ENOMEM:
		return _("The device ran out of memory. Close other apps and try again.");
	case HEARTH_EINVAL:
		return _("Some of what was entered is not valid. Check it and try again.");
	case HEARTH_EIO:
		return _("The files could not be read or written. Check that the disk has space.");
	case HEARTH_EPASSPHRASE:
		return _("The passphrase is not right. Try again.");
	case HEARTH_ENOVAULT:
		return _("There is no vault here yet.");
	case HEARTH_EEXISTS:
		return _("That exists already.");
	case HEARTH_EAUTH:
	case HEARTH_EDAMAGED:
		return _("The stored data is damaged. Restore it from a backup or another device.");
	case HEARTH_ENEWER:
		return _("This vault was made by a newer version of Hearth. Update the app.");
	case HEARTH_EOTHERVAULT:
		return _("This key file belongs to another vault. Put back this vault's own vault.json.");
	case HEARTH_ENOTFOUND:
		return _("It could not be found. It may have been removed on another device.");
	case HEARTH_ESTATE:
		return _("That cannot be done now.");
	case HEARTH_EBUSY:
		return _("The vault is open in another window or program. Close it there first.");
	case HEARTH_EINCOMPLETE:
		return _("Some questions have no answer yet, so nothing was scored.");
	case HEARTH_EFORMAT:
		return _("The file is not in a format Hearth can read.");
	default:
		return _("Something went wrong. Nothing was changed.");
	}
}

const char *
hearth_gui_error_text(const GError *error)
{
	if (error == NULL)
		return "";
	if (error->domain == HEARTH_GUI_ERROR)
		return hearth_gui_status_text((hearth_status)error->code);
	return error->message;
}

void
hearth_gui_today(char out[HEARTH_DATE_LEN + 1])
{
	if (hearth_today(g_getenv("HEARTH_TODAY"), out) != HEARTH_OK &&
	    hearth_today(NULL, out) != HEARTH_OK)
		g_strlcpy(out, "1970-01-01", HEARTH_DATE_LEN + 1);
}

char *
hearth_gui_id_hex(const hearth_id *id)
{
	char hex[HEARTH_ID_HEX + 1];

	hearth_id_to_hex(id, hex);
	return g_strdup(hex);
}

gboolean
hearth_gui_id_parse(const char *hex, hearth_id *out)
{
	return hex != NULL && hearth_id_from_hex(out, hex) == HEARTH_OK;
}

char *
hearth_gui_date_label(const char *date, const char *today)
{
	int32_t d, t;
	int y, m, day;

	if (date == NULL || hearth_date_parse(date, &d) != HEARTH_OK)
		return g_strdup(date ? date : "");
	if (today != NULL && hearth_date_parse(today, &t) == HEARTH_OK) {
		if (d == t)
			return g_strdup(_("Today"));
		if (d == t + 1)
			return g_strdup(_("Tomorrow"));
		if (d == t - 1)
			return g_strdup(_("Yesterday"));
	}
	hearth_date_to_ymd(d, &y, &m, &day);
	{
		static const char *const wd[] = {
			N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"),
			N_("Fri"), N_("Sat"), N_("Sun"),
		};
		int w = hearth_date_weekday(d);
		/* Translators: a short date: weekday, year, month, day. */
		return g_strdup_printf(_("%s %d-%02d-%02d"),
				       _(wd[(w - 1) % 7]), y, m, day);
	}
}

const char *
hearth_gui_lang(void)
{
	/* Translators: the language code of this translation, "zh_CN" for
	 * Simplified Chinese.  The app shows instrument questions and help
	 * lines in this language. */
	const char *code = C_("language code", "en");

	return g_strcmp0(code, "zh_CN") == 0 ? "zh_CN" : "en";
}

/* hearth_gui_X_value(code): the value of a stored code of the core's
 * vocabulary X, or HEARTH_X's COUNT (no value) when the code is NULL or
 * none of X's (a newer version's), its parse failure dropped: the app
 * compares values, never the stored words. */
#define CODE_VALUE(X, NONE)                                             \
	hearth_##X                                                      \
	hearth_gui_##X##_value(const char *code)                        \
	{                                                               \
		hearth_##X v;                                           \
									\
		if (code == NULL)                                       \
			return NONE;                                    \
		if (hearth_##X##_parse(code, &v) != HEARTH_OK) {        \
			hearth_errdetail_clear();                       \
			return NONE;                                    \
		}                                                       \
		return v;                                               \
	}

/* hearth_gui_X_text(code): the label of a stored code of vocabulary X;
 * the code as it is when it is none of X's, NULL as "". */
#define CODE_TEXT(X, NONE)                                              \
	CODE_VALUE(X, NONE)                                             \
	const char *                                                    \
	hearth_gui_##X##_text(const char *code)                         \
	{                                                               \
		hearth_##X v = hearth_gui_##X##_value(code);            \
									\
		if (v == NONE)                                          \
			return code != NULL ? code : "";                \
		return hearth_##X##_label(v);                           \
	}

CODE_VALUE(risk, HEARTH_RISK_COUNT)
CODE_VALUE(case_state, HEARTH_CASE_COUNT)
CODE_VALUE(priority, HEARTH_PRIORITY_COUNT)
CODE_TEXT(followup_status, HEARTH_FOLLOWUP_STATUS_COUNT)
CODE_TEXT(appt_mode, HEARTH_MODE_COUNT)
CODE_TEXT(appt_status, HEARTH_APPT_STATUS_COUNT)
CODE_TEXT(note_format, HEARTH_NOTE_FORMAT_COUNT)
CODE_TEXT(activity_type, HEARTH_ACTIVITY_TYPE_COUNT)

GtkWidget *
hearth_gui_label(const char *text, const char *css_class)
{
	GtkWidget *l = gtk_label_new(text);

	gtk_label_set_wrap(GTK_LABEL(l), TRUE);
	gtk_label_set_wrap_mode(GTK_LABEL(l), PANGO_WRAP_WORD_CHAR);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	if (css_class != NULL)
		gtk_widget_add_css_class(l, css_class);
	return l;
}

void
hearth_gui_menu_button_label(GtkMenuButton *button, const char *label)
{
	GtkWidget *c;

	gtk_accessible_update_property(GTK_ACCESSIBLE(button),
		GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
	for (c = gtk_widget_get_first_child(GTK_WIDGET(button)); c != NULL;
	     c = gtk_widget_get_next_sibling(c))
		if (GTK_IS_BUTTON(c))
			gtk_accessible_update_property(GTK_ACCESSIBLE(c),
				GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

void
hearth_gui_list_row_label(GtkWidget *child, const char *label,
			  const char *description)
{
	/* The list item's own widget (the one focused) is the parent of
	 * the factory's child; GTK 4.8 has no GtkListItem API for this. */
	GtkWidget *row = gtk_widget_get_parent(child);

	if (row == NULL)
		return;
	gtk_accessible_update_property(GTK_ACCESSIBLE(row),
		GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
	if (description != NULL && *description)
		gtk_accessible_update_property(GTK_ACCESSIBLE(row),
			GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
	else
		gtk_accessible_reset_property(GTK_ACCESSIBLE(row),
			GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

void
hearth_gui_box_clear(GtkWidget *box)
{
	GtkWidget *child;

	while ((child = gtk_widget_get_first_child(box)) != NULL) {
		if (GTK_IS_LIST_BOX(box))
			gtk_list_box_remove(GTK_LIST_BOX(box), child);
		else if (GTK_IS_BOX(box))
			gtk_box_remove(GTK_BOX(box), child);
		else
			gtk_widget_unparent(child);
	}
}

/* ---- pages that load when shown ------------------------------------------ */

typedef struct {
	void (*reload)(gpointer page);
	gboolean dirty;
} Lazy;

static void
lazy_on_map(GtkWidget *page, gpointer data)
{
	Lazy *l = data;

	if (!l->dirty)
		return;
	l->dirty = FALSE;
	l->reload(page);
}

void
hearth_gui_lazy_init(GtkWidget *page, void (*reload)(gpointer page))
{
	Lazy *l = g_new0(Lazy, 1);

	l->reload = reload;
	l->dirty = TRUE;
	g_object_set_data_full(G_OBJECT(page), "hearth-lazy", l, g_free);
	g_signal_connect(page, "map", G_CALLBACK(lazy_on_map), l);
	if (gtk_widget_get_mapped(page))
		lazy_on_map(page, l);
}

void
hearth_gui_lazy_changed(GtkWidget *page)
{
	Lazy *l = g_object_get_data(G_OBJECT(page), "hearth-lazy");

	g_return_if_fail(l != NULL);
	l->dirty = TRUE;
	if (gtk_widget_get_mapped(page))
		lazy_on_map(page, l);
}

gboolean
hearth_gui_lazy_flush(GtkWidget *page)
{
	Lazy *l = g_object_get_data(G_OBJECT(page), "hearth-lazy");

	if (l == NULL || !l->dirty)
		return FALSE;
	lazy_on_map(page, l);
	return TRUE;
}

GtkWidget *
hearth_gui_more_row(gsize hidden, GCallback cb, gpointer data)
{
	GtkWidget *row = adw_action_row_new();
	gsize next = MIN(hidden, (gsize)HEARTH_GUI_ROWS_PAGE);
	g_autofree char *title = g_strdup_printf(
		g_dngettext(NULL, "Show %zu More", "Show %zu More", (gulong)next),
		(size_t)next);
	g_autofree char *sub = g_strdup_printf(
		g_dngettext(NULL, "%zu not shown", "%zu not shown", (gulong)hidden),
		(size_t)hidden);

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), sub);
	adw_action_row_add_suffix(ADW_ACTION_ROW(row),
		gtk_image_new_from_icon_name("view-more-symbolic"));
	gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), TRUE);
	gtk_widget_set_name(row, "show-more");
	if (cb != NULL)
		g_signal_connect_swapped(row, "activated", cb, data);
	return row;
}
