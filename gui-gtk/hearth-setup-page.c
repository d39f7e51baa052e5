/*
 * gui-gtk/hearth-setup-page.c - first run: create the vault.
 *
 * Creating a vault runs Argon2id, which takes seconds and hundreds of MiB,
 * so hearth_vault_create runs in a GTask thread while a spinner shows.
 */
#include "hearth-setup-page.h"

#include <string.h>

#include "hearth-app.h"

struct _HearthSetupPage {
	AdwBin parent_instance;

	/* Template widgets */
	GtkStack *steps;
	AdwPasswordEntryRow *pass1;
	AdwPasswordEntryRow *pass2;
	GtkLevelBar *strength_bar;
	GtkLabel *strength_label;
	GtkLabel *error_label;
	GtkButton *create_button;
	GtkSpinner *spinner;
	GtkLabel *code_label;
	GtkCheckButton *written_check;
	GtkButton *code_done_button;
	GtkCheckButton *mode_counsellor;
	GtkCheckButton *mode_journal;
	GtkButton *start_button;

	/* Owned */
	char *dir;
	hearth_vault *vault;   /* created, until handed over */
	GCancellable *cancel;
};

G_DEFINE_FINAL_TYPE(HearthSetupPage, hearth_setup_page, ADW_TYPE_BIN)

enum { SIGNAL_CREATED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The shortest passphrase the page accepts. */
#define MIN_PASSPHRASE 8

int
hearth_passphrase_strength(const char *pass, const char **hint)
{
	glong chars = g_utf8_strlen(pass, -1);
	int classes = 0, lower = 0, upper = 0, digit = 0, other = 0, spaces = 0;
	int score;

	for (const char *p = pass; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_islower(c))
			lower = 1;
		else if (g_unichar_isupper(c))
			upper = 1;
		else if (g_unichar_isdigit(c))
			digit = 1;
		else if (g_unichar_isspace(c))
			spaces++;
		else
			other = 1;
	}
	classes = lower + upper + digit + other;
	/* A rough guide only: length counts most, then variety and words. */
	if (chars < MIN_PASSPHRASE) {
		*hint = _("Too short: use at least 8 characters. A few unrelated words are easy to remember.");
		return 0;
	}
	score = chars >= 20 || (chars >= 14 && (classes >= 2 || spaces >= 2)) ? 3
		: chars >= 12 || classes >= 3 ? 2 : 1;
	if (score == 1)
		*hint = _("Weak: add another word or two.");
	else if (score == 2)
		*hint = _("Fair: a longer passphrase is safer.");
	else
		*hint = _("Strong.");
	return score;
}

static void
update_create_sensitive(HearthSetupPage *self)
{
	const char *a = gtk_editable_get_text(GTK_EDITABLE(self->pass1));
	const char *b = gtk_editable_get_text(GTK_EDITABLE(self->pass2));
	const char *hint = "";
	int strength = hearth_passphrase_strength(a, &hint);
	gboolean match = strcmp(a, b) == 0;

	gtk_level_bar_set_value(self->strength_bar, strength);
	gtk_label_set_text(self->strength_label, *a ? hint : "");
	if (*b && !match && strlen(b) >= strlen(a)) {
		gtk_label_set_text(self->error_label,
				   _("The two passphrases are not the same."));
		gtk_widget_set_visible(GTK_WIDGET(self->error_label), TRUE);
	} else {
		gtk_widget_set_visible(GTK_WIDGET(self->error_label), FALSE);
	}
	gtk_widget_set_sensitive(GTK_WIDGET(self->create_button),
				 strength > 0 && match);
}

static void
on_pass_changed(GtkEditable *e, gpointer data)
{
	update_create_sensitive(HEARTH_SETUP_PAGE(data));
}

typedef struct {
	char *dir;
	char *pass;
	gboolean weak;
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
} CreateData;

static void
create_data_free(gpointer p)
{
	CreateData *d = p;

	if (d->pass != NULL) {
		hearth_wipe(d->pass, strlen(d->pass));
		g_free(d->pass);
	}
	hearth_wipe(d->code, sizeof d->code);
	g_free(d->dir);
	g_free(d);
}

static void
create_thread(GTask *task, gpointer source, gpointer task_data,
	      GCancellable *cancel)
{
	CreateData *d = task_data;
	hearth_kdf_params low = hearth_kdf_params_low();
	hearth_vault_options opt = { .kdf = d->weak ? &low : NULL };
	hearth_vault *v = NULL;
	hearth_status st;
	GError *error = NULL;

	st = hearth_vault_create(d->dir, d->pass, strlen(d->pass), &opt,
				 d->code, &v);
	if (st != HEARTH_OK) {
		hearth_gui_fail(st, &error);
		g_task_return_error(task, error);
		return;
	}
	g_task_return_pointer(task, v, (GDestroyNotify)hearth_vault_close);
}

static void
create_done(GObject *source, GAsyncResult *res, gpointer data)
{
	HearthSetupPage *self = HEARTH_SETUP_PAGE(source);
	CreateData *d = g_task_get_task_data(G_TASK(res));
	g_autoptr(GError) error = NULL;
	hearth_vault *v;

	gtk_spinner_stop(self->spinner);
	v = g_task_propagate_pointer(G_TASK(res), &error);
	if (v == NULL) {
		gtk_label_set_text(self->error_label, hearth_gui_error_text(error));
		gtk_widget_set_visible(GTK_WIDGET(self->error_label), TRUE);
		gtk_stack_set_visible_child_name(self->steps, "passphrase");
		return;
	}
	hearth_vault_close(self->vault);
	self->vault = v;
	gtk_label_set_text(self->code_label, d->code);
	gtk_check_button_set_active(self->written_check, FALSE);
	gtk_stack_set_visible_child_name(self->steps, "recovery");
}

