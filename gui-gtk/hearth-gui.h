/*
 * gui-gtk/hearth-gui.h - what every file of the app shares: translation
 * macros, g_autoptr support for core handles, and the GError domain that
 * carries a hearth_status and its detail to the widgets.
 */
#ifndef HEARTH_GUI_H
#define HEARTH_GUI_H

#include <adwaita.h>
#include <glib/gi18n.h>

#include "hearth/hearth.h"
#include "hearth/timeutil.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC(hearth_vault, hearth_vault_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(hearth_record, hearth_record_free)

/* The error domain of core failures: the code is the hearth_status, the
 * message the core's detail (English, for logs).  hearth_gui_error_text()
 * gives the words shown to a counsellor. */
#define HEARTH_GUI_ERROR (hearth_gui_error_quark())
GQuark hearth_gui_error_quark(void);

/* Sets *error from a failed status and the calling thread's detail.
 * Returns FALSE so callers can write `return hearth_gui_fail(st, error);`. */
gboolean hearth_gui_fail(hearth_status status, GError **error);

/* A short, translated sentence for a status, in words a counsellor
 * understands ("The passphrase is not right."). */
const char *hearth_gui_status_text(hearth_status status);

/* The translated sentence for an error from HEARTH_GUI_ERROR (or any other
 * domain: its message). */
const char *hearth_gui_error_text(const GError *error);

/* How the vault is used; chosen once at creation. */
typedef enum {
	HEARTH_MODE_UNSET = 0,
	HEARTH_MODE_COUNSELLOR = 1,
	HEARTH_MODE_JOURNAL = 2,
} HearthMode;

/* Today's date ("YYYY-MM-DD"), honouring $HEARTH_TODAY like the CLI. */
void hearth_gui_today(char out[HEARTH_DATE_LEN + 1]);

/* Hex form of an id, newly allocated. */
char *hearth_gui_id_hex(const hearth_id *id);

/* Parses a hex id; FALSE if malformed. */
gboolean hearth_gui_id_parse(const char *hex, hearth_id *out);

/* A friendly form of a date: "Today", "Tomorrow", "Mon 14 Dec". */
char *hearth_gui_date_label(const char *date, const char *today);

/* The language the app shows ("en" or "zh_CN"), from its own catalogue:
 * the core picks instrument and help-line texts by it. */
const char *hearth_gui_lang(void);

/* The value of a stored code of one vocabulary (hearth/vocab.h), for
 * comparing: X's COUNT for NULL or a code that is none of X's (a newer
 * version's; no error detail is left set).  The app compares values,
 * never stored words. */
hearth_risk hearth_gui_risk_value(const char *code);
hearth_case_state hearth_gui_case_state_value(const char *code);
hearth_priority hearth_gui_priority_value(const char *code);
hearth_followup_status hearth_gui_followup_status_value(const char *code);
hearth_appt_mode hearth_gui_appt_mode_value(const char *code);
hearth_appt_status hearth_gui_appt_status_value(const char *code);
hearth_note_format hearth_gui_note_format_value(const char *code);
hearth_activity_type hearth_gui_activity_type_value(const char *code);

/* The label (hearth/vocab.h) of a stored code of one vocabulary; an
 * unknown code (a newer version's) comes back as it is, NULL as "".  A
 * screening's band has its label in its instrument's file
 * (hearth_band_labels_get). */
const char *hearth_gui_followup_status_text(const char *code);
const char *hearth_gui_appt_mode_text(const char *code);
const char *hearth_gui_appt_status_text(const char *code);
const char *hearth_gui_note_format_text(const char *code);
const char *hearth_gui_activity_type_text(const char *code);

/* A label with wrapping and left alignment, for rows and cards. */
GtkWidget *hearth_gui_label(const char *text, const char *css_class);

/* Names a GtkMenuButton for screen readers: the button and the toggle
 * button inside it, which is what takes keyboard focus (GTK 4.8 names
 * that one after its icon, that is not at all). */
void hearth_gui_menu_button_label(GtkMenuButton *button, const char *label);

/* Names a row of a GtkListView for screen readers (GTK 4.8 reads a list
 * item by its accessible label only): child is the widget the list
 * item factory made; description may be NULL. */
void hearth_gui_list_row_label(GtkWidget *child, const char *label,
			       const char *description);

/* Removes every child of a GtkBox or GtkListBox. */
void hearth_gui_box_clear(GtkWidget *box);

/* Loads a page's data when it is first shown, not when it is made.
 * reload(page) runs on the page's next "map"; hearth_gui_lazy_changed()
 * runs it at once when the page shows, or marks it for the next map
 * otherwise.  A counsellor view holds five pages: only the one shown
 * reads the vault after an unlock. */
void hearth_gui_lazy_init(GtkWidget *page, void (*reload)(gpointer page));
void hearth_gui_lazy_changed(GtkWidget *page);
/* Runs a pending reload now (for callers that need the data while the
 * page is hidden).  TRUE if it ran. */
gboolean hearth_gui_lazy_flush(GtkWidget *page);

/* How many rows a long list shows at first, and how many more each
 * "Show More" adds: a boxed list lays out every row, so thousands of them
 * would freeze the window. */
#define HEARTH_GUI_ROWS_PAGE 50

/* A row "Show N More" that calls cb(data) when activated (name
 * "show-more"; cb may be NULL for a caller that connects "activated"
 * itself). */
GtkWidget *hearth_gui_more_row(gsize hidden, GCallback cb, gpointer data);

G_END_DECLS

#endif /* HEARTH_GUI_H */
