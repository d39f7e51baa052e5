/*
 * gui-gtk/hearth-team-page.c - the Team page (primary menu → Team).
 *
 * Members have no names in a space (a member record carries keys, a role
 * and devices): a member is shown by the first two groups of their
 * fingerprint, the text people compare in person, and this vault's own
 * identity as "You".  Removed members are not listed.
 */
#include "hearth-team-page.h"

#include "hearth/devices.h"
#include "hearth/spaces.h"

struct _HearthTeamPage {
	AdwBin parent_instance;

	GtkWidget *body;        /* holds the preferences page or the empty state */

	/* Owned */
	HearthSession *session;
	GHashTable *titles;     /* member record hex -> the row's title */

	/* Borrowed */
	HearthWindow *win;
};

G_DEFINE_FINAL_TYPE(HearthTeamPage, hearth_team_page, ADW_TYPE_BIN)

static void reload(HearthTeamPage *self);

/* ---- what the page lists --------------------------------------------------- */

typedef struct team_space {
	hearth_id id;
	char *name;
} team_space;

static void
team_space_clear(gpointer p)
{
	g_free(((team_space *)p)->name);
}

static int
space_cb(const hearth_space_info *i, void *ctx)
{
	team_space t = { .id = i->space, .name = g_strdup(i->name) };

	g_array_append_val((GArray *)ctx, t);
	return 0;
}

static const char *
role_text(hearth_role r)
{
	/* Translators: a member's role in a team space, shown as a tag. */
	return r == HEARTH_ROLE_LEAD ? C_("role", "Lead") : C_("role", "Counsellor");
}

/* "12345 67890" of a fingerprint: its first two groups. */
static char *
fingerprint_short(const char *fp)
{
	return g_strndup(fp, 11);
}

/* The fingerprint in three lines of four groups, as the CLI prints it. */
static char *
fingerprint_lines(const char *fp)
{
	GString *s = g_string_new(NULL);
	int group = 0;

	for (const char *p = fp; *p != '\0'; p++) {
		if (*p == ' ') {
			group++;
			g_string_append_c(s, group % 4 == 0 ? '\n' : ' ');
			continue;
		}
		g_string_append_c(s, *p);
	}
	return g_string_free(s, FALSE);
}

static GtkWidget *
role_tag(hearth_role r)
{
	GtkWidget *l = gtk_label_new(role_text(r));

	gtk_widget_add_css_class(l, "role-tag");
	gtk_widget_add_css_class(l, "caption");
	gtk_widget_set_valign(l, GTK_ALIGN_CENTER);
	gtk_widget_set_name(l, "team-role");
	return l;
}

/* When a member's newest change held here was written, in words: a lead
 * sees whose devices have gone quiet.  ms: 0 when none is held. */
char *
hearth_team_change_words(guint64 ms, gint64 now)
{
	gint64 d = now - (gint64)(ms / 1000);

	if (ms == 0)
		return g_strdup(_("No changes received yet"));
	if (d < 60) /* an author's clock ahead of this one's too */
		return g_strdup(_("Last change just now"));
	if (d < 3600)
		return g_strdup_printf(g_dngettext(NULL, "Last change %d minute ago",
						   "Last change %d minutes ago", (gulong)(d / 60)),
				       (int)(d / 60));
	if (d < 86400)
		return g_strdup_printf(g_dngettext(NULL, "Last change %d hour ago",
						   "Last change %d hours ago", (gulong)(d / 3600)),
				       (int)(d / 3600));
	return g_strdup_printf(g_dngettext(NULL, "Last change %d day ago",
					   "Last change %d days ago", (gulong)(d / 86400)),
			       (int)(d / 86400));
}

typedef struct members_ctx {
	HearthTeamPage *self;
	GtkWidget *group;
	const hearth_id *space;
} members_ctx;

