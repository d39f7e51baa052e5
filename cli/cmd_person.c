/*
 * cli/cmd_person.c - `hearth person`: the people a service works with.
 *
 *   person add|list|show|edit|delete
 *   person risk ID low|moderate|high [--reason TEXT]
 *   person case ID open|followup|closed
 *   person counsellor ID NAME
 *
 * A person is a record of kind "person" with text fields name, unit,
 * phone, tags and note (see hearth/casework.h), written by the core's
 * hearth_person_* verbs; this file parses, checks the options (so bad
 * input opens nothing) and prints.  `person show` prints a safety action
 * still to record (cmd_screen.c), the person's fields, risk level, case
 * state and counsellor, and the timeline of everything recorded about
 * them; `person show` and `person list --json` print every field a person
 * has.  The rules (the safety rule on lowering a risk or closing a case)
 * are in the core.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hearth/caseload.h"
#include "hearth/spaces.h"

#define KIND "person"

/* The fields this file edits, in display order. */
struct person_field {
	const char *name;
	const char *label; /* N_() marked */
};

static const struct person_field person_fields[] = {
	{"name", N_("Name")},
	{"unit", N_("Unit")},
	{"phone", N_("Phone")},
	{"tags", N_("Tags")},
	{"note", N_("Note")},
};
#define N_PERSON_FIELDS (sizeof person_fields / sizeof person_fields[0])

/* ---- tags: a JSON array of strings in field "tags" ------------------- */

/* The tags of a stored value as a new JSON array, or NULL when out of
 * memory. */
static json_t *tags_json(const char *value)
{
	hearth_tags *tags = NULL;
	json_t *a = NULL;
	size_t i;

	if (hearth_person_tags(value, &tags) != HEARTH_OK)
		return NULL;
	a = json_array();
	for (i = 0; a != NULL && i < tags->n; i++)
		if (json_array_append_new(a, json_string(tags->v[i])) != 0) {
			json_decref(a);
			a = NULL;
		}
	hearth_tags_free(tags);
	return a;
}

/* Tags joined for display, malloc'd ("" for none), or NULL when out of
 * memory. */
static char *tags_join(const char *value)
{
	hearth_tags *tags = NULL;
	const char *sep = _(", ");
	size_t i, n = 1;
	char *out;

	if (hearth_person_tags(value, &tags) != HEARTH_OK)
		return NULL;
	for (i = 0; i < tags->n; i++)
		n += strlen(tags->v[i]) + strlen(sep);
	out = malloc(n);
	if (out != NULL) {
		out[0] = '\0';
		for (i = 0; i < tags->n; i++) {
			if (i > 0)
				strcat(out, sep);
			strcat(out, tags->v[i]);
		}
	}
	hearth_tags_free(tags);
	return out;
}

/* ---- person as JSON and text --------------------------------------- */

/* The space a person lives in, as shown: its id, its name when this vault
 * knows it, and whether it is the vault's private space. */
struct space_shown {
	char hex[HEARTH_ID_HEX + 1];
	const char *name; /* NULL: private, or not known here */
	int private_space;
};

static void space_of(hearth_store *s, const hearth_space_names *names,
		     const hearth_record *r, struct space_shown *out)
{
	hearth_id priv = hearth_store_private_space(s);

	cli_id_hex(&r->space, out->hex);
	out->private_space = hearth_id_equal(&r->space, &priv);
	out->name = out->private_space ? NULL : hearth_space_names_get(names, &r->space);
}

/* {"id", "space": {"id", "name", "private"}, "created_ms", then each
 * field: tags as an array, others as strings}.  New reference or NULL. */
static json_t *person_json(const hearth_record *r, const struct space_shown *sp)
{
	char hex[HEARTH_ID_HEX + 1];
	json_t *o = json_object();
	int bad = (o == NULL);
	size_t i;

	if (bad)
		return NULL;
	bad |= json_object_set_new(o, "id", json_string(cli_id_hex(&r->id, hex)));
	bad |= json_object_set_new(o, "space", json_pack("{s:s, s:s?, s:b}", "id", sp->hex,
							 "name", sp->name, "private",
							 sp->private_space));
	/* Known fields first, in display order, then whatever else. */
	for (i = 0; i < N_PERSON_FIELDS; i++) {
		const char *v = hearth_record_field(r, person_fields[i].name);

		if (strcmp(person_fields[i].name, "tags") == 0)
			bad |= json_object_set_new(o, "tags", tags_json(v));
		else if (v != NULL)
			bad |= json_object_set_new(o, person_fields[i].name, json_string(v));
	}
	/* Reserved fields ("_deleted") are the store's, not the person's. */
	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].name[0] != '_' &&
		    json_object_get(o, r->fields[i].name) == NULL)
			bad |= json_object_set_new(o, r->fields[i].name,
						   json_string(r->fields[i].value));
	bad |= json_object_set_new(o, "created_ms",
				   json_integer((json_int_t)hearth_hlc_ms(&r->created)));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The "label: value" lines of `person show`. */
