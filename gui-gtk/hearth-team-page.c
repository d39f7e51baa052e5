/*
 * gui-gtk/hearth-team-page.c - the Team page (primary menu → Team).
 *
 * A member is shown by the name they gave in the space (a record of their
 * own: hearth_space_name_set, which this vault's "Your Name" row calls),
 * with the first two groups of their fingerprint under it, the text people
 * compare in person: a name is only what its holder typed.  Without a name,
 * the fingerprint is the title, and this vault's own identity is "You".
 * Removed members are not listed.
 *
 * Joining a team takes two devices and two steps, each one core verb: the
 * lead's Invite view makes a code (hearth_space_invite), shown as text and
 * as a QR code; the newcomer's Join view turns it into a join request
 * (hearth_space_join), shown the same way with their fingerprint; back on
 * the lead's Invite view, the request pasted, the lead compares the
 * fingerprints aloud and only then approves (hearth_space_approve).  The
 * views replace the page's body; its back button returns to the members.
 */
#include "hearth-team-page.h"

#include <string.h>

#include "hearth-qr.h"
#include "hearth/devices.h"
#include "hearth/spaces.h"

struct _HearthTeamPage {
	AdwBin parent_instance;

	GtkWidget *body;        /* holds the preferences page or the empty state */
	gboolean in_view;       /* the body shows the Invite or the Join view */
	hearth_id invite_space; /* the space the Invite view invites to */
	char *request;          /* a join request checked, to approve */

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

/* Appends to menu an item label on action with the string target. */
static void
menu_add(GMenu *menu, const char *label, const char *action, const char *target)
{
	g_autoptr(GMenuItem) item = g_menu_item_new(label, NULL);

	g_menu_item_set_action_and_target(item, action, "s", target);
	g_menu_append_item(menu, item);
}

/* A row's menu of one destructive action (item, on action with target),
 * after first (NULL: none) when given; named for assistive technologies
 * after the row's title. */
static GtkWidget *
row_menu(const char *title, GMenu *first, const char *item_label, const char *action,
	 const char *target, const char *tooltip, const char *name)
{
	g_autoptr(GMenu) menu = g_menu_new();
	g_autofree char *label = g_strdup_printf(_("Actions for %s"), title);
	GtkWidget *b = gtk_menu_button_new();

	if (first != NULL)
		g_menu_append_section(menu, NULL, G_MENU_MODEL(first));
	menu_add(menu, item_label, action, target);
	gtk_menu_button_set_icon_name(GTK_MENU_BUTTON(b), "view-more-symbolic");
	gtk_menu_button_set_menu_model(GTK_MENU_BUTTON(b), G_MENU_MODEL(menu));
	gtk_widget_set_valign(b, GTK_ALIGN_CENTER);
	gtk_widget_add_css_class(b, "flat");
	gtk_widget_set_tooltip_text(b, tooltip);
	gtk_widget_set_name(b, name);
	hearth_gui_menu_button_label(GTK_MENU_BUTTON(b), label);
	return b;
}

typedef struct members_ctx {
	HearthTeamPage *self;
	GtkWidget *group;
	const hearth_id *space;
} members_ctx;

char *
hearth_team_member_title(const hearth_space_member_info *m)
{
	g_autofree char *fp = fingerprint_short(m->fingerprint);

	if (m->name[0] != '\0')
		/* Translators: this vault's own row, with the name it gave in
		 * the space ("Li Ming (You)"). */
		return m->self ? g_strdup_printf(_("%s (You)"), m->name) : g_strdup(m->name);
	/* Translators: a team member, named by the first groups of their
	 * fingerprint ("Member 12345 67890"). */
	return m->self ? g_strdup(_("You")) : g_strdup_printf(_("Member %s"), fp);
}

static void
member_row(members_ctx *c, const hearth_space_member_info *m)
{
	g_autofree char *hex = hearth_gui_id_hex(&m->record);
	g_autofree char *fp = fingerprint_short(m->fingerprint);
	g_autofree char *name = NULL, *title = NULL, *devices = NULL, *when = NULL;
	g_autofree char *subtitle = NULL, *facts = NULL;
	GtkWidget *row;

	title = hearth_team_member_title(m);
	devices = g_strdup_printf(g_dngettext(NULL, "%zu device", "%zu devices", m->devices),
				  m->devices);
	/* Of the others, when their newest change held here was written
	 * (of this vault's own person, it says nothing worth a line). */
	if (m->self) {
		facts = g_strdup(devices);
	} else {
		when = hearth_team_change_words(m->last_change_ms,
						g_get_real_time() / G_USEC_PER_SEC);
		/* Translators: a member's devices, then when their last change
		 * was written ("2 devices · Last change 3 hours ago"). */
		facts = g_strdup_printf(_("%s · %s"), devices, when);
	}
	/* A named other member: who they are, under what they call
	 * themselves. */
	subtitle = m->name[0] != '\0' && !m->self ?
		g_strdup_printf(_("%s · %s"), fp, facts) : g_steal_pointer(&facts);
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
		g_autoptr(GMenu) role = g_menu_new();
		g_autofree char *rtarget = NULL;

		/* A lead changes the others' roles (the core keeps a lead). */
		if (m->role == HEARTH_ROLE_LEAD) {
			rtarget = g_strdup_printf("%s counsellor", target);
			menu_add(role, _("Make _Counsellor"), "team.role", rtarget);
		} else {
			rtarget = g_strdup_printf("%s lead", target);
			menu_add(role, _("Make _Lead"), "team.role", rtarget);
		}
		adw_action_row_add_suffix(ADW_ACTION_ROW(row),
			row_menu(title, role, _("_Remove…"), "team.remove", target,
				 _("Member Actions"), bname));
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

/* A linked device's row: revoked or linked, in words (not by colour
 * alone), and when its newest change held here was written, so that a
 * phone gone quiet (lost?) shows; a linked one has Revoke… in its menu. */
static int
device_cb(const hearth_device_info *d, void *ctx)
{
	GtkWidget *group = ctx, *row;
	char hex[HEARTH_DEVICE_HEX + 1];
	g_autofree char *title = NULL, *when = NULL, *subtitle = NULL;

	if (d->this_device || d->retired || !(d->linked || d->revoked))
		return 0;
	hearth_device_hex(d->device, hex);
	/* Translators: a linked device, named by the first 8 digits of its id. */
	title = g_strdup_printf(_("Device %.8s"), hex);
	row = adw_action_row_new();
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	if (d->revoked) {
		subtitle = g_strdup(_("Revoked"));
	} else {
		when = hearth_team_change_words(d->last_change_ms,
						g_get_real_time() / G_USEC_PER_SEC);
		subtitle = g_strdup_printf(_("%s · %s"), _("Linked"), when);
	}
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
	gtk_widget_set_name(row, "team-linked-device");
	if (!d->revoked)
		adw_action_row_add_suffix(ADW_ACTION_ROW(row),
			row_menu(title, NULL, _("_Revoke…"), "team.revoke", hex,
				 _("Device Actions"), "team-device-menu"));
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
	GtkWidget *empty = adw_status_page_new(), *button;

	adw_status_page_set_icon_name(ADW_STATUS_PAGE(empty), "system-users-symbolic");
	adw_status_page_set_title(ADW_STATUS_PAGE(empty), _("No Team Space"));
	adw_status_page_set_description(ADW_STATUS_PAGE(empty),
		_("Ask a team lead for an invitation code, then join here."));
	button = gtk_button_new_with_mnemonic(_("_Join a Team…"));
	gtk_widget_add_css_class(button, "suggested-action");
	gtk_widget_add_css_class(button, "pill");
	gtk_widget_set_halign(button, GTK_ALIGN_CENTER);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(button), "team.join");
	gtk_widget_set_name(button, "team-join-open");
	adw_status_page_set_child(ADW_STATUS_PAGE(empty), button);
	gtk_widget_set_vexpand(empty, TRUE);
	gtk_widget_set_name(empty, "team-empty");
	return empty;
}

/* The lead's way into the Invite view for space, in its group's header. */
static GtkWidget *
invite_button(const hearth_id *space)
{
	g_autofree char *hex = hearth_gui_id_hex(space);
	g_autofree char *name = g_strdup_printf("team-invite-open-%.8s", hex);
	GtkWidget *b = gtk_button_new_with_mnemonic(_("_Invite…"));

	gtk_widget_add_css_class(b, "flat");
	gtk_widget_set_valign(b, GTK_ALIGN_CENTER);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(b), "team.invite");
	gtk_actionable_set_action_target(GTK_ACTIONABLE(b), "s", hex);
	gtk_widget_set_name(b, name);
	return b;
}