static void
member_row(members_ctx *c, const hearth_space_member_info *m)
{
	g_autofree char *hex = hearth_gui_id_hex(&m->record);
	g_autofree char *fp = fingerprint_short(m->fingerprint);
	g_autofree char *name = NULL, *title = NULL, *devices = NULL, *when = NULL;
	g_autofree char *subtitle = NULL;
	GtkWidget *row;

	/* Translators: a team member, named by the first groups of their
	 * fingerprint ("Member 12345 67890"). */
	title = m->self ? g_strdup(_("You")) : g_strdup_printf(_("Member %s"), fp);
	devices = g_strdup_printf(g_dngettext(NULL, "%zu device", "%zu devices", m->devices),
				  m->devices);
	/* Of the others, when their newest change held here was written
	 * (of this vault's own person, it says nothing worth a line). */
	if (m->self) {
		subtitle = g_strdup(devices);
	} else {
		when = hearth_team_change_words(m->last_change_ms,
						g_get_real_time() / G_USEC_PER_SEC);
		/* Translators: a member's devices, then when their last change
		 * was written ("2 devices · Last change 3 hours ago"). */
		subtitle = g_strdup_printf(_("%s · %s"), devices, when);
	}
	row = adw_action_row_new();
	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
	name = g_strdup_printf("team-member-%.8s", hex);
	gtk_widget_set_name(row, name);
	adw_action_row_add_suffix(ADW_ACTION_ROW(row), role_tag(m->role));
	if (m->removable) {
		g_autofree char *space = hearth_gui_id_hex(c->space);
		g_autofree char *target = g_strdup_printf("%s %s", space, hex);
		g_autofree char *bname = g_strdup_printf("team-member-menu-%.8s", hex);
		g_autoptr(GMenu) menu = g_menu_new();
		g_autoptr(GMenuItem) item = g_menu_item_new(_("_Remove…"), NULL);
		GtkWidget *b = gtk_menu_button_new();
		g_autofree char *label = g_strdup_printf(_("Actions for %s"), title);

		g_menu_item_set_action_and_target(item, "team.remove", "s", target);
		g_menu_append_item(menu, item);
		gtk_menu_button_set_icon_name(GTK_MENU_BUTTON(b), "view-more-symbolic");
		gtk_menu_button_set_menu_model(GTK_MENU_BUTTON(b), G_MENU_MODEL(menu));
		gtk_widget_set_valign(b, GTK_ALIGN_CENTER);
		gtk_widget_add_css_class(b, "flat");
		gtk_widget_set_tooltip_text(b, _("Member Actions"));
		gtk_widget_set_name(b, bname);
		hearth_gui_menu_button_label(GTK_MENU_BUTTON(b), label);
		adw_action_row_add_suffix(ADW_ACTION_ROW(row), b);
	}
	g_hash_table_replace(c->self->titles, g_steal_pointer(&hex), g_strdup(title));
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(c->group), row);
}

/* Current members only; this vault's own record first, then the core's
 * order. */
static int
member_cb(const hearth_space_member_info *m, void *ctx)
{
	if (!m->removed)
		g_array_insert_val((GArray *)ctx, m->self ? 0 : ((GArray *)ctx)->len, *m);
	return 0;
}

static int
device_cb(const hearth_device_info *d, void *ctx)
{
	GtkWidget *group = ctx, *row;
	char hex[HEARTH_DEVICE_HEX + 1];
	g_autofree char *title = NULL;

	if (d->this_device || d->retired || !(d->linked || d->revoked))
		return 0;
	hearth_device_hex(d->device, hex);
	/* Translators: a linked device, named by the first 8 digits of its id. */
	title = g_strdup_printf(_("Device %.8s"), hex);
	row = adw_action_row_new();
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	/* In words, not by colour alone. */
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row),
		d->revoked ? _("Revoked") : _("Linked"));
	gtk_widget_set_name(row, "team-linked-device");
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
	return 0;
}