static int person_print(const hearth_record *r, const struct space_shown *sp)
{
	char hex[HEARTH_ID_HEX + 1], when[32], space[256];
	struct cli_table *t = cli_kv_new();
	char *tags = NULL;
	size_t i;
	int bad = (t == NULL);

	if (bad)
		goto out;
	bad |= cli_kv_add(t, _("ID"), cli_id_hex(&r->id, hex));
	if (sp->private_space)
		snprintf(space, sizeof space, "%s", _("private (this vault's own)"));
	else if (sp->name != NULL)
		snprintf(space, sizeof space, "%s (%.8s)", sp->name, sp->hex);
	else
		snprintf(space, sizeof space, _("%.8s (not readable here)"), sp->hex);
	bad |= cli_kv_add(t, _("In space"), space);
	for (i = 0; i < N_PERSON_FIELDS; i++) {
		const char *v = hearth_record_field(r, person_fields[i].name);

		if (strcmp(person_fields[i].name, "tags") == 0) {
			tags = tags_join(v);
			bad |= (tags == NULL);
			v = tags;
		}
		bad |= cli_kv_add(t, _(person_fields[i].label), v);
	}
	bad |= cli_kv_add(t, _("Added"), cli_format_ms(hearth_hlc_ms(&r->created), when));
	if (!bad)
		cli_table_print(t, stdout);
out:
	free(tags);
	cli_table_free(t);
	return bad ? -1 : 0;
}

/* ---- search ----------------------------------------------------------- */

static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Substring test, case-insensitive for ASCII letters only; other bytes
 * (Chinese text) must match exactly.  Byte-wise matching is safe for
 * UTF-8: a valid needle cannot match in the middle of a character. */
static int contains_ci(const char *hay, const char *needle)
{
	size_t i, n = strlen(needle);

	if (hay == NULL)
		return 0;
	for (; *hay != '\0'; hay++) {
		for (i = 0; i < n && hay[i] != '\0'; i++)
			if (ascii_lower(hay[i]) != ascii_lower(needle[i]))
				break;
		if (i == n)
			return 1;
	}
	return n == 0;
}

/* 1 if a field of r holds needle, 0 if none does, -1 when out of memory. */
static int person_matches(const hearth_record *r, const char *needle)
{
	static const char *const plain[] = {"name", "unit", "phone", "note"};
	hearth_tags *tags = NULL;
	size_t i;
	int hit = 0;

	for (i = 0; i < sizeof plain / sizeof plain[0]; i++)
		if (contains_ci(hearth_record_field(r, plain[i]), needle))
			return 1;
	if (hearth_person_tags(hearth_record_field(r, "tags"), &tags) != HEARTH_OK)
		return -1;
	for (i = 0; i < tags->n && !hit; i++)
		hit = contains_ci(tags->v[i], needle);
	hearth_tags_free(tags);
	return hit;
}

/* ---- subcommands ------------------------------------------------------ */

enum {
	OPT_NAME = 0x100, OPT_UNIT, OPT_PHONE, OPT_TAG, OPT_NOTE, OPT_CLEAR_TAGS,
	OPT_SEARCH, OPT_REASON, OPT_SPACE
};

/* Parses the field options of add and edit into f (tags point into argv;
 * --clear-tags sets replace_tags, so the --tag values given replace the
 * person's tags; --space, add only, goes to *space).  Returns 0,
 * CLI_EXIT_USAGE, or -1 after printing help. */
static int parse_fields(struct hearth_cli *cli, int argc, char **argv,
			hearth_person_fields *f, const char **tags, int is_edit,
			const char **space, const char *help)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, OPT_NAME},
		{"unit", required_argument, NULL, OPT_UNIT},
		{"phone", required_argument, NULL, OPT_PHONE},
		{"tag", required_argument, NULL, OPT_TAG},
		{"note", required_argument, NULL, OPT_NOTE},
		{"clear-tags", no_argument, NULL, OPT_CLEAR_TAGS},
		{"space", required_argument, NULL, OPT_SPACE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *opt = NULL;
	const char **slot = NULL;
	int c, rc;

	f->tags = tags;
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_NAME:
			opt = "--name";
			slot = &f->name;
			break;
		case OPT_UNIT:
			opt = "--unit";
			slot = &f->unit;
			break;
		case OPT_PHONE:
			opt = "--phone";
			slot = &f->phone;
			break;
		case OPT_NOTE:
			opt = "--note";
			slot = &f->note;
			break;
		case OPT_TAG:
			if ((rc = cli_check_text(cli, "--tag", optarg)) != 0)
				return rc;
			if (optarg[0] == '\0')
				return cli_usage(cli, "%s", _("a tag cannot be empty"));
			tags[f->ntags++] = optarg;
			continue;
		case OPT_CLEAR_TAGS:
			if (!is_edit)
				return cli_usage(cli, _("unknown option '%s'"), "--clear-tags");
			f->replace_tags = 1;
			continue;
		case OPT_SPACE:
			/* A person changes space only by a move, which copies. */
			if (is_edit)
				return cli_usage(cli, _("a person changes space only by "
							"'hearth space move %s SPACE'"), _("ID"));
			if (optarg[0] == '\0')
				return cli_usage(cli, "%s", _("--space needs a space's name or id"));
			*space = optarg;
			continue;
		case 'h':
			cli_help(cli, help);
			return -1;
		default:
			return CLI_EXIT_USAGE;
		}
		if ((rc = cli_check_text(cli, opt, optarg)) != 0)
			return rc;
		*slot = optarg;
	}
	if (f->name != NULL && f->name[0] == '\0')
		return cli_usage(cli, "%s", _("the name cannot be empty"));
	return 0;
}

