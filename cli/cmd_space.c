/*
 * cli/cmd_space.c - `hearth space`: spaces this vault belongs to, their
 * members, invitations and removal.
 *
 *   space create --name NAME       a new space with this vault as its lead
 *   space list                     spaces this vault is a member of
 *   space members SPACE            members, names, roles, devices, fingerprints
 *   space name SPACE NAME          the name the other members see for you
 *   space invite SPACE [--role R]  a one-time invitation code (lead)
 *   space join CODE                the invitee's join request
 *   space approve SPACE REQUEST    admits the invitee (lead)
 *   space role SPACE MEMBER ROLE   makes a member a lead or a counsellor (lead)
 *   space overview                 a lead's picture of the team spaces it leads
 *   space remove SPACE MEMBER      removes a member and starts a new epoch
 *
 * Every rule and write is in the core (core/spaces.c); this file parses,
 * prints and translates.  Nothing printed is secret: ids, fingerprints,
 * codes and requests carry public keys only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hearth/devices.h"
#include "hearth/overview.h"
#include "hearth/spaces.h"

static const char *role_text(hearth_role r)
{
	switch (r) {
	/* TRANSLATORS: a member's role in a space: invites and removes. */
	case HEARTH_ROLE_LEAD: return _("lead");
	/* TRANSLATORS: a member's role in a space: reads and writes. */
	case HEARTH_ROLE_COUNSELLOR: return _("counsellor");
	default: return "-";
	}
}

/* Resolves operand text to a space of this vault, or fails. */
static int space_arg(struct hearth_cli *cli, hearth_store *s, const char *text,
		     hearth_id *out)
{
	hearth_status st = hearth_space_resolve(s, text, out);

	return st == HEARTH_OK ? 0 : cli_error_status(cli, st);
}

/* Resolves operand text to a member record of space (member id prefix
 * or fingerprint), or fails. */
static int member_arg(struct hearth_cli *cli, hearth_store *s, const hearth_id *space,
		      const char *text, hearth_id *out)
{
	const hearth_space_member *m;
	hearth_space_state *sp = NULL;
	hearth_status st;

	if ((st = hearth_space_state_get(s, space, &sp)) == HEARTH_OK &&
	    (st = hearth_space_member_resolve(sp, text, &m)) == HEARTH_OK)
		*out = m->record;
	hearth_space_state_free(sp);
	return st == HEARTH_OK ? 0 : cli_error_status(cli, st);
}

/* ---- space create ---------------------------------------------------------- */

static int space_create(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *name = NULL;
	char hex[HEARTH_ID_HEX + 1];
	hearth_store *s;
	hearth_status st;
	hearth_id space;
	int c, rc;

	cli_set_command(cli, "space create");
	while ((c = cli_getopt(cli, argc, argv, "n:h", opts)) != -1) {
		if (c == 'n') {
			name = optarg;
			continue;
		}
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth space create --name NAME\n"
				"Create a space (a team's shared caseload) with you as its lead.\n"
				"Invite others with 'hearth space invite'.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if (name == NULL)
		return cli_usage(cli, "%s", _("a space needs a name: --name NAME"));
	if ((rc = cli_check_text(cli, "--name", name)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_space_create(s, name, &space)) != HEARTH_OK)
		return cli_error_status(cli, st);
	hearth_id_to_hex(&space, hex);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:s}", "space", hex, "name", name));
	printf(_("Created space %s (%s); you are its lead.\n"), name, hex);
	return CLI_EXIT_OK;
}

/* ---- space list ---------------------------------------------------------------- */

struct list_ctx {
	struct cli_table *t;
	json_t *arr;
	int failed;
};

