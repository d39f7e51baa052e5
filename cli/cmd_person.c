/*
 * cli/cmd_person.c - `hearth person`: the people a service works with.
 *
 * A person is a record of kind "person" with text fields:
 *   name    name or pseudonym (required, never empty)
 *   unit    work unit (车间, depot, ...)
 *   phone   contact
 *   tags    a JSON array of strings, e.g. ["货车司机","夜班"]
 *   note    free text
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

struct subcommand {
	const char *name;
	const char *summary;
	cli_group_fn fn;
};
static struct subcommand extra_subs[MAX_EXTENSIONS];
static size_t n_extra_subs;

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

void cli_person_subcommand_add(const char *sub, const char *summary, cli_group_fn fn)
{
	if (n_extra_subs == MAX_EXTENSIONS || fn == NULL)
		return;
	extra_subs[n_extra_subs++] = (struct subcommand){sub, summary, fn};
}

/* ---- tags: a JSON array of strings in field "tags" ------------------- */

/* The tags of a stored value as a new JSON array.  A value that is not a
 * JSON array (written by hand or by an older tool) counts as one tag. */
static json_t *tags_parse(const char *value)
{
	json_t *a;

	if (value == NULL || value[0] == '\0')
		return json_array();
	a = json_loads(value, JSON_DECODE_ANY, NULL);
	if (json_is_array(a)) {
		size_t i;
		json_t *t;

		json_array_foreach(a, i, t)
			if (!json_is_string(t))
				goto not_tags;
		return a;
	}
not_tags:
	json_decref(a);
	a = json_array();
	if (a != NULL && json_array_append_new(a, json_string(value)) != 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static int tags_has(json_t *tags, const char *tag)
{
	size_t i;
	json_t *t;

	json_array_foreach(tags, i, t)
		if (strcmp(json_string_value(t), tag) == 0)
			return 1;
	return 0;
}

/* Adds tag unless present.  0 or -1 (out of memory). */
static int tags_add(json_t *tags, const char *tag)
{
	if (tags_has(tags, tag))
		return 0;
	return json_array_append_new(tags, json_string(tag));
}

/* The stored form: compact JSON, UTF-8 as is; NULL for no tags (the field
 * is then cleared).  *err set on allocation failure. */
static char *tags_dump(json_t *tags, int *err)
{
	char *s;

	*err = 0;
	if (json_array_size(tags) == 0)
		return NULL;
	s = json_dumps(tags, JSON_COMPACT);
	if (s == NULL)
		*err = 1;
	return s;
}

/* Tags joined for display, malloc'd ("" for none), or NULL when out of
 * memory. */
static char *tags_join(const char *value)
{
	json_t *tags = tags_parse(value);
	const char *sep = _(", ");
	size_t i, n = 1;
	json_t *t;
	char *out;

	if (tags == NULL)
		return NULL;
	json_array_foreach(tags, i, t)
		n += strlen(json_string_value(t)) + strlen(sep);
	out = malloc(n);
	if (out != NULL) {
		out[0] = '\0';
		json_array_foreach(tags, i, t) {
			if (i > 0)
				strcat(out, sep);
			strcat(out, json_string_value(t));
		}
	}
	json_decref(tags);
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
			bad |= json_object_set_new(o, "tags", tags_parse(v));
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

static int person_matches(const hearth_record *r, const char *needle)
{
	static const char *const plain[] = {"name", "unit", "phone", "note"};
	json_t *tags, *t;
	size_t i;
	int hit = 0;

	for (i = 0; i < sizeof plain / sizeof plain[0]; i++)
		if (contains_ci(hearth_record_field(r, plain[i]), needle))
			return 1;
	tags = tags_parse(hearth_record_field(r, "tags"));
	json_array_foreach(tags, i, t)
		if (contains_ci(json_string_value(t), needle))
			hit = 1;
	json_decref(tags);
	return hit;
}

/* ---- edits shared by add and edit ------------------------------------ */

struct person_edit {
	const char *name, *unit, *phone, *note; /* NULL: leave as is */
	const char **tags;                      /* --tag values */
	size_t ntags;
	int clear_tags;
};

/* Sets field to value when it differs from the stored one; "" clears. */
static hearth_status set_if_changed(hearth_store *s, const hearth_id *id,
				    const hearth_record *old, const char *field,
				    const char *value)
{
	const char *cur = old != NULL ? hearth_record_field(old, field) : NULL;

	if (value != NULL && value[0] == '\0')
		value = NULL;
	if ((cur == NULL && value == NULL) ||
	    (cur != NULL && value != NULL && strcmp(cur, value) == 0))
		return HEARTH_OK;
	return hearth_record_set(s, id, field, value);
}

/* Writes the edit into record id (old: its current state, NULL when new)
 * inside the caller's transaction.  *changed counts the fields written. */
static hearth_status person_write(hearth_store *s, const hearth_id *id,
				  const hearth_record *old,
				  const struct person_edit *e, int *changed)
{
	hearth_status st = HEARTH_OK;
	json_t *tags = NULL;
	char *tags_value = NULL;
	const char *values[4] = {e->name, e->unit, e->phone, e->note};
	static const char *const fields[4] = {"name", "unit", "phone", "note"};
	size_t i;
	int err;

	*changed = 0;
	for (i = 0; i < 4; i++) {
		if (values[i] == NULL)
			continue;
		st = set_if_changed(s, id, old, fields[i], values[i]);
		if (st != HEARTH_OK)
			goto out;
		(*changed)++;
	}
	if (e->ntags > 0 || e->clear_tags) {
		tags = e->clear_tags ? json_array()
				     : tags_parse(old != NULL ? hearth_record_field(old, "tags") : NULL);
		if (tags == NULL) {
			st = hearth_fail(HEARTH_ENOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < e->ntags; i++)
			if (tags_add(tags, e->tags[i]) != 0) {
				st = hearth_fail(HEARTH_ENOMEM, "out of memory");
				goto out;
			}
		tags_value = tags_dump(tags, &err);
		if (err) {
			st = hearth_fail(HEARTH_ENOMEM, "out of memory");
			goto out;
		}
		st = set_if_changed(s, id, old, "tags", tags_value != NULL ? tags_value : "");
		if (st != HEARTH_OK)
			goto out;
		(*changed)++;
	}
out:
	free(tags_value);
	json_decref(tags);
	return st;
}

/* Records a change or a look at a person in the audit log (hearth/audit.h:
 * every change and every `person show` leaves an entry). */
static hearth_status person_audit(hearth_store *s, const char *action,
				  const hearth_id *id)
{
	return hearth_audit_append(s, action, id, NULL);
}

/* ---- subcommands ------------------------------------------------------ */

enum {
	OPT_NAME = 0x100, OPT_UNIT, OPT_PHONE, OPT_TAG, OPT_NOTE, OPT_CLEAR_TAGS,
	OPT_SEARCH
};

/* Parses the field options of add and edit into e (tags point into argv).
 * Returns 0, CLI_EXIT_USAGE, or -1 after printing help. */
static int parse_fields(struct hearth_cli *cli, int argc, char **argv,
			struct person_edit *e, int is_edit, const char *help)
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

	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_NAME:
			opt = "--name";
			slot = &e->name;
			break;
		case OPT_UNIT:
			opt = "--unit";
			slot = &e->unit;
			break;
		case OPT_PHONE:
			opt = "--phone";
			slot = &e->phone;
			break;
		case OPT_NOTE:
			opt = "--note";
			slot = &e->note;
			break;
		case OPT_TAG:
			if ((rc = cli_check_text(cli, "--tag", optarg)) != 0)
				return rc;
			if (optarg[0] == '\0')
				return cli_usage(cli, "%s", _("a tag cannot be empty"));
			e->tags[e->ntags++] = optarg;
			continue;
		case OPT_CLEAR_TAGS:
			if (!is_edit)
				return cli_usage(cli, _("unknown option '%s'"), "--clear-tags");
			e->clear_tags = 1;
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
	if (e->name != NULL && e->name[0] == '\0')
		return cli_usage(cli, "%s", _("the name cannot be empty"));
	return 0;
}

static int person_add(struct hearth_cli *cli, int argc, char **argv)
{
	struct person_edit e;
	char hex[HEARTH_ID_HEX + 1];
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	int rc, changed;

	cli_set_command(cli, "person add");
	memset(&e, 0, sizeof e);
	e.tags = calloc((size_t)argc + 1, sizeof *e.tags);
	if (e.tags == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	rc = parse_fields(cli, argc, argv, &e, 0, _(
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
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		goto out;
	if (e.name == NULL) {
		rc = cli_usage(cli, "%s", _("missing --name"));
		goto out;
	}
	if ((rc = cli_open_store(cli, &s)) != 0)
		goto out;

	/* One transaction: a person appears with all its fields or not at
	 * all. */
	if ((st = hearth_store_begin(s)) != HEARTH_OK) {
		rc = cli_error_status(cli, st);
		goto out;
	}
	st = hearth_record_create(s, NULL, KIND, &id);
	if (st == HEARTH_OK)
		st = person_write(s, &id, NULL, &e, &changed);
	if (st == HEARTH_OK)
		st = person_audit(s, "person.add", &id);
	if (st == HEARTH_OK)
		st = hearth_store_commit(s);
	if (st != HEARTH_OK) {
		rc = cli_error_status(cli, st);
		hearth_store_rollback(s);
		goto out;
	}
	if (cli->json)
		rc = cli_json_print(cli, json_pack("{s:s}", "id", cli_id_hex(&id, hex)));
	else
		printf("%s\n", cli_id_hex(&id, hex));
out:
	free(e.tags);
	return rc < 0 ? CLI_EXIT_OK : rc;
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

	if (ctx->search != NULL && !person_matches(r, ctx->search))
		return 0;
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

/* Parses "SUB [--help] ID" for show and delete; *idarg gets ID.  Returns
 * 0, an exit code, or -1 after printing help. */
static int parse_id_only(struct hearth_cli *cli, int argc, char **argv,
			 const char *help, const char **idarg)
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
	*idarg = argv[optind];
	return 0;
}

static int person_show(struct hearth_cli *cli, int argc, char **argv)
{
	hearth_record *r = NULL;
	const char *idarg = NULL;
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
		"  -h, --help   show this help and exit\n"), &idarg);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if ((rc = cli_resolve(cli, KIND, idarg, &id)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_record_load(s, &id, &r)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if ((st = person_audit(s, "person.show", &id)) != HEARTH_OK) {
		rc = cli_error_status(cli, st);
		goto out;
	}
	if (cli->json) {
		if ((o = person_json(r)) == NULL) {
			rc = cli_error(cli, "%s", _("out of memory"));
			goto out;
		}
	} else if (person_print(r) != 0) {
		rc = cli_error(cli, "%s", _("out of memory"));
		goto out;
	}
	for (i = 0; i < n_sections; i++)
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

static int person_edit(struct hearth_cli *cli, int argc, char **argv)
{
	struct person_edit e;
	char hex[HEARTH_ID_HEX + 1];
	hearth_record *r = NULL;
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	int rc, changed = 0;

	cli_set_command(cli, "person edit");
	memset(&e, 0, sizeof e);
	e.tags = calloc((size_t)argc + 1, sizeof *e.tags);
	if (e.tags == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	rc = parse_fields(cli, argc, argv, &e, 1, _(
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
		"  -h, --help      show this help and exit\n"));
	if (rc != 0)
		goto out;
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("ID"))) != 0)
		goto out;
	if (e.name == NULL && e.unit == NULL && e.phone == NULL && e.note == NULL &&
	    e.ntags == 0 && !e.clear_tags) {
		rc = cli_usage(cli, "%s", _("nothing to change: give at least one field option"));
		goto out;
	}
	if ((rc = cli_resolve(cli, KIND, argv[optind], &id)) != 0)
		goto out;
	if ((rc = cli_open_store(cli, &s)) != 0)
		goto out;

	if ((st = hearth_store_begin(s)) != HEARTH_OK) {
		rc = cli_error_status(cli, st);
		goto out;
	}
	st = hearth_record_load(s, &id, &r);
	if (st == HEARTH_OK)
		st = person_write(s, &id, r, &e, &changed);
	if (st == HEARTH_OK)
		st = person_audit(s, "person.edit", &id);
	if (st == HEARTH_OK)
		st = hearth_store_commit(s);
	if (st != HEARTH_OK) {
		rc = cli_error_status(cli, st);
		hearth_store_rollback(s);
		goto out;
	}
	if (cli->json)
		rc = cli_json_print(cli, json_pack("{s:s}", "id", cli_id_hex(&id, hex)));
	else
		printf(_("Updated %s.\n"), cli_id_hex(&id, hex));
out:
	hearth_record_free(r);
	free(e.tags);
	return rc < 0 ? CLI_EXIT_OK : rc;
}

static int person_delete(struct hearth_cli *cli, int argc, char **argv)
{
	char hex[HEARTH_ID_HEX + 1];
	const char *idarg = NULL;
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
		"  -h, --help   show this help and exit\n"), &idarg);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if ((rc = cli_resolve(cli, KIND, idarg, &id)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_store_begin(s)) != HEARTH_OK)
		return cli_error_status(cli, st);
	st = hearth_record_delete(s, &id);
	if (st == HEARTH_OK)
		st = person_audit(s, "person.delete", &id);
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

static const struct subcommand builtin_subs[] = {
	{"add", N_("add a person"), person_add},
	{"list", N_("list people, or search them"), person_list},
	{"show", N_("show a person"), person_show},
	{"edit", N_("change a person's fields"), person_edit},
	{"delete", N_("delete a person"), person_delete},
};
#define N_BUILTIN_SUBS (sizeof builtin_subs / sizeof builtin_subs[0])

static int person_help(struct hearth_cli *cli)
{
	size_t i, w = 0;

	(void)cli;
	for (i = 0; i < N_BUILTIN_SUBS; i++)
		if (strlen(builtin_subs[i].name) > w)
			w = strlen(builtin_subs[i].name);
	for (i = 0; i < n_extra_subs; i++)
		if (strlen(extra_subs[i].name) > w)
			w = strlen(extra_subs[i].name);
	w += 2;
	printf("%s", _("Usage: hearth person SUBCOMMAND [OPTIONS]\n"
		       "Keep the people the service works with.\n"
		       "\n"
		       "Subcommands:\n"));
	for (i = 0; i < N_BUILTIN_SUBS; i++) {
		fputs("  ", stdout);
		cli_print_padded(stdout, builtin_subs[i].name, w);
		printf("%s\n", _(builtin_subs[i].summary));
	}
	for (i = 0; i < n_extra_subs; i++) {
		fputs("  ", stdout);
		cli_print_padded(stdout, extra_subs[i].name, w);
		printf("%s\n", _(extra_subs[i].summary));
	}
	printf("%s", _("\n"
		       "ID is a person's id or its first six or more hex digits.\n"
		       "Run 'hearth person SUBCOMMAND --help' for its options.\n"));
	return CLI_EXIT_OK;
}

int cmd_person(struct hearth_cli *cli, int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return cli_usage(cli, "%s", _("missing subcommand"));
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return person_help(cli);
	for (i = 0; i < N_BUILTIN_SUBS; i++)
		if (strcmp(argv[1], builtin_subs[i].name) == 0)
			return builtin_subs[i].fn(cli, argc - 1, argv + 1);
	for (i = 0; i < n_extra_subs; i++)
		if (strcmp(argv[1], extra_subs[i].name) == 0)
			return extra_subs[i].fn(cli, argc, argv);
	return cli_usage(cli, _("unknown subcommand '%s'"), argv[1]);
}