/* `person add` and `person edit`: the same options, then the core's add
 * or update. */
static int person_save(struct hearth_cli *cli, int argc, char **argv, int is_edit)
{
	hearth_person_fields f;
	char hex[HEARTH_ID_HEX + 1];
	const char **tags, *space_text = NULL;
	hearth_store *s;
	hearth_status st;
	hearth_id id, space;
	int rc;

	cli_set_command(cli, is_edit ? "person edit" : "person add");
	memset(&f, 0, sizeof f);
	tags = calloc((size_t)argc + 1, sizeof *tags);
	if (tags == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	rc = parse_fields(cli, argc, argv, &f, tags, is_edit, &space_text, is_edit ? _(
		"Usage: hearth person edit ID [--name NAME] [--unit UNIT] [--phone PHONE]\n"
		"                         [--tag TAG]... [--clear-tags] [--note TEXT]\n"
		"Change some of a person's fields; the others stay as they are.\n"
		"An empty value (--unit \"\") clears a field; the name cannot be cleared.\n"
		"\n"
		"Options:\n"
		"  --name NAME     new name or pseudonym\n"
		"  --unit UNIT     new work unit\n"
		"  --phone PHONE   new contact number\n"
		"  --tag TAG       add a tag; repeat for more\n"
		"  --clear-tags    remove all tags (before adding any --tag)\n"
		"  --note TEXT     new note\n"
		"  -h, --help      show this help and exit\n") : _(
		"Usage: hearth person add --name NAME [--unit UNIT] [--phone PHONE]\n"
		"                         [--tag TAG]... [--note TEXT] [--space SPACE]\n"
		"Add a person and print the new id.  Everything recorded about them\n"
		"later lives in the same space as they do.\n"
		"\n"
		"Options:\n"
		"  --name NAME     name or pseudonym (required)\n"
		"  --unit UNIT     work unit\n"
		"  --phone PHONE   contact number\n"
		"  --tag TAG       a tag such as a trade; repeat for more\n"
		"  --note TEXT     a note\n"
		"  --space SPACE   a team space this vault is a member of (its name or\n"
		"                  id), so the team shares the case; default: this\n"
		"                  vault's private space\n"
		"  --json          print {\"id\": ...}\n"
		"  -h, --help      show this help and exit\n"));
	if (rc != 0)
		goto out;
	if ((rc = cli_operands(cli, argc, argv, is_edit, is_edit, is_edit ? _("ID") : "")) != 0)
		goto out;
	if (!is_edit && f.name == NULL) {
		rc = cli_usage(cli, "%s", _("missing --name"));
		goto out;
	}
	if (is_edit && f.name == NULL && f.unit == NULL && f.phone == NULL &&
	    f.note == NULL && f.ntags == 0 && !f.replace_tags) {
		rc = cli_usage(cli, "%s", _("nothing to change: give at least one field option"));
		goto out;
	}
	if (is_edit && (rc = cli_resolve(cli, KIND, argv[optind], &id)) != 0)
		goto out;
	if ((rc = cli_open_store(cli, &s)) != 0)
		goto out;
	if (space_text != NULL && (st = hearth_space_resolve(s, space_text, &space)) != HEARTH_OK) {
		rc = cli_error_status(cli, st);
		goto out;
	}
	st = is_edit ? hearth_person_update(s, &id, &f) :
	     hearth_person_add_in(s, space_text != NULL ? &space : NULL, &f, &id);
	if (st != HEARTH_OK) {
		rc = cli_error_status(cli, st);
		goto out;
	}
	if (cli->json)
		rc = cli_json_print(cli, json_pack("{s:s}", "id", cli_id_hex(&id, hex)));
	else if (is_edit)
		printf(_("Updated %s.\n"), cli_id_hex(&id, hex));
	else
		printf("%s\n", cli_id_hex(&id, hex));
out:
	free(tags);
	return rc < 0 ? CLI_EXIT_OK : rc;
}

static int person_add(struct hearth_cli *cli, int argc, char **argv)
{
	return person_save(cli, argc, argv, 0);
}

static int person_edit(struct hearth_cli *cli, int argc, char **argv)
{
	return person_save(cli, argc, argv, 1);
}

struct list_ctx {
	hearth_store *s;
	hearth_space_names *names; /* json */
	const char *search;
	struct cli_table *table; /* text */
	json_t *array;           /* json */
	size_t n;
	int failed;
};

static int list_one(const hearth_record *r, void *p)
{
	struct list_ctx *ctx = p;
	char shortid[9];
	char *tags;
	const char *cells[4];

	if (ctx->search != NULL) {
		int hit = person_matches(r, ctx->search);

		if (hit < 0)
			ctx->failed = 1;
		if (hit <= 0)
			return ctx->failed;
	}
	ctx->n++;
	if (ctx->array != NULL) {
		struct space_shown sp;

		space_of(ctx->s, ctx->names, r, &sp);
		if (json_array_append_new(ctx->array, person_json(r, &sp)) != 0)
			ctx->failed = 1;
		return ctx->failed;
	}
	tags = tags_join(hearth_record_field(r, "tags"));
	cells[0] = cli_id_short(&r->id, shortid);
	cells[1] = hearth_record_field(r, "name");
	cells[2] = hearth_record_field(r, "unit");
	cells[3] = tags;
	if (tags == NULL || cli_table_add(ctx->table, cells) != 0)
		ctx->failed = 1;
	free(tags);
	return ctx->failed;
}

static int person_list(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"search", required_argument, NULL, OPT_SEARCH},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct list_ctx ctx;
	const char *header[4];
	hearth_store *s;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "person list");
	memset(&ctx, 0, sizeof ctx);
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_SEARCH:
			if ((rc = cli_check_text(cli, "--search", optarg)) != 0)
				return rc;
			ctx.search = optarg;
			break;
		case 'h':
			return cli_help(cli, _(
				"Usage: hearth person list [--search TEXT]\n"
				"List people: short id, name, unit and tags.\n"
				"\n"
				"Options:\n"
				"  --search TEXT   only people whose name, unit, phone, tags or note\n"
				"                  contain TEXT (ignoring case of Latin letters)\n"
				"  --json          print every field and the full ids\n"
				"  -h, --help      show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;

	ctx.s = s;
	if (cli->json) {
		if ((st = hearth_space_names_load(s, &ctx.names)) != HEARTH_OK) {
			rc = cli_error_status(cli, st);
			goto out;
		}
		ctx.array = json_array();
	} else {
		header[0] = _("ID");
		header[1] = _("Name");
		header[2] = _("Unit");
		header[3] = _("Tags");
		ctx.table = cli_table_new(4, header);
	}
	if (ctx.array == NULL && ctx.table == NULL) {
		rc = cli_error(cli, "%s", _("out of memory"));
		goto out;
	}
	st = hearth_store_each(s, KIND, 0, list_one, &ctx);
	if (st != HEARTH_OK) {
		rc = cli_error_status(cli, st);
		goto out;
	}
	if (ctx.failed) {
		rc = cli_error(cli, "%s", _("out of memory"));
		goto out;
	}
	if (cli->json) {
		rc = cli_json_print(cli, ctx.array);
		ctx.array = NULL;
	} else if (ctx.n == 0) {
		if (ctx.search != NULL)
			printf(_("No one matches '%s'.\n"), ctx.search);
		else
			printf("%s\n", _("No people yet.  Add one with 'hearth person add --name NAME'."));
	} else {
		cli_table_print(ctx.table, stdout);
	}
out:
	hearth_space_names_free(ctx.names);
	json_decref(ctx.array);
	cli_table_free(ctx.table);
	return rc;
}

static const char *case_text(const char *c)
{
	hearth_case_state v;

	/* The core's one label of the code; a code it does not know is
	 * shown as stored. */
	return hearth_case_state_parse(c, &v) == HEARTH_OK ? hearth_case_state_label(v) : c;
}

/* ---- the rest of `person show` ------------------------------------------ */

/* ---- texts written on two devices at once -------------------------- */

struct conflict_out {
	json_t *list;         /* --json: the array */
	struct cli_table *kv; /* otherwise: "Field: text" lines */
	int n, bad;
};

static const char *field_label(const char *name)
{
	size_t i;

	for (i = 0; i < N_PERSON_FIELDS; i++)
		if (strcmp(person_fields[i].name, name) == 0)
			return _(person_fields[i].label);
	return name;
}

static int conflict_line(const char *field, const char *value, void *ctx)
{
	struct conflict_out *c = ctx;

	if (c->list != NULL) {
		json_t *o = json_pack("{s:s, s:s?}", "field", field, "value", value);

		c->bad |= o == NULL || json_array_append_new(c->list, o) != 0;
	} else {
		c->bad |= cli_kv_add(c->kv, field_label(field),
				     value != NULL ? value : _("(cleared)"));
	}
	c->n++;
	return c->bad;
}

/* The other texts of fields edited on two devices before they synced:
 * nothing is lost, and the counsellor sees both until one is chosen. */
static int show_conflicts(struct hearth_cli *cli, hearth_store *s,
			  const hearth_record *person, json_t *json)
{
	struct conflict_out c = { NULL, NULL, 0, 0 };
	hearth_status st;
	int rc = 0;

	if (json != NULL)
		c.list = json_array();
	else
		c.kv = cli_kv_new();
	if (c.list == NULL && c.kv == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	st = hearth_person_conflicts(s, &person->id, conflict_line, &c);
	if (st != HEARTH_OK)
		rc = cli_error_status(cli, st);
	else if (c.bad)
		rc = cli_error(cli, "%s", _("out of memory"));
	else if (c.n > 0 && c.list != NULL) {
		/* Only when there are some: the object is unchanged otherwise. */
		if (json_object_set(json, "conflicts", c.list) != 0)
			rc = cli_error(cli, "%s", _("out of memory"));
	} else if (c.n > 0) {
		printf("\n%s\n", _("Also written on another device at the same time "
			"(edit the field to keep one text):"));
		cli_table_print(c.kv, stdout);
	}
	json_decref(c.list);
	cli_table_free(c.kv);
	return rc;
}

/* Risk level, case state and counsellor, under the person's own fields
 * (in --json they are among the person's fields already). */
static int show_case(struct hearth_cli *cli, const hearth_record *person, json_t *json)
{
	const char *risk = hearth_record_field(person, "risk");
	const char *state = hearth_record_field(person, "case");
	const char *counsellor = hearth_record_field(person, "counsellor");
	struct cli_table *t;
	int bad;

	if (json != NULL)
		return CLI_EXIT_OK;
	t = cli_kv_new();
	if (t == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	bad = cli_kv_add(t, _("Risk"), risk && risk[0] ? cli_risk_text(risk) :
				      hearth_risk_label(HEARTH_RISK_NONE));
	bad |= cli_kv_add(t, _("Case"), case_text(state ? state : "open"));
	bad |= cli_kv_add(t, _("Counsellor"), counsellor);
	if (!bad)
		cli_table_print(t, stdout);
	cli_table_free(t);
	return bad ? cli_error(cli, "%s", _("out of memory")) : CLI_EXIT_OK;
}

static const char *kind_text(const char *kind)
{
	static const struct cli_word words[] = {
		{"screening", N_("screening")},
		{"appointment", N_("appointment")},
		{"note", N_("note")},
		{"amendment", N_("amendment")},
		{"followup", N_("follow-up")},
		{"activity", N_("activity")},
		/* TRANSLATORS: a journal entry the employee chose to share
		 * with this counsellor, on that person's timeline. */
		{"shared", N_("shared by the employee")},
	};

	return cli_word(words, CLI_COUNT(words), kind);
}

/* A timeline item's status in the user's language: the words of the
 * group that keeps that kind (an unknown kind's status as stored). */
static const char *item_status_text(const char *kind, const char *status)
{
	static const struct {
		const char *kind;
		const char *(*text)(const char *status);
	} words[] = {
		{"followup", cli_followup_status_text},
		{"appointment", cli_appt_status_text},
		{"note", cli_note_format_text},
		{"amendment", cli_note_format_text},
		{"activity", cli_activity_type_text},
	};
	size_t i;

	for (i = 0; i < CLI_COUNT(words); i++)
		if (strcmp(kind, words[i].kind) == 0)
			return words[i].text(status);
	return status;
}

/* "50 min, in person, Room 2, Li" in the user's language. */
static void appt_summary(const hearth_record *r, char *buf, size_t len)
{
	const char *mode = hearth_record_field(r, "mode");
	const char *place = hearth_record_field(r, "place");
	const char *who = hearth_record_field(r, "counsellor");
	const char *minutes = hearth_record_field(r, "minutes");
	size_t n;

	n = (size_t)snprintf(buf, len, _("%s min"), minutes ? minutes : "50");
	if (mode != NULL && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", _(", "), cli_appt_mode_text(mode));
	if (place != NULL && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", _(", "), place);
	if (who != NULL && n < len)
		snprintf(buf + n, len - n, "%s%s", _(", "), who);
}

/* "phq9, 6, safety" with the flags in the user's language. */
static void screening_summary(const hearth_record *r, char *buf, size_t len)
{
	const char *iid = hearth_record_field(r, "instrument");
	const char *score = hearth_record_field(r, "display");
	const char *flags = hearth_record_field(r, "flags");
	json_t *a = flags != NULL ? json_loads(flags, 0, NULL) : NULL;
	json_t *e;
	size_t i, n;

	if (score == NULL)
		score = hearth_record_field(r, "total");
	n = (size_t)snprintf(buf, len, "%s", iid != NULL ? iid : "");
	if (score != NULL && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", _(", "), score);
	json_array_foreach(a, i, e) {
		const char *f = json_string_value(e);

		if (f == NULL || n >= len)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", _(", "),
				      strcmp(f, HEARTH_FLAG_SAFETY) == 0 ? _("safety") : f);
	}
	json_decref(a);
}

/* The person's timeline (screenings, appointments, notes, follow-ups,
 * activities): a table at the end of the text, "timeline" in --json. */
static int show_timeline(struct hearth_cli *cli, hearth_store *s,
			 const hearth_record *person, json_t *json)
{
	hearth_timeline *t = NULL;
	hearth_status st;
	size_t i;
	int rc = CLI_EXIT_OK;

	st = hearth_person_timeline(s, &person->id, &t);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (json != NULL) {
		json_t *a = json_array();
		char hex[HEARTH_ID_HEX + 1];

		for (i = 0; a != NULL && i < t->n; i++) {
			const hearth_timeline_item *it = &t->items[i];

			if (json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s}",
					"when", it->when, "kind", it->kind,
					"id", cli_id_hex(&it->id, hex), "status", it->status,
					"summary", it->summary)) != 0) {
				json_decref(a);
				a = NULL;
			}
		}
		if (a == NULL || json_object_set_new(json, "timeline", a) != 0)
			rc = cli_error(cli, "%s", _("out of memory"));
	} else {
		printf("\n%s\n", _("Timeline:"));
		if (t->n == 0) {
			printf("  %s\n", _("nothing yet"));
		} else {
			struct cli_table *tab = cli_table_new(5, NULL);
			/* A screening's band as its instrument file words it
			 * (e.g. "Mild symptoms (5-9)"); as stored when the
			 * instrument is not installed here or memory ran out. */
			hearth_band_labels *bands = NULL;

			if (hearth_band_labels_new(cli_lang(cli), &bands) != HEARTH_OK)
				hearth_errdetail_clear();

			for (i = 0; tab != NULL && i < t->n; i++) {
				const hearth_timeline_item *it = &t->items[i];
				char shortid[9], reason[512], ind[24];
				const char *cells[5];

				snprintf(ind, sizeof ind, "  %s", it->when);
				/* A follow-up's summary is its reason as shown. */
				if (strcmp(it->kind, "appointment") == 0 && it->record) {
					appt_summary(it->record, reason, sizeof reason);
					cells[4] = reason;
				} else if (it->record && (strcmp(it->kind, "screening") == 0 ||
					   (strcmp(it->kind, "shared") == 0 &&
					    hearth_record_field(it->record, "instrument") != NULL))) {
					/* A shared self-screening reads as a screening. */
					screening_summary(it->record, reason, sizeof reason);
					cells[4] = reason;
				} else {
					cells[4] = it->summary;
				}
				cells[0] = ind;
				cells[1] = kind_text(it->kind);
				cells[2] = cli_id_short(&it->id, shortid);
				cells[3] = item_status_text(it->kind, it->status);
				if ((strcmp(it->kind, "screening") == 0 ||
				     strcmp(it->kind, "shared") == 0) && it->record)
					cells[3] = hearth_band_labels_get(bands,
						hearth_record_field(it->record, "instrument"),
						it->status);
				if (cli_table_add(tab, cells) != 0) {
					cli_table_free(tab);
					tab = NULL;
				}
			}
			hearth_band_labels_free(bands);
			if (tab == NULL) {
				rc = cli_error(cli, "%s", _("out of memory"));
			} else {
				cli_table_print(tab, stdout);
				cli_table_free(tab);
			}
		}
	}
	hearth_timeline_free(t);
	return rc;
}

/* Parses "SUB [--help] ID" for show and delete, resolves ID into *id and
 * opens the store.  Returns 0, an exit code, or -1 after printing help. */
static int parse_id_only(struct hearth_cli *cli, int argc, char **argv,
			 const char *help, hearth_id *id, hearth_store **s)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h') {
			cli_help(cli, help);
			return -1;
		}
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("ID"))) != 0)
		return rc;
	if ((rc = cli_resolve(cli, KIND, argv[optind], id)) != 0)
		return rc;
	return cli_open_store(cli, s);
}