/* Another team to join, below everything else. */
static GtkWidget *
join_group(void)
{
	GtkWidget *group = adw_preferences_group_new(), *row;

	row = adw_action_row_new();
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), _("Join Another Team…"));
	gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), TRUE);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(row), "team.join");
	adw_action_row_add_suffix(ADW_ACTION_ROW(row),
				  gtk_image_new_from_icon_name("go-next-symbolic"));
	gtk_widget_set_name(row, "team-join-row");
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
	return group;
}

static void typed_refused(HearthTeamPage *self, hearth_status st);

static void
on_name_apply(AdwEntryRow *row, gpointer data)
{
	HearthTeamPage *self = data;
	hearth_store *s = hearth_session_get_store(self->session);
	const char *hex = g_object_get_data(G_OBJECT(row), "space");
	hearth_id space;
	hearth_status st;

	if (s == NULL || !hearth_gui_id_parse(hex, &space))
		return;
	st = hearth_space_name_set(s, &space, gtk_editable_get_text(GTK_EDITABLE(row)));
	if (st != HEARTH_OK) {
		gtk_widget_add_css_class(GTK_WIDGET(row), "error");
		typed_refused(self, st);
		return;
	}
	hearth_window_toast(self->win, _("Name saved; the others see it once they sync"));
	reload(self);
}