static int list_cb(const hearth_space_info *i, void *ctx)
{
	struct list_ctx *l = ctx;
	char hex[HEARTH_ID_HEX + 1], members[24], epoch[24];
	const char *cells[6];

	hearth_id_to_hex(&i->space, hex);
	if (l->arr != NULL) {
		json_t *o = json_pack("{s:s, s:s?, s:s, s:I, s:I, s:b, s:s?}",
				      "space", hex, "name", i->name,
				      "role", hearth_role_name(i->role),
				      "members", (json_int_t)i->members,
				      "epoch", (json_int_t)i->epoch_number,
				      "has_key", i->has_key,
				      "inviter", i->inviter > 0 ? "member" :
				      i->inviter < 0 ? "not a member" : NULL);

		if (o == NULL || json_array_append_new(l->arr, o) != 0) {
			l->failed = 1;
			return 1;
		}
		return 0;
	}
	if (i->inviter < 0)
		fprintf(stderr, _("hearth: space %.8s: the invitation you joined with named an "
				  "inviter who is not a member of it; compare fingerprints again\n"),
			hex);
	snprintf(members, sizeof members, "%zu", i->members);
	snprintf(epoch, sizeof epoch, "%llu", (unsigned long long)i->epoch_number);
	hex[HEARTH_DEVICE_SHORT] = '\0';
	cells[0] = hex;
	cells[1] = i->name != NULL ? i->name : "-";
	cells[2] = role_text(i->role);
	cells[3] = members;
	cells[4] = epoch;
	cells[5] = i->has_key ? _("yes") : _("no");
	if (cli_table_add(l->t, cells) != 0) {
		l->failed = 1;
		return 1;
	}
	return 0;
}

static int space_list(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct list_ctx l;
	hearth_store *s;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "space list");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth space list\n"
				"List the spaces this vault is a member of.\n"
				"\n"
				"Columns: space id (short), name, your role, members, the current\n"
				"epoch's number, whether this device holds its key.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	memset(&l, 0, sizeof l);
	if (cli->json) {
		if ((l.arr = json_array()) == NULL)
			return cli_error(cli, "%s", _("out of memory"));
	} else {
		const char *header[6] = { _("Space"), _("Space name"), _("Role"), _("Members"),
					  _("Epoch"), _("Key") };

		if ((l.t = cli_table_new(6, header)) == NULL)
			return cli_error(cli, "%s", _("out of memory"));
	}
	st = hearth_spaces_each(s, list_cb, &l);
	return cli_list_finish(cli, st, l.failed, l.arr, l.t, "spaces");
}

/* ---- space members ------------------------------------------------------------ */

/* Member record -> the name the member gave, from one listing. */
typedef struct member_names {
	hearth_id *record;
	char (*name)[HEARTH_MEMBER_NAME_MAX + 1];
	size_t n, cap;
	int oom;
} member_names;

static int member_name_cb(const hearth_space_member_info *m, void *ctx)
{
	member_names *mn = ctx;

	if (mn->n == mn->cap) {
		size_t cap = mn->cap ? 2 * mn->cap : 16;
		hearth_id *r = realloc(mn->record, cap * sizeof *r);
		char (*nm)[HEARTH_MEMBER_NAME_MAX + 1];

		if (r == NULL) {
			mn->oom = 1;
			return 1;
		}
		mn->record = r;
		if ((nm = realloc(mn->name, cap * sizeof *nm)) == NULL) {
			mn->oom = 1;
			return 1;
		}
		mn->name = nm;
		mn->cap = cap;
	}
	mn->record[mn->n] = m->record;
	memcpy(mn->name[mn->n], m->name, sizeof mn->name[mn->n]);
	mn->n++;
	return 0;
}

static const char *member_name_of(const member_names *mn, const hearth_id *record)
{
	size_t i;

	for (i = 0; i < mn->n; i++)
		if (hearth_id_equal(&mn->record[i], record))
			return mn->name[i];
	return "";
}

