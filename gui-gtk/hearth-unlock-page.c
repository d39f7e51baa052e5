/*
 * gui-gtk/hearth-unlock-page.c - unlock the vault off the main thread.
 */
#include "hearth-unlock-page.h"

#include <string.h>

struct _HearthUnlockPage {
	AdwBin parent_instance;

	/* Template widgets */
	GtkPasswordEntry *entry;
	GtkLabel *error_label;
	GtkLabel *hint_label;
	GtkStack *button_stack;
	GtkButton *unlock_button;
	GtkSpinner *spinner;
	GtkButton *help_button;

	/* Owned */
	char *dir;
	GCancellable *cancel;
	gboolean busy;
};

G_DEFINE_FINAL_TYPE(HearthUnlockPage, hearth_unlock_page, ADW_TYPE_BIN)

enum { SIGNAL_UNLOCKED, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef struct {
	char *dir;
	char *pass;
} UnlockData;

static void
unlock_data_free(gpointer p)
{
	UnlockData *d = p;

	if (d->pass != NULL) {
		hearth_wipe(d->pass, strlen(d->pass));
		g_free(d->pass);
	}
	g_free(d->dir);
	g_free(d);
}

static void
unlock_thread(GTask *task, gpointer source, gpointer task_data,
	      GCancellable *cancel)
{
	UnlockData *d = task_data;
	hearth_vault *v = NULL;
	hearth_status st;
	GError *error = NULL;

	st = hearth_vault_open(d->dir, d->pass, strlen(d->pass), NULL, &v);
	if (st != HEARTH_OK) {
		hearth_gui_fail(st, &error);
		g_task_return_error(task, error);
		return;
	}
	g_task_return_pointer(task, v, (GDestroyNotify)hearth_vault_close);
}

static void
set_busy(HearthUnlockPage *self, gboolean busy)
{
	self->busy = busy;
	gtk_stack_set_visible_child_name(self->button_stack,
					 busy ? "spinner" : "button");
	gtk_spinner_set_spinning(self->spinner, busy);
	/* Read-only, not insensitive: an insensitive entry that has the
	 * focus (Enter pressed in it) keeps blinking its cursor, and GTK
	 * warns that it "did not receive a focus-out event". */
	gtk_editable_set_editable(GTK_EDITABLE(self->entry), !busy);
}

static void
unlock_done(GObject *source, GAsyncResult *res, gpointer data)
{
	HearthUnlockPage *self = HEARTH_UNLOCK_PAGE(source);
	g_autoptr(GError) error = NULL;
	hearth_vault *v;

	set_busy(self, FALSE);
	v = g_task_propagate_pointer(G_TASK(res), &error);
	if (v == NULL) {
		gtk_label_set_text(self->error_label, hearth_gui_error_text(error));
		gtk_widget_set_visible(GTK_WIDGET(self->error_label), TRUE);
		gtk_widget_grab_focus(GTK_WIDGET(self->entry));
		return;
	}
	gtk_editable_set_text(GTK_EDITABLE(self->entry), "");
	gtk_widget_set_visible(GTK_WIDGET(self->error_label), FALSE);
	g_signal_emit(self, signals[SIGNAL_UNLOCKED], 0, v);
}

static void
on_unlock(GtkWidget *w, gpointer data)
{
	HearthUnlockPage *self = data;
	const char *pass = gtk_editable_get_text(GTK_EDITABLE(self->entry));
	g_autoptr(GTask) task = NULL;
	UnlockData *d;

	if (self->busy || *pass == '\0')
		return;
	d = g_new0(UnlockData, 1);
	d->dir = g_strdup(self->dir);
	d->pass = g_strdup(pass);
	set_busy(self, TRUE);
	task = g_task_new(self, self->cancel, unlock_done, NULL);
	g_task_set_task_data(task, d, unlock_data_free);
	g_task_run_in_thread(task, unlock_thread);
}

void
hearth_unlock_page_set_dir(HearthUnlockPage *self, const char *dir)
{
	g_free(self->dir);
	self->dir = g_strdup(dir);
}

void
hearth_unlock_page_reset(HearthUnlockPage *self, HearthMode mode)
{
	gtk_editable_set_text(GTK_EDITABLE(self->entry), "");
	gtk_widget_set_visible(GTK_WIDGET(self->error_label), FALSE);
	/* The help lines need no passphrase, in either mode: a counsellor
	 * locked out mid-crisis still has the numbers. */
	gtk_widget_set_visible(GTK_WIDGET(self->help_button), TRUE);
	if (gtk_widget_get_mapped(GTK_WIDGET(self)))
		gtk_widget_grab_focus(GTK_WIDGET(self->entry));
}

void
hearth_unlock_page_set_hint(HearthUnlockPage *self, const char *hint)
{
	gtk_label_set_text(self->hint_label, hint ? hint : "");
	gtk_widget_set_visible(GTK_WIDGET(self->hint_label), hint && *hint);
}

static void
on_map(GtkWidget *w, gpointer data)
{
	gtk_widget_grab_focus(GTK_WIDGET(HEARTH_UNLOCK_PAGE(w)->entry));
}

static void
hearth_unlock_page_dispose(GObject *object)
{
	HearthUnlockPage *self = HEARTH_UNLOCK_PAGE(object);

	g_cancellable_cancel(self->cancel);
	G_OBJECT_CLASS(hearth_unlock_page_parent_class)->dispose(object);
}

static void
hearth_unlock_page_finalize(GObject *object)
{
	HearthUnlockPage *self = HEARTH_UNLOCK_PAGE(object);

	g_clear_object(&self->cancel);
	g_free(self->dir);
	G_OBJECT_CLASS(hearth_unlock_page_parent_class)->finalize(object);
}

static void
hearth_unlock_page_class_init(HearthUnlockPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = hearth_unlock_page_dispose;
	object_class->finalize = hearth_unlock_page_finalize;

	/* unlocked (gpointer vault): ownership moves to the handler. */
	signals[SIGNAL_UNLOCKED] = g_signal_new("unlocked",
		G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
		NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-unlock-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child(widget_class, HearthUnlockPage, name)
	BIND(entry);
	BIND(error_label);
	BIND(hint_label);
	BIND(button_stack);
	BIND(unlock_button);
	BIND(spinner);
	BIND(help_button);
#undef BIND
}

static void
hearth_unlock_page_init(HearthUnlockPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->cancel = g_cancellable_new();
	g_signal_connect(self->entry, "activate", G_CALLBACK(on_unlock), self);
	g_signal_connect(self->unlock_button, "clicked", G_CALLBACK(on_unlock), self);
	g_signal_connect(self, "map", G_CALLBACK(on_map), NULL);
}