/* This vault's own name in space (name: the one it gave, "" none), for the
 * others to know it by. */
static GtkWidget *
name_row(HearthTeamPage *self, const hearth_id *space, const char *name)
{
	g_autofree char *hex = hearth_gui_id_hex(space);
	g_autofree char *wname = g_strdup_printf("team-my-name-%.8s", hex);
	GtkWidget *row = adw_entry_row_new();

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), _("Your Name in This Team"));
	adw_entry_row_set_show_apply_button(ADW_ENTRY_ROW(row), TRUE);
	gtk_editable_set_text(GTK_EDITABLE(row), name);
	gtk_widget_set_name(row, wname);
	g_object_set_data_full(G_OBJECT(row), "space", g_steal_pointer(&hex), g_free);
	g_signal_connect_object(row, "apply", G_CALLBACK(on_name_apply), self, 0);
	return row;
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
	self->in_view = FALSE;
	g_clear_pointer(&self->request, g_free);
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
		if (members->len > 0 && g_array_index(members, hearth_space_member_info, 0).self)
			adw_preferences_group_add(ADW_PREFERENCES_GROUP(c.group),
				name_row(self, &t->id,
					 g_array_index(members, hearth_space_member_info, 0).name));
		/* A lead invites (this vault's own row comes first). */
		if (members->len > 0 &&
		    g_array_index(members, hearth_space_member_info, 0).self &&
		    g_array_index(members, hearth_space_member_info, 0).role == HEARTH_ROLE_LEAD)
			adw_preferences_group_set_header_suffix(ADW_PREFERENCES_GROUP(c.group),
								invite_button(&t->id));
		adw_preferences_page_add(ADW_PREFERENCES_PAGE(page),
					 ADW_PREFERENCES_GROUP(c.group));
	}
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page),
				 ADW_PREFERENCES_GROUP(device_group(self, s)));
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page),
				 ADW_PREFERENCES_GROUP(join_group()));
	gtk_box_append(GTK_BOX(self->body), page);
}

/* ---- removing a member ----------------------------------------------------- */

/* Asks before a destructive step: Cancel first, the default and Esc (so
 * Return never acts), the step red.  response(dialog, id, self) gets
 * target as the dialog's "target"; tied to the page, so locking drops
 * the page and the dialog without a response. */