static int space_members(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_space_state *sp = NULL;
	member_names names = { 0 };
	struct cli_table *t = NULL;
	json_t *arr = NULL;
	hearth_store *s;
	hearth_status st;
	hearth_id space;
	size_t i, j;
	int c, rc;

	cli_set_command(cli, "space members");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth space members SPACE\n"
				"List the members of a space (its id, id prefix or name): member\n"
				"id (short), the name they gave ('hearth space name'), role,\n"
				"status, devices, the first groups of their fingerprint, and when\n"
				"the newest change this vault holds from their devices was\n"
				"written.  Removed members are listed as removed.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, "SPACE")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((rc = space_arg(cli, s, argv[optind], &space)) != 0)
		return rc;
	if ((st = hearth_space_members_each(s, &space, member_name_cb, &names)) != HEARTH_OK ||
	    (st = names.oom ? hearth_fail(HEARTH_ENOMEM, "out of memory") : HEARTH_OK) != HEARTH_OK ||
	    (st = hearth_space_state_get(s, &space, &sp)) != HEARTH_OK) {
		free(names.record);
		free(names.name);
		return cli_error_status(cli, st);
	}
	if (cli->json) {
		arr = json_array();
	} else {
		const char *header[7] = { _("Member"), _("Name"), _("Role"), _("Status"),
					  _("Devices"), _("Fingerprint"), _("Last change") };

		t = cli_table_new(7, header);
	}
	if (arr == NULL && t == NULL) {
		hearth_space_state_free(sp);
		free(names.record);
		free(names.name);
		return cli_error(cli, "%s", _("out of memory"));
	}
	for (i = 0; i < sp->nmembers; i++) {
		const hearth_space_member *m = &sp->members[i];
		char hex[HEARTH_ID_HEX + 1], fp[HEARTH_FINGERPRINT_LEN + 1], nd[24];
		const char *name = member_name_of(&names, &m->record);
		char when[32] = "";
		const char *cells[7];
		uint64_t last_ms = 0;

		if (!m->has_identity)
			continue;
		hearth_id_to_hex(&m->record, hex);
		hearth_fingerprint(&m->identity, fp);
		if ((st = hearth_space_member_last_change(s, m, &last_ms)) != HEARTH_OK)
			break;
		if (last_ms > 0)
			cli_format_ms(last_ms, when);
		if (arr != NULL) {
			json_t *devs = json_array(), *o;

			for (j = 0; devs != NULL && j < m->ndevices; j++) {
				char d[HEARTH_DEVICE_HEX + 1];

				hearth_device_hex(m->devices[j].device, d);
				json_array_append_new(devs, json_string(d));
			}
			o = json_pack("{s:s, s:s?, s:s, s:b, s:s, s:o, s:s?}", "member", hex,
				      "name", name[0] != '\0' ? name : NULL,
				      "role", hearth_role_name(m->role) ? hearth_role_name(m->role) : "",
				      "removed", m->removed, "fingerprint", fp,
				      "devices", devs != NULL ? devs : json_array(),
				      "last_change", when[0] != '\0' ? when : NULL);
			if (o == NULL || json_array_append_new(arr, o) != 0)
				break;
			continue;
		}
		snprintf(nd, sizeof nd, "%zu", m->ndevices);
		hex[HEARTH_DEVICE_SHORT] = '\0';
		fp[11] = '\0'; /* the first two groups */
		cells[0] = hex;
		cells[1] = name[0] != '\0' ? name : "-";
		cells[2] = role_text(m->role);
		/* TRANSLATORS: a member's status in a space. */
		cells[3] = m->removed ? _("removed") : _("member");
		cells[4] = nd;
		cells[5] = fp;
		cells[6] = when[0] != '\0' ? when : "-";
		if (cli_table_add(t, cells) != 0)
			break;
	}
	hearth_space_state_free(sp);
	free(names.record);
	free(names.name);
	if (st != HEARTH_OK) {
		json_decref(arr);
		cli_table_free(t);
		return cli_error_status(cli, st);
	}
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:o}", "members", arr));
	cli_table_print(t, stdout);
	cli_table_free(t);
	return CLI_EXIT_OK;
}

/* ---- space name --------------------------------------------------------------- */

static int space_name(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_store *s;
	hearth_status st;
	hearth_id space;
	int c, rc;

	cli_set_command(cli, "space name");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth space name SPACE NAME\n"
				"Give the other members of a space (its id, id prefix or name) the\n"
				"name to know you by (up to 64 bytes); 'hearth space members'\n"
				"shows it once it reaches them.  It counts only as your name: your\n"
				"fingerprint, not the name, is who you are.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 2, 2, "SPACE NAME")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((rc = space_arg(cli, s, argv[optind], &space)) != 0)
		return rc;
	if ((st = hearth_space_name_set(s, &space, argv[optind + 1])) != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:b}", "named", 1));
	printf("%s\n", _("Your name is saved; the other members see it once they sync."));
	return CLI_EXIT_OK;
}

/* ---- space invite ------------------------------------------------------------- */