static int person_show(struct hearth_cli *cli, int argc, char **argv)
{
	hearth_space_names *names = NULL;
	struct space_shown sp;
	hearth_record *r = NULL;
	json_t *o = NULL;
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	int rc;

	cli_set_command(cli, "person show");
	rc = parse_id_only(cli, argc, argv, _(
		"Usage: hearth person show ID\n"
		"Show everything about a person.  ID is the full id or its first six\n"
		"or more hex digits.\n"
		"\n"
		"Options:\n"
		"  --json       print the person as a JSON object\n"
		"  -h, --help   show this help and exit\n"), &id, &s);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	/* Looking at a person is audited (person.show) by the core. */
	if ((st = hearth_person_show(s, &id, &r)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if ((st = hearth_space_names_load(s, &names)) != HEARTH_OK) {
		rc = cli_error_status(cli, st);
		goto out;
	}
	space_of(s, names, r, &sp);
	if (cli->json && (o = person_json(r, &sp)) == NULL) {
		rc = cli_error(cli, "%s", _("out of memory"));
		goto out;
	}
	/* A safety action still to record goes first, above everything. */
	if ((rc = cli_pending_actions_show(cli, s, &id, o)) != 0)
		goto out;
	if (!cli->json && person_print(r, &sp) != 0) {
		rc = cli_error(cli, "%s", _("out of memory"));
		goto out;
	}
	if ((rc = show_conflicts(cli, s, r, o)) != 0 ||
	    (rc = show_case(cli, r, o)) != 0 || (rc = show_timeline(cli, s, r, o)) != 0)
		goto out;
	if (o != NULL) {
		rc = cli_json_print(cli, o);
		o = NULL;
	}
out:
	hearth_space_names_free(names);
	json_decref(o);
	hearth_record_free(r);
	return rc;
}

static int person_delete(struct hearth_cli *cli, int argc, char **argv)
{
	char hex[HEARTH_ID_HEX + 1];
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	int rc;

	cli_set_command(cli, "person delete");
	rc = parse_id_only(cli, argc, argv, _(
		"Usage: hearth person delete ID\n"
		"Delete a person.  The deletion reaches other devices when they sync.\n"
		"\n"
		"Options:\n"
		"  --json       print {\"id\": ..., \"deleted\": true}\n"
		"  -h, --help   show this help and exit\n"), &id, &s);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if ((st = hearth_person_delete(s, &id)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:b}", "id", cli_id_hex(&id, hex),
						     "deleted", 1));
	printf(_("Deleted %s.\n"), cli_id_hex(&id, hex));
	return CLI_EXIT_OK;
}

/* An erasure request.  Cannot be undone, so it asks for --yes; a deleted
 * person can be erased by their full id (prefixes find live people only). */
static int person_erase(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"yes", no_argument, NULL, 'y'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char hex[HEARTH_ID_HEX + 1];
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	size_t n = 0;
	int c, rc, yes = 0;

	cli_set_command(cli, "person erase");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'y') {
			yes = 1;
			continue;
		}
		if (c == 'h') {
			cli_help(cli, _(
				"Usage: hearth person erase ID --yes\n"
				"Erase a person and every record about them (screenings, notes,\n"
				"follow-ups, appointments, one-to-one activities), for a request to\n"
				"erase their data.  Their text leaves this vault at once and every\n"
				"other device when it syncs; only the ids and the fact of the erasure\n"
				"stay.  This cannot be undone.  A deleted person is erased by their\n"
				"full id.\n"
				"\n"
				"Options:\n"
				"  --yes        erase (required: there is no undo)\n"
				"  --json       print {\"id\": ..., \"erased\": true, \"records\": N}\n"
				"  -h, --help   show this help and exit\n"));
			return CLI_EXIT_OK;
		}
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("ID"))) != 0)
		return rc;
	if (!yes)
		return cli_usage(cli, "%s", _("erasing cannot be undone: add --yes to erase"));
	if ((rc = cli_resolve_full(cli, KIND, argv[optind], &id)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_person_purge(s, &id, &n)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:b, s:I}", "id",
			cli_id_hex(&id, hex), "erased", 1, "records", (json_int_t)n));
	printf(_("Erased %s: %zu records, the person's own included.\n"),
	       cli_id_hex(&id, hex), n);
	return CLI_EXIT_OK;
}