static void
confirm(HearthTeamPage *self, const char *heading, const char *body, const char *id,
	const char *label, const char *name, const char *target, GCallback response)
{
	GtkWidget *d = adw_message_dialog_new(GTK_WINDOW(self->win), heading, body);

	gtk_widget_set_name(d, name);
	adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(d), "cancel", _("_Cancel"),
					 id, label, NULL);
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(d), id,
						   ADW_RESPONSE_DESTRUCTIVE);
	adw_message_dialog_set_default_response(ADW_MESSAGE_DIALOG(d), "cancel");
	adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(d), "cancel");
	g_object_set_data_full(G_OBJECT(d), "target", g_strdup(target), g_free);
	g_signal_connect_object(d, "response", response, self, 0);
	gtk_window_present(GTK_WINDOW(d));
}


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

	(void)name;
	if (g_strv_length(parts) != 2 ||
	    (title = g_hash_table_lookup(self->titles, parts[1])) == NULL)
		return;
	/* Translators: the heading of the remove-member dialog; %s is the
	 * member ("Member 12345 67890"). */
	heading = g_strdup_printf(_("Remove %s?"), title);
	confirm(self, heading,
		_("They will not be able to read new records from now on. "
		  "Records already synced to their devices cannot be taken back."),
		"remove", _("_Remove"), "team-remove-dialog", target,
		G_CALLBACK(remove_response));
}

/* ---- changing a role -------------------------------------------------------- */

/* target: "space member role" (ids in hex, role by its stable name). */
static void
action_role(GtkWidget *widget, const char *name, GVariant *param)
{
	HearthTeamPage *self = HEARTH_TEAM_PAGE(widget);
	hearth_store *s = hearth_session_get_store(self->session);
	g_auto(GStrv) parts = g_strsplit(g_variant_get_string(param, NULL), " ", 3);
	g_autofree char *text = NULL;
	const char *title;
	hearth_id space, member;
	hearth_role role;
	hearth_status st;

	(void)name;
	if (s == NULL || g_strv_length(parts) != 3 || !hearth_gui_id_parse(parts[0], &space) ||
	    !hearth_gui_id_parse(parts[1], &member) ||
	    (role = hearth_role_parse(parts[2])) == HEARTH_ROLE_NONE ||
	    (title = g_hash_table_lookup(self->titles, parts[1])) == NULL)
		return;
	if ((st = hearth_space_set_role(s, &space, &member, role)) != HEARTH_OK) {
		typed_refused(self, st);
		return;
	}
	/* Translators: a toast; %s is the member ("Ana Lima", "Member
	 * 12345 67890"). */
	text = g_strdup_printf(role == HEARTH_ROLE_LEAD ? _("%s is now a lead") :
			       _("%s is now a counsellor"), title);
	hearth_window_toast(self->win, text);
	reload(self);
}

/* ---- revoking a linked device ---------------------------------------------- */

static void
revoke_response(AdwMessageDialog *dialog, const char *response, gpointer data)
{
	HearthTeamPage *self = data;
	const char *device = g_object_get_data(G_OBJECT(dialog), "target");
	hearth_store *s = hearth_session_get_store(self->session);
	hearth_status st;

	if (strcmp(response, "revoke") != 0 || s == NULL || device == NULL)
		return;
	if ((st = hearth_device_revoke(s, device, NULL)) != HEARTH_OK)
		hearth_window_status(self->win, st);
	else
		hearth_window_toast(self->win, _("Device revoked"));
	reload(self);
}

static void
action_revoke(GtkWidget *widget, const char *name, GVariant *param)
{
	HearthTeamPage *self = HEARTH_TEAM_PAGE(widget);
	const char *device = g_variant_get_string(param, NULL);
	g_autofree char *heading = NULL;

	(void)name;
	/* Translators: the heading of the revoke dialog; %.8s is the first
	 * 8 digits of the device's id. */
	heading = g_strdup_printf(_("Revoke Device %.8s?"), device);
	confirm(self, heading,
		_("For a lost or stolen device. Its later changes are refused everywhere, "
		  "and it cannot read what is written from now on. What it already holds "
		  "stays on it."),
		"revoke", _("_Revoke"), "team-revoke-dialog", device,
		G_CALLBACK(revoke_response));
}

/* ---- joining: the Invite and the Join views -------------------------------- */

/* Replaces the body with view (a sub-page: the header's back button
 * returns to the members). */
static void
show_view(HearthTeamPage *self, GtkWidget *view)
{
	GtkWidget *child;

	while ((child = gtk_widget_get_first_child(self->body)) != NULL)
		gtk_box_remove(GTK_BOX(self->body), child);
	gtk_box_append(GTK_BOX(self->body), view);
	self->in_view = TRUE;
}