static void
on_create(GtkButton *button, gpointer data)
{
	HearthSetupPage *self = data;
	GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
	GtkApplication *app = root ? gtk_window_get_application(GTK_WINDOW(root)) : NULL;
	g_autoptr(GTask) task = NULL;
	CreateData *d;

	if (!gtk_widget_get_sensitive(GTK_WIDGET(self->create_button)))
		return;
	d = g_new0(CreateData, 1);
	d->dir = g_strdup(self->dir);
	d->pass = g_strdup(gtk_editable_get_text(GTK_EDITABLE(self->pass1)));
	d->weak = hearth_app_weak_kdf(app && HEARTH_IS_APP(app) ? HEARTH_APP(app) : NULL);
	/* The entries' copies go now; the thread keeps its own. */
	gtk_editable_set_text(GTK_EDITABLE(self->pass1), "");
	gtk_editable_set_text(GTK_EDITABLE(self->pass2), "");

	gtk_stack_set_visible_child_name(self->steps, "working");
	gtk_spinner_start(self->spinner);
	task = g_task_new(self, self->cancel, create_done, NULL);
	g_task_set_task_data(task, d, create_data_free);
	g_task_run_in_thread(task, create_thread);
}

static void
on_code_done(GtkButton *button, gpointer data)
{
	HearthSetupPage *self = data;

	/* The code is not kept anywhere once written down. */
	gtk_label_set_text(self->code_label, "");
	gtk_stack_set_visible_child_name(self->steps, "mode");
}

static void
on_start(GtkButton *button, gpointer data)
{
	HearthSetupPage *self = data;
	HearthMode mode = gtk_check_button_get_active(self->mode_journal)
		? HEARTH_MODE_JOURNAL : HEARTH_MODE_COUNSELLOR;
	hearth_vault *v = g_steal_pointer(&self->vault);

	g_return_if_fail(v != NULL);
	gtk_stack_set_visible_child_name(self->steps, "passphrase");
	g_signal_emit(self, signals[SIGNAL_CREATED], 0, v, (int)mode);
}

void
hearth_setup_page_set_dir(HearthSetupPage *self, const char *dir)
{
	g_free(self->dir);
	self->dir = g_strdup(dir);
}

static void
hearth_setup_page_dispose(GObject *object)
{
	HearthSetupPage *self = HEARTH_SETUP_PAGE(object);

	g_cancellable_cancel(self->cancel);
	G_OBJECT_CLASS(hearth_setup_page_parent_class)->dispose(object);
}

static void
hearth_setup_page_finalize(GObject *object)
{
	HearthSetupPage *self = HEARTH_SETUP_PAGE(object);

	hearth_vault_close(self->vault);
	g_clear_object(&self->cancel);
	g_free(self->dir);
	G_OBJECT_CLASS(hearth_setup_page_parent_class)->finalize(object);
}

static void
hearth_setup_page_class_init(HearthSetupPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = hearth_setup_page_dispose;
	object_class->finalize = hearth_setup_page_finalize;

	/* created (gpointer vault, int mode): vault ownership moves to the
	 * handler. */
	signals[SIGNAL_CREATED] = g_signal_new("created",
		G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
		NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_INT);

	gtk_widget_class_set_template_from_resource(widget_class,
		"/cn/hearth/Hearth/hearth-setup-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child(widget_class, HearthSetupPage, name)
	BIND(steps);
	BIND(pass1);
	BIND(pass2);
	BIND(strength_bar);
	BIND(strength_label);
	BIND(error_label);
	BIND(create_button);
	BIND(spinner);
	BIND(code_label);
	BIND(written_check);
	BIND(code_done_button);
	BIND(mode_counsellor);
	BIND(mode_journal);
	BIND(start_button);
#undef BIND
}

static void
hearth_setup_page_init(HearthSetupPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->cancel = g_cancellable_new();
	g_signal_connect(self->pass1, "changed", G_CALLBACK(on_pass_changed), self);
	g_signal_connect(self->pass2, "changed", G_CALLBACK(on_pass_changed), self);
	g_signal_connect(self->pass2, "entry-activated", G_CALLBACK(on_create), self);
	g_signal_connect(self->create_button, "clicked", G_CALLBACK(on_create), self);
	g_signal_connect(self->code_done_button, "clicked", G_CALLBACK(on_code_done), self);
	g_signal_connect(self->start_button, "clicked", G_CALLBACK(on_start), self);
	/* Levels 1 weak, 2 fair, 3 strong, coloured by the theme's own
	 * low/high/full offsets. */
	gtk_level_bar_add_offset_value(self->strength_bar, GTK_LEVEL_BAR_OFFSET_LOW, 1);
	gtk_level_bar_add_offset_value(self->strength_bar, GTK_LEVEL_BAR_OFFSET_HIGH, 2);
	gtk_level_bar_add_offset_value(self->strength_bar, GTK_LEVEL_BAR_OFFSET_FULL, 3);
}