/* ---- person risk / case / counsellor ----------------------------------- */

/* One of the "person SUB ID VALUE" subcommands: they parse, check, call
 * the core's setter and report alike, and differ only in these. */
struct person_setting {
	const char *command;  /* "person risk" */
	const char *help;     /* N_() marked */
	const char *operands; /* N_() marked: "ID LEVEL" */
	/* The values allowed (invalid: N_() marked, names the value), or NULL
	 * for one line of free text. */
	int (*valid)(const char *value);
	const char *invalid;
	int takes_reason;     /* --reason TEXT is an option */
	hearth_status (*set)(hearth_store *s, const hearth_id *id,
			     const char *value, const char *reason);
	/* N_() marked, or NULL: the message when the core refuses
	 * (HEARTH_ESTATE) because of an open safety follow-up; it names the
	 * person, the follow-up and its due date. */
	const char *blocked;
	const char *key;      /* the JSON member holding the value */
	const char *done;     /* N_() marked: names the person and the value */
	const char *(*text)(const char *value); /* the value as shown; NULL: as is */
};

/* "person SUB ID VALUE" (argv[0] is SUB): parses, resolves; *value gets
 * VALUE, and *reason the --reason option when p takes one.  Returns 0, an
 * exit code, or -1 after printing help. */
static int person_id_value(struct hearth_cli *cli, const struct person_setting *p,
			   int argc, char **argv, hearth_id *id, const char **value,
			   const char **reason)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const struct option reason_opts[] = {
		{"reason", required_argument, NULL, OPT_REASON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	while ((c = cli_getopt(cli, argc, argv, "h", p->takes_reason ? reason_opts : opts)) != -1) {
		if (c == 'h') {
			cli_help(cli, _(p->help));
			return -1;
		}
		if (c == OPT_REASON && p->takes_reason) {
			if ((rc = cli_check_text(cli, "--reason", optarg)) != 0)
				return rc;
			if (strpbrk(optarg, "\r\n") != NULL)
				return cli_usage(cli, _("%s must be one line"), "--reason");
			if (strspn(optarg, " \t") == strlen(optarg))
				return cli_usage(cli, "%s", _("--reason cannot be empty"));
			*reason = optarg;
			continue;
		}
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 2, 2, _(p->operands))) != 0)
		return rc;
	*value = argv[optind + 1];
	if (p->valid != NULL && !p->valid(*value))
		return cli_usage(cli, _(p->invalid), *value);
	if (p->valid == NULL) {
		if ((rc = cli_check_text(cli, "NAME", *value)) != 0)
			return rc;
		if (strpbrk(*value, "\r\n") != NULL)
			return cli_usage(cli, _("%s must be one line"), "NAME");
	}
	return cli_resolve(cli, "person", argv[optind], id);
}