/* A scrolled, clamped column for a view's groups. */
static GtkWidget *
view_page(const char *name)
{
	GtkWidget *page = adw_preferences_page_new();

	gtk_widget_set_vexpand(page, TRUE);
	gtk_widget_set_name(page, name);
	return page;
}

/* A preferences group with its title and what it is for. */
static GtkWidget *
titled_group(const char *title, const char *description)
{
	GtkWidget *group = adw_preferences_group_new();

	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), title);
	adw_preferences_group_set_description(ADW_PREFERENCES_GROUP(group), description);
	return group;
}

/* A view's step: a pill button below the rows, centred; css (may be
 * NULL) says whether it is the suggested one. */
static GtkWidget *
step_button(const char *mnemonic, const char *css, const char *name)
{
	GtkWidget *b = gtk_button_new_with_mnemonic(mnemonic);

	if (css != NULL)
		gtk_widget_add_css_class(b, css);
	gtk_widget_add_css_class(b, "pill");
	gtk_widget_set_halign(b, GTK_ALIGN_CENTER);
	gtk_widget_set_margin_top(b, 12);
	gtk_widget_set_name(b, name);
	return b;
}

static void
on_copy(GtkButton *button, gpointer data)
{
	const char *text = g_object_get_data(G_OBJECT(button), "text");
	HearthTeamPage *self = data;

	if (text == NULL)
		return;
	gdk_clipboard_set_text(gtk_widget_get_clipboard(GTK_WIDGET(button)), text);
	hearth_window_toast(self->win, _("Copied"));
}

/* A code or a name typed or pasted that the core refused: its own
 * sentence says what is wrong with it (a typo, expired, used, for another
 * space, too long), where the window's would speak of files or of "what
 * was entered"; anything else as the window says. */
static void
typed_refused(HearthTeamPage *self, hearth_status st)
{
	if (st == HEARTH_EFORMAT || st == HEARTH_ESTATE || st == HEARTH_ENOTFOUND ||
	    st == HEARTH_EEXISTS || st == HEARTH_ENEWER || st == HEARTH_EAUTH ||
	    st == HEARTH_EINVAL) {
		/* The core's detail starts as a clause ("this is not a join
		 * request"); a toast is a sentence of its own. */
		g_autofree char *text = g_strdup(hearth_errdetail_local());

		if (g_ascii_islower(text[0]))
			text[0] = g_ascii_toupper(text[0]);
		g_message("hearth: %s", hearth_errdetail());
		hearth_window_toast(self->win, text);
		hearth_errdetail_clear();
		return;
	}
	hearth_window_status(self->win, st);
}

/* A code shown for the other device: its QR code (at least 200 px) and
 * its text, selectable and copied by a button.  name prefixes the
 * widgets' names ("team-invite": team-invite-qr, -code, -copy). */
static GtkWidget *
code_group(HearthTeamPage *self, const char *title, const char *note, const char *code,
	   const char *name)
{
	GtkWidget *group = adw_preferences_group_new(), *box, *l, *b, *pic;
	/* As large as fits a 360 px screen's column. */
	g_autoptr(GdkTexture) qr = hearth_qr_texture(code, 288);
	g_autofree char *n = NULL;

	box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	if (qr != NULL) {
		int side = gdk_texture_get_width(qr);

		pic = gtk_picture_new_for_paintable(GDK_PAINTABLE(qr));
		gtk_picture_set_can_shrink(GTK_PICTURE(pic), FALSE);
		gtk_widget_set_size_request(pic, side, side);
		gtk_widget_set_halign(pic, GTK_ALIGN_CENTER);
		/* Translators: the accessible name of a QR code picture. */
		gtk_accessible_update_property(GTK_ACCESSIBLE(pic),
			GTK_ACCESSIBLE_PROPERTY_LABEL, _("QR code of the text below"), -1);
		n = g_strdup_printf("%s-qr", name);
		gtk_widget_set_name(pic, n);
		gtk_box_append(GTK_BOX(box), pic);
	}
	l = gtk_label_new(code);
	gtk_label_set_selectable(GTK_LABEL(l), TRUE);
	gtk_label_set_wrap(GTK_LABEL(l), TRUE);
	gtk_label_set_wrap_mode(GTK_LABEL(l), PANGO_WRAP_CHAR);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_widget_add_css_class(l, "fingerprint");
	g_free(n);
	n = g_strdup_printf("%s-code", name);
	gtk_widget_set_name(l, n);
	gtk_box_append(GTK_BOX(box), l);
	b = gtk_button_new_with_mnemonic(_("_Copy"));
	gtk_widget_set_halign(b, GTK_ALIGN_START);
	g_object_set_data_full(G_OBJECT(b), "text", g_strdup(code), g_free);
	g_signal_connect_object(b, "clicked", G_CALLBACK(on_copy), self, 0);
	g_free(n);
	n = g_strdup_printf("%s-copy", name);
	gtk_widget_set_name(b, n);
	gtk_box_append(GTK_BOX(box), b);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), box);
	return group;
}

