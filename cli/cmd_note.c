/*
 * cli/cmd_note.c - `hearth note`: append-only session notes.
 *
 *   note add --person ID [--appt ID] [--format free|dap|soap] --text TEXT
 *   note amend NOTE --text TEXT
 *   note show NOTE          the note and its amendments, in order
 *   note missing            held appointments that have no note
 *
 * A note is never edited: `amend` adds an amendment that is shown with
 * the original (hearth/casework.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hearth/appointment.h"
#include "hearth/note.h"
#include "hearth/timeutil.h"

static int has_text(const char *s)
{
	return s != NULL && strspn(s, " \t\r\n") != strlen(s);
}

const char *cli_note_format_text(const char *f)
{
	hearth_note_format v;

	/* The core's one label of the code; a code it does not know is
	 * shown as stored. */
	return hearth_note_format_parse(f, &v) == HEARTH_OK ? hearth_note_format_label(v) : f;
}

enum { OPT_PERSON = 0x100, OPT_APPT, OPT_FORMAT, OPT_TEXT };

static int note_add(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"person", required_argument, NULL, OPT_PERSON},
		{"appt", required_argument, NULL, OPT_APPT},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"text", required_argument, NULL, OPT_TEXT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *person = NULL, *appt = NULL;
	char today[HEARTH_DATE_LEN + 1], hex[HEARTH_ID_HEX + 1];
	hearth_note_new n;
	hearth_id appt_id, id;
	hearth_store *s;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "note add");
	memset(&n, 0, sizeof n);
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_PERSON:
			person = optarg;
			break;
		case OPT_APPT:
			appt = optarg;
			break;
		case OPT_FORMAT:
			if (!hearth_note_format_valid(optarg))
				return cli_usage(cli, _("'%s' is not a note format: use free, dap or soap"),
						 optarg);
			n.format = optarg;
			break;
		case OPT_TEXT:
			if ((rc = cli_check_text(cli, "--text", optarg)) != 0)
				return rc;
			n.text = optarg;
			break;
		case 'h':
			return cli_help(cli, _(
				"Usage: hearth note add --person ID [--appt ID]\n"
				"                       [--format free|dap|soap] --text TEXT\n"
				"Write a session note and print its id.  Notes cannot be changed\n"
				"afterwards: correct one with 'hearth note amend'.\n"
				"\n"
				"Options:\n"
				"  --person ID     the person\n"
				"  --appt ID       the appointment the note records\n"
				"  --format F      free (default), dap or soap\n"
				"  --text TEXT     the note\n"
				"  --json          print {\"id\": ...}\n"
				"  -h, --help      show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if (person == NULL)
		return cli_usage(cli, "%s", _("missing --person"));
	if (!has_text(n.text))
		return cli_usage(cli, "%s", _("missing --text"));
	if ((rc = cli_today(cli, today)) != 0)
		return rc;
	if ((rc = cli_resolve(cli, "person", person, &n.person)) != 0)
		return rc;
	if (appt != NULL) {
		if ((rc = cli_resolve(cli, "appointment", appt, &appt_id)) != 0)
			return rc;
		n.appt = &appt_id;
	}
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_note_add(s, &n, today, &id);
	if (st == HEARTH_EINVAL && appt != NULL)
		return cli_error(cli, _("appointment %s is not with this person"), appt);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s}", "id", cli_id_hex(&id, hex)));
	printf("%s\n", cli_id_hex(&id, hex));
	return CLI_EXIT_OK;
}

static int note_amend(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"text", required_argument, NULL, OPT_TEXT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *text = NULL;
	char today[HEARTH_DATE_LEN + 1], hex[HEARTH_ID_HEX + 1];
	hearth_id note, id;
	hearth_store *s;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "note amend");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_TEXT:
			if ((rc = cli_check_text(cli, "--text", optarg)) != 0)
				return rc;
			text = optarg;
			break;
		case 'h':
			return cli_help(cli, _(
				"Usage: hearth note amend NOTE --text TEXT\n"
				"Add an amendment to a note and print its id.  The original stays\n"
				"as it was; the amendment is shown with it.\n"
				"\n"
				"Options:\n"
				"  --text TEXT   the amendment\n"
				"  --json        print {\"id\": ..., \"amends\": ...}\n"
				"  -h, --help    show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("NOTE"))) != 0)
		return rc;
	if (!has_text(text))
		return cli_usage(cli, "%s", _("missing --text"));
	if ((rc = cli_today(cli, today)) != 0)
		return rc;
	if ((rc = cli_resolve(cli, "note", argv[optind], &note)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_note_amend(s, &note, text, today, &id);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json) {
		char nhex[HEARTH_ID_HEX + 1];

		return cli_json_print(cli, json_pack("{s:s, s:s}", "id", cli_id_hex(&id, hex),
						     "amends", cli_id_hex(&note, nhex)));
	}
	printf("%s\n", cli_id_hex(&id, hex));
	return CLI_EXIT_OK;
}

static json_t *note_json(const hearth_note_item *it)
{
	char hex[HEARTH_ID_HEX + 1], phex[HEARTH_ID_HEX + 1];
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}",
		"id", cli_id_hex(&it->id, hex), "person", cli_id_hex(&it->person, phex),
		"date", it->date, "format", it->format, "text", it->text);

	if (o != NULL && it->has_appt)
		json_object_set_new(o, "appt", json_string(cli_id_hex(&it->appt, hex)));
	if (o != NULL && it->is_amendment)
		json_object_set_new(o, "amends", json_string(cli_id_hex(&it->amends, hex)));
	return o;
}