static GtkWidget *
device_group(HearthTeamPage *self, hearth_store *s)
{
	char fp[HEARTH_FINGERPRINT_LEN + 1], hex[HEARTH_DEVICE_HEX + 1];
	g_autofree char *lines = NULL;
	GtkWidget *group = adw_preferences_group_new(), *row, *box, *l;
	hearth_status st;

	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), _("This Device"));
	if ((st = hearth_identity_fingerprint_get(s, fp)) != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return group;
	}
	/* One row: its title, the digits in three lines of four groups
	 * (monospace, so they line up as on the other person's screen; a
	 * block of their own, so that at 360 px they never squeeze the
	 * title), and what they are for. */
	lines = fingerprint_lines(fp);
	row = adw_preferences_row_new();
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), _("Fingerprint"));
	gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), FALSE);
	box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	gtk_widget_set_margin_top(box, 12);
	gtk_widget_set_margin_bottom(box, 12);
	gtk_widget_set_margin_start(box, 12);
	gtk_widget_set_margin_end(box, 12);
	gtk_box_append(GTK_BOX(box), hearth_gui_label(_("Fingerprint"), NULL));
	l = gtk_label_new(lines);
	gtk_label_set_selectable(GTK_LABEL(l), TRUE);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_widget_add_css_class(l, "fingerprint");
	gtk_widget_set_name(l, "team-fingerprint");
	gtk_box_append(GTK_BOX(box), l);
	l = hearth_gui_label(_("Compare it in person when joining a team"), "dim-label");
	gtk_widget_add_css_class(l, "caption");
	gtk_box_append(GTK_BOX(box), l);
	gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), box);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
	hearth_device_hex(hearth_store_device(s), hex);
	hex[HEARTH_DEVICE_SHORT] = '\0';
	row = adw_action_row_new();
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), _("Device ID"));
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), hex);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
	if ((st = hearth_devices_each(s, device_cb, group)) != HEARTH_OK)
		hearth_window_status(self->win, st);
	return group;
}

static GtkWidget *
empty_state(void)
{
	GtkWidget *empty = adw_status_page_new();

	adw_status_page_set_icon_name(ADW_STATUS_PAGE(empty), "system-users-symbolic");
	adw_status_page_set_title(ADW_STATUS_PAGE(empty), _("No Team Space"));
	adw_status_page_set_description(ADW_STATUS_PAGE(empty),
		_("Ask a team lead for an invitation; this device then joins with “hearth space join”."));
	gtk_widget_set_vexpand(empty, TRUE);
	gtk_widget_set_name(empty, "team-empty");
	return empty;
}

static void
reload(HearthTeamPage *self)
{
	hearth_store *s = hearth_session_peek_store(self->session);
	g_autoptr(GArray) spaces = g_array_new(FALSE, TRUE, sizeof(team_space));
	g_autoptr(GArray) members = g_array_new(FALSE, TRUE, sizeof(hearth_space_member_info));
	GtkWidget *page, *child;
	hearth_status st;

	if (s == NULL)
		return;
	g_array_set_clear_func(spaces, team_space_clear);
	while ((child = gtk_widget_get_first_child(self->body)) != NULL)
		gtk_box_remove(GTK_BOX(self->body), child);
	g_hash_table_remove_all(self->titles);
	if ((st = hearth_spaces_each(s, space_cb, spaces)) != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	if (spaces->len == 0) {
		gtk_box_append(GTK_BOX(self->body), empty_state());
		return;
	}
	page = adw_preferences_page_new();
	gtk_widget_set_vexpand(page, TRUE);
	gtk_widget_set_name(page, "team-members");
	for (guint i = 0; i < spaces->len; i++) {
		team_space *t = &g_array_index(spaces, team_space, i);
		members_ctx c = { .self = self, .space = &t->id };

		c.group = adw_preferences_group_new();
		adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(c.group), _("Members"));
		/* The space's name, when this vault can read it yet. */
		adw_preferences_group_set_description(ADW_PREFERENCES_GROUP(c.group),
			t->name != NULL ? t->name : _("Team space (name not received yet)"));
		g_array_set_size(members, 0);
		if ((st = hearth_space_members_each(s, &t->id, member_cb, members)) != HEARTH_OK)
			hearth_window_status(self->win, st);
		for (guint j = 0; j < members->len; j++)
			member_row(&c, &g_array_index(members, hearth_space_member_info, j));
		adw_preferences_page_add(ADW_PREFERENCES_PAGE(page),
					 ADW_PREFERENCES_GROUP(c.group));
	}
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page),
				 ADW_PREFERENCES_GROUP(device_group(self, s)));
	gtk_box_append(GTK_BOX(self->body), page);
}

/* ---- removing a member ----------------------------------------------------- */