/* A fingerprint to read aloud: three lines of four groups, large. */
static GtkWidget *
fingerprint_label(const char *fp, const char *name)
{
	g_autofree char *lines = fingerprint_lines(fp);
	GtkWidget *l = gtk_label_new(lines);

	gtk_label_set_selectable(GTK_LABEL(l), TRUE);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_widget_add_css_class(l, "fingerprint");
	gtk_widget_add_css_class(l, "title-3");
	gtk_widget_set_name(l, name);
	return l;
}

/* The Compare step: the request's fingerprint, to be read against the
 * newcomer's screen; nothing is approved until "They Match". */
static void
show_compare(HearthTeamPage *self, const char *fp)
{
	GtkWidget *page = view_page("team-compare"), *box, *b;
	GtkWidget *group = titled_group(_("Do the Fingerprints Match?"),
		_("Ask them to read aloud the fingerprint on their Team page. "
		  "Approve only if every digit matches."));

	box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 18);
	gtk_box_append(GTK_BOX(box), fingerprint_label(fp, "team-compare-fingerprint"));
	/* Both full width, the destructive one apart from the other. */
	b = step_button(_("They _Match"), "suggested-action", "team-compare-match");
	gtk_widget_set_halign(b, GTK_ALIGN_FILL);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(b), "team.approve");
	gtk_box_append(GTK_BOX(box), b);
	b = step_button(_("They _Don't Match"), "destructive-action", "team-compare-mismatch");
	gtk_widget_set_halign(b, GTK_ALIGN_FILL);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(b), "team.mismatch");
	gtk_box_append(GTK_BOX(box), b);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), box);
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), ADW_PREFERENCES_GROUP(group));
	show_view(self, page);
}

static void
on_check_request(GtkButton *button, gpointer data)
{
	HearthTeamPage *self = data;
	GtkEditable *entry = g_object_get_data(G_OBJECT(button), "entry");
	char fp[HEARTH_FINGERPRINT_LEN + 1];
	hearth_join_request req;
	hearth_status st;

	if ((st = hearth_join_request_parse(gtk_editable_get_text(entry), &req)) != HEARTH_OK) {
		typed_refused(self, st);
		return;
	}
	hearth_fingerprint(&req.identity, fp);
	g_free(self->request);
	self->request = g_strdup(gtk_editable_get_text(entry));
	show_compare(self, fp);
}

/* The time an invitation expires, in the user's locale (with the date
 * when that is not today). */
static char *
expiry_text(const char *code)
{
	hearth_invitation inv;
	g_autoptr(GDateTime) t = NULL, now = g_date_time_new_now_local();

	if (hearth_invitation_parse(code, &inv) != HEARTH_OK) {
		hearth_errdetail_clear();
		return NULL;
	}
	t = g_date_time_new_from_unix_local((gint64)inv.expires_s);
	if (t == NULL)
		return NULL;
	return g_date_time_format(t, g_date_time_get_day_of_year(t) ==
				  g_date_time_get_day_of_year(now) ? "%H:%M" : "%x %H:%M");
}