/* The person's first pending safety follow-up in list order (safety ones
 * come first), for a message that names it; 0 if none could be read. */
static int first_safety(hearth_store *s, const hearth_id *person, hearth_id *fid,
			char due[HEARTH_DATE_LEN + 1])
{
	char today[HEARTH_DATE_LEN + 1];
	hearth_followups *l = NULL;
	int found = 0;

	if (hearth_today(NULL, today) == HEARTH_OK &&
	    hearth_followup_list(s, HEARTH_FOLLOWUPS_PENDING, person, today, &l) == HEARTH_OK &&
	    l->n > 0 && l->items[0].safety) {
		*fid = l->items[0].id;
		memcpy(due, l->items[0].due, HEARTH_DATE_LEN + 1);
		found = 1;
	}
	hearth_followups_free(l);
	return found;
}

static int person_set(struct hearth_cli *cli, const struct person_setting *p,
		      int argc, char **argv)
{
	char hex[HEARTH_ID_HEX + 1], shortid[9], fshort[9], due[HEARTH_DATE_LEN + 1];
	const char *value = NULL, *reason = NULL;
	hearth_store *s;
	hearth_status st;
	hearth_id id, fid;
	int rc;

	cli_set_command(cli, p->command);
	if ((rc = person_id_value(cli, p, argc, argv, &id, &value, &reason)) != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = p->set(s, &id, value, reason);
	/* Name the follow-up that stands in the way. */
	if (st == HEARTH_ESTATE && p->blocked != NULL && first_safety(s, &id, &fid, due))
		return cli_error(cli, _(p->blocked), cli_id_short(&id, shortid),
				 cli_id_short(&fid, fshort), due);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:s}", "id", cli_id_hex(&id, hex),
						     p->key, value));
	printf(_(p->done), cli_id_short(&id, shortid), p->text != NULL ? p->text(value) : value);
	return CLI_EXIT_OK;
}