static int space_invite(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"role", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_role role = HEARTH_ROLE_COUNSELLOR;
	char fp[HEARTH_FINGERPRINT_LEN + 1], *code = NULL;
	hearth_store *s;
	hearth_status st;
	hearth_id space;
	int c, rc;

	cli_set_command(cli, "space invite");
	while ((c = cli_getopt(cli, argc, argv, "r:h", opts)) != -1) {
		if (c == 'r') {
			if ((role = hearth_role_parse(optarg)) == HEARTH_ROLE_NONE)
				return cli_usage(cli, _("unknown role '%s': counsellor or lead"),
						 optarg);
			continue;
		}
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth space invite SPACE [--role counsellor|lead]\n"
				"Print a one-time invitation code to the space (default role:\n"
				"counsellor), valid for 7 days.  Give it to the person in person\n"
				"or over a channel you trust; they run 'hearth space join CODE'\n"
				"and give you back a join request for 'hearth space approve'.\n"
				"Only a lead may invite.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, "SPACE")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((rc = space_arg(cli, s, argv[optind], &space)) != 0)
		return rc;
	if ((st = hearth_space_invite(s, &space, role, 0, &code)) != HEARTH_OK ||
	    (st = hearth_identity_fingerprint_get(s, fp)) != HEARTH_OK) {
		free(code);
		return cli_error_status(cli, st);
	}
	if (cli->json) {
		rc = cli_json_print(cli, json_pack("{s:s, s:s, s:s}", "code", code,
						   "role", hearth_role_name(role),
						   "fingerprint", fp));
		free(code);
		return rc;
	}
	printf("%s\n  %s\n", _("Invitation code (one use, valid for 7 days):"), code);
	printf("%s\n", _("Your fingerprint, for the invitee to compare:"));
	cli_fingerprint_print(fp);
	free(code);
	return CLI_EXIT_OK;
}

/* ---- space join --------------------------------------------------------------- */

static int space_join(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char fp[HEARTH_FINGERPRINT_LEN + 1], hex[HEARTH_ID_HEX + 1], *req = NULL;
	hearth_invitation inv;
	hearth_store *s;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "space join");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth space join CODE\n"
				"Answer an invitation code: print a join request (your identity and\n"
				"this device's certificate) to give back to the lead who invited\n"
				"you, and your fingerprint for them to compare.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, "CODE")) != 0)
		return rc;
	/* A code that does not parse is bad usage: nothing is opened. */
	if ((st = hearth_invitation_parse(argv[optind], &inv)) != HEARTH_OK) {
		cli_error_status(cli, st);
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_space_join(s, argv[optind], &req, &inv)) != HEARTH_OK ||
	    (st = hearth_identity_fingerprint_get(s, fp)) != HEARTH_OK) {
		free(req);
		return cli_error_status(cli, st);
	}
	hearth_id_to_hex(&inv.space, hex);
	if (cli->json) {
		rc = cli_json_print(cli, json_pack("{s:s, s:s, s:s, s:s}", "space", hex,
						   "role", hearth_role_name(inv.role),
						   "request", req, "fingerprint", fp));
		free(req);
		return rc;
	}
	printf(_("Join request for space %s as %s; give it to the lead:\n"), hex,
	       role_text(inv.role));
	printf("  %s\n", req);
	printf("%s\n", _("Your fingerprint, for the lead to compare:"));
	cli_fingerprint_print(fp);
	free(req);
	return CLI_EXIT_OK;
}

/* ---- space approve ------------------------------------------------------------ */

static int space_approve(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char fp[HEARTH_FINGERPRINT_LEN + 1], hex[HEARTH_ID_HEX + 1];
	hearth_join_request jr;
	hearth_store *s;
	hearth_status st;
	hearth_id space, member;
	int c, rc;

	cli_set_command(cli, "space approve");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth space approve SPACE REQUEST\n"
				"Admit the person whose join request this is, with the role of\n"
				"your invitation, and seal the space's current key to their device.\n"
				"Compare the fingerprint printed with the one on their screen.\n"
				"Only a lead may approve.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 2, 2, "SPACE REQUEST")) != 0)
		return rc;
	if ((st = hearth_join_request_parse(argv[optind + 1], &jr)) != HEARTH_OK) {
		cli_error_status(cli, st);
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((rc = space_arg(cli, s, argv[optind], &space)) != 0)
		return rc;
	if ((st = hearth_space_approve(s, &space, argv[optind + 1], &member, fp)) != HEARTH_OK)
		return cli_error_status(cli, st);
	hearth_id_to_hex(&member, hex);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:s}", "member", hex,
						     "fingerprint", fp));
	printf(_("Approved member %s.\n"), hex);
	printf("%s\n", _("Their fingerprint: it must match the one on their screen:"));
	cli_fingerprint_print(fp);
	return CLI_EXIT_OK;
}