static void
on_create_code(GtkButton *button, gpointer data)
{
	HearthTeamPage *self = data;
	AdwComboRow *role = g_object_get_data(G_OBJECT(button), "role");
	GtkWidget *page = g_object_get_data(G_OBJECT(button), "page");
	hearth_store *s = hearth_session_get_store(self->session);
	g_autofree char *until = NULL, *note = NULL;
	char *code = NULL;
	hearth_status st;

	if (s == NULL)
		return;
	/* Shown in person: both sides finish while they sit together. */
	st = hearth_space_invite(s, &self->invite_space,
				 adw_combo_row_get_selected(role) == 1 ? HEARTH_ROLE_LEAD :
				 HEARTH_ROLE_COUNSELLOR,
				 (uint64_t)g_get_real_time() / G_USEC_PER_SEC +
				 HEARTH_INVITE_IN_PERSON_TTL_S, &code);
	if (st != HEARTH_OK) {
		hearth_window_status(self->win, st);
		return;
	}
	until = expiry_text(code);
	/* Translators: %s is the time the invitation expires (with the
	 * date when that is not today). */
	note = g_strdup_printf(_("Let them scan it with their phone, or read it to them in "
				 "person. It works once, for 15 minutes: until %s."),
			       until != NULL ? until : "-");
	gtk_widget_set_sensitive(GTK_WIDGET(button), FALSE);
	gtk_widget_set_sensitive(GTK_WIDGET(role), FALSE);
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), ADW_PREFERENCES_GROUP(
		code_group(self, _("Invitation Code"), note, code, "team-invite")));
	free(code);
	{
		GtkWidget *group = titled_group(_("Their Join Request"),
			_("Their device shows a request once they join with this code."));
		GtkWidget *entry = adw_entry_row_new(), *check;

		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(entry), _("Join request"));
		gtk_widget_set_name(entry, "team-approve-request");
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), entry);
		check = step_button(_("C_heck Request"), NULL, "team-approve-check");
		g_object_set_data(G_OBJECT(check), "entry", entry);
		g_signal_connect_object(check, "clicked", G_CALLBACK(on_check_request), self, 0);
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), check);
		adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), ADW_PREFERENCES_GROUP(group));
	}
}

static void
action_invite(GtkWidget *widget, const char *name, GVariant *param)
{
	HearthTeamPage *self = HEARTH_TEAM_PAGE(widget);
	g_autoptr(GtkStringList) roles = gtk_string_list_new(NULL);
	GtkWidget *page, *group, *role, *create;

	(void)name;
	if (!hearth_gui_id_parse(g_variant_get_string(param, NULL), &self->invite_space))
		return;
	page = view_page("team-invite");
	group = titled_group(_("Invite to the Team"),
			     _("Make a code for one person to join this team space."));
	gtk_string_list_append(roles, role_text(HEARTH_ROLE_COUNSELLOR));
	gtk_string_list_append(roles, role_text(HEARTH_ROLE_LEAD));
	role = adw_combo_row_new();
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(role), _("Role"));
	adw_combo_row_set_model(ADW_COMBO_ROW(role), G_LIST_MODEL(roles));
	gtk_widget_set_name(role, "team-invite-role");
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), role);
	create = step_button(_("_Create Code"), "suggested-action", "team-invite-create");
	g_object_set_data(G_OBJECT(create), "role", role);
	g_object_set_data(G_OBJECT(create), "page", page);
	g_signal_connect_object(create, "clicked", G_CALLBACK(on_create_code), self, 0);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), create);
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), ADW_PREFERENCES_GROUP(group));
	show_view(self, page);
}

static void
action_approve(GtkWidget *widget, const char *name, GVariant *param)
{
	HearthTeamPage *self = HEARTH_TEAM_PAGE(widget);
	hearth_store *s = hearth_session_get_store(self->session);
	hearth_status st;

	(void)name, (void)param;
	if (s == NULL || self->request == NULL)
		return;
	st = hearth_space_approve(s, &self->invite_space, self->request, NULL, NULL);
	if (st != HEARTH_OK) {
		typed_refused(self, st);
		reload(self);
		return;
	}
	hearth_window_toast(self->win,
		_("Member approved. Sync, so that their device receives the team's records."));
	reload(self);
}

static void
action_mismatch(GtkWidget *widget, const char *name, GVariant *param)
{
	HearthTeamPage *self = HEARTH_TEAM_PAGE(widget);

	(void)name, (void)param;
	hearth_window_toast(self->win,
		_("Not approved. Ask them to join again, in person."));
	reload(self);
}

