/*
 * cli/cmd_person.c - `hearth person`: the people a service works with.
 *
 * A person is a record of kind "person" with text fields name, unit,
 * phone, tags and note (see hearth/casework.h), written by the core's
 * hearth_person_add and hearth_person_update; this file parses, checks the
 * options (so bad input opens nothing) and prints.
 * Other groups add fields of their own (risk level, counsellor, ...);
 * `person show` and `person list --json` print every field a person has,
 * and groups add whole sections to `person show` through
 * cli_person_section_add().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

/* ---- extension registries ------------------------------------------ */

#define MAX_EXTENSIONS 16

struct section {
	const char *name;
	int order;
	cli_person_section_fn fn;
};
static struct section sections[MAX_EXTENSIONS];
static size_t n_sections;

void cli_person_section_add(const char *name, int order, cli_person_section_fn fn)
{
	size_t i;

	if (n_sections == MAX_EXTENSIONS || fn == NULL)
		return;
	/* Insertion keeps the table sorted by order, stable for ties. */
	for (i = n_sections; i > 0 && sections[i - 1].order > order; i--)
		sections[i] = sections[i - 1];
	sections[i] = (struct section){name, order, fn};
	n_sections++;
}

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

/* {"id", "created_ms", then each field: tags as an array, others as
 * strings}.  New reference or NULL. */
static json_t *person_json(const hearth_record *r)
{
	char hex[HEARTH_ID_HEX + 1];
	json_t *o = json_object();
	int bad = (o == NULL);
	size_t i;

	if (bad)
		return NULL;
	bad |= json_object_set_new(o, "id", json_string(cli_id_hex(&r->id, hex)));
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
static int person_print(const hearth_record *r)
{
	char hex[HEARTH_ID_HEX + 1], when[32];
	struct cli_table *t = cli_kv_new();
	char *tags = NULL;
	size_t i;
	int bad = (t == NULL);

	if (bad)
		goto out;
	bad |= cli_kv_add(t, _("ID"), cli_id_hex(&r->id, hex));
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
	OPT_SEARCH
};

/* Parses the field options of add and edit into f (tags point into argv;
 * --clear-tags sets replace_tags, so the --tag values given replace the
 * person's tags).  Returns 0, CLI_EXIT_USAGE, or -1 after printing help. */
static int parse_fields(struct hearth_cli *cli, int argc, char **argv,
			hearth_person_fields *f, const char **tags, int is_edit,
			const char *help)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, OPT_NAME},
		{"unit", required_argument, NULL, OPT_UNIT},
		{"phone", required_argument, NULL, OPT_PHONE},
		{"tag", required_argument, NULL, OPT_TAG},
		{"note", required_argument, NULL, OPT_NOTE},
		{"clear-tags", no_argument, NULL, OPT_CLEAR_TAGS},
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
	const char **tags;
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	int rc;

	cli_set_command(cli, is_edit ? "person edit" : "person add");
	memset(&f, 0, sizeof f);
	tags = calloc((size_t)argc + 1, sizeof *tags);
	if (tags == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	rc = parse_fields(cli, argc, argv, &f, tags, is_edit, is_edit ? _(
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
		"                         [--tag TAG]... [--note TEXT]\n"
		"Add a person and print the new id.\n"
		"\n"
		"Options:\n"
		"  --name NAME     name or pseudonym (required)\n"
		"  --unit UNIT     work unit\n"
		"  --phone PHONE   contact number\n"
		"  --tag TAG       a tag such as a trade; repeat for more\n"
		"  --note TEXT     a note\n"
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
	st = is_edit ? hearth_person_update(s, &id, &f) : hearth_person_add(s, &f, &id);
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
		if (json_array_append_new(ctx->array, person_json(r)) != 0)
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

	if (cli->json) {
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
	json_decref(ctx.array);
	cli_table_free(ctx.table);
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
	hearth_record *r = NULL;
	json_t *o = NULL;
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	size_t i;
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
	if ((st = hearth_record_load(s, &id, &r)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if ((st = hearth_audit_append(s, "person.show", &id, NULL)) != HEARTH_OK) {
		rc = cli_error_status(cli, st);
		goto out;
	}
	if (cli->json && (o = person_json(r)) == NULL) {
		rc = cli_error(cli, "%s", _("out of memory"));
		goto out;
	}
	/* Sections of negative order go above the person's fields (a safety
	 * action still to record). */
	for (i = 0; i < n_sections && sections[i].order < 0; i++)
		if ((rc = sections[i].fn(cli, s, r, o)) != 0)
			goto out;
	if (!cli->json && person_print(r) != 0) {
		rc = cli_error(cli, "%s", _("out of memory"));
		goto out;
	}
	for (; i < n_sections; i++)
		if ((rc = sections[i].fn(cli, s, r, o)) != 0)
			goto out;
	if (o != NULL) {
		rc = cli_json_print(cli, o);
		o = NULL;
	}
out:
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
	if ((st = hearth_store_begin(s)) != HEARTH_OK)
		return cli_error_status(cli, st);
	st = hearth_record_delete(s, &id);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "person.delete", &id, NULL);
	if (st == HEARTH_OK)
		st = hearth_store_commit(s);
	if (st != HEARTH_OK) {
		rc = cli_error_status(cli, st);
		hearth_store_rollback(s);
		return rc;
	}
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:b}", "id", cli_id_hex(&id, hex),
						     "deleted", 1));
	printf(_("Deleted %s.\n"), cli_id_hex(&id, hex));
	return CLI_EXIT_OK;
}

/* ---- dispatch --------------------------------------------------------- */

/* The built-in subcommands, then those other groups add (see
 * cli_person_subcommand_add). */
static struct cli_subcommand subs[5 + MAX_EXTENSIONS] = {
	{"add", N_("add a person"), person_add},
	{"list", N_("list people, or search them"), person_list},
	{"show", N_("show a person"), person_show},
	{"edit", N_("change a person's fields"), person_edit},
	{"delete", N_("delete a person"), person_delete},
};
static size_t n_subs = 5;

void cli_person_subcommand_add(const char *sub, const char *summary, cli_group_fn fn)
{
	if (n_subs == CLI_COUNT(subs) || fn == NULL)
		return;
	subs[n_subs++] = (struct cli_subcommand){sub, summary, fn};
}

int cmd_person(struct hearth_cli *cli, int argc, char **argv)
{
	const struct cli_group group = {
		.name = "person",
		.head = N_("Usage: hearth person SUBCOMMAND [OPTIONS]\n"
			   "Keep the people the service works with.\n"
			   "\n"
			   "Subcommands:\n"),
		.tail = N_("\n"
			   "ID is a person's id or its first six or more hex digits.\n"
			   "Run 'hearth person SUBCOMMAND --help' for its options.\n"),
		.subs = subs,
		.nsubs = n_subs,
	};

	return cli_dispatch(cli, &group, argc, argv);
}