/* ---- space remove ------------------------------------------------------------- */

/* ---- space overview -------------------------------------------------------------- */

static json_t *overview_people_json(const hearth_overview_person *v, size_t n)
{
	json_t *arr = json_array();
	char hex[HEARTH_ID_HEX + 1];
	size_t i;

	for (i = 0; arr != NULL && i < n; i++) {
		hearth_id_to_hex(&v[i].id, hex);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "id", hex,
						     "name", v[i].name, "counsellor",
						     v[i].counsellor, "risk", v[i].risk));
	}
	return arr != NULL ? arr : json_array();
}

static int overview_json(struct hearth_cli *cli, const hearth_team_overview *o)
{
	json_t *safety = json_array(), *loads = json_array();
	char hex[HEARTH_ID_HEX + 1], phex[HEARTH_ID_HEX + 1];
	size_t i;

	for (i = 0; safety != NULL && i < o->nsafety; i++) {
		const hearth_followup_item *f = &o->followups->items[o->safety[i]];

		hearth_id_to_hex(&f->id, hex);
		hearth_id_to_hex(&f->person, phex);
		json_array_append_new(safety, json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}",
			"id", hex, "person", phex, "person_name", f->person_name,
			"due", f->due, "days_overdue", (int)f->days_overdue, "reason", f->label));
	}
	for (i = 0; loads != NULL && i < o->nloads; i++)
		json_array_append_new(loads, json_pack("{s:s, s:I, s:I}", "counsellor",
			o->loads[i].counsellor, "people", (json_int_t)o->loads[i].people,
			"overdue", (json_int_t)o->loads[i].overdue));
	return cli_json_print(cli, json_pack("{s:I, s:o, s:o, s:o, s:o}",
		"spaces", (json_int_t)o->nspaces,
		"safety", safety != NULL ? safety : json_array(),
		"high_risk", overview_people_json(o->high, o->nhigh),
		"unassigned", overview_people_json(o->unassigned, o->nunassigned),
		"counsellors", loads != NULL ? loads : json_array()));
}

static void overview_people_print(const char *title, const hearth_overview_person *v,
				  size_t n)
{
	size_t i;

	printf("%s (%zu)\n", title, n);
	for (i = 0; i < n; i++)
		printf("  %s  %s\n", v[i].name, v[i].counsellor[0] != '\0' ? v[i].counsellor : "-");
}

static int space_overview(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_team_overview *o = NULL;
	char today[HEARTH_DATE_LEN + 1];
	struct cli_table *t;
	hearth_store *s;
	hearth_status st;
	size_t i;
	int c, rc;

	cli_set_command(cli, "space overview");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth space overview\n"
				"A lead's picture of the team spaces it leads: every pending safety\n"
				"follow-up of their people, whoever follows them; the people at high\n"
				"risk and those nobody follows yet (cases not closed); and each\n"
				"counsellor's people and overdue follow-ups.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0 ||
	    (rc = cli_today(cli, today)) != 0 || (rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_team_overview_get(s, today, &o)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json) {
		rc = overview_json(cli, o);
		hearth_team_overview_free(o);
		return rc;
	}
	if (o->nspaces == 0) {
		hearth_team_overview_free(o);
		printf("%s\n", _("This vault leads no team space."));
		return CLI_EXIT_OK;
	}
	printf("%s (%zu)\n", _("Safety follow-ups"), o->nsafety);
	for (i = 0; i < o->nsafety; i++) {
		const hearth_followup_item *f = &o->followups->items[o->safety[i]];

		printf("  %s  %s  %s\n", f->due, f->person_name, f->label);
	}
	overview_people_print(_("High risk"), o->high, o->nhigh);
	overview_people_print(_("Nobody assigned"), o->unassigned, o->nunassigned);
	{
		const char *header[3] = { _("Counsellor"), _("People"), _("Overdue") };

		t = cli_table_new(3, header);
	}
	for (i = 0; t != NULL && i < o->nloads; i++) {
		char people[24], overdue[24];
		const char *cells[3];

		snprintf(people, sizeof people, "%zu", o->loads[i].people);
		snprintf(overdue, sizeof overdue, "%zu", o->loads[i].overdue);
		cells[0] = o->loads[i].counsellor[0] != '\0' ? o->loads[i].counsellor : "-";
		cells[1] = people;
		cells[2] = overdue;
		cli_table_add(t, cells);
	}
	hearth_team_overview_free(o);
	if (t == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	cli_table_print(t, stdout);
	cli_table_free(t);
	return CLI_EXIT_OK;
}

/* ---- space role ------------------------------------------------------------------ */

static int space_role(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char hex[HEARTH_ID_HEX + 1];
	hearth_store *s;
	hearth_status st;
	hearth_id space, member;
	hearth_role role;
	int c, rc;

	cli_set_command(cli, "space role");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth space role SPACE MEMBER lead|counsellor\n"
				"Make a member (member id prefix or fingerprint) of a space a lead\n"
				"(who may invite, remove and change roles) or a counsellor.  Only a\n"
				"lead may; a space keeps at least one lead, so the last one makes\n"
				"another member a lead before stepping down.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 3, 3, "SPACE MEMBER ROLE")) != 0)
		return rc;
	if ((role = hearth_role_parse(argv[optind + 2])) == HEARTH_ROLE_NONE)
		return cli_usage(cli, _("unknown role '%s': counsellor or lead"), argv[optind + 2]);
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((rc = space_arg(cli, s, argv[optind], &space)) != 0 ||
	    (rc = member_arg(cli, s, &space, argv[optind + 1], &member)) != 0)
		return rc;
	if ((st = hearth_space_set_role(s, &space, &member, role)) != HEARTH_OK)
		return cli_error_status(cli, st);
	hearth_id_to_hex(&member, hex);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:s}", "member", hex,
						     "role", hearth_role_name(role)));
	/* TRANSLATORS: %s is a member id, the second a role ("lead"). */
	printf(_("Member %s is now a %s.\n"), hex, role_text(role));
	return CLI_EXIT_OK;
}