static hearth_status set_risk(hearth_store *s, const hearth_id *id, const char *value,
			      const char *reason)
{
	return hearth_person_set_risk(s, id, value, reason);
}

static hearth_status set_case(hearth_store *s, const hearth_id *id, const char *value,
			      const char *reason)
{
	(void)reason;
	return hearth_person_set_case(s, id, value);
}

static hearth_status set_counsellor(hearth_store *s, const hearth_id *id,
				    const char *value, const char *reason)
{
	(void)reason;
	return hearth_person_set_counsellor(s, id, value);
}

static const struct person_setting risk_setting = {
	.command = "person risk",
	.help = N_("Usage: hearth person risk ID low|moderate|high [--reason TEXT]\n"
		   "Set a person's risk level.  Lowering it from high while a safety\n"
		   "follow-up of theirs is open needs a reason; the follow-up stays open.\n"
		   "\n"
		   "Options:\n"
		   "  --reason TEXT   why, in one line; kept in the audit log (say why,\n"
		   "                  not who)\n"
		   "  --json          print {\"id\": ..., \"risk\": ...}\n"
		   "  -h, --help      show this help and exit\n"),
	.operands = N_("ID LEVEL"),
	.valid = hearth_risk_valid,
	.invalid = N_("'%s' is not a risk level: use low, moderate or high"),
	.takes_reason = 1,
	.set = set_risk,
	.blocked = N_("person %s has an open safety follow-up %s (due %s): lowering the "
		      "risk from high needs a reason (--reason TEXT)"),
	.key = "risk",
	.done = N_("Risk level of %s is now %s.\n"),
	.text = cli_risk_text,
};