static void
on_join(GtkButton *button, gpointer data)
{
	HearthTeamPage *self = data;
	GtkEditable *entry = g_object_get_data(G_OBJECT(button), "entry");
	GtkWidget *page = g_object_get_data(G_OBJECT(button), "page");
	hearth_store *s = hearth_session_get_store(self->session);
	char fp[HEARTH_FINGERPRINT_LEN + 1];
	hearth_invitation inv;
	GtkWidget *group;
	char *request = NULL;
	hearth_status st;

	if (s == NULL)
		return;
	if ((st = hearth_space_join(s, gtk_editable_get_text(entry), &request, &inv)) !=
	    HEARTH_OK) {
		typed_refused(self, st);
		return;
	}
	gtk_widget_set_sensitive(GTK_WIDGET(button), FALSE);
	gtk_widget_set_sensitive(GTK_WIDGET(entry), FALSE);
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), ADW_PREFERENCES_GROUP(
		code_group(self, _("Your Join Request"),
			   _("Give it to the lead who invited you: let them scan it, or send it "
			     "over a channel you trust."), request, "team-join-request")));
	free(request);
	group = titled_group(_("Your Fingerprint"),
		_("Read it aloud to the lead when they check your request. Once they approve "
		  "it and sync, this team appears here."));
	if ((st = hearth_identity_fingerprint_get(s, fp)) == HEARTH_OK)
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(group),
					  fingerprint_label(fp, "team-join-fingerprint"));
	else
		hearth_window_status(self->win, st);
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), ADW_PREFERENCES_GROUP(group));
}

static void
action_join(GtkWidget *widget, const char *name, GVariant *param)
{
	HearthTeamPage *self = HEARTH_TEAM_PAGE(widget);
	GtkWidget *page = view_page("team-join"), *group, *entry, *join;

	(void)name, (void)param;
	group = titled_group(_("Join a Team"), _("Enter the invitation code a team lead gave you."));
	entry = adw_entry_row_new();
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(entry), _("Invitation code"));
	gtk_widget_set_name(entry, "team-join-code");
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), entry);
	join = step_button(_("_Join"), "suggested-action", "team-join-submit");
	g_object_set_data(G_OBJECT(join), "entry", entry);
	g_object_set_data(G_OBJECT(join), "page", page);
	g_signal_connect_object(join, "clicked", G_CALLBACK(on_join), self, 0);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), join);
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), ADW_PREFERENCES_GROUP(group));
	show_view(self, page);
}

/* Back (the header's button, the Back key, Alt+Left) from a view returns
 * to the members; from the members, the window pops the page. */
static gboolean
team_back(GtkWidget *page)
{
	HearthTeamPage *self = HEARTH_TEAM_PAGE(page);

	if (!self->in_view)
		return FALSE;
	reload(self);
	return TRUE;
}


/* ---- the page -------------------------------------------------------------- */

static void
hearth_team_page_dispose(GObject *object)
{
	HearthTeamPage *self = HEARTH_TEAM_PAGE(object);

	G_OBJECT_CLASS(hearth_team_page_parent_class)->dispose(object);
	g_clear_object(&self->session);
	g_clear_pointer(&self->titles, g_hash_table_unref);
	g_clear_pointer(&self->request, g_free);
}

static void
hearth_team_page_class_init(HearthTeamPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = hearth_team_page_dispose;
	gtk_widget_class_install_action(widget_class, "team.remove", "s", action_remove);
	gtk_widget_class_install_action(widget_class, "team.role", "s", action_role);
	gtk_widget_class_install_action(widget_class, "team.invite", "s", action_invite);
	gtk_widget_class_install_action(widget_class, "team.approve", NULL, action_approve);
	gtk_widget_class_install_action(widget_class, "team.mismatch", NULL, action_mismatch);
	gtk_widget_class_install_action(widget_class, "team.join", NULL, action_join);
	gtk_widget_class_install_action(widget_class, "team.revoke", "s", action_revoke);
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
	gtk_widget_set_name(back, "team-back");
	adw_header_bar_pack_start(ADW_HEADER_BAR(header), back);
	adw_header_bar_set_title_widget(ADW_HEADER_BAR(header),
		adw_window_title_new(_("Team"), NULL));
	gtk_box_append(GTK_BOX(box), header);
	self->body = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	gtk_widget_set_vexpand(self->body, TRUE);
	gtk_box_append(GTK_BOX(box), self->body);
	adw_bin_set_child(ADW_BIN(self), box);
	gtk_widget_set_name(GTK_WIDGET(self), "team-page");
	hearth_window_set_back_handler(GTK_WIDGET(self), team_back);
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