static void
remove_response(AdwMessageDialog *dialog, const char *response, gpointer data)
{
	HearthTeamPage *self = data;
	const char *target = g_object_get_data(G_OBJECT(dialog), "target");
	hearth_store *s = hearth_session_get_store(self->session);
	g_auto(GStrv) parts = NULL;
	hearth_id space, member;
	hearth_status st;

	if (strcmp(response, "remove") != 0 || s == NULL || target == NULL)
		return;
	parts = g_strsplit(target, " ", 2);
	if (g_strv_length(parts) != 2 || !hearth_gui_id_parse(parts[0], &space) ||
	    !hearth_gui_id_parse(parts[1], &member))
		return;
	if ((st = hearth_space_remove(s, &space, &member)) != HEARTH_OK)
		hearth_window_status(self->win, st);
	else
		hearth_window_toast(self->win, _("Member removed"));
	reload(self);
}

static void
action_remove(GtkWidget *widget, const char *name, GVariant *param)
{
	HearthTeamPage *self = HEARTH_TEAM_PAGE(widget);
	const char *target = g_variant_get_string(param, NULL);
	g_auto(GStrv) parts = g_strsplit(target, " ", 2);
	g_autofree char *heading = NULL;
	const char *title;
	GtkWidget *d;

	(void)name;
	if (g_strv_length(parts) != 2 ||
	    (title = g_hash_table_lookup(self->titles, parts[1])) == NULL)
		return;
	/* Translators: the heading of the remove-member dialog; %s is the
	 * member ("Member 12345 67890"). */
	heading = g_strdup_printf(_("Remove %s?"), title);
	d = adw_message_dialog_new(GTK_WINDOW(self->win), heading,
		_("They will not be able to read new records from now on. "
		  "Records already synced to their devices cannot be taken back."));
	gtk_widget_set_name(d, "team-remove-dialog");
	/* Cancel first; the destructive response is never the default, so
	 * Return does not remove and Esc cancels. */
	adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(d), "cancel", _("_Cancel"),
					 "remove", _("_Remove"), NULL);
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(d), "remove",
						   ADW_RESPONSE_DESTRUCTIVE);
	adw_message_dialog_set_default_response(ADW_MESSAGE_DIALOG(d), "cancel");
	adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(d), "cancel");
	g_object_set_data_full(G_OBJECT(d), "target", g_strdup(target), g_free);
	/* Tied to the page: locking drops the page and the dialog without
	 * a response. */
	g_signal_connect_object(d, "response", G_CALLBACK(remove_response), self, 0);
	gtk_window_present(GTK_WINDOW(d));
}

/* ---- the page -------------------------------------------------------------- */

static void
hearth_team_page_dispose(GObject *object)
{
	HearthTeamPage *self = HEARTH_TEAM_PAGE(object);

	G_OBJECT_CLASS(hearth_team_page_parent_class)->dispose(object);
	g_clear_object(&self->session);
	g_clear_pointer(&self->titles, g_hash_table_unref);
}

static void
hearth_team_page_class_init(HearthTeamPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_team_page_dispose;
	gtk_widget_class_install_action(widget_class, "team.remove", "s", action_remove);
}

static void
hearth_team_page_init(HearthTeamPage *self)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	GtkWidget *header = adw_header_bar_new();
	GtkWidget *back = gtk_button_new_from_icon_name("go-previous-symbolic");

	self->titles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	gtk_widget_set_tooltip_text(back, _("Back"));
	gtk_accessible_update_property(GTK_ACCESSIBLE(back),
		GTK_ACCESSIBLE_PROPERTY_LABEL, _("Back"), -1);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(back), "win.back");
	adw_header_bar_pack_start(ADW_HEADER_BAR(header), back);
	adw_header_bar_set_title_widget(ADW_HEADER_BAR(header),
		adw_window_title_new(_("Team"), NULL));
	gtk_box_append(GTK_BOX(box), header);
	self->body = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	gtk_widget_set_vexpand(self->body, TRUE);
	gtk_box_append(GTK_BOX(box), self->body);
	adw_bin_set_child(ADW_BIN(self), box);
	gtk_widget_set_name(GTK_WIDGET(self), "team-page");
}

HearthTeamPage *
hearth_team_page_new(HearthWindow *win, HearthSession *session)
{
	HearthTeamPage *self = g_object_new(HEARTH_TYPE_TEAM_PAGE, NULL);

	self->win = win;
	self->session = g_object_ref(session);
	reload(self);
	return self;
}