static int note_show(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_notes *l = NULL;
	hearth_id id;
	hearth_store *s;
	hearth_status st;
	size_t i;
	int c, rc;

	cli_set_command(cli, "note show");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth note show NOTE\n"
				"Show a note and, after it, its amendments in the order written.\n"
				"\n"
				"Options:\n"
				"  --json       print the note and its amendments as a JSON array\n"
				"  -h, --help   show this help and exit\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("NOTE"))) != 0)
		return rc;
	if ((rc = cli_resolve(cli, "note", argv[optind], &id)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	/* Reading a session note is looking at a person's record: the core
	 * audits it (note.show). */
	st = hearth_note_show(s, &id, &l);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json) {
		json_t *a = json_array();

		for (i = 0; a != NULL && i < l->n; i++)
			if (json_array_append_new(a, note_json(&l->items[i])) != 0) {
				json_decref(a);
				a = NULL;
			}
		hearth_notes_free(l);
		return cli_json_print(cli, a);
	}
	for (i = 0; i < l->n; i++) {
		const hearth_note_item *it = &l->items[i];
		char hex[HEARTH_ID_HEX + 1], shortid[9];

		if (i == 0) {
			char *name = NULL;
			hearth_record *p = NULL;

			if (hearth_record_load(s, &it->person, &p) == HEARTH_OK &&
			    hearth_record_field(p, "name") != NULL)
				name = strdup(hearth_record_field(p, "name"));
			hearth_record_free(p);
			printf(_("Note %s, %s (%s)\n"), cli_id_hex(&it->id, hex), it->date,
			       cli_note_format_text(it->format));
			printf(_("Person: %s\n"), name ? name : cli_id_short(&it->person, shortid));
			free(name);
			if (it->has_appt)
				printf(_("Appointment: %s\n"), cli_id_short(&it->appt, shortid));
		} else {
			printf("\n");
			printf(_("Amendment %s, %s\n"), cli_id_hex(&it->id, hex), it->date);
		}
		printf("\n%s\n", it->text);
	}
	hearth_notes_free(l);
	return CLI_EXIT_OK;
}

static int note_missing(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_appts *l = NULL;
	hearth_store *s;
	hearth_status st;
	size_t i;
	int c, rc;

	cli_set_command(cli, "note missing");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth note missing\n"
				"List held appointments that have no note yet.\n"
				"\n"
				"Options:\n"
				"  --json       print a JSON array\n"
				"  -h, --help   show this help and exit\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_note_missing(s, &l);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json) {
		json_t *a = json_array();
		char hex[HEARTH_ID_HEX + 1], phex[HEARTH_ID_HEX + 1];

		for (i = 0; a != NULL && i < l->n; i++) {
			const hearth_appt_item *it = &l->items[i];

			if (json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s}",
					"id", cli_id_hex(&it->id, hex),
					"person", cli_id_hex(&it->person, phex),
					"person_name", it->person_name, "at", it->at,
					"counsellor", it->counsellor)) != 0) {
				json_decref(a);
				a = NULL;
			}
		}
		hearth_appts_free(l);
		return cli_json_print(cli, a);
	}
	if (l->n == 0) {
		printf("%s\n", _("Every held appointment has a note."));
	} else {
		const char *header[4];
		struct cli_table *t;

		header[0] = _("Appointment");
		header[1] = _("When");
		header[2] = _("Person");
		header[3] = _("Counsellor");
		t = cli_table_new(4, header);
		for (i = 0; t != NULL && i < l->n; i++) {
			char shortid[9];
			const char *cells[4];

			cells[0] = cli_id_short(&l->items[i].id, shortid);
			cells[1] = l->items[i].at;
			cells[2] = l->items[i].person_name;
			cells[3] = l->items[i].counsellor;
			if (cli_table_add(t, cells) != 0) {
				cli_table_free(t);
				t = NULL;
			}
		}
		if (t == NULL) {
			hearth_appts_free(l);
			return cli_error(cli, "%s", _("out of memory"));
		}
		printf(_("%zu held appointments have no note:\n"), l->n);
		cli_table_print(t, stdout);
		cli_table_free(t);
	}
	hearth_appts_free(l);
	return CLI_EXIT_OK;
}

static const struct cli_subcommand subs[] = {
	{"add", N_("write a session note"), note_add},
	{"amend", N_("add an amendment to a note"), note_amend},
	{"show", N_("show a note with its amendments"), note_show},
	{"missing", N_("list held appointments without a note"), note_missing},
};

static const struct cli_group group = {
	.name = "note",
	.head = N_("Usage: hearth note SUBCOMMAND [OPTIONS]\n"
		   "Write session notes.  Notes are never changed; corrections are\n"
		   "amendments shown with the original.\n"
		   "\n"
		   "Subcommands:\n"),
	.tail = N_("\n"
		   "NOTE is a note's id or its first six or more hex digits.\n"
		   "Run 'hearth note SUBCOMMAND --help' for its options.\n"),
	.width = 10,
	.subs = subs,
	.nsubs = CLI_COUNT(subs),
};

int cmd_note(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &group, argc, argv);
}