static int space_remove(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_space_state *sp = NULL;
	char hex[HEARTH_ID_HEX + 1];
	hearth_store *s;
	hearth_status st;
	hearth_id space, member;
	uint64_t number = 0;
	int c, rc;

	cli_set_command(cli, "space remove");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth space remove SPACE MEMBER\n"
				"Remove a member (member id prefix or fingerprint) from a space.\n"
				"Their devices' later changes are refused by every copy, and a new\n"
				"key is sealed only to those who remain, so they cannot read what\n"
				"is written from now on.  What they already read stays readable\n"
				"to them.  Only a lead may remove.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 2, 2, "SPACE MEMBER")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((rc = space_arg(cli, s, argv[optind], &space)) != 0 ||
	    (rc = member_arg(cli, s, &space, argv[optind + 1], &member)) != 0)
		return rc;
	if ((st = hearth_space_remove(s, &space, &member)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if (hearth_space_state_get(s, &space, &sp) == HEARTH_OK && sp->current != NULL)
		number = sp->current->number;
	hearth_space_state_free(sp);
	hearth_id_to_hex(&member, hex);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:I}", "removed", hex,
						     "epoch", (json_int_t)number));
	printf(_("Removed member %s; the space's new epoch is %llu.\n"), hex,
	       (unsigned long long)number);
	printf("%s\n", _("What they already read stays readable to them; nothing written "
			 "from now on is."));
	return CLI_EXIT_OK;
}

static const struct cli_subcommand space_subs[] = {
	{"create", N_("create a space with you as its lead"), space_create},
	{"list", N_("list the spaces this vault is a member of"), space_list},
	{"members", N_("list a space's members"), space_members},
	{"name", N_("give your name to a space's other members"), space_name},
	{"invite", N_("print a one-time invitation code"), space_invite},
	{"join", N_("answer an invitation code with a join request"), space_join},
	{"approve", N_("admit the person of a join request"), space_approve},
	{"role", N_("make a member a lead or a counsellor"), space_role},
	{"overview", N_("a lead's picture of the team spaces it leads"), space_overview},
	{"remove", N_("remove a member and start a new epoch"), space_remove},
	{"move", N_("move a person's whole case into a space"), cli_space_move},
};

static const struct cli_group space_group = {
	.name = "space",
	.head = N_("Usage: hearth space SUBCOMMAND\n"
		   "Spaces (a team's shared caseload), their members and invitations.\n"
		   "\n"
		   "Subcommands:\n"),
	.width = 10,
	.subs = space_subs,
	.nsubs = CLI_COUNT(space_subs),
};

int cmd_space(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &space_group, argc, argv);
}