static const struct person_setting case_setting = {
	.command = "person case",
	.help = N_("Usage: hearth person case ID open|followup|closed\n"
		   "Set the state of a person's case.  A case cannot be closed while a\n"
		   "safety follow-up of the person is open, whatever their risk level.\n"
		   "\n"
		   "Options:\n"
		   "  --json       print {\"id\": ..., \"case\": ...}\n"
		   "  -h, --help   show this help and exit\n"),
	.operands = N_("ID STATE"),
	.valid = hearth_case_valid,
	.invalid = N_("'%s' is not a case state: use open, followup or closed"),
	.set = set_case,
	.blocked = N_("person %s has an open safety follow-up %s (due %s): complete it "
		      "before closing the case"),
	.key = "case",
	.done = N_("Case of %s is now %s.\n"),
	.text = case_text,
};

static const struct person_setting counsellor_setting = {
	.command = "person counsellor",
	.help = N_("Usage: hearth person counsellor ID NAME\n"
		   "Assign a counsellor to a person (\"\" clears it).\n"
		   "\n"
		   "Options:\n"
		   "  --json       print {\"id\": ..., \"counsellor\": ...}\n"
		   "  -h, --help   show this help and exit\n"),
	.operands = N_("ID NAME"),
	.set = set_counsellor,
	.key = "counsellor",
	.done = N_("Counsellor of %s is now %s.\n"),
};

static int person_risk(struct hearth_cli *cli, int argc, char **argv)
{
	return person_set(cli, &risk_setting, argc, argv);
}

static int person_case(struct hearth_cli *cli, int argc, char **argv)
{
	return person_set(cli, &case_setting, argc, argv);
}

static int person_counsellor(struct hearth_cli *cli, int argc, char **argv)
{
	return person_set(cli, &counsellor_setting, argc, argv);
}

/* ---- dispatch --------------------------------------------------------- */

static const struct cli_subcommand subs[] = {
	{"add", N_("add a person"), person_add},
	{"list", N_("list people, or search them"), person_list},
	{"show", N_("show a person"), person_show},
	{"edit", N_("change a person's fields"), person_edit},
	{"delete", N_("delete a person"), person_delete},
	{"erase", N_("erase a person and every record about them"), person_erase},
	{"risk", N_("set a person's risk level"), person_risk},
	{"case", N_("open, follow up or close a person's case"), person_case},
	{"counsellor", N_("assign a counsellor to a person"), person_counsellor},
};

static const struct cli_group group = {
	.name = "person",
	.head = N_("Usage: hearth person SUBCOMMAND [OPTIONS]\n"
		   "Keep the people the service works with.\n"
		   "\n"
		   "Subcommands:\n"),
	.tail = N_("\n"
		   "ID is a person's id or its first six or more hex digits.\n"
		   "Run 'hearth person SUBCOMMAND --help' for its options.\n"),
	.subs = subs,
	.nsubs = CLI_COUNT(subs),
};

int cmd_person(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &group, argc, argv);
}
